// The seal of a released item: its number as the signed record gives it (said clearly when
// provisional), whether the signature over the record is valid, and who signed it as this
// profile knows them: you, a contact (verified by safety number or not, with a way to the
// Contacts screen), or an identity nobody vouches for (in red, with its key). The signing
// device is named by its short id. Items that were not released through a draft (imported,
// composed) have no seal.

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import '../drafting.css';
import { useApi } from '../api';
import type { SealDto, VerifiedReleaseDto_Serialize } from '../bindings';
import { errorText } from '../lib/errors';

type Seal = { state: 'checking' } | { state: 'none' } | { state: 'valid'; release: VerifiedReleaseDto_Serialize } | { state: 'invalid' };

/** How the seal looks: `data-seal` and the class name (the acknowledgements' too). */
export function sealState(seal: SealDto): 'own' | 'verified' | 'unverified' | 'unknown' {
  if (seal.kind === 'contact') return seal.verified ? 'verified' : 'unverified';
  return seal.kind;
}

export function ReleaseSeal({ id, onCorrect, onOpenContacts }: { id: string; onCorrect?: (draftId: string) => void; onOpenContacts?: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [seal, setSeal] = useState<Seal>({ state: 'checking' });
  const [correcting, setCorrecting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  // A released text never changes: a correction is a new draft that references it.
  async function correct() {
    if (!onCorrect) return;
    setCorrecting(true);
    setFailure(null);
    const r = await api.correctRelease(id);
    setCorrecting(false);
    if (r.status === 'ok') onCorrect(r.data.id);
    else setFailure(t('release.correctFailed', { reason: errorText(t, r.error) }));
  }

  useEffect(() => {
    let current = true;
    setSeal({ state: 'checking' });
    void api.verifyRelease(id).then((r) => {
      if (!current) return;
      if (r.status === 'ok') setSeal(r.data ? { state: 'valid', release: r.data } : { state: 'none' });
      // A record whose signature does not match (or unreadable): say so, never hide it.
      else setSeal(r.error.kind === 'not_found' ? { state: 'none' } : { state: 'invalid' });
    });
    return () => {
      current = false;
    };
  }, [api, id]);

  if (seal.state === 'checking' || seal.state === 'none') return null;
  if (seal.state === 'invalid') {
    return (
      <p className="release-seal release-seal-invalid" data-testid="reader-release" data-valid="false" role="alert">
        {t('release.invalid')}
      </p>
    );
  }
  const r = seal.release;
  const state = sealState(r.seal);
  const signer =
    r.seal.kind === 'own'
      ? t('release.sealOwn')
      : r.seal.kind === 'contact'
        ? t(r.seal.verified ? 'release.sealVerified' : 'release.sealUnverified', { name: r.seal.name })
        : t('release.sealUnknown');
  const number = r.number ? (r.provisional ? t('release.provisionalNumber', { number: r.number }) : t('release.number', { number: r.number })) : t('release.unnumbered');
  return (
    <div
      className={`release-seal release-seal-${state}`}
      data-testid="reader-release"
      data-valid="true"
      data-seal={state}
      data-provisional={r.provisional ? 'true' : 'false'}
      role={state === 'unknown' ? 'alert' : undefined}
    >
      <span className="badge badge-signature" data-testid="reader-signature">
        {signer}
      </span>{' '}
      <span data-testid="reader-release-number">{number}</span>{' '}
      {/* The name the record gives: a claim when nobody vouches for the key. */}
      <span className="muted small">{t(state === 'unknown' ? 'release.claims' : 'release.signedBy', { name: r.approver })}</span>{' '}
      {r.signerDeviceShort && (
        <span className="muted small mono" data-testid="reader-seal-device" title={r.signerDevice ?? undefined}>
          {t('release.device', { device: r.signerDeviceShort })}
        </span>
      )}
      {state === 'unknown' && (
        <p className="release-seal-note" data-testid="reader-seal-key">
          {r.signerIdentityShort ? t('release.unknownKey', { key: r.signerIdentityShort }) : t('release.noIdentity')}
        </p>
      )}
      {r.seal.kind === 'contact' && !r.seal.verified && (
        <p className="release-seal-note" data-testid="reader-seal-unverified">
          {t('release.verifyHint', { name: r.seal.name })}
          {onOpenContacts && (
            <>
              {' '}
              <button type="button" className="link" data-testid="reader-seal-contacts" onClick={onOpenContacts}>
                {t('release.openContacts')}
              </button>
            </>
          )}
        </p>
      )}
      {onCorrect && (
        <>
          {' '}
          <button type="button" className="link" data-testid="reader-correct" disabled={correcting} onClick={() => void correct()}>
            {t('release.correct')}
          </button>
        </>
      )}
      {failure && (
        <p className="error" role="alert" data-testid="reader-correct-error">
          {failure}
        </p>
      )}
    </div>
  );
}
