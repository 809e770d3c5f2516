//! Drafts exchanged through a folder shared by the replicas of a post, until the relay carries
//! them: each device writes its copy of a draft to `<folder>/<draft id>/<device>.draft`
//! (replaced atomically after each change) and merges the copies of the others when they
//! change. Merging is idempotent, so reading a copy twice, or an old one, changes nothing.
//!
//! Nothing is written there in clear: the folder has a key, derived from a passphrase the
//! post's members share (Argon2id for new folders, PBKDF2 still read; the parameters and a
//! key-check value in `<folder>/exchange.json`), and every copy is sealed with it
//! (AES-256-GCM, bound to the draft's id). Each profile joins
//! the folder once with the passphrase; the key is kept in its encrypted store.
//!
//! Every copy is signed by the device that wrote it (`DIPLOMATIE-SIGNED-COPY/1`: the device's
//! certificate, then an Ed25519 signature under the context `diplomatie/exchange-copy/v1` over
//! the draft's id, the copy's file name and the sealed bytes), and is named after that device
//! (`<device id>.draft`). A copy is opened only when its certificate holds, its signature
//! verifies, its name is its signer's, and its signer is this person or one of their contacts
//! (a key change not yet verified does not count): a copy renamed to another device's name, or
//! written by a device nobody here knows, is refused and reported, never merged. The folder's
//! passphrase keeps the contents from outsiders; the signatures say which member wrote what.
//!
//! The folder is a hostile place: anyone who can write to the share can plant files there.
//! So this module
//! - writes a copy through a temporary file with a random name, created with `create_new`
//!   (never an existing file, never through a symbolic link), then renames it into place: a
//!   symbolic link planted at the place of the copy is replaced, its target left alone;
//! - refuses a draft folder that is a symbolic link, and opens every file it reads with
//!   `O_NOFOLLOW | O_NONBLOCK`, then checks that what it opened is a regular file: a link, a
//!   FIFO or a device planted as a copy is reported, never followed nor waited on;
//! - refuses a copy longer than [`MAX_COPY_BYTES`] from its length, before reading it, and
//!   reads at most one byte more than the cap, so a file that grows meanwhile cannot push it
//!   past the cap;
//! - remembers, while the profile is open, the stamp (length, time of change, inode) of every
//!   copy it looked at, merged or refused: a copy whose stamp has not changed since (and that
//!   changed more than a few seconds ago) is not read again, and a refused one is reported
//!   again with the same reason.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use diplomatie_crypto::{Context, KdfCost, KdfParams, SecretKey, derive_key, hex, open, seal};
use diplomatie_protocol::DeviceCertificate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::DraftReceived;
use crate::copy_stamps::Stamp;
use crate::{ClientError, MIN_PASSPHRASE_CHARS, Profile};

/// What has been merged already: the digest of each copy, by path.
const SEEN_KEY: &str = "exchange.seen";
/// The folders this profile joined, with their keys.
const KEYS_KEY: &str = "exchange.keys";
const EXTENSION: &str = "draft";
/// The folder's key parameters and key-check value.
const FOLDER_FILE: &str = "exchange.json";
const SEALED_MAGIC: &[u8] = b"DIPLOMATIE-SEALED/1\n";
const SIGNED_MAGIC: &[u8] = b"DIPLOMATIE-SIGNED-COPY/1\n";
const CHECK_AAD: &[u8] = b"diplomatie-exchange/v1/check";
const CHECK_TEXT: &[u8] = b"diplomatie exchange folder";

/// The largest copy of a draft read from the folder. A draft's copy holds its text and its
/// history of changes (compacted past 32 change sets); 64 MiB is far beyond a real one.
pub const MAX_COPY_BYTES: u64 = 64 * 1024 * 1024;
/// The largest sealed copy opened: one saved draft (at most `MAX_DRAFT_BYTES`, the most
/// `DraftDoc::load` and `apply_changes` take) behind the seal's magic, nonce and tag and the
/// packet's header and draft id, which take far less than the 64 KiB allowed for them. A
/// longer copy is refused before it is decrypted or given to automerge.
const MAX_SEALED_DRAFT_BYTES: usize = diplomatie_draft::MAX_DRAFT_BYTES + 64 * 1024;
/// The largest `exchange.json` read (a few hundred bytes in practice).
const MAX_FOLDER_FILE_BYTES: u64 = 64 * 1024;

#[derive(Serialize, Deserialize)]
struct FolderFile {
    format: u32,
    kdf: KdfParams,
    /// seal(key, CHECK_AAD, CHECK_TEXT), hex: a wrong passphrase fails to open it.
    check: String,
}

/// Opens `path` for reading without following a symbolic link at its last component, and
/// without waiting on a FIFO; the caller checks that it is a regular file.
#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<fs::File> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(fs::File::from(fd))
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> std::io::Result<fs::File> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::other("a symbolic link"));
    }
    fs::File::open(path)
}

/// Why a file of the folder was not read.
#[derive(Debug)]
enum ReadRefusal {
    Io(std::io::Error),
    Link,
    NotAFile,
    TooLarge(u64),
}

impl ReadRefusal {
    fn message(&self) -> String {
        match self {
            Self::Io(e) => format!("cannot read it ({e})"),
            Self::Link => "it is a symbolic link, refused: the exchange folder holds only real files; remove it".into(),
            Self::NotAFile => "it is not a regular file, refused: remove it from the exchange folder".into(),
            Self::TooLarge(cap) => format!(
                "it is larger than {} MiB, refused unread: it is not a draft's copy, remove it",
                cap / (1024 * 1024)
            ),
        }
    }
}

/// Opens a regular file of the folder (never through a link) and its stamp.
fn open_regular(path: &Path) -> Result<(fs::File, Option<Stamp>), ReadRefusal> {
    let file = open_no_follow(path).map_err(|e| {
        let link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if link {
            ReadRefusal::Link
        } else {
            ReadRefusal::Io(e)
        }
    })?;
    let meta = file.metadata().map_err(ReadRefusal::Io)?;
    if !meta.is_file() {
        return Err(ReadRefusal::NotAFile);
    }
    Ok((file, Stamp::of(&meta)))
}

/// Reads at most `cap` bytes; a reader that holds more is refused (read up to `cap + 1`
/// bytes only, whatever its length said when it was opened).
fn read_capped(reader: impl Read, cap: u64) -> Result<Vec<u8>, ReadRefusal> {
    let mut bytes = Vec::new();
    reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadRefusal::Io)?;
    if u64::try_from(bytes.len()).map_or(true, |n| n > cap) {
        return Err(ReadRefusal::TooLarge(cap));
    }
    Ok(bytes)
}

/// Reads a whole regular file of the folder of at most `cap` bytes, its length checked
/// before reading.
fn read_file_capped(
    file: fs::File,
    stamp: Option<Stamp>,
    cap: u64,
) -> Result<Vec<u8>, ReadRefusal> {
    if stamp.is_some_and(|s| s.len() > cap) {
        return Err(ReadRefusal::TooLarge(cap));
    }
    read_capped(file, cap)
}

/// A device's copy's file name.
fn copy_name(device: &str) -> String {
    format!("{device}.{EXTENSION}")
}

/// What a copy's signature covers: the draft's id, the copy's name and the sealed bytes.
fn signed_part(id: &str, name: &str, sealed: &[u8]) -> Vec<u8> {
    let mut part = Vec::with_capacity(id.len() + name.len() + 2 + sealed.len());
    part.extend_from_slice(id.as_bytes());
    part.push(0);
    part.extend_from_slice(name.as_bytes());
    part.push(0);
    part.extend_from_slice(sealed);
    part
}

fn split_line(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = bytes.iter().position(|&b| b == b'\n')?;
    Some((bytes.get(..end)?, bytes.get(end + 1..)?))
}

fn copy_aad(id: &str) -> Vec<u8> {
    format!("diplomatie-exchange/v1/draft/{id}").into_bytes()
}

fn canonical(dir: &Path) -> Result<String, ClientError> {
    fs::canonicalize(dir)
        .map(|p| p.to_string_lossy().into_owned())
        .map_err(|e| io_error("open", dir, &e))
}

/// What moving an exchange folder's drafts into a space did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExchangeMigration {
    /// The drafts of the folder now shared into the space, by id.
    pub drafts: Vec<String>,
    /// Copies that could not be read or merged, with why (those drafts, when this replica
    /// holds them otherwise, are shared all the same).
    pub errors: Vec<ExchangeError>,
}

/// The meta key of the exchange folders moved into spaces (their canonical paths).
const MIGRATED_KEY: &str = "exchange.migrated";

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
    /// when it has no key yet (`cost`: the Argon2id cost for a new folder, `None` for the
    /// default; folders set up with PBKDF2 are still read). Returns whether the folder was set up now. The key is kept in this
    /// profile's encrypted store; a wrong passphrase is refused and changes nothing.
    pub fn join_exchange(
        &self,
        dir: &Path,
        passphrase: &str,
        cost: Option<KdfCost>,
    ) -> Result<bool, ClientError> {
        let file = dir.join(FOLDER_FILE);
        let read = open_regular(&file)
            .and_then(|(f, stamp)| read_file_capped(f, stamp, MAX_FOLDER_FILE_BYTES));
        let (key, created) = match read {
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
            Err(ReadRefusal::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
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
                let kdf = KdfParams::argon2id(cost.unwrap_or(KdfCost::DEFAULT))?;
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
            Err(refused) => {
                return Err(ClientError::InvalidSetting(format!(
                    "cannot use {}: {}",
                    file.display(),
                    refused.message()
                )));
            }
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

    /// Moves the exchange folder `dir` into space `which`: every copy in the folder is read
    /// once more and merged, every draft of the folder this replica holds is shared into the
    /// space (its members receive it at the next sync, and its changes from then on), and the
    /// folder is left: its key forgotten, no longer this profile's exchange folder. The folder's
    /// files are not touched (other replicas may not have moved yet).
    pub fn migrate_exchange(
        &self,
        dir: &Path,
        which: &str,
    ) -> Result<ExchangeMigration, ClientError> {
        // The space first: a wrong name leaves the folder joined and untouched.
        self.find_space(which)?;
        let folder = canonical(dir)?;
        self.exchange_key(dir)?;
        // Every copy again, not only those changed since the last look.
        self.save_exchange_seen(&BTreeMap::new())?;
        let report = self.collect_drafts(dir)?;
        let mut drafts = Vec::new();
        let entries = fs::read_dir(dir).map_err(|e| io_error("read", dir, &e))?;
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for id in names {
            if self.draft(&id).is_ok() {
                self.share_draft(&id, which)?;
                drafts.push(id);
            }
        }
        let mut keys = self.exchange_keys()?;
        keys.remove(&folder);
        self.save_exchange_keys(&keys)?;
        let mut settings = self.settings()?;
        if let Some(current) = &settings.exchange_dir
            && canonical(Path::new(current)).is_ok_and(|c| c == folder)
        {
            settings.exchange_dir = None;
            self.save_settings(&settings)?;
        }
        let mut migrated: Vec<String> = self.meta_json(MIGRATED_KEY)?.unwrap_or_default();
        if !migrated.contains(&folder) {
            migrated.push(folder);
            self.put_meta_json(MIGRATED_KEY, &migrated)?;
        }
        Ok(ExchangeMigration {
            drafts,
            errors: report.errors,
        })
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
        copy_name(&self.own().device.device.hex())
    }

    /// Writes this replica's copy of draft `id` to the exchange folder, sealed with the
    /// folder's key and signed by this device.
    pub fn publish_draft(&self, exchange: &Path, id: &str) -> Result<PathBuf, ClientError> {
        let key = self.exchange_key(exchange)?;
        let id = id.trim();
        let mut sealed = SEALED_MAGIC.to_vec();
        sealed.extend_from_slice(&seal(&key, &copy_aad(id), &self.export_draft(id)?)?);
        let name = self.exchange_name();
        let signature = self
            .signing_key()?
            .sign_as(Context::ExchangeCopy, &signed_part(id, &name, &sealed));
        let mut packet = SIGNED_MAGIC.to_vec();
        packet.extend_from_slice(hex::encode(self.own().device.bytes()).as_bytes());
        packet.push(b'\n');
        packet.extend_from_slice(hex::encode(&signature).as_bytes());
        packet.push(b'\n');
        packet.extend_from_slice(&sealed);
        let dir = exchange.join(id);
        draft_folder(&dir)?;
        let path = dir.join(self.exchange_name());
        write_new_then_rename(&dir, &self.exchange_name(), &path, &packet)?;
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
            // A link planted in the folder is not followed into another folder.
            match dir.file_type() {
                Ok(t) if t.is_dir() => {}
                Ok(t) if t.is_symlink() => {
                    report.errors.push(ExchangeError {
                        file: key_name(&dir.path()),
                        error: ReadRefusal::Link.message(),
                    });
                    continue;
                }
                _ => continue,
            }
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
            let key = key_name(&path);
            // The stamp is the opened file's: a copy replaced while it is read gets a newer
            // one, and is read again at the next look.
            let (file, stamp) = match open_regular(&path) {
                Ok(opened) => opened,
                Err(refused) => {
                    report.errors.push(ExchangeError {
                        file: key,
                        error: refused.message(),
                    });
                    continue;
                }
            };
            if let Some(outcome) = stamp.and_then(|s| self.exchange_stamps.unchanged(&path, s)) {
                if let Some(error) = outcome {
                    report.errors.push(ExchangeError { file: key, error });
                }
                continue;
            }
            let outcome = self.merge_copy(&path, file, stamp, &folder_key, &mut seen, &mut report);
            if outcome.as_ref().is_ok_and(|merged| *merged) {
                seen_changed = true;
            }
            let outcome = match outcome {
                Ok(_) => None,
                Err(error) => {
                    report.errors.push(ExchangeError {
                        file: key,
                        error: error.clone(),
                    });
                    Some(error)
                }
            };
            if let Some(stamp) = stamp {
                self.exchange_stamps.remember(path, stamp, outcome);
            }
        }
        if seen_changed {
            self.save_exchange_seen(&seen)?;
        }
        Ok(report)
    }

    /// Reads and merges one copy; `Ok(true)` when it brought something to remember in the
    /// digests of merged copies, `Err` with why it was refused.
    fn merge_copy(
        &self,
        path: &Path,
        file: fs::File,
        stamp: Option<Stamp>,
        folder_key: &SecretKey,
        seen: &mut BTreeMap<String, String>,
        report: &mut ExchangeReport,
    ) -> Result<bool, String> {
        let bytes = read_file_capped(file, stamp, MAX_COPY_BYTES).map_err(|r| r.message())?;
        if bytes.len() > MAX_SEALED_DRAFT_BYTES {
            return Err(format!(
                "it is larger than a draft can be ({} MiB), refused unopened: it is not a draft's copy, remove it",
                diplomatie_draft::MAX_DRAFT_BYTES / (1024 * 1024)
            ));
        }
        let key = key_name(path);
        let d = digest(&bytes);
        if seen.get(&key) == Some(&d) {
            return Ok(false);
        }
        let id = path
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let sealed = self.check_copy(&id, &name, &bytes)?;
        let packet = sealed
            .strip_prefix(SEALED_MAGIC)
            .and_then(|sealed| open(folder_key, &copy_aad(&id), sealed).ok())
            .ok_or("this copy cannot be opened with the folder's key: it is damaged, or not a draft of this folder")?;
        let received = self.import_draft(&packet).map_err(|e| e.to_string())?;
        seen.insert(key, d);
        if received.created || !received.new_steps.is_empty() || received.changed {
            report.received.push(received);
        }
        Ok(true)
    }

    /// The sealed part of a copy named `name` of draft `id`, once its signer is checked: a
    /// device certified by this person's identity or by a contact's, the copy named after that
    /// device, the signature valid.
    fn check_copy<'a>(&self, id: &str, name: &str, bytes: &'a [u8]) -> Result<&'a [u8], String> {
        let rest = bytes.strip_prefix(SIGNED_MAGIC).ok_or(
            "this copy is not signed (written by an older version of Diplomatie, or planted): refused unopened; update Diplomatie on the device that wrote it",
        )?;
        let (cert_hex, rest) = split_line(rest).ok_or("this signed copy is cut short")?;
        let (signature_hex, sealed) = split_line(rest).ok_or("this signed copy is cut short")?;
        let device = std::str::from_utf8(cert_hex)
            .ok()
            .and_then(hex::decode)
            .ok_or("this copy's device certificate is unreadable")
            .and_then(|raw| {
                DeviceCertificate::decode(&raw)
                    .map_err(|_| "this copy's device certificate does not hold: the device is not certified by the identity it names; refused unopened")
            })?;
        if name != copy_name(&device.device.hex()) {
            return Err(format!(
                "this copy is signed by device {} but named as another device's copy: it was renamed; refused unopened",
                device.device
            ));
        }
        let signature = std::str::from_utf8(signature_hex)
            .ok()
            .and_then(hex::decode)
            .ok_or("this copy's signature is unreadable")?;
        device
            .verify(
                Context::ExchangeCopy,
                &signed_part(id, name, sealed),
                &signature,
            )
            .map_err(|_| {
                "this copy's signature does not match: it was altered or moved from another draft; refused unopened"
            })?;
        let known = device.identity == self.own().key
            || self
                .known_identity(&device.identity)
                .map_err(|e| e.to_string())?
                .is_some();
        if !known {
            return Err(format!(
                "this copy was written by a device of identity {}, who is not among your contacts: refused unopened; if they are a member of the post, add their card (diplo contact add)",
                device.identity.short()
            ));
        }
        Ok(sealed)
    }

    fn exchange_seen(&self) -> Result<BTreeMap<String, String>, ClientError> {
        Ok(self.meta_json(SEEN_KEY)?.unwrap_or_default())
    }

    fn save_exchange_seen(&self, seen: &BTreeMap<String, String>) -> Result<(), ClientError> {
        self.put_meta_json(SEEN_KEY, seen)
    }
}

/// Makes sure `dir`, a draft's folder in the exchange folder, is a real folder (created if
/// missing), never a symbolic link to somewhere else.
fn draft_folder(dir: &Path) -> Result<(), ClientError> {
    if let Err(e) = fs::create_dir(dir)
        && e.kind() != std::io::ErrorKind::AlreadyExists
    {
        return Err(io_error("create", dir, &e));
    }
    match fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(ClientError::InvalidDraft(format!(
            "{} is not a folder but a link or a file, planted in the exchange folder: nothing was written; remove it",
            dir.display()
        ))),
        Err(e) => Err(io_error("open", dir, &e)),
    }
}

/// Writes `bytes` to a new temporary file of `dir` with a random name (created with
/// `create_new`: never an existing file, never through a link), flushes it to disk and
/// renames it to `path`, which replaces whatever was at `path` (a planted link included)
/// without writing through it. The temporary file is removed if any step fails.
fn write_new_then_rename(
    dir: &Path,
    name: &str,
    path: &Path,
    bytes: &[u8],
) -> Result<(), ClientError> {
    let tmp = dir.join(format!(".{name}.{:032x}.tmp", rand::random::<u128>()));
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| io_error("create", &tmp, &e))?;
    let mut write = || -> std::io::Result<()> {
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io_error("write", path, &e)
    })
}

fn key_name(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn digest(bytes: &[u8]) -> String {
    diplomatie_crypto::hex::encode(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_reader_longer_than_the_cap_is_refused_after_cap_plus_one_bytes() {
        // An endless reader: reading it whole would never end.
        let err = read_capped(std::io::repeat(7), 1000).unwrap_err();
        assert!(matches!(err, ReadRefusal::TooLarge(1000)), "{err:?}");
        assert_eq!(read_capped(&[7u8; 1000][..], 1000).unwrap().len(), 1000);
        assert!(read_capped(&[7u8; 1001][..], 1000).is_err());
    }
}
