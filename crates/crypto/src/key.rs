use std::fmt;

use ring::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::CryptoError;

/// A 256-bit symmetric key, zeroized on drop, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    pub const LEN: usize = 32;

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidKey("a key is 32 bytes"))?;
        Ok(Self(arr))
    }

    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| CryptoError::Random)?;
        Ok(Self(bytes))
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex, for handing the key to SQLCipher as a raw key. The result is zeroized
    /// on drop.
    pub fn to_hex(&self) -> zeroize::Zeroizing<String> {
        let mut s = zeroize::Zeroizing::new(String::with_capacity(64));
        crate::hex::push(&mut s, &self.0);
        s
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// `n` random bytes from the operating system's generator.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut bytes = [0u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| CryptoError::Random)?;
    Ok(bytes)
}
