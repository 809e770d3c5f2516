//! Delivery to people this person shares no space with: each person has an own space (all
//! their devices), whose deposit key their card carries; an item for action or information
//! to a contact is deposited into that space, sealed to that key, and a copy stays in the
//! sender's own space.
//!
//! The own space is made with the profile (or at the first unlock by a version that has
//! them), and the card is issued again whenever its epoch moves, so that the card given out
//! carries the current deposit key. A card given out earlier still works: the members keep
//! every epoch's key, so a deposit sealed to an older deposit key still opens.

use std::sync::PoisonError;

use diplomatie_domain::{Addressee, ItemId, Route};
use diplomatie_protocol::{ContactCard, Content, ContentKind, DepositKey, DepositSecret, SpaceId};
use diplomatie_store::StoredSpace;
use serde::Serialize;
use time::OffsetDateTime;

use crate::spaces::SpaceKind;
use crate::{ClientError, Profile};

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
    /// A unit: not delivered by this version.
    Unit,
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
        let (epoch, key) = self.space_current_key(&id)?;
        let secret = DepositSecret::derive(id, epoch, &key)?;
        let deposit = DepositKey::issue(&secret, self.own().device.device, &self.signing_key()?)?;
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
        self.store().put_meta(crate::identity::CARD, card.bytes())?;
        *self.card.write().unwrap_or_else(PoisonError::into_inner) = card;
        Ok(())
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

    /// Sends item `id` to each of its addressees that is a contact whose card carries a
    /// deposit key, and a copy into this person's own space; the rest is reported. Everything
    /// leaves at the next sync.
    pub fn deliver_item(&self, id: ItemId) -> Result<Delivery, ClientError> {
        let stored = self
            .store()
            .get_item(id)?
            .ok_or_else(|| ClientError::NotFound(id.to_string()))?;
        let contacts = self.stored_contacts()?;
        let mut delivery = Delivery::default();
        let mut targets: Vec<(SpaceId, DepositKey, String, Route)> = Vec::new();
        for (addressee, route) in stored.item.routing() {
            let typed = addressee.name().to_owned();
            let found = match &addressee {
                Addressee::Person(name) => crate::contacts::resolve_addressee(&contacts, name),
                Addressee::Unit(_) => Err((
                    UnreachableReason::Unit,
                    "a unit is reached through its space, which this version cannot deliver to \
                     yet: address its people by name"
                        .to_owned(),
                )),
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
        let content = self.item_content(id)?;
        for (space, deposit, name, route) in targets {
            let key = format!("{TARGET}{}", space.hex());
            // The newest key known for the space is the one sealed to.
            let keep = match self.deposit_target(&space)? {
                Some(kept) if kept.epoch > deposit.epoch => kept,
                _ => deposit,
            };
            self.store().put_meta(&key, keep.bytes())?;
            self.write_to_outbox(space, content.clone())?;
            delivery.deposited.push(Delivered {
                name,
                route: route_word(route).to_owned(),
            });
        }
        // The sender's copy, for their other devices (none yet: nothing to send).
        if let Some(own) = self.own_space()? {
            let provider = self.provider();
            if self.load_group(&provider, &own.id)?.members().count() > 1 {
                self.write_to_outbox(SpaceId(own.id), content)?;
                delivery.copy_kept = true;
            }
        }
        Ok(delivery)
    }

    /// Item `id` as the content of an envelope.
    fn item_content(&self, id: ItemId) -> Result<Content, ClientError> {
        Ok(Content {
            kind: ContentKind::Item,
            body: self.item_payload(id)?,
        })
    }
}
