//! A person's devices through a real relay (served in this process on 127.0.0.1:0) with real
//! `diplo` processes on real encrypted profiles: a second device linked with the code the
//! first shows, after comparing the same four words on both, gets the whole history and is a
//! member of every space; a wrong code hands nothing over, a code serves once; a revoked device
//! gets nothing new and cannot push.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{InProcess, card_line as card, diplo, diplo_command};
use diplomatie_testkit::cli::{json, ok, stderr};

const KDF: &str = "m=8192,t=1";

fn init(root: &Path, folder: &str, name: &str, org: &str) -> PathBuf {
    common::init(root, folder, name, org, &[])
}

fn telegram(who: &Path, subject: &str, to: &str) {
    ok(&diplo(
        who,
        &[
            "compose",
            "telegram",
            "--subject",
            subject,
            "--action",
            to,
            "--body",
            "Texte.",
        ],
    ));
}

fn subjects(who: &Path) -> Vec<String> {
    let inbox = json(&diplo(who, &["--json", "inbox", "--limit", "200"]));
    let mut all: Vec<String> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap().to_owned())
        .collect();
    all.sort();
    all
}

/// A `diplo` process whose stdin, stdout and stderr the test holds, their lines read on
/// threads.
struct Running {
    child: Child,
    out: mpsc::Receiver<String>,
    err: mpsc::Receiver<String>,
}

fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn spawn(profile: &Path, args: &[&str]) -> Running {
    let mut child = diplo_command(profile, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = lines(child.stdout.take().unwrap());
    let err = lines(child.stderr.take().unwrap());
    Running { child, out, err }
}

impl Running {
    /// The first line of `stream` that contains `mark`, within a minute.
    fn line_with(stream: &mpsc::Receiver<String>, mark: &str, seen: &mut Vec<String>) -> String {
        loop {
            match stream.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if line.contains(mark) => return line,
                Ok(line) => seen.push(line),
                Err(_) => panic!("no line with {mark:?}; seen: {seen:?}"),
            }
        }
    }

    fn out_line(&self, mark: &str) -> String {
        Running::line_with(&self.out, mark, &mut Vec::new())
    }

    fn err_line(&self, mark: &str) -> String {
        Running::line_with(&self.err, mark, &mut Vec::new())
    }

    fn answer(&mut self, text: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(text.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for the process; its exit status and what is left of stdout and stderr.
    fn finish(mut self) -> (bool, String, String) {
        let status = self.child.wait().unwrap();
        let rest = |rx: &mpsc::Receiver<String>| {
            let mut text = String::new();
            while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
                text.push_str(&line);
                text.push('\n');
            }
            text
        };
        (status.success(), rest(&self.out), rest(&self.err))
    }
}

/// The words line a process shows ("Mots / Words: a b c d …").
fn words(line: &str) -> String {
    line.split("Words:").nth(1).unwrap().trim().to_owned()
}

#[test]
fn a_linked_device_gets_the_whole_history_and_a_revoked_one_nothing_more() {
    let relay = InProcess::start();
    let root = tempfile::tempdir().unwrap();
    let alice = init(root.path(), "alice", "Alice Lefèvre", "BERLIN");
    let bruno = init(root.path(), "bruno", "Bruno Durand", "BERLIN");
    ok(&diplo(&alice, &["contact", "add", &card(&bruno)]));
    ok(&diplo(&bruno, &["contact", "add", &card(&alice)]));
    for who in [&alice, &bruno] {
        ok(&diplo(
            who,
            &["relay", "join", &relay.url, "--token", &relay.invite()],
        ));
    }
    ok(&diplo(
        &alice,
        &["space", "create", "BERLIN", "--kind", "unit"],
    ));
    ok(&diplo(&alice, &["sync"]));
    ok(&diplo(&alice, &["space", "add", "BERLIN", "Bruno Durand"]));
    ok(&diplo(&alice, &["sync"]));
    ok(&diplo(&bruno, &["sync"]));
    // Alice's history: an item she keeps to herself, one shared in the post's space by Bruno,
    // one Bruno deposited into her own space.
    ok(&diplo(
        &alice,
        &[
            "compose",
            "telegram",
            "--subject",
            "Gardé pour soi",
            "--action",
            "DFAE",
            "--body",
            "Texte.",
        ],
    ));
    telegram(&bruno, "Pour le poste", "BERLIN");
    telegram(&bruno, "Pour Alice", "Alice Lefèvre");
    ok(&diplo(&bruno, &["sync"]));
    ok(&diplo(&alice, &["sync"]));
    let history = subjects(&alice);
    assert_eq!(history.len(), 3, "{history:?}");
    // And demo correspondence, some of it with attachments whose bytes are not stored.
    ok(&diplo(&alice, &["demo", "--items", "40"]));
    let everything = json(&diplo(&alice, &["--json", "inbox", "--limit", "200"]))["items"]
        .as_array()
        .unwrap()
        .len();

    // A wrong code: the first device refuses it, nothing is handed over, no profile is made.
    let first = spawn(&alice, &["link-device", "--timeout", "60"]);
    let code = first.out_line("DIPLOMATIE-LIEN:");
    let (stem, password) = code.rsplit_once('-').unwrap();
    let flipped = if password.starts_with('A') { "B" } else { "A" };
    let wrong = format!("{stem}-{flipped}{}", &password[1..]);
    let intruder = root.path().join("intrus");
    let mut new = spawn(
        &intruder,
        &[
            "link",
            "--code",
            &wrong,
            "--label",
            "Intrus",
            "--kdf-cost",
            KDF,
            "--timeout",
            "5",
        ],
    );
    new.err_line("Words:");
    new.answer("oui\n");
    let (linked, _, err) = first.finish();
    assert!(!linked);
    assert!(err.contains("did not give this code"), "{err}");
    let (made, _, _) = new.finish();
    assert!(!made);
    assert!(
        !intruder.exists() || std::fs::read_dir(&intruder).unwrap().next().is_none(),
        "a profile was made with a wrong code"
    );

    // The right code: the same words on both screens, confirmed on both.
    let mut first = spawn(&alice, &["--json", "link-device", "--timeout", "60"]);
    let code = first.out_line("DIPLOMATIE-LIEN:");
    let second = root.path().join("alice-portable");
    let mut new = spawn(
        &second,
        &[
            "--json",
            "link",
            "--code",
            &code,
            "--label",
            "Portable",
            "--kdf-cost",
            KDF,
            "--timeout",
            "60",
        ],
    );
    let on_new = words(&new.err_line("Words:"));
    let on_first = words(&first.err_line("Words:"));
    assert_eq!(on_new, on_first);
    assert_eq!(on_new.split(' ').count(), 4, "{on_new}");
    new.answer("oui\n");
    first.answer("oui\n");
    let (linked, out, err) = first.finish();
    assert!(linked, "{out}\n{err}");
    let done: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(done["label"], "Portable", "{done}");
    assert_eq!(done["spaces"], 2, "{done}");
    let (made, out, err) = new.finish();
    assert!(made, "{out}\n{err}");

    // The new device: its own certificate (not the first device's keys), every space, the
    // whole history.
    let theirs = json(&diplo(&alice, &["--json", "identity"]));
    let listed = json(&diplo(&alice, &["--json", "devices"]));
    let devices = listed.as_array().unwrap();
    assert_eq!(devices.len(), 2, "{listed}");
    assert!(
        devices
            .iter()
            .any(|d| d["label"] == "Portable" && d["this_device"] == false)
    );
    let mine = json(&diplo(&second, &["--json", "identity"]));
    assert_eq!(mine["identity"], theirs["identity"], "one identity");
    let first_device = devices.iter().find(|d| d["this_device"] == true).unwrap();
    assert_ne!(mine["device"], first_device["device"], "{mine}");
    assert!(
        devices.iter().any(|d| d["device"] == mine["device"]),
        "{listed}"
    );
    assert_eq!(mine["devices"], 2, "{mine}");
    let spaces = json(&diplo(&second, &["--json", "space", "list"]));
    assert_eq!(spaces.as_array().unwrap().len(), 2, "{spaces}");
    ok(&diplo(&second, &["sync"]));
    let theirs = subjects(&second);
    for subject in &history {
        assert!(theirs.contains(subject), "{subject} not on the new device");
    }
    // Every item but those whose attachments are not stored (left out, and said so).
    let left_out = done["items_left_out"].as_u64().unwrap() as usize;
    assert!(left_out > 0, "{done}");
    let received = json(&diplo(&second, &["--json", "inbox", "--limit", "200"]))["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(received + left_out, everything, "{done}");

    // The code served once.
    let again = diplo(
        &root.path().join("encore"),
        &["link", "--code", &code, "--kdf-cost", KDF, "--timeout", "3"],
    );
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("start linking again"),
        "{}",
        stderr(&again)
    );

    // Bruno takes the new card from the space: what the new device writes reaches him.
    ok(&diplo(&bruno, &["sync"]));
    telegram(&second, "Du portable", "BERLIN");
    ok(&diplo(&second, &["sync"]));
    let report = json(&diplo(&bruno, &["--json", "sync"]));
    assert!(report["refused"].as_array().unwrap().is_empty(), "{report}");
    assert!(subjects(&bruno).contains(&"Du portable".to_owned()));
    // And the first device reads it too.
    ok(&diplo(&alice, &["sync"]));
    assert!(subjects(&alice).contains(&"Du portable".to_owned()));

    // Revoked from the first device: the relay refuses it, it gets nothing new, cannot push.
    let revoked = json(&diplo(&alice, &["--json", "devices", "revoke", "Portable"]));
    assert!(revoked["revoked"].is_string(), "{revoked}");
    telegram(&alice, "Après la révocation", "BERLIN");
    ok(&diplo(&alice, &["sync"]));
    telegram(&second, "Du portable révoqué", "BERLIN");
    let out = diplo(&second, &["sync"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
    assert!(!subjects(&second).contains(&"Après la révocation".to_owned()));
    ok(&diplo(&bruno, &["sync"]));
    let held = subjects(&bruno);
    assert!(held.contains(&"Après la révocation".to_owned()));
    assert!(!held.contains(&"Du portable révoqué".to_owned()));
    let listed = json(&diplo(&alice, &["--json", "devices"]));
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["label"] == "Portable" && d["revoked"].is_string()),
        "{listed}"
    );
    // Again later (every process restarted): still refused.
    let out = diplo(&second, &["sync"]);
    assert!(!out.status.success());
}

#[test]
fn a_link_code_expires() {
    let relay = InProcess::start_with(|c| c.link_ttl = Duration::from_secs(2));
    let root = tempfile::tempdir().unwrap();
    let alice = init(root.path(), "alice", "Alice Lefèvre", "BERLIN");
    ok(&diplo(
        &alice,
        &["relay", "join", &relay.url, "--token", &relay.invite()],
    ));
    let first = spawn(&alice, &["link-device", "--timeout", "4"]);
    let code = first.out_line("DIPLOMATIE-LIEN:");
    std::thread::sleep(Duration::from_secs(3));
    let late = root.path().join("trop-tard");
    let out = diplo(
        &late,
        &["link", "--code", &code, "--kdf-cost", KDF, "--timeout", "3"],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("start linking again"),
        "{}",
        stderr(&out)
    );
    assert!(!late.exists() || std::fs::read_dir(&late).unwrap().next().is_none());
    let (linked, _, _) = first.finish();
    assert!(!linked);
}
