// A fake of the API module for component tests: every command answers something sensible,
// records its calls (vi.fn), and can be overridden per test. Nothing here touches Tauri.

import { vi } from 'vitest';
import type { Api, Result } from '../api';
import type {
  ContactDto_Serialize,
  CountsDto,
  DeviceDto_Serialize,
  ItemSummaryDto_Serialize,
  KindDto,
  LinkCodeDto,
  LinkWordsDto,
  MarkingDto,
  MyCardDto_Serialize,
  PrecedenceDto,
  RouteDto,
  SessionDto_Serialize,
  SettingsDto,
  SpaceDto_Serialize,
  SyncStatusDto_Serialize,
} from '../bindings';

export const ok = <T>(data: T): Result<T> => ({ status: 'ok', data });
export const err = (kind: string, field: string | null = null, detail: string | null = null): Result<never> => ({
  status: 'error',
  error: { kind: kind as never, message: `english ${kind}`, field, detail },
});

export const SETTINGS: SettingsDto = {
  language: 'fr',
  lockAfterMinutes: 0,
  notify: { enabled: true, telegram: true, note: true, email: false, minPrecedence: 'immediat', info: false },
  exchangeDir: '',
  numberRegister: '',
};

export const SESSION: SessionDto_Serialize = {
  identity: { name: 'Alice Martin', org: 'DGM/ECO', email: 'alice@example.org', fingerprint: 'AB:CD' },
  settings: SETTINGS,
};

/** This person's card: a tiny "QR code" of 3 × 3 modules is enough for the drawing. */
export const MY_CARD: MyCardDto_Serialize = {
  name: 'Alice Martin',
  org: 'DGM/ECO',
  role: 'Première secrétaire',
  email: 'alice@example.org',
  identity: 'a1'.repeat(32),
  identityShort: 'a1'.repeat(8),
  device: '0f'.repeat(16),
  cardLine: 'DIPLOMATIE:ALICEMARTINCARD',
  qr: { width: 3, dark: [true, true, false, false, false, false, true, false, true] },
};

/** The sync's status: a relay joined, online, nothing waiting (override what a test needs). */
export function syncStatus(s: Partial<SyncStatusDto_Serialize> = {}): SyncStatusDto_Serialize {
  return { relay: 'https://relais.example', state: 'online', syncing: false, pending: 0, lastSync: '2026-11-28T09:00:00Z', error: null, progress: null, spacesRevision: 0, ...s };
}

/** A space (`id` from `key`, a hex digit repeated). */
export function space(name: string, key: string, s: Partial<SpaceDto_Serialize> = {}): SpaceDto_Serialize {
  return { id: key.repeat(32), name, kind: 'unit', historyVisible: false, epoch: 0, devices: 1, createdAt: '2026-11-28T09:00:00Z', removedAt: null, ...s };
}

/** A contact (`identity` from `key`, a hex digit repeated). */
export function contact(name: string, key: string, c: Partial<ContactDto_Serialize> = {}): ContactDto_Serialize {
  return {
    name,
    org: 'BERLIN',
    role: '',
    email: null,
    identity: key.repeat(64),
    identityShort: key.repeat(16),
    devices: 1,
    verified: false,
    verifiedAt: null,
    keyChange: null,
    ...c,
  };
}

/** A device of this person (`device` from `key`, a hex digit repeated). */
export function device(label: string | null, key: string, d: Partial<DeviceDto_Serialize> = {}): DeviceDto_Serialize {
  return { device: key.repeat(32), deviceShort: key.repeat(8), label, thisDevice: false, certified: '2026-11-20T10:00:00Z', lastSeen: '2026-11-28T09:00:00Z', revoked: null, ...d };
}

/** The code a device shows to link a new one (a tiny "QR code", as for the card). */
export const LINK_CODE: LinkCodeDto = {
  line: 'DIPLOMATIE-LIEN:https://relais.example#0123456789abcdef0123-ABCDEFGH',
  short: '0123456789abcdef0123-ABCDEFGH',
  relay: 'https://relais.example',
  qr: { width: 3, dark: [true, false, true, false, true, false, true, false, true] },
  validMinutes: 10,
};

/** The four words both devices show, and the new device's name. */
export const LINK_WORDS: LinkWordsDto = { words: ['abricot', 'balcon', 'cerise', 'dauphin'], label: 'Portable' };

export function counts(c: Partial<CountsDto> = {}): CountsDto {
  return { total: 0, action: 0, info: 0, unrouted: 0, unread: 0, unreadAction: 0, unreadInfo: 0, unreadUnrouted: 0, ...c };
}

export function summary(id: string, s: Partial<ItemSummaryDto_Serialize> = {}): ItemSummaryDto_Serialize {
  return {
    id,
    kind: 'telegram' as KindDto,
    subject: `Objet ${id}`,
    marking: 'np' as MarkingDto,
    precedence: 'routine' as PrecedenceDto,
    route: 'action' as RouteDto,
    origin: 'WASHINGTON',
    number: null,
    writtenAt: '2026-11-20T10:00:00Z',
    receivedAt: '2026-11-20T10:05:00Z',
    deadline: null,
    read: false,
    tags: [],
    language: null,
    ...s,
  };
}

/** An opened email, the smallest item the reader shows. */
export function emailItem(id: string) {
  return ok({
    summary: summary(id, { kind: 'email' }),
    content: { kind: 'email' as const, from: 'bob@quai.example', to: [], cc: [], date: '2026-11-20T10:00:00Z', messageId: null, inReplyTo: [], references: [], subject: `Objet ${id}`, body: 'Bonjour.', attachments: [], marking: 'np' as const, precedence: 'routine' as const },
    thread: [],
    language: null,
  });
}

const noop = () => Promise.resolve(() => undefined);

export function fakeApi(overrides: Partial<Api> = {}): Api {
  // The composer's drafts as the encrypted store would keep them (per fake, so per test).
  const formDrafts = new Map<KindDto, string>();
  const api: Api = {
    appStatus: vi.fn(async () => ok({ version: '0.1.0', profileDir: '/tmp/p', profileExists: true, unlocked: false, minPassphraseChars: 12 })),
    createProfile: vi.fn(async () => ok(SESSION)),
    unlock: vi.fn(async () => ok(SESSION)),
    lock: vi.fn(async () => ok(null)),
    inbox: vi.fn(async (req) => ok({ counts: counts(), offset: req.offset, items: [] })),
    openItem: vi.fn(async () => err('not_found')),
    setRead: vi.fn(async () => ok(null)),
    compose: vi.fn(async () => ok({ id: 'new-id', deliveredTo: [], notDelivered: [] })),
    checkCompose: vi.fn(async () => ok({ sender: 'PARIS', deliveredTo: [], notDelivered: [] })),
    noteTemplate: vi.fn(async (a: string, b: string) => ok({ opening: `${a} présente ses compliments à ${b}`, closing: `${a} saisit cette occasion` })),
    search: vi.fn(async () => ok({ hits: [], elapsedMs: 3 })),
    importEml: vi.fn(async () => ok({ files: [], imported: 0, duplicates: 0, failed: 0 })),
    saveAttachment: vi.fn(async () => ok(null)),
    openAttachment: vi.fn(async () => ok({ outcome: 'opened' as const })),
    pickEmlFiles: vi.fn(async () => ok([])),
    pickEmlFolder: vi.fn(async () => ok(null)),
    pickAttachments: vi.fn(async () => ok([])),
    pickExchangeFolder: vi.fn(async () => ok(null)),
    getSettings: vi.fn(async () => ok(SETTINGS)),
    saveSettings: vi.fn(async (s: SettingsDto) => ok(s)),
    changePassphrase: vi.fn(async () => ok(null)),
    saveFormDraft: vi.fn(async (kind: KindDto, form: string) => {
      formDrafts.set(kind, form);
      return ok(null);
    }),
    formDraft: vi.fn(async (kind: KindDto) => ok(formDrafts.get(kind) ?? null)),
    discardFormDraft: vi.fn(async (kind: KindDto) => {
      formDrafts.delete(kind);
      return ok(null);
    }),
    joinExchange: vi.fn(async (dir: string) => ok({ created: false, settings: { ...SETTINGS, exchangeDir: dir } })),
    drafts: vi.fn(async () => ok([])),
    openDraft: vi.fn(async () => err('not_found')),
    createDraft: vi.fn(async () => err('internal')),
    correctRelease: vi.fn(async () => err('internal')),
    editDraft: vi.fn(async () => err('not_found')),
    draftStep: vi.fn(async () => err('not_found')),
    releaseDraft: vi.fn(async () => err('not_found')),
    nameDraftVersion: vi.fn(async () => err('not_found')),
    draftDiff: vi.fn(async () => err('not_found')),
    draftChangesSince: vi.fn(async () => err('not_found')),
    commentDraft: vi.fn(async () => err('not_found')),
    resolveDraftComment: vi.fn(async () => err('not_found')),
    verifyRelease: vi.fn(async () => ok(null)),
    myCard: vi.fn(async () => ok(MY_CARD)),
    contacts: vi.fn(async () => ok([])),
    addContact: vi.fn(async () => err('invalid_card', 'card')),
    safetyNumber: vi.fn(async () => err('not_found')),
    verifyContact: vi.fn(async () => err('not_found')),
    acknowledge: vi.fn(async () => err('acknowledge_refused')),
    acknowledgements: vi.fn(async () => ok({ released: false, forAction: false, acknowledgedAt: null, acknowledgements: [], publishError: null })),
    syncStatus: vi.fn(async () => ok(syncStatus({ relay: null, state: 'not_joined', lastSync: null }))),
    syncNow: vi.fn(async () => ok(syncStatus({ relay: null, state: 'not_joined', lastSync: null }))),
    joinRelay: vi.fn(async () => err('relay_unreachable', 'relayUrl', 'https://relais.example')),
    spaces: vi.fn(async () => ok([])),
    space: vi.fn(async () => err('not_found')),
    createSpace: vi.fn(async () => err('space_refused', 'spaceName')),
    addToSpace: vi.fn(async () => err('relay_not_joined')),
    removeFromSpace: vi.fn(async () => err('relay_not_joined')),
    shareSpaceHistory: vi.fn(async () => ok(0)),
    shareItem: vi.fn(async () => ok(syncStatus({ pending: 1 }))),
    shareDraft: vi.fn(async () => ok(syncStatus({ pending: 1 }))),
    draftSpaces: vi.fn(async () => ok([])),
    offerLink: vi.fn(async () => ok(LINK_CODE)),
    awaitLink: vi.fn(async () => ok(LINK_WORDS)),
    confirmLink: vi.fn(async () => ok({ device: '2d'.repeat(16), label: 'Portable', spaces: 2, items: 40 })),
    refuseLink: vi.fn(async () => ok(null)),
    cancelLink: vi.fn(async () => ok(null)),
    startLink: vi.fn(async () => ok(LINK_WORDS)),
    finishLink: vi.fn(async () => ok(SESSION)),
    linkCatchUp: vi.fn(async () => ok({ spaces: 1, items: 40 })),
    devices: vi.fn(async () => ok([device(null, '0f', { thisDevice: true })])),
    revokeDevice: vi.fn(async (id: string) => ok(device('Portable', id.slice(0, 1), { certified: null, revoked: '2026-11-29T10:00:00Z' }))),
    onArrivals: vi.fn(noop),
    onOpenItem: vi.fn(noop),
    onImportProgress: vi.fn(noop),
    onDraftsChanged: vi.fn(noop),
    onOpenDraft: vi.fn(noop),
    onDrop: vi.fn(noop),
    onSyncStatus: vi.fn(noop),
    onLinkProgress: vi.fn(noop),
  } as Api;
  return { ...api, ...overrides };
}
