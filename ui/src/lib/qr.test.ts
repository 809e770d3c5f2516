import { describe, expect, it } from 'vitest';
import { qrRuns } from './qr';

describe('qrRuns', () => {
  it('joins the dark modules of each row into runs, and only those', () => {
    // Row 0: ##.#  Row 1: ....  Row 2: .###  Row 3: #..#
    const rows = ['##.#', '....', '.###', '#..#'];
    const dark = rows.flatMap((r) => [...r].map((c) => c === '#'));
    expect(qrRuns(4, dark)).toEqual([
      { x: 0, y: 0, length: 2 },
      { x: 3, y: 0, length: 1 },
      { x: 1, y: 2, length: 3 },
      { x: 0, y: 3, length: 1 },
      { x: 3, y: 3, length: 1 },
    ]);
  });

  it('draws nothing from modules that do not make a square', () => {
    expect(qrRuns(3, [true, true])).toEqual([]);
    expect(qrRuns(0, [])).toEqual([]);
  });
});
