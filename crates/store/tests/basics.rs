#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use diplomatie_domain::{AttachmentMeta, Language, Route};
use diplomatie_store::{
    AuditAction, AuditRecord, KdfCost, NewItem, Page, PutOutcome, RowWrite, Store, StoreError,
    TriageFilter,
};

#[test]
fn items_round_trip_with_attachments_and_meta() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    assert!(!Store::exists(&dir));
    let store = Store::create(&dir, PASS, COST).unwrap();
    assert!(Store::exists(&dir));
    assert!(matches!(
        Store::create(&dir, PASS, COST),
        Err(StoreError::AlreadyExists(_))
    ));

    let td = telegram(
        "Élections régionales en Saxe",
        "Le scrutin s'est déroulé dans le calme.",
    );
    let meta = AttachmentMeta {
        name: "annexe.txt".into(),
        content_type: "text/plain".into(),
        size: 5,
        sha256: "00".into(),
    };
    let attachments = [(meta.clone(), b"hello".as_slice())];
    let new = NewItem {
        route: Some(Route::Action),
        thread_key: Some("thread-1"),
        attachments: &attachments,
        ..NewItem::new(&td)
    };
    assert_eq!(
        store.put_item(&new, &audit()).unwrap(),
        PutOutcome::Inserted(td.id)
    );
    // Same id again: a duplicate, nothing written.
    assert_eq!(
        store.put_item(&new, &audit()).unwrap(),
        PutOutcome::Duplicate(td.id)
    );
    assert_eq!(store.item_count().unwrap(), 1);

    let got = store.get_item(td.id).unwrap().unwrap();
    assert_eq!(got.item, td);
    assert_eq!(got.route, Some(Route::Action));
    assert!(!got.read);
    assert_eq!(got.thread_key.as_deref(), Some("thread-1"));
    assert_eq!(
        store.attachment(td.id, 0).unwrap(),
        Some((meta, b"hello".to_vec()))
    );
    assert_eq!(store.attachment(td.id, 1).unwrap(), None);

    let logged = store.audit_log(None, Page::first(100)).unwrap().len();
    let read = AuditRecord::new("alice", AuditAction::ItemRead);
    store.mark_read(td.id, true, &read).unwrap();
    assert!(store.get_item(td.id).unwrap().unwrap().read);
    // The flag and its audit entry are one write.
    let log = store.audit_log(Some(td.id), Page::first(100)).unwrap();
    assert_eq!(log.last().unwrap().action, AuditAction::ItemRead);
    assert_eq!(
        store.audit_log(None, Page::first(100)).unwrap().len(),
        logged + 1
    );
    assert!(matches!(
        store.mark_read(new_id(), true, &read),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store.audit_log(None, Page::first(100)).unwrap().len(),
        logged + 1,
        "nothing logged for an unknown item"
    );
    assert!(store.get_item(new_id()).unwrap().is_none());

    let list = store
        .triage(&TriageFilter::default(), Page::default())
        .unwrap();
    assert_eq!(list.len(), 1);
    let s = &list[0];
    assert_eq!(s.number.as_deref(), Some("BERLIN 2026-0042"));
    assert_eq!(s.subject, "Élections régionales en Saxe");
    assert_eq!(s.tags, vec!["DE".to_string(), "POL".to_string()]);
    assert_eq!(s.received_at, td.received_at);
    assert!(
        !format!("{s:?}").contains("Saxe"),
        "Debug must not show the subject"
    );
    assert_eq!(store.thread("thread-1").unwrap().len(), 1);

    let prefix = &td.id.to_string()[..13];
    assert_eq!(store.find_items_by_prefix(prefix).unwrap(), vec![td.id]);
    assert!(store.find_items_by_prefix("zz").is_err());
    assert!(store.find_items_by_prefix("").is_err());

    store.put_meta("device.signing", b"secret").unwrap();
    store.put_meta("device.signing", b"secret2").unwrap();
    assert_eq!(
        store.get_meta("device.signing").unwrap(),
        Some(b"secret2".to_vec())
    );
    assert_eq!(store.get_meta("nothing").unwrap(), None);
    store.verify_integrity().unwrap();
    assert!(!format!("{store:?}").contains(PASS));
    drop(store);

    let store = Store::open(&dir, PASS).unwrap();
    assert_eq!(store.get_item(td.id).unwrap().unwrap().item, td);
    assert_eq!(store.kdf_params().unwrap().argon2_cost(), Some(COST));
}

#[test]
fn an_items_language_is_kept_in_its_record_and_its_list_row() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::create(&tmp.path().join("alice"), PASS, COST).unwrap();
    let mut english = email(
        "Minutes of the steering committee",
        "The committee agreed on three priorities for the coming year.",
    );
    english.language = Some(Language::ENGLISH);
    let unknown = telegram(
        "Élections en Saxe",
        "Le scrutin s'est déroulé dans le calme.",
    );
    for item in [&english, &unknown] {
        store.put_item(&NewItem::new(item), &audit()).unwrap();
    }

    assert_eq!(store.get_item(english.id).unwrap().unwrap().item, english);
    assert_eq!(store.get_item(unknown.id).unwrap().unwrap().item, unknown);
    let rows = store
        .triage(&TriageFilter::default(), Page::first(10))
        .unwrap();
    let language_of = |id| rows.iter().find(|s| s.id == id).unwrap().language;
    assert_eq!(language_of(english.id), Some(Language::ENGLISH));
    assert_eq!(language_of(unknown.id), None);
    let hits = store
        .search(&diplomatie_store::SearchQuery::text("committee"))
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].summary.language, Some(Language::ENGLISH));
}

#[test]
fn missing_profile_says_how_to_create_one() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Store::open(tmp.path(), PASS).unwrap_err();
    assert!(matches!(err, StoreError::NoProfile(_)));
    assert!(err.to_string().contains("diplo init"), "{err}");
}

#[test]
fn an_item_and_the_rows_that_send_it_are_written_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path(), "une phrase de passe", KdfCost::MIN).unwrap();
    let td = telegram("Visite", "Texte.");
    let rows = [
        RowWrite::Put(b"outbox-1", b"entry"),
        RowWrite::Put(b"space", b"next 2"),
    ];
    assert_eq!(
        store
            .put_item_with_rows(&NewItem::new(&td), &audit(), &rows)
            .unwrap(),
        PutOutcome::Inserted(td.id)
    );
    assert_eq!(store.sync_rows().unwrap().len(), 2);
    // The same item again: a duplicate, and not one of its rows is written.
    let again = [RowWrite::Put(b"outbox-2", b"entry")];
    assert!(matches!(
        store
            .put_item_with_rows(&NewItem::new(&td), &audit(), &again)
            .unwrap(),
        PutOutcome::Duplicate(_)
    ));
    let keys: Vec<Vec<u8>> = store
        .sync_rows()
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, [b"outbox-1".to_vec(), b"space".to_vec()]);
}
