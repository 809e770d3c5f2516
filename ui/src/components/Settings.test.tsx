import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { err, fakeApi, SESSION } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { Settings } from './Settings';

describe('settings', () => {
  it('saves the language, the lock delay and the notification rules', async () => {
    const api = fakeApi();
    const onSaved = vi.fn();
    renderWith(<Settings settings={SESSION.settings} identity={SESSION.identity} minChars={12} onSaved={onSaved} />, api);
    fireEvent.change(screen.getByTestId('settings-language'), { target: { value: 'en' } });
    fireEvent.change(screen.getByTestId('settings-lock-minutes'), { target: { value: '15' } });
    fireEvent.click(screen.getByTestId('settings-notify-email'));
    fireEvent.click(screen.getByTestId('settings-notify-info'));
    fireEvent.change(screen.getByTestId('settings-notify-min-precedence'), { target: { value: 'flash' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    const expected = {
      language: 'en',
      lockAfterMinutes: 15,
      notify: { enabled: true, telegram: true, note: true, email: true, minPrecedence: 'flash', info: true },
      exchangeDir: '',
      numberRegister: '',
    };
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalledWith(expected));
    expect(onSaved).toHaveBeenCalledWith(expected);
    expect(screen.getByTestId('settings-message').textContent).toBe('Réglages enregistrés.');
  });

  it('changes the passphrase once the new one is long enough and confirmed, and says a wrong old one', async () => {
    const changePassphrase = vi.fn(async (old: string) => (old === 'ancienne phrase' ? { status: 'ok' as const, data: null } : err('wrong_passphrase')));
    renderWith(<Settings settings={SESSION.settings} identity={SESSION.identity} minChars={12} onSaved={() => undefined} />, fakeApi({ changePassphrase }));
    const button = screen.getByTestId('settings-change-passphrase') as HTMLButtonElement;
    fireEvent.change(screen.getByTestId('settings-old-passphrase'), { target: { value: 'mauvaise' } });
    fireEvent.change(screen.getByTestId('settings-new-passphrase'), { target: { value: 'nouvelle phrase longue' } });
    expect(button.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('settings-confirm-passphrase'), { target: { value: 'nouvelle phrase longue' } });
    expect(button.disabled).toBe(false);
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByTestId('settings-message').textContent).toBe('Phrase de passe incorrecte.'));

    fireEvent.change(screen.getByTestId('settings-old-passphrase'), { target: { value: 'ancienne phrase' } });
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByTestId('settings-message').textContent).toBe('Phrase de passe changée.'));
    expect(changePassphrase).toHaveBeenLastCalledWith('ancienne phrase', 'nouvelle phrase longue');
    expect((screen.getByTestId('settings-new-passphrase') as HTMLInputElement).value).toBe('');
  });
  it('joins the drafts exchange folder with its shared passphrase, and says a wrong one', async () => {
    const joinExchange = vi
      .fn()
      .mockResolvedValueOnce(err('exchange_refused'))
      .mockResolvedValueOnce({ status: 'ok' as const, data: { created: false, settings: { ...SESSION.settings, exchangeDir: '/srv/echange' } } });
    const onSaved = vi.fn();
    renderWith(<Settings settings={SESSION.settings} identity={SESSION.identity} minChars={12} onSaved={onSaved} />, fakeApi({ joinExchange }));
    const join = screen.getByTestId('settings-exchange-join') as HTMLButtonElement;
    expect(join.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('settings-exchange-dir'), { target: { value: '/srv/echange' } });
    fireEvent.change(screen.getByTestId('settings-exchange-passphrase'), { target: { value: 'pas la bonne' } });
    fireEvent.click(join);
    await waitFor(() => expect(screen.getByTestId('settings-message').textContent).toContain('refuse cette phrase de passe'));
    expect((screen.getByTestId('settings-exchange-passphrase') as HTMLInputElement).value).toBe('');
    fireEvent.change(screen.getByTestId('settings-exchange-passphrase'), { target: { value: 'la phrase du poste' } });
    fireEvent.click(join);
    await waitFor(() => expect(screen.getByTestId('settings-message').textContent).toBe('Dossier d’échange rejoint.'));
    expect(joinExchange).toHaveBeenLastCalledWith('/srv/echange', 'la phrase du poste');
    expect(onSaved).toHaveBeenCalledWith(expect.objectContaining({ exchangeDir: '/srv/echange' }));
  });

  it('turns the single-key shortcuts off and remaps them, refusing a key used twice at its field', async () => {
    const onShortcuts = vi.fn();
    renderWith(<Settings settings={SESSION.settings} identity={SESSION.identity} minChars={12} onSaved={() => undefined} onShortcuts={onShortcuts} />, fakeApi());
    const compose = screen.getByTestId('settings-shortcut-compose') as HTMLInputElement;
    expect(compose.value).toBe('c');
    fireEvent.change(compose, { target: { value: 'j' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(screen.getByTestId('settings-message').textContent).toBe('Corrigez les touches des raccourcis signalées.'));
    expect(compose.getAttribute('aria-invalid')).toBe('true');
    const error = screen.getByTestId('settings-shortcut-compose-error');
    expect(compose.getAttribute('aria-describedby')).toBe(error.id);
    expect(error.textContent).toBe('Cette touche sert déjà à un autre raccourci.');
    expect(document.activeElement).toBe(screen.getByTestId('settings-shortcut-next'));
    expect(onShortcuts).not.toHaveBeenCalled();
    expect(localStorage.getItem('diplomatie.shortcuts')).toBeNull();

    fireEvent.change(compose, { target: { value: 'r' } });
    fireEvent.click(screen.getByTestId('settings-shortcuts-enabled'));
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(screen.getByTestId('settings-message').textContent).toBe('Réglages enregistrés.'));
    expect(onShortcuts).toHaveBeenCalledWith(expect.objectContaining({ enabled: false, keys: expect.objectContaining({ compose: 'r', next: 'j' }) }));
    expect(JSON.parse(localStorage.getItem('diplomatie.shortcuts') ?? '{}')).toMatchObject({ enabled: false, keys: { compose: 'r' } });
    expect(screen.queryByTestId('settings-shortcut-compose-error')).toBeNull();

    fireEvent.click(screen.getByTestId('settings-shortcuts-reset'));
    expect(compose.value).toBe('c');
  });

  it('ties its error messages to their fields: the confirmation that differs, the minutes that are not a number', async () => {
    renderWith(<Settings settings={SESSION.settings} identity={SESSION.identity} minChars={12} onSaved={() => undefined} />, fakeApi());
    const confirm = screen.getByTestId('settings-confirm-passphrase');
    const match = screen.getByTestId('settings-confirm-mismatch');
    expect(confirm.getAttribute('aria-describedby')).toBe(match.id);
    expect(match.getAttribute('aria-live')).toBe('polite');
    fireEvent.change(screen.getByTestId('settings-new-passphrase'), { target: { value: 'nouvelle phrase longue' } });
    fireEvent.change(confirm, { target: { value: 'autre' } });
    expect(match.textContent).toBe('Les deux phrases de passe ne sont pas identiques.');
    expect(confirm.getAttribute('aria-invalid')).toBe('true');

    const minutes = screen.getByTestId('settings-lock-minutes');
    fireEvent.change(minutes, { target: { value: '2.5' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(minutes.getAttribute('aria-invalid')).toBe('true'));
    const message = screen.getByTestId('settings-message');
    expect(minutes.getAttribute('aria-describedby')?.split(' ')).toContain(message.id);
    expect(message.textContent).toBe('Indiquez un nombre entier de minutes, 0 ou plus.');
    expect(document.activeElement).toBe(minutes);
  });
});
