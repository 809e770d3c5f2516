// The compose form as plain data: its defaults, its translation into a ComposeDto, its JSON
// for the store, and where each backend field is on screen.

import type { AddresseeDto, AddresseeKindDto, ComposeDto_Deserialize, KindDto, MarkingDto, ParagraphDto, PrecedenceDto } from '../bindings';
import type { CommandError } from '../api';

export interface ComposeForm {
  subject: string;
  precedence: PrecedenceDto;
  justification: string;
  marking: MarkingDto;
  deadline: string;
  action: AddresseeDto[];
  info: AddresseeDto[];
  paragraphs: ParagraphDto[];
  /** Comma-separated. */
  tags: string;
  // Telegram.
  origin: string;
  summary: string;
  /** One per line. */
  references: string;
  /** Comma-separated. */
  clearers: string;
  approver: string;
  /** One per line. */
  caveats: string;
  // Note verbale.
  sendingMission: string;
  receivingInstitution: string;
  opening: string;
  closing: string;
  place: string;
  date: string;
  answers: string;
  // Email.
  from: string;
  /** Comma-separated. */
  to: string;
  cc: string;
  body: string;
  /** Tokens of the files to attach (an email), as the backend's dialog granted them. */
  attachments: string[];
  /** The language the document is written in (a BCP 47 tag); empty: the interface's. */
  language: string;
}

/**
 * The languages the composer offers for a document, each named in itself (and so declared in
 * that language: RGAA 8.7): the working languages of diplomacy, the United Nations' six.
 */
export const DOCUMENT_LANGUAGES: { code: string; name: string }[] = [
  { code: 'fr', name: 'Français' },
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'de', name: 'Deutsch' },
  { code: 'ar', name: 'العربية' },
  { code: 'ru', name: 'Русский' },
  { code: 'zh', name: '中文' },
];

export const ADDRESSEE_KINDS: AddresseeKindDto[] = ['unit', 'person'];

export function emptyAddressee(): AddresseeDto {
  return { kind: 'unit', name: '' };
}

export function emptyParagraph(marking: MarkingDto = 'np'): ParagraphDto {
  return { marking, text: '' };
}

export function defaultForm(today: string): ComposeForm {
  return {
    subject: '',
    precedence: 'routine',
    justification: '',
    marking: 'np',
    deadline: '',
    action: [emptyAddressee()],
    info: [emptyAddressee()],
    paragraphs: [emptyParagraph()],
    tags: '',
    origin: '',
    summary: '',
    references: '',
    clearers: '',
    approver: '',
    caveats: '',
    sendingMission: '',
    receivingInstitution: '',
    opening: '',
    closing: '',
    place: '',
    date: today,
    answers: '',
    from: '',
    to: '',
    cc: '',
    body: '',
    attachments: [],
    language: '',
  };
}

/** Splits a comma-separated (or newline-separated) list, dropping blanks. */
export function splitList(text: string, by: 'comma' | 'line'): string[] {
  return text
    .split(by === 'comma' ? /[,\n]/ : /\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

/**
 * The request for `compose`. Blank rows are sent as they are: the backend drops them. The
 * document's language is the one chosen, else `interfaceLanguage` (what the select shows).
 */
export function buildCompose(kind: KindDto, f: ComposeForm, interfaceLanguage = 'fr'): ComposeDto_Deserialize {
  const justification = f.precedence === 'flash' ? orNull(f.justification) : null;
  const language = f.language.trim() || interfaceLanguage;
  switch (kind) {
    case 'telegram':
      return {
        kind,
        origin: f.origin.trim(),
        action: f.action,
        info: f.info,
        subject: f.subject.trim(),
        tags: splitList(f.tags, 'comma'),
        references: splitList(f.references, 'line'),
        summary: f.summary.trim(),
        paragraphs: f.paragraphs,
        clearers: splitList(f.clearers, 'comma'),
        approver: orNull(f.approver),
        precedence: f.precedence,
        justification,
        marking: f.marking,
        caveats: splitList(f.caveats, 'line'),
        deadline: orNull(f.deadline),
        language,
      };
    case 'note':
      return {
        kind,
        sendingMission: f.sendingMission.trim(),
        receivingInstitution: f.receivingInstitution.trim(),
        subject: f.subject.trim(),
        opening: f.opening.trim(),
        paragraphs: f.paragraphs,
        closing: f.closing.trim(),
        place: f.place.trim(),
        date: f.date.trim(),
        answers: orNull(f.answers),
        action: f.action,
        info: f.info,
        tags: splitList(f.tags, 'comma'),
        precedence: f.precedence,
        justification,
        marking: f.marking,
        deadline: orNull(f.deadline),
        language,
      };
    case 'email':
      return {
        kind,
        from: f.from.trim(),
        to: splitList(f.to, 'comma'),
        cc: splitList(f.cc, 'comma'),
        subject: f.subject.trim(),
        body: f.body,
        marking: f.marking,
        precedence: f.precedence,
        deadline: orNull(f.deadline),
        attachments: f.attachments,
        language,
      };
  }
}

/** The form field an error is about: the one the backend names, or one inferred. */
export function errorField(error: CommandError, f: ComposeForm): string | null {
  if (error.field) return error.field;
  if (error.kind === 'invalid_address' && error.detail) {
    const d = error.detail;
    if (splitList(f.to, 'comma').includes(d)) return 'to';
    if (splitList(f.cc, 'comma').includes(d)) return 'cc';
    if (f.from.trim() === d) return 'from';
  }
  return null;
}

/** The name a backend field goes by in a form of this kind: an email's "paragraphs" is its text. */
export function fieldName(kind: KindDto, field: string): string {
  return kind === 'email' && field === 'paragraphs' ? 'body' : field;
}

/** The element (by test id) that a backend field names in a form of this kind. */
export function fieldTarget(kind: KindDto, field: string): string | undefined {
  // An email's text is its body; the backend calls a missing text "paragraphs".
  if (kind === 'email' && field === 'paragraphs') return FIELD_TARGET.body;
  return FIELD_TARGET[field];
}

/** The test id (and so the element) each backend field names. */
export const FIELD_TARGET: Record<string, string> = {
  subject: 'compose-subject',
  action: 'compose-action-name-0',
  info: 'compose-info-name-0',
  precedence: 'compose-precedence',
  justification: 'compose-justification',
  marking: 'compose-marking',
  tags: 'compose-tags',
  paragraphs: 'compose-paragraph-0',
  summary: 'compose-summary',
  references: 'compose-references',
  origin: 'compose-origin',
  clearers: 'compose-clearers',
  approver: 'compose-approver',
  caveats: 'compose-caveats',
  deadline: 'compose-deadline',
  sendingMission: 'compose-sending-mission',
  receivingInstitution: 'compose-receiving-institution',
  opening: 'compose-opening',
  closing: 'compose-closing',
  place: 'compose-place',
  date: 'compose-date',
  answers: 'compose-answers',
  from: 'compose-from',
  to: 'compose-to',
  cc: 'compose-cc',
  body: 'compose-body',
  attachments: 'compose-attach',
  language: 'compose-language',
};

/**
 * The fields the user must fill for the backend to accept the item (the domain's rules; a
 * field the backend fills from the profile, such as the originating post, is not among them).
 * An email needs a recipient in To or Cc: To is required until Cc has one.
 */
export function requiredFields(kind: KindDto, f: ComposeForm): Set<string> {
  const flash = f.precedence === 'flash' && kind !== 'email' ? ['justification'] : [];
  switch (kind) {
    case 'telegram':
      return new Set(['subject', 'action', ...flash]);
    case 'note':
      return new Set(['subject', 'receivingInstitution', 'paragraphs', ...flash]);
    case 'email':
      return new Set(f.cc.trim() === '' ? ['to'] : []);
  }
}

// The composer's state is kept in the encrypted store (saveFormDraft / formDraft), as JSON:
// never in the webview's local storage, which is written to disk in clear.

/** The JSON kept in the store for a form. */
export function serialiseForm(form: ComposeForm): string {
  return JSON.stringify(form);
}

/** A form read back from the store, completed with today's defaults; null when unreadable. */
export function parseForm(raw: string | null, today: string): ComposeForm | null {
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    return { ...defaultForm(today), ...(parsed as Partial<ComposeForm>) };
  } catch {
    return null;
  }
}

/** Moves element `i` of `list` by `delta` places (a new array). */
export function moveAt<T>(list: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (j < 0 || j >= list.length) return list;
  const out = [...list];
  const [x] = out.splice(i, 1);
  out.splice(j, 0, x as T);
  return out;
}
