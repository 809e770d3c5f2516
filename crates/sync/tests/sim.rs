#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! A simulation: clients, each an engine with a store and a document, syncing through an
//! in-memory relay, an in-memory exchange folder, or both, over a network that drops,
//! duplicates, delays and re-orders messages, with partitions that heal, crashes that lose
//! everything not persisted, and envelopes the driver cannot open yet. After the faults stop,
//! every client must hold the same document, every write must have reached every transport,
//! and no envelope may ever have been applied twice by one client.
//!
//! News of a new head is a hint, and may be lost. As the real drivers do (the app syncs every
//! 15 s, and each sync pulls every space), each client's driver also looks at each space's
//! head now and then ([`SYNC_EVERY_MS`]), and once more when all is quiet after the faults
//! stop: a lost piece of news delays an envelope, it never loses it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use diplomatie_protocol::{Content, ContentKind, DeviceId, EnvelopeHeader, EnvelopeId, SpaceId};
use diplomatie_sync::{
    Action, Config, Cursor, Engine, Entry, Input, Outgoing, PushOutcome, Refusal, Time,
    TransportId, Write,
};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const RELAY: TransportId = TransportId(1);
const FOLDER: TransportId = TransportId(2);
const SPACES: [SpaceId; 2] = [SpaceId([1; 16]), SpaceId([2; 16])];
const PAGE: usize = 4;
const STEP_MS: u64 = 50;
const TIMEOUT_MS: u64 = 1_000;
/// How often a client's driver looks at the heads of its spaces, news or not.
const SYNC_EVERY_MS: u64 = 5_000;

fn config() -> Config {
    Config {
        max_batch_count: 3,
        max_batch_bytes: 4096,
        backoff_base_ms: 100,
        backoff_cap_ms: 3_000,
        snapshot_every: 10,
        max_pulls_in_flight: 1,
    }
}

/// What the relay or the folder keeps: the envelope as sealed (here, as is).
#[derive(Clone, Debug)]
struct Stored {
    header: EnvelopeHeader,
    content: Content,
}

/// The relay: one append-only log a space, idempotent by envelope id; the cursor is the
/// relay sequence number.
#[derive(Default)]
struct Relay {
    logs: BTreeMap<SpaceId, Vec<Stored>>,
    ids: BTreeSet<EnvelopeId>,
}

impl Relay {
    fn push(&mut self, stored: Stored) -> bool {
        if !self.ids.insert(stored.header.id) {
            return false;
        }
        self.logs
            .entry(stored.header.space)
            .or_default()
            .push(stored);
        true
    }

    fn head(&self, space: SpaceId) -> Cursor {
        Cursor::from_seq(self.logs.get(&space).map_or(0, |log| log.len() as u64))
    }

    fn pull(&self, space: SpaceId, after: &Cursor) -> (Vec<Entry>, Cursor, Cursor, u64) {
        let after = after.seq().expect("a relay cursor") as usize;
        let log = self.logs.get(&space).map(Vec::as_slice).unwrap_or_default();
        let entries: Vec<Entry> = log
            .iter()
            .enumerate()
            .skip(after)
            .take(PAGE)
            .map(|(at, stored)| Entry::Opened {
                position: Cursor::from_seq(at as u64 + 1),
                header: stored.header.clone(),
                content: stored.content.clone(),
            })
            .collect();
        let next = after + entries.len();
        let head = log.len();
        (
            entries,
            Cursor::from_seq(next as u64),
            Cursor::from_seq(head as u64),
            (head - next) as u64,
        )
    }
}

/// The exchange folder: files named by sender and sequence number. Each device writes only
/// its own files, in order; a reader's cursor is the highest sequence number read from each
/// sender, so no ordering between writers is needed.
#[derive(Default)]
struct Folder {
    files: BTreeMap<SpaceId, BTreeMap<(DeviceId, u64), Stored>>,
}

fn encode_marks(marks: &BTreeMap<DeviceId, u64>) -> Cursor {
    let mut bytes = Vec::new();
    for (device, seq) in marks {
        bytes.extend_from_slice(&device.0);
        bytes.extend_from_slice(&seq.to_be_bytes());
    }
    Cursor(bytes)
}

fn decode_marks(cursor: &Cursor) -> BTreeMap<DeviceId, u64> {
    cursor
        .0
        .chunks(24)
        .map(|chunk| {
            let device = DeviceId(chunk[..16].try_into().unwrap());
            let seq = u64::from_be_bytes(chunk[16..].try_into().unwrap());
            (device, seq)
        })
        .collect()
}

impl Folder {
    fn push(&mut self, stored: Stored) -> bool {
        let files = self.files.entry(stored.header.space).or_default();
        let key = (stored.header.sender, stored.header.seq);
        if files.contains_key(&key) {
            return false;
        }
        files.insert(key, stored);
        true
    }

    fn head(&self, space: SpaceId) -> Cursor {
        let mut marks = BTreeMap::new();
        for (device, seq) in self.files.get(&space).into_iter().flat_map(|f| f.keys()) {
            marks.insert(*device, *seq);
        }
        encode_marks(&marks)
    }

    fn pull(&self, space: SpaceId, after: &Cursor) -> (Vec<Entry>, Cursor, Cursor, u64) {
        let mut marks = decode_marks(after);
        let unread: Vec<&Stored> = self
            .files
            .get(&space)
            .into_iter()
            .flat_map(|files| files.iter())
            .filter(|((device, seq), _)| marks.get(device).is_none_or(|read| seq > read))
            .map(|(_, stored)| stored)
            .collect();
        let mut entries = Vec::new();
        for stored in unread.iter().take(PAGE) {
            marks.insert(stored.header.sender, stored.header.seq);
            entries.push(Entry::Opened {
                position: encode_marks(&marks),
                header: stored.header.clone(),
                content: stored.content.clone(),
            });
        }
        let remaining = (unread.len() - entries.len()) as u64;
        (entries, encode_marks(&marks), self.head(space), remaining)
    }
}

struct Client {
    device: DeviceId,
    engine: Engine,
    // Durable: the engine's rows, the document and what was applied, committed together.
    store: BTreeMap<Vec<u8>, Vec<u8>>,
    doc: BTreeSet<(DeviceId, u64)>,
    applied: BTreeMap<EnvelopeId, u32>,
    /// Envelopes this client wrote (writes and snapshots).
    own: BTreeSet<EnvelopeId>,
    // Lost in a crash.
    incarnation: u64,
    wake: Option<Time>,
    applies: VecDeque<(EnvelopeHeader, Content)>,
    partitioned: bool,
    /// When the driver next looks at the heads.
    next_sync: Time,
}

enum Msg {
    ToClient {
        client: usize,
        incarnation: u64,
        input: Input,
    },
    Push {
        client: usize,
        incarnation: u64,
        transport: TransportId,
        batch: Vec<Outgoing>,
    },
    Pull {
        client: usize,
        incarnation: u64,
        transport: TransportId,
        space: SpaceId,
        after: Cursor,
    },
}

#[derive(Clone, Copy)]
struct Faults {
    drop: f64,
    duplicate: f64,
    crash: f64,
    partition: f64,
    heal: f64,
    later: f64,
    write: f64,
}

const CALM: Faults = Faults {
    drop: 0.0,
    duplicate: 0.0,
    crash: 0.0,
    partition: 0.0,
    heal: 1.0,
    later: 0.0,
    write: 0.0,
};

struct Sim {
    rng: ChaCha8Rng,
    now: Time,
    clients: Vec<Client>,
    relay: Relay,
    folder: Folder,
    transports: Vec<TransportId>,
    net: Vec<(Time, u64, Msg)>,
    tie: u64,
    faults: Faults,
    written: BTreeSet<(DeviceId, u64)>,
    written_ids: BTreeSet<EnvelopeId>,
}

fn body(author: DeviceId, counter: u64) -> Vec<u8> {
    let mut body = author.0.to_vec();
    body.extend_from_slice(&counter.to_be_bytes());
    body
}

fn entries_of(content: &Content) -> Vec<(DeviceId, u64)> {
    content
        .body
        .chunks(24)
        .map(|chunk| {
            (
                DeviceId(chunk[..16].try_into().unwrap()),
                u64::from_be_bytes(chunk[16..].try_into().unwrap()),
            )
        })
        .collect()
}

impl Sim {
    fn new(seed: u64, clients: usize, transports: Vec<TransportId>, faults: Faults) -> Sim {
        let mut sim = Sim {
            rng: ChaCha8Rng::seed_from_u64(seed),
            now: Time(0),
            clients: Vec::new(),
            relay: Relay::default(),
            folder: Folder::default(),
            transports,
            net: Vec::new(),
            tie: 0,
            faults,
            written: BTreeSet::new(),
            written_ids: BTreeSet::new(),
        };
        for n in 0..clients {
            let device = DeviceId([n as u8 + 1; 16]);
            let seed = sim.rng.random();
            let next_sync = Time(sim.rng.random_range(0..SYNC_EVERY_MS));
            sim.clients.push(Client {
                device,
                engine: Engine::new(config(), device, seed),
                store: BTreeMap::new(),
                doc: BTreeSet::new(),
                applied: BTreeMap::new(),
                own: BTreeSet::new(),
                incarnation: 0,
                wake: None,
                applies: VecDeque::new(),
                partitioned: false,
                next_sync,
            });
            for space in SPACES {
                for transport in sim.transports.clone() {
                    sim.feed(n, Input::Subscribe { space, transport });
                }
            }
            sim.go_online(n);
        }
        sim
    }

    /// The driver's periodic sync: it reads the head of each space on each transport (a
    /// folder's listing, the relay's heads) and tells the engine, which pulls what is behind.
    fn sync(&mut self, client: usize) {
        if self.clients[client].partitioned {
            return;
        }
        for transport in self.transports.clone() {
            for space in SPACES {
                let head = if transport == RELAY {
                    self.relay.head(space)
                } else {
                    self.folder.head(space)
                };
                self.feed(
                    client,
                    Input::News {
                        transport,
                        space,
                        head,
                    },
                );
            }
        }
    }

    fn go_online(&mut self, client: usize) {
        for transport in self.transports.clone() {
            self.feed(client, Input::Online { transport });
        }
    }

    /// Hands an input to a client's engine and carries out what it asks.
    fn feed(&mut self, client: usize, input: Input) {
        let now = self.now;
        let actions = self.clients[client].engine.handle(now, input);
        for action in actions {
            match action {
                Action::Persist(writes) => {
                    let store = &mut self.clients[client].store;
                    for write in writes {
                        match write {
                            Write::Put { key, value } => {
                                store.insert(key, value);
                            }
                            Write::Delete { key } => {
                                store.remove(&key);
                            }
                        }
                    }
                }
                Action::Push { transport, batch } => {
                    let incarnation = self.clients[client].incarnation;
                    self.send(Msg::Push {
                        client,
                        incarnation,
                        transport,
                        batch,
                    });
                }
                Action::Pull {
                    transport,
                    space,
                    after,
                } => {
                    let incarnation = self.clients[client].incarnation;
                    self.send(Msg::Pull {
                        client,
                        incarnation,
                        transport,
                        space,
                        after,
                    });
                }
                Action::Apply {
                    header, content, ..
                } => self.clients[client].applies.push_back((header, content)),
                Action::Drop { .. } | Action::Event(_) => {}
                Action::Snapshot { space } => {
                    let doc = &self.clients[client].doc;
                    let body = doc.iter().flat_map(|(a, c)| body(*a, *c)).collect();
                    let id = EnvelopeId(self.rng.random());
                    self.clients[client].own.insert(id);
                    self.feed(
                        client,
                        Input::Write {
                            id,
                            space,
                            content: Content {
                                kind: ContentKind::DraftSnapshot,
                                body,
                            },
                        },
                    );
                }
                Action::WakeAt(at) => self.clients[client].wake = Some(at),
            }
        }
        // The engine holds what it persisted, no more, no less.
        let client = &self.clients[client];
        assert_eq!(
            client.store.clone().into_iter().collect::<Vec<_>>(),
            client.engine.rows()
        );
    }

    fn schedule(&mut self, after_ms: u64, msg: Msg) {
        self.tie += 1;
        self.net
            .push((self.now.plus_millis(after_ms), self.tie, msg));
    }

    fn latency(&mut self) -> u64 {
        self.rng.random_range(10..400)
    }

    fn answer_later(&mut self, client: usize, incarnation: u64, input: Input) {
        self.schedule(
            TIMEOUT_MS,
            Msg::ToClient {
                client,
                incarnation,
                input,
            },
        );
    }

    fn failure(msg: &Msg) -> Option<(usize, u64, Input)> {
        match msg {
            Msg::Push {
                client,
                incarnation,
                transport,
                ..
            } => Some((
                *client,
                *incarnation,
                Input::PushFailed {
                    transport: *transport,
                    reason: "timed out".into(),
                },
            )),
            Msg::Pull {
                client,
                incarnation,
                transport,
                space,
                ..
            } => Some((
                *client,
                *incarnation,
                Input::PullFailed {
                    transport: *transport,
                    space: *space,
                    reason: "timed out".into(),
                },
            )),
            Msg::ToClient { .. } => None,
        }
    }

    /// A request goes out: lost (the driver times out), or delivered after a delay.
    fn send(&mut self, msg: Msg) {
        if self.rng.random_bool(self.faults.drop) {
            if let Some((client, incarnation, input)) = Sim::failure(&msg) {
                self.answer_later(client, incarnation, input);
            }
            return;
        }
        let latency = self.latency();
        self.schedule(latency, msg);
    }

    /// An answer comes back: lost (the driver times out, reporting `failure`), or delivered.
    fn reply(&mut self, client: usize, incarnation: u64, input: Input, failure: Input) {
        if self.rng.random_bool(self.faults.drop) {
            self.answer_later(client, incarnation, failure);
            return;
        }
        let latency = self.latency();
        self.schedule(
            latency,
            Msg::ToClient {
                client,
                incarnation,
                input,
            },
        );
    }

    fn store_envelope(&mut self, transport: TransportId, stored: Stored) {
        let space = stored.header.space;
        let new = if transport == RELAY {
            self.relay.push(stored)
        } else {
            self.folder.push(stored)
        };
        if !new {
            return;
        }
        let head = if transport == RELAY {
            self.relay.head(space)
        } else {
            self.folder.head(space)
        };
        for client in 0..self.clients.len() {
            if self.clients[client].partitioned || self.rng.random_bool(self.faults.drop) {
                continue;
            }
            let incarnation = self.clients[client].incarnation;
            let latency = self.latency();
            self.schedule(
                latency,
                Msg::ToClient {
                    client,
                    incarnation,
                    input: Input::News {
                        transport,
                        space,
                        head: head.clone(),
                    },
                },
            );
        }
    }

    fn deliver(&mut self, msg: Msg) {
        let unreachable = |sim: &Sim, client: usize| sim.clients[client].partitioned;
        match msg {
            Msg::ToClient {
                client,
                incarnation,
                input,
            } => {
                if self.clients[client].incarnation != incarnation {
                    return;
                }
                if matches!(input, Input::Page { .. })
                    && self.rng.random_bool(self.faults.duplicate)
                {
                    // A stale copy of the page, which the engine must ignore.
                    let latency = self.latency();
                    self.schedule(
                        latency,
                        Msg::ToClient {
                            client,
                            incarnation,
                            input: input.clone(),
                        },
                    );
                }
                self.feed(client, input);
            }
            Msg::Push {
                client,
                incarnation,
                transport,
                batch,
            } => {
                let failure = Input::PushFailed {
                    transport,
                    reason: "timed out".into(),
                };
                if unreachable(self, client) {
                    self.answer_later(client, incarnation, failure);
                    return;
                }
                let copies = if self.rng.random_bool(self.faults.duplicate) {
                    2
                } else {
                    1
                };
                for _ in 0..copies {
                    for entry in &batch {
                        self.store_envelope(
                            transport,
                            Stored {
                                header: entry.header(0),
                                content: entry.content.clone(),
                            },
                        );
                    }
                }
                let results = batch
                    .iter()
                    .map(|entry| (entry.id, PushOutcome::Accepted))
                    .collect();
                self.reply(
                    client,
                    incarnation,
                    Input::Pushed { transport, results },
                    failure,
                );
            }
            Msg::Pull {
                client,
                incarnation,
                transport,
                space,
                after,
            } => {
                let failure = Input::PullFailed {
                    transport,
                    space,
                    reason: "timed out".into(),
                };
                if unreachable(self, client) {
                    self.answer_later(client, incarnation, failure);
                    return;
                }
                let (entries, next, head, remaining) = if transport == RELAY {
                    self.relay.pull(space, &after)
                } else {
                    self.folder.pull(space, &after)
                };
                self.reply(
                    client,
                    incarnation,
                    Input::Page {
                        transport,
                        space,
                        entries,
                        next,
                        head,
                        remaining: Some(remaining),
                    },
                    failure,
                );
            }
        }
    }

    fn apply_one(&mut self, client: usize) {
        let Some((header, content)) = self.clients[client].applies.pop_front() else {
            return;
        };
        if self.rng.random_bool(self.faults.later) {
            let refusal = Refusal::Later {
                reason: "epoch key not held yet".into(),
            };
            self.feed(
                client,
                Input::Refused {
                    id: header.id,
                    refusal,
                },
            );
            return;
        }
        // The document and the engine's rows change in one transaction.
        let c = &mut self.clients[client];
        let count = c.applied.entry(header.id).or_default();
        *count += 1;
        assert_eq!(
            *count, 1,
            "envelope {:?} applied twice by {:?}",
            header.id, c.device
        );
        c.doc.extend(entries_of(&content));
        self.feed(client, Input::Applied { id: header.id });
    }

    fn crash(&mut self, client: usize) {
        let c = &mut self.clients[client];
        let seed = self.rng.random();
        c.engine = Engine::restore(config(), c.device, seed, c.store.clone())
            .expect("the persisted state restores");
        c.incarnation += 1;
        c.wake = None;
        c.applies.clear();
        if !c.partitioned {
            self.go_online(client);
        }
    }

    fn write(&mut self, client: usize) {
        let device = self.clients[client].device;
        let counter = self.written.len() as u64 + 1;
        let space = SPACES[self.rng.random_range(0..SPACES.len())];
        let id = EnvelopeId(self.rng.random());
        self.written.insert((device, counter));
        self.written_ids.insert(id);
        self.clients[client].doc.insert((device, counter));
        self.clients[client].own.insert(id);
        self.feed(
            client,
            Input::Write {
                id,
                space,
                content: Content {
                    kind: ContentKind::DraftChanges,
                    body: body(device, counter),
                },
            },
        );
    }

    fn step(&mut self) {
        self.now = self.now.plus_millis(STEP_MS);
        // Messages due, in a random order among those due (re-ordering).
        let now = self.now;
        let mut due = Vec::new();
        let mut later = Vec::new();
        for item in self.net.drain(..) {
            if item.0 <= now {
                due.push(item);
            } else {
                later.push(item);
            }
        }
        self.net = later;
        due.sort_by_key(|(at, tie, _)| (*at, *tie));
        while !due.is_empty() {
            let at = self.rng.random_range(0..due.len().min(3));
            let (_, _, msg) = due.remove(at);
            self.deliver(msg);
        }
        for client in 0..self.clients.len() {
            if self.clients[client].wake.is_some_and(|at| at <= now) {
                self.clients[client].wake = None;
                self.feed(client, Input::Tick);
            }
            if self.clients[client].next_sync <= now {
                self.clients[client].next_sync = now.plus_millis(SYNC_EVERY_MS);
                // A listing or a head request can fail too; the next one comes.
                if !self.rng.random_bool(self.faults.drop) {
                    self.sync(client);
                }
            }
            if self.rng.random_bool(0.7) {
                self.apply_one(client);
            }
            if self.rng.random_bool(self.faults.write) {
                self.write(client);
            }
            if self.rng.random_bool(self.faults.crash) {
                self.crash(client);
            }
            let partitioned = self.clients[client].partitioned;
            if !partitioned && self.rng.random_bool(self.faults.partition) {
                self.clients[client].partitioned = true;
                for transport in self.transports.clone() {
                    self.feed(client, Input::Offline { transport });
                }
            } else if partitioned && self.rng.random_bool(self.faults.heal) {
                self.clients[client].partitioned = false;
                self.go_online(client);
            }
        }
    }

    /// Nothing in flight, nothing to apply or send, no retry waited for.
    fn quiet(&self) -> bool {
        self.net.is_empty()
            && self
                .clients
                .iter()
                .all(|c| c.applies.is_empty() && c.wake.is_none() && c.engine.pending_count() == 0)
    }

    /// Faults for `steps`, then calm until quiet; then everything must agree.
    fn run(mut self, steps: usize) -> Result<(), TestCaseError> {
        for _ in 0..steps {
            self.step();
        }
        self.faults = CALM;
        for client in 0..self.clients.len() {
            if self.clients[client].partitioned {
                self.clients[client].partitioned = false;
                self.go_online(client);
            }
        }
        let mut calm_steps = 0;
        loop {
            while !self.quiet() {
                self.step();
                calm_steps += 1;
                prop_assert!(calm_steps < 20_000, "no quiet after the faults stopped");
            }
            // Each driver's next sync: quiet for good only if it finds nothing to pull.
            for client in 0..self.clients.len() {
                self.sync(client);
            }
            if self.quiet() {
                break;
            }
        }
        for client in &self.clients {
            prop_assert_eq!(
                &client.doc,
                &self.written,
                "{:?} has not converged",
                client.device
            );
            prop_assert!(client.applied.values().all(|n| *n == 1));
        }
        // Every envelope reached every client: snapshots alone must not hide a lost one.
        let everything: BTreeSet<EnvelopeId> = self
            .relay
            .ids
            .iter()
            .copied()
            .chain(
                self.folder
                    .files
                    .values()
                    .flat_map(|files| files.values().map(|s| s.header.id)),
            )
            .collect();
        for client in &self.clients {
            let seen: BTreeSet<EnvelopeId> =
                client.applied.keys().chain(&client.own).copied().collect();
            prop_assert_eq!(&seen, &everything, "{:?} missed envelopes", client.device);
        }
        for transport in &self.transports {
            let delivered: BTreeSet<EnvelopeId> = if *transport == RELAY {
                self.relay.ids.clone()
            } else {
                self.folder
                    .files
                    .values()
                    .flat_map(|files| files.values().map(|s| s.header.id))
                    .collect()
            };
            prop_assert!(
                self.written_ids.is_subset(&delivered),
                "a write never reached {:?}",
                transport
            );
        }
        Ok(())
    }
}

fn stormy() -> Faults {
    Faults {
        drop: 0.15,
        duplicate: 0.1,
        crash: 0.005,
        partition: 0.01,
        heal: 0.05,
        later: 0.05,
        write: 0.05,
    }
}

#[test]
fn three_clients_through_the_relay_converge() {
    Sim::new(1, 3, vec![RELAY], stormy()).run(600).unwrap();
}

#[test]
fn two_clients_through_a_folder_only_converge() {
    Sim::new(2, 2, vec![FOLDER], stormy()).run(600).unwrap();
}

#[test]
fn clients_on_both_transports_apply_each_envelope_once() {
    Sim::new(3, 4, vec![RELAY, FOLDER], stormy())
        .run(600)
        .unwrap();
}

#[test]
fn without_faults_everything_arrives_quickly() {
    let faults = Faults { write: 0.1, ..CALM };
    Sim::new(4, 5, vec![RELAY], faults).run(300).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn any_seed_converges(seed in any::<u64>(), clients in 3usize..=8, mode in 0u8..3) {
        let transports = match mode {
            0 => vec![RELAY],
            1 => vec![FOLDER],
            _ => vec![RELAY, FOLDER],
        };
        Sim::new(seed, clients, transports, stormy()).run(400)?;
    }
}
