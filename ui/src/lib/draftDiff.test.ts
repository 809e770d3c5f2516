import { describe, expect, it } from 'vitest';
import type { DraftDiffDto } from '../bindings';
import { diffIsEmpty, diffRows, diffText, fieldKey } from './draftDiff';

const diff: DraftDiffDto = {
  from: '1 (round 1)',
  to: 'current',
  fields: [{ field: 'sending_mission', parts: [{ tag: 'removed', text: 'BERLIN' }, { tag: 'added', text: 'BONN' }] }],
  paragraphs: [
    { id: 'a', change: 'same', markingBefore: 'NP', markingAfter: 'NP', parts: [{ tag: 'same', text: 'Premier.' }] },
    { id: 'x', change: 'removed', markingBefore: 'NP', markingAfter: '', parts: [{ tag: 'removed', text: 'Ôté.' }] },
    {
      id: 'b',
      change: 'changed',
      markingBefore: 'NP',
      markingAfter: 'DR',
      parts: [
        { tag: 'same', text: 'Le ministre ' },
        { tag: 'removed', text: 'viendra' },
        { tag: 'added', text: 'ne viendra pas' },
        { tag: 'same', text: '.' },
      ],
    },
    { id: 'c', change: 'added', markingBefore: '', markingAfter: 'NP', parts: [{ tag: 'added', text: 'Nouveau.' }] },
  ],
};

describe('a readable diff', () => {
  it('lists changed fields, then changed paragraphs numbered as in the later version', () => {
    const rows = diffRows(diff);
    expect(rows.map((r) => [r.key, r.change, r.what])).toEqual([
      ['f:sending_mission', 'changed', { kind: 'field', name: 'sendingMission' }],
      ['p:x', 'removed', { kind: 'paragraph', number: null }],
      ['p:b', 'changed', { kind: 'paragraph', number: 2 }],
      ['p:c', 'added', { kind: 'paragraph', number: 3 }],
    ]);
    expect(rows[2]?.marking).toEqual({ before: 'NP', after: 'DR' });
    expect(rows[3]?.marking).toBeNull();
    expect(diffRows(diff, true)).toHaveLength(5);
  });

  it('shows the words removed and added', () => {
    expect(diffText(diff.paragraphs[2]?.parts ?? [])).toBe('Le ministre [-viendra-]{+ne viendra pas+}.');
    expect(fieldKey('receiving_institution')).toBe('receivingInstitution');
  });

  it('knows when two versions are the same', () => {
    expect(diffIsEmpty(diff)).toBe(false);
    expect(diffIsEmpty({ from: '1', to: '2', fields: [], paragraphs: [diff.paragraphs[0] as DraftDiffDto['paragraphs'][number]] })).toBe(true);
  });
});
