// The contacts ("Contacts"): this person's card to give others (its line and QR code, the
// identity key, this device), a form to add someone's card, the directory with each contact's
// state (verified, not verified, key changed), and the verification by safety number.
//
// A contact is named to the backend by its identity key, never by its name: two contacts may
// share a name. The rules (what a key change is, whether digits match) are the backend's.

import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, type CommandError } from '../api';
import type { ContactAddedDto_Serialize, ContactDto_Serialize, MyCardDto_Serialize, QrDto, SafetyNumberDto_Serialize } from '../bindings';
import { errorText } from '../lib/errors';
import { qrRuns } from '../lib/qr';
import { useCopy } from '../lib/useCopy';
import { ErrorAlert } from './common';

type ContactState = 'verified' | 'unverified' | 'key_changed';

/** What the list shows of a contact: a key change first, then whether it is verified. */
export function contactState(c: ContactDto_Serialize): ContactState {
  if (c.keyChange) return 'key_changed';
  return c.verified ? 'verified' : 'unverified';
}

const STATE_LABEL: Record<ContactState, string> = {
  verified: 'contacts.state.verified',
  unverified: 'contacts.state.unverified',
  key_changed: 'contacts.state.keyChanged',
};

export function Contacts() {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [contacts, setContacts] = useState<ContactDto_Serialize[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [verifying, setVerifying] = useState<string | null>(null);
  const [status, setStatus] = useState('');

  const load = useCallback(async () => {
    const r = await api.contacts();
    if (r.status === 'ok') setContacts(r.data);
    else setError(r.error);
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="contacts" data-testid="contacts" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('contacts.title')}</h1>
      <MyCard />
      <AddContact onAdded={() => void load()} />
      <h2 id={`${id}-directory`}>{t('contacts.directory')}</h2>
      <p className="contacts-status msg-ok" data-testid="contacts-status" role="status" aria-live="polite">
        {status}
      </p>
      <ErrorAlert error={error} />
      {contacts && contacts.length === 0 && (
        <p className="empty" data-testid="contacts-empty">
          {t('contacts.empty')}
        </p>
      )}
      {contacts && contacts.length > 0 && (
        <ul className="contact-list" aria-labelledby={`${id}-directory`}>
          {contacts.map((c) => (
            <ContactRow
              key={c.identity}
              contact={c}
              onVerify={() => {
                setStatus('');
                setVerifying(c.identity);
              }}
            />
          ))}
        </ul>
      )}
      {verifying && (
        <SafetyPanel
          key={verifying}
          identity={verifying}
          onClose={() => setVerifying(null)}
          onVerified={(c) => {
            setVerifying(null);
            setStatus(t('contacts.verified', { name: c.name, org: c.org }));
            void load();
          }}
        />
      )}
    </section>
  );
}

function MyCard() {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [card, setCard] = useState<MyCardDto_Serialize | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const { outcome: copy, copy: copyText } = useCopy();

  useEffect(() => {
    let live = true;
    void api.myCard().then((r) => {
      if (!live) return;
      if (r.status === 'ok') setCard(r.data);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api]);

  async function copyLine() {
    if (card) await copyText(card.cardLine);
  }

  return (
    <section className="my-card group" data-testid="my-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('contacts.myCard')}</h2>
      <ErrorAlert error={error} />
      {card && (
        <div className="my-card-body">
          <QrCode qr={card.qr} label={t('contacts.qrLabel')} />
          <div className="my-card-details">
            <p className="my-card-who">
              <strong>{card.name}</strong> ({card.org}
              {card.role ? `, ${card.role}` : ''})
            </p>
            <dl className="my-card-keys">
              <dt>{t('contacts.identityKey')}</dt>
              <dd className="mono" data-testid="my-card-key" title={card.identity}>
                {card.identityShort}
              </dd>
              <dt>{t('contacts.device')}</dt>
              <dd className="mono" data-testid="my-card-device">
                {card.device}
              </dd>
            </dl>
            <div className="field">
              <label htmlFor={`${id}-line`}>{t('contacts.cardLine')}</label>
              <textarea id={`${id}-line`} data-testid="my-card-line" className="mono card-line" readOnly rows={3} value={card.cardLine} aria-describedby={`${id}-hint`} onFocus={(e) => e.currentTarget.select()} />
              <p id={`${id}-hint`} className="field-hint">
                {t('contacts.myCardHint')}
              </p>
            </div>
            <div className="form-actions">
              <button type="button" data-testid="my-card-copy" onClick={() => void copyLine()}>
                {t('contacts.copy')}
              </button>
              <span data-testid="my-card-copied" className={copy === 'failed' ? 'msg-error' : 'msg-ok'} role="status" aria-live="polite">
                {copy === 'copied' ? t('contacts.copied') : copy === 'failed' ? t('contacts.copyFailed') : ''}
              </span>
            </div>
          </div>
        </div>
      )}
    </section>
  );
}

/** A QR code drawn from its modules, with a quiet zone of four modules. */
export function QrCode({ qr, label, testId = 'my-card-qr' }: { qr: QrDto; label: string; testId?: string }) {
  const side = qr.width + 8;
  return (
    <svg className="qr" data-testid={testId} data-width={qr.width} viewBox={`0 0 ${side} ${side}`} role="img" aria-label={label} shapeRendering="crispEdges">
      <rect x={0} y={0} width={side} height={side} fill="#fff" />
      {qrRuns(qr.width, qr.dark).map((r) => (
        <rect key={`${r.x}-${r.y}`} x={r.x + 4} y={r.y + 4} width={r.length} height={1} fill="#000" />
      ))}
    </svg>
  );
}

function AddContact({ onAdded }: { onAdded: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [line, setLine] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ContactAddedDto_Serialize | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  async function add(e: FormEvent) {
    e.preventDefault();
    if (line.trim() === '' || busy) return;
    setBusy(true);
    setOutcome(null);
    setError(null);
    const r = await api.addContact(line.trim());
    setBusy(false);
    if (r.status === 'ok') {
      setLine('');
      setOutcome(r.data);
      onAdded();
    } else setError(r.error);
  }

  const fieldError = error ? errorText(t, error) : '';
  return (
    <form className="contact-add group" data-testid="contact-add" aria-labelledby={`${id}-title`} onSubmit={add}>
      <h2 id={`${id}-title`}>{t('contacts.add')}</h2>
      <div className="field">
        <label htmlFor={`${id}-line`}>{t('contacts.addLine')}</label>
        <textarea
          id={`${id}-line`}
          data-testid="contact-add-line"
          className="mono card-line"
          rows={3}
          value={line}
          spellCheck={false}
          autoComplete="off"
          aria-required="true"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => setLine(e.target.value)}
        />
        {error && (
          <p className="field-error" id={`${id}-error`} data-testid="contact-add-error" role="alert">
            {fieldError}
          </p>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" data-testid="contact-add-submit" disabled={line.trim() === '' || busy}>
          {t('contacts.addSubmit')}
        </button>
      </div>
      {outcome && <AddOutcome outcome={outcome} />}
    </form>
  );
}

function AddOutcome({ outcome }: { outcome: ContactAddedDto_Serialize }) {
  const { t } = useTranslation();
  if (outcome.outcome === 'unit_added') {
    const u = outcome.unit;
    return (
      <p className="contact-add-outcome msg-ok" data-testid="contact-add-outcome" data-outcome={outcome.outcome} role="status">
        {t(u.issuerVerified ? 'contacts.outcome.unitAdded' : 'contacts.outcome.unitAddedUnverified', { name: u.name, org: u.org, issuer: u.issuer })}
      </p>
    );
  }
  const c = outcome.contact;
  const words = { name: c.name, org: c.org };
  if (outcome.outcome === 'key_change') {
    return (
      <div className="key-change-alert" data-testid="contact-key-change-alert" data-outcome={outcome.outcome} role="alert">
        <p className="key-change-title">{t('contacts.outcome.keyChangeTitle')}</p>
        <p>{t('contacts.outcome.keyChange', words)}</p>
      </div>
    );
  }
  const text = {
    added: t('contacts.outcome.added', words),
    updated: t('contacts.outcome.updated', words),
    unchanged: t('contacts.outcome.unchanged', words),
  }[outcome.outcome];
  return (
    <p className="contact-add-outcome msg-ok" data-testid="contact-add-outcome" data-outcome={outcome.outcome} role="status">
      {text}
    </p>
  );
}

function ContactRow({ contact: c, onVerify }: { contact: ContactDto_Serialize; onVerify: () => void }) {
  const { t } = useTranslation();
  const state = contactState(c);
  return (
    <li className={`contact-row contact-${state}`} data-testid="contact-row" data-identity={c.identity} data-state={state}>
      <div className="contact-main">
        <span className="contact-name" data-testid="contact-name">
          {c.name}
        </span>
        <span className="contact-org" data-testid="contact-org">
          {c.org}
        </span>
        {c.role && (
          <span className="contact-role" data-testid="contact-role">
            {c.role}
          </span>
        )}
        <span className="contact-key mono" data-testid="contact-key" title={c.identity}>
          {t('contacts.key', { key: c.identityShort })}
        </span>
        <span className={`badge badge-contact badge-${state}`} data-testid="contact-state">
          {t(STATE_LABEL[state])}
        </span>
      </div>
      {c.keyChange && (
        <p className="contact-key-change" data-testid="contact-key-change">
          {t('contacts.keyChangeNotice', { key: c.keyChange.newIdentityShort })}
        </p>
      )}
      {state !== 'verified' && (
        <button type="button" data-testid="contact-verify" aria-label={t('contacts.verifyLabel', { name: c.name, org: c.org })} onClick={onVerify}>
          {t('contacts.verify')}
        </button>
      )}
    </li>
  );
}

function SafetyPanel({ identity, onClose, onVerified }: { identity: string; onClose: () => void; onVerified: (c: ContactDto_Serialize) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [number, setNumber] = useState<SafetyNumberDto_Serialize | null>(null);
  const [digits, setDigits] = useState('');
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const title = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    void api.safetyNumber(identity).then((r) => {
      if (!live) return;
      if (r.status === 'ok') setNumber(r.data);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, identity]);

  useEffect(() => {
    if (number) title.current?.focus();
  }, [number]);

  async function confirm(e: FormEvent) {
    e.preventDefault();
    if (digits.trim() === '' || busy) return;
    setBusy(true);
    setError(null);
    const r = await api.verifyContact(identity, digits);
    setBusy(false);
    if (r.status === 'ok') onVerified(r.data);
    else setError(r.error);
  }

  const name = number?.contact.name ?? '';
  return (
    <section className="safety group" data-testid="safety-panel" data-identity={identity} data-for-new-key={number ? String(number.forNewKey) : undefined} aria-labelledby={`${id}-title`}>
      {!number && <ErrorAlert error={error} />}
      {number && (
        <>
          <h2 id={`${id}-title`} ref={title} tabIndex={-1}>
            {t('contacts.safety.title', { name, org: number.contact.org })}
          </h2>
          {number.forNewKey && (
            <p className="key-change-alert" data-testid="safety-new-key">
              {t('contacts.safety.newKey', { name })}
            </p>
          )}
          <p id={`${id}-explain`}>{t('contacts.safety.explain', { name })}</p>
          <p className="safety-digits mono" data-testid="safety-digits" data-digits={number.digits} aria-describedby={`${id}-explain`}>
            {number.digits.split(' ').map((group, i) => (
              <span key={i} className="safety-group">
                {group}{' '}
              </span>
            ))}
          </p>
          <form onSubmit={confirm}>
            <div className="field">
              <label htmlFor={`${id}-digits`}>{t('contacts.safety.input', { name })}</label>
              <input
                id={`${id}-digits`}
                data-testid="safety-input"
                className="mono"
                inputMode="numeric"
                autoComplete="off"
                spellCheck={false}
                value={digits}
                aria-invalid={error ? true : undefined}
                aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
                onChange={(e) => setDigits(e.target.value)}
              />
              <p id={`${id}-hint`} className="field-hint">
                {t('contacts.safety.inputHint')}
              </p>
              {error && (
                <p className="field-error" id={`${id}-error`} data-testid="safety-error" role="alert">
                  {errorText(t, error)}
                </p>
              )}
            </div>
            <div className="form-actions">
              <button type="submit" data-testid="safety-confirm" disabled={digits.trim() === '' || busy}>
                {t('contacts.safety.confirm')}
              </button>
              <button type="button" data-testid="safety-close" onClick={onClose}>
                {t('contacts.safety.close')}
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}
