//! What keeping a space's MLS state in the profile costs, measured here on a space of 200
//! devices: each operation through the product (`diplomatie_client::spaces::group` over a
//! `StoreProvider`, an encrypted store in a temporary directory, then `provider.commit()`,
//! the one store transaction that keeps the new epoch) against the same operation through
//! openmls alone (`OpenMlsRustCrypto`, its state in memory): target ≤ 1.3× each.
//!
//! # Two groups built the same way
//!
//! An MLS group cannot be copied from one provider to another, so two groups are built the
//! same way, one on each side: the same space id, ciphersuite and configuration (public
//! handshake messages, the ratchet tree in the welcome), the same members. Alice (device 1)
//! creates the space and adds the 199 other devices in one commit of 199 key packages; Bob
//! (device 2) joins from the welcome. 198 of the devices never join: the same key packages
//! (the same bytes) are added on both sides, so their leaves are identical. Alice and Bob use
//! the same credentials and signing keys on both sides, their key material of their own
//! (encryption keys, epoch secrets) differing. The two trees have the same shape and the same
//! blank nodes: every operation does the same work on both.
//!
//! # One round, the same operations each time
//!
//! Each round, on each side, alternately (the side going first alternates too):
//!
//! - **add**: Alice adds Dave (a fresh key package each round, made and checked before the
//!   timing; the same bytes on both sides) to the 200 devices: the commit, its merge, the
//!   commit and the welcome as bytes to send;
//! - **process the add**: Bob processes that commit and merges it;
//! - **remove**: Alice removes Dave again, 201 devices back to 200: the commit, its merge,
//!   the commit as bytes;
//! - **process the remove**: Bob processes it.
//!
//! openmls's `add_members` commits with an update path, as a remove must: both commits renew
//! Alice's path and encrypt its secrets to the resolution of her copath, here the 199 other
//! leaves (199 HPKE encryptions, which openmls spreads over rayon's threads), and Bob decrypts
//! one. Every round starts from the same tree (200 leaves, Alice's path the only one set) and
//! measures operations of the same size. On the product's side each operation's time
//! includes its store transaction (the writes of the operation in one SQLCipher transaction),
//! also reported on its own: Alice's add and remove are on disk when they return
//! (`synchronous = FULL`: the relay took her commit, which she alone could make again); Bob's
//! processing of her commits is whole but synced at the next checkpoint (`NORMAL`), as the
//! product keeps a commit of another member, which the relay still holds.
//! openmls alone also encodes each value it keeps (in JSON, in its memory storage; the product
//! in postcard), but writes nothing to disk. One untimed round warms both; each figure is the
//! median of the rounds.
//! After each round both sides check that Alice and Bob are at the same epoch with the same
//! epoch key and 200 members.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use diplomatie_client::spaces::StoreProvider;
use diplomatie_client::spaces::group::{self, CIPHERSUITE};
use diplomatie_crypto::{KdfCost, SigningKey};
use diplomatie_protocol::{DeviceCertificate, DeviceId, SpaceId};
use diplomatie_store::Store;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use openmls::prelude::tls_codec::{Deserialize as _, Serialize as _};
use openmls::prelude::*;
use openmls_basic_credential::SignatureKeyPair;
use openmls_rust_crypto::OpenMlsRustCrypto;
use openmls_traits::OpenMlsProvider;

use crate::{PASSPHRASE, Row, row, verdict};

/// The devices of the space measured.
const DEVICES: usize = 200;
/// The target: each operation through the product within this factor of openmls alone.
const TARGET: f64 = 1.3;
/// Rounds measured per run asked for: a round is a few tens of milliseconds.
const ROUNDS_PER_RUN: usize = 5;

/// The rounds measured for `runs` runs (at least 5 runs).
pub fn rounds(runs: usize) -> usize {
    runs.max(5) * ROUNDS_PER_RUN
}

/// A device: its signing key and the certificate that names it.
struct Device {
    key: SigningKey,
    certificate: DeviceCertificate,
}

impl Device {
    fn new(identity: &SigningKey) -> Result<Self> {
        let (key, certificate) = crate::certified_device(identity)?;
        Ok(Self { key, certificate })
    }

    fn id(&self) -> DeviceId {
        self.certificate.device
    }

    /// The leaf credential the product gives this device (`group.rs`), for openmls alone.
    fn credential(&self) -> CredentialWithKey {
        CredentialWithKey {
            credential: BasicCredential::new(self.id().0.to_vec()).into(),
            signature_key: self.certificate.signing.to_vec().into(),
        }
    }

    /// The same signing key as openmls's own signer, for openmls alone.
    fn openmls_signer(&self) -> Result<SignatureKeyPair> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_der(self.key.pkcs8())
            .map_err(|e| anyhow!("a device key: {e}"))?;
        Ok(SignatureKeyPair::from_raw(
            SignatureScheme::ED25519,
            key.to_bytes().to_vec(),
            key.verifying_key().to_bytes().to_vec(),
        ))
    }
}

/// The product's group configuration (`group.rs`), for openmls alone.
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

/// A key package as openmls alone reads one it fetched.
fn validate(provider: &impl OpenMlsProvider, bytes: &[u8]) -> Result<KeyPackage> {
    Ok(KeyPackageIn::tls_deserialize_exact(bytes)?
        .validate(provider.crypto(), ProtocolVersion::Mls10)?)
}

/// The times of one side, one entry per round; `stored` is the product's store transaction
/// alone, included in `add`, `remove` and `process_*`.
#[derive(Default)]
struct Times {
    add: Vec<Duration>,
    process_add: Vec<Duration>,
    remove: Vec<Duration>,
    process_remove: Vec<Duration>,
    stored_add: Vec<Duration>,
    stored_process_add: Vec<Duration>,
    stored_remove: Vec<Duration>,
    stored_process_remove: Vec<Duration>,
    /// The values the product's store transaction writes or deletes, per operation.
    writes: [usize; 4],
}

/// The space through the product: Alice's and Bob's profiles, each an encrypted store.
struct Product {
    bob_store: Arc<Store>,
    alice: StoreProvider,
    bob: StoreProvider,
    alice_group: MlsGroup,
    bob_group: MlsGroup,
}

/// The same space through openmls alone, its state in memory.
struct Alone {
    alice: OpenMlsRustCrypto,
    alice_signer: SignatureKeyPair,
    bob: OpenMlsRustCrypto,
    alice_group: MlsGroup,
    bob_group: MlsGroup,
}

/// Times `f`, then the product's store transaction (`commit`) after it.
/// How an operation's writes are kept: on disk when the call returns (Alice's own commits),
/// or whole but synced at the next checkpoint (Bob's processing of her commits, which the
/// relay still holds), as the product does.
#[derive(Clone, Copy)]
enum Keep {
    Synced,
    Replayable,
}

fn timed_with_commit(
    provider: &StoreProvider,
    keep: Keep,
    f: impl FnOnce() -> Result<()>,
) -> Result<(Duration, Duration, usize)> {
    let start = Instant::now();
    f()?;
    let writes = provider.storage().pending_writes();
    let before_commit = Instant::now();
    match keep {
        Keep::Synced => provider.commit()?,
        Keep::Replayable => provider.commit_replayable()?,
    }
    let end = Instant::now();
    Ok((end - start, end - before_commit, writes))
}

impl Product {
    fn build(
        dir: &std::path::Path,
        space: SpaceId,
        alice: &Device,
        bob: &Device,
        others: &[Vec<u8>],
        certificates: &[&DeviceCertificate],
    ) -> Result<Self> {
        let store = |name: &str| -> Result<Arc<Store>> {
            Ok(Arc::new(Store::create(
                &dir.join(name),
                PASSPHRASE,
                KdfCost::MIN,
            )?))
        };
        let bob_store = store("bob")?;
        let alice_provider = StoreProvider::new(store("alice")?);
        let bob_provider = StoreProvider::new(bob_store.clone());
        let mut alice_group =
            group::create(&alice_provider, &alice.key, &alice.certificate, space)?;
        alice_provider.commit()?;
        let bob_package = group::key_package(&bob_provider, &bob.key, &bob.certificate)?;
        bob_provider.commit()?;
        let mut packages = vec![group::check_key_package(
            &alice_provider,
            &bob_package,
            &bob.certificate,
        )?];
        for (bytes, certificate) in others.iter().zip(certificates) {
            packages.push(group::check_key_package(
                &alice_provider,
                bytes,
                certificate,
            )?);
        }
        let out = group::add(&mut alice_group, &alice_provider, &alice.key, &packages)?;
        alice_provider.commit()?;
        let welcome = out.welcome.context("an add has a welcome")?;
        let bob_group = group::join(&bob_provider, &welcome)?;
        bob_provider.commit()?;
        Ok(Self {
            bob_store,
            alice: alice_provider,
            bob: bob_provider,
            alice_group,
            bob_group,
        })
    }

    fn round(
        &mut self,
        alice: &Device,
        dave: &Device,
        package: &[u8],
        t: &mut Times,
    ) -> Result<()> {
        let package = group::check_key_package(&self.alice, package, &dave.certificate)?;
        let (group, provider) = (&mut self.alice_group, &self.alice);
        let mut commit = Vec::new();
        let (all, stored, writes) = timed_with_commit(provider, Keep::Synced, || {
            commit =
                group::add(group, provider, &alice.key, std::slice::from_ref(&package))?.commit;
            Ok(())
        })?;
        t.add.push(all);
        t.stored_add.push(stored);
        t.writes[0] = writes;

        let (group, provider) = (&mut self.bob_group, &self.bob);
        let (all, stored, writes) = timed_with_commit(provider, Keep::Replayable, || {
            group::process_commit(group, provider, &commit)?;
            Ok(())
        })?;
        t.process_add.push(all);
        t.stored_process_add.push(stored);
        t.writes[1] = writes;

        let (group, provider) = (&mut self.alice_group, &self.alice);
        let (all, stored, writes) = timed_with_commit(provider, Keep::Synced, || {
            commit = group::remove(group, provider, &alice.key, &[dave.id()])?.commit;
            Ok(())
        })?;
        t.remove.push(all);
        t.stored_remove.push(stored);
        t.writes[2] = writes;

        let (group, provider) = (&mut self.bob_group, &self.bob);
        let (all, stored, writes) = timed_with_commit(provider, Keep::Replayable, || {
            group::process_commit(group, provider, &commit)?;
            Ok(())
        })?;
        t.process_remove.push(all);
        t.stored_process_remove.push(stored);
        t.writes[3] = writes;

        check(
            &self.alice_group,
            &self.bob_group,
            group::epoch_key(&self.alice_group, &self.alice)?.expose(),
            group::epoch_key(&self.bob_group, &self.bob)?.expose(),
        )
    }
}

impl Product {
    /// What Bob's store keeps of the space: its values and their bytes, the tree's apart;
    /// `alone`, Bob's state in openmls alone, gives the same state in JSON.
    fn state(&self, alone: &Alone) -> Result<State> {
        let (json_values, json_bytes, json_tree) = {
            let values = alone
                .bob
                .storage()
                .values
                .read()
                .map_err(|_| anyhow!("openmls's memory storage is poisoned"))?;
            let tree = values
                .iter()
                .filter(|(key, _)| key.starts_with(b"Tree{"))
                .map(|(_, value)| value.len())
                .sum();
            (values.len(), values.values().map(Vec::len).sum(), tree)
        };
        self.bob_store.with_raw_connection(|conn| {
            let (values, bytes): (i64, i64) = conn.query_row(
                "SELECT count(*), total(length(value)) FROM mls_state",
                [],
                |r| Ok((r.get(0)?, r.get::<_, f64>(1)? as i64)),
            )?;
            let tree: i64 = conn.query_row(
                "SELECT total(length(value)) FROM mls_state WHERE hex(substr(key, 1, 5)) = hex('Tree') || '00'",
                [],
                |r| Ok(r.get::<_, f64>(0)? as i64),
            )?;
            Ok(State {
                values: usize::try_from(values)?,
                bytes: usize::try_from(bytes)?,
                tree: usize::try_from(tree)?,
                json_values,
                json_bytes,
                json_tree,
                tree_tls: self
                    .bob_group
                    .export_ratchet_tree()
                    .tls_serialize_detached()?
                    .len(),
            })
        })
    }
}

/// The size of a device's MLS state in its store.
struct State {
    values: usize,
    bytes: usize,
    /// The tree's value alone (postcard).
    tree: usize,
    /// The same state in openmls alone's memory storage: JSON, as the store kept it before
    /// postcard (openmls's serde JSON, in which a byte string is a list of decimal numbers).
    json_values: usize,
    json_bytes: usize,
    json_tree: usize,
    /// The same tree in MLS's own binary encoding, for comparison.
    tree_tls: usize,
}

impl Alone {
    fn build(space: SpaceId, alice: &Device, bob: &Device, others: &[Vec<u8>]) -> Result<Self> {
        let alice_provider = OpenMlsRustCrypto::default();
        let bob_provider = OpenMlsRustCrypto::default();
        let alice_signer = alice.openmls_signer()?;
        let mut alice_group = MlsGroup::new_with_group_id(
            &alice_provider,
            &alice_signer,
            &create_config(),
            GroupId::from_slice(&space.0),
            alice.credential(),
        )?;
        let bob_package = KeyPackage::builder().build(
            CIPHERSUITE,
            &bob_provider,
            &bob.openmls_signer()?,
            bob.credential(),
        )?;
        let mut packages = vec![bob_package.key_package().clone()];
        for bytes in others {
            packages.push(validate(&alice_provider, bytes)?);
        }
        let (_, welcome, _) = alice_group.add_members(&alice_provider, &alice_signer, &packages)?;
        alice_group.merge_pending_commit(&alice_provider)?;
        let welcome = MlsMessageIn::tls_deserialize_exact(welcome.tls_serialize_detached()?)?;
        let MlsMessageBodyIn::Welcome(welcome) = welcome.extract() else {
            bail!("an add made no welcome");
        };
        let bob_group =
            StagedWelcome::new_from_welcome(&bob_provider, &join_config(), welcome, None)?
                .into_group(&bob_provider)?;
        Ok(Self {
            alice: alice_provider,
            alice_signer,
            bob: bob_provider,
            alice_group,
            bob_group,
        })
    }

    /// Bob processes and merges a commit, as openmls alone does.
    fn process(&mut self, commit: &[u8]) -> Result<()> {
        let message = MlsMessageIn::tls_deserialize_exact(commit)?.try_into_protocol_message()?;
        let processed = self.bob_group.process_message(&self.bob, message)?;
        let ProcessedMessageContent::StagedCommitMessage(staged) = processed.into_content() else {
            bail!("a commit was not processed as one");
        };
        self.bob_group.merge_staged_commit(&self.bob, *staged)?;
        Ok(())
    }

    fn round(&mut self, dave: &Device, package: &[u8], t: &mut Times) -> Result<()> {
        let package = validate(&self.alice, package)?;
        let start = Instant::now();
        let (commit, welcome, _) = self.alice_group.add_members(
            &self.alice,
            &self.alice_signer,
            std::slice::from_ref(&package),
        )?;
        self.alice_group.merge_pending_commit(&self.alice)?;
        let commit = commit.tls_serialize_detached()?;
        welcome.tls_serialize_detached()?;
        t.add.push(start.elapsed());

        let start = Instant::now();
        self.process(&commit)?;
        t.process_add.push(start.elapsed());

        let credential = dave.credential().credential;
        let start = Instant::now();
        let leaf = self
            .alice_group
            .members()
            .find(|m| m.credential == credential)
            .map(|m| m.index)
            .context("Dave is a member")?;
        let (commit, _, _) =
            self.alice_group
                .remove_members(&self.alice, &self.alice_signer, &[leaf])?;
        self.alice_group.merge_pending_commit(&self.alice)?;
        let commit = commit.tls_serialize_detached()?;
        t.remove.push(start.elapsed());

        let start = Instant::now();
        self.process(&commit)?;
        t.process_remove.push(start.elapsed());

        let export = |group: &MlsGroup, provider: &OpenMlsRustCrypto| {
            group.export_secret(provider.crypto(), "diplomatie/bench", &[], 32)
        };
        check(
            &self.alice_group,
            &self.bob_group,
            &export(&self.alice_group, &self.alice)?,
            &export(&self.bob_group, &self.bob)?,
        )
    }
}

/// Alice and Bob agree after a round: same epoch, same key, 200 members.
fn check(alice: &MlsGroup, bob: &MlsGroup, alice_key: &[u8], bob_key: &[u8]) -> Result<()> {
    if alice.epoch() != bob.epoch() || alice_key != bob_key {
        bail!("Alice and Bob no longer share the epoch");
    }
    let members = bob.members().count();
    if members != DEVICES {
        bail!("the space has {members} devices, not {DEVICES}");
    }
    Ok(())
}

fn median(runs: &[Duration]) -> Duration {
    let mut runs = runs.to_vec();
    runs.sort();
    runs.get(runs.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn rows(runs: usize) -> Result<Vec<Row>> {
    let rounds = rounds(runs);
    let tmp = tempfile::tempdir()?;
    let identity = SigningKey::generate()?;
    eprintln!("mls: {DEVICES} devices and their key packages…");
    let devices = (0..DEVICES)
        .map(|_| Device::new(&identity))
        .collect::<Result<Vec<_>>>()?;
    let [alice, bob, others @ ..] = devices.as_slice() else {
        bail!("a space of fewer than two devices");
    };
    let dave = Device::new(&identity)?;
    // The key packages of the devices that never join, made once, added on both sides.
    let spare = OpenMlsRustCrypto::default();
    let packages = others
        .iter()
        .map(|d| Ok(group::key_package(&spare, &d.key, &d.certificate)?))
        .collect::<Result<Vec<_>>>()?;
    let certificates: Vec<&DeviceCertificate> = others.iter().map(|d| &d.certificate).collect();
    let space = SpaceId::random()?;

    eprintln!("mls: the space of {DEVICES} devices, through the product…");
    let start = Instant::now();
    let mut product = Product::build(tmp.path(), space, alice, bob, &packages, &certificates)?;
    let product_setup = start.elapsed();
    eprintln!("mls: the same space through openmls alone…");
    let start = Instant::now();
    let mut alone = Alone::build(space, alice, bob, &packages)?;
    let alone_setup = start.elapsed();

    let (mut ours, mut theirs) = (Times::default(), Times::default());
    for round in 0..=rounds {
        if round % ROUNDS_PER_RUN == 0 {
            eprintln!("mls: round {round} of {rounds} (0: warm-up)…");
        }
        let package = group::key_package(&spare, &dave.key, &dave.certificate)?;
        let (mut o, mut a) = (Times::default(), Times::default());
        if round % 2 == 0 {
            product.round(alice, &dave, &package, &mut o)?;
            alone.round(&dave, &package, &mut a)?;
        } else {
            alone.round(&dave, &package, &mut a)?;
            product.round(alice, &dave, &package, &mut o)?;
        }
        if round > 0 {
            for (into, from) in [(&mut ours, o), (&mut theirs, a)] {
                into.add.extend(from.add);
                into.process_add.extend(from.process_add);
                into.remove.extend(from.remove);
                into.process_remove.extend(from.process_remove);
                into.stored_add.extend(from.stored_add);
                into.stored_process_add.extend(from.stored_process_add);
                into.stored_remove.extend(from.stored_remove);
                into.stored_process_remove
                    .extend(from.stored_process_remove);
                into.writes = from.writes;
            }
        }
    }

    let mut out = Vec::new();
    let operations = [
        (
            format!("add 1 device to the {DEVICES}-device space (Alice: commit with path, merge)"),
            &ours.add,
            &theirs.add,
            &ours.stored_add,
            ours.writes[0],
        ),
        (
            "process that add's commit (Bob: process, merge)".to_owned(),
            &ours.process_add,
            &theirs.process_add,
            &ours.stored_process_add,
            ours.writes[1],
        ),
        (
            format!(
                "remove it again, {} → {DEVICES} (Alice: commit with path, merge)",
                DEVICES + 1
            ),
            &ours.remove,
            &theirs.remove,
            &ours.stored_remove,
            ours.writes[2],
        ),
        (
            "process that remove's commit (Bob: process, merge)".to_owned(),
            &ours.process_remove,
            &theirs.process_remove,
            &ours.stored_process_remove,
            ours.writes[3],
        ),
    ];
    for (label, product, alone, stored, writes) in operations {
        let (p, a, s) = (median(product), median(alone), median(stored));
        // The operation before its store transaction, round by round.
        let before: Vec<Duration> = product
            .iter()
            .zip(stored)
            .map(|(all, stored)| all.saturating_sub(*stored))
            .collect();
        let ratio = p.as_secs_f64() / a.as_secs_f64().max(f64::EPSILON);
        out.push(row(
            format!("{label}: product / openmls alone"),
            format!("{:.2} ms / {:.2} ms ({ratio:.2}×)", ms(p), ms(a)),
            format!("≤ {TARGET}× {}", verdict(ratio <= TARGET)),
        ));
        out.push(row(
            "  product: the store transaction; the operation before it",
            format!(
                "{:.2} ms ({writes} values written or deleted); {:.2} ms",
                ms(s),
                ms(median(&before))
            ),
            "measured".to_owned(),
        ));
    }
    let state = product.state(&alone)?;
    let kib = |b: usize| b as f64 / 1024.0;
    out.push(row(
        "Bob's MLS state in his store (postcard): values, bytes (of which the tree)",
        format!(
            "{}, {:.1} KiB ({:.1} KiB)",
            state.values,
            kib(state.bytes),
            kib(state.tree)
        ),
        "measured".to_owned(),
    ));
    out.push(row(
        "  the same state in JSON (openmls alone's memory storage); the tree in MLS's binary encoding",
        format!(
            "{}, {:.1} KiB ({:.1} KiB); {:.1} KiB",
            state.json_values,
            kib(state.json_bytes),
            kib(state.json_tree),
            kib(state.tree_tls)
        ),
        "measured".to_owned(),
    ));
    out.push(row(
        format!("building the space: create, check and add {} key packages, Bob joins: product / openmls alone", DEVICES - 1),
        format!("{:.0} ms / {:.0} ms", ms(product_setup), ms(alone_setup)),
        "measured".to_owned(),
    ));
    Ok(out)
}
