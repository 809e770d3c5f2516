// A draft's diff made readable: one row per changed field, one per paragraph (numbered as in
// the later version, removed ones where they stood), each a run of kept, added and removed
// words. Pure, so the rendering's logic is tested without a DOM.

import type { DiffPartDto, DraftDiffDto } from '../bindings';

export interface DiffRow {
  key: string;
  /** `field`: a field changed (`name`: its i18n key under `fields`); `paragraph`: its number. */
  what: { kind: 'field'; name: string } | { kind: 'paragraph'; number: number | null };
  change: 'added' | 'removed' | 'changed' | 'same';
  /** The portion mark, when it changed ("NP" → "DR"). */
  marking: { before: string; after: string } | null;
  parts: DiffPartDto[];
}

/** `sending_mission` → `sendingMission`: the form's field names, which have translations. */
export function fieldKey(field: string): string {
  return field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function diffRows(diff: DraftDiffDto, showSame = false): DiffRow[] {
  const rows: DiffRow[] = diff.fields.map((f) => ({
    key: `f:${f.field}`,
    what: { kind: 'field', name: fieldKey(f.field) },
    change: 'changed',
    marking: null,
    parts: f.parts,
  }));
  let number = 0;
  for (const p of diff.paragraphs) {
    const removed = p.change === 'removed';
    if (!removed) number++;
    if (p.change === 'same' && !showSame) continue;
    const markingChanged = p.change === 'changed' && p.markingBefore !== p.markingAfter;
    rows.push({
      key: `p:${p.id}`,
      what: { kind: 'paragraph', number: removed ? null : number },
      change: p.change,
      marking: markingChanged ? { before: p.markingBefore, after: p.markingAfter } : null,
      parts: p.parts,
    });
  }
  return rows;
}

/** Whether two versions have the same content. */
export function diffIsEmpty(diff: DraftDiffDto): boolean {
  return diff.fields.length === 0 && diff.paragraphs.every((p) => p.change === 'same');
}

/** The parts as plain text, `[-removed-]` and `{+added+}` (for tests and the clipboard). */
export function diffText(parts: readonly DiffPartDto[]): string {
  return parts.map((p) => (p.tag === 'added' ? `{+${p.text}+}` : p.tag === 'removed' ? `[-${p.text}-]` : p.text)).join('');
}
