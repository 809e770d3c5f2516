//! Delivery to people this person shares no space with: each person has an own space (all
//! their devices), whose deposit key their card carries; an item for action or information
//! to a contact is deposited into that space, sealed to that key, and a copy stays in the
//! sender's own space.
//!
//! A unit (a post, a service) is reached the same way through its unit's card
//! ([`UnitCard`]): a member of the unit's space gives it (`unit_card_line`), with the space's
//! deposit key; whoever adds it (`add_unit`) can address the unit by name. A member of a unit's
//! space addressing that unit shares the item into the space directly.
//!
//! The own space is made with the profile (or at the first unlock by a version that has
//! them), and the card is issued again whenever its epoch moves, so that the card given out
//! carries the current deposit key. A card given out earlier still works: the members keep
//! every epoch's key, so a deposit sealed to an older deposit key still opens.

use std::sync::PoisonError;

use diplomatie_domain::{Addressee, ItemId, Route};
use diplomatie_protocol::{
    ContactCard, Content, ContentKind, DepositKey, DepositSecret, SpaceId, UnitCard,
};
use diplomatie_store::StoredSpace;
use serde::Serialize;
use time::OffsetDateTime;

use crate::spaces::SpaceKind;
use crate::{ClientError, Profile};

/// The meta key of the units' cards this profile holds (their lines, as JSON).
const UNITS: &str = "units.cards";

/// A unit this profile can deliver to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitView {
    pub name: String,
    pub org: String,
    /// The space's id, in hex.
    pub space: String,
    /// Who vouched for the card, and whether they are a verified contact here.
    pub issuer: String,
    pub issuer_verified: bool,
    /// RFC 3339.
    pub issued: String,
}

/// The meta key under which the deposit key of a space this device deposits into is kept,
/// until the deposit leaves: `deposit.target.` then the space's id in hex.
const TARGET: &str = "deposit.target.";

/// What delivering an item did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The contacts the item goes to at the next sync, by name, with their route.
    pub deposited: Vec<Delivered>,
    /// Whether a copy went into this person's own space (for their other devices, when it
    /// has any).
    pub copy_kept: bool,
    /// The addressees it cannot go to, with why.
    pub unreachable: Vec<Unreachable>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub name: String,
    pub route: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreachable {
    pub addressee: String,
    pub reason: UnreachableReason,
    /// The reason in words, with what to do.
    pub why: String,
}

/// Why an addressee cannot be delivered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnreachableReason {
    /// No contact has this name or address.
    NoContact,
    /// Several contacts have it.
    Ambiguous,
    /// The contact's card is of a version without an own space.
    NoDepositKey,
    /// A unit whose card is not held here.
    Unit,
}

impl UnreachableReason {
    /// The reason's code, as `--json` and the interface name it.
    pub fn code(self) -> &'static str {
        match self {
            UnreachableReason::NoContact => "no_contact",
            UnreachableReason::Ambiguous => "ambiguous",
            UnreachableReason::NoDepositKey => "no_deposit_key",
            UnreachableReason::Unit => "unit",
        }
    }
}

/// Where an item for a unit goes.
enum UnitTarget {
    Member(SpaceId),
    Card(Box<UnitCard>),
    None(UnreachableReason, String),
}

fn route_word(route: Route) -> &'static str {
    match route {
        Route::Action => "action",
        Route::Info => "info",
    }
}

impl Profile {
    /// This person's own space, if made.
    pub(crate) fn own_space(&self) -> Result<Option<StoredSpace>, ClientError> {
        Ok(self
            .store()
            .spaces()?
            .into_iter()
            .find(|s| s.kind == SpaceKind::Own.as_str()))
    }

    /// Makes this person's own space if there is none, and issues the card again if the one
    /// kept does not carry the own space's current deposit key.
    pub(crate) fn ensure_own_space(&self) -> Result<(), ClientError> {
        let space = match self.own_space()? {
            Some(space) => space,
            // A linked device: the card names the person's own space, which it joins at its
            // first sync.
            None if self.card().deposit.is_some() => return Ok(()),
            None => {
                let (_, id) = self.make_space(&self.identity().name, SpaceKind::Own, true)?;
                self.store()
                    .space(&id.0)?
                    .ok_or(diplomatie_store::StoreError::UnknownSpace)?
            }
        };
        self.refresh_card(&space)
    }

    /// Issues this person's card again with the deposit key of `own` at its current epoch,
    /// unless the card kept carries it already.
    fn refresh_card(&self, own: &StoredSpace) -> Result<(), ClientError> {
        let id = SpaceId(own.id);
        let current = self.card();
        if current
            .deposit
            .as_ref()
            .is_some_and(|d| d.space == id && d.epoch == own.epoch)
        {
            return Ok(());
        }
        let deposit = self.current_deposit_key(&id)?;
        let identity = self.identity_secret()?;
        // The card lists the devices it listed; a later second before the last issue keeps a
        // newer card newer.
        let issued = OffsetDateTime::now_utc().max(current.issued + time::Duration::SECOND);
        let card = ContactCard::issue_with_deposit(
            &identity,
            current.details.clone(),
            issued,
            &current.devices,
            Some(&deposit),
        )?;
        self.keep_card(card)
    }

    /// Keeps `card` as this person's card from now on.
    pub(crate) fn keep_card(&self, card: ContactCard) -> Result<(), ClientError> {
        self.store().put_meta(crate::identity::CARD, card.bytes())?;
        *self.card.write().unwrap_or_else(PoisonError::into_inner) = card;
        Ok(())
    }

    /// The deposit key of space `id` at its current epoch, signed by this device.
    fn current_deposit_key(&self, id: &SpaceId) -> Result<DepositKey, ClientError> {
        let (epoch, key) = self.space_current_key(id)?;
        let secret = DepositSecret::derive(*id, epoch, &key)?;
        Ok(DepositKey::issue(
            &secret,
            self.own().device.device,
            &self.signing_key()?,
        )?)
    }

    /// This person's card as it is now (with their own space's deposit key, once made).
    pub fn card(&self) -> ContactCard {
        self.card
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The deposit key pair of `space` at `epoch`, if this device knew that epoch.
    pub(crate) fn deposit_secret(
        &self,
        space: &SpaceId,
        epoch: u64,
    ) -> Result<Option<DepositSecret>, ClientError> {
        match self.space_epoch_key(space, epoch)? {
            Some(key) => Ok(Some(DepositSecret::derive(*space, epoch, &key)?)),
            None => Ok(None),
        }
    }

    /// The deposit key kept for `space`, a space this device deposits into.
    pub(crate) fn deposit_target(
        &self,
        space: &SpaceId,
    ) -> Result<Option<DepositKey>, ClientError> {
        match self.store().get_meta(&format!("{TARGET}{}", space.hex()))? {
            Some(bytes) => Ok(Some(DepositKey::decode(&bytes)?)),
            None => Ok(None),
        }
    }

    /// The devices whose signature on a deposit key of `space` this profile trusts: those of
    /// the contact whose own space it is, and those of whoever vouched for a unit card of it.
    fn depositee_devices(
        &self,
        space: &SpaceId,
    ) -> Result<Vec<diplomatie_protocol::DeviceCertificate>, ClientError> {
        let mut devices = Vec::new();
        for contact in self.stored_contacts()? {
            if contact
                .card
                .deposit
                .as_ref()
                .is_some_and(|d| d.space == *space)
            {
                devices.extend(contact.card.devices);
            }
        }
        for unit in self.unit_cards()? {
            if unit.deposit.space == *space {
                devices.extend(unit.issuer.devices);
            }
        }
        Ok(devices)
    }

    /// Takes, among deposit keys of `space` a carrier `offered`, the newest one signed by a
    /// device this profile trusts for that space and newer than the key kept for it, as the
    /// key deposits are sealed to from now on. Returns whether the key kept changed. A key
    /// signed by anyone else, for another space, or older is ignored.
    pub(crate) fn take_offered_deposit_key(
        &self,
        space: &SpaceId,
        offered: &[Vec<u8>],
    ) -> Result<bool, ClientError> {
        let Some(kept) = self.deposit_target(space)? else {
            return Ok(false);
        };
        let trusted = self.depositee_devices(space)?;
        let newest = offered
            .iter()
            .filter_map(|bytes| DepositKey::decode(bytes).ok())
            .filter(|key| key.space == *space && key.epoch > kept.epoch)
            .filter(|key| {
                trusted
                    .iter()
                    .any(|d| d.device == key.signer && key.verify(d).is_ok())
            })
            .max_by_key(|key| key.epoch);
        let Some(newest) = newest else {
            return Ok(false);
        };
        self.store()
            .put_meta(&format!("{TARGET}{}", space.hex()), newest.bytes())?;
        Ok(true)
    }

    /// The deposit key this device publishes for space `id` at its current epoch: a person's
    /// own space and a unit's take deposits; other spaces none.
    pub(crate) fn deposit_key_to_publish(
        &self,
        id: &SpaceId,
    ) -> Result<Option<DepositKey>, ClientError> {
        let Some(space) = self.store().space(&id.0)? else {
            return Ok(None);
        };
        if !matches!(
            SpaceKind::parse(&space.kind),
            Ok(SpaceKind::Own | SpaceKind::Unit)
        ) {
            return Ok(None);
        }
        self.current_deposit_key(id).map(Some)
    }

    /// Composes and stores an item as [`Profile::compose`] does, and sends it to each of its
    /// addressees that is a contact whose card carries a deposit key or a unit whose card is
    /// held (or whose space this device is in), with a copy into this person's own space when
    /// it holds other devices; the rest is reported. Everything leaves at the next sync. The
    /// item and its outbox entries are written in one transaction: a crash leaves both or
    /// neither.
    pub fn compose_and_deliver(
        &self,
        compose: crate::Compose,
    ) -> Result<(ItemId, Delivery), ClientError> {
        let built = self.build_item(compose)?;
        let (delivery, spaces, sealed_to) = self.plan_delivery(&built.item)?;
        // The key each deposit is sealed to, kept until it leaves.
        for deposit in sealed_to {
            let key = format!("{TARGET}{}", deposit.space.hex());
            self.store().put_meta(&key, deposit.bytes())?;
        }
        let content = Content {
            kind: ContentKind::Item,
            body: built.payload()?,
        };
        let writes: Vec<(SpaceId, Content)> = spaces
            .into_iter()
            .map(|space| (space, content.clone()))
            .collect();
        let rows = self.outbox_writes(&writes)?;
        let id = self.store_built(&built, &rows)?;
        Ok((id, delivery))
    }

    /// What [`Profile::compose_and_deliver`] would do with `compose`, without doing it: the
    /// item is built and checked as it would be (its attachments with it), and where it would
    /// go is told; nothing is stored and nothing leaves. The composer shows it for review
    /// before the user confirms the sending.
    pub fn plan_compose(&self, compose: crate::Compose) -> Result<Delivery, ClientError> {
        let built = self.build_item(compose)?;
        let (delivery, _, _) = self.plan_delivery(&built.item)?;
        Ok(delivery)
    }

    /// Where `item` goes: what to say of each addressee, the spaces whose outbox it goes in,
    /// and the deposit keys it is sealed to (to keep for the push). Reads only.
    fn plan_delivery(
        &self,
        item: &diplomatie_domain::Item,
    ) -> Result<(Delivery, Vec<SpaceId>, Vec<DepositKey>), ClientError> {
        let contacts = self.stored_contacts()?;
        let units = self.unit_cards()?;
        let mut delivery = Delivery::default();
        let mut targets: Vec<(SpaceId, DepositKey, String, Route)> = Vec::new();
        // Unit spaces this device is a member of, addressed by name: shared into directly.
        let mut members_of: Vec<SpaceId> = Vec::new();
        for (addressee, route) in item.routing() {
            let typed = addressee.name().to_owned();
            let found = match &addressee {
                Addressee::Person(name) => crate::contacts::resolve_addressee(&contacts, name),
                Addressee::Unit(name) => match self.unit_target(&units, name)? {
                    UnitTarget::Member(space) => {
                        if !members_of.contains(&space) {
                            members_of.push(space);
                            delivery.deposited.push(Delivered {
                                name: typed.clone(),
                                route: route_word(route).to_owned(),
                            });
                        }
                        continue;
                    }
                    UnitTarget::Card(card) => {
                        if !targets.iter().any(|(s, ..)| *s == card.deposit.space) {
                            targets.push((card.deposit.space, card.deposit, card.name, route));
                        }
                        continue;
                    }
                    UnitTarget::None(reason, why) => Err((reason, why)),
                },
            };
            let contact = match found {
                Ok(contact) => contact,
                Err((reason, why)) => {
                    delivery.unreachable.push(Unreachable {
                        addressee: typed,
                        reason,
                        why,
                    });
                    continue;
                }
            };
            let Some(deposit) = contact.card.deposit.clone() else {
                delivery.unreachable.push(Unreachable {
                    addressee: typed,
                    reason: UnreachableReason::NoDepositKey,
                    why: "their card carries no space to deliver into (it was made by an earlier \
                          version): ask them for their card again"
                        .into(),
                });
                continue;
            };
            // An addressee named twice (for action and for information) gets it once, with
            // the first route.
            if targets.iter().any(|(s, ..)| *s == deposit.space) {
                continue;
            }
            targets.push((
                deposit.space,
                deposit,
                contact.card.details.name.clone(),
                route,
            ));
        }
        let mut spaces = members_of;
        let mut sealed_to = Vec::with_capacity(targets.len());
        for (space, deposit, name, route) in targets {
            // The newest key known for the space is the one sealed to.
            sealed_to.push(match self.deposit_target(&space)? {
                Some(kept) if kept.epoch > deposit.epoch => kept,
                _ => deposit,
            });
            spaces.push(space);
            delivery.deposited.push(Delivered {
                name,
                route: route_word(route).to_owned(),
            });
        }
        // The sender's copy, for their other devices (none yet: nothing to send).
        if let Some(own) = self.own_space()? {
            let provider = self.provider();
            if self.load_group(&provider, &own.id)?.members().count() > 1 {
                spaces.push(SpaceId(own.id));
                delivery.copy_kept = true;
            }
        }
        Ok((delivery, spaces, sealed_to))
    }

    /// Where an item addressed to unit `name` goes: the unit's space if this device is a
    /// member, else the space of the one unit card of that name held here.
    fn unit_target(&self, units: &[UnitCard], name: &str) -> Result<UnitTarget, ClientError> {
        let fold = |s: &str| s.trim().to_lowercase();
        let mine: Vec<StoredSpace> = self
            .store()
            .spaces()?
            .into_iter()
            .filter(|s| s.kind == SpaceKind::Unit.as_str() && fold(&s.name) == fold(name))
            .collect();
        if let [space] = mine.as_slice() {
            return Ok(UnitTarget::Member(SpaceId(space.id)));
        }
        let cards: Vec<&UnitCard> = units
            .iter()
            .filter(|u| fold(&u.name) == fold(name))
            .collect();
        Ok(match cards.as_slice() {
            [one] => UnitTarget::Card(Box::new((*one).clone())),
            [] => UnitTarget::None(
                UnreachableReason::Unit,
                "no unit card of this name: ask a member of the unit for its card (diplo space \
                 card), then add it (diplo contact add)"
                    .into(),
            ),
            several => UnitTarget::None(
                UnreachableReason::Ambiguous,
                format!("{} unit cards have this name", several.len()),
            ),
        })
    }

    /// The card of unit space `which`, to give to those who will address the unit: its name,
    /// this person's organisation, the space's current deposit key, vouched for by this person.
    pub fn unit_card_line(&self, which: &str) -> Result<String, ClientError> {
        let space = self.find_space(which)?;
        if space.kind != SpaceKind::Unit.as_str() {
            return Err(ClientError::Space(
                "only a unit's space has a unit card: make the space with the kind unit".into(),
            ));
        }
        let deposit = self.current_deposit_key(&SpaceId(space.id))?;
        let card = UnitCard::issue(
            &self.identity_secret()?,
            &self.card(),
            &space.name,
            &self.identity().org,
            OffsetDateTime::now_utc(),
            &deposit,
        )?;
        Ok(card.to_line())
    }

    /// The lines of the units' cards held here.
    pub(crate) fn unit_card_lines(&self) -> Result<Vec<String>, ClientError> {
        Ok(self.meta_json(UNITS)?.unwrap_or_default())
    }

    fn unit_cards(&self) -> Result<Vec<UnitCard>, ClientError> {
        let lines: Vec<String> = self.meta_json(UNITS)?.unwrap_or_default();
        lines
            .iter()
            .map(|l| UnitCard::from_line(l).map_err(ClientError::from))
            .collect()
    }

    fn unit_view(&self, card: &UnitCard) -> Result<UnitView, ClientError> {
        let issuer = self.known_identity(&card.issuer.identity)?;
        Ok(UnitView {
            name: card.name.clone(),
            org: card.org.clone(),
            space: card.deposit.space.hex(),
            issuer: card.issuer.details.name.clone(),
            issuer_verified: issuer.is_some_and(|c| c.verified),
            issued: card
                .issued
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        })
    }

    /// Adds a unit's card from its line (`DIPLOMATIE-UNITE:…`); a newer card of the same
    /// unit's space replaces the one held.
    pub fn add_unit(&self, line: &str) -> Result<UnitView, ClientError> {
        let card = UnitCard::from_line(line)?;
        let mut cards = self.unit_cards()?;
        match cards
            .iter_mut()
            .find(|c| c.deposit.space == card.deposit.space)
        {
            Some(held) if held.issued > card.issued => return self.unit_view(held),
            Some(held) => *held = card.clone(),
            None => cards.push(card.clone()),
        }
        let lines: Vec<String> = cards.iter().map(UnitCard::to_line).collect();
        self.put_meta_json(UNITS, &lines)?;
        self.unit_view(&card)
    }

    /// The units this profile holds a card of.
    pub fn units(&self) -> Result<Vec<UnitView>, ClientError> {
        self.unit_cards()?
            .iter()
            .map(|c| self.unit_view(c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use diplomatie_crypto::SecretKey;
    use diplomatie_protocol::{DepositKey, DepositSecret, SpaceId};
    use diplomatie_testkit::{FAST_KDF, PASSPHRASE, POST, temp_dir};

    use super::UnreachableReason;
    use crate::{InitOptions, Profile};

    fn profile(name: &str, dir: &std::path::Path) -> Profile {
        Profile::init(
            &dir.join(name),
            PASSPHRASE,
            InitOptions {
                role: String::new(),
                name: name.into(),
                org: POST.into(),
                email: None,
                kdf_cost: Some(FAST_KDF),
            },
        )
        .unwrap()
    }

    /// A deposit key of `space` at `epoch` (from a random epoch key), signed by `by`.
    fn key_of(space: SpaceId, epoch: u64, by: &Profile) -> DepositKey {
        let epoch_key = SecretKey::from_bytes(diplomatie_crypto::random_bytes::<32>().unwrap());
        let secret = DepositSecret::derive(space, epoch, &epoch_key).unwrap();
        DepositKey::issue(&secret, by.own().device.device, &by.signing_key().unwrap()).unwrap()
    }

    #[test]
    fn a_deposit_key_offered_is_taken_only_newer_for_its_space_and_signed_by_its_owner() {
        let dir = temp_dir();
        let (alice, bruno, mallory) = (
            profile("Alice Martin", dir.path()),
            profile("Bruno Durand", dir.path()),
            profile("Mallory Faux", dir.path()),
        );
        alice.add_contact(&bruno.card().to_line()).unwrap();
        let kept = bruno.card().deposit.unwrap();
        let space = kept.space;
        let target = format!("{}{}", super::TARGET, space.hex());
        alice.store().put_meta(&target, kept.bytes()).unwrap();
        let next = kept.epoch + 1;

        // Refused: signed by someone else, for another space, not newer, not a key at all.
        let offered = [
            key_of(space, next, &mallory).bytes().to_vec(),
            key_of(SpaceId::random().unwrap(), next, &bruno)
                .bytes()
                .to_vec(),
            key_of(space, kept.epoch, &bruno).bytes().to_vec(),
            b"garbage".to_vec(),
        ];
        assert!(!alice.take_offered_deposit_key(&space, &offered).unwrap());
        assert_eq!(alice.deposit_target(&space).unwrap().unwrap(), kept);
        // A space nothing is deposited into keeps nothing.
        let other = SpaceId::random().unwrap();
        let theirs = [key_of(other, 5, &bruno).bytes().to_vec()];
        assert!(!alice.take_offered_deposit_key(&other, &theirs).unwrap());
        assert!(alice.deposit_target(&other).unwrap().is_none());

        // Taken: the newest of those Bruno's device signed.
        let newer = key_of(space, next + 1, &bruno);
        let offered = [
            key_of(space, next, &bruno).bytes().to_vec(),
            newer.bytes().to_vec(),
            key_of(space, next + 2, &mallory).bytes().to_vec(),
        ];
        assert!(alice.take_offered_deposit_key(&space, &offered).unwrap());
        assert_eq!(alice.deposit_target(&space).unwrap().unwrap(), newer);
    }

    #[test]
    fn a_reasons_code_is_its_json_name() {
        for reason in [
            UnreachableReason::NoContact,
            UnreachableReason::Ambiguous,
            UnreachableReason::NoDepositKey,
            UnreachableReason::Unit,
        ] {
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                serde_json::Value::from(reason.code())
            );
        }
    }
}
