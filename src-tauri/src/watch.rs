//! The watcher: once a second, while a profile is unlocked, it ticks the profile's drafts
//! worker (`diplomatie_client::schedule`: it merges the drafts the post's other replicas wrote
//! to the exchange folder every second, and offers the provisional numbers released here to
//! the numbering register every 30 s), and maps what the worker did to the interface's events
//! (open editors reload, lists refresh) and to a notification for each draft that now waits
//! for the user. Then it asks the profile what arrived since it last looked (whichever
//! process stored it), tells the interface, notifies what the rules want, and reminds Flash
//! items: until they are opened, or, for a released text addressed to the user for action,
//! until they acknowledge it. It also starts the background sync with the relay when one is
//! due (`sync.rs`; the sync runs on the blocking pool, and the items it stores are arrivals
//! like any other). The thread is the client's runner (`schedule::spawn`).

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diplomatie_client::schedule::{self, Tick};

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::acknowledgement::acknowledgeable;
use crate::drafting::{DraftsChangedEvent, OpenDraftEvent};
use crate::notify::{DraftRequest, Until, draft_text, text_for, to_notify};
use crate::state::{AppState, Session};

/// The watcher's period: the drafts' merges (due every second) and the arrivals.
const TICK: Duration = diplomatie_client::schedule::MERGE_EVERY;

/// New items are in the profile, or items changed (a provisional number made final): refresh
/// the lists.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct ArrivalsEvent {
    /// How many are new; 0 when items only changed (nothing to announce).
    pub count: u32,
    pub action_count: u32,
}

/// Show this item (a notification was clicked).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct OpenItemEvent {
    pub id: String,
}

/// Brings the main window forward and asks the interface to show `id`.
fn focus_on(app: &AppHandle, id: String) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Err(e) = (OpenItemEvent { id }).emit(app) {
        tracing::warn!(error = %e, "could not ask the interface to open an item");
    }
}

/// Brings the main window forward and asks the interface to show draft `id`.
fn focus_on_draft(app: &AppHandle, id: String) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Err(e) = (OpenDraftEvent { id }).emit(app) {
        tracing::warn!(error = %e, "could not ask the interface to open a draft");
    }
}

/// Maps what the drafts' worker did in one tick to the interface's events: the drafts that
/// changed (open editors reload them), the lists to refresh when numbers were made final, and
/// a notification for each draft that now waits for the user.
fn drafts_ticked(app: &AppHandle, state: &AppState, session: &Arc<Session>, tick: &Tick) {
    let ids = tick.changed_drafts();
    if ids.is_empty() {
        return;
    }
    for received in &tick.received {
        if let Some(item) = received.released {
            // Released here by the approver on another machine: it arrives as an item too.
            tracing::info!(%item, "a released draft arrived");
        }
    }
    if let Err(e) = (DraftsChangedEvent { ids }).emit(app) {
        tracing::warn!(error = %e, "could not tell the interface about changed drafts");
    }
    if !tick.renumbered.is_empty() {
        // The renumbered items are in the lists: refresh them, with nothing new to announce.
        let event = ArrivalsEvent {
            count: 0,
            action_count: 0,
        };
        if let Err(e) = event.emit(app) {
            tracing::warn!(error = %e, "could not tell the interface about new numbers");
        }
    }
    notify_waiting_drafts(app, state, session, &tick.received);
}

/// A notification for each draft received (from the exchange folder or by sync) that now
/// waits for the user: to clear, to approve, or returned to them.
pub(crate) fn notify_waiting_drafts(
    app: &AppHandle,
    state: &AppState,
    session: &Arc<Session>,
    received: &[diplomatie_client::drafting::DraftReceived],
) {
    let lang = session.settings().language;
    for received in received.iter().filter(|r| r.now_my_turn) {
        let draft = match session.profile.draft(&received.id) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "could not read a merged draft");
                continue;
            }
        };
        let Some(request) = request_of(draft.stage, received) else {
            continue;
        };
        // A draft marked NP overall but holding a DR paragraph is DR here: no subject.
        let marking = draft.view.effective_marking();
        let text = draft_text(
            request,
            draft.kind,
            marking,
            &draft.view.fields.subject,
            lang,
        );
        tracing::info!(
            stage = draft.stage.code(),
            "notifying a draft that waits for the user"
        );
        let app = app.clone();
        let id = received.id.clone();
        state
            .notifier
            .show(&text, Box::new(move || focus_on_draft(&app, id)));
    }
}

/// What a draft that now waits for the user asks of them; `None` when there is nothing to say
/// (a new draft of theirs from another of their devices is not a request).
fn request_of(
    stage: diplomatie_domain::Stage,
    received: &diplomatie_client::drafting::DraftReceived,
) -> Option<DraftRequest> {
    use diplomatie_domain::Stage;
    match stage {
        Stage::InClearance => Some(DraftRequest::Clearance),
        Stage::ReadyForApproval | Stage::Approved => Some(DraftRequest::Approval),
        Stage::Draft if received.new_steps.iter().any(|s| s.step == "reject") => {
            Some(DraftRequest::Returned)
        }
        _ => None,
    }
}

/// One look: what the drafts' schedule has due (merges, numbers), arrivals, notifications,
/// reminders.
fn tick(app: &AppHandle, state: &AppState, session: &Arc<Session>, now: Instant) {
    let drafts = session.tick_drafts(now);
    drafts_ticked(app, state, session, &drafts);
    let lang = session.settings().language;
    let mut arrivals = Vec::new();
    let mut cursor = session.cursor();
    // Bounded: a huge import is reported over several ticks.
    for _ in 0..20 {
        match session.profile.arrivals_since(cursor) {
            Ok((batch, next)) if !batch.is_empty() => {
                arrivals.extend(batch);
                cursor = next;
            }
            Ok(_) => break,
            Err(e) => {
                tracing::warn!(error = %e, "could not read arrivals");
                break;
            }
        }
    }
    session.set_cursor(cursor);
    let now = Instant::now();
    if !arrivals.is_empty() {
        let action_count = arrivals
            .iter()
            .filter(|s| s.route == Some(diplomatie_domain::Route::Action))
            .count();
        let event = ArrivalsEvent {
            count: u32::try_from(arrivals.len()).unwrap_or(u32::MAX),
            action_count: u32::try_from(action_count).unwrap_or(u32::MAX),
        };
        if let Err(e) = event.emit(app) {
            tracing::warn!(error = %e, "could not tell the interface about arrivals");
        }
        let rules = session.settings().notify;
        let own = session.own();
        for item in to_notify(&arrivals, &own, &rules) {
            show(app, state, &text_for(item, lang, None), item);
            if item.precedence == diplomatie_domain::Precedence::Flash {
                let until = if acknowledgeable(&session.profile, item) {
                    Until::Acknowledged
                } else {
                    Until::Opened
                };
                session.track_flash(item, now, until);
            }
        }
    }
    crate::sync::tick(app, session, now);
    for (item, until) in session.due_reminders(now) {
        // Acknowledged elsewhere meanwhile (`diplo ack`, another of the user's devices):
        // nothing more to remind.
        if until == Until::Acknowledged
            && session.profile.acknowledged_by_me(item.id).unwrap_or(false)
        {
            session.acknowledged(item.id);
            continue;
        }
        show(app, state, &text_for(&item, lang, Some(until)), &item);
    }
}

fn show(
    app: &AppHandle,
    state: &AppState,
    text: &crate::notify::NotificationText,
    item: &diplomatie_client::ItemSummary,
) {
    let app = app.clone();
    let id = item.id.to_string();
    tracing::info!(kind = item.kind.code(), "notifying an arrival");
    state
        .notifier
        .show(text, Box::new(move || focus_on(&app, id)));
}

/// Starts the watcher thread for the life of the app (the app keeps its runner).
pub fn start(app: AppHandle, state: Arc<AppState>) -> std::io::Result<()> {
    let handle = app.clone();
    let runner = schedule::spawn("arrivals", TICK, move |now| {
        if let Some(session) = state.session() {
            tick(&handle, &state, &session, now);
        }
        ControlFlow::Continue(())
    })?;
    app.manage(runner);
    Ok(())
}

#[cfg(test)]
mod tests {
    use diplomatie_client::drafting::{DraftReceived, LogView};
    use diplomatie_domain::Stage;

    use super::*;

    fn received(steps: &[&str]) -> DraftReceived {
        DraftReceived {
            id: "d".into(),
            created: false,
            changed: true,
            new_steps: steps
                .iter()
                .map(|s| LogView {
                    actor: "Bob".into(),
                    at: String::new(),
                    step: (*s).into(),
                    comment: None,
                    refused: None,
                    reset: Vec::new(),
                    heads: Vec::new(),
                    signer: None,
                })
                .collect(),
            now_my_turn: true,
            released: None,
        }
    }

    #[test]
    fn a_draft_that_now_waits_for_the_user_says_what_it_asks() {
        assert_eq!(
            request_of(Stage::InClearance, &received(&["submit"])),
            Some(DraftRequest::Clearance)
        );
        assert_eq!(
            request_of(Stage::ReadyForApproval, &received(&["clear"])),
            Some(DraftRequest::Approval)
        );
        assert_eq!(
            request_of(Stage::Draft, &received(&["reject"])),
            Some(DraftRequest::Returned)
        );
        // The user's own new draft arriving from another of their devices asks nothing.
        assert_eq!(request_of(Stage::Draft, &received(&["created"])), None);
        assert_eq!(request_of(Stage::Released, &received(&["release"])), None);
    }
}
