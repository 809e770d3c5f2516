#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! A profile is whole or absent whenever its creation is stopped by `kill -9`: the test
//! re-executes its own binary as a child that creates profiles one after the other (each with
//! first records written with the schema), kills it at a random instant and looks at every
//! folder it touched. A folder is a whole profile (it opens, with its records and its audit
//! entry), or nothing was created in it, or its creation is reported as interrupted; never a
//! profile that opens without its records, never damage. Every profile the child acknowledged
//! is whole.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use diplomatie_store::{Page, Store, StoreError};
use rand::Rng;

const CHILD_DIR: &str = "DIPLOMATIE_STORE_KILL9_CREATE_DIR";
const IDENTITY: &[u8] = b"{\"name\":\"Alice\",\"org\":\"Ambassade de France\"}";

/// The creating child: does nothing unless started by the parent test.
#[test]
fn kill9_creator_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let path = Path::new(&dir).join(format!("p{i}"));
        let store = Store::create_with(
            &path,
            PASS,
            COST,
            &[("profile.identity", IDENTITY)],
            Some(&audit()),
        )
        .unwrap();
        drop(store);
        writeln!(out, "CREATED p{i}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn a_profile_killed_while_created_is_whole_or_absent() {
    let tmp = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand::rng();
    let (mut whole, mut cut) = (0, 0);
    // Twenty kills at least, and as many more as a loaded machine needs for more than twenty
    // whole profiles to have been checked (a bound keeps a stuck machine from looping).
    let mut round = 0;
    while round < 20 || whole <= 20 {
        assert!(
            round < 200,
            "only {whole} profiles were created in {round} rounds"
        );
        round += 1;
        let root = tmp.path().join(format!("round{round}"));
        std::fs::create_dir(&root).unwrap();
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "kill9_creator_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, &root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut done = Vec::new();
            for line in BufReader::new(stdout).split(b'\n') {
                let Ok(line) = line else { break };
                if let Some(name) = std::str::from_utf8(&line)
                    .ok()
                    .and_then(|t| t.strip_prefix("CREATED "))
                {
                    done.push(name.to_owned());
                }
            }
            done
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(5..=250)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let acknowledged = reader.join().unwrap();

        for entry in std::fs::read_dir(&root).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            match Store::open(&path, PASS) {
                Ok(store) => {
                    assert_eq!(
                        store.get_meta("profile.identity").unwrap().as_deref(),
                        Some(IDENTITY),
                        "round {round}, {name}: a profile without its records"
                    );
                    assert_eq!(
                        store.audit_log(None, Page::first(10)).unwrap().len(),
                        1,
                        "round {round}, {name}"
                    );
                    store.verify_integrity().unwrap();
                    whole += 1;
                }
                Err(e) => {
                    assert!(
                        !acknowledged.contains(&name),
                        "round {round}: acknowledged {name} does not open: {e}"
                    );
                    assert!(
                        matches!(e, StoreError::NoProfile(_) | StoreError::Unfinished(_)),
                        "round {round}, {name}: {e}"
                    );
                    cut += 1;
                }
            }
        }
        assert!(
            acknowledged.iter().all(|name| root.join(name).is_dir()),
            "round {round}"
        );
    }
    eprintln!("{round} kills: {whole} whole profiles, {cut} creations cut short");
}
