//! Spaces: the units of sharing and encryption, each an MLS group of devices (`group`), whose
//! state openmls keeps in the profile's encrypted store (`storage`, `provider`).
//!
//! A space has a name, a kind (a person's own devices, a unit such as a post, a draft's
//! circuit, a shared space) and a setting: whether a newcomer is handed the keys of the
//! epochs before they joined. The name and kind are this profile's: they travel to the other
//! members only inside envelopes, never in clear. Every epoch's key is kept, so that the
//! space's history stays readable.
//!
//! An operation that changes a space (create, add, remove, join, process a commit) runs on a
//! provider whose writes are held in memory; the MLS state, the space's new epoch and its key
//! are then written in one store transaction. A change others must agree on (add, remove) is
//! written only once the relay has accepted its commit as the one of its epoch: the caller
//! passes how to send it.

pub mod group;
mod provider;
mod storage;

pub use provider::StoreProvider;
pub use storage::{StorageError, StoreStorage};

use diplomatie_crypto::SecretKey;
use diplomatie_protocol::{DeviceCertificate, DeviceId, SpaceId};
use diplomatie_store::StoredSpace;
use openmls::group::{GroupId, MlsGroup};
use openmls_traits::OpenMlsProvider;
use serde::Serialize;
use time::OffsetDateTime;

use crate::{ClientError, Profile};
use group::{GroupError, Outgoing};

/// What a space is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpaceKind {
    /// A person's own devices.
    Own,
    /// A unit: a post, a service.
    Unit,
    /// The members of a draft's circuit.
    Circuit,
    /// Any other group of people.
    Shared,
}

impl SpaceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpaceKind::Own => "own",
            SpaceKind::Unit => "unit",
            SpaceKind::Circuit => "circuit",
            SpaceKind::Shared => "shared",
        }
    }

    pub fn parse(text: &str) -> Result<SpaceKind, ClientError> {
        match text.trim() {
            "own" => Ok(SpaceKind::Own),
            "unit" => Ok(SpaceKind::Unit),
            "circuit" => Ok(SpaceKind::Circuit),
            "shared" => Ok(SpaceKind::Shared),
            other => Err(ClientError::Space(format!(
                "'{other}' is not a kind of space: use own, unit, circuit or shared"
            ))),
        }
    }
}

/// A space as the app and the CLI list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpaceView {
    /// 32 hex digits.
    pub id: String,
    pub name: String,
    pub kind: SpaceKind,
    pub history_visible: bool,
    pub epoch: u64,
    pub devices: usize,
    /// RFC 3339.
    pub created_at: String,
    /// When this device was removed from the space (RFC 3339); `None` while it is a member.
    /// A space left keeps what it brought, and opens nothing new.
    pub removed_at: Option<String>,
}

/// What processing another member's commit did to this device's space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitTaken {
    /// The space moved to this epoch.
    Epoch(u64),
    /// The commit removed this device: the space is left.
    Removed,
}

/// A device of a space, and whose it is as far as this profile knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpaceMember {
    /// 32 hex digits.
    pub device: String,
    /// This device.
    pub you: bool,
    /// The contact (or this person) whose card lists the device; `None`: a device none of
    /// this profile's contacts lists.
    pub name: Option<String>,
    pub org: Option<String>,
    /// The identity key (hex) of the contact or person whose device it is: what names them
    /// unambiguously to [`Profile::remove_from_space_via_relay`].
    pub identity: Option<String>,
    pub verified: bool,
}

/// A space with its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpaceDetail {
    pub space: SpaceView,
    pub members: Vec<SpaceMember>,
}

impl From<GroupError> for ClientError {
    fn from(e: GroupError) -> Self {
        ClientError::Space(e.to_string())
    }
}

impl From<StorageError> for ClientError {
    fn from(e: StorageError) -> Self {
        ClientError::Space(format!("the space's state could not be kept: {e}"))
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn kind_of(stored: &StoredSpace) -> SpaceKind {
    SpaceKind::parse(&stored.kind).unwrap_or(SpaceKind::Shared)
}

fn key_bytes(key: &SecretKey) -> [u8; 32] {
    *key.expose()
}

impl Profile {
    pub(crate) fn provider(&self) -> StoreProvider {
        StoreProvider::new(self.shared_store())
    }

    pub(crate) fn load_group(
        &self,
        provider: &StoreProvider,
        id: &[u8; 16],
    ) -> Result<MlsGroup, ClientError> {
        MlsGroup::load(provider.storage(), &GroupId::from_slice(id))?.ok_or_else(|| {
            ClientError::Space(
                "this space's state is missing from the profile: it may have to be joined again"
                    .into(),
            )
        })
    }

    fn view(&self, stored: &StoredSpace, devices: usize) -> SpaceView {
        SpaceView {
            id: SpaceId(stored.id).hex(),
            name: stored.name.clone(),
            kind: kind_of(stored),
            history_visible: stored.history_visible,
            epoch: stored.epoch,
            devices,
            created_at: rfc3339(stored.created_at),
            removed_at: None,
        }
    }

    /// Creates a space whose only member is this device.
    pub fn create_space(
        &self,
        name: &str,
        kind: SpaceKind,
        history_visible: bool,
    ) -> Result<SpaceView, ClientError> {
        if kind == SpaceKind::Own {
            return Err(ClientError::Space(
                "each person has one own space, made with their profile: choose another kind"
                    .into(),
            ));
        }
        let (view, id) = self.make_space(name, kind, history_visible)?;
        self.queue_space_info(&id)?;
        Ok(view)
    }

    /// Makes a space whose only member is this device, without telling members its name
    /// (there are none yet).
    pub(crate) fn make_space(
        &self,
        name: &str,
        kind: SpaceKind,
        history_visible: bool,
    ) -> Result<(SpaceView, SpaceId), ClientError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ClientError::Space("give the space a name".into()));
        }
        if self.find_space(name).is_ok() {
            return Err(ClientError::Space(format!(
                "a space is already named '{name}': choose another name"
            )));
        }
        let id = SpaceId::random()?;
        let key = self.signing_key()?;
        let provider = self.provider();
        let group = group::create(&provider, &key, &self.own().device, id)?;
        let epoch_key = group::epoch_key(&group, &provider)?;
        let stored = StoredSpace {
            id: id.0,
            name: name.to_owned(),
            kind: kind.as_str().to_owned(),
            history_visible,
            epoch: group.epoch().as_u64(),
            created_at: OffsetDateTime::now_utc(),
        };
        self.store()
            .put_space(&stored, &key_bytes(&epoch_key), &provider.take_pending())?;
        Ok((self.view(&stored, 1), id))
    }

    /// The spaces this device is a member of, then those it was removed from.
    pub fn spaces(&self) -> Result<Vec<SpaceView>, ClientError> {
        let provider = self.provider();
        let mut views = self
            .store()
            .spaces()?
            .iter()
            .map(|s| {
                let devices = self.load_group(&provider, &s.id)?.members().count();
                Ok(self.view(s, devices))
            })
            .collect::<Result<Vec<_>, ClientError>>()?;
        for (left, at) in self.store().left_spaces()? {
            views.push(SpaceView {
                removed_at: Some(rfc3339(at)),
                ..self.view(&left, 0)
            });
        }
        Ok(views)
    }

    /// Records that this device is no longer a member of space `id`: its MLS state is deleted,
    /// its epochs' keys and what it brought stay.
    pub(crate) fn leave_space(&self, id: &SpaceId) -> Result<(), ClientError> {
        let provider = self.provider();
        if let Ok(mut group) = self.load_group(&provider, &id.0)
            && let Err(e) = group.delete(provider.storage())
        {
            provider.discard();
            return Err(ClientError::Space(format!(
                "the state of a space left could not be deleted: {e}"
            )));
        }
        self.store()
            .leave_space(&id.0, OffsetDateTime::now_utc(), &provider.take_pending())?;
        tracing::info!(space = %id, "removed from a space");
        Ok(())
    }

    /// The space named `which` (its name, or the first 8 or more hex digits of its id).
    pub(crate) fn find_space(&self, which: &str) -> Result<StoredSpace, ClientError> {
        let which = which.trim();
        let fold = |s: &str| s.trim().to_lowercase();
        let spaces = self.store().spaces()?;
        let hex = which.to_ascii_lowercase();
        let by_id: Vec<&StoredSpace> =
            if hex.len() >= 8 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                spaces
                    .iter()
                    .filter(|s| SpaceId(s.id).hex().starts_with(&hex))
                    .collect()
            } else {
                Vec::new()
            };
        let matches = if by_id.is_empty() {
            spaces
                .iter()
                .filter(|s| fold(&s.name) == fold(which))
                .collect()
        } else {
            by_id
        };
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(ClientError::Space(format!(
                "no space is named '{which}': check the name with diplo space list"
            ))),
            several => Err(ClientError::Space(format!(
                "{} spaces match '{which}': give the first digits of its id (diplo space list)",
                several.len()
            ))),
        }
    }

    /// A space with its members, each device named by the contact whose card lists it.
    pub fn space(&self, which: &str) -> Result<SpaceDetail, ClientError> {
        let stored = self.find_space(which)?;
        let provider = self.provider();
        let group = self.load_group(&provider, &stored.id)?;
        let devices = group::members(&group)?;
        let contacts = self.stored_contacts()?;
        let me = self.own();
        let card = self.card();
        let members = devices
            .iter()
            .map(|(device, signing)| {
                let you = *device == me.device.device;
                let listed = |c: &diplomatie_protocol::ContactCard| {
                    c.devices
                        .iter()
                        .any(|d| d.device == *device && d.signing == *signing)
                };
                // This person's (this device or another of theirs), a contact's, or unknown.
                if you || listed(&card) {
                    return SpaceMember {
                        device: device.hex(),
                        you,
                        name: Some(self.identity().name.clone()),
                        org: Some(self.identity().org.clone()),
                        identity: Some(me.key.hex()),
                        verified: true,
                    };
                }
                let owner = contacts.iter().find(|c| listed(&c.card));
                SpaceMember {
                    device: device.hex(),
                    you,
                    name: owner.map(|c| c.card.details.name.clone()),
                    org: owner.map(|c| c.card.details.org.clone()),
                    identity: owner.map(|c| c.card.identity.hex()),
                    verified: owner.is_some_and(|c| c.stored.verified_at.is_some()),
                }
            })
            .collect();
        Ok(SpaceDetail {
            space: self.view(&stored, devices.len()),
            members,
        })
    }

    /// Fresh key packages of this device, to publish: each lets a member add this device to
    /// a space once.
    pub fn key_packages(&self, count: usize) -> Result<Vec<Vec<u8>>, ClientError> {
        let key = self.signing_key()?;
        let provider = self.provider();
        let packages = (0..count)
            .map(|_| group::key_package(&provider, &key, &self.own().device))
            .collect::<Result<Vec<_>, _>>()?;
        provider.commit()?;
        Ok(packages)
    }

    /// Adds the devices whose key packages are given (each with the certificate it must
    /// match) to space `which`. The commit is handed to `send`; the change is kept only if
    /// `send` succeeds (the relay took the commit as the one of its epoch).
    pub fn add_to_space(
        &self,
        which: &str,
        packages: &[(DeviceCertificate, Vec<u8>)],
        send: impl FnOnce(&SpaceId, &Outgoing) -> Result<(), ClientError>,
    ) -> Result<SpaceDetail, ClientError> {
        let stored = self.find_space(which)?;
        let provider = self.provider();
        let checked = packages
            .iter()
            .map(|(device, bytes)| group::check_key_package(&provider, bytes, device))
            .collect::<Result<Vec<_>, _>>()?;
        let key = self.signing_key()?;
        self.change_space(
            &stored,
            &provider,
            |group| group::add(group, &provider, &key, &checked),
            send,
        )?;
        self.space(&SpaceId(stored.id).hex())
    }

    /// Removes `devices` from space `which`, as [`Profile::add_to_space`] adds.
    pub fn remove_from_space(
        &self,
        which: &str,
        devices: &[DeviceId],
        send: impl FnOnce(&SpaceId, &Outgoing) -> Result<(), ClientError>,
    ) -> Result<SpaceDetail, ClientError> {
        let stored = self.find_space(which)?;
        let provider = self.provider();
        let key = self.signing_key()?;
        self.change_space(
            &stored,
            &provider,
            |group| group::remove(group, &provider, &key, devices),
            send,
        )?;
        self.space(&SpaceId(stored.id).hex())
    }

    /// Runs a change on the group of `stored`, sends its commit, then keeps it (or, on any
    /// error, keeps nothing).
    fn change_space(
        &self,
        stored: &StoredSpace,
        provider: &StoreProvider,
        change: impl FnOnce(&mut MlsGroup) -> Result<Outgoing, GroupError>,
        send: impl FnOnce(&SpaceId, &Outgoing) -> Result<(), ClientError>,
    ) -> Result<(), ClientError> {
        let mut group = self.load_group(provider, &stored.id)?;
        let kept = change(&mut group)
            .map_err(ClientError::from)
            .and_then(|outgoing| {
                send(&SpaceId(stored.id), &outgoing)?;
                let key = group::epoch_key(&group, provider)?;
                Ok((outgoing.epoch, key))
            });
        self.keep_epoch(&stored.id, provider, kept).map(|_| ())
    }

    /// Keeps the epoch an operation on space `id` reached, with its key and the MLS state the
    /// operation wrote, in one transaction; or, if it failed, drops what it wrote.
    fn keep_epoch(
        &self,
        id: &[u8; 16],
        provider: &StoreProvider,
        reached: Result<(u64, SecretKey), ClientError>,
    ) -> Result<u64, ClientError> {
        match reached {
            Ok((epoch, key)) => {
                self.store().advance_space(
                    id,
                    epoch,
                    &key_bytes(&key),
                    &provider.take_pending(),
                )?;
                Ok(epoch)
            }
            Err(e) => {
                provider.discard();
                Err(e)
            }
        }
    }

    /// Joins a space from a welcome addressed to this device. Its name is not in the welcome
    /// (names travel in envelopes): it is named by its id until one arrives.
    pub fn join_space(&self, welcome: &[u8]) -> Result<SpaceView, ClientError> {
        let provider = self.provider();
        let group = match group::join(&provider, welcome) {
            Ok(group) => group,
            Err(e) => {
                provider.discard();
                return Err(e.into());
            }
        };
        let id: [u8; 16] = group.group_id().as_slice().try_into().map_err(|_| {
            provider.discard();
            ClientError::Space("this welcome is for a group that is not a space".into())
        })?;
        if self.store().space(&id)?.is_some() {
            provider.discard();
            return Err(ClientError::Space(
                "this device is already a member of that space".into(),
            ));
        }
        let key = group::epoch_key(&group, &provider)?;
        let stored = StoredSpace {
            id,
            name: SpaceId(id).hex().chars().take(8).collect(),
            kind: SpaceKind::Shared.as_str().to_owned(),
            history_visible: false,
            epoch: group.epoch().as_u64(),
            created_at: OffsetDateTime::now_utc(),
        };
        let devices = group.members().count();
        self.store()
            .put_space(&stored, &key_bytes(&key), &provider.take_pending())?;
        // A linked device was handed the keys of the epochs before it joined.
        self.keep_handed_keys(&SpaceId(id))?;
        Ok(self.view(&stored, devices))
    }

    /// Processes a commit another member made in space `id`: the space moves to its epoch, or,
    /// if the commit removes this device, is left.
    pub fn process_space_commit(
        &self,
        id: &SpaceId,
        commit: &[u8],
    ) -> Result<CommitTaken, ClientError> {
        let stored = self
            .store()
            .space(&id.0)?
            .ok_or(diplomatie_store::StoreError::UnknownSpace)?;
        let provider = self.provider();
        let mut group = self.load_group(&provider, &stored.id)?;
        let processed = group::process_commit(&mut group, &provider, commit);
        if processed.is_ok() && !group.is_active() {
            // Removed: no key of the next epoch was ever given to this device.
            provider.discard();
            self.leave_space(id)?;
            return Ok(CommitTaken::Removed);
        }
        let processed = processed
            .and_then(|epoch| group::epoch_key(&group, &provider).map(|key| (epoch, key)))
            .map_err(ClientError::from);
        // Another member's commit, which the relay keeps: the new epoch need not wait for the
        // disk (a power cut may lose it; the commit is processed again at the next sync).
        match processed {
            Ok((epoch, key)) => {
                self.store().advance_space_replayable(
                    &stored.id,
                    epoch,
                    &key_bytes(&key),
                    &provider.take_pending(),
                )?;
                Ok(CommitTaken::Epoch(epoch))
            }
            Err(e) => {
                provider.discard();
                Err(e)
            }
        }
    }

    /// The public state of space `id`'s group, signed by this device, for the relay.
    pub(crate) fn space_group_info(&self, id: &SpaceId) -> Result<Vec<u8>, ClientError> {
        let provider = self.provider();
        let group = self.load_group(&provider, &id.0)?;
        Ok(group::group_info(&group, &provider, &self.signing_key()?)?)
    }

    /// The key of epoch `epoch` of space `id`, if this device knew that epoch.
    pub(crate) fn space_epoch_key(
        &self,
        id: &SpaceId,
        epoch: u64,
    ) -> Result<Option<SecretKey>, ClientError> {
        Ok(self
            .store()
            .space_epoch_key(&id.0, epoch)?
            .map(|k| SecretKey::from_bytes(*k)))
    }

    /// The current epoch of space `id` and its key.
    pub(crate) fn space_current_key(&self, id: &SpaceId) -> Result<(u64, SecretKey), ClientError> {
        let stored = self
            .store()
            .space(&id.0)?
            .ok_or(diplomatie_store::StoreError::UnknownSpace)?;
        let key = self.space_epoch_key(id, stored.epoch)?.ok_or_else(|| {
            ClientError::Space("the key of this space's current epoch is missing".into())
        })?;
        Ok((stored.epoch, key))
    }

    /// The device certificate of a member of space `id` (this device's, or a contact's whose
    /// key the group's leaf holds): what an envelope from `device` is checked against.
    pub(crate) fn space_member_certificate(
        &self,
        id: &SpaceId,
        device: &DeviceId,
    ) -> Result<Option<DeviceCertificate>, ClientError> {
        let provider = self.provider();
        let group = self.load_group(&provider, &id.0)?;
        let Some((_, signing)) = group::members(&group)?
            .into_iter()
            .find(|(d, _)| d == device)
        else {
            return Ok(None);
        };
        if self.own().device.device == *device {
            return Ok(Some(self.own().device.clone()));
        }
        // Another device of this person.
        if let Some(own) = self
            .card()
            .devices
            .iter()
            .find(|d| d.device == *device && d.signing == signing)
        {
            return Ok(Some(own.clone()));
        }
        Ok(self.stored_contacts()?.into_iter().find_map(|c| {
            c.card
                .devices
                .into_iter()
                .find(|d| d.device == *device && d.signing == signing)
        }))
    }
}

#[cfg(test)]
mod tests;
