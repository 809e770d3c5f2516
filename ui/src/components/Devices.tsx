// The settings' "Appareils" section: the devices that share this person's identity (its name,
// "cet appareil", when the relay last saw it, revoked), "Révoquer" on each other device after
// a confirmation shown in place, and "Lier un nouvel appareil" (LinkDevice). A device is named
// to the backend by its id, never by its name (two may share one).

import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, type CommandError } from '../api';
import type { DeviceDto_Serialize } from '../bindings';
import { formatDateTime } from '../lib/format';
import { useInlineConfirm } from '../lib/useInlineConfirm';
import { useSyncStatus } from '../lib/useSyncStatus';
import { ErrorAlert } from './common';
import { InPlaceConfirm } from './InPlaceConfirm';
import { LinkDevice } from './LinkDevice';

export function Devices() {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const { status } = useSyncStatus(api);
  const [devices, setDevices] = useState<DeviceDto_Serialize[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [said, setSaid] = useState('');
  const [linking, setLinking] = useState(false);
  const title = useRef<HTMLHeadingElement>(null);
  const linkButton = useRef<HTMLButtonElement>(null);
  const closed = useRef(false);

  const load = useCallback(async () => {
    const r = await api.devices();
    if (r.status === 'ok') {
      setDevices(r.data);
      setError(null);
    } else setError(r.error);
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  // Back to the button that opened the panel once it is closed.
  useEffect(() => {
    if (!linking && closed.current) {
      closed.current = false;
      linkButton.current?.focus();
    }
  }, [linking]);

  const joined = status?.relay != null;

  return (
    <section className="group devices" data-testid="devices" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} ref={title} tabIndex={-1}>
        {t('devices.title')}
      </h2>
      <p className="field-hint">{t('devices.intro')}</p>
      <ErrorAlert error={error} />
      {devices === null && !error && <p className="muted">{t('devices.loading')}</p>}
      {devices && (
        <ul className="device-list" data-testid="device-list">
          {devices.map((d) => (
            <DeviceRow
              key={d.device}
              device={d}
              onRevoked={(name) => {
                setSaid(t('devices.revokedDone', { name }));
                title.current?.focus();
                void load();
              }}
            />
          ))}
        </ul>
      )}
      <p className="msg-ok" data-testid="devices-status" role="status" aria-live="polite">
        {said}
      </p>
      {linking ? (
        <LinkDevice
          onClose={() => {
            closed.current = true;
            setLinking(false);
          }}
          onLinked={() => void load()}
        />
      ) : (
        <div className="form-actions">
          <button type="button" ref={linkButton} data-testid="link-start" disabled={!joined} aria-describedby={joined ? undefined : `${id}-not-joined`} onClick={() => setLinking(true)}>
            {t('link.offer.start')}
          </button>
          {!joined && (
            <span className="field-hint" id={`${id}-not-joined`}>
              {t('devices.notJoined')}
            </span>
          )}
        </div>
      )}
    </section>
  );
}

/** One device; another one still in use has "Révoquer", confirmed in place. */
function DeviceRow({ device: d, onRevoked }: { device: DeviceDto_Serialize; onRevoked: (name: string) => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const id = useId();
  const confirm = useInlineConfirm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const name = d.label ?? t('devices.unnamed');
  const revocable = !d.thisDevice && d.revoked === null;

  async function revoke(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await api.revokeDevice(d.device);
    setBusy(false);
    if (r.status === 'ok') {
      confirm.close();
      onRevoked(name);
    } else setError(r.error);
  }

  return (
    <li className={`device-row${d.revoked ? ' device-revoked' : ''}`} data-testid="device-row" data-device={d.device} data-this={d.thisDevice ? 'true' : 'false'} data-revoked={d.revoked ? 'true' : 'false'}>
      <span className="device-name" data-testid="device-name">
        {name}
      </span>
      <span className="mono muted" title={d.device}>
        {t('devices.id', { id: d.deviceShort })}
      </span>
      {d.thisDevice && (
        <span className="badge badge-verified" data-testid="device-this">
          {t('devices.thisDevice')}
        </span>
      )}
      {d.revoked ? (
        <span className="badge badge-removed" data-testid="device-revoked">
          {t('devices.revoked', { at: formatDateTime(d.revoked, i18n.language) })}
        </span>
      ) : (
        <span className="muted small" data-testid="device-seen">
          {d.lastSeen ? t('devices.lastSeen', { at: formatDateTime(d.lastSeen, i18n.language) }) : t('devices.notSeen')}
        </span>
      )}
      {revocable && (
        <button
          type="button"
          ref={confirm.opener}
          className="member-remove-open"
          data-testid="device-revoke"
          aria-label={t('devices.revokeLabel', { name })}
          aria-expanded={confirm.asking}
          aria-controls={confirm.asking ? `${id}-confirm` : undefined}
          onClick={confirm.toggle}
        >
          {t('devices.revoke')}
        </button>
      )}
      {revocable && confirm.asking && (
        <InPlaceConfirm
          id={id}
          confirm={confirm}
          testId="device-revoke"
          question={t('devices.revokeQuestion', { name })}
          hint={t('devices.revokeHint')}
          error={error}
          busy={busy}
          submitLabel={t('devices.revokeConfirm')}
          busyLabel={t('devices.revoking')}
          cancelLabel={t('devices.cancel')}
          onSubmit={revoke}
        />
      )}
    </li>
  );
}
