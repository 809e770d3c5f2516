//! A unit's card: how to deliver to a unit (a post, a service) rather than to a person. It
//! names the unit as its addressees write it, carries the deposit key of the unit's space, and
//! is vouched for by a member of that space: signed by their identity key, their own contact
//! card inside, the deposit key signed by one of their devices.
//!
//! ```text
//! 0x01                      format
//! postcard(Body)            unit name, organisation, issued, deposit key (its bytes), the
//!                           issuer's contact card (its bytes)
//! 64 bytes                  Ed25519 signature by the issuer's identity key, context
//!                           diplomatie/unit-card/v1, over the format byte and the body
//! ```
//!
//! As text, one line: [`UNIT_CARD_PREFIX`] then the bytes in base 32, as a contact card.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use diplomatie_crypto::{Context, SigningKey, verify_as};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::card::line_bytes;
use crate::device::{decode_exact, split_signed};
use crate::{ContactCard, DepositKey, ProtocolError};

const FORMAT: u8 = 1;
const WHAT: &str = "unit card";
/// The start of a unit card's line.
pub const UNIT_CARD_PREFIX: &str = "DIPLOMATIE-UNITE:";
/// The largest unit card read (a contact card inside, and a deposit key).
pub const MAX_UNIT_CARD_BYTES: usize = 12 * 1024;
const MAX_NAME_CHARS: usize = 200;

#[derive(Serialize, Deserialize)]
struct Body {
    name: String,
    org: String,
    issued: i64,
    deposit: Vec<u8>,
    issuer: Vec<u8>,
}

/// A checked unit card: signed by the identity of the contact card inside, its deposit key
/// signed by one of that card's devices.
#[derive(Clone, PartialEq, Eq)]
pub struct UnitCard {
    /// The unit as addressees write it ("BERLIN", "DFAE/DIRECTION EUROPE").
    pub name: String,
    pub org: String,
    pub issued: OffsetDateTime,
    pub deposit: DepositKey,
    /// The member of the unit's space who vouches for the card.
    pub issuer: ContactCard,
    bytes: Vec<u8>,
}

impl fmt::Debug for UnitCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitCard")
            .field("space", &self.deposit.space)
            .field("epoch", &self.deposit.epoch)
            .finish_non_exhaustive()
    }
}

fn invalid(why: impl Into<String>) -> ProtocolError {
    ProtocolError::Invalid {
        what: WHAT,
        why: why.into(),
    }
}

fn check_name(field: &str, value: &str) -> Result<(), ProtocolError> {
    if value.trim().is_empty() {
        return Err(invalid(format!("its {field} is empty")));
    }
    if value.chars().count() > MAX_NAME_CHARS || value.chars().any(char::is_control) {
        return Err(invalid(format!(
            "its {field} is longer than {MAX_NAME_CHARS} characters or holds control characters"
        )));
    }
    Ok(())
}

impl UnitCard {
    /// The card of unit `name` (of `org`), whose space's deposit key is `deposit`, vouched for
    /// by the person whose identity key is `identity` and whose card is `issuer`.
    pub fn issue(
        identity: &SigningKey,
        issuer: &ContactCard,
        name: &str,
        org: &str,
        issued: OffsetDateTime,
        deposit: &DepositKey,
    ) -> Result<UnitCard, ProtocolError> {
        let body = Body {
            name: name.trim().to_owned(),
            org: org.trim().to_owned(),
            issued: issued.unix_timestamp(),
            deposit: deposit.bytes().to_vec(),
            issuer: issuer.bytes().to_vec(),
        };
        let mut bytes = postcard::to_extend(&body, vec![FORMAT])
            .map_err(|_| ProtocolError::Malformed { what: WHAT })?;
        let signature = identity.sign_as(Context::UnitCard, &bytes);
        bytes.extend_from_slice(&signature);
        UnitCard::decode(&bytes)
    }

    /// Reads and checks a unit card's bytes.
    pub fn decode(bytes: &[u8]) -> Result<UnitCard, ProtocolError> {
        if bytes.len() > MAX_UNIT_CARD_BYTES {
            return Err(ProtocolError::TooLarge {
                what: WHAT,
                limit: MAX_UNIT_CARD_BYTES,
            });
        }
        let (signed, signature) = split_signed(WHAT, FORMAT, bytes)?;
        let body: Body = decode_exact(WHAT, signed.get(1..).unwrap_or_default())?;
        let issuer = ContactCard::decode(&body.issuer)?;
        verify_as(Context::UnitCard, &issuer.identity.0, signed, signature)
            .map_err(|_| ProtocolError::BadSignature { what: WHAT })?;
        check_name("name", &body.name)?;
        check_name("organisation", &body.org)?;
        let deposit = DepositKey::decode(&body.deposit)?;
        let signer = issuer
            .device(deposit.signer)
            .ok_or_else(|| invalid("its deposit key is not signed by a device of its issuer"))?;
        deposit.verify(signer)?;
        let issued = OffsetDateTime::from_unix_timestamp(body.issued)
            .map_err(|_| invalid("its date is out of range"))?;
        Ok(UnitCard {
            name: body.name,
            org: body.org,
            issued,
            deposit,
            issuer,
            bytes: bytes.to_vec(),
        })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The card as one line of text.
    pub fn to_line(&self) -> String {
        format!("{UNIT_CARD_PREFIX}{}", BASE32_NOPAD.encode(&self.bytes))
    }

    /// Reads a unit card's line as copied (spaces and line breaks dropped, either case).
    pub fn from_line(line: &str) -> Result<UnitCard, ProtocolError> {
        UnitCard::decode(&line_bytes(
            line,
            UNIT_CARD_PREFIX,
            MAX_UNIT_CARD_BYTES,
            WHAT,
        )?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use diplomatie_crypto::{AgreementKey, SecretKey, random_bytes};

    use super::*;
    use crate::{CardDetails, DepositSecret, DeviceCertificate, DeviceId, SpaceId};

    fn person(name: &str) -> (SigningKey, SigningKey, ContactCard) {
        let identity = SigningKey::generate().unwrap();
        let key = SigningKey::generate().unwrap();
        let device = DeviceCertificate::issue(
            &identity,
            DeviceId(random_bytes().unwrap()),
            key.public_key(),
            AgreementKey::generate().unwrap().public_key(),
            OffsetDateTime::now_utc(),
            None,
        )
        .unwrap();
        let card = ContactCard::issue(
            &identity,
            CardDetails {
                name: name.into(),
                org: "Ambassade de France à Berlin".into(),
                role: String::new(),
                email: None,
            },
            OffsetDateTime::now_utc(),
            &[device],
        )
        .unwrap();
        (identity, key, card)
    }

    fn deposit(device_key: &SigningKey, card: &ContactCard) -> DepositKey {
        let secret = DepositSecret::derive(
            SpaceId::random().unwrap(),
            2,
            &SecretKey::generate().unwrap(),
        )
        .unwrap();
        DepositKey::issue(&secret, card.devices[0].device, device_key).unwrap()
    }

    #[test]
    fn a_unit_card_reads_back_and_every_flipped_byte_is_refused() {
        let (identity, key, card) = person("Alice Lefèvre");
        let deposit = deposit(&key, &card);
        let unit = UnitCard::issue(
            &identity,
            &card,
            "BERLIN",
            "Ambassade",
            OffsetDateTime::now_utc(),
            &deposit,
        )
        .unwrap();
        let read = UnitCard::from_line(&unit.to_line().to_lowercase()).unwrap();
        assert_eq!(read.name, "BERLIN");
        assert_eq!(read.deposit, deposit);
        assert_eq!(read.issuer.identity, card.identity);
        for at in 0..unit.bytes().len() {
            let mut bytes = unit.bytes().to_vec();
            bytes[at] ^= 0x02;
            assert!(UnitCard::decode(&bytes).is_err(), "byte {at} flipped");
        }
        assert!(matches!(
            UnitCard::from_line(&card.to_line()),
            Err(ProtocolError::NotACard)
        ));
    }

    #[test]
    fn a_unit_card_is_vouched_for_by_its_issuer_only() {
        let (alice_identity, alice_key, alice) = person("Alice Lefèvre");
        let (carol_identity, carol_key, carol) = person("Carol Martin");
        // Carol signs a card that names Alice as its issuer.
        let deposit_of_alice = deposit(&alice_key, &alice);
        assert!(
            UnitCard::issue(
                &carol_identity,
                &alice,
                "BERLIN",
                "Ambassade",
                OffsetDateTime::now_utc(),
                &deposit_of_alice
            )
            .is_err()
        );
        // Alice vouches for a deposit key Carol's device signed: refused.
        let deposit_of_carol = deposit(&carol_key, &carol);
        assert!(
            UnitCard::issue(
                &alice_identity,
                &alice,
                "BERLIN",
                "Ambassade",
                OffsetDateTime::now_utc(),
                &deposit_of_carol
            )
            .is_err()
        );
        // An empty name.
        assert!(
            UnitCard::issue(
                &alice_identity,
                &alice,
                " ",
                "Ambassade",
                OffsetDateTime::now_utc(),
                &deposit_of_alice
            )
            .is_err()
        );
    }
}
