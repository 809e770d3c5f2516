import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { SpaceDto_Serialize } from '../bindings';
import { err, fakeApi, ok, space, syncStatus } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { ShareToSpace } from './ShareToSpace';

const berlin = space('Poste de Berlin', 'a');
const circuit = space('Circuit du TD 42', 'b', { kind: 'circuit' });

describe('sharing in a space', () => {
  it('shares an item from the reader: it goes at the next sync', async () => {
    const shareItem = vi.fn(async () => ok(syncStatus({ pending: 1 })));
    renderWith(<ShareToSpace target="item" id="item-1" testPrefix="reader" />, fakeApi({ spaces: vi.fn(async () => ok([berlin, circuit])), shareItem }));
    const open = screen.getByTestId('reader-share-open');
    expect(open.textContent).toBe('Partager dans un espace');
    expect(open.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(open);
    expect(open.getAttribute('aria-expanded')).toBe('true');
    const select = (await screen.findByTestId('reader-share-space')) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['— choisir —', 'Poste de Berlin', 'Circuit du TD 42']);
    expect((screen.getByTestId('reader-share-submit') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(select, { target: { value: circuit.id } });
    fireEvent.click(screen.getByTestId('reader-share-submit'));
    await waitFor(() => expect(screen.getByTestId('reader-share-outcome').textContent).toBe('Partagé dans « Circuit du TD 42 » : part à la prochaine synchronisation.'));
    expect(shareItem).toHaveBeenCalledWith('item-1', circuit.id);
  });

  it('says when there is no space yet, and a refusal in the user’s language', async () => {
    const spaces = vi.fn().mockResolvedValueOnce(ok([])).mockResolvedValue(ok([berlin]));
    const shareItem = vi.fn(async () => err('not_found'));
    const { unmount } = renderWith(<ShareToSpace target="item" id="item-1" testPrefix="reader" />, fakeApi({ spaces, shareItem }));
    fireEvent.click(screen.getByTestId('reader-share-open'));
    expect((await screen.findByTestId('reader-share-none')).textContent).toBe('Aucun espace : créez-en un dans Espaces.');
    unmount();
    renderWith(<ShareToSpace target="item" id="item-1" testPrefix="reader" />, fakeApi({ spaces, shareItem }));
    fireEvent.click(screen.getByTestId('reader-share-open'));
    // A single space is chosen already.
    await waitFor(() => expect((screen.getByTestId('reader-share-space') as HTMLSelectElement).value).toBe(berlin.id));
    fireEvent.click(screen.getByTestId('reader-share-submit'));
    const error = await screen.findByTestId('reader-share-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('Élément introuvable.');
  });

  it('offers no space this device was removed from', async () => {
    const left = space('Cellule de crise Sahel', 'e', { removedAt: '2026-11-25T16:30:00Z', devices: 0 });
    renderWith(<ShareToSpace target="item" id="item-1" testPrefix="reader" />, fakeApi({ spaces: vi.fn(async () => ok([berlin, left])) }));
    fireEvent.click(screen.getByTestId('reader-share-open'));
    // The one current space is chosen already; the removed one is not listed.
    await waitFor(() => expect((screen.getByTestId('reader-share-space') as HTMLSelectElement).value).toBe(berlin.id));
    expect([...(screen.getByTestId('reader-share-space') as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(['— choisir —', 'Poste de Berlin']);
  });

  it('shares a draft and lists the spaces it is shared into', async () => {
    let sharedIn: SpaceDto_Serialize[] = [];
    const shareDraft = vi.fn(async () => {
      sharedIn = [berlin];
      return ok(syncStatus({ pending: 1 }));
    });
    const draftSpaces = vi.fn(async () => ok(sharedIn));
    renderWith(<ShareToSpace target="draft" id="draft-1" testPrefix="draft" />, fakeApi({ spaces: vi.fn(async () => ok([berlin, circuit])), shareDraft, draftSpaces }), 'en');
    await waitFor(() => expect(draftSpaces).toHaveBeenCalledWith('draft-1'));
    expect(screen.queryByTestId('draft-share-spaces')).toBeNull();
    fireEvent.click(screen.getByTestId('draft-share-open'));
    expect(screen.getByTestId('draft-share-open').textContent).toBe('Share the draft in a space');
    fireEvent.change(await screen.findByTestId('draft-share-space'), { target: { value: berlin.id } });
    fireEvent.click(screen.getByTestId('draft-share-submit'));
    await waitFor(() => expect(screen.getByTestId('draft-share-spaces').textContent).toBe('Shared in: Poste de Berlin'));
    expect(shareDraft).toHaveBeenCalledWith('draft-1', berlin.id);
  });
});
