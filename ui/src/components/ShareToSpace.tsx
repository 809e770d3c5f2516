// "Partager dans un espace": an item (in the reader) or a draft (in the editor) put in a
// space's outbox; it goes to every member at the next sync, which is asked for at once. A
// draft once shared keeps travelling: every change made to it since, here or by the space's
// members, goes the same way; the editor lists the spaces it is shared into.

import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, type CommandError } from '../api';
import type { SpaceDto_Serialize } from '../bindings';
import { errorText } from '../lib/errors';

export function ShareToSpace({ target, id, testPrefix }: { target: 'item' | 'draft'; id: string; testPrefix: 'reader' | 'draft' }) {
  const { t } = useTranslation();
  const api = useApi();
  const dom = useId();
  const [open, setOpen] = useState(false);
  const [spaces, setSpaces] = useState<SpaceDto_Serialize[] | null>(null);
  const [sharedIn, setSharedIn] = useState<SpaceDto_Serialize[]>([]);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [outcome, setOutcome] = useState('');
  const p = testPrefix;

  const loadShared = useCallback(async () => {
    if (target !== 'draft') return;
    const r = await api.draftSpaces(id);
    if (r.status === 'ok') setSharedIn(r.data);
  }, [api, id, target]);

  useEffect(() => {
    void loadShared();
  }, [loadShared]);

  useEffect(() => {
    if (!open) return;
    let live = true;
    void api.spaces().then((r) => {
      if (!live) return;
      if (r.status === 'ok') {
        // A space this device was removed from takes nothing new.
        const current = r.data.filter((s) => s.removedAt === null);
        setSpaces(current);
        setChoice((c) => c || (current.length === 1 ? (current[0]?.id ?? '') : ''));
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, open]);

  async function share() {
    if (choice === '' || busy) return;
    setBusy(true);
    setError(null);
    setOutcome('');
    const r = target === 'item' ? await api.shareItem(id, choice) : await api.shareDraft(id, choice);
    setBusy(false);
    if (r.status === 'ok') {
      const name = spaces?.find((s) => s.id === choice)?.name ?? '';
      setOutcome(t('share.done', { space: name }));
      void loadShared();
    } else setError(r.error);
  }

  return (
    <section className="share" data-testid={`${p}-share`} aria-labelledby={`${dom}-open`}>
      <button type="button" id={`${dom}-open`} data-testid={`${p}-share-open`} aria-expanded={open} aria-controls={`${dom}-panel`} onClick={() => setOpen((o) => !o)}>
        {target === 'item' ? t('share.item') : t('share.draft')}
      </button>
      {sharedIn.length > 0 && (
        <p className="muted small" data-testid={`${p}-share-spaces`}>
          {t('share.sharedIn', { spaces: sharedIn.map((s) => s.name).join(', ') })}
        </p>
      )}
      <div id={`${dom}-panel`} className="share-panel" hidden={!open}>
        {open && spaces === null && !error && <p className="muted">{t('share.loading')}</p>}
        {open && spaces !== null && spaces.length === 0 && (
          <p className="field-hint" data-testid={`${p}-share-none`}>
            {t('share.noSpace')}
          </p>
        )}
        {open && spaces !== null && spaces.length > 0 && (
          <div className="field">
            <label htmlFor={`${dom}-space`}>{t('share.space')}</label>
            <div className="form-actions">
              <select id={`${dom}-space`} data-testid={`${p}-share-space`} value={choice} onChange={(e) => setChoice(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${dom}-error` : undefined}>
                <option value="">{t('share.choose')}</option>
                {spaces.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
              <button type="button" data-testid={`${p}-share-submit`} disabled={choice === '' || busy} aria-busy={busy} onClick={() => void share()}>
                {t('share.submit')}
              </button>
            </div>
          </div>
        )}
        {error && (
          <p className="field-error" id={`${dom}-error`} data-testid={`${p}-share-error`} role="alert">
            {errorText(t, error)}
          </p>
        )}
        <p className="msg-ok" data-testid={`${p}-share-outcome`} role="status" aria-live="polite">
          {outcome}
        </p>
      </div>
    </section>
  );
}
