// The collaborative editor of one draft: its fields (those of its kind), the circuit, the
// paragraphs with their portion marks and who edited them, comments anchored to a selected
// range beside each paragraph, the values set concurrently to choose from; the clearance
// panel and the history beside. Typing is sent at each pause (`useDraftEditor`); another
// replica's changes come in live, merged with what is being typed, the caret kept in place.

import { useEffect, useId, useLayoutEffect, useRef, useState, type ChangeEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api';
import type { DraftDto_Serialize, DraftFieldDto, DraftListDto, MarkingDto, PrecedenceDto } from '../bindings';
import { moveCaret, type TextTarget } from '../lib/draftEdits';
import type { DraftSession, ValueKey } from '../lib/draftSession';
import { PRECEDENCES } from '../lib/filter';
import { formatDateTime } from '../lib/format';
import { useDraftEditor, type DraftEditor as Editor } from '../lib/useDraftEditor';
import { ClearancePanel } from './ClearancePanel';
import { ErrorAlert, KindBadge } from './common';
import { DraftHistory } from './DraftHistory';
import { ShareToSpace } from './ShareToSpace';

const MARKINGS: MarkingDto[] = ['np', 'dr'];

/** The fields of each kind, in the order of the form. */
type FieldSpec =
  | { type: 'text'; field: DraftFieldDto; multiline?: boolean }
  | { type: 'register'; field: DraftFieldDto; hint?: string }
  | { type: 'list'; field: DraftListDto }
  | { type: 'addressees'; route: 'action' | 'info' };

const FIELDS: Record<DraftDto_Serialize['kind'], FieldSpec[]> = {
  telegram: [
    { type: 'register', field: 'origin' },
    { type: 'addressees', route: 'action' },
    { type: 'addressees', route: 'info' },
    { type: 'text', field: 'subject' },
    { type: 'list', field: 'tags' },
    { type: 'list', field: 'references' },
    { type: 'text', field: 'summary', multiline: true },
    { type: 'list', field: 'caveats' },
    { type: 'register', field: 'deadline', hint: 'drafts.deadlineHint' },
  ],
  note: [
    { type: 'register', field: 'sending_mission' },
    { type: 'register', field: 'receiving_institution' },
    { type: 'addressees', route: 'action' },
    { type: 'addressees', route: 'info' },
    { type: 'text', field: 'subject' },
    { type: 'text', field: 'opening', multiline: true },
    { type: 'text', field: 'closing', multiline: true },
    { type: 'register', field: 'place' },
    { type: 'register', field: 'date', hint: 'drafts.dateHint' },
    { type: 'register', field: 'answers' },
    { type: 'list', field: 'tags' },
    { type: 'register', field: 'deadline', hint: 'drafts.deadlineHint' },
  ],
  email: [
    { type: 'register', field: 'from' },
    { type: 'list', field: 'to' },
    { type: 'list', field: 'cc' },
    { type: 'text', field: 'subject' },
    { type: 'register', field: 'deadline', hint: 'drafts.deadlineHint' },
  ],
};

/** The translated name of a field (`sending_mission` → `fields.sendingMission`). */
function fieldLabel(name: string): string {
  return `fields.${name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}`;
}

export function DraftEditor({
  id,
  me,
  onBack,
  onOpenItem,
  flushRef,
}: {
  id: string;
  me: string;
  onBack: () => void;
  onOpenItem: (itemId: string) => void;
  flushRef?: RefObject<(() => Promise<void>) | null>;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const titleId = useId();
  const editor = useDraftEditor(api, id);
  const flush = editor.flush;
  useEffect(() => {
    if (!flushRef) return;
    flushRef.current = flush;
    return () => {
      flushRef.current = null;
    };
  }, [flushRef, flush]);
  const { session, draft } = editor;
  const [announce, setAnnounce] = useState('');
  // Once the draft is shown, its title takes the focus (the button that opened it is gone).
  const heading = useRef<HTMLHeadingElement>(null);
  const shown = !!draft;
  useEffect(() => {
    if (shown) heading.current?.focus();
  }, [shown]);

  useEffect(() => {
    if (editor.remoteSeq > 0) setAnnounce(t('drafts.remoteMerged'));
  }, [editor.remoteSeq, t]);

  if (!session || !draft) {
    return (
      <section className="draft-editor" data-testid="draft-editor" aria-busy="true">
        <button type="button" data-testid="draft-back" onClick={onBack}>
          {t('drafts.back')}
        </button>
        <ErrorAlert error={editor.error} />
      </section>
    );
  }

  // Who may edit, and what an edit undoes, as the backend judged it for this user.
  const editable = draft.mayEdit;
  const resets = draft.editResetsClearances;
  const subject = draft.fields.subject.trim();
  // The language its text reliably shows (a draft declares none), on the text fields only.
  const lang = draft.language ?? undefined;

  return (
    <section className="draft-editor" data-testid="draft-editor" data-id={draft.id} data-stage={draft.stage} aria-labelledby={titleId}>
      <div className="draft-toolbar">
        <button type="button" data-testid="draft-back" onClick={onBack}>
          {t('drafts.back')}
        </button>
        <KindBadge kind={draft.kind} />
        <h1 id={titleId} ref={heading} tabIndex={-1} className="draft-title" lang={subject ? lang : undefined}>
          {subject || t('drafts.noSubject')}
        </h1>
        <span className={`stage stage-${draft.stage}`} data-testid="draft-stage">
          {t(`stage.${draft.stage}`)}
        </span>
        <span className="draft-sync muted small" data-testid="draft-sync" data-state={session.dirty ? 'pending' : 'saved'} aria-live="polite">
          {session.dirty ? t('drafts.pending') : t('drafts.saved', { at: formatDateTime(draft.updatedAt, i18n.language) })}
        </span>
      </div>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="draft-remote-notice">
        {announce}
      </p>
      <ErrorAlert error={editor.error} />
      {draft.publishError && (
        <p className="warning" data-testid="draft-publish-error">
          {t('drafts.publishError', { message: draft.publishError })}
        </p>
      )}
      {!editable && (
        <p className="field-hint" data-testid="draft-readonly">
          {draft.stage === 'released' || draft.stage === 'withdrawn' ? t('drafts.readonlyFinal') : t('drafts.readonlyNotMember')}
        </p>
      )}
      {editable && resets && <p className="warning">{t('drafts.editResets')}</p>}
      <div className="draft-columns">
        <div className="draft-main">
          <Conflicts editor={editor} draft={draft} editable={editable} />
          <fieldset className="group" disabled={!editable}>
            <legend>{t('drafts.fields')}</legend>
            <div className="field-row">
              <SelectField label={t('fields.marking')} testId="draft-field-marking" value={draft.fields.marking.toLowerCase() === 'dr' ? 'dr' : 'np'} options={MARKINGS.map((m) => [m, t(`marking.${m}.label`)])} onChange={(v) => setNow(editor, session, 'field:marking', v.toUpperCase())} />
              <SelectField label={t('fields.precedence')} testId="draft-field-precedence" value={draft.fields.precedence || 'routine'} options={PRECEDENCES.map((p: PrecedenceDto) => [p, t(`precedence.${p}.name`)])} onChange={(v) => setNow(editor, session, 'field:precedence', v)} />
            </div>
            {draft.fields.precedence === 'flash' && draft.kind !== 'email' && <ValueField editor={editor} session={session} valueKey="field:justification" label={t('fields.justification')} testId="draft-field-justification" />}
            {FIELDS[draft.kind].map((spec) => (
              <FieldFor key={specKey(spec)} spec={spec} editor={editor} session={session} lang={lang} />
            ))}
          </fieldset>
          <fieldset className="group" disabled={!editable || (draft.stage !== 'draft' && draft.round > 0)}>
            <legend>{t('drafts.circuit')}</legend>
            <p className="field-hint">{draft.round > 0 && draft.stage !== 'draft' ? t('drafts.circuitFixed') : t('drafts.circuitHint')}</p>
            <dl className="meta">
              <dt>{t('drafts.drafter')}</dt>
              <dd data-testid="draft-drafter">{draft.fields.drafter}</dd>
            </dl>
            <ValueField editor={editor} session={session} valueKey="list:clearers" label={t('fields.clearers')} testId="draft-field-clearers" hint={t('drafts.clearersHint')} />
            <SelectField label={t('drafts.order')} testId="draft-field-clearance-order" value={draft.fields.clearanceOrder || 'sequential'} options={[['sequential', t('drafts.sequential')], ['parallel', t('drafts.parallel')]]} onChange={(v) => setNow(editor, session, 'field:clearance_order', v)} />
            <ValueField editor={editor} session={session} valueKey="field:approver" label={t('fields.approver')} testId="draft-field-approver" />
          </fieldset>
          <Paragraphs editor={editor} session={session} draft={draft} editable={editable} me={me} lang={lang} />
        </div>
        <aside className="draft-side" aria-label={t('drafts.sideLabel')}>
          <ClearancePanel draft={draft} me={me} editor={editor} onOpenItem={onOpenItem} />
          <DraftHistory draft={draft} me={me} editor={editor} />
          <ShareToSpace key={draft.id} target="draft" id={draft.id} testPrefix="draft" />
        </aside>
      </div>
    </section>
  );
}

function specKey(s: FieldSpec): string {
  return s.type === 'addressees' ? `a:${s.route}` : `${s.type}:${s.field}`;
}

/** A value chosen in a list goes at once. */
function setNow(editor: Editor, session: DraftSession, key: ValueKey, value: string) {
  session.setValue(key, value);
  editor.changed();
  void editor.flush();
}

function FieldFor({ spec, editor, session, lang }: { spec: FieldSpec; editor: Editor; session: DraftSession; lang?: string }) {
  const { t } = useTranslation();
  switch (spec.type) {
    case 'text':
      return <TextField editor={editor} session={session} target={{ kind: 'field', field: spec.field }} label={t(fieldLabel(spec.field))} testId={`draft-field-${spec.field.replace(/_/g, '-')}`} multiline={spec.multiline} lang={lang} />;
    case 'register':
      return <ValueField editor={editor} session={session} valueKey={`field:${spec.field}`} label={t(fieldLabel(spec.field))} testId={`draft-field-${spec.field.replace(/_/g, '-')}`} hint={spec.hint ? t(spec.hint) : undefined} />;
    case 'list':
      return <ValueField editor={editor} session={session} valueKey={`list:${spec.field}`} label={t(fieldLabel(spec.field))} testId={`draft-field-${spec.field}`} hint={t('drafts.listHint')} />;
    case 'addressees':
      return <ValueField editor={editor} session={session} valueKey={`addressees:${spec.route}`} label={t(`fields.${spec.route}`)} testId={`draft-field-${spec.route}`} hint={t('drafts.addresseesHint')} />;
  }
}

function SelectField({ label, testId, value, options, onChange }: { label: string; testId: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A register, a list or the addressees: the value typed is sent whole at the pause. */
function ValueField({ editor, session, valueKey, label, testId, hint }: { editor: Editor; session: DraftSession; valueKey: ValueKey; label: string; testId: string; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        data-testid={testId}
        value={session.value(valueKey)}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => {
          session.setValue(valueKey, e.target.value);
          editor.changed();
        }}
        onBlur={() => void editor.flush()}
      />
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/**
 * A text merged character by character (a paragraph, the subject…). The caret is kept where
 * it was in the words around it when another replica's change comes in.
 */
function useMergedText(session: DraftSession, target: TextTarget, editor: Editor) {
  const ref = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const value = session.text(target);
  const shown = useRef(value);
  const typed = useRef<string | null>(null);
  const selection = useRef<[number, number]>([0, 0]);
  useLayoutEffect(() => {
    const el = ref.current;
    const before = shown.current;
    shown.current = value;
    if (!el || before === value || typed.current === value) return;
    // Changed from elsewhere: keep the caret with its words.
    if (document.activeElement === el) {
      const [a, b] = selection.current;
      el.setSelectionRange(moveCaret(before, value, a), moveCaret(before, value, b));
    }
  }, [value]);
  const onChange = (e: ChangeEvent<HTMLTextAreaElement | HTMLInputElement>) => {
    typed.current = e.target.value;
    selection.current = [e.target.selectionStart ?? 0, e.target.selectionEnd ?? 0];
    session.input(target, e.target.value, e.target.selectionEnd ?? undefined);
    editor.changed();
  };
  const onSelect = () => {
    const el = ref.current;
    if (el) selection.current = [el.selectionStart ?? 0, el.selectionEnd ?? 0];
  };
  return { ref, value, onChange, onSelect, selection };
}

function TextField({ editor, session, target, label, testId, multiline, lang }: { editor: Editor; session: DraftSession; target: TextTarget; label: string; testId: string; multiline?: boolean; lang?: string }) {
  const id = useId();
  const m = useMergedText(session, target, editor);
  const common = { id, lang, 'data-testid': testId, value: m.value, onChange: m.onChange, onSelect: m.onSelect, onBlur: () => void editor.flush() };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? <textarea ref={m.ref} rows={3} {...common} /> : <input ref={m.ref} {...common} />}
    </div>
  );
}

function Conflicts({ editor, draft, editable }: { editor: Editor; draft: DraftDto_Serialize; editable: boolean }) {
  const { t } = useTranslation();
  if (draft.conflicts.length === 0) return null;
  const api = editor.apiRef;
  const choose = (field: string, value: string) => {
    const para = /^paragraphs\.(.+)\.marking$/.exec(field);
    const addr = /^addressees\.(.+)\.route$/.exec(field);
    void editor.run(() => {
      if (para) {
        const index = draft.paragraphs.findIndex((p) => p.id === para[1]);
        return api.editDraft(draft.id, draft.heads, [{ op: 'set_paragraph_marking', index, marking: value.toLowerCase() === 'dr' ? 'dr' : 'np' }]);
      }
      if (addr) {
        const addressees = draft.addressees.map((a) => (a.addressee.name === addr[1] ? { ...a, route: value === 'info' ? ('info' as const) : ('action' as const) } : a));
        return api.editDraft(draft.id, draft.heads, [{ op: 'set_addressees', addressees }]);
      }
      return api.editDraft(draft.id, draft.heads, [{ op: 'resolve_field', field: field as DraftFieldDto, value }]);
    });
  };
  return (
    <section className="draft-conflicts warning" data-testid="draft-conflicts" aria-label={t('drafts.conflicts')}>
      <h2>{t('drafts.conflicts')}</h2>
      <p className="field-hint">{t('drafts.conflictsHint')}</p>
      <ul>
        {draft.conflicts.map((c) => {
          const para = /^paragraphs\.(.+)\.marking$/.exec(c.field);
          const name = para ? t('drafts.paragraphMarking', { n: draft.paragraphs.findIndex((p) => p.id === para[1]) + 1 }) : c.field.startsWith('addressees.') ? t('drafts.addresseeRoute', { name: c.field.slice(11, -6) }) : t(fieldLabel(c.field), { defaultValue: c.field });
          return (
            <li key={c.field} data-testid="draft-conflict" data-field={c.field}>
              <span className="conflict-field">{name}</span>
              {c.values.map((v) => (
                <button key={v} type="button" data-testid="draft-conflict-choice" data-value={v} disabled={!editable} onClick={() => choose(c.field, v)}>
                  {t('drafts.keep', { value: v })}
                </button>
              ))}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Paragraphs({ editor, session, draft, editable, me, lang }: { editor: Editor; session: DraftSession; draft: DraftDto_Serialize; editable: boolean; me: string; lang?: string }) {
  const { t } = useTranslation();
  const add = (index: number) => {
    session.push({ op: 'insert_paragraph', index, marking: 'np', text: '' });
    editor.changed();
    void editor.flush();
  };
  return (
    <fieldset className="group draft-paragraphs" data-testid="draft-paragraphs" disabled={!editable}>
      <legend>{draft.kind === 'email' ? t('fields.body') : t('fields.paragraphs')}</legend>
      {draft.paragraphs.length === 0 && <p className="muted">{t('drafts.noParagraph')}</p>}
      {draft.paragraphs.map((p, i) => (
        <Paragraph key={p.id} editor={editor} session={session} draft={draft} index={i} editable={editable} me={me} lang={lang} />
      ))}
      <button type="button" data-testid="draft-add-paragraph" onClick={() => add(draft.paragraphs.length)}>
        {t('drafts.addParagraph')}
      </button>
    </fieldset>
  );
}

function Paragraph({ editor, session, draft, index, editable, me, lang }: { editor: Editor; session: DraftSession; draft: DraftDto_Serialize; index: number; editable: boolean; me: string; lang?: string }) {
  const { t } = useTranslation();
  const id = useId();
  const p = draft.paragraphs[index] as DraftDto_Serialize['paragraphs'][number];
  const target: TextTarget = { kind: 'paragraph', id: p.id };
  const m = useMergedText(session, target, editor);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [commenting, setCommenting] = useState(false);
  const [comment, setComment] = useState('');
  const [range, setRange] = useState<[number, number] | null>(null);
  const others = p.editedBy.filter((n) => n !== me);
  const comments = draft.comments.filter((c) => c.paragraph === p.id);
  const structural = (op: Parameters<DraftSession['push']>[0]) => {
    session.push(op);
    editor.changed();
    void editor.flush();
  };
  const onSelect = () => {
    m.onSelect();
    const el = m.ref.current;
    if (el && el.selectionEnd > el.selectionStart) setRange([el.selectionStart, el.selectionEnd]);
  };
  async function addComment() {
    if (!range || comment.trim() === '') return;
    const ok = await editor.run(() => editor.apiRef.commentDraft(draft.id, p.id, range[0], range[1], comment.trim()));
    if (ok) {
      setComment('');
      setCommenting(false);
      setRange(null);
    }
  }
  return (
    <div className="draft-paragraph" data-testid="draft-paragraph" data-id={p.id} data-index={index} data-marking={p.marking}>
      <div className="draft-paragraph-body">
        <div className="paragraph-tools">
          <label htmlFor={id} className="paragraph-number">
            {t('drafts.paragraphLabel', { n: index + 1 })}
          </label>
          <select aria-label={t('drafts.portionMark', { n: index + 1 })} data-testid="draft-paragraph-marking" value={p.marking} onChange={(e) => structural({ op: 'set_paragraph_marking', index, marking: e.target.value as MarkingDto })}>
            {MARKINGS.map((mk) => (
              <option key={mk} value={mk}>
                {t(`marking.${mk}.short`)}
              </option>
            ))}
          </select>
          <button type="button" data-testid="draft-paragraph-up" disabled={index === 0} onClick={() => structural({ op: 'move_paragraph', from: index, to: index - 1 })} aria-label={t('drafts.moveUp', { n: index + 1 })}>
            {t('drafts.up')}
          </button>
          <button type="button" data-testid="draft-paragraph-down" disabled={index === draft.paragraphs.length - 1} onClick={() => structural({ op: 'move_paragraph', from: index, to: index + 1 })} aria-label={t('drafts.moveDown', { n: index + 1 })}>
            {t('drafts.down')}
          </button>
          <button type="button" data-testid="draft-paragraph-insert" onClick={() => structural({ op: 'insert_paragraph', index: index + 1, marking: p.marking, text: '' })}>
            {t('drafts.insertAfter')}
          </button>
          <button
            type="button"
            className={confirmDelete ? 'danger' : undefined}
            data-testid="draft-paragraph-delete"
            onClick={() => {
              if (others.length > 0 && !confirmDelete) setConfirmDelete(true);
              else structural({ op: 'delete_paragraph', index });
            }}
            onBlur={() => setConfirmDelete(false)}
          >
            {confirmDelete ? t('drafts.confirmDelete', { names: others.join(', ') }) : t('drafts.delete')}
          </button>
          {p.editedBy.length > 0 && (
            <span className="edited-by muted small" data-testid="draft-paragraph-edited-by">
              {t('drafts.editedBy', { names: p.editedBy.join(', ') })}
            </span>
          )}
        </div>
        <textarea
          ref={m.ref}
          id={id}
          className={p.marking === 'dr' ? 'portion-dr' : undefined}
          data-testid="draft-paragraph-text"
          lang={lang}
          rows={Math.max(3, Math.ceil(m.value.length / 90) + 1)}
          value={m.value}
          onChange={m.onChange}
          onSelect={onSelect}
          onBlur={() => void editor.flush()}
          onKeyDown={(e) => {
            // Alt+↑ / Alt+↓ move the paragraph; Ctrl+Entrée adds one after it.
            if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
              const to = e.key === 'ArrowUp' ? index - 1 : index + 1;
              if (to >= 0 && to < draft.paragraphs.length) structural({ op: 'move_paragraph', from: index, to });
              e.preventDefault();
            } else if (e.ctrlKey && e.key === 'Enter') {
              structural({ op: 'insert_paragraph', index: index + 1, marking: p.marking, text: '' });
              e.preventDefault();
            }
          }}
        />
      </div>
      <div className="draft-comments" role="group" aria-label={t('drafts.commentsOf', { n: index + 1 })}>
        {comments.map((c) => (
          <div key={c.id} className={`draft-comment${c.resolvedBy ? ' resolved' : ''}`} data-testid="draft-comment" data-id={c.id} data-resolved={c.resolvedBy ? 'true' : 'false'}>
            <blockquote className="quote">{c.quote}</blockquote>
            <p>{c.text}</p>
            <p className="muted small">
              {c.author}
              {c.resolvedBy ? ` · ${t('drafts.resolvedBy', { name: c.resolvedBy })}` : ''}
            </p>
            {!c.resolvedBy && (
              <button type="button" className="link" data-testid="draft-comment-resolve" onClick={() => void editor.run(() => editor.apiRef.resolveDraftComment(draft.id, c.id))}>
                {t('drafts.resolve')}
              </button>
            )}
          </div>
        ))}
        {commenting && range ? (
          <div className="draft-comment-form">
            <label htmlFor={`${id}-comment`} className="small">
              {t('drafts.commentOn', { quote: m.value.slice(range[0], range[1]) })}
            </label>
            <textarea id={`${id}-comment`} data-testid="draft-comment-text" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
            <div className="form-actions">
              <button type="button" className="primary" data-testid="draft-comment-add" disabled={comment.trim() === ''} onClick={() => void addComment()}>
                {t('drafts.addComment')}
              </button>
              <button type="button" onClick={() => setCommenting(false)}>
                {t('drafts.cancel')}
              </button>
            </div>
          </div>
        ) : (
          <button type="button" className="link" data-testid="draft-comment-selection" disabled={!range || !editable} onClick={() => setCommenting(true)} title={range ? undefined : t('drafts.selectToComment')}>
            {t('drafts.commentSelection')}
          </button>
        )}
      </div>
    </div>
  );
}
