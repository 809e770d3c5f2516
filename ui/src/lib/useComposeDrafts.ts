// The composer's forms while the profile is unlocked, and their copy in the encrypted store.
//
// The forms are read from the store (formDraft) the first time the composer opens after an
// unlock, kept here while the profile stays unlocked, and written back (saveFormDraft) about
// a second after the last change, at once on request, and before a lock (flush). Nothing
// goes to the webview's storage. The owner (the shell) is unmounted on lock, so the forms
// leave memory with it.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api, CommandError } from '../api';
import type { KindDto } from '../bindings';
import { defaultForm, parseForm, serialiseForm, type ComposeForm } from './compose';
import { KINDS } from './filter';
import { today } from './format';

/** How long after the last change a form is written to the store. */
export const DRAFT_SAVE_DELAY_MS = 1000;

export type ComposeForms = Record<KindDto, ComposeForm>;

export interface ComposeDrafts {
  /** The forms per kind; null until read from the store. */
  forms: ComposeForms | null;
  kind: KindDto;
  setKind(kind: KindDto): void;
  /** Reads the kept forms, once per unlock (the composer calls it when it opens). */
  load(): void;
  /** Changes the form of `kind`; it is written to the store shortly after. */
  update(kind: KindDto, change: (form: ComposeForm) => ComposeForm): void;
  /** Writes every changed form now (and `kind`'s even unchanged); the first error, if any. */
  flush(kind?: KindDto): Promise<CommandError | null>;
  /** Empties the form of `kind`, here and in the store (sent, or discarded). */
  discard(kind: KindDto): Promise<void>;
}

export function useComposeDrafts(api: Api, delayMs = DRAFT_SAVE_DELAY_MS): ComposeDrafts {
  const [forms, setForms] = useState<ComposeForms | null>(null);
  const [kind, setKind] = useState<KindDto>('telegram');
  const formsRef = useRef<ComposeForms | null>(null);
  const dirty = useRef(new Set<KindDto>());
  const timer = useRef<number | undefined>(undefined);
  const loading = useRef(false);
  // Store commands run one after the other, so that a late save never follows a discard.
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const apiRef = useRef(api);
  apiRef.current = api;

  const enqueue = useCallback(<T>(op: () => Promise<T>): Promise<T> => {
    const next = queue.current.then(op, op);
    queue.current = next.catch(() => undefined);
    return next;
  }, []);

  const flush = useCallback(
    async (force?: KindDto): Promise<CommandError | null> => {
      window.clearTimeout(timer.current);
      const current = formsRef.current;
      if (!current) return null;
      if (force) dirty.current.add(force);
      const kinds = [...dirty.current];
      dirty.current.clear();
      const results = await Promise.all(kinds.map((k) => {
        const json = serialiseForm(current[k]);
        return enqueue(() => apiRef.current.saveFormDraft(k, json));
      }));
      const failed = results.find((r) => r.status === 'error');
      return failed && failed.status === 'error' ? failed.error : null;
    },
    [enqueue],
  );

  const load = useCallback(() => {
    if (loading.current) return;
    loading.current = true;
    void (async () => {
      const day = today();
      const read = await Promise.all(KINDS.map((k) => enqueue(() => apiRef.current.formDraft(k))));
      const loaded = Object.fromEntries(
        KINDS.map((k, i) => {
          const r = read[i];
          return [k, (r?.status === 'ok' ? parseForm(r.data, day) : null) ?? defaultForm(day)];
        }),
      ) as ComposeForms;
      formsRef.current = loaded;
      setForms(loaded);
    })();
  }, [enqueue]);

  const update = useCallback(
    (k: KindDto, change: (form: ComposeForm) => ComposeForm) => {
      const current = formsRef.current;
      if (!current) return;
      const next = change(current[k]);
      if (next === current[k]) return;
      const all = { ...current, [k]: next };
      formsRef.current = all;
      setForms(all);
      dirty.current.add(k);
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void flush(), delayMs);
    },
    [flush, delayMs],
  );

  const discard = useCallback(
    async (k: KindDto) => {
      const current = formsRef.current;
      dirty.current.delete(k);
      if (current) {
        const all = { ...current, [k]: defaultForm(today()) };
        formsRef.current = all;
        setForms(all);
      }
      await enqueue(() => apiRef.current.discardFormDraft(k));
    },
    [enqueue],
  );

  // Unmounted on lock, after the owner's flush: nothing is written later.
  useEffect(() => () => window.clearTimeout(timer.current), []);

  return { forms, kind, setKind, load, update, flush, discard };
}
