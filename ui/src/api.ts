// The one door to the backend. Components receive an `Api` (through ApiContext) and never
// import Tauri themselves, so that unit tests hand them a fake (src/test/fakeApi.ts).
//
// The commands are exactly those of the generated bindings (`typeof commands`); the events
// and drag-and-drop are wrapped into plain callbacks.
//
// The page never names a file: the file dialogs are opened by the backend (`pickEmlFiles`,
// `pickEmlFolder`, `pickAttachments`, `saveAttachment`), which hands back tokens for what the
// user chose, and files dropped on the window arrive as tokens too.

import { createContext, useContext } from 'react';
import {
  commands,
  events,
  type ArrivalsEvent,
  type CommandError_Serialize,
  type DraftsChangedEvent,
  type ErrorKind,
  type FilesDroppedEvent,
  type ImportProgressEvent,
  type LinkProgressEvent,
  type OpenDraftEvent,
  type OpenItemEvent,
  type SyncStatusEvent_Serialize,
} from './bindings';

export type Commands = typeof commands;
export type CommandError = CommandError_Serialize;
export type Result<T> = { status: 'ok'; data: T } | { status: 'error'; error: CommandError };
export type Unlisten = () => void;

export interface Platform {
  /** New items arrived: refresh lists and counts. */
  onArrivals(cb: (e: ArrivalsEvent) => void): Promise<Unlisten>;
  /** A desktop notification was clicked: open that item. */
  onOpenItem(cb: (e: OpenItemEvent) => void): Promise<Unlisten>;
  onImportProgress(cb: (e: ImportProgressEvent) => void): Promise<Unlisten>;
  /** Another replica's changes were merged into these drafts: open editors reload. */
  onDraftsChanged(cb: (e: DraftsChangedEvent) => void): Promise<Unlisten>;
  /** A "clearance requested" notification was clicked: open that draft. */
  onOpenDraft(cb: (e: OpenDraftEvent) => void): Promise<Unlisten>;
  /** Files dropped on the window: import tokens for them. */
  onDrop(cb: (tokens: string[]) => void): Promise<Unlisten>;
  /** The sync with the relay changed: online or offline, what waits, a sync under way. */
  onSyncStatus(cb: (e: SyncStatusEvent_Serialize) => void): Promise<Unlisten>;
  /** A device link being completed: `done` of `total` steps. */
  onLinkProgress(cb: (e: LinkProgressEvent) => void): Promise<Unlisten>;
}

export type Api = Commands & Platform;

export const tauriApi: Api = {
  ...commands,
  onArrivals: (cb) => events.arrivalsEvent.listen((e) => cb(e.payload)),
  onOpenItem: (cb) => events.openItemEvent.listen((e) => cb(e.payload)),
  onImportProgress: (cb) => events.importProgressEvent.listen((e) => cb(e.payload)),
  onDraftsChanged: (cb) => events.draftsChangedEvent.listen((e) => cb(e.payload)),
  onOpenDraft: (cb) => events.openDraftEvent.listen((e) => cb(e.payload)),
  onDrop: (cb) => events.filesDroppedEvent.listen((e: { payload: FilesDroppedEvent }) => cb(e.payload.tokens)),
  onSyncStatus: (cb) => events.syncStatusEvent.listen((e) => cb(e.payload)),
  onLinkProgress: (cb) => events.linkProgressEvent.listen((e) => cb(e.payload)),
};

/** The file name a token of a chosen file ends with (`<random>/<name>`). */
export function tokenName(token: string): string {
  const i = token.indexOf('/');
  return i < 0 ? token : token.slice(i + 1);
}

/**
 * Wraps every command so that a `locked` error (the profile was locked meanwhile, by the
 * inactivity timer or elsewhere) sends the user back to the unlock screen.
 */
export function guardLocked(api: Api, onLocked: () => void): Api {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(api)) {
    if (typeof value !== 'function' || !(name in commands)) {
      guarded[name] = value;
      continue;
    }
    guarded[name] = async (...args: unknown[]) => {
      const result = await (value as (...a: unknown[]) => Promise<unknown>)(...args);
      if (isLockedError(result)) onLocked();
      return result;
    };
  }
  return guarded as unknown as Api;
}

function isLockedError(result: unknown): boolean {
  if (typeof result !== 'object' || result === null) return false;
  const r = result as { status?: unknown; error?: { kind?: unknown } };
  return r.status === 'error' && r.error?.kind === 'locked';
}

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}

/** Every error kind the backend can send; the compiler checks the list is complete. */
export const ERROR_KINDS = [
  'locked',
  'no_profile',
  'profile_exists',
  'wrong_passphrase',
  'weak_passphrase',
  'profile_folder',
  'damaged',
  'newer_schema',
  'not_found',
  'missing',
  'no_action_addressee',
  'flash_without_justification',
  'flash_email',
  'duplicate_message',
  'attachment',
  'attachment_unreadable',
  'attachments_too_large',
  'marking_below_paragraph',
  'above_accreditation',
  'invalid_tag',
  'invalid_address',
  'invalid_date',
  'invalid_query',
  'invalid_setting',
  'not_allowed',
  'wrong_stage',
  'not_your_turn',
  'already_cleared',
  'empty_comment',
  'empty_reason',
  'frozen',
  'withdrawn',
  'invalid_circuit',
  'circuit_fixed',
  'unresolved_conflicts',
  'invalid_value',
  'stale_draft',
  'bad_signature',
  'numbering_unavailable',
  'numbering_exhausted',
  'invalid_draft',
  'exchange_refused',
  'invalid_card',
  'contact_refused',
  'acknowledge_refused',
  'invalid_relay_address',
  'relay_unreachable',
  'relay_refused',
  'relay_not_joined',
  'relay_conflict',
  'space_refused',
  'link_refused',
  'link_wrong_code',
  'invalid_link_code',
  'link_timeout',
  'link_cancelled',
  'no_link',
  'io',
  'internal',
] as const satisfies readonly ErrorKind[];

// Fails to compile when the backend adds a kind that the list above lacks.
type Missing = Exclude<ErrorKind, (typeof ERROR_KINDS)[number]>;
const exhaustive: Missing extends never ? true : false = true;
void exhaustive;
