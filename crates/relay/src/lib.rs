//! The relay: a thin, blind server that stores and forwards the signed, encrypted envelopes of
//! Diplomatie's spaces in per-space, append-only logs, and MLS's delivery service for the
//! spaces' groups.
//!
//! # What the relay sees
//!
//! Device ids and their certificates (public keys), space ids, each space's MLS group as a
//! delivery service sees it (its ratchet tree: the devices' leaves with their public keys; the
//! group context; the commits, which are public messages; the welcomes, sealed to the devices
//! they add; the key packages devices publish), hence which devices are in which space, each
//! envelope's header (space, epoch, sender, sender's seq, envelope id), the deposit keys the
//! members publish (public keys, each with its space id, epoch and signer device), sizes and
//! times; which devices share an identity key (as their certificates already say), and when a
//! person links a device (a link mailbox opened, the sizes and times of its four messages,
//! the enrolment it leads to) or revokes one. Nothing else: an envelope's content is sealed
//! under its space's epoch key, exported from the group's epoch secrets, which the relay never
//! has, and a space's or a person's name travels only inside that content; a link mailbox
//! holds a PAKE's messages, then messages sealed under the key it agrees between the two
//! devices. It never logs a payload, a token or a key: request logs name the route template
//! (never its values or query string), the device, the space and counts.
//!
//! # API (`/v1`)
//!
//! JSON for control messages (ids, keys, signatures and group infos in hex), postcard behind
//! `application/octet-stream` for what carries envelopes and MLS messages: the wire types are in
//! [`diplomatie_protocol::relay`]. Every refusal is an HTTP status with a JSON body
//! `{"error": kind, "message": what to do}`.
//!
//! | route | who | what |
//! |---|---|---|
//! | `POST /v1/enrol` | anyone with a token | `{token, certificate}`: a one-time token from `diplomatie-relay invite` or a link enrols a device by its certificate (403: unknown, used or expired token, a link's token for a certificate of another identity key, a revoked device) |
//! | `POST /v1/auth/challenge` | an enrolled device | `{device}` → a single-use challenge, valid 60 s (401 if not enrolled, 403 if revoked) |
//! | `POST /v1/auth/session` | an enrolled device | `{device, challenge, signature}`, the challenge signed under `Context::RelayAuth` → a session token, valid 15 min, then sent as `Authorization: Bearer` |
//! | `POST /v1/spaces` | a session | `{space, group_info}`: creates a space from its MLS group, given by a group info with its ratchet tree that the caller's leaf signed; its members are the group's (each an enrolled device), its epoch the group's → 201 `{space, head, epoch}` (409 if it exists) |
//! | `GET /v1/spaces` | a session | the caller's spaces, each with its head seq and epoch |
//! | `POST /v1/start` | a session | a `StartRequest` (the caller's spaces with the epoch it is at) → a `Start`: its key packages held, its welcomes, its spaces (head, epoch), the commits past each epoch given, and `removed`: the spaces given that exist but of which the caller is not (or no longer) a member; a sync's first round trip |
//! | `POST /v1/spaces/{space}/envelopes` | a member | a `PushBatch` of envelopes sealed under the epoch key → one outcome per envelope: its relay seq (the same again for a duplicate id) or why it was refused |
//! | `GET /v1/spaces/{space}/envelopes?after=SEQ&limit=N` | a member | an `EnvelopePage` (N ≤ 1000, at most about 8 MiB) |
//! | `POST /v1/spaces/{space}/deposits` | any enrolled device | a `PushBatch` of deposits (sealed to the space's deposit key), from members or not (rate-limited; under an epoch the space has reached, not necessarily its current one, but not before its last removal of a member: `stale_deposit_key`) |
//! | `PUT /v1/spaces/{space}/deposit-key` | a member | the space's `DepositKey` of its current epoch (its bytes, `application/octet-stream`), signed by the caller's device → 204; it replaces the caller's earlier one (409 with the current epoch if it is of another epoch) |
//! | `GET /v1/spaces/{space}/deposit-key` | any enrolled device | a `DepositKeys`: the members' keys of the latest epoch any was published for, or none (404 for an unknown space) |
//! | `POST /v1/spaces/{space}/commits?epoch=E` | a member | a `CommitUpload`: the one commit of epoch E, checked against the group, moves the space to E+1 and its membership to the new tree's; the welcome goes to each device it adds → `{epoch}`; a late one is 409 with the current epoch |
//! | `GET /v1/spaces/{space}/commits?after=E` | a member | a `CommitPage`: the commits made at epoch E and later |
//! | `GET /v1/welcomes` | a session | a `WelcomePage`: the welcomes waiting for the caller's device, oldest first |
//! | `DELETE /v1/welcomes/{id}` | the welcome's device | once processed (404 if it is not one of the caller's) |
//! | `POST /v1/keypackages` | a session | a `KeyPackageUpload` of the caller's own key packages, all checked or none kept → `{added, held}` (at most 100 held; 507 beyond) |
//! | `GET /v1/devices/{device}/keypackage` | a session | one of the device's key packages (TLS bytes), handed out once; 404 when it has none left |
//! | `POST /v1/links` | a session | opens a link mailbox owned by the session's device, for 10 min → 201 `{link, expires_at}` (`link`: 20 hex digits; at most 3 open per device, 409 beyond) |
//! | `PUT /v1/links/{link}/{slot}` | `a`, `c`: the owner's session; `b`, `d`: anyone with the link | the slot's bytes (`application/octet-stream`, at least one, at most 1 MiB for `c` and 64 KiB for the others: 413), written once (409 after) → 204 |
//! | `GET /v1/links/{link}/{slot}` | `a`, `c`: anyone with the link; `b`, `d`: the owner's session | 200 with the slot's bytes, 204 while it is empty; for every link route, 404 when the link is unknown, expired or closed: start linking again |
//! | `POST /v1/links/{link}/invite` | the owner's session | → 201 `{token}`: the link's one enrolment token (409 for a second), valid until the link expires, enrolling only a certificate of the owner's identity key |
//! | `DELETE /v1/links/{link}` | the owner's session | closes it, its slots deleted → 204 (a token it made stays valid until the link would have expired) |
//! | `GET /v1/devices/mine` | a session | the devices enrolled under the session device's identity key, oldest first: `[{device, enrolled_at, last_seen, revoked_at}]` |
//! | `POST /v1/devices/{device}/revoke` | a session of another device of the same identity key | → 200 with the device's `{device, enrolled_at, last_seen, revoked_at}` (again: 200, unchanged); its sessions, key packages, welcomes and links deleted, no challenge, session or enrolment for it after (403); its own session's device: 400, another identity's: 403, unknown: 404. Its spaces' members remove it with commits |
//! | `GET /v1/news` | a session (header or `?token=`) | WebSocket: `{"space","head","epoch"}` for each of the caller's spaces on connect and whenever one moves; with `?live=true`, each push by another device to one of its spaces comes instead as one binary frame of its envelopes with their seqs (below) |
//! | `GET /health` | anyone | 200 `ok` when the database answers |
//! | `GET /metrics` | anyone | Prometheus text: envelopes, commits, bytes, devices, spaces, sessions, sockets, responses by class |
//!
//! Each envelope pushed is checked before it is stored: its size, its format, that its header
//! names the space pushed to and the session's device as sender, its signature under that
//! device's enrolled key, and (for members) that it is sealed under the space's current
//! epoch. A push is idempotent by envelope id.
//!
//! # Deposits after a removal
//!
//! A depositor seals to a space's deposit key of some epoch, which it may hold from a contact
//! card long after that epoch; every member of that epoch could open such a deposit. So when a
//! commit removes a device, the space takes deposits only under the commit's new epoch and
//! later (`deposits_from`): an older one is refused (`stale_deposit_key`) and the depositor
//! fetches the current key and seals again. The same commit drops the deposit keys published
//! until then (all of earlier epochs, the removed device's among them): the relay serves
//! only keys the members publish afterwards. A commit that only adds devices changes
//! neither. A deposit key is taken only from a member, for the space's current epoch, signed
//! by the session's device under its enrolled key.
//!
//! # Spaces as MLS groups
//!
//! A space is an MLS group (RFC 9420) whose id is the space's id and whose leaves are devices:
//! a basic credential holding the 16-byte device id, the device's enrolled Ed25519 signing key
//! as the leaf's signature key; handshake messages travel as public messages. The relay keeps
//! each group's public state (openmls's `PublicGroup`, no secret in it: `mls.rs`) in its
//! database, and derives membership from it alone: the members of a space are the devices its
//! leaves name, each of which must be enrolled with the key its leaf holds.
//!
//! A commit is taken only if, processed against the group at the space's epoch, it is a commit
//! of this group made at that epoch, by the leaf of the session's device, and verifies (its
//! signature, its proposals, its path's public keys, the leaves it adds); the space then moves
//! to the commit's epoch, and its members to the new tree's, in the transaction that logs the
//! commit: a removed device is refused at once, an added one reads and writes at once. A
//! refused commit changes nothing, so the next valid commit of that epoch is taken. The first
//! valid commit of an epoch wins; another made at the same epoch gets 409 with the new epoch,
//! to process the winner and commit again.
//!
//! What the relay cannot check, not holding the epoch's secrets: a commit's confirmation and
//! membership tags, and the path secrets it encrypts to the members; a member who sends a
//! commit false in these only harms a group it is already in, and the members refuse it.
//!
//! A key package is kept only if it is valid (signatures, lifetime, the spaces' ciphersuite)
//! and its leaf names the session's device with its enrolled key; each is handed out once,
//! expired ones are dropped. A welcome sent with a commit must be addressed to exactly the key
//! packages the commit adds; it waits in the inbox of each device added until that device
//! deletes it (or leaves the space).
//!
//! # Live delivery
//!
//! A socket opened with `GET /v1/news?live=true` is sent, for each push to one of its device's
//! spaces by another device, one binary frame: the space's 16-byte id, then the envelopes the
//! push added with their relay seqs, as an [`EnvelopePage`](diplomatie_protocol::relay::EnvelopePage)
//! (postcard, as a pull answers; `next` empty, `head` the last seq; [`read_envelopes_frame`]
//! reads it). The device that pushed is not sent its own envelopes (the push's answer gives
//! their seqs); commits and joins still come as `{"space","head","epoch"}`. On connect the
//! socket gets its spaces' heads, read as it registers: the device pulls up to them, and every
//! envelope after them comes live, each once. Only current members are sent anything: a
//! device removed by a commit is sent nothing pushed after that commit.
//!
//! Each socket's queue holds at most [`NEWS_QUEUE_BYTES`] (4 MiB); a socket that falls that
//! far behind is queued nothing more until it has written what it holds, then gets its
//! spaces' heads afresh (as on connect), pulls from the last seq it has, and is sent live
//! frames again after those heads. A socket that accepts nothing for 10 s is closed.
//!
//! # Writes
//!
//! Pushes that arrive while the database is busy are stored together, in one transaction synced
//! to disk once (`pushes.rs`), before any of them is answered or sent live; the database's
//! write-ahead log is copied back into its file by a thread of the relay, not within the
//! commits (`checkpoint.rs`).
//!
//! Limits: envelope size, body size (refused before it is read whole, 413), requests per
//! device (429 with `Retry-After`), deposits per device, storage per space (507), key packages
//! per device (507), link mailboxes per device (409), and reads and writes of a link made
//! without a session, per link and per address (429).

mod api;
mod auth;
mod checkpoint;
pub mod db;
mod error;
mod hub;
mod limit;
mod links;
mod metrics;
mod mls;
mod news;
mod pushes;
mod state;
mod store;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::Duration;

use axum::serve::ListenerExt;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use db::{DB_FILE, Db, DbError};
pub use hub::{QUEUE_BYTES as NEWS_QUEUE_BYTES, read_envelopes_frame};
pub use state::Config;

use crate::state::AppState;

/// How long requests under way may take to finish once the relay is asked to stop.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// A relay ready to serve: its configuration checked and its database open.
#[derive(Debug)]
pub struct Relay {
    config: Config,
    db: Db,
}

/// Why a relay cannot start.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

impl Relay {
    /// Checks the configuration and opens (creating, migrating) `DIR/relay.sqlite`.
    pub fn open(config: Config) -> Result<Self, RelayError> {
        config.check().map_err(RelayError::Config)?;
        let db = Db::open(&config.data_dir)?;
        Ok(Self { config, db })
    }

    /// Serves on `listener` until `shutdown` completes, then closes the news sockets and
    /// lets requests under way finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RelayError> {
        let (stop, stopping) = watch::channel(false);
        checkpoint::start(&self.db, self.config.data_dir.clone(), stopping.clone()).await?;
        let state = AppState::new(self.config, self.db, stopping);
        let app = api::router(state);
        tracing::info!(address = ?listener.local_addr().ok(), "relay serving");
        let (fired, signalled) = tokio::sync::oneshot::channel::<()>();
        // Each answer and each news frame goes out when written, not held back until the
        // peer acknowledges the previous one (Nagle's algorithm): a delivery waits for no
        // acknowledgement.
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set");
            }
        });
        let server = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("relay stopping");
            let _ = stop.send(true);
            let _ = fired.send(());
        })
        .into_future();
        tokio::select! {
            served = server => served?,
            () = async {
                if signalled.await.is_ok() {
                    tokio::time::sleep(STOP_GRACE).await;
                } else {
                    std::future::pending::<()>().await;
                }
            } => tracing::warn!("requests still under way after the grace period: stopping anyway"),
        }
        Ok(())
    }
}

/// A one-time enrolment token: give it to one device, which uses it once before `expires`.
#[derive(Clone)]
pub struct Invitation {
    pub token: String,
    pub expires: OffsetDateTime,
}

impl std::fmt::Debug for Invitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invitation")
            .field("token", &"<redacted>")
            .field("expires", &self.expires)
            .finish()
    }
}

/// Makes an enrolment token valid until `expires`, storing only its SHA-256 in the database
/// of `data_dir` (a running relay on the same folder sees it at once).
pub fn invite(
    data_dir: &std::path::Path,
    expires: OffsetDateTime,
) -> Result<Invitation, RelayError> {
    let conn = db::open_connection(data_dir)?;
    let (token, hash) =
        auth::new_token().map_err(|_| RelayError::Config("no randomness available".into()))?;
    let now = OffsetDateTime::now_utc();
    store::create_invite(&conn, hash, now.unix_timestamp(), expires.unix_timestamp())
        .map_err(|e| RelayError::Config(format!("cannot store the invitation: {e:?}")))?;
    Ok(Invitation { token, expires })
}
