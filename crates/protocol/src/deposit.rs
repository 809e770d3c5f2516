//! Deposits: how a device puts content into a space it is not a member of (an item for
//! action to a person or a unit it shares no space with).
//!
//! Each space has, for each epoch, a deposit key pair (HPKE, RFC 9180: DHKEM X25519,
//! HKDF-SHA256, AES-256-GCM) that every member derives from the epoch's key
//! ([`DepositSecret::derive`]); its public half is published as a [`DepositKey`] signed by a
//! member's device, and travels in its person's contact card. A depositor seals to it
//! ([`crate::Envelope::deposit`]): only the space's members can open the deposit, and the
//! relay, which takes deposits from any enrolled device within limits, sees a header and a
//! size.
//!
//! ```text
//! 0x01                       format
//! postcard(Body)             space id, epoch, X25519 public key (32 bytes), signer device id
//! 64 bytes                   Ed25519 signature by the signer device, context
//!                            diplomatie/deposit-key/v1, over the format byte and the body
//! ```

use std::fmt;

use diplomatie_crypto::{Context, SecretKey, SigningKey, verify_as};
use hpke_rs::hpke_types::{AeadAlgorithm, KdfAlgorithm, KemAlgorithm};
use hpke_rs::rustcrypto::HpkeRustCrypto;
use hpke_rs::{Hpke, HpkeKeyPair, HpkePrivateKey, HpkePublicKey, Mode};
use serde::{Deserialize, Serialize};

use crate::device::{decode_exact, split_signed};
use crate::{DeviceCertificate, DeviceId, ProtocolError, SpaceId};

const FORMAT: u8 = 1;
const WHAT: &str = "deposit key";
/// The most bytes a deposit key takes (it takes about 140).
pub const MAX_DEPOSIT_KEY_BYTES: usize = 512;
/// What the epoch key is expanded with to make the deposit key pair's seed, before the space
/// id and the epoch.
const SEED_LABEL: &[u8] = b"diplomatie/deposit-seed/v1";
/// HPKE's `info`: binds every deposit to this use.
pub(crate) const HPKE_INFO: &[u8] = b"diplomatie/deposit/v1";
/// The size of an encapsulated X25519 key.
pub(crate) const ENCAPSULATED_BYTES: usize = 32;

pub(crate) fn hpke() -> Hpke<HpkeRustCrypto> {
    Hpke::new(
        Mode::Base,
        KemAlgorithm::DhKem25519,
        KdfAlgorithm::HkdfSha256,
        AeadAlgorithm::Aes256Gcm,
    )
}

#[derive(Serialize, Deserialize)]
struct Body {
    space: SpaceId,
    epoch: u64,
    public: [u8; 32],
    signer: DeviceId,
}

/// A space's deposit public key for one epoch, as published: decoded, its signature checked
/// only by [`DepositKey::verify`] (against the certificate of the device it names) or
/// [`DepositKey::verify_signer_key`] (against that device's signing key).
#[derive(Clone, PartialEq, Eq)]
pub struct DepositKey {
    pub space: SpaceId,
    pub epoch: u64,
    pub public: [u8; 32],
    /// The member device that signed it.
    pub signer: DeviceId,
    bytes: Vec<u8>,
}

impl fmt::Debug for DepositKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DepositKey")
            .field("space", &self.space)
            .field("epoch", &self.epoch)
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

impl DepositKey {
    /// The deposit key of `secret`'s space and epoch, signed by `signer`, whose signing key is
    /// `key`.
    pub fn issue(
        secret: &DepositSecret,
        signer: DeviceId,
        key: &SigningKey,
    ) -> Result<DepositKey, ProtocolError> {
        let body = Body {
            space: secret.space,
            epoch: secret.epoch,
            public: secret.public,
            signer,
        };
        let mut bytes = postcard::to_extend(&body, vec![FORMAT])
            .map_err(|_| ProtocolError::Malformed { what: WHAT })?;
        let signature = key.sign_as(Context::DepositKey, &bytes);
        bytes.extend_from_slice(&signature);
        DepositKey::decode(&bytes)
    }

    /// Reads a deposit key: its size, format and body. See [`DepositKey::verify`].
    pub fn decode(bytes: &[u8]) -> Result<DepositKey, ProtocolError> {
        if bytes.len() > MAX_DEPOSIT_KEY_BYTES {
            return Err(ProtocolError::TooLarge {
                what: WHAT,
                limit: MAX_DEPOSIT_KEY_BYTES,
            });
        }
        let (signed, _) = split_signed(WHAT, FORMAT, bytes)?;
        let body: Body = decode_exact(WHAT, signed.get(1..).unwrap_or_default())?;
        Ok(DepositKey {
            space: body.space,
            epoch: body.epoch,
            public: body.public,
            signer: body.signer,
            bytes: bytes.to_vec(),
        })
    }

    /// Checks the signature against the certificate of the device it names as its signer.
    pub fn verify(&self, device: &DeviceCertificate) -> Result<(), ProtocolError> {
        if device.device != self.signer {
            return Err(ProtocolError::Invalid {
                what: WHAT,
                why: "it is signed by another device than the one it names".into(),
            });
        }
        self.verify_signer_key(&device.signing)
    }

    /// Checks the signature against `signing`, the Ed25519 public key of the device it names
    /// as its signer (which the caller has looked up: the relay knows a device's enrolled key,
    /// not its certificate).
    pub fn verify_signer_key(&self, signing: &[u8; 32]) -> Result<(), ProtocolError> {
        let (signed, signature) = split_signed(WHAT, FORMAT, &self.bytes)?;
        verify_as(Context::DepositKey, signing, signed, signature)
            .map_err(|_| ProtocolError::BadSignature { what: WHAT })
    }

    /// The key as published.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn hpke_public(&self) -> HpkePublicKey {
        HpkePublicKey::new(self.public.to_vec())
    }
}

/// A space's deposit key pair for one epoch, derived from the epoch's key: what a member opens
/// deposits with. Never leaves the device; made again from the epoch key when needed.
pub struct DepositSecret {
    pub space: SpaceId,
    pub epoch: u64,
    pub public: [u8; 32],
    pair: HpkeKeyPair,
}

impl fmt::Debug for DepositSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DepositSecret")
            .field("space", &self.space)
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

impl DepositSecret {
    /// The deposit key pair of `space` at `epoch`, whose key is `epoch_key`: the same on every
    /// member's device.
    pub fn derive(
        space: SpaceId,
        epoch: u64,
        epoch_key: &SecretKey,
    ) -> Result<DepositSecret, ProtocolError> {
        let mut info = Vec::with_capacity(SEED_LABEL.len() + 24);
        info.extend_from_slice(SEED_LABEL);
        info.extend_from_slice(&space.0);
        info.extend_from_slice(&epoch.to_be_bytes());
        let seed = diplomatie_crypto::hkdf_sha256(epoch_key, &info).map_err(|e| {
            ProtocolError::Invalid {
                what: WHAT,
                why: e.to_string(),
            }
        })?;
        let pair = hpke()
            .derive_key_pair(seed.expose())
            .map_err(|_| ProtocolError::Invalid {
                what: WHAT,
                why: "its key pair could not be derived".into(),
            })?;
        let public: [u8; 32] = pair
            .public_key()
            .as_slice()
            .try_into()
            .map_err(|_| ProtocolError::Malformed { what: WHAT })?;
        Ok(DepositSecret {
            space,
            epoch,
            public,
            pair,
        })
    }

    pub(crate) fn hpke_private(&self) -> &HpkePrivateKey {
        self.pair.private_key()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use diplomatie_crypto::{AgreementKey, random_bytes};
    use time::OffsetDateTime;

    use super::*;
    use crate::{
        CardDetails, ContactCard, Content, ContentKind, Envelope, EnvelopeHeader, EnvelopeId,
    };

    struct Person {
        identity: SigningKey,
        key: SigningKey,
        card: ContactCard,
    }

    fn person(name: &str) -> Person {
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
            details(name),
            OffsetDateTime::now_utc(),
            &[device],
        )
        .unwrap();
        Person {
            identity,
            key,
            card,
        }
    }

    fn details(name: &str) -> CardDetails {
        CardDetails {
            name: name.into(),
            org: "Ministère".into(),
            role: String::new(),
            email: None,
        }
    }

    fn device(p: &Person) -> DeviceId {
        p.card.devices[0].device
    }

    /// Bruno's own space at epoch 4, its secret and the deposit key his device signed.
    fn brunos_space(bruno: &Person) -> (SecretKey, DepositSecret, DepositKey) {
        let epoch_key = SecretKey::generate().unwrap();
        let secret = DepositSecret::derive(SpaceId::random().unwrap(), 4, &epoch_key).unwrap();
        let key = DepositKey::issue(&secret, device(bruno), &bruno.key).unwrap();
        (epoch_key, secret, key)
    }

    fn header(sender: &Person, key: &DepositKey) -> EnvelopeHeader {
        EnvelopeHeader {
            space: key.space,
            epoch: key.epoch,
            sender: device(sender),
            seq: 1,
            id: EnvelopeId::random().unwrap(),
        }
    }

    fn content() -> Content {
        Content {
            kind: ContentKind::Item,
            body: b"CANARY-telegramme pour action".to_vec(),
        }
    }

    #[test]
    fn every_member_derives_the_same_deposit_key_and_only_from_its_epoch() {
        let key = SecretKey::from_bytes([7; 32]);
        let space = SpaceId([1; 16]);
        let a = DepositSecret::derive(space, 3, &key).unwrap();
        let b = DepositSecret::derive(space, 3, &key).unwrap();
        assert_eq!(a.public, b.public);
        assert_ne!(
            DepositSecret::derive(space, 4, &key).unwrap().public,
            a.public
        );
        assert_ne!(
            DepositSecret::derive(SpaceId([2; 16]), 3, &key)
                .unwrap()
                .public,
            a.public
        );
        let other = SecretKey::from_bytes([8; 32]);
        assert_ne!(
            DepositSecret::derive(space, 3, &other).unwrap().public,
            a.public
        );
    }

    #[test]
    fn a_deposit_key_is_checked_against_its_signer() {
        let (bruno, carol) = (person("Bruno Durand"), person("Carol Martin"));
        let (_, _, key) = brunos_space(&bruno);
        let decoded = DepositKey::decode(key.bytes()).unwrap();
        assert_eq!(decoded, key);
        decoded.verify(&bruno.card.devices[0]).unwrap();
        assert!(decoded.verify(&carol.card.devices[0]).is_err());
        // What the relay checks: the signer's key alone.
        decoded
            .verify_signer_key(&bruno.card.devices[0].signing)
            .unwrap();
        assert!(matches!(
            decoded.verify_signer_key(&carol.card.devices[0].signing),
            Err(ProtocolError::BadSignature { .. })
        ));
        // Carol signs a key naming Bruno's device: refused.
        let (_, secret, _) = brunos_space(&bruno);
        let forged = DepositKey::issue(&secret, device(&bruno), &carol.key).unwrap();
        assert!(matches!(
            forged.verify(&bruno.card.devices[0]),
            Err(ProtocolError::BadSignature { .. })
        ));
        for at in 0..key.bytes().len() {
            let mut bytes = key.bytes().to_vec();
            bytes[at] ^= 0x04;
            let refused = match DepositKey::decode(&bytes) {
                Err(_) => true,
                Ok(k) => {
                    let by_key = k.verify_signer_key(&bruno.card.devices[0].signing).is_err();
                    assert_eq!(by_key, k.verify(&bruno.card.devices[0]).is_err());
                    by_key
                }
            };
            assert!(refused, "byte {at} flipped was accepted");
        }
    }

    #[test]
    fn a_card_carries_a_deposit_key_only_signed_by_one_of_its_devices() {
        let bruno = person("Bruno Durand");
        let (_, _, key) = brunos_space(&bruno);
        let card = ContactCard::issue_with_deposit(
            &bruno.identity,
            details("Bruno Durand"),
            OffsetDateTime::now_utc(),
            &bruno.card.devices,
            Some(&key),
        )
        .unwrap();
        let read = ContactCard::from_line(&card.to_line()).unwrap();
        assert_eq!(read.deposit.as_ref(), Some(&key));
        assert_eq!(read.bytes()[0], 2);
        // A card without one keeps the first format.
        assert_eq!(bruno.card.bytes()[0], 1);
        assert!(bruno.card.deposit.is_none());
        // Carol's deposit key in Bruno's card: her device is not his.
        let carol = person("Carol Martin");
        let (_, _, hers) = brunos_space(&carol);
        assert!(
            ContactCard::issue_with_deposit(
                &bruno.identity,
                details("Bruno Durand"),
                OffsetDateTime::now_utc(),
                &bruno.card.devices,
                Some(&hers),
            )
            .is_err()
        );
    }

    #[test]
    fn a_deposit_opens_with_the_spaces_secret_and_names_its_sender() {
        let (alice, bruno) = (person("Alice Lefèvre"), person("Bruno Durand"));
        let (_, secret, key) = brunos_space(&bruno);
        let envelope = Envelope::deposit(
            header(&alice, &key),
            &key,
            &alice.card,
            &content(),
            &alice.key,
        )
        .unwrap();
        assert!(!String::from_utf8_lossy(envelope.bytes()).contains("CANARY"));
        let decoded = Envelope::decode(envelope.bytes()).unwrap();
        assert!(decoded.is_deposit());
        // What the relay checks: the depositor's own key.
        decoded.verify_key(&alice.card.devices[0].signing).unwrap();
        let (card, opened) = decoded.open_deposit(&secret).unwrap();
        assert_eq!(opened, content());
        assert_eq!(card.identity, alice.card.identity);
        // Not an epoch-key envelope; not another epoch's secret.
        assert!(
            decoded
                .open(&alice.card.devices[0], &SecretKey::generate().unwrap())
                .is_err()
        );
        let later = DepositSecret::derive(key.space, 5, &SecretKey::generate().unwrap()).unwrap();
        assert!(decoded.open_deposit(&later).is_err());
    }

    #[test]
    fn every_flipped_byte_of_a_deposit_is_refused() {
        let (alice, bruno) = (person("Alice Lefèvre"), person("Bruno Durand"));
        let (_, secret, key) = brunos_space(&bruno);
        let envelope = Envelope::deposit(
            header(&alice, &key),
            &key,
            &alice.card,
            &content(),
            &alice.key,
        )
        .unwrap();
        for at in 0..envelope.len() {
            let mut bytes = envelope.bytes().to_vec();
            bytes[at] ^= 0x01;
            let refused = match Envelope::decode(&bytes) {
                Err(_) => true,
                Ok(e) => e.open_deposit(&secret).is_err(),
            };
            assert!(refused, "byte {at} flipped was accepted");
        }
    }

    #[test]
    fn a_depositor_cannot_deposit_in_another_persons_name() {
        // Carol puts Alice's card in her deposit and names Alice's device: the signature, by
        // Carol's device, does not match the card's certificate.
        let (alice, bruno, carol) = (
            person("Alice Lefèvre"),
            person("Bruno Durand"),
            person("Carol Martin"),
        );
        let (_, secret, key) = brunos_space(&bruno);
        let forged = Envelope::deposit(
            header(&alice, &key),
            &key,
            &alice.card,
            &content(),
            &carol.key,
        )
        .unwrap();
        assert!(matches!(
            forged.open_deposit(&secret),
            Err(ProtocolError::BadSignature { .. })
        ));
        // A header naming a device the card does not list is refused when sealing.
        assert!(
            Envelope::deposit(
                header(&carol, &key),
                &key,
                &alice.card,
                &content(),
                &carol.key
            )
            .is_err()
        );
        // A header naming another epoch than the key's.
        let mut stale = header(&alice, &key);
        stale.epoch = 3;
        assert!(Envelope::deposit(stale, &key, &alice.card, &content(), &alice.key).is_err());
    }
}
