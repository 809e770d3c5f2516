//! The openmls provider of a profile: RustCrypto for the cryptography and the randomness,
//! [`StoreStorage`] for the state, kept in the profile's encrypted store.
//!
//! # The rule: one operation, then commit or discard
//!
//! Every write openmls makes during an operation (creating a group, a key package, a commit,
//! merging one, processing a message, sending one) is held in memory, and reads see it. When
//! the operation has succeeded, the caller calls [`StoreProvider::commit`], which writes all of
//! it in one store transaction; when it has failed, [`StoreProvider::discard`], and loads the
//! group again (`MlsGroup::load`), since the `MlsGroup` in memory may be ahead of the store. A
//! crash before the commit leaves the previous epoch's state whole, never a half-written one.
//! One provider serves one operation at a time.

use std::sync::Arc;

use diplomatie_store::{MlsBatch, Store};
use openmls_rust_crypto::RustCrypto;
use openmls_traits::OpenMlsProvider;

use super::storage::{StorageError, StoreStorage};

/// openmls's provider over a profile's store (see the module doc for when to commit).
pub struct StoreProvider {
    crypto: RustCrypto,
    storage: StoreStorage,
}

impl std::fmt::Debug for StoreProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreProvider")
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

impl StoreProvider {
    pub fn new(store: Arc<Store>) -> Self {
        Self {
            crypto: RustCrypto::default(),
            storage: StoreStorage::new(store),
        }
    }

    /// A provider that writes every value as JSON, the way earlier versions did.
    #[cfg(test)]
    pub(crate) fn writing_json(store: Arc<Store>) -> Self {
        Self {
            crypto: RustCrypto::default(),
            storage: StoreStorage::writing_json(store),
        }
    }

    /// Writes the state the last operation changed, in one store transaction. On an error
    /// nothing is written and the writes stay held: commit again, or discard.
    pub fn commit(&self) -> Result<(), StorageError> {
        self.storage.commit()
    }

    /// Keeps what a commit of another member changed, as [`StoreProvider::commit`] does but
    /// without waiting for the disk: that commit is still at the relay, to process again if a
    /// power cut loses this.
    pub fn commit_replayable(&self) -> Result<(), StorageError> {
        self.storage.commit_replayable()
    }

    /// Drops the state the last operation changed: the store keeps the last committed state.
    pub fn discard(&self) {
        self.storage.discard();
    }

    /// Hands over the writes held, for a store method that applies them in the transaction of
    /// records of its own.
    pub fn take_pending(&self) -> MlsBatch {
        self.storage.take_pending()
    }
}

impl OpenMlsProvider for StoreProvider {
    type CryptoProvider = RustCrypto;
    type RandProvider = RustCrypto;
    type StorageProvider = StoreStorage;

    fn storage(&self) -> &Self::StorageProvider {
        &self.storage
    }

    fn crypto(&self) -> &Self::CryptoProvider {
        &self.crypto
    }

    fn rand(&self) -> &Self::RandProvider {
        &self.crypto
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::path::{Path, PathBuf};

    use diplomatie_store::KdfCost;
    use openmls::prelude::tls_codec::{Deserialize as _, Serialize as _};
    use openmls::prelude::*;
    use openmls_basic_credential::SignatureKeyPair;

    use super::*;
    use crate::spaces::storage::POSTCARD;

    const CIPHERSUITE: Ciphersuite = Ciphersuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
    const SCHEME: SignatureScheme = SignatureScheme::ED25519;
    const EXPORT_LABEL: &str = "diplomatie/epoch";

    /// A person's profile on disk, their provider and signing key once opened.
    struct Device {
        dir: PathBuf,
        passphrase: &'static str,
        public: Vec<u8>,
        store: Arc<Store>,
        provider: StoreProvider,
        signer: SignatureKeyPair,
    }

    impl Device {
        /// A new profile, its state written by `provider` until it is reopened.
        fn create(
            root: &Path,
            name: &str,
            passphrase: &'static str,
            provider: fn(Arc<Store>) -> StoreProvider,
        ) -> Device {
            let dir = root.join(name);
            let store = Arc::new(Store::create(&dir, passphrase, KdfCost::MIN).unwrap());
            let provider = provider(store.clone());
            let signer = SignatureKeyPair::new(SCHEME).unwrap();
            signer.store(provider.storage()).unwrap();
            provider.commit().unwrap();
            Device {
                dir,
                passphrase,
                public: signer.to_public_vec(),
                store,
                provider,
                signer,
            }
        }

        fn credential(&self, name: &str) -> CredentialWithKey {
            CredentialWithKey {
                credential: BasicCredential::new(name.as_bytes().to_vec()).into(),
                signature_key: self.public.clone().into(),
            }
        }

        /// Drops the provider and the store and opens the profile again from disk, with its
        /// passphrase.
        fn reopen(self) -> Device {
            let Device {
                dir,
                passphrase,
                public,
                store,
                provider,
                signer,
            } = self;
            assert_eq!(provider.storage().pending_writes(), 0, "committed first");
            drop(provider);
            drop(signer);
            Arc::into_inner(store)
                .expect("no other holder of the store")
                .close();
            let store = Arc::new(Store::open(&dir, passphrase).unwrap());
            let provider = StoreProvider::new(store.clone());
            let signer = SignatureKeyPair::read(provider.storage(), &public, SCHEME)
                .expect("the signing key is kept in the store");
            Device {
                dir,
                passphrase,
                public,
                store,
                provider,
                signer,
            }
        }

        fn load(&self, group_id: &GroupId) -> MlsGroup {
            MlsGroup::load(self.provider.storage(), group_id)
                .unwrap()
                .expect("the group is in the store")
        }

        fn export(&self, group: &MlsGroup) -> Vec<u8> {
            group
                .export_secret(self.provider.crypto(), EXPORT_LABEL, &[], 32)
                .unwrap()
        }

        /// Processes `message` (as received, in bytes) and returns what it carried.
        fn receive(&self, group: &mut MlsGroup, message: &[u8]) -> ProcessedMessageContent {
            let message = MlsMessageIn::tls_deserialize_exact(message).unwrap();
            let message = message.try_into_protocol_message().unwrap();
            group
                .process_message(&self.provider, message)
                .unwrap()
                .into_content()
        }

        /// Processes and merges a commit, then commits the state.
        fn receive_commit(&self, group: &mut MlsGroup, commit: &[u8]) {
            match self.receive(group, commit) {
                ProcessedMessageContent::StagedCommitMessage(staged) => {
                    group.merge_staged_commit(&self.provider, *staged).unwrap();
                }
                _ => panic!("expected a commit"),
            }
            self.provider.commit().unwrap();
        }

        /// Every value of this profile's MLS state as kept, by label.
        fn stored(&self) -> Vec<(String, Vec<u8>)> {
            self.provider.storage().stored_values()
        }

        /// The tree of `group_id` as kept.
        fn stored_tree(&self, group_id: &GroupId) -> Vec<u8> {
            self.provider
                .storage()
                .stored("Tree", group_id)
                .unwrap()
                .expect("the tree is kept")
        }
    }

    fn bytes(message: &MlsMessageOut) -> Vec<u8> {
        message.tls_serialize_detached().unwrap()
    }

    /// Alice creates a space and adds Bob; both commit their state.
    fn alice_adds_bob(root: &Path) -> (Device, Device, GroupId) {
        alice_adds_bob_with(root, StoreProvider::new)
    }

    /// The same, their state written by `provider` until they reopen their profiles.
    fn alice_adds_bob_with(
        root: &Path,
        provider: fn(Arc<Store>) -> StoreProvider,
    ) -> (Device, Device, GroupId) {
        let alice = Device::create(root, "alice", "alice's passphrase", provider);
        let bob = Device::create(root, "bob", "bob's passphrase", provider);

        let config = MlsGroupCreateConfig::builder()
            .ciphersuite(CIPHERSUITE)
            .use_ratchet_tree_extension(true)
            .build();
        let mut group = MlsGroup::new(
            &alice.provider,
            &alice.signer,
            &config,
            alice.credential("alice"),
        )
        .unwrap();
        alice.provider.commit().unwrap();
        let group_id = group.group_id().clone();

        let key_package = KeyPackage::builder()
            .build(
                CIPHERSUITE,
                &bob.provider,
                &bob.signer,
                bob.credential("bob"),
            )
            .unwrap();
        bob.provider.commit().unwrap();
        // Published, then fetched by Alice.
        let published = key_package.key_package().tls_serialize_detached().unwrap();
        let fetched = KeyPackageIn::tls_deserialize_exact(published.as_slice())
            .unwrap()
            .validate(alice.provider.crypto(), ProtocolVersion::Mls10)
            .unwrap();

        let (_commit, welcome, _info) = group
            .add_members(&alice.provider, &alice.signer, &[fetched])
            .unwrap();
        group.merge_pending_commit(&alice.provider).unwrap();
        alice.provider.commit().unwrap();

        let welcome = MlsMessageIn::tls_deserialize_exact(bytes(&welcome).as_slice()).unwrap();
        let MlsMessageBodyIn::Welcome(welcome) = welcome.extract() else {
            panic!("expected a welcome");
        };
        let joined = StagedWelcome::new_from_welcome(
            &bob.provider,
            &MlsGroupJoinConfig::default(),
            welcome,
            None,
        )
        .unwrap()
        .into_group(&bob.provider)
        .unwrap();
        bob.provider.commit().unwrap();
        assert_eq!(joined.epoch(), group.epoch());
        (alice, bob, group_id)
    }

    #[test]
    fn a_space_survives_reopening_both_profiles_and_moves_on_after_it() {
        let tmp = tempfile::tempdir().unwrap();
        let (alice, bob, group_id) = alice_adds_bob(tmp.path());

        let alice = alice.reopen();
        let bob = bob.reopen();
        let alice_group = alice.load(&group_id);
        let mut bob_group = bob.load(&group_id);
        assert_eq!(alice_group.epoch(), GroupEpoch::from(1));
        assert_eq!(bob_group.epoch(), GroupEpoch::from(1));
        assert_eq!(alice.export(&alice_group), bob.export(&bob_group));
        assert_eq!(alice_group.members().count(), 2);

        // Bob updates his leaf and commits; Alice processes it after reopening.
        let bundle = bob_group
            .self_update(&bob.provider, &bob.signer, LeafNodeParameters::default())
            .unwrap();
        let commit = bytes(bundle.commit());
        bob_group.merge_pending_commit(&bob.provider).unwrap();
        bob.provider.commit().unwrap();

        let alice = alice.reopen();
        let mut alice_group = alice.load(&group_id);
        alice.receive_commit(&mut alice_group, &commit);

        let alice = alice.reopen();
        let bob = bob.reopen();
        let alice_group = alice.load(&group_id);
        let bob_group = bob.load(&group_id);
        assert_eq!(alice_group.epoch(), GroupEpoch::from(2));
        assert_eq!(bob_group.epoch(), GroupEpoch::from(2));
        assert_eq!(alice.export(&alice_group), bob.export(&bob_group));
    }

    /// Bob proposes an update of his leaf and Alice queues the proposal; both commit.
    fn bob_proposes_alice_queues(alice: &Device, bob: &Device, group_id: &GroupId) {
        let mut bob_group = bob.load(group_id);
        let (proposal, _ref) = bob_group
            .propose_self_update(&bob.provider, &bob.signer, LeafNodeParameters::default())
            .unwrap();
        bob.provider.commit().unwrap();
        let proposal = bytes(&proposal);

        let mut alice_group = alice.load(group_id);
        match alice.receive(&mut alice_group, &proposal) {
            ProcessedMessageContent::ProposalMessage(queued) => {
                alice_group
                    .store_pending_proposal(alice.provider.storage(), *queued)
                    .unwrap();
            }
            _ => panic!("expected a proposal"),
        }
        alice.provider.commit().unwrap();
    }

    /// Alice commits the proposal she queued, Bob processes the commit with the leaf keys he
    /// kept for his proposal; then both reopen and are at epoch 2 with the same key.
    fn alice_commits_the_queue(alice: Device, bob: Device, group_id: &GroupId) -> (Device, Device) {
        let mut alice_group = alice.load(group_id);
        assert_eq!(alice_group.pending_proposals().count(), 1);
        let (commit, welcome, _info) = alice_group
            .commit_to_pending_proposals(&alice.provider, &alice.signer)
            .unwrap();
        assert!(welcome.is_none());
        alice_group.merge_pending_commit(&alice.provider).unwrap();
        alice.provider.commit().unwrap();

        let mut bob_group = bob.load(group_id);
        bob.receive_commit(&mut bob_group, &bytes(&commit));

        let alice = alice.reopen();
        let bob = bob.reopen();
        let alice_group = alice.load(group_id);
        let bob_group = bob.load(group_id);
        assert_eq!(
            alice_group.pending_proposals().count(),
            0,
            "the queue was cleared"
        );
        assert_eq!(alice_group.epoch(), GroupEpoch::from(2));
        assert_eq!(bob_group.epoch(), GroupEpoch::from(2));
        assert_eq!(alice.export(&alice_group), bob.export(&bob_group));
        (alice, bob)
    }

    /// Bob proposes an update, Alice queues the proposal, both reopen; Alice commits the
    /// queued proposal and Bob, after reopening again, processes the commit with the leaf
    /// keys he kept for his proposal.
    #[test]
    fn queued_proposals_and_own_leaf_nodes_survive_reopening() {
        let tmp = tempfile::tempdir().unwrap();
        let (alice, bob, group_id) = alice_adds_bob(tmp.path());
        bob_proposes_alice_queues(&alice, &bob, &group_id);
        let alice = alice.reopen();
        let bob = bob.reopen();
        alice_commits_the_queue(alice, bob, &group_id);
    }

    /// Every value openmls keeps is in postcard, but the join configuration (JSON, see the
    /// module doc of `storage`); each is read back when the groups load and move on.
    #[test]
    fn every_value_is_kept_in_postcard_but_the_join_configuration() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        // A key package not yet used, kept by the device that published it.
        let carol = Device::create(root, "carol", "carol's passphrase", StoreProvider::new);
        KeyPackage::builder()
            .build(
                CIPHERSUITE,
                &carol.provider,
                &carol.signer,
                carol.credential("carol"),
            )
            .unwrap();
        carol.provider.commit().unwrap();

        let (alice, bob, group_id) = alice_adds_bob(root);
        bob_proposes_alice_queues(&alice, &bob, &group_id);
        let mut labels = std::collections::BTreeSet::new();
        for device in [&alice, &bob, &carol] {
            for (label, value) in device.stored() {
                let format = if label == "MlsGroupJoinConfig" {
                    b'{'
                } else {
                    POSTCARD
                };
                assert_eq!(value.first(), Some(&format), "{label}");
                labels.insert(label);
            }
        }
        for label in [
            "ConfirmationTag",
            "EncryptionKeyPair",
            "EpochKeyPairs",
            "EpochSecrets",
            "GroupContext",
            "GroupState",
            "InterimTranscriptHash",
            "KeyPackage",
            "MessageSecrets",
            "MlsGroupJoinConfig",
            "OwnLeafNodeIndex",
            "OwnLeafNodes",
            "ProposalQueueRefs",
            "QueuedProposal",
            "ResumptionPsk",
            "SignatureKeyPair",
            "Tree",
        ] {
            assert!(labels.contains(label), "{label} not kept: {labels:?}");
        }
        let alice = alice.reopen();
        let bob = bob.reopen();
        alice_commits_the_queue(alice, bob, &group_id);
    }

    /// A space whose state an earlier version wrote in JSON (the group, a queued proposal,
    /// Bob's own leaf nodes, the keys) is read as it is; the operation after it writes what it
    /// changes in postcard, the tree in a fraction of its JSON.
    #[test]
    fn a_space_kept_in_json_is_read_and_written_again_in_postcard() {
        let tmp = tempfile::tempdir().unwrap();
        let (alice, bob, group_id) = alice_adds_bob_with(tmp.path(), StoreProvider::writing_json);
        bob_proposes_alice_queues(&alice, &bob, &group_id);
        for device in [&alice, &bob] {
            for (label, value) in device.stored() {
                assert_ne!(value.first(), Some(&POSTCARD), "{label}");
            }
        }
        let json_tree = alice.stored_tree(&group_id);
        assert_eq!(json_tree.first(), Some(&b'{'));

        // Opened again by this version: read as it is, then Alice commits the queue and Bob
        // processes her commit.
        let alice = alice.reopen();
        let bob = bob.reopen();
        assert_eq!(
            alice.export(&alice.load(&group_id)),
            bob.export(&bob.load(&group_id))
        );
        let (alice, bob) = alice_commits_the_queue(alice, bob, &group_id);
        for device in [&alice, &bob] {
            let tree = device.stored_tree(&group_id);
            assert_eq!(tree.first(), Some(&POSTCARD));
            assert!(
                tree.len() * 4 < json_tree.len(),
                "the tree in postcard, {} bytes, against {} in JSON",
                tree.len(),
                json_tree.len()
            );
            for (label, value) in device.stored() {
                if ["Tree", "GroupContext", "EpochSecrets", "MessageSecrets"]
                    .contains(&label.as_str())
                {
                    assert_eq!(value.first(), Some(&POSTCARD), "{label}");
                }
            }
        }
    }

    /// The tree in postcard is within a quarter of its size in MLS's own binary encoding.
    #[test]
    fn the_tree_is_kept_near_its_binary_size() {
        let tmp = tempfile::tempdir().unwrap();
        let (alice, _bob, group_id) = alice_adds_bob(tmp.path());
        let group = alice.load(&group_id);
        let tls = group
            .export_ratchet_tree()
            .tls_serialize_detached()
            .unwrap()
            .len();
        let kept = alice.stored_tree(&group_id).len();
        assert!(
            kept * 4 < tls * 5,
            "the tree kept is {kept} bytes, {tls} in MLS's encoding"
        );
    }

    /// A commit merged in memory but discarded leaves the store at the previous epoch, whole:
    /// the group loads there, in this process and after reopening, and still works.
    #[test]
    fn a_discarded_operation_leaves_the_previous_epoch() {
        let tmp = tempfile::tempdir().unwrap();
        let (alice, bob, group_id) = alice_adds_bob(tmp.path());
        let mut alice_group = alice.load(&group_id);
        let before = alice.export(&alice_group);

        alice_group
            .remove_members(&alice.provider, &alice.signer, &[LeafNodeIndex::new(1)])
            .unwrap();
        alice_group.merge_pending_commit(&alice.provider).unwrap();
        assert_eq!(alice_group.epoch(), GroupEpoch::from(2));
        assert!(alice.provider.storage().pending_writes() > 0);
        alice.provider.discard();

        let alice_group = alice.load(&group_id);
        assert_eq!(alice_group.epoch(), GroupEpoch::from(1));
        assert_eq!(alice_group.members().count(), 2);
        assert_eq!(alice.export(&alice_group), before);

        let alice = alice.reopen();
        let mut alice_group = alice.load(&group_id);
        assert_eq!(alice_group.epoch(), GroupEpoch::from(1));
        assert_eq!(alice.export(&alice_group), before);

        // The group still works: a message from Alice at epoch 1 reaches Bob.
        let message = alice_group
            .create_message(&alice.provider, &alice.signer, b"note verbale")
            .unwrap();
        alice.provider.commit().unwrap();
        let mut bob_group = bob.load(&group_id);
        match bob.receive(&mut bob_group, &bytes(&message)) {
            ProcessedMessageContent::ApplicationMessage(m) => {
                assert_eq!(m.into_bytes(), b"note verbale");
            }
            _ => panic!("expected an application message"),
        }
        bob.provider.commit().unwrap();
        assert_eq!(bob.export(&bob_group), before);
    }
}
