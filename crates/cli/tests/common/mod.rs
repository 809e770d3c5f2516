//! What the CLI's tests share: `diplo` run on a profile with the tests' passphrase, a profile
//! made, a person's card.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use diplomatie_testkit::cli::{self, ok};

pub const PASS: &str = "une phrase de passe assez longue";

pub fn diplo(profile: &Path, args: &[&str]) -> Output {
    cli::diplo(
        Path::new(env!("CARGO_BIN_EXE_diplo")),
        profile,
        &[("DIPLOMATIE_PASSPHRASE", PASS)],
        args,
    )
}

/// A new profile in `root/folder` (a cheap key derivation: tests only), with `extra` flags.
pub fn init(root: &Path, folder: &str, name: &str, org: &str, extra: &[&str]) -> PathBuf {
    let dir = root.join(folder);
    let mut args = vec![
        "init",
        "--name",
        name,
        "--org",
        org,
        "--kdf-cost",
        "m=8192,t=1",
    ];
    args.extend_from_slice(extra);
    ok(&diplo(&dir, &args));
    dir
}

/// The card line `diplo identity` prints last.
pub fn card_line(profile: &Path) -> String {
    ok(&diplo(profile, &["identity"]))
        .lines()
        .last()
        .unwrap()
        .to_owned()
}
