//! A profile made before identities (schema 9, `tests/fixtures/profile-v9`, made with the
//! `diplo` of that version: passphrase `fixture profile passphrase`, one telegram composed and
//! one draft submitted for clearance) gains its identity key and its device certificate at
//! its first unlock, keeping every item, draft and key it had. The fixture is copied before it
//! is opened; never regenerate it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use diplomatie_client::{Page, Profile};
use diplomatie_domain::{Stage, Step};
use diplomatie_testkit::person;

const PASSPHRASE: &str = "fixture profile passphrase";
const TELEGRAM: &str = "01a24e04-4491-72e9-b948-7fb282273028";
const DRAFT: &str = "01a24e04-4db6-7569-ae73-f4eaef658ffc";

fn copy_fixture(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/profile-v9");
    std::fs::create_dir_all(to).unwrap();
    for name in ["profile.key", "store.db"] {
        std::fs::copy(from.join(name), to.join(name)).unwrap();
    }
}

#[test]
fn a_profile_from_before_identities_gains_its_keys_at_first_unlock_and_keeps_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    copy_fixture(&dir);

    let profile = Profile::open(&dir, PASSPHRASE).unwrap();
    let me = profile.identity().clone();
    assert_eq!(me.name, "Alice Lefèvre");
    assert_eq!(me.org, "BERLIN");
    // The device keys it had are the ones certified.
    let device_key = me.device.signing.clone();
    let own = profile.own().clone();
    assert_eq!(
        diplomatie_crypto::hex::encode(&own.device.signing),
        device_key
    );
    assert_eq!(own.device.identity, own.key);
    assert_eq!(own.card.identity, own.key);
    assert_eq!(own.card.details.name, "Alice Lefèvre");
    assert_eq!(own.card.devices, vec![own.device.clone()]);
    assert_eq!(
        profile.signing_key().unwrap().public_key(),
        own.device.signing
    );

    // Every item and draft is kept.
    assert_eq!(profile.item_count().unwrap(), 1);
    let telegram = profile.show(TELEGRAM).unwrap();
    assert_eq!(telegram.item.subject(), "Élections régionales en Saxe");
    let drafts = profile.drafts().unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].id, DRAFT);
    assert_eq!(drafts[0].subject, "Visite du ministre à Dresde");
    // Its steps were written before signatures: kept, shown as refused, so it is a draft again
    // (what was cleared before cannot be told from a forgery).
    let draft = profile.draft(DRAFT).unwrap();
    assert_eq!(draft.stage, Stage::Draft);
    assert_eq!(draft.log.len(), 2);
    assert!(
        draft
            .log
            .iter()
            .all(|l| l.refused.as_deref().is_some_and(|r| r.contains("unsigned")))
    );
    // Once the people of its circuit are contacts, its drafter submits it again, signed.
    let (bob, carol) = (
        person("Bob Martin", "BERLIN", None),
        person("Carol Dubois", "BERLIN", None),
    );
    profile.add_contact(&bob.card_line()).unwrap();
    profile.add_contact(&carol.card_line()).unwrap();
    let submitted = profile.draft_step(DRAFT, Step::Submit).unwrap();
    assert_eq!(submitted.stage, Stage::InClearance);
    assert_eq!(submitted.waiting_for, vec!["Bob Martin"]);
    let signed: Vec<_> = submitted
        .log
        .iter()
        .filter(|l| l.refused.is_none())
        .map(|l| (l.step.as_str(), l.signer.as_ref().unwrap().identity.clone()))
        .collect();
    assert_eq!(
        signed,
        vec![("created", own.key.hex()), ("submit", own.key.hex())]
    );
    let audit = profile.audit_log(None, Page::first(100)).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action.code() == "identity_created")
            .count(),
        1
    );
    let line = profile.card_line();
    profile.lock();

    // The second unlock finds the keys made at the first: nothing is made again.
    let again = Profile::open(&dir, PASSPHRASE).unwrap();
    assert_eq!(again.own().key, own.key);
    assert_eq!(again.own().device, own.device);
    assert_eq!(again.card_line(), line);
    let audit = again.audit_log(None, Page::first(100)).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action.code() == "identity_created")
            .count(),
        1
    );
    // A wrong passphrase still says so, and changes nothing.
    assert!(Profile::open(&dir, "not the passphrase at all").is_err());
}
