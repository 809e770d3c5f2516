import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, type CommandError } from '../api';
import type {
  AddresseeDto,
  EmailDto_Serialize,
  ItemDto_Serialize,
  ItemSummaryDto_Serialize,
  MarkingDto,
  NotViewable,
  NoteDto_Serialize,
  ParagraphDto,
  ReferenceDto_Serialize,
  TelegramDto_Serialize,
} from '../bindings';
import { errorText } from '../lib/errors';
import { formatDate, formatDateTime, formatDtg, formatSize, formatUtc } from '../lib/format';
import { ErrorAlert, KindBadge, MarkingBadge, PrecedenceBadge } from './common';
import { Acknowledgements } from './Acknowledgements';
import { ReleaseSeal } from './ReleaseSeal';
import { ShareToSpace } from './ShareToSpace';

export function Reader({
  id,
  onOpen,
  onBack,
  showBack,
  onReadChanged,
  focusOnOpen,
  onOpenDraft,
  onOpenContacts,
  onLoaded,
}: {
  id: string | null;
  onOpen: (id: string) => void;
  onBack: () => void;
  showBack: boolean;
  onReadChanged: () => void;
  focusOnOpen: boolean;
  /** Opens a draft (a correction of the released item shown). */
  onOpenDraft?: (draftId: string) => void;
  /** Opens the Contacts screen (to verify the contact who signed the released item shown). */
  onOpenContacts?: () => void;
  /** The item shown was loaded (its route says which inbox section holds it). */
  onLoaded?: (item: ItemDto_Serialize) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [item, setItem] = useState<ItemDto_Serialize | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState('');
  const readChanged = useRef(onReadChanged);
  readChanged.current = onReadChanged;
  const loaded = useRef(onLoaded);
  loaded.current = onLoaded;

  useEffect(() => {
    setItem(null);
    setError(null);
    setStatus('');
    if (!id) return;
    let current = true;
    void api.openItem(id).then((r) => {
      if (!current) return;
      if (r.status === 'ok') {
        setItem(r.data as ItemDto_Serialize);
        loaded.current?.(r.data as ItemDto_Serialize);
        // Opening marks the item read.
        readChanged.current();
      } else setError(r.error);
    });
    return () => {
      current = false;
    };
  }, [api, id]);

  useEffect(() => {
    if (item && focusOnOpen) heading.current?.focus();
  }, [item, focusOnOpen]);

  if (!id) {
    return (
      <section className="reader reader-empty" aria-label={t('reader.title')}>
        <p className="muted">{t('reader.nothing')}</p>
      </section>
    );
  }

  async function markUnread() {
    if (!id) return;
    const r = await api.setRead(id, false);
    if (r.status === 'ok') {
      setStatus(t('reader.markedUnread'));
      onReadChanged();
    } else setStatus(errorText(t, r.error));
  }

  const summary = item?.summary;
  const content = item?.content;
  // The document's language, declared or detected (RGAA 8.7): set on its own words only, so
  // that the interface's labels around them keep the interface's language. Unknown: none.
  const lang = item?.language ?? undefined;

  return (
    <article className="reader" data-testid="reader" data-id={id} aria-labelledby={headingId}>
      <div className="reader-toolbar">
        {showBack && (
          <button type="button" data-testid="reader-back" onClick={onBack}>
            {t('reader.back')}
          </button>
        )}
        {item && (
          <button type="button" onClick={markUnread} data-testid="reader-mark-unread">
            {t('reader.markUnread')}
          </button>
        )}
        <span className="reader-status" role="status" aria-live="polite">
          {status}
        </span>
      </div>
      <ErrorAlert error={error} />
      {!item && !error && (
        <p className="muted" role="status" aria-live="polite">
          {t('reader.loading')}
        </p>
      )}
      {summary && content && (
        <>
          <MarkingBanner marking={summary.marking} position="top" />
          <header className="reader-head">
            <div className="reader-badges">
              <KindBadge kind={summary.kind} />
              <PrecedenceBadge precedence={summary.precedence} />
              <MarkingBadge marking={summary.marking} />
            </div>
            <h2 id={headingId} ref={heading} tabIndex={-1} data-testid="reader-subject" lang={lang}>
              {summary.subject}
            </h2>
            <ReleaseSeal id={summary.id} onCorrect={onOpenDraft} onOpenContacts={onOpenContacts} />
            <Acknowledgements id={summary.id} />
            <ShareToSpace key={summary.id} target="item" id={summary.id} testPrefix="reader" />
          </header>
          {content.kind === 'telegram' && <TelegramView tg={content} summary={summary} onOpen={onOpen} lang={lang} />}
          {content.kind === 'note' && <NoteView note={content} summary={summary} onOpen={onOpen} lang={lang} />}
          {content.kind === 'email' && <EmailView email={content} summary={summary} onStatus={setStatus} lang={lang} />}
          {item.thread.length > 0 && <Thread thread={item.thread as ItemSummaryDto_Serialize[]} current={summary.id} onOpen={onOpen} />}
          <MarkingBanner marking={summary.marking} position="bottom" />
        </>
      )}
    </article>
  );
}

function MarkingBanner({ marking, position }: { marking: MarkingDto; position: 'top' | 'bottom' }) {
  const { t } = useTranslation();
  return (
    <div className={`marking-banner marking-banner-${marking}`} data-testid={`reader-marking-${position}`}>
      {t(`marking.${marking}.banner`)}
    </div>
  );
}

/** A line of a `dl.meta`: its label and its value (the composer's review uses it too). */
export function Meta({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

export function Addressees({ list }: { list: AddresseeDto[] }) {
  const { t } = useTranslation();
  if (list.length === 0) return <span className="muted">{t('reader.none')}</span>;
  return (
    <ul className="inline-list">
      {list.map((a, i) => (
        <li key={i}>
          {a.name} <span className="muted small">{t(`addressee.${a.kind}`)}</span>
        </li>
      ))}
    </ul>
  );
}

function References({ refs, onOpen }: { refs: ReferenceDto_Serialize[]; onOpen: (id: string) => void }) {
  return (
    <ul className="inline-list">
      {refs.map((r, i) => (
        <li key={i}>
          {r.itemId ? (
            <button type="button" className="link" data-testid="reader-reference" onClick={() => onOpen(r.itemId as string)}>
              {r.label}
            </button>
          ) : (
            <span data-testid="reader-reference">{r.label}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Numbered paragraphs with their portion marks, the text in the document's language. */
export function Paragraphs({ paragraphs, lang, testId = 'reader-paragraph' }: { paragraphs: ParagraphDto[]; lang?: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <div className="paragraphs">
      {paragraphs.map((p, i) => (
        <p key={i} className="paragraph" data-testid={testId}>
          <span className="paragraph-number">{t('reader.paragraphNumber', { n: i + 1 })}</span>{' '}
          <span className={`portion-mark portion-${p.marking}`}>{t('reader.portionMark', { mark: t(`marking.${p.marking}.short`) })}</span>{' '}
          <span className="paragraph-text" lang={lang}>
            {p.text}
          </span>
        </p>
      ))}
    </div>
  );
}

function TelegramView({ tg, summary, onOpen, lang }: { tg: TelegramDto_Serialize; summary: ItemSummaryDto_Serialize; onOpen: (id: string) => void; lang?: string }) {
  const { t, i18n } = useTranslation();
  const number = tg.number ?? summary.number;
  return (
    <div className="telegram">
      <dl className="meta">
        <Meta label={t('reader.number')} testId="reader-number">
          {number ?? t('reader.unnumbered')}
        </Meta>
        <Meta label={t('reader.dtg')}>
          <span className="dtg" data-testid="reader-dtg">
            {formatDtg(tg.dtg)}
          </span>{' '}
          <span className="muted small">{formatUtc(tg.dtg, i18n.language)}</span>
        </Meta>
        <Meta label={t('reader.from')}>{tg.origin}</Meta>
        <Meta label={t('reader.action')}>
          <Addressees list={tg.action} />
        </Meta>
        <Meta label={t('reader.info')}>
          <Addressees list={tg.info} />
        </Meta>
        <Meta label={t('reader.precedence')}>
          {t(`precedence.${tg.precedence}.name`)}
          {tg.justification && <span className="muted"> — {tg.justification}</span>}
        </Meta>
        {summary.deadline && <Meta label={t('reader.deadline')}>{formatDate(summary.deadline, i18n.language)}</Meta>}
        {tg.tags.length > 0 && <Meta label={t('reader.tags')}>{tg.tags.join(', ')}</Meta>}
        {tg.references.length > 0 && (
          <Meta label={t('reader.references')}>
            <References refs={tg.references} onOpen={onOpen} />
          </Meta>
        )}
      </dl>
      {tg.summary && (
        <section className="resume" aria-label={t('reader.summary')}>
          <h3>{t('reader.summary')}</h3>
          <p lang={lang}>{tg.summary}</p>
        </section>
      )}
      <Paragraphs paragraphs={tg.paragraphs} lang={lang} />
      <dl className="meta meta-signatures">
        <Meta label={t('reader.drafter')}>{tg.drafter || t('reader.none')}</Meta>
        <Meta label={t('reader.clearers')}>{tg.clearers.length > 0 ? tg.clearers.join(', ') : t('reader.none')}</Meta>
        <Meta label={t('reader.approver')}>{tg.approver ?? t('reader.none')}</Meta>
        {tg.caveats.length > 0 && <Meta label={t('reader.caveats')}>{tg.caveats.join(' ; ')}</Meta>}
      </dl>
    </div>
  );
}

function NoteView({ note, summary, onOpen, lang }: { note: NoteDto_Serialize; summary: ItemSummaryDto_Serialize; onOpen: (id: string) => void; lang?: string }) {
  const { t, i18n } = useTranslation();
  const number = note.number ?? summary.number;
  return (
    <div className="note-verbale">
      <p className="note-number" data-testid="reader-number">
        {number ? t('reader.noteNumber', { number }) : t('reader.unnumbered')}
      </p>
      <dl className="meta">
        <Meta label={t('reader.sendingMission')}>{note.sendingMission}</Meta>
        <Meta label={t('reader.receivingInstitution')}>{note.receivingInstitution}</Meta>
        {note.answers && (
          <Meta label={t('reader.answers')}>
            <References refs={[note.answers]} onOpen={onOpen} />
          </Meta>
        )}
        {note.tags.length > 0 && <Meta label={t('reader.tags')}>{note.tags.join(', ')}</Meta>}
      </dl>
      <div className="note-body">
        <p className="note-opening" lang={lang}>
          {note.opening}
        </p>
        <Paragraphs paragraphs={note.paragraphs} lang={lang} />
        <p className="note-closing" lang={lang}>
          {note.closing}
        </p>
        <p className="note-place-date">{t('reader.placeDate', { place: note.place, date: formatDate(note.date, i18n.language) })}</p>
      </div>
    </div>
  );
}

function EmailView({ email, summary, onStatus, lang }: { email: EmailDto_Serialize; summary: ItemSummaryDto_Serialize; onStatus: (s: string) => void; lang?: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();

  // Attachments of a type that could run code (or of an unknown type) are not opened: the
  // backend says so, and the row offers to save the file instead.
  const [saveOnly, setSaveOnly] = useState<{ index: number; reason: NotViewable } | null>(null);

  async function openAttachment(index: number) {
    const r = await api.openAttachment(summary.id, index);
    if (r.status === 'error') {
      onStatus(errorText(t, r.error));
      return;
    }
    if (r.data.outcome === 'opened') {
      setSaveOnly(null);
      onStatus(t('reader.attachmentOpened'));
    } else {
      setSaveOnly({ index, reason: r.data.reason });
      onStatus(t(`reader.notViewable.${r.data.reason}`));
    }
  }

  async function saveAttachment(index: number) {
    // The backend opens the save dialog and writes the file where the user chose.
    const r = await api.saveAttachment(summary.id, index);
    if (r.status === 'ok' && r.data === null) return;
    onStatus(r.status === 'ok' ? t('reader.attachmentSaved', { path: r.data }) : errorText(t, r.error));
  }

  return (
    <div className="email">
      <dl className="meta">
        <Meta label={t('reader.emailFrom')}>{email.from}</Meta>
        <Meta label={t('reader.emailTo')}>{email.to.join(', ')}</Meta>
        {email.cc.length > 0 && <Meta label={t('reader.emailCc')}>{email.cc.join(', ')}</Meta>}
        <Meta label={t('reader.emailDate')}>{formatDateTime(email.date, i18n.language)}</Meta>
        <Meta label={t('reader.emailSubject')}>
          <span lang={lang}>{email.subject}</span>
        </Meta>
        {summary.number && (
          <Meta label={t('reader.number')} testId="reader-number">
            {summary.number}
          </Meta>
        )}
      </dl>
      <div className="email-body" lang={lang} data-testid="reader-body">
        {email.body}
      </div>
      {email.attachments.length > 0 && (
        <section className="attachments" aria-label={t('reader.attachments')}>
          <h3>{t('reader.attachments')}</h3>
          <ul>
            {email.attachments.map((a) => (
              <li key={a.index} data-testid="reader-attachment">
                <span className="attachment-name">{a.name}</span>{' '}
                <span className="muted small">
                  {a.contentType} · {formatSize(a.size, i18n.language)}
                </span>{' '}
                <button type="button" onClick={() => openAttachment(a.index)} aria-label={t('reader.openAttachmentNamed', { name: a.name })}>
                  {t('reader.openAttachment')}
                </button>{' '}
                <button type="button" onClick={() => saveAttachment(a.index)} aria-label={t('reader.saveAttachmentNamed', { name: a.name })}>
                  {t('reader.saveAttachment')}
                </button>
                {saveOnly?.index === a.index && (
                  <p className="attachment-refused" role="alert" data-testid="reader-attachment-save-only" data-reason={saveOnly.reason}>
                    {t(`reader.notViewable.${saveOnly.reason}`)}{' '}
                    <button type="button" className="primary" onClick={() => saveAttachment(a.index)} data-testid="reader-attachment-save-instead">
                      {t('reader.saveInstead')}
                    </button>
                  </p>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function Thread({ thread, current, onOpen }: { thread: ItemSummaryDto_Serialize[]; current: string; onOpen: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <section className="thread" aria-label={t('reader.thread')}>
      <h3>{t('reader.thread')}</h3>
      <ol>
        {thread.map((s) => (
          <li key={s.id} aria-current={s.id === current ? 'true' : undefined}>
            {s.id === current ? (
              <strong lang={s.language ?? undefined}>{s.subject}</strong>
            ) : (
              <button type="button" className="link" onClick={() => onOpen(s.id)}>
                <span lang={s.language ?? undefined}>{s.subject}</span>
              </button>
            )}{' '}
            <span className="muted small">
              {s.origin} · {formatDateTime(s.writtenAt, i18n.language)}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
