// Search as you type, with no wait: a request leaves at once when none is in flight; while
// one is, only the newest input is kept and leaves when the answer arrives (at most one in
// flight, so a fast typist never floods the backend); an answer older than the one on screen,
// or than a cleared box, is dropped. A last word of one or two letters is not searched yet
// (see `searchedText`); an input that leaves the searched words as they were (such a letter,
// a space) is answered by the results already on screen or on their way. Further pages are asked for by
// `loadMore` (the results list calls it as it scrolls near its end), one at a time, for the
// words on screen only.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api, CommandError } from '../api';
import type { FilterDto_Deserialize, SearchHitDto_Serialize } from '../bindings';
import { measureRequest, perfNow } from './perf';

/**
 * Hits asked for at a time. The first page, which every keystroke waits for, fills a window a
 * few times over without reaching `LOAD_AHEAD` of its end (so it asks for nothing more at
 * once); the next ones, asked for while scrolling, are larger. At a million items the store
 * takes up to twice as long for 50 hits of a short prefix as for 20: each hit is ranked and
 * given its snippet.
 */
export const FIRST_SEARCH_PAGE = 25;
export const SEARCH_PAGE = 50;

/** How many hits a request from `offset` asks for. */
export function searchPageAt(offset: number): number {
  return offset === 0 ? FIRST_SEARCH_PAGE : SEARCH_PAGE;
}

/**
 * The fewest letters or digits of a last word searched: as you type, the last word is a
 * prefix, and the store's index keeps prefixes of three characters; it refuses a shorter
 * prefix that covers many words.
 */
export const SHORTEST_PREFIX = 3;

/** A last word of fewer than `SHORTEST_PREFIX` letters or digits (marks allowed), with what follows it up to the end. */
const SHORT_WORD_AT_END = new RegExp(
  `(^|[^\\p{L}\\p{N}\\p{M}])\\p{M}*(?:[\\p{L}\\p{N}]\\p{M}*){1,${SHORTEST_PREFIX - 1}}[^\\p{L}\\p{N}\\p{M}]*$`,
  'u',
);

/**
 * The words searched while the box reads `text`: trimmed, without a last word of fewer than
 * `SHORTEST_PREFIX` letters or digits. As you type, the last word is a prefix, and the index
 * has prefixes of three characters only: a shorter prefix matches most of the store, and the
 * store refuses it when it covers many words. So the last word is searched from its third
 * character on, and once it is left out, the word before it becomes the last, a prefix in
 * turn, under the same rule. Earlier words of any length are searched as whole words
 * (`de gaulle`), and a phrase closed by a quote as typed. Text with no letter or digit left
 * is nothing to search.
 */
export function searchedText(text: string): string {
  let s = text.trim();
  while (!(s.endsWith('"') && s.split('"').length % 2 === 1)) {
    const shorter = s.replace(SHORT_WORD_AT_END, '$1').trim();
    if (shorter === s) break;
    s = shorter;
  }
  // Quotes or signs alone are no words.
  return /[\p{L}\p{N}]/u.test(s) ? s : '';
}

export interface SearchParams {
  text: string;
  filter: FilterDto_Deserialize;
  from: string;
  to: string;
}

export interface SearchState {
  hits: SearchHitDto_Serialize[];
  elapsedMs: number | null;
  /** A request is in flight or waiting to leave. */
  loading: boolean;
  error: CommandError | null;
  /** More hits may follow (the last page was full). */
  more: boolean;
  /** The search box input (its `seq`) whose results are on screen. */
  shownSeq: number;
  /** When the answer of the first page on screen arrived (performance.now()), 0 before any. */
  answeredAt: number;
  /** Asks for the next page of the results on screen; does nothing while a request is under way or after an error. */
  loadMore(): void;
}

interface Request {
  /** Increasing: a later request has a larger id. */
  id: number;
  params: SearchParams;
  /** `JSON.stringify(params)`: which words and filters the answer is for. */
  key: string;
  offset: number;
  /** The search box input it answers. */
  seq: number;
}

export function useSearch(api: Api, params: SearchParams, seq = 0): SearchState {
  const [hits, setHits] = useState<SearchHitDto_Serialize[]>([]);
  const [elapsedMs, setElapsed] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [more, setMore] = useState(false);
  const [shownSeq, setShownSeq] = useState(0);
  const [answeredAt, setAnsweredAt] = useState(0);
  const lastId = useRef(0);
  /** The newest request whose answer (or clearing) is on screen: older answers are dropped. */
  const shownId = useRef(0);
  /** The words and filters of the hits on screen, and how many there are. */
  const shown = useRef({ key: '', count: 0, more: false, failed: false });
  const inFlight = useRef(false);
  const queued = useRef<Request | null>(null);
  const alive = useRef(true);
  const paramsRef = useRef(params);
  paramsRef.current = params;
  const seqRef = useRef(seq);
  seqRef.current = seq;
  const apiRef = useRef(api);
  apiRef.current = api;
  const searched = searchedText(params.text);
  const key = JSON.stringify({ ...params, text: searched });
  const keyRef = useRef(key);
  keyRef.current = key;
  /** The words and filters last asked for (or cleared). */
  const requestedKey = useRef<string | null>(null);

  const send = useCallback(async (first: Request) => {
    let r: Request | null = first;
    inFlight.current = true;
    while (r && alive.current) {
      const p = r.params;
      const sent = perfNow();
      const answer = await apiRef.current.search({
        text: searchedText(p.text),
        filter: p.filter,
        from: p.from || null,
        to: p.to || null,
        offset: r.offset,
        limit: searchPageAt(r.offset),
        asYouType: true,
      });
      const answered = perfNow();
      if (r.offset === 0 && answer.status !== 'error') measureRequest(sent, answered, answer.data.elapsedMs);
      if (alive.current && r.id > shownId.current) {
        shownId.current = r.id;
        if (answer.status === 'error') {
          setError(answer.error);
          shown.current = { ...shown.current, failed: true };
        } else {
          const page = answer.data.hits as SearchHitDto_Serialize[];
          const offset = r.offset;
          const full = page.length === searchPageAt(offset);
          shown.current = { key: r.key, count: offset + page.length, more: full, failed: false };
          setError(null);
          setHits((h) => (offset === 0 ? page : [...h, ...page]));
          if (offset === 0) setAnsweredAt(answered);
          setElapsed(answer.data.elapsedMs);
          setMore(full);
        }
        // The inputs typed since that left the searched words as they were are answered too.
        setShownSeq(r.key === keyRef.current ? Math.max(r.seq, seqRef.current) : r.seq);
      }
      r = queued.current;
      queued.current = null;
    }
    inFlight.current = false;
    if (alive.current) setLoading(false);
  }, []);

  const request = useCallback(
    (offset: number) => {
      const r: Request = { id: ++lastId.current, params: paramsRef.current, key: keyRef.current, offset, seq: seqRef.current };
      setLoading(true);
      if (inFlight.current) queued.current = r;
      else void send(r);
    },
    [send],
  );

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  useEffect(() => {
    if (key === requestedKey.current) {
      // The same words as already asked for: the results on screen answer this input too,
      // or those on their way will.
      if (!inFlight.current) setShownSeq(seqRef.current);
      return;
    }
    requestedKey.current = key;
    if (searchedText(paramsRef.current.text) === '') {
      // Nothing to ask; any answer still on its way is for words no longer there.
      shownId.current = ++lastId.current;
      queued.current = null;
      shown.current = { key: '', count: 0, more: false, failed: false };
      setHits([]);
      setElapsed(null);
      setLoading(false);
      setError(null);
      setMore(false);
      setShownSeq(seqRef.current);
      return;
    }
    request(0);
  }, [key, seq, request]);

  const loadMore = useCallback(() => {
    const s = shown.current;
    // Only the next page of what is on screen, once: never while the words are changing.
    if (inFlight.current || queued.current || !s.more || s.failed || s.key !== keyRef.current) return;
    request(s.count);
  }, [request]);
  return { hits, elapsedMs, loading, error, more, shownSeq, answeredAt, loadMore };
}
