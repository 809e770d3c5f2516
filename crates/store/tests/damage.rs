#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use diplomatie_store::{
    NewItem, Page, SCHEMA_VERSION, SearchQuery, Store, StoreError, TriageFilter,
};

/// A closed store with enough items to span many pages.
fn populated_store() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let store = Store::create(&dir, PASS, COST).unwrap();
    let body = "Le Conseil a examiné la situation régionale. ".repeat(40);
    let items: Vec<_> = (0..60)
        .map(|i| telegram(&format!("Sujet {i}"), &body))
        .collect();
    let news: Vec<_> = items.iter().map(NewItem::new).collect();
    store.put_items(&news, &audit()).unwrap();
    drop(store);
    assert!(
        !dir.join("store.db-wal").exists(),
        "closing checkpoints the WAL"
    );
    (tmp, dir)
}

/// Every item, its attachments and a search over all of them: what reading everything costs.
fn read_everything(store: &Store) -> Result<(), StoreError> {
    let all = store.triage(&TriageFilter::default(), Page::first(10_000))?;
    for summary in &all {
        store.get_item(summary.id)?;
    }
    store.search(&SearchQuery::text("conseil"))?;
    Ok(())
}

/// Damage is reported as `Damaged`: at unlock when it is in what unlocking reads (the first
/// page, the schema, the file's length), else by the first read of the damaged page, and
/// always by the full check. Nothing is written, whatever the path.
fn expect_damaged(dir: &Path, what: &str) {
    let before = snapshot(dir);
    let err = match Store::open(dir, PASS) {
        Err(err) => err,
        Ok(store) => {
            let check = store.verify_integrity().expect_err(what);
            assert!(matches!(check, StoreError::Damaged(_)), "{what}: {check}");
            match read_everything(&store) {
                Ok(()) => {}
                Err(e) => assert!(matches!(e, StoreError::Damaged(_)), "{what}: {e}"),
            }
            drop(store);
            check
        }
    };
    assert!(matches!(err, StoreError::Damaged(_)), "{what}: {err}");
    let msg = err.to_string();
    assert!(msg.contains("the store is damaged"), "{msg}");
    assert!(msg.contains("restore it from a backup"), "{msg}");
    assert!(msg.contains("the file was left untouched"), "{msg}");
    assert_eq!(snapshot(dir), before, "{what}: files changed");
}

/// The store's page size, as its key file records it (8 KiB for new stores).
fn page_size(dir: &Path) -> usize {
    let key: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("profile.key")).unwrap()).unwrap();
    let size = key["cipher"]["cipher_page_size"]
        .as_u64()
        .or_else(|| key["cipher_page_size"].as_u64())
        .unwrap_or_else(|| panic!("no page size in {key}"));
    usize::try_from(size).unwrap()
}

fn flip(path: &Path, offset: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset] ^= 0x5a;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_flipped_byte_anywhere_is_reported_as_damage_and_nothing_is_written() {
    let (_tmp, dir) = populated_store();
    let db = dir.join("store.db");
    let len = std::fs::metadata(&db).unwrap().len() as usize;
    let page = page_size(&dir);
    assert_eq!(len % page, 0, "whole pages of {page} bytes");
    let pages = len / page;
    assert!(pages > 10, "{pages} pages");
    let pristine = std::fs::read(&db).unwrap();
    for (what, offset) in [
        ("first page, salt", 3),
        ("first page, content", 1000),
        ("middle page", (pages / 2) * page + 2000),
        ("last page", len - 100),
    ] {
        flip(&db, offset);
        expect_damaged(&dir, what);
        std::fs::write(&db, &pristine).unwrap();
    }
    // Restored, it opens again and passes the full check.
    let store = Store::open(&dir, PASS).unwrap();
    assert_eq!(store.item_count().unwrap(), 60);
    store.verify_integrity().unwrap();
    read_everything(&store).unwrap();
}

#[test]
fn a_truncated_file_is_reported_as_damage() {
    let (_tmp, dir) = populated_store();
    let db = dir.join("store.db");
    let pristine = std::fs::read(&db).unwrap();
    let len = pristine.len();
    let page = page_size(&dir);
    assert_eq!(len % page, 0, "whole pages of {page} bytes");
    // Cuts at true page boundaries leave a file of whole pages: only the page count in the
    // header tells them from a smaller store.
    for (what, new_len) in [
        ("mid-page", len - 1000),
        ("one byte less", len - 1),
        ("one page less", len - page),
        ("two pages less", len - 2 * page),
        ("half the file, at a page boundary", (len / page / 2) * page),
        ("first two pages only", 2 * page),
        ("first page only", page),
        ("half of the first page", page / 2),
        ("empty", 0),
    ] {
        assert!(new_len < len);
        std::fs::write(&db, &pristine[..new_len]).unwrap();
        expect_damaged(&dir, what);
    }
}

#[test]
fn a_garbage_key_file_is_a_clear_key_file_error() {
    let (_tmp, dir) = populated_store();
    let key = dir.join("profile.key");
    let original = std::fs::read(&key).unwrap();
    for garbage in [
        b"not json at all".to_vec(),
        b"{}".to_vec(),
        br#"{"format":99,"kdf":{"algorithm":"pbkdf2-hmac-sha256","iterations":2000,"salt":"00112233445566778899aabbccddeeff"},"wrapped_key":"00"}"#.to_vec(),
        String::from_utf8(original.clone()).unwrap().replace("\"wrapped_key\": \"", "\"wrapped_key\": \"zz").into_bytes(),
        String::from_utf8(original.clone()).unwrap().replace("\"passes\": 1", "\"passes\": 0").into_bytes(),
        String::from_utf8(original.clone()).unwrap().replace("\"memory_kib\": 8192", "\"memory_kib\": 1073741824").into_bytes(),
        String::from_utf8(original.clone()).unwrap().replace("\"cipher_page_size\": 8192", "\"cipher_page_size\": 1000").into_bytes(),
    ] {
        std::fs::write(&key, &garbage).unwrap();
        let before = snapshot(&dir);
        let err = Store::open(&dir, PASS).unwrap_err();
        assert!(matches!(err, StoreError::KeyFile(_)), "{err}");
        assert!(err.to_string().contains("profile.key"), "{err}");
        assert_eq!(snapshot(&dir), before);
    }
    std::fs::write(&key, &original).unwrap();
    Store::open(&dir, PASS).unwrap();
}

#[test]
fn a_store_from_a_newer_version_is_refused_and_left_alone() {
    let (_tmp, dir) = populated_store();
    {
        let conn = raw_connection(&dir, PASS);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
            .unwrap();
    }
    assert!(!dir.join("store.db-wal").exists());
    let before = snapshot(&dir);
    let err = Store::open(&dir, PASS).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found, supported } if found == SCHEMA_VERSION + 5 && supported == SCHEMA_VERSION),
        "{err}"
    );
    assert!(err.to_string().contains("update the application"), "{err}");
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn a_missing_database_beside_a_key_file_is_damage() {
    let (_tmp, dir) = populated_store();
    std::fs::remove_file(dir.join("store.db")).unwrap();
    let err = Store::open(&dir, PASS).unwrap_err();
    assert!(matches!(err, StoreError::Damaged(_)), "{err}");
    assert!(!dir.join("store.db").exists(), "nothing recreated");
}

#[test]
fn a_profile_is_created_only_in_an_empty_folder_and_never_over_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    // A folder holding other files: refused, nothing added to it.
    let busy = tmp.path().join("documents");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("rapport.odt"), b"not ours").unwrap();
    let before = snapshot(&busy);
    let err = Store::create(&busy, PASS, COST).unwrap_err();
    assert!(matches!(err, StoreError::NotEmpty(_)), "{err}");
    assert!(
        err.to_string().contains("choose an empty or new folder"),
        "{err}"
    );
    assert_eq!(snapshot(&busy), before);
    // A file where the folder should be: refused, to create and to open.
    let file = tmp.path().join("afile");
    std::fs::write(&file, b"x").unwrap();
    let err = Store::create(&file, PASS, COST).unwrap_err();
    assert!(matches!(err, StoreError::NotAFolder(_)), "{err}");
    let err = Store::open(&file, PASS).unwrap_err();
    assert!(matches!(err, StoreError::NotAFolder(_)), "{err}");
    assert!(err.to_string().contains("is a file, not a folder"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
    // A folder with only a file manager's hidden file is empty enough.
    let hidden = tmp.path().join("neuf");
    std::fs::create_dir(&hidden).unwrap();
    std::fs::write(hidden.join(".directory"), b"[Desktop Entry]").unwrap();
    Store::create(&hidden, PASS, COST).unwrap();
}

#[test]
fn an_interrupted_creation_says_so_and_first_records_come_with_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let store = Store::create_with(
        &dir,
        PASS,
        COST,
        &[("profile.identity", b"{\"name\":\"Alice\"}".as_slice())],
        Some(&audit()),
    )
    .unwrap();
    drop(store);
    let store = Store::open(&dir, PASS).unwrap();
    assert_eq!(
        store.get_meta("profile.identity").unwrap().as_deref(),
        Some(b"{\"name\":\"Alice\"}".as_slice())
    );
    assert_eq!(store.audit_log(None, Page::first(10)).unwrap().len(), 1);
    drop(store);

    // A creation stopped before its key file was written leaves a database no one can read:
    // opening and creating both say what happened, and touch nothing.
    std::fs::remove_file(dir.join("profile.key")).unwrap();
    let before = snapshot(&dir);
    for err in [
        Store::open(&dir, PASS).unwrap_err(),
        Store::create(&dir, PASS, COST).unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::Unfinished(_)), "{err}");
        assert!(
            err.to_string().contains("put it back beside store.db"),
            "{err}"
        );
        assert!(err.to_string().contains("delete that folder"), "{err}");
    }
    assert_eq!(snapshot(&dir), before);
}
