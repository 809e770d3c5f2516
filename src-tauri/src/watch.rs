//! The watcher: once a second, while a profile is unlocked, it merges the drafts the post's
//! other replicas wrote to the exchange folder (telling open editors, and notifying the user
//! when a draft now waits for them), offers the provisional numbers released here to the
//! numbering register every 30 s, asks the profile what arrived since it last looked
//! (whichever process stored it), tells the interface, notifies what the rules want, and
//! reminds unopened Flash items.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::drafting::{DraftsChangedEvent, OpenDraftEvent};
use crate::notify::{DraftRequest, draft_text, text_for, to_notify};
use crate::state::{AppState, Session};

const TICK: Duration = Duration::from_millis(1000);

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

/// What the watcher remembers between two looks.
#[derive(Debug, Default)]
struct Memo {
    /// The last error reading the exchange folder, logged once rather than every second.
    exchange_error: Option<String>,
    /// The copies that could not be merged at the last look (each logged once).
    copy_errors: std::collections::BTreeSet<String>,
    /// When provisional numbers were last offered to the numbering register.
    last_settle: Option<Instant>,
}

/// How often the provisional numbers released here are offered to the register.
const SETTLE_EVERY: Duration = Duration::from_secs(30);

/// Gives the texts released here with a provisional number their final number as soon as the
/// post's numbering register can be reached, and sends the new records to the other replicas.
fn settle_numbers(app: &AppHandle, session: &Arc<Session>, memo: &mut Memo, now: Instant) {
    if memo
        .last_settle
        .is_some_and(|at| now.duration_since(at) < SETTLE_EVERY)
    {
        return;
    }
    memo.last_settle = Some(now);
    let settings = session.settings();
    let Some(register) = settings.number_register else {
        return;
    };
    let settled = {
        let _edits = session.drafts_lock();
        let mut authority =
            diplomatie_client::numbering::FileAuthority::new(std::path::Path::new(&register));
        session.profile.settle_numbers(&mut authority)
    };
    let done = match settled {
        Ok(done) => done,
        Err(e) => {
            tracing::info!(error = %e, "provisional numbers wait for the register");
            return;
        }
    };
    if done.is_empty() {
        return;
    }
    tracing::info!(count = done.len(), "provisional numbers made final");
    let ids: Vec<String> = done.iter().map(|r| r.item.to_string()).collect();
    if let Some(dir) = settings.exchange_dir {
        for id in &ids {
            if let Err(e) = session
                .profile
                .publish_draft(std::path::Path::new(&dir), id)
            {
                tracing::warn!(error = %e, "could not publish a renumbered draft");
            }
        }
    }
    if let Err(e) = (DraftsChangedEvent { ids }).emit(app) {
        tracing::warn!(error = %e, "could not tell the interface about new numbers");
    }
    // The renumbered items are in the lists: refresh them, with nothing new to announce.
    let event = ArrivalsEvent {
        count: 0,
        action_count: 0,
    };
    if let Err(e) = event.emit(app) {
        tracing::warn!(error = %e, "could not tell the interface about new numbers");
    }
}

/// Merges the other replicas' copies from the exchange folder; tells open editors; notifies
/// the user of each draft that now waits for them.
fn collect_drafts(app: &AppHandle, state: &AppState, session: &Arc<Session>, memo: &mut Memo) {
    let Some(dir) = session.settings().exchange_dir else {
        return;
    };
    let collected = {
        let _edits = session.drafts_lock();
        session.profile.collect_drafts(std::path::Path::new(&dir))
    };
    let report = match collected {
        Ok(report) => report,
        Err(e) => {
            let error = e.to_string();
            if memo.exchange_error.as_ref() != Some(&error) {
                tracing::warn!(%error, "could not read the exchange folder");
                memo.exchange_error = Some(error);
            }
            return;
        }
    };
    memo.exchange_error = None;
    let copy_errors: std::collections::BTreeSet<String> =
        report.errors.iter().map(|e| e.file.clone()).collect();
    for error in &report.errors {
        if !memo.copy_errors.contains(&error.file) {
            tracing::warn!(file = %error.file, error = %error.error, "a draft copy was not merged");
        }
    }
    memo.copy_errors = copy_errors;
    if report.received.is_empty() {
        return;
    }
    let ids: Vec<String> = report.received.iter().map(|r| r.id.clone()).collect();
    tracing::info!(drafts = ids.len(), "merged drafts from the exchange folder");
    for received in &report.received {
        if let Some(item) = received.released {
            // Released here by the approver on another machine: it arrives as an item too.
            tracing::info!(%item, "a released draft arrived");
        }
    }
    if let Err(e) = (DraftsChangedEvent { ids }).emit(app) {
        tracing::warn!(error = %e, "could not tell the interface about merged drafts");
    }
    let lang = session.settings().language;
    for received in report.received.iter().filter(|r| r.now_my_turn) {
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
        let marking = draft
            .view
            .fields
            .marking
            .parse()
            .unwrap_or(diplomatie_domain::Marking::DiffusionRestreinte);
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

/// One look: drafts from the exchange folder, arrivals, notifications, reminders.
fn tick(app: &AppHandle, state: &AppState, session: &Arc<Session>, memo: &mut Memo) {
    collect_drafts(app, state, session, memo);
    settle_numbers(app, session, memo, Instant::now());
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
            show(app, state, &text_for(item, lang, false), item);
            if item.precedence == diplomatie_domain::Precedence::Flash {
                session.track_flash(item, now);
            }
        }
    }
    for item in session.due_reminders(now) {
        show(app, state, &text_for(&item, lang, true), &item);
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

/// Starts the watcher thread for the life of the app.
pub fn start(app: AppHandle, state: Arc<AppState>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("arrivals".into())
        .spawn(move || {
            let mut memo = Memo::default();
            loop {
                std::thread::sleep(TICK);
                if let Some(session) = state.session() {
                    tick(&app, &state, &session, &mut memo);
                }
            }
        })
        .map(|_| ())
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
