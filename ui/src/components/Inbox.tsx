import { useCallback, useEffect, useId, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api';
import type { ItemSummaryDto_Serialize, SectionDto } from '../bindings';
import { EMPTY_FILTER, FIRST_SECTION, SECTIONS, toFilterDto, type FilterState } from '../lib/filter';
import { usePagedInbox } from '../lib/usePagedInbox';
import { useRowHeight, type MeasureRow } from '../lib/useRowHeight';
import { useRowList } from '../lib/useRowList';
import { ErrorAlert } from './common';
import { Filters } from './Filters';
import { ItemRow, ItemRowProbe, ROW_HEIGHT } from './ItemRow';

/** What the keyboard shortcuts do to the list on screen. */
export interface ListController {
  move(delta: number): void;
  openSelected(): void;
}

const TAB_LABEL: Record<SectionDto, string> = { action: 'inbox.forAction', info: 'inbox.forInfo', unrouted: 'inbox.unrouted' };
const COUNT_OF = { action: ['action', 'unreadAction'], info: ['info', 'unreadInfo'], unrouted: ['unrouted', 'unreadUnrouted'] } as const;

export interface InboxState {
  section: SectionDto;
  filter: FilterState;
}

export const INITIAL_INBOX: InboxState = { section: FIRST_SECTION, filter: EMPTY_FILTER };

export function Inbox({
  state,
  onState,
  refreshToken,
  openId,
  onOpen,
  controller,
  onRowsPainted,
  returnTo,
  onReturned,
  measureRow,
}: {
  state: InboxState;
  onState: (s: InboxState) => void;
  refreshToken: number;
  openId: string | null;
  /** An item was opened: its id and its place in the list. */
  onOpen: (id: string, index: number) => void;
  controller: Ref<ListController>;
  /**
   * Back from the reader that took the list's place (one column): the row the item was
   * opened from is selected again and the list takes the focus, its active descendant.
   */
  returnTo?: { id: string; index: number; seq: number } | null;
  /** The list is back on that row (so that a later mount does not go there again). */
  onReturned?: () => void;
  /** Rows with their content were committed (called each time there first are some). */
  onRowsPainted?: () => void;
  /** How the probe row is measured (tests: happy-dom lays nothing out). */
  measureRow?: MeasureRow;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const { section, filter } = state;
  const list = usePagedInbox(api, toFilterDto(filter, section), refreshToken);
  const total = list.total ?? 0;
  const [selected, setSelected] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  // Rows as tall as their text needs (measured on a probe row), ROW_HEIGHT at least. A tab of
  // a million-item profile is taller than a browser lays out: `useRowList` scales it.
  const probeRef = useRef<HTMLDivElement>(null);
  const rowHeight = useRowHeight(probeRef, ROW_HEIGHT, measureRow);
  const virtual = useRowList({ count: total, rowHeight, overscan: 12, scrollRef });
  const { scrollToIndex, scrollToTop } = virtual;
  const items = virtual.rows;
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  const { showRange } = list;
  const hasRows = items.some((v) => list.row(v.index) !== undefined);
  const rowsPainted = useRef(onRowsPainted);
  rowsPainted.current = onRowsPainted;
  useEffect(() => {
    if (hasRows) rowsPainted.current?.();
  }, [hasRows]);
  useEffect(() => {
    if (last >= first) showRange(first, last);
  }, [first, last, showRange]);

  // A new section or filter starts at the top.
  const key = JSON.stringify(state);
  useEffect(() => {
    setSelected(0);
    scrollToTop();
    // Only when the section or the filter changes, not when the list does.
  }, [key]);

  // After the reset above (effects run in order): back on the row the reader was opened from,
  // scrolled into view once the list knows how many rows it has (mounted anew, not at first).
  const returnSeq = returnTo?.seq;
  const rowToShow = useRef<number | null>(null);
  useEffect(() => {
    if (!returnTo) return;
    setSelected(returnTo.index);
    rowToShow.current = returnTo.index;
    scrollRef.current?.focus();
    onReturned?.();
    // Once per return.
  }, [returnSeq]);
  const known = list.total;
  useEffect(() => {
    const row = rowToShow.current;
    if (row === null || known === null) return;
    rowToShow.current = null;
    if (row < known) scrollToIndex(row);
  }, [returnSeq, known, scrollToIndex]);

  const move = useCallback(
    (delta: number) => {
      if (total === 0) return;
      const next = Math.max(0, Math.min(total - 1, selected + delta));
      setSelected(next);
      scrollToIndex(next);
    },
    [selected, total, scrollToIndex],
  );
  const openSelected = useCallback(() => {
    const row = list.row(selected);
    if (row) onOpen(row.id, selected);
  }, [list, selected, onOpen]);
  useImperativeHandle(controller, () => ({ move, openSelected }), [move, openSelected]);

  function onTabKey(e: React.KeyboardEvent, s: SectionDto) {
    const i = SECTIONS.indexOf(s);
    const next = e.key === 'ArrowRight' ? SECTIONS[(i + 1) % 3] : e.key === 'ArrowLeft' ? SECTIONS[(i + 2) % 3] : undefined;
    if (!next) return;
    e.preventDefault();
    onState({ ...state, section: next });
    tabRefs.current[next]?.focus();
  }

  function onListKey(e: React.KeyboardEvent) {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      move(1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      move(-1);
    } else if (e.key === 'Home') {
      e.preventDefault();
      move(-total);
    } else if (e.key === 'End') {
      e.preventDefault();
      move(total);
    } else if (e.key === 'Enter' && !e.altKey && !e.ctrlKey && !e.metaKey) {
      // The list's own key: it opens even with the single-key shortcuts turned off.
      e.preventDefault();
      openSelected();
    }
  }

  const selectedRow: ItemSummaryDto_Serialize | undefined = list.row(selected);
  const counts = list.counts;

  return (
    <section className="inbox" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`} className="visually-hidden">
        {t('nav.inbox')}
      </h1>
      <div className="tabs" role="tablist" aria-label={t('inbox.sections')}>
        {SECTIONS.map((s) => {
          const [countKey, unreadKey] = COUNT_OF[s];
          const selectedTab = s === section;
          return (
            <button
              key={s}
              ref={(el) => {
                tabRefs.current[s] = el;
              }}
              type="button"
              role="tab"
              id={`${id}-tab-${s}`}
              className={`tab tab-${s}`}
              data-testid={`tab-${s}`}
              aria-selected={selectedTab}
              aria-controls={`${id}-panel`}
              tabIndex={selectedTab ? 0 : -1}
              onClick={() => onState({ ...state, section: s })}
              onKeyDown={(e) => onTabKey(e, s)}
            >
              <span className="tab-label">{t(TAB_LABEL[s])}</span>{' '}
              <span className="tab-count" data-testid={`count-${s}`}>
                {counts ? counts[countKey] : 0}
              </span>
              {counts && counts[unreadKey] > 0 && (
                <span className="tab-unread">{t('inbox.unreadCount', { n: counts[unreadKey] })}</span>
              )}
            </button>
          );
        })}
      </div>
      <Filters value={filter} onChange={(f) => onState({ ...state, filter: f })} />
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${section}`} className="list-panel">
        <ErrorAlert error={list.error} />
        <p className="visually-hidden" role="status" aria-live="polite">
          {list.total === null ? t('inbox.loading') : t('inbox.total', { n: total })}
        </p>
        {list.total === 0 && <p className="empty">{t('inbox.empty')}</p>}
        <ItemRowProbe ref={probeRef} />
        <div
          ref={scrollRef}
          className="virtual-list"
          data-testid="inbox-list"
          role="listbox"
          tabIndex={0}
          aria-label={t(TAB_LABEL[section])}
          aria-activedescendant={selectedRow ? `${id}-row-${selectedRow.id}` : undefined}
          onKeyDown={onListKey}
        >
          <div style={{ height: virtual.height, position: 'relative', width: '100%' }}>
            {items.map((v) => {
              const row = list.row(v.index);
              return (
                <div key={v.key} className="virtual-row" style={{ height: v.size, transform: `translateY(${v.start}px)` }}>
                  <ItemRow
                    domId={row ? `${id}-row-${row.id}` : undefined}
                    item={row}
                    index={v.index}
                    total={total}
                    selected={v.index === selected}
                    open={!!row && row.id === openId}
                    onClick={() => {
                      setSelected(v.index);
                      if (row) onOpen(row.id, v.index);
                    }}
                  />
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}
