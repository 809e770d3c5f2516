use diplomatie_domain::DomainError;
use diplomatie_store::StoreError;
use thiserror::Error;

use crate::eml::EmlError;

/// What went wrong in a service call, in words a user can act on.
#[derive(Debug, Error)]
pub enum ClientError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Eml(#[from] EmlError),
    #[error("no item matches '{0}': check the id with `diplo inbox` or `diplo search`")]
    NotFound(String),
    #[error("'{prefix}' matches {count} items: type more characters of the id")]
    AmbiguousId { prefix: String, count: usize },
    #[error("the profile's identity record is missing or unreadable: {0}")]
    Identity(String),
    #[error(transparent)]
    Protocol(#[from] diplomatie_protocol::ProtocolError),
    #[error("{0}")]
    Contact(String),
    #[error("{0}")]
    Space(String),
    #[error("{0}")]
    Relay(String),
    #[error(
        "the relay at {0} cannot be reached: you are offline, or it is down; everything is kept and goes at the next sync"
    )]
    RelayUnreachable(String),
    #[error(
        "another change to this space was accepted first (it is at epoch {epoch}): sync, then try again"
    )]
    RelayConflict { epoch: u64 },
    #[error("{0}")]
    Acknowledge(String),
    #[error("{0}")]
    Link(String),
    #[error("the passphrase is too short: use at least {min} characters (a sentence is best)")]
    WeakPassphrase { min: usize },
    #[error("{0} cannot be exported as {1}")]
    Export(&'static str, &'static str),
    #[error("{0}")]
    InvalidSetting(String),
    #[error("cryptographic failure: {0}")]
    Crypto(#[from] diplomatie_crypto::CryptoError),
    #[error(transparent)]
    Draft(#[from] diplomatie_draft::DraftError),
    #[error(transparent)]
    Clearance(#[from] diplomatie_domain::ClearanceError),
    #[error(transparent)]
    Release(#[from] crate::release::ReleaseError),
    #[error(transparent)]
    Numbering(#[from] crate::numbering::NumberingError),
    #[error(
        "an item with this Message-ID is already stored ({0}): leave the Message-ID out and one is made for the new email"
    )]
    DuplicateMessage(String),
    #[error("{0}")]
    Attachment(String),
    #[error("cannot read the attachment {name}: {cause}; check the file is there and readable")]
    AttachmentUnreadable { name: String, cause: String },
    #[error(
        "the attachments come to more than {limit_mib} MiB in all: share the larger files another way"
    )]
    AttachmentsTooLarge { limit_mib: u64 },
    #[error("no draft matches '{0}': check the id with `diplo drafts`")]
    DraftNotFound(String),
    #[error("{0}")]
    InvalidDraft(String),
    #[error(
        "draft {0} changed since this edit was typed (another replica's changes arrived): reload it and apply the edit again"
    )]
    StaleDraft(String),
}
