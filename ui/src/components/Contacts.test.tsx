import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { ContactDto_Serialize } from '../bindings';
import { contact, err, fakeApi, MY_CARD, ok } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { Contacts } from './Contacts';

const DIGITS = '12345 67890 13579 24680 11223 34455 66778 89900 10293 84756 56473 82910';

const bruno = contact('Bruno Keller', 'b', { role: 'Conseiller', verified: true, verifiedAt: '2026-11-20T10:00:00Z' });
const claire = contact('Claire Dumas', 'c');
const claireChanged = contact('Claire Dumas', 'c', { keyChange: { newIdentity: 'd'.repeat(64), newIdentityShort: 'd'.repeat(16), at: '2026-11-28T09:00:00Z' } });

async function rows() {
  return screen.findAllByTestId('contact-row');
}

describe('contacts', () => {
  it('shows my card: its line to copy, the QR code drawn from its modules, the key and the device', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderWith(<Contacts />, fakeApi());
    const line = (await screen.findByTestId('my-card-line')) as HTMLTextAreaElement;
    expect(line.value).toBe(MY_CARD.cardLine);
    expect(screen.getByTestId('my-card-key').textContent).toBe(MY_CARD.identityShort);
    expect(screen.getByTestId('my-card-device').textContent).toBe(MY_CARD.device);
    // Modules ##. / ... / #.# : a run of two, then two single modules, inside a quiet zone.
    const qr = screen.getByTestId('my-card-qr');
    expect(qr.getAttribute('viewBox')).toBe('0 0 11 11');
    const dark = [...qr.querySelectorAll('rect[fill="#000"]')].map((r) => [r.getAttribute('x'), r.getAttribute('y'), r.getAttribute('width')]);
    expect(dark).toEqual([
      ['4', '4', '2'],
      ['4', '6', '1'],
      ['6', '6', '1'],
    ]);
    fireEvent.click(screen.getByTestId('my-card-copy'));
    await waitFor(() => expect(screen.getByTestId('my-card-copied').textContent).toBe('Carte copiée.'));
    expect(writeText).toHaveBeenCalledWith(MY_CARD.cardLine);
  });

  it('lists each contact with its organisation, role, key and state, a key change first', async () => {
    renderWith(<Contacts />, fakeApi({ contacts: vi.fn(async () => ok([bruno, claireChanged, contact('Denis Roy', 'e')])) }));
    const list = await rows();
    expect(list.map((r) => r.getAttribute('data-state'))).toEqual(['verified', 'key_changed', 'unverified']);
    expect(list.map((r) => within(r).getByTestId('contact-state').textContent)).toEqual(['vérifié', 'clé changée', 'non vérifié']);
    expect(within(list[0]!).getByTestId('contact-role').textContent).toBe('Conseiller');
    expect(within(list[0]!).getByTestId('contact-key').textContent).toBe(`clé ${'b'.repeat(16)}`);
    expect(within(list[0]!).queryByTestId('contact-verify')).toBeNull();
    expect(within(list[1]!).getByTestId('contact-key-change').textContent).toContain('d'.repeat(16));
    expect(within(list[2]!).getByTestId('contact-verify')).toBeTruthy();
  });

  it('adds a card and says so; a key change raises an alert and the list shows it', async () => {
    let known: ContactDto_Serialize[] = [];
    const addContact = vi
      .fn()
      .mockImplementationOnce(async () => {
        known = [claire];
        return ok({ outcome: 'added' as const, contact: claire });
      })
      .mockImplementationOnce(async () => {
        known = [claireChanged];
        return ok({ outcome: 'key_change' as const, contact: claireChanged });
      });
    const api = fakeApi({ addContact, contacts: vi.fn(async () => ok(known)) });
    renderWith(<Contacts />, api);
    await screen.findByTestId('contacts-empty');
    fireEvent.change(screen.getByTestId('contact-add-line'), { target: { value: '  DIPLOMATIE:CLAIRE  ' } });
    fireEvent.click(screen.getByTestId('contact-add-submit'));
    const outcome = await screen.findByTestId('contact-add-outcome');
    expect(outcome.getAttribute('data-outcome')).toBe('added');
    expect(outcome.textContent).toContain('non vérifié : Claire Dumas (BERLIN)');
    expect(addContact).toHaveBeenCalledWith('DIPLOMATIE:CLAIRE');
    expect((screen.getByTestId('contact-add-line') as HTMLTextAreaElement).value).toBe('');
    await waitFor(async () => expect((await rows())[0]?.getAttribute('data-state')).toBe('unverified'));
    expect(screen.queryByTestId('contact-key-change-alert')).toBeNull();

    fireEvent.change(screen.getByTestId('contact-add-line'), { target: { value: 'DIPLOMATIE:CLAIRE2' } });
    fireEvent.click(screen.getByTestId('contact-add-submit'));
    const alert = await screen.findByTestId('contact-key-change-alert');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('ATTENTION');
    expect(alert.textContent).toContain('Claire Dumas (BERLIN) a changé');
    expect(screen.queryByTestId('contact-add-outcome')).toBeNull();
    await waitFor(async () => expect((await rows())[0]?.getAttribute('data-state')).toBe('key_changed'));
  });

  it("adds a unit's card from the same field and says who gave it", async () => {
    const addContact = vi.fn(async () =>
      ok({ outcome: 'unit_added' as const, unit: { name: 'BERLIN', org: 'Ambassade de France', issuer: 'Alice Lefèvre', issuerVerified: false } }),
    );
    renderWith(<Contacts />, fakeApi({ addContact }));
    fireEvent.change(await screen.findByTestId('contact-add-line'), { target: { value: 'DIPLOMATIE-UNITE:ABC' } });
    fireEvent.click(screen.getByTestId('contact-add-submit'));
    const outcome = await screen.findByTestId('contact-add-outcome');
    expect(outcome.getAttribute('data-outcome')).toBe('unit_added');
    expect(outcome.textContent).toBe(
      'Service ajouté : BERLIN (Ambassade de France), carte donnée par Alice Lefèvre, qui n’est pas un contact vérifié. Vous pouvez l’adresser par son nom.',
    );
  });

  it('says why a card is refused, at the field', async () => {
    renderWith(<Contacts />, fakeApi());
    fireEvent.change(await screen.findByTestId('contact-add-line'), { target: { value: 'BEGIN:VCARD' } });
    fireEvent.click(screen.getByTestId('contact-add-submit'));
    const error = await screen.findByTestId('contact-add-error');
    expect(error.textContent).toBe('Cette carte n’est pas valide (english invalid_card).');
    expect(screen.getByTestId('contact-add-line').getAttribute('aria-invalid')).toBe('true');
  });

  it('verifies by safety number: wrong digits show the refusal and change nothing, the right ones verify', async () => {
    let known = [claire];
    const safetyNumber = vi.fn(async () => ok({ contact: claire, digits: DIGITS, forNewKey: false }));
    const verifyContact = vi.fn(async (_identity: string, digits: string) => {
      if (digits.replace(/\s/g, '') !== DIGITS.replace(/\s/g, '')) return err('contact_refused');
      known = [{ ...claire, verified: true, verifiedAt: '2026-11-29T10:00:00Z' }];
      return ok(known[0]!);
    });
    renderWith(<Contacts />, fakeApi({ contacts: vi.fn(async () => ok(known)), safetyNumber, verifyContact }));
    const [row] = await rows();
    fireEvent.click(within(row!).getByTestId('contact-verify'));
    const digits = await screen.findByTestId('safety-digits');
    expect(safetyNumber).toHaveBeenCalledWith(claire.identity);
    expect(digits.getAttribute('data-digits')).toBe(DIGITS);
    expect(digits.querySelectorAll('.safety-group')).toHaveLength(12);
    expect(screen.queryByTestId('safety-new-key')).toBeNull();

    fireEvent.change(screen.getByTestId('safety-input'), { target: { value: '00000 00000' } });
    fireEvent.click(screen.getByTestId('safety-confirm'));
    const error = await screen.findByTestId('safety-error');
    expect(error.textContent).toBe('Refusé (english contact_refused).');
    expect(verifyContact).toHaveBeenLastCalledWith(claire.identity, '00000 00000');
    expect((await rows())[0]?.getAttribute('data-state')).toBe('unverified');
    expect(screen.getByTestId('safety-panel')).toBeTruthy();

    fireEvent.change(screen.getByTestId('safety-input'), { target: { value: DIGITS.replace(/ /g, '') } });
    fireEvent.click(screen.getByTestId('safety-confirm'));
    await waitFor(() => expect(screen.queryByTestId('safety-panel')).toBeNull());
    expect(screen.getByTestId('contacts-status').textContent).toBe('Contact vérifié : Claire Dumas (BERLIN).');
    await waitFor(async () => expect((await rows())[0]?.getAttribute('data-state')).toBe('verified'));
  });

  it('says when the safety number is that of a new key', async () => {
    const safetyNumber = vi.fn(async () => ok({ contact: claireChanged, digits: DIGITS, forNewKey: true }));
    renderWith(<Contacts />, fakeApi({ contacts: vi.fn(async () => ok([claireChanged])), safetyNumber }), 'en');
    const [row] = await rows();
    fireEvent.click(within(row!).getByTestId('contact-verify'));
    const notice = await screen.findByTestId('safety-new-key');
    expect(notice.textContent).toContain('The identity key of Claire Dumas changed');
    expect(screen.getByTestId('safety-panel').getAttribute('data-for-new-key')).toBe('true');
  });
});
