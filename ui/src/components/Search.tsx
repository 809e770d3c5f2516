import { useCallback, useEffect, useId, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api';
import type { SearchHitDto_Serialize } from '../bindings';
import { EMPTY_FILTER, toFilterDto, type FilterState } from '../lib/filter';
import { formatDateTime } from '../lib/format';
import { afterPaint } from '../lib/perf';
import { useSearch } from '../lib/useSearch';
import { ErrorAlert, KindBadge, MarkingBadge, PrecedenceBadge } from './common';
import { Filters } from './Filters';
import type { ListController } from './Inbox';

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
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const id = useId();
  const search = useSearch(api, { text, filter: toFilterDto(state.filter, null), from: state.from, to: state.to }, textSeq);
  const [selected, setSelected] = useState(0);
  const listRef = useRef<HTMLOListElement>(null);
  const hits = search.hits;

  useEffect(() => setSelected(0), [text, state]);

  // After the commit that shows the results of an input, once they are painted.
  const painted = useRef(onResultsPainted);
  painted.current = onResultsPainted;
  const { shownSeq } = search;
  useEffect(() => {
    if (shownSeq > 0) afterPaint(() => painted.current?.(shownSeq));
  }, [shownSeq]);

  const move = useCallback(
    (delta: number) => {
      if (hits.length === 0) return;
      const next = Math.max(0, Math.min(hits.length - 1, selected + delta));
      setSelected(next);
      listRef.current?.querySelectorAll('[data-testid="search-result"]')[next]?.scrollIntoView?.({ block: 'nearest' });
    },
    [hits.length, selected],
  );
  const openSelected = useCallback(() => {
    const hit = hits[selected];
    if (hit) onOpen(hit.summary.id);
  }, [hits, selected, onOpen]);
  useImperativeHandle(controller, () => ({ move, openSelected }), [move, openSelected]);

  const status = text.trim() === ''
    ? t('search.prompt')
    : search.loading && hits.length === 0
      ? t('search.searching')
      : t('search.count', { n: hits.length, more: search.more ? '+' : '' });

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
      <ErrorAlert error={search.error} />
      <ol ref={listRef} className="results" aria-label={t('search.results')}>
        {hits.map((hit: SearchHitDto_Serialize, i) => {
          const s = hit.summary;
          return (
            <li
              key={s.id}
              data-testid="search-result"
              data-id={s.id}
              className={`result${i === selected ? ' row-selected' : ''}${s.id === openId ? ' row-open' : ''}${s.read ? '' : ' row-unread'}`}
              aria-current={i === selected ? 'true' : undefined}
            >
              <button
                type="button"
                className="result-open"
                onClick={() => {
                  setSelected(i);
                  onOpen(s.id);
                }}
              >
                <span className="row-line">
                  <KindBadge kind={s.kind} />
                  <PrecedenceBadge precedence={s.precedence} />
                  <MarkingBadge marking={s.marking} />
                  <span className="row-subject">{s.subject}</span>
                </span>
                <span className="row-line row-meta">
                  <span>{s.origin}</span>
                  {s.number && <span>{s.number}</span>}
                  <span>{formatDateTime(s.writtenAt, i18n.language)}</span>
                </span>
                <span className="snippet">
                  {hit.snippet.map((part, j) => (part.highlight ? <mark key={j}>{part.text}</mark> : <span key={j}>{part.text}</span>))}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
      {search.more && (
        <button type="button" onClick={search.loadMore} className="load-more">
          {t('search.more')}
        </button>
      )}
    </section>
  );
}
