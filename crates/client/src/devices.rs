//! A person's devices: linking a second device to their identity, listing and revoking them.
//!
//! **Linking** (`diplomatie_protocol::link` holds the cryptography). The first device opens a
//! mailbox at its relay and shows a code ([`Profile::offer_link`]); the new device, given the
//! code, sends its public keys ([`LinkJoin::start`]); both show four words, which the person
//! compares. Once confirmed on the first device ([`Profile::complete_link`]), it certifies the
//! new device's keys with the identity key (a new certificate: the new device's keys never
//! leave it, and the first device's never leave the first), issues the card again listing
//! both, and hands over, sealed under the link's key: the identity key, the card, an
//! enrolment token the relay minted for this identity, the contacts and units, the labels of
//! the devices, and the key of every epoch of every space this device knew. The new device
//! makes its profile with them and enrols ([`LinkJoin::finish`]); the first adds it to every
//! space (an MLS commit each), shares the new card in each (so that the other members accept
//! the new device's envelopes), and puts every item it holds into the person's own space, so
//! that the new device's first sync brings the whole history.
//!
//! **Revoking** ([`Profile::revoke_device`]): the relay ends the device's sessions and refuses
//! it from then on; the device is removed from every space (a new epoch whose key it never
//! holds); the card is issued again without it and shared in every space.

use std::time::{Duration, Instant};

use diplomatie_crypto::{AgreementKey, SigningKey};
use diplomatie_protocol::link::{Joining, LinkCode, LinkKeys, LinkSlot, LinkStart, NewDeviceKeys};
use diplomatie_protocol::{
    ContactCard, Content, ContentKind, DeviceCertificate, DeviceId, SpaceId,
};
use diplomatie_store::{AuditAction, KdfCost, StoredContact};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::{Zeroize, Zeroizing};

use crate::sync::RelayClient;
use crate::{ClientError, Profile};

/// The meta key of the devices' labels (JSON: device id in hex → label).
const LABELS: &str = "devices.labels";
/// The meta key of the devices this person revoked (JSON: device id in hex → Unix seconds).
const REVOKED: &str = "devices.revoked";
/// The meta key of the epoch keys a linked device was handed, until it joins their spaces.
const HANDED_KEYS: &str = "link.handed_keys";
/// How often a mailbox slot is asked for while waiting.
const POLL: Duration = Duration::from_millis(300);
/// The most items put in the outbox in one transaction when a device is linked.
const ITEM_BATCH: usize = 500;

fn link_error(why: impl Into<String>) -> ClientError {
    ClientError::Link(why.into())
}

/// Asks `fetch` until it has something, or `timeout` passes.
fn wait_for<T>(
    timeout: Duration,
    what: &str,
    mut fetch: impl FnMut() -> Result<Option<T>, ClientError>,
) -> Result<T, ClientError> {
    let until = Instant::now() + timeout;
    loop {
        if let Some(found) = fetch()? {
            return Ok(found);
        }
        if Instant::now() >= until {
            return Err(link_error(format!(
                "{what} did not come within {} s: start linking again on the first device",
                timeout.as_secs()
            )));
        }
        std::thread::sleep(POLL);
    }
}

/// A space's id and the keys of its epochs.
type SpaceKeys = ([u8; 16], Vec<(u64, [u8; 32])>);

/// What the first device hands the new one, sealed under the link's key.
#[derive(Serialize, Deserialize)]
struct Handover {
    /// The identity signing key, PKCS#8.
    identity_secret: Vec<u8>,
    name: String,
    org: String,
    email: Option<String>,
    role: String,
    /// The new device's certificate, and the card listing it.
    certificate: Vec<u8>,
    card: Vec<u8>,
    /// A one-time enrolment token for this identity.
    token: String,
    /// Contacts' cards, each with when it was verified (Unix seconds).
    contacts: Vec<(Vec<u8>, Option<i64>)>,
    /// Units' card lines.
    units: Vec<String>,
    /// Every epoch key of every space: the space's id, and its epochs' keys.
    spaces: Vec<SpaceKeys>,
    /// The devices' labels.
    labels: Vec<(String, String)>,
}

impl Drop for Handover {
    fn drop(&mut self) {
        self.identity_secret.zeroize();
        self.token.zeroize();
        for (_, keys) in &mut self.spaces {
            for (_, key) in keys.iter_mut() {
                key.zeroize();
            }
        }
    }
}

/// A link offered by the first device: its code, waiting for the new device.
#[derive(Debug)]
pub struct LinkOffer {
    code: LinkCode,
    start: LinkStart,
    relay: RelayClient,
}

impl LinkOffer {
    /// The code to show (as a line and as a QR code).
    pub fn code(&self) -> &LinkCode {
        &self.code
    }

    /// Waits for the new device's keys. A wrong code on the other side is refused here, and
    /// the mailbox closed: nothing was handed over.
    pub fn wait(mut self, timeout: Duration) -> Result<LinkRequest, ClientError> {
        let mailbox = self.code.mailbox.clone();
        let bytes = wait_for(timeout, "the new device", || {
            self.relay.get_link_slot(&mailbox, 'b')
        })?;
        let opened = Joining::decode(&bytes)
            .and_then(|joining| {
                let keys = self.start.finish(&joining.pake)?;
                let device = keys.open(LinkSlot::Joining, &joining.sealed)?;
                Ok((keys, device))
            })
            .and_then(|(keys, device)| {
                postcard::from_bytes::<NewDeviceKeys>(&device)
                    .map(|device| (keys, device))
                    .map_err(|_| diplomatie_protocol::ProtocolError::Malformed {
                        what: "device link",
                    })
            });
        match opened {
            Ok((keys, device)) => Ok(LinkRequest {
                code: self.code,
                keys,
                device,
                relay: self.relay,
            }),
            Err(_) => {
                let _ = self.relay.close_link(&mailbox);
                Err(link_error(
                    "the new device did not give this code (a wrong or mistyped code): nothing \
                     was handed over; start linking again",
                ))
            }
        }
    }
}

/// A new device asking to be linked, on the first device: compare its words, then complete
/// or refuse.
#[derive(Debug)]
pub struct LinkRequest {
    code: LinkCode,
    keys: LinkKeys,
    device: NewDeviceKeys,
    relay: RelayClient,
}

impl LinkRequest {
    /// The four words the new device shows too.
    pub fn words(&self) -> [&'static str; 4] {
        self.keys.words()
    }

    /// What the person called the new device.
    pub fn label(&self) -> &str {
        &self.device.label
    }

    /// Refuses the link: the mailbox is closed, nothing handed over.
    pub fn refuse(mut self) {
        let _ = self.relay.close_link(&self.code.mailbox);
    }
}

/// What linking a device did, on the first device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkedDevice {
    /// The new device's id, in hex.
    pub device: String,
    pub label: String,
    /// The spaces it was added to.
    pub spaces: usize,
    /// The items put in the own space for it.
    pub items: usize,
    /// The items left out, their attachments not stored here (demo items).
    pub items_left_out: usize,
}

/// A step of completing a link, for a progress display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkProgress {
    pub done: usize,
    pub total: usize,
}

/// A device of this person, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceView {
    /// 32 hex digits.
    pub device: String,
    pub label: Option<String>,
    pub this_device: bool,
    /// RFC 3339: when its certificate was issued.
    pub certified: String,
    /// RFC 3339, as the relay last saw it (when it could be asked).
    pub last_seen: Option<String>,
    /// RFC 3339, when revoked.
    pub revoked: Option<String>,
}

/// What this machine is called (its host name), or a plain default.
fn machine_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|n| n.trim().chars().take(60).collect::<String>())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Premier appareil".to_owned())
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn from_unix(seconds: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(seconds).ok()
}

/// The new device's side of a link, once its keys are sent: compare the words, then finish.
pub struct LinkJoin {
    code: LinkCode,
    keys: LinkKeys,
    signing: SigningKey,
    agreement: AgreementKey,
    relay: RelayClient,
}

impl std::fmt::Debug for LinkJoin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkJoin")
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

impl LinkJoin {
    /// Reads `code` (the line the first device shows), makes this device's keys and sends
    /// their public halves, sealed under the link's key.
    pub fn start(code: &str, label: &str, timeout: Duration) -> Result<LinkJoin, ClientError> {
        let code = LinkCode::parse(code)?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 60 {
            return Err(link_error(
                "name this device in a few words (at most 60 characters), e.g. \"Portable\"",
            ));
        }
        let mut relay = RelayClient::anonymous(&code.relay)?;
        let mailbox = code.mailbox.clone();
        let theirs = wait_for(timeout, "the first device's message", || {
            relay.get_link_slot(&mailbox, 'a')
        })?;
        let start = LinkStart::new_device(&code);
        let pake = start.message.clone();
        let keys = start.finish(&theirs)?;
        let signing = SigningKey::generate()?;
        let agreement = AgreementKey::generate()?;
        let public = NewDeviceKeys {
            signing: signing.public_key(),
            agreement: agreement.public_key(),
            label: label.to_owned(),
        };
        let plain = postcard::to_allocvec(&public).map_err(|e| link_error(e.to_string()))?;
        let joining = Joining {
            pake,
            sealed: keys.seal(LinkSlot::Joining, &plain)?,
        };
        relay.put_link_slot(&mailbox, 'b', joining.encode())?;
        Ok(LinkJoin {
            code,
            keys,
            signing,
            agreement,
            relay,
        })
    }

    /// The four words the first device shows too.
    pub fn words(&self) -> [&'static str; 4] {
        self.keys.words()
    }

    /// Waits for what the first device hands over, makes this device's profile in `dir` under
    /// `passphrase`, enrols it with the relay and says so to the first device, which then adds
    /// it to every space: sync afterwards to receive them.
    pub fn finish(
        mut self,
        dir: &std::path::Path,
        passphrase: &str,
        kdf_cost: Option<KdfCost>,
        timeout: Duration,
    ) -> Result<Profile, ClientError> {
        let mailbox = self.code.mailbox.clone();
        let sealed = wait_for(timeout, "the first device's confirmation", || {
            self.relay.get_link_slot(&mailbox, 'c')
        })?;
        let plain = self.keys.open(LinkSlot::Handover, &sealed)?;
        let handover: Handover = postcard::from_bytes(&plain)
            .map_err(|_| link_error("what the first device handed over is unreadable"))?;
        drop(plain);
        let certificate = DeviceCertificate::decode(&handover.certificate)?;
        let card = ContactCard::decode(&handover.card)?;
        let identity = SigningKey::from_pkcs8(&Zeroizing::new(handover.identity_secret.clone()))?;
        if certificate.signing != self.signing.public_key()
            || certificate.agreement != self.agreement.public_key()
            || certificate.identity != card.identity
            || identity.public_key() != card.identity.0
            || card.device(certificate.device).is_none()
        {
            return Err(link_error(
                "what the first device handed over does not match this device's keys: nothing \
                 was kept; start linking again",
            ));
        }
        // A folder made here is taken away again if linking fails after the profile is in it.
        let fresh = std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
        let profile = Profile::init_linked(
            dir,
            passphrase,
            crate::profile::LinkedIdentity {
                name: handover.name.clone(),
                org: handover.org.clone(),
                email: handover.email.clone(),
                role: handover.role.clone(),
                kdf_cost,
                signing: &self.signing,
                agreement: &self.agreement,
                identity: &identity,
                certificate: &certificate,
                card: &card,
            },
        )?;
        let settled = profile
            .take_handover(&handover)
            .and_then(|()| profile.join_relay(&self.code.relay, &handover.token))
            .and_then(|_| {
                let ready = self.keys.seal(LinkSlot::Ready, b"ready")?;
                self.relay.put_link_slot(&mailbox, 'd', ready)
            });
        if let Err(e) = settled {
            profile.lock();
            if fresh {
                let _ = std::fs::remove_dir_all(dir);
            }
            return Err(e);
        }
        tracing::info!(device = %certificate.device, "this device is linked");
        Ok(profile)
    }
}

impl Profile {
    /// Opens a link at this profile's relay: show [`LinkOffer::code`] to the new device, then
    /// [`LinkOffer::wait`].
    pub fn offer_link(&self) -> Result<LinkOffer, ClientError> {
        let mut relay = self.relay_client()?;
        relay.open_session()?;
        let opened = relay.open_link()?;
        let code = LinkCode::new(relay.url(), &opened.link)?;
        let start = LinkStart::first(&code);
        relay.put_link_slot(&opened.link, 'a', start.message.clone())?;
        Ok(LinkOffer { code, start, relay })
    }

    /// Completes a link the person confirmed (the words matched): certifies the new device,
    /// hands it what it needs, waits until it is enrolled, adds it to every space, shares the
    /// new card in each and puts every item in the own space for it.
    pub fn complete_link(
        &self,
        request: LinkRequest,
        timeout: Duration,
        progress: &mut dyn FnMut(&LinkProgress),
    ) -> Result<LinkedDevice, ClientError> {
        let LinkRequest {
            code,
            keys,
            device,
            mut relay,
        } = request;
        let identity = self.identity_secret()?;
        let certificate = DeviceCertificate::issue(
            &identity,
            DeviceId(diplomatie_crypto::random_bytes::<16>()?),
            device.signing,
            device.agreement,
            OffsetDateTime::now_utc(),
            None,
        )?;
        let mut devices = self.card().devices.clone();
        devices.push(certificate.clone());
        let card = self.issue_card(&identity, &devices)?;
        let token = relay.link_invite(&code.mailbox)?;
        let mut labels = self.labels()?;
        labels.retain(|(d, _)| *d != certificate.device.hex());
        labels.push((certificate.device.hex(), device.label.clone()));
        // This device, unnamed until now, is named after its machine.
        let this = self.own().device.device.hex();
        if !labels.iter().any(|(d, _)| *d == this) {
            labels.push((this, machine_name()));
        }
        let handover = Handover {
            identity_secret: identity.pkcs8().to_vec(),
            name: self.identity().name.clone(),
            org: self.identity().org.clone(),
            email: self.identity().email.clone(),
            role: self.identity().role.clone(),
            certificate: certificate.bytes().to_vec(),
            card: card.bytes().to_vec(),
            token,
            contacts: self
                .stored_contacts()?
                .iter()
                .map(|c| {
                    (
                        c.card.bytes().to_vec(),
                        c.stored.verified_at.map(OffsetDateTime::unix_timestamp),
                    )
                })
                .collect(),
            units: self.unit_card_lines()?,
            spaces: self
                .store()
                .spaces()?
                .iter()
                .map(|s| {
                    let keys = self
                        .store()
                        .space_epoch_keys(&s.id)?
                        .into_iter()
                        .map(|(epoch, key)| (epoch, *key))
                        .collect();
                    Ok((s.id, keys))
                })
                .collect::<Result<_, ClientError>>()?,
            labels: labels.clone(),
        };
        let plain = Zeroizing::new(
            postcard::to_allocvec(&handover).map_err(|e| link_error(e.to_string()))?,
        );
        drop(handover);
        relay.put_link_slot(&code.mailbox, 'c', keys.seal(LinkSlot::Handover, &plain)?)?;
        drop(plain);
        let mailbox = code.mailbox.clone();
        let ready = wait_for(timeout, "the new device's enrolment", || {
            relay.get_link_slot(&mailbox, 'd')
        })?;
        keys.open(LinkSlot::Ready, &ready)?;
        let _ = relay.close_link(&mailbox);
        // Enrolled: the card listing the new device is this device's from now on.
        self.keep_card(card.clone())?;
        self.put_meta_json(LABELS, &labels)?;

        // Every space of this person, with the new device in it. A space that cannot take it
        // now (offline, another change first) takes it at a later sync: each sync adds the
        // card's devices missing from a space.
        let spaces = self.store().spaces()?;
        let total = spaces.len() + 1;
        for (done, space) in spaces.iter().enumerate() {
            progress(&LinkProgress { done, total });
            let id = SpaceId(space.id);
            match self.add_devices_via_relay(&id, std::slice::from_ref(&certificate)) {
                Ok(_) => self.share_card_in(&id, &card)?,
                Err(e) => {
                    tracing::warn!(space = %id, error = %e, "the new device waits for the next sync to join a space")
                }
            }
        }
        let (items, items_left_out) = self.share_every_item_with_own_devices()?;
        if items_left_out > 0 {
            tracing::warn!(
                items_left_out,
                "items whose attachments are not stored here stay off the new device"
            );
        }
        progress(&LinkProgress { done: total, total });
        self.audit_now(
            AuditAction::DeviceLinked,
            &format!("device {}", certificate.device),
        )?;
        Ok(LinkedDevice {
            device: certificate.device.hex(),
            label: device.label,
            spaces: spaces.len(),
            items,
            items_left_out,
        })
    }

    /// The devices of this person: those the card lists, then those revoked; the relay says
    /// when it last saw each, if it can be reached.
    pub fn devices(&self) -> Result<Vec<DeviceView>, ClientError> {
        let labels = self.labels()?;
        let label = |hex: &str| {
            labels
                .iter()
                .find(|(d, _)| d == hex)
                .map(|(_, l)| l.clone())
        };
        let seen = self
            .relay_client()
            .and_then(|mut relay| relay.own_devices())
            .unwrap_or_default();
        let last_seen = |device: &DeviceId| {
            seen.iter()
                .find(|d| d.device == *device)
                .and_then(|d| from_unix(d.last_seen))
                .map(rfc3339)
        };
        let mut views: Vec<DeviceView> = self
            .card()
            .devices
            .iter()
            .map(|d| DeviceView {
                device: d.device.hex(),
                label: label(&d.device.hex()),
                this_device: d.device == self.own().device.device,
                certified: rfc3339(d.created),
                last_seen: last_seen(&d.device),
                revoked: None,
            })
            .collect();
        for (hex, at) in self.revoked()? {
            views.push(DeviceView {
                label: label(&hex),
                device: hex.clone(),
                this_device: false,
                certified: String::new(),
                last_seen: DeviceId::from_hex(&hex).and_then(|d| last_seen(&d)),
                revoked: from_unix(at).map(rfc3339),
            });
        }
        Ok(views)
    }

    /// Revokes device `which` (its label, or the first 8 or more hex digits of its id): the
    /// relay refuses it from now on, it is removed from every space (a new epoch whose key it
    /// never holds), and the card is issued again without it and shared in every space.
    pub fn revoke_device(&self, which: &str) -> Result<DeviceView, ClientError> {
        let target = self.find_device(which)?;
        if target.device == self.own().device.device {
            return Err(link_error(
                "this is the device in use: revoke it from another of your devices",
            ));
        }
        let mut relay = self.relay_client()?;
        relay.revoke_device(target.device)?;
        for space in self.store().spaces()? {
            let id = SpaceId(space.id);
            if self
                .space_member_certificate(&id, &target.device)?
                .is_some()
            {
                self.remove_devices_via_relay(&id, &[target.device])?;
            }
        }
        let identity = self.identity_secret()?;
        let devices: Vec<DeviceCertificate> = self
            .card()
            .devices
            .iter()
            .filter(|d| d.device != target.device)
            .cloned()
            .collect();
        let card = self.issue_card(&identity, &devices)?;
        self.keep_card(card.clone())?;
        for space in self.store().spaces()? {
            self.share_card_in(&SpaceId(space.id), &card)?;
        }
        let mut revoked = self.revoked()?;
        revoked.push((
            target.device.hex(),
            OffsetDateTime::now_utc().unix_timestamp(),
        ));
        self.put_meta_json(REVOKED, &revoked)?;
        self.audit_now(
            AuditAction::DeviceRevoked,
            &format!("device {}", target.device),
        )?;
        let view = self
            .devices()?
            .into_iter()
            .find(|d| d.device == target.device.hex())
            .ok_or_else(|| link_error("the device revoked is not listed"))?;
        Ok(view)
    }

    /// The device of the card `which` names.
    fn find_device(&self, which: &str) -> Result<DeviceCertificate, ClientError> {
        let which = which.trim();
        let hex = which.to_ascii_lowercase();
        let labels = self.labels()?;
        let devices = self.card().devices.clone();
        let matches: Vec<&DeviceCertificate> = devices
            .iter()
            .filter(|d| {
                (hex.len() >= 8 && d.device.hex().starts_with(&hex))
                    || labels.iter().any(|(id, label)| {
                        *id == d.device.hex() && label.trim().eq_ignore_ascii_case(which)
                    })
            })
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(link_error(format!(
                "no device of yours is '{which}': see them with diplo devices"
            ))),
            _ => Err(link_error(format!(
                "several devices match '{which}': give more digits of its id (diplo devices)"
            ))),
        }
    }

    fn labels(&self) -> Result<Vec<(String, String)>, ClientError> {
        Ok(self.meta_json(LABELS)?.unwrap_or_default())
    }

    fn revoked(&self) -> Result<Vec<(String, i64)>, ClientError> {
        Ok(self.meta_json(REVOKED)?.unwrap_or_default())
    }

    /// This person's card issued again listing `devices`, with the deposit key it carries.
    fn issue_card(
        &self,
        identity: &SigningKey,
        devices: &[DeviceCertificate],
    ) -> Result<ContactCard, ClientError> {
        let current = self.card();
        let issued = OffsetDateTime::now_utc().max(current.issued + time::Duration::SECOND);
        Ok(ContactCard::issue_with_deposit(
            identity,
            current.details.clone(),
            issued,
            devices,
            current.deposit.as_ref(),
        )?)
    }

    /// Puts `card` in space `id`'s outbox: the members take it in place of the older one.
    pub(crate) fn share_card_in(
        &self,
        id: &SpaceId,
        card: &ContactCard,
    ) -> Result<(), ClientError> {
        self.write_to_outbox(
            *id,
            Content {
                kind: ContentKind::Card,
                body: card.bytes().to_vec(),
            },
        )
    }

    /// Puts every item stored here in the own space, for this person's other devices: how
    /// many went, and how many were left out because their attachments are not stored here
    /// (an item travels whole or not at all).
    fn share_every_item_with_own_devices(&self) -> Result<(usize, usize), ClientError> {
        let Some(own) = self.own_space()? else {
            return Ok((0, 0));
        };
        let own = SpaceId(own.id);
        let (mut shared, mut left_out) = (0, 0);
        let mut after = 0;
        loop {
            let page = self.store().items_after(after)?;
            let Some((last, _)) = page.last() else {
                return Ok((shared, left_out));
            };
            after = *last;
            for chunk in page.chunks(ITEM_BATCH) {
                let mut writes = Vec::with_capacity(chunk.len());
                for (_, summary) in chunk {
                    match self.item_payload(summary.id) {
                        Ok(body) => writes.push((
                            own,
                            Content {
                                kind: ContentKind::Item,
                                body,
                            },
                        )),
                        Err(ClientError::Attachment(_)) => left_out += 1,
                        Err(e) => return Err(e),
                    }
                }
                self.write_many_to_outbox(&writes)?;
                shared += writes.len();
            }
        }
    }

    /// Keeps what a linked device was handed: contacts, units, labels, and the epoch keys,
    /// taken as each space is joined.
    fn take_handover(&self, handover: &Handover) -> Result<(), ClientError> {
        for (card, verified) in &handover.contacts {
            let card = ContactCard::decode(card)?;
            let now = OffsetDateTime::now_utc();
            let stored = StoredContact {
                id: 0,
                identity: card.identity.0.to_vec(),
                card: card.bytes().to_vec(),
                verified_at: verified.and_then(from_unix),
                pending_card: None,
                key_changed_at: None,
                added_at: now,
                updated_at: now,
            };
            self.store().add_contact(
                &stored,
                &self.audit(
                    AuditAction::ContactAdded,
                    None,
                    &format!("identity {}", card.identity.short()),
                ),
            )?;
        }
        for line in &handover.units {
            self.add_unit(line)?;
        }
        self.put_meta_json(LABELS, &handover.labels)?;
        self.put_meta_json(HANDED_KEYS, &handover.spaces)?;
        Ok(())
    }

    /// The keys a linked device was handed for space `id`, kept now that it is a member.
    pub(crate) fn keep_handed_keys(&self, id: &SpaceId) -> Result<(), ClientError> {
        let Some(mut spaces) = self.meta_json::<Vec<SpaceKeys>>(HANDED_KEYS)? else {
            return Ok(());
        };
        if let Some(at) = spaces.iter().position(|(s, _)| *s == id.0) {
            let (_, keys) = spaces.remove(at);
            self.store().keep_history_keys(&id.0, &keys)?;
            self.put_meta_json(HANDED_KEYS, &spaces)?;
        }
        Ok(())
    }
}
