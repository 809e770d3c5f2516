use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong with the store. Each message says what to do about it.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("no profile in {}: create one with `diplo init`", .0.display())]
    NoProfile(PathBuf),
    #[error(
        "a profile already exists in {}: open it, or choose another directory",
        .0.display()
    )]
    AlreadyExists(PathBuf),
    #[error("{} is a file, not a folder: give a folder for the profile", .0.display())]
    NotAFolder(PathBuf),
    #[error(
        "{} is not empty and holds no profile: choose an empty or new folder for the profile",
        .0.display()
    )]
    NotEmpty(PathBuf),
    #[error(
        "{} holds a store but no profile.key: if you have a backup of profile.key, put it back beside store.db; if creating this profile was interrupted (nothing was ever stored in it), delete that folder and create the profile again",
        .0.display()
    )]
    Unfinished(PathBuf),
    #[error("the store is damaged: {0}; restore it from a backup; the file was left untouched")]
    Damaged(String),
    #[error(
        "this store was made by a newer version of Diplomatie (schema {found}, this version knows up to {supported}): update the application"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error("the profile key file is unreadable: {0}; restore profile.key from a backup")]
    KeyFile(String),
    #[error("no item with id {0}")]
    NotFound(diplomatie_domain::ItemId),
    #[error("this device is not a member of that space: join it, or check its name")]
    UnknownSpace,
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error(
        "file system error: {0}; check that the profile folder exists, that you may write to it and that the disk is not full"
    )]
    Io(#[from] std::io::Error),
    #[error(
        "database error: {0}; if another Diplomatie is using this profile, close it; if the error repeats, run `diplo check`"
    )]
    Sqlite(rusqlite::Error),
    #[error("stored record could not be read or written: {0}")]
    Serde(#[from] serde_json::Error),
    #[error(
        "cryptographic failure: {0}; the system's random source or crypto library failed: try again, and report it if it repeats"
    )]
    Crypto(#[from] diplomatie_crypto::CryptoError),
}

/// Whether a SQLite error says the file is corrupt or not a database (with the right key).
pub(crate) fn is_damage(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        if is_damage(&err) {
            StoreError::Damaged(err.to_string())
        } else {
            StoreError::Sqlite(err)
        }
    }
}
