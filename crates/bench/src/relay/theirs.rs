//! The load on the automerge-repo sync server, run in a child of the benchmark pinned to the
//! second core (`--child-automerge-load`): the same clients in the same spaces making the same
//! updates as on ours, each client an automerge-repo peer over its own WebSocket.
//!
//! Each client speaks automerge-repo's network protocol as its WebSocket client adapter and
//! `DocSynchronizer` do (CBOR messages; `join`, answered by `peer`; `request` for a document
//! the client does not have yet, `sync` otherwise, each carrying an automerge sync message;
//! a sync message received is applied and answered at once; pongs to the server's pings),
//! with the automerge crate (0.12, whose documents and sync messages the JavaScript automerge
//! 3 reads) rather than Node: 200 repos in one Node process could not make more than about
//! 400 of the 6,000 updates a second on their core, so the server, not the clients, would not
//! have been measured.
//!
//! Setup, not timed: the first member of each space creates the space's document (its
//! identifier a random UUID in bs58check, as automerge-repo makes them) and syncs it to the
//! server; the others request it. Load: every interval each client puts `batch` updates, each
//! a change putting `body` random bytes under its own key (`client:seq`) in its document, then
//! sends a sync message (none while the previous one is unanswered: automerge's sync protocol
//! keeps one in flight, as in JavaScript). A delivery is an update's change arriving at another
//! member in a sync message from the server, recorded when the message is read (before it is
//! applied: the same moment as a live frame read on ours) with 8 bytes of the value it put.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use automerge::sync::{Message, State, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT, ReadDoc, ScalarValue, Value as AmValue};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::cbor::{self, Value, map, text};
use super::wire::{Frame, Receiver, Sender, WebSocket};
use super::{Arrivals, Params, Report, Run, Tally, count, cpu_seconds};

/// What the child is told by the benchmark.
#[derive(Debug, Serialize, Deserialize)]
pub struct Job {
    pub address: SocketAddr,
    pub server_pid: u32,
    pub params: Params,
}

/// Runs the load described by the JSON `job`, and prints its [`Report`] as JSON.
pub fn child(job: &str) -> Result<()> {
    super::run_child(job, run)
}

/// bs58check of `payload`: Base58 of the payload and the first 4 bytes of its double SHA-256,
/// as automerge-repo writes document identifiers.
fn bs58check(payload: &[u8]) -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let check = Sha256::digest(Sha256::digest(payload));
    let mut bytes = payload.to_vec();
    bytes.extend_from_slice(check.get(..4).unwrap_or_default());
    let mut digits: Vec<u8> = Vec::new();
    for &byte in &bytes {
        let mut carry = u32::from(byte);
        for digit in &mut digits {
            carry += u32::from(*digit) << 8;
            *digit = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    std::iter::repeat_n(b'1', zeros)
        .chain(
            digits
                .iter()
                .rev()
                .map(|&d| ALPHABET.get(usize::from(d)).copied().unwrap_or(b'1')),
        )
        .map(char::from)
        .collect()
}

/// A new document identifier: a random (version 4) UUID.
fn document_id() -> Result<String> {
    let mut uuid: [u8; 16] = diplomatie_crypto::random_bytes()?;
    if let Some(b) = uuid.get_mut(6) {
        *b = (*b & 0x0f) | 0x40;
    }
    if let Some(b) = uuid.get_mut(8) {
        *b = (*b & 0x3f) | 0x80;
    }
    Ok(bs58check(&uuid))
}

/// The actor id of client `index`: its changes say whose they are.
fn actor(index: usize) -> ActorId {
    let mut bytes = *b"diplomatie\0\0\0\0\0\0";
    let n = u32::try_from(index).unwrap_or(u32::MAX).to_be_bytes();
    if let Some(tail) = bytes.get_mut(12..) {
        tail.copy_from_slice(&n);
    }
    ActorId::from(bytes)
}

fn client_of(actor: &ActorId) -> Option<usize> {
    let bytes = actor.to_bytes();
    if bytes.len() != 16 || !bytes.starts_with(b"diplomatie") {
        return None;
    }
    let n: [u8; 4] = bytes.get(12..)?.try_into().ok()?;
    usize::try_from(u32::from_be_bytes(n)).ok()
}

fn fingerprint(value: &[u8]) -> u64 {
    let head: [u8; 8] = value
        .get(..8)
        .and_then(|h| h.try_into().ok())
        .unwrap_or_default();
    u64::from_le_bytes(head)
}

/// One client: its copy of its space's document and its sync state with the server.
struct Peer {
    index: usize,
    peer_id: String,
    document: String,
    server: Option<String>,
    doc: AutoCommit,
    state: State,
    /// What its writer is to send.
    outgoing: mpsc::UnboundedSender<Out>,
}

impl Peer {
    fn message(&self, kind: &str, data: Vec<u8>) -> Vec<u8> {
        cbor::to_vec(&map(vec![
            ("type", text(kind)),
            ("senderId", text(&self.peer_id)),
            (
                "targetId",
                text(self.server.as_deref().unwrap_or("sync-server")),
            ),
            ("documentId", text(&self.document)),
            ("data", Value::Bytes(data)),
        ]))
    }

    /// Sends a sync message if automerge has one to send.
    fn sync(&mut self, kind: &str) {
        let message = self.doc.sync().generate_sync_message(&mut self.state);
        if let Some(message) = message {
            let bytes = self.message(kind, message.encode());
            let _ = self.outgoing.send(Out::Message(bytes));
        }
    }
}

/// Everything a client's reader shares with the load.
struct Shared {
    tally: Tally,
    /// Sockets the server closed during the run (each client then connects again).
    dropped: u64,
    /// Each client's bodies, by seq - 1.
    bodies: Vec<Vec<Vec<u8>>>,
    recording: bool,
}

/// Reads one client's socket until `stop`: answers pings and sync messages, records every
/// update delivered.
async fn read(
    address: SocketAddr,
    peer: Rc<RefCell<Peer>>,
    shared: Rc<RefCell<Shared>>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Arrivals> {
    let client = peer.borrow().index;
    let mut socket = connect(address, &peer).await?;
    let mut records = Vec::new();
    while let Some((frame, at)) = socket.next_until(&mut stop).await? {
        let bytes = match frame {
            Frame::Binary(bytes) => bytes,
            Frame::Ping(payload) => {
                let _ = peer.borrow().outgoing.send(Out::Pong(payload));
                continue;
            }
            Frame::Text(_) => continue,
            Frame::Close => {
                // The server's keep-alive closes a socket whose pong it has not read in time
                // (its event loop behind): as automerge-repo's client, connect again after its
                // retry interval, join, and sync afresh.
                shared.borrow_mut().dropped += 1;
                tokio::select! {
                    () = tokio::time::sleep(RETRY) => {}
                    _ = stop.wait_for(|&stop| stop) => break,
                }
                peer.borrow_mut().state = State::new();
                socket = connect(address, &peer).await?;
                continue;
            }
        };
        let message = cbor::decode(&bytes)?;
        let kind = message
            .get("type")
            .and_then(Value::text)
            .unwrap_or_default();
        let mut peer = peer.borrow_mut();
        match kind {
            "peer" => {
                peer.server = message
                    .get("senderId")
                    .and_then(Value::text)
                    .map(str::to_owned);
                // Joined again with its document: syncs it, as a repo does with a peer.
                if !peer.doc.get_heads().is_empty() {
                    peer.sync("sync");
                }
            }
            "sync" | "request" => {
                let data = message
                    .get("data")
                    .and_then(Value::bytes)
                    .context("sync data")?;
                let message = Message::decode(data).map_err(|e| anyhow!("a sync message: {e}"))?;
                let before = peer.doc.get_heads();
                let peer = &mut *peer;
                peer.doc
                    .sync()
                    .receive_sync_message(&mut peer.state, message)
                    .map_err(|e| anyhow!("applying a sync message: {e}"))?;
                let recording = shared.borrow().recording;
                let mut delivered = 0u64;
                let changes: Vec<(usize, u64)> = peer
                    .doc
                    .get_changes_meta(&before)
                    .iter()
                    .filter_map(|change| Some((client_of(&change.actor)?, change.seq)))
                    .collect();
                for (sender, seq) in changes {
                    let key = format!("{sender}:{seq}");
                    let value = match peer.doc.get(ROOT, key.as_str()) {
                        Ok(Some((AmValue::Scalar(v), _))) => match v.as_ref() {
                            ScalarValue::Bytes(b) => fingerprint(b),
                            _ => 0,
                        },
                        _ => 0,
                    };
                    if recording {
                        records.push(((sender, seq), at, value));
                        delivered += 1;
                    }
                }
                shared.borrow_mut().tally.delivered += delivered;
                // Answered at once, as automerge-repo's DocSynchronizer does.
                peer.sync("sync");
            }
            "doc-unavailable" => bail!("the server says a space's document is unavailable"),
            "error" => bail!("the server refused a client: {message:?}"),
            _ => {}
        }
    }
    Ok(Arrivals { client, records })
}

/// What a client's writer sends.
#[derive(Debug)]
enum Out {
    /// A CBOR message, in a binary frame.
    Message(Vec<u8>),
    /// The answer to a ping.
    Pong(Vec<u8>),
}

/// Writes a client's outgoing messages, in order.
async fn write(mut sender: Sender, mut outgoing: mpsc::UnboundedReceiver<Out>) -> Result<()> {
    while let Some(out) = outgoing.recv().await {
        match out {
            Out::Message(bytes) => sender.binary(&bytes).await?,
            Out::Pong(payload) => sender.pong(&payload).await?,
        }
    }
    Ok(())
}

/// How long automerge-repo's WebSocket client waits before it connects again.
const RETRY: Duration = Duration::from_secs(5);

/// Connects client `peer` to the server and joins: its writer task, then `join`.
async fn connect(address: SocketAddr, peer: &Rc<RefCell<Peer>>) -> Result<Receiver> {
    let index = peer.borrow().index;
    let socket = WebSocket::connect(address, "/", None).await?;
    let (receiver, sender) = socket.split(u32::try_from(index)? ^ 0x9e37_79b9);
    let (outgoing, queue) = mpsc::unbounded_channel();
    tokio::task::spawn_local(write(sender, queue));
    let join = cbor::to_vec(&map(vec![
        ("type", text("join")),
        ("senderId", text(&format!("client-{index}"))),
        (
            "peerMetadata",
            map(vec![("isEphemeral", Value::Bool(true))]),
        ),
        ("supportedProtocolVersions", Value::Array(vec![text("1")])),
    ]));
    let _ = outgoing.send(Out::Message(join));
    let mut peer = peer.borrow_mut();
    peer.outgoing = outgoing;
    peer.server = None;
    Ok(receiver)
}

/// Waits until `done` holds, checking every 20 ms, for at most `limit`.
async fn until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + limit;
    while !done() {
        if Instant::now() >= deadline {
            bail!("{what} took more than {} s", limit.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

async fn run(job: Job) -> Result<Report> {
    let p = &job.params;
    let clients = p.spaces * p.members;
    let setup_start = Instant::now();
    let rounds = usize::try_from(((p.warmup_ms + p.seconds * 1000) / p.interval_ms) + 2)?;
    let mut bodies = Vec::with_capacity(clients);
    for _ in 0..clients {
        let mut mine = Vec::with_capacity(rounds * p.batch);
        for _ in 0..rounds * p.batch {
            let mut body = Vec::with_capacity(p.body);
            while body.len() < p.body {
                body.extend_from_slice(&diplomatie_crypto::random_bytes::<32>()?);
            }
            body.truncate(p.body);
            mine.push(body);
        }
        bodies.push(mine);
    }
    let shared = Rc::new(RefCell::new(Shared {
        tally: Tally::default(),
        bodies,
        dropped: 0,
        recording: false,
    }));

    eprintln!("automerge-repo load: {clients} clients connect and join…");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut peers = Vec::with_capacity(clients);
    let mut readers = Vec::with_capacity(clients);
    let mut documents = Vec::with_capacity(p.spaces);
    for _ in 0..p.spaces {
        documents.push(document_id()?);
    }
    for index in 0..clients {
        // Its writer is made when it connects.
        let (outgoing, _) = mpsc::unbounded_channel();
        let peer = Rc::new(RefCell::new(Peer {
            index,
            peer_id: format!("client-{index}"),
            document: documents
                .get(index / p.members)
                .cloned()
                .context("a document")?,
            server: None,
            doc: AutoCommit::new().with_actor(actor(index)),
            state: State::new(),
            outgoing,
        }));
        readers.push(tokio::task::spawn_local(read(
            job.address,
            Rc::clone(&peer),
            Rc::clone(&shared),
            stopped.clone(),
        )));
        peers.push(peer);
    }
    until(Duration::from_secs(60), "joining", || {
        peers.iter().all(|peer| peer.borrow().server.is_some())
    })
    .await?;

    eprintln!(
        "automerge-repo load: {} documents of {} members…",
        p.spaces, p.members
    );
    for s in 0..p.spaces {
        let creator = peers.get(s * p.members).context("a creator")?;
        let mut peer = creator.borrow_mut();
        // The document's first change by an actor of its own, so that each client's updates
        // are its actor's changes 1, 2, 3…
        let mut doc = AutoCommit::new().with_actor(ActorId::from(document_id()?.as_bytes()));
        doc.put(ROOT, "space", u64::try_from(s)?)?;
        doc.commit();
        doc.set_actor(actor(s * p.members));
        peer.doc = doc;
        peer.sync("sync");
    }
    until(
        Duration::from_secs(60),
        "the server taking the documents",
        || {
            (0..p.spaces).all(|s| {
                peers.get(s * p.members).is_some_and(|c| {
                    let mut c = c.borrow_mut();
                    let heads = c.doc.get_heads();
                    c.state.shared_heads == heads
                })
            })
        },
    )
    .await?;
    for (index, peer) in peers.iter().enumerate() {
        if index % p.members != 0 {
            peer.borrow_mut().sync("request");
        }
    }
    until(
        Duration::from_secs(60),
        "the members finding their documents",
        || {
            peers
                .iter()
                .all(|peer| !peer.borrow_mut().doc.get_heads().is_empty())
        },
    )
    .await?;
    let update_bytes = {
        let mut probe = AutoCommit::new().with_actor(actor(0));
        probe.put(ROOT, "0:1", ScalarValue::Bytes(vec![0x5a; p.body]))?;
        probe.commit();
        probe
            .get_last_local_change()
            .map_or(0, |c| c.raw_bytes().len())
    };
    let setup = setup_start.elapsed();

    // The load.
    let started = Instant::now() + Duration::from_millis(200);
    let interval = Duration::from_millis(p.interval_ms);
    let window_start = started + Duration::from_millis(p.warmup_ms);
    let window_end = window_start + Duration::from_secs(p.seconds);
    shared.borrow_mut().recording = true;
    let mut tickers = Vec::with_capacity(clients);
    for (index, peer) in peers.iter().enumerate() {
        let phase = interval.mul_f64(index as f64 / clients as f64);
        tickers.push(tokio::task::spawn_local(tick(
            Rc::clone(peer),
            Rc::clone(&shared),
            started + phase,
            interval,
            window_end,
            p.batch,
            p.members,
        )));
    }
    tokio::time::sleep_until(window_start.into()).await;
    let cpu_start = (
        cpu_seconds(job.server_pid)?,
        cpu_seconds(std::process::id())?,
    );
    tokio::time::sleep_until(window_end.into()).await;
    let cpu_end = (
        cpu_seconds(job.server_pid)?,
        cpu_seconds(std::process::id())?,
    );
    for ticker in tickers {
        ticker.await??;
    }
    let deadline = Instant::now() + Duration::from_millis(p.drain_ms);
    loop {
        let (expected, delivered) = {
            let s = shared.borrow();
            (s.tally.expected, s.tally.delivered)
        };
        if delivered >= expected || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(true);
    let mut arrivals = Vec::with_capacity(clients);
    for reader in readers {
        arrivals.push(reader.await??);
    }
    drop(peers);
    let shared = Rc::try_unwrap(shared)
        .map_err(|_| anyhow!("a task still holds the counts"))?
        .into_inner();
    let window = (window_end - window_start).as_secs_f64();
    let mut report = count(
        p,
        &shared.tally,
        &arrivals,
        &Run {
            update_bytes,
            setup_s: setup.as_secs_f64(),
            refused: 0,
            server_cpu: (cpu_end.0 - cpu_start.0) / window,
            generator_cpu: (cpu_end.1 - cpu_start.1) / window,
            window_start,
            window_end,
        },
    );
    report.dropped = shared.dropped;
    Ok(report)
}

/// Makes one client's updates: `batch` changes every `interval` from `first` until `until`,
/// then a sync message.
async fn tick(
    peer: Rc<RefCell<Peer>>,
    shared: Rc<RefCell<Shared>>,
    first: Instant,
    interval: Duration,
    until: Instant,
    batch: usize,
    members: usize,
) -> Result<()> {
    let mut next = first;
    let mut seq = 0u64;
    let others = u64::try_from(members.saturating_sub(1))?;
    loop {
        tokio::time::sleep_until(next.into()).await;
        if Instant::now() >= until {
            return Ok(());
        }
        next += interval;
        let mut peer = peer.borrow_mut();
        let mut shared = shared.borrow_mut();
        let index = peer.index;
        for _ in 0..batch {
            seq += 1;
            let body = shared
                .bodies
                .get(index)
                .and_then(|b| b.get(usize::try_from(seq - 1).ok()?))
                .context("an update's body")?
                .clone();
            let made = Instant::now();
            let print = fingerprint(&body);
            peer.doc
                .put(ROOT, format!("{index}:{seq}"), ScalarValue::Bytes(body))?;
            peer.doc.commit();
            shared.tally.made.insert((index, seq), (index, made, print));
            shared.tally.expected += others;
        }
        peer.sync("sync");
    }
}
