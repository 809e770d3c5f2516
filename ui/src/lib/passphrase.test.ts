import { describe, expect, it } from 'vitest';
import { estimateStrength } from './passphrase';

describe('passphrase strength', () => {
  it('rates short passphrases weak whatever their mix', () => {
    expect(estimateStrength('Xq7!pL2$', 12).level).toBe('weak');
  });

  it('rates a long random mix very strong', () => {
    expect(estimateStrength('vT9#qLm2!xZr8@Kp4w', 12).level).toBe('veryStrong');
  });

  it('rates a few lowercase words lower than the same words with classes mixed', () => {
    expect(estimateStrength('rivière lente', 12).level).toBe('medium');
    expect(estimateStrength('Rivière lente sous 3 ponts !', 12).level).toBe('veryStrong');
  });

  it('rates repeats and sequences weak even when long', () => {
    expect(estimateStrength('aaaaaaaaaaaaaaaa', 12).level).toBe('weak');
    expect(estimateStrength('abcdefghijklmnop', 12).level).toBe('weak');
    expect(estimateStrength('1234567890123456', 12).level).toBe('weak');
    expect(estimateStrength('abcabcabcabcabc', 12).level).toBe('weak');
  });

  it('rates common words weak, also in leetspeak and capitals', () => {
    expect(estimateStrength('motdepasse1234', 12).level).toBe('weak');
    expect(estimateStrength('P4ssw0rdP4ssw0rd', 12).level).toBe('weak');
    expect(estimateStrength('AzertyAzerty12', 12).level).toBe('weak');
  });

  it('rises with length and classes', () => {
    const a = estimateStrength('rivière lente', 12).bits;
    const b = estimateStrength('rivière lente sous les ponts', 12).bits;
    const c = estimateStrength('Rivière lente sous 3 ponts !', 12).bits;
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
  });

  it('maps bits to the four levels in order', () => {
    const levels = ['qwzmxnvbtyru', 'qwzmxnvbtyruQ3!p', 'correct horse battery staple'].map((p) => estimateStrength(p, 12).level);
    expect(levels).toEqual(['medium', 'strong', 'veryStrong']);
    expect(estimateStrength('qwzmxnvbtyru', 12).score).toBe(1);
    expect(estimateStrength('', 12)).toMatchObject({ bits: 0, level: 'weak', score: 0 });
  });
});
