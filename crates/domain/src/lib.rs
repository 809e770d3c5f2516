//! The types and rules of diplomatic correspondence: telegrams, notes verbales, formal emails,
//! their routing (for action / for information) and the triage order. No I/O, no async.

mod addressee;
mod clearance;
mod email;
mod error;
mod id;
mod item;
mod language;
mod marking;
mod note;
mod telegram;
mod triage;

pub use addressee::{Addressee, Route, UserIdentity};
pub use clearance::{
    Circuit, Clearance, ClearanceAction, ClearanceActions, ClearanceError, ClearanceOrder,
    DraftStanding, Role, Stage, Step, Transition, Unavailable, Verdict, clearance_actions,
};
pub use email::{AttachmentMeta, FormalEmail, Mailbox, parse_message_id};
pub use error::DomainError;
pub use id::ItemId;
pub use item::{Item, ItemContent, ItemKind};
pub use language::Language;
pub use marking::{Marking, Precedence};
pub use note::{DiplomaticNote, NoteNumber};
pub use telegram::{Paragraph, Reference, Tag, Telegram, TelegramNumber};
pub use triage::{TriageKey, triage_cmp};
