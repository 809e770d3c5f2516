//! An envelope: content for a space, sealed under the space's key for one epoch and signed by
//! its sender's device. What travels through the relay and the folder transport.
//!
//! ```text
//! 0x01                      format
//! postcard(EnvelopeHeader)  space id, epoch, sender device id, sender's sequence number,
//!                           envelope id: what anyone carrying the envelope can read
//! 12 bytes                  AES-256-GCM nonce (random)
//! ciphertext, 16-byte tag   the content's body and kind (one byte), sealed under the epoch
//!                           key, the format byte and the header's bytes as associated data
//! 64 bytes                  Ed25519 signature by the sender's device signing key, context
//!                           diplomatie/envelope/v1, over the format byte, the header's bytes
//!                           and the SHA-256 digest of the nonce, ciphertext and tag
//! ```
//!
//! The signature covers a digest of the sealed part rather than the part itself: Ed25519 hashes
//! its message twice with SHA-512 to sign and once to verify, where one SHA-256 pass (with the
//! processor's SHA instructions) is enough for a digest as binding. Every member of a space holds
//! its epoch key, so the key authenticates the space, not the sender: the signature does that.
//!
//! A **deposit** (format 2, [`Envelope::deposit`]) is content for a space its sender is not a
//! member of: the same header and signature, but the content is sealed with HPKE to the
//! space's deposit key for the epoch the header names ([`crate::DepositKey`]), and the
//! plaintext starts with the sender's contact card, since the members may not know the sender:
//!
//! ```text
//! 0x02                      format
//! postcard(EnvelopeHeader)  as above; the epoch is the deposit key's
//! 32 bytes                  HPKE encapsulated key (X25519)
//! ciphertext, 16-byte tag   the sender's card (postcard bytes), the body, the kind's byte,
//!                           sealed by HPKE (info diplomatie/deposit/v1) with the format byte
//!                           and the header's bytes as associated data
//! 64 bytes                  as above
//! ```
//!
//! Decoding checks the size before anything else and allocates nothing but one copy of the
//! bytes; it does not check the signature, which needs the sender's certificate.

use std::fmt;
use std::ops::Range;

use diplomatie_crypto::{Context, SecretKey, SigningKey, hex, random_bytes, verify_as};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::deposit::{ENCAPSULATED_BYTES, HPKE_INFO, hpke};
use crate::device::split_signed;
use crate::{ContactCard, DepositKey, DepositSecret, DeviceCertificate, DeviceId, ProtocolError};

/// Sealed under the space's epoch key, by a member.
const FORMAT: u8 = 1;
/// Deposited: sealed to the space's deposit key, by anyone.
const FORMAT_DEPOSIT: u8 = 2;
const WHAT: &str = "envelope";
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;
/// The most bytes an envelope may take, checked before anything is read or allocated.
pub const MAX_ENVELOPE_BYTES: usize = 4 * 1024 * 1024;

macro_rules! id16 {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub [u8; 16]);

        impl $name {
            /// A fresh random identifier.
            pub fn random() -> Result<Self, ProtocolError> {
                random_bytes::<16>().map(Self).map_err(|e| ProtocolError::Invalid {
                    what: stringify!($name),
                    why: e.to_string(),
                })
            }

            pub fn hex(&self) -> String {
                hex::encode(&self.0)
            }

            pub fn from_hex(text: &str) -> Option<Self> {
                let bytes = hex::decode(text.trim())?;
                Some(Self(bytes.try_into().ok()?))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.hex())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.hex())
            }
        }
    };
}

id16!(
    /// A space's identifier: 16 random bytes. A space's name travels inside envelopes only.
    SpaceId
);
id16!(
    /// An envelope's identifier, chosen by its sender: pushes are idempotent by it.
    EnvelopeId
);

/// What anyone carrying an envelope can read: the relay sees this, sizes and times, nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeHeader {
    pub space: SpaceId,
    /// The epoch of the space whose key sealed the content.
    pub epoch: u64,
    pub sender: DeviceId,
    /// The sender's number for this envelope in this space: from 1, strictly increasing.
    pub seq: u64,
    pub id: EnvelopeId,
}

/// What an envelope carries: the last byte of its plaintext.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[repr(u8)]
pub enum ContentKind {
    /// A released or received item.
    Item = 1,
    /// Automerge change sets of a draft.
    DraftChanges,
    /// A draft's compacted document, so that a newcomer need not replay its whole history.
    DraftSnapshot,
    Acknowledgement,
    /// A contact card.
    Card,
    /// A signed release record.
    Release,
    /// What the members call the space: its name, kind and settings.
    SpaceInfo,
    /// The keys of earlier epochs, handed to newcomers of a space whose history is visible.
    HistoryKeys,
}

impl ContentKind {
    const ALL: [ContentKind; 8] = [
        ContentKind::Item,
        ContentKind::DraftChanges,
        ContentKind::DraftSnapshot,
        ContentKind::Acknowledgement,
        ContentKind::Card,
        ContentKind::Release,
        ContentKind::SpaceInfo,
        ContentKind::HistoryKeys,
    ];

    /// The kind a byte stands for, if this version knows it.
    pub fn from_byte(byte: u8) -> Option<ContentKind> {
        ContentKind::ALL.into_iter().find(|k| k.byte() == byte)
    }

    /// The kind's byte, as it is written at the end of an envelope's plaintext.
    pub fn byte(self) -> u8 {
        self as u8
    }
}

/// The content of an envelope, readable only with the space's epoch key. Its plaintext is the
/// body's bytes as they are, then the kind's byte.
#[derive(Clone, PartialEq, Eq)]
pub struct Content {
    pub kind: ContentKind,
    pub body: Vec<u8>,
}

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Content")
            .field("kind", &self.kind)
            .field("bytes", &self.body.len())
            .finish()
    }
}

/// An envelope as decoded: its header read, its signature not checked yet.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    bytes: Vec<u8>,
    /// [`FORMAT`] or [`FORMAT_DEPOSIT`].
    format: u8,
    header: EnvelopeHeader,
    /// Where the nonce, ciphertext and tag are in `bytes`.
    sealed: Range<usize>,
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("header", &self.header)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Envelope {
    /// Seals `content` under `epoch_key` and signs the whole with `device_key`, the signing key
    /// of the device `header.sender`.
    pub fn seal(
        header: EnvelopeHeader,
        epoch_key: &SecretKey,
        content: &Content,
        device_key: &SigningKey,
    ) -> Result<Envelope, ProtocolError> {
        let mut bytes = postcard::to_extend(&header, vec![FORMAT])
            .map_err(|_| ProtocolError::Malformed { what: WHAT })?;
        let start = bytes.len();
        diplomatie_crypto::seal_appending(
            epoch_key,
            &mut bytes,
            &[&content.body, &[content.kind as u8]],
        )
        .map_err(|e| ProtocolError::Invalid {
            what: WHAT,
            why: e.to_string(),
        })?;
        Envelope::signed(bytes, FORMAT, header, start, device_key)
    }

    /// Deposits `content` into the space of `deposit_key` (which the sender has checked: it
    /// came in a card, or signed by a member's device), with the sender's `card`, signed with
    /// `device_key`, the signing key of `header.sender`. The header's space and epoch must be
    /// the deposit key's.
    pub fn deposit(
        header: EnvelopeHeader,
        deposit_key: &DepositKey,
        card: &ContactCard,
        content: &Content,
        device_key: &SigningKey,
    ) -> Result<Envelope, ProtocolError> {
        if header.space != deposit_key.space || header.epoch != deposit_key.epoch {
            return Err(ProtocolError::Invalid {
                what: WHAT,
                why: "a deposit names the space and epoch of the deposit key it is sealed to"
                    .into(),
            });
        }
        if card.device(header.sender).is_none() {
            return Err(ProtocolError::Invalid {
                what: WHAT,
                why: "the sender's card does not list the sending device".into(),
            });
        }
        let mut bytes = postcard::to_extend(&header, vec![FORMAT_DEPOSIT])
            .map_err(|_| ProtocolError::Malformed { what: WHAT })?;
        let start = bytes.len();
        let mut plaintext = postcard::to_extend(
            card.bytes(),
            Vec::with_capacity(card.bytes().len() + content.body.len() + 8),
        )
        .map_err(|_| ProtocolError::Malformed { what: WHAT })?;
        plaintext.extend_from_slice(&content.body);
        plaintext.push(content.kind.byte());
        let (encapsulated, sealed) = hpke()
            .seal(
                &deposit_key.hpke_public(),
                HPKE_INFO,
                &bytes,
                &plaintext,
                None,
                None,
                None,
            )
            .map_err(|_| ProtocolError::Invalid {
                what: WHAT,
                why: "it could not be sealed to this deposit key".into(),
            })?;
        if encapsulated.len() != ENCAPSULATED_BYTES {
            return Err(ProtocolError::Malformed { what: WHAT });
        }
        bytes.extend_from_slice(&encapsulated);
        bytes.extend_from_slice(&sealed);
        Envelope::signed(bytes, FORMAT_DEPOSIT, header, start, device_key)
    }

    /// Signs `bytes` (the format byte, the header, then from `start` the sealed part) with
    /// `device_key`, once their size leaves room for the signature.
    fn signed(
        mut bytes: Vec<u8>,
        format: u8,
        header: EnvelopeHeader,
        start: usize,
        device_key: &SigningKey,
    ) -> Result<Envelope, ProtocolError> {
        let end = bytes.len();
        if end + 64 > MAX_ENVELOPE_BYTES {
            return Err(ProtocolError::TooLarge {
                what: WHAT,
                limit: MAX_ENVELOPE_BYTES,
            });
        }
        let signed = signed_statement(&bytes, start);
        bytes.extend_from_slice(&device_key.sign_as(Context::Envelope, &signed));
        Ok(Envelope {
            bytes,
            format,
            header,
            sealed: start..end,
        })
    }

    /// Reads an envelope: its size first, then its format and header. The signature is not
    /// checked: see [`Envelope::verify`].
    pub fn decode(bytes: &[u8]) -> Result<Envelope, ProtocolError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(ProtocolError::TooLarge {
                what: WHAT,
                limit: MAX_ENVELOPE_BYTES,
            });
        }
        // A deposit is the other format of this version; anything else is split_signed's to
        // judge (malformed, or a newer version's).
        let format = match bytes.first() {
            Some(&FORMAT_DEPOSIT) => FORMAT_DEPOSIT,
            _ => FORMAT,
        };
        let (signed, _) = split_signed(WHAT, format, bytes)?;
        let after_format = signed
            .get(1..)
            .ok_or(ProtocolError::Malformed { what: WHAT })?;
        let (header, rest) = postcard::take_from_bytes::<EnvelopeHeader>(after_format)
            .map_err(|_| ProtocolError::Malformed { what: WHAT })?;
        let least = match format {
            FORMAT => NONCE_BYTES + TAG_BYTES,
            _ => ENCAPSULATED_BYTES + TAG_BYTES,
        };
        if rest.len() < least {
            return Err(ProtocolError::Malformed { what: WHAT });
        }
        let start = signed.len() - rest.len();
        Ok(Envelope {
            bytes: bytes.to_vec(),
            format,
            header,
            sealed: start..signed.len(),
        })
    }

    pub fn header(&self) -> &EnvelopeHeader {
        &self.header
    }

    /// Whether this is a deposit (sealed to the space's deposit key by anyone), rather than
    /// an envelope sealed under the epoch key by a member.
    pub fn is_deposit(&self) -> bool {
        self.format == FORMAT_DEPOSIT
    }

    /// The envelope as sent.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Checks the signature against the certificate of the device the header names.
    pub fn verify(&self, device: &DeviceCertificate) -> Result<(), ProtocolError> {
        if device.device != self.header.sender {
            return Err(ProtocolError::Invalid {
                what: WHAT,
                why: "it names another device as its sender".into(),
            });
        }
        self.verify_key(&device.signing)
    }

    /// Checks the signature against a device's Ed25519 public key (the relay keeps those of
    /// the devices it enrolled).
    pub fn verify_key(&self, signing_key: &[u8; 32]) -> Result<(), ProtocolError> {
        let signature_at = self.sealed.end;
        let signature = self
            .bytes
            .get(signature_at..)
            .ok_or(ProtocolError::Malformed { what: WHAT })?;
        let signed = signed_statement(
            self.bytes
                .get(..signature_at)
                .ok_or(ProtocolError::Malformed { what: WHAT })?,
            self.sealed.start,
        );
        verify_as(Context::Envelope, signing_key, &signed, signature)
            .map_err(|_| ProtocolError::BadSignature { what: WHAT })
    }

    /// Checks the signature against `device`, then opens the content with `epoch_key`.
    pub fn open(
        &self,
        device: &DeviceCertificate,
        epoch_key: &SecretKey,
    ) -> Result<Content, ProtocolError> {
        if self.is_deposit() {
            return Err(ProtocolError::Invalid {
                what: WHAT,
                why: "it is a deposit: it opens with the space's deposit key".into(),
            });
        }
        self.verify(device)?;
        let aad = self
            .bytes
            .get(..self.sealed.start)
            .ok_or(ProtocolError::Malformed { what: WHAT })?;
        let sealed = self
            .bytes
            .get(self.sealed.clone())
            .ok_or(ProtocolError::Malformed { what: WHAT })?;
        let mut body = diplomatie_crypto::open_plain(epoch_key, aad, sealed).map_err(|_| {
            ProtocolError::Invalid {
                what: WHAT,
                why: "its content does not open with this epoch's key (altered, or sealed \
                      under another key)"
                    .into(),
            }
        })?;
        let kind = body.pop().ok_or(ProtocolError::Malformed { what: WHAT })?;
        let kind = ContentKind::from_byte(kind).ok_or(ProtocolError::Invalid {
            what: WHAT,
            why: "it carries a kind of content this version does not know: update the \
                  application"
                .into(),
        })?;
        Ok(Content { kind, body })
    }

    /// Opens a deposit with the deposit key pair of its space and epoch, reads the sender's
    /// card inside, and checks the signature against the certificate the card holds for the
    /// device the header names. Returns the card (checked: signed by its identity key) and the
    /// content.
    pub fn open_deposit(
        &self,
        secret: &DepositSecret,
    ) -> Result<(ContactCard, Content), ProtocolError> {
        if !self.is_deposit() {
            return Err(ProtocolError::Invalid {
                what: WHAT,
                why: "it is not a deposit: it opens with the epoch's key".into(),
            });
        }
        if secret.space != self.header.space || secret.epoch != self.header.epoch {
            return Err(ProtocolError::Invalid {
                what: WHAT,
                why: "it was deposited under another space's or epoch's key".into(),
            });
        }
        let aad = self
            .bytes
            .get(..self.sealed.start)
            .ok_or(ProtocolError::Malformed { what: WHAT })?;
        let sealed = self
            .bytes
            .get(self.sealed.clone())
            .ok_or(ProtocolError::Malformed { what: WHAT })?;
        let (encapsulated, ciphertext) = sealed.split_at(ENCAPSULATED_BYTES.min(sealed.len()));
        let mut plaintext = hpke()
            .open(
                encapsulated,
                secret.hpke_private(),
                HPKE_INFO,
                aad,
                ciphertext,
                None,
                None,
                None,
            )
            .map_err(|_| ProtocolError::Invalid {
                what: WHAT,
                why: "it does not open with this space's deposit key (altered, or sealed to \
                      another key)"
                    .into(),
            })?;
        let kind = plaintext
            .pop()
            .ok_or(ProtocolError::Malformed { what: WHAT })?;
        let kind = ContentKind::from_byte(kind).ok_or(ProtocolError::Invalid {
            what: WHAT,
            why: "it carries a kind of content this version does not know: update the \
                  application"
                .into(),
        })?;
        let (card, body) = postcard::take_from_bytes::<&[u8]>(&plaintext)
            .map_err(|_| ProtocolError::Malformed { what: WHAT })?;
        let card = ContactCard::decode(card)?;
        let device = card
            .device(self.header.sender)
            .ok_or(ProtocolError::Invalid {
                what: WHAT,
                why: "its sender's card does not list the device that sent it".into(),
            })?;
        self.verify(device)?;
        let body = body.to_vec();
        Ok((card, Content { kind, body }))
    }
}

/// What the sender signs: the format byte and header (`unsealed[..sealed_at]`), then the
/// SHA-256 digest of the sealed part (`unsealed[sealed_at..]`).
fn signed_statement(unsealed: &[u8], sealed_at: usize) -> Vec<u8> {
    let (head, sealed) = unsealed.split_at(sealed_at.min(unsealed.len()));
    let mut statement = Vec::with_capacity(head.len() + 32);
    statement.extend_from_slice(head);
    statement.extend_from_slice(&Sha256::digest(sealed));
    statement
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use diplomatie_crypto::AgreementKey;
    use time::OffsetDateTime;

    use super::*;

    struct Device {
        key: SigningKey,
        certificate: DeviceCertificate,
    }

    fn device() -> Device {
        let identity = SigningKey::generate().unwrap();
        let key = SigningKey::generate().unwrap();
        let certificate = DeviceCertificate::issue(
            &identity,
            DeviceId(random_bytes().unwrap()),
            key.public_key(),
            AgreementKey::generate().unwrap().public_key(),
            OffsetDateTime::now_utc(),
            None,
        )
        .unwrap();
        Device { key, certificate }
    }

    fn header(sender: &Device) -> EnvelopeHeader {
        EnvelopeHeader {
            space: SpaceId::random().unwrap(),
            epoch: 3,
            sender: sender.certificate.device,
            seq: 1,
            id: EnvelopeId::random().unwrap(),
        }
    }

    fn content() -> Content {
        Content {
            kind: ContentKind::DraftChanges,
            body: b"CANARY-texte de la note verbale".to_vec(),
        }
    }

    #[test]
    fn an_envelope_opens_with_its_key_and_its_sender_only() {
        let (alice, bruno) = (device(), device());
        let key = SecretKey::generate().unwrap();
        let envelope = Envelope::seal(header(&alice), &key, &content(), &alice.key).unwrap();
        let decoded = Envelope::decode(envelope.bytes()).unwrap();
        assert_eq!(decoded, envelope);
        assert_eq!(decoded.open(&alice.certificate, &key).unwrap(), content());
        // Nothing of the content is readable in the bytes.
        let text = String::from_utf8_lossy(envelope.bytes());
        assert!(!text.contains("CANARY"));
        // Another device's certificate, another key: refused.
        assert!(decoded.open(&bruno.certificate, &key).is_err());
        assert!(decoded.verify_key(&bruno.certificate.signing).is_err());
        let other = SecretKey::generate().unwrap();
        assert!(decoded.open(&alice.certificate, &other).is_err());
    }

    #[test]
    fn a_member_cannot_send_in_another_members_name() {
        // Bruno holds the epoch key, signs with his own device, and names Alice as the sender.
        let (alice, bruno) = (device(), device());
        let key = SecretKey::generate().unwrap();
        let forged = Envelope::seal(header(&alice), &key, &content(), &bruno.key).unwrap();
        assert!(matches!(
            forged.open(&alice.certificate, &key),
            Err(ProtocolError::BadSignature { .. })
        ));
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let alice = device();
        let key = SecretKey::generate().unwrap();
        let envelope = Envelope::seal(header(&alice), &key, &content(), &alice.key).unwrap();
        for at in 0..envelope.len() {
            let mut bytes = envelope.bytes().to_vec();
            bytes[at] ^= 0x01;
            let refused = match Envelope::decode(&bytes) {
                Err(_) => true,
                Ok(e) => e.open(&alice.certificate, &key).is_err(),
            };
            assert!(refused, "byte {at} flipped was accepted");
        }
    }

    #[test]
    fn cut_or_oversized_bytes_are_refused_before_reading() {
        let alice = device();
        let key = SecretKey::generate().unwrap();
        let envelope = Envelope::seal(header(&alice), &key, &content(), &alice.key).unwrap();
        for len in 0..envelope.len() {
            let cut = &envelope.bytes()[..len];
            if let Ok(e) = Envelope::decode(cut) {
                assert!(e.open(&alice.certificate, &key).is_err(), "cut at {len}");
            }
        }
        let huge = vec![FORMAT; MAX_ENVELOPE_BYTES + 1];
        assert!(matches!(
            Envelope::decode(&huge),
            Err(ProtocolError::TooLarge { .. })
        ));
        let too_much = Content {
            kind: ContentKind::DraftSnapshot,
            body: vec![0; MAX_ENVELOPE_BYTES],
        };
        assert!(matches!(
            Envelope::seal(header(&alice), &key, &too_much, &alice.key),
            Err(ProtocolError::TooLarge { .. })
        ));
        let mut newer = envelope.bytes().to_vec();
        newer[0] = 3;
        assert!(matches!(
            Envelope::decode(&newer),
            Err(ProtocolError::UnknownFormat { format: 3, .. })
        ));
    }

    #[test]
    fn the_header_is_bound_to_the_content() {
        // The same sealed part under another header (another space, epoch, seq or id) does
        // not verify: the header is signed and is the cipher's associated data.
        let alice = device();
        let key = SecretKey::generate().unwrap();
        let a = Envelope::seal(header(&alice), &key, &content(), &alice.key).unwrap();
        let mut other = a.header().clone();
        other.seq = 2;
        let b = Envelope::seal(other, &key, &content(), &alice.key).unwrap();
        let mut spliced = b.bytes()[..b.sealed.start].to_vec();
        spliced.extend_from_slice(&a.bytes()[a.sealed.start..]);
        let spliced = Envelope::decode(&spliced).unwrap();
        assert_eq!(spliced.header().seq, 2);
        assert!(spliced.open(&alice.certificate, &key).is_err());
    }
}
