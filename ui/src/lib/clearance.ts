// Which clearance actions the user may take on a draft, and why not when not: the same rules
// as the domain's state machine (crates/domain/src/clearance.rs), so that the panel enables
// only what the backend would accept and says why the rest is not for now. The backend
// still decides: a refusal comes back as a translated error.

import type { DraftDto_Serialize } from '../bindings';

export type ClearanceAction = 'submit' | 'clear' | 'reject' | 'approve' | 'release' | 'withdraw';

export const CLEARANCE_ACTIONS: ClearanceAction[] = ['submit', 'clear', 'reject', 'approve', 'release', 'withdraw'];

/** Why an action is not available: an i18n key under `clearance.why`, and a name to quote. */
export interface Blocked {
  reason: 'final' | 'notDrafter' | 'notClearer' | 'notApprover' | 'notDrafterOrApprover' | 'stage' | 'notYourTurn' | 'alreadyCleared' | 'conflicts' | 'noApprover';
  who?: string;
}

/** `null`: the user may take the action now. */
export type Availability = Record<ClearanceAction, Blocked | null>;

type Draft = Pick<DraftDto_Serialize, 'stage' | 'round' | 'circuit' | 'clearers' | 'waitingFor' | 'conflicts' | 'fields'>;

export function availability(draft: Draft, me: string): Availability {
  const stage = draft.stage;
  if (stage === 'released' || stage === 'withdrawn') {
    const final: Blocked = { reason: 'final' };
    return { submit: final, clear: final, reject: final, approve: final, release: final, withdraw: final };
  }
  // Before the first submission the circuit is what the fields name.
  const c = draft.circuit;
  const drafter = c.drafter || draft.fields.drafter;
  const approver = c.approver || draft.fields.approver;
  const isDrafter = me === drafter;
  const isApprover = approver !== '' && me === approver;
  const mine = draft.clearers.find((x) => x.name === me);

  const submit: Blocked | null = !isDrafter
    ? { reason: 'notDrafter', who: drafter }
    : stage !== 'draft'
      ? { reason: 'stage' }
      : approver.trim() === ''
        ? { reason: 'noApprover' }
        : draft.conflicts.length > 0
          ? { reason: 'conflicts' }
          : null;

  let clear: Blocked | null;
  if (!mine) clear = { reason: 'notClearer' };
  else if (stage !== 'in_clearance') clear = { reason: 'stage' };
  else if (mine.verdict === 'cleared') clear = { reason: 'alreadyCleared' };
  else if (c.order === 'sequential' && !draft.waitingFor.includes(me)) clear = { reason: 'notYourTurn', who: draft.waitingFor[0] ?? '' };
  else clear = null;

  const approve: Blocked | null = !isApprover ? { reason: 'notApprover', who: approver } : stage !== 'ready_for_approval' ? { reason: 'stage' } : null;
  const release: Blocked | null = !isApprover ? { reason: 'notApprover', who: approver } : stage !== 'approved' ? { reason: 'stage' } : null;
  const withdraw: Blocked | null = isDrafter || isApprover ? null : { reason: 'notDrafterOrApprover' };

  return { submit, clear, reject: clear, approve, release, withdraw };
}

/** Whether the user may edit the draft (anyone before submission; the circuit after). */
export function mayEdit(draft: Draft, me: string): boolean {
  if (draft.stage === 'released' || draft.stage === 'withdrawn') return false;
  // Once submitted, only the people of the circuit as submitted.
  if (draft.round === 0) return true;
  const c = draft.circuit;
  return me === c.drafter || me === c.approver || c.clearers.includes(me);
}

/** Whether an edit now would reset clearances already given (the panel warns first). */
export function editResetsClearances(draft: Draft): boolean {
  return draft.stage !== 'draft' && draft.clearers.some((c) => c.verdict === 'cleared');
}
