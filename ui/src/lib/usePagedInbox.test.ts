import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderHook, waitFor } from '@testing-library/react';
import { INITIAL_INBOX } from '../components/Inbox';
import { fakeApi } from '../test/fakeApi';
import { inboxOver, many } from '../test/fakeInbox';
import { toFilterDto } from './filter';
import { forgetEarlyInbox, prefetchInbox, usePagedInbox } from './usePagedInbox';
import { MAX_PAGES_IN_FLIGHT } from './paging';
import type { InboxRequestDto_Deserialize } from '../bindings';
import { act } from '@testing-library/react';

const filter = toFilterDto(INITIAL_INBOX.filter, INITIAL_INBOX.section);

afterEach(() => {
  forgetEarlyInbox();
  vi.useRealTimers();
});

describe('the inbox asked for ahead', () => {
  it('is what the list shows first, with no second request for its counts and first page', async () => {
    const inbox = vi.fn(inboxOver(many(80, 'action')));
    const api = fakeApi({ inbox });
    prefetchInbox(api, filter);
    expect(inbox).toHaveBeenCalledTimes(2);
    const { result } = renderHook(() => usePagedInbox(api, filter, 0));
    await waitFor(() => expect(result.current.total).toBe(80));
    await waitFor(() => expect(result.current.counts?.action).toBe(80));
    expect(result.current.row(0)?.id).toBe('action-0');
    expect(inbox).toHaveBeenCalledTimes(2);
  });

  it('serves one list once: a list mounted again asks the backend', async () => {
    const inbox = vi.fn(inboxOver(many(10, 'action')));
    const api = fakeApi({ inbox });
    prefetchInbox(api, filter);
    const first = renderHook(() => usePagedInbox(api, filter, 0));
    await waitFor(() => expect(first.result.current.total).toBe(10));
    first.unmount();
    const second = renderHook(() => usePagedInbox(api, filter, 0));
    await waitFor(() => expect(second.result.current.total).toBe(10));
    expect(inbox).toHaveBeenCalledTimes(4);
  });

  it('is not used for another filter, nor once forgotten (locking) or left unclaimed too long', async () => {
    const inbox = vi.fn(inboxOver(many(10, 'action')));
    const api = fakeApi({ inbox });
    prefetchInbox(api, filter);
    const telegrams = { ...filter, kinds: ['telegram' as const] };
    const other = renderHook(() => usePagedInbox(api, telegrams, 0));
    await waitFor(() => expect(other.result.current.total).toBe(10));
    expect(inbox).toHaveBeenCalledTimes(4);
    other.unmount();

    prefetchInbox(api, filter);
    forgetEarlyInbox();
    const afterLock = renderHook(() => usePagedInbox(api, filter, 0));
    await waitFor(() => expect(afterLock.result.current.total).toBe(10));
    expect(inbox).toHaveBeenCalledTimes(8);
    afterLock.unmount();

    vi.useFakeTimers();
    prefetchInbox(api, filter);
    vi.advanceTimersByTime(5000);
    vi.useRealTimers();
    const late = renderHook(() => usePagedInbox(api, filter, 0));
    await waitFor(() => expect(late.result.current.total).toBe(10));
    expect(inbox).toHaveBeenCalledTimes(12);
  });
});

describe('a list scrolled faster than its pages come', () => {
  it('asks for a few pages at a time, and then for those on screen, not for those it passed', async () => {
    const backend = inboxOver(many(10_000, 'action'));
    // Answers wait until the test lets them go.
    const waiting: { offset: number; go: () => void }[] = [];
    const inbox = vi.fn(
      (req: InboxRequestDto_Deserialize) =>
        new Promise<Awaited<ReturnType<typeof backend>>>((resolve) => {
          waiting.push({ offset: req.offset, go: () => void backend(req).then(resolve) });
        }),
    );
    const api = fakeApi({ inbox });
    const pageSize = 100;
    const { result } = renderHook(() => usePagedInbox(api, filter, 0, pageSize));
    // The counts and the first page.
    await waitFor(() => expect(waiting).toHaveLength(2));
    await act(async () => {
      for (const w of waiting.splice(0)) w.go();
    });
    await waitFor(() => expect(result.current.total).toBe(10_000));
    const pagesAsked = () => inbox.mock.calls.map(([r]) => r).filter((r) => r.limit === pageSize).map((r) => r.offset / pageSize);
    expect(pagesAsked()).toEqual([0]);

    // Dragged down a page a frame, while no answer comes.
    act(() => {
      for (let first = 100; first < 9_000; first += 100) result.current.showRange(first, first + 30);
    });
    expect(waiting.length).toBeLessThanOrEqual(MAX_PAGES_IN_FLIGHT);
    expect(pagesAsked()).toEqual([0, 1, 2]);
    // Stopped near the bottom: what comes back asks for the pages now on screen, and only those.
    act(() => result.current.showRange(9_950, 9_980));
    await act(async () => {
      for (const w of waiting.splice(0)) w.go();
    });
    await waitFor(() => expect(pagesAsked()).toEqual([0, 1, 2, 99]));
    await act(async () => {
      for (const w of waiting.splice(0)) w.go();
    });
    await waitFor(() => expect(result.current.row(9_950)?.id).toBe('action-9950'));
    expect(result.current.row(5_000)).toBeUndefined();
  });
});
