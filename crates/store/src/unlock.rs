//! The process-wide unlock cache: opening a profile that this process has already unlocked
//! with the same passphrase does not run the (deliberately slow) key derivation again.
//!
//! Entries are keyed by the canonical profile directory and a keyed hash of the passphrase
//! (HKDF-SHA256 under a random key made once per process), and hold the exact bytes of
//! `profile.key` they were made from: if the file changed, the entry is not used.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use diplomatie_crypto::{SecretKey, hkdf_sha256};

use crate::StoreError;
use crate::keyfile::KeyFile;

struct Entry {
    passphrase_tag: SecretKey,
    key_file: Vec<u8>,
    dek: SecretKey,
}

type Cache = Mutex<HashMap<PathBuf, Vec<Entry>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn process_key() -> Option<&'static SecretKey> {
    static KEY: OnceLock<Option<SecretKey>> = OnceLock::new();
    KEY.get_or_init(|| SecretKey::generate().ok()).as_ref()
}

fn passphrase_tag(passphrase: &str) -> Option<SecretKey> {
    let key = process_key()?;
    let mut info = b"diplomatie-store/unlock-cache/v1\0".to_vec();
    info.extend_from_slice(passphrase.as_bytes());
    let tag = hkdf_sha256(key, &info).ok();
    zeroize::Zeroize::zeroize(&mut info);
    tag
}

/// The DEK of the profile in `canonical_dir` whose key file holds `key_file_bytes`: from the
/// cache, or by deriving the KEK and unwrapping (then cached).
pub(crate) fn unlock(
    canonical_dir: &Path,
    key_file_bytes: &[u8],
    passphrase: &str,
) -> Result<SecretKey, StoreError> {
    let tag = passphrase_tag(passphrase);
    if let Some(tag) = &tag {
        let map = cache().lock().unwrap_or_else(PoisonError::into_inner);
        let hit = map.get(canonical_dir).and_then(|entries| {
            entries
                .iter()
                .find(|e| e.passphrase_tag == *tag && e.key_file == key_file_bytes)
        });
        if let Some(entry) = hit {
            tracing::debug!("profile unlocked from the process cache");
            return Ok(entry.dek.clone());
        }
    }
    let dek = KeyFile::parse(key_file_bytes)?.unwrap_key(passphrase)?;
    if let Some(tag) = tag {
        remember(canonical_dir, tag, key_file_bytes, &dek);
    }
    Ok(dek)
}

/// Caches a DEK known to be wrapped under `passphrase` in `key_file_bytes`.
pub(crate) fn remember_passphrase(
    canonical_dir: &Path,
    passphrase: &str,
    key_file_bytes: &[u8],
    dek: &SecretKey,
) {
    if let Some(tag) = passphrase_tag(passphrase) {
        remember(canonical_dir, tag, key_file_bytes, dek);
    }
}

fn remember(canonical_dir: &Path, tag: SecretKey, key_file_bytes: &[u8], dek: &SecretKey) {
    let mut map = cache().lock().unwrap_or_else(PoisonError::into_inner);
    let entries = map.entry(canonical_dir.to_path_buf()).or_default();
    // Entries made from an older key file can never match again.
    entries.retain(|e| e.key_file == key_file_bytes && e.passphrase_tag != tag);
    entries.push(Entry {
        passphrase_tag: tag,
        key_file: key_file_bytes.to_vec(),
        dek: dek.clone(),
    });
}

/// Forgets every cached key of a profile directory.
pub(crate) fn forget(canonical_dir: &Path) {
    let mut map = cache().lock().unwrap_or_else(PoisonError::into_inner);
    map.remove(canonical_dir);
}
