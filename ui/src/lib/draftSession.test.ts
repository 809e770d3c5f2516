import { describe, expect, it } from 'vitest';
import { draftDto } from '../test/fakeDraft';
import { DraftSession, addresseeOf, splitList } from './draftSession';

const P1 = { kind: 'paragraph', id: 'p1' } as const;

describe('the editor’s batch of edits', () => {
  it('sends a pause of typing as one splice per place, values once, then structural edits', () => {
    const s = new DraftSession(draftDto());
    let text = s.text(P1);
    for (const ch of ' matin') {
      text = text.slice(0, -1) + ch + '.';
      s.input(P1, text, text.length - 1);
    }
    s.input({ kind: 'field', field: 'subject' }, 'Visite du ministre', 18);
    s.setValue('field:origin', 'BER');
    s.setValue('field:origin', 'BERN');
    s.setValue('list:clearers', 'Bob, Carol');
    s.setValue('addressees:info', 'Carol Petit, DGM/ECO');
    s.push({ op: 'insert_paragraph', index: 2, marking: 'np', text: '' });
    expect(s.dirty).toBe(true);
    expect(s.takeBatch()).toEqual([
      { op: 'splice_field', field: 'subject', pos: 6, delete: 0, insert: ' du ministre' },
      { op: 'splice_paragraph', index: 0, pos: 24, delete: 0, insert: ' matin' },
      { op: 'set_field', field: 'origin', value: 'BERN' },
      { op: 'set_list', field: 'clearers', values: ['Bob', 'Carol'] },
      {
        op: 'set_addressees',
        addressees: [
          { addressee: { kind: 'unit', name: 'DFAE/EUROPE' }, route: 'action' },
          { addressee: { kind: 'person', name: 'Carol Petit' }, route: 'info' },
          { addressee: { kind: 'unit', name: 'DGM/ECO' }, route: 'info' },
        ],
      },
      { op: 'insert_paragraph', index: 2, marking: 'np', text: '' },
    ]);
    expect(s.dirty).toBe(false);
    expect(s.takeBatch()).toEqual([]);
  });

  it('merges another replica’s words with what is typed and not yet sent', () => {
    const s = new DraftSession(draftDto());
    s.input(P1, 'Le ministre arrive lundi matin.', 30);
    // Bob's edit arrives before ours is sent.
    const theirs = draftDto();
    theirs.paragraphs = [{ id: 'p1', marking: 'np', text: 'Le ministre fédéral arrive lundi.', editedBy: ['Bob'] }, ...theirs.paragraphs.slice(1)];
    const before = s.receive(theirs);
    expect(before.get('p:p1')).toBe('Le ministre arrive lundi matin.');
    expect(s.text(P1)).toBe('Le ministre fédéral arrive lundi matin.');
    expect(s.takeBatch()).toEqual([{ op: 'splice_paragraph', index: 0, pos: 32, delete: 0, insert: ' matin' }]);
  });

  it('sends a batch refused as stale again, carried over the newer text', () => {
    const s = new DraftSession(draftDto({ heads: ['h1'] }));
    s.input(P1, 'Le ministre arrive lundi. Il verra le chancelier.', 50);
    s.setValue('field:origin', 'BONN');
    expect(s.heads).toEqual(['h1']);
    const first = s.takeBatch();
    expect(first[0]).toEqual({ op: 'splice_paragraph', index: 0, pos: 25, delete: 0, insert: ' Il verra le chancelier.' });
    // Typed while the batch was on its way.
    s.input(P1, 'Le ministre arrive lundi. Il verra le chancelier !', 50);
    // Refused: Bob's words (and a paragraph of his, first) were merged meanwhile.
    s.restore();
    const newer = draftDto({ heads: ['h2'] });
    newer.paragraphs = [{ id: 'pb', marking: 'dr', text: 'De Bob.', editedBy: ['Bob'] }, { id: 'p1', marking: 'np', text: 'Selon Bob, Le ministre arrive lundi.', editedBy: ['Bob'] }];
    s.receive(newer);
    expect(s.text(P1)).toBe('Selon Bob, Le ministre arrive lundi. Il verra le chancelier !');
    expect(s.heads).toEqual(['h2']);
    const again = s.takeBatch();
    expect(again).toEqual([
      { op: 'splice_paragraph', index: 1, pos: 36, delete: 0, insert: ' Il verra le chancelier !' },
      { op: 'set_field', field: 'origin', value: 'BONN' },
    ]);
  });

  it('keeps a value being typed when a newer state arrives, and takes the backend’s otherwise', () => {
    const s = new DraftSession(draftDto());
    s.setValue('field:origin', 'BONN');
    s.receive(draftDto({ fields: { ...draftDto().fields, origin: 'PARIS', approver: 'Eve' } }));
    expect(s.value('field:origin')).toBe('BONN');
    expect(s.value('field:approver')).toBe('Eve');
    expect(s.value('list:tags')).toBe('DE');
    expect(s.value('addressees:action')).toBe('DFAE/EUROPE');
  });

  it('reads lists and addressees as typed', () => {
    expect(splitList(' a, b ;\nc,, ')).toEqual(['a', 'b', 'c']);
    expect(addresseeOf('BERLIN')).toEqual({ kind: 'unit', name: 'BERLIN' });
    expect(addresseeOf('Bob Martin')).toEqual({ kind: 'person', name: 'Bob Martin' });
  });
});
