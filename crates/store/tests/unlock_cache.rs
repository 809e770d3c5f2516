#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! One test only: `kdf_runs` is process-wide, so no other test may run beside it.

mod common;

use common::*;
use diplomatie_store::{Store, StoreError, kdf_runs};

#[test]
fn a_second_open_in_the_same_process_does_not_derive_the_key_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    let start = kdf_runs();
    drop(Store::create(&dir, PASS, COST).unwrap());
    assert_eq!(kdf_runs(), start + 1, "create derives once");

    let first = Store::open(&dir, PASS).unwrap();
    let second = Store::open(&dir, PASS).unwrap();
    // Through another spelling of the same directory.
    let third = Store::open(&tmp.path().join("alice/../alice"), PASS).unwrap();
    assert_eq!(kdf_runs(), start + 1, "opens reuse the cached key");
    drop((first, second, third));

    // A wrong passphrase is still refused, and costs a derivation.
    assert!(matches!(
        Store::open(&dir, "wrong"),
        Err(StoreError::WrongPassphrase)
    ));
    assert_eq!(kdf_runs(), start + 2);

    // A changed key file is not trusted from the cache: same passphrase, new parameters.
    let store = Store::open(&dir, PASS).unwrap();
    let before = kdf_runs();
    store.change_passphrase(PASS, "new passphrase").unwrap();
    assert!(kdf_runs() > before);
    drop(store);
    let after_change = kdf_runs();
    assert!(matches!(
        Store::open(&dir, PASS),
        Err(StoreError::WrongPassphrase)
    ));
    assert_eq!(
        kdf_runs(),
        after_change + 1,
        "the old cache entry was dropped"
    );
    Store::open(&dir, "new passphrase").unwrap();
    let open = Store::open(&dir, "new passphrase").unwrap();
    assert!(kdf_runs() <= after_change + 2);

    // Locking forgets the cached key: the next open derives it again.
    open.close();
    let after_lock = kdf_runs();
    Store::open(&dir, "new passphrase").unwrap();
    assert_eq!(
        kdf_runs(),
        after_lock + 1,
        "a locked profile needs the KDF again"
    );
}
