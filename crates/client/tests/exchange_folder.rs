//! The drafts' exchange folder is a hostile place: anyone who can write to the share can plant
//! files there. Over real encrypted profiles and a real folder: a symbolic link planted at the
//! place of a copy, of a temporary file or of a draft's folder never makes a profile write
//! through it; a copy that is a link, a FIFO or too large is refused unread, with a clear
//! report; a refused copy is not read again until it changes (length, time of change, inode).
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use diplomatie_client::drafting::ExchangeReport;
use diplomatie_domain::ItemKind;
use diplomatie_testkit::{EXCHANGE_PASSPHRASE, POST, Person, join_exchange, person};

const VICTIM: &[u8] = b"a file of the user's that nothing may touch\n";

/// A folder, Alice and Bruno joined to it, and a draft of Alice's.
fn setup() -> (tempfile::TempDir, Person, Person, String) {
    let folder = tempfile::tempdir().unwrap();
    let (alice, bruno) = (person("Alice", POST, None), person("Bruno", POST, None));
    join_exchange(folder.path(), &[&alice, &bruno]);
    let id = alice.create_draft(ItemKind::Telegram).unwrap().id;
    (folder, alice, bruno, id)
}

fn victim(dir: &Path) -> PathBuf {
    let path = dir.join("victim.txt");
    std::fs::write(&path, VICTIM).unwrap();
    path
}

fn errors_of<'a>(report: &'a ExchangeReport, file: &Path) -> Vec<&'a str> {
    let file = file.to_string_lossy();
    report
        .errors
        .iter()
        .filter(|e| e.file == file)
        .map(|e| e.error.as_str())
        .collect()
}

fn set_modified(path: &Path, at: SystemTime) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(at).unwrap();
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_symlink()
}

#[test]
fn a_link_planted_at_the_place_of_a_copy_or_of_a_temp_file_leaves_its_target_untouched() {
    let (folder, alice, bruno, id) = setup();
    let outside = tempfile::tempdir().unwrap();
    let copy_victim = victim(outside.path());
    let tmp_victim = outside.path().join("tmp-victim.txt");
    std::fs::write(&tmp_victim, VICTIM).unwrap();

    let path = alice.publish_draft(folder.path(), &id).unwrap();
    std::fs::remove_file(&path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    // A link at the copy's place, and one at the temporary name an earlier version used.
    symlink(&copy_victim, &path).unwrap();
    let old_tmp = path.with_file_name(format!(".{name}.tmp"));
    symlink(&tmp_victim, &old_tmp).unwrap();

    let written = alice.publish_draft(folder.path(), &id).unwrap();
    assert_eq!(written, path);
    assert_eq!(std::fs::read(&copy_victim).unwrap(), VICTIM);
    assert_eq!(std::fs::read(&tmp_victim).unwrap(), VICTIM);
    // The link was replaced by the copy itself, not written through.
    assert!(!is_link(&path), "the copy is still a link");
    assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
    // No temporary file is left behind, and the planted one is not ours to remove.
    let left: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert_eq!(left, vec![format!(".{name}.tmp")]);

    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.received.len(), 1);
    assert!(report.received[0].created);
}

#[test]
fn a_draft_folder_that_is_a_link_is_refused_and_nothing_is_written_through_it() {
    let (folder, alice, bruno, id) = setup();
    let elsewhere = tempfile::tempdir().unwrap();
    symlink(elsewhere.path(), folder.path().join(&id)).unwrap();
    let err = alice.publish_draft(folder.path(), &id).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("link"), "{message}");
    assert!(message.contains("nothing was written"), "{message}");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);

    // Collecting does not follow a linked folder to the copies it holds.
    let real = tempfile::tempdir().unwrap();
    alice
        .join_exchange(real.path(), EXCHANGE_PASSPHRASE, None)
        .unwrap();
    let copy = alice.publish_draft(real.path(), &id).unwrap();
    std::fs::remove_file(folder.path().join(&id)).unwrap();
    symlink(copy.parent().unwrap(), folder.path().join(&id)).unwrap();
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert!(report.received.is_empty(), "{:?}", report.received);
    let errors = errors_of(&report, &folder.path().join(&id));
    assert_eq!(errors.len(), 1, "{:?}", report.errors);
    assert!(errors[0].contains("symbolic link"), "{}", errors[0]);
    assert!(bruno.draft(&id).is_err());
}

#[test]
fn a_copy_that_is_a_link_a_fifo_or_too_large_is_refused_unread() {
    let (folder, alice, bruno, id) = setup();
    let outside = tempfile::tempdir().unwrap();
    let copy_victim = victim(outside.path());
    alice.publish_draft(folder.path(), &id).unwrap();
    let dir = folder.path().join(&id);

    let link = dir.join("1111.draft");
    symlink(&copy_victim, &link).unwrap();
    let fifo = dir.join("2222.draft");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Sparse: a terabyte that would take hours to read and all the memory there is.
    let huge = dir.join("3333.draft");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(1 << 40)
        .unwrap();

    let started = Instant::now();
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    // Alice's real copy is merged all the same.
    assert_eq!(report.received.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors.len(), 3, "{:?}", report.errors);
    let link_errors = errors_of(&report, &link);
    assert!(link_errors[0].contains("symbolic link"), "{link_errors:?}");
    let fifo_errors = errors_of(&report, &fifo);
    assert!(
        fifo_errors[0].contains("not a regular file"),
        "{fifo_errors:?}"
    );
    let huge_errors = errors_of(&report, &huge);
    assert!(
        huge_errors[0].contains("larger than 64 MiB"),
        "{huge_errors:?}"
    );
    assert_eq!(std::fs::read(&copy_victim).unwrap(), VICTIM);
    assert!(is_link(&link));

    // The folder's own key file planted as a link is refused too, with what to do.
    let other = tempfile::tempdir().unwrap();
    symlink(
        folder.path().join("exchange.json"),
        other.path().join("exchange.json"),
    )
    .unwrap();
    let err = bruno
        .join_exchange(other.path(), EXCHANGE_PASSPHRASE, None)
        .unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
}

#[test]
fn a_refused_copy_is_not_read_again_until_its_length_time_or_inode_changes() {
    let (folder, alice, bruno, id) = setup();
    let path = alice.publish_draft(folder.path(), &id).unwrap();
    let good = std::fs::read(&path).unwrap();
    let long_ago = SystemTime::now() - Duration::from_secs(60);
    // Damaged in place: same inode, same length, an old time of change.
    std::fs::write(&path, vec![0x5a; good.len()]).unwrap();
    set_modified(&path, long_ago);
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert!(report.received.is_empty());
    let first = errors_of(&report, &path);
    assert_eq!(first.len(), 1, "{:?}", report.errors);
    assert!(first[0].contains("refused unopened"), "{}", first[0]);

    // The good bytes written in place with the same stamp: the copy is not read again, and
    // the same refusal is reported (from memory: reading it would have merged it).
    std::fs::write(&path, &good).unwrap();
    set_modified(&path, long_ago);
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert!(report.received.is_empty(), "{:?}", report.received);
    assert_eq!(errors_of(&report, &path), first);

    // Same length and time, another inode (a copy replaced by a rename): read again.
    let replacement = path.with_file_name(".replacement");
    std::fs::write(&replacement, &good).unwrap();
    set_modified(&replacement, long_ago);
    std::fs::rename(&replacement, &path).unwrap();
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.received.len(), 1);
    assert!(report.received[0].created);

    // Damaged again in place with another time of change: read again, refused again; then
    // the good bytes with yet another time: read again, accepted.
    std::fs::write(&path, vec![0x5a; good.len()]).unwrap();
    set_modified(&path, long_ago + Duration::from_secs(2));
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert_eq!(errors_of(&report, &path).len(), 1, "{:?}", report.errors);
    std::fs::write(&path, &good).unwrap();
    set_modified(&path, long_ago + Duration::from_secs(5));
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);

    // A refusal for being too large is remembered the same way, and reported again.
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(1 << 40)
        .unwrap();
    set_modified(&path, long_ago);
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert!(errors_of(&report, &path)[0].contains("larger than"));
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert!(errors_of(&report, &path)[0].contains("larger than"));
}

/// The `DIPLOMATIE-SIGNED-COPY/1` copy at `path`, split into its three lines and the sealed
/// part.
fn parts(path: &Path) -> (Vec<u8>, String, String, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    let mut lines = bytes.splitn(4, |&b| b == b'\n');
    let magic = lines.next().unwrap().to_vec();
    let cert = String::from_utf8(lines.next().unwrap().to_vec()).unwrap();
    let sig = String::from_utf8(lines.next().unwrap().to_vec()).unwrap();
    (magic, cert, sig, lines.next().unwrap().to_vec())
}

fn join_parts(magic: &[u8], cert: &str, sig: &str, sealed: &[u8]) -> Vec<u8> {
    [
        magic,
        b"\n",
        cert.as_bytes(),
        b"\n",
        sig.as_bytes(),
        b"\n",
        sealed,
    ]
    .concat()
}

#[test]
fn a_copy_renamed_to_another_devices_name_is_refused_and_reported() {
    let (folder, alice, bruno, id) = setup();
    let carol = person("Carol", POST, None);
    join_exchange(folder.path(), &[&alice, &bruno, &carol]);
    let path = alice.publish_draft(folder.path(), &id).unwrap();
    // Alice's copy, renamed to the name Carol's device writes under.
    let carols = carol
        .publish_draft(
            folder.path(),
            &carol.create_draft(ItemKind::DiplomaticNote).unwrap().id,
        )
        .unwrap();
    let renamed = path.with_file_name(carols.file_name().unwrap());
    std::fs::rename(&path, &renamed).unwrap();
    let report = bruno.collect_drafts(folder.path()).unwrap();
    let errors = errors_of(&report, &renamed);
    assert_eq!(errors.len(), 1, "{:?}", report.errors);
    assert!(errors[0].contains("renamed"), "{}", errors[0]);
    assert!(!report.received.iter().any(|r| r.id == id));
    assert!(bruno.draft(&id).is_err(), "the renamed copy was merged");
}

#[test]
fn a_copy_by_a_device_nobody_here_knows_or_not_certified_is_refused_and_reported() {
    let (folder, alice, bruno, id) = setup();
    // Mallory knows the folder's passphrase but is no one's contact.
    let mallory = person("Mallory", POST, None);
    mallory
        .join_exchange(
            folder.path(),
            EXCHANGE_PASSPHRASE,
            Some(diplomatie_testkit::FAST_KDF),
        )
        .unwrap();
    let his = mallory
        .publish_draft(
            folder.path(),
            &mallory.create_draft(ItemKind::Telegram).unwrap().id,
        )
        .unwrap();
    let report = bruno.collect_drafts(folder.path()).unwrap();
    let errors = errors_of(&report, &his);
    assert_eq!(errors.len(), 1, "{:?}", report.errors);
    assert!(
        errors[0].contains("not among your contacts"),
        "{}",
        errors[0]
    );
    assert!(bruno.drafts().unwrap().is_empty());

    // Alice's copy with a certificate whose identity signature is broken: a device that its
    // identity never certified.
    let path = alice.publish_draft(folder.path(), &id).unwrap();
    let (magic, cert, sig, sealed) = parts(&path);
    let mut forged = cert.clone().into_bytes();
    let at = forged.len() - 10;
    forged[at] = if forged[at] == b'0' { b'1' } else { b'0' };
    std::fs::write(
        &path,
        join_parts(&magic, std::str::from_utf8(&forged).unwrap(), &sig, &sealed),
    )
    .unwrap();
    let report = bruno.collect_drafts(folder.path()).unwrap();
    let errors = errors_of(&report, &path);
    assert_eq!(errors.len(), 1, "{:?}", report.errors);
    assert!(errors[0].contains("not certified"), "{}", errors[0]);
    assert!(bruno.draft(&id).is_err());

    // Mallory's certificate and signature on Alice's sealed bytes, under Alice's name.
    let (_, his_cert, his_sig, _) = parts(&his);
    std::fs::write(&path, join_parts(&magic, &his_cert, &his_sig, &sealed)).unwrap();
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert_eq!(errors_of(&report, &path).len(), 1, "{:?}", report.errors);
    assert!(bruno.draft(&id).is_err());

    // The genuine copy is taken.
    alice.publish_draft(folder.path(), &id).unwrap();
    let report = bruno.collect_drafts(folder.path()).unwrap();
    assert!(
        report.received.iter().any(|r| r.id == id),
        "{:?}",
        report.errors
    );
}
