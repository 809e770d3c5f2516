//! The drafting commands: list, open and create drafts, apply the editor's edits, take
//! clearance steps, release (numbered from the post's register when one is set), history and
//! diffs, comments, and the check of a released item's signature. Each command runs one
//! service of `diplomatie-client` on the blocking pool; each change of a draft goes through
//! the profile's drafts worker (`diplomatie_client::schedule`), which keeps it apart from
//! merges and writes it to the exchange folder, when one is set, for the post's other
//! replicas (the watcher ticks the worker, which merges theirs: `watch.rs`).

use std::path::Path;
use std::sync::Arc;

use diplomatie_client::ClientError;
use diplomatie_client::drafting::{DraftState, VersionRef};
use diplomatie_client::numbering::FileAuthority;
use diplomatie_client::schedule::Changed;
use diplomatie_domain::ItemId;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;
use tauri_specta::Event;

use crate::dto::*;
use crate::error::{CommandError, ErrorKind};
use crate::map;
use crate::state::AppState;

type Shared<'a> = State<'a, Arc<AppState>>;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::internal(format!("a background task failed: {e}")))?
}

/// Drafts changed in this profile because another replica's changes were merged: an open
/// editor reloads them.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct DraftsChangedEvent {
    pub ids: Vec<String>,
}

/// Show this draft (a "clearance requested" notification was clicked).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct OpenDraftEvent {
    pub id: String,
}

/// The draft after a local change, as the session's user sees it, with why its copy could
/// not be written to the exchange folder, if it could not (the change itself is kept, and the
/// copy written again later).
fn changed(change: Changed<DraftState>) -> DraftDto {
    let mut dto = map::draft(&change.value, &change.value.me);
    dto.publish_error = change.publish_error;
    dto
}

/// Joins the exchange folder `dir` with the passphrase the post's members share (or sets it
/// up with this passphrase when it has none yet), and makes it this profile's exchange
/// folder. Returns the settings and whether the folder was set up now.
#[tauri::command]
#[specta::specta]
pub async fn join_exchange(
    state: Shared<'_>,
    dir: String,
    passphrase: String,
) -> Result<JoinExchangeDto, CommandError> {
    let session = state.unlocked()?;
    let passphrase = zeroize::Zeroizing::new(passphrase);
    blocking(move || {
        let dir = dir.trim().to_owned();
        let created = session
            .profile
            .join_exchange(Path::new(&dir), &passphrase, None)
            .map_err(|e| match e {
                // A wrong passphrase or a damaged key file: said as such.
                ClientError::InvalidSetting(_) => {
                    CommandError::new(ErrorKind::ExchangeRefused, e.to_string())
                }
                other => other.into(),
            })?;
        let mut settings = session.settings();
        settings.exchange_dir = Some(dir);
        session.profile.save_settings(&settings)?;
        session.set_settings(settings);
        Ok(JoinExchangeDto {
            created,
            settings: map::settings(&session.settings()),
        })
    })
    .await
}

/// Every draft of the profile, the most recently changed first.
#[tauri::command]
#[specta::specta]
pub async fn drafts(state: Shared<'_>) -> Result<Vec<DraftSummaryDto>, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        Ok(session
            .profile
            .drafts()?
            .iter()
            .map(map::draft_summary)
            .collect())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn open_draft(state: Shared<'_>, id: String) -> Result<DraftDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let state = session.profile.draft(&id)?;
        Ok(map::draft(&state, &state.me))
    })
    .await
}

/// A new draft of `kind`, drafted by this user.
#[tauri::command]
#[specta::specta]
pub async fn create_draft(state: Shared<'_>, kind: KindDto) -> Result<DraftDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let draft = session.change_draft(|p| p.create_draft(map::kind_in(kind)))?;
        Ok(changed(draft))
    })
    .await
}

/// Starts the correction of a released item: a new draft prefilled from it, referencing it.
#[tauri::command]
#[specta::specta]
pub async fn correct_release(state: Shared<'_>, id: String) -> Result<DraftDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let draft = session.change_draft(|p| p.correct_release(&id))?;
        Ok(changed(draft))
    })
    .await
}

/// Applies the editor's edits in order, all or none. Their positions and paragraph indices
/// are those of the version the editor saw (`heads`, from the draft it was sent): when the
/// draft has changed since (another replica's changes merged by the watcher), nothing is
/// applied and `stale_draft` says so; the editor reloads, carries its edits over the newer
/// text and sends them again. Empty `heads`: no check.
#[tauri::command]
#[specta::specta]
pub async fn edit_draft(
    state: Shared<'_>,
    id: String,
    heads: Vec<String>,
    edits: Vec<DraftEditDto>,
) -> Result<DraftDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let edits: Vec<_> = edits.iter().map(map::draft_edit_in).collect();
        let seen = (!heads.is_empty()).then_some(heads.as_slice());
        let draft = session.change_draft(|p| p.edit_draft_seen(&id, seen, &edits))?;
        Ok(changed(draft))
    })
    .await
}

/// Submit, clear, reject, approve or withdraw.
#[tauri::command]
#[specta::specta]
pub async fn draft_step(
    state: Shared<'_>,
    id: String,
    step: DraftStepDto,
) -> Result<DraftDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let draft = session.change_draft(|p| p.draft_step(&id, map::draft_step_in(&step)))?;
        Ok(changed(draft))
    })
    .await
}

/// Releases an approved draft: numbered (from the post's register when the settings name
/// one and it can be reached; provisionally otherwise), frozen, signed, stored.
#[tauri::command]
#[specta::specta]
pub async fn release_draft(
    state: Shared<'_>,
    id: String,
) -> Result<ReleaseOutcomeDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let register = session.settings().number_register;
        let mut authority = register.map(|path| FileAuthority::new(Path::new(&path)));
        let released = session.change_draft(|p| {
            p.release_draft(
                &id,
                authority
                    .as_mut()
                    .map(|a| a as &mut dyn diplomatie_client::numbering::NumberAuthority),
            )
        })?;
        let outcome = released.value;
        // The approver is not notified of their own telegram.
        session.mark_own(outcome.item);
        let draft = Changed {
            value: session.profile.draft(&id)?,
            publish_error: released.publish_error,
        };
        Ok(ReleaseOutcomeDto {
            item: outcome.item.to_string(),
            number: outcome.number,
            provisional: outcome.provisional,
            signature: outcome.signature,
            draft: changed(draft),
        })
    })
    .await
}

/// Names the current version (it appears in the history).
#[tauri::command]
#[specta::specta]
pub async fn name_draft_version(
    state: Shared<'_>,
    id: String,
    label: String,
) -> Result<DraftDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let draft = session.change_draft(|p| p.name_draft_version(&id, &label))?;
        Ok(changed(draft))
    })
    .await
}

fn version_ref(n: Option<u32>) -> VersionRef {
    n.map_or(VersionRef::Current, |n| {
        VersionRef::Number(usize::try_from(n).unwrap_or(usize::MAX))
    })
}

/// What changed between two versions (numbers from the history; `None`: the draft now).
#[tauri::command]
#[specta::specta]
pub async fn draft_diff(
    state: Shared<'_>,
    id: String,
    from: Option<u32>,
    to: Option<u32>,
) -> Result<DraftDiffDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let diff = session
            .profile
            .draft_diff(&id, &version_ref(from), &version_ref(to))?;
        Ok(map::draft_diff(&diff))
    })
    .await
}

/// What changed since `heads` (a reset clearer's `clearedBefore`).
#[tauri::command]
#[specta::specta]
pub async fn draft_changes_since(
    state: Shared<'_>,
    id: String,
    heads: Vec<String>,
) -> Result<DraftDiffDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let diff = session.profile.draft_changes_since(&id, &heads)?;
        Ok(map::draft_diff(&diff))
    })
    .await
}

/// Anchors a comment to `start..end` (UTF-16 units) of a paragraph (its id).
#[tauri::command]
#[specta::specta]
pub async fn comment_draft(
    state: Shared<'_>,
    id: String,
    paragraph: String,
    start: u32,
    end: u32,
    text: String,
) -> Result<DraftDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let (start, end) = (
            usize::try_from(start).unwrap_or(usize::MAX),
            usize::try_from(end).unwrap_or(usize::MAX),
        );
        let draft =
            session.change_draft(|p| p.comment_draft(&id, &paragraph, start, end, &text))?;
        Ok(changed(draft))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn resolve_draft_comment(
    state: Shared<'_>,
    id: String,
    comment: String,
) -> Result<DraftDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let draft = session.change_draft(|p| p.resolve_draft_comment(&id, &comment))?;
        Ok(changed(draft))
    })
    .await
}

/// Checks the signed record of a released item (released or received here). `None`: the
/// item was not released through a draft (an imported email, a composed item); a record
/// whose signature does not match fails with `bad_signature`.
#[tauri::command]
#[specta::specta]
pub async fn verify_release(
    state: Shared<'_>,
    item: String,
) -> Result<Option<VerifiedReleaseDto>, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let id: ItemId = item.trim().parse().map_err(CommandError::from)?;
        Ok(session
            .profile
            .verify_release_of(&id.to_string())?
            .as_ref()
            .map(map::verified_release))
    })
    .await
}
