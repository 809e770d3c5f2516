import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api';
import type { IdentityDto_Serialize, LanguageDto, PrecedenceDto, SettingsDto } from '../bindings';
import { LANGUAGES } from '../i18n';
import { errorText } from '../lib/errors';
import { PRECEDENCES } from '../lib/filter';
import { DEFAULT_SHORTCUTS, KEYED_ACTIONS, keyProblems, loadShortcutPrefs, saveShortcutPrefs, type KeyedAction, type ShortcutPrefs } from '../lib/shortcuts';
import { PassphraseMeter } from './common';
import { Devices } from './Devices';
import { RelaySettings } from './RelaySettings';

type Message = { kind: 'ok' | 'error'; text: string } | null;

export function Settings({
  settings,
  identity,
  minChars,
  onSaved,
  shortcuts,
  onShortcuts,
}: {
  settings: SettingsDto;
  identity: IdentityDto_Serialize;
  minChars: number;
  onSaved: (s: SettingsDto) => void;
  /** The single-key shortcuts in force (those kept on this machine when not given). */
  shortcuts?: ShortcutPrefs;
  /** The shortcuts were saved. */
  onShortcuts?: (p: ShortcutPrefs) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [form, setForm] = useState<SettingsDto>(settings);
  const [minutes, setMinutes] = useState(String(settings.lockAfterMinutes));
  const [message, setMessage] = useState<Message>(null);
  const [badMinutes, setBadMinutes] = useState(false);
  const [old, setOld] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [exchangePassphrase, setExchangePassphrase] = useState('');
  const [joining, setJoining] = useState(false);
  const [keys, setKeys] = useState<ShortcutPrefs>(() => shortcuts ?? loadShortcutPrefs());
  const [keysChecked, setKeysChecked] = useState(false);
  const problems = keyProblems(keys.keys);

  useEffect(() => {
    setForm(settings);
    setMinutes(String(settings.lockAfterMinutes));
  }, [settings]);

  const notify = form.notify;
  const setNotify = (patch: Partial<SettingsDto['notify']>) => setForm({ ...form, notify: { ...notify, ...patch } });

  async function save(e: FormEvent) {
    e.preventDefault();
    const n = Number(minutes);
    if (!Number.isInteger(n) || n < 0) {
      setMessage({ kind: 'error', text: t('settings.badMinutes') });
      setBadMinutes(true);
      document.getElementById(`${id}-minutes`)?.focus();
      return;
    }
    setBadMinutes(false);
    if (Object.keys(problems).length > 0) {
      setKeysChecked(true);
      setMessage({ kind: 'error', text: t('settings.shortcuts.invalid') });
      const first = KEYED_ACTIONS.find((a) => problems[a]);
      if (first) document.getElementById(`${id}-key-${first}`)?.focus();
      return;
    }
    saveShortcutPrefs(keys);
    onShortcuts?.(keys);
    const r = await api.saveSettings({ ...form, lockAfterMinutes: n });
    if (r.status === 'ok') {
      setMessage({ kind: 'ok', text: t('settings.saved') });
      onSaved(r.data);
    } else setMessage({ kind: 'error', text: errorText(t, r.error) });
  }

  async function joinExchange() {
    if (form.exchangeDir.trim() === '' || exchangePassphrase === '' || joining) return;
    setJoining(true);
    const r = await api.joinExchange(form.exchangeDir.trim(), exchangePassphrase);
    setJoining(false);
    setExchangePassphrase('');
    if (r.status === 'ok') {
      setMessage({ kind: 'ok', text: r.data.created ? t('settings.exchangeCreated') : t('settings.exchangeJoined') });
      onSaved(r.data.settings);
    } else setMessage({ kind: 'error', text: errorText(t, r.error) });
  }

  const canChange = old !== '' && Array.from(next).length >= minChars && next === confirm && !busy;

  async function changePassphrase(e: FormEvent) {
    e.preventDefault();
    if (!canChange) return;
    setBusy(true);
    const r = await api.changePassphrase(old, next);
    setBusy(false);
    if (r.status === 'ok') {
      setOld('');
      setNext('');
      setConfirm('');
      setMessage({ kind: 'ok', text: t('settings.passphraseChanged') });
    } else {
      setOld('');
      setMessage({ kind: 'error', text: errorText(t, r.error) });
    }
  }

  return (
    <section className="settings" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('settings.title')}</h1>
      <p id={`${id}-message`} data-testid="settings-message" className={`settings-message ${message?.kind === 'error' ? 'msg-error' : 'msg-ok'}`} role="status" aria-live="polite">
        {message?.text ?? ''}
      </p>
      <form onSubmit={save} noValidate>
        <fieldset className="group">
          <legend>{t('settings.general')}</legend>
          <div className="field">
            <label htmlFor={`${id}-lang`}>{t('settings.language')}</label>
            <select id={`${id}-lang`} data-testid="settings-language" value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value as LanguageDto })}>
              {LANGUAGES.map((l) => (
                <option key={l} value={l} lang={l}>
                  {t(`lang.${l}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-minutes`}>{t('settings.lockMinutes')}</label>
            <input id={`${id}-minutes`} data-testid="settings-lock-minutes" type="number" min={0} step={1} value={minutes} onChange={(e) => setMinutes(e.target.value)} aria-invalid={badMinutes || undefined} aria-describedby={badMinutes ? `${id}-message ${id}-minutes-hint` : `${id}-minutes-hint`} />
            <p id={`${id}-minutes-hint`} className="field-hint">
              {t('settings.lockMinutesHint')}
            </p>
          </div>
        </fieldset>
        <ShortcutFields id={id} prefs={keys} onChange={setKeys} problems={keysChecked ? problems : {}} />
        <fieldset className="group">
          <legend>{t('settings.notifications')}</legend>
          <label className="check">
            <input type="checkbox" data-testid="settings-notify-enabled" checked={notify.enabled} onChange={(e) => setNotify({ enabled: e.target.checked })} />
            {t('settings.notifyEnabled')}
          </label>
          <fieldset className="inline" disabled={!notify.enabled}>
            <legend>{t('settings.notifyKinds')}</legend>
            <label className="check">
              <input type="checkbox" data-testid="settings-notify-telegram" checked={notify.telegram} onChange={(e) => setNotify({ telegram: e.target.checked })} />
              {t('kind.telegram.name')}
            </label>
            <label className="check">
              <input type="checkbox" data-testid="settings-notify-note" checked={notify.note} onChange={(e) => setNotify({ note: e.target.checked })} />
              {t('kind.note.name')}
            </label>
            <label className="check">
              <input type="checkbox" data-testid="settings-notify-email" checked={notify.email} onChange={(e) => setNotify({ email: e.target.checked })} />
              {t('kind.email.name')}
            </label>
          </fieldset>
          <div className="field">
            <label htmlFor={`${id}-minprec`}>{t('settings.notifyMinPrecedence')}</label>
            <select id={`${id}-minprec`} data-testid="settings-notify-min-precedence" value={notify.minPrecedence} disabled={!notify.enabled} onChange={(e) => setNotify({ minPrecedence: e.target.value as PrecedenceDto })}>
              {PRECEDENCES.map((p) => (
                <option key={p} value={p}>
                  {t(`precedence.${p}.name`)}
                </option>
              ))}
            </select>
          </div>
          <label className="check">
            <input type="checkbox" data-testid="settings-notify-info" checked={notify.info} disabled={!notify.enabled} onChange={(e) => setNotify({ info: e.target.checked })} />
            {t('settings.notifyInfo')}
          </label>
          <p className="field-hint">{t('settings.flashAlways')}</p>
        </fieldset>
        <fieldset className="group">
          <legend>{t('settings.drafting')}</legend>
          <div className="field">
            <label htmlFor={`${id}-exchange`}>{t('settings.exchangeDir')}</label>
            <div className="form-actions">
              <input id={`${id}-exchange`} data-testid="settings-exchange-dir" value={form.exchangeDir} onChange={(e) => setForm({ ...form, exchangeDir: e.target.value })} aria-describedby={`${id}-exchange-hint`} />
              <button
                type="button"
                data-testid="settings-exchange-pick"
                onClick={() =>
                  void api.pickExchangeFolder().then((r) => {
                    const dir = r.status === 'ok' ? r.data : null;
                    if (dir) setForm((f) => ({ ...f, exchangeDir: dir }));
                  })
                }
              >
                {t('settings.choose')}
              </button>
            </div>
            <p id={`${id}-exchange-hint`} className="field-hint">
              {t('settings.exchangeDirHint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-exchange-pass`}>{t('settings.exchangePassphrase')}</label>
            <div className="form-actions">
              <input
                id={`${id}-exchange-pass`}
                data-testid="settings-exchange-passphrase"
                type="password"
                autoComplete="off"
                value={exchangePassphrase}
                onChange={(e) => setExchangePassphrase(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    void joinExchange();
                  }
                }}
                aria-describedby={`${id}-exchange-pass-hint`}
              />
              <button type="button" data-testid="settings-exchange-join" disabled={form.exchangeDir.trim() === '' || exchangePassphrase === '' || joining} aria-busy={joining} onClick={() => void joinExchange()}>
                {t('settings.exchangeJoin')}
              </button>
            </div>
            <p id={`${id}-exchange-pass-hint`} className="field-hint">
              {t('settings.exchangePassphraseHint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-register`}>{t('settings.numberRegister')}</label>
            <input id={`${id}-register`} data-testid="settings-number-register" value={form.numberRegister} onChange={(e) => setForm({ ...form, numberRegister: e.target.value })} aria-describedby={`${id}-register-hint`} />
            <p id={`${id}-register-hint`} className="field-hint">
              {t('settings.numberRegisterHint')}
            </p>
          </div>
        </fieldset>
        <button type="submit" className="primary" data-testid="settings-save">
          {t('settings.save')}
        </button>
      </form>

      <RelaySettings />

      <Devices />

      <form onSubmit={changePassphrase}>
        <fieldset className="group">
          <legend>{t('settings.passphrase')}</legend>
          <div className="field">
            <label htmlFor={`${id}-old`}>{t('settings.oldPassphrase')}</label>
            <input id={`${id}-old`} data-testid="settings-old-passphrase" type="password" autoComplete="current-password" value={old} onChange={(e) => setOld(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-new`}>{t('settings.newPassphrase')}</label>
            <input id={`${id}-new`} data-testid="settings-new-passphrase" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} aria-describedby={`${id}-strength`} />
            <div id={`${id}-strength`}>
              <PassphraseMeter passphrase={next} minChars={minChars} testId="settings-passphrase-strength" />
            </div>
          </div>
          <div className="field">
            <label htmlFor={`${id}-confirm`}>{t('settings.confirmPassphrase')}</label>
            <input id={`${id}-confirm`} data-testid="settings-confirm-passphrase" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} aria-invalid={confirm !== '' && confirm !== next} aria-describedby={`${id}-match`} />
            <p id={`${id}-match`} className={confirm !== '' && confirm !== next ? 'field-error' : 'field-hint'} data-testid="settings-confirm-mismatch" aria-live="polite">
              {confirm !== '' && confirm !== next ? t('onboarding.mismatch') : ''}
            </p>
          </div>
          <button type="submit" data-testid="settings-change-passphrase" disabled={!canChange} aria-busy={busy}>
            {t('settings.changePassphrase')}
          </button>
        </fieldset>
      </form>

      <section className="group identity" aria-labelledby={`${id}-identity`}>
        <h2 id={`${id}-identity`}>{t('settings.identity')}</h2>
        <dl className="meta">
          <dt>{t('onboarding.name')}</dt>
          <dd>{identity.name}</dd>
          <dt>{t('onboarding.org')}</dt>
          <dd>{identity.org}</dd>
          {identity.email && (
            <>
              <dt>{t('onboarding.email')}</dt>
              <dd>{identity.email}</dd>
            </>
          )}
          <dt>{t('settings.fingerprint')}</dt>
          <dd className="mono">{identity.fingerprint}</dd>
        </dl>
      </section>
    </section>
  );
}

const KEY_LABEL: Record<KeyedAction, string> = {
  next: 'shortcuts.next',
  prev: 'shortcuts.prev',
  compose: 'shortcuts.compose',
  focusSearch: 'shortcuts.focusSearch',
  help: 'shortcuts.help',
  goPrefix: 'settings.shortcuts.goPrefix',
  goInbox: 'settings.shortcuts.goInbox',
  goDrafts: 'settings.shortcuts.goDrafts',
};

/** The single-key shortcuts: on or off, and the key of each (WCAG 2.1.4). */
function ShortcutFields({ id, prefs, onChange, problems }: { id: string; prefs: ShortcutPrefs; onChange: (p: ShortcutPrefs) => void; problems: Partial<Record<KeyedAction, string>> }) {
  const { t } = useTranslation();
  return (
    <fieldset className="group" data-testid="settings-shortcuts" aria-describedby={`${id}-keys-hint`}>
      <legend>{t('settings.shortcuts.legend')}</legend>
      <p id={`${id}-keys-hint`} className="field-hint">
        {t('settings.shortcuts.hint')}
      </p>
      <label className="check">
        <input type="checkbox" data-testid="settings-shortcuts-enabled" checked={prefs.enabled} onChange={(e) => onChange({ ...prefs, enabled: e.target.checked })} />
        {t('settings.shortcuts.enabled')}
      </label>
      <fieldset className="inline shortcut-keys" disabled={!prefs.enabled}>
        <legend>{t('settings.shortcuts.keys')}</legend>
        {KEYED_ACTIONS.map((a) => {
          const problem = problems[a];
          return (
            <div className="field shortcut-key" key={a}>
              <label htmlFor={`${id}-key-${a}`}>{t(KEY_LABEL[a])}</label>
              <input
                id={`${id}-key-${a}`}
                data-testid={`settings-shortcut-${a}`}
                className="key-input"
                value={prefs.keys[a]}
                autoComplete="off"
                spellCheck={false}
                size={3}
                aria-invalid={problem ? true : undefined}
                aria-describedby={problem ? `${id}-key-${a}-error` : undefined}
                onChange={(e) => onChange({ ...prefs, keys: { ...prefs.keys, [a]: e.target.value } })}
              />
              {problem && (
                <p className="field-error" id={`${id}-key-${a}-error`} data-testid={`settings-shortcut-${a}-error`}>
                  {t(`settings.shortcuts.${problem}`)}
                </p>
              )}
            </div>
          );
        })}
      </fieldset>
      <button type="button" data-testid="settings-shortcuts-reset" onClick={() => onChange({ ...prefs, keys: DEFAULT_SHORTCUTS.keys })}>
        {t('settings.shortcuts.reset')}
      </button>
    </fieldset>
  );
}
