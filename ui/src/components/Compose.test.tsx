import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useApi, type Api, type Result } from '../api';
import type { ComposeDto_Deserialize, ComposedDto } from '../bindings';
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
    const api = fakeApi({ checkCompose: vi.fn(async () => err('no_action_addressee', 'action')) });
    await renderCompose(api);
    type('compose-subject', 'Visite du ministre');
    fireEvent.click(screen.getByTestId('compose-submit'));

    const message = 'Indiquez au moins un destinataire pour action.';
    const summary = await screen.findByTestId('compose-errors');
    expect(summary.getAttribute('role')).toBe('alert');
    expect(summary.textContent).toContain(message);
    expect(summary.textContent).toContain('Destinataires pour action');
    expect(screen.getByTestId('error-action').textContent).toBe(message);
    // Refused by the check: no review, nothing sent.
    expect(screen.queryByTestId('compose-review')).toBeNull();
    expect(api.compose).not.toHaveBeenCalled();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('compose-action-name-0')));
    expect(screen.getByTestId('compose-action-name-0').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('compose-action-name-0').getAttribute('aria-describedby')).toBe(screen.getByTestId('error-action').id);
  });

  it('asks a justification for a Flash and shows the error under it', async () => {
    const api = fakeApi({ checkCompose: vi.fn(async () => err('flash_without_justification', 'justification')) });
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
    const api = fakeApi({ checkCompose: vi.fn(async () => err('flash_email', 'precedence')) });
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
    const api = fakeApi({ checkCompose: vi.fn(async () => err('marking_below_paragraph', 'marking', '2')) });
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
    fireEvent.click(await screen.findByTestId('compose-confirm'));

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
    fireEvent.click(await screen.findByTestId('compose-confirm'));
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
    const api = fakeApi({ checkCompose: vi.fn(async () => err('missing', 'paragraphs')) });
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
    expect((await screen.findByTestId('compose-review-attachments')).textContent).toBe('2 : ordre-du-jour.pdf, note.docx');
    fireEvent.click(screen.getByTestId('compose-confirm'));
    await waitFor(() => expect(compose).toHaveBeenCalledTimes(1));
    expect(vi.mocked(api.compose).mock.calls[0]![0]).toMatchObject({ kind: 'email', attachments: ['k1/ordre-du-jour.pdf', 'k3/note.docx'] });
  });

  it('shows an unreadable attachment under the attachments, naming the file', async () => {
    const api = fakeApi({ checkCompose: vi.fn(async () => err('attachment_unreadable', 'attachments', 'parti.pdf')), pickAttachments: vi.fn(async () => ok(['k9/parti.pdf'])) });
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
    fireEvent.click(await screen.findByTestId('compose-confirm'));
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

describe('compose: the review before sending (RGAA 11.12)', () => {
  /** A telegram filled in, ready for « Envoyer ». */
  function fillTelegram() {
    type('compose-subject', 'Visite du ministre');
    type('compose-action-name-0', 'DGM/ECO');
    fireEvent.click(screen.getByTestId('compose-add-action'));
    type('compose-action-name-1', 'Jean Dupont');
    fireEvent.change(screen.getByTestId('compose-action-kind-1'), { target: { value: 'person' } });
    type('compose-info-name-0', 'CAB');
    fireEvent.change(screen.getByTestId('compose-precedence'), { target: { value: 'flash' } });
    type('compose-justification', 'Arrivée demain.');
    fireEvent.change(screen.getByTestId('compose-marking'), { target: { value: 'dr' } });
    type('compose-deadline', '2026-12-01');
    type('compose-summary', 'Le ministre arrive.');
    type('compose-paragraph-0', 'Premier.');
    fireEvent.click(screen.getByTestId('compose-add-paragraph'));
    type('compose-paragraph-1', 'Second.');
    fireEvent.change(screen.getByTestId('compose-paragraph-marking-1'), { target: { value: 'dr' } });
    type('compose-tags', 'ECON, US');
  }

  const review = (testId: string) => screen.getByTestId(`compose-review-${testId}`).textContent;

  it('sends nothing on Envoyer: shows what will be sent and where it goes, the focus on its heading', async () => {
    const checkCompose = vi.fn(async () => ok({ sender: 'PARIS', deliveredTo: ['Jean Dupont'], notDelivered: [{ addressee: 'DGM/ECO', reason: 'unit' }] }));
    const api = fakeApi({ checkCompose });
    await renderCompose(api);
    fillTelegram();
    fireEvent.change(screen.getByTestId('compose-language'), { target: { value: 'en' } });
    fireEvent.click(screen.getByTestId('compose-submit'));

    const heading = await screen.findByTestId('compose-review-heading');
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(heading.tagName).toBe('H2');
    expect(heading.textContent).toBe('Vérifier avant l’envoi');
    // A region of the page named by its heading, in place of the form (not a dialog).
    expect(screen.getByRole('region', { name: 'Vérifier avant l’envoi' })).toBe(screen.getByTestId('compose-review'));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((screen.getByTestId('compose-submit').closest('form') as HTMLFormElement).hidden).toBe(true);
    expect(checkCompose).toHaveBeenCalledTimes(1);
    expect(api.compose).not.toHaveBeenCalled();

    expect(review('kind')).toBe('Télégramme diplomatique');
    // The originating post as the backend files it (the profile's when left blank).
    expect(review('sender')).toBe('PARIS');
    expect(review('action')).toContain('DGM/ECO service');
    expect(review('action')).toContain('Jean Dupont personne');
    expect(review('info')).toContain('CAB');
    expect(review('subject')).toBe('Visite du ministre');
    // The document's language, named in itself; its own words declared in it (RGAA 8.7).
    expect(review('language')).toBe('English');
    expect(screen.getByTestId('compose-review-language').querySelector('[lang="en"]')).toBeTruthy();
    expect(screen.getByTestId('compose-review-subject').querySelector('[lang="en"]')?.textContent).toBe('Visite du ministre');
    expect(Array.from(document.querySelectorAll('[data-testid="compose-review-paragraph"] [lang="en"]')).map((e) => e.textContent)).toEqual(['Premier.', 'Second.']);
    expect(screen.getByTestId('compose-review-text').getAttribute('lang')).toBeNull();
    expect(review('precedence')).toBe('Flash');
    expect(review('justification')).toBe('Arrivée demain.');
    expect(review('marking')).toBe('Diffusion Restreinte');
    expect(review('marking-banner')).toBe('DIFFUSION RESTREINTE');
    expect(review('deadline')).toContain('2026');
    expect(review('tags')).toBe('ECON, US');
    expect(review('text')).toContain('Le ministre arrive.');
    expect(screen.getAllByTestId('compose-review-paragraph').map((p) => p.textContent)).toEqual(['1. (NP) Premier.', '2. (DR) Second.']);
    expect(review('delivered')).toBe('Sera remis à Jean Dupont à la prochaine synchronisation.');
    const missed = screen.getByTestId('compose-review-not-delivered');
    expect(missed.textContent).toContain('Ne pourra pas être remis à DGM/ECO');
    // What cannot be delivered is read with the confirmation button, as is what it does.
    const confirm = screen.getByTestId('compose-confirm');
    expect(confirm.textContent).toBe('Confirmer l’envoi');
    const described = (confirm.getAttribute('aria-describedby') ?? '').split(' ').map((i) => document.getElementById(i)?.textContent ?? '');
    expect(described.join(' ')).toContain('Rien n’est encore envoyé');
    expect(described.join(' ')).toContain('DGM/ECO');
    expect(screen.getByTestId('compose-edit').textContent).toBe('Modifier');

    await new Promise((r) => setTimeout(r, 50));
    expect(api.compose).not.toHaveBeenCalled();
  });

  it('sends exactly what was reviewed on Confirmer l’envoi, once however often it is clicked', async () => {
    let answer: (r: Result<ComposedDto>) => void = () => undefined;
    const compose = vi.fn((_request: ComposeDto_Deserialize) => new Promise<Result<ComposedDto>>((resolve) => (answer = resolve)));
    const onComposed = vi.fn();
    const api = fakeApi({ compose });
    await renderCompose(api, onComposed);
    fillTelegram();
    fireEvent.click(screen.getByTestId('compose-submit'));
    const confirm = await screen.findByTestId('compose-confirm');

    // A double click: the second one comes before the page is drawn again.
    act(() => {
      fireEvent.click(confirm);
      fireEvent.click(confirm);
    });
    fireEvent.click(confirm);
    expect(compose).toHaveBeenCalledTimes(1);
    expect(compose.mock.calls[0]![0]).toEqual(vi.mocked(api.checkCompose).mock.calls[0]![0]);
    expect(compose.mock.calls[0]![0]).toMatchObject({ kind: 'telegram', subject: 'Visite du ministre', precedence: 'flash', justification: 'Arrivée demain.', marking: 'dr' });
    // While it is sent, the button says so and takes no other click.
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    expect(confirm.getAttribute('aria-busy')).toBe('true');
    expect(confirm.textContent).toBe('Envoi en cours…');

    answer(ok({ id: 'tg-9', deliveredTo: ['Jean Dupont'], notDelivered: [] }));
    await waitFor(() => expect(onComposed).toHaveBeenCalledWith({ id: 'tg-9', deliveredTo: ['Jean Dupont'], notDelivered: [] }));
    expect(onComposed).toHaveBeenCalledTimes(1);
    expect(compose).toHaveBeenCalledTimes(1);
    expect(api.discardFormDraft).toHaveBeenCalledWith('telegram');
  });

  it('goes back to the form as it was left on Modifier, the focus on Envoyer', async () => {
    const api = fakeApi();
    await renderCompose(api);
    fillTelegram();
    fireEvent.click(screen.getByTestId('compose-submit'));
    fireEvent.click(await screen.findByTestId('compose-edit'));

    expect(screen.queryByTestId('compose-review')).toBeNull();
    const submit = screen.getByTestId('compose-submit');
    expect((submit.closest('form') as HTMLFormElement).hidden).toBe(false);
    await waitFor(() => expect(document.activeElement).toBe(submit));
    const value = (testId: string) => (screen.getByTestId(testId) as HTMLInputElement).value;
    expect([value('compose-subject'), value('compose-action-name-0'), value('compose-action-name-1'), value('compose-action-kind-1')]).toEqual(['Visite du ministre', 'DGM/ECO', 'Jean Dupont', 'person']);
    expect([value('compose-precedence'), value('compose-justification'), value('compose-marking'), value('compose-deadline')]).toEqual(['flash', 'Arrivée demain.', 'dr', '2026-12-01']);
    expect([value('compose-paragraph-0'), value('compose-paragraph-1'), value('compose-paragraph-marking-1'), value('compose-tags')]).toEqual(['Premier.', 'Second.', 'dr', 'ECON, US']);
    expect(api.compose).not.toHaveBeenCalled();

    // Changed, it is reviewed again as it now is.
    type('compose-subject', 'Visite du ministre reportée');
    fireEvent.click(submit);
    await screen.findByTestId('compose-review');
    expect(review('subject')).toBe('Visite du ministre reportée');
    expect(api.checkCompose).toHaveBeenCalledTimes(2);
  });

  it('goes back to the form on Escape too, the focus on Envoyer', async () => {
    const api = fakeApi();
    await renderCompose(api);
    fillTelegram();
    fireEvent.click(screen.getByTestId('compose-submit'));
    const heading = await screen.findByTestId('compose-review-heading');
    await waitFor(() => expect(document.activeElement).toBe(heading));

    const escape = fireEvent.keyDown(heading, { key: 'Escape' });
    // Handled here: the shell's own Escape does nothing more.
    expect(escape).toBe(false);
    expect(screen.queryByTestId('compose-review')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('compose-submit')));
    expect((screen.getByTestId('compose-subject') as HTMLInputElement).value).toBe('Visite du ministre');
    expect(api.compose).not.toHaveBeenCalled();
  });

  it('goes back to the form, at the field at fault, when the sending is refused after the review', async () => {
    const compose = vi.fn(async () => err('attachment_unreadable', 'attachments', 'parti.pdf'));
    const api = fakeApi({ compose, pickAttachments: vi.fn(async () => ok(['k9/parti.pdf'])) });
    await renderCompose(api);
    fireEvent.change(screen.getByTestId('compose-kind'), { target: { value: 'email' } });
    type('compose-to', 'bruno@quai.example');
    type('compose-subject', 'Ordre du jour');
    fireEvent.click(screen.getByTestId('compose-attach'));
    await screen.findByTestId('compose-attachments');
    fireEvent.click(screen.getByTestId('compose-submit'));
    expect((await screen.findByTestId('compose-review-to')).textContent).toBe('bruno@quai.example');
    expect(review('attachments')).toBe('1 : parti.pdf');
    fireEvent.click(screen.getByTestId('compose-confirm'));

    expect((await screen.findByTestId('error-attachments')).textContent).toContain('« parti.pdf »');
    expect(screen.queryByTestId('compose-review')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('compose-attach')));
    expect((screen.getByTestId('compose-subject') as HTMLInputElement).value).toBe('Ordre du jour');
    expect(compose).toHaveBeenCalledTimes(1);
  });
});
