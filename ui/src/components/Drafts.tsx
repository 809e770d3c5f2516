// The drafts ("Projets"): the list of this profile's collaborative drafts, where each stands
// and whom it waits for; a new draft of a kind; and the open draft's editor.

import { useCallback, useEffect, useId, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import '../drafting.css';
import { useApi, type CommandError } from '../api';
import type { DraftSummaryDto, KindDto } from '../bindings';
import { formatDateTime } from '../lib/format';
import { useListen } from '../lib/useListen';
import { ErrorAlert, KindBadge, MarkingBadge } from './common';
import { DraftEditor } from './DraftEditor';

const KINDS: KindDto[] = ['telegram', 'note', 'email'];

export function Drafts({
  me,
  openId,
  onOpen,
  onOpenItem,
  flushRef,
}: {
  me: string;
  openId: string | null;
  onOpen: (id: string | null) => void;
  onOpenItem: (itemId: string) => void;
  /** Set to the open editor's flush (the shell sends what is typed before a lock). */
  flushRef?: RefObject<(() => Promise<void>) | null>;
}) {
  // The draft last open: back in the list, the focus returns to its row.
  const lastOpen = useRef<string | null>(null);
  useEffect(() => {
    if (openId) lastOpen.current = openId;
  }, [openId]);
  if (openId) return <DraftEditor key={openId} id={openId} me={me} onBack={() => onOpen(null)} onOpenItem={onOpenItem} flushRef={flushRef} />;
  return <DraftList me={me} onOpen={onOpen} returnTo={lastOpen.current} />;
}

function DraftList({ me, onOpen, returnTo }: { me: string; onOpen: (id: string) => void; returnTo: string | null }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const id = useId();
  const [drafts, setDrafts] = useState<DraftSummaryDto[] | null>(null);
  const [kind, setKind] = useState<KindDto>('telegram');
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const listRef = useRef<HTMLUListElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const returned = useRef(false);

  const load = useCallback(async () => {
    const r = await api.drafts();
    if (r.status === 'ok') setDrafts(r.data);
    else setError(r.error);
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);
  useListen(api.onDraftsChanged, () => void load());

  // Back from a draft: its row takes the focus (the list's title if it is gone).
  useEffect(() => {
    if (!returnTo || returned.current || drafts === null) return;
    returned.current = true;
    const row = Array.from(listRef.current?.querySelectorAll<HTMLElement>('[data-testid="draft-row"]') ?? []).find((r) => r.dataset.id === returnTo);
    (row ?? titleRef.current)?.focus();
  }, [returnTo, drafts]);

  async function create() {
    setBusy(true);
    const r = await api.createDraft(kind);
    setBusy(false);
    if (r.status === 'ok') onOpen(r.data.id);
    else setError(r.error);
  }

  return (
    <section className="drafts" data-testid="drafts" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`} ref={titleRef} tabIndex={-1}>
        {t('drafts.title')}
      </h1>
      <p className="field-hint">{t('drafts.intro')}</p>
      <div className="form-actions">
        <label htmlFor={`${id}-kind`}>{t('drafts.newKind')}</label>
        <select id={`${id}-kind`} data-testid="drafts-new-kind" value={kind} onChange={(e) => setKind(e.target.value as KindDto)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kind.${k}.name`)}
            </option>
          ))}
        </select>
        <button type="button" className="primary" data-testid="drafts-new" onClick={() => void create()} aria-busy={busy} disabled={busy}>
          {t('drafts.new')}
        </button>
      </div>
      <ErrorAlert error={error} />
      {drafts === null ? (
        <p className="muted">{t('drafts.loading')}</p>
      ) : drafts.length === 0 ? (
        <p className="empty" data-testid="drafts-empty">
          {t('drafts.empty')}
        </p>
      ) : (
        <ul ref={listRef} className="draft-list" aria-label={t('drafts.listLabel')}>
          {drafts.map((d) => {
            const mine = d.waitingFor.includes(me);
            return (
              <li key={d.id}>
                <button type="button" className={`draft-row${mine ? ' draft-row-mine' : ''}`} data-testid="draft-row" data-id={d.id} data-stage={d.stage} onClick={() => onOpen(d.id)}>
                  <span className="row-line">
                    <KindBadge kind={d.kind} />
                    <MarkingBadge marking={d.marking} />
                    <span className="row-subject" data-testid="draft-row-subject">
                      {d.subject.trim() || t('drafts.noSubject')}
                    </span>
                  </span>
                  <span className="row-meta">
                    <span className={`stage stage-${d.stage}`}>{t(`stage.${d.stage}`)}</span>
                    <span data-testid="draft-row-waiting">
                      {d.waitingFor.length === 0 ? '' : mine ? t('drafts.waitingForYou') : t('drafts.waitingFor', { names: d.waitingFor.join(', ') })}
                    </span>
                    <span>{formatDateTime(d.updatedAt, i18n.language)}</span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
