//! The device's secret signing key is never on disk in clear: no file of an open profile's
//! folder (the database, its write-ahead log, its shared memory, the key file) nor of the
//! exchange folder holds the key's secret bytes, raw or in hex.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use diplomatie_domain::ItemKind;
use diplomatie_testkit::{alice, bob, exchange};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_file_of_a_profile_holds_the_secret_signing_key() {
    let (alice, bob) = (alice(), bob());
    let folder = exchange(&[&alice, &bob]);
    let id = alice.create_draft(ItemKind::Telegram).unwrap().id;
    alice.publish_draft(folder.path(), &id).unwrap();
    let key = alice.signing_key().unwrap();
    // PKCS#8: a 16-byte header, then the 32-byte secret seed.
    let seed = key.pkcs8()[16..48].to_vec();
    assert_ne!(seed, key.public_key().to_vec());
    let hex = diplomatie_crypto::hex::encode(&seed);
    let dir = alice.dir().to_owned();
    drop(key);
    // The profile is open: its write-ahead log and shared memory are there too.
    let mut looked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        looked += 1;
        assert!(!contains(&bytes, &seed), "{} holds the key", path.display());
        assert!(
            !contains(&bytes, hex.as_bytes()),
            "{} holds the key in hex",
            path.display()
        );
    }
    assert!(looked >= 2, "the profile's files were not found");
    // Nor does the exchange folder.
    for entry in walk(folder.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(!contains(&bytes, &seed) && !contains(&bytes, hex.as_bytes()));
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
