//! Safety numbers: what two people compare, in person or by phone, to know that the identity
//! keys their applications hold are each other's.
//!
//! Each side's half is 30 digits from its identity key: SHA-512 iterated 5,200 times over a
//! version, the key and a label (as Signal does, so that finding a key whose half looks alike
//! costs as much as possible), the first 30 bytes read as six 5-byte numbers modulo 100,000.
//! The two halves are put in a fixed order (the smaller first), so both people see the same
//! 60 digits: about 199 bits, 99.6 from each key. Shown in twelve groups of five.

use std::fmt;

use sha2::{Digest, Sha512};

use crate::IdentityKey;

const VERSION: [u8; 2] = [0, 1];
const LABEL: &[u8] = b"diplomatie/safety-number/v1";
const ITERATIONS: usize = 5_200;

/// The 60 digits two people compare.
#[derive(Clone, PartialEq, Eq)]
pub struct SafetyNumber {
    digits: String,
}

fn half(key: &IdentityKey) -> String {
    let mut hash = Sha512::new();
    hash.update(VERSION);
    hash.update(key.0);
    hash.update(LABEL);
    let mut digest = hash.finalize();
    for _ in 1..ITERATIONS {
        let mut hash = Sha512::new();
        hash.update(digest);
        hash.update(key.0);
        digest = hash.finalize();
    }
    digest
        .chunks_exact(5)
        .take(6)
        .map(|chunk| {
            let n = chunk.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
            format!("{:05}", n % 100_000)
        })
        .collect()
}

impl SafetyNumber {
    /// The safety number of the pair `a`, `b`: the same whichever is given first.
    pub fn of(a: &IdentityKey, b: &IdentityKey) -> Self {
        let (x, y) = (half(a), half(b));
        let digits = if x <= y { x + &y } else { y + &x };
        Self { digits }
    }

    /// The 60 digits, without spaces.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The twelve groups of five digits.
    pub fn groups(&self) -> Vec<&str> {
        (0..12)
            .filter_map(|i| self.digits.get(i * 5..i * 5 + 5))
            .collect()
    }

    /// Whether digits typed or read out are these: spaces, dashes and line breaks between
    /// them do not count, anything else does.
    pub fn matches(&self, typed: &str) -> bool {
        let compact: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        compact == self.digits
    }
}

impl fmt::Display for SafetyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.groups().join(" "))
    }
}

impl fmt::Debug for SafetyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SafetyNumber({self})")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn both_sides_see_the_same_sixty_digits_in_twelve_groups() {
        let (a, b) = (IdentityKey([1; 32]), IdentityKey([2; 32]));
        let n = SafetyNumber::of(&a, &b);
        assert_eq!(n, SafetyNumber::of(&b, &a));
        assert_eq!(n.digits().len(), 60);
        assert!(n.digits().chars().all(|c| c.is_ascii_digit()));
        assert_eq!(n.groups().len(), 12);
        assert_eq!(n.to_string().len(), 60 + 11);
        assert!(n.matches(&n.to_string()));
        assert!(n.matches(&n.to_string().replace(' ', "\n")));
        let mut wrong = n.digits().to_owned();
        wrong.replace_range(59..60, if wrong.ends_with('0') { "1" } else { "0" });
        assert!(!n.matches(&wrong));
        assert!(!n.matches(&n.digits()[..55]));
        assert!(!n.matches(""));
    }

    /// Pinned: the digits of two fixed keys never change across versions of the code (people
    /// compare numbers computed by different versions).
    #[test]
    fn the_digits_of_fixed_keys_are_pinned() {
        let n = SafetyNumber::of(&IdentityKey([1; 32]), &IdentityKey([2; 32]));
        assert_eq!(n.digits(), PINNED);
    }

    /// Computed independently (Python hashlib) from the description in the module doc.
    const PINNED: &str = "155815174166263266491824606308255834488671754540660188414479";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Any other pair gives other digits.
        #[test]
        fn another_pair_gives_other_digits(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), c in any::<[u8; 32]>()) {
            prop_assume!(c != a && c != b);
            let (a, b, c) = (IdentityKey(a), IdentityKey(b), IdentityKey(c));
            let ab = SafetyNumber::of(&a, &b);
            prop_assert_eq!(&ab, &SafetyNumber::of(&b, &a));
            prop_assert_ne!(&ab, &SafetyNumber::of(&a, &c));
            prop_assert_ne!(&ab, &SafetyNumber::of(&c, &b));
        }
    }
}
