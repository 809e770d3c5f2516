import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { emailItem, fakeApi, SESSION, summary } from '../test/fakeApi';
import { inboxOver } from '../test/fakeInbox';
import { renderWith } from '../test/render';
import { Shell } from './Shell';

function narrowWindow(narrow: boolean) {
  vi.spyOn(window, 'matchMedia').mockImplementation(
    (query: string) =>
      ({
        matches: narrow && query.includes('max-width'),
        media: query,
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
      }) as unknown as MediaQueryList,
  );
}

const ITEMS = [summary('a1', { route: 'action' }), summary('a2', { route: 'action' })];
function renderShell() {
  const api = fakeApi({ inbox: vi.fn(inboxOver(ITEMS)), openItem: vi.fn(async (id: string) => emailItem(id)) });
  renderWith(<Shell session={SESSION} minChars={12} onLock={() => undefined} onLanguage={() => undefined} onSettingsChanged={() => undefined} openRequest={null} onOpenRequestDone={() => undefined} onBeforeLock={() => undefined} />, api);
  return api;
}

afterEach(() => vi.restoreAllMocks());

describe('the main layout', () => {
  it('reaches the contacts from the navigation', async () => {
    narrowWindow(false);
    const api = renderShell();
    fireEvent.click(screen.getByTestId('nav-contacts'));
    expect(await screen.findByTestId('contacts')).toBeTruthy();
    expect(screen.getByTestId('nav-contacts').getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(api.myCard).toHaveBeenCalled());
    expect(screen.queryByTestId('inbox-list')).toBeNull();
  });

  it('reaches the spaces from the navigation, whose foot shows the sync status', async () => {
    narrowWindow(false);
    const api = renderShell();
    const nav = screen.getByRole('navigation');
    expect((await within(nav).findByTestId('sync-state')).textContent).toBe('aucun relais');
    fireEvent.click(screen.getByTestId('nav-spaces'));
    expect(await screen.findByTestId('spaces')).toBeTruthy();
    expect(screen.getByTestId('nav-spaces').getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(api.spaces).toHaveBeenCalled());
  });

  it('shows the list and the reader side by side in a wide window', async () => {
    narrowWindow(false);
    renderShell();
    fireEvent.click((await screen.findAllByTestId('item-row'))[1]!);
    await waitFor(() => expect(screen.getByTestId('reader').dataset.id).toBe('a2'));
    expect(screen.getByTestId('inbox-list')).toBeTruthy();
    expect(screen.queryByTestId('reader-back')).toBeNull();
  });

  it('says politely what the reader beside the list opened: its kind and sender', async () => {
    narrowWindow(false);
    renderShell();
    const region = screen.getByTestId('reader-opened-status');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.getAttribute('role')).toBe('status');
    expect(region.textContent).toBe('');
    fireEvent.click((await screen.findAllByTestId('item-row'))[1]!);
    await waitFor(() => expect(region.textContent).toBe('Ouvert : Courriel formel de WASHINGTON'));
    // The focus stayed in the list.
    expect(screen.getByTestId('inbox-list').contains(document.activeElement) || document.activeElement === document.body).toBe(true);
    // The same words again for the next item: a new node, so that it is said again.
    const first = region.firstElementChild;
    fireEvent.click(screen.getAllByTestId('item-row')[0]!);
    await waitFor(() => expect(screen.getByTestId('reader').dataset.id).toBe('a1'));
    await waitFor(() => expect(region.firstElementChild).not.toBe(first));
    expect(region.textContent).toBe('Ouvert : Courriel formel de WASHINGTON');
  });

  it('shows the list OR the reader in a narrow window, with a way back', async () => {
    narrowWindow(true);
    renderShell();
    fireEvent.click((await screen.findAllByTestId('item-row'))[0]!);
    await waitFor(() => expect(screen.getByTestId('reader').dataset.id).toBe('a1'));
    expect(screen.queryByTestId('inbox-list')).toBeNull();
    fireEvent.click(screen.getByTestId('reader-back'));
    expect(await screen.findByTestId('inbox-list')).toBeTruthy();
    expect(screen.queryByTestId('reader')).toBeNull();

    // Escape goes back too.
    fireEvent.click((await screen.findAllByTestId('item-row'))[1]!);
    await screen.findByTestId('reader-back');
    act(() => {
      fireEvent.keyDown(document.body, { key: 'Escape' });
    });
    expect(await screen.findByTestId('inbox-list')).toBeTruthy();
  });

  it('in a narrow window, back from the reader puts the focus on the row the item was opened from', async () => {
    narrowWindow(true);
    renderShell();
    // The rows loaded, so that the arrow has a row to move to.
    await waitFor(() => expect(screen.getAllByTestId('item-row')).toHaveLength(2));
    const list = screen.getByTestId('inbox-list');
    list.focus();
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(list, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('reader').dataset.id).toBe('a2'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('reader-subject')));
    // Alone, the reader is still under the screen's title.
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Boîte de réception');
    act(() => {
      fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    });
    const back = await screen.findByTestId('inbox-list');
    // The list is mounted anew each time it comes back.
    const onRow = () => document.getElementById(screen.getByTestId('inbox-list').getAttribute('aria-activedescendant') ?? '')?.dataset.id;
    await waitFor(() => expect(onRow()).toBe('a2'));
    expect(document.activeElement).toBe(back);

    // The back button too, and going elsewhere and back does not return there again.
    fireEvent.click(screen.getAllByTestId('item-row')[1]!);
    fireEvent.click(await screen.findByTestId('reader-back'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('inbox-list')));
    await waitFor(() => expect(onRow()).toBe('a2'));
    fireEvent.click(screen.getByTestId('nav-settings'));
    fireEvent.click(screen.getByTestId('nav-inbox'));
    await waitFor(() => expect(onRow()).toBe('a1'));
  });

  it('imports files dropped on the window', async () => {
    narrowWindow(false);
    let drop: ((paths: string[]) => void) | undefined;
    const api = fakeApi({
      onDrop: vi.fn(async (cb) => {
        drop = cb;
        return () => undefined;
      }),
    });
    renderWith(<Shell session={SESSION} minChars={12} onLock={() => undefined} onLanguage={() => undefined} onSettingsChanged={() => undefined} openRequest={null} onOpenRequestDone={() => undefined} onBeforeLock={() => undefined} />, api);
    await waitFor(() => expect(drop).toBeDefined());
    act(() => drop?.(['/tmp/a.eml']));
    await waitFor(() => expect(api.importEml).toHaveBeenCalledWith(['/tmp/a.eml']));
    expect(screen.getByTestId('nav-import').getAttribute('aria-current')).toBe('page');
  });

  it('refreshes the lists on arrivals and announces only new items', async () => {
    let arrived: (e: { count: number; actionCount: number }) => void = () => undefined;
    const api = fakeApi({
      inbox: vi.fn(inboxOver(ITEMS)),
      onArrivals: vi.fn(async (cb: (e: { count: number; actionCount: number }) => void) => {
        arrived = cb;
        return () => undefined;
      }),
    });
    renderWith(<Shell session={SESSION} minChars={12} onLock={() => undefined} onLanguage={() => undefined} onSettingsChanged={() => undefined} openRequest={null} onOpenRequestDone={() => undefined} onBeforeLock={() => undefined} />, api);
    await screen.findAllByTestId('item-row');
    const status = () => screen.getAllByRole('status').map((e) => e.textContent).join('|');
    const calls = (api.inbox as ReturnType<typeof vi.fn>).mock.calls.length;
    // Items only changed (a number made final): refreshed, nothing said.
    act(() => arrived({ count: 0, actionCount: 0 }));
    await waitFor(() => expect((api.inbox as ReturnType<typeof vi.fn>).mock.calls.length).toBeGreaterThan(calls));
    expect(status()).not.toContain('Nouveaux éléments');
    act(() => arrived({ count: 2, actionCount: 1 }));
    await waitFor(() => expect(status()).toContain('Nouveaux éléments reçus : 2.'));
  });
});
