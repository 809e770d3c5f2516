//! The shapes the interface sends and receives. They mirror the domain and the services, and
//! are kept apart from them so that a change inside does not silently change the interface:
//! `ui/src/bindings.ts` is generated from these types (a test fails when it drifts).
//!
//! Times travel as RFC 3339 strings in UTC, dates as `YYYY-MM-DD`; ids as UUID strings.
//! Counts are `u32` (TypeScript numbers; no store holds four billion items).

use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum KindDto {
    Telegram,
    Note,
    Email,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum MarkingDto {
    /// Non protégé.
    Np,
    /// Diffusion Restreinte.
    Dr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PrecedenceDto {
    Routine,
    Prioritaire,
    Immediat,
    Flash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RouteDto {
    Action,
    Info,
}

/// The triage sections a list can be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SectionDto {
    Action,
    Info,
    Unrouted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum AddresseeKindDto {
    Unit,
    Person,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AddresseeDto {
    pub kind: AddresseeKindDto,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ParagraphDto {
    pub marking: MarkingDto,
    pub text: String,
}

/// A reference to an earlier item: its label as written and, when the item is in this
/// profile, its id (the interface opens it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceDto {
    pub label: String,
    pub item_id: Option<String>,
}

/// One line of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ItemSummaryDto {
    pub id: String,
    pub kind: KindDto,
    pub subject: String,
    pub marking: MarkingDto,
    pub precedence: PrecedenceDto,
    pub route: Option<RouteDto>,
    pub origin: String,
    pub number: Option<String>,
    pub written_at: String,
    pub received_at: String,
    pub deadline: Option<String>,
    pub read: bool,
    pub tags: Vec<String>,
    /// The item's language when it is known (BCP 47 primary subtag: `fr`, `en`), for `lang`.
    pub language: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CountsDto {
    pub total: u32,
    pub action: u32,
    pub info: u32,
    pub unrouted: u32,
    pub unread: u32,
    pub unread_action: u32,
    pub unread_info: u32,
    pub unread_unrouted: u32,
}

/// Which items a list or a search shows; empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FilterDto {
    pub section: Option<SectionDto>,
    pub kinds: Vec<KindDto>,
    pub markings: Vec<MarkingDto>,
    pub precedences: Vec<PrecedenceDto>,
    pub origin: Option<String>,
    pub tag: Option<String>,
    pub unread_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct InboxRequestDto {
    pub filter: FilterDto,
    pub offset: u32,
    pub limit: u32,
}

/// One page of the triage view, with the counts under the same filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct InboxDto {
    pub counts: CountsDto,
    pub offset: u32,
    pub items: Vec<ItemSummaryDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TelegramDto {
    pub number: Option<String>,
    pub dtg: String,
    pub origin: String,
    pub action: Vec<AddresseeDto>,
    pub info: Vec<AddresseeDto>,
    pub subject: String,
    pub tags: Vec<String>,
    pub references: Vec<ReferenceDto>,
    pub summary: String,
    pub paragraphs: Vec<ParagraphDto>,
    pub drafter: String,
    pub clearers: Vec<String>,
    pub approver: Option<String>,
    pub precedence: PrecedenceDto,
    pub justification: Option<String>,
    pub marking: MarkingDto,
    pub caveats: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NoteDto {
    pub number: Option<String>,
    pub sending_mission: String,
    pub receiving_institution: String,
    pub subject: String,
    pub opening: String,
    pub paragraphs: Vec<ParagraphDto>,
    pub closing: String,
    pub place: String,
    pub date: String,
    pub answers: Option<ReferenceDto>,
    pub action: Vec<AddresseeDto>,
    pub info: Vec<AddresseeDto>,
    pub tags: Vec<String>,
    pub precedence: PrecedenceDto,
    pub justification: Option<String>,
    pub marking: MarkingDto,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDto {
    pub index: u32,
    pub name: String,
    pub content_type: String,
    pub size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EmailDto {
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub date: String,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<AttachmentDto>,
    pub marking: MarkingDto,
    pub precedence: PrecedenceDto,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContentDto {
    Telegram(TelegramDto),
    Note(NoteDto),
    Email(EmailDto),
}

/// An opened item: its line, its full content and the other messages of its thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ItemDto {
    pub summary: ItemSummaryDto,
    pub content: ContentDto,
    pub thread: Vec<ItemSummaryDto>,
    /// The language the text is written in, when known, declared or reliably detected (BCP 47
    /// primary subtag: `fr`, `en`, `ar`), for the interface's `lang`; unknown: the interface's
    /// language applies.
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ComposeTelegramDto {
    pub origin: String,
    pub action: Vec<AddresseeDto>,
    pub info: Vec<AddresseeDto>,
    pub subject: String,
    pub tags: Vec<String>,
    pub references: Vec<String>,
    pub summary: String,
    pub paragraphs: Vec<ParagraphDto>,
    pub clearers: Vec<String>,
    pub approver: Option<String>,
    pub precedence: PrecedenceDto,
    pub justification: Option<String>,
    pub marking: MarkingDto,
    pub caveats: Vec<String>,
    /// `YYYY-MM-DD`: the action is due by the end of that day (UTC).
    pub deadline: Option<String>,
    /// The language the text is written in, as chosen (BCP 47: `fr`, `en`, `de`...); detected
    /// from the text when `None`.
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ComposeNoteDto {
    pub sending_mission: String,
    pub receiving_institution: String,
    pub subject: String,
    pub opening: String,
    pub paragraphs: Vec<ParagraphDto>,
    pub closing: String,
    pub place: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub answers: Option<String>,
    pub action: Vec<AddresseeDto>,
    pub info: Vec<AddresseeDto>,
    pub tags: Vec<String>,
    pub precedence: PrecedenceDto,
    pub justification: Option<String>,
    pub marking: MarkingDto,
    pub deadline: Option<String>,
    /// The language the text is written in, as chosen (BCP 47: `fr`, `en`, `de`...); detected
    /// from the text when `None`.
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ComposeEmailDto {
    /// Empty: the profile's own address.
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    pub marking: MarkingDto,
    pub precedence: PrecedenceDto,
    pub deadline: Option<String>,
    /// Files to attach, by path (chosen in the system's file dialog); read when composing.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// The language the text is written in, as chosen (BCP 47: `fr`, `en`, `de`...); detected
    /// from the text when `None`.
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ComposeDto {
    Telegram(ComposeTelegramDto),
    Note(ComposeNoteDto),
    Email(ComposeEmailDto),
}

/// The customary formulas of a note verbale, for a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NoteTemplateDto {
    pub opening: String,
    pub closing: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequestDto {
    pub text: String,
    pub filter: FilterDto,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    pub offset: u32,
    pub limit: u32,
    /// Search as you type: the last word is a prefix.
    pub as_you_type: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SnippetPartDto {
    pub text: String,
    pub highlight: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SearchHitDto {
    pub summary: ItemSummaryDto,
    pub snippet: Vec<SnippetPartDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchResultDto {
    pub hits: Vec<SearchHitDto>,
    pub elapsed_ms: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatusDto {
    Imported,
    Duplicate,
    Failed,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportFileDto {
    pub path: String,
    pub status: ImportStatusDto,
    pub item_id: Option<String>,
    /// Why the file was refused (English, from the parser); `None` unless failed.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportReportDto {
    pub files: Vec<ImportFileDto>,
    pub imported: u32,
    pub duplicates: u32,
    pub failed: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum LanguageDto {
    Fr,
    En,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NotifyRulesDto {
    pub enabled: bool,
    pub telegram: bool,
    pub note: bool,
    pub email: bool,
    pub min_precedence: PrecedenceDto,
    pub info: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsDto {
    pub language: LanguageDto,
    /// 0: never.
    pub lock_after_minutes: u32,
    pub notify: NotifyRulesDto,
    /// The folder drafts are exchanged through with the post's other replicas ("": none).
    pub exchange_dir: String,
    /// The post's numbering register file ("": none).
    pub number_register: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IdentityDto {
    pub name: String,
    pub org: String,
    pub email: Option<String>,
    /// This device's key fingerprint, to compare out of band.
    pub fingerprint: String,
}

/// What the app knows before any profile is unlocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppStatusDto {
    pub version: String,
    pub profile_dir: String,
    pub profile_exists: bool,
    pub unlocked: bool,
    pub min_passphrase_chars: u32,
}

/// An unlocked profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    pub identity: IdentityDto,
    pub settings: SettingsDto,
}

#[derive(Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateProfileDto {
    pub name: String,
    pub org: String,
    pub email: Option<String>,
    pub passphrase: String,
}

impl std::fmt::Debug for CreateProfileDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateProfileDto")
            .field("name", &self.name)
            .field("org", &self.org)
            .finish_non_exhaustive()
    }
}

// ---- Collaborative drafting ----

/// Where a draft is in its clearance circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum StageDto {
    Draft,
    InClearance,
    ReadyForApproval,
    Approved,
    Released,
    Withdrawn,
}

/// A draft in the list of drafts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftSummaryDto {
    pub id: String,
    pub kind: KindDto,
    pub subject: String,
    pub marking: MarkingDto,
    pub stage: StageDto,
    /// Who may act now.
    pub waiting_for: Vec<String>,
    pub updated_at: String,
}

/// The fields of a draft as stored: registers as their codes (`marking` "NP"/"DR",
/// `precedence` "routine"…, `clearanceOrder` "sequential"/"parallel"), texts as typed.
/// A field the draft's kind does not have is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftFieldsDto {
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
    pub clearance_order: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub tags: Vec<String>,
    pub references: Vec<String>,
    pub clearers: Vec<String>,
    pub caveats: Vec<String>,
}

/// A single-valued field of a draft (the keys of the document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DraftFieldDto {
    Subject,
    Marking,
    Precedence,
    Justification,
    Origin,
    Summary,
    Deadline,
    SendingMission,
    ReceivingInstitution,
    Opening,
    Closing,
    Place,
    Date,
    Answers,
    From,
    Approver,
    Drafter,
    ClearanceOrder,
}

/// A list field of a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DraftListDto {
    To,
    Cc,
    Tags,
    References,
    Clearers,
    Caveats,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DraftAddresseeDto {
    pub addressee: AddresseeDto,
    pub route: RouteDto,
}

/// A paragraph: its stable id, portion mark, text and who edited it last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftParagraphDto {
    pub id: String,
    pub marking: MarkingDto,
    pub text: String,
    pub edited_by: Vec<String>,
}

/// Values set concurrently for one field, to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FieldConflictDto {
    /// `subject`, `marking`…, `paragraphs.<id>.marking` or `addressees.<name>.route`.
    pub field: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ClearanceOrderDto {
    Sequential,
    Parallel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CircuitDto {
    pub drafter: String,
    pub clearers: Vec<String>,
    pub order: ClearanceOrderDto,
    pub approver: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum VerdictDto {
    Pending,
    Cleared,
    Rejected,
}

/// A clearer and where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ClearerDto {
    pub name: String,
    pub verdict: VerdictDto,
    pub comment: Option<String>,
    /// Cleared an earlier version, reset by an edit since: that version's heads, to show them
    /// what changed (`draft_changes_since`).
    pub cleared_before: Option<Vec<String>>,
}

/// A step of the clearance log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DraftLogDto {
    pub actor: String,
    pub at: String,
    /// `created`, `submit`, `clear`, `reject`, `approve`, `withdraw`, `release`, `version`.
    pub step: String,
    pub comment: Option<String>,
    /// Why the step did not take effect (two clearers acting at once on two machines).
    pub refused: Option<String>,
    /// Clearers whose clearance an edit before this step reset.
    pub reset: Vec<String>,
}

/// A version of the draft (one per round, those named, the release).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DraftVersionDto {
    pub number: u32,
    pub label: String,
    pub by: String,
    pub at: String,
}

/// A comment anchored to a range of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftCommentDto {
    pub id: String,
    pub author: String,
    pub at: String,
    pub text: String,
    /// The paragraph's id.
    pub paragraph: String,
    /// The range now, in UTF-16 units; `None` once its words were deleted.
    pub start: Option<u32>,
    pub end: Option<u32>,
    pub quote: String,
    pub resolved_by: Option<String>,
}

/// A released draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DraftReleaseDto {
    pub item: String,
    /// The number's label (empty for an email).
    pub number: String,
    pub provisional: bool,
    pub approver: String,
    pub signature: String,
}

/// Why a clearance action is not available now (`clearance.why.*` in the interface).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ClearanceReasonDto {
    /// Released or withdrawn.
    Final,
    /// Only the drafter (`who`).
    NotDrafter,
    NotClearer,
    /// Only the approver (`who`, empty when none is named).
    NotApprover,
    NotDrafterOrApprover,
    /// Not at this stage of the circuit.
    Stage,
    /// Sequential circuit: `who` clears first.
    NotYourTurn,
    AlreadyCleared,
    /// Concurrent values to choose from first.
    Conflicts,
    NoApprover,
}

/// Whether the user may take a clearance action now, and if not why (and whom it is for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ActionAvailabilityDto {
    pub available: bool,
    pub reason: Option<ClearanceReasonDto>,
    /// The person the reason names (drafter, approver, clearer whose turn it is).
    pub who: Option<String>,
}

/// The clearance actions as the backend judges them for this user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ClearanceActionsDto {
    pub submit: ActionAvailabilityDto,
    pub clear: ActionAvailabilityDto,
    pub reject: ActionAvailabilityDto,
    pub approve: ActionAvailabilityDto,
    pub release: ActionAvailabilityDto,
    pub withdraw: ActionAvailabilityDto,
}

/// A draft with everything the editor, the clearance panel and the history show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftDto {
    pub id: String,
    pub kind: KindDto,
    pub stage: StageDto,
    pub round: u32,
    pub fields: DraftFieldsDto,
    pub addressees: Vec<DraftAddresseeDto>,
    pub paragraphs: Vec<DraftParagraphDto>,
    pub conflicts: Vec<FieldConflictDto>,
    pub circuit: CircuitDto,
    pub clearers: Vec<ClearerDto>,
    pub waiting_for: Vec<String>,
    pub log: Vec<DraftLogDto>,
    pub versions: Vec<DraftVersionDto>,
    pub comments: Vec<DraftCommentDto>,
    pub release: Option<DraftReleaseDto>,
    pub heads: Vec<String>,
    pub updated_at: String,
    /// The change was kept here but could not be written to the exchange folder (why, in
    /// English); `None` when it was, or when no folder is set.
    pub publish_error: Option<String>,
    /// What this user may do in the circuit now, and why not.
    pub actions: ClearanceActionsDto,
    /// Whether this user may edit the draft (anyone before submission; its circuit after).
    pub may_edit: bool,
    /// Whether an edit now would reset clearances already given (warn first).
    pub edit_resets_clearances: bool,
    /// The language its text reliably shows, for the editor's `lang` (a draft declares none).
    pub language: Option<String>,
}

/// One edit, as the editor sends it. Positions and lengths count UTF-16 units (JavaScript's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum DraftEditDto {
    SetField {
        field: DraftFieldDto,
        value: String,
    },
    ResolveField {
        field: DraftFieldDto,
        value: String,
    },
    SpliceField {
        field: DraftFieldDto,
        pos: u32,
        delete: u32,
        insert: String,
    },
    SetList {
        field: DraftListDto,
        values: Vec<String>,
    },
    SetAddressees {
        addressees: Vec<DraftAddresseeDto>,
    },
    InsertParagraph {
        index: u32,
        marking: MarkingDto,
        text: String,
    },
    DeleteParagraph {
        index: u32,
    },
    MoveParagraph {
        from: u32,
        to: u32,
    },
    SpliceParagraph {
        index: u32,
        pos: u32,
        delete: u32,
        insert: String,
    },
    SetParagraphMarking {
        index: u32,
        marking: MarkingDto,
    },
}

/// A clearance step (release: `release_draft`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum DraftStepDto {
    Submit,
    Clear { comment: Option<String> },
    Reject { comment: String },
    Approve,
    Withdraw { reason: String },
}

/// What a release did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseOutcomeDto {
    pub item: String,
    pub number: String,
    /// No number was left on this device and the register could not be reached: the number
    /// is provisional, replaced at the next sync. Say so.
    pub provisional: bool,
    pub signature: String,
    pub draft: DraftDto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DiffTagDto {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DiffPartDto {
    pub tag: DiffTagDto,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FieldChangeDto {
    pub field: String,
    pub parts: Vec<DiffPartDto>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ParagraphChangeDto {
    Same,
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ParagraphDiffDto {
    pub id: String,
    pub change: ParagraphChangeDto,
    pub marking_before: String,
    pub marking_after: String,
    pub parts: Vec<DiffPartDto>,
}

/// The difference between two versions of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DraftDiffDto {
    pub from: String,
    pub to: String,
    pub fields: Vec<FieldChangeDto>,
    pub paragraphs: Vec<ParagraphDiffDto>,
}

/// A released record, checked: its signature is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedReleaseDto {
    pub item: String,
    pub number: String,
    pub provisional: bool,
    pub approver: String,
    pub approver_key: String,
    pub drafter: String,
    pub clearers: Vec<String>,
    pub released_at: String,
    pub signature: String,
    /// Who signed, as this profile knows them.
    pub seal: SealDto,
    /// The signer's identity key, its first 16 hex digits; `None` for a record signed
    /// before identities.
    pub signer_identity_short: Option<String>,
    /// The signing device's id (hex), when the record names it.
    pub signer_device: Option<String>,
    /// Its first 16 hex digits.
    pub signer_device_short: Option<String>,
}

/// Who signed a released text, as this profile knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SealDto {
    /// This person.
    Own,
    /// A contact, verified by safety number or not.
    Contact { name: String, verified: bool },
    /// An identity that is not a contact, or a record signed before identities.
    Unknown,
}

/// An acknowledgement of a released text ("accusé de réception": read and taken into
/// account), signed by the addressee's device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AcknowledgementDto {
    /// The name the addressee gave (a claim when nobody vouches for the key).
    pub name: String,
    /// The signer's identity key, its first 16 hex digits.
    pub identity_short: String,
    /// The signing device's id (hex), and its first 16 hex digits.
    pub device: String,
    pub device_short: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who signed, as this profile knows them.
    pub seal: SealDto,
}

/// The acknowledgements of an item, and whether this user is the one to acknowledge it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AcknowledgementsDto {
    /// The item is the released text of a draft: it can be acknowledged.
    pub released: bool,
    /// This user is an addressee for action of this released text: they acknowledge it.
    pub for_action: bool,
    /// When this user acknowledged it (RFC 3339), if they did.
    pub acknowledged_at: Option<String>,
    /// Every acknowledgement, in the order given.
    pub acknowledgements: Vec<AcknowledgementDto>,
    /// Why the acknowledgement could not be written to the exchange folder yet (it is kept,
    /// and written again later); `None` when written or when nothing was sent.
    pub publish_error: Option<String>,
}

/// The exchange folder joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct JoinExchangeDto {
    /// The folder had no key: it was set up with this passphrase (tell the others).
    pub created: bool,
    pub settings: SettingsDto,
}

// ---- Identity and contacts ----

/// A QR code as its modules: `width` rows of `width`, dark ones `true`, row by row. The page
/// draws them itself (no image, no markup from outside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct QrDto {
    pub width: u32,
    pub dark: Vec<bool>,
}

/// This person's identity and the card they give others (cards are public).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MyCardDto {
    pub name: String,
    pub org: String,
    pub role: String,
    pub email: Option<String>,
    /// The identity key, 64 hex digits.
    pub identity: String,
    /// Its first 16 hex digits.
    pub identity_short: String,
    /// This device's id, hex.
    pub device: String,
    /// The card as one line, `DIPLOMATIE:…`.
    pub card_line: String,
    pub qr: QrDto,
}

/// A key change waiting for verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyChangeDto {
    pub new_identity: String,
    pub new_identity_short: String,
    pub at: String,
}

/// An item filed by compose, and where it goes: the contacts it is delivered to at the next
/// sync, and the addressees it cannot reach, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ComposedDto {
    pub id: String,
    pub delivered_to: Vec<String>,
    pub not_delivered: Vec<NotDeliveredDto>,
}

/// What compose would file, for review before it is sent: who it is from as filed (the
/// profile's post or address when the form left it blank), the contacts it would be delivered
/// to and the addressees it could not reach, with why. Nothing is filed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ComposeReviewDto {
    pub sender: String,
    pub delivered_to: Vec<String>,
    pub not_delivered: Vec<NotDeliveredDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NotDeliveredDto {
    pub addressee: String,
    /// `no_contact`, `ambiguous`, `no_deposit_key` or `unit`: what the interface says.
    pub reason: String,
}

/// A contact. `identity` (64 hex digits) names it in the other contact commands: two
/// contacts may share a name, never a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContactDto {
    pub name: String,
    pub org: String,
    pub role: String,
    pub email: Option<String>,
    pub identity: String,
    pub identity_short: String,
    pub devices: u32,
    pub verified: bool,
    pub verified_at: Option<String>,
    pub key_change: Option<KeyChangeDto>,
}

/// What adding a card did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ContactAddedDto {
    /// A new contact, not verified yet.
    Added { contact: ContactDto },
    /// A newer card of a known identity replaced the older one.
    Updated { contact: ContactDto },
    /// This card, or a newer one of the same identity, is already known.
    Unchanged { contact: ContactDto },
    /// A known person under another identity key: set aside until verified.
    KeyChange { contact: ContactDto },
    /// A unit's card: the unit may now be addressed by name.
    UnitAdded { unit: UnitDto },
}

/// A unit this profile holds the card of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UnitDto {
    pub name: String,
    pub org: String,
    /// The member who gave the card, and whether they are a verified contact here.
    pub issuer: String,
    pub issuer_verified: bool,
}

/// The safety number to compare with a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SafetyNumberDto {
    pub contact: ContactDto,
    /// Twelve groups of five digits, separated by spaces.
    pub digits: String,
    /// Computed with the new key of a pending key change.
    pub for_new_key: bool,
}

// ---- Relay, sync and spaces ----

/// Where the sync with the relay stands, as the main window shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncStateDto {
    /// No relay joined: everything stays on this device.
    NotJoined,
    /// A relay is joined and no sync has ended since the profile was unlocked.
    Unknown,
    /// The last sync reached the relay.
    Online,
    /// The last sync could not reach the relay: the normal offline case, tried again later.
    Offline,
    /// The last sync reached the relay and failed (`error` says why).
    Error,
}

/// A long catch-up under way: envelopes of `space` taken so far, out of `total` when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgressDto {
    pub space: String,
    pub done: u32,
    pub total: Option<u32>,
}

/// The sync's status: whether the relay was reached, what waits to be sent, when the last
/// sync ended. Sent with every change as a `SyncStatusEvent`.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusDto {
    /// The relay joined, if any.
    pub relay: Option<String>,
    pub state: SyncStateDto,
    /// A sync is running.
    pub syncing: bool,
    /// Local writes (shared items and drafts) waiting to be sent.
    pub pending: u32,
    /// When the last sync that reached the relay ended (RFC 3339).
    pub last_sync: Option<String>,
    /// Why the last sync failed, when `state` is `error`.
    pub error: Option<crate::error::CommandError>,
    /// The catch-up under way, while `syncing`.
    pub progress: Option<SyncProgressDto>,
    /// Counts the syncs that brought spaces or members: the spaces screen reloads when it
    /// changes.
    pub spaces_revision: u32,
}

/// What a space is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SpaceKindDto {
    /// A person's own devices.
    Own,
    /// A unit: a post, a service.
    Unit,
    /// The members of a draft's circuit.
    Circuit,
    /// Any other group of people.
    Shared,
}

/// A space (an end-to-end encrypted group of devices). `id` (32 hex digits) names it in the
/// other space commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SpaceDto {
    pub id: String,
    pub name: String,
    pub kind: SpaceKindDto,
    /// Newcomers are handed the keys of the epochs before they joined.
    pub history_visible: bool,
    pub epoch: u32,
    pub devices: u32,
    /// RFC 3339.
    pub created_at: String,
    /// When this device was removed from the space (RFC 3339); `None` while it is a member. A
    /// space left keeps what it brought (readable here) and opens nothing new: it has no
    /// members to show, and takes no addition, removal or share.
    pub removed_at: Option<String>,
}

/// A device of a space, and whose it is as far as this profile knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SpaceMemberDto {
    /// The device's id (32 hex digits), and its first 16.
    pub device: String,
    pub device_short: String,
    /// This device.
    pub you: bool,
    /// The contact (or this person) whose card lists the device; `None`: a device none of
    /// this profile's contacts lists.
    pub name: Option<String>,
    pub org: Option<String>,
    /// Verified by safety number (always for this device).
    pub verified: bool,
}

/// A space with its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SpaceDetailDto {
    pub space: SpaceDto,
    pub members: Vec<SpaceMemberDto>,
}

/// The code a device shows to link a new one to this person: as a line to copy, as its short
/// part to read out, and as a QR code of the line. Valid once, for `valid_minutes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkCodeDto {
    /// The whole code, `DIPLOMATIE-LIEN:<relay>#<mailbox>-<password>`.
    pub line: String,
    /// The mailbox and the password, the part to read out.
    pub short: String,
    /// The relay's address (the rest of the code).
    pub relay: String,
    pub qr: QrDto,
    pub valid_minutes: u32,
}

/// The four words to compare on both devices, and the name of the new device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkWordsDto {
    pub words: Vec<String>,
    pub label: String,
}

/// A device linked, on the device that linked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkedDeviceDto {
    /// Its id, 32 hex digits.
    pub device: String,
    pub label: String,
    /// The spaces it was added to.
    pub spaces: u32,
    /// The items shared with it (its first sync brings them).
    pub items: u32,
}

/// The new device's first syncs done: the spaces it is in and the items it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkCaughtUpDto {
    pub spaces: u32,
    pub items: u32,
}

/// One of this person's devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DeviceDto {
    /// Its id (32 hex digits), and its first 8.
    pub device: String,
    pub device_short: String,
    /// What the person called it when it was linked (`None`: the first device, unnamed).
    pub label: Option<String>,
    pub this_device: bool,
    /// When it was certified (RFC 3339); `None` for a device revoked.
    pub certified: Option<String>,
    /// When the relay last saw it (RFC 3339), when the relay could be asked.
    pub last_seen: Option<String>,
    /// When it was revoked (RFC 3339).
    pub revoked: Option<String>,
}
