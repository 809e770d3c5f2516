//! The people this profile knows: their cards, whether they were verified by safety number,
//! and key changes.
//!
//! A contact is known by their identity key, never by their name: two contacts may share a
//! name, and a name is resolved to one of them or refused as ambiguous ([`Profile::find_contact`]).
//! A card is added from its line (`DIPLOMATIE:…`):
//! - a card of an identity already known replaces the older card of that identity (a new
//!   device, a new role), and keeps the verification mark, since the same key signed it;
//! - a card with a new identity key for a person already known (same name and organisation) is
//!   a **key change**: it is set aside, never used, the verification mark is cleared, and the
//!   contact is shown as such until they are verified again under the new key, which then
//!   replaces the old one;
//! - any other card is a new contact, not verified.
//!
//! Verifying compares the safety number ([`diplomatie_protocol::SafetyNumber`]) the two people
//! read out to each other; digits that differ change nothing.

use diplomatie_protocol::{ContactCard, IdentityKey, SafetyNumber};
use diplomatie_store::{AuditAction, StoredContact};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{ClientError, Profile};

/// A contact as the app and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactView {
    pub name: String,
    pub org: String,
    pub role: String,
    pub email: Option<String>,
    /// The identity key, 64 hex digits.
    pub identity: String,
    /// Its first 16 hex digits, to tell contacts apart on screen.
    pub identity_short: String,
    pub devices: usize,
    pub verified: bool,
    /// RFC 3339, when verified.
    pub verified_at: Option<String>,
    /// A card under another identity key, waiting to be verified.
    pub key_change: Option<KeyChangeView>,
}

/// A key change waiting for verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyChangeView {
    pub new_identity: String,
    pub new_identity_short: String,
    /// RFC 3339.
    pub at: String,
}

/// What adding a card did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ContactAdded {
    /// A new contact, not verified yet.
    Added { contact: ContactView },
    /// A newer card of a known identity replaced the older one.
    Updated { contact: ContactView },
    /// This card, or a newer one of the same identity, is already known.
    Unchanged { contact: ContactView },
    /// A known person under another identity key: set aside until verified.
    KeyChange { contact: ContactView },
}

impl ContactAdded {
    pub fn contact(&self) -> &ContactView {
        match self {
            Self::Added { contact }
            | Self::Updated { contact }
            | Self::Unchanged { contact }
            | Self::KeyChange { contact } => contact,
        }
    }
}

/// What adding a card's line did: a contact's, or a unit's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardAdded {
    Contact(ContactAdded),
    Unit(crate::UnitView),
}

/// The safety number to compare with a contact.
#[derive(Debug, Clone, Serialize)]
pub struct SafetyNumberView {
    pub contact: ContactView,
    /// Twelve groups of five digits, separated by spaces.
    pub digits: String,
    /// The number is computed with the new key of a pending key change.
    pub for_new_key: bool,
}

/// A stored contact with its card read.
#[derive(Debug, Clone)]
pub(crate) struct Contact {
    pub stored: StoredContact,
    pub card: ContactCard,
    pub pending: Option<ContactCard>,
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn same_person(a: &ContactCard, b: &ContactCard) -> bool {
    let fold = |s: &str| s.trim().to_lowercase();
    fold(&a.details.name) == fold(&b.details.name) && fold(&a.details.org) == fold(&b.details.org)
}

impl Contact {
    fn read(stored: StoredContact) -> Result<Self, ClientError> {
        let damaged = |e: diplomatie_protocol::ProtocolError| {
            ClientError::Store(diplomatie_store::StoreError::Damaged(format!(
                "a stored contact card does not check ({e})"
            )))
        };
        let card = ContactCard::decode(&stored.card).map_err(damaged)?;
        let pending = stored
            .pending_card
            .as_deref()
            .map(ContactCard::decode)
            .transpose()
            .map_err(damaged)?;
        Ok(Self {
            stored,
            card,
            pending,
        })
    }

    pub(crate) fn view(&self) -> ContactView {
        let d = &self.card.details;
        ContactView {
            name: d.name.clone(),
            org: d.org.clone(),
            role: d.role.clone(),
            email: d.email.clone(),
            identity: self.card.identity.hex(),
            identity_short: self.card.identity.short(),
            devices: self.card.devices.len(),
            verified: self.stored.verified_at.is_some(),
            verified_at: self.stored.verified_at.map(rfc3339),
            key_change: self.pending.as_ref().map(|p| KeyChangeView {
                new_identity: p.identity.hex(),
                new_identity_short: p.identity.short(),
                at: self.stored.key_changed_at.map(rfc3339).unwrap_or_default(),
            }),
        }
    }

    /// How the contact is named in messages: name, organisation and the key's first digits.
    fn label(&self) -> String {
        format!(
            "{} ({}, key {})",
            self.card.details.name,
            self.card.details.org,
            self.card.identity.short()
        )
    }
}

impl Profile {
    /// This person's card as one line to give others.
    pub fn card_line(&self) -> String {
        self.card().to_line()
    }

    pub(crate) fn stored_contacts(&self) -> Result<Vec<Contact>, ClientError> {
        self.store()
            .contacts()?
            .into_iter()
            .map(Contact::read)
            .collect()
    }

    /// Every contact, in the order they were added.
    pub fn contacts(&self) -> Result<Vec<ContactView>, ClientError> {
        Ok(self.stored_contacts()?.iter().map(Contact::view).collect())
    }

    /// Adds the card of a line, a person's (`DIPLOMATIE:…`, see [`Profile::add_contact`]) or
    /// a unit's (`DIPLOMATIE-UNITE:…`, see [`Profile::add_unit`]).
    pub fn add_card(&self, line: &str) -> Result<CardAdded, ClientError> {
        if line
            .trim()
            .to_ascii_uppercase()
            .starts_with(diplomatie_protocol::UNIT_CARD_PREFIX)
        {
            return Ok(CardAdded::Unit(self.add_unit(line)?));
        }
        Ok(CardAdded::Contact(self.add_contact(line)?))
    }

    /// Adds a contact's card from its line (see the module doc for what happens to a card of
    /// a known identity or of a known person under a new key).
    pub fn add_contact(&self, line: &str) -> Result<ContactAdded, ClientError> {
        let card = ContactCard::from_line(line)?;
        if card.identity == self.own().key {
            return Err(ClientError::Contact(
                "this is your own card: give it to others, and add theirs".into(),
            ));
        }
        let contacts = self.stored_contacts()?;
        if let Some(known) = contacts.iter().find(|c| c.card.identity == card.identity) {
            if card.issued <= known.card.issued || card.bytes() == known.card.bytes() {
                return Ok(ContactAdded::Unchanged {
                    contact: known.view(),
                });
            }
            let mut stored = known.stored.clone();
            stored.card = card.bytes().to_vec();
            self.store().update_contact(
                &stored,
                &self.audit(
                    AuditAction::ContactUpdated,
                    None,
                    &format!("identity {}", card.identity.short()),
                ),
            )?;
            return Ok(ContactAdded::Updated {
                contact: Contact::read(stored)?.view(),
            });
        }
        if let Some(known) = contacts.iter().find(|c| same_person(&c.card, &card)) {
            // The same pending card again, or an older one: nothing changes.
            if known
                .pending
                .as_ref()
                .is_some_and(|p| p.identity == card.identity && card.issued <= p.issued)
            {
                return Ok(ContactAdded::KeyChange {
                    contact: known.view(),
                });
            }
            let mut stored = known.stored.clone();
            stored.pending_card = Some(card.bytes().to_vec());
            stored.key_changed_at = Some(OffsetDateTime::now_utc());
            stored.verified_at = None;
            self.store().update_contact(
                &stored,
                &self.audit(
                    AuditAction::ContactKeyChanged,
                    None,
                    &format!(
                        "identity {} now shows identity {}",
                        known.card.identity.short(),
                        card.identity.short()
                    ),
                ),
            )?;
            return Ok(ContactAdded::KeyChange {
                contact: Contact::read(stored)?.view(),
            });
        }
        let stored = StoredContact {
            id: 0,
            identity: card.identity.0.to_vec(),
            card: card.bytes().to_vec(),
            verified_at: None,
            pending_card: None,
            key_changed_at: None,
            added_at: OffsetDateTime::now_utc(),
            updated_at: OffsetDateTime::now_utc(),
        };
        let id = self.store().add_contact(
            &stored,
            &self.audit(
                AuditAction::ContactAdded,
                None,
                &format!("identity {}", card.identity.short()),
            ),
        )?;
        Ok(ContactAdded::Added {
            contact: Contact::read(StoredContact { id, ..stored })?.view(),
        })
    }

    /// The contact `who` names: a name (any case), "name (organisation)", or the first 8 or
    /// more hex digits of the identity key. Refused when no contact or several match.
    pub(crate) fn find_contact(&self, who: &str) -> Result<Contact, ClientError> {
        let contacts = self.stored_contacts()?;
        let matches = resolve(&contacts, who);
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(ClientError::Contact(format!(
                "no contact is named '{}': add their card first (diplo contact add), or check the name with diplo contact list",
                who.trim()
            ))),
            several => Err(ClientError::Contact(format!(
                "{} contacts match '{}': {}; write the name with the organisation, \"Name (ORG)\", or the first digits of the key",
                several.len(),
                who.trim(),
                several
                    .iter()
                    .map(|c| c.label())
                    .collect::<Vec<_>>()
                    .join("; ")
            ))),
        }
    }

    /// The safety number to compare with `who` (with the new key when their key changed).
    pub fn safety_number(&self, who: &str) -> Result<SafetyNumberView, ClientError> {
        let contact = self.find_contact(who)?;
        let (key, for_new_key) = match &contact.pending {
            Some(p) => (p.identity, true),
            None => (contact.card.identity, false),
        };
        Ok(SafetyNumberView {
            contact: contact.view(),
            digits: SafetyNumber::of(&self.own().key, &key).to_string(),
            for_new_key,
        })
    }

    /// Marks `who` verified when `digits` are the safety number (after a key change, the new
    /// key's, which then replaces the old one). Digits that differ change nothing.
    pub fn verify_contact(&self, who: &str, digits: &str) -> Result<ContactView, ClientError> {
        let contact = self.find_contact(who)?;
        let target = contact.pending.as_ref().unwrap_or(&contact.card);
        let number = SafetyNumber::of(&self.own().key, &target.identity);
        if !number.matches(digits) {
            return Err(ClientError::Contact(format!(
                "the digits given are not the safety number with {}: nothing was changed. Compare again, digit by digit; if they still differ, the card you hold may not be theirs",
                contact.card.details.name
            )));
        }
        let mut stored = contact.stored.clone();
        if let Some(p) = &contact.pending {
            stored.identity = p.identity.0.to_vec();
            stored.card = p.bytes().to_vec();
            stored.pending_card = None;
            stored.key_changed_at = None;
        }
        stored.verified_at = Some(OffsetDateTime::now_utc());
        self.store().update_contact(
            &stored,
            &self.audit(
                AuditAction::ContactVerified,
                None,
                &format!("identity {}", target.identity.short()),
            ),
        )?;
        Ok(Contact::read(stored)?.view())
    }

    /// The accepted card of identity `key` and whether it is verified; `None` for an identity
    /// this profile does not know (or knows only as a pending key change).
    pub fn known_identity(&self, key: &IdentityKey) -> Result<Option<ContactView>, ClientError> {
        Ok(self
            .store()
            .contact(&key.0)?
            .map(Contact::read)
            .transpose()?
            .map(|c| c.view()))
    }
}

/// The contacts `who` names (see [`Profile::find_contact`]).
/// The contact an item's addressee designates: by email address for `Name <address>` or a
/// bare address, else by name as [`Profile::find_contact`] reads it. `Err` says why none.
pub(crate) fn resolve_addressee(
    contacts: &[Contact],
    who: &str,
) -> Result<Contact, (crate::deposits::UnreachableReason, String)> {
    use crate::deposits::UnreachableReason;
    let address = match (who.rfind('<'), who.rfind('>')) {
        (Some(open), Some(close)) if open < close => who.get(open + 1..close),
        _ if who.contains('@') => Some(who.trim()),
        _ => None,
    };
    let by_address: Vec<&Contact> = address
        .map(|a| {
            contacts
                .iter()
                .filter(|c| {
                    c.card
                        .details
                        .email
                        .as_deref()
                        .is_some_and(|e| e.trim().eq_ignore_ascii_case(a.trim()))
                })
                .collect()
        })
        .unwrap_or_default();
    let matches = if by_address.is_empty() {
        let name = match who.find('<') {
            Some(at) => who.get(..at).unwrap_or(who),
            None => who,
        };
        resolve(contacts, name.trim().trim_matches('"'))
    } else {
        by_address
    };
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err((
            UnreachableReason::NoContact,
            "no contact of this name: add their card (diplo contact add)".into(),
        )),
        several => Err((
            UnreachableReason::Ambiguous,
            format!(
                "{} contacts have this name: write it with the organisation, \"Name (ORG)\"",
                several.len()
            ),
        )),
    }
}

fn resolve<'a>(contacts: &'a [Contact], who: &str) -> Vec<&'a Contact> {
    let who = who.trim();
    let fold = |s: &str| s.trim().to_lowercase();
    let hex = who.to_ascii_lowercase();
    if hex.len() >= 8 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        let by_key: Vec<&Contact> = contacts
            .iter()
            .filter(|c| c.card.identity.hex().starts_with(&hex))
            .collect();
        if !by_key.is_empty() {
            return by_key;
        }
    }
    if let Some((name, rest)) = who.split_once('(')
        && let Some(org) = rest.strip_suffix(')')
    {
        return contacts
            .iter()
            .filter(|c| {
                fold(&c.card.details.name) == fold(name) && fold(&c.card.details.org) == fold(org)
            })
            .collect();
    }
    contacts
        .iter()
        .filter(|c| fold(&c.card.details.name) == fold(who))
        .collect()
}

/// A card's line as a QR code: medium error correction, alphanumeric mode (the line is upper
/// case base 32).
fn qr(line: &str) -> Result<qrcode::QrCode, ClientError> {
    qrcode::QrCode::with_error_correction_level(line, qrcode::EcLevel::M).map_err(|e| {
        ClientError::Contact(format!(
            "the card does not fit a QR code ({e}): give its line instead"
        ))
    })
}

/// A QR code as its modules: `width` rows of `width` modules, dark ones `true`, row by row
/// (the app draws them itself, so the page needs neither images nor markup from outside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrModules {
    pub width: usize,
    pub dark: Vec<bool>,
}

impl Profile {
    /// This person's card as a QR code's modules (for the app).
    pub fn card_qr(&self) -> Result<QrModules, ClientError> {
        let code = qr(&self.card_line())?;
        Ok(QrModules {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    /// This person's card as a QR code drawn with block characters (for a terminal).
    pub fn card_qr_text(&self) -> Result<String, ClientError> {
        Ok(qr(&self.card_line())?
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .build())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    /// The QR code the app draws holds the card's line: read back by an independent QR
    /// reader (rqrr) from the modules, it gives the same line.
    #[test]
    fn the_qr_code_reads_back_as_the_card_line() {
        let alice = diplomatie_testkit_free_profile();
        let qr = alice.0.card_qr().unwrap();
        assert_eq!(qr.dark.len(), qr.width * qr.width);
        // Drawn 4 pixels a module, with a quiet zone of 4 modules.
        let (scale, quiet) = (4, 4);
        let side = (qr.width + 2 * quiet) * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = (
                (x / scale).wrapping_sub(quiet),
                (y / scale).wrapping_sub(quiet),
            );
            let dark = mx < qr.width && my < qr.width && qr.dark[my * qr.width + mx];
            if dark { 0 } else { 255 }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, alice.0.card_line());
        // The terminal drawing is as wide (Dense1x2 adds a quiet zone of 4 each side).
        let text = alice.0.card_qr_text().unwrap();
        assert_eq!(text.lines().next().unwrap().chars().count(), qr.width + 8);
    }

    fn diplomatie_testkit_free_profile() -> (crate::Profile, tempfile::TempDir) {
        let tmp = tempfile::tempdir().unwrap();
        let p = crate::Profile::init(
            &tmp.path().join("p"),
            "une phrase de passe assez longue",
            crate::InitOptions {
                name: "Alice Martin".into(),
                org: "BERLIN".into(),
                email: None,
                role: String::new(),
                kdf_cost: Some(crate::KdfCost::MIN),
            },
        )
        .unwrap();
        (p, tmp)
    }
}
