//! The relay's records, as whole operations on one connection (each one transaction): called
//! through [`crate::db::Db::call`], never from an async task directly.

use std::collections::BTreeSet;

use diplomatie_protocol::relay::{
    CommitPage, CommitRecord, CommitUpload, DepositKeys, EnvelopePage, KeyPackagesStored,
    MAX_KEY_PACKAGES_PER_DEVICE, MAX_PAGE_WELCOMES, PushOutcome, RefusalReason, SpaceSummary,
    Start, StartRequest, WelcomePage, WelcomeRecord,
};
use diplomatie_protocol::{DeviceCertificate, DeviceId, EnvelopeId, SpaceId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::error::ApiError;
use crate::mls::{AcceptedCommit, Leaf, NewGroup};

/// At most this many bytes of envelopes or commits in one page (at least one item is always
/// given, so an item larger than this still travels).
pub const PAGE_BYTES: usize = 8 * 1024 * 1024;

/// The most commits one page holds.
pub const MAX_PAGE_COMMITS: i64 = 100;

fn sql_u64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn from_sql_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

// ---- invitations and devices ----

pub fn create_invite(
    conn: &Connection,
    token_hash: [u8; 32],
    now: i64,
    expires_at: i64,
) -> Result<(), ApiError> {
    conn.execute(
        "INSERT INTO invites (token_hash, created_at, expires_at) VALUES (?1, ?2, ?3)",
        params![token_hash, now, expires_at],
    )?;
    Ok(())
}

/// Uses the invitation and enrols the device, in one transaction: a refused enrolment leaves
/// the invitation unused. An invitation made through a link mailbox takes only a certificate
/// of its owner's identity key; a revoked device never enrols again.
pub fn enrol(
    conn: &mut Connection,
    token_hash: [u8; 32],
    certificate: &DeviceCertificate,
    now: i64,
) -> Result<(), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let invite: Option<(i64, Option<i64>, Option<Vec<u8>>)> = tx
        .query_row(
            "SELECT expires_at, used_at, identity FROM invites WHERE token_hash = ?1",
            [token_hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match invite {
        None => {
            return Err(ApiError::Forbidden(
                "this enrolment token is unknown: ask the relay's operator for a new one".into(),
            ));
        }
        Some((_, Some(_), _)) => {
            return Err(ApiError::Forbidden(
                "this enrolment token was already used: ask the relay's operator for a new one"
                    .into(),
            ));
        }
        Some((expires_at, None, _)) if expires_at <= now => {
            return Err(ApiError::Forbidden(
                "this enrolment token has expired: ask the relay's operator for a new one".into(),
            ));
        }
        Some((_, None, Some(identity))) if identity != certificate.identity.0 => {
            return Err(ApiError::Forbidden(
                "this enrolment token links a device of another person (another identity key): certify this device with the identity of the device that showed the code, or start linking again from that person's device".into(),
            ));
        }
        Some(_) => {}
    }
    let exists: Option<Option<i64>> = tx
        .query_row(
            "SELECT revoked_at FROM devices WHERE id = ?1",
            [certificate.device.0],
            |r| r.get(0),
        )
        .optional()?;
    if matches!(exists, Some(Some(_))) {
        return Err(device_revoked());
    }
    if exists.is_some() {
        return Err(ApiError::Conflict {
            message: "this device is already enrolled: open a session instead".into(),
            epoch: None,
        });
    }
    tx.execute(
        "INSERT INTO devices (id, signing_key, certificate, enrolled_at, last_seen, identity)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        params![
            certificate.device.0,
            certificate.signing,
            certificate.bytes(),
            now,
            certificate.identity.0
        ],
    )?;
    tx.execute(
        "UPDATE invites SET used_at = ?2, used_by = ?3 WHERE token_hash = ?1",
        params![token_hash, now, certificate.device.0],
    )?;
    tx.commit()?;
    Ok(())
}

/// The enrolled device's signing key.
pub fn device_key(conn: &Connection, device: DeviceId) -> Result<Option<[u8; 32]>, ApiError> {
    Ok(conn
        .query_row(
            "SELECT signing_key FROM devices WHERE id = ?1",
            [device.0],
            |r| r.get(0),
        )
        .optional()?)
}

/// The refusal a revoked device gets, whatever it asks.
pub fn device_revoked() -> ApiError {
    ApiError::Forbidden(
        "this device was revoked by its owner: link it again as a new device".into(),
    )
}

/// The enrolled device's signing key, to open a session with: `None` if it is not enrolled,
/// 403 if it was revoked.
pub fn session_key(conn: &Connection, device: DeviceId) -> Result<Option<[u8; 32]>, ApiError> {
    let found: Option<([u8; 32], Option<i64>)> = conn
        .query_row(
            "SELECT signing_key, revoked_at FROM devices WHERE id = ?1",
            [device.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match found {
        Some((_, Some(_))) => Err(device_revoked()),
        Some((key, None)) => Ok(Some(key)),
        None => Ok(None),
    }
}

// ---- sessions ----

/// An open session: its device and that device's enrolled signing key.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub device: DeviceId,
    pub signing_key: [u8; 32],
    pub expires_at: i64,
}

pub fn create_session(
    conn: &Connection,
    token_hash: [u8; 32],
    device: DeviceId,
    now: i64,
    expires_at: i64,
) -> Result<(), ApiError> {
    // Expired sessions are of no use to anyone: drop them as new ones come.
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
    conn.execute(
        "INSERT INTO sessions (token_hash, device, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, device.0, now, expires_at],
    )?;
    conn.execute(
        "UPDATE devices SET last_seen = ?2 WHERE id = ?1",
        params![device.0, now],
    )?;
    Ok(())
}

pub fn session(
    conn: &Connection,
    token_hash: [u8; 32],
    now: i64,
) -> Result<Option<Session>, ApiError> {
    Ok(conn
        .query_row(
            "SELECT s.device, d.signing_key, s.expires_at FROM sessions s
             JOIN devices d ON d.id = s.device
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND d.revoked_at IS NULL",
            params![token_hash, now],
            |r| {
                Ok(Session {
                    device: DeviceId(r.get(0)?),
                    signing_key: r.get(1)?,
                    expires_at: r.get(2)?,
                })
            },
        )
        .optional()?)
}

// ---- spaces, their groups and members ----

struct SpaceRow {
    epoch: u64,
    head: u64,
    bytes_used: u64,
    /// The epoch the space's last removal of a device moved it to (0 if none): deposits under
    /// an earlier epoch are refused.
    deposits_from: u64,
}

fn space_row(conn: &Connection, space: SpaceId) -> Result<Option<SpaceRow>, ApiError> {
    Ok(conn
        .query_row(
            "SELECT epoch, head, bytes_used, deposits_from FROM spaces WHERE id = ?1",
            [space.0],
            |r| {
                Ok(SpaceRow {
                    epoch: from_sql_u64(r.get(0)?),
                    head: from_sql_u64(r.get(1)?),
                    bytes_used: from_sql_u64(r.get(2)?),
                    deposits_from: from_sql_u64(r.get(3)?),
                })
            },
        )
        .optional()?)
}

fn unknown_space() -> ApiError {
    ApiError::NotFound("there is no such space on this relay: check its id".into())
}

pub fn is_member(conn: &Connection, space: SpaceId, device: DeviceId) -> Result<bool, ApiError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM members WHERE space = ?1 AND device = ?2",
            params![space.0, device.0],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The space's row, if `device` is one of its members; otherwise 403 (whether or not the
/// space exists).
fn member_space(conn: &Connection, space: SpaceId, device: DeviceId) -> Result<SpaceRow, ApiError> {
    if !is_member(conn, space, device)? {
        return Err(ApiError::not_member());
    }
    space_row(conn, space)?.ok_or_else(ApiError::not_member)
}

/// Refuses a group one of whose leaves is not an enrolled device holding its enrolled key.
fn check_members(conn: &Connection, members: &[Leaf]) -> Result<(), ApiError> {
    for member in members {
        match device_key(conn, member.device)? {
            None => {
                return Err(ApiError::Forbidden(format!(
                    "device {} in this group is not enrolled with the relay: it must enrol (and publish key packages) before it joins a space",
                    member.device
                )));
            }
            Some(key) if key != member.key => {
                return Err(ApiError::Forbidden(format!(
                    "the leaf of device {} does not hold that device's enrolled signing key",
                    member.device
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Creates a space from its checked group: its epoch, its members (every leaf, each an
/// enrolled device) and its public state, in one transaction.
pub fn create_space(
    conn: &mut Connection,
    space: SpaceId,
    group: &NewGroup,
    now: i64,
) -> Result<SpaceSummary, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if space_row(&tx, space)?.is_some() {
        return Err(ApiError::Conflict {
            message: "a space with this id exists: choose another (random) id".into(),
            epoch: None,
        });
    }
    check_members(&tx, &group.members)?;
    tx.execute(
        "INSERT INTO spaces (id, created_at, epoch) VALUES (?1, ?2, ?3)",
        params![space.0, now, sql_u64(group.epoch)],
    )?;
    for member in &group.members {
        tx.execute(
            "INSERT INTO members (space, device, added_at) VALUES (?1, ?2, ?3)",
            params![space.0, member.device.0, now],
        )?;
    }
    tx.execute(
        "INSERT INTO space_groups (space, state, updated_at) VALUES (?1, ?2, ?3)",
        params![space.0, group.state, now],
    )?;
    tx.commit()?;
    Ok(SpaceSummary {
        space,
        head: 0,
        epoch: group.epoch,
    })
}

/// A space's group state at its epoch, for a member.
#[derive(Debug)]
pub struct GroupAt {
    pub epoch: u64,
    pub state: Vec<u8>,
}

pub fn group_of(conn: &Connection, space: SpaceId, device: DeviceId) -> Result<GroupAt, ApiError> {
    let row = member_space(conn, space, device)?;
    let state: Option<Vec<u8>> = conn
        .query_row(
            "SELECT state FROM space_groups WHERE space = ?1",
            [space.0],
            |r| r.get(0),
        )
        .optional()?;
    let state = state.ok_or_else(|| {
        ApiError::BadRequest(
            "this space was made before the relay checked MLS groups: it takes no commit; create a new space from an MLS group".into(),
        )
    })?;
    Ok(GroupAt {
        epoch: row.epoch,
        state,
    })
}

/// 409 with the space's epoch `current`, for something made at `epoch`; `then` says what to
/// do.
pub fn epoch_conflict(current: u64, epoch: u64, then: &str) -> ApiError {
    ApiError::Conflict {
        message: format!("the space is at epoch {current}, not {epoch}: {then}"),
        epoch: Some(current),
    }
}

/// 409 for a commit made at `epoch` when the space is at `current`.
pub fn commit_conflict(current: u64, epoch: u64) -> ApiError {
    epoch_conflict(
        current,
        epoch,
        "fetch and process its commits, then make yours again",
    )
}

/// Who joined and who left a space with a commit.
#[derive(Debug, Default)]
pub struct MembershipChange {
    pub added: Vec<DeviceId>,
    pub removed: Vec<DeviceId>,
}

/// Takes a commit the group accepted, made at `epoch`, if that is still the space's epoch
/// (otherwise 409 with the current one): the commit in the log, the space at the commit's
/// epoch with its new state and members, the welcome in the inbox of each device added; all in
/// one transaction. A commit that removes a device also moves the space's `deposits_from` to
/// the new epoch and drops its published deposit keys: the removed device knew every deposit
/// key until now, so deposits sealed to them are refused from here on.
#[allow(clippy::too_many_arguments)]
pub fn add_commit(
    conn: &mut Connection,
    space: SpaceId,
    device: DeviceId,
    epoch: u64,
    accepted: &AcceptedCommit,
    upload: &CommitUpload,
    quota: u64,
    now: i64,
) -> Result<(SpaceSummary, MembershipChange), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = member_space(&tx, space, device)?;
    if epoch != row.epoch {
        return Err(commit_conflict(row.epoch, epoch));
    }
    check_members(&tx, &accepted.members)?;
    let now_members: BTreeSet<DeviceId> = accepted.members.iter().map(|m| m.device).collect();
    let before: BTreeSet<DeviceId> = {
        let mut stmt = tx.prepare_cached("SELECT device FROM members WHERE space = ?1")?;
        let rows = stmt.query_map([space.0], |r| Ok(DeviceId(r.get(0)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let change = MembershipChange {
        added: now_members.difference(&before).copied().collect(),
        removed: before.difference(&now_members).copied().collect(),
    };
    let welcomed: Vec<DeviceId> = match &upload.welcome {
        Some(_) => accepted
            .added
            .iter()
            .filter(|d| now_members.contains(d))
            .copied()
            .collect(),
        None => Vec::new(),
    };
    let welcome_bytes = upload.welcome.as_ref().map_or(0, Vec::len);
    let added_bytes = welcome_bytes
        .saturating_mul(welcomed.len())
        .saturating_add(upload.commit.len());
    let used = row
        .bytes_used
        .saturating_add(u64::try_from(added_bytes).unwrap_or(u64::MAX));
    if used > quota {
        return Err(quota_exceeded(quota));
    }
    tx.execute(
        "INSERT INTO commits (space, epoch, sender, bytes, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![space.0, sql_u64(epoch), device.0, upload.commit, now],
    )?;
    tx.execute(
        "UPDATE spaces SET epoch = ?2, bytes_used = ?3 WHERE id = ?1",
        params![space.0, sql_u64(accepted.epoch), sql_u64(used)],
    )?;
    tx.execute(
        "UPDATE space_groups SET state = ?2, updated_at = ?3 WHERE space = ?1",
        params![space.0, accepted.state, now],
    )?;
    if !change.removed.is_empty() {
        tx.execute(
            "UPDATE spaces SET deposits_from = ?2 WHERE id = ?1",
            params![space.0, sql_u64(accepted.epoch)],
        )?;
        // All of an earlier epoch, the removed devices' among them: none may be used now.
        tx.execute("DELETE FROM deposit_keys WHERE space = ?1", [space.0])?;
    }
    for gone in &change.removed {
        tx.execute(
            "DELETE FROM members WHERE space = ?1 AND device = ?2",
            params![space.0, gone.0],
        )?;
        // A welcome into a space the device has left would only fail.
        tx.execute(
            "DELETE FROM welcomes WHERE space = ?1 AND device = ?2",
            params![space.0, gone.0],
        )?;
    }
    for joined in &change.added {
        tx.execute(
            "INSERT INTO members (space, device, added_at) VALUES (?1, ?2, ?3)",
            params![space.0, joined.0, now],
        )?;
    }
    if let Some(welcome) = &upload.welcome {
        for to in &welcomed {
            tx.execute(
                "INSERT INTO welcomes (device, space, epoch, bytes, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![to.0, space.0, sql_u64(accepted.epoch), welcome, now],
            )?;
        }
    }
    tx.commit()?;
    Ok((
        SpaceSummary {
            space,
            head: row.head,
            epoch: accepted.epoch,
        },
        change,
    ))
}

/// The device's spaces; none once it is revoked (it hears of no space, though it stays in
/// their groups until a member's commit removes it).
pub fn spaces_of(conn: &Connection, device: DeviceId) -> Result<Vec<SpaceSummary>, ApiError> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.head, s.epoch FROM members m JOIN spaces s ON s.id = m.space
         JOIN devices d ON d.id = m.device
         WHERE m.device = ?1 AND d.revoked_at IS NULL ORDER BY s.id",
    )?;
    let rows = stmt.query_map([device.0], |r| {
        Ok(SpaceSummary {
            space: SpaceId(r.get(0)?),
            head: from_sql_u64(r.get(1)?),
            epoch: from_sql_u64(r.get(2)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn summary(conn: &Connection, space: SpaceId) -> Result<Option<SpaceSummary>, ApiError> {
    Ok(space_row(conn, space)?.map(|row| SpaceSummary {
        space,
        head: row.head,
        epoch: row.epoch,
    }))
}

// ---- the log ----

/// An envelope of a batch, after the checks that need no database (decoding, space, sender,
/// signature).
#[derive(Debug)]
pub enum Candidate {
    Refused(PushOutcome),
    Ready {
        id: EnvelopeId,
        epoch: u64,
        bytes: Vec<u8>,
    },
}

/// How a batch is taken: from a member (at the space's epoch) or as a deposit (any enrolled
/// device; under an epoch the space has reached, and not before its last removal of a
/// device, since a depositor is not in the group and may hold an older deposit key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushKind {
    Member,
    Deposit,
}

/// The envelopes a push stored: (relay seq, bytes), in order.
pub type Stored = Vec<(u64, Vec<u8>)>;

/// Stores a batch within the caller's transaction (see `pushes.rs`): outcomes in the batch's
/// order, the space's summary if anything new was stored, and the envelopes stored with their
/// seqs. Over the space's quota, the caller rolls back what this wrote (507).
pub fn push(
    tx: &Connection,
    space: SpaceId,
    sender: DeviceId,
    kind: PushKind,
    candidates: Vec<Candidate>,
    quota: u64,
    now: i64,
) -> Result<(Vec<PushOutcome>, Option<SpaceSummary>, Stored), ApiError> {
    let row = match kind {
        PushKind::Member => member_space(tx, space, sender)?,
        PushKind::Deposit => space_row(tx, space)?.ok_or_else(unknown_space)?,
    };
    let mut head = row.head;
    let mut used = row.bytes_used;
    let mut outcomes = Vec::with_capacity(candidates.len());
    // The envelopes added, with their seqs, for the live sockets.
    let mut fresh = Vec::with_capacity(candidates.len());
    {
        let mut existing = tx
            .prepare_cached("SELECT seq, bytes = ?3 FROM envelopes WHERE space = ?1 AND id = ?2")?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO envelopes (space, seq, id, sender, epoch, deposit, bytes, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for candidate in candidates {
            let (id, epoch, bytes) = match candidate {
                Candidate::Refused(outcome) => {
                    outcomes.push(outcome);
                    continue;
                }
                Candidate::Ready { id, epoch, bytes } => (id, epoch, bytes),
            };
            let found: Option<(i64, bool)> = existing
                .query_row(params![space.0, id.0, bytes], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            match found {
                Some((seq, true)) => {
                    outcomes.push(PushOutcome::Accepted {
                        seq: from_sql_u64(seq),
                        duplicate: true,
                    });
                    continue;
                }
                Some((_, false)) => {
                    outcomes.push(refused(
                        RefusalReason::IdTaken,
                        "another envelope with this id is in the space's log: seal it again with a new id",
                    ));
                    continue;
                }
                None => {}
            }
            if kind == PushKind::Member && epoch != row.epoch {
                let (reason, message) = if epoch < row.epoch {
                    (
                        RefusalReason::StaleEpoch,
                        format!(
                            "the space has moved to epoch {}: process its commits, then seal this content again",
                            row.epoch
                        ),
                    )
                } else {
                    (
                        RefusalReason::FutureEpoch,
                        format!(
                            "the space is at epoch {}: wait for the commit that moves it on",
                            row.epoch
                        ),
                    )
                };
                outcomes.push(PushOutcome::Refused { reason, message });
                continue;
            }
            // A deposit is sealed to the key of an epoch the space has known: a later one
            // would hold the members' reading of the log until an epoch that may never come.
            if kind == PushKind::Deposit && epoch > row.epoch {
                outcomes.push(refused(
                    RefusalReason::FutureEpoch,
                    &format!(
                        "the space is at epoch {}: deposit with a key the space has published",
                        row.epoch
                    ),
                ));
                continue;
            }
            // Sealed to a deposit key a removed device knew: the removed device could read it.
            if kind == PushKind::Deposit && epoch < row.deposits_from {
                outcomes.push(refused(
                    RefusalReason::StaleDepositKey,
                    &format!(
                        "this space's deposit key changed when a member left (it takes deposits under epoch {} and later): fetch its current key (GET /v1/spaces/{space}/deposit-key), then seal again",
                        row.deposits_from
                    ),
                ));
                continue;
            }
            used = used.saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
            if used > quota {
                return Err(quota_exceeded(quota));
            }
            head = head.saturating_add(1);
            insert.execute(params![
                space.0,
                sql_u64(head),
                id.0,
                sender.0,
                sql_u64(epoch),
                kind == PushKind::Deposit,
                bytes,
                now
            ])?;
            outcomes.push(PushOutcome::Accepted {
                seq: head,
                duplicate: false,
            });
            fresh.push((head, bytes));
        }
    }
    let changed = head != row.head;
    if changed {
        tx.execute(
            "UPDATE spaces SET head = ?2, bytes_used = ?3 WHERE id = ?1",
            params![space.0, sql_u64(head), sql_u64(used)],
        )?;
    }
    Ok((
        outcomes,
        changed.then_some(SpaceSummary {
            space,
            head,
            epoch: row.epoch,
        }),
        fresh,
    ))
}

pub fn refused(reason: RefusalReason, message: &str) -> PushOutcome {
    PushOutcome::Refused {
        reason,
        message: message.into(),
    }
}

fn quota_exceeded(quota: u64) -> ApiError {
    ApiError::QuotaExceeded(format!(
        "this space has reached its storage quota of {quota} bytes on this relay: nothing of this request was stored; ask the relay's operator for more room"
    ))
}

/// A page of the log after `after`, for a member.
pub fn pull(
    conn: &Connection,
    space: SpaceId,
    device: DeviceId,
    after: u64,
    limit: u32,
) -> Result<EnvelopePage, ApiError> {
    let row = member_space(conn, space, device)?;
    let mut stmt = conn.prepare_cached(
        "SELECT seq, bytes FROM envelopes WHERE space = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![space.0, sql_u64(after), limit])?;
    let mut envelopes = Vec::new();
    let mut total = 0usize;
    while let Some(r) = rows.next()? {
        let seq = from_sql_u64(r.get(0)?);
        let bytes: Vec<u8> = r.get(1)?;
        total = total.saturating_add(bytes.len());
        envelopes.push((seq, bytes));
        if total >= PAGE_BYTES {
            break;
        }
    }
    let last = envelopes.last().map(|(seq, _)| *seq);
    let next = last.filter(|&seq| seq < row.head);
    Ok(EnvelopePage {
        envelopes,
        next,
        head: row.head,
    })
}

// ---- commits ----

/// The commits that take the space past epoch `after` (made at `after` or later), in order.
pub fn commits(
    conn: &Connection,
    space: SpaceId,
    device: DeviceId,
    after: u64,
) -> Result<CommitPage, ApiError> {
    let row = member_space(conn, space, device)?;
    let mut stmt = conn.prepare_cached(
        "SELECT epoch, sender, bytes FROM commits WHERE space = ?1 AND epoch >= ?2
         ORDER BY epoch LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![space.0, sql_u64(after), MAX_PAGE_COMMITS])?;
    let mut commits = Vec::new();
    let mut total = 0usize;
    while let Some(r) = rows.next()? {
        let record = CommitRecord {
            epoch: from_sql_u64(r.get(0)?),
            sender: DeviceId(r.get(1)?),
            bytes: r.get(2)?,
        };
        total = total.saturating_add(record.bytes.len());
        commits.push(record);
        if total >= PAGE_BYTES {
            break;
        }
    }
    // The last commit listed moved the space to `epoch + 1`: more follow if that is not now.
    let next = commits
        .last()
        .map(|c| c.epoch.saturating_add(1))
        .filter(|&reached| reached < row.epoch);
    Ok(CommitPage {
        commits,
        next,
        epoch: row.epoch,
    })
}

// ---- the start of a sync ----

/// What device `device` needs at the start of a sync: its key packages held, its welcomes, its
/// spaces, the commits past the epoch it gave for each space it is a member of, and which of
/// the spaces it gave exist but are not (or no longer) its own.
pub fn start(
    conn: &Connection,
    device: DeviceId,
    request: &StartRequest,
    now: i64,
) -> Result<Start, ApiError> {
    let held: i64 = conn
        .prepare_cached("SELECT count(*) FROM key_packages WHERE device = ?1 AND not_after > ?2")?
        .query_row(params![device.0, now], |r| r.get(0))?;
    let spaces = spaces_of(conn, device)?;
    let mut commits_past = Vec::new();
    let mut removed = Vec::new();
    for (space, epoch) in &request.spaces {
        match spaces.iter().find(|s| s.space == *space) {
            Some(mine) if mine.epoch > *epoch => {
                commits_past.push((*space, commits(conn, *space, device, *epoch)?));
            }
            Some(_) => {}
            None if !removed.contains(space) && space_row(conn, *space)?.is_some() => {
                removed.push(*space);
            }
            None => {}
        }
    }
    Ok(Start {
        key_packages: u32::try_from(held).unwrap_or(u32::MAX),
        welcomes: welcomes_of(conn, device)?.welcomes,
        spaces,
        commits: commits_past,
        removed,
    })
}

// ---- deposit keys ----

/// Keeps the deposit key `bytes` (checked: of `space`, signed by `device`) that `device`
/// published at `epoch`, in place of its earlier one, if `device` is a member (403 otherwise)
/// and `epoch` the space's epoch (409 with the space's epoch otherwise).
pub fn publish_deposit_key(
    conn: &mut Connection,
    space: SpaceId,
    device: DeviceId,
    epoch: u64,
    bytes: &[u8],
    now: i64,
) -> Result<(), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = member_space(&tx, space, device)?;
    if epoch != row.epoch {
        return Err(epoch_conflict(
            row.epoch,
            epoch,
            &format!(
                "process its commits, then publish the deposit key of epoch {}",
                row.epoch
            ),
        ));
    }
    tx.execute(
        "INSERT INTO deposit_keys (space, signer, epoch, bytes, at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (space, signer) DO UPDATE
         SET epoch = excluded.epoch, bytes = excluded.bytes, at = excluded.at",
        params![space.0, device.0, sql_u64(epoch), bytes, now],
    )?;
    tx.commit()?;
    Ok(())
}

/// The deposit keys of the space's latest epoch any member published one for, ordered by
/// signer; none if no member has since the space's last removal. 404 for an unknown space.
pub fn deposit_keys(conn: &Connection, space: SpaceId) -> Result<DepositKeys, ApiError> {
    space_row(conn, space)?.ok_or_else(unknown_space)?;
    let mut stmt = conn.prepare_cached(
        "SELECT bytes FROM deposit_keys
         WHERE space = ?1 AND epoch = (SELECT max(epoch) FROM deposit_keys WHERE space = ?1)
         ORDER BY signer",
    )?;
    let rows = stmt.query_map([space.0], |r| r.get(0))?;
    Ok(DepositKeys {
        keys: rows.collect::<Result<_, _>>()?,
    })
}

// ---- welcomes ----

/// The device's pending welcomes, oldest first.
pub fn welcomes_of(conn: &Connection, device: DeviceId) -> Result<WelcomePage, ApiError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, space, epoch, bytes FROM welcomes WHERE device = ?1 ORDER BY id LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![device.0, MAX_PAGE_WELCOMES])?;
    let mut welcomes = Vec::new();
    let mut total = 0usize;
    while let Some(r) = rows.next()? {
        let record = WelcomeRecord {
            id: from_sql_u64(r.get(0)?),
            space: SpaceId(r.get(1)?),
            epoch: from_sql_u64(r.get(2)?),
            bytes: r.get(3)?,
        };
        total = total.saturating_add(record.bytes.len());
        welcomes.push(record);
        if total >= PAGE_BYTES {
            break;
        }
    }
    Ok(WelcomePage { welcomes })
}

/// Deletes one of the device's welcomes; returns whether there was one.
pub fn delete_welcome(conn: &Connection, device: DeviceId, id: u64) -> Result<bool, ApiError> {
    let deleted = conn.execute(
        "DELETE FROM welcomes WHERE id = ?1 AND device = ?2",
        params![sql_u64(id), device.0],
    )?;
    Ok(deleted > 0)
}

// ---- key packages ----

/// Keeps the device's checked key packages `(reference, bytes, not_after)`, each once; its
/// expired ones are dropped first. Beyond [`MAX_KEY_PACKAGES_PER_DEVICE`], nothing is kept.
pub fn add_key_packages(
    conn: &mut Connection,
    device: DeviceId,
    packages: &[(Vec<u8>, Vec<u8>, u64)],
    now: i64,
) -> Result<KeyPackagesStored, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "DELETE FROM key_packages WHERE device = ?1 AND not_after <= ?2",
        params![device.0, now],
    )?;
    let mut added = 0u32;
    {
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO key_packages (ref, device, bytes, not_after, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (reference, bytes, not_after) in packages {
            let n = insert.execute(params![
                reference,
                device.0,
                bytes,
                sql_u64(*not_after),
                now
            ])?;
            added = added.saturating_add(u32::try_from(n).unwrap_or(0));
        }
    }
    let held: i64 = tx.query_row(
        "SELECT count(*) FROM key_packages WHERE device = ?1",
        [device.0],
        |r| r.get(0),
    )?;
    let held = u32::try_from(held).unwrap_or(u32::MAX);
    if held > MAX_KEY_PACKAGES_PER_DEVICE {
        return Err(ApiError::QuotaExceeded(format!(
            "the relay keeps at most {MAX_KEY_PACKAGES_PER_DEVICE} key packages per device, and this upload would make {held}: nothing of it was kept; publish fewer"
        )));
    }
    tx.commit()?;
    Ok(KeyPackagesStored { added, held })
}

/// Hands out one of the device's key packages, the oldest still valid, and deletes it.
pub fn take_key_package(
    conn: &mut Connection,
    device: DeviceId,
    now: i64,
) -> Result<Vec<u8>, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    match session_key(&tx, device) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Err(ApiError::NotFound(
                "this device is not enrolled with this relay: it must enrol first".into(),
            ));
        }
        Err(ApiError::Forbidden(_)) => {
            return Err(ApiError::NotFound(
                "this device was revoked by its owner: it joins no space".into(),
            ));
        }
        Err(e) => return Err(e),
    }
    tx.execute(
        "DELETE FROM key_packages WHERE device = ?1 AND not_after <= ?2",
        params![device.0, now],
    )?;
    let found: Option<(Vec<u8>, Vec<u8>)> = tx
        .query_row(
            "SELECT ref, bytes FROM key_packages WHERE device = ?1 ORDER BY at, rowid LIMIT 1",
            [device.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((reference, bytes)) = found else {
        return Err(ApiError::NotFound(
            "this device has published no key package: it must connect to the relay once".into(),
        ));
    };
    tx.execute("DELETE FROM key_packages WHERE ref = ?1", [reference])?;
    tx.commit()?;
    Ok(bytes)
}

// ---- figures for /metrics ----

#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub devices: u64,
    pub spaces: u64,
    pub sessions: u64,
    pub envelopes: u64,
    pub bytes_stored: u64,
}

pub fn figures(conn: &Connection, now: i64) -> Result<Figures, ApiError> {
    let count = |sql: &str| -> Result<u64, ApiError> {
        let v: i64 = conn.query_row(sql, [], |r| r.get(0))?;
        Ok(from_sql_u64(v))
    };
    let sessions: i64 = conn.query_row(
        "SELECT count(*) FROM sessions WHERE expires_at > ?1",
        [now],
        |r| r.get(0),
    )?;
    Ok(Figures {
        devices: count("SELECT count(*) FROM devices")?,
        spaces: count("SELECT count(*) FROM spaces")?,
        sessions: from_sql_u64(sessions),
        envelopes: count("SELECT coalesce(sum(head), 0) FROM spaces")?,
        bytes_stored: count("SELECT coalesce(sum(bytes_used), 0) FROM spaces")?,
    })
}
