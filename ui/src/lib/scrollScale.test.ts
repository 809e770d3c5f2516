import { describe, expect, it } from 'vitest';
import {
  EDGE_SPAN,
  MAX_LIST_HEIGHT,
  SMOOTH_SPAN,
  band,
  follow,
  offsetToShow,
  restingPhysical,
  restingVirtual,
  rowTop,
  scaleFor,
  settle,
  viewTop,
  visibleRows,
  type Scale,
  type ScrollPosition,
} from './scrollScale';

const ROW = 60;
const VIEW = 800;
/** The most rows of 60 px drawn at their natural height. */
const LARGEST_UNSCALED = Math.floor(MAX_LIST_HEIGHT / ROW);
const TOTALS = [0, 1, LARGEST_UNSCALED, LARGEST_UNSCALED + 1, MAX_LIST_HEIGHT - 1, 1_000_000, 10_000_000];

/** The rows in view (no overscan) at a scroll position, with where each is drawn on screen. */
function onScreen(at: ScrollPosition, physical: number, s: Scale) {
  const range = visibleRows(viewTop(at, physical), s);
  if (!range) return [];
  const rows = [];
  for (let i = range.first; i <= range.last; i += 1) rows.push({ index: i, y: rowTop(i, at, s) - physical });
  return rows;
}

/** Scrolls from `at` to `physical` in steps of `step` px, as wheel or keys do. */
function scrollBySteps(at: ScrollPosition, physical: number, step: number, s: Scale): ScrollPosition {
  let pos = at;
  const sign = Math.sign(physical - at.physical);
  while (pos.physical !== physical) {
    const next = sign > 0 ? Math.min(physical, pos.physical + step) : Math.max(physical, pos.physical - step);
    pos = follow(pos, next, s);
  }
  return pos;
}

describe('a list scaled to a height the browser can lay out', () => {
  it('draws a list no taller than the cap as it is, offsets one to one', () => {
    for (const count of [0, 1, 200, LARGEST_UNSCALED]) {
      const s = scaleFor(count, ROW, VIEW);
      expect(s.scaled).toBe(false);
      expect(s.height).toBe(count * ROW);
      for (const p of [0, 1, 1234.5, s.maxPhysical]) {
        expect(restingVirtual(p, s)).toBe(p);
        expect(restingPhysical(p, s)).toBe(p);
        expect(follow({ physical: 0, virtual: 0 }, p, s)).toEqual({ physical: p, virtual: p });
        expect(rowTop(3, { physical: p, virtual: p }, s)).toBe(3 * ROW);
      }
    }
    expect(visibleRows(0, scaleFor(0, ROW, VIEW))).toBeNull();
    expect(visibleRows(0, scaleFor(1, ROW, VIEW))).toEqual({ first: 0, last: 0 });
  });

  it('caps the height of a taller list, whatever its total', () => {
    for (const count of [LARGEST_UNSCALED + 1, MAX_LIST_HEIGHT - 1, 1_000_000, 10_000_000]) {
      const s = scaleFor(count, ROW, VIEW);
      expect(s.scaled).toBe(true);
      expect(s.height).toBe(MAX_LIST_HEIGHT);
      expect(s.maxPhysical).toBe(MAX_LIST_HEIGHT - VIEW);
      expect(s.maxVirtual).toBe(count * ROW - VIEW);
      expect(s.edge).toBe(EDGE_SPAN);
    }
  });

  it('maps offsets both ways, from end to end, in order', () => {
    for (const count of TOTALS) {
      const s = scaleFor(count, ROW, VIEW);
      expect(restingVirtual(0, s)).toBe(0);
      expect(restingVirtual(s.maxPhysical, s)).toBe(s.maxVirtual);
      expect(restingPhysical(0, s)).toBe(0);
      expect(restingPhysical(s.maxVirtual, s)).toBe(s.maxPhysical);
      let before = -1;
      for (let k = 0; k <= 1000; k += 1) {
        const p = (s.maxPhysical * k) / 1000;
        const v = restingVirtual(p, s);
        expect(v).toBeGreaterThanOrEqual(before);
        expect(restingPhysical(v, s)).toBeCloseTo(p, 3);
        before = v;
      }
    }
  });

  it('reaches the first and the last row at the ends of the scroll range, placed at the top and the bottom', () => {
    for (const count of TOTALS.filter((n) => n > 0)) {
      const s = scaleFor(count, ROW, VIEW);
      // A drag of the thumb to the bottom in one move, then back to the top.
      const bottom = follow({ physical: 0, virtual: 0 }, s.maxPhysical, s);
      expect(bottom.virtual).toBe(s.maxVirtual);
      const last = onScreen(bottom, s.maxPhysical, s).at(-1)!;
      expect(last.index).toBe(count - 1);
      expect(rowTop(count - 1, bottom, s) + ROW).toBe(s.height);
      const top = follow(bottom, 0, s);
      expect(top).toEqual({ physical: 0, virtual: 0 });
      expect(onScreen(top, 0, s)[0]).toEqual({ index: 0, y: 0 });
      if (!s.scaled) continue;
      // Past the ends of a scaled list's range (an elastic bounce), the list stays at its ends.
      expect(follow(bottom, s.maxPhysical + 50, s)).toEqual(bottom);
      expect(follow(top, -50, s)).toEqual(top);
    }
  });

  it('reaches the last row by wheel steps too, the view moving on as the offset does', () => {
    for (const count of [1_000_000, 10_000_000]) {
      const s = scaleFor(count, ROW, VIEW);
      // From the middle, settled, to the end of the range in steps of 100 px.
      const start = settle(s.maxVirtual / 2, s);
      const end = scrollBySteps(start, s.maxPhysical, 100, s);
      expect(end.virtual).toBe(s.maxVirtual);
      expect(onScreen(end, s.maxPhysical, s).at(-1)?.index).toBe(count - 1);
      // And back to the top.
      expect(scrollBySteps(end, 0, 100, s)).toEqual({ physical: 0, virtual: 0 });
    }
  });

  it('never moves the view backwards when the offset moves forwards', () => {
    for (const count of [LARGEST_UNSCALED + 1, 1_000_000, 10_000_000]) {
      const s = scaleFor(count, ROW, VIEW);
      for (const from of [0, 0.3, 0.5, 0.99].map((f) => settle(s.maxVirtual * f, s))) {
        let before = -Infinity;
        for (let k = 0; k <= 400; k += 1) {
          const p = (s.maxPhysical * k) / 400;
          const v = follow(from, p, s).virtual;
          expect(v).toBeGreaterThanOrEqual(before);
          before = v;
        }
      }
      // Step by step, forwards then backwards.
      let pos: ScrollPosition = { physical: 0, virtual: 0 };
      for (let p = 0; p <= s.maxPhysical; p += 997) {
        const next = follow(pos, p, s);
        expect(next.virtual).toBeGreaterThanOrEqual(pos.virtual);
        pos = next;
      }
      for (let p = pos.physical; p >= 0; p -= 997) {
        const next = follow(pos, p, s);
        expect(next.virtual).toBeLessThanOrEqual(pos.virtual);
        pos = next;
      }
    }
  });

  it('scrolls one to one within a screen, at rest anywhere in the list', () => {
    for (const count of [LARGEST_UNSCALED + 1, MAX_LIST_HEIGHT - 1, 1_000_000, 10_000_000]) {
      const s = scaleFor(count, ROW, VIEW);
      for (const f of [0, 0.001, 0.25, 0.5, 0.75, 0.999, 1]) {
        const at = settle(s.maxVirtual * f, s);
        // A few rows either way, and a screen, in steps of 1 px to a wheel's notch.
        for (const delta of [-VIEW, -3 * ROW, -ROW, -1, 1, ROW, 3 * ROW, VIEW]) {
          const p = at.physical + delta;
          if (p < 0 || p > s.maxPhysical) continue;
          for (const step of [1, 40, 120]) {
            const moved = scrollBySteps(at, p, step, s);
            expect(moved.virtual - at.virtual).toBeCloseTo(delta, 6);
          }
        }
        // Rows on screen are one row height apart.
        const rows = onScreen(at, at.physical, s);
        expect(rows.length).toBeGreaterThan(1);
        rows.slice(1).forEach((r, i) => expect(r.y - rows[i]!.y).toBe(ROW));
      }
    }
  });

  it('follows the offset one to one over the smooth span, then within its band', () => {
    const s = scaleFor(1_000_000, ROW, VIEW);
    const at = settle(s.maxVirtual / 2, s);
    const near = scrollBySteps(at, at.physical + SMOOTH_SPAN / 2, 100, s);
    expect(near.virtual - at.virtual).toBeCloseTo(SMOOTH_SPAN / 2, 6);
    const far = scrollBySteps(at, at.physical + 10 * SMOOTH_SPAN, 100, s);
    const [lo, hi] = band(far.physical, s);
    expect(far.virtual).toBeGreaterThanOrEqual(lo);
    expect(far.virtual).toBeLessThanOrEqual(hi);
    expect(far.virtual - at.virtual).toBeGreaterThan(10 * SMOOTH_SPAN);
    // At rest again, the same place with the scroll offset back where the mapping has it.
    const rested = settle(far.virtual, s);
    expect(rested.virtual).toBe(far.virtual);
    expect(Math.abs(rested.physical - restingPhysical(far.virtual, s))).toBeLessThanOrEqual(0.5);
  });

  it('scrolls the first and the last rows of a scaled list one to one, as if not scaled', () => {
    const s = scaleFor(1_000_000, ROW, VIEW);
    for (let p = 0; p <= EDGE_SPAN; p += 7919) expect(restingVirtual(p, s)).toBe(p);
    for (let p = s.maxPhysical; p >= s.maxPhysical - EDGE_SPAN; p -= 7919) expect(s.maxVirtual - restingVirtual(p, s)).toBe(s.maxPhysical - p);
  });

  it('brings a row into view with the least move, at the top or at the bottom of the view', () => {
    for (const count of [1, 50, 1_000_000, 10_000_000]) {
      const s = scaleFor(count, ROW, VIEW);
      const last = count - 1;
      // End: the last row at the bottom; Home: the first at the top.
      const end = offsetToShow(last, 0, s);
      expect(end).toBe(count * ROW > VIEW ? s.maxVirtual : 0);
      const atEnd = settle(end ?? 0, s);
      const rows = onScreen(atEnd, atEnd.physical, s);
      expect(rows.at(-1)).toEqual({ index: last, y: Math.min(VIEW, count * ROW) - ROW });
      expect(offsetToShow(0, atEnd.virtual, s)).toBe(0);
    }
    const s = scaleFor(1_000_000, ROW, VIEW);
    const top = 500_000 * ROW;
    expect(offsetToShow(500_005, top, s)).toBeNull();
    expect(offsetToShow(500_000 + 13, top, s)).toBe((500_000 + 14) * ROW - VIEW);
    expect(offsetToShow(499_999, top, s)).toBe(499_999 * ROW);
    // Written, the scroll offset shows that row where it was asked for.
    const at = settle(499_999 * ROW, s);
    expect(onScreen(at, at.physical, s)[0]).toEqual({ index: 499_999, y: 0 });
  });

  it('keeps every row drawn within the capped height', () => {
    for (const count of [1_000_000, 10_000_000]) {
      const s = scaleFor(count, ROW, VIEW);
      for (const f of [0, 0.1, 0.5, 0.9, 1]) {
        const at = settle(s.maxVirtual * f, s);
        const range = visibleRows(viewTop(at, at.physical), s, 12)!;
        for (const i of [range.first, range.last]) {
          expect(rowTop(i, at, s)).toBeGreaterThanOrEqual(0);
          expect(rowTop(i, at, s) + ROW).toBeLessThanOrEqual(s.height);
        }
      }
    }
  });
});

describe('a list whose row height follows its text', () => {
  it('reaches its first and last rows, one row height apart, whatever that height', () => {
    // 60 px and the heights larger text may give, with 1,000,000 rows (scaled at each).
    for (const h of [60, 66, 91, 137]) {
      const s = scaleFor(1_000_000, h, VIEW);
      expect(s.scaled).toBe(true);
      expect(s.height).toBe(MAX_LIST_HEIGHT);
      expect(s.maxVirtual).toBe(1_000_000 * h - VIEW);
      // End: the last row at the bottom of the view, drawn within the capped height.
      const atEnd = settle(offsetToShow(999_999, 0, s)!, s);
      expect(atEnd.physical).toBe(s.maxPhysical);
      const rows = onScreen(atEnd, atEnd.physical, s);
      expect(rows.at(-1)).toEqual({ index: 999_999, y: VIEW - h });
      rows.slice(1).forEach((r, i) => expect(r.y - rows[i]!.y).toBe(h));
      expect(rowTop(999_999, atEnd, s) + h).toBe(MAX_LIST_HEIGHT);
      // A row in the middle, at the top of the view once brought there.
      const at = settle(offsetToShow(543_210, 0, s)! + VIEW - h, s);
      expect(onScreen(at, at.physical, s)[0]).toEqual({ index: 543_210, y: 0 });
    }
  });

  it('is scaled from the row height at which it passes the cap', () => {
    const count = 130_000;
    expect(scaleFor(count, 60, VIEW).scaled).toBe(false);
    expect(scaleFor(count, 60, VIEW).height).toBe(count * 60);
    expect(scaleFor(count, 75, VIEW).scaled).toBe(true);
    expect(scaleFor(count, 75, VIEW).height).toBe(MAX_LIST_HEIGHT);
  });
});
