//! A folder as a carrier: a shared or removable drive for a post with no network. The same
//! signed, sealed envelopes as through the relay, written as files; the MLS commits, welcomes
//! and key packages beside them.
//!
//! ```text
//! DIR/DIPLOMATIE-SYNC-FOLDER                         marks the folder (format 1)
//! DIR/spaces/<space>/envelopes/<sender>/<seq>.env     one envelope, by its sender and number
//! DIR/spaces/<space>/commits/<epoch>.commit           the commit that took the space past epoch
//! DIR/spaces/<space>/welcomes/<epoch>.welcome         the welcome of the devices it added
//! DIR/spaces/<space>/deposit-keys/<epoch>-<device>.key  a member's signed deposit key of an epoch
//! DIR/keypackages/<device>/<digest>.kp                a key package of a device, taken once
//! ```
//!
//! Every file is written under a temporary name and then given its name in one step: a
//! reader sees a whole file or none. A device writes only its own envelopes, oldest first and
//! without skipping, so a reader's cursor is, for each sender, the highest number read. The
//! one commit of an epoch is the first to be linked under its name (a link fails when the
//! name exists), as the relay accepts one commit per epoch.
//!
//! The folder is not trusted for secrecy or authenticity: envelopes are sealed and signed, and
//! commits are checked by every member's MLS state. Whoever can write to it can, however,
//! delete files or take an epoch's name with garbage, which stops that space through this
//! folder until it is cleaned; the relay does not have that weakness.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use diplomatie_protocol::relay::CommitUpload;
use diplomatie_protocol::{DeviceId, Envelope, MAX_DEPOSIT_KEY_BYTES, MAX_ENVELOPE_BYTES, SpaceId};
use diplomatie_sync::{Cursor, PushOutcome};
use sha2::{Digest, Sha256};

use super::carrier::{Carrier, Pulled, Waiting};
use super::relay::CommitAnswer;
use crate::ClientError;

const MARKER: &str = "DIPLOMATIE-SYNC-FOLDER";
const MARKER_TEXT: &str = "Diplomatie sync folder, format 1\n";
/// The most envelopes one pull reads.
const PAGE: usize = 1000;
/// The most bytes of a commit, welcome or key package read.
const MAX_MLS_BYTES: u64 = 4 * 1024 * 1024;

/// A sync folder, as one device uses it.
#[derive(Debug)]
pub(crate) struct Folder {
    dir: PathBuf,
    device: DeviceId,
}

fn io(path: &Path, e: std::io::Error) -> ClientError {
    ClientError::Relay(format!(
        "the sync folder cannot be used ({}: {e}): check that the drive is mounted and writable",
        path.display()
    ))
}

/// A cursor in a folder: the highest number read from each sender.
fn decode_cursor(cursor: &Cursor) -> Result<BTreeMap<DeviceId, u64>, ClientError> {
    if cursor.0.is_empty() {
        return Ok(BTreeMap::new());
    }
    let pairs: Vec<([u8; 16], u64)> = postcard::from_bytes(&cursor.0)
        .map_err(|_| ClientError::Relay("a cursor that is not a sync folder's".into()))?;
    Ok(pairs.into_iter().map(|(d, s)| (DeviceId(d), s)).collect())
}

fn encode_cursor(read: &BTreeMap<DeviceId, u64>) -> Cursor {
    if read.is_empty() {
        return Cursor::start();
    }
    let pairs: Vec<([u8; 16], u64)> = read.iter().map(|(d, s)| (d.0, *s)).collect();
    Cursor(postcard::to_allocvec(&pairs).unwrap_or_default())
}

/// Reads a file of at most `limit` bytes.
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ClientError> {
    let len = fs::metadata(path).map_err(|e| io(path, e))?.len();
    if len > limit {
        return Err(ClientError::Relay(format!(
            "{} is larger than Diplomatie writes: it is not one of its files",
            path.display()
        )));
    }
    fs::read(path).map_err(|e| io(path, e))
}

/// The files of `dir` (none if it does not exist), by name.
fn names(dir: &Path) -> Result<Vec<String>, ClientError> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            let mut out: Vec<String> = entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| !n.starts_with('.'))
                .collect();
            out.sort();
            Ok(out)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(io(dir, e)),
    }
}

impl Folder {
    /// Opens the sync folder `dir`, marking it if it is new or empty; a folder holding other
    /// files is refused (it is not a sync folder).
    pub fn open(dir: &Path, device: DeviceId) -> Result<Folder, ClientError> {
        if !dir.is_dir() {
            return Err(ClientError::Relay(format!(
                "{} is not a folder: create it, or check that the drive is mounted",
                dir.display()
            )));
        }
        let marker = dir.join(MARKER);
        if !marker.exists() {
            if !names(dir)?.is_empty() {
                return Err(ClientError::Relay(format!(
                    "{} holds files that are not a sync folder's: give an empty folder, or the one the other devices use",
                    dir.display()
                )));
            }
            fs::write(&marker, MARKER_TEXT).map_err(|e| io(&marker, e))?;
        }
        Ok(Folder {
            dir: dir.to_owned(),
            device,
        })
    }

    fn space_dir(&self, space: SpaceId) -> PathBuf {
        self.dir.join("spaces").join(space.hex())
    }

    /// Writes `bytes` under a temporary name in `dir`, then renames it to `name`, replacing
    /// what was there in one step.
    fn replace(&self, dir: &Path, name: &str, bytes: &[u8]) -> Result<(), ClientError> {
        let random = diplomatie_crypto::random_bytes::<8>()?;
        let tmp = dir.join(format!(".tmp-{}", diplomatie_crypto::hex::encode(&random)));
        let written = (|| {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            fs::rename(&tmp, dir.join(name))
        })();
        written.map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io(&tmp, e)
        })
    }

    /// Writes `bytes` under a temporary name in `dir`, then links it as `name`: `Ok(false)`
    /// when `name` already exists (nothing written).
    fn publish(&self, dir: &Path, name: &str, bytes: &[u8]) -> Result<bool, ClientError> {
        fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let random = diplomatie_crypto::random_bytes::<8>()?;
        let tmp = dir.join(format!(".tmp-{}", diplomatie_crypto::hex::encode(&random)));
        let written = (|| {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(io(&tmp, e));
        }
        let target = dir.join(name);
        let linked = fs::hard_link(&tmp, &target);
        let _ = fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(io(&target, e)),
        }
    }
}

/// Whether the file at `path` is the envelope `header` names (the same space, sender, number
/// and id), whatever its bytes.
fn holds(path: &Path, space: SpaceId, header: &diplomatie_protocol::EnvelopeHeader) -> bool {
    read_limited(path, MAX_ENVELOPE_BYTES as u64)
        .ok()
        .and_then(|bytes| Envelope::decode(&bytes).ok())
        .is_some_and(|e| {
            let found = e.header();
            found.space == space
                && found.sender == header.sender
                && found.seq == header.seq
                && found.id == header.id
        })
}

fn seq_name(seq: u64) -> String {
    format!("{seq:020}")
}

impl Carrier for Folder {
    fn open(&mut self) -> Result<(), ClientError> {
        if self.dir.join(MARKER).exists() {
            Ok(())
        } else {
            Err(ClientError::RelayUnreachable(
                self.dir.display().to_string(),
            ))
        }
    }

    fn publish_key_packages(&mut self, packages: Vec<Vec<u8>>) -> Result<u32, ClientError> {
        let dir = self.dir.join("keypackages").join(self.device.hex());
        for package in &packages {
            let digest = diplomatie_crypto::hex::encode(&Sha256::digest(package));
            self.publish(&dir, &format!("{digest}.kp"), package)?;
        }
        Ok(u32::try_from(names(&dir)?.len()).unwrap_or(u32::MAX))
    }

    fn key_package(&mut self, device: &DeviceId) -> Result<Vec<u8>, ClientError> {
        let dir = self.dir.join("keypackages").join(device.hex());
        for name in names(&dir)?.iter().filter(|n| n.ends_with(".kp")) {
            // Taken by moving it away: of two devices taking the same one, one move fails.
            let taken = dir.join(format!(".taken-{name}"));
            if fs::rename(dir.join(name), &taken).is_ok() {
                let bytes = read_limited(&taken, MAX_MLS_BYTES);
                let _ = fs::remove_file(&taken);
                return bytes;
            }
        }
        Err(ClientError::Relay(
            "this device has published no key package in the sync folder: it must sync with the folder once".into(),
        ))
    }

    fn welcomes(&mut self) -> Result<Vec<Waiting>, ClientError> {
        // A welcome does not name its addressees in clear: the driver tries those of the
        // spaces it is not in, and a welcome for someone else does not open.
        let mut out = Vec::new();
        for space in names(&self.dir.join("spaces"))? {
            let dir = self.dir.join("spaces").join(&space).join("welcomes");
            for name in names(&dir)? {
                out.push(Waiting {
                    id: format!("{space}/{name}"),
                    bytes: read_limited(&dir.join(&name), MAX_MLS_BYTES)?,
                });
            }
        }
        Ok(out)
    }

    fn delete_welcome(&mut self, _id: &str) -> Result<(), ClientError> {
        // Shared by every device it adds: left in place.
        Ok(())
    }

    fn spaces(&mut self) -> Result<Vec<SpaceId>, ClientError> {
        Ok(names(&self.dir.join("spaces"))?
            .iter()
            .filter_map(|n| SpaceId::from_hex(n))
            .collect())
    }

    fn create_space(&mut self, space: SpaceId, group_info: Vec<u8>) -> Result<(), ClientError> {
        self.publish(&self.space_dir(space), "group-info", &group_info)?;
        Ok(())
    }

    fn commit_at(&mut self, space: SpaceId, epoch: u64) -> Result<Option<Vec<u8>>, ClientError> {
        let path = self
            .space_dir(space)
            .join("commits")
            .join(format!("{}.commit", seq_name(epoch)));
        if !path.exists() {
            return Ok(None);
        }
        read_limited(&path, MAX_MLS_BYTES).map(Some)
    }

    fn commit(
        &mut self,
        space: SpaceId,
        epoch: u64,
        upload: &CommitUpload,
    ) -> Result<CommitAnswer, ClientError> {
        let space_dir = self.space_dir(space);
        let name = format!("{}.commit", seq_name(epoch));
        if !self.publish(&space_dir.join("commits"), &name, &upload.commit)? {
            // Another member's commit took this epoch: the space is past it.
            let mut at = epoch;
            while self.commit_at(space, at)?.is_some() {
                at += 1;
            }
            return Ok(CommitAnswer::Conflict(at));
        }
        if let Some(welcome) = &upload.welcome {
            let name = format!("{}.welcome", seq_name(epoch + 1));
            self.publish(&space_dir.join("welcomes"), &name, welcome)?;
        }
        Ok(CommitAnswer::Accepted(epoch + 1))
    }

    fn push(
        &mut self,
        space: SpaceId,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError> {
        let mut outcomes = Vec::with_capacity(envelopes.len());
        let mut failed: Option<String> = None;
        for bytes in envelopes {
            // After a failure the rest wait: a device's files go oldest first, without gaps.
            if let Some(reason) = &failed {
                outcomes.push(PushOutcome::Refused {
                    retryable: true,
                    reason: reason.clone(),
                });
                continue;
            }
            let header = Envelope::decode(&bytes)?.header().clone();
            let dir = self
                .space_dir(space)
                .join("envelopes")
                .join(header.sender.hex());
            let name = format!("{}.env", seq_name(header.seq));
            let written = self.publish(&dir, &name, &bytes).and_then(|new| {
                // Only this device writes under its own name: a number taken is this device's
                // earlier push of the same write (sealed again since, so its bytes may differ),
                // whose outcome a crash lost; anything else there (planted by someone who can
                // write to the folder) is replaced, so that the number is this write's.
                if new || holds(&dir.join(&name), space, &header) {
                    Ok(())
                } else {
                    self.replace(&dir, &name, &bytes)
                }
            });
            match written {
                Ok(()) => outcomes.push(PushOutcome::Accepted),
                Err(e) => {
                    let reason = e.to_string();
                    failed = Some(reason.clone());
                    outcomes.push(PushOutcome::Refused {
                        retryable: true,
                        reason,
                    });
                }
            }
        }
        Ok(outcomes)
    }

    /// A folder has no gatekeeper: a deposit is written where the space's members read.
    fn deposit(
        &mut self,
        space: SpaceId,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError> {
        self.push(space, envelopes)
    }

    fn pull(&mut self, space: SpaceId, after: &Cursor) -> Result<Pulled, ClientError> {
        let mut read = decode_cursor(after)?;
        let root = self.space_dir(space).join("envelopes");
        let mut head = BTreeMap::new();
        let mut unread: Vec<(DeviceId, u64, PathBuf)> = Vec::new();
        for sender in names(&root)? {
            let Some(device) = DeviceId::from_hex(&sender) else {
                continue;
            };
            let from = read.get(&device).copied().unwrap_or(0);
            let mut numbers = std::collections::BTreeMap::new();
            for name in names(&root.join(&sender))? {
                if let Some(seq) = name
                    .strip_suffix(".env")
                    .and_then(|n| n.parse::<u64>().ok())
                {
                    numbers.insert(seq, name);
                }
            }
            // A sender writes its numbers in order, without gaps: what lies past a gap (a file
            // planted ahead, or one copied before those below it) waits until the gap is
            // filled, so that nothing below it is ever passed over.
            let mut next = from.saturating_add(1);
            while let Some(name) = numbers.get(&next) {
                unread.push((device, next, root.join(&sender).join(name)));
                next = next.saturating_add(1);
            }
            let top = head.entry(device).or_insert(0);
            *top = (*top).max(next.saturating_sub(1));
        }
        // A number read whose file has gone still counts, so that the head is never behind.
        for (device, seq) in &read {
            let top = head.entry(*device).or_insert(0);
            *top = (*top).max(*seq);
        }
        unread.sort();
        let total = unread.len();
        let mut entries = Vec::new();
        // A file that is not the envelope its name says (garbage planted at a sender's next
        // number, cut short, too large) stops that sender like a gap: not taken, so that the
        // sender's own write, which replaces it, is read then.
        let mut stopped = std::collections::BTreeSet::new();
        let mut held_back = 0;
        for (device, seq, path) in unread {
            if entries.len() >= PAGE {
                break;
            }
            if stopped.contains(&device) {
                held_back += 1;
                continue;
            }
            let fits = read_limited(&path, MAX_ENVELOPE_BYTES as u64)
                .ok()
                .filter(|bytes| {
                    Envelope::decode(bytes).is_ok_and(|e| {
                        let h = e.header();
                        h.space == space && h.sender == device && h.seq == seq
                    })
                });
            let Some(bytes) = fits else {
                held_back += 1;
                stopped.insert(device);
                let read_to = read.get(&device).copied().unwrap_or(0);
                head.insert(device, read_to);
                continue;
            };
            read.insert(device, seq);
            entries.push((encode_cursor(&read), bytes));
        }
        let remaining = total.saturating_sub(entries.len() + held_back) as u64;
        Ok(Pulled {
            entries,
            next: encode_cursor(&read),
            head: encode_cursor(&head),
            remaining: Some(remaining),
        })
    }

    /// The keys of the latest epochs members wrote them for, newest first (at most 64; the
    /// caller keeps the newest whose signature holds: anyone who can write here can also
    /// plant files, which are skipped when they are not a key's size).
    fn deposit_keys(&mut self, space: SpaceId) -> Result<Vec<Vec<u8>>, ClientError> {
        let dir = self.space_dir(space).join("deposit-keys");
        let mut published: Vec<(u64, String)> = names(&dir)?
            .into_iter()
            .filter_map(|name| {
                let (epoch, _) = name.strip_suffix(".key")?.split_once('-')?;
                Some((epoch.parse().ok()?, name))
            })
            .collect();
        published.sort_by(|a, b| b.cmp(a));
        Ok(published
            .into_iter()
            .take(64)
            .filter_map(|(_, name)| {
                read_limited(&dir.join(name), MAX_DEPOSIT_KEY_BYTES as u64).ok()
            })
            .collect())
    }

    fn publish_deposit_key(&mut self, space: SpaceId, key: &[u8]) -> Result<(), ClientError> {
        let epoch = diplomatie_protocol::DepositKey::decode(key)?.epoch;
        let dir = self.space_dir(space).join("deposit-keys");
        let name = format!("{}-{}.key", seq_name(epoch), self.device.hex());
        self.publish(&dir, &name, key)?;
        Ok(())
    }
}
