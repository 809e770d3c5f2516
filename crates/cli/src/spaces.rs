//! `diplo space`, `diplo relay`, `diplo sync` and `diplo share`: spaces, the relay they sync
//! through, and what goes into them.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, Subcommand};
use diplomatie_client::Profile;
use diplomatie_client::spaces::{SpaceDetail, SpaceKind, SpaceView};
use diplomatie_client::sync::SyncReport;
use serde_json::json;

use crate::output::{print, print_json};

#[derive(Debug, Clone, Subcommand)]
pub enum SpaceCommand {
    /// Create a space whose only member is this device (its name stays among its members)
    Create {
        name: String,
        /// unit (a post, a service), circuit (a draft's), shared (your own space is made
        /// with your profile)
        #[arg(long, default_value = "shared")]
        kind: String,
        /// Newcomers may read what was shared before they joined
        #[arg(long)]
        history: bool,
    },
    /// Add a contact's devices to a space, through the relay or a sync folder (a new epoch)
    Add {
        /// The space's name, or the first digits of its id
        space: String,
        /// A name, "Name (ORG)" when two contacts share it, or the first digits of their key
        contact: String,
        /// Through this sync folder (a shared or removable drive) rather than the relay
        #[arg(long)]
        folder: Option<PathBuf>,
    },
    /// Remove a contact's devices from a space (a new epoch they never hold the key of):
    /// nothing sent afterwards reaches them, and the relay stops serving them the space
    Remove {
        /// The space's name, or the first digits of its id
        space: String,
        /// A name, "Name (ORG)" when two contacts share it, or the first digits of their key
        contact: String,
        /// Through this sync folder (a shared or removable drive) rather than the relay
        #[arg(long)]
        folder: Option<PathBuf>,
    },
    /// Hand the members the keys of the space's earlier epochs (sent at the next sync): a
    /// member added again reads what was sent while they were out, a newcomer what came before
    ShareHistory {
        /// The space's name, or the first digits of its id
        space: String,
    },
    /// Every space of this device
    List,
    /// A space: its members (their devices), its epoch
    Show {
        /// The space's name, or the first digits of its id
        space: String,
    },
    /// The card of a unit's space (the last line), for those who will address the unit by its
    /// name: they add it with diplo contact add
    Card {
        /// The unit space's name, or the first digits of its id
        space: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum RelayCommand {
    /// Enrol this device with a relay, with the one-time token its operator gave
    Join {
        /// The relay's address, as https://relay.example or http://127.0.0.1:PORT
        url: String,
        #[arg(long)]
        token: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// Through this sync folder (a shared or removable drive, for a post with no network)
    #[arg(long)]
    pub folder: Option<PathBuf>,
    /// Keep syncing, every --every seconds, until interrupted (offline is not an error)
    #[arg(long)]
    pub watch: bool,
    /// With --watch, the longest wait between two syncs, in seconds (through the relay, a
    /// sync comes as soon as it says something moved)
    #[arg(long, default_value_t = 15, requires = "watch")]
    pub every: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ShareArgs {
    /// The items' ids (or the first characters of each)
    #[arg(required = true, num_args = 1..)]
    pub items: Vec<String>,
    /// The space's name, or the first digits of its id
    pub space: String,
}

fn kind_fr(kind: SpaceKind) -> &'static str {
    match kind {
        SpaceKind::Own => "mes appareils / own devices",
        SpaceKind::Unit => "unité / unit",
        SpaceKind::Circuit => "circuit",
        SpaceKind::Shared => "partagé / shared",
    }
}

fn line(s: &SpaceView) -> String {
    let id = &s.id[..8.min(s.id.len())];
    match &s.removed_at {
        Some(at) => format!(
            "{id}  {}  [{}]  retiré le / removed on {at}, à l'époque / at epoch {}\n",
            s.name,
            kind_fr(s.kind),
            s.epoch
        ),
        None => format!(
            "{id}  {}  [{}]  époque / epoch {}, {} appareil(s) / device(s)\n",
            s.name,
            kind_fr(s.kind),
            s.epoch,
            s.devices
        ),
    }
}

fn detail(d: &SpaceDetail, json: bool) -> Result<()> {
    if json {
        return print_json(d);
    }
    let mut text = line(&d.space);
    text.push_str(&format!("id: {}\n", d.space.id));
    for m in &d.members {
        let who = match (&m.name, &m.org) {
            (Some(name), Some(org)) => format!("{name} ({org})"),
            _ => "appareil inconnu de vos contacts / a device none of your contacts lists".into(),
        };
        let mark = if m.you {
            " — cet appareil / this device"
        } else if !m.verified {
            " — non vérifié / not verified"
        } else {
            ""
        };
        text.push_str(&format!(
            "  {}  {who}{mark}\n",
            &m.device[..8.min(m.device.len())]
        ));
    }
    print(&text)
}

pub fn space(profile: &Profile, command: &SpaceCommand, json: bool) -> Result<()> {
    match command {
        SpaceCommand::Create {
            name,
            kind,
            history,
        } => {
            let made = profile.create_space(name, SpaceKind::parse(kind)?, *history)?;
            if json {
                return print_json(&made);
            }
            print(&format!(
                "Espace créé / Space created: {}{}",
                line(&made),
                if profile.relay_url()?.is_some() {
                    "Il rejoint le relais à la prochaine synchronisation / It reaches the relay at the next sync: diplo sync\n"
                } else {
                    ""
                }
            ))
        }
        SpaceCommand::Add {
            space,
            contact,
            folder,
        } => {
            let shown = match folder {
                Some(dir) => profile.add_to_space_via_folder(dir, space, contact)?,
                None => profile.add_to_space_via_relay(space, contact)?,
            };
            detail(&shown, json)
        }
        SpaceCommand::Remove {
            space,
            contact,
            folder,
        } => {
            let shown = match folder {
                Some(dir) => profile.remove_from_space_via_folder(dir, space, contact)?,
                None => profile.remove_from_space_via_relay(space, contact)?,
            };
            detail(&shown, json)
        }
        SpaceCommand::ShareHistory { space } => {
            let epochs = profile.share_history(space)?;
            if json {
                return print_json(&json!({ "epochs": epochs }));
            }
            print(&if epochs == 0 {
                "Aucune époque antérieure à partager / No earlier epoch to share\n".to_owned()
            } else {
                format!(
                    "Clés de {epochs} époque(s) antérieure(s) partagées à la prochaine synchronisation / Keys of {epochs} earlier epoch(s) shared at the next sync\n"
                )
            })
        }
        SpaceCommand::List => {
            let spaces = profile.spaces()?;
            if json {
                return print_json(&spaces);
            }
            if spaces.is_empty() {
                return print("Aucun espace / No space: diplo space create NAME\n");
            }
            print(&spaces.iter().map(line).collect::<String>())
        }
        SpaceCommand::Show { space } => detail(&profile.space(space)?, json),
        SpaceCommand::Card { space } => {
            let line = profile.unit_card_line(space)?;
            if json {
                return print_json(&json!({ "card": line }));
            }
            print(&format!(
                "Carte du service, à donner à qui l'adressera / The unit's card, for those who will address it:\n{line}\n"
            ))
        }
    }
}

pub fn relay(profile: &Profile, command: &RelayCommand, json: bool) -> Result<()> {
    match command {
        RelayCommand::Join { url, token } => {
            let url = profile.join_relay(url, token)?;
            if json {
                return print_json(&json!({ "relay": url }));
            }
            print(&format!(
                "Appareil inscrit auprès du relais / Device enrolled with the relay: {url}\n"
            ))
        }
    }
}

fn sync_once(profile: &Profile, args: &SyncArgs, json: bool) -> Result<SyncReport> {
    let mut err = std::io::stderr();
    let mut progress = |p: &diplomatie_client::sync::SyncProgress| {
        if !json {
            let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
            let _ = write!(err, "\r{}: {}{total}", p.space, p.done);
        }
    };
    let report = match &args.folder {
        Some(dir) => profile.sync_folder(dir, &mut progress)?,
        None => profile.sync(&mut progress)?,
    };
    Ok(report)
}

fn show_report(report: &SyncReport, json: bool) -> Result<()> {
    if json {
        return print_json(report);
    }
    let mut text = format!(
        "Synchronisé / Synced: {} envoyé(s) / sent, {} reçu(s) / received, {} en attente / pending\n",
        report.delivered, report.applied, report.pending
    );
    if report.joined > 0 {
        text.push_str(&format!(
            "{} espace(s) rejoint(s) / space(s) joined\n",
            report.joined
        ));
    }
    if report.removed > 0 {
        text.push_str(&format!(
            "retiré de {} espace(s) / removed from {} space(s)\n",
            report.removed, report.removed
        ));
    }
    for refused in &report.refused {
        text.push_str(&format!("refusé / refused: {refused}\n"));
    }
    print(&text)
}

pub fn sync(profile: &Profile, args: &SyncArgs, json: bool) -> Result<()> {
    if !args.watch {
        let report = sync_once(profile, args, json)?;
        if !json {
            let _ = writeln!(std::io::stderr());
        }
        return show_report(&report, json);
    }
    // Offline is the normal state: say so, and try again at the next turn.
    loop {
        match sync_once(profile, args, json) {
            Ok(report) => show_report(&report, json)?,
            Err(e) => {
                let unreachable = matches!(
                    e.downcast_ref::<diplomatie_client::ClientError>(),
                    Some(diplomatie_client::ClientError::RelayUnreachable(_))
                );
                if !unreachable {
                    return Err(e);
                }
                eprintln!("hors ligne / offline: {e}");
            }
        }
        // Through the relay, the next sync comes as soon as the relay says something moved
        // (or after the wait); a sync folder, or a relay out of reach, is looked at again
        // after the wait.
        let wait = Duration::from_secs(args.every.max(1));
        if args.folder.is_some() || profile.wait_for_news(wait).is_err() {
            std::thread::sleep(wait);
        }
    }
}

pub fn share(profile: &Profile, args: &ShareArgs, json: bool) -> Result<()> {
    // Every id is read before anything is shared: a typo shares nothing.
    let ids = args
        .items
        .iter()
        .map(|item| profile.resolve_id(item))
        .collect::<Result<Vec<_>, _>>()?;
    for id in &ids {
        profile.share_item(*id, &args.space)?;
    }
    let pending = profile.pending_count()?;
    if json {
        let items: Vec<String> = ids.iter().map(ToString::to_string).collect();
        return print_json(&json!({ "items": items, "pending": pending }));
    }
    print(&format!(
        "Partagé, part à la prochaine synchronisation / Shared, goes at the next sync ({pending} en attente / pending)\n"
    ))
}
