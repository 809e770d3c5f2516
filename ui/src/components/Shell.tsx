import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api';
import type { ComposedDto, LanguageDto, SessionDto_Serialize, SettingsDto } from '../bindings';
import { NARROW_QUERY, panes, type View } from '../lib/layout';
import { KeystrokeLatency, MARK, afterPaint, mark, markOnce, measureSettled, perfNow } from '../lib/perf';
import { loadShortcutPrefs, resolveShortcut, type ShortcutPrefs } from '../lib/shortcuts';
import { useComposeDrafts } from '../lib/useComposeDrafts';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useImporter } from '../lib/useImporter';
import { useListen } from '../lib/useListen';
import { useMediaQuery } from '../lib/useMediaQuery';
import { LanguageSwitch } from './common';
import { Compose } from './Compose';
import { Contacts } from './Contacts';
import { Drafts } from './Drafts';
import { Import } from './Import';
import { INITIAL_INBOX, Inbox, type InboxState, type ListController } from './Inbox';
import { Reader } from './Reader';
import { INITIAL_SEARCH, Search, type SearchFilters } from './Search';
import { Settings } from './Settings';
import { Spaces } from './Spaces';
import { SyncStatus } from './SyncStatus';
import { ShortcutsDialog } from './ShortcutsDialog';

/**
 * A request to open an item or a draft (a clicked notification), numbered so that twice the
 * same id still opens.
 */
export interface OpenRequest {
  id: string;
  seq: number;
  /** A draft ("clearance requested"); an item otherwise. */
  draft?: boolean;
}

const NAV: { view: View; label: string }[] = [
  { view: 'inbox', label: 'nav.inbox' },
  { view: 'compose', label: 'nav.compose' },
  { view: 'drafts', label: 'nav.drafts' },
  { view: 'search', label: 'nav.search' },
  { view: 'import', label: 'nav.import' },
  { view: 'contacts', label: 'nav.contacts' },
  { view: 'spaces', label: 'nav.spaces' },
  { view: 'settings', label: 'nav.settings' },
];

export function Shell({
  session,
  minChars,
  onLock,
  onLanguage,
  onSettingsChanged,
  openRequest,
  onOpenRequestDone,
  onBeforeLock,
}: {
  session: SessionDto_Serialize;
  minChars: number;
  onLock: () => void;
  onLanguage: (l: LanguageDto) => void;
  onSettingsChanged: (s: SettingsDto) => void;
  openRequest: OpenRequest | null;
  /** The request was acted on (so that a later unlock does not act on it again). */
  onOpenRequestDone: () => void;
  /**
   * Registers what to do before a lock: write the forms being composed to the store. Everything
   * else the shell holds (lists, open item, results, forms) goes with it when it unmounts.
   */
  onBeforeLock: (save: (() => Promise<unknown>) | null) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const narrow = useMediaQuery(NARROW_QUERY);
  const [view, setView] = useState<View>('inbox');
  const [openId, setOpenId] = useState<string | null>(null);
  const [openDraft, setOpenDraft] = useState<string | null>(null);
  const [refreshToken, setRefreshToken] = useState(0);
  const [announce, setAnnounce] = useState('');
  /** What the reader beside the list just opened, numbered so that the same words are said again. */
  const [opened, setOpened] = useState({ text: '', n: 0 });
  /** Where the item just composed goes, shown until the user goes elsewhere. */
  const [delivery, setDelivery] = useState<ComposedDto | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [shortcuts, setShortcuts] = useState<ShortcutPrefs>(loadShortcutPrefs);
  // The search box's text and the number of the input event that gave it.
  const [searchInput, setSearchInput] = useState({ text: '', seq: 0 });
  const inputSeq = useRef(0);
  const latency = useRef<KeystrokeLatency | null>(null);
  latency.current ??= new KeystrokeLatency();
  const [inboxState, setInboxState] = useState<InboxState>(INITIAL_INBOX);
  // The next item loaded in the reader was opened from a draft: show its inbox section.
  const sectionOfOpened = useRef(false);
  const [searchState, setSearchState] = useState<SearchFilters>(INITIAL_SEARCH);
  const [focusReader, setFocusReader] = useState(false);
  // The search box is a combobox: the results are its list box, the highlighted one its active descendant.
  const [activeResult, setActiveResult] = useState<string | undefined>(undefined);
  // As in the ARIA combobox pattern, the box names a result once the arrows reach the list
  // (the first arrow down highlights the first result), and no longer once the words change.
  const [inResults, setInResults] = useState(false);
  const resultsId = `${id}-results`;
  const searchRef = useRef<HTMLInputElement>(null);
  const mainRef = useRef<HTMLElement>(null);
  const list = useRef<ListController>(null);
  const refresh = useCallback(() => setRefreshToken((n) => n + 1), []);
  const importer = useImporter(api, refresh);
  const drafts = useComposeDrafts(api);
  const saveDrafts = drafts.flush;
  // The open draft's edits typed and not yet sent (they go at the next pause otherwise).
  const draftFlush = useRef<(() => Promise<void>) | null>(null);
  useEffect(() => {
    onBeforeLock(() => Promise.all([saveDrafts(), draftFlush.current?.()]));
    return () => onBeforeLock(null);
  }, [onBeforeLock, saveDrafts]);
  const runImport = importer.run;
  const layout = panes(view, narrow, openId !== null);
  const resultsShown = view === 'search' && layout.list;
  const screenName = t(NAV.find((n) => n.view === view)?.label ?? 'nav.inbox');
  useDocumentTitle(screenName);

  const go = useCallback(
    (v: View) => {
      setView(v);
      setHelpOpen(false);
      setDelivery(null);
      // In one column, going to a list shows the list, not the item left open.
      if (narrow) setOpenId(null);
    },
    [narrow],
  );

  const open = useCallback(
    (itemId: string, fromKeyboard = false) => {
      setOpenId(itemId);
      setFocusReader(narrow || fromKeyboard);
    },
    [narrow],
  );

  // The row an item was opened from in the inbox; back from the reader that took the list's
  // place (one column), the list selects it again and takes the focus.
  const openedFrom = useRef<{ id: string; index: number } | null>(null);
  const [returnTo, setReturnTo] = useState<{ id: string; index: number; seq: number } | null>(null);
  const openNow = useRef(openId);
  openNow.current = openId;
  const back = useCallback(() => {
    const from = openedFrom.current;
    if (from && from.id === openNow.current) setReturnTo((r) => ({ ...from, seq: (r?.seq ?? 0) + 1 }));
    setOpenId(null);
  }, []);
  const returned = useCallback(() => setReturnTo(null), []);

  // A clicked notification: show the item in the inbox.
  const handled = useRef<number | null>(null);
  useEffect(() => {
    if (!openRequest || handled.current === openRequest.seq) return;
    handled.current = openRequest.seq;
    if (openRequest.draft) {
      setView('drafts');
      setOpenDraft(openRequest.id);
    } else {
      setView((v) => (v === 'search' ? v : 'inbox'));
      open(openRequest.id, true);
    }
    onOpenRequestDone();
  }, [openRequest, open, onOpenRequestDone]);

  // New items: counts and visible rows again, and a word for screen readers.
  useListen(api.onArrivals, (e) => {
    refresh();
    // 0: items only changed (a number made final): nothing new to announce.
    if (e.count > 0) setAnnounce(t('inbox.arrivals', { n: e.count }));
  });

  // Files dropped on the window are imported.
  useListen(api.onDrop, (paths) => {
    go('import');
    void runImport(paths);
  });

  // Keyboard shortcuts.
  const pendingG = useRef(false);
  const state = useRef({ helpOpen, narrow, openId, view, layout, shortcuts });
  state.current = { helpOpen, narrow, openId, view, layout, shortcuts };
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented) return;
      const s = state.current;
      const r = resolveShortcut(e, pendingG.current, s.shortcuts);
      pendingG.current = r.pendingG;
      if (!r.action) return;
      if (s.helpOpen && r.action !== 'escape' && r.action !== 'lock') return;
      switch (r.action) {
        case 'next':
        case 'prev':
          if (!s.layout.list) return;
          list.current?.move(r.action === 'next' ? 1 : -1);
          break;
        case 'open':
          if (!s.layout.list) return;
          list.current?.openSelected();
          break;
        case 'compose':
          go('compose');
          break;
        case 'focusSearch':
          searchRef.current?.focus();
          break;
        case 'goInbox':
          go('inbox');
          break;
        case 'goDrafts':
          go('drafts');
          break;
        case 'help':
          setHelpOpen(true);
          break;
        case 'escape':
          if (s.helpOpen) setHelpOpen(false);
          else if (s.layout.back) back();
          else return;
          break;
        case 'lock':
          onLock();
          break;
      }
      e.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go, onLock, back]);

  // Moving to another view puts the focus at its start.
  const firstView = useRef(true);
  useEffect(() => {
    if (firstView.current) {
      firstView.current = false;
      return;
    }
    if (view !== 'search') mainRef.current?.focus();
  }, [view]);

  useLayoutEffect(() => markOnce(MARK.shellCommitted), []);

  // The first rows after an unlock (the shell is mounted anew by each unlock).
  const inboxPainted = useRef(false);
  const cancelInboxMark = useRef<() => void>(() => undefined);
  const onRowsPainted = useCallback(() => {
    if (inboxPainted.current) return;
    inboxPainted.current = true;
    mark(MARK.inboxRows);
    cancelInboxMark.current = afterPaint(() => mark(MARK.inboxPainted));
  }, []);
  useEffect(() => () => cancelInboxMark.current(), []);

  const onResultsPainted = useCallback((seq: number) => {
    if (latency.current) measureSettled(latency.current, seq);
  }, []);

  const listOpen = (itemId: string, index?: number) => {
    openedFrom.current = index === undefined ? null : { id: itemId, index };
    open(itemId, false);
  };
  const identity = session.identity;

  return (
    <div className={`shell${narrow ? ' narrow' : ''}`}>
      <a className="skip-link" href={`#${id}-main`}>
        {t('header.skip')}
      </a>
      <header className="header">
        <span className="app-name">{t('app.name')}</span>
        <span className="user">
          <span className="user-name">{identity.name}</span>
          <span className="user-org">{identity.org}</span>
        </span>
        <form className="header-search" role="search" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor={`${id}-search`} className="visually-hidden">
            {t('header.searchLabel')}
          </label>
          <input
            ref={searchRef}
            id={`${id}-search`}
            type="search"
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={resultsShown}
            aria-controls={resultsShown ? resultsId : undefined}
            aria-activedescendant={resultsShown && inResults ? activeResult : undefined}
            aria-describedby={`${id}-search-hint`}
            data-testid="search-input"
            value={searchInput.text}
            placeholder={t('header.searchPlaceholder')}
            onChange={(e) => {
              const seq = ++inputSeq.current;
              latency.current?.keystroke(seq, perfNow());
              setSearchInput({ text: e.target.value, seq });
              setInResults(false);
              if (view !== 'search') setView('search');
            }}
            onKeyDown={(e) => {
              if (e.altKey || e.ctrlKey || e.metaKey) return;
              if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && resultsShown) {
                e.preventDefault();
                if (inResults) list.current?.move(e.key === 'ArrowDown' ? 1 : -1);
                else setInResults(true);
              } else if (e.key === 'ArrowDown' || (e.key === 'Enter' && view === 'search')) {
                e.preventDefault();
                if (e.key === 'Enter') list.current?.openSelected();
                else list.current?.move(1);
              } else if (e.key === 'Tab' && !e.shiftKey && resultsShown && activeResult) {
                // Tab goes to the results, not through the header, the navigation and the filters.
                const results = document.getElementById(resultsId);
                if (results) {
                  e.preventDefault();
                  results.focus();
                }
              }
            }}
          />
          <span id={`${id}-search-hint`} className="visually-hidden">
            {t('header.searchHint')}
          </span>
        </form>
        <LanguageSwitch onChange={onLanguage} />
        <button type="button" className="lock" data-testid="lock-button" onClick={onLock} title={t('header.lockTitle')}>
          {t('header.lock')}
        </button>
        <button type="button" className="help" onClick={() => setHelpOpen(true)} aria-label={t('header.shortcuts')} title={t('header.shortcuts')}>
          {t('header.shortcutsShort')}
        </button>
      </header>
      <nav className="nav" aria-label={t('nav.label')}>
        <ul>
          {NAV.map((n) => (
            <li key={n.view}>
              <button type="button" data-testid={`nav-${n.view}`} aria-current={view === n.view ? 'page' : undefined} onClick={() => go(n.view)}>
                {t(n.label)}
              </button>
            </li>
          ))}
        </ul>
        <SyncStatus />
      </nav>
      <main id={`${id}-main`} ref={mainRef} tabIndex={-1} className={`content content-${view}${layout.reader && layout.list ? ' two-panes' : ''}`}>
        {delivery && view === 'inbox' && <DeliveryNotice delivery={delivery} onClose={() => setDelivery(null)} />}
        {layout.list && (
          <div className="pane pane-list">
            {view === 'inbox' && <Inbox state={inboxState} onState={setInboxState} refreshToken={refreshToken} openId={openId} onOpen={listOpen} controller={list} onRowsPainted={onRowsPainted} returnTo={returnTo} onReturned={returned} />}
            {view === 'search' && (
              <Search
                text={searchInput.text}
                textSeq={searchInput.seq}
                onResultsPainted={onResultsPainted}
                state={searchState}
                onState={setSearchState}
                openId={openId}
                onOpen={listOpen}
                controller={list}
                listId={resultsId}
                onActiveOption={setActiveResult}
                onEscape={() => searchRef.current?.focus()}
              />
            )}
          </div>
        )}
        {layout.reader && !layout.list && (
          // The reader alone (one column): the screen keeps its title, as the list had it.
          <h1 className="visually-hidden">{screenName}</h1>
        )}
        {layout.reader && (
          <div className="pane pane-reader">
            <Reader
              id={openId}
              onOpen={(i) => open(i, true)}
              onBack={back}
              showBack={layout.back}
              onReadChanged={refresh}
              focusOnOpen={focusReader}
              onOpenDraft={(draftId) => {
                setView('drafts');
                setOpenDraft(draftId);
              }}
              onOpenContacts={() => go('contacts')}
              onLoaded={(item) => {
                // Beside the list the focus stays there: say what the reader now shows (what
                // the screen shows of it, its kind and sender, never written anywhere else).
                if (layout.list && !focusReader) setOpened((o) => ({ text: t('reader.opened', { kind: t(`kind.${item.summary.kind}.name`), sender: item.summary.origin }), n: o.n + 1 }));
                if (!sectionOfOpened.current) return;
                sectionOfOpened.current = false;
                const route = item.summary.route;
                const section = route === 'action' ? 'action' : route === 'info' ? 'info' : 'unrouted';
                setInboxState((s) => (s.section === section ? s : { ...s, section }));
              }}
            />
          </div>
        )}
        {view === 'compose' && (
          <Compose
            drafts={drafts}
            onComposed={(composed) => {
              refresh();
              setView('inbox');
              open(composed.id, true);
              setDelivery(composed.deliveredTo.length + composed.notDelivered.length > 0 ? composed : null);
            }}
          />
        )}
        {view === 'drafts' && (
          <Drafts
            me={identity.name}
            openId={openDraft}
            onOpen={setOpenDraft}
            flushRef={draftFlush}
            onOpenItem={(itemId) => {
              // A released draft's item: the inbox shows the section that holds it (its
              // drafter or approver is not always an addressee) once it is loaded.
              sectionOfOpened.current = true;
              setView('inbox');
              open(itemId, true);
            }}
          />
        )}
        {view === 'import' && <Import importer={importer} />}
        {view === 'contacts' && <Contacts />}
        {view === 'spaces' && <Spaces />}
        {view === 'settings' && <Settings settings={session.settings} identity={identity} minChars={minChars} onSaved={onSettingsChanged} shortcuts={shortcuts} onShortcuts={setShortcuts} />}
      </main>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announce}
      </p>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="reader-opened-status">
        <span key={opened.n}>{opened.text}</span>
      </p>
      {helpOpen && <ShortcutsDialog prefs={shortcuts} onClose={() => setHelpOpen(false)} />}
    </div>
  );
}

/** Where a composed item goes: the contacts it reaches at the next sync, those it cannot. */
function DeliveryNotice({ delivery, onClose }: { delivery: ComposedDto; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="delivery-notice" role="status" data-testid="delivery-notice">
      {delivery.deliveredTo.length > 0 && <p data-testid="delivery-to">{t('compose.deliveredTo', { names: delivery.deliveredTo.join(', ') })}</p>}
      {delivery.notDelivered.length > 0 && (
        <ul>
          {delivery.notDelivered.map((n) => (
            <li key={n.addressee} data-testid="delivery-not">
              {t('compose.notDelivered', { addressee: n.addressee, why: t(`compose.notDeliveredWhy.${n.reason}`, { defaultValue: t('compose.notDeliveredWhy.no_contact') }) })}
            </li>
          ))}
        </ul>
      )}
      <button type="button" onClick={onClose} data-testid="delivery-close">
        {t('compose.deliveryClose')}
      </button>
    </div>
  );
}
