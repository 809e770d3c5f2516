import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { err, fakeApi, ok } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { ReleaseSeal } from './ReleaseSeal';

const RELEASE = {
  item: 'item-1',
  number: 'BERLIN 2026-0001',
  provisional: false,
  approver: 'Dora',
  approverKey: 'ab',
  drafter: 'Alice',
  clearers: [],
  releasedAt: '2026-11-28T10:00:00Z',
  signature: 'cd',
};

describe('release seal', () => {
  it('opens a correction of the released text as a new draft', async () => {
    const correctRelease = vi.fn(async () => ok({ id: 'draft-2' }) as never);
    const api = fakeApi({ verifyRelease: vi.fn(async () => ok(RELEASE)), correctRelease });
    const onCorrect = vi.fn();
    renderWith(<ReleaseSeal id="item-1" onCorrect={onCorrect} />, api);
    expect((await screen.findByTestId('reader-release-number')).textContent).toBe('N° BERLIN 2026-0001');
    fireEvent.click(screen.getByTestId('reader-correct'));
    await waitFor(() => expect(onCorrect).toHaveBeenCalledWith('draft-2'));
    expect(correctRelease).toHaveBeenCalledWith('item-1');
  });

  it('says why a correction could not be opened, and offers none without a way to open it', async () => {
    const api = fakeApi({ verifyRelease: vi.fn(async () => ok(RELEASE)), correctRelease: vi.fn(async () => err('not_found')) });
    const { unmount } = renderWith(<ReleaseSeal id="item-1" onCorrect={() => undefined} />, api);
    fireEvent.click(await screen.findByTestId('reader-correct'));
    expect((await screen.findByTestId('reader-correct-error')).textContent).toContain('Le rectificatif n’a pas pu être ouvert');
    unmount();
    renderWith(<ReleaseSeal id="item-1" />, api);
    await screen.findByTestId('reader-release');
    expect(screen.queryByTestId('reader-correct')).toBeNull();
  });
});
