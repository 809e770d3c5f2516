//! The relay's database: one SQLite file, `DIR/relay.sqlite` (plain SQLite: the relay holds
//! only what it may see, so there is nothing to encrypt at rest), WAL with
//! `synchronous = FULL` so that a push acknowledged to a client survives `kill -9` and a power
//! cut.
//!
//! **One connection behind a mutex, used from tokio's blocking pool** ([`Db::call`]). SQLite
//! admits one writer at a time: a pool would only turn contention into `SQLITE_BUSY` retries,
//! while one connection serialises writes in order, which is also what makes a space's
//! sequence numbers and "one commit per epoch" simple transactions. The mutex is only ever
//! taken on blocking threads, so no async task waits on it; the CPU-heavy work (decoding,
//! signature checks) is done before taking it. Reads could move to a second, read-only
//! connection if measurements ever ask for it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;

/// The database file's name inside the data folder.
pub const DB_FILE: &str = "relay.sqlite";

/// Why the database could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "cannot use {path} as the relay's data folder ({source}): give a folder this user can create, read and write"
    )]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "this relay database was made by a newer version (schema {found}, this one knows {supported}): run the newer relay"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database worker stopped: restart the relay")]
    Worker,
}

/// `(version, name, sql)`, in order; version N is the N-th entry. An applied migration is
/// never edited: add a new file instead.
const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        1,
        "0001_create_schema",
        include_str!("../migrations/0001_create_schema.sql"),
    ),
    (
        2,
        "0002_add_mls_groups",
        include_str!("../migrations/0002_add_mls_groups.sql"),
    ),
    (
        3,
        "0003_add_deposit_keys",
        include_str!("../migrations/0003_add_deposit_keys.sql"),
    ),
    (
        4,
        "0004_add_device_links",
        include_str!("../migrations/0004_add_device_links.sql"),
    ),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 4;

fn user_version(conn: &Connection) -> Result<u32, DbError> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    u32::try_from(v).map_err(|_| DbError::NewerSchema {
        found: u32::MAX,
        supported: SCHEMA_VERSION,
    })
}

/// Applies every pending migration, each in its own transaction with its version bump; a
/// database of a newer version is refused before anything is written.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    let current = user_version(conn)?;
    if current > SCHEMA_VERSION {
        return Err(DbError::NewerSchema {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for &(version, name, sql) in MIGRATIONS {
        if version <= current {
            continue;
        }
        let _span = tracing::info_span!("migrate", version, name).entered();
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!("migration applied");
    }
    Ok(())
}

fn configure(conn: &Connection) -> Result<(), DbError> {
    conn.busy_timeout(Duration::from_secs(10))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        tracing::warn!(mode, "the database is not in WAL mode");
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
    )?;
    Ok(())
}

/// Opens (creating if needed) the database in `dir`, configured and migrated.
pub fn open_connection(dir: &Path) -> Result<Connection, DbError> {
    let folder = |source| DbError::Folder {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(folder)?;
    let meta = std::fs::metadata(dir).map_err(folder)?;
    if !meta.is_dir() {
        return Err(folder(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            "not a folder",
        )));
    }
    let path = dir.join(DB_FILE);
    let mut conn = Connection::open(&path).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(..) => folder(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("cannot open {}", path.display()),
        )),
        other => DbError::Sqlite(other),
    })?;
    configure(&conn).map_err(|e| match e {
        DbError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if matches!(
                f.code,
                rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::PermissionDenied
            ) =>
        {
            folder(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("cannot write {}", path.display()),
            ))
        }
        other => other,
    })?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// The database handle the server shares: cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    pub fn open(dir: &Path) -> Result<Self, DbError> {
        Ok(Self {
            conn: Arc::new(Mutex::new(open_connection(dir)?)),
        })
    }

    /// Runs `f` on the connection, on the blocking pool.
    pub async fn call<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a transaction open (rusqlite rolls
            // back on drop), so the connection is still sound.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|_| E::from(DbError::Worker))?
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_named_by_their_file() {
        for (i, (version, name, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version as usize, i + 1);
            assert!(name.starts_with(&format!("{version:04}_")));
        }
        assert_eq!(MIGRATIONS.last().unwrap().0, SCHEMA_VERSION);
    }

    #[test]
    fn a_new_database_is_in_wal_with_full_sync_and_migrates_once() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_connection(dir.path()).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2);
        drop(conn);
        let conn = open_connection(dir.path()).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_database_of_schema_2_keeps_its_spaces_and_takes_their_deposits_from_epoch_0() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        for &(version, _, sql) in MIGRATIONS.iter().take(2) {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", version).unwrap();
        }
        conn.execute(
            "INSERT INTO spaces (id, created_at, epoch) VALUES (zeroblob(16), 0, 5)",
            [],
        )
        .unwrap();
        drop(conn);
        let conn = open_connection(dir.path()).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        let (epoch, from): (i64, i64) = conn
            .query_row("SELECT epoch, deposits_from FROM spaces", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((epoch, from), (5, 0));
        let keys: i64 = conn
            .query_row("SELECT count(*) FROM deposit_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(keys, 0);
    }

    #[test]
    fn a_database_of_schema_3_learns_each_devices_identity_key_from_its_certificate() {
        use diplomatie_crypto::{AgreementKey, SigningKey};
        use diplomatie_protocol::{DeviceCertificate, DeviceId};

        let identity = SigningKey::generate().unwrap();
        let certificate = DeviceCertificate::issue(
            &identity,
            DeviceId([7; 16]),
            SigningKey::generate().unwrap().public_key(),
            AgreementKey::generate().unwrap().public_key(),
            time::OffsetDateTime::now_utc(),
            Some(time::OffsetDateTime::now_utc() + time::Duration::days(365)),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        for &(version, _, sql) in MIGRATIONS.iter().take(3) {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", version).unwrap();
        }
        conn.execute(
            "INSERT INTO devices (id, signing_key, certificate, enrolled_at, last_seen)
             VALUES (?1, ?2, ?3, 0, 0)",
            rusqlite::params![
                certificate.device.0,
                certificate.signing,
                certificate.bytes()
            ],
        )
        .unwrap();
        drop(conn);
        let conn = open_connection(dir.path()).unwrap();
        let (key, revoked): (Vec<u8>, Option<i64>) = conn
            .query_row("SELECT identity, revoked_at FROM devices", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(key, certificate.identity.0);
        assert_eq!(revoked, None);
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(open_connection(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        assert!(matches!(
            open_connection(dir.path()),
            Err(DbError::NewerSchema { .. })
        ));
    }

    #[test]
    fn the_log_is_append_only() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_connection(dir.path()).unwrap();
        conn.execute_batch(
            "INSERT INTO spaces (id, created_at) VALUES (zeroblob(16), 0);
             INSERT INTO envelopes (space, seq, id, sender, epoch, bytes, received_at)
             VALUES (zeroblob(16), 1, zeroblob(16), zeroblob(16), 0, x'00', 0);",
        )
        .unwrap();
        assert!(conn.execute("DELETE FROM envelopes", []).is_err());
        assert!(
            conn.execute("UPDATE envelopes SET bytes = x'01'", [])
                .is_err()
        );
    }
}
