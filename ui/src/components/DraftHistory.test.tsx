import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { DraftDiffDto } from '../bindings';
import { fakeApi, ok } from '../test/fakeApi';
import { draftDto } from '../test/fakeDraft';
import { renderWith } from '../test/render';
import { DraftEditor } from './DraftEditor';

const diff: DraftDiffDto = {
  from: '1 (round 1)',
  to: 'current',
  fields: [],
  paragraphs: [
    {
      id: 'p1',
      change: 'changed',
      markingBefore: 'NP',
      markingAfter: 'NP',
      parts: [
        { tag: 'same', text: 'Le ministre arrive ' },
        { tag: 'removed', text: 'lundi' },
        { tag: 'added', text: 'mardi' },
        { tag: 'same', text: '.' },
      ],
    },
  ],
};

describe('the history of a draft', () => {
  it('compares two versions and shows the words removed and added', async () => {
    const d = draftDto({ stage: 'in_clearance', round: 1, versions: [{ number: 1, label: 'round 1', by: 'Alice', at: '2026-11-28T10:00:00Z' }] });
    const draftDiff = vi.fn(async () => ok(diff));
    renderWith(<DraftEditor id="d1" me="Alice" onBack={() => undefined} onOpenItem={() => undefined} />, fakeApi({ openDraft: vi.fn(async () => ok(d)), draftDiff }));
    expect((await screen.findByTestId('history-version')).textContent).toContain('soumission 1');
    fireEvent.click(screen.getByTestId('history-compare'));
    await waitFor(() => expect(draftDiff).toHaveBeenCalledWith('d1', 1, null));
    const row = await screen.findByTestId('diff-row');
    expect(row.dataset.change).toBe('changed');
    expect(row.querySelector('del')?.textContent).toBe('lundi');
    expect(row.querySelector('ins')?.textContent).toBe('mardi');
    expect(row.textContent).toContain('Paragraphe 1');
  });

  it('shows a reset clearer what changed since their clearance', async () => {
    const d = draftDto({
      stage: 'in_clearance',
      round: 1,
      waitingFor: ['Bob'],
      clearers: [{ name: 'Bob', verdict: 'pending', comment: null, clearedBefore: ['abc'] }],
    });
    const draftChangesSince = vi.fn(async () => ok(diff));
    renderWith(<DraftEditor id="d1" me="Bob" onBack={() => undefined} onOpenItem={() => undefined} />, fakeApi({ openDraft: vi.fn(async () => ok(d)), draftChangesSince }));
    fireEvent.click(await screen.findByTestId('history-since-clearance'));
    await waitFor(() => expect(draftChangesSince).toHaveBeenCalledWith('d1', ['abc']));
    expect((await screen.findByTestId('draft-diff')).textContent).toContain('depuis mon visa');
  });
});
