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

impl Addressee {
    pub fn name(&self) -> &str {
        match self {
            Addressee::Unit(n) | Addressee::Person(n) => n,
        }
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

    #[test]
    fn routes_parse_in_both_languages() {
        assert_eq!("pour action".parse::<Route>(), Ok(Route::Action));
        assert_eq!("Information".parse::<Route>(), Ok(Route::Info));
        assert!("cc".parse::<Route>().is_err());
    }
}
