//! The test kit: real, unlocked profiles for the people of the tests (`alice()`, `bob()`,
//! `carol()`, or anyone with `person`), each in a temporary directory removed when it is
//! dropped; a post's exchange folder joined by several of them; and the helpers several test
//! files need (files to import, the `diplo` binary run with a clean environment).
//!
//! A dev-dependency only. Everything here is real: SQLCipher stores on disk, the exchange
//! folder's sealed copies, the CLI as a process. Only the key derivation is made cheap
//! (`FAST_KDF`), so that a test opens a profile in milliseconds.
//!
//! A helper that cannot do its job fails the test that called it (it panics with what went
//! wrong): that is what a test kit is for, hence the lints allowed below.

#![allow(clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use diplomatie_client::{InitOptions, KdfCost, Profile};
use tempfile::TempDir;

/// The passphrase of every profile the kit makes.
pub const PASSPHRASE: &str = "la phrase de passe des tests";

/// The passphrase of the exchange folders the kit sets up.
pub const EXCHANGE_PASSPHRASE: &str = "le dossier partagé du poste de Berlin";

/// The key derivation cost of the profiles and folders the kit makes: cheap, tests only.
pub const FAST_KDF: KdfCost = KdfCost::MIN;

/// The post the people of the tests work at.
pub const POST: &str = "Ambassade de France à Berlin";

/// A person of a test: an unlocked profile in a temporary directory of its own. Derefs to the
/// `Profile`.
#[derive(Debug)]
pub struct Person {
    profile: Profile,
    dir: PathBuf,
    name: String,
    // Last: the directory goes after the profile has closed its store.
    _tmp: TempDir,
}

impl Person {
    /// The profile's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The name the profile was created with (the one circuits name).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }
}

impl std::ops::Deref for Person {
    type Target = Profile;

    fn deref(&self) -> &Profile {
        &self.profile
    }
}

/// Alice Martin, drafter at the embassy in Berlin.
pub fn alice() -> Person {
    person(
        "Alice Martin",
        POST,
        Some("alice.martin@diplomatie.gouv.example"),
    )
}

/// Bob Durand, her colleague (a clearer of her drafts).
pub fn bob() -> Person {
    person(
        "Bob Durand",
        POST,
        Some("bob.durand@diplomatie.gouv.example"),
    )
}

/// Carol Petit, the head of the post (who approves).
pub fn carol() -> Person {
    person(
        "Carol Petit",
        POST,
        Some("carol.petit@diplomatie.gouv.example"),
    )
}

/// Anyone: a new profile in a temporary directory, unlocked.
pub fn person(name: &str, org: &str, email: Option<&str>) -> Person {
    let tmp = temp_dir();
    let dir = tmp.path().join("profile");
    let profile = profile_at(&dir, name, org, email);
    Person {
        profile,
        dir,
        name: name.to_owned(),
        _tmp: tmp,
    }
}

/// A new profile in `dir` (which must not hold one), unlocked with `PASSPHRASE`.
pub fn profile_at(dir: &Path, name: &str, org: &str, email: Option<&str>) -> Profile {
    Profile::init(
        dir,
        PASSPHRASE,
        InitOptions {
            role: String::new(),
            name: name.into(),
            org: org.into(),
            email: email.map(Into::into),
            kdf_cost: Some(FAST_KDF),
        },
    )
    .unwrap_or_else(|e| panic!("create the profile of {name}: {e}"))
}

/// The edit that sets a draft's `field` to `value`.
pub fn set(
    field: diplomatie_client::drafting::FieldName,
    value: &str,
) -> diplomatie_client::drafting::DraftEdit {
    diplomatie_client::drafting::DraftEdit::SetField {
        field,
        value: value.into(),
    }
}

/// A temporary directory, removed when dropped.
pub fn temp_dir() -> TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// Writes `contents` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

/// A post's exchange folder, set up by the first of `people` and joined by all (with
/// `EXCHANGE_PASSPHRASE`), and made the exchange folder of their settings.
pub fn exchange(people: &[&Person]) -> TempDir {
    let folder = temp_dir();
    join_exchange(folder.path(), people);
    folder
}

/// Makes each of `people` a contact of the others (their cards exchanged, not verified):
/// colleagues of a post who name each other in circuits.
pub fn introduce(people: &[&Person]) {
    for p in people {
        for other in people {
            if p.dir != other.dir {
                p.add_contact(&other.card_line())
                    .unwrap_or_else(|e| panic!("{} adds the card of {}: {e}", p.name, other.name));
            }
        }
    }
}

/// Joins `people` to the exchange folder `dir` (the first sets it up when it has no key yet),
/// makes it the exchange folder of their settings, and makes them each other's contacts.
pub fn join_exchange(dir: &Path, people: &[&Person]) {
    introduce(people);
    for p in people {
        p.join_exchange(dir, EXCHANGE_PASSPHRASE, Some(FAST_KDF))
            .unwrap_or_else(|e| panic!("{} joins the exchange folder: {e}", p.name));
        let mut settings = p.settings().expect("read the settings");
        settings.exchange_dir = Some(dir.to_string_lossy().into_owned());
        p.save_settings(&settings).expect("save the settings");
    }
}

/// The `diplo` binary as a script runs it.
pub mod cli {
    use super::*;

    /// The environment variables the CLI reads secrets and the profile from: cleared before
    /// each run, so that a test sees only what it sets.
    const CLEARED: [&str; 4] = [
        "DIPLOMATIE_PASSPHRASE",
        "DIPLOMATIE_NEW_PASSPHRASE",
        "DIPLOMATIE_EXCHANGE_PASSPHRASE",
        "DIPLOMATIE_PROFILE",
    ];

    /// Runs `bin --profile profile args…` with `env` set (and the variables above cleared,
    /// no standard input); returns its output, whatever its status.
    pub fn diplo(bin: &Path, profile: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = Command::new(bin);
        cmd.arg("--profile").arg(profile).args(args);
        for var in CLEARED {
            cmd.env_remove(var);
        }
        cmd.envs(env.iter().copied()).stdin(Stdio::null());
        cmd.output()
            .unwrap_or_else(|e| panic!("run {}: {e}", bin.display()))
    }

    /// The standard output of a run that must have succeeded (its error output otherwise).
    pub fn ok(out: &Output) -> String {
        assert!(
            out.status.success(),
            "diplo failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout.clone()).expect("diplo writes UTF-8")
    }

    /// The JSON a successful run printed (`--json`).
    pub fn json(out: &Output) -> serde_json::Value {
        serde_json::from_str(&ok(out)).expect("diplo --json prints JSON")
    }

    /// The error output, as text.
    pub fn stderr(out: &Output) -> String {
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}
