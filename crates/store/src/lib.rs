//! The encrypted local store of a profile: SQLCipher through rusqlite, numbered migrations,
//! full-text search (FTS5), the triage view and an append-only audit log.
//!
//! A profile is a directory holding `profile.key` (the data key wrapped under a key derived
//! from the passphrase, with the derivation parameters) and `store.db` (SQLCipher, keyed with
//! the raw 256-bit data key). Nothing in plaintext reaches the disk.

mod audit;
mod draft;
mod error;
mod feed;
mod index;
mod item;
mod keyfile;
mod migration;
mod number;
mod query;
mod search;
mod snippet;
mod store;
mod unlock;

pub use audit::{AuditAction, AuditEntry, AuditRecord};
pub use diplomatie_crypto::{KdfCost, KdfParams};
pub use draft::StoredDraft;
pub use error::StoreError;
pub use feed::FEED_PAGE;
pub use item::{ItemSummary, NewItem, PutOutcome, StoredItem, message_dedupe_key};
pub use migration::SCHEMA_VERSION;
pub use query::{
    Page, RouteFilter, SearchHit, SearchQuery, SnippetPart, TriageCounts, TriageFilter,
};
pub use search::SEARCH_TIER_SIZE;
#[cfg(feature = "bench")]
pub use search::SearchStatements;
pub use store::{DB_FILE, Store};
pub use unlock::kdf_runs;

/// The key file inside a profile directory.
pub const KEY_FILE: &str = keyfile::KEY_FILE;

/// The steps of SQLite's plan for `sql` with these parameters (`EXPLAIN QUERY PLAN`), for the
/// tests that check an index is used.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn query_plan(
    conn: &rusqlite::Connection,
    sql: &str,
    params: Vec<rusqlite::types::Value>,
) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    stmt.query_map(rusqlite::params_from_iter(params), |r| {
        r.get::<_, String>(3)
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[cfg(test)]
mod tests {
    #[test]
    fn store_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<crate::Store>();
    }

    /// SQLite's temporary files (sorts that spill, statement journals) would hold plaintext:
    /// every connection keeps them in memory, a created store as an opened one.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn temporary_storage_is_memory_on_every_connection() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        let memory = |store: &crate::Store| {
            store
                .call(|c| Ok(c.pragma_query_value(None, "temp_store", |r| r.get::<_, i64>(0))?))
                .unwrap()
        };
        let created =
            crate::Store::create(&dir, "temporary storage test", crate::KdfCost::MIN).unwrap();
        assert_eq!(memory(&created), 2, "2 is MEMORY");
        drop(created);
        let opened = crate::Store::open(&dir, "temporary storage test").unwrap();
        assert_eq!(memory(&opened), 2, "2 is MEMORY");
    }
}
