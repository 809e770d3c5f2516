//! A contact card: who a person is, their identity key and their devices, signed by the
//! identity key.
//!
//! ```text
//! 0x01                      format
//! postcard(Body)            identity key, name, organisation, role, email, issued, device
//!                           certificates (each as its own bytes)
//! 64 bytes                  Ed25519 signature by the identity key, context diplomatie/card/v1,
//!                           over the format byte and the body
//! ```
//!
//! Format 2 is the same with one more field at the end of the body: the deposit key of the
//! person's own space ([`DepositKey`], signed by one of the card's devices), with which anyone
//! holding the card can deposit an item into that space. A card without one is written as
//! format 1.
//!
//! As text, one line: [`CARD_PREFIX`] then the bytes in base 32 (RFC 4648, no padding), which
//! is case-insensitive, survives copying through any medium, and fits a QR code's alphanumeric
//! mode. A newer card of the same identity (a later `issued`) replaces an older one.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use diplomatie_crypto::{Context, SigningKey, verify_as};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::device::{decode_exact, split_signed};
use crate::{DepositKey, DeviceCertificate, IdentityKey, ProtocolError};

const FORMAT: u8 = 1;
/// A card that carries its person's deposit key.
const FORMAT_DEPOSIT: u8 = 2;
const WHAT: &str = "contact card";
/// The start of a card's line.
pub const CARD_PREFIX: &str = "DIPLOMATIE:";
/// The largest card read (a card with one device takes about 400 bytes).
pub const MAX_CARD_BYTES: usize = 8 * 1024;
/// The most devices a card lists.
pub const MAX_DEVICES: usize = 16;
/// The longest name, organisation, role or email, in characters.
const MAX_FIELD_CHARS: usize = 200;

/// Who the card says its person is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDetails {
    pub name: String,
    pub org: String,
    /// "Premier secrétaire", "Chef de poste"…; may be empty.
    pub role: String,
    pub email: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Body {
    identity: IdentityKey,
    details: CardDetails,
    /// Unix seconds.
    issued: i64,
    devices: Vec<Vec<u8>>,
}

/// Format 2's body: format 1's, then the deposit key.
#[derive(Serialize, Deserialize)]
struct BodyWithDeposit {
    identity: IdentityKey,
    details: CardDetails,
    issued: i64,
    devices: Vec<Vec<u8>>,
    deposit: Vec<u8>,
}

/// A checked contact card: its signature verified under the identity key it names, and each
/// device certificate verified and issued by that same identity.
#[derive(Clone, PartialEq, Eq)]
pub struct ContactCard {
    pub identity: IdentityKey,
    pub details: CardDetails,
    pub issued: OffsetDateTime,
    pub devices: Vec<DeviceCertificate>,
    /// The deposit key of the person's own space, checked against the card's device that
    /// signed it.
    pub deposit: Option<DepositKey>,
    bytes: Vec<u8>,
}

impl fmt::Debug for ContactCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactCard")
            .field("identity", &self.identity)
            .field("devices", &self.devices.len())
            .finish_non_exhaustive()
    }
}

/// The bytes of a card's line (`prefix` then base 32) as copied: spaces and line breaks
/// anywhere dropped, letters in either case, the length checked before decoding.
pub(crate) fn line_bytes(
    line: &str,
    prefix: &str,
    limit: usize,
    what: &'static str,
) -> Result<Vec<u8>, ProtocolError> {
    let compact: String = line
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let encoded = compact
        .strip_prefix(prefix)
        .ok_or(ProtocolError::NotACard)?;
    // Base 32 takes 8 characters for 5 bytes.
    if encoded.len() > limit.saturating_mul(8) / 5 + 8 {
        return Err(ProtocolError::TooLarge { what, limit });
    }
    BASE32_NOPAD
        .decode(encoded.as_bytes())
        .map_err(|_| ProtocolError::Malformed { what })
}

fn check_field(name: &'static str, value: &str, required: bool) -> Result<(), ProtocolError> {
    let invalid = |why: String| Err(ProtocolError::Invalid { what: WHAT, why });
    if required && value.trim().is_empty() {
        return invalid(format!("its {name} is empty"));
    }
    if value.chars().count() > MAX_FIELD_CHARS {
        return invalid(format!(
            "its {name} is longer than {MAX_FIELD_CHARS} characters"
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() || is_direction_control(c))
    {
        return invalid(format!(
            "its {name} holds control or text-direction characters"
        ));
    }
    Ok(())
}

/// The marks and embeddings that reorder text on screen (a name that shows as another).
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn check_details(d: &CardDetails) -> Result<(), ProtocolError> {
    check_field("name", &d.name, true)?;
    check_field("organisation", &d.org, true)?;
    check_field("role", &d.role, false)?;
    if let Some(email) = &d.email {
        check_field("email", email, true)?;
    }
    Ok(())
}

impl ContactCard {
    /// The card of the person whose identity key is `identity`, listing `devices` (each
    /// certified by that key).
    pub fn issue(
        identity: &SigningKey,
        details: CardDetails,
        issued: OffsetDateTime,
        devices: &[DeviceCertificate],
    ) -> Result<Self, ProtocolError> {
        Self::issue_with_deposit(identity, details, issued, devices, None)
    }

    /// The card of [`ContactCard::issue`], carrying `deposit`, the deposit key of the person's
    /// own space (signed by one of `devices`).
    pub fn issue_with_deposit(
        identity: &SigningKey,
        details: CardDetails,
        issued: OffsetDateTime,
        devices: &[DeviceCertificate],
        deposit: Option<&DepositKey>,
    ) -> Result<Self, ProtocolError> {
        let identity_key = IdentityKey(identity.public_key());
        let devices: Vec<Vec<u8>> = devices.iter().map(|d| d.bytes().to_vec()).collect();
        let malformed = |_| ProtocolError::Malformed { what: WHAT };
        let mut bytes = match deposit {
            None => postcard::to_extend(
                &Body {
                    identity: identity_key,
                    details,
                    issued: issued.unix_timestamp(),
                    devices,
                },
                vec![FORMAT],
            )
            .map_err(malformed)?,
            Some(deposit) => postcard::to_extend(
                &BodyWithDeposit {
                    identity: identity_key,
                    details,
                    issued: issued.unix_timestamp(),
                    devices,
                    deposit: deposit.bytes().to_vec(),
                },
                vec![FORMAT_DEPOSIT],
            )
            .map_err(malformed)?,
        };
        let signature = identity.sign_as(Context::ContactCard, &bytes);
        bytes.extend_from_slice(&signature);
        Self::decode(&bytes)
    }

    /// Reads and checks a card's bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        if bytes.len() > MAX_CARD_BYTES {
            return Err(ProtocolError::TooLarge {
                what: WHAT,
                limit: MAX_CARD_BYTES,
            });
        }
        let format = match bytes.first() {
            Some(&FORMAT_DEPOSIT) => FORMAT_DEPOSIT,
            _ => FORMAT,
        };
        let (signed, signature) = split_signed(WHAT, format, bytes)?;
        let encoded = signed.get(1..).unwrap_or_default();
        let (body, deposit) = if format == FORMAT_DEPOSIT {
            let b: BodyWithDeposit = decode_exact(WHAT, encoded)?;
            let body = Body {
                identity: b.identity,
                details: b.details,
                issued: b.issued,
                devices: b.devices,
            };
            (body, Some(DepositKey::decode(&b.deposit)?))
        } else {
            (decode_exact::<Body>(WHAT, encoded)?, None)
        };
        verify_as(Context::ContactCard, &body.identity.0, signed, signature)
            .map_err(|_| ProtocolError::BadSignature { what: WHAT })?;
        check_details(&body.details)?;
        if body.devices.is_empty() || body.devices.len() > MAX_DEVICES {
            return Err(ProtocolError::Invalid {
                what: WHAT,
                why: format!(
                    "it lists {} devices (1 to {MAX_DEVICES})",
                    body.devices.len()
                ),
            });
        }
        let mut devices: Vec<DeviceCertificate> = Vec::with_capacity(body.devices.len());
        for raw in &body.devices {
            let device = DeviceCertificate::decode(raw)?;
            if device.identity != body.identity {
                return Err(ProtocolError::Invalid {
                    what: WHAT,
                    why: "it lists a device certified by another identity".into(),
                });
            }
            if devices.iter().any(|d| d.device == device.device) {
                return Err(ProtocolError::Invalid {
                    what: WHAT,
                    why: "it lists a device twice".into(),
                });
            }
            devices.push(device);
        }
        if let Some(deposit) = &deposit {
            let signer = devices
                .iter()
                .find(|d| d.device == deposit.signer)
                .ok_or_else(|| ProtocolError::Invalid {
                    what: WHAT,
                    why: "its deposit key is signed by a device it does not list".into(),
                })?;
            deposit.verify(signer)?;
        }
        let issued = OffsetDateTime::from_unix_timestamp(body.issued).map_err(|_| {
            ProtocolError::Invalid {
                what: WHAT,
                why: "its date is out of range".into(),
            }
        })?;
        Ok(Self {
            identity: body.identity,
            details: body.details,
            issued,
            devices,
            deposit,
            bytes: bytes.to_vec(),
        })
    }

    /// The card as sent.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The card as one line of text: `DIPLOMATIE:` and base 32.
    pub fn to_line(&self) -> String {
        format!("{CARD_PREFIX}{}", BASE32_NOPAD.encode(&self.bytes))
    }

    /// Reads a card's line as copied: spaces and line breaks anywhere are dropped (a line
    /// wrapped by a mail client still reads), letters in either case.
    pub fn from_line(line: &str) -> Result<Self, ProtocolError> {
        Self::decode(&line_bytes(line, CARD_PREFIX, MAX_CARD_BYTES, WHAT)?)
    }

    /// The certificate of device `id`, if the card lists it.
    pub fn device(&self, id: crate::DeviceId) -> Option<&DeviceCertificate> {
        self.devices.iter().find(|d| d.device == id)
    }
}

#[cfg(test)]
#[path = "card_tests.rs"]
mod tests;
