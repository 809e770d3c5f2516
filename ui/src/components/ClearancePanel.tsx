// The clearance panel (circuit de visas): the circuit and where each clearer stands, with
// their comments; the steps the user may take now, the others saying why not, both as the
// backend judged them (`draft.actions`: the domain's rules, never re-derived here); the
// release, with its number, said clearly when provisional; the released item, to open in
// the reader.

import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClearanceActionsDto_Serialize, DraftDto_Serialize, DraftStepDto_Deserialize, ReleaseOutcomeDto_Serialize } from '../bindings';
import type { DraftEditor } from '../lib/useDraftEditor';

type ClearanceAction = keyof ClearanceActionsDto_Serialize;

const CLEARANCE_ACTIONS: ClearanceAction[] = ['submit', 'clear', 'reject', 'approve', 'release', 'withdraw'];

export function ClearancePanel({ draft, me, editor, onOpenItem }: { draft: DraftDto_Serialize; me: string; editor: DraftEditor; onOpenItem: (itemId: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [comment, setComment] = useState('');
  const [released, setReleased] = useState<ReleaseOutcomeDto_Serialize | null>(null);
  const [busy, setBusy] = useState<ClearanceAction | null>(null);
  const c = draft.circuit;
  const drafter = c.drafter || draft.fields.drafter;
  const approver = c.approver || draft.fields.approver;
  const api = editor.apiRef;

  async function act(action: ClearanceAction) {
    if (!draft.actions[action].available || busy) return;
    setBusy(action);
    const text = comment.trim();
    if (action === 'release') {
      await editor.flush();
      const r = await api.releaseDraft(draft.id);
      if (r.status === 'ok') {
        setReleased(r.data);
        await editor.run(async () => ({ status: 'ok', data: r.data.draft }));
      } else await editor.run(async () => r);
    } else {
      const step: DraftStepDto_Deserialize =
        action === 'submit'
          ? { step: 'submit' }
          : action === 'clear'
            ? { step: 'clear', comment: text === '' ? null : text }
            : action === 'reject'
              ? { step: 'reject', comment: text }
              : action === 'approve'
                ? { step: 'approve' }
                : { step: 'withdraw', reason: text };
      const ok = await editor.run(() => api.draftStep(draft.id, step));
      if (ok) setComment('');
    }
    setBusy(null);
  }

  const release = draft.release;
  const number = released?.number ?? release?.number ?? '';
  const provisional = released?.provisional ?? release?.provisional ?? false;

  return (
    <section className="clearance-panel" data-testid="clearance-panel" data-stage={draft.stage} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('clearance.title')}</h2>
      <p>
        <span className={`stage stage-${draft.stage}`} data-testid="clearance-stage">
          {t(`stage.${draft.stage}`)}
        </span>
        {draft.round > 0 && <span className="muted small"> · {t('clearance.round', { n: draft.round })}</span>}
      </p>
      {draft.waitingFor.length > 0 && (
        <p data-testid="clearance-waiting" className={draft.waitingFor.includes(me) ? 'clearance-yours' : undefined}>
          {draft.waitingFor.includes(me) ? t('clearance.yourTurn') : t('drafts.waitingFor', { names: draft.waitingFor.join(', ') })}
        </p>
      )}
      <ol className="circuit" aria-label={t('clearance.circuit')}>
        <li className="circuit-step">
          <span className="circuit-role">{t('clearance.drafter')}</span> <span>{drafter}</span>
        </li>
        {draft.clearers.length === 0 && (
          <li className="circuit-step muted">{t('clearance.noClearer')}</li>
        )}
        {draft.clearers.map((cl, i) => (
          <li key={cl.name} className={`circuit-step verdict-${cl.verdict}`} data-testid="clearer" data-name={cl.name} data-verdict={cl.verdict}>
            <span className="circuit-role">{c.order === 'parallel' ? t('clearance.clearerParallel') : t('clearance.clearerN', { n: i + 1 })}</span> <span>{cl.name}</span>{' '}
            <span className={`verdict verdict-${cl.verdict}`}>{t(`clearance.verdict.${cl.verdict}`)}</span>
            {cl.comment && <q className="clearer-comment" data-testid="clearer-comment">{cl.comment}</q>}
            {cl.clearedBefore && <span className="muted small"> · {t('clearance.resetByEdit')}</span>}
          </li>
        ))}
        <li className="circuit-step">
          <span className="circuit-role">{t('clearance.approver')}</span> <span>{approver || t('clearance.noApprover')}</span>
        </li>
      </ol>

      {(release || released) && (
        <div className="release-result" data-testid="clearance-release-result" data-provisional={provisional ? 'true' : 'false'} role="status">
          <p>
            {t('clearance.releasedAs')} <strong data-testid="clearance-release-number">{number || t('clearance.unnumbered')}</strong>
          </p>
          {provisional && <p className="warning">{t('clearance.provisional')}</p>}
          <button type="button" data-testid="clearance-open-released" onClick={() => onOpenItem(released?.item ?? release?.item ?? '')}>
            {t('clearance.openReleased')}
          </button>
        </div>
      )}

      {draft.stage !== 'released' && draft.stage !== 'withdrawn' && (
        <>
          <div className="field">
            <label htmlFor={`${id}-comment`}>{t('clearance.comment')}</label>
            <textarea id={`${id}-comment`} data-testid="clearance-comment" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} aria-describedby={`${id}-comment-hint`} />
            <p id={`${id}-comment-hint`} className="field-hint">
              {t('clearance.commentHint')}
            </p>
          </div>
          <ul className="clearance-actions">
            {CLEARANCE_ACTIONS.map((a) => {
              const why = draft.actions[a];
              const needsText = (a === 'reject' || a === 'withdraw') && comment.trim() === '';
              const off = !why.available || needsText;
              return (
                <li key={a}>
                  <button
                    type="button"
                    className={a === 'release' || a === 'approve' || a === 'clear' || a === 'submit' ? 'primary' : a === 'withdraw' || a === 'reject' ? 'danger' : undefined}
                    data-testid={`clearance-${a}`}
                    aria-disabled={off}
                    aria-describedby={off ? `${id}-why-${a}` : undefined}
                    aria-busy={busy === a}
                    onClick={() => {
                      if (!off) void act(a);
                    }}
                  >
                    {t(`clearance.action.${a}`)}
                  </button>
                  {off && (
                    <span id={`${id}-why-${a}`} className="why muted small" data-testid={`clearance-why-${a}`}>
                      {!why.available && why.reason ? t(`clearance.why.${why.reason}`, { who: why.who ?? '' }) : t(a === 'reject' ? 'clearance.why.needComment' : 'clearance.why.needReason')}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
