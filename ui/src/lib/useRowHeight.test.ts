import { describe, expect, it } from 'vitest';
import { rowHeightFor } from './useRowHeight';

describe('the row height taken from a probe row', () => {
  it('is the probe height in whole px, never under the least height', () => {
    expect(rowHeightFor(0, 60)).toBe(60);
    expect(rowHeightFor(Number.NaN, 60)).toBe(60);
    expect(rowHeightFor(52.4, 60)).toBe(60);
    expect(rowHeightFor(60, 60)).toBe(60);
    expect(rowHeightFor(60.5, 60)).toBe(61);
    expect(rowHeightFor(72.001, 60)).toBe(72);
    expect(rowHeightFor(104.3, 96)).toBe(105);
  });
});
