//! What the exchange folder's copies looked like when they were last read, kept for as long
//! as a profile is open: a copy that was refused is not read again until it changes (length,
//! time of change, inode). A leaf module, so that the profile holds the cache without
//! depending on the drafting services that fill it.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A copy's length, time of change and inode when it was last looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: SystemTime,
    inode: u64,
}

impl Stamp {
    /// The copy's length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    pub(crate) fn of(meta: &fs::Metadata) -> Option<Self> {
        Some(Self {
            len: meta.len(),
            modified: meta.modified().ok()?,
            inode: inode(meta),
        })
    }
}

#[cfg(unix)]
fn inode(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_meta: &fs::Metadata) -> u64 {
    0
}

/// A copy changed less than this long ago is read again even when its stamp is the same: a
/// file system's clock may be coarse (whole seconds on some shares), so two writes within one
/// tick can leave the same time behind.
const STAMP_SETTLE: Duration = Duration::from_secs(3);

/// What a look at a copy found: merged (or nothing new), or refused with why.
pub(crate) type Outcome = Option<String>;

/// The stamps of the copies looked at, with what came of each, kept for as long as the
/// profile is open.
#[derive(Debug, Default)]
pub(crate) struct ExchangeStamps(Mutex<HashMap<PathBuf, (Stamp, Outcome)>>);

impl ExchangeStamps {
    /// What came of the last look at `path`, if its stamp is the same and old enough to
    /// trust; `None` when the copy must be read.
    pub(crate) fn unchanged(&self, path: &Path, stamp: Stamp) -> Option<Outcome> {
        let fresh = SystemTime::now()
            .duration_since(stamp.modified)
            .map_or(true, |age| age < STAMP_SETTLE);
        if fresh {
            return None;
        }
        let known = self.0.lock().ok()?;
        match known.get(path) {
            Some((known, outcome)) if *known == stamp => Some(outcome.clone()),
            _ => None,
        }
    }

    pub(crate) fn remember(&self, path: PathBuf, stamp: Stamp, outcome: Outcome) {
        if let Ok(mut known) = self.0.lock() {
            known.insert(path, (stamp, outcome));
        }
    }
}
