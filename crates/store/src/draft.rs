//! Drafts as the store keeps them: opaque automerge bytes (a compacted snapshot and the change
//! sets saved since), the client's state beside them (JSON), named versions, and released
//! records. What the bytes mean is the client's business.

use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use diplomatie_domain::{ItemId, ItemKind};

use crate::store::{from_ns, id_from_blob, to_ns};
use crate::{Store, StoreError};

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

/// A named version of a draft: the automerge heads it stood at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftVersion {
    pub seq: u64,
    pub label: String,
    pub heads: Vec<String>,
    pub at: OffsetDateTime,
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
    ) -> Result<(), StoreError> {
        let now = to_ns(OffsetDateTime::now_utc());
        self.call(|conn| {
            let tx = conn.transaction()?;
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
    ) -> Result<(), StoreError> {
        let now = to_ns(OffsetDateTime::now_utc());
        self.call(|conn| {
            let tx = conn.transaction()?;
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

    /// Records a named version of a draft.
    pub fn add_draft_version(
        &self,
        id: &str,
        label: &str,
        heads: &[String],
    ) -> Result<u64, StoreError> {
        let heads = serde_json::to_string(heads)?;
        let now = to_ns(OffsetDateTime::now_utc());
        self.call(|conn| {
            conn.execute(
                "INSERT INTO draft_versions (draft, label, heads, at) VALUES (?1, ?2, ?3, ?4)",
                params![id, label, heads, now],
            )?;
            Ok(u64::try_from(conn.last_insert_rowid()).unwrap_or(0))
        })
    }

    /// A draft's named versions, oldest first.
    pub fn draft_versions(&self, id: &str) -> Result<Vec<DraftVersion>, StoreError> {
        let rows = self.call(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, label, heads, at FROM draft_versions WHERE draft = ?1 ORDER BY seq",
            )?;
            let rows = stmt
                .query_map(params![id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        rows.into_iter()
            .map(|(seq, label, heads, at)| {
                Ok(DraftVersion {
                    seq: u64::try_from(seq).unwrap_or(0),
                    label,
                    heads: serde_json::from_str(&heads)?,
                    at: from_ns(at)?,
                })
            })
            .collect()
    }

    /// Keeps a released record (exactly as signed) for the item it became.
    pub fn put_release(
        &self,
        item: ItemId,
        draft: &str,
        signature: &str,
        record: &[u8],
    ) -> Result<(), StoreError> {
        let now = to_ns(OffsetDateTime::now_utc());
        self.call(|conn| {
            conn.execute(
                "INSERT INTO releases (item, draft, signature, record, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![item.as_bytes().as_slice(), draft, signature, record, now],
            )?;
            Ok(())
        })
    }

    /// The released record of an item, if it was released here.
    pub fn release_of(&self, item: ItemId) -> Result<Option<Vec<u8>>, StoreError> {
        self.call(|conn| {
            Ok(conn
                .query_row(
                    "SELECT record FROM releases WHERE item = ?1",
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
                    "SELECT item FROM releases WHERE draft = ?1 ORDER BY at DESC LIMIT 1",
                    params![draft],
                    |r| r.get(0),
                )
                .optional()?)
        })?;
        blob.map(|b| id_from_blob(&b)).transpose()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn drafts_keep_snapshots_changes_versions_and_releases() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "draft store passphrase", 1000).unwrap();
        assert!(store.get_draft("d1").unwrap().is_none());
        assert!(store.append_draft_changes("d1", b"x", None).is_err());
        store
            .put_draft("d1", ItemKind::Telegram, b"snap-1", "{}")
            .unwrap();
        store.append_draft_changes("d1", b"c1", None).unwrap();
        store
            .append_draft_changes("d1", b"c2", Some(r#"{"stage":"draft"}"#))
            .unwrap();
        let d = store.get_draft("d1").unwrap().unwrap();
        assert_eq!(d.snapshot, b"snap-1");
        assert_eq!(d.changes, vec![b"c1".to_vec(), b"c2".to_vec()]);
        assert_eq!(d.state, r#"{"stage":"draft"}"#);
        // Compaction folds the changes into a new snapshot.
        store
            .put_draft("d1", ItemKind::Telegram, b"snap-2", &d.state)
            .unwrap();
        let d = store.get_draft("d1").unwrap().unwrap();
        assert_eq!(
            (d.snapshot.as_slice(), d.changes.len()),
            (&b"snap-2"[..], 0)
        );
        store
            .put_draft("d2", ItemKind::DiplomaticNote, b"", "{}")
            .unwrap();
        let list = store.list_drafts().unwrap();
        assert_eq!(list.len(), 2);

        let v = store
            .add_draft_version("d1", "round 1", &["aa".into(), "bb".into()])
            .unwrap();
        let versions = store.draft_versions("d1").unwrap();
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].seq, v);
        assert_eq!(versions[0].heads, vec!["aa".to_owned(), "bb".to_owned()]);

        let item = ItemId::from_uuid(uuid::Uuid::now_v7());
        store.put_release(item, "d1", "sig", b"record").unwrap();
        assert_eq!(store.release_of(item).unwrap().unwrap(), b"record");
        assert_eq!(store.released_item_of("d1").unwrap(), Some(item));
        assert!(
            store.put_release(item, "d1", "sig", b"again").is_err(),
            "a released record is never replaced"
        );
    }
}
