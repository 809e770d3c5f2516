//! What the app holds: the profile directory and, while unlocked, the open profile with the
//! watcher's bookkeeping, the drafts' worker (`diplomatie_client::schedule`: when drafts are
//! published, merged and renumbered, and the lock that keeps an edit and a merge apart) and
//! the sync with the relay (`sync.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use diplomatie_client::schedule::{Changed, DraftChange, Places, Tick, Worker};
use diplomatie_client::{ClientError, FeedCursor, ItemSummary, Profile, Settings};
use diplomatie_domain::ItemId;

use crate::devices::Linking;
use crate::error::CommandError;
use crate::notify::{FlashTracker, Notifier, Until};
use crate::sync::SyncState;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An unlocked profile.
#[derive(Debug)]
pub struct Session {
    pub profile: Profile,
    cursor: Mutex<FeedCursor>,
    /// Items written by this user in this app: not notified to them.
    own: Mutex<BTreeSet<ItemId>>,
    flash: Mutex<FlashTracker>,
    /// The Flash items being reminded, for the text of the reminder.
    flash_items: Mutex<BTreeMap<ItemId, ItemSummary>>,
    settings: Mutex<Settings>,
    /// The drafts' schedule for this profile: every local change of a draft goes through it
    /// (published at once), and the watcher ticks it.
    drafts: Worker,
    /// The sync with the relay: its lock, its schedule, its status.
    pub sync: SyncState,
}

impl Session {
    fn new(profile: Profile, flash_interval: Duration) -> Result<Self, CommandError> {
        let cursor = profile.feed_cursor()?;
        let settings = profile.settings()?;
        let sync = SyncState::new(&profile);
        Ok(Self {
            profile,
            cursor: Mutex::new(cursor),
            own: Mutex::new(BTreeSet::new()),
            flash: Mutex::new(FlashTracker::new(flash_interval)),
            flash_items: Mutex::new(BTreeMap::new()),
            settings: Mutex::new(settings),
            drafts: Worker::default(),
            sync,
        })
    }

    /// Where the drafts travel, as the settings say now.
    fn places(&self) -> Places {
        Places::from(&self.settings())
    }

    /// A local change of a draft, kept apart from merges, then published to the exchange
    /// folder (a failure is kept with the result, and the copy written again later).
    pub fn change_draft<T: DraftChange>(
        &self,
        change: impl FnOnce(&Profile) -> Result<T, ClientError>,
    ) -> Result<Changed<T>, ClientError> {
        self.drafts.change(&self.profile, &self.places(), change)
    }

    /// Runs `f` under the drafts' lock (a sync, which merges the drafts it receives).
    pub fn with_drafts_locked<T>(&self, f: impl FnOnce() -> T) -> T {
        self.drafts.with_drafts_locked(f)
    }

    /// What the drafts' schedule has due at `now`, done.
    pub fn tick_drafts(&self, now: std::time::Instant) -> Tick {
        self.drafts.tick(&self.profile, &self.places(), now)
    }

    pub fn cursor(&self) -> FeedCursor {
        *lock(&self.cursor)
    }

    pub fn set_cursor(&self, cursor: FeedCursor) {
        *lock(&self.cursor) = cursor;
    }

    pub fn mark_own(&self, id: ItemId) {
        lock(&self.own).insert(id);
    }

    pub fn own(&self) -> BTreeSet<ItemId> {
        lock(&self.own).clone()
    }

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    pub fn set_settings(&self, settings: Settings) {
        *lock(&self.settings) = settings;
    }

    /// A Flash was notified: remind it until `until` happens.
    pub fn track_flash(&self, item: &ItemSummary, now: std::time::Instant, until: Until) {
        lock(&self.flash).track(item.id, now, until);
        lock(&self.flash_items).insert(item.id, item.clone());
    }

    /// The item was opened or marked read: this ends the reminders of an item that cannot be
    /// acknowledged (those of one waiting for its acknowledgement go on).
    pub fn opened(&self, id: ItemId) {
        let mut flash = lock(&self.flash);
        flash.opened(id);
        self.forget_untracked(&flash, id);
    }

    /// The item was acknowledged: no more reminders.
    pub fn acknowledged(&self, id: ItemId) {
        let mut flash = lock(&self.flash);
        flash.acknowledged(id);
        self.forget_untracked(&flash, id);
    }

    /// Drops the text of an item no longer reminded.
    fn forget_untracked(&self, flash: &FlashTracker, id: ItemId) {
        if !flash.tracks(id) {
            lock(&self.flash_items).remove(&id);
        }
    }

    /// The Flash items due for a reminder at `now`, with what each waits for.
    pub fn due_reminders(&self, now: std::time::Instant) -> Vec<(ItemSummary, Until)> {
        let due = lock(&self.flash).due(now);
        let items = lock(&self.flash_items);
        due.iter()
            .filter_map(|(id, until)| items.get(id).map(|item| (item.clone(), *until)))
            .collect()
    }
}

/// The app's state, shared by the commands and the watcher.
pub struct AppState {
    pub profile_dir: PathBuf,
    session: RwLock<Option<Arc<Session>>>,
    pub notifier: Arc<dyn Notifier>,
    flash_interval: Duration,
    /// The device link under way, if any (the new device's side has no session yet).
    pub link: Linking,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("profile_dir", &self.profile_dir)
            .field("unlocked", &self.session().is_some())
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(profile_dir: PathBuf, notifier: Arc<dyn Notifier>, flash: Duration) -> Self {
        Self {
            profile_dir,
            session: RwLock::new(None),
            notifier,
            flash_interval: flash,
            link: Linking::default(),
        }
    }

    /// The unlocked profile, if any.
    pub fn session(&self) -> Option<Arc<Session>> {
        self.session
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The unlocked profile, or the error that says to unlock.
    pub fn unlocked(&self) -> Result<Arc<Session>, CommandError> {
        self.session().ok_or_else(CommandError::locked)
    }

    /// Makes `profile` the open one (closing any other).
    pub fn open(&self, profile: Profile) -> Result<Arc<Session>, CommandError> {
        let session = Arc::new(Session::new(profile, self.flash_interval)?);
        let previous = self
            .session
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(session.clone());
        if let Some(previous) = previous {
            previous.profile.forget_cached_key();
        }
        Ok(session)
    }

    /// Locks: the profile's key leaves the process cache and the store closes as soon as the
    /// commands still running on it finish; a device link under way is cancelled.
    pub fn lock(&self) {
        self.link.cancel();
        let previous = self
            .session
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(session) = previous {
            session.profile.forget_cached_key();
            match Arc::try_unwrap(session) {
                Ok(session) => session.profile.lock(),
                Err(shared) => drop(shared),
            }
        }
    }
}
