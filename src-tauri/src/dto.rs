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
