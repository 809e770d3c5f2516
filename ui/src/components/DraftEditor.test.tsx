import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { DraftDto_Serialize, DraftEditDto } from '../bindings';
import { err, fakeApi, ok } from '../test/fakeApi';
import { allowed, draftDto, finalActions, refused } from '../test/fakeDraft';
import { renderWith } from '../test/render';
import { DraftEditor } from './DraftEditor';

function typeAtEnd(el: HTMLTextAreaElement, text: string) {
  for (const ch of text) fireEvent.change(el, { target: { value: el.value + ch } });
}

describe('the collaborative editor', () => {
  it('sends the typing of a pause as one edit, not one per keystroke', async () => {
    let current = draftDto();
    const editDraft = vi.fn(async (_id: string, _heads: string[], edits: DraftEditDto[]) => {
      const e = edits[0];
      if (e?.op === 'splice_paragraph') {
        const p = current.paragraphs[e.index] as DraftDto_Serialize['paragraphs'][number];
        const text = p.text.slice(0, e.pos) + e.insert + p.text.slice(e.pos + e.delete);
        current = { ...current, heads: ['h2'], paragraphs: current.paragraphs.map((x, i) => (i === e.index ? { ...x, text } : x)) };
      }
      return ok(current);
    });
    const api = fakeApi({ openDraft: vi.fn(async () => ok(current)), editDraft });
    renderWith(<DraftEditor id="d1" me="Alice" onBack={() => undefined} onOpenItem={() => undefined} />, api);
    const [first] = (await screen.findAllByTestId('draft-paragraph-text')) as HTMLTextAreaElement[];
    typeAtEnd(first as HTMLTextAreaElement, ' Il verra');
    expect(editDraft).not.toHaveBeenCalled();
    expect(screen.getByTestId('draft-sync').dataset.state).toBe('pending');
    await waitFor(() => expect(editDraft).toHaveBeenCalledTimes(1));
    expect(editDraft).toHaveBeenCalledWith('d1', [], [{ op: 'splice_paragraph', index: 0, pos: 25, delete: 0, insert: ' Il verra' }]);
    await waitFor(() => expect(screen.getByTestId('draft-sync').dataset.state).toBe('saved'));
  });

  it('sends a batch refused as stale again, over the other replica’s newer text', async () => {
    const bob = draftDto({ heads: ['h2'] });
    bob.paragraphs = [{ id: 'p1', marking: 'np', text: 'Selon Bob, Le ministre arrive lundi.', editedBy: ['Bob'] }, ...bob.paragraphs.slice(1)];
    const openDraft = vi.fn().mockResolvedValueOnce(ok(draftDto({ heads: ['h1'] }))).mockResolvedValue(ok(bob));
    const editDraft = vi.fn().mockResolvedValueOnce(err('stale_draft')).mockResolvedValue(ok(bob));
    const api = fakeApi({ openDraft, editDraft });
    renderWith(<DraftEditor id="d1" me="Alice" onBack={() => undefined} onOpenItem={() => undefined} />, api);
    const [first] = (await screen.findAllByTestId('draft-paragraph-text')) as HTMLTextAreaElement[];
    typeAtEnd(first as HTMLTextAreaElement, '!');
    await waitFor(() => expect(editDraft).toHaveBeenCalledTimes(2));
    expect(editDraft.mock.calls[0]).toEqual(['d1', ['h1'], [{ op: 'splice_paragraph', index: 0, pos: 25, delete: 0, insert: '!' }]]);
    expect(editDraft.mock.calls[1]).toEqual(['d1', ['h2'], [{ op: 'splice_paragraph', index: 0, pos: 36, delete: 0, insert: '!' }]]);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('enables only the steps the user may take, and says why for the others', async () => {
    const d = draftDto({
      stage: 'in_clearance',
      round: 1,
      waitingFor: ['Bob'],
      actions: { submit: refused('notDrafter', 'Alice'), clear: allowed, reject: allowed, approve: refused('notApprover', 'Dan'), release: refused('notApprover', 'Dan'), withdraw: refused('notDrafterOrApprover') },
    });
    renderWith(<DraftEditor id="d1" me="Bob" onBack={() => undefined} onOpenItem={() => undefined} />, fakeApi({ openDraft: vi.fn(async () => ok(d)) }));
    const clear = await screen.findByTestId('clearance-clear');
    expect(clear.getAttribute('aria-disabled')).toBe('false');
    expect(screen.getByTestId('clearance-approve').getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByTestId('clearance-why-approve').textContent).toBe('Réservé au signataire (Dan).');
    expect(screen.getByTestId('clearance-why-reject').textContent).toBe('Écrivez d’abord ce qu’il faut changer.');
    expect(screen.getByTestId('clearance-waiting').textContent).toBe('C’est à vous d’agir.');
  });

  it('shows the reasons the backend gives, computing none itself', async () => {
    // Alice drafts, nothing conflicts, an approver is named: only the backend's answer can
    // make the panel refuse the submission, and say why.
    const d = draftDto({ actions: { ...draftDto().actions, submit: refused('conflicts'), withdraw: refused('notYourTurn', 'Carol') } });
    renderWith(<DraftEditor id="d1" me="Alice" onBack={() => undefined} onOpenItem={() => undefined} />, fakeApi({ openDraft: vi.fn(async () => ok(d)) }));
    const submit = await screen.findByTestId('clearance-submit');
    expect(submit.getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByTestId('clearance-why-submit').textContent).toBe('Départagez d’abord les valeurs concurrentes.');
    fireEvent.change(screen.getByTestId('clearance-comment'), { target: { value: 'Caduc.' } });
    expect(screen.getByTestId('clearance-withdraw').getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByTestId('clearance-why-withdraw').textContent).toBe('Circuit successif : Carol vise d’abord.');
  });

  it('enables what the backend allows, and only that', async () => {
    const draftStep = vi.fn(async () => ok(draftDto()));
    // Eve is in no circuit: were the panel judging by itself, it would refuse her.
    const d = draftDto({ stage: 'ready_for_approval', round: 1, actions: { ...draftDto().actions, submit: refused('stage'), approve: allowed } });
    renderWith(<DraftEditor id="d1" me="Eve" onBack={() => undefined} onOpenItem={() => undefined} />, fakeApi({ openDraft: vi.fn(async () => ok(d)), draftStep }));
    const approve = await screen.findByTestId('clearance-approve');
    expect(approve.getAttribute('aria-disabled')).toBe('false');
    expect(screen.queryByTestId('clearance-why-approve')).toBeNull();
    fireEvent.click(approve);
    await waitFor(() => expect(draftStep).toHaveBeenCalledWith('d1', { step: 'approve' }));
  });

  it('is read-only, or warns that an edit resets clearances, as the backend says', async () => {
    const readOnly = draftDto({ mayEdit: false });
    const first = renderWith(<DraftEditor id="d1" me="Alice" onBack={() => undefined} onOpenItem={() => undefined} />, fakeApi({ openDraft: vi.fn(async () => ok(readOnly)) }));
    expect((await screen.findByTestId('draft-readonly')).textContent).toBe('Vous ne figurez pas dans le circuit de ce projet : lecture seule.');
    first.unmount();
    const resets = draftDto({ editResetsClearances: true });
    renderWith(<DraftEditor id="d1" me="Alice" onBack={() => undefined} onOpenItem={() => undefined} />, fakeApi({ openDraft: vi.fn(async () => ok(resets)) }));
    await screen.findByTestId('draft-editor');
    expect(await screen.findByText('Attention : modifier le texte maintenant annule les visas déjà donnés.')).toBeTruthy();
  });

  it('declares the language its text shows on the text fields, and none when it is unknown', async () => {
    const english = draftDto({ language: 'en', fields: { ...draftDto().fields, subject: 'Visit', summary: 'The minister arrives on Monday.' } });
    const first = renderWith(<DraftEditor id="d1" me="Alice" onBack={() => undefined} onOpenItem={() => undefined} />, fakeApi({ openDraft: vi.fn(async () => ok(english)) }));
    const texts = (await screen.findAllByTestId('draft-paragraph-text')).map((p) => p.getAttribute('lang'));
    expect(texts).toEqual(['en', 'en']);
    expect(screen.getByTestId('draft-field-subject').getAttribute('lang')).toBe('en');
    expect(screen.getByTestId('draft-field-summary').getAttribute('lang')).toBe('en');
    expect(screen.getByRole('heading', { level: 1 }).getAttribute('lang')).toBe('en');
    // A register (the post, the marking) and the editor's own words keep the interface's.
    expect(screen.getByTestId('draft-field-origin').getAttribute('lang')).toBeNull();
    expect(screen.getByTestId('draft-editor').getAttribute('lang')).toBeNull();
    first.unmount();
    renderWith(<DraftEditor id="d1" me="Alice" onBack={() => undefined} onOpenItem={() => undefined} />, fakeApi({ openDraft: vi.fn(async () => ok(draftDto())) }));
    await screen.findAllByTestId('draft-paragraph-text');
    expect(screen.getByTestId('draft-editor').querySelector('textarea[lang], input[lang], h1[lang]')).toBeNull();
  });

  it('says clearly when a release number is provisional', async () => {
    const d = draftDto({ stage: 'released', round: 1, actions: finalActions, mayEdit: false, release: { item: 'i1', number: 'BERLIN 2026-PA1B2C-1', provisional: true, approver: 'Dan', signature: 'ab' } });
    renderWith(<DraftEditor id="d1" me="Dan" onBack={() => undefined} onOpenItem={() => undefined} />, fakeApi({ openDraft: vi.fn(async () => ok(d)) }));
    const result = await screen.findByTestId('clearance-release-result');
    expect(result.dataset.provisional).toBe('true');
    expect(result.textContent).toContain('Numéro provisoire');
    expect(screen.getByTestId('clearance-release-number').textContent).toBe('BERLIN 2026-PA1B2C-1');
    expect(screen.getByTestId('draft-readonly').textContent).toContain('clos');
  });
});
