import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api';
import type { LanguageDto, SessionDto_Serialize } from '../bindings';
import { errorText } from '../lib/errors';
import { MARK, mark } from '../lib/perf';
import { Gate } from './common';
import { Warmup } from './Warmup';

export function Unlock({
  profileDir,
  onUnlocked,
  onLanguage,
}: {
  profileDir: string;
  onUnlocked: (s: SessionDto_Serialize) => void;
  onLanguage: (l: LanguageDto) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Ready for the passphrase: the benchmark's cold start ends here.
  useEffect(() => {
    input.current?.focus();
    mark(MARK.unlockReady);
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || passphrase === '') return;
    mark(MARK.unlockSubmit);
    setBusy(true);
    setError(null);
    const r = await api.unlock(passphrase);
    mark(MARK.unlockAnswered);
    setBusy(false);
    if (r.status === 'ok') {
      setPassphrase('');
      onUnlocked(r.data);
      return;
    }
    setError(errorText(t, r.error));
    setPassphrase('');
    input.current?.focus();
  }

  return (
    <Gate titleId={`${id}-title`} onLanguage={onLanguage}>
      <form className="gate-card" onSubmit={submit} noValidate>
        <h1 id={`${id}-title`}>{t('unlock.title')}</h1>
        <p>{t('unlock.intro')}</p>
        <div className="field">
          <label htmlFor={`${id}-pass`}>{t('unlock.passphrase')}</label>
          <input
            ref={input}
            id={`${id}-pass`}
            data-testid="unlock-passphrase"
            type="password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            autoComplete="current-password"
            required
            aria-required="true"
            autoFocus
            aria-invalid={!!error}
            aria-describedby={error ? `${id}-error` : undefined}
          />
        </div>
        {error && (
          <p id={`${id}-error`} className="form-errors" role="alert" data-testid="unlock-error">
            {error}
          </p>
        )}
        <p className="visually-hidden" role="status" aria-live="polite">
          {busy ? t('unlock.busy') : ''}
        </p>
        <button type="submit" className="primary" data-testid="unlock-submit" disabled={busy} aria-busy={busy}>
          {busy ? t('unlock.busy') : t('unlock.submit')}
        </button>
        {profileDir && <p className="muted small">{t('unlock.profileDir', { dir: profileDir })}</p>}
      </form>
      <Warmup />
    </Gate>
  );
}
