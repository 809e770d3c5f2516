//! A draft saved by `DraftDoc` is a standard automerge document: the official JavaScript
//! implementation (`@automerge/automerge`, pinned in `tests/interop/package.json`) loads it
//! with the same paragraphs, fields and conflicts. Needs Node.js and
//! `npm ci --prefix crates/client/tests/interop` (done by `scripts/install-deps.sh test`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use diplomatie_domain::{Addressee, ItemKind, Marking, Route};
use diplomatie_draft::{DraftDoc, DraftView, FieldName, ListField};
use serde_json::{Value, json};

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// What `@automerge/automerge` reads in these bytes (see `load-draft.mjs`).
fn js_reads(bytes: &[u8]) -> Value {
    let dir = interop_dir();
    assert!(
        dir.join("node_modules/@automerge/automerge/package.json")
            .exists(),
        "the JavaScript automerge is not installed for this test: run \
         `npm ci --prefix crates/client/tests/interop` (or `scripts/install-deps.sh test`)"
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let out = Command::new("node")
        .arg(dir.join("load-draft.mjs"))
        .arg(file.path())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "could not run `node` ({e}): install Node.js 20 or later (scripts/install-deps.sh)"
            )
        });
    assert!(
        out.status.success(),
        "node load-draft.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["automerge"], "3.5.0", "the pinned JavaScript version");
    read
}

fn sorted(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values
}

/// Asserts that JavaScript read exactly what the Rust view shows.
fn assert_same(view: &DraftView, js: &Value) {
    assert_eq!(js["schema"], 1);
    assert_eq!(js["kind"], view.kind.code());

    let paragraphs: Vec<Value> = view
        .paragraphs
        .iter()
        .map(|p| json!({"id": p.id, "marking": p.marking, "text": p.text}))
        .collect();
    assert_eq!(js["paragraphs"], Value::Array(paragraphs));

    let fields = js["fields"].as_object().unwrap();
    let mut expected_keys = Vec::new();
    for field in FieldName::ALL {
        if !field.applies_to(view.kind) {
            continue;
        }
        // A register nobody has set yet is absent from the document; the view shows it empty.
        let Some(value) = fields.get(field.key()) else {
            assert_eq!(view.fields.get(field), "", "field {}", field.key());
            continue;
        };
        expected_keys.push(field.key().to_owned());
        assert_eq!(value, view.fields.get(field), "field {}", field.key());
    }
    for list in ListField::ALL {
        if !list.applies_to(view.kind) {
            continue;
        }
        expected_keys.push(list.key().to_owned());
        assert_eq!(
            fields[list.key()],
            json!(view.fields.list(list)),
            "list {}",
            list.key()
        );
    }
    if view.kind != ItemKind::FormalEmail {
        expected_keys.push("addressees".to_owned());
        let addressees: Vec<Value> = view
            .addressees
            .iter()
            .map(|a| {
                let kind = match a.addressee {
                    Addressee::Unit(_) => "unit",
                    Addressee::Person(_) => "person",
                };
                json!({"name": a.addressee.name(), "kind": kind, "route": a.route.code()})
            })
            .collect();
        assert_eq!(fields["addressees"], Value::Array(addressees));
    }
    let mut keys: Vec<String> = fields.keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, sorted(expected_keys), "the fields map's keys");

    let conflicts: serde_json::Map<String, Value> = view
        .conflicts
        .iter()
        .map(|c| (c.field.clone(), json!(sorted(c.values.clone()))))
        .collect();
    assert_eq!(js["conflicts"], Value::Object(conflicts));
}

/// Sends each replica's new changes to the other.
fn exchange(a: &mut DraftDoc, b: &mut DraftDoc) {
    let from_a = a.save_incremental();
    let from_b = b.save_incremental();
    b.apply_changes(&from_a).unwrap();
    a.apply_changes(&from_b).unwrap();
}

#[test]
fn a_telegram_draft_with_a_conflict_loads_in_javascript_automerge() {
    let mut alice = DraftDoc::new(ItemKind::Telegram, b"alice-device").unwrap();
    alice
        .set_field(
            FieldName::Subject,
            "Visite du ministre à Nairobi 😀 : préparation",
        )
        .unwrap();
    alice.set_field(FieldName::Marking, "DR").unwrap();
    alice.set_field(FieldName::Precedence, "flash").unwrap();
    alice
        .set_field(FieldName::Justification, "Arrivée avancée à demain.")
        .unwrap();
    alice
        .set_field(FieldName::Summary, "Résumé : ça avance 🇫🇷.")
        .unwrap();
    alice
        .set_field(FieldName::Deadline, "2026-12-01T12:00:00Z")
        .unwrap();
    alice
        .set_field(FieldName::Approver, "Carol Dupont")
        .unwrap();
    alice.add_to_list(ListField::Tags, "KE").unwrap();
    alice.add_to_list(ListField::Tags, "econ").unwrap();
    alice
        .add_to_list(ListField::References, "TD NAIROBI 2026-0117")
        .unwrap();
    alice
        .set_list(ListField::Clearers, &["Bob Martin", "Élodie Roux"])
        .unwrap();
    alice
        .add_to_list(ListField::Caveats, "SPÉCIAL FRANCE")
        .unwrap();
    alice
        .add_addressee(&Addressee::Unit("DFAE/Afrique".into()), Route::Action)
        .unwrap();
    alice
        .add_addressee(&Addressee::Person("Bob Martin".into()), Route::Info)
        .unwrap();
    alice
        .insert_paragraph(
            0,
            Marking::NonProtege,
            "L'Ambassade de France présente ses compliments.",
        )
        .unwrap();
    alice
        .insert_paragraph(1, Marking::NonProtege, "Le ministre arrivera le 12.")
        .unwrap();
    alice
        .insert_paragraph(
            2,
            Marking::DiffusionRestreinte,
            "Détails — ne pas diffuser.",
        )
        .unwrap();

    let mut bob = DraftDoc::load(&alice.save(), b"bob-device").unwrap();
    // Both type in paragraph 2, and set the origin to different posts.
    alice.splice_paragraph(1, 26, 0, " à Nairobi").unwrap();
    bob.splice_paragraph(1, 0, 0, "Confirmé 😀 : ").unwrap();
    alice.set_field(FieldName::Origin, "NAIROBI").unwrap();
    bob.set_field(FieldName::Origin, "PARIS").unwrap();
    // Paragraph 3's marking: alice lowers it and raises it again, bob lowers it meanwhile.
    alice.set_paragraph_marking(2, Marking::NonProtege).unwrap();
    alice.heads();
    alice
        .set_paragraph_marking(2, Marking::DiffusionRestreinte)
        .unwrap();
    bob.set_paragraph_marking(2, Marking::NonProtege).unwrap();
    exchange(&mut alice, &mut bob);

    let view = alice.view();
    assert_eq!(view, bob.view());
    assert_eq!(view.paragraphs.len(), 3);
    assert_eq!(
        view.paragraphs[1].text,
        "Confirmé 😀 : Le ministre arrivera le 12 à Nairobi."
    );
    assert_eq!(view.conflicts.len(), 2, "origin and a paragraph marking");

    let js = js_reads(&alice.save());
    assert_same(&view, &js);
    assert_eq!(
        js["fields"]["subject"],
        "Visite du ministre à Nairobi 😀 : préparation"
    );
    assert_eq!(js["conflicts"]["origin"], json!(["NAIROBI", "PARIS"]));
}

#[test]
fn a_note_and_an_email_draft_load_in_javascript_automerge() {
    let mut note = DraftDoc::new(ItemKind::DiplomaticNote, b"alice-device").unwrap();
    note.set_field(FieldName::Subject, "Demande d'agrément")
        .unwrap();
    note.set_field(FieldName::SendingMission, "L'Ambassade de France")
        .unwrap();
    note.set_field(
        FieldName::ReceivingInstitution,
        "Ministère des Affaires étrangères",
    )
    .unwrap();
    note.set_field(
        FieldName::Opening,
        "L'Ambassade de France présente ses compliments au Ministère et a l'honneur de",
    )
    .unwrap();
    note.set_field(
        FieldName::Closing,
        "… les assurances de sa haute considération.",
    )
    .unwrap();
    note.set_field(FieldName::Place, "Nairobi").unwrap();
    note.set_field(FieldName::Date, "2026-11-28").unwrap();
    note.set_field(FieldName::Answers, "NV 2026/0012").unwrap();
    note.set_field(FieldName::Justification, "").unwrap();
    note.set_field(FieldName::Deadline, "").unwrap();
    note.set_field(FieldName::Approver, "Carol").unwrap();
    note.add_to_list(ListField::Tags, "KE").unwrap();
    note.add_to_list(ListField::Clearers, "Bob").unwrap();
    note.add_addressee(&Addressee::Unit("Protocole".into()), Route::Action)
        .unwrap();
    note.insert_paragraph(0, Marking::NonProtege, "solliciter l'agrément… ✉️")
        .unwrap();
    assert_same(&note.view(), &js_reads(&note.save()));

    let mut email = DraftDoc::new(ItemKind::FormalEmail, b"bob-device").unwrap();
    email.set_field(FieldName::Subject, "Réunion 😀").unwrap();
    email
        .set_field(FieldName::From, "Bob <bob@quai.example>")
        .unwrap();
    email.set_field(FieldName::Deadline, "").unwrap();
    email.set_field(FieldName::Approver, "").unwrap();
    email
        .add_to_list(ListField::To, "alice@quai.example")
        .unwrap();
    email
        .add_to_list(ListField::Cc, "carol@quai.example")
        .unwrap();
    email.add_to_list(ListField::Clearers, "Carol").unwrap();
    email
        .insert_paragraph(0, Marking::NonProtege, "Bonjour,")
        .unwrap();
    email
        .insert_paragraph(1, Marking::NonProtege, "À demain.")
        .unwrap();
    assert_same(&email.view(), &js_reads(&email.save()));
}
