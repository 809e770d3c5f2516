//! How strong a new passphrase is, for `diplo init` and `diplo passwd`: zxcvbn's estimate of
//! the guesses an attacker needs (common passwords, English words and names, the 28,000 most
//! frequent French words ranked by frequency, keyboard patterns, dates, repeats, l33t
//! substitutions, and the person's own name, unit and address), read against thresholds for an
//! offline attacker who holds a stolen profile: under 10⁹ guesses weak, under 10¹² medium,
//! under 10¹⁶ strong. The interface uses the same thresholds and the same French word list
//! with zxcvbn-ts (`ui/src/lib/passphrase.ts`; the list's origin: `data/NOTICE.md`). The
//! estimate guides; only the minimum length is enforced ([`crate::MIN_PASSPHRASE_CHARS`]).

use std::sync::LazyLock;

use serde::Serialize;

use crate::MIN_PASSPHRASE_CHARS;

/// The French words, most frequent first (`data/NOTICE.md`).
static FRENCH: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("../data/fr-common-words.txt")
        .lines()
        .filter(|w| !w.is_empty())
        .collect()
});

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
    estimate(passphrase, context, true)
}

/// The estimate, with or without the French words (after the person's own words, which rank
/// first: zxcvbn ranks the words it is given in their order).
fn estimate(passphrase: &str, context: &[&str], french: bool) -> Strength {
    if passphrase.is_empty() {
        return Strength {
            bits: 0,
            level: StrengthLevel::Weak,
        };
    }
    let words: Vec<&str> = if french {
        context
            .iter()
            .copied()
            .chain(FRENCH.iter().copied())
            .collect()
    } else {
        context.to_vec()
    };
    let log10 = zxcvbn::zxcvbn(passphrase, &words).guesses_log10();
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

    /// French words are dictionary words, not random letters: a passphrase of common French
    /// words is estimated far weaker than without the French list.
    #[test]
    fn common_french_words_are_known() {
        assert!(FRENCH.len() > 20_000);
        for pass in [
            "je suis vraiment content",
            "chateaumerveilleux",
            "bienvenuealamaison",
        ] {
            let with = estimate(pass, &[], true);
            let without = estimate(pass, &[], false);
            assert!(
                with.bits + 10 <= without.bits,
                "{pass}: {with:?} vs {without:?}"
            );
        }
        // Two common words run together: weak, though 18 letters long.
        assert_eq!(level("chateaumerveilleux"), StrengthLevel::Weak);
    }

    #[test]
    fn the_estimate_carries_no_part_of_the_passphrase() {
        let s = passphrase_strength("tortue violette mange 37 nuages", &[]);
        let shown = format!("{s:?} {}", serde_json::to_string(&s).unwrap_or_default());
        assert!(!shown.contains("tortue"), "{shown}");
        assert!(s.bits > 40, "{s:?}");
    }
}
