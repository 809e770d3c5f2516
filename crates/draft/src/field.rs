//! The names of a draft's fields, which kinds have them, and how each one merges.

use diplomatie_domain::{ItemKind, Mailbox, Marking, Precedence, Tag};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use crate::DraftError;

/// A single-valued field of a draft.
///
/// Text or register:
/// - **Text** (`subject`, `summary`, `opening`, `closing`): prose that several people type in at
///   once. It merges character by character, so two people typing in the subject both keep
///   their words.
/// - **Register** (every other field): a value that is right or wrong as a whole: a post
///   (`origin`), a marking, a date. Merging "PARIS" and "BERLIN" character by character would
///   make a word that is neither. Two values set concurrently are kept side by side as a
///   *conflict* the user resolves (`DraftDoc::field_conflicts`, `resolve_field`); until then
///   every replica shows the same one of them (automerge's deterministic winner).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldName {
    Subject,
    /// `NP` or `DR` (Secret and Très Secret are refused).
    Marking,
    /// `routine`, `prioritaire`, `immediat` or `flash`.
    Precedence,
    /// Why a Flash cannot wait: one line, a register (one person writes it; a concurrent
    /// rewrite is shown as a conflict rather than interleaved).
    Justification,
    /// The originating post or service of a telegram.
    Origin,
    /// A telegram's summary (résumé).
    Summary,
    /// When action is due: RFC 3339 (`2026-12-01T12:00:00Z`), or empty.
    Deadline,
    SendingMission,
    ReceivingInstitution,
    /// A note's opening formula.
    Opening,
    /// A note's complimentary close.
    Closing,
    /// Where a note is written (`Paris`).
    Place,
    /// The date written under the place: `2026-11-28`, or empty (the release date is used).
    Date,
    /// The label of the note this one answers.
    Answers,
    /// An email's sender, `Name <address>` or `address`.
    From,
    /// Who approves (signs) the draft.
    Approver,
    /// Who drafts it (set at creation to its creator; submits it into clearance).
    Drafter,
    /// `sequential` (each clearer in the order named) or `parallel`.
    ClearanceOrder,
}

impl FieldName {
    pub const ALL: [FieldName; 18] = [
        FieldName::Subject,
        FieldName::Marking,
        FieldName::Precedence,
        FieldName::Justification,
        FieldName::Origin,
        FieldName::Summary,
        FieldName::Deadline,
        FieldName::SendingMission,
        FieldName::ReceivingInstitution,
        FieldName::Opening,
        FieldName::Closing,
        FieldName::Place,
        FieldName::Date,
        FieldName::Answers,
        FieldName::From,
        FieldName::Approver,
        FieldName::Drafter,
        FieldName::ClearanceOrder,
    ];

    /// The key in the document's `fields` map.
    pub const fn key(self) -> &'static str {
        match self {
            FieldName::Subject => "subject",
            FieldName::Marking => "marking",
            FieldName::Precedence => "precedence",
            FieldName::Justification => "justification",
            FieldName::Origin => "origin",
            FieldName::Summary => "summary",
            FieldName::Deadline => "deadline",
            FieldName::SendingMission => "sending_mission",
            FieldName::ReceivingInstitution => "receiving_institution",
            FieldName::Opening => "opening",
            FieldName::Closing => "closing",
            FieldName::Place => "place",
            FieldName::Date => "date",
            FieldName::Answers => "answers",
            FieldName::From => "from",
            FieldName::Approver => "approver",
            FieldName::Drafter => "drafter",
            FieldName::ClearanceOrder => "clearance_order",
        }
    }

    /// Whether the field is a Text (merged character by character) rather than a register.
    pub const fn is_text(self) -> bool {
        matches!(
            self,
            FieldName::Subject | FieldName::Summary | FieldName::Opening | FieldName::Closing
        )
    }

    /// Whether drafts of this kind have the field.
    pub const fn applies_to(self, kind: ItemKind) -> bool {
        use ItemKind::{DiplomaticNote as Note, FormalEmail as Email, Telegram};
        match self {
            FieldName::Subject
            | FieldName::Marking
            | FieldName::Precedence
            | FieldName::Deadline
            | FieldName::Approver
            | FieldName::Drafter
            | FieldName::ClearanceOrder => true,
            FieldName::Justification => matches!(kind, Telegram | Note),
            FieldName::Origin | FieldName::Summary => matches!(kind, Telegram),
            FieldName::SendingMission
            | FieldName::ReceivingInstitution
            | FieldName::Opening
            | FieldName::Closing
            | FieldName::Place
            | FieldName::Date
            | FieldName::Answers => matches!(kind, Note),
            FieldName::From => matches!(kind, Email),
        }
    }

    /// Checks a register's value and returns the form stored (markings and precedences by
    /// their code, so that every replica writes the same string for the same choice).
    pub(crate) fn normalise(self, value: &str) -> Result<String, DraftError> {
        let invalid = |reason: &'static str| DraftError::InvalidValue {
            field: self.key(),
            reason,
        };
        Ok(match self {
            FieldName::Marking => value.parse::<Marking>()?.code().to_owned(),
            FieldName::Precedence => value.parse::<Precedence>()?.code().to_owned(),
            FieldName::Deadline if !value.trim().is_empty() => {
                time::OffsetDateTime::parse(value.trim(), &Rfc3339).map_err(|_| {
                    invalid("use an RFC 3339 date-time such as 2026-12-01T12:00:00Z")
                })?;
                value.trim().to_owned()
            }
            FieldName::Date if !value.trim().is_empty() => {
                time::Date::parse(value.trim(), format_description!("[year]-[month]-[day]"))
                    .map_err(|_| invalid("use a date such as 2026-11-28"))?;
                value.trim().to_owned()
            }
            FieldName::ClearanceOrder => match value.trim() {
                "" | "sequential" => "sequential".to_owned(),
                "parallel" => "parallel".to_owned(),
                _ => return Err(invalid("use sequential or parallel")),
            },
            FieldName::Approver | FieldName::Drafter => value.trim().to_owned(),
            FieldName::From if !value.trim().is_empty() => {
                Mailbox::parse(value)?;
                value.trim().to_owned()
            }
            _ => value.to_owned(),
        })
    }
}

/// A field that holds a list of strings. Each is an automerge list: concurrent additions by
/// several people are all kept; the view shows each value once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListField {
    /// An email's To.
    To,
    /// An email's Cc.
    Cc,
    /// Thematic or country codes, stored upper-case.
    Tags,
    /// Labels of earlier items (`TD BERLIN 2026-0117`).
    References,
    /// The named clearers, in clearance order.
    Clearers,
    /// Distribution caveats (`SPECIAL FRANCE`).
    Caveats,
}

impl ListField {
    pub const ALL: [ListField; 6] = [
        ListField::To,
        ListField::Cc,
        ListField::Tags,
        ListField::References,
        ListField::Clearers,
        ListField::Caveats,
    ];

    pub const fn key(self) -> &'static str {
        match self {
            ListField::To => "to",
            ListField::Cc => "cc",
            ListField::Tags => "tags",
            ListField::References => "references",
            ListField::Clearers => "clearers",
            ListField::Caveats => "caveats",
        }
    }

    pub const fn applies_to(self, kind: ItemKind) -> bool {
        use ItemKind::{DiplomaticNote as Note, FormalEmail as Email, Telegram};
        match self {
            ListField::To | ListField::Cc => matches!(kind, Email),
            ListField::Tags => matches!(kind, Telegram | Note),
            ListField::References | ListField::Caveats => matches!(kind, Telegram),
            ListField::Clearers => true,
        }
    }

    /// Checks a value and returns the form stored.
    pub(crate) fn normalise(self, value: &str) -> Result<String, DraftError> {
        let value = value.trim();
        match self {
            ListField::Tags => Ok(Tag::new(value)?.as_str().to_owned()),
            ListField::To | ListField::Cc => {
                Mailbox::parse(value)?;
                Ok(value.to_owned())
            }
            _ if value.is_empty() => Err(DraftError::InvalidValue {
                field: self.key(),
                reason: "an empty value cannot be added: type a value",
            }),
            _ => Ok(value.to_owned()),
        }
    }
}

/// The key of the addressees list in the `fields` map; telegrams and notes have it.
pub(crate) const ADDRESSEES: &str = "addressees";

pub(crate) const fn has_addressees(kind: ItemKind) -> bool {
    matches!(kind, ItemKind::Telegram | ItemKind::DiplomaticNote)
}
