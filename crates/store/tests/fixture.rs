#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Stores made by past schema versions must keep opening. `tests/fixtures/vN/` is a profile of
//! schema version N (v1: SQLCipher's default 4 KiB pages and HMAC-SHA512; v3: 8 KiB pages and
//! HMAC-SHA256), made by `make_fixture` below when N was the current version:
//!
//! ```text
//! DIPLOMATIE_WRITE_FIXTURES=1 cargo test -p diplomatie-store --test fixture -- --ignored make_fixture
//! ```
//!
//! Passphrase `fixture v1 passphrase` for every fixture, with 2,000 PBKDF2 iterations. Never
//! regenerate an existing fixture: add one for each new schema version instead.

mod common;

use std::path::{Path, PathBuf};

use diplomatie_domain::{
    Addressee, AttachmentMeta, FormalEmail, Item, ItemContent, ItemId, Language, Mailbox, Marking,
    Paragraph, Precedence, Route, Tag, Telegram, TelegramNumber,
};
use diplomatie_store::{
    AuditAction, AuditRecord, KdfCost, NewItem, Page, SCHEMA_VERSION, SearchQuery, Store,
    TriageFilter,
};
use time::macros::datetime;

const PASSPHRASE: &str = "fixture v1 passphrase";

fn fixture_dir(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/v{version}"))
}

fn fixture_telegram() -> Item {
    Item {
        id: ItemId::from_uuid(uuid::Uuid::from_u128(
            0x0193_0000_0000_7000_8000_0000_0000_0001,
        )),
        received_at: datetime!(2026-01-15 09:00 UTC),
        deadline: Some(datetime!(2026-01-20 18:00 UTC)),
        content: ItemContent::Telegram(Telegram {
            number: Some(TelegramNumber {
                post: "BERLIN".into(),
                year: 2026,
                serial: 42,
            }),
            dtg: datetime!(2026-01-15 08:15 UTC),
            origin: "BERLIN".into(),
            action: vec![Addressee::Unit("DFAE/Direction Europe".into())],
            info: vec![Addressee::Person("Bob Martin".into())],
            subject: "Élections régionales en Saxe".into(),
            tags: vec![Tag::new("POL").unwrap(), Tag::new("DE").unwrap()],
            references: vec![],
            summary: "Scrutin calme, participation en hausse.".into(),
            paragraphs: vec![Paragraph {
                marking: Marking::NonProtege,
                text: "Le scrutin s'est déroulé dans le calme.".into(),
            }],
            drafter: "Carol Durand".into(),
            clearers: vec!["Alice Lefèvre".into()],
            approver: Some("Alice Lefèvre".into()),
            precedence: Precedence::Immediat,
            justification: None,
            marking: Marking::DiffusionRestreinte,
            caveats: vec![],
        }),
        language: None,
    }
}

fn fixture_email() -> Item {
    Item {
        id: ItemId::from_uuid(uuid::Uuid::from_u128(
            0x0193_0000_0000_7000_8000_0000_0000_0002,
        )),
        received_at: datetime!(2026-01-16 11:00 UTC),
        deadline: None,
        content: ItemContent::FormalEmail(FormalEmail {
            from: Mailbox::parse("\"Bob Martin\" <bob@quai.example>").unwrap(),
            to: vec![Mailbox::parse("alice@diplomatie.example").unwrap()],
            cc: vec![],
            date: datetime!(2026-01-16 10:55 UTC),
            message_id: Some("<fixture-1@quai.example>".into()),
            in_reply_to: vec![],
            references: vec![],
            subject: "Rapport annuel".into(),
            body: "Veuillez trouver le rapport en pièce jointe.".into(),
            attachments: vec![attachment_meta()],
            marking: Marking::NonProtege,
            precedence: Precedence::Routine,
        }),
        language: None,
    }
}

fn attachment_meta() -> AttachmentMeta {
    AttachmentMeta {
        name: "rapport.txt".into(),
        content_type: "text/plain".into(),
        size: 22,
        sha256: "fixture".into(),
    }
}

const ATTACHMENT: &[u8] = b"Rapport annuel: annexe";

/// Writes the fixture of the current schema version.
#[test]
#[ignore = "writes the committed fixture; run by hand for a new schema version"]
fn make_fixture() {
    assert_eq!(
        std::env::var("DIPLOMATIE_WRITE_FIXTURES").as_deref(),
        Ok("1"),
        "set DIPLOMATIE_WRITE_FIXTURES=1 to write the fixture"
    );
    let dir = fixture_dir(SCHEMA_VERSION);
    assert!(!dir.exists(), "never regenerate an existing fixture");
    let store = Store::create(&dir, PASSPHRASE, KdfCost::MIN).unwrap();
    store
        .append_audit(&AuditRecord::new("alice", AuditAction::ProfileCreated))
        .unwrap();
    let td = fixture_telegram();
    store
        .put_item(
            &NewItem {
                route: Some(Route::Action),
                dedupe_key: Some("BERLIN 2026-0042"),
                ..NewItem::new(&td)
            },
            &AuditRecord::new("alice", AuditAction::ItemReceived),
        )
        .unwrap();
    let mail = fixture_email();
    let attachments = [(attachment_meta(), ATTACHMENT)];
    store
        .put_item(
            &NewItem {
                route: Some(Route::Info),
                dedupe_key: Some("<fixture-1@quai.example>"),
                thread_key: Some("<fixture-1@quai.example>"),
                attachments: &attachments,
                ..NewItem::new(&mail)
            },
            &AuditRecord::new("alice", AuditAction::ItemImported),
        )
        .unwrap();
    store
        .mark_read(
            mail.id,
            true,
            &AuditRecord::new("alice", AuditAction::ItemRead),
        )
        .unwrap();
    store.put_meta("profile.name", b"Alice Lefevre").unwrap();
    drop(store);
    assert!(!dir.join("store.db-wal").exists());
}

#[test]
fn the_v1_fixture_still_opens_and_reads_back() {
    check_fixture(1);
}

#[test]
fn the_v3_fixture_still_opens_and_reads_back() {
    check_fixture(3);
}

fn check_fixture(version: u32) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(format!("v{version}"));
    std::fs::create_dir(&dir).unwrap();
    for name in ["profile.key", "store.db"] {
        std::fs::copy(fixture_dir(version).join(name), dir.join(name)).unwrap();
    }
    let store = Store::open(&dir, PASSPHRASE).unwrap();
    store.verify_integrity().unwrap();
    assert_eq!(store.item_count().unwrap(), 2);

    let td = store.get_item(fixture_telegram().id).unwrap().unwrap();
    assert_eq!(td.item, fixture_telegram());
    assert_eq!(td.route, Some(Route::Action));
    assert!(!td.read);
    let mail = store.get_item(fixture_email().id).unwrap().unwrap();
    assert_eq!(mail.item, fixture_email());
    assert!(mail.read);
    assert_eq!(
        store.attachment(fixture_email().id, 0).unwrap(),
        Some((attachment_meta(), ATTACHMENT.to_vec()))
    );

    let triage = store
        .triage(&TriageFilter::default(), Page::default())
        .unwrap();
    assert_eq!(triage.len(), 2);
    assert_eq!(triage[0].number.as_deref(), Some("BERLIN 2026-0042"));
    // Stored before items had a language (migration 0020): unknown, in rows as in records.
    assert!(triage.iter().all(|s| s.language.is_none()));
    // The tally of the counts is made from the items already stored.
    let counts = store.triage_counts(&TriageFilter::default()).unwrap();
    assert_eq!(
        (
            counts.total,
            counts.action,
            counts.unread,
            counts.unread_action
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(store.thread("<fixture-1@quai.example>").unwrap().len(), 1);
    let hits = store.search(&SearchQuery::text("elections saxe")).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(store.search(&SearchQuery::text("annexe")).unwrap().len(), 1);
    // The full-text index was made again from the records and their attachments (migration
    // 0018): found by the prefix index, and by the words a prefix covers.
    assert_eq!(store.search(&SearchQuery::text("ann*")).unwrap().len(), 1);
    assert_eq!(store.search(&SearchQuery::text("anne*")).unwrap().len(), 1);
    assert_eq!(
        store.search(&SearchQuery::text("sax*")).unwrap().len(),
        store.search(&SearchQuery::text("saxe")).unwrap().len()
    );
    let audit = store.audit_log(None, Page::default()).unwrap();
    assert_eq!(audit.len(), 3);
    assert_eq!(audit[1].action, AuditAction::ItemReceived);
    assert_eq!(
        store.get_meta("profile.name").unwrap(),
        Some(b"Alice Lefevre".to_vec())
    );

    // Still writable at the current version.
    let again = Item {
        id: ItemId::from_uuid(uuid::Uuid::now_v7()),
        ..fixture_telegram()
    };
    let outcome = store
        .put_item(
            &NewItem {
                dedupe_key: Some("BERLIN 2026-0042"),
                ..NewItem::new(&again)
            },
            &AuditRecord::new("alice", AuditAction::ItemReceived),
        )
        .unwrap();
    assert_eq!(outcome.id(), fixture_telegram().id, "dedupe keys survive");
    let english = Item {
        id: ItemId::from_uuid(uuid::Uuid::now_v7()),
        language: Some(Language::ENGLISH),
        ..fixture_telegram()
    };
    store
        .put_item(
            &NewItem::new(&english),
            &AuditRecord::new("alice", AuditAction::ItemReceived),
        )
        .unwrap();
    assert_eq!(store.get_item(english.id).unwrap().unwrap().item, english);
    assert_eq!(
        store.summary(english.id).unwrap().unwrap().language,
        Some(Language::ENGLISH)
    );

    // The ids of the email stored before thread links were kept are linked by the migration:
    // a reply naming it joins its thread, whatever key the reply gives itself.
    let mut reply = fixture_email();
    reply.id = ItemId::from_uuid(uuid::Uuid::now_v7());
    if let ItemContent::FormalEmail(e) = &mut reply.content {
        e.message_id = Some("<fixture-2@quai.example>".into());
        e.in_reply_to = vec!["<fixture-1@quai.example>".into()];
    }
    store
        .put_item(
            &NewItem {
                dedupe_key: Some("mid:<fixture-2@quai.example>"),
                thread_key: Some("<a key of its own>"),
                thread_parents: &["<fixture-1@quai.example>"],
                message_id: Some("<fixture-2@quai.example>"),
                ..NewItem::new(&reply)
            },
            &AuditRecord::new("alice", AuditAction::ItemImported),
        )
        .unwrap();
    assert_eq!(store.thread("<fixture-1@quai.example>").unwrap().len(), 2);
}

#[test]
fn emails_stored_before_migration_9_get_their_links_and_message_dedupe_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let store = Store::create(&dir, PASSPHRASE, KdfCost::MIN).unwrap();
    let mail = fixture_email();
    // Filed in the thread of a root it names (its References, say), not under its own id.
    store
        .put_item(
            &NewItem {
                thread_key: Some("<root@quai.example>"),
                ..NewItem::new(&mail)
            },
            &AuditRecord::new("alice", AuditAction::ItemComposed),
        )
        .unwrap();
    drop(store);
    // As a store of version 8 had it: no links, no contacts, a composed email without a
    // dedupe key, its record as plain JSON (the index stays contentless: nothing here
    // searches).
    let raw = common::raw_connection(&dir, PASSPHRASE);
    raw.execute_batch(
        "DROP TABLE thread_links; DROP TABLE contacts; DROP TABLE verified_log_entries; \
         DROP TABLE mls_state; DROP TABLE space_epoch_keys; DROP TABLE spaces; \
         DROP TABLE sync_rows; DROP TRIGGER triage_tally_insert; \
         DROP TRIGGER triage_tally_delete; DROP TRIGGER triage_tally_update; \
         DROP TABLE triage_tally; DROP TABLE index_words; \
         UPDATE items SET dedupe_key = NULL; \
         ALTER TABLE items DROP COLUMN language; ALTER TABLE items DROP COLUMN packed; \
         ALTER TABLE items DROP COLUMN dictionary; PRAGMA user_version = 8;",
    )
    .unwrap();
    raw.execute(
        "UPDATE items SET data = ?1",
        [serde_json::to_string(&mail).unwrap()],
    )
    .unwrap();
    drop(raw);
    let store = Store::open(&dir, PASSPHRASE).unwrap();
    // Imported back, the composed email is the same message.
    let outcome = store
        .put_item(
            &NewItem {
                dedupe_key: Some("mid:<fixture-1@quai.example>"),
                ..NewItem::new(&Item {
                    id: ItemId::from_uuid(uuid::Uuid::now_v7()),
                    ..fixture_email()
                })
            },
            &AuditRecord::new("alice", AuditAction::ItemImported),
        )
        .unwrap();
    assert_eq!(outcome, diplomatie_store::PutOutcome::Duplicate(mail.id));
    // A reply finds it through the links the migration made.
    let mut reply = fixture_email();
    reply.id = ItemId::from_uuid(uuid::Uuid::now_v7());
    store
        .put_item(
            &NewItem {
                thread_key: Some("<a key of its own>"),
                thread_parents: &["<fixture-1@quai.example>"],
                message_id: Some("<fixture-2@quai.example>"),
                ..NewItem::new(&reply)
            },
            &AuditRecord::new("alice", AuditAction::ItemImported),
        )
        .unwrap();
    let key = store.get_item(reply.id).unwrap().unwrap().thread_key;
    assert_eq!(key.as_deref(), Some("<root@quai.example>"));
    assert_eq!(store.thread("<root@quai.example>").unwrap().len(), 2);
}

#[test]
fn records_deflated_before_migration_22_read_and_new_ones_take_the_dictionary() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let store = Store::create(&dir, PASSPHRASE, KdfCost::MIN).unwrap();
    let td = fixture_telegram();
    store
        .put_item(
            &NewItem::new(&td),
            &AuditRecord::new("alice", AuditAction::ItemReceived),
        )
        .unwrap();
    drop(store);
    // As schemas 17 to 21 had it: the record deflated alone, and no column naming a dictionary.
    let mut plain = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    plain.write_all(&serde_json::to_vec(&td).unwrap()).unwrap();
    let plain = plain.finish().unwrap();
    let raw = common::raw_connection(&dir, PASSPHRASE);
    raw.execute("UPDATE items SET packed = ?1", [&plain])
        .unwrap();
    raw.execute_batch("ALTER TABLE items DROP COLUMN dictionary; PRAGMA user_version = 21;")
        .unwrap();
    drop(raw);

    let store = Store::open(&dir, PASSPHRASE).unwrap();
    assert_eq!(store.get_item(td.id).unwrap().unwrap().item, td);
    let hits = store.search(&SearchQuery::text("elections saxe")).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].summary.id, td.id);
    let mail = fixture_email();
    store
        .put_item(
            &NewItem::new(&mail),
            &AuditRecord::new("alice", AuditAction::ItemReceived),
        )
        .unwrap();
    assert_eq!(store.get_item(mail.id).unwrap().unwrap().item, mail);
    store.verify_integrity().unwrap();
    drop(store);

    // The old record kept its bytes and names no dictionary; the new one names the first.
    let raw = common::raw_connection(&dir, PASSPHRASE);
    let rows: Vec<(Vec<u8>, Option<i64>)> = raw
        .prepare("SELECT packed, dictionary FROM items ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], (plain, Some(0)));
    assert_eq!(rows[1].1, Some(1));
}
