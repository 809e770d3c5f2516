//! The store's everyday work (bulk writes, sorted pages, search, the full check, a passphrase
//! change) creates no file outside the profile and nothing in clear inside it. The work runs
//! in a child process whose temporary folder (`TMPDIR`, `SQLITE_TMPDIR`) is an empty folder
//! of the test's; afterwards that folder must be unchanged and the profile hold only its own
//! files. (That every connection keeps SQLite's temporary storage in memory is checked on the
//! connection itself, in the crate's unit tests: this workload fits in SQLite's cache, so it
//! would not spill to a temporary file either way.)
// The folder's time of change is read through Unix metadata.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use diplomatie_store::{NewItem, Page, SearchQuery, Store, TriageFilter};

const CHILD: &str = "DIPLOMATIE_TEMP_FILES_CHILD";
const CANARY: &str = "TEMPCANARY";

/// What the child does: enough writing, sorting and checking that SQLite would use temporary
/// files if it were allowed to.
fn work(dir: &Path) {
    let store = Store::create(dir, PASS, COST).unwrap();
    let body = format!("{CANARY} la délégation a examiné le projet de texte. ").repeat(200);
    for round in 0..3 {
        let items: Vec<_> = (0..2_000)
            .map(|i| telegram(&format!("{CANARY} sujet {round} {i}"), &body))
            .collect();
        let news: Vec<_> = items.iter().map(NewItem::new).collect();
        store.put_items(&news, &audit()).unwrap();
    }
    // Sorted pages of the whole set, a search over all of it, the full check.
    let all = store
        .triage(&TriageFilter::default(), Page::first(10_000))
        .unwrap();
    assert_eq!(all.len(), 6_000);
    assert!(
        !store
            .search(&SearchQuery::text(CANARY.to_lowercase()))
            .unwrap()
            .is_empty()
    );
    store.verify_integrity().unwrap();
    store
        .change_passphrase(PASS, "another long passphrase")
        .unwrap();
}

#[test]
fn temporary_files_stay_in_memory() {
    if let Some(dir) = std::env::var_os(CHILD) {
        work(Path::new(&dir));
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let temp = tmp.path().join("tmp");
    let profile = tmp.path().join("profile");
    std::fs::create_dir(&temp).unwrap();
    // SQLite unlinks a temporary file as soon as it opens it, so the folder's listing would
    // not show one: its time of change would (creating or removing an entry changes it).
    let stamp = |p: &Path| {
        let m = std::fs::metadata(p).unwrap();
        (
            m.modified().unwrap(),
            std::os::unix::fs::MetadataExt::ctime_nsec(&m),
        )
    };
    let before = stamp(&temp);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "temporary_files_stay_in_memory",
            "--test-threads=1",
        ])
        .env(CHILD, &profile)
        .env("TMPDIR", &temp)
        .env("SQLITE_TMPDIR", &temp)
        .status()
        .unwrap();
    assert!(status.success(), "the child failed: {status}");
    let left: Vec<_> = std::fs::read_dir(&temp).unwrap().flatten().collect();
    assert!(left.is_empty(), "temporary files written: {left:?}");
    assert_eq!(
        stamp(&temp),
        before,
        "a temporary file was created (and unlinked) in the temporary folder"
    );
    let mut files: Vec<String> = std::fs::read_dir(&profile)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["profile.key", "store.db"],
        "only the profile's files"
    );
    // And the words written are nowhere in clear.
    for name in &files {
        let bytes = std::fs::read(profile.join(name)).unwrap();
        assert!(
            !bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()),
            "{name} holds the canary in clear"
        );
    }
}
