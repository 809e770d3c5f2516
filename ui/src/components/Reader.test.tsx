import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { ItemDto_Serialize } from '../bindings';
import { fakeApi, ok, summary } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { Reader } from './Reader';

const TELEGRAM: ItemDto_Serialize = {
  summary: summary('tg1', { subject: 'Élections en Bavière', marking: 'dr', precedence: 'immediat', number: 'BERLIN 2026-0142' }),
  content: {
    kind: 'telegram',
    number: 'BERLIN 2026-0142',
    dtg: '2026-11-24T10:30:00.123456789Z',
    origin: 'BERLIN',
    action: [{ kind: 'unit', name: 'DFAE/EUROPE' }],
    info: [{ kind: 'person', name: 'Jean Dupont' }],
    subject: 'Élections en Bavière',
    tags: ['POL', 'DE'],
    references: [
      { label: 'TD BERLIN 2026-0100', itemId: 'tg0' },
      { label: 'TD MUNICH 12', itemId: null },
    ],
    summary: 'La coalition est reconduite.',
    paragraphs: [
      { marking: 'np', text: 'Le scrutin s’est tenu dans le calme.' },
      { marking: 'dr', text: 'Selon nos interlocuteurs…' },
    ],
    drafter: 'alice',
    clearers: ['bob'],
    approver: 'carol',
    precedence: 'immediat',
    justification: null,
    marking: 'dr',
    caveats: [],
  },
  thread: [],
  language: null,
};

const EMAIL: ItemDto_Serialize = {
  summary: summary('em1', { kind: 'email', subject: 'Rapport', marking: 'np' }),
  content: {
    kind: 'email',
    from: 'Bob <bob@quai.example>',
    to: ['alice@dfae.example'],
    cc: [],
    date: '2026-11-24T08:00:00Z',
    messageId: '<1@quai.example>',
    inReplyTo: [],
    references: [],
    subject: 'Rapport',
    body: 'Bonjour,\n\nCi-joint.',
    attachments: [{ index: 0, name: 'rapport.pdf', contentType: 'application/pdf', size: 2048 }],
    marking: 'np',
    precedence: 'routine',
  },
  thread: [summary('em0', { subject: 'Demande de rapport' }), summary('em1', { subject: 'Rapport' })],
  language: null,
};

function render(item: ItemDto_Serialize, extra: Parameters<typeof fakeApi>[0] = {}) {
  const api = fakeApi({ openItem: vi.fn(async () => ok(item)), ...extra });
  const onOpen = vi.fn();
  const onReadChanged = vi.fn();
  renderWith(<Reader id={item.summary.id} onOpen={onOpen} onBack={() => undefined} showBack={false} onReadChanged={onReadChanged} focusOnOpen={false} />, api);
  return { api, onOpen, onReadChanged };
}

describe('the reading pane', () => {
  it('lays out a telegram: banners, number, numbered paragraphs with portion marks, references', async () => {
    const { onOpen, onReadChanged } = render(TELEGRAM);
    expect((await screen.findByTestId('reader-subject')).textContent).toBe('Élections en Bavière');
    expect(screen.getByTestId('reader').dataset.id).toBe('tg1');
    expect(screen.getByTestId('reader-marking-top').textContent).toBe('DIFFUSION RESTREINTE');
    expect(screen.getByTestId('reader-marking-bottom').textContent).toBe('DIFFUSION RESTREINTE');
    expect(screen.getByTestId('reader-number').textContent).toBe('BERLIN 2026-0142');
    // The date-time group as the trade writes it, and readable; never the raw RFC 3339.
    expect(screen.getByTestId('reader-dtg').textContent).toBe('241030Z NOV 26');
    expect(screen.getByTestId('reader-dtg').parentElement?.textContent).toBe('241030Z NOV 26 24/11/2026 10:30 UTC');
    expect(screen.getByTestId('reader').textContent).not.toContain('2026-11-24T');
    const paragraphs = screen.getAllByTestId('reader-paragraph').map((p) => p.textContent);
    expect(paragraphs).toEqual(['1. (NP) Le scrutin s’est tenu dans le calme.', '2. (DR) Selon nos interlocuteurs…']);
    expect(screen.getByText('La coalition est reconduite.')).toBeTruthy();
    const refs = screen.getAllByTestId('reader-reference');
    expect(refs.map((r) => r.textContent)).toEqual(['TD BERLIN 2026-0100', 'TD MUNICH 12']);
    fireEvent.click(refs[0]!);
    expect(onOpen).toHaveBeenCalledWith('tg0');
    expect(refs[1]!.tagName).not.toBe('BUTTON');
    expect(onReadChanged).toHaveBeenCalled();
  });

  it('shows an email with its attachments, opens and saves them', async () => {
    const saveAttachment = vi.fn(async () => ok('/home/alice/rapport.pdf'));
    const { api, onOpen } = render(EMAIL, { saveAttachment });
    await screen.findByTestId('reader-subject');
    expect(screen.getByTestId('reader-marking-top').textContent).toBe('NON PROTÉGÉ');
    expect(screen.getByText(/Ci-joint/)).toBeTruthy();
    const attachments = screen.getAllByTestId('reader-attachment');
    expect(attachments).toHaveLength(1);
    fireEvent.click(screen.getByText('Ouvrir'));
    await waitFor(() => expect(api.openAttachment).toHaveBeenCalledWith('em1', 0));
    fireEvent.click(screen.getByText('Enregistrer…'));
    // The backend opens the save dialog: the page names no destination.
    await waitFor(() => expect(api.saveAttachment).toHaveBeenCalledWith('em1', 0));
    expect(await screen.findByText(/enregistrée : \/home\/alice\/rapport\.pdf/)).toBeTruthy();
    // The thread links to the other messages.
    fireEvent.click(screen.getByText('Demande de rapport'));
    expect(onOpen).toHaveBeenCalledWith('em0');
  });

  it('declares the language of the document on its own words, and none when it is unknown', async () => {
    const english: ItemDto_Serialize = {
      ...EMAIL,
      summary: { ...EMAIL.summary, subject: 'Report', language: 'en' },
      content: { ...EMAIL.content, subject: 'Report', body: 'Dear all,\n\nPlease find the report attached.' } as ItemDto_Serialize['content'],
      thread: [summary('em0', { subject: 'Request for a report', language: 'en' }), summary('em2', { subject: 'Demande' })],
      language: 'en',
    };
    render(english);
    const subject = await screen.findByTestId('reader-subject');
    expect(subject.getAttribute('lang')).toBe('en');
    expect(screen.getByTestId('reader-body').getAttribute('lang')).toBe('en');
    expect(screen.getByText('Report', { selector: 'dd span' }).getAttribute('lang')).toBe('en');
    // The interface's labels around the document keep the interface's language.
    expect(screen.getByText('Objet').closest('[lang]')).toBeNull();
    expect(screen.getByTestId('reader').closest('[lang]')).toBeNull();
    // Each message of the thread has its own language, or none.
    expect(screen.getByText('Request for a report').getAttribute('lang')).toBe('en');
    expect(screen.getByText('Demande').closest('[lang]')).toBeNull();
  });

  it('declares the language of a telegram on its subject, summary and paragraphs', async () => {
    render({ ...TELEGRAM, language: 'de' });
    expect((await screen.findByTestId('reader-subject')).getAttribute('lang')).toBe('de');
    expect(screen.getByText('La coalition est reconduite.').getAttribute('lang')).toBe('de');
    const texts = screen.getAllByTestId('reader-paragraph').map((p) => p.querySelector('.paragraph-text')?.getAttribute('lang'));
    expect(texts).toEqual(['de', 'de']);
    // The paragraph's number and portion mark are the interface's words.
    expect(screen.getAllByTestId('reader-paragraph')[0]!.getAttribute('lang')).toBeNull();
  });

  it('sets no language when the language of the document is unknown', async () => {
    render(EMAIL);
    await screen.findByTestId('reader-subject');
    expect(screen.getByTestId('reader').querySelector('[lang]')).toBeNull();
  });

  it('marks the item unread on request', async () => {
    const { api, onReadChanged } = render(EMAIL);
    await screen.findByTestId('reader-subject');
    onReadChanged.mockClear();
    fireEvent.click(screen.getByText('Marquer comme non lu'));
    await waitFor(() => expect(api.setRead).toHaveBeenCalledWith('em1', false));
    expect(onReadChanged).toHaveBeenCalled();
  });

  it('offers to acknowledge a released text for action under its seal, and asks nothing of other items', async () => {
    const acknowledgements = vi.fn(async (id: string) =>
      ok({ released: id === 'tg1', forAction: id === 'tg1', acknowledgedAt: null, acknowledgements: [], publishError: null }),
    );
    render(TELEGRAM, { acknowledgements });
    const button = await screen.findByTestId('reader-acknowledge');
    expect(button.closest('header')).not.toBeNull();
    expect(acknowledgements).toHaveBeenCalledWith('tg1');
  });

  it('shows no acknowledgement for an item that is not a released text', async () => {
    const acknowledgements = vi.fn(async () => ok({ released: false, forAction: false, acknowledgedAt: null, acknowledgements: [], publishError: null }));
    render(EMAIL, { acknowledgements });
    await screen.findByTestId('reader-subject');
    await waitFor(() => expect(acknowledgements).toHaveBeenCalledWith('em1'));
    expect(screen.queryByTestId('reader-acks')).toBeNull();
  });
});
