//! Shared helpers of the store's integration tests: items of each kind, raw connections.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::Path;

use diplomatie_crypto::{KdfCost, KdfParams, derive_key, open};
use diplomatie_domain::{
    Addressee, DiplomaticNote, FormalEmail, Item, ItemContent, ItemId, Mailbox, Marking,
    NoteNumber, Paragraph, Precedence, Tag, Telegram, TelegramNumber,
};
use diplomatie_store::{AuditAction, AuditRecord};
use time::OffsetDateTime;
use time::macros::{date, datetime};

/// The cheapest derivation a key file may ask for: tests stay fast.
pub const COST: KdfCost = KdfCost::MIN;
pub const PASS: &str = "correct horse battery staple";

pub fn new_id() -> ItemId {
    ItemId::from_uuid(uuid::Uuid::now_v7())
}

pub fn audit() -> AuditRecord {
    AuditRecord::new("alice", AuditAction::ItemImported)
}

pub fn telegram(subject: &str, body: &str) -> Item {
    Item {
        id: new_id(),
        received_at: datetime!(2026-03-02 09:00 UTC),
        deadline: None,
        content: ItemContent::Telegram(Telegram {
            number: Some(TelegramNumber {
                post: "BERLIN".into(),
                year: 2026,
                serial: 42,
            }),
            dtg: datetime!(2026-03-02 08:15 UTC),
            origin: "BERLIN".into(),
            action: vec![Addressee::Unit("DFAE/Direction Europe".into())],
            info: vec![Addressee::Person("Bob Martin".into())],
            subject: subject.into(),
            tags: vec![Tag::new("POL").unwrap(), Tag::new("DE").unwrap()],
            references: vec![],
            summary: "Résumé.".into(),
            paragraphs: vec![Paragraph {
                marking: Marking::NonProtege,
                text: body.into(),
            }],
            drafter: "Carol Durand".into(),
            clearers: vec![],
            approver: None,
            precedence: Precedence::Routine,
            justification: None,
            marking: Marking::NonProtege,
            caveats: vec![],
        }),
        language: None,
    }
}

pub fn note(subject: &str, body: &str) -> Item {
    Item {
        id: new_id(),
        received_at: datetime!(2026-03-03 10:00 UTC),
        deadline: None,
        content: ItemContent::DiplomaticNote(DiplomaticNote {
            number: Some(NoteNumber {
                mission: "Ambassade de France à Berlin".into(),
                year: 2026,
                serial: 7,
            }),
            sending_mission: "Ambassade de France à Berlin".into(),
            receiving_institution: "Auswärtiges Amt".into(),
            subject: subject.into(),
            opening: "L'Ambassade de France présente ses compliments à l'Auswärtiges Amt et a l'honneur de".into(),
            paragraphs: vec![Paragraph {
                marking: Marking::NonProtege,
                text: body.into(),
            }],
            closing: "L'Ambassade saisit cette occasion pour renouveler les assurances de sa haute considération.".into(),
            place: "Berlin".into(),
            date: date!(2026 - 03 - 03),
            answers: None,
            action: vec![Addressee::Unit("Service du protocole".into())],
            info: vec![],
            tags: vec![Tag::new("PROTOCOLE").unwrap()],
            precedence: Precedence::Prioritaire,
            justification: None,
            marking: Marking::DiffusionRestreinte,
            created_at: datetime!(2026-03-03 09:30 UTC),
        }),
        language: None,
    }
}

pub fn email(subject: &str, body: &str) -> Item {
    Item {
        id: new_id(),
        received_at: datetime!(2026-03-04 11:00 UTC),
        deadline: None,
        content: ItemContent::FormalEmail(FormalEmail {
            from: Mailbox::parse("\"Bob Martin\" <bob@quai.example>").unwrap(),
            to: vec![Mailbox::parse("alice@diplomatie.example").unwrap()],
            cc: vec![Mailbox::parse("carol@diplomatie.example").unwrap()],
            date: datetime!(2026-03-04 10:55 UTC),
            message_id: Some("<m1@quai.example>".into()),
            in_reply_to: vec![],
            references: vec![],
            subject: subject.into(),
            body: body.into(),
            attachments: vec![],
            marking: Marking::NonProtege,
            precedence: Precedence::Routine,
        }),
        language: None,
    }
}

pub fn set_times(item: &mut Item, received: OffsetDateTime, deadline: Option<OffsetDateTime>) {
    item.received_at = received;
    item.deadline = deadline;
}

pub fn set_precedence(item: &mut Item, p: Precedence) {
    match &mut item.content {
        ItemContent::Telegram(t) => {
            t.precedence = p;
            if p == Precedence::Flash {
                t.justification = Some("cannot wait".into());
            }
        }
        ItemContent::DiplomaticNote(n) => n.precedence = p,
        ItemContent::FormalEmail(e) => e.precedence = p,
    }
}

/// The data key, unwrapped the way the documented key file format says.
pub fn raw_key_hex(dir: &Path, passphrase: &str) -> String {
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("profile.key")).unwrap()).unwrap();
    let params: KdfParams = serde_json::from_value(file["kdf"].clone()).unwrap();
    let kek = derive_key(passphrase.as_bytes(), &params).unwrap();
    let aad = match &params {
        KdfParams::Pbkdf2HmacSha256 { iterations, salt } => {
            format!("diplomatie-store/profile.key/v1|pbkdf2-hmac-sha256|{iterations}|{salt}")
        }
        KdfParams::Argon2id {
            version,
            memory_kib,
            passes,
            lanes,
            salt,
        } => format!(
            "diplomatie-store/profile.key/v2|argon2id|v={version}|m={memory_kib}|t={passes}|p={lanes}\
             |salt={salt}|hmac={}|page={}",
            file["cipher_hmac"].as_str().unwrap(),
            file["cipher_page_size"].as_u64().unwrap()
        ),
    };
    let wrapped = hex::decode(file["wrapped_key"].as_str().unwrap());
    let dek = open(&kek, aad.as_bytes(), &wrapped).unwrap();
    hex::encode(&dek)
}

/// A raw SQLCipher connection to the profile's database, keyed.
pub fn raw_connection(dir: &Path, passphrase: &str) -> rusqlite::Connection {
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("profile.key")).unwrap()).unwrap();
    // The first stores have no `cipher_hmac` and use SQLCipher's default, HMAC_SHA512.
    let hmac = file["cipher_hmac"]
        .as_str()
        .unwrap_or("HMAC_SHA512")
        .to_owned();
    // ... and SQLCipher's default page size, 4,096 bytes.
    let page_size = file["cipher_page_size"].as_u64().unwrap_or(4096);
    let conn = rusqlite::Connection::open(dir.join("store.db")).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA cipher_hmac_algorithm = {hmac}; \
         PRAGMA cipher_page_size = {page_size};",
        raw_key_hex(dir, passphrase)
    ))
    .unwrap();
    conn
}

/// Every file of a directory with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

pub mod hex {
    pub fn encode(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
    pub fn decode(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}
