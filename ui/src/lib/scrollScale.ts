// A list of rows of one height taller than a browser can lay out, drawn at a height it can.
//
// WebKit (the app runs in WebKitGTK) holds layout sizes in 32-bit units of 1/64 px, so it
// places nothing below about 33,554,431 px; Firefox stops at about 17,895,697 px. A profile
// of a million items makes tabs of 600,000 rows of 60 px, 36,000,000 px, whose last rows
// could not be reached or were drawn in the wrong place. Such a list is drawn
// `MAX_LIST_HEIGHT` tall, and its scroll offset (physical) is mapped to a place in the whole
// list (virtual):
//
// - at rest, by a fixed mapping (`restingVirtual`, `restingPhysical`): one to one over the
//   first and the last `EDGE_SPAN` px, linear in between, so that the scroll bar's thumb
//   shows where the view is, and the top and the bottom of the scroll range are the first
//   and the last row;
// - while scrolling, by moves (`follow`): the view moves as far as the scroll offset did
//   (wheel, keys, a slow drag: rows stay where the eye expects them), as long as it stays
//   within `SMOOTH_SPAN` px of scrolling from where the fixed mapping puts it, a margin that
//   narrows to nothing at both ends of the range. A longer move (a drag of the thumb, a long
//   fling) is held within that margin, so the ends of the scroll range are the ends of the
//   list;
// - when scrolling stops, the scroll offset goes back where the fixed mapping has the view
//   (`settle`): nothing moves on screen, and the next moves have their margin again.
//
// A list no taller than `MAX_LIST_HEIGHT` is not scaled: both offsets are one.

/**
 * The tallest a list is drawn, in px: well under what WebKit (about 33,554,431 px) and
 * Firefox (about 17,895,697 px) can lay out, so that no row, with its offset, comes near
 * their limit. A list of more rows is scaled to this height.
 */
export const MAX_LIST_HEIGHT = 8_000_000;

/** How far (px of scrolling) a scaled list follows the scroll offset one to one from where it rests. */
export const SMOOTH_SPAN = 20_000;

/** The px at each end of a scaled list whose scroll offset is their own (no scaling there). */
export const EDGE_SPAN = 100_000;

/** The geometry of a list: its rows, their height, the viewport's, and how it is scaled. */
export interface Scale {
  count: number;
  rowHeight: number;
  viewport: number;
  /** The height the list is drawn at (px). */
  height: number;
  /** The largest scroll offset of the list drawn. */
  maxPhysical: number;
  /** The largest scroll offset of the whole list (its natural height less the viewport). */
  maxVirtual: number;
  /** The list is taller than `MAX_LIST_HEIGHT`: both offsets differ. */
  scaled: boolean;
  /** The span at each end scrolled one to one (0 when not scaled). */
  edge: number;
}

/** A scroll position: the element's scroll offset and the offset in the whole list it shows. */
export interface ScrollPosition {
  physical: number;
  virtual: number;
}

export function scaleFor(count: number, rowHeight: number, viewport: number, maxHeight = MAX_LIST_HEIGHT): Scale {
  const natural = Math.max(0, count) * rowHeight;
  const height = Math.min(natural, maxHeight);
  const maxPhysical = Math.max(0, height - viewport);
  const maxVirtual = Math.max(0, natural - viewport);
  const scaled = natural > maxHeight && maxPhysical > 0;
  const edge = scaled ? Math.min(EDGE_SPAN, Math.floor(maxPhysical / 4)) : 0;
  return { count, rowHeight, viewport, height, maxPhysical, maxVirtual, scaled, edge };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Maps `[0, fromMax]` onto `[0, toMax]`: one to one over `edge` at both ends, linearly in between. */
function edgeLinear(x: number, fromMax: number, toMax: number, edge: number): number {
  const t = clamp(x, 0, fromMax);
  if (t <= edge) return t;
  if (t >= fromMax - edge) return toMax - (fromMax - t);
  return edge + ((t - edge) * (toMax - 2 * edge)) / (fromMax - 2 * edge);
}

/** The place in the whole list shown at rest at scroll offset `physical`. */
export function restingVirtual(physical: number, s: Scale): number {
  return s.scaled ? edgeLinear(physical, s.maxPhysical, s.maxVirtual, s.edge) : physical;
}

/** The scroll offset at which `virtual` is shown at rest (the inverse of `restingVirtual`). */
export function restingPhysical(virtual: number, s: Scale): number {
  return s.scaled ? edgeLinear(virtual, s.maxVirtual, s.maxPhysical, s.edge) : virtual;
}

/**
 * The places in the whole list the scroll offset `physical` may show: those shown at rest
 * within `SMOOTH_SPAN` px of it, a margin that narrows to nothing at both ends of the range
 * (the first row at the top, the last at the bottom).
 */
export function band(physical: number, s: Scale): [number, number] {
  if (!s.scaled) return [physical, physical];
  const p = clamp(physical, 0, s.maxPhysical);
  const margin = Math.min(SMOOTH_SPAN, p, s.maxPhysical - p);
  return [restingVirtual(p - margin, s), restingVirtual(p + margin, s)];
}

/**
 * Where the list is once the element scrolled from `from` to `physical`: moved as far as
 * the scroll offset, within the band of the new offset. Past either end of the scroll range
 * (an elastic bounce, or something drawn after the list), the list stays at its end.
 */
export function follow(from: ScrollPosition, physical: number, s: Scale): ScrollPosition {
  if (!s.scaled) return { physical, virtual: physical };
  const p = clamp(physical, 0, s.maxPhysical);
  const [lo, hi] = band(p, s);
  return { physical: p, virtual: clamp(from.virtual + (p - from.physical), lo, hi) };
}

/**
 * The position showing `virtual` at rest: the scroll offset to write so that it shows the
 * same place (a whole number of px, the place within its band).
 */
export function settle(virtual: number, s: Scale): ScrollPosition {
  if (!s.scaled) {
    const v = clamp(virtual, 0, s.maxVirtual);
    return { physical: v, virtual: v };
  }
  const v = clamp(virtual, 0, s.maxVirtual);
  const physical = clamp(Math.round(restingPhysical(v, s)), 0, s.maxPhysical);
  const [lo, hi] = band(physical, s);
  return { physical, virtual: clamp(v, lo, hi) };
}

/** The top of the view in the whole list, scrolled to `physical` at position `at` (past the end of the list included). */
export function viewTop(at: ScrollPosition, physical: number): number {
  return at.virtual + (physical - at.physical);
}

/** Where a row is drawn (its top, in px from the top of the list drawn). */
export function rowTop(index: number, at: ScrollPosition, s: Scale): number {
  return index * s.rowHeight - (at.virtual - at.physical);
}

/** The first and last rows in a view from `top` (in the whole list), `overscan` more on each side; null without rows. */
export function visibleRows(top: number, s: Scale, overscan = 0): { first: number; last: number } | null {
  if (s.count <= 0) return null;
  const first = clamp(Math.floor(top / s.rowHeight), 0, s.count - 1);
  const last = clamp(Math.ceil((top + s.viewport) / s.rowHeight) - 1, first, s.count - 1);
  return { first: Math.max(0, first - overscan), last: Math.min(s.count - 1, last + overscan) };
}

/**
 * The top of the view in the whole list that brings row `index` into it, the least move
 * (a row below the view ends at its bottom, one above starts at its top); null when it is
 * in view already. The same choice as the virtual list's `scrollToIndex` with `auto`.
 */
export function offsetToShow(index: number, top: number, s: Scale): number | null {
  if (s.count <= 0) return null;
  const i = clamp(index, 0, s.count - 1);
  const start = i * s.rowHeight;
  const end = start + s.rowHeight;
  if (end >= top + s.viewport) return clamp(end - s.viewport, 0, s.maxVirtual);
  if (start <= top) return clamp(start, 0, s.maxVirtual);
  return null;
}
