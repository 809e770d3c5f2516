// A simulated backend for `npm run dev` at /preview.html: the interface in a plain browser,
// without Rust, for design work and screenshots. 100,000 items, to feel the virtual list.
// Never part of the build (vite builds index.html only).

import type { Api, Result } from '../api';
import { previewContacts } from './previewContacts';
import { previewDevices } from './previewDevices';
import { previewDrafting } from './previewDrafts';
import { previewSync } from './previewSync';
import type {
  ArrivalsEvent,
  ComposeDto_Deserialize,
  FilterDto_Deserialize,
  ImportProgressEvent,
  ItemDto_Serialize,
  ItemSummaryDto_Serialize,
  KindDto,
  MarkingDto,
  PrecedenceDto,
  SettingsDto,
} from '../bindings';

const ok = <T>(data: T): Result<T> => ({ status: 'ok', data });
const fail = (kind: string, message: string, field: string | null = null, detail: string | null = null): Result<never> => ({
  status: 'error',
  error: { kind: kind as never, message, field, detail },
});
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first rule a form breaks, as the backend would refuse it (checked and sent alike). */
function composeRefusal(r: ComposeDto_Deserialize): Result<never> | null {
  if (r.kind !== 'email' && !r.action.some((a) => a.name.trim())) return fail('no_action_addressee', 'no action addressee', 'action');
  if (r.kind === 'email' && r.precedence === 'flash') return fail('flash_email', 'an email cannot be Flash', 'precedence');
  if (r.kind !== 'email' && r.precedence === 'flash' && !r.justification) return fail('flash_without_justification', 'flash needs a justification', 'justification');
  if (!r.subject) return fail('missing', 'the subject is empty', 'subject');
  return null;
}

const POSTS = ['WASHINGTON', 'BERLIN', 'LONDRES', 'TOKYO', 'BRUXELLES REPUE', 'NEW YORK ONU', 'MADRID', 'ROME'];
const TOPICS = ['Entretien avec le conseiller diplomatique', 'Situation politique intérieure', 'Négociations commerciales', 'Visite ministérielle', 'Sécurité énergétique', 'Coopération culturelle', 'Crise consulaire', 'Réunion du Conseil'];
const KINDS: KindDto[] = ['telegram', 'telegram', 'telegram', 'note', 'email'];
const PRECEDENCES: PrecedenceDto[] = ['routine', 'routine', 'routine', 'prioritaire', 'prioritaire', 'immediat', 'flash'];
const RANK: Record<PrecedenceDto, number> = { routine: 0, prioritaire: 1, immediat: 2, flash: 3 };

function makeItems(n: number): ItemSummaryDto_Serialize[] {
  const items: ItemSummaryDto_Serialize[] = [];
  const start = Date.parse('2026-11-28T09:00:00Z');
  for (let i = 0; i < n; i += 1) {
    const kind = KINDS[i % KINDS.length] as KindDto;
    const precedence = (i % 997 === 0 ? 'flash' : PRECEDENCES[(i * 5 + 3) % PRECEDENCES.length]) as PrecedenceDto;
    const post = POSTS[(i * 3) % POSTS.length] as string;
    const route = i % 5 === 0 ? null : i % 3 === 0 ? 'info' : 'action';
    items.push({
      id: `item-${i}`,
      kind,
      subject: `${TOPICS[(i * 5) % TOPICS.length]} (${i})`,
      marking: (i % 4 === 0 ? 'dr' : 'np') as MarkingDto,
      precedence,
      route,
      origin: kind === 'email' ? 'bob@quai.example' : post,
      number: kind === 'email' ? null : `${post} 2026-${String(i % 10000).padStart(4, '0')}`,
      writtenAt: new Date(start - i * 600_000).toISOString(),
      receivedAt: new Date(start - i * 600_000 + 60_000).toISOString(),
      deadline: i % 11 === 0 ? '2026-12-05T23:59:59Z' : null,
      read: i % 3 !== 0,
      tags: i % 2 === 0 ? ['POL'] : ['ECON', 'US'],
      language: 'fr',
    });
  }
  // The backend's triage order: action, info, unrouted; then precedence; then newest.
  const routeRank = (r: string | null) => (r === 'action' ? 0 : r === 'info' ? 1 : 2);
  return items.sort((a, b) => routeRank(a.route) - routeRank(b.route) || RANK[b.precedence] - RANK[a.precedence] || b.receivedAt.localeCompare(a.receivedAt));
}

function matches(f: FilterDto_Deserialize, i: ItemSummaryDto_Serialize): boolean {
  return (
    (!f.section || (i.route ?? 'unrouted') === f.section) &&
    (f.kinds.length === 0 || f.kinds.includes(i.kind)) &&
    (f.markings.length === 0 || f.markings.includes(i.marking)) &&
    (f.precedences.length === 0 || f.precedences.includes(i.precedence)) &&
    (!f.origin || i.origin.toLowerCase() === f.origin.toLowerCase()) &&
    (!f.tag || i.tags.includes(f.tag.toUpperCase())) &&
    (!f.unreadOnly || !i.read)
  );
}

function content(s: ItemSummaryDto_Serialize): ItemDto_Serialize['content'] {
  const action = [{ kind: 'unit' as const, name: 'DFAE/EUROPE' }];
  const info = [{ kind: 'unit' as const, name: 'CAB' }, { kind: 'person' as const, name: 'Jean Dupont' }];
  const paragraphs = [
    { marking: 'np' as MarkingDto, text: 'Le poste a été reçu ce jour par le directeur politique, qui a rappelé les priorités de son gouvernement pour la présidence à venir.' },
    { marking: s.marking, text: 'Selon nos interlocuteurs, la coalition devrait être reconduite sans changement de portefeuilles ; plusieurs points restent cependant ouverts.' },
    { marking: 'np' as MarkingDto, text: 'Le poste suivra la question et rendra compte.' },
  ];
  if (s.kind === 'telegram') {
    return {
      kind: 'telegram', number: s.number, dtg: s.writtenAt.replace('Z', '.123456789Z'), origin: s.origin, action, info, subject: s.subject, tags: s.tags,
      references: [{ label: 'TD BERLIN 2026-0100', itemId: 'item-7' }, { label: 'TD MUNICH 12', itemId: null }],
      summary: 'La coalition sortante est reconduite ; le poste suivra la formation du gouvernement.',
      paragraphs, drafter: 'Alice Lefèvre', clearers: ['Bob Martin'], approver: 'Carol Petit', precedence: s.precedence,
      justification: s.precedence === 'flash' ? 'Ressortissants en danger' : null, marking: s.marking, caveats: [],
    };
  }
  if (s.kind === 'note') {
    return {
      kind: 'note', number: s.number, sendingMission: "L'Ambassade de France", receivingInstitution: 'Ministère fédéral des Affaires étrangères', subject: s.subject,
      opening: "L'Ambassade de France présente ses compliments au Ministère fédéral des Affaires étrangères et a l'honneur de",
      paragraphs: paragraphs.slice(0, 2), closing: "L'Ambassade de France saisit cette occasion pour renouveler au Ministère fédéral des Affaires étrangères les assurances de sa haute considération.",
      place: 'Berlin', date: '2026-11-28', answers: { label: 'NV 2026-0033', itemId: 'item-3' }, action, info, tags: s.tags, precedence: s.precedence, justification: null, marking: s.marking,
    };
  }
  return {
    kind: 'email', from: 'Bob Martin <bob@quai.example>', to: ['alice@dfae.example'], cc: ['carol@quai.example'], date: s.writtenAt, messageId: '<1@quai.example>',
    inReplyTo: [], references: [], subject: s.subject, body: 'Bonjour,\n\nVous trouverez ci-joint le compte rendu de la réunion.\n\nCordialement,\nBob',
    attachments: [{ index: 0, name: 'compte-rendu.pdf', contentType: 'application/pdf', size: 184_320 }], marking: s.marking, precedence: s.precedence,
  };
}

export function previewApi(options: { profileExists: boolean; items: number }): Api {
  const items = makeItems(options.items);
  let exists = options.profileExists;
  let settings: SettingsDto = { language: 'fr', lockAfterMinutes: 0, notify: { enabled: true, telegram: true, note: true, email: false, minPrecedence: 'immediat', info: false }, exchangeDir: '', numberRegister: '' };
  const identity = { name: 'Alice Lefèvre', org: 'DFAE/EUROPE', email: 'alice@dfae.example', fingerprint: '3F2A 9C1B 77D0 54E8' };
  const progressListeners = new Set<(e: ImportProgressEvent) => void>();
  const arrivalListeners = new Set<(e: ArrivalsEvent) => void>();
  const formDrafts = new Map<KindDto, string>();
  const contacts = previewContacts(identity.name, identity.org);
  const sync = previewSync(identity.name, identity.org, contacts.contacts);
  const listen = <T,>(set: Set<(e: T) => void>) => async (cb: (e: T) => void) => {
    set.add(cb);
    return () => set.delete(cb);
  };
  return {
    appStatus: async () => ok({ version: '0.1.0', profileDir: '/home/alice/.local/share/diplomatie/profile', profileExists: exists, unlocked: false, minPassphraseChars: 12 }),
    createProfile: async (r) => {
      await wait(400);
      exists = true;
      return ok({ identity: { ...identity, name: r.name, org: r.org, email: r.email ?? null }, settings });
    },
    unlock: async (p) => {
      await wait(300);
      return p === 'mauvaise' ? fail('wrong_passphrase', 'wrong passphrase') : ok({ identity, settings });
    },
    lock: async () => ok(null),
    inbox: async (r) => {
      await wait(30);
      const all = items.filter((i) => matches({ ...r.filter, section: null }, i));
      const list = all.filter((i) => matches(r.filter, i));
      const count = (route: string, unread = false) => list.filter((i) => (i.route ?? 'unrouted') === route && (!unread || !i.read)).length;
      return ok({
        counts: { total: list.length, action: count('action'), info: count('info'), unrouted: count('unrouted'), unread: list.filter((i) => !i.read).length, unreadAction: count('action', true), unreadInfo: count('info', true), unreadUnrouted: count('unrouted', true) },
        offset: r.offset,
        items: list.slice(r.offset, r.offset + r.limit),
      });
    },
    openItem: async (id) => {
      const s = items.find((i) => i.id === id);
      if (!s) return fail('not_found', 'not found');
      s.read = true;
      return ok({ summary: s, content: content(s), thread: [], language: s.language });
    },
    setRead: async (id, read) => {
      const s = items.find((i) => i.id === id);
      if (s) s.read = read;
      return ok(null);
    },
    compose: async (r) => {
      await wait(200);
      const refused = composeRefusal(r);
      if (refused) return refused;
      return ok({ id: 'item-0', deliveredTo: [], notDelivered: [] });
    },
    checkCompose: async (r) => {
      await wait(100);
      const refused = composeRefusal(r);
      if (refused) return refused;
      const named = r.kind === 'email' ? [...r.to, ...r.cc] : [...r.action, ...r.info].map((a) => a.name.trim()).filter(Boolean);
      const sender = r.kind === 'telegram' ? r.origin || 'PARIS' : r.kind === 'note' ? r.sendingMission : r.from || 'Alice Martin <alice@quai.example>';
      return ok({ sender, deliveredTo: [], notDelivered: named.map((addressee) => ({ addressee, reason: 'no_contact' })) });
    },
    noteTemplate: async (a, b) => ok({ opening: `${a} présente ses compliments à ${b} et a l'honneur de`, closing: `${a} saisit cette occasion pour renouveler à ${b} les assurances de sa haute considération.` }),
    search: async (r) => {
      const started = performance.now();
      await wait(20);
      const words = r.text.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').split(/\s+/).filter(Boolean);
      const fold = (s: string) => s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      const hits = items
        .filter((i) => matches(r.filter, i) && words.every((w) => fold(i.subject).includes(w)))
        .slice(r.offset, r.offset + r.limit)
        .map((summary) => {
          const w = words[0] ?? '';
          const at = fold(summary.subject).indexOf(w);
          const snippet = at < 0 ? [{ text: summary.subject, highlight: false }] : [
            { text: summary.subject.slice(0, at), highlight: false },
            { text: summary.subject.slice(at, at + w.length), highlight: true },
            { text: summary.subject.slice(at + w.length), highlight: false },
          ];
          return { summary, snippet };
        });
      return ok({ hits, elapsedMs: Math.round(performance.now() - started) });
    },
    importEml: async (paths) => {
      const total = paths.length * 3;
      for (let done = 0; done <= total; done += 1) {
        progressListeners.forEach((cb) => cb({ done, total }));
        await wait(150);
      }
      const files = paths.flatMap((p, k) => [
        { path: `${p}/message-${k}-1.eml`, status: 'imported' as const, itemId: 'item-1', error: null },
        { path: `${p}/message-${k}-2.eml`, status: 'duplicate' as const, itemId: 'item-2', error: null },
        { path: `${p}/message-${k}-3.eml`, status: 'failed' as const, itemId: null, error: 'no header section: this is not an email' },
      ]);
      arrivalListeners.forEach((cb) => cb({ count: paths.length, actionCount: paths.length }));
      return ok({ files, imported: paths.length, duplicates: paths.length, failed: paths.length });
    },
    saveAttachment: async (_id, index) => ok(`/home/alice/piece-jointe-${index}`),
    openAttachment: async () => ok({ outcome: 'save_only' as const, reason: 'unknown_type' as const }),
    pickEmlFiles: async () => ok(['preview/courriels']),
    pickEmlFolder: async () => ok('preview/courriels'),
    pickAttachments: async () => ok(['preview/ordre-du-jour.pdf']),
    pickExchangeFolder: async () => ok('/home/alice/echange'),
    getSettings: async () => ok(settings),
    saveSettings: async (s) => {
      settings = s;
      return ok(settings);
    },
    changePassphrase: async (oldPassphrase) => (oldPassphrase === 'mauvaise' ? fail('wrong_passphrase', 'wrong passphrase') : ok(null)),
    // The real backend keeps these in the encrypted store; the preview, in this page's memory.
    saveFormDraft: async (kind, form) => {
      formDrafts.set(kind, form);
      return ok(null);
    },
    formDraft: async (kind) => ok(formDrafts.get(kind) ?? null),
    discardFormDraft: async (kind) => {
      formDrafts.delete(kind);
      return ok(null);
    },
    joinExchange: async (dir) => {
      settings = { ...settings, exchangeDir: dir };
      return ok({ created: false, settings });
    },
    // Drafting, simulated in memory (one draft waits for Alice's clearance).
    ...previewDrafting(identity.name),
    // Contacts, simulated in memory (one verified, one whose key changed).
    ...contacts,
    // The relay, the sync and the spaces, simulated in memory.
    ...sync,
    // This person's devices, and linking one (either side), simulated.
    ...previewDevices(
      () => {
        exists = true;
        return { identity, settings };
      },
      () => sync.syncNow(),
    ),
    onDraftsChanged: async () => () => undefined,
    onOpenDraft: async () => () => undefined,
    onArrivals: listen(arrivalListeners),
    onOpenItem: async () => () => undefined,
    onImportProgress: listen(progressListeners),
    onDrop: async () => () => undefined,
  };
}
