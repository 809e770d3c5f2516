//! Live delivery on the news socket (`GET /v1/news?live=true`): each envelope pushed to a
//! space goes, once, to the live sockets of its other members, and to no one else; a stalled
//! or closed socket holds back no one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::*;
use diplomatie_protocol::SpaceId;
use diplomatie_protocol::relay::EnvelopePage;
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Message, WebSocket};

type Socket = WebSocket<TcpStream>;

/// What a socket was sent.
#[derive(Debug, Clone, PartialEq)]
enum Heard {
    News(serde_json::Value),
    Envelopes(SpaceId, EnvelopePage),
}

impl Heard {
    /// The (seq, bytes) of a frame of envelopes, none for news.
    fn envelopes(&self) -> Vec<(u64, Vec<u8>)> {
        match self {
            Heard::Envelopes(_, page) => page.envelopes.clone(),
            Heard::News(_) => Vec::new(),
        }
    }
}

fn request(
    url: &str,
    token: &str,
    query: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let address = url.trim_start_matches("http://");
    let mut request = format!("ws://{address}/v1/news{query}")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

/// A live socket of the session `token`.
fn connect_live(url: &str, token: &str) -> Socket {
    let stream = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    let (socket, _) =
        tokio_tungstenite::tungstenite::client::client(request(url, token, "?live=true"), stream)
            .unwrap();
    socket
}

/// A live socket whose receive buffer is a few KiB, so that the relay soon has to wait for it.
fn connect_live_small(url: &str, token: &str) -> Socket {
    let address: std::net::SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        socket.connect(address).await.unwrap().into_std().unwrap()
    });
    stream.set_nonblocking(false).unwrap();
    let (socket, _) =
        tokio_tungstenite::tungstenite::client::client(request(url, token, "?live=true"), stream)
            .unwrap();
    socket
}

/// The next thing the socket is sent, `None` after `wait` without any (or once closed).
fn read(socket: &mut Socket, wait: Duration) -> Option<Heard> {
    socket.get_mut().set_read_timeout(Some(wait)).unwrap();
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        match socket.read() {
            Ok(Message::Text(text)) => {
                return Some(Heard::News(serde_json::from_str(&text).unwrap()));
            }
            Ok(Message::Binary(bytes)) => {
                let (space, page) = diplomatie_relay::read_envelopes_frame(&bytes)
                    .expect("a binary frame is a space id and a page of envelopes");
                return Some(Heard::Envelopes(space, page));
            }
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
    None
}

/// Everything the socket is sent until it is quiet for `quiet`.
fn read_all(socket: &mut Socket, quiet: Duration) -> Vec<Heard> {
    let mut heard = Vec::new();
    while let Some(one) = read(socket, quiet) {
        heard.push(one);
    }
    heard
}

/// `read_all` on the blocking pool, the socket handed back.
async fn heard(mut socket: Socket, quiet: Duration) -> (Socket, Vec<Heard>) {
    tokio::task::spawn_blocking(move || {
        let heard = read_all(&mut socket, quiet);
        (socket, heard)
    })
    .await
    .unwrap()
}

/// `heard` on several sockets at once.
async fn heard_each(sockets: Vec<Socket>, quiet: Duration) -> (Vec<Socket>, Vec<Vec<Heard>>) {
    let reading: Vec<_> = sockets
        .into_iter()
        .map(|socket| tokio::spawn(heard(socket, quiet)))
        .collect();
    let (mut sockets, mut heard_by) = (Vec::new(), Vec::new());
    for one in reading {
        let (socket, heard) = one.await.unwrap();
        sockets.push(socket);
        heard_by.push(heard);
    }
    (sockets, heard_by)
}

/// The frame of a push of `envelopes` to `space`.
fn frame(space: SpaceId, envelopes: &[(u64, Vec<u8>)]) -> Heard {
    Heard::Envelopes(
        space,
        EnvelopePage {
            envelopes: envelopes.to_vec(),
            next: None,
            head: envelopes.last().unwrap().0,
        },
    )
}

async fn connect(client: &Client) -> Socket {
    let (url, token) = (client.url.clone(), client.token.clone());
    tokio::task::spawn_blocking(move || connect_live(&url, &token))
        .await
        .unwrap()
}

fn news(space: SpaceId, head: u64, epoch: u64) -> Heard {
    Heard::News(json!({ "space": space.hex(), "head": head, "epoch": epoch }))
}

/// Alice's space with Bruno and Carla in it, everyone at its current epoch.
async fn space_of_three(relay: &InProcess) -> (Client, Client, Client, SpaceId) {
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let bruno = Client::join(&relay.url, relay.dir.path()).await;
    let carla = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    assert_eq!(alice.add(space, &bruno).await, StatusCode::OK);
    assert_eq!(alice.add(space, &carla).await, StatusCode::OK);
    bruno.catch_up(space).await;
    (alice, bruno, carla, space)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_sockets_get_each_envelope_of_their_spaces_once_and_strangers_nothing() {
    let relay = InProcess::start().await;
    let (alice, bruno, carla, space) = space_of_three(&relay).await;
    let mallory = Client::join(&relay.url, relay.dir.path()).await;
    // Pushed before the sockets open: pulled, never sent live.
    let before = [alice.sealed(space, b"one"), alice.sealed(space, b"two")];
    alice.push(space, &before).await;

    let mut sockets = Vec::new();
    for client in [&alice, &bruno, &carla, &mallory] {
        sockets.push(connect(client).await);
    }
    // On connect: each member's heads.
    let (sockets, on) = heard_each(sockets, Duration::from_millis(800)).await;
    for member in &on[..3] {
        assert_eq!(member, &[news(space, 2, 2)]);
    }
    assert_eq!(on[3], [], "a stranger has no space to hear of");

    let from_alice: Vec<Vec<u8>> = (0..3)
        .map(|i| alice.sealed(space, format!("alice {i}").as_bytes()))
        .collect();
    let seqs: Vec<u64> = alice
        .push(space, &from_alice)
        .await
        .iter()
        .map(seq_of)
        .collect();
    assert_eq!(seqs, [3, 4, 5]);
    let from_bruno = bruno.sealed(space, b"bruno");
    assert_eq!(
        seq_of(&bruno.push(space, std::slice::from_ref(&from_bruno)).await[0]),
        6
    );
    // Pushed again (the same id): a duplicate, sent to no one.
    bruno.push(space, std::slice::from_ref(&from_bruno)).await;

    let (_sockets, on) = heard_each(sockets, Duration::from_millis(1500)).await;
    let [on_a, on_b, on_c, on_m] = <[Vec<Heard>; 4]>::try_from(on).unwrap();
    let alice_batch: Vec<(u64, Vec<u8>)> = seqs.iter().copied().zip(from_alice).collect();
    let bruno_batch = vec![(6, from_bruno)];
    // One frame a push, to every member but its sender.
    assert_eq!(on_a, [frame(space, &bruno_batch)]);
    assert_eq!(on_b, [frame(space, &alice_batch)]);
    assert_eq!(
        on_c,
        [frame(space, &alice_batch), frame(space, &bruno_batch)]
    );
    assert_eq!(on_m, [], "a non-member hears nothing");

    // What Carla pulled up to her heads on connect, then heard live: the log, each once.
    let mut got: Vec<(u64, Vec<u8>)> = carla
        .pull_all(space)
        .await
        .into_iter()
        .filter(|(seq, _)| *seq <= 2)
        .collect();
    got.extend(on_c.iter().flat_map(Heard::envelopes));
    assert_eq!(got, carla.pull_all(space).await);
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_member_s_live_socket_gets_nothing_from_the_commit_on() {
    let relay = InProcess::start().await;
    let (alice, bruno, carla, space) = space_of_three(&relay).await;
    let (b, c) = (connect(&bruno).await, connect(&carla).await);
    let quiet = Duration::from_millis(800);
    let ((b, on_b), (c, on_c)) = tokio::join!(heard(b, quiet), heard(c, quiet));
    assert_eq!(on_b, [news(space, 0, 2)]);
    assert_eq!(on_c, [news(space, 0, 2)]);

    assert_eq!(
        alice.remove(space, &[bruno.device.id]).await,
        StatusCode::OK
    );
    // At once: the next push, right after the commit's answer.
    let after = alice.sealed(space, b"after the removal");
    assert_eq!(
        seq_of(&alice.push(space, std::slice::from_ref(&after)).await[0]),
        1
    );
    carla.catch_up(space).await;
    let from_carla = carla.sealed(space, b"carla");
    carla.push(space, std::slice::from_ref(&from_carla)).await;

    let quiet = Duration::from_millis(1500);
    let ((b, on_b), (c, on_c)) = tokio::join!(heard(b, quiet), heard(c, quiet));
    assert_eq!(
        on_b,
        [],
        "the removed member hears nothing more, not even the epoch"
    );
    assert_eq!(
        on_c,
        [news(space, 0, 3), frame(space, &[(1, after)])],
        "Carla hears the commit's epoch, then Alice's push (not her own)"
    );

    // Added again (his device forgets the old group first), his open socket hears of the
    // space at once, and what follows.
    *bruno.mls() = common::mls::Mls::default();
    assert_eq!(alice.add(space, &bruno).await, StatusCode::OK);
    let again = alice.sealed(space, b"welcome back");
    alice.push(space, std::slice::from_ref(&again)).await;
    let ((_b, on_b), (_c, _)) = tokio::join!(heard(b, quiet), heard(c, quiet));
    assert_eq!(on_b, [news(space, 2, 4), frame(space, &[(3, again)])]);
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_or_closed_live_socket_holds_back_no_one() {
    let relay = InProcess::start().await;
    let (alice, bruno, carla, space) = space_of_three(&relay).await;
    let (url, token) = (relay.url.clone(), bruno.token.clone());
    // Bruno has two sockets: one that stops reading after its heads, one dropped at once
    // (no close frame).
    let (stalled, heads) = tokio::task::spawn_blocking(move || {
        let mut stalled = connect_live_small(&url, &token);
        let heads = read(&mut stalled, Duration::from_secs(5));
        drop(connect_live(&url, &token));
        (stalled, heads)
    })
    .await
    .unwrap();
    assert_eq!(heads, Some(news(space, 0, 2)));

    // Carla reads everything as it comes, until she has the last seq.
    const BATCHES: u64 = 10;
    const PER_BATCH: u64 = 8;
    let total = BATCHES * PER_BATCH;
    let mut c = connect(&carla).await;
    let carla_reads = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut got = Vec::new();
        while Instant::now() < deadline && got.last().map(|(seq, _)| *seq) != Some(total) {
            if let Some(heard) = read(&mut c, Duration::from_secs(1)) {
                got.extend(heard.envelopes());
            }
        }
        got
    });

    // 20 MiB in 10 pushes: five times what a socket may hold queued. Sealed before the
    // clock starts, so that only the relay's part is timed.
    let body = vec![0x5a; 256 * 1024];
    let batches: Vec<Vec<Vec<u8>>> = (0..BATCHES)
        .map(|_| (0..PER_BATCH).map(|_| alice.sealed(space, &body)).collect())
        .collect();
    let start = Instant::now();
    let mut pushed = Vec::new();
    for batch in batches {
        let outcomes = alice.push(space, &batch).await;
        pushed.extend(outcomes.iter().map(seq_of).zip(batch));
    }
    let pushing = start.elapsed();
    let carla_got = carla_reads.await.unwrap();
    assert_eq!(carla_got, pushed, "Carla got every envelope once, in order");
    // Held back, the pushes would wait for Bruno, who reads only after them: they would not
    // end at all. The bound leaves room for a slow, busy machine (a few seconds alone).
    assert!(
        pushing < Duration::from_secs(30),
        "the pushes took {pushing:?}: the stalled socket held them back"
    );

    // Bruno reads at last: what was queued for him, in order, then his heads afresh; he pulls
    // the rest from the last seq he has.
    let (_stalled, on_b) = heard(stalled, Duration::from_millis(1500)).await;
    let last = on_b
        .last()
        .expect("the stalled socket is sent its heads afresh");
    assert_eq!(last, &news(space, total, 2));
    let frames: Vec<(u64, Vec<u8>)> = on_b.iter().flat_map(Heard::envelopes).collect();
    assert!(
        (frames.len() as u64) < total,
        "a socket that stopped reading is not queued everything ({} of {total})",
        frames.len()
    );
    let have = frames.last().map_or(0, |(seq, _)| *seq);
    assert_eq!(
        frames,
        pushed[..frames.len()],
        "what came live is the log's beginning, each once"
    );
    let rest: Vec<(u64, Vec<u8>)> = bruno
        .pull_all(space)
        .await
        .into_iter()
        .filter(|(seq, _)| *seq > have)
        .collect();
    let mut all = frames;
    all.extend(rest);
    assert_eq!(all, pushed);
    relay.stop().await;
}

#[tokio::test]
async fn live_is_true_or_false() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let response = alice
        .get("/v1/news?live=maybe")
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    relay.stop().await;
}
