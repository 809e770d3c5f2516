import { memo, useCallback, useEffect, useId, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api';
import type { SearchHitDto_Serialize } from '../bindings';
import { EMPTY_FILTER, toFilterDto, type FilterState } from '../lib/filter';
import { formatDateTime } from '../lib/format';
import { afterPaint, measureRender } from '../lib/perf';
import { useRowHeight, type MeasureRow } from '../lib/useRowHeight';
import { useRowList } from '../lib/useRowList';
import { searchedText, useSearch } from '../lib/useSearch';
import { ErrorAlert, KindBadge, MarkingBadge, PrecedenceBadge } from './common';
import { Filters } from './Filters';
import type { ListController } from './Inbox';
import { probeItem } from './ItemRow';

/**
 * The least height of a result (px). Results have one height (the snippet is clipped to two
 * lines in CSS), so that the virtual list places them without measuring each: that of a probe
 * result when its text needs more.
 */
export const RESULT_HEIGHT = 96;
/** The next page is asked for when the rows on screen (or the selection) come this close to the last hit. */
export const LOAD_AHEAD = 10;

export interface SearchFilters {
  filter: FilterState;
  from: string;
  to: string;
}

export const INITIAL_SEARCH: SearchFilters = { filter: EMPTY_FILTER, from: '', to: '' };

export function Search({
  text,
  textSeq = 0,
  onResultsPainted,
  state,
  onState,
  openId,
  onOpen,
  controller,
  listId,
  onActiveOption,
  onEscape,
  measureRow,
}: {
  text: string;
  /** The number of the search box's input event that gave `text`. */
  textSeq?: number;
  /** The results for input `seq` are painted. */
  onResultsPainted?: (seq: number) => void;
  state: SearchFilters;
  onState: (s: SearchFilters) => void;
  openId: string | null;
  onOpen: (id: string) => void;
  controller: Ref<ListController>;
  /** The id of the results' list box (the search box, a combobox, controls it). */
  listId?: string;
  /** The id of the highlighted result's option (undefined: none), for the search box. */
  onActiveOption?: (optionId: string | undefined) => void;
  /** Escape in the results: back to the search box. */
  onEscape?: () => void;
  /** How the probe result is measured (tests: happy-dom lays nothing out). */
  measureRow?: MeasureRow;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const resultsId = listId ?? `${id}-results`;
  const search = useSearch(api, { text, filter: toFilterDto(state.filter, null), from: state.from, to: state.to }, textSeq);
  const [selected, setSelected] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const hits = search.hits;

  // Results as tall as their text needs (measured on a probe result), RESULT_HEIGHT at least.
  // Pages of results follow one another with no last one: past 83,333 results (at the least
  // height) the list is taller than `MAX_LIST_HEIGHT`, and `useRowList` scales it.
  const probeRef = useRef<HTMLOListElement>(null);
  const rowHeight = useRowHeight(probeRef, RESULT_HEIGHT, measureRow);
  const virtual = useRowList({ count: hits.length, rowHeight, overscan: 4, scrollRef });
  const { scrollToIndex, scrollToTop } = virtual;
  const rows = virtual.rows;
  const last = rows[rows.length - 1]?.index ?? -1;

  // New words or filters: the first result, at the top.
  const searched = searchedText(text);
  const key = JSON.stringify([searched, state]);
  useEffect(() => {
    setSelected(0);
    scrollToTop();
    // Only when the words or the filters change, not when the list does.
  }, [key]);

  // After the commit that shows the results of an input, once they are painted.
  const painted = useRef(onResultsPainted);
  painted.current = onResultsPainted;
  const { shownSeq, answeredAt } = search;
  // The answer whose render was measured last (`search:render`, read by the benchmark).
  const rendered = useRef(0);
  useEffect(() => {
    if (shownSeq <= 0) return;
    const fresh = answeredAt > rendered.current ? answeredAt : 0;
    if (fresh) rendered.current = fresh;
    afterPaint(() => {
      painted.current?.(shownSeq);
      if (fresh) measureRender(fresh);
    });
  }, [shownSeq, answeredAt]);

  // Near the end of what is loaded (by scrolling or by moving the selection): the next page.
  const { loadMore } = search;
  const nearEnd = search.more && !search.loading && !search.error && Math.max(last, selected) >= hits.length - LOAD_AHEAD;
  useEffect(() => {
    if (nearEnd) loadMore();
  }, [nearEnd, loadMore]);

  const count = hits.length;
  const move = useCallback(
    (delta: number) => {
      if (count === 0) return;
      const next = Math.max(0, Math.min(count - 1, selected + delta));
      setSelected(next);
      scrollToIndex(next);
    },
    [count, selected, scrollToIndex],
  );

  // The highlighted result, named by the list box and the search box (aria-activedescendant):
  // the selected row is always scrolled into the rendered window, so its option exists.
  const activeHit = hits[selected];
  const activeOption = activeHit ? optionId(resultsId, activeHit.summary.id) : undefined;
  const reportActive = useRef(onActiveOption);
  reportActive.current = onActiveOption;
  useEffect(() => {
    reportActive.current?.(activeOption);
  }, [activeOption]);
  useEffect(() => () => reportActive.current?.(undefined), []);
  const openSelected = useCallback(() => {
    const hit = hits[selected];
    if (hit) onOpen(hit.summary.id);
  }, [hits, selected, onOpen]);
  useImperativeHandle(controller, () => ({ move, openSelected }), [move, openSelected]);

  const onOpenRow = useCallback(
    (index: number, itemId: string) => {
      setSelected(index);
      onOpen(itemId);
    },
    [onOpen],
  );

  function onListKey(e: React.KeyboardEvent) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      openSelected();
      return;
    }
    if (e.key === 'Escape' && onEscape) {
      e.preventDefault();
      onEscape();
      return;
    }
    const delta = { ArrowDown: 1, ArrowUp: -1, Home: -count, End: count, PageDown: 10, PageUp: -10 }[e.key];
    if (delta === undefined) return;
    e.preventDefault();
    move(delta);
  }

  const status =
    text.trim() === ''
      ? t('search.prompt')
      : searched === ''
        ? t('search.tooShort')
        : search.loading && hits.length === 0
          ? t('search.searching')
          : t('search.count', { n: hits.length, more: search.more ? '+' : '' });
  // While more may follow, the size of the list is not known (ARIA: -1).
  const setSize = search.more ? -1 : hits.length;

  return (
    <section className="search" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`} className="visually-hidden">
        {t('nav.search')}
      </h1>
      <Filters value={state.filter} onChange={(filter) => onState({ ...state, filter })}>
        <fieldset className="date-range">
          <legend>{t('search.dateRange')}</legend>
          <label htmlFor={`${id}-from`}>{t('search.from')}</label>
          <input id={`${id}-from`} type="date" data-testid="search-from" value={state.from} onChange={(e) => onState({ ...state, from: e.target.value })} />
          <label htmlFor={`${id}-to`}>{t('search.to')}</label>
          <input id={`${id}-to`} type="date" data-testid="search-to" value={state.to} onChange={(e) => onState({ ...state, to: e.target.value })} />
        </fieldset>
      </Filters>
      <p className="search-status" role="status" aria-live="polite">
        {status}
        {search.elapsedMs !== null && text.trim() !== '' && (
          <span className="elapsed" data-testid="search-elapsed">
            {' '}
            {t('search.elapsed', { ms: search.elapsedMs })}
          </span>
        )}
      </p>
      <p className="field-hint search-order" data-testid="search-order">
        {t('search.order')}
      </p>
      <ErrorAlert error={search.error} />
      <ResultProbe ref={probeRef} />
      <div ref={scrollRef} className="results" data-testid="search-results">
        <ol
          id={resultsId}
          className="results-rows"
          role="listbox"
          tabIndex={0}
          aria-label={t('search.results')}
          aria-activedescendant={activeOption}
          data-testid="search-listbox"
          style={{ height: virtual.height }}
          onKeyDown={onListKey}
        >
          {rows.map((v) => {
            const hit = hits[v.index];
            if (!hit) return null;
            return (
              <ResultRow
                key={v.key}
                listId={resultsId}
                hit={hit}
                index={v.index}
                start={v.start}
                size={v.size}
                setSize={setSize}
                selected={v.index === selected}
                open={hit.summary.id === openId}
                onOpen={onOpenRow}
              />
            );
          })}
        </ol>
        {search.more && search.loading && (
          <p className="results-more">
            {t('search.loadingMore')}
          </p>
        )}
      </div>
    </section>
  );
}

/** The id of a result's option: stable for an item, whatever its place in the list. */
function optionId(listId: string, itemId: string): string {
  return `${listId}-opt-${itemId}`;
}

/**
 * One result, an option of the list box (clicked, or highlighted with the arrow keys and
 * opened with Enter); memoised, so that a keystroke re-renders no row until its results arrive.
 */
const ResultRow = memo(function ResultRow({
  listId,
  hit,
  index,
  start,
  size,
  setSize,
  selected,
  open,
  onOpen,
  probe = false,
}: {
  listId: string;
  hit: SearchHitDto_Serialize;
  index: number;
  start: number;
  size: number;
  setSize: number;
  selected: boolean;
  open: boolean;
  onOpen: (index: number, id: string) => void;
  /** The probe result (`ResultProbe`): no test id, no place. */
  probe?: boolean;
}) {
  const { i18n } = useTranslation();
  const s = hit.summary;
  return (
    <li
      id={optionId(listId, s.id)}
      role="option"
      data-testid={probe ? undefined : 'search-result'}
      data-id={s.id}
      data-index={index}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      aria-selected={selected}
      className={`result${selected ? ' row-selected' : ''}${open ? ' row-open' : ''}${s.read ? '' : ' row-unread'}`}
      style={probe ? undefined : { height: size, transform: `translateY(${start}px)` }}
      onClick={() => onOpen(index, s.id)}
    >
      <span className="row-line">
        <KindBadge kind={s.kind} />
        <PrecedenceBadge precedence={s.precedence} />
        <MarkingBadge marking={s.marking} />
        <span className="row-subject" lang={s.language ?? undefined}>
          {s.subject}
        </span>
      </span>
      <span className="row-line row-meta">
        <span>{s.origin}</span>
        {s.number && <span>{s.number}</span>}
        <span>{formatDateTime(s.writtenAt, i18n.language)}</span>
      </span>
      <span className="snippet" lang={s.language ?? undefined}>
        {hit.snippet.map((part, j) => (part.highlight ? <mark key={j}>{part.text}</mark> : <span key={j}>{part.text}</span>))}
      </span>
    </li>
  );
});

const noop = () => {};

/**
 * A result laid out out of sight, never shown, of the tallest kind (every badge, a number, a
 * snippet long enough for its two lines), whose height the results take (`useRowHeight`
 * measures the first child of `ref`'s element).
 */
const ResultProbe = memo(function ResultProbe({ ref }: { ref: Ref<HTMLOListElement> }) {
  const { t } = useTranslation();
  const text = t('search.results');
  const hit: SearchHitDto_Serialize = {
    summary: probeItem(text),
    snippet: [
      { text: `${text} `.repeat(40), highlight: false },
      { text, highlight: true },
    ],
  };
  return (
    <ol ref={ref} className="row-probe" aria-hidden="true">
      <ResultRow listId="" hit={hit} index={0} start={0} size={0} setSize={1} selected={false} open={false} onOpen={noop} probe />
    </ol>
  );
});
