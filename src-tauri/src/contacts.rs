//! The identity and contacts commands: this person's card (its line and QR code), the
//! directory, adding a card, and verifying a contact by safety number. A contact is named by
//! the hex digits of its identity key, never by its name (two contacts may share one); the
//! rules (key changes, what a verification needs) are the client's (`diplomatie_client`'s
//! `contacts.rs`).

use diplomatie_client::{CardAdded, Profile};

use crate::command::{Shared, blocking};
use crate::dto::*;
use crate::error::{CommandError, ErrorKind};
use crate::map;

/// The identity key (at least its first 8 hex digits) the page names a contact by.
pub(crate) fn identity_arg(raw: &str) -> Result<String, CommandError> {
    let hex = raw.trim();
    if hex.len() < 8 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(CommandError::new(
            ErrorKind::NotFound,
            "name the contact by the hex digits of their identity key",
        ));
    }
    Ok(hex.to_owned())
}

fn my_card_dto(profile: &Profile) -> Result<MyCardDto, CommandError> {
    let me = profile.identity();
    let own = profile.own();
    Ok(MyCardDto {
        name: me.name.clone(),
        org: me.org.clone(),
        role: me.role.clone(),
        email: me.email.clone(),
        identity: own.key.hex(),
        identity_short: own.key.short(),
        device: own.device.device.hex(),
        card_line: profile.card_line(),
        qr: map::qr(&profile.card_qr()?),
    })
}

/// This person's identity and card: its line, its QR code, the key and this device.
#[tauri::command]
#[specta::specta]
pub async fn my_card(state: Shared<'_>) -> Result<MyCardDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || my_card_dto(&session.profile)).await
}

/// Every contact, in the order they were added.
#[tauri::command]
#[specta::specta]
pub async fn contacts(state: Shared<'_>) -> Result<Vec<ContactDto>, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        Ok(session
            .profile
            .contacts()?
            .iter()
            .map(map::contact)
            .collect())
    })
    .await
}

/// Adds a contact from their card's line: added, updated, already known, or a key change set
/// aside until verified.
#[tauri::command]
#[specta::specta]
pub async fn add_contact(state: Shared<'_>, line: String) -> Result<ContactAddedDto, CommandError> {
    let session = state.unlocked()?;
    // A unit's card goes in the same field as a person's.
    blocking(move || {
        Ok(match session.profile.add_card(&line)? {
            CardAdded::Contact(added) => map::contact_added(&added),
            CardAdded::Unit(unit) => ContactAddedDto::UnitAdded {
                unit: UnitDto {
                    name: unit.name,
                    org: unit.org,
                    issuer: unit.issuer,
                    issuer_verified: unit.issuer_verified,
                },
            },
        })
    })
    .await
}

/// The safety number to compare with the contact of this identity key (the new key's after a
/// key change).
#[tauri::command]
#[specta::specta]
pub async fn safety_number(
    state: Shared<'_>,
    identity: String,
) -> Result<SafetyNumberDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let who = identity_arg(&identity)?;
        Ok(map::safety_number(&session.profile.safety_number(&who)?))
    })
    .await
}

/// Marks the contact of this identity key verified when `digits` are the safety number;
/// digits that differ are refused (`contact_refused`) and change nothing.
#[tauri::command]
#[specta::specta]
pub async fn verify_contact(
    state: Shared<'_>,
    identity: String,
    digits: String,
) -> Result<ContactDto, CommandError> {
    let session = state.unlocked()?;
    blocking(move || {
        let who = identity_arg(&identity)?;
        Ok(map::contact(
            &session.profile.verify_contact(&who, &digits)?,
        ))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_is_named_by_its_key_not_its_name() {
        assert_eq!(identity_arg(" 0123abcd ").ok().as_deref(), Some("0123abcd"));
        for bad in ["Alice Martin", "0123abc", "", "0123abcg"] {
            let e = identity_arg(bad).err();
            assert_eq!(e.map(|e| e.kind), Some(ErrorKind::NotFound), "{bad:?}");
        }
    }
}
