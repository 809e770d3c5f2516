//! Translations between the DTOs and the types of the services. No rule lives here: a value
//! the domain would refuse is passed on for the domain to refuse, with its own message.

use diplomatie_client::drafting::{
    AcknowledgementView, DiffPart, DiffTag, DraftDiff, DraftEdit, DraftFields, DraftState,
    DraftSummary, FieldName, ListField, ParagraphChange, Seal, VerifiedRelease,
};
use diplomatie_client::spaces::{SpaceDetail, SpaceKind, SpaceView};
use diplomatie_client::{
    Compose, ContactAdded, ContactView, ImportOutcome, ImportReport, ItemSummary, Language,
    NotifyRules, Profile, QrModules, RouteFilter, SafetyNumberView, SearchHit, Settings,
    StoredItem, TriageCounts, TriageFilter,
};
use diplomatie_domain::{
    Addressee, ClearanceActions, ClearanceOrder, DiplomaticNote, DraftStanding, FormalEmail,
    ItemContent, ItemKind, Mailbox, Marking, Paragraph, Precedence, Reference, Route, Stage, Step,
    Tag, Telegram, Unavailable, clearance_actions,
};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

use crate::dto::*;
use crate::error::CommandError;

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

const DAY: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub fn day(d: Date) -> String {
    d.format(DAY).unwrap_or_default()
}

/// `YYYY-MM-DD` from a form.
pub fn parse_day(raw: &str, field: &'static str) -> Result<Date, CommandError> {
    Date::parse(raw.trim(), DAY).map_err(|_| CommandError::invalid_date(field, raw))
}

/// A deadline: the end of that day, UTC.
fn parse_deadline(raw: Option<&str>) -> Result<Option<OffsetDateTime>, CommandError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) => {
            let end = Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT);
            Ok(Some(parse_day(d, "deadline")?.with_time(end).assume_utc()))
        }
    }
}

fn u32_of(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn kind(k: ItemKind) -> KindDto {
    match k {
        ItemKind::Telegram => KindDto::Telegram,
        ItemKind::DiplomaticNote => KindDto::Note,
        ItemKind::FormalEmail => KindDto::Email,
    }
}

pub fn kind_in(k: KindDto) -> ItemKind {
    match k {
        KindDto::Telegram => ItemKind::Telegram,
        KindDto::Note => ItemKind::DiplomaticNote,
        KindDto::Email => ItemKind::FormalEmail,
    }
}

pub fn marking(m: Marking) -> MarkingDto {
    match m {
        Marking::NonProtege => MarkingDto::Np,
        Marking::DiffusionRestreinte => MarkingDto::Dr,
    }
}

fn marking_in(m: MarkingDto) -> Marking {
    match m {
        MarkingDto::Np => Marking::NonProtege,
        MarkingDto::Dr => Marking::DiffusionRestreinte,
    }
}

pub fn precedence(p: Precedence) -> PrecedenceDto {
    match p {
        Precedence::Routine => PrecedenceDto::Routine,
        Precedence::Prioritaire => PrecedenceDto::Prioritaire,
        Precedence::Immediat => PrecedenceDto::Immediat,
        Precedence::Flash => PrecedenceDto::Flash,
    }
}

fn precedence_in(p: PrecedenceDto) -> Precedence {
    match p {
        PrecedenceDto::Routine => Precedence::Routine,
        PrecedenceDto::Prioritaire => Precedence::Prioritaire,
        PrecedenceDto::Immediat => Precedence::Immediat,
        PrecedenceDto::Flash => Precedence::Flash,
    }
}

fn route(r: Route) -> RouteDto {
    match r {
        Route::Action => RouteDto::Action,
        Route::Info => RouteDto::Info,
    }
}

fn addressee(a: &Addressee) -> AddresseeDto {
    match a {
        Addressee::Unit(name) => AddresseeDto {
            kind: AddresseeKindDto::Unit,
            name: name.clone(),
        },
        Addressee::Person(name) => AddresseeDto {
            kind: AddresseeKindDto::Person,
            name: name.clone(),
        },
    }
}

/// Blank lines of a form are dropped.
fn addressees_in(list: &[AddresseeDto]) -> Vec<Addressee> {
    list.iter()
        .filter(|a| !a.name.trim().is_empty())
        .map(|a| {
            let name = a.name.trim().to_owned();
            match a.kind {
                AddresseeKindDto::Unit => Addressee::Unit(name),
                AddresseeKindDto::Person => Addressee::Person(name),
            }
        })
        .collect()
}

fn paragraph(p: &Paragraph) -> ParagraphDto {
    ParagraphDto {
        marking: marking(p.marking),
        text: p.text.clone(),
    }
}

/// Empty paragraphs of a form are dropped.
fn paragraphs_in(list: &[ParagraphDto]) -> Vec<Paragraph> {
    list.iter()
        .filter(|p| !p.text.trim().is_empty())
        .map(|p| Paragraph {
            marking: marking_in(p.marking),
            text: p.text.trim().to_owned(),
        })
        .collect()
}

fn reference(r: &Reference) -> ReferenceDto {
    ReferenceDto {
        label: r.label.clone(),
        item_id: r.item.map(|id| id.to_string()),
    }
}

/// A reference typed in a form: linked to the item it quotes when it is in this profile.
fn reference_in(profile: &Profile, label: &str) -> Result<Reference, CommandError> {
    let label = label.trim().to_owned();
    let item = profile.find_by_number(&label)?;
    Ok(Reference { label, item })
}

fn tags_in(list: &[String]) -> Result<Vec<Tag>, CommandError> {
    list.iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(|t| Tag::new(t).map_err(CommandError::from))
        .collect()
}

fn strings_in(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn optional_in(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn mailboxes_in(list: &[String]) -> Result<Vec<Mailbox>, CommandError> {
    list.iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .map(|m| Mailbox::parse(m).map_err(CommandError::from))
        .collect()
}

fn mailbox(m: &Mailbox) -> String {
    match &m.name {
        Some(name) if !name.is_empty() => format!("{name} <{}>", m.address),
        _ => m.address.clone(),
    }
}

pub fn summary(s: &ItemSummary) -> ItemSummaryDto {
    ItemSummaryDto {
        id: s.id.to_string(),
        kind: kind(s.kind),
        subject: s.subject.clone(),
        marking: marking(s.marking),
        precedence: precedence(s.precedence),
        route: s.route.map(route),
        origin: s.origin.clone(),
        number: s.number.clone(),
        written_at: rfc3339(s.written_at),
        received_at: rfc3339(s.received_at),
        deadline: s.deadline.map(rfc3339),
        read: s.read,
        tags: s.tags.clone(),
        language: s.language.map(|l| l.to_string()),
    }
}

pub fn counts(c: &TriageCounts) -> CountsDto {
    CountsDto {
        total: u32_of(c.total),
        action: u32_of(c.action),
        info: u32_of(c.info),
        unrouted: u32_of(c.unrouted),
        unread: u32_of(c.unread),
        unread_action: u32_of(c.unread_action),
        unread_info: u32_of(c.unread_info),
        unread_unrouted: u32_of(c.unread_unrouted),
    }
}

pub fn filter_in(f: &FilterDto) -> TriageFilter {
    TriageFilter {
        route: f.section.map(|s| match s {
            SectionDto::Action => RouteFilter::Action,
            SectionDto::Info => RouteFilter::Info,
            SectionDto::Unrouted => RouteFilter::Unrouted,
        }),
        kinds: f.kinds.iter().copied().map(kind_in).collect(),
        markings: f.markings.iter().copied().map(marking_in).collect(),
        precedences: f.precedences.iter().copied().map(precedence_in).collect(),
        origin: optional_in(f.origin.as_deref()),
        tag: optional_in(f.tag.as_deref()),
        unread_only: f.unread_only,
    }
}

pub fn item(stored: &StoredItem, thread: &[ItemSummary], line: ItemSummaryDto) -> ItemDto {
    let content = match &stored.item.content {
        ItemContent::Telegram(t) => ContentDto::Telegram(TelegramDto {
            number: t.number.as_ref().map(ToString::to_string),
            dtg: rfc3339(t.dtg),
            origin: t.origin.clone(),
            action: t.action.iter().map(addressee).collect(),
            info: t.info.iter().map(addressee).collect(),
            subject: t.subject.clone(),
            tags: t.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            references: t.references.iter().map(reference).collect(),
            summary: t.summary.clone(),
            paragraphs: t.paragraphs.iter().map(paragraph).collect(),
            drafter: t.drafter.clone(),
            clearers: t.clearers.clone(),
            approver: t.approver.clone(),
            precedence: precedence(t.precedence),
            justification: t.justification.clone(),
            marking: marking(t.marking),
            caveats: t.caveats.clone(),
        }),
        ItemContent::DiplomaticNote(n) => ContentDto::Note(NoteDto {
            number: n.number.as_ref().map(ToString::to_string),
            sending_mission: n.sending_mission.clone(),
            receiving_institution: n.receiving_institution.clone(),
            subject: n.subject.clone(),
            opening: n.opening.clone(),
            paragraphs: n.paragraphs.iter().map(paragraph).collect(),
            closing: n.closing.clone(),
            place: n.place.clone(),
            date: day(n.date),
            answers: n.answers.as_ref().map(reference),
            action: n.action.iter().map(addressee).collect(),
            info: n.info.iter().map(addressee).collect(),
            tags: n.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            precedence: precedence(n.precedence),
            justification: n.justification.clone(),
            marking: marking(n.marking),
        }),
        ItemContent::FormalEmail(e) => ContentDto::Email(EmailDto {
            from: mailbox(&e.from),
            to: e.to.iter().map(mailbox).collect(),
            cc: e.cc.iter().map(mailbox).collect(),
            date: rfc3339(e.date),
            message_id: e.message_id.clone(),
            in_reply_to: e.in_reply_to.clone(),
            references: e.references.clone(),
            subject: e.subject.clone(),
            body: e.body.clone(),
            attachments: e
                .attachments
                .iter()
                .enumerate()
                .map(|(i, a)| AttachmentDto {
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                    name: a.name.clone(),
                    content_type: a.content_type.clone(),
                    size: u32_of(a.size),
                })
                .collect(),
            marking: marking(e.marking),
            precedence: precedence(e.precedence),
        }),
    };
    ItemDto {
        summary: line,
        content,
        thread: thread
            .iter()
            .filter(|s| s.id != stored.item.id)
            .map(summary)
            .collect(),
        language: diplomatie_client::document_language(&stored.item).map(|l| l.to_string()),
    }
}

/// The language a form chose (a BCP 47 tag), `None` when it chose none.
fn language_in(tag: Option<&str>) -> Result<Option<diplomatie_domain::Language>, CommandError> {
    match tag.map(str::trim) {
        None | Some("") => Ok(None),
        Some(tag) => Ok(Some(diplomatie_domain::Language::parse(tag)?)),
    }
}

/// A form becomes the content of a new item. The domain checks it when it is composed.
pub fn compose_in(profile: &Profile, dto: &ComposeDto) -> Result<Compose, CommandError> {
    let me = profile.identity();
    let now = OffsetDateTime::now_utc();
    match dto {
        ComposeDto::Telegram(t) => {
            let references = t
                .references
                .iter()
                .filter(|r| !r.trim().is_empty())
                .map(|r| reference_in(profile, r))
                .collect::<Result<Vec<_>, _>>()?;
            let origin = t.origin.trim();
            Ok(Compose {
                content: ItemContent::Telegram(Telegram {
                    number: None,
                    dtg: now,
                    origin: if origin.is_empty() {
                        me.org.clone()
                    } else {
                        origin.to_owned()
                    },
                    action: addressees_in(&t.action),
                    info: addressees_in(&t.info),
                    subject: t.subject.trim().to_owned(),
                    tags: tags_in(&t.tags)?,
                    references,
                    summary: t.summary.trim().to_owned(),
                    paragraphs: paragraphs_in(&t.paragraphs),
                    drafter: me.name.clone(),
                    clearers: strings_in(&t.clearers),
                    approver: optional_in(t.approver.as_deref()),
                    precedence: precedence_in(t.precedence),
                    justification: optional_in(t.justification.as_deref()),
                    marking: marking_in(t.marking),
                    caveats: strings_in(&t.caveats),
                }),
                deadline: parse_deadline(t.deadline.as_deref())?,
                attachments: Vec::new(),
                language: language_in(t.language.as_deref())?,
            })
        }
        ComposeDto::Note(n) => {
            let answers = optional_in(n.answers.as_deref())
                .map(|label| reference_in(profile, &label))
                .transpose()?;
            Ok(Compose {
                content: ItemContent::DiplomaticNote(DiplomaticNote {
                    number: None,
                    sending_mission: n.sending_mission.trim().to_owned(),
                    receiving_institution: n.receiving_institution.trim().to_owned(),
                    subject: n.subject.trim().to_owned(),
                    opening: n.opening.trim().to_owned(),
                    paragraphs: paragraphs_in(&n.paragraphs),
                    closing: n.closing.trim().to_owned(),
                    place: n.place.trim().to_owned(),
                    date: if n.date.trim().is_empty() {
                        now.date()
                    } else {
                        parse_day(&n.date, "date")?
                    },
                    answers,
                    action: addressees_in(&n.action),
                    info: addressees_in(&n.info),
                    tags: tags_in(&n.tags)?,
                    precedence: precedence_in(n.precedence),
                    justification: optional_in(n.justification.as_deref()),
                    marking: marking_in(n.marking),
                    created_at: now,
                }),
                deadline: parse_deadline(n.deadline.as_deref())?,
                attachments: Vec::new(),
                language: language_in(n.language.as_deref())?,
            })
        }
        ComposeDto::Email(e) => {
            let from = match (e.from.trim(), &me.email) {
                ("", Some(mine)) => Mailbox {
                    name: Some(me.name.clone()),
                    address: mine.clone(),
                },
                ("", None) => return Err(CommandError::missing("from")),
                (given, _) => Mailbox::parse(given)?,
            };
            Ok(Compose {
                content: ItemContent::FormalEmail(FormalEmail {
                    from,
                    to: mailboxes_in(&e.to)?,
                    cc: mailboxes_in(&e.cc)?,
                    date: now,
                    message_id: None,
                    in_reply_to: Vec::new(),
                    references: Vec::new(),
                    subject: e.subject.trim().to_owned(),
                    body: e.body.trim().to_owned(),
                    attachments: Vec::new(),
                    marking: marking_in(e.marking),
                    precedence: precedence_in(e.precedence),
                }),
                deadline: parse_deadline(e.deadline.as_deref())?,
                attachments: {
                    let paths: Vec<std::path::PathBuf> =
                        e.attachments.iter().map(std::path::PathBuf::from).collect();
                    diplomatie_client::read_attachments(&paths)?
                },
                language: language_in(e.language.as_deref())?,
            })
        }
    }
}

pub fn hit(h: &SearchHit) -> SearchHitDto {
    SearchHitDto {
        summary: summary(&h.summary),
        snippet: h
            .snippet
            .iter()
            .map(|p| SnippetPartDto {
                text: p.text.clone(),
                highlight: p.highlight,
            })
            .collect(),
    }
}

pub fn import_report(reports: &[ImportReport]) -> ImportReportDto {
    let mut dto = ImportReportDto {
        files: Vec::with_capacity(reports.len()),
        imported: 0,
        duplicates: 0,
        failed: 0,
    };
    for r in reports {
        let path = r.path.display().to_string();
        let file = match &r.outcome {
            ImportOutcome::Imported { id } => {
                dto.imported += 1;
                ImportFileDto {
                    path,
                    status: ImportStatusDto::Imported,
                    item_id: Some(id.to_string()),
                    error: None,
                }
            }
            ImportOutcome::Duplicate { id } => {
                dto.duplicates += 1;
                ImportFileDto {
                    path,
                    status: ImportStatusDto::Duplicate,
                    item_id: Some(id.to_string()),
                    error: None,
                }
            }
            ImportOutcome::Failed { error } => {
                dto.failed += 1;
                ImportFileDto {
                    path,
                    status: ImportStatusDto::Failed,
                    item_id: None,
                    error: Some(error.clone()),
                }
            }
        };
        dto.files.push(file);
    }
    dto
}

pub fn settings(s: &Settings) -> SettingsDto {
    SettingsDto {
        language: match s.language {
            Language::Fr => LanguageDto::Fr,
            Language::En => LanguageDto::En,
        },
        lock_after_minutes: s.lock_after_minutes,
        notify: NotifyRulesDto {
            enabled: s.notify.enabled,
            telegram: s.notify.telegram,
            note: s.notify.note,
            email: s.notify.email,
            min_precedence: precedence(s.notify.min_precedence),
            info: s.notify.info,
        },
        exchange_dir: s.exchange_dir.clone().unwrap_or_default(),
        number_register: s.number_register.clone().unwrap_or_default(),
    }
}

pub fn settings_in(s: &SettingsDto) -> Settings {
    Settings {
        language: match s.language {
            LanguageDto::Fr => Language::Fr,
            LanguageDto::En => Language::En,
        },
        lock_after_minutes: s.lock_after_minutes,
        notify: NotifyRules {
            enabled: s.notify.enabled,
            telegram: s.notify.telegram,
            note: s.notify.note,
            email: s.notify.email,
            min_precedence: precedence_in(s.notify.min_precedence),
            info: s.notify.info,
        },
        exchange_dir: Some(s.exchange_dir.trim().to_owned()).filter(|d| !d.is_empty()),
        number_register: Some(s.number_register.trim().to_owned()).filter(|r| !r.is_empty()),
    }
}

// ---- Collaborative drafting ----

pub fn stage(s: Stage) -> StageDto {
    match s {
        Stage::Draft => StageDto::Draft,
        Stage::InClearance => StageDto::InClearance,
        Stage::ReadyForApproval => StageDto::ReadyForApproval,
        Stage::Approved => StageDto::Approved,
        Stage::Released => StageDto::Released,
        Stage::Withdrawn => StageDto::Withdrawn,
    }
}

/// A portion mark as stored ("NP", "DR"); anything else shows as NP (the domain refuses it
/// at submission).
fn marking_code(code: &str) -> MarkingDto {
    code.parse::<Marking>().map_or(MarkingDto::Np, marking)
}

pub fn draft_summary(s: &DraftSummary) -> DraftSummaryDto {
    DraftSummaryDto {
        id: s.id.clone(),
        kind: kind(s.kind),
        subject: s.subject.clone(),
        marking: marking(s.marking),
        stage: stage(s.stage),
        waiting_for: s.waiting_for.clone(),
        updated_at: rfc3339(s.updated_at),
    }
}

fn draft_fields(f: &DraftFields) -> DraftFieldsDto {
    DraftFieldsDto {
        subject: f.subject.clone(),
        marking: f.marking.clone(),
        precedence: f.precedence.clone(),
        justification: f.justification.clone(),
        origin: f.origin.clone(),
        summary: f.summary.clone(),
        deadline: f.deadline.clone(),
        sending_mission: f.sending_mission.clone(),
        receiving_institution: f.receiving_institution.clone(),
        opening: f.opening.clone(),
        closing: f.closing.clone(),
        place: f.place.clone(),
        date: f.date.clone(),
        answers: f.answers.clone(),
        from: f.from.clone(),
        approver: f.approver.clone(),
        drafter: f.drafter.clone(),
        clearance_order: f.clearance_order.clone(),
        to: f.to.clone(),
        cc: f.cc.clone(),
        tags: f.tags.clone(),
        references: f.references.clone(),
        clearers: f.clearers.clone(),
        caveats: f.caveats.clone(),
    }
}

fn u32_of_usize(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn availability(why: Option<&Unavailable>) -> ActionAvailabilityDto {
    let (reason, who) = match why {
        None => {
            return ActionAvailabilityDto {
                available: true,
                reason: None,
                who: None,
            };
        }
        Some(Unavailable::Final) => (ClearanceReasonDto::Final, None),
        Some(Unavailable::NotDrafter { who }) => (ClearanceReasonDto::NotDrafter, Some(who)),
        Some(Unavailable::NotClearer) => (ClearanceReasonDto::NotClearer, None),
        Some(Unavailable::NotApprover { who }) => (ClearanceReasonDto::NotApprover, Some(who)),
        Some(Unavailable::NotDrafterOrApprover) => (ClearanceReasonDto::NotDrafterOrApprover, None),
        Some(Unavailable::Stage) => (ClearanceReasonDto::Stage, None),
        Some(Unavailable::NotYourTurn { who }) => (ClearanceReasonDto::NotYourTurn, Some(who)),
        Some(Unavailable::AlreadyCleared) => (ClearanceReasonDto::AlreadyCleared, None),
        Some(Unavailable::Conflicts) => (ClearanceReasonDto::Conflicts, None),
        Some(Unavailable::NoApprover) => (ClearanceReasonDto::NoApprover, None),
    };
    ActionAvailabilityDto {
        available: false,
        reason: Some(reason),
        who: who.cloned(),
    }
}

/// What `me` may do to the draft now, as the domain's rules say.
fn clearance_actions_of(s: &DraftState, me: &str) -> ClearanceActions {
    let cleared: Vec<String> = s
        .clearers
        .iter()
        .filter(|c| c.verdict == "cleared")
        .map(|c| c.name.clone())
        .collect();
    clearance_actions(
        &DraftStanding {
            stage: s.stage,
            round: s.round,
            circuit: &s.circuit,
            named_drafter: &s.view.fields.drafter,
            named_approver: &s.view.fields.approver,
            cleared: &cleared,
            conflicts: s.view.conflicts.len(),
        },
        me,
    )
}

/// A draft as `me`, the profile's user, sees it.
pub fn draft(s: &DraftState, me: &str) -> DraftDto {
    let v = &s.view;
    let actions = clearance_actions_of(s, me);
    DraftDto {
        id: s.id.clone(),
        kind: kind(s.kind),
        stage: stage(s.stage),
        round: s.round,
        fields: draft_fields(&v.fields),
        addressees: v
            .addressees
            .iter()
            .map(|a| DraftAddresseeDto {
                addressee: addressee(&a.addressee),
                route: route(a.route),
            })
            .collect(),
        paragraphs: v
            .paragraphs
            .iter()
            .map(|p| DraftParagraphDto {
                id: p.id.clone(),
                marking: marking_code(&p.marking),
                text: p.text.clone(),
                edited_by: p.edited_by.clone(),
            })
            .collect(),
        conflicts: v
            .conflicts
            .iter()
            .map(|c| FieldConflictDto {
                field: c.field.clone(),
                values: c.values.clone(),
            })
            .collect(),
        circuit: CircuitDto {
            drafter: s.circuit.drafter.clone(),
            clearers: s.circuit.clearers.clone(),
            order: match s.circuit.order {
                ClearanceOrder::Sequential => ClearanceOrderDto::Sequential,
                ClearanceOrder::Parallel => ClearanceOrderDto::Parallel,
            },
            approver: s.circuit.approver.clone(),
        },
        clearers: s
            .clearers
            .iter()
            .map(|c| ClearerDto {
                name: c.name.clone(),
                verdict: match c.verdict.as_str() {
                    "cleared" => VerdictDto::Cleared,
                    "rejected" => VerdictDto::Rejected,
                    _ => VerdictDto::Pending,
                },
                comment: c.comment.clone(),
                cleared_before: c.cleared_before.clone(),
            })
            .collect(),
        waiting_for: s.waiting_for.clone(),
        log: s
            .log
            .iter()
            .map(|l| DraftLogDto {
                actor: l.actor.clone(),
                at: l.at.clone(),
                step: l.step.clone(),
                comment: l.comment.clone(),
                refused: l.refused.clone(),
                reset: l.reset.clone(),
            })
            .collect(),
        versions: s
            .versions
            .iter()
            .map(|x| DraftVersionDto {
                number: u32_of_usize(x.number),
                label: x.label.clone(),
                by: x.by.clone(),
                at: x.at.clone(),
            })
            .collect(),
        comments: s
            .comments
            .iter()
            .map(|c| DraftCommentDto {
                id: c.id.clone(),
                author: c.author.clone(),
                at: c.at.clone(),
                text: c.text.clone(),
                paragraph: c.paragraph.clone(),
                start: c.range.map(|r| u32_of_usize(r.0)),
                end: c.range.map(|r| u32_of_usize(r.1)),
                quote: c.quote.clone(),
                resolved_by: c.resolved_by.clone(),
            })
            .collect(),
        release: s.release.as_ref().map(|r| DraftReleaseDto {
            item: r.item.to_string(),
            number: r.number.clone(),
            provisional: r.provisional,
            approver: r.approver.clone(),
            signature: r.signature.clone(),
        }),
        heads: s.heads.clone(),
        updated_at: rfc3339(s.updated_at),
        publish_error: None,
        actions: ClearanceActionsDto {
            submit: availability(actions.submit.as_ref()),
            clear: availability(actions.clear.as_ref()),
            reject: availability(actions.reject.as_ref()),
            approve: availability(actions.approve.as_ref()),
            release: availability(actions.release.as_ref()),
            withdraw: availability(actions.withdraw.as_ref()),
        },
        may_edit: actions.may_edit,
        edit_resets_clearances: actions.edit_resets_clearances,
        language: diplomatie_client::draft_language(v).map(|l| l.to_string()),
    }
}

fn field_in(f: DraftFieldDto) -> FieldName {
    match f {
        DraftFieldDto::Subject => FieldName::Subject,
        DraftFieldDto::Marking => FieldName::Marking,
        DraftFieldDto::Precedence => FieldName::Precedence,
        DraftFieldDto::Justification => FieldName::Justification,
        DraftFieldDto::Origin => FieldName::Origin,
        DraftFieldDto::Summary => FieldName::Summary,
        DraftFieldDto::Deadline => FieldName::Deadline,
        DraftFieldDto::SendingMission => FieldName::SendingMission,
        DraftFieldDto::ReceivingInstitution => FieldName::ReceivingInstitution,
        DraftFieldDto::Opening => FieldName::Opening,
        DraftFieldDto::Closing => FieldName::Closing,
        DraftFieldDto::Place => FieldName::Place,
        DraftFieldDto::Date => FieldName::Date,
        DraftFieldDto::Answers => FieldName::Answers,
        DraftFieldDto::From => FieldName::From,
        DraftFieldDto::Approver => FieldName::Approver,
        DraftFieldDto::Drafter => FieldName::Drafter,
        DraftFieldDto::ClearanceOrder => FieldName::ClearanceOrder,
    }
}

fn list_in(f: DraftListDto) -> ListField {
    match f {
        DraftListDto::To => ListField::To,
        DraftListDto::Cc => ListField::Cc,
        DraftListDto::Tags => ListField::Tags,
        DraftListDto::References => ListField::References,
        DraftListDto::Clearers => ListField::Clearers,
        DraftListDto::Caveats => ListField::Caveats,
    }
}

fn usize_of(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

pub fn draft_edit_in(e: &DraftEditDto) -> DraftEdit {
    match e {
        DraftEditDto::SetField { field, value } => DraftEdit::SetField {
            field: field_in(*field),
            value: value.clone(),
        },
        DraftEditDto::ResolveField { field, value } => DraftEdit::ResolveField {
            field: field_in(*field),
            value: value.clone(),
        },
        DraftEditDto::SpliceField {
            field,
            pos,
            delete,
            insert,
        } => DraftEdit::SpliceField {
            field: field_in(*field),
            pos: usize_of(*pos),
            delete: usize_of(*delete),
            insert: insert.clone(),
        },
        DraftEditDto::SetList { field, values } => DraftEdit::SetList {
            field: list_in(*field),
            values: values.clone(),
        },
        DraftEditDto::SetAddressees { addressees } => DraftEdit::SetAddressees {
            addressees: addressees
                .iter()
                .filter(|a| !a.addressee.name.trim().is_empty())
                .map(|a| {
                    let name = a.addressee.name.trim().to_owned();
                    let who = match a.addressee.kind {
                        AddresseeKindDto::Unit => Addressee::Unit(name),
                        AddresseeKindDto::Person => Addressee::Person(name),
                    };
                    (who, route_in(a.route))
                })
                .collect(),
        },
        DraftEditDto::InsertParagraph {
            index,
            marking,
            text,
        } => DraftEdit::InsertParagraph {
            index: usize_of(*index),
            marking: marking_in(*marking),
            text: text.clone(),
        },
        DraftEditDto::DeleteParagraph { index } => DraftEdit::DeleteParagraph {
            index: usize_of(*index),
        },
        DraftEditDto::MoveParagraph { from, to } => DraftEdit::MoveParagraph {
            from: usize_of(*from),
            to: usize_of(*to),
        },
        DraftEditDto::SpliceParagraph {
            index,
            pos,
            delete,
            insert,
        } => DraftEdit::SpliceParagraph {
            index: usize_of(*index),
            pos: usize_of(*pos),
            delete: usize_of(*delete),
            insert: insert.clone(),
        },
        DraftEditDto::SetParagraphMarking { index, marking } => DraftEdit::SetParagraphMarking {
            index: usize_of(*index),
            marking: marking_in(*marking),
        },
    }
}

fn route_in(r: RouteDto) -> Route {
    match r {
        RouteDto::Action => Route::Action,
        RouteDto::Info => Route::Info,
    }
}

pub fn draft_step_in(s: &DraftStepDto) -> Step {
    match s {
        DraftStepDto::Submit => Step::Submit,
        DraftStepDto::Clear { comment } => Step::Clear {
            comment: comment.clone().filter(|c| !c.trim().is_empty()),
        },
        DraftStepDto::Reject { comment } => Step::Reject {
            comment: comment.clone(),
        },
        DraftStepDto::Approve => Step::Approve,
        DraftStepDto::Withdraw { reason } => Step::Withdraw {
            reason: reason.clone(),
        },
    }
}

fn diff_parts(parts: &[DiffPart]) -> Vec<DiffPartDto> {
    parts
        .iter()
        .map(|p| DiffPartDto {
            tag: match p.tag {
                DiffTag::Same => DiffTagDto::Same,
                DiffTag::Added => DiffTagDto::Added,
                DiffTag::Removed => DiffTagDto::Removed,
            },
            text: p.text.clone(),
        })
        .collect()
}

pub fn draft_diff(d: &DraftDiff) -> DraftDiffDto {
    DraftDiffDto {
        from: d.from.clone(),
        to: d.to.clone(),
        fields: d
            .fields
            .iter()
            .map(|f| FieldChangeDto {
                field: f.field.clone(),
                parts: diff_parts(&f.parts),
            })
            .collect(),
        paragraphs: d
            .paragraphs
            .iter()
            .map(|p| ParagraphDiffDto {
                id: p.id.clone(),
                change: match p.change {
                    ParagraphChange::Same => ParagraphChangeDto::Same,
                    ParagraphChange::Added => ParagraphChangeDto::Added,
                    ParagraphChange::Removed => ParagraphChangeDto::Removed,
                    ParagraphChange::Changed => ParagraphChangeDto::Changed,
                },
                marking_before: p.marking_before.clone(),
                marking_after: p.marking_after.clone(),
                parts: diff_parts(&p.parts),
            })
            .collect(),
    }
}

pub fn verified_release(v: &VerifiedRelease) -> VerifiedReleaseDto {
    VerifiedReleaseDto {
        item: v.item.to_string(),
        number: v.number.clone(),
        provisional: v.provisional,
        approver: v.approver.clone(),
        approver_key: v.approver_key.clone(),
        drafter: v.drafter.clone(),
        clearers: v.clearers.clone(),
        released_at: rfc3339(v.released_at),
        signature: v.signature.clone(),
        seal: seal(&v.seal),
        signer_identity_short: v.signer_identity.as_deref().map(short_hex),
        signer_device: v.signer_device.clone(),
        signer_device_short: v.signer_device.as_deref().map(short_hex),
    }
}

/// Who signed, as this profile knows them.
pub fn seal(s: &Seal) -> SealDto {
    match s {
        Seal::Own => SealDto::Own,
        Seal::Contact { name, verified } => SealDto::Contact {
            name: name.clone(),
            verified: *verified,
        },
        Seal::Unknown => SealDto::Unknown,
    }
}

pub fn acknowledgement(a: &AcknowledgementView) -> AcknowledgementDto {
    AcknowledgementDto {
        name: a.name.clone(),
        identity_short: a.identity_short.clone(),
        device: a.device.clone(),
        device_short: short_hex(&a.device),
        at: a.at.clone(),
        seal: seal(&a.seal),
    }
}

/// A key or id in short form: its first 16 hex digits.
fn short_hex(hex: &str) -> String {
    hex.get(..16).unwrap_or(hex).to_owned()
}

pub fn qr(q: &QrModules) -> QrDto {
    QrDto {
        width: u32::try_from(q.width).unwrap_or(u32::MAX),
        dark: q.dark.clone(),
    }
}

pub fn contact(c: &ContactView) -> ContactDto {
    ContactDto {
        name: c.name.clone(),
        org: c.org.clone(),
        role: c.role.clone(),
        email: c.email.clone(),
        identity: c.identity.clone(),
        identity_short: c.identity_short.clone(),
        devices: u32::try_from(c.devices).unwrap_or(u32::MAX),
        verified: c.verified,
        verified_at: c.verified_at.clone(),
        key_change: c.key_change.as_ref().map(|k| KeyChangeDto {
            new_identity: k.new_identity.clone(),
            new_identity_short: k.new_identity_short.clone(),
            at: k.at.clone(),
        }),
    }
}

pub fn contact_added(a: &ContactAdded) -> ContactAddedDto {
    let contact = contact(a.contact());
    match a {
        ContactAdded::Added { .. } => ContactAddedDto::Added { contact },
        ContactAdded::Updated { .. } => ContactAddedDto::Updated { contact },
        ContactAdded::Unchanged { .. } => ContactAddedDto::Unchanged { contact },
        ContactAdded::KeyChange { .. } => ContactAddedDto::KeyChange { contact },
    }
}

pub fn safety_number(n: &SafetyNumberView) -> SafetyNumberDto {
    SafetyNumberDto {
        contact: contact(&n.contact),
        digits: n.digits.clone(),
        for_new_key: n.for_new_key,
    }
}

pub fn space_kind(kind: SpaceKind) -> SpaceKindDto {
    match kind {
        SpaceKind::Own => SpaceKindDto::Own,
        SpaceKind::Unit => SpaceKindDto::Unit,
        SpaceKind::Circuit => SpaceKindDto::Circuit,
        SpaceKind::Shared => SpaceKindDto::Shared,
    }
}

pub fn space_kind_in(kind: SpaceKindDto) -> SpaceKind {
    match kind {
        SpaceKindDto::Own => SpaceKind::Own,
        SpaceKindDto::Unit => SpaceKind::Unit,
        SpaceKindDto::Circuit => SpaceKind::Circuit,
        SpaceKindDto::Shared => SpaceKind::Shared,
    }
}

pub fn space(s: &SpaceView) -> SpaceDto {
    SpaceDto {
        id: s.id.clone(),
        name: s.name.clone(),
        kind: space_kind(s.kind),
        history_visible: s.history_visible,
        epoch: u32::try_from(s.epoch).unwrap_or(u32::MAX),
        devices: u32::try_from(s.devices).unwrap_or(u32::MAX),
        created_at: s.created_at.clone(),
        removed_at: s.removed_at.clone(),
    }
}

pub fn space_detail(d: &SpaceDetail) -> SpaceDetailDto {
    SpaceDetailDto {
        space: space(&d.space),
        members: d
            .members
            .iter()
            .map(|m| SpaceMemberDto {
                device: m.device.clone(),
                device_short: m.device.chars().take(16).collect(),
                you: m.you,
                name: m.name.clone(),
                org: m.org.clone(),
                verified: m.verified,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn every_enum_round_trips() {
        for k in ItemKind::ALL {
            assert_eq!(kind_in(kind(k)), k);
        }
        for m in Marking::ALL {
            assert_eq!(marking_in(marking(m)), m);
        }
        for p in Precedence::ALL {
            assert_eq!(precedence_in(precedence(p)), p);
        }
        let s = Settings {
            language: Language::En,
            lock_after_minutes: 7,
            exchange_dir: Some("/srv/echange".into()),
            number_register: Some("/srv/registre".into()),
            ..Settings::default()
        };
        assert_eq!(settings_in(&settings(&s)), s);
    }

    #[test]
    fn an_unavailable_action_travels_with_its_reason_and_whom_it_names() {
        assert_eq!(
            availability(None),
            ActionAvailabilityDto {
                available: true,
                reason: None,
                who: None
            }
        );
        let turn = Unavailable::NotYourTurn { who: "Bob".into() };
        assert_eq!(
            availability(Some(&turn)),
            ActionAvailabilityDto {
                available: false,
                reason: Some(ClearanceReasonDto::NotYourTurn),
                who: Some("Bob".into())
            }
        );
        let json =
            serde_json::to_string(&availability(Some(&Unavailable::NotDrafterOrApprover))).unwrap();
        assert_eq!(
            json, r#"{"available":false,"reason":"notDrafterOrApprover","who":null}"#,
            "the reasons are the interface's keys (clearance.why.*)"
        );
    }

    #[test]
    fn an_email_form_reads_its_attachments_and_names_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::init(
            &dir.path().join("p"),
            "attachment test passphrase",
            diplomatie_client::InitOptions {
                role: String::new(),
                name: "Alice".into(),
                org: "Quai".into(),
                email: Some("alice@diplomatie.example".into()),
                kdf_cost: Some(diplomatie_client::KdfCost::MIN),
            },
        )
        .unwrap();
        let pdf = dir.path().join("ordre.pdf");
        std::fs::write(&pdf, b"%PDF").unwrap();
        let email = |attachments: Vec<String>| {
            ComposeDto::Email(ComposeEmailDto {
                from: String::new(),
                to: vec!["bruno@quai.example".into()],
                cc: Vec::new(),
                subject: "Ordre du jour".into(),
                body: "Ci-joint.".into(),
                marking: MarkingDto::Np,
                precedence: PrecedenceDto::Routine,
                deadline: None,
                attachments,
                language: None,
            })
        };
        let compose = compose_in(&profile, &email(vec![pdf.display().to_string()])).unwrap();
        assert_eq!(compose.attachments.len(), 1);
        assert_eq!(compose.attachments[0].content_type, "application/pdf");
        let missing = dir.path().join("parti.pdf").display().to_string();
        let err = compose_in(&profile, &email(vec![missing.clone()])).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::AttachmentUnreadable);
        assert_eq!(err.field.as_deref(), Some("attachments"));
        assert_eq!(err.detail.as_deref(), Some(missing.as_str()));
    }

    #[test]
    fn a_release_seal_names_the_signer_and_shortens_keys() {
        let release = |seal: Seal, identity: Option<&str>| VerifiedRelease {
            item: "0190f5d3-8c4a-7b2e-9a1d-3f5e6a7b8c9d".parse().unwrap(),
            number: "BERLIN 2026-0001".into(),
            provisional: false,
            approver: "Alice".into(),
            approver_key: "ab".into(),
            drafter: "Alice".into(),
            clearers: vec!["Bob".into()],
            released_at: OffsetDateTime::UNIX_EPOCH,
            signature: "cd".into(),
            signer_identity: identity.map(str::to_owned),
            signer_device: identity.map(|_| "00112233445566778899aabbccddeeff".to_owned()),
            seal,
        };
        let identity = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let alice = Seal::Contact {
            name: "Alice".into(),
            verified: true,
        };
        let dto = verified_release(&release(alice, Some(identity)));
        assert_eq!(
            dto.seal,
            SealDto::Contact {
                name: "Alice".into(),
                verified: true
            }
        );
        assert_eq!(
            dto.signer_identity_short.as_deref(),
            Some("0123456789abcdef")
        );
        assert_eq!(dto.signer_device_short.as_deref(), Some("0011223344556677"));
        let json = serde_json::to_value(&dto).unwrap();
        assert_eq!(
            json["seal"],
            serde_json::json!({"kind": "contact", "name": "Alice", "verified": true}),
            "the interface reads the seal by its kind"
        );
        let unknown = verified_release(&release(Seal::Unknown, None));
        assert_eq!(unknown.seal, SealDto::Unknown);
        assert_eq!(unknown.signer_identity_short, None);
        assert_eq!(
            serde_json::to_value(verified_release(&release(Seal::Own, Some(identity))).seal)
                .unwrap(),
            serde_json::json!({"kind": "own"})
        );
    }

    #[test]
    fn dates_from_forms_are_checked() {
        assert_eq!(day(parse_day("2026-12-01", "date").unwrap()), "2026-12-01");
        let err = parse_day("01/12/2026", "date").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("date"));
        let deadline = parse_deadline(Some("2026-12-01")).unwrap().unwrap();
        assert_eq!(rfc3339(deadline), "2026-12-01T23:59:59Z");
        assert_eq!(parse_deadline(Some("  ")).unwrap(), None);
    }

    #[test]
    fn blank_form_lines_are_dropped() {
        let list = vec![
            AddresseeDto {
                kind: AddresseeKindDto::Unit,
                name: " DFAE ".into(),
            },
            AddresseeDto {
                kind: AddresseeKindDto::Person,
                name: "  ".into(),
            },
        ];
        assert_eq!(addressees_in(&list), vec![Addressee::Unit("DFAE".into())]);
        let paragraphs = vec![
            ParagraphDto {
                marking: MarkingDto::Dr,
                text: "Texte".into(),
            },
            ParagraphDto {
                marking: MarkingDto::Np,
                text: "\n".into(),
            },
        ];
        assert_eq!(paragraphs_in(&paragraphs).len(), 1);
        assert!(tags_in(&["bad tag!".into()]).is_err());
    }

    #[test]
    fn a_space_left_says_when_and_a_current_one_does_not() {
        let mut view = SpaceView {
            id: "ab".repeat(16),
            name: "Poste de Berlin".into(),
            kind: SpaceKind::Unit,
            history_visible: false,
            epoch: 4,
            devices: 3,
            created_at: "2026-11-20T10:00:00Z".into(),
            removed_at: None,
        };
        assert_eq!(space(&view).removed_at, None);
        view.removed_at = Some("2026-11-28T09:00:00Z".into());
        view.devices = 0;
        let dto = space(&view);
        assert_eq!(dto.removed_at.as_deref(), Some("2026-11-28T09:00:00Z"));
        assert_eq!((dto.devices, dto.epoch), (0, 4));
    }
}
