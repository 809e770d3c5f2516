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
pub use diplomatie_crypto::KdfParams;
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

#[cfg(test)]
mod tests {
    #[test]
    fn store_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<crate::Store>();
    }
}
