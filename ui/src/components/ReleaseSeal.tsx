// The seal of a released item: its number as the signed record gives it (said clearly when
// provisional) and whether the approver's signature over the record is valid. Items that
// were not released through a draft (imported, composed) have no seal.

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import '../drafting.css';
import { useApi } from '../api';
import type { VerifiedReleaseDto } from '../bindings';
import { errorText } from '../lib/errors';

type Seal = { state: 'checking' } | { state: 'none' } | { state: 'valid'; release: VerifiedReleaseDto } | { state: 'invalid' };

export function ReleaseSeal({ id, onCorrect }: { id: string; onCorrect?: (draftId: string) => void }) {
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
  return (
    <div className="release-seal" data-testid="reader-release" data-valid="true" data-provisional={r.provisional ? 'true' : 'false'}>
      <span className="badge badge-signature" data-testid="reader-signature">
        {t('release.valid')}
      </span>{' '}
      <span data-testid="reader-release-number">{r.number ? (r.provisional ? t('release.provisionalNumber', { number: r.number }) : t('release.number', { number: r.number })) : t('release.unnumbered')}</span>{' '}
      <span className="muted small">{t('release.signedBy', { name: r.approver })}</span>
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
