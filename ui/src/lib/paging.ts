// The paging of a virtualised list, as pure functions: which pages a visible range needs,
// which of them still have to be fetched, and which cached pages to drop.

export const PAGE_SIZE = 200;
/** Pages kept in memory (about 6,000 rows); the farthest from the view go first. */
export const MAX_CACHED_PAGES = 30;

/**
 * Pages asked of the backend at once. A list dragged from its top to its bottom passes a new
 * page at every frame: asking for each would queue hundreds of requests (the backend answers
 * them one after another), whose rows are off screen by the time they come and would still be
 * parsed and rendered. With a few at most, each answer asks next for the pages then on screen.
 */
export const MAX_PAGES_IN_FLIGHT = 2;

export function pageOf(index: number, pageSize = PAGE_SIZE): number {
  return Math.floor(index / pageSize);
}

/** The pages holding rows `start..=end` (clamped to `total` rows). */
export function pagesForRange(start: number, end: number, total: number, pageSize = PAGE_SIZE): number[] {
  if (total <= 0 || end < start) return [];
  const first = pageOf(Math.max(0, start), pageSize);
  const last = pageOf(Math.min(end, total - 1), pageSize);
  const pages: number[] = [];
  for (let p = first; p <= last; p += 1) pages.push(p);
  return pages;
}

/**
 * The pages of `needed` neither cached nor being fetched, as many as may leave now: at most
 * `maxInFlight` requests under way with those already in flight.
 */
export function missingPages(
  needed: number[],
  cached: ReadonlySet<number>,
  inFlight: ReadonlySet<number>,
  maxInFlight = Infinity,
): number[] {
  const room = Math.max(0, maxInFlight - inFlight.size);
  return needed.filter((p) => !cached.has(p) && !inFlight.has(p)).slice(0, room);
}

/** The cached pages to drop so that at most `max` remain, the farthest from `visible` first. */
export function pagesToEvict(cached: number[], visible: number[], max = MAX_CACHED_PAGES): number[] {
  if (cached.length <= max) return [];
  const lo = Math.min(...visible, Infinity);
  const hi = Math.max(...visible, -Infinity);
  const distance = (p: number) => (visible.length === 0 ? p : p < lo ? lo - p : p > hi ? p - hi : 0);
  const byDistance = [...cached].sort((a, b) => distance(b) - distance(a) || b - a);
  return byDistance.filter((p) => distance(p) > 0).slice(0, cached.length - max);
}

/** The row at `index`, if its page is cached. */
export function rowAt<T>(pages: ReadonlyMap<number, T[]>, index: number, pageSize = PAGE_SIZE): T | undefined {
  return pages.get(pageOf(index, pageSize))?.[index % pageSize];
}
