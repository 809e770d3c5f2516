// The state of one open draft in the editor, without React: what the backend last sent, what
// the user typed since (per paragraph and text field, as splices; per register, list and the
// addressees, as the value now), the batch of `DraftEdit`s to send at the next pause, and the
// merge of a newer backend state (another replica's changes) with what is not sent yet.

import type { DraftAddresseeDto, DraftDto_Serialize, DraftEditDto, DraftFieldDto, DraftListDto } from '../bindings';
import { applySplices, coalesce, latestOnly, merged, spliceEdits, spliceOf, targetKey, type Splice, type TextTarget } from './draftEdits';

/** The text fields, merged character by character (the others are registers). */
export const TEXT_FIELDS: DraftFieldDto[] = ['subject', 'summary', 'opening', 'closing'];

interface TextState {
  target: TextTarget;
  /** The backend's text with the splices sent and not yet answered applied. */
  base: string;
  /** What the user sees. */
  local: string;
  /** Typed since the last batch, over `base`. */
  pending: Splice[];
}

/** A value edited as a whole: a register (`origin`), a list (`clearers`), the addressees. */
interface ValueState {
  local: string;
  dirty: boolean;
}

export type ValueKey = `field:${DraftFieldDto}` | `list:${DraftListDto}` | 'addressees:action' | 'addressees:info';

/** A list typed as text: one value per comma or line. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n;]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** An addressee typed by name: a unit when in capitals or with a '/', else a person (as `diplo`). */
export function addresseeOf(name: string): DraftAddresseeDto['addressee'] {
  const unit = name.includes('/') || (name === name.toUpperCase() && /[A-Z]/.test(name));
  return { kind: unit ? 'unit' : 'person', name };
}

function serverText(d: DraftDto_Serialize, t: TextTarget): string | null {
  if (t.kind === 'field') return (d.fields as unknown as Record<string, string>)[camel(t.field)] ?? '';
  return d.paragraphs.find((p) => p.id === t.id)?.text ?? null;
}

function camel(s: string): string {
  return s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function serverValue(d: DraftDto_Serialize, key: ValueKey): string {
  if (key === 'addressees:action' || key === 'addressees:info') {
    const route = key === 'addressees:action' ? 'action' : 'info';
    return d.addressees
      .filter((a) => a.route === route)
      .map((a) => a.addressee.name)
      .join(', ');
  }
  const [kind, name] = key.split(':') as ['field' | 'list', string];
  const v = (d.fields as unknown as Record<string, string | string[]>)[camel(name)];
  if (kind === 'list') return Array.isArray(v) ? v.join(', ') : '';
  return typeof v === 'string' ? v : '';
}

export class DraftSession {
  draft: DraftDto_Serialize;
  private texts = new Map<string, TextState>();
  private values = new Map<ValueKey, ValueState>();
  /** Structural edits (paragraphs added, moved, marked; conflicts resolved) waiting to go. */
  private ops: DraftEditDto[] = [];
  /** What the last batch took, to put back if the backend refuses it as stale. */
  private taken: { texts: Map<string, { base: string; pending: Splice[] }>; values: Map<ValueKey, string>; ops: DraftEditDto[] } | null = null;

  constructor(draft: DraftDto_Serialize) {
    this.draft = draft;
    this.receive(draft);
  }

  private state(t: TextTarget): TextState | undefined {
    return this.texts.get(targetKey(t));
  }

  /** The text shown for a paragraph or text field. */
  text(t: TextTarget): string {
    return this.state(t)?.local ?? serverText(this.draft, t) ?? '';
  }

  value(key: ValueKey): string {
    return this.values.get(key)?.local ?? serverValue(this.draft, key);
  }

  /** The user changed a text to `value` (caret after the change at `caret`). */
  input(t: TextTarget, value: string, caret?: number): void {
    const s = this.state(t);
    if (!s) return;
    const splice = spliceOf(s.local, value, caret);
    if (!splice) return;
    s.pending = coalesce(s.pending, splice);
    s.local = value;
  }

  setValue(key: ValueKey, value: string): void {
    this.values.set(key, { local: value, dirty: true });
  }

  /** A structural edit, sent with the next batch (after the text typed before it). */
  push(op: DraftEditDto): void {
    this.ops.push(op);
  }

  /** Whether something waits to be sent. */
  get dirty(): boolean {
    return this.ops.length > 0 || [...this.texts.values()].some((s) => s.pending.length > 0) || [...this.values.values()].some((v) => v.dirty);
  }

  /**
   * The edits to send now, in order: the text typed (per target, its splices), the values
   * set (the last value of each), then the structural edits. What is taken counts as sent.
   */
  takeBatch(): DraftEditDto[] {
    const index = (id: string) => this.draft.paragraphs.findIndex((p) => p.id === id);
    const edits: DraftEditDto[] = [];
    const taken = { texts: new Map<string, { base: string; pending: Splice[] }>(), values: new Map<ValueKey, string>(), ops: [...this.ops] };
    for (const [key, s] of this.texts) {
      if (s.pending.length === 0) continue;
      taken.texts.set(key, { base: s.base, pending: s.pending });
      edits.push(...spliceEdits(s.target, s.pending, index));
      s.base = applySplices(s.base, s.pending);
      s.pending = [];
    }
    let addresseesDirty = false;
    for (const [key, v] of this.values) {
      if (!v.dirty) continue;
      taken.values.set(key, v.local);
      v.dirty = false;
      if (key.startsWith('addressees:')) {
        addresseesDirty = true;
        continue;
      }
      const [kind, name] = key.split(':');
      if (kind === 'field') edits.push({ op: 'set_field', field: name as DraftFieldDto, value: v.local });
      else edits.push({ op: 'set_list', field: name as DraftListDto, values: splitList(v.local) });
    }
    if (addresseesDirty) {
      const routed = (route: 'action' | 'info') =>
        splitList(this.value(`addressees:${route}`)).map((name) => ({ addressee: addresseeOf(name), route }));
      edits.push({ op: 'set_addressees', addressees: [...routed('action'), ...routed('info')] });
    }
    edits.push(...this.ops);
    this.ops = [];
    this.taken = taken;
    return latestOnly(edits);
  }

  /** The version the last batch's positions and indices refer to. */
  get heads(): string[] {
    return this.draft.heads;
  }

  /**
   * The backend refused the last batch as stale (the draft changed meanwhile): what it took
   * waits again, before what was typed since, so that the next `receive` carries it over the
   * newer text and the next batch sends it at the right places.
   */
  restore(): void {
    const taken = this.taken;
    this.taken = null;
    if (!taken) return;
    for (const [key, t] of taken.texts) {
      const s = this.texts.get(key);
      if (!s) continue;
      s.base = t.base;
      s.pending = s.pending.reduce<Splice[]>(coalesce, [...t.pending]);
    }
    for (const [key, local] of taken.values) {
      const v = this.values.get(key);
      if (!v || !v.dirty) this.values.set(key, { local: v?.local ?? local, dirty: true });
    }
    this.ops = [...taken.ops, ...this.ops];
  }

  /**
   * A newer state from the backend (the answer to a batch, or another replica's changes
   * merged). Texts keep what is typed and not sent, carried over the new text; values being
   * edited keep the user's value. Returns the texts as they were before, so that the caret of
   * the field being typed in can be moved along (`moveCaret`).
   */
  receive(draft: DraftDto_Serialize): Map<string, string> {
    this.draft = draft;
    const before = new Map<string, string>();
    const targets: TextTarget[] = [
      ...TEXT_FIELDS.map((field) => ({ kind: 'field', field }) as TextTarget),
      ...draft.paragraphs.map((p) => ({ kind: 'paragraph', id: p.id }) as TextTarget),
    ];
    const seen = new Set<string>();
    for (const t of targets) {
      const key = targetKey(t);
      seen.add(key);
      const server = serverText(draft, t) ?? '';
      const s = this.texts.get(key);
      if (!s) {
        this.texts.set(key, { target: t, base: server, local: server, pending: [] });
        continue;
      }
      before.set(key, s.local);
      const m = merged(s.base, server, s.pending);
      s.base = server;
      s.local = m.text;
      s.pending = m.pending;
    }
    // A paragraph deleted (here or by another replica) takes its unsent typing with it.
    for (const key of [...this.texts.keys()]) if (!seen.has(key)) this.texts.delete(key);
    for (const [key, v] of this.values) if (!v.dirty) this.values.delete(key);
    return before;
  }
}
