//! Drafts and change sets from elsewhere (the exchange folder, a relay, a damaged store) are
//! bounded before they are loaded, and malformed ones are errors: never a panic, an abort or
//! unbounded memory. Inputs that once made automerge panic are kept in `tests/crashers/` and
//! replayed here; `hunt_for_crashers` (ignored, run by hand) looks for new ones.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Once;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use diplomatie_domain::{ItemKind, Marking};
use diplomatie_draft::{DraftDoc, DraftError, FieldName, MAX_CHANGES_BYTES, MAX_DRAFT_BYTES};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const ALICE: &[u8] = b"alice-device";
const BOB: &[u8] = b"bob-device";

/// A small telegram draft with a subject and two paragraphs.
fn small_draft() -> DraftDoc {
    let mut d = DraftDoc::new(ItemKind::Telegram, ALICE).unwrap();
    d.splice_text_field(FieldName::Subject, 0, 0, "Visite du ministre")
        .unwrap();
    d.insert_paragraph(0, Marking::NonProtege, "Premier paragraphe.")
        .unwrap();
    d.insert_paragraph(1, Marking::DiffusionRestreinte, "Second, é 🙂.")
        .unwrap();
    d
}

/// A saved draft and a set of changes made on top of it by another replica.
fn saved_and_changes() -> (Vec<u8>, Vec<u8>) {
    let mut alice = small_draft();
    let saved = alice.save();
    let mut bob = DraftDoc::load(&saved, BOB).unwrap();
    bob.splice_paragraph(0, 0, 0, "Bob : ").unwrap();
    bob.set_field(FieldName::Precedence, "flash").unwrap();
    (saved, bob.save_incremental())
}

thread_local! {
    static PANICKED: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic of this thread was raised.
    static WHERE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Runs `f` and tells whether something inside panicked (a panic the library caught
/// included): the hook marks the panicking thread, and stays quiet.
fn panicked_inside<T>(f: impl FnOnce() -> T) -> (T, bool) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.with(|p| p.set(true));
            let at = info.location().map(ToString::to_string).unwrap_or_default();
            WHERE.with(|w| {
                *w.borrow_mut() = format!("{at}: {}", info.payload_as_str().unwrap_or(""))
            });
            if std::env::var_os("SHOW_AUTOMERGE_PANICS").is_some() {
                default(info);
            }
        }));
    });
    PANICKED.with(|p| p.set(false));
    let out = f();
    (out, PANICKED.with(Cell::get))
}

/// What a malformed load may give: an error, or a draft that reads as one.
fn check_loaded(result: Result<DraftDoc, DraftError>) {
    if let Ok(mut doc) = result {
        let _ = doc.view();
        let _ = doc.save();
    }
}

/// Loads `bytes` as a draft and applies them as changes to a replica of `base`: neither may
/// panic out of the library, and a failed apply leaves the replica as it was.
fn feed(base: &[u8], bytes: &[u8]) {
    check_loaded(DraftDoc::load(bytes, BOB));
    let mut replica = DraftDoc::load(base, BOB).unwrap();
    let before = replica.view();
    match replica.apply_changes(bytes) {
        Ok(()) => {
            let _ = replica.view();
        }
        Err(_) => assert_eq!(replica.view(), before, "a refused delivery changed nothing"),
    }
}

/// Recomputes the checksum of a single-chunk document or change (magic, checksum, type,
/// ULEB128 length, data), so a flipped byte reaches automerge's parsers instead of failing
/// the checksum.
fn fix_checksum(bytes: &mut [u8]) {
    if bytes.len() < 10 {
        return;
    }
    let mut read = 9;
    while read < bytes.len() && bytes[read] & 0x80 != 0 {
        read += 1;
    }
    let end = (read + 1).min(bytes.len());
    let mut hasher = Sha256::new();
    hasher.update(&bytes[8..end]);
    hasher.update(&bytes[end..]);
    let sum = hasher.finalize();
    bytes[4..8].copy_from_slice(&sum[..4]);
}

/// Every truncation and many bit flips (checksum left wrong, and fixed) of `bytes`.
fn damaged_variants(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = (0..bytes.len()).map(|n| bytes[..n].to_vec()).collect();
    for pos in 0..bytes.len() {
        for bit in [0x01u8, 0x10, 0x80] {
            let mut flipped = bytes.to_vec();
            flipped[pos] ^= bit;
            out.push(flipped.clone());
            if pos >= 9 {
                fix_checksum(&mut flipped);
                out.push(flipped);
            }
        }
    }
    out
}

fn crashers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crashers")
}

#[test]
fn bytes_over_the_caps_are_refused_before_loading() {
    // Not even automerge's magic bytes: refused from the length alone.
    let huge = vec![0u8; MAX_DRAFT_BYTES + 1];
    let err = DraftDoc::load(&huge, BOB).unwrap_err();
    assert!(
        matches!(err, DraftError::TooLarge { cap, len, .. } if cap == MAX_DRAFT_BYTES && len == huge.len()),
        "{err}"
    );
    assert!(err.to_string().contains("refused unread"), "{err}");
    let (saved, changes) = saved_and_changes();
    let mut replica = DraftDoc::load(&saved, BOB).unwrap();
    let err = replica.apply_changes(&huge).unwrap_err();
    assert!(
        matches!(err, DraftError::TooLarge { cap, .. } if cap == MAX_DRAFT_BYTES),
        "{err}"
    );

    // Real changes, repeated past the change cap (no whole draft among them).
    let mut many = Vec::new();
    while many.len() <= MAX_CHANGES_BYTES {
        many.extend_from_slice(&changes);
    }
    let err = replica.apply_changes(&many).unwrap_err();
    assert!(
        matches!(err, DraftError::TooLarge { cap, .. } if cap == MAX_CHANGES_BYTES),
        "{err}"
    );
    // A whole saved draft may be larger than the change cap: refused only past the draft's.
    assert!(saved.len() <= MAX_CHANGES_BYTES);
    replica.apply_changes(&saved).unwrap();
    replica.apply_changes(&changes).unwrap();
    assert!(replica.view().paragraphs[0].text.starts_with("Bob : "));
}

#[test]
fn every_truncation_and_many_bit_flips_of_a_saved_draft_are_errors_or_drafts() {
    let (saved, changes) = saved_and_changes();
    for (n, bad) in damaged_variants(&saved).iter().enumerate() {
        let ((), panicked) = panicked_inside(|| feed(&saved, bad));
        if panicked {
            // Caught by the library all the same: keep it as a crasher (hunt_for_crashers).
            eprintln!("variant {n} of the saved draft made automerge panic (caught)");
        }
    }
    for bad in damaged_variants(&changes) {
        feed(&saved, &bad);
    }
}

#[test]
fn truncated_and_flipped_changes_leave_the_replica_as_it_was() {
    let (saved, changes) = saved_and_changes();
    let mut refused = 0;
    for n in 1..changes.len() {
        let mut replica = DraftDoc::load(&saved, BOB).unwrap();
        let before = replica.view();
        // A cut between two whole changes is a shorter, valid delivery.
        if let Err(err) = replica.apply_changes(&changes[..n]) {
            assert!(matches!(err, DraftError::BadChanges(_)), "{n}: {err}");
            assert_eq!(replica.view(), before, "{n}");
            refused += 1;
        }
    }
    assert!(
        refused >= changes.len() / 2,
        "{refused} of {}",
        changes.len()
    );
    let mut replica = DraftDoc::load(&saved, BOB).unwrap();
    let before = replica.view();
    replica.apply_changes(&changes).unwrap();
    assert_ne!(replica.view(), before);
}

#[test]
fn a_foreign_automerge_document_is_refused() {
    let mut foreign = AutoCommit::new();
    foreign.put(ROOT, "title", "a shopping list").unwrap();
    foreign.put(ROOT, "schema", 1_i64).unwrap();
    let bytes = foreign.save();
    // Valid automerge, not a draft.
    let err = DraftDoc::load(&bytes, BOB).unwrap_err();
    assert!(matches!(err, DraftError::NotADraft(_)), "{err}");

    // Changes that would turn a draft's fields into something else are refused whole, and
    // the replica keeps its shape.
    let (saved, _) = saved_and_changes();
    let mut hostile = AutoCommit::load(&saved)
        .unwrap()
        .with_actor(b"mallory".into());
    hostile.put(ROOT, "fields", "gone").unwrap();
    let mut replica = DraftDoc::load(&saved, BOB).unwrap();
    let before = replica.view();
    let err = replica
        .apply_changes(&hostile.save_incremental())
        .unwrap_err();
    assert!(matches!(err, DraftError::NotADraft(_)), "{err}");
    assert_eq!(replica.view(), before);
    let err = replica.apply_changes(&hostile.save()).unwrap_err();
    assert!(matches!(err, DraftError::NotADraft(_)), "{err}");
    assert_eq!(replica.view(), before);
}

#[test]
fn crashers_are_replayed() {
    let (saved, _) = saved_and_changes();
    let mut replayed = 0;
    for entry in std::fs::read_dir(crashers_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        feed(&saved, &bytes);
        replayed += 1;
    }
    eprintln!("{replayed} crashers replayed");
}

/// Looks for inputs that make automerge panic (the library catches the panic; the input is
/// kept so that it is replayed by every run of the tests): truncations and bit flips, with
/// and without a fixed checksum, of saved drafts of each kind and of change sets.
/// `cargo test -p diplomatie-draft --test untrusted -- --ignored hunt_for_crashers`.
#[test]
#[ignore = "a search, run by hand; its finds go to tests/crashers/"]
fn hunt_for_crashers() {
    let (saved, changes) = saved_and_changes();
    let mut inputs = vec![saved.clone(), changes];
    for kind in ItemKind::ALL {
        let mut d = DraftDoc::new(kind, ALICE).unwrap();
        d.insert_paragraph(0, Marking::NonProtege, "Texte.")
            .unwrap();
        inputs.push(d.save());
    }
    // One input per place automerge panicked at, the shortest.
    let mut found: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
    for input in &inputs {
        for bad in damaged_variants(input) {
            let ((), panicked) = panicked_inside(|| feed(&saved, &bad));
            if panicked {
                let at = WHERE.with(|w| w.borrow().clone());
                let kept = found.entry(at).or_insert_with(|| bad.clone());
                if bad.len() < kept.len() {
                    *kept = bad;
                }
            }
        }
    }
    for (at, bad) in &found {
        let name = format!("{:x}", Sha256::digest(bad));
        std::fs::write(crashers_dir().join(&name[..16]), bad).unwrap();
        eprintln!("{}: {at}", &name[..16]);
    }
    eprintln!("{} places where automerge panicked", found.len());
}

/// Writes the fuzz target's seeds (`fuzz/seeds/automerge_load/`): `base.draft` is also the
/// replica the target applies changes to, so `changes` and `since` are made on top of it.
/// `cargo test -p diplomatie-draft --test untrusted -- --ignored write_fuzz_seeds`.
#[test]
#[ignore = "writes the committed fuzz seeds, run by hand"]
fn write_fuzz_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/automerge_load");
    std::fs::create_dir_all(&dir).unwrap();
    let mut base = small_draft();
    let saved = base.save();
    std::fs::write(dir.join("base.draft"), &saved).unwrap();
    let mut bob = DraftDoc::load(&saved, BOB).unwrap();
    let heads = bob.heads();
    bob.splice_paragraph(0, 0, 0, "Bob : ").unwrap();
    bob.set_field(FieldName::Precedence, "flash").unwrap();
    std::fs::write(dir.join("changes"), bob.save_incremental()).unwrap();
    bob.delete_paragraph(1).unwrap();
    std::fs::write(dir.join("since"), bob.changes_since(&heads).unwrap()).unwrap();
    for kind in [ItemKind::DiplomaticNote, ItemKind::FormalEmail] {
        let mut d = DraftDoc::new(kind, ALICE).unwrap();
        d.insert_paragraph(0, Marking::NonProtege, "Texte.")
            .unwrap();
        std::fs::write(dir.join(format!("{}.draft", kind.code())), d.save()).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let (saved, _) = saved_and_changes();
        feed(&saved, &bytes);
        // The same behind automerge's magic bytes, so the chunk parser reads further.
        let magic = [[0x85, 0x6f, 0x4a, 0x83].as_slice(), &bytes].concat();
        feed(&saved, &magic);
    }

    #[test]
    fn random_damage_to_a_saved_draft_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        fix in any::<bool>(),
    ) {
        let (saved, _) = saved_and_changes();
        let mut bad = saved.clone();
        for (at, byte) in edits {
            let i = at.index(bad.len());
            bad[i] = byte;
        }
        if fix {
            fix_checksum(&mut bad);
        }
        feed(&saved, &bad);
    }
}
