//! The first stores of a process, created and opened from many threads at once.
//!
//! SQLite marks itself initialised before SQLCipher's own initialisation has finished; a
//! thread keying its first connection in that window used to get "An error occurred with
//! PRAGMA key or rekey" (seen about once in 30 processes of 8 threads keying raw connections
//! at once; less often through `Store::create`, whose key derivation spreads the threads).
//! This file holds one test so that its process starts with SQLite not yet initialised.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Barrier};

use diplomatie_store::Store;

const THREADS: usize = 16;
const PASS: &str = "correct horse battery staple";

#[test]
fn many_threads_create_and_open_their_first_stores_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let dir = tmp.path().join(format!("p{i}"));
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let created =
                    Store::create(&dir, PASS, diplomatie_store::KdfCost::MIN).map(Store::close);
                let opened = Store::open(&dir, PASS).and_then(|s| s.item_count());
                (i, created, opened)
            })
        })
        .collect();
    for handle in handles {
        let (i, created, opened) = handle.join().expect("no thread panics");
        created.unwrap_or_else(|e| panic!("store {i} could not be created: {e}"));
        let count = opened.unwrap_or_else(|e| panic!("store {i} could not be opened: {e}"));
        assert_eq!(count, 0, "store {i} is new and empty");
    }
}
