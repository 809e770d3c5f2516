//! The command line, as clap sees it.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use clap::{Args, Parser, Subcommand};
use diplomatie_client::{ExportFormat, KdfCost, Page, RouteFilter, SearchQuery, TriageFilter};
use diplomatie_domain::{ItemKind, Marking, Precedence};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time, UtcOffset};

use crate::usage::usage;

/// Diplomatie: diplomatic correspondence (telegrams, notes verbales, formal emails), offline
/// and encrypted.
///
/// The passphrase comes from DIPLOMATIE_PASSPHRASE or is asked without echo.
#[derive(Debug, Parser)]
#[command(name = "diplo", version, propagate_version = true)]
pub struct Cli {
    /// The profile directory (one encrypted store per profile); or DIPLOMATIE_PROFILE.
    #[arg(long, global = true, env = "DIPLOMATIE_PROFILE")]
    pub profile: Option<PathBuf>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The profile directory, which every command needs: refused before anything is opened or
    /// created when it (or a folder above it) is a file.
    pub fn profile_dir(&self) -> Result<&Path> {
        let dir = self
            .profile
            .as_deref()
            .ok_or_else(|| usage("no profile: give --profile DIR or set DIPLOMATIE_PROFILE"))?;
        let existing = dir
            .ancestors()
            .find(|p| !p.as_os_str().is_empty() && p.exists());
        if let Some(path) = existing.filter(|p| !p.is_dir()) {
            return Err(usage(format!(
                "{} is a file, not a profile folder: give a folder with --profile",
                path.display()
            )));
        }
        Ok(dir)
    }
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the encrypted store and this device's identity keys.
    Init(InitArgs),
    /// Write a telegram, a note verbale or a formal email.
    #[command(subcommand)]
    Compose(ComposeCommand),
    /// The triage view: for action first, then for information; by precedence and deadline.
    Inbox(InboxArgs),
    /// Show one item (full id or a unique prefix) and mark it read.
    Show(ShowArgs),
    /// Full-text search: words, "phrases", prefix*; accents and case do not matter. Newest
    /// first, by relevance within each block of 50,000 items: give --since/--until to look
    /// further back for a common word.
    Search(SearchArgs),
    /// Import .eml files; a result per file (imported, duplicate, or the error).
    ImportEml(ImportArgs),
    /// Export one item as JSON or as an RFC 5322 message.
    Export(ExportArgs),
    /// Change the passphrase (everything stored is kept). The new one may come from
    /// DIPLOMATIE_NEW_PASSPHRASE.
    Passwd,
    /// Fill the profile with realistic synthetic correspondence.
    Demo(DemoArgs),
    /// The local audit log: who did what to which item, when (read-only).
    Audit(AuditArgs),
    /// Check every page of the encrypted store (reads the whole file; writes nothing).
    Check,
    /// Collaborative drafts: write, exchange with other replicas, comment, submit.
    #[command(subcommand)]
    Draft(crate::drafting::DraftCommand),
    /// Clear a draft (a named clearer, in turn), with an optional comment.
    Clear(crate::drafting::ClearArgs),
    /// Reject a draft back to its drafter, saying what to change.
    Reject(crate::drafting::RejectArgs),
    /// Approve a draft (its approver).
    Approve { id: String },
    /// Release an approved draft: numbered, frozen and signed (its approver).
    Release(crate::drafting::ReleaseArgs),
    /// A draft's versions and clearance log, or the difference between two versions.
    History(crate::drafting::HistoryArgs),
    /// Check the signature of a released item or record file.
    Verify(crate::drafting::VerifyArgs),
    /// Drafts shared with the post's other replicas through a folder, sealed with its key.
    #[command(subcommand)]
    Exchange(crate::drafting::ExchangeCommand),
    /// This device's numbering blocks: refill while online, settle provisional numbers.
    #[command(subcommand)]
    Numbers(crate::drafting::NumbersCommand),
    /// Acknowledge a released text addressed to you for action ("lu et pris en compte"), signed by this device
    Ack { id: String },
    /// Who acknowledged a released text, and when
    Acks { id: String },
    /// Your identity: your card for others (one line to copy, last), your key and this device
    Identity(crate::contacts::IdentityArgs),
    /// The people you know: add a card, list them, compare safety numbers, verify
    #[command(subcommand)]
    Contact(crate::contacts::ContactCommand),
    /// Spaces (groups of devices, end-to-end encrypted): create, add a contact, list, show
    #[command(subcommand)]
    Space(crate::spaces::SpaceCommand),
    /// The relay spaces sync through: join one
    #[command(subcommand)]
    Relay(crate::spaces::RelayCommand),
    /// Sync with the relay, or a sync folder: send what waits, receive what is new (progress on stderr)
    Sync(crate::spaces::SyncArgs),
    /// Share items into a space: they go to every member at the next sync
    Share(crate::spaces::ShareArgs),
    /// Link a new device to your identity: shows a one-time code, waits for the new device,
    /// asks you to compare four words, then hands it everything (run on the device you have)
    LinkDevice(crate::devices::LinkDeviceArgs),
    /// Make this profile a new device of an identity, with the code the first device shows
    /// (run on the new machine; the profile is created)
    Link(crate::devices::LinkArgs),
    /// Your devices (name, last seen); revoke one
    Devices {
        #[command(subcommand)]
        command: Option<crate::devices::DevicesCommand>,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Your display name, as addressees write it.
    #[arg(long)]
    pub name: String,
    /// Your organisation unit (post or service), e.g. "DIPLOMATIE/DUE" or "BERLIN".
    #[arg(long)]
    pub org: String,
    /// Your email address: emails whose To names it are for action, Cc for information.
    #[arg(long)]
    pub email: Option<String>,
    /// Your role, shown on your card ("Première secrétaire", "Chef de poste"…).
    #[arg(long, default_value = "")]
    pub role: String,
    /// The Argon2id cost of the passphrase, `m=KIB,t=PASSES[,p=LANES]` (default: the
    /// recommended m=65536,t=3). Lower only for tests.
    #[arg(long, hide = true)]
    pub kdf_cost: Option<KdfCost>,
}

#[derive(Debug, Subcommand)]
pub enum ComposeCommand {
    /// A diplomatic telegram (TD).
    Telegram(TelegramArgs),
    /// A note verbale.
    Note(NoteArgs),
    /// A formal email.
    Email(EmailArgs),
}

/// Fields common to every kind.
#[derive(Debug, Args)]
pub struct CommonArgs {
    #[arg(long)]
    pub subject: String,
    /// The body from a file: paragraphs separated by blank lines; a paragraph that starts with
    /// "(DR)" or "(NP)" carries that portion mark.
    #[arg(long, conflicts_with = "body")]
    pub body_file: Option<PathBuf>,
    /// The body inline (same format as --body-file).
    #[arg(long)]
    pub body: Option<String>,
    /// Protection marking: np or dr (secret and tres-secret are refused).
    #[arg(long, default_value = "np")]
    pub marking: String,
    /// routine, prioritaire, immediat or flash. Flash is for telegrams and notes only, with
    /// --justification; an email cannot be Flash (use immediat, or send a telegram).
    #[arg(long, default_value = "routine")]
    pub precedence: String,
    /// Why a Flash is needed: telegrams and notes only (an email has no justification line).
    #[arg(long)]
    pub justification: Option<String>,
    /// When action is due: 2026-12-01 (the end of that day, UTC), 2026-12-01 18:00 (UTC) or
    /// 2026-12-01T18:00:00+01:00.
    #[arg(long)]
    pub deadline: Option<String>,
    /// The language the text is written in, as a BCP 47 tag (fr, en, de, es, ar...); detected
    /// from the text when not given, and left unknown when the text does not tell.
    #[arg(long)]
    pub lang: Option<String>,
}

/// Addressees: see `--action` for how a name is read as a unit or a person.
#[derive(Debug, Args)]
pub struct RoutingArgs {
    /// Action addressees: people's display names or units' names (comma-separated, may repeat).
    /// A name is a unit when its first word (after any "L'") is an organisation word (Ambassade,
    /// Consulat, Mission, Représentation, Délégation, Direction, Sous-direction, Service,
    /// Cabinet, Bureau, Département, Ministère, Secrétariat, Centre, Pôle, Division, Cellule,
    /// Protocole; any case, accents as written here), when it is written in capitals
    /// ("BERLIN", "DFAE") or when it contains '/' ("DIPLOMATIE/DUE"); otherwise it is a person
    /// ("Alice Lefèvre"). "unit:NAME" or "person:NAME" decides either way.
    #[arg(long, value_delimiter = ',')]
    pub action: Vec<String>,
    /// Information addressees, read as for --action (comma-separated, may repeat).
    #[arg(long, value_delimiter = ',')]
    pub info: Vec<String>,
    /// Thematic codes and ISO country codes (comma-separated, may repeat).
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TelegramArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub routing: RoutingArgs,
    /// Originating post or service (default: your organisation).
    #[arg(long)]
    pub origin: Option<String>,
    /// The number, as "POST YEAR-SERIAL" (e.g. "BERLIN 2026-0042"); usually given at release.
    #[arg(long)]
    pub number: Option<String>,
    /// Date-time group (default: now), in UTC: 2026-12-01T16:00:00Z or 2026-12-01 16:00. A time
    /// with an offset (2026-12-01T18:00:00+02:00) is converted to UTC (16:00Z).
    #[arg(long)]
    pub dtg: Option<String>,
    #[arg(long, default_value = "")]
    pub summary: String,
    /// References to earlier items (labels, comma-separated, may repeat).
    #[arg(long = "refs", value_delimiter = ',')]
    pub references: Vec<String>,
    /// Drafter (default: you).
    #[arg(long)]
    pub drafter: Option<String>,
    #[arg(long, value_delimiter = ',')]
    pub clearers: Vec<String>,
    #[arg(long)]
    pub approver: Option<String>,
    #[arg(long, value_delimiter = ',')]
    pub caveats: Vec<String>,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub routing: RoutingArgs,
    /// The receiving institution, e.g. "Ministère fédéral des Affaires étrangères".
    #[arg(long)]
    pub to_institution: String,
    /// The number, as "MISSION/YEAR/SERIAL" (e.g. "BERLIN/2026/0042", as `show` prints it);
    /// usually given at release.
    #[arg(long)]
    pub number: Option<String>,
    /// The sending mission (default: your organisation).
    #[arg(long)]
    pub mission: Option<String>,
    /// Opening formula (default: the customary one).
    #[arg(long)]
    pub opening: Option<String>,
    /// Complimentary close (default: the customary one).
    #[arg(long)]
    pub closing: Option<String>,
    #[arg(long)]
    pub place: String,
    /// Date of the note (default: today), e.g. 2026-12-01.
    #[arg(long)]
    pub date: Option<String>,
    /// The note this one answers (its label).
    #[arg(long)]
    pub answers: Option<String>,
}

#[derive(Debug, Args)]
pub struct EmailArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Sender (default: your address).
    #[arg(long)]
    pub from: Option<String>,
    /// Recipients for action: addr@host or "Name <addr@host>" (comma-separated, may repeat).
    #[arg(long, value_delimiter = ',')]
    pub to: Vec<String>,
    /// Recipients for information, written as for --to.
    #[arg(long, value_delimiter = ',')]
    pub cc: Vec<String>,
    /// The Date header (default: now): 2026-12-01T18:00:00+01:00 (RFC 3339) or
    /// 2026-12-01 18:00 (UTC).
    #[arg(long)]
    pub date: Option<String>,
    /// The Message-ID, as id@host (default: one is made from the sender's domain).
    #[arg(long)]
    pub message_id: Option<String>,
    /// Message-IDs this email replies to (In-Reply-To; comma-separated, may repeat).
    #[arg(long, value_delimiter = ',')]
    pub in_reply_to: Vec<String>,
    /// Message-IDs of the thread, oldest first (References; comma-separated, may repeat).
    #[arg(long, value_delimiter = ',')]
    pub references: Vec<String>,
    /// A file to attach (may repeat); its content type comes from its extension.
    #[arg(long = "attach", value_name = "FILE")]
    pub attachments: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// action, info or unrouted.
    #[arg(long)]
    pub route: Option<String>,
    /// telegram, note or email (comma-separated, may repeat).
    #[arg(long, value_delimiter = ',')]
    pub kind: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub marking: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub precedence: Vec<String>,
    /// Originating post or sender.
    #[arg(long)]
    pub origin: Option<String>,
    #[arg(long)]
    pub tag: Option<String>,
    #[arg(long)]
    pub unread: bool,
}

impl FilterArgs {
    pub fn to_filter(&self) -> Result<TriageFilter> {
        let route = match self.route.as_deref() {
            None => None,
            Some(r) => Some(match r.to_ascii_lowercase().as_str() {
                "action" => RouteFilter::Action,
                "info" => RouteFilter::Info,
                "unrouted" | "none" => RouteFilter::Unrouted,
                other => {
                    return Err(anyhow!(
                        "unknown route '{other}': use action, info or unrouted"
                    ));
                }
            }),
        };
        Ok(TriageFilter {
            route,
            kinds: self
                .kind
                .iter()
                .map(|k| ItemKind::from_code(k))
                .collect::<Result<_, _>>()?,
            markings: self
                .marking
                .iter()
                .map(|m| m.parse::<Marking>())
                .collect::<Result<_, _>>()?,
            precedences: self
                .precedence
                .iter()
                .map(|p| p.parse::<Precedence>())
                .collect::<Result<_, _>>()?,
            origin: self.origin.clone(),
            tag: self.tag.clone(),
            unread_only: self.unread,
        })
    }
}

#[derive(Debug, Args)]
pub struct PageArgs {
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
}

impl PageArgs {
    pub fn to_page(&self) -> Page {
        Page {
            offset: self.offset,
            limit: self.limit,
        }
    }
}

#[derive(Debug, Args)]
pub struct InboxArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub id: String,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    pub query: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Written on or after this date.
    #[arg(long)]
    pub since: Option<String>,
    /// Written on or before this date.
    #[arg(long)]
    pub until: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}

impl SearchArgs {
    pub fn to_query(&self) -> Result<SearchQuery> {
        let date = |s: &Option<String>, end: bool| -> Result<Option<OffsetDateTime>> {
            s.as_deref().map(|d| parse_date(d, end)).transpose()
        };
        Ok(SearchQuery {
            text: self.query.clone(),
            filter: self.filter.to_filter()?,
            from: date(&self.since, false)?,
            to: date(&self.until, true)?,
            page: self.page.to_page(),
            prefix_last_word: false,
        })
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub id: String,
    #[arg(long, default_value = "json")]
    pub format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = 1000)]
    pub items: u64,
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only the entries about this item.
    #[arg(long)]
    pub item: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::ffi::OsString;

    use clap::{CommandFactory, Parser};

    use super::*;
    use crate::usage::clap_message;

    fn message(args: &[&str]) -> String {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let err = Cli::try_parse_from(&args).unwrap_err();
        clap_message(&err, Cli::command(), &args)
    }

    #[test]
    fn the_help_named_is_the_subcommand_given_skipping_flag_values() {
        assert_eq!(
            message(&["diplo", "--profile", "draft", "inbox", "--bogus"]),
            "unexpected argument '--bogus': see `diplo inbox --help`"
        );
        assert_eq!(
            message(&["diplo", "compose", "telegram"]),
            "missing '--subject <SUBJECT>': see `diplo compose telegram --help`"
        );
        assert_eq!(
            message(&["diplo", "compose"]),
            "a command is missing: see `diplo compose --help`"
        );
    }

    #[test]
    fn suggestions_are_kept_on_the_same_line() {
        let m = message(&["diplo", "inbox", "--jsno"]);
        assert!(m.contains("did you mean '--json'?"), "{m}");
        let m = message(&["diplo", "inbx"]);
        assert!(m.contains("'inbox'"), "{m}");
    }
}
