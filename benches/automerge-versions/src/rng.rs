//! A small seeded PRNG (SplitMix64), so every workload is the same on every run and every version.

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `0.0..1.0`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Geometric run length with the given mean, at least 1, at most `max`.
    pub fn run_length(&mut self, mean: f64, max: usize) -> usize {
        let p = 1.0 / mean;
        let mut n = 1;
        while n < max && self.unit() > p {
            n += 1;
        }
        n
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Words to type: English and LaTeX-flavoured, like the paper the real trace comes from.
const WORDS: &[&str] = &[
    "the",
    "of",
    "a",
    "to",
    "and",
    "in",
    "is",
    "that",
    "we",
    "operation",
    "replica",
    "list",
    "element",
    "insert",
    "delete",
    "concurrent",
    "each",
    "with",
    "this",
    "for",
    "by",
    "as",
    "data",
    "structure",
    "JSON",
    "document",
    "CRDT",
    "\\emph{convergence}",
    "network",
    "peer",
    "state",
    "value",
    "map",
    "key",
    "cursor",
    "identifier",
    "Lamport",
    "timestamp",
    "causal",
    "order",
    "messages",
    "delivered",
    "algorithm",
    "semantics",
    "\\cite{Shapiro:2011un}",
    "are",
    "on",
    "it",
    "be",
    "not",
    "an",
    "which",
    "if",
    "two",
    "users",
    "edit",
    "same",
    "time",
    "merge",
    "result",
    "\\texttt{doc}",
    "assignment",
    "register",
    "multi-value",
    "node",
    "tree",
];

/// An endless stream of text-like ASCII characters.
#[derive(Debug)]
pub struct Typist {
    rng: Rng,
    word: &'static [u8],
    at: usize,
}

impl Typist {
    pub fn new(seed: u64) -> Self {
        Typist {
            rng: Rng::new(seed),
            word: b"",
            at: 0,
        }
    }

    pub fn next_char(&mut self) -> char {
        if self.at >= self.word.len() {
            self.word = WORDS[self.rng.below(WORDS.len())].as_bytes();
            self.at = 0;
            return match self.rng.below(20) {
                0 => '.',
                1 => ',',
                2 => '\n',
                _ => ' ',
            };
        }
        let c = self.word[self.at];
        self.at += 1;
        char::from(c)
    }
}

/// One person typing: runs of keystrokes (mean 10) from a random place, a share of them
/// backspaces. The caller passes the current length of the text it types into.
#[derive(Debug)]
pub struct Editor {
    rng: Rng,
    typist: Typist,
    cursor: usize,
    run_left: usize,
    backspace: f64,
}

impl Editor {
    pub fn new(seed: u64, backspace: f64) -> Self {
        Editor {
            rng: Rng::new(seed),
            typist: Typist::new(!seed),
            cursor: 0,
            run_left: 0,
            backspace,
        }
    }

    /// True when the next keystroke starts a new run (at a new place).
    pub fn run_over(&self) -> bool {
        self.run_left == 0
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// The next keystroke as (position, deleted, inserted).
    pub fn keystroke(&mut self, len: usize) -> (usize, usize, String) {
        if self.run_left == 0 {
            self.cursor = self.rng.below(len + 1);
            self.run_left = self.rng.run_length(10.0, 60);
        }
        self.run_left -= 1;
        self.cursor = self.cursor.min(len);
        if self.cursor > 0 && self.rng.unit() < self.backspace {
            self.cursor -= 1;
            (self.cursor, 1, String::new())
        } else {
            let c = self.typist.next_char();
            self.cursor += 1;
            (self.cursor - 1, 0, c.to_string())
        }
    }
}
