#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::cell::RefCell;

use super::*;
use crate::InitOptions;

const PASSPHRASE: &str = "spaces test passphrase";

struct Person {
    dir: tempfile::TempDir,
    profile: Profile,
}

fn person(name: &str) -> Person {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::init(
        dir.path(),
        PASSPHRASE,
        InitOptions {
            role: String::new(),
            name: name.into(),
            org: "BERLIN".into(),
            email: None,
            kdf_cost: Some(diplomatie_store::KdfCost::MIN),
        },
    )
    .unwrap();
    Person { dir, profile }
}

/// Everyone knows everyone's card.
fn introduce(people: &[&Person]) {
    for a in people {
        for b in people {
            if a.dir.path() != b.dir.path() {
                a.profile.add_contact(&b.profile.card_line()).unwrap();
            }
        }
    }
}

fn packages(of: &Person, count: usize) -> Vec<(DeviceCertificate, Vec<u8>)> {
    of.profile
        .key_packages(count)
        .unwrap()
        .into_iter()
        .map(|p| (of.profile.own().device.clone(), p))
        .collect()
}

/// What a relay would carry: the commits sent, in order.
#[derive(Default)]
struct Sent(RefCell<Vec<Outgoing>>);

impl Sent {
    fn send(&self) -> impl FnOnce(&SpaceId, &Outgoing) -> Result<(), ClientError> + '_ {
        |_, outgoing| {
            self.0.borrow_mut().push(outgoing.clone());
            Ok(())
        }
    }

    fn last(&self) -> Outgoing {
        self.0.borrow().last().cloned().unwrap()
    }
}

fn current_key(p: &Person, space: &str) -> (u64, [u8; 32]) {
    let id = SpaceId::from_hex(&p.profile.space(space).unwrap().space.id).unwrap();
    let (epoch, key) = p.profile.space_current_key(&id).unwrap();
    (epoch, *key.expose())
}

#[test]
fn a_space_is_created_joined_and_kept_across_a_lock() {
    let (alice, bruno) = (person("Alice Lefèvre"), person("Bruno Durand"));
    introduce(&[&alice, &bruno]);
    let made = alice
        .profile
        .create_space("Poste de Berlin", SpaceKind::Unit, true)
        .unwrap();
    assert_eq!((made.epoch, made.devices), (0, 1));
    assert!(
        alice
            .profile
            .create_space(" poste de berlin", SpaceKind::Shared, false)
            .is_err(),
        "a second space of the same name"
    );

    let sent = Sent::default();
    let detail = alice
        .profile
        .add_to_space("Poste de Berlin", &packages(&bruno, 1), sent.send())
        .unwrap();
    assert_eq!(detail.space.epoch, 1);
    let names: Vec<_> = detail.members.iter().map(|m| m.name.clone()).collect();
    assert!(names.contains(&Some("Bruno Durand".into())), "{names:?}");
    assert!(detail.members.iter().all(|m| m.name.is_some()));

    let welcome = sent.last().welcome.unwrap();
    let joined = bruno.profile.join_space(&welcome).unwrap();
    assert_eq!((joined.epoch, joined.devices), (1, 2));
    assert_eq!(joined.id, made.id);
    assert!(bruno.profile.join_space(&welcome).is_err(), "joined twice");
    let (epoch, key) = current_key(&alice, "Poste de Berlin");
    assert_eq!(current_key(&bruno, &made.id), (epoch, key));

    // A lock and an unlock keep the space, its members and its keys.
    let Person { dir, profile } = alice;
    profile.lock();
    let alice = Person {
        profile: Profile::open(dir.path(), PASSPHRASE).unwrap(),
        dir,
    };
    let again = alice.profile.space(&made.id[..10]).unwrap();
    assert_eq!((again.space.epoch, again.members.len()), (1, 2));
    assert_eq!(current_key(&alice, "Poste de Berlin"), (epoch, key));
    let id = SpaceId::from_hex(&made.id).unwrap();
    assert!(
        alice.profile.space_epoch_key(&id, 0).unwrap().is_some(),
        "history kept"
    );
}

/// Alice, Bruno and Chloé, who know each other; Alice has made the space "Cercle".
fn circle() -> (Person, Person, Person) {
    let (alice, bruno, chloe) = (person("Alice"), person("Bruno"), person("Chloé"));
    introduce(&[&alice, &bruno, &chloe]);
    alice
        .profile
        .create_space("Cercle", SpaceKind::Shared, false)
        .unwrap();
    (alice, bruno, chloe)
}

#[test]
fn a_commit_the_relay_refuses_changes_nothing_and_a_removed_device_keeps_no_new_key() {
    let (alice, bruno, chloe) = circle();
    // Refused by the relay (another commit won the epoch): nothing kept, the packages unused.
    let refused = alice
        .profile
        .add_to_space("Cercle", &packages(&bruno, 1), |_, _| {
            Err(ClientError::Space("another commit won this epoch".into()))
        });
    assert!(refused.is_err());
    assert_eq!(alice.profile.space("Cercle").unwrap().space.epoch, 0);
    assert_eq!(alice.profile.space("Cercle").unwrap().members.len(), 1);

    let sent = Sent::default();
    let mut both = packages(&bruno, 1);
    both.extend(packages(&chloe, 1));
    alice
        .profile
        .add_to_space("Cercle", &both, sent.send())
        .unwrap();
    let welcome = sent.last().welcome.unwrap();
    let id = SpaceId::from_hex(&bruno.profile.join_space(&welcome).unwrap().id).unwrap();
    chloe.profile.join_space(&welcome).unwrap();
    // A space joined is named by its id until its name arrives.
    let hex = id.hex();
    let before = current_key(&chloe, &hex).1;
    assert_eq!(chloe.profile.space_current_key(&id).unwrap().0, 1);

    // Alice removes Chloé; Bruno follows the commit; Chloé holds no key of epoch 2.
    alice
        .profile
        .remove_from_space("Cercle", &[chloe.profile.own().device.device], sent.send())
        .unwrap();
    let commit = sent.last().commit;
    assert_eq!(
        bruno.profile.process_space_commit(&id, &commit).unwrap(),
        CommitTaken::Epoch(2)
    );
    let (epoch, key) = current_key(&alice, "Cercle");
    assert_eq!(current_key(&bruno, &hex), (2, key));
    assert_ne!(key, before);
    // Chloé, processing the commit that removes her, leaves the space: listed as left, its
    // earlier keys kept, no key of epoch 2, nothing more to process.
    assert_eq!(
        chloe.profile.process_space_commit(&id, &commit).unwrap(),
        CommitTaken::Removed
    );
    assert!(chloe.profile.space_epoch_key(&id, epoch).unwrap().is_none());
    assert!(chloe.profile.space_epoch_key(&id, 1).unwrap().is_some());
    let listed = chloe.profile.spaces().unwrap();
    let left = listed.iter().find(|s| s.id == hex).unwrap();
    assert!(left.removed_at.is_some());
    assert!(chloe.profile.space(&hex).is_err());
    assert!(chloe.profile.process_space_commit(&id, &commit).is_err());
    // The same commit again (a replay) is refused, and Bruno stays where he is.
    assert!(bruno.profile.process_space_commit(&id, &commit).is_err());
    assert_eq!(current_key(&bruno, &hex).0, 2);
}

#[test]
fn a_key_package_of_someone_else_or_damaged_is_refused() {
    let (alice, bruno, chloe) = circle();
    let spaces = alice.profile.spaces().unwrap().len();
    let bruno_package = bruno.profile.key_packages(1).unwrap().remove(0);
    let as_chloe = [(chloe.profile.own().device.clone(), bruno_package)];
    let sent = Sent::default();
    assert!(
        alice
            .profile
            .add_to_space("Cercle", &as_chloe, sent.send())
            .is_err()
    );
    assert!(sent.0.borrow().is_empty(), "nothing sent");
    assert_eq!(alice.profile.space("Cercle").unwrap().space.epoch, 0);
    assert!(alice.profile.join_space(b"not a welcome").is_err());
    assert_eq!(
        alice.profile.spaces().unwrap().len(),
        spaces,
        "no space joined"
    );
}
