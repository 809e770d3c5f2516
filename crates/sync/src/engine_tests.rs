//! The engine's behaviours, one at a time.

use std::collections::BTreeMap;

use diplomatie_protocol::{Content, ContentKind, DeviceId, EnvelopeHeader, EnvelopeId, SpaceId};

use crate::{
    Action, Config, Cursor, DropReason, Engine, Entry, Event, Input, PushOutcome, Refusal, Time,
    TransportId, Write,
};

const RELAY: TransportId = TransportId(1);
const FOLDER: TransportId = TransportId(2);
const SPACE: SpaceId = SpaceId([7; 16]);
const ALICE: DeviceId = DeviceId([0xa1; 16]);
const BOB: DeviceId = DeviceId([0xb0; 16]);

fn config() -> Config {
    Config {
        max_batch_count: 3,
        max_batch_bytes: 100,
        backoff_base_ms: 1_000,
        backoff_cap_ms: 16_000,
        snapshot_every: 4,
        max_pulls_in_flight: 2,
    }
}

/// An engine and the rows its persists wrote, as a driver's store would hold them.
struct Device {
    engine: Engine,
    store: BTreeMap<Vec<u8>, Vec<u8>>,
    now: Time,
}

impl Device {
    fn new(device: DeviceId) -> Device {
        Device {
            engine: Engine::new(config(), device, 1),
            store: BTreeMap::new(),
            now: Time(0),
        }
    }

    fn handle(&mut self, input: Input) -> Vec<Action> {
        let actions = self.engine.handle(self.now, input);
        for (at, action) in actions.iter().enumerate() {
            if let Action::Persist(writes) = action {
                assert_eq!(at, 0, "persist comes first");
                for write in writes {
                    match write {
                        Write::Put { key, value } => {
                            self.store.insert(key.clone(), value.clone());
                        }
                        Write::Delete { key } => {
                            self.store.remove(key);
                        }
                    }
                }
            }
        }
        let rows: Vec<_> = self.store.clone().into_iter().collect();
        assert_eq!(
            rows,
            self.engine.rows(),
            "what is persisted is what is held"
        );
        actions
    }

    /// A crash: everything not persisted is lost.
    fn restart(&mut self, device: DeviceId) {
        self.engine = Engine::restore(config(), device, 2, self.store.clone())
            .unwrap_or_else(|e| panic!("restore: {e}"));
    }

    fn write(&mut self, n: u8, bytes: usize) -> Vec<Action> {
        self.handle(Input::Write {
            id: id(n),
            space: SPACE,
            content: content(bytes),
        })
    }
}

fn id(n: u8) -> EnvelopeId {
    EnvelopeId([n; 16])
}

fn content(bytes: usize) -> Content {
    Content {
        kind: ContentKind::DraftChanges,
        body: vec![1; bytes],
    }
}

fn envelope(sender: DeviceId, seq: u64, n: u8, position: u64) -> Entry {
    Entry::Opened {
        position: Cursor::from_seq(position),
        header: EnvelopeHeader {
            space: SPACE,
            epoch: 0,
            sender,
            seq,
            id: id(n),
        },
        content: content(4),
    }
}

fn page(entries: Vec<Entry>, next: u64, head: u64) -> Input {
    Input::Page {
        transport: RELAY,
        space: SPACE,
        entries,
        next: Cursor::from_seq(next),
        head: Cursor::from_seq(head),
        remaining: Some(head - next),
    }
}

fn pushes(actions: &[Action]) -> Vec<(TransportId, Vec<(EnvelopeId, u64)>)> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Push { transport, batch } => Some((
                *transport,
                batch.iter().map(|entry| (entry.id, entry.seq)).collect(),
            )),
            _ => None,
        })
        .collect()
}

fn pulls(actions: &[Action]) -> Vec<Cursor> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Pull { after, .. } => Some(after.clone()),
            _ => None,
        })
        .collect()
}

fn applies(actions: &[Action]) -> Vec<EnvelopeId> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Apply { header, .. } => Some(header.id),
            _ => None,
        })
        .collect()
}

fn drops(actions: &[Action]) -> Vec<(Option<EnvelopeId>, DropReason)> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Drop { id, reason, .. } => Some((*id, reason.clone())),
            _ => None,
        })
        .collect()
}

fn wake(actions: &[Action]) -> Option<Time> {
    actions.iter().find_map(|action| match action {
        Action::WakeAt(at) => Some(*at),
        _ => None,
    })
}

fn accept_all(batch: &[(EnvelopeId, u64)]) -> Input {
    Input::Pushed {
        transport: RELAY,
        results: batch
            .iter()
            .map(|(id, _)| (*id, PushOutcome::Accepted))
            .collect(),
    }
}

/// Alice subscribed to the space on the relay, online, her first pull answered empty.
fn alice_online() -> Device {
    let mut alice = Device::new(ALICE);
    alice.handle(Input::Subscribe {
        space: SPACE,
        transport: RELAY,
    });
    let actions = alice.handle(Input::Online { transport: RELAY });
    assert_eq!(pulls(&actions), vec![Cursor::start()]);
    alice.handle(page(vec![], 0, 0));
    alice
}

#[test]
fn offline_holds_the_outbox_and_online_pushes_it() {
    let mut alice = Device::new(ALICE);
    alice.handle(Input::Subscribe {
        space: SPACE,
        transport: RELAY,
    });
    let actions = alice.write(1, 10);
    assert!(pushes(&actions).is_empty());
    assert!(matches!(actions.first(), Some(Action::Persist(_))));
    assert!(actions.contains(&Action::Event(Event::Pending { count: 1 })));
    alice.write(2, 10);
    alice.now = Time(60_000);
    assert!(pushes(&alice.handle(Input::Tick)).is_empty());

    let actions = alice.handle(Input::Online { transport: RELAY });
    assert_eq!(
        pushes(&actions),
        vec![(RELAY, vec![(id(1), 1), (id(2), 2)])]
    );
    let actions = alice.handle(accept_all(&[(id(1), 1), (id(2), 2)]));
    assert!(actions.contains(&Action::Event(Event::Pending { count: 0 })));
    assert_eq!(alice.engine.pending_count(), 0);
    assert!(alice.store.keys().all(|key| key.first() != Some(&2)));
}

#[test]
fn batches_are_bounded_in_count_and_bytes_and_one_is_in_flight() {
    let mut alice = alice_online();
    let first = pushes(&alice.write(1, 10));
    assert_eq!(first, vec![(RELAY, vec![(id(1), 1)])]);
    // While the first push is out, nothing else goes.
    for n in 2..=6 {
        assert!(pushes(&alice.write(n, if n == 5 { 95 } else { 10 })).is_empty());
    }
    let second = pushes(&alice.handle(accept_all(&first[0].1)));
    // At most three a batch.
    assert_eq!(
        second,
        vec![(RELAY, vec![(id(2), 2), (id(3), 3), (id(4), 4)])]
    );
    let third = pushes(&alice.handle(accept_all(&second[0].1)));
    // 95 bytes then 10 more would pass 100: the 95 goes alone.
    assert_eq!(third, vec![(RELAY, vec![(id(5), 5)])]);
    let fourth = pushes(&alice.handle(accept_all(&third[0].1)));
    assert_eq!(fourth, vec![(RELAY, vec![(id(6), 6)])]);
    // A single entry above the byte bound still goes.
    alice.handle(accept_all(&fourth[0].1));
    assert_eq!(
        pushes(&alice.write(7, 500)),
        vec![(RELAY, vec![(id(7), 7)])]
    );
}

#[test]
fn backoff_grows_caps_and_resets() {
    let mut alice = alice_online();
    let mut actions = alice.write(1, 10);
    let mut delays = Vec::new();
    for _ in 0..8 {
        assert_eq!(pushes(&actions).len(), 1);
        let failed = alice.handle(Input::PushFailed {
            transport: RELAY,
            reason: "unreachable".into(),
        });
        let at = wake(&failed).unwrap_or_else(|| panic!("a wake-up is asked for"));
        delays.push(at.0 - alice.now.0);
        // Not before its time…
        alice.now = Time(at.0 - 1);
        assert!(pushes(&alice.handle(Input::Tick)).is_empty());
        // …then again.
        alice.now = at;
        actions = alice.handle(Input::Tick);
    }
    for (failures, delay) in (1u32..).zip(&delays) {
        let nominal = (1_000u64 << (failures - 1)).min(16_000);
        assert!(
            (nominal / 2..=nominal).contains(delay),
            "{failures}: {delay}"
        );
    }
    assert!(delays.iter().all(|delay| *delay <= 16_000));
    assert!(
        delays[4..].iter().all(|delay| *delay >= 8_000),
        "{delays:?}"
    );
    // Success resets it: the next failure waits the base delay again.
    let batch = pushes(&actions).remove(0).1;
    alice.handle(accept_all(&batch));
    alice.write(2, 10);
    let failed = alice.handle(Input::PushFailed {
        transport: RELAY,
        reason: "unreachable".into(),
    });
    let at = wake(&failed).unwrap_or_else(|| panic!("a wake-up"));
    assert!(at.0 - alice.now.0 <= 1_000);
}

#[test]
fn a_refusal_is_retried_or_final_and_a_missing_answer_is_a_failure() {
    let mut alice = alice_online();
    alice.write(1, 10);
    for n in 2..=3 {
        alice.write(n, 10);
    }
    let actions = alice.handle(Input::Pushed {
        transport: RELAY,
        results: vec![(id(1), PushOutcome::Accepted)],
    });
    assert!(actions.contains(&Action::Event(Event::Delivered {
        transport: RELAY,
        id: id(1)
    })));
    assert_eq!(
        pushes(&actions),
        vec![(RELAY, vec![(id(2), 2), (id(3), 3)])]
    );
    // An answer that leaves an envelope out fails it.
    let actions = alice.handle(Input::Pushed {
        transport: RELAY,
        results: vec![(id(2), PushOutcome::Accepted)],
    });
    assert!(pushes(&actions).is_empty());
    alice.now = wake(&actions).unwrap_or_else(|| panic!("a retry"));
    let batch = pushes(&alice.handle(Input::Tick));
    assert_eq!(batch, vec![(RELAY, vec![(id(3), 3)])]);
    alice.write(4, 10);
    alice.handle(Input::PushFailed {
        transport: RELAY,
        reason: "timeout".into(),
    });
    alice.now = Time(100_000);
    let batch = pushes(&alice.handle(Input::Tick));
    assert_eq!(batch, vec![(RELAY, vec![(id(3), 3), (id(4), 4)])]);
    let (id2, id3) = (id(4), id(3));
    let actions = alice.handle(Input::Pushed {
        transport: RELAY,
        results: vec![
            (
                id2,
                PushOutcome::Refused {
                    retryable: false,
                    reason: "not a member".into(),
                },
            ),
            (
                id3,
                PushOutcome::Refused {
                    retryable: true,
                    reason: "stale epoch".into(),
                },
            ),
        ],
    });
    assert!(actions.contains(&Action::Event(Event::Rejected {
        transport: RELAY,
        id: id2,
        reason: "not a member".into()
    })));
    assert!(wake(&actions).is_some());
    assert_eq!(
        alice.engine.outbox().map(|e| e.id).collect::<Vec<_>>(),
        vec![id(3)]
    );
}

#[test]
fn a_restart_mid_push_pushes_the_same_ids_and_seqs() {
    let mut alice = alice_online();
    alice.write(1, 10);
    alice.write(2, 10);
    alice.write(3, 10);
    // Pushed, never answered: the process dies.
    alice.restart(ALICE);
    alice.handle(Input::Subscribe {
        space: SPACE,
        transport: RELAY,
    });
    let actions = alice.handle(Input::Online { transport: RELAY });
    assert_eq!(
        pushes(&actions),
        vec![(RELAY, vec![(id(1), 1), (id(2), 2), (id(3), 3)])]
    );
    // And the next write carries on the numbering.
    alice.handle(accept_all(&[(id(1), 1), (id(2), 2), (id(3), 3)]));
    assert_eq!(pushes(&alice.write(4, 10)), vec![(RELAY, vec![(id(4), 4)])]);
}

#[test]
fn entries_go_to_every_transport_of_their_space() {
    let mut alice = alice_online();
    alice.handle(Input::Subscribe {
        space: SPACE,
        transport: FOLDER,
    });
    alice.handle(Input::Online { transport: FOLDER });
    let actions = alice.write(1, 10);
    let mut sent: Vec<_> = pushes(&actions).into_iter().map(|(t, _)| t).collect();
    sent.sort();
    assert_eq!(sent, vec![RELAY, FOLDER]);
    alice.handle(accept_all(&[(id(1), 1)]));
    assert_eq!(
        alice.engine.pending_count(),
        1,
        "the folder has yet to take it"
    );
    alice.handle(Input::Pushed {
        transport: FOLDER,
        results: vec![(id(1), PushOutcome::Accepted)],
    });
    assert_eq!(alice.engine.pending_count(), 0);
}

#[test]
fn duplicates_and_replays_are_dropped_also_after_a_restart() {
    let mut bob = Device::new(BOB);
    bob.handle(Input::Subscribe {
        space: SPACE,
        transport: RELAY,
    });
    bob.handle(Input::Online { transport: RELAY });
    // The same envelope twice in a page: applied once.
    let actions = bob.handle(page(
        vec![envelope(ALICE, 1, 1, 1), envelope(ALICE, 1, 1, 2)],
        2,
        2,
    ));
    assert_eq!(applies(&actions), vec![id(1)]);
    assert_eq!(
        drops(&actions),
        vec![(Some(id(1)), DropReason::BeingApplied)]
    );
    bob.handle(Input::Applied { id: id(1) });
    // Seq 3 before seq 2: a gap is no error.
    bob.handle(Input::News {
        transport: RELAY,
        space: SPACE,
        head: Cursor::from_seq(4),
    });
    let actions = bob.handle(page(
        vec![envelope(ALICE, 3, 3, 3), envelope(ALICE, 1, 1, 4)],
        4,
        4,
    ));
    assert_eq!(applies(&actions), vec![id(3)]);
    assert_eq!(
        drops(&actions),
        vec![(Some(id(1)), DropReason::AlreadyApplied)]
    );
    bob.handle(Input::Applied { id: id(3) });

    bob.restart(BOB);
    bob.handle(Input::Online { transport: RELAY });
    // A replay of both, and seq 2 at last.
    let actions = bob.handle(page(
        vec![
            envelope(ALICE, 3, 3, 5),
            envelope(ALICE, 1, 1, 6),
            envelope(ALICE, 2, 2, 7),
        ],
        7,
        7,
    ));
    assert_eq!(applies(&actions), vec![id(2)]);
    assert_eq!(
        drops(&actions),
        vec![
            (Some(id(3)), DropReason::AlreadyApplied),
            (Some(id(1)), DropReason::AlreadyApplied)
        ]
    );
}

#[test]
fn the_cursor_never_passes_an_unapplied_envelope() {
    let mut bob = Device::new(BOB);
    bob.handle(Input::Subscribe {
        space: SPACE,
        transport: RELAY,
    });
    bob.handle(Input::Online { transport: RELAY });
    let actions = bob.handle(page(
        vec![
            envelope(ALICE, 1, 1, 11),
            envelope(ALICE, 2, 2, 12),
            envelope(ALICE, 3, 3, 13),
        ],
        13,
        20,
    ));
    assert_eq!(applies(&actions), vec![id(1), id(2), id(3)]);
    bob.handle(Input::Applied { id: id(1) });
    bob.handle(Input::Applied { id: id(3) });
    // Two of three applied: the cursor has not moved, on disk or in memory.
    assert_eq!(
        bob.engine.cursor(RELAY, SPACE),
        Some(&Cursor::start()),
        "nothing settled in order yet"
    );
    let actions = bob.handle(Input::Refused {
        id: id(2),
        refusal: Refusal::Later {
            reason: "epoch key not held yet".into(),
        },
    });
    // Up to the envelope to try later, not past it; and a retry after a backoff.
    assert_eq!(bob.engine.cursor(RELAY, SPACE), Some(&Cursor::from_seq(11)));
    assert!(pulls(&actions).is_empty());
    let at = wake(&actions).unwrap_or_else(|| panic!("a retry"));
    bob.now = at;
    let actions = bob.handle(Input::Tick);
    assert_eq!(pulls(&actions), vec![Cursor::from_seq(11)]);
    let actions = bob.handle(page(
        vec![envelope(ALICE, 2, 2, 12), envelope(ALICE, 3, 3, 13)],
        13,
        13,
    ));
    assert_eq!(applies(&actions), vec![id(2)]);
    let actions = bob.handle(Input::Applied { id: id(2) });
    // The cursor moves in the same persist as the application it follows.
    let Some(Action::Persist(writes)) = actions.first() else {
        panic!("a persist first");
    };
    assert_eq!(
        writes.len(),
        3,
        "applied set, space counts, cursor: {writes:?}"
    );
    assert_eq!(bob.engine.cursor(RELAY, SPACE), Some(&Cursor::from_seq(13)));
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, Action::Event(Event::Synced { .. })))
    );
}

#[test]
fn an_invalid_envelope_is_passed_and_not_recorded() {
    let mut bob = Device::new(BOB);
    bob.handle(Input::Subscribe {
        space: SPACE,
        transport: RELAY,
    });
    bob.handle(Input::Online { transport: RELAY });
    let actions = bob.handle(page(
        vec![
            Entry::Unopened {
                position: Cursor::from_seq(1),
                id: Some(id(9)),
                refusal: Refusal::Invalid {
                    reason: "bad signature".into(),
                },
            },
            envelope(ALICE, 1, 1, 2),
        ],
        2,
        2,
    ));
    assert_eq!(drops(&actions).len(), 1);
    bob.handle(Input::Refused {
        id: id(1),
        refusal: Refusal::Invalid {
            reason: "malformed change".into(),
        },
    });
    assert_eq!(bob.engine.cursor(RELAY, SPACE), Some(&Cursor::from_seq(2)));
    assert!(!bob.engine.has_applied(SPACE, ALICE, 1));
}

#[test]
fn news_triggers_a_pull_and_pages_follow_to_the_head() {
    let mut bob = Device::new(BOB);
    bob.handle(Input::Subscribe {
        space: SPACE,
        transport: RELAY,
    });
    bob.handle(Input::Online { transport: RELAY });
    bob.handle(page(vec![], 0, 0));
    // News of what is already read: nothing to do.
    let actions = bob.handle(Input::News {
        transport: RELAY,
        space: SPACE,
        head: Cursor::start(),
    });
    assert!(pulls(&actions).is_empty());
    let actions = bob.handle(Input::News {
        transport: RELAY,
        space: SPACE,
        head: Cursor::from_seq(2),
    });
    assert_eq!(pulls(&actions), vec![Cursor::start()]);
    let actions = bob.handle(page(vec![envelope(ALICE, 1, 1, 1)], 1, 2));
    assert!(actions.contains(&Action::Event(Event::Progress {
        transport: RELAY,
        space: SPACE,
        done: 0,
        total: Some(2),
    })));
    let actions = bob.handle(Input::Applied { id: id(1) });
    assert_eq!(pulls(&actions), vec![Cursor::from_seq(1)]);
    let actions = bob.handle(page(vec![envelope(ALICE, 2, 2, 2)], 2, 2));
    let actions = [actions, bob.handle(Input::Applied { id: id(2) })].concat();
    assert!(pulls(&actions).is_empty(), "{actions:#?}");
    assert!(actions.contains(&Action::Event(Event::Progress {
        transport: RELAY,
        space: SPACE,
        done: 2,
        total: Some(2),
    })));
}

#[test]
fn a_failed_pull_is_retried_after_a_backoff() {
    let mut bob = Device::new(BOB);
    bob.handle(Input::Subscribe {
        space: SPACE,
        transport: RELAY,
    });
    bob.handle(Input::Online { transport: RELAY });
    let actions = bob.handle(Input::PullFailed {
        transport: RELAY,
        space: SPACE,
        reason: "timeout".into(),
    });
    assert!(pulls(&actions).is_empty());
    bob.now = wake(&actions).unwrap_or_else(|| panic!("a retry"));
    assert_eq!(pulls(&bob.handle(Input::Tick)), vec![Cursor::start()]);
    // A stale page (no pull asked for it) is ignored.
    bob.handle(page(vec![], 0, 0));
    let actions = bob.handle(page(vec![envelope(ALICE, 1, 1, 1)], 1, 1));
    assert!(applies(&actions).is_empty());
}

#[test]
fn own_envelopes_are_dropped_unless_written_before_a_lost_state() {
    let mut alice = alice_online();
    alice.write(1, 10);
    alice.handle(accept_all(&[(id(1), 1)]));
    alice.handle(Input::News {
        transport: RELAY,
        space: SPACE,
        head: Cursor::from_seq(3),
    });
    let actions = alice.handle(page(
        vec![envelope(ALICE, 1, 1, 1), envelope(ALICE, 5, 5, 2)],
        2,
        2,
    ));
    assert_eq!(drops(&actions), vec![(Some(id(1)), DropReason::Own)]);
    assert_eq!(applies(&actions), vec![id(5)]);
    alice.handle(Input::Applied { id: id(5) });
    // Its number is never given again.
    assert_eq!(pushes(&alice.write(6, 10)), vec![(RELAY, vec![(id(6), 6)])]);
}

#[test]
fn a_snapshot_is_asked_for_after_enough_envelopes() {
    let mut alice = alice_online();
    let snapshots = |actions: &[Action]| {
        actions
            .iter()
            .filter(|a| matches!(a, Action::Snapshot { space } if *space == SPACE))
            .count()
    };
    let mut asked = 0;
    for n in 1..=3 {
        asked += snapshots(&alice.write(n, 1));
    }
    assert_eq!(asked, 0);
    alice.handle(Input::News {
        transport: RELAY,
        space: SPACE,
        head: Cursor::from_seq(1),
    });
    alice.handle(page(vec![envelope(BOB, 1, 21, 1)], 1, 1));
    assert_eq!(snapshots(&alice.handle(Input::Applied { id: id(21) })), 1);
    // Asked once, not at every envelope after.
    assert_eq!(snapshots(&alice.write(4, 1)), 0);
    // The snapshot written resets the count.
    alice.handle(Input::Write {
        id: id(30),
        space: SPACE,
        content: Content {
            kind: ContentKind::DraftSnapshot,
            body: vec![0; 8],
        },
    });
    let mut asked = 0;
    for n in 31..=34 {
        asked += snapshots(&alice.write(n, 1));
    }
    assert_eq!(asked, 1);
}

#[test]
fn the_same_write_twice_is_one_entry() {
    let mut alice = Device::new(ALICE);
    alice.write(1, 10);
    let actions = alice.write(1, 10);
    assert!(actions.iter().all(|a| !matches!(a, Action::Persist(_))));
    assert_eq!(alice.engine.pending_count(), 1);
}

#[test]
fn an_entry_written_before_any_subscription_waits_for_one() {
    let mut alice = Device::new(ALICE);
    alice.handle(Input::Online { transport: RELAY });
    assert!(pushes(&alice.write(1, 10)).is_empty());
    let actions = alice.handle(Input::Subscribe {
        space: SPACE,
        transport: RELAY,
    });
    assert_eq!(pushes(&actions), vec![(RELAY, vec![(id(1), 1)])]);
}

#[test]
fn a_routed_space_is_pushed_to_and_never_pulled() {
    // Alice deposits into a space she is not a member of: her write goes out through the
    // relay; its log is not read; after a restart the write is still routed.
    let mut alice = Device::new(ALICE);
    alice.handle(Input::Online { transport: RELAY });
    alice.write(1, 10);
    let actions = alice.handle(Input::Route {
        space: SPACE,
        transport: RELAY,
    });
    assert!(pulls(&actions).is_empty());
    assert_eq!(pushes(&actions), vec![(RELAY, vec![(id(1), 1)])]);
    alice.restart(ALICE);
    let actions = alice.handle(Input::Online { transport: RELAY });
    assert_eq!(pushes(&actions), vec![(RELAY, vec![(id(1), 1)])]);
    assert!(pulls(&actions).is_empty());
    // A write after the route (said again after the restart) is routed at once.
    alice.handle(Input::Route {
        space: SPACE,
        transport: RELAY,
    });
    let actions = alice.handle(accept_all(&[(id(1), 1)]));
    assert_eq!(alice.engine.pending_count(), 0);
    assert!(pulls(&actions).is_empty());
    let actions = alice.write(2, 10);
    assert_eq!(pushes(&actions), vec![(RELAY, vec![(id(2), 2)])]);
}

#[test]
fn a_log_said_to_end_where_the_device_stopped_is_not_pulled_when_it_comes_online() {
    // Alice read the log to seq 3; she restarts; the transport says the log ends at 3 before
    // she is online: no pull. Said to end at 5: one pull, from 3.
    let mut alice = alice_online();
    let actions = alice.handle(Input::News {
        transport: RELAY,
        space: SPACE,
        head: Cursor::from_seq(3),
    });
    assert_eq!(pulls(&actions), vec![Cursor::from_seq(0)]);
    alice.handle(page(vec![], 3, 3));
    alice.restart(ALICE);
    alice.handle(Input::Subscribe {
        space: SPACE,
        transport: RELAY,
    });
    alice.handle(Input::News {
        transport: RELAY,
        space: SPACE,
        head: Cursor::from_seq(3),
    });
    let actions = alice.handle(Input::Online { transport: RELAY });
    assert!(pulls(&actions).is_empty(), "{actions:?}");
    let actions = alice.handle(Input::News {
        transport: RELAY,
        space: SPACE,
        head: Cursor::from_seq(5),
    });
    assert_eq!(pulls(&actions), vec![Cursor::from_seq(3)]);
    // Unknown head (no news since going offline): online pulls.
    alice.handle(page(vec![], 5, 5));
    alice.handle(Input::Offline { transport: RELAY });
    let actions = alice.handle(Input::Online { transport: RELAY });
    assert_eq!(pulls(&actions), vec![Cursor::from_seq(5)]);
}

#[test]
fn damaged_state_is_an_error_not_a_panic() {
    let mut alice = alice_online();
    alice.write(1, 10);
    for (key, value) in alice.store.clone() {
        for cut in 0..value.len() {
            let mut rows = alice.store.clone();
            rows.insert(key.clone(), value[..cut].to_vec());
            let _ = Engine::restore(config(), ALICE, 0, rows);
        }
    }
    let mut rows = alice.store.clone();
    rows.insert(vec![0xee], vec![1]);
    assert!(Engine::restore(config(), ALICE, 0, rows).is_err());
}

#[test]
fn debug_shows_no_content() {
    let mut alice = Device::new(ALICE);
    let secret = b"TOP-CANARY".to_vec();
    let actions = alice.handle(Input::Write {
        id: id(1),
        space: SPACE,
        content: Content {
            kind: ContentKind::Item,
            body: secret.clone(),
        },
    });
    let shown = format!("{actions:?} {:?}", alice.engine);
    assert!(!shown.contains("TOP-CANARY"));
    assert!(!shown.contains(&format!("{:?}", secret)));
}
