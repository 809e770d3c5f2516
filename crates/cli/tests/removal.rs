//! Removal from a space through a real relay (served in this process on 127.0.0.1:0) with real
//! `diplo` processes on real encrypted profiles: the removed member, holding every key it ever
//! had, opens nothing created after its removal, whoever created it (a member who was offline
//! when it happened, the member who removed it, a depositor holding a card from before); added
//! again, it reads only what comes after, until a member re-shares the history.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};

use common::{InProcess, PASS, card_line as card, diplo};
use diplomatie_crypto::SecretKey;
use diplomatie_protocol::{ContactCard, DepositSecret, Envelope, SpaceId};
use diplomatie_testkit::cli::{json, ok, stderr};

fn init(root: &Path, folder: &str, name: &str, org: &str) -> PathBuf {
    common::init(root, folder, name, org, &[])
}

/// Composes a telegram for action to `to`, delivered at the next sync.
fn telegram(who: &Path, subject: &str, to: &str) {
    let composed = json(&diplo(
        who,
        &[
            "--json",
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
    assert_eq!(
        composed["delivery"]["deposited"][0]["name"], to,
        "{composed}"
    );
}

fn sync(who: &Path) -> serde_json::Value {
    json(&diplo(who, &["--json", "sync"]))
}

fn subjects(who: &Path) -> Vec<String> {
    let inbox = json(&diplo(who, &["--json", "inbox"]));
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap().to_owned())
        .collect()
}

/// Every epoch key of every space `profile`'s encrypted store holds, read from the file, and
/// the first epoch it holds of `space`.
fn keys_held(profile: &Path, space: SpaceId) -> (Vec<SecretKey>, u64) {
    let store = diplomatie_store::Store::open(profile, PASS).unwrap();
    let mut ids: Vec<[u8; 16]> = store.spaces().unwrap().iter().map(|s| s.id).collect();
    ids.extend(store.left_spaces().unwrap().iter().map(|(s, _)| s.id));
    let first = store.space_epoch_keys(&space.0).unwrap()[0].0;
    let keys = ids
        .iter()
        .flat_map(|id| store.space_epoch_keys(id).unwrap())
        .map(|(_, key)| SecretKey::from_bytes(*key))
        .collect();
    (keys, first)
}

/// The envelopes of `space` in the relay's database, in log order: `(seq, bytes)`.
fn relay_envelopes(relay: &InProcess, space: SpaceId) -> Vec<(u64, Vec<u8>)> {
    let db = rusqlite::Connection::open(relay.dir.path().join("relay.sqlite")).unwrap();
    let mut statement = db
        .prepare("SELECT seq, bytes FROM envelopes WHERE space = ?1 ORDER BY seq")
        .unwrap();
    statement
        .query_map([space.0.as_slice()], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Whether any of `keys` opens `bytes`: as a member's envelope, with each key as the epoch
/// key (the sender's certificate taken from `cards`); as a deposit, with the deposit key pair
/// each key gives for the envelope's space and epoch.
fn opens_with_any(bytes: &[u8], keys: &[SecretKey], cards: &[ContactCard]) -> bool {
    let envelope = Envelope::decode(bytes).unwrap();
    let header = envelope.header();
    if envelope.is_deposit() {
        return keys.iter().any(|key| {
            let secret = DepositSecret::derive(header.space, header.epoch, key).unwrap();
            envelope.open_deposit(&secret).is_ok()
        });
    }
    let sender = cards
        .iter()
        .find_map(|c| c.device(header.sender))
        .expect("every member's card is known to the test");
    keys.iter().any(|key| envelope.open(sender, key).is_ok())
}

#[test]
fn a_removed_member_opens_nothing_sent_after_and_reads_it_again_only_when_history_is_reshared() {
    let relay = InProcess::start();
    let root = tempfile::tempdir().unwrap();
    let alice = init(root.path(), "alice", "Alice Lefèvre", "BERLIN");
    let bruno = init(root.path(), "bruno", "Bruno Durand", "BERLIN");
    let carole = init(root.path(), "carole", "Carole Weber", "BERLIN");
    let denis = init(root.path(), "denis", "Denis Martin", "PARIS");
    for (who, others) in [
        (&alice, [&bruno, &carole]),
        (&bruno, [&alice, &carole]),
        (&carole, [&alice, &bruno]),
    ] {
        for other in others {
            ok(&diplo(who, &["contact", "add", &card(other)]));
        }
    }
    for who in [&alice, &bruno, &carole, &denis] {
        ok(&diplo(
            who,
            &["relay", "join", &relay.url, "--token", &relay.invite()],
        ));
    }
    // The post's space, BERLIN: Alice, Bruno, Carole. Denis, in Paris, holds its unit card.
    ok(&diplo(
        &alice,
        &["space", "create", "BERLIN", "--kind", "unit"],
    ));
    ok(&diplo(&alice, &["sync"]));
    ok(&diplo(&alice, &["space", "add", "BERLIN", "Bruno Durand"]));
    ok(&diplo(&alice, &["space", "add", "BERLIN", "Carole Weber"]));
    for who in [&alice, &bruno, &carole] {
        ok(&diplo(who, &["sync"]));
    }
    let shown = json(&diplo(&alice, &["--json", "space", "show", "BERLIN"]));
    let space = SpaceId::from_hex(shown["space"]["id"].as_str().unwrap()).unwrap();
    let unit_card = ok(&diplo(&alice, &["space", "card", "BERLIN"]))
        .lines()
        .last()
        .unwrap()
        .to_owned();
    ok(&diplo(&denis, &["contact", "add", &unit_card]));

    // Before the removal: one item from a member, one deposited; Carole reads both.
    telegram(&alice, "Avant, d'Alice", "BERLIN");
    telegram(&denis, "Avant, de Denis", "BERLIN");
    ok(&diplo(&alice, &["sync"]));
    assert_eq!(sync(&denis)["delivered"], 1);
    for who in [&alice, &bruno, &carole] {
        sync(who);
    }
    let before: Vec<String> = vec!["Avant, d'Alice".into(), "Avant, de Denis".into()];
    for subject in &before {
        assert!(subjects(&carole).contains(subject), "{subject}");
    }
    let head_before = relay_envelopes(&relay, space).last().unwrap().0;

    // Bruno, offline, writes for the post; then Alice removes Carole.
    telegram(&bruno, "Après, de Bruno hors ligne", "BERLIN");
    let removed = json(&diplo(
        &alice,
        &["--json", "space", "remove", "BERLIN", "Carole Weber"],
    ));
    let members = removed["members"].as_array().unwrap();
    assert_eq!(members.len(), 2, "{removed}");
    assert!(members.iter().all(|m| m["name"] != "Carole Weber"));
    // Carole is no member to remove twice; a stranger neither.
    let out = diplo(&alice, &["space", "remove", "BERLIN", "Carole Weber"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not a member"), "{}", stderr(&out));

    // After: Alice writes, Bruno's first sync sends under the new epoch, Denis deposits with
    // the card he holds from before (its key is refused by the relay: the client takes the
    // new one Alice published, signed by her device).
    telegram(&alice, "Après, d'Alice", "BERLIN");
    telegram(&denis, "Après, de Denis", "BERLIN");
    for who in [&alice, &bruno, &denis] {
        let report = sync(who);
        assert_eq!(report["pending"], 0, "{report}");
        assert!(report["refused"].as_array().unwrap().is_empty(), "{report}");
    }
    sync(&alice);
    let after: Vec<String> = vec![
        "Après, de Bruno hors ligne".into(),
        "Après, d'Alice".into(),
        "Après, de Denis".into(),
    ];
    for subject in &after {
        assert!(subjects(&alice).contains(subject), "{subject}");
    }

    // Carole holds every key she ever had and her relay credentials. Everything sent after
    // the removal, taken straight from the relay's database, opens with none of them; what
    // came before opens (the test can tell).
    let (held, joined) = keys_held(&carole, space);
    assert!(held.len() >= 2, "{}", held.len());
    let cards: Vec<ContactCard> = [&alice, &bruno, &carole]
        .iter()
        .map(|p| ContactCard::from_line(&card(p)).unwrap())
        .collect();
    let envelopes = relay_envelopes(&relay, space);
    let (old, new): (Vec<_>, Vec<_>) = envelopes.iter().partition(|(seq, _)| *seq <= head_before);
    assert!(new.len() >= 3, "{}", new.len());
    assert!(
        new.iter()
            .any(|(_, b)| Envelope::decode(b).unwrap().is_deposit()),
        "a deposit is among what was sent after"
    );
    let while_member: Vec<_> = old
        .iter()
        .filter(|(_, b)| Envelope::decode(b).unwrap().header().epoch >= joined)
        .collect();
    assert!(while_member.len() >= 2, "{}", while_member.len());
    assert!(
        while_member
            .iter()
            .all(|(_, b)| opens_with_any(b, &held, &cards))
    );
    let opened_after: Vec<u64> = new
        .iter()
        .filter(|(_, b)| opens_with_any(b, &held, &cards))
        .map(|(seq, _)| *seq)
        .collect();
    assert!(
        opened_after.is_empty(),
        "opened after removal: {opened_after:?}"
    );
    // Bruno was offline at the removal: what he wrote went under the new epoch.
    let removal_epoch =
        json(&diplo(&alice, &["--json", "space", "show", "BERLIN"]))["space"]["epoch"]
            .as_u64()
            .unwrap();
    for (_, bytes) in &new {
        let envelope = Envelope::decode(bytes).unwrap();
        if !envelope.is_deposit() {
            assert_eq!(envelope.header().epoch, removal_epoch);
        }
    }

    // Carole's own sync: told she was removed, she gets nothing new and keeps what she had.
    let report = sync(&carole);
    assert_eq!(report["removed"], 1, "{report}");
    let listed = json(&diplo(&carole, &["--json", "space", "list"]));
    let berlin = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == space.hex())
        .unwrap()
        .clone();
    assert!(berlin["removed_at"].is_string(), "{listed}");
    let held_now = subjects(&carole);
    for subject in &before {
        assert!(held_now.contains(subject), "{subject}");
    }
    for subject in &after {
        assert!(!held_now.contains(subject), "{subject}");
    }
    // She can no longer write to it.
    let out = diplo(&carole, &["space", "remove", "BERLIN", "Bruno Durand"]);
    assert!(!out.status.success());

    // Added again: she reads what comes next, not what was sent while she was out.
    ok(&diplo(&alice, &["space", "add", "BERLIN", "Carole Weber"]));
    telegram(&alice, "De retour", "BERLIN");
    ok(&diplo(&alice, &["sync"]));
    let report = sync(&carole);
    assert_eq!(report["joined"], 1, "{report}");
    let held_now = subjects(&carole);
    assert!(held_now.contains(&"De retour".to_owned()), "{held_now:?}");
    for subject in &after {
        assert!(
            !held_now.contains(subject),
            "{subject} read without its history"
        );
    }
    // Until Alice re-shares the history explicitly.
    let shared = json(&diplo(
        &alice,
        &["--json", "space", "share-history", "BERLIN"],
    ));
    assert!(shared["epochs"].as_u64().unwrap() >= 2, "{shared}");
    ok(&diplo(&alice, &["sync"]));
    sync(&carole);
    let held_now = subjects(&carole);
    for subject in &after {
        assert!(
            held_now.contains(subject),
            "{subject} not read once re-shared"
        );
    }
}
