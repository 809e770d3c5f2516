import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import type { AcknowledgementDto, AcknowledgementsDto_Serialize, DraftsChangedEvent, SealDto } from '../bindings';
import { err, fakeApi, ok } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { Acknowledgements } from './Acknowledgements';

const AT = '2026-12-07T10:15:00Z';

/** An acknowledgement by `name`, their key and device made of the hex digit `k`. */
function ack(name: string, seal: SealDto, k = '0'): AcknowledgementDto {
  return { name, identityShort: k.repeat(16), device: k.repeat(32), deviceShort: k.repeat(16), at: AT, seal };
}

function acks(a: Partial<AcknowledgementsDto_Serialize> = {}): AcknowledgementsDto_Serialize {
  return { released: true, forAction: false, acknowledgedAt: null, acknowledgements: [], publishError: null, ...a };
}

describe('acknowledgements', () => {
  it('lets an addressee for action acknowledge a released text, then says when it was sent', async () => {
    const mine = ack('Éric Roux', { kind: 'own' });
    const acknowledge = vi.fn(async () => ok(acks({ forAction: true, acknowledgedAt: AT, acknowledgements: [mine] })));
    const api = fakeApi({ acknowledgements: vi.fn(async () => ok(acks({ forAction: true }))), acknowledge });
    renderWith(<Acknowledgements id="item-1" />, api);
    const button = await screen.findByTestId('reader-acknowledge');
    expect(button.textContent).toBe('Accuser réception');
    expect(screen.getByTestId('reader-acks').textContent).toContain('lu et pris en compte');
    // The addressee is not shown the sender's list.
    expect(screen.queryByTestId('reader-acks-none')).toBeNull();
    fireEvent.click(button);
    const sent = await screen.findByTestId('reader-acknowledged');
    expect(acknowledge).toHaveBeenCalledWith('item-1');
    expect(sent.textContent).toMatch(/^Accusé de réception envoyé le \d/);
    expect(screen.queryByTestId('reader-acknowledge')).toBeNull();
    expect(screen.queryByTestId('reader-ack')).toBeNull();
  });

  it('shows an earlier acknowledgement without the button', async () => {
    const api = fakeApi({
      acknowledgements: vi.fn(async () => ok(acks({ forAction: true, acknowledgedAt: AT, acknowledgements: [ack('Éric Roux', { kind: 'own' })] }))),
    });
    renderWith(<Acknowledgements id="item-1" />, api, 'en');
    expect((await screen.findByTestId('reader-acknowledged')).textContent).toMatch(/^Acknowledgement sent on \d/);
    expect(screen.queryByTestId('reader-acknowledge')).toBeNull();
  });

  it('says why an acknowledgement was refused, in the client’s words, and keeps the button', async () => {
    const api = fakeApi({
      acknowledgements: vi.fn(async () => ok(acks({ forAction: true }))),
      acknowledge: vi.fn(async () => err('acknowledge_refused')),
    });
    renderWith(<Acknowledgements id="item-1" />, api);
    fireEvent.click(await screen.findByTestId('reader-acknowledge'));
    const error = await screen.findByTestId('reader-ack-error');
    expect(error.textContent).toBe('Accusé de réception impossible : Accusé de réception refusé (english acknowledge_refused).');
    expect(screen.getByTestId('reader-acknowledge')).not.toBeNull();
  });

  it('says when the acknowledgement could not reach the exchange folder yet', async () => {
    const api = fakeApi({
      acknowledgements: vi.fn(async () => ok(acks({ forAction: true }))),
      acknowledge: vi.fn(async () =>
        ok(acks({ forAction: true, acknowledgedAt: AT, acknowledgements: [ack('Éric Roux', { kind: 'own' })], publishError: 'folder unreachable' })),
      ),
    });
    renderWith(<Acknowledgements id="item-1" />, api);
    fireEvent.click(await screen.findByTestId('reader-acknowledge'));
    expect((await screen.findByTestId('reader-ack-unpublished')).textContent).toContain('folder unreachable');
  });

  it('lists who acknowledged and when for the sender, each as this profile knows them', async () => {
    const list = [
      ack('Éric Roux', { kind: 'contact', name: 'Éric Roux', verified: true }, 'e'),
      ack('Fanny Morel', { kind: 'contact', name: 'Fanny Morel', verified: false }, 'f'),
      ack('Gilles Faux', { kind: 'unknown' }, '9'),
    ];
    const api = fakeApi({ acknowledgements: vi.fn(async () => ok(acks({ acknowledgements: list }))) });
    renderWith(<Acknowledgements id="item-1" />, api);
    await screen.findAllByTestId('reader-ack');
    expect(screen.getByRole('heading', { name: 'Accusés de réception' })).not.toBeNull();
    expect(screen.queryByTestId('reader-acknowledge')).toBeNull();
    const rows = screen.getAllByTestId('reader-ack');
    expect(rows.map((r) => r.dataset.seal)).toEqual(['verified', 'unverified', 'unknown']);
    const who = screen.getAllByTestId('reader-ack-who').map((w) => w.textContent);
    expect(who[0]).toBe('Éric Roux, contact vérifié');
    expect(who[1]).toBe('Fanny Morel, contact non vérifié');
    // A key nobody vouches for: its name only a claim, its key shown, in red and announced.
    expect(who[2]).toContain('« Gilles Faux », clé inconnue 9999999999999999');
    expect(rows[2]!.className).toContain('ack-unknown');
    expect(rows[2]!.getAttribute('role')).toBe('alert');
    expect(rows[0]!.getAttribute('role')).toBeNull();
    expect(screen.getAllByTestId('reader-ack-at')[0]!.textContent).toMatch(/^le \d/);
  });

  it('tells the sender when nobody has acknowledged yet, in English too', async () => {
    const api = fakeApi({ acknowledgements: vi.fn(async () => ok(acks())) });
    renderWith(<Acknowledgements id="item-1" />, api, 'en');
    expect((await screen.findByTestId('reader-acks-none')).textContent).toBe('No acknowledgement yet.');
    expect(screen.getByRole('heading', { name: 'Acknowledgements' })).not.toBeNull();
  });

  it('shows nothing for an item that is not a released text', async () => {
    const acknowledgements = vi.fn(async () => ok(acks({ released: false })));
    renderWith(<Acknowledgements id="item-1" />, fakeApi({ acknowledgements }));
    await waitFor(() => expect(acknowledgements).toHaveBeenCalledWith('item-1'));
    expect(screen.queryByTestId('reader-acks')).toBeNull();
  });

  it('follows the acknowledgements merged from the exchange folder', async () => {
    let changed: ((e: DraftsChangedEvent) => void) | null = null;
    const eric = ack('Éric Roux', { kind: 'contact', name: 'Éric Roux', verified: true });
    const acknowledgements = vi.fn(async () => ok(acks())).mockResolvedValueOnce(ok(acks())).mockResolvedValue(ok(acks({ acknowledgements: [eric] })));
    const api = fakeApi({
      acknowledgements,
      onDraftsChanged: vi.fn(async (cb: (e: DraftsChangedEvent) => void) => {
        changed = cb;
        return () => undefined;
      }),
    });
    renderWith(<Acknowledgements id="item-1" />, api);
    await screen.findByTestId('reader-acks-none');
    await waitFor(() => expect(changed).not.toBeNull());
    // Another draft changed: not reloaded.
    act(() => changed?.({ ids: ['other'] }));
    expect(acknowledgements).toHaveBeenCalledTimes(1);
    act(() => changed?.({ ids: ['item-1'] }));
    expect((await screen.findByTestId('reader-ack-who')).textContent).toBe('Éric Roux, contact vérifié');
  });
});
