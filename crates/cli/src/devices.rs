//! `diplo link-device`, `diplo link` and `diplo devices`: a person's devices.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use diplomatie_client::{DeviceView, LinkJoin, Profile};
use serde_json::json;

use crate::output::{print, print_json};
use crate::secret;

#[derive(Debug, Clone, Args)]
pub struct LinkDeviceArgs {
    /// How long to wait for the new device at each step, in seconds
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
}

#[derive(Debug, Clone, Args)]
pub struct LinkArgs {
    /// The code the first device shows (the whole line, DIPLOMATIE-LIEN:…)
    #[arg(long)]
    pub code: String,
    /// What you call this device ("Portable", "Bureau")
    #[arg(long, default_value = "Nouvel appareil")]
    pub label: String,
    /// How long to wait for the first device at each step, in seconds
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
    /// The Argon2id cost of the passphrase (as for init). Lower only for tests.
    #[arg(long, hide = true)]
    pub kdf_cost: Option<diplomatie_client::KdfCost>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum DevicesCommand {
    /// Revoke a device: it is removed from every space and the relay refuses it from now on
    Revoke {
        /// Its name, or the first 8 or more digits of its id (diplo devices)
        device: String,
    },
}

/// Asks whether the words shown on both devices are the same; reads one line (a terminal or
/// a pipe), yes only for o/oui/y/yes.
fn same_words(words: &[&str; 4]) -> Result<bool> {
    let mut err = std::io::stderr();
    writeln!(
        err,
        "Mots / Words: {}\nLes mêmes mots s'affichent-ils sur l'autre appareil ? / Do the same words show on the other device? [o/N] ",
        words.join(" ")
    )?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_lowercase().as_str(),
        "o" | "oui" | "y" | "yes"
    ))
}

pub fn link_device(profile: &Profile, args: &LinkDeviceArgs, json: bool) -> Result<()> {
    let timeout = Duration::from_secs(args.timeout);
    let offer = profile.offer_link()?;
    // The code is the one line on stdout until the link is done: the other device needs it.
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", offer.code().to_line())?;
        out.flush()?;
    }
    eprintln!(
        "Sur le nouvel appareil / On the new device: diplo --profile DOSSIER link --code '…' (valable {} min / valid {} min)",
        args.timeout / 60,
        args.timeout / 60
    );
    let request = offer.wait(timeout)?;
    if !same_words(&request.words())? {
        request.refuse();
        bail!("the words differ, or were not confirmed: nothing was handed over; start again");
    }
    let mut err = std::io::stderr();
    let terminal = err.is_terminal();
    let linked = profile.complete_link(request, timeout, &mut |p| {
        if terminal {
            let _ = write!(err, "\r{}/{}", p.done, p.total);
        }
    })?;
    if terminal {
        let _ = writeln!(err);
    }
    // What the new device needs goes now.
    profile.sync(&mut |_| {})?;
    if json {
        return print_json(&linked);
    }
    let mut text = format!(
        "Appareil lié / Device linked: {} ({}), {} espace(s) / space(s), {} élément(s) / item(s)\n",
        linked.label, linked.device, linked.spaces, linked.items
    );
    if linked.items_left_out > 0 {
        text.push_str(&format!(
            "{} élément(s) sans leurs pièces jointes ici restent sur cet appareil / item(s) whose attachments are not stored here stay on this device\n",
            linked.items_left_out
        ));
    }
    print(&text)
}

pub fn link(dir: &Path, args: &LinkArgs, json: bool) -> Result<()> {
    if Profile::exists(dir) {
        bail!(
            "{} already holds a profile: give a new folder for this device",
            dir.display()
        );
    }
    let timeout = Duration::from_secs(args.timeout);
    let passphrase = secret::new_passphrase()?;
    let join = LinkJoin::start(&args.code, &args.label, timeout)?;
    if !same_words(&join.words())? {
        bail!(
            "the words differ, or were not confirmed: nothing was made; refuse on the first device and start again"
        );
    }
    let profile = join.finish(dir, &passphrase, args.kdf_cost, timeout)?;
    // The first device adds this one to every space: sync until the person's own space is
    // joined, then once more for the history.
    let mut err = std::io::stderr();
    let terminal = err.is_terminal();
    let mut progress = |p: &diplomatie_client::sync::SyncProgress| {
        if terminal {
            let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
            let _ = write!(err, "\r{}{total}", p.done);
        }
    };
    let until = std::time::Instant::now() + timeout;
    profile.sync(&mut progress)?;
    while profile.spaces()?.is_empty() && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(500));
        profile.sync(&mut progress)?;
    }
    if profile.spaces()?.is_empty() {
        bail!("the first device did not add this one to its spaces in time: run diplo sync later");
    }
    let report = profile.sync(&mut progress)?;
    if terminal {
        let _ = writeln!(std::io::stderr());
    }
    if json {
        return print_json(&json!({
            "device": profile.own().device.device.hex(),
            "spaces": profile.spaces()?.len(),
            "applied": report.applied,
        }));
    }
    print(&format!(
        "Cet appareil est lié / This device is linked: {} espace(s) / space(s), {} élément(s) reçu(s) / item(s) received\n",
        profile.spaces()?.len(),
        profile.item_count()?
    ))
}

fn device_line(d: &DeviceView) -> String {
    let label = d.label.as_deref().unwrap_or("(sans nom / unnamed)");
    let mut line = format!("{}  {label}", &d.device[..8.min(d.device.len())]);
    if d.this_device {
        line.push_str("  — cet appareil / this device");
    }
    if let Some(at) = &d.revoked {
        line.push_str(&format!("  — révoqué le / revoked on {at}"));
    } else if let Some(at) = &d.last_seen {
        line.push_str(&format!("  — vu le / last seen {at}"));
    }
    line.push('\n');
    line
}

pub fn devices(profile: &Profile, command: Option<&DevicesCommand>, json: bool) -> Result<()> {
    match command {
        None => {
            let devices = profile.devices()?;
            if json {
                return print_json(&devices);
            }
            print(&devices.iter().map(device_line).collect::<String>())
        }
        Some(DevicesCommand::Revoke { device }) => {
            let revoked = profile.revoke_device(device)?;
            // The commits are made; the new card goes at this sync.
            profile.sync(&mut |_| {})?;
            if json {
                return print_json(&revoked);
            }
            print(&format!("Révoqué / Revoked: {}", device_line(&revoked)))
        }
    }
}
