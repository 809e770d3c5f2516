import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useApi, type Api } from '../api';
import type { ComposedDto } from '../bindings';
import { useComposeDrafts } from '../lib/useComposeDrafts';
import { err, fakeApi, ok } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { Compose } from './Compose';

const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });

/** The composer with its drafts, as the shell gives them. */
function Composer({ onComposed }: { onComposed: (composed: ComposedDto) => void }) {
  const drafts = useComposeDrafts(useApi());
  return <Compose drafts={drafts} onComposed={onComposed} />;
}

/** Renders the composer and waits until it has read its drafts. */
async function renderCompose(api: Api, onComposed: (composed: ComposedDto) => void = () => undefined) {
  const rendered = renderWith(<Composer onComposed={onComposed} />, api);
  await screen.findByTestId('compose-kind');
  return rendered;
}

describe('compose', () => {
  it('shows a missing action addressee next to the field and in the summary, and focuses it', async () => {
    const api = fakeApi({ compose: vi.fn(async () => err('no_action_addressee', 'action')) });
    await renderCompose(api);
    type('compose-subject', 'Visite du ministre');
    fireEvent.click(screen.getByTestId('compose-submit'));

    const message = 'Indiquez au moins un destinataire pour action.';
    const summary = await screen.findByTestId('compose-errors');
    expect(summary.getAttribute('role')).toBe('alert');
    expect(summary.textContent).toContain(message);
    expect(summary.textContent).toContain('Destinataires pour action');
    expect(screen.getByTestId('error-action').textContent).toBe(message);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('compose-action-name-0')));
    expect(screen.getByTestId('compose-action-name-0').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('compose-action-name-0').getAttribute('aria-describedby')).toBe(screen.getByTestId('error-action').id);
  });

  it('asks a justification for a Flash and shows the error under it', async () => {
    const api = fakeApi({ compose: vi.fn(async () => err('flash_without_justification', 'justification')) });
    await renderCompose(api);
    expect(screen.queryByTestId('compose-justification')).toBeNull();
    fireEvent.change(screen.getByTestId('compose-precedence'), { target: { value: 'flash' } });
    expect(screen.getByTestId('compose-justification')).toBeTruthy();
    fireEvent.click(screen.getByTestId('compose-submit'));

    const message = 'Un Flash exige une justification.';
    expect((await screen.findByTestId('error-justification')).textContent).toBe(message);
    expect(screen.getByTestId('compose-errors').textContent).toContain(message);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('compose-justification')));
  });

  it('offers no Flash for an email, and shows the refusal under the precedence', async () => {
    const api = fakeApi({ compose: vi.fn(async () => err('flash_email', 'precedence')) });
    await renderCompose(api);
    const options = () => Array.from(screen.getByTestId('compose-precedence').querySelectorAll('option')).map((o) => o.value);
    expect(options()).toContain('flash');
    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'email' } });
    expect(options()).not.toContain('flash');
    expect(options()).toContain('immediat');
    fireEvent.click(screen.getByTestId('compose-submit'));
    const message = 'Un courriel ne peut pas être Flash : envoyez un télégramme, ou choisissez Immédiat.';
    expect((await screen.findByTestId('error-precedence')).textContent).toBe(message);
  });

  it('quotes the detail of an error (the paragraph whose marking is higher)', async () => {
    const api = fakeApi({ compose: vi.fn(async () => err('marking_below_paragraph', 'marking', '2')) });
    await renderCompose(api);
    fireEvent.click(screen.getByTestId('compose-submit'));
    expect((await screen.findByTestId('error-marking')).textContent).toContain('paragraphe 2');
  });

  it('sends every field of a telegram', async () => {
    const compose = vi.fn(async () => ok({ id: 'tg-1', deliveredTo: [], notDelivered: [] }));
    const onComposed = vi.fn();
    await renderCompose(fakeApi({ compose }), onComposed);
    type('compose-origin', 'WASHINGTON');
    type('compose-subject', 'Entretien');
    type('compose-action-name-0', 'DGM/ECO');
    fireEvent.click(screen.getByTestId('compose-add-action'));
    type('compose-action-name-1', 'Jean Dupont');
    fireEvent.change(screen.getByTestId('compose-action-kind-1'), { target: { value: 'person' } });
    type('compose-info-name-0', 'CAB');
    type('compose-summary', 'Résumé.');
    type('compose-paragraph-0', 'Premier.');
    fireEvent.click(screen.getByTestId('compose-add-paragraph'));
    type('compose-paragraph-1', 'Second.');
    fireEvent.change(screen.getByTestId('compose-paragraph-marking-1'), { target: { value: 'dr' } });
    fireEvent.change(screen.getByTestId('compose-marking'), { target: { value: 'dr' } });
    type('compose-tags', 'ECON, US');
    type('compose-references', 'TD PARIS 12');
    type('compose-deadline', '2026-12-01');
    fireEvent.click(screen.getByTestId('compose-submit'));

    await waitFor(() => expect(onComposed).toHaveBeenCalledWith({ id: 'tg-1', deliveredTo: [], notDelivered: [] }));
    expect(compose).toHaveBeenCalledWith(
      expect.objectContaining({
        kind: 'telegram',
        origin: 'WASHINGTON',
        subject: 'Entretien',
        action: [
          { kind: 'unit', name: 'DGM/ECO' },
          { kind: 'person', name: 'Jean Dupont' },
        ],
        info: [{ kind: 'unit', name: 'CAB' }],
        summary: 'Résumé.',
        paragraphs: [
          { marking: 'np', text: 'Premier.' },
          { marking: 'dr', text: 'Second.' },
        ],
        marking: 'dr',
        tags: ['ECON', 'US'],
        references: ['TD PARIS 12'],
        deadline: '2026-12-01',
        precedence: 'routine',
        justification: null,
      }),
    );
  });

  it('keeps the form of each kind in the store, a second after the last change or on request', async () => {
    const api = fakeApi();
    const first = await renderCompose(api);
    expect(api.formDraft).toHaveBeenCalledWith('telegram');
    type('compose-subject', 'Brouillon');
    type('compose-subject', 'Brouillon TD');
    await new Promise((r) => setTimeout(r, 500));
    expect(api.saveFormDraft).not.toHaveBeenCalled();
    await waitFor(() => expect(api.saveFormDraft).toHaveBeenCalledTimes(1), { timeout: 2000 });
    const [kind, json] = vi.mocked(api.saveFormDraft).mock.calls[0]!;
    expect(kind).toBe('telegram');
    expect(JSON.parse(json)).toMatchObject({ subject: 'Brouillon TD' });

    type('compose-summary', 'Résumé.');
    fireEvent.click(screen.getByTestId('compose-save-draft'));
    expect(await screen.findByText('Brouillon enregistré dans le profil chiffré.')).toBeTruthy();
    expect(api.saveFormDraft).toHaveBeenCalledTimes(2);
    expect(JSON.parse(vi.mocked(api.saveFormDraft).mock.calls[1]![1])).toMatchObject({ subject: 'Brouillon TD', summary: 'Résumé.' });
    first.unmount();

    await renderCompose(api);
    expect((screen.getByTestId('compose-subject') as HTMLInputElement).value).toBe('Brouillon TD');
    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'email' } });
    expect((screen.getByTestId('compose-subject') as HTMLInputElement).value).toBe('');
  });

  it('forgets the kept form once the document is filed, or when discarded', async () => {
    const api = fakeApi();
    await renderCompose(api);
    type('compose-subject', 'À classer');
    fireEvent.click(screen.getByTestId('compose-save-draft'));
    await waitFor(() => expect(api.saveFormDraft).toHaveBeenCalledTimes(1));
    fireEvent.click(screen.getByTestId('compose-submit'));
    await waitFor(() => expect(api.discardFormDraft).toHaveBeenCalledWith('telegram'));
    expect((screen.getByTestId('compose-subject') as HTMLInputElement).value).toBe('');
    expect(await api.formDraft('telegram')).toEqual(ok(null));

    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'note' } });
    type('compose-subject', 'Note abandonnée');
    fireEvent.click(screen.getByText('Effacer le brouillon'));
    await waitFor(() => expect(api.discardFormDraft).toHaveBeenCalledWith('note'));
    expect((screen.getByTestId('compose-subject') as HTMLInputElement).value).toBe('');
    // The change dropped by the discard is never written afterwards.
    await new Promise((r) => setTimeout(r, 1200));
    expect(vi.mocked(api.saveFormDraft).mock.calls.filter(([k]) => k === 'note')).toEqual([]);
  });

  it('fills the formulas of a note verbale from the template once both parties are known', async () => {
    const api = fakeApi();
    await renderCompose(api);
    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'note' } });
    expect((screen.getByTestId('compose-date') as HTMLInputElement).value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    type('compose-sending-mission', "L'Ambassade de France");
    type('compose-receiving-institution', 'le Ministère');
    await waitFor(() => expect((screen.getByTestId('compose-opening') as HTMLTextAreaElement).value).toBe("L'Ambassade de France présente ses compliments à le Ministère"));
    expect((screen.getByTestId('compose-closing') as HTMLTextAreaElement).value).toBe("L'Ambassade de France saisit cette occasion");

    // A formula the user wrote is never overwritten by the automatic fill…
    type('compose-opening', 'Ma formule');
    type('compose-receiving-institution', 'le Ministère des Affaires étrangères');
    await new Promise((r) => setTimeout(r, 500));
    expect((screen.getByTestId('compose-opening') as HTMLTextAreaElement).value).toBe('Ma formule');
    // …but the template button replaces it on request.
    fireEvent.click(screen.getByTestId('compose-template'));
    await waitFor(() => expect((screen.getByTestId('compose-opening') as HTMLTextAreaElement).value).toContain('Affaires étrangères'));
  });

  it('shows a missing email text next to the body, under the name the backend gives it', async () => {
    const api = fakeApi({ compose: vi.fn(async () => err('missing', 'paragraphs')) });
    await renderCompose(api);
    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'email' } });
    fireEvent.click(screen.getByTestId('compose-submit'));
    expect((await screen.findByTestId('error-paragraphs')).textContent).toBe('Texte : ce champ est obligatoire.');
    expect(screen.getByTestId('compose-errors').textContent).not.toContain('Paragraphes');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('compose-body')));
    expect(screen.getByTestId('compose-body').getAttribute('aria-describedby')).toBe(screen.getByTestId('error-paragraphs').id);
  });

  it('attaches files chosen in the picker to an email, lets one be removed, and sends their tokens', async () => {
    const compose = vi.fn(async () => ok({ id: 'mail-1', deliveredTo: [], notDelivered: [] }));
    const pickAttachments = vi
      .fn()
      .mockResolvedValueOnce(ok(['k1/ordre-du-jour.pdf', 'k2/annexe.odt']))
      .mockResolvedValueOnce(ok(['k2/annexe.odt', 'k3/note.docx']));
    const api = fakeApi({ compose, pickAttachments });
    await renderCompose(api);
    expect(screen.queryByTestId('compose-attach')).toBeNull();
    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'email' } });
    expect(screen.getByText('Aucune pièce jointe.')).toBeTruthy();
    fireEvent.click(screen.getByTestId('compose-attach'));
    await waitFor(() => expect(screen.getByTestId('compose-attachments').textContent).toContain('ordre-du-jour.pdf'));
    // Picked again, a file already there is not added twice; names are shown without folders.
    fireEvent.click(screen.getByTestId('compose-attach'));
    await waitFor(() => expect(screen.getByTestId('compose-attachments').querySelectorAll('li')).toHaveLength(3));
    expect(screen.getByTestId('compose-attachments').textContent).toContain('note.docx');
    expect(screen.getByTestId('compose-attachments').textContent).not.toContain('k1/');
    fireEvent.click(screen.getByRole('button', { name: 'Retirer annexe.odt' }));
    expect(screen.getByTestId('compose-attachments').querySelectorAll('li')).toHaveLength(2);
    type('compose-to', 'bruno@quai.example');
    type('compose-subject', 'Ordre du jour');
    type('compose-body', 'Ci-joint.');
    fireEvent.click(screen.getByTestId('compose-submit'));
    await waitFor(() => expect(compose).toHaveBeenCalledTimes(1));
    expect(vi.mocked(api.compose).mock.calls[0]![0]).toMatchObject({ kind: 'email', attachments: ['k1/ordre-du-jour.pdf', 'k3/note.docx'] });
  });

  it('shows an unreadable attachment under the attachments, naming the file', async () => {
    const api = fakeApi({ compose: vi.fn(async () => err('attachment_unreadable', 'attachments', 'parti.pdf')), pickAttachments: vi.fn(async () => ok(['k9/parti.pdf'])) });
    await renderCompose(api);
    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'email' } });
    fireEvent.click(screen.getByTestId('compose-attach'));
    await screen.findByTestId('compose-attachments');
    fireEvent.click(screen.getByTestId('compose-submit'));
    expect((await screen.findByTestId('error-attachments')).textContent).toContain('« parti.pdf »');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('compose-attach')));
  });

  it('offers the document language, each named in itself, the interface language first chosen, and sends the one chosen', async () => {
    const compose = vi.fn(async () => ok({ id: 'em-1', deliveredTo: [], notDelivered: [] }));
    await renderCompose(fakeApi({ compose }));
    const select = screen.getByTestId('compose-language') as HTMLSelectElement;
    expect(select.value).toBe('fr');
    expect(screen.getByLabelText('Langue du document')).toBe(select);
    const options = [...select.options].map((o) => [o.value, o.lang, o.textContent]);
    expect(options).toContainEqual(['en', 'en', 'English']);
    expect(options).toContainEqual(['ar', 'ar', 'العربية']);
    expect(options).toContainEqual(['zh', 'zh', '中文']);
    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'email' } });
    type('compose-to', 'bob@quai.example');
    type('compose-subject', 'Minutes');
    fireEvent.change(select, { target: { value: 'en' } });
    fireEvent.click(screen.getByTestId('compose-submit'));
    await waitFor(() => expect(compose).toHaveBeenCalledWith(expect.objectContaining({ kind: 'email', subject: 'Minutes', language: 'en' })));
  });

  it('shows the email fields only for an email, and no justification there', async () => {
    await renderCompose(fakeApi());
    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'email' } });
    for (const id of ['compose-from', 'compose-to', 'compose-cc', 'compose-body']) expect(screen.getByTestId(id)).toBeTruthy();
    expect(screen.queryByTestId('compose-action-name-0')).toBeNull();
    fireEvent.change(screen.getByTestId('compose-precedence'), { target: { value: 'flash' } });
    expect(screen.queryByTestId('compose-justification')).toBeNull();
    const form = screen.getByTestId('compose-kind').closest('form') as HTMLElement;
    expect(within(form).getAllByRole('button').length).toBeGreaterThan(1);
  });

  it('marks the required fields of each kind, visually and with aria-required, and says what the mark means', async () => {
    await renderCompose(fakeApi());
    const legend = screen.getByTestId('compose-required-legend');
    expect(legend.textContent).toBe('Les champs marqués d’un astérisque (*) sont obligatoires.');
    expect(legend.closest('form')?.getAttribute('aria-describedby')).toBe(legend.id);
    /** The test ids of the fields said required, each with the mark in its label or legend. */
    const required = () =>
      Array.from(document.querySelectorAll<HTMLElement>('[aria-required="true"]')).map((el) => {
        const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
        const marked = label?.querySelector('.required-mark') ?? el.closest('fieldset')?.querySelector(':scope > legend .required-mark');
        expect([el.dataset.testid, marked?.getAttribute('aria-hidden')]).toEqual([el.dataset.testid, 'true']);
        return el.dataset.testid;
      });

    expect(required()).toEqual(['compose-subject', 'compose-action-name-0']);
    fireEvent.change(screen.getByTestId('compose-precedence'), { target: { value: 'flash' } });
    expect(required()).toEqual(['compose-subject', 'compose-justification', 'compose-action-name-0']);
    // A field not required carries no mark.
    expect(document.querySelector('label[for="' + screen.getByTestId('compose-origin').id + '"] .required-mark')).toBeNull();

    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'note' } });
    expect(required()).toEqual(['compose-receiving-institution', 'compose-subject', 'compose-paragraph-0']);

    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'email' } });
    expect(required()).toEqual(['compose-to']);
    // To or Cc: with a Cc, To is no longer required, and its hint says why.
    expect(document.getElementById(screen.getByTestId('compose-to').getAttribute('aria-describedby') ?? '')?.textContent).toContain('« Cc »');
    type('compose-cc', 'bob@quai.example');
    expect(required()).toEqual([]);
  });
});
