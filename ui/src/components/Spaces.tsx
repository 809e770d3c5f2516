// The spaces ("Espaces"): end-to-end encrypted groups of devices that share items and drafts
// through the relay. The list (name, kind, epoch, devices), a form to create one, and a
// space's members (named from the contacts: "cet appareil", "non vérifié", or a device no
// contact lists), with a contact to add through the relay.
//
// A space is named to the backend by its id, a contact by its identity key: two may share a
// name. The rules (who may be added, what the relay accepts) are the backend's.

import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, type CommandError } from '../api';
import type { ContactDto_Serialize, SpaceDetailDto_Serialize, SpaceDto, SpaceKindDto, SpaceMemberDto_Serialize } from '../bindings';
import { errorText } from '../lib/errors';
import { useSyncStatus } from '../lib/useSyncStatus';
import { ErrorAlert } from './common';

/** The kinds a new space may be: a person's own space is made with their profile. */
export const SPACE_KINDS: SpaceKindDto[] = ['unit', 'shared', 'circuit'];

export function Spaces() {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const { status } = useSyncStatus(api);
  const [spaces, setSpaces] = useState<SpaceDto[] | null>(null);
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

function SpaceRow({ space: s, open, detailId, onToggle }: { space: SpaceDto; open: boolean; detailId: string; onToggle: () => void }) {
  const { t } = useTranslation();
  return (
    <li className={`space-row${open ? ' open' : ''}`} data-testid="space-row" data-id={s.id} data-name={s.name} data-kind={s.kind}>
      <button type="button" className="link space-name" data-testid="space-open" aria-expanded={open} aria-controls={open ? detailId : undefined} aria-label={t('spaces.showMembers', { name: s.name })} onClick={onToggle}>
        {s.name}
      </button>
      <span className="badge space-kind" data-testid="space-kind">
        {t(`spaces.kinds.${s.kind}`)}
      </span>
      <span className="muted" data-testid="space-epoch">
        {t('spaces.epoch', { n: s.epoch })}
      </span>
      <span className="muted" data-testid="space-devices" data-count={s.devices}>
        {t('spaces.devices', { n: s.devices })}
      </span>
      {s.historyVisible && <span className="muted small">{t('spaces.historyShort')}</span>}
    </li>
  );
}

function CreateSpace({ onCreated }: { onCreated: (s: SpaceDto) => void }) {
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

function SpaceDetail({ space, revision, domId, onChanged, onClose }: { space: SpaceDto; revision: number; domId: string; onChanged: () => void; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [detail, setDetail] = useState<SpaceDetailDto_Serialize | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const title = useRef<HTMLHeadingElement>(null);
  const loaded = detail !== null;

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

  // The members, once shown, get the focus (the space was just opened).
  useEffect(() => {
    if (loaded) title.current?.focus();
  }, [loaded]);

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
            <Member key={m.device} member={m} />
          ))}
        </ul>
      )}
      {detail && (
        <AddMember
          space={detail.space}
          onAdded={(d) => {
            setDetail(d);
            onChanged();
          }}
        />
      )}
      <div className="form-actions">
        <button type="button" data-testid="space-close" onClick={onClose}>
          {t('spaces.close')}
        </button>
      </div>
    </section>
  );
}

function Member({ member: m }: { member: SpaceMemberDto_Serialize }) {
  const { t } = useTranslation();
  return (
    <li className={`member-row${m.verified ? '' : ' member-unverified'}`} data-testid="space-member" data-device={m.device} data-you={m.you ? 'true' : 'false'} data-verified={m.verified ? 'true' : 'false'}>
      <span className="member-name" data-testid="space-member-name">
        {m.name ? (m.org ? `${m.name} (${m.org})` : m.name) : t('spaces.unknownDevice')}
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
    </li>
  );
}

function AddMember({ space, onAdded }: { space: SpaceDto; onAdded: (d: SpaceDetailDto_Serialize) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [contacts, setContacts] = useState<ContactDto_Serialize[] | null>(null);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [added, setAdded] = useState('');

  useEffect(() => {
    let live = true;
    void api.contacts().then((r) => {
      if (!live) return;
      if (r.status === 'ok') setContacts(r.data);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api]);

  async function add(e: FormEvent) {
    e.preventDefault();
    if (choice === '' || busy) return;
    setBusy(true);
    setError(null);
    setAdded('');
    const r = await api.addToSpace(space.id, choice);
    setBusy(false);
    if (r.status === 'ok') {
      const who = contacts?.find((c) => c.identity === choice);
      setAdded(t('spaces.added', { name: who?.name ?? '', space: space.name }));
      setChoice('');
      onAdded(r.data);
    } else setError(r.error);
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
      {error && (
        <p className="field-error" id={`${id}-error`} data-testid="space-add-error" role="alert">
          {errorText(t, error)}
        </p>
      )}
      <p className="msg-ok" data-testid="space-add-outcome" role="status" aria-live="polite">
        {added}
      </p>
    </form>
  );
}
