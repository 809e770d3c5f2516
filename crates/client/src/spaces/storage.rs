//! openmls's state kept in the profile's encrypted store.
//!
//! openmls reads and writes its state through [`StorageProvider`]; [`StoreStorage`] keeps it in
//! the store's `mls_state` table, one value per key:
//!
//! - the key is a label naming what is kept (`Tree`, `GroupContext`, `EpochSecrets`, ...), a
//!   zero byte, the JSON of openmls's key for it (a group id, a public key, a hash reference,
//!   a tuple of them) and the storage format's version ([`CURRENT_VERSION`], two bytes, big
//!   endian): a later format of the same state has other keys;
//! - the value is the openmls type (they are all serde types) in postcard, a compact binary
//!   serde encoding, after a format byte ([`POSTCARD`]); a list (this device's own leaf nodes
//!   in a group, the references of its queued proposals) is one sequence under one key.
//!
//! # Values: postcard, and the JSON of earlier versions
//!
//! Earlier versions kept every value as openmls's serde JSON, in which every byte string is a
//! list of decimal numbers: the ratchet tree of a space of 200 devices was 192 KiB, and openmls
//! rewrites it at every epoch. In postcard a byte is a byte (the same tree is about 35 KiB),
//! and the store's transaction, which encrypts and syncs every page it writes, shrinks with it.
//!
//! A value starting with [`POSTCARD`] is postcard; any other is JSON, which never starts with
//! that byte (a JSON text starts with `{`, `[`, `"`, `-`, a digit, `t`, `f`, `n` or
//! whitespace). So state written by an earlier version is read as it is, and each value is
//! written again in postcard the next time openmls writes it (the tree, the context, the
//! secrets: at the next epoch). A list is read either way and written whole in postcard when
//! it changes. Nothing is rewritten on a read: reading a group leaves the store as it was.
//!
//! One value stays JSON: a group's join configuration. Its past-epoch deletion policy is read
//! by openmls as an untagged enum (a number, or the tagged form of older versions), which only
//! a self-describing format can decode; it is written once per group and is a few hundred
//! bytes.
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
use serde::de::DeserializeOwned;
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
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

/// The first byte of a value in postcard. No JSON text starts with it, so a value without it
/// is JSON, as earlier versions wrote every value.
pub(crate) const POSTCARD: u8 = 0x01;

/// What can go wrong keeping openmls's state. The messages name what failed and how, never a
/// key or a value.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the MLS state ({label}) could not be encoded ({why})")]
    Encode { label: &'static str, why: String },
    #[error(
        "the MLS state ({label}) in the store could not be read ({why}): it was written by another version, or is damaged; run `diplo check`"
    )]
    Decode { label: &'static str, why: String },
    #[error(
        "the MLS state of a group is incomplete: a queued proposal is listed but not stored; run `diplo check`"
    )]
    MissingProposal,
}

/// Why JSON failed, without the text it quotes (a fragment of the value, perhaps).
fn json_why(e: &serde_json::Error) -> String {
    format!("JSON, {:?} error", e.classify())
}

/// Why postcard failed: its messages are fixed texts, never the value.
fn postcard_why(e: &postcard::Error) -> String {
    format!("postcard: {e}")
}

/// `value` as JSON, the encoding of keys, and of values where postcard cannot serve.
fn json(label: &'static str, value: &impl Serialize) -> Result<Vec<u8>, StorageError> {
    serde_json::to_vec(value).map_err(|e| StorageError::Encode {
        label,
        why: json_why(&e),
    })
}

/// `value` in postcard after its format byte.
fn postcard(label: &'static str, value: &impl Serialize) -> Result<Vec<u8>, StorageError> {
    postcard::to_extend(value, vec![POSTCARD]).map_err(|e| StorageError::Encode {
        label,
        why: postcard_why(&e),
    })
}

/// Decodes `bytes`, postcard or JSON by their first byte, then wipes them: values may be
/// secrets.
fn decode<V: DeserializeOwned>(label: &'static str, mut bytes: Vec<u8>) -> Result<V, StorageError> {
    let decoded = match bytes.split_first() {
        Some((&POSTCARD, encoded)) => match postcard::take_from_bytes(encoded) {
            Ok((value, [])) => Ok(value),
            Ok(_) => Err(StorageError::Decode {
                label,
                why: "postcard: bytes after the value".to_owned(),
            }),
            Err(e) => Err(StorageError::Decode {
                label,
                why: postcard_why(&e),
            }),
        },
        _ => serde_json::from_slice(&bytes).map_err(|e| StorageError::Decode {
            label,
            why: json_why(&e),
        }),
    };
    bytes.zeroize();
    decoded
}

/// The store's key of the value `label` of `key`.
fn storage_key(label: &'static str, key: &impl Serialize) -> Result<Vec<u8>, StorageError> {
    let encoded = json(label, key)?;
    let mut out = Vec::with_capacity(label.len() + 1 + encoded.len() + 2);
    out.extend_from_slice(label.as_bytes());
    out.push(0);
    out.extend_from_slice(&encoded);
    out.extend_from_slice(&CURRENT_VERSION.to_be_bytes());
    Ok(out)
}

/// A list and one more entry after it, serialized as one sequence: an entry is appended
/// without being cloned.
struct Appended<'a, T>(&'a [T], &'a T);

impl<T: Serialize> Serialize for Appended<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len() + 1))?;
        for entry in self.0 {
            seq.serialize_element(entry)?;
        }
        seq.serialize_element(self.1)?;
        seq.end()
    }
}

/// openmls's storage over the profile's store, its writes buffered until
/// [`commit`](Self::commit) (see the module doc).
pub struct StoreStorage {
    store: Arc<Store>,
    pending: Mutex<MlsBatch>,
    /// Write every value as JSON, as earlier versions did: for the tests of reading them.
    #[cfg(test)]
    json_writes: bool,
    /// The keys written, for the tests to look at what is kept.
    #[cfg(test)]
    written: Mutex<std::collections::BTreeSet<Vec<u8>>>,
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
            #[cfg(test)]
            json_writes: false,
            #[cfg(test)]
            written: Mutex::default(),
        }
    }

    /// A storage that writes every value as JSON, the way earlier versions did.
    #[cfg(test)]
    pub(crate) fn writing_json(store: Arc<Store>) -> Self {
        Self {
            store,
            pending: Mutex::new(MlsBatch::new()),
            json_writes: true,
            written: Mutex::default(),
        }
    }

    /// The bytes the store keeps for `label` of `key`, as encoded (tests only).
    #[cfg(test)]
    pub(crate) fn stored(
        &self,
        label: &'static str,
        key: &impl Serialize,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.store.mls_get(&storage_key(label, key)?)?)
    }

    /// Every value this storage has written that the store keeps, by the label of its key,
    /// as encoded (tests only).
    #[cfg(test)]
    pub(crate) fn stored_values(&self) -> Vec<(String, Vec<u8>)> {
        let written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = Vec::new();
        for key in written.iter() {
            if let Some(value) = self.store.mls_get(key).unwrap_or_default() {
                let label = key.split(|b| *b == 0).next().unwrap_or_default();
                out.push((String::from_utf8_lossy(label).into_owned(), value));
            }
        }
        out
    }

    /// Buffers `value` under `key`.
    fn put(&self, pending: &mut MlsBatch, key: Vec<u8>, value: Vec<u8>) {
        #[cfg(test)]
        self.written
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone());
        pending.put(key, value);
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

    /// Writes the buffered writes as [`StoreStorage::commit`] does, for a commit of another
    /// member that the relay still holds: not synced to disk before it returns (a power cut
    /// may lose it, and the commit is processed again).
    pub fn commit_replayable(&self) -> Result<(), StorageError> {
        let mut pending = self.pending();
        self.store.mls_apply_replayable(&pending)?;
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

    /// `value` as it is kept: postcard, but the join configuration in JSON (see the module
    /// doc).
    fn encode(&self, label: &'static str, value: &impl Serialize) -> Result<Vec<u8>, StorageError> {
        #[cfg(test)]
        if self.json_writes {
            return json(label, value);
        }
        if label == JOIN_CONFIG {
            json(label, value)
        } else {
            postcard(label, value)
        }
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
        let value = self.encode(label, value)?;
        self.put(&mut self.pending(), key, value);
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

    /// The list under `key`.
    fn list<T: DeserializeOwned>(
        &self,
        pending: &MlsBatch,
        label: &'static str,
        key: &[u8],
    ) -> Result<Vec<T>, StorageError> {
        match self.get(pending, key)? {
            Some(bytes) => decode(label, bytes),
            None => Ok(Vec::new()),
        }
    }

    /// Adds `item` at the end of the list under `key` (read, changed and buffered under one
    /// lock). A list in JSON is written again in postcard.
    fn append<T: Serialize + DeserializeOwned>(
        &self,
        label: &'static str,
        key: &impl Serialize,
        item: &T,
    ) -> Result<(), StorageError> {
        let key = storage_key(label, key)?;
        let mut pending = self.pending();
        let list: Vec<T> = self.list(&pending, label, &key)?;
        let value = self.encode(label, &Appended(&list, item))?;
        self.put(&mut pending, key, value);
        Ok(())
    }

    /// Removes the first entry equal to `item` (the same encoding), if any.
    fn remove_from_list<T: Serialize + DeserializeOwned>(
        &self,
        label: &'static str,
        key: &impl Serialize,
        item: &T,
    ) -> Result<(), StorageError> {
        let key = storage_key(label, key)?;
        let mut pending = self.pending();
        let mut list: Vec<T> = self.list(&pending, label, &key)?;
        let wanted = postcard(label, item)?;
        let mut found = None;
        for (at, entry) in list.iter().enumerate() {
            if postcard(label, entry)? == wanted {
                found = Some(at);
                break;
            }
        }
        if let Some(at) = found {
            list.remove(at);
        }
        let value = self.encode(label, &list)?;
        self.put(&mut pending, key, value);
        Ok(())
    }

    fn read_list<V: DeserializeOwned>(
        &self,
        label: &'static str,
        key: &impl Serialize,
    ) -> Result<Vec<V>, StorageError> {
        let key = storage_key(label, key)?;
        self.list(&self.pending(), label, &key)
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
    use openmls::prelude::{GroupId, LeafNodeIndex, MlsGroupJoinConfig};

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
    fn damaged_postcard_is_an_error_that_shows_no_value() {
        let (_tmp, store) = store();
        let group = GroupId::from_slice(b"space");
        let key = storage_key(OWN_LEAF_INDEX, &group).unwrap();
        let storage = StoreStorage::new(store.clone());
        let read = || {
            StorageProvider::<CURRENT_VERSION>::own_leaf_index::<_, LeafNodeIndex>(&storage, &group)
                .unwrap_err()
                .to_string()
        };
        store.mls_put(&key, &[POSTCARD]).unwrap();
        let message = read();
        assert!(message.contains("OwnLeafNodeIndex"), "{message}");
        assert!(message.contains("postcard"), "{message}");
        // A value with bytes after it is damaged too.
        store.mls_put(&key, &[POSTCARD, 3, 0x5e, 0x5e]).unwrap();
        let message = read();
        assert!(message.contains("bytes after the value"), "{message}");
        assert!(!message.contains("94"), "{message}");
    }

    #[test]
    fn no_json_starts_with_the_postcard_byte() {
        assert!(serde_json::from_slice::<serde_json::Value>(&[POSTCARD]).is_err());
        assert!(serde_json::from_slice::<serde_json::Value>(&[POSTCARD, b'1']).is_err());
        for json in [
            &b"{}"[..],
            b"[]",
            b"\"\"",
            b"-1",
            b"0",
            b"true",
            b"false",
            b"null",
            b" 1",
        ] {
            assert!(serde_json::from_slice::<serde_json::Value>(json).is_ok());
            assert_ne!(json[0], POSTCARD);
        }
    }

    #[test]
    fn values_written_as_json_are_read_and_written_again_in_postcard() {
        let (_tmp, store) = store();
        let group = GroupId::from_slice(b"space");
        let old = StoreStorage::writing_json(store.clone());
        old.write_own_leaf_index(&group, &LeafNodeIndex::new(3))
            .unwrap();
        old.commit().unwrap();
        assert_eq!(
            old.stored(OWN_LEAF_INDEX, &group).unwrap().as_deref(),
            Some(&b"3"[..]),
            "the JSON of earlier versions"
        );

        let storage = StoreStorage::new(store);
        assert_eq!(index(&storage, &group), Some(3), "JSON is still read");
        storage
            .write_own_leaf_index(&group, &LeafNodeIndex::new(4))
            .unwrap();
        storage.commit().unwrap();
        assert_eq!(
            storage.stored(OWN_LEAF_INDEX, &group).unwrap().as_deref(),
            Some(&[POSTCARD, 4][..])
        );
        assert_eq!(index(&storage, &group), Some(4));
    }

    #[test]
    fn a_list_written_as_json_is_read_and_written_again_in_postcard() {
        let (_tmp, store) = store();
        let group = GroupId::from_slice(b"space");
        let entries = |storage: &StoreStorage| -> Vec<u32> {
            storage
                .read_list::<LeafNodeIndex>(OWN_LEAF_NODES, &group)
                .unwrap()
                .into_iter()
                .map(|i| i.u32())
                .collect()
        };
        let old = StoreStorage::writing_json(store.clone());
        for i in [1, 2] {
            old.append(OWN_LEAF_NODES, &group, &LeafNodeIndex::new(i))
                .unwrap();
        }
        old.commit().unwrap();
        assert_eq!(
            old.stored(OWN_LEAF_NODES, &group).unwrap().as_deref(),
            Some(&b"[1,2]"[..])
        );

        let storage = StoreStorage::new(store);
        assert_eq!(entries(&storage), [1, 2], "a JSON list is still read");
        storage
            .append(OWN_LEAF_NODES, &group, &LeafNodeIndex::new(3))
            .unwrap();
        storage.commit().unwrap();
        assert_eq!(
            storage.stored(OWN_LEAF_NODES, &group).unwrap().as_deref(),
            Some(&[POSTCARD, 3, 1, 2, 3][..]),
            "the whole list in postcard: its length, then its entries"
        );
        storage
            .remove_from_list(OWN_LEAF_NODES, &group, &LeafNodeIndex::new(2))
            .unwrap();
        storage
            .remove_from_list(OWN_LEAF_NODES, &group, &LeafNodeIndex::new(9))
            .unwrap();
        assert_eq!(entries(&storage), [1, 3]);
        storage.commit().unwrap();
        assert_eq!(entries(&storage), [1, 3]);
    }

    /// openmls reads the join configuration's past-epoch deletion policy as an untagged enum,
    /// which postcard cannot decode: the configuration is kept in JSON, and read back.
    #[test]
    fn the_join_configuration_is_kept_in_json() {
        let config = MlsGroupJoinConfig::builder()
            .max_past_epochs(3)
            .use_ratchet_tree_extension(true)
            .build();
        let in_postcard = postcard(JOIN_CONFIG, &config).unwrap();
        assert!(decode::<MlsGroupJoinConfig>(JOIN_CONFIG, in_postcard).is_err());

        let (_tmp, store) = store();
        let group = GroupId::from_slice(b"space");
        let storage = StoreStorage::new(store);
        storage.write_mls_join_config(&group, &config).unwrap();
        storage.commit().unwrap();
        let kept = storage.stored(JOIN_CONFIG, &group).unwrap().unwrap();
        assert_eq!(kept.first(), Some(&b'{'));
        let read: MlsGroupJoinConfig = storage.mls_group_join_config(&group).unwrap().unwrap();
        assert_eq!(
            serde_json::to_vec(&read).unwrap(),
            serde_json::to_vec(&config).unwrap()
        );
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
