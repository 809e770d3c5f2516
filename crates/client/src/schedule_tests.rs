#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// What is due at each of `instants` (seconds after the start), as (merge, settle).
fn periodic(schedule: &mut Schedule, start: Instant, instants: &[f64]) -> Vec<(f64, bool, bool)> {
    instants
        .iter()
        .map(|&t| {
            let due = schedule.due(start + secs(t));
            (t, due.merge, due.settle)
        })
        .collect()
}

#[test]
fn merges_every_second_and_settles_every_thirty_seconds_from_the_first_tick() {
    let start = Instant::now();
    let mut schedule = Schedule::default();
    let got = periodic(
        &mut schedule,
        start,
        &[0.0, 0.5, 1.0, 1.7, 2.0, 29.0, 30.0, 30.5, 31.0, 59.0, 60.0],
    );
    assert_eq!(
        got,
        vec![
            (0.0, true, true),
            (0.5, false, false),
            (1.0, true, false),
            (1.7, false, false),
            (2.0, true, false),
            (29.0, true, false),
            (30.0, true, true),
            (30.5, false, false),
            (31.0, true, false),
            (59.0, true, false),
            (60.0, true, true),
        ]
    );
}

#[test]
fn a_late_tick_counts_from_when_it_ran() {
    let start = Instant::now();
    let mut schedule = Schedule::default();
    // Ticks every second, one of them 3.5 s late: the settling counts from each run.
    let got = periodic(&mut schedule, start, &[0.0, 33.5, 34.5, 62.5, 63.5]);
    assert_eq!(
        got,
        vec![
            (0.0, true, true),
            (33.5, true, true),
            (34.5, true, false),
            (62.5, true, false),
            (63.5, true, true),
        ]
    );
}

#[test]
fn the_intervals_can_be_chosen() {
    let start = Instant::now();
    let mut schedule = Schedule::new(Intervals {
        merge: secs(0.25),
        settle: secs(1.0),
    });
    let got = periodic(&mut schedule, start, &[0.0, 0.25, 0.4, 0.5, 1.0]);
    assert_eq!(
        got,
        vec![
            (0.0, true, true),
            (0.25, true, false),
            (0.4, false, false),
            (0.5, true, false),
            (1.0, true, true),
        ]
    );
}

#[test]
fn a_changed_draft_is_due_for_publishing_until_its_copy_is_written() {
    let start = Instant::now();
    let mut schedule = Schedule::default();
    assert!(schedule.due(start).publish.is_empty());
    assert!(schedule.due(start + secs(0.5)).is_empty());

    schedule.changed("d1");
    schedule.changed("d2");
    schedule.changed("d1");
    // Due at once, between two merges: publishing does not wait for the period.
    let due = schedule.due(start + secs(0.6));
    assert!(!due.merge && !due.settle);
    assert_eq!(
        due.publish,
        BTreeSet::from(["d1".to_owned(), "d2".to_owned()])
    );

    // d1 written; d2's copy failed: d2 is due again at the next tick, and the one after.
    schedule.published("d1");
    assert_eq!(
        schedule.due(start + secs(1.0)).publish,
        BTreeSet::from(["d2".to_owned()])
    );
    assert_eq!(
        schedule.due(start + secs(2.0)).publish,
        BTreeSet::from(["d2".to_owned()])
    );
    schedule.published("d2");
    assert!(schedule.due(start + secs(3.0)).publish.is_empty());
}

#[test]
fn a_tick_names_each_changed_draft_once() {
    let id = diplomatie_domain::ItemId::from_uuid(uuid::Uuid::now_v7());
    let received = |id: &str| DraftReceived {
        id: id.to_owned(),
        created: false,
        changed: true,
        new_steps: Vec::new(),
        now_my_turn: false,
        released: None,
    };
    let tick = Tick {
        merged: true,
        received: vec![received(&id.to_string()), received("other")],
        renumbered: vec![Renumbered {
            item: id,
            provisional: "BERLIN 2026-PA1B2C-1".into(),
            number: "BERLIN 2026-1".into(),
        }],
        published: Vec::new(),
        problems: Vec::new(),
    };
    let mut expected = vec![id.to_string(), "other".to_owned()];
    expected.sort();
    assert_eq!(tick.changed_drafts(), expected);
    assert!(!tick.is_empty());
    assert!(Tick::default().is_empty());
}

#[test]
fn settings_name_the_places() {
    let settings = Settings {
        exchange_dir: Some("/srv/echange".into()),
        number_register: None,
        ..Settings::default()
    };
    assert_eq!(
        Places::from(&settings),
        Places {
            exchange: Some(PathBuf::from("/srv/echange")),
            register: None,
        }
    );
}

#[test]
fn run_calls_the_step_a_period_apart_until_it_breaks() {
    let period = Duration::from_millis(20);
    let mut instants = Vec::new();
    run(period, &Stop::default(), |now| {
        instants.push(now);
        if instants.len() == 4 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(instants.len(), 4);
    for pair in instants.windows(2) {
        assert!(pair[1] - pair[0] >= period, "{:?}", pair[1] - pair[0]);
    }
}

#[test]
fn a_stopped_runner_ends_without_waiting_for_its_period() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let runner = spawn("schedule-test", Duration::from_secs(3600), move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
        ControlFlow::Continue(())
    })
    .unwrap();
    let start = Instant::now();
    while calls.load(Ordering::SeqCst) == 0 && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
    }
    runner.stop();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "called at once, then stopped"
    );
}
