//! When the drafts travel: this replica's copy of a draft is written to the exchange folder
//! after each local change, the other replicas' copies are merged every second, and the texts
//! released here with a provisional number are offered to the post's numbering register every
//! 30 seconds. One schedule and one lock serve every program that opens a profile: the desktop
//! app's watcher, `diplo exchange collect --watch`, and later the sync engine.
//!
//! Three layers, from pure to threaded:
//!
//! - [`Schedule`] is pure bookkeeping. Told the time (`due(now)`), it says what is due: a
//!   merge, a settling of numbers, the drafts whose copy still has to be written. Told what
//!   happened (`changed`, `published`), it remembers. No I/O and no clock of its own, so its
//!   tests run made-up instants.
//! - [`Worker`] performs what is due on a profile: `tick(profile, places, now)` merges,
//!   settles and publishes, and returns a [`Tick`] that says what it did (drafts received,
//!   numbers made final, copies written, new problems), so that each caller maps it to its own
//!   events: the app to `DraftsChangedEvent`s and "clearance requested" notifications, the
//!   CLI to lines of text. `change(profile, places, f)` runs a local change of a draft under
//!   the worker's lock and publishes it at once; the same lock is held while the other
//!   replicas' copies are merged and numbers settled, so that an edit checked against the
//!   version the editor saw (`Profile::edit_draft_seen`) never interleaves with a merge.
//!   A copy that could not be written is written again at the next ticks until it is.
//!   Problems are logged once each (not every second) and reported once in a `Tick`.
//! - [`spawn`] (and [`run`], on the caller's thread) calls a step every period until stopped:
//!   the thread the app's watcher runs on, the loop of `--watch`.
//!
//! Where the work goes ([`Places`]: the exchange folder, the numbering register) is read from
//! the profile's settings by the caller at each tick, so that a folder joined or a register set
//! takes effect at the next one.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::drafting::{DraftReceived, DraftState, ReleaseOutcome, Renumbered};
use crate::numbering::FileAuthority;
use crate::{ClientError, Profile, Settings};

/// How often the other replicas' copies are merged.
pub const MERGE_EVERY: Duration = Duration::from_secs(1);

/// How often the provisional numbers released here are offered to the numbering register.
pub const SETTLE_EVERY: Duration = Duration::from_secs(30);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How often each periodic task runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intervals {
    pub merge: Duration,
    pub settle: Duration,
}

impl Default for Intervals {
    fn default() -> Self {
        Self {
            merge: MERGE_EVERY,
            settle: SETTLE_EVERY,
        }
    }
}

/// What is due at one instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Due {
    /// Merge the other replicas' copies.
    pub merge: bool,
    /// Offer the provisional numbers to the register.
    pub settle: bool,
    /// Drafts changed here whose copy has not been written yet.
    pub publish: BTreeSet<String>,
}

impl Due {
    pub fn is_empty(&self) -> bool {
        !self.merge && !self.settle && self.publish.is_empty()
    }
}

/// The schedule's bookkeeping: when each task last ran, which copies wait to be written.
/// Pure: time comes in as a parameter.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    intervals: Intervals,
    last_merge: Option<Instant>,
    last_settle: Option<Instant>,
    unpublished: BTreeSet<String>,
}

impl Schedule {
    pub fn new(intervals: Intervals) -> Self {
        Self {
            intervals,
            ..Self::default()
        }
    }

    /// Draft `id` changed here: its copy is due to be written.
    pub fn changed(&mut self, id: &str) {
        self.unpublished.insert(id.to_owned());
    }

    /// Draft `id`'s copy is written (or there is no folder to write it to).
    pub fn published(&mut self, id: &str) {
        self.unpublished.remove(id);
    }

    /// What is due at `now`. A periodic task is due on the first call and then once its
    /// interval has passed since it was last due; it counts as done from this call. The
    /// copies to write stay due until `published`.
    pub fn due(&mut self, now: Instant) -> Due {
        fn take(last: &mut Option<Instant>, every: Duration, now: Instant) -> bool {
            let due = last.is_none_or(|at| now.saturating_duration_since(at) >= every);
            if due {
                *last = Some(now);
            }
            due
        }
        Due {
            merge: take(&mut self.last_merge, self.intervals.merge, now),
            settle: take(&mut self.last_settle, self.intervals.settle, now),
            publish: self.unpublished.clone(),
        }
    }
}

/// Where the drafts travel: the exchange folder shared with the post's other replicas, and
/// the post's numbering register. Either may be absent (then its tasks do nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    pub exchange: Option<PathBuf>,
    pub register: Option<PathBuf>,
}

impl From<&Settings> for Places {
    fn from(settings: &Settings) -> Self {
        Self {
            exchange: settings.exchange_dir.as_ref().map(PathBuf::from),
            register: settings.number_register.as_ref().map(PathBuf::from),
        }
    }
}

/// What one tick did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tick {
    /// Whether the other replicas' copies were looked at.
    pub merged: bool,
    /// Drafts the other replicas' copies brought something new to.
    pub received: Vec<DraftReceived>,
    /// Provisional numbers made final (the new records are published to the other replicas).
    pub renumbered: Vec<Renumbered>,
    /// Drafts whose copy was written to the exchange folder.
    pub published: Vec<String>,
    /// Problems seen for the first time (each is reported once, until it goes away).
    pub problems: Vec<String>,
}

impl Tick {
    /// Whether anything changed in the profile or the folder, or went wrong.
    pub fn is_empty(&self) -> bool {
        self.received.is_empty()
            && self.renumbered.is_empty()
            && self.published.is_empty()
            && self.problems.is_empty()
    }

    /// The drafts that changed here because of this tick (merged or renumbered), once each.
    pub fn changed_drafts(&self) -> Vec<String> {
        let ids: BTreeSet<String> = self
            .received
            .iter()
            .map(|r| r.id.clone())
            .chain(self.renumbered.iter().map(|r| r.item.to_string()))
            .collect();
        ids.into_iter().collect()
    }
}

/// The result of a local change of a draft, with whether its copy could be written to the
/// exchange folder (the change is kept either way, and the copy is written again later).
#[derive(Debug, Clone)]
pub struct Changed<T> {
    pub value: T,
    pub publish_error: Option<String>,
}

/// What a local change returns, and the draft it changed.
pub trait DraftChange {
    fn draft_id(&self) -> String;
}

impl DraftChange for DraftState {
    fn draft_id(&self) -> String {
        self.id.clone()
    }
}

impl DraftChange for ReleaseOutcome {
    fn draft_id(&self) -> String {
        self.item.to_string()
    }
}

/// The problems already reported, so that each is logged once rather than every second.
#[derive(Debug, Default)]
struct Reported {
    exchange: Option<String>,
    copies: BTreeSet<String>,
    settle: Option<String>,
    publish: BTreeMap<String, String>,
}

/// A copy that could not be written: why, and whether this is the first time it was seen.
#[derive(Debug)]
struct Failure {
    error: String,
    new: bool,
}

/// Performs the schedule on a profile; holds the lock that serialises local changes of drafts
/// with merges. One per open profile.
#[derive(Debug, Default)]
pub struct Worker {
    schedule: Mutex<Schedule>,
    drafts: Mutex<()>,
    reported: Mutex<Reported>,
}

impl Worker {
    pub fn new(intervals: Intervals) -> Self {
        Self {
            schedule: Mutex::new(Schedule::new(intervals)),
            ..Self::default()
        }
    }

    /// Runs `change` (a local change of one draft) under the drafts' lock, then writes the
    /// draft's copy to the exchange folder, when there is one.
    pub fn change<T: DraftChange>(
        &self,
        profile: &Profile,
        places: &Places,
        change: impl FnOnce(&Profile) -> Result<T, ClientError>,
    ) -> Result<Changed<T>, ClientError> {
        let value = {
            let _drafts = lock(&self.drafts);
            change(profile)?
        };
        let id = value.draft_id();
        lock(&self.schedule).changed(&id);
        let publish_error = self.publish(profile, places, &id).err().map(|f| f.error);
        Ok(Changed {
            value,
            publish_error,
        })
    }

    /// Runs `f` under the drafts' lock: for a change that touches no single draft, or whose
    /// copy the caller writes itself.
    pub fn with_drafts_locked<T>(&self, f: impl FnOnce() -> T) -> T {
        let _drafts = lock(&self.drafts);
        f()
    }

    /// Does what is due at `now`: merges the other replicas' copies, settles provisional
    /// numbers, writes the copies that wait to be written. Never fails: what went wrong is in
    /// `problems` (once) and the log, and is tried again at the next tick that has it due.
    pub fn tick(&self, profile: &Profile, places: &Places, now: Instant) -> Tick {
        let due = lock(&self.schedule).due(now);
        let mut tick = Tick::default();
        if due.merge
            && let Some(dir) = &places.exchange
        {
            tick.merged = true;
            self.merge(profile, dir, &mut tick);
        }
        let mut publish = due.publish;
        if due.settle {
            if let Some(register) = &places.register {
                self.settle(profile, register, &mut tick);
            }
            let mut schedule = lock(&self.schedule);
            for r in &tick.renumbered {
                let id = r.item.to_string();
                schedule.changed(&id);
                publish.insert(id);
            }
        }
        for id in publish {
            match self.publish(profile, places, &id) {
                Ok(true) => tick.published.push(id),
                Ok(false) => {}
                Err(failure) if failure.new => {
                    tick.problems.push(format!("{id}: {}", failure.error));
                }
                Err(_) => {}
            }
        }
        tick
    }

    /// Writes draft `id`'s copy when there is a folder (`Ok(true)`); without one there is
    /// nothing to write (`Ok(false)`). A failure is logged the first time it is seen, and the
    /// copy stays due.
    fn publish(&self, profile: &Profile, places: &Places, id: &str) -> Result<bool, Failure> {
        let Some(dir) = &places.exchange else {
            lock(&self.schedule).published(id);
            return Ok(false);
        };
        match profile.publish_draft(dir, id) {
            Ok(_) => {
                lock(&self.schedule).published(id);
                lock(&self.reported).publish.remove(id);
                Ok(true)
            }
            Err(e) => {
                let error = e.to_string();
                let mut reported = lock(&self.reported);
                let new = reported.publish.get(id) != Some(&error);
                if new {
                    tracing::warn!(%error, "could not publish a draft to the exchange folder");
                    reported.publish.insert(id.to_owned(), error.clone());
                }
                Err(Failure { error, new })
            }
        }
    }

    fn merge(&self, profile: &Profile, dir: &Path, tick: &mut Tick) {
        let collected = {
            let _drafts = lock(&self.drafts);
            profile.collect_drafts(dir)
        };
        let mut reported = lock(&self.reported);
        let report = match collected {
            Ok(report) => report,
            Err(e) => {
                let error = e.to_string();
                if reported.exchange.as_ref() != Some(&error) {
                    tracing::warn!(%error, "could not read the exchange folder");
                    tick.problems.push(error.clone());
                    reported.exchange = Some(error);
                }
                return;
            }
        };
        reported.exchange = None;
        let mut copies = BTreeSet::new();
        for error in &report.errors {
            if !reported.copies.contains(&error.file) {
                tracing::warn!(file = %error.file, error = %error.error, "a draft copy was not merged");
                tick.problems
                    .push(format!("{}: {}", error.file, error.error));
            }
            copies.insert(error.file.clone());
        }
        reported.copies = copies;
        if !report.received.is_empty() {
            tracing::info!(
                drafts = report.received.len(),
                "merged drafts from the exchange folder"
            );
        }
        tick.received = report.received;
    }

    fn settle(&self, profile: &Profile, register: &Path, tick: &mut Tick) {
        let settled = {
            let _drafts = lock(&self.drafts);
            profile.settle_numbers(&mut FileAuthority::new(register))
        };
        let mut reported = lock(&self.reported);
        match settled {
            Ok(done) => {
                reported.settle = None;
                if !done.is_empty() {
                    tracing::info!(count = done.len(), "provisional numbers made final");
                }
                tick.renumbered = done;
            }
            Err(e) => {
                let error = e.to_string();
                tracing::info!(%error, "provisional numbers wait for the register");
                if reported.settle.as_ref() != Some(&error) {
                    tick.problems.push(error.clone());
                    reported.settle = Some(error);
                }
            }
        }
    }
}

/// Stops a [`run`] loop (or a [`spawn`]ed one) from another thread, at once: the loop does not
/// wait for the end of its period.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<(Mutex<bool>, Condvar)>);

impl Stop {
    pub fn stop(&self) {
        let (stopped, wake) = &*self.0;
        *lock(stopped) = true;
        wake.notify_all();
    }

    pub fn is_stopped(&self) -> bool {
        *lock(&self.0.0)
    }

    /// Waits until `deadline` or a stop, whichever comes first; true when stopped.
    fn wait_until(&self, deadline: Instant) -> bool {
        let (stopped, wake) = &*self.0;
        let mut guard = lock(stopped);
        loop {
            if *guard {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            guard = wake
                .wait_timeout(guard, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// Calls `step(now)` at once and then `period` after each call returns, on this thread, until
/// `stop` is stopped or `step` breaks. Successive instants are therefore at least `period`
/// apart, so that a task due every `period` runs at every call.
pub fn run(period: Duration, stop: &Stop, mut step: impl FnMut(Instant) -> ControlFlow<()>) {
    loop {
        if stop.is_stopped() || step(Instant::now()).is_break() {
            return;
        }
        if stop.wait_until(Instant::now() + period) {
            return;
        }
    }
}

/// A [`run`] loop on a thread of its own; stopped and joined when dropped.
#[derive(Debug)]
pub struct Runner {
    stop: Stop,
    thread: Option<JoinHandle<()>>,
}

/// Starts `step` on a thread named `name`, called as [`run`] calls it.
pub fn spawn(
    name: &str,
    period: Duration,
    step: impl FnMut(Instant) -> ControlFlow<()> + Send + 'static,
) -> std::io::Result<Runner> {
    let stop = Stop::default();
    let stopper = stop.clone();
    let thread = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || run(period, &stopper, step))?;
    Ok(Runner {
        stop,
        thread: Some(thread),
    })
}

impl Runner {
    /// Stops the loop and waits for its current step to finish.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.stop();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::warn!("a scheduled step panicked");
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.halt();
    }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
