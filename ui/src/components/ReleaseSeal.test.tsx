import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { err, fakeApi, ok } from '../test/fakeApi';
import { renderWith } from '../test/render';
import type { SealDto, VerifiedReleaseDto_Serialize } from '../bindings';
import { ReleaseSeal } from './ReleaseSeal';

const RELEASE: VerifiedReleaseDto_Serialize = {
  item: 'item-1',
  number: 'BERLIN 2026-0001',
  provisional: false,
  approver: 'Dora',
  approverKey: 'ab',
  drafter: 'Alice',
  clearers: [],
  releasedAt: '2026-11-28T10:00:00Z',
  signature: 'cd',
  seal: { kind: 'contact', name: 'Alice Lefèvre', verified: true },
  signerIdentityShort: '0123456789abcdef',
  signerDevice: '00112233445566778899aabbccddeeff',
  signerDeviceShort: '0011223344556677',
};

/** The seal of RELEASE signed as `seal` says, rendered. */
async function sealOf(seal: SealDto, extra: Partial<VerifiedReleaseDto_Serialize> = {}, onOpenContacts?: () => void, lang: 'fr' | 'en' = 'fr') {
  const api = fakeApi({ verifyRelease: vi.fn(async () => ok({ ...RELEASE, seal, ...extra })) });
  renderWith(<ReleaseSeal id="item-1" onOpenContacts={onOpenContacts} />, api, lang);
  return screen.findByTestId('reader-release');
}

describe('release seal', () => {
  it('opens a correction of the released text as a new draft', async () => {
    const correctRelease = vi.fn(async () => ok({ id: 'draft-2' }) as never);
    const api = fakeApi({ verifyRelease: vi.fn(async () => ok(RELEASE)), correctRelease });
    const onCorrect = vi.fn();
    renderWith(<ReleaseSeal id="item-1" onCorrect={onCorrect} />, api);
    expect((await screen.findByTestId('reader-release-number')).textContent).toBe('N° BERLIN 2026-0001');
    fireEvent.click(screen.getByTestId('reader-correct'));
    await waitFor(() => expect(onCorrect).toHaveBeenCalledWith('draft-2'));
    expect(correctRelease).toHaveBeenCalledWith('item-1');
  });

  it('says why a correction could not be opened, and offers none without a way to open it', async () => {
    const api = fakeApi({ verifyRelease: vi.fn(async () => ok(RELEASE)), correctRelease: vi.fn(async () => err('not_found')) });
    const { unmount } = renderWith(<ReleaseSeal id="item-1" onCorrect={() => undefined} />, api);
    fireEvent.click(await screen.findByTestId('reader-correct'));
    expect((await screen.findByTestId('reader-correct-error')).textContent).toContain('Le rectificatif n’a pas pu être ouvert');
    unmount();
    renderWith(<ReleaseSeal id="item-1" />, api);
    await screen.findByTestId('reader-release');
    expect(screen.queryByTestId('reader-correct')).toBeNull();
  });

  it('names a verified contact who signed, and the signing device', async () => {
    const seal = await sealOf({ kind: 'contact', name: 'Alice Lefèvre', verified: true });
    expect(seal.dataset.seal).toBe('verified');
    expect(seal.className).toContain('release-seal-verified');
    expect(screen.getByTestId('reader-signature').textContent).toBe('Signature valide — Alice Lefèvre, contact vérifié');
    expect(screen.getByTestId('reader-seal-device').textContent).toBe('· appareil 0011223344556677');
    expect(screen.queryByTestId('reader-seal-unverified')).toBeNull();
    expect(seal.getAttribute('role')).toBeNull();
  });

  it('warns about an unverified contact and points to Contacts to verify them', async () => {
    const onOpenContacts = vi.fn();
    const seal = await sealOf({ kind: 'contact', name: 'Alice Lefèvre', verified: false }, {}, onOpenContacts);
    expect(seal.dataset.seal).toBe('unverified');
    expect(seal.className).toContain('release-seal-unverified');
    expect(screen.getByTestId('reader-signature').textContent).toBe('Signature valide — Alice Lefèvre, contact non vérifié');
    expect(screen.getByTestId('reader-seal-unverified').textContent).toContain('numéro de sécurité');
    fireEvent.click(screen.getByTestId('reader-seal-contacts'));
    expect(onOpenContacts).toHaveBeenCalledTimes(1);
  });

  it('says when the signer is you', async () => {
    const seal = await sealOf({ kind: 'own' });
    expect(seal.dataset.seal).toBe('own');
    expect(screen.getByTestId('reader-signature').textContent).toBe('Signature valide — vous');
    expect(screen.getByTestId('reader-seal-device').textContent).toContain('0011223344556677');
  });

  it('shows a key nobody vouches for in red, with its identity key, the name only as a claim', async () => {
    const seal = await sealOf({ kind: 'unknown' });
    expect(seal.dataset.seal).toBe('unknown');
    expect(seal.className).toContain('release-seal-unknown');
    expect(seal.getAttribute('role')).toBe('alert');
    expect(screen.getByTestId('reader-signature').textContent).toBe('Signée par une clé inconnue');
    expect(screen.getByTestId('reader-seal-key').textContent).toContain('0123456789abcdef');
    expect(seal.textContent).toContain('se présente comme Dora');
    expect(seal.textContent).not.toContain('Signature valide');
  });

  it('says that a record signed before identities names no identity key', async () => {
    await sealOf({ kind: 'unknown' }, { signerIdentityShort: null, signerDevice: null, signerDeviceShort: null });
    expect(screen.getByTestId('reader-signature').textContent).toBe('Signée par une clé inconnue');
    expect(screen.getByTestId('reader-seal-key').textContent).toContain('avant les identités');
    expect(screen.queryByTestId('reader-seal-device')).toBeNull();
  });

  it('reads in English when the interface is in English, and offers no way it does not have', async () => {
    await sealOf({ kind: 'contact', name: 'Alice Lefèvre', verified: false }, {}, undefined, 'en');
    expect(screen.getByTestId('reader-signature').textContent).toBe('Valid signature — Alice Lefèvre, unverified contact');
    expect(screen.getByTestId('reader-seal-device').textContent).toBe('· device 0011223344556677');
    // Without a way to the Contacts screen, no button that does nothing.
    expect(screen.queryByTestId('reader-seal-contacts')).toBeNull();
  });
});
