//! The store: one directory per profile, `profile.key` + `store.db` (SQLCipher).

use std::fmt;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use diplomatie_crypto::{KdfCost, KdfParams, SecretKey};
use diplomatie_domain::{
    AttachmentMeta, Item, ItemContent, ItemId, ItemKind, Language, Marking, Precedence, Route,
};
use rusqlite::types::Value;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params, params_from_iter,
};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::index::{index_text, kind_facet, precedence_facet};
use crate::keyfile::{self, Cipher, KEY_FILE, KeyFile};
use crate::migration;
use crate::query::{QueryPart, parse_query_parts};
use crate::search::{Ranking, SEARCH_TIER_SIZE};
use crate::words::NewWords;
use crate::{
    AuditAction, AuditEntry, AuditRecord, ItemSummary, NewItem, Page, PutOutcome, SearchHit,
    SearchQuery, StoreError, StoredItem, TriageCounts, TriageFilter, unlock,
};

/// The database file inside a profile directory.
pub const DB_FILE: &str = "store.db";
/// The most ids `find_items_by_prefix` returns.
const MAX_PREFIX_MATCHES: usize = 100;

/// The encrypted store of one profile. Cheap to share (`Send + Sync`); every call takes the
/// one connection in turn.
pub struct Store {
    conn: Mutex<Connection>,
    dir: PathBuf,
    canonical_dir: PathBuf,
    /// `None` only for the plaintext benchmark store.
    dek: Option<SecretKey>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("encrypted", &self.dek.is_some())
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// Opening and creating

/// Opens a connection once SQLite and SQLCipher are fully initialised in this process.
///
/// `sqlite3_initialize` marks SQLite ready before it runs SQLCipher's own initialisation, so
/// a second thread opening its first connection in that window gets a connection whose
/// `PRAGMA key` fails ("An error occurred with PRAGMA key or rekey"). The first open here runs
/// the whole initialisation while every other opener of the process waits for it.
fn open_connection(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    static INITIALISED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    INITIALISED.get_or_init(|| {
        // Opening any connection runs `sqlite3_initialize` to its end on this thread; an
        // error here would come back again from the real open below.
        drop(Connection::open_in_memory());
    });
    Ok(Connection::open_with_flags(path, flags)?)
}

fn key_connection(conn: &Connection, dek: &SecretKey, cipher: Cipher) -> Result<(), StoreError> {
    // SQLCipher would print its own lines on stderr (e.g. "hmac check failed for pgno=1");
    // the store reports damage itself, in one clear error.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    let sql = Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", dek.to_hex().as_str()));
    conn.execute_batch(&sql)?;
    conn.execute_batch(&cipher.pragmas())?;
    Ok(())
}

/// Pragmas that never write to the file; set before anything reads it.
fn set_read_pragmas(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // 64 MiB of page cache: every page read from disk costs a decryption and an HMAC check.
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

/// Pragmas for normal work, once the file is known to be sound.
fn set_work_pragmas(conn: &Connection) -> Result<(), StoreError> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Damaged(format!(
            "the journal could not be switched to WAL (got {mode})"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn damaged(err: StoreError) -> StoreError {
    match err {
        StoreError::Sqlite(e) => StoreError::Damaged(e.to_string()),
        other => other,
    }
}

/// The checks of every unlock, without writing: the first page decrypts and authenticates,
/// and the schema can be read. SQLite also compares the page count in the header with the
/// file's size here, which catches a file cut at a page boundary. Every other page is checked
/// (HMAC) when it is first read, so damage anywhere is reported as `Damaged` on first use;
/// `verify_every_page` checks them all at once (too slow for every unlock: see
/// the module doc of this crate).
fn verify_on_open(conn: &Connection) -> Result<(), StoreError> {
    let _span = tracing::debug_span!("verify_on_open").entered();
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::Damaged(
            "the first page fails its integrity check (file is not a database)".into(),
        ),
        _ => damaged(e.into()),
    })?;
    Ok(())
}

/// Reads every page (HMAC check) and the b-tree structure, without writing.
fn verify_every_page(conn: &Connection) -> Result<(), StoreError> {
    let _span = tracing::debug_span!("verify_every_page").entered();
    verify_on_open(conn)?;
    let mut problems = Vec::new();
    {
        let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
        let mut rows = stmt.query([]).map_err(|e| damaged(e.into()))?;
        while let Some(row) = rows.next().map_err(|e| damaged(e.into()))? {
            problems.push(row.get::<_, String>(0).unwrap_or_default());
        }
    }
    if !problems.is_empty() {
        return Err(StoreError::Damaged(problems.join("; ")));
    }
    Ok(())
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Opens an existing database file: key, verify, refuse newer schemas; only then configure it
/// and migrate. On any failure before configuration nothing has been written to the file.
fn open_database(db: &Path, dek: &SecretKey, cipher: Cipher) -> Result<Connection, StoreError> {
    let meta = match fs::metadata(db) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Damaged(format!("{} is missing", db.display())));
        }
        Err(e) => return Err(e.into()),
    };
    let page_size = u64::from(cipher.page_size);
    if meta.len() == 0 || !meta.len().is_multiple_of(page_size) {
        return Err(StoreError::Damaged(format!(
            "the file is {} bytes, not a whole number of {page_size}-byte pages (truncated?)",
            meta.len()
        )));
    }
    let (wal, shm) = (sidecar(db, "-wal"), sidecar(db, "-shm"));
    let (wal_existed, shm_existed) = (wal.exists(), shm.exists());
    let conn = open_connection(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let checked = (|| {
        // Until the file is verified, closing must not checkpoint a WAL into it.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )?;
        key_connection(&conn, dek, cipher)?;
        set_read_pragmas(&conn)?;
        verify_on_open(&conn)?;
        migration::check_version(&conn)?;
        Ok(())
    })();
    match checked {
        Ok(()) => {
            conn.set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                false,
            )?;
            Ok(conn)
        }
        Err(err) => {
            drop(conn);
            // Remove only what this attempt created: an empty WAL and its index.
            if !wal_existed && fs::metadata(&wal).is_ok_and(|m| m.len() == 0) {
                let _ = fs::remove_file(&wal);
            }
            if !shm_existed && !wal.exists() {
                let _ = fs::remove_file(&shm);
            }
            Err(err)
        }
    }
}

impl Store {
    /// Whether `dir` holds a profile.
    pub fn exists(dir: &Path) -> bool {
        dir.join(KEY_FILE).is_file()
    }

    /// Creates a profile in `dir` (made if missing) protected by `passphrase`, deriving its
    /// key with Argon2id at `cost` (`KdfCost::DEFAULT` in production).
    pub fn create(dir: &Path, passphrase: &str, cost: KdfCost) -> Result<Store, StoreError> {
        Self::create_with(dir, passphrase, cost, &[], None)
    }

    /// `create`, with first settings and secrets (`meta`) and an audit entry written in the
    /// same transaction as the schema, before the key file: a profile is either whole or
    /// absent, whenever the process is stopped.
    pub fn create_with(
        dir: &Path,
        passphrase: &str,
        cost: KdfCost,
        meta: &[(&str, &[u8])],
        audit: Option<&AuditRecord>,
    ) -> Result<Store, StoreError> {
        let _span = tracing::info_span!("store_create", dir = %dir.display()).entered();
        let dir_existed = dir.exists();
        if dir_existed && !dir.is_dir() {
            return Err(StoreError::NotAFolder(dir.to_path_buf()));
        }
        if dir_existed && !Self::exists(dir) {
            if dir.join(DB_FILE).exists() {
                return Err(StoreError::Unfinished(dir.to_path_buf()));
            }
            // Hidden files (a file manager's) aside, the folder must be empty: a profile's
            // files are not mixed with others.
            let other = fs::read_dir(dir)?
                .flatten()
                .any(|e| !e.file_name().to_string_lossy().starts_with('.'));
            if other {
                return Err(StoreError::NotEmpty(dir.to_path_buf()));
            }
        }
        fs::create_dir_all(dir)?;
        #[cfg(unix)]
        if !dir_existed {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        let db = dir.join(DB_FILE);
        if Self::exists(dir) || db.exists() {
            return Err(StoreError::AlreadyExists(dir.to_path_buf()));
        }
        let canonical_dir = fs::canonicalize(dir)?;
        let dek = SecretKey::generate()?;
        let key_file = keyfile::wrap(&dek, passphrase, keyfile::fresh_params(cost)?, Cipher::NEW)?;
        let key_bytes = key_file.to_bytes()?;

        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&db) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::AlreadyExists(dir.to_path_buf()));
            }
            Err(e) => return Err(e.into()),
        }
        let mut conn = open_connection(
            &db,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        key_connection(&conn, &dek, key_file.cipher())?;
        set_read_pragmas(&conn)?;
        set_work_pragmas(&conn)?;
        migration::migrate(&mut conn)?;
        if !meta.is_empty() || audit.is_some() {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for (key, value) in meta {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                    params![key, value],
                )?;
            }
            if let Some(record) = audit {
                insert_audit(&tx, record, record.item, OffsetDateTime::now_utc())?;
            }
            tx.commit()?;
        }
        keyfile::sync_dir(dir)?;
        // The key file is written last: a profile exists once it is there.
        keyfile::write_atomic(dir, &key_bytes)?;
        unlock::remember_passphrase(&canonical_dir, passphrase, &key_bytes, &dek);
        tracing::info!("profile created");
        Ok(Store {
            conn: Mutex::new(conn),
            dir: dir.to_path_buf(),
            canonical_dir,
            dek: Some(dek),
        })
    }

    /// Opens the profile in `dir`. A wrong passphrase is refused before the database is opened.
    pub fn open(dir: &Path, passphrase: &str) -> Result<Store, StoreError> {
        let _span = tracing::info_span!("store_open", dir = %dir.display()).entered();
        let key_bytes = keyfile::read(dir)?;
        let canonical_dir = fs::canonicalize(dir)?;
        let dek = unlock::unlock(&canonical_dir, &key_bytes, passphrase)?;
        let key_file = KeyFile::parse(&key_bytes)?;
        let cipher = key_file.cipher();
        let mut conn = open_database(&dir.join(DB_FILE), &dek, cipher)?;
        if key_file.is_legacy() {
            // A first-format key file (PBKDF2): wrapped again under Argon2id now that the
            // passphrase is known to be right. The write is atomic: a process stopped at any
            // instant leaves the old file or the new one, and both open.
            let new_bytes = keyfile::wrap(
                &dek,
                passphrase,
                keyfile::fresh_params(KdfCost::DEFAULT)?,
                cipher,
            )?
            .to_bytes()?;
            keyfile::write_atomic(dir, &new_bytes)?;
            unlock::forget(&canonical_dir);
            unlock::remember_passphrase(&canonical_dir, passphrase, &new_bytes, &dek);
            tracing::info!("key file upgraded to Argon2id");
        }
        set_work_pragmas(&conn)?;
        migration::migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            dir: dir.to_path_buf(),
            canonical_dir,
            dek: Some(dek),
        })
    }

    /// The profile directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Closes the store and forgets this profile's keys held by the process unlock cache, so
    /// that opening it again needs the passphrase and pays the key derivation (locking).
    pub fn close(self) {
        self.forget_cached_key();
        drop(self);
    }

    /// Drops this profile's keys from the process unlock cache (the open store keeps working
    /// until it is dropped): the next `open` pays the key derivation.
    pub fn forget_cached_key(&self) {
        unlock::forget(&self.canonical_dir);
    }

    /// Re-wraps the data key under `new`, with fresh Argon2id parameters at the default cost
    /// (this is how parameters are raised). `old` is checked first. The
    /// data is not rewritten.
    pub fn change_passphrase(&self, old: &str, new: &str) -> Result<(), StoreError> {
        let _span = tracing::info_span!("change_passphrase", dir = %self.dir.display()).entered();
        let Some(current) = &self.dek else {
            return Err(StoreError::KeyFile("this store has no passphrase".into()));
        };
        // Hold the connection so no other call of this store runs meanwhile.
        let _conn = self.lock();
        let key_bytes = keyfile::read(&self.dir)?;
        let dek = unlock::unlock(&self.canonical_dir, &key_bytes, old)?;
        if dek != *current {
            return Err(StoreError::KeyFile(
                "profile.key no longer holds the key of the open store".into(),
            ));
        }
        let params = keyfile::fresh_params(KdfCost::DEFAULT)?;
        let cipher = KeyFile::parse(&key_bytes)?.cipher();
        let new_bytes = keyfile::wrap(&dek, new, params, cipher)?.to_bytes()?;
        keyfile::write_atomic(&self.dir, &new_bytes)?;
        unlock::forget(&self.canonical_dir);
        unlock::remember_passphrase(&self.canonical_dir, new, &new_bytes, &dek);
        tracing::info!("passphrase changed");
        Ok(())
    }

    /// The key derivation parameters as stored in `profile.key`.
    pub fn kdf_params(&self) -> Result<KdfParams, StoreError> {
        Ok(KeyFile::parse(&keyfile::read(&self.dir)?)?.kdf)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves no transaction open (rusqlite rolls back on
        // drop), so the connection is still sound.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` with the connection.
    pub(crate) fn call<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        f(&mut conn)
    }

    /// Runs `f` with the connection's writes synced at WAL checkpoints rather than at each
    /// commit (`synchronous = NORMAL`), then back to `FULL` whatever `f` did. A transaction
    /// committed this way is whole or absent after a crash, but a power cut may lose it: only
    /// for what can be had again (a commit of others, which the relay still holds).
    pub(crate) fn call_replayable<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let result = f(&mut conn);
        let restored = conn.pragma_update(None, "synchronous", "FULL");
        let value = result?;
        restored?;
        Ok(value)
    }

    /// Checks every page's HMAC and the whole database structure, without writing. Slow on a
    /// big store (it reads the whole file): for `diplo check` and background checks.
    pub fn verify_integrity(&self) -> Result<(), StoreError> {
        let _span = tracing::info_span!("verify_integrity").entered();
        self.call(|conn| {
            if self.dek.is_some() {
                verify_every_page(conn)?;
            }
            let result: String = conn
                .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
                .map_err(|e| damaged(e.into()))?;
            if result == "ok" {
                Ok(())
            } else {
                Err(StoreError::Damaged(result))
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions

pub(crate) fn to_ns(t: OffsetDateTime) -> i64 {
    let ns = t.unix_timestamp_nanos();
    i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX })
}

pub(crate) fn from_ns(ns: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .map_err(|_| StoreError::Damaged(format!("invalid timestamp {ns}")))
}

pub(crate) fn id_from_blob(blob: &[u8]) -> Result<ItemId, StoreError> {
    let bytes: [u8; 16] = blob
        .try_into()
        .map_err(|_| StoreError::Damaged("an item id is not 16 bytes".into()))?;
    Ok(ItemId::from_bytes(bytes))
}

fn route_rank(route: Option<Route>) -> i64 {
    match route {
        Some(Route::Action) => 0,
        Some(Route::Info) => 1,
        None => 2,
    }
}

fn parse_route(code: Option<String>) -> Result<Option<Route>, StoreError> {
    code.map(|c| {
        c.parse::<Route>()
            .map_err(|_| StoreError::Damaged(format!("unknown route {c}")))
    })
    .transpose()
}

pub(crate) fn item_number(item: &Item) -> Option<String> {
    match &item.content {
        ItemContent::Telegram(t) => t.number.as_ref().map(ToString::to_string),
        ItemContent::DiplomaticNote(n) => n.number.as_ref().map(ToString::to_string),
        ItemContent::FormalEmail(_) => None,
    }
}

/// The columns `summary_from_row` reads, from `items i`, starting at column 0.
pub(crate) const SUMMARY_COLUMNS: &str = "i.id, i.kind, i.subject, i.marking, i.precedence, i.route, \
     i.origin, i.number, i.written_at, i.received_at, i.deadline, i.read, \
     (SELECT group_concat(t.tag, ' ') FROM item_tags t WHERE t.item = i.seq), i.language";
/// The number of columns in `SUMMARY_COLUMNS`.
const SUMMARY_COLUMN_COUNT: usize = 14;

/// The raw values of a summary row (read inside the rusqlite closure, checked outside).
struct SummaryRow {
    id: Vec<u8>,
    kind: String,
    subject: String,
    marking: String,
    precedence: i64,
    route: Option<String>,
    origin: String,
    number: Option<String>,
    written_at: i64,
    received_at: i64,
    deadline: Option<i64>,
    read: bool,
    tags: Option<String>,
    /// NULL only if written so by hand (the column allows it: see migration 0020).
    language: Option<String>,
}

fn summary_row(row: &Row<'_>) -> rusqlite::Result<SummaryRow> {
    Ok(SummaryRow {
        id: row.get(0)?,
        kind: row.get(1)?,
        subject: row.get(2)?,
        marking: row.get(3)?,
        precedence: row.get(4)?,
        route: row.get(5)?,
        origin: row.get(6)?,
        number: row.get(7)?,
        written_at: row.get(8)?,
        received_at: row.get(9)?,
        deadline: row.get(10)?,
        read: row.get(11)?,
        tags: row.get(12)?,
        language: row.get(13)?,
    })
}

impl SummaryRow {
    fn into_summary(self) -> Result<ItemSummary, StoreError> {
        let bad =
            |what: &str, v: &dyn fmt::Display| StoreError::Damaged(format!("unknown {what} {v}"));
        let kind = ItemKind::from_code(&self.kind).map_err(|_| bad("kind", &self.kind))?;
        let marking = self
            .marking
            .parse::<Marking>()
            .map_err(|_| bad("marking", &self.marking))?;
        let precedence = u8::try_from(self.precedence)
            .ok()
            .and_then(Precedence::from_rank)
            .ok_or_else(|| bad("precedence", &self.precedence))?;
        let mut tags: Vec<String> = self
            .tags
            .unwrap_or_default()
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        tags.sort();
        Ok(ItemSummary {
            id: id_from_blob(&self.id)?,
            kind,
            subject: self.subject,
            marking,
            precedence,
            route: parse_route(self.route)?,
            origin: self.origin,
            number: self.number,
            written_at: from_ns(self.written_at)?,
            received_at: from_ns(self.received_at)?,
            deadline: self.deadline.map(from_ns).transpose()?,
            read: self.read,
            tags,
            // Written only from a `Language`; anything else reads as unknown.
            language: self
                .language
                .as_deref()
                .and_then(|l| Language::parse(l).ok()),
        })
    }
}

/// The triage counts under `filter`. Without an origin or a tag it sums the tally of the
/// counts (`triage_tally`, migration 0015: a few hundred rows, whatever the size of the
/// store); with one, it counts the items, reading only a covering index (`items_counts`,
/// migration 0005, or `items_filters`) besides what the origin or the tag needs.
pub(crate) fn counts_sql(filter: &TriageFilter, params: &mut Vec<Value>) -> String {
    let conds = filter_sql(filter, params);
    let (from, n) = if filter.origin.is_none() && filter.tag.is_none() {
        ("triage_tally i", "i.n")
    } else {
        ("items i", "1")
    };
    format!(
        "SELECT coalesce(sum({n}), 0), \
         coalesce(sum({n} * (i.route_rank = 0)), 0), coalesce(sum({n} * (i.route_rank = 1)), 0), \
         coalesce(sum({n} * (i.route_rank = 2)), 0), coalesce(sum({n} * (i.read = 0)), 0), \
         coalesce(sum({n} * (i.read = 0 AND i.route_rank = 0)), 0), \
         coalesce(sum({n} * (i.read = 0 AND i.route_rank = 1)), 0), \
         coalesce(sum({n} * (i.read = 0 AND i.route_rank = 2)), 0) \
         FROM {from} WHERE {conds}"
    )
}

/// `WHERE` conditions (ANDed) for a filter, with their parameters appended to `params`.
fn filter_sql(filter: &TriageFilter, params: &mut Vec<Value>) -> String {
    let mut conds: Vec<String> = vec!["1".into()];
    let mut in_list = |column: &str, values: Vec<Value>, params: &mut Vec<Value>| {
        if values.is_empty() {
            return;
        }
        let marks = vec!["?"; values.len()].join(", ");
        params.extend(values);
        conds.push(format!("{column} IN ({marks})"));
    };
    in_list(
        "i.kind",
        filter
            .kinds
            .iter()
            .map(|k| Value::Text(k.code().into()))
            .collect(),
        params,
    );
    in_list(
        "i.marking",
        filter
            .markings
            .iter()
            .map(|m| Value::Text(m.code().into()))
            .collect(),
        params,
    );
    in_list(
        "i.precedence",
        filter
            .precedences
            .iter()
            .map(|p| Value::Integer(i64::from(p.rank())))
            .collect(),
        params,
    );
    if let Some(route) = filter.route {
        conds.push("i.route_rank = ?".into());
        params.push(Value::Integer(route.rank()));
    }
    if let Some(origin) = &filter.origin {
        conds.push("i.origin = ? COLLATE NOCASE".into());
        params.push(Value::Text(origin.trim().to_owned()));
    }
    if let Some(tag) = &filter.tag {
        conds.push("EXISTS (SELECT 1 FROM item_tags t WHERE t.item = i.seq AND t.tag = ?)".into());
        params.push(Value::Text(tag.trim().to_uppercase()));
    }
    if filter.unread_only {
        conds.push("i.read = 0".into());
    }
    conds.join(" AND ")
}

/// The join that keeps the full-text matches whose item passes the search's filters (empty
/// without filters), and its parameters. The filters sit in the JOIN, before MATCH: their
/// parameters come first. Each match is checked in the narrow index of the filter columns,
/// not in the items table (migration 0008). With `facets`, kinds and precedences are not
/// checked there: they are parts of the expression, matched in the index's facets
/// (`facet_parts`).
pub(crate) fn search_join(query: &SearchQuery, facets: bool) -> (String, Vec<Value>) {
    let mut params = Vec::new();
    let rest = if facets {
        TriageFilter {
            kinds: Vec::new(),
            precedences: Vec::new(),
            ..query.filter.clone()
        }
    } else {
        query.filter.clone()
    };
    let mut conds = filter_sql(&rest, &mut params);
    if let Some(from) = query.from {
        conds.push_str(" AND i.written_at >= ?");
        params.push(Value::Integer(to_ns(from)));
    }
    if let Some(to) = query.to {
        conds.push_str(" AND i.written_at < ?");
        params.push(Value::Integer(to_ns(to)));
    }
    let join = if params.is_empty() && conds == "1" {
        String::new()
    } else {
        format!("JOIN items i INDEXED BY items_filters ON i.seq = items_fts.rowid AND {conds}")
    };
    (join, params)
}

/// The `stride` statement of a search under `filter`, with its parameters
/// (`SearchStatements::stride`): the store's items over those the filter passes, from the
/// tally of the counts; 1 without a filter, or with an origin or a tag.
pub(crate) fn stride_sql(filter: &TriageFilter) -> (String, Vec<Value>) {
    let mut params = Vec::new();
    let conds = filter_sql(filter, &mut params);
    if conds == "1" || filter.origin.is_some() || filter.tag.is_some() {
        return ("SELECT 1".to_owned(), Vec::new());
    }
    (
        format!(
            "SELECT coalesce((SELECT sum(n) FROM triage_tally), 0) \
             / max(1, coalesce(sum(i.n), 0)) FROM triage_tally i WHERE {conds}"
        ),
        params,
    )
}

/// At most this share of the store (one in four) passes the kinds and precedences of a
/// search whose filter is matched in the index's facets.
const FACETS_AT_MOST_ONE_IN: i64 = 4;

/// Whether a search's kinds and precedences are matched in the index's facets rather than
/// checked by the join: when they pass at most one item in `FACETS_AT_MOST_ONE_IN` (from the
/// tally of the counts). bm25 counts, in every statement, each part's items over the whole
/// index, about 37 ns an item (20 ms for the telegrams of a million items), where the join
/// checks each match of the words (about a microsecond): a facet few items pass costs
/// little and spares the join its checks, a facet most items pass costs more than it saves.
pub(crate) fn facets_pay(conn: &Connection, filter: &TriageFilter) -> Result<bool, StoreError> {
    // The store's items over those the kinds and precedences pass: the stride of a filter of
    // those alone (1 when there are none).
    let (sql, params) = stride_sql(&TriageFilter {
        kinds: filter.kinds.clone(),
        precedences: filter.precedences.clone(),
        ..TriageFilter::default()
    });
    let ratio: i64 = conn.query_row(&sql, params_from_iter(params), |r| r.get(0))?;
    Ok(ratio >= FACETS_AT_MOST_ONE_IN)
}

/// How a search is run: its join and the filters' parameters, the stride statement with
/// its parameters, and its parts, to which the facets of its filter are added when they pay
/// (`facets_pay`).
pub(crate) type SearchPlan = (String, Vec<Value>, (String, Vec<Value>), Vec<QueryPart>);

pub(crate) fn search_plan(
    conn: &Connection,
    query: &SearchQuery,
    mut parts: Vec<QueryPart>,
) -> Result<SearchPlan, StoreError> {
    let facets = facets_pay(conn, &query.filter)?;
    if facets {
        parts.extend(facet_parts(&query.filter));
    }
    let (join, params) = search_join(query, facets);
    Ok((join, params, stride_sql(&query.filter), parts))
}

/// The parts of a search's expression that keep the items of its filter's kinds and
/// precedences: any of the facet words of each, in the index's `facets` column
/// (`index.rs`, migration 0019). FTS5 intersects them with the words' lists in the index,
/// seeking past the items they leave out.
pub(crate) fn facet_parts(filter: &TriageFilter) -> Vec<QueryPart> {
    let any_of = |words: Vec<String>| -> Option<QueryPart> {
        (!words.is_empty()).then(|| {
            let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
            QueryPart {
                fts: format!("facets : ({})", quoted.join(" OR ")),
                prefix_of: None,
                or_whole_word: None,
                phrase: false,
            }
        })
    };
    [
        any_of(filter.kinds.iter().map(|k| kind_facet(*k)).collect()),
        any_of(
            filter
                .precedences
                .iter()
                .map(|p| precedence_facet(*p))
                .collect(),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The date range of a search, from (inclusive) to (exclusive) in nanoseconds, if it has
/// one.
pub(crate) fn search_dates(query: &SearchQuery) -> Option<(i64, i64)> {
    (query.from.is_some() || query.to.is_some()).then(|| {
        (
            query.from.map_or(i64::MIN, to_ns),
            query.to.map_or(i64::MAX, to_ns),
        )
    })
}

fn page_params(page: Page, params: &mut Vec<Value>) {
    params.push(Value::Integer(i64::from(page.limit)));
    params.push(Value::Integer(
        i64::try_from(page.offset).unwrap_or(i64::MAX),
    ));
}

// ---------------------------------------------------------------------------------------------
// Writing items

pub(crate) fn insert_audit(
    conn: &Connection,
    record: &AuditRecord,
    item: Option<ItemId>,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, item, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            to_ns(at),
            record.actor,
            record.action.code(),
            item.map(|id| id.as_bytes().to_vec()),
            record.detail
        ],
    )?;
    Ok(())
}

/// The message ids an item names: those it refers to (root first), then its own.
fn links_of<'a>(new: &NewItem<'a>) -> Vec<&'a str> {
    let mut links: Vec<&str> = Vec::new();
    for id in new.thread_parents.iter().copied().chain(new.message_id) {
        if !links.contains(&id) {
            links.push(id);
        }
    }
    links
}

/// The threads a new item touches: those of the stored messages that name one of its ids
/// (`thread_links`), and those keyed by one of them (filed before their links were kept), in
/// the order of its ids, root first. Every message of a conversation holds one key, so each
/// key found is one conversation the new item links.
fn threads_named(conn: &Connection, links: &[&str]) -> Result<Vec<String>, StoreError> {
    let mut by_link = conn.prepare_cached(
        "SELECT DISTINCT i.thread_key FROM thread_links l JOIN items i ON i.seq = l.item \
         WHERE l.message_id = ?1 AND i.thread_key IS NOT NULL",
    )?;
    let mut by_key = conn.prepare_cached("SELECT 1 FROM items WHERE thread_key = ?1 LIMIT 1")?;
    let mut keys: Vec<String> = Vec::new();
    for id in links {
        let named = by_link.query_map([id], |r| r.get::<_, String>(0))?;
        for key in named {
            let key = key?;
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        if !keys.iter().any(|k| k == id) && by_key.exists([id])? {
            keys.push((*id).to_owned());
        }
    }
    Ok(keys)
}

/// Files a new item in its conversation: the thread of the first stored message it is linked
/// to, else the key it gives itself; the other threads it links are merged into that one, so
/// a conversation is one thread whatever the order its messages arrive in (a reply stored
/// before its parent, References cut short, a message that never arrives but is named by two
/// others). Returns the key to store with the item.
fn thread_of(conn: &Connection, new: &NewItem<'_>) -> Result<Option<String>, StoreError> {
    let links = links_of(new);
    if links.is_empty() {
        return Ok(new.thread_key.map(str::to_owned));
    }
    let keys = threads_named(conn, &links)?;
    let Some(chosen) = keys.first().cloned().or(new.thread_key.map(str::to_owned)) else {
        return Ok(None);
    };
    let mut merge =
        conn.prepare_cached("UPDATE items SET thread_key = ?1 WHERE thread_key = ?2")?;
    for other in keys.iter().filter(|k| **k != chosen) {
        merge.execute(params![chosen, other])?;
    }
    Ok(Some(chosen))
}

/// Records the ids an item names, for the messages that arrive after it.
fn keep_links(conn: &Connection, new: &NewItem<'_>, seq: i64) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare_cached("INSERT OR IGNORE INTO thread_links (message_id, item) VALUES (?1, ?2)")?;
    for id in links_of(new) {
        stmt.execute(params![id, seq])?;
    }
    Ok(())
}

/// Inserts one item with its tags, attachments and index rows, unless it is a duplicate; its
/// words are noted in `words`, which the caller keeps before it commits.
pub(crate) fn insert_item(
    conn: &Connection,
    new: &NewItem<'_>,
    words: &mut NewWords,
) -> Result<PutOutcome, StoreError> {
    let item = new.item;
    if let Some(key) = new.dedupe_key {
        let existing: Option<Vec<u8>> = conn
            .query_row("SELECT id FROM items WHERE dedupe_key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(blob) = existing {
            return Ok(PutOutcome::Duplicate(id_from_blob(&blob)?));
        }
    }
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM items WHERE id = ?1)",
        [item.id.as_bytes().as_slice()],
        |r| r.get(0),
    )?;
    if exists {
        return Ok(PutOutcome::Duplicate(item.id));
    }
    let thread_key = thread_of(conn, new)?;
    let packed = crate::record::pack(item)?;
    conn.execute(
        "INSERT INTO items (id, kind, subject, marking, precedence, route, route_rank, origin, \
         number, written_at, received_at, deadline, deadline_sort, read, thread_key, dedupe_key, \
         data, packed, dictionary, language) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, ?14, ?15, '', ?16, ?17, \
         ?18)",
        params![
            item.id.as_bytes().as_slice(),
            item.kind().code(),
            item.subject(),
            item.marking().code(),
            i64::from(item.precedence().rank()),
            new.route.map(Route::code),
            route_rank(new.route),
            item.origin(),
            item_number(item),
            to_ns(item.written_at()),
            to_ns(item.received_at),
            item.deadline.map(to_ns),
            item.deadline.map_or(i64::MAX, to_ns),
            thread_key,
            new.dedupe_key,
            packed,
            crate::record::DICTIONARY,
            item.language.as_ref().map_or("", Language::as_str),
        ],
    )?;
    let seq = conn.last_insert_rowid();
    keep_links(conn, new, seq)?;
    {
        let mut stmt =
            conn.prepare_cached("INSERT OR IGNORE INTO item_tags (item, tag) VALUES (?1, ?2)")?;
        for tag in item.tags() {
            stmt.execute(params![seq, tag.as_str()])?;
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO attachments (item, idx, meta, bytes) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (idx, (meta, bytes)) in new.attachments.iter().enumerate() {
            stmt.execute(params![
                seq,
                i64::try_from(idx).unwrap_or(i64::MAX),
                serde_json::to_string(meta)?,
                bytes
            ])?;
        }
    }
    let text = index_text(item, new.attachments);
    write_index(
        conn,
        "INSERT INTO items_fts (rowid, subject, body, tags, addressees, headers, attachments, \
         facets) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        seq,
        &text,
    )?;
    words.add(&text);
    Ok(PutOutcome::Inserted(item.id))
}

/// Runs `sql` (an insert or an update of the full-text row) with the rowid `seq` as ?1 and
/// the columns of `text` as ?2 to ?8.
fn write_index(
    conn: &Connection,
    sql: &str,
    seq: i64,
    text: &crate::index::IndexText,
) -> Result<(), StoreError> {
    conn.prepare_cached(sql)?.execute(params![
        seq,
        text.subject,
        text.body,
        text.tags,
        text.addressees,
        text.headers,
        text.attachments,
        text.facets
    ])?;
    Ok(())
}

/// The attachments stored with the item `seq`, in order, as (description, bytes).
pub(crate) fn stored_attachments(
    conn: &Connection,
    seq: i64,
) -> Result<Vec<(AttachmentMeta, Vec<u8>)>, StoreError> {
    let rows = conn
        .prepare_cached("SELECT meta, bytes FROM attachments WHERE item = ?1 ORDER BY idx")?
        .query_map([seq], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(meta, bytes)| Ok((serde_json::from_str(&meta)?, bytes)))
        .collect()
}

/// What the index holds of `item`, stored as `seq`, with the attachments stored with it
/// (the index keeps no copy of the text: it is made again from the item).
fn stored_index_text(
    conn: &Connection,
    seq: i64,
    item: &Item,
) -> Result<crate::index::IndexText, StoreError> {
    let attachments = stored_attachments(conn, seq)?;
    let refs: Vec<(AttachmentMeta, &[u8])> = attachments
        .iter()
        .map(|(meta, bytes)| (meta.clone(), bytes.as_slice()))
        .collect();
    Ok(index_text(item, &refs))
}

/// Indexes the item `seq` again as `item` (its text changed), with its stored attachments.
/// The index keeps no copy of the text, so every column is written. Its words are noted in
/// `words`, which the caller keeps before it commits.
pub(crate) fn reindex(
    conn: &Connection,
    seq: i64,
    item: &Item,
    words: &mut NewWords,
) -> Result<(), StoreError> {
    let text = stored_index_text(conn, seq, item)?;
    write_index(
        conn,
        "UPDATE items_fts SET subject = ?2, body = ?3, tags = ?4, addressees = ?5, \
         headers = ?6, attachments = ?7, facets = ?8 WHERE rowid = ?1",
        seq,
        &text,
    )?;
    words.add(&text);
    Ok(())
}

/// Indexes every stored item into an empty full-text table, from its record and its stored
/// attachments, in the order they entered the store (a schema migration's step). The list of
/// the index's words is left alone: the migration that makes it, later, fills it from the
/// index.
pub(crate) fn index_every_item(conn: &Connection) -> Result<(), StoreError> {
    // Migration 0019 runs this before migration 0022 adds the records' dictionary: every
    // record then has none.
    let has_dictionary: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('items') WHERE name = 'dictionary')",
        [],
        |r| r.get(0),
    )?;
    let columns = if has_dictionary {
        crate::record::COLUMNS
    } else {
        "data, packed, NULL"
    };
    let mut rows = conn.prepare(&format!("SELECT seq, {columns} FROM items ORDER BY seq"))?;
    let mut rows = rows.query([])?;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let item = crate::record::Stored::read(row, 1)?.item()?;
        write_index(
            conn,
            "INSERT INTO items_fts (rowid, subject, body, tags, addressees, headers, attachments, \
             facets) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            seq,
            &stored_index_text(conn, seq, &item)?,
        )?;
    }
    Ok(())
}

impl Store {
    /// Stores an item with its tags, attachments, index entries and `audit` entry in one
    /// transaction; when it returns `Ok`, the item is on disk. A duplicate (same dedupe key or
    /// same id) writes nothing, not even the audit entry. The entry's item defaults to the
    /// inserted item's id.
    pub fn put_item(
        &self,
        item: &NewItem<'_>,
        audit: &AuditRecord,
    ) -> Result<PutOutcome, StoreError> {
        self.put_item_with_rows(item, audit, &[])
    }

    /// Stores an item as [`Store::put_item`] does and, in the same transaction when it is
    /// inserted, the sync engine's rows of its outbox entries: a local write and what sends it
    /// are kept together or not at all.
    pub fn put_item_with_rows(
        &self,
        item: &NewItem<'_>,
        audit: &AuditRecord,
        rows: &[crate::RowWrite<'_>],
    ) -> Result<PutOutcome, StoreError> {
        let _span = tracing::debug_span!("put_item_with_rows", id = %item.item.id).entered();
        self.call(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut words = NewWords::default();
            let outcome = insert_item(&tx, item, &mut words)?;
            if let PutOutcome::Inserted(id) = outcome {
                insert_audit(
                    &tx,
                    audit,
                    audit.item.or(Some(id)),
                    OffsetDateTime::now_utc(),
                )?;
                crate::space::write_rows(&tx, rows)?;
            }
            words.keep(&tx)?;
            tx.commit()?;
            Ok(outcome)
        })
    }

    /// Stores a batch in one transaction (for ingest), with one `audit` entry per inserted
    /// item (its item set to that item's id). All or nothing.
    pub fn put_items(
        &self,
        items: &[NewItem<'_>],
        audit: &AuditRecord,
    ) -> Result<Vec<PutOutcome>, StoreError> {
        let _span = tracing::debug_span!("put_items", count = items.len()).entered();
        self.call(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = OffsetDateTime::now_utc();
            let mut outcomes = Vec::with_capacity(items.len());
            let mut words = NewWords::default();
            for item in items {
                let outcome = insert_item(&tx, item, &mut words)?;
                if let PutOutcome::Inserted(id) = outcome {
                    insert_audit(&tx, audit, Some(id), now)?;
                }
                outcomes.push(outcome);
            }
            words.keep(&tx)?;
            tx.commit()?;
            Ok(outcomes)
        })
    }

    /// Sets or clears the read flag, with its `audit` entry (its item defaults to `id`) in the
    /// same transaction.
    pub fn mark_read(&self, id: ItemId, read: bool, audit: &AuditRecord) -> Result<(), StoreError> {
        let _span = tracing::debug_span!("mark_read", %id, read).entered();
        self.call(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE items SET read = ?1 WHERE id = ?2",
                params![read, id.as_bytes().as_slice()],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(id));
            }
            insert_audit(
                &tx,
                audit,
                audit.item.or(Some(id)),
                OffsetDateTime::now_utc(),
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Appends an entry to the audit log on its own.
    pub fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        let _span = tracing::debug_span!("append_audit", action = %record.action).entered();
        self.call(|conn| insert_audit(conn, record, record.item, OffsetDateTime::now_utc()))
    }

    /// Sets a profile setting or secret (replacing any previous value).
    pub fn put_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        let _span = tracing::debug_span!("put_meta", key).entered();
        self.call(|conn| {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            Ok(())
        })
    }

    /// Removes a profile setting (nothing happens if it is not set).
    pub fn delete_meta(&self, key: &str) -> Result<(), StoreError> {
        let _span = tracing::debug_span!("delete_meta", key).entered();
        self.call(|conn| {
            conn.execute("DELETE FROM meta WHERE key = ?1", params![key])?;
            Ok(())
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

impl Store {
    pub fn get_item(&self, id: ItemId) -> Result<Option<StoredItem>, StoreError> {
        let _span = tracing::debug_span!("get_item", %id).entered();
        let row = self.call(|conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT route, read, thread_key, {} FROM items WHERE id = ?1",
                        crate::record::COLUMNS
                    ),
                    [id.as_bytes().as_slice()],
                    |r| {
                        Ok((
                            crate::record::Stored::read(r, 3)?,
                            r.get::<_, Option<String>>(0)?,
                            r.get::<_, bool>(1)?,
                            r.get::<_, Option<String>>(2)?,
                        ))
                    },
                )
                .optional()?)
        })?;
        row.map(|(record, route, read, thread_key)| {
            Ok(StoredItem {
                item: record.item()?,
                route: parse_route(route)?,
                read,
                thread_key,
            })
        })
        .transpose()
    }

    /// Ids starting with `prefix` (hex digits, `-` ignored), in id order, at most 100.
    pub fn find_items_by_prefix(&self, prefix: &str) -> Result<Vec<ItemId>, StoreError> {
        let digits: String = prefix.trim().chars().filter(|&c| c != '-').collect();
        if digits.is_empty() || digits.len() > 32 || !digits.chars().all(|c| c.is_ascii_hexdigit())
        {
            return Err(StoreError::InvalidQuery(format!(
                "'{prefix}' is not the start of an item id: use hex digits and '-', such as 01937b9e"
            )));
        }
        let bound = |pad: char| -> Result<Vec<u8>, StoreError> {
            let mut full = digits.to_ascii_lowercase();
            while full.len() < 32 {
                full.push(pad);
            }
            diplomatie_crypto::hex::decode(&full)
                .ok_or_else(|| StoreError::InvalidQuery("not hex".into()))
        };
        let (low, high) = (bound('0')?, bound('f')?);
        self.call(|conn| {
            let mut stmt = conn
                .prepare("SELECT id FROM items WHERE id BETWEEN ?1 AND ?2 ORDER BY id LIMIT ?3")?;
            let blobs = stmt
                .query_map(
                    params![low, high, i64::try_from(MAX_PREFIX_MATCHES).unwrap_or(100)],
                    |r| r.get::<_, Vec<u8>>(0),
                )?
                .collect::<Result<Vec<_>, _>>()?;
            blobs.iter().map(|b| id_from_blob(b)).collect()
        })
    }

    /// An attachment's description and bytes; `index` is its position in `NewItem::attachments`.
    pub fn attachment(
        &self,
        id: ItemId,
        index: u32,
    ) -> Result<Option<(AttachmentMeta, Vec<u8>)>, StoreError> {
        let _span = tracing::debug_span!("attachment", %id, index).entered();
        let row = self.call(|conn| {
            Ok(conn
                .query_row(
                    "SELECT a.meta, a.bytes FROM attachments a JOIN items i ON i.seq = a.item \
                     WHERE i.id = ?1 AND a.idx = ?2",
                    params![id.as_bytes().as_slice(), index],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)),
                )
                .optional()?)
        })?;
        row.map(|(meta, bytes)| Ok((serde_json::from_str(&meta)?, bytes)))
            .transpose()
    }

    pub(crate) fn summaries(
        &self,
        sql: &str,
        params: Vec<Value>,
    ) -> Result<Vec<ItemSummary>, StoreError> {
        let rows = self.call(|conn| {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt
                .query_map(params_from_iter(params), summary_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        rows.into_iter().map(SummaryRow::into_summary).collect()
    }

    /// The triage view: for action first, then for information, then unrouted; within each,
    /// Flash down to Routine, earliest deadline first (none last), most recently received first
    /// (the domain's `triage_cmp`; ties in insertion order).
    pub fn triage(
        &self,
        filter: &TriageFilter,
        page: Page,
    ) -> Result<Vec<ItemSummary>, StoreError> {
        let _span = tracing::debug_span!("triage").entered();
        let mut params = Vec::new();
        let conds = filter_sql(filter, &mut params);
        page_params(page, &mut params);
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM items i WHERE {conds} \
             ORDER BY i.route_rank, i.precedence DESC, i.deadline_sort, i.received_at DESC, i.seq \
             LIMIT ? OFFSET ?"
        );
        self.summaries(&sql, params)
    }

    /// Totals per route and unread, under `filter`.
    pub fn triage_counts(&self, filter: &TriageFilter) -> Result<TriageCounts, StoreError> {
        let _span = tracing::debug_span!("triage_counts").entered();
        let mut params = Vec::new();
        let sql = counts_sql(filter, &mut params);
        self.call(|conn| {
            let counts = conn.query_row(&sql, params_from_iter(params), |r| {
                let n = |i: usize| r.get::<_, i64>(i).map(|v| u64::try_from(v).unwrap_or(0));
                Ok(TriageCounts {
                    total: n(0)?,
                    action: n(1)?,
                    info: n(2)?,
                    unrouted: n(3)?,
                    unread: n(4)?,
                    unread_action: n(5)?,
                    unread_info: n(6)?,
                    unread_unrouted: n(7)?,
                })
            })?;
            Ok(counts)
        })
    }

    /// Full-text search (see `SearchQuery`): the newest matches first by recency tier, the
    /// best first within a tier.
    ///
    /// The order is recency-tiered relevance (`search.rs`): tier 0 holds the newest
    /// `SEARCH_TIER_SIZE` (50,000) items of the store, tier 1 the next as many, and so on;
    /// every match of a newer tier comes before any match of an older one, and within a tier
    /// the matches go by bm25 relevance (the subject weighted highest), then newest first (a
    /// phrase, or a broad search, newest first only). A user who wants older items narrows
    /// the search with `from` / `to`. The filters and
    /// the date range select the matches exactly as before; only their order is tiered.
    /// Paging is consistent: for one state of the store, consecutive pages hold every match
    /// once.
    ///
    /// Each tier is ranked by one FTS5 statement (bm25), over a forward range of rowids,
    /// joining the items table only when a filter needs it; a page reads tiers newest first
    /// until it is full, all in one read transaction. The summaries and snippets of that page
    /// alone are made after. A snippet from FTS5 costs as much as the ranking itself, or the
    /// whole query again per hit (docs/BENCHMARKS.md), so snippets are made in Rust from the
    /// item's text.
    pub fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, StoreError> {
        self.search_in_tiers(query, SEARCH_TIER_SIZE)
    }

    /// `search` with tiers of `tier_size` items (tests use small tiers).
    pub(crate) fn search_in_tiers(
        &self,
        query: &SearchQuery,
        tier_size: u64,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let _span = tracing::debug_span!("search").entered();
        let (parts, highlighter) = parse_query_parts(&query.text, query.prefix_last_word)?;
        let page = self.call(|conn| {
            let (join, params, stride, parts) = search_plan(conn, query, parts)?;
            let ranking = Ranking::new(&join, params, stride, parts, search_dates(query));
            // One read transaction: the tiers' bounds, the ranking and the page's items all
            // see the same state of the store, whatever another process writes meanwhile.
            let tx = conn.transaction()?;
            let ranked = ranking.page(&tx, query.page, tier_size)?;
            let page = {
                let mut summary = tx.prepare_cached(&format!(
                    "SELECT {SUMMARY_COLUMNS}, i.data, i.packed, i.dictionary FROM items i \
                     WHERE i.seq = ?1"
                ))?;
                ranked
                    .into_iter()
                    .map(|(seq, score)| {
                        let (row, record) = summary.query_row([seq], |r| {
                            Ok((
                                summary_row(r)?,
                                crate::record::Stored::read(r, SUMMARY_COLUMN_COUNT)?,
                            ))
                        })?;
                        Ok((seq, row, record, score))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?
            };
            tx.commit()?;
            Ok(page)
        })?;
        page.into_iter()
            .map(|(seq, row, record, score)| {
                let item = record.item()?;
                let text = index_text(&item, &[]);
                let texts = [
                    text.body.as_str(),
                    &text.subject,
                    &text.addressees,
                    &text.headers,
                    &text.tags,
                ];
                let snippet = match highlighter.matched_snippet(&texts) {
                    Some(snippet) => snippet,
                    // Found in an attachment (its name or its text): the indexed text of the
                    // attachments is read for this hit alone.
                    None => {
                        let attachments = self.indexed_attachment_text(seq, &item)?;
                        highlighter
                            .matched_snippet(&[&attachments])
                            .unwrap_or_else(|| highlighter.snippet(&texts))
                    }
                };
                Ok(SearchHit {
                    summary: row.into_summary()?,
                    snippet,
                    rank: -score,
                })
            })
            .collect()
    }

    /// What the full-text index holds of an item's attachments (names, and the text of text
    /// attachments), made again from the attachments stored with it.
    fn indexed_attachment_text(&self, seq: i64, item: &Item) -> Result<String, StoreError> {
        self.call(|conn| Ok(stored_index_text(conn, seq, item)?.attachments))
    }

    /// The items of a conversation, oldest first.
    pub fn thread(&self, thread_key: &str) -> Result<Vec<ItemSummary>, StoreError> {
        let _span = tracing::debug_span!("thread").entered();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM items i WHERE i.thread_key = ? \
             ORDER BY i.written_at, i.seq"
        );
        self.summaries(&sql, vec![Value::Text(thread_key.to_owned())])
    }

    /// Audit entries, oldest first, of one item or of all.
    pub fn audit_log(
        &self,
        item: Option<ItemId>,
        page: Page,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let _span = tracing::debug_span!("audit_log").entered();
        let rows = self.call(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, at, actor, action, item, detail FROM audit_log \
                 WHERE ?1 IS NULL OR item = ?1 ORDER BY seq LIMIT ?2 OFFSET ?3",
            )?;
            let rows = stmt
                .query_map(
                    params![
                        item.map(|id| id.as_bytes().to_vec()),
                        i64::from(page.limit),
                        i64::try_from(page.offset).unwrap_or(i64::MAX)
                    ],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, Option<Vec<u8>>>(4)?,
                            r.get::<_, String>(5)?,
                        ))
                    },
                )?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        rows.into_iter()
            .map(|(seq, at, actor, action, item, detail)| {
                Ok(AuditEntry {
                    seq: u64::try_from(seq).unwrap_or(0),
                    at: from_ns(at)?,
                    actor,
                    action: AuditAction::from_code(&action),
                    item: item.as_deref().map(id_from_blob).transpose()?,
                    detail,
                })
            })
            .collect()
    }

    pub fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.call(|conn| {
            Ok(conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()?)
        })
    }

    pub fn item_count(&self) -> Result<u64, StoreError> {
        self.call(|conn| {
            let n: i64 = conn.query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Benchmarks only

#[cfg(feature = "bench")]
impl Store {
    /// A store with the same schema and pragmas but no encryption, to measure what SQLCipher
    /// costs. Never for real data.
    pub fn create_plaintext_for_bench(dir: &Path) -> Result<Store, StoreError> {
        fs::create_dir_all(dir)?;
        let db = dir.join(DB_FILE);
        if db.exists() {
            return Err(StoreError::AlreadyExists(dir.to_path_buf()));
        }
        let conn = open_connection(&db, OpenFlags::default())?;
        // The same page size as a new encrypted store.
        conn.pragma_update(None, "page_size", Cipher::NEW.page_size)?;
        Self::plaintext_for_bench(dir, conn)
    }

    /// Opens a store made by `create_plaintext_for_bench`.
    pub fn open_plaintext_for_bench(dir: &Path) -> Result<Store, StoreError> {
        let db = dir.join(DB_FILE);
        if !db.is_file() {
            return Err(StoreError::NoProfile(dir.to_path_buf()));
        }
        Self::plaintext_for_bench(dir, open_connection(&db, OpenFlags::default())?)
    }

    fn plaintext_for_bench(dir: &Path, mut conn: Connection) -> Result<Store, StoreError> {
        set_read_pragmas(&conn)?;
        set_work_pragmas(&conn)?;
        migration::migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            dir: dir.to_path_buf(),
            canonical_dir: fs::canonicalize(dir)?,
            dek: None,
        })
    }

    /// Runs `f` on the raw connection (to time a bare statement).
    pub fn with_raw_connection<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        let conn = self.lock();
        f(&conn)
    }

    /// The statements `search` runs for `query`, the filters' parameters, the parameters of
    /// the stride statement, the parts of the MATCH expression (which follows the filters'
    /// parameters), and the parameters of the span statement if the query has a date range,
    /// to run them by hand.
    #[allow(clippy::type_complexity)]
    pub fn search_statements_for_bench(
        &self,
        query: &SearchQuery,
    ) -> Result<
        (
            crate::search::SearchStatements,
            Vec<Value>,
            Vec<Value>,
            Vec<crate::query::QueryPart>,
            Option<(i64, i64)>,
        ),
        StoreError,
    > {
        let (parts, _) = parse_query_parts(&query.text, query.prefix_last_word)?;
        let (join, params, (stride, stride_params), parts) =
            self.call(|conn| search_plan(conn, query, parts))?;
        let relevance = !parts.iter().any(|p| p.phrase);
        Ok((
            crate::search::SearchStatements::new(&join, stride, relevance),
            params,
            stride_params,
            parts,
            search_dates(query),
        ))
    }

    /// The bytes of an item's own text as the full-text index reads it: subject, body, tags,
    /// addressees, headers, and the names and text of its attachments.
    pub fn plaintext_bytes_for_bench(item: &Item, attachments: &[(AttachmentMeta, &[u8])]) -> u64 {
        index_text(item, attachments)
            .text_columns()
            .iter()
            .map(|t| t.len() as u64)
            .sum()
    }
}

/// Turns SQLCipher's memory security on for the rest of this process (it cannot be turned off
/// again): SQLCipher then locks the memory it allocates and wipes it when freed. Returns what
/// SQLCipher reports afterwards. For measuring its cost only.
#[cfg(feature = "bench")]
pub fn enable_memory_security_for_bench() -> Result<bool, StoreError> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch("PRAGMA cipher_memory_security = ON;")?;
    let on: String = conn.query_row("PRAGMA cipher_memory_security", [], |r| r.get(0))?;
    Ok(on == "1")
}
