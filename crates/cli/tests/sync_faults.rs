//! Sync under faults: the real relay binary as a process (`diplomatie-relay serve` on
//! 127.0.0.1:0, reached through a forwarder so that it can be killed and started again on
//! another port), real `diplo` processes on real encrypted profiles, `kill -9` of a client
//! while it pushes or applies, of the relay mid-run, a push replayed after its
//! acknowledgement was lost, and an envelope damaged in the relay's database. After each,
//! every item shared reaches the other member exactly once (by id and subject), and the relay
//! holds each envelope once.
//!
//! The relay's binary must be built first: `cargo build -p diplomatie-relay`.
//!
//! The items are made and shared through the client's API in this process (a `diplo share`
//! process per item would cost a fifth of a second each); every sync is a `diplo` process.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use common::{
    Forwarder, PASS, RelayProcess, card_line as card, diplo, diplo_command, relay_invite,
};
use diplomatie_client::{Page, Profile, TriageFilter};
use diplomatie_domain::ItemKind;
use diplomatie_testkit::cli::{json, ok};
use serde_json::Value;

const SPACE: &str = "Poste de Berlin";
/// The longest any one `diplo sync` of these tests may take.
const SYNC_DEADLINE: Duration = Duration::from_secs(180);

/// Two profiles, Alice and Bruno, members of one space, enrolled with a relay process through
/// a forwarder. Dropped in order: the relay killed, the forwarder stopped, the folder removed.
struct World {
    relay: Option<RelayProcess>,
    forwarder: Forwarder,
    data: PathBuf,
    /// Envelopes at the relay once the world is set up (what the space's creation and
    /// Bruno's addition sent), left out of `relay_envelopes`.
    base: u64,
    alice: PathBuf,
    bruno: PathBuf,
    _root: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("relay");
        let relay = RelayProcess::start(&data);
        let forwarder = Forwarder::start(relay.addr);
        let alice = common::init(root.path(), "alice", "Alice Lefèvre", "BERLIN", &[]);
        let bruno = common::init(root.path(), "bruno", "Bruno Durand", "BERLIN", &[]);
        ok(&diplo(&alice, &["contact", "add", &card(&bruno)]));
        ok(&diplo(&bruno, &["contact", "add", &card(&alice)]));
        for who in [&alice, &bruno] {
            ok(&diplo(
                who,
                &[
                    "relay",
                    "join",
                    &forwarder.url(),
                    "--token",
                    &relay_invite(&data),
                ],
            ));
        }
        ok(&diplo(
            &alice,
            &["space", "create", SPACE, "--kind", "unit"],
        ));
        assert_eq!(sync(&alice)["pending"], 0);
        ok(&diplo(&alice, &["space", "add", SPACE, "Bruno Durand"]));
        assert_eq!(sync(&alice)["pending"], 0);
        assert_eq!(sync(&bruno)["joined"], 1);
        let mut world = World {
            relay: Some(relay),
            forwarder,
            data,
            base: 0,
            alice,
            bruno,
            _root: root,
        };
        world.base = world.relay_envelopes().0;
        world
    }

    /// SIGKILL to the relay.
    fn kill_relay(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.kill();
        }
    }

    /// The relay started again on the same data folder (on a new port, behind the same
    /// forwarder).
    fn start_relay(&mut self) {
        assert!(self.relay.is_none());
        let relay = RelayProcess::start(&self.data);
        self.forwarder.retarget(relay.addr);
        self.relay = Some(relay);
    }

    /// `(envelopes, distinct envelope ids)` in the relay's database, past the world's setup.
    fn relay_envelopes(&self) -> (u64, u64) {
        let conn = rusqlite::Connection::open_with_flags(
            self.data.join("relay.sqlite"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let (all, distinct): (i64, i64) = conn
            .query_row(
                "SELECT count(*), count(DISTINCT id) FROM envelopes",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let count = |n: i64| u64::try_from(n).unwrap() - self.base;
        (count(all), count(distinct))
    }
}

/// A child process killed (SIGKILL) if still running when dropped.
struct Running(Child);

impl Running {
    /// Waits for the process, at most `SYNC_DEADLINE`; true if it exited with success.
    fn wait(mut self) -> bool {
        let start = Instant::now();
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status.success();
            }
            assert!(
                start.elapsed() < SYNC_DEADLINE,
                "diplo sync still running after {SYNC_DEADLINE:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn is_running(&mut self) -> bool {
        self.0.try_wait().unwrap().is_none()
    }

    /// SIGKILL; true if it was still running.
    fn kill(mut self) -> bool {
        let running = self.0.try_wait().unwrap().is_none();
        let _ = self.0.kill();
        let _ = self.0.wait();
        running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_sync(profile: &Path) -> Running {
    Running(diplo_command(profile, &["--json", "sync"]).spawn().unwrap())
}

/// One `diplo sync` to its end: its report.
fn sync(profile: &Path) -> Value {
    json(&diplo(profile, &["--json", "sync"]))
}

/// `diplo sync` started and killed (SIGKILL) once per delay of `extras_ms`: each time as soon
/// as `done()` has grown past what the run before left (the sync is at work), plus the delay.
/// Stops early once `done()` reaches `total`. How many kills stopped a sync midway.
fn syncs_killed_at_work(
    profile: &Path,
    total: usize,
    done: impl Fn() -> usize,
    extras_ms: &[u64],
) -> usize {
    let mut midway = 0;
    let mut seen = Vec::new();
    for &extra in extras_ms {
        let before = done();
        if before >= total {
            break;
        }
        let mut running = spawn_sync(profile);
        let start = Instant::now();
        while done() == before && running.is_running() {
            assert!(
                start.elapsed() < SYNC_DEADLINE,
                "diplo sync did nothing in {SYNC_DEADLINE:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(extra));
        let was_running = running.kill();
        let after = done();
        seen.push((extra, after));
        if was_running && after < total {
            midway += 1;
        }
    }
    eprintln!("kills (ms after work began, then done of {total}): {seen:?}");
    midway
}

/// Makes `n` new demo telegrams and notes in `profile` (formal emails aside: the demo's
/// attachments have no bytes) and shares them into the space: their `(id, subject)`.
fn share(profile: &Path, n: usize, seed: u64) -> Vec<(String, String)> {
    let profile = Profile::open(profile, PASS).unwrap();
    let everything = |p: &Profile| -> Vec<_> {
        p.inbox(
            &TriageFilter::default(),
            Page {
                offset: 0,
                limit: 1_000_000,
            },
        )
        .unwrap()
        .items
    };
    let before: BTreeSet<_> = everything(&profile).into_iter().map(|s| s.id).collect();
    profile
        .fill_demo(u64::try_from(n).unwrap() * 2 + 20, seed, &mut |_| {})
        .unwrap();
    let fresh: Vec<_> = everything(&profile)
        .into_iter()
        .filter(|s| s.kind != ItemKind::FormalEmail && !before.contains(&s.id))
        .take(n)
        .collect();
    assert_eq!(fresh.len(), n, "the demo made too few telegrams and notes");
    for summary in &fresh {
        profile.share_item(summary.id, SPACE).unwrap();
    }
    assert_eq!(profile.pending_count().unwrap(), n);
    fresh
        .into_iter()
        .map(|s| (s.id.to_string(), s.subject))
        .collect()
}

/// Local writes not yet delivered.
fn pending(profile: &Path) -> usize {
    Profile::open(profile, PASS)
        .unwrap()
        .pending_count()
        .unwrap()
}

/// How many items `profile` holds.
fn item_count(profile: &Path) -> usize {
    let profile = Profile::open(profile, PASS).unwrap();
    let counts = profile
        .inbox(
            &TriageFilter::default(),
            Page {
                offset: 0,
                limit: 0,
            },
        )
        .unwrap()
        .counts;
    usize::try_from(counts.total).unwrap()
}

/// Every item of `profile`'s inbox: `(id, subject)`.
fn inbox(profile: &Path) -> Vec<(String, String)> {
    json(&diplo(profile, &["--json", "inbox", "--limit", "1000000"]))["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_owned(),
                i["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The items `item_received` names in `profile`'s audit log, with how often.
fn received_in_audit(profile: &Path) -> BTreeMap<String, usize> {
    let entries = json(&diplo(profile, &["--json", "audit", "--limit", "1000000"]));
    let mut seen = BTreeMap::new();
    for e in entries.as_array().unwrap() {
        if e["action"] == "item_received" {
            *seen
                .entry(e["item"].as_str().unwrap().to_owned())
                .or_insert(0) += 1;
        }
    }
    seen
}

/// The receiver holds exactly the items sent, each once (by id and subject), and received
/// each once by its audit log. Fails with counts only: no subject is printed.
fn assert_each_once(receiver: &Path, sent: &[(String, String)]) {
    let mut sent = sent.to_vec();
    sent.sort();
    let mut got = inbox(receiver);
    got.sort();
    if got != sent {
        let want: BTreeSet<_> = sent.iter().collect();
        let have: BTreeSet<_> = got.iter().collect();
        panic!(
            "{} items shared, {} in the receiver's inbox: {} missing, {} not shared, {} repeated",
            sent.len(),
            got.len(),
            want.difference(&have).count(),
            have.difference(&want).count(),
            got.len() - have.len()
        );
    }
    let audit = received_in_audit(receiver);
    let ids: BTreeSet<_> = sent.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(
        audit.keys().cloned().collect::<BTreeSet<_>>(),
        ids,
        "the audit log's received items are not the items shared"
    );
    let repeated = audit.values().filter(|&&n| n != 1).count();
    assert_eq!(
        repeated, 0,
        "items received more than once by the audit log"
    );
}

fn refused(report: &Value) -> usize {
    report["refused"].as_array().unwrap().len()
}

#[test]
fn a_sender_killed_while_it_pushes_loses_nothing_and_repeats_nothing() {
    const N: usize = 300;
    let w = World::new();
    let sent = share(&w.alice, N, 11);

    // Killed as soon as the relay has stored a batch (before Alice may have recorded it), and
    // later on.
    let at_relay = || usize::try_from(w.relay_envelopes().0).unwrap();
    let midway = syncs_killed_at_work(&w.alice, N, at_relay, &[0, 0, 20, 100, 400]);
    assert!(midway >= 2, "only {midway} kills landed mid-push");

    let left = pending(&w.alice);
    let report = sync(&w.alice);
    // Every write left is delivered, those whose acknowledgement a kill lost included.
    assert_eq!(report["delivered"], left, "{report}");
    assert_eq!(report["pending"], 0, "{report}");
    assert_eq!(refused(&report), 0, "{report}");
    // Each envelope once at the relay: a push retried after a kill has the same ids.
    let n = u64::try_from(N).unwrap();
    assert_eq!(w.relay_envelopes(), (n, n));

    let report = sync(&w.bruno);
    assert_eq!(report["applied"], N, "{report}");
    assert_eq!(refused(&report), 0, "{report}");
    assert_each_once(&w.bruno, &sent);
}

#[test]
fn a_receiver_killed_while_it_applies_applies_each_item_once() {
    const N: usize = 240;
    let w = World::new();
    let sent = share(&w.alice, N, 12);
    let report = sync(&w.alice);
    assert_eq!(
        (report["delivered"].as_u64(), report["pending"].as_u64()),
        (Some(u64::try_from(N).unwrap()), Some(0))
    );

    let midway = syncs_killed_at_work(
        &w.bruno,
        N,
        || item_count(&w.bruno),
        // Short waits first: a fast machine applies a batch in tens of milliseconds.
        &[0, 10, 20, 40, 80, 160, 400, 900, 1_500],
    );
    assert!(midway >= 3, "only {midway} kills landed mid-apply");

    let report = sync(&w.bruno);
    assert_eq!(refused(&report), 0, "{report}");
    assert_each_once(&w.bruno, &sent);
    // Nothing more comes, nothing is applied again.
    let report = sync(&w.bruno);
    assert_eq!(
        (report["applied"].as_u64(), refused(&report)),
        (Some(0), 0),
        "{report}"
    );
    assert_each_once(&w.bruno, &sent);
}

#[test]
fn the_relay_killed_and_restarted_keeps_every_envelope_it_acknowledged() {
    const N: usize = 150;
    let n = u64::try_from(N).unwrap();
    let mut w = World::new();

    // Acknowledged, then the relay killed at once.
    let mut sent = share(&w.alice, N, 13);
    let report = sync(&w.alice);
    assert_eq!(
        (report["delivered"].as_u64(), report["pending"].as_u64()),
        (Some(n), Some(0)),
        "{report}"
    );
    w.kill_relay();
    w.start_relay();
    assert_eq!(w.relay_envelopes(), (n, n));

    // The relay killed while Alice pushes: once its first batch of this round is stored.
    sent.extend(share(&w.alice, N, 14));
    let running = spawn_sync(&w.alice);
    let start = Instant::now();
    while w.relay_envelopes().0 <= n {
        assert!(
            start.elapsed() < SYNC_DEADLINE,
            "the push never reached the relay"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    w.kill_relay();
    let _ = running.wait();
    let stored = w.relay_envelopes().0;
    eprintln!(
        "the relay killed with {stored} of {} envelopes stored",
        2 * N
    );
    w.start_relay();
    assert!(w.relay_envelopes().0 >= stored);

    let report = sync(&w.alice);
    assert_eq!(report["pending"], 0, "{report}");
    assert_eq!(w.relay_envelopes(), (2 * n, 2 * n));
    let report = sync(&w.bruno);
    assert_eq!(refused(&report), 0, "{report}");
    assert_each_once(&w.bruno, &sent);
}

/// Copies a profile's folder (no process has it open).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Alice's profile put back as it was before a sync the relay acknowledged: what a crash
/// between the relay's storing a push and the client's recording it leaves. The push is then
/// made again, with the same envelope ids.
fn replay_lost_acknowledgement(w: &World, n: usize) -> (Vec<(String, String)>, Value) {
    let sent = share(&w.alice, n, 15);
    let before = w.alice.with_extension("before");
    copy_dir(&w.alice, &before);
    let report = sync(&w.alice);
    assert_eq!(report["delivered"], n, "{report}");
    std::fs::remove_dir_all(&w.alice).unwrap();
    std::fs::rename(&before, &w.alice).unwrap();
    assert_eq!(pending(&w.alice), n);
    (sent, sync(&w.alice))
}

#[test]
fn a_push_replayed_after_its_acknowledgement_was_lost_is_stored_and_applied_once() {
    const N: usize = 20;
    let n = u64::try_from(N).unwrap();
    let w = World::new();
    let (sent, report) = replay_lost_acknowledgement(&w, N);
    assert_eq!(report["pending"], 0, "{report}");
    assert_eq!(w.relay_envelopes(), (n, n));

    let report = sync(&w.bruno);
    assert_eq!(
        (report["applied"].as_u64(), refused(&report)),
        (Some(n), 0),
        "{report}"
    );
    assert_each_once(&w.bruno, &sent);
    let report = sync(&w.bruno);
    assert_eq!(report["applied"], 0, "{report}");
    assert_each_once(&w.bruno, &sent);
}

/// The driver seals an outbox entry again at each push (a fresh nonce, a fresh signature), so
/// the relay holds the same id with other bytes: the sender takes that as its earlier push.
#[test]
fn a_push_replayed_after_its_acknowledgement_was_lost_is_reported_delivered() {
    const N: usize = 5;
    let w = World::new();
    let (_, report) = replay_lost_acknowledgement(&w, N);
    // The relay holds each of these envelopes: the sender should count them delivered, not
    // drop them from its outbox unreported.
    assert_eq!(
        (report["delivered"].as_u64(), refused(&report)),
        (Some(u64::try_from(N).unwrap()), 0),
        "{report}"
    );
}

/// Flips one byte in the middle of the envelope at `seq` (the only space's) in the relay's
/// database, the relay stopped; the append-only trigger lifted for the change and put back.
fn tamper(data: &Path, seq: i64) {
    let mut conn = rusqlite::Connection::open(data.join("relay.sqlite")).unwrap();
    let tx = conn.transaction().unwrap();
    let mut bytes: Vec<u8> = tx
        .query_row("SELECT bytes FROM envelopes WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let trigger: String = tx
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' \
             AND name = 'envelopes_append_only_update'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    tx.execute_batch("DROP TRIGGER envelopes_append_only_update")
        .unwrap();
    let changed = tx
        .execute(
            "UPDATE envelopes SET bytes = ?1 WHERE seq = ?2",
            rusqlite::params![bytes, seq],
        )
        .unwrap();
    assert_eq!(changed, 1);
    tx.execute_batch(&trigger).unwrap();
    tx.commit().unwrap();
}

#[test]
fn an_envelope_damaged_at_the_relay_is_refused_and_the_rest_arrives() {
    const N: usize = 10;
    let mut w = World::new();
    let sent = share(&w.alice, N, 16);
    let report = sync(&w.alice);
    assert_eq!(report["delivered"], N, "{report}");

    w.kill_relay();
    // The fourth of the items shared.
    tamper(&w.data, i64::try_from(w.base).unwrap() + 4);
    w.start_relay();

    let report = sync(&w.bruno);
    assert_eq!(
        (report["applied"].as_u64(), refused(&report)),
        (Some(9), 1),
        "{report}"
    );
    // Nothing of it stored: nine of the items shared, each once.
    let got = inbox(&w.bruno);
    assert_eq!(got.len(), N - 1);
    let shared: BTreeSet<_> = sent.iter().collect();
    assert!(got.iter().all(|item| shared.contains(item)));
    assert_each_once(&w.bruno, &got);
    // It is not tried again, and nothing else is lost.
    let report = sync(&w.bruno);
    assert_eq!(
        (report["applied"].as_u64(), refused(&report)),
        (Some(0), 0),
        "{report}"
    );
    assert_eq!(inbox(&w.bruno).len(), N - 1);
}
