//! What carries envelopes and MLS messages between devices, as the sync driver sees it: the
//! relay (`relay.rs`) or a folder (`folder.rs`). One driver, two carriers.

use diplomatie_protocol::relay::{CommitUpload, PushOutcome as RelayOutcome, RefusalReason};
use diplomatie_protocol::{DeviceId, SpaceId};
use diplomatie_sync::{Cursor, PushOutcome};

use super::relay::{CommitAnswer, RelayClient};
use crate::ClientError;

/// A page of a space's log as a carrier gives it: each envelope with the cursor to resume from
/// once it and those before it are settled.
#[derive(Debug)]
pub(crate) struct Pulled {
    pub entries: Vec<(Cursor, Vec<u8>)>,
    pub next: Cursor,
    pub head: Cursor,
    pub remaining: Option<u64>,
}

/// A welcome waiting for this device, and how to name it once processed.
#[derive(Debug)]
pub(crate) struct Waiting {
    pub id: String,
    pub bytes: Vec<u8>,
}

/// A commit as a carrier gives it: the epoch it was made at, and its bytes.
pub(crate) type Commit = (u64, Vec<u8>);

/// What a device needs before reading the logs, as [`Carrier::start`] gives it.
#[derive(Debug, Default)]
pub(crate) struct Started {
    /// This device's key packages the carrier holds.
    pub key_packages: u32,
    pub welcomes: Vec<Waiting>,
    /// The spaces the carrier knows this device in, with, when the carrier says them, their
    /// epoch there and where their log ends.
    pub spaces: Vec<(SpaceId, Option<u64>, Option<Cursor>)>,
    /// The commits past the epochs asked about, by space, in order.
    pub commits: Vec<(SpaceId, Vec<Commit>)>,
    /// Spaces asked about that this device is no longer a member of (a relay says so; it does
    /// not hand a removed device the commit that removed it).
    pub removed: Vec<SpaceId>,
}

pub(crate) trait Carrier {
    /// Gets ready (a relay opens a session); an unreachable carrier is
    /// [`ClientError::RelayUnreachable`].
    fn open(&mut self) -> Result<(), ClientError>;
    /// How many key packages of this device the carrier holds, after adding `packages`.
    fn publish_key_packages(&mut self, packages: Vec<Vec<u8>>) -> Result<u32, ClientError>;
    /// Takes one key package of `device` (each is handed out once).
    fn key_package(&mut self, device: &DeviceId) -> Result<Vec<u8>, ClientError>;
    fn welcomes(&mut self) -> Result<Vec<Waiting>, ClientError>;
    fn delete_welcome(&mut self, id: &str) -> Result<(), ClientError>;
    /// The spaces the carrier knows this device in.
    fn spaces(&mut self) -> Result<Vec<SpaceId>, ClientError>;
    fn create_space(&mut self, space: SpaceId, group_info: Vec<u8>) -> Result<(), ClientError>;
    /// The commit that took `space` past `epoch`, if there is one.
    fn commit_at(&mut self, space: SpaceId, epoch: u64) -> Result<Option<Vec<u8>>, ClientError>;
    /// Offers the commit made at `epoch` (with the welcome of the devices it adds).
    fn commit(
        &mut self,
        space: SpaceId,
        epoch: u64,
        upload: &CommitUpload,
    ) -> Result<CommitAnswer, ClientError>;
    /// Pushes sealed envelopes: one outcome each, in order.
    fn push(
        &mut self,
        space: SpaceId,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError>;
    /// Deposits envelopes into a space this device is not a member of: one outcome each, in
    /// order. A space the carrier does not know (yet) refuses them for now, not for good.
    fn deposit(
        &mut self,
        space: SpaceId,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError>;
    fn pull(&mut self, space: SpaceId, after: &Cursor) -> Result<Pulled, ClientError>;
    /// The deposit keys of `space` published at the latest epoch any were (signed deposit keys,
    /// as `DepositKey::bytes` gives them; not checked here).
    fn deposit_keys(&mut self, space: SpaceId) -> Result<Vec<Vec<u8>>, ClientError>;
    /// Publishes this device's deposit key of `space` at its current epoch, for depositors.
    fn publish_deposit_key(&mut self, space: SpaceId, key: &[u8]) -> Result<(), ClientError>;

    /// What this device needs before reading the logs, given its spaces and the epoch it is at
    /// in each: by default asked piece by piece; the relay answers in one round trip.
    fn start(&mut self, spaces: &[(SpaceId, u64)]) -> Result<Started, ClientError> {
        let key_packages = self.publish_key_packages(Vec::new())?;
        let welcomes = self.welcomes()?;
        let known = self.spaces()?;
        let mut commits = Vec::new();
        for (space, epoch) in spaces {
            if !known.contains(space) {
                continue;
            }
            let mut at = *epoch;
            let mut found = Vec::new();
            while let Some(bytes) = self.commit_at(*space, at)? {
                found.push((at, bytes));
                at = at.saturating_add(1);
            }
            if !found.is_empty() {
                commits.push((*space, found));
            }
        }
        Ok(Started {
            key_packages,
            welcomes,
            spaces: known.into_iter().map(|space| (space, None, None)).collect(),
            commits,
            removed: Vec::new(),
        })
    }
}

/// The relay's outcome for one envelope, as the engine takes it.
fn outcome(outcome: RelayOutcome) -> PushOutcome {
    match outcome {
        RelayOutcome::Accepted { .. } => PushOutcome::Accepted,
        // An envelope's id is this device's random choice: taken means an earlier push of the
        // same write reached the relay (sealed again since, so its bytes differ) and its
        // acknowledgement was lost.
        RelayOutcome::Refused {
            reason: RefusalReason::IdTaken,
            ..
        } => PushOutcome::Accepted,
        RelayOutcome::Refused { reason, message } => PushOutcome::Refused {
            retryable: matches!(
                reason,
                RefusalReason::StaleEpoch
                    | RefusalReason::FutureEpoch
                    | RefusalReason::StaleDepositKey
            ),
            reason: message,
        },
    }
}

impl Carrier for RelayClient {
    /// Opens a session unless one kept from an earlier sync is still valid (the relay says so
    /// if it is not, and one is opened then).
    fn open(&mut self) -> Result<(), ClientError> {
        if self.session().is_some() {
            return Ok(());
        }
        self.open_session()
    }

    fn start(&mut self, spaces: &[(SpaceId, u64)]) -> Result<Started, ClientError> {
        let start = RelayClient::start(self, spaces)?;
        Ok(Started {
            key_packages: start.key_packages,
            welcomes: start
                .welcomes
                .into_iter()
                .map(|w| Waiting {
                    id: w.id.to_string(),
                    bytes: w.bytes,
                })
                .collect(),
            spaces: start
                .spaces
                .into_iter()
                .map(|s| (s.space, Some(s.epoch), Some(Cursor::from_seq(s.head))))
                .collect(),
            commits: start
                .commits
                .into_iter()
                .map(|(space, page)| {
                    (
                        space,
                        page.commits
                            .into_iter()
                            .map(|c| (c.epoch, c.bytes))
                            .collect(),
                    )
                })
                .collect(),
            removed: start.removed,
        })
    }

    fn publish_key_packages(&mut self, packages: Vec<Vec<u8>>) -> Result<u32, ClientError> {
        Ok(RelayClient::publish_key_packages(self, packages)?.held)
    }

    fn key_package(&mut self, device: &DeviceId) -> Result<Vec<u8>, ClientError> {
        RelayClient::key_package(self, device)
    }

    fn welcomes(&mut self) -> Result<Vec<Waiting>, ClientError> {
        Ok(RelayClient::welcomes(self)?
            .welcomes
            .into_iter()
            .map(|w| Waiting {
                id: w.id.to_string(),
                bytes: w.bytes,
            })
            .collect())
    }

    fn delete_welcome(&mut self, id: &str) -> Result<(), ClientError> {
        let id = id
            .parse()
            .map_err(|_| ClientError::Relay("a welcome's id is not the relay's".into()))?;
        RelayClient::delete_welcome(self, id)
    }

    fn spaces(&mut self) -> Result<Vec<SpaceId>, ClientError> {
        Ok(RelayClient::spaces(self)?
            .into_iter()
            .map(|s| s.space)
            .collect())
    }

    fn create_space(&mut self, space: SpaceId, group_info: Vec<u8>) -> Result<(), ClientError> {
        RelayClient::create_space(self, space, group_info)
    }

    fn commit_at(&mut self, space: SpaceId, epoch: u64) -> Result<Option<Vec<u8>>, ClientError> {
        Ok(self
            .commits(space, epoch)?
            .commits
            .into_iter()
            .find(|c| c.epoch == epoch)
            .map(|c| c.bytes))
    }

    fn commit(
        &mut self,
        space: SpaceId,
        epoch: u64,
        upload: &CommitUpload,
    ) -> Result<CommitAnswer, ClientError> {
        RelayClient::commit(self, space, epoch, upload)
    }

    fn push(
        &mut self,
        space: SpaceId,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError> {
        Ok(RelayClient::push(self, space, envelopes)?
            .into_iter()
            .map(outcome)
            .collect())
    }

    fn deposit(
        &mut self,
        space: SpaceId,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError> {
        let count = envelopes.len();
        match RelayClient::deposit(self, space, envelopes) {
            Ok(outcomes) => Ok(outcomes.into_iter().map(outcome).collect()),
            // Unreachable: the whole push fails and is tried again.
            Err(e @ ClientError::RelayUnreachable(_)) => Err(e),
            // The space is not at the relay yet (its person has not synced since making it),
            // or the deposits went over this device's rate: later, without holding the rest.
            Err(e) => Ok(vec![
                PushOutcome::Refused {
                    retryable: true,
                    reason: e.to_string(),
                };
                count
            ]),
        }
    }

    fn pull(&mut self, space: SpaceId, after: &Cursor) -> Result<Pulled, ClientError> {
        let seq = after
            .seq()
            .ok_or_else(|| ClientError::Relay("a cursor that is not the relay's".into()))?;
        let page = RelayClient::pull(self, space, seq)?;
        let last = page.envelopes.last().map(|(s, _)| *s).unwrap_or(seq);
        let next = page.next.unwrap_or(last.max(seq));
        Ok(Pulled {
            entries: page
                .envelopes
                .into_iter()
                .map(|(at, bytes)| (Cursor::from_seq(at), bytes))
                .collect(),
            next: Cursor::from_seq(next),
            head: Cursor::from_seq(page.head),
            remaining: Some(page.head.saturating_sub(next)),
        })
    }

    fn deposit_keys(&mut self, space: SpaceId) -> Result<Vec<Vec<u8>>, ClientError> {
        RelayClient::deposit_keys(self, space)
    }

    fn publish_deposit_key(&mut self, space: SpaceId, key: &[u8]) -> Result<(), ClientError> {
        RelayClient::publish_deposit_key(self, space, key.to_vec())
    }
}
