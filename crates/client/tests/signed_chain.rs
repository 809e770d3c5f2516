//! The whole clearance chain across three profiles (drafter, clearer, approver) and an
//! addressee for action, through a real sealed exchange folder: every step is signed and shown
//! with its signer on every replica, the release carries the approver's identity, and the
//! addressee's signed acknowledgement reaches the drafter.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use diplomatie_client::drafting::{DraftEdit, FieldName, ListField, Seal};
use diplomatie_domain::{Addressee, ItemKind, Marking, Route, Stage, Step};
use diplomatie_testkit::{POST, Person, alice, bob, carol, exchange, person, set};

/// `from` publishes draft `id`, every one of `to` collects.
fn carry(folder: &Path, from: &Person, to: &[&Person], id: &str) {
    from.publish_draft(folder, id).unwrap();
    for p in to {
        let report = p.collect_drafts(folder).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
    }
}

#[test]
fn every_step_of_the_chain_is_signed_and_shown_with_its_signer_on_every_replica() {
    let (alice, bob, carol) = (alice(), bob(), carol());
    let eric = person("Éric Roux", POST, None);
    let everyone = [&alice, &bob, &carol, &eric];
    let folder = exchange(&everyone);
    let folder = folder.path();

    let id = alice.create_draft(ItemKind::Telegram).unwrap().id;
    alice
        .edit_draft(
            &id,
            &[
                set(FieldName::Subject, "Visite du ministre à Dresde"),
                set(FieldName::Origin, "BERLIN"),
                set(FieldName::Approver, carol.name()),
                DraftEdit::SetList {
                    field: ListField::Clearers,
                    values: vec![bob.name().to_owned()],
                },
                DraftEdit::SetAddressees {
                    addressees: vec![(Addressee::Person(eric.name().into()), Route::Action)],
                },
                DraftEdit::InsertParagraph {
                    index: 0,
                    marking: Marking::NonProtege,
                    text: "Le ministre se rendra à Dresde le 12 décembre.".into(),
                },
            ],
        )
        .unwrap();
    alice.draft_step(&id, Step::Submit).unwrap();
    carry(folder, &alice, &[&bob, &carol, &eric], &id);
    // Not released yet: nothing to acknowledge.
    let not_yet = eric.acknowledgement_standing(id.parse().unwrap()).unwrap();
    assert!(!not_yet.released && !not_yet.for_action);
    assert!(eric.acknowledge(&id).is_err());
    bob.draft_step(&id, Step::Clear { comment: None }).unwrap();
    carry(folder, &bob, &[&alice, &carol, &eric], &id);
    carol.draft_step(&id, Step::Approve).unwrap();
    let released = carol.release_draft(&id, None).unwrap();
    carry(folder, &carol, &[&alice, &bob, &eric], &id);

    // Every replica shows the same log, every step signed by the identity of who took it.
    let identity = |p: &Person| p.own().key.hex();
    let expected = [
        ("created", alice.name(), identity(&alice)),
        ("submit", alice.name(), identity(&alice)),
        ("clear", bob.name(), identity(&bob)),
        ("approve", carol.name(), identity(&carol)),
        ("release", carol.name(), identity(&carol)),
    ];
    for p in everyone {
        let state = p.draft(&id).unwrap();
        assert_eq!(state.stage, Stage::Released, "on {}", p.name());
        let log: Vec<_> = state
            .log
            .iter()
            .map(|l| {
                assert!(l.refused.is_none(), "{} refused on {}", l.step, p.name());
                let signer = l.signer.as_ref().expect("every step is signed");
                (l.step.as_str(), l.actor.as_str(), signer.identity.clone())
            })
            .collect();
        let want: Vec<_> = expected
            .iter()
            .map(|(s, a, i)| (*s, *a, i.clone()))
            .collect();
        assert_eq!(log, want, "on {}", p.name());
        // The released text is stored everywhere, and its seal names Carol.
        let verified = p
            .verify_release_of(&released.item.to_string())
            .unwrap()
            .unwrap();
        assert_eq!(verified.signer_identity, Some(identity(&carol)));
        let seal = if p.name() == carol.name() {
            Seal::Own
        } else {
            Seal::Contact {
                name: carol.name().into(),
                verified: false,
            }
        };
        assert_eq!(verified.seal, seal, "on {}", p.name());
    }

    // Éric, the addressee for action, is the one to acknowledge; Bob, a clearer, is not.
    let standing = |p: &Person| p.acknowledgement_standing(released.item).unwrap();
    assert!(standing(&eric).released && standing(&eric).for_action);
    assert!(standing(&bob).released && !standing(&bob).for_action);
    // Éric, the addressee for action, acknowledges; Bob, a clearer, cannot.
    let err = bob.acknowledge(&id).unwrap_err();
    assert!(err.to_string().contains("addressee for action"), "{err}");
    let acks = eric.acknowledge(&id).unwrap();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].seal, Seal::Own);
    assert!(eric.acknowledged_by_me(released.item).unwrap());
    // Twice changes nothing.
    assert_eq!(eric.acknowledge(&id).unwrap().len(), 1);
    carry(folder, &eric, &[&alice, &carol], &id);
    for p in [&alice, &carol] {
        let acks = p.acknowledgements(&id).unwrap();
        assert_eq!(acks.len(), 1, "on {}", p.name());
        assert_eq!(acks[0].name, eric.name());
        assert_eq!(
            acks[0].seal,
            Seal::Contact {
                name: eric.name().into(),
                verified: false
            }
        );
        assert!(!p.acknowledged_by_me(released.item).unwrap());
    }
}

/// Two contacts named alike: the circuit names one of them ("Name (ORG)"), binds her identity,
/// and only she may approve; she acts under the name the circuit gives her.
#[test]
fn a_circuit_names_one_of_two_people_of_the_same_name_and_only_she_may_act() {
    let alice = alice();
    let rome = person("Claire Morel", "ROME", None);
    let berlin = person("Claire Morel", "BERLIN", None);
    let everyone = [&alice, &rome, &berlin];
    let folder = exchange(&everyone);
    let folder = folder.path();
    let id = alice.create_draft(ItemKind::Telegram).unwrap().id;
    alice
        .edit_draft(
            &id,
            &[
                set(FieldName::Subject, "Consultations à Rome"),
                set(FieldName::Origin, "BERLIN"),
                set(FieldName::Approver, "Claire Morel (ROME)"),
                DraftEdit::SetAddressees {
                    addressees: vec![(Addressee::Unit("DFAE".into()), Route::Action)],
                },
                DraftEdit::InsertParagraph {
                    index: 0,
                    marking: Marking::NonProtege,
                    text: "Les consultations auront lieu jeudi.".into(),
                },
            ],
        )
        .unwrap();
    // A bare name that two contacts share is refused at submission, with how to tell them apart.
    alice
        .edit_draft(&id, &[set(FieldName::Approver, "Claire Morel")])
        .unwrap();
    let err = alice.draft_step(&id, Step::Submit).unwrap_err();
    assert!(err.to_string().contains("Name (ORG)"), "{err}");
    alice
        .edit_draft(&id, &[set(FieldName::Approver, "Claire Morel (ROME)")])
        .unwrap();
    alice.draft_step(&id, Step::Submit).unwrap();
    carry(folder, &alice, &[&rome, &berlin], &id);

    // Claire of Berlin is not the approver, whatever her name.
    let state = berlin.draft(&id).unwrap();
    assert_eq!(state.me, "Claire Morel");
    assert!(berlin.draft_step(&id, Step::Approve).is_err());
    // Claire of Rome is, under the name the circuit gives her.
    let state = rome.draft(&id).unwrap();
    assert_eq!(state.me, "Claire Morel (ROME)");
    assert_eq!(state.waiting_for, vec!["Claire Morel (ROME)"]);
    rome.draft_step(&id, Step::Approve).unwrap();
    rome.release_draft(&id, None).unwrap();
    carry(folder, &rome, &[&alice, &berlin], &id);
    for p in everyone {
        assert_eq!(p.draft(&id).unwrap().stage, Stage::Released);
    }
}

/// A note verbale and an email, released as the document holds them, count everywhere: the
/// text a replica recomputes at the release's heads (dates from the record's release time) is
/// the released one for every kind, not only for telegrams.
#[test]
fn notes_and_emails_released_as_their_documents_hold_them_count_on_every_replica() {
    let (alice, carol) = (alice(), carol());
    let folder = exchange(&[&alice, &carol]);
    let folder = folder.path();
    let note = [
        set(FieldName::Subject, "Demande d'accréditation"),
        set(FieldName::SendingMission, "Ambassade de France"),
        set(
            FieldName::ReceivingInstitution,
            "Ministère fédéral des Affaires étrangères",
        ),
        set(
            FieldName::Opening,
            "L'Ambassade de France présente ses compliments",
        ),
        set(
            FieldName::Closing,
            "et saisit cette occasion pour renouveler ses assurances.",
        ),
        set(FieldName::Place, "Berlin"),
        set(FieldName::Date, "2026-12-01"),
    ];
    let email = [
        set(FieldName::Subject, "Ordre du jour de la réunion"),
        set(FieldName::From, "alice.martin@diplomatie.gouv.example"),
        DraftEdit::SetList {
            field: ListField::To,
            values: vec!["dfae@diplomatie.gouv.example".into()],
        },
    ];
    for (kind, fields) in [
        (ItemKind::DiplomaticNote, &note[..]),
        (ItemKind::FormalEmail, &email[..]),
    ] {
        let id = alice.create_draft(kind).unwrap().id;
        let mut edits = fields.to_vec();
        edits.push(set(FieldName::Approver, carol.name()));
        edits.push(DraftEdit::InsertParagraph {
            index: 0,
            marking: Marking::NonProtege,
            text: "Le texte est celui qui fut approuvé.".into(),
        });
        alice.edit_draft(&id, &edits).unwrap();
        alice.draft_step(&id, Step::Submit).unwrap();
        carry(folder, &alice, &[&carol], &id);
        carol.draft_step(&id, Step::Approve).unwrap();
        let released = carol.release_draft(&id, None).unwrap();
        carry(folder, &carol, &[&alice], &id);
        for p in [&alice, &carol] {
            let state = p.draft(&id).unwrap();
            assert_eq!(state.stage, Stage::Released, "{kind:?} on {}", p.name());
            assert!(state.log.iter().all(|l| l.refused.is_none()), "{kind:?}");
            assert!(
                p.verify_release_of(&released.item.to_string())
                    .unwrap()
                    .is_some()
            );
        }
    }
}
