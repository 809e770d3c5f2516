//! The wire types Diplomatie's programs exchange, each versioned from its first byte and
//! signed under its own context ([`diplomatie_crypto::Context`]):
//!
//! - a [`DeviceCertificate`]: a person's identity key vouches for one of their devices (its
//!   signing key and its key-agreement key);
//! - a [`ContactCard`]: who a person is (name, organisation, role), their identity key and
//!   their devices' certificates, signed by the identity key; printed as one copyable line
//!   (`DIPLOMATIE:` then base 32, which a QR code carries in its compact alphanumeric mode);
//! - a [`SafetyNumber`]: 60 digits computed from two identity keys, the same on both sides,
//!   which two people compare to verify each other;
//! - an [`Envelope`]: content for a space, sealed under the space's epoch key and signed by its
//!   sender's device (the header, which the relay reads, names no person and no subject), or
//!   deposited by anyone into a space with its [`DepositKey`];
//! - a [`UnitCard`]: how to deliver to a unit, its space's deposit key vouched for by a member;
//! - the relay's HTTP API (`relay`).
//!
//! Everything is checked when decoded: a value of these types has a valid signature. The
//! encodings are postcard (a stable, documented, compact serde format) behind a format byte;
//! a signature covers the bytes as sent, never a re-encoding.

mod card;
mod deposit;
mod device;
mod envelope;
mod error;
mod keys;
pub mod link;
pub mod relay;
mod safety;
mod unit;

pub use card::{CARD_PREFIX, CardDetails, ContactCard, MAX_CARD_BYTES, MAX_DEVICES};
pub use deposit::{DepositKey, DepositSecret, MAX_DEPOSIT_KEY_BYTES};
pub use device::{DeviceCertificate, DeviceId};
pub use envelope::{
    Content, ContentKind, Envelope, EnvelopeHeader, EnvelopeId, MAX_ENVELOPE_BYTES, SpaceId,
};
pub use error::ProtocolError;
pub use keys::IdentityKey;
pub use safety::SafetyNumber;
pub use unit::{MAX_UNIT_CARD_BYTES, UNIT_CARD_PREFIX, UnitCard};
