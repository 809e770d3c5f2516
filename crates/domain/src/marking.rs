use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The protection marking (mention de protection). Only the levels this system is accredited
/// for exist as values: Secret and Très Secret are refused when parsed or deserialised, with
/// the accreditation message.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String")]
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

/// Reads a marking by its exact wire code (`NP`, `DR`); a Secret or Très Secret code gets the
/// accreditation message.
impl TryFrom<String> for Marking {
    type Error = DomainError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        match code.as_str() {
            "NP" => Ok(Marking::NonProtege),
            "DR" => Ok(Marking::DiffusionRestreinte),
            other => match other.parse::<Marking>() {
                Err(e @ DomainError::AboveAccreditation(_)) => Err(e),
                _ => Err(DomainError::UnknownMarking(code)),
            },
        }
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
        assert!(
            err.to_string()
                .starts_with("unknown protection marking 'XX': use NP"),
            "{err}"
        );
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
