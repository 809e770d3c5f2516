import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderHook, waitFor } from '@testing-library/react';
import { INITIAL_INBOX } from '../components/Inbox';
import { fakeApi } from '../test/fakeApi';
import { inboxOver, many } from '../test/fakeInbox';
import { toFilterDto } from './filter';
import { forgetEarlyInbox, prefetchInbox, usePagedInbox } from './usePagedInbox';

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
