use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::telegram::{check_flash, check_portion_marks};
use crate::{Addressee, DomainError, Marking, Paragraph, Precedence, Reference};

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// A note verbale's number: serial per sending mission and year.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NoteNumber {
    pub mission: String,
    pub year: i32,
    pub serial: u32,
}

impl fmt::Display for NoteNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{:04}", self.mission, self.year, self.serial)
    }
}

/// Reads the number as it is written: `BERLIN/2026/0042` (the mission may itself hold '/').
impl std::str::FromStr for NoteNumber {
    type Err = DomainError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let bad = || DomainError::InvalidNumber {
            kind: "note",
            given: raw.to_owned(),
            form: "\"MISSION/YEAR/SERIAL\", e.g. \"BERLIN/2026/0042\"",
        };
        let mut parts = raw.trim().rsplitn(3, '/');
        let (serial, year, mission) = (parts.next(), parts.next(), parts.next());
        let mission = mission
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .ok_or_else(bad)?;
        Ok(Self {
            mission: mission.to_owned(),
            year: year.unwrap_or_default().trim().parse().map_err(|_| bad())?,
            serial: serial
                .unwrap_or_default()
                .trim()
                .parse()
                .map_err(|_| bad())?,
        })
    }
}

/// A note verbale: a formal note in the third person between a mission and a foreign ministry,
/// initialled, not signed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiplomaticNote {
    pub number: Option<NoteNumber>,
    pub sending_mission: String,
    pub receiving_institution: String,
    pub subject: String,
    /// "L'Ambassade de France présente ses compliments au Ministère … et a l'honneur de …"
    pub opening: String,
    /// The body, in the third person, paragraph by paragraph.
    pub paragraphs: Vec<Paragraph>,
    /// "… saisit cette occasion pour renouveler … les assurances de sa haute considération."
    pub closing: String,
    pub place: String,
    /// The date written under the place, as `2026-11-28` in JSON.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// The note this one answers.
    pub answers: Option<Reference>,
    /// Internal routing: who handles the note (action) and who is informed.
    pub action: Vec<Addressee>,
    pub info: Vec<Addressee>,
    pub tags: Vec<crate::Tag>,
    pub precedence: Precedence,
    pub justification: Option<String>,
    pub marking: Marking,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl fmt::Debug for DiplomaticNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiplomaticNote")
            .field("number", &self.number)
            .field("sending_mission", &self.sending_mission)
            .field("receiving_institution", &self.receiving_institution)
            .field("date", &self.date)
            .field("marking", &self.marking)
            .finish_non_exhaustive()
    }
}

impl DiplomaticNote {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.subject.trim().is_empty() {
            return Err(DomainError::Missing("subject"));
        }
        if self.sending_mission.trim().is_empty() {
            return Err(DomainError::Missing("sending mission"));
        }
        if self.receiving_institution.trim().is_empty() {
            return Err(DomainError::Missing("receiving institution"));
        }
        if self.opening.trim().is_empty() {
            return Err(DomainError::Missing("opening formula"));
        }
        if self.closing.trim().is_empty() {
            return Err(DomainError::Missing("complimentary close"));
        }
        if self.paragraphs.iter().all(|p| p.text.trim().is_empty()) {
            return Err(DomainError::Missing("body"));
        }
        check_flash(self.precedence, self.justification.as_deref())?;
        check_portion_marks(self.marking, &self.paragraphs)
    }

    /// The customary opening formula, for a template.
    pub fn default_opening(sending_mission: &str, receiving_institution: &str) -> String {
        format!(
            "{sending_mission} présente ses compliments au {receiving_institution} et a l'honneur de"
        )
    }

    /// The customary complimentary close, for a template.
    pub fn default_closing(sending_mission: &str, receiving_institution: &str) -> String {
        format!(
            "{sending_mission} saisit cette occasion pour renouveler au {receiving_institution} les assurances de sa haute considération."
        )
    }
}
