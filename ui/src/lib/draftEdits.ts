// The collaborative editor's text logic, kept pure: what one input event changed (a splice),
// how the splices typed between two pauses are coalesced into few `DraftEdit`s, how edits not
// yet confirmed are carried over a newer text from the backend (a merge with another
// replica), and where the caret goes then. Positions count UTF-16 units, as JavaScript
// strings and the drafting service both do.

import type { DraftEditDto, DraftFieldDto } from '../bindings';

/** Replace `delete` units at `pos` by `insert`. */
export interface Splice {
  pos: number;
  delete: number;
  insert: string;
}

/** What is edited: a paragraph (by its stable id) or a text field of the draft. */
export type TextTarget = { kind: 'paragraph'; id: string } | { kind: 'field'; field: DraftFieldDto };

export function targetKey(t: TextTarget): string {
  return t.kind === 'paragraph' ? `p:${t.id}` : `f:${t.field}`;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * The one splice that turns `before` into `after`: the common prefix and suffix are kept.
 * `caret` (the caret after the change) settles where the change was when the text repeats
 * itself ("aa" → "aaa" is an insertion at the caret, not at the end). A surrogate pair is
 * never cut. `null` when nothing changed.
 */
export function spliceOf(before: string, after: string, caret?: number): Splice | null {
  if (before === after) return null;
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  // With a caret, the change ends at the caret when it can: bound the prefix by it.
  if (caret !== undefined) {
    const grow = after.length - before.length;
    const start = Math.max(0, caret - Math.max(grow, 0));
    if (start < prefix) prefix = start;
  }
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  // Keep surrogate pairs whole.
  if (prefix > 0 && isHigh(before.charCodeAt(prefix - 1)) && isLow(before.charCodeAt(prefix))) prefix--;
  if (suffix > 0 && isLow(before.charCodeAt(before.length - suffix)) && isHigh(before.charCodeAt(before.length - suffix - 1))) suffix--;
  return { pos: prefix, delete: before.length - prefix - suffix, insert: after.slice(prefix, after.length - suffix) };
}

export function applySplice(text: string, s: Splice): string {
  return text.slice(0, s.pos) + s.insert + text.slice(s.pos + s.delete);
}

export function applySplices(text: string, splices: readonly Splice[]): string {
  return splices.reduce(applySplice, text);
}

/**
 * Appends `next` to the splices typed since the last pause, merged with the last one when
 * they touch (typing a word, deleting it back): a pause's typing at one place is one edit.
 * Splices at distant places stay apart, so a replica's words typed in between are kept.
 */
export function coalesce(list: readonly Splice[], next: Splice): Splice[] {
  const last = list[list.length - 1];
  if (!last) return [next];
  const rest = list.slice(0, -1);
  const end = last.pos + last.insert.length;
  // Inside or right after what the last splice inserted.
  if (next.pos >= last.pos && next.pos + next.delete <= end) {
    const at = next.pos - last.pos;
    const insert = last.insert.slice(0, at) + next.insert + last.insert.slice(at + next.delete);
    return [...rest, { pos: last.pos, delete: last.delete, insert }].filter((s) => s.delete > 0 || s.insert !== '');
  }
  // Deleting backwards from the start of the last splice (Backspace over earlier text).
  if (next.insert === '' && next.pos + next.delete === last.pos) {
    return [...rest, { pos: next.pos, delete: next.delete + last.delete, insert: last.insert }];
  }
  // Deleting forwards from its end (Delete key): the text deleted was after it.
  if (next.insert === '' && next.pos === end) {
    return [...rest, { pos: last.pos, delete: last.delete + next.delete, insert: last.insert }];
  }
  return [...list, next];
}

/**
 * Carries a splice made on a text over a concurrent change `by` of that same text (another
 * replica's words, merged by the backend): after it when it was after, unchanged when before,
 * shrunk to what is left when the other change overlapped it.
 */
export function rebase(s: Splice, by: Splice): Splice {
  const byEnd = by.pos + by.delete;
  const grow = by.insert.length - by.delete;
  if (s.pos >= byEnd) return { ...s, pos: s.pos + grow };
  const sEnd = s.pos + s.delete;
  if (sEnd <= by.pos) return s;
  // Overlap: keep the part of our deletion outside theirs; insert at the edge.
  const keptBefore = Math.max(0, by.pos - s.pos);
  const keptAfter = Math.max(0, sEnd - byEnd);
  const pos = Math.min(s.pos, by.pos);
  return { pos, delete: keptBefore + keptAfter, insert: s.insert };
}

/** Where a caret at `caret` in `before` goes in `after` (the changed run is between them). */
export function moveCaret(before: string, after: string, caret: number): number {
  const s = spliceOf(before, after);
  if (!s) return caret;
  if (caret <= s.pos) return caret;
  if (caret >= s.pos + s.delete) return caret + s.insert.length - s.delete;
  return s.pos + s.insert.length;
}

/**
 * The text to show for a target when the backend sends `server`: our splices not yet
 * confirmed (`pending`), made over `base` (what we last had from the backend with our edits
 * in flight), carried over what changed from `base` to `server`.
 */
export function merged(base: string, server: string, pending: readonly Splice[]): { text: string; pending: Splice[] } {
  const remote = spliceOf(base, server);
  let rebased = [...pending];
  if (remote) {
    let by: Splice = remote;
    rebased = pending.map((s) => {
      const r = rebase(s, by);
      // Later splices see the earlier ones applied: carry the remote change over them too.
      by = rebase(by, s);
      return r;
    });
  }
  return { text: applySplices(server, rebased), pending: rebased };
}

/** The edits of the splices typed on `target`. */
export function spliceEdits(target: TextTarget, splices: readonly Splice[], paragraphIndex: (id: string) => number): DraftEditDto[] {
  if (target.kind === 'field') {
    return splices.map((s) => ({ op: 'splice_field', field: target.field, pos: s.pos, delete: s.delete, insert: s.insert }));
  }
  const index = paragraphIndex(target.id);
  if (index < 0) return [];
  return splices.map((s) => ({ op: 'splice_paragraph', index, pos: s.pos, delete: s.delete, insert: s.insert }));
}

/**
 * The register and list values set since the last pause: one edit each, the last value
 * wins (typing a post's name letter by letter is one `set_field`).
 */
export function latestOnly(edits: readonly DraftEditDto[]): DraftEditDto[] {
  const key = (e: DraftEditDto): string | null => {
    switch (e.op) {
      case 'set_field':
        return `set_field:${e.field}`;
      case 'set_list':
        return `set_list:${e.field}`;
      case 'set_addressees':
        return 'set_addressees';
      default:
        return null;
    }
  };
  const last = new Map<string, number>();
  edits.forEach((e, i) => {
    const k = key(e);
    if (k) last.set(k, i);
  });
  return edits.filter((e, i) => {
    const k = key(e);
    return k === null || last.get(k) === i;
  });
}
