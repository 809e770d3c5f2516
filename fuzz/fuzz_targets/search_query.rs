//! The search box takes any text: `Store::search` turns it into an FTS5 expression
//! (`fts_expression`, private to the store) and must answer with hits or
//! `StoreError::InvalidQuery`, never another error (an expression SQLite rejects) and never a
//! panic. One store per process, in a temporary directory, with 50 demo items so that matches
//! and snippets are exercised.
#![no_main]

use std::sync::OnceLock;

use diplomatie_demo::DemoGenerator;
use diplomatie_domain::{Item, UserIdentity};
use diplomatie_store::{AuditAction, AuditRecord, NewItem, SearchQuery, Store, StoreError};
use libfuzzer_sys::fuzz_target;
use tempfile::TempDir;
use time::OffsetDateTime;

const ITEMS: usize = 50;

struct Fixture {
    // Kept for the life of the process; the directory is left behind at exit (libFuzzer exits
    // without running destructors), a few hundred kilobytes in the system temp directory.
    _dir: TempDir,
    store: Store,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("diplomatie-fuzz-search-")
            .tempdir()
            .expect("temporary directory");
        let store = Store::create(
            &dir.path().join("profile"),
            "fuzz passphrase long enough",
            1000,
        )
        .expect("create the store");
        let user = UserIdentity {
            name: "Alice Lefèvre".into(),
            units: vec!["DIPLOMATIE/DUE".into()],
            emails: vec!["alice.lefevre@diplomatie.gouv.example".into()],
        };
        let now = OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("a valid time");
        let items: Vec<Item> = DemoGenerator::new(7, user.clone(), now)
            .with_expected_count(ITEMS as u64)
            .take(ITEMS)
            .collect();
        let batch: Vec<NewItem<'_>> = items
            .iter()
            .map(|item| NewItem {
                route: item.route_for(&user),
                ..NewItem::new(item)
            })
            .collect();
        store
            .put_items(&batch, &AuditRecord::new("fuzz", AuditAction::ItemImported))
            .expect("store the demo items");
        Fixture { _dir: dir, store }
    })
}

fuzz_target!(|data: &[u8]| {
    let store = &fixture().store;
    let text = String::from_utf8_lossy(data).into_owned();
    for prefix_last_word in [false, true] {
        let query = SearchQuery {
            prefix_last_word,
            ..SearchQuery::text(text.clone())
        };
        match store.search(&query) {
            Ok(_) | Err(StoreError::InvalidQuery(_)) => {}
            Err(err) => panic!(
                "search for {text:?} (prefix_last_word = {prefix_last_word}) failed with \
                 something other than InvalidQuery: {err:?}"
            ),
        }
    }
});
