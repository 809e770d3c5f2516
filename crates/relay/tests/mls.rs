//! The relay as MLS's delivery service, over real HTTP: spaces created from group infos,
//! commits checked against the group before they are ordered, welcomes, key packages; and
//! what a removal changes for deposits, deposit keys and the start of a sync.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use axum::http::StatusCode;
use common::mls::{Mls, credential};
use common::*;
use diplomatie_crypto::{SecretKey, SigningKey};
use diplomatie_protocol::relay::{
    CommitAccepted, CommitUpload, ErrorBody, ErrorKind, KeyPackagesStored,
    MAX_KEY_PACKAGES_PER_DEVICE, PushOutcome, RefusalReason, SpaceSummary, SpacesResponse,
};
use diplomatie_protocol::{DepositKey, DepositSecret, Envelope, MAX_DEPOSIT_KEY_BYTES, SpaceId};

#[tokio::test]
async fn a_device_added_by_a_commit_joins_from_its_welcome_and_reads_and_writes_at_once() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    let carol = Client::join(&relay.url, relay.dir.path()).await;

    // Created from Alice's group info: she alone is a member, at the group's epoch.
    let space = SpaceId::random().unwrap();
    alice
        .mls()
        .create(alice.device.id, &alice.device.signing, space);
    let info = alice.mls().group_info(&alice.device.signing, space);
    let response = alice.create_space_raw(space, &info).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let summary: SpaceSummary = response.json().await.unwrap();
    assert_eq!((summary.space, summary.head, summary.epoch), (space, 0, 0));
    alice
        .push(space, &[alice.sealed(space, b"before bob")])
        .await;

    // Bob publishes a key package (the same one twice is kept once); Alice takes it, and it
    // is gone.
    let package = bob.key_package();
    let stored: KeyPackagesStored = bob
        .publish_raw(vec![package.clone(), package.clone()])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored, KeyPackagesStored { added: 1, held: 1 });
    let taken = alice.fetch_key_package(bob.device.id).await;
    assert_eq!(taken, package);
    let (status, body) = error_of(alice.fetch_key_package_raw(bob.device.id).await).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, ErrorKind::NotFound);
    assert_eq!(
        body.message,
        "this device has published no key package: it must connect to the relay once"
    );
    // A device the relay does not know has none either.
    let stranger = Device::new();
    let (status, _) = error_of(alice.fetch_key_package_raw(stranger.id).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Alice commits the add with its welcome.
    let upload = alice.mls().add(&alice.device.signing, space, &[taken]);
    assert!(upload.welcome.is_some());
    let response = alice.commit_raw(space, 0, &upload).await;
    assert_eq!(response.status(), StatusCode::OK);
    let accepted: CommitAccepted = response.json().await.unwrap();
    assert_eq!(accepted.epoch, 1);
    alice.mls().merge(space);

    // The welcome waits in Bob's inbox only.
    assert!(carol.welcomes().await.welcomes.is_empty());
    assert!(alice.welcomes().await.welcomes.is_empty());
    let page = bob.welcomes().await;
    assert_eq!(page.welcomes.len(), 1);
    let welcome = &page.welcomes[0];
    assert_eq!((welcome.space, welcome.epoch), (space, 1));
    assert_eq!(Some(&welcome.bytes), upload.welcome.as_ref());
    // Nobody else deletes it.
    let response = carol
        .delete(&format!("/v1/welcomes/{}", welcome.id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(bob.accept_welcomes().await, [space]);
    assert!(bob.welcomes().await.welcomes.is_empty());
    assert_eq!(
        bob.mls().members(space),
        alice.mls().members(space),
        "one group"
    );

    // Bob reads and writes at once, under the epoch key he shares with Alice.
    assert_eq!(bob.pull_all(space).await.len(), 1);
    let from_bob = bob.sealed(space, b"from bob");
    assert_eq!(seq_of(&bob.push(space, &[from_bob]).await[0]), 2);
    let log = alice.pull_all(space).await;
    let envelope = Envelope::decode(&log[1].1).unwrap();
    let content = envelope
        .open(&bob.device.certificate, &alice.mls().epoch_key(space))
        .unwrap();
    assert_eq!(content.body, b"from bob");
    let spaces: SpacesResponse = bob
        .get("/v1/spaces")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spaces.spaces.len(), 1);
    assert_eq!(spaces.spaces[0].epoch, 1);

    // Carol, not added, can do neither.
    assert_eq!(
        carol.pull_raw(space, 0).await.status(),
        StatusCode::FORBIDDEN
    );
    let key = alice.mls().epoch_key(space);
    let envelope = carol.device.envelope(space, 1, &key, b"carol");
    assert_eq!(
        carol.push_raw(space, &[envelope]).await.status(),
        StatusCode::FORBIDDEN
    );
    relay.stop().await;
}

#[tokio::test]
async fn group_infos_that_do_not_hold_are_refused() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    let key = &alice.device.signing;
    let refused = |response: Response, expected: StatusCode| async move {
        let (status, body) = error_of(response).await;
        assert_eq!(status, expected, "{body:?}");
        body.message
    };

    let space = SpaceId::random().unwrap();
    alice.mls().create(alice.device.id, key, space);
    // Not an MLS message.
    let message = refused(
        alice.create_space_raw(space, b"not a group info").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.contains("not an MLS message"), "{message}");
    // Without its ratchet tree.
    let bare = alice.mls().group_info_without_tree(key, space);
    let message = refused(
        alice.create_space_raw(space, &bare).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.contains("ratchet tree"), "{message}");
    // For another space.
    let info = alice.mls().group_info(key, space);
    let elsewhere = SpaceId::random().unwrap();
    let message = refused(
        alice.create_space_raw(elsewhere, &info).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.contains("space's id"), "{message}");
    // Altered: a byte flipped in the tree, the signature.
    for at in [info.len() / 2, info.len() - 1] {
        let mut altered = info.clone();
        altered[at] ^= 1;
        refused(
            alice.create_space_raw(space, &altered).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    // Alice's group info sent by Bob.
    let message = refused(
        bob.create_space_raw(space, &info).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(message.contains("not signed by this device"), "{message}");
    // Alice's leaf under a key that is not her enrolled one.
    let other = SigningKey::generate().unwrap();
    let mut forged = Mls::default();
    forged.create_as(credential(alice.device.id, &other), &other, space);
    refused(
        alice
            .create_space_raw(space, &forged.group_info(&other, space))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // A group with a device that is not enrolled.
    let stranger = Device::new();
    let mut with_stranger = Mls::default();
    with_stranger.create(alice.device.id, key, space);
    let package = Mls::default().key_package(stranger.id, &stranger.signing);
    with_stranger.add(key, space, &[package]);
    with_stranger.merge(space);
    let message = refused(
        alice
            .create_space_raw(space, &with_stranger.group_info(key, space))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(message.contains("not enrolled"), "{message}");
    // Nothing of these made a space.
    let spaces: SpacesResponse = alice
        .get("/v1/spaces")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spaces.spaces.is_empty());

    // A group past epoch 0, with Bob in it, makes a space at that epoch with both members.
    bob.publish_key_packages(1).await;
    let package = alice.fetch_key_package(bob.device.id).await;
    let upload = alice.mls().add(key, space, &[package]);
    alice.mls().merge(space);
    let second = alice.mls().update(key, space);
    alice.mls().merge(space);
    let info = alice.mls().group_info(key, space);
    let response = alice.create_space_raw(space, &info).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let summary: SpaceSummary = response.json().await.unwrap();
    assert_eq!(summary.epoch, 2);
    // Bob joins from the welcome Alice hands him herself, and both write at epoch 2.
    bob.mls().join(upload.welcome.as_ref().unwrap());
    assert_eq!(bob.mls().process(space, &second.commit), 2);
    alice.push(space, &[alice.sealed(space, b"a")]).await;
    assert_eq!(
        seq_of(&bob.push(space, &[bob.sealed(space, b"b")]).await[0]),
        2
    );
    assert_eq!(alice.update(space).await, StatusCode::OK);
    relay.stop().await;
}

#[tokio::test]
async fn commits_that_do_not_hold_are_refused_and_the_space_goes_on() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    let mallory = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    assert_eq!(alice.add(space, &bob).await, StatusCode::OK);
    let key = &alice.device.signing;
    let refused = |response: Response, expected: StatusCode| async move {
        let (status, body) = error_of(response).await;
        assert_eq!(status, expected, "{body:?}");
        assert!(!body.message.is_empty());
        body.message
    };
    let post = |client: &Client, epoch: u64, body: Vec<u8>| {
        client
            .post(&format!("/v1/spaces/{space}/commits?epoch={epoch}"))
            .body(body)
            .send()
    };

    // Not a commit upload; an upload whose commit is not MLS; an empty one; no epoch.
    refused(
        post(&alice, 1, b"commit".to_vec()).await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    let garbage = CommitUpload {
        commit: vec![0, 1, 0, 1, 7, 7, 7],
        welcome: None,
    };
    refused(
        alice.commit_raw(space, 1, &garbage).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let empty = CommitUpload {
        commit: vec![],
        welcome: None,
    };
    refused(
        alice.commit_raw(space, 1, &empty).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let response = alice
        .post(&format!("/v1/spaces/{space}/commits"))
        .body(garbage.encode())
        .send()
        .await
        .unwrap();
    refused(response, StatusCode::BAD_REQUEST).await;

    // A valid commit of Alice's, altered: its group id, its content, its signature. (Its last
    // 66 bytes, the confirmation and membership tags, are MACs under the epoch's secrets, which
    // the relay does not hold: members check them.)
    let upload = alice.mls().update(key, space);
    alice.mls().discard(space);
    for at in [20, upload.commit.len() / 2, upload.commit.len() - 100] {
        let mut altered = upload.clone();
        altered.commit[at] ^= 1;
        refused(
            alice.commit_raw(space, 1, &altered).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    // Alice's commit sent by Bob, a member: not his to send.
    let message = refused(
        bob.commit_raw(space, 1, &upload).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(message.contains("another member's leaf"), "{message}");
    // A commit signed by a non-member: Mallory's own group under the space's id, at its epoch.
    {
        let mut mls = mallory.mls();
        mls.create(mallory.device.id, &mallory.device.signing, space);
        mls.update(&mallory.device.signing, space);
        mls.merge(space);
    }
    let forged = mallory.mls().update(&mallory.device.signing, space);
    let message = refused(
        alice.commit_raw(space, 1, &forged).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.contains("does not verify"), "{message}");
    refused(
        mallory.commit_raw(space, 1, &forged).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // A proposal, not a commit.
    let proposal = alice.mls().proposal(key, space);
    let message = refused(
        alice
            .commit_raw(
                space,
                1,
                &CommitUpload {
                    commit: proposal,
                    welcome: None,
                },
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.contains("not a commit"), "{message}");
    // A commit of another space of Alice's.
    let other = alice.create_space().await;
    let elsewhere = alice.mls().update(key, other);
    alice.mls().discard(other);
    let message = refused(
        alice.commit_raw(space, 1, &elsewhere).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.contains("another group"), "{message}");
    // A welcome with a commit that adds nobody; a welcome that is not the commit's.
    let mut with_welcome = alice.mls().update(key, space);
    alice.mls().discard(space);
    let carol = Client::join(&relay.url, relay.dir.path()).await;
    let dave = Client::join(&relay.url, relay.dir.path()).await;
    carol.publish_key_packages(1).await;
    dave.publish_key_packages(1).await;
    let for_carol = alice.fetch_key_package(carol.device.id).await;
    let for_dave = alice.fetch_key_package(dave.device.id).await;
    let adds_carol = alice.mls().add(key, space, &[for_carol]);
    alice.mls().discard(space);
    with_welcome.welcome = adds_carol.welcome.clone();
    let message = refused(
        alice.commit_raw(space, 1, &with_welcome).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.contains("adds devices"), "{message}");
    let mut adds_dave = alice.mls().add(key, space, &[for_dave]);
    alice.mls().discard(space);
    adds_dave.welcome = adds_carol.welcome.clone();
    let message = refused(
        alice.commit_raw(space, 1, &adds_dave).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.contains("exactly the key packages"), "{message}");

    // None of these moved the space: Bob's valid commit for epoch 1 is taken.
    assert_eq!(carol.welcomes().await.welcomes.len(), 0);
    assert_eq!(dave.welcomes().await.welcomes.len(), 0);
    assert_eq!(bob.pull_raw(space, 0).await.status(), StatusCode::OK);
    let accepted = bob.mls().update(&bob.device.signing, space);
    let response = bob.commit_raw(space, 1, &accepted).await;
    assert_eq!(response.status(), StatusCode::OK);
    bob.mls().merge(space);
    alice.catch_up(space).await;
    assert_eq!(alice.mls().epoch(space), 2);

    // Replayed: for its own, past epoch, 409 with the current one; sent as the current
    // epoch's, refused, and the space still goes on.
    let (status, body) = error_of(bob.commit_raw(space, 1, &accepted).await).await;
    assert_error(status, &body, StatusCode::CONFLICT, ErrorKind::Conflict);
    assert_eq!(body.epoch, Some(2));
    let message = refused(
        bob.commit_raw(space, 2, &accepted).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.contains("made at epoch 1"), "{message}");
    assert_eq!(alice.update(space).await, StatusCode::OK);
    bob.catch_up(space).await;
    assert_eq!(bob.mls().epoch(space), 3);
    let page = bob.commits(space, 0).await;
    assert_eq!(
        page.commits.iter().map(|c| c.epoch).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    relay.stop().await;
}

#[tokio::test]
async fn key_packages_are_checked_kept_within_a_limit_and_each_handed_out_once() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    let refused = |response: Response| async move {
        let (status, body) = error_of(response).await;
        assert_error(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            ErrorKind::BadRequest,
        );
        body.message
    };

    // Alice's key package, published by Bob.
    let message = refused(bob.publish_raw(vec![alice.key_package()]).await).await;
    assert!(message.contains("another device"), "{message}");
    // Bob's leaf under a key that is not his enrolled one.
    let other = SigningKey::generate().unwrap();
    let wrong_key = bob
        .mls()
        .key_package_as(credential(bob.device.id, &other), &other);
    let message = refused(bob.publish_raw(vec![wrong_key]).await).await;
    assert!(message.contains("enrolled key"), "{message}");
    // Tampered, anywhere; not a key package; not a batch.
    let good = bob.key_package();
    for at in [10, good.len() / 2, good.len() - 1] {
        let mut tampered = good.clone();
        tampered[at] ^= 1;
        refused(bob.publish_raw(vec![tampered]).await).await;
    }
    refused(bob.publish_raw(vec![b"not a key package".to_vec()]).await).await;
    let response = bob
        .post("/v1/keypackages")
        .body(b"\xff\xff".to_vec())
        .send()
        .await
        .unwrap();
    refused(response).await;
    // One bad package refuses the batch: nothing of it is kept.
    let message = refused(bob.publish_raw(vec![good.clone(), b"bad".to_vec()]).await).await;
    assert!(message.contains("key package 1"), "{message}");
    let (status, _) = error_of(alice.fetch_key_package_raw(bob.device.id).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // At most the limit per device; handed out oldest first, each once.
    let limit = usize::try_from(MAX_KEY_PACKAGES_PER_DEVICE).unwrap();
    let mut packages = vec![good];
    packages.extend((1..limit).map(|_| bob.key_package()));
    let response = bob.publish_raw(packages.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let stored: KeyPackagesStored = response.json().await.unwrap();
    assert_eq!(
        stored,
        KeyPackagesStored {
            added: MAX_KEY_PACKAGES_PER_DEVICE,
            held: MAX_KEY_PACKAGES_PER_DEVICE
        }
    );
    let (status, body) = error_of(bob.publish_raw(vec![bob.key_package()]).await).await;
    assert_error(
        status,
        &body,
        StatusCode::INSUFFICIENT_STORAGE,
        ErrorKind::QuotaExceeded,
    );
    for expected in packages.iter().take(3) {
        assert_eq!(&alice.fetch_key_package(bob.device.id).await, expected);
    }
    // Room again for one more.
    assert_eq!(
        bob.publish_key_packages(1).await.held,
        MAX_KEY_PACKAGES_PER_DEVICE - 2
    );
    // A device takes its own too, if it asks.
    assert_eq!(bob.fetch_key_package(bob.device.id).await, packages[3]);
    relay.stop().await;
}

/// Refused with `expected` and its kind; the error body.
async fn refused_with(response: Response, expected: StatusCode, kind: ErrorKind) -> ErrorBody {
    let (status, body) = error_of(response).await;
    assert_error(status, &body, expected, kind);
    body
}

#[tokio::test]
async fn deposit_keys_are_published_by_members_at_the_current_epoch_and_read_by_any_device() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    let carol = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let at_0 = alice.mls().epoch_key(space);
    assert_eq!(alice.add(space, &bob).await, StatusCode::OK);

    // None published yet: an empty list, to any enrolled device; an unknown space is 404.
    assert!(carol.deposit_keys(space).await.is_empty());
    refused_with(
        carol.deposit_keys_raw(SpaceId::random().unwrap()).await,
        StatusCode::NOT_FOUND,
        ErrorKind::NotFound,
    )
    .await;

    // Alice's key of another space of hers.
    let other = alice.create_space().await;
    let body = refused_with(
        alice
            .publish_deposit_key_raw(space, alice.deposit_key(other))
            .await,
        StatusCode::BAD_REQUEST,
        ErrorKind::BadRequest,
    )
    .await;
    assert!(body.message.contains("another space"), "{}", body.message);
    // Bob's key, signed by Bob, published by Alice.
    let body = refused_with(
        alice
            .publish_deposit_key_raw(space, bob.deposit_key(space))
            .await,
        StatusCode::FORBIDDEN,
        ErrorKind::Forbidden,
    )
    .await;
    assert!(body.message.contains("signer"), "{}", body.message);
    // A key naming Alice's device, signed by Bob's.
    let secret = DepositSecret::derive(space, 1, &alice.mls().epoch_key(space)).unwrap();
    let forged = DepositKey::issue(&secret, alice.device.id, &bob.device.signing).unwrap();
    let body = refused_with(
        alice
            .publish_deposit_key_raw(space, forged.bytes().to_vec())
            .await,
        StatusCode::BAD_REQUEST,
        ErrorKind::BadRequest,
    )
    .await;
    assert!(body.message.contains("signature"), "{}", body.message);
    // Alice's own, its signature altered.
    let mut tampered = alice.deposit_key(space);
    *tampered.last_mut().unwrap() ^= 1;
    refused_with(
        alice.publish_deposit_key_raw(space, tampered).await,
        StatusCode::BAD_REQUEST,
        ErrorKind::BadRequest,
    )
    .await;
    // Of an epoch the space has left, or not reached: 409 with the current one.
    for (epoch, key) in [(0, at_0), (2, SecretKey::generate().unwrap())] {
        let body = refused_with(
            alice
                .publish_deposit_key_raw(space, alice.device.deposit_key(space, epoch, &key))
                .await,
            StatusCode::CONFLICT,
            ErrorKind::Conflict,
        )
        .await;
        assert_eq!(body.epoch, Some(1));
    }
    // Carol's own key of the space: she is not a member.
    refused_with(
        carol
            .publish_deposit_key_raw(
                space,
                carol
                    .device
                    .deposit_key(space, 1, &SecretKey::generate().unwrap()),
            )
            .await,
        StatusCode::FORBIDDEN,
        ErrorKind::Forbidden,
    )
    .await;
    // Not a deposit key; larger than one.
    refused_with(
        alice
            .publish_deposit_key_raw(space, b"not a key".to_vec())
            .await,
        StatusCode::BAD_REQUEST,
        ErrorKind::BadRequest,
    )
    .await;
    refused_with(
        alice
            .publish_deposit_key_raw(space, vec![1; MAX_DEPOSIT_KEY_BYTES + 1])
            .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::TooLarge,
    )
    .await;
    // None of these was kept.
    assert!(carol.deposit_keys(space).await.is_empty());

    // Both members publish (Alice twice: her second replaces her first); Carol reads both.
    alice.publish_deposit_key(space).await;
    bob.publish_deposit_key(space).await;
    alice.publish_deposit_key(space).await;
    let keys = carol.deposit_keys(space).await;
    assert_eq!(keys.len(), 2);
    for key in &keys {
        assert_eq!((key.space, key.epoch), (space, 1));
        let signer = [&alice, &bob]
            .into_iter()
            .find(|c| c.device.id == key.signer)
            .expect("a member's key");
        key.verify(&signer.device.certificate).unwrap();
    }
    assert_ne!(keys[0].signer, keys[1].signer);

    // The space moves on (no one removed): the keys of epoch 1 are served until one of epoch 2
    // is, then only those; Bob's of epoch 1 is too late now.
    assert_eq!(alice.update(space).await, StatusCode::OK);
    assert_eq!(carol.deposit_keys(space).await.len(), 2);
    alice.publish_deposit_key(space).await;
    let keys = carol.deposit_keys(space).await;
    assert_eq!(keys.len(), 1);
    assert_eq!((keys[0].signer, keys[0].epoch), (alice.device.id, 2));
    let body = refused_with(
        bob.publish_deposit_key_raw(space, bob.deposit_key(space))
            .await,
        StatusCode::CONFLICT,
        ErrorKind::Conflict,
    )
    .await;
    assert_eq!(body.epoch, Some(2));
    bob.catch_up(space).await;
    bob.publish_deposit_key(space).await;
    let keys = carol.deposit_keys(space).await;
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|k| k.epoch == 2));
    relay.stop().await;
}

fn refused_reason(outcome: &PushOutcome) -> (RefusalReason, &str) {
    match outcome {
        PushOutcome::Refused { reason, message } => (*reason, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn once_a_member_is_removed_deposits_sealed_to_earlier_keys_are_refused_and_its_key_is_not_served()
 {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    let dave = Client::join(&relay.url, relay.dir.path()).await;
    let carol = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let at_0 = alice.mls().epoch_key(space);
    assert_eq!(alice.add(space, &bob).await, StatusCode::OK);
    assert_eq!(alice.add(space, &dave).await, StatusCode::OK);

    // Only additions so far: a deposit sealed to the key of epoch 0 is still taken.
    let outcomes = carol
        .deposit(space, &[carol.device.deposit(space, 0, &at_0, b"one")])
        .await;
    assert_eq!(seq_of(&outcomes[0]), 1);
    alice.publish_deposit_key(space).await;
    bob.catch_up(space).await;
    bob.publish_deposit_key(space).await;
    assert_eq!(carol.deposit_keys(space).await.len(), 2);
    let at_2 = alice.mls().epoch_key(space);

    // Alice removes Bob: the space is at epoch 3.
    assert_eq!(alice.remove(space, &[bob.device.id]).await, StatusCode::OK);
    assert_eq!(alice.mls().epoch(space), 3);
    // Sealed to keys Bob knew: refused, each saying what to do; nothing appended.
    let outcomes = carol
        .deposit(
            space,
            &[
                carol.device.deposit(space, 2, &at_2, b"two"),
                carol.device.deposit(space, 0, &at_0, b"three"),
            ],
        )
        .await;
    for outcome in &outcomes {
        let (reason, message) = refused_reason(outcome);
        assert_eq!(reason, RefusalReason::StaleDepositKey);
        assert!(
            message.contains(&format!("/v1/spaces/{space}/deposit-key")),
            "{message}"
        );
    }
    assert_eq!(alice.pull_all(space).await.len(), 1);
    // Neither Bob's key nor any other published before his removal is served; Bob publishes
    // no more.
    assert!(carol.deposit_keys(space).await.is_empty());
    refused_with(
        bob.publish_deposit_key_raw(space, bob.deposit_key(space))
            .await,
        StatusCode::FORBIDDEN,
        ErrorKind::Forbidden,
    )
    .await;
    assert!(carol.deposit_keys(space).await.is_empty());

    // Alice publishes the key of epoch 3: served alone, and a deposit sealed to it is taken.
    alice.publish_deposit_key(space).await;
    let keys = carol.deposit_keys(space).await;
    assert_eq!(keys.len(), 1);
    assert_eq!((keys[0].signer, keys[0].epoch), (alice.device.id, 3));
    let at_3 = alice.mls().epoch_key(space);
    let outcomes = carol
        .deposit(space, &[carol.device.deposit(space, 3, &at_3, b"four")])
        .await;
    assert_eq!(seq_of(&outcomes[0]), 2);

    // A later commit that only adds a device changes neither.
    let erin = Client::join(&relay.url, relay.dir.path()).await;
    assert_eq!(alice.add(space, &erin).await, StatusCode::OK);
    let outcomes = carol
        .deposit(space, &[carol.device.deposit(space, 3, &at_3, b"five")])
        .await;
    assert_eq!(seq_of(&outcomes[0]), 3);
    let keys = carol.deposit_keys(space).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].epoch, 3);
    assert_eq!(alice.pull_all(space).await.len(), 3);
    relay.stop().await;
}

#[tokio::test]
async fn a_sync_start_tells_a_removed_device_which_spaces_it_was_removed_from() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    let kept = alice.create_space().await;
    let left = alice.create_space().await;
    assert_eq!(alice.add(kept, &bob).await, StatusCode::OK);
    assert_eq!(alice.add(left, &bob).await, StatusCode::OK);
    let unknown = SpaceId::random().unwrap();
    let asked = vec![(kept, 1), (left, 1), (unknown, 0), (left, 1)];

    // In both: nothing removed.
    let start = bob.start(asked.clone()).await;
    assert!(start.removed.is_empty(), "{:?}", start.removed);
    assert_eq!(start.spaces.len(), 2);

    assert_eq!(alice.remove(left, &[bob.device.id]).await, StatusCode::OK);
    let start = bob.start(asked).await;
    assert_eq!(start.removed, [left]);
    assert_eq!(
        start.spaces.iter().map(|s| s.space).collect::<Vec<_>>(),
        [kept]
    );
    assert!(start.commits.is_empty());
    // Alice, still in both, is told of the commit she is behind on, and of no removal.
    let start = alice.start(vec![(kept, 1), (left, 1)]).await;
    assert!(start.removed.is_empty());
    assert_eq!(start.commits.len(), 1);
    assert_eq!(start.commits[0].0, left);
    relay.stop().await;
}
