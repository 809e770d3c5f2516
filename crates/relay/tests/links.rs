//! Linking a person's devices through a link mailbox, and revoking them: served in this
//! process on 127.0.0.1:0, driven over real HTTP with real sessions.

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
use diplomatie_protocol::DeviceId;
use diplomatie_protocol::relay::{
    ChallengeResponse, ErrorKind, LinkInvite, LinkOpened, MAX_LINK_MESSAGE_BYTES,
    MAX_LINK_PAYLOAD_BYTES, OwnDevice,
};
use serde_json::json;

/// Opens a link mailbox as `owner` (201 expected).
async fn open_link(owner: &Client) -> LinkOpened {
    let response = owner.post("/v1/links").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// Writes `bytes` to `slot` of `link`, in `session` if one is given.
async fn put(
    url: &str,
    link: &str,
    slot: &str,
    bytes: &[u8],
    session: Option<&Client>,
) -> Response {
    let request = http()
        .put(format!("{url}/v1/links/{link}/{slot}"))
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec());
    let request = match session {
        Some(client) => request.bearer_auth(&client.token),
        None => request,
    };
    request.send().await.unwrap()
}

/// Reads `slot` of `link`, in `session` if one is given.
async fn get(url: &str, link: &str, slot: &str, session: Option<&Client>) -> Response {
    let request = http().get(format!("{url}/v1/links/{link}/{slot}"));
    let request = match session {
        Some(client) => request.bearer_auth(&client.token),
        None => request,
    };
    request.send().await.unwrap()
}

/// What `slot` holds: `None` on 204, the bytes on 200 (anything else fails).
async fn read(url: &str, link: &str, slot: &str, session: Option<&Client>) -> Option<Vec<u8>> {
    let response = get(url, link, slot, session).await;
    match response.status() {
        StatusCode::NO_CONTENT => None,
        StatusCode::OK => {
            assert_eq!(
                response.headers()["content-type"],
                "application/octet-stream"
            );
            Some(response.bytes().await.unwrap())
        }
        other => panic!("slot {slot}: {other}"),
    }
}

async fn status_and_kind(response: Response) -> (StatusCode, ErrorKind, String) {
    let (status, body) = error_of(response).await;
    (status, body.error, body.message)
}

/// Each answer is the 404 of a link unknown, expired or closed, saying to start again.
async fn assert_gone<const N: usize>(responses: [Response; N]) {
    for response in responses {
        let (status, kind, message) = status_and_kind(response).await;
        assert_eq!((status, kind), (StatusCode::NOT_FOUND, ErrorKind::NotFound));
        assert!(message.contains("start linking again"), "{message}");
    }
}

async fn invite_raw(owner: &Client, link: &str) -> Response {
    owner
        .post(&format!("/v1/links/{link}/invite"))
        .send()
        .await
        .unwrap()
}

async fn own_devices(client: &Client) -> Vec<OwnDevice> {
    let response = client.get("/v1/devices/mine").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn revoke_raw(client: &Client, device: DeviceId) -> Response {
    client
        .post(&format!("/v1/devices/{device}/revoke"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_slot_is_written_once_by_its_side_and_read_by_the_other() {
    let relay = InProcess::start().await;
    let url = relay.url.as_str();
    let alice = Client::join(url, relay.dir.path()).await;
    let bob = Client::join(url, relay.dir.path()).await;
    let opened = open_link(&alice).await;
    let link = opened.link.as_str();
    assert_eq!(link.len(), 20);
    assert!(
        link.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (now + 590..=now + 610).contains(&opened.expires_at),
        "{opened:?}"
    );
    assert_ne!(open_link(&alice).await.link, opened.link, "random ids");

    // Every slot is empty at first, for whoever may read it.
    assert_eq!(read(url, link, "a", None).await, None);
    assert_eq!(read(url, link, "c", None).await, None);
    assert_eq!(read(url, link, "b", Some(&alice)).await, None);
    assert_eq!(read(url, link, "d", Some(&alice)).await, None);

    // `a` and `c`: written by the owner's session only, read by anyone.
    for slot in ["a", "c"] {
        let (status, kind, _) = status_and_kind(put(url, link, slot, b"x", None).await).await;
        assert_eq!(
            (status, kind),
            (StatusCode::UNAUTHORIZED, ErrorKind::Unauthorized)
        );
        let (status, kind, _) = status_and_kind(put(url, link, slot, b"x", Some(&bob)).await).await;
        assert_eq!(
            (status, kind),
            (StatusCode::FORBIDDEN, ErrorKind::Forbidden)
        );
    }
    let response = put(url, link, "a", b"first message", Some(&alice)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(read(url, link, "a", None).await.unwrap(), b"first message");
    assert_eq!(
        read(url, link, "a", Some(&bob)).await.unwrap(),
        b"first message"
    );

    // `b` and `d`: written by anyone who knows the link, read by the owner's session only.
    let response = put(url, link, "b", b"second message", None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, kind, _) = status_and_kind(get(url, link, "b", None).await).await;
    assert_eq!(
        (status, kind),
        (StatusCode::UNAUTHORIZED, ErrorKind::Unauthorized)
    );
    let (status, kind, _) = status_and_kind(get(url, link, "b", Some(&bob)).await).await;
    assert_eq!(
        (status, kind),
        (StatusCode::FORBIDDEN, ErrorKind::Forbidden)
    );
    assert_eq!(
        read(url, link, "b", Some(&alice)).await.unwrap(),
        b"second message"
    );

    // Each slot is written once, by either side.
    let (status, kind, message) =
        status_and_kind(put(url, link, "a", b"again", Some(&alice)).await).await;
    assert_eq!((status, kind), (StatusCode::CONFLICT, ErrorKind::Conflict));
    assert!(message.contains("start linking again"), "{message}");
    let (status, _, _) = status_and_kind(put(url, link, "b", b"again", None).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(read(url, link, "a", None).await.unwrap(), b"first message");
    assert_eq!(
        read(url, link, "b", Some(&alice)).await.unwrap(),
        b"second message"
    );

    assert_eq!(
        put(url, link, "c", b"third", Some(&alice)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(read(url, link, "c", None).await.unwrap(), b"third");
    assert_eq!(
        put(url, link, "d", b"fourth", None).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(read(url, link, "d", Some(&alice)).await.unwrap(), b"fourth");

    // An empty message, an unknown slot, a malformed link: 400; an unknown link: 404.
    let other = open_link(&alice).await.link;
    let (status, _, _) = status_and_kind(put(url, &other, "b", b"", None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(read(url, &other, "b", Some(&alice)).await, None);
    for (link, slot) in [(other.as_str(), "e"), (other.as_str(), "ab"), ("1234", "a")] {
        let (status, kind, _) = status_and_kind(get(url, link, slot, None).await).await;
        assert_eq!(
            (status, kind),
            (StatusCode::BAD_REQUEST, ErrorKind::BadRequest)
        );
    }
    let unknown = "00".repeat(10);
    assert_gone([
        get(url, &unknown, "a", None).await,
        put(url, &unknown, "b", b"x", None).await,
        get(url, &unknown, "b", Some(&alice)).await,
        put(url, &unknown, "a", b"x", Some(&alice)).await,
    ])
    .await;
    relay.stop().await;
}

#[tokio::test]
async fn slots_take_64_kib_and_c_1_mib_refused_before_the_body_is_read() {
    let relay = InProcess::start().await;
    let url = relay.url.as_str();
    let alice = Client::join(url, relay.dir.path()).await;
    let link = open_link(&alice).await.link;

    for (slot, session) in [("a", Some(&alice)), ("b", None)] {
        let response = put(
            url,
            &link,
            slot,
            &vec![1; MAX_LINK_MESSAGE_BYTES + 1],
            session,
        )
        .await;
        let (status, kind, _) = status_and_kind(response).await;
        assert_eq!(
            (status, kind),
            (StatusCode::PAYLOAD_TOO_LARGE, ErrorKind::TooLarge)
        );
        // Refused, the slot is still free for a message of the right size.
        let response = put(url, &link, slot, &vec![2; MAX_LINK_MESSAGE_BYTES], session).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{slot}");
    }
    let response = put(
        url,
        &link,
        "c",
        &vec![3; MAX_LINK_PAYLOAD_BYTES + 1],
        Some(&alice),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let response = put(
        url,
        &link,
        "c",
        &vec![3; MAX_LINK_PAYLOAD_BYTES],
        Some(&alice),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        read(url, &link, "c", None).await.unwrap().len(),
        MAX_LINK_PAYLOAD_BYTES
    );
    assert_eq!(
        read(url, &link, "b", Some(&alice)).await.unwrap(),
        vec![2; MAX_LINK_MESSAGE_BYTES]
    );

    // A body announced larger, or sent in chunks past the limit, is refused before it ends.
    let head =
        format!("PUT /v1/links/{link}/d HTTP/1.1\r\nContent-Type: application/octet-stream\r\n");
    for announce in [true, false] {
        let text = answer_before_the_body_ends(url, &head, announce).await;
        assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    }
    assert_eq!(read(url, &link, "d", Some(&alice)).await, None);
    relay.stop().await;
}

#[tokio::test]
async fn a_device_has_three_links_open_at_most_and_a_closed_link_is_gone() {
    let relay = InProcess::start().await;
    let url = relay.url.as_str();
    let alice = Client::join(url, relay.dir.path()).await;
    let bob = Client::join(url, relay.dir.path()).await;
    let mut links = Vec::new();
    for _ in 0..3 {
        links.push(open_link(&alice).await.link);
    }
    let (status, kind, message) =
        status_and_kind(alice.post("/v1/links").send().await.unwrap()).await;
    assert_eq!((status, kind), (StatusCode::CONFLICT, ErrorKind::Conflict));
    assert!(message.contains("3 links open"), "{message}");
    // Another device has its own three.
    open_link(&bob).await;

    let link = links.pop().unwrap();
    assert_eq!(
        put(url, &link, "a", b"a", Some(&alice)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        put(url, &link, "b", b"b", None).await.status(),
        StatusCode::NO_CONTENT
    );
    // Only its owner closes it.
    let close = |client: &Client, link: &str| client.delete(&format!("/v1/links/{link}"));
    let (status, _, _) = status_and_kind(close(&bob, &link).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = http()
        .delete(format!("{url}/v1/links/{link}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(read(url, &link, "a", None).await.unwrap(), b"a");
    assert_eq!(
        close(&alice, &link).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_gone([
        get(url, &link, "a", None).await,
        get(url, &link, "b", Some(&alice)).await,
        put(url, &link, "d", b"d", None).await,
        invite_raw(&alice, &link).await,
        close(&alice, &link).send().await.unwrap(),
    ])
    .await;
    // Closed, it no longer counts.
    open_link(&alice).await;
    assert_eq!(
        alice.post("/v1/links").send().await.unwrap().status(),
        StatusCode::CONFLICT
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_link_and_its_invitation_expire() {
    // Links end on whole seconds: 3 s leave room for a loaded machine to use them first.
    let relay = InProcess::start_with(|c| c.link_ttl = Duration::from_secs(3)).await;
    let url = relay.url.as_str();
    let alice = Client::join(url, relay.dir.path()).await;
    let opened = open_link(&alice).await;
    let link = opened.link.as_str();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(opened.expires_at <= now + 3, "{opened:?}");
    assert_eq!(
        put(url, link, "a", b"a", Some(&alice)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        put(url, link, "b", b"b", None).await.status(),
        StatusCode::NO_CONTENT
    );
    let response = invite_raw(&alice, link).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let token = response.json::<LinkInvite>().await.unwrap().token;
    open_link(&alice).await;
    open_link(&alice).await;
    assert_eq!(
        alice.post("/v1/links").send().await.unwrap().status(),
        StatusCode::CONFLICT
    );

    tokio::time::sleep(Duration::from_millis(4100)).await;
    assert_gone([
        get(url, link, "a", None).await,
        get(url, link, "b", Some(&alice)).await,
        put(url, link, "c", b"c", Some(&alice)).await,
        put(url, link, "d", b"d", None).await,
        invite_raw(&alice, link).await,
    ])
    .await;
    let (status, _, message) =
        status_and_kind(enrol(url, &alice.device.sibling(), &token).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(message.contains("expired"), "{message}");
    // Expired links no longer count, and are deleted with their slots.
    open_link(&alice).await;
    let conn = diplomatie_relay::db::open_connection(relay.dir.path()).unwrap();
    let (links, slots): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM links), (SELECT count(*) FROM link_slots)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((links, slots), (1, 0));
    relay.stop().await;
}

#[tokio::test]
async fn reads_and_writes_without_a_session_are_limited_per_link() {
    let relay = InProcess::start().await;
    let url = relay.url.as_str();
    let alice = Client::join(url, relay.dir.path()).await;
    let link = open_link(&alice).await.link;
    let other = open_link(&alice).await.link;

    let mut limited = None;
    for i in 0..200 {
        let response = get(url, &link, "a", None).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((i, response));
            break;
        }
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    let (reads, response) = limited.expect("reads of one link are limited");
    assert!((10..=40).contains(&reads), "{reads} reads before the limit");
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(status_and_kind(response).await.1, ErrorKind::RateLimited);
    // Another link, and the owner's session, are not held back by this one's readers.
    assert_eq!(read(url, &other, "a", None).await, None);
    assert_eq!(read(url, &link, "b", Some(&alice)).await, None);

    // Writes: the two that count, then retries, then 429 whatever they would have been.
    assert_eq!(
        put(url, &link, "b", b"b", None).await.status(),
        StatusCode::NO_CONTENT
    );
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(put(url, &link, "b", b"b", None).await.status());
    }
    assert_eq!(statuses[0], StatusCode::CONFLICT);
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(
        put(url, &other, "b", b"b", None).await.status(),
        StatusCode::NO_CONTENT
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_links_invitation_enrols_a_device_of_the_owners_identity_only() {
    let relay = InProcess::start().await;
    let url = relay.url.as_str();
    let alice = Client::join(url, relay.dir.path()).await;
    let bob = Client::join(url, relay.dir.path()).await;
    let link = open_link(&alice).await.link;

    // Only the owner, once per link.
    let (status, _, _) = status_and_kind(invite_raw(&bob, &link).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = invite_raw(&alice, &link).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let token = response.json::<LinkInvite>().await.unwrap().token;
    assert_eq!(token.len(), 64);
    let (status, kind, _) = status_and_kind(invite_raw(&alice, &link).await).await;
    assert_eq!((status, kind), (StatusCode::CONFLICT, ErrorKind::Conflict));

    // A device of another identity is refused, and the token stays usable.
    let stranger = Device::new();
    let (status, kind, message) = status_and_kind(enrol(url, &stranger, &token).await).await;
    assert_eq!(
        (status, kind),
        (StatusCode::FORBIDDEN, ErrorKind::Forbidden)
    );
    assert!(message.contains("identity"), "{message}");
    let bobs = bob.device.sibling();
    assert_eq!(
        enrol(url, &bobs, &token).await.status(),
        StatusCode::FORBIDDEN
    );
    // Alice's new device enrols with it, then opens a session.
    let phone = alice.device.sibling();
    assert_eq!(
        enrol(url, &phone, &token).await.status(),
        StatusCode::CREATED
    );
    let phone = Client::login(url, phone).await;
    assert_eq!(
        phone.get("/v1/spaces").send().await.unwrap().status(),
        StatusCode::OK
    );
    // Used: not again, even for the same identity.
    let (status, _, message) =
        status_and_kind(enrol(url, &alice.device.sibling(), &token).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(message.contains("already used"), "{message}");
    // The operator's tokens still enrol any identity.
    assert_eq!(
        enrol(url, &Device::new(), &relay.invite()).await.status(),
        StatusCode::CREATED
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_device_lists_its_identitys_devices_oldest_first() {
    let relay = InProcess::start().await;
    let url = relay.url.as_str();
    let dir = relay.dir.path();
    let alice = Client::join(url, dir).await;
    let laptop = Client::join_as(url, dir, alice.device.sibling()).await;
    let phone = Client::join_as(url, dir, alice.device.sibling()).await;
    let bob = Client::join(url, dir).await;

    let mine = own_devices(&laptop).await;
    let ids: Vec<DeviceId> = mine.iter().map(|d| d.device).collect();
    assert_eq!(ids, [alice.device.id, laptop.device.id, phone.device.id]);
    assert!(
        mine.iter()
            .all(|d| d.revoked_at.is_none() && d.last_seen >= d.enrolled_at)
    );
    let bobs: Vec<DeviceId> = own_devices(&bob).await.iter().map(|d| d.device).collect();
    assert_eq!(bobs, [bob.device.id]);

    let response = alice.get("/v1/devices/mine").send().await.unwrap();
    let raw: serde_json::Value = response.json().await.unwrap();
    assert_eq!(raw[0]["device"], json!(alice.device.id.hex()));
    assert_eq!(raw[0]["revoked_at"], json!(null));

    let response = revoke_raw(&alice, phone.device.id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let revoked: OwnDevice = response.json().await.unwrap();
    assert_eq!(revoked.device, phone.device.id);
    let at = revoked.revoked_at.expect("revoked");
    let mine = own_devices(&laptop).await;
    let revocations: Vec<Option<i64>> = mine.iter().map(|d| d.revoked_at).collect();
    assert_eq!(revocations, [None, None, Some(at)]);
    let response = http()
        .get(format!("{url}/v1/devices/mine"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sibling_revokes_a_device_which_is_refused_at_once_and_for_good() {
    let relay = InProcess::start().await;
    let url = relay.url.as_str();
    let dir = relay.dir.path();
    let alice = Client::join(url, dir).await;
    let laptop = Client::join_as(url, dir, alice.device.sibling()).await;
    let bob = Client::join(url, dir).await;
    let space = alice.create_space().await;
    assert_eq!(alice.add(space, &laptop).await, StatusCode::OK);
    laptop.publish_key_packages(3).await;
    let pending = alice.create_space().await;
    let package = alice.fetch_key_package(laptop.device.id).await;
    let upload = alice.mls().add(&alice.device.signing, pending, &[package]);
    assert_eq!(alice.send_commit(pending, &upload).await, StatusCode::OK);
    let laptop_link = open_link(&laptop).await.link;

    // Its news socket hears of its spaces, until it is revoked.
    let (news_url, token) = (laptop.url.clone(), laptop.token.clone());
    let mut socket = tokio::task::spawn_blocking(move || {
        let mut socket = connect_news(&news_url, &token, true);
        let mut heard = 0;
        while read_news(&mut socket, Duration::from_millis(1500)).is_some() {
            heard += 1;
        }
        assert_eq!(heard, 2, "both spaces on connect");
        socket
    })
    .await
    .unwrap();
    // A challenge asked for before the revocation is of no use after it.
    let early: ChallengeResponse = challenge(url, laptop.device.id).await.json().await.unwrap();

    // Only a sibling, never itself, never another person's device.
    let (status, kind, _) = status_and_kind(revoke_raw(&bob, laptop.device.id).await).await;
    assert_eq!(
        (status, kind),
        (StatusCode::FORBIDDEN, ErrorKind::Forbidden)
    );
    let (status, _, _) = status_and_kind(revoke_raw(&laptop, laptop.device.id).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = status_and_kind(revoke_raw(&alice, Device::new().id).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = alice
        .post("/v1/devices/nonsense/revoke")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        laptop.get("/v1/spaces").send().await.unwrap().status(),
        StatusCode::OK
    );

    let response = revoke_raw(&alice, laptop.device.id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let first: OwnDevice = response.json().await.unwrap();
    assert!(first.revoked_at.is_some());

    // Its session is refused at once, and it gets no challenge, session or enrolment again.
    let (status, _, _) = status_and_kind(laptop.get("/v1/spaces").send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, kind, message) = status_and_kind(challenge(url, laptop.device.id).await).await;
    assert_eq!(
        (status, kind),
        (StatusCode::FORBIDDEN, ErrorKind::Forbidden)
    );
    assert!(message.contains("revoked"), "{message}");
    let signature = laptop
        .device
        .signing
        .sign_as(diplomatie_crypto::Context::RelayAuth, &early.challenge);
    let response = http()
        .post(format!("{url}/v1/auth/session"))
        .json(&json!({
            "device": laptop.device.id.hex(),
            "challenge": diplomatie_crypto::hex::encode(&early.challenge),
            "signature": diplomatie_crypto::hex::encode(&signature),
        }))
        .send()
        .await
        .unwrap();
    let (status, _, message) = status_and_kind(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(message.contains("revoked"), "{message}");
    let token = relay.invite();
    let (status, _, message) = status_and_kind(enrol(url, &laptop.device, &token).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(message.contains("link it again"), "{message}");
    // The token it tried is still unused.
    assert_eq!(
        enrol(url, &Device::new(), &token).await.status(),
        StatusCode::CREATED
    );

    // Its key packages, welcomes, sessions and links are gone.
    let response = alice.fetch_key_package_raw(laptop.device.id).await;
    let (status, _, message) = status_and_kind(response).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(message.contains("revoked"), "{message}");
    let (status, _, _) = status_and_kind(get(url, &laptop_link, "a", None).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let conn = diplomatie_relay::db::open_connection(dir).unwrap();
    let left: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM sessions WHERE device = ?1)
                  + (SELECT count(*) FROM key_packages WHERE device = ?1)
                  + (SELECT count(*) FROM welcomes WHERE device = ?1)",
            [laptop.device.id.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);

    // Revoking again changes nothing.
    let response = revoke_raw(&alice, laptop.device.id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<OwnDevice>().await.unwrap(), first);

    // The space goes on with the revoked device still in its group, until a member removes
    // it; its socket hears of none of it meanwhile.
    alice.push(space, &[alice.sealed(space, b"after")]).await;
    assert_eq!(alice.update(space).await, StatusCode::OK);
    let heard =
        tokio::task::spawn_blocking(move || read_news(&mut socket, Duration::from_millis(1500)))
            .await
            .unwrap();
    assert_eq!(heard, None, "a revoked device hears nothing");
    assert_eq!(
        alice.remove(space, &[laptop.device.id]).await,
        StatusCode::OK
    );
    relay.stop().await;
}
