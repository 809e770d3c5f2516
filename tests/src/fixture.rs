//! Profiles the accessibility and keyboard tests share, made with the CLI: Alice's inbox
//! with an item of each precedence for action, one for information and one unrouted, and a
//! draft of Bob's waiting for her clearance through the post's exchange folder.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use serde_json::Value;

use crate::{Session, id_of, last_line, step};

pub const ALICE: &str = "Alice Lefèvre";
pub const BOB: &str = "Bob Martin";
pub const ORG: &str = "DFAE/EUROPE";
pub const EMAIL: &str = "alice@dfae.example";
pub const BOB_EMAIL: &str = "bob@dfae.example";

/// The precedences, from the most urgent: the order of the items for action.
pub const PRECEDENCES: [&str; 4] = ["flash", "immediat", "prioritaire", "routine"];

/// The ids of Alice's items.
#[derive(Debug, Clone)]
pub struct Inbox {
    /// For action, one of each precedence, in `PRECEDENCES` order (the triage order).
    pub action: Vec<String>,
    /// For information.
    pub info: String,
    /// Addressed to neither her nor her unit (an imported email).
    pub unrouted: String,
}

/// Makes Alice's profile (this session's) and fills her inbox.
pub fn alice_inbox(session: &Session) -> Result<Inbox> {
    step("fixture: alice's profile and inbox");
    session.init_profile(ALICE, ORG, EMAIL)?;
    let telegram = |subject: &str, precedence: &str, extra: &[&str]| -> Result<String> {
        let mut args = vec![
            "--json",
            "compose",
            "telegram",
            "--subject",
            subject,
            "--precedence",
            precedence,
        ];
        args.extend_from_slice(extra);
        id_of(&session.diplo(&args)?)
    };
    let flash = telegram(
        "Crise consulaire à Tbilissi",
        "flash",
        &[
            "--action",
            ORG,
            "--justification",
            "Ressortissants en danger",
            "--body",
            "Point de situation à midi.",
        ],
    )?;
    let immediat = telegram(
        "Élections régionales en Bavière : résultats",
        "immediat",
        &[
            "--action",
            ORG,
            "--info",
            "BERLIN,MUNICH",
            "--origin",
            "BERLIN",
            "--marking",
            "dr",
            "--tags",
            "POL,DE",
            "--deadline",
            "2026-12-20",
            "--summary",
            "La coalition sortante est reconduite.",
            "--body",
            "(NP) Le scrutin s'est tenu dans le calme.\n\n(DR) Selon nos interlocuteurs, \
             rien ne change.\n\n(NP) Le poste rendra compte.",
        ],
    )?;
    let prioritaire = telegram(
        "Visite ministérielle à Berlin",
        "prioritaire",
        &["--action", ORG, "--body", "Programme joint."],
    )?;
    let routine = telegram(
        "Calendrier des réunions de décembre à Berlin",
        "routine",
        &["--action", ORG, "--body", "Pour mémoire."],
    )?;
    let info = telegram(
        "Note de situation régionale",
        "routine",
        &[
            "--action",
            "BERLIN",
            "--info",
            ORG,
            "--body",
            "Pour votre information.",
        ],
    )?;
    let eml = session.dir.path().join("non-route.eml");
    std::fs::write(
        &eml,
        "From: Carol Dupont <carol@quai.example>\r\nTo: dave@quai.example\r\n\
         Subject: Compte rendu du comité\r\nDate: Tue, 24 Nov 2026 09:00:00 +0100\r\n\
         Message-ID: <non-route@quai.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=UTF-8\r\n\r\nBonjour,\r\n\r\nCordialement.\r\n",
    )?;
    session.diplo(&["import-eml", &eml.display().to_string()])?;
    let inbox: Value = serde_json::from_str(&session.diplo(&["--json", "inbox"])?)?;
    let unrouted = find_unrouted(&inbox).context("the imported email is unrouted")?;
    Ok(Inbox {
        action: vec![flash, immediat, prioritaire, routine],
        info,
        unrouted,
    })
}

/// The id of the first item of the CLI's inbox whose route is neither action nor info.
fn find_unrouted(v: &Value) -> Option<String> {
    match v {
        Value::Object(map) => {
            let route = map.get("route");
            let unrouted = route.is_some_and(|r| r.is_null() || r == "unrouted");
            if unrouted && let Some(id) = map.get("id").and_then(Value::as_str) {
                return Some(id.to_owned());
            }
            map.values().find_map(find_unrouted)
        }
        Value::Array(items) => items.iter().find_map(find_unrouted),
        _ => None,
    }
}

/// Bob's profile (`profile-bob`): he and Alice add each other's card and verify each other
/// by safety number. Returns his profile folder.
pub fn bob_contact(session: &Session) -> Result<std::path::PathBuf> {
    step("fixture: bob, alice's verified contact");
    let alice = session.profile_dir();
    let bob = session.other_profile_dir("bob");
    session.init_profile_at(&bob, BOB, ORG, BOB_EMAIL)?;
    let alice_card = last_line(&session.diplo_on(&alice, &["identity"])?)?;
    let bob_card = last_line(&session.diplo_on(&bob, &["identity"])?)?;
    session.diplo_on(&alice, &["contact", "add", &bob_card])?;
    session.diplo_on(&bob, &["contact", "add", &alice_card])?;
    let alice_reads = last_line(&session.diplo_on(&alice, &["contact", "safety-number", BOB])?)?;
    let bob_reads = last_line(&session.diplo_on(&bob, &["contact", "safety-number", ALICE])?)?;
    ensure!(alice_reads == bob_reads, "both read the same safety number");
    for (profile, other) in [(&alice, BOB), (&bob, ALICE)] {
        session.diplo_on(
            profile,
            &["contact", "verify", other, "--safety-number", &alice_reads],
        )?;
    }
    Ok(bob)
}

/// A telegram Bob drafts and submits, Alice its one clearer and Bob its approver, shared
/// through an exchange folder both profiles joined: Alice's app finds it waiting for her.
/// Returns the draft's id.
pub fn draft_waiting_for_alice(session: &Session, bob: &Path, subject: &str) -> Result<String> {
    step("fixture: bob's draft, waiting for alice's clearance");
    let exchange = session.dir.path().join("exchange");
    std::fs::create_dir_all(&exchange)?;
    let folder = exchange.display().to_string();
    session.diplo_on(
        bob,
        &["exchange", "join", &folder, "--kdf-cost", "m=8192,t=1"],
    )?;
    session.diplo(&["exchange", "join", &folder])?;
    let id = id_of(&session.diplo_on(
        bob,
        &[
            "--json",
            "draft",
            "new",
            "--kind",
            "telegram",
            "--subject",
            subject,
            "--origin",
            "BERLIN",
            "--action",
            ORG,
            "--clearer",
            ALICE,
            "--approver",
            BOB,
            "--paragraph",
            "Le ministre arrivera lundi.",
            "--paragraph",
            "Le programme suivra.",
        ],
    )?)?;
    session.diplo_on(bob, &["draft", "submit", &id])?;
    session.diplo_on(bob, &["exchange", "publish", &id])?;
    Ok(id)
}
