import { describe, expect, it } from 'vitest';
import { applySplice, coalesce, latestOnly, merged, moveCaret, rebase, spliceEdits, spliceOf, type Splice } from './draftEdits';

/** Types `text` at `pos` one character at a time, as input events would. */
function typing(pos: number, text: string): Splice[] {
  return [...text].reduce<Splice[]>((acc, ch, i) => coalesce(acc, { pos: pos + i, delete: 0, insert: ch }), []);
}

describe('spliceOf', () => {
  it('finds an insertion, a deletion and a replacement', () => {
    expect(spliceOf('Berlin', 'Berlin Est')).toEqual({ pos: 6, delete: 0, insert: ' Est' });
    expect(spliceOf('Berlin Est', 'Berlin')).toEqual({ pos: 6, delete: 4, insert: '' });
    expect(spliceOf('le chat', 'le chien')).toEqual({ pos: 5, delete: 2, insert: 'ien' });
    expect(spliceOf('same', 'same')).toBeNull();
  });

  it('puts a change in repeated text at the caret', () => {
    // "aa" → "aaa" typed at 1: the caret is at 2 after it.
    expect(spliceOf('aa', 'aaa', 2)).toEqual({ pos: 1, delete: 0, insert: 'a' });
    // Without the caret the common prefix wins.
    expect(spliceOf('aa', 'aaa')).toEqual({ pos: 2, delete: 0, insert: 'a' });
    expect(spliceOf('aaa', 'aa', 0)).toEqual({ pos: 0, delete: 1, insert: '' });
  });

  it('counts UTF-16 units and never cuts a surrogate pair', () => {
    const s = spliceOf('a😀b', 'a😃b');
    expect(s).toEqual({ pos: 1, delete: 2, insert: '😃' });
    expect(applySplice('a😀b', s as Splice)).toBe('a😃b');
    expect(spliceOf('é', 'éé')).toEqual({ pos: 1, delete: 0, insert: 'é' });
  });
});

describe('coalesce: a pause of typing becomes few edits', () => {
  it('merges a word typed letter by letter into one splice', () => {
    expect(typing(4, 'Paris')).toEqual([{ pos: 4, delete: 0, insert: 'Paris' }]);
  });

  it('merges typing then backspacing over it, and over earlier text', () => {
    let list = typing(3, 'abc');
    list = coalesce(list, { pos: 5, delete: 1, insert: '' }); // Backspace over "c"
    expect(list).toEqual([{ pos: 3, delete: 0, insert: 'ab' }]);
    list = coalesce(list, { pos: 4, delete: 1, insert: '' });
    list = coalesce(list, { pos: 3, delete: 1, insert: '' });
    expect(list).toEqual([]);
    // Backspace before where the typing started: one deletion.
    list = coalesce([], { pos: 9, delete: 1, insert: '' });
    list = coalesce(list, { pos: 8, delete: 1, insert: '' });
    expect(list).toEqual([{ pos: 8, delete: 2, insert: '' }]);
  });

  it('keeps typing at two distant places apart', () => {
    const list = coalesce(typing(0, 'Le '), { pos: 20, delete: 0, insert: '!' });
    expect(list).toHaveLength(2);
  });

  it('gives the same text as the keystrokes applied one by one', () => {
    const text = 'Le ministre se rendra à Berlin.';
    const keys: Splice[] = [
      { pos: 24, delete: 0, insert: 'B' },
      { pos: 25, delete: 0, insert: 'o' },
      { pos: 26, delete: 0, insert: 'n' },
      { pos: 26, delete: 1, insert: '' },
      { pos: 26, delete: 0, insert: 'n' },
      { pos: 27, delete: 0, insert: 'n' },
      { pos: 28, delete: 0, insert: ' et ' },
      { pos: 3, delete: 0, insert: 'x' },
    ];
    const oneByOne = keys.reduce(applySplice, text);
    const batched = keys.reduce<Splice[]>(coalesce, []).reduce(applySplice, text);
    expect(batched).toBe(oneByOne);
  });
});

describe('edits sent', () => {
  it('turns a paragraph’s splices into splice_paragraph at its index now', () => {
    const edits = spliceEdits({ kind: 'paragraph', id: 'p2' }, typing(0, 'Oui'), (id) => ['p1', 'p2'].indexOf(id));
    expect(edits).toEqual([{ op: 'splice_paragraph', index: 1, pos: 0, delete: 0, insert: 'Oui' }]);
    expect(spliceEdits({ kind: 'field', field: 'subject' }, [{ pos: 0, delete: 2, insert: '' }], () => -1)).toEqual([
      { op: 'splice_field', field: 'subject', pos: 0, delete: 2, insert: '' },
    ]);
    expect(spliceEdits({ kind: 'paragraph', id: 'gone' }, typing(0, 'x'), () => -1)).toEqual([]);
  });

  it('keeps only the last value of a register typed several times', () => {
    const edits = latestOnly([
      { op: 'set_field', field: 'origin', value: 'B' },
      { op: 'splice_paragraph', index: 0, pos: 0, delete: 0, insert: 'x' },
      { op: 'set_field', field: 'origin', value: 'BERLIN' },
      { op: 'set_list', field: 'clearers', values: ['Bob'] },
    ]);
    expect(edits).toEqual([
      { op: 'splice_paragraph', index: 0, pos: 0, delete: 0, insert: 'x' },
      { op: 'set_field', field: 'origin', value: 'BERLIN' },
      { op: 'set_list', field: 'clearers', values: ['Bob'] },
    ]);
  });
});

describe('live merge: unsent typing carried over another replica’s change', () => {
  it('rebases after, before and over a remote change', () => {
    expect(rebase({ pos: 10, delete: 0, insert: 'x' }, { pos: 2, delete: 0, insert: 'abc' })).toEqual({ pos: 13, delete: 0, insert: 'x' });
    expect(rebase({ pos: 1, delete: 0, insert: 'x' }, { pos: 2, delete: 0, insert: 'abc' })).toEqual({ pos: 1, delete: 0, insert: 'x' });
    expect(rebase({ pos: 2, delete: 4, insert: '' }, { pos: 4, delete: 4, insert: '' })).toEqual({ pos: 2, delete: 2, insert: '' });
  });

  it('keeps both people’s words', () => {
    const base = 'Le ministre arrive lundi.';
    // We typed " matin" after "lundi" (not sent yet); Bob added "fédéral " before "ministre".
    const ours = [{ pos: 24, delete: 0, insert: ' matin' }];
    const server = 'Le fédéral ministre arrive lundi.';
    const m = merged(base, server, ours);
    expect(m.text).toBe('Le fédéral ministre arrive lundi matin.');
    expect(merged(base, server, []).text).toBe(server);
  });

  it('moves the caret with the text around it', () => {
    const before = 'Le ministre arrive.';
    const after = 'Le ministre fédéral arrive.';
    expect(moveCaret(before, after, 2)).toBe(2);
    expect(moveCaret(before, after, 18)).toBe(26);
    expect(moveCaret('abc', 'abc', 1)).toBe(1);
  });
});
