import { memo, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type { ItemSummaryDto_Serialize } from '../bindings';
import { formatDate, formatDateTime } from '../lib/format';
import { KindBadge, MarkingBadge, PrecedenceBadge, Sr } from './common';

/**
 * The least height of a row (px). Rows have one height, so that the virtual list places them
 * without measuring each: that of `ItemRowProbe` when its text needs more.
 */
export const ROW_HEIGHT = 60;

export function ItemRow({
  item,
  domId,
  index,
  total,
  selected,
  open,
  onClick,
  probe = false,
}: {
  item: ItemSummaryDto_Serialize | undefined;
  domId?: string;
  index: number;
  total: number;
  selected: boolean;
  open: boolean;
  onClick: () => void;
  /** The probe row (`ItemRowProbe`): no test id. */
  probe?: boolean;
}) {
  const { t, i18n } = useTranslation();
  if (!item) {
    return (
      <div className="row row-loading" role="option" aria-selected={selected} aria-posinset={index + 1} aria-setsize={total}>
        {t('inbox.loadingRow')}
      </div>
    );
  }
  const route = item.route ?? 'unrouted';
  const classes = ['row', item.read ? 'row-read' : 'row-unread', selected ? 'row-selected' : '', open ? 'row-open' : '', item.precedence === 'flash' ? 'row-flash' : ''];
  return (
    <div
      id={domId}
      className={classes.filter(Boolean).join(' ')}
      role="option"
      aria-selected={selected}
      aria-posinset={index + 1}
      aria-setsize={total}
      data-testid={probe ? undefined : 'item-row'}
      data-id={item.id}
      data-kind={item.kind}
      data-precedence={item.precedence}
      data-marking={item.marking}
      data-route={route}
      data-read={item.read ? 'true' : 'false'}
      onClick={onClick}
    >
      <div className="row-line">
        <span className="unread-dot" aria-hidden="true" />
        {!item.read && <Sr>{t('inbox.unread')}</Sr>}
        <KindBadge kind={item.kind} />
        <PrecedenceBadge precedence={item.precedence} />
        <MarkingBadge marking={item.marking} />
        <span className="row-subject" data-testid="row-subject" lang={item.language ?? undefined}>
          {item.subject}
        </span>
      </div>
      <div className="row-line row-meta">
        <span className="row-origin">{item.origin}</span>
        {item.number && <span className="row-number">{item.number}</span>}
        <span className="row-date">{formatDateTime(item.writtenAt, i18n.language)}</span>
        {item.deadline && <span className="row-deadline">{t('inbox.deadline', { date: formatDate(item.deadline, i18n.language) })}</span>}
      </div>
    </div>
  );
}

const PROBE_DATE = '2026-12-31T23:59:00Z';
const noop = () => {};

/** An item of the tallest kind for a row (every badge, a number, a deadline), written `text`. */
export function probeItem(text: string): ItemSummaryDto_Serialize {
  return {
    id: '',
    kind: 'telegram',
    subject: text,
    marking: 'dr',
    precedence: 'flash',
    route: 'action',
    origin: text,
    number: text,
    writtenAt: PROBE_DATE,
    receivedAt: PROBE_DATE,
    deadline: PROBE_DATE.slice(0, 10),
    read: false,
    tags: [],
    language: null,
  };
}

/**
 * A row laid out out of sight, never shown, of the tallest kind, whose height the list's rows
 * take (`useRowHeight` measures the first child of `ref`'s element).
 */
export const ItemRowProbe = memo(function ItemRowProbe({ ref }: { ref: Ref<HTMLDivElement> }) {
  const { t } = useTranslation();
  return (
    <div ref={ref} className="row-probe" aria-hidden="true">
      <ItemRow item={probeItem(t('inbox.loadingRow'))} index={0} total={1} selected={false} open={false} onClick={noop} probe />
    </div>
  );
});
