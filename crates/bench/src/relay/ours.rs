//! The load on our relay, run in a child of the benchmark pinned to the second core
//! (`--child-relay-load`): real devices, sessions and MLS groups, then pushes and live
//! sockets, every delivery counted.
//!
//! Setup, not timed: each device gets its own keys and a certificate, enrols with a token
//! from `diplomatie_relay::invite`, opens a session (challenge signed); in each space the
//! first member creates the MLS group (the product's `spaces::group`, openmls in memory),
//! the others publish a key package, are added in one commit with its welcome, join from
//! the welcome and derive the epoch key. Every envelope of the run is then sealed under its
//! space's epoch key and signed by its device, and grouped in the batches pushed (the body:
//! random bytes, as ciphertext is). Each device opens `/v1/news?live=true` and reads its
//! space's head.
//!
//! Load: each device pushes one batch every interval (the devices' phases spread over it) on
//! its own keep-alive connection, waiting for each answer as the client does; each live
//! socket records each envelope it is sent (space, seq, arrival time, the last 8 bytes of
//! the envelope, which are its signature's). After the run, pushes stop and the sockets are
//! read until every delivery expected has come or `drain` has passed.
//!
//! Counted, not assumed: each envelope the relay accepted is expected once at each other
//! member of its space; a delivery of an envelope never accepted, to its own sender, or
//! whose bytes differ from what was pushed is `unexpected`; one expected but never
//! delivered is lost; one delivered twice or more, duplicated. Latency: from the moment the
//! batch's request is written to the frame's arrival, for the envelopes pushed during the
//! measured window (after a warm-up); throughputs over that window. The relay's CPU time
//! (`/proc/PID/stat`) over the window, as a share of its one core.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use diplomatie_client::spaces::group;
use diplomatie_crypto::{Context as SigningContext, SecretKey, SigningKey, random_bytes};
use diplomatie_protocol::relay::{
    ChallengeRequest, ChallengeResponse, CommitUpload, CreateSpaceRequest, EnrolRequest,
    KeyPackageUpload, News, PushBatch, PushOutcome, PushResponse, SessionRequest, SessionResponse,
    WelcomePage,
};
use diplomatie_protocol::{
    Content, ContentKind, DeviceCertificate, DeviceId, Envelope, EnvelopeHeader, EnvelopeId,
    SpaceId,
};
use openmls_rust_crypto::OpenMlsRustCrypto;
use serde::{Deserialize, Serialize};

use super::wire::{Frame, Http, Receiver, Sender, WebSocket};
use super::{Arrivals, Params, Report, Run, Tally, count, cpu_seconds};

/// One device of the load.
struct Device {
    key: SigningKey,
    certificate: DeviceCertificate,
    provider: OpenMlsRustCrypto,
    token: String,
    /// Its space, by index.
    space: usize,
}

impl Device {
    fn id(&self) -> DeviceId {
        self.certificate.device
    }
}

/// A batch ready to push: its body, and each envelope's fingerprint (its last 8 bytes).
struct Batch {
    body: Vec<u8>,
    fingerprints: Vec<u64>,
}

fn fingerprint(envelope: &[u8]) -> u64 {
    let tail: [u8; 8] = envelope
        .get(envelope.len().saturating_sub(8)..)
        .and_then(|t| t.try_into().ok())
        .unwrap_or_default();
    u64::from_le_bytes(tail)
}

/// What the child is told by the benchmark.
#[derive(Debug, Serialize, Deserialize)]
pub struct Job {
    pub address: SocketAddr,
    pub data: PathBuf,
    pub relay_pid: u32,
    pub params: Params,
}

/// Runs the load described by the JSON `job`, and prints its [`Report`] as JSON.
pub fn child(job: &str) -> Result<()> {
    super::run_child(job, run)
}

async fn run(job: Job) -> Result<Report> {
    let p = &job.params;
    let clients = p.spaces * p.members;
    let setup_start = Instant::now();
    eprintln!("relay load: {clients} devices enrol and open sessions…");
    let mut http = Http::connect(job.address).await?;
    let mut devices = Vec::with_capacity(clients);
    for i in 0..clients {
        devices.push(enrol(&mut http, &job, i / p.members).await?);
    }
    eprintln!(
        "relay load: {} spaces, MLS groups of {}…",
        p.spaces, p.members
    );
    let mut spaces = Vec::with_capacity(p.spaces);
    for s in 0..p.spaces {
        let members = devices
            .get_mut(s * p.members..(s + 1) * p.members)
            .context("the space's members")?;
        spaces.push(make_space(&mut http, members).await?);
    }
    let rounds =
        usize::try_from(((p.warmup_ms + p.seconds * 1000) / p.interval_ms).saturating_add(2))?;
    eprintln!(
        "relay load: sealing {} envelopes of {} bytes of content…",
        clients * rounds * p.batch,
        p.body
    );
    let mut batches: Vec<Vec<Batch>> = Vec::with_capacity(clients);
    let mut envelope_bytes = 0usize;
    for device in &devices {
        let (space, epoch, key) = spaces.get(device.space).context("a space")?;
        let mut mine = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let mut envelopes = Vec::with_capacity(p.batch);
            for i in 0..p.batch {
                let header = EnvelopeHeader {
                    space: *space,
                    epoch: *epoch,
                    sender: device.id(),
                    seq: u64::try_from(round * p.batch + i + 1)?,
                    id: EnvelopeId::random()?,
                };
                let content = Content {
                    kind: ContentKind::Item,
                    body: random_body(p.body)?,
                };
                let sealed = Envelope::seal(header, key, &content, &device.key)?;
                envelopes.push(sealed.bytes().to_vec());
            }
            envelope_bytes += envelopes.iter().map(Vec::len).sum::<usize>();
            let fingerprints = envelopes.iter().map(|e| fingerprint(e)).collect();
            mine.push(Batch {
                body: PushBatch(envelopes).encode(),
                fingerprints,
            });
        }
        batches.push(mine);
    }
    let envelope_mean = envelope_bytes / (clients * rounds * p.batch).max(1);

    eprintln!("relay load: {clients} live sockets…");
    let mut sockets = Vec::with_capacity(clients);
    for (i, device) in devices.iter().enumerate() {
        let (mut socket, sender) =
            WebSocket::connect(job.address, "/v1/news?live=true", Some(&device.token))
                .await?
                .split(u32::try_from(i)?);
        // The space's head, on connect.
        let (space, _, _) = spaces.get(device.space).context("a space")?;
        match socket.next().await? {
            Frame::Text(text) => {
                let news: News = serde_json::from_slice(&text)?;
                if news.space != *space {
                    bail!("a live socket was told of another space");
                }
            }
            other => bail!("a live socket's first message: {other:?}"),
        }
        sockets.push((socket, sender));
    }
    let setup = setup_start.elapsed();

    // The load.
    let started = Instant::now() + Duration::from_millis(200);
    let interval = Duration::from_millis(p.interval_ms);
    let window_start = started + Duration::from_millis(p.warmup_ms);
    let window_end = window_start + Duration::from_secs(p.seconds);
    let shared = Rc::new(RefCell::new(Tally::default()));
    let local = tokio::task::LocalSet::new();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut readers = Vec::new();
    for (i, (socket, sender)) in sockets.into_iter().enumerate() {
        let stop = stopped.clone();
        let shared = Rc::clone(&shared);
        let space = devices.get(i).context("a device")?.space;
        readers.push(local.spawn_local(read_socket(socket, sender, i, space, stop, shared)));
    }
    let mut pushers = Vec::new();
    for (i, (device, mine)) in devices.iter().zip(batches).enumerate() {
        let (space, _, _) = spaces.get(device.space).context("a space")?;
        let phase = interval.mul_f64(i as f64 / clients as f64);
        let pusher = Pusher {
            http: Http::connect(job.address).await?,
            path: format!("/v1/spaces/{space}/envelopes"),
            token: device.token.clone(),
            client: i,
            space: device.space,
            others: u64::try_from(p.members.saturating_sub(1))?,
        };
        pushers.push(local.spawn_local(pusher.run(
            mine,
            started + phase,
            interval,
            window_end,
            Rc::clone(&shared),
        )));
    }
    let relay_pid = job.relay_pid;
    let counts = Rc::clone(&shared);
    let measured = local
        .run_until(async move {
            tokio::time::sleep_until(window_start.into()).await;
            let cpu_start = (cpu_seconds(relay_pid)?, cpu_seconds(std::process::id())?);
            tokio::time::sleep_until(window_end.into()).await;
            let cpu_end = (cpu_seconds(relay_pid)?, cpu_seconds(std::process::id())?);
            let mut refused = 0;
            for pusher in pushers {
                refused += pusher.await??;
            }
            let pushed_end = Instant::now();
            // Drain: until every delivery expected has come, or `drain` has passed.
            let deadline = Instant::now() + Duration::from_millis(p.drain_ms);
            loop {
                let (expected, delivered) = {
                    let s = counts.borrow();
                    (s.expected, s.delivered)
                };
                if delivered >= expected || Instant::now() >= deadline {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let _ = stop.send(true);
            let mut arrivals = Vec::new();
            for reader in readers {
                arrivals.push(reader.await??);
            }
            Ok::<_, anyhow::Error>((cpu_start, cpu_end, refused, arrivals, pushed_end))
        })
        .await?;
    let ((relay_cpu0, own_cpu0), (relay_cpu1, own_cpu1), refused, arrivals, _) = measured;
    let tally = Rc::try_unwrap(shared)
        .map_err(|_| anyhow!("a task still holds the counts"))?
        .into_inner();
    let window = (window_end - window_start).as_secs_f64();
    Ok(count(
        p,
        &tally,
        &arrivals,
        &Run {
            update_bytes: envelope_mean,
            setup_s: setup.as_secs_f64(),
            refused,
            server_cpu: (relay_cpu1 - relay_cpu0) / window,
            generator_cpu: (own_cpu1 - own_cpu0) / window,
            window_start,
            window_end,
        },
    ))
}

fn random_body(size: usize) -> Result<Vec<u8>> {
    let mut body = Vec::with_capacity(size);
    while body.len() < size {
        body.extend_from_slice(&random_bytes::<32>()?);
    }
    body.truncate(size);
    Ok(body)
}

/// Enrols a new device of space `space` and opens its session.
async fn enrol(http: &mut Http, job: &Job, space: usize) -> Result<Device> {
    let (key, certificate) = crate::certified_device(&SigningKey::generate()?)?;
    let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let token = diplomatie_relay::invite(&job.data, expires)?.token;
    http.json(
        "POST",
        "/v1/enrol",
        None,
        &EnrolRequest {
            token,
            certificate: certificate.bytes().to_vec(),
        },
        201,
    )
    .await?;
    let device = certificate.device;
    let answer = http
        .json(
            "POST",
            "/v1/auth/challenge",
            None,
            &ChallengeRequest { device },
            200,
        )
        .await?;
    let challenge: ChallengeResponse = serde_json::from_slice(&answer)?;
    let signature = key.sign_as(SigningContext::RelayAuth, &challenge.challenge);
    let answer = http
        .json(
            "POST",
            "/v1/auth/session",
            None,
            &SessionRequest {
                device,
                challenge: challenge.challenge,
                signature: signature.to_vec(),
            },
            200,
        )
        .await?;
    let session: SessionResponse = serde_json::from_slice(&answer)?;
    Ok(Device {
        key,
        certificate,
        provider: OpenMlsRustCrypto::default(),
        token: session.token,
        space,
    })
}

/// The first member creates the space's group and adds the others in one commit; they join
/// from its welcome. The space, its epoch and its epoch key, which every member derives.
async fn make_space(http: &mut Http, members: &mut [Device]) -> Result<(SpaceId, u64, SecretKey)> {
    let space = SpaceId::random()?;
    let (creator, others) = members.split_first_mut().context("a member")?;
    let mut group = group::create(&creator.provider, &creator.key, &creator.certificate, space)?;
    let info = group::group_info(&group, &creator.provider, &creator.key)?;
    http.json(
        "POST",
        "/v1/spaces",
        Some(&creator.token),
        &CreateSpaceRequest {
            space,
            group_info: info,
        },
        201,
    )
    .await?;
    let mut packages = Vec::with_capacity(others.len());
    for other in others.iter() {
        let package = group::key_package(&other.provider, &other.key, &other.certificate)?;
        http.binary(
            "POST",
            "/v1/keypackages",
            &other.token,
            &KeyPackageUpload(vec![package]).encode(),
            200,
        )
        .await?;
        let fetched = http
            .binary(
                "GET",
                &format!("/v1/devices/{}/keypackage", other.id()),
                &creator.token,
                &[],
                200,
            )
            .await?;
        packages.push(group::check_key_package(
            &creator.provider,
            &fetched,
            &other.certificate,
        )?);
    }
    let outgoing = group::add(&mut group, &creator.provider, &creator.key, &packages)?;
    let upload = CommitUpload {
        commit: outgoing.commit,
        welcome: outgoing.welcome,
    };
    http.binary(
        "POST",
        &format!("/v1/spaces/{space}/commits?epoch=0"),
        &creator.token,
        &upload.encode(),
        200,
    )
    .await?;
    let key = group::epoch_key(&group, &creator.provider)?;
    for other in others.iter() {
        let page = http
            .binary("GET", "/v1/welcomes", &other.token, &[], 200)
            .await?;
        let page = WelcomePage::decode(&page)?;
        let welcome = page.welcomes.first().context("a welcome")?;
        let joined = group::join(&other.provider, &welcome.bytes)?;
        if group::epoch_key(&joined, &other.provider)?.expose() != key.expose() {
            bail!("a member derived another epoch key");
        }
        http.binary(
            "DELETE",
            &format!("/v1/welcomes/{}", welcome.id),
            &other.token,
            &[],
            204,
        )
        .await?;
    }
    Ok((space, outgoing.epoch, key))
}

/// Records every envelope a live socket is sent, until `stop`.
async fn read_socket(
    mut socket: Receiver,
    _sender: Sender,
    client: usize,
    space: usize,
    mut stop: tokio::sync::watch::Receiver<bool>,
    shared: Rc<RefCell<Tally>>,
) -> Result<Arrivals> {
    let mut records = Vec::new();
    while let Some((frame, at)) = socket.next_until(&mut stop).await? {
        match frame {
            Frame::Binary(bytes) => {
                let (_, page) = diplomatie_relay::read_envelopes_frame(&bytes)
                    .context("a live frame is a space id and a page of envelopes")?;
                for (seq, envelope) in &page.envelopes {
                    records.push(((space, *seq), at, fingerprint(envelope)));
                }
                shared.borrow_mut().delivered += page.envelopes.len() as u64;
            }
            // Heads: of commits and joins, none during the load; the relay sends no ping.
            Frame::Text(_) | Frame::Ping(_) => {}
            Frame::Close => bail!("the relay closed a live socket during the load"),
        }
    }
    Ok(Arrivals { client, records })
}

struct Pusher {
    http: Http,
    path: String,
    token: String,
    client: usize,
    space: usize,
    /// The other members of its space, each expecting every envelope it pushes.
    others: u64,
}

impl Pusher {
    /// Pushes one batch every `interval` from `first` until `until`; the envelopes refused.
    async fn run(
        mut self,
        batches: Vec<Batch>,
        first: Instant,
        interval: Duration,
        until: Instant,
        shared: Rc<RefCell<Tally>>,
    ) -> Result<u64> {
        let mut next = first;
        let mut refused = 0;
        for batch in batches {
            tokio::time::sleep_until(next.into()).await;
            if Instant::now() >= until {
                break;
            }
            next += interval;
            let sent = Instant::now();
            let answer = self
                .http
                .binary("POST", &self.path, &self.token, &batch.body, 200)
                .await?;
            let response: PushResponse = serde_json::from_slice(&answer)?;
            let mut shared = shared.borrow_mut();
            shared.answered.push((sent, sent.elapsed()));
            for (outcome, fingerprint) in response.outcomes.iter().zip(&batch.fingerprints) {
                match outcome {
                    PushOutcome::Accepted {
                        seq,
                        duplicate: false,
                    } => {
                        shared
                            .made
                            .insert((self.space, *seq), (self.client, sent, *fingerprint));
                        shared.expected += self.others;
                    }
                    PushOutcome::Accepted { .. } | PushOutcome::Refused { .. } => refused += 1,
                }
            }
        }
        Ok(refused)
    }
}
