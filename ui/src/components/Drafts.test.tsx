import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import { fakeApi, ok } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { Drafts } from './Drafts';

describe('drafts list', () => {
  it('shows each draft with its marking, stage and whom it waits for', async () => {
    const drafts = vi.fn(async () =>
      ok([
        { id: 'd1', kind: 'telegram' as const, subject: 'Visite du ministre', marking: 'dr' as const, stage: 'in_clearance' as const, waitingFor: ['Alice'], updatedAt: '2026-11-28T10:00:00Z' },
        { id: 'd2', kind: 'note' as const, subject: 'Note au ministère', marking: 'np' as const, stage: 'draft' as const, waitingFor: ['Bruno'], updatedAt: '2026-11-28T09:00:00Z' },
      ]),
    );
    renderWith(<Drafts me="Alice" openId={null} onOpen={() => undefined} onOpenItem={() => undefined} />, fakeApi({ drafts }));
    const rows = await screen.findAllByTestId('draft-row');
    expect(rows.map((r) => r.getAttribute('data-stage'))).toEqual(['in_clearance', 'draft']);
    const badges = rows.map((r) => r.querySelector('.badge-marking')?.getAttribute('aria-label'));
    expect(badges).toEqual(['Diffusion Restreinte', 'Non protégé']);
    expect(rows[0]?.className).toContain('draft-row-mine');
    expect(rows[1]?.className).not.toContain('draft-row-mine');
  });
});
