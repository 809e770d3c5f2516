//! A device's MLS side, as a client makes it (the same choices as the client's
//! `spaces/group.rs`): leaves are devices (a basic credential holding the device id, the
//! device's signing key as the leaf's key), handshakes as public messages, the ratchet tree
//! in the group info and the welcome. Commits are kept pending until the relay accepts them.

use std::collections::HashMap;

use diplomatie_crypto::{SecretKey, SigningKey};
use diplomatie_protocol::relay::CommitUpload;
use diplomatie_protocol::{DeviceId, SpaceId};
use openmls::prelude::tls_codec::{Deserialize as _, Serialize as _};
use openmls::prelude::*;
use openmls_rust_crypto::OpenMlsRustCrypto;
use openmls_traits::signatures::{Signer, SignerError};
use openmls_traits::types::SignatureScheme;

pub const CIPHERSUITE: Ciphersuite = Ciphersuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;

/// A device's Ed25519 key as an MLS signer.
pub struct DeviceSigner<'a>(pub &'a SigningKey);

impl Signer for DeviceSigner<'_> {
    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>, SignerError> {
        Ok(self.0.sign(payload).to_vec())
    }

    fn signature_scheme(&self) -> SignatureScheme {
        SignatureScheme::ED25519
    }
}

/// The leaf of `device` with `key` as its signature key.
pub fn credential(device: DeviceId, key: &SigningKey) -> CredentialWithKey {
    CredentialWithKey {
        credential: BasicCredential::new(device.0.to_vec()).into(),
        signature_key: key.public_key().to_vec().into(),
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

pub fn bytes(message: &MlsMessageOut) -> Vec<u8> {
    message.tls_serialize_detached().unwrap()
}

/// One device's groups, by space, and its key store.
#[derive(Default)]
pub struct Mls {
    pub provider: OpenMlsRustCrypto,
    pub groups: HashMap<SpaceId, MlsGroup>,
}

impl Mls {
    /// A new group for `space` with `device` as its only member, signed and keyed by `key`.
    pub fn create(&mut self, device: DeviceId, key: &SigningKey, space: SpaceId) {
        let group = MlsGroup::new_with_group_id(
            &self.provider,
            &DeviceSigner(key),
            &create_config(),
            GroupId::from_slice(&space.0),
            credential(device, key),
        )
        .unwrap();
        self.groups.insert(space, group);
    }

    /// The group info with its ratchet tree, as a space is created from.
    pub fn group_info(&self, key: &SigningKey, space: SpaceId) -> Vec<u8> {
        bytes(
            &self.groups[&space]
                .export_group_info(self.provider.crypto(), &DeviceSigner(key), true)
                .unwrap(),
        )
    }

    /// A key package for the leaf `credential`, signed by `key`.
    pub fn key_package_as(&self, credential: CredentialWithKey, key: &SigningKey) -> Vec<u8> {
        KeyPackage::builder()
            .build(CIPHERSUITE, &self.provider, &DeviceSigner(key), credential)
            .unwrap()
            .key_package()
            .tls_serialize_detached()
            .unwrap()
    }

    pub fn key_package(&self, device: DeviceId, key: &SigningKey) -> Vec<u8> {
        self.key_package_as(credential(device, key), key)
    }

    fn upload(bundle: CommitMessageBundle) -> CommitUpload {
        let (commit, welcome, _) = bundle.into_messages();
        CommitUpload {
            commit: bytes(&commit),
            welcome: welcome.as_ref().map(bytes),
        }
    }

    /// The key store and the group of `space`, borrowed together.
    fn parts(&mut self, space: SpaceId) -> (&OpenMlsRustCrypto, &mut MlsGroup) {
        let group = self.groups.get_mut(&space).expect("a group of this space");
        (&self.provider, group)
    }

    /// A commit adding the devices of `packages`, left pending.
    pub fn add(&mut self, key: &SigningKey, space: SpaceId, packages: &[Vec<u8>]) -> CommitUpload {
        let packages: Vec<KeyPackage> = packages
            .iter()
            .map(|b| {
                KeyPackageIn::tls_deserialize_exact(b)
                    .unwrap()
                    .validate(self.provider.crypto(), ProtocolVersion::Mls10)
                    .unwrap()
            })
            .collect();
        let (provider, group) = self.parts(space);
        let (commit, welcome, _) = group
            .add_members(provider, &DeviceSigner(key), &packages)
            .unwrap();
        CommitUpload {
            commit: bytes(&commit),
            welcome: Some(bytes(&welcome)),
        }
    }

    /// A commit removing the leaves of `devices`, left pending.
    pub fn remove(
        &mut self,
        key: &SigningKey,
        space: SpaceId,
        devices: &[DeviceId],
    ) -> CommitUpload {
        let (provider, group) = self.parts(space);
        let leaves: Vec<LeafNodeIndex> = group
            .members()
            .filter(|m| {
                let id = BasicCredential::try_from(m.credential.clone()).unwrap();
                devices.iter().any(|d| d.0.as_slice() == id.identity())
            })
            .map(|m| m.index)
            .collect();
        assert!(!leaves.is_empty(), "no such member");
        let (commit, welcome, _) = group
            .remove_members(provider, &DeviceSigner(key), &leaves)
            .unwrap();
        CommitUpload {
            commit: bytes(&commit),
            welcome: welcome.as_ref().map(bytes),
        }
    }

    /// A commit that only updates this device's own leaf, left pending.
    pub fn update(&mut self, key: &SigningKey, space: SpaceId) -> CommitUpload {
        let (provider, group) = self.parts(space);
        let bundle = group
            .self_update(provider, &DeviceSigner(key), LeafNodeParameters::default())
            .unwrap();
        Self::upload(bundle)
    }

    /// A proposal (to update this device's leaf), not a commit; the group forgets it at once.
    pub fn proposal(&mut self, key: &SigningKey, space: SpaceId) -> Vec<u8> {
        let (provider, group) = self.parts(space);
        let (message, _) = group
            .propose_self_update(provider, &DeviceSigner(key), LeafNodeParameters::default())
            .unwrap();
        group.clear_pending_proposals(provider.storage()).unwrap();
        bytes(&message)
    }

    /// The group info without the ratchet tree.
    pub fn group_info_without_tree(&self, key: &SigningKey, space: SpaceId) -> Vec<u8> {
        bytes(
            &self.groups[&space]
                .export_group_info(self.provider.crypto(), &DeviceSigner(key), false)
                .unwrap(),
        )
    }

    /// A new group for `space` whose creator's leaf is `credential`, signed by `key`.
    pub fn create_as(&mut self, credential: CredentialWithKey, key: &SigningKey, space: SpaceId) {
        let group = MlsGroup::new_with_group_id(
            &self.provider,
            &DeviceSigner(key),
            &create_config(),
            GroupId::from_slice(&space.0),
            credential,
        )
        .unwrap();
        self.groups.insert(space, group);
    }

    /// The relay took the pending commit: the group moves on.
    pub fn merge(&mut self, space: SpaceId) {
        let (provider, group) = self.parts(space);
        group.merge_pending_commit(provider).unwrap();
    }

    /// The relay refused the pending commit: forget it.
    pub fn discard(&mut self, space: SpaceId) {
        let (provider, group) = self.parts(space);
        group.clear_pending_commit(provider.storage()).unwrap();
    }

    /// Processes and merges another member's commit; the new epoch.
    pub fn process(&mut self, space: SpaceId, commit: &[u8]) -> u64 {
        let (provider, group) = self.parts(space);
        let message = MlsMessageIn::tls_deserialize_exact(commit)
            .unwrap()
            .try_into_protocol_message()
            .unwrap();
        let processed = group.process_message(provider, message).unwrap();
        let ProcessedMessageContent::StagedCommitMessage(staged) = processed.into_content() else {
            panic!("not a commit");
        };
        group.merge_staged_commit(provider, *staged).unwrap();
        group.epoch().as_u64()
    }

    /// Joins a space from a welcome; its space.
    pub fn join(&mut self, welcome: &[u8]) -> SpaceId {
        let message = MlsMessageIn::tls_deserialize_exact(welcome).unwrap();
        let MlsMessageBodyIn::Welcome(welcome) = message.extract() else {
            panic!("not a welcome");
        };
        let group = StagedWelcome::new_from_welcome(&self.provider, &join_config(), welcome, None)
            .unwrap()
            .into_group(&self.provider)
            .unwrap();
        let space = SpaceId(group.group_id().as_slice().try_into().unwrap());
        self.groups.insert(space, group);
        space
    }

    pub fn epoch(&self, space: SpaceId) -> u64 {
        self.groups[&space].epoch().as_u64()
    }

    /// The devices of the group, sorted.
    pub fn members(&self, space: SpaceId) -> Vec<DeviceId> {
        let mut all: Vec<DeviceId> = self.groups[&space]
            .members()
            .map(|m| {
                let id = BasicCredential::try_from(m.credential.clone()).unwrap();
                DeviceId(id.identity().try_into().unwrap())
            })
            .collect();
        all.sort();
        all
    }

    /// The epoch's key, which envelopes are sealed under (the client's exporter label).
    pub fn epoch_key(&self, space: SpaceId) -> SecretKey {
        let group = &self.groups[&space];
        let secret = group
            .export_secret(
                self.provider.crypto(),
                "diplomatie/epoch-key/v1",
                group.group_id().as_slice(),
                32,
            )
            .unwrap();
        SecretKey::from_slice(&secret).unwrap()
    }
}
