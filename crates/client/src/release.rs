//! A released telegram or note: frozen as an immutable record, signed with the approver's
//! Ed25519 key. Anyone holding the record can verify it; a record altered anywhere fails.
//!
//! Wire format, versioned from the first byte:
//!
//! ```text
//! DIPLOMATIE-RELEASE/2\n
//! <Ed25519 signature, 128 hex digits>\n
//! <the record: JSON bytes, exactly as signed>
//! ```
//!
//! The signature covers the record's bytes as stored, not a re-serialisation, so no change to
//! them can go unnoticed (a renamed optional key, a re-encoded character), under the context
//! `diplomatie/release/v1` (`diplomatie/renumber/v1` for a record that gives a final number),
//! so that no other statement's signature passes for a release. Format 2 records carry the
//! certificate of the device that signed and so the approver's identity key: `verify` checks
//! the certificate under that identity key, the signature under the device key, and says which
//! identity signed; whether that identity is the circuit's approver, and whether the reader
//! knows and has verified it, is for the caller to check (the draft's log replay, the reader's
//! seal). Format 1 records (signed before identities, with a bare device key) still verify,
//! with no identity: they prove integrity, not authorship.

use diplomatie_crypto::{Context, SigningKey, hex, verify_as, verify_signature};
use diplomatie_domain::Item;
use diplomatie_protocol::{DeviceCertificate, IdentityKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

const MAGIC: &str = "DIPLOMATIE-RELEASE/";
const FORMAT: u32 = 2;
/// Records signed before identities existed: a bare device key, no context.
const LEGACY_FORMAT: u32 = 1;

/// A number given at release: final, or provisional when the device had none left offline
/// (replaced by a final number at the next sync, in a new record that supersedes this one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReleaseNumber {
    Final {
        label: String,
    },
    Provisional {
        label: String,
    },
    /// Formal emails are not numbered.
    Unnumbered,
}

impl ReleaseNumber {
    pub fn label(&self) -> &str {
        match self {
            ReleaseNumber::Final { label } | ReleaseNumber::Provisional { label } => label,
            ReleaseNumber::Unnumbered => "",
        }
    }
}

/// One clearance given, as it stood at release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearedBy {
    pub clearer: String,
    /// The draft's content version they cleared.
    pub version: u64,
}

/// What is frozen at release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseRecord {
    /// The final text, with its number.
    pub item: Item,
    pub number: ReleaseNumber,
    /// The draft it came from, and the automerge heads of the version released.
    pub draft_id: String,
    pub heads: Vec<String>,
    pub drafter: String,
    pub clearances: Vec<ClearedBy>,
    pub approver: String,
    /// The signing device's Ed25519 public key, hex.
    pub approver_key: String,
    /// The approver's identity key, hex (format 2).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub approver_identity: String,
    /// The certificate of the device that signed, hex (format 2).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub approver_device: String,
    #[serde(with = "time::serde::rfc3339")]
    pub released_at: OffsetDateTime,
    /// The record this one replaces (a provisional number made final), by signature.
    pub supersedes: Option<String>,
}

/// Why a released record is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReleaseError {
    #[error(
        "this is not a released record of Diplomatie (it does not start with {MAGIC}): check the file"
    )]
    NotARecord,
    #[error(
        "this released record has format {0}, which this version does not know: update the application"
    )]
    UnknownFormat(String),
    #[error("the released record was altered: its signature does not match its content")]
    BadSignature,
    #[error("the released record is unreadable after its signature: {0}")]
    Unreadable(String),
    #[error("the record is signed by key {found}, not by the expected approver's key {expected}")]
    WrongSigner { expected: String, found: String },
    #[error("the released record's device certificate does not hold: {0}")]
    BadCertificate(String),
}

/// A record with its signature, as stored and sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRelease {
    pub record: ReleaseRecord,
    /// The signature, hex (also the record's identity for `supersedes`).
    pub signature: String,
    /// The identity that certified the signing device (format 2); `None` for a record of
    /// format 1, whose signer no identity vouches for.
    pub identity: Option<IdentityKey>,
    bytes: Vec<u8>,
}

impl SignedRelease {
    /// Freezes and signs `record` with `key`, the key of the approver's device `device`; the
    /// record's `approver_key`, `approver_identity` and `approver_device` are set from them.
    pub fn sign(
        mut record: ReleaseRecord,
        key: &SigningKey,
        device: &DeviceCertificate,
    ) -> Result<Self, ReleaseError> {
        if device.signing != key.public_key() {
            return Err(ReleaseError::BadCertificate(
                "it certifies another key than the one signing".into(),
            ));
        }
        record.approver_key = hex::encode(&key.public_key());
        record.approver_identity = device.identity.hex();
        record.approver_device = hex::encode(device.bytes());
        let body =
            serde_json::to_vec(&record).map_err(|e| ReleaseError::Unreadable(e.to_string()))?;
        let signature = hex::encode(&key.sign_as(context_of(&record), &body));
        let mut bytes = format!("{MAGIC}{FORMAT}\n{signature}\n").into_bytes();
        bytes.extend_from_slice(&body);
        Ok(Self {
            record,
            signature,
            identity: Some(device.identity),
            bytes,
        })
    }

    /// A record of format 1, as signed before identities (for tests of records kept from then).
    #[cfg(test)]
    pub(crate) fn sign_legacy(mut record: ReleaseRecord, key: &SigningKey) -> Self {
        record.approver_key = hex::encode(&key.public_key());
        let body = serde_json::to_vec(&record).unwrap_or_default();
        let signature = hex::encode(&key.sign(&body));
        let mut bytes = format!("{MAGIC}{LEGACY_FORMAT}\n{signature}\n").into_bytes();
        bytes.extend_from_slice(&body);
        Self {
            record,
            signature,
            identity: None,
            bytes,
        }
    }

    /// The stored form.
    pub fn to_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Reads and verifies a stored record: format, then (format 2) the device certificate it
    /// carries under the identity key it names, then the signature under the device's key,
    /// then the content.
    pub fn verify(bytes: &[u8]) -> Result<Self, ReleaseError> {
        let rest = bytes
            .strip_prefix(MAGIC.as_bytes())
            .ok_or(ReleaseError::NotARecord)?;
        let (format, rest) = split_line(rest).ok_or(ReleaseError::NotARecord)?;
        let format = match std::str::from_utf8(format)
            .ok()
            .and_then(|f| f.parse().ok())
        {
            Some(f @ (FORMAT | LEGACY_FORMAT)) if format == f.to_string().as_bytes() => f,
            _ => {
                return Err(ReleaseError::UnknownFormat(
                    String::from_utf8_lossy(format).chars().take(16).collect(),
                ));
            }
        };
        let (signature_hex, body) = split_line(rest).ok_or(ReleaseError::BadSignature)?;
        let signature_hex = std::str::from_utf8(signature_hex)
            .ok()
            .filter(|s| s.len() == 128)
            .ok_or(ReleaseError::BadSignature)?;
        let signature = hex::decode(signature_hex).ok_or(ReleaseError::BadSignature)?;
        // Only the canonical (lower-case) spelling: the stored bytes are the record.
        if hex::encode(&signature) != signature_hex {
            return Err(ReleaseError::BadSignature);
        }
        // The keys are read from the record before they are trusted; the signatures decide.
        let named = signers_of(body)?;
        let key = hex::decode(&named.approver_key)
            .filter(|k| k.len() == 32)
            .ok_or(ReleaseError::BadSignature)?;
        let identity = if format == LEGACY_FORMAT {
            verify_signature(&key, body, &signature).map_err(|_| ReleaseError::BadSignature)?;
            None
        } else {
            let device = hex::decode(&named.approver_device)
                .ok_or_else(|| ReleaseError::BadCertificate("it is not hex".into()))
                .and_then(|raw| {
                    DeviceCertificate::decode(&raw)
                        .map_err(|e| ReleaseError::BadCertificate(e.to_string()))
                })?;
            if device.signing.as_slice() != key.as_slice()
                || device.identity.hex() != named.approver_identity
            {
                return Err(ReleaseError::BadCertificate(
                    "it does not certify the key and identity the record names".into(),
                ));
            }
            let context = if named.supersedes.is_some() {
                Context::Renumber
            } else {
                Context::Release
            };
            verify_as(context, &key, body, &signature).map_err(|_| ReleaseError::BadSignature)?;
            Some(device.identity)
        };
        let record: ReleaseRecord =
            serde_json::from_slice(body).map_err(|e| ReleaseError::Unreadable(e.to_string()))?;
        if record.approver_key != named.approver_key
            || record.approver_identity != named.approver_identity
            || record.supersedes != named.supersedes
        {
            return Err(ReleaseError::BadSignature);
        }
        Ok(Self {
            record,
            signature: signature_hex.to_owned(),
            identity,
            bytes: bytes.to_vec(),
        })
    }
}

fn split_line(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = bytes.iter().position(|&b| b == b'\n')?;
    Some((bytes.get(..end)?, bytes.get(end + 1..)?))
}

/// What a record names of its signer, read before anything in it is trusted.
#[derive(Deserialize)]
struct Signers {
    approver_key: String,
    #[serde(default)]
    approver_identity: String,
    #[serde(default)]
    approver_device: String,
    #[serde(default)]
    supersedes: Option<String>,
}

fn signers_of(body: &[u8]) -> Result<Signers, ReleaseError> {
    serde_json::from_slice(body).map_err(|_| ReleaseError::BadSignature)
}

/// The context a record is signed under: a release, or a new number for one.
fn context_of(record: &ReleaseRecord) -> Context {
    if record.supersedes.is_some() {
        Context::Renumber
    } else {
        Context::Release
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use diplomatie_domain::{
        Addressee, ItemContent, ItemId, Marking, Paragraph, Precedence, Telegram, TelegramNumber,
    };
    use uuid::Uuid;

    use super::*;

    fn record() -> ReleaseRecord {
        let now = OffsetDateTime::now_utc();
        ReleaseRecord {
            item: Item {
                id: ItemId::from_uuid(Uuid::now_v7()),
                received_at: now,
                deadline: None,
                content: ItemContent::Telegram(Telegram {
                    number: Some(TelegramNumber {
                        post: "BERLIN".into(),
                        year: 2026,
                        serial: 142,
                    }),
                    dtg: now,
                    origin: "BERLIN".into(),
                    action: vec![Addressee::Unit("DFAE/EUROPE".into())],
                    info: Vec::new(),
                    subject: "Élections en Bavière".into(),
                    tags: Vec::new(),
                    references: Vec::new(),
                    summary: "Résumé.".into(),
                    paragraphs: vec![Paragraph {
                        marking: Marking::DiffusionRestreinte,
                        text: "La coalition est reconduite.".into(),
                    }],
                    drafter: "alice".into(),
                    clearers: vec!["bob".into()],
                    approver: Some("dave".into()),
                    precedence: Precedence::Immediat,
                    justification: None,
                    marking: Marking::DiffusionRestreinte,
                    caveats: Vec::new(),
                }),
                language: None,
            },
            number: ReleaseNumber::Final {
                label: "BERLIN 2026-0142".into(),
            },
            draft_id: "draft-1".into(),
            heads: vec!["ab".repeat(32)],
            drafter: "alice".into(),
            clearances: vec![ClearedBy {
                clearer: "bob".into(),
                version: 3,
            }],
            approver: "dave".into(),
            approver_key: String::new(),
            approver_identity: String::new(),
            approver_device: String::new(),
            released_at: now,
            supersedes: None,
        }
    }

    /// A device of a fresh identity: its signing key and its certificate.
    fn device() -> (SigningKey, SigningKey, DeviceCertificate) {
        let identity = SigningKey::generate().unwrap();
        let key = SigningKey::generate().unwrap();
        let cert = DeviceCertificate::issue(
            &identity,
            diplomatie_protocol::DeviceId([1; 16]),
            key.public_key(),
            [2; 32],
            OffsetDateTime::now_utc(),
            None,
        )
        .unwrap();
        (identity, key, cert)
    }

    #[test]
    fn a_signed_release_verifies_and_says_which_identity_signed() {
        let (identity, key, cert) = device();
        let signed = SignedRelease::sign(record(), &key, &cert).unwrap();
        assert!(signed.to_bytes().starts_with(b"DIPLOMATIE-RELEASE/2\n"));
        let back = SignedRelease::verify(signed.to_bytes()).unwrap();
        assert_eq!(back.record, signed.record);
        assert_eq!(back.record.approver_key, hex::encode(&key.public_key()));
        assert_eq!(back.identity, Some(IdentityKey(identity.public_key())));
        // A key that the certificate does not certify cannot sign with it.
        let other = SigningKey::generate().unwrap();
        assert!(matches!(
            SignedRelease::sign(record(), &other, &cert),
            Err(ReleaseError::BadCertificate(_))
        ));
    }

    #[test]
    fn a_flipped_byte_anywhere_fails_verification() {
        let (_, key, cert) = device();
        let signed = SignedRelease::sign(record(), &key, &cert).unwrap();
        let bytes = signed.to_bytes().to_vec();
        for i in 0..bytes.len() {
            for bit in [0x01u8, 0x20, 0x80] {
                let mut altered = bytes.clone();
                altered[i] ^= bit;
                let result = SignedRelease::verify(&altered);
                assert!(result.is_err(), "byte {i} ^ {bit:#x} went unnoticed");
                let message = result.unwrap_err().to_string();
                assert!(!message.is_empty());
            }
        }
        // Truncated or extended records fail too.
        assert!(SignedRelease::verify(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(b' ');
        assert!(SignedRelease::verify(&longer).is_err());
    }

    #[test]
    fn unknown_formats_and_foreign_files_are_named_as_such() {
        assert_eq!(
            SignedRelease::verify(b"hello"),
            Err(ReleaseError::NotARecord)
        );
        assert!(matches!(
            SignedRelease::verify(b"DIPLOMATIE-RELEASE/9\nxx\n{}"),
            Err(ReleaseError::UnknownFormat(f)) if f == "9"
        ));
        assert!(matches!(
            SignedRelease::verify(b"DIPLOMATIE-RELEASE/02\nxx\n{}"),
            Err(ReleaseError::UnknownFormat(_))
        ));
    }

    #[test]
    fn a_record_signed_by_a_key_it_does_not_name_fails() {
        let (_, key, cert) = device();
        let other = SigningKey::generate().unwrap();
        let signed = SignedRelease::sign(record(), &key, &cert).unwrap();
        let text = String::from_utf8(signed.to_bytes().to_vec()).unwrap();
        let forged = text.replace(
            &hex::encode(&key.public_key()),
            &hex::encode(&other.public_key()),
        );
        assert!(SignedRelease::verify(forged.as_bytes()).is_err());
    }

    /// A forger who signs with their own device and certifies it with their own identity key
    /// cannot make the record name someone else's identity.
    #[test]
    fn a_record_naming_an_identity_its_certificate_does_not_come_from_fails() {
        let (_, key, cert) = device();
        let (victim, _, _) = device();
        let signed = SignedRelease::sign(record(), &key, &cert).unwrap();
        let text = String::from_utf8(signed.to_bytes().to_vec()).unwrap();
        let forged = text.replace(
            &cert.identity.hex(),
            &IdentityKey(victim.public_key()).hex(),
        );
        assert!(matches!(
            SignedRelease::verify(forged.as_bytes()),
            Err(ReleaseError::BadCertificate(_))
        ));
    }

    /// The same body signed as another kind of statement does not pass for a release.
    #[test]
    fn a_signature_made_for_another_statement_is_refused() {
        let (_, key, cert) = device();
        let signed = SignedRelease::sign(record(), &key, &cert).unwrap();
        let body = &signed.to_bytes()
            [signed.to_bytes().len() - serde_json::to_vec(&signed.record).unwrap().len()..];
        for context in [Context::Clearance, Context::Renumber, Context::ExchangeCopy] {
            let sig = hex::encode(&key.sign_as(context, body));
            let mut bytes = format!("DIPLOMATIE-RELEASE/2\n{sig}\n").into_bytes();
            bytes.extend_from_slice(body);
            assert_eq!(
                SignedRelease::verify(&bytes),
                Err(ReleaseError::BadSignature),
                "{context:?}"
            );
        }
    }

    /// Records signed before identities still verify (integrity), with no identity.
    #[test]
    fn a_record_of_format_1_verifies_without_an_identity() {
        let key = SigningKey::generate().unwrap();
        let legacy = SignedRelease::sign_legacy(record(), &key);
        let back = SignedRelease::verify(legacy.to_bytes()).unwrap();
        assert_eq!(back.identity, None);
        assert_eq!(back.record.item, legacy.record.item);
    }
}
