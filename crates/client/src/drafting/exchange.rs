//! Drafts exchanged through a folder shared by the replicas of a post, until the relay carries
//! them: each device writes its copy of a draft to `<folder>/<draft id>/<device>.draft`
//! (replaced atomically after each change) and merges the copies of the others when they
//! change. Merging is idempotent, so reading a copy twice, or an old one, changes nothing.
//!
//! Nothing is written there in clear: the folder has a key, derived from a passphrase the
//! post's members share (PBKDF2, parameters and a key-check value in `<folder>/exchange.json`),
//! and every copy is sealed with it (AES-256-GCM, bound to the draft's id). Each profile joins
//! the folder once with the passphrase; the key is kept in its encrypted store.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use diplomatie_crypto::{KdfParams, SecretKey, derive_key, hex, open, seal};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::DraftReceived;
use crate::{ClientError, MIN_PASSPHRASE_CHARS, Profile};

/// What has been merged already: the digest of each copy, by path.
const SEEN_KEY: &str = "exchange.seen";
/// The folders this profile joined, with their keys.
const KEYS_KEY: &str = "exchange.keys";
const EXTENSION: &str = "draft";
/// The folder's key parameters and key-check value.
const FOLDER_FILE: &str = "exchange.json";
const SEALED_MAGIC: &[u8] = b"DIPLOMATIE-SEALED/1\n";
const CHECK_AAD: &[u8] = b"diplomatie-exchange/v1/check";
const CHECK_TEXT: &[u8] = b"diplomatie exchange folder";

#[derive(Serialize, Deserialize)]
struct FolderFile {
    format: u32,
    kdf: KdfParams,
    /// seal(key, CHECK_AAD, CHECK_TEXT), hex: a wrong passphrase fails to open it.
    check: String,
}

/// A copy's length and time of change when it was last merged or found unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: SystemTime,
}

/// A copy changed less than this long ago is read again even when its length and time of
/// change are the same: a file system's clock may be coarse (whole seconds on some shares), so
/// two writes within one tick can leave the same time behind.
const STAMP_SETTLE: Duration = Duration::from_secs(3);

/// The stamps of the copies already merged, kept for as long as the profile is open.
#[derive(Debug, Default)]
pub(crate) struct ExchangeStamps(Mutex<HashMap<PathBuf, Stamp>>);

impl ExchangeStamps {
    fn unchanged(&self, path: &Path, stamp: Stamp) -> bool {
        let fresh = SystemTime::now()
            .duration_since(stamp.modified)
            .map_or(true, |age| age < STAMP_SETTLE);
        !fresh
            && self
                .0
                .lock()
                .is_ok_and(|known| known.get(path) == Some(&stamp))
    }

    fn remember(&self, path: PathBuf, stamp: Stamp) {
        if let Ok(mut known) = self.0.lock() {
            known.insert(path, stamp);
        }
    }
}

fn stamp_of(path: &Path) -> Option<Stamp> {
    let meta = fs::metadata(path).ok()?;
    Some(Stamp {
        len: meta.len(),
        modified: meta.modified().ok()?,
    })
}

fn copy_aad(id: &str) -> Vec<u8> {
    format!("diplomatie-exchange/v1/draft/{id}").into_bytes()
}

fn canonical(dir: &Path) -> Result<String, ClientError> {
    fs::canonicalize(dir)
        .map(|p| p.to_string_lossy().into_owned())
        .map_err(|e| io_error("open", dir, &e))
}

/// What a pass over the folder did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExchangeReport {
    /// The copies that brought something new.
    pub received: Vec<DraftReceived>,
    /// Copies that could not be read or merged (the others were), with why.
    pub errors: Vec<ExchangeError>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExchangeError {
    pub file: String,
    pub error: String,
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> ClientError {
    ClientError::InvalidDraft(format!(
        "cannot {what} {} ({e}): check that the exchange folder is reachable and writable",
        path.display()
    ))
}

impl Profile {
    /// Joins the exchange folder `dir` with its passphrase, or sets it up with this passphrase
    /// when it has no key yet (`iterations`: PBKDF2 iterations for a new folder, `None` for
    /// the default). Returns whether the folder was set up now. The key is kept in this
    /// profile's encrypted store; a wrong passphrase is refused and changes nothing.
    pub fn join_exchange(
        &self,
        dir: &Path,
        passphrase: &str,
        iterations: Option<u32>,
    ) -> Result<bool, ClientError> {
        let file = dir.join(FOLDER_FILE);
        let (key, created) = match fs::read(&file) {
            Ok(raw) => {
                let folder: FolderFile = serde_json::from_slice(&raw).map_err(|e| {
                    ClientError::InvalidSetting(format!(
                        "{} is damaged ({e}): restore it, or set up a new exchange folder",
                        file.display()
                    ))
                })?;
                let key = derive_key(passphrase.as_bytes(), &folder.kdf)?;
                let check = hex::decode(&folder.check).unwrap_or_default();
                if open(&key, CHECK_AAD, &check).is_err() {
                    return Err(ClientError::InvalidSetting(
                        "this is not the passphrase of this exchange folder: ask whoever set it up"
                            .into(),
                    ));
                }
                (key, false)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
                    return Err(ClientError::WeakPassphrase {
                        min: MIN_PASSPHRASE_CHARS,
                    });
                }
                if !dir.is_dir() {
                    return Err(io_error(
                        "use",
                        dir,
                        &std::io::Error::from(std::io::ErrorKind::NotFound),
                    ));
                }
                let kdf = KdfParams::generate(iterations.unwrap_or(KdfParams::DEFAULT_ITERATIONS))?;
                let key = derive_key(passphrase.as_bytes(), &kdf)?;
                let folder = FolderFile {
                    format: 1,
                    kdf,
                    check: hex::encode(&seal(&key, CHECK_AAD, CHECK_TEXT)?),
                };
                let raw = serde_json::to_vec_pretty(&folder)
                    .map_err(|e| ClientError::InvalidDraft(e.to_string()))?;
                // Never replace a key another member set up meanwhile.
                let mut f = fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&file)
                    .map_err(|e| io_error("create", &file, &e))?;
                f.write_all(&raw)
                    .and_then(|()| f.sync_all())
                    .map_err(|e| io_error("write", &file, &e))?;
                (key, true)
            }
            Err(e) => return Err(io_error("read", &file, &e)),
        };
        let mut keys = self.exchange_keys()?;
        keys.insert(canonical(dir)?, key.to_hex().to_string());
        self.save_exchange_keys(&keys)?;
        Ok(created)
    }

    fn exchange_keys(&self) -> Result<BTreeMap<String, String>, ClientError> {
        Ok(self.meta_json(KEYS_KEY)?.unwrap_or_default())
    }

    fn save_exchange_keys(&self, keys: &BTreeMap<String, String>) -> Result<(), ClientError> {
        self.put_meta_json(KEYS_KEY, keys)
    }

    /// The key of a joined folder.
    fn exchange_key(&self, dir: &Path) -> Result<SecretKey, ClientError> {
        let keys = self.exchange_keys()?;
        let hex_key = keys.get(&canonical(dir)?).ok_or_else(|| {
            ClientError::InvalidSetting(format!(
                "join the exchange folder {} first, with the passphrase its members share (Paramètres / Settings, or diplo exchange join)",
                dir.display()
            ))
        })?;
        let bytes = Zeroizing::new(hex::decode(hex_key).unwrap_or_default());
        Ok(SecretKey::from_slice(&bytes)?)
    }

    /// This device's file name in the exchange folder.
    fn exchange_name(&self) -> String {
        format!("{}.{EXTENSION}", self.identity().device.fingerprint())
    }

    /// Writes this replica's copy of draft `id` to the exchange folder.
    pub fn publish_draft(&self, exchange: &Path, id: &str) -> Result<PathBuf, ClientError> {
        let key = self.exchange_key(exchange)?;
        let mut packet = SEALED_MAGIC.to_vec();
        packet.extend_from_slice(&seal(&key, &copy_aad(id.trim()), &self.export_draft(id)?)?);
        let dir = exchange.join(id.trim());
        fs::create_dir_all(&dir).map_err(|e| io_error("create", &dir, &e))?;
        let path = dir.join(self.exchange_name());
        let tmp = dir.join(format!(".{}.tmp", self.exchange_name()));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&packet)?;
            f.sync_all()?;
            fs::rename(&tmp, &path)
        };
        write().map_err(|e| io_error("write", &path, &e))?;
        // What we wrote ourselves needs no merging.
        let mut seen = self.exchange_seen()?;
        seen.insert(path.to_string_lossy().into_owned(), digest(&packet));
        self.save_exchange_seen(&seen)?;
        Ok(path)
    }

    /// Merges every copy of the other replicas that changed since the last pass. A copy that
    /// cannot be read or merged is reported and the others are still merged.
    pub fn collect_drafts(&self, exchange: &Path) -> Result<ExchangeReport, ClientError> {
        let mut report = ExchangeReport::default();
        let entries = match fs::read_dir(exchange) {
            Ok(e) => e,
            Err(e) => return Err(io_error("read", exchange, &e)),
        };
        let folder_key = self.exchange_key(exchange)?;
        let mut seen = self.exchange_seen()?;
        let mine = self.exchange_name();
        let mut files: Vec<PathBuf> = Vec::new();
        for dir in entries.flatten() {
            let Ok(inner) = fs::read_dir(dir.path()) else {
                continue;
            };
            for f in inner.flatten() {
                let path = f.path();
                let name = f.file_name().to_string_lossy().into_owned();
                if name != mine
                    && !name.starts_with('.')
                    && path.extension().is_some_and(|x| x == EXTENSION)
                {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut seen_changed = false;
        for path in files {
            // Read before the bytes: a copy replaced while it is read gets a newer stamp, and
            // is read again at the next look.
            let stamp = stamp_of(&path);
            if stamp.is_some_and(|s| self.exchange_stamps.unchanged(&path, s)) {
                continue;
            }
            let key = path.to_string_lossy().into_owned();
            let bytes = match fs::read(&path) {
                Ok(b) => b,
                Err(e) => {
                    report.errors.push(ExchangeError {
                        file: key,
                        error: e.to_string(),
                    });
                    continue;
                }
            };
            let d = digest(&bytes);
            if seen.get(&key) == Some(&d) {
                if let Some(stamp) = stamp {
                    self.exchange_stamps.remember(path, stamp);
                }
                continue;
            }
            let id = path
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let opened = bytes
                .strip_prefix(SEALED_MAGIC)
                .and_then(|sealed| open(&folder_key, &copy_aad(&id), sealed).ok());
            let Some(packet) = opened else {
                report.errors.push(ExchangeError {
                    file: key_name(&path),
                    error: "this copy cannot be opened with the folder's key: it is damaged, or not a draft of this folder".into(),
                });
                continue;
            };
            match self.import_draft(&packet) {
                Ok(received) => {
                    seen.insert(key, d);
                    seen_changed = true;
                    if let Some(stamp) = stamp {
                        self.exchange_stamps.remember(path, stamp);
                    }
                    if received.created || !received.new_steps.is_empty() || received.changed {
                        report.received.push(received);
                    }
                }
                Err(e) => report.errors.push(ExchangeError {
                    file: key_name(&path),
                    error: e.to_string(),
                }),
            }
        }
        if seen_changed {
            self.save_exchange_seen(&seen)?;
        }
        Ok(report)
    }

    fn exchange_seen(&self) -> Result<BTreeMap<String, String>, ClientError> {
        Ok(self.meta_json(SEEN_KEY)?.unwrap_or_default())
    }

    fn save_exchange_seen(&self, seen: &BTreeMap<String, String>) -> Result<(), ClientError> {
        self.put_meta_json(SEEN_KEY, seen)
    }
}

fn key_name(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn digest(bytes: &[u8]) -> String {
    diplomatie_crypto::hex::encode(&Sha256::digest(bytes))
}
