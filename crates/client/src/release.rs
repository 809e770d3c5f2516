//! A released telegram or note: frozen as an immutable record, signed with the approver's
//! Ed25519 key. Anyone holding the record can verify it; a record altered anywhere fails.
//!
//! Wire format, versioned from the first byte:
//!
//! ```text
//! DIPLOMATIE-RELEASE/1\n
//! <Ed25519 signature, 128 hex digits>\n
//! <the record: JSON bytes, exactly as signed>
//! ```
//!
//! The signature covers the record's bytes as stored, not a re-serialisation, so no change to
//! them can go unnoticed (a renamed optional key, a re-encoded character). The record names the
//! approver's public key; `verify` checks the signature under it and says who signed, and
//! `verify_from` also checks that key against the one expected.

use diplomatie_crypto::{SigningKey, hex, verify_signature};
use diplomatie_domain::Item;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

const MAGIC: &str = "DIPLOMATIE-RELEASE/";
const FORMAT: u32 = 1;

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
    /// The approver's Ed25519 public key, hex.
    pub approver_key: String,
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
}

/// A record with its signature, as stored and sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRelease {
    pub record: ReleaseRecord,
    /// The signature, hex (also the record's identity for `supersedes`).
    pub signature: String,
    bytes: Vec<u8>,
}

impl SignedRelease {
    /// Freezes and signs `record` with `key` (the approver's); the record's `approver_key` is
    /// set from `key`.
    pub fn sign(mut record: ReleaseRecord, key: &SigningKey) -> Result<Self, ReleaseError> {
        record.approver_key = hex::encode(&key.public_key());
        let body =
            serde_json::to_vec(&record).map_err(|e| ReleaseError::Unreadable(e.to_string()))?;
        let signature = hex::encode(&key.sign(&body));
        let mut bytes = format!("{MAGIC}{FORMAT}\n{signature}\n").into_bytes();
        bytes.extend_from_slice(&body);
        Ok(Self {
            record,
            signature,
            bytes,
        })
    }

    /// The stored form.
    pub fn to_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Reads and verifies a stored record: format, then the signature under the key the record
    /// names, then the content.
    pub fn verify(bytes: &[u8]) -> Result<Self, ReleaseError> {
        let rest = bytes
            .strip_prefix(MAGIC.as_bytes())
            .ok_or(ReleaseError::NotARecord)?;
        let (format, rest) = split_line(rest).ok_or(ReleaseError::NotARecord)?;
        if format != FORMAT.to_string().as_bytes() {
            return Err(ReleaseError::UnknownFormat(
                String::from_utf8_lossy(format).chars().take(16).collect(),
            ));
        }
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
        // The key is read from the record before it is trusted; the signature decides.
        let key = approver_key_of(body)?;
        verify_signature(&key, body, &signature).map_err(|_| ReleaseError::BadSignature)?;
        let record: ReleaseRecord =
            serde_json::from_slice(body).map_err(|e| ReleaseError::Unreadable(e.to_string()))?;
        if hex::decode(&record.approver_key).as_deref() != Some(key.as_slice()) {
            return Err(ReleaseError::BadSignature);
        }
        Ok(Self {
            record,
            signature: signature_hex.to_owned(),
            bytes: bytes.to_vec(),
        })
    }

    /// `verify`, and the signer must be `expected_key` (hex).
    pub fn verify_from(bytes: &[u8], expected_key: &str) -> Result<Self, ReleaseError> {
        let release = Self::verify(bytes)?;
        if release.record.approver_key != expected_key {
            return Err(ReleaseError::WrongSigner {
                expected: expected_key.chars().take(16).collect(),
                found: release.record.approver_key.chars().take(16).collect(),
            });
        }
        Ok(release)
    }
}

fn split_line(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = bytes.iter().position(|&b| b == b'\n')?;
    Some((bytes.get(..end)?, bytes.get(end + 1..)?))
}

fn approver_key_of(body: &[u8]) -> Result<Vec<u8>, ReleaseError> {
    #[derive(Deserialize)]
    struct KeyOnly {
        approver_key: String,
    }
    let k: KeyOnly = serde_json::from_slice(body).map_err(|_| ReleaseError::BadSignature)?;
    let key = hex::decode(&k.approver_key).ok_or(ReleaseError::BadSignature)?;
    if key.len() != 32 {
        return Err(ReleaseError::BadSignature);
    }
    Ok(key)
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
            released_at: now,
            supersedes: None,
        }
    }

    #[test]
    fn a_signed_release_verifies_and_says_who_signed() {
        let key = SigningKey::generate().unwrap();
        let signed = SignedRelease::sign(record(), &key).unwrap();
        let back = SignedRelease::verify(signed.to_bytes()).unwrap();
        assert_eq!(back.record, signed.record);
        assert_eq!(back.record.approver_key, hex::encode(&key.public_key()));
        SignedRelease::verify_from(signed.to_bytes(), &back.record.approver_key).unwrap();
        let other = SigningKey::generate().unwrap();
        assert!(matches!(
            SignedRelease::verify_from(signed.to_bytes(), &hex::encode(&other.public_key())),
            Err(ReleaseError::WrongSigner { .. })
        ));
    }

    #[test]
    fn a_flipped_byte_anywhere_fails_verification() {
        let key = SigningKey::generate().unwrap();
        let signed = SignedRelease::sign(record(), &key).unwrap();
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
    }

    #[test]
    fn a_record_signed_by_a_key_it_does_not_name_fails() {
        let key = SigningKey::generate().unwrap();
        let mut r = record();
        let other = SigningKey::generate().unwrap();
        r.approver_key = hex::encode(&other.public_key());
        // Sign with `key`, then swap the named key in the body for the other one.
        let signed = SignedRelease::sign(r, &key).unwrap();
        let text = String::from_utf8(signed.to_bytes().to_vec()).unwrap();
        let forged = text.replace(
            &hex::encode(&key.public_key()),
            &hex::encode(&other.public_key()),
        );
        assert_eq!(
            SignedRelease::verify(forged.as_bytes()),
            Err(ReleaseError::BadSignature)
        );
    }
}
