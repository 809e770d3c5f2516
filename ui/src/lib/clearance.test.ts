import { describe, expect, it } from 'vitest';
import type { DraftDto_Serialize } from '../bindings';
import { availability, editResetsClearances, mayEdit } from './clearance';

type D = Parameters<typeof availability>[0];

function draft(p: Partial<D> = {}): D {
  return {
    stage: 'draft',
    round: 0,
    circuit: { drafter: 'Alice', clearers: ['Bob', 'Carol'], order: 'sequential', approver: 'Dan' },
    clearers: [
      { name: 'Bob', verdict: 'pending', comment: null, clearedBefore: null },
      { name: 'Carol', verdict: 'pending', comment: null, clearedBefore: null },
    ],
    waitingFor: ['Alice'],
    conflicts: [],
    fields: { drafter: 'Alice', approver: 'Dan' } as DraftDto_Serialize['fields'],
    ...p,
  };
}

const enabled = (d: D, me: string) =>
  Object.entries(availability(d, me))
    .filter(([, why]) => why === null)
    .map(([a]) => a)
    .sort();

describe('which clearance actions are enabled, by role and stage', () => {
  it('lets only the drafter submit a draft, and the drafter or approver withdraw it', () => {
    expect(enabled(draft(), 'Alice')).toEqual(['submit', 'withdraw']);
    expect(enabled(draft(), 'Bob')).toEqual([]);
    expect(enabled(draft(), 'Dan')).toEqual(['withdraw']);
    expect(availability(draft(), 'Bob').submit).toEqual({ reason: 'notDrafter', who: 'Alice' });
  });

  it('refuses to submit with unresolved conflicts or without an approver', () => {
    expect(availability(draft({ conflicts: [{ field: 'subject', values: ['a', 'b'] }] }), 'Alice').submit?.reason).toBe('conflicts');
    const noApprover = draft({ circuit: { drafter: 'Alice', clearers: [], order: 'sequential', approver: '' }, fields: { drafter: 'Alice', approver: '' } as D['fields'] });
    expect(availability(noApprover, 'Alice').submit?.reason).toBe('noApprover');
  });

  it('in sequential clearance lets the first pending clearer act, and tells the next whose turn it is', () => {
    const d = draft({ stage: 'in_clearance', round: 1, waitingFor: ['Bob'] });
    expect(enabled(d, 'Bob')).toEqual(['clear', 'reject']);
    expect(availability(d, 'Carol').clear).toEqual({ reason: 'notYourTurn', who: 'Bob' });
    expect(availability(d, 'Alice').clear?.reason).toBe('notClearer');
    expect(availability(d, 'Dan').approve?.reason).toBe('stage');
  });

  it('in parallel clearance lets every pending clearer act, not one who cleared', () => {
    const d = draft({
      stage: 'in_clearance',
      round: 1,
      circuit: { drafter: 'Alice', clearers: ['Bob', 'Carol'], order: 'parallel', approver: 'Dan' },
      clearers: [
        { name: 'Bob', verdict: 'cleared', comment: null, clearedBefore: null },
        { name: 'Carol', verdict: 'pending', comment: null, clearedBefore: null },
      ],
      waitingFor: ['Carol'],
    });
    expect(enabled(d, 'Carol')).toEqual(['clear', 'reject']);
    expect(availability(d, 'Bob').clear?.reason).toBe('alreadyCleared');
  });

  it('lets only the approver approve when ready, then release when approved', () => {
    const ready = draft({ stage: 'ready_for_approval', round: 1, waitingFor: ['Dan'] });
    expect(enabled(ready, 'Dan')).toEqual(['approve', 'withdraw']);
    expect(availability(ready, 'Alice').approve).toEqual({ reason: 'notApprover', who: 'Dan' });
    const approved = draft({ stage: 'approved', round: 1, waitingFor: ['Dan'] });
    expect(enabled(approved, 'Dan')).toEqual(['release', 'withdraw']);
  });

  it('allows nothing once released or withdrawn', () => {
    for (const stage of ['released', 'withdrawn'] as const) {
      expect(enabled(draft({ stage, round: 1 }), 'Alice')).toEqual([]);
      expect(availability(draft({ stage }), 'Dan').release?.reason).toBe('final');
      expect(mayEdit(draft({ stage }), 'Alice')).toBe(false);
    }
  });

  it('lets anyone edit before submission and only the circuit after', () => {
    expect(mayEdit(draft(), 'Eve')).toBe(true);
    const d = draft({ stage: 'in_clearance', round: 1 });
    expect(mayEdit(d, 'Eve')).toBe(false);
    expect(mayEdit(d, 'Carol')).toBe(true);
    expect(editResetsClearances(d)).toBe(false);
    expect(
      editResetsClearances({ ...d, clearers: [{ name: 'Bob', verdict: 'cleared', comment: null, clearedBefore: null }] }),
    ).toBe(true);
  });
});
