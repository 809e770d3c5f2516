import { describe, expect, it, vi } from 'vitest';
import { act, cleanup as cleanupApp, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from './App';
import type { Api } from './api';
import { emailItem, err, fakeApi, ok, SESSION, summary } from './test/fakeApi';
import { inboxOver } from './test/fakeInbox';
import { draftDto } from './test/fakeDraft';
import { renderWith } from './test/render';
import { namedGenericsIn, unnamedControls } from './test/ariaNames';

const screenName = () => screen.getByTestId('app').getAttribute('data-screen');
const status = (profileExists: boolean) => async () => ok({ version: '0.1.0', profileDir: '/tmp/p', profileExists, unlocked: false, minPassphraseChars: 12 });

/**
 * Waits for the main screen and for its effects (the shortcut listener among them): the
 * unlock answer renders outside act, so React runs them a task after the commit.
 */
async function mainShown() {
  await waitFor(() => expect(screenName()).toBe('main'));
  await act(() => new Promise((r) => setTimeout(r, 0)));
}

async function unlocked(api: Api) {
  renderWith(<App api={api} />, api);
  await waitFor(() => expect(screenName()).toBe('unlock'));
  fireEvent.change(screen.getByTestId('unlock-passphrase'), { target: { value: 'une phrase de passe' } });
  fireEvent.click(screen.getByTestId('unlock-submit'));
  await mainShown();
}

describe('start', () => {
  it('shows the unlock screen at once when the backend said a profile is there', async () => {
    let answer: (v: unknown) => void = () => undefined;
    const appStatus = vi.fn(() => new Promise((r) => (answer = r)) as never);
    const api = fakeApi({ appStatus });
    (globalThis as { __DIPLOMATIE_PROFILE_EXISTS__?: boolean }).__DIPLOMATIE_PROFILE_EXISTS__ = true;
    try {
      renderWith(<App api={api} />, api);
      // Before the first command answers.
      expect(screenName()).toBe('unlock');
      expect(screen.getByTestId('unlock-passphrase')).toBeTruthy();
      answer(ok({ version: '0.1.0', profileDir: '/tmp/p', profileExists: false, unlocked: false, minPassphraseChars: 12 }));
      // The answer corrects it: there is no profile after all.
      await waitFor(() => expect(screenName()).toBe('onboarding'));
    } finally {
      delete (globalThis as { __DIPLOMATIE_PROFILE_EXISTS__?: boolean }).__DIPLOMATIE_PROFILE_EXISTS__;
    }
  });

  it('keeps the main screen when the first answer comes after an unlock', async () => {
    let answer: (v: unknown) => void = () => undefined;
    const appStatus = vi.fn(() => new Promise((r) => (answer = r)) as never);
    const api = fakeApi({ appStatus });
    (globalThis as { __DIPLOMATIE_PROFILE_EXISTS__?: boolean }).__DIPLOMATIE_PROFILE_EXISTS__ = true;
    try {
      renderWith(<App api={api} />, api);
      fireEvent.change(screen.getByTestId('unlock-passphrase'), { target: { value: 'une phrase de passe' } });
      fireEvent.click(screen.getByTestId('unlock-submit'));
      await mainShown();
      answer(ok({ version: '0.1.0', profileDir: '/tmp/p', profileExists: true, unlocked: false, minPassphraseChars: 12 }));
      await act(() => new Promise((r) => setTimeout(r, 0)));
      expect(screenName()).toBe('main');
      expect(api.lock).not.toHaveBeenCalled();
    } finally {
      delete (globalThis as { __DIPLOMATIE_PROFILE_EXISTS__?: boolean }).__DIPLOMATIE_PROFILE_EXISTS__;
    }
  });

  it('waits for the first answer otherwise', async () => {
    const api = fakeApi();
    renderWith(<App api={api} />, api);
    expect(screenName()).toBeNull();
    await waitFor(() => expect(screenName()).toBe('unlock'));
  });
});

describe('onboarding', () => {
  it('creates a profile once the passphrase is long enough and confirmed', async () => {
    const createProfile = vi.fn(async () => ok(SESSION));
    const api = fakeApi({ appStatus: vi.fn(status(false)), createProfile });
    renderWith(<App api={api} />, api);
    await waitFor(() => expect(screenName()).toBe('onboarding'));
    expect(screen.getByText(/ne peut pas être retrouvée/)).toBeTruthy();

    const submit = screen.getByTestId('onboarding-submit') as HTMLButtonElement;
    fireEvent.change(screen.getByTestId('onboarding-name'), { target: { value: 'Alice Martin' } });
    fireEvent.change(screen.getByTestId('onboarding-org'), { target: { value: 'DGM' } });
    fireEvent.change(screen.getByTestId('onboarding-passphrase'), { target: { value: 'court' } });
    expect(screen.getByTestId('passphrase-strength').textContent).toContain('faible');
    expect(submit.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('onboarding-passphrase'), { target: { value: 'Rivière lente sous 3 ponts !' } });
    expect(screen.getByTestId('passphrase-strength').textContent).toContain('très forte');
    fireEvent.change(screen.getByTestId('onboarding-passphrase-confirm'), { target: { value: 'Rivière lente sous 3 ponts' } });
    expect(submit.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('onboarding-passphrase-confirm'), { target: { value: 'Rivière lente sous 3 ponts !' } });
    expect(submit.disabled).toBe(false);
    fireEvent.click(submit);
    await waitFor(() => expect(screenName()).toBe('main'));
    expect(createProfile).toHaveBeenCalledWith({ name: 'Alice Martin', org: 'DGM', email: null, passphrase: 'Rivière lente sous 3 ponts !' });
  });

  it('points at the field the backend names', async () => {
    const api = fakeApi({ appStatus: vi.fn(status(false)), createProfile: vi.fn(async () => err('weak_passphrase', 'passphrase', '12')) });
    renderWith(<App api={api} />, api);
    await waitFor(() => expect(screenName()).toBe('onboarding'));
    fireEvent.change(screen.getByTestId('onboarding-passphrase'), { target: { value: 'douze carac.' } });
    fireEvent.change(screen.getByTestId('onboarding-passphrase-confirm'), { target: { value: 'douze carac.' } });
    fireEvent.click(screen.getByTestId('onboarding-submit'));
    expect((await screen.findByTestId('error-passphrase')).textContent).toContain('au moins 12 caractères');
  });
  it('links this device to an existing one and enters the app with the profile it made', async () => {
    const api = fakeApi({ appStatus: vi.fn(status(false)) });
    renderWith(<App api={api} />, api);
    await waitFor(() => expect(screenName()).toBe('onboarding'));
    fireEvent.click(screen.getByTestId('onboarding-link'));
    fireEvent.change(screen.getByTestId('link-code'), { target: { value: 'DIPLOMATIE-LIEN:https://relais.example#0123456789abcdef0123-ABCDEFGH' } });
    fireEvent.change(screen.getByTestId('link-label'), { target: { value: 'Portable' } });
    fireEvent.change(screen.getByTestId('link-passphrase'), { target: { value: 'Rivière lente sous 3 ponts !' } });
    fireEvent.change(screen.getByTestId('link-passphrase-confirm'), { target: { value: 'Rivière lente sous 3 ponts !' } });
    fireEvent.click(screen.getByTestId('link-submit'));
    fireEvent.click(await screen.findByTestId('link-words-match'));
    fireEvent.click(await screen.findByTestId('link-open'));
    await mainShown();
    expect(api.finishLink).toHaveBeenCalledWith('Rivière lente sous 3 ponts !');
    expect(api.createProfile).not.toHaveBeenCalled();
  });
});

describe('unlock and lock', () => {
  it('says a wrong passphrase, clears the field and keeps the focus there', async () => {
    const unlock = vi.fn(async (p: string) => (p === 'la bonne phrase' ? ok(SESSION) : err('wrong_passphrase')));
    const api = fakeApi({ unlock });
    renderWith(<App api={api} />, api);
    await waitFor(() => expect(screenName()).toBe('unlock'));
    expect(screen.queryByTestId('unlock-error')).toBeNull();
    const input = screen.getByTestId('unlock-passphrase') as HTMLInputElement;
    fireEvent.change(input, { target: { value: 'la mauvaise' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    expect((await screen.findByTestId('unlock-error')).textContent).toBe('Phrase de passe incorrecte.');
    expect(input.value).toBe('');
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: 'la bonne phrase' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    await waitFor(() => expect(screenName()).toBe('main'));
    expect(screen.getByText('Alice Martin')).toBeTruthy();
  });

  it('locks with the button and with Ctrl+L', async () => {
    const api = fakeApi();
    await unlocked(api);
    fireEvent.click(screen.getByTestId('lock-button'));
    await waitFor(() => expect(screenName()).toBe('unlock'));
    expect(api.lock).toHaveBeenCalledTimes(1);
    fireEvent.change(screen.getByTestId('unlock-passphrase'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    await mainShown();
    fireEvent.keyDown(window, { key: 'l', ctrlKey: true });
    await waitFor(() => expect(screenName()).toBe('unlock'));
    expect(api.lock).toHaveBeenCalledTimes(2);
  });

  it('goes to the unlock screen when a command answers locked', async () => {
    let locked = false;
    const list = inboxOver([summary('a1', { route: 'action' })]);
    const api = fakeApi({ inbox: vi.fn(async (r) => (locked ? err('locked') : list(r))) });
    await unlocked(api);
    await screen.findByTestId('item-row');
    locked = true;
    fireEvent.click(screen.getByTestId('tab-info'));
    await waitFor(() => expect(screenName()).toBe('unlock'));
    expect(screen.getByTestId('unlock-passphrase')).toBeTruthy();
    // Already locked: nothing can be saved; the page forgets the profile all the same.
    expect(api.saveFormDraft).not.toHaveBeenCalled();
    expect(api.lock).toHaveBeenCalledTimes(1);
    expect(screen.queryByText('Objet a1')).toBeNull();
  });

  it('locks after the set minutes without activity, not before', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const api = fakeApi({ unlock: vi.fn(async () => ok({ ...SESSION, settings: { ...SESSION.settings, lockAfterMinutes: 2 } })) });
      await unlocked(api);
      await act(async () => {
        vi.advanceTimersByTime(90_000);
      });
      fireEvent.keyDown(window, { key: 'Shift' });
      await act(async () => {
        vi.advanceTimersByTime(90_000);
      });
      expect(screenName()).toBe('main');
      await act(async () => {
        vi.advanceTimersByTime(40_000);
      });
      await waitFor(() => expect(screenName()).toBe('unlock'));
      expect(api.lock).toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('says where a composed item goes, and which addressees it cannot reach and why', async () => {
    const compose = vi.fn(async () =>
      ok({ id: 'tg-9', deliveredTo: ['Bruno Keller'], notDelivered: [{ addressee: 'BERLIN', reason: 'unit' }] }),
    );
    const api = fakeApi({ compose });
    await unlocked(api);
    fireEvent.click(screen.getByTestId('nav-compose'));
    fireEvent.change(await screen.findByTestId('compose-subject'), { target: { value: 'Visite' } });
    fireEvent.change(screen.getByTestId('compose-action-name-0'), { target: { value: 'Bruno Keller' } });
    fireEvent.change(screen.getByTestId('compose-paragraph-0'), { target: { value: 'Texte.' } });
    fireEvent.click(screen.getByTestId('compose-submit'));
    // Reviewed first, in the composer; Escape there goes back to the form, not elsewhere.
    fireEvent.keyDown(await screen.findByTestId('compose-review-heading'), { key: 'Escape' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('compose-submit')));
    expect(screen.getByTestId('nav-compose').getAttribute('aria-current')).toBe('page');
    expect(compose).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('compose-submit'));
    fireEvent.click(await screen.findByTestId('compose-confirm'));
    const notice = await screen.findByTestId('delivery-notice');
    expect(notice.getAttribute('role')).toBe('status');
    expect(screen.getByTestId('delivery-to').textContent).toBe('Remis à Bruno Keller : part à la prochaine synchronisation.');
    expect(screen.getByTestId('delivery-not').textContent).toContain('Non remis à BERLIN : aucune carte de ce service ici');
    // Gone once read, and when the user goes elsewhere.
    fireEvent.click(screen.getByTestId('delivery-close'));
    expect(screen.queryByTestId('delivery-notice')).toBeNull();
  });

  it('keeps a half-written document in the store across views and a lock', async () => {
    const api = fakeApi();
    await unlocked(api);
    fireEvent.click(screen.getByTestId('nav-compose'));
    fireEvent.change(await screen.findByTestId('compose-subject'), { target: { value: 'En cours' } });
    fireEvent.click(screen.getByTestId('nav-inbox'));
    fireEvent.click(screen.getByTestId('nav-compose'));
    expect((screen.getByTestId('compose-subject') as HTMLInputElement).value).toBe('En cours');

    // Locked before the debounced save: the form is written first, then the profile locked.
    fireEvent.click(screen.getByTestId('lock-button'));
    await waitFor(() => expect(screenName()).toBe('unlock'));
    expect(api.saveFormDraft).toHaveBeenCalledWith('telegram', expect.stringContaining('En cours'));
    expect(vi.mocked(api.saveFormDraft).mock.invocationCallOrder[0]).toBeLessThan(vi.mocked(api.lock).mock.invocationCallOrder[0]!);

    vi.mocked(api.formDraft).mockClear();
    fireEvent.change(screen.getByTestId('unlock-passphrase'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    await waitFor(() => expect(screenName()).toBe('main'));
    fireEvent.click(screen.getByTestId('nav-compose'));
    expect(((await screen.findByTestId('compose-subject')) as HTMLInputElement).value).toBe('En cours');
    expect(api.formDraft).toHaveBeenCalledWith('telegram');
  });

  it('keeps nothing of the profile in the page while locked', async () => {
    const items = [summary('a1', { route: 'action', subject: 'Sujet secret' })];
    const api = fakeApi({ inbox: vi.fn(inboxOver(items)), openItem: vi.fn(async (id: string) => emailItem(id)) });
    await unlocked(api);
    fireEvent.click(await screen.findByText('Sujet secret'));
    await waitFor(() => expect(screen.getByTestId('reader').dataset.id).toBe('a1'));
    fireEvent.change(screen.getByTestId('search-input'), { target: { value: 'budget' } });
    await waitFor(() => expect(api.search).toHaveBeenCalled());
    fireEvent.click(screen.getByTestId('nav-compose'));
    fireEvent.change(await screen.findByTestId('compose-subject'), { target: { value: 'Objet en cours' } });

    fireEvent.keyDown(window, { key: 'l', ctrlKey: true });
    await waitFor(() => expect(screenName()).toBe('unlock'));
    const page = document.body.textContent ?? '';
    for (const text of ['Sujet secret', 'Alice Martin', 'DGM/ECO', 'Objet a1', 'Bonjour.']) expect(page).not.toContain(text);
    expect(document.body.innerHTML).not.toContain('Objet en cours');
    expect(document.body.innerHTML).not.toContain('budget');

    // Unlocked again: everything is read anew from the backend, the forms from the store.
    vi.mocked(api.inbox).mockClear();
    fireEvent.change(screen.getByTestId('unlock-passphrase'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    await waitFor(() => expect(screenName()).toBe('main'));
    expect((screen.getByTestId('search-input') as HTMLInputElement).value).toBe('');
    expect(screen.queryByTestId('reader')?.dataset.id).toBeUndefined();
    await waitFor(() => expect(api.inbox).toHaveBeenCalled());
    fireEvent.click(screen.getByTestId('nav-compose'));
    expect(((await screen.findByTestId('compose-subject')) as HTMLInputElement).value).toBe('Objet en cours');
  });

  it('writes nothing but the interface language to local storage', async () => {
    const setItem = vi.spyOn(localStorage, 'setItem');
    const api = fakeApi();
    await unlocked(api);
    fireEvent.click(screen.getByTestId('nav-compose'));
    fireEvent.change(await screen.findByTestId('compose-subject'), { target: { value: 'Confidentiel' } });
    fireEvent.change(screen.getByTestId('compose-paragraph-0'), { target: { value: 'Texte DR.' } });
    fireEvent.change(screen.getByTestId('compose-paragraph-marking-0'), { target: { value: 'dr' } });
    fireEvent.click(screen.getByTestId('compose-save-draft'));
    await waitFor(() => expect(api.saveFormDraft).toHaveBeenCalled());
    fireEvent.change(screen.getByTestId('language-switch'), { target: { value: 'en' } });
    fireEvent.click(screen.getByTestId('lock-button'));
    await waitFor(() => expect(screenName()).toBe('unlock'));

    const keys = setItem.mock.calls.map(([key]) => key);
    expect(keys).toContain('diplomatie.language');
    expect(new Set(keys)).toEqual(new Set(['diplomatie.language']));
    for (const [, value] of setItem.mock.calls) expect(value).toMatch(/^(fr|en)$/);
    expect(Object.keys(localStorage)).toEqual(['diplomatie.language']);
  });

  it('applies the language of the profile and switches it from the header', async () => {
    const api = fakeApi({ unlock: vi.fn(async () => ok({ ...SESSION, settings: { ...SESSION.settings, language: 'en' as const } })) });
    await unlocked(api);
    expect(screen.getByTestId('nav-inbox').textContent).toBe('Inbox');
    expect(document.documentElement.lang).toBe('en');
    fireEvent.change(screen.getByTestId('language-switch'), { target: { value: 'fr' } });
    await waitFor(() => expect(screen.getByTestId('nav-inbox').textContent).toBe('Boîte de réception'));
    expect(document.documentElement.lang).toBe('fr');
    expect(api.saveSettings).toHaveBeenCalledWith(expect.objectContaining({ language: 'fr' }));
    expect(localStorage.getItem('diplomatie.language')).toBe('fr');
  });
});

describe('keyboard shortcuts in the main screen', () => {
  const items = [summary('a1', { route: 'action' }), summary('a2', { route: 'action' }), summary('a3', { route: 'action' })];

  it('j/k move, Enter opens, c composes, ? shows the help, / focuses search; letters typed in a field do nothing', async () => {
    const openItem = vi.fn(async (id: string) => emailItem(id));
    const api = fakeApi({ inbox: vi.fn(inboxOver(items)), openItem });
    await unlocked(api);
    await waitFor(() => expect(screen.getAllByTestId('item-row')).toHaveLength(3));
    const selected = () => screen.getAllByTestId('item-row').find((r) => r.getAttribute('aria-selected') === 'true')?.dataset.id;
    expect(selected()).toBe('a1');
    fireEvent.keyDown(document.body, { key: 'j' });
    fireEvent.keyDown(document.body, { key: 'j' });
    await waitFor(() => expect(selected()).toBe('a3'));
    fireEvent.keyDown(document.body, { key: 'k' });
    await waitFor(() => expect(selected()).toBe('a2'));
    fireEvent.keyDown(document.body, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('reader').dataset.id).toBe('a2'));
    expect(openItem).toHaveBeenCalledWith('a2');

    // Typed in a field, j and k are letters.
    const origin = screen.getByTestId('filter-origin') as HTMLInputElement;
    await userEvent.type(origin, 'jk');
    expect(origin.value).toBe('jk');
    expect(selected()).toBe('a2');
    origin.blur();

    fireEvent.keyDown(document.body, { key: '?' });
    expect(await screen.findByTestId('shortcuts-dialog')).toBeTruthy();
    expect(screen.getByTestId('shortcuts-dialog').textContent).toContain('Élément suivant');
    fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('shortcuts-dialog')).toBeNull());

    fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(screen.getByTestId('search-input'));

    fireEvent.keyDown(document.body, { key: 'c' });
    expect(await screen.findByTestId('compose-kind')).toBeTruthy();
    fireEvent.keyDown(document.body, { key: 'g' });
    fireEvent.keyDown(document.body, { key: 'i' });
    expect(await screen.findByTestId('inbox-list')).toBeTruthy();
  });

  it('turned off in the settings, single keys do nothing, while the list still opens with Enter and Escape still acts', async () => {
    const openItem = vi.fn(async (id: string) => emailItem(id));
    const api = fakeApi({ inbox: vi.fn(inboxOver(items)), openItem });
    await unlocked(api);
    fireEvent.click(screen.getByTestId('nav-settings'));
    fireEvent.click(await screen.findByTestId('settings-shortcuts-enabled'));
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(screen.getByTestId('settings-message').textContent).toBe('Réglages enregistrés.'));
    expect(JSON.parse(localStorage.getItem('diplomatie.shortcuts') ?? '{}')).toMatchObject({ enabled: false });

    fireEvent.click(screen.getByTestId('nav-inbox'));
    await waitFor(() => expect(screen.getAllByTestId('item-row')).toHaveLength(3));
    const selected = () => screen.getAllByTestId('item-row').find((r) => r.getAttribute('aria-selected') === 'true')?.dataset.id;
    for (const key of ['j', 'c', '?', '/', 'g']) fireEvent.keyDown(document.body, { key });
    fireEvent.keyDown(document.body, { key: 'p' });
    expect(selected()).toBe('a1');
    expect(screen.queryByTestId('shortcuts-dialog')).toBeNull();
    expect(screen.getByTestId('nav-inbox').getAttribute('aria-current')).toBe('page');
    expect(document.activeElement).not.toBe(screen.getByTestId('search-input'));

    // The list's own keys still work.
    const list = screen.getByTestId('inbox-list');
    list.focus();
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    await waitFor(() => expect(selected()).toBe('a2'));
    fireEvent.keyDown(list, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('reader').dataset.id).toBe('a2'));

    // The help says they are off and lists none of them.
    fireEvent.click(screen.getByRole('button', { name: 'Raccourcis clavier (?)' }));
    const dialog = await screen.findByTestId('shortcuts-dialog');
    expect(screen.getByTestId('shortcuts-prefs-note').textContent).toContain('désactivés');
    expect(dialog.textContent).not.toContain('Élément suivant');
    fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('shortcuts-dialog')).toBeNull());
  });

  it('follows keys remapped in the settings', async () => {
    const api = fakeApi({ inbox: vi.fn(inboxOver(items)) });
    await unlocked(api);
    fireEvent.click(screen.getByTestId('nav-settings'));
    fireEvent.change(await screen.findByTestId('settings-shortcut-next'), { target: { value: 'n' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(screen.getByTestId('settings-message').textContent).toBe('Réglages enregistrés.'));
    fireEvent.click(screen.getByTestId('nav-inbox'));
    await waitFor(() => expect(screen.getAllByTestId('item-row')).toHaveLength(3));
    const selected = () => screen.getAllByTestId('item-row').find((r) => r.getAttribute('aria-selected') === 'true')?.dataset.id;
    fireEvent.keyDown(document.body, { key: 'j' });
    expect(selected()).toBe('a1');
    fireEvent.keyDown(document.body, { key: 'n' });
    await waitFor(() => expect(selected()).toBe('a2'));
  });

  it('the search box is a combobox of the results: it names the highlighted one, and Tab reaches them', async () => {
    const openItem = vi.fn(async (id: string) => emailItem(id));
    const search = vi.fn(async () => ok({ hits: ['s1', 's2', 's3'].map((id) => ({ summary: summary(id), snippet: [] })), elapsedMs: 2 }));
    const api = fakeApi({ inbox: vi.fn(inboxOver(items)), openItem, search });
    await unlocked(api);
    const box = screen.getByTestId('search-input');
    expect(box.getAttribute('role')).toBe('combobox');
    expect(box.getAttribute('aria-expanded')).toBe('false');
    expect(box.getAttribute('aria-controls')).toBeNull();
    box.focus();
    fireEvent.change(box, { target: { value: 'budget' } });
    await waitFor(() => expect(screen.getAllByTestId('search-result')).toHaveLength(3));
    expect(box.getAttribute('aria-expanded')).toBe('true');
    const listbox = document.getElementById(box.getAttribute('aria-controls') ?? '');
    expect(listbox?.getAttribute('role')).toBe('listbox');
    expect(listbox).toBe(screen.getByTestId('search-listbox'));
    const active = () => document.getElementById(box.getAttribute('aria-activedescendant') ?? '');
    // None named until the arrows reach the list: the first arrow down names the first result.
    expect(box.getAttribute('aria-activedescendant')).toBeNull();
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    await waitFor(() => expect(active()?.dataset.id).toBe('s1'));
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    await waitFor(() => expect(active()?.dataset.id).toBe('s2'));
    expect(document.activeElement).toBe(box);
    expect(active()?.getAttribute('role')).toBe('option');
    expect(active()?.getAttribute('aria-selected')).toBe('true');
    expect(listbox?.getAttribute('aria-activedescendant')).toBe(active()?.id);
    // The ids are stable: the same item keeps its id.
    const s2 = active()?.id;
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    await waitFor(() => expect(active()?.id).toBe(s2));
    // New words: the box names none again.
    fireEvent.change(box, { target: { value: 'budgets' } });
    await waitFor(() => expect(box.getAttribute('aria-activedescendant')).toBeNull());
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    await waitFor(() => expect(active()?.dataset.id).toBe('s2'));

    // Tab goes to the results, Escape back to the box, Enter opens the highlighted one.
    fireEvent.keyDown(box, { key: 'Tab' });
    expect(document.activeElement).toBe(listbox);
    fireEvent.keyDown(listbox!, { key: 'Escape' });
    expect(document.activeElement).toBe(box);
    fireEvent.keyDown(box, { key: 'Tab' });
    fireEvent.keyDown(listbox!, { key: 'ArrowDown' });
    fireEvent.keyDown(listbox!, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('reader').dataset.id).toBe('s3'));
  });

  it('typing in the header search box switches to the search view', async () => {
    const api = fakeApi({ inbox: vi.fn(inboxOver(items)) });
    await unlocked(api);
    fireEvent.change(screen.getByTestId('search-input'), { target: { value: 'budget' } });
    await waitFor(() => expect(api.search).toHaveBeenCalledWith(expect.objectContaining({ text: 'budget' })));
    expect(screen.getByTestId('nav-search').getAttribute('aria-current')).toBe('page');
  });

  it('opens the item of a clicked notification', async () => {
    let fire: ((e: { id: string }) => void) | undefined;
    const api = fakeApi({
      inbox: vi.fn(inboxOver(items)),
      onOpenItem: vi.fn(async (cb) => {
        fire = cb;
        return () => undefined;
      }),
    });
    await unlocked(api);
    fireEvent.click(screen.getByTestId('nav-settings'));
    act(() => fire?.({ id: 'a3' }));
    await waitFor(() => expect(screen.getByTestId('reader').dataset.id).toBe('a3'));
    expect(api.openItem).toHaveBeenCalledWith('a3');

    // A click while locked opens the item after unlocking, and only once.
    fireEvent.click(screen.getByTestId('lock-button'));
    await waitFor(() => expect(screenName()).toBe('unlock'));
    act(() => fire?.({ id: 'a2' }));
    fireEvent.change(screen.getByTestId('unlock-passphrase'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    await waitFor(() => expect(screen.getByTestId('reader').dataset.id).toBe('a2'));
    fireEvent.click(screen.getByTestId('lock-button'));
    await waitFor(() => expect(screenName()).toBe('unlock'));
    fireEvent.change(screen.getByTestId('unlock-passphrase'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    await waitFor(() => expect(screenName()).toBe('main'));
    expect(screen.queryByTestId('reader')?.dataset.id).toBeUndefined();
  });

  it('opens the draft of a clicked clearance request, after unlocking if need be', async () => {
    let fire: ((e: { id: string }) => void) | undefined;
    const api = fakeApi({
      inbox: vi.fn(inboxOver(items)),
      openDraft: vi.fn(async () => ok(draftDto({ id: 'd7' }))),
      onOpenDraft: vi.fn(async (cb) => {
        fire = cb;
        return () => undefined;
      }),
    });
    await unlocked(api);
    act(() => fire?.({ id: 'd7' }));
    await waitFor(() => expect(screen.getByTestId('draft-editor').dataset.id).toBe('d7'));
    expect(screen.getByTestId('nav-drafts').getAttribute('aria-current')).toBe('page');

    fireEvent.click(screen.getByTestId('lock-button'));
    await waitFor(() => expect(screenName()).toBe('unlock'));
    act(() => fire?.({ id: 'd7' }));
    fireEvent.change(screen.getByTestId('unlock-passphrase'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    await waitFor(() => expect(screen.getByTestId('draft-editor').dataset.id).toBe('d7'));
  });
});

describe('performance marks for the benchmark', () => {
  const marks = (name: string) => performance.getEntriesByName(name, 'mark').length;

  it('marks the unlock screen ready, the submit, the first inbox rows painted, and each search keystroke painted', async () => {
    performance.clearMarks();
    performance.clearMeasures();
    let marksAtUnlock = -1;
    const unlock = vi.fn(async () => {
      marksAtUnlock = marks('unlock:submit');
      return ok(SESSION);
    });
    const search = vi.fn(async (r: { text: string }) => ok({ hits: [{ summary: summary(`id-${r.text}`), snippet: [] }], elapsedMs: 3 }));
    const api = fakeApi({ unlock, search, inbox: vi.fn(inboxOver([summary('a1', { route: 'action' })])) });
    renderWith(<App api={api} />, api);
    await waitFor(() => expect(marks('unlock:ready')).toBeGreaterThan(0));
    expect(document.activeElement).toBe(screen.getByTestId('unlock-passphrase'));
    expect(marks('unlock:submit')).toBe(0);
    fireEvent.change(screen.getByTestId('unlock-passphrase'), { target: { value: 'une phrase de passe' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    await screen.findAllByTestId('item-row');
    await waitFor(() => expect(marks('inbox:painted')).toBe(1));
    expect(marksAtUnlock).toBe(1);

    const box = screen.getByTestId('search-input');
    for (const text of ['b', 'bu', 'bud']) fireEvent.change(box, { target: { value: text } });
    await waitFor(() => expect(performance.getEntriesByName('search:latency', 'measure')).toHaveLength(3));
    await screen.findByText('Objet id-bud');
    // One request (« bud »: shorter words are not searched), split into its parts.
    const measured = (name: string) => performance.getEntriesByName(name, 'measure');
    expect(search).toHaveBeenCalledTimes(1);
    expect(measured('search:request')).toHaveLength(1);
    expect(measured('search:backend')).toHaveLength(1);
    await waitFor(() => expect(measured('search:render')).toHaveLength(1));
    const end = (e: PerformanceEntry | undefined) => (e ? e.startTime + e.duration : NaN);
    const answered = end(measured('search:request')[0]);
    expect(end(measured('search:backend')[0])).toBeCloseTo(answered);
    expect(measured('search:render')[0]?.startTime).toBeCloseTo(answered);

    // Back to the inbox: the first rows after this unlock are marked once only.
    fireEvent.click(screen.getByTestId('nav-inbox'));
    await screen.findAllByTestId('item-row');
    await new Promise((r) => setTimeout(r, 100));
    expect(marks('inbox:painted')).toBe(1);
  });
});

describe('every screen', () => {
  const VIEWS = ['inbox', 'compose', 'drafts', 'search', 'import', 'contacts', 'spaces', 'settings'];

  it('names every control and no element without a role, says each language, and titles the window after the screen', async () => {
    const items = [summary('a1', { route: 'action', precedence: 'flash' }), summary('a2', { route: 'action' })];
    const api = fakeApi({
      inbox: vi.fn(inboxOver(items)),
      openItem: vi.fn(async (id: string) => emailItem(id)),
      drafts: vi.fn(async () => ok([{ id: 'd1', kind: 'telegram' as const, subject: 'Visite', marking: 'np' as const, stage: 'draft' as const, waitingFor: [], updatedAt: '2026-11-28T10:00:00Z' }])),
      openDraft: vi.fn(async () => ok(draftDto({ id: 'd1' }))),
    });
    await unlocked(api);
    fireEvent.click((await screen.findAllByTestId('item-row'))[0]!);
    await screen.findByTestId('reader-subject');
    expect(namedGenericsIn(document.body)).toEqual([]);
    expect(unnamedControls(document.body)).toEqual([]);
    const titles = new Set<string>();
    for (const view of VIEWS) {
      fireEvent.click(screen.getByTestId(`nav-${view}`));
      await waitFor(() => expect(screen.getByTestId(`nav-${view}`).getAttribute('aria-current')).toBe('page'));
      await act(() => new Promise((r) => setTimeout(r, 20)));
      expect([view, namedGenericsIn(document.body)]).toEqual([view, []]);
      // Every field, button and list box has a name: its label tied to it, or ARIA's.
      expect([view, unnamedControls(document.body)]).toEqual([view, []]);
      // The window's title names the screen, then the app.
      expect(document.title).toBe(`${screen.getByTestId(`nav-${view}`).textContent} – Diplomatie`);
      titles.add(document.title);
    }
    expect(titles.size).toBe(VIEWS.length);
    // Each language is named in itself, its language said (« English » in a French page).
    const options = Array.from(document.querySelectorAll<HTMLOptionElement>('[data-testid="settings-language"] option, [data-testid="language-switch"] option'));
    expect(options.length).toBe(4);
    for (const o of options) expect(o.lang).toBe(o.value);
    // The draft editor, with its paragraphs' comments.
    fireEvent.click(screen.getByTestId('nav-drafts'));
    fireEvent.click(await screen.findByTestId('draft-row'));
    await screen.findAllByTestId('draft-paragraph');
    expect(namedGenericsIn(document.body)).toEqual([]);
    expect(unnamedControls(document.body)).toEqual([]);
  });

  it('has one banner, one main navigation and one main region, and a skip link to the main region first', async () => {
    await unlocked(fakeApi({ inbox: vi.fn(inboxOver([summary('a1', { route: 'action' })])) }));
    expect(screen.getAllByRole('banner')).toHaveLength(1);
    expect(screen.getAllByRole('navigation')).toHaveLength(1);
    const main = screen.getByRole('main');
    const skip = document.querySelector<HTMLAnchorElement>('a.skip-link');
    // The first thing Tab reaches.
    const focusable = document.querySelectorAll('a[href], button, input, select, textarea, [tabindex="0"]');
    expect(focusable[0]).toBe(skip);
    expect(skip?.getAttribute('href')).toBe(`#${main.id}`);
    expect(skip?.textContent).toBe('Aller au contenu');
    expect(main.getAttribute('tabindex')).toBe('-1');
  });

  it('names the window after the first screens too', async () => {
    const api = fakeApi({ appStatus: vi.fn(status(false)) });
    renderWith(<App api={api} />, api);
    await waitFor(() => expect(screenName()).toBe('onboarding'));
    await waitFor(() => expect(document.title).toBe('Créer votre profil – Diplomatie'));
    fireEvent.click(screen.getByTestId('onboarding-link'));
    await waitFor(() => expect(document.title).toBe(`${screen.getByRole('heading', { level: 1 }).textContent} – Diplomatie`));
    fireEvent.click(screen.getByTestId('link-back'));
    await waitFor(() => expect(document.title).toBe('Créer votre profil – Diplomatie'));
    cleanupApp();
    const locked = fakeApi();
    renderWith(<App api={locked} />, locked);
    await waitFor(() => expect(screenName()).toBe('unlock'));
    await waitFor(() => expect(document.title).toBe('Déverrouiller – Diplomatie'));
  });
});
