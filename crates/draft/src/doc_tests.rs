#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use diplomatie_domain::{Addressee, ItemContent, ItemKind, Marking, Route};
use time::macros::datetime;

use super::*;

const ALICE: &[u8] = b"alice-device";
const BOB: &[u8] = b"bob-device";
const CAROL: &[u8] = b"carol-device";

/// A telegram draft made by alice, with one paragraph, and a replica of it for bob.
fn alice_and_bob(text: &str) -> (DraftDoc, DraftDoc) {
    let mut alice = DraftDoc::new(ItemKind::Telegram, ALICE).unwrap();
    alice
        .insert_paragraph(0, Marking::NonProtege, text)
        .unwrap();
    let bob = DraftDoc::load(&alice.save(), BOB).unwrap();
    (alice, bob)
}

/// Sends each replica's new changes to the other.
fn exchange(a: &mut DraftDoc, b: &mut DraftDoc) {
    let from_a = a.save_incremental();
    let from_b = b.save_incremental();
    b.apply_changes(&from_a).unwrap();
    a.apply_changes(&from_b).unwrap();
}

fn assert_converged(a: &mut DraftDoc, b: &mut DraftDoc) {
    assert_eq!(a.view(), b.view());
    assert_eq!(a.heads(), b.heads());
}

fn full_telegram() -> DraftDoc {
    let mut d = DraftDoc::new(ItemKind::Telegram, ALICE).unwrap();
    d.set_field(FieldName::Subject, "Visite du ministre à Dakar 😀")
        .unwrap();
    d.set_field(FieldName::Origin, "DAKAR").unwrap();
    d.set_field(FieldName::Marking, "DR").unwrap();
    d.set_field(FieldName::Precedence, "Immédiat").unwrap();
    d.set_field(FieldName::Summary, "Résumé : tout va bien.")
        .unwrap();
    d.set_field(FieldName::Deadline, "2026-12-01T12:00:00Z")
        .unwrap();
    d.set_field(FieldName::Approver, "Carol Dupont").unwrap();
    d.add_to_list(ListField::Tags, "econ").unwrap();
    d.add_to_list(ListField::Tags, "SN").unwrap();
    d.add_to_list(ListField::References, "TD BERLIN 2026-0117")
        .unwrap();
    d.set_list(ListField::Clearers, &["Bob Martin", "Carol Dupont"])
        .unwrap();
    d.add_to_list(ListField::Caveats, "SPECIAL FRANCE").unwrap();
    d.add_addressee(&Addressee::Unit("DFAE/Afrique".into()), Route::Action)
        .unwrap();
    d.add_addressee(&Addressee::Person("Bob Martin".into()), Route::Info)
        .unwrap();
    d.insert_paragraph(0, Marking::NonProtege, "Le ministre arrivera le 12.")
        .unwrap();
    d.insert_paragraph(1, Marking::DiffusionRestreinte, "Détails sensibles.")
        .unwrap();
    d
}

// ---- creation, load, save ----

#[test]
fn a_new_draft_has_its_schema_kind_and_defaults() {
    for kind in ItemKind::ALL {
        let d = DraftDoc::new(kind, ALICE).unwrap();
        let v = d.view();
        assert_eq!(v.schema, 1);
        assert_eq!(v.kind, kind);
        assert_eq!(v.fields.marking, "NP");
        assert_eq!(v.fields.precedence, "routine");
        assert!(v.paragraphs.is_empty());
        assert!(v.conflicts.is_empty());
    }
    assert!(matches!(
        DraftDoc::new(ItemKind::Telegram, b""),
        Err(DraftError::EmptyActor)
    ));
}

#[test]
fn save_and_load_keep_everything() {
    let mut d = full_telegram();
    let bytes = d.save();
    let mut loaded = DraftDoc::load(&bytes, BOB).unwrap();
    assert_eq!(loaded.view(), d.view());
    assert_eq!(loaded.heads(), d.heads());
    assert_eq!(loaded.kind(), ItemKind::Telegram);
    let v = loaded.view();
    assert_eq!(v.fields.subject, "Visite du ministre à Dakar 😀");
    assert_eq!(v.fields.precedence, "immediat");
    assert_eq!(v.fields.tags, ["ECON", "SN"]);
    assert_eq!(v.fields.clearers, ["Bob Martin", "Carol Dupont"]);
    assert_eq!(v.addressees.len(), 2);
    assert_eq!(v.paragraphs[1].marking, "DR");
    // Saving again without a change gives the same document.
    assert_eq!(DraftDoc::load(&loaded.save(), CAROL).unwrap().view(), v);
}

#[test]
fn loading_keeps_utf16_positions() {
    let (mut alice, _) = alice_and_bob("Été 😀 fin");
    let mut loaded = DraftDoc::load(&alice.save(), BOB).unwrap();
    // "Été " is 4 units, the emoji 2: position 6 is just after it.
    loaded.splice_paragraph(0, 6, 0, "!").unwrap();
    assert_eq!(loaded.view().paragraphs[0].text, "Été 😀! fin");
    // "Été 😀! fin" is 11 UTF-16 units (10 code points).
    loaded.splice_paragraph(0, 11, 0, ".").unwrap();
    assert!(matches!(
        loaded.splice_paragraph(0, 13, 0, "x"),
        Err(DraftError::OutOfText { len: 12, .. })
    ));
    // A position inside the emoji's surrogate pair counts as after it.
    let mut inside = DraftDoc::load(&loaded.changes_since(&[]).unwrap(), CAROL).unwrap();
    inside.splice_paragraph(0, 5, 0, "?").unwrap();
    assert_eq!(inside.view().paragraphs[0].text, "Été 😀?! fin.");
    // Deleting the emoji's two units removes it.
    loaded.splice_paragraph(0, 4, 2, "").unwrap();
    assert_eq!(loaded.view().paragraphs[0].text, "Été ! fin.");
    // The same through apply_changes into a replica made by new().
    alice.apply_changes(&loaded.save_incremental()).unwrap();
    alice.splice_paragraph(0, 1, 1, "T").unwrap();
    assert_eq!(alice.view().paragraphs[0].text, "ÉTé ! fin.");
}

fn raw_doc(schema: Option<i64>) -> Vec<u8> {
    let mut doc = AutoCommit::new();
    if let Some(n) = schema {
        doc.put(ROOT, "schema", n).unwrap();
    }
    doc.put(ROOT, "kind", "telegram").unwrap();
    doc.put_object(ROOT, "fields", ObjType::Map).unwrap();
    doc.put_object(ROOT, "paragraphs", ObjType::List).unwrap();
    doc.put_object(ROOT, "log", ObjType::List).unwrap();
    doc.put_object(ROOT, "comments", ObjType::List).unwrap();
    doc.save()
}

#[test]
fn an_unknown_schema_is_refused_with_what_to_do() {
    let err = DraftDoc::load(&raw_doc(Some(2)), ALICE).unwrap_err();
    assert!(matches!(&err, DraftError::UnknownSchema { found } if found == "2"));
    assert!(err.to_string().contains("update Diplomatie"), "{err}");
    assert!(DraftDoc::load(&raw_doc(Some(1)), ALICE).is_ok());
    assert!(matches!(
        DraftDoc::load(&raw_doc(None), ALICE),
        Err(DraftError::NotADraft(_))
    ));
    assert!(matches!(
        DraftDoc::load(b"not automerge at all", ALICE),
        Err(DraftError::NotADraft(_))
    ));
    assert!(matches!(
        DraftDoc::load(&[], ALICE),
        Err(DraftError::NotADraft(_))
    ));
}

#[test]
fn changes_that_bring_an_unknown_schema_are_refused() {
    let mut alice = DraftDoc::new(ItemKind::Telegram, ALICE).unwrap();
    let mut newer = AutoCommit::load(&alice.save())
        .unwrap()
        .with_actor(BOB.into());
    newer.put(ROOT, "schema", 2_i64).unwrap();
    let err = alice.apply_changes(&newer.save_incremental()).unwrap_err();
    assert!(matches!(err, DraftError::UnknownSchema { .. }), "{err}");
}

// ---- fields ----

#[test]
fn registers_are_checked_and_stored_by_code() {
    let mut d = DraftDoc::new(ItemKind::Telegram, ALICE).unwrap();
    let err = d.set_field(FieldName::Marking, "Secret").unwrap_err();
    assert!(err.to_string().contains("accreditation"), "{err}");
    assert_eq!(d.view().fields.marking, "NP");
    d.set_field(FieldName::Marking, "Diffusion Restreinte")
        .unwrap();
    assert_eq!(d.view().fields.marking, "DR");
    assert!(d.set_field(FieldName::Precedence, "urgent").is_err());
    assert!(matches!(
        d.set_field(FieldName::Deadline, "demain"),
        Err(DraftError::InvalidValue {
            field: "deadline",
            ..
        })
    ));
    d.set_field(FieldName::Deadline, "").unwrap();
    assert!(matches!(
        d.set_field(FieldName::Place, "Paris"),
        Err(DraftError::NotForKind { field: "place", .. })
    ));
    assert!(matches!(
        d.splice_text_field(FieldName::Origin, 0, 0, "X"),
        Err(DraftError::NotText("origin"))
    ));
    let mut note = DraftDoc::new(ItemKind::DiplomaticNote, ALICE).unwrap();
    assert!(note.set_field(FieldName::Date, "28/11/2026").is_err());
    note.set_field(FieldName::Date, "2026-11-28").unwrap();
    let mut email = DraftDoc::new(ItemKind::FormalEmail, ALICE).unwrap();
    assert!(email.set_field(FieldName::From, "not an address").is_err());
    email
        .set_field(FieldName::From, "Alice <alice@quai.example>")
        .unwrap();
    assert!(matches!(
        email.add_addressee(&Addressee::Person("Bob".into()), Route::Action),
        Err(DraftError::NotForKind { .. })
    ));
}

#[test]
fn setting_the_same_value_again_makes_no_change() {
    let mut d = DraftDoc::new(ItemKind::Telegram, ALICE).unwrap();
    d.set_field(FieldName::Origin, "PARIS").unwrap();
    let heads = d.heads();
    d.set_field(FieldName::Origin, "PARIS").unwrap();
    assert_eq!(d.heads(), heads);
}

#[test]
fn text_fields_splice_in_utf16_units() {
    let mut d = DraftDoc::new(ItemKind::DiplomaticNote, ALICE).unwrap();
    d.set_field(FieldName::Subject, "Accord 😀").unwrap();
    d.splice_text_field(FieldName::Subject, 9, 0, " signé")
        .unwrap();
    d.splice_text_field(FieldName::Subject, 0, 6, "Traité")
        .unwrap();
    assert_eq!(d.view().fields.subject, "Traité 😀 signé");
    assert!(matches!(
        d.splice_text_field(FieldName::Subject, 10, 10, ""),
        Err(DraftError::OutOfText { len: 15, .. })
    ));
    d.set_field(FieldName::Opening, "L'Ambassade présente ses compliments")
        .unwrap();
    d.set_field(
        FieldName::Opening,
        "L'Ambassade de France présente ses compliments",
    )
    .unwrap();
    assert_eq!(
        d.view().fields.opening,
        "L'Ambassade de France présente ses compliments"
    );
    assert!(d.field_conflicts(FieldName::Subject).is_empty());
}

#[test]
fn lists_add_once_remove_and_replace() {
    let mut d = DraftDoc::new(ItemKind::Telegram, ALICE).unwrap();
    d.add_to_list(ListField::Tags, "econ").unwrap();
    d.add_to_list(ListField::Tags, "ECON").unwrap();
    d.add_to_list(ListField::Tags, "pol").unwrap();
    assert_eq!(d.view().fields.tags, ["ECON", "POL"]);
    assert!(d.add_to_list(ListField::Tags, "not a tag!").is_err());
    assert!(d.add_to_list(ListField::Caveats, "  ").is_err());
    d.remove_from_list(ListField::Tags, "econ").unwrap();
    assert_eq!(d.view().fields.tags, ["POL"]);
    d.set_list(ListField::Clearers, &["Bob", "Carol"]).unwrap();
    d.set_list(ListField::Clearers, &["Carol", "Bob"]).unwrap();
    assert_eq!(d.view().fields.clearers, ["Carol", "Bob"]);
    assert!(matches!(
        d.add_to_list(ListField::To, "bob@quai.example"),
        Err(DraftError::NotForKind { field: "to", .. })
    ));
    let mut email = DraftDoc::new(ItemKind::FormalEmail, ALICE).unwrap();
    assert!(email.add_to_list(ListField::To, "bob").is_err());
    email
        .add_to_list(ListField::To, "bob@quai.example")
        .unwrap();
    email
        .add_to_list(ListField::Cc, "Carol <carol@quai.example>")
        .unwrap();
    assert_eq!(email.view().fields.cc, ["Carol <carol@quai.example>"]);
}

#[test]
fn addressees_are_added_rerouted_and_removed() {
    let mut d = DraftDoc::new(ItemKind::Telegram, ALICE).unwrap();
    let unit = Addressee::Unit("DFAE/Europe".into());
    let bob = Addressee::Person("Bob Martin".into());
    d.add_addressee(&unit, Route::Action).unwrap();
    d.add_addressee(&bob, Route::Action).unwrap();
    d.add_addressee(&Addressee::Person(" Bob Martin ".into()), Route::Info)
        .unwrap();
    let v = d.view();
    assert_eq!(v.addressees.len(), 2);
    assert_eq!(v.addressees[1].route, Route::Info);
    d.set_addressee_route(&unit, Route::Info).unwrap();
    assert_eq!(d.view().addressees[0].route, Route::Info);
    assert!(matches!(
        d.set_addressee_route(&Addressee::Unit("Nobody".into()), Route::Info),
        Err(DraftError::NoAddressee(_))
    ));
    // A unit and a person of the same name are different addressees.
    d.add_addressee(&Addressee::Unit("Bob Martin".into()), Route::Action)
        .unwrap();
    assert_eq!(d.view().addressees.len(), 3);
    d.remove_addressee(&bob).unwrap();
    let carol = Addressee::Person("Carol".into());
    d.set_addressees(&[
        (carol.clone(), Route::Action),
        (unit.clone(), Route::Action),
    ])
    .unwrap();
    let v = d.view();
    let got: Vec<_> = v
        .addressees
        .iter()
        .map(|a| (a.addressee.clone(), a.route))
        .collect();
    assert_eq!(got, [(unit, Route::Action), (carol, Route::Action)]);
    assert!(
        d.add_addressee(&Addressee::Unit(" ".into()), Route::Action)
            .is_err()
    );
}

// ---- paragraphs ----

#[test]
fn paragraphs_insert_delete_move_splice_and_mark() {
    let mut d = DraftDoc::new(ItemKind::Telegram, ALICE).unwrap();
    let one = d.insert_paragraph(0, Marking::NonProtege, "un").unwrap();
    let three = d.insert_paragraph(1, Marking::NonProtege, "trois").unwrap();
    let two = d.insert_paragraph(1, Marking::NonProtege, "deux").unwrap();
    assert_ne!(one, two);
    assert_eq!(one.len(), 36, "a UUID: {one}");
    let texts = |d: &DraftDoc| -> Vec<String> {
        d.view().paragraphs.iter().map(|p| p.text.clone()).collect()
    };
    assert_eq!(texts(&d), ["un", "deux", "trois"]);
    assert_eq!(d.paragraph_index(&three), Some(2));
    d.move_paragraph(2, 0).unwrap();
    assert_eq!(texts(&d), ["trois", "un", "deux"]);
    assert_eq!(d.paragraph_index(&three), Some(0), "a move keeps the id");
    d.move_paragraph(0, 2).unwrap();
    assert_eq!(texts(&d), ["un", "deux", "trois"]);
    d.splice_paragraph(1, 4, 0, " et demi").unwrap();
    d.set_paragraph_marking(1, Marking::DiffusionRestreinte)
        .unwrap();
    d.delete_paragraph(0).unwrap();
    let v = d.view();
    assert_eq!(texts(&d), ["deux et demi", "trois"]);
    assert_eq!(v.paragraphs[0].id, two);
    assert_eq!(v.paragraphs[0].marking, "DR");
    assert_eq!(d.paragraph_index(&one), None);
    assert!(matches!(
        d.delete_paragraph(2),
        Err(DraftError::NoParagraph { index: 2, count: 2 })
    ));
    assert!(d.insert_paragraph(3, Marking::NonProtege, "").is_err());
    assert!(d.move_paragraph(0, 2).is_err());
    assert!(d.splice_paragraph(0, 13, 0, "x").is_err());
    // Ids survive a save and a load.
    let loaded = DraftDoc::load(&d.save(), BOB).unwrap();
    assert_eq!(loaded.paragraph_index(&two), Some(0));
}

// ---- exchange of changes ----

#[test]
fn changes_since_gives_what_the_peer_lacks() {
    let (mut alice, mut bob) = alice_and_bob("base");
    let bob_heads = bob.heads();
    alice.splice_paragraph(0, 4, 0, " un").unwrap();
    alice.heads();
    alice.splice_paragraph(0, 7, 0, " deux").unwrap();
    let missing = alice.changes_since(&bob_heads).unwrap();
    bob.apply_changes(&missing).unwrap();
    assert_converged(&mut alice, &mut bob);
    assert!(alice.changes_since(&bob.heads()).unwrap().is_empty());
    assert!(matches!(
        alice.changes_since(&["zz".into()]),
        Err(DraftError::BadHead(_))
    ));
    // An unknown head is ignored: the peer gets everything else.
    let unknown = "00".repeat(32);
    let all = alice.changes_since(&[unknown]).unwrap();
    let carol = DraftDoc::load(&all, CAROL).unwrap();
    assert_eq!(carol.view(), alice.view());
}

#[test]
fn duplicated_and_reordered_changes_converge() {
    let (mut alice, mut bob) = alice_and_bob("");
    let mut batches = Vec::new();
    for word in ["un ", "deux ", "trois "] {
        let end = alice.view().paragraphs[0].text.encode_utf16().count();
        alice.splice_paragraph(0, end, 0, word).unwrap();
        batches.push(alice.save_incremental());
    }
    // Newest first: the first two wait for their predecessor.
    for batch in batches.iter().rev() {
        bob.apply_changes(batch).unwrap();
    }
    bob.apply_changes(&batches[1]).unwrap();
    bob.apply_changes(&batches.concat()).unwrap();
    assert_converged(&mut alice, &mut bob);
    assert_eq!(bob.view().paragraphs[0].text, "un deux trois ");
    assert!(matches!(
        bob.apply_changes(b"garbage"),
        Err(DraftError::BadChanges(_))
    ));
}

#[test]
fn merge_takes_the_other_replicas_changes() {
    let (mut alice, mut bob) = alice_and_bob("texte");
    bob.set_field(FieldName::Origin, "PARIS").unwrap();
    alice.merge(&mut bob).unwrap();
    assert_eq!(alice.view().fields.origin, "PARIS");
    bob.merge(&mut alice).unwrap();
    assert_converged(&mut alice, &mut bob);
}

// ---- concurrency: what happens, documented in mod.rs ----

#[test]
fn two_people_typing_in_the_same_paragraph_keep_both_texts() {
    let (mut alice, mut bob) = alice_and_bob("Le ministre arrivera.");
    // Both type at the same place (after "Le ministre"), each a run of characters.
    alice
        .splice_paragraph(0, 11, 0, " des affaires étrangères")
        .unwrap();
    bob.splice_paragraph(0, 11, 0, " délégué 😀").unwrap();
    // And elsewhere.
    bob.splice_paragraph(0, 0, 0, "NB : ").unwrap();
    exchange(&mut alice, &mut bob);
    assert_converged(&mut alice, &mut bob);
    let text = alice.view().paragraphs[0].text.clone();
    assert!(text.starts_with("NB : Le ministre "), "{text}");
    assert!(text.ends_with(" arrivera."), "{text}");
    // Each run is kept whole; which comes first is automerge's choice, the same everywhere.
    assert!(
        text == "NB : Le ministre des affaires étrangères délégué 😀 arrivera."
            || text == "NB : Le ministre délégué 😀 des affaires étrangères arrivera.",
        "{text}"
    );
}

#[test]
fn deleting_a_paragraph_while_another_edits_it_deletes_the_edit() {
    let (mut alice, mut bob) = alice_and_bob("Premier.");
    alice
        .insert_paragraph(1, Marking::NonProtege, "Second.")
        .unwrap();
    exchange(&mut alice, &mut bob);
    alice.delete_paragraph(0).unwrap();
    bob.splice_paragraph(0, 8, 0, " Ajout de bob.").unwrap();
    bob.set_paragraph_marking(0, Marking::DiffusionRestreinte)
        .unwrap();
    exchange(&mut alice, &mut bob);
    assert_converged(&mut alice, &mut bob);
    let v = bob.view();
    assert_eq!(v.paragraphs.len(), 1, "the deletion wins");
    assert_eq!(v.paragraphs[0].text, "Second.");
    assert!(v.conflicts.is_empty());
}

#[test]
fn two_values_for_one_field_are_a_conflict_until_resolved() {
    let (mut alice, mut bob) = alice_and_bob("texte");
    alice.set_field(FieldName::Origin, "PARIS").unwrap();
    bob.set_field(FieldName::Origin, "BERLIN").unwrap();
    exchange(&mut alice, &mut bob);
    assert_converged(&mut alice, &mut bob);
    let conflicts = alice.field_conflicts(FieldName::Origin);
    let mut sorted = conflicts.clone();
    sorted.sort();
    assert_eq!(sorted, ["BERLIN", "PARIS"]);
    assert_eq!(bob.field_conflicts(FieldName::Origin), conflicts);
    let v = alice.view();
    assert_eq!(v.conflicts.len(), 1);
    assert_eq!(v.conflicts[0].field, "origin");
    assert_eq!(v.conflicts[0].values, conflicts);
    assert!(conflicts.contains(&v.fields.origin));
    let err = alice
        .to_content("alice", datetime!(2026-11-28 10:00 UTC))
        .unwrap_err();
    assert!(
        matches!(&err, DraftError::Unresolved(f) if f == &["origin"]),
        "{err}"
    );

    // Resolving with the value that shows already still counts as a choice.
    let shown = v.fields.origin.clone();
    bob.resolve_field(FieldName::Origin, &shown).unwrap();
    exchange(&mut alice, &mut bob);
    assert_converged(&mut alice, &mut bob);
    assert!(alice.field_conflicts(FieldName::Origin).is_empty());
    assert!(alice.view().conflicts.is_empty());
    assert_eq!(alice.view().fields.origin, shown);
}

#[test]
fn the_same_value_set_twice_concurrently_is_no_conflict() {
    let (mut alice, mut bob) = alice_and_bob("texte");
    alice.set_field(FieldName::Marking, "DR").unwrap();
    bob.set_field(FieldName::Marking, "dr").unwrap();
    exchange(&mut alice, &mut bob);
    assert!(alice.field_conflicts(FieldName::Marking).is_empty());
    assert_eq!(alice.view().fields.marking, "DR");
}

#[test]
fn concurrent_markings_and_routes_are_conflicts_too() {
    let (mut alice, mut bob) = alice_and_bob("texte");
    // Alice marks the paragraph DR, then thinks again: NP. Bob marks it DR meanwhile.
    alice
        .set_paragraph_marking(0, Marking::DiffusionRestreinte)
        .unwrap();
    alice.heads(); // commits: two changes in a row
    alice.set_paragraph_marking(0, Marking::NonProtege).unwrap();
    bob.set_paragraph_marking(0, Marking::DiffusionRestreinte)
        .unwrap();
    // Both add the same unit, with different routes.
    let unit = Addressee::Unit("DFAE/Europe".into());
    alice.add_addressee(&unit, Route::Action).unwrap();
    bob.add_addressee(&unit, Route::Info).unwrap();
    exchange(&mut alice, &mut bob);
    assert_converged(&mut alice, &mut bob);
    let v = alice.view();
    let id = &v.paragraphs[0].id;
    let mut fields: Vec<_> = v.conflicts.iter().map(|c| c.field.clone()).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "addressees.DFAE/Europe.route".to_owned(),
            format!("paragraphs.{id}.marking")
        ]
    );
    assert_eq!(v.addressees.len(), 1, "the unit shows once");
    for c in &v.conflicts {
        assert_eq!(c.values.len(), 2);
    }
    assert!(
        alice
            .to_content("alice", datetime!(2026-11-28 10:00 UTC))
            .is_err()
    );

    bob.set_paragraph_marking(0, Marking::DiffusionRestreinte)
        .unwrap();
    bob.set_addressee_route(&unit, Route::Action).unwrap();
    exchange(&mut alice, &mut bob);
    assert_converged(&mut alice, &mut bob);
    let v = alice.view();
    assert!(v.conflicts.is_empty());
    assert_eq!(v.paragraphs[0].marking, "DR");
    assert_eq!(v.addressees[0].route, Route::Action);
}

#[test]
fn a_paragraph_moved_while_another_edits_it_loses_the_edit() {
    let (mut alice, mut bob) = alice_and_bob("Premier.");
    alice
        .insert_paragraph(1, Marking::NonProtege, "Second.")
        .unwrap();
    exchange(&mut alice, &mut bob);
    alice.move_paragraph(0, 1).unwrap();
    bob.splice_paragraph(0, 0, 0, "Bob : ").unwrap();
    exchange(&mut alice, &mut bob);
    assert_converged(&mut alice, &mut bob);
    let texts: Vec<_> = bob.view().paragraphs.into_iter().map(|p| p.text).collect();
    assert_eq!(texts, ["Second.", "Premier."]);
}

#[test]
fn concurrent_additions_to_lists_are_all_kept() {
    let (mut alice, mut bob) = alice_and_bob("texte");
    alice.add_to_list(ListField::Tags, "ECON").unwrap();
    alice.add_to_list(ListField::Tags, "SN").unwrap();
    bob.add_to_list(ListField::Tags, "POL").unwrap();
    bob.add_to_list(ListField::Tags, "econ").unwrap();
    bob.set_list(ListField::Clearers, &["Carol"]).unwrap();
    alice
        .set_list(ListField::Clearers, &["Carol", "Dan"])
        .unwrap();
    exchange(&mut alice, &mut bob);
    assert_converged(&mut alice, &mut bob);
    let v = alice.view();
    let mut tags = v.fields.tags.clone();
    tags.sort();
    assert_eq!(tags, ["ECON", "POL", "SN"], "ECON added twice shows once");
    assert!(v.fields.clearers.contains(&"Dan".to_owned()));
    assert_eq!(
        v.fields.clearers.iter().filter(|c| *c == "Carol").count(),
        1
    );
    // Removing it removes both copies.
    bob.remove_from_list(ListField::Tags, "ECON").unwrap();
    exchange(&mut alice, &mut bob);
    assert!(!alice.view().fields.tags.contains(&"ECON".to_owned()));
}

#[test]
fn two_people_typing_in_the_subject_keep_both_texts() {
    let (mut alice, mut bob) = alice_and_bob("texte");
    alice.set_field(FieldName::Subject, "Visite").unwrap();
    exchange(&mut alice, &mut bob);
    alice
        .splice_text_field(FieldName::Subject, 6, 0, " du ministre")
        .unwrap();
    bob.splice_text_field(FieldName::Subject, 0, 0, "Préparation : ")
        .unwrap();
    exchange(&mut alice, &mut bob);
    assert_converged(&mut alice, &mut bob);
    assert_eq!(
        alice.view().fields.subject,
        "Préparation : Visite du ministre"
    );
}

// ---- the domain item, and what is never printed ----

#[test]
fn a_telegram_draft_becomes_a_valid_telegram() {
    let d = full_telegram();
    let at = datetime!(2026-11-28 10:00 UTC);
    let ItemContent::Telegram(t) = d.to_content("Alice Lefèvre", at).unwrap() else {
        panic!("not a telegram");
    };
    t.validate().unwrap();
    assert_eq!(t.dtg, at);
    assert_eq!(t.origin, "DAKAR");
    assert_eq!(t.drafter, "Alice Lefèvre");
    assert_eq!(t.action, [Addressee::Unit("DFAE/Afrique".into())]);
    assert_eq!(t.info, [Addressee::Person("Bob Martin".into())]);
    assert_eq!(t.paragraphs.len(), 2);
    assert_eq!(t.paragraphs[1].marking, Marking::DiffusionRestreinte);
    assert_eq!(t.approver.as_deref(), Some("Carol Dupont"));
    assert_eq!(t.references[0].label, "TD BERLIN 2026-0117");
    assert_eq!(t.justification, None);

    // The domain's rules then apply: a DR paragraph under an NP telegram is refused.
    let mut d = d;
    d.set_field(FieldName::Marking, "NP").unwrap();
    let c = d.to_content("Alice", at).unwrap();
    let item = diplomatie_domain::Item {
        id: diplomatie_domain::ItemId::from_bytes([1; 16]),
        received_at: at,
        deadline: None,
        content: c,
        language: None,
    };
    assert!(item.validate().is_err());
}

#[test]
fn a_note_draft_becomes_a_note_dated_at_release_by_default() {
    let mut d = DraftDoc::new(ItemKind::DiplomaticNote, ALICE).unwrap();
    d.set_field(FieldName::Subject, "Visite").unwrap();
    d.set_field(FieldName::SendingMission, "L'Ambassade de France")
        .unwrap();
    d.set_field(
        FieldName::ReceivingInstitution,
        "Ministère des Affaires étrangères",
    )
    .unwrap();
    d.set_field(FieldName::Opening, "L'Ambassade présente ses compliments")
        .unwrap();
    d.set_field(FieldName::Closing, "… haute considération.")
        .unwrap();
    d.set_field(FieldName::Place, "Dakar").unwrap();
    d.set_field(FieldName::Answers, "NV 2026/0012").unwrap();
    d.insert_paragraph(0, Marking::NonProtege, "Corps.")
        .unwrap();
    let at = datetime!(2026-11-28 10:00 UTC);
    let ItemContent::DiplomaticNote(n) = d.to_content("Alice", at).unwrap() else {
        panic!("not a note");
    };
    n.validate().unwrap();
    assert_eq!(n.date, at.date());
    assert_eq!(n.answers.unwrap().label, "NV 2026/0012");
    d.set_field(FieldName::Date, "2026-11-27").unwrap();
    let ItemContent::DiplomaticNote(n) = d.to_content("Alice", at).unwrap() else {
        panic!("not a note");
    };
    assert_eq!(n.date.to_string(), "2026-11-27");
}

#[test]
fn an_email_draft_becomes_an_email_with_its_paragraphs_as_body() {
    let mut d = DraftDoc::new(ItemKind::FormalEmail, ALICE).unwrap();
    let at = datetime!(2026-11-28 10:00 UTC);
    assert!(matches!(
        d.to_content("Alice", at),
        Err(DraftError::Domain(diplomatie_domain::DomainError::Missing(
            _
        )))
    ));
    d.set_field(FieldName::From, "Alice <alice@quai.example>")
        .unwrap();
    d.add_to_list(ListField::To, "bob@quai.example").unwrap();
    d.set_field(FieldName::Subject, "Réunion").unwrap();
    d.insert_paragraph(0, Marking::NonProtege, "Bonjour,")
        .unwrap();
    d.insert_paragraph(1, Marking::NonProtege, "À demain.")
        .unwrap();
    let ItemContent::FormalEmail(e) = d.to_content("Alice", at).unwrap() else {
        panic!("not an email");
    };
    e.validate().unwrap();
    assert_eq!(e.body, "Bonjour,\n\nÀ demain.");
    assert_eq!(e.from.address, "alice@quai.example");
    d.set_paragraph_marking(1, Marking::DiffusionRestreinte)
        .unwrap();
    assert!(
        d.to_content("Alice", at).is_err(),
        "a DR paragraph in an NP email"
    );
}

#[test]
fn debug_never_prints_text() {
    let mut d = full_telegram();
    d.splice_paragraph(0, 0, 0, "CANARI-CORPS ").unwrap();
    d.splice_text_field(FieldName::Subject, 0, 0, "CANARI-OBJET ")
        .unwrap();
    d.set_field(FieldName::Origin, "CANARI-POSTE").unwrap();
    let printed = format!("{d:?} {:?} {:#?}", d.view(), d.view());
    assert!(printed.contains("Telegram"), "{printed}");
    for canary in ["CANARI", "Dakar", "ministre", "Détails"] {
        assert!(!printed.contains(canary), "{canary} in {printed}");
    }
}

#[test]
fn damaged_change_bytes_are_refused() {
    let (mut alice, mut bob) = alice_and_bob("texte");
    alice.splice_paragraph(0, 0, 0, "Nouveau ").unwrap();
    let good = alice.save_incremental();
    let snapshot = alice.save();
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    for (bad, why) in [
        (good[..good.len() - 3].to_vec(), "truncated"),
        (flipped, "flipped byte"),
        (b"garbage".to_vec(), "not automerge"),
        ([good.clone(), vec![0x85, 0x6f]].concat(), "trailing bytes"),
    ] {
        let err = bob.apply_changes(&bad).unwrap_err();
        assert!(matches!(err, DraftError::BadChanges(_)), "{why}: {err}");
        assert!(err.to_string().contains("send the draft again"));
    }
    assert_eq!(bob.view().paragraphs[0].text, "texte", "nothing applied");
    bob.apply_changes(&good).unwrap();
    bob.apply_changes(&snapshot).unwrap();
    bob.apply_changes(&[]).unwrap();
    assert_converged(&mut alice, &mut bob);
}

// ---- convergence under any delivery order (property test) ----

mod convergence {
    use std::collections::BTreeSet;

    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use rand::seq::SliceRandom;

    use super::*;

    /// Where a marker was typed.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Place {
        Subject,
        Paragraph(String),
    }

    /// A unique string typed by one replica, to be found in the end unless someone deleted
    /// (or typed inside) it or deleted its paragraph.
    #[derive(Debug)]
    struct Marker {
        text: String,
        place: Place,
    }

    /// The plain texts typed besides markers: accents and a non-BMP emoji, never `<` or `>`.
    const PLAIN: [&str; 5] = ["é", "😀", "ab ", "Ç", " x"];
    const ORIGINS: [&str; 3] = ["PARIS", "BERLIN", "DAKAR"];
    const TAGS: [&str; 3] = ["ECON", "POL", "SN"];

    struct World {
        replicas: Vec<DraftDoc>,
        /// Every change set published, in publication order.
        packets: Vec<Vec<u8>>,
        markers: Vec<Marker>,
        /// Markers someone deleted a character of or typed inside.
        touched: BTreeSet<String>,
        /// Paragraphs someone deleted or moved (a move deletes the old copy).
        deleted: BTreeSet<String>,
        inserted: BTreeSet<String>,
        next: usize,
    }

    fn utf16_len(s: &str) -> usize {
        s.encode_utf16().count()
    }

    /// UTF-16 offset of the `chars`-th character.
    fn utf16_at(s: &str, chars: usize) -> usize {
        s.chars().take(chars).map(char::len_utf16).sum()
    }

    impl World {
        fn new(count: usize) -> Self {
            let mut first = DraftDoc::new(ItemKind::Telegram, b"replica-0").unwrap();
            let mut world = World {
                replicas: Vec::new(),
                packets: Vec::new(),
                markers: Vec::new(),
                touched: BTreeSet::new(),
                deleted: BTreeSet::new(),
                inserted: BTreeSet::new(),
                next: 0,
            };
            for index in 0..2 {
                let marker = world.marker(0);
                let id = first
                    .insert_paragraph(index, Marking::NonProtege, &marker)
                    .unwrap();
                world.inserted.insert(id.clone());
                world.markers.push(Marker {
                    text: marker,
                    place: Place::Paragraph(id),
                });
            }
            let base = first.save();
            world.replicas.push(first);
            for r in 1..count {
                world
                    .replicas
                    .push(DraftDoc::load(&base, format!("replica-{r}").as_bytes()).unwrap());
            }
            world
        }

        fn marker(&mut self, replica: usize) -> String {
            self.next += 1;
            format!("<{replica}.{}>", self.next)
        }

        /// Notes which untouched markers a local splice of `text` deletes from or types inside.
        fn touch(&mut self, text: &str, pos: usize, delete: usize) {
            for m in &self.markers {
                for (byte, _) in text.match_indices(&m.text) {
                    let start = utf16_len(&text[..byte]);
                    let end = start + utf16_len(&m.text);
                    let deletes = delete > 0 && pos < end && start < pos + delete;
                    let inside = start < pos && pos < end;
                    if deletes || inside {
                        self.touched.insert(m.text.clone());
                    }
                }
            }
        }

        /// A splice at character boundaries of `text`: (utf16 pos, utf16 delete, insert, marker?).
        fn splice_args(
            &mut self,
            replica: usize,
            text: &str,
            a: u16,
            b: u16,
            marker: bool,
        ) -> (usize, usize, String) {
            let chars = text.chars().count();
            let pos = usize::from(a) % (chars + 1);
            let delete = (usize::from(b) % 4).min(chars - pos);
            let insert = if marker {
                self.marker(replica)
            } else if b.is_multiple_of(3) {
                String::new()
            } else {
                PLAIN[usize::from(b) % PLAIN.len()].to_owned()
            };
            let from = utf16_at(text, pos);
            let to = utf16_at(text, pos + delete);
            (from, to - from, insert)
        }

        fn run(&mut self, (op, r, a, b, c, flag): (u8, u8, u16, u16, u16, bool)) {
            let r = usize::from(r) % self.replicas.len();
            let view = self.replicas[r].view();
            let count = view.paragraphs.len();
            match op {
                // Typing in a paragraph.
                0..=2 if count > 0 => {
                    let index = usize::from(c) % count;
                    let p = &view.paragraphs[index];
                    let (pos, delete, insert) = self.splice_args(r, &p.text, a, b, flag);
                    self.touch(&p.text, pos, delete);
                    if flag {
                        self.markers.push(Marker {
                            text: insert.clone(),
                            place: Place::Paragraph(p.id.clone()),
                        });
                    }
                    self.replicas[r]
                        .splice_paragraph(index, pos, delete, &insert)
                        .unwrap();
                }
                // Typing in the subject.
                3 => {
                    let subject = view.fields.subject.clone();
                    let (pos, delete, insert) = self.splice_args(r, &subject, a, b, flag);
                    self.touch(&subject, pos, delete);
                    if flag {
                        self.markers.push(Marker {
                            text: insert.clone(),
                            place: Place::Subject,
                        });
                    }
                    self.replicas[r]
                        .splice_text_field(FieldName::Subject, pos, delete, &insert)
                        .unwrap();
                }
                4 | 5 => {
                    let marker = self.marker(r);
                    let index = usize::from(a) % (count + 1);
                    let marking = if flag {
                        Marking::DiffusionRestreinte
                    } else {
                        Marking::NonProtege
                    };
                    let id = self.replicas[r]
                        .insert_paragraph(index, marking, &marker)
                        .unwrap();
                    self.inserted.insert(id.clone());
                    self.markers.push(Marker {
                        text: marker,
                        place: Place::Paragraph(id),
                    });
                }
                6 if count > 0 => {
                    let index = usize::from(a) % count;
                    self.deleted.insert(view.paragraphs[index].id.clone());
                    self.replicas[r].delete_paragraph(index).unwrap();
                }
                7 if count > 0 => {
                    let (from, to) = (usize::from(a) % count, usize::from(b) % count);
                    if from != to {
                        self.deleted.insert(view.paragraphs[from].id.clone());
                    }
                    self.replicas[r].move_paragraph(from, to).unwrap();
                }
                8 if count > 0 => {
                    let marking = if flag {
                        Marking::DiffusionRestreinte
                    } else {
                        Marking::NonProtege
                    };
                    self.replicas[r]
                        .set_paragraph_marking(usize::from(a) % count, marking)
                        .unwrap();
                }
                9 => {
                    let d = &mut self.replicas[r];
                    match a % 3 {
                        0 => d
                            .set_field(FieldName::Origin, ORIGINS[usize::from(b) % 3])
                            .unwrap(),
                        1 => d
                            .set_field(FieldName::Marking, if flag { "DR" } else { "NP" })
                            .unwrap(),
                        _ => d
                            .set_field(
                                FieldName::Precedence,
                                ["routine", "flash"][usize::from(b) % 2],
                            )
                            .unwrap(),
                    }
                }
                10 => {
                    let tag = TAGS[usize::from(a) % TAGS.len()];
                    if flag {
                        self.replicas[r].add_to_list(ListField::Tags, tag).unwrap();
                    } else {
                        self.replicas[r]
                            .remove_from_list(ListField::Tags, tag)
                            .unwrap();
                    }
                }
                11 => self.publish(r),
                // Delivery of a few published change sets, in any order, maybe twice, one by
                // one or concatenated.
                _ if !self.packets.is_empty() => {
                    let len = self.packets.len();
                    let picks: Vec<usize> = (0..usize::from(a) % 4 + 1)
                        .map(|i| (usize::from(b) + i * usize::from(c)) % len)
                        .collect();
                    if flag {
                        let bytes: Vec<u8> = picks
                            .iter()
                            .flat_map(|&i| self.packets[i].clone())
                            .collect();
                        self.replicas[r].apply_changes(&bytes).unwrap();
                    } else {
                        for i in picks {
                            let bytes = self.packets[i].clone();
                            self.replicas[r].apply_changes(&bytes).unwrap();
                        }
                    }
                }
                _ => {}
            }
        }

        fn publish(&mut self, r: usize) {
            let bytes = self.replicas[r].save_incremental();
            if !bytes.is_empty() {
                self.packets.push(bytes);
            }
        }

        /// Everyone publishes what is left, then gets every change set, shuffled, some twice.
        fn deliver_everything(&mut self, seed: u64) {
            for r in 0..self.replicas.len() {
                self.publish(r);
            }
            let mut rng = StdRng::seed_from_u64(seed);
            for r in 0..self.replicas.len() {
                let mut order: Vec<usize> = (0..self.packets.len()).collect();
                order.extend(order.clone().into_iter().step_by(3));
                order.shuffle(&mut rng);
                for chunk in order.chunks(2) {
                    let bytes: Vec<u8> = chunk
                        .iter()
                        .flat_map(|&i| self.packets[i].clone())
                        .collect();
                    self.replicas[r].apply_changes(&bytes).unwrap();
                }
            }
        }

        fn check(&mut self) {
            let first = self.replicas[0].view();
            let heads = self.replicas[0].heads();
            for replica in &mut self.replicas[1..] {
                assert_eq!(replica.view(), first);
                assert_eq!(replica.heads(), heads);
            }
            // Every paragraph nobody deleted or moved is there, once.
            for id in self.inserted.difference(&self.deleted) {
                let found = first.paragraphs.iter().filter(|p| &p.id == id).count();
                assert_eq!(found, 1, "paragraph {id}");
            }
            // Every marker nobody touched, in a paragraph nobody deleted, is there.
            for m in &self.markers {
                if self.touched.contains(&m.text) {
                    continue;
                }
                let text = match &m.place {
                    Place::Subject => &first.fields.subject,
                    Place::Paragraph(id) if self.deleted.contains(id) => continue,
                    Place::Paragraph(id) => {
                        &first.paragraphs.iter().find(|p| &p.id == id).unwrap().text
                    }
                };
                assert!(
                    text.contains(&m.text),
                    "{} missing from {:?}: {text:?}",
                    m.text,
                    m.place
                );
            }
        }
    }

    fn raw_op() -> impl Strategy<Value = (u8, u8, u16, u16, u16, bool)> {
        (
            0..14u8,
            any::<u8>(),
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            any::<bool>(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn replicas_converge_and_lose_no_edit(
            count in 2..=5usize,
            ops in prop::collection::vec(raw_op(), 1..60),
            seed in any::<u64>(),
        ) {
            let mut world = World::new(count);
            for op in ops {
                world.run(op);
            }
            world.deliver_everything(seed);
            world.check();
        }
    }
}
