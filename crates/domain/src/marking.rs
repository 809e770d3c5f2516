use std::fmt;
use std::str::FromStr;

use serde::de::{self, EnumAccess, VariantAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::DomainError;

/// The protection marking (mention de protection). Only the levels this system is accredited
/// for exist as values: Secret and Très Secret are refused when parsed or deserialised, with
/// the accreditation message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub enum Marking {
    /// Non protégé.
    #[default]
    #[serde(rename = "NP")]
    NonProtege,
    /// Diffusion Restreinte.
    #[serde(rename = "DR")]
    DiffusionRestreinte,
}

impl Marking {
    pub const ALL: [Marking; 2] = [Marking::NonProtege, Marking::DiffusionRestreinte];

    /// The short code used on the wire, in the store and in portion marks: `NP`, `DR`.
    pub const fn code(self) -> &'static str {
        match self {
            Marking::NonProtege => "NP",
            Marking::DiffusionRestreinte => "DR",
        }
    }

    pub const fn label_fr(self) -> &'static str {
        match self {
            Marking::NonProtege => "Non protégé",
            Marking::DiffusionRestreinte => "Diffusion Restreinte",
        }
    }
}

impl fmt::Display for Marking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The codes on the wire, in the order of the variants.
const CODES: &[&str] = &["NP", "DR"];

impl Marking {
    /// The marking of a wire code (`NP`, `DR`), exactly as serialised. A Secret or Très Secret
    /// code gets the accreditation message, anything else serde's unknown variant error.
    fn from_wire<E: de::Error>(code: &str) -> Result<Self, E> {
        match code {
            "NP" => Ok(Marking::NonProtege),
            "DR" => Ok(Marking::DiffusionRestreinte),
            other => match other.parse::<Marking>() {
                Err(e @ DomainError::AboveAccreditation(_)) => Err(E::custom(e)),
                _ => Err(E::unknown_variant(other, CODES)),
            },
        }
    }
}

/// Reads a marking as serde's derive would (a unit variant named by its code or its index),
/// except for the error on a Secret or Très Secret code.
impl<'de> Deserialize<'de> for Marking {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_enum("Marking", CODES, MarkingVisitor)
    }
}

struct MarkingVisitor;

impl<'de> Visitor<'de> for MarkingVisitor {
    type Value = Marking;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a protection marking: NP or DR")
    }

    fn visit_str<E: de::Error>(self, code: &str) -> Result<Marking, E> {
        Marking::from_wire(code)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Marking, A::Error> {
        let (MarkingCode(marking), variant) = data.variant()?;
        variant.unit_variant()?;
        Ok(marking)
    }
}

/// The name (or index) of a marking's variant.
struct MarkingCode(Marking);

impl<'de> Deserialize<'de> for MarkingCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_identifier(CodeVisitor)
            .map(MarkingCode)
    }
}

struct CodeVisitor;

impl Visitor<'_> for CodeVisitor {
    type Value = Marking;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a protection marking code: NP or DR")
    }

    fn visit_str<E: de::Error>(self, code: &str) -> Result<Marking, E> {
        Marking::from_wire(code)
    }

    fn visit_bytes<E: de::Error>(self, code: &[u8]) -> Result<Marking, E> {
        Marking::from_wire(&String::from_utf8_lossy(code))
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<Marking, E> {
        usize::try_from(index)
            .ok()
            .and_then(|i| Marking::ALL.get(i).copied())
            .ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(index), &self))
    }
}

/// Folds a user-typed word to lowercase ASCII without accents, spaces or punctuation.
pub(crate) fn fold_word(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => Some('e'),
            'à' | 'â' | 'À' | 'Â' => Some('a'),
            'î' | 'ï' | 'Î' | 'Ï' => Some('i'),
            'ô' | 'Ô' => Some('o'),
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

impl FromStr for Marking {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match fold_word(s).as_str() {
            "np" | "nonprotege" => Ok(Marking::NonProtege),
            "dr" | "diffusionrestreinte" => Ok(Marking::DiffusionRestreinte),
            "s" | "secret" | "secretdefense" | "sd" | "confidentieldefense" | "cd" => {
                Err(DomainError::AboveAccreditation("Secret".into()))
            }
            "ts" | "tressecret" | "tressecretdefense" | "tsd" | "topsecret" => {
                Err(DomainError::AboveAccreditation("Très Secret".into()))
            }
            _ => Err(DomainError::UnknownMarking(s.to_owned())),
        }
    }
}

/// Precedence (préséance): Routine < Prioritaire < Immédiat < Flash.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Precedence {
    #[default]
    Routine,
    Prioritaire,
    Immediat,
    Flash,
}

impl Precedence {
    pub const ALL: [Precedence; 4] = [
        Precedence::Routine,
        Precedence::Prioritaire,
        Precedence::Immediat,
        Precedence::Flash,
    ];

    /// The code used in the store and on the command line.
    pub const fn code(self) -> &'static str {
        match self {
            Precedence::Routine => "routine",
            Precedence::Prioritaire => "prioritaire",
            Precedence::Immediat => "immediat",
            Precedence::Flash => "flash",
        }
    }

    /// A number that grows with urgency (0 = routine, 3 = flash).
    pub const fn rank(self) -> u8 {
        self as u8
    }

    pub fn from_rank(rank: u8) -> Option<Self> {
        Self::ALL.get(usize::from(rank)).copied()
    }

    pub const fn label_fr(self) -> &'static str {
        match self {
            Precedence::Routine => "Routine",
            Precedence::Prioritaire => "Prioritaire",
            Precedence::Immediat => "Immédiat",
            Precedence::Flash => "Flash",
        }
    }
}

impl fmt::Display for Precedence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Precedence {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match fold_word(s).as_str() {
            "routine" | "r" => Ok(Precedence::Routine),
            "prioritaire" | "priority" | "p" => Ok(Precedence::Prioritaire),
            "immediat" | "immediate" | "i" => Ok(Precedence::Immediat),
            "flash" | "f" => Ok(Precedence::Flash),
            _ => Err(DomainError::UnknownPrecedence(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_levels_are_refused_with_the_accreditation_message() {
        for word in [
            "secret",
            "Secret",
            "SECRET",
            "tres-secret",
            "Très Secret",
            "TS",
        ] {
            let err = word.parse::<Marking>().unwrap_err();
            assert!(
                matches!(err, DomainError::AboveAccreditation(_)),
                "{word}: {err}"
            );
            assert!(
                err.to_string()
                    .contains("above this system's accreditation")
            );
        }
    }

    #[test]
    fn secret_codes_are_refused_on_deserialising_with_the_accreditation_message() {
        for (json, level) in [(r#""S""#, "Secret"), (r#""TS""#, "Très Secret")] {
            let err = serde_json::from_str::<Marking>(json).unwrap_err();
            assert!(
                err.to_string().starts_with(&format!(
                    "{level} is above this system's accreditation: use the classified network"
                )),
                "{json}: {err}"
            );
        }
        // In a document too: the error reaches the caller whatever the nesting.
        let err = serde_json::from_str::<Vec<Marking>>(r#"["NP", "S"]"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("above this system's accreditation")
        );
        let err = serde_json::from_str::<Marking>(r#""XX""#).unwrap_err();
        assert!(err.to_string().contains("unknown variant `XX`"), "{err}");
        // The codes are exact on the wire, as the derive had them.
        assert!(serde_json::from_str::<Marking>(r#""np""#).is_err());
        for m in Marking::ALL {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<Marking>(&json).unwrap(), m);
        }
    }

    #[test]
    fn markings_parse_from_codes_and_labels() {
        assert_eq!("np".parse::<Marking>(), Ok(Marking::NonProtege));
        assert_eq!("Non protégé".parse::<Marking>(), Ok(Marking::NonProtege));
        assert_eq!(
            "Diffusion Restreinte".parse::<Marking>(),
            Ok(Marking::DiffusionRestreinte)
        );
        assert!(matches!(
            "confidential".parse::<Marking>(),
            Err(DomainError::UnknownMarking(_))
        ));
    }

    #[test]
    fn precedence_orders_routine_to_flash() {
        assert!(Precedence::Routine < Precedence::Prioritaire);
        assert!(Precedence::Prioritaire < Precedence::Immediat);
        assert!(Precedence::Immediat < Precedence::Flash);
        assert_eq!("Immédiat".parse::<Precedence>(), Ok(Precedence::Immediat));
        for p in Precedence::ALL {
            assert_eq!(Precedence::from_rank(p.rank()), Some(p));
        }
    }
}
