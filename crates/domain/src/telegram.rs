use std::fmt;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::{Addressee, DomainError, ItemId, Marking, Precedence};

/// A telegram's number: serial per originating post and year, e.g. `PARIS 2026-0042`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TelegramNumber {
    pub post: String,
    pub year: i32,
    pub serial: u32,
}

impl fmt::Display for TelegramNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}-{:04}", self.post, self.year, self.serial)
    }
}

/// Reads the number as it is written: `BERLIN 2026-0042`.
impl std::str::FromStr for TelegramNumber {
    type Err = DomainError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let bad = || DomainError::InvalidNumber {
            kind: "telegram",
            given: raw.to_owned(),
            form: "\"POST YEAR-SERIAL\", e.g. \"BERLIN 2026-0042\"",
        };
        let (post, rest) = raw.trim().rsplit_once(' ').ok_or_else(bad)?;
        let (year, serial) = rest.split_once('-').ok_or_else(bad)?;
        let post = post.trim();
        if post.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            post: post.to_owned(),
            year: year.parse().map_err(|_| bad())?,
            serial: serial.parse().map_err(|_| bad())?,
        })
    }
}

/// A numbered paragraph with its own portion mark.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    pub marking: Marking,
    pub text: String,
}

impl fmt::Debug for Paragraph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paragraph")
            .field("marking", &self.marking)
            .field(
                "text",
                &format_args!("<{} chars>", self.text.chars().count()),
            )
            .finish()
    }
}

/// A thematic code (`ECON`, `POL`, `ENERGIE`) or an ISO 3166-1 alpha-2 country code (`DE`,
/// `SN`). Stored upper-case. Three-letter codes are thematic: `POL` is politics, not Poland.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Tag(String);

impl Tag {
    /// The longest tag, counted in characters once upper-cased (`ß` becomes `SS`).
    pub const MAX_CHARS: usize = 32;

    /// Trims and upper-cases `raw`, then checks the result: the rules apply to what is stored,
    /// so that every stored tag reads back through `new` (and serde) unchanged.
    pub fn new(raw: &str) -> Result<Self, DomainError> {
        let t = raw.trim().to_uppercase();
        let valid = !t.is_empty()
            && t.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(DomainError::InvalidTag(raw.to_owned()));
        }
        if t.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::TagTooLong(raw.to_owned()));
        }
        Ok(Self(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the tag is an assigned ISO 3166-1 alpha-2 country code.
    pub fn is_country(&self) -> bool {
        self.0.len() == 2 && ISO_3166_ALPHA2.split(' ').any(|code| code == self.0)
    }
}

/// The assigned ISO 3166-1 alpha-2 codes.
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH \
BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR \
GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR \
KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV \
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE \
RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL \
TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

impl TryFrom<String> for Tag {
    type Error = DomainError;
    /// Reading a stored tag: the characters are checked as by `new`, the length more widely,
    /// since tags stored before the limit was counted on the upper-cased text may be up to
    /// three times longer (`ﬃ` upper-cases to `FFI`); such an item must still be read.
    fn try_from(value: String) -> Result<Self, Self::Error> {
        match Tag::new(&value) {
            Err(DomainError::TagTooLong(_)) if value.chars().count() <= 3 * Self::MAX_CHARS => {
                Ok(Self(value.trim().to_uppercase()))
            }
            other => other,
        }
    }
}

impl From<Tag> for String {
    fn from(tag: Tag) -> Self {
        tag.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A reference (REF) to an earlier item: its label as written (`TD BERLIN 2026-0117`) and, when
/// it is known locally, the item it designates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemId>,
}

/// A diplomatic telegram (télégramme diplomatique, TD).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Telegram {
    /// Given at release; `None` for a draft or an unnumbered copy.
    pub number: Option<TelegramNumber>,
    /// Date-time group, UTC: `validate` refuses another offset.
    #[serde(with = "time::serde::rfc3339")]
    pub dtg: OffsetDateTime,
    /// Originating post or service.
    pub origin: String,
    pub action: Vec<Addressee>,
    pub info: Vec<Addressee>,
    pub subject: String,
    pub tags: Vec<Tag>,
    pub references: Vec<Reference>,
    pub summary: String,
    pub paragraphs: Vec<Paragraph>,
    pub drafter: String,
    pub clearers: Vec<String>,
    pub approver: Option<String>,
    pub precedence: Precedence,
    /// Required for a Flash: why it cannot wait.
    pub justification: Option<String>,
    pub marking: Marking,
    /// Distribution caveats (e.g. "SPECIAL FRANCE").
    pub caveats: Vec<String>,
}

impl fmt::Debug for Telegram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Telegram")
            .field("number", &self.number)
            .field("dtg", &self.dtg)
            .field("origin", &self.origin)
            .field("precedence", &self.precedence)
            .field("marking", &self.marking)
            .field("paragraphs", &self.paragraphs.len())
            .finish_non_exhaustive()
    }
}

impl Telegram {
    /// Checks the rules of the trade; the first broken one is returned.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.subject.trim().is_empty() {
            return Err(DomainError::Missing("subject"));
        }
        if self.origin.trim().is_empty() {
            return Err(DomainError::Missing("originating post"));
        }
        check_dtg_utc(self.dtg)?;
        if self.action.is_empty() {
            return Err(DomainError::NoActionAddressee);
        }
        check_flash(self.precedence, self.justification.as_deref())?;
        check_portion_marks(self.marking, &self.paragraphs)
    }

    /// The highest portion mark of the paragraphs (NP when there are none).
    pub fn highest_paragraph_marking(&self) -> Marking {
        self.paragraphs
            .iter()
            .map(|p| p.marking)
            .max()
            .unwrap_or_default()
    }
}

/// A DTG is read and shown as UTC: one with another offset would be shown at the wrong time.
fn check_dtg_utc(dtg: OffsetDateTime) -> Result<(), DomainError> {
    if dtg.offset().is_utc() {
        return Ok(());
    }
    Err(DomainError::DtgNotUtc {
        given: dtg_label(dtg),
        utc: dtg
            .checked_to_offset(UtcOffset::UTC)
            .map_or_else(|| "UTC".to_owned(), dtg_label),
    })
}

/// The instant as RFC 3339 writes it: `2026-12-01T18:00:00+02:00`, `2026-12-01T16:00:00Z`.
fn dtg_label(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

pub(crate) fn check_flash(
    precedence: Precedence,
    justification: Option<&str>,
) -> Result<(), DomainError> {
    let justified = justification.is_some_and(|j| !j.trim().is_empty());
    if precedence == Precedence::Flash && !justified {
        return Err(DomainError::FlashWithoutJustification);
    }
    Ok(())
}

pub(crate) fn check_portion_marks(
    marking: Marking,
    paragraphs: &[Paragraph],
) -> Result<(), DomainError> {
    for (index, p) in paragraphs.iter().enumerate() {
        if p.marking > marking {
            return Err(DomainError::MarkingBelowParagraph {
                item: marking.code().into(),
                paragraph: index + 1,
                paragraph_marking: p.marking.code().into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_dtg_with_an_offset_is_refused_with_its_utc_time() {
        let err = check_dtg_utc(datetime!(2026-12-01 18:00 +02:00)).unwrap_err();
        assert_eq!(
            err,
            DomainError::DtgNotUtc {
                given: "2026-12-01T18:00:00+02:00".into(),
                utc: "2026-12-01T16:00:00Z".into(),
            }
        );
        assert_eq!(
            err.to_string(),
            "the date-time group must be given in UTC (Z): convert 2026-12-01T18:00:00+02:00 to 2026-12-01T16:00:00Z"
        );
        // The UTC time can fall on another day.
        let err = check_dtg_utc(datetime!(2026-12-01 20:30:15 -05:30)).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("convert 2026-12-01T20:30:15-05:30 to 2026-12-02T02:00:15Z"),
            "{err}"
        );
        assert_eq!(check_dtg_utc(datetime!(2026-12-01 16:00 UTC)), Ok(()));
    }

    #[test]
    fn a_tag_is_checked_once_upper_cased() {
        // 16 × ß is 32 letters once upper-cased: the longest tag.
        let tag = Tag::new(&"ß".repeat(16)).unwrap();
        assert_eq!(tag.as_str(), "SS".repeat(16));
        assert_eq!(Tag::new(tag.as_str()), Ok(tag));
        // 32 × ß would be stored as 64 letters, which would not read back.
        assert_eq!(
            Tag::new(&"ß".repeat(32)),
            Err(DomainError::TagTooLong("ß".repeat(32)))
        );
        assert!(Tag::new(&"é".repeat(32)).is_ok());
        assert!(Tag::new(&"é".repeat(33)).is_err());
    }

    #[test]
    fn numbers_read_back_as_they_are_written() {
        use crate::NoteNumber;
        let td = TelegramNumber {
            post: "BRUXELLES (RP UE)".into(),
            year: 2026,
            serial: 42,
        };
        assert_eq!(td.to_string().parse::<TelegramNumber>(), Ok(td));
        let note = NoteNumber {
            mission: "Ambassade/Berlin".into(),
            year: 2026,
            serial: 7,
        };
        assert_eq!(note.to_string().parse::<NoteNumber>(), Ok(note));
        for bad in ["", "BERLIN", "BERLIN 2026", "BERLIN 2026-x", " 2026-0042"] {
            assert!(
                matches!(
                    bad.parse::<TelegramNumber>(),
                    Err(DomainError::InvalidNumber {
                        kind: "telegram",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
        for bad in ["", "BERLIN/2026", "/2026/0042", "BERLIN/deux/0042"] {
            let err = bad.parse::<NoteNumber>().unwrap_err();
            assert!(
                err.to_string()
                    .ends_with("write it as \"MISSION/YEAR/SERIAL\", e.g. \"BERLIN/2026/0042\""),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn a_longer_tag_stored_by_an_earlier_version_still_reads() {
        // Before the limit counted the upper-cased text, 32 × ß was stored as 64 letters.
        let stored = serde_json::to_string(&"S".repeat(64)).unwrap();
        let tag: Tag = serde_json::from_str(&stored).unwrap();
        assert_eq!(tag.as_str().len(), 64);
        // Still refused when written anew, and past what any earlier version could store.
        assert!(Tag::new(&"S".repeat(64)).is_err());
        let far = serde_json::to_string(&"S".repeat(97)).unwrap();
        assert!(serde_json::from_str::<Tag>(&far).is_err());
        // The characters are checked as ever.
        assert!(serde_json::from_str::<Tag>("\"A B\"").is_err());
    }
}
