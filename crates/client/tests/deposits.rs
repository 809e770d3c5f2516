//! Deposits through a sync folder (real profiles, real files): an item for action reaches a
//! contact one shares no space with, and what a depositor may not do is refused at the
//! receiving end: content other than an item, a deposit in another person's name, a replay.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use diplomatie_client::{AddresseeInput, ComposeForm, Profile, TelegramForm};
use diplomatie_domain::{Marking, Paragraph, Route};
use diplomatie_protocol::{Content, ContentKind, DepositKey, Envelope, EnvelopeHeader, EnvelopeId};
use diplomatie_testkit::{Person, alice, bob, carol, temp_dir};

/// A telegram for action to `action`, composed and delivered by `from`.
fn telegram(
    from: &Profile,
    subject: &str,
    action: &str,
) -> (diplomatie_domain::ItemId, diplomatie_client::Delivery) {
    let compose = from
        .prepare_compose(ComposeForm::Telegram(TelegramForm {
            action: vec![AddresseeInput::Person(action.into())],
            subject: subject.into(),
            paragraphs: vec![Paragraph {
                marking: Marking::NonProtege,
                text: format!("Texte de {subject}."),
            }],
            ..TelegramForm::default()
        }))
        .unwrap();
    from.compose_and_deliver(compose).unwrap()
}

fn sync(who: &Profile, folder: &Path) -> diplomatie_client::sync::SyncReport {
    who.sync_folder(folder, &mut |_| {}).unwrap()
}

fn subjects(who: &Profile) -> Vec<(String, Option<Route>)> {
    let inbox = who.inbox(&Default::default(), Default::default()).unwrap();
    inbox
        .items
        .iter()
        .map(|i| (i.subject.clone(), i.route))
        .collect()
}

/// Bob's own space and the deposit key his card carries.
fn own_deposit_key(bob: &Person) -> DepositKey {
    bob.card()
        .deposit
        .expect("a card carries its own space's deposit key")
}

/// Writes a deposit by `from` (signed with `from`'s device key, naming `sender`, carrying
/// `card`'s bytes) into `to`'s own space in the folder, as a depositor with write access to
/// the folder could.
fn plant(
    folder: &Path,
    from: &Person,
    card: &diplomatie_protocol::ContactCard,
    to: &DepositKey,
    seq: u64,
    content: Content,
) -> PathBuf {
    let header = EnvelopeHeader {
        space: to.space,
        epoch: to.epoch,
        sender: card.devices[0].device,
        seq,
        id: EnvelopeId::random().unwrap(),
    };
    let envelope = Envelope::deposit(
        header.clone(),
        to,
        card,
        &content,
        &from.signing_key().unwrap(),
    )
    .unwrap();
    let dir = folder
        .join("spaces")
        .join(to.space.hex())
        .join("envelopes")
        .join(header.sender.hex());
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{seq:020}.env"));
    std::fs::write(&path, envelope.bytes()).unwrap();
    path
}

#[test]
fn an_item_for_action_is_deposited_into_a_contacts_own_space_and_read_only_there() {
    let (alice, bob, carol) = (alice(), bob(), carol());
    let folder = temp_dir();
    let folder = folder.path();
    // Alice holds Bob's card; they share no space; Carol holds nobody's.
    alice.add_contact(&bob.card_line()).unwrap();
    for who in [&*alice, &*bob, &*carol] {
        sync(who, folder);
    }
    // Composed and delivered in one go: the item and its outbox entry are written together.
    let (id, delivery) = telegram(&alice, "Visite du ministre", "Bob Durand");
    assert_eq!(delivery.deposited.len(), 1, "{delivery:?}");
    assert!(delivery.unreachable.is_empty(), "{delivery:?}");
    assert!(alice.show(&id.to_string()).is_ok());
    assert_eq!(alice.pending_count().unwrap(), 1);
    assert_eq!(sync(&alice, folder).delivered, 1);

    let report = sync(&bob, folder);
    assert_eq!(report.applied, 1, "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(
        subjects(&bob),
        [("Visite du ministre".to_owned(), Some(Route::Action))]
    );
    // Carol, a member of neither space, reads nothing of it.
    let report = sync(&carol, folder);
    assert_eq!(report.applied, 0, "{report:?}");
    assert!(subjects(&carol).is_empty());
    // Again: nothing applied twice.
    assert_eq!(sync(&bob, folder).applied, 0);
}

#[test]
fn where_an_item_goes_is_told_before_it_is_filed_and_planning_it_files_nothing() {
    let (alice, bob) = (alice(), bob());
    alice.add_contact(&bob.card_line()).unwrap();
    let form = |action: &[&str]| {
        ComposeForm::Telegram(TelegramForm {
            action: action
                .iter()
                .map(|a| AddresseeInput::Person((*a).into()))
                .collect(),
            subject: "Visite du ministre".into(),
            paragraphs: vec![Paragraph {
                marking: Marking::NonProtege,
                text: "Le ministre viendra lundi.".into(),
            }],
            ..TelegramForm::default()
        })
    };
    let compose = alice
        .prepare_compose(form(&["Bob Durand", "Zoé Inconnue"]))
        .unwrap();
    let plan = alice.plan_compose(compose.clone()).unwrap();
    let reached: Vec<&str> = plan.deposited.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(reached, ["Bob Durand"], "{plan:?}");
    let missed: Vec<&str> = plan
        .unreachable
        .iter()
        .map(|u| u.addressee.as_str())
        .collect();
    assert_eq!(missed, ["Zoé Inconnue"], "{plan:?}");
    // Planned only: nothing filed, nothing waiting to leave.
    assert!(subjects(&alice).is_empty());
    assert_eq!(alice.pending_count().unwrap(), 0);

    // Sent, it goes where the plan said.
    let (_, delivery) = alice.compose_and_deliver(compose).unwrap();
    assert_eq!(delivery, plan);
    assert_eq!(subjects(&alice).len(), 1);

    // A form the rules refuse is refused by the plan as by the sending.
    let refused = alice.prepare_compose(form(&[])).unwrap();
    assert!(
        matches!(
            alice.plan_compose(refused),
            Err(diplomatie_client::ClientError::Domain(
                diplomatie_domain::DomainError::NoActionAddressee
            ))
        ),
        "a telegram without an addressee for action"
    );
    assert_eq!(subjects(&alice).len(), 1);
}

#[test]
fn a_depositor_can_neither_change_a_space_nor_speak_for_someone_else_nor_replay() {
    let (alice, bob, carol) = (alice(), bob(), carol());
    let folder = temp_dir();
    let folder = folder.path();
    sync(&bob, folder);
    let to = own_deposit_key(&bob);
    let own_name = bob.spaces().unwrap()[0].name.clone();

    // A depositor renaming Bob's space: refused, the name unchanged.
    plant(
        folder,
        &alice,
        &alice.card(),
        &to,
        1,
        Content {
            kind: ContentKind::SpaceInfo,
            body: b"renamed".to_vec(),
        },
    );
    // Carol deposits with Alice's card, naming Alice's device, signed by her own: refused.
    plant(
        folder,
        &carol,
        &alice.card(),
        &to,
        2,
        Content {
            kind: ContentKind::Item,
            body: b"not even an item".to_vec(),
        },
    );
    let report = sync(&bob, folder);
    assert_eq!(report.applied, 0, "{report:?}");
    assert_eq!(report.refused.len(), 2, "{report:?}");
    assert!(
        report.refused.iter().any(|r| r.contains("items only")),
        "{report:?}"
    );
    assert!(
        report.refused.iter().any(|r| r.contains("signature")),
        "{report:?}"
    );
    assert_eq!(bob.spaces().unwrap()[0].name, own_name);

    // A genuine deposit by Carol arrives; the same bytes again under a new file name (a replay
    // of her sequence number 1) are dropped, also after Bob reopens his profile.
    bob.add_contact(&carol.card_line())
        .unwrap_or_else(|e| panic!("{e}"));
    carol.add_contact(&bob.card_line()).unwrap();
    let (_, delivery) = telegram(&carol, "Note de Carol", "Bob Durand");
    assert_eq!(delivery.deposited.len(), 1, "{delivery:?}");
    sync(&carol, folder);
    let report = sync(&bob, folder);
    assert_eq!(report.applied, 1, "{report:?}");
    let sent = folder
        .join("spaces")
        .join(to.space.hex())
        .join("envelopes")
        .join(carol.own().device.device.hex())
        .join(format!("{:020}.env", 1));
    // Under the numbers that follow Carol's, so that the folder reads them (it stops at a gap).
    let copy = sent.with_file_name(format!("{:020}.env", 2));
    std::fs::copy(&sent, &copy).unwrap();
    let report = sync(&bob, folder);
    assert_eq!(report.applied, 0, "{report:?}");
    assert!(report.refused.is_empty(), "a replay is dropped: {report:?}");
    // Opened again, as after a restart: what was applied from whom is kept.
    let reopened = Profile::open(bob.dir(), diplomatie_testkit::PASSPHRASE).unwrap();
    std::fs::copy(&sent, sent.with_file_name(format!("{:020}.env", 3))).unwrap();
    let report = sync(&reopened, folder);
    assert_eq!(report.applied, 0, "{report:?}");
    let notes = subjects(&reopened)
        .into_iter()
        .filter(|(s, _)| s == "Note de Carol")
        .count();
    assert_eq!(notes, 1);
}
