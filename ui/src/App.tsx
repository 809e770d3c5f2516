import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiContext, guardLocked, type Api } from './api';
import type { AppStatusDto, LanguageDto, SessionDto_Serialize, SettingsDto } from './bindings';
import { applyLanguage } from './i18n';
import { errorText } from './lib/errors';
import { MARK, mark } from './lib/perf';
import { settleWithin } from './lib/settle';
import { useDocumentTitle } from './lib/useDocumentTitle';
import { useInactivity } from './lib/useInactivity';
import { useListen } from './lib/useListen';
import { Onboarding } from './components/Onboarding';
import { Unlock } from './components/Unlock';
import type { OpenRequest } from './components/Shell';
import { loadMainScreen, mainScreen } from './lib/mainScreen';
import { EMPTY_FILTER, FIRST_SECTION, toFilterDto } from './lib/filter';
import { forgetEarlyInbox, prefetchInbox } from './lib/usePagedInbox';

type Screen = 'loading' | 'onboarding' | 'unlock' | 'main';

/** How long a lock waits for the forms being composed to reach the store. */
export const LOCK_SAVE_TIMEOUT_MS = 1000;

/**
 * The first screen: when the backend said, as it opened the window, that a profile is there
 * (`window.__DIPLOMATIE_PROFILE_EXISTS__`), the unlock screen shows at once, without waiting for
 * the first command's answer, which still comes and corrects it if need be.
 */
function firstScreen(): Screen {
  return (globalThis as { __DIPLOMATIE_PROFILE_EXISTS__?: unknown }).__DIPLOMATIE_PROFILE_EXISTS__ === true ? 'unlock' : 'loading';
}

export function App({ api: rawApi }: { api: Api }) {
  const { t, i18n } = useTranslation();
  const [screen, setScreen] = useState<Screen>(firstScreen);
  const [status, setStatus] = useState<AppStatusDto | null>(null);
  const [session, setSession] = useState<SessionDto_Serialize | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [openRequest, setOpenRequest] = useState<OpenRequest | null>(null);
  const openSeq = useRef(0);
  // The profile is open (between an unlock and a lock), and a lock is under way.
  const unlocked = useRef(false);
  const locking = useRef(false);
  const beforeLock = useRef<(() => Promise<unknown>) | null>(null);
  const onBeforeLock = useCallback((save: (() => Promise<unknown>) | null) => {
    beforeLock.current = save;
  }, []);

  /**
   * Locks: writes the forms being composed to the store while it is still open (bounded), locks
   * the profile, then drops every piece of the profile held here. The shell unmounts with the
   * session, and with it the lists, pages, open item, results, forms and import report.
   */
  const lockAndForget = useCallback(
    async (stillUnlocked: boolean) => {
      if (locking.current || !unlocked.current) return;
      locking.current = true;
      try {
        const save = beforeLock.current;
        if (stillUnlocked && save) await settleWithin(save(), LOCK_SAVE_TIMEOUT_MS);
        unlocked.current = false;
        await rawApi.lock();
      } finally {
        unlocked.current = false;
        forgetEarlyInbox();
        beforeLock.current = null;
        setSession(null);
        setScreen((s) => (s === 'onboarding' ? s : 'unlock'));
        locking.current = false;
      }
    },
    [rawApi],
  );
  // A command answering `locked`: the profile was locked elsewhere; nothing can be saved.
  const api = useMemo(() => guardLocked(rawApi, () => void lockAndForget(false)), [rawApi, lockAndForget]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const r = await api.appStatus();
      mark(MARK.status);
      if (cancelled) return;
      if (r.status === 'error') {
        setFatal(errorText(t, r.error));
        return;
      }
      setStatus(r.data);
      // The unlock screen may already be up (see firstScreen), and the user may even have
      // unlocked before this answer came: it then changes nothing.
      if (unlocked.current) return;
      if (!r.data.profileExists) setScreen('onboarding');
      else {
        // A reloaded window finds the profile open: ask for the passphrase again all the same.
        if (r.data.unlocked) await api.lock();
        if (!cancelled && !unlocked.current) setScreen('unlock');
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

  // A clicked "clearance requested" opens the draft, after unlocking if need be.
  useListen(api.onOpenDraft, (e) => {
    openSeq.current += 1;
    setOpenRequest({ id: e.id, seq: openSeq.current, draft: true });
  });

  const openRequestDone = useCallback(() => setOpenRequest(null), []);

  const onUnlocked = useCallback(
    (s: SessionDto_Serialize) => {
      // The inbox's first answers, asked for while the main screen renders.
      prefetchInbox(api, toFilterDto(EMPTY_FILTER, FIRST_SECTION));
      void applyLanguage(i18n, s.settings.language);
      unlocked.current = true;
      // Loaded already while the unlock screen waited, as a rule (see Warmup).
      loadMainScreen().then(
        () => {
          if (!unlocked.current) return;
          setSession(s);
          setScreen('main');
        },
        (e: unknown) => {
          setFatal(String(e));
          setScreen('loading');
        },
      );
    },
    [i18n, api],
  );

  const lockNow = useCallback(() => lockAndForget(true), [lockAndForget]);

  // The shell and the first screen name themselves; the window names the unlock screen.
  useDocumentTitle(screen === 'unlock' ? t('unlock.title') : screen === 'loading' ? '' : null);

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

  const Main = mainScreen();
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
        {screen === 'main' && session && Main && (
          <Main.Shell
            session={session}
            minChars={status?.minPassphraseChars ?? 12}
            onLock={lockNow}
            onLanguage={setLanguage}
            onSettingsChanged={onSettingsChanged}
            openRequest={openRequest}
            onOpenRequestDone={openRequestDone}
            onBeforeLock={onBeforeLock}
          />
        )}
      </div>
    </ApiContext.Provider>
  );
}
