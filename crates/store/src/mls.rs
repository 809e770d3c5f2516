//! The state of the MLS groups (spaces) of this device: opaque values by opaque keys
//! (`mls_state`, migration 0012). The client builds the keys and encodes the values; the store
//! only keeps them, encrypted like every page.
//!
//! # One MLS operation, one transaction
//!
//! openmls writes its state many times during one operation (a commit writes the tree, the
//! group context, the epoch secrets, the message secrets, ...). Written one statement at a
//! time, a crash between two of them would leave a group whose parts belong to two epochs,
//! which can never be loaded again. So the client gathers the writes of one operation in an
//! [`MlsBatch`] and, once the operation has succeeded, applies the batch in **one**
//! transaction ([`Store::mls_apply`]): a crash before that leaves the previous epoch's state
//! whole, never a half-written one. A store method that writes records of its own with the
//! state of a group (a message and the epoch that decrypted it, say) applies the batch in its
//! own transaction through `write_mls_batch`, so both are kept or neither.
//!
//! [`Store::mls_get`], [`Store::mls_put`] and [`Store::mls_delete`] are single statements, for
//! state that stands alone.

use std::collections::BTreeMap;
use std::fmt;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use zeroize::Zeroize;

use crate::{Store, StoreError};

/// The writes of one MLS operation, not yet applied: for each key, its new value, or `None`
/// when it is deleted. A later write of the same key replaces an earlier one. The values are
/// secrets (keys, epoch secrets): they are wiped from memory when the batch is cleared or
/// dropped, and `Debug` shows only how many writes it holds.
#[derive(Default)]
pub struct MlsBatch {
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl MlsBatch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value` (replacing an earlier write of `key` in this batch).
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        if let Some(Some(mut old)) = self.writes.insert(key, Some(value)) {
            old.zeroize();
        }
    }

    /// Deletes `key` (replacing an earlier write of `key` in this batch).
    pub fn delete(&mut self, key: Vec<u8>) {
        if let Some(Some(mut old)) = self.writes.insert(key, None) {
            old.zeroize();
        }
    }

    /// What this batch writes for `key`: `None` if it does not touch it, `Some(None)` if it
    /// deletes it, `Some(Some(value))` if it sets it.
    pub fn get(&self, key: &[u8]) -> Option<Option<&[u8]>> {
        self.writes.get(key).map(Option::as_deref)
    }

    /// How many keys this batch writes or deletes.
    pub fn len(&self) -> usize {
        self.writes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Drops every write, wiping the values.
    pub fn clear(&mut self) {
        for value in self.writes.values_mut().flatten() {
            value.zeroize();
        }
        self.writes.clear();
    }
}

impl Drop for MlsBatch {
    fn drop(&mut self) {
        self.clear();
    }
}

impl fmt::Debug for MlsBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MlsBatch")
            .field("writes", &self.writes.len())
            .finish()
    }
}

/// Applies `batch` on `conn`, inside the caller's transaction: for the store methods that
/// write records of their own with the state of a group.
pub(crate) fn write_mls_batch(conn: &Connection, batch: &MlsBatch) -> Result<(), StoreError> {
    let mut put = conn.prepare_cached(
        "INSERT INTO mls_state (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?;
    let mut delete = conn.prepare_cached("DELETE FROM mls_state WHERE key = ?1")?;
    for (key, value) in &batch.writes {
        match value {
            Some(value) => put.execute(params![key, value])?,
            None => delete.execute(params![key])?,
        };
    }
    Ok(())
}

impl Store {
    /// The MLS state kept under `key`, if any.
    pub fn mls_get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.call(|conn| {
            Ok(conn
                .prepare_cached("SELECT value FROM mls_state WHERE key = ?1")?
                .query_row(params![key], |r| r.get(0))
                .optional()?)
        })
    }

    /// Sets the MLS state under `key` on its own (one statement). The writes of an MLS
    /// operation go together through [`Store::mls_apply`].
    pub fn mls_put(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let _span = tracing::debug_span!("mls_put").entered();
        self.call(|conn| {
            conn.prepare_cached(
                "INSERT INTO mls_state (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
            Ok(())
        })
    }

    /// Deletes the MLS state under `key` (nothing happens if there is none).
    pub fn mls_delete(&self, key: &[u8]) -> Result<(), StoreError> {
        let _span = tracing::debug_span!("mls_delete").entered();
        self.call(|conn| {
            conn.prepare_cached("DELETE FROM mls_state WHERE key = ?1")?
                .execute(params![key])?;
            Ok(())
        })
    }

    /// Applies every write of `batch` in one transaction: all of them, or, on an error, none.
    /// When it returns `Ok`, the writes are on disk.
    pub fn mls_apply(&self, batch: &MlsBatch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let _span = tracing::debug_span!("mls_apply", writes = batch.len()).entered();
        self.call(|conn| apply_batch(conn, batch))
    }

    /// Applies `batch` as [`Store::mls_apply`] does, for state that can be had again: whole or
    /// absent after a crash, but not synced to disk before it returns (a power cut may lose
    /// it). For a commit of another member, which the relay still holds: lost, it is processed
    /// again at the next sync.
    pub fn mls_apply_replayable(&self, batch: &MlsBatch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let _span = tracing::debug_span!("mls_apply_replayable", writes = batch.len()).entered();
        self.call_replayable(|conn| apply_batch(conn, batch))
    }
}

fn apply_batch(conn: &mut rusqlite::Connection, batch: &MlsBatch) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    write_mls_batch(&tx, batch)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::KdfCost;

    const PASSPHRASE: &str = "mls state test passphrase";

    fn store() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::create(&tmp.path().join("p"), PASSPHRASE, KdfCost::MIN).unwrap();
        (tmp, store)
    }

    #[test]
    fn put_get_and_delete() {
        let (_tmp, store) = store();
        assert_eq!(store.mls_get(b"tree").unwrap(), None);
        store.mls_put(b"tree", b"epoch 1").unwrap();
        assert_eq!(
            store.mls_get(b"tree").unwrap().as_deref(),
            Some(&b"epoch 1"[..])
        );
        store.mls_put(b"tree", b"epoch 2").unwrap();
        assert_eq!(
            store.mls_get(b"tree").unwrap().as_deref(),
            Some(&b"epoch 2"[..])
        );
        store.mls_delete(b"tree").unwrap();
        assert_eq!(store.mls_get(b"tree").unwrap(), None);
        store.mls_delete(b"tree").unwrap();
    }

    #[test]
    fn an_empty_key_is_refused() {
        let (_tmp, store) = store();
        assert!(store.mls_put(b"", b"value").is_err());
    }

    #[test]
    fn state_is_kept_across_reopening() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        let store = Store::create(&dir, PASSPHRASE, KdfCost::MIN).unwrap();
        store.mls_put(b"alone", b"one").unwrap();
        let mut batch = MlsBatch::new();
        batch.put(b"tree".to_vec(), b"epoch 3".to_vec());
        batch.put(b"context".to_vec(), b"epoch 3".to_vec());
        store.mls_apply(&batch).unwrap();
        store.close();
        let store = Store::open(&dir, PASSPHRASE).unwrap();
        assert_eq!(
            store.mls_get(b"alone").unwrap().as_deref(),
            Some(&b"one"[..])
        );
        assert_eq!(
            store.mls_get(b"tree").unwrap().as_deref(),
            Some(&b"epoch 3"[..])
        );
        assert_eq!(
            store.mls_get(b"context").unwrap().as_deref(),
            Some(&b"epoch 3"[..])
        );
    }

    #[test]
    fn a_batch_puts_and_deletes_and_its_last_write_of_a_key_wins() {
        let (_tmp, store) = store();
        store.mls_put(b"old", b"gone soon").unwrap();
        let mut batch = MlsBatch::new();
        batch.put(b"a".to_vec(), b"first".to_vec());
        batch.put(b"a".to_vec(), b"second".to_vec());
        batch.put(b"b".to_vec(), b"written".to_vec());
        batch.delete(b"b".to_vec());
        batch.delete(b"old".to_vec());
        batch.delete(b"never".to_vec());
        batch.put(b"never".to_vec(), b"after all".to_vec());
        assert_eq!(batch.len(), 4);
        assert_eq!(batch.get(b"a"), Some(Some(&b"second"[..])));
        assert_eq!(batch.get(b"b"), Some(None));
        assert_eq!(batch.get(b"c"), None);
        store.mls_apply(&batch).unwrap();
        assert_eq!(
            store.mls_get(b"a").unwrap().as_deref(),
            Some(&b"second"[..])
        );
        assert_eq!(store.mls_get(b"b").unwrap(), None);
        assert_eq!(store.mls_get(b"old").unwrap(), None);
        assert_eq!(
            store.mls_get(b"never").unwrap().as_deref(),
            Some(&b"after all"[..])
        );
        assert_eq!(format!("{batch:?}"), "MlsBatch { writes: 4 }");
        batch.clear();
        assert!(batch.is_empty());
    }

    /// A write that fails in the middle of a batch (here a trigger refuses the last key)
    /// leaves the state as it was before the batch: nothing of it is written.
    #[test]
    fn a_batch_is_all_or_nothing() {
        let (_tmp, store) = store();
        store.mls_put(b"a", b"epoch 1").unwrap();
        store.mls_put(b"c", b"epoch 1").unwrap();
        store
            .call(|conn| {
                conn.execute_batch(
                    "CREATE TEMP TRIGGER refuse_z BEFORE INSERT ON main.mls_state \
                     WHEN NEW.key = x'7a' BEGIN SELECT RAISE(ABORT, 'refused'); END;",
                )?;
                Ok(())
            })
            .unwrap();
        let mut batch = MlsBatch::new();
        batch.put(b"a".to_vec(), b"epoch 2".to_vec());
        batch.put(b"b".to_vec(), b"epoch 2".to_vec());
        batch.delete(b"c".to_vec());
        batch.put(b"z".to_vec(), b"epoch 2".to_vec());
        assert!(store.mls_apply(&batch).is_err());
        assert_eq!(
            store.mls_get(b"a").unwrap().as_deref(),
            Some(&b"epoch 1"[..])
        );
        assert_eq!(store.mls_get(b"b").unwrap(), None);
        assert_eq!(
            store.mls_get(b"c").unwrap().as_deref(),
            Some(&b"epoch 1"[..])
        );
        assert_eq!(store.mls_get(b"z").unwrap(), None);
        // The store still takes writes after the failed batch.
        batch.delete(b"z".to_vec());
        store.mls_apply(&batch).unwrap();
        assert_eq!(
            store.mls_get(b"a").unwrap().as_deref(),
            Some(&b"epoch 2"[..])
        );
        assert_eq!(store.mls_get(b"c").unwrap(), None);
    }
}
