//! Every command fails with one shape, `{ kind, message, field, detail }`: `kind` says what
//! happened in a way the interface translates (French first), `message` is the English text
//! of the services for logs and for kinds the interface does not know yet, `field` names the
//! form field to point at, `detail` carries the value a translated message quotes.

use diplomatie_client::{ClientError, StoreError};
use diplomatie_domain::DomainError;
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No profile is unlocked (it was locked meanwhile): unlock again.
    Locked,
    NoProfile,
    ProfileExists,
    WrongPassphrase,
    WeakPassphrase,
    Damaged,
    NewerSchema,
    NotFound,
    /// A required form field is empty (`field`).
    Missing,
    NoActionAddressee,
    FlashWithoutJustification,
    /// The item's marking is below a paragraph's (`detail`: the paragraph number).
    MarkingBelowParagraph,
    AboveAccreditation,
    InvalidTag,
    InvalidAddress,
    InvalidDate,
    InvalidQuery,
    InvalidSetting,
    Io,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    pub field: Option<String>,
    pub detail: Option<String>,
}

impl CommandError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
            detail: None,
        }
    }

    fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn locked() -> Self {
        Self::new(ErrorKind::Locked, "the profile is locked: unlock it again")
    }

    pub fn missing(field: &str) -> Self {
        Self::new(
            ErrorKind::Missing,
            format!("the {field} is empty: it is required"),
        )
        .with_field(field)
    }

    pub fn invalid_date(field: &str, raw: &str) -> Self {
        Self::new(
            ErrorKind::InvalidDate,
            format!("invalid date '{raw}': use the form 2026-12-01"),
        )
        .with_field(field)
        .with_detail(raw)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

/// The form field a domain "missing" names.
fn field_of(what: &str) -> &str {
    match what {
        "subject" => "subject",
        "body" => "paragraphs",
        "complimentary close" => "closing",
        "opening formula" => "opening",
        "originating post" => "origin",
        "receiving institution" => "receivingInstitution",
        "sending mission" => "sendingMission",
        "recipient list (To or Cc)" => "to",
        "name" => "name",
        "organisation" => "org",
        other => other,
    }
}

impl From<DomainError> for CommandError {
    fn from(e: DomainError) -> Self {
        let message = e.to_string();
        match e {
            DomainError::AboveAccreditation(m) => Self::new(ErrorKind::AboveAccreditation, message)
                .with_field("marking")
                .with_detail(m),
            DomainError::NoActionAddressee => {
                Self::new(ErrorKind::NoActionAddressee, message).with_field("action")
            }
            DomainError::FlashWithoutJustification => {
                Self::new(ErrorKind::FlashWithoutJustification, message).with_field("justification")
            }
            DomainError::MarkingBelowParagraph { paragraph, .. } => {
                Self::new(ErrorKind::MarkingBelowParagraph, message)
                    .with_field("marking")
                    .with_detail(paragraph.to_string())
            }
            DomainError::Missing(what) => {
                Self::new(ErrorKind::Missing, message).with_field(field_of(what))
            }
            DomainError::InvalidTag(t) => Self::new(ErrorKind::InvalidTag, message)
                .with_field("tags")
                .with_detail(t),
            DomainError::InvalidAddress(a) => {
                Self::new(ErrorKind::InvalidAddress, message).with_detail(a)
            }
            DomainError::InvalidId(_) => Self::new(ErrorKind::NotFound, message),
            DomainError::UnknownMarking(_)
            | DomainError::UnknownPrecedence(_)
            | DomainError::UnknownKind(_)
            | DomainError::UnknownRoute(_) => Self::new(ErrorKind::Internal, message),
        }
    }
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        let kind = match e {
            StoreError::WrongPassphrase => ErrorKind::WrongPassphrase,
            StoreError::NoProfile(_) => ErrorKind::NoProfile,
            StoreError::AlreadyExists(_) => ErrorKind::ProfileExists,
            StoreError::Damaged(_) | StoreError::KeyFile(_) => ErrorKind::Damaged,
            StoreError::NewerSchema { .. } => ErrorKind::NewerSchema,
            StoreError::NotFound(_) => ErrorKind::NotFound,
            StoreError::InvalidQuery(_) => ErrorKind::InvalidQuery,
            StoreError::Io(_) => ErrorKind::Io,
            StoreError::Sqlite(_) | StoreError::Serde(_) | StoreError::Crypto(_) => {
                ErrorKind::Internal
            }
        };
        Self::new(kind, message)
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        let message = e.to_string();
        match e {
            ClientError::Store(s) => s.into(),
            ClientError::Domain(d) => d.into(),
            ClientError::Draft(diplomatie_client::draft::DraftError::Domain(d)) => d.into(),
            ClientError::NotFound(_)
            | ClientError::AmbiguousId { .. }
            | ClientError::DraftNotFound(_) => Self::new(ErrorKind::NotFound, message),
            ClientError::WeakPassphrase { min } => Self::new(ErrorKind::WeakPassphrase, message)
                .with_field("passphrase")
                .with_detail(min.to_string()),
            ClientError::InvalidSetting(_) => Self::new(ErrorKind::InvalidSetting, message),
            ClientError::Eml(_)
            | ClientError::Identity(_)
            | ClientError::Export(..)
            | ClientError::Crypto(_)
            // The drafting screens (a later step) translate these; their message is precise.
            | ClientError::Draft(_)
            | ClientError::Clearance(_)
            | ClientError::Release(_)
            | ClientError::Numbering(_)
            | ClientError::InvalidDraft(_) => Self::new(ErrorKind::Internal, message),
        }
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        Self::new(ErrorKind::Io, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_rules_point_at_their_field() {
        let e = CommandError::from(DomainError::NoActionAddressee);
        assert_eq!(e.kind, ErrorKind::NoActionAddressee);
        assert_eq!(e.field.as_deref(), Some("action"));
        let e = CommandError::from(DomainError::Missing("receiving institution"));
        assert_eq!(e.field.as_deref(), Some("receivingInstitution"));
        let e = CommandError::from(ClientError::WeakPassphrase { min: 12 });
        assert_eq!(e.kind, ErrorKind::WeakPassphrase);
        assert_eq!(e.detail.as_deref(), Some("12"));
        let e = CommandError::from(ClientError::Store(StoreError::WrongPassphrase));
        assert_eq!(e.kind, ErrorKind::WrongPassphrase);
        assert_eq!(e.message, "wrong passphrase");
    }
}
