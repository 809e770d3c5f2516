//! Turning `compose` flags into the content of a new item.

use anyhow::{Context, Result, anyhow, bail};
use diplomatie_client::{Compose, Profile};
use diplomatie_domain::{
    Addressee, DiplomaticNote, FormalEmail, ItemContent, Mailbox, Marking, Paragraph, Precedence,
    Reference, Tag, Telegram, parse_message_id,
};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time, UtcOffset};

use crate::args::{CommonArgs, ComposeCommand, EmailArgs, RoutingArgs};
use crate::usage::usage;

/// `2026-12-01` (start of day, or end of day when `end_of_day`, UTC), `2026-12-01 18:00` or
/// `2026-12-01T18:00` (UTC unless followed by `Z` or an offset such as `+01:00`), or a full
/// RFC 3339 time. The offset given is kept.
pub fn parse_date(s: &str, end_of_day: bool) -> Result<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let bad = || {
        anyhow!(
            "invalid date '{s}': use 2026-12-01, 2026-12-01 18:00 (UTC) or 2026-12-01T18:00:00+01:00"
        )
    };
    let (day, clock) = match s.split_once(['T', 't', ' ']) {
        Some((day, clock)) => (day, Some(clock.trim())),
        None => (s, None),
    };
    let date = Date::parse(day, format_description!("[year]-[month]-[day]")).map_err(|_| bad())?;
    let Some(clock) = clock else {
        let time = if end_of_day {
            Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT)
        } else {
            Time::MIDNIGHT
        };
        return Ok(date.with_time(time).assume_utc());
    };
    let (clock, offset) = if let Some(clock) = clock.strip_suffix(['Z', 'z']) {
        (clock, UtcOffset::UTC)
    } else if let Some(at) = clock.find(['+', '-']) {
        let (clock, offset) = (clock.get(..at), clock.get(at..));
        let offset = offset
            .and_then(|o| {
                UtcOffset::parse(
                    o,
                    format_description!("[offset_hour sign:mandatory]:[offset_minute]"),
                )
                .ok()
            })
            .ok_or_else(bad)?;
        (clock.unwrap_or_default().trim(), offset)
    } else {
        (clock, UtcOffset::UTC)
    };
    let time = Time::parse(clock, format_description!("[hour]:[minute]"))
        .or_else(|_| Time::parse(clock, format_description!("[hour]:[minute]:[second]")))
        .map_err(|_| bad())?;
    Ok(date.with_time(time).assume_offset(offset))
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

/// First words that name an organisation in French administrative usage (lower case).
const ORGANISATION_WORDS: &[&str] = &[
    "ambassade",
    "consulat",
    "mission",
    "représentation",
    "délégation",
    "direction",
    "sous-direction",
    "service",
    "cabinet",
    "bureau",
    "département",
    "ministère",
    "secrétariat",
    "centre",
    "pôle",
    "division",
    "cellule",
    "protocole",
];

/// A unit's name or a person's display name: "unit:" and "person:" decide; otherwise a name
/// is a unit when its first word (after an article: "Le", "La", "Les", an elided "L'"; a plural
/// counts) is an organisation word, when it is written in capitals, or when it contains '/'.
pub fn addressee(raw: &str) -> Option<Addressee> {
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
    let mut words = raw.split_whitespace();
    let mut first = words.next().unwrap_or_default();
    // "Le Cabinet du ministre", "La Direction…", "Les Services…": the word after the article.
    if ["le", "la", "les"].contains(&first.to_lowercase().as_str()) {
        first = words.next().unwrap_or_default();
    }
    let first = ["L'", "l'", "L’", "l’"]
        .iter()
        .find_map(|article| first.strip_prefix(article))
        .unwrap_or(first)
        .to_lowercase();
    let organisation = ORGANISATION_WORDS.contains(&first.as_str())
        || first
            .strip_suffix('s')
            .is_some_and(|w| ORGANISATION_WORDS.contains(&w));
    let letters: Vec<char> = raw.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = !letters.is_empty() && letters.iter().all(|c| c.is_uppercase());
    Some(if organisation || capitals || raw.contains('/') {
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

fn message_ids(list: &[String]) -> Result<Vec<String>> {
    list.iter()
        .filter(|m| !m.trim().is_empty())
        .map(|m| Ok(parse_message_id(m)?))
        .collect()
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
                number: a.number.as_deref().map(str::parse).transpose()?,
                // A date-time group is in UTC: a time given with its offset is converted.
                dtg: a
                    .dtg
                    .as_deref()
                    .map(|d| parse_date(d, false))
                    .transpose()?
                    .unwrap_or(now)
                    .to_offset(UtcOffset::UTC),
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
                attachments: Vec::new(),
            })
        }
        ComposeCommand::Note(a) => {
            let c = common(&a.common)?;
            let mission = a.mission.clone().unwrap_or_else(|| me.org.clone());
            let institution = a.to_institution.trim().to_owned();
            let note = DiplomaticNote {
                number: a.number.as_deref().map(str::parse).transpose()?,
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
                attachments: Vec::new(),
            })
        }
        ComposeCommand::Email(a) => email(a, profile, now),
    }
}

fn email(a: &EmailArgs, profile: &Profile, now: OffsetDateTime) -> Result<Compose> {
    let me = profile.identity();
    if a.common.justification.is_some() {
        return Err(usage(
            "--justification is for a Flash telegram or note: an email cannot be Flash and has no justification line; leave it out",
        ));
    }
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
        date: a
            .date
            .as_deref()
            .map(|d| parse_date(d, false))
            .transpose()?
            .unwrap_or(now),
        message_id: a.message_id.as_deref().map(parse_message_id).transpose()?,
        in_reply_to: message_ids(&a.in_reply_to)?,
        // A reply with no References given names the message it answers there too, as mail
        // clients do when they know nothing of that message's own References.
        references: if a.references.is_empty() {
            message_ids(&a.in_reply_to)?
        } else {
            message_ids(&a.references)?
        },
        subject: a.common.subject.trim().to_owned(),
        body,
        attachments: Vec::new(),
        marking: c.marking,
        precedence: c.precedence,
    };
    Ok(Compose {
        content: ItemContent::FormalEmail(email),
        deadline: c.deadline,
        attachments: diplomatie_client::read_attachments(&a.attachments)?,
    })
}
