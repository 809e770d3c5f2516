//! Catch-up after changes made offline: what a member's one sync costs on the wire.
//!
//! Two profiles and a relay served in this process (127.0.0.1:0). Alice and Bruno are members
//! of one space; Alice shares `changes` small items into it (demo telegrams and notes, through
//! `Profile::share_item`) while Bruno is away, pushed in ten rounds (see `ROUNDS`); Bruno then
//! catches up with one `sync`. Each profile reaches the relay through a counting TCP proxy of its own
//! (the client is not touched): bytes each way (TCP payload: HTTP headers and bodies, not
//! TCP/IP headers), connections, and HTTP requests (request heads parsed, bodies skipped by
//! their `content-length`; each is one round trip, HTTP/1.1 without pipelining).
//!
//! Measured against the sum of the envelopes' sizes (the relay's `relay_bytes_stored` before
//! and after the push): bytes on the wire / envelope bytes (target ≤ 1.2) and round trips
//! against 3 plus one per page of 1,000 envelopes.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use diplomatie_client::spaces::SpaceKind;
use diplomatie_client::{InitOptions, KdfCost, Page, Profile, TriageFilter};
use diplomatie_domain::ItemKind;
use diplomatie_protocol::relay::MAX_PAGE_ENVELOPES;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::{Row, row, verdict};

/// The changes made offline.
pub const CHANGES: usize = 10_000;
/// The rounds Alice shares and pushes them in.
const ROUNDS: usize = 10;

const PASSPHRASE: &str = "benchmark passphrase, long enough";
const SPACE: &str = "Catch-up";

/// What one proxy saw.
#[derive(Debug, Default)]
struct Counts {
    /// Client to relay.
    up: AtomicU64,
    /// Relay to client.
    down: AtomicU64,
    requests: AtomicU64,
    connections: AtomicU64,
    /// A request whose body length could not be read (chunked): the request count is off.
    unparsed: AtomicBool,
}

impl Counts {
    fn reset(&self) {
        for c in [&self.up, &self.down, &self.requests, &self.connections] {
            c.store(0, Ordering::SeqCst);
        }
        self.unparsed.store(false, Ordering::SeqCst);
    }

    fn get(&self) -> Seen {
        Seen {
            up: self.up.load(Ordering::SeqCst),
            down: self.down.load(Ordering::SeqCst),
            requests: self.requests.load(Ordering::SeqCst),
            connections: self.connections.load(Ordering::SeqCst),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    up: u64,
    down: u64,
    requests: u64,
    connections: u64,
}

/// Counts HTTP/1.1 requests in the client's byte stream: a head up to its blank line, then a
/// body of its `content-length`.
#[derive(Debug, Default)]
struct RequestCounter {
    head: Vec<u8>,
    body_left: u64,
}

impl RequestCounter {
    /// Feeds bytes sent to the relay; how many request heads ended in them, and whether one
    /// had a body of unknown length.
    fn feed(&mut self, mut data: &[u8]) -> (u64, bool) {
        let (mut requests, mut unparsed) = (0, false);
        while !data.is_empty() {
            if self.body_left > 0 {
                let skip = usize::try_from(self.body_left)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                data = data.get(skip..).unwrap_or_default();
                self.body_left -= skip as u64;
                continue;
            }
            let Some((&byte, rest)) = data.split_first() else {
                break;
            };
            data = rest;
            self.head.push(byte);
            if self.head.ends_with(b"\r\n\r\n") {
                requests += 1;
                let head = String::from_utf8_lossy(&self.head).to_ascii_lowercase();
                for line in head.lines() {
                    if let Some(value) = line.strip_prefix("content-length:") {
                        self.body_left = value.trim().parse().unwrap_or(0);
                    }
                    if line.starts_with("transfer-encoding:") && line.contains("chunked") {
                        unparsed = true;
                    }
                }
                self.head.clear();
            }
        }
        (requests, unparsed)
    }
}

/// A proxy on 127.0.0.1:0 to `target`, counting into `counts`, until the runtime stops.
async fn proxy(listener: TcpListener, target: SocketAddr, counts: Arc<Counts>) {
    while let Ok((client, _)) = listener.accept().await {
        counts.connections.fetch_add(1, Ordering::SeqCst);
        let counts = Arc::clone(&counts);
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(target).await else {
                return;
            };
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::join!(
                pump(client_read, server_write, Arc::clone(&counts), true),
                pump(server_read, client_write, counts, false),
            );
        });
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    counts: Arc<Counts>,
    up: bool,
) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut requests = RequestCounter::default();
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let Some(chunk) = buf.get(..n) else { break };
        if up {
            counts.up.fetch_add(n as u64, Ordering::SeqCst);
            let (seen, unparsed) = requests.feed(chunk);
            counts.requests.fetch_add(seen, Ordering::SeqCst);
            if unparsed {
                counts.unparsed.store(true, Ordering::SeqCst);
            }
        } else {
            counts.down.fetch_add(n as u64, Ordering::SeqCst);
        }
        if to.write_all(chunk).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// The relay's `relay_bytes_stored` gauge, read from `/metrics` directly (not through a
/// proxy).
fn bytes_stored(relay: SocketAddr) -> Result<u64> {
    let mut stream = std::net::TcpStream::connect(relay)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.write_all(b"GET /metrics HTTP/1.1\r\nhost: relay\r\nconnection: close\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    answer
        .lines()
        .find_map(|l| l.strip_prefix("relay_bytes_stored "))
        .context("the relay's /metrics has no relay_bytes_stored")?
        .trim()
        .parse()
        .context("relay_bytes_stored is not a number")
}

fn profile(dir: &Path, name: &str) -> Result<Profile> {
    Ok(Profile::init(
        dir,
        PASSPHRASE,
        InitOptions {
            name: name.into(),
            org: "BERLIN".into(),
            email: None,
            role: String::new(),
            kdf_cost: Some(KdfCost::MIN),
        },
    )?)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// What one sync (or several) cost through its proxy.
struct Measured {
    seen: Seen,
    time: Duration,
}

impl Measured {
    fn add(&mut self, other: &Measured) {
        self.seen.up += other.seen.up;
        self.seen.down += other.seen.down;
        self.seen.requests += other.seen.requests;
        self.seen.connections += other.seen.connections;
        self.time += other.time;
    }
}

fn measured(counts: &Counts, sync: impl FnOnce() -> Result<()>) -> Result<Measured> {
    counts.reset();
    let start = Instant::now();
    sync()?;
    let time = start.elapsed();
    if counts.unparsed.load(Ordering::SeqCst) {
        bail!("a request with a chunked body went through the proxy: its count is unreliable");
    }
    Ok(Measured {
        seen: counts.get(),
        time,
    })
}

pub fn rows(changes: usize) -> Result<Vec<Row>> {
    let tmp = tempfile::tempdir()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    // The relay, without its per-device rate limit (the push is 100 requests in a burst).
    let data = tmp.path().join("relay");
    let mut config = diplomatie_relay::Config::new(&data);
    config.rate_per_second = 1_000_000.0;
    config.rate_burst = 1_000_000;
    let relay = diplomatie_relay::Relay::open(config)?;
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0"))?;
    let relay_addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = runtime.spawn(relay.serve(listener, async {
        let _ = stopped.await;
    }));
    let mut proxies = Vec::new();
    for _ in 0..2 {
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0"))?;
        let url = format!("http://{}", listener.local_addr()?);
        let counts = Arc::new(Counts::default());
        runtime.spawn(proxy(listener, relay_addr, Arc::clone(&counts)));
        proxies.push((url, counts));
    }
    let [(alice_url, alice_counts), (bruno_url, bruno_counts)] =
        <[_; 2]>::try_from(proxies).map_err(|_| anyhow!("two proxies"))?;
    let invite = || -> Result<String> {
        let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
        Ok(diplomatie_relay::invite(&data, expires)?.token)
    };

    eprintln!("catch-up: two profiles, a space…");
    let alice = profile(&tmp.path().join("alice"), "Alice Lefèvre")?;
    let bruno = profile(&tmp.path().join("bruno"), "Bruno Durand")?;
    alice.add_contact(&bruno.card_line())?;
    bruno.add_contact(&alice.card_line())?;
    alice.join_relay(&alice_url, &invite()?)?;
    bruno.join_relay(&bruno_url, &invite()?)?;
    alice.create_space(SPACE, SpaceKind::Unit, false)?;
    alice.sync(&mut |_| {})?;
    alice.add_to_space_via_relay(SPACE, "Bruno Durand")?;
    alice.sync(&mut |_| {})?;
    if bruno.sync(&mut |_| {})?.joined != 1 {
        bail!("Bruno did not join the space");
    }

    // Alice's changes, offline: demo telegrams and notes (the demo's emails name attachments
    // whose bytes it does not make), each shared into the space.
    eprintln!("catch-up: {changes} items made and shared offline, pushed in {ROUNDS} rounds…");
    alice.fill_demo(u64::try_from(changes)? * 3 / 2 + 1_000, 7, &mut |_| {})?;
    let items: Vec<_> = alice
        .inbox(
            &TriageFilter {
                kinds: vec![ItemKind::Telegram, ItemKind::DiplomaticNote],
                ..TriageFilter::default()
            },
            Page {
                offset: 0,
                limit: u32::try_from(changes)?,
            },
        )?
        .items;
    if items.len() < changes {
        bail!(
            "the demo made {} telegrams and notes, not {changes}",
            items.len()
        );
    }
    // In rounds, each pushed before the next: a share costs time in proportion to the outbox
    // (the engine is restored from every outbox row at each write), so 10,000 in one outbox
    // take 12 minutes here; Bruno's catch-up is the same 10,000 envelopes either way.
    let mut shared = Duration::ZERO;
    let mut push = Measured {
        seen: Seen::default(),
        time: Duration::ZERO,
    };
    let before = bytes_stored(relay_addr)?;
    for (round, chunk) in items.chunks(changes.div_ceil(ROUNDS)).enumerate() {
        let start = Instant::now();
        for item in chunk {
            alice.share_item(item.id, SPACE)?;
        }
        shared += start.elapsed();
        eprintln!(
            "  round {}: {} shared, {:.1} s in all; Alice pushes…",
            round + 1,
            chunk.len(),
            shared.as_secs_f64()
        );
        let pushed = measured(&alice_counts, || {
            let report = alice.sync(&mut |_| {})?;
            if (report.delivered, report.pending) != (chunk.len(), 0) {
                bail!(
                    "Alice's push delivered {} of {}, {} left",
                    report.delivered,
                    chunk.len(),
                    report.pending
                );
            }
            Ok(())
        })?;
        push.add(&pushed);
    }
    let envelope_bytes = bytes_stored(relay_addr)? - before;

    eprintln!("catch-up: Bruno catches up…");
    let mut applied = 0;
    let catchup = measured(&bruno_counts, || {
        let report = bruno.sync(&mut |_| {})?;
        applied = report.applied;
        Ok(())
    })?;
    if applied != changes {
        bail!("Bruno's catch-up applied {applied}, not {changes}");
    }

    let _ = stop.send(());
    let _ = runtime.block_on(served);
    runtime.shutdown_background();

    let pages = changes.div_ceil(MAX_PAGE_ENVELOPES as usize) as u64;
    let trips = 3 + pages;
    let mut out = Vec::new();
    out.push(row(
        format!("{changes} shares into the outbox, {ROUNDS} rounds (Alice)"),
        format!(
            "{:.1} s ({:.2} ms each)",
            shared.as_secs_f64(),
            shared.as_secs_f64() * 1000.0 / changes as f64
        ),
        "",
    ));
    let wire = catchup.seen.up + catchup.seen.down;
    let ratio = wire as f64 / envelope_bytes.max(1) as f64;
    out.push(row(
        "catch-up (Bruno): bytes on the wire / envelope bytes",
        format!(
            "{:.2} / {:.2} MiB ({ratio:.3}×; up {:.2} MiB)",
            mib(wire),
            mib(envelope_bytes),
            mib(catchup.seen.up)
        ),
        format!("≤ 1.20 {}", verdict(ratio <= 1.2)),
    ));
    out.push(row(
        "catch-up (Bruno): HTTP round trips (TCP connections)",
        format!("{} ({})", catchup.seen.requests, catchup.seen.connections),
        format!("≤ {trips} {}", verdict(catchup.seen.requests <= trips)),
    ));
    out.push(row(
        "catch-up (Bruno): wall time",
        format!(
            "{:.2} s ({:.0} envelopes/s)",
            catchup.time.as_secs_f64(),
            changes as f64 / catchup.time.as_secs_f64().max(f64::EPSILON)
        ),
        "",
    ));
    // The push: what went up against the envelopes' sizes; what came down is Alice's own
    // envelopes of the round before, pulled back by each sync.
    let up = push.seen.up as f64 / envelope_bytes.max(1) as f64;
    out.push(row(
        format!("push (Alice, {ROUNDS} syncs): bytes up / envelope bytes; down"),
        format!(
            "{:.2} / {:.2} MiB ({up:.3}×); {:.2} MiB down",
            mib(push.seen.up),
            mib(envelope_bytes),
            mib(push.seen.down)
        ),
        "measured",
    ));
    out.push(row(
        format!("push (Alice, {ROUNDS} syncs): HTTP round trips (TCP connections)"),
        format!("{} ({})", push.seen.requests, push.seen.connections),
        "measured",
    ));
    out.push(row(
        format!("push (Alice, {ROUNDS} syncs): wall time"),
        format!(
            "{:.2} s ({:.0} envelopes/s)",
            push.time.as_secs_f64(),
            changes as f64 / push.time.as_secs_f64().max(f64::EPSILON)
        ),
        "",
    ));
    Ok(out)
}
