// Linking a new device, on the device that holds the profile (Settings, Appareils): the code to
// give the new device (its line, its short part to read out, its QR code), the wait for the
// new device, the four words it shows too with "Les mots sont identiques" / "Ils diffèrent",
// then the link's progress and its result. Closing the panel, or leaving the settings, cancels
// a link under way. Each step's heading takes the focus; what happens is said in a polite
// status, errors at once.

import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, type CommandError } from '../api';
import type { LinkCodeDto, LinkedDeviceDto, LinkWordsDto } from '../bindings';
import { errorText } from '../lib/errors';
import { useCopy } from '../lib/useCopy';
import { useListen } from '../lib/useListen';
import { QrCode } from './Contacts';
import { LinkWords } from './LinkWords';

type Progress = { done: number; total: number };

type Step =
  | { kind: 'preparing' }
  | { kind: 'waiting'; code: LinkCodeDto }
  | { kind: 'words'; words: LinkWordsDto }
  | { kind: 'completing'; words: LinkWordsDto; progress: Progress | null }
  | { kind: 'done'; linked: LinkedDeviceDto }
  | { kind: 'refused' }
  | { kind: 'failed'; error: CommandError };

export function LinkDevice({ onClose, onLinked }: { onClose: () => void; onLinked: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [step, setStep] = useState<Step>({ kind: 'preparing' });
  const [attempt, setAttempt] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const wordsHeading = useRef<HTMLHeadingElement>(null);
  const live = useRef(true);

  // A code, then the wait for the new device. Leaving (or starting again) cancels the link.
  useEffect(() => {
    let current = true;
    live.current = true;
    setStep({ kind: 'preparing' });
    void (async () => {
      const offered = await api.offerLink();
      if (!current) return;
      if (offered.status === 'error') {
        setStep({ kind: 'failed', error: offered.error });
        return;
      }
      setStep({ kind: 'waiting', code: offered.data });
      const answered = await api.awaitLink();
      if (!current) return;
      setStep(answered.status === 'ok' ? { kind: 'words', words: answered.data } : { kind: 'failed', error: answered.error });
    })();
    return () => {
      current = false;
      live.current = false;
      void api.cancelLink();
    };
  }, [api, attempt]);

  useListen(api.onLinkProgress, (e) => setStep((s) => (s.kind === 'completing' ? { ...s, progress: { done: e.done, total: e.total } } : s)));

  // Each step's heading takes the focus (the words have their own).
  useEffect(() => {
    if (step.kind === 'words') wordsHeading.current?.focus();
    else heading.current?.focus();
  }, [step.kind]);

  async function confirm() {
    if (step.kind !== 'words') return;
    setStep({ kind: 'completing', words: step.words, progress: null });
    const r = await api.confirmLink();
    if (!live.current) return;
    if (r.status === 'ok') {
      setStep({ kind: 'done', linked: r.data });
      onLinked();
    } else setStep({ kind: 'failed', error: r.error });
  }

  async function refuse() {
    setStep({ kind: 'refused' });
    await api.refuseLink();
  }

  const label = step.kind === 'completing' ? step.words.label : '';
  const status =
    step.kind === 'preparing'
      ? t('link.offer.preparing')
      : step.kind === 'waiting'
        ? t('link.offer.waiting')
        : step.kind === 'words'
          ? t('link.offer.wordsArrived')
          : step.kind === 'completing'
            ? t('link.offer.completing', { label })
            : step.kind === 'done'
              ? t('link.offer.done', { label: step.linked.label, spaces: step.linked.spaces, items: step.linked.items })
              : step.kind === 'refused'
                ? t('link.offer.refused')
                : '';
  const underWay = step.kind === 'preparing' || step.kind === 'waiting' || step.kind === 'words';

  return (
    <section className="link-panel" data-testid="link-offer" data-step={step.kind} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} ref={heading} tabIndex={-1}>
        {t('link.offer.title')}
      </h3>
      <p className={step.kind === 'done' ? 'msg-ok link-status' : 'link-status'} data-testid="link-status" role="status" aria-live="polite">
        {status}
      </p>
      {step.kind === 'waiting' && <CodeView code={step.code} />}
      {step.kind === 'words' && (
        <LinkWords
          ref={wordsHeading}
          words={step.words.words}
          title={t('link.offer.wordsTitle')}
          level={4}
          question={t('link.offer.wordsIntro', { label: step.words.label })}
          hint={t('link.offer.wordsHint')}
          onMatch={() => void confirm()}
          onDiffer={() => void refuse()}
        />
      )}
      {step.kind === 'completing' && (
        <div className="link-progress">
          <label htmlFor={`${id}-progress`}>{step.progress ? t('link.offer.step', { label, done: step.progress.done, total: step.progress.total }) : t('link.offer.completing', { label })}</label>
          <progress id={`${id}-progress`} data-testid="link-progress" max={step.progress?.total} value={step.progress ? Math.min(step.progress.done, step.progress.total) : undefined} />
        </div>
      )}
      {step.kind === 'failed' && (
        <p className="form-errors" role="alert" data-testid="link-error">
          {errorText(t, step.error)}
        </p>
      )}
      <div className="form-actions">
        {(step.kind === 'failed' || step.kind === 'refused') && (
          <button type="button" data-testid="link-retry" onClick={() => setAttempt((a) => a + 1)}>
            {t('link.offer.retry')}
          </button>
        )}
        {step.kind !== 'completing' && (
          <button type="button" data-testid="link-close" onClick={onClose}>
            {underWay ? t('link.offer.cancel') : t('link.offer.close')}
          </button>
        )}
      </div>
    </section>
  );
}

/** The code to give the new device: its QR code, the line to copy, the short part to read out. */
function CodeView({ code }: { code: LinkCodeDto }) {
  const { t } = useTranslation();
  const id = useId();
  const { outcome, copy } = useCopy();
  return (
    <div className="link-code">
      <p id={`${id}-intro`}>{t('link.offer.intro', { minutes: code.validMinutes })}</p>
      <div className="my-card-body">
        <QrCode qr={code.qr} label={t('link.offer.qrLabel')} testId="link-code-qr" />
        <div className="my-card-details">
          <div className="field">
            <label htmlFor={`${id}-line`}>{t('link.offer.line')}</label>
            <textarea id={`${id}-line`} data-testid="link-code-line" className="mono card-line" readOnly rows={3} value={code.line} aria-describedby={`${id}-intro`} onFocus={(e) => e.currentTarget.select()} />
          </div>
          <p>
            {t('link.offer.short', { relay: code.relay })}{' '}
            <span className="mono link-short" data-testid="link-code-short">
              {code.short}
            </span>
          </p>
          <div className="form-actions">
            <button type="button" data-testid="link-code-copy" onClick={() => void copy(code.line)}>
              {t('link.offer.copy')}
            </button>
            <span className={outcome === 'failed' ? 'msg-error' : 'msg-ok'} role="status" aria-live="polite">
              {outcome === 'copied' ? t('link.offer.copied') : outcome === 'failed' ? t('link.offer.copyFailed') : ''}
            </span>
          </div>
        </div>
      </div>
    </div>
  );
}
