//! This person's identity key, this device's certificate and the card they give others.
//!
//! A person has one long-term identity key (Ed25519) that certifies each of their devices; a
//! device has its own signing key and key-agreement key, which never leave it, and a
//! certificate from the identity key. Everything others rely on is signed by the device key
//! and checked against the certificate, and the certificate against the identity key, which
//! people verify with each other by safety number (`contacts.rs`).
//!
//! A profile made before identities existed has device keys but no identity key: its first
//! unlock by this version makes the identity key, certifies the device keys it already has,
//! and writes the key, the certificate and the card in one transaction ([`ensure`]).

use diplomatie_crypto::{AgreementKey, SigningKey, random_bytes};
use diplomatie_protocol::{CardDetails, ContactCard, DeviceCertificate, DeviceId, IdentityKey};
use diplomatie_store::{AuditAction, AuditRecord, Store};
use time::OffsetDateTime;

use crate::ClientError;
use crate::profile::ProfileIdentity;

pub(crate) const IDENTITY_SECRET: &str = "identity.signing_pkcs8";
pub(crate) const DEVICE_CERTIFICATE: &str = "device.certificate";
pub(crate) const CARD: &str = "identity.card";

/// The public half of this profile's identity, loaded at unlock.
#[derive(Debug, Clone)]
pub struct OwnIdentity {
    pub key: IdentityKey,
    pub device: DeviceCertificate,
    pub card: ContactCard,
}

/// What a new profile's identity is made of: the secrets to store, and the public half.
pub(crate) struct NewIdentity {
    pub identity_secret: SigningKey,
    pub certificate: DeviceCertificate,
    pub card: ContactCard,
}

impl NewIdentity {
    /// What the store keeps of it, under its keys.
    pub fn records(&self) -> [(&'static str, &[u8]); 3] {
        [
            (IDENTITY_SECRET, self.identity_secret.pkcs8()),
            (DEVICE_CERTIFICATE, self.certificate.bytes()),
            (CARD, self.card.bytes()),
        ]
    }

    /// The audit entry's words: the key and the device, never a secret.
    pub fn describe(&self) -> String {
        format!(
            "identity {}, device {}",
            self.card.identity.short(),
            self.certificate.device
        )
    }

    /// The public half, once stored.
    pub fn into_own(self) -> OwnIdentity {
        OwnIdentity {
            key: self.card.identity,
            device: self.certificate,
            card: self.card,
        }
    }
}

fn details(identity: &ProfileIdentity) -> CardDetails {
    CardDetails {
        name: identity.name.clone(),
        org: identity.org.clone(),
        role: identity.role.clone(),
        email: identity.email.clone(),
    }
}

/// Makes an identity key, certifies the device keys `signing` and `agreement` with it, and
/// issues the card of `identity`.
pub(crate) fn new_identity(
    identity: &ProfileIdentity,
    signing: &SigningKey,
    agreement: &AgreementKey,
) -> Result<NewIdentity, ClientError> {
    let identity_secret = SigningKey::generate()?;
    let now = OffsetDateTime::now_utc();
    let certificate = DeviceCertificate::issue(
        &identity_secret,
        DeviceId(random_bytes::<16>()?),
        signing.public_key(),
        agreement.public_key(),
        now,
        None,
    )?;
    let card = ContactCard::issue(
        &identity_secret,
        details(identity),
        now,
        std::slice::from_ref(&certificate),
    )?;
    Ok(NewIdentity {
        identity_secret,
        certificate,
        card,
    })
}

/// Loads this profile's identity; makes it first for a profile made before identities.
pub(crate) fn ensure(
    store: &Store,
    identity: &ProfileIdentity,
    signing: impl FnOnce() -> Result<SigningKey, ClientError>,
    agreement: impl FnOnce() -> Result<AgreementKey, ClientError>,
) -> Result<OwnIdentity, ClientError> {
    if let (Some(cert), Some(card)) = (store.get_meta(DEVICE_CERTIFICATE)?, store.get_meta(CARD)?) {
        let device = DeviceCertificate::decode(&cert).map_err(damaged)?;
        let card = ContactCard::decode(&card).map_err(damaged)?;
        return Ok(OwnIdentity {
            key: card.identity,
            device,
            card,
        });
    }
    let (signing, agreement) = (signing()?, agreement()?);
    let made = new_identity(identity, &signing, &agreement)?;
    store.put_metas(
        &made.records(),
        Some(&AuditRecord {
            actor: identity.name.clone(),
            action: AuditAction::IdentityCreated,
            item: None,
            detail: made.describe(),
        }),
    )?;
    Ok(made.into_own())
}

fn damaged(e: diplomatie_protocol::ProtocolError) -> ClientError {
    ClientError::Identity(format!("this profile's own keys do not check ({e})"))
}
