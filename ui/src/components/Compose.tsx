import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { tokenName, useApi, type CommandError } from '../api';
import type { AddresseeDto, AddresseeKindDto, ComposeDto_Deserialize, ComposedDto, ComposeReviewDto, KindDto, MarkingDto, PrecedenceDto } from '../bindings';
import {
  ADDRESSEE_KINDS,
  DOCUMENT_LANGUAGES,
  FIELD_TARGET,
  buildCompose,
  emptyAddressee,
  emptyParagraph,
  errorField,
  fieldName,
  fieldTarget,
  moveAt,
  requiredFields,
  type ComposeForm,
} from '../lib/compose';
import { errorText } from '../lib/errors';
import { KINDS, MARKINGS, PRECEDENCES } from '../lib/filter';
import type { ComposeDrafts } from '../lib/useComposeDrafts';
import { FieldError, RequiredMark } from './common';
import { ComposeReview } from './ComposeReview';

interface FieldErr {
  field: string | null;
  message: string;
}

/** Waits this long after the parties of a note are typed before asking for its formulas. */
const TEMPLATE_DELAY_MS = 400;

/**
 * The composer. What is being written lives in `drafts` (kept by the shell while the profile
 * is unlocked, and in the encrypted store); this shows it once read from the store.
 */
export function Compose({ onComposed, drafts }: { onComposed: (composed: ComposedDto) => void; drafts: ComposeDrafts }) {
  const { t } = useTranslation();
  const { load, forms } = drafts;
  useEffect(load, [load]);
  if (!forms) {
    return (
      <section className="compose">
        <h1>{t('compose.title')}</h1>
        <p className="muted" role="status" aria-live="polite">
          {t('compose.loading')}
        </p>
      </section>
    );
  }
  return <ComposeForms onComposed={onComposed} drafts={drafts} forms={forms} />;
}

function ComposeForms({ onComposed, drafts, forms }: { onComposed: (composed: ComposedDto) => void; drafts: ComposeDrafts; forms: NonNullable<ComposeDrafts['forms']> }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const { kind, setKind, update } = drafts;
  const [errors, setErrors] = useState<FieldErr[]>([]);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  /** The second step: the request checked by the backend, shown for review before it is sent. */
  const [review, setReview] = useState<{ request: ComposeDto_Deserialize; review: ComposeReviewDto } | null>(null);
  /** A sending under way: a second click on « Confirmer l'envoi » before it answers sends nothing. */
  const sending = useRef(false);
  /** Back from the review: what takes the focus once the form shows again (a test id). */
  const focusAfterReview = useRef<string | null>(null);
  useEffect(() => {
    const target = focusAfterReview.current;
    if (review || !target) return;
    focusAfterReview.current = null;
    formRef.current?.querySelector<HTMLElement>(`[data-testid="${target}"]`)?.focus();
  }, [review]);
  const autoTemplate = useRef<{ opening: string; closing: string } | null>(null);
  const f = forms[kind];

  const set = (patch: Partial<ComposeForm>) => update(kind, (form) => ({ ...form, ...patch }));

  const focusField = (field: string | null) => {
    const target = field ? fieldTarget(kind, field) : undefined;
    if (target) formRef.current?.querySelector<HTMLElement>(`[data-testid="${target}"]`)?.focus();
  };

  // The formulas of a note verbale follow its parties until the user writes their own.
  const note = forms.note;
  useEffect(() => {
    if (kind !== 'note') return;
    const mission = note.sendingMission.trim();
    const institution = note.receivingInstitution.trim();
    if (!mission || !institution) return;
    const auto = autoTemplate.current;
    const untouched = (note.opening === '' && note.closing === '') || (auto && note.opening === auto.opening && note.closing === auto.closing);
    if (!untouched) return;
    const timer = window.setTimeout(() => {
      void api.noteTemplate(mission, institution).then((r) => {
        if (r.status !== 'ok') return;
        update('note', (n) => {
          const a = autoTemplate.current;
          const still = (n.opening === '' && n.closing === '') || (a && n.opening === a.opening && n.closing === a.closing);
          if (!still) return n;
          autoTemplate.current = r.data;
          return { ...n, opening: r.data.opening, closing: r.data.closing };
        });
      });
    }, TEMPLATE_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [api, update, kind, note.sendingMission, note.receivingInstitution, note.opening, note.closing]);

  async function applyTemplate() {
    const r = await api.noteTemplate(f.sendingMission.trim(), f.receivingInstitution.trim());
    if (r.status === 'ok') {
      autoTemplate.current = r.data;
      set({ opening: r.data.opening, closing: r.data.closing });
    } else setErrors([{ field: r.error.field ?? null, message: errorText(t, r.error) }]);
  }

  // « Envoyer » has the backend check the form (its rules, and where it would go) and shows
  // it for review; only « Confirmer l'envoi » there files and sends it (RGAA 11.12).
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setStatus('');
    const request = buildCompose(kind, f, i18n.language);
    const r = await api.checkCompose(request);
    setBusy(false);
    if (r.status === 'ok') {
      setErrors([]);
      setReview({ request, review: r.data });
      return;
    }
    showError(r.error);
  }

  /** Sends what was reviewed, once. */
  async function confirm() {
    if (!review || sending.current) return;
    sending.current = true;
    setBusy(true);
    const r = await api.compose(review.request);
    sending.current = false;
    setBusy(false);
    if (r.status === 'ok') {
      autoTemplate.current = null;
      setErrors([]);
      await drafts.discard(kind);
      setReview(null);
      onComposed(r.data);
      return;
    }
    // Refused after all (a file gone meanwhile…): back to the form, at the field at fault.
    setReview(null);
    showError(r.error, true);
  }

  /** « Modifier » (or Escape) in the review: the form again, as it was left, at « Envoyer ». */
  function edit() {
    focusAfterReview.current = 'compose-submit';
    setReview(null);
  }

  function showError(error: CommandError, fromReview = false) {
    const field = errorField(error, f);
    setErrors([{ field, message: errorText(t, { ...error, field: field && fieldName(kind, field) }) }]);
    // From the review, once the form shows again: the field at fault, else « Envoyer ».
    if (fromReview) focusAfterReview.current = (field && fieldTarget(kind, field)) || 'compose-submit';
    // After the messages are on screen, so that the field's description is read with it.
    else window.setTimeout(() => focusField(field), 0);
  }

  async function saveDraft() {
    const error = await drafts.flush(kind);
    setStatus(error ? errorText(t, error) : t('compose.draftSaved'));
  }

  async function discardDraft() {
    autoTemplate.current = null;
    setErrors([]);
    await drafts.discard(kind);
    setStatus(t('compose.draftDiscarded'));
  }

  const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
  const errId = (field: string) => `${id}-err-${field}`;
  /** Props of an input bound to a backend field: its id, its error and its description. */
  const bind = (field: string) => {
    // The backend's "paragraphs" is an email's body.
    const named = (kind === 'email' && field === 'body' ? [field, 'paragraphs'] : [field]).filter((n) => errorOf(n));
    return {
      id: `${id}-${field}`,
      'data-testid': FIELD_TARGET[field],
      'aria-invalid': named.length > 0 ? true : undefined,
      'aria-describedby': named.map(errId).join(' ') || undefined,
    };
  };
  const err = (field: string) => <FieldError id={errId(field)} field={field} message={errorOf(field)} />;
  const required = requiredFields(kind, f);
  /** A required field says so in its label (the mark) and to assistive technologies. */
  const need = (field: string) => (required.has(field) ? ({ required: true, 'aria-required': true } as const) : {});
  const label = (field: string, text: string) => (
    <label htmlFor={`${id}-${field}`}>
      {text}
      {required.has(field) && <RequiredMark />}
    </label>
  );
  /** The description of a field: its error first, then its hint. */
  const described = (field: string, hint: boolean) => {
    const b = bind(field);
    const ids = [b['aria-describedby'], hint ? `${id}-${field}-hint` : undefined].filter(Boolean).join(' ');
    return { ...b, 'aria-describedby': ids || undefined };
  };

  const textField = (field: keyof ComposeForm & string, text: string, extra: { type?: string; placeholder?: string; hint?: string } = {}) => (
    <div className="field">
      {label(field, text)}
      <input {...described(field, !!extra.hint)} {...need(field)} type={extra.type ?? 'text'} value={f[field] as string} placeholder={extra.placeholder} onChange={(e) => set({ [field]: e.target.value } as Partial<ComposeForm>)} />
      {extra.hint && (
        <p className="field-hint" id={`${id}-${field}-hint`}>
          {extra.hint}
        </p>
      )}
      {err(field)}
    </div>
  );

  const textArea = (field: keyof ComposeForm & string, text: string, rows: number, hint?: string) => (
    <div className="field">
      {label(field, text)}
      <textarea {...described(field, !!hint)} {...need(field)} rows={rows} value={f[field] as string} onChange={(e) => set({ [field]: e.target.value } as Partial<ComposeForm>)} />
      {hint && (
        <p className="field-hint" id={`${id}-${field}-hint`}>
          {hint}
        </p>
      )}
      {err(field)}
    </div>
  );

  return (
    <section className="compose" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('compose.title')}</h1>
      <form ref={formRef} onSubmit={submit} noValidate aria-describedby={`${id}-required`} hidden={review !== null}>
        <p className="field-hint" id={`${id}-required`} data-testid="compose-required-legend">
          {t('required.legend')}
        </p>
        {errors.length > 0 && (
          <div className="form-errors" role="alert" data-testid="compose-errors">
            <p>{t('compose.errorsTitle')}</p>
            <ul>
              {errors.map((e, i) => (
                <li key={i}>
                  {e.field && fieldTarget(kind, e.field) ? (
                    <button type="button" className="link" onClick={() => focusField(e.field)}>
                      {t('compose.errorAt', { field: t(`fields.${fieldName(kind, e.field)}`, { defaultValue: e.field }), message: e.message })}
                    </button>
                  ) : (
                    e.message
                  )}
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('compose.kind')}</label>
          <select
            id={`${id}-kind`}
            data-testid="compose-kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as KindDto);
              setErrors([]);
              setStatus('');
            }}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}.name`)}
              </option>
            ))}
          </select>
        </div>

        <Group title={t('compose.groupHeading')}>
          {kind === 'telegram' && textField('origin', t('fields.origin'), { placeholder: t('compose.originPlaceholder') })}
          {kind === 'note' && (
            <>
              {textField('sendingMission', t('fields.sendingMission'), { placeholder: t('compose.sendingMissionPlaceholder') })}
              {textField('receivingInstitution', t('fields.receivingInstitution'), { placeholder: t('compose.receivingInstitutionPlaceholder') })}
            </>
          )}
          {kind === 'email' && (
            <>
              {textField('from', t('fields.from'), { hint: t('compose.fromHint') })}
              {textField('to', t('fields.to'), { hint: t('compose.toHint') })}
              {textField('cc', t('fields.cc'), { hint: t('compose.commaHint') })}
            </>
          )}
          {textField('subject', t('fields.subject'))}
          <div className="field">
            <label htmlFor={`${id}-language`}>{t('fields.language')}</label>
            {/* Each language named in itself, and declared so (RGAA 8.7); the interface's by default. */}
            <select {...bind('language')} value={f.language || i18n.language} onChange={(e) => set({ language: e.target.value })}>
              {DOCUMENT_LANGUAGES.map((l) => (
                <option key={l.code} value={l.code} lang={l.code}>
                  {l.name}
                </option>
              ))}
            </select>
            {err('language')}
          </div>
          <div className="field-row">
            <div className="field">
              <label htmlFor={`${id}-precedence`}>{t('fields.precedence')}</label>
              <select {...bind('precedence')} value={f.precedence} onChange={(e) => set({ precedence: e.target.value as PrecedenceDto })}>
                {/* An email is never Flash: a Flash goes by telegram. */}
                {PRECEDENCES.filter((p) => kind !== 'email' || p !== 'flash').map((p) => (
                  <option key={p} value={p}>
                    {t(`precedence.${p}.name`)}
                  </option>
                ))}
              </select>
              {err('precedence')}
            </div>
            <div className="field">
              <label htmlFor={`${id}-marking`}>{t('fields.marking')}</label>
              <select {...bind('marking')} value={f.marking} onChange={(e) => set({ marking: e.target.value as MarkingDto })}>
                {MARKINGS.map((m) => (
                  <option key={m} value={m}>
                    {t(`marking.${m}.label`)}
                  </option>
                ))}
              </select>
              {err('marking')}
            </div>
            {textField('deadline', t('fields.deadline'), { type: 'date' })}
          </div>
          {f.precedence === 'flash' && kind !== 'email' && (
            <div className="field">
              {label('justification', t('fields.justification'))}
              <input {...described('justification', true)} {...need('justification')} value={f.justification} onChange={(e) => set({ justification: e.target.value })} />
              <p className="field-hint" id={`${id}-justification-hint`}>
                {t('compose.justificationHint')}
              </p>
              {err('justification')}
            </div>
          )}
        </Group>

        {kind !== 'email' && (
          <Group title={t('compose.addressees')}>
            <AddresseeList which="action" label={t('fields.action')} required={required.has('action')} list={f.action} onChange={(action) => set({ action })} error={err('action')} errorId={errorOf('action') ? errId('action') : undefined} />
            <AddresseeList which="info" label={t('fields.info')} list={f.info} onChange={(info) => set({ info })} error={err('info')} errorId={errorOf('info') ? errId('info') : undefined} />
          </Group>
        )}

        {kind === 'note' && (
          <Group title={t('compose.formulas')}>
            <button type="button" data-testid="compose-template" onClick={applyTemplate}>
              {t('compose.useTemplate')}
            </button>
            {textArea('opening', t('fields.opening'), 3)}
          </Group>
        )}

        {kind === 'email' ? (
          <>
            {textArea('body', t('fields.body'), 12)}
            {err('paragraphs')}
            <div className="field">
              <span className="field-label" id={`${id}-attachments-label`}>
                {t('compose.attachments')}
              </span>
              {f.attachments.length === 0 ? (
                <p className="field-hint">{t('compose.noAttachment')}</p>
              ) : (
                <ul className="attachment-list" aria-labelledby={`${id}-attachments-label`} data-testid="compose-attachments">
                  {f.attachments.map((token) => (
                    <li key={token}>
                      <span>{tokenName(token)}</span>{' '}
                      <button
                        type="button"
                        className="link"
                        aria-label={t('compose.removeAttachment', { name: tokenName(token) })}
                        onClick={() => update(kind, (form) => ({ ...form, attachments: form.attachments.filter((p) => p !== token) }))}
                      >
                        ×
                      </button>
                    </li>
                  ))}
                </ul>
              )}
              <button
                type="button"
                {...bind('attachments')}
                onClick={async () => {
                  // Tokens for the files chosen in the backend's dialog; each ends with the name.
                  const r = await api.pickAttachments();
                  const picked = r.status === 'ok' ? r.data : [];
                  if (picked.length === 0) return;
                  update(kind, (form) => ({ ...form, attachments: [...form.attachments, ...picked.filter((p) => !form.attachments.includes(p))] }));
                }}
              >
                {t('compose.attach')}
              </button>
              {err('attachments')}
            </div>
          </>
        ) : (
          <Group title={t('compose.body')}>
            {kind === 'telegram' && textArea('summary', t('fields.summary'), 3)}
            <Paragraphs form={f} required={required.has('paragraphs')} onChange={(paragraphs) => set({ paragraphs })} error={err('paragraphs')} errorId={errorOf('paragraphs') ? errId('paragraphs') : undefined} />
            {kind === 'note' && textArea('closing', t('fields.closing'), 3)}
          </Group>
        )}

        {kind === 'note' && (
          <Group title={t('compose.placeDate')}>
            <div className="field-row">
              {textField('place', t('fields.place'))}
              {textField('date', t('fields.date'), { type: 'date' })}
            </div>
            {textField('answers', t('fields.answers'), { hint: t('compose.answersHint') })}
          </Group>
        )}

        {kind !== 'email' && (
          <Group title={t('compose.classification')}>
            {textField('tags', t('fields.tags'), { hint: t('compose.commaHint'), placeholder: t('compose.tagsPlaceholder') })}
            {kind === 'telegram' && (
              <>
                {textArea('references', t('fields.references'), 3, t('compose.lineHint'))}
                {textField('clearers', t('fields.clearers'), { hint: t('compose.commaHint') })}
                {textField('approver', t('fields.approver'))}
                {textArea('caveats', t('fields.caveats'), 2, t('compose.lineHint'))}
              </>
            )}
          </Group>
        )}

        <div className="form-actions">
          <button type="submit" className="primary" data-testid="compose-submit" disabled={busy} aria-busy={busy}>
            {t('compose.submit')}
          </button>
          <button type="button" data-testid="compose-save-draft" onClick={saveDraft}>
            {t('compose.saveDraft')}
          </button>
          <button type="button" onClick={discardDraft}>
            {t('compose.discardDraft')}
          </button>
          <span role="status" aria-live="polite" className="muted">
            {status}
          </span>
        </div>
        <p className="muted small">{t('compose.draftNote')}</p>
      </form>
      {review && <ComposeReview request={review.request} review={review.review} busy={busy} onConfirm={() => void confirm()} onEdit={edit} />}
    </section>
  );
}

function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="group">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

function AddresseeList({
  which,
  label,
  required = false,
  list,
  onChange,
  error,
  errorId,
}: {
  which: 'action' | 'info';
  label: string;
  /** At least one name is needed (the first one's field says so). */
  required?: boolean;
  list: AddresseeDto[];
  onChange: (l: AddresseeDto[]) => void;
  error: ReactNode;
  errorId?: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const update = (i: number, patch: Partial<AddresseeDto>) => onChange(list.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  return (
    <fieldset className="addressees">
      <legend>
        {label}
        {required && <RequiredMark />}
      </legend>
      {list.map((a, i) => (
        <div className="addressee-row" key={i}>
          <label htmlFor={`${id}-name-${i}`} className="visually-hidden">
            {t('compose.addresseeName', { list: label, n: i + 1 })}
          </label>
          <input
            id={`${id}-name-${i}`}
            data-testid={`compose-${which}-name-${i}`}
            value={a.name}
            onChange={(e) => update(i, { name: e.target.value })}
            placeholder={t('compose.addresseePlaceholder')}
            required={required && i === 0}
            aria-required={required && i === 0 ? true : undefined}
            aria-invalid={i === 0 && errorId ? true : undefined}
            aria-describedby={i === 0 ? errorId : undefined}
          />
          <label htmlFor={`${id}-kind-${i}`} className="visually-hidden">
            {t('compose.addresseeKind', { list: label, n: i + 1 })}
          </label>
          <select id={`${id}-kind-${i}`} data-testid={`compose-${which}-kind-${i}`} value={a.kind} onChange={(e) => update(i, { kind: e.target.value as AddresseeKindDto })}>
            {ADDRESSEE_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`addressee.${k}`)}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => onChange(list.filter((_, j) => j !== i))} aria-label={t('compose.removeAddressee', { list: label, n: i + 1 })} disabled={list.length === 1 && a.name === ''}>
            {t('compose.remove')}
          </button>
        </div>
      ))}
      <button type="button" data-testid={`compose-add-${which}`} onClick={() => onChange([...list, emptyAddressee()])}>
        {t('compose.addAddressee')}
      </button>
      {error}
    </fieldset>
  );
}

function Paragraphs({ form, required = false, onChange, error, errorId }: { form: ComposeForm; required?: boolean; onChange: (p: ComposeForm['paragraphs']) => void; error: ReactNode; errorId?: string }) {
  const { t } = useTranslation();
  const id = useId();
  const list = form.paragraphs;
  const update = (i: number, patch: Partial<(typeof list)[number]>) => onChange(list.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <fieldset className="paragraph-list">
      <legend>
        {t('fields.paragraphs')}
        {required && <RequiredMark />}
      </legend>
      {list.map((p, i) => (
        <div className="paragraph-row" key={i}>
          <div className="field">
            <label htmlFor={`${id}-text-${i}`}>{t('compose.paragraph', { n: i + 1 })}</label>
            <textarea
              id={`${id}-text-${i}`}
              data-testid={`compose-paragraph-${i}`}
              rows={4}
              value={p.text}
              onChange={(e) => update(i, { text: e.target.value })}
              required={required && i === 0}
              aria-required={required && i === 0 ? true : undefined}
              aria-invalid={i === 0 && errorId ? true : undefined}
              aria-describedby={i === 0 ? errorId : undefined}
            />
          </div>
          <div className="paragraph-tools">
            <label htmlFor={`${id}-marking-${i}`}>{t('compose.paragraphMarking', { n: i + 1 })}</label>
            <select id={`${id}-marking-${i}`} data-testid={`compose-paragraph-marking-${i}`} value={p.marking} onChange={(e) => update(i, { marking: e.target.value as MarkingDto })}>
              {MARKINGS.map((m) => (
                <option key={m} value={m}>
                  {t(`marking.${m}.label`)}
                </option>
              ))}
            </select>
            <button type="button" onClick={() => onChange(moveAt(list, i, -1))} disabled={i === 0} aria-label={t('compose.moveUp', { n: i + 1 })}>
              {t('compose.up')}
            </button>
            <button type="button" onClick={() => onChange(moveAt(list, i, 1))} disabled={i === list.length - 1} aria-label={t('compose.moveDown', { n: i + 1 })}>
              {t('compose.down')}
            </button>
            <button type="button" onClick={() => onChange(list.filter((_, j) => j !== i))} disabled={list.length === 1} aria-label={t('compose.removeParagraph', { n: i + 1 })}>
              {t('compose.remove')}
            </button>
          </div>
        </div>
      ))}
      <button type="button" data-testid="compose-add-paragraph" onClick={() => onChange([...list, emptyParagraph(form.marking)])}>
        {t('compose.addParagraph')}
      </button>
      {error}
    </fieldset>
  );
}
