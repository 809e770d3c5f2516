// Performance marks read by the benchmark (tests/src/bin/app-bench.rs). The names are a
// contract with it: `app:script`, `app:status`, `unlock:ready`, `unlock:warm`, `unlock:submit`,
// `unlock:answered`, `shell:committed`, `inbox:asked`, `inbox:answered`, `inbox:rows`,
// `inbox:painted` (marks) and
// `search:latency` (a measure from a keystroke in the search box to its results painted).

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
  /** The inbox's first rows were committed (painted two frames later: `inbox:painted`). */
  inboxRows: 'inbox:rows',
  inboxPainted: 'inbox:painted',
  searchLatency: 'search:latency',
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
 * Calls `cb` once the frame after the current commit is painted: the first animation frame
 * comes before that paint, the second after it. Returns a cancel function.
 */
export function afterPaint(cb: () => void): () => void {
  let id = 0;
  let cancelled = false;
  if (typeof requestAnimationFrame !== 'function') {
    const timer = setTimeout(cb, 0);
    return () => clearTimeout(timer);
  }
  id = requestAnimationFrame(() => {
    if (cancelled) return;
    id = requestAnimationFrame(() => {
      if (!cancelled) cb();
    });
  });
  return () => {
    cancelled = true;
    cancelAnimationFrame(id);
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

export { now as perfNow };
