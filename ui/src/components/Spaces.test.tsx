import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { SpaceDetailDto_Serialize, SpaceDto, SyncStatusEvent_Serialize } from '../bindings';
import { contact, err, fakeApi, ok, space, syncStatus } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { Spaces } from './Spaces';

const berlin = space('Poste de Berlin', 'a', { epoch: 3, devices: 3, historyVisible: true });
const me = { device: '0f'.repeat(16), deviceShort: '0f'.repeat(8), you: true, name: 'Alice Martin', org: 'DGM/ECO', verified: true };
const bruno = { device: '1e'.repeat(16), deviceShort: '1e'.repeat(8), you: false, name: 'Bruno Keller', org: 'BERLIN', verified: false };
const stranger = { device: '2d'.repeat(16), deviceShort: '2d'.repeat(8), you: false, name: null, org: null, verified: false };
const claire = contact('Claire Dumas', 'c', { verified: true });

function detail(s: SpaceDto, members = [me, bruno, stranger]): SpaceDetailDto_Serialize {
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
    let known: SpaceDto[] = [];
    const createSpace = vi
      .fn()
      .mockImplementationOnce(async () => err('space_refused', 'spaceName'))
      .mockImplementationOnce(async (name: string, kind: SpaceDto['kind'], historyVisible: boolean) => {
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

  it('lists again after a sync that brought spaces', async () => {
    let send: ((e: SyncStatusEvent_Serialize) => void) | null = null;
    let known: SpaceDto[] = [];
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
