//! The relay's records, as whole operations on one connection (each one transaction): called
//! through [`crate::db::Db::call`], never from an async task directly.

use diplomatie_protocol::relay::{
    CommitPage, CommitRecord, EnvelopePage, PushOutcome, RefusalReason, SpaceSummary,
};
use diplomatie_protocol::{DeviceCertificate, DeviceId, EnvelopeId, SpaceId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::error::ApiError;

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
/// the invitation unused.
pub fn enrol(
    conn: &mut Connection,
    token_hash: [u8; 32],
    certificate: &DeviceCertificate,
    now: i64,
) -> Result<(), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let invite: Option<(i64, Option<i64>)> = tx
        .query_row(
            "SELECT expires_at, used_at FROM invites WHERE token_hash = ?1",
            [token_hash],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match invite {
        None => {
            return Err(ApiError::Forbidden(
                "this enrolment token is unknown: ask the relay's operator for a new one".into(),
            ));
        }
        Some((_, Some(_))) => {
            return Err(ApiError::Forbidden(
                "this enrolment token was already used: ask the relay's operator for a new one"
                    .into(),
            ));
        }
        Some((expires_at, None)) if expires_at <= now => {
            return Err(ApiError::Forbidden(
                "this enrolment token has expired: ask the relay's operator for a new one".into(),
            ));
        }
        Some(_) => {}
    }
    let exists: bool = tx
        .query_row(
            "SELECT 1 FROM devices WHERE id = ?1",
            [certificate.device.0],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if exists {
        return Err(ApiError::Conflict {
            message: "this device is already enrolled: open a session instead".into(),
            epoch: None,
        });
    }
    tx.execute(
        "INSERT INTO devices (id, signing_key, certificate, enrolled_at, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        params![
            certificate.device.0,
            certificate.signing,
            certificate.bytes(),
            now
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

fn is_enrolled(conn: &Connection, device: DeviceId) -> Result<bool, ApiError> {
    Ok(device_key(conn, device)?.is_some())
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
             WHERE s.token_hash = ?1 AND s.expires_at > ?2",
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

// ---- spaces and members ----

struct SpaceRow {
    epoch: u64,
    head: u64,
    bytes_used: u64,
}

fn space_row(conn: &Connection, space: SpaceId) -> Result<Option<SpaceRow>, ApiError> {
    Ok(conn
        .query_row(
            "SELECT epoch, head, bytes_used FROM spaces WHERE id = ?1",
            [space.0],
            |r| {
                Ok(SpaceRow {
                    epoch: from_sql_u64(r.get(0)?),
                    head: from_sql_u64(r.get(1)?),
                    bytes_used: from_sql_u64(r.get(2)?),
                })
            },
        )
        .optional()?)
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

pub fn create_space(
    conn: &mut Connection,
    space: SpaceId,
    device: DeviceId,
    now: i64,
) -> Result<SpaceSummary, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if space_row(&tx, space)?.is_some() {
        return Err(ApiError::Conflict {
            message: "a space with this id exists: choose another (random) id".into(),
            epoch: None,
        });
    }
    tx.execute(
        "INSERT INTO spaces (id, created_at) VALUES (?1, ?2)",
        params![space.0, now],
    )?;
    tx.execute(
        "INSERT INTO members (space, device, added_at) VALUES (?1, ?2, ?3)",
        params![space.0, device.0, now],
    )?;
    tx.commit()?;
    Ok(SpaceSummary {
        space,
        head: 0,
        epoch: 0,
    })
}

pub fn add_member(
    conn: &mut Connection,
    space: SpaceId,
    by: DeviceId,
    device: DeviceId,
    now: i64,
) -> Result<(), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    member_space(&tx, space, by)?;
    if !is_enrolled(&tx, device)? {
        return Err(ApiError::NotFound(
            "this device is not enrolled with the relay: it must enrol first".into(),
        ));
    }
    tx.execute(
        "INSERT OR IGNORE INTO members (space, device, added_at) VALUES (?1, ?2, ?3)",
        params![space.0, device.0, now],
    )?;
    tx.commit()?;
    Ok(())
}

/// Removes `device` from the space; returns whether it was a member.
pub fn remove_member(
    conn: &mut Connection,
    space: SpaceId,
    by: DeviceId,
    device: DeviceId,
) -> Result<bool, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    member_space(&tx, space, by)?;
    let removed = tx.execute(
        "DELETE FROM members WHERE space = ?1 AND device = ?2",
        params![space.0, device.0],
    )?;
    tx.commit()?;
    Ok(removed > 0)
}

pub fn spaces_of(conn: &Connection, device: DeviceId) -> Result<Vec<SpaceSummary>, ApiError> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.head, s.epoch FROM members m JOIN spaces s ON s.id = m.space
         WHERE m.device = ?1 ORDER BY s.id",
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

/// How a batch is taken: from a member (its epoch checked) or as a deposit (any enrolled
/// device; no epoch check, since a depositor is not in the group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushKind {
    Member,
    Deposit,
}

/// Stores a batch in one transaction: outcomes in the batch's order, and the space's summary
/// if anything new was stored. Over the space's quota, nothing is stored (507).
pub fn push(
    conn: &mut Connection,
    space: SpaceId,
    sender: DeviceId,
    kind: PushKind,
    candidates: Vec<Candidate>,
    quota: u64,
    now: i64,
) -> Result<(Vec<PushOutcome>, Option<SpaceSummary>), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = match kind {
        PushKind::Member => member_space(&tx, space, sender)?,
        PushKind::Deposit => space_row(&tx, space)?.ok_or_else(|| {
            ApiError::NotFound("there is no such space on this relay: check its id".into())
        })?,
    };
    let mut head = row.head;
    let mut used = row.bytes_used;
    let mut outcomes = Vec::with_capacity(candidates.len());
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
        }
    }
    let changed = head != row.head;
    if changed {
        tx.execute(
            "UPDATE spaces SET head = ?2, bytes_used = ?3 WHERE id = ?1",
            params![space.0, sql_u64(head), sql_u64(used)],
        )?;
    }
    tx.commit()?;
    Ok((
        outcomes,
        changed.then_some(SpaceSummary {
            space,
            head,
            epoch: row.epoch,
        }),
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

/// Takes the commit for `epoch` if it is the space's current epoch (the first one wins and
/// moves the space to `epoch + 1`); a late one is a 409 with the current epoch.
pub fn add_commit(
    conn: &mut Connection,
    space: SpaceId,
    device: DeviceId,
    epoch: u64,
    bytes: &[u8],
    quota: u64,
    now: i64,
) -> Result<SpaceSummary, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = member_space(&tx, space, device)?;
    if epoch != row.epoch {
        return Err(ApiError::Conflict {
            message: format!(
                "the space is at epoch {}, not {epoch}: fetch and process its commits, then make yours again",
                row.epoch
            ),
            epoch: Some(row.epoch),
        });
    }
    let used = row
        .bytes_used
        .saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
    if used > quota {
        return Err(quota_exceeded(quota));
    }
    let next = epoch.saturating_add(1);
    tx.execute(
        "INSERT INTO commits (space, epoch, sender, bytes, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![space.0, sql_u64(epoch), device.0, bytes, now],
    )?;
    tx.execute(
        "UPDATE spaces SET epoch = ?2, bytes_used = ?3 WHERE id = ?1",
        params![space.0, sql_u64(next), sql_u64(used)],
    )?;
    tx.commit()?;
    Ok(SpaceSummary {
        space,
        head: row.head,
        epoch: next,
    })
}

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
