//! Checkpoints of the database's write-ahead log, off the write path.
//!
//! By default SQLite copies the log back into the database file in the commit that takes the
//! log past 1000 pages: that commit, and every push waiting for the connection, waits for the
//! copy and its syncs (tens of milliseconds on a busy disk). So the relay's connection does
//! no checkpoint of its own, and a thread of the relay checkpoints from a second connection
//! every [`EVERY`]: PASSIVE, it copies what no reader still needs without waiting for the
//! writer nor holding it back, and a commit only appends to the log and syncs it. The writer
//! starts the log again from its beginning once a checkpoint has copied all of it. Should the
//! log still grow past [`MAX_LOG_BYTES`] (a writer that never pauses), the thread runs a
//! TRUNCATE checkpoint, which holds writers back for its duration, and the log starts empty.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::watch;

use crate::db::{self, Db, DbError};

/// How often the log is checkpointed.
pub const EVERY: Duration = Duration::from_millis(250);

/// The log's size past which writers are held back until it is copied and emptied.
pub const MAX_LOG_BYTES: i64 = 64 * 1024 * 1024;

/// `PRAGMA wal_checkpoint(MODE)`: (busy, frames in the log, frames copied).
fn checkpoint(conn: &Connection, mode: &str) -> Result<(i64, i64, i64), rusqlite::Error> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}

/// Stops the connection `db` from checkpointing, and checkpoints from a thread until
/// `stopping` turns true (or its sender is gone).
pub async fn start(
    db: &Db,
    data_dir: PathBuf,
    stopping: watch::Receiver<bool>,
) -> Result<(), DbError> {
    let conn = db::open_connection(&data_dir)?;
    let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    db.call(|conn| {
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok::<_, DbError>(())
    })
    .await?;
    std::thread::Builder::new()
        .name("wal-checkpoint".into())
        .spawn(move || {
            loop {
                std::thread::sleep(EVERY);
                // Stopping, or the relay gone.
                if !matches!(stopping.has_changed(), Ok(false)) {
                    break;
                }
                match checkpoint(&conn, "PASSIVE") {
                    Ok((_, frames, _)) if frames.saturating_mul(page) > MAX_LOG_BYTES => {
                        if let Err(e) = checkpoint(&conn, "TRUNCATE") {
                            tracing::warn!(error = %e, "the log's checkpoint failed");
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "the log's checkpoint failed"),
                }
            }
            // Whatever the log holds is copied when the last connection closes.
        })
        .map_err(|_| DbError::Worker)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test]
    async fn the_log_is_copied_back_by_the_thread_and_not_by_commits() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let (stop, stopping) = watch::channel(false);
        start(&db, dir.path().to_path_buf(), stopping)
            .await
            .unwrap();
        let autocheckpoint: i64 = db
            .call(|conn| -> Result<i64, DbError> {
                Ok(conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?)
            })
            .await
            .unwrap();
        assert_eq!(autocheckpoint, 0, "commits do not checkpoint");
        // 8 MB, far more than the 1000 pages past which a commit would checkpoint by default.
        db.call(|conn| -> Result<(), DbError> {
            conn.execute_batch("CREATE TABLE filler (x BLOB)")?;
            for _ in 0..200 {
                conn.execute("INSERT INTO filler VALUES (zeroblob(40000))", [])?;
            }
            Ok(())
        })
        .await
        .unwrap();
        // In WAL mode only a checkpoint writes the database file.
        let file = dir.path().join(db::DB_FILE);
        tokio::time::sleep(EVERY * 4).await;
        let size = std::fs::metadata(&file).unwrap().len();
        assert!(size > 8_000_000, "the database file holds {size} bytes");
        let _ = stop.send(true);
    }
}
