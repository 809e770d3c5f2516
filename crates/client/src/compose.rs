//! Composing a new item: the one place where a form, as the user typed it, becomes an item.
//!
//! The desktop app and the CLI each translate their own input (a DTO, command-line flags)
//! into a [`ComposeForm`] and hand it here; nothing of composing is decided by either of
//! them. The service
//! - fills the defaults from the profile: the originating post, the sending mission and the
//!   drafter are the user's; the sender of an email is the profile's address; the date-time
//!   group, the note's date and the email's Date are now; a note's opening formula and
//!   complimentary close are the customary ones when left blank;
//! - trims what was typed and drops blank entries (an empty tag, addressee or paragraph);
//! - classifies an addressee typed as a bare name as a unit or a person by the domain's rule
//!   ([`Addressee::classify`]), unless the form says which it is;
//! - links each reference (`REF`) and the note a note answers to the stored item that bears
//!   that number, when there is one in this profile;
//! - folds the messages an email answers (In-Reply-To) into its References, as mail clients
//!   do, so that a reply threads with its parent in any reader;
//! - reads the files to attach;
//! - keeps the language the writer chose, or detects it from the text (`crate::language`);
//! - and stores the item through [`Profile::compose`], which validates it (the domain's
//!   rules), routes it for this user and logs it.

use std::path::PathBuf;

use diplomatie_domain::{
    Addressee, DiplomaticNote, DomainError, FormalEmail, ItemContent, ItemId, Language, Mailbox,
    Marking, Paragraph, Precedence, Reference, Tag, Telegram, parse_message_id,
};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::{ClientError, Compose, NewAttachment, Profile, read_attachments};

/// An addressee as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddresseeInput {
    /// A name typed with nothing said of what it names: the domain classifies it
    /// ("Ambassade de France à Berlin" is a unit, "Alice Lefèvre" a person; `unit:` and
    /// `person:` decide).
    Typed(String),
    /// A name the user said is a unit's.
    Unit(String),
    /// A name the user said is a person's.
    Person(String),
}

/// A file to attach to an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentInput {
    /// A file the user chose, read when composing.
    Path(PathBuf),
    /// Bytes already read.
    File(NewAttachment),
}

/// A new telegram as typed. Blank strings are "not given".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TelegramForm {
    /// `TD BERLIN 2026-0042`; a draft has none until it is released.
    pub number: Option<String>,
    /// Now when not given; converted to UTC.
    pub dtg: Option<OffsetDateTime>,
    /// The user's post when blank.
    pub origin: String,
    pub action: Vec<AddresseeInput>,
    pub info: Vec<AddresseeInput>,
    pub subject: String,
    pub tags: Vec<String>,
    /// Reference labels (`TD BERLIN 2026-0042`), linked to stored items when found.
    pub references: Vec<String>,
    pub summary: String,
    pub paragraphs: Vec<Paragraph>,
    /// The user when blank.
    pub drafter: String,
    pub clearers: Vec<String>,
    pub approver: String,
    pub precedence: Precedence,
    pub justification: String,
    pub marking: Marking,
    pub caveats: Vec<String>,
    pub deadline: Option<OffsetDateTime>,
    /// The language the text is written in; detected from it when not given.
    pub language: Option<Language>,
}

/// A new note verbale as typed. Blank strings are "not given".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoteForm {
    pub number: Option<String>,
    /// The user's post when blank.
    pub sending_mission: String,
    pub receiving_institution: String,
    pub subject: String,
    /// The customary formula when blank.
    pub opening: String,
    pub paragraphs: Vec<Paragraph>,
    /// The customary formula when blank.
    pub closing: String,
    pub place: String,
    /// Today when not given.
    pub date: Option<Date>,
    /// The label of the note this one answers, linked to it when it is stored here.
    pub answers: String,
    pub action: Vec<AddresseeInput>,
    pub info: Vec<AddresseeInput>,
    pub tags: Vec<String>,
    pub precedence: Precedence,
    pub justification: String,
    pub marking: Marking,
    pub deadline: Option<OffsetDateTime>,
    /// The language the text is written in; detected from it when not given.
    pub language: Option<Language>,
}

/// A new formal email as typed. Blank strings are "not given".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmailForm {
    /// `Name <address>` or an address; the profile's own when blank.
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// Now when not given.
    pub date: Option<OffsetDateTime>,
    /// Made from the item's id when not given.
    pub message_id: String,
    /// The messages this one answers.
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub subject: String,
    pub body: String,
    pub marking: Marking,
    pub precedence: Precedence,
    pub deadline: Option<OffsetDateTime>,
    pub attachments: Vec<AttachmentInput>,
    /// The language the text is written in; detected from it when not given.
    pub language: Option<Language>,
}

/// A new item as the user typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposeForm {
    Telegram(TelegramForm),
    Note(NoteForm),
    Email(EmailForm),
}

/// Trimmed; `None` when blank.
fn given(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn given_or(s: &str, default: &str) -> String {
    given(s).unwrap_or_else(|| default.to_owned())
}

/// Trimmed, blank entries dropped.
fn strings(list: &[String]) -> Vec<String> {
    list.iter().filter_map(|s| given(s)).collect()
}

fn addressees(list: &[AddresseeInput]) -> Vec<Addressee> {
    list.iter()
        .filter_map(|a| match a {
            AddresseeInput::Typed(raw) => Addressee::classify(raw),
            AddresseeInput::Unit(name) => given(name).map(Addressee::Unit),
            AddresseeInput::Person(name) => given(name).map(Addressee::Person),
        })
        .collect()
}

fn tags(list: &[String]) -> Result<Vec<Tag>, DomainError> {
    strings(list).iter().map(|t| Tag::new(t)).collect()
}

/// Blank paragraphs are dropped; the others trimmed.
fn paragraphs(list: &[Paragraph]) -> Vec<Paragraph> {
    list.iter()
        .filter_map(|p| {
            given(&p.text).map(|text| Paragraph {
                marking: p.marking,
                text,
            })
        })
        .collect()
}

fn mailboxes(list: &[String]) -> Result<Vec<Mailbox>, DomainError> {
    strings(list).iter().map(|m| Mailbox::parse(m)).collect()
}

fn message_ids(list: &[String]) -> Result<Vec<String>, DomainError> {
    strings(list).iter().map(|m| parse_message_id(m)).collect()
}

/// References, then each answered message they do not name yet: the parent's id ends the
/// References of a reply (RFC 5322 §3.6.4).
fn fold_in_reply_to(mut references: Vec<String>, in_reply_to: &[String]) -> Vec<String> {
    for parent in in_reply_to {
        if !references.contains(parent) {
            references.push(parent.clone());
        }
    }
    references
}

impl Profile {
    /// A reference label as typed, linked to the stored item that bears that number.
    fn reference(&self, label: String) -> Result<Reference, ClientError> {
        let item = self.find_by_number(&label)?;
        Ok(Reference { label, item })
    }

    /// The form, with its defaults filled, its references linked, its addressees classified
    /// and its files read: the item to store, not yet checked (`compose` checks it).
    pub fn prepare_compose(&self, form: ComposeForm) -> Result<Compose, ClientError> {
        let me = self.identity();
        let now = OffsetDateTime::now_utc();
        match form {
            ComposeForm::Telegram(t) => {
                let references = strings(&t.references)
                    .into_iter()
                    .map(|label| self.reference(label))
                    .collect::<Result<_, _>>()?;
                let telegram = Telegram {
                    number: t
                        .number
                        .as_deref()
                        .and_then(given)
                        .map(|n| n.parse())
                        .transpose()?,
                    // A date-time group is in UTC: a time given with its offset is converted.
                    dtg: t.dtg.unwrap_or(now).to_offset(UtcOffset::UTC),
                    origin: given_or(&t.origin, &me.org),
                    action: addressees(&t.action),
                    info: addressees(&t.info),
                    subject: t.subject.trim().to_owned(),
                    tags: tags(&t.tags)?,
                    references,
                    summary: t.summary.trim().to_owned(),
                    paragraphs: paragraphs(&t.paragraphs),
                    drafter: given_or(&t.drafter, &me.name),
                    clearers: strings(&t.clearers),
                    approver: given(&t.approver),
                    precedence: t.precedence,
                    justification: given(&t.justification),
                    marking: t.marking,
                    caveats: strings(&t.caveats),
                };
                Ok(Compose {
                    content: ItemContent::Telegram(telegram),
                    deadline: t.deadline,
                    attachments: Vec::new(),
                    language: t.language,
                })
            }
            ComposeForm::Note(n) => {
                let mission = given_or(&n.sending_mission, &me.org);
                let institution = n.receiving_institution.trim().to_owned();
                let answers = given(&n.answers)
                    .map(|label| self.reference(label))
                    .transpose()?;
                let note = DiplomaticNote {
                    number: n
                        .number
                        .as_deref()
                        .and_then(given)
                        .map(|n| n.parse())
                        .transpose()?,
                    opening: given(&n.opening)
                        .unwrap_or_else(|| DiplomaticNote::default_opening(&mission, &institution)),
                    closing: given(&n.closing)
                        .unwrap_or_else(|| DiplomaticNote::default_closing(&mission, &institution)),
                    sending_mission: mission,
                    receiving_institution: institution,
                    subject: n.subject.trim().to_owned(),
                    paragraphs: paragraphs(&n.paragraphs),
                    place: n.place.trim().to_owned(),
                    date: n.date.unwrap_or_else(|| now.date()),
                    answers,
                    action: addressees(&n.action),
                    info: addressees(&n.info),
                    tags: tags(&n.tags)?,
                    precedence: n.precedence,
                    justification: given(&n.justification),
                    marking: n.marking,
                    created_at: now,
                };
                Ok(Compose {
                    content: ItemContent::DiplomaticNote(note),
                    deadline: n.deadline,
                    attachments: Vec::new(),
                    language: n.language,
                })
            }
            ComposeForm::Email(e) => {
                let from = match (given(&e.from), &me.email) {
                    (Some(given), _) => Mailbox::parse(&given)?,
                    (None, Some(mine)) => Mailbox {
                        name: Some(me.name.clone()),
                        address: mine.clone(),
                    },
                    (None, None) => return Err(DomainError::Missing("sender").into()),
                };
                let in_reply_to = message_ids(&e.in_reply_to)?;
                let references = fold_in_reply_to(message_ids(&e.references)?, &in_reply_to);
                let mut attachments = Vec::with_capacity(e.attachments.len());
                let mut paths = Vec::new();
                for a in e.attachments {
                    match a {
                        AttachmentInput::Path(p) => paths.push(p),
                        AttachmentInput::File(f) => attachments.push(f),
                    }
                }
                // Files are read together, so that the size cap counts them all.
                attachments.extend(read_attachments(&paths)?);
                let email = FormalEmail {
                    from,
                    to: mailboxes(&e.to)?,
                    cc: mailboxes(&e.cc)?,
                    date: e.date.unwrap_or(now),
                    message_id: given(&e.message_id)
                        .map(|m| parse_message_id(&m))
                        .transpose()?,
                    in_reply_to,
                    references,
                    subject: e.subject.trim().to_owned(),
                    body: e.body.trim().to_owned(),
                    attachments: Vec::new(),
                    marking: e.marking,
                    precedence: e.precedence,
                };
                Ok(Compose {
                    content: ItemContent::FormalEmail(email),
                    deadline: e.deadline,
                    attachments,
                    language: e.language,
                })
            }
        }
    }

    /// Composes and stores the item the form describes; returns its id.
    pub fn compose_form(&self, form: ComposeForm) -> Result<ItemId, ClientError> {
        let compose = self.prepare_compose(form)?;
        self.compose(compose)
    }
}

#[cfg(test)]
#[path = "compose_tests.rs"]
mod tests;
