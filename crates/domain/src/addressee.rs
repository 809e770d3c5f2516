use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::marking::fold_word;

/// Whether an addressee must act (pour action / pour attribution) or is informed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    Action,
    Info,
}

impl Route {
    pub const fn code(self) -> &'static str {
        match self {
            Route::Action => "action",
            Route::Info => "info",
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Route {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match fold_word(s).as_str() {
            "action" | "pouraction" | "attribution" | "pourattribution" => Ok(Route::Action),
            "info" | "information" | "pourinformation" => Ok(Route::Info),
            _ => Err(DomainError::UnknownRoute(s.to_owned())),
        }
    }
}

/// Who an item is addressed to: an organisation unit (a post, a service) or a person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Addressee {
    Unit(String),
    Person(String),
}

/// First words that name an organisation in French administrative usage (lower case).
const ORGANISATION_WORDS: &[&str] = &[
    "ambassade",
    "consulat",
    "mission",
    "représentation",
    "délégation",
    "direction",
    "sous-direction",
    "service",
    "cabinet",
    "bureau",
    "département",
    "ministère",
    "secrétariat",
    "centre",
    "pôle",
    "division",
    "cellule",
    "protocole",
];

/// The articles that may come before an organisation word: "Le Cabinet", "La Direction",
/// "Les Services"; elided: "L'Ambassade".
const ARTICLES: &[&str] = &["le", "la", "les"];
const ELIDED_ARTICLES: &[&str] = &["L'", "l'", "L’", "l’"];

impl Addressee {
    pub fn name(&self) -> &str {
        match self {
            Addressee::Unit(n) | Addressee::Person(n) => n,
        }
    }

    /// An addressee as a user typed it: a unit's name or a person's display name.
    /// `unit:` and `person:` decide; otherwise a name is a unit when its first word (after an
    /// article: "Le", "La", "Les", an elided "L'"; a plural counts) is an organisation word of
    /// French administrative usage ("Ambassade", "Direction", "Cabinet"…), when it is written
    /// in capitals ("DFAE", "NUOI"), or when it contains '/' ("DGM/DAE"). A blank name is no
    /// addressee (`None`).
    pub fn classify(raw: &str) -> Option<Addressee> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        if let Some(unit) = raw.strip_prefix("unit:") {
            return Some(Addressee::Unit(unit.trim().to_owned()));
        }
        if let Some(person) = raw.strip_prefix("person:") {
            return Some(Addressee::Person(person.trim().to_owned()));
        }
        let mut words = raw.split_whitespace();
        let mut first = words.next().unwrap_or_default();
        if ARTICLES.contains(&first.to_lowercase().as_str()) {
            first = words.next().unwrap_or_default();
        }
        let first = ELIDED_ARTICLES
            .iter()
            .find_map(|article| first.strip_prefix(article))
            .unwrap_or(first)
            .to_lowercase();
        let organisation = ORGANISATION_WORDS.contains(&first.as_str())
            || first
                .strip_suffix('s')
                .is_some_and(|w| ORGANISATION_WORDS.contains(&w));
        let mut letters = raw.chars().filter(|c| c.is_alphabetic()).peekable();
        let capitals = letters.peek().is_some() && letters.all(char::is_uppercase);
        Some(if organisation || capitals || raw.contains('/') {
            Addressee::Unit(raw.to_owned())
        } else {
            Addressee::Person(raw.to_owned())
        })
    }
}

impl fmt::Display for Addressee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The person using a profile, as the routing rules see them: their display name, the units
/// they belong to, and their email addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserIdentity {
    pub name: String,
    pub units: Vec<String>,
    pub emails: Vec<String>,
}

/// Names compare without case, accents or spacing differences.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let (fa, fb) = (fold_name(a), fold_name(b));
    !fa.is_empty() && fa == fb
}

fn fold_name(s: &str) -> String {
    s.split_whitespace()
        .map(fold_word)
        .collect::<Vec<_>>()
        .join(" ")
}

impl UserIdentity {
    /// Whether this addressee designates this user (by name or by one of their units).
    pub fn is_addressed_by(&self, addressee: &Addressee) -> bool {
        match addressee {
            Addressee::Person(n) => same_name(n, &self.name),
            Addressee::Unit(n) => self.units.iter().any(|u| same_name(n, u)),
        }
    }

    /// Whether this email address is one of the user's (case-insensitive).
    pub fn has_email(&self, address: &str) -> bool {
        let address = address.trim();
        self.emails
            .iter()
            .any(|e| e.trim().eq_ignore_ascii_case(address))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_without_case_or_accents() {
        let alice = UserIdentity {
            name: "Alice Lefèvre".into(),
            units: vec!["DFAE/Direction Europe".into()],
            emails: vec!["alice@diplomatie.example".into()],
        };
        assert!(alice.is_addressed_by(&Addressee::Person("alice  LEFEVRE".into())));
        assert!(!alice.is_addressed_by(&Addressee::Person("Bob Martin".into())));
        assert!(alice.is_addressed_by(&Addressee::Unit("dfae/direction europe".into())));
        assert!(!alice.is_addressed_by(&Addressee::Unit("Alice Lefèvre".into())));
        assert!(alice.has_email("Alice@Diplomatie.Example"));
        assert!(!UserIdentity::default().is_addressed_by(&Addressee::Person(String::new())));
    }

    fn unit(name: &str) -> Option<Addressee> {
        Some(Addressee::Unit(name.to_owned()))
    }

    fn person(name: &str) -> Option<Addressee> {
        Some(Addressee::Person(name.to_owned()))
    }

    #[test]
    fn organisation_words_name_units_after_an_article_singular_or_plural() {
        assert_eq!(
            Addressee::classify("Ambassade de France à Berlin"),
            unit("Ambassade de France à Berlin")
        );
        assert_eq!(
            Addressee::classify("Le Cabinet du ministre"),
            unit("Le Cabinet du ministre")
        );
        assert_eq!(
            Addressee::classify("la direction des archives"),
            unit("la direction des archives")
        );
        assert_eq!(
            Addressee::classify("Les Services du protocole"),
            unit("Les Services du protocole")
        );
        assert_eq!(
            Addressee::classify("L'Ambassade de France"),
            unit("L'Ambassade de France")
        );
        assert_eq!(
            Addressee::classify("l’Ambassade d’Italie"),
            unit("l’Ambassade d’Italie")
        );
        assert_eq!(
            Addressee::classify("Sous-direction des visas"),
            unit("Sous-direction des visas")
        );
        assert_eq!(
            Addressee::classify("Représentation permanente"),
            unit("Représentation permanente")
        );
    }

    #[test]
    fn capitals_and_slashes_name_units_other_names_people() {
        assert_eq!(Addressee::classify("DFAE"), unit("DFAE"));
        assert_eq!(Addressee::classify("NUOI-2"), unit("NUOI-2"));
        assert_eq!(Addressee::classify("DGM/dae"), unit("DGM/dae"));
        assert_eq!(
            Addressee::classify("Alice Lefèvre"),
            person("Alice Lefèvre")
        );
        // An article alone, or a name that only starts like an organisation word, is a person.
        assert_eq!(Addressee::classify("Le Goff"), person("Le Goff"));
        assert_eq!(
            Addressee::classify("Servane Martin"),
            person("Servane Martin")
        );
        // Digits alone have no letters to be capitals.
        assert_eq!(Addressee::classify("1234"), person("1234"));
    }

    #[test]
    fn prefixes_decide_and_blank_is_no_addressee() {
        assert_eq!(
            Addressee::classify("  unit: Alice Lefèvre "),
            unit("Alice Lefèvre")
        );
        assert_eq!(Addressee::classify("person:DFAE"), person("DFAE"));
        assert_eq!(Addressee::classify("  Bob  "), person("Bob"));
        assert_eq!(Addressee::classify(""), None);
        assert_eq!(Addressee::classify("   "), None);
    }

    #[test]
    fn routes_parse_in_both_languages() {
        assert_eq!("pour action".parse::<Route>(), Ok(Route::Action));
        assert_eq!("Information".parse::<Route>(), Ok(Route::Info));
        assert!("cc".parse::<Route>().is_err());
    }
}
