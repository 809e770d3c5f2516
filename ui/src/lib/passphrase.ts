// Passphrase strength, estimated by zxcvbn-ts with its common, French and English
// dictionaries (common passwords, words, names, keyboard patterns, l33t substitutions). The
// estimator and its dictionaries (about a megabyte) are loaded on first use through dynamic
// import(), so they stay out of the entry bundle: only the onboarding and the passphrase
// change need them. It guides the user; the backend enforces the minimum length.

import { useEffect, useState } from 'react';

export type StrengthLevel = 'weak' | 'medium' | 'strong' | 'veryStrong';

export interface Strength {
  /** Estimated guessing entropy, in bits (log2 of zxcvbn's guesses). */
  bits: number;
  level: StrengthLevel;
  /** 0 (weak) to 3 (very strong), for a meter. */
  score: 0 | 1 | 2 | 3;
}

export type Estimator = (pass: string, minChars?: number) => Strength;

const LEVELS = ['weak', 'medium', 'strong', 'veryStrong'] as const;

/** A passphrase below the minimum length: weak, whatever the estimator would say. */
function tooShort(pass: string, minChars: number): boolean {
  return Array.from(pass).length < minChars;
}

const WEAK: Strength = { bits: 0, level: 'weak', score: 0 };

/**
 * Levels by zxcvbn's estimate of the guesses needed (log10). The attacker of a stolen profile
 * guesses offline, so the thresholds are stricter than zxcvbn's own score (which calls 10⁶
 * guesses "somewhat guessable"): under 10⁹ weak, under 10¹² medium, under 10¹⁶ strong. The
 * CLI uses the same thresholds with zxcvbn-rs (crates/client/src/passphrase.rs).
 */
export const LEVEL_LOG10 = [9, 12, 16] as const;

function scoreOf(guessesLog10: number): Strength['score'] {
  const below = LEVEL_LOG10.findIndex((limit) => guessesLog10 < limit);
  return (below < 0 ? 3 : below) as Strength['score'];
}

let loading: Promise<Estimator> | null = null;

/** Loads zxcvbn-ts and the dictionaries once; resolves to the estimator. */
export function loadEstimator(): Promise<Estimator> {
  loading ??= (async () => {
    const [core, common, fr, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-fr'),
      import('@zxcvbn-ts/language-en'),
    ]);
    const zxcvbn = new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...fr.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: fr.translations,
      useLevenshteinDistance: true,
    });
    return (pass: string, minChars = 12): Strength => {
      if (pass.length === 0) return WEAK;
      const r = zxcvbn.check(pass);
      const bits = Math.round(r.guessesLog10 * Math.log2(10));
      const score = scoreOf(r.guessesLog10);
      if (tooShort(pass, minChars)) return { bits, level: 'weak', score: 0 };
      return { bits, level: LEVELS[score], score };
    };
  })();
  return loading;
}

/**
 * The strength of `pass`, once the estimator is loaded (null until then, except for an empty
 * or too short passphrase, which is known weak at once).
 */
export function usePassphraseStrength(pass: string, minChars: number): Strength | null {
  const [estimate, setEstimate] = useState<Estimator | null>(null);
  useEffect(() => {
    let live = true;
    void loadEstimator().then((e) => {
      if (live) setEstimate(() => e);
    });
    return () => {
      live = false;
    };
  }, []);
  if (pass.length === 0 || tooShort(pass, minChars)) return estimate ? estimate(pass, minChars) : WEAK;
  return estimate ? estimate(pass, minChars) : null;
}
