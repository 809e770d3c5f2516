//! The relay as MLS's delivery service (RFC 9420): the checks of group infos, commits,
//! welcomes and key packages, over openmls's `PublicGroup`, the public half of a group that
//! holds no secret. No I/O: the state comes in and goes out as bytes, which the caller keeps in
//! the database within the transaction that accepts the message.
//!
//! A space's group: its id is the space's id, its ciphersuite [`CIPHERSUITE`], its leaves are
//! devices (a basic credential holding the 16-byte device id, the device's enrolled Ed25519
//! signing key as the leaf's signature key), its handshake messages MLS public messages, so
//! that the relay verifies every commit against the group's state before it orders it.
//! Whether each leaf's device is enrolled with that key is the caller's check, on its
//! database.
//!
//! **The state kept** ([`GroupStore`]): openmls's public storage of one group (the ratchet
//! tree with its public keys, the group context, the interim transcript hash, the confirmation
//! tag; no proposal is ever queued, since the relay takes commits only), each value in
//! postcard, the whole behind a format byte.

use std::cell::RefCell;
use std::collections::BTreeSet;

use diplomatie_protocol::{DeviceId, SpaceId};
use openmls::prelude::tls_codec::{Deserialize as _, Size as _};
use openmls::prelude::*;
use openmls_rust_crypto::RustCrypto;
use openmls_traits::public_storage::PublicStorageProvider;
use openmls_traits::storage::{CURRENT_VERSION, Entity, traits};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The one ciphersuite spaces use.
pub const CIPHERSUITE: Ciphersuite = Ciphersuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;

/// The first byte of a stored group state.
const STATE_FORMAT: u8 = 1;

/// A leaf as the relay reads it: the device its credential names and its signature key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leaf {
    pub device: DeviceId,
    pub key: [u8; 32],
}

fn leaf(credential: &Credential, key: &[u8]) -> Result<Leaf, ApiError> {
    let not_a_device = || {
        ApiError::Forbidden(
            "a leaf of this group is not a device: its credential must be a basic credential holding the 16-byte device id, its key the device's Ed25519 signing key".into(),
        )
    };
    let basic = BasicCredential::try_from(credential.clone()).map_err(|_| not_a_device())?;
    let id: [u8; 16] = basic.identity().try_into().map_err(|_| not_a_device())?;
    let key: [u8; 32] = key.try_into().map_err(|_| not_a_device())?;
    Ok(Leaf {
        device: DeviceId(id),
        key,
    })
}

/// Every leaf of the group, each device once.
fn leaves(group: &PublicGroup) -> Result<Vec<Leaf>, ApiError> {
    let mut seen = BTreeSet::new();
    let mut all = Vec::new();
    for member in group.members() {
        let leaf = leaf(&member.credential, &member.signature_key)?;
        if !seen.insert(leaf.device) {
            return Err(ApiError::Forbidden(format!(
                "device {} holds two leaves of this group: a device is one leaf",
                leaf.device
            )));
        }
        all.push(leaf);
    }
    Ok(all)
}

fn invalid(what: &str) -> impl FnOnce(String) -> ApiError + '_ {
    move |detail| ApiError::BadRequest(format!("{what} ({detail})"))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("MLS state: {e}"))
}

// ---- group infos ----

/// A space's group as its creator gave it.
#[derive(Debug)]
pub struct NewGroup {
    pub epoch: u64,
    pub members: Vec<Leaf>,
    pub state: Vec<u8>,
}

/// The index of the leaf that signed a group info: the last field of `GroupInfoTBS`, just
/// before the signature, which ends the message (RFC 9420 §12.4.3). openmls checks the
/// signature against that leaf, but does not say which leaf it is.
fn group_info_signer(bytes: &[u8], signature: &Signature) -> Option<u32> {
    let end = bytes.len().checked_sub(signature.tls_serialized_len())?;
    let start = end.checked_sub(4)?;
    let field: [u8; 4] = bytes.get(start..end)?.try_into().ok()?;
    Some(u32::from_be_bytes(field))
}

/// Checks the group info a space is created from: an MLS group info with its ratchet tree,
/// for the group `space`, in [`CIPHERSUITE`], whose signature verifies under the leaf of
/// `creator`; then builds the group's public state. Each member's enrolment is the caller's
/// check.
pub fn check_group_info(
    bytes: &[u8],
    space: SpaceId,
    creator: &Leaf,
) -> Result<NewGroup, ApiError> {
    let message = MlsMessageIn::tls_deserialize_exact(bytes).map_err(|e| {
        invalid("the group info is not an MLS message: send the group info with its ratchet tree that openmls's export_group_info gives")(e.to_string())
    })?;
    let MlsMessageBodyIn::GroupInfo(info) = message.extract() else {
        return Err(ApiError::BadRequest(
            "this MLS message is not a group info: send the new group's group info with its ratchet tree".into(),
        ));
    };
    if info.group_id().as_slice() != space.0 {
        return Err(ApiError::BadRequest(
            "the group's id is not the space's id: create the MLS group with the space's id as its group id".into(),
        ));
    }
    if info.ciphersuite() != CIPHERSUITE {
        return Err(ApiError::BadRequest(
            "the group's ciphersuite is not MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, the one spaces use".into(),
        ));
    }
    let tree = info
        .extensions()
        .ratchet_tree()
        .map(|extension| extension.ratchet_tree().clone())
        .ok_or_else(|| {
            ApiError::BadRequest(
                "the group info carries no ratchet tree: export it with the tree".into(),
            )
        })?;
    let store = GroupStore::default();
    let crypto = RustCrypto::default();
    let (group, info) = PublicGroup::from_external(
        &crypto,
        &store,
        tree,
        info,
        ProposalStore::new(),
    )
    .map_err(|e| {
        invalid("the group info does not hold: its signature, tree or leaves are not valid")(
            e.to_string(),
        )
    })?;
    let signer = group_info_signer(bytes, info.signature())
        .and_then(|index| group.leaf(LeafNodeIndex::new(index)))
        .ok_or_else(|| ApiError::BadRequest("the group info's signer is not a leaf".into()))?;
    let signer = leaf(signer.credential(), signer.signature_key().as_slice())?;
    if signer != *creator {
        return Err(ApiError::Forbidden(
            "the group info is not signed by this device's leaf: a device creates a space from its own group".into(),
        ));
    }
    let members = leaves(&group)?;
    Ok(NewGroup {
        epoch: group.group_context().epoch().as_u64(),
        members,
        state: store.encode()?,
    })
}

// ---- commits ----

/// A commit the group accepted, merged into its state.
#[derive(Debug)]
pub struct AcceptedCommit {
    /// The epoch it starts.
    pub epoch: u64,
    /// The group's leaves at that epoch.
    pub members: Vec<Leaf>,
    /// The devices it adds, to whom the welcome goes.
    pub added: Vec<DeviceId>,
    pub state: Vec<u8>,
}

/// Checks `commit`, made at `epoch` by `sender`, against the group's state `state`: an MLS
/// public message, a commit of the group `space` at `epoch`, sent by the leaf of `sender` and
/// verifying under the group's state; `welcome`, if given, addressed to exactly the key
/// packages the commit adds. Returns the state the commit leads to; nothing is kept of a
/// refused commit. Whether each member of the new epoch is enrolled is the caller's check.
pub fn process_commit(
    state: &[u8],
    space: SpaceId,
    epoch: u64,
    sender: &Leaf,
    commit: &[u8],
    welcome: Option<&[u8]>,
) -> Result<AcceptedCommit, ApiError> {
    let message = MlsMessageIn::tls_deserialize_exact(commit).map_err(|e| {
        invalid(
            "the commit is not an MLS message: send the commit openmls gives, as a public message",
        )(e.to_string())
    })?;
    let message = message.try_into_protocol_message().map_err(|_| {
        ApiError::BadRequest(
            "this MLS message is not a commit: send the commit as an MLS public message".into(),
        )
    })?;
    if message.group_id().as_slice() != space.0 {
        return Err(ApiError::BadRequest(
            "this commit is for another group than this space's: send it to its own space".into(),
        ));
    }
    let made_at = message.epoch().as_u64();
    if made_at != epoch {
        return Err(ApiError::BadRequest(format!(
            "this commit was made at epoch {made_at}, not {epoch}: fetch and process the space's commits, then make it again"
        )));
    }
    if message.content_type() != ContentType::Commit {
        return Err(ApiError::BadRequest(
            "this MLS message is not a commit: the relay takes commits only (no proposals or application messages)".into(),
        ));
    }
    let store = GroupStore::decode(state)?;
    let mut group = PublicGroup::load(&store, &GroupId::from_slice(&space.0))
        .map_err(internal)?
        .ok_or_else(|| internal("no group in the stored state"))?;
    let crypto = RustCrypto::default();
    let processed = group.process_message(&crypto, message).map_err(|e| {
        invalid("this commit does not verify against the space's group: it was altered, is not signed by a member, or is not valid at this epoch")(e.to_string())
    })?;
    let Sender::Member(index) = *processed.sender() else {
        return Err(ApiError::Forbidden(
            "this commit does not come from a member's leaf: members commit, from their own leaf"
                .into(),
        ));
    };
    let from = group
        .leaf(index)
        .ok_or_else(|| ApiError::Forbidden("this commit's sender is not a leaf".into()))
        .and_then(|l| leaf(l.credential(), l.signature_key().as_slice()))?;
    if from != *sender {
        return Err(ApiError::Forbidden(
            "this commit is signed by another member's leaf: a device posts only its own commits"
                .into(),
        ));
    }
    let ProcessedMessageContent::StagedCommitMessage(staged) = processed.into_content() else {
        return Err(ApiError::BadRequest(
            "this MLS message is not a commit".into(),
        ));
    };
    let mut added = Vec::new();
    let mut added_refs = BTreeSet::new();
    for proposal in staged.add_proposals() {
        let package = proposal.add_proposal().key_package();
        let leaf_node = package.leaf_node();
        added.push(leaf(leaf_node.credential(), leaf_node.signature_key().as_slice())?.device);
        let reference = package.hash_ref(&crypto).map_err(internal)?;
        added_refs.insert(reference.as_slice().to_vec());
    }
    if let Some(welcome) = welcome {
        check_welcome(welcome, &added_refs)?;
    }
    group.merge_commit(&store, *staged).map_err(internal)?;
    Ok(AcceptedCommit {
        epoch: group.group_context().epoch().as_u64(),
        members: leaves(&group)?,
        added,
        state: store.encode()?,
    })
}

/// A welcome goes to exactly the key packages its commit adds.
fn check_welcome(bytes: &[u8], added: &BTreeSet<Vec<u8>>) -> Result<(), ApiError> {
    if added.is_empty() {
        return Err(ApiError::BadRequest(
            "a welcome goes only with a commit that adds devices".into(),
        ));
    }
    let message =
        MlsMessageIn::tls_deserialize_exact(bytes).map_err(|e| {
            invalid(
                "the welcome is not an MLS message: send the welcome openmls gives with the commit",
            )(e.to_string())
        })?;
    let MlsMessageBodyIn::Welcome(welcome) = message.extract() else {
        return Err(ApiError::BadRequest(
            "the welcome sent with this commit is not an MLS welcome".into(),
        ));
    };
    if welcome.ciphersuite() != CIPHERSUITE {
        return Err(ApiError::BadRequest(
            "the welcome's ciphersuite is not the one spaces use".into(),
        ));
    }
    let addressed: BTreeSet<Vec<u8>> = welcome
        .secrets()
        .iter()
        .map(|secrets| secrets.new_member().as_slice().to_vec())
        .collect();
    if addressed != *added || addressed.len() != welcome.secrets().len() {
        return Err(ApiError::BadRequest(
            "the welcome is not addressed to exactly the key packages this commit adds: send the welcome made with this commit".into(),
        ));
    }
    Ok(())
}

// ---- key packages ----

/// A key package of the session's device, checked.
#[derive(Debug)]
pub struct CheckedKeyPackage {
    /// Its MLS hash reference.
    pub reference: Vec<u8>,
    /// The end of its lifetime, in Unix seconds.
    pub not_after: u64,
}

/// Checks a key package `owner` publishes: a TLS-encoded MLS key package, its signatures
/// valid, its lifetime current, in [`CIPHERSUITE`], its leaf naming `owner` with `owner`'s
/// enrolled key. The error says why, in a sentence.
pub fn check_key_package(bytes: &[u8], owner: &Leaf) -> Result<CheckedKeyPackage, String> {
    let package = KeyPackageIn::tls_deserialize_exact(bytes)
        .map_err(|_| "it is not an MLS key package (TLS-encoded KeyPackage)".to_owned())?;
    let crypto = RustCrypto::default();
    let package = package
        .validate(&crypto, ProtocolVersion::Mls10)
        .map_err(|e| format!("it does not hold ({e}): its signature or lifetime is not valid"))?;
    if package.ciphersuite() != CIPHERSUITE {
        return Err("its ciphersuite is not the one spaces use".into());
    }
    let leaf_node = package.leaf_node();
    let named = leaf(leaf_node.credential(), leaf_node.signature_key().as_slice())
        .map_err(|_| "its leaf is not a device".to_owned())?;
    if named.device != owner.device {
        return Err("it names another device: a device publishes only its own key packages".into());
    }
    if named.key != owner.key {
        return Err(
            "its leaf's signature key is not this device's enrolled key: make it with the device's own signing key"
                .into(),
        );
    }
    let reference = package
        .hash_ref(&crypto)
        .map_err(|e| format!("its reference cannot be computed ({e})"))?;
    Ok(CheckedKeyPackage {
        reference: reference.as_slice().to_vec(),
        not_after: package.life_time().not_after(),
    })
}

// ---- the state ----

/// Why the group's state could not be kept or read back.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot encode the group's state: {0}")]
    Encode(String),
    #[error("the group's state is unreadable: {0}")]
    Decode(String),
}

impl From<StateError> for ApiError {
    fn from(e: StateError) -> Self {
        internal(e)
    }
}

/// openmls's public storage of one group, in memory: loaded from the database before a
/// commit is processed, written back with it. Keys (the group id) are not kept: a store holds
/// one group.
#[derive(Debug, Default)]
pub struct GroupStore {
    values: RefCell<Values>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Values {
    tree: Option<Vec<u8>>,
    context: Option<Vec<u8>>,
    interim_transcript_hash: Option<Vec<u8>>,
    confirmation_tag: Option<Vec<u8>>,
    /// `(proposal reference, proposal)`, in the order queued.
    proposals: Vec<(Vec<u8>, Vec<u8>)>,
}

fn encode_value(value: &impl Serialize) -> Result<Vec<u8>, StateError> {
    postcard::to_allocvec(value).map_err(|e| StateError::Encode(e.to_string()))
}

fn decode_value<T: Entity<CURRENT_VERSION>>(
    bytes: Option<&Vec<u8>>,
) -> Result<Option<T>, StateError> {
    bytes
        .map(|b| postcard::from_bytes(b).map_err(|e| StateError::Decode(e.to_string())))
        .transpose()
}

impl GroupStore {
    /// The state as stored: its format byte, then its values.
    pub fn encode(&self) -> Result<Vec<u8>, StateError> {
        let mut out = vec![STATE_FORMAT];
        let values = encode_value(&*self.values.borrow())?;
        out.extend_from_slice(&values);
        Ok(out)
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, StateError> {
        match bytes.split_first() {
            Some((&STATE_FORMAT, rest)) => {
                let values =
                    postcard::from_bytes(rest).map_err(|e| StateError::Decode(e.to_string()))?;
                Ok(Self {
                    values: RefCell::new(values),
                })
            }
            Some((format, _)) => Err(StateError::Decode(format!(
                "format {format} is not one this relay knows"
            ))),
            None => Err(StateError::Decode("empty".into())),
        }
    }

    fn set(&self, slot: fn(&mut Values) -> &mut Option<Vec<u8>>, value: Option<Vec<u8>>) {
        *slot(&mut self.values.borrow_mut()) = value;
    }
}

impl PublicStorageProvider<CURRENT_VERSION> for GroupStore {
    type PublicError = StateError;

    fn write_tree<G: traits::GroupId<CURRENT_VERSION>, T: traits::TreeSync<CURRENT_VERSION>>(
        &self,
        _group_id: &G,
        tree: &T,
    ) -> Result<(), StateError> {
        self.set(|v| &mut v.tree, Some(encode_value(tree)?));
        Ok(())
    }

    fn write_interim_transcript_hash<
        G: traits::GroupId<CURRENT_VERSION>,
        H: traits::InterimTranscriptHash<CURRENT_VERSION>,
    >(
        &self,
        _group_id: &G,
        hash: &H,
    ) -> Result<(), StateError> {
        self.set(
            |v| &mut v.interim_transcript_hash,
            Some(encode_value(hash)?),
        );
        Ok(())
    }

    fn write_context<
        G: traits::GroupId<CURRENT_VERSION>,
        C: traits::GroupContext<CURRENT_VERSION>,
    >(
        &self,
        _group_id: &G,
        context: &C,
    ) -> Result<(), StateError> {
        self.set(|v| &mut v.context, Some(encode_value(context)?));
        Ok(())
    }

    fn write_confirmation_tag<
        G: traits::GroupId<CURRENT_VERSION>,
        T: traits::ConfirmationTag<CURRENT_VERSION>,
    >(
        &self,
        _group_id: &G,
        tag: &T,
    ) -> Result<(), StateError> {
        self.set(|v| &mut v.confirmation_tag, Some(encode_value(tag)?));
        Ok(())
    }

    fn queue_proposal<
        G: traits::GroupId<CURRENT_VERSION>,
        R: traits::ProposalRef<CURRENT_VERSION>,
        P: traits::QueuedProposal<CURRENT_VERSION>,
    >(
        &self,
        _group_id: &G,
        reference: &R,
        proposal: &P,
    ) -> Result<(), StateError> {
        let reference = encode_value(reference)?;
        let proposal = encode_value(proposal)?;
        let mut values = self.values.borrow_mut();
        values.proposals.retain(|(r, _)| *r != reference);
        values.proposals.push((reference, proposal));
        Ok(())
    }

    fn queued_proposals<
        G: traits::GroupId<CURRENT_VERSION>,
        R: traits::ProposalRef<CURRENT_VERSION>,
        P: traits::QueuedProposal<CURRENT_VERSION>,
    >(
        &self,
        _group_id: &G,
    ) -> Result<Vec<(R, P)>, StateError> {
        let values = self.values.borrow();
        values
            .proposals
            .iter()
            .map(|(r, p)| {
                let r = decode_value(Some(r))?;
                let p = decode_value(Some(p))?;
                r.zip(p)
                    .ok_or_else(|| StateError::Decode("a queued proposal".into()))
            })
            .collect()
    }

    fn tree<G: traits::GroupId<CURRENT_VERSION>, T: traits::TreeSync<CURRENT_VERSION>>(
        &self,
        _group_id: &G,
    ) -> Result<Option<T>, StateError> {
        decode_value(self.values.borrow().tree.as_ref())
    }

    fn group_context<
        G: traits::GroupId<CURRENT_VERSION>,
        C: traits::GroupContext<CURRENT_VERSION>,
    >(
        &self,
        _group_id: &G,
    ) -> Result<Option<C>, StateError> {
        decode_value(self.values.borrow().context.as_ref())
    }

    fn interim_transcript_hash<
        G: traits::GroupId<CURRENT_VERSION>,
        H: traits::InterimTranscriptHash<CURRENT_VERSION>,
    >(
        &self,
        _group_id: &G,
    ) -> Result<Option<H>, StateError> {
        decode_value(self.values.borrow().interim_transcript_hash.as_ref())
    }

    fn confirmation_tag<
        G: traits::GroupId<CURRENT_VERSION>,
        T: traits::ConfirmationTag<CURRENT_VERSION>,
    >(
        &self,
        _group_id: &G,
    ) -> Result<Option<T>, StateError> {
        decode_value(self.values.borrow().confirmation_tag.as_ref())
    }

    fn delete_tree<G: traits::GroupId<CURRENT_VERSION>>(
        &self,
        _group_id: &G,
    ) -> Result<(), StateError> {
        self.set(|v| &mut v.tree, None);
        Ok(())
    }

    fn delete_confirmation_tag<G: traits::GroupId<CURRENT_VERSION>>(
        &self,
        _group_id: &G,
    ) -> Result<(), StateError> {
        self.set(|v| &mut v.confirmation_tag, None);
        Ok(())
    }

    fn delete_context<G: traits::GroupId<CURRENT_VERSION>>(
        &self,
        _group_id: &G,
    ) -> Result<(), StateError> {
        self.set(|v| &mut v.context, None);
        Ok(())
    }

    fn delete_interim_transcript_hash<G: traits::GroupId<CURRENT_VERSION>>(
        &self,
        _group_id: &G,
    ) -> Result<(), StateError> {
        self.set(|v| &mut v.interim_transcript_hash, None);
        Ok(())
    }

    fn remove_proposal<
        G: traits::GroupId<CURRENT_VERSION>,
        R: traits::ProposalRef<CURRENT_VERSION>,
    >(
        &self,
        _group_id: &G,
        reference: &R,
    ) -> Result<(), StateError> {
        let reference = encode_value(reference)?;
        self.values
            .borrow_mut()
            .proposals
            .retain(|(r, _)| *r != reference);
        Ok(())
    }

    fn clear_proposal_queue<
        G: traits::GroupId<CURRENT_VERSION>,
        R: traits::ProposalRef<CURRENT_VERSION>,
    >(
        &self,
        _group_id: &G,
    ) -> Result<(), StateError> {
        self.values.borrow_mut().proposals.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_state_of_an_unknown_format_or_cut_short_is_refused() {
        assert!(GroupStore::decode(&[]).is_err());
        assert!(GroupStore::decode(&[STATE_FORMAT + 1, 0, 0, 0, 0, 0]).is_err());
        let empty = GroupStore::default().encode().unwrap();
        assert_eq!(empty.first(), Some(&STATE_FORMAT));
        assert!(GroupStore::decode(&empty).is_ok());
        assert!(GroupStore::decode(&empty[..1]).is_err());
    }

    #[test]
    fn the_signer_is_read_just_before_the_signature() {
        let signature = Signature::from(vec![9u8; 64]);
        // 64 bytes take a two-byte length (RFC 9000 variable-length integer).
        let mut message = vec![1, 2, 3, 0, 0, 0, 7, 0x40, 0x40];
        message.extend_from_slice(&[9u8; 64]);
        assert_eq!(group_info_signer(&message, &signature), Some(7));
        assert_eq!(group_info_signer(&message[5..], &signature), None);
    }
}
