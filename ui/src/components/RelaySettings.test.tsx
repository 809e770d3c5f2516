import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { err, fakeApi, ok, syncStatus } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { RelaySettings } from './RelaySettings';

function fill(url: string, token: string) {
  fireEvent.change(screen.getByTestId('settings-relay-url'), { target: { value: url } });
  fireEvent.change(screen.getByTestId('settings-relay-token'), { target: { value: token } });
  fireEvent.click(screen.getByTestId('settings-relay-join'));
}

describe('the network settings', () => {
  it('joins a relay with its address and a one-time token, then shows it joined', async () => {
    const joinRelay = vi.fn(async (url: string) => ok(syncStatus({ relay: url.replace(/\/$/, ''), lastSync: null })));
    renderWith(<RelaySettings />, fakeApi({ joinRelay }));
    expect((await screen.findByTestId('settings-relay-joined')).textContent).toBe('Aucun relais : tout reste sur ce poste.');
    expect((screen.getByTestId('settings-relay-join') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('settings-relay-token').getAttribute('type')).toBe('password');
    fill(' https://relais.example/ ', ' 0a1b2c ');
    await waitFor(() => expect(screen.getByTestId('settings-relay-outcome').textContent).toBe('Cet appareil est inscrit auprès du relais https://relais.example.'));
    expect(joinRelay).toHaveBeenCalledWith('https://relais.example/', '0a1b2c');
    expect(screen.getByTestId('settings-relay-joined').textContent).toBe('Relais rejoint : https://relais.example');
    expect((screen.getByTestId('settings-relay-token') as HTMLInputElement).value).toBe('');
  });

  it('points each refusal at its field: a bad address, a relay out of reach, a token refused', async () => {
    const joinRelay = vi
      .fn()
      .mockResolvedValueOnce(err('invalid_relay_address', 'relayUrl', 'relais.example'))
      .mockResolvedValueOnce(err('relay_unreachable', 'relayUrl', 'http://127.0.0.1:9'))
      .mockResolvedValueOnce(err('relay_refused', 'relayToken'));
    renderWith(<RelaySettings />, fakeApi({ joinRelay }));
    await screen.findByTestId('settings-relay-joined');

    fill('relais.example', 'jeton');
    const bad = await screen.findByTestId('settings-relay-error');
    expect(bad.getAttribute('data-field')).toBe('relayUrl');
    expect(bad.textContent).toContain('« relais.example » n’est pas l’adresse d’un relais');
    expect(screen.getByTestId('settings-relay-url').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('settings-relay-url').getAttribute('aria-describedby')).toContain(bad.id);

    fill('http://127.0.0.1:9', 'jeton');
    await waitFor(() => expect(screen.getByTestId('settings-relay-error').textContent).toContain('Le relais http://127.0.0.1:9 est injoignable'));

    fill('http://127.0.0.1:9', 'jeton');
    await waitFor(() => expect(screen.getByTestId('settings-relay-error').getAttribute('data-field')).toBe('relayToken'));
    expect(screen.getByTestId('settings-relay-error').textContent).toContain('Le relais refuse ce jeton : demandez-en un nouveau');
    expect(screen.getByTestId('settings-relay-token').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('settings-relay-url').getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByTestId('settings-relay-joined').textContent).toBe('Aucun relais : tout reste sur ce poste.');
  });

  it('marks the address and the token required, and says what the mark means', async () => {
    renderWith(<RelaySettings />, fakeApi());
    for (const testId of ['settings-relay-url', 'settings-relay-token']) {
      const input = await screen.findByTestId(testId);
      expect(input.getAttribute('aria-required')).toBe('true');
      expect(document.querySelector(`label[for="${input.id}"] .required-mark`)?.getAttribute('aria-hidden')).toBe('true');
    }
    expect(screen.getByTestId('settings-relay').textContent).toContain('Les champs marqués d’un astérisque (*) sont obligatoires.');
  });
});
