//! How strong a new passphrase is, for `diplo init` and `diplo passwd`: zxcvbn's estimate of
//! the guesses an attacker needs (common passwords, English words and names, keyboard
//! patterns, dates, repeats, l33t substitutions, and the person's own name, unit and address),
//! read against thresholds for an offline attacker who holds a stolen profile: under 10⁹
//! guesses weak, under 10¹² medium, under 10¹⁶ strong. The interface uses the same thresholds
//! with zxcvbn-ts, which also has French dictionaries (`ui/src/lib/passphrase.ts`). The
//! estimate guides; only the minimum length is enforced ([`crate::MIN_PASSPHRASE_CHARS`]).

use serde::Serialize;

use crate::MIN_PASSPHRASE_CHARS;

/// Where the levels change, in log10 of the guesses.
const LEVEL_LOG10: [f64; 3] = [9.0, 12.0, 16.0];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StrengthLevel {
    Weak,
    Medium,
    Strong,
    VeryStrong,
}

impl StrengthLevel {
    /// The level in French and English, as the CLI prints it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Weak => "faible / weak",
            Self::Medium => "moyenne / fair",
            Self::Strong => "forte / strong",
            Self::VeryStrong => "très forte / very strong",
        }
    }
}

/// The estimate of one passphrase. Holds no part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Strength {
    /// log2 of the guesses needed, rounded.
    pub bits: u32,
    pub level: StrengthLevel,
}

/// The strength of `passphrase`; `context` holds words an attacker would try first (the
/// person's name, unit, address). A passphrase shorter than the minimum is weak whatever the
/// estimate.
pub fn passphrase_strength(passphrase: &str, context: &[&str]) -> Strength {
    if passphrase.is_empty() {
        return Strength {
            bits: 0,
            level: StrengthLevel::Weak,
        };
    }
    let log10 = zxcvbn::zxcvbn(passphrase, context).guesses_log10();
    let bits = (log10 * std::f64::consts::LOG2_10).round().max(0.0) as u32;
    let level = if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        StrengthLevel::Weak
    } else {
        match LEVEL_LOG10.iter().position(|limit| log10 < *limit) {
            Some(0) => StrengthLevel::Weak,
            Some(1) => StrengthLevel::Medium,
            Some(_) => StrengthLevel::Strong,
            None => StrengthLevel::VeryStrong,
        }
    };
    Strength { bits, level }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(p: &str) -> StrengthLevel {
        passphrase_strength(p, &["Alice Lefèvre", "DIPLOMATIE/DUE"]).level
    }

    #[test]
    fn short_or_common_passphrases_are_weak() {
        assert_eq!(level(""), StrengthLevel::Weak);
        assert_eq!(
            level("Xq7!pL2$"),
            StrengthLevel::Weak,
            "under 12 characters"
        );
        assert_eq!(level("password1234"), StrengthLevel::Weak);
        assert_eq!(level("P4ssw0rdP4ssw0rd"), StrengthLevel::Weak);
        assert_eq!(level("qwertyuiop123"), StrengthLevel::Weak);
        assert_eq!(level("aaaaaaaaaaaaaaaa"), StrengthLevel::Weak);
    }

    #[test]
    fn the_persons_own_name_does_not_make_a_passphrase_strong() {
        let with = level("alicelefevre2026");
        let unrelated = passphrase_strength("alicelefevre2026", &[]).level;
        assert!(with <= unrelated, "{with:?} vs {unrelated:?}");
        assert_eq!(with, StrengthLevel::Weak);
    }

    #[test]
    fn long_unusual_passphrases_are_strong() {
        assert!(level("tortue violette mange 37 nuages") >= StrengthLevel::Strong);
        assert_eq!(level("k9#Vq2!mZ8@wL4$pR7&xT1"), StrengthLevel::VeryStrong);
    }

    #[test]
    fn the_estimate_carries_no_part_of_the_passphrase() {
        let s = passphrase_strength("tortue violette mange 37 nuages", &[]);
        let shown = format!("{s:?} {}", serde_json::to_string(&s).unwrap_or_default());
        assert!(!shown.contains("tortue"), "{shown}");
        assert!(s.bits > 40, "{s:?}");
    }
}
