//! Bytes from elsewhere read as a draft (`DraftDoc::load`) and as changes applied to a replica
//! (`DraftDoc::apply_changes`): errors are fine, a panic out of the library, an abort or a
//! memory blow-up is a bug.
//!
//! The library catches a panic of automerge on malformed bytes and refuses them. By default
//! this target keeps such caught panics quiet and lets the fuzzer go past them, so what it
//! reports is a panic that escapes. Set `AUTOMERGE_LOAD_ABORT_ON_CAUGHT=1` to keep
//! libFuzzer's hook, which aborts on every panic, caught or not: the crashes it then finds are
//! automerge's own, to keep in `crates/draft/tests/crashers/`.
#![no_main]

use std::sync::Once;

use diplomatie_draft::DraftDoc;
use libfuzzer_sys::fuzz_target;

/// The replica changes are applied to; the `changes` and `since` seeds were made on top of it.
const BASE: &[u8] = include_bytes!("../seeds/automerge_load/base.draft");
const ACTOR: &[u8] = b"fuzz-device";

static HOOK: Once = Once::new();

fn quiet_automerge_panics() {
    if std::env::var_os("AUTOMERGE_LOAD_ABORT_ON_CAUGHT").is_some() {
        return;
    }
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_automerge = info.location().is_some_and(|l| {
            let file = l.file();
            file.contains("/automerge-") || file.contains("/hexane-")
        });
        if !in_automerge {
            default(info);
        }
    }));
}

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(quiet_automerge_panics);
    if let Ok(mut doc) = DraftDoc::load(data, ACTOR) {
        let _ = doc.view();
        let _ = doc.save();
    }
    let mut replica = match DraftDoc::load(BASE, ACTOR) {
        Ok(replica) => replica,
        Err(err) => panic!("the base seed is no longer a draft: {err}"),
    };
    let before = replica.view();
    match replica.apply_changes(data) {
        Ok(()) => {
            let _ = replica.view();
            let _ = replica.save();
        }
        Err(_) => assert!(
            replica.view() == before,
            "a refused delivery changed the replica"
        ),
    }
});
