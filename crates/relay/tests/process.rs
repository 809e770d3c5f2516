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
