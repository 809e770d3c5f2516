// The settings' "Réseau" section: the relay this device joined, and the form to join one
// with its address and a one-time token from its operator. Errors point at their field: an
// address that is not one, a relay that cannot be reached (the address), a token the relay
// refuses (the token).

import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, type CommandError } from '../api';
import { errorText } from '../lib/errors';
import { useSyncStatus } from '../lib/useSyncStatus';
import { ErrorAlert, RequiredMark } from './common';

export function RelaySettings() {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const { status, replace } = useSyncStatus(api);
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [joined, setJoined] = useState<string | null>(null);

  async function join(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setJoined(null);
    const r = await api.joinRelay(url.trim(), token.trim());
    setBusy(false);
    if (r.status === 'ok') {
      setUrl('');
      setToken('');
      replace(r.data);
      setJoined(r.data.relay);
    } else setError(r.error);
  }

  const at = (field: string) => (error?.field === field ? error : null);
  const urlError = at('relayUrl');
  const tokenError = at('relayToken');
  const tokenText = tokenError?.kind === 'relay_refused' ? t('settings.network.tokenRefused', { message: tokenError.message }) : tokenError ? errorText(t, tokenError) : '';
  const otherError = error && !urlError && !tokenError ? error : null;

  return (
    <form onSubmit={join} data-testid="settings-relay" aria-busy={busy}>
      <fieldset className="group">
        <legend>{t('settings.network.legend')}</legend>
        <p className="field-hint">{t('settings.network.hint')}</p>
        <p className="relay-joined" data-testid="settings-relay-joined" data-relay={status?.relay ?? ''}>
          {status?.relay ? t('settings.network.joined', { url: status.relay }) : t('settings.network.none')}
        </p>
        <p className="field-hint">{t('required.legend')}</p>
        <div className="field">
          <label htmlFor={`${id}-url`}>
            {t('settings.network.url')}
            <RequiredMark />
          </label>
          <input
            id={`${id}-url`}
            data-testid="settings-relay-url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            aria-required="true"
            aria-invalid={urlError ? true : undefined}
            aria-describedby={`${id}-url-hint${urlError ? ` ${id}-url-error` : ''}`}
          />
          <p id={`${id}-url-hint`} className="field-hint">
            {t('settings.network.urlHint')}
          </p>
          {urlError && (
            <p className="field-error" id={`${id}-url-error`} data-testid="settings-relay-error" data-field="relayUrl" role="alert">
              {errorText(t, urlError)}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-token`}>
            {t('settings.network.token')}
            <RequiredMark />
          </label>
          <input
            id={`${id}-token`}
            data-testid="settings-relay-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-required="true"
            aria-invalid={tokenError ? true : undefined}
            aria-describedby={`${id}-token-hint${tokenError ? ` ${id}-token-error` : ''}`}
          />
          <p id={`${id}-token-hint`} className="field-hint">
            {t('settings.network.tokenHint')}
          </p>
          {tokenError && (
            <p className="field-error" id={`${id}-token-error`} data-testid="settings-relay-error" data-field="relayToken" role="alert">
              {tokenText}
            </p>
          )}
        </div>
        <ErrorAlert error={otherError} />
        <div className="form-actions">
          <button type="submit" data-testid="settings-relay-join" disabled={busy || url.trim() === '' || token.trim() === ''} aria-busy={busy}>
            {busy ? t('settings.network.joining') : t('settings.network.join')}
          </button>
          <span className="msg-ok" data-testid="settings-relay-outcome" role="status" aria-live="polite">
            {joined ? t('settings.network.done', { url: joined }) : ''}
          </span>
        </div>
      </fieldset>
    </form>
  );
}
