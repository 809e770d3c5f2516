// The one door to the backend. Components receive an `Api` (through ApiContext) and never
// import Tauri themselves, so that unit tests hand them a fake (src/test/fakeApi.ts).
//
// The commands are exactly those of the generated bindings (`typeof commands`); the events,
// the file dialogs and drag-and-drop are wrapped into plain callbacks.

import { createContext, useContext } from 'react';
import { open, save } from '@tauri-apps/plugin-dialog';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import {
  commands,
  events,
  type ArrivalsEvent,
  type CommandError_Serialize,
  type DraftsChangedEvent,
  type ErrorKind,
  type ImportProgressEvent,
  type OpenDraftEvent,
  type OpenItemEvent,
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
  /** Files dropped on the window. */
  onDrop(cb: (paths: string[]) => void): Promise<Unlisten>;
  /** `.eml` files chosen in the system's file picker; empty when cancelled. */
  pickEmlFiles(filterName: string): Promise<string[]>;
  /** Any files chosen in the system's file picker (to attach); empty when cancelled. */
  pickFiles(): Promise<string[]>;
  /** A folder chosen in the system's picker; null when cancelled. */
  pickDirectory(): Promise<string | null>;
  /** Where to save a file; null when cancelled. */
  pickSaveDestination(defaultName: string): Promise<string | null>;
}

export type Api = Commands & Platform;

export const tauriApi: Api = {
  ...commands,
  onArrivals: (cb) => events.arrivalsEvent.listen((e) => cb(e.payload)),
  onOpenItem: (cb) => events.openItemEvent.listen((e) => cb(e.payload)),
  onImportProgress: (cb) => events.importProgressEvent.listen((e) => cb(e.payload)),
  onDraftsChanged: (cb) => events.draftsChangedEvent.listen((e) => cb(e.payload)),
  onOpenDraft: (cb) => events.openDraftEvent.listen((e) => cb(e.payload)),
  onDrop: (cb) =>
    getCurrentWebview().onDragDropEvent((e) => {
      if (e.payload.type === 'drop') cb(e.payload.paths);
    }),
  pickEmlFiles: async (filterName) => {
    const picked = await open({
      multiple: true,
      directory: false,
      filters: [{ name: filterName, extensions: ['eml'] }],
    });
    return picked ?? [];
  },
  pickFiles: async () => {
    const picked = await open({ multiple: true, directory: false });
    return picked ?? [];
  },
  pickDirectory: async () => {
    const picked = await open({ multiple: false, directory: true });
    return picked ?? null;
  },
  pickSaveDestination: (defaultName) => save({ defaultPath: defaultName }),
};

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
  'io',
  'internal',
] as const satisfies readonly ErrorKind[];

// Fails to compile when the backend adds a kind that the list above lacks.
type Missing = Exclude<ErrorKind, (typeof ERROR_KINDS)[number]>;
const exhaustive: Missing extends never ? true : false = true;
void exhaustive;
