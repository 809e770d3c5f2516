//! Passphrases: from the environment for scripts, else asked on the terminal without echo.

use anyhow::{Result, anyhow, bail};
use zeroize::Zeroizing;

const ENV: &str = "DIPLOMATIE_PASSPHRASE";
const ENV_NEW: &str = "DIPLOMATIE_NEW_PASSPHRASE";

fn prompt(label: &str) -> Result<Zeroizing<String>> {
    rpassword::prompt_password(label)
        .map(Zeroizing::new)
        .map_err(|_| {
            anyhow!("no passphrase: set {ENV} or run diplo in a terminal to be asked for it")
        })
}

fn from_env(var: &str) -> Option<Zeroizing<String>> {
    std::env::var(var).ok().map(Zeroizing::new)
}

/// The passphrase of an existing profile.
pub fn passphrase(label: &str) -> Result<Zeroizing<String>> {
    match from_env(ENV) {
        Some(p) => Ok(p),
        None => prompt(label),
    }
}

fn twice(first: &str, second: &str) -> Result<Zeroizing<String>> {
    let a = prompt(first)?;
    let b = prompt(second)?;
    if *a != *b {
        bail!("the two passphrases differ: nothing was changed, try again");
    }
    Ok(a)
}

/// The passphrase of a new profile, asked twice on a terminal.
pub fn new_passphrase() -> Result<Zeroizing<String>> {
    match from_env(ENV) {
        Some(p) => Ok(p),
        None => twice(
            "Nouvelle phrase de passe / New passphrase: ",
            "Confirmez / Confirm: ",
        ),
    }
}

/// The new passphrase for `passwd`.
pub fn changed_passphrase() -> Result<Zeroizing<String>> {
    match from_env(ENV_NEW) {
        Some(p) => Ok(p),
        None => twice(
            "Nouvelle phrase de passe / New passphrase: ",
            "Confirmez / Confirm: ",
        ),
    }
}

/// The passphrase an exchange folder's members share.
pub fn exchange_passphrase() -> Result<Zeroizing<String>> {
    match from_env("DIPLOMATIE_EXCHANGE_PASSPHRASE") {
        Some(p) => Ok(p),
        None => prompt("Phrase du dossier d'échange / Exchange folder passphrase: "),
    }
}

/// Says on standard error how strong a new passphrase is (never the passphrase), with advice
/// when it is weak. `context`: the person's name, unit and address, which an attacker tries.
pub fn report_strength(passphrase: &str, context: &[&str]) {
    let s = diplomatie_client::passphrase_strength(passphrase, context);
    eprintln!(
        "Robustesse de la phrase de passe / Passphrase strength: {} (≈ {} bits)",
        s.level.label(),
        s.bits
    );
    if s.level == diplomatie_client::StrengthLevel::Weak {
        eprintln!(
            "Conseil : plusieurs mots peu courants, sans lien avec vous, la rendent plus sûre \
             (diplo passwd pour la changer). / Advice: several uncommon words, unrelated to \
             you, make it safer (diplo passwd to change it)."
        );
    }
}
