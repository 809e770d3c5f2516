// The review of a composed document before it is sent (RGAA 11.12): the second step of the
// composer, in the page where the form was. It shows what will be filed and sent — the very
// request « Confirmer l'envoi » sends — and where the backend says it will go; « Modifier »
// (Escape too) goes back to the form as it was left. Its heading takes the focus when it opens.

import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { tokenName } from '../api';
import type { AddresseeDto, ComposeDto_Deserialize, ComposeReviewDto } from '../bindings';
import { DOCUMENT_LANGUAGES } from '../lib/compose';
import { formatDate } from '../lib/format';
import { Addressees, Meta, Paragraphs } from './Reader';

export function ComposeReview({
  request,
  review,
  busy,
  onConfirm,
  onEdit,
}: {
  /** What « Confirmer l'envoi » sends. */
  request: ComposeDto_Deserialize;
  /** What the backend said of it: who it is from as filed, whom it reaches. */
  review: ComposeReviewDto;
  busy: boolean;
  onConfirm: () => void;
  onEdit: () => void;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || busy) return;
    e.preventDefault();
    e.stopPropagation();
    onEdit();
  };

  const r = request;
  const none = <span className="muted">{t('reader.none')}</span>;
  const given = (s: string | null | undefined) => (s && s.trim() !== '' ? s.trim() : null);
  // Blank rows are dropped by the backend: not shown.
  const addressees = (list: AddresseeDto[]) => <Addressees list={list.filter((a) => a.name.trim() !== '').map((a) => ({ ...a, name: a.name.trim() }))} />;
  const list = (items: string[]) => (items.length === 0 ? none : items.join(', '));
  const paragraphs = r.kind === 'email' ? [] : r.paragraphs.filter((p) => p.text.trim() !== '');
  const attachments = r.kind === 'email' ? (r.attachments ?? []) : [];
  const deadline = given(r.deadline);
  // The document's own words are declared in its language (RGAA 8.7), as the reader does.
  const lang = given(r.language) ?? undefined;
  const language = DOCUMENT_LANGUAGES.find((l) => l.code === lang);
  const undelivered = `${id}-undelivered`;

  return (
    <section className="compose-review" aria-labelledby={`${id}-title`} data-testid="compose-review" onKeyDown={onKeyDown}>
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1} data-testid="compose-review-heading">
        {t('compose.review.title')}
      </h2>
      <p className="field-hint" id={`${id}-hint`}>
        {t('compose.review.hint')}
      </p>
      <div className={`marking-banner marking-banner-${r.marking}`} data-testid="compose-review-marking-banner">
        {t(`marking.${r.marking}.banner`)}
      </div>
      <dl className="meta" data-testid="compose-review-fields">
        <Meta label={t('compose.kind')} testId="compose-review-kind">
          {t(`kind.${r.kind}.name`)}
        </Meta>
        {r.kind === 'telegram' && (
          <Meta label={t('fields.origin')} testId="compose-review-sender">
            {given(review.sender) ?? none}
          </Meta>
        )}
        {r.kind === 'note' && (
          <>
            <Meta label={t('fields.sendingMission')} testId="compose-review-sender">
              {given(review.sender) ?? none}
            </Meta>
            <Meta label={t('fields.receivingInstitution')} testId="compose-review-institution">
              {given(r.receivingInstitution) ?? none}
            </Meta>
          </>
        )}
        {r.kind === 'email' ? (
          <>
            <Meta label={t('fields.from')} testId="compose-review-sender">
              {given(review.sender) ?? none}
            </Meta>
            <Meta label={t('fields.to')} testId="compose-review-to">
              {list(r.to)}
            </Meta>
            <Meta label={t('fields.cc')} testId="compose-review-cc">
              {list(r.cc)}
            </Meta>
          </>
        ) : (
          <>
            <Meta label={t('fields.action')} testId="compose-review-action">
              {addressees(r.action)}
            </Meta>
            <Meta label={t('fields.info')} testId="compose-review-info">
              {addressees(r.info)}
            </Meta>
          </>
        )}
        <Meta label={t('fields.subject')} testId="compose-review-subject">
          {given(r.subject) ? <span lang={lang}>{given(r.subject)}</span> : none}
        </Meta>
        {lang && (
          <Meta label={t('fields.language')} testId="compose-review-language">
            {/* Named in itself, as the composer's list names it. */}
            <span lang={lang}>{language?.name ?? lang}</span>
          </Meta>
        )}
        <Meta label={t('fields.precedence')} testId="compose-review-precedence">
          {t(`precedence.${r.precedence}.name`)}
        </Meta>
        {r.kind !== 'email' && r.precedence === 'flash' && (
          <Meta label={t('fields.justification')} testId="compose-review-justification">
            {given(r.justification) ? <span lang={lang}>{given(r.justification)}</span> : none}
          </Meta>
        )}
        <Meta label={t('fields.marking')} testId="compose-review-marking">
          {t(`marking.${r.marking}.label`)}
        </Meta>
        {deadline && (
          <Meta label={t('fields.deadline')} testId="compose-review-deadline">
            {formatDate(deadline, i18n.language)}
          </Meta>
        )}
        {r.kind !== 'email' && r.tags.length > 0 && (
          <Meta label={t('fields.tags')} testId="compose-review-tags">
            {list(r.tags)}
          </Meta>
        )}
        {r.kind === 'telegram' && (
          <>
            {r.references.length > 0 && (
              <Meta label={t('fields.references')} testId="compose-review-references">
                {list(r.references)}
              </Meta>
            )}
            {r.clearers.length > 0 && (
              <Meta label={t('fields.clearers')} testId="compose-review-clearers">
                {list(r.clearers)}
              </Meta>
            )}
            {given(r.approver) && (
              <Meta label={t('fields.approver')} testId="compose-review-approver">
                {given(r.approver)}
              </Meta>
            )}
            {r.caveats.length > 0 && (
              <Meta label={t('fields.caveats')} testId="compose-review-caveats">
                {list(r.caveats)}
              </Meta>
            )}
          </>
        )}
        {r.kind === 'note' && (
          <>
            {given(r.place) && <Meta label={t('fields.place')}>{given(r.place)}</Meta>}
            {given(r.date) && <Meta label={t('fields.date')}>{formatDate(r.date, i18n.language)}</Meta>}
            {given(r.answers) && <Meta label={t('fields.answers')}>{given(r.answers)}</Meta>}
          </>
        )}
        {r.kind === 'email' && (
          <Meta label={t('compose.attachments')} testId="compose-review-attachments">
            {attachments.length === 0 ? (
              t('compose.noAttachment')
            ) : (
              t('compose.review.attachmentList', { n: attachments.length, names: attachments.map(tokenName).join(', ') })
            )}
          </Meta>
        )}
      </dl>

      <h3>{t('compose.review.text')}</h3>
      <div className="compose-review-text" data-testid="compose-review-text">
        {r.kind === 'telegram' && given(r.summary) && (
          <p className="resume">
            <strong>{t('fields.summary')}</strong> <span lang={lang}>{given(r.summary)}</span>
          </p>
        )}
        {r.kind === 'note' && given(r.opening) && <p lang={lang}>{given(r.opening)}</p>}
        {r.kind === 'email' &&
          (given(r.body) ? (
            <div className="email-body" lang={lang}>
              {r.body}
            </div>
          ) : (
            <p>{none}</p>
          ))}
        {r.kind !== 'email' && (paragraphs.length > 0 ? <Paragraphs paragraphs={paragraphs} lang={lang} testId="compose-review-paragraph" /> : <p>{none}</p>)}
        {r.kind === 'note' && given(r.closing) && <p lang={lang}>{given(r.closing)}</p>}
      </div>

      <h3>{t('compose.review.delivery')}</h3>
      <div data-testid="compose-review-delivery">
        {review.deliveredTo.length + review.notDelivered.length === 0 && <p>{t('compose.review.nobody')}</p>}
        {review.deliveredTo.length > 0 && <p data-testid="compose-review-delivered">{t('compose.review.deliveredTo', { names: review.deliveredTo.join(', ') })}</p>}
        {review.notDelivered.length > 0 && (
          <ul id={undelivered}>
            {review.notDelivered.map((n) => (
              <li key={n.addressee} data-testid="compose-review-not-delivered">
                {t('compose.review.notDelivered', { addressee: n.addressee, why: t(`compose.notDeliveredWhy.${n.reason}`, { defaultValue: t('compose.notDeliveredWhy.no_contact') }) })}
              </li>
            ))}
          </ul>
        )}
      </div>

      <div className="form-actions">
        <button
          type="button"
          className="primary"
          data-testid="compose-confirm"
          disabled={busy}
          aria-busy={busy}
          aria-describedby={`${id}-hint${review.notDelivered.length > 0 ? ` ${undelivered}` : ''}`}
          onClick={onConfirm}
        >
          {busy ? t('compose.review.sending') : t('compose.review.confirm')}
        </button>
        <button type="button" data-testid="compose-edit" disabled={busy} onClick={onEdit}>
          {t('compose.review.edit')}
        </button>
      </div>
    </section>
  );
}
