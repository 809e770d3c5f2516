//! Turning `compose` flags into the content of a new item.

use anyhow::{Context, Result, anyhow, bail};
use diplomatie_client::{Compose, Profile};
use diplomatie_domain::{
    Addressee, DiplomaticNote, FormalEmail, ItemContent, Mailbox, Marking, Paragraph, Precedence,
    Reference, Tag, Telegram, TelegramNumber,
};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

use crate::args::{CommonArgs, ComposeCommand, RoutingArgs};

/// `2026-12-01` (start of day, or end of day when `end_of_day`) or a full RFC 3339 time.
pub fn parse_date(s: &str, end_of_day: bool) -> Result<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let date = Date::parse(s, format_description!("[year]-[month]-[day]"))
        .map_err(|_| anyhow!("invalid date '{s}': use 2026-12-01 or 2026-12-01T18:00:00Z"))?;
    let time = if end_of_day {
        Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT)
    } else {
        Time::MIDNIGHT
    };
    Ok(date.with_time(time).assume_utc())
}

/// Paragraphs are separated by blank lines; "(DR) " or "(NP) " at the start is a portion mark.
fn paragraphs(common: &CommonArgs, default: Marking) -> Result<Vec<Paragraph>> {
    let text = match (&common.body_file, &common.body) {
        (Some(path), _) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the body file {}", path.display()))?,
        (None, Some(body)) => body.clone(),
        (None, None) => String::new(),
    };
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            // A "(SECRET)" portion mark must be refused, not kept as text.
            let mark = p.strip_prefix('(').and_then(|rest| rest.split_once(')'));
            match mark.map(|(m, rest)| (m.parse::<Marking>(), rest)) {
                Some((Ok(marking), rest)) => Ok(Paragraph {
                    marking,
                    text: rest.trim().to_owned(),
                }),
                Some((Err(e @ diplomatie_domain::DomainError::AboveAccreditation(_)), _)) => {
                    Err(e.into())
                }
                _ => Ok(Paragraph {
                    marking: default,
                    text: p.to_owned(),
                }),
            }
        })
        .collect()
}

fn addressee(raw: &str) -> Option<Addressee> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    if let Some(unit) = raw.strip_prefix("unit:") {
        return Some(Addressee::Unit(unit.trim().to_owned()));
    }
    if let Some(person) = raw.strip_prefix("person:") {
        return Some(Addressee::Person(person.trim().to_owned()));
    }
    let letters: Vec<char> = raw.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = !letters.is_empty() && letters.iter().all(|c| c.is_uppercase());
    Some(if capitals || raw.contains('/') {
        Addressee::Unit(raw.to_owned())
    } else {
        Addressee::Person(raw.to_owned())
    })
}

fn addressees(list: &[String]) -> Vec<Addressee> {
    list.iter().filter_map(|a| addressee(a)).collect()
}

fn tags(routing: &RoutingArgs) -> Result<Vec<Tag>> {
    routing
        .tags
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| Tag::new(t).map_err(Into::into))
        .collect()
}

fn mailboxes(list: &[String]) -> Result<Vec<Mailbox>> {
    list.iter()
        .filter(|m| !m.trim().is_empty())
        .map(|m| Mailbox::parse(m).map_err(Into::into))
        .collect()
}

fn non_empty(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// "BERLIN 2026-0042" → post BERLIN, year 2026, serial 42.
fn telegram_number(raw: &str) -> Result<TelegramNumber> {
    let bad = || anyhow!("invalid telegram number '{raw}': write it as \"BERLIN 2026-0042\"");
    let (post, rest) = raw.trim().rsplit_once(' ').ok_or_else(bad)?;
    let (year, serial) = rest.split_once('-').ok_or_else(bad)?;
    Ok(TelegramNumber {
        post: post.trim().to_owned(),
        year: year.parse().map_err(|_| bad())?,
        serial: serial.parse().map_err(|_| bad())?,
    })
}

struct Common {
    marking: Marking,
    precedence: Precedence,
    justification: Option<String>,
    deadline: Option<OffsetDateTime>,
}

fn common(c: &CommonArgs) -> Result<Common> {
    Ok(Common {
        marking: c.marking.parse()?,
        precedence: c.precedence.parse()?,
        justification: c.justification.clone().filter(|j| !j.trim().is_empty()),
        deadline: c
            .deadline
            .as_deref()
            .map(|d| parse_date(d, true))
            .transpose()?,
    })
}

pub fn build(command: &ComposeCommand, profile: &Profile) -> Result<Compose> {
    let me = profile.identity();
    let now = OffsetDateTime::now_utc();
    match command {
        ComposeCommand::Telegram(a) => {
            let c = common(&a.common)?;
            let telegram = Telegram {
                number: a.number.as_deref().map(telegram_number).transpose()?,
                dtg: a
                    .dtg
                    .as_deref()
                    .map(|d| parse_date(d, false))
                    .transpose()?
                    .unwrap_or(now),
                origin: a.origin.clone().unwrap_or_else(|| me.org.clone()),
                action: addressees(&a.routing.action),
                info: addressees(&a.routing.info),
                subject: a.common.subject.trim().to_owned(),
                tags: tags(&a.routing)?,
                references: non_empty(&a.references)
                    .into_iter()
                    .map(|label| Reference { label, item: None })
                    .collect(),
                summary: a.summary.trim().to_owned(),
                paragraphs: paragraphs(&a.common, c.marking)?,
                drafter: a.drafter.clone().unwrap_or_else(|| me.name.clone()),
                clearers: non_empty(&a.clearers),
                approver: a.approver.clone(),
                precedence: c.precedence,
                justification: c.justification,
                marking: c.marking,
                caveats: non_empty(&a.caveats),
            };
            Ok(Compose {
                content: ItemContent::Telegram(telegram),
                deadline: c.deadline,
            })
        }
        ComposeCommand::Note(a) => {
            let c = common(&a.common)?;
            let mission = a.mission.clone().unwrap_or_else(|| me.org.clone());
            let institution = a.to_institution.trim().to_owned();
            let note = DiplomaticNote {
                number: None,
                opening: a
                    .opening
                    .clone()
                    .unwrap_or_else(|| DiplomaticNote::default_opening(&mission, &institution)),
                closing: a
                    .closing
                    .clone()
                    .unwrap_or_else(|| DiplomaticNote::default_closing(&mission, &institution)),
                sending_mission: mission,
                receiving_institution: institution,
                subject: a.common.subject.trim().to_owned(),
                paragraphs: paragraphs(&a.common, c.marking)?,
                place: a.place.trim().to_owned(),
                date: match &a.date {
                    Some(d) => parse_date(d, false)?.date(),
                    None => now.date(),
                },
                answers: a
                    .answers
                    .clone()
                    .filter(|s| !s.trim().is_empty())
                    .map(|label| Reference { label, item: None }),
                action: addressees(&a.routing.action),
                info: addressees(&a.routing.info),
                tags: tags(&a.routing)?,
                precedence: c.precedence,
                justification: c.justification,
                marking: c.marking,
                created_at: now,
            };
            Ok(Compose {
                content: ItemContent::DiplomaticNote(note),
                deadline: c.deadline,
            })
        }
        ComposeCommand::Email(a) => {
            let c = common(&a.common)?;
            let from = match (&a.from, &me.email) {
                (Some(f), _) => Mailbox::parse(f)?,
                (None, Some(mine)) => Mailbox {
                    name: Some(me.name.clone()),
                    address: mine.clone(),
                },
                (None, None) => bail!("no sender: give --from, or set an email on the profile"),
            };
            let body = paragraphs(&a.common, c.marking)?
                .into_iter()
                .map(|p| p.text)
                .collect::<Vec<_>>()
                .join("\n\n");
            let email = FormalEmail {
                from,
                to: mailboxes(&a.to)?,
                cc: mailboxes(&a.cc)?,
                date: now,
                message_id: None,
                in_reply_to: non_empty(&a.in_reply_to),
                references: non_empty(&a.in_reply_to),
                subject: a.common.subject.trim().to_owned(),
                body,
                attachments: Vec::new(),
                marking: c.marking,
                precedence: c.precedence,
            };
            Ok(Compose {
                content: ItemContent::FormalEmail(email),
                deadline: c.deadline,
            })
        }
    }
}
