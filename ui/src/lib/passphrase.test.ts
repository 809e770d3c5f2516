import { describe, expect, it } from 'vitest';
import { loadEstimator } from './passphrase';

// The real zxcvbn-ts with its common, French and English dictionaries.
const estimate = await loadEstimator();

// Each estimate walks the dictionaries with edit distances: tens of milliseconds, more on a
// loaded machine, so the tests get more than the default five seconds.
describe('passphrase strength (zxcvbn-ts)', { timeout: 60_000 }, () => {
  it('rates short passphrases weak whatever their mix', () => {
    expect(estimate('Xq7!pL2$', 12).level).toBe('weak');
    expect(estimate('', 12)).toMatchObject({ bits: 0, level: 'weak', score: 0 });
  });

  it('rates common passwords weak, also with digits, leetspeak and capitals', () => {
    expect(estimate('motdepasse123', 12).level).toBe('weak');
    expect(estimate('P4ssw0rdP4ssw0rd', 12).level).toBe('weak');
    expect(estimate('azertyuiop123', 12).level).toBe('weak');
    expect(estimate('1234567890123456', 12).level).toBe('weak');
    expect(estimate('aaaaaaaaaaaaaaaa', 12).level).toBe('weak');
  });

  it('rates a long random mix very strong', () => {
    expect(estimate('vT9#qLm2!xZr8@Kp4w', 12).level).toBe('veryStrong');
    expect(estimate('Rivière lente sous 3 ponts !', 12).level).toBe('veryStrong');
  });

  it('knows French words: a phrase of common French words is worth less than random letters of its length', () => {
    const french = estimate('bonjourmonami', 12);
    const random = estimate('qzkvwxjpyfbtg', 12);
    expect(french.bits).toBeLessThan(random.bits - 10);
    expect(french.level).toBe('weak');
    // The French dictionaries are loaded: a French word alone is guessed as such.
    expect(estimate('anticonstitutionnellement', 12).bits).toBeLessThan(estimate('qzkvwxjpyfbtgmlrhdcnswxqzk', 12).bits - 40);
  });

  it('rises with length and maps scores to the four levels in order', () => {
    const a = estimate('rivière lente', 12).bits;
    const b = estimate('rivière lente sous les ponts', 12).bits;
    expect(b).toBeGreaterThan(a);
    const levels = ['motdepasse123', 'demo-diplomatie', 'demo-diplomatie-2026', 'correct horse battery staple'].map((p) => estimate(p, 12));
    expect(levels.map((l) => l.level)).toEqual(['weak', 'medium', 'strong', 'veryStrong']);
    expect(levels.map((l) => l.score)).toEqual([0, 1, 2, 3]);
  });
});
