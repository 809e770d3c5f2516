//! The language a document is written in, so that the interface can declare it (`lang`) and a
//! screen reader reads it with the right voice.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

/// A document's language: the primary language subtag of a BCP 47 tag (RFC 5646), two or three
/// lower-case letters (`fr`, `en`, `ar`, `zh`, `fil`). Regions and scripts are not kept: the
/// language is what a screen reader needs to choose its voice, and what `lang` declares.
///
/// An item without one is of an unknown language: the interface's language applies to it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Language([u8; 3]);

impl Language {
    pub const FRENCH: Language = Language(*b"fr\0");
    pub const ENGLISH: Language = Language(*b"en\0");

    /// Reads a BCP 47 tag (`en`, `en-GB`, `zh-Hant-TW`; `_` is taken for `-`, as some mail
    /// clients write it) and keeps its primary language subtag, lower-cased.
    ///
    /// Refused: a tag that is not well formed (a subtag that is empty, longer than 8 characters
    /// or not letters and digits), a private-use or grandfathered tag (`x-…`, `i-…`), a primary
    /// subtag of 4 to 8 letters (reserved or registered, not a language a reader knows), the
    /// codes that name no single language (`und` undetermined, `mul` several, `zxx` no
    /// linguistic content, `mis` uncoded) and ISO 639's private-use range `qaa`–`qtz`.
    pub fn parse(tag: &str) -> Result<Self, DomainError> {
        let invalid = || DomainError::InvalidLanguage(tag.chars().take(40).collect());
        let tag = tag.trim();
        let mut subtags = tag.split(['-', '_']);
        let primary = subtags.next().unwrap_or_default();
        let well_formed =
            |s: &str| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
        if !well_formed(primary) || !subtags.all(well_formed) {
            return Err(invalid());
        }
        let primary = primary.to_ascii_lowercase();
        let code = match *primary.as_bytes() {
            [a, b] => [a, b, 0],
            [a, b, c] => [a, b, c],
            _ => return Err(invalid()),
        };
        if !code.iter().all(|b| *b == 0 || b.is_ascii_lowercase()) {
            return Err(invalid());
        }
        let private_use = code[0] == b'q' && (b'a'..=b't').contains(&code[1]) && code[2] != 0;
        if private_use || matches!(primary.as_str(), "und" | "mul" | "zxx" | "mis") {
            return Err(invalid());
        }
        Ok(Language(code))
    }

    /// The primary language subtag: `fr`, `en`, `fil`.
    pub fn as_str(&self) -> &str {
        let code = self.0.strip_suffix(&[0]).unwrap_or(&self.0);
        std::str::from_utf8(code).unwrap_or("und")
    }
}

impl FromStr for Language {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::parse(s)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Language({})", self.as_str())
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(deserializer)?;
        Language::parse(&tag).map_err(serde::de::Error::custom)
    }
}

/// Deserializes an item's language leniently: a value that is not a language tag (from a peer
/// of another version, or damaged) is read as unknown rather than losing the whole item.
pub(crate) fn lenient<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Language>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Tag(String),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Raw::deserialize(deserializer)? {
        Raw::Tag(tag) => Language::parse(&tag).ok(),
        Raw::Other(_) => None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_tag_keeps_its_primary_subtag_lower_cased() {
        for (tag, primary) in [
            ("fr", "fr"),
            ("EN-gb", "en"),
            (" de-DE ", "de"),
            ("en_US", "en"),
            ("zh-Hant-TW", "zh"),
            ("ar", "ar"),
            ("fil", "fil"),
            ("sr-Latn-RS", "sr"),
            ("de-CH-1996", "de"),
        ] {
            assert_eq!(Language::parse(tag).unwrap().as_str(), primary, "{tag}");
        }
        assert_eq!(Language::parse("fr").unwrap(), Language::FRENCH);
        assert_eq!(Language::parse("en-GB").unwrap(), Language::ENGLISH);
    }

    #[test]
    fn malformed_or_indeterminate_tags_are_refused() {
        for tag in [
            "",
            " ",
            "f",
            "français",
            "english",
            "en-",
            "-en",
            "en--GB",
            "en-toolongsubtag",
            "x-klingon",
            "i-enochian",
            "und",
            "mul",
            "zxx",
            "MIS",
            "qaa",
            "qtz",
            "e1",
            "12",
            "fr;q=0.8",
            "en, fr",
            "é",
            "ʼen",
            "en\u{0}",
        ] {
            assert!(Language::parse(tag).is_err(), "{tag:?}");
        }
        // A private-use code is refused, a real code beside that range is not.
        assert_eq!(Language::parse("que").unwrap().as_str(), "que");
    }

    #[test]
    fn it_serializes_as_its_code_and_refuses_a_bad_one() {
        let json = serde_json::to_string(&Language::ENGLISH).unwrap();
        assert_eq!(json, "\"en\"");
        assert_eq!(
            serde_json::from_str::<Language>(&json).unwrap(),
            Language::ENGLISH
        );
        assert!(serde_json::from_str::<Language>("\"x-bad\"").is_err());
        assert_eq!(format!("{:?}", Language::FRENCH), "Language(fr)");
    }
}
