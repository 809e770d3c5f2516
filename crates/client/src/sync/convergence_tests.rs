//! Profiles converging through the sync driver: partitions healed, faulty carriers, many
//! seeds.
//!
//! Everything is real but the key derivation (the test kit's cheap one): SQLCipher stores on
//! disk, MLS groups, envelopes signed and sealed and written as files in a sync folder. The
//! profiles are made here, with the test kit's names, passphrase and cost, rather than by its
//! `alice()`: the kit's profiles are this crate as other crates see it, and these tests drive
//! the driver's own carrier (`sync_through`) with a fault-injecting one.
//!
//! A partition is a copy of the sync folder per group of profiles: each syncs only with its
//! group's copy, and healing merges what the copies gained back into the folder (a device
//! writes only its own envelopes, so two copies never disagree on a file).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use diplomatie_domain::{ItemKind, Marking, Paragraph};
use diplomatie_draft::FieldName;
use diplomatie_protocol::DeviceId;
use diplomatie_protocol::relay::CommitUpload;
use diplomatie_sync::PushOutcome;
use diplomatie_testkit::{FAST_KDF, PASSPHRASE, POST, temp_dir};
use proptest::prelude::{Just, Strategy, any, prop_oneof};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use tempfile::TempDir;

use super::carrier::{Pulled, Waiting};
use super::*;
use crate::drafting::DraftEdit;
use crate::spaces::SpaceKind;
use crate::spaces::group::Outgoing as Commit;
use crate::{AddresseeInput, ComposeForm, InitOptions, TelegramForm};

const SPACE: &str = "Poste de Berlin";
const ALICE: &str = "Alice Martin";
const BOB: &str = "Bob Durand";
const CAROL: &str = "Carol Petit";

/// A profile of a test, with what its syncs reported and its own fault dice.
struct Peer {
    name: String,
    profile: Profile,
    faults: Faults,
    tally: Tally,
    /// Subjects of the items this profile wrote and shared.
    wrote: Vec<String>,
    _tmp: TempDir,
}

/// What a profile's syncs reported, summed.
#[derive(Debug, Default)]
struct Tally {
    /// Syncs that failed at once, the carrier unreachable.
    unreachable: usize,
    applied: usize,
    before_joining: usize,
    refused: Vec<String>,
}

fn peer(name: &str, seed: u64) -> Peer {
    let tmp = temp_dir();
    let profile = Profile::init(
        &tmp.path().join("profile"),
        PASSPHRASE,
        InitOptions {
            role: String::new(),
            name: name.into(),
            org: POST.into(),
            email: None,
            kdf_cost: Some(FAST_KDF),
        },
    )
    .unwrap_or_else(|e| panic!("create the profile of {name}: {e}"));
    Peer {
        name: name.to_owned(),
        profile,
        faults: Faults::new(seed),
        tally: Tally::default(),
        wrote: Vec::new(),
        _tmp: tmp,
    }
}

impl Peer {
    fn device(&self) -> DeviceId {
        self.profile.own().device.device
    }

    fn space_id(&self) -> SpaceId {
        SpaceId(self.profile.find_space(SPACE).unwrap().id)
    }

    /// Composes a telegram (stored here, shared nowhere).
    fn compose(&self, subject: &str) -> ItemId {
        self.profile
            .compose_form(ComposeForm::Telegram(TelegramForm {
                action: vec![AddresseeInput::Typed("DFAE".into())],
                subject: subject.to_owned(),
                paragraphs: vec![Paragraph {
                    marking: Marking::NonProtege,
                    text: format!("Texte de {subject}."),
                }],
                ..TelegramForm::default()
            }))
            .unwrap()
    }

    /// Composes a telegram and shares it into the space.
    fn write(&mut self) {
        let subject = format!("{} n° {}", self.name, self.wrote.len() + 1);
        let id = self.compose(&subject);
        self.profile.share_item(id, SPACE).unwrap();
        self.wrote.push(subject);
    }

    /// Inserts this profile's next mark at the start of the draft's summary.
    fn edit_draft(&self, draft: &str, mark: &str) {
        self.profile
            .edit_draft(
                draft,
                &[DraftEdit::SpliceField {
                    field: FieldName::Summary,
                    pos: 0,
                    delete: 0,
                    insert: mark.to_owned(),
                }],
            )
            .unwrap();
    }

    /// Syncs once through the folder `dir`, with the faults `odds` says; whether anything
    /// moved (joined, a commit processed, a write delivered, an envelope applied).
    fn sync(&mut self, dir: &Path, odds: &Odds) -> bool {
        let folder = Folder::open(dir, self.device()).unwrap();
        let mut carrier = Faulty {
            inner: folder,
            faults: &mut self.faults,
            odds,
        };
        match self.profile.sync_through(&mut carrier, FOLDER, &mut |_| {}) {
            Ok(report) => {
                self.tally.applied += report.applied;
                self.tally.before_joining += report.before_joining;
                self.tally.refused.extend(report.refused);
                report.joined + report.commits + report.delivered + report.applied > 0
            }
            Err(ClientError::RelayUnreachable(_)) => {
                self.tally.unreachable += 1;
                false
            }
            Err(e) => panic!("{} syncs: {e}", self.name),
        }
    }

    /// The subjects of every item stored here, sorted, each as many times as it is stored
    /// (an item is stored once by id: checked here).
    fn items(&self) -> Vec<String> {
        let mut subjects = Vec::new();
        let mut ids = BTreeSet::new();
        let mut after = 0;
        loop {
            let page = self.profile.store().items_after(after).unwrap();
            let Some((last, _)) = page.last() else { break };
            after = *last;
            for (_, summary) in page {
                assert!(ids.insert(summary.id), "{}: item stored twice", self.name);
                subjects.push(summary.subject);
            }
        }
        assert_eq!(
            self.profile.item_count().unwrap(),
            ids.len() as u64,
            "{}: the count and the list of items differ",
            self.name
        );
        subjects.sort();
        subjects
    }
}

/// Makes each of `peers` a contact of the others.
fn introduce(peers: &[Peer]) {
    for p in peers {
        for other in peers {
            if p.name != other.name {
                p.profile.add_contact(&other.profile.card_line()).unwrap();
            }
        }
    }
}

/// The sync folder, and, while the profiles are split, each one's group and each group's
/// copy of it.
struct Net {
    root: TempDir,
    shared: PathBuf,
    split: Option<(Vec<usize>, Vec<PathBuf>)>,
    splits: usize,
}

impl Net {
    fn new() -> Net {
        let root = temp_dir();
        let shared = root.path().join("dossier");
        fs::create_dir(&shared).unwrap();
        Net {
            root,
            shared,
            split: None,
            splits: 0,
        }
    }

    /// The folder profile `i` reaches.
    fn folder_of(&self, i: usize) -> PathBuf {
        match &self.split {
            Some((groups, copies)) => copies[groups[i]].clone(),
            None => self.shared.clone(),
        }
    }

    /// Splits the profiles into groups (`groups[i]` is profile `i`'s), each with its own copy
    /// of the folder as it is now; heals a split in force first.
    fn split(&mut self, groups: &[usize]) {
        self.heal();
        self.splits += 1;
        let count = groups.iter().max().map_or(0, |g| g + 1);
        let copies: Vec<PathBuf> = (0..count)
            .map(|g| {
                let copy = self.root.path().join(format!("copie-{}-{g}", self.splits));
                copy_missing(&self.shared, &copy);
                copy
            })
            .collect();
        self.split = Some((groups.to_vec(), copies));
    }

    /// Merges what each group's copy gained back into the folder; everyone reaches it again.
    fn heal(&mut self) {
        if let Some((_, copies)) = self.split.take() {
            for copy in copies {
                copy_missing(&copy.join("spaces"), &self.shared.join("spaces"));
            }
        }
    }
}

/// Copies every file of `from` that `to` lacks (temporary files aside).
fn copy_missing(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_missing(&entry.path(), &target);
        } else if !target.exists() {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// How many envelope files of `space` the folder `dir` holds, by sender.
fn envelope_files(dir: &Path, space: SpaceId) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let root = dir.join("spaces").join(space.hex()).join("envelopes");
    for sender in fs::read_dir(root).unwrap() {
        let sender = sender.unwrap();
        let count = fs::read_dir(sender.path())
            .unwrap()
            .filter(|f| {
                let name = f.as_ref().unwrap().file_name();
                name.to_string_lossy().ends_with(".env")
            })
            .count();
        out.insert(sender.file_name().to_string_lossy().into_owned(), count);
    }
    out
}

/// The first of `peers` makes the space; everyone publishes key packages in the folder; she
/// adds the others through it, each in a commit of its own as the application does or all in
/// one commit (`at_once`); everyone syncs until nothing moves.
fn gather(peers: &mut [Peer], net: &Net, at_once: bool) {
    introduce(peers);
    peers[0]
        .profile
        .create_space(SPACE, SpaceKind::Shared, false)
        .unwrap();
    for p in peers.iter_mut() {
        p.sync(&net.shared, &Odds::NONE);
    }
    if at_once {
        add_at_once(&peers[0], &peers[1..], &net.shared);
    } else {
        for other in &peers[1..] {
            peers[0]
                .profile
                .add_to_space_via_folder(&net.shared, SPACE, &other.name)
                .unwrap();
        }
    }
    run_until_quiet(peers, net, &Odds::NONE, 10);
    let made = peers[0].space_id().hex();
    let epoch = peers[0].profile.find_space(SPACE).unwrap().epoch;
    for p in peers.iter() {
        let seen: Vec<_> = p
            .profile
            .spaces()
            .unwrap()
            .into_iter()
            .filter(|s| s.id == made)
            .map(|s| (s.name, s.epoch, s.devices))
            .collect();
        assert_eq!(
            seen,
            [(SPACE.to_owned(), epoch, peers.len())],
            "{} sees the space",
            p.name
        );
    }
}

/// `adder` adds `others` to the space in one commit, through the sync folder `dir`.
fn add_at_once(adder: &Peer, others: &[Peer], dir: &Path) {
    let mut folder = Folder::open(dir, adder.device()).unwrap();
    let packages: Vec<_> = others
        .iter()
        .map(|p| {
            let device = p.profile.own().device.clone();
            let package = folder.key_package(&device.device).unwrap();
            (device, package)
        })
        .collect();
    adder
        .profile
        .add_to_space(SPACE, &packages, |space, commit| {
            offer(&mut folder, space, commit)
        })
        .unwrap();
    adder.profile.queue_space_info(&adder.space_id()).unwrap();
}

/// Offers `commit` to the sync folder as the one of its epoch.
fn offer(folder: &mut Folder, space: &SpaceId, commit: &Commit) -> Result<(), ClientError> {
    let upload = CommitUpload {
        commit: commit.commit.clone(),
        welcome: commit.welcome.clone(),
    };
    match folder.commit(*space, commit.epoch - 1, &upload)? {
        CommitAnswer::Accepted(_) => Ok(()),
        CommitAnswer::Conflict(epoch) => Err(ClientError::RelayConflict { epoch }),
    }
}

/// Syncs everyone, round after round, with the faults `odds` says, until all hold the same
/// items and drafts with nothing left to send; then without faults until a round moves
/// nothing (a fault may have hidden a last envelope that changes nothing, or a draft's copy
/// still to send back). Returns the rounds it took.
fn run_until_quiet(peers: &mut [Peer], net: &Net, odds: &Odds, most: usize) -> usize {
    let mut rounds = 0;
    while !agreed(peers) {
        rounds += 1;
        if rounds > most {
            let pending: Vec<usize> = peers
                .iter()
                .map(|p| p.profile.pending_count().unwrap())
                .collect();
            panic!("no agreement after {most} rounds (pending {pending:?})");
        }
        for (i, p) in peers.iter_mut().enumerate() {
            p.sync(&net.folder_of(i), odds);
        }
    }
    for _ in 0..QUIET_ROUNDS {
        rounds += 1;
        let mut moved = false;
        for (i, p) in peers.iter_mut().enumerate() {
            moved |= p.sync(&net.folder_of(i), &Odds::NONE);
        }
        if !moved {
            assert!(agreed(peers), "a round without faults undid the agreement");
            return rounds;
        }
    }
    panic!("still moving after {QUIET_ROUNDS} rounds without faults");
}

/// Rounds without faults that must bring agreed profiles to rest.
const QUIET_ROUNDS: usize = 4;

/// Whether everyone holds the same items and drafts, with nothing left to send.
fn agreed(peers: &[Peer]) -> bool {
    let items = peers[0].items();
    let drafts = draft_heads(&peers[0]);
    peers.iter().all(|p| {
        p.profile.pending_count().unwrap() == 0 && p.items() == items && draft_heads(p) == drafts
    })
}

/// Each draft this profile holds, with its heads (sorted).
fn draft_heads(p: &Peer) -> BTreeMap<String, Vec<String>> {
    p.profile
        .store()
        .list_drafts()
        .unwrap()
        .into_iter()
        .map(|(id, _, _)| {
            let mut heads = p.profile.draft_heads(&id).unwrap();
            heads.sort();
            (id, heads)
        })
        .collect()
}

/// Each draft this profile holds, as its replayed state shows it: heads (sorted), stage and
/// everything in it.
fn draft_states(p: &Peer) -> BTreeMap<String, (Vec<String>, String)> {
    p.profile
        .store()
        .list_drafts()
        .unwrap()
        .into_iter()
        .map(|(id, _, _)| {
            let state = p.profile.draft(&id).unwrap();
            let mut heads = state.heads;
            heads.sort();
            let shown = format!(
                "{:?} {}",
                state.stage,
                serde_json::to_string(&state.view).unwrap()
            );
            (id, (heads, shown))
        })
        .collect()
}

/// The end of every scenario: everyone holds exactly the items written, once each, and the
/// same drafts; nothing is left to send; one more round without faults moves nothing; and
/// each envelope of another device in the folder was applied exactly once by each profile
/// (or is history from before it joined).
fn assert_converged(peers: &mut [Peer], net: &Net) {
    let mut written: Vec<String> = peers.iter().flat_map(|p| p.wrote.clone()).collect();
    written.sort();
    let drafts = draft_states(&peers[0]);
    for p in peers.iter() {
        assert_eq!(p.items(), written, "{} holds every item once", p.name);
        assert_eq!(draft_states(p), drafts, "{} holds the same drafts", p.name);
        assert_eq!(p.profile.pending_count().unwrap(), 0, "{}", p.name);
        assert!(
            p.tally.refused.is_empty(),
            "{}: {:?}",
            p.name,
            p.tally.refused
        );
    }
    for (i, p) in peers.iter_mut().enumerate() {
        assert!(
            !p.sync(&net.folder_of(i), &Odds::NONE),
            "{} still moved",
            p.name
        );
    }
    let files = envelope_files(&net.shared, peers[0].space_id());
    for p in peers.iter() {
        let others: usize = files
            .iter()
            .filter(|(sender, _)| **sender != p.device().hex())
            .map(|(_, n)| n)
            .sum();
        assert_eq!(
            p.tally.applied + p.tally.before_joining,
            others,
            "{}: every envelope of the others settled exactly once",
            p.name
        );
    }
}

/// How likely each fault is, at each call it can strike.
#[derive(Debug, Clone)]
struct Odds {
    /// The carrier cannot be reached at all (the sync fails at once).
    unreachable: f64,
    /// A push or a pull is lost on the way (nothing done).
    lost_call: f64,
    /// A push is carried out but its answer is lost.
    lost_answer: f64,
    /// A batch is pushed in another order.
    reordered_push: f64,
    /// An answer from an earlier pull of the space comes instead of this one's.
    stale_page: f64,
    /// A page is cut short (its `next` the last position it keeps).
    short_page: f64,
    /// Some envelopes of a page come twice.
    duplicates: f64,
    /// A page comes in another order (every position then the page's start: a reader may
    /// resume only past a whole page).
    shuffled_page: f64,
}

impl Odds {
    const NONE: Odds = Odds {
        unreachable: 0.0,
        lost_call: 0.0,
        lost_answer: 0.0,
        reordered_push: 0.0,
        stale_page: 0.0,
        short_page: 0.0,
        duplicates: 0.0,
        shuffled_page: 0.0,
    };

    const ROUGH: Odds = Odds {
        unreachable: 0.1,
        lost_call: 0.2,
        lost_answer: 0.2,
        reordered_push: 0.5,
        stale_page: 0.2,
        short_page: 0.3,
        duplicates: 0.3,
        shuffled_page: 0.3,
    };
}

/// A pulled page, kept to be answered again later.
#[derive(Clone)]
struct Page {
    entries: Vec<(Cursor, Vec<u8>)>,
    next: Cursor,
    head: Cursor,
    remaining: Option<u64>,
}

impl Page {
    fn of(pulled: &Pulled) -> Page {
        Page {
            entries: pulled.entries.clone(),
            next: pulled.next.clone(),
            head: pulled.head.clone(),
            remaining: pulled.remaining,
        }
    }

    fn pulled(self) -> Pulled {
        Pulled {
            entries: self.entries,
            next: self.next,
            head: self.head,
            remaining: self.remaining,
        }
    }
}

/// One profile's fault dice, the last page it pulled of each space (to answer again), and
/// how many faults of each kind struck.
struct Faults {
    rng: StdRng,
    last_pages: BTreeMap<SpaceId, Page>,
    struck: BTreeMap<&'static str, usize>,
}

impl Faults {
    fn new(seed: u64) -> Faults {
        Faults {
            rng: StdRng::seed_from_u64(seed),
            last_pages: BTreeMap::new(),
            struck: BTreeMap::new(),
        }
    }

    fn roll(&mut self, fault: &'static str, odds: f64) -> bool {
        let hit = odds > 0.0 && self.rng.random_bool(odds);
        if hit {
            *self.struck.entry(fault).or_default() += 1;
        }
        hit
    }
}

fn unreachable() -> ClientError {
    ClientError::RelayUnreachable("the sync folder (a fault of the test)".into())
}

/// A carrier that loses, repeats, reorders and delays what it carries, by its dice.
struct Faulty<'a, C: Carrier> {
    inner: C,
    faults: &'a mut Faults,
    odds: &'a Odds,
}

impl<C: Carrier> Carrier for Faulty<'_, C> {
    fn open(&mut self) -> Result<(), ClientError> {
        if self.faults.roll("unreachable", self.odds.unreachable) {
            return Err(unreachable());
        }
        self.inner.open()
    }

    fn publish_key_packages(&mut self, packages: Vec<Vec<u8>>) -> Result<u32, ClientError> {
        self.inner.publish_key_packages(packages)
    }

    fn key_package(&mut self, device: &DeviceId) -> Result<Vec<u8>, ClientError> {
        self.inner.key_package(device)
    }

    fn welcomes(&mut self) -> Result<Vec<Waiting>, ClientError> {
        self.inner.welcomes()
    }

    fn delete_welcome(&mut self, id: &str) -> Result<(), ClientError> {
        self.inner.delete_welcome(id)
    }

    fn spaces(&mut self) -> Result<Vec<SpaceId>, ClientError> {
        self.inner.spaces()
    }

    fn create_space(&mut self, space: SpaceId, group_info: Vec<u8>) -> Result<(), ClientError> {
        self.inner.create_space(space, group_info)
    }

    fn commit_at(&mut self, space: SpaceId, epoch: u64) -> Result<Option<Vec<u8>>, ClientError> {
        self.inner.commit_at(space, epoch)
    }

    fn deposit_keys(&mut self, space: SpaceId) -> Result<Vec<Vec<u8>>, ClientError> {
        self.inner.deposit_keys(space)
    }

    fn publish_deposit_key(&mut self, space: SpaceId, key: &[u8]) -> Result<(), ClientError> {
        self.inner.publish_deposit_key(space, key)
    }

    fn commit(
        &mut self,
        space: SpaceId,
        epoch: u64,
        upload: &CommitUpload,
    ) -> Result<CommitAnswer, ClientError> {
        self.inner.commit(space, epoch, upload)
    }

    fn push(
        &mut self,
        space: SpaceId,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError> {
        if self.faults.roll("lost push", self.odds.lost_call) {
            return Err(unreachable());
        }
        let mut order: Vec<usize> = (0..envelopes.len()).collect();
        if envelopes.len() > 1 && self.faults.roll("reordered push", self.odds.reordered_push) {
            order.shuffle(&mut self.faults.rng);
        }
        let sent = order.iter().map(|&i| envelopes[i].clone()).collect();
        let answered = self.inner.push(space, sent)?;
        assert_eq!(answered.len(), envelopes.len(), "one outcome an envelope");
        if self.faults.roll("lost answer", self.odds.lost_answer) {
            return Err(unreachable());
        }
        // The outcomes in the order the driver gave the envelopes.
        let mut outcomes = vec![None; envelopes.len()];
        for (outcome, &i) in answered.into_iter().zip(&order) {
            outcomes[i] = Some(outcome);
        }
        Ok(outcomes.into_iter().map(Option::unwrap).collect())
    }

    fn deposit(
        &mut self,
        space: SpaceId,
        envelopes: Vec<Vec<u8>>,
    ) -> Result<Vec<PushOutcome>, ClientError> {
        if self.faults.roll("lost push", self.odds.lost_call) {
            return Err(unreachable());
        }
        self.inner.deposit(space, envelopes)
    }

    fn pull(&mut self, space: SpaceId, after: &Cursor) -> Result<Pulled, ClientError> {
        if self.faults.roll("lost pull", self.odds.lost_call) {
            return Err(unreachable());
        }
        if self.faults.last_pages.contains_key(&space)
            && self.faults.roll("stale page", self.odds.stale_page)
        {
            return Ok(self.faults.last_pages[&space].clone().pulled());
        }
        let mut page = self.inner.pull(space, after)?;
        self.faults.last_pages.insert(space, Page::of(&page));
        let len = page.entries.len();
        if len > 1 && self.faults.roll("short page", self.odds.short_page) {
            // A folder's positions grow entry by entry: a prefix, with the position of its
            // last entry as `next`, is a page it could have given.
            let keep = self.faults.rng.random_range(0..len);
            page.entries.truncate(keep);
            page.next = page
                .entries
                .last()
                .map_or_else(|| after.clone(), |(at, _)| at.clone());
            page.remaining = page.remaining.map(|r| r + (len - keep) as u64);
        }
        if !page.entries.is_empty() && self.faults.roll("duplicates", self.odds.duplicates) {
            let mut doubled = Vec::with_capacity(page.entries.len() * 2);
            for entry in page.entries {
                if self.faults.rng.random_bool(0.5) {
                    doubled.push(entry.clone());
                }
                doubled.push(entry);
            }
            page.entries = doubled;
        }
        if page.entries.len() > 1 && self.faults.roll("shuffled page", self.odds.shuffled_page) {
            page.entries.shuffle(&mut self.faults.rng);
            for (at, _) in &mut page.entries {
                at.clone_from(after);
            }
        }
        Ok(page)
    }
}

/// `peers` in one space, through one sync folder, each holding a draft of the first's shared
/// into it and an item of the first's.
fn circle(peers: &mut [Peer], net: &Net, at_once: bool) -> String {
    gather(peers, net, at_once);
    let draft = peers[0]
        .profile
        .create_draft(ItemKind::Telegram)
        .unwrap()
        .id;
    peers[0].profile.share_draft(&draft, SPACE).unwrap();
    peers[0].write();
    run_until_quiet(peers, net, &Odds::NONE, 10);
    for p in peers.iter() {
        assert!(p.profile.draft(&draft).is_ok(), "{} has the draft", p.name);
    }
    draft
}

/// Alice, Bob and Carol in a circle (see `circle`).
fn three(net: &Net) -> (Vec<Peer>, String) {
    let mut peers = vec![peer(ALICE, 1), peer(BOB, 2), peer(CAROL, 3)];
    let draft = circle(&mut peers, net, false);
    (peers, draft)
}

#[test]
fn three_profiles_partitioned_then_healed_hold_the_same_items_and_drafts() {
    let mut net = Net::new();
    let (mut peers, draft) = three(&net);

    // Alice alone; Bob and Carol together. Each writes, edits the draft and syncs.
    net.split(&[0, 1, 1]);
    for step in 0..3 {
        for (i, p) in peers.iter_mut().enumerate() {
            p.write();
            p.edit_draft(&draft, &format!("[{} {step}]", p.name));
            p.sync(&net.folder_of(i), &Odds::NONE);
        }
    }
    // Bob and Carol see each other's work; nothing of Alice's partition reached them.
    let (alone, together) = peers.split_at_mut(1);
    for (i, p) in together.iter_mut().enumerate() {
        p.sync(&net.folder_of(i + 1), &Odds::NONE);
    }
    let last = [&together[0].wrote[2], &together[1].wrote[2]];
    for p in together.iter() {
        let held = p.items();
        assert!(last.iter().all(|s| held.contains(s)), "{}", p.name);
        assert!(!held.contains(&alone[0].wrote[3]), "{}", p.name);
    }
    // Then each alone; Carol does not sync at all.
    net.split(&[0, 1, 2]);
    peers[0].write();
    peers[1].write();
    peers[2].write();
    peers[2].edit_draft(&draft, "[Carol hors ligne]");
    peers[0].sync(&net.folder_of(0), &Odds::NONE);
    peers[1].sync(&net.folder_of(1), &Odds::NONE);

    net.heal();
    run_until_quiet(&mut peers, &net, &Odds::NONE, 10);
    assert_converged(&mut peers, &net);
    assert_eq!(peers[0].items().len(), 1 + 3 * 3 + 3);
    let summary = peers[0].profile.draft(&draft).unwrap().view.fields.summary;
    for p in &peers {
        for step in 0..3 {
            let mark = format!("[{} {step}]", p.name);
            assert!(summary.contains(&mark), "{mark} kept in {summary:?}");
        }
    }
    assert!(summary.contains("[Carol hors ligne]"), "{summary:?}");
}

#[test]
fn a_carrier_that_loses_repeats_reorders_and_replays_still_brings_everyone_to_the_same_items_once()
{
    let net = Net::new();
    let (mut peers, draft) = three(&net);
    for round in 0..4 {
        for (i, p) in peers.iter_mut().enumerate() {
            // Two writes at a time, so that a batch can be reordered.
            p.write();
            p.write();
            p.edit_draft(&draft, &format!("[{} {round}]", p.name));
            p.sync(&net.folder_of(i), &Odds::ROUGH);
        }
    }
    let rounds = run_until_quiet(&mut peers, &net, &Odds::ROUGH, 40);
    assert_converged(&mut peers, &net);

    let mut struck: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &peers {
        for (fault, n) in &p.faults.struck {
            *struck.entry(fault).or_default() += n;
        }
    }
    let unreachable: usize = peers.iter().map(|p| p.tally.unreachable).sum();
    assert_eq!(
        Some(&unreachable),
        struck.get("unreachable"),
        "an unreachable carrier fails the sync as such"
    );
    for fault in [
        "unreachable",
        "lost push",
        "lost answer",
        "reordered push",
        "lost pull",
        "stale page",
        "short page",
        "duplicates",
        "shuffled page",
    ] {
        assert!(
            struck.get(fault).is_some_and(|n| *n > 0),
            "{fault} never struck in {rounds} rounds: {struck:?}"
        );
    }
}

/// Seals an item of `signer`'s as an envelope of `space` under `epoch`'s `key`, signed by
/// `signer`'s device, and writes it into the sync folder `dir` as that device's envelope
/// `seq`, as a device that ignores the rules could. Returns the item's subject.
fn plant(
    dir: &Path,
    signer: &Peer,
    space: SpaceId,
    (epoch, key): (u64, &diplomatie_crypto::SecretKey),
    seq: u64,
) -> String {
    let subject = format!("{} hors de l'espace, n° {seq}", signer.name);
    let id = signer.compose(&subject);
    let stored = signer.profile.store().get_item(id).unwrap().unwrap();
    let payload = ItemPayload {
        item: serde_json::to_vec(&stored.item).unwrap(),
        attachments: Vec::new(),
    };
    let header = EnvelopeHeader {
        space,
        epoch,
        sender: signer.device(),
        seq,
        id: EnvelopeId::random().unwrap(),
    };
    let content = Content {
        kind: ContentKind::Item,
        body: postcard::to_allocvec(&payload).unwrap(),
    };
    let envelope = Envelope::seal(
        header,
        key,
        &content,
        &signer.profile.signing_key().unwrap(),
    )
    .unwrap();
    let senders = dir.join("spaces").join(space.hex()).join("envelopes");
    let at = senders.join(signer.device().hex());
    fs::create_dir_all(&at).unwrap();
    fs::write(at.join(format!("{seq:020}.env")), envelope.bytes()).unwrap();
    subject
}

/// The next envelope number of `device` in the sync folder `dir`.
fn next_seq(dir: &Path, space: SpaceId, device: DeviceId) -> u64 {
    let at = dir
        .join("spaces")
        .join(space.hex())
        .join("envelopes")
        .join(device.hex());
    fs::read_dir(at).map_or(0, |files| files.count()) as u64 + 1
}

#[test]
fn envelopes_from_a_non_member_and_from_a_removed_member_are_refused_and_not_applied() {
    let net = Net::new();
    let dir = net.shared.clone();
    let mut peers = vec![peer(ALICE, 1), peer(BOB, 2), peer(CAROL, 3)];
    gather(&mut peers, &net, false);
    // Dave is everyone's contact, but no member of the space.
    let dave = peer("Dave Moreau", 4);
    for p in &peers {
        p.profile.add_contact(&dave.profile.card_line()).unwrap();
        dave.profile.add_contact(&p.profile.card_line()).unwrap();
    }
    let space = peers[0].space_id();
    let carol = peers[2].device();
    let carols_epoch = peers[2].profile.space_current_key(&space).unwrap();

    // Alice removes Carol through the folder, then shares an item.
    let mut folder = Folder::open(&dir, peers[0].device()).unwrap();
    let removed = peers[0]
        .profile
        .remove_from_space(SPACE, &[carol], |space, commit| {
            offer(&mut folder, space, commit)
        })
        .unwrap();
    assert_eq!(removed.members.len(), 2);
    peers[0].write();
    assert!(peers[0].sync(&dir, &Odds::NONE));
    let current = peers[0].profile.space_current_key(&space).unwrap();
    assert_eq!(current.0, carols_epoch.0 + 1);

    // Carol, removed, goes on writing under the epoch she holds, then under the next one's
    // key (stolen); Dave, never a member, under the current key (stolen too).
    let mut forged = Vec::new();
    let seq = next_seq(&dir, space, carol);
    forged.push(plant(
        &dir,
        &peers[2],
        space,
        (carols_epoch.0, &carols_epoch.1),
        seq,
    ));
    forged.push(plant(
        &dir,
        &peers[2],
        space,
        (current.0, &current.1),
        seq + 1,
    ));
    forged.push(plant(&dir, &dave, space, (current.0, &current.1), 1));

    // Bob takes Alice's commit and item, and refuses the three.
    let before = peers[1].tally.refused.len();
    assert!(peers[1].sync(&dir, &Odds::NONE));
    assert_eq!(peers[1].profile.space(SPACE).unwrap().members.len(), 2);
    let refused = &peers[1].tally.refused[before..];
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(
        refused.iter().all(|r| r.contains("not a member")),
        "{refused:?}"
    );
    assert!(peers[1].items().contains(&peers[0].wrote[0]));
    // Alice, who removed Carol, refuses them too.
    let before = peers[0].tally.refused.len();
    peers[0].sync(&dir, &Odds::NONE);
    assert_eq!(peers[0].tally.refused.len() - before, 3);
    for who in [&peers[0], &peers[1]] {
        let held = who.items();
        for subject in &forged {
            assert!(!held.contains(subject), "{}: {subject} applied", who.name);
        }
        let engine = who.profile.engine().unwrap();
        assert!(!engine.has_applied(space, carol, seq));
        assert!(!engine.has_applied(space, carol, seq + 1));
        assert!(!engine.has_applied(space, dave.device(), 1));
    }
    // Settled: the next sync neither applies nor refuses them again.
    let before = (peers[1].tally.applied, peers[1].tally.refused.len());
    peers[1].sync(&dir, &Odds::NONE);
    assert_eq!(
        (peers[1].tally.applied, peers[1].tally.refused.len()),
        before
    );
}

/// Every envelope file under the sync folder `dir`, by path.
fn every_envelope(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(at: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(at) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "env") {
                out.insert(path.clone(), fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

/// Whether any of `keys` opens the envelope `bytes`, as a member's envelope (each key as the
/// epoch key; the sender's certificate as `who` holds it) or as a deposit (the deposit key pair
/// each key gives for its space and epoch).
fn opens_with_any(who: &Peer, bytes: &[u8], keys: &[SecretKeyBytes]) -> bool {
    let envelope = Envelope::decode(bytes).unwrap();
    let header = envelope.header().clone();
    let keys: Vec<diplomatie_crypto::SecretKey> = keys
        .iter()
        .map(|k| diplomatie_crypto::SecretKey::from_bytes(*k))
        .collect();
    if envelope.is_deposit() {
        return keys.iter().any(|key| {
            let secret =
                diplomatie_protocol::DepositSecret::derive(header.space, header.epoch, key)
                    .unwrap();
            envelope.open_deposit(&secret).is_ok()
        });
    }
    let certificate = who
        .profile
        .stored_contacts()
        .unwrap()
        .into_iter()
        .find_map(|c| {
            c.card
                .devices
                .into_iter()
                .find(|d| d.device == header.sender)
        })
        .unwrap_or_else(|| who.profile.own().device.clone());
    keys.iter()
        .any(|key| envelope.open(&certificate, key).is_ok())
}

type SecretKeyBytes = [u8; 32];

#[test]
fn a_member_removed_through_a_folder_opens_nothing_written_there_after_with_any_key_it_held() {
    let net = Net::new();
    let dir = net.shared.clone();
    let mut peers = vec![peer(ALICE, 1), peer(BOB, 2), peer(CAROL, 3)];
    gather(&mut peers, &net, false);
    peers[0].write();
    for p in peers.iter_mut() {
        p.sync(&dir, &Odds::NONE);
    }
    let space = peers[0].space_id();
    let before = every_envelope(&dir);

    // Bob writes while he has not synced; Alice removes Carol through the folder, writes.
    peers[1].write();
    let removed = peers[0]
        .profile
        .remove_from_space_via_folder(&dir, SPACE, CAROL)
        .unwrap();
    assert_eq!(removed.members.len(), 2);
    peers[0].write();
    peers[0].sync(&dir, &Odds::NONE);
    peers[1].sync(&dir, &Odds::NONE);
    peers[0].sync(&dir, &Odds::NONE);
    let epoch = peers[0].profile.find_space(SPACE).unwrap().epoch;
    assert!(peers[1].items().contains(&peers[0].wrote[1]));
    assert!(peers[0].items().contains(&peers[1].wrote[0]));

    // Every key Carol ever held, read from her store, on every envelope written since.
    let held: Vec<SecretKeyBytes> = peers[2]
        .profile
        .store()
        .space_epoch_keys(&space.0)
        .unwrap()
        .into_iter()
        .map(|(_, k)| *k)
        .collect();
    assert!(!held.is_empty());
    let after: Vec<(PathBuf, Vec<u8>)> = every_envelope(&dir)
        .into_iter()
        .filter(|(path, _)| !before.contains_key(path))
        .collect();
    assert!(after.len() >= 2, "{}", after.len());
    for (path, bytes) in &after {
        // Bob's first write after the removal, made while offline, went under the new epoch.
        assert_eq!(Envelope::decode(bytes).unwrap().header().epoch, epoch);
        assert!(
            !opens_with_any(&peers[2], bytes, &held),
            "{} opens with a key Carol held",
            path.display()
        );
    }
    // What was sent while she was a member opens with them (the check can tell).
    let joined = peers[2]
        .profile
        .store()
        .space_epoch_keys(&space.0)
        .unwrap()
        .first()
        .unwrap()
        .0;
    let hers: Vec<&Vec<u8>> = before
        .values()
        .filter(|b| {
            let envelope = Envelope::decode(b).unwrap();
            envelope.header().space == space && envelope.header().epoch >= joined
        })
        .collect();
    assert!(!hers.is_empty());
    assert!(hers.iter().all(|b| opens_with_any(&peers[2], b, &held)));

    // Carol's sync processes the commit that removed her: the space is left, nothing new read.
    peers[2].sync(&dir, &Odds::NONE);
    assert!(peers[2].profile.store().space(&space.0).unwrap().is_none());
    let carols = peers[2].items();
    assert!(!carols.contains(&peers[0].wrote[1]));
    assert!(!carols.contains(&peers[1].wrote[0]));
    assert!(carols.contains(&peers[0].wrote[0]));
    assert!(
        peers[2]
            .profile
            .space_epoch_key(&space, epoch)
            .unwrap()
            .is_none()
    );
}

#[test]
fn garbage_planted_at_a_members_next_number_is_replaced_by_its_write_and_hides_nothing() {
    let net = Net::new();
    let dir = net.shared.clone();
    let mut peers = vec![peer(ALICE, 1), peer(BOB, 2)];
    gather(&mut peers, &net, false);
    let space = peers[0].space_id();
    peers[1].write();
    peers[1].sync(&dir, &Odds::NONE);
    peers[0].sync(&dir, &Odds::NONE);
    let bobs = dir
        .join("spaces")
        .join(space.hex())
        .join("envelopes")
        .join(peers[1].device().hex());
    let next = fs::read_dir(&bobs).unwrap().count() as u64 + 1;

    // Garbage, then an earlier envelope of Bob's copied to his next number (a replay).
    let planted = bobs.join(format!("{next:020}.env"));
    for garbage in [
        b"not an envelope".to_vec(),
        fs::read(fs::read_dir(&bobs).unwrap().next().unwrap().unwrap().path()).unwrap(),
    ] {
        fs::write(&planted, &garbage).unwrap();
        // Alice stops there: nothing refused, nothing taken past it.
        let refused = peers[0].tally.refused.len();
        peers[0].sync(&dir, &Odds::NONE);
        assert_eq!(peers[0].tally.refused.len(), refused);
    }

    // Bob writes: his envelope takes its number; Alice reads it.
    peers[1].write();
    peers[1].sync(&dir, &Odds::NONE);
    assert_eq!(peers[1].profile.pending_count().unwrap(), 0);
    let written = Envelope::decode(&fs::read(&planted).unwrap()).unwrap();
    assert_eq!(written.header().seq, next);
    peers[0].sync(&dir, &Odds::NONE);
    assert!(
        peers[0].items().contains(&peers[1].wrote[1]),
        "Alice reads Bob's item written over the garbage"
    );
}

/// One step of a schedule.
#[derive(Debug, Clone)]
enum Step {
    /// The profile writes an item and shares it.
    Write(usize),
    /// The profile edits the shared draft.
    Edit(usize),
    /// The profile syncs with the folder it reaches, through a faulty carrier.
    Sync(usize),
    /// The profiles split into groups (each profile's group), healing any split first.
    Split(Vec<usize>),
    /// Everyone reaches the one folder again.
    Heal,
}

/// A number of profiles from 3 to 8 (the larger, the rarer: each costs its cards, keys and
/// syncs), a schedule for them, and a seed for their faults.
fn schedule() -> impl Strategy<Value = (usize, Vec<Step>, u64)> {
    let n = prop_oneof![3 => 3usize..=4, 2 => 5usize..=6, 1 => 7usize..=8];
    n.prop_flat_map(|n| {
        let step = prop_oneof![
            3 => (0..n).prop_map(Step::Write),
            1 => (0..n).prop_map(Step::Edit),
            4 => (0..n).prop_map(Step::Sync),
            1 => proptest::collection::vec(0..3usize, n).prop_map(Step::Split),
            1 => Just(Step::Heal),
        ];
        (
            Just(n),
            proptest::collection::vec(step, 4..16),
            any::<u64>(),
        )
    })
}

proptest::proptest! {
    // Each case makes real profiles and spaces: a few cases by default (PROPTEST_CASES for
    // more).
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(3),
        max_shrink_iters: 16,
        ..proptest::prelude::ProptestConfig::default()
    })]

    #[test]
    fn any_schedule_of_writes_partitions_and_faulty_syncs_converges_once_healed(
        (n, steps, seed) in schedule()
    ) {
        let mut net = Net::new();
        let mut peers: Vec<Peer> = (0..n)
            .map(|i| peer(&format!("Agent {i}"), seed.wrapping_add(i as u64)))
            .collect();
        let draft = circle(&mut peers, &net, true);
        for step in &steps {
            match step {
                Step::Write(i) => peers[*i].write(),
                Step::Edit(i) => {
                    let mark = format!("[{} {}]", peers[*i].name, peers[*i].wrote.len());
                    peers[*i].edit_draft(&draft, &mark);
                }
                Step::Sync(i) => {
                    let dir = net.folder_of(*i);
                    peers[*i].sync(&dir, &Odds::ROUGH);
                }
                Step::Split(groups) => net.split(groups),
                Step::Heal => net.heal(),
            }
        }
        net.heal();
        run_until_quiet(&mut peers, &net, &Odds::ROUGH, 60);
        assert_converged(&mut peers, &net);
    }
}

/// A sender's files are read in order without gaps: garbage planted far ahead in a member's
/// numbers is not read until the numbers below it are there, so it hides none of them.
#[test]
fn garbage_planted_ahead_in_a_members_numbers_hides_nothing_once_the_folder_is_cleaned() {
    let net = Net::new();
    let dir = net.shared.clone();
    let mut peers = vec![peer(ALICE, 1), peer(BOB, 2)];
    gather(&mut peers, &net, false);
    let space = peers[0].space_id();

    // Someone with write access to the folder plants garbage as Bob's envelope 1000.
    let planted = dir
        .join("spaces")
        .join(space.hex())
        .join("envelopes")
        .join(peers[1].device().hex())
        .join(format!("{:020}.env", 1000));
    fs::create_dir_all(planted.parent().unwrap()).unwrap();
    fs::write(&planted, b"not an envelope").unwrap();
    peers[0].sync(&dir, &Odds::NONE);
    assert!(
        peers[0].tally.refused.is_empty(),
        "past a gap, nothing is read: {:?}",
        peers[0].tally.refused
    );

    // Bob shares an item while the garbage is there: Alice reads it.
    peers[1].write();
    peers[1].sync(&dir, &Odds::NONE);
    peers[0].sync(&dir, &Odds::NONE);
    assert!(
        peers[0].items().contains(&peers[1].wrote[0]),
        "Alice reads Bob's item below the planted number"
    );

    // The folder is cleaned; Bob shares another item; Alice syncs.
    fs::remove_file(&planted).unwrap();
    peers[1].write();
    peers[1].sync(&dir, &Odds::NONE);
    assert_eq!(peers[1].profile.pending_count().unwrap(), 0);
    peers[0].sync(&dir, &Odds::NONE);
    assert!(
        peers[0].items().contains(&peers[1].wrote[1]),
        "Alice reads Bob's next item"
    );
}
