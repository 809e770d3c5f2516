//! Spaces and sync through a real relay (served in this process on 127.0.0.1:0, its data in a
//! temporary folder) with real `diplo` processes on real encrypted profiles: a space made by one,
//! the other added through the relay, an item shared and received, nothing readable left at
//! the relay.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{InProcess, card_line as card, diplo};
use diplomatie_testkit::cli::{json, ok, stderr};

const CANARY_SUBJECT: &str = "CANARI-OBJET-7f3a Entretien avec le ministre";
const CANARY_BODY: &str = "CANARI-CORPS-91be Le ministre a confirmé sa venue.";
const CANARY_SPACE: &str = "CANARI-ESPACE-5c20 Poste de Berlin";

fn init(root: &Path, folder: &str, name: &str, org: &str) -> PathBuf {
    common::init(root, folder, name, org, &[])
}

/// Every file under `dir`, with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// No file under `dir` holds a subject, body, person's or space's name of the tests.
fn assert_no_canary(dir: &Path) {
    for (path, bytes) in files(dir) {
        for canary in [
            CANARY_SUBJECT,
            CANARY_BODY,
            CANARY_SPACE,
            "Alice Lefèvre",
            "Bruno Durand",
        ] {
            assert!(
                !contains(&bytes, canary),
                "{canary} found in {}",
                path.display()
            );
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn an_item_shared_in_a_space_reaches_the_other_member_through_the_relay() {
    let relay = InProcess::start();
    let root = tempfile::tempdir().unwrap();
    let alice = init(root.path(), "alice", "Alice Lefèvre", "BERLIN");
    let bruno = init(root.path(), "bruno", "Bruno Durand", "BERLIN");
    ok(&diplo(&alice, &["contact", "add", &card(&bruno)]));
    ok(&diplo(&bruno, &["contact", "add", &card(&alice)]));

    // Without a relay joined, a sync says what to do.
    let out = diplo(&alice, &["sync"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("relay join"), "{}", stderr(&out));
    // A wrong token is refused, nothing kept.
    let out = diplo(&alice, &["relay", "join", &relay.url, "--token", "00"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    for who in [&alice, &bruno] {
        ok(&diplo(
            who,
            &["relay", "join", &relay.url, "--token", &relay.invite()],
        ));
    }

    let made = json(&diplo(
        &alice,
        &["--json", "space", "create", CANARY_SPACE, "--kind", "unit"],
    ));
    assert_eq!(made["epoch"], 0);
    let report = json(&diplo(&alice, &["--json", "sync"]));
    assert_eq!(report["pending"], 0, "{report}");
    let shown = json(&diplo(
        &alice,
        &["--json", "space", "add", CANARY_SPACE, "Bruno Durand"],
    ));
    assert_eq!(shown["space"]["epoch"], 1);
    assert_eq!(shown["members"].as_array().unwrap().len(), 2);

    let id = ok(&diplo(
        &alice,
        &[
            "compose",
            "telegram",
            "--subject",
            CANARY_SUBJECT,
            "--action",
            "BERLIN",
            "--body",
            CANARY_BODY,
        ],
    ))
    .trim()
    .to_owned();
    // The item, and the space's name for the newcomer (under the epoch he can read).
    // An id that names nothing among those given: nothing is shared.
    let out = diplo(&alice, &["share", &id, "ffffffff", CANARY_SPACE]);
    assert!(!out.status.success(), "{}", stderr(&out));
    let shared = json(&diplo(&alice, &["--json", "share", &id, CANARY_SPACE]));
    assert_eq!(shared["pending"], 2);
    assert_eq!(shared["items"][0], id.as_str());
    let report = json(&diplo(&alice, &["--json", "sync"]));
    assert_eq!(
        (report["delivered"].as_u64(), report["pending"].as_u64()),
        (Some(2), Some(0)),
        "{report}"
    );

    let report = json(&diplo(&bruno, &["--json", "sync"]));
    assert_eq!(report["joined"], 1, "{report}");
    assert_eq!(report["applied"], 2, "{report}");
    assert_eq!(report["before_joining"], 1, "{report}");
    assert!(report["refused"].as_array().unwrap().is_empty(), "{report}");
    let inbox = json(&diplo(&bruno, &["--json", "inbox"]));
    let subjects: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, [CANARY_SUBJECT]);
    let spaces = json(&diplo(&bruno, &["--json", "space", "list"]));
    let spaces = spaces.as_array().unwrap();
    // His own space (made with his profile) and the one he joined.
    assert_eq!(spaces.len(), 2, "{spaces:?}");
    assert_eq!(spaces[0]["kind"], "own");
    assert_eq!(spaces[0]["devices"], 1);
    let joined = &spaces[1];
    assert_eq!(joined["epoch"], 1);
    assert_eq!(joined["devices"], 2);
    assert_eq!(joined["name"], CANARY_SPACE, "named as its members call it");
    assert_eq!(joined["kind"], "unit");

    // Synced again: nothing new, nothing applied twice.
    let report = json(&diplo(&bruno, &["--json", "sync"]));
    assert_eq!(report["applied"], 0, "{report}");
    assert_eq!(
        json(&diplo(&bruno, &["--json", "inbox"]))["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The relay's files hold no subject, body, person's or space's name.
    assert_no_canary(relay.dir.path());
}

#[test]
fn an_item_composed_for_a_contact_is_deposited_into_their_own_space_through_the_relay() {
    let relay = InProcess::start();
    let root = tempfile::tempdir().unwrap();
    let alice = init(root.path(), "alice", "Alice Lefèvre", "PARIS");
    let bruno = init(root.path(), "bruno", "Bruno Durand", "BERLIN");
    // Alice holds Bruno's card; Bruno does not know Alice: they share no space.
    ok(&diplo(&alice, &["contact", "add", &card(&bruno)]));
    for who in [&alice, &bruno] {
        ok(&diplo(
            who,
            &["relay", "join", &relay.url, "--token", &relay.invite()],
        ));
    }
    let composed = json(&diplo(
        &alice,
        &[
            "--json",
            "compose",
            "telegram",
            "--subject",
            CANARY_SUBJECT,
            "--action",
            "Bruno Durand",
            "--info",
            "Carole Inconnue",
            "--body",
            CANARY_BODY,
        ],
    ));
    let delivery = &composed["delivery"];
    assert_eq!(
        delivery["deposited"][0]["name"], "Bruno Durand",
        "{composed}"
    );
    assert_eq!(delivery["deposited"][0]["route"], "action", "{composed}");
    assert_eq!(delivery["unreachable"][0]["addressee"], "Carole Inconnue");
    // Said in words too, on stderr (names to a terminal only); the id alone on stdout.
    let out = diplo(
        &alice,
        &[
            "compose",
            "telegram",
            "--subject",
            "Second",
            "--action",
            "PARIS",
            "--info",
            "Bruno Durand",
            "--body",
            "Texte.",
        ],
    );
    assert!(
        stderr(&out).contains("Remis à un contact"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("Bruno Durand"), "{}", stderr(&out));
    assert_eq!(ok(&out).trim().len(), 36, "{}", ok(&out));

    // Bruno's own space is not at the relay until he syncs: the deposits wait, kept.
    let report = json(&diplo(&alice, &["--json", "sync"]));
    assert_eq!(
        (report["delivered"].as_u64(), report["pending"].as_u64()),
        (Some(0), Some(2)),
        "{report}"
    );
    let report = json(&diplo(&bruno, &["--json", "sync"]));
    assert_eq!(report["applied"], 0, "{report}");
    let report = json(&diplo(&alice, &["--json", "sync"]));
    assert_eq!(
        (report["delivered"].as_u64(), report["pending"].as_u64()),
        (Some(2), Some(0)),
        "{report}"
    );

    let report = json(&diplo(&bruno, &["--json", "sync"]));
    assert_eq!(report["applied"], 2, "{report}");
    assert!(report["refused"].as_array().unwrap().is_empty(), "{report}");
    let inbox = json(&diplo(&bruno, &["--json", "inbox"]));
    let items = inbox["items"].as_array().unwrap();
    let routed: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i["subject"].as_str().unwrap(), i["route"].as_str().unwrap()))
        .collect();
    assert!(routed.contains(&(CANARY_SUBJECT, "action")), "{routed:?}");
    assert!(routed.contains(&("Second", "info")), "{routed:?}");
    assert_eq!(items.len(), 2);
    // Again: nothing applied twice.
    let report = json(&diplo(&bruno, &["--json", "sync"]));
    assert_eq!(report["applied"], 0, "{report}");

    // The relay saw two deposits into a space Alice is not a member of, and nothing readable.
    assert_no_canary(relay.dir.path());
}

#[test]
fn a_newcomer_reads_what_came_before_him_only_in_a_space_whose_history_is_visible() {
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
    // Two spaces, the same story: an item shared, then Bruno added.
    for (space, history) in [("Archives visibles", true), ("Archives closes", false)] {
        let mut args = vec!["space", "create", space, "--kind", "shared"];
        if history {
            args.push("--history");
        }
        ok(&diplo(&alice, &args));
        ok(&diplo(&alice, &["sync"]));
        let id = ok(&diplo(
            &alice,
            &[
                "compose",
                "telegram",
                "--subject",
                space,
                "--action",
                "BERLIN",
                "--body",
                CANARY_BODY,
            ],
        ))
        .trim()
        .to_owned();
        ok(&diplo(&alice, &["share", &id, space]));
        ok(&diplo(&alice, &["sync"]));
        ok(&diplo(&alice, &["space", "add", space, "Bruno Durand"]));
    }
    let report = json(&diplo(&alice, &["--json", "sync"]));
    assert_eq!(report["pending"], 0, "{report}");

    let report = json(&diplo(&bruno, &["--json", "sync"]));
    assert_eq!(report["joined"], 2, "{report}");
    assert!(report["refused"].as_array().unwrap().is_empty(), "{report}");
    // The closed space's first description and item stay unread; the visible one's are read
    // once its earlier keys arrive.
    assert_eq!(report["before_joining"], 2, "{report}");
    let inbox = json(&diplo(&bruno, &["--json", "inbox"]));
    let subjects: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["Archives visibles"]);
    // Nothing more, nothing twice, at the next sync.
    let report = json(&diplo(&bruno, &["--json", "sync"]));
    assert_eq!(report["applied"], 0, "{report}");
    assert_no_canary(relay.dir.path());
}

#[test]
fn an_item_for_a_unit_reaches_every_member_of_its_space_through_its_unit_card() {
    let relay = InProcess::start();
    let root = tempfile::tempdir().unwrap();
    let alice = init(root.path(), "alice", "Alice Lefèvre", "BERLIN");
    let bruno = init(root.path(), "bruno", "Bruno Durand", "BERLIN");
    let carole = init(root.path(), "carole", "Carole Weber", "PARIS");
    ok(&diplo(&alice, &["contact", "add", &card(&bruno)]));
    ok(&diplo(&bruno, &["contact", "add", &card(&alice)]));
    for who in [&alice, &bruno, &carole] {
        ok(&diplo(
            who,
            &["relay", "join", &relay.url, "--token", &relay.invite()],
        ));
    }
    // The post's space, BERLIN: Alice and Bruno.
    ok(&diplo(
        &alice,
        &["space", "create", "BERLIN", "--kind", "unit"],
    ));
    ok(&diplo(&alice, &["sync"]));
    ok(&diplo(&alice, &["space", "add", "BERLIN", "Bruno Durand"]));
    ok(&diplo(&alice, &["sync"]));
    ok(&diplo(&bruno, &["sync"]));
    // Only a unit's space has a card.
    let out = diplo(&alice, &["space", "card", "Alice Lefèvre"]);
    assert!(!out.status.success(), "{}", stderr(&out));

    // Carole, in Paris, holds the unit's card Alice gives; she knows neither of them.
    let unit_card = ok(&diplo(&alice, &["space", "card", "BERLIN"]))
        .lines()
        .last()
        .unwrap()
        .to_owned();
    assert!(unit_card.starts_with("DIPLOMATIE-UNITE:"), "{unit_card}");
    let added = json(&diplo(&carole, &["--json", "contact", "add", &unit_card]));
    assert_eq!(added["name"], "BERLIN");
    assert_eq!(added["issuer"], "Alice Lefèvre");
    assert_eq!(added["issuer_verified"], false);
    let composed = json(&diplo(
        &carole,
        &[
            "--json",
            "compose",
            "telegram",
            "--subject",
            CANARY_SUBJECT,
            "--action",
            "BERLIN",
            "--body",
            CANARY_BODY,
        ],
    ));
    assert_eq!(
        composed["delivery"]["deposited"][0]["name"], "BERLIN",
        "{composed}"
    );
    let report = json(&diplo(&carole, &["--json", "sync"]));
    assert_eq!(report["delivered"], 1, "{report}");

    // Both members have it for action; a second unit card, tampered, is refused.
    for who in [&alice, &bruno] {
        let report = json(&diplo(who, &["--json", "sync"]));
        assert_eq!(report["applied"], 1, "{report}");
        let inbox = json(&diplo(who, &["--json", "inbox"]));
        let items = inbox["items"].as_array().unwrap();
        assert!(
            items
                .iter()
                .any(|i| i["subject"] == CANARY_SUBJECT && i["route"] == "action"),
            "{inbox}"
        );
    }
    let mut tampered = unit_card.clone().into_bytes();
    let at = tampered.len() - 3;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let out = diplo(
        &carole,
        &["contact", "add", &String::from_utf8(tampered).unwrap()],
    );
    assert!(!out.status.success());
    // A member addressing the unit shares into its space directly.
    let composed = json(&diplo(
        &bruno,
        &[
            "--json",
            "compose",
            "telegram",
            "--subject",
            "Compte rendu",
            "--action",
            "BERLIN",
            "--body",
            "Texte.",
        ],
    ));
    assert_eq!(
        composed["delivery"]["deposited"][0]["name"], "BERLIN",
        "{composed}"
    );
    ok(&diplo(&bruno, &["sync"]));
    let report = json(&diplo(&alice, &["--json", "sync"]));
    assert_eq!(report["applied"], 1, "{report}");
    assert_no_canary(relay.dir.path());
}

#[test]
fn an_exchange_folder_moves_into_a_space_and_its_drafts_travel_on_through_a_sync_folder() {
    let root = tempfile::tempdir().unwrap();
    let exchange = root.path().join("echange");
    let folder = root.path().join("cle");
    std::fs::create_dir_all(&exchange).unwrap();
    std::fs::create_dir_all(&folder).unwrap();
    let alice = init(root.path(), "alice", "Alice Lefèvre", "BERLIN");
    let bruno = init(root.path(), "bruno", "Bruno Durand", "BERLIN");
    ok(&diplo(&alice, &["contact", "add", &card(&bruno)]));
    ok(&diplo(&bruno, &["contact", "add", &card(&alice)]));
    // The post's exchange folder, as before spaces: Alice's draft reaches Bruno through it.
    for who in [&alice, &bruno] {
        ok(&diplomatie_testkit::cli::diplo(
            std::path::Path::new(env!("CARGO_BIN_EXE_diplo")),
            who,
            &[
                ("DIPLOMATIE_PASSPHRASE", common::PASS),
                (
                    "DIPLOMATIE_EXCHANGE_PASSPHRASE",
                    "le dossier du poste de Berlin",
                ),
            ],
            &[
                "exchange",
                "join",
                exchange.to_str().unwrap(),
                "--kdf-cost",
                "m=8192,t=1",
            ],
        ));
    }
    let created = json(&diplo(
        &alice,
        &[
            "--json",
            "draft",
            "new",
            "--kind",
            "telegram",
            "--subject",
            "Visite du ministre",
            "--origin",
            "BERLIN",
            "--approver",
            "Bruno Durand",
            "--action",
            "DFAE",
            "--paragraph",
            "Le ministre viendra lundi.",
        ],
    ));
    let id = created["id"].as_str().unwrap().to_owned();
    ok(&diplo(&alice, &["exchange", "publish", &id]));
    ok(&diplo(&bruno, &["exchange", "collect"]));

    // A space of the two through a sync folder.
    let dir = folder.to_str().unwrap();
    ok(&diplo(
        &alice,
        &["space", "create", "Circuit", "--kind", "circuit"],
    ));
    ok(&diplo(&bruno, &["sync", "--folder", dir]));
    ok(&diplo(&alice, &["sync", "--folder", dir]));
    ok(&diplo(
        &alice,
        &["space", "add", "Circuit", "Bruno Durand", "--folder", dir],
    ));
    ok(&diplo(&alice, &["sync", "--folder", dir]));
    ok(&diplo(&bruno, &["sync", "--folder", dir]));
    // A space that does not exist: nothing moves, the folder stays joined.
    let out = diplo(&alice, &["exchange", "migrate", "Nulle part"]);
    assert!(!out.status.success());
    ok(&diplo(&alice, &["exchange", "collect"]));

    for who in [&alice, &bruno] {
        let moved = json(&diplo(who, &["--json", "exchange", "migrate", "Circuit"]));
        assert_eq!(moved["drafts"][0], id.as_str(), "{moved}");
        // Left: the folder is no longer this profile's.
        let out = diplo(who, &["exchange", "collect"]);
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("no exchange folder"),
            "{}",
            stderr(&out)
        );
    }
    // From now on the draft travels through the space.
    ok(&diplo(&alice, &["sync", "--folder", dir]));
    ok(&diplo(&bruno, &["sync", "--folder", dir]));
    ok(&diplo(
        &alice,
        &["draft", "set", &id, "subject", "Visite du ministre, lundi"],
    ));
    ok(&diplo(&alice, &["sync", "--folder", dir]));
    let report = json(&diplo(&bruno, &["--json", "sync", "--folder", dir]));
    assert!(report["refused"].as_array().unwrap().is_empty(), "{report}");
    let shown = json(&diplo(&bruno, &["--json", "draft", "show", &id]));
    assert_eq!(
        shown["view"]["fields"]["subject"], "Visite du ministre, lundi",
        "{shown}"
    );
}

/// Syncs each of `who` once, in order, and checks nothing was refused.
fn sync_all(who: &[&PathBuf]) {
    for p in who {
        let report = json(&diplo(p, &["--json", "sync"]));
        assert!(report["refused"].as_array().unwrap().is_empty(), "{report}");
    }
}

#[test]
fn a_draft_is_cleared_approved_and_released_across_three_profiles_through_the_relay() {
    let relay = InProcess::start();
    let root = tempfile::tempdir().unwrap();
    let alice = init(root.path(), "alice", "Alice", "BERLIN");
    let bruno = init(root.path(), "bruno", "Bruno", "BERLIN");
    let dora = init(root.path(), "dora", "Dora", "BERLIN");
    let people = [&alice, &bruno, &dora];
    for p in people {
        for other in people {
            if p != other {
                ok(&diplo(p, &["contact", "add", &card(other)]));
            }
        }
        ok(&diplo(
            p,
            &["relay", "join", &relay.url, "--token", &relay.invite()],
        ));
    }
    ok(&diplo(
        &alice,
        &["space", "create", "Circuit", "--kind", "circuit"],
    ));
    sync_all(&[&alice]);
    ok(&diplo(&alice, &["space", "add", "Circuit", "Bruno"]));
    ok(&diplo(&alice, &["space", "add", "Circuit", "Dora"]));

    let created = json(&diplo(
        &alice,
        &[
            "--json",
            "draft",
            "new",
            "--kind",
            "telegram",
            "--subject",
            "Visite du ministre",
            "--origin",
            "BERLIN",
            "--approver",
            "Dora",
            "--clearer",
            "Bruno",
            "--action",
            "DFAE",
            "--paragraph",
            "Le ministre viendra lundi.",
        ],
    ));
    let id = created["id"].as_str().unwrap().to_owned();
    ok(&diplo(&alice, &["draft", "share", &id, "Circuit"]));
    ok(&diplo(&alice, &["draft", "submit", &id]));
    sync_all(&[&alice, &bruno, &dora]);

    // Bruno edits and clears on his machine; Alice's concurrent edit merges.
    let shown = json(&diplo(&bruno, &["--json", "draft", "show", &id]));
    assert_eq!(shown["stage"], "in_clearance");
    ok(&diplo(&bruno, &["clear", &id, "--comment", "Bon"]));
    sync_all(&[&bruno, &alice, &dora]);
    let at_dora = json(&diplo(&dora, &["--json", "draft", "show", &id]));
    assert_eq!(at_dora["stage"], "ready_for_approval", "{at_dora}");

    ok(&diplo(&dora, &["approve", &id]));
    let register = root.path().join("register.json");
    let released = json(&diplo(
        &dora,
        &[
            "--json",
            "release",
            &id,
            "--register",
            register.to_str().unwrap(),
        ],
    ));
    let item = released["item"].as_str().unwrap().to_owned();
    sync_all(&[&dora, &alice, &bruno]);

    // Every replica verifies the release against Dora's device.
    let dora_identity = json(&diplo(&dora, &["--json", "identity"]))["identity"].clone();
    for p in [&alice, &bruno] {
        let verified = json(&diplo(p, &["--json", "verify", &item]));
        assert_eq!(verified["approver"], "Dora", "{verified}");
        assert_eq!(verified["signer_identity"], dora_identity);
        assert_eq!(verified["clearers"], serde_json::json!(["Bruno"]));
        let state = json(&diplo(p, &["--json", "draft", "show", &id]));
        assert_eq!(state["stage"], "released", "{state}");
    }
}

#[test]
fn a_sync_folder_carries_spaces_and_items_without_a_relay_and_refuses_a_tampered_file() {
    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join("clé-usb");
    std::fs::create_dir(&folder).unwrap();
    let dir = folder.to_str().unwrap();
    let alice = init(root.path(), "alice", "Alice Lefèvre", "BERLIN");
    let bruno = init(root.path(), "bruno", "Bruno Durand", "BERLIN");
    ok(&diplo(&alice, &["contact", "add", &card(&bruno)]));
    ok(&diplo(&bruno, &["contact", "add", &card(&alice)]));

    // A folder holding something else is refused, nothing written.
    let other = root.path().join("autre");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "à garder").unwrap();
    let out = diplo(&alice, &["sync", "--folder", other.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not a sync folder"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);

    ok(&diplo(&alice, &["space", "create", CANARY_SPACE]));
    ok(&diplo(&alice, &["sync", "--folder", dir]));
    ok(&diplo(&bruno, &["sync", "--folder", dir]));
    let shown = json(&diplo(
        &alice,
        &[
            "--json",
            "space",
            "add",
            CANARY_SPACE,
            "Bruno Durand",
            "--folder",
            dir,
        ],
    ));
    assert_eq!(shown["space"]["epoch"], 1);

    let compose = |subject: &str| {
        ok(&diplo(
            &alice,
            &[
                "compose",
                "telegram",
                "--subject",
                subject,
                "--action",
                "BERLIN",
                "--body",
                CANARY_BODY,
            ],
        ))
        .trim()
        .to_owned()
    };
    let first = compose(CANARY_SUBJECT);
    ok(&diplo(&alice, &["share", &first, CANARY_SPACE]));
    let report = json(&diplo(&alice, &["--json", "sync", "--folder", dir]));
    assert_eq!(report["pending"], 0, "{report}");
    let second = compose("Deuxième télégramme");
    ok(&diplo(&alice, &["share", &second, CANARY_SPACE]));
    ok(&diplo(&alice, &["sync", "--folder", dir]));

    // One byte of Alice's second envelope flipped on the drive.
    let mut envelopes: Vec<PathBuf> = files(&folder)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.extension().is_some_and(|e| e == "env"))
        .collect();
    envelopes.sort();
    // The space's name at its creation and after Bruno's addition, then the two items.
    assert_eq!(envelopes.len(), 4);
    let mut bytes = std::fs::read(&envelopes[3]).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&envelopes[3], bytes).unwrap();

    let report = json(&diplo(&bruno, &["--json", "sync", "--folder", dir]));
    assert_eq!(report["joined"], 1, "{report}");
    // The first item and the space's name; the second item refused; the name sent at the
    // space's creation is history from before Bruno joined.
    assert_eq!(report["applied"], 2, "{report}");
    assert_eq!(report["before_joining"], 1, "{report}");
    assert_eq!(report["refused"].as_array().unwrap().len(), 1, "{report}");
    let inbox = json(&diplo(&bruno, &["--json", "inbox"]));
    let subjects: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, [CANARY_SUBJECT]);

    // Nothing readable on the drive.
    assert_no_canary(&folder);
}

#[test]
fn sync_watch_wakes_when_the_relay_says_something_moved() {
    use std::io::BufRead;
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

    // Bruno watches with a two-minute wait between syncs at most.
    let mut watching = common::diplo_command(&bruno, &["sync", "--watch", "--every", "120"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let out = watching.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // The first sync, then the wait.
    let first = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert!(first.contains("Synced"), "{first}");
    std::thread::sleep(Duration::from_secs(1));
    ok(&diplo(
        &alice,
        &[
            "compose",
            "telegram",
            "--subject",
            "Réveil",
            "--action",
            "BERLIN",
            "--body",
            "Texte.",
        ],
    ));
    ok(&diplo(&alice, &["sync"]));
    // Received well before the two minutes: the relay's news woke the watch.
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => seen.push(line),
            Err(_) if seen.iter().any(|l| l.contains("1 reçu")) => break,
            Err(_) => {}
        }
    }
    let _ = watching.kill();
    let _ = watching.wait();
    assert!(seen.iter().any(|l| l.contains("1 reçu")), "{seen:?}");
    // Woken by news, not turning in a loop: a handful of syncs at most.
    assert!(seen.len() <= 3, "{seen:?}");
}
