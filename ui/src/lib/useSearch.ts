// Search as you type: waits for a pause in typing, and keeps only the answer to the latest
// request (an earlier one that comes back late is dropped, by a request counter).

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api, CommandError } from '../api';
import type { FilterDto_Deserialize, SearchHitDto_Serialize } from '../bindings';

export const SEARCH_DELAY_MS = 150;
export const SEARCH_PAGE = 50;

export interface SearchParams {
  text: string;
  filter: FilterDto_Deserialize;
  from: string;
  to: string;
}

export interface SearchState {
  hits: SearchHitDto_Serialize[];
  elapsedMs: number | null;
  loading: boolean;
  error: CommandError | null;
  /** More hits may follow (the last page was full). */
  more: boolean;
  /** The search box input (its `seq`) whose results are on screen. */
  shownSeq: number;
  loadMore(): void;
}

export function useSearch(api: Api, params: SearchParams, seq = 0, delayMs = SEARCH_DELAY_MS): SearchState {
  const [hits, setHits] = useState<SearchHitDto_Serialize[]>([]);
  const [elapsedMs, setElapsed] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [more, setMore] = useState(false);
  const [shownSeq, setShownSeq] = useState(0);
  const seqRef = useRef(seq);
  seqRef.current = seq;
  const counter = useRef(0);
  const paramsRef = useRef(params);
  paramsRef.current = params;
  const key = JSON.stringify(params);

  const run = useCallback(
    async (offset: number) => {
      const n = ++counter.current;
      const p = paramsRef.current;
      const forSeq = seqRef.current;
      setLoading(true);
      const r = await api.search({
        text: p.text,
        filter: p.filter,
        from: p.from || null,
        to: p.to || null,
        offset,
        limit: SEARCH_PAGE,
        asYouType: true,
      });
      if (n !== counter.current) return;
      setLoading(false);
      if (r.status === 'error') {
        setError(r.error);
        return;
      }
      setError(null);
      const page = r.data.hits as SearchHitDto_Serialize[];
      setHits((h) => (offset === 0 ? page : [...h, ...page]));
      setElapsed(r.data.elapsedMs);
      setMore(page.length === SEARCH_PAGE);
      setShownSeq(forSeq);
    },
    [api],
  );

  useEffect(() => {
    // Any answer still on its way is for older words: drop it.
    counter.current += 1;
    if (paramsRef.current.text.trim() === '') {
      setHits([]);
      setElapsed(null);
      setLoading(false);
      setError(null);
      setMore(false);
      setShownSeq(seqRef.current);
      return;
    }
    const timer = window.setTimeout(() => void run(0), delayMs);
    return () => window.clearTimeout(timer);
  }, [key, run, delayMs]);

  const loadMore = useCallback(() => void run(hits.length), [run, hits.length]);
  return { hits, elapsedMs, loading, error, more, shownSeq, loadMore };
}
