//! The clearance log's released records, checked: the log and its replay are pure
//! (`diplomatie_draft::replay`); the signatures of the records it carries are checked here,
//! with the release code that signs them.

use diplomatie_draft::ReleaseCheck;

use crate::release::{ReleaseNumber, SignedRelease};

/// What the replay of a draft's log gives, with its released record verified.
pub type Replayed = diplomatie_draft::Replayed<SignedRelease>;

/// Replays a draft's log (`DraftDoc::log`) for its current content digest
/// (`DraftDoc::content_fingerprint`), verifying every released record.
pub fn replay(entries: &[String], current: &str) -> Replayed {
    diplomatie_draft::replay(entries, current, &Signatures)
}

/// Checks released records by their signature ([`SignedRelease::verify`]).
#[derive(Debug, Clone, Copy)]
struct Signatures;

impl ReleaseCheck for Signatures {
    type Release = SignedRelease;

    /// A valid signature, by the approver who logged it, over the version the entry names.
    fn release(
        &self,
        record: &str,
        actor: &str,
        approver: &str,
        heads: &[String],
    ) -> Result<SignedRelease, String> {
        let signed = SignedRelease::verify(record.as_bytes()).map_err(|e| e.to_string())?;
        let r = &signed.record;
        if r.approver != actor || r.approver != approver {
            return Err(format!(
                "the released record is signed for {}, who is not the approver of this circuit",
                r.approver
            ));
        }
        if r.heads != heads {
            return Err("the released record names another version than its log entry".into());
        }
        Ok(signed)
    }

    /// A record that replaces a provisional number: signed, by the same key, for the same
    /// item and version, superseding the current record, with a final number.
    fn renumber(&self, current: &SignedRelease, record: &str) -> Result<SignedRelease, String> {
        let signed = SignedRelease::verify(record.as_bytes()).map_err(|e| e.to_string())?;
        let (old, new) = (&current.record, &signed.record);
        if new.supersedes.as_deref() != Some(current.signature.as_str()) {
            return Err("the new number does not replace the current released record".into());
        }
        if new.approver_key != old.approver_key
            || new.item.id != old.item.id
            || new.heads != old.heads
        {
            return Err(
                "the new number is not signed by the approver of the release, for the same text"
                    .into(),
            );
        }
        if !matches!(new.number, ReleaseNumber::Final { .. }) {
            return Err("a replacement record must carry a final number".into());
        }
        Ok(signed)
    }
}
