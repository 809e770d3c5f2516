//! openmls's state kept in the profile's encrypted store.
//!
//! openmls reads and writes its state through [`StorageProvider`]; [`StoreStorage`] keeps it in
//! the store's `mls_state` table, one value per key:
//!
//! - the key is a label naming what is kept (`Tree`, `GroupContext`, `EpochSecrets`, ...), a
//!   zero byte, the JSON of openmls's key for it (a group id, a public key, a hash reference,
//!   a tuple of them) and the storage format's version ([`CURRENT_VERSION`], two bytes, big
//!   endian): a later format of the same state has other keys;
//! - the value is the JSON of the openmls type (they are all serde types); a list (this
//!   device's own leaf nodes in a group, the references of its queued proposals) is one JSON
//!   array under one key.
//!
//! # Writes are buffered until the operation has succeeded
//!
//! One MLS operation writes many values (a commit merged writes the tree, the context, the
//! transcript hash, the epoch secrets, the message secrets, the key pairs of the new epoch and
//! deletes the old ones). Every write goes to an in-memory [`MlsBatch`] first, and every read
//! sees that batch before the store. After the operation has succeeded, the caller calls
//! [`StoreStorage::commit`], which applies the whole batch in one store transaction; if the
//! operation failed, [`StoreStorage::discard`] drops it. So a crash, or a failure, before the
//! commit leaves the previous epoch's state whole in the store, never half of the next one. An
//! `MlsGroup` held in memory after a discard may be ahead of the store: load it again
//! (`MlsGroup::load`).
//!
//! Nothing here logs a key or a value: openmls's state holds the group's secrets.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use diplomatie_store::{MlsBatch, Store, StoreError};
use openmls_traits::storage::{CURRENT_VERSION, StorageProvider, traits};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use zeroize::Zeroize;

// What each value is, the first part of its key. None is a prefix of another followed by a
// zero byte, so two labels never make the same key.
const KEY_PACKAGE: &str = "KeyPackage";
const PSK: &str = "Psk";
const ENCRYPTION_KEY_PAIR: &str = "EncryptionKeyPair";
const SIGNATURE_KEY_PAIR: &str = "SignatureKeyPair";
const EPOCH_KEY_PAIRS: &str = "EpochKeyPairs";
const TREE: &str = "Tree";
const GROUP_CONTEXT: &str = "GroupContext";
const INTERIM_TRANSCRIPT_HASH: &str = "InterimTranscriptHash";
const CONFIRMATION_TAG: &str = "ConfirmationTag";
const JOIN_CONFIG: &str = "MlsGroupJoinConfig";
const OWN_LEAF_NODES: &str = "OwnLeafNodes";
const GROUP_STATE: &str = "GroupState";
const QUEUED_PROPOSAL: &str = "QueuedProposal";
const PROPOSAL_QUEUE_REFS: &str = "ProposalQueueRefs";
const OWN_LEAF_INDEX: &str = "OwnLeafNodeIndex";
const EPOCH_SECRETS: &str = "EpochSecrets";
const RESUMPTION_PSK_STORE: &str = "ResumptionPsk";
const MESSAGE_SECRETS: &str = "MessageSecrets";

/// What can go wrong keeping openmls's state. The messages name what failed, never a key or
/// a value.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the MLS state ({label}) could not be encoded ({category:?} error)")]
    Encode {
        label: &'static str,
        category: Category,
    },
    #[error(
        "the MLS state ({label}) in the store could not be read ({category:?} error): it was written by another version, or is damaged; run `diplo check`"
    )]
    Decode {
        label: &'static str,
        category: Category,
    },
    #[error(
        "the MLS state of a group is incomplete: a queued proposal is listed but not stored; run `diplo check`"
    )]
    MissingProposal,
}

fn encode(label: &'static str, value: &impl Serialize) -> Result<Vec<u8>, StorageError> {
    serde_json::to_vec(value).map_err(|e| StorageError::Encode {
        label,
        category: e.classify(),
    })
}

/// Decodes `bytes`, then wipes them: values may be secrets.
fn decode<V: DeserializeOwned>(label: &'static str, mut bytes: Vec<u8>) -> Result<V, StorageError> {
    let decoded = serde_json::from_slice(&bytes).map_err(|e| StorageError::Decode {
        label,
        category: e.classify(),
    });
    bytes.zeroize();
    decoded
}

/// The store's key of the value `label` of `key`.
fn storage_key(label: &'static str, key: &impl Serialize) -> Result<Vec<u8>, StorageError> {
    let encoded = encode(label, key)?;
    let mut out = Vec::with_capacity(label.len() + 1 + encoded.len() + 2);
    out.extend_from_slice(label.as_bytes());
    out.push(0);
    out.extend_from_slice(&encoded);
    out.extend_from_slice(&CURRENT_VERSION.to_be_bytes());
    Ok(out)
}

/// openmls's storage over the profile's store, its writes buffered until
/// [`commit`](Self::commit) (see the module doc).
pub struct StoreStorage {
    store: Arc<Store>,
    pending: Mutex<MlsBatch>,
}

impl std::fmt::Debug for StoreStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreStorage")
            .field("store", &self.store)
            .field("pending_writes", &self.pending().len())
            .finish()
    }
}

impl StoreStorage {
    pub fn new(store: Arc<Store>) -> Self {
        Self {
            store,
            pending: Mutex::new(MlsBatch::new()),
        }
    }

    fn pending(&self) -> MutexGuard<'_, MlsBatch> {
        // The batch is plain data, whole after any panic.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies every buffered write in one store transaction. Call it once the MLS operation
    /// has succeeded. On an error nothing is written and the writes stay buffered: commit
    /// again, or discard them.
    pub fn commit(&self) -> Result<(), StorageError> {
        let mut pending = self.pending();
        self.store.mls_apply(&pending)?;
        pending.clear();
        Ok(())
    }

    /// Drops every buffered write: the store keeps the state it had at the last commit.
    pub fn discard(&self) {
        self.pending().clear();
    }

    /// Hands over the buffered writes, leaving none: for a store method that applies them in
    /// the transaction of records of its own, so both are kept or neither.
    pub fn take_pending(&self) -> MlsBatch {
        std::mem::take(&mut *self.pending())
    }

    /// How many keys the buffered writes set or delete.
    pub fn pending_writes(&self) -> usize {
        self.pending().len()
    }

    /// The bytes under `key`, the buffered writes first.
    fn get(&self, pending: &MlsBatch, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        match pending.get(key) {
            Some(buffered) => Ok(buffered.map(<[u8]>::to_vec)),
            None => Ok(self.store.mls_get(key)?),
        }
    }

    fn write(
        &self,
        label: &'static str,
        key: &impl Serialize,
        value: &impl Serialize,
    ) -> Result<(), StorageError> {
        let key = storage_key(label, key)?;
        let value = encode(label, value)?;
        self.pending().put(key, value);
        Ok(())
    }

    fn read<V: DeserializeOwned>(
        &self,
        label: &'static str,
        key: &impl Serialize,
    ) -> Result<Option<V>, StorageError> {
        let key = storage_key(label, key)?;
        let bytes = self.get(&self.pending(), &key)?;
        bytes.map(|b| decode(label, b)).transpose()
    }

    fn delete(&self, label: &'static str, key: &impl Serialize) -> Result<(), StorageError> {
        let key = storage_key(label, key)?;
        self.pending().delete(key);
        Ok(())
    }

    /// The list under `key`, as JSON values.
    fn list(
        &self,
        pending: &MlsBatch,
        label: &'static str,
        key: &[u8],
    ) -> Result<Vec<serde_json::Value>, StorageError> {
        match self.get(pending, key)? {
            Some(bytes) => decode(label, bytes),
            None => Ok(Vec::new()),
        }
    }

    /// Changes the list under `key` (read, changed and buffered under one lock).
    fn update_list(
        &self,
        label: &'static str,
        key: &impl Serialize,
        change: impl FnOnce(&mut Vec<serde_json::Value>),
    ) -> Result<(), StorageError> {
        let key = storage_key(label, key)?;
        let mut pending = self.pending();
        let mut list = self.list(&pending, label, &key)?;
        change(&mut list);
        let value = encode(label, &list)?;
        pending.put(key, value);
        Ok(())
    }

    fn append(
        &self,
        label: &'static str,
        key: &impl Serialize,
        item: &impl Serialize,
    ) -> Result<(), StorageError> {
        let item = serde_json::to_value(item).map_err(|e| StorageError::Encode {
            label,
            category: e.classify(),
        })?;
        self.update_list(label, key, |list| list.push(item))
    }

    /// Removes the first entry equal to `item`, if any.
    fn remove_from_list(
        &self,
        label: &'static str,
        key: &impl Serialize,
        item: &impl Serialize,
    ) -> Result<(), StorageError> {
        let item = serde_json::to_value(item).map_err(|e| StorageError::Encode {
            label,
            category: e.classify(),
        })?;
        self.update_list(label, key, |list| {
            if let Some(at) = list.iter().position(|entry| *entry == item) {
                list.remove(at);
            }
        })
    }

    fn read_list<V: DeserializeOwned>(
        &self,
        label: &'static str,
        key: &impl Serialize,
    ) -> Result<Vec<V>, StorageError> {
        let key = storage_key(label, key)?;
        self.list(&self.pending(), label, &key)?
            .into_iter()
            .map(|value| {
                serde_json::from_value(value).map_err(|e| StorageError::Decode {
                    label,
                    category: e.classify(),
                })
            })
            .collect()
    }
}

impl Drop for StoreStorage {
    fn drop(&mut self) {
        let left = self.pending().len();
        if left > 0 {
            tracing::warn!(writes = left, "MLS state dropped without being committed");
        }
    }
}

/// openmls's key for the key pairs of `group_id`'s `epoch` for the leaf `leaf_index`.
fn epoch_key<'a, G: Serialize, E: Serialize>(
    group_id: &'a G,
    epoch: &'a E,
    leaf_index: u32,
) -> (&'a G, &'a E, u32) {
    (group_id, epoch, leaf_index)
}

impl StorageProvider<CURRENT_VERSION> for StoreStorage {
    type Error = StorageError;

    // Writes of a group's state.

    fn write_mls_join_config<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        MlsGroupJoinConfig: traits::MlsGroupJoinConfig<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        config: &MlsGroupJoinConfig,
    ) -> Result<(), Self::Error> {
        self.write(JOIN_CONFIG, group_id, config)
    }

    fn append_own_leaf_node<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        LeafNode: traits::LeafNode<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        leaf_node: &LeafNode,
    ) -> Result<(), Self::Error> {
        self.append(OWN_LEAF_NODES, group_id, leaf_node)
    }

    fn queue_proposal<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        ProposalRef: traits::ProposalRef<CURRENT_VERSION>,
        QueuedProposal: traits::QueuedProposal<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        proposal_ref: &ProposalRef,
        proposal: &QueuedProposal,
    ) -> Result<(), Self::Error> {
        self.write(QUEUED_PROPOSAL, &(group_id, proposal_ref), proposal)?;
        self.append(PROPOSAL_QUEUE_REFS, group_id, proposal_ref)
    }

    fn write_tree<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        TreeSync: traits::TreeSync<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        tree: &TreeSync,
    ) -> Result<(), Self::Error> {
        self.write(TREE, group_id, tree)
    }

    fn write_interim_transcript_hash<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        InterimTranscriptHash: traits::InterimTranscriptHash<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        interim_transcript_hash: &InterimTranscriptHash,
    ) -> Result<(), Self::Error> {
        self.write(INTERIM_TRANSCRIPT_HASH, group_id, interim_transcript_hash)
    }

    fn write_context<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        GroupContext: traits::GroupContext<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        group_context: &GroupContext,
    ) -> Result<(), Self::Error> {
        self.write(GROUP_CONTEXT, group_id, group_context)
    }

    fn write_confirmation_tag<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        ConfirmationTag: traits::ConfirmationTag<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        confirmation_tag: &ConfirmationTag,
    ) -> Result<(), Self::Error> {
        self.write(CONFIRMATION_TAG, group_id, confirmation_tag)
    }

    fn write_group_state<
        GroupState: traits::GroupState<CURRENT_VERSION>,
        GroupId: traits::GroupId<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        group_state: &GroupState,
    ) -> Result<(), Self::Error> {
        self.write(GROUP_STATE, group_id, group_state)
    }

    fn write_message_secrets<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        MessageSecrets: traits::MessageSecrets<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        message_secrets: &MessageSecrets,
    ) -> Result<(), Self::Error> {
        self.write(MESSAGE_SECRETS, group_id, message_secrets)
    }

    fn write_resumption_psk_store<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        ResumptionPskStore: traits::ResumptionPskStore<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        resumption_psk_store: &ResumptionPskStore,
    ) -> Result<(), Self::Error> {
        self.write(RESUMPTION_PSK_STORE, group_id, resumption_psk_store)
    }

    fn write_own_leaf_index<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        LeafNodeIndex: traits::LeafNodeIndex<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        own_leaf_index: &LeafNodeIndex,
    ) -> Result<(), Self::Error> {
        self.write(OWN_LEAF_INDEX, group_id, own_leaf_index)
    }

    fn write_group_epoch_secrets<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        GroupEpochSecrets: traits::GroupEpochSecrets<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        group_epoch_secrets: &GroupEpochSecrets,
    ) -> Result<(), Self::Error> {
        self.write(EPOCH_SECRETS, group_id, group_epoch_secrets)
    }

    // Writes of keys.

    fn write_signature_key_pair<
        SignaturePublicKey: traits::SignaturePublicKey<CURRENT_VERSION>,
        SignatureKeyPair: traits::SignatureKeyPair<CURRENT_VERSION>,
    >(
        &self,
        public_key: &SignaturePublicKey,
        signature_key_pair: &SignatureKeyPair,
    ) -> Result<(), Self::Error> {
        self.write(SIGNATURE_KEY_PAIR, public_key, signature_key_pair)
    }

    fn write_encryption_key_pair<
        EncryptionKey: traits::EncryptionKey<CURRENT_VERSION>,
        HpkeKeyPair: traits::HpkeKeyPair<CURRENT_VERSION>,
    >(
        &self,
        public_key: &EncryptionKey,
        key_pair: &HpkeKeyPair,
    ) -> Result<(), Self::Error> {
        self.write(ENCRYPTION_KEY_PAIR, public_key, key_pair)
    }

    fn write_encryption_epoch_key_pairs<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        EpochKey: traits::EpochKey<CURRENT_VERSION>,
        HpkeKeyPair: traits::HpkeKeyPair<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        epoch: &EpochKey,
        leaf_index: u32,
        key_pairs: &[HpkeKeyPair],
    ) -> Result<(), Self::Error> {
        self.write(
            EPOCH_KEY_PAIRS,
            &epoch_key(group_id, epoch, leaf_index),
            &key_pairs,
        )
    }

    fn write_key_package<
        HashReference: traits::HashReference<CURRENT_VERSION>,
        KeyPackage: traits::KeyPackage<CURRENT_VERSION>,
    >(
        &self,
        hash_ref: &HashReference,
        key_package: &KeyPackage,
    ) -> Result<(), Self::Error> {
        self.write(KEY_PACKAGE, hash_ref, key_package)
    }

    fn write_psk<
        PskId: traits::PskId<CURRENT_VERSION>,
        PskBundle: traits::PskBundle<CURRENT_VERSION>,
    >(
        &self,
        psk_id: &PskId,
        psk: &PskBundle,
    ) -> Result<(), Self::Error> {
        self.write(PSK, psk_id, psk)
    }

    // Reads of a group's state.

    fn mls_group_join_config<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        MlsGroupJoinConfig: traits::MlsGroupJoinConfig<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Option<MlsGroupJoinConfig>, Self::Error> {
        self.read(JOIN_CONFIG, group_id)
    }

    fn own_leaf_nodes<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        LeafNode: traits::LeafNode<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Vec<LeafNode>, Self::Error> {
        self.read_list(OWN_LEAF_NODES, group_id)
    }

    fn queued_proposal_refs<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        ProposalRef: traits::ProposalRef<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Vec<ProposalRef>, Self::Error> {
        self.read_list(PROPOSAL_QUEUE_REFS, group_id)
    }

    fn queued_proposals<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        ProposalRef: traits::ProposalRef<CURRENT_VERSION>,
        QueuedProposal: traits::QueuedProposal<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Vec<(ProposalRef, QueuedProposal)>, Self::Error> {
        let refs: Vec<ProposalRef> = self.read_list(PROPOSAL_QUEUE_REFS, group_id)?;
        refs.into_iter()
            .map(|proposal_ref| {
                let proposal = self
                    .read(QUEUED_PROPOSAL, &(group_id, &proposal_ref))?
                    .ok_or(StorageError::MissingProposal)?;
                Ok((proposal_ref, proposal))
            })
            .collect()
    }

    fn tree<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        TreeSync: traits::TreeSync<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Option<TreeSync>, Self::Error> {
        self.read(TREE, group_id)
    }

    fn group_context<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        GroupContext: traits::GroupContext<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Option<GroupContext>, Self::Error> {
        self.read(GROUP_CONTEXT, group_id)
    }

    fn interim_transcript_hash<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        InterimTranscriptHash: traits::InterimTranscriptHash<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Option<InterimTranscriptHash>, Self::Error> {
        self.read(INTERIM_TRANSCRIPT_HASH, group_id)
    }

    fn confirmation_tag<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        ConfirmationTag: traits::ConfirmationTag<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Option<ConfirmationTag>, Self::Error> {
        self.read(CONFIRMATION_TAG, group_id)
    }

    fn group_state<
        GroupState: traits::GroupState<CURRENT_VERSION>,
        GroupId: traits::GroupId<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Option<GroupState>, Self::Error> {
        self.read(GROUP_STATE, group_id)
    }

    fn message_secrets<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        MessageSecrets: traits::MessageSecrets<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Option<MessageSecrets>, Self::Error> {
        self.read(MESSAGE_SECRETS, group_id)
    }

    fn resumption_psk_store<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        ResumptionPskStore: traits::ResumptionPskStore<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Option<ResumptionPskStore>, Self::Error> {
        self.read(RESUMPTION_PSK_STORE, group_id)
    }

    fn own_leaf_index<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        LeafNodeIndex: traits::LeafNodeIndex<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Option<LeafNodeIndex>, Self::Error> {
        self.read(OWN_LEAF_INDEX, group_id)
    }

    fn group_epoch_secrets<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        GroupEpochSecrets: traits::GroupEpochSecrets<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<Option<GroupEpochSecrets>, Self::Error> {
        self.read(EPOCH_SECRETS, group_id)
    }

    // Reads of keys.

    fn signature_key_pair<
        SignaturePublicKey: traits::SignaturePublicKey<CURRENT_VERSION>,
        SignatureKeyPair: traits::SignatureKeyPair<CURRENT_VERSION>,
    >(
        &self,
        public_key: &SignaturePublicKey,
    ) -> Result<Option<SignatureKeyPair>, Self::Error> {
        self.read(SIGNATURE_KEY_PAIR, public_key)
    }

    fn encryption_key_pair<
        HpkeKeyPair: traits::HpkeKeyPair<CURRENT_VERSION>,
        EncryptionKey: traits::EncryptionKey<CURRENT_VERSION>,
    >(
        &self,
        public_key: &EncryptionKey,
    ) -> Result<Option<HpkeKeyPair>, Self::Error> {
        self.read(ENCRYPTION_KEY_PAIR, public_key)
    }

    fn encryption_epoch_key_pairs<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        EpochKey: traits::EpochKey<CURRENT_VERSION>,
        HpkeKeyPair: traits::HpkeKeyPair<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        epoch: &EpochKey,
        leaf_index: u32,
    ) -> Result<Vec<HpkeKeyPair>, Self::Error> {
        Ok(self
            .read(EPOCH_KEY_PAIRS, &epoch_key(group_id, epoch, leaf_index))?
            .unwrap_or_default())
    }

    fn key_package<
        KeyPackageRef: traits::HashReference<CURRENT_VERSION>,
        KeyPackage: traits::KeyPackage<CURRENT_VERSION>,
    >(
        &self,
        hash_ref: &KeyPackageRef,
    ) -> Result<Option<KeyPackage>, Self::Error> {
        self.read(KEY_PACKAGE, hash_ref)
    }

    fn psk<PskBundle: traits::PskBundle<CURRENT_VERSION>, PskId: traits::PskId<CURRENT_VERSION>>(
        &self,
        psk_id: &PskId,
    ) -> Result<Option<PskBundle>, Self::Error> {
        self.read(PSK, psk_id)
    }

    // Deletes of a group's state.

    fn remove_proposal<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        ProposalRef: traits::ProposalRef<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        proposal_ref: &ProposalRef,
    ) -> Result<(), Self::Error> {
        self.remove_from_list(PROPOSAL_QUEUE_REFS, group_id, proposal_ref)?;
        self.delete(QUEUED_PROPOSAL, &(group_id, proposal_ref))
    }

    fn delete_own_leaf_nodes<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(OWN_LEAF_NODES, group_id)
    }

    fn delete_group_config<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(JOIN_CONFIG, group_id)
    }

    fn delete_tree<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(TREE, group_id)
    }

    fn delete_confirmation_tag<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(CONFIRMATION_TAG, group_id)
    }

    fn delete_group_state<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(GROUP_STATE, group_id)
    }

    fn delete_context<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(GROUP_CONTEXT, group_id)
    }

    fn delete_interim_transcript_hash<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(INTERIM_TRANSCRIPT_HASH, group_id)
    }

    fn delete_message_secrets<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(MESSAGE_SECRETS, group_id)
    }

    fn delete_all_resumption_psk_secrets<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(RESUMPTION_PSK_STORE, group_id)
    }

    fn delete_own_leaf_index<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(OWN_LEAF_INDEX, group_id)
    }

    fn delete_group_epoch_secrets<GroupId: traits::GroupId<CURRENT_VERSION>>(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        self.delete(EPOCH_SECRETS, group_id)
    }

    fn clear_proposal_queue<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        ProposalRef: traits::ProposalRef<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
    ) -> Result<(), Self::Error> {
        let refs: Vec<ProposalRef> = self.read_list(PROPOSAL_QUEUE_REFS, group_id)?;
        for proposal_ref in &refs {
            self.delete(QUEUED_PROPOSAL, &(group_id, proposal_ref))?;
        }
        self.delete(PROPOSAL_QUEUE_REFS, group_id)
    }

    // Deletes of keys.

    fn delete_signature_key_pair<
        SignaturePublicKey: traits::SignaturePublicKey<CURRENT_VERSION>,
    >(
        &self,
        public_key: &SignaturePublicKey,
    ) -> Result<(), Self::Error> {
        self.delete(SIGNATURE_KEY_PAIR, public_key)
    }

    fn delete_encryption_key_pair<EncryptionKey: traits::EncryptionKey<CURRENT_VERSION>>(
        &self,
        public_key: &EncryptionKey,
    ) -> Result<(), Self::Error> {
        self.delete(ENCRYPTION_KEY_PAIR, public_key)
    }

    fn delete_encryption_epoch_key_pairs<
        GroupId: traits::GroupId<CURRENT_VERSION>,
        EpochKey: traits::EpochKey<CURRENT_VERSION>,
    >(
        &self,
        group_id: &GroupId,
        epoch: &EpochKey,
        leaf_index: u32,
    ) -> Result<(), Self::Error> {
        self.delete(EPOCH_KEY_PAIRS, &epoch_key(group_id, epoch, leaf_index))
    }

    fn delete_key_package<KeyPackageRef: traits::HashReference<CURRENT_VERSION>>(
        &self,
        hash_ref: &KeyPackageRef,
    ) -> Result<(), Self::Error> {
        self.delete(KEY_PACKAGE, hash_ref)
    }

    fn delete_psk<PskKey: traits::PskId<CURRENT_VERSION>>(
        &self,
        psk_id: &PskKey,
    ) -> Result<(), Self::Error> {
        self.delete(PSK, psk_id)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use diplomatie_store::KdfCost;
    use openmls::prelude::{GroupId, LeafNodeIndex};

    use super::*;

    fn store() -> (tempfile::TempDir, Arc<Store>) {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::create(
            &tmp.path().join("p"),
            "storage test passphrase",
            KdfCost::MIN,
        )
        .unwrap();
        (tmp, Arc::new(store))
    }

    fn index(storage: &StoreStorage, group: &GroupId) -> Option<u32> {
        let read: Option<LeafNodeIndex> = storage.own_leaf_index(group).unwrap();
        read.map(|i| i.u32())
    }

    #[test]
    fn writes_are_seen_at_once_and_reach_the_store_at_commit() {
        let (_tmp, store) = store();
        let storage = StoreStorage::new(store.clone());
        let other = StoreStorage::new(store.clone());
        let group = GroupId::from_slice(b"space");
        storage
            .write_own_leaf_index(&group, &LeafNodeIndex::new(3))
            .unwrap();
        assert_eq!(
            index(&storage, &group),
            Some(3),
            "reads see buffered writes"
        );
        assert_eq!(index(&other, &group), None, "nothing in the store yet");
        assert_eq!(storage.pending_writes(), 1);
        storage.commit().unwrap();
        assert_eq!(storage.pending_writes(), 0);
        assert_eq!(index(&other, &group), Some(3));

        storage.delete_own_leaf_index(&group).unwrap();
        assert_eq!(
            index(&storage, &group),
            None,
            "a buffered delete hides the store"
        );
        assert_eq!(index(&other, &group), Some(3));
        storage.discard();
        assert_eq!(index(&storage, &group), Some(3), "discarded");
        storage.delete_own_leaf_index(&group).unwrap();
        storage.commit().unwrap();
        assert_eq!(index(&other, &group), None);
    }

    #[test]
    fn keys_are_distinct_per_label_group_and_version() {
        let a = storage_key(TREE, &GroupId::from_slice(b"a")).unwrap();
        let b = storage_key(TREE, &GroupId::from_slice(b"b")).unwrap();
        let c = storage_key(GROUP_CONTEXT, &GroupId::from_slice(b"a")).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert!(a.starts_with(b"Tree\0"));
        assert!(a.ends_with(&CURRENT_VERSION.to_be_bytes()));
    }

    #[test]
    fn unreadable_state_is_an_error_that_shows_no_value() {
        let (_tmp, store) = store();
        let group = GroupId::from_slice(b"space");
        let key = storage_key(OWN_LEAF_INDEX, &group).unwrap();
        store.mls_put(&key, b"\"secret-looking value\"").unwrap();
        let storage = StoreStorage::new(store);
        let err = StorageProvider::<CURRENT_VERSION>::own_leaf_index::<_, LeafNodeIndex>(
            &storage, &group,
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("OwnLeafNodeIndex"), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }

    #[test]
    fn debug_shows_no_state() {
        let (_tmp, store) = store();
        let storage = StoreStorage::new(store);
        storage
            .write_own_leaf_index(&GroupId::from_slice(b"space"), &LeafNodeIndex::new(7))
            .unwrap();
        let shown = format!("{storage:?}");
        assert!(shown.contains("pending_writes: 1"), "{shown}");
        storage.discard();
    }
}
