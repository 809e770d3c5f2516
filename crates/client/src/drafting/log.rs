//! The clearance log's signatures and released records, checked: the log and its replay are
//! pure (`diplomatie_draft::replay`); the device certificates, signatures and records are
//! checked here, where the keys and the record format are known.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex};

use sha2::{Digest, Sha256};

use diplomatie_crypto::{Context, SigningKey, hex};
use diplomatie_draft::{DraftDoc, LogCheck, LogEntry, SignedEntry, Signer, Statement};
use diplomatie_protocol::DeviceCertificate;

use crate::release::{ReleaseNumber, SignedRelease};
use crate::{ClientError, Profile};

/// What the replay of a draft's log gives, with its released record verified.
pub type Replayed = diplomatie_draft::Replayed<SignedRelease>;

/// Replays the log of `doc` (draft `draft`) for its current content, checking every
/// signature and released record.
pub fn replay(draft: &str, doc: &mut DraftDoc) -> Replayed {
    let entries = doc.log();
    replay_entries(draft, &entries, doc)
}

/// Replays `entries` as the log of `doc` (draft `draft`): a log altered on its way is checked
/// against the document it claims to be the log of.
pub(crate) fn replay_entries(draft: &str, entries: &[String], doc: &mut DraftDoc) -> Replayed {
    replay_checked(draft, entries, doc, SignatureChecker::default()).0
}

fn replay_checked(
    draft: &str,
    entries: &[String],
    doc: &mut DraftDoc,
    signatures: SignatureChecker,
) -> (Replayed, SignatureChecker) {
    let current = doc.content_fingerprint();
    let mut checks = Checks {
        draft,
        doc,
        signatures,
    };
    let replayed = diplomatie_draft::replay(draft, entries, &current, &mut checks);
    (replayed, checks.signatures)
}

impl Profile {
    /// Replays the log of `doc` (draft `draft`) as [`replay`] does, with the entries this
    /// profile verified before (kept in its store) checked by their certificate alone; the
    /// entries verified now are recorded. An entry's signature is thus verified once per
    /// profile, when it first arrives.
    pub fn replay_log(&self, draft: &str, doc: &mut DraftDoc) -> Replayed {
        let recorded = self
            .store()
            .verified_log_entries(draft)
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the verified log entries could not be read");
                HashSet::new()
            });
        let entries = doc.log();
        let (replayed, checker) =
            replay_checked(draft, &entries, doc, SignatureChecker::recorded(recorded));
        let fresh = checker.fresh.into_inner();
        if let Err(e) = self.store().add_verified_log_entries(draft, &fresh) {
            tracing::warn!(error = %e, "the verified log entries could not be recorded");
        }
        replayed
    }
}

/// Checks the signatures of log entries by their device certificates. A certificate is
/// checked once (a log carries the same few many times over) and remembered, refused or not.
///
/// An entry whose signature verified is remembered by the SHA-256 digest of everything checked
/// (the context, the certificate, the signature and the entry): for the life of the process,
/// and in the profile's store through [`Profile::replay_log`]. A draft's log is replayed at
/// every look at the draft, and an Ed25519 verification costs about six times the replay of
/// the entry itself (docs/BENCHMARKS.md). Only successes are remembered; an entry that differs
/// in any byte has another digest and is checked afresh. An entry remembered is still checked
/// for the certificate it carries, which names its signer.
#[derive(Debug, Default)]
pub struct SignatureChecker {
    /// Each certificate met, by its hex: checked once, with the signer it names.
    certificates: RefCell<HashMap<String, Checked>>,
    /// The digests of the entries the profile recorded as verified.
    recorded: HashSet<[u8; 32]>,
    /// The digests of the entries verified by this checker and not recorded yet.
    fresh: RefCell<Vec<[u8; 32]>>,
}

/// A certificate checked: the device and who it makes the signer, or why it was refused.
type Checked = Result<(DeviceCertificate, Signer), String>;

/// Entries whose signature verified, by digest (see [`SignatureChecker`]).
static VERIFIED: LazyLock<Mutex<HashMap<[u8; 32], Signer>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
/// The most entries remembered; past it the memory starts again empty (about 10 MiB).
const MAX_VERIFIED: usize = 50_000;

fn digest(statement: Statement, signed: &SignedEntry) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in [
        context(statement).label().as_bytes(),
        signed.certificate.as_bytes(),
        signed.signature.as_bytes(),
        signed.entry.as_bytes(),
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hash.finalize().into()
}

impl SignatureChecker {
    /// Who signed `signed` as a statement of kind `statement`.
    pub fn signer(&self, signed: &SignedEntry, statement: Statement) -> Result<Signer, String> {
        let key = digest(statement, signed);
        if self.recorded.contains(&key) {
            return self
                .certified(&signed.certificate)
                .map(|(_, signer)| signer);
        }
        if let Some(signer) = VERIFIED.lock().ok().and_then(|v| v.get(&key).cloned()) {
            self.fresh.borrow_mut().push(key);
            return Ok(signer);
        }
        let signer = self.verify(signed, statement)?;
        self.fresh.borrow_mut().push(key);
        if let Ok(mut verified) = VERIFIED.lock() {
            if verified.len() >= MAX_VERIFIED {
                verified.clear();
            }
            verified.insert(key, signer.clone());
        }
        Ok(signer)
    }

    /// Forgets every entry remembered as verified (benchmarks measure the first replay).
    pub fn forget_verified() {
        if let Ok(mut verified) = VERIFIED.lock() {
            verified.clear();
        }
    }

    /// [`SignatureChecker::signer`] without the memory of entries verified before.
    pub fn verify(&self, signed: &SignedEntry, statement: Statement) -> Result<Signer, String> {
        let signature = hex::decode(&signed.signature).ok_or("its signature is unreadable")?;
        let (device, signer) = self.certified(&signed.certificate)?;
        device
            .verify(context(statement), signed.entry.as_bytes(), &signature)
            .map_err(|_| "its signature does not match (altered, or signed for something else)")?;
        Ok(signer)
    }

    /// A checker that takes the entries whose digests are in `recorded` as verified.
    pub(crate) fn recorded(recorded: HashSet<[u8; 32]>) -> SignatureChecker {
        SignatureChecker {
            recorded,
            ..SignatureChecker::default()
        }
    }

    /// The certificate `hex_text`, checked (once for this checker), and the signer it names.
    fn certified(&self, hex_text: &str) -> Result<(DeviceCertificate, Signer), String> {
        if let Some(checked) = self.certificates.borrow().get(hex_text) {
            return checked.clone();
        }
        let checked = check_certificate(hex_text);
        self.certificates
            .borrow_mut()
            .insert(hex_text.to_owned(), checked.clone());
        checked
    }
}

/// Checks a certificate (hex) and names the signer it makes.
fn check_certificate(hex_text: &str) -> Checked {
    let raw = hex::decode(hex_text).ok_or("its device certificate is unreadable")?;
    let device = DeviceCertificate::decode(&raw)
        .map_err(|e| format!("its device certificate does not hold ({e})"))?;
    let signer = Signer {
        identity: device.identity.hex(),
        device: device.device.hex(),
    };
    Ok((device, signer))
}

/// The context each kind of log statement is signed under.
fn context(statement: Statement) -> Context {
    match statement {
        Statement::Clearance => Context::Clearance,
        Statement::Release => Context::Release,
        Statement::Renumber => Context::Renumber,
        Statement::Acknowledgement => Context::Acknowledgement,
    }
}

/// Signs `entry` with this device's key, carrying its certificate: the string the log keeps.
pub(crate) fn sign_entry(
    entry: &LogEntry,
    key: &SigningKey,
    device: &DeviceCertificate,
) -> Result<String, ClientError> {
    let json =
        serde_json::to_string(entry).map_err(|e| ClientError::InvalidDraft(e.to_string()))?;
    let signature = key.sign_as(context(entry.step.statement()), json.as_bytes());
    let signed = SignedEntry {
        entry: json,
        certificate: hex::encode(device.bytes()),
        signature: hex::encode(&signature),
    };
    serde_json::to_string(&signed).map_err(|e| ClientError::InvalidDraft(e.to_string()))
}

/// Checks signatures by their device certificates, and released records against the document.
struct Checks<'a> {
    draft: &'a str,
    doc: &'a mut DraftDoc,
    signatures: SignatureChecker,
}

/// The fields of an item that the release sets and the document cannot: its number and its
/// message id. Everything else must be the document's at the heads named, made into an item at
/// the record's release time (the dates an item takes when it is released come from it).
const SET_AT_RELEASE: [&str; 2] = ["number", "message_id"];

/// `content` as JSON without the fields `keys` (the content is tagged by kind, its fields at
/// the top level).
fn without(content: &diplomatie_domain::ItemContent, keys: &[&str]) -> serde_json::Value {
    let mut value = serde_json::to_value(content).unwrap_or_default();
    if let Some(fields) = value.as_object_mut() {
        for key in keys {
            fields.remove(*key);
        }
    }
    value
}

impl Checks<'_> {
    /// Whether `signed`'s item is exactly the document's text at `heads`.
    fn same_text(&mut self, signed: &SignedRelease, heads: &[String]) -> Result<(), String> {
        let r = &signed.record;
        let view = self
            .doc
            .view_at(heads)
            .map_err(|e| format!("the version it names is not in this draft ({e})"))?;
        let recomputed = view
            .to_content(&r.drafter, r.released_at)
            .map_err(|e| format!("the version it names cannot be released ({e})"))?;
        if without(&recomputed, &SET_AT_RELEASE) != without(&r.item.content, &SET_AT_RELEASE) {
            return Err(
                "refused: the released text is not the document at the version it names".into(),
            );
        }
        Ok(())
    }
}

impl LogCheck for Checks<'_> {
    type Release = SignedRelease;

    fn signer(&self, signed: &SignedEntry, statement: Statement) -> Result<Signer, String> {
        self.signatures.signer(signed, statement)
    }

    /// A valid record of format 2, signed by a device of the circuit's approver, for this
    /// draft, item and version, holding the document's text at that version.
    fn release(
        &mut self,
        record: &str,
        approver: &str,
        heads: &[String],
    ) -> Result<SignedRelease, String> {
        let signed = SignedRelease::verify(record.as_bytes()).map_err(|e| e.to_string())?;
        let r = &signed.record;
        if signed.identity.map(|i| i.hex()).as_deref() != Some(approver) {
            return Err(
                "refused: the released record is not signed by the approver of this circuit".into(),
            );
        }
        if r.heads != heads {
            return Err("the released record names another version than its log entry".into());
        }
        if r.draft_id != self.draft || r.item.id.to_string() != self.draft {
            return Err("refused: the released record is for another draft".into());
        }
        self.same_text(&signed, heads)?;
        Ok(signed)
    }

    /// A record that replaces a provisional number: signed by the same approver, for the same
    /// item and version, superseding the current record, with a final number.
    fn renumber(&mut self, current: &SignedRelease, record: &str) -> Result<SignedRelease, String> {
        let signed = SignedRelease::verify(record.as_bytes()).map_err(|e| e.to_string())?;
        let (old, new) = (&current.record, &signed.record);
        if new.supersedes.as_deref() != Some(current.signature.as_str()) {
            return Err("the new number does not replace the current released record".into());
        }
        if signed.identity.is_none()
            || signed.identity != current.identity
            || new.item.id != old.item.id
            || new.heads != old.heads
            || new.draft_id != old.draft_id
        {
            return Err(
                "refused: the new number is not signed by the approver of the release, for the same text"
                    .into(),
            );
        }
        if !matches!(new.number, ReleaseNumber::Final { .. }) {
            return Err("a replacement record must carry a final number".into());
        }
        if without(&new.item.content, &["number"]) != without(&old.item.content, &["number"]) {
            return Err("refused: the new number comes with another text".into());
        }
        Ok(signed)
    }
}
