#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! An item acknowledged by `put_item` survives `kill -9` at any instant. The test re-executes
//! its own binary as a writer child (selected by an environment variable), reads the ids the
//! child prints after each acknowledged put, kills it with SIGKILL at a random instant and
//! checks the store.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use diplomatie_domain::{AttachmentMeta, ItemId};
use diplomatie_store::{NewItem, Page, Store};
use rand::Rng;

const CHILD_DIR: &str = "DIPLOMATIE_STORE_KILL9_CHILD_DIR";

/// The writer child: does nothing unless started by the parent test.
#[test]
fn kill9_writer_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let store = Store::open(Path::new(&dir), PASS).unwrap();
    let mut out = std::io::stdout().lock();
    let big = vec![0x5au8; 20_000];
    for i in 0u64.. {
        let item = telegram(&format!("Sujet {i}"), &"Le Conseil a délibéré. ".repeat(20));
        let meta = AttachmentMeta {
            name: "annexe.bin".into(),
            content_type: "application/octet-stream".into(),
            size: big.len() as u64,
            sha256: "00".into(),
        };
        let attachments = [(meta, big.as_slice())];
        let new = NewItem {
            attachments: if i % 5 == 0 { &attachments } else { &[] },
            ..NewItem::new(&item)
        };
        store.put_item(&new, &audit()).unwrap();
        // Acknowledged: only now is the id printed.
        writeln!(out, "ACK {}", item.id).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn acknowledged_items_survive_kill_9() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    drop(Store::create(&dir, PASS, COST).unwrap());
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let mut rng = rand::rng();
    let mut acknowledged: Vec<ItemId> = Vec::new();
    let rounds = 50;
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "kill9_writer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut ids = Vec::new();
            let mut reader = BufReader::new(stdout);
            let mut line = Vec::new();
            loop {
                line.clear();
                if reader.read_until(b'\n', &mut line).unwrap() == 0 {
                    break;
                }
                // A line cut by the kill has no newline: not acknowledged.
                let Some(text) = line.strip_suffix(b"\n") else {
                    break;
                };
                if let Some(id) = std::str::from_utf8(text)
                    .ok()
                    .and_then(|t| t.strip_prefix("ACK "))
                {
                    ids.push(id.parse::<ItemId>().unwrap());
                }
            }
            ids
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(5..=300)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let ids = reader.join().unwrap();

        let store = Store::open(&dir, PASS)
            .unwrap_or_else(|e| panic!("round {round}: the store does not open: {e}"));
        for id in ids.iter().chain(&acknowledged) {
            assert!(
                store.get_item(*id).unwrap().is_some(),
                "round {round}: acknowledged item {id} lost"
            );
        }
        acknowledged.extend(ids);
        store.verify_integrity().unwrap();
        // Every item has its audit entry and no entry lacks its item: one transaction.
        let items = store.item_count().unwrap();
        let audit = store.audit_log(None, Page::first(u32::MAX)).unwrap();
        assert_eq!(audit.len() as u64, items, "round {round}");
        for entry in &audit {
            assert!(store.get_item(entry.item.unwrap()).unwrap().is_some());
        }
    }
    assert!(
        acknowledged.len() > rounds,
        "the writer acknowledged only {} items in {rounds} rounds",
        acknowledged.len()
    );
    eprintln!(
        "{rounds} kills, {} acknowledged items kept, {:?}",
        acknowledged.len(),
        started.elapsed()
    );
}
