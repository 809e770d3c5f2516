// The spaces ("Espaces"): end-to-end encrypted groups of devices that share items and drafts
// through the relay. The list (name, kind, epoch, devices; a space this device was removed
// from marked "Retiré" with its date), a form to create one, and a space's members (named
// from the contacts: "cet appareil", "non vérifié", or a device no contact lists), with a
// contact to add through the relay, a member to remove (after a confirmation), and the
// space's history to hand over again. A space left shows only that it was left.
//
// A space is named to the backend by its id, a contact by its identity key: two may share a
// name. The rules (who may be added or removed, what the relay accepts) are the backend's.

import type { TFunction } from 'i18next';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, type CommandError } from '../api';
import type { ContactDto_Serialize, SpaceDetailDto_Serialize, SpaceDto_Serialize, SpaceKindDto, SpaceMemberDto_Serialize } from '../bindings';
import { errorText } from '../lib/errors';
import { formatDate } from '../lib/format';
import { useInlineConfirm } from '../lib/useInlineConfirm';
import { useSyncStatus } from '../lib/useSyncStatus';
import { ErrorAlert } from './common';
import { InPlaceConfirm } from './InPlaceConfirm';

/** The kinds a new space may be: a person's own space is made with their profile. */
export const SPACE_KINDS: SpaceKindDto[] = ['unit', 'shared', 'circuit'];

export function Spaces() {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const { status } = useSyncStatus(api);
  const [spaces, setSpaces] = useState<SpaceDto_Serialize[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const revision = status?.spacesRevision ?? 0;

  const load = useCallback(async () => {
    const r = await api.spaces();
    if (r.status === 'ok') {
      setSpaces(r.data);
      setError(null);
    } else setError(r.error);
  }, [api]);

  // Again after each sync that brought spaces or members.
  useEffect(() => {
    void load();
  }, [load, revision]);

  const opened = spaces?.find((s) => s.id === open) ?? null;
  return (
    <section className="spaces" data-testid="spaces" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('spaces.title')}</h1>
      <p className="field-hint">{t('spaces.intro')}</p>
      {status && status.relay === null && (
        <p className="warning" data-testid="spaces-no-relay">
          {t('spaces.noRelay')}
        </p>
      )}
      <CreateSpace
        onCreated={(s) => {
          void load();
          setOpen(s.id);
        }}
      />
      <h2 id={`${id}-list`}>{t('spaces.list')}</h2>
      <ErrorAlert error={error} />
      {spaces && spaces.length === 0 && (
        <p className="empty" data-testid="spaces-empty">
          {t('spaces.empty')}
        </p>
      )}
      {spaces && spaces.length > 0 && (
        <ul className="space-list" aria-labelledby={`${id}-list`}>
          {spaces.map((s) => (
            <SpaceRow key={s.id} space={s} open={open === s.id} detailId={`${id}-detail`} onToggle={() => setOpen(open === s.id ? null : s.id)} />
          ))}
        </ul>
      )}
      {opened && <SpaceDetail key={opened.id} space={opened} revision={revision} domId={`${id}-detail`} onChanged={() => void load()} onClose={() => setOpen(null)} />}
    </section>
  );
}

function SpaceRow({ space: s, open, detailId, onToggle }: { space: SpaceDto_Serialize; open: boolean; detailId: string; onToggle: () => void }) {
  const { t, i18n } = useTranslation();
  const removed = s.removedAt !== null;
  return (
    <li className={`space-row${open ? ' open' : ''}${removed ? ' space-left' : ''}`} data-testid="space-row" data-id={s.id} data-name={s.name} data-kind={s.kind} data-removed={removed ? 'true' : 'false'}>
      <button
        type="button"
        className="link space-name"
        data-testid="space-open"
        aria-expanded={open}
        aria-controls={open ? detailId : undefined}
        aria-label={removed ? t('spaces.showRemoved', { name: s.name }) : t('spaces.showMembers', { name: s.name })}
        onClick={onToggle}
      >
        {s.name}
      </button>
      <span className="badge space-kind" data-testid="space-kind">
        {t(`spaces.kinds.${s.kind}`)}
      </span>
      {removed ? (
        <>
          <span className="badge badge-removed" data-testid="space-removed">
            {t('spaces.removedBadge')}
          </span>
          <span className="muted" data-testid="space-removed-at">
            {t('spaces.removedOn', { date: formatDate(s.removedAt, i18n.language) })}
          </span>
        </>
      ) : (
        <>
          <span className="muted" data-testid="space-epoch">
            {t('spaces.epoch', { n: s.epoch })}
          </span>
          <span className="muted" data-testid="space-devices" data-count={s.devices}>
            {t('spaces.devices', { n: s.devices })}
          </span>
          {s.historyVisible && <span className="muted small">{t('spaces.historyShort')}</span>}
        </>
      )}
    </li>
  );
}

function CreateSpace({ onCreated }: { onCreated: (s: SpaceDto_Serialize) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<SpaceKindDto>('unit');
  const [history, setHistory] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [created, setCreated] = useState('');

  async function create(e: FormEvent) {
    e.preventDefault();
    if (name.trim() === '' || busy) return;
    setBusy(true);
    setError(null);
    setCreated('');
    const r = await api.createSpace(name.trim(), kind, history);
    setBusy(false);
    if (r.status === 'ok') {
      setName('');
      setHistory(false);
      setCreated(t('spaces.created', { name: r.data.name }));
      onCreated(r.data);
    } else setError(r.error);
  }

  const nameError = error && (error.field === 'spaceName' || error.field === null);
  return (
    <form className="space-create group" data-testid="space-create" aria-labelledby={`${id}-title`} onSubmit={create}>
      <h2 id={`${id}-title`}>{t('spaces.create')}</h2>
      <div className="field">
        <label htmlFor={`${id}-name`}>{t('spaces.name')}</label>
        <input
          id={`${id}-name`}
          data-testid="space-create-name"
          value={name}
          autoComplete="off"
          onChange={(e) => setName(e.target.value)}
          aria-required="true"
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? `${id}-error` : undefined}
        />
        {error && (
          <p className="field-error" id={`${id}-error`} data-testid="space-create-error" role="alert">
            {errorText(t, error)}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-kind`}>{t('spaces.kind')}</label>
        <select id={`${id}-kind`} data-testid="space-create-kind" value={kind} onChange={(e) => setKind(e.target.value as SpaceKindDto)}>
          {SPACE_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`spaces.kinds.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="check">
          <input type="checkbox" data-testid="space-create-history" checked={history} onChange={(e) => setHistory(e.target.checked)} aria-describedby={`${id}-history-hint`} />
          {t('spaces.history')}
        </label>
        <p id={`${id}-history-hint`} className="field-hint">
          {t('spaces.historyHint')}
        </p>
      </div>
      <div className="form-actions">
        <button type="submit" data-testid="space-create-submit" disabled={name.trim() === '' || busy} aria-busy={busy}>
          {t('spaces.createSubmit')}
        </button>
        <span className="msg-ok" data-testid="space-create-outcome" role="status" aria-live="polite">
          {created}
        </span>
      </div>
    </form>
  );
}

function SpaceDetail(props: { space: SpaceDto_Serialize; revision: number; domId: string; onChanged: () => void; onClose: () => void }) {
  return props.space.removedAt !== null ? <LeftSpace {...props} /> : <CurrentSpace {...props} />;
}

/** The title of a space's detail, focused once there is something to read under it. */
function useTitleFocus(ready: boolean) {
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (ready) title.current?.focus();
  }, [ready]);
  return title;
}

function CloseDetail({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="form-actions">
      <button type="button" data-testid="space-close" onClick={onClose}>
        {t('spaces.close')}
      </button>
    </div>
  );
}

/** A space this device was removed from: what it brought stays, nothing can be done in it. */
function LeftSpace({ space, domId, onClose }: { space: SpaceDto_Serialize; domId: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const title = useTitleFocus(true);
  return (
    <section className="space-detail group" id={domId} data-testid="space-detail" data-id={space.id} data-removed="true" aria-labelledby={`${domId}-title`}>
      <h2 id={`${domId}-title`} ref={title} tabIndex={-1}>
        {t('spaces.removedTitle', { name: space.name })}
      </h2>
      <p className="warning" data-testid="space-removed-text">
        {t('spaces.removedText', { date: formatDate(space.removedAt, i18n.language) })}
      </p>
      <CloseDetail onClose={onClose} />
    </section>
  );
}

function CurrentSpace({ space, revision, domId, onChanged, onClose }: { space: SpaceDto_Serialize; revision: number; domId: string; onChanged: () => void; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [detail, setDetail] = useState<SpaceDetailDto_Serialize | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [contacts, setContacts] = useState<ContactDto_Serialize[] | null>(null);
  const [contactsError, setContactsError] = useState<CommandError | null>(null);
  const [removed, setRemoved] = useState('');
  const title = useTitleFocus(detail !== null);

  // Again after each sync that brought spaces or members.
  useEffect(() => {
    let live = true;
    void api.space(space.id).then((r) => {
      if (!live) return;
      if (r.status === 'ok') setDetail(r.data);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, space.id, revision]);

  // The contacts: those to add, and whose the members are (to remove them).
  useEffect(() => {
    let live = true;
    void api.contacts().then((r) => {
      if (!live) return;
      if (r.status === 'ok') setContacts(r.data);
      else setContactsError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api]);

  return (
    <section className="space-detail group" id={domId} data-testid="space-detail" data-id={space.id} aria-labelledby={`${domId}-title`}>
      <h2 id={`${domId}-title`} ref={title} tabIndex={-1}>
        {t('spaces.members', { name: space.name })}
      </h2>
      <ErrorAlert error={error} />
      {!detail && !error && (
        <p className="muted" role="status">
          {t('spaces.loading')}
        </p>
      )}
      {detail && (
        <ul className="member-list">
          {detail.members.map((m) => (
            <Member
              key={m.device}
              member={m}
              space={detail.space}
              owners={contacts === null || m.you ? null : ownersOf(m, contacts)}
              onRemoved={(d, name) => {
                setDetail(d);
                setRemoved(t('spaces.removeDone', { name, space: d.space.name }));
                title.current?.focus();
                onChanged();
              }}
            />
          ))}
        </ul>
      )}
      <p className="msg-ok" data-testid="space-remove-outcome" role="status" aria-live="polite">
        {removed}
      </p>
      {detail && (
        <AddMember
          space={detail.space}
          contacts={contacts}
          loadError={contactsError}
          onAdded={(d) => {
            setDetail(d);
            onChanged();
          }}
        />
      )}
      {detail && <ShareHistory space={detail.space} />}
      <CloseDetail onClose={onClose} />
    </section>
  );
}

/**
 * The contacts a member's device may be of. A member carries the name and organisation of the
 * contact whose card lists the device, not their key: the contacts so named (more than one
 * only when two share both).
 */
export function ownersOf(m: SpaceMemberDto_Serialize, contacts: ContactDto_Serialize[]): ContactDto_Serialize[] {
  if (m.you || m.name === null) return [];
  return contacts.filter((c) => c.name === m.name && c.org === m.org);
}

function memberLabel(t: TFunction, m: SpaceMemberDto_Serialize): string {
  return m.name ? (m.org ? `${m.name} (${m.org})` : m.name) : t('spaces.unknownDevice');
}

/**
 * A member's device, and for another person's a button that removes them (all their devices)
 * once confirmed. `owners`: the contacts the device may be of (`null`: not known yet, or this
 * device); a device none of them lists cannot be named to the backend, so it has no button.
 */
function Member({ member: m, space, owners, onRemoved }: { member: SpaceMemberDto_Serialize; space: SpaceDto_Serialize; owners: ContactDto_Serialize[] | null; onRemoved: (d: SpaceDetailDto_Serialize, name: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const confirm = useInlineConfirm();
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const label = memberLabel(t, m);
  const who = owners?.length === 1 ? (owners[0]?.identity ?? '') : choice;

  async function remove(e: FormEvent) {
    e.preventDefault();
    if (who === '' || busy) return;
    setBusy(true);
    setError(null);
    const r = await api.removeFromSpace(space.id, who);
    setBusy(false);
    if (r.status === 'ok') {
      confirm.close();
      onRemoved(r.data, owners?.find((c) => c.identity === who)?.name ?? m.name ?? '');
    } else setError(r.error);
  }

  return (
    <li className={`member-row${m.verified ? '' : ' member-unverified'}`} data-testid="space-member" data-device={m.device} data-you={m.you ? 'true' : 'false'} data-verified={m.verified ? 'true' : 'false'}>
      <span className="member-name" data-testid="space-member-name">
        {label}
      </span>
      <span className="mono muted" title={m.device}>
        {t('spaces.device', { device: m.deviceShort })}
      </span>
      {m.you && (
        <span className="badge badge-verified" data-testid="space-member-you">
          {t('spaces.you')}
        </span>
      )}
      {!m.you && (
        <span className={`badge ${m.verified ? 'badge-verified' : 'badge-unverified'}`} data-testid="space-member-state">
          {m.verified ? t('spaces.verified') : t('spaces.unverified')}
        </span>
      )}
      {owners !== null && owners.length === 0 && (
        <span className="muted small" data-testid="space-member-no-remove">
          {t('spaces.cannotRemove')}
        </span>
      )}
      {owners !== null && owners.length > 0 && (
        <button
          type="button"
          ref={confirm.opener}
          className="member-remove-open"
          data-testid="space-member-remove"
          aria-label={t('spaces.removeLabel', { name: label })}
          aria-expanded={confirm.asking}
          aria-controls={confirm.asking ? `${id}-confirm` : undefined}
          onClick={confirm.toggle}
        >
          {t('spaces.remove')}
        </button>
      )}
      {owners !== null && owners.length > 0 && confirm.asking && (
        <InPlaceConfirm
          id={id}
          confirm={confirm}
          testId="space-remove"
          question={t('spaces.removeQuestion', { name: label, space: space.name })}
          hint={t('spaces.removeHint')}
          error={error}
          busy={busy}
          disabled={who === ''}
          submitLabel={t('spaces.removeConfirm')}
          busyLabel={t('spaces.removing')}
          cancelLabel={t('spaces.cancel')}
          onSubmit={remove}
        >
          {owners.length > 1 && (
            <div className="field">
              <label htmlFor={`${id}-who`}>{t('spaces.removeWhich')}</label>
              <select id={`${id}-who`} data-testid="space-remove-contact" value={choice} onChange={(e) => setChoice(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}>
                <option value="">{t('spaces.chooseContact')}</option>
                {owners.map((c) => (
                  <option key={c.identity} value={c.identity}>
                    {t('spaces.contactWithKey', { name: c.name, org: c.org, key: c.identityShort })}
                  </option>
                ))}
              </select>
            </div>
          )}
        </InPlaceConfirm>
      )}
    </li>
  );
}

function AddMember({ space, contacts, loadError, onAdded }: { space: SpaceDto_Serialize; contacts: ContactDto_Serialize[] | null; loadError: CommandError | null; onAdded: (d: SpaceDetailDto_Serialize) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<CommandError | null>(null);
  const [added, setAdded] = useState('');
  const error = failed ?? loadError;

  async function add(e: FormEvent) {
    e.preventDefault();
    if (choice === '' || busy) return;
    setBusy(true);
    setFailed(null);
    setAdded('');
    const r = await api.addToSpace(space.id, choice);
    setBusy(false);
    if (r.status === 'ok') {
      const who = contacts?.find((c) => c.identity === choice);
      setAdded(t('spaces.added', { name: who?.name ?? '', space: space.name }));
      setChoice('');
      onAdded(r.data);
    } else setFailed(r.error);
  }

  return (
    <form className="space-add" data-testid="space-add" aria-labelledby={`${id}-title`} onSubmit={add} aria-busy={busy}>
      <h3 id={`${id}-title`}>{t('spaces.add')}</h3>
      {contacts && contacts.length === 0 && (
        <p className="field-hint" data-testid="space-add-no-contacts">
          {t('spaces.noContacts')}
        </p>
      )}
      {contacts && contacts.length > 0 && (
        <div className="field">
          <label htmlFor={`${id}-contact`}>{t('spaces.addContact')}</label>
          <div className="form-actions">
            <select
              id={`${id}-contact`}
              data-testid="space-add-contact"
              value={choice}
              onChange={(e) => setChoice(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
            >
              <option value="">{t('spaces.chooseContact')}</option>
              {contacts.map((c) => (
                <option key={c.identity} value={c.identity}>
                  {`${c.name} (${c.org})${c.verified ? '' : ` — ${t('spaces.unverified')}`}`}
                </option>
              ))}
            </select>
            <button type="submit" data-testid="space-add-submit" disabled={choice === '' || busy} aria-busy={busy}>
              {busy ? t('spaces.adding') : t('spaces.addSubmit')}
            </button>
          </div>
          <p id={`${id}-hint`} className="field-hint">
            {t('spaces.addHint')}
          </p>
        </div>
      )}
      <FormOutcome error={error} errorId={`${id}-error`} testId="space-add" outcome={added} />
    </form>
  );
}

/**
 * Hands the members the keys of the space's earlier epochs (after a confirmation): a member
 * added again, or a newcomer, then reads what was sent before. Says how many epochs went.
 */
function ShareHistory({ space }: { space: SpaceDto_Serialize }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const confirm = useInlineConfirm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [shared, setShared] = useState('');

  async function share(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setShared('');
    const r = await api.shareSpaceHistory(space.id);
    setBusy(false);
    if (r.status === 'ok') {
      confirm.cancel();
      setShared(r.data === 0 ? t('spaces.historyNone') : t('spaces.historyShared', { n: r.data }));
    } else setError(r.error);
  }

  return (
    <form className="space-history" data-testid="space-history" aria-labelledby={`${id}-title`} onSubmit={share} onKeyDown={confirm.onKeyDown}>
      <h3 id={`${id}-title`}>{t('spaces.historyTitle')}</h3>
      <p className="field-hint" id={`${id}-hint`}>
        {t('spaces.historyExplain')}
      </p>
      <button type="button" ref={confirm.opener} data-testid="space-history-share" aria-describedby={`${id}-hint`} aria-expanded={confirm.asking} aria-controls={confirm.asking ? `${id}-confirm` : undefined} onClick={confirm.toggle}>
        {t('spaces.historyShare')}
      </button>
      {confirm.asking && (
        <div className="history-confirm" id={`${id}-confirm`}>
          <p className="member-remove-question" id={`${id}-question`}>
            {t('spaces.historyQuestion', { space: space.name })}
          </p>
          <div className="form-actions">
            <button type="submit" data-testid="space-history-confirm" disabled={busy} aria-busy={busy} aria-describedby={`${id}-question`}>
              {busy ? t('spaces.historySharing') : t('spaces.historyConfirm')}
            </button>
            <button type="button" ref={confirm.cancelButton} data-testid="space-history-cancel" onClick={confirm.cancel}>
              {t('spaces.cancel')}
            </button>
          </div>
        </div>
      )}
      <FormOutcome error={error} errorId={`${id}-error`} testId="space-history" outcome={shared} />
    </form>
  );
}

/** A form's refusal (an alert, `errorId` for the fields it concerns) and what it did (polite). */
function FormOutcome({ error, errorId, testId, outcome }: { error: CommandError | null; errorId: string; testId: string; outcome: string }) {
  const { t } = useTranslation();
  return (
    <>
      {error && (
        <p className="field-error" id={errorId} data-testid={`${testId}-error`} role="alert">
          {errorText(t, error)}
        </p>
      )}
      <p className="msg-ok" data-testid={`${testId}-outcome`} role="status" aria-live="polite">
        {outcome}
      </p>
    </>
  );
}
