import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeystrokeLatency, MARK, afterPaint, markOnce, measureRequest, measureSettled } from './perf';

describe('keystroke latency', () => {
  it('settles, for a paint of input n, every keystroke up to n and only those', () => {
    const l = new KeystrokeLatency();
    l.keystroke(1, 10);
    l.keystroke(2, 20);
    l.keystroke(3, 30);
    expect(l.settle(2)).toEqual([
      { seq: 1, t: 10 },
      { seq: 2, t: 20 },
    ]);
    expect(l.waiting).toBe(1);
    // Settled once only: painting input 2 again settles nothing.
    expect(l.settle(2)).toEqual([]);
    l.keystroke(4, 40);
    expect(l.settle(4)).toEqual([
      { seq: 3, t: 30 },
      { seq: 4, t: 40 },
    ]);
    expect(l.waiting).toBe(0);
  });

  it('settles nothing for a paint older than every pending keystroke', () => {
    const l = new KeystrokeLatency();
    l.keystroke(5, 50);
    expect(l.settle(4)).toEqual([]);
    expect(l.waiting).toBe(1);
  });

  it('measures search:latency from each settled keystroke to the paint', () => {
    const measure = vi.spyOn(performance, 'measure').mockImplementation(() => undefined as unknown as PerformanceMeasure);
    const l = new KeystrokeLatency();
    l.keystroke(1, 100);
    l.keystroke(2, 150);
    l.keystroke(3, 180);
    measureSettled(l, 2, 190);
    expect(measure.mock.calls).toEqual([
      [MARK.searchLatency, { start: 100, end: 190 }],
      [MARK.searchLatency, { start: 150, end: 190 }],
    ]);
  });

  it('splits a request into its way there and back and the backend\'s own time', () => {
    const measure = vi.spyOn(performance, 'measure').mockImplementation(() => undefined as unknown as PerformanceMeasure);
    measureRequest(100, 160, 45);
    // A backend that reports more than the whole request (clocks apart) starts no earlier than it.
    measureRequest(200, 210, 30);
    expect(measure.mock.calls).toEqual([
      [MARK.searchRequest, { start: 100, end: 160 }],
      [MARK.searchBackend, { start: 115, end: 160 }],
      [MARK.searchRequest, { start: 200, end: 210 }],
      [MARK.searchBackend, { start: 200, end: 210 }],
    ]);
  });
});

describe('after paint', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('waits for the task after the next animation frame, and can be cancelled', () => {
    vi.useFakeTimers();
    try {
      const frames: FrameRequestCallback[] = [];
      vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
      vi.stubGlobal('cancelAnimationFrame', () => undefined);
      const done = vi.fn();
      afterPaint(done);
      vi.runAllTimers();
      expect(done).not.toHaveBeenCalled();
      frames.shift()?.(0);
      // The frame's callback ran; the paint follows it in the same task.
      expect(done).not.toHaveBeenCalled();
      vi.runAllTimers();
      expect(done).toHaveBeenCalledTimes(1);

      const beforeFrame = vi.fn();
      const cancelBefore = afterPaint(beforeFrame);
      cancelBefore();
      frames.shift()?.(16);
      vi.runAllTimers();
      expect(beforeFrame).not.toHaveBeenCalled();

      const afterFrame = vi.fn();
      const cancelAfter = afterPaint(afterFrame);
      frames.shift()?.(32);
      cancelAfter();
      vi.runAllTimers();
      expect(afterFrame).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('markOnce', () => {
  it('keeps the first moment of a mark set several times', async () => {
    const name = 'test:once';
    performance.clearMarks(name);
    markOnce(name);
    const first = performance.getEntriesByName(name, 'mark')[0]?.startTime;
    await new Promise((r) => setTimeout(r, 5));
    markOnce(name);
    const marks = performance.getEntriesByName(name, 'mark');
    expect(marks).toHaveLength(1);
    expect(marks[0]?.startTime).toBe(first);
  });
});
