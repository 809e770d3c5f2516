import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, type CommandError } from '../api';
import type { LanguageDto, SessionDto_Serialize } from '../bindings';
import { errorText } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { ErrorAlert, FieldError, Gate, NewPassphrase, RequiredMark } from './common';
import { LinkJoin } from './LinkJoin';

/** Maps a backend field name to the input it names. */
const FIELD_INPUT: Record<string, string> = {
  name: 'onboarding-name',
  org: 'onboarding-org',
  email: 'onboarding-email',
  passphrase: 'onboarding-passphrase',
};

export function Onboarding({
  minChars,
  onCreated,
  onLanguage,
}: {
  minChars: number;
  onCreated: (s: SessionDto_Serialize) => void;
  onLanguage: (l: LanguageDto) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [org, setOrg] = useState('');
  const [email, setEmail] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  // Creating a profile, or linking this device to one on another device.
  const [linking, setLinking] = useState(false);
  const linkButton = useRef<HTMLButtonElement>(null);
  const back = useRef(false);

  useEffect(() => {
    if (!linking && back.current) {
      back.current = false;
      linkButton.current?.focus();
    }
  }, [linking]);

  useDocumentTitle(linking ? t('link.join.title') : t('onboarding.title'));

  const longEnough = Array.from(passphrase).length >= minChars;
  const matches = passphrase === confirm;
  const canSubmit = longEnough && matches && confirm !== '' && !busy;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    const r = await api.createProfile({ name: name.trim(), org: org.trim(), email: email.trim() || null, passphrase });
    setBusy(false);
    if (r.status === 'ok') {
      onCreated(r.data);
      return;
    }
    setError(r.error);
    const target = FIELD_INPUT[r.error.field ?? ''];
    if (target) formRef.current?.querySelector<HTMLElement>(`[data-testid="${target}"]`)?.focus();
  }

  const fieldError = (field: string) => (error && error.field === field ? errorText(t, error) : undefined);
  const describe = (field: string, ...more: string[]) => [fieldError(field) ? `${id}-${field}-error` : '', ...more].filter(Boolean).join(' ') || undefined;

  if (linking) {
    return (
      <Gate titleId={`${id}-link-title`} onLanguage={onLanguage}>
        <LinkJoin
          titleId={`${id}-link-title`}
          minChars={minChars}
          onLinked={onCreated}
          onBack={() => {
            back.current = true;
            setLinking(false);
          }}
        />
      </Gate>
    );
  }

  return (
    <Gate titleId={`${id}-title`} onLanguage={onLanguage}>
      <form ref={formRef} className="gate-card" onSubmit={submit} noValidate>
        <h1 id={`${id}-title`}>{t('onboarding.title')}</h1>
        <p>{t('onboarding.intro')}</p>
        <p className="gate-alternative">
          {t('onboarding.haveDevice')}{' '}
          <button type="button" ref={linkButton} className="link" data-testid="onboarding-link" onClick={() => setLinking(true)}>
            {t('onboarding.linkInstead')}
          </button>
        </p>
        <p className="field-hint">{t('required.legend')}</p>
        <ErrorAlert error={error && !FIELD_INPUT[error.field ?? ''] ? error : null} />
        <div className="field">
          <label htmlFor={`${id}-name`}>
            {t('onboarding.name')}
            <RequiredMark />
          </label>
          <input id={`${id}-name`} data-testid="onboarding-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" required aria-required="true" autoFocus aria-invalid={!!fieldError('name')} aria-describedby={describe('name')} />
          <FieldError id={`${id}-name-error`} field="name" message={fieldError('name')} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-org`}>
            {t('onboarding.org')}
            <RequiredMark />
          </label>
          <input id={`${id}-org`} data-testid="onboarding-org" value={org} onChange={(e) => setOrg(e.target.value)} autoComplete="organization" required aria-required="true" aria-invalid={!!fieldError('org')} aria-describedby={describe('org')} />
          <FieldError id={`${id}-org-error`} field="org" message={fieldError('org')} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-email`}>{t('onboarding.email')}</label>
          <input id={`${id}-email`} data-testid="onboarding-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" aria-invalid={!!fieldError('email')} aria-describedby={describe('email')} />
          <FieldError id={`${id}-email-error`} field="email" message={fieldError('email')} />
        </div>
        <NewPassphrase id={id} passphrase={passphrase} confirm={confirm} onPassphrase={setPassphrase} onConfirm={setConfirm} minChars={minChars} error={fieldError('passphrase')} testId="onboarding-passphrase" strengthTestId="passphrase-strength" />
        <button type="submit" className="primary" data-testid="onboarding-submit" disabled={!canSubmit} aria-busy={busy}>
          {busy ? t('onboarding.creating') : t('onboarding.submit')}
        </button>
      </form>
    </Gate>
  );
}
