// The rows of the triage list, fetched a page at a time as they scroll into view.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api, CommandError } from '../api';
import type { CountsDto, FilterDto_Deserialize, ItemSummaryDto_Serialize } from '../bindings';
import { filterKey } from './filter';
import { MARK, markOnce } from './perf';
import { MAX_CACHED_PAGES, MAX_PAGES_IN_FLIGHT, PAGE_SIZE, missingPages, pagesForRange, pagesToEvict, rowAt } from './paging';

export interface PagedInbox {
  /** Rows in the list (under the filter and section); null before the first answer. */
  total: number | null;
  /** Counts of every section under the same filter (the tabs' numbers). */
  counts: CountsDto | null;
  row(index: number): ItemSummaryDto_Serialize | undefined;
  /** Tells which rows are on screen, so their pages are fetched. */
  showRange(start: number, end: number): void;
  error: CommandError | null;
}

type InboxRequest = Parameters<Api['inbox']>[0];
type InboxAnswer = ReturnType<Api['inbox']>;

/** How long answers asked for ahead of the list wait for it before they are dropped. */
const EARLY_FOR_MS = 3000;

/** Answers asked for before the list that needs them exists, by request. */
const early = new Map<string, InboxAnswer>();
let earlyTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Asks now for what a list under `filter` asks for first (its counts and its first page), so
 * that the answers are on their way while the screen that shows the list is still being
 * built: right after the unlock, the main screen takes tens of milliseconds to render. The
 * list takes them when it mounts; unclaimed, they are dropped after a few seconds, and by
 * `forgetEarlyInbox` (on locking).
 */
export function prefetchInbox(api: Api, filter: FilterDto_Deserialize, pageSize = PAGE_SIZE): void {
  forgetEarlyInbox();
  for (const request of [firstPageRequest(filter, pageSize), countsRequest(filter)]) {
    early.set(JSON.stringify(request), api.inbox(request));
  }
  earlyTimer = setTimeout(forgetEarlyInbox, EARLY_FOR_MS);
}

/** Drops the answers asked for ahead and not claimed. */
export function forgetEarlyInbox(): void {
  early.clear();
  clearTimeout(earlyTimer);
}

function firstPageRequest(filter: FilterDto_Deserialize, pageSize: number): InboxRequest {
  return { filter, offset: 0, limit: pageSize };
}

function countsRequest(filter: FilterDto_Deserialize): InboxRequest {
  return { filter: { ...filter, section: null }, offset: 0, limit: 1 };
}

/** The answer asked for ahead for `request` (once), or a new request. */
function askInbox(api: Api, request: InboxRequest): InboxAnswer {
  const key = JSON.stringify(request);
  const ahead = early.get(key);
  if (ahead) {
    early.delete(key);
    return ahead;
  }
  return api.inbox(request);
}

export function usePagedInbox(api: Api, filter: FilterDto_Deserialize, refreshToken: number, pageSize = PAGE_SIZE): PagedInbox {
  const key = filterKey(filter);
  const pages = useRef(new Map<number, ItemSummaryDto_Serialize[]>());
  const fresh = useRef(new Set<number>());
  const inFlight = useRef(new Set<number>());
  const generation = useRef(0);
  const range = useRef<[number, number]>([0, pageSize - 1]);
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const [total, setTotal] = useState<number | null>(null);
  const [counts, setCounts] = useState<CountsDto | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [, setVersion] = useState(0);
  const totalRef = useRef<number | null>(null);
  /** Asks for the pages on screen not cached yet, as many as may be in flight. */
  const fetchMissingRef = useRef<() => void>(() => undefined);

  const fetchPage = useCallback(
    async (page: number) => {
      const gen = generation.current;
      inFlight.current.add(page);
      markOnce(MARK.inboxAsked);
      const r = await (page === 0
        ? askInbox(api, firstPageRequest(filterRef.current, pageSize))
        : api.inbox({ filter: filterRef.current, offset: page * pageSize, limit: pageSize }));
      markOnce(MARK.inboxAnswered);
      if (gen !== generation.current) return;
      inFlight.current.delete(page);
      if (r.status === 'error') {
        setError(r.error);
        return;
      }
      setError(null);
      pages.current.set(page, r.data.items as ItemSummaryDto_Serialize[]);
      fresh.current.add(page);
      totalRef.current = r.data.counts.total;
      setTotal(r.data.counts.total);
      const [start, end] = range.current;
      const visible = pagesForRange(start, end, r.data.counts.total, pageSize);
      for (const p of pagesToEvict([...pages.current.keys()], visible, MAX_CACHED_PAGES)) {
        pages.current.delete(p);
        fresh.current.delete(p);
      }
      setVersion((v) => v + 1);
      // The list may have moved on while this page was on its way.
      fetchMissingRef.current();
    },
    [api, pageSize],
  );

  const fetchMissing = useCallback(() => {
    const [start, end] = range.current;
    // Before the first answer the total is unknown: fetch the first page of the range.
    const known = totalRef.current ?? end + 1;
    const needed = pagesForRange(start, end, Math.max(known, 1), pageSize);
    for (const p of missingPages(needed, fresh.current, inFlight.current, MAX_PAGES_IN_FLIGHT)) void fetchPage(p);
  }, [fetchPage, pageSize]);
  fetchMissingRef.current = fetchMissing;

  const fetchCounts = useCallback(async () => {
    const gen = generation.current;
    const r = await askInbox(api, countsRequest(filterRef.current));
    if (gen !== generation.current) return;
    if (r.status === 'ok') setCounts(r.data.counts);
  }, [api]);

  // A new filter: start over from the top.
  useEffect(() => {
    generation.current += 1;
    pages.current = new Map();
    fresh.current = new Set();
    inFlight.current = new Set();
    totalRef.current = null;
    range.current = [0, pageSize - 1];
    setTotal(null);
    setError(null);
    void fetchCounts();
    fetchMissing();
  }, [key, fetchCounts, fetchMissing, pageSize]);

  // Arrivals or a read state changed: the counts and the rows on screen again; the other
  // cached pages are refetched when they come back into view.
  const seenToken = useRef(refreshToken);
  useEffect(() => {
    if (refreshToken === seenToken.current) return;
    seenToken.current = refreshToken;
    generation.current += 1;
    fresh.current = new Set();
    inFlight.current = new Set();
    void fetchCounts();
    fetchMissing();
  }, [refreshToken, fetchCounts, fetchMissing]);

  const showRange = useCallback(
    (start: number, end: number) => {
      const [s, e] = range.current;
      if (s === start && e === end) return;
      range.current = [start, end];
      fetchMissing();
    },
    [fetchMissing],
  );

  const row = useCallback((index: number) => rowAt(pages.current, index, pageSize), [pageSize]);

  return { total, counts, row, showRange, error };
}
