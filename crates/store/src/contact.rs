//! Contacts as the store keeps them: a card's bytes by identity key, the verification mark and
//! a pending card after a key change. What a card says is the client's business.

use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use crate::store::{from_ns, insert_audit, to_ns};
use crate::{AuditRecord, Store, StoreError};

/// A contact as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredContact {
    /// The store's number for the contact; 0 for one not stored yet.
    pub id: i64,
    /// The identity key (32 bytes) the card is accepted under.
    pub identity: Vec<u8>,
    pub card: Vec<u8>,
    /// When the safety number was compared; `None`: not verified.
    pub verified_at: Option<OffsetDateTime>,
    /// A card of the same person under another identity key, not used until verified.
    pub pending_card: Option<Vec<u8>>,
    pub key_changed_at: Option<OffsetDateTime>,
    pub added_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl std::fmt::Debug for StoredContact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredContact")
            .field("id", &self.id)
            .field("verified", &self.verified_at.is_some())
            .field("key_change", &self.pending_card.is_some())
            .finish_non_exhaustive()
    }
}

type Row = (
    i64,
    Vec<u8>,
    Vec<u8>,
    Option<i64>,
    Option<Vec<u8>>,
    Option<i64>,
    i64,
    i64,
);

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn from_row(r: Row) -> Result<StoredContact, StoreError> {
    let (id, identity, card, verified, pending_card, changed, added, updated) = r;
    Ok(StoredContact {
        id,
        identity,
        card,
        verified_at: verified.map(from_ns).transpose()?,
        pending_card,
        key_changed_at: changed.map(from_ns).transpose()?,
        added_at: from_ns(added)?,
        updated_at: from_ns(updated)?,
    })
}

const COLUMNS: &str =
    "id, identity, card, verified_at, pending_card, key_changed_at, added_at, updated_at";

impl Store {
    /// Every contact, in the order they were added.
    pub fn contacts(&self) -> Result<Vec<StoredContact>, StoreError> {
        let rows: Vec<Row> = self.call(|conn| {
            let mut stmt =
                conn.prepare_cached(&format!("SELECT {COLUMNS} FROM contacts ORDER BY id"))?;
            let rows = stmt
                .query_map([], read_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        rows.into_iter().map(from_row).collect()
    }

    /// The contact accepted under `identity`, if any.
    pub fn contact(&self, identity: &[u8]) -> Result<Option<StoredContact>, StoreError> {
        let row: Option<Row> = self.call(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM contacts WHERE identity = ?1"
                ))?
                .query_row([identity], read_row)
                .optional()?)
        })?;
        row.map(from_row).transpose()
    }

    /// Adds a contact (its `id` and times are set here) with its audit entry, in one
    /// transaction; returns its id. An identity already known is refused by the schema.
    pub fn add_contact(
        &self,
        contact: &StoredContact,
        audit: &AuditRecord,
    ) -> Result<i64, StoreError> {
        let at = OffsetDateTime::now_utc();
        self.call(|conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO contacts (identity, card, verified_at, pending_card, key_changed_at, \
                 added_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![
                    contact.identity,
                    contact.card,
                    contact.verified_at.map(to_ns),
                    contact.pending_card,
                    contact.key_changed_at.map(to_ns),
                    to_ns(at),
                ],
            )?;
            let id = tx.last_insert_rowid();
            insert_audit(&tx, audit, None, at)?;
            tx.commit()?;
            Ok(id)
        })
    }

    /// Replaces what is stored of contact `contact.id` (its added time aside) and appends
    /// `audit`, in one transaction.
    pub fn update_contact(
        &self,
        contact: &StoredContact,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        let at = OffsetDateTime::now_utc();
        self.call(|conn| {
            let tx = conn.transaction()?;
            let changed = tx.execute(
                "UPDATE contacts SET identity = ?2, card = ?3, verified_at = ?4, \
                 pending_card = ?5, key_changed_at = ?6, updated_at = ?7 WHERE id = ?1",
                params![
                    contact.id,
                    contact.identity,
                    contact.card,
                    contact.verified_at.map(to_ns),
                    contact.pending_card,
                    contact.key_changed_at.map(to_ns),
                    to_ns(at),
                ],
            )?;
            if changed != 1 {
                return Err(StoreError::Damaged(format!(
                    "contact {} is not in the store",
                    contact.id
                )));
            }
            insert_audit(&tx, audit, None, at)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Sets several settings or secrets at once, with an optional audit entry: all or none
    /// (a profile's keys and the records that name them go in together).
    pub fn put_metas(
        &self,
        values: &[(&str, &[u8])],
        audit: Option<&AuditRecord>,
    ) -> Result<(), StoreError> {
        let at = OffsetDateTime::now_utc();
        self.call(|conn| {
            let tx = conn.transaction()?;
            for (key, value) in values {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, value],
                )?;
            }
            if let Some(record) = audit {
                insert_audit(&tx, record, record.item, at)?;
            }
            tx.commit()?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::{AuditAction, KdfCost};

    fn audit(what: &str) -> AuditRecord {
        AuditRecord {
            actor: "Alice".into(),
            action: AuditAction::Other(what.into()),
            item: None,
            detail: String::new(),
        }
    }

    fn contact(identity: u8) -> StoredContact {
        StoredContact {
            id: 0,
            identity: vec![identity; 32],
            card: vec![1, 2, 3],
            verified_at: None,
            pending_card: None,
            key_changed_at: None,
            added_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn contacts_are_kept_by_identity_with_their_marks() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "contact store passphrase", KdfCost::MIN).unwrap();
        let id = store
            .add_contact(&contact(1), &audit("contact_added"))
            .unwrap();
        assert!(store.add_contact(&contact(1), &audit("again")).is_err());
        store
            .add_contact(&contact(2), &audit("contact_added"))
            .unwrap();
        let mut first = store.contact(&[1; 32]).unwrap().unwrap();
        assert_eq!(first.id, id);
        assert!(first.verified_at.is_none());
        let now = OffsetDateTime::now_utc();
        first.verified_at = Some(now);
        first.pending_card = Some(vec![9]);
        first.key_changed_at = Some(now);
        store
            .update_contact(&first, &audit("contact_verified"))
            .unwrap();
        let all = store.contacts().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].verified_at, Some(now));
        assert_eq!(all[0].pending_card.as_deref(), Some(&[9][..]));
        assert!(store.contact(&[3; 32]).unwrap().is_none());
        let missing = StoredContact {
            id: 99,
            ..contact(3)
        };
        assert!(store.update_contact(&missing, &audit("x")).is_err());
        // Every change left its audit entry.
        let log = store.audit_log(None, crate::Page::first(100)).unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.action.code() == "contact_added")
                .count(),
            2
        );
        assert_eq!(
            log.iter()
                .filter(|e| e.action.code() == "contact_verified")
                .count(),
            1
        );
    }

    #[test]
    fn several_settings_go_in_together() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "contact store passphrase", KdfCost::MIN).unwrap();
        store
            .put_metas(&[("a", b"1"), ("b", b"2")], Some(&audit("keys")))
            .unwrap();
        assert_eq!(store.get_meta("a").unwrap().unwrap(), b"1");
        assert_eq!(store.get_meta("b").unwrap().unwrap(), b"2");
    }
}
