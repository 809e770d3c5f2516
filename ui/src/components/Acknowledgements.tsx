// Acknowledgements of a released text ("accusé de réception": read and taken into account).
// An addressee for action acknowledges it with one button, then sees when they did; the
// sender's side (drafter, approver, and anyone else who holds the draft) sees who
// acknowledged and when, each named as this profile knows them: you, a contact (verified by
// safety number or not) or a key nobody vouches for (in red, with its key). The list follows
// the acknowledgements merged from the exchange folder. Items that are not released texts of
// a draft show nothing.

import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import '../drafting.css';
import { useApi } from '../api';
import type { AcknowledgementDto, AcknowledgementsDto_Serialize, DraftsChangedEvent } from '../bindings';
import { errorText } from '../lib/errors';
import { formatDateTime } from '../lib/format';
import { useListen } from '../lib/useListen';
import { sealState } from './ReleaseSeal';

function Acknowledgement({ ack }: { ack: AcknowledgementDto }) {
  const { t, i18n } = useTranslation();
  const state = sealState(ack.seal);
  const who =
    ack.seal.kind === 'own'
      ? t('ack.own')
      : ack.seal.kind === 'contact'
        ? t(ack.seal.verified ? 'ack.verified' : 'ack.unverified', { name: ack.seal.name })
        : t('ack.unknown', { name: ack.name, key: ack.identityShort });
  return (
    <li className={`ack ack-${state}`} data-testid="reader-ack" data-seal={state} role={state === 'unknown' ? 'alert' : undefined}>
      <span className="ack-who" data-testid="reader-ack-who">
        {who}
      </span>{' '}
      <span className="muted small" data-testid="reader-ack-at">
        {t('ack.at', { date: formatDateTime(ack.at, i18n.language) })}
      </span>{' '}
      <span className="muted small mono" title={ack.device}>
        {t('release.device', { device: ack.deviceShort })}
      </span>
    </li>
  );
}

export function Acknowledgements({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [acks, setAcks] = useState<AcknowledgementsDto_Serialize | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const load = useCallback(
    async (isCurrent: () => boolean = () => true) => {
      const r = await api.acknowledgements(id);
      if (!isCurrent()) return;
      // Not a released text, or unreadable: nothing to show here (the seal above says why).
      setAcks(r.status === 'ok' && r.data.released ? r.data : null);
    },
    [api, id],
  );

  useEffect(() => {
    let current = true;
    setAcks(null);
    setFailure(null);
    void load(() => current);
    return () => {
      current = false;
    };
  }, [load]);

  // An acknowledgement merged from the exchange folder changes the released draft.
  useListen(api.onDraftsChanged, (e: DraftsChangedEvent) => {
    if (e.ids.includes(id)) void load();
  });

  async function acknowledge() {
    setBusy(true);
    setFailure(null);
    const r = await api.acknowledge(id);
    setBusy(false);
    if (r.status === 'ok') setAcks(r.data);
    else setFailure(t('ack.failed', { reason: errorText(t, r.error) }));
  }

  if (!acks) return null;
  const list = acks.acknowledgements;
  // The sender's side sees the list; an addressee for action sees it when others acknowledged.
  const showList = !acks.forAction || list.some((a) => a.seal.kind !== 'own');
  return (
    <section className="acks" data-testid="reader-acks" aria-label={t('ack.title')}>
      {acks.forAction && !acks.acknowledgedAt && (
        <p className="ack-request">
          <button type="button" className="primary" data-testid="reader-acknowledge" disabled={busy} onClick={() => void acknowledge()}>
            {t('ack.button')}
          </button>{' '}
          <span className="muted small">{t('ack.meaning')}</span>
        </p>
      )}
      {acks.acknowledgedAt && (
        <p className="ack-sent" role="status" data-testid="reader-acknowledged">
          {t('ack.sent', { date: formatDateTime(acks.acknowledgedAt, i18n.language) })}
        </p>
      )}
      {acks.publishError && (
        <p className="muted small" data-testid="reader-ack-unpublished">
          {t('ack.unpublished', { reason: acks.publishError })}
        </p>
      )}
      {failure && (
        <p className="error" role="alert" data-testid="reader-ack-error">
          {failure}
        </p>
      )}
      {showList && (
        <>
          <h3>{t('ack.title')}</h3>
          {list.length === 0 ? (
            <p className="muted" data-testid="reader-acks-none">
              {t('ack.none')}
            </p>
          ) : (
            <ul className="ack-list">
              {list.map((a, i) => (
                <Acknowledgement key={`${i}-${a.device}`} ack={a} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
