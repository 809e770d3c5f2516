//! The drafts' schedule over real profiles and a real, sealed exchange folder: two replicas
//! converge through their workers (each on its own thread, as in the app), a change is
//! published at once, and a provisional number is settled on the schedule's 30th second and
//! reaches the other replica.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use diplomatie_client::Profile;
use diplomatie_client::drafting::{DraftEdit, DraftState, FieldName, ListField};
use diplomatie_client::schedule::{self, Intervals, Places, Tick, Worker};
use diplomatie_domain::{Addressee, ItemKind, Marking, Route, Stage, Step};
use diplomatie_testkit::{Person, alice, bob, exchange, set};

fn places(p: &Person) -> Places {
    Places::from(&p.settings().unwrap())
}

/// A telegram drafted by `drafter`, approved by `approver`, no clearers, one paragraph.
fn telegram(worker: &Worker, drafter: &Person, approver: &str) -> String {
    let created = worker
        .change(drafter, &places(drafter), |p| {
            p.create_draft(ItemKind::Telegram)
        })
        .unwrap();
    assert_eq!(created.publish_error, None);
    let id = created.value.id;
    worker
        .change(drafter, &places(drafter), |p| {
            p.edit_draft(
                &id,
                &[
                    set(FieldName::Subject, "Entretien avec le ministre"),
                    set(FieldName::Origin, "BERLIN"),
                    set(FieldName::Approver, approver),
                    DraftEdit::SetList {
                        field: ListField::Clearers,
                        values: Vec::new(),
                    },
                    DraftEdit::SetAddressees {
                        addressees: vec![(Addressee::Unit("DFAE".into()), Route::Action)],
                    },
                    DraftEdit::InsertParagraph {
                        index: 0,
                        marking: Marking::NonProtege,
                        text: "Le ministre a reçu l'ambassadeur ce matin.".into(),
                    },
                ],
            )
        })
        .unwrap();
    id
}

/// Runs `person`'s worker on a thread every `period` (merging every period), sending each tick
/// that did something.
fn run_worker(
    person: Arc<Person>,
    worker: Arc<Worker>,
    period: Duration,
) -> (schedule::Runner, mpsc::Receiver<Tick>) {
    let (tx, rx) = mpsc::channel();
    let runner = schedule::spawn("schedule-test", period, move |now| {
        let tick = worker.tick(&person, &places(&person), now);
        if !tick.is_empty() && tx.send(tick).is_err() {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    })
    .unwrap();
    (runner, rx)
}

/// Waits (at most 20 s) until `done` holds of `profile`'s draft `id`.
fn wait_for(profile: &Profile, id: &str, what: &str, done: impl Fn(&DraftState) -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if profile.draft(id).is_ok_and(|d| done(&d)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn two_replicas_converge_through_their_workers() {
    let (alice, bob) = (Arc::new(alice()), Arc::new(bob()));
    let _folder = exchange(&[&alice, &bob]);
    let intervals = Intervals {
        merge: Duration::from_millis(50),
        ..Intervals::default()
    };
    let period = intervals.merge;
    let (alice_worker, bob_worker) = (
        Arc::new(Worker::new(intervals)),
        Arc::new(Worker::new(intervals)),
    );
    let (alice_runner, _alice_ticks) = run_worker(alice.clone(), alice_worker.clone(), period);
    let (bob_runner, bob_ticks) = run_worker(bob.clone(), bob_worker.clone(), period);

    // Alice drafts: each change is published at once, and Bob's worker merges it.
    let id = telegram(&alice_worker, &alice, bob.name());
    wait_for(&bob, &id, "Bob's replica to receive the draft", |d| {
        d.view.paragraphs.len() == 1
    });
    let created = bob_ticks
        .recv_timeout(Duration::from_secs(20))
        .expect("Bob's worker says what it merged");
    assert!(created.merged);
    assert!(
        created.received.iter().any(|r| r.id == id && r.created),
        "{created:?}"
    );
    assert_eq!(created.changed_drafts(), vec![id.clone()]);

    // Both edit the same paragraph at the same time, each through their own worker.
    let alice_edit = alice_worker
        .change(&alice, &places(&alice), |p| {
            p.edit_draft(
                &id,
                &[DraftEdit::SpliceParagraph {
                    index: 0,
                    pos: 0,
                    delete: 0,
                    insert: "Hier, ".into(),
                }],
            )
        })
        .unwrap();
    assert_eq!(alice_edit.publish_error, None);
    bob_worker
        .change(&bob, &places(&bob), |p| {
            p.edit_draft(
                &id,
                &[DraftEdit::InsertParagraph {
                    index: 1,
                    marking: Marking::NonProtege,
                    text: "Il a confirmé sa venue à Paris.".into(),
                }],
            )
        })
        .unwrap();
    let both = |d: &DraftState| {
        d.view.paragraphs.len() == 2 && d.view.paragraphs[0].text.starts_with("Hier, ")
    };
    wait_for(
        &alice,
        &id,
        "Alice's replica to merge Bob's paragraph",
        both,
    );
    wait_for(&bob, &id, "Bob's replica to merge Alice's words", both);
    // Converged: the same document on both sides, once nothing is in flight.
    let start = Instant::now();
    loop {
        let (a, b) = (alice.draft(&id).unwrap(), bob.draft(&id).unwrap());
        if a.view == b.view {
            assert_eq!(
                a.view.paragraphs[0].text,
                "Hier, Le ministre a reçu l'ambassadeur ce matin."
            );
            assert_eq!(a.view.paragraphs[1].edited_by, vec![bob.name().to_owned()]);
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no convergence");
        std::thread::sleep(Duration::from_millis(20));
    }
    alice_runner.stop();
    bob_runner.stop();
}

#[test]
fn a_provisional_number_is_settled_at_the_thirtieth_second_and_reaches_the_other_replica() {
    let (alice, bob) = (alice(), bob());
    let folder = exchange(&[&alice, &bob]);
    let register = folder.path().join("berlin.register");
    let (alice_worker, bob_worker) = (Worker::default(), Worker::default());
    let t0 = Instant::now();
    let at = |s: u64| t0 + Duration::from_secs(s);

    // Bob's worker starts with the post's register; nothing to settle yet.
    let bob_places = Places {
        register: Some(register.clone()),
        ..places(&bob)
    };
    assert!(bob_worker.tick(&bob, &bob_places, at(0)).is_empty());

    // Alice drafts and submits; Bob, the approver, receives it at his next tick.
    let id = telegram(&alice_worker, &alice, bob.name());
    let submitted = alice_worker
        .change(&alice, &places(&alice), |p| p.draft_step(&id, Step::Submit))
        .unwrap();
    assert_eq!(submitted.value.stage, Stage::ReadyForApproval);
    let tick = bob_worker.tick(&bob, &bob_places, at(1));
    assert!(tick.received.iter().any(|r| r.id == id && r.now_my_turn));

    // Bob approves and releases offline (the register is not used at release): provisional.
    bob_worker
        .change(&bob, &bob_places, |p| p.draft_step(&id, Step::Approve))
        .unwrap();
    let released = bob_worker
        .change(&bob, &bob_places, |p| p.release_draft(&id, None))
        .unwrap();
    assert!(released.value.provisional);
    assert_eq!(released.publish_error, None);
    let provisional = released.value.number.clone();

    // Merges every second, settling only on the 30th second after the first.
    for s in [2, 10, 29] {
        let tick = bob_worker.tick(&bob, &bob_places, at(s));
        assert!(tick.merged);
        assert!(tick.renumbered.is_empty(), "settled at {s} s");
    }
    let tick = bob_worker.tick(&bob, &bob_places, at(30));
    assert_eq!(tick.renumbered.len(), 1, "{tick:?}");
    assert_eq!(tick.renumbered[0].provisional, provisional);
    assert_eq!(
        tick.published,
        vec![id.clone()],
        "the new record is published"
    );
    let number = tick.renumbered[0].number.clone();
    assert_ne!(number, provisional);
    let item = released.value.item.to_string();
    assert_eq!(
        bob.verify_release_of(&item).unwrap().unwrap().number,
        number
    );

    // Alice's next tick brings the final number to her replica.
    let tick = alice_worker.tick(&alice, &places(&alice), at(31));
    assert!(tick.received.iter().any(|r| r.id == id), "{tick:?}");
    let verified = alice.verify_release_of(&item).unwrap().unwrap();
    assert!(!verified.provisional);
    assert_eq!(verified.number, number);
}

#[test]
fn a_copy_that_cannot_be_written_is_reported_once_and_written_at_a_later_tick() {
    let alice = alice();
    let folder = exchange(&[&alice]);
    let worker = Worker::default();
    let t0 = Instant::now();
    // Without a folder nothing is written, and nothing waits.
    let id = telegram(&worker, &alice, "Bob Durand");
    let nowhere = Places::default();
    assert!(worker.tick(&alice, &nowhere, t0).published.is_empty());

    // The draft's folder in the exchange is replaced by a file: writing its copy fails.
    let blocked = folder.path().join(&id);
    std::fs::remove_dir_all(&blocked).unwrap();
    std::fs::write(&blocked, b"not a folder").unwrap();
    let edit = worker
        .change(&alice, &places(&alice), |p| {
            p.edit_draft(&id, &[set(FieldName::Subject, "Entretien (suite)")])
        })
        .unwrap();
    assert!(
        edit.publish_error.is_some(),
        "the change says its copy failed"
    );
    assert_eq!(
        alice.draft(&id).unwrap().view.fields.subject,
        "Entretien (suite)",
        "the change is kept"
    );
    // Tried again at each tick, reported only the first time it is seen.
    let first = worker.tick(&alice, &places(&alice), t0 + Duration::from_secs(1));
    assert!(first.published.is_empty());
    assert!(
        first.problems.is_empty(),
        "already said by the change: {first:?}"
    );
    // Freed: the next tick writes it.
    std::fs::remove_file(&blocked).unwrap();
    let tick = worker.tick(&alice, &places(&alice), t0 + Duration::from_secs(2));
    assert_eq!(tick.published, vec![id.clone()]);
    assert!(
        blocked.is_dir(),
        "the draft's folder is back, with its copy"
    );
    assert!(
        worker
            .tick(&alice, &places(&alice), t0 + Duration::from_secs(3))
            .published
            .is_empty()
    );
}
