// The devices commands of the preview (dev only): three devices (this one, a laptop, one
// revoked), a link whose new device answers after a moment with four fixed words, its
// completion in three steps, and on a new device a code read if it starts with
// DIPLOMATIE-LIEN:, a confirmation after a moment, and a catch-up shown as the sync's.
// `?linkwrong` makes the new device give a wrong code. The real rules are the backend's.

import type { Api, Result } from '../api';
import type { DeviceDto_Serialize, LinkProgressEvent, SessionDto_Serialize } from '../bindings';

const ok = <T>(data: T): Result<T> => ({ status: 'ok', data });
const fail = (kind: string, message: string, field: string | null = null, detail: string | null = null): Result<never> => ({ status: 'error', error: { kind: kind as never, message, field, detail } });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

type DevicesApi = Pick<Api, 'offerLink' | 'awaitLink' | 'confirmLink' | 'refuseLink' | 'cancelLink' | 'startLink' | 'finishLink' | 'linkCatchUp' | 'devices' | 'revokeDevice' | 'onLinkProgress'>;

const WORDS = ['abricot', 'balcon', 'cerise', 'dauphin'];

function deviceOf(label: string | null, key: string, d: Partial<DeviceDto_Serialize> = {}): DeviceDto_Serialize {
  return { device: key.repeat(32), deviceShort: key.repeat(8), label, thisDevice: false, certified: '2026-11-20T10:00:00Z', lastSeen: new Date().toISOString(), revoked: null, ...d };
}

/** `session`: the profile a linked device opens; `catchUp`: the preview's sync, with its catch-up. */
export function previewDevices(session: () => SessionDto_Serialize, catchUp: () => Promise<unknown>): DevicesApi {
  const wrong = new URLSearchParams(location.search).has('linkwrong');
  const devices: DeviceDto_Serialize[] = [
    deviceOf('Bureau', '0f', { thisDevice: true }),
    deviceOf('Portable', '1e', { lastSeen: '2026-11-27T18:20:00Z' }),
    deviceOf('Ancien portable', '2d', { certified: null, lastSeen: '2026-10-01T08:00:00Z', revoked: '2026-10-02T09:00:00Z' }),
  ];
  const listeners = new Set<(e: LinkProgressEvent) => void>();
  // Moved on by every cancel: a wait started before stops.
  let generation = 0;
  let label = '';
  return {
    offerLink: async () => {
      generation += 1;
      await wait(300);
      const width = 29;
      const dark = Array.from({ length: width * width }, (_, i) => (i * 104729) % 7 < 3);
      return ok({ line: 'DIPLOMATIE-LIEN:https://relais.example#0123456789abcdef0123-ABCDEFGH', short: '0123456789abcdef0123-ABCDEFGH', relay: 'https://relais.example', qr: { width, dark }, validMinutes: 10 });
    },
    awaitLink: async () => {
      const mine = generation;
      await wait(2500);
      if (mine !== generation) return fail('link_cancelled', 'the link was cancelled');
      if (wrong) return fail('link_wrong_code', 'the new device did not give this code');
      return ok({ words: WORDS, label: 'Tablette' });
    },
    confirmLink: async () => {
      for (let done = 0; done <= 3; done += 1) {
        listeners.forEach((cb) => cb({ done, total: 3 }));
        await wait(500);
      }
      devices.splice(1, 0, deviceOf('Tablette', '3c', { lastSeen: null }));
      return ok({ device: '3c'.repeat(16), label: 'Tablette', spaces: 2, items: 400 });
    },
    refuseLink: async () => {
      generation += 1;
      return ok(null);
    },
    cancelLink: async () => {
      generation += 1;
      return ok(null);
    },
    startLink: async (code, name) => {
      if (code.trim() === '') return fail('missing', 'the linkCode is empty', 'linkCode');
      if (!code.trim().startsWith('DIPLOMATIE-LIEN:')) return fail('invalid_link_code', 'a code starts with DIPLOMATIE-LIEN:', 'linkCode');
      if (name.trim() === '') return fail('missing', 'the linkLabel is empty', 'linkLabel');
      if (name.trim().length > 60) return fail('invalid_value', 'name this device in a few words', 'linkLabel', '60');
      generation += 1;
      label = name.trim();
      await wait(600);
      return ok({ words: WORDS, label });
    },
    finishLink: async () => {
      const mine = generation;
      await wait(2500);
      if (mine !== generation) return fail('link_cancelled', 'the link was cancelled');
      return ok(session());
    },
    linkCatchUp: async () => {
      await wait(1000);
      await catchUp();
      return ok({ spaces: 2, items: 400 });
    },
    devices: async () => {
      await wait(150);
      return ok([...devices]);
    },
    revokeDevice: async (id) => {
      await wait(400);
      const d = devices.find((x) => x.device.startsWith(id));
      if (!d) return fail('link_refused', `no device of yours is '${id}'`);
      if (d.thisDevice) return fail('link_refused', 'this is the device in use: revoke it from another of your devices');
      Object.assign(d, { certified: null, revoked: new Date().toISOString() });
      return ok(d);
    },
    onLinkProgress: async (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
}
