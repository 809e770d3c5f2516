// A draft as the backend sends it, for the drafting tests.

import type { ActionAvailabilityDto_Serialize, ClearanceActionsDto_Serialize, ClearanceReasonDto, DraftDto_Serialize } from '../bindings';

/** An action the backend allows. */
export const allowed: ActionAvailabilityDto_Serialize = { available: true, reason: null, who: null };

/** An action the backend refuses, and why. */
export function refused(reason: ClearanceReasonDto, who: string | null = null): ActionAvailabilityDto_Serialize {
  return { available: false, reason, who };
}

/** What the backend says Alice may do to her draft before its first submission. */
export const aliceBeforeSubmission: ClearanceActionsDto_Serialize = {
  submit: allowed,
  clear: refused('notClearer'),
  reject: refused('notClearer'),
  approve: refused('notApprover', 'Dan'),
  release: refused('notApprover', 'Dan'),
  withdraw: refused('stage'),
};

/** Every action refused as final (released or withdrawn). */
export const finalActions: ClearanceActionsDto_Serialize = {
  submit: refused('final'),
  clear: refused('final'),
  reject: refused('final'),
  approve: refused('final'),
  release: refused('final'),
  withdraw: refused('final'),
};

/** A telegram draft of Alice's, with one clearer (Bob) and Dan as approver, as the backend
 * sends it to Alice, then `p`. */
export function draftDto(p: Partial<DraftDto_Serialize> = {}): DraftDto_Serialize {
  return {
    id: 'd1',
    kind: 'telegram',
    stage: 'draft',
    round: 0,
    fields: {
      subject: 'Visite',
      marking: 'NP',
      precedence: 'routine',
      justification: '',
      origin: 'BERLIN',
      summary: '',
      deadline: '',
      sendingMission: '',
      receivingInstitution: '',
      opening: '',
      closing: '',
      place: '',
      date: '',
      answers: '',
      from: '',
      approver: 'Dan',
      drafter: 'Alice',
      clearanceOrder: 'sequential',
      to: [],
      cc: [],
      tags: ['DE'],
      references: [],
      clearers: ['Bob'],
      caveats: [],
    },
    addressees: [{ addressee: { kind: 'unit', name: 'DFAE/EUROPE' }, route: 'action' }],
    paragraphs: [
      { id: 'p1', marking: 'np', text: 'Le ministre arrive lundi.', editedBy: ['Alice'] },
      { id: 'p2', marking: 'dr', text: 'Second.', editedBy: [] },
    ],
    conflicts: [],
    circuit: { drafter: 'Alice', clearers: ['Bob'], order: 'sequential', approver: 'Dan' },
    clearers: [{ name: 'Bob', verdict: 'pending', comment: null, clearedBefore: null }],
    waitingFor: ['Alice'],
    log: [],
    versions: [],
    comments: [],
    release: null,
    heads: [],
    updatedAt: '2026-11-28T10:00:00Z',
    publishError: null,
    actions: aliceBeforeSubmission,
    mayEdit: true,
    editResetsClearances: false,
    language: null,
    ...p,
  };
}
