//! Keys, key derivation, key wrapping (AEAD) and signatures. Secrets are zeroized on drop and
//! never printed.

mod aead;
mod error;
pub mod hex;
mod identity;
mod kdf;
mod key;
mod process;

pub use aead::{open, open_plain, seal, seal_appending};
pub use error::CryptoError;
pub use identity::{
    AgreementKey, Context, PublicIdentity, SigningKey, verify_as, verify_signature,
};
pub use kdf::{KdfCost, KdfParams, derive_key, hkdf_sha256};
pub use key::{SecretKey, random_bytes};
pub use process::{core_dumps_possible, disable_core_dumps};
