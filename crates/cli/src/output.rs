//! Printing results: aligned text for people, one JSON document for scripts.

use std::io::Write;

use anyhow::{Context, Result};
use diplomatie_client::{
    AuditEntry, ImportOutcome, ImportReport, Inbox, ItemSummary, OwnIdentity, ProfileIdentity,
    SearchHit, StoredItem,
};
use diplomatie_domain::{ItemContent, ItemId, Paragraph, Route};
use serde::Serialize;
use serde_json::json;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

pub(crate) fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).context("cannot write JSON")?;
    writeln!(out).context("cannot write to standard output")
}

pub(crate) fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to standard output")
}

fn day(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default()
}

/// A time with its offset, as an email's Date header carries it.
fn moment(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute] [offset_hour sign:mandatory]:[offset_minute]"
    ))
    .unwrap_or_default()
}

pub fn identity(identity: &ProfileIdentity, own: &OwnIdentity, json: bool) -> Result<()> {
    if json {
        return print_json(&json!({
            "name": identity.name,
            "org": identity.org,
            "email": identity.email,
            "role": identity.role,
            "created_at": identity.created_at,
            "identity": own.key.hex(),
            "device": own.device.device.hex(),
        }));
    }
    print(&format!(
        "Profil créé / Profile created: {} ({})\nClé d'identité / Identity key: {}\nCet appareil / This device: {}\nVotre carte / Your card: diplo identity\n",
        identity.name,
        identity.org,
        own.key.short(),
        own.device.device.hex(),
    ))
}

/// A composed item's id on stdout; where it goes, on stderr (or all of it as JSON). Names are
/// said to a terminal only: a captured stderr (a log, a pipe) gets the counts and the reasons.
pub fn composed(id: ItemId, delivery: &diplomatie_client::Delivery, json: bool) -> Result<()> {
    if json {
        return print_json(&json!({ "id": id, "delivery": delivery }));
    }
    use std::io::IsTerminal;
    let mut err = std::io::stderr().lock();
    let named = err.is_terminal();
    for d in &delivery.deposited {
        let route = if d.route == "action" {
            "pour action / for action"
        } else {
            "pour information / for information"
        };
        let who = if named {
            d.name.as_str()
        } else {
            "un contact / a contact"
        };
        let _ = writeln!(
            err,
            "Remis à {who} {route}, à la prochaine synchronisation / Goes at the next sync"
        );
    }
    for u in &delivery.unreachable {
        let who = if named {
            u.addressee.as_str()
        } else {
            "un destinataire / an addressee"
        };
        let _ = writeln!(err, "Non remis à {who} / Not delivered: {}", u.why);
    }
    print(&format!("{id}\n"))
}

pub fn message(text: &str, json: bool) -> Result<()> {
    if json {
        return print_json(&json!({ "message": text }));
    }
    print(&format!("{text}\n"))
}

pub fn count(n: u64, json: bool) -> Result<()> {
    if json {
        return print_json(&json!({ "items": n }));
    }
    print(&format!("{n} éléments / items\n"))
}

fn route_label(route: Option<Route>) -> &'static str {
    match route {
        Some(Route::Action) => "ACTION",
        Some(Route::Info) => "INFO",
        None => "-",
    }
}

fn summary_line(s: &ItemSummary) -> String {
    let short = s.id.to_string();
    let short = short.get(..13).unwrap_or(&short).to_owned();
    let deadline = s
        .deadline
        .map(|d| format!(" [échéance {}]", day(d)))
        .unwrap_or_default();
    format!(
        "{unread}{route:<6} {prec:<11} {mark:<2} {kind:<8} {short}  {date}  {origin}  {subject}{deadline}\n",
        unread = if s.read { ' ' } else { '*' },
        route = route_label(s.route),
        prec = s.precedence.label_fr(),
        mark = s.marking.code(),
        kind = s.kind.code(),
        date = day(s.received_at),
        origin = s.origin,
        subject = s.subject,
    )
}

pub fn inbox(inbox: &Inbox, json: bool) -> Result<()> {
    if json {
        return print_json(inbox);
    }
    let c = &inbox.counts;
    let mut text = format!(
        "Pour action: {} ({} non lus) · Pour information: {} ({} non lus) · Sans route: {}\n",
        c.action, c.unread_action, c.info, c.unread_info, c.unrouted
    );
    for s in &inbox.items {
        text.push_str(&summary_line(s));
    }
    print(&text)
}

pub fn hits(hits: &[SearchHit], json: bool) -> Result<()> {
    if json {
        return print_json(hits);
    }
    let mut text = format!("{} résultat(s) / result(s)\n", hits.len());
    for h in hits {
        text.push_str(&summary_line(&h.summary));
        let snippet: String = h
            .snippet
            .iter()
            .map(|p| {
                if p.highlight {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect();
        text.push_str(&format!("        … {} …\n", snippet.replace('\n', " ")));
    }
    print(&text)
}

fn paragraphs(out: &mut String, paragraphs: &[Paragraph]) {
    for (i, p) in paragraphs.iter().enumerate() {
        out.push_str(&format!("{}. ({}) {}\n\n", i + 1, p.marking.code(), p.text));
    }
}

pub fn item(stored: &StoredItem, thread: &[ItemSummary], json: bool) -> Result<()> {
    let item = &stored.item;
    if json {
        return print_json(&json!({
            "item": item,
            "route": stored.route,
            "read": stored.read,
            "thread": thread,
        }));
    }
    let banner = item.marking().label_fr().to_uppercase();
    let mut t = format!("{banner}\n");
    t.push_str(&format!(
        "{} · {} · {}\n",
        item.kind().code(),
        item.precedence().label_fr(),
        route_label(stored.route)
    ));
    match &item.content {
        ItemContent::Telegram(tg) => {
            let names = |a: &[diplomatie_domain::Addressee]| {
                a.iter()
                    .map(|x| x.name().to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if let Some(n) = &tg.number {
                t.push_str(&format!("TD {n}\n"));
            }
            t.push_str(&format!(
                "Groupe date-heure: {} UTC\n",
                day(tg.dtg.to_offset(UtcOffset::UTC))
            ));
            t.push_str(&format!("De: {}\n", tg.origin));
            t.push_str(&format!("Pour action: {}\n", names(&tg.action)));
            t.push_str(&format!("Pour information: {}\n", names(&tg.info)));
            if let Some(j) = &tg.justification {
                t.push_str(&format!("Justification: {j}\n"));
            }
            let tags: Vec<_> = tg.tags.iter().map(ToString::to_string).collect();
            t.push_str(&format!("Mots-clés: {}\n", tags.join(", ")));
            for r in &tg.references {
                t.push_str(&format!("REF: {}\n", r.label));
            }
            t.push_str(&format!("Objet: {}\n", tg.subject));
            if !tg.summary.is_empty() {
                t.push_str(&format!("Résumé: {}\n", tg.summary));
            }
            t.push('\n');
            paragraphs(&mut t, &tg.paragraphs);
        }
        ItemContent::DiplomaticNote(n) => {
            if let Some(num) = &n.number {
                t.push_str(&format!("Note verbale n° {num}\n"));
            }
            t.push_str(&format!(
                "{} → {}\nObjet: {}\n\n",
                n.sending_mission, n.receiving_institution, n.subject
            ));
            t.push_str(&format!("{}\n\n", n.opening));
            paragraphs(&mut t, &n.paragraphs);
            t.push_str(&format!("{}\n\n{}, le {}\n", n.closing, n.place, n.date));
        }
        ItemContent::FormalEmail(e) => {
            let list = |m: &[diplomatie_domain::Mailbox]| {
                m.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            t.push_str(&format!("From: {}\nTo: {}\n", e.from, list(&e.to)));
            if !e.cc.is_empty() {
                t.push_str(&format!("Cc: {}\n", list(&e.cc)));
            }
            let date = if e.is_undated() {
                "(no date in the message)".to_owned()
            } else {
                moment(e.date)
            };
            t.push_str(&format!("Date: {date}\n"));
            if let Some(id) = &e.message_id {
                t.push_str(&format!("Message-ID: <{id}>\n"));
            }
            let ids = |ids: &[String]| {
                ids.iter()
                    .map(|id| format!("<{id}>"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            if !e.in_reply_to.is_empty() {
                t.push_str(&format!("In-Reply-To: {}\n", ids(&e.in_reply_to)));
            }
            if !e.references.is_empty() {
                t.push_str(&format!("References: {}\n", ids(&e.references)));
            }
            t.push_str(&format!("Subject: {}\n\n{}\n", e.subject, e.body));
            for (i, a) in e.attachments.iter().enumerate() {
                t.push_str(&format!(
                    "Pièce jointe {}: {} ({}, {} octets)\n",
                    i + 1,
                    a.name,
                    a.content_type,
                    a.size
                ));
            }
        }
    }
    if thread.len() > 1 {
        t.push_str(&format!(
            "\nFil de discussion / Thread ({}):\n",
            thread.len()
        ));
        for s in thread {
            t.push_str(&summary_line(s));
        }
    }
    t.push_str(&format!("{banner}\n"));
    print(&t)
}

pub fn import(reports: &[ImportReport], json: bool) -> Result<()> {
    let failed = reports
        .iter()
        .filter(|r| matches!(r.outcome, ImportOutcome::Failed { .. }))
        .count();
    if json {
        print_json(reports)?;
    } else {
        let mut t = String::new();
        for r in reports {
            let line = match &r.outcome {
                ImportOutcome::Imported { id } => format!("importé / imported  {id}"),
                ImportOutcome::Duplicate { id } => format!("déjà présent / duplicate  {id}"),
                ImportOutcome::Failed { error } => format!("échec / failed  {error}"),
            };
            t.push_str(&format!("{}: {line}\n", r.path.display()));
        }
        print(&t)?;
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} file(s) could not be imported (see above)",
            reports.len()
        );
    }
    Ok(())
}

pub fn audit(entries: &[AuditEntry], json: bool) -> Result<()> {
    if json {
        return print_json(entries);
    }
    let mut t = String::new();
    for e in entries {
        let item = e.item.map(|i| i.to_string()).unwrap_or_default();
        t.push_str(&format!(
            "{:>6} {} {} {} {} {}\n",
            e.seq,
            day(e.at),
            e.actor,
            e.action,
            item,
            e.detail
        ));
    }
    print(&t)
}
