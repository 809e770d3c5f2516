// The drafting commands of the preview (dev only): drafts kept in memory, edits applied
// simply, the clearance steps following the circuit roughly (the real rules are the
// backend's), enough to design and photograph the editor, the clearance panel and the
// history without the app.

import type { Api, Result } from '../api';
import type { ActionAvailabilityDto_Serialize, ClearanceActionsDto_Serialize, DraftDiffDto, DraftDto_Serialize, DraftEditDto, DraftSummaryDto, KindDto } from '../bindings';

const ok = <T>(data: T): Result<T> => ({ status: 'ok', data });
const fail = (kind: string, message: string): Result<never> => ({ status: 'error', error: { kind: kind as never, message, field: null, detail: null } });

type DraftApi = Pick<
  Api,
  'drafts' | 'openDraft' | 'createDraft' | 'correctRelease' | 'editDraft' | 'draftStep' | 'releaseDraft' | 'nameDraftVersion' | 'draftDiff' | 'draftChangesSince' | 'commentDraft' | 'resolveDraftComment' | 'verifyRelease' | 'acknowledge' | 'acknowledgements'
>;

const EMPTY_FIELDS: DraftDto_Serialize['fields'] = {
  subject: '', marking: 'NP', precedence: 'routine', justification: '', origin: '', summary: '', deadline: '', sendingMission: '', receivingInstitution: '',
  opening: '', closing: '', place: '', date: '', answers: '', from: '', approver: '', drafter: '', clearanceOrder: 'sequential', to: [], cc: [], tags: [], references: [], clearers: [], caveats: [],
};

/** What the preview lets `me` do: by stage and turn only, enough to show enabled and
 * disabled steps (the backend's answer follows the domain's rules in full). */
function judged(d: Pick<DraftDto_Serialize, 'stage' | 'round' | 'clearers' | 'waitingFor'>, me: string): Pick<DraftDto_Serialize, 'actions' | 'mayEdit' | 'editResetsClearances'> {
  const closed = d.stage === 'released' || d.stage === 'withdrawn';
  const when = (ok: boolean): ActionAvailabilityDto_Serialize => (closed ? { available: false, reason: 'final', who: null } : ok ? { available: true, reason: null, who: null } : { available: false, reason: 'stage', who: null });
  const turn = d.stage === 'in_clearance' && d.waitingFor.includes(me);
  const actions: ClearanceActionsDto_Serialize = {
    submit: when(d.stage === 'draft'),
    clear: when(turn),
    reject: when(turn),
    approve: when(d.stage === 'ready_for_approval'),
    release: when(d.stage === 'approved'),
    withdraw: when(d.round > 0),
  };
  return { actions, mayEdit: !closed, editResetsClearances: !closed && d.round > 0 && d.clearers.some((c) => c.verdict === 'cleared') };
}

function blank(id: string, kind: KindDto, drafter: string): DraftDto_Serialize {
  const now = new Date().toISOString();
  const base: Omit<DraftDto_Serialize, 'actions' | 'mayEdit' | 'editResetsClearances'> = {
    id, kind, stage: 'draft', round: 0, fields: { ...EMPTY_FIELDS, drafter }, addressees: [], paragraphs: [], conflicts: [],
    circuit: { drafter, clearers: [], order: 'sequential', approver: '' }, clearers: [], waitingFor: [drafter],
    log: [{ actor: drafter, at: now, step: 'created', comment: null, refused: null, reset: [] }], versions: [], comments: [], release: null, heads: ['h0'], updatedAt: now, publishError: null, language: null,
  };
  return { ...base, ...judged(base, drafter) };
}

function seed(me: string): DraftDto_Serialize {
  const d = blank('preview-draft-1', 'telegram', 'Bruno Keller');
  const at = '2026-11-28T09:30:00Z';
  d.stage = 'in_clearance';
  d.round = 1;
  d.fields = { ...d.fields, subject: 'Visite du ministre-président à Berlin', marking: 'DR', origin: 'BERLIN', approver: 'Claire Dumas', clearers: [me], tags: ['DE', 'POL'] };
  d.addressees = [{ addressee: { kind: 'unit', name: 'DFAE/EUROPE' }, route: 'action' }];
  d.paragraphs = [
    { id: 'p1', marking: 'np', text: 'Le ministre-président arrivera lundi à Berlin pour deux jours.', editedBy: ['Bruno Keller'] },
    { id: 'p2', marking: 'dr', text: 'Le programme des entretiens reste confidentiel jusqu’à l’annonce officielle.', editedBy: ['Bruno Keller'] },
    { id: 'p3', marking: 'np', text: 'Le poste propose un point de presse mardi à 11 h.', editedBy: ['Bruno Keller'] },
  ];
  d.circuit = { drafter: 'Bruno Keller', clearers: [me], order: 'sequential', approver: 'Claire Dumas' };
  d.clearers = [{ name: me, verdict: 'pending', comment: null, clearedBefore: null }];
  d.waitingFor = [me];
  d.log.push({ actor: 'Bruno Keller', at, step: 'submit', comment: null, refused: null, reset: [] });
  d.versions = [{ number: 1, label: 'round 1', by: 'Bruno Keller', at }];
  d.comments = [{ id: 'c1', author: 'Bruno Keller', at, text: 'À confirmer avec la chancellerie.', paragraph: 'p3', start: 33, end: 49, quote: 'mardi à 11 h', resolvedBy: null }];
  return d;
}

function apply(d: DraftDto_Serialize, e: DraftEditDto, me: string): void {
  const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const fields = d.fields as unknown as Record<string, string | string[]>;
  const para = (i: number) => d.paragraphs[i];
  switch (e.op) {
    case 'set_field':
    case 'resolve_field':
      fields[camel(e.field)] = e.value;
      break;
    case 'splice_field': {
      const v = String(fields[camel(e.field)] ?? '');
      fields[camel(e.field)] = v.slice(0, e.pos) + e.insert + v.slice(e.pos + e.delete);
      break;
    }
    case 'set_list':
      fields[camel(e.field)] = e.values;
      break;
    case 'set_addressees':
      d.addressees = e.addressees;
      break;
    case 'insert_paragraph':
      d.paragraphs.splice(e.index, 0, { id: `p${Date.now()}`, marking: e.marking, text: e.text, editedBy: [me] });
      break;
    case 'delete_paragraph':
      d.paragraphs.splice(e.index, 1);
      break;
    case 'move_paragraph': {
      const [p] = d.paragraphs.splice(e.from, 1);
      if (p) d.paragraphs.splice(e.to, 0, p);
      break;
    }
    case 'splice_paragraph': {
      const p = para(e.index);
      if (p) d.paragraphs[e.index] = { ...p, text: p.text.slice(0, e.pos) + e.insert + p.text.slice(e.pos + e.delete), editedBy: [me] };
      break;
    }
    case 'set_paragraph_marking': {
      const p = para(e.index);
      if (p) d.paragraphs[e.index] = { ...p, marking: e.marking, editedBy: [me] };
      break;
    }
  }
}

export function previewDrafting(me: string): DraftApi {
  const drafts = new Map<string, DraftDto_Serialize>();
  const first = seed(me);
  drafts.set(first.id, first);
  let n = 1;
  const get = (id: string) => drafts.get(id);
  const out = (d: DraftDto_Serialize): DraftDto_Serialize => ({ ...structuredClone(d), ...judged(d, me) });
  const touch = (d: DraftDto_Serialize) => {
    d.updatedAt = new Date().toISOString();
    d.heads = [`h${++n}`];
    return ok(out(d));
  };
  const step = (d: DraftDto_Serialize, s: string, comment: string | null) => d.log.push({ actor: me, at: new Date().toISOString(), step: s, comment, refused: null, reset: [] });
  const diff: DraftDiffDto = {
    from: '1 (round 1)',
    to: 'current',
    fields: [],
    paragraphs: [{ id: 'p1', change: 'changed', markingBefore: 'NP', markingAfter: 'NP', parts: [{ tag: 'same', text: 'Le ministre-président arrivera ' }, { tag: 'removed', text: 'dimanche' }, { tag: 'added', text: 'lundi' }, { tag: 'same', text: ' à Berlin pour deux jours.' }] }],
  };
  return {
    drafts: async () =>
      ok(
        [...drafts.values()].map((d): DraftSummaryDto => ({ id: d.id, kind: d.kind, subject: d.fields.subject, marking: d.fields.marking.toUpperCase() === 'DR' ? 'dr' : 'np', stage: d.stage, waitingFor: d.waitingFor, updatedAt: d.updatedAt })),
      ),
    openDraft: async (id) => {
      const d = get(id);
      return d ? ok(out(d)) : fail('not_found', 'no such draft');
    },
    createDraft: async (kind) => {
      const d = blank(`preview-draft-${++n}`, kind, me);
      drafts.set(d.id, d);
      return ok(out(d));
    },
    correctRelease: async () => fail('invalid_draft', 'the preview has no released item to correct'),
    editDraft: async (id, _heads, edits) => {
      const d = get(id);
      if (!d) return fail('not_found', 'no such draft');
      for (const e of edits) apply(d, e, me);
      d.circuit = d.round === 0 ? { drafter: d.fields.drafter, clearers: d.fields.clearers, order: d.fields.clearanceOrder === 'parallel' ? 'parallel' : 'sequential', approver: d.fields.approver } : d.circuit;
      if (d.round === 0) d.clearers = d.fields.clearers.map((name) => ({ name, verdict: 'pending', comment: null, clearedBefore: null }));
      return touch(d);
    },
    draftStep: async (id, s) => {
      const d = get(id);
      if (!d) return fail('not_found', 'no such draft');
      if (s.step === 'submit') {
        d.round += 1;
        d.stage = d.clearers.length > 0 ? 'in_clearance' : 'ready_for_approval';
        d.versions.push({ number: d.versions.length + 1, label: `round ${d.round}`, by: me, at: new Date().toISOString() });
        step(d, 'submit', null);
      } else if (s.step === 'clear') {
        const comment = s.comment ?? null;
        d.clearers = d.clearers.map((c) => (c.name === me ? { ...c, verdict: 'cleared', comment } : c));
        if (d.clearers.every((c) => c.verdict === 'cleared')) d.stage = 'ready_for_approval';
        step(d, 'clear', comment);
      } else if (s.step === 'reject') {
        d.clearers = d.clearers.map((c) => (c.name === me ? { ...c, verdict: 'rejected', comment: s.comment } : c));
        d.stage = 'draft';
        step(d, 'reject', s.comment);
      } else if (s.step === 'approve') {
        d.stage = 'approved';
        step(d, 'approve', null);
      } else {
        d.stage = 'withdrawn';
        step(d, 'withdraw', s.reason);
      }
      const c = d.circuit;
      d.waitingFor = d.stage === 'in_clearance' ? d.clearers.filter((x) => x.verdict !== 'cleared').map((x) => x.name).slice(0, c.order === 'parallel' ? undefined : 1) : d.stage === 'draft' ? [c.drafter] : d.stage === 'withdrawn' ? [] : [c.approver];
      return touch(d);
    },
    releaseDraft: async (id) => {
      const d = get(id);
      if (!d) return fail('not_found', 'no such draft');
      d.stage = 'released';
      d.waitingFor = [];
      d.release = { item: `${id}-item`, number: 'BERLIN 2026-0042', provisional: false, approver: me, signature: 'ab12' };
      step(d, 'release', null);
      d.versions.push({ number: d.versions.length + 1, label: 'released', by: me, at: new Date().toISOString() });
      const r = touch(d);
      return r.status === 'ok' ? ok({ item: `${id}-item`, number: 'BERLIN 2026-0042', provisional: false, signature: 'ab12', draft: r.data }) : r;
    },
    nameDraftVersion: async (id, label) => {
      const d = get(id);
      if (!d) return fail('not_found', 'no such draft');
      d.versions.push({ number: d.versions.length + 1, label, by: me, at: new Date().toISOString() });
      return touch(d);
    },
    draftDiff: async () => ok(diff),
    draftChangesSince: async () => ok(diff),
    commentDraft: async (id, paragraph, start, end, text) => {
      const d = get(id);
      const p = d?.paragraphs.find((x) => x.id === paragraph);
      if (!d || !p) return fail('not_found', 'no such draft');
      d.comments.push({ id: `c${++n}`, author: me, at: new Date().toISOString(), text, paragraph, start, end, quote: p.text.slice(start, end), resolvedBy: null });
      return touch(d);
    },
    resolveDraftComment: async (id, comment) => {
      const d = get(id);
      if (!d) return fail('not_found', 'no such draft');
      d.comments = d.comments.map((c) => (c.id === comment ? { ...c, resolvedBy: me } : c));
      return touch(d);
    },
    verifyRelease: async () => ok(null),
    // The preview's items are not released texts: nothing to acknowledge.
    acknowledge: async () => fail('acknowledge_refused', 'the preview has no released text to acknowledge'),
    acknowledgements: async () => ok({ released: false, forAction: false, acknowledgedAt: null, acknowledgements: [], publishError: null }),
  };
}
