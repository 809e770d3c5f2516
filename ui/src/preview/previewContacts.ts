// The contacts commands of the preview (dev only): a card, two contacts (one verified, one
// whose key changed), any card line added as a new contact, one fixed safety number. The
// real rules (key changes, what verifies) are the backend's.

import type { Api, Result } from '../api';
import type { ContactDto_Serialize } from '../bindings';

const ok = <T>(data: T): Result<T> => ({ status: 'ok', data });
const fail = (kind: string, message: string, field: string | null = null): Result<never> => ({ status: 'error', error: { kind: kind as never, message, field, detail: null } });

type ContactsApi = Pick<Api, 'myCard' | 'contacts' | 'addContact' | 'safetyNumber' | 'verifyContact'>;

const DIGITS = '12345 67890 13579 24680 11223 34455 66778 89900 10293 84756 56473 82910';

function person(name: string, org: string, key: string, c: Partial<ContactDto_Serialize> = {}): ContactDto_Serialize {
  return { name, org, role: '', email: null, identity: key.repeat(64), identityShort: key.repeat(16), devices: 1, verified: false, verifiedAt: null, keyChange: null, ...c };
}

export function previewContacts(name: string, org: string): ContactsApi {
  const width = 29;
  // A pattern, not a code: enough to see the drawing.
  const dark = Array.from({ length: width * width }, (_, i) => ((i * 7919) % 13) < 6);
  const contacts: ContactDto_Serialize[] = [
    person('Bruno Keller', 'BERLIN', 'b', { role: 'Conseiller politique', verified: true, verifiedAt: '2026-11-20T10:00:00Z' }),
    person('Claire Dumas', 'DGM/ECO', 'c', { keyChange: { newIdentity: 'd'.repeat(64), newIdentityShort: 'd'.repeat(16), at: '2026-11-28T09:00:00Z' } }),
  ];
  const find = (identity: string) => contacts.find((c) => c.identity.startsWith(identity));
  return {
    myCard: async () => ok({ name, org, role: 'Première secrétaire', email: null, identity: 'a'.repeat(64), identityShort: 'a'.repeat(16), device: '0f'.repeat(16), cardLine: 'DIPLOMATIE:AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGAZDINRYHI6D4QCAIFAUEQCSK', qr: { width, dark } }),
    contacts: async () => ok([...contacts]),
    addContact: async (line) => {
      if (!line.startsWith('DIPLOMATIE:')) return fail('invalid_card', 'this is not a contact card of Diplomatie', 'card');
      const c = person(`Contact ${contacts.length + 1}`, 'PARIS', String(contacts.length + 1));
      contacts.push(c);
      return ok({ outcome: 'added' as const, contact: c });
    },
    safetyNumber: async (identity) => {
      const c = find(identity);
      return c ? ok({ contact: c, digits: DIGITS, forNewKey: c.keyChange !== null }) : fail('not_found', 'no such contact');
    },
    verifyContact: async (identity, digits) => {
      const c = find(identity);
      if (!c) return fail('not_found', 'no such contact');
      if (digits.replace(/\s/g, '') !== DIGITS.replace(/\s/g, '')) return fail('contact_refused', 'the digits given are not the safety number: nothing was changed');
      Object.assign(c, c.keyChange ? { identity: c.keyChange.newIdentity, identityShort: c.keyChange.newIdentityShort } : {}, { verified: true, verifiedAt: new Date().toISOString(), keyChange: null });
      return ok(c);
    },
  };
}
