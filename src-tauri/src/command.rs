//! The commands. Each one parses its input, calls one service of `diplomatie-client` on a
//! blocking thread (never the interface's), and maps the result.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use diplomatie_client::eml::EmlLimits;
use diplomatie_client::{InitOptions, Page, Profile, SearchQuery};
use diplomatie_domain::{DiplomaticNote, ItemId};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;
use tauri_specta::Event;
use zeroize::Zeroizing;

use crate::dto::*;
use crate::error::{CommandError, ErrorKind};
use crate::files::{self, Grants, NotViewable, Pick, Purpose, Viewer, ViewerError};
use crate::map;
use crate::state::{AppState, Session};

pub(crate) type Shared<'a> = State<'a, Arc<AppState>>;

/// Runs `f` on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::internal(format!("a background task failed: {e}")))?
}

pub(crate) fn session_dto(session: &Session) -> SessionDto {
    let identity = session.profile.identity();
    SessionDto {
        identity: IdentityDto {
            name: identity.name.clone(),
            org: identity.org.clone(),
            email: identity.email.clone(),
            fingerprint: identity.device.fingerprint().to_owned(),
        },
        settings: map::settings(&session.settings()),
    }
}

pub(crate) fn parse_id(raw: &str) -> Result<ItemId, CommandError> {
    raw.trim().parse::<ItemId>().map_err(CommandError::from)
}

#[tauri::command]
#[specta::specta]
pub async fn app_status(state: Shared<'_>) -> Result<AppStatusDto, CommandError> {
    Ok(AppStatusDto {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        profile_dir: state.profile_dir.display().to_string(),
        profile_exists: Profile::exists(&state.profile_dir),
        unlocked: state.session().is_some(),
        min_passphrase_chars: u32::try_from(diplomatie_client::MIN_PASSPHRASE_CHARS)
            .unwrap_or(u32::MAX),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn create_profile(
    state: Shared<'_>,
    request: CreateProfileDto,
) -> Result<SessionDto, CommandError> {
    let state = Arc::clone(&state);
    blocking(move || {
        let passphrase = Zeroizing::new(request.passphrase);
        let options = InitOptions {
            role: String::new(),
            name: request.name,
            org: request.org,
            email: request.email,
            kdf_cost: None,
        };
        let profile = Profile::init(&state.profile_dir, &passphrase, options)?;
        let session = state.open(profile)?;
        Ok(session_dto(&session))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn unlock(state: Shared<'_>, passphrase: String) -> Result<SessionDto, CommandError> {
    let state = Arc::clone(&state);
    let passphrase = Zeroizing::new(passphrase);
    blocking(move || {
        let profile = Profile::open(&state.profile_dir, &passphrase)?;
        let session = state.open(profile)?;
        Ok(session_dto(&session))
    })
    .await
}

/// Locks now (on demand or after inactivity).
#[tauri::command]
#[specta::specta]
pub async fn lock(app: AppHandle, state: Shared<'_>) -> Result<(), CommandError> {
    let state = Arc::clone(&state);
    blocking(move || {
        state.lock();
        // Nothing of the profile stays readable: opened attachments go, chosen files are
        // forgotten.
        app.state::<Viewer>().clear();
        app.state::<Grants>().clear();
        Ok(())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn inbox(state: Shared<'_>, request: InboxRequestDto) -> Result<InboxDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let page = Page {
            offset: u64::from(request.offset),
            limit: request.limit.clamp(1, 500),
        };
        let inbox = session
            .profile
            .inbox(&map::filter_in(&request.filter), page)?;
        Ok(InboxDto {
            counts: map::counts(&inbox.counts),
            offset: request.offset,
            items: inbox.items.iter().map(map::summary).collect(),
        })
    })
    .await
}

/// Opens an item: marks it read (and logs it), ends its Flash reminders unless they wait for
/// its acknowledgement.
#[tauri::command]
#[specta::specta]
pub async fn open_item(state: Shared<'_>, id: String) -> Result<ItemDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let id = parse_id(&id)?;
        let stored = session.profile.show(&id.to_string())?;
        session.opened(id);
        let thread = session.profile.thread_of(id)?;
        let line = session
            .profile
            .summary(id)?
            .ok_or_else(|| CommandError::new(ErrorKind::NotFound, "the item is gone"))?;
        Ok(map::item(&stored, &thread, map::summary(&line)))
    })
    .await
}

/// Marks an item read or unread.
#[tauri::command]
#[specta::specta]
pub async fn set_read(state: Shared<'_>, id: String, read: bool) -> Result<(), CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let id = parse_id(&id)?;
        session.profile.set_read(id, read)?;
        if read {
            session.opened(id);
        }
        Ok(())
    })
    .await
}

/// Files a new item and delivers it to the addressees who are contacts (at the next sync);
/// returns its id and where it goes.
#[tauri::command]
#[specta::specta]
pub async fn compose(
    app: AppHandle,
    state: Shared<'_>,
    mut request: ComposeDto,
) -> Result<ComposedDto, CommandError> {
    let session = state.unlocked()?;
    let tokens = resolve_attachments(&app, &mut request)?;
    let composed = blocking(move || {
        let compose = map::compose_in(&session.profile, &request)?;
        let (id, delivery) = session.profile.compose_and_deliver(compose)?;
        session.mark_own(id);
        let (delivered_to, not_delivered) = delivery_dto(delivery);
        Ok(ComposedDto {
            id: id.to_string(),
            delivered_to,
            not_delivered,
        })
    })
    .await?;
    app.state::<Grants>().spend(&tokens);
    Ok(composed)
}

/// What `compose` would file and where it would go, without filing anything: the form is
/// checked by the same rules (a refusal names its field as `compose`'s does) and the
/// delivery is planned. The composer shows it for review before the sending is confirmed.
#[tauri::command]
#[specta::specta]
pub async fn check_compose(
    app: AppHandle,
    state: Shared<'_>,
    mut request: ComposeDto,
) -> Result<ComposeReviewDto, CommandError> {
    let session = state.unlocked()?;
    // The files stay granted: the sending that follows resolves them again.
    resolve_attachments(&app, &mut request)?;
    blocking(move || {
        let compose = map::compose_in(&session.profile, &request)?;
        // Who it is from as it will be filed (the list's origin).
        let sender = compose.content.origin();
        let delivery = session.profile.plan_compose(compose)?;
        let (delivered_to, not_delivered) = delivery_dto(delivery);
        Ok(ComposeReviewDto {
            sender,
            delivered_to,
            not_delivered,
        })
    })
    .await
}

/// Puts in an email's request the paths of the files its attachment tokens name, and returns
/// the tokens. The form names its attachments by the tokens of `pick_attachments`: the files
/// are the ones the user chose, never a path the page wrote. They stay granted until the item
/// is filed, so that a form sent back for a fix keeps them.
fn resolve_attachments(
    app: &AppHandle,
    request: &mut ComposeDto,
) -> Result<Vec<String>, CommandError> {
    let ComposeDto::Email(email) = request else {
        return Ok(Vec::new());
    };
    let tokens = std::mem::take(&mut email.attachments);
    email.attachments = app
        .state::<Grants>()
        .resolve(Purpose::Attach, &tokens)
        .map_err(|name| files::not_chosen(&name, Purpose::Attach))?
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    Ok(tokens)
}

/// The contacts an item goes to, and the addressees it cannot reach with the reason's code.
fn delivery_dto(delivery: diplomatie_client::Delivery) -> (Vec<String>, Vec<NotDeliveredDto>) {
    (
        delivery.deposited.into_iter().map(|d| d.name).collect(),
        delivery
            .unreachable
            .into_iter()
            .map(|u| NotDeliveredDto {
                addressee: u.addressee,
                reason: u.reason.code().to_owned(),
            })
            .collect(),
    )
}

/// Keeps the composer's state for a kind in the encrypted store (the interface's own JSON),
/// so that a half-written document survives a lock or a restart without reaching the disk
/// in clear.
#[tauri::command]
#[specta::specta]
pub async fn save_form_draft(
    state: Shared<'_>,
    kind: KindDto,
    form: String,
) -> Result<(), CommandError> {
    let session = state.unlocked()?;
    blocking(move || Ok(session.profile.save_form_draft(map::kind_in(kind), &form)?)).await
}

/// The composer's kept state for a kind, if any.
#[tauri::command]
#[specta::specta]
pub async fn form_draft(state: Shared<'_>, kind: KindDto) -> Result<Option<String>, CommandError> {
    let session = state.unlocked()?;
    blocking(move || Ok(session.profile.form_draft(map::kind_in(kind))?)).await
}

/// Forgets the composer's kept state for a kind.
#[tauri::command]
#[specta::specta]
pub async fn discard_form_draft(state: Shared<'_>, kind: KindDto) -> Result<(), CommandError> {
    let session = state.unlocked()?;
    blocking(move || Ok(session.profile.discard_form_draft(map::kind_in(kind))?)).await
}

/// The customary formulas of a note verbale between these two parties.
#[tauri::command]
#[specta::specta]
pub async fn note_template(
    sending_mission: String,
    receiving_institution: String,
) -> Result<NoteTemplateDto, CommandError> {
    let (from, to) = (sending_mission.trim(), receiving_institution.trim());
    Ok(NoteTemplateDto {
        opening: DiplomaticNote::default_opening(from, to),
        closing: DiplomaticNote::default_closing(from, to),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn search(
    state: Shared<'_>,
    request: SearchRequestDto,
) -> Result<SearchResultDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let started = Instant::now();
        let end = time::Time::from_hms(23, 59, 59).unwrap_or(time::Time::MIDNIGHT);
        let query = SearchQuery {
            text: request.text,
            filter: map::filter_in(&request.filter),
            from: request
                .from
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .map(|d| map::parse_day(d, "from").map(|d| d.midnight().assume_utc()))
                .transpose()?,
            to: request
                .to
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .map(|d| map::parse_day(d, "to").map(|d| d.with_time(end).assume_utc()))
                .transpose()?,
            page: Page {
                offset: u64::from(request.offset),
                limit: request.limit.clamp(1, 200),
            },
            prefix_last_word: request.as_you_type,
        };
        let hits = session.profile.search(&query)?;
        Ok(SearchResultDto {
            hits: hits.iter().map(map::hit).collect(),
            elapsed_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
        })
    })
    .await
}

/// Import progress: `done` of `total` files.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct ImportProgressEvent {
    pub done: u32,
    pub total: u32,
}

/// At most this many files from one import (folders included).
const MAX_IMPORT_FILES: usize = 100_000;

/// The files to import: files as given, folders searched (to 8 levels) for `.eml` files,
/// in name order.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CommandError> {
    fn walk(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for path in entries {
            if out.len() >= MAX_IMPORT_FILES {
                break;
            }
            if path.is_dir() {
                if depth < 8 {
                    walk(&path, depth + 1, out)?;
                }
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
            {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, 0, &mut out)?;
        } else {
            // A missing or unreadable file gets its own line in the report.
            out.push(path.clone());
        }
        if out.len() >= MAX_IMPORT_FILES {
            break;
        }
    }
    Ok(out)
}

/// Asks for `.eml` files to import in the system's dialog; returns a token for each (empty
/// when cancelled), to hand to `import_eml`.
#[tauri::command]
#[specta::specta]
pub async fn pick_eml_files(
    app: AppHandle,
    state: Shared<'_>,
) -> Result<Vec<String>, CommandError> {
    state.unlocked()?;
    blocking(move || Ok(grant_picked(&app, Pick::EmlFiles, Purpose::Import))).await
}

/// Asks for a folder of `.eml` files to import; its token, or nothing when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn pick_eml_folder(
    app: AppHandle,
    state: Shared<'_>,
) -> Result<Option<String>, CommandError> {
    state.unlocked()?;
    blocking(move || Ok(grant_picked(&app, Pick::Folder, Purpose::Import).pop())).await
}

/// Asks for files to attach to an email; a token for each (it ends with the file's name, for
/// the form to show), to send in the compose form's `attachments`.
#[tauri::command]
#[specta::specta]
pub async fn pick_attachments(
    app: AppHandle,
    state: Shared<'_>,
) -> Result<Vec<String>, CommandError> {
    state.unlocked()?;
    blocking(move || Ok(grant_picked(&app, Pick::Files, Purpose::Attach))).await
}

/// Asks for the exchange folder; returns its path for the setting (which the user can also
/// type), or nothing when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn pick_exchange_folder(
    app: AppHandle,
    state: Shared<'_>,
) -> Result<Option<String>, CommandError> {
    state.unlocked()?;
    blocking(move || {
        Ok(files::pick(&app, Pick::Folder)
            .pop()
            .map(|p| p.display().to_string()))
    })
    .await
}

fn grant_picked(app: &AppHandle, what: Pick, purpose: Purpose) -> Vec<String> {
    let grants = app.state::<Grants>();
    files::pick(app, what)
        .into_iter()
        .map(|path| grants.grant(purpose, path))
        .collect()
}

/// Imports the `.eml` files and folders behind `tokens` (from `pick_eml_files`,
/// `pick_eml_folder` or a drop); progress comes as `ImportProgressEvent`s and the result is a
/// report per file (a bad file does not stop the others). A token that does not stand for
/// something the user chose refuses the whole import.
#[tauri::command]
#[specta::specta]
pub async fn import_eml(
    app: AppHandle,
    state: Shared<'_>,
    grants: State<'_, Grants>,
    tokens: Vec<String>,
) -> Result<ImportReportDto, CommandError> {
    let session = state.unlocked()?;
    let paths = grants
        .take(Purpose::Import, &tokens)
        .map_err(|name| files::not_chosen(&name, Purpose::Import))?;
    blocking(move || {
        let files = expand(&paths)?;
        let total = u32::try_from(files.len()).unwrap_or(u32::MAX);
        let _ = (ImportProgressEvent { done: 0, total }).emit(&app);
        let reports =
            session
                .profile
                .import_eml_files(&files, &EmlLimits::default(), &mut |done, _| {
                    let done = u32::try_from(done).unwrap_or(u32::MAX);
                    let _ = (ImportProgressEvent { done, total }).emit(&app);
                });
        Ok(map::import_report(&reports))
    })
    .await
}

/// Saves an attachment where the user chooses in the system's save dialog (mode 0600, no
/// execute bit); returns where, or nothing when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_attachment(
    app: AppHandle,
    state: Shared<'_>,
    item_id: String,
    index: u32,
) -> Result<Option<String>, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let id = parse_id(&item_id)?;
        let (meta, bytes) = session.profile.attachment(id, index)?;
        let Some(destination) = files::pick_destination(&app, &files::clean_name(&meta.name))
        else {
            return Ok(None);
        };
        files::write_saved(&destination, &bytes)?;
        Ok(Some(destination.display().to_string()))
    })
    .await
}

/// What became of a request to open an attachment.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AttachmentOpenDto {
    /// Handed to the system's viewer.
    Opened,
    /// Not opened: the interface offers to save it instead.
    SaveOnly { reason: NotViewable },
}

/// Opens an attachment with the system's viewer, if it is of a type that only displays
/// (see `files::viewable`); it is written for that into the private, memory-backed viewer
/// folder, emptied on lock and on quit. Anything else is only offered for saving.
#[tauri::command]
#[specta::specta]
pub async fn open_attachment(
    app: AppHandle,
    state: Shared<'_>,
    item_id: String,
    index: u32,
) -> Result<AttachmentOpenDto, CommandError> {
    let session = state.unlocked()?;
    let viewer_app = app.clone();
    let written = blocking(move || {
        let id = parse_id(&item_id)?;
        let (meta, bytes) = session.profile.attachment(id, index)?;
        if let Err(reason) = files::viewable(&meta.name, &bytes) {
            return Ok(Err(reason));
        }
        match viewer_app.state::<Viewer>().write(&meta.name, &bytes) {
            Ok(path) => Ok(Ok(path)),
            Err(ViewerError::NotViewable(reason)) => Ok(Err(reason)),
            Err(ViewerError::Io(e)) => Err(CommandError::from(e)),
        }
    })
    .await?;
    let path = match written {
        Ok(path) => path,
        Err(reason) => return Ok(AttachmentOpenDto::SaveOnly { reason }),
    };
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| CommandError::new(ErrorKind::Io, format!("no viewer for this file: {e}")))?;
    Ok(AttachmentOpenDto::Opened)
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: Shared<'_>) -> Result<SettingsDto, CommandError> {
    let session = state.unlocked()?;
    Ok(map::settings(&session.settings()))
}

#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    state: Shared<'_>,
    settings: SettingsDto,
) -> Result<SettingsDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let settings = map::settings_in(&settings);
        session.profile.save_settings(&settings)?;
        session.set_settings(settings);
        Ok(map::settings(&session.settings()))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn change_passphrase(
    state: Shared<'_>,
    old_passphrase: String,
    new_passphrase: String,
) -> Result<(), CommandError> {
    let session = state.unlocked()?;
    let (old, new) = (
        Zeroizing::new(old_passphrase),
        Zeroizing::new(new_passphrase),
    );
    blocking(move || Ok(session.profile.change_passphrase(&old, &new)?)).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn folders_expand_to_their_eml_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["b.eml", "a.EML", "notes.txt", "sub/c.eml"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let files = expand(&[dir.path().to_owned()]).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, vec!["a.EML", "b.eml", "sub/c.eml"]);
        let missing = expand(&[PathBuf::from("/nonexistent/x.eml")]).unwrap();
        assert_eq!(missing.len(), 1, "a missing file is reported, not dropped");
    }
}
