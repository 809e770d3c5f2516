//! `diplo ack` and `diplo acks`: acknowledgements of released texts.

use anyhow::Result;
use diplomatie_client::drafting::{AcknowledgementView, Seal};

use crate::output::{print, print_json};

pub fn show(acks: &[AcknowledgementView], json: bool) -> Result<()> {
    if json {
        return print_json(acks);
    }
    if acks.is_empty() {
        return print("Aucun accusé de réception / No acknowledgement\n");
    }
    let mut text = String::from("Accusés de réception / Acknowledgements:\n");
    for a in acks {
        let who = match &a.seal {
            Seal::Own => "vous / you".to_owned(),
            Seal::Contact {
                name,
                verified: true,
            } => format!("{name}, contact vérifié / verified contact"),
            Seal::Contact { name, .. } => {
                format!("{name}, contact non vérifié / unverified contact")
            }
            Seal::Unknown => format!(
                "« {} », SIGNÉ PAR UNE CLÉ INCONNUE / SIGNED BY AN UNKNOWN KEY {}",
                a.name, a.identity_short
            ),
        };
        text.push_str(&format!("  {}  {who}\n", a.at));
    }
    print(&text)
}
