//! `diplo identity` and `diplo contact` on real profiles: cards exchanged, safety numbers
//! compared, verification that survives restarts, key changes surfaced and never accepted
//! silently, people with the same name told apart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::diplo;
use diplomatie_testkit::cli::{json, ok, stderr};

fn init(root: &Path, folder: &str, name: &str, org: &str) -> PathBuf {
    common::init(root, folder, name, org, &["--role", "Premier secrétaire"])
}

fn card(profile: &Path) -> String {
    let text = ok(&diplo(profile, &["identity"]));
    let last = text.lines().last().unwrap().to_owned();
    assert!(last.starts_with("DIPLOMATIE:"), "{text}");
    let j = json(&diplo(profile, &["--json", "identity"]));
    assert_eq!(j["card"], last.as_str());
    last
}

fn safety_number(profile: &Path, name: &str) -> String {
    let out = ok(&diplo(profile, &["contact", "safety-number", name]));
    out.lines().last().unwrap().to_owned()
}

fn verify(profile: &Path, name: &str, digits: &str) -> Output {
    diplo(
        profile,
        &["contact", "verify", name, "--safety-number", digits],
    )
}

fn list(profile: &Path) -> serde_json::Value {
    json(&diplo(profile, &["--json", "contact", "list"]))
}

#[test]
fn two_people_exchange_cards_compare_safety_numbers_and_verify() {
    let root = tempfile::tempdir().unwrap();
    let alice = init(root.path(), "alice", "Alice Martin", "BERLIN");
    let bob = init(root.path(), "bob", "Bob Durand", "BERLIN");

    let added = json(&diplo(&bob, &["--json", "contact", "add", &card(&alice)]));
    assert_eq!(added["outcome"], "added");
    assert_eq!(added["contact"]["name"], "Alice Martin");
    assert_eq!(added["contact"]["role"], "Premier secrétaire");
    assert_eq!(added["contact"]["verified"], false);
    ok(&diplo(&alice, &["contact", "add", &card(&bob)]));
    // The same card again changes nothing.
    let again = json(&diplo(&bob, &["--json", "contact", "add", &card(&alice)]));
    assert_eq!(again["outcome"], "unchanged");
    // One's own card is refused.
    let own = diplo(&bob, &["contact", "add", &card(&bob)]);
    assert!(!own.status.success());
    assert!(stderr(&own).contains("your own card"), "{}", stderr(&own));

    // Both see the same 60 digits, in twelve groups.
    let on_bob = safety_number(&bob, "Alice Martin");
    let on_alice = safety_number(&alice, "bob durand");
    assert_eq!(on_bob, on_alice);
    assert_eq!(on_bob.split(' ').count(), 12);
    assert_eq!(on_bob.replace(' ', "").len(), 60);
    // Stable across runs of the program.
    assert_eq!(safety_number(&bob, "Alice Martin"), on_bob);

    // Wrong digits: refused, nothing changed.
    let mut wrong = on_bob.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let refused = verify(&bob, "Alice Martin", &wrong);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("nothing was changed"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(list(&bob)[0]["verified"], false);

    // The right digits, as read out with other spacing.
    let spoken = on_bob.replace(' ', "\n");
    ok(&verify(&bob, "Alice Martin", &spoken));
    let contacts = list(&bob);
    assert_eq!(contacts.as_array().unwrap().len(), 1);
    assert_eq!(contacts[0]["verified"], true);
    let text = ok(&diplo(&bob, &["contact", "list"]));
    assert!(
        text.contains("vérifié / verified") && text.contains("Alice Martin"),
        "{text}"
    );
    // Alice has not verified Bob: her mark is her own.
    assert_eq!(list(&alice)[0]["verified"], false);
}

#[test]
fn a_new_identity_key_for_a_known_person_is_shown_and_never_silently_accepted() {
    let root = tempfile::tempdir().unwrap();
    let alice = init(root.path(), "alice", "Alice Martin", "BERLIN");
    let bob = init(root.path(), "bob", "Bob Durand", "BERLIN");
    ok(&diplo(&bob, &["contact", "add", &card(&alice)]));
    let digits = safety_number(&bob, "Alice Martin");
    ok(&verify(&bob, "Alice Martin", &digits));
    let old_key = list(&bob)[0]["identity"].as_str().unwrap().to_owned();

    // Someone (a new machine of Alice's, or an impostor) presents a card with another key.
    let other = init(root.path(), "other", "Alice Martin", "BERLIN");
    let out = ok(&diplo(&bob, &["contact", "add", &card(&other)]));
    assert!(
        out.contains("WARNING: the identity key of Alice Martin changed"),
        "{out}"
    );
    let contacts = list(&bob);
    assert_eq!(
        contacts.as_array().unwrap().len(),
        1,
        "not a second contact"
    );
    // The old key stays the one used; the mark is cleared; the change is shown.
    assert_eq!(contacts[0]["identity"], old_key.as_str());
    assert_eq!(contacts[0]["verified"], false);
    assert!(contacts[0]["key_change"]["new_identity"].is_string());
    let text = ok(&diplo(&bob, &["contact", "list"]));
    assert!(text.contains("clé changée / key changed"), "{text}");

    // The old safety number no longer verifies; the new key's does, and replaces the old key.
    let shown = ok(&diplo(&bob, &["contact", "safety-number", "Alice Martin"]));
    assert!(shown.contains("Their key changed"), "{shown}");
    let new_digits = shown.lines().last().unwrap().to_owned();
    assert_ne!(new_digits, digits);
    ok(&diplo(&other, &["contact", "add", &card(&bob)]));
    assert_eq!(new_digits, safety_number(&other, "Bob Durand"));
    let stale = verify(&bob, "Alice Martin", &digits);
    assert!(!stale.status.success());
    assert_eq!(list(&bob)[0]["identity"], old_key.as_str());
    ok(&verify(&bob, "Alice Martin", &new_digits));
    let contacts = list(&bob);
    assert_eq!(contacts[0]["verified"], true);
    assert!(contacts[0]["key_change"].is_null());
    assert_ne!(contacts[0]["identity"], old_key.as_str());

    // The old card now comes back as a key change in its turn, not as the accepted one.
    let out = ok(&diplo(&bob, &["contact", "add", &card(&alice)]));
    assert!(out.contains("changed"), "{out}");
}

#[test]
fn two_contacts_with_the_same_name_are_never_confused() {
    let root = tempfile::tempdir().unwrap();
    let bob = init(root.path(), "bob", "Bob Durand", "BERLIN");
    let berlin = init(root.path(), "a1", "Claire Morel", "BERLIN");
    let rome = init(root.path(), "a2", "Claire Morel", "ROME");
    ok(&diplo(&bob, &["contact", "add", &card(&berlin)]));
    ok(&diplo(&bob, &["contact", "add", &card(&rome)]));
    assert_eq!(list(&bob).as_array().unwrap().len(), 2);
    let out = diplo(&bob, &["contact", "safety-number", "Claire Morel"]);
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(
        message.contains("2 contacts match") && message.contains("Name (ORG)"),
        "{message}"
    );
    ok(&diplo(&rome, &["contact", "add", &card(&bob)]));
    let n_rome = safety_number(&bob, "Claire Morel (ROME)");
    let n_berlin = safety_number(&bob, "claire morel (berlin)");
    assert_ne!(n_rome, n_berlin);
    assert_eq!(n_rome, safety_number(&rome, "Bob Durand"));
    // By the first digits of the key.
    let key = list(&bob)[1]["identity"].as_str().unwrap()[..12].to_owned();
    assert_eq!(safety_number(&bob, &key), n_rome);
    let unknown = diplo(&bob, &["contact", "safety-number", "Nobody"]);
    assert!(stderr(&unknown).contains("no contact is named 'Nobody'"));
}

#[test]
fn text_that_is_not_a_card_is_refused_with_what_to_do() {
    let root = tempfile::tempdir().unwrap();
    let bob = init(root.path(), "bob", "Bob Durand", "BERLIN");
    let alice = init(root.path(), "alice", "Alice Martin", "BERLIN");
    for (bad, says) in [
        ("hello", "copy the whole line"),
        ("DIPLOMATIE:AAAA", "cut short or malformed"),
    ] {
        let out = diplo(&bob, &["contact", "add", bad]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains(says), "{bad}: {}", stderr(&out));
    }
    // A card with one character changed (its signature no longer matches).
    let mut altered = card(&alice);
    let at = altered.len() - 20;
    let c = altered.as_bytes()[at];
    altered.replace_range(at..=at, if c == b'A' { "B" } else { "A" });
    let out = diplo(&bob, &["contact", "add", &altered]);
    assert!(!out.status.success());
    assert!(list(&bob).as_array().unwrap().is_empty());
}
