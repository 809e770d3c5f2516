#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Key files over time: the first stores' PBKDF2 key files are rewritten with Argon2id at
//! their first unlock, atomically (a `kill -9` at any instant leaves a folder that opens with
//! its passphrase), and the cipher settings a key file names are bound to its wrapped key.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use diplomatie_crypto::{KdfCost, KdfParams};
use diplomatie_store::{Store, StoreError};
use rand::Rng;

/// The passphrase of the committed fixtures (see fixture.rs).
const FIXTURE_PASSPHRASE: &str = "fixture v1 passphrase";
const CHILD_DIR: &str = "DIPLOMATIE_STORE_KILL9_UPGRADE_DIR";

fn fixture_dir(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/v{version}"))
}

/// A copy of the first stores' fixture (a PBKDF2 key file) in `dir`.
fn copy_legacy(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for name in ["profile.key", "store.db"] {
        std::fs::copy(fixture_dir(1).join(name), dir.join(name)).unwrap();
    }
}

fn key_json(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("profile.key")).unwrap()).unwrap()
}

#[test]
fn a_pbkdf2_key_file_becomes_argon2id_at_its_first_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("old");
    copy_legacy(&dir);
    assert_eq!(key_json(&dir)["format"], 1);
    assert_eq!(key_json(&dir)["kdf"]["algorithm"], "pbkdf2-hmac-sha256");

    // A wrong passphrase upgrades nothing.
    let before = std::fs::read(dir.join("profile.key")).unwrap();
    assert!(matches!(
        Store::open(&dir, "not the passphrase"),
        Err(StoreError::WrongPassphrase)
    ));
    assert_eq!(std::fs::read(dir.join("profile.key")).unwrap(), before);

    let store = Store::open(&dir, FIXTURE_PASSPHRASE).unwrap();
    let params = store.kdf_params().unwrap();
    assert_eq!(params.algorithm(), "argon2id");
    assert_eq!(params.argon2_cost(), Some(KdfCost::DEFAULT));
    const { assert!(KdfCost::DEFAULT.memory_kib >= 64 * 1024) };
    assert_eq!(store.item_count().unwrap(), 2);
    store.close();

    let file = key_json(&dir);
    assert_eq!(file["format"], 2);
    assert_eq!(file["kdf"]["algorithm"], "argon2id");
    // The cipher settings of the first stores are kept (the database is not rewritten).
    assert_eq!(file["cipher_hmac"], "HMAC_SHA512");
    assert_eq!(file["cipher_page_size"], 4096);
    assert!(!dir.join("profile.key.tmp").exists());
    let store = Store::open(&dir, FIXTURE_PASSPHRASE).unwrap();
    store.verify_integrity().unwrap();
    assert_eq!(store.item_count().unwrap(), 2);
}

#[test]
fn the_cipher_settings_and_derivation_parameters_are_bound_to_the_wrapped_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    Store::create(&dir, PASS, COST).unwrap().close();
    let original = String::from_utf8(std::fs::read(dir.join("profile.key")).unwrap()).unwrap();
    assert!(
        original.contains("\"cipher_hmac\": \"HMAC_SHA256\""),
        "{original:.0}"
    );
    let salt = key_json(&dir)["kdf"]["salt"].as_str().unwrap().to_owned();
    let mut other_salt = salt.clone();
    other_salt.replace_range(0..2, if &salt[0..2] == "00" { "01" } else { "00" });
    for (what, altered) in [
        (
            "the page HMAC",
            original.replace("\"HMAC_SHA256\"", "\"HMAC_SHA512\""),
        ),
        (
            "the page size",
            original.replace("\"cipher_page_size\": 8192", "\"cipher_page_size\": 4096"),
        ),
        (
            "the passes",
            original.replace("\"passes\": 1", "\"passes\": 2"),
        ),
        ("the salt", original.replace(&salt, &other_salt)),
    ] {
        assert_ne!(altered, original, "{what}: the test must change the file");
        std::fs::write(dir.join("profile.key"), &altered).unwrap();
        let db_before = std::fs::read(dir.join("store.db")).unwrap();
        let err = Store::open(&dir, PASS).unwrap_err();
        assert!(
            matches!(err, StoreError::WrongPassphrase),
            "{what}: the tag must fail before the database is read, got {err}"
        );
        assert_eq!(std::fs::read(dir.join("store.db")).unwrap(), db_before);
        assert_eq!(
            std::fs::read_to_string(dir.join("profile.key")).unwrap(),
            altered,
            "{what}: nothing rewritten"
        );
    }
    std::fs::write(dir.join("profile.key"), &original).unwrap();
    Store::open(&dir, PASS).unwrap();
}

#[test]
fn derivation_parameters_out_of_bounds_are_refused_before_deriving() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    Store::create(&dir, PASS, COST).unwrap().close();
    let original = String::from_utf8(std::fs::read(dir.join("profile.key")).unwrap()).unwrap();
    for altered in [
        // 4 TiB of memory: obeying would exhaust the machine.
        original.replace("\"memory_kib\": 8192", "\"memory_kib\": 4294967295"),
        // Cheaper than the minimum.
        original.replace("\"memory_kib\": 8192", "\"memory_kib\": 8"),
        original.replace("\"passes\": 1", "\"passes\": 1000000000"),
        original.replace("\"lanes\": 1", "\"lanes\": 0"),
    ] {
        assert_ne!(altered, original);
        std::fs::write(dir.join("profile.key"), &altered).unwrap();
        let runs = diplomatie_store::kdf_runs();
        let err = Store::open(&dir, PASS).unwrap_err();
        assert!(matches!(err, StoreError::KeyFile(_)), "{err}");
        assert!(err.to_string().contains("outside the accepted"), "{err}");
        assert_eq!(diplomatie_store::kdf_runs(), runs, "nothing derived");
    }
    let params: KdfParams = serde_json::from_str::<serde_json::Value>(&original)
        .map(|v| serde_json::from_value(v["kdf"].clone()).unwrap())
        .unwrap();
    assert_eq!(params.argon2_cost(), Some(KdfCost::MIN));
}

/// The upgrading child: does nothing unless started by the parent test. It copies the legacy
/// fixture into a new folder, says so, opens it (which upgrades it) and says so, again and
/// again.
#[test]
fn kill9_upgrader_child() {
    let Ok(root) = std::env::var(CHILD_DIR) else {
        return;
    };
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let dir = Path::new(&root).join(format!("p{i}"));
        copy_legacy(&dir);
        writeln!(out, "COPIED p{i}").unwrap();
        out.flush().unwrap();
        drop(Store::open(&dir, FIXTURE_PASSPHRASE).unwrap());
        writeln!(out, "UPGRADED p{i}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn a_key_file_upgrade_killed_at_any_instant_leaves_a_profile_that_opens() {
    let tmp = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand::rng();
    let (mut upgraded, mut legacy) = (0, 0);
    for round in 0..12 {
        let root = tmp.path().join(format!("round{round}"));
        std::fs::create_dir(&root).unwrap();
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "kill9_upgrader_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, &root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Every line the child says, as it says it.
        let (said, heard) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            let (mut copied, mut done) = (Vec::new(), Vec::new());
            for line in BufReader::new(stdout).split(b'\n') {
                let Ok(line) = line else { break };
                let line = String::from_utf8_lossy(&line).into_owned();
                if let Some(name) = line.strip_prefix("COPIED ") {
                    copied.push(name.to_owned());
                } else if let Some(name) = line.strip_prefix("UPGRADED ") {
                    done.push(name.to_owned());
                }
                let _ = said.send(line);
            }
            (copied, done)
        });
        // Every other round lets one upgrade finish first, however slow the machine, then
        // kills at a random instant of the next ones; the others kill at a random instant
        // from the start.
        if round % 2 == 1 {
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            loop {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match heard.recv_timeout(left) {
                    Ok(line) if line.starts_with("UPGRADED ") => break,
                    Ok(_) => {}
                    Err(_) => panic!("round {round}: no upgrade finished within a minute"),
                }
            }
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(20..=900)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let (copied, done) = reader.join().unwrap();

        for name in &copied {
            let dir = root.join(name);
            let format = key_json(&dir)["format"].as_u64().unwrap();
            if done.contains(name) {
                assert_eq!(format, 2, "round {round}: {name} acknowledged upgraded");
            }
            if format == 2 {
                upgraded += 1;
            } else {
                legacy += 1;
            }
            let store = Store::open(&dir, FIXTURE_PASSPHRASE)
                .unwrap_or_else(|e| panic!("round {round}: {name} does not open: {e}"));
            assert_eq!(store.item_count().unwrap(), 2, "round {round}, {name}");
            store.verify_integrity().unwrap();
            drop(store);
            assert_eq!(key_json(&dir)["format"], 2, "upgraded once opened");
        }
    }
    assert!(upgraded > 0, "no upgrade finished before a kill");
    assert!(legacy > 0, "every kill came after the upgrade");
}
