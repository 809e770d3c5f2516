import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiContext, guardLocked, type Api } from './api';
import type { AppStatusDto, LanguageDto, SessionDto_Serialize, SettingsDto } from './bindings';
import { applyLanguage } from './i18n';
import { errorText } from './lib/errors';
import { useInactivity } from './lib/useInactivity';
import { useListen } from './lib/useListen';
import { Onboarding } from './components/Onboarding';
import { Unlock } from './components/Unlock';
import { Shell } from './components/Shell';
import { initialComposeState } from './components/Compose';

type Screen = 'loading' | 'onboarding' | 'unlock' | 'main';

/** A request to open an item (a clicked notification), numbered so that twice the same id still opens. */
export interface OpenRequest {
  id: string;
  seq: number;
}

export function App({ api: rawApi }: { api: Api }) {
  const { t, i18n } = useTranslation();
  const [screen, setScreen] = useState<Screen>('loading');
  const [status, setStatus] = useState<AppStatusDto | null>(null);
  const [session, setSession] = useState<SessionDto_Serialize | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [openRequest, setOpenRequest] = useState<OpenRequest | null>(null);
  const openSeq = useRef(0);
  // Held here, in memory only, so that a half-written document survives a lock.
  const [composeState, setComposeState] = useState(initialComposeState);

  const toUnlock = useCallback(() => {
    setSession(null);
    setScreen((s) => (s === 'onboarding' ? s : 'unlock'));
  }, []);
  const api = useMemo(() => guardLocked(rawApi, toUnlock), [rawApi, toUnlock]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const r = await api.appStatus();
      if (cancelled) return;
      if (r.status === 'error') {
        setFatal(errorText(t, r.error));
        return;
      }
      setStatus(r.data);
      if (!r.data.profileExists) setScreen('onboarding');
      else {
        // A reloaded window finds the profile open: ask for the passphrase again all the same.
        if (r.data.unlocked) await api.lock();
        if (!cancelled) setScreen('unlock');
      }
    })().catch((e: unknown) => {
      if (!cancelled) setFatal(String(e));
    });
    return () => {
      cancelled = true;
    };
    // Only once, at start.
  }, [api]);

  // A clicked notification opens its item, after unlocking if need be.
  useListen(api.onOpenItem, (e) => {
    openSeq.current += 1;
    setOpenRequest({ id: e.id, seq: openSeq.current });
  });

  const openRequestDone = useCallback(() => setOpenRequest(null), []);

  const onUnlocked = useCallback(
    (s: SessionDto_Serialize) => {
      void applyLanguage(i18n, s.settings.language);
      setSession(s);
      setScreen('main');
    },
    [i18n],
  );

  const lockNow = useCallback(async () => {
    await api.lock();
    toUnlock();
  }, [api, toUnlock]);

  const lockMinutes = screen === 'main' ? (session?.settings.lockAfterMinutes ?? 0) : 0;
  useInactivity(lockMinutes, lockNow);

  const setLanguage = useCallback(
    async (lang: LanguageDto) => {
      await applyLanguage(i18n, lang);
      if (screen === 'main' && session) {
        const r = await api.saveSettings({ ...session.settings, language: lang });
        if (r.status === 'ok') setSession((s) => (s ? { ...s, settings: r.data } : s));
      }
    },
    [api, i18n, screen, session],
  );

  const onSettingsChanged = useCallback(
    (settings: SettingsDto) => {
      void applyLanguage(i18n, settings.language);
      setSession((s) => (s ? { ...s, settings } : s));
    },
    [i18n],
  );

  return (
    <ApiContext.Provider value={api}>
      <div className="app" data-testid="app" data-screen={screen === 'loading' ? undefined : screen}>
        {screen === 'loading' && (
          <p className="app-loading" role="status" aria-live="polite">
            {fatal ? t('app.startFailed', { reason: fatal }) : t('app.loading')}
          </p>
        )}
        {screen === 'onboarding' && status && (
          <Onboarding minChars={status.minPassphraseChars} onCreated={onUnlocked} onLanguage={setLanguage} />
        )}
        {screen === 'unlock' && <Unlock profileDir={status?.profileDir ?? ''} onUnlocked={onUnlocked} onLanguage={setLanguage} />}
        {screen === 'main' && session && (
          <Shell
            session={session}
            minChars={status?.minPassphraseChars ?? 12}
            onLock={lockNow}
            onLanguage={setLanguage}
            onSettingsChanged={onSettingsChanged}
            openRequest={openRequest}
            onOpenRequestDone={openRequestDone}
            composeState={composeState}
            onComposeState={setComposeState}
          />
        )}
      </div>
    </ApiContext.Provider>
  );
}
