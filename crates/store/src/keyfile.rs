//! `profile.key`: the data key (DEK) of a profile, wrapped under a key derived from the
//! passphrase (KEK), with the derivation parameters.
//!
//! ```json
//! {"format":2,
//!  "kdf":{"algorithm":"argon2id","version":19,"memory_kib":65536,"passes":3,"lanes":1,"salt":"…"},
//!  "wrapped_key":"<hex of seal(KEK, aad, DEK)>","cipher_hmac":"HMAC_SHA256","cipher_page_size":8192}
//! ```
//! The AAD binds the format, every derivation parameter and the cipher settings:
//! `diplomatie-store/profile.key/v2|argon2id|v=19|m=…|t=…|p=…|salt=…|hmac=HMAC_SHA256|page=8192`.
//! Changing any of them in the file (to cheaper derivation parameters, say) makes the tag fail.
//! The AEAD tag is the key-check value: a wrong passphrase fails it, so it is reported as a wrong
//! passphrase, never as a damaged store.
//!
//! Format 1, the first stores', derived the KEK with PBKDF2-HMAC-SHA256 and bound only the
//! derivation parameters (`diplomatie-store/profile.key/v1|pbkdf2-hmac-sha256|<iterations>|<salt>`).
//! It is still read, and rewritten as format 2 at the first unlock (`Store::open`).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use diplomatie_crypto::{KdfCost, KdfParams, SecretKey, derive_key, hex, open, seal};
use serde::{Deserialize, Serialize};

use crate::StoreError;

static KDF_RUNS: AtomicU64 = AtomicU64::new(0);

/// How many passphrase derivations this process has run (for tests and diagnostics).
pub fn kdf_runs() -> u64 {
    KDF_RUNS.load(Ordering::Relaxed)
}

fn count_kdf_run() {
    KDF_RUNS.fetch_add(1, Ordering::Relaxed);
}

pub(crate) const KEY_FILE: &str = "profile.key";
const KEY_FILE_TMP: &str = "profile.key.tmp";
/// What new key files are written as: Argon2id, cipher settings bound in the AAD.
pub(crate) const FORMAT: u32 = 2;
/// The first stores' key files: PBKDF2, read and upgraded at the next unlock.
pub(crate) const LEGACY_FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyFile {
    pub format: u32,
    pub kdf: KdfParams,
    pub wrapped_key: String,
    /// The page HMAC SQLCipher uses for this store's database. Absent in the first stores,
    /// which use SQLCipher's default.
    #[serde(default)]
    pub cipher_hmac: CipherHmac,
    /// SQLCipher's page size for this store's database. Absent in the first stores, which
    /// use SQLCipher's default of 4,096 bytes.
    #[serde(default = "legacy_page_size")]
    pub cipher_page_size: u32,
}

fn legacy_page_size() -> u32 {
    4096
}

/// How SQLCipher must be set up to read a store: both are fixed when the store is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cipher {
    pub hmac: CipherHmac,
    pub page_size: u32,
}

impl Cipher {
    /// What new stores use. 8 KiB pages halve the per-page work of the codec (IV, HMAC,
    /// cipher set-up) for the same data: ingest 1.34 → 1.11 times the unkeyed store
    /// (docs/BENCHMARKS.md).
    pub(crate) const NEW: Cipher = Cipher {
        hmac: CipherHmac::NEW,
        page_size: 8192,
    };

    /// The statements that set it up, after `PRAGMA key` and before the first read.
    pub(crate) fn pragmas(self) -> String {
        format!(
            "{} PRAGMA cipher_page_size = {};",
            self.hmac.pragma(),
            self.page_size
        )
    }
}

/// The HMAC that authenticates each page of the database. SHA-256 for new stores: as strong
/// for this use, and about twice as fast as SHA-512 on processors with SHA extensions
/// (measured in docs/BENCHMARKS.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum CipherHmac {
    #[default]
    #[serde(rename = "HMAC_SHA512")]
    HmacSha512,
    #[serde(rename = "HMAC_SHA256")]
    HmacSha256,
}

impl CipherHmac {
    /// What new stores use.
    pub(crate) const NEW: CipherHmac = CipherHmac::HmacSha256;

    pub(crate) fn pragma(self) -> &'static str {
        match self {
            CipherHmac::HmacSha512 => "PRAGMA cipher_hmac_algorithm = HMAC_SHA512;",
            CipherHmac::HmacSha256 => "PRAGMA cipher_hmac_algorithm = HMAC_SHA256;",
        }
    }

    /// The name written in the key file (and bound in its AAD).
    pub(crate) fn name(self) -> &'static str {
        match self {
            CipherHmac::HmacSha512 => "HMAC_SHA512",
            CipherHmac::HmacSha256 => "HMAC_SHA256",
        }
    }
}

fn aad(format: u32, params: &KdfParams, cipher: Cipher) -> Result<Vec<u8>, StoreError> {
    match (format, params) {
        (LEGACY_FORMAT, KdfParams::Pbkdf2HmacSha256 { iterations, salt }) => Ok(format!(
            "diplomatie-store/profile.key/v{LEGACY_FORMAT}|pbkdf2-hmac-sha256|{iterations}|{salt}"
        )
        .into_bytes()),
        (FORMAT, KdfParams::Argon2id { .. }) => Ok(format!(
            "diplomatie-store/profile.key/v{FORMAT}|{}|hmac={}|page={}",
            params.canonical(),
            cipher.hmac.name(),
            cipher.page_size
        )
        .into_bytes()),
        (format, params) => Err(StoreError::KeyFile(format!(
            "a format {format} key file does not use {} (the key file was altered: restore \
             profile.key from a backup)",
            params.algorithm()
        ))),
    }
}

/// Derives the KEK (slow) and wraps `dek` under it.
pub(crate) fn wrap(
    dek: &SecretKey,
    passphrase: &str,
    params: KdfParams,
    cipher: Cipher,
) -> Result<KeyFile, StoreError> {
    let aad = aad(FORMAT, &params, cipher)?;
    count_kdf_run();
    let kek = derive_key(passphrase.as_bytes(), &params)?;
    let sealed = seal(&kek, &aad, dek.expose())?;
    Ok(KeyFile {
        format: FORMAT,
        kdf: params,
        wrapped_key: hex::encode(&sealed),
        cipher_hmac: cipher.hmac,
        cipher_page_size: cipher.page_size,
    })
}

impl KeyFile {
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, StoreError> {
        let file: KeyFile = serde_json::from_slice(bytes)
            .map_err(|e| StoreError::KeyFile(format!("not a valid key file ({e})")))?;
        if !(512..=65536).contains(&file.cipher_page_size)
            || !file.cipher_page_size.is_power_of_two()
        {
            return Err(StoreError::KeyFile(format!(
                "invalid page size {}",
                file.cipher_page_size
            )));
        }
        if file.format != FORMAT && file.format != LEGACY_FORMAT {
            return Err(StoreError::KeyFile(format!(
                "unknown key file format {} (this version reads formats {LEGACY_FORMAT} and \
                 {FORMAT}): update the application",
                file.format
            )));
        }
        // Parameters out of bounds are refused here, before any derivation is attempted.
        file.kdf
            .check()
            .map_err(|e| StoreError::KeyFile(e.to_string()))?;
        aad(file.format, &file.kdf, file.cipher())?;
        Ok(file)
    }

    /// Whether this file is of the first format, to be rewritten with Argon2id.
    pub(crate) fn is_legacy(&self) -> bool {
        self.format == LEGACY_FORMAT
    }

    pub(crate) fn cipher(&self) -> Cipher {
        Cipher {
            hmac: self.cipher_hmac,
            page_size: self.cipher_page_size,
        }
    }

    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, StoreError> {
        let mut out = serde_json::to_vec_pretty(self)?;
        out.push(b'\n');
        Ok(out)
    }

    /// Derives the KEK (slow) and unwraps the DEK; a failed tag means a wrong passphrase.
    pub(crate) fn unwrap_key(&self, passphrase: &str) -> Result<SecretKey, StoreError> {
        let sealed = hex::decode(&self.wrapped_key)
            .ok_or_else(|| StoreError::KeyFile("the wrapped key is not hex".into()))?;
        let aad = aad(self.format, &self.kdf, self.cipher())?;
        count_kdf_run();
        let kek = derive_key(passphrase.as_bytes(), &self.kdf)
            .map_err(|e| StoreError::KeyFile(e.to_string()))?;
        let dek = open(&kek, &aad, &sealed).map_err(|_| StoreError::WrongPassphrase)?;
        SecretKey::from_slice(&dek)
            .map_err(|_| StoreError::KeyFile("the wrapped key has the wrong length".into()))
    }
}

/// Reads `DIR/profile.key`; a missing file is `NoProfile`, or `Unfinished` beside a database.
pub(crate) fn read(dir: &Path) -> Result<Vec<u8>, StoreError> {
    if dir.exists() && !dir.is_dir() {
        return Err(StoreError::NotAFolder(dir.to_path_buf()));
    }
    match fs::read(dir.join(KEY_FILE)) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if dir.join(crate::DB_FILE).exists() {
                // The key file is written last: a database without it is a creation that
                // was cut short.
                Err(StoreError::Unfinished(dir.to_path_buf()))
            } else {
                Err(StoreError::NoProfile(dir.to_path_buf()))
            }
        }
        Err(e) => Err(StoreError::Io(e)),
    }
}

/// Writes `DIR/profile.key` atomically: temporary file, fsync, rename, fsync of the directory.
pub(crate) fn write_atomic(dir: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let _span = tracing::debug_span!("write_key_file", dir = %dir.display()).entered();
    let tmp = dir.join(KEY_FILE_TMP);
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, dir.join(KEY_FILE))?;
    sync_dir(dir)
}

pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

pub(crate) fn fresh_params(cost: KdfCost) -> Result<KdfParams, StoreError> {
    Ok(KdfParams::argon2id(cost)?)
}
