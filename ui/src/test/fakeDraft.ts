// A draft as the backend sends it, for the drafting tests.

import type { DraftDto_Serialize } from '../bindings';

/** A telegram draft of Alice's, with one clearer (Bob) and Dan as approver, then `p`. */
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
    ...p,
  };
}
