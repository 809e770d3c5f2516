//! Numbers given at release: telegrams per post and year, notes verbales per mission and year.
//!
//! Two secretaries of the same post releasing offline on two machines must never give the same
//! number. So numbers are not counted on the device: a **numbering authority** (the relay, once
//! it exists; a file shared by the profiles of a post until then) hands out disjoint **blocks**
//! of serials to devices while they are online, and a device numbers from its blocks, offline
//! or not. A device that has no number left while offline still releases: the text gets a
//! **provisional** number (`BERLIN 2026-P3A7F0-1`: `P`, the first five characters of the
//! device's fingerprint, a count), and the user is told; at the next sync a final number
//! replaces it.
//!
//! - **Series** ([`Series`]): the telegram's origin or the note's sending mission, upper-cased,
//!   and the year; a formal email is not numbered. A final number reads `BERLIN 2026-0042`.
//! - **Blocks** ([`DeviceNumbering`], kept in the profile's encrypted store): a device asks for
//!   [`DeviceNumbering::BLOCK`] serials at a time and, while online, tops a series up once fewer
//!   than [`DeviceNumbering::LOW_WATER`] are left. At release (`Profile::release_draft`, with
//!   the post's register when one is set) the device refills from the authority if it can be
//!   reached, then numbers from its blocks, or provisionally.
//! - **The register** ([`FileAuthority`]): until the relay exists, the authority is a file
//!   shared by the profiles of a post (a network share, or two profiles on one machine), read
//!   and rewritten under an exclusive file lock, holding the next free serial of each series
//!   and who got which block. A register that does not parse is reported as damaged (restore it
//!   from a backup) and left alone; one that cannot be reached leaves the provisional numbers
//!   waiting for the next time.
//! - **Settling** (`Profile::settle_numbers`, `diplo numbers settle`; the client's `schedule`
//!   offers the provisional numbers to the post's register every 30 seconds, for the desktop
//!   app's watcher and `diplo exchange collect --watch`): each provisional number gets a final
//!   one, in the order they were given; the releasing device signs a new record that names the
//!   one it supersedes, and logs it in the draft (a `Renumber` step), so every replica renumbers
//!   the item when it replays the log (a record that gives a final number must be signed by the
//!   same key, for the same text, and supersede the current record). The store keeps both
//!   records (migration 0007), the current one being the one not superseded. This path is
//!   tested in the service and the CLI; the desktop app's end-to-end test does not settle a
//!   provisional number yet.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A numbering series: a post (telegrams) or a mission (notes verbales), and a year.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Series {
    pub scope: String,
    pub year: i32,
}

impl Series {
    pub fn new(scope: &str, year: i32) -> Self {
        Self {
            scope: scope.trim().to_uppercase(),
            year,
        }
    }

    /// `BERLIN 2026-0042`.
    pub fn label(&self, serial: u32) -> String {
        format!("{} {}-{serial:04}", self.scope, self.year)
    }

    fn key(&self) -> String {
        format!("{}/{}", self.scope, self.year)
    }
}

/// Serials `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub start: u32,
    pub end: u32,
}

impl Block {
    pub fn len(&self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Error)]
pub enum NumberingError {
    #[error("the numbering authority cannot be reached: {0}")]
    Unreachable(String),
    #[error("the numbering register {path} is unreadable: {why}; restore it from a backup", path = .path.display())]
    Damaged { path: PathBuf, why: String },
    #[error("no serial is left for {0} this year")]
    Exhausted(String),
}

/// Hands out disjoint blocks of serials.
pub trait NumberAuthority {
    /// Reserves `size` consecutive serials of `series` for `device`.
    fn reserve(
        &mut self,
        series: &Series,
        device: &str,
        size: u32,
    ) -> Result<Block, NumberingError>;
}

/// The authority's register: the next free serial of each series, and who got which block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Register {
    next: BTreeMap<String, u32>,
    grants: Vec<(String, String, Block)>,
}

impl Register {
    fn reserve(
        &mut self,
        series: &Series,
        device: &str,
        size: u32,
    ) -> Result<Block, NumberingError> {
        let next = self.next.entry(series.key()).or_insert(1);
        let start = *next;
        let end = start
            .checked_add(size)
            .ok_or_else(|| NumberingError::Exhausted(series.key()))?;
        *next = end;
        let block = Block { start, end };
        self.grants.push((series.key(), device.to_owned(), block));
        Ok(block)
    }
}

/// An authority in memory (tests, and one-device setups).
#[derive(Debug, Default)]
pub struct MemoryAuthority {
    register: Register,
}

impl NumberAuthority for MemoryAuthority {
    fn reserve(
        &mut self,
        series: &Series,
        device: &str,
        size: u32,
    ) -> Result<Block, NumberingError> {
        self.register.reserve(series, device, size)
    }
}

/// An authority kept in a file that several profiles of a post share (a network share, or
/// two profiles on one machine), under an exclusive file lock. The relay takes this role later.
#[derive(Debug, Clone)]
pub struct FileAuthority {
    path: PathBuf,
}

impl FileAuthority {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
        }
    }
}

impl NumberAuthority for FileAuthority {
    fn reserve(
        &mut self,
        series: &Series,
        device: &str,
        size: u32,
    ) -> Result<Block, NumberingError> {
        let unreachable = |e: std::io::Error| NumberingError::Unreachable(e.to_string());
        let mut file: File = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.path)
            .map_err(unreachable)?;
        file.lock().map_err(unreachable)?;
        let mut raw = String::new();
        file.read_to_string(&mut raw).map_err(unreachable)?;
        let mut register: Register = if raw.trim().is_empty() {
            Register::default()
        } else {
            serde_json::from_str(&raw).map_err(|e| NumberingError::Damaged {
                path: self.path.clone(),
                why: e.to_string(),
            })?
        };
        let block = register.reserve(series, device, size)?;
        let json = serde_json::to_vec_pretty(&register).map_err(|e| NumberingError::Damaged {
            path: self.path.clone(),
            why: e.to_string(),
        })?;
        file.seek(SeekFrom::Start(0)).map_err(unreachable)?;
        file.set_len(0).map_err(unreachable)?;
        file.write_all(&json).map_err(unreachable)?;
        file.sync_all().map_err(unreachable)?;
        file.unlock().map_err(unreachable)?;
        Ok(block)
    }
}

/// A number given at release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Assigned {
    Final {
        serial: u32,
        label: String,
    },
    /// None was left offline: replaced at the next `settle`.
    Provisional {
        label: String,
    },
}

impl Assigned {
    pub fn label(&self) -> &str {
        match self {
            Assigned::Final { label, .. } | Assigned::Provisional { label } => label,
        }
    }
}

/// A provisional number made final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    pub provisional: String,
    pub serial: u32,
    pub label: String,
}

/// A device's numbers: the blocks it holds per series and its provisional numbers waiting for a
/// final one. Kept in the profile's store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceNumbering {
    device: String,
    #[serde(with = "blocks_as_pairs")]
    blocks: BTreeMap<Series, Vec<Block>>,
    provisional_count: u32,
    pending: Vec<(Series, String)>,
}

impl DeviceNumbering {
    /// How many serials a device asks for at a time.
    pub const BLOCK: u32 = 20;
    /// Below this many serials left in a series, an online device asks for a new block.
    pub const LOW_WATER: u32 = 5;

    pub fn new(device: &str) -> Self {
        Self {
            device: device.to_owned(),
            blocks: BTreeMap::new(),
            provisional_count: 0,
            pending: Vec::new(),
        }
    }

    /// Serials left in `series`.
    pub fn remaining(&self, series: &Series) -> u32 {
        self.blocks
            .get(series)
            .map_or(0, |bs| bs.iter().map(Block::len).sum())
    }

    /// While online: tops `series` up to at least `LOW_WATER` serials.
    pub fn refill(
        &mut self,
        authority: &mut dyn NumberAuthority,
        series: &Series,
    ) -> Result<(), NumberingError> {
        if self.remaining(series) < Self::LOW_WATER {
            let block = authority.reserve(series, &self.device, Self::BLOCK)?;
            self.blocks.entry(series.clone()).or_default().push(block);
        }
        Ok(())
    }

    /// The next number of `series`, from the blocks held; provisional when none is left.
    pub fn next(&mut self, series: &Series) -> Assigned {
        if let Some(blocks) = self.blocks.get_mut(series) {
            blocks.retain(|b| !b.is_empty());
            if let Some(block) = blocks.first_mut() {
                let serial = block.start;
                block.start += 1;
                return Assigned::Final {
                    serial,
                    label: series.label(serial),
                };
            }
        }
        self.provisional_count += 1;
        let device: String = self
            .device
            .chars()
            .take(5)
            .collect::<String>()
            .to_uppercase();
        let label = format!(
            "{} {}-P{device}-{}",
            series.scope, series.year, self.provisional_count
        );
        self.pending.push((series.clone(), label.clone()));
        Assigned::Provisional { label }
    }

    /// Provisional numbers still waiting.
    pub fn pending(&self) -> impl Iterator<Item = &str> {
        self.pending.iter().map(|(_, l)| l.as_str())
    }

    /// At the next sync: gives each provisional number a final one, in the order they were
    /// given, and tops the blocks up again.
    pub fn settle(
        &mut self,
        authority: &mut dyn NumberAuthority,
    ) -> Result<Vec<Replacement>, NumberingError> {
        let mut done = Vec::new();
        let pending = std::mem::take(&mut self.pending);
        let mut rest = pending.into_iter();
        while let Some((series, provisional)) = rest.next() {
            if let Err(e) = self.refill(authority, &series) {
                // Keep what is not settled for the next time.
                self.pending.push((series, provisional));
                self.pending.extend(rest);
                return if done.is_empty() { Err(e) } else { Ok(done) };
            }
            match self.next_final(&series) {
                Some(serial) => done.push(Replacement {
                    provisional,
                    serial,
                    label: series.label(serial),
                }),
                None => self.pending.push((series, provisional)),
            }
        }
        Ok(done)
    }

    fn next_final(&mut self, series: &Series) -> Option<u32> {
        let blocks = self.blocks.get_mut(series)?;
        blocks.retain(|b| !b.is_empty());
        let block = blocks.first_mut()?;
        let serial = block.start;
        block.start += 1;
        Some(serial)
    }
}

/// JSON maps need string keys: the blocks are kept as a list of (series, blocks) pairs.
mod blocks_as_pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Block, Series};

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<Series, Vec<Block>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        map.iter().collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<Series, Vec<Block>>, D::Error> {
        Ok(Vec::<(Series, Vec<Block>)>::deserialize(d)?
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn two_offline_releasers_never_share_a_number_and_provisionals_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let register = dir.path().join("numbering-BERLIN.json");
        let series = Series::new("berlin", 2026);
        // Two secretaries of the post, each with a device; both online at first.
        let mut alice = DeviceNumbering::new("a1b2c3d4");
        let mut bob = DeviceNumbering::new("f9e8d7c6");
        alice
            .refill(&mut FileAuthority::new(&register), &series)
            .unwrap();
        bob.refill(&mut FileAuthority::new(&register), &series)
            .unwrap();
        // Offline: Alice releases more than her block holds, Bob a few.
        let a: Vec<Assigned> = (0..DeviceNumbering::BLOCK + 3)
            .map(|_| alice.next(&series))
            .collect();
        let b: Vec<Assigned> = (0..7).map(|_| bob.next(&series)).collect();
        let finals: Vec<u32> = a
            .iter()
            .chain(&b)
            .filter_map(|n| match n {
                Assigned::Final { serial, .. } => Some(*serial),
                Assigned::Provisional { .. } => None,
            })
            .collect();
        let distinct: BTreeSet<u32> = finals.iter().copied().collect();
        assert_eq!(distinct.len(), finals.len(), "no number given twice");
        assert_eq!(finals.len() as u32, DeviceNumbering::BLOCK + 7);
        let provisional: Vec<&str> = alice.pending().collect();
        assert_eq!(provisional.len(), 3);
        assert!(
            provisional
                .iter()
                .all(|l| l.starts_with("BERLIN 2026-PA1B2C-"))
        );
        assert_eq!(a[0].label(), "BERLIN 2026-0001");

        // Back online: the provisional numbers get final ones, distinct from all the others.
        let replaced = alice.settle(&mut FileAuthority::new(&register)).unwrap();
        assert_eq!(replaced.len(), 3);
        assert_eq!(alice.pending().count(), 0);
        let mut all = distinct;
        for r in &replaced {
            assert!(all.insert(r.serial), "{} reused", r.label);
            assert!(r.provisional.contains("-P"));
        }
        assert_eq!(all.len() as u32, DeviceNumbering::BLOCK + 10);
    }

    #[test]
    fn concurrent_reservations_through_the_file_are_disjoint() {
        let dir = tempfile::tempdir().unwrap();
        let register = dir.path().join("numbering.json");
        let series = Series::new("PARIS", 2026);
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let register = register.clone();
                let series = series.clone();
                std::thread::spawn(move || {
                    (0..10)
                        .map(|_| {
                            FileAuthority::new(&register)
                                .reserve(&series, &format!("dev{t}"), 3)
                                .unwrap()
                        })
                        .collect::<Vec<Block>>()
                })
            })
            .collect();
        let mut serials = BTreeSet::new();
        for t in threads {
            for block in t.join().unwrap() {
                for s in block.start..block.end {
                    assert!(serials.insert(s), "serial {s} granted twice");
                }
            }
        }
        assert_eq!(serials.len(), 240);
    }

    #[test]
    fn a_damaged_register_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let register = dir.path().join("numbering.json");
        std::fs::write(&register, b"{not json").unwrap();
        let err = FileAuthority::new(&register)
            .reserve(&Series::new("ROME", 2026), "d", 5)
            .unwrap_err();
        assert!(err.to_string().contains("unreadable"), "{err}");
        assert_eq!(std::fs::read(&register).unwrap(), b"{not json");
    }

    #[test]
    fn settling_while_the_authority_is_unreachable_keeps_the_provisionals() {
        struct Down;
        impl NumberAuthority for Down {
            fn reserve(&mut self, _: &Series, _: &str, _: u32) -> Result<Block, NumberingError> {
                Err(NumberingError::Unreachable("offline".into()))
            }
        }
        let series = Series::new("OTTAWA", 2026);
        let mut d = DeviceNumbering::new("abc");
        assert!(matches!(d.next(&series), Assigned::Provisional { .. }));
        assert!(d.settle(&mut Down).is_err());
        assert_eq!(d.pending().count(), 1);
        let replaced = d.settle(&mut MemoryAuthority::default()).unwrap();
        assert_eq!(replaced[0].label, "OTTAWA 2026-0001");
    }
}
