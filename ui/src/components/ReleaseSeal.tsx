// The seal of a released item: its number as the signed record gives it (said clearly when
// provisional) and whether the approver's signature over the record is valid. Items that
// were not released through a draft (imported, composed) have no seal.

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import '../drafting.css';
import { useApi } from '../api';
import type { VerifiedReleaseDto } from '../bindings';

type Seal = { state: 'checking' } | { state: 'none' } | { state: 'valid'; release: VerifiedReleaseDto } | { state: 'invalid' };

export function ReleaseSeal({ id }: { id: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const [seal, setSeal] = useState<Seal>({ state: 'checking' });

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
    </div>
  );
}
