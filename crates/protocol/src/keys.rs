use std::fmt;

use diplomatie_crypto::hex;
use serde::{Deserialize, Serialize};

/// A person's long-term identity key (Ed25519, public half). People are told apart by it,
/// never by their name.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IdentityKey(pub [u8; 32]);

impl IdentityKey {
    pub fn hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// Reads the 64 hex digits of [`IdentityKey::hex`].
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim())?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// The first 16 hex digits, to tell keys apart on screen (never to verify one: that is
    /// the safety number's work).
    pub fn short(&self) -> String {
        hex::encode(self.0.get(..8).unwrap_or(&self.0))
    }
}

impl fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityKey({})", self.short())
    }
}

impl fmt::Display for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}
