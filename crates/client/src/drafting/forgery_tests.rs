//! Forgeries of the clearance log, each refused on every replica, with nothing stored: what
//! someone who can write to the exchange folder (or any copy of a draft) could try. The
//! people: Alice drafts, Bruno clears, Dora approves; Eve is a contact of theirs outside the
//! circuit; Mallory has fresh keys of his own and claims others' names.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use diplomatie_crypto::{Context, SigningKey, hex};
use diplomatie_domain::{ItemContent, Stage, Step};
use diplomatie_draft::{LogEntry, LoggedStep, SignedEntry};
use diplomatie_protocol::{DeviceCertificate, DeviceId};

use super::tests::{Person, person, send, telegram};
use super::*;
use crate::release::{ReleaseNumber, ReleaseRecord, SignedRelease};

/// A device and the identity that certifies it, made outside any profile.
struct Keys {
    device_key: SigningKey,
    cert: DeviceCertificate,
}

fn fresh_keys() -> Keys {
    let identity = SigningKey::generate().unwrap();
    let device_key = SigningKey::generate().unwrap();
    let cert = DeviceCertificate::issue(
        &identity,
        DeviceId([0x4d; 16]),
        device_key.public_key(),
        [0; 32],
        OffsetDateTime::now_utc(),
        None,
    )
    .unwrap();
    Keys { device_key, cert }
}

/// The keys of a real person's device, as a thief of that device would hold them.
fn keys_of(p: &Person) -> Keys {
    Keys {
        device_key: p.profile.signing_key().unwrap(),
        cert: p.profile.own().device.clone(),
    }
}

/// A log entry for `step` on draft `draft` as it stands in `p`'s replica, claiming `actor`,
/// signed by `keys` under `context`.
fn forged_entry(
    p: &Person,
    draft: &str,
    actor: &str,
    step: LoggedStep,
    keys: &Keys,
    context: Context,
) -> String {
    let mut l = p.profile.load_draft(draft).unwrap();
    let entry = LogEntry {
        draft: draft.to_owned(),
        actor: actor.to_owned(),
        at: OffsetDateTime::now_utc(),
        step,
        content: l.doc.content_fingerprint(),
        heads: l.doc.heads(),
    };
    let json = serde_json::to_string(&entry).unwrap();
    let signature = keys.device_key.sign_as(context, json.as_bytes());
    serde_json::to_string(&SignedEntry {
        entry: json,
        certificate: hex::encode(keys.cert.bytes()),
        signature: hex::encode(&signature),
    })
    .unwrap()
}

/// Writes `raw` into `p`'s replica of `draft`'s log, as a planted copy would bring it, and
/// sends that replica to each of `others`.
fn plant(p: &Person, draft: &str, raw: &str, others: &[&Person]) {
    let mut l = p.profile.load_draft(draft).unwrap();
    l.doc.append_log(raw).unwrap();
    p.profile.save_draft(&mut l, &[]).unwrap();
    for other in others {
        send(p, other, draft);
    }
}

/// Bruno clears, then Dora approves (on her replica).
fn cleared_and_approved(bruno: &Person, dora: &Person, id: &str) {
    bruno
        .profile
        .draft_step(id, Step::Clear { comment: None })
        .unwrap();
    send(bruno, dora, id);
    dora.profile.draft_step(id, Step::Approve).unwrap();
}

/// A released record of `p`'s replica of `draft` as it stands, with `alter` applied to the
/// item, signed by `keys`.
fn forged_record(
    p: &Person,
    draft: &str,
    keys: &Keys,
    alter: impl FnOnce(&mut ItemContent),
) -> String {
    let mut l = p.profile.load_draft(draft).unwrap();
    let now = OffsetDateTime::now_utc();
    let mut content = l.doc.view().to_content("Alice", now).unwrap();
    alter(&mut content);
    let record = ReleaseRecord {
        item: Item {
            id: parse_draft_id(draft).unwrap(),
            received_at: now,
            deadline: None,
            content,
            language: None,
        },
        number: ReleaseNumber::Unnumbered,
        draft_id: draft.to_owned(),
        heads: l.doc.heads(),
        drafter: "Alice".into(),
        clearances: Vec::new(),
        approver: "Dora".into(),
        approver_key: String::new(),
        approver_identity: String::new(),
        approver_device: String::new(),
        released_at: now,
        supersedes: None,
    };
    let signed = SignedRelease::sign(record, &keys.device_key, &keys.cert).unwrap();
    String::from_utf8(signed.to_bytes().to_vec()).unwrap()
}

/// The circuit's people, each knowing the others; a telegram cleared by Bruno, approved by
/// Dora, sent into clearance and to all.
fn circuit() -> (Person, Person, Person, Person, String) {
    let (alice, bruno, dora, eve) = (
        person("Alice"),
        person("Bruno"),
        person("Dora"),
        person("Eve"),
    );
    let id = telegram(&alice, &["Bruno"]);
    alice.profile.draft_step(&id, Step::Submit).unwrap();
    for p in [&bruno, &dora, &eve] {
        send(&alice, p, &id);
    }
    (alice, bruno, dora, eve, id)
}

/// What every replica must show after a forgery reached it: the stage it had, the forged entry
/// refused for `why`, and no released item stored.
fn refused_everywhere(replicas: &[&Person], id: &str, stage: Stage, why: &str) {
    for p in replicas {
        let state = p.profile.draft(id).unwrap();
        assert_eq!(state.stage, stage, "stage on {}", p.profile.identity().name);
        let last = state.log.last().unwrap();
        let refusal = last.refused.as_deref().unwrap_or_else(|| {
            panic!(
                "the forged {} was accepted on {}",
                last.step,
                p.profile.identity().name
            )
        });
        assert!(refusal.contains(why), "{refusal}");
        assert!(state.release.is_none());
        let item = parse_draft_id(id).unwrap();
        assert!(p.profile.store().release_of(item).unwrap().is_none());
        assert!(p.profile.store().get_item(item).unwrap().is_none());
    }
}

#[test]
fn a_release_signed_by_a_fresh_key_under_the_approvers_name_is_refused() {
    let (alice, bruno, dora, _eve, id) = circuit();
    cleared_and_approved(&bruno, &dora, &id);
    send(&dora, &bruno, &id);
    // Bruno's replica is where the forger writes (the folder is shared).
    let mallory = fresh_keys();
    let record = forged_record(&bruno, &id, &mallory, |_| {});
    let raw = forged_entry(
        &bruno,
        &id,
        "Dora",
        LoggedStep::Release { record },
        &mallory,
        Context::Release,
    );
    plant(&bruno, &id, &raw, &[&alice, &dora]);
    refused_everywhere(
        &[&alice, &bruno, &dora],
        &id,
        Stage::Approved,
        "does not name",
    );
}

#[test]
fn a_release_whose_text_is_not_the_document_at_its_heads_is_refused() {
    let (alice, bruno, dora, _eve, id) = circuit();
    cleared_and_approved(&bruno, &dora, &id);
    // Dora's own device signs a record whose text differs from the cleared one.
    let dora_keys = keys_of(&dora);
    let record = forged_record(&dora, &id, &dora_keys, |content| {
        if let ItemContent::Telegram(t) = content {
            t.subject = "Un autre texte que celui qui fut visé".into();
        }
    });
    let raw = forged_entry(
        &dora,
        &id,
        "Dora",
        LoggedStep::Release { record },
        &dora_keys,
        Context::Release,
    );
    plant(&dora, &id, &raw, &[&alice, &bruno]);
    refused_everywhere(
        &[&alice, &bruno, &dora],
        &id,
        Stage::Approved,
        "not the document",
    );
}

#[test]
fn a_clearance_by_someone_outside_the_circuit_is_refused_whatever_name_it_claims() {
    let (alice, bruno, dora, eve, id) = circuit();
    // Eve, a real contact with real keys, clears in Bruno's name.
    let raw = forged_entry(
        &eve,
        &id,
        "Bruno",
        LoggedStep::Clear { comment: None },
        &keys_of(&eve),
        Context::Clearance,
    );
    plant(&eve, &id, &raw, &[&alice, &bruno, &dora]);
    refused_everywhere(
        &[&alice, &bruno, &dora, &eve],
        &id,
        Stage::InClearance,
        "does not name",
    );
    // Bruno is still the one awaited.
    assert_eq!(alice.profile.draft(&id).unwrap().waiting_for, vec!["Bruno"]);
}

#[test]
fn a_real_clearance_copied_onto_another_draft_is_refused() {
    let (alice, bruno, dora, _eve, id) = circuit();
    // A second draft with the same circuit, in clearance too.
    let other = telegram(&alice, &["Bruno"]);
    alice.profile.draft_step(&other, Step::Submit).unwrap();
    send(&alice, &bruno, &other);
    // Bruno clears the first; his signed entry is copied into the second's log.
    bruno
        .profile
        .draft_step(&id, Step::Clear { comment: None })
        .unwrap();
    let copied = bruno
        .profile
        .load_draft(&id)
        .unwrap()
        .doc
        .log()
        .last()
        .cloned()
        .unwrap();
    plant(&bruno, &other, &copied, &[&alice]);
    send(&alice, &dora, &other);
    refused_everywhere(
        &[&alice, &bruno, &dora],
        &other,
        Stage::InClearance,
        "another draft",
    );
}

#[test]
fn a_signature_made_for_another_kind_of_statement_is_refused() {
    let (alice, bruno, dora, _eve, id) = circuit();
    // Bruno's device signs the bytes of a clearance entry, but as another kind of statement
    // (as when a signature it made for an exchange copy or a release is lifted into the log).
    for context in [
        Context::ExchangeCopy,
        Context::Release,
        Context::Acknowledgement,
    ] {
        let raw = forged_entry(
            &bruno,
            &id,
            "Bruno",
            LoggedStep::Clear { comment: None },
            &keys_of(&bruno),
            context,
        );
        plant(&bruno, &id, &raw, &[&alice, &dora]);
        refused_everywhere(
            &[&alice, &bruno, &dora],
            &id,
            Stage::InClearance,
            "signature does not match",
        );
    }
    // The same step signed as what it is counts.
    bruno
        .profile
        .draft_step(&id, Step::Clear { comment: None })
        .unwrap();
    send(&bruno, &alice, &id);
    assert_eq!(
        alice.profile.draft(&id).unwrap().stage,
        Stage::ReadyForApproval
    );
}

#[test]
fn a_new_number_signed_by_anyone_but_the_approver_is_refused() {
    let (alice, bruno, dora, eve, id) = circuit();
    cleared_and_approved(&bruno, &dora, &id);
    // No numbering block: the release is provisional.
    let outcome = dora.profile.release_draft(&id, None).unwrap();
    assert!(outcome.provisional);
    send(&dora, &alice, &id);
    send(&dora, &eve, &id);
    let released = alice.profile.draft(&id).unwrap().release.unwrap();
    // Eve (a contact, real keys) and Mallory (fresh keys) each give it a "final" number.
    for keys in [keys_of(&eve), fresh_keys()] {
        let mut l = eve.profile.load_draft(&id).unwrap();
        let current = replay(&id, &mut l.doc).release.unwrap();
        let mut record = current.record.clone();
        record.number = ReleaseNumber::Final {
            label: "BERLIN 2026-0999".into(),
        };
        record.supersedes = Some(current.signature.clone());
        let signed = SignedRelease::sign(record, &keys.device_key, &keys.cert).unwrap();
        let raw = forged_entry(
            &eve,
            &id,
            "Dora",
            LoggedStep::Renumber {
                record: String::from_utf8(signed.to_bytes().to_vec()).unwrap(),
            },
            &keys,
            Context::Renumber,
        );
        plant(&eve, &id, &raw, &[&alice]);
        let state = alice.profile.draft(&id).unwrap();
        let last = state.log.last().unwrap();
        assert_eq!(last.step, "renumber");
        assert!(last.refused.is_some(), "a forged number was accepted");
        // The provisional release stands, unchanged.
        let release = state.release.unwrap();
        assert_eq!(release.number, released.number);
        assert_eq!(release.signature, released.signature);
    }
}
