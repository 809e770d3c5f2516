import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { SyncStatusEvent_Serialize } from '../bindings';
import { fakeApi, ok, syncStatus } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { SyncStatus } from './SyncStatus';

/** A fake whose `SyncStatusEvent`s the test sends itself. */
function withEvents(overrides: Parameters<typeof fakeApi>[0] = {}) {
  let send: ((e: SyncStatusEvent_Serialize) => void) | null = null;
  const api = fakeApi({
    onSyncStatus: vi.fn(async (cb: (e: SyncStatusEvent_Serialize) => void) => {
      send = cb;
      return () => undefined;
    }),
    ...overrides,
  });
  const emit = (e: SyncStatusEvent_Serialize) => act(() => send?.(e));
  return { api, emit, ready: () => waitFor(() => expect(send).not.toBeNull()) };
}

describe('the sync status', () => {
  it('shows online, what waits to be sent and the last sync, the state announced politely', async () => {
    renderWith(<SyncStatus />, fakeApi({ syncStatus: vi.fn(async () => ok(syncStatus({ pending: 3 }))) }));
    const state = await screen.findByTestId('sync-state');
    expect(state.textContent).toBe('en ligne');
    expect(state.closest('[role="status"]')?.getAttribute('aria-live')).toBe('polite');
    expect(screen.getByTestId('sync-status').getAttribute('data-state')).toBe('online');
    expect(screen.getByTestId('sync-pending').textContent).toBe('En attente d’envoi : 3');
    expect(screen.getByTestId('sync-last').textContent).toMatch(/^Dernière synchronisation : /);
    expect(screen.getByTestId('sync-now').textContent).toBe('Synchroniser');
    expect(screen.queryByTestId('sync-progress')).toBeNull();
  });

  it('says when no relay is joined, with no button', async () => {
    renderWith(<SyncStatus />, fakeApi());
    expect((await screen.findByTestId('sync-state')).textContent).toBe('aucun relais');
    expect(screen.queryByTestId('sync-now')).toBeNull();
    expect(screen.queryByTestId('sync-pending')).toBeNull();
  });

  it('syncs when asked; an unreachable relay is "hors ligne", never an alert', async () => {
    const syncNow = vi.fn(async () => ok(syncStatus({ state: 'offline', pending: 1 })));
    renderWith(<SyncStatus />, fakeApi({ syncStatus: vi.fn(async () => ok(syncStatus())), syncNow }));
    fireEvent.click(await screen.findByTestId('sync-now'));
    await waitFor(() => expect(screen.getByTestId('sync-state').textContent).toBe('hors ligne'));
    expect(syncNow).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('sync-status').getAttribute('data-state')).toBe('offline');
    expect(screen.getByTestId('sync-pending').textContent).toBe('En attente d’envoi : 1');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('follows the background sync: a catch-up shows its progress bar, the end its state', async () => {
    const { api, emit, ready } = withEvents({ syncStatus: vi.fn(async () => ok(syncStatus())) });
    renderWith(<SyncStatus />, api);
    await screen.findByTestId('sync-state');
    await ready();
    emit({ status: syncStatus({ syncing: true, progress: { space: 'Poste de Berlin', done: 250, total: 1000 } }) });
    const bar = screen.getByTestId('sync-progress') as HTMLProgressElement;
    expect(bar.max).toBe(1000);
    expect(bar.value).toBe(250);
    expect(screen.getByLabelText('Rattrapage de « Poste de Berlin » : 250 sur 1000')).toBe(bar);
    expect(screen.getByTestId('sync-now').getAttribute('aria-busy')).toBe('true');
    expect(screen.getByTestId('sync-now').textContent).toBe('Synchronisation…');
    emit({ status: syncStatus({ state: 'offline' }) });
    expect(screen.queryByTestId('sync-progress')).toBeNull();
    expect(screen.getByTestId('sync-state').textContent).toBe('hors ligne');
  });

  it('says why a sync that reached the relay failed, in the user’s language', async () => {
    const failed = syncStatus({ state: 'error', error: { kind: 'relay_refused', message: 'the relay refused (500): full', field: null, detail: null } });
    renderWith(<SyncStatus />, fakeApi({ syncStatus: vi.fn(async () => ok(failed)) }), 'en');
    expect((await screen.findByTestId('sync-state')).textContent).toBe('sync error');
    const error = screen.getByTestId('sync-error');
    expect(error.textContent).toBe('The relay refused (the relay refused (500): full).');
    expect(within(error.closest('[role="status"]') as HTMLElement).getByTestId('sync-state')).toBeTruthy();
  });
});
