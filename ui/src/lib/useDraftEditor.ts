// The open draft: its `DraftSession`, the batch sent at each pause in the typing (not at each
// keystroke), every call to the backend one after the other (so that answers come in order
// and each carries everything sent before), and the reload when another replica's changes
// were merged (`DraftsChangedEvent`), sending what is typed first.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api, CommandError, Result } from '../api';
import type { DraftDto_Serialize, DraftEditDto } from '../bindings';
import { DraftSession } from './draftSession';
import { useListen } from './useListen';

/** The pause in the typing after which the edits go. */
export const EDIT_PAUSE_MS = 600;

export interface DraftEditor {
  session: DraftSession | null;
  draft: DraftDto_Serialize | null;
  /** Re-render counter: bumps at each change of the session. */
  version: number;
  error: CommandError | null;
  /** The texts as they were before the last state from the backend (for the caret). */
  lastBefore: Map<string, string>;
  /** Call after changing the session (typing): schedules the batch. */
  changed: () => void;
  /** Sends what waits now (a blur, a structural edit). */
  flush: () => Promise<void>;
  /** Runs a call that returns a newer draft, after what waits is sent. */
  run: (call: () => Promise<Result<DraftDto_Serialize>>) => Promise<boolean>;
  clearError: () => void;
  /** Another replica changed the draft (the last merge), for a word to screen readers. */
  remoteSeq: number;
  /** The backend, for the calls made through `run`. */
  apiRef: Api;
}

export function useDraftEditor(api: Api, id: string): DraftEditor {
  const [session, setSession] = useState<DraftSession | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<CommandError | null>(null);
  const [remoteSeq, setRemoteSeq] = useState(0);
  const sessionRef = useRef<DraftSession | null>(null);
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastBefore = useRef(new Map<string, string>());
  const alive = useRef(true);

  const bump = useCallback(() => setVersion((v) => v + 1), []);

  const apply = useCallback(
    (draft: DraftDto_Serialize) => {
      const s = sessionRef.current;
      if (!s) {
        const fresh = new DraftSession(draft);
        sessionRef.current = fresh;
        setSession(fresh);
      } else lastBefore.current = s.receive(draft);
      bump();
    },
    [bump],
  );

  /** Queues `work` after every call already queued. */
  const serial = useCallback(<T,>(work: () => Promise<T>): Promise<T> => {
    const next = chain.current.then(work, work);
    chain.current = next.catch(() => undefined);
    return next;
  }, []);

  const sendBatch = useCallback(async () => {
    const s = sessionRef.current;
    if (!s || !s.dirty) return;
    // Stale: another replica's changes were merged between what we saw and our batch. Take
    // the newer draft, carry the batch over it, send again (a few times at most).
    for (let attempt = 0; ; attempt++) {
      const heads = s.heads;
      const edits: DraftEditDto[] = s.takeBatch();
      if (edits.length === 0) return;
      const r = await api.editDraft(s.draft.id, heads, edits);
      if (!alive.current) return;
      if (r.status === 'ok') {
        apply(r.data);
        return;
      }
      if (r.error.kind === 'stale_draft' && attempt < 3) {
        s.restore();
        const newer = await api.openDraft(s.draft.id);
        if (!alive.current) return;
        if (newer.status === 'ok') {
          apply(newer.data);
          setRemoteSeq((n) => n + 1);
          continue;
        }
      }
      setError(r.error);
      // The batch was refused as a whole: show the backend's state again.
      const again = await api.openDraft(s.draft.id);
      if (alive.current && again.status === 'ok') {
        sessionRef.current = new DraftSession(again.data);
        setSession(sessionRef.current);
        bump();
      }
      return;
    }
  }, [api, apply, bump]);

  const flush = useCallback(() => {
    if (timer.current) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    return serial(sendBatch);
  }, [serial, sendBatch]);

  const changed = useCallback(() => {
    bump();
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      void serial(sendBatch);
    }, EDIT_PAUSE_MS);
  }, [bump, serial, sendBatch]);

  const run = useCallback(
    async (call: () => Promise<Result<DraftDto_Serialize>>) => {
      await flush();
      return serial(async () => {
        const r = await call();
        if (!alive.current) return false;
        if (r.status === 'ok') {
          setError(null);
          apply(r.data);
          return true;
        }
        setError(r.error);
        return false;
      });
    },
    [flush, serial, apply],
  );

  // Open.
  useEffect(() => {
    alive.current = true;
    sessionRef.current = null;
    setSession(null);
    setError(null);
    void serial(async () => {
      const r = await api.openDraft(id);
      if (!alive.current) return;
      if (r.status === 'ok') apply(r.data);
      else setError(r.error);
    });
    return () => {
      alive.current = false;
      if (timer.current) clearTimeout(timer.current);
      // What is typed and not sent goes now.
      const s = sessionRef.current;
      if (s?.dirty) {
        const heads = s.heads;
        void api.editDraft(s.draft.id, heads, s.takeBatch());
      }
    };
  }, [api, id, serial, apply]);

  // Another replica's changes were merged into this draft: send ours, then reload.
  useListen(api.onDraftsChanged, (e) => {
    if (!e.ids.includes(id)) return;
    void (async () => {
      await flush();
      await serial(async () => {
        const r = await api.openDraft(id);
        if (alive.current && r.status === 'ok') {
          apply(r.data);
          setRemoteSeq((n) => n + 1);
        }
      });
    })();
  });

  return {
    session,
    draft: session?.draft ?? null,
    version,
    error,
    lastBefore: lastBefore.current,
    changed,
    flush,
    run,
    clearError: () => setError(null),
    remoteSeq,
    apiRef: api,
  };
}
