// The relay, sync and spaces commands of the preview (dev only): a relay joined with any
// token but `mauvais`, a sync that takes a moment and shows a catch-up, two spaces in memory
// and one this device was removed from, a member removed by their contact's key (the
// contacts' names say whose devices are whose), history shared as two epochs, shares counted
// as waiting until the next sync. `?offline` starts with the relay unreachable. The real
// rules are the backend's.

import type { Api, Result } from '../api';
import type { ContactDto_Serialize, SpaceDetailDto_Serialize, SpaceDto_Serialize, SyncStatusDto_Serialize, SyncStatusEvent_Serialize } from '../bindings';

const ok = <T>(data: T): Result<T> => ({ status: 'ok', data });
const fail = (kind: string, message: string, field: string | null = null, detail: string | null = null): Result<never> => ({ status: 'error', error: { kind: kind as never, message, field, detail } });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

type SyncApi = Pick<Api, 'syncStatus' | 'syncNow' | 'joinRelay' | 'spaces' | 'space' | 'createSpace' | 'addToSpace' | 'removeFromSpace' | 'shareSpaceHistory' | 'shareItem' | 'shareDraft' | 'draftSpaces' | 'onSyncStatus'>;

/** `contacts`: the preview's directory, to tell whose devices a contact's key names. */
export function previewSync(name: string, org: string, contacts: () => Promise<Result<ContactDto_Serialize[]>>): SyncApi {
  const offline = new URLSearchParams(location.search).has('offline');
  let status: SyncStatusDto_Serialize = {
    relay: 'https://relais.example',
    state: offline ? 'offline' : 'online',
    syncing: false,
    pending: offline ? 2 : 0,
    lastSync: offline ? null : new Date().toISOString(),
    error: null,
    progress: null,
    spacesRevision: 0,
  };
  const listeners = new Set<(e: SyncStatusEvent_Serialize) => void>();
  const set = (patch: Partial<SyncStatusDto_Serialize>) => {
    status = { ...status, ...patch };
    listeners.forEach((cb) => cb({ status }));
    return status;
  };
  const spaces: SpaceDetailDto_Serialize[] = [
    {
      space: { id: 'a'.repeat(32), name: 'Poste de Berlin', kind: 'unit', historyVisible: true, epoch: 3, devices: 3, createdAt: '2026-11-20T10:00:00Z', removedAt: null },
      members: [
        { device: '0f'.repeat(16), deviceShort: '0f'.repeat(8), you: true, name, org, verified: true },
        { device: '1e'.repeat(16), deviceShort: '1e'.repeat(8), you: false, name: 'Bruno Keller', org: 'BERLIN', verified: true },
        { device: '2d'.repeat(16), deviceShort: '2d'.repeat(8), you: false, name: null, org: null, verified: false },
      ],
    },
    {
      space: { id: 'b'.repeat(32), name: 'Circuit du TD 42', kind: 'circuit', historyVisible: false, epoch: 1, devices: 2, createdAt: '2026-11-27T10:00:00Z', removedAt: null },
      members: [
        { device: '0f'.repeat(16), deviceShort: '0f'.repeat(8), you: true, name, org, verified: true },
        { device: '3c'.repeat(16), deviceShort: '3c'.repeat(8), you: false, name: 'Claire Dumas', org: 'DGM/ECO', verified: false },
      ],
    },
  ];
  // Listed after the current ones, as the backend does; it cannot be opened.
  const left: SpaceDto_Serialize[] = [{ id: 'e'.repeat(32), name: 'Cellule de crise Sahel', kind: 'shared', historyVisible: false, epoch: 7, devices: 0, createdAt: '2026-10-02T10:00:00Z', removedAt: '2026-11-25T16:30:00Z' }];
  const shared = new Map<string, Set<string>>();
  const find = (id: string) => spaces.find((s) => s.space.id.startsWith(id));
  return {
    syncStatus: async () => ok(status),
    syncNow: async () => {
      if (status.state === 'offline' && offline) return ok(set({ state: 'offline' }));
      set({ syncing: true, progress: null });
      for (let done = 0; done <= 400; done += 100) {
        set({ progress: { space: 'Poste de Berlin', done, total: 400 } });
        await wait(250);
      }
      return ok(set({ syncing: false, progress: null, state: 'online', pending: 0, lastSync: new Date().toISOString() }));
    },
    joinRelay: async (url, token) => {
      await wait(300);
      if (!/^https?:\/\/\S+$/.test(url.trim())) return fail('invalid_relay_address', `'${url}' is not a relay's address`, 'relayUrl', url);
      if (token.trim() === 'mauvais') return fail('relay_refused', "the relay refused (403): this enrolment token is unknown: ask the relay's operator for a new one", 'relayToken');
      return ok(set({ relay: url.trim().replace(/\/$/, ''), state: 'online', error: null }));
    },
    spaces: async () => ok([...spaces.map((s) => s.space), ...left]),
    space: async (id) => {
      const s = find(id);
      return s ? ok(s) : fail('space_refused', 'this device is no longer a member of this space');
    },
    createSpace: async (spaceName, kind, historyVisible) => {
      if (spaces.some((s) => s.space.name.toLowerCase() === spaceName.trim().toLowerCase())) return fail('space_refused', `a space is already named '${spaceName}': choose another name`, 'spaceName');
      const space: SpaceDto_Serialize = { id: String(spaces.length + 1).repeat(32), name: spaceName.trim(), kind, historyVisible, epoch: 0, devices: 1, createdAt: new Date().toISOString(), removedAt: null };
      spaces.push({ space, members: [{ device: '0f'.repeat(16), deviceShort: '0f'.repeat(8), you: true, name, org, verified: true }] });
      return ok(space);
    },
    addToSpace: async (id) => {
      await wait(400);
      const s = find(id);
      if (!s) return fail('not_found', 'no such space');
      return fail('relay_refused', "the relay refused (404): this device has no key package left: it must sync with the relay first");
    },
    removeFromSpace: async (id, contact) => {
      await wait(400);
      const s = find(id);
      if (!s) return fail('not_found', 'no such space');
      const listed = await contacts();
      const who = listed.status === 'ok' ? listed.data.find((c) => c.identity.startsWith(contact)) : undefined;
      if (!who) return fail('contact_refused', `no contact is named '${contact}'`);
      const kept = s.members.filter((m) => m.you || m.name !== who.name || m.org !== who.org);
      if (kept.length === s.members.length) return fail('space_refused', `${who.name} is not a member of this space: check its members with diplo space show`);
      s.members = kept;
      s.space = { ...s.space, epoch: s.space.epoch + 1, devices: kept.length };
      return ok(s);
    },
    shareSpaceHistory: async (id) => {
      const s = find(id);
      if (!s) return fail('not_found', 'no such space');
      const epochs = Math.min(s.space.epoch, 2);
      if (epochs > 0) set({ pending: status.pending + 1 });
      return ok(epochs);
    },
    shareItem: async () => ok(set({ pending: status.pending + 1 })),
    shareDraft: async (draft, space) => {
      shared.set(draft, (shared.get(draft) ?? new Set()).add(space));
      return ok(set({ pending: status.pending + 1 }));
    },
    draftSpaces: async (draft) => ok(spaces.filter((s) => shared.get(draft)?.has(s.space.id)).map((s) => s.space)),
    onSyncStatus: async (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
}
