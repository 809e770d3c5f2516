//! A draft as plain data: what the interface shows, and the domain item built from it at
//! release.

use std::fmt;

use diplomatie_domain::{
    Addressee, DiplomaticNote, DomainError, FormalEmail, ItemContent, ItemKind, Mailbox, Marking,
    Paragraph, Precedence, Reference, Route, Tag, Telegram,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::{DraftError, FieldName, ListField};

/// Everything in a draft, as plain values. Registers in conflict show the value every replica
/// picks (automerge's deterministic winner) and are listed in `conflicts` with all their values.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftView {
    pub schema: u64,
    pub kind: ItemKind,
    pub fields: DraftFields,
    /// Telegrams and notes: each addressee once (same name and kind), in order of addition.
    pub addressees: Vec<AddresseeView>,
    pub paragraphs: Vec<ParagraphView>,
    /// Values set concurrently and not yet resolved; empty when there is nothing to resolve.
    pub conflicts: Vec<FieldConflict>,
}

/// The fields of a draft. A field its kind does not have is empty.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftFields {
    pub subject: String,
    pub marking: String,
    pub precedence: String,
    pub justification: String,
    pub origin: String,
    pub summary: String,
    pub deadline: String,
    pub sending_mission: String,
    pub receiving_institution: String,
    pub opening: String,
    pub closing: String,
    pub place: String,
    pub date: String,
    pub answers: String,
    pub from: String,
    pub approver: String,
    pub drafter: String,
    /// `sequential` or `parallel` (empty in a draft made before the field existed: sequential).
    pub clearance_order: String,
    /// Each list shows each value once, in order of first appearance.
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub tags: Vec<String>,
    pub references: Vec<String>,
    pub clearers: Vec<String>,
    pub caveats: Vec<String>,
}

impl DraftFields {
    pub fn get(&self, field: FieldName) -> &str {
        match field {
            FieldName::Subject => &self.subject,
            FieldName::Marking => &self.marking,
            FieldName::Precedence => &self.precedence,
            FieldName::Justification => &self.justification,
            FieldName::Origin => &self.origin,
            FieldName::Summary => &self.summary,
            FieldName::Deadline => &self.deadline,
            FieldName::SendingMission => &self.sending_mission,
            FieldName::ReceivingInstitution => &self.receiving_institution,
            FieldName::Opening => &self.opening,
            FieldName::Closing => &self.closing,
            FieldName::Place => &self.place,
            FieldName::Date => &self.date,
            FieldName::Answers => &self.answers,
            FieldName::From => &self.from,
            FieldName::Approver => &self.approver,
            FieldName::Drafter => &self.drafter,
            FieldName::ClearanceOrder => &self.clearance_order,
        }
    }

    pub(crate) fn slot(&mut self, field: FieldName) -> &mut String {
        match field {
            FieldName::Subject => &mut self.subject,
            FieldName::Marking => &mut self.marking,
            FieldName::Precedence => &mut self.precedence,
            FieldName::Justification => &mut self.justification,
            FieldName::Origin => &mut self.origin,
            FieldName::Summary => &mut self.summary,
            FieldName::Deadline => &mut self.deadline,
            FieldName::SendingMission => &mut self.sending_mission,
            FieldName::ReceivingInstitution => &mut self.receiving_institution,
            FieldName::Opening => &mut self.opening,
            FieldName::Closing => &mut self.closing,
            FieldName::Place => &mut self.place,
            FieldName::Date => &mut self.date,
            FieldName::Answers => &mut self.answers,
            FieldName::From => &mut self.from,
            FieldName::Approver => &mut self.approver,
            FieldName::Drafter => &mut self.drafter,
            FieldName::ClearanceOrder => &mut self.clearance_order,
        }
    }

    pub fn list(&self, field: ListField) -> &[String] {
        match field {
            ListField::To => &self.to,
            ListField::Cc => &self.cc,
            ListField::Tags => &self.tags,
            ListField::References => &self.references,
            ListField::Clearers => &self.clearers,
            ListField::Caveats => &self.caveats,
        }
    }

    pub(crate) fn list_slot(&mut self, field: ListField) -> &mut Vec<String> {
        match field {
            ListField::To => &mut self.to,
            ListField::Cc => &mut self.cc,
            ListField::Tags => &mut self.tags,
            ListField::References => &mut self.references,
            ListField::Clearers => &mut self.clearers,
            ListField::Caveats => &mut self.caveats,
        }
    }
}

/// An addressee with its route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddresseeView {
    pub addressee: Addressee,
    pub route: Route,
}

/// A paragraph: its stable id (comments and diffs anchor to it), portion mark and text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParagraphView {
    pub id: String,
    /// `NP` or `DR` as stored; checked when the item is built.
    pub marking: String,
    pub text: String,
    /// Who edited it last (several names when people edited it at the same time), for
    /// "who edited what"; not part of the content.
    #[serde(default)]
    pub edited_by: Vec<String>,
}

/// A value set concurrently to different things by different people.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldConflict {
    /// The field's key (`subject`, `marking`), `paragraphs.<id>.marking` or
    /// `addressees.<name>.route`.
    pub field: String,
    /// Every value, each once, in the same order on every replica.
    pub values: Vec<String>,
}

// Subjects, bodies and field values are never printed: only their shape.
impl fmt::Debug for DraftView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DraftView")
            .field("schema", &self.schema)
            .field("kind", &self.kind)
            .field("marking", &self.fields.marking)
            .field("addressees", &self.addressees.len())
            .field("paragraphs", &self.paragraphs)
            .field("conflicts", &self.conflicts)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for DraftFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DraftFields")
            .field("marking", &self.marking)
            .field("precedence", &self.precedence)
            .field(
                "subject",
                &format_args!("<{} chars>", self.subject.chars().count()),
            )
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ParagraphView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParagraphView")
            .field("id", &self.id)
            .field("marking", &self.marking)
            .field(
                "text",
                &format_args!("<{} chars>", self.text.chars().count()),
            )
            .finish()
    }
}

impl fmt::Debug for FieldConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldConflict")
            .field("field", &self.field)
            .field("values", &self.values.len())
            .finish()
    }
}

fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

impl DraftView {
    /// The marking that governs what may be shown of this draft outside the app (a desktop
    /// notification): the highest of its overall marking, its paragraphs' portion marks and
    /// every value of a marking still in conflict. A marking that does not read counts as
    /// Diffusion Restreinte: what cannot be judged is protected.
    pub fn effective_marking(&self) -> Marking {
        let read = |code: &str| code.parse().unwrap_or(Marking::DiffusionRestreinte);
        let conflicting = self
            .conflicts
            .iter()
            .filter(|c| c.field == "marking" || c.field.ends_with(".marking"))
            .flat_map(|c| c.values.iter());
        std::iter::once(&self.fields.marking)
            .chain(self.paragraphs.iter().map(|p| &p.marking))
            .chain(conflicting)
            .map(|code| read(code))
            .max()
            .unwrap_or(Marking::DiffusionRestreinte)
    }

    /// The domain item this draft would become, for `Item::validate` at release. `at` is the
    /// moment of release: the telegram's date-time group, the note's creation time (and its
    /// date when the draft has none), the email's Date. Unresolved conflicts are refused: the
    /// user must choose first.
    pub fn to_content(&self, drafter: &str, at: OffsetDateTime) -> Result<ItemContent, DraftError> {
        if !self.conflicts.is_empty() {
            return Err(DraftError::Unresolved(
                self.conflicts.iter().map(|c| c.field.clone()).collect(),
            ));
        }
        let f = &self.fields;
        let marking: Marking = f.marking.parse()?;
        let precedence: Precedence = f.precedence.parse()?;
        let paragraphs = self
            .paragraphs
            .iter()
            .map(|p| {
                Ok(Paragraph {
                    marking: p.marking.parse()?,
                    text: p.text.clone(),
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        let tags = f
            .tags
            .iter()
            .map(|t| Tag::new(t))
            .collect::<Result<Vec<_>, _>>()?;
        let routed = |route: Route| -> Vec<Addressee> {
            self.addressees
                .iter()
                .filter(|a| a.route == route)
                .map(|a| a.addressee.clone())
                .collect()
        };
        let approver = optional(&f.approver);
        Ok(match self.kind {
            ItemKind::Telegram => ItemContent::Telegram(Telegram {
                number: None,
                dtg: at,
                origin: f.origin.trim().to_owned(),
                action: routed(Route::Action),
                info: routed(Route::Info),
                subject: f.subject.clone(),
                tags,
                references: f
                    .references
                    .iter()
                    .map(|label| Reference {
                        label: label.clone(),
                        item: None,
                    })
                    .collect(),
                summary: f.summary.clone(),
                paragraphs,
                drafter: drafter.to_owned(),
                clearers: f.clearers.clone(),
                approver,
                precedence,
                justification: optional(&f.justification),
                marking,
                caveats: f.caveats.clone(),
            }),
            ItemKind::DiplomaticNote => {
                let date = match optional(&f.date) {
                    Some(date) => {
                        time::Date::parse(&date, format_description!("[year]-[month]-[day]"))
                            .map_err(|_| DraftError::InvalidValue {
                                field: "date",
                                reason: "use a date such as 2026-11-28",
                            })?
                    }
                    None => at.date(),
                };
                ItemContent::DiplomaticNote(DiplomaticNote {
                    number: None,
                    sending_mission: f.sending_mission.trim().to_owned(),
                    receiving_institution: f.receiving_institution.trim().to_owned(),
                    subject: f.subject.clone(),
                    opening: f.opening.clone(),
                    paragraphs,
                    closing: f.closing.clone(),
                    place: f.place.trim().to_owned(),
                    date,
                    answers: optional(&f.answers).map(|label| Reference { label, item: None }),
                    action: routed(Route::Action),
                    info: routed(Route::Info),
                    tags,
                    precedence,
                    justification: optional(&f.justification),
                    marking,
                    created_at: at,
                })
            }
            ItemKind::FormalEmail => {
                // An email has one marking for its whole body: a paragraph marked above it
                // would be sent under too low a marking.
                if let Some((index, p)) = paragraphs
                    .iter()
                    .enumerate()
                    .find(|(_, p)| p.marking > marking)
                {
                    return Err(DraftError::Domain(DomainError::MarkingBelowParagraph {
                        item: marking.code().into(),
                        paragraph: index + 1,
                        paragraph_marking: p.marking.code().into(),
                    }));
                }
                let from = optional(&f.from).ok_or(DomainError::Missing("sender (From)"))?;
                let mailboxes = |list: &[String]| {
                    list.iter()
                        .map(|m| Mailbox::parse(m))
                        .collect::<Result<Vec<_>, _>>()
                };
                ItemContent::FormalEmail(FormalEmail {
                    from: Mailbox::parse(&from)?,
                    to: mailboxes(&f.to)?,
                    cc: mailboxes(&f.cc)?,
                    date: at,
                    message_id: None,
                    in_reply_to: Vec::new(),
                    references: Vec::new(),
                    subject: f.subject.clone(),
                    body: paragraphs
                        .iter()
                        .map(|p| p.text.as_str())
                        .collect::<Vec<_>>()
                        .join("\n\n"),
                    attachments: Vec::new(),
                    marking,
                    precedence,
                })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(overall: &str, paragraphs: &[&str], conflicts: Vec<FieldConflict>) -> DraftView {
        DraftView {
            schema: 1,
            kind: ItemKind::Telegram,
            fields: DraftFields {
                marking: overall.to_owned(),
                ..DraftFields::default()
            },
            addressees: Vec::new(),
            paragraphs: paragraphs
                .iter()
                .enumerate()
                .map(|(i, m)| ParagraphView {
                    id: format!("p{i}"),
                    marking: (*m).to_owned(),
                    text: String::new(),
                    edited_by: Vec::new(),
                })
                .collect(),
            conflicts,
        }
    }

    #[test]
    fn a_dr_paragraph_makes_an_np_draft_dr() {
        assert_eq!(
            view("NP", &["NP", "NP"], Vec::new()).effective_marking(),
            Marking::NonProtege
        );
        assert_eq!(
            view("NP", &["NP", "DR"], Vec::new()).effective_marking(),
            Marking::DiffusionRestreinte
        );
        assert_eq!(
            view("DR", &["NP"], Vec::new()).effective_marking(),
            Marking::DiffusionRestreinte
        );
    }

    #[test]
    fn a_marking_in_conflict_or_unreadable_counts_as_dr() {
        let conflict = FieldConflict {
            field: "paragraphs.p0.marking".to_owned(),
            values: vec!["NP".to_owned(), "DR".to_owned()],
        };
        assert_eq!(
            view("NP", &["NP"], vec![conflict]).effective_marking(),
            Marking::DiffusionRestreinte
        );
        assert_eq!(
            view("", &["NP"], Vec::new()).effective_marking(),
            Marking::DiffusionRestreinte
        );
        assert_eq!(
            view("NP", &["??"], Vec::new()).effective_marking(),
            Marking::DiffusionRestreinte
        );
    }
}
