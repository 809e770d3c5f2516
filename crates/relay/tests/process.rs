//! The real `diplomatie-relay` binary: its command line, `kill -9` right after a push was
//! acknowledged, and what it writes (files, stdout, stderr) never holding content or tokens.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use diplomatie_crypto::{SecretKey, hex};

fn run(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(relay_bin())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: a command that does not serve ends at once.
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("{args:?} did not end within 30 s");
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn bad_flags_and_unusable_folders_are_named_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let file = file.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["serve", "--data"], "--data"),
        (&["serve", "--listen", "nowhere", "--data", "x"], "--listen"),
        (&["serve", "--bogus"], "--bogus"),
        (
            &["invite", "--data", "x", "--expires-in", "0"],
            "--expires-in",
        ),
        (
            &["serve", "--listen", "127.0.0.1:0", "--data", file],
            "data folder",
        ),
        (
            &["invite", "--data", &format!("{file}/below")],
            "data folder",
        ),
        (
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data",
                dir.path().to_str().unwrap(),
                "--max-envelope-bytes",
                "0",
            ],
            "--max-envelope-bytes",
        ),
    ];
    for (args, named) in cases {
        let output = run(args);
        let err = stderr(&output);
        assert!(!output.status.success(), "{args:?}");
        assert!(err.contains(named), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// A token from `diplomatie-relay invite` (its last line) enrols a device with the relay
/// process, which stops cleanly on SIGTERM.
#[tokio::test]
async fn an_invitation_from_the_command_line_enrols_and_sigterm_stops_the_relay() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&[
        "invite",
        "--data",
        dir.path().to_str().unwrap(),
        "--expires-in",
        "5",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.lines().last().unwrap().trim().to_owned();
    assert_eq!(token.len(), 64);

    let mut relay = Process::start(dir.path(), "info", &[]);
    let device = Device::new();
    assert_eq!(
        enrol(&relay.url, &device, &token).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        enrol(&relay.url, &Device::new(), &token).await.status(),
        StatusCode::FORBIDDEN
    );
    let alice = Client::login(&relay.url, device).await;
    alice.create_space().await;
    assert!(relay.terminate(), "a clean exit on SIGTERM");
    let err = relay.take_stderr();
    assert!(!err.contains("panicked"), "{err}");
}

/// Every push the relay acknowledged is served after `kill -9` and a restart on the same
/// folder (WAL, synchronous = FULL).
#[tokio::test]
async fn acknowledged_envelopes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut relay = Process::start(dir.path(), "warn", &[]);
    let alice = Client::join(&relay.url, dir.path()).await;
    let space = alice.create_space().await;
    let key = SecretKey::generate().unwrap();
    let mut acknowledged: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut alice = alice;
    for round in 0..8u32 {
        let batch: Vec<Vec<u8>> = (0..4)
            .map(|i| {
                alice
                    .device
                    .envelope(space, 0, &key, format!("round {round} item {i}").as_bytes())
            })
            .collect();
        let outcomes = alice.push(space, &batch).await;
        for (outcome, bytes) in outcomes.iter().zip(batch) {
            acknowledged.push((seq_of(outcome), bytes));
        }
        relay.kill9();
        relay = Process::start(dir.path(), "warn", &[]);
        alice.url = relay.url.clone();
        // The session is in the database: it holds across the restart.
        assert_eq!(alice.pull_all(space).await, acknowledged, "round {round}");
    }
    assert_eq!(acknowledged.len(), 32);
    assert_eq!(acknowledged.last().unwrap().0, 32);
}

/// A device removed from `space`: its pushes, pulls and commits are refused, and its news
/// socket hears nothing of the space.
async fn refused_everywhere(bob: &Client, space: diplomatie_protocol::SpaceId) {
    let envelope = bob.sealed(space, b"still here?");
    assert_eq!(
        bob.push_raw(space, &[envelope]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(bob.pull_raw(space, 0).await.status(), StatusCode::FORBIDDEN);
    let epoch = bob.mls().epoch(space);
    let stale = bob.mls().update(&bob.device.signing, space);
    bob.mls().discard(space);
    let response = bob.commit_raw(space, epoch, &stale).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (url, token) = (bob.url.clone(), bob.token.clone());
    let heard = tokio::task::spawn_blocking(move || {
        let mut socket = connect_news(&url, &token, true);
        read_news(&mut socket, Duration::from_millis(1500))
    })
    .await
    .unwrap();
    assert_eq!(heard, None, "a removed device hears nothing of the space");
}

/// The spaces' public groups are in the database: after `kill -9` and a restart, a removed
/// device is still refused (push, pull, news, commits), a welcome and a key package still
/// wait, and the next commits are still checked against the group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_membership_welcomes_and_key_packages_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut relay = Process::start(dir.path(), "warn", &[]);
    let mut alice = Client::join(&relay.url, dir.path()).await;
    let mut bob = Client::join(&relay.url, dir.path()).await;
    let mut carol = Client::join(&relay.url, dir.path()).await;
    let mut dave = Client::join(&relay.url, dir.path()).await;
    let space = alice.create_space().await;
    assert_eq!(alice.add(space, &bob).await, StatusCode::OK);
    assert_eq!(alice.add(space, &carol).await, StatusCode::OK);
    alice
        .push(space, &[alice.sealed(space, b"for three")])
        .await;
    assert_eq!(bob.pull_all(space).await.len(), 1);

    // Bob removed: refused at once.
    assert_eq!(alice.remove(space, &[bob.device.id]).await, StatusCode::OK);
    refused_everywhere(&bob, space).await;

    // Dave published two key packages; Alice adds him with one; he has not looked yet.
    dave.publish_key_packages(2).await;
    let package = alice.fetch_key_package(dave.device.id).await;
    let upload = alice.mls().add(&alice.device.signing, space, &[package]);
    assert_eq!(alice.send_commit(space, &upload).await, StatusCode::OK);
    assert_eq!(alice.mls().epoch(space), 4);

    relay.kill9();
    relay = Process::start(dir.path(), "warn", &[]);
    for client in [&mut alice, &mut bob, &mut carol, &mut dave] {
        client.url = relay.url.clone();
    }

    // Membership held.
    refused_everywhere(&bob, space).await;
    assert_eq!(carol.pull_all(space).await.len(), 1);
    let (url, token) = (carol.url.clone(), carol.token.clone());
    let heard = tokio::task::spawn_blocking(move || {
        let mut socket = connect_news(&url, &token, false);
        read_news(&mut socket, Duration::from_secs(10))
    })
    .await
    .unwrap();
    assert_eq!(
        heard,
        Some(serde_json::json!({ "space": space.hex(), "head": 1, "epoch": 4 }))
    );
    // The welcome and the other key package waited.
    assert_eq!(dave.accept_welcomes().await, [space]);
    assert_eq!(
        seq_of(&dave.push(space, &[dave.sealed(space, b"hello")]).await[0]),
        2
    );
    alice.fetch_key_package(dave.device.id).await;
    assert_eq!(
        alice.fetch_key_package_raw(dave.device.id).await.status(),
        StatusCode::NOT_FOUND
    );

    // The next commits are still checked against the group: garbage, a commit sent by
    // another member than its sender, refused; Carol's, once she has caught up, taken.
    let garbage = diplomatie_protocol::relay::CommitUpload {
        commit: b"not a commit".to_vec(),
        welcome: None,
    };
    assert_eq!(
        alice.commit_raw(space, 4, &garbage).await.status(),
        StatusCode::BAD_REQUEST
    );
    carol.catch_up(space).await;
    let from_carol = carol.mls().update(&carol.device.signing, space);
    assert_eq!(
        alice.commit_raw(space, 4, &from_carol).await.status(),
        StatusCode::FORBIDDEN
    );
    let response = carol.commit_raw(space, 4, &from_carol).await;
    assert_eq!(response.status(), StatusCode::OK);
    carol.mls().merge(space);

    // Once more, after a commit made since the restart.
    relay.kill9();
    relay = Process::start(dir.path(), "warn", &[]);
    for client in [&mut alice, &mut bob, &mut carol, &mut dave] {
        client.url = relay.url.clone();
    }
    refused_everywhere(&bob, space).await;
    alice.catch_up(space).await;
    assert_eq!(
        alice.remove(space, &[carol.device.id]).await,
        StatusCode::OK
    );
    assert_eq!(
        carol.pull_raw(space, 0).await.status(),
        StatusCode::FORBIDDEN
    );
    dave.catch_up(space).await;
    assert_eq!(dave.mls().epoch(space), 6);
    assert_eq!(
        dave.mls().members(space),
        alice.mls().members(space),
        "the group every member sees"
    );
    assert_eq!(dave.update(space).await, StatusCode::OK);
    assert!(relay.terminate());
    let err = relay.take_stderr();
    assert!(!err.contains("panicked"), "{err}");
}

/// A revoked device stays revoked after `kill -9` and a restart: its session, a challenge and
/// a new enrolment are refused, and its siblings see it revoked.
#[tokio::test]
async fn a_revoked_device_stays_revoked_after_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut relay = Process::start(dir.path(), "warn", &[]);
    let mut alice = Client::join(&relay.url, dir.path()).await;
    let mut laptop = Client::join_as(&relay.url, dir.path(), alice.device.sibling()).await;
    let response = alice
        .post(&format!("/v1/devices/{}/revoke", laptop.device.id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    relay.kill9();
    relay = Process::start(dir.path(), "warn", &[]);
    alice.url = relay.url.clone();
    laptop.url = relay.url.clone();

    let response = laptop.get("/v1/spaces").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&relay.url, laptop.device.id).await.status(),
        StatusCode::FORBIDDEN
    );
    let token = invite(dir.path(), Duration::from_secs(600));
    assert_eq!(
        enrol(&relay.url, &laptop.device, &token).await.status(),
        StatusCode::FORBIDDEN
    );
    let response = alice.get("/v1/devices/mine").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mine: Vec<diplomatie_protocol::relay::OwnDevice> = response.json().await.unwrap();
    let revoked: Vec<bool> = mine.iter().map(|d| d.revoked_at.is_some()).collect();
    assert_eq!(revoked, [false, true]);
}

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Content, space and person names travel sealed: none reaches the relay's files or its
/// output, even with every debug trace on; nor do session or invitation tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_content_name_or_token_reaches_the_relays_files_or_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut relay = Process::start(dir.path(), "debug", &[]);
    let device = Device::new();
    let invitation = invite(dir.path(), Duration::from_secs(600));
    assert_eq!(
        enrol(&relay.url, &device, &invitation).await.status(),
        StatusCode::CREATED
    );
    let alice = Client::login(&relay.url, device).await;
    let bob = Client::join(&relay.url, dir.path()).await;
    let space = alice.create_space().await;
    assert_eq!(alice.add(space, &bob).await, StatusCode::OK);
    let canaries = [
        "CANARY-content-3f9a1c telegram body",
        "CANARY-space-name-Ambassade-de-Zanzibar",
        "CANARY-person-Hortense-Cornichon",
    ];
    let key = SecretKey::generate().unwrap();
    let batch: Vec<Vec<u8>> = canaries
        .iter()
        .map(|c| {
            let body = format!("{{\"space_name\":\"{c}\",\"from\":\"{c}\",\"text\":\"{c}\"}}");
            alice.device.envelope(space, 1, &key, body.as_bytes())
        })
        .collect();
    alice.push(space, &batch).await;
    alice.push(space, &batch).await;
    assert_eq!(bob.pull_all(space).await.len(), 3);
    assert_eq!(bob.update(space).await, StatusCode::OK);
    // A news socket opened with the token in its query string.
    let (url, token) = (relay.url.clone(), bob.token.clone());
    tokio::task::spawn_blocking(move || {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let address = url.trim_start_matches("http://");
        let request = format!("ws://{address}/v1/news?token={token}")
            .into_client_request()
            .unwrap();
        let stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let (mut socket, _) =
            tokio_tungstenite::tungstenite::client::client(request, stream).unwrap();
        assert!(socket.read().unwrap().is_text());
    })
    .await
    .unwrap();
    // A refused request with a token in it.
    let _ = http()
        .get(format!("{}/v1/spaces", relay.url))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    // A link mailbox: neither its id nor its token is logged, and the token is not stored.
    let response = alice.post("/v1/links").send().await.unwrap();
    let link: diplomatie_protocol::relay::LinkOpened = response.json().await.unwrap();
    let response = alice
        .post(&format!("/v1/links/{}/invite", link.link))
        .send()
        .await
        .unwrap();
    let link_token = response
        .json::<diplomatie_protocol::relay::LinkInvite>()
        .await
        .unwrap()
        .token;
    let response = http()
        .put(format!("{}/v1/links/{}/b", relay.url, link.link))
        .body(b"sealed".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    assert!(relay.terminate());
    let stdout_and_stderr = format!("{}\n{}", relay.stdout(), relay.take_stderr());
    assert!(
        stdout_and_stderr.contains("DEBUG"),
        "debug traces are on: {stdout_and_stderr}"
    );
    let mut secrets: Vec<(String, Vec<u8>)> = canaries
        .iter()
        .map(|c| (format!("canary {c}"), c.as_bytes().to_vec()))
        .collect();
    for (what, token) in [
        ("alice's session token", &alice.token),
        ("bob's session token", &bob.token),
        ("the invitation", &invitation),
        ("the link's invitation", &link_token),
    ] {
        secrets.push((what.to_owned(), token.as_bytes().to_vec()));
        secrets.push((format!("{what}, raw"), hex::decode(token).unwrap()));
    }
    for (what, needle) in &secrets {
        assert!(
            !contains(stdout_and_stderr.as_bytes(), needle),
            "{what} in the relay's output"
        );
    }
    assert!(
        !stdout_and_stderr.contains(&link.link),
        "the link's id in the relay's output"
    );
    for (path, bytes) in files_under(dir.path()) {
        for (what, needle) in &secrets {
            assert!(!contains(&bytes, needle), "{what} in {path}");
        }
    }
    // The canaries inside envelopes were checked across every file (WAL included).
    assert!(
        files_under(dir.path())
            .iter()
            .any(|(p, _)| p.ends_with("relay.sqlite"))
    );
}
