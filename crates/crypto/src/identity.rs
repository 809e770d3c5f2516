//! A device's identity: an Ed25519 signing key (ring) and an X25519 key-agreement key
//! (x25519-dalek), for signing released items and receiving wrapped keys.

use std::fmt;

use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{CryptoError, random_bytes};

/// An Ed25519 signing key, kept as its PKCS#8 document (zeroized on drop).
pub struct SigningKey {
    pkcs8: Zeroizing<Vec<u8>>,
    pair: Ed25519KeyPair,
}

impl SigningKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let rng = ring::rand::SystemRandom::new();
        let doc = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| CryptoError::Random)?;
        Self::from_pkcs8(doc.as_ref())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, CryptoError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|_| CryptoError::InvalidKey("Ed25519 PKCS#8 document"))?;
        Ok(Self {
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
            pair,
        })
    }

    /// The secret document, for storing it encrypted.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    pub fn public_key(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.pair.public_key().as_ref());
        out
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.pair.sign(message).as_ref());
        out
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &hex(&self.public_key()))
            .finish_non_exhaustive()
    }
}

/// Checks an Ed25519 signature.
pub fn verify_signature(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(message, signature)
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
