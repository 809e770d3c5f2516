import { describe, expect, it } from 'vitest';
import { buildCompose, defaultForm, errorField, fieldName, fieldTarget, moveAt, parseForm, serialiseForm, splitList } from './compose';

describe('compose form', () => {
  it('splits comma and line lists, dropping blanks', () => {
    expect(splitList(' ECON, US ,, ', 'comma')).toEqual(['ECON', 'US']);
    expect(splitList('TD 123\n\n TD 456 \n', 'line')).toEqual(['TD 123', 'TD 456']);
  });

  it('builds a telegram with every field', () => {
    const f = {
      ...defaultForm('2026-11-28'),
      subject: ' Objet ',
      origin: 'WASHINGTON',
      tags: 'ECON, US',
      references: 'TD PARIS 12\nTD BERLIN 3',
      clearers: 'bob, carol',
      approver: '',
      caveats: 'NE PAS DIFFUSER',
      precedence: 'flash' as const,
      justification: 'Crise',
      deadline: '2026-12-01',
    };
    const dto = buildCompose('telegram', f);
    expect(dto).toMatchObject({
      kind: 'telegram',
      subject: 'Objet',
      origin: 'WASHINGTON',
      tags: ['ECON', 'US'],
      references: ['TD PARIS 12', 'TD BERLIN 3'],
      clearers: ['bob', 'carol'],
      approver: null,
      caveats: ['NE PAS DIFFUSER'],
      precedence: 'flash',
      justification: 'Crise',
      deadline: '2026-12-01',
      action: [{ kind: 'unit', name: '' }],
    });
  });

  it('sends no justification unless Flash, and no deadline when empty', () => {
    const dto = buildCompose('note', { ...defaultForm('2026-11-28'), precedence: 'immediat', justification: 'x' });
    expect(dto).toMatchObject({ kind: 'note', justification: null, deadline: null, date: '2026-11-28' });
  });

  it('sends the language chosen for the document, else the interface language the select shows', () => {
    const form = defaultForm('2026-11-28');
    expect(buildCompose('telegram', form, 'en')).toMatchObject({ language: 'en' });
    expect(buildCompose('note', form)).toMatchObject({ language: 'fr' });
    expect(buildCompose('email', { ...form, language: 'ar' }, 'fr')).toMatchObject({ language: 'ar' });
    // A form kept before the field existed reads as « the interface's ».
    expect(parseForm('{"subject":"Ancien"}', '2026-11-28')?.language).toBe('');
  });

  it('builds an email with address lists', () => {
    const dto = buildCompose('email', { ...defaultForm('2026-11-28'), to: 'bob@example.org, carol@example.org', cc: '', body: 'Bonjour' });
    expect(dto).toMatchObject({ kind: 'email', to: ['bob@example.org', 'carol@example.org'], cc: [], body: 'Bonjour' });
  });

  it('finds the field of an error, also when the backend names none', () => {
    const f = { ...defaultForm('2026-11-28'), to: 'bob@example.org, pas-une-adresse' };
    const error = (kind: string, field: string | null, detail: string | null = null) => ({ kind: kind as never, message: '', field, detail });
    expect(errorField(error('no_action_addressee', 'action'), f)).toBe('action');
    expect(errorField(error('invalid_address', null, 'pas-une-adresse'), f)).toBe('to');
    expect(errorField(error('internal', null), f)).toBeNull();
    expect(fieldTarget('email', 'paragraphs')).toBe('compose-body');
    expect(fieldTarget('telegram', 'paragraphs')).toBe('compose-paragraph-0');
  });

  it('moves paragraphs within bounds', () => {
    expect(moveAt(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveAt(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveAt(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });

  it("names an email's missing text after its body, not paragraphs", () => {
    expect(fieldName('email', 'paragraphs')).toBe('body');
    expect(fieldName('telegram', 'paragraphs')).toBe('paragraphs');
    expect(fieldName('email', 'subject')).toBe('subject');
  });

  it('reads back a kept form, completes it with defaults, and refuses what is not one', () => {
    const f = { ...defaultForm('2026-11-20'), subject: 'Brouillon', paragraphs: [{ marking: 'dr' as const, text: 'Texte.' }] };
    expect(parseForm(serialiseForm(f), '2026-11-28')).toEqual(f);
    expect(parseForm('{"subject":"Ancien"}', '2026-11-28')).toEqual({ ...defaultForm('2026-11-28'), subject: 'Ancien' });
    for (const raw of [null, '', 'pas du JSON', '[1]', 'null', '42']) expect(parseForm(raw, '2026-11-28')).toBeNull();
  });
});
