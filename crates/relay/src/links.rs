//! Linking a person's devices, and revoking them: the routes and their records.
//!
//! The devices do the cryptography end to end. A device (the owner) opens a link mailbox and
//! shows a short code naming it; the new device, which has no session yet (it is not
//! enrolled), and the owner then exchange four messages through the mailbox's slots (a PAKE
//! over the code, then messages sealed under the key it agrees: see
//! [`diplomatie_protocol::relay::LinkSlot`]). The relay only carries the bytes, for
//! [`crate::Config::link_ttl`] at most, and mints one enrolment token per mailbox, bound to
//! the owner's identity key, which the new device uses as an operator's token.
//!
//! Anyone who knows a link reads `a` and `c` and writes `b` and `d`: those requests are
//! limited per link (and per address), so that a link id cannot be used to flood the relay.
//!
//! A device is revoked by another device of the same identity key: its sessions, key
//! packages, welcomes and link mailboxes go at once, and it gets no challenge, session or
//! enrolment again. Its spaces' membership is left to their members, who remove it with MLS
//! commits; until then its news socket hears of none of them.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, HttpBody};
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use diplomatie_crypto::{hex, random_bytes};
use diplomatie_protocol::relay::{LinkInvite, LinkOpened, LinkSlot, MAX_OPEN_LINKS, OwnDevice};
use diplomatie_protocol::{DeviceId, SpaceId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::auth::{self, Anonymous, Authed, now};
use crate::error::ApiError;
use crate::limit::RateLimiter;
use crate::state::AppState;

/// A link mailbox's id: 10 random bytes, shown as 20 hex digits.
type LinkId = [u8; 10];

/// Reads of a link's open slots (`a`, `c`) per second, on average, and at once.
const READS_PER_SECOND: f64 = 5.0;
const READ_BURST: u32 = 20;
/// Writes of a link's open slots (`b`, `d`) per minute, on average, and at once: two are
/// needed, the others allow for retries.
const WRITES_PER_MINUTE: f64 = 2.0;
const WRITE_BURST: u32 = 6;

/// The per-link limits on the requests made without a session.
#[derive(Debug)]
struct LinkLimits {
    reads: RateLimiter<LinkId>,
    writes: RateLimiter<LinkId>,
}

pub fn router() -> Router<AppState> {
    let limits = Arc::new(LinkLimits {
        reads: RateLimiter::new(READS_PER_SECOND, READ_BURST),
        writes: RateLimiter::new(WRITES_PER_MINUTE / 60.0, WRITE_BURST),
    });
    Router::new()
        .route("/v1/links", post(open_link))
        .route("/v1/links/{link}", delete(close_link))
        .route("/v1/links/{link}/invite", post(link_invite))
        .route("/v1/links/{link}/{slot}", get(read_slot).put(write_slot))
        .route("/v1/devices/mine", get(own_devices))
        .route("/v1/devices/{device}/revoke", post(revoke))
        .layer(Extension(limits))
}

fn link_id(text: &str) -> Result<LinkId, ApiError> {
    hex::decode(text)
        .and_then(|bytes| LinkId::try_from(bytes).ok())
        .ok_or_else(|| {
            ApiError::BadRequest(
                "a link is 20 hexadecimal digits: check the code shown by the other device".into(),
            )
        })
}

fn slot_of(text: &str) -> Result<LinkSlot, ApiError> {
    LinkSlot::parse(text)
        .ok_or_else(|| ApiError::BadRequest("a link's slot is a, b, c or d".into()))
}

fn gone() -> ApiError {
    ApiError::NotFound(
        "this link is unknown, expired or closed: start linking again from the device that shows the code".into(),
    )
}

fn not_owner() -> ApiError {
    ApiError::Forbidden(
        "only the device that opened this link may do this: use that device's session".into(),
    )
}

fn limited(wait: std::time::Duration) -> ApiError {
    ApiError::RateLimited {
        retry_after_seconds: wait.as_secs().saturating_add(1),
    }
}

fn binary(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
}

/// A request body read up to `limit` bytes: one announced larger is refused (413) before a
/// byte of it is read, and one that turns out larger as soon as it passes the limit.
async fn read_limited(
    headers: &axum::http::HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::TooLarge(format!(
            "this slot takes at most {limit} bytes: send less through the link"
        ))
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(too_large());
    }
    let mut body = std::pin::pin!(body);
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let frame = frame.map_err(|_| {
            ApiError::BadRequest("the request's body could not be read: send it again".into())
        })?;
        if let Ok(data) = frame.into_data() {
            if bytes.len().saturating_add(data.len()) > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

// ---- the mailbox ----

async fn open_link(
    State(state): State<AppState>,
    Authed(session): Authed,
) -> Result<(StatusCode, Json<LinkOpened>), ApiError> {
    let id: LinkId =
        random_bytes().map_err(|_| ApiError::Internal("no randomness available".into()))?;
    let ttl = i64::try_from(state.config.link_ttl.as_secs()).unwrap_or(i64::MAX);
    let device = session.device;
    let expires_at = state
        .db
        .call(move |conn| {
            let at = now();
            let expires_at = at.saturating_add(ttl);
            create(conn, id, device, at, expires_at)?;
            Ok::<_, ApiError>(expires_at)
        })
        .await?;
    tracing::info!(%device, "link opened");
    Ok((
        StatusCode::CREATED,
        Json(LinkOpened {
            link: hex::encode(&id),
            expires_at,
        }),
    ))
}

async fn close_link(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(link): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = link_id(&link)?;
    let device = session.device;
    state
        .db
        .call(move |conn| close(conn, id, device, now()))
        .await?;
    tracing::info!(%device, "link closed");
    Ok(StatusCode::NO_CONTENT)
}

/// Who makes a request on a slot of link `id`: with `owner`, the device of the session it
/// must carry; otherwise nobody in particular (`None`), the request counted against the
/// link's `limiter` and the caller's address.
async fn caller(
    state: &AppState,
    parts: &mut Parts,
    owner: bool,
    limiter: &RateLimiter<LinkId>,
    id: LinkId,
) -> Result<Option<DeviceId>, ApiError> {
    if owner {
        let Authed(session) = Authed::from_request_parts(parts, state).await?;
        return Ok(Some(session.device));
    }
    Anonymous::from_request_parts(parts, state).await?;
    limiter.take(&id, Instant::now()).map_err(limited)?;
    Ok(None)
}

/// `PUT /v1/links/{link}/{slot}`: `a` and `c` by the owner's session, `b` and `d` by anyone
/// who knows the link (limited per link).
async fn write_slot(
    State(state): State<AppState>,
    Extension(limits): Extension<Arc<LinkLimits>>,
    Path((link, slot)): Path<(String, String)>,
    request: Request,
) -> Result<StatusCode, ApiError> {
    let id = link_id(&link)?;
    let slot = slot_of(&slot)?;
    let (mut parts, body) = request.into_parts();
    let writer = caller(&state, &mut parts, slot.owner_writes(), &limits.writes, id).await?;
    // Who may write, and whether the slot is free, before the body is read.
    state
        .db
        .call(move |conn| writable(conn, id, slot, writer, now()))
        .await?;
    let bytes = read_limited(&parts.headers, body, slot.max_bytes()).await?;
    if bytes.is_empty() {
        return Err(ApiError::BadRequest(
            "a link slot holds at least one byte: send the message".into(),
        ));
    }
    let size = bytes.len();
    state
        .db
        .call(move |conn| write(conn, id, slot, writer, &bytes, now()))
        .await?;
    tracing::info!(slot = %slot.name(), bytes = size, "link slot written");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/links/{link}/{slot}`: `a` and `c` by anyone who knows the link (limited per
/// link), `b` and `d` by the owner's session; 204 while the slot is empty.
async fn read_slot(
    State(state): State<AppState>,
    Extension(limits): Extension<Arc<LinkLimits>>,
    Path((link, slot)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let id = link_id(&link)?;
    let slot = slot_of(&slot)?;
    let (mut parts, _) = request.into_parts();
    let reader = caller(&state, &mut parts, !slot.owner_writes(), &limits.reads, id).await?;
    let bytes = state
        .db
        .call(move |conn| read(conn, id, slot, reader, now()))
        .await?;
    Ok(match bytes {
        Some(bytes) => binary(bytes),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// `POST /v1/links/{link}/invite`: the link's one enrolment token, bound to the owner's
/// identity key, valid until the link expires.
async fn link_invite(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(link): Path<String>,
) -> Result<(StatusCode, Json<LinkInvite>), ApiError> {
    let id = link_id(&link)?;
    let (token, hash) = auth::new_token()?;
    let device = session.device;
    state
        .db
        .call(move |conn| mint_invite(conn, id, device, hash, now()))
        .await?;
    tracing::info!(%device, "link invitation made");
    Ok((StatusCode::CREATED, Json(LinkInvite { token })))
}

// ---- devices ----

async fn own_devices(
    State(state): State<AppState>,
    Authed(session): Authed,
) -> Result<Json<Vec<OwnDevice>>, ApiError> {
    let device = session.device;
    let devices = state.db.call(move |conn| siblings(conn, device)).await?;
    Ok(Json(devices))
}

async fn revoke(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(device): Path<String>,
) -> Result<Json<OwnDevice>, ApiError> {
    let target = DeviceId::from_hex(&device)
        .ok_or_else(|| ApiError::BadRequest("a device id is 32 hexadecimal digits".into()))?;
    let by = session.device;
    if target == by {
        return Err(ApiError::BadRequest(
            "a device does not revoke itself: revoke it from another of your devices".into(),
        ));
    }
    let hub = Arc::clone(&state.hub);
    let (record, spaces) = state
        .db
        .call(move |conn| {
            let (record, spaces) = revoke_device(conn, by, target, now())?;
            // Under the connection: its news sockets hear nothing pushed after this.
            for &space in &spaces {
                hub.left(space, &[target]);
            }
            Ok::<_, ApiError>((record, spaces))
        })
        .await?;
    tracing::info!(%by, device = %target, spaces = spaces.len(), "device revoked");
    Ok(Json(record))
}

// ---- records ----

/// Opens mailbox `id` for `owner` until `expires_at`, unless it has [`MAX_OPEN_LINKS`] open;
/// expired mailboxes (anyone's) are deleted first.
fn create(
    conn: &mut Connection,
    id: LinkId,
    owner: DeviceId,
    now: i64,
    expires_at: i64,
) -> Result<(), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "DELETE FROM link_slots WHERE link IN (SELECT id FROM links WHERE expires_at <= ?1)",
        [now],
    )?;
    tx.execute("DELETE FROM links WHERE expires_at <= ?1", [now])?;
    let open: i64 = tx.query_row(
        "SELECT count(*) FROM links WHERE owner = ?1",
        [owner.0],
        |r| r.get(0),
    )?;
    if open >= i64::from(MAX_OPEN_LINKS) {
        return Err(ApiError::Conflict {
            message: format!(
                "this device has {MAX_OPEN_LINKS} links open already: finish or cancel one (DELETE /v1/links/{{link}}), or wait until one expires"
            ),
            epoch: None,
        });
    }
    tx.execute(
        "INSERT INTO links (id, owner, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, owner.0, now, expires_at],
    )?;
    tx.commit()?;
    Ok(())
}

/// An open mailbox: its owner, when it expires, and whether its invitation was made.
struct Link {
    owner: DeviceId,
    expires_at: i64,
    invited: bool,
}

/// Mailbox `id` if it is open (404 if unknown, expired or closed) and, when `device` is
/// given, owned by it (403 otherwise).
fn open(
    conn: &Connection,
    id: LinkId,
    device: Option<DeviceId>,
    now: i64,
) -> Result<Link, ApiError> {
    let link = conn
        .query_row(
            "SELECT owner, expires_at, invited FROM links WHERE id = ?1 AND expires_at > ?2",
            params![id, now],
            |r| {
                Ok(Link {
                    owner: DeviceId(r.get(0)?),
                    expires_at: r.get(1)?,
                    invited: r.get(2)?,
                })
            },
        )
        .optional()?
        .ok_or_else(gone)?;
    if device.is_some_and(|d| d != link.owner) {
        return Err(not_owner());
    }
    Ok(link)
}

fn close(conn: &mut Connection, id: LinkId, owner: DeviceId, now: i64) -> Result<(), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    open(&tx, id, Some(owner), now)?;
    tx.execute("DELETE FROM link_slots WHERE link = ?1", [id])?;
    tx.execute("DELETE FROM links WHERE id = ?1", [id])?;
    tx.commit()?;
    Ok(())
}

fn slot_written(conn: &Connection, id: LinkId, slot: LinkSlot) -> Result<bool, ApiError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM link_slots WHERE link = ?1 AND slot = ?2",
            params![id, slot.name().to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn already_written() -> ApiError {
    ApiError::Conflict {
        message:
            "this link's slot was already written (the code was already used): start linking again"
                .into(),
        epoch: None,
    }
}

/// Whether `writer` (the owner's device, or `None` for the new device) may write `slot` of
/// mailbox `id` now: it is open, theirs to write, and empty.
fn writable(
    conn: &Connection,
    id: LinkId,
    slot: LinkSlot,
    writer: Option<DeviceId>,
    now: i64,
) -> Result<(), ApiError> {
    open(conn, id, writer, now)?;
    if slot_written(conn, id, slot)? {
        return Err(already_written());
    }
    Ok(())
}

/// Writes `slot` of mailbox `id` once (409 if it holds something).
fn write(
    conn: &mut Connection,
    id: LinkId,
    slot: LinkSlot,
    writer: Option<DeviceId>,
    bytes: &[u8],
    now: i64,
) -> Result<(), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    open(&tx, id, writer, now)?;
    let written = tx.execute(
        "INSERT INTO link_slots (link, slot, bytes, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (link, slot) DO NOTHING",
        params![id, slot.name().to_string(), bytes, now],
    )?;
    if written == 0 {
        return Err(already_written());
    }
    tx.commit()?;
    Ok(())
}

/// What `slot` of mailbox `id` holds, if written, for `reader` (the owner's device, or `None`
/// for anyone).
fn read(
    conn: &Connection,
    id: LinkId,
    slot: LinkSlot,
    reader: Option<DeviceId>,
    now: i64,
) -> Result<Option<Vec<u8>>, ApiError> {
    open(conn, id, reader, now)?;
    Ok(conn
        .query_row(
            "SELECT bytes FROM link_slots WHERE link = ?1 AND slot = ?2",
            params![id, slot.name().to_string()],
            |r| r.get(0),
        )
        .optional()?)
}

/// The identity key `device` was enrolled under.
fn identity_of(conn: &Connection, device: DeviceId) -> Result<Option<Vec<u8>>, ApiError> {
    Ok(conn
        .query_row(
            "SELECT identity FROM devices WHERE id = ?1",
            [device.0],
            |r| r.get::<_, Option<Vec<u8>>>(0),
        )
        .optional()?
        .flatten())
}

/// Stores the enrolment token `hash` of mailbox `id`, bound to its owner's identity key and
/// valid until the mailbox expires; one per mailbox (409 for a second).
fn mint_invite(
    conn: &mut Connection,
    id: LinkId,
    owner: DeviceId,
    hash: [u8; 32],
    now: i64,
) -> Result<(), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let link = open(&tx, id, Some(owner), now)?;
    if link.invited {
        return Err(ApiError::Conflict {
            message: "this link's enrolment token was already made, and is shown once: start linking again for a new one".into(),
            epoch: None,
        });
    }
    let identity = identity_of(&tx, owner)?.ok_or_else(|| {
        ApiError::Internal("the owner of a link has no identity key on record".into())
    })?;
    tx.execute(
        "INSERT INTO invites (token_hash, created_at, expires_at, identity, minted_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash, now, link.expires_at, identity, owner.0],
    )?;
    tx.execute("UPDATE links SET invited = 1 WHERE id = ?1", [id])?;
    tx.commit()?;
    Ok(())
}

fn own_device(r: &rusqlite::Row<'_>) -> rusqlite::Result<OwnDevice> {
    Ok(OwnDevice {
        device: DeviceId(r.get(0)?),
        enrolled_at: r.get(1)?,
        last_seen: r.get(2)?,
        revoked_at: r.get(3)?,
    })
}

/// The devices enrolled under `device`'s identity key (itself among them), oldest first.
fn siblings(conn: &Connection, device: DeviceId) -> Result<Vec<OwnDevice>, ApiError> {
    let Some(identity) = identity_of(conn, device)? else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT id, enrolled_at, last_seen, revoked_at FROM devices WHERE identity = ?1
         ORDER BY enrolled_at, rowid",
    )?;
    let rows = stmt.query_map([identity], own_device)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Revokes `target` for its sibling `by` (403 if `target` is another identity's, 404 if it is
/// not enrolled): marked revoked, its sessions, key packages, welcomes, link mailboxes and the
/// unused tokens they made deleted, in one transaction. Its record, and the spaces it is
/// still a member of (none when it was revoked already: revoking again changes nothing).
fn revoke_device(
    conn: &mut Connection,
    by: DeviceId,
    target: DeviceId,
    now: i64,
) -> Result<(OwnDevice, Vec<SpaceId>), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: Option<(Option<Vec<u8>>, OwnDevice)> = tx
        .query_row(
            "SELECT identity, id, enrolled_at, last_seen, revoked_at FROM devices WHERE id = ?1",
            [target.0],
            |r| {
                let identity = r.get(0)?;
                let record = OwnDevice {
                    device: DeviceId(r.get(1)?),
                    enrolled_at: r.get(2)?,
                    last_seen: r.get(3)?,
                    revoked_at: r.get(4)?,
                };
                Ok((identity, record))
            },
        )
        .optional()?;
    let Some((identity, mut record)) = found else {
        return Err(ApiError::NotFound(
            "this device is not enrolled with this relay: check its id in the list of your devices"
                .into(),
        ));
    };
    if identity.is_none() || identity != identity_of(&tx, by)? {
        return Err(ApiError::Forbidden(
            "this device is another person's (another identity key): only that person's devices revoke it".into(),
        ));
    }
    if record.revoked_at.is_some() {
        return Ok((record, Vec::new()));
    }
    tx.execute(
        "UPDATE devices SET revoked_at = ?2 WHERE id = ?1",
        params![target.0, now],
    )?;
    for sql in [
        "DELETE FROM sessions WHERE device = ?1",
        "DELETE FROM key_packages WHERE device = ?1",
        "DELETE FROM welcomes WHERE device = ?1",
        "DELETE FROM link_slots WHERE link IN (SELECT id FROM links WHERE owner = ?1)",
        "DELETE FROM links WHERE owner = ?1",
        "DELETE FROM invites WHERE minted_by = ?1 AND used_at IS NULL",
    ] {
        tx.execute(sql, [target.0])?;
    }
    let spaces: Vec<SpaceId> = {
        let mut stmt = tx.prepare_cached("SELECT space FROM members WHERE device = ?1")?;
        let rows = stmt.query_map([target.0], |r| Ok(SpaceId(r.get(0)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    tx.commit()?;
    record.revoked_at = Some(now);
    Ok((record, spaces))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_link_id_is_20_hex_digits() {
        assert_eq!(link_id(&"ab".repeat(10)).unwrap(), [0xab; 10]);
        assert_eq!(link_id(&"AB".repeat(10)).unwrap(), [0xab; 10]);
        for bad in ["", "ab", &"ab".repeat(11), &"zz".repeat(10), "+1"] {
            assert!(link_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_mailbox_expires_for_everyone_and_is_deleted_when_links_are_next_opened() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open_connection(dir.path()).unwrap();
        let owner = DeviceId([1; 16]);
        conn.execute(
            "INSERT INTO devices (id, signing_key, certificate, enrolled_at, last_seen, identity)
             VALUES (?1, zeroblob(32), x'00', 0, 0, zeroblob(32))",
            [owner.0],
        )
        .unwrap();
        create(&mut conn, [1; 10], owner, 100, 700).unwrap();
        write(&mut conn, [1; 10], LinkSlot::B, None, b"b", 200).unwrap();
        assert_eq!(
            read(&conn, [1; 10], LinkSlot::B, Some(owner), 699).unwrap(),
            Some(b"b".to_vec())
        );
        assert!(matches!(
            read(&conn, [1; 10], LinkSlot::B, Some(owner), 700),
            Err(ApiError::NotFound(_))
        ));
        assert!(matches!(
            write(&mut conn, [1; 10], LinkSlot::D, None, b"d", 700),
            Err(ApiError::NotFound(_))
        ));
        create(&mut conn, [2; 10], owner, 700, 1300).unwrap();
        let left: i64 = conn
            .query_row("SELECT count(*) FROM link_slots", [], |r| r.get(0))
            .unwrap();
        let links: i64 = conn
            .query_row("SELECT count(*) FROM links", [], |r| r.get(0))
            .unwrap();
        assert_eq!((left, links), (0, 1));
    }
}
