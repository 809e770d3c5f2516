#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;

use common::*;
use diplomatie_crypto::KdfCost;
use diplomatie_domain::{Addressee, AttachmentMeta, ItemContent};
use diplomatie_store::{NewItem, Page, SearchQuery, Store, StoreError, TriageFilter};

const CANARIES: [&str; 4] = [
    "zqxcanarysubject",
    "zqxcanarybody",
    "zqxcanaryaddressee",
    "zqxcanaryattachment",
];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_no_canary_on_disk(dir: &Path, when: &str) {
    let files = snapshot(dir);
    assert!(files.contains_key("store.db"));
    for (name, bytes) in &files {
        for canary in CANARIES {
            for variant in [
                canary.to_string(),
                canary.to_uppercase(),
                canary[..8].to_string() + &canary[8..].to_uppercase(),
            ] {
                assert!(
                    !contains(bytes, variant.as_bytes()),
                    "{when}: {variant} found in {name}"
                );
                let utf16: Vec<u8> = variant.encode_utf16().flat_map(u16::to_le_bytes).collect();
                assert!(
                    !contains(bytes, &utf16),
                    "{when}: UTF-16 {variant} in {name}"
                );
            }
        }
    }
}

#[test]
fn no_plaintext_reaches_the_disk_while_search_finds_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    let store = Store::create(&dir, PASS, COST).unwrap();
    let mut td = telegram(
        &format!("Rapport {} sur la Saxe", CANARIES[0]),
        &format!("Le paragraphe contient {} ici.", CANARIES[1]),
    );
    if let ItemContent::Telegram(t) = &mut td.content {
        t.action.push(Addressee::Person(CANARIES[2].into()));
    }
    let content = format!("annexe {} fin", CANARIES[3]);
    let meta = AttachmentMeta {
        name: "annexe.txt".into(),
        content_type: "text/plain".into(),
        size: content.len() as u64,
        sha256: "00".into(),
    };
    let attachments = [(meta, content.as_bytes())];
    let new = NewItem {
        attachments: &attachments,
        ..NewItem::new(&td)
    };
    store.put_item(&new, &audit()).unwrap();
    for i in 0..20 {
        store
            .put_item(&NewItem::new(&email(&format!("filler {i}"), "x")), &audit())
            .unwrap();
    }
    // Still open: the WAL holds the writes, not yet checkpointed.
    let wal = std::fs::metadata(dir.join("store.db-wal")).unwrap().len();
    assert!(wal > 0, "the WAL holds the writes");
    assert_no_canary_on_disk(&dir, "open");
    for canary in CANARIES {
        let hits = store.search(&SearchQuery::text(canary)).unwrap();
        assert_eq!(hits.len(), 1, "{canary}");
        assert_eq!(hits[0].summary.id, td.id);
    }
    assert_eq!(
        store.attachment(td.id, 0).unwrap().unwrap().1,
        content.as_bytes()
    );
    drop(store);
    assert_no_canary_on_disk(&dir, "closed");
}

#[test]
fn a_wrong_passphrase_is_refused_and_touches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    let store = Store::create(&dir, PASS, COST).unwrap();
    store
        .put_item(&NewItem::new(&telegram("Sujet", "Corps")), &audit())
        .unwrap();
    drop(store);
    let before = snapshot(&dir);
    for wrong in [
        "",
        "correct horse battery stapl",
        "Correct horse battery staple",
    ] {
        let err = Store::open(&dir, wrong).unwrap_err();
        assert!(matches!(err, StoreError::WrongPassphrase), "{err}");
        assert_eq!(err.to_string(), "wrong passphrase");
        assert_eq!(snapshot(&dir), before, "no file changed");
    }
    Store::open(&dir, PASS).unwrap();
}

#[test]
fn changing_the_passphrase_keeps_the_data_and_upgrades_the_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    let store = Store::create(&dir, PASS, COST).unwrap();
    let items: Vec<_> = (0..10)
        .map(|i| note(&format!("Note {i}"), "Corps de la note"))
        .collect();
    let news: Vec<_> = items.iter().map(NewItem::new).collect();
    store.put_items(&news, &audit()).unwrap();
    let old_params = store.kdf_params().unwrap();
    assert_eq!(old_params.argon2_cost(), Some(COST));

    assert!(matches!(
        store.change_passphrase("not the passphrase", "x"),
        Err(StoreError::WrongPassphrase)
    ));
    assert_eq!(
        store.kdf_params().unwrap(),
        old_params,
        "unchanged after a refusal"
    );

    store
        .change_passphrase(PASS, "nouvelle phrase secrète")
        .unwrap();
    let new_params = store.kdf_params().unwrap();
    assert_eq!(new_params.argon2_cost(), Some(KdfCost::DEFAULT));
    assert_ne!(new_params.salt(), old_params.salt());
    assert!(!dir.join("profile.key.tmp").exists());
    // The open store keeps working.
    assert_eq!(store.item_count().unwrap(), 10);
    drop(store);

    assert!(matches!(
        Store::open(&dir, PASS),
        Err(StoreError::WrongPassphrase)
    ));
    let store = Store::open(&dir, "nouvelle phrase secrète").unwrap();
    for item in &items {
        assert_eq!(&store.get_item(item.id).unwrap().unwrap().item, item);
    }
    assert_eq!(
        store
            .triage(&TriageFilter::default(), Page::default())
            .unwrap()
            .len(),
        10
    );
}
