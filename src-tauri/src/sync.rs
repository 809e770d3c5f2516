//! The relay, sync and spaces commands, and the background sync.
//!
//! A profile joins a relay with a one-time token from the relay's operator (the settings'
//! "Réseau" section). From then on the watcher (`watch.rs`) asks every second whether a sync
//! is due ([`SyncSchedule`]) and runs it on the blocking pool: every 15 s, at once when the
//! user asks for it ("Synchroniser", a share, a new space), and after a failure later and
//! later, up to 2 minutes. An unreachable relay is the normal offline case: the status says
//! "hors ligne" and the next attempt comes by itself; it is never an error dialog. The items a
//! sync stores are found by the watcher's next look at the arrivals, which refreshes the lists
//! and raises the notifications as for any arrival (`notify.rs`'s rules: a Diffusion
//! Restreinte item never shows its subject). Drafts merged by a sync are announced as
//! `DraftsChangedEvent`s, so that open editors reload.
//!
//! One relay operation at a time per profile ([`SyncState`]'s lock): a sync, joining a relay,
//! creating or changing a space, a share, as all of them read and write the sync engine's
//! rows. A sync merges the drafts it receives under the drafts' lock, as the exchange folder's
//! merges are, so that an edit is never interleaved with it. The rules (what goes where, what
//! is accepted) are the client's (`diplomatie_client::sync`, `diplomatie_client::spaces`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use diplomatie_client::spaces::SpaceDetail;
use diplomatie_client::sync::{SyncProgress, SyncReport, check_url};
use diplomatie_client::{ClientError, Profile};
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::command::{Shared, blocking, parse_id};
use crate::contacts::identity_arg;
use crate::drafting::DraftsChangedEvent;
use crate::dto::*;
use crate::error::{CommandError, ErrorKind};
use crate::map;
use crate::state::{AppState, Session};

/// How often a profile that joined a relay syncs.
pub const SYNC_EVERY: Duration = Duration::from_secs(15);

/// The longest wait between two attempts while the relay cannot be reached.
pub const RETRY_AT_MOST: Duration = Duration::from_secs(120);

/// The least time between two progress reports sent to the interface during a catch-up.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// When the next sync is due: one period after the last, at once when asked, and after a
/// failure after a wait that doubles at each failure (one period, two, four…) up to
/// [`RETRY_AT_MOST`]. Pure: it is told the time.
#[derive(Debug, Clone)]
pub struct SyncSchedule {
    period: Duration,
    /// `None`: due now.
    next: Option<Instant>,
    /// The wait after the next failure.
    retry: Duration,
}

impl SyncSchedule {
    pub fn new(period: Duration) -> Self {
        Self {
            period,
            next: None,
            retry: period,
        }
    }

    /// Whether a sync is due at `now`.
    pub fn due(&self, now: Instant) -> bool {
        self.next.is_none_or(|at| now >= at)
    }

    /// Sync at once: the user asked, or something waits to be sent.
    pub fn asked(&mut self) {
        self.next = None;
    }

    /// A sync ended well (or found no relay to reach): the next one in a period, and the
    /// waits after failures start over.
    pub fn succeeded(&mut self, now: Instant) {
        self.retry = self.period;
        self.next = Some(now + self.period);
    }

    /// A sync failed: the next attempt after the current wait, which then doubles, up to
    /// [`RETRY_AT_MOST`]. Returns the wait.
    pub fn failed(&mut self, now: Instant) -> Duration {
        let wait = self.retry;
        self.next = Some(now + wait);
        self.retry = (self.retry * 2).min(RETRY_AT_MOST.max(self.period));
        wait
    }
}

/// The sync's status changed: the main window shows it.
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct SyncStatusEvent {
    pub status: SyncStatusDto,
}

/// The sync of one unlocked profile: its lock, its schedule and the status shown.
#[derive(Debug)]
pub struct SyncState {
    /// Held by each operation on the relay or the engine's rows: one at a time.
    one: Mutex<()>,
    schedule: Mutex<SyncSchedule>,
    status: Mutex<SyncStatusDto>,
    /// A background sync is on the blocking pool or waiting for the lock.
    running: AtomicBool,
}

impl SyncState {
    /// The state of a profile just unlocked: a first sync due at once when it joined a relay.
    pub fn new(profile: &Profile) -> Self {
        let relay = profile.relay_url().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not read which relay this profile joined");
            None
        });
        let pending = if relay.is_some() {
            pending_of(profile).unwrap_or_default()
        } else {
            0
        };
        let state = if relay.is_some() {
            SyncStateDto::Unknown
        } else {
            SyncStateDto::NotJoined
        };
        Self {
            one: Mutex::new(()),
            schedule: Mutex::new(SyncSchedule::new(SYNC_EVERY)),
            status: Mutex::new(SyncStatusDto {
                relay,
                state,
                syncing: false,
                pending,
                last_sync: None,
                error: None,
                progress: None,
                spaces_revision: 0,
            }),
            running: AtomicBool::new(false),
        }
    }

    /// The status now.
    pub fn status(&self) -> SyncStatusDto {
        lock(&self.status).clone()
    }

    /// Holds the relay lock: one operation on the relay or the engine's rows at a time.
    pub(crate) fn hold(&self) -> MutexGuard<'_, ()> {
        lock(&self.one)
    }

    /// Changes the status; returns it as it is then.
    fn set(&self, f: impl FnOnce(&mut SyncStatusDto)) -> SyncStatusDto {
        let mut status = lock(&self.status);
        f(&mut status);
        status.clone()
    }
}

fn pending_of(profile: &Profile) -> Option<u32> {
    match profile.pending_count() {
        Ok(n) => Some(u32::try_from(n).unwrap_or(u32::MAX)),
        Err(e) => {
            tracing::warn!(error = %e, "could not count what waits to be sent");
            None
        }
    }
}

/// Tells the interface the status, when `session` is still the open profile.
fn emit(app: &AppHandle, session: &Arc<Session>, status: SyncStatusDto) {
    let current = app
        .try_state::<Arc<AppState>>()
        .and_then(|s| s.session())
        .is_some_and(|s| Arc::ptr_eq(&s, session));
    if !current {
        return;
    }
    if let Err(e) = (SyncStatusEvent { status }).emit(app) {
        tracing::warn!(error = %e, "could not tell the interface the sync's status");
    }
}

/// Where a catch-up stands, as the interface shows it.
fn progress_dto(p: &SyncProgress) -> SyncProgressDto {
    SyncProgressDto {
        space: p.space.clone(),
        done: u32::try_from(p.done).unwrap_or(u32::MAX),
        total: p.total.map(|t| u32::try_from(t).unwrap_or(u32::MAX)),
    }
}

/// The drafts changed from `since` on (a sync's merges), for open editors to reload.
fn drafts_changed_since(profile: &Profile, since: OffsetDateTime) -> Vec<String> {
    match profile.drafts() {
        Ok(drafts) => drafts
            .into_iter()
            .filter(|d| d.updated_at >= since)
            .map(|d| d.id)
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "could not list the drafts a sync merged");
            Vec::new()
        }
    }
}

/// One sync, with the profile's relay lock held by the caller; the status and the schedule
/// follow what happened. `Ok(None)`: no relay joined. An unreachable relay is an error here
/// (`relay_unreachable`) for the callers that need the sync; the status says "offline".
pub(crate) fn sync_locked(
    app: &AppHandle,
    session: &Arc<Session>,
) -> Result<Option<SyncReport>, CommandError> {
    let sync = &session.sync;
    let relay = match session.profile.relay_url() {
        Ok(relay) => relay,
        Err(e) => {
            lock(&sync.schedule).failed(Instant::now());
            return Err(e.into());
        }
    };
    let Some(relay) = relay else {
        lock(&sync.schedule).succeeded(Instant::now());
        let status = sync.set(|s| {
            s.relay = None;
            s.state = SyncStateDto::NotJoined;
        });
        emit(app, session, status);
        return Ok(None);
    };
    let status = sync.set(|s| {
        s.relay = Some(relay);
        s.syncing = true;
        s.progress = None;
    });
    emit(app, session, status);

    let started = OffsetDateTime::now_utc();
    let mut reported: Option<Instant> = None;
    let result = session.with_drafts_locked(|| {
        session.profile.sync(&mut |p: &SyncProgress| {
            let status = sync.set(|s| s.progress = Some(progress_dto(p)));
            // A report with nothing to count (a space with nothing new) is not shown, and does
            // not hold back the first one that has: even a catch-up over in a second shows.
            if p.total.is_none_or(|t| t == 0) {
                return;
            }
            let now = Instant::now();
            if reported.is_none_or(|at| now.duration_since(at) >= PROGRESS_EVERY) {
                reported = Some(now);
                emit(app, session, status);
            }
        })
    });
    let now = Instant::now();
    match result {
        Ok(report) => {
            lock(&sync.schedule).succeeded(now);
            tracing::info!(
                joined = report.joined,
                commits = report.commits,
                delivered = report.delivered,
                applied = report.applied,
                refused = report.refused.len(),
                pending = report.pending,
                "synced with the relay"
            );
            let status = sync.set(|s| {
                s.state = SyncStateDto::Online;
                s.syncing = false;
                s.progress = None;
                s.error = None;
                s.pending = u32::try_from(report.pending).unwrap_or(u32::MAX);
                s.last_sync = Some(map::rfc3339(OffsetDateTime::now_utc()));
                if report.joined + report.commits > 0 {
                    s.spaces_revision = s.spaces_revision.wrapping_add(1);
                }
            });
            emit(app, session, status);
            // A draft that arrived asking the user to clear or approve it is notified, as from
            // the exchange folder.
            if !report.drafts.is_empty() {
                let state = app.state::<Arc<crate::state::AppState>>();
                crate::watch::notify_waiting_drafts(app, &state, session, &report.drafts);
            }
            if report.applied > 0 {
                let ids = drafts_changed_since(&session.profile, started);
                if !ids.is_empty()
                    && let Err(e) = (DraftsChangedEvent { ids }).emit(app)
                {
                    tracing::warn!(error = %e, "could not tell the interface about merged drafts");
                }
            }
            Ok(Some(report))
        }
        Err(e) => {
            let offline = matches!(e, ClientError::RelayUnreachable(_));
            let wait = lock(&sync.schedule).failed(now);
            if offline {
                tracing::info!(retry_in = ?wait, "the relay cannot be reached: offline");
            } else {
                tracing::warn!(error = %e, retry_in = ?wait, "the sync failed");
            }
            let error = CommandError::from(e);
            let pending = pending_of(&session.profile);
            let status = sync.set(|s| {
                s.syncing = false;
                s.progress = None;
                if let Some(pending) = pending {
                    s.pending = pending;
                }
                if offline {
                    s.state = SyncStateDto::Offline;
                    s.error = None;
                } else {
                    s.state = SyncStateDto::Error;
                    s.error = Some(error.clone());
                }
            });
            emit(app, session, status);
            Err(error)
        }
    }
}

/// Resets the "running" mark of a background sync, however it ends.
struct Running<'a>(&'a AtomicBool);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// The watcher's look, every second: starts a background sync on the blocking pool when one
/// is due and none is running.
pub fn tick(app: &AppHandle, session: &Arc<Session>, now: Instant) {
    let sync = &session.sync;
    if !lock(&sync.schedule).due(now) || sync.running.swap(true, Ordering::AcqRel) {
        return;
    }
    let app = app.clone();
    let session = Arc::clone(session);
    tauri::async_runtime::spawn_blocking(move || {
        let sync = &session.sync;
        let _running = Running(&sync.running);
        let _one = lock(&sync.one);
        // A sync asked for by the user may have run while this one waited for the lock.
        if lock(&sync.schedule).due(Instant::now()) {
            // Failures are in the status; nothing else to do with them here.
            let _ = sync_locked(&app, &session);
        }
    });
}

/// Something waits to be sent: a sync at once, and the count shown.
fn queued(app: &AppHandle, session: &Arc<Session>) -> SyncStatusDto {
    lock(&session.sync.schedule).asked();
    let pending = pending_of(&session.profile);
    let status = session.sync.set(|s| {
        if let Some(pending) = pending {
            s.pending = pending;
        }
    });
    emit(app, session, status.clone());
    status
}

/// The space the page names by the hex digits of its id (at least 8).
fn space_arg(raw: &str) -> Result<String, CommandError> {
    let hex = raw.trim();
    if hex.len() < 8 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(CommandError::new(
            ErrorKind::NotFound,
            "name the space by the hex digits of its id",
        ));
    }
    Ok(hex.to_owned())
}

/// A relay's address as the client takes it, or the form's error.
fn relay_address(raw: &str) -> Result<String, CommandError> {
    if raw.trim().is_empty() {
        return Err(CommandError::missing("relayUrl"));
    }
    check_url(raw).map_err(|e| {
        CommandError::new(ErrorKind::InvalidRelayAddress, e.to_string())
            .with_field("relayUrl")
            .with_detail(raw.trim())
    })
}

/// A refusal while joining, pointed at the field to correct: the address when the relay
/// cannot be reached, the token when the relay refuses.
fn join_error(e: ClientError) -> CommandError {
    match e {
        ClientError::RelayUnreachable(_) => CommandError::from(e).with_field("relayUrl"),
        ClientError::Relay(_) => CommandError::from(e).with_field("relayToken"),
        other => other.into(),
    }
}

pub(crate) fn not_joined() -> CommandError {
    CommandError::new(
        ErrorKind::RelayNotJoined,
        "this profile has joined no relay: join one in the settings (Network)",
    )
}

/// The sync's status: relay, online or offline, what waits to be sent, the last sync.
#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: Shared<'_>) -> Result<SyncStatusDto, CommandError> {
    let session = state.unlocked()?;
    Ok(session.sync.status())
}

/// Syncs now (after the sync running, if one is). An unreachable relay or a failed sync is
/// not an error of the command: the status says it.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(app: AppHandle, state: Shared<'_>) -> Result<SyncStatusDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let _one = lock(&session.sync.one);
        let _ = sync_locked(&app, &session);
        Ok(session.sync.status())
    })
    .await
}

/// Joins the relay at `url` with a one-time `token` from its operator: this device is
/// enrolled, its key packages published, and the address kept for every sync.
#[tauri::command]
#[specta::specta]
pub async fn join_relay(
    app: AppHandle,
    state: Shared<'_>,
    url: String,
    token: String,
) -> Result<SyncStatusDto, CommandError> {
    let session = state.unlocked()?;
    let token = Zeroizing::new(token);
    blocking(move || {
        let url = relay_address(&url)?;
        if token.trim().is_empty() {
            return Err(CommandError::missing("relayToken"));
        }
        let _one = lock(&session.sync.one);
        let joined = session
            .profile
            .join_relay(&url, &token)
            .map_err(join_error)?;
        tracing::info!("joined a relay");
        lock(&session.sync.schedule).asked();
        let pending = pending_of(&session.profile);
        let status = session.sync.set(|s| {
            s.relay = Some(joined);
            s.state = SyncStateDto::Online;
            s.error = None;
            if let Some(pending) = pending {
                s.pending = pending;
            }
        });
        emit(&app, &session, status.clone());
        Ok(status)
    })
    .await
}

/// The spaces this device is a member of, then those it was removed from (`removed_at`).
#[tauri::command]
#[specta::specta]
pub async fn spaces(state: Shared<'_>) -> Result<Vec<SpaceDto>, CommandError> {
    let session = state.unlocked()?;
    blocking(move || Ok(session.profile.spaces()?.iter().map(map::space).collect())).await
}

/// A space with its members, each device named by the contact whose card lists it.
#[tauri::command]
#[specta::specta]
pub async fn space(state: Shared<'_>, id: String) -> Result<SpaceDetailDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let which = space_arg(&id)?;
        Ok(map::space_detail(&session.profile.space(&which)?))
    })
    .await
}

/// Creates a space whose only member is this device; the relay learns of it at the next
/// sync, asked for at once.
#[tauri::command]
#[specta::specta]
pub async fn create_space(
    app: AppHandle,
    state: Shared<'_>,
    name: String,
    kind: SpaceKindDto,
    history_visible: bool,
) -> Result<SpaceDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let made = {
            let _one = lock(&session.sync.one);
            session
                .profile
                .create_space(&name, map::space_kind_in(kind), history_visible)
                .map_err(|e| match e {
                    ClientError::Space(_) => CommandError::from(e).with_field("spaceName"),
                    other => other.into(),
                })?
        };
        tracing::info!("a space created");
        queued(&app, &session);
        Ok(map::space(&made))
    })
    .await
}

/// Changes a space's members through the relay (`change`: an addition or a removal, given the
/// space and the contact as the page named them), with the relay lock held and after a sync,
/// so that the relay knows the space and this device has its latest epoch.
fn change_members(
    app: &AppHandle,
    session: &Arc<Session>,
    space: &str,
    contact: &str,
    change: impl FnOnce(&Profile, &str, &str) -> Result<SpaceDetail, ClientError>,
) -> Result<SpaceDetail, CommandError> {
    let which = space_arg(space)?;
    let who = identity_arg(contact)?;
    let _one = lock(&session.sync.one);
    if sync_locked(app, session)?.is_none() {
        return Err(not_joined());
    }
    Ok(change(&session.profile, &which, &who)?)
}

/// Adds a contact (named by their identity key) to a space through the relay: a sync first,
/// so that the relay knows the space and this device has its latest epoch, then a key
/// package of each of the contact's devices taken from the relay and the commit sent.
#[tauri::command]
#[specta::specta]
pub async fn add_to_space(
    app: AppHandle,
    state: Shared<'_>,
    space: String,
    contact: String,
) -> Result<SpaceDetailDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let detail = change_members(
            &app,
            &session,
            &space,
            &contact,
            Profile::add_to_space_via_relay,
        )?;
        tracing::info!(devices = detail.members.len(), "a contact added to a space");
        Ok(map::space_detail(&detail))
    })
    .await
}

/// Removes a contact (named by their identity key, all their devices) from a space through
/// the relay: a sync first, as for an addition, then the commit of a new epoch whose key their
/// devices never hold; the relay stops serving them the space at once. What they received
/// before stays with them. Refused (`space_refused`) when the contact is not a member.
#[tauri::command]
#[specta::specta]
pub async fn remove_from_space(
    app: AppHandle,
    state: Shared<'_>,
    space: String,
    contact: String,
) -> Result<SpaceDetailDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let detail = change_members(
            &app,
            &session,
            &space,
            &contact,
            Profile::remove_from_space_via_relay,
        )?;
        tracing::info!(
            devices = detail.members.len(),
            "a contact removed from a space"
        );
        Ok(map::space_detail(&detail))
    })
    .await
}

/// Hands the members of a space the keys of the epochs before the current one, so that a
/// member added again, or a newcomer, reads what was sent before. They leave at the next sync
/// (asked for now). Returns how many epochs are shared; 0: none to share.
#[tauri::command]
#[specta::specta]
pub async fn share_space_history(
    app: AppHandle,
    state: Shared<'_>,
    space: String,
) -> Result<u32, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let which = space_arg(&space)?;
        let epochs = {
            let _one = lock(&session.sync.one);
            session.profile.share_history(&which)?
        };
        tracing::info!(epochs, "a space's history shared with its members");
        if epochs > 0 {
            queued(&app, &session);
        }
        Ok(u32::try_from(epochs).unwrap_or(u32::MAX))
    })
    .await
}

/// Shares an item into a space: it goes to every member at the next sync (asked for now).
#[tauri::command]
#[specta::specta]
pub async fn share_item(
    app: AppHandle,
    state: Shared<'_>,
    item: String,
    space: String,
) -> Result<SyncStatusDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let id = parse_id(&item)?;
        let which = space_arg(&space)?;
        {
            let _one = lock(&session.sync.one);
            session.profile.share_item(id, &which)?;
        }
        tracing::info!("an item shared into a space");
        Ok(queued(&app, &session))
    })
    .await
}

/// Shares a draft into a space: its members receive it at the next sync (asked for now), and
/// every change made to it since, from here or from them, travels the same way.
#[tauri::command]
#[specta::specta]
pub async fn share_draft(
    app: AppHandle,
    state: Shared<'_>,
    draft: String,
    space: String,
) -> Result<SyncStatusDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let which = space_arg(&space)?;
        {
            let _one = lock(&session.sync.one);
            session.profile.share_draft(draft.trim(), &which)?;
        }
        tracing::info!("a draft shared into a space");
        Ok(queued(&app, &session))
    })
    .await
}

/// The spaces a draft is shared into.
#[tauri::command]
#[specta::specta]
pub async fn draft_spaces(state: Shared<'_>, draft: String) -> Result<Vec<SpaceDto>, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let ids = session.profile.draft_spaces(draft.trim())?;
        Ok(session
            .profile
            .spaces()?
            .iter()
            .filter(|s| ids.contains(&s.id))
            .map(map::space)
            .collect())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sync_comes_every_period_and_at_once_when_asked() {
        let t0 = Instant::now();
        let mut s = SyncSchedule::new(SYNC_EVERY);
        assert!(s.due(t0), "the first sync is due at once");
        s.succeeded(t0);
        assert!(!s.due(t0 + Duration::from_secs(14)));
        assert!(s.due(t0 + SYNC_EVERY));
        s.asked();
        assert!(s.due(t0 + Duration::from_secs(1)), "asked: due at once");
    }

    #[test]
    fn an_unreachable_relay_is_tried_again_later_and_later_up_to_two_minutes() {
        let t0 = Instant::now();
        let mut s = SyncSchedule::new(SYNC_EVERY);
        let waits: Vec<u64> = (0..6).map(|_| s.failed(t0).as_secs()).collect();
        assert_eq!(waits, [15, 30, 60, 120, 120, 120]);
        assert!(!s.due(t0 + Duration::from_secs(119)));
        assert!(s.due(t0 + RETRY_AT_MOST));
        // Reached again: back to every period, and the next failure waits one period.
        s.succeeded(t0);
        assert!(s.due(t0 + SYNC_EVERY));
        assert_eq!(s.failed(t0), SYNC_EVERY);
        // The user may still ask while waiting.
        s.asked();
        assert!(s.due(t0));
    }

    #[test]
    fn a_relay_address_is_checked_before_anything_is_sent() {
        assert_eq!(
            relay_address(" http://127.0.0.1:8080/ ").ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        let e = relay_address("relay.example").err();
        assert_eq!(
            e.as_ref().map(|e| (e.kind, e.field.as_deref())),
            Some((ErrorKind::InvalidRelayAddress, Some("relayUrl")))
        );
        let e = relay_address("  ").err();
        assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Missing));
    }

    #[test]
    fn joining_points_at_the_field_to_correct() {
        let e = join_error(ClientError::RelayUnreachable("http://127.0.0.1:9".into()));
        assert_eq!(
            (e.kind, e.field.as_deref(), e.detail.as_deref()),
            (
                ErrorKind::RelayUnreachable,
                Some("relayUrl"),
                Some("http://127.0.0.1:9")
            )
        );
        let e = join_error(ClientError::Relay(
            "the relay refused (403): this enrolment token is unknown".into(),
        ));
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (ErrorKind::RelayRefused, Some("relayToken"))
        );
        assert!(e.message.contains("token is unknown"));
    }

    #[test]
    fn a_space_is_named_by_its_id() {
        assert_eq!(space_arg(" 0123abcd ").ok().as_deref(), Some("0123abcd"));
        for bad in ["Poste de Berlin", "0123abc", ""] {
            assert_eq!(
                space_arg(bad).err().map(|e| e.kind),
                Some(ErrorKind::NotFound)
            );
        }
    }
}
