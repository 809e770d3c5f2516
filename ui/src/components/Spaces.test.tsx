import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { SpaceDetailDto_Serialize, SpaceDto_Serialize, SyncStatusEvent_Serialize } from '../bindings';
import { contact, err, fakeApi, ok, space, syncStatus } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { Spaces } from './Spaces';

const berlin = space('Poste de Berlin', 'a', { epoch: 3, devices: 3, historyVisible: true });
const me = { device: '0f'.repeat(16), deviceShort: '0f'.repeat(8), you: true, name: 'Alice Martin', org: 'DGM/ECO', verified: true };
const bruno = { device: '1e'.repeat(16), deviceShort: '1e'.repeat(8), you: false, name: 'Bruno Keller', org: 'BERLIN', verified: false };
const stranger = { device: '2d'.repeat(16), deviceShort: '2d'.repeat(8), you: false, name: null, org: null, verified: false };
const claire = contact('Claire Dumas', 'c', { verified: true });
const brunoCard = contact('Bruno Keller', 'b');
const left = space('Cellule de crise Sahel', 'e', { kind: 'shared', epoch: 7, devices: 0, removedAt: '2026-11-25T16:30:00Z' });

/** The spaces page with Poste de Berlin opened (Bruno a contact), once its members show. */
async function openBerlin(overrides: Parameters<typeof fakeApi>[0] = {}) {
  const api = fakeApi({ syncStatus: vi.fn(async () => ok(syncStatus())), spaces: vi.fn(async () => ok([berlin])), space: vi.fn(async () => ok(detail(berlin))), contacts: vi.fn(async () => ok([brunoCard, claire])), ...overrides });
  renderWith(<Spaces />, api);
  fireEvent.click(await screen.findByTestId('space-open'));
  await screen.findAllByTestId('space-member-remove');
  return api;
}

const memberNames = () => screen.getAllByTestId('space-member').map((m) => within(m).getByTestId('space-member-name').textContent);

function detail(s: SpaceDto_Serialize, members = [me, bruno, stranger]): SpaceDetailDto_Serialize {
  return { space: s, members };
}

describe('spaces', () => {
  it('lists each space with its kind, epoch and devices', async () => {
    renderWith(<Spaces />, fakeApi({ syncStatus: vi.fn(async () => ok(syncStatus())), spaces: vi.fn(async () => ok([berlin, space('Circuit', 'b', { kind: 'circuit' })])) }));
    const rows = await screen.findAllByTestId('space-row');
    expect(rows.map((r) => r.getAttribute('data-name'))).toEqual(['Poste de Berlin', 'Circuit']);
    expect(within(rows[0]!).getByTestId('space-kind').textContent).toBe('Unité (poste, service)');
    expect(within(rows[0]!).getByTestId('space-epoch').textContent).toBe('époque 3');
    expect(within(rows[0]!).getByTestId('space-devices').textContent).toBe('appareils : 3');
    expect(within(rows[1]!).getByTestId('space-kind').textContent).toBe('Circuit d’un projet');
    expect(screen.queryByTestId('spaces-no-relay')).toBeNull();
  });

  it('creates a space with its kind and history setting, and says a refusal at the name', async () => {
    let known: SpaceDto_Serialize[] = [];
    const createSpace = vi
      .fn()
      .mockImplementationOnce(async () => err('space_refused', 'spaceName'))
      .mockImplementationOnce(async (name: string, kind: SpaceDto_Serialize['kind'], historyVisible: boolean) => {
        const made = space(name, 'd', { kind, historyVisible });
        known = [made];
        return ok(made);
      });
    const api = fakeApi({ createSpace, spaces: vi.fn(async () => ok(known)), space: vi.fn(async () => ok(detail(known[0]!, [me]))) });
    renderWith(<Spaces />, api);
    await screen.findByTestId('spaces-empty');
    expect((await screen.findByTestId('spaces-no-relay')).textContent).toContain('rejoignez un relais');
    fireEvent.change(screen.getByTestId('space-create-name'), { target: { value: ' Poste de Berlin ' } });
    fireEvent.click(screen.getByTestId('space-create-submit'));
    const error = await screen.findByTestId('space-create-error');
    expect(error.textContent).toBe('Opération refusée sur l’espace (english space_refused).');
    expect(screen.getByTestId('space-create-name').getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(screen.getByTestId('space-create-kind'), { target: { value: 'shared' } });
    fireEvent.click(screen.getByTestId('space-create-history'));
    fireEvent.click(screen.getByTestId('space-create-submit'));
    await waitFor(() => expect(screen.getByTestId('space-create-outcome').textContent).toBe('Espace créé : Poste de Berlin.'));
    expect(createSpace).toHaveBeenLastCalledWith('Poste de Berlin', 'shared', true);
    expect(screen.queryByTestId('space-create-error')).toBeNull();
    // The new space is listed and opened.
    expect((await screen.findAllByTestId('space-row')).map((r) => r.getAttribute('data-kind'))).toEqual(['shared']);
    expect((await screen.findByTestId('space-detail')).getAttribute('data-id')).toBe('d'.repeat(32));
  });

  it('shows the members: this device, a contact not verified, a device no contact lists', async () => {
    const spaceDetail = vi.fn(async () => ok(detail(berlin)));
    renderWith(<Spaces />, fakeApi({ syncStatus: vi.fn(async () => ok(syncStatus())), spaces: vi.fn(async () => ok([berlin])), space: spaceDetail }));
    const open = await screen.findByTestId('space-open');
    expect(open.getAttribute('aria-label')).toBe('Membres de Poste de Berlin');
    fireEvent.click(open);
    expect(open.getAttribute('aria-expanded')).toBe('true');
    const members = await screen.findAllByTestId('space-member');
    expect(spaceDetail).toHaveBeenCalledWith(berlin.id);
    expect(members.map((m) => within(m).getByTestId('space-member-name').textContent)).toEqual(['Alice Martin (DGM/ECO)', 'Bruno Keller (BERLIN)', 'Appareil inconnu (d’aucun de vos contacts)']);
    expect(within(members[0]!).getByTestId('space-member-you').textContent).toBe('cet appareil');
    expect(within(members[1]!).getByTestId('space-member-state').textContent).toBe('non vérifié');
    expect(members.map((m) => m.getAttribute('data-verified'))).toEqual(['true', 'false', 'false']);
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Membres de « Poste de Berlin »'));
  });

  it('adds a contact chosen from the contacts through the relay, and says a refusal', async () => {
    const addToSpace = vi
      .fn()
      .mockResolvedValueOnce(err('relay_unreachable', null, 'https://relais.example'))
      .mockResolvedValueOnce(ok(detail({ ...berlin, epoch: 4, devices: 4 }, [me, bruno, stranger, { ...bruno, device: '3c'.repeat(16), deviceShort: '3c'.repeat(8), name: 'Claire Dumas', org: 'BERLIN', verified: true }])));
    const spaces = vi.fn(async () => ok([berlin]));
    renderWith(<Spaces />, fakeApi({ syncStatus: vi.fn(async () => ok(syncStatus())), spaces, space: vi.fn(async () => ok(detail(berlin))), contacts: vi.fn(async () => ok([claire])), addToSpace }));
    fireEvent.click(await screen.findByTestId('space-open'));
    const select = (await screen.findByTestId('space-add-contact')) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['— choisir —', 'Claire Dumas (BERLIN)']);
    expect((screen.getByTestId('space-add-submit') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(select, { target: { value: claire.identity } });
    fireEvent.click(screen.getByTestId('space-add-submit'));
    const error = await screen.findByTestId('space-add-error');
    expect(error.textContent).toContain('Le relais https://relais.example est injoignable');
    expect(addToSpace).toHaveBeenCalledWith(berlin.id, claire.identity);

    fireEvent.click(screen.getByTestId('space-add-submit'));
    await waitFor(() => expect(screen.getByTestId('space-add-outcome').textContent).toBe('Claire Dumas ajouté à l’espace « Poste de Berlin ».'));
    expect(screen.queryByTestId('space-add-error')).toBeNull();
    expect(screen.getAllByTestId('space-member')).toHaveLength(4);
    // The list is asked again (epoch and devices changed).
    expect(spaces.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('removes a member once confirmed: the command, the members left, a polite message', async () => {
    const removeFromSpace = vi.fn(async () => ok(detail({ ...berlin, epoch: 4, devices: 2 }, [me, stranger])));
    const api = await openBerlin({ removeFromSpace });
    const rows = screen.getAllByTestId('space-member');
    // This device, and a device no contact lists, cannot be removed from here.
    expect(within(rows[0]!).queryByTestId('space-member-remove')).toBeNull();
    expect(within(rows[2]!).queryByTestId('space-member-remove')).toBeNull();
    expect(within(rows[2]!).getByTestId('space-member-no-remove').textContent).toContain('aucun de vos contacts ne liste cet appareil');
    const remove = within(rows[1]!).getByTestId('space-member-remove');
    expect(remove.textContent).toBe('Retirer');
    expect(remove.getAttribute('aria-label')).toBe('Retirer Bruno Keller (BERLIN) de l’espace');
    expect(remove.getAttribute('aria-expanded')).toBe('false');

    fireEvent.click(remove);
    // Nothing is sent before the confirmation, which says what removal means.
    expect(removeFromSpace).not.toHaveBeenCalled();
    expect(remove.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByTestId('space-remove-question').textContent).toBe('Retirer Bruno Keller (BERLIN) de l’espace « Poste de Berlin » ?');
    const form = screen.getByTestId('space-remove-confirm-form');
    expect(form.textContent).toContain('ne recevra plus rien de ce qui sera envoyé dans l’espace');
    expect(form.textContent).toContain('Ce qu’elle a déjà reçu lui reste.');
    expect(document.activeElement).toBe(screen.getByTestId('space-remove-cancel'));

    fireEvent.click(screen.getByTestId('space-remove-confirm'));
    await waitFor(() => expect(screen.getByTestId('space-remove-outcome').textContent).toBe('Bruno Keller retiré de l’espace « Poste de Berlin ».'));
    expect(removeFromSpace).toHaveBeenCalledTimes(1);
    expect(removeFromSpace).toHaveBeenCalledWith(berlin.id, brunoCard.identity);
    expect(screen.getByTestId('space-remove-outcome').getAttribute('role')).toBe('status');
    expect(memberNames()).toEqual(['Alice Martin (DGM/ECO)', 'Appareil inconnu (d’aucun de vos contacts)']);
    expect(screen.queryByTestId('space-remove-confirm-form')).toBeNull();
    // The list is asked again (epoch and devices changed).
    expect(vi.mocked(api.spaces).mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('sends nothing when the removal is cancelled, by the button or Escape', async () => {
    const removeFromSpace = vi.fn(async () => ok(detail(berlin, [me, stranger])));
    await openBerlin({ removeFromSpace });
    const remove = screen.getByTestId('space-member-remove');
    fireEvent.click(remove);
    fireEvent.click(screen.getByTestId('space-remove-cancel'));
    expect(screen.queryByTestId('space-remove-confirm-form')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(remove));

    fireEvent.click(remove);
    fireEvent.keyDown(screen.getByTestId('space-remove-cancel'), { key: 'Escape' });
    expect(screen.queryByTestId('space-remove-confirm-form')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(remove));
    expect(removeFromSpace).not.toHaveBeenCalled();
    expect(screen.getAllByTestId('space-member')).toHaveLength(3);
    expect(screen.getByTestId('space-remove-outcome').textContent).toBe('');
  });

  it('says a refused removal in the confirmation, and keeps the members', async () => {
    const removeFromSpace = vi.fn(async () => err('space_refused'));
    await openBerlin({ removeFromSpace });
    fireEvent.click(screen.getByTestId('space-member-remove'));
    fireEvent.click(screen.getByTestId('space-remove-confirm'));
    const error = await screen.findByTestId('space-remove-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('Opération refusée sur l’espace (english space_refused).');
    expect(screen.getByTestId('space-remove-confirm').getAttribute('aria-describedby')).toContain(error.id);
    expect(screen.getAllByTestId('space-member')).toHaveLength(3);
    expect(screen.getByTestId('space-remove-outcome').textContent).toBe('');
  });

  it('asks which contact when two share the member’s name and organisation', async () => {
    const twin = contact('Bruno Keller', 'f');
    const removeFromSpace = vi.fn(async () => ok(detail(berlin, [me, stranger])));
    await openBerlin({ removeFromSpace, contacts: vi.fn(async () => ok([brunoCard, twin])) });
    fireEvent.click(screen.getByTestId('space-member-remove'));
    const which = screen.getByTestId('space-remove-contact') as HTMLSelectElement;
    expect([...which.options].map((o) => o.textContent)).toEqual(['— choisir —', `Bruno Keller (BERLIN), clé ${brunoCard.identityShort}`, `Bruno Keller (BERLIN), clé ${twin.identityShort}`]);
    expect((screen.getByTestId('space-remove-confirm') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(which, { target: { value: twin.identity } });
    fireEvent.click(screen.getByTestId('space-remove-confirm'));
    await waitFor(() => expect(removeFromSpace).toHaveBeenCalledWith(berlin.id, twin.identity));
  });

  it('shares the history once confirmed, and says how many epochs went', async () => {
    const shareSpaceHistory = vi.fn().mockResolvedValueOnce(ok(3)).mockResolvedValueOnce(ok(0)).mockResolvedValueOnce(err('space_refused'));
    await openBerlin({ shareSpaceHistory });
    const history = screen.getByTestId('space-history');
    expect(history.textContent).toContain('un membre ajouté de nouveau, ou un nouveau venu, pourra lire ce qui y a été envoyé avant son arrivée');
    const share = screen.getByTestId('space-history-share');
    expect(share.textContent).toBe('Partager l’historique');
    fireEvent.click(share);
    expect(shareSpaceHistory).not.toHaveBeenCalled();
    expect(history.textContent).toContain('Tous les membres actuels de « Poste de Berlin » pourront lire');
    fireEvent.click(screen.getByTestId('space-history-confirm'));
    await waitFor(() => expect(screen.getByTestId('space-history-outcome').textContent).toBe('Historique partagé. Époques transmises aux membres : 3 ; elles partent à la prochaine synchronisation.'));
    expect(shareSpaceHistory).toHaveBeenCalledWith(berlin.id);
    expect(screen.queryByTestId('space-history-confirm')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(share));

    fireEvent.click(share);
    fireEvent.click(screen.getByTestId('space-history-confirm'));
    await waitFor(() => expect(screen.getByTestId('space-history-outcome').textContent).toBe('Rien à partager : cet appareil ne connaît aucune époque antérieure de cet espace.'));

    fireEvent.click(share);
    fireEvent.click(screen.getByTestId('space-history-confirm'));
    expect((await screen.findByTestId('space-history-error')).textContent).toBe('Opération refusée sur l’espace (english space_refused).');
    expect(shareSpaceHistory).toHaveBeenCalledTimes(3);
  });

  it('lists a space this device was removed from as removed, with its date, and offers nothing in it', async () => {
    const spaceDetail = vi.fn(async () => ok(detail(berlin)));
    const api = fakeApi({ syncStatus: vi.fn(async () => ok(syncStatus())), spaces: vi.fn(async () => ok([berlin, left])), space: spaceDetail, contacts: vi.fn(async () => ok([brunoCard])) });
    renderWith(<Spaces />, api);
    const rows = await screen.findAllByTestId('space-row');
    expect(rows.map((r) => r.getAttribute('data-removed'))).toEqual(['false', 'true']);
    expect(within(rows[0]!).queryByTestId('space-removed')).toBeNull();
    expect(within(rows[1]!).getByTestId('space-removed').textContent).toBe('Retiré');
    expect(within(rows[1]!).getByTestId('space-removed-at').textContent).toBe('le 25 nov. 2026');
    expect(within(rows[1]!).queryByTestId('space-devices')).toBeNull();
    const open = within(rows[1]!).getByTestId('space-open');
    expect(open.getAttribute('aria-label')).toBe('Cellule de crise Sahel : espace dont cet appareil a été retiré');

    fireEvent.click(open);
    const shown = await screen.findByTestId('space-detail');
    expect(shown.getAttribute('data-removed')).toBe('true');
    expect(within(shown).getByTestId('space-removed-text').textContent).toContain('Cet appareil a été retiré de l’espace le 25 nov. 2026.');
    await waitFor(() => expect(document.activeElement?.textContent).toBe('« Cellule de crise Sahel » : cet appareil n’en est plus membre'));
    // Not asked as a current space (the backend would refuse), and nothing to do in it.
    expect(spaceDetail).not.toHaveBeenCalled();
    expect(within(shown).queryByTestId('space-member')).toBeNull();
    expect(within(shown).queryByTestId('space-add')).toBeNull();
    expect(within(shown).queryByTestId('space-member-remove')).toBeNull();
    expect(within(shown).queryByTestId('space-history')).toBeNull();
    expect(within(shown).queryByRole('alert')).toBeNull();
    expect(within(shown).getAllByRole('button').map((b) => b.textContent)).toEqual(['Fermer']);
    expect(api.removeFromSpace).not.toHaveBeenCalled();
    expect(api.shareSpaceHistory).not.toHaveBeenCalled();
  });

  it('lists again after a sync that brought spaces', async () => {
    let send: ((e: SyncStatusEvent_Serialize) => void) | null = null;
    let known: SpaceDto_Serialize[] = [];
    const api = fakeApi({
      syncStatus: vi.fn(async () => ok(syncStatus())),
      spaces: vi.fn(async () => ok(known)),
      onSyncStatus: vi.fn(async (cb: (e: SyncStatusEvent_Serialize) => void) => {
        send = cb;
        return () => undefined;
      }),
    });
    renderWith(<Spaces />, api);
    await screen.findByTestId('spaces-empty');
    await waitFor(() => expect(send).not.toBeNull());
    known = [berlin];
    act(() => send?.({ status: syncStatus({ spacesRevision: 1 }) }));
    expect((await screen.findAllByTestId('space-row')).map((r) => r.getAttribute('data-name'))).toEqual(['Poste de Berlin']);
  });
});
