//! `profile.key`: the data key (DEK) of a profile, wrapped under a key derived from the
//! passphrase (KEK), with the derivation parameters.
//!
//! ```json
//! {"format":1,"kdf":{"algorithm":"pbkdf2-hmac-sha256","iterations":600000,"salt":"…"},
//!  "wrapped_key":"<hex of seal(KEK, aad, DEK)>"}
//! ```
//! The AAD binds the format and the parameters: `diplomatie-store/profile.key/v1|<algorithm>|<iterations>|<salt>`.
//! The AEAD tag is the key-check value: a wrong passphrase fails it, so it is reported as a wrong
//! passphrase, never as a damaged store.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use diplomatie_crypto::{KdfAlgorithm, KdfParams, SecretKey, derive_key, hex, open, seal};
use serde::{Deserialize, Serialize};

use crate::StoreError;
use crate::unlock::count_kdf_run;

pub(crate) const KEY_FILE: &str = "profile.key";
const KEY_FILE_TMP: &str = "profile.key.tmp";
pub(crate) const FORMAT: u32 = 1;

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
}

fn aad(params: &KdfParams) -> Vec<u8> {
    let algorithm = match params.algorithm {
        KdfAlgorithm::Pbkdf2HmacSha256 => "pbkdf2-hmac-sha256",
    };
    format!(
        "diplomatie-store/profile.key/v{FORMAT}|{algorithm}|{}|{}",
        params.iterations, params.salt
    )
    .into_bytes()
}

/// Derives the KEK (slow) and wraps `dek` under it.
pub(crate) fn wrap(
    dek: &SecretKey,
    passphrase: &str,
    params: KdfParams,
    cipher: Cipher,
) -> Result<KeyFile, StoreError> {
    count_kdf_run();
    let kek = derive_key(passphrase.as_bytes(), &params)?;
    let sealed = seal(&kek, &aad(&params), dek.expose())?;
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
        if file.format != FORMAT {
            return Err(StoreError::KeyFile(format!(
                "unknown key file format {} (this version reads format {FORMAT}): update the application",
                file.format
            )));
        }
        Ok(file)
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
        count_kdf_run();
        let kek = derive_key(passphrase.as_bytes(), &self.kdf)
            .map_err(|e| StoreError::KeyFile(e.to_string()))?;
        let dek = open(&kek, &aad(&self.kdf), &sealed).map_err(|_| StoreError::WrongPassphrase)?;
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

pub(crate) fn fresh_params(iterations: u32) -> Result<KdfParams, StoreError> {
    Ok(KdfParams::generate(iterations)?)
}
