//! The relay's API, served in this process on 127.0.0.1:0, driven over real HTTP.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use diplomatie_crypto::{SecretKey, SigningKey, hex};
use diplomatie_protocol::relay::{
    CommitAccepted, EnvelopePage, ErrorKind, PushOutcome, RefusalReason, SpacesResponse,
};
use diplomatie_protocol::{Envelope, SpaceId};
use serde_json::json;

#[tokio::test]
async fn enrol_open_a_session_create_a_space_push_and_pull() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let key = SecretKey::generate().unwrap();
    let batch: Vec<Vec<u8>> = (0..3)
        .map(|i| {
            alice
                .device
                .envelope(space, 0, &key, format!("item {i}").as_bytes())
        })
        .collect();
    let outcomes = alice.push(space, &batch).await;
    let seqs: Vec<u64> = outcomes.iter().map(seq_of).collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert!(outcomes.iter().all(|o| matches!(
        o,
        PushOutcome::Accepted {
            duplicate: false,
            ..
        }
    )));

    // The same batch again: the same seqs, marked as duplicates, nothing added.
    let again = alice.push(space, &batch).await;
    assert_eq!(again.iter().map(seq_of).collect::<Vec<_>>(), seqs);
    assert!(again.iter().all(|o| matches!(
        o,
        PushOutcome::Accepted {
            duplicate: true,
            ..
        }
    )));

    let log = alice.pull_all(space).await;
    assert_eq!(log.len(), 3);
    for ((seq, bytes), (expected_seq, sent)) in log.iter().zip(seqs.iter().zip(&batch)) {
        assert_eq!(seq, expected_seq);
        assert_eq!(bytes, sent, "served exactly as sent");
        let envelope = Envelope::decode(bytes).unwrap();
        envelope.open(&alice.device.certificate, &key).unwrap();
    }
    // Pages: after and limit.
    let page = alice
        .get(&format!("/v1/spaces/{space}/envelopes?after=1&limit=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["content-type"], "application/octet-stream");
    let page = EnvelopePage::decode(&page.bytes().await.unwrap()).unwrap();
    assert_eq!(page.envelopes.len(), 1);
    assert_eq!(page.envelopes[0].0, 2);
    assert_eq!(page.next, Some(2));
    assert_eq!(page.head, 3);

    let spaces: SpacesResponse = alice
        .get("/v1/spaces")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spaces.spaces.len(), 1);
    assert_eq!(spaces.spaces[0].space, space);
    assert_eq!(spaces.spaces[0].head, 3);

    // A second member, added by an MLS commit, reads the same log and writes at the new epoch.
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    assert_eq!(alice.add(space, &bob).await, StatusCode::OK);
    assert_eq!(bob.pull_all(space).await, log);
    let from_bob = bob.sealed(space, b"from bob");
    assert_eq!(seq_of(&bob.push(space, &[from_bob]).await[0]), 4);

    // The space exists: creating it again, even from a valid group, is a conflict.
    let mut other = common::mls::Mls::default();
    other.create(bob.device.id, &bob.device.signing, space);
    let info = other.group_info(&bob.device.signing, space);
    let (status, body) = error_of(bob.create_space_raw(space, &info).await).await;
    assert_error(status, &body, StatusCode::CONFLICT, ErrorKind::Conflict);
    relay.stop().await;
}

#[tokio::test]
async fn only_members_read_or_write_and_a_removed_member_is_refused_at_once() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let mallory = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let key = SecretKey::generate().unwrap();
    alice
        .push(space, &[alice.device.envelope(space, 0, &key, b"a")])
        .await;

    let (status, body) = error_of(mallory.pull_raw(space, 0).await).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, ErrorKind::Forbidden);
    let envelope = mallory.device.envelope(space, 0, &key, b"m");
    let (status, body) = error_of(mallory.push_raw(space, &[envelope]).await).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, ErrorKind::Forbidden);
    // Nor commit (even a commit of its own group under the space's id), nor read commits.
    mallory
        .mls()
        .create(mallory.device.id, &mallory.device.signing, space);
    let upload = mallory.mls().update(&mallory.device.signing, space);
    let (status, body) = error_of(mallory.commit_raw(space, 0, &upload).await).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, ErrorKind::Forbidden);
    let response = mallory
        .get(&format!("/v1/spaces/{space}/commits"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Nor does a space it does not know exist look any different.
    let unknown = SpaceId::random().unwrap();
    assert_eq!(
        mallory.pull_raw(unknown, 0).await.status(),
        StatusCode::FORBIDDEN
    );
    // Membership changes only by commits: the member routes are gone.
    let response = mallory
        .post(&format!("/v1/spaces/{space}/members"))
        .json(&json!({ "device": mallory.device.id.hex() }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = alice
        .delete(&format!("/v1/spaces/{space}/members/{}", alice.device.id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // Bob is added, reads, is removed: refused at once.
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    assert_eq!(alice.add(space, &bob).await, StatusCode::OK);
    assert_eq!(bob.pull_raw(space, 0).await.status(), StatusCode::OK);
    assert_eq!(alice.remove(space, &[bob.device.id]).await, StatusCode::OK);
    assert_eq!(bob.pull_raw(space, 0).await.status(), StatusCode::FORBIDDEN);
    let envelope = bob.sealed(space, b"b");
    assert_eq!(
        bob.push_raw(space, &[envelope]).await.status(),
        StatusCode::FORBIDDEN
    );
    let spaces: SpacesResponse = bob
        .get("/v1/spaces")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spaces.spaces.is_empty());
    assert_eq!(alice.pull_all(space).await.len(), 1);

    // Only an enrolled device can be added: the commit is refused, and the space goes on.
    let stranger = Device::new();
    let package = alice.mls().key_package(stranger.id, &stranger.signing);
    let upload = alice.mls().add(&alice.device.signing, space, &[package]);
    let (status, body) = error_of(alice.commit_raw(space, 2, &upload).await).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, ErrorKind::Forbidden);
    assert!(body.message.contains("not enrolled"), "{}", body.message);
    alice.mls().discard(space);
    assert_eq!(alice.update(space).await, StatusCode::OK);
    relay.stop().await;
}

#[tokio::test]
async fn sessions_need_an_enrolled_device_a_fresh_invitation_and_the_right_signature() {
    let relay = InProcess::start().await;
    let url = &relay.url;

    // Not enrolled: no challenge, hence no session.
    let stranger = Device::new();
    let (status, body) = error_of(challenge(url, stranger.id).await).await;
    assert_error(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        ErrorKind::Unauthorized,
    );

    // An invitation is used once.
    let alice = Device::new();
    let token = relay.invite();
    assert_eq!(
        enrol(url, &alice, &token).await.status(),
        StatusCode::CREATED
    );
    let bob = Device::new();
    let (status, body) = error_of(enrol(url, &bob, &token).await).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, ErrorKind::Forbidden);
    assert!(body.message.contains("already used"), "{}", body.message);
    // An expired or unknown one is refused.
    let expired = expired_invite(relay.dir.path());
    let (status, body) = error_of(enrol(url, &bob, &expired).await).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, ErrorKind::Forbidden);
    assert!(body.message.contains("expired"), "{}", body.message);
    let (status, _) = error_of(enrol(url, &bob, &"00".repeat(32)).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A tampered certificate is refused, and the token it came with stays usable.
    let token = relay.invite();
    let mut certificate = bob.certificate.bytes().to_vec();
    let last = certificate.len() - 1;
    certificate[last] ^= 1;
    let response = http()
        .post(format!("{url}/v1/enrol"))
        .json(&json!({ "token": token, "certificate": hex::encode(&certificate) }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(enrol(url, &bob, &token).await.status(), StatusCode::CREATED);

    // A challenge signed by another key is refused, and cannot be tried again.
    let other = SigningKey::generate().unwrap();
    let (status, body) = error_of(session_with(url, alice.id, &other).await).await;
    assert_error(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        ErrorKind::Unauthorized,
    );
    // Bob's key does not open Alice's session either.
    let (status, _) = error_of(session_with(url, alice.id, &bob.signing).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A challenge is single-use.
    let response = challenge(url, alice.id).await;
    let c: diplomatie_protocol::relay::ChallengeResponse = response.json().await.unwrap();
    let signature = alice
        .signing
        .sign_as(diplomatie_crypto::Context::RelayAuth, &c.challenge);
    let request = json!({
        "device": alice.id.hex(),
        "challenge": hex::encode(&c.challenge),
        "signature": hex::encode(&signature),
    });
    let first = http()
        .post(format!("{url}/v1/auth/session"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let second = http()
        .post(format!("{url}/v1/auth/session"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::UNAUTHORIZED);

    // Without a session, or with a made-up one: 401.
    let response = http().get(format!("{url}/v1/spaces")).send().await.unwrap();
    let (status, body) = error_of(response).await;
    assert_error(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        ErrorKind::Unauthorized,
    );
    let response = http()
        .get(format!("{url}/v1/spaces"))
        .bearer_auth(&"00".repeat(32))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    relay.stop().await;
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    // Sessions end on whole seconds: 3 s leave room for a loaded machine to use it first.
    let relay = InProcess::start_with(|c| c.session_ttl = Duration::from_secs(3)).await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    assert_eq!(
        alice.get("/v1/spaces").send().await.unwrap().status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(4100)).await;
    assert_eq!(
        alice.get("/v1/spaces").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    relay.stop().await;
}

#[tokio::test]
async fn tampered_misattributed_oversized_and_stale_envelopes_are_refused_and_the_log_is_unchanged()
{
    let max_envelope = 64 * 1024;
    let max_body = 256 * 1024;
    let relay = InProcess::start_with(|c| {
        c.max_envelope_bytes = max_envelope;
        c.max_body_bytes = max_body;
    })
    .await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let other_space = alice.create_space().await;
    assert_eq!(alice.add(space, &bob).await, StatusCode::OK);
    // The space is at epoch 1 now.
    let key = SecretKey::generate().unwrap();
    let first = alice.device.envelope(space, 1, &key, b"first");
    alice.push(space, std::slice::from_ref(&first)).await;
    let before = alice.pull_all(space).await;

    // One byte flipped, anywhere: header, sealed content, signature.
    let good = alice.device.envelope(space, 1, &key, b"to be altered");
    for at in [1, good.len() / 2, good.len() - 1] {
        let mut tampered = good.clone();
        tampered[at] ^= 0x01;
        let outcomes = alice.push(space, &[tampered]).await;
        assert!(
            matches!(outcomes[0], PushOutcome::Refused { .. }),
            "byte {at}: {outcomes:?}"
        );
    }
    let mut tampered = good.clone();
    let middle = good.len() / 2;
    tampered[middle] ^= 0x01;
    assert_refused(
        &alice.push(space, &[tampered]).await[0],
        RefusalReason::BadSignature,
    );
    // Garbage.
    assert_refused(
        &alice.push(space, &[vec![1, 2, 3]]).await[0],
        RefusalReason::Malformed,
    );
    // Alice's envelope pushed by Bob; Bob's naming Alice as its sender.
    assert_refused(
        &bob.push(space, std::slice::from_ref(&good)).await[0],
        RefusalReason::WrongSender,
    );
    let forged = bob
        .device
        .envelope_as(alice.device.id, space, 1, &key, b"forged");
    assert_refused(
        &bob.push(space, std::slice::from_ref(&forged)).await[0],
        RefusalReason::WrongSender,
    );
    assert_refused(
        &alice.push(space, &[forged]).await[0],
        RefusalReason::BadSignature,
    );
    // Addressed to another space.
    let elsewhere = alice.device.envelope(other_space, 0, &key, b"elsewhere");
    assert_refused(
        &alice.push(space, &[elsewhere]).await[0],
        RefusalReason::WrongSpace,
    );
    // Larger than the relay takes, inside a body it takes.
    let big = alice
        .device
        .envelope(space, 1, &key, &vec![7u8; max_envelope + 1]);
    assert_refused(&alice.push(space, &[big]).await[0], RefusalReason::TooLarge);
    // A body larger than the relay takes: 413.
    let bodies: Vec<Vec<u8>> = (0..5)
        .map(|_| {
            alice
                .device
                .envelope(space, 1, &key, &vec![7u8; max_envelope - 200])
        })
        .collect();
    let (status, body) = error_of(alice.push_raw(space, &bodies).await).await;
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::TooLarge,
    );

    // An older epoch, once a commit moved the space on; a later one too.
    assert_eq!(alice.update(space).await, StatusCode::OK);
    let stale = alice.device.envelope(space, 1, &key, b"stale");
    assert_refused(
        &alice.push(space, &[stale]).await[0],
        RefusalReason::StaleEpoch,
    );
    let future = alice.device.envelope(space, 5, &key, b"future");
    assert_refused(
        &alice.push(space, &[future]).await[0],
        RefusalReason::FutureEpoch,
    );
    // ... but an envelope already taken at the old epoch is still answered with its seq.
    assert_eq!(seq_of(&alice.push(space, &[first]).await[0]), 1);

    assert_eq!(alice.pull_all(space).await, before, "the log is unchanged");
    // A refusal does not spoil the rest of its batch.
    let fresh = alice.device.envelope(space, 2, &key, b"fresh");
    let outcomes = alice.push(space, &[vec![9, 9], fresh]).await;
    assert_refused(&outcomes[0], RefusalReason::Malformed);
    assert_eq!(seq_of(&outcomes[1]), 2);
    relay.stop().await;
}

/// The body limit holds before the body is read: a client announcing a huge body and sending
/// only part of it gets its 413 without sending the rest.
#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_read_whole() {
    let relay = InProcess::start_with(|c| {
        c.max_envelope_bytes = 64 * 1024;
        c.max_body_bytes = 128 * 1024;
    })
    .await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let head = format!(
        "POST /v1/spaces/{space}/envelopes HTTP/1.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/octet-stream\r\n",
        alice.token
    );
    for announce in [true, false] {
        // Up to 256 KiB sent (far less than announced), then the answer.
        let text = answer_before_the_body_ends(&relay.url, &head, announce).await;
        assert!(text.starts_with("HTTP/1.1 413"), "{text}");
        assert!(text.contains("too_large"), "{text}");
    }
    assert!(alice.pull_all(space).await.is_empty());
    relay.stop().await;
}

#[tokio::test]
async fn of_two_commits_for_one_epoch_exactly_one_is_accepted_and_the_loser_commits_again() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let bob = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    assert_eq!(alice.add(space, &bob).await, StatusCode::OK);
    let mut epoch = 1;
    for round in 0..4 {
        let from_alice = alice.mls().update(&alice.device.signing, space);
        let from_bob = bob.mls().update(&bob.device.signing, space);
        let (a, b) = tokio::join!(
            alice.commit_raw(space, epoch, &from_alice),
            bob.commit_raw(space, epoch, &from_bob)
        );
        let statuses = [a.status(), b.status()];
        assert!(
            statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT),
            "round {round}: {statuses:?}"
        );
        let (winner, loser, won, lost) = if a.status() == StatusCode::OK {
            (&alice, &bob, a, b)
        } else {
            (&bob, &alice, b, a)
        };
        let accepted: CommitAccepted = won.json().await.unwrap();
        assert_eq!(accepted.epoch, epoch + 1);
        winner.mls().merge(space);
        let (status, body) = error_of(lost).await;
        assert_error(status, &body, StatusCode::CONFLICT, ErrorKind::Conflict);
        assert_eq!(body.epoch, Some(epoch + 1));
        // The loser forgets its commit, processes the winner's with openmls, and commits again.
        loser.mls().discard(space);
        loser.catch_up(space).await;
        assert_eq!(loser.mls().epoch(space), epoch + 1);
        assert_eq!(loser.update(space).await, StatusCode::OK);
        winner.catch_up(space).await;
        epoch += 2;
        assert_eq!(alice.mls().epoch(space), epoch);
        assert_eq!(bob.mls().epoch(space), epoch);
        assert_eq!(
            alice.mls().epoch_key(space).expose(),
            bob.mls().epoch_key(space).expose()
        );
    }
    // A late commit for an old epoch: 409 with the current one.
    let late = alice.mls().update(&alice.device.signing, space);
    let (status, body) = error_of(alice.commit_raw(space, 2, &late).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body.epoch, Some(epoch));
    alice.mls().discard(space);

    // The commits, in order, from any epoch on.
    let page = bob.commits(space, 2).await;
    assert_eq!(page.epoch, epoch);
    assert_eq!(
        page.commits.iter().map(|c| c.epoch).collect::<Vec<_>>(),
        (2..epoch).collect::<Vec<_>>()
    );
    assert_eq!(page.next, None);
    assert!(
        page.commits
            .iter()
            .all(|c| c.sender == alice.device.id || c.sender == bob.device.id)
    );
    let spaces: SpacesResponse = bob
        .get("/v1/spaces")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spaces.spaces[0].epoch, epoch);
    relay.stop().await;
}

#[tokio::test]
async fn deposits_come_from_any_enrolled_device_and_are_rate_limited() {
    let relay = InProcess::start_with(|c| c.deposits_per_minute = 5).await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let carol = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let key = SecretKey::generate().unwrap();
    let deposit = |bytes: Vec<u8>| {
        carol
            .post(&format!("/v1/spaces/{space}/deposits"))
            .body(diplomatie_protocol::relay::PushBatch(vec![bytes]).encode())
            .send()
    };
    let response = deposit(carol.device.deposit(space, 0, &key, b"knock"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let outcomes: diplomatie_protocol::relay::PushResponse = response.json().await.unwrap();
    assert_eq!(seq_of(&outcomes.outcomes[0]), 1);
    // The signature is still checked.
    let mut tampered = carol.device.deposit(space, 0, &key, b"x");
    tampered[5] ^= 1;
    let outcomes: diplomatie_protocol::relay::PushResponse =
        deposit(tampered).await.unwrap().json().await.unwrap();
    assert!(matches!(outcomes.outcomes[0], PushOutcome::Refused { .. }));
    // An envelope sealed under the epoch key is a member's, not a deposit.
    let outcomes: diplomatie_protocol::relay::PushResponse =
        deposit(carol.device.envelope(space, 0, &key, b"sealed"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_refused(&outcomes.outcomes[0], RefusalReason::WrongRoute);
    // A deposit under an epoch the space has not reached would hold its log: refused.
    let outcomes: diplomatie_protocol::relay::PushResponse =
        deposit(carol.device.deposit(space, 7, &key, b"later"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_refused(&outcomes.outcomes[0], RefusalReason::FutureEpoch);
    // A member does not push a deposit as an envelope of the space.
    let outcomes = alice
        .push(space, &[alice.device.deposit(space, 0, &key, b"mine")])
        .await;
    assert_refused(&outcomes[0], RefusalReason::WrongRoute);
    // Carol still cannot read; Alice sees the one deposit taken.
    assert_eq!(
        carol.pull_raw(space, 0).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(alice.pull_all(space).await.len(), 1);
    // The refused deposits counted too: a fifth is taken, a sixth within the minute is 429
    // with Retry-After.
    let response = deposit(carol.device.deposit(space, 0, &key, b"fifth"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = deposit(carol.device.deposit(space, 0, &key, b"again"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    // Into a space that does not exist: 404.
    let nowhere = SpaceId::random().unwrap();
    let response = carol
        .post(&format!("/v1/spaces/{nowhere}/deposits"))
        .body(diplomatie_protocol::relay::PushBatch(vec![]).encode())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    relay.stop().await;
}

#[tokio::test]
async fn requests_beyond_a_devices_rate_get_429_with_retry_after() {
    let relay = InProcess::start_with(|c| {
        c.rate_per_second = 1.0;
        c.rate_burst = 3;
    })
    .await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = alice.get("/v1/spaces").send().await.unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=2).contains(&retry));
            let (_, body) = error_of(response).await;
            assert_eq!(body.error, ErrorKind::RateLimited);
            statuses.push(429);
        } else {
            statuses.push(response.status().as_u16());
        }
    }
    assert_eq!(statuses[..3], [200, 200, 200]);
    assert!(statuses[3..].iter().all(|&s| s == 429), "{statuses:?}");
    relay.stop().await;
}

#[tokio::test]
async fn a_space_over_its_quota_takes_nothing_more() {
    let relay = InProcess::start_with(|c| c.space_quota_bytes = 2000).await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let key = SecretKey::generate().unwrap();
    let small = alice.device.envelope(space, 0, &key, &[1u8; 500]);
    alice.push(space, &[small]).await;
    let batch: Vec<Vec<u8>> = (0..3)
        .map(|_| alice.device.envelope(space, 0, &key, &[2u8; 500]))
        .collect();
    let (status, body) = error_of(alice.push_raw(space, &batch).await).await;
    assert_error(
        status,
        &body,
        StatusCode::INSUFFICIENT_STORAGE,
        ErrorKind::QuotaExceeded,
    );
    assert_eq!(
        alice.pull_all(space).await.len(),
        1,
        "nothing of the batch stored"
    );
    relay.stop().await;
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let relay = InProcess::start().await;
    let response = http()
        .get(format!("{}/health", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let key = SecretKey::generate().unwrap();
    alice
        .push(
            space,
            &[alice.device.envelope(space, 0, &key, b"x"), vec![0]],
        )
        .await;
    let _ = http()
        .get(format!("{}/nowhere", relay.url))
        .send()
        .await
        .unwrap();
    let text = http()
        .get(format!("{}/metrics", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "relay_envelopes_accepted_total 1",
        "relay_envelopes_refused_total 1",
        "relay_devices 1",
        "relay_spaces 1",
        "relay_sessions 1",
        "relay_envelopes_stored 1",
        "relay_websocket_connections 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    assert!(
        text.contains("relay_http_responses_total{class=\"4xx\"} 1"),
        "{text}"
    );
    assert!(text.contains("# TYPE relay_bytes_stored gauge"));
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_news_socket_tells_members_of_pushes_and_non_members_nothing() {
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let mallory = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let key = SecretKey::generate().unwrap();
    alice
        .push(space, &[alice.device.envelope(space, 0, &key, b"before")])
        .await;

    let (url, alice_token, mallory_token) = (
        relay.url.clone(),
        alice.token.clone(),
        mallory.token.clone(),
    );
    let sockets = tokio::task::spawn_blocking(move || {
        let mut a = connect_news(&url, &alice_token, true);
        // On connect: the head of each of Alice's spaces.
        let hello = read_news(&mut a, Duration::from_secs(10)).expect("the heads on connect");
        let m = connect_news(&url, &mallory_token, false);
        (a, m, hello)
    })
    .await
    .unwrap();
    let (mut a, mut m, hello) = sockets;
    assert_eq!(
        hello,
        json!({ "space": space.hex(), "head": 1, "epoch": 0 })
    );

    alice
        .push(space, &[alice.device.envelope(space, 0, &key, b"after")])
        .await;
    let (heard, overheard, a, m) = tokio::task::spawn_blocking(move || {
        let heard = read_news(&mut a, Duration::from_secs(5));
        let overheard = read_news(&mut m, Duration::from_millis(1500));
        (heard, overheard, a, m)
    })
    .await
    .unwrap();
    assert_eq!(
        heard,
        Some(json!({ "space": space.hex(), "head": 2, "epoch": 0 }))
    );
    assert_eq!(overheard, None, "a non-member hears nothing");

    // Added, Mallory's open socket hears of the space at once, at its new epoch; removed,
    // nothing more.
    assert_eq!(alice.add(space, &mallory).await, StatusCode::OK);
    let (joined, mut m) = tokio::task::spawn_blocking(move || {
        let mut m = m;
        (read_news(&mut m, Duration::from_secs(5)), m)
    })
    .await
    .unwrap();
    assert_eq!(
        joined,
        Some(json!({ "space": space.hex(), "head": 2, "epoch": 1 }))
    );
    assert_eq!(
        alice.remove(space, &[mallory.device.id]).await,
        StatusCode::OK
    );
    alice.push(space, &[alice.sealed(space, b"later")]).await;
    let mut a = a;
    let (heard, overheard) = tokio::task::spawn_blocking(move || {
        let heard: Vec<_> = (0..3)
            .map(|_| read_news(&mut a, Duration::from_secs(5)))
            .collect();
        (heard, read_news(&mut m, Duration::from_millis(1500)))
    })
    .await
    .unwrap();
    // Alice hears each commit's epoch, then the push.
    assert_eq!(
        heard,
        [
            Some(json!({ "space": space.hex(), "head": 2, "epoch": 1 })),
            Some(json!({ "space": space.hex(), "head": 2, "epoch": 2 })),
            Some(json!({ "space": space.hex(), "head": 3, "epoch": 2 })),
        ]
    );
    assert_eq!(overheard, None, "a removed member hears nothing more");

    // Without a session, no socket.
    let response = http()
        .get(format!("{}/v1/news", relay.url))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    relay.stop().await;
}

/// The JSON forms clients depend on: ids, keys and signatures in hex, tagged outcomes,
/// snake_case error kinds.
#[test]
fn the_json_wire_forms_are_as_documented() {
    use diplomatie_protocol::DeviceId;
    use diplomatie_protocol::relay::{
        CreateSpaceRequest, ErrorBody, KeyPackagesStored, LinkInvite, LinkOpened, News, OwnDevice,
        SessionRequest,
    };

    let request = SessionRequest {
        device: DeviceId([0xab; 16]),
        challenge: vec![1, 2],
        signature: vec![0xff],
    };
    let text = serde_json::to_string(&request).unwrap();
    assert_eq!(
        text,
        format!(
            r#"{{"device":"{}","challenge":"0102","signature":"ff"}}"#,
            "ab".repeat(16)
        )
    );
    assert_eq!(
        serde_json::from_str::<SessionRequest>(&text).unwrap(),
        request
    );
    assert!(
        serde_json::from_str::<SessionRequest>(r#"{"device":"zz","challenge":"","signature":""}"#)
            .is_err()
    );
    let accepted = serde_json::to_value(PushOutcome::Accepted {
        seq: 3,
        duplicate: false,
    })
    .unwrap();
    assert_eq!(
        accepted,
        json!({ "outcome": "accepted", "seq": 3, "duplicate": false })
    );
    let refused = serde_json::to_value(PushOutcome::Refused {
        reason: RefusalReason::StaleEpoch,
        message: "m".into(),
    })
    .unwrap();
    assert_eq!(
        refused,
        json!({ "outcome": "refused", "reason": "stale_epoch", "message": "m" })
    );
    assert_eq!(
        serde_json::to_value(RefusalReason::StaleDepositKey).unwrap(),
        json!("stale_deposit_key")
    );
    let body = ErrorBody {
        error: ErrorKind::QuotaExceeded,
        message: "m".into(),
        epoch: None,
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({ "error": "quota_exceeded", "message": "m" })
    );
    let create = CreateSpaceRequest {
        space: SpaceId([2; 16]),
        group_info: vec![0, 1, 0xfe],
    };
    assert_eq!(
        serde_json::to_value(&create).unwrap(),
        json!({ "space": "02".repeat(16), "group_info": "0001fe" })
    );
    assert_eq!(
        serde_json::to_value(KeyPackagesStored { added: 2, held: 5 }).unwrap(),
        json!({ "added": 2, "held": 5 })
    );
    let news = News {
        space: SpaceId([1; 16]),
        head: 4,
        epoch: 2,
    };
    assert_eq!(
        serde_json::to_value(&news).unwrap(),
        json!({ "space": "01".repeat(16), "head": 4, "epoch": 2 })
    );
    let opened = LinkOpened {
        link: "0a".repeat(10),
        expires_at: 1_700_000_600,
    };
    assert_eq!(
        serde_json::to_value(&opened).unwrap(),
        json!({ "link": "0a".repeat(10), "expires_at": 1_700_000_600 })
    );
    assert_eq!(
        serde_json::to_value(LinkInvite {
            token: "ff".repeat(32)
        })
        .unwrap(),
        json!({ "token": "ff".repeat(32) })
    );
    let devices = vec![
        OwnDevice {
            device: DeviceId([0xcd; 16]),
            enrolled_at: 10,
            last_seen: 20,
            revoked_at: None,
        },
        OwnDevice {
            device: DeviceId([0xef; 16]),
            enrolled_at: 11,
            last_seen: 11,
            revoked_at: Some(30),
        },
    ];
    let value = serde_json::to_value(&devices).unwrap();
    assert_eq!(
        value,
        json!([
            { "device": "cd".repeat(16), "enrolled_at": 10, "last_seen": 20, "revoked_at": null },
            { "device": "ef".repeat(16), "enrolled_at": 11, "last_seen": 11, "revoked_at": 30 },
        ])
    );
    assert_eq!(
        serde_json::from_value::<Vec<OwnDevice>>(value).unwrap(),
        devices
    );
}

#[tokio::test]
async fn a_sync_starts_in_one_round_trip_with_what_the_device_needs() {
    use diplomatie_protocol::relay::{Start, StartRequest};
    let relay = InProcess::start().await;
    let alice = Client::join(&relay.url, relay.dir.path()).await;
    let carol = Client::join(&relay.url, relay.dir.path()).await;
    let space = alice.create_space().await;
    let key = SecretKey::generate().unwrap();
    alice
        .push(space, &[alice.device.envelope(space, 0, &key, b"one")])
        .await;
    let start = |who: &Client, spaces: Vec<(SpaceId, u64)>| {
        who.post("/v1/start")
            .body(StartRequest { spaces }.encode())
            .send()
    };
    let response = start(&alice, vec![(space, 0)]).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let started = Start::decode(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(started.spaces.len(), 1);
    assert_eq!(
        (
            started.spaces[0].space,
            started.spaces[0].head,
            started.spaces[0].epoch
        ),
        (space, 1, 0)
    );
    assert!(
        started.commits.is_empty(),
        "at the space's epoch: no commit"
    );
    assert!(started.welcomes.is_empty());
    assert!(started.removed.is_empty());
    // Carol asks about Alice's space: she is not a member; nothing of it is said
    // but that it exists and is not hers.
    let started = Start::decode(
        &start(&carol, vec![(space, 0)])
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(started.spaces.is_empty() && started.commits.is_empty());
    assert_eq!(started.removed, [space]);
    // Not a start: a clear refusal.
    let response = carol
        .post("/v1/start")
        .body(b"{}".to_vec())
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.message.contains("start of a sync"), "{}", body.message);
    relay.stop().await;
}
