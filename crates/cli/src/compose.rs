//! Turning `compose` flags into a compose form: the client's compose service does the rest
//! (defaults, addressee classification, reference links, validation, storing).

use anyhow::{Context, Result};
use diplomatie_client::{
    AddresseeInput, AttachmentInput, Compose, ComposeForm, EmailForm, NoteForm, Profile,
    TelegramForm,
};
use diplomatie_domain::{Language, Marking, Paragraph, Precedence};
use time::OffsetDateTime;

use crate::args::{CommonArgs, ComposeCommand, EmailArgs, RoutingArgs, parse_date};
use crate::usage::usage;

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

fn typed(list: &[String]) -> Vec<AddresseeInput> {
    list.iter().cloned().map(AddresseeInput::Typed).collect()
}

struct Common {
    marking: Marking,
    precedence: Precedence,
    justification: String,
    deadline: Option<OffsetDateTime>,
    language: Option<Language>,
}

fn common(c: &CommonArgs) -> Result<Common> {
    Ok(Common {
        marking: c.marking.parse()?,
        precedence: c.precedence.parse()?,
        justification: c.justification.clone().unwrap_or_default(),
        deadline: c
            .deadline
            .as_deref()
            .map(|d| parse_date(d, true))
            .transpose()?,
        language: c.lang.as_deref().map(Language::parse).transpose()?,
    })
}

fn date(raw: Option<&str>) -> Result<Option<OffsetDateTime>> {
    raw.map(|d| parse_date(d, false)).transpose()
}

fn routing(r: &RoutingArgs) -> (Vec<AddresseeInput>, Vec<AddresseeInput>, Vec<String>) {
    (typed(&r.action), typed(&r.info), r.tags.clone())
}

/// The form the flags describe, as typed.
pub fn form(command: &ComposeCommand) -> Result<ComposeForm> {
    match command {
        ComposeCommand::Telegram(a) => {
            let c = common(&a.common)?;
            let (action, info, tags) = routing(&a.routing);
            Ok(ComposeForm::Telegram(TelegramForm {
                number: a.number.clone(),
                dtg: date(a.dtg.as_deref())?,
                origin: a.origin.clone().unwrap_or_default(),
                action,
                info,
                subject: a.common.subject.clone(),
                tags,
                references: a.references.clone(),
                summary: a.summary.clone(),
                paragraphs: paragraphs(&a.common, c.marking)?,
                drafter: a.drafter.clone().unwrap_or_default(),
                clearers: a.clearers.clone(),
                approver: a.approver.clone().unwrap_or_default(),
                precedence: c.precedence,
                justification: c.justification,
                marking: c.marking,
                caveats: a.caveats.clone(),
                deadline: c.deadline,
                language: c.language,
            }))
        }
        ComposeCommand::Note(a) => {
            let c = common(&a.common)?;
            let (action, info, tags) = routing(&a.routing);
            Ok(ComposeForm::Note(NoteForm {
                number: a.number.clone(),
                sending_mission: a.mission.clone().unwrap_or_default(),
                receiving_institution: a.to_institution.clone(),
                subject: a.common.subject.clone(),
                opening: a.opening.clone().unwrap_or_default(),
                paragraphs: paragraphs(&a.common, c.marking)?,
                closing: a.closing.clone().unwrap_or_default(),
                place: a.place.clone(),
                date: date(a.date.as_deref())?.map(OffsetDateTime::date),
                answers: a.answers.clone().unwrap_or_default(),
                action,
                info,
                tags,
                precedence: c.precedence,
                justification: c.justification,
                marking: c.marking,
                deadline: c.deadline,
                language: c.language,
            }))
        }
        ComposeCommand::Email(a) => email(a),
    }
}

fn email(a: &EmailArgs) -> Result<ComposeForm> {
    if a.common.justification.is_some() {
        return Err(usage(
            "--justification is for a Flash telegram or note: an email cannot be Flash and has no justification line; leave it out",
        ));
    }
    let c = common(&a.common)?;
    // Portion marks mean nothing in an email: the paragraphs' texts make the body.
    let body = paragraphs(&a.common, c.marking)?
        .into_iter()
        .map(|p| p.text)
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(ComposeForm::Email(EmailForm {
        from: a.from.clone().unwrap_or_default(),
        to: a.to.clone(),
        cc: a.cc.clone(),
        date: date(a.date.as_deref())?,
        message_id: a.message_id.clone().unwrap_or_default(),
        in_reply_to: a.in_reply_to.clone(),
        references: a.references.clone(),
        subject: a.common.subject.clone(),
        body,
        marking: c.marking,
        precedence: c.precedence,
        deadline: c.deadline,
        attachments: a
            .attachments
            .iter()
            .cloned()
            .map(AttachmentInput::Path)
            .collect(),
        language: c.language,
    }))
}

/// The item the flags describe, ready for `Profile::compose`.
pub fn build(command: &ComposeCommand, profile: &Profile) -> Result<Compose> {
    Ok(profile.prepare_compose(form(command)?)?)
}
