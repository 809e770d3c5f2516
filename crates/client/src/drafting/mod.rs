//! The drafting service: collaborative drafts (`diplomatie_draft`), their clearance chain
//! (`diplomatie_domain::Clearance`, replayed from the log kept in the document: `log`),
//! release (validate → number → sign → store), history and comments, and the exchange of a
//! draft between replicas as a packet of automerge bytes.
//!
//! Persistence: a draft is stored as a compacted snapshot plus the change sets saved after
//! each call that changed it (`Store::append_draft_changes`, with the audit entries of that
//! call in the same transaction); past `COMPACT_AFTER` change sets the next save writes a new
//! snapshot. Each load edits with a fresh automerge actor id, so that the desktop app and the
//! CLI may change the same draft of one profile at the same time without ever reusing an
//! actor's sequence numbers.

mod acknowledge;
mod exchange;
mod log;

#[cfg(test)]
mod forgery_tests;
#[cfg(test)]
mod tests;

use diplomatie_crypto::hex;
use diplomatie_domain::{
    Addressee, Circuit, ClearanceOrder, DiplomaticNote, Item, ItemContent, ItemId, ItemKind,
    Marking, NoteNumber, Route, Stage, Step, TelegramNumber,
};
use diplomatie_protocol::IdentityKey;
use diplomatie_store::{AuditAction, AuditRecord, NewItem, StoredDraft};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::info_span;
use uuid::Uuid;

pub use acknowledge::{AcknowledgementStanding, AcknowledgementView};
pub use exchange::{ExchangeError, ExchangeMigration, ExchangeReport};
pub use log::{Replayed, SignatureChecker, replay};

use crate::language::{detect_language, document_text};
use crate::numbering::{Assigned, DeviceNumbering, NumberAuthority, Series};
use crate::profile::threading;
use crate::release::{ClearedBy, ReleaseNumber, ReleaseRecord, SignedRelease};
use crate::{ClientError, Profile};
/// The draft types the drafting services take and return.
pub use diplomatie_draft::{
    AddresseeView, CommentView, DiffPart, DiffTag, DraftDiff, DraftDoc, DraftError, DraftFields,
    DraftView, FieldChange, FieldConflict, FieldName, ListField, LogCheck, LogEntry, LogView,
    LoggedStep, NewComment, ParagraphChange, ParagraphDiff, ParagraphView, SignedEntry, Signer,
    Statement, VersionView,
};

/// Change sets kept after a snapshot before the next save compacts them.
const COMPACT_AFTER: usize = 32;
/// The first line of an exchanged draft.
const PACKET_MAGIC: &[u8] = b"DIPLOMATIE-DRAFT/1\n";
/// The device's numbering blocks, in the profile's encrypted meta.
const NUMBERING_KEY: &str = "numbering.device";
/// The drafts released here with a provisional number, by that number.
const PROVISIONAL_KEY: &str = "numbering.provisional";

/// One edit of a draft, as the editor and the CLI send it. Positions count UTF-16 units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum DraftEdit {
    SetField {
        field: FieldName,
        value: String,
    },
    /// Keeps one of the values set concurrently for a register.
    ResolveField {
        field: FieldName,
        value: String,
    },
    SpliceField {
        field: FieldName,
        pos: usize,
        delete: usize,
        insert: String,
    },
    SetList {
        field: ListField,
        values: Vec<String>,
    },
    SetAddressees {
        addressees: Vec<(Addressee, Route)>,
    },
    InsertParagraph {
        index: usize,
        marking: Marking,
        text: String,
    },
    DeleteParagraph {
        index: usize,
    },
    MoveParagraph {
        from: usize,
        to: usize,
    },
    SpliceParagraph {
        index: usize,
        pos: usize,
        delete: usize,
        insert: String,
    },
    SetParagraphMarking {
        index: usize,
        marking: Marking,
    },
}

/// A clearer and where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClearerState {
    pub name: String,
    /// `pending`, `cleared` or `rejected`.
    pub verdict: String,
    /// Their comment (clearance or rejection).
    pub comment: Option<String>,
    /// Cleared an earlier version, reset by an edit since: the heads of that version, to show
    /// them what changed.
    pub cleared_before: Option<Vec<String>>,
}

/// A released draft, as its record says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseView {
    pub item: ItemId,
    /// The number's label (empty for an email).
    pub number: String,
    pub provisional: bool,
    pub approver: String,
    pub signature: String,
}

/// Everything about a draft that the editor, the clearance panel and the CLI show.
#[derive(Clone, Serialize)]
pub struct DraftState {
    pub id: String,
    /// The name this user goes by in the draft: the one its circuit binds to their identity
    /// key (what `waiting_for` and the circuit call them), or their own.
    pub me: String,
    pub kind: ItemKind,
    pub stage: Stage,
    pub round: u32,
    pub view: DraftView,
    /// The circuit as submitted (before the first submission: as the fields name it).
    pub circuit: Circuit,
    pub clearers: Vec<ClearerState>,
    /// Who may act now (clearers in clearance, the approver when ready or approved, the
    /// drafter while it is being written).
    pub waiting_for: Vec<String>,
    pub log: Vec<LogView>,
    pub versions: Vec<VersionView>,
    pub comments: Vec<CommentView>,
    pub release: Option<ReleaseView>,
    pub heads: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

// Subjects, texts and comments never reach a log.
impl std::fmt::Debug for DraftState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftState")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("stage", &self.stage)
            .field("round", &self.round)
            .field("waiting_for", &self.waiting_for)
            .finish_non_exhaustive()
    }
}

/// A draft in the list of drafts.
#[derive(Clone, Serialize)]
pub struct DraftSummary {
    pub id: String,
    pub kind: ItemKind,
    pub subject: String,
    /// The draft's marking (a draft whose marking is unreadable counts as Diffusion
    /// Restreinte, so that a list never shows it as less protected than it may be).
    pub marking: Marking,
    pub stage: Stage,
    pub waiting_for: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl std::fmt::Debug for DraftSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftSummary")
            .field("id", &self.id)
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

/// What a release did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseOutcome {
    pub item: ItemId,
    pub number: String,
    /// No number was left on this device and the numbering register could not be reached:
    /// the number is provisional and is replaced at the next sync. Tell the user.
    pub provisional: bool,
    pub signature: String,
}

/// A provisional number replaced by its final one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renumbered {
    pub item: ItemId,
    pub provisional: String,
    pub number: String,
}

/// What receiving a draft did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftReceived {
    pub id: String,
    /// The draft was new to this profile.
    pub created: bool,
    /// It brought changes this replica did not have (edits, steps or comments).
    pub changed: bool,
    /// Steps this replica had not seen, oldest first.
    pub new_steps: Vec<LogView>,
    /// The user is now asked to act (clear or approve) and was not before.
    pub now_my_turn: bool,
    /// The released item, stored here, when the release is among what arrived.
    pub released: Option<ItemId>,
}

/// A released record, checked.
#[derive(Debug, Clone, Serialize)]
pub struct VerifiedRelease {
    pub item: ItemId,
    pub number: String,
    pub provisional: bool,
    pub approver: String,
    pub approver_key: String,
    pub drafter: String,
    pub clearers: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub released_at: OffsetDateTime,
    pub signature: String,
    /// The identity key (hex) that certified the signing device; `None` for a record signed
    /// before identities.
    pub signer_identity: Option<String>,
    /// The signing device (its id, hex), when the record names it.
    pub signer_device: Option<String>,
    /// Who signed, as the reader knows them (the seal).
    pub seal: Seal,
}

/// Who signed a released text, as this profile knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "signer", rename_all = "snake_case")]
pub enum Seal {
    /// This person's own identity.
    Own,
    /// A contact: by name, verified by safety number or not.
    Contact { name: String, verified: bool },
    /// An identity this profile does not know (or a record signed before identities): the
    /// signature holds, but nothing says whose it is.
    Unknown,
}

impl From<&SignedRelease> for VerifiedRelease {
    fn from(s: &SignedRelease) -> Self {
        let r = &s.record;
        let device = hex::decode(&r.approver_device)
            .and_then(|raw| diplomatie_protocol::DeviceCertificate::decode(&raw).ok())
            .map(|d| d.device.hex());
        Self {
            item: r.item.id,
            number: r.number.label().to_owned(),
            provisional: matches!(r.number, ReleaseNumber::Provisional { .. }),
            approver: r.approver.clone(),
            approver_key: r.approver_key.clone(),
            drafter: r.drafter.clone(),
            clearers: r.clearances.iter().map(|c| c.clearer.clone()).collect(),
            released_at: r.released_at,
            signature: s.signature.clone(),
            signer_identity: s.identity.map(|i| i.hex()),
            signer_device: device,
            seal: Seal::Unknown,
        }
    }
}

impl Profile {
    /// The seal of a record: who signed it, as this profile knows them.
    fn seal(&self, signed: &SignedRelease) -> Result<Seal, ClientError> {
        self.seal_of(signed.identity)
    }

    /// Who an identity is, as this profile knows them.
    pub(crate) fn seal_of(&self, identity: Option<IdentityKey>) -> Result<Seal, ClientError> {
        let Some(identity) = identity else {
            return Ok(Seal::Unknown);
        };
        if identity == self.own().key {
            return Ok(Seal::Own);
        }
        Ok(match self.known_identity(&identity)? {
            Some(c) => Seal::Contact {
                name: c.name,
                verified: c.verified,
            },
            None => Seal::Unknown,
        })
    }

    fn verified_release(&self, signed: &SignedRelease) -> Result<VerifiedRelease, ClientError> {
        Ok(VerifiedRelease {
            seal: self.seal(signed)?,
            ..VerifiedRelease::from(signed)
        })
    }
}

/// Which version: a number from the history, or the draft as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionRef {
    Current,
    Number(usize),
}

impl std::str::FromStr for VersionRef {
    type Err = ClientError;
    fn from_str(s: &str) -> Result<Self, ClientError> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("current") || s.eq_ignore_ascii_case("now") {
            return Ok(VersionRef::Current);
        }
        s.trim_start_matches(['v', 'V'])
            .parse::<usize>()
            .map(VersionRef::Number)
            .map_err(|_| {
                ClientError::InvalidDraft(format!(
                    "'{s}' is not a version: use a number from the history (1, 2, …) or 'current'"
                ))
            })
    }
}

/// A loaded draft: the replica, the heads it was loaded at, and how many change sets follow
/// its snapshot in the store.
struct Loaded {
    doc: DraftDoc,
    stored: StoredDraft,
    loaded_heads: Vec<String>,
}

pub(crate) fn fresh_actor() -> [u8; 16] {
    rand::random()
}

fn parse_draft_id(id: &str) -> Result<ItemId, ClientError> {
    id.trim()
        .parse::<ItemId>()
        .map_err(|_| ClientError::DraftNotFound(id.to_owned()))
}

fn circuit_of(view: &DraftView) -> Circuit {
    Circuit {
        drafter: view.fields.drafter.clone(),
        clearers: view.fields.clearers.clone(),
        order: if view.fields.clearance_order == "parallel" {
            ClearanceOrder::Parallel
        } else {
            ClearanceOrder::Sequential
        },
        approver: view.fields.approver.clone(),
    }
}

fn step_action(step: &LoggedStep) -> AuditAction {
    match step {
        LoggedStep::Created => AuditAction::DraftCreated,
        LoggedStep::Submit { .. } => AuditAction::DraftSubmitted,
        LoggedStep::Clear { .. } => AuditAction::DraftCleared,
        LoggedStep::Reject { .. } => AuditAction::DraftRejected,
        LoggedStep::Approve => AuditAction::DraftApproved,
        LoggedStep::Withdraw { .. } => AuditAction::DraftWithdrawn,
        LoggedStep::Release { .. } => AuditAction::DraftReleased,
        LoggedStep::Version { .. } => AuditAction::DraftEdited,
        LoggedStep::Renumber { .. } => AuditAction::DraftReleased,
        LoggedStep::Acknowledge => AuditAction::ItemAcknowledged,
    }
}

/// The number series of a draft's item, if its kind is numbered.
fn series_of(content: &ItemContent, year: i32) -> Option<Series> {
    match content {
        ItemContent::Telegram(t) => Some(Series::new(&t.origin, year)),
        ItemContent::DiplomaticNote(n) => Some(Series::new(&n.sending_mission, year)),
        ItemContent::FormalEmail(_) => None,
    }
}

fn set_number(content: &mut ItemContent, series: &Series, serial: u32) {
    match content {
        ItemContent::Telegram(t) => {
            t.number = Some(TelegramNumber {
                post: series.scope.clone(),
                year: series.year,
                serial,
            });
        }
        ItemContent::DiplomaticNote(DiplomaticNote { number, .. }) => {
            *number = Some(NoteNumber {
                mission: series.scope.clone(),
                year: series.year,
                serial,
            });
        }
        ItemContent::FormalEmail(_) => {}
    }
}

impl Profile {
    fn me(&self) -> String {
        self.identity().name.clone()
    }

    /// The name this person goes by in a draft: the one its circuit binds to their identity
    /// key, or their own before they are named in one.
    fn me_in(&self, replayed: &Replayed) -> String {
        replayed
            .name_of(&self.own().key.hex())
            .map_or_else(|| self.me(), str::to_owned)
    }

    /// Each person `circuit` names, with their identity key: this person's own, or a
    /// contact's (a name, "Name (ORG)" when two contacts share it, or the key's first digits).
    fn circuit_members(
        &self,
        circuit: &Circuit,
    ) -> Result<std::collections::BTreeMap<String, String>, ClientError> {
        let mut members = std::collections::BTreeMap::new();
        let names = std::iter::once(&circuit.drafter)
            .chain(&circuit.clearers)
            .chain(std::iter::once(&circuit.approver));
        for name in names {
            if members.contains_key(name) {
                continue;
            }
            let key = if name.trim().eq_ignore_ascii_case(self.me().trim()) {
                self.own().key.hex()
            } else {
                let contact = self.find_contact(name).map_err(|e| {
                    ClientError::InvalidDraft(format!(
                        "the circuit names {name}, who cannot be signed for: {e}"
                    ))
                })?;
                if contact.pending.is_some() {
                    return Err(ClientError::InvalidDraft(format!(
                        "the identity key of {name} changed: verify their new key (diplo contact safety-number) before naming them in a circuit"
                    )));
                }
                contact.card.identity.hex()
            };
            members.insert(name.clone(), key);
        }
        Ok(members)
    }

    /// Appends `step`, taken by `actor`, to the log of draft `id`, signed by this device.
    fn append_step(
        &self,
        doc: &mut DraftDoc,
        id: &str,
        actor: &str,
        step: LoggedStep,
    ) -> Result<(), ClientError> {
        let entry = LogEntry {
            draft: id.to_owned(),
            actor: actor.to_owned(),
            at: OffsetDateTime::now_utc(),
            step,
            content: doc.content_fingerprint(),
            heads: doc.heads(),
        };
        let signed = log::sign_entry(&entry, &self.signing_key()?, &self.own().device)?;
        doc.append_log(&signed)?;
        Ok(())
    }

    /// The automerge heads of draft `id` as this replica holds it.
    pub(crate) fn draft_heads(&self, id: &str) -> Result<Vec<String>, ClientError> {
        Ok(self.load_draft(id)?.doc.heads())
    }

    fn load_draft(&self, id: &str) -> Result<Loaded, ClientError> {
        let item = parse_draft_id(id)?;
        let key = item.to_string();
        let stored = self
            .store()
            .get_draft(&key)?
            .ok_or_else(|| ClientError::DraftNotFound(id.to_owned()))?;
        let mut doc = DraftDoc::load(&stored.snapshot, &fresh_actor())?;
        for change in &stored.changes {
            doc.apply_changes(change)?;
        }
        let loaded_heads = doc.heads();
        Ok(Loaded {
            doc,
            stored,
            loaded_heads,
        })
    }

    /// Writes what changed since the load, with `audit`, in one transaction.
    /// Not compacted while changes wait for their predecessors: a snapshot would leave them
    /// out, and the stored bytes they came in are what keeps them (`import_draft`).
    fn save_draft(&self, l: &mut Loaded, audit: &[AuditRecord]) -> Result<(), ClientError> {
        if l.stored.changes.len() >= COMPACT_AFTER && !l.doc.has_waiting_changes() {
            let snapshot = l.doc.save();
            self.store()
                .put_draft(&l.stored.id, l.doc.kind(), &snapshot, "{}", audit)?;
        } else {
            let changes = l.doc.changes_since(&l.loaded_heads)?;
            self.store()
                .append_draft_changes(&l.stored.id, &changes, None, audit)?;
        }
        Ok(())
    }

    fn state_of(&self, l: &mut Loaded) -> Result<DraftState, ClientError> {
        let view = l.doc.view();
        let replayed = self.replay_log(&l.stored.id, &mut l.doc);
        let heads = l.doc.heads();
        let me = self.me_in(&replayed);
        Ok(DraftState {
            me,
            ..build_state(
                &l.stored.id,
                &l.stored,
                view,
                replayed,
                l.doc.comments(),
                heads,
            )
        })
    }

    /// A new draft of `kind`, drafted by this user.
    pub fn create_draft(&self, kind: ItemKind) -> Result<DraftState, ClientError> {
        let _span = info_span!("create_draft").entered();
        let id = ItemId::from_uuid(Uuid::now_v7());
        let mut doc = DraftDoc::new(kind, &fresh_actor())?;
        doc.set_field(FieldName::Drafter, &self.me())?;
        self.append_step(&mut doc, &id.to_string(), &self.me(), LoggedStep::Created)?;
        let snapshot = doc.save();
        let audit = self.audit(AuditAction::DraftCreated, Some(id), kind.code());
        self.store()
            .put_draft(&id.to_string(), kind, &snapshot, "{}", &[audit])?;
        self.draft(&id.to_string())
    }

    /// Every draft, the most recently changed first.
    pub fn drafts(&self) -> Result<Vec<DraftSummary>, ClientError> {
        let mut out = Vec::new();
        for (id, kind, updated_at) in self.store().list_drafts()? {
            let mut l = self.load_draft(&id)?;
            let view = l.doc.view();
            let replayed = self.replay_log(&id, &mut l.doc);
            let state = build_state(&id, &l.stored, view, replayed, Vec::new(), l.doc.heads());
            out.push(DraftSummary {
                id,
                kind,
                subject: state.view.fields.subject.clone(),
                marking: state
                    .view
                    .fields
                    .marking
                    .parse()
                    .unwrap_or(Marking::DiffusionRestreinte),
                stage: state.stage,
                waiting_for: state.waiting_for,
                updated_at,
            });
        }
        Ok(out)
    }

    /// A draft with its clearance, history and comments.
    pub fn draft(&self, id: &str) -> Result<DraftState, ClientError> {
        let mut l = self.load_draft(id)?;
        self.state_of(&mut l)
    }

    /// Applies `edits` in order, all or none. Refused once the draft is released or
    /// withdrawn, and, once it was submitted, for anyone outside its circuit.
    pub fn edit_draft(&self, id: &str, edits: &[DraftEdit]) -> Result<DraftState, ClientError> {
        self.edit_draft_seen(id, None, edits)
    }

    /// `edit_draft` for an editor whose positions and paragraph indices are those of the
    /// version it showed, `seen` (its heads): when the draft has changed since (another
    /// replica's changes merged meanwhile), nothing is applied and `StaleDraft` says so; the
    /// editor reloads, carries its edits over the newer text and sends them again.
    pub fn edit_draft_seen(
        &self,
        id: &str,
        seen: Option<&[String]>,
        edits: &[DraftEdit],
    ) -> Result<DraftState, ClientError> {
        let _span = info_span!("edit_draft", edits = edits.len()).entered();
        let mut l = self.load_draft(id)?;
        if let Some(seen) = seen
            && seen != l.loaded_heads.as_slice()
        {
            return Err(ClientError::StaleDraft(id.to_owned()));
        }
        let replayed = self.replay_log(&l.stored.id, &mut l.doc);
        let me = self.me();
        match replayed.stage() {
            Stage::Released => return Err(diplomatie_domain::ClearanceError::Frozen.into()),
            Stage::Withdrawn => return Err(diplomatie_domain::ClearanceError::Withdrawn.into()),
            _ => {}
        }
        if let Some(c) = &replayed.clearance
            && !c.circuit().is_member(&me)
        {
            return Err(diplomatie_domain::ClearanceError::NotAllowed {
                actor: me,
                step: "edit",
                needed: diplomatie_domain::Role::Member,
            }
            .into());
        }
        // A refused edit returns before anything is saved: the replica, with the edits before
        // it, is dropped, and the store keeps the draft as it was.
        for edit in edits {
            apply_edit(&mut l.doc, edit, &me)?;
        }
        let item = parse_draft_id(id)?;
        let audit = self.audit(
            AuditAction::DraftEdited,
            Some(item),
            &format!("{} edit(s)", edits.len()),
        );
        self.save_draft(&mut l, &[audit])?;
        self.state_of(&mut l)
    }

    /// Takes a clearance step: submit, clear, reject, approve or withdraw (release:
    /// `release_draft`). Refused with the state machine's precise reason.
    pub fn draft_step(&self, id: &str, step: Step) -> Result<DraftState, ClientError> {
        let _span = info_span!("draft_step", step = step.code()).entered();
        let mut l = self.load_draft(id)?;
        let view = l.doc.view();
        let mut replayed = self.replay_log(&l.stored.id, &mut l.doc);
        // A draft written before signatures has no signed creation: its drafter, taking a step,
        // first signs one, which binds them as its drafter.
        if replayed.drafter.is_none() && view.fields.drafter.trim() == self.me().trim() {
            let draft = l.stored.id.clone();
            self.append_step(&mut l.doc, &draft, &self.me(), LoggedStep::Created)?;
            replayed = self.replay_log(&draft, &mut l.doc);
        }
        let me = self.me_in(&replayed);
        let logged = match step {
            Step::Submit => {
                // What is submitted must be able to become an item.
                let content = view.to_content(&me, OffsetDateTime::now_utc())?;
                check_content(id, content)?;
                LoggedStep::Submit {
                    circuit: circuit_of(&view),
                    members: Default::default(),
                }
            }
            Step::Clear { comment } => LoggedStep::Clear { comment },
            Step::Reject { comment } => LoggedStep::Reject { comment },
            Step::Approve => LoggedStep::Approve,
            Step::Withdraw { reason } => LoggedStep::Withdraw { reason },
            Step::Release | Step::Edit => {
                return Err(ClientError::InvalidDraft(
                    "release a draft with release_draft (diplo release); edits are made with edit_draft"
                        .into(),
                ));
            }
        };
        // Try it on the replayed state first: a refused step writes nothing.
        check_step(&replayed, &me, &logged)?;
        // Then bind every person the circuit names to their identity key.
        let logged = match logged {
            LoggedStep::Submit { circuit, .. } => {
                let members = self.circuit_members(&circuit)?;
                LoggedStep::Submit { circuit, members }
            }
            other => other,
        };
        self.append_step(&mut l.doc, id, &me, logged.clone())?;
        let item = parse_draft_id(id)?;
        let audit = self.audit(
            step_action(&logged),
            Some(item),
            &format!("draft {id} {}", logged.code()),
        );
        self.save_draft(&mut l, &[audit])?;
        self.state_of(&mut l)
    }

    /// Names the current version (it appears in the history).
    pub fn name_draft_version(&self, id: &str, label: &str) -> Result<DraftState, ClientError> {
        let label = label.trim();
        if label.is_empty() {
            return Err(ClientError::InvalidDraft(
                "a version needs a name: type one".into(),
            ));
        }
        let mut l = self.load_draft(id)?;
        let replayed = self.replay_log(&l.stored.id, &mut l.doc);
        let me = self.me_in(&replayed);
        let id = l.stored.id.clone();
        self.append_step(
            &mut l.doc,
            &id,
            &me,
            LoggedStep::Version {
                label: label.to_owned(),
            },
        )?;
        self.save_draft(&mut l, &[])?;
        self.state_of(&mut l)
    }

    /// Releases an approved draft: checks it, gives it its number (from this device's blocks,
    /// refilled from `authority` when one is given and reachable; provisional otherwise),
    /// freezes and signs it with this device's key, stores the item and its record, and logs
    /// the release in the draft so that the other replicas get it.
    pub fn release_draft(
        &self,
        id: &str,
        authority: Option<&mut dyn NumberAuthority>,
    ) -> Result<ReleaseOutcome, ClientError> {
        let _span = info_span!("release_draft").entered();
        let mut l = self.load_draft(id)?;
        let item_id = parse_draft_id(id)?;
        let replayed = self.replay_log(&l.stored.id, &mut l.doc);
        let me = self.me_in(&replayed);
        // The state machine decides first (only the approver, only when approved).
        check_step(
            &replayed,
            &me,
            &LoggedStep::Release {
                record: String::new(),
            },
        )?;
        let clearance = replayed
            .clearance
            .as_ref()
            .ok_or_else(|| ClientError::InvalidDraft("the draft was never submitted".into()))?;
        let now = OffsetDateTime::now_utc();
        let view = l.doc.view();
        let mut content = view.to_content(&clearance.circuit().drafter, now)?;

        let number = match series_of(&content, now.year()) {
            None => ReleaseNumber::Unnumbered,
            Some(series) => {
                let mut numbering = self.device_numbering()?;
                if let Some(authority) = authority {
                    // Unreachable: number from what is left, or provisionally.
                    if let Err(e) = numbering.refill(authority, &series) {
                        tracing::warn!(error = %e, "numbering register unreachable");
                    }
                }
                let assigned = numbering.next(&series);
                self.save_device_numbering(&numbering)?;
                match assigned {
                    Assigned::Final { serial, label } => {
                        set_number(&mut content, &series, serial);
                        ReleaseNumber::Final { label }
                    }
                    Assigned::Provisional { label } => {
                        let mut waiting = self.provisional_releases()?;
                        waiting.insert(label.clone(), l.stored.id.clone());
                        self.save_provisional_releases(&waiting)?;
                        ReleaseNumber::Provisional { label }
                    }
                }
            }
        };
        let deadline = OffsetDateTime::parse(view.fields.deadline.trim(), &Rfc3339).ok();
        // A draft has no language field: the released text's is read from it, when it tells.
        let language = detect_language(&document_text(&content));
        let item = Item {
            id: item_id,
            received_at: now,
            deadline,
            content,
            language,
        };
        item.validate()?;
        let heads = l.doc.heads();
        let record = ReleaseRecord {
            item,
            number: number.clone(),
            draft_id: l.stored.id.clone(),
            heads,
            drafter: clearance.circuit().drafter.clone(),
            clearances: clearance
                .verdicts()
                .filter_map(|(name, v)| match v {
                    diplomatie_domain::Verdict::Cleared { version, .. } => Some(ClearedBy {
                        clearer: name.to_owned(),
                        version: *version,
                    }),
                    _ => None,
                })
                .collect(),
            approver: me.clone(),
            approver_key: String::new(),
            approver_identity: String::new(),
            approver_device: String::new(),
            released_at: now,
            supersedes: None,
        };
        let signed = SignedRelease::sign(record, &self.signing_key()?, &self.own().device)?;
        let record_text = String::from_utf8(signed.to_bytes().to_vec())
            .map_err(|_| ClientError::InvalidDraft("the released record is not UTF-8".into()))?;
        self.append_step(
            &mut l.doc,
            id,
            &me,
            LoggedStep::Release {
                record: record_text,
            },
        )?;
        self.store_release(&signed, AuditAction::ItemReleased)?;
        let audit = self.audit(
            AuditAction::DraftReleased,
            Some(item_id),
            &format!("draft {id} released as {}", number.label()),
        );
        self.save_draft(&mut l, &[audit])?;
        Ok(ReleaseOutcome {
            item: item_id,
            number: number.label().to_owned(),
            provisional: matches!(number, ReleaseNumber::Provisional { .. }),
            signature: signed.signature,
        })
    }

    fn store_release(
        &self,
        signed: &SignedRelease,
        action: AuditAction,
    ) -> Result<(), ClientError> {
        let item = &signed.record.item;
        let thread = threading(item);
        let new = NewItem {
            item,
            route: item.route_for(&self.user()),
            dedupe_key: None,
            thread_key: thread.key,
            thread_parents: &thread.parents,
            message_id: thread.message_id,
            attachments: &[],
        };
        let audit = self.audit(action, Some(item.id), signed.record.number.label());
        self.store().put_released_item(
            &new,
            &signed.record.draft_id,
            &signed.signature,
            signed.to_bytes(),
            &audit,
        )?;
        Ok(())
    }

    fn device_numbering(&self) -> Result<DeviceNumbering, ClientError> {
        Ok(self
            .meta_json(NUMBERING_KEY)?
            .unwrap_or_else(|| DeviceNumbering::new(self.identity().device.fingerprint())))
    }

    fn save_device_numbering(&self, numbering: &DeviceNumbering) -> Result<(), ClientError> {
        self.put_meta_json(NUMBERING_KEY, numbering)
    }

    /// Takes numbering blocks from `authority` while it is reachable, so that releases made
    /// offline later have final numbers.
    pub fn refill_numbers(
        &self,
        authority: &mut dyn NumberAuthority,
        series: &Series,
    ) -> Result<u32, ClientError> {
        let mut numbering = self.device_numbering()?;
        numbering.refill(authority, series)?;
        self.save_device_numbering(&numbering)?;
        Ok(numbering.remaining(series))
    }

    fn provisional_releases(
        &self,
    ) -> Result<std::collections::BTreeMap<String, String>, ClientError> {
        Ok(self.meta_json(PROVISIONAL_KEY)?.unwrap_or_default())
    }

    fn save_provisional_releases(
        &self,
        waiting: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), ClientError> {
        self.put_meta_json(PROVISIONAL_KEY, waiting)
    }

    /// Stores a record that gives a released item its final number (received, or made here).
    fn store_renumber(&self, old: &SignedRelease, new: &SignedRelease) -> Result<(), ClientError> {
        let audit = self.audit(
            AuditAction::DraftReleased,
            Some(new.record.item.id),
            &format!(
                "{} numbered {}",
                old.record.number.label(),
                new.record.number.label()
            ),
        );
        self.store().renumber_released_item(
            &new.record.item,
            &new.record.draft_id,
            &old.signature,
            &new.signature,
            new.to_bytes(),
            &audit,
        )?;
        Ok(())
    }

    /// At the next sync with the numbering `authority`: gives each text released here with a
    /// provisional number its final number, in a new signed record that supersedes the
    /// provisional one (logged in the draft, so the other replicas renumber it too). Returns
    /// what was renumbered; what the authority could not serve waits for the next time.
    pub fn settle_numbers(
        &self,
        authority: &mut dyn NumberAuthority,
    ) -> Result<Vec<Renumbered>, ClientError> {
        let _span = info_span!("settle_numbers").entered();
        let mut numbering = self.device_numbering()?;
        if numbering.pending().next().is_none() {
            return Ok(Vec::new());
        }
        let replacements = numbering.settle(authority)?;
        self.save_device_numbering(&numbering)?;
        let mut waiting = self.provisional_releases()?;
        let mut done = Vec::new();
        for r in replacements {
            let Some(draft) = waiting.remove(&r.provisional) else {
                continue;
            };
            let mut l = self.load_draft(&draft)?;
            let replayed_for_me = self.replay_log(&l.stored.id, &mut l.doc);
            let Some(old) = replayed_for_me.release.clone() else {
                continue;
            };
            let mut record = old.record.clone();
            let year = record.released_at.year();
            if let Some(series) = series_of(&record.item.content, year) {
                set_number(&mut record.item.content, &series, r.serial);
            }
            record.number = ReleaseNumber::Final {
                label: r.label.clone(),
            };
            record.supersedes = Some(old.signature.clone());
            let signed = SignedRelease::sign(record, &self.signing_key()?, &self.own().device)?;
            let text = String::from_utf8(signed.to_bytes().to_vec()).map_err(|_| {
                ClientError::InvalidDraft("the released record is not UTF-8".into())
            })?;
            let me = self.me_in(&replayed_for_me);
            self.append_step(
                &mut l.doc,
                &draft,
                &me,
                LoggedStep::Renumber { record: text },
            )?;
            self.store_renumber(&old, &signed)?;
            self.save_draft(&mut l, &[])?;
            done.push(Renumbered {
                item: signed.record.item.id,
                provisional: r.provisional,
                number: r.label,
            });
        }
        self.save_provisional_releases(&waiting)?;
        Ok(done)
    }

    /// Starts the correction of a released text: a new draft of the same kind, prefilled with
    /// the released content and circuit, its subject marked as a correction, that references
    /// the original (a telegram's references, a note's "answers"; an email says it in its
    /// subject); the released record itself never changes. The corrected text goes through clearance and release like any other.
    pub fn correct_release(&self, id_or_prefix: &str) -> Result<DraftState, ClientError> {
        let _span = info_span!("correct_release").entered();
        let id = self.resolve_id(id_or_prefix)?;
        let bytes = self.store().release_of(id)?.ok_or_else(|| {
            ClientError::InvalidDraft(format!(
                "item {id} was not released through a draft here: write the correction as a new draft"
            ))
        })?;
        let signed = SignedRelease::verify(&bytes)?;
        let record = &signed.record;
        let label = record.number.label().to_owned();
        let state = self.create_draft(record.item.kind())?;
        let mut edits = correction_edits(&record.item.content, &label);
        edits.push(DraftEdit::SetField {
            field: FieldName::Approver,
            value: record.approver.clone(),
        });
        edits.push(DraftEdit::SetList {
            field: ListField::Clearers,
            values: record
                .clearances
                .iter()
                .map(|c| c.clearer.clone())
                .filter(|c| *c != self.me() && *c != record.approver)
                .collect(),
        });
        let state = self.edit_draft(&state.id, &edits)?;
        let audit = self.audit(
            AuditAction::DraftCreated,
            Some(parse_draft_id(&state.id)?),
            &format!("correction of {id}"),
        );
        self.store().append_audit(&audit)?;
        Ok(state)
    }

    /// The released record of an item released or received here, checked.
    /// `None` when the item has no released record here (it was imported or composed, not
    /// released through a draft).
    pub fn verify_release_of(
        &self,
        id_or_prefix: &str,
    ) -> Result<Option<VerifiedRelease>, ClientError> {
        let id = self.resolve_id(id_or_prefix)?;
        let Some(bytes) = self.store().release_of(id)? else {
            return Ok(None);
        };
        let signed = SignedRelease::verify(&bytes)?;
        Ok(Some(self.verified_release(&signed)?))
    }

    /// The difference between two versions of a draft.
    pub fn draft_diff(
        &self,
        id: &str,
        from: &VersionRef,
        to: &VersionRef,
    ) -> Result<DraftDiff, ClientError> {
        let mut l = self.load_draft(id)?;
        let replayed = self.replay_log(&l.stored.id, &mut l.doc);
        let mut view_of = |v: &VersionRef| -> Result<(String, DraftView), ClientError> {
            match v {
                VersionRef::Current => Ok(("current".to_owned(), l.doc.view())),
                VersionRef::Number(n) => {
                    let version = replayed
                        .versions
                        .iter()
                        .find(|x| x.number == *n)
                        .ok_or_else(|| {
                            ClientError::InvalidDraft(format!(
                                "there is no version {n}: the history has {}",
                                replayed.versions.len()
                            ))
                        })?;
                    Ok((
                        format!("{n} ({})", version.label),
                        l.doc.view_at(&version.heads)?,
                    ))
                }
            }
        };
        let (from_label, before) = view_of(from)?;
        let (to_label, after) = view_of(to)?;
        Ok(DraftDiff::between(from_label, &before, to_label, &after))
    }

    /// What changed since `heads` (for a clearer whose clearance an edit reset).
    pub fn draft_changes_since(
        &self,
        id: &str,
        heads: &[String],
    ) -> Result<DraftDiff, ClientError> {
        let mut l = self.load_draft(id)?;
        let before = l.doc.view_at(heads)?;
        let after = l.doc.view();
        Ok(DraftDiff::between(
            "cleared".into(),
            &before,
            "current".into(),
            &after,
        ))
    }

    /// Anchors a comment to `start..end` (UTF-16 units) of paragraph `paragraph` (its id).
    pub fn comment_draft(
        &self,
        id: &str,
        paragraph: &str,
        start: usize,
        end: usize,
        text: &str,
    ) -> Result<DraftState, ClientError> {
        let mut l = self.load_draft(id)?;
        let me = self.me();
        l.doc.add_comment(&NewComment {
            paragraph,
            start,
            end,
            author: &me,
            at: OffsetDateTime::now_utc(),
            text,
        })?;
        let audit = self.audit(
            AuditAction::DraftCommented,
            Some(parse_draft_id(id)?),
            &format!("draft {id} comment"),
        );
        self.save_draft(&mut l, &[audit])?;
        self.state_of(&mut l)
    }

    pub fn resolve_draft_comment(
        &self,
        id: &str,
        comment: &str,
    ) -> Result<DraftState, ClientError> {
        let mut l = self.load_draft(id)?;
        l.doc.resolve_comment(comment, &self.me())?;
        self.save_draft(&mut l, &[])?;
        self.state_of(&mut l)
    }

    /// The whole draft as a packet for another replica (`import_draft` there).
    pub fn export_draft(&self, id: &str) -> Result<Vec<u8>, ClientError> {
        let mut l = self.load_draft(id)?;
        let mut out = PACKET_MAGIC.to_vec();
        out.extend_from_slice(l.stored.id.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(&l.doc.save());
        Ok(out)
    }

    /// The changes of draft `id` a replica at `heads` lacks, as a packet `import_draft` takes
    /// on a replica that holds the draft; `None` when this replica does not hold all of
    /// `heads` (the whole draft must go then).
    pub(crate) fn export_draft_changes(
        &self,
        id: &str,
        heads: &[String],
    ) -> Result<Option<Vec<u8>>, ClientError> {
        let mut l = self.load_draft(id)?;
        if heads.is_empty() || !l.doc.has_heads(heads) {
            return Ok(None);
        }
        let mut out = PACKET_MAGIC.to_vec();
        out.extend_from_slice(l.stored.id.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(&l.doc.changes_since(heads)?);
        Ok(Some(out))
    }

    /// Merges a packet from `export_draft` (another replica's draft) into this profile:
    /// creates the draft if it is new here, otherwise takes the changes this replica lacks.
    /// Steps that arrive are written to the audit log with their authors; a release that
    /// arrives is checked and its item stored here.
    pub fn import_draft(&self, packet: &[u8]) -> Result<DraftReceived, ClientError> {
        let _span = info_span!("import_draft", bytes = packet.len()).entered();
        let (id, bytes) = parse_packet(packet)?;
        let item = parse_draft_id(&id)?;
        let existing = self.store().get_draft(&id)?;
        let created = existing.is_none();
        let (mut l, before) = match existing {
            None => {
                let mut doc = DraftDoc::load(bytes, &fresh_actor())?;
                let kind = doc.kind();
                self.store().put_draft(&id, kind, bytes, "{}", &[])?;
                let stored = self
                    .store()
                    .get_draft(&id)?
                    .ok_or_else(|| ClientError::DraftNotFound(id.clone()))?;
                let loaded_heads = doc.heads();
                (
                    Loaded {
                        doc,
                        stored,
                        loaded_heads,
                    },
                    None,
                )
            }
            Some(_) => {
                let mut l = self.load_draft(&id)?;
                let before = self.replay_log(&l.stored.id, &mut l.doc);
                l.doc.apply_changes(bytes)?;
                (l, Some(before))
            }
        };
        // Changes that came before their predecessors wait in memory only: their bytes are
        // kept with the draft's changes, so that they apply when the others arrive, whatever
        // order a carrier brings them in.
        let waiting = !created && l.doc.has_waiting_changes();
        let changed = created || l.doc.heads() != l.loaded_heads;
        let after = self.replay_log(&l.stored.id, &mut l.doc);
        let me = self.me_in(&after);
        let new_steps: Vec<LogView> = after
            .log
            .iter()
            .filter(|v| {
                before
                    .as_ref()
                    .is_none_or(|b| !b.log.iter().any(|old| old == *v))
            })
            .cloned()
            .collect();
        let mut audit: Vec<AuditRecord> = new_steps
            .iter()
            .filter(|s| s.refused.is_none())
            .map(|s| AuditRecord {
                actor: s.actor.clone(),
                action: AuditAction::DraftReceived,
                item: Some(item),
                detail: format!("draft {id} {} (received)", s.step),
            })
            .collect();
        if created {
            audit.push(self.audit(
                AuditAction::DraftReceived,
                Some(item),
                &format!("draft {id} received"),
            ));
        }
        let was_my_turn = before
            .as_ref()
            .is_some_and(|b| waiting_for(b, &l.doc.view()).contains(&me));
        let now_my_turn = !was_my_turn && waiting_for(&after, &l.doc.view()).contains(&me);
        let mut released = None;
        if let Some(signed) = &after.release {
            let previous = before.as_ref().and_then(|b| b.release.as_ref());
            match previous {
                None => {
                    self.store_release(signed, AuditAction::ItemReceived)?;
                    released = Some(signed.record.item.id);
                }
                Some(old) if old.signature != signed.signature => {
                    self.store_renumber(old, signed)?;
                    released = Some(signed.record.item.id);
                }
                Some(_) => {}
            }
        }
        self.save_draft(&mut l, &audit)?;
        if waiting {
            self.store()
                .append_draft_changes(&l.stored.id, bytes, None, &[])?;
        }
        Ok(DraftReceived {
            id,
            created,
            changed,
            new_steps,
            now_my_turn,
            released,
        })
    }
}

const CORRECTION: &str = "RECTIFICATIF";

/// The edits that prefill a correction of `content`, released as `label`.
fn correction_edits(content: &ItemContent, label: &str) -> Vec<DraftEdit> {
    let set = |field: FieldName, value: &str| DraftEdit::SetField {
        field,
        value: value.to_owned(),
    };
    let paragraphs = |ps: &[diplomatie_domain::Paragraph]| -> Vec<DraftEdit> {
        ps.iter()
            .enumerate()
            .map(|(index, p)| DraftEdit::InsertParagraph {
                index,
                marking: p.marking,
                text: p.text.clone(),
            })
            .collect()
    };
    let routed = |action: &[Addressee], info: &[Addressee]| DraftEdit::SetAddressees {
        addressees: action
            .iter()
            .map(|a| (a.clone(), Route::Action))
            .chain(info.iter().map(|a| (a.clone(), Route::Info)))
            .collect(),
    };
    let mut edits = Vec::new();
    match content {
        ItemContent::Telegram(t) => {
            edits.push(set(
                FieldName::Subject,
                &format!("{CORRECTION} — {}", t.subject),
            ));
            edits.push(set(FieldName::Origin, &t.origin));
            edits.push(set(FieldName::Summary, &t.summary));
            edits.push(set(FieldName::Marking, t.marking.code()));
            edits.push(set(FieldName::Precedence, t.precedence.code()));
            if let Some(j) = &t.justification {
                edits.push(set(FieldName::Justification, j));
            }
            edits.push(routed(&t.action, &t.info));
            edits.push(DraftEdit::SetList {
                field: ListField::Tags,
                values: t.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            });
            edits.push(DraftEdit::SetList {
                field: ListField::Caveats,
                values: t.caveats.clone(),
            });
            let mut references: Vec<String> =
                t.references.iter().map(|r| r.label.clone()).collect();
            if !label.is_empty() {
                references.push(format!("TD {label}"));
            }
            edits.push(DraftEdit::SetList {
                field: ListField::References,
                values: references,
            });
            edits.extend(paragraphs(&t.paragraphs));
        }
        ItemContent::DiplomaticNote(n) => {
            edits.push(set(
                FieldName::Subject,
                &format!("{CORRECTION} — {}", n.subject),
            ));
            edits.push(set(FieldName::SendingMission, &n.sending_mission));
            edits.push(set(
                FieldName::ReceivingInstitution,
                &n.receiving_institution,
            ));
            edits.push(set(FieldName::Opening, &n.opening));
            edits.push(set(FieldName::Closing, &n.closing));
            edits.push(set(FieldName::Place, &n.place));
            edits.push(set(FieldName::Marking, n.marking.code()));
            edits.push(set(FieldName::Precedence, n.precedence.code()));
            if let Some(j) = &n.justification {
                edits.push(set(FieldName::Justification, j));
            }
            if !label.is_empty() {
                edits.push(set(FieldName::Answers, &format!("NV {label}")));
            }
            edits.push(routed(&n.action, &n.info));
            edits.push(DraftEdit::SetList {
                field: ListField::Tags,
                values: n.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            });
            edits.extend(paragraphs(&n.paragraphs));
        }
        ItemContent::FormalEmail(e) => {
            edits.push(set(
                FieldName::Subject,
                &format!("{CORRECTION} — {}", e.subject),
            ));
            edits.push(set(FieldName::From, &e.from.to_string()));
            edits.push(DraftEdit::SetList {
                field: ListField::To,
                values: e.to.iter().map(ToString::to_string).collect(),
            });
            edits.push(DraftEdit::SetList {
                field: ListField::Cc,
                values: e.cc.iter().map(ToString::to_string).collect(),
            });
            edits.push(set(FieldName::Marking, e.marking.code()));
            edits.push(set(FieldName::Precedence, e.precedence.code()));
            let body: Vec<diplomatie_domain::Paragraph> = e
                .body
                .split("\n\n")
                .filter(|p| !p.trim().is_empty())
                .map(|p| diplomatie_domain::Paragraph {
                    marking: e.marking,
                    text: p.to_owned(),
                })
                .collect();
            edits.extend(paragraphs(&body));
        }
    }
    edits
}

/// Checks a released record from a file or a message, without a profile.
pub fn verify_release(bytes: &[u8]) -> Result<VerifiedRelease, ClientError> {
    Ok(VerifiedRelease::from(&SignedRelease::verify(bytes)?))
}

pub(crate) fn parse_packet(packet: &[u8]) -> Result<(String, &[u8]), ClientError> {
    let bad = |why: &str| {
        ClientError::InvalidDraft(format!(
            "this file is not a draft exported by Diplomatie ({why}): ask for it again"
        ))
    };
    let rest = packet
        .strip_prefix(PACKET_MAGIC)
        .ok_or_else(|| bad("it does not start with DIPLOMATIE-DRAFT/1"))?;
    let newline = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| bad("no draft id"))?;
    let (id, bytes) = rest.split_at(newline);
    let id = std::str::from_utf8(id).map_err(|_| bad("its draft id is not text"))?;
    parse_draft_id(id).map_err(|_| bad("its draft id is not an id"))?;
    Ok((id.to_owned(), bytes.get(1..).unwrap_or_default()))
}

fn check_content(id: &str, content: ItemContent) -> Result<(), ClientError> {
    let item = Item {
        id: parse_draft_id(id)?,
        received_at: OffsetDateTime::now_utc(),
        deadline: None,
        content,
        language: None,
    };
    item.validate()?;
    Ok(())
}

/// Refuses a step the replayed state does not allow, with the state machine's reason.
fn check_step(replayed: &Replayed, me: &str, step: &LoggedStep) -> Result<(), ClientError> {
    diplomatie_draft::try_step(replayed.clearance.as_ref(), me, step)?;
    Ok(())
}

fn apply_edit(doc: &mut DraftDoc, edit: &DraftEdit, me: &str) -> Result<(), DraftError> {
    match edit {
        DraftEdit::SetField { field, value } => doc.set_field(*field, value),
        DraftEdit::ResolveField { field, value } => doc.resolve_field(*field, value),
        DraftEdit::SpliceField {
            field,
            pos,
            delete,
            insert,
        } => doc.splice_text_field(*field, *pos, *delete, insert),
        DraftEdit::SetList { field, values } => doc.set_list(*field, values),
        DraftEdit::SetAddressees { addressees } => doc.set_addressees(addressees),
        DraftEdit::InsertParagraph {
            index,
            marking,
            text,
        } => {
            doc.insert_paragraph(*index, *marking, text)?;
            doc.mark_edited(*index, me)
        }
        DraftEdit::DeleteParagraph { index } => doc.delete_paragraph(*index),
        DraftEdit::MoveParagraph { from, to } => doc.move_paragraph(*from, *to),
        DraftEdit::SpliceParagraph {
            index,
            pos,
            delete,
            insert,
        } => {
            doc.splice_paragraph(*index, *pos, *delete, insert)?;
            doc.mark_edited(*index, me)
        }
        DraftEdit::SetParagraphMarking { index, marking } => {
            doc.set_paragraph_marking(*index, *marking)?;
            doc.mark_edited(*index, me)
        }
    }
}

/// Who may act now.
fn waiting_for(replayed: &Replayed, view: &DraftView) -> Vec<String> {
    match &replayed.clearance {
        None => vec![view.fields.drafter.clone()],
        Some(c) => match c.stage() {
            Stage::Draft => vec![c.circuit().drafter.clone()],
            Stage::InClearance => c.waiting_for(),
            Stage::ReadyForApproval | Stage::Approved => vec![c.circuit().approver.clone()],
            Stage::Released | Stage::Withdrawn => Vec::new(),
        },
    }
}

fn build_state(
    id: &str,
    stored: &StoredDraft,
    view: DraftView,
    replayed: Replayed,
    comments: Vec<CommentView>,
    heads: Vec<String>,
) -> DraftState {
    let waiting = waiting_for(&replayed, &view);
    let circuit = replayed
        .clearance
        .as_ref()
        .map_or_else(|| circuit_of(&view), |c| c.circuit().clone());
    let clearers = match &replayed.clearance {
        None => circuit
            .clearers
            .iter()
            .map(|name| ClearerState {
                name: name.clone(),
                verdict: "pending".into(),
                comment: None,
                cleared_before: None,
            })
            .collect(),
        Some(c) => c
            .verdicts()
            .map(|(name, v)| {
                let (verdict, comment, before) = match v {
                    diplomatie_domain::Verdict::Pending { cleared_before } => (
                        "pending",
                        None,
                        cleared_before.and_then(|_| replayed.cleared_heads.get(name).cloned()),
                    ),
                    diplomatie_domain::Verdict::Cleared { comment, .. } => {
                        ("cleared", comment.clone(), None)
                    }
                    diplomatie_domain::Verdict::Rejected { comment, .. } => {
                        ("rejected", Some(comment.clone()), None)
                    }
                };
                ClearerState {
                    name: name.to_owned(),
                    verdict: verdict.into(),
                    comment,
                    cleared_before: before,
                }
            })
            .collect(),
    };
    let release = replayed.release.as_ref().map(|s| ReleaseView {
        item: s.record.item.id,
        number: s.record.number.label().to_owned(),
        provisional: matches!(s.record.number, ReleaseNumber::Provisional { .. }),
        approver: s.record.approver.clone(),
        signature: s.signature.clone(),
    });
    DraftState {
        id: id.to_owned(),
        me: String::new(),
        kind: view.kind,
        stage: replayed.stage(),
        round: replayed.clearance.as_ref().map_or(0, |c| c.round()),
        circuit,
        clearers,
        waiting_for: waiting,
        log: replayed.log,
        versions: replayed.versions,
        comments,
        release,
        heads,
        updated_at: stored.updated_at,
        view,
    }
}
