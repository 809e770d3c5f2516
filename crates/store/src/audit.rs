//! The audit log: who did what to which item, append-only (triggers refuse UPDATE and DELETE).
//! The store writes no entry of its own: callers say what happened.

use std::fmt;

use diplomatie_domain::ItemId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

/// What happened. Stored and shown as snake_case (`item_imported`); a code written by a newer
/// version reads back as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuditAction {
    ProfileCreated,
    ProfileOpened,
    PassphraseChanged,
    ItemComposed,
    ItemImported,
    ItemReceived,
    ItemExported,
    ItemViewed,
    ItemRead,
    ItemUnread,
    ItemCleared,
    ItemApproved,
    ItemReleased,
    ItemSent,
    ItemAcknowledged,
    AttachmentExported,
    DeviceLinked,
    DeviceRevoked,
    DraftCreated,
    DraftEdited,
    DraftSubmitted,
    DraftCleared,
    DraftRejected,
    DraftApproved,
    DraftWithdrawn,
    DraftReleased,
    DraftReceived,
    DraftCommented,
    IdentityCreated,
    ContactAdded,
    ContactUpdated,
    ContactKeyChanged,
    ContactVerified,
    Other(String),
}

impl AuditAction {
    const KNOWN: [AuditAction; 33] = [
        AuditAction::ProfileCreated,
        AuditAction::ProfileOpened,
        AuditAction::PassphraseChanged,
        AuditAction::ItemComposed,
        AuditAction::ItemImported,
        AuditAction::ItemReceived,
        AuditAction::ItemExported,
        AuditAction::ItemViewed,
        AuditAction::ItemRead,
        AuditAction::ItemUnread,
        AuditAction::ItemCleared,
        AuditAction::ItemApproved,
        AuditAction::ItemReleased,
        AuditAction::ItemSent,
        AuditAction::ItemAcknowledged,
        AuditAction::AttachmentExported,
        AuditAction::DeviceLinked,
        AuditAction::DeviceRevoked,
        AuditAction::DraftCreated,
        AuditAction::DraftEdited,
        AuditAction::DraftSubmitted,
        AuditAction::DraftCleared,
        AuditAction::DraftRejected,
        AuditAction::DraftApproved,
        AuditAction::DraftWithdrawn,
        AuditAction::DraftReleased,
        AuditAction::DraftReceived,
        AuditAction::DraftCommented,
        AuditAction::IdentityCreated,
        AuditAction::ContactAdded,
        AuditAction::ContactUpdated,
        AuditAction::ContactKeyChanged,
        AuditAction::ContactVerified,
    ];

    pub fn code(&self) -> &str {
        match self {
            AuditAction::ProfileCreated => "profile_created",
            AuditAction::ProfileOpened => "profile_opened",
            AuditAction::PassphraseChanged => "passphrase_changed",
            AuditAction::ItemComposed => "item_composed",
            AuditAction::ItemImported => "item_imported",
            AuditAction::ItemReceived => "item_received",
            AuditAction::ItemExported => "item_exported",
            AuditAction::ItemViewed => "item_viewed",
            AuditAction::ItemRead => "item_read",
            AuditAction::ItemUnread => "item_unread",
            AuditAction::ItemCleared => "item_cleared",
            AuditAction::ItemApproved => "item_approved",
            AuditAction::ItemReleased => "item_released",
            AuditAction::ItemSent => "item_sent",
            AuditAction::ItemAcknowledged => "item_acknowledged",
            AuditAction::AttachmentExported => "attachment_exported",
            AuditAction::DeviceLinked => "device_linked",
            AuditAction::DeviceRevoked => "device_revoked",
            AuditAction::DraftCreated => "draft_created",
            AuditAction::DraftEdited => "draft_edited",
            AuditAction::DraftSubmitted => "draft_submitted",
            AuditAction::DraftCleared => "draft_cleared",
            AuditAction::DraftRejected => "draft_rejected",
            AuditAction::DraftApproved => "draft_approved",
            AuditAction::DraftWithdrawn => "draft_withdrawn",
            AuditAction::DraftReleased => "draft_released",
            AuditAction::DraftReceived => "draft_received",
            AuditAction::DraftCommented => "draft_commented",
            AuditAction::IdentityCreated => "identity_created",
            AuditAction::ContactAdded => "contact_added",
            AuditAction::ContactUpdated => "contact_updated",
            AuditAction::ContactKeyChanged => "contact_key_changed",
            AuditAction::ContactVerified => "contact_verified",
            AuditAction::Other(code) => code,
        }
    }

    pub fn from_code(code: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|a| a.code() == code)
            .cloned()
            .unwrap_or_else(|| AuditAction::Other(code.to_owned()))
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for AuditAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for AuditAction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Ok(Self::from_code(&code))
    }
}

/// An entry to append. `detail` must never hold a subject or a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub actor: String,
    pub action: AuditAction,
    pub item: Option<ItemId>,
    pub detail: String,
}

impl AuditRecord {
    pub fn new(actor: impl Into<String>, action: AuditAction) -> Self {
        Self {
            actor: actor.into(),
            action,
            item: None,
            detail: String::new(),
        }
    }
}

/// An entry as stored, with its sequence number and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: AuditAction,
    pub item: Option<ItemId>,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for a in AuditAction::KNOWN {
            assert_eq!(AuditAction::from_code(a.code()), a);
        }
        assert_eq!(
            AuditAction::from_code("future_thing"),
            AuditAction::Other("future_thing".into())
        );
        assert_eq!(AuditAction::ItemViewed.to_string(), "item_viewed");
    }
}
