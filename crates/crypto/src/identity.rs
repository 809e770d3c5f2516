//! A device's identity: an Ed25519 signing key (ed25519-dalek) and an X25519 key-agreement
//! key (x25519-dalek), for signing released items and receiving wrapped keys.
//!
//! Both come from the same curve25519 stack and wipe their secret when dropped (ring's
//! Ed25519 key pair did not). The stored form of a signing key is its PKCS#8 document, as
//! ring wrote it before: keys stored then load unchanged, and since Ed25519 is deterministic
//! the signatures are byte for byte the same (tested against ring).

use std::fmt;

use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{Signer, VerifyingKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{CryptoError, random_bytes};

/// An Ed25519 signing key, wiped on drop, with its PKCS#8 document (zeroized on drop too).
pub struct SigningKey {
    pkcs8: Zeroizing<Vec<u8>>,
    key: ed25519_dalek::SigningKey,
}

impl SigningKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let seed = Zeroizing::new(random_bytes::<32>()?);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let doc = key
            .to_pkcs8_der()
            .map_err(|_| CryptoError::InvalidKey("Ed25519 PKCS#8 encoding"))?;
        Ok(Self {
            pkcs8: Zeroizing::new(doc.as_bytes().to_vec()),
            key,
        })
    }

    /// Reads a PKCS#8 document (v1, or v2 with the public key, which must match).
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, CryptoError> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_der(pkcs8)
            .map_err(|_| CryptoError::InvalidKey("Ed25519 PKCS#8 document"))?;
        Ok(Self {
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
            key,
        })
    }

    /// The secret document, for storing it encrypted.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// Signs `message` as a statement of kind `context` (see [`Context`]).
    pub fn sign_as(&self, context: Context, message: &[u8]) -> [u8; 64] {
        self.key.sign(&context.frame(message)).to_bytes()
    }
}

/// The kind of statement a signature makes. Every signature others rely on is made over the
/// context's label, a zero byte, then the statement: a signature made for one kind can never
/// be taken for another (a clearance replayed as a release, a device certificate as a card).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// An identity key certifies one of its person's devices.
    DeviceCertificate,
    /// An identity key signs its person's contact card.
    ContactCard,
    /// A device signs a step of a draft's clearance log.
    Clearance,
    /// A device signs a released record.
    Release,
    /// A device signs the record that gives a release its final number.
    Renumber,
    /// A device signs the copy of a draft it writes to an exchange folder.
    ExchangeCopy,
    /// A device signs an acknowledgement of an item for action.
    Acknowledgement,
    /// A device signs an envelope it sends to a space (its header and sealed content).
    Envelope,
    /// A device answers the relay's challenge to open a session.
    RelayAuth,
    /// A member's device signs its space's deposit key for an epoch.
    DepositKey,
    /// An identity key vouches for a unit's card (its name and its space's deposit key).
    UnitCard,
}

impl Context {
    pub const ALL: [Context; 11] = [
        Context::DeviceCertificate,
        Context::ContactCard,
        Context::Clearance,
        Context::Release,
        Context::Renumber,
        Context::ExchangeCopy,
        Context::Acknowledgement,
        Context::Envelope,
        Context::RelayAuth,
        Context::DepositKey,
        Context::UnitCard,
    ];

    /// The label signed before the statement (no label is a prefix of another, none holds a
    /// zero byte).
    pub fn label(self) -> &'static str {
        match self {
            Context::DeviceCertificate => "diplomatie/device/v1",
            Context::ContactCard => "diplomatie/card/v1",
            Context::Clearance => "diplomatie/clearance/v1",
            Context::Release => "diplomatie/release/v1",
            Context::Renumber => "diplomatie/renumber/v1",
            Context::ExchangeCopy => "diplomatie/exchange-copy/v1",
            Context::Acknowledgement => "diplomatie/acknowledgement/v1",
            Context::Envelope => "diplomatie/envelope/v1",
            Context::RelayAuth => "diplomatie/relay-auth/v1",
            Context::DepositKey => "diplomatie/deposit-key/v1",
            Context::UnitCard => "diplomatie/unit-card/v1",
        }
    }

    fn frame(self, message: &[u8]) -> Vec<u8> {
        let label = self.label().as_bytes();
        let mut framed = Vec::with_capacity(label.len() + 1 + message.len());
        framed.extend_from_slice(label);
        framed.push(0);
        framed.extend_from_slice(message);
        framed
    }
}

/// Checks a signature made with [`SigningKey::sign_as`] for a statement of kind `context`.
pub fn verify_as(
    context: Context,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    verify_signature(public_key, &context.frame(message), signature)
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &hex(&self.public_key()))
            .finish_non_exhaustive()
    }
}

/// Checks an Ed25519 signature (strictly: non-canonical encodings and weak public keys are
/// refused).
pub fn verify_signature(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let public: &[u8; 32] = public_key
        .try_into()
        .map_err(|_| CryptoError::BadSignature)?;
    let signature =
        ed25519_dalek::Signature::from_slice(signature).map_err(|_| CryptoError::BadSignature)?;
    VerifyingKey::from_bytes(public)
        .and_then(|key| key.verify_strict(message, &signature))
        .map_err(|_| CryptoError::BadSignature)
}

/// An X25519 static secret for receiving keys wrapped to this device.
pub struct AgreementKey(x25519_dalek::StaticSecret);

impl AgreementKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let bytes: [u8; 32] = random_bytes()?;
        Ok(Self(x25519_dalek::StaticSecret::from(bytes)))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(x25519_dalek::StaticSecret::from(bytes))
    }

    /// The secret bytes, for storing them encrypted.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    pub fn public_key(&self) -> [u8; 32] {
        x25519_dalek::PublicKey::from(&self.0).to_bytes()
    }
}

impl fmt::Debug for AgreementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgreementKey")
            .field("public", &hex(&self.public_key()))
            .finish_non_exhaustive()
    }
}

/// The public half of a device identity, safe to show and to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicIdentity {
    /// Ed25519, hex.
    pub signing: String,
    /// X25519, hex.
    pub agreement: String,
}

impl PublicIdentity {
    pub fn of(signing: &SigningKey, agreement: &AgreementKey) -> Self {
        Self {
            signing: hex(&signing.public_key()),
            agreement: hex(&agreement.public_key()),
        }
    }

    /// A short fingerprint for people to compare: the first 16 hex digits of the signing key.
    pub fn fingerprint(&self) -> &str {
        self.signing.get(..16).unwrap_or(&self.signing)
    }
}

use crate::hex::encode as hex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_detect_tampering() {
        let key = SigningKey::generate().unwrap();
        let sig = key.sign(b"released text");
        verify_signature(&key.public_key(), b"released text", &sig).unwrap();
        assert_eq!(
            verify_signature(&key.public_key(), b"released texT", &sig),
            Err(CryptoError::BadSignature)
        );
        let again = SigningKey::from_pkcs8(key.pkcs8()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        assert_eq!(again.sign(b"released text"), sig);
        assert_eq!(
            verify_signature(&key.public_key()[..31], b"released text", &sig),
            Err(CryptoError::BadSignature)
        );
        assert_eq!(
            verify_signature(&key.public_key(), b"released text", &sig[..63]),
            Err(CryptoError::BadSignature)
        );
        assert!(SigningKey::from_pkcs8(b"not a key").is_err());
        assert!(!format!("{key:?}").contains(&hex(&key.pkcs8()[16..48])));
    }

    /// Keys and signatures made before with ring: a key ring generated loads, signs the same
    /// bytes as ring, and verifies ring's signatures; a key made here loads in ring and
    /// signs the same.
    #[test]
    fn keys_and_signatures_of_ring_carry_over() {
        use ring::signature::{Ed25519KeyPair, KeyPair};
        let rng = ring::rand::SystemRandom::new();
        for _ in 0..8 {
            let doc = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
            let ring_key = Ed25519KeyPair::from_pkcs8(doc.as_ref()).unwrap();
            let key = SigningKey::from_pkcs8(doc.as_ref()).unwrap();
            assert_eq!(key.public_key().as_slice(), ring_key.public_key().as_ref());
            let message = b"DIPLOMATIE-RELEASE/1 record";
            let ring_sig = ring_key.sign(message);
            assert_eq!(key.sign(message).as_slice(), ring_sig.as_ref());
            verify_signature(&key.public_key(), message, ring_sig.as_ref()).unwrap();

            let ours = SigningKey::generate().unwrap();
            let in_ring = Ed25519KeyPair::from_pkcs8(ours.pkcs8()).unwrap();
            assert_eq!(
                in_ring.sign(message).as_ref(),
                ours.sign(message).as_slice()
            );
        }
    }

    /// RFC 8032, section 7.1, test 2: the secret key, public key and signature of a one-byte
    /// message, as a PKCS#8 v1 document.
    #[test]
    fn rfc8032_test_vector() {
        let seed =
            crate::hex::decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
                .unwrap();
        let mut doc = crate::hex::decode("302e020100300506032b657004220420").unwrap();
        doc.extend_from_slice(&seed);
        let key = SigningKey::from_pkcs8(&doc).unwrap();
        assert_eq!(
            hex(&key.public_key()),
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
        );
        assert_eq!(
            hex(&key.sign(&[0x72])),
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
             085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        );
    }

    #[test]
    fn a_signature_holds_only_for_its_context() {
        let key = SigningKey::generate().unwrap();
        let message = b"draft 42 cleared at heads abc";
        for signed_as in Context::ALL {
            let sig = key.sign_as(signed_as, message);
            for checked_as in Context::ALL {
                let result = verify_as(checked_as, &key.public_key(), message, &sig);
                assert_eq!(
                    result.is_ok(),
                    signed_as == checked_as,
                    "{signed_as:?} as {checked_as:?}"
                );
            }
            // Nor as a bare signature of the same bytes.
            assert!(verify_signature(&key.public_key(), message, &sig).is_err());
        }
        let labels: Vec<&str> = Context::ALL.iter().map(|c| c.label()).collect();
        for a in &labels {
            assert!(!a.contains('\0'));
            for b in &labels {
                assert!(a == b || !b.starts_with(a), "{a} is a prefix of {b}");
            }
        }
    }

    #[test]
    fn agreement_keys_round_trip_and_never_print_secrets() {
        let a = AgreementKey::generate().unwrap();
        let b = AgreementKey::from_bytes(*a.secret_bytes());
        assert_eq!(a.public_key(), b.public_key());
        let shown = format!("{a:?}");
        assert!(!shown.contains(&hex(&*a.secret_bytes())));
    }
}
