//! The collaborative draft document, its clearance log and its diffs: pure data and rules, no
//! store, no I/O (the client's `drafting` service stores, releases and exchanges drafts).
//!
//! What the crate holds:
//! - [`DraftDoc`] (`doc`): a telegram, a note verbale or a formal email being written by several
//!   people, on several machines, online or not, as a standard automerge document; [`DraftView`]
//!   (`view`) is what it shows, [`FieldName`]/[`ListField`] (`field`) what can be edited.
//! - `log`: the clearance log kept inside the document, replayed through the domain's state
//!   machine ([`replay`], [`Replayed`]).
//! - `diff`: a readable difference between two versions ([`DraftDiff`]).
//!
//! # The document
//!
//! A standard automerge document
//! (automerge 0.12, pinned by measurement: docs/BENCHMARKS.md). Replicas exchange change bytes
//! (`save_incremental`, `changes_since`, `apply_changes`) in any order, duplicated or not,
//! and converge; the official JavaScript implementation (`@automerge/automerge`) loads the
//! same bytes with the same content (tested in the client's `tests/automerge_interop.rs`).
//!
//! # The schema (a wire format: change it only with a new `schema` number)
//!
//! ```text
//! ROOT (map)
//! ├─ schema: 1                      int; a draft of another number is refused (DraftError::UnknownSchema)
//! ├─ kind: "telegram" | "note" | "email"
//! ├─ fields (map)
//! │  ├─ subject: Text               all kinds
//! │  ├─ marking: "NP" | "DR"        all kinds; "NP" at creation
//! │  ├─ precedence: "routine" | "prioritaire" | "immediat" | "flash"   all kinds; "routine" at creation
//! │  ├─ deadline: string            all kinds; RFC 3339 or absent/empty
//! │  ├─ drafter: string             all kinds; the creator's name at creation
//! │  ├─ approver: string            all kinds
//! │  ├─ clearers: [string]          all kinds, in clearance order
//! │  ├─ clearance_order: "sequential" | "parallel"   all kinds; absent = sequential
//! │  ├─ justification: string       telegram, note
//! │  ├─ tags: [string]              telegram, note; upper-case codes
//! │  ├─ addressees: [{name: string, kind: "unit" | "person", route: "action" | "info"}]   telegram, note
//! │  ├─ origin: string              telegram
//! │  ├─ summary: Text               telegram
//! │  ├─ references: [string]        telegram
//! │  ├─ caveats: [string]           telegram
//! │  ├─ sending_mission, receiving_institution, place, answers: string      note
//! │  ├─ date: string                note; YYYY-MM-DD or absent/empty
//! │  ├─ opening, closing: Text      note
//! │  ├─ from: string                email
//! │  └─ to, cc: [string]            email; RFC 5322 mailboxes
//! ├─ paragraphs (list)
//! │  └─ {id: string (random, stable: comments and diffs anchor to it), marking: "NP" | "DR", text: Text,
//! │      edited_by: string (who edited it last; concurrent editors are all kept)}
//! ├─ log (list of string)          the clearance log: one JSON entry per step ([`LogEntry`]),
//! │                                 appended, never changed; replayed through the domain's state machine
//! └─ comments (list)
//!    └─ {id, author, at (RFC 3339), paragraph (its id), start, end (automerge cursors),
//!        quote (the text commented, as it was), text, resolved_by ("" while open)}: strings
//! ```
//!
//! "string" is an automerge scalar string (a register: last writer wins, and values written
//! concurrently are all kept and shown as a conflict); "Text" is an automerge text object,
//! merged character by character. Why each field is one or the other: [`FieldName`]. Every
//! Text and list is created with the document, so replicas never create the same object
//! concurrently: a second replica starts from the creator's bytes (`DraftDoc::load`), never
//! from `DraftDoc::new`.
//!
//! Text positions and lengths in this API count **UTF-16 code units**, as JavaScript does (the
//! editor is in the webview): an emoji outside the BMP counts 2, `é` counts 1.
//! automerge treats a position that falls between the two halves of a surrogate pair as the
//! position after the character (tested); an editor never sends one.
//!
//! # What concurrent edits do (each is tested in `doc_tests.rs`)
//!
//! - Two people typing in the same paragraph: both texts are kept. Each person's run of
//!   characters stays together; runs typed at the same place are ordered by automerge's rule
//!   (the same order on every replica).
//! - One person deletes a paragraph while another edits it: the deletion wins and the edit goes
//!   with the paragraph (automerge deletes the list element; the edited text object is no longer
//!   reachable). The interface should therefore ask before deleting a paragraph that others are
//!   editing.
//! - Two different values for the same register field (or a paragraph's marking, or an
//!   addressee's route): both are kept and listed in `DraftView::conflicts` /
//!   `DraftDoc::field_conflicts`, identically on every replica, until someone sets the field
//!   again. A draft with an unresolved conflict cannot become an item (`to_content`).
//! - Moving a paragraph is a deletion and an insertion of a copy (same id, marking and text):
//!   an edit made concurrently to the paragraph being moved is lost with the old copy, and two
//!   concurrent moves of the same paragraph leave two copies with the same id (the user deletes
//!   one).
//! - Two people adding the same tag, clearer or addressee: the list holds it twice; the view
//!   shows it once. Removing it removes every copy the remover has seen.
//!
//! # Around this crate: how drafts are kept, cleared, exchanged and released
//!
//! This crate is the document and its rules; the rest of drafting lives around it.
//!
//! - **The clearance chain** is the domain's (`diplomatie_domain`, `clearance.rs`): a state
//!   machine Draft → In clearance → Ready for approval → Approved → Released, Withdrawn from any
//!   stage before release. Only the drafter submits; only a named clearer clears or rejects
//!   (with a comment), in circuit order when sequential, in any order when parallel; only the
//!   approver approves and releases; the drafter or the approver withdraws. Any edit after a
//!   clearance resets it and remembers the version that clearer had cleared, so they can be
//!   shown what changed since. A refused step changes nothing and says why.
//! - **The clearance log lives in the document** (`log`): each step is a JSON entry (who,
//!   when, the step with its comment, the content digest and automerge heads the person saw)
//!   appended to the `log` list, so it travels and merges with the text and every replica
//!   holds the same entries in the same order. The stage is not stored: it is the replay of
//!   the log through the state machine, identical on every replica. An entry the state machine
//!   refuses on replay (two clearers of a sequential circuit acting at once on two machines) is
//!   kept and shown as refused, with the reason. Edits are not logged one by one: when two
//!   steps saw different content digests, an `Edit` is replayed between them (resetting the
//!   clearances given before), and the same between the last step and the document now. The
//!   heads of each clearance let a clearer whose clearance was reset see what changed since.
//! - **Versions and diffs** (`diff`): one version per submission (round), one per name given
//!   on demand, and the release, each as automerge heads; any two are compared field by field
//!   and paragraph by paragraph (matched by their stable id), word by word (`similar`).
//! - **Comments** are anchored with automerge cursors to a range of a paragraph's text: the
//!   range follows its words while people edit around them, and keeps the quoted text once the
//!   words are deleted.
//! - **The drafting service** (`diplomatie-client`, `drafting/`): create, edit (a list of
//!   `DraftEdit`s applied all or none), the clearance steps, release, named versions, diffs,
//!   comments, and the exchange of a draft with another replica as a packet
//!   (`DIPLOMATIE-DRAFT/1`, the draft id, the automerge bytes). Steps received from another
//!   replica are written to the local audit log with their authors. The store keeps each
//!   draft as opaque bytes: a compacted snapshot plus the change sets appended since
//!   (migration 0004; its table of versions was dropped by 0006, versions being in the
//!   document). Each call that changes a draft appends its change set and its audit entries in
//!   one transaction; past 32 change sets the next save writes a compacted snapshot. Each load
//!   edits with a fresh actor id, so the app and the CLI may change one profile's draft at the
//!   same time.
//! - **The exchange folder** (`drafting/exchange.rs`, until the relay carries drafts): each
//!   device writes its copy of a draft to `<folder>/<draft id>/<device>.draft`, atomically,
//!   and merges the others' copies when they change (idempotent; a damaged copy is reported
//!   and the others still merge). A copy whose length, time of change and inode are those it
//!   had when last looked at, and that changed more than 3 seconds ago, is not read again (a
//!   coarse file-system clock can give two writes in one tick the same time); the digests of
//!   merged copies are kept in the store, the stamps only while the profile is open. Nothing
//!   is written there in clear: the folder's key is derived from a passphrase its members
//!   share (Argon2id for a new folder, PBKDF2 still read; parameters and a key-check value in
//!   `<folder>/exchange.json`, so a wrong passphrase is refused), kept in each profile's
//!   encrypted store, and every copy is sealed with it (AES-256-GCM, bound to the draft id).
//!   Copies are not signed per device yet: per-device keys and signatures come with the relay.
//!   When copies are written and merged is the client's `schedule` (publish after each local
//!   change, merge every second, settle numbers every 30 seconds), for the app's watcher and
//!   `diplo exchange collect --watch` alike.
//! - **Release** (`release_draft`): only the approver, only when approved (the state machine
//!   decides); the draft becomes an item (the domain's rules checked again, `DraftView`'s
//!   `to_content`), gets its number (`numbering.rs` in the client), is frozen as a record (the
//!   final item with its number, the automerge heads it came from, drafter, clearances,
//!   approver and key, time) signed with the approver's Ed25519 key (`release.rs`: stored as
//!   `DIPLOMATIE-RELEASE/1`, the signature, then the record's JSON bytes exactly as signed, so
//!   a flipped byte anywhere fails), stored with its record in one transaction (table
//!   `releases`, never replaced), and appended to the log, so the other replicas store the
//!   released item too after checking the signature, the approver and the heads. A released
//!   text never changes: a correction (`correct_release`, `diplo draft correct`) is a new
//!   draft prefilled from it, its subject marked RECTIFICATIF, that references the original (a
//!   telegram's references, a note's "answers"), and goes through clearance and release like
//!   any other.
//! - **The editor sends edits, not documents** (the desktop app, `ui/src/lib/draftEdits.ts`,
//!   `draftSession.ts`, `useDraftEditor.ts`): each input event becomes a splice (UTF-16
//!   positions, as this crate counts); the splices typed at one place are coalesced and sent
//!   600 ms after the last keystroke (or at a blur, or before a structural edit or a step), one
//!   call at a time, in order. Each batch names the heads of the version it was typed on; the
//!   service (`Profile::edit_draft_seen`) applies it only if the draft is still at those heads,
//!   checked on the copy it loads to apply them (under the lock the merges also take), and
//!   otherwise answers `stale_draft` without applying anything. The editor then reloads,
//!   carries its unsent splices over the merged text and sends them again, so that positions
//!   typed before a merge never land at the wrong place; a merge that arrives while the user
//!   types moves their caret along with the words around it. The clearance panel enables only
//!   the steps the rules allow the user now and says why for the others; the backend still
//!   decides.

mod diff;
mod doc;
mod field;
mod log;
mod view;

#[cfg(test)]
mod doc_tests;

pub use diff::{DiffPart, DiffTag, DraftDiff, FieldChange, ParagraphChange, ParagraphDiff};
pub use doc::{CommentView, DraftDoc, NewComment};
pub use field::{FieldName, ListField};
pub use log::{
    Acknowledged, LogCheck, LogEntry, LogView, LoggedStep, Replayed, SignedEntry, Signer,
    Statement, VersionView, replay, try_step,
};
pub use view::{AddresseeView, DraftFields, DraftView, FieldConflict, ParagraphView};

use diplomatie_domain::{DomainError, ItemKind};
use thiserror::Error;

/// The schema number this build writes and reads.
pub const DRAFT_SCHEMA: i64 = 1;

/// The most bytes `DraftDoc::load` reads, and `apply_changes` when the bytes hold a whole saved
/// draft (the exchange folder sends whole drafts): longer bytes are refused before automerge
/// sees them. A draft is small: a trace of 260,000 keystrokes saves in 193.5 KiB, two people
/// typing 5,000 keystrokes each in about 70 KiB (docs/BENCHMARKS.md), and attachments are not
/// kept in the document. 16 MiB is far above any real draft, yet bounds what a damaged or
/// planted copy makes automerge parse and hold in memory.
pub const MAX_DRAFT_BYTES: usize = 16 * 1024 * 1024;

/// The most bytes `DraftDoc::apply_changes` reads when they hold only changes (no whole saved
/// draft): what `save_incremental` gives at an editing pause (a few KiB) or `changes_since`
/// gives a peer catching up. Changes are written out uncompressed, unlike a saved draft, so
/// they get a quarter of its cap: 4 MiB is still hundreds of editing sessions.
pub const MAX_CHANGES_BYTES: usize = 4 * 1024 * 1024;

/// What went wrong with a draft, in words a user can act on.
#[derive(Debug, Error)]
pub enum DraftError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(
        "this draft was written in draft format {found}, and this version of Diplomatie reads only format {DRAFT_SCHEMA}: update Diplomatie to open it"
    )]
    UnknownSchema { found: String },
    #[error("these bytes are not a Diplomatie draft ({0}): the file or message may be damaged")]
    NotADraft(String),
    #[error(
        "the received changes could not be applied ({0}): they are damaged; ask the sender to send the draft again"
    )]
    BadChanges(String),
    #[error(
        "this {what} is {len} bytes long, more than the {cap} bytes allowed: it was refused unread; a real draft is far smaller, so it is damaged or not a draft: ask the sender what they sent"
    )]
    TooLarge {
        what: &'static str,
        len: usize,
        cap: usize,
    },
    #[error("a device id is needed to edit a draft: it is empty")]
    EmptyActor,
    #[error("a {kind} draft has no field '{field}'")]
    NotForKind { field: &'static str, kind: ItemKind },
    #[error("'{0}' is a single value, not a text: set it with set_field")]
    NotText(&'static str),
    #[error("invalid {field}: {reason}")]
    InvalidValue {
        field: &'static str,
        reason: &'static str,
    },
    #[error("there is no paragraph {index}: the draft has {count}; refresh the view")]
    NoParagraph { index: usize, count: usize },
    #[error(
        "position {pos} + {delete} is past the end of the text ({len} UTF-16 units): refresh the view"
    )]
    OutOfText {
        pos: usize,
        delete: usize,
        len: usize,
    },
    #[error("{0} is not an addressee of this draft")]
    NoAddressee(String),
    #[error("'{0}' is not a change hash (64 hex digits)")]
    BadHead(String),
    #[error("resolve the values set concurrently for {} first: choose one for each", .0.join(", "))]
    Unresolved(Vec<String>),
    #[error(
        "this draft is damaged ({0}): reload it from the store, or ask its author to send it again"
    )]
    Malformed(String),
    #[error("the draft could not be changed ({0}); reload it from the store")]
    Automerge(String),
}

impl From<automerge::AutomergeError> for DraftError {
    fn from(e: automerge::AutomergeError) -> Self {
        DraftError::Automerge(e.to_string())
    }
}
