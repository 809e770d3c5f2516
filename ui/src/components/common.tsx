// Small pieces shared by several screens.

import { useId, type ReactNode } from 'react';
import type { CommandError } from '../api';
import { errorText } from '../lib/errors';
import { useTranslation } from 'react-i18next';
import type { KindDto, LanguageDto, MarkingDto, PrecedenceDto } from '../bindings';
import { LANGUAGES } from '../i18n';
import { usePassphraseStrength } from '../lib/passphrase';

export function LanguageSwitch({ onChange, testId = 'language-switch' }: { onChange: (l: LanguageDto) => void; testId?: string }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  return (
    <span className="language-switch">
      <label htmlFor={id} className="visually-hidden">
        {t('lang.label')}
      </label>
      <select id={id} data-testid={testId} value={i18n.language} onChange={(e) => onChange(e.target.value as LanguageDto)}>
        {LANGUAGES.map((l) => (
          // Each language named in itself, and said so (« English » in a French page).
          <option key={l} value={l} lang={l}>
            {t(`lang.${l}`)}
          </option>
        ))}
      </select>
    </span>
  );
}

/** The message under a form field; `id` is what the field's aria-describedby names. */
export function FieldError({ id, field, message }: { id: string; field: string; message?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id} data-testid={`error-${field}`}>
      {message}
    </p>
  );
}

export function PassphraseMeter({ passphrase, minChars, testId }: { passphrase: string; minChars: number; testId?: string }) {
  const { t } = useTranslation();
  // null while the estimator and its dictionaries load (a moment, the first time).
  const s = usePassphraseStrength(passphrase, minChars);
  const empty = passphrase.length === 0;
  const level = empty ? 'none' : (s?.level ?? 'pending');
  return (
    <div className="strength" data-testid={testId} data-level={level} aria-live="polite">
      <meter min={0} max={4} low={2} high={3} optimum={4} value={empty || !s ? 0 : s.score + 1} aria-label={t('strength.meterLabel')} />
      <span className="strength-label">{empty ? t('strength.empty') : s ? t(`strength.${s.level}`) : t('strength.pending')}</span>
      <span className="strength-hint">{t('strength.minChars', { n: minChars })}</span>
    </div>
  );
}

export function KindBadge({ kind }: { kind: KindDto }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-kind badge-kind-${kind}`} role="img" aria-label={t(`kind.${kind}.label`)} title={t(`kind.${kind}.label`)}>
      {t(`kind.${kind}.badge`)}
    </span>
  );
}

export function PrecedenceBadge({ precedence }: { precedence: PrecedenceDto }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-precedence badge-${precedence}`} title={t('precedence.label')}>
      {t(`precedence.${precedence}.badge`)}
    </span>
  );
}

export function MarkingBadge({ marking }: { marking: MarkingDto }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-marking badge-${marking}`} role="img" aria-label={t(`marking.${marking}.label`)} title={t(`marking.${marking}.label`)}>
      {t(`marking.${marking}.short`)}
    </span>
  );
}

/**
 * The mark of a required field, after its label's text; the field itself says so to assistive
 * technologies (`required`, `aria-required`), and the form says what the mark means.
 */
export function RequiredMark() {
  return (
    <span className="required-mark" aria-hidden="true">
      {' *'}
    </span>
  );
}

/**
 * A new passphrase, typed twice, with its strength: the last fields of a form that makes a
 * profile (each marked required). `error`: the backend's words when the passphrase is at
 * fault; the inputs are `<testId>` and `<testId>-confirm`, the meter `strengthTestId`.
 */
export function NewPassphrase({
  id,
  passphrase,
  confirm,
  onPassphrase,
  onConfirm,
  minChars,
  error,
  testId,
  strengthTestId,
}: {
  id: string;
  passphrase: string;
  confirm: string;
  onPassphrase: (v: string) => void;
  onConfirm: (v: string) => void;
  minChars: number;
  error?: string;
  testId: string;
  strengthTestId: string;
}) {
  const { t } = useTranslation();
  const differs = confirm !== '' && passphrase !== confirm;
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-pass`}>
          {t('onboarding.passphrase')}
          <RequiredMark />
        </label>
        <input
          id={`${id}-pass`}
          data-testid={testId}
          type="password"
          value={passphrase}
          onChange={(e) => onPassphrase(e.target.value)}
          autoComplete="new-password"
          required
          aria-required="true"
          aria-invalid={!!error}
          aria-describedby={[error ? `${id}-passphrase-error` : '', `${id}-strength`].filter(Boolean).join(' ')}
        />
        <div id={`${id}-strength`}>
          <PassphraseMeter passphrase={passphrase} minChars={minChars} testId={strengthTestId} />
        </div>
        <FieldError id={`${id}-passphrase-error`} field="passphrase" message={error} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-confirm`}>
          {t('onboarding.confirm')}
          <RequiredMark />
        </label>
        <input id={`${id}-confirm`} data-testid={`${testId}-confirm`} type="password" value={confirm} onChange={(e) => onConfirm(e.target.value)} autoComplete="new-password" required aria-required="true" aria-invalid={differs} aria-describedby={`${id}-match`} />
        <p id={`${id}-match`} className={differs ? 'field-error' : 'field-hint'} aria-live="polite">
          {differs ? t('onboarding.mismatch') : ''}
        </p>
      </div>
      <div className="warning" role="note">
        <strong>{t('onboarding.warningTitle')}</strong> {t('onboarding.warning')}
      </div>
    </>
  );
}

/** A visually hidden text for screen readers. */
export function Sr({ children }: { children: ReactNode }) {
  return <span className="visually-hidden">{children}</span>;
}

/** A backend error, translated, announced at once. */
export function ErrorAlert({ error }: { error: CommandError | null }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="form-errors" role="alert">
      {errorText(t, error)}
    </p>
  );
}

/** The frame of the screens shown before unlocking: the app's name and the language. */
export function Gate({ titleId, onLanguage, children }: { titleId: string; onLanguage: (l: LanguageDto) => void; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <main className="gate" aria-labelledby={titleId}>
      <div className="gate-top">
        <span className="app-name">{t('app.name')}</span>
        <LanguageSwitch onChange={onLanguage} />
      </div>
      {children}
    </main>
  );
}
