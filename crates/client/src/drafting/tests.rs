#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use diplomatie_domain::{Addressee, ClearanceError, ItemKind, Marking, Route, Stage, Step};
use diplomatie_store::{AuditAction, Page};

use super::*;
use crate::numbering::MemoryAuthority;
use crate::{InitOptions, Profile};

pub(super) struct Person {
    _dir: tempfile::TempDir,
    pub(super) profile: Profile,
}

const PASSPHRASE: &str = "drafting test passphrase";

thread_local! {
    /// The cards of everyone made by this test (its own thread), by name: the people a
    /// circuit names must be contacts of the drafter.
    static CARDS: std::cell::RefCell<Vec<(String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
    /// People a circuit names whom the test never made: made here, kept until the test ends.
    static EXTRAS: std::cell::RefCell<Vec<Person>> = const { std::cell::RefCell::new(Vec::new()) };
}

pub(super) fn person(name: &str) -> Person {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::init(
        dir.path(),
        PASSPHRASE,
        InitOptions {
            role: String::new(),
            name: name.into(),
            org: "Ambassade de France à Berlin".into(),
            email: None,
            kdf_cost: Some(diplomatie_store::KdfCost::MIN),
        },
    )
    .unwrap();
    CARDS.with(|c| c.borrow_mut().push((name.to_owned(), profile.card_line())));
    Person { _dir: dir, profile }
}

/// A second replica of `p`'s profile (the same person and device keys): what a device
/// restored from the other's backup holds.
fn twin(p: Person) -> (Person, Person) {
    let Person { _dir, profile } = p;
    profile.lock();
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(_dir.path()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
    }
    let first = Profile::open(_dir.path(), PASSPHRASE).unwrap();
    let second = Profile::open(copy.path(), PASSPHRASE).unwrap();
    (
        Person {
            _dir,
            profile: first,
        },
        Person {
            _dir: copy,
            profile: second,
        },
    )
}

/// Makes everyone `p`'s circuits may name a contact of `p`: the people of the test, and
/// those named in `names` whom the test never made.
fn know(p: &Person, names: &[&str]) {
    for name in names {
        if !CARDS.with(|c| c.borrow().iter().any(|(n, _)| n == name)) {
            let extra = person(name);
            EXTRAS.with(|e| e.borrow_mut().push(extra));
        }
    }
    let cards = CARDS.with(|c| c.borrow().clone());
    for (_, card) in cards {
        if card != p.profile.card_line() {
            p.profile.add_contact(&card).unwrap();
        }
    }
}

/// Sends `id` from `from` to `to`, as a file would.
pub(super) fn send(from: &Person, to: &Person, id: &str) -> DraftReceived {
    let packet = from.profile.export_draft(id).unwrap();
    to.profile.import_draft(&packet).unwrap()
}

pub(super) fn set(field: FieldName, value: &str) -> DraftEdit {
    DraftEdit::SetField {
        field,
        value: value.into(),
    }
}

/// Alice drafts a telegram cleared by Bruno then Chloé, approved by Dora.
pub(super) fn telegram(alice: &Person, clearers: &[&str]) -> String {
    know(alice, &[clearers, &["Dora"]].concat());
    let state = alice.profile.create_draft(ItemKind::Telegram).unwrap();
    assert_eq!(state.view.fields.drafter, "Alice");
    let id = state.id;
    alice
        .profile
        .edit_draft(
            &id,
            &[
                set(FieldName::Subject, "Entretien avec le ministre"),
                set(FieldName::Origin, "BERLIN"),
                set(FieldName::Approver, "Dora"),
                DraftEdit::SetList {
                    field: ListField::Clearers,
                    values: clearers.iter().map(|c| (*c).to_owned()).collect(),
                },
                DraftEdit::SetAddressees {
                    addressees: vec![(Addressee::Unit("DFAE".into()), Route::Action)],
                },
                DraftEdit::InsertParagraph {
                    index: 0,
                    marking: Marking::NonProtege,
                    text: "Le ministre a reçu l'ambassadeur ce matin.".into(),
                },
                DraftEdit::InsertParagraph {
                    index: 1,
                    marking: Marking::NonProtege,
                    text: "Il a confirmé sa venue à Paris.".into(),
                },
            ],
        )
        .unwrap();
    id
}

fn actions(p: &Person) -> Vec<(String, String)> {
    p.profile
        .audit_log(None, Page::first(500))
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.action.code().to_owned()))
        .collect()
}

#[test]
fn two_replicas_edit_merge_clear_approve_and_release_with_a_number_and_a_valid_signature() {
    let (alice, bruno, dora) = (person("Alice"), person("Bruno"), person("Dora"));
    let id = telegram(&alice, &["Bruno"]);
    let got = send(&alice, &bruno, &id);
    assert!(got.created);

    // Both edit at the same time, each a different paragraph, then exchange.
    bruno
        .profile
        .edit_draft(
            &id,
            &[DraftEdit::SpliceParagraph {
                index: 1,
                pos: 0,
                delete: 0,
                insert: "Par ailleurs, ".into(),
            }],
        )
        .unwrap();
    alice
        .profile
        .edit_draft(
            &id,
            &[DraftEdit::SpliceParagraph {
                index: 0,
                pos: 0,
                delete: 0,
                insert: "Hier, ".into(),
            }],
        )
        .unwrap();
    send(&bruno, &alice, &id);
    send(&alice, &bruno, &id);
    let (a, b) = (
        alice.profile.draft(&id).unwrap(),
        bruno.profile.draft(&id).unwrap(),
    );
    assert_eq!(a.view, b.view, "both replicas converge");
    assert_eq!(
        a.view.paragraphs[0].text,
        "Hier, Le ministre a reçu l'ambassadeur ce matin."
    );
    assert_eq!(
        a.view.paragraphs[1].text,
        "Par ailleurs, Il a confirmé sa venue à Paris."
    );
    assert_eq!(a.view.paragraphs[1].edited_by, vec!["Bruno".to_owned()]);

    // Submit: Bruno is asked.
    let submitted = alice.profile.draft_step(&id, Step::Submit).unwrap();
    assert_eq!(submitted.stage, Stage::InClearance);
    assert_eq!(submitted.waiting_for, vec!["Bruno".to_owned()]);
    let got = send(&alice, &bruno, &id);
    assert!(got.now_my_turn, "the clearer is told it is their turn");
    assert_eq!(got.new_steps.len(), 1);
    let cleared = bruno
        .profile
        .draft_step(
            &id,
            Step::Clear {
                comment: Some("Bon pour moi".into()),
            },
        )
        .unwrap();
    assert_eq!(cleared.stage, Stage::ReadyForApproval);

    // Dora approves and releases.
    let got = send(&bruno, &dora, &id);
    assert!(got.created && got.now_my_turn);
    dora.profile.draft_step(&id, Step::Approve).unwrap();
    let mut register = MemoryAuthority::default();
    let outcome = dora
        .profile
        .release_draft(&id, Some(&mut register))
        .unwrap();
    let year = OffsetDateTime::now_utc().year();
    assert_eq!(outcome.number, format!("BERLIN {year}-0001"));
    assert!(!outcome.provisional);
    let verified = dora
        .profile
        .verify_release_of(&outcome.item.to_string())
        .unwrap()
        .unwrap();
    assert_eq!(verified.number, outcome.number);
    assert_eq!(verified.clearers, vec!["Bruno".to_owned()]);
    let stored = dora.profile.show(&outcome.item.to_string()).unwrap();
    match &stored.item.content {
        ItemContent::Telegram(t) => {
            assert_eq!(t.number.as_ref().unwrap().to_string(), outcome.number);
            assert_eq!(t.drafter, "Alice");
        }
        _ => panic!("the released item is not a telegram"),
    }

    // The release reaches the drafter: stored, numbered, verified, frozen.
    let got = send(&dora, &alice, &id);
    assert_eq!(got.released, Some(outcome.item));
    let a = alice.profile.draft(&id).unwrap();
    assert_eq!(a.stage, Stage::Released);
    assert_eq!(a.release.as_ref().unwrap().number, outcome.number);
    assert_eq!(
        alice
            .profile
            .verify_release_of(&outcome.item.to_string())
            .unwrap()
            .unwrap()
            .signature,
        outcome.signature
    );
    let frozen = alice
        .profile
        .edit_draft(&id, &[set(FieldName::Subject, "Autre chose")])
        .unwrap_err();
    assert!(matches!(
        frozen,
        ClientError::Clearance(ClearanceError::Frozen)
    ));

    // Every transition is in the audit logs, with who took it.
    let alice_log = actions(&alice);
    for expected in [
        ("Alice", "draft_created"),
        ("Alice", "draft_submitted"),
        ("Bruno", "draft_received"),
        ("Dora", "draft_received"),
        // The released item arrived here: Alice's profile received it.
        ("Alice", "item_received"),
    ] {
        assert!(
            alice_log
                .iter()
                .any(|(a, c)| (a.as_str(), c.as_str()) == expected),
            "{expected:?} missing from {alice_log:?}"
        );
    }
    let dora_log = actions(&dora);
    for expected in [
        ("Dora", "draft_approved"),
        ("Dora", "draft_released"),
        ("Dora", "item_released"),
    ] {
        assert!(
            dora_log
                .iter()
                .any(|(a, c)| (a.as_str(), c.as_str()) == expected)
        );
    }
    assert!(actions(&bruno).contains(&("Bruno".to_owned(), "draft_cleared".to_owned())));
}

#[test]
fn illegal_steps_are_refused_precisely_and_write_nothing() {
    let (alice, bruno) = (person("Alice"), person("Bruno"));
    let id = telegram(&alice, &["Bruno"]);
    send(&alice, &bruno, &id);
    // Nothing can be cleared before submission; only the drafter submits.
    let err = bruno
        .profile
        .draft_step(&id, Step::Clear { comment: None })
        .unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Clearance(ClearanceError::WrongStage { .. })
        ),
        "{err}"
    );
    let err = bruno.profile.draft_step(&id, Step::Submit).unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Clearance(ClearanceError::NotAllowed { .. })
        ),
        "{err}"
    );
    alice.profile.draft_step(&id, Step::Submit).unwrap();
    let before = alice.profile.draft(&id).unwrap();
    for (step, expected) in [
        (Step::Approve, "NotAllowed"),
        (Step::Clear { comment: None }, "NotAllowed"),
        (Step::Submit, "WrongStage"),
        (Step::Withdraw { reason: " ".into() }, "EmptyReason"),
    ] {
        let err = alice.profile.draft_step(&id, step).unwrap_err();
        let name = match &err {
            ClientError::Clearance(ClearanceError::NotAllowed { .. }) => "NotAllowed",
            ClientError::Clearance(ClearanceError::WrongStage { .. }) => "WrongStage",
            ClientError::Clearance(ClearanceError::EmptyReason) => "EmptyReason",
            other => panic!("unexpected {other}"),
        };
        assert_eq!(name, expected);
    }
    let err = alice.profile.release_draft(&id, None).unwrap_err();
    assert!(matches!(
        err,
        ClientError::Clearance(ClearanceError::NotAllowed { .. })
    ));
    let after = alice.profile.draft(&id).unwrap();
    assert_eq!(after.log, before.log, "refused steps log nothing");
    assert_eq!(after.heads, before.heads);

    // A rejection needs a comment and sends the draft back.
    send(&alice, &bruno, &id);
    let err = bruno
        .profile
        .draft_step(
            &id,
            Step::Reject {
                comment: String::new(),
            },
        )
        .unwrap_err();
    assert!(matches!(
        err,
        ClientError::Clearance(ClearanceError::EmptyComment)
    ));
    let rejected = bruno
        .profile
        .draft_step(
            &id,
            Step::Reject {
                comment: "Préciser la date".into(),
            },
        )
        .unwrap();
    assert_eq!(rejected.stage, Stage::Draft);
    assert_eq!(rejected.clearers[0].verdict, "rejected");
    assert_eq!(
        rejected.clearers[0].comment.as_deref(),
        Some("Préciser la date")
    );

    // Someone outside the circuit cannot edit once it was submitted.
    let eve = person("Eve");
    send(&bruno, &eve, &id);
    let err = eve
        .profile
        .edit_draft(&id, &[set(FieldName::Subject, "x")])
        .unwrap_err();
    assert!(matches!(
        err,
        ClientError::Clearance(ClearanceError::NotAllowed { .. })
    ));
}

#[test]
fn an_edit_after_a_clearance_resets_it_and_shows_the_clearer_what_changed() {
    let (alice, bruno, chloe) = (person("Alice"), person("Bruno"), person("Chloé"));
    let id = telegram(&alice, &["Bruno", "Chloé"]);
    alice.profile.draft_step(&id, Step::Submit).unwrap();
    send(&alice, &bruno, &id);
    // Chloé's turn has not come (sequential).
    send(&alice, &chloe, &id);
    let err = chloe
        .profile
        .draft_step(&id, Step::Clear { comment: None })
        .unwrap_err();
    assert!(matches!(
        err,
        ClientError::Clearance(ClearanceError::NotYourTurn { .. })
    ));
    bruno
        .profile
        .draft_step(&id, Step::Clear { comment: None })
        .unwrap();
    send(&bruno, &alice, &id);
    assert_eq!(
        alice.profile.draft(&id).unwrap().waiting_for,
        vec!["Chloé".to_owned()]
    );
    // Alice changes the text: Bruno's clearance is reset, and he sees what changed.
    let edited = alice
        .profile
        .edit_draft(
            &id,
            &[DraftEdit::SpliceParagraph {
                index: 1,
                pos: 0,
                delete: 2,
                insert: "Le ministre".into(),
            }],
        )
        .unwrap();
    assert_eq!(edited.stage, Stage::InClearance);
    assert_eq!(edited.waiting_for, vec!["Bruno".to_owned()]);
    let bruno_state = &edited.clearers[0];
    assert_eq!(bruno_state.verdict, "pending");
    let heads = bruno_state
        .cleared_before
        .clone()
        .expect("the version he cleared");
    let diff = alice.profile.draft_changes_since(&id, &heads).unwrap();
    assert!(diff.fields.is_empty());
    let changed: Vec<_> = diff
        .paragraphs
        .iter()
        .filter(|p| p.change == ParagraphChange::Changed)
        .collect();
    assert_eq!(changed.len(), 1);
    assert!(
        changed[0]
            .parts
            .iter()
            .any(|p| p.tag == DiffTag::Removed && p.text == "Il")
    );
    assert!(
        changed[0]
            .parts
            .iter()
            .any(|p| p.tag == DiffTag::Added && p.text.contains("Le ministre"))
    );
    // The replay on Bruno's replica says the same once he has the edit.
    send(&alice, &bruno, &id);
    let b = bruno.profile.draft(&id).unwrap();
    assert_eq!(b.waiting_for, vec!["Bruno".to_owned()]);
    assert_eq!(b.clearers[0].cleared_before, Some(heads));
}

#[test]
fn history_has_a_version_per_round_and_on_demand_with_readable_diffs() {
    let alice = person("Alice");
    let id = telegram(&alice, &[]);
    alice
        .profile
        .name_draft_version(&id, "avant relecture")
        .unwrap();
    alice
        .profile
        .edit_draft(
            &id,
            &[
                set(FieldName::Subject, "Entretien avec la ministre"),
                DraftEdit::DeleteParagraph { index: 1 },
                DraftEdit::InsertParagraph {
                    index: 1,
                    marking: Marking::DiffusionRestreinte,
                    text: "Elle viendra à Paris.".into(),
                },
                set(FieldName::Marking, "DR"),
            ],
        )
        .unwrap();
    let state = alice.profile.draft_step(&id, Step::Submit).unwrap();
    // No clearers: straight to approval.
    assert_eq!(state.stage, Stage::ReadyForApproval);
    let labels: Vec<_> = state.versions.iter().map(|v| v.label.as_str()).collect();
    assert_eq!(labels, ["avant relecture", "round 1"]);
    let diff = alice
        .profile
        .draft_diff(&id, &VersionRef::Number(1), &VersionRef::Number(2))
        .unwrap();
    let fields: Vec<_> = diff.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["subject", "marking"]);
    let changes: Vec<_> = diff.paragraphs.iter().map(|p| p.change).collect();
    assert_eq!(
        changes,
        [
            ParagraphChange::Same,
            ParagraphChange::Removed,
            ParagraphChange::Added
        ]
    );
    assert_eq!(diff.paragraphs[2].marking_after, "DR");
    assert!(
        alice
            .profile
            .draft_diff(&id, &VersionRef::Number(2), &VersionRef::Current)
            .unwrap()
            .is_empty()
    );
    let err = alice
        .profile
        .draft_diff(&id, &VersionRef::Number(9), &VersionRef::Current)
        .unwrap_err();
    assert!(err.to_string().contains("there is no version 9"), "{err}");
    assert!("v2".parse::<VersionRef>().is_ok() && "deux".parse::<VersionRef>().is_err());
}

#[test]
fn comments_stay_on_their_words_while_others_edit_around_them() {
    let (alice, bruno) = (person("Alice"), person("Bruno"));
    let id = telegram(&alice, &["Bruno"]);
    send(&alice, &bruno, &id);
    let paragraph = alice.profile.draft(&id).unwrap().view.paragraphs[1]
        .id
        .clone();
    // "Il a confirmé sa venue à Paris.": comment on "sa venue" (UTF-16 14..22).
    let state = bruno
        .profile
        .comment_draft(&id, &paragraph, 14, 22, "Date exacte ?")
        .unwrap();
    assert_eq!(state.comments[0].quote, "sa venue");
    // Meanwhile Alice writes before the commented words.
    alice
        .profile
        .edit_draft(
            &id,
            &[DraftEdit::SpliceParagraph {
                index: 1,
                pos: 0,
                delete: 0,
                insert: "Ce jour, ".into(),
            }],
        )
        .unwrap();
    send(&bruno, &alice, &id);
    let a = alice.profile.draft(&id).unwrap();
    let c = &a.comments[0];
    assert_eq!(
        (c.author.as_str(), c.text.as_str()),
        ("Bruno", "Date exacte ?")
    );
    assert_eq!(c.range, Some((23, 31)));
    assert_eq!(c.quote, "sa venue");
    let resolved = alice.profile.resolve_draft_comment(&id, &c.id).unwrap();
    assert_eq!(resolved.comments[0].resolved_by.as_deref(), Some("Alice"));
    // A comment needs words and a real range.
    assert!(
        alice
            .profile
            .comment_draft(&id, &paragraph, 3, 3, "x")
            .is_err()
    );
    assert!(
        alice
            .profile
            .comment_draft(&id, &paragraph, 0, 4, "  ")
            .is_err()
    );
}

#[test]
fn offline_releasers_of_one_post_never_share_a_number_and_an_empty_device_numbers_provisionally() {
    let mut register = MemoryAuthority::default();
    let mut released = Vec::new();
    for approver in ["Dora", "Diane"] {
        // Two approvers' devices take blocks while online.
        let (alice, dora) = (person("Alice"), person(approver));
        let id = telegram(&alice, &[]);
        alice
            .profile
            .edit_draft(&id, &[set(FieldName::Approver, approver)])
            .unwrap();
        let year = OffsetDateTime::now_utc().year();
        let left = dora
            .profile
            .refill_numbers(&mut register, &Series::new("BERLIN", year))
            .unwrap();
        assert_eq!(left, DeviceNumbering::BLOCK);
        alice.profile.draft_step(&id, Step::Submit).unwrap();
        send(&alice, &dora, &id);
        dora.profile.draft_step(&id, Step::Approve).unwrap();
        // Offline: no register.
        let outcome = dora.profile.release_draft(&id, None).unwrap();
        assert!(!outcome.provisional);
        released.push(outcome.number);
    }
    assert_ne!(released[0], released[1]);

    // A device with no block, offline: a provisional number, said so.
    let (alice, dora) = (person("Alice"), person("Delphine"));
    let id = telegram(&alice, &[]);
    alice
        .profile
        .edit_draft(&id, &[set(FieldName::Approver, "Delphine")])
        .unwrap();
    alice.profile.draft_step(&id, Step::Submit).unwrap();
    send(&alice, &dora, &id);
    dora.profile.draft_step(&id, Step::Approve).unwrap();
    let outcome = dora.profile.release_draft(&id, None).unwrap();
    assert!(outcome.provisional);
    assert!(outcome.number.contains("-P"), "{}", outcome.number);
    let verified = dora
        .profile
        .verify_release_of(&outcome.item.to_string())
        .unwrap()
        .unwrap();
    assert!(verified.provisional);
}

#[test]
fn bad_packets_are_refused_and_change_nothing() {
    let alice = person("Alice");
    let id = telegram(&alice, &[]);
    let good = alice.profile.export_draft(&id).unwrap();
    let bruno = person("Bruno");
    for bad in [
        b"not a draft".to_vec(),
        b"DIPLOMATIE-DRAFT/1\nnot-an-id\nxx".to_vec(),
        good[..good.len() - 9].to_vec(),
        {
            let mut flipped = good.clone();
            let at = flipped.len() - 20;
            flipped[at] ^= 0x55;
            flipped
        },
    ] {
        assert!(bruno.profile.import_draft(&bad).is_err());
        assert!(bruno.profile.drafts().unwrap().is_empty());
    }
    bruno.profile.import_draft(&good).unwrap();
    assert_eq!(bruno.profile.drafts().unwrap().len(), 1);
}

/// A telegram drafted by Alice with no clearer, approved and released by Dora: both people
/// and the draft's id.
fn released_by_dora() -> (Person, Person, String) {
    let (alice, dora) = (person("Alice"), person("Dora"));
    let id = telegram(&alice, &[]);
    alice.profile.draft_step(&id, Step::Submit).unwrap();
    send(&alice, &dora, &id);
    dora.profile.draft_step(&id, Step::Approve).unwrap();
    dora.profile.release_draft(&id, None).unwrap();
    (alice, dora, id)
}

#[test]
fn a_tampered_release_in_the_log_does_not_count() {
    let (_alice, dora, id) = released_by_dora();
    let mut l = dora.profile.load_draft(&id).unwrap();
    let mut entries = l.doc.log();
    assert_eq!(replay(&id, &mut l.doc).stage(), Stage::Released);
    // Change the released text inside the signed record.
    let last = entries.last_mut().unwrap();
    *last = last.replacen("Entretien", "Entrevue", 1);
    let replayed = log::replay_entries(&id, &entries, &mut l.doc);
    assert_eq!(replayed.stage(), Stage::Approved);
    let refusal = replayed.log.last().unwrap().refused.clone().unwrap();
    assert!(refusal.contains("signature"), "{refusal}");
    assert!(replayed.release.is_none());
}

#[test]
fn each_log_entry_is_verified_once_per_profile_and_only_in_its_exact_bytes() {
    let (_alice, dora, id) = released_by_dora();
    let store = dora.profile.store();
    let mut l = dora.profile.load_draft(&id).unwrap();
    // The replay after the release (at the next look at the draft) records the release's.
    dora.profile.replay_log(&id, &mut l.doc);
    let recorded = store.verified_log_entries(&id).unwrap();
    let entries = l.doc.log();
    assert_eq!(
        recorded.len(),
        entries.len(),
        "every entry recorded as verified"
    );

    // A process that starts afresh takes the recorded entries from the store, adds nothing.
    SignatureChecker::forget_verified();
    let replayed = dora.profile.replay_log(&id, &mut l.doc);
    assert_eq!(replayed.stage(), Stage::Released);
    assert!(replayed.log.iter().all(|v| v.refused.is_none()));
    assert_eq!(store.verified_log_entries(&id).unwrap(), recorded);

    // An entry recorded as verified, changed in one byte of its signature or of its text, is
    // another entry: checked afresh, and refused.
    let checker = SignatureChecker::recorded(recorded);
    let signed: SignedEntry = serde_json::from_str(&entries[1]).unwrap();
    assert!(checker.signer(&signed, Statement::Clearance).is_ok());
    let mut bad_signature = signed.clone();
    let flipped = if bad_signature.signature.starts_with('0') {
        "1"
    } else {
        "0"
    };
    bad_signature.signature.replace_range(0..1, flipped);
    let mut bad_entry = signed.clone();
    bad_entry.entry = bad_entry.entry.replacen("submit", "approve", 1);
    assert_ne!(bad_entry.entry, signed.entry);
    for bad in [bad_signature, bad_entry] {
        SignatureChecker::forget_verified();
        let refusal = checker.signer(&bad, Statement::Clearance).unwrap_err();
        assert!(refusal.contains("signature"), "{refusal}");
    }
}

#[test]
fn concurrent_clears_of_a_parallel_circuit_merge_identically_everywhere() {
    // Two clearers of a parallel circuit clear at the same time on their machines: every
    // replica ends with the same log and the same stage.
    let (alice, bruno, chloe) = (person("Alice"), person("Bruno"), person("Chloé"));
    let id = telegram(&alice, &["Bruno", "Chloé"]);
    alice
        .profile
        .edit_draft(&id, &[set(FieldName::ClearanceOrder, "parallel")])
        .unwrap();
    alice.profile.draft_step(&id, Step::Submit).unwrap();
    send(&alice, &bruno, &id);
    send(&alice, &chloe, &id);
    bruno
        .profile
        .draft_step(&id, Step::Clear { comment: None })
        .unwrap();
    chloe
        .profile
        .draft_step(&id, Step::Clear { comment: None })
        .unwrap();
    send(&bruno, &alice, &id);
    send(&chloe, &alice, &id);
    send(&alice, &bruno, &id);
    send(&alice, &chloe, &id);
    let states: Vec<_> = [&alice, &bruno, &chloe]
        .iter()
        .map(|p| p.profile.draft(&id).unwrap())
        .collect();
    for s in &states {
        assert_eq!(s.stage, Stage::ReadyForApproval);
        assert_eq!(s.log, states[0].log);
    }
    assert!(
        actions(&alice)
            .iter()
            .any(|(a, c)| a == "Chloé" && c == AuditAction::DraftReceived.code())
    );
}

#[test]
fn a_step_taken_twice_at_once_on_two_devices_is_kept_but_refused_on_every_replica() {
    // Bruno clears on his desktop and on his laptop while both are offline: each local check
    // passes, and once the logs merge the replay takes one clearance and refuses the other,
    // the same way on every replica, keeping the refused entry with its reason.
    let (alice, (desk, laptop)) = (person("Alice"), twin(person("Bruno")));
    let id = telegram(&alice, &["Bruno", "Chloé"]);
    alice.profile.draft_step(&id, Step::Submit).unwrap();
    send(&alice, &desk, &id);
    send(&alice, &laptop, &id);
    for device in [&desk, &laptop] {
        device
            .profile
            .draft_step(&id, Step::Clear { comment: None })
            .unwrap();
    }
    send(&desk, &alice, &id);
    send(&laptop, &alice, &id);
    send(&alice, &desk, &id);
    send(&alice, &laptop, &id);
    let states: Vec<_> = [&alice, &desk, &laptop]
        .iter()
        .map(|p| p.profile.draft(&id).unwrap())
        .collect();
    for s in &states {
        // Chloé's turn now.
        assert_eq!(s.stage, Stage::InClearance);
        assert_eq!(s.waiting_for, vec!["Chloé".to_owned()]);
        assert_eq!(s.log, states[0].log, "the same log on every replica");
    }
    let clears: Vec<_> = states[0].log.iter().filter(|l| l.step == "clear").collect();
    assert_eq!(clears.len(), 2, "both clearances are kept");
    assert!(clears[0].refused.is_none());
    let refusal = clears[1].refused.as_deref().expect("the second is refused");
    assert!(refusal.contains("already cleared"), "{refusal}");
}

#[test]
fn replicas_meet_through_an_exchange_folder_and_a_damaged_copy_is_reported_not_fatal() {
    let (alice, bruno) = (person("Alice"), person("Bruno"));
    let folder = tempfile::tempdir().unwrap();
    let id = telegram(&alice, &["Bruno"]);
    know(&bruno, &[]);
    // Not joined yet: told what to do.
    let err = alice.profile.publish_draft(folder.path(), &id).unwrap_err();
    assert!(
        err.to_string().contains("join the exchange folder"),
        "{err}"
    );
    const SHARED: &str = "la phrase du poste de Berlin";
    assert!(
        alice
            .profile
            .join_exchange(folder.path(), SHARED, Some(diplomatie_store::KdfCost::MIN))
            .unwrap()
    );
    // A wrong passphrase is refused and the folder's key is left alone.
    let before = std::fs::read(folder.path().join("exchange.json")).unwrap();
    let err = bruno
        .profile
        .join_exchange(folder.path(), "une autre phrase assez longue", None)
        .unwrap_err();
    assert!(err.to_string().contains("not the passphrase"), "{err}");
    assert_eq!(
        std::fs::read(folder.path().join("exchange.json")).unwrap(),
        before
    );
    assert!(
        !bruno
            .profile
            .join_exchange(folder.path(), SHARED, None)
            .unwrap()
    );
    let path = alice.profile.publish_draft(folder.path(), &id).unwrap();
    // Nothing of the draft is in clear in the folder.
    let sealed = std::fs::read(&path).unwrap();
    for clear in ["Entretien", "ministre", "BERLIN", "Dora"] {
        assert!(
            !sealed.windows(clear.len()).any(|w| w == clear.as_bytes()),
            "{clear} in clear in the exchange folder"
        );
    }
    // Alice's own copy is not merged back into Alice.
    assert!(
        alice
            .profile
            .collect_drafts(folder.path())
            .unwrap()
            .received
            .is_empty()
    );
    let report = bruno.profile.collect_drafts(folder.path()).unwrap();
    assert_eq!(report.received.len(), 1);
    assert!(report.received[0].created);
    // Nothing new: nothing merged again.
    assert!(
        bruno
            .profile
            .collect_drafts(folder.path())
            .unwrap()
            .received
            .is_empty()
    );

    bruno
        .profile
        .edit_draft(
            &id,
            &[DraftEdit::SpliceParagraph {
                index: 0,
                pos: 0,
                delete: 0,
                insert: "Ce matin, ".into(),
            }],
        )
        .unwrap();
    bruno.profile.publish_draft(folder.path(), &id).unwrap();
    // A damaged file from a third device sits beside it.
    std::fs::write(folder.path().join(&id).join("ffff.draft"), b"garbage").unwrap();
    let report = alice.profile.collect_drafts(folder.path()).unwrap();
    assert_eq!(report.received.len(), 1);
    assert!(report.received[0].changed && !report.received[0].created);
    assert_eq!(report.errors.len(), 1);
    assert!(
        report.errors[0].error.contains("not signed"),
        "{:?}",
        report.errors
    );
    assert!(
        alice.profile.draft(&id).unwrap().view.paragraphs[0]
            .text
            .starts_with("Ce matin, ")
    );
    // A folder that is not there: a clear error.
    let err = alice
        .profile
        .collect_drafts(&folder.path().join("absent"))
        .unwrap_err();
    assert!(err.to_string().contains("exchange folder"), "{err}");
}

/// Sets a copy's time of change `ago` in the past.
fn age_copy(path: &std::path::Path, ago: std::time::Duration) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::now() - ago)
        .unwrap();
}

/// Replaces a copy's bytes by as many other bytes, keeping its time of change.
fn scramble_keeping_stamp(path: &std::path::Path) {
    let meta = std::fs::metadata(path).unwrap();
    let len = usize::try_from(meta.len()).unwrap();
    std::fs::write(path, vec![0x5a; len]).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(meta.modified().unwrap()).unwrap();
}

#[test]
fn an_unchanged_copy_is_not_read_again_but_a_recent_or_changed_one_is() {
    let (alice, bruno) = (person("Alice"), person("Bruno"));
    know(&bruno, &[]);
    let folder = tempfile::tempdir().unwrap();
    const SHARED: &str = "la phrase du poste de Berlin";
    alice
        .profile
        .join_exchange(folder.path(), SHARED, Some(diplomatie_store::KdfCost::MIN))
        .unwrap();
    bruno
        .profile
        .join_exchange(folder.path(), SHARED, None)
        .unwrap();
    let id = telegram(&alice, &["Bruno"]);
    let path = alice.profile.publish_draft(folder.path(), &id).unwrap();
    age_copy(&path, std::time::Duration::from_secs(60));
    let report = bruno.profile.collect_drafts(folder.path()).unwrap();
    assert_eq!(report.received.len(), 1);

    // Same length, same time of change, an old one: the copy is taken as unchanged, not read.
    scramble_keeping_stamp(&path);
    let report = bruno.profile.collect_drafts(folder.path()).unwrap();
    assert!(
        report.errors.is_empty() && report.received.is_empty(),
        "{:?}",
        report.errors
    );
    // Another time of change: read again, and the damage is reported.
    age_copy(&path, std::time::Duration::from_secs(30));
    let report = bruno.profile.collect_drafts(folder.path()).unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);

    // A copy changed within the last seconds is read at every look, even with the stamp it
    // had: two writes within one tick of a coarse clock leave the same stamp.
    alice.profile.publish_draft(folder.path(), &id).unwrap();
    age_copy(&path, std::time::Duration::from_secs(1));
    let report = bruno.profile.collect_drafts(folder.path()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    scramble_keeping_stamp(&path);
    let report = bruno.profile.collect_drafts(folder.path()).unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);

    // The profile opened again (a new process) knows no stamp: it reads every copy once.
    alice.profile.publish_draft(folder.path(), &id).unwrap();
    age_copy(&path, std::time::Duration::from_secs(60));
    let report = bruno.profile.collect_drafts(folder.path()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    scramble_keeping_stamp(&path);
    let reopened = Profile::open(bruno._dir.path(), "drafting test passphrase").unwrap();
    let report = reopened.collect_drafts(folder.path()).unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
}

#[test]
fn provisional_numbers_of_two_offline_releasers_become_distinct_final_numbers_everywhere() {
    let register_dir = tempfile::tempdir().unwrap();
    let register_path = register_dir.path().join("berlin.register");
    let year = OffsetDateTime::now_utc().year();
    let alice = person("Alice");
    let mut releases = Vec::new();
    // Two approvers' devices, no block, offline: both release provisionally.
    for name in ["Dora", "Diane"] {
        let dora = person(name);
        let id = telegram(&alice, &[]);
        alice
            .profile
            .edit_draft(&id, &[set(FieldName::Approver, name)])
            .unwrap();
        alice.profile.draft_step(&id, Step::Submit).unwrap();
        send(&alice, &dora, &id);
        dora.profile.draft_step(&id, Step::Approve).unwrap();
        let outcome = dora.profile.release_draft(&id, None).unwrap();
        assert!(outcome.provisional);
        // The drafter receives the provisional release.
        send(&dora, &alice, &id);
        releases.push((dora, id, outcome));
    }
    assert_ne!(releases[0].2.number, releases[1].2.number);

    // Back online: each settles with the post's register.
    let mut finals = Vec::new();
    for (dora, id, outcome) in &releases {
        let mut register = crate::numbering::FileAuthority::new(&register_path);
        let done = dora.profile.settle_numbers(&mut register).unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].provisional, outcome.number);
        assert_eq!(done[0].item, outcome.item);
        let item = outcome.item.to_string();
        let verified = dora.profile.verify_release_of(&item).unwrap().unwrap();
        assert!(!verified.provisional);
        assert_eq!(verified.number, done[0].number);
        assert_eq!(
            dora.profile.draft(id).unwrap().release.unwrap().number,
            done[0].number
        );
        // Nothing left to settle.
        assert!(
            dora.profile
                .settle_numbers(&mut register)
                .unwrap()
                .is_empty()
        );
        // The drafter's copy follows at the next exchange.
        send(dora, &alice, id);
        assert_eq!(
            alice
                .profile
                .verify_release_of(&item)
                .unwrap()
                .unwrap()
                .number,
            done[0].number
        );
        let shown = alice.profile.show(&item).unwrap();
        match &shown.item.content {
            ItemContent::Telegram(t) => {
                assert_eq!(t.number.as_ref().unwrap().to_string(), done[0].number);
            }
            _ => panic!("the released item is not a telegram"),
        }
        assert_eq!(
            alice.profile.find_by_number(&done[0].number).unwrap(),
            Some(outcome.item)
        );
        finals.push(done[0].number.clone());
    }
    assert_ne!(finals[0], finals[1]);
    for f in &finals {
        assert!(f.starts_with(&format!("BERLIN {year}-")), "{f}");
    }
}

#[test]
fn a_batch_of_edits_with_a_bad_one_changes_nothing() {
    let alice = person("Alice");
    let id = telegram(&alice, &[]);
    let before = alice.profile.draft(&id).unwrap();
    let err = alice
        .profile
        .edit_draft(
            &id,
            &[
                set(FieldName::Subject, "Autre objet"),
                DraftEdit::SpliceParagraph {
                    index: 9,
                    pos: 0,
                    delete: 0,
                    insert: "x".into(),
                },
            ],
        )
        .unwrap_err();
    assert!(err.to_string().contains("no paragraph 9"), "{err}");
    let after = alice.profile.draft(&id).unwrap();
    assert_eq!(after.view, before.view);
    assert_eq!(after.heads, before.heads);
    let err = alice
        .profile
        .edit_draft(&id, &[set(FieldName::Marking, "Secret")])
        .unwrap_err();
    assert!(err.to_string().contains("accreditation"), "{err}");
    assert_eq!(alice.profile.draft(&id).unwrap().heads, before.heads);
}

#[test]
fn a_draft_saved_many_times_is_compacted_and_keeps_everything() {
    let alice = person("Alice");
    let id = telegram(&alice, &[]);
    for i in 0..(COMPACT_AFTER + 8) {
        alice
            .profile
            .edit_draft(
                &id,
                &[DraftEdit::SpliceParagraph {
                    index: 0,
                    pos: 0,
                    delete: 0,
                    insert: format!("{i} "),
                }],
            )
            .unwrap();
    }
    let stored = alice.profile.store().get_draft(&id).unwrap().unwrap();
    assert!(
        stored.changes.len() < COMPACT_AFTER,
        "{} change sets after the snapshot",
        stored.changes.len()
    );
    let text = &alice.profile.draft(&id).unwrap().view.paragraphs[0].text;
    let expected: String = (0..(COMPACT_AFTER + 8))
        .rev()
        .map(|i| format!("{i} "))
        .collect();
    assert!(text.starts_with(&expected), "{text}");
    assert!(text.ends_with("Le ministre a reçu l'ambassadeur ce matin."));
}

#[test]
fn a_correction_after_release_is_a_new_draft_that_references_the_original() {
    let (alice, dora) = (person("Alice"), person("Dora"));
    let id = telegram(&alice, &[]);
    alice.profile.draft_step(&id, Step::Submit).unwrap();
    send(&alice, &dora, &id);
    dora.profile.draft_step(&id, Step::Approve).unwrap();
    let mut register = MemoryAuthority::default();
    let released = dora
        .profile
        .release_draft(&id, Some(&mut register))
        .unwrap();
    send(&dora, &alice, &id);

    let correction = alice
        .profile
        .correct_release(&released.item.to_string())
        .unwrap();
    assert_ne!(correction.id, id);
    assert_eq!(correction.stage, Stage::Draft);
    let original = alice.profile.draft(&id).unwrap();
    assert_eq!(
        correction
            .view
            .paragraphs
            .iter()
            .map(|p| (&p.marking, &p.text))
            .collect::<Vec<_>>(),
        original
            .view
            .paragraphs
            .iter()
            .map(|p| (&p.marking, &p.text))
            .collect::<Vec<_>>()
    );
    assert!(correction.view.fields.subject.starts_with("RECTIFICATIF"));
    assert_eq!(
        correction.view.fields.references,
        vec![format!("TD {}", released.number)]
    );
    assert_eq!(correction.view.fields.approver, "Dora");
    assert_eq!(correction.view.fields.drafter, "Alice");
    // The original stays released and frozen.
    assert_eq!(alice.profile.draft(&id).unwrap().stage, Stage::Released);

    // Released in turn, the correction is a new numbered item pointing at the original.
    alice
        .profile
        .edit_draft(
            &correction.id,
            &[DraftEdit::SpliceParagraph {
                index: 1,
                pos: 0,
                delete: 0,
                insert: "Correction : ".into(),
            }],
        )
        .unwrap();
    alice
        .profile
        .draft_step(&correction.id, Step::Submit)
        .unwrap();
    send(&alice, &dora, &correction.id);
    dora.profile
        .draft_step(&correction.id, Step::Approve)
        .unwrap();
    let second = dora
        .profile
        .release_draft(&correction.id, Some(&mut register))
        .unwrap();
    assert_ne!(second.number, released.number);
    let item = dora.profile.show(&second.item.to_string()).unwrap();
    match &item.item.content {
        ItemContent::Telegram(t) => {
            assert_eq!(t.references[0].label, format!("TD {}", released.number));
        }
        _ => panic!("the correction is not a telegram"),
    }
    // Only released items can be corrected this way.
    let err = alice.profile.correct_release(&correction.id).unwrap_err();
    assert!(err.to_string().contains("not released"), "{err}");
}

#[test]
fn an_edit_typed_on_an_older_version_is_refused_as_stale_and_changes_nothing() {
    let (alice, bruno) = (person("Alice"), person("Bruno"));
    let id = telegram(&alice, &["Bruno"]);
    let seen = alice.profile.draft(&id).unwrap().heads;
    let edit = [DraftEdit::SpliceParagraph {
        index: 0,
        pos: 0,
        delete: 0,
        insert: "Hier, ".into(),
    }];
    // Bruno's change arrives after Alice's editor showed `seen`.
    send(&alice, &bruno, &id);
    bruno
        .profile
        .edit_draft(&id, &[set(FieldName::Subject, "Entretien")])
        .unwrap();
    send(&bruno, &alice, &id);
    let before = alice.profile.draft(&id).unwrap();
    let err = alice
        .profile
        .edit_draft_seen(&id, Some(&seen), &edit)
        .unwrap_err();
    assert!(matches!(err, ClientError::StaleDraft(_)), "{err}");
    assert_eq!(alice.profile.draft(&id).unwrap().heads, before.heads);
    // On the version it now shows, the same edit goes through.
    let after = alice
        .profile
        .edit_draft_seen(&id, Some(&before.heads), &edit)
        .unwrap();
    assert!(after.view.paragraphs[0].text.starts_with("Hier, "));
    // Nothing released under this id yet: no record to verify (not an error).
    assert!(
        alice
            .profile
            .verify_release_of(&after.id)
            .unwrap()
            .is_none()
    );
}

#[test]
fn changes_that_arrive_before_their_predecessors_are_kept_until_these_come() {
    let (alice, bruno) = (person("Alice"), person("Bruno"));
    let id = telegram(&alice, &["Bruno"]);
    send(&alice, &bruno, &id);
    // Alice edits twice; each edit goes as a change set, the second depending on the first.
    let splice = |insert: &str| DraftEdit::SpliceParagraph {
        index: 0,
        pos: 0,
        delete: 0,
        insert: insert.into(),
    };
    let start = alice.profile.draft_heads(&id).unwrap();
    alice.profile.edit_draft(&id, &[splice("Hier, ")]).unwrap();
    let middle = alice.profile.draft_heads(&id).unwrap();
    let first = alice
        .profile
        .export_draft_changes(&id, &start)
        .unwrap()
        .unwrap();
    alice.profile.edit_draft(&id, &[splice("Enfin, ")]).unwrap();
    let second = alice
        .profile
        .export_draft_changes(&id, &middle)
        .unwrap()
        .unwrap();
    // Bruno gets the second before the first, each in its own import (the draft read back
    // from his store each time, as a sync does).
    let early = bruno.profile.import_draft(&second).unwrap();
    assert!(
        !early.changed,
        "a change whose predecessor is missing waits"
    );
    bruno.profile.import_draft(&first).unwrap();
    assert_eq!(
        bruno.profile.draft_heads(&id).unwrap(),
        alice.profile.draft_heads(&id).unwrap()
    );
    assert_eq!(
        bruno.profile.draft(&id).unwrap().view,
        alice.profile.draft(&id).unwrap().view
    );
}
