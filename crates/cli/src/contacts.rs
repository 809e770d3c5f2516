//! `diplo identity` and `diplo contact`: this person's card, and the people they know.

use std::io::Read;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use diplomatie_client::{CardAdded, ContactAdded, ContactView, Profile};
use serde_json::json;

use crate::output::{print, print_json};

#[derive(Debug, Clone, Args)]
pub struct IdentityArgs {
    /// Also draw the card as a QR code (to scan from the screen)
    #[arg(long)]
    pub qr: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ContactCommand {
    /// Add a contact from their card: the line starting with DIPLOMATIE: (or - to read it from standard input); a unit's card (DIPLOMATIE-UNITE:) adds the unit
    Add { card: String },
    /// The units whose cards you hold (address them by name)
    Units,
    /// Every contact: verified or not, key changes
    List,
    /// The safety number to compare with a contact, in person or by phone (the digits are the last line)
    SafetyNumber {
        /// A name, "Name (ORG)" when two contacts share it, or the first digits of their key
        name: String,
    },
    /// Mark a contact verified, once you both read the same safety number
    Verify {
        /// A name, "Name (ORG)" when two contacts share it, or the first digits of their key
        name: String,
        /// The digits, as read out (spaces do not matter)
        #[arg(long = "safety-number")]
        safety_number: String,
    },
}

pub fn identity(profile: &Profile, args: &IdentityArgs, json: bool) -> Result<()> {
    let me = profile.identity();
    let own = profile.own();
    let line = profile.card_line();
    if json {
        return print_json(&json!({
            "name": me.name,
            "org": me.org,
            "role": me.role,
            "email": me.email,
            "identity": own.key.hex(),
            "device": own.device.device.hex(),
            "devices": profile.card().devices.len(),
            "card": line,
        }));
    }
    let role = if me.role.is_empty() {
        String::new()
    } else {
        format!(", {}", me.role)
    };
    let mut text = format!(
        "Identité / Identity: {} ({}){role}\nClé d'identité / Identity key: {}\nCet appareil / This device: {}\n",
        me.name,
        me.org,
        own.key.hex(),
        own.device.device.hex(),
    );
    if args.qr {
        text.push_str(&profile.card_qr_text()?);
        text.push('\n');
    }
    text.push_str("Votre carte, à transmettre / Your card, to give others:\n");
    text.push_str(&line);
    text.push('\n');
    print(&text)
}

fn state(c: &ContactView) -> &'static str {
    if c.key_change.is_some() {
        "clé changée / key changed"
    } else if c.verified {
        "vérifié / verified"
    } else {
        "non vérifié / not verified"
    }
}

fn describe(c: &ContactView) -> String {
    let role = if c.role.is_empty() {
        String::new()
    } else {
        format!(", {}", c.role)
    };
    format!(
        "{} ({}){role}, clé / key {}",
        c.name, c.org, c.identity_short
    )
}

pub fn run(profile: &Profile, command: &ContactCommand, json: bool) -> Result<()> {
    match command {
        ContactCommand::Add { card } => {
            let line = if card == "-" {
                let mut text = String::new();
                std::io::stdin()
                    .take(64 * 1024)
                    .read_to_string(&mut text)
                    .context("cannot read the card from standard input")?;
                text
            } else {
                card.clone()
            };
            let added = match profile.add_card(&line)? {
                CardAdded::Contact(added) => added,
                CardAdded::Unit(unit) => {
                    if json {
                        return print_json(&unit);
                    }
                    return print(&format!(
                        "Service ajouté / Unit added: {} ({}), carte donnée par / card given by {}{}\n",
                        unit.name,
                        unit.org,
                        unit.issuer,
                        if unit.issuer_verified {
                            ""
                        } else {
                            " (contact non vérifié / not a verified contact)"
                        }
                    ));
                }
            };
            if json {
                return print_json(&added);
            }
            let c = added.contact();
            let text = match &added {
                ContactAdded::Added { .. } => format!(
                    "Contact ajouté, non vérifié / Contact added, not verified: {}\nComparez le numéro de sécurité / Compare the safety number: diplo contact safety-number \"{}\"\n",
                    describe(c),
                    c.name
                ),
                ContactAdded::Updated { .. } => {
                    format!(
                        "Carte mise à jour / Card updated: {} ({})\n",
                        describe(c),
                        state(c)
                    )
                }
                ContactAdded::Unchanged { .. } => format!(
                    "Carte déjà connue / Card already known: {} ({})\n",
                    describe(c),
                    state(c)
                ),
                ContactAdded::KeyChange { .. } => format!(
                    "ATTENTION : la clé d'identité de {name} a changé. La nouvelle carte n'est pas acceptée tant qu'elle n'est pas vérifiée.\nWARNING: the identity key of {name} changed. The new card is not accepted until verified: diplo contact safety-number \"{name}\"\n",
                    name = c.name
                ),
            };
            print(&text)
        }
        ContactCommand::Units => {
            let units = profile.units()?;
            if json {
                return print_json(&units);
            }
            if units.is_empty() {
                return print(
                    "Aucun service / No units: add a unit's card with diplo contact add\n",
                );
            }
            let mut text = String::new();
            for u in &units {
                text.push_str(&format!(
                    "{:<24} {} (carte de / card by {})\n",
                    u.name, u.org, u.issuer
                ));
            }
            print(&text)
        }
        ContactCommand::List => {
            let contacts = profile.contacts()?;
            if json {
                return print_json(&contacts);
            }
            if contacts.is_empty() {
                return print("Aucun contact / No contacts: add one with diplo contact add\n");
            }
            let mut text = String::new();
            for c in &contacts {
                text.push_str(&format!("{:<28} {}\n", state(c), describe(c)));
            }
            print(&text)
        }
        ContactCommand::SafetyNumber { name } => {
            let n = profile.safety_number(name)?;
            if json {
                return print_json(&n);
            }
            let mut text = format!(
                "Numéro de sécurité avec / Safety number with {}:\n",
                describe(&n.contact)
            );
            if n.for_new_key {
                text.push_str("Sa clé a changé : ce numéro est celui de la nouvelle clé. / Their key changed: this number is the new key's.\n");
            }
            text.push_str(&n.digits);
            text.push('\n');
            print(&text)
        }
        ContactCommand::Verify {
            name,
            safety_number,
        } => {
            let c = profile.verify_contact(name, safety_number)?;
            if json {
                return print_json(&c);
            }
            print(&format!(
                "Contact vérifié / Contact verified: {}\n",
                describe(&c)
            ))
        }
    }
}
