import { useTranslation } from 'react-i18next';
import type { ItemSummaryDto_Serialize } from '../bindings';
import { formatDate, formatDateTime } from '../lib/format';
import { KindBadge, MarkingBadge, PrecedenceBadge, Sr } from './common';

/** Rows have one height, so that the virtual list can place them without measuring. */
export const ROW_HEIGHT = 60;

export function ItemRow({
  item,
  domId,
  index,
  total,
  selected,
  open,
  onClick,
}: {
  item: ItemSummaryDto_Serialize | undefined;
  domId?: string;
  index: number;
  total: number;
  selected: boolean;
  open: boolean;
  onClick: () => void;
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
      data-testid="item-row"
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
