import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import type { Result } from '../api';
import type { LinkCaughtUpDto, SessionDto_Serialize, SyncStatusEvent_Serialize } from '../bindings';
import { err, fakeApi, LINK_CODE, LINK_WORDS, ok, SESSION, syncStatus } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { Onboarding } from './Onboarding';

const PASSPHRASE = 'Rivière lente sous 3 ponts !';

function deferred<T>() {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The first screen, switched to linking this device. */
function openLinking(overrides: Parameters<typeof fakeApi>[0] = {}) {
  const api = fakeApi(overrides);
  const onCreated = vi.fn();
  renderWith(<Onboarding minChars={12} onCreated={onCreated} onLanguage={() => undefined} />, api);
  fireEvent.click(screen.getByTestId('onboarding-link'));
  return { api, onCreated };
}

function fill(code = ` ${LINK_CODE.line} `, label = ' Portable ', passphrase = PASSPHRASE) {
  fireEvent.change(screen.getByTestId('link-code'), { target: { value: code } });
  fireEvent.change(screen.getByTestId('link-label'), { target: { value: label } });
  fireEvent.change(screen.getByTestId('link-passphrase'), { target: { value: passphrase } });
  fireEvent.change(screen.getByTestId('link-passphrase-confirm'), { target: { value: passphrase } });
}

describe('linking this device to an existing one', () => {
  it('asks for the code, a name and the passphrase twice, each marked required', () => {
    openLinking();
    expect(document.activeElement?.textContent).toBe('Lier cet appareil à un appareil existant');
    for (const field of ['link-code', 'link-label', 'link-passphrase', 'link-passphrase-confirm']) {
      const input = screen.getByTestId(field);
      expect(input.getAttribute('aria-required')).toBe('true');
      const label = document.querySelector(`label[for="${input.id}"]`);
      expect(label?.querySelector('.required-mark')?.getAttribute('aria-hidden')).toBe('true');
    }
    expect(screen.getByText('Les champs marqués d’un astérisque (*) sont obligatoires.')).toBeTruthy();
    expect(screen.getByTestId('link-passphrase-strength')).toBeTruthy();
    const submit = screen.getByTestId('link-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    fill(LINK_CODE.line, 'Portable', 'trop court');
    expect(submit.disabled).toBe(true);
    fill();
    fireEvent.change(screen.getByTestId('link-passphrase-confirm'), { target: { value: 'autre chose encore' } });
    expect(submit.disabled).toBe(true);
    expect(screen.getByText('Les deux phrases de passe ne sont pas identiques.')).toBeTruthy();
    fireEvent.change(screen.getByTestId('link-passphrase-confirm'), { target: { value: PASSPHRASE } });
    expect(submit.disabled).toBe(false);
  });

  it('shows the words, waits for the other device, then the catch-up with its progress bar, and opens the app', async () => {
    const made = deferred<Result<SessionDto_Serialize>>();
    const caught = deferred<Result<LinkCaughtUpDto>>();
    let status: (e: SyncStatusEvent_Serialize) => void = () => undefined;
    const { api, onCreated } = openLinking({
      finishLink: vi.fn(() => made.promise),
      linkCatchUp: vi.fn(() => caught.promise),
      onSyncStatus: vi.fn(async (cb: (e: SyncStatusEvent_Serialize) => void) => {
        status = cb;
        return () => undefined;
      }),
    });
    fill();
    fireEvent.click(screen.getByTestId('link-submit'));
    await screen.findByTestId('link-words');
    expect(api.startLink).toHaveBeenCalledWith(LINK_CODE.line, 'Portable');
    expect(screen.getAllByTestId('link-word').map((w) => w.textContent)).toEqual(LINK_WORDS.words);
    expect(document.activeElement?.textContent).toBe('Comparez les mots');
    expect(screen.getByTestId('link-join-status').textContent).toBe('L’autre appareil a répondu : comparez les mots.');

    fireEvent.click(screen.getByTestId('link-words-match'));
    expect(api.finishLink).toHaveBeenCalledWith(PASSPHRASE);
    expect(screen.getByTestId('link-join-status').textContent).toBe('En attente de la confirmation sur l’autre appareil…');
    expect(screen.queryByTestId('link-words-match')).toBeNull();
    expect(screen.getByTestId('link-cancel')).toBeTruthy();

    await act(async () => made.resolve(ok(SESSION)));
    expect(api.linkCatchUp).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('link-join-status').textContent).toBe('Cet appareil est lié. Réception de votre historique…');
    expect(screen.getByTestId('link-catch-up-progress').hasAttribute('value')).toBe(false);
    act(() => status({ status: syncStatus({ syncing: true, progress: { space: 'Alice Martin', done: 10, total: 40 } }) }));
    const bar = screen.getByTestId('link-catch-up-progress');
    expect([bar.getAttribute('max'), bar.getAttribute('value')]).toEqual(['40', '10']);
    expect(screen.getByText('Rattrapage de « Alice Martin » : 10 sur 40')).toBeTruthy();
    expect(onCreated).not.toHaveBeenCalled();

    await act(async () => caught.resolve(ok({ spaces: 1, items: 40 })));
    expect(screen.getByTestId('link-join-status').textContent).toBe('Cet appareil est lié à votre identité. Espaces : 1 ; éléments reçus : 40.');
    expect(screen.getByTestId('link-catch-up-progress').getAttribute('value')).toBe('40');
    expect(document.activeElement).toBe(screen.getByTestId('link-open'));
    fireEvent.click(screen.getByTestId('link-open'));
    expect(onCreated).toHaveBeenCalledWith(SESSION);
    expect(api.createProfile).not.toHaveBeenCalled();
  });

  it('makes nothing when the words differ, and asks for a new code', async () => {
    const { api } = openLinking();
    fill();
    fireEvent.click(screen.getByTestId('link-submit'));
    fireEvent.click(await screen.findByTestId('link-words-differ'));
    expect(api.cancelLink).toHaveBeenCalled();
    expect(api.finishLink).not.toHaveBeenCalled();
    expect(screen.getByTestId('link-join-status').textContent).toContain('Rien n’a été créé.');
    expect((screen.getByTestId('link-code') as HTMLTextAreaElement).value).toBe('');
    expect((screen.getByTestId('link-label') as HTMLInputElement).value).toBe(' Portable ');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('link-code')));
  });

  it('points at the field at fault: a code that is not one, a name too long', async () => {
    const startLink = vi.fn().mockResolvedValueOnce(err('invalid_link_code', 'linkCode')).mockResolvedValueOnce(err('invalid_value', 'linkLabel', '60'));
    openLinking({ startLink });
    fill('DIPLOMATIE:ALICE');
    fireEvent.click(screen.getByTestId('link-submit'));
    const codeError = await screen.findByTestId('error-linkCode');
    expect(codeError.textContent).toContain('Ce n’est pas un code de liaison');
    expect(screen.getByTestId('link-code').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('link-code').getAttribute('aria-describedby')).toContain(codeError.id);
    expect(document.activeElement).toBe(screen.getByTestId('link-code'));

    fill(LINK_CODE.line, 'x'.repeat(70));
    fireEvent.click(screen.getByTestId('link-submit'));
    const labelError = await screen.findByTestId('error-linkLabel');
    expect(labelError.textContent).toBe('Nommez cet appareil en quelques mots : 60 caractères au plus.');
    expect(document.activeElement).toBe(screen.getByTestId('link-label'));
    expect(screen.queryByTestId('error-linkCode')).toBeNull();
  });

  it('says a confirmation that never came, and the form is back', async () => {
    openLinking({ finishLink: vi.fn(async () => err('link_timeout', null, '10')) });
    fill();
    fireEvent.click(screen.getByTestId('link-submit'));
    fireEvent.click(await screen.findByTestId('link-words-match'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('L’autre appareil n’a pas répondu en 10 minutes : recommencez la liaison.');
    expect(screen.getByTestId('link-join').getAttribute('data-step')).toBe('form');
  });

  it('cancels while waiting for the other device: nothing made', async () => {
    const { api } = openLinking({ finishLink: vi.fn(() => new Promise<never>(() => undefined)) });
    fill();
    fireEvent.click(screen.getByTestId('link-submit'));
    fireEvent.click(await screen.findByTestId('link-words-match'));
    fireEvent.click(screen.getByTestId('link-cancel'));
    expect(api.cancelLink).toHaveBeenCalled();
    expect(screen.getByTestId('link-join-status').textContent).toBe('Liaison annulée : rien n’a été créé.');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('link-code')));
  });

  it('opens the app even when the history has not arrived yet', async () => {
    const { onCreated } = openLinking({ linkCatchUp: vi.fn(async () => err('link_timeout', null, '5')) });
    fill();
    fireEvent.click(screen.getByTestId('link-submit'));
    fireEvent.click(await screen.findByTestId('link-words-match'));
    const error = await screen.findByTestId('link-join-error');
    expect(error.textContent).toContain('5 minutes');
    expect(screen.getByTestId('link-join-status').textContent).toContain('il arrivera aux prochaines synchronisations');
    expect(document.activeElement).toBe(screen.getByTestId('link-open'));
    fireEvent.click(screen.getByTestId('link-open'));
    expect(onCreated).toHaveBeenCalledWith(SESSION);
  });

  it('goes back to creating a profile, the link cancelled', async () => {
    const { api } = openLinking({ startLink: vi.fn(() => new Promise<never>(() => undefined)) });
    fill();
    fireEvent.click(screen.getByTestId('link-submit'));
    expect(screen.getByTestId('link-join-status').textContent).toBe('Connexion à l’autre appareil…');
    fireEvent.click(screen.getByTestId('link-back'));
    expect(api.cancelLink).toHaveBeenCalled();
    expect(screen.getByTestId('onboarding-submit')).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('onboarding-link')));
  });
});
