// The sync's status in the main window: online or offline ("en ligne / hors ligne"), what
// waits to be sent, when the last sync ended, a button to sync now, and a progress bar during
// a long catch-up. The background sync runs by itself (every 15 s, later and later while the
// relay cannot be reached); an unreachable relay is shown here as "hors ligne", never as an
// error dialog. Only the state is announced (aria-live), not each new time.

import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api';
import { errorText } from '../lib/errors';
import { formatDateTime } from '../lib/format';
import { useSyncStatus } from '../lib/useSyncStatus';

export function SyncStatus() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const id = useId();
  const { status, replace } = useSyncStatus(api);
  const [asking, setAsking] = useState(false);

  if (!status) return null;
  const joined = status.relay !== null;
  const busy = asking || status.syncing;
  const progress = status.syncing ? status.progress : null;

  async function syncNow() {
    if (asking) return;
    setAsking(true);
    const r = await api.syncNow();
    setAsking(false);
    if (r.status === 'ok') replace(r.data);
  }

  return (
    <section className={`sync-status sync-${status.state}`} data-testid="sync-status" data-state={status.state} data-syncing={busy ? 'true' : 'false'} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="visually-hidden">
        {t('sync.title')}
      </h2>
      <div role="status" aria-live="polite">
        <p className="sync-state" data-testid="sync-state" title={status.state === 'offline' ? t('sync.offlineHint') : undefined}>
          <span className="sync-dot" aria-hidden="true" />
          {t(`sync.state.${status.state}`)}
        </p>
        {status.state === 'error' && status.error && (
          <p className="sync-failure msg-error" data-testid="sync-error">
            {errorText(t, status.error)}
          </p>
        )}
      </div>
      {joined && (
        <p className="sync-pending" data-testid="sync-pending" data-count={status.pending}>
          {t('sync.pending', { n: status.pending })}
        </p>
      )}
      {joined && (
        <p className="sync-last" data-testid="sync-last">
          {status.lastSync ? t('sync.last', { at: formatDateTime(status.lastSync, i18n.language) }) : t('sync.never')}
        </p>
      )}
      {progress && progress.total !== null && progress.total > 0 && (
        <div className="sync-progress">
          <label htmlFor={`${id}-progress`}>{t('sync.catchUp', { space: progress.space, done: progress.done, total: progress.total })}</label>
          <progress id={`${id}-progress`} data-testid="sync-progress" max={progress.total} value={Math.min(progress.done, progress.total)} />
        </div>
      )}
      {joined && (
        <button type="button" data-testid="sync-now" disabled={asking} aria-busy={busy} onClick={() => void syncNow()}>
          {busy ? t('sync.syncing') : t('sync.now')}
        </button>
      )}
    </section>
  );
}
