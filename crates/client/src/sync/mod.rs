//! Sync through the relay: joining one, and the driver of the sans-IO engine
//! (`diplomatie-sync`) that pushes the outbox and pulls the spaces' logs.
//!
//! A sync, in order: open a session; keep key packages of this device at the relay (so that
//! members can add it to spaces); join the spaces whose welcomes wait; make the relay know the
//! spaces made here; process the commits that moved each space on; put in the outbox the
//! drafts shared into spaces that changed since they were last sent (`drafts`); then run the
//! engine until
//! it has nothing left to do: the outbox sealed under each space's current epoch and pushed,
//! each space's log pulled, every envelope verified against the certificate of a member device
//! and opened under the key of its epoch, then applied.
//!
//! The engine's state (outbox entries with their plaintext, cursors, what was applied from
//! whom) is in the encrypted store (`sync_rows`). Offline is the normal state: a write goes
//! into the outbox at once and leaves at the next sync that reaches the relay.

mod carrier;
#[cfg(test)]
mod convergence_tests;
mod drafts;
mod folder;
mod news;
mod relay;

pub use relay::{CommitAnswer, RelayClient, check_url};

use carrier::Carrier;
use folder::Folder;

use std::collections::{BTreeMap, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use diplomatie_domain::{Item, ItemContent, ItemId};
use diplomatie_protocol::relay::CommitUpload;
use diplomatie_protocol::{
    Content, ContentKind, DeviceCertificate, DeviceId, Envelope, EnvelopeHeader, EnvelopeId,
    SpaceId,
};
use diplomatie_store::{AuditAction, NewItem, PutOutcome, RowWrite};
use diplomatie_sync::{
    Action, Config, Cursor, Engine, Entry, Event, Input, PushOutcome, Refusal, Time, TransportId,
    Write,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::profile::threading;
use crate::spaces::{CommitTaken, SpaceDetail};
use crate::{ClientError, Profile};

/// The profile setting that holds the relay's address once joined.
const RELAY_URL: &str = "relay.url";
/// The profile setting that keeps the relay session's token and its expiry between syncs.
const RELAY_SESSION: &str = "relay.session";
/// The relay, as a transport of the engine.
const RELAY: TransportId = TransportId(1);
/// A sync folder, as a transport of the engine.
const FOLDER: TransportId = TransportId(2);
/// The meta key under which the epoch of the deposit key last published to the relay for a
/// space is kept: `deposit.published.` then the space's id in hex.
const PUBLISHED: &str = "deposit.published.";
/// Key packages kept at the relay: below the low mark, the next sync publishes up to the high.
const KEY_PACKAGES_LOW: u32 = 10;
const KEY_PACKAGES_HIGH: u32 = 30;
/// The most actions one sync carries out (a bound, never reached by a sane engine).
const MAX_ACTIONS: usize = 1_000_000;

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Spaces joined from welcomes.
    pub joined: usize,
    /// Commits of other members processed.
    pub commits: usize,
    /// Local writes the relay took.
    pub delivered: usize,
    /// Envelopes received and applied.
    pub applied: usize,
    /// Envelopes refused (forged, from a non-member, unreadable), with why.
    pub refused: Vec<String>,
    /// Envelopes sent before this device joined, under epochs whose keys it was not given
    /// (the space's history is not visible to newcomers, or not handed over yet).
    pub before_joining: usize,
    /// Local writes still to go.
    pub pending: usize,
    /// Spaces this device was removed from, learnt in this sync.
    pub removed: usize,
    /// The drafts that arrived with changes, each with what it brought (a request to clear or
    /// approve among them: the app notifies those).
    #[serde(skip)]
    pub drafts: Vec<crate::drafting::DraftReceived>,
}

/// Where a sync stands, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    pub space: String,
    pub done: u64,
    pub total: Option<u64>,
}

/// What the members call a space, as it travels in an envelope.
#[derive(Serialize, Deserialize)]
struct SpaceInfo {
    name: String,
    kind: String,
    history_visible: bool,
}

/// Why an envelope of an epoch before this device joined is not opened.
const BEFORE_JOINING: &str = "sent before this device joined the space";

/// What applying received content did, beyond storing it.
enum Applied {
    Done,
    /// Keys of the space's earlier epochs arrived: its log is read again.
    History,
    /// A draft merged, with what it brought.
    Draft(Box<crate::drafting::DraftReceived>),
}

/// Envelopes sealed for one push, each with its id.
type Sealed = Vec<(EnvelopeId, Vec<u8>)>;

/// The longest space name taken from an envelope.
const MAX_SPACE_NAME: usize = 200;

/// An item as it travels in an envelope: the item (JSON) and its attachments' bytes.
#[derive(Serialize, Deserialize)]
struct ItemPayload {
    item: Vec<u8>,
    attachments: Vec<Vec<u8>>,
}

/// An item as it travels in an envelope: the item (JSON) and its attachments' bytes.
pub(crate) fn item_payload_of(
    item: &Item,
    attachments: Vec<Vec<u8>>,
) -> Result<Vec<u8>, ClientError> {
    let payload = ItemPayload {
        item: serde_json::to_vec(item).map_err(|e| ClientError::Relay(e.to_string()))?,
        attachments,
    };
    postcard::to_allocvec(&payload).map_err(|e| ClientError::Relay(e.to_string()))
}

fn now() -> Time {
    Time(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or_default(),
    )
}

fn seed() -> u64 {
    diplomatie_crypto::random_bytes::<8>()
        .map(u64::from_le_bytes)
        .unwrap_or_default()
}

/// Offers the commit `out` of space `id` to `carrier`: a conflict (another commit won the
/// epoch) is [`ClientError::RelayConflict`].
fn offer(
    carrier: &mut dyn Carrier,
    id: &SpaceId,
    out: &crate::spaces::group::Outgoing,
) -> Result<(), ClientError> {
    let upload = CommitUpload {
        commit: out.commit.clone(),
        welcome: out.welcome.clone(),
    };
    match carrier.commit(*id, out.epoch.saturating_sub(1), &upload)? {
        CommitAnswer::Accepted(_) => Ok(()),
        CommitAnswer::Conflict(epoch) => Err(ClientError::RelayConflict { epoch }),
    }
}

fn sync_error(e: diplomatie_sync::SyncError) -> ClientError {
    ClientError::Relay(format!("the sync state of this profile is unreadable: {e}"))
}

impl Profile {
    /// The relay this profile joined, if any.
    pub fn relay_url(&self) -> Result<Option<String>, ClientError> {
        Ok(self
            .store()
            .get_meta(RELAY_URL)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    pub(crate) fn relay_client(&self) -> Result<RelayClient, ClientError> {
        let url = self.relay_url()?.ok_or_else(|| {
            ClientError::Relay(
                "this profile has joined no relay: diplo relay join URL --token TOKEN".into(),
            )
        })?;
        RelayClient::new(&url, self.own().device.device, self.signing_key()?)
    }

    /// Enrols this device with the relay at `url` using a one-time `token` from its operator,
    /// opens a session and publishes key packages; the address is kept for every later sync.
    pub fn join_relay(&self, url: &str, token: &str) -> Result<String, ClientError> {
        let url = check_url(url)?;
        let mut relay = RelayClient::new(&url, self.own().device.device, self.signing_key()?)?;
        relay.enrol(token, &self.own().device)?;
        relay.open_session()?;
        relay.publish_key_packages(self.key_packages(KEY_PACKAGES_HIGH as usize)?)?;
        self.store().put_meta(RELAY_URL, url.as_bytes())?;
        Ok(url)
    }

    /// Adds `who`'s devices (a contact) to space `which`: a key package of each taken from
    /// the relay, the commit sent to it (if another member's commit won the epoch, that one is
    /// processed first and the addition made again, once).
    pub fn add_to_space_via_relay(
        &self,
        which: &str,
        who: &str,
    ) -> Result<SpaceDetail, ClientError> {
        let contact = self.find_contact(who)?;
        let mut relay = self.relay_client()?;
        self.add_to_space_through(&mut relay, which, &contact)
    }

    /// Adds `contact`'s devices to space `which` through `carrier` (see
    /// [`Profile::add_to_space_via_relay`]).
    fn add_to_space_through(
        &self,
        carrier: &mut dyn Carrier,
        which: &str,
        contact: &crate::contacts::Contact,
    ) -> Result<SpaceDetail, ClientError> {
        self.add_devices_through(carrier, which, &contact.card.devices, true)
    }

    /// Adds `devices` to space `which` through `carrier`: a key package of each taken from the
    /// carrier, the commit offered (if another member's commit won the epoch, that one is
    /// processed first and the addition made again, once). The newcomers are told the space's
    /// name and, when `hand_history` and the space's history is visible, the keys of earlier
    /// epochs.
    fn add_devices_through(
        &self,
        carrier: &mut dyn Carrier,
        which: &str,
        devices: &[DeviceCertificate],
        hand_history: bool,
    ) -> Result<SpaceDetail, ClientError> {
        carrier.open()?;
        let space = self.find_space(which)?;
        let id = SpaceId(space.id);
        self.catch_up_commits(carrier, &id)?;
        let mut packages = Vec::new();
        for device in devices {
            packages.push((device.clone(), carrier.key_package(&device.device)?));
        }
        let added = match self.add_to_space(which, &packages, |id, out| offer(carrier, id, out)) {
            Err(ClientError::RelayConflict { .. }) => {
                self.catch_up_commits(carrier, &id)?;
                self.add_to_space(which, &packages, |id, out| offer(carrier, id, out))?
            }
            other => other?,
        };
        // The newcomers learn what the space is called (under the new epoch they can read),
        // and, when its history is visible, the keys that open what came before them.
        self.queue_space_info(&id)?;
        if hand_history && space.history_visible {
            self.queue_history_keys(&id)?;
        }
        self.resend_drafts_whole(&id)?;
        Ok(added)
    }

    /// Adds to each space this device is in the devices of this person's card that are not
    /// in it yet (a link cut short, or a space joined since): a device whose key package the
    /// relay does not hold (revoked, or not enrolled) is left out; a failure waits for the
    /// next sync. Devices are never removed here: a card held may be older than another
    /// device's, and only a revocation removes one.
    fn add_missing_own_devices(&self, carrier: &mut dyn Carrier) -> Result<(), ClientError> {
        let card = self.card();
        let others: Vec<&DeviceCertificate> = card
            .devices
            .iter()
            .filter(|d| d.device != self.own().device.device)
            .collect();
        if others.is_empty() {
            return Ok(());
        }
        let provider = self.provider();
        for space in self.store().spaces()? {
            let id = SpaceId(space.id);
            let members = crate::spaces::group::members(&self.load_group(&provider, &id.0)?)?;
            for device in &others {
                if members.iter().any(|(d, _)| *d == device.device) {
                    continue;
                }
                match self.add_devices_through(carrier, &id.hex(), &[(*device).clone()], false) {
                    Ok(_) => {
                        tracing::info!(space = %id, "another device of this person added");
                        self.share_card_in(&id, &card)?;
                    }
                    Err(e @ ClientError::RelayUnreachable(_)) => return Err(e),
                    Err(e) => {
                        tracing::debug!(space = %id, error = %e, "another device of this person not added yet");
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds this person's new device to space `id` through the relay (its earlier epochs'
    /// keys were handed over with the link).
    pub(crate) fn add_devices_via_relay(
        &self,
        id: &SpaceId,
        devices: &[DeviceCertificate],
    ) -> Result<SpaceDetail, ClientError> {
        let mut relay = self.relay_client()?;
        self.add_devices_through(&mut relay, &id.hex(), devices, false)
    }

    /// Removes `devices` (of this person) from space `id` through the relay.
    pub(crate) fn remove_devices_via_relay(
        &self,
        id: &SpaceId,
        devices: &[DeviceId],
    ) -> Result<SpaceDetail, ClientError> {
        let mut relay = self.relay_client()?;
        self.remove_devices_through(&mut relay, RELAY, &id.hex(), devices)
    }

    /// Removes `who`'s devices (a contact) from space `which` through the relay: the commit
    /// starts a new epoch whose key the removed devices never hold, the relay stops serving
    /// them the space at once, and the space's new deposit key is published (if another
    /// member's commit won the epoch, that one is processed first and the removal made again,
    /// once).
    pub fn remove_from_space_via_relay(
        &self,
        which: &str,
        who: &str,
    ) -> Result<SpaceDetail, ClientError> {
        let contact = self.find_contact(who)?;
        let mut relay = self.relay_client()?;
        self.remove_from_space_through(&mut relay, RELAY, which, &contact)
    }

    /// Removes `who`'s devices from space `which` through the sync folder `dir`.
    pub fn remove_from_space_via_folder(
        &self,
        dir: &std::path::Path,
        which: &str,
        who: &str,
    ) -> Result<SpaceDetail, ClientError> {
        let contact = self.find_contact(who)?;
        let mut folder = Folder::open(dir, self.own().device.device)?;
        self.remove_from_space_through(&mut folder, FOLDER, which, &contact)
    }

    fn remove_from_space_through(
        &self,
        carrier: &mut dyn Carrier,
        transport: TransportId,
        which: &str,
        contact: &crate::contacts::Contact,
    ) -> Result<SpaceDetail, ClientError> {
        let devices: Vec<DeviceId> = contact.card.devices.iter().map(|d| d.device).collect();
        let members = self.space(which)?.members;
        if !members
            .iter()
            .any(|m| devices.iter().any(|d| d.hex() == m.device))
        {
            return Err(ClientError::Space(format!(
                "{} is not a member of this space: check its members with diplo space show",
                contact.card.details.name
            )));
        }
        self.remove_devices_through(carrier, transport, which, &devices)
    }

    /// Removes `devices` from space `which` through `carrier` (a conflict handled as for an
    /// addition), then publishes the space's new deposit key: depositors move to it, and the
    /// relay refuses the older ones.
    fn remove_devices_through(
        &self,
        carrier: &mut dyn Carrier,
        transport: TransportId,
        which: &str,
        devices: &[DeviceId],
    ) -> Result<SpaceDetail, ClientError> {
        carrier.open()?;
        let space = self.find_space(which)?;
        let id = SpaceId(space.id);
        self.catch_up_commits(carrier, &id)?;
        if self.store().space(&id.0)?.is_none() {
            return Err(ClientError::Space(
                "this device was itself removed from the space: it can remove no one".into(),
            ));
        }
        let removed =
            match self.remove_from_space(which, devices, |id, out| offer(carrier, id, out)) {
                Err(ClientError::RelayConflict { .. }) => {
                    self.catch_up_commits(carrier, &id)?;
                    self.remove_from_space(which, devices, |id, out| offer(carrier, id, out))?
                }
                other => other?,
            };
        tracing::info!(space = %id, devices = devices.len(), "devices removed from a space");
        self.publish_deposit_key(carrier, transport, &id)?;
        Ok(removed)
    }

    /// Hands the members of space `which` the keys of every epoch this device knew before the
    /// current one, inside the space: a member added again reads what was sent while they
    /// were out, a newcomer what came before them. Leaves at the next sync.
    pub fn share_history(&self, which: &str) -> Result<usize, ClientError> {
        let id = SpaceId(self.find_space(which)?.id);
        self.queue_history_keys(&id)
    }

    /// Publishes this device's deposit key of space `id` at its current epoch, if the space
    /// takes deposits and the carrier does not have it yet. A refusal is not an error of the
    /// sync: the key is offered again next time.
    fn publish_deposit_key(
        &self,
        carrier: &mut dyn Carrier,
        transport: TransportId,
        id: &SpaceId,
    ) -> Result<(), ClientError> {
        let Some(key) = self.deposit_key_to_publish(id)? else {
            return Ok(());
        };
        let published = format!("{PUBLISHED}{}", id.hex());
        if transport == RELAY
            && self.store().get_meta(&published)?.as_deref()
                == Some(key.epoch.to_string().as_bytes())
        {
            return Ok(());
        }
        match carrier.publish_deposit_key(*id, key.bytes()) {
            Ok(()) => {
                if transport == RELAY {
                    self.store()
                        .put_meta(&published, key.epoch.to_string().as_bytes())?;
                }
                Ok(())
            }
            Err(e @ ClientError::RelayUnreachable(_)) => Err(e),
            Err(e) => {
                tracing::warn!(space = %id, error = %e, "a deposit key was not published");
                Ok(())
            }
        }
    }

    /// The epoch this device is at in space `id`.
    fn space_epoch(&self, id: &SpaceId) -> Result<u64, ClientError> {
        Ok(self
            .store()
            .space(&id.0)?
            .ok_or(diplomatie_store::StoreError::UnknownSpace)?
            .epoch)
    }

    /// Processes the commits the relay ordered past this device's epoch of space `id`.
    fn catch_up_commits(
        &self,
        carrier: &mut dyn Carrier,
        id: &SpaceId,
    ) -> Result<usize, ClientError> {
        let mut processed = 0;
        loop {
            // The commit made at this device's epoch moves it on; the next one is asked for
            // from the new epoch.
            let Some(commit) = carrier.commit_at(*id, self.space_epoch(id)?)? else {
                return Ok(processed);
            };
            processed += 1;
            if self.take_commit(id, &commit)? == CommitTaken::Removed {
                return Ok(processed);
            }
        }
    }

    /// Processes a commit of space `id` received through a carrier. The members may have
    /// changed: the space's drafts go whole next time, for a newcomer who cannot read what
    /// came before.
    fn take_commit(&self, id: &SpaceId, commit: &[u8]) -> Result<CommitTaken, ClientError> {
        let taken = self.process_space_commit(id, commit)?;
        if taken != CommitTaken::Removed {
            self.resend_drafts_whole(id)?;
        }
        Ok(taken)
    }

    /// Puts item `id` in space `which`'s outbox: it goes to every member at the next sync.
    pub fn share_item(&self, id: ItemId, which: &str) -> Result<(), ClientError> {
        let space = SpaceId(self.find_space(which)?.id);
        let body = self.item_payload(id)?;
        self.write_to_outbox(
            space,
            Content {
                kind: ContentKind::Item,
                body,
            },
        )
    }

    /// Item `id` as it travels in an envelope: the item and its attachments' bytes.
    pub(crate) fn item_payload(&self, id: ItemId) -> Result<Vec<u8>, ClientError> {
        let stored = self
            .store()
            .get_item(id)?
            .ok_or_else(|| ClientError::NotFound(id.to_string()))?;
        let count = match &stored.item.content {
            ItemContent::FormalEmail(e) => e.attachments.len(),
            _ => 0,
        };
        let mut attachments = Vec::with_capacity(count);
        for index in 0..count {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            let (_, bytes) = self.store().attachment(id, index)?.ok_or_else(|| {
                ClientError::Attachment(format!(
                    "attachment {} of this item is not stored here (demo items carry none): the item cannot be shared whole",
                    index + 1
                ))
            })?;
            attachments.push(bytes);
        }
        item_payload_of(&stored.item, attachments)
    }

    /// Puts in space `id`'s outbox what this device calls it (its name, kind, setting).
    pub(crate) fn queue_space_info(&self, id: &SpaceId) -> Result<(), ClientError> {
        let stored = self
            .store()
            .space(&id.0)?
            .ok_or(diplomatie_store::StoreError::UnknownSpace)?;
        let info = SpaceInfo {
            name: stored.name,
            kind: stored.kind,
            history_visible: stored.history_visible,
        };
        let body = postcard::to_allocvec(&info).map_err(|e| ClientError::Relay(e.to_string()))?;
        self.write_to_outbox(
            *id,
            Content {
                kind: ContentKind::SpaceInfo,
                body,
            },
        )
    }

    /// Puts in space `id`'s outbox the keys of the epochs before its current one, for the
    /// newcomers of a space whose history is visible.
    fn queue_history_keys(&self, id: &SpaceId) -> Result<usize, ClientError> {
        let current = self.space_epoch(id)?;
        let keys: Vec<(u64, [u8; 32])> = self
            .store()
            .space_epoch_keys(&id.0)?
            .into_iter()
            .filter(|(epoch, _)| *epoch < current)
            .map(|(epoch, key)| (epoch, *key))
            .collect();
        if keys.is_empty() {
            return Ok(0);
        }
        // Plaintext in the outbox, like every entry: the encrypted store keeps it.
        let body = postcard::to_allocvec(&keys).map_err(|e| ClientError::Relay(e.to_string()))?;
        self.write_to_outbox(
            *id,
            Content {
                kind: ContentKind::HistoryKeys,
                body,
            },
        )?;
        Ok(keys.len())
    }

    /// Keeps the earlier epochs' keys a member handed over; `true` when some were new, so that
    /// the space's log is read again from its start.
    fn receive_history_keys(&self, space: SpaceId, content: &Content) -> Result<bool, ClientError> {
        let keys: Vec<(u64, [u8; 32])> = postcard::from_bytes(&content.body).map_err(|_| {
            ClientError::Relay("the keys of a space's history are unreadable".into())
        })?;
        Ok(self.store().keep_history_keys(&space.0, &keys)? > 0)
    }

    /// The sync engine's rows that put each `(space, content)` in the outbox, to be written in
    /// the transaction of the local write they send.
    pub(crate) fn outbox_writes(
        &self,
        writes: &[(SpaceId, Content)],
    ) -> Result<Vec<Write>, ClientError> {
        let mut engine = self.engine()?;
        let mut rows = Vec::new();
        for (space, content) in writes {
            for action in engine.handle(
                now(),
                Input::Write {
                    id: EnvelopeId::random()?,
                    space: *space,
                    content: content.clone(),
                },
            ) {
                if let Action::Persist(batch) = action {
                    rows.extend(batch);
                }
            }
        }
        Ok(rows)
    }

    /// Writes `content` into space `space`'s outbox.
    pub(crate) fn write_to_outbox(
        &self,
        space: SpaceId,
        content: Content,
    ) -> Result<(), ClientError> {
        self.write_many_to_outbox(&[(space, content)])
    }

    /// Puts each `(space, content)` in the outbox, all in one transaction.
    pub(crate) fn write_many_to_outbox(
        &self,
        writes: &[(SpaceId, Content)],
    ) -> Result<(), ClientError> {
        self.persist(&self.outbox_writes(writes)?)
    }

    /// Takes what a member calls space `space`.
    fn receive_space_info(&self, space: SpaceId, content: &Content) -> Result<(), ClientError> {
        let info: SpaceInfo = postcard::from_bytes(&content.body)
            .map_err(|_| ClientError::Relay("a space's description is unreadable".into()))?;
        let name = info.name.trim();
        if name.is_empty() || name.chars().count() > MAX_SPACE_NAME {
            return Err(ClientError::Relay(
                "a space's name received is empty or too long".into(),
            ));
        }
        let kind = crate::spaces::SpaceKind::parse(&info.kind)?;
        Ok(self
            .store()
            .describe_space(&space.0, name, kind.as_str(), info.history_visible)?)
    }

    /// Local writes not yet delivered.
    pub fn pending_count(&self) -> Result<usize, ClientError> {
        Ok(self.engine()?.pending_count())
    }

    fn engine(&self) -> Result<Engine, ClientError> {
        Engine::restore(
            Config::default(),
            self.own().device.device,
            seed(),
            self.store().sync_rows()?,
        )
        .map_err(sync_error)
    }

    fn persist(&self, writes: &[Write]) -> Result<(), ClientError> {
        let rows: Vec<RowWrite<'_>> = writes
            .iter()
            .map(|w| match w {
                Write::Put { key, value } => RowWrite::Put(key, value),
                Write::Delete { key } => RowWrite::Delete(key),
            })
            .collect();
        Ok(self.store().write_sync_rows(&rows)?)
    }

    /// Syncs once with the relay: see the module doc. `progress` hears of long catch-ups.
    pub fn sync(&self, progress: &mut dyn FnMut(&SyncProgress)) -> Result<SyncReport, ClientError> {
        let mut relay = self.relay_client()?;
        if let Some((token, expires)) = self.meta_json::<(String, u64)>(RELAY_SESSION)? {
            relay.resume(token, expires);
        }
        let report = self.sync_through(&mut relay, RELAY, progress);
        // The session goes on to the next sync while it is valid (a secret, kept in the
        // encrypted store like the keys).
        if let Some((token, expires)) = relay.session() {
            self.put_meta_json(RELAY_SESSION, &(token, expires))?;
        }
        report
    }

    /// Waits at most `timeout` for the relay to say that one of this device's spaces moved
    /// past what it has read (or that it was added to one); `Ok(false)` when nothing came.
    /// Unreachable is [`ClientError::RelayUnreachable`], as for a sync.
    pub fn wait_for_news(&self, timeout: std::time::Duration) -> Result<bool, ClientError> {
        let mut relay = self.relay_client()?;
        if let Some((token, expires)) = self.meta_json::<(String, u64)>(RELAY_SESSION)? {
            relay.resume(token, expires);
        }
        if relay.session().is_none() {
            relay.open_session()?;
            if let Some((token, expires)) = relay.session() {
                self.put_meta_json(RELAY_SESSION, &(token, expires))?;
            }
        }
        let engine = self.engine()?;
        let known: news::Known = self
            .store()
            .spaces()?
            .iter()
            .map(|s| {
                let id = SpaceId(s.id);
                let head = engine
                    .cursor(RELAY, id)
                    .and_then(Cursor::seq)
                    .unwrap_or_default();
                (id, (head, s.epoch))
            })
            .collect();
        let (token, _) = relay
            .session()
            .ok_or_else(|| ClientError::Relay("no session with the relay".into()))?;
        news::wait(relay.url(), token, &known, timeout)
    }

    /// Syncs once through the sync folder `dir` (a shared or removable drive), as
    /// [`Profile::sync`] does through the relay: the same envelopes, written as files.
    pub fn sync_folder(
        &self,
        dir: &std::path::Path,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> Result<SyncReport, ClientError> {
        let mut folder = Folder::open(dir, self.own().device.device)?;
        self.sync_through(&mut folder, FOLDER, progress)
    }

    /// Adds `who`'s devices to space `which` through the sync folder `dir`.
    pub fn add_to_space_via_folder(
        &self,
        dir: &std::path::Path,
        which: &str,
        who: &str,
    ) -> Result<SpaceDetail, ClientError> {
        let contact = self.find_contact(who)?;
        let mut folder = Folder::open(dir, self.own().device.device)?;
        self.add_to_space_through(&mut folder, which, &contact)
    }

    fn sync_through(
        &self,
        carrier: &mut dyn Carrier,
        transport: TransportId,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> Result<SyncReport, ClientError> {
        carrier.open()?;
        let mut report = SyncReport::default();
        self.ensure_own_space()?;

        // One round trip before the logs: key packages held, welcomes, the spaces and their
        // heads, and the commits past this device's epochs.
        let local: Vec<(SpaceId, u64)> = self
            .store()
            .spaces()?
            .iter()
            .map(|s| (SpaceId(s.id), s.epoch))
            .collect();
        let started = carrier.start(&local)?;
        if started.key_packages < KEY_PACKAGES_LOW {
            let fresh = self.key_packages((KEY_PACKAGES_HIGH - started.key_packages) as usize)?;
            carrier.publish_key_packages(fresh)?;
        }

        // A welcome into a space this device still holds (removed, then added again, before
        // it heard of the removal) opens once the commits have taken it out: tried again then.
        let mut again = Vec::new();
        for welcome in started.welcomes {
            match self.join_space(&welcome.bytes) {
                Ok(_) => report.joined += 1,
                // A folder's welcomes are for whoever they add: one that does not open here
                // is someone else's, or for a space joined already.
                Err(_) if transport == FOLDER => {}
                Err(_) => {
                    again.push(welcome);
                    continue;
                }
            }
            carrier.delete_welcome(&welcome.id)?;
        }

        // A relay does not hand a removed device the commit that removed it: it says so.
        for id in &started.removed {
            if self.store().space(&id.0)?.is_some() {
                self.leave_space(id)?;
                report.removed += 1;
            }
        }

        let spaces = self.store().spaces()?;
        let mut heads = Vec::new();
        for space in &spaces {
            let id = SpaceId(space.id);
            let Some((_, epoch, head)) = started.spaces.iter().find(|(s, ..)| *s == id) else {
                carrier.create_space(id, self.space_group_info(&id)?)?;
                continue;
            };
            if let Some((_, commits)) = started.commits.iter().find(|(s, _)| *s == id) {
                for (at, commit) in commits {
                    if *at == self.space_epoch(&id)? {
                        report.commits += 1;
                        if self.take_commit(&id, commit)? == CommitTaken::Removed {
                            break;
                        }
                    }
                }
            }
            if self.store().space(&id.0)?.is_none() {
                report.removed += 1;
                continue;
            }
            // Behind the carrier still (more commits than one answer holds, a space joined
            // just now), or a carrier that does not say: asked commit by commit.
            if epoch.is_none_or(|e| self.space_epoch(&id).is_ok_and(|local| local < e)) {
                report.commits += self.catch_up_commits(carrier, &id)?;
                if self.store().space(&id.0)?.is_none() {
                    report.removed += 1;
                    continue;
                }
            }
            self.publish_deposit_key(carrier, transport, &id)?;
            if let Some(head) = head {
                heads.push((id, head.clone()));
            }
        }

        for welcome in again {
            match self.join_space(&welcome.bytes) {
                Ok(view) => {
                    report.joined += 1;
                    if let Some(id) = SpaceId::from_hex(&view.id) {
                        report.commits += self.catch_up_commits(carrier, &id)?;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "a welcome could not be processed");
                    report.refused.push(format!("a welcome: {e}"));
                }
            }
            carrier.delete_welcome(&welcome.id)?;
        }
        if transport == RELAY {
            self.add_missing_own_devices(carrier)?;
        }
        // Without the spaces left on the way, with those joined again.
        let spaces = self.store().spaces()?;
        self.queue_draft_updates()?;
        let mut engine = self.engine()?;
        let mut queue: VecDeque<Action> = VecDeque::new();
        for space in &spaces {
            queue.extend(engine.handle(
                now(),
                Input::Subscribe {
                    space: SpaceId(space.id),
                    transport,
                },
            ));
        }
        // Where each log ends, as the carrier said: a log read to its end is not pulled.
        for (space, head) in heads {
            queue.extend(engine.handle(
                now(),
                Input::News {
                    transport,
                    space,
                    head,
                },
            ));
        }
        // Writes into spaces this device is not a member of are deposits: sent, never read.
        let deposits: std::collections::BTreeSet<SpaceId> = engine
            .outbox()
            .map(|o| o.space)
            .filter(|s| !spaces.iter().any(|m| m.id == s.0))
            .collect();
        for space in deposits {
            queue.extend(engine.handle(now(), Input::Route { space, transport }));
        }
        queue.extend(engine.handle(now(), Input::Online { transport }));
        let names: BTreeMap<SpaceId, String> = spaces
            .iter()
            .map(|s| (SpaceId(s.id), s.name.clone()))
            .collect();
        let mut done = 0;
        // Envelopes of epochs before this device joined, by space, until its history arrives.
        let mut before_joining: BTreeMap<SpaceId, usize> = BTreeMap::new();
        // Spaces whose earlier keys arrived: their logs are read again from the start once
        // the engine has settled (what was applied is not applied twice).
        let mut rewind: std::collections::BTreeSet<SpaceId> = Default::default();
        loop {
            let Some(action) = queue.pop_front() else {
                if rewind.is_empty() {
                    break;
                }
                for space in std::mem::take(&mut rewind) {
                    before_joining.remove(&space);
                    queue.extend(engine.handle(now(), Input::Unsubscribe { space, transport }));
                    queue.extend(engine.handle(now(), Input::Subscribe { space, transport }));
                }
                continue;
            };
            done += 1;
            if done > MAX_ACTIONS {
                return Err(ClientError::Relay(
                    "the sync did not settle: try again, and report it if it lasts".into(),
                ));
            }
            match action {
                Action::Persist(writes) => self.persist(&writes)?,
                Action::Push { transport, batch } => {
                    let input = self.push_batch(carrier, transport, batch)?;
                    queue.extend(engine.handle(now(), input));
                }
                Action::Pull {
                    transport,
                    space,
                    after,
                } => {
                    let input = self.pull_page(carrier, transport, space, &after);
                    queue.extend(engine.handle(now(), input));
                }
                Action::Apply {
                    header, content, ..
                } => {
                    let input = match self.apply(&header, &content) {
                        Ok(applied) => {
                            report.applied += 1;
                            match applied {
                                Applied::History => {
                                    rewind.insert(header.space);
                                }
                                Applied::Draft(received) if received.changed => {
                                    report.drafts.push(*received);
                                }
                                Applied::Draft(_) | Applied::Done => {}
                            }
                            Input::Applied { id: header.id }
                        }
                        Err(e) => {
                            report.refused.push(e.to_string());
                            Input::Refused {
                                id: header.id,
                                refusal: Refusal::Invalid {
                                    reason: e.to_string(),
                                },
                            }
                        }
                    };
                    // The engine's rows for this application follow at once (their own
                    // transaction: applying an item twice stores it once).
                    queue.extend(engine.handle(now(), input));
                }
                Action::Drop { reason, space, .. } => {
                    if let diplomatie_sync::DropReason::Invalid { reason } = reason {
                        if reason == BEFORE_JOINING {
                            *before_joining.entry(space).or_default() += 1;
                        } else {
                            report.refused.push(reason);
                        }
                    }
                }
                Action::Event(Event::Delivered { .. }) => report.delivered += 1,
                Action::Event(Event::Rejected { reason, .. }) => report
                    .refused
                    .push(format!("a write of this device refused for good: {reason}")),
                Action::Event(Event::Progress {
                    space, done, total, ..
                }) => progress(&SyncProgress {
                    space: names.get(&space).cloned().unwrap_or_else(|| space.hex()),
                    done,
                    total,
                }),
                // Enough went by in the space: its drafts go whole (compacted) at the next
                // sync, so that a newcomer reading its history starts from there.
                Action::Snapshot { space } => {
                    if self.store().space(&space.0)?.is_some() {
                        self.resend_drafts_whole(&space)?;
                    }
                }
                Action::Event(_) | Action::WakeAt(_) => {}
            }
        }
        report.before_joining = before_joining.values().sum();
        report.pending = engine.pending_count();
        Ok(report)
    }

    /// Seals a batch under each space's current epoch and pushes it, space by space; content
    /// for a space this device is not a member of is a deposit, sealed to the deposit key kept
    /// for it.
    fn push_batch(
        &self,
        carrier: &mut dyn Carrier,
        transport: TransportId,
        batch: Vec<diplomatie_sync::Outgoing>,
    ) -> Result<Input, ClientError> {
        let key = self.signing_key()?;
        let card = self.card();
        // A deposit goes to the newest deposit key the carrier offers, if one newer than the
        // kept one is signed by a device trusted for the space (the relay refuses keys from
        // before a member was removed).
        let mut refreshed = std::collections::BTreeSet::new();
        for outgoing in &batch {
            if self.store().space(&outgoing.space.0)?.is_none() && refreshed.insert(outgoing.space)
            {
                match carrier.deposit_keys(outgoing.space) {
                    Ok(offered) => {
                        self.take_offered_deposit_key(&outgoing.space, &offered)?;
                    }
                    Err(e @ ClientError::RelayUnreachable(_)) => {
                        return Ok(Input::PushFailed {
                            transport,
                            reason: e.to_string(),
                        });
                    }
                    Err(e) => {
                        tracing::debug!(space = %outgoing.space, error = %e, "no deposit key offered");
                    }
                }
            }
        }
        // By space, deposits apart: each envelope sealed, with its id.
        let mut by_space: BTreeMap<(SpaceId, bool), Sealed> = BTreeMap::new();
        let mut results = Vec::new();
        for outgoing in &batch {
            let member = self.store().space(&outgoing.space.0)?.is_some();
            let envelope = if member {
                let (epoch, epoch_key) = self.space_current_key(&outgoing.space)?;
                Envelope::seal(outgoing.header(epoch), &epoch_key, &outgoing.content, &key)?
            } else {
                let Some(target) = self.deposit_target(&outgoing.space)? else {
                    results.push((
                        outgoing.id,
                        PushOutcome::Refused {
                            retryable: false,
                            reason: "no deposit key is kept for this space".into(),
                        },
                    ));
                    continue;
                };
                Envelope::deposit(
                    outgoing.header(target.epoch),
                    &target,
                    &card,
                    &outgoing.content,
                    &key,
                )?
            };
            by_space
                .entry((outgoing.space, !member))
                .or_default()
                .push((outgoing.id, envelope.bytes().to_vec()));
        }
        for ((space, deposit), envelopes) in by_space {
            let ids: Vec<EnvelopeId> = envelopes.iter().map(|(id, _)| *id).collect();
            let bytes = envelopes.into_iter().map(|(_, b)| b).collect();
            let pushed = if deposit {
                carrier.deposit(space, bytes)
            } else {
                carrier.push(space, bytes)
            };
            let outcomes = match pushed {
                Ok(outcomes) => outcomes,
                Err(e) => {
                    return Ok(Input::PushFailed {
                        transport,
                        reason: e.to_string(),
                    });
                }
            };
            results.extend(ids.into_iter().zip(outcomes));
        }
        Ok(Input::Pushed { transport, results })
    }

    /// Pulls a page of `space`'s log and verifies and opens each envelope.
    fn pull_page(
        &self,
        carrier: &mut dyn Carrier,
        transport: TransportId,
        space: SpaceId,
        after: &Cursor,
    ) -> Input {
        let page = match carrier.pull(space, after) {
            Ok(page) => page,
            Err(e) => {
                return Input::PullFailed {
                    transport,
                    space,
                    reason: e.to_string(),
                };
            }
        };
        // The members' certificates, looked up once a page (loading the group is the costly
        // part of opening an envelope).
        let mut members = BTreeMap::new();
        let entries = page
            .entries
            .into_iter()
            .map(|(at, bytes)| self.open_envelope(space, at, &bytes, &mut members))
            .collect();
        Input::Page {
            transport,
            space,
            entries,
            next: page.next,
            head: page.head,
            remaining: page.remaining,
        }
    }

    /// Verifies an envelope of `space`'s log against the certificate of the member device
    /// that sent it and opens it under the key of its epoch.
    fn open_envelope(
        &self,
        space: SpaceId,
        position: Cursor,
        bytes: &[u8],
        members: &mut BTreeMap<DeviceId, Option<DeviceCertificate>>,
    ) -> Entry {
        let invalid = |position: Cursor, id, reason: String| Entry::Unopened {
            position,
            id,
            refusal: Refusal::Invalid { reason },
        };
        let envelope = match Envelope::decode(bytes) {
            Ok(e) => e,
            Err(e) => return invalid(position, None, e.to_string()),
        };
        let header = envelope.header().clone();
        if header.space != space {
            return invalid(
                position,
                Some(header.id),
                "an envelope of another space".into(),
            );
        }
        if envelope.is_deposit() {
            return self.open_deposit(&envelope, position);
        }
        let known = match members.get(&header.sender) {
            Some(known) => Ok(known.clone()),
            None => self
                .space_member_certificate(&space, &header.sender)
                .inspect(|found| {
                    members.insert(header.sender, found.clone());
                }),
        };
        let device = match known {
            Ok(Some(device)) => device,
            Ok(None) => {
                return invalid(
                    position,
                    Some(header.id),
                    "an envelope from a device that is not a member of the space, or whose \
                     certificate no contact holds"
                        .into(),
                );
            }
            Err(e) => return invalid(position, Some(header.id), e.to_string()),
        };
        let key = match self.space_epoch_key(&space, header.epoch) {
            Ok(Some(key)) => key,
            Ok(None) => return self.without_key(&header, position),
            Err(e) => return invalid(position, Some(header.id), e.to_string()),
        };
        match envelope.open(&device, &key) {
            Ok(content) => Entry::Opened {
                position,
                header,
                content,
            },
            Err(e) => invalid(position, Some(header.id), e.to_string()),
        }
    }

    /// An envelope whose epoch's key this device does not hold: one of a later epoch waits
    /// for the commit that brings it; one of an earlier epoch is history this device was not
    /// given (it keeps every key from the epoch it joined at).
    fn without_key(&self, header: &EnvelopeHeader, position: Cursor) -> Entry {
        let ahead = self
            .store()
            .space(&header.space.0)
            .ok()
            .flatten()
            .is_some_and(|s| header.epoch > s.epoch);
        Entry::Unopened {
            position,
            id: Some(header.id),
            refusal: if ahead {
                Refusal::Later {
                    reason: format!(
                        "the key of epoch {} is not on this device yet",
                        header.epoch
                    ),
                }
            } else {
                Refusal::Invalid {
                    reason: BEFORE_JOINING.into(),
                }
            },
        }
    }

    /// Opens a deposit into `space` with the space's deposit key of its epoch. Anyone may
    /// deposit, so a deposit may carry an item and nothing that changes the space or its
    /// drafts.
    fn open_deposit(&self, envelope: &Envelope, position: Cursor) -> Entry {
        let header = envelope.header().clone();
        let invalid = |position: Cursor, reason: String| Entry::Unopened {
            position,
            id: Some(header.id),
            refusal: Refusal::Invalid { reason },
        };
        let secret = match self.deposit_secret(&header.space, header.epoch) {
            Ok(Some(secret)) => secret,
            Ok(None) => return self.without_key(&header, position),
            Err(e) => return invalid(position, e.to_string()),
        };
        match envelope.open_deposit(&secret) {
            Ok((_, content)) if content.kind == ContentKind::Item => Entry::Opened {
                position,
                header,
                content,
            },
            Ok((_, content)) => invalid(
                position,
                format!(
                    "a deposit carries items only, not content of kind {:?}",
                    content.kind
                ),
            ),
            Err(e) => invalid(position, e.to_string()),
        }
    }

    /// Applies received content.
    fn apply(&self, header: &EnvelopeHeader, content: &Content) -> Result<Applied, ClientError> {
        match content.kind {
            ContentKind::Item => self.receive_item(content).map(|()| Applied::Done),
            ContentKind::DraftSnapshot | ContentKind::DraftChanges => self
                .receive_draft(header.space, &content.body)
                .map(|r| Applied::Draft(Box::new(r))),
            ContentKind::SpaceInfo => self
                .receive_space_info(header.space, content)
                .map(|()| Applied::Done),
            ContentKind::HistoryKeys => self
                .receive_history_keys(header.space, content)
                .map(|new| if new { Applied::History } else { Applied::Done }),
            ContentKind::Card => self.receive_card(header, content).map(|()| Applied::Done),
            other => Err(ClientError::Relay(format!(
                "content of kind {other:?} is not taken by this version yet"
            )))
            .inspect_err(|_| tracing::debug!(space = %header.space, "content not applied")),
        }
    }

    /// Takes a card a member shared in a space: their own, newer than the one held (a device
    /// linked or revoked). A card of someone else than its sender is refused; a card of a
    /// person who is not a contact is not taken.
    fn receive_card(&self, header: &EnvelopeHeader, content: &Content) -> Result<(), ClientError> {
        let card = diplomatie_protocol::ContactCard::decode(&content.body)?;
        let sender = self
            .space_member_certificate(&header.space, &header.sender)?
            .ok_or_else(|| ClientError::Relay("a card from a device no longer a member".into()))?;
        if sender.identity != card.identity {
            return Err(ClientError::Relay(
                "a card shared by someone else than its person".into(),
            ));
        }
        if card.identity == self.own().key {
            if card.issued > self.card().issued {
                self.keep_card(card)?;
            }
            return Ok(());
        }
        if self
            .stored_contacts()?
            .iter()
            .any(|c| c.card.identity == card.identity)
        {
            self.add_contact(&card.to_line())?;
        }
        Ok(())
    }

    /// Stores an item received in an envelope, with the route it has for this person.
    fn receive_item(&self, content: &Content) -> Result<(), ClientError> {
        let payload: ItemPayload = postcard::from_bytes(&content.body)
            .map_err(|_| ClientError::Relay("an item received is unreadable".into()))?;
        let item: Item = serde_json::from_slice(&payload.item)
            .map_err(|_| ClientError::Relay("an item received is unreadable".into()))?;
        item.validate()?;
        let metas = match &item.content {
            ItemContent::FormalEmail(e) => e.attachments.clone(),
            _ => Vec::new(),
        };
        if metas.len() != payload.attachments.len() {
            return Err(ClientError::Relay(
                "an item received lacks some of its attachments".into(),
            ));
        }
        for (meta, bytes) in metas.iter().zip(&payload.attachments) {
            let digest = diplomatie_crypto::hex::encode(&Sha256::digest(bytes));
            if digest != meta.sha256 {
                return Err(ClientError::Relay(
                    "an attachment of an item received is not the one its item names".into(),
                ));
            }
        }
        let attachments: Vec<_> = metas
            .into_iter()
            .zip(payload.attachments.iter().map(Vec::as_slice))
            .collect();
        let thread = threading(&item);
        let new = NewItem {
            item: &item,
            route: item.route_for(&self.user()),
            dedupe_key: None,
            thread_key: thread.key,
            thread_parents: &thread.parents,
            message_id: thread.message_id,
            attachments: &attachments,
        };
        let audit = self.audit(AuditAction::ItemReceived, Some(item.id), item.kind().code());
        match self.store().put_item(&new, &audit)? {
            PutOutcome::Inserted(_) | PutOutcome::Duplicate(_) => Ok(()),
        }
    }
}
