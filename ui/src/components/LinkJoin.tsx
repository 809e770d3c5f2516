// "Lier à un appareil existant", on the first screen of a device without a profile: the code
// the other device shows, this device's name and the passphrase (twice, with its strength),
// then the four words to compare with the other device's, then the wait for its confirmation,
// and the catch-up of the person's history with its progress bar. The profile is made and
// opened by the backend once both devices confirmed; "Ouvrir Diplomatie" then enters the app
// (at once, or without waiting for the history, which goes on arriving).
//
// A mistyped code, a name too long, a passphrase too short are said at their field, which
// takes the focus. Cancelling, or words that differ, makes nothing.

import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, type CommandError } from '../api';
import type { LinkCaughtUpDto, LinkWordsDto, SessionDto_Serialize } from '../bindings';
import { errorText } from '../lib/errors';
import { useListen } from '../lib/useListen';
import { ErrorAlert, FieldError, NewPassphrase, RequiredMark } from './common';
import { LinkWords } from './LinkWords';

/** The backend's field names, and the inputs they name. */
const FIELD_INPUT: Record<string, string> = {
  linkCode: 'link-code',
  linkLabel: 'link-label',
  passphrase: 'link-passphrase',
};

type Step =
  | { kind: 'form' }
  | { kind: 'words'; words: LinkWordsDto }
  | { kind: 'finishing'; words: LinkWordsDto }
  | { kind: 'catching'; session: SessionDto_Serialize }
  | { kind: 'caught'; session: SessionDto_Serialize; result: LinkCaughtUpDto }
  | { kind: 'unfinished'; session: SessionDto_Serialize; error: CommandError };

type Progress = { space: string; done: number; total: number };

export function LinkJoin({ titleId, minChars, onLinked, onBack }: { titleId: string; minChars: number; onLinked: (s: SessionDto_Serialize) => void; onBack: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const title = useRef<HTMLHeadingElement>(null);
  const wordsTitle = useRef<HTMLHeadingElement>(null);
  const openButton = useRef<HTMLButtonElement>(null);
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const [code, setCode] = useState('');
  const [label, setLabel] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [notice, setNotice] = useState('');
  const [progress, setProgress] = useState<Progress | null>(null);
  // Every request and every cancel moves this on: an answer to an older one is ignored.
  const seq = useRef(0);
  // A link step is pending in the backend (to cancel when leaving).
  const pending = useRef(false);
  // The field to focus once the form is back.
  const focusAfter = useRef<string | null>(null);

  useEffect(() => {
    title.current?.focus();
    return () => {
      seq.current += 1;
      if (pending.current) void api.cancelLink();
    };
  }, [api]);

  // In the commit that shows the step (a layout effect), so that nothing, a screen reader
  // included, sees the new step before the focus is on it.
  useLayoutEffect(() => {
    if (step.kind === 'form' && focusAfter.current) {
      focusField(focusAfter.current);
      focusAfter.current = null;
    } else if (step.kind === 'words') wordsTitle.current?.focus();
    else if (step.kind === 'caught' || step.kind === 'unfinished') openButton.current?.focus();
    else if (step.kind !== 'form') title.current?.focus();
  }, [step.kind]);

  // The catch-up's progress, as the sync reports it.
  useListen(api.onSyncStatus, (e) => {
    const p = e.status.progress;
    if (p && p.total !== null && p.total > 0) setProgress({ space: p.space, done: p.done, total: p.total });
  });

  const longEnough = Array.from(passphrase).length >= minChars;
  const matches = passphrase === confirm;
  const canSubmit = code.trim() !== '' && label.trim() !== '' && longEnough && matches && confirm !== '' && !busy;

  function focusField(field: string | null | undefined) {
    const target = FIELD_INPUT[field ?? ''];
    if (target) formRef.current?.querySelector<HTMLElement>(`[data-testid="${target}"]`)?.focus();
  }

  /** Back to the form, with what to say; the code served once: a new one is needed. */
  function backToForm(said: string, failure: CommandError | null = null) {
    pending.current = false;
    setBusy(false);
    setStep({ kind: 'form' });
    setCode('');
    setNotice(said);
    setError(failure);
    const field = failure?.field ?? 'linkCode';
    if (step.kind === 'form') focusField(field);
    else focusAfter.current = field;
  }

  async function start(e: FormEvent) {
    e.preventDefault();
    if (!canSubmit) return;
    const mine = ++seq.current;
    setBusy(true);
    setError(null);
    setNotice('');
    pending.current = true;
    const r = await api.startLink(code.trim(), label.trim());
    if (mine !== seq.current) return;
    setBusy(false);
    if (r.status === 'ok') {
      setStep({ kind: 'words', words: r.data });
      return;
    }
    pending.current = false;
    setError(r.error);
    focusField(r.error.field);
  }

  async function match() {
    if (step.kind !== 'words') return;
    const mine = ++seq.current;
    setStep({ kind: 'finishing', words: step.words });
    const made = await api.finishLink(passphrase);
    if (mine !== seq.current) return;
    if (made.status === 'error') {
      backToForm('', made.error);
      return;
    }
    pending.current = false;
    setPassphrase('');
    setConfirm('');
    const session = made.data;
    setStep({ kind: 'catching', session });
    const caught = await api.linkCatchUp();
    if (mine !== seq.current) return;
    setStep(caught.status === 'ok' ? { kind: 'caught', session, result: caught.data } : { kind: 'unfinished', session, error: caught.error });
  }

  function differ() {
    seq.current += 1;
    void api.cancelLink();
    backToForm(t('link.join.differed'));
  }

  function cancel() {
    seq.current += 1;
    void api.cancelLink();
    backToForm(t('link.join.cancelled'));
  }

  /** Enters the app; a catch-up still running stops (the background sync goes on). */
  function open(session: SessionDto_Serialize) {
    seq.current += 1;
    if (step.kind === 'catching') void api.cancelLink();
    onLinked(session);
  }

  function leave() {
    seq.current += 1;
    if (pending.current) void api.cancelLink();
    pending.current = false;
    onBack();
  }

  const fieldError = (field: string) => (error && error.field === field ? fieldText(field, error) : undefined);
  const fieldText = (field: string, e: CommandError) => (field === 'linkLabel' && e.kind === 'invalid_value' ? t('link.join.labelTooLong', { n: e.detail ?? '60' }) : errorText(t, e));
  const describe = (field: string, ...more: string[]) => [fieldError(field) ? `${id}-${field}-error` : '', ...more].filter(Boolean).join(' ') || undefined;

  const status =
    step.kind === 'form'
      ? busy
        ? t('link.join.starting')
        : notice
      : step.kind === 'words'
        ? t('link.join.wordsArrived')
        : step.kind === 'finishing'
          ? t('link.join.finishing')
          : step.kind === 'catching'
            ? t('link.join.catchingUp')
            : step.kind === 'caught'
              ? t('link.join.caughtUp', { spaces: step.result.spaces, items: step.result.items })
              : t('link.join.catchUpFailed');

  return (
    <div className="gate-card link-join" data-testid="link-join" data-step={step.kind}>
      <h1 id={titleId} ref={title} tabIndex={-1}>
        {t('link.join.title')}
      </h1>
      <p className="link-status" data-testid="link-join-status" role="status" aria-live="polite">
        {status}
      </p>
      {step.kind === 'form' && (
        <form ref={formRef} onSubmit={start} noValidate aria-labelledby={titleId} aria-busy={busy}>
          <p>{t('link.join.intro')}</p>
          <p className="field-hint">{t('required.legend')}</p>
          <ErrorAlert error={error && !FIELD_INPUT[error.field ?? ''] ? error : null} />
          <div className="field">
            <label htmlFor={`${id}-code`}>
              {t('link.join.code')}
              <RequiredMark />
            </label>
            <textarea
              id={`${id}-code`}
              data-testid="link-code"
              className="mono card-line"
              rows={3}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              spellCheck={false}
              autoComplete="off"
              required
              aria-required="true"
              aria-invalid={!!fieldError('linkCode')}
              aria-describedby={describe('linkCode', `${id}-code-hint`)}
            />
            <p id={`${id}-code-hint`} className="field-hint">
              {t('link.join.codeHint')}
            </p>
            <FieldError id={`${id}-linkCode-error`} field="linkCode" message={fieldError('linkCode')} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-label`}>
              {t('link.join.label')}
              <RequiredMark />
            </label>
            <input id={`${id}-label`} data-testid="link-label" value={label} onChange={(e) => setLabel(e.target.value)} autoComplete="off" maxLength={120} required aria-required="true" aria-invalid={!!fieldError('linkLabel')} aria-describedby={describe('linkLabel', `${id}-label-hint`)} />
            <p id={`${id}-label-hint`} className="field-hint">
              {t('link.join.labelHint')}
            </p>
            <FieldError id={`${id}-linkLabel-error`} field="linkLabel" message={fieldError('linkLabel')} />
          </div>
          <NewPassphrase id={id} passphrase={passphrase} confirm={confirm} onPassphrase={setPassphrase} onConfirm={setConfirm} minChars={minChars} error={fieldError('passphrase')} testId="link-passphrase" strengthTestId="link-passphrase-strength" />
          <div className="form-actions">
            <button type="submit" className="primary" data-testid="link-submit" disabled={!canSubmit} aria-busy={busy}>
              {busy ? t('link.join.starting') : t('link.join.submit')}
            </button>
            {busy && (
              <button type="button" data-testid="link-cancel" onClick={cancel}>
                {t('link.join.cancel')}
              </button>
            )}
            <button type="button" data-testid="link-back" onClick={leave}>
              {t('link.join.back')}
            </button>
          </div>
        </form>
      )}
      {(step.kind === 'words' || step.kind === 'finishing') && (
        <>
          <LinkWords
            ref={wordsTitle}
            words={step.words.words}
            title={t('link.join.wordsTitle')}
            level={2}
            question={t('link.join.wordsIntro')}
            hint={t('link.join.wordsHint')}
            onMatch={step.kind === 'words' ? () => void match() : undefined}
            onDiffer={step.kind === 'words' ? differ : undefined}
          />
          {step.kind === 'finishing' && (
            <div className="form-actions">
              <button type="button" data-testid="link-cancel" onClick={cancel}>
                {t('link.join.cancel')}
              </button>
            </div>
          )}
        </>
      )}
      {(step.kind === 'catching' || (step.kind === 'caught' && progress)) && (
        <div className="link-progress">
          <label htmlFor={`${id}-progress`}>{progress ? t('sync.catchUp', { space: progress.space, done: Math.min(progress.done, progress.total), total: progress.total }) : t('link.join.progressLabel')}</label>
          <progress
            id={`${id}-progress`}
            data-testid="link-catch-up-progress"
            max={progress?.total}
            value={progress ? (step.kind === 'caught' ? progress.total : Math.min(progress.done, progress.total)) : undefined}
          />
          {step.kind === 'catching' && !progress && <p className="field-hint">{t('link.join.waitingSpaces')}</p>}
        </div>
      )}
      {step.kind === 'unfinished' && (
        <p className="form-errors" role="alert" data-testid="link-join-error">
          {errorText(t, step.error)}
        </p>
      )}
      {step.kind === 'catching' && (
        <div className="form-actions">
          <button type="button" data-testid="link-skip" onClick={() => open(step.session)}>
            {t('link.join.skip')}
          </button>
        </div>
      )}
      {(step.kind === 'caught' || step.kind === 'unfinished') && (
        <div className="form-actions">
          <button type="button" ref={openButton} className="primary" data-testid="link-open" onClick={() => open(step.session)}>
            {t('link.join.open')}
          </button>
        </div>
      )}
    </div>
  );
}
