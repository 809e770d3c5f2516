// Performance marks read by the benchmark (tests/src/bin/app-bench.rs). The names are a
// contract with it: `app:script`, `app:status`, `unlock:ready`, `unlock:warm`, `unlock:submit`,
// `unlock:answered`, `shell:committed`, `inbox:asked`, `inbox:answered`, `inbox:rows`,
// `inbox:painted` (marks) and the measures `search:latency` (from a keystroke in the search
// box to its results painted), `search:request` (a first page's request, from its departure to
// its answer), `search:backend` (the part of it the backend reports spending, ending at the
// answer) and `search:render` (from a first page's answer to its results painted).

export const MARK = {
  /** The interface's script starts running (the stages before the unlock screen). */
  script: 'app:script',
  /** The backend's first answer (app_status) arrived. */
  status: 'app:status',
  unlockReady: 'unlock:ready',
  /** The main screen's text styles are laid out, out of sight (`Warmup`). */
  unlockWarm: 'unlock:warm',
  unlockSubmit: 'unlock:submit',
  /** The backend answered the unlock (the key derived, the profile open). */
  unlockAnswered: 'unlock:answered',
  /** The main screen's first render is in the DOM (not yet laid out or painted). */
  shellCommitted: 'shell:committed',
  /** The inbox's first page was asked of the backend, and its answer arrived. */
  inboxAsked: 'inbox:asked',
  inboxAnswered: 'inbox:answered',
  /** The inbox's first rows were committed (painted after the next frame: `inbox:painted`). */
  inboxRows: 'inbox:rows',
  inboxPainted: 'inbox:painted',
  searchLatency: 'search:latency',
  searchRequest: 'search:request',
  searchBackend: 'search:backend',
  searchRender: 'search:render',
} as const;

/** Sets a mark unless one of that name is set already (the first of several moments). */
export function markOnce(name: string): void {
  try {
    if (globalThis.performance?.getEntriesByName?.(name, 'mark').length) return;
  } catch {
    return;
  }
  mark(name);
}

/** Sets a mark; a page without the Performance API (or a refusing one) is left alone. */
export function mark(name: string): void {
  try {
    globalThis.performance?.mark?.(name);
  } catch {
    // Measuring must never break the interface.
  }
}

function measure(name: string, start: number, end: number): void {
  try {
    globalThis.performance?.measure?.(name, { start, end });
  } catch {
    // As above.
  }
}

const now = () => globalThis.performance?.now?.() ?? Date.now();

/**
 * Calls `cb` once the frame after the current commit is painted: the animation frame's
 * callbacks run just before that frame's layout and paint, in the same task, so a task queued
 * from the callback runs once the frame is rendered. (Waiting for a second animation frame
 * instead counts up to one frame more than the paint.) Returns a cancel function.
 */
export function afterPaint(cb: () => void): () => void {
  let cancelled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (typeof requestAnimationFrame !== 'function') {
    timer = setTimeout(cb, 0);
    return () => clearTimeout(timer);
  }
  const id = requestAnimationFrame(() => {
    if (cancelled) return;
    timer = setTimeout(() => {
      if (!cancelled) cb();
    }, 0);
  });
  return () => {
    cancelled = true;
    cancelAnimationFrame(id);
    clearTimeout(timer);
  };
}

export interface Keystroke {
  /** The number of the input event in the search box (1, 2, …). */
  seq: number;
  /** When it happened (performance.now()). */
  t: number;
}

/**
 * The keystrokes in the search box whose results are not painted yet. Results painted for
 * input `n` settle every keystroke up to `n`: a later one still waits for its own.
 */
export class KeystrokeLatency {
  private pending: Keystroke[] = [];

  keystroke(seq: number, t: number): void {
    this.pending.push({ seq, t });
  }

  /** The keystrokes that a paint of the results for input `n` settles, removed from those pending. */
  settle(n: number): Keystroke[] {
    const settled = this.pending.filter((k) => k.seq <= n);
    this.pending = this.pending.filter((k) => k.seq > n);
    return settled;
  }

  get waiting(): number {
    return this.pending.length;
  }
}

/** Records a `search:latency` measure for every keystroke a paint of input `n` settles. */
export function measureSettled(latency: KeystrokeLatency, n: number, end = now()): void {
  for (const k of latency.settle(n)) measure(MARK.searchLatency, k.t, end);
}

/**
 * Records a search request that left at `sent` and was answered at `answered`, of which the
 * backend reports `backendMs`: the difference is the request's way there and back (the IPC,
 * the serialisation of the hits).
 */
export function measureRequest(sent: number, answered: number, backendMs: number): void {
  measure(MARK.searchRequest, sent, answered);
  measure(MARK.searchBackend, Math.max(sent, answered - backendMs), answered);
}

/** Records the render of search results whose answer arrived at `answered`, painted now. */
export function measureRender(answered: number, end = now()): void {
  measure(MARK.searchRender, answered, end);
}

export { now as perfNow };
