// A virtual list of rows of one height, of any length. Up to `MAX_LIST_HEIGHT` px it is the
// `@tanstack/react-virtual` virtualizer as it is. A taller list (a tab of a profile of a
// million items) cannot be laid out at its natural height: it is drawn `MAX_LIST_HEIGHT`
// tall, the virtualizer is set aside, and the rows in view are placed here from the scroll
// offset mapped onto the whole list (`scrollScale`).
//
// The height is one for all rows but may change (it follows the text: `useRowHeight`): the
// row at the top of the view then stays there, and a list may become scaled, or stop being.

import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';
import { useVirtualizer } from '@tanstack/react-virtual';
import { band, follow, offsetToShow, rowTop, scaleFor, settle, viewTop, visibleRows, type Scale, type ScrollPosition } from './scrollScale';

/** How long the scroll offset of a scaled list stays still before it is put back where the list rests (ms). */
const SETTLE_DELAY_MS = 150;

/** A row to draw: `start` is its top in the rows' container, `size` its height. */
export interface ListRow {
  index: number;
  key: number | string | bigint;
  start: number;
  size: number;
}

export interface RowList {
  rows: ListRow[];
  /** The height to give the rows' container. */
  height: number;
  /** Scrolls the least that brings row `index` into view. */
  scrollToIndex(index: number): void;
  /** Back to the first row. */
  scrollToTop(): void;
}

export function useRowList({
  count,
  rowHeight,
  overscan,
  scrollRef,
  initialHeight = 800,
}: {
  count: number;
  rowHeight: number;
  overscan: number;
  /** The scrolling element; the rows' container is its first child. */
  scrollRef: RefObject<HTMLElement | null>;
  /** The viewport's height until it is measured. */
  initialHeight?: number;
}): RowList {
  const [viewport, setViewport] = useState(initialHeight);
  const scale = scaleFor(count, rowHeight, viewport);
  const scaled = scale.scaled;
  const scaleRef = useRef(scale);
  scaleRef.current = scale;
  /** The geometry now: the viewport as the element has it, which a render may not have caught up with. */
  const currentScale = useCallback((): Scale => {
    const s = scaleRef.current;
    const height = scrollRef.current?.clientHeight ?? 0;
    return height > 0 && height !== s.viewport ? scaleFor(s.count, s.rowHeight, height) : s;
  }, [scrollRef]);
  /** Where a scaled list is (null when the list is not scaled). */
  const pos = useRef<ScrollPosition | null>(null);
  /** The element's scroll offset as last read (past the end of the list included). */
  const raw = useRef(0);
  /** The rows drawn by the last render, and their shift: another render is due when they change. */
  const drawn = useRef('');
  const [, redraw] = useReducer((n: number) => n + 1, 0);

  // The list's place when the virtualizer takes it back from the scaled list.
  const resumeAt = useRef<number | null>(null);

  // A new row height: where the view starts, counted in rows, is kept (in px of the new
  // height, `anchorTo`, which the effect below scrolls to). A scaled list is placed there for
  // this render already.
  const heightWas = useRef(rowHeight);
  const anchorTo = useRef<number | null>(null);
  if (heightWas.current !== rowHeight) {
    const physical = scrollRef.current?.scrollTop ?? raw.current;
    const top = Math.max(0, pos.current ? viewTop(pos.current, physical) : physical);
    const to = (top / heightWas.current) * rowHeight;
    heightWas.current = rowHeight;
    anchorTo.current = to;
    if (scaled) {
      pos.current = settle(to, currentScale());
      raw.current = pos.current.physical;
    } else if (pos.current) {
      pos.current = null;
      resumeAt.current = to;
    }
  }

  if (!scaled && pos.current) resumeAt.current = pos.current.virtual;
  // The virtualizer keeps the rows' places while the options that key them are the same: a new
  // key function (the same keys) has it place them again at the new height.
  const getItemKey = useCallback((index: number) => index, [rowHeight]);
  const virtualizer = useVirtualizer({
    count: scaled ? 0 : count,
    enabled: !scaled,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    getItemKey,
    overscan,
    initialRect: { width: 600, height: initialHeight },
    initialOffset: () => resumeAt.current ?? 0,
  });

  /** Moves a scaled list to `target`, writing the element's scroll offset (held where the element put it). */
  const place = useCallback(
    (target: ScrollPosition) => {
      const el = scrollRef.current;
      if (!el) {
        pos.current = target;
        return;
      }
      if (Math.abs(el.scrollTop - target.physical) >= 0.5) el.scrollTop = target.physical;
      const read = el.scrollTop;
      raw.current = read;
      pos.current = Math.abs(read - target.physical) < 0.5 ? target : follow(target, read, currentScale());
    },
    [scrollRef, currentScale],
  );

  // After a new row height, the view goes where it started, in rows (see `anchorTo`).
  useLayoutEffect(() => {
    const to = anchorTo.current;
    if (to === null) return;
    anchorTo.current = null;
    if (scaleRef.current.scaled) {
      place(settle(to, currentScale()));
      redraw();
    } else if (Math.abs((scrollRef.current?.scrollTop ?? 0) - to) >= 0.5) {
      virtualizer.scrollToOffset(to);
    }
  }, [rowHeight, place, currentScale, scrollRef, virtualizer]);

  // The viewport's height, which the scaled mapping depends on.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!scaled || !el) return;
    const measure = () => setViewport(el.clientHeight > 0 ? el.clientHeight : initialHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [scaled, scrollRef, initialHeight]);

  // A list becoming scaled keeps the place it showed, at rest. A scaled list whose rows or
  // viewport change keeps its place and scroll offset while that place is within the new
  // band of the offset (nothing is written under a scrolling user), else it is put at rest
  // there (at the bottom of the range with rows added below, the new rows come within reach).
  useLayoutEffect(() => {
    if (!scaled) {
      pos.current = null;
      return;
    }
    const s = currentScale();
    const at = pos.current;
    if (at === null) {
      place(settle(scrollRef.current?.scrollTop ?? 0, s));
    } else {
      const [lo, hi] = band(at.physical, s);
      if (at.virtual < lo || at.virtual > hi) place(settle(at.virtual, s));
    }
    redraw();
  }, [scaled, scale.count, scale.viewport, scale.rowHeight, place, scrollRef, currentScale]);

  // The scroll events of a scaled list, and its return to rest once they stop.
  useEffect(() => {
    const el = scrollRef.current;
    if (!scaled || !el) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const rest = () => {
      const at = pos.current;
      if (!at) return;
      const target = settle(at.virtual, currentScale());
      if (Math.abs(target.physical - at.physical) < 1) return;
      // The rows move with the scroll offset, in the same frame: nothing moves on screen.
      place(target);
      flushSync(redraw);
    };
    const onScroll = () => {
      const read = el.scrollTop;
      raw.current = read;
      const s = currentScale();
      pos.current = follow(pos.current ?? { physical: read, virtual: read }, read, s);
      if (drawKey(pos.current, read, s, overscan) !== drawn.current) flushSync(redraw);
      clearTimeout(timer);
      timer = setTimeout(rest, SETTLE_DELAY_MS);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      el.removeEventListener('scroll', onScroll);
      clearTimeout(timer);
    };
  }, [scaled, scrollRef, overscan, place, currentScale]);

  const scrollToIndex = useCallback(
    (index: number) => {
      if (!scaleRef.current.scaled) {
        virtualizer.scrollToIndex(index, { align: 'auto' });
        return;
      }
      const s = currentScale();
      const at = pos.current ?? { physical: 0, virtual: 0 };
      const top = offsetToShow(index, viewTop(at, raw.current), s);
      if (top === null) return;
      place(settle(top, s));
      redraw();
    },
    [virtualizer, place, currentScale],
  );

  const scrollToTop = useCallback(() => {
    if (!scaleRef.current.scaled) {
      virtualizer.scrollToOffset(0);
      return;
    }
    place({ physical: 0, virtual: 0 });
    redraw();
  }, [virtualizer, place]);

  if (!scaled) {
    return { rows: virtualizer.getVirtualItems(), height: virtualizer.getTotalSize(), scrollToIndex, scrollToTop };
  }
  const now = currentScale();
  const at = pos.current ?? { physical: raw.current, virtual: raw.current };
  drawn.current = drawKey(at, raw.current, now, overscan);
  const range = visibleRows(viewTop(at, raw.current), now, overscan);
  const rows: ListRow[] = [];
  if (range) {
    for (let i = range.first; i <= range.last; i += 1) rows.push({ index: i, key: i, start: rowTop(i, at, now), size: rowHeight });
  }
  return { rows, height: now.height, scrollToIndex, scrollToTop };
}

/** What a render of a scaled list draws: its rows, and how far they are shifted. */
function drawKey(at: ScrollPosition, physical: number, s: Scale, overscan: number): string {
  const range = visibleRows(viewTop(at, physical), s, overscan);
  return `${range?.first}:${range?.last}:${at.virtual - at.physical}:${s.count}`;
}
