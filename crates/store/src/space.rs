//! Spaces as the store keeps them: what this device calls a space and which epoch it is at,
//! the key of every epoch it has known, and the sync engine's rows. The MLS state itself is in
//! `mls_state` (module `mls`); a change of epoch writes both in one transaction.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::mls::{MlsBatch, write_mls_batch};
use crate::store::{from_ns, to_ns};
use crate::{Store, StoreError};

/// A space as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSpace {
    pub id: [u8; 16],
    pub name: String,
    /// `own`, `unit`, `circuit` or `shared`.
    pub kind: String,
    /// Whether a newcomer is handed the keys of the epochs before they joined.
    pub history_visible: bool,
    pub epoch: u64,
    pub created_at: OffsetDateTime,
}

/// A row of the sync engine's state: its key and value.
pub type SyncRow = (Vec<u8>, Vec<u8>);

/// One change to the sync engine's rows.
#[derive(Debug, Clone, Copy)]
pub enum RowWrite<'a> {
    Put(&'a [u8], &'a [u8]),
    Delete(&'a [u8]),
}

fn epoch_i64(epoch: u64) -> Result<i64, StoreError> {
    i64::try_from(epoch).map_err(|_| StoreError::Damaged("an epoch beyond range".into()))
}

type SpaceRow = (Vec<u8>, String, String, bool, i64, i64);

/// The first six columns of a `SELECT id, name, kind, history_visible, epoch, created_at`.
fn space_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SpaceRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn read_space(
    (id, name, kind, history_visible, epoch, at): SpaceRow,
) -> Result<StoredSpace, StoreError> {
    Ok(StoredSpace {
        id: id
            .try_into()
            .map_err(|_| StoreError::Damaged("a space id is not 16 bytes".into()))?,
        name,
        kind,
        history_visible,
        epoch: u64::try_from(epoch)
            .map_err(|_| StoreError::Damaged("a space's epoch is negative".into()))?,
        created_at: from_ns(at)?,
    })
}

fn put_key(
    conn: &Connection,
    space: &[u8; 16],
    epoch: u64,
    key: &[u8; 32],
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO space_epoch_keys (space, epoch, key) VALUES (?1, ?2, ?3) \
         ON CONFLICT (space, epoch) DO NOTHING",
    )?
    .execute(params![space.as_slice(), epoch_i64(epoch)?, key.as_slice()])?;
    Ok(())
}

fn advance(
    conn: &mut Connection,
    id: &[u8; 16],
    epoch: u64,
    key: &[u8; 32],
    mls: &MlsBatch,
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = tx
        .prepare_cached("UPDATE spaces SET epoch = ?2 WHERE id = ?1 AND left_at IS NULL")?
        .execute(params![id.as_slice(), epoch_i64(epoch)?])?;
    if changed == 0 {
        return Err(StoreError::UnknownSpace);
    }
    put_key(&tx, id, epoch, key)?;
    write_mls_batch(&tx, mls)?;
    tx.commit()?;
    Ok(())
}

pub(crate) fn write_rows(conn: &Connection, rows: &[RowWrite<'_>]) -> Result<(), StoreError> {
    let mut put = conn.prepare_cached(
        "INSERT INTO sync_rows (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?;
    let mut delete = conn.prepare_cached("DELETE FROM sync_rows WHERE key = ?1")?;
    for row in rows {
        match row {
            RowWrite::Put(key, value) => put.execute(params![key, value])?,
            RowWrite::Delete(key) => delete.execute(params![key])?,
        };
    }
    Ok(())
}

/// An epoch of a space and its key.
pub type EpochKey = (u64, Zeroizing<[u8; 32]>);

impl Store {
    /// Records a space this device made or joined, the key of its current epoch and the MLS
    /// state of the operation, in one transaction.
    pub fn put_space(
        &self,
        space: &StoredSpace,
        key: &[u8; 32],
        mls: &MlsBatch,
    ) -> Result<(), StoreError> {
        let _span = tracing::debug_span!("put_space").entered();
        self.call(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached(
                "INSERT INTO spaces (id, name, kind, history_visible, epoch, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, left_at = NULL",
            )?
            .execute(params![
                space.id.as_slice(),
                space.name,
                space.kind,
                space.history_visible,
                epoch_i64(space.epoch)?,
                to_ns(space.created_at),
            ])?;
            put_key(&tx, &space.id, space.epoch, key)?;
            write_mls_batch(&tx, mls)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Moves space `id` to `epoch` with its key, and the MLS state of the operation that moved
    /// it, in one transaction.
    pub fn advance_space(
        &self,
        id: &[u8; 16],
        epoch: u64,
        key: &[u8; 32],
        mls: &MlsBatch,
    ) -> Result<(), StoreError> {
        let _span = tracing::debug_span!("advance_space", epoch).entered();
        self.call(|conn| advance(conn, id, epoch, key, mls))
    }

    /// Moves space `id` to `epoch` as [`Store::advance_space`] does, by a commit of another
    /// member, which the relay still holds: whole or absent after a crash, but not synced to
    /// disk before it returns (a power cut may lose it; the commit is processed again at the
    /// next sync).
    pub fn advance_space_replayable(
        &self,
        id: &[u8; 16],
        epoch: u64,
        key: &[u8; 32],
        mls: &MlsBatch,
    ) -> Result<(), StoreError> {
        let _span = tracing::debug_span!("advance_space_replayable", epoch).entered();
        self.call_replayable(|conn| advance(conn, id, epoch, key, mls))
    }

    /// Names space `id` as its members call it, with its kind and history setting.
    pub fn describe_space(
        &self,
        id: &[u8; 16],
        name: &str,
        kind: &str,
        history_visible: bool,
    ) -> Result<(), StoreError> {
        self.call(|conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE spaces SET name = ?2, kind = ?3, history_visible = ?4 WHERE id = ?1",
                )?
                .execute(params![id.as_slice(), name, kind, history_visible])?;
            if changed == 0 {
                return Err(StoreError::UnknownSpace);
            }
            Ok(())
        })
    }

    /// Every space this device is a member of, by name.
    pub fn spaces(&self) -> Result<Vec<StoredSpace>, StoreError> {
        self.call(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, name, kind, history_visible, epoch, created_at FROM spaces \
                 WHERE left_at IS NULL ORDER BY name COLLATE NOCASE, created_at",
            )?;
            let rows = statement.query_map([], space_row)?;
            rows.map(|row| read_space(row?)).collect()
        })
    }

    pub fn space(&self, id: &[u8; 16]) -> Result<Option<StoredSpace>, StoreError> {
        let row: Option<SpaceRow> = self.call(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, name, kind, history_visible, epoch, created_at FROM spaces \
                     WHERE id = ?1 AND left_at IS NULL",
                )?
                .query_row(params![id.as_slice()], space_row)
                .optional()?)
        })?;
        row.map(read_space).transpose()
    }

    /// Records that this device was removed from space `id` (as of `at`), with the writes that
    /// delete its MLS state, in one transaction. The space is no longer among
    /// [`Store::spaces`]; its row and its epochs' keys stay (see [`Store::left_spaces`]), and a
    /// welcome into it again ([`Store::put_space`]) makes it current once more.
    pub fn leave_space(
        &self,
        id: &[u8; 16],
        at: OffsetDateTime,
        mls: &MlsBatch,
    ) -> Result<(), StoreError> {
        self.call(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = tx
                .prepare_cached("UPDATE spaces SET left_at = ?2 WHERE id = ?1 AND left_at IS NULL")?
                .execute(params![id.as_slice(), to_ns(at)])?;
            if changed == 0 {
                return Err(StoreError::UnknownSpace);
            }
            write_mls_batch(&tx, mls)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// The spaces this device was removed from, by name, each with when.
    pub fn left_spaces(&self) -> Result<Vec<(StoredSpace, OffsetDateTime)>, StoreError> {
        let rows: Vec<(SpaceRow, i64)> = self.call(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, name, kind, history_visible, epoch, created_at, left_at FROM spaces \
                 WHERE left_at IS NOT NULL ORDER BY name COLLATE NOCASE, created_at",
            )?;
            let rows = statement.query_map([], |r| Ok((space_row(r)?, r.get(6)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        rows.into_iter()
            .map(|(row, at)| Ok((read_space(row)?, from_ns(at)?)))
            .collect()
    }

    /// The key of epoch `epoch` of space `id`, if this device knew that epoch.
    pub fn space_epoch_key(
        &self,
        id: &[u8; 16],
        epoch: u64,
    ) -> Result<Option<Zeroizing<[u8; 32]>>, StoreError> {
        let raw: Option<Zeroizing<Vec<u8>>> = self.call(|conn| {
            Ok(conn
                .prepare_cached("SELECT key FROM space_epoch_keys WHERE space = ?1 AND epoch = ?2")?
                .query_row(params![id.as_slice(), epoch_i64(epoch)?], |r| {
                    r.get::<_, Vec<u8>>(0).map(Zeroizing::new)
                })
                .optional()?)
        })?;
        raw.map(|k| {
            <[u8; 32]>::try_from(k.as_slice())
                .map(Zeroizing::new)
                .map_err(|_| StoreError::Damaged("an epoch key is not 32 bytes".into()))
        })
        .transpose()
    }

    /// Every epoch key kept for space `id`, by epoch.
    pub fn space_epoch_keys(&self, id: &[u8; 16]) -> Result<Vec<EpochKey>, StoreError> {
        let rows: Vec<(i64, Zeroizing<Vec<u8>>)> = self.call(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT epoch, key FROM space_epoch_keys WHERE space = ?1 ORDER BY epoch",
            )?;
            let rows = statement.query_map(params![id.as_slice()], |r| {
                Ok((r.get(0)?, Zeroizing::new(r.get::<_, Vec<u8>>(1)?)))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        rows.into_iter()
            .map(|(epoch, key)| {
                let epoch = u64::try_from(epoch)
                    .map_err(|_| StoreError::Damaged("an epoch is negative".into()))?;
                let key = <[u8; 32]>::try_from(key.as_slice())
                    .map(Zeroizing::new)
                    .map_err(|_| StoreError::Damaged("an epoch key is not 32 bytes".into()))?;
                Ok((epoch, key))
            })
            .collect()
    }

    /// Keeps keys of epochs of space `id` before its current epoch that this device does not
    /// hold (history handed over by a member: the epochs before it joined, or those it missed
    /// while removed); a key already held is never replaced. Returns how many were new.
    pub fn keep_history_keys(
        &self,
        id: &[u8; 16],
        keys: &[(u64, [u8; 32])],
    ) -> Result<usize, StoreError> {
        self.call(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current: Option<i64> = tx
                .prepare_cached("SELECT epoch FROM spaces WHERE id = ?1 AND left_at IS NULL")?
                .query_row(params![id.as_slice()], |r| r.get(0))
                .optional()?;
            let Some(current) = current else {
                return Err(StoreError::UnknownSpace);
            };
            let mut added = 0;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO space_epoch_keys (space, epoch, key) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (space, epoch) DO NOTHING",
                )?;
                for (epoch, key) in keys {
                    let epoch = epoch_i64(*epoch)?;
                    if epoch < current {
                        added += insert.execute(params![id.as_slice(), epoch, key.as_slice()])?;
                    }
                }
            }
            tx.commit()?;
            Ok(added)
        })
    }

    /// The sync engine's rows, all of them.
    pub fn sync_rows(&self) -> Result<Vec<SyncRow>, StoreError> {
        self.call(|conn| {
            let mut statement = conn.prepare_cached("SELECT key, value FROM sync_rows")?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Applies changes to the sync engine's rows in one transaction.
    pub fn write_sync_rows(&self, rows: &[RowWrite<'_>]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        self.call(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            write_rows(&tx, rows)?;
            tx.commit()?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn space(id: u8, name: &str) -> StoredSpace {
        StoredSpace {
            id: [id; 16],
            name: name.into(),
            kind: "shared".into(),
            history_visible: false,
            epoch: 0,
            created_at: OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
        }
    }

    #[test]
    fn spaces_keep_every_epoch_key_and_move_with_their_mls_state() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "pass phrase", crate::KdfCost::MIN).unwrap();
        let mut batch = MlsBatch::new();
        batch.put(b"group".to_vec(), b"epoch 0".to_vec());
        store
            .put_space(&space(1, "Berlin"), &[10; 32], &batch)
            .unwrap();
        store
            .put_space(&space(2, "assemblée"), &[20; 32], &MlsBatch::new())
            .unwrap();
        let mut batch = MlsBatch::new();
        batch.put(b"group".to_vec(), b"epoch 1".to_vec());
        store.advance_space(&[1; 16], 1, &[11; 32], &batch).unwrap();
        assert!(matches!(
            store.advance_space(&[9; 16], 1, &[0; 32], &batch),
            Err(StoreError::UnknownSpace)
        ));
        drop(store);
        let store = Store::open(dir.path(), "pass phrase").unwrap();
        let names: Vec<String> = store
            .spaces()
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["assemblée", "Berlin"]);
        assert_eq!(store.space(&[1; 16]).unwrap().unwrap().epoch, 1);
        assert_eq!(
            *store.space_epoch_key(&[1; 16], 0).unwrap().unwrap(),
            [10; 32]
        );
        assert_eq!(
            *store.space_epoch_key(&[1; 16], 1).unwrap().unwrap(),
            [11; 32]
        );
        assert!(store.space_epoch_key(&[1; 16], 2).unwrap().is_none());
        assert_eq!(store.mls_get(b"group").unwrap().unwrap(), b"epoch 1");
    }

    #[test]
    fn a_space_left_keeps_its_keys_is_listed_apart_and_is_current_again_when_rejoined() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "pass phrase", crate::KdfCost::MIN).unwrap();
        let mut batch = MlsBatch::new();
        batch.put(b"group".to_vec(), b"epoch 0".to_vec());
        store
            .put_space(&space(1, "Berlin"), &[10; 32], &batch)
            .unwrap();
        store
            .advance_space(&[1; 16], 1, &[11; 32], &MlsBatch::new())
            .unwrap();
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let mut gone = MlsBatch::new();
        gone.delete(b"group".to_vec());
        store.leave_space(&[1; 16], at, &gone).unwrap();
        // Left: not a current space, no MLS state, nothing moves it; listed apart, keys kept.
        assert!(store.spaces().unwrap().is_empty());
        assert!(store.space(&[1; 16]).unwrap().is_none());
        assert!(store.mls_get(b"group").unwrap().is_none());
        assert!(matches!(
            store.advance_space(&[1; 16], 2, &[12; 32], &MlsBatch::new()),
            Err(StoreError::UnknownSpace)
        ));
        assert!(matches!(
            store.leave_space(&[1; 16], at, &MlsBatch::new()),
            Err(StoreError::UnknownSpace)
        ));
        assert!(matches!(
            store.keep_history_keys(&[1; 16], &[(0, [0; 32])]),
            Err(StoreError::UnknownSpace)
        ));
        let left = store.left_spaces().unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!((left[0].0.name.as_str(), left[0].1), ("Berlin", at));
        assert_eq!(store.space_epoch_keys(&[1; 16]).unwrap().len(), 2);

        // Added again at epoch 4: current again, under its name, epochs 2 and 3 missing.
        let mut again = space(1, "ignored");
        again.epoch = 4;
        store.put_space(&again, &[14; 32], &batch).unwrap();
        assert!(store.left_spaces().unwrap().is_empty());
        let current = store.space(&[1; 16]).unwrap().unwrap();
        assert_eq!((current.name.as_str(), current.epoch), ("Berlin", 4));
        assert!(store.space_epoch_key(&[1; 16], 2).unwrap().is_none());

        // History handed over fills the gap, never replaces a key held, takes nothing from
        // the current epoch on.
        let handed = [
            (0, [99; 32]),
            (2, [12; 32]),
            (3, [13; 32]),
            (4, [98; 32]),
            (5, [97; 32]),
        ];
        assert_eq!(store.keep_history_keys(&[1; 16], &handed).unwrap(), 2);
        let keys: Vec<(u64, [u8; 32])> = store
            .space_epoch_keys(&[1; 16])
            .unwrap()
            .into_iter()
            .map(|(e, k)| (e, *k))
            .collect();
        assert_eq!(
            keys,
            [
                (0, [10; 32]),
                (1, [11; 32]),
                (2, [12; 32]),
                (3, [13; 32]),
                (4, [14; 32])
            ]
        );
        assert_eq!(store.keep_history_keys(&[1; 16], &handed).unwrap(), 0);
    }

    #[test]
    fn a_replayable_advance_is_kept_and_leaves_every_other_write_fully_synced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "pass phrase", crate::KdfCost::MIN).unwrap();
        store
            .put_space(&space(1, "Berlin"), &[10; 32], &MlsBatch::new())
            .unwrap();
        let mut batch = MlsBatch::new();
        batch.put(b"group".to_vec(), b"epoch 1".to_vec());
        store
            .advance_space_replayable(&[1; 16], 1, &[11; 32], &batch)
            .unwrap();
        // A failed one restores the setting too.
        assert!(
            store
                .advance_space_replayable(&[9; 16], 1, &[0; 32], &batch)
                .is_err()
        );
        let synchronous: i64 = store
            .call(|conn| Ok(conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(synchronous, 2, "back to FULL");
        drop(store);
        let store = Store::open(dir.path(), "pass phrase").unwrap();
        assert_eq!(store.space(&[1; 16]).unwrap().unwrap().epoch, 1);
        assert_eq!(store.mls_get(b"group").unwrap().unwrap(), b"epoch 1");
    }

    #[test]
    fn sync_rows_are_written_and_deleted_together() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "pass phrase", crate::KdfCost::MIN).unwrap();
        store
            .write_sync_rows(&[RowWrite::Put(b"a", b"1"), RowWrite::Put(b"b", b"2")])
            .unwrap();
        store
            .write_sync_rows(&[RowWrite::Delete(b"a"), RowWrite::Put(b"b", b"3")])
            .unwrap();
        assert_eq!(
            store.sync_rows().unwrap(),
            vec![(b"b".to_vec(), b"3".to_vec())]
        );
    }
}
