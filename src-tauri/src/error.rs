//! Every command fails with one shape, `{ kind, message, field, detail }`: `kind` says what
//! happened in a way the interface translates (French first), `message` is the English text
//! of the services for logs and for kinds the interface does not know yet, `field` names the
//! form field to point at, `detail` carries the value a translated message quotes.

use diplomatie_client::drafting::DraftError;
use diplomatie_client::numbering::NumberingError;
use diplomatie_client::release::ReleaseError;
use diplomatie_client::{ClientError, StoreError};
use diplomatie_domain::{ClearanceError, DomainError, Role};
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
    /// The profile's folder cannot hold a profile (`detail`: `not_empty`, `not_a_folder`, or
    /// `unfinished`: a store without its key file).
    ProfileFolder,
    Damaged,
    NewerSchema,
    NotFound,
    /// A required form field is empty (`field`).
    Missing,
    NoActionAddressee,
    FlashWithoutJustification,
    /// An email cannot be Flash (`field`: `precedence`).
    FlashEmail,
    /// An email with this Message-ID is already stored.
    DuplicateMessage,
    /// An attachment is refused (`message` says why, in English).
    Attachment,
    /// A file to attach cannot be read (`detail`: its path).
    AttachmentUnreadable,
    /// The files to attach are too large in all (`detail`: the limit in MiB).
    AttachmentsTooLarge,
    /// The item's marking is below a paragraph's (`detail`: the paragraph number).
    MarkingBelowParagraph,
    AboveAccreditation,
    InvalidTag,
    InvalidAddress,
    InvalidDate,
    InvalidQuery,
    InvalidSetting,
    /// Drafting: this person may not take this step (`detail`: the role needed: `drafter`,
    /// `clearer`, `approver`, `drafter_or_approver`, `member`).
    NotAllowed,
    /// Drafting: not at this stage (`detail`: the stage now).
    WrongStage,
    /// Drafting: a sequential circuit, another clearer first (`detail`: who).
    NotYourTurn,
    AlreadyCleared,
    /// A rejection without a comment (`field`: `comment`).
    EmptyComment,
    /// A withdrawal without a reason (`field`: `reason`).
    EmptyReason,
    /// The draft is released: frozen.
    Frozen,
    Withdrawn,
    /// The circuit is wrong (`detail`: why, in English).
    InvalidCircuit,
    /// The circuit changes only while the draft is being written (`detail`: the stage).
    CircuitFixed,
    /// Values set concurrently must be chosen first (`detail`: the fields, comma-separated).
    UnresolvedConflicts,
    /// A value of a draft's field is wrong (`field`, `detail`: why, in English).
    InvalidValue,
    /// The draft changed under the edit (a paragraph or a position is gone): refresh.
    StaleDraft,
    /// A released record's signature does not match.
    BadSignature,
    /// The numbering register cannot be reached or read.
    NumberingUnavailable,
    /// No serial left this year for the series.
    NumberingExhausted,
    /// Something about a draft the interface has no words for (`message`).
    InvalidDraft,
    /// The exchange folder refused the passphrase, or its key file is damaged (`message`).
    ExchangeRefused,
    /// A contact card that does not read or check (`field`: `card`; `message` says why).
    InvalidCard,
    /// An acknowledgement refused (`message` says why): this user is not an addressee for
    /// action of the item, or it is not a released text of a draft.
    AcknowledgeRefused,
    /// A contact operation refused (`message` says why and what to do): one's own card, no
    /// or several contacts named so, a safety number that differs (nothing was changed).
    ContactRefused,
    /// A relay's address that is not one (`field`: `relayUrl`; `detail`: what was typed).
    InvalidRelayAddress,
    /// The relay cannot be reached (`detail`: its address): offline, or it is down. Only an
    /// action the user asked for says so as an error; a background sync shows "offline".
    RelayUnreachable,
    /// The relay refused (`message` says why, in the relay's or the client's words): a
    /// one-time token unknown or used (`field`: `relayToken` when joining), a contact with no
    /// device enrolled there.
    RelayRefused,
    /// This profile has joined no relay yet: join one in the settings.
    RelayNotJoined,
    /// Another member's change to the space was accepted first (`detail`: the space's epoch):
    /// sync, then try again.
    RelayConflict,
    /// A space operation refused (`message` says why): no name, a name taken, no such space.
    SpaceRefused,
    /// Linking or revoking a device refused (`message` says why, in English): a device name
    /// too long, what the other device handed over not matching, the device in use revoked.
    LinkRefused,
    /// The new device did not give the code this device shows (a wrong or mistyped code):
    /// nothing was handed over.
    LinkWrongCode,
    /// A code that is not a linking code (`field`: `linkCode`).
    InvalidLinkCode,
    /// The other device did not answer in time (`detail`: the minutes waited): start again.
    LinkTimeout,
    /// The link was cancelled (on this device, or another link started).
    LinkCancelled,
    /// No link is under way at this step (it was cancelled, or ended): start again.
    NoLink,
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

    pub(crate) fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Self {
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
            DomainError::FlashEmail => {
                Self::new(ErrorKind::FlashEmail, message).with_field("precedence")
            }
            DomainError::DtgNotUtc { .. } => Self::new(ErrorKind::InvalidDate, message),
            DomainError::TagTooLong(t) => Self::new(ErrorKind::InvalidTag, message)
                .with_field("tags")
                .with_detail(t),
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
            DomainError::InvalidId(_) | DomainError::IdNotV7 { .. } => {
                Self::new(ErrorKind::NotFound, message)
            }
            // The app's forms carry no Message-ID or number: only the CLI takes them.
            DomainError::InvalidMessageId(_)
            | DomainError::InvalidNumber { .. }
            | DomainError::UnknownMarking(_)
            | DomainError::UnknownPrecedence(_)
            | DomainError::UnknownKind(_)
            | DomainError::UnknownRoute(_) => Self::new(ErrorKind::Internal, message),
            // The composer offers valid tags only: another is the interface's error.
            DomainError::InvalidLanguage(tag) => Self::new(ErrorKind::Internal, message)
                .with_field("language")
                .with_detail(tag),
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
            StoreError::NotEmpty(_) => {
                return Self::new(ErrorKind::ProfileFolder, message).with_detail("not_empty");
            }
            StoreError::NotAFolder(_) => {
                return Self::new(ErrorKind::ProfileFolder, message).with_detail("not_a_folder");
            }
            StoreError::Unfinished(_) => {
                return Self::new(ErrorKind::ProfileFolder, message).with_detail("unfinished");
            }
            StoreError::Damaged(_) | StoreError::KeyFile(_) => ErrorKind::Damaged,
            StoreError::NewerSchema { .. } => ErrorKind::NewerSchema,
            StoreError::NotFound(_) | StoreError::UnknownSpace => ErrorKind::NotFound,
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
            ClientError::NotFound(_)
            | ClientError::AmbiguousId { .. }
            | ClientError::DraftNotFound(_) => Self::new(ErrorKind::NotFound, message),
            ClientError::WeakPassphrase { min } => Self::new(ErrorKind::WeakPassphrase, message)
                .with_field("passphrase")
                .with_detail(min.to_string()),
            ClientError::InvalidSetting(_) => Self::new(ErrorKind::InvalidSetting, message),
            ClientError::Draft(d) => d.into(),
            ClientError::Clearance(c) => c.into(),
            ClientError::Release(r) => {
                let kind = match r {
                    ReleaseError::BadSignature
                    | ReleaseError::WrongSigner { .. }
                    | ReleaseError::BadCertificate(_) => ErrorKind::BadSignature,
                    ReleaseError::NotARecord
                    | ReleaseError::UnknownFormat(_)
                    | ReleaseError::Unreadable(_) => ErrorKind::Damaged,
                };
                Self::new(kind, message)
            }
            ClientError::Numbering(n) => match n {
                NumberingError::Unreachable(_) | NumberingError::Damaged { .. } => {
                    Self::new(ErrorKind::NumberingUnavailable, message)
                }
                NumberingError::Exhausted(series) => {
                    Self::new(ErrorKind::NumberingExhausted, message).with_detail(series)
                }
            },
            ClientError::InvalidDraft(_) => Self::new(ErrorKind::InvalidDraft, message),
            ClientError::DuplicateMessage(_) => Self::new(ErrorKind::DuplicateMessage, message),
            ClientError::Attachment(_) => {
                Self::new(ErrorKind::Attachment, message).with_field("attachments")
            }
            ClientError::AttachmentUnreadable { name, .. } => {
                Self::new(ErrorKind::AttachmentUnreadable, message)
                    .with_field("attachments")
                    .with_detail(name)
            }
            ClientError::AttachmentsTooLarge { limit_mib } => {
                Self::new(ErrorKind::AttachmentsTooLarge, message)
                    .with_field("attachments")
                    .with_detail(limit_mib.to_string())
            }
            ClientError::StaleDraft(_) => Self::new(ErrorKind::StaleDraft, message),
            ClientError::Protocol(_) => {
                Self::new(ErrorKind::InvalidCard, message).with_field("card")
            }
            ClientError::Contact(_) => Self::new(ErrorKind::ContactRefused, message),
            ClientError::Space(_) => Self::new(ErrorKind::SpaceRefused, message),
            ClientError::Relay(_) => Self::new(ErrorKind::RelayRefused, message),
            ClientError::RelayUnreachable(url) => {
                Self::new(ErrorKind::RelayUnreachable, message).with_detail(url)
            }
            ClientError::RelayConflict { epoch } => {
                Self::new(ErrorKind::RelayConflict, message).with_detail(epoch.to_string())
            }
            // A refused acknowledgement, in the client's words.
            ClientError::Acknowledge(_) => Self::new(ErrorKind::AcknowledgeRefused, message),
            ClientError::Link(_) => Self::new(ErrorKind::LinkRefused, message),
            ClientError::Eml(_)
            | ClientError::Identity(_)
            | ClientError::Export(..)
            | ClientError::Crypto(_) => Self::new(ErrorKind::Internal, message),
        }
    }
}

fn role_code(role: Role) -> &'static str {
    match role {
        Role::Drafter => "drafter",
        Role::Clearer => "clearer",
        Role::Approver => "approver",
        Role::DrafterOrApprover => "drafter_or_approver",
        Role::Member => "member",
    }
}

impl From<ClearanceError> for CommandError {
    fn from(e: ClearanceError) -> Self {
        let message = e.to_string();
        match e {
            ClearanceError::InvalidCircuit(why) => {
                Self::new(ErrorKind::InvalidCircuit, message).with_detail(why)
            }
            ClearanceError::NotAllowed { needed, .. } => {
                Self::new(ErrorKind::NotAllowed, message).with_detail(role_code(needed))
            }
            ClearanceError::WrongStage { stage, .. } => {
                Self::new(ErrorKind::WrongStage, message).with_detail(stage.code())
            }
            ClearanceError::NotYourTurn { waiting_for, .. } => {
                Self::new(ErrorKind::NotYourTurn, message).with_detail(waiting_for)
            }
            ClearanceError::AlreadyCleared { .. } => Self::new(ErrorKind::AlreadyCleared, message),
            ClearanceError::EmptyComment => {
                Self::new(ErrorKind::EmptyComment, message).with_field("comment")
            }
            ClearanceError::EmptyReason => {
                Self::new(ErrorKind::EmptyReason, message).with_field("reason")
            }
            ClearanceError::Frozen => Self::new(ErrorKind::Frozen, message),
            ClearanceError::Withdrawn => Self::new(ErrorKind::Withdrawn, message),
            ClearanceError::CircuitFixed(stage) => {
                Self::new(ErrorKind::CircuitFixed, message).with_detail(stage.code())
            }
        }
    }
}

impl From<DraftError> for CommandError {
    fn from(e: DraftError) -> Self {
        let message = e.to_string();
        match e {
            DraftError::Domain(d) => d.into(),
            DraftError::Unresolved(fields) => {
                Self::new(ErrorKind::UnresolvedConflicts, message).with_detail(fields.join(", "))
            }
            DraftError::InvalidValue { field, reason } => {
                Self::new(ErrorKind::InvalidValue, message)
                    .with_field(field)
                    .with_detail(reason)
            }
            DraftError::NotForKind { field, .. } | DraftError::NotText(field) => {
                Self::new(ErrorKind::InvalidValue, message).with_field(field)
            }
            DraftError::NoParagraph { .. }
            | DraftError::OutOfText { .. }
            | DraftError::NoAddressee(_)
            | DraftError::BadHead(_) => Self::new(ErrorKind::StaleDraft, message),
            DraftError::UnknownSchema { .. } => Self::new(ErrorKind::NewerSchema, message),
            DraftError::NotADraft(_)
            | DraftError::BadChanges(_)
            | DraftError::Malformed(_)
            | DraftError::TooLarge { .. } => Self::new(ErrorKind::Damaged, message),
            DraftError::EmptyActor | DraftError::Automerge(_) => {
                Self::new(ErrorKind::Internal, message)
            }
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
    #![allow(clippy::expect_used)]

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

    #[test]
    fn drafting_refusals_have_their_own_kinds() {
        let e = CommandError::from(ClientError::Clearance(ClearanceError::NotYourTurn {
            actor: "Carol".into(),
            waiting_for: "Bob".into(),
        }));
        assert_eq!(e.kind, ErrorKind::NotYourTurn);
        assert_eq!(e.detail.as_deref(), Some("Bob"));
        let e = CommandError::from(ClientError::Clearance(ClearanceError::NotAllowed {
            actor: "Carol".into(),
            step: "approve",
            needed: Role::Approver,
        }));
        assert_eq!(e.kind, ErrorKind::NotAllowed);
        assert_eq!(e.detail.as_deref(), Some("approver"));
        let e = CommandError::from(ClientError::Clearance(ClearanceError::WrongStage {
            step: "clear",
            stage: diplomatie_domain::Stage::Draft,
            allowed: "in clearance",
        }));
        assert_eq!(
            (e.kind, e.detail.as_deref()),
            (ErrorKind::WrongStage, Some("draft"))
        );
        let e = CommandError::from(ClientError::Clearance(ClearanceError::Frozen));
        assert_eq!(e.kind, ErrorKind::Frozen);
        let e = CommandError::from(ClientError::Clearance(ClearanceError::EmptyComment));
        assert_eq!(e.field.as_deref(), Some("comment"));
        let e = CommandError::from(ClientError::Draft(DraftError::Unresolved(vec![
            "subject".into(),
            "marking".into(),
        ])));
        assert_eq!(e.kind, ErrorKind::UnresolvedConflicts);
        assert_eq!(e.detail.as_deref(), Some("subject, marking"));
        let e = CommandError::from(ClientError::Draft(DraftError::Domain(
            DomainError::NoActionAddressee,
        )));
        assert_eq!(e.kind, ErrorKind::NoActionAddressee);
        let e = CommandError::from(ClientError::DraftNotFound("x".into()));
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e = CommandError::from(ClientError::Release(ReleaseError::BadSignature));
        assert_eq!(e.kind, ErrorKind::BadSignature);
        let e = CommandError::from(ClientError::Draft(DraftError::OutOfText {
            pos: 9,
            delete: 1,
            len: 3,
        }));
        assert_eq!(e.kind, ErrorKind::StaleDraft);
    }

    #[test]
    fn contact_refusals_keep_the_clients_words() {
        let e = CommandError::from(ClientError::Contact("nothing was changed".into()));
        assert_eq!(e.kind, ErrorKind::ContactRefused);
        assert_eq!(e.message, "nothing was changed");
        let e = CommandError::from(ClientError::Acknowledge("not for action to you".into()));
        assert_eq!(e.kind, ErrorKind::AcknowledgeRefused);
        assert_eq!(e.message, "not for action to you");
        let not_a_card = diplomatie_client::ContactCard::from_line("BEGIN:VCARD").err();
        let e = CommandError::from(ClientError::from(not_a_card.expect("refused")));
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (ErrorKind::InvalidCard, Some("card"))
        );
    }
}
