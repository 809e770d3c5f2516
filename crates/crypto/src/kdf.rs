//! Passphrase-based key derivation (PBKDF2-HMAC-SHA256, ring) and HKDF for sub-keys.

use std::num::NonZeroU32;

use ring::{hkdf, pbkdf2};
use serde::{Deserialize, Serialize};

use crate::{CryptoError, SecretKey, random_bytes};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KdfAlgorithm {
    #[serde(rename = "pbkdf2-hmac-sha256")]
    Pbkdf2HmacSha256,
}

/// The parameters of a passphrase derivation, stored beside the data they protect so that
/// they can be raised later without losing anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub algorithm: KdfAlgorithm,
    pub iterations: u32,
    /// 16 random bytes, lowercase hex.
    pub salt: String,
}

impl KdfParams {
    /// The iteration count for new profiles: OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
    pub const DEFAULT_ITERATIONS: u32 = 600_000;
    /// Below this, a stored parameter set is refused as tampered or obsolete.
    pub const MIN_ITERATIONS: u32 = 1_000;

    /// Fresh parameters with a random salt.
    pub fn generate(iterations: u32) -> Result<Self, CryptoError> {
        let salt: [u8; 16] = random_bytes()?;
        Ok(Self {
            algorithm: KdfAlgorithm::Pbkdf2HmacSha256,
            iterations,
            salt: crate::hex::encode(&salt),
        })
    }

    fn salt_bytes(&self) -> Result<Vec<u8>, CryptoError> {
        let salt = crate::hex::decode(&self.salt)
            .ok_or_else(|| CryptoError::UnsupportedKdf("salt is not hex".into()))?;
        if salt.len() < 16 {
            return Err(CryptoError::UnsupportedKdf(
                "salt must be at least 16 bytes".into(),
            ));
        }
        Ok(salt)
    }
}

/// Derives a 256-bit key from a passphrase. Deliberately slow: that is its job.
pub fn derive_key(passphrase: &[u8], params: &KdfParams) -> Result<SecretKey, CryptoError> {
    let iterations = NonZeroU32::new(params.iterations)
        .filter(|n| n.get() >= KdfParams::MIN_ITERATIONS)
        .ok_or_else(|| {
            CryptoError::UnsupportedKdf(format!(
                "{} iterations is below the minimum of {}",
                params.iterations,
                KdfParams::MIN_ITERATIONS
            ))
        })?;
    let salt = params.salt_bytes()?;
    let mut out = [0u8; 32];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        &salt,
        passphrase,
        &mut out,
    );
    let key = SecretKey::from_bytes(out);
    zeroize::Zeroize::zeroize(&mut out);
    Ok(key)
}

struct Len32;

impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

/// A sub-key for one purpose (`info`), derived from a key with HKDF-SHA256.
pub fn hkdf_sha256(key: &SecretKey, info: &[u8]) -> Result<SecretKey, CryptoError> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"diplomatie-hkdf-v1").extract(key.expose());
    let infos = [info];
    let okm = prk
        .expand(&infos, Len32)
        .map_err(|_| CryptoError::InvalidKey("HKDF output length"))?;
    let mut out = [0u8; 32];
    okm.fill(&mut out)
        .map_err(|_| CryptoError::InvalidKey("HKDF output length"))?;
    let key = SecretKey::from_bytes(out);
    zeroize::Zeroize::zeroize(&mut out);
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_is_deterministic_per_salt_and_passphrase() {
        let p = KdfParams::generate(2_000).unwrap();
        let a = derive_key(b"correct horse", &p).unwrap();
        assert_eq!(a, derive_key(b"correct horse", &p).unwrap());
        assert_ne!(a, derive_key(b"correct horsf", &p).unwrap());
        let q = KdfParams::generate(2_000).unwrap();
        assert_ne!(a, derive_key(b"correct horse", &q).unwrap());
    }

    #[test]
    fn weak_or_malformed_parameters_are_refused() {
        let mut p = KdfParams::generate(2_000).unwrap();
        p.iterations = 10;
        assert!(matches!(
            derive_key(b"x", &p),
            Err(CryptoError::UnsupportedKdf(_))
        ));
        let mut q = KdfParams::generate(2_000).unwrap();
        q.salt = "zz".into();
        assert!(matches!(
            derive_key(b"x", &q),
            Err(CryptoError::UnsupportedKdf(_))
        ));
    }

    #[test]
    fn hkdf_separates_purposes() {
        let k = SecretKey::generate().unwrap();
        assert_ne!(
            hkdf_sha256(&k, b"a").unwrap(),
            hkdf_sha256(&k, b"b").unwrap()
        );
        assert_eq!(
            hkdf_sha256(&k, b"a").unwrap(),
            hkdf_sha256(&k, b"a").unwrap()
        );
    }
}
