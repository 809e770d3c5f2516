import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { fakeApi, ok } from '../test/fakeApi';
import { draftDto } from '../test/fakeDraft';
import { renderWith } from '../test/render';
import { Drafts } from './Drafts';

function Harness() {
  const [openId, setOpenId] = useState<string | null>(null);
  return <Drafts me="Alice" openId={openId} onOpen={setOpenId} onOpenItem={() => undefined} />;
}

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

  it('puts the focus on the draft’s title when it opens, and back on its row when leaving it', async () => {
    const summaries = [
      { id: 'd1', kind: 'telegram' as const, subject: 'Visite du ministre', marking: 'dr' as const, stage: 'draft' as const, waitingFor: [], updatedAt: '2026-11-28T10:00:00Z' },
      { id: 'd2', kind: 'note' as const, subject: 'Note au ministère', marking: 'np' as const, stage: 'draft' as const, waitingFor: [], updatedAt: '2026-11-28T09:00:00Z' },
    ];
    const api = fakeApi({ drafts: vi.fn(async () => ok(summaries)), openDraft: vi.fn(async (id: string) => ok(draftDto({ id, fields: { ...draftDto().fields, subject: 'Note au ministère' } }))) });
    renderWith(<Harness />, api);
    const rows = await screen.findAllByTestId('draft-row');
    rows[1]!.focus();
    fireEvent.click(rows[1]!);
    const editor = await screen.findByTestId('draft-editor');
    await waitFor(() => expect(editor.dataset.id).toBe('d2'));
    const title = screen.getByRole('heading', { level: 1 });
    expect(title.textContent).toBe('Note au ministère');
    await waitFor(() => expect(document.activeElement).toBe(title));

    fireEvent.click(screen.getByTestId('draft-back'));
    await waitFor(() => expect((document.activeElement as HTMLElement | null)?.dataset.id).toBe('d2'));
    expect(document.activeElement?.getAttribute('data-testid')).toBe('draft-row');
  });
});
