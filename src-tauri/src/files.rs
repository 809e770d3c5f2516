//! The app's file boundary: the web view never names a path.
//!
//! - **Files come in through dialogs opened here.** Import, attach and save open the system's
//!   file dialog from Rust (tauri-plugin-dialog's Rust API, on a blocking thread); what the
//!   user picked stays here and the page receives one-time tokens ([`Grants`]). A command that
//!   reads a file takes tokens, never a path, so a script running in the page cannot make the
//!   app read or overwrite a file the user did not choose. Files dropped on the window are
//!   granted the same way (the drop is seen here, in [`init`]'s window events).
//! - **Opening an attachment runs nothing and leaves nothing behind.** [`viewable`] lets
//!   through only a short list of types that a viewer displays (PDF, images, plain text, office
//!   documents without macros), checked against the bytes themselves; anything that executes
//!   (ELF, PE, Mach-O, Java classes, scripts with a shebang, desktop entries) or is not on the
//!   list is only offered for saving. File names lose their direction controls and control
//!   characters first ([`clean_name`]), so "rapport\u{202E}fdp.exe" is judged as the
//!   "rapportfdp.exe" it is. The file is written with mode 0600 into a private folder (mode
//!   0700, random name, created fresh) in memory-backed storage only ($XDG_RUNTIME_DIR, else
//!   /dev/shm): without one, the app says so and offers to save instead ([`Viewer`]). The
//!   folder is emptied on lock, on quit, and leftovers of a previous run are removed at start.
//! - **Tests cannot click a native dialog**: debug builds only, `DIPLOMATIE_TEST_DIALOG` names
//!   a file whose lines are what the next dialog returns (an empty file: cancelled). Release
//!   builds never read it.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::plugin::{Builder as PluginBuilder, TauriPlugin};
use tauri::{AppHandle, DragDropEvent, Manager, RunEvent, Runtime, WebviewEvent, WindowEvent};
use tauri_specta::Event;

use crate::error::{CommandError, ErrorKind};

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------------
// Names

/// Direction controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM) and the
/// zero-width characters that hide parts of a name.
fn is_hiding(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        | '\u{200B}'..='\u{200D}' | '\u{FEFF}')
}

/// A file name as it should be shown and written: without direction controls, zero-width or
/// control characters, without a path (`/`, `\`), without leading dots (hidden files) or
/// trailing dots and spaces, at most 120 characters; `piece-jointe` when nothing is left.
pub fn clean_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !is_hiding(*c) && !c.is_control())
        .map(|c| if c == '/' || c == '\\' { '_' } else { c })
        .collect();
    let cleaned = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' '])
        .trim();
    if cleaned.is_empty() {
        "piece-jointe".to_owned()
    } else {
        cleaned.chars().take(120).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// What may be opened

/// Why an attachment is only offered for saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum NotViewable {
    /// A program or a script (by its name or by its bytes): opening it could run it.
    Executable,
    /// Not a type on the list of those a viewer shows, or the bytes do not match the name.
    UnknownType,
    /// No private memory-backed folder to put it in ($XDG_RUNTIME_DIR, /dev/shm).
    NoPrivateFolder,
}

/// Names that execute or install something when opened.
const EXECUTABLE_EXTENSIONS: &[&str] = &[
    "exe",
    "msi",
    "msp",
    "bat",
    "cmd",
    "com",
    "scr",
    "pif",
    "cpl",
    "ps1",
    "psm1",
    "vbs",
    "vbe",
    "js",
    "jse",
    "wsf",
    "wsh",
    "hta",
    "lnk",
    "reg",
    "jar",
    "class",
    "sh",
    "bash",
    "zsh",
    "csh",
    "ksh",
    "fish",
    "py",
    "pyc",
    "pyw",
    "pl",
    "rb",
    "php",
    "lua",
    "tcl",
    "desktop",
    "appimage",
    "run",
    "bin",
    "elf",
    "so",
    "dll",
    "deb",
    "rpm",
    "apk",
    "app",
    "dmg",
    "pkg",
    "command",
    "action",
    "workflow",
    "scpt",
    "applescript",
    "xpi",
    "crx",
    "docm",
    "dotm",
    "xlsm",
    "xltm",
    "xlam",
    "pptm",
    "potm",
    "ppam",
    "sldm",
];

/// What a viewable type's bytes must look like.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// These bytes at the very start.
    Magic(&'static [&'static [u8]]),
    /// `%PDF-` within the first kilobyte (as PDF readers accept it).
    Pdf,
    /// Text: no NUL byte.
    Text,
}

/// The short list of types a viewer shows without running anything.
fn viewable_shape(extension: &str) -> Option<Shape> {
    const ZIP: &[&[u8]] = &[b"PK\x03\x04"];
    const OLE: &[&[u8]] = &[b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"];
    Some(match extension {
        "pdf" => Shape::Pdf,
        "png" => Shape::Magic(&[b"\x89PNG\r\n\x1A\n"]),
        "jpg" | "jpeg" => Shape::Magic(&[b"\xFF\xD8\xFF"]),
        "gif" => Shape::Magic(&[b"GIF87a", b"GIF89a"]),
        "webp" => Shape::Magic(&[b"RIFF"]),
        "bmp" => Shape::Magic(&[b"BM"]),
        "tif" | "tiff" => Shape::Magic(&[b"II*\x00", b"MM\x00*"]),
        "txt" | "text" | "csv" | "log" | "md" => Shape::Text,
        "rtf" => Shape::Magic(&[b"{\\rtf"]),
        "odt" | "ods" | "odp" | "odg" | "docx" | "xlsx" | "pptx" => Shape::Magic(ZIP),
        "doc" | "xls" | "ppt" => Shape::Magic(OLE),
        _ => return None,
    })
}

/// Bytes that are a program whatever the name says: ELF, PE (MZ), Mach-O, Java class or a
/// fat binary (CAFEBABE), a script with a shebang, a desktop entry.
fn executable_bytes(bytes: &[u8]) -> bool {
    const MAGICS: &[&[u8]] = &[
        b"\x7FELF",
        b"MZ",
        b"#!",
        b"\xCA\xFE\xBA\xBE",
        b"\xFE\xED\xFA\xCE",
        b"\xFE\xED\xFA\xCF",
        b"\xCE\xFA\xED\xFE",
        b"\xCF\xFA\xED\xFE",
    ];
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if MAGICS.iter().any(|m| start.starts_with(m)) {
        return true;
    }
    let head = String::from_utf8_lossy(start.get(..4096).unwrap_or(start));
    head.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.eq_ignore_ascii_case("[desktop entry]"))
}

/// Whether an attachment may be handed to the system's viewer: its (cleaned) name must have
/// an extension on the short list, its bytes must look like that type, and nothing in them
/// may be a program. Anything else is only saved.
pub fn viewable(name: &str, bytes: &[u8]) -> Result<(), NotViewable> {
    let name = clean_name(name);
    let extension = Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if EXECUTABLE_EXTENSIONS.contains(&extension.as_str()) || executable_bytes(bytes) {
        return Err(NotViewable::Executable);
    }
    let matches = match viewable_shape(&extension) {
        None => false,
        Some(Shape::Magic(magics)) => magics.iter().any(|m| bytes.starts_with(m)),
        Some(Shape::Pdf) => bytes
            .get(..1024)
            .unwrap_or(bytes)
            .windows(5)
            .any(|w| w == b"%PDF-"),
        Some(Shape::Text) => !bytes.contains(&0),
    };
    if matches {
        Ok(())
    } else {
        Err(NotViewable::UnknownType)
    }
}

// ---------------------------------------------------------------------------------------------
// The private viewer folder

const VIEWER_PREFIX: &str = "diplomatie-viewer-";

/// The memory-backed places a private folder may go, in order: the user's runtime directory
/// (a tmpfs the system removes at logout), then /dev/shm. Never /tmp, which may be on disk.
fn memory_bases() -> Vec<PathBuf> {
    let mut bases = Vec::new();
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        bases.push(PathBuf::from(runtime));
    }
    bases.push(PathBuf::from("/dev/shm"));
    bases.into_iter().filter(|b| b.is_dir()).collect()
}

/// Opened attachments live here while the profile is unlocked.
#[derive(Debug)]
pub struct Viewer {
    bases: Vec<PathBuf>,
    /// The folder of this run, created on first use.
    dir: Mutex<Option<PathBuf>>,
    serial: Mutex<u64>,
}

impl Default for Viewer {
    fn default() -> Self {
        Self::new(memory_bases())
    }
}

impl Viewer {
    /// A viewer that puts its folder in the first of `bases` that takes it.
    pub fn new(bases: Vec<PathBuf>) -> Self {
        Self {
            bases,
            dir: Mutex::new(None),
            serial: Mutex::new(0),
        }
    }

    /// This run's private folder: created fresh with mode 0700 under a random name, so that
    /// nobody can have prepared it (a shared /dev/shm included).
    fn dir(&self) -> Result<PathBuf, NotViewable> {
        let mut dir = guard(&self.dir);
        if let Some(d) = dir.as_ref().filter(|d| d.is_dir()) {
            return Ok(d.clone());
        }
        for base in &self.bases {
            // A random name, created new (never one that exists), mode 0700 from the start.
            let mut builder = tempfile::Builder::new();
            builder.prefix(VIEWER_PREFIX);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                builder.permissions(fs::Permissions::from_mode(0o700));
            }
            if let Ok(made) = builder.tempdir_in(base) {
                let path = made.keep();
                *dir = Some(path.clone());
                return Ok(path);
            }
        }
        Err(NotViewable::NoPrivateFolder)
    }

    /// Writes `bytes` as `name` (cleaned) in a subfolder of its own, mode 0600, and returns
    /// its path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, ViewerError> {
        let dir = self.dir().map_err(ViewerError::NotViewable)?;
        let n = {
            let mut serial = guard(&self.serial);
            *serial += 1;
            *serial
        };
        let sub = dir.join(n.to_string());
        private_dir(&sub)?;
        let path = sub.join(clean_name(name));
        let mut file = private_file(&path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        Ok(path)
    }

    /// Removes this run's folder and everything in it (on lock and on quit).
    pub fn clear(&self) {
        if let Some(dir) = guard(&self.dir).take() {
            let _ = fs::remove_dir_all(dir);
        }
    }

    /// Removes the folders an earlier run left (a crash, a kill): those of this user only,
    /// never following a symbolic link.
    pub fn remove_leftovers(&self) {
        let current = guard(&self.dir).clone();
        for base in &self.bases {
            let Ok(entries) = fs::read_dir(base) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let ours = entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with(VIEWER_PREFIX));
                if !ours || current.as_ref() == Some(&path) {
                    continue;
                }
                if let Ok(meta) = fs::symlink_metadata(&path)
                    && meta.is_dir()
                    && owned_by_me(&meta)
                {
                    let _ = fs::remove_dir_all(&path);
                }
            }
        }
    }
}

#[cfg(unix)]
fn owned_by_me(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == rustix::process::geteuid().as_raw()
}

#[cfg(not(unix))]
fn owned_by_me(_: &fs::Metadata) -> bool {
    true
}

fn private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// A new file (never an existing one, never through a link), mode 0600: no execute bit.
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Why an attachment could not be put in the viewer folder.
#[derive(Debug, thiserror::Error)]
pub enum ViewerError {
    #[error("not opened: {0:?}")]
    NotViewable(NotViewable),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Writes a saved attachment where the user chose: the file is replaced, and has mode 0600
/// whatever it had before (no execute bit survives from an older file).
pub fn write_saved(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}

// ---------------------------------------------------------------------------------------------
// Grants: what the user chose, as one-time tokens

/// What a chosen file may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Import,
    Attach,
}

#[derive(Debug)]
struct Grant {
    purpose: Purpose,
    path: PathBuf,
}

/// The files and folders the user chose in a dialog or dropped on the window, each behind a
/// random token. A token is `<32 hex digits>/<file name>`: the page can show the name, and
/// only this process knows the path. Tokens are spent by the command that uses them and all
/// forgotten on lock.
#[derive(Debug, Default)]
pub struct Grants {
    map: Mutex<BTreeMap<String, Grant>>,
    /// The last drop (paths, when): the same drop arrives as a window and a webview event.
    last_drop: Mutex<Option<(Vec<PathBuf>, Instant)>>,
}

impl Grants {
    /// A token for `path`.
    pub fn grant(&self, purpose: Purpose, path: PathBuf) -> String {
        let name = path
            .file_name()
            .map(|n| clean_name(&n.to_string_lossy()))
            .unwrap_or_else(|| clean_name(""));
        let token = format!("{}/{name}", uuid::Uuid::new_v4().simple());
        guard(&self.map).insert(token.clone(), Grant { purpose, path });
        token
    }

    /// The paths behind `tokens`, without spending them. Any token that was not granted for
    /// `purpose` (forged, spent, or from before a lock) refuses the whole call.
    pub fn resolve(&self, purpose: Purpose, tokens: &[String]) -> Result<Vec<PathBuf>, String> {
        let map = guard(&self.map);
        tokens
            .iter()
            .map(|t| {
                map.get(t)
                    .filter(|g| g.purpose == purpose)
                    .map(|g| g.path.clone())
                    .ok_or_else(|| token_name(t))
            })
            .collect()
    }

    /// Spends `tokens`.
    pub fn spend(&self, tokens: &[String]) {
        let mut map = guard(&self.map);
        for t in tokens {
            map.remove(t);
        }
    }

    /// The paths behind `tokens`, spent.
    pub fn take(&self, purpose: Purpose, tokens: &[String]) -> Result<Vec<PathBuf>, String> {
        let paths = self.resolve(purpose, tokens)?;
        self.spend(tokens);
        Ok(paths)
    }

    /// Forgets every token (on lock).
    pub fn clear(&self) {
        guard(&self.map).clear();
    }

    /// Tokens for a drop, unless it is the same drop seen a moment ago.
    fn grant_drop(&self, paths: &[PathBuf]) -> Option<Vec<String>> {
        {
            let mut last = guard(&self.last_drop);
            if let Some((p, at)) = last.as_ref()
                && p == paths
                && at.elapsed() < Duration::from_secs(2)
            {
                return None;
            }
            *last = Some((paths.to_vec(), Instant::now()));
        }
        Some(
            paths
                .iter()
                .map(|p| self.grant(Purpose::Import, p.clone()))
                .collect(),
        )
    }
}

/// The file name a token carries (for an error message).
pub fn token_name(token: &str) -> String {
    clean_name(token.split_once('/').map_or("", |(_, name)| name))
}

/// The error for a token that does not stand for a file the user chose.
pub fn not_chosen(name: &str, purpose: Purpose) -> CommandError {
    match purpose {
        Purpose::Attach => CommandError {
            field: Some("attachments".to_owned()),
            detail: Some(name.to_owned()),
            ..CommandError::new(
                ErrorKind::AttachmentUnreadable,
                format!("{name}: not a file chosen in this session's dialog; choose it again"),
            )
        },
        Purpose::Import => CommandError::new(
            ErrorKind::Io,
            "the files to import must be chosen in the app's dialog or dropped on its window: \
             choose them again",
        ),
    }
}

/// Files dropped on the window, granted for import.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct FilesDroppedEvent {
    pub tokens: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Dialogs

/// What a dialog asks for.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    /// `.eml` files (the filter is named in the user's language).
    EmlFiles,
    /// One folder.
    Folder,
    /// Any files.
    Files,
}

#[cfg(debug_assertions)]
fn test_answer() -> Option<Vec<PathBuf>> {
    let file = std::env::var_os("DIPLOMATIE_TEST_DIALOG").filter(|v| !v.is_empty())?;
    let text = fs::read_to_string(file).unwrap_or_default();
    Some(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect(),
    )
}

#[cfg(not(debug_assertions))]
fn test_answer() -> Option<Vec<PathBuf>> {
    None
}

fn into_paths(picked: Vec<tauri_plugin_dialog::FilePath>) -> Vec<PathBuf> {
    picked
        .into_iter()
        .filter_map(|p| p.into_path().ok())
        .collect()
}

/// Opens the system's dialog (call on a blocking thread); empty when cancelled.
pub fn pick<R: Runtime>(app: &AppHandle<R>, what: Pick) -> Vec<PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    if let Some(answer) = test_answer() {
        return match what {
            Pick::Folder => answer.into_iter().take(1).collect(),
            _ => answer,
        };
    }
    let dialog = app.dialog().file();
    match what {
        Pick::EmlFiles => dialog
            .add_filter("Courriel / Email (.eml)", &["eml", "EML"])
            .blocking_pick_files()
            .map(into_paths)
            .unwrap_or_default(),
        Pick::Files => dialog
            .blocking_pick_files()
            .map(into_paths)
            .unwrap_or_default(),
        Pick::Folder => dialog
            .blocking_pick_folder()
            .and_then(|p| p.into_path().ok())
            .into_iter()
            .collect(),
    }
}

/// Asks where to save `name` (call on a blocking thread); `None` when cancelled.
pub fn pick_destination<R: Runtime>(app: &AppHandle<R>, name: &str) -> Option<PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    if let Some(answer) = test_answer() {
        return answer.into_iter().next();
    }
    app.dialog()
        .file()
        .set_file_name(name)
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
}

// ---------------------------------------------------------------------------------------------
// The plugin: state, cleanup, drops

/// Holds the grants and the viewer folder; removes an earlier run's viewer folders at start
/// and this run's at quit; turns files dropped on a window into import tokens.
pub fn init<R: Runtime>() -> TauriPlugin<R> {
    PluginBuilder::new("files")
        .setup(|app, _| {
            let viewer = Viewer::default();
            viewer.remove_leftovers();
            app.manage(viewer);
            app.manage(Grants::default());
            Ok(())
        })
        .on_event(|app, event| {
            let dropped = match event {
                RunEvent::Exit => {
                    if let Some(viewer) = app.try_state::<Viewer>() {
                        viewer.clear();
                    }
                    None
                }
                RunEvent::WindowEvent {
                    event: WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }),
                    ..
                }
                | RunEvent::WebviewEvent {
                    event: WebviewEvent::DragDrop(DragDropEvent::Drop { paths, .. }),
                    ..
                } => Some(paths),
                _ => None,
            };
            if let Some(paths) = dropped.filter(|p| !p.is_empty())
                && let Some(grants) = app.try_state::<Grants>()
                && let Some(tokens) = grants.grant_drop(paths)
            {
                let _ = FilesDroppedEvent { tokens }.emit(app);
            }
        })
        .build()
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
