//! The application services: the one API that the desktop app and the CLI call. Neither of
//! them talks to the store, the crypto or the parsers directly.

mod attach;
mod compose;
mod contacts;
mod copy_stamps;
mod deposits;
mod devices;
pub mod drafting;
pub mod eml;
mod error;
mod export;
mod feed;
mod form_draft;
mod identity;
mod import;
mod language;
pub mod numbering;
mod passphrase;
mod profile;
pub mod release;
pub mod schedule;
mod settings;
pub mod spaces;
pub mod sync;

pub use attach::{content_type_of, read_attachments};
pub use compose::{
    AddresseeInput, AttachmentInput, ComposeForm, EmailForm, NoteForm, TelegramForm,
};
pub use contacts::{
    CardAdded, ContactAdded, ContactView, KeyChangeView, QrModules, SafetyNumberView,
};
pub use deposits::{Delivered, Delivery, UnitView, Unreachable, UnreachableReason};
pub use devices::{DeviceView, LinkJoin, LinkOffer, LinkProgress, LinkRequest, LinkedDevice};
pub use error::ClientError;
pub use export::ExportFormat;
pub use feed::FeedCursor;
pub use form_draft::MAX_FORM_DRAFT_BYTES;
pub use identity::OwnIdentity;
pub use import::{ImportOutcome, ImportReport};
pub use language::{content_language, detect_language, document_language, draft_language};
pub use passphrase::{Strength, StrengthLevel, passphrase_strength};
pub use profile::{
    Compose, INGEST_BATCH, Inbox, InitOptions, MAX_ATTACHMENT_BYTES, MIN_PASSPHRASE_CHARS,
    NewAttachment, Profile, ProfileIdentity,
};
pub use settings::{Language, MAX_LOCK_MINUTES, NotifyRules, Settings};

/// The store's query and result types, as the services take and return them.
pub use diplomatie_store::{
    AuditAction, AuditEntry, ItemSummary, KdfCost, Page, RouteFilter, SearchHit, SearchQuery,
    SnippetPart, StoreError, StoredItem, TriageCounts, TriageFilter,
};

/// Turns core dumps off for this process: the app and the CLI call it first, since a dump of
/// an unlocked profile would hold its keys and the texts read.
pub use diplomatie_crypto::disable_core_dumps;

/// The wire types of identities, as the services return them.
pub use diplomatie_protocol::{
    ContactCard, DeviceCertificate, DeviceId, IdentityKey, SafetyNumber,
};
