import type { FilterDto_Deserialize, InboxRequestDto_Deserialize, ItemSummaryDto_Serialize } from '../bindings';
import { counts, ok, summary } from './fakeApi';

/** A backend inbox over `items` (already in triage order): filters, counts and pages. */
export function inboxOver(items: ItemSummaryDto_Serialize[]) {
  const matches = (f: FilterDto_Deserialize, i: ItemSummaryDto_Serialize) =>
    (f.kinds.length === 0 || f.kinds.includes(i.kind)) &&
    (f.markings.length === 0 || f.markings.includes(i.marking)) &&
    (f.precedences.length === 0 || f.precedences.includes(i.precedence)) &&
    (!f.unreadOnly || !i.read);
  const route = (i: ItemSummaryDto_Serialize) => i.route ?? 'unrouted';
  return async (req: InboxRequestDto_Deserialize) => {
    const all = items.filter((i) => matches(req.filter, i));
    const list = req.filter.section ? all.filter((i) => route(i) === req.filter.section) : all;
    const n = (r: string, unread = false) => list.filter((i) => route(i) === r && (!unread || !i.read)).length;
    return ok({
      counts: counts({
        total: list.length,
        action: n('action'),
        info: n('info'),
        unrouted: n('unrouted'),
        unread: list.filter((i) => !i.read).length,
        unreadAction: n('action', true),
        unreadInfo: n('info', true),
        unreadUnrouted: n('unrouted', true),
      }),
      offset: req.offset,
      items: list.slice(req.offset, req.offset + req.limit),
    });
  };
}

/** `n` items of one route, numbered from `from`. */
export function many(n: number, route: 'action' | 'info' | null, from = 0): ItemSummaryDto_Serialize[] {
  return Array.from({ length: n }, (_, k) => summary(`${route ?? 'u'}-${from + k}`, { route, subject: `Sujet ${route ?? 'u'} ${from + k}` }));
}
