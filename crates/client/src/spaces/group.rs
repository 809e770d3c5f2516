//! A space as an MLS group (RFC 9420, through openmls): its leaves are devices.
//!
//! A leaf's credential is the device's id (16 bytes, a basic credential), and its signature
//! key is the device's own Ed25519 signing key, the one its certificate certifies: a member
//! checks a leaf against the device certificate it knows, never against a name (names travel
//! inside envelopes). MLS signs under its own labels ("MLS 1.0 …"), which no statement of
//! Diplomatie's (`diplomatie/…/v1`) can be taken for.
//!
//! Handshake messages go as MLS public messages, so that the relay, the delivery service, can
//! check a commit against the space's public state before accepting it as the one commit of an
//! epoch. Content does not travel as MLS application messages: envelopes are sealed under the
//! epoch key, exported from the epoch's secrets ([`epoch_key`]).
//!
//! These functions take any openmls provider: the profile's keeps its state in the encrypted
//! store; tests may use openmls's in-memory one.

use diplomatie_crypto::{SecretKey, SigningKey};
use diplomatie_protocol::{DeviceCertificate, DeviceId, SpaceId};
use openmls::prelude::tls_codec::{Deserialize as _, Serialize as _};
use openmls::prelude::*;
use openmls_traits::OpenMlsProvider;
use openmls_traits::signatures::{Signer, SignerError};
use openmls_traits::types::SignatureScheme;

/// The one ciphersuite spaces use.
pub const CIPHERSUITE: Ciphersuite = Ciphersuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
/// The exporter label of the key envelopes are sealed under.
const EPOCH_KEY_LABEL: &str = "diplomatie/epoch-key/v1";
/// The most bytes of a handshake message or key package read (a commit adding many devices
/// stays far below).
pub const MAX_HANDSHAKE_BYTES: usize = 1024 * 1024;

/// Why an MLS operation failed, in words the user can act on.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    #[error("this space message is unreadable or too large: {0}")]
    Malformed(String),
    #[error("this device's key package does not hold: {0}")]
    BadKeyPackage(String),
    #[error("the space refused this change: {0}")]
    Refused(String),
    #[error("a member of this space is not a device Diplomatie knows: {0}")]
    UnknownMember(String),
    #[error("the space's state could not be kept: {0}")]
    Storage(String),
}

fn refused(e: impl std::fmt::Display) -> GroupError {
    GroupError::Refused(e.to_string())
}

/// This device as an MLS signer: its Ed25519 signing key.
pub struct DeviceSigner<'a>(pub &'a SigningKey);

impl Signer for DeviceSigner<'_> {
    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>, SignerError> {
        Ok(self.0.sign(payload).to_vec())
    }

    fn signature_scheme(&self) -> SignatureScheme {
        SignatureScheme::ED25519
    }
}

impl std::fmt::Debug for DeviceSigner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSigner").finish_non_exhaustive()
    }
}

/// The credential of a device's leaf: its id, and its signing key as the leaf's key.
fn credential(device: &DeviceCertificate) -> CredentialWithKey {
    CredentialWithKey {
        credential: BasicCredential::new(device.device.0.to_vec()).into(),
        signature_key: device.signing.to_vec().into(),
    }
}

fn create_config() -> MlsGroupCreateConfig {
    MlsGroupCreateConfig::builder()
        .ciphersuite(CIPHERSUITE)
        .wire_format_policy(PURE_PLAINTEXT_WIRE_FORMAT_POLICY)
        .use_ratchet_tree_extension(true)
        .build()
}

fn join_config() -> MlsGroupJoinConfig {
    MlsGroupJoinConfig::builder()
        .wire_format_policy(PURE_PLAINTEXT_WIRE_FORMAT_POLICY)
        .use_ratchet_tree_extension(true)
        .build()
}

/// Creates the MLS group of space `space`, this device its only member.
pub fn create<P: OpenMlsProvider>(
    provider: &P,
    key: &SigningKey,
    device: &DeviceCertificate,
    space: SpaceId,
) -> Result<MlsGroup, GroupError> {
    MlsGroup::new_with_group_id(
        provider,
        &DeviceSigner(key),
        &create_config(),
        GroupId::from_slice(&space.0),
        credential(device),
    )
    .map_err(refused)
}

/// A fresh key package of this device (its private parts kept in the provider's storage), as
/// bytes to publish: whoever holds it can add this device to a space, once.
pub fn key_package<P: OpenMlsProvider>(
    provider: &P,
    key: &SigningKey,
    device: &DeviceCertificate,
) -> Result<Vec<u8>, GroupError> {
    let bundle = KeyPackage::builder()
        .build(
            CIPHERSUITE,
            provider,
            &DeviceSigner(key),
            credential(device),
        )
        .map_err(refused)?;
    bundle
        .key_package()
        .tls_serialize_detached()
        .map_err(|e| GroupError::Malformed(e.to_string()))
}

/// Reads a key package and checks that it is the device `device`'s: its signature, its
/// lifetime, and its leaf naming that device with the signing key its certificate certifies.
pub fn check_key_package<P: OpenMlsProvider>(
    provider: &P,
    bytes: &[u8],
    device: &DeviceCertificate,
) -> Result<KeyPackage, GroupError> {
    if bytes.len() > MAX_HANDSHAKE_BYTES {
        return Err(GroupError::Malformed("a key package too large".into()));
    }
    let package = KeyPackageIn::tls_deserialize_exact(bytes)
        .map_err(|e| GroupError::BadKeyPackage(e.to_string()))?
        .validate(provider.crypto(), ProtocolVersion::Mls10)
        .map_err(|e| GroupError::BadKeyPackage(e.to_string()))?;
    let leaf = package.leaf_node();
    let named = leaf_device(leaf.credential())?;
    if named != device.device || leaf.signature_key().as_slice() != device.signing {
        return Err(GroupError::BadKeyPackage(
            "it is not the key package of the device named".into(),
        ));
    }
    Ok(package)
}

/// The device a leaf's credential names.
fn leaf_device(credential: &Credential) -> Result<DeviceId, GroupError> {
    let basic = BasicCredential::try_from(credential.clone())
        .map_err(|e| GroupError::UnknownMember(e.to_string()))?;
    let id: [u8; 16] = basic
        .identity()
        .try_into()
        .map_err(|_| GroupError::UnknownMember("a credential is not a device id".into()))?;
    Ok(DeviceId(id))
}

/// A commit and what goes with it, as bytes to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The commit, an MLS public message: every member processes it.
    pub commit: Vec<u8>,
    /// The welcome of the devices added, if any.
    pub welcome: Option<Vec<u8>>,
    /// The epoch the commit starts.
    pub epoch: u64,
}

fn serialize(message: &MlsMessageOut) -> Result<Vec<u8>, GroupError> {
    message
        .tls_serialize_detached()
        .map_err(|e| GroupError::Malformed(e.to_string()))
}

/// Adds the devices of `packages` (checked key packages) and merges the commit: the group is
/// at the new epoch. If the relay refuses the commit (another won the epoch), the caller
/// reloads the group from before and retries after processing the winner.
pub fn add<P: OpenMlsProvider>(
    group: &mut MlsGroup,
    provider: &P,
    key: &SigningKey,
    packages: &[KeyPackage],
) -> Result<Outgoing, GroupError> {
    let (commit, welcome, _) = group
        .add_members(provider, &DeviceSigner(key), packages)
        .map_err(refused)?;
    group.merge_pending_commit(provider).map_err(refused)?;
    Ok(Outgoing {
        commit: serialize(&commit)?,
        welcome: Some(serialize(&welcome)?),
        epoch: group.epoch().as_u64(),
    })
}

/// Removes every leaf of the devices `devices` and merges the commit.
pub fn remove<P: OpenMlsProvider>(
    group: &mut MlsGroup,
    provider: &P,
    key: &SigningKey,
    devices: &[DeviceId],
) -> Result<Outgoing, GroupError> {
    let leaves: Vec<LeafNodeIndex> = group
        .members()
        .filter(|m| {
            leaf_device(&m.credential)
                .map(|d| devices.contains(&d))
                .unwrap_or(false)
        })
        .map(|m| m.index)
        .collect();
    if leaves.is_empty() {
        return Err(GroupError::Refused(
            "none of these devices is a member of the space".into(),
        ));
    }
    let (commit, welcome, _) = group
        .remove_members(provider, &DeviceSigner(key), &leaves)
        .map_err(refused)?;
    group.merge_pending_commit(provider).map_err(refused)?;
    Ok(Outgoing {
        commit: serialize(&commit)?,
        welcome: welcome.as_ref().map(serialize).transpose()?,
        epoch: group.epoch().as_u64(),
    })
}

/// Joins a space from a welcome addressed to this device (its key package's private parts
/// are in the provider's storage).
pub fn join<P: OpenMlsProvider>(provider: &P, welcome: &[u8]) -> Result<MlsGroup, GroupError> {
    if welcome.len() > MAX_HANDSHAKE_BYTES {
        return Err(GroupError::Malformed("a welcome too large".into()));
    }
    let message = MlsMessageIn::tls_deserialize_exact(welcome)
        .map_err(|e| GroupError::Malformed(e.to_string()))?;
    let MlsMessageBodyIn::Welcome(welcome) = message.extract() else {
        return Err(GroupError::Malformed("this is not a welcome".into()));
    };
    StagedWelcome::new_from_welcome(provider, &join_config(), welcome, None)
        .map_err(refused)?
        .into_group(provider)
        .map_err(refused)
}

/// Processes a commit from another member and merges it: the group moves to its epoch.
pub fn process_commit<P: OpenMlsProvider>(
    group: &mut MlsGroup,
    provider: &P,
    commit: &[u8],
) -> Result<u64, GroupError> {
    if commit.len() > MAX_HANDSHAKE_BYTES {
        return Err(GroupError::Malformed("a commit too large".into()));
    }
    let message = MlsMessageIn::tls_deserialize_exact(commit)
        .map_err(|e| GroupError::Malformed(e.to_string()))?;
    let message = message
        .try_into_protocol_message()
        .map_err(|e| GroupError::Malformed(e.to_string()))?;
    let processed = group.process_message(provider, message).map_err(refused)?;
    match processed.into_content() {
        ProcessedMessageContent::StagedCommitMessage(staged) => {
            group
                .merge_staged_commit(provider, *staged)
                .map_err(refused)?;
            Ok(group.epoch().as_u64())
        }
        _ => Err(GroupError::Malformed("this is not a commit".into())),
    }
}

/// The key envelopes of the group's current epoch are sealed under.
pub fn epoch_key<P: OpenMlsProvider>(
    group: &MlsGroup,
    provider: &P,
) -> Result<SecretKey, GroupError> {
    let secret = zeroize::Zeroizing::new(
        group
            .export_secret(
                provider.crypto(),
                EPOCH_KEY_LABEL,
                group.group_id().as_slice(),
                32,
            )
            .map_err(refused)?,
    );
    SecretKey::from_slice(&secret).map_err(|e| GroupError::Storage(e.to_string()))
}

/// The group's public state (its GroupInfo with the ratchet tree), signed by this device: what
/// the relay checks commits against.
pub fn group_info<P: OpenMlsProvider>(
    group: &MlsGroup,
    provider: &P,
    key: &SigningKey,
) -> Result<Vec<u8>, GroupError> {
    let info = group
        .export_group_info(provider.crypto(), &DeviceSigner(key), true)
        .map_err(refused)?;
    serialize(&info)
}

/// The devices of the group, each with the signing key of its leaf.
pub fn members(group: &MlsGroup) -> Result<Vec<(DeviceId, [u8; 32])>, GroupError> {
    group
        .members()
        .map(|m| {
            let device = leaf_device(&m.credential)?;
            let key: [u8; 32] = m
                .signature_key
                .as_slice()
                .try_into()
                .map_err(|_| GroupError::UnknownMember("a leaf key is not Ed25519".into()))?;
            Ok((device, key))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use diplomatie_crypto::AgreementKey;
    use openmls_rust_crypto::OpenMlsRustCrypto;
    use time::OffsetDateTime;

    use super::*;

    struct Device {
        provider: OpenMlsRustCrypto,
        key: SigningKey,
        certificate: DeviceCertificate,
    }

    fn device() -> Device {
        let identity = SigningKey::generate().unwrap();
        let key = SigningKey::generate().unwrap();
        let certificate = DeviceCertificate::issue(
            &identity,
            DeviceId(diplomatie_crypto::random_bytes().unwrap()),
            key.public_key(),
            AgreementKey::generate().unwrap().public_key(),
            OffsetDateTime::now_utc(),
            None,
        )
        .unwrap();
        Device {
            provider: OpenMlsRustCrypto::default(),
            key,
            certificate,
        }
    }

    fn package(of: &Device, checker: &Device) -> KeyPackage {
        let bytes = key_package(&of.provider, &of.key, &of.certificate).unwrap();
        check_key_package(&checker.provider, &bytes, &of.certificate).unwrap()
    }

    #[test]
    fn members_share_the_epoch_key_and_a_removed_one_does_not_get_the_next() {
        let (alice, bruno, chloe) = (device(), device(), device());
        let space = SpaceId::random().unwrap();
        let mut a = create(&alice.provider, &alice.key, &alice.certificate, space).unwrap();
        let out = add(
            &mut a,
            &alice.provider,
            &alice.key,
            &[package(&bruno, &alice), package(&chloe, &alice)],
        )
        .unwrap();
        assert_eq!(out.epoch, 1);
        let welcome = out.welcome.unwrap();
        let mut b = join(&bruno.provider, &welcome).unwrap();
        let mut c = join(&chloe.provider, &welcome).unwrap();
        let key = epoch_key(&a, &alice.provider).unwrap();
        assert_eq!(
            epoch_key(&b, &bruno.provider).unwrap().expose(),
            key.expose()
        );
        assert_eq!(
            epoch_key(&c, &chloe.provider).unwrap().expose(),
            key.expose()
        );
        let mut devices: Vec<DeviceId> = members(&b).unwrap().into_iter().map(|m| m.0).collect();
        devices.sort();
        let mut expected = vec![
            alice.certificate.device,
            bruno.certificate.device,
            chloe.certificate.device,
        ];
        expected.sort();
        assert_eq!(devices, expected);

        // Alice removes Chloé: Bruno follows, Chloé's last key is not the new one.
        let out = remove(
            &mut a,
            &alice.provider,
            &alice.key,
            &[chloe.certificate.device],
        )
        .unwrap();
        assert_eq!(
            process_commit(&mut b, &bruno.provider, &out.commit).unwrap(),
            2
        );
        let new_key = epoch_key(&a, &alice.provider).unwrap();
        assert_eq!(
            epoch_key(&b, &bruno.provider).unwrap().expose(),
            new_key.expose()
        );
        assert_ne!(new_key.expose(), key.expose());
        // Chloé processes her removal: she learns she is out, and holds no key of the new epoch.
        process_commit(&mut c, &chloe.provider, &out.commit).unwrap();
        assert!(!c.is_active());
        assert!(
            epoch_key(&c, &chloe.provider)
                .map(|k| k.expose() != new_key.expose())
                .unwrap_or(true)
        );
    }

    #[test]
    fn a_key_package_is_checked_against_the_device_certificate() {
        let (alice, bruno, chloe) = (device(), device(), device());
        let bytes = key_package(&bruno.provider, &bruno.key, &bruno.certificate).unwrap();
        // Bruno's package presented as Chloé's: refused.
        assert!(matches!(
            check_key_package(&alice.provider, &bytes, &chloe.certificate),
            Err(GroupError::BadKeyPackage(_))
        ));
        let mut flipped = bytes.clone();
        let at = flipped.len() / 2;
        flipped[at] ^= 1;
        assert!(check_key_package(&alice.provider, &flipped, &bruno.certificate).is_err());
        assert!(check_key_package(&alice.provider, &bytes[..10], &bruno.certificate).is_err());
    }

    #[test]
    fn garbage_handshakes_are_refused_without_panic() {
        let (alice, bruno) = (device(), device());
        let space = SpaceId::random().unwrap();
        let mut a = create(&alice.provider, &alice.key, &alice.certificate, space).unwrap();
        for bytes in [&b""[..], b"\x00\x01", &[0xff; 300]] {
            assert!(join(&bruno.provider, bytes).is_err());
            assert!(process_commit(&mut a, &alice.provider, bytes).is_err());
        }
        assert!(join(&bruno.provider, &vec![0; MAX_HANDSHAKE_BYTES + 1]).is_err());
        assert_eq!(a.epoch().as_u64(), 0);
    }
}
