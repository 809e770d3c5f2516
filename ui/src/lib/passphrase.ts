// A small, pure passphrase strength estimator: an estimate of the bits an attacker must
// guess, from the length, the character classes, repeats, sequences and common words.
// It guides the user; the backend enforces the minimum length.

export type StrengthLevel = 'weak' | 'medium' | 'strong' | 'veryStrong';

export interface Strength {
  /** Estimated guessing entropy, in bits. */
  bits: number;
  level: StrengthLevel;
  /** 0 (weak) to 3 (very strong), for a meter. */
  score: 0 | 1 | 2 | 3;
}

/** Words and keyboard runs that attackers try first (lower case, accents removed). */
const COMMON_WORDS = [
  'password', 'motdepasse', 'passphrase', 'azerty', 'qwerty', 'qwertz', 'abcdef', 'letmein',
  'welcome', 'bienvenue', 'bonjour', 'soleil', 'secret', 'admin', 'root', 'login', 'iloveyou',
  'jetaime', 'dragon', 'monkey', 'football', 'diplomatie', 'ambassade', 'ministere', 'france',
  'paris', 'marseille', 'chouchou', 'doudou', 'loulou', 'nicolas', 'julien', 'master', 'shadow',
  'sunshine', 'princess', 'trustno1', 'changeme', 'default', 'test', 'hello', 'toto',
];

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's', '!': 'i' };

function normalise(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .split('')
    .map((c) => LEET[c] ?? c)
    .join('');
}

/** Bits of a cheap span (a repeat, a sequence, a common word). */
const CHEAP_CHAR_BITS = 1;
const COMMON_WORD_BITS = 6;
/** Bits added for each character class beyond the first. */
const CLASS_BONUS_BITS = 3;

type CharClass = 'lower' | 'upper' | 'digit' | 'space' | 'symbol' | 'other';

function classOf(c: string): CharClass {
  if (/[a-z]/.test(c)) return 'lower';
  if (/[A-Z]/.test(c)) return 'upper';
  if (/[0-9]/.test(c)) return 'digit';
  if (c === ' ') return 'space';
  if (/[!-/:-@[-`{-~]/.test(c)) return 'symbol';
  return 'other';
}

const isLetter = (c: string) => /\p{L}/u.test(c);

/**
 * What one character adds, by its class: a letter that follows a letter adds less than a
 * random one would (words are pronounceable), a space between words little.
 */
function charBits(c: string, prev: string): number {
  switch (classOf(c)) {
    case 'lower':
      return isLetter(prev) ? 3.5 : 4.7;
    case 'upper':
      return 4.7;
    case 'digit':
      return 3.3;
    case 'space':
      return 2;
    case 'symbol':
      return 5;
    case 'other':
      return isLetter(c) && isLetter(prev) ? 3.5 : 5;
  }
}

export function estimateStrength(pass: string, minChars = 12): Strength {
  const chars = Array.from(pass);
  const norm = Array.from(normalise(pass));
  let bits = 0;
  let i = 0;
  while (i < chars.length) {
    // A common word (leetspeak and case folded) costs as much as one guess in a short list.
    const rest = norm.slice(i).join('');
    const word = COMMON_WORDS.find((w) => w.length >= 4 && rest.startsWith(w));
    if (word) {
      bits += COMMON_WORD_BITS;
      i += Array.from(word).length;
      continue;
    }
    // A run of 3+ characters seen earlier ("abcabc", "2024 2024") costs little.
    const seen = repeatLength(chars, i);
    if (seen >= 3) {
      bits += 2;
      i += seen;
      continue;
    }
    const c = chars[i] ?? '';
    const prev = i > 0 ? chars[i - 1] ?? '' : '';
    const prev2 = i > 1 ? chars[i - 2] ?? '' : '';
    const step = (c.codePointAt(0) ?? 0) - (prev.codePointAt(0) ?? -99);
    const prevStep = (prev.codePointAt(0) ?? 0) - (prev2.codePointAt(0) ?? -99);
    const repeat = c === prev;
    const sequence = i > 1 && Math.abs(step) === 1 && step === prevStep;
    bits += repeat || sequence ? CHEAP_CHAR_BITS : charBits(c, prev);
    i += 1;
  }
  const classes = new Set(chars.map(classOf)).size;
  if (classes > 1) bits += (classes - 1) * CLASS_BONUS_BITS;
  bits = Math.round(bits);
  let level: StrengthLevel = bits < 40 ? 'weak' : bits < 60 ? 'medium' : bits < 80 ? 'strong' : 'veryStrong';
  if (chars.length < minChars) level = 'weak';
  const score = (['weak', 'medium', 'strong', 'veryStrong'] as const).indexOf(level) as Strength['score'];
  return { bits, level, score };
}

/** The length of the longest run (3 or more) starting at `i` that already occurs before `i`. */
function repeatLength(chars: string[], i: number): number {
  const before = chars.slice(0, i).join('');
  let best = 0;
  for (let k = 3; i + k <= chars.length; k += 1) {
    if (before.includes(chars.slice(i, i + k).join(''))) best = k;
    else break;
  }
  return best;
}
