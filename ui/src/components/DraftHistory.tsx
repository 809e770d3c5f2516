// The history of a draft: its versions (one per submission, those named, the release), a
// readable difference between any two (or a version and the draft now), "what changed since
// my clearance" for a clearer whose clearance an edit reset, naming a version, and the
// clearance log.

import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CommandError } from '../api';
import type { DraftDiffDto, DraftDto_Serialize } from '../bindings';
import { diffIsEmpty, diffRows } from '../lib/draftDiff';
import { formatDateTime } from '../lib/format';
import type { DraftEditor } from '../lib/useDraftEditor';
import { ErrorAlert } from './common';

const CURRENT = 'current';

export function DraftHistory({ draft, me, editor }: { draft: DraftDto_Serialize; me: string; editor: DraftEditor }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const api = editor.apiRef;
  const versions = draft.versions;
  const last = versions[versions.length - 1];
  const [from, setFrom] = useState<string>(last ? String(last.number) : CURRENT);
  const [to, setTo] = useState<string>(CURRENT);
  const [diff, setDiff] = useState<{ title: string; diff: DraftDiffDto } | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [label, setLabel] = useState('');
  const mine = draft.clearers.find((c) => c.name === me);

  const num = (v: string) => (v === CURRENT ? null : Number(v));
  const versionName = (v: string) => (v === CURRENT ? t('history.current') : t('history.versionN', { n: v }));

  async function compare() {
    const r = await api.draftDiff(draft.id, num(from), num(to));
    if (r.status === 'ok') {
      setError(null);
      setDiff({ title: t('history.between', { from: versionName(from), to: versionName(to) }), diff: r.data });
    } else setError(r.error);
  }

  async function sinceMyClearance() {
    if (!mine?.clearedBefore) return;
    const r = await api.draftChangesSince(draft.id, mine.clearedBefore);
    if (r.status === 'ok') {
      setError(null);
      setDiff({ title: t('history.sinceClearance'), diff: r.data });
    } else setError(r.error);
  }

  async function nameVersion() {
    if (label.trim() === '') return;
    if (await editor.run(() => api.nameDraftVersion(draft.id, label.trim()))) setLabel('');
  }

  return (
    <section className="draft-history" data-testid="draft-history" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('history.title')}</h2>
      {mine?.clearedBefore && (
        <p className="warning">
          {t('history.resetNotice')}{' '}
          <button type="button" className="link" data-testid="history-since-clearance" onClick={() => void sinceMyClearance()}>
            {t('history.sinceClearance')}
          </button>
        </p>
      )}
      {versions.length === 0 ? (
        <p className="muted">{t('history.noVersion')}</p>
      ) : (
        <ol className="versions">
          {versions.map((v) => (
            <li key={v.number} data-testid="history-version" data-number={v.number}>
              <strong>{t('history.versionN', { n: v.number })}</strong> — {versionLabel(t, v.label)} <span className="muted small">({v.by}, {formatDateTime(v.at, i18n.language)})</span>
            </li>
          ))}
        </ol>
      )}
      <div className="field-row">
        {(['from', 'to'] as const).map((end) => (
          <div className="field" key={end}>
            <label htmlFor={`${id}-${end}`}>{t(`history.${end}`)}</label>
            <select
              id={`${id}-${end}`}
              data-testid={`history-${end}`}
              value={end === 'from' ? from : to}
              onChange={(e) => (end === 'from' ? setFrom : setTo)(e.target.value)}
            >
              {versions.map((v) => (
                <option key={v.number} value={String(v.number)}>
                  {t('history.versionN', { n: v.number })}
                </option>
              ))}
              <option value={CURRENT}>{t('history.current')}</option>
            </select>
          </div>
        ))}
      </div>
      <button type="button" data-testid="history-compare" onClick={() => void compare()}>
        {t('history.compare')}
      </button>
      <ErrorAlert error={error} />
      {diff && <DiffView title={diff.title} diff={diff.diff} />}
      <div className="field">
        <label htmlFor={`${id}-label`}>{t('history.nameVersion')}</label>
        <div className="form-actions">
          <input id={`${id}-label`} data-testid="history-label" value={label} onChange={(e) => setLabel(e.target.value)} />
          <button type="button" data-testid="history-name" disabled={label.trim() === ''} onClick={() => void nameVersion()}>
            {t('history.name')}
          </button>
        </div>
      </div>
      <h3>{t('history.log')}</h3>
      <ol className="draft-log">
        {draft.log.map((l, i) => (
          <li key={i} data-testid="history-step" data-step={l.step} data-refused={l.refused ? 'true' : 'false'}>
            <span className="muted small">{formatDateTime(l.at, i18n.language)}</span> {l.actor} — {t(`history.step.${l.step}`, { defaultValue: l.step })}
            {l.comment && <q>{l.comment}</q>}
            {l.reset.length > 0 && <span className="muted small"> · {t('history.reset', { names: l.reset.join(', ') })}</span>}
            {l.refused && <span className="field-error"> {t('history.refused', { why: l.refused })}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** "round 2" and "released" are the service's labels; a name given by someone is shown as is. */
function versionLabel(t: (k: string, o?: Record<string, unknown>) => string, label: string): string {
  const round = /^round (\d+)$/.exec(label);
  if (round) return t('history.round', { n: round[1] });
  if (label === 'released') return t('history.released');
  return label;
}

export function DiffView({ title, diff }: { title: string; diff: DraftDiffDto }) {
  const { t } = useTranslation();
  const rows = diffRows(diff);
  return (
    <section className="draft-diff" data-testid="draft-diff" aria-label={title}>
      <h3>{title}</h3>
      {diffIsEmpty(diff) ? (
        <p className="muted" data-testid="draft-diff-empty">
          {t('history.noChange')}
        </p>
      ) : (
        <ul>
          {rows.map((r) => (
            <li key={r.key} className={`diff-row diff-${r.change}`} data-testid="diff-row" data-change={r.change}>
              <span className="diff-what">
                {r.what.kind === 'field' ? t(`fields.${r.what.name}`, { defaultValue: r.what.name }) : r.what.number === null ? t('history.removedParagraph') : t('drafts.paragraphLabel', { n: r.what.number })}
                {r.change !== 'changed' && r.what.kind === 'paragraph' && r.what.number !== null && ` · ${t(`history.change.${r.change}`)}`}
                {r.marking && ` · ${t('history.markingChanged', { before: r.marking.before, after: r.marking.after })}`}
              </span>
              <span className="diff-text">
                {r.parts.map((p, i) =>
                  p.tag === 'added' ? (
                    <ins key={i}>{p.text}</ins>
                  ) : p.tag === 'removed' ? (
                    <del key={i}>{p.text}</del>
                  ) : (
                    <span key={i}>{p.text}</span>
                  ),
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
