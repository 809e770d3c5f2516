//! Drafts as the store keeps them: opaque automerge bytes (a compacted snapshot and the change
//! sets saved since), the client's state beside them (JSON), named versions, and released
//! records. What the bytes mean is the client's business.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;

use diplomatie_domain::{Item, ItemId, ItemKind, Language};

use crate::store::{from_ns, id_from_blob, insert_audit, insert_item, item_number, to_ns};
use crate::words::NewWords;
use crate::{AuditRecord, NewItem, PutOutcome, Store, StoreError};

/// A draft as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredDraft {
    pub id: String,
    pub kind: ItemKind,
    /// The compacted document (empty before the first compaction).
    pub snapshot: Vec<u8>,
    /// Change sets saved after the snapshot, oldest first.
    pub changes: Vec<Vec<u8>>,
    /// The client's state (clearance circuit, comments…), JSON.
    pub state: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl std::fmt::Debug for StoredDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredDraft")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("snapshot_bytes", &self.snapshot.len())
            .field("changes", &self.changes.len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Creates a draft, or replaces its snapshot and state (compaction: the change sets it
    /// folds in are removed in the same transaction).
    pub fn put_draft(
        &self,
        id: &str,
        kind: ItemKind,
        snapshot: &[u8],
        state: &str,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let at = OffsetDateTime::now_utc();
        let now = to_ns(at);
        self.call(|conn| {
            let tx = conn.transaction()?;
            for record in audit {
                insert_audit(&tx, record, record.item, at)?;
            }
            tx.execute(
                "INSERT INTO drafts (id, kind, snapshot, state, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5) \
                 ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot, \
                 state = excluded.state, updated_at = excluded.updated_at",
                params![id, kind.code(), snapshot, state, now],
            )?;
            tx.execute("DELETE FROM draft_changes WHERE draft = ?1", params![id])?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Appends a change set to a draft (incremental save); `state` replaces the client's state
    /// in the same transaction when given.
    pub fn append_draft_changes(
        &self,
        id: &str,
        changes: &[u8],
        state: Option<&str>,
        audit: &[AuditRecord],
    ) -> Result<(), StoreError> {
        let at = OffsetDateTime::now_utc();
        let now = to_ns(at);
        self.call(|conn| {
            let tx = conn.transaction()?;
            for record in audit {
                insert_audit(&tx, record, record.item, at)?;
            }
            let n = tx.execute(
                "UPDATE drafts SET updated_at = ?2, state = coalesce(?3, state) WHERE id = ?1",
                params![id, now, state],
            )?;
            if n == 0 {
                return Err(StoreError::InvalidQuery(format!("no draft {id}")));
            }
            if !changes.is_empty() {
                tx.execute(
                    "INSERT INTO draft_changes (draft, bytes) VALUES (?1, ?2)",
                    params![id, changes],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    pub fn get_draft(&self, id: &str) -> Result<Option<StoredDraft>, StoreError> {
        self.call(|conn| {
            let row = conn
                .query_row(
                    "SELECT kind, snapshot, state, created_at, updated_at FROM drafts WHERE id = ?1",
                    params![id],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, Vec<u8>>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, i64>(4)?,
                        ))
                    },
                )
                .optional()?;
            let Some((kind, snapshot, state, created, updated)) = row else {
                return Ok(None);
            };
            let mut stmt = conn.prepare_cached(
                "SELECT bytes FROM draft_changes WHERE draft = ?1 ORDER BY seq",
            )?;
            let changes = stmt
                .query_map(params![id], |r| r.get::<_, Vec<u8>>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(StoredDraft {
                id: id.to_owned(),
                kind: ItemKind::from_code(&kind)
                    .map_err(|e| StoreError::Damaged(e.to_string()))?,
                snapshot,
                changes,
                state,
                created_at: from_ns(created)?,
                updated_at: from_ns(updated)?,
            }))
        })
    }

    /// Every draft's id and kind, most recently changed first.
    pub fn list_drafts(&self) -> Result<Vec<(String, ItemKind, OffsetDateTime)>, StoreError> {
        self.call(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, kind, updated_at FROM drafts ORDER BY updated_at DESC",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(id, kind, at)| {
                    Ok((
                        id,
                        ItemKind::from_code(&kind)
                            .map_err(|e| StoreError::Damaged(e.to_string()))?,
                        from_ns(at)?,
                    ))
                })
                .collect()
        })
    }

    /// Stores a released item with its record (exactly as signed) and `audit` entry, in one
    /// transaction. An item already stored under that id (received from another replica
    /// before) is left as it is; the record is kept once.
    pub fn put_released_item(
        &self,
        item: &NewItem<'_>,
        draft: &str,
        signature: &str,
        record: &[u8],
        audit: &AuditRecord,
    ) -> Result<PutOutcome, StoreError> {
        let at = OffsetDateTime::now_utc();
        self.call(|conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut words = NewWords::default();
            let outcome = insert_item(&tx, item, &mut words)?;
            words.keep(&tx)?;
            tx.execute(
                "INSERT INTO releases (item, draft, signature, record, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                params![
                    item.item.id.as_bytes().as_slice(),
                    draft,
                    signature,
                    record,
                    to_ns(at)
                ],
            )?;
            if let PutOutcome::Inserted(id) = outcome {
                insert_audit(&tx, audit, audit.item.or(Some(id)), at)?;
            }
            tx.commit()?;
            Ok(outcome)
        })
    }

    /// A provisional number made final: the item's number (and its index entry) replaced by
    /// `item`'s, the new record kept beside the one it supersedes, with `audit`, in one
    /// transaction. Receiving the same record again changes nothing.
    pub fn renumber_released_item(
        &self,
        item: &Item,
        draft: &str,
        old_signature: &str,
        new_signature: &str,
        record: &[u8],
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        let at = OffsetDateTime::now_utc();
        let id = item.id;
        self.call(|conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM releases WHERE signature = ?1)",
                params![new_signature],
                |r| r.get(0),
            )?;
            if known {
                return Ok(());
            }
            let seq: Option<i64> = tx
                .query_row(
                    "SELECT seq FROM items WHERE id = ?1",
                    params![id.as_bytes().as_slice()],
                    |r| r.get(0),
                )
                .optional()?;
            let seq = seq.ok_or(StoreError::NotFound(id))?;
            tx.execute(
                "UPDATE items SET number = ?2, data = '', packed = ?3, dictionary = ?4, \
                 language = ?5 WHERE seq = ?1",
                params![
                    seq,
                    item_number(item),
                    crate::record::pack(item)?,
                    crate::record::DICTIONARY,
                    item.language.as_ref().map_or("", Language::as_str)
                ],
            )?;
            let mut words = NewWords::default();
            crate::store::reindex(&tx, seq, item, &mut words)?;
            words.keep(&tx)?;
            tx.execute(
                "INSERT INTO releases (signature, item, draft, record, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![new_signature, id.as_bytes().as_slice(), draft, record, to_ns(at)],
            )?;
            tx.execute(
                "UPDATE releases SET superseded_by = ?2 WHERE signature = ?1",
                params![old_signature, new_signature],
            )?;
            insert_audit(&tx, audit, audit.item.or(Some(id)), at)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// The released record of an item, if it was released here.
    pub fn release_of(&self, item: ItemId) -> Result<Option<Vec<u8>>, StoreError> {
        self.call(|conn| {
            Ok(conn
                .query_row(
                    "SELECT record FROM releases WHERE item = ?1 AND superseded_by IS NULL \
                 ORDER BY at DESC LIMIT 1",
                    params![item.as_bytes().as_slice()],
                    |r| r.get(0),
                )
                .optional()?)
        })
    }

    /// The item a draft was released as, if it was.
    pub fn released_item_of(&self, draft: &str) -> Result<Option<ItemId>, StoreError> {
        let blob: Option<Vec<u8>> = self.call(|conn| {
            Ok(conn
                .query_row(
                    "SELECT item FROM releases WHERE draft = ?1 AND superseded_by IS NULL \
                     ORDER BY at DESC LIMIT 1",
                    params![draft],
                    |r| r.get(0),
                )
                .optional()?)
        })?;
        blob.map(|b| id_from_blob(&b)).transpose()
    }

    /// The digests of the log entries of `draft` whose signature this profile verified.
    pub fn verified_log_entries(&self, draft: &str) -> Result<HashSet<[u8; 32]>, StoreError> {
        self.call(|conn| {
            let mut statement =
                conn.prepare_cached("SELECT digest FROM verified_log_entries WHERE draft = ?1")?;
            let rows = statement.query_map(params![draft], |r| r.get::<_, Vec<u8>>(0))?;
            let mut digests = HashSet::new();
            for row in rows {
                let digest = <[u8; 32]>::try_from(row?.as_slice()).map_err(|_| {
                    StoreError::Damaged("a verified log entry's digest is not 32 bytes".into())
                })?;
                digests.insert(digest);
            }
            Ok(digests)
        })
    }

    /// Records log entries of `draft` as verified (by digest), in one transaction; a digest
    /// recorded before is kept once.
    pub fn add_verified_log_entries(
        &self,
        draft: &str,
        digests: &[[u8; 32]],
    ) -> Result<(), StoreError> {
        if digests.is_empty() {
            return Ok(());
        }
        self.call(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT OR IGNORE INTO verified_log_entries (draft, digest) VALUES (?1, ?2)",
                )?;
                for digest in digests {
                    insert.execute(params![draft, digest.as_slice()])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use diplomatie_domain::{
        Addressee, Item, ItemContent, Marking, Paragraph, Precedence, Telegram,
    };

    use super::*;
    use crate::{AuditAction, Page};

    fn audit(action: AuditAction, detail: &str) -> AuditRecord {
        AuditRecord {
            actor: "Alice".into(),
            action,
            item: None,
            detail: detail.into(),
        }
    }

    fn details(store: &Store) -> Vec<String> {
        let mut d: Vec<String> = store
            .audit_log(None, Page::first(100))
            .unwrap()
            .into_iter()
            .map(|e| e.detail)
            .collect();
        d.sort();
        d
    }

    #[test]
    fn drafts_keep_snapshots_and_changes_with_their_audit_entries() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::create(dir.path(), "draft store passphrase", crate::KdfCost::MIN).unwrap();
        let before = details(&store);
        assert!(store.get_draft("d1").unwrap().is_none());
        let edit = audit(AuditAction::Other("draft_edited".into()), "d1 edit");
        assert!(
            store
                .append_draft_changes("d1", b"x", None, std::slice::from_ref(&edit))
                .is_err()
        );
        assert_eq!(details(&store), before, "a refused append logs nothing");
        let created = audit(AuditAction::Other("draft_created".into()), "d1 created");
        store
            .put_draft("d1", ItemKind::Telegram, b"snap-1", "{}", &[created])
            .unwrap();
        store
            .append_draft_changes("d1", b"c1", None, &[edit])
            .unwrap();
        store
            .append_draft_changes("d1", b"c2", Some(r#"{"stage":"draft"}"#), &[])
            .unwrap();
        let d = store.get_draft("d1").unwrap().unwrap();
        assert_eq!(d.snapshot, b"snap-1");
        assert_eq!(d.changes, vec![b"c1".to_vec(), b"c2".to_vec()]);
        assert_eq!(d.state, r#"{"stage":"draft"}"#);
        let mut expected = before.clone();
        expected.extend(["d1 created".to_owned(), "d1 edit".to_owned()]);
        expected.sort();
        assert_eq!(details(&store), expected);
        // Compaction folds the changes into a new snapshot.
        store
            .put_draft("d1", ItemKind::Telegram, b"snap-2", &d.state, &[])
            .unwrap();
        let d = store.get_draft("d1").unwrap().unwrap();
        assert_eq!(
            (d.snapshot.as_slice(), d.changes.len()),
            (&b"snap-2"[..], 0)
        );
        store
            .put_draft("d2", ItemKind::DiplomaticNote, b"", "{}", &[])
            .unwrap();
        assert_eq!(store.list_drafts().unwrap().len(), 2);
    }

    #[test]
    fn a_released_item_is_stored_with_its_record_once() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::create(dir.path(), "draft store passphrase", crate::KdfCost::MIN).unwrap();
        let id = ItemId::from_uuid(uuid::Uuid::now_v7());
        let item = Item {
            id,
            received_at: OffsetDateTime::now_utc(),
            deadline: None,
            content: ItemContent::Telegram(Telegram {
                number: None,
                dtg: OffsetDateTime::now_utc(),
                origin: "BERLIN".into(),
                action: vec![Addressee::Unit("DFAE".into())],
                info: vec![],
                subject: "Objet".into(),
                tags: vec![],
                references: vec![],
                summary: String::new(),
                paragraphs: vec![Paragraph {
                    marking: Marking::NonProtege,
                    text: "Texte".into(),
                }],
                drafter: "Alice".into(),
                clearers: vec![],
                approver: Some("Dora".into()),
                precedence: Precedence::Routine,
                justification: None,
                marking: Marking::NonProtege,
                caveats: vec![],
            }),
            language: None,
        };
        let new = NewItem::new(&item);
        let released = audit(AuditAction::ItemReleased, "released");
        let first = store
            .put_released_item(&new, "d1", "sig", b"record", &released)
            .unwrap();
        assert_eq!(first, PutOutcome::Inserted(id));
        // Its words are in the list a prefix is expanded from.
        let prefixed = |text: &str| store.search(&crate::SearchQuery::text(text)).unwrap().len();
        assert_eq!(prefixed("obje*"), 1);
        assert_eq!(prefixed("2026*"), 0);
        assert_eq!(store.release_of(id).unwrap().unwrap(), b"record");
        assert_eq!(store.released_item_of("d1").unwrap(), Some(id));
        // The same release received again (from another replica) changes nothing.
        let again = store
            .put_released_item(&new, "d1", "sig", b"record", &released)
            .unwrap();
        assert_eq!(again, PutOutcome::Duplicate(id));
        assert_eq!(
            details(&store).iter().filter(|d| *d == "released").count(),
            1
        );
        assert!(store.get_item(id).unwrap().is_some());

        // The provisional number made final: item, index and current record follow.
        let mut numbered = item.clone();
        if let ItemContent::Telegram(t) = &mut numbered.content {
            t.number = Some(diplomatie_domain::TelegramNumber {
                post: "BERLIN".into(),
                year: 2026,
                serial: 7,
            });
        }
        let renumbered = audit(AuditAction::DraftReleased, "renumbered");
        store
            .renumber_released_item(&numbered, "d1", "sig", "sig2", b"record 2", &renumbered)
            .unwrap();
        store
            .renumber_released_item(&numbered, "d1", "sig", "sig2", b"record 2", &renumbered)
            .unwrap();
        assert_eq!(store.release_of(id).unwrap().unwrap(), b"record 2");
        assert_eq!(
            store.find_by_number("TD BERLIN 2026-0007").unwrap(),
            Some(id)
        );
        let stored = store.get_item(id).unwrap().unwrap();
        assert_eq!(stored.item, numbered);
        let hits = store
            .search(&crate::SearchQuery::text("\"BERLIN 2026-0007\""))
            .unwrap();
        assert_eq!(hits.len(), 1, "the index has the final number");
        assert_eq!(
            prefixed("2026*"),
            1,
            "the list has the words of the final number"
        );
        assert_eq!(
            details(&store)
                .iter()
                .filter(|d| *d == "renumbered")
                .count(),
            1,
            "a record received twice is kept once"
        );
        // An item that is not here cannot be renumbered.
        let mut other = numbered;
        other.id = ItemId::from_uuid(uuid::Uuid::now_v7());
        assert!(matches!(
            store.renumber_released_item(&other, "d2", "x", "y", b"r", &renumbered),
            Err(StoreError::NotFound(_))
        ));
    }

    #[test]
    fn verified_log_entries_are_kept_by_draft_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "pass phrase", crate::KdfCost::MIN).unwrap();
        assert!(store.verified_log_entries("d1").unwrap().is_empty());
        store
            .add_verified_log_entries("d1", &[[1; 32], [2; 32]])
            .unwrap();
        store.add_verified_log_entries("d1", &[[2; 32]]).unwrap();
        store.add_verified_log_entries("d2", &[[3; 32]]).unwrap();
        let d1 = store.verified_log_entries("d1").unwrap();
        assert_eq!(d1.len(), 2);
        assert!(d1.contains(&[1; 32]) && d1.contains(&[2; 32]));
        assert_eq!(store.verified_log_entries("d2").unwrap().len(), 1);
        // Kept across a reopen.
        drop(store);
        let store = Store::open(dir.path(), "pass phrase").unwrap();
        assert_eq!(store.verified_log_entries("d1").unwrap(), d1);
    }
}
