//! The encrypted local store of a profile: SQLCipher through rusqlite, numbered migrations,
//! full-text search (FTS5), the triage view and an append-only audit log. The only crate of
//! the workspace with SQL.
//!
//! Where things are: `store.rs` (create, open, check, write and read items, triage and search
//! entry points), `keyfile.rs` (the format of `profile.key`), `unlock.rs` (the process's unlock
//! cache), `migration.rs` with `migrations/NNNN_verb_noun.sql`, `search.rs` (the order of
//! results), `query.rs` (filters, paging, the search language), `snippet.rs`, `index.rs` (what
//! the full-text index holds of an item), `feed.rs` (what arrived since), `audit.rs`,
//! `draft.rs` (drafts and released records, as opaque bytes), `number.rs` (an item found by the
//! number written on it), `mls.rs` (the state of the MLS groups, each operation's writes in one
//! transaction).
//!
//! # A profile
//!
//! A profile is a directory (made with mode 0700 when the store creates it) holding:
//!
//! - `profile.key`: the store's random 256-bit data key, sealed with AES-256-GCM under the key
//!   derived from the passphrase (Argon2id, 64 MiB, 3 passes, 1 lane by default), with the
//!   derivation parameters and the cipher settings, all bound in the seal's associated data
//!   (`keyfile.rs`). A wrong passphrase fails that check before the database is touched, so it
//!   is reported as "wrong passphrase", never as damage, and nothing is written. Key files of
//!   the first format (PBKDF2-HMAC-SHA256) are still read, and rewritten with Argon2id at their
//!   first unlock. A passphrase change re-seals the same data key under new parameters at the
//!   default cost (the way the cost is raised); the database is not rewritten. Every write of
//!   the key file is atomic (temporary file, fsync, rename, fsync of the directory).
//! - `store.db` (+ `-wal`, `-shm`): SQLCipher 4, keyed with the raw data key; every page is
//!   encrypted (AES-256) and authenticated (HMAC-SHA256), the WAL too, in 8 KiB pages; both
//!   settings are recorded in `profile.key` (the first stores, without them, use SQLCipher's
//!   defaults: HMAC-SHA512 and 4 KiB pages). SQLite's temporary storage is memory on every
//!   connection (`temp_store = MEMORY`). Attachments are stored inside the database. Nothing in
//!   plaintext reaches the disk.
//!
//! **Creation** ([`Store::create_with`]): only in an empty folder (hidden files aside), never
//! over a file. The first settings and secrets (the person's identity and keys) and the first
//! audit entry are written in the transaction of the schema, and the key file is written last:
//! a profile is whole or absent whenever the process is stopped. A folder holding a database
//! but no key file is a creation cut short, reported as such (put `profile.key` back from a
//! backup, or delete the folder), never reused or wiped.
//!
//! **Unlocking** ([`Store::open`]) checks, before anything is written: the file is a whole
//! number of pages, the first page decrypts and authenticates, the schema reads, the header's
//! page count matches the file (SQLite's own check), and the schema version is not newer than
//! this build's (`SCHEMA_VERSION`). Every other page is authenticated when it is first read,
//! and any failure is reported as "the store is damaged", the file left as it is. `diplo check`
//! ([`Store::verify_integrity`]) reads every page. Checking every page at each unlock was the
//! first design; it was dropped on a measured reason: about 15 ms per MB (22 s for the 1.5 GB
//! store of 200,000 items with 4 KiB pages), against 150 ms for the whole unlock without it
//! (docs/BENCHMARKS.md).
//!
//! Within one process the data key of an unlocked profile is cached (`unlock.rs`: keyed by the
//! directory and a keyed hash of the passphrase), so opening it again does not pay the key
//! derivation twice; [`Store::close`] and [`Store::forget_cached_key`] drop it (locking).
//!
//! # Writing and reading
//!
//! [`Store::put_item`] writes an item with its tags, attachments, full-text row, thread links
//! and audit entry in **one** transaction; when it returns, the item is on disk (WAL,
//! `synchronous = FULL`), and it survives `kill -9`. A duplicate (same dedupe key or id) writes
//! nothing. [`Store::put_items`] does the same for a batch (ingest), all or nothing. Every item
//! gets an increasing sequence number (`items.seq`), so a reader asks what arrived after the
//! last one it saw, whichever process stored it (`feed.rs`). [`Store::put_item_with_rows`]
//! writes the sync engine's outbox rows for the item in the same transaction.
//!
//! One kind of write does not wait for the disk: the new epoch of a space reached by a commit
//! of another member ([`Store::advance_space_replayable`], [`Store::mls_apply_replayable`],
//! `synchronous = NORMAL` for that transaction only). It is whole or absent after a crash; a
//! power cut may lose it, and the commit, which the relay or the sync folder still holds, is
//! processed again. Any later fully synced write makes it durable too (one WAL).
//!
//! Each item's record (the item as JSON) is stored deflated (`record.rs`, migration 0017),
//! after a fixed preset dictionary since migration 0022 (the records' JSON skeleton: about a
//! sixth fewer bytes); records stored before are read as they were written.
//!
//! Reading: [`Store::triage`] is an indexed query that implements the domain's `triage_cmp`
//! (for action, then for information, then unrouted; Flash down to Routine; earliest deadline;
//! most recently received); its counts sum a tally of a few hundred rows that triggers keep in
//! the transaction that changes an item (`triage_tally`, migration 0015), so they cost the same
//! at a million items as at a hundred; a filter on an origin or a tag counts the items through
//! a covering index (`items_counts`, migration 0005). [`Store::search`] is below;
//! [`Store::get_item`] reads one item.
//!
//! The audit log is append-only: triggers refuse updates and deletes, and the API only appends.
//!
//! # Conversations
//!
//! Every message id an email names (its own Message-ID, its References, its In-Reply-To) is
//! kept in `thread_links` (migration 0009, which also linked the emails stored before it). A
//! new email joins the thread of any stored message that names one of its ids (or that is keyed
//! by one), and the threads it links are merged into one in the same transaction, so a
//! conversation is one thread whatever the order its messages arrive in, References cut short
//! or a message that never arrives. An email's dedupe key is its Message-ID (`mid:`,
//! [`message_dedupe_key`]), composed here or imported: imported back, it is the same message.
//!
//! # Migrations
//!
//! Schema changes are numbered SQL migrations (`migrations/NNNN_verb_noun.sql`, embedded, run
//! by a small runner in `migration.rs`; an applied migration is never edited), the version in
//! `PRAGMA user_version`; a store from a newer version is refused. Committed fixtures of past
//! versions (`tests/fixtures/v1`, `v3`) are opened by a test; a new schema version adds its own.
//!
//! # Full-text search
//!
//! FTS5 (`unicode61 remove_diacritics 2`, a prefix index of 3 characters, migration 0018) over
//! subject, body, tags, addressees, headers and text attachments (`index.rs`). The index keeps
//! no copy of the text (contentless, with `contentless_delete`, migration 0016): the text is the
//! item's own, and an item whose text changes is indexed again, every column. A query is parsed into
//! quoted FTS5 strings, never raw user text (`query.rs`). The prefix of a single word of other
//! than three characters is put in place of the index's words it covers, as an OR of at most
//! 64 words: FTS5 answers a prefix by merging the whole lists of those words, the size of the
//! store, where each word of an OR is sought within a tier's range of rowids (`search.rs`).
//! The words are read from the store's list of the index's words (`index_words`, migration
//! 0021, kept in the transaction that indexes an item: `words.rs`), not from the index's
//! vocabulary, which reads the whole list of items holding each word it returns. FTS5 merges 16 segments at a time and
//! writes blocks of at most 3,900 bytes so that a block fits in an encrypted page (migrations
//! 0002 and 0003).
//!
//! **Search order: recency tiers, then relevance** (`search.rs`, which says it in full).
//! Correspondence search works like a mail client's: tier 0 holds the newest 50,000 items of
//! the store ([`SEARCH_TIER_SIZE`]), tier 1 the next 50,000, and so on; every match of a newer
//! tier comes before any match of an older one; within a tier the matches go by bm25 (the
//! subject weighted highest), equal scores newest first; a search holding a phrase goes
//! newest first, without bm25 (see below), and so does a broad one, whose words are in more
//! than a fifth of the newest 2,000 items (`search.rs` says why). A user who wants older items narrows
//! the search with the date filter (`from` / `to`); the filters select exactly the same matches
//! as without tiers. Tiers are ranges of FTS rowids (`items.seq`, the order items entered the
//! store, not the date written).
//!
//! Why: bm25 scores every match of a statement before the best are known (about 0.7 µs a
//! match), and the words people type most match a large share of the store (`minist*` 78 % of
//! the 200,000 demo items); tiers bound a page to the tiers it reaches, so a common word scores
//! a quarter of its matches at 200,000 items (measured in docs/BENCHMARKS.md).
//!
//! How: one statement ranks one tier, over a forward range of rowids (`rowid > ? AND rowid <=
//! ?`; never `ORDER BY rowid DESC`, which FTS5 iterates very slowly for phrases), or several
//! tiers when a filter passes few items (as many as the store's items over those it passes,
//! from the tally of the counts, at most 64; its ORDER BY begins with the tier), since bm25
//! counts each part's items over the whole index in every statement. Kinds and precedences
//! that few items pass (at most one in four, from the tally) are matched in the index's
//! facets (migration 0019), as parts of the expression; the other filters join the items,
//! through a narrow index of the filter columns
//! (`items_filters`, migration 0008, named by `INDEXED BY`: looked up by the table's own key,
//! each match would read and decrypt a page of whole rows), and returns only row ids and
//! scores. A page walks the tiers newest first until it is full; a tier's matches are counted
//! (no bm25) only when a page starts beyond them. The tiers' bounds come from the newest
//! `items.seq`, read in the same read transaction as the statements and the page's items, so
//! for one state of the store consecutive pages hold every match exactly once. A date range
//! first reads the lowest and highest rowid of the items written in it (one pass over the
//! index of `written_at`) and ranks only the tiers between them, each over its part inside;
//! items arrive roughly in the order they were written, so an old range passes the newer
//! tiers over. A phrase is ordered newest first because bm25's count of a phrase's items
//! checks the positions of its words in every item holding them all, over the whole index
//! (82 ms for « ministère des affaires étrangères » at a million items). Then the
//! summaries of the page are read, and its snippets are made in Rust (`snippet.rs`, words
//! folded the way the index folds them), because FTS5's `snippet()` is evaluated for every
//! match before the page is known.

mod audit;
mod contact;
mod draft;
mod error;
mod feed;
mod index;
mod item;
mod keyfile;
mod migration;
mod mls;
mod number;
mod query;
mod record;
mod search;
mod snippet;
mod space;
mod store;
mod unlock;
mod words;

pub use audit::{AuditAction, AuditEntry, AuditRecord};
pub use contact::StoredContact;
pub use diplomatie_crypto::{KdfCost, KdfParams};
pub use draft::StoredDraft;
pub use error::StoreError;
pub use feed::FEED_PAGE;
pub use item::{ItemSummary, NewItem, PutOutcome, StoredItem, message_dedupe_key};
pub use keyfile::kdf_runs;
pub use migration::SCHEMA_VERSION;
pub use mls::MlsBatch;
#[cfg(feature = "bench")]
pub use query::QueryPart;
pub use query::{
    Page, RouteFilter, SearchHit, SearchQuery, SnippetPart, TriageCounts, TriageFilter,
};
pub use search::SEARCH_TIER_SIZE;
#[cfg(feature = "bench")]
pub use search::{
    EXPANDED_PREFIX_CHARS, INDEXED_PREFIX_CHARS, MAX_EXPANSION, MAX_STRIDE, Probe,
    SearchStatements, Walk,
};
pub use space::{RowWrite, StoredSpace, SyncRow};
#[cfg(feature = "bench")]
pub use store::enable_memory_security_for_bench;
pub use store::{DB_FILE, Store};

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
