import { describe, expect, it } from 'vitest';
import { missingPages, pageOf, pagesForRange, pagesToEvict, rowAt } from './paging';

describe('virtual list paging', () => {
  it('finds the pages of a visible range', () => {
    expect(pagesForRange(0, 30, 100_000, 200)).toEqual([0]);
    expect(pagesForRange(190, 215, 100_000, 200)).toEqual([0, 1]);
    // Scrolled to row 50,000 of 100,000 with 40 rows on screen.
    expect(pagesForRange(50_000, 50_039, 100_000, 200)).toEqual([250]);
    expect(pagesForRange(99_990, 100_020, 100_000, 200)).toEqual([499]);
  });

  it('asks nothing for an empty list or an empty range', () => {
    expect(pagesForRange(0, 10, 0, 200)).toEqual([]);
    expect(pagesForRange(10, 5, 1000, 200)).toEqual([]);
  });

  it('fetches only pages neither cached nor in flight', () => {
    expect(missingPages([3, 4, 5], new Set([3]), new Set([5]))).toEqual([4]);
    // At most two under way: one more may leave, then none.
    expect(missingPages([6, 7, 8], new Set(), new Set([5]), 2)).toEqual([6]);
    expect(missingPages([6, 7, 8], new Set(), new Set([5, 6]), 2)).toEqual([]);
  });

  it('drops the cached pages farthest from the view first', () => {
    expect(pagesToEvict([0, 1, 2, 50, 51, 99], [50, 51], 4)).toEqual([0, 1]);
    expect(pagesToEvict([0, 1], [0], 4)).toEqual([]);
    // Never the visible pages, even over the limit.
    expect(pagesToEvict([7, 8], [7, 8], 1)).toEqual([]);
  });

  it('reads a row from its page', () => {
    const pages = new Map([[1, ['a', 'b', 'c']]]);
    expect(pageOf(4, 3)).toBe(1);
    expect(rowAt(pages, 4, 3)).toBe('b');
    expect(rowAt(pages, 0, 3)).toBeUndefined();
  });
});
