//! A device certificate: a person's identity key vouches for one device's keys.
//!
//! ```text
//! 0x01                      format
//! postcard(Body)            identity key, device id, signing key, agreement key, created, expires
//! 64 bytes                  Ed25519 signature by the identity key, context diplomatie/device/v1,
//!                           over the format byte and the body
//! ```

use std::fmt;

use diplomatie_crypto::{Context, SigningKey, hex, verify_as};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{IdentityKey, ProtocolError};

const FORMAT: u8 = 1;
const WHAT: &str = "device certificate";
/// Far more than a certificate takes (about 190 bytes).
const MAX_BYTES: usize = 1024;

/// A device's identifier: 16 random bytes chosen when the device's keys are made.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DeviceId(pub [u8; 16]);

impl DeviceId {
    pub fn hex(&self) -> String {
        hex::encode(&self.0)
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim())?;
        Some(Self(bytes.try_into().ok()?))
    }
}

impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceId({})", self.hex())
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

#[derive(Serialize, Deserialize)]
struct Body {
    identity: IdentityKey,
    device: DeviceId,
    signing: [u8; 32],
    agreement: [u8; 32],
    /// Unix seconds.
    created: i64,
    expires: Option<i64>,
}

/// A checked device certificate: its signature verified under the identity key it names.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceCertificate {
    pub identity: IdentityKey,
    pub device: DeviceId,
    /// The device's Ed25519 signing key.
    pub signing: [u8; 32],
    /// The device's X25519 key-agreement key.
    pub agreement: [u8; 32],
    pub created: OffsetDateTime,
    pub expires: Option<OffsetDateTime>,
    bytes: Vec<u8>,
}

impl fmt::Debug for DeviceCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCertificate")
            .field("identity", &self.identity)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

fn from_unix(what: &'static str, seconds: i64) -> Result<OffsetDateTime, ProtocolError> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| ProtocolError::Invalid {
        what,
        why: "a date is out of range".into(),
    })
}

impl DeviceCertificate {
    /// The identity key `identity` certifies the device `device` with its two public keys.
    pub fn issue(
        identity: &SigningKey,
        device: DeviceId,
        signing: [u8; 32],
        agreement: [u8; 32],
        created: OffsetDateTime,
        expires: Option<OffsetDateTime>,
    ) -> Result<Self, ProtocolError> {
        let body = Body {
            identity: IdentityKey(identity.public_key()),
            device,
            signing,
            agreement,
            created: unix(created),
            expires: expires.map(unix),
        };
        let mut bytes = vec![FORMAT];
        bytes.extend(
            postcard::to_allocvec(&body).map_err(|_| ProtocolError::Malformed { what: WHAT })?,
        );
        let signature = identity.sign_as(Context::DeviceCertificate, &bytes);
        bytes.extend_from_slice(&signature);
        Self::decode(&bytes)
    }

    /// Reads and checks a certificate: its format, its body, and its signature under the
    /// identity key it names. Who that identity is, is the caller's question.
    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        if bytes.len() > MAX_BYTES {
            return Err(ProtocolError::TooLarge {
                what: WHAT,
                limit: MAX_BYTES,
            });
        }
        let (signed, signature) = split_signed(WHAT, FORMAT, bytes)?;
        let body_bytes = signed.get(1..).unwrap_or_default();
        let body: Body = decode_exact(WHAT, body_bytes)?;
        verify_as(
            Context::DeviceCertificate,
            &body.identity.0,
            signed,
            signature,
        )
        .map_err(|_| ProtocolError::BadSignature { what: WHAT })?;
        let created = from_unix(WHAT, body.created)?;
        let expires = body.expires.map(|e| from_unix(WHAT, e)).transpose()?;
        if expires.is_some_and(|e| e <= created) {
            return Err(ProtocolError::Invalid {
                what: WHAT,
                why: "it expires before it was made".into(),
            });
        }
        Ok(Self {
            identity: body.identity,
            device: body.device,
            signing: body.signing,
            agreement: body.agreement,
            created,
            expires,
            bytes: bytes.to_vec(),
        })
    }

    /// The certificate as sent.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether the certificate holds at `at` (it has not expired; a certificate dated in the
    /// future is taken as valid, since clocks of offline machines drift).
    pub fn valid_at(&self, at: OffsetDateTime) -> bool {
        self.expires.is_none_or(|e| at < e)
    }

    /// Checks a statement of kind `context` signed by this device.
    pub fn verify(
        &self,
        context: Context,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), ProtocolError> {
        verify_as(context, &self.signing, message, signature)
            .map_err(|_| ProtocolError::BadSignature { what: "statement" })
    }
}

/// Splits `FORMAT || body || signature` into the signed part and the signature, checking the
/// format byte.
pub(crate) fn split_signed<'a>(
    what: &'static str,
    format: u8,
    bytes: &'a [u8],
) -> Result<(&'a [u8], &'a [u8]), ProtocolError> {
    let Some(&first) = bytes.first() else {
        return Err(ProtocolError::Malformed { what });
    };
    // Formats count from 1: a later one is a newer version's; anything else is not ours.
    if first == 0 || first < format {
        return Err(ProtocolError::Malformed { what });
    }
    if first != format {
        return Err(ProtocolError::UnknownFormat {
            what,
            format: first,
        });
    }
    let split = bytes
        .len()
        .checked_sub(64)
        .filter(|&at| at > 1)
        .ok_or(ProtocolError::Malformed { what })?;
    Ok(bytes.split_at(split))
}

/// Decodes a postcard body that must take every byte given.
pub(crate) fn decode_exact<'a, T: Deserialize<'a>>(
    what: &'static str,
    bytes: &'a [u8],
) -> Result<T, ProtocolError> {
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Ok(value),
        _ => Err(ProtocolError::Malformed { what }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn cert(identity: &SigningKey) -> DeviceCertificate {
        DeviceCertificate::issue(
            identity,
            DeviceId([7; 16]),
            SigningKey::generate().unwrap().public_key(),
            [9; 32],
            OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
            None,
        )
        .unwrap()
    }

    #[test]
    fn a_certificate_round_trips_and_any_altered_byte_is_refused() {
        let identity = SigningKey::generate().unwrap();
        let c = cert(&identity);
        assert_eq!(DeviceCertificate::decode(c.bytes()).unwrap(), c);
        assert_eq!(c.identity, IdentityKey(identity.public_key()));
        for i in 0..c.bytes().len() {
            let mut bytes = c.bytes().to_vec();
            bytes[i] ^= 0x01;
            assert!(DeviceCertificate::decode(&bytes).is_err(), "byte {i}");
        }
        for cut in 0..c.bytes().len() {
            assert!(DeviceCertificate::decode(&c.bytes()[..cut]).is_err());
        }
        let mut longer = c.bytes().to_vec();
        longer.push(0);
        assert!(DeviceCertificate::decode(&longer).is_err());
    }

    /// A certificate signed by another identity key than the one it names is refused: a
    /// forger cannot certify a device in someone else's name.
    #[test]
    fn a_certificate_naming_another_identity_is_refused() {
        let alice = SigningKey::generate().unwrap();
        let mallory = SigningKey::generate().unwrap();
        let body = Body {
            identity: IdentityKey(alice.public_key()),
            device: DeviceId([1; 16]),
            signing: mallory.public_key(),
            agreement: [2; 32],
            created: 1_800_000_000,
            expires: None,
        };
        let mut bytes = vec![FORMAT];
        bytes.extend(postcard::to_allocvec(&body).unwrap());
        let signature = mallory.sign_as(Context::DeviceCertificate, &bytes);
        bytes.extend_from_slice(&signature);
        assert_eq!(
            DeviceCertificate::decode(&bytes),
            Err(ProtocolError::BadSignature { what: WHAT })
        );
        // Nor with a signature made under another context by the right key.
        let mut bytes = bytes[..bytes.len() - 64].to_vec();
        let signature = alice.sign_as(Context::ContactCard, &bytes);
        bytes.extend_from_slice(&signature);
        assert!(DeviceCertificate::decode(&bytes).is_err());
    }

    #[test]
    fn an_unknown_format_is_named() {
        let identity = SigningKey::generate().unwrap();
        let mut bytes = cert(&identity).bytes().to_vec();
        bytes[0] = 2;
        assert_eq!(
            DeviceCertificate::decode(&bytes),
            Err(ProtocolError::UnknownFormat {
                what: WHAT,
                format: 2
            })
        );
    }

    #[test]
    fn expiry_is_honoured() {
        let identity = SigningKey::generate().unwrap();
        let created = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let expires = created + time::Duration::days(365);
        let c = DeviceCertificate::issue(
            &identity,
            DeviceId([3; 16]),
            [4; 32],
            [5; 32],
            created,
            Some(expires),
        )
        .unwrap();
        assert!(c.valid_at(created));
        assert!(!c.valid_at(expires));
        assert!(
            DeviceCertificate::issue(
                &identity,
                DeviceId([3; 16]),
                [4; 32],
                [5; 32],
                expires,
                Some(created)
            )
            .is_err()
        );
    }
}
