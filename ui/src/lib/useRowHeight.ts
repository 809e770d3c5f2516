// The height of the rows of a virtual list, taken from a probe: a row of the same classes and
// the tallest content shape, laid out out of sight. Rows of one list have one height, so that
// a million of them are placed without measuring each; that height follows the text (a larger
// font, the zoom, a user's style sheet with more line or letter spacing, WCAG 1.4.12), so
// that no row cuts its text.

import { useLayoutEffect, useState, type RefObject } from 'react';

/** Reads the height of a probe row (CSS px); 0 where nothing is laid out. */
export type MeasureRow = (probe: HTMLElement) => number;

/** The probe's border box, as laid out. */
export const borderBoxHeight: MeasureRow = (probe) => probe.getBoundingClientRect().height;

/** The row height for a probe `measured` px tall: whole px, never under `least`. */
export function rowHeightFor(measured: number, least: number): number {
  if (!Number.isFinite(measured) || measured <= least) return least;
  // A hundredth of a px of rounding is not a pixel more.
  return Math.ceil(measured - 0.01);
}

/**
 * The height of the rows whose probe row is the first child of `holder` (which keeps it out of
 * sight): measured once laid out, and again whenever the probe's size changes (font size,
 * style sheet, fonts loaded) or the window's (zoom).
 */
export function useRowHeight(holder: RefObject<HTMLElement | null>, least: number, measure: MeasureRow = borderBoxHeight): number {
  const [height, setHeight] = useState(least);
  useLayoutEffect(() => {
    const el = holder.current?.firstElementChild;
    if (!(el instanceof HTMLElement)) return;
    let live = true;
    const update = () => {
      if (live) setHeight(rowHeightFor(measure(el), least));
    };
    update();
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(update);
    observer?.observe(el);
    window.addEventListener('resize', update);
    void document.fonts?.ready.then(update);
    return () => {
      live = false;
      observer?.disconnect();
      window.removeEventListener('resize', update);
    };
  }, [holder, least, measure]);
  return height;
}
