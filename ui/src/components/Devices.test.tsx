import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Result } from '../api';
import type { LinkedDeviceDto, LinkProgressEvent, LinkWordsDto } from '../bindings';
import { device, err, fakeApi, LINK_CODE, LINK_WORDS, ok, syncStatus } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { Devices } from './Devices';

const bureau = device('Bureau', '0f', { thisDevice: true });
const portable = device('Portable', '1e');
const old = device('Ancien portable', '2d', { certified: null, revoked: '2026-10-02T09:00:00Z' });

/** A promise resolved from outside (a wait under way). */
function deferred<T>() {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const joined = () => vi.fn(async () => ok(syncStatus()));
const row = (name: string) => screen.getAllByTestId('device-row').find((r) => within(r).getByTestId('device-name').textContent === name)!;

describe('devices', () => {
  it('lists the devices: this one, when the relay last saw each, the revoked ones; only the others in use can be revoked', async () => {
    renderWith(<Devices />, fakeApi({ syncStatus: joined(), devices: vi.fn(async () => ok([bureau, portable, old, device(null, '3c', { lastSeen: null })])) }));
    const rows = await screen.findAllByTestId('device-row');
    expect(rows.map((r) => within(r).getByTestId('device-name').textContent)).toEqual(['Bureau', 'Portable', 'Ancien portable', 'Appareil sans nom']);
    expect(within(rows[0]!).getByTestId('device-this').textContent).toBe('cet appareil');
    expect(within(rows[1]!).getByTestId('device-seen').textContent).toMatch(/^vu par le relais le /);
    expect(within(rows[2]!).getByTestId('device-revoked').textContent).toMatch(/^révoqué le /);
    expect(rows[2]!.getAttribute('data-revoked')).toBe('true');
    expect(within(rows[3]!).getByTestId('device-seen').textContent).toBe('dernière connexion inconnue');
    expect(rows.map((r) => within(r).queryByTestId('device-revoke') !== null)).toEqual([false, true, false, true]);
    expect(within(rows[1]!).getByTestId('device-revoke').getAttribute('aria-label')).toBe('Révoquer « Portable »');
  });

  it('revokes a device once confirmed in place; cancelling (or Escape) gives the focus back and changes nothing', async () => {
    let listed = [bureau, portable];
    const revokeDevice = vi.fn(async (id: string) => {
      const revoked = { ...portable, certified: null, revoked: '2026-11-29T10:00:00Z' };
      listed = [bureau, revoked];
      return ok({ ...revoked, device: id });
    });
    const api = fakeApi({ syncStatus: joined(), devices: vi.fn(async () => ok(listed)), revokeDevice });
    renderWith(<Devices />, api);
    await screen.findAllByTestId('device-row');
    const open = within(row('Portable')).getByTestId('device-revoke');

    fireEvent.click(open);
    expect(open.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByTestId('device-revoke-question').textContent).toBe('Révoquer « Portable » ?');
    expect(document.activeElement).toBe(screen.getByTestId('device-revoke-cancel'));
    fireEvent.click(screen.getByTestId('device-revoke-cancel'));
    expect(screen.queryByTestId('device-revoke-confirm-form')).toBeNull();
    expect(document.activeElement).toBe(open);

    fireEvent.click(open);
    fireEvent.keyDown(screen.getByTestId('device-revoke-confirm-form'), { key: 'Escape' });
    expect(screen.queryByTestId('device-revoke-confirm-form')).toBeNull();
    expect(document.activeElement).toBe(open);
    expect(revokeDevice).not.toHaveBeenCalled();

    fireEvent.click(open);
    fireEvent.click(screen.getByTestId('device-revoke-confirm'));
    await waitFor(() => expect(screen.getByTestId('devices-status').textContent).toBe('« Portable » est révoqué.'));
    expect(revokeDevice).toHaveBeenCalledWith(portable.device);
    await waitFor(() => expect(row('Portable').getAttribute('data-revoked')).toBe('true'));
    expect(within(row('Portable')).queryByTestId('device-revoke')).toBeNull();
    expect(document.activeElement?.textContent).toBe('Appareils');
  });

  it('says a refused revocation in the confirmation, which stays open', async () => {
    renderWith(<Devices />, fakeApi({ syncStatus: joined(), devices: vi.fn(async () => ok([bureau, portable])), revokeDevice: vi.fn(async () => err('relay_unreachable', null, 'https://relais.example')) }));
    fireEvent.click(await screen.findByTestId('device-revoke'));
    fireEvent.click(screen.getByTestId('device-revoke-confirm'));
    const error = await screen.findByTestId('device-revoke-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('Le relais https://relais.example est injoignable');
    expect(screen.getByTestId('device-revoke-confirm').getAttribute('aria-describedby')).toContain(error.id);
    expect(row('Portable').getAttribute('data-revoked')).toBe('false');
  });

  it('needs a relay to link a device', async () => {
    renderWith(<Devices />, fakeApi());
    await screen.findAllByTestId('device-row');
    const start = screen.getByTestId('link-start') as HTMLButtonElement;
    await waitFor(() => expect(start.getAttribute('aria-describedby')).not.toBeNull());
    expect(start.disabled).toBe(true);
    expect(document.getElementById(start.getAttribute('aria-describedby')!)?.textContent).toContain('Rejoignez d’abord un relais');
  });

  it('links a new device: the code and its QR code, the words compared, the progress, the result', async () => {
    const answer = deferred<Result<LinkWordsDto>>();
    const completed = deferred<Result<LinkedDeviceDto>>();
    let progress: (e: LinkProgressEvent) => void = () => undefined;
    const devices = vi.fn(async () => ok([bureau]));
    const api = fakeApi({
      syncStatus: joined(),
      devices,
      awaitLink: vi.fn(() => answer.promise),
      confirmLink: vi.fn(() => completed.promise),
      onLinkProgress: vi.fn(async (cb: (e: LinkProgressEvent) => void) => {
        progress = cb;
        return () => undefined;
      }),
    });
    renderWith(<Devices />, api);
    await screen.findAllByTestId('device-row');
    await waitFor(() => expect((screen.getByTestId('link-start') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('link-start'));

    expect(((await screen.findByTestId('link-code-line')) as HTMLTextAreaElement).value).toBe(LINK_CODE.line);
    expect(screen.getByTestId('link-code-short').textContent).toBe(LINK_CODE.short);
    const qr = screen.getByTestId('link-code-qr');
    expect(qr.getAttribute('role')).toBe('img');
    expect(qr.getAttribute('aria-label')).toBe('QR code du code de liaison');
    expect(screen.getByTestId('link-status').textContent).toBe('En attente du nouvel appareil…');
    expect(api.awaitLink).toHaveBeenCalledTimes(1);

    await act(async () => answer.resolve(ok(LINK_WORDS)));
    expect(screen.getAllByTestId('link-word').map((w) => w.textContent)).toEqual(LINK_WORDS.words);
    expect(screen.getByTestId('link-words-check').textContent).toContain('Le nouvel appareil « Portable » affiche-t-il ces quatre mots');
    expect(document.activeElement?.textContent).toBe('Comparez les mots');
    expect(screen.queryByTestId('link-code-line')).toBeNull();

    fireEvent.click(screen.getByTestId('link-words-match'));
    expect(api.confirmLink).toHaveBeenCalledTimes(1);
    const bar = await screen.findByTestId('link-progress');
    expect(bar.hasAttribute('value')).toBe(false);
    act(() => progress({ done: 1, total: 3 }));
    expect(screen.getByTestId('link-progress').getAttribute('max')).toBe('3');
    expect(screen.getByTestId('link-progress').getAttribute('value')).toBe('1');
    expect(screen.getByText('Liaison de « Portable » : étape 1 sur 3')).toBeTruthy();
    expect(screen.queryByTestId('link-close')).toBeNull();

    await act(async () => completed.resolve(ok({ device: '2d'.repeat(16), label: 'Portable', spaces: 2, items: 40 })));
    expect(screen.getByTestId('link-offer').getAttribute('data-step')).toBe('done');
    expect(screen.getByTestId('link-status').textContent).toBe('« Portable » est lié à votre identité. Espaces : 2 ; éléments transmis : 40. Il les reçoit à sa première synchronisation.');
    expect(devices).toHaveBeenCalledTimes(2);
    fireEvent.click(screen.getByTestId('link-close'));
    expect(screen.queryByTestId('link-offer')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('link-start'));
  });

  it('refuses when the words differ: nothing handed over', async () => {
    const api = fakeApi({ syncStatus: joined() });
    renderWith(<Devices />, api);
    await waitFor(() => expect((screen.getByTestId('link-start') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('link-start'));
    fireEvent.click(await screen.findByTestId('link-words-differ'));
    await waitFor(() => expect(api.refuseLink).toHaveBeenCalledTimes(1));
    expect(api.confirmLink).not.toHaveBeenCalled();
    expect(screen.getByTestId('link-status').textContent).toBe('Liaison refusée : rien n’a été transmis au nouvel appareil.');
    expect(screen.getByTestId('link-retry')).toBeTruthy();
  });

  it('says a wrong code on the other side, and starts again with a new code', async () => {
    const awaitLink = vi.fn().mockResolvedValueOnce(err('link_wrong_code')).mockResolvedValueOnce(ok(LINK_WORDS));
    const api = fakeApi({ syncStatus: joined(), awaitLink });
    renderWith(<Devices />, api);
    await waitFor(() => expect((screen.getByTestId('link-start') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('link-start'));
    const error = await screen.findByTestId('link-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('Le nouvel appareil n’a pas saisi ce code');
    fireEvent.click(screen.getByTestId('link-retry'));
    await screen.findByTestId('link-words');
    expect(api.offerLink).toHaveBeenCalledTimes(2);
  });

  it('cancels the link when the panel is closed while it waits', async () => {
    const api = fakeApi({ syncStatus: joined(), awaitLink: vi.fn(() => new Promise<never>(() => undefined)) });
    renderWith(<Devices />, api);
    await waitFor(() => expect((screen.getByTestId('link-start') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('link-start'));
    await screen.findByTestId('link-code-line');
    expect(screen.getByTestId('link-close').textContent).toBe('Annuler');
    fireEvent.click(screen.getByTestId('link-close'));
    await waitFor(() => expect(api.cancelLink).toHaveBeenCalled());
    expect(screen.queryByTestId('link-offer')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('link-start'));
  });
});
