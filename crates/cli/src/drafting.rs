//! Collaborative drafts from the command line: `diplo draft …` (write, exchange, comment) and
//! the clearance chain `diplo clear | reject | approve | release | history | verify`.

use std::ops::ControlFlow;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use diplomatie_client::drafting::{
    DiffTag, DraftDiff, DraftEdit, DraftReceived, DraftState, FieldName, ListField,
    ParagraphChange, Seal, VersionRef, verify_release,
};
use diplomatie_client::numbering::FileAuthority;
use diplomatie_client::schedule::{Intervals, MERGE_EVERY, Places, Stop, Tick, Worker, run};
use diplomatie_client::{KdfCost, Profile};
use diplomatie_domain::{Addressee, ItemKind, Marking, Route, Step};
use serde_json::json;

use crate::output::{print, print_json};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Telegram,
    Note,
    Email,
}

impl From<KindArg> for ItemKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Telegram => ItemKind::Telegram,
            KindArg::Note => ItemKind::DiplomaticNote,
            KindArg::Email => ItemKind::FormalEmail,
        }
    }
}

/// `diplo draft …`
#[derive(Debug, Clone, Subcommand)]
pub enum DraftCommand {
    /// Start a draft (you are its drafter); fields may be given at once.
    New(NewArgs),
    /// Every draft, the most recently changed first.
    List,
    /// Correct a released text: a new draft prefilled from it, referencing it.
    Correct {
        /// The released item (full id or a unique prefix).
        item: String,
    },
    /// A draft: fields, paragraphs, circuit and where it stands.
    Show { id: String },
    /// Share a draft into a space: its members co-draft and clear it through the relay
    Share {
        id: String,
        /// The space's name, or the first digits of its id
        space: String,
    },
    /// Set a field: subject, origin, approver, marking, precedence, clearance_order, …
    Set {
        id: String,
        field: String,
        value: String,
    },
    /// Add a paragraph (at the end, or before paragraph --at N, counting from 1).
    Add {
        id: String,
        text: String,
        #[arg(long)]
        at: Option<usize>,
        #[arg(long, default_value = "NP")]
        marking: String,
    },
    /// Apply edits written as JSON (a list of {"op": …}; see the drafting service).
    Edit {
        id: String,
        /// The JSON file ("-" for standard input).
        #[arg(long)]
        edits: PathBuf,
    },
    /// Send the draft into clearance (the drafter only).
    Submit { id: String },
    /// Withdraw the draft (the drafter or the approver), with a reason.
    Withdraw {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Name the current version (it appears in the history).
    Version { id: String, label: String },
    /// Comment on characters FROM..TO of paragraph N (counting from 1).
    Comment {
        id: String,
        #[arg(long)]
        paragraph: usize,
        #[arg(long)]
        from: usize,
        #[arg(long)]
        to: usize,
        text: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    #[arg(long, value_enum)]
    pub kind: KindArg,
    #[arg(long)]
    pub subject: Option<String>,
    /// A telegram's originating post (its numbering series).
    #[arg(long)]
    pub origin: Option<String>,
    /// A note's sending mission (its numbering series).
    #[arg(long)]
    pub mission: Option<String>,
    #[arg(long)]
    pub approver: Option<String>,
    /// A clearer, in clearance order (repeat the flag).
    #[arg(long = "clearer")]
    pub clearers: Vec<String>,
    /// Clearers act in any order.
    #[arg(long)]
    pub parallel: bool,
    /// An addressee for action (repeat the flag): a unit or a person, read as for
    /// `diplo compose telegram --action` ("unit:NAME" or "person:NAME" decides either way).
    #[arg(long = "action")]
    pub action: Vec<String>,
    /// An addressee for information (repeat the flag), read as for --action.
    #[arg(long = "info")]
    pub info: Vec<String>,
    /// A paragraph (repeat the flag), not protected.
    #[arg(long = "paragraph")]
    pub paragraphs: Vec<String>,
}

/// `diplo clear ID`
#[derive(Debug, Clone, Args)]
pub struct ClearArgs {
    pub id: String,
    #[arg(long)]
    pub comment: Option<String>,
}

/// `diplo reject ID --comment …`
#[derive(Debug, Clone, Args)]
pub struct RejectArgs {
    pub id: String,
    /// What to change (required).
    #[arg(long)]
    pub comment: String,
}

/// `diplo release ID`
#[derive(Debug, Clone, Args)]
pub struct ReleaseArgs {
    pub id: String,
    /// The numbering register shared by the post (a file); without it, or when it cannot be
    /// reached, numbers come from this device's blocks, provisional when none is left.
    #[arg(long, env = "DIPLOMATIE_NUMBER_REGISTER")]
    pub register: Option<PathBuf>,
}

/// `diplo history ID [--diff A B]`
#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    pub id: String,
    /// Show what changed between two versions (numbers from the history, or "current").
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
    pub diff: Option<Vec<String>>,
    /// Show what changed since you cleared it (when an edit reset your clearance).
    #[arg(long, conflicts_with = "diff")]
    pub since_my_clearance: bool,
}

/// `diplo verify ITEM` or `diplo verify --file RECORD`
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// A released item of this profile (full id or a unique prefix).
    pub item: Option<String>,
    /// A released record file, checked without a profile.
    #[arg(long, conflicts_with = "item")]
    pub file: Option<PathBuf>,
}

fn field_name(name: &str) -> Result<FieldName> {
    FieldName::ALL
        .into_iter()
        .find(|f| f.key() == name.trim())
        .with_context(|| {
            let names: Vec<_> = FieldName::ALL.iter().map(|f| f.key()).collect();
            format!("no field '{name}': use one of {}", names.join(", "))
        })
}

fn index(n: usize, what: &str) -> Result<usize> {
    n.checked_sub(1)
        .with_context(|| format!("{what} counts from 1"))
}

pub fn run_draft(profile: &Profile, command: DraftCommand, as_json: bool) -> Result<()> {
    let state = match command {
        DraftCommand::New(a) => {
            let state = profile.create_draft(a.kind.into())?;
            let mut edits = Vec::new();
            let mut set = |field: FieldName, value: Option<String>| {
                if let Some(value) = value {
                    edits.push(DraftEdit::SetField { field, value });
                }
            };
            set(FieldName::Subject, a.subject);
            set(FieldName::Origin, a.origin);
            set(FieldName::SendingMission, a.mission);
            set(FieldName::Approver, a.approver);
            if a.parallel {
                set(FieldName::ClearanceOrder, Some("parallel".into()));
            }
            if !a.clearers.is_empty() {
                edits.push(DraftEdit::SetList {
                    field: ListField::Clearers,
                    values: a.clearers,
                });
            }
            let routed = |names: &[String], route: Route| {
                names
                    .iter()
                    .filter_map(|n| Addressee::classify(n))
                    .map(move |a| (a, route))
                    .collect::<Vec<_>>()
            };
            let addressees: Vec<(Addressee, Route)> = routed(&a.action, Route::Action)
                .into_iter()
                .chain(routed(&a.info, Route::Info))
                .collect();
            if !addressees.is_empty() {
                edits.push(DraftEdit::SetAddressees { addressees });
            }
            for (i, text) in a.paragraphs.into_iter().enumerate() {
                edits.push(DraftEdit::InsertParagraph {
                    index: i,
                    marking: Marking::NonProtege,
                    text,
                });
            }
            if edits.is_empty() {
                state
            } else {
                profile.edit_draft(&state.id, &edits)?
            }
        }
        DraftCommand::List => {
            let drafts = profile.drafts()?;
            if as_json {
                return print_json(&drafts);
            }
            let mut text = String::new();
            for d in &drafts {
                text.push_str(&format!(
                    "{}  {:<9} {:<18} {}  {}\n",
                    d.id,
                    d.kind.code(),
                    d.stage.code(),
                    d.subject,
                    if d.waiting_for.is_empty() {
                        String::new()
                    } else {
                        format!("→ {}", d.waiting_for.join(", "))
                    }
                ));
            }
            if drafts.is_empty() {
                text.push_str("Aucun projet / No drafts\n");
            }
            return print(&text);
        }
        DraftCommand::Show { id } => profile.draft(&id)?,
        DraftCommand::Correct { item } => profile.correct_release(&item)?,
        DraftCommand::Set { id, field, value } => {
            let field = field_name(&field)?;
            profile.edit_draft(&id, &[DraftEdit::SetField { field, value }])?
        }
        DraftCommand::Add {
            id,
            text,
            at,
            marking,
        } => {
            let current = profile.draft(&id)?;
            let at = match at {
                Some(n) => index(n, "--at")?,
                None => current.view.paragraphs.len(),
            };
            let marking: Marking = marking.parse()?;
            profile.edit_draft(
                &id,
                &[DraftEdit::InsertParagraph {
                    index: at,
                    marking,
                    text,
                }],
            )?
        }
        DraftCommand::Edit { id, edits } => {
            let raw = if edits.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("cannot read standard input")?
            } else {
                std::fs::read_to_string(&edits)
                    .with_context(|| format!("cannot read {}", edits.display()))?
            };
            let edits: Vec<DraftEdit> = serde_json::from_str(&raw)
                .context("the edits are not a JSON list of {\"op\": …} objects")?;
            profile.edit_draft(&id, &edits)?
        }
        DraftCommand::Submit { id } => profile.draft_step(&id, Step::Submit)?,
        DraftCommand::Share { id, space } => {
            profile.share_draft(&id, &space)?;
            profile.draft(&id)?
        }
        DraftCommand::Withdraw { id, reason } => {
            profile.draft_step(&id, Step::Withdraw { reason })?
        }
        DraftCommand::Version { id, label } => profile.name_draft_version(&id, &label)?,
        DraftCommand::Comment {
            id,
            paragraph,
            from,
            to,
            text,
        } => {
            let current = profile.draft(&id)?;
            let p = current
                .view
                .paragraphs
                .get(index(paragraph, "--paragraph")?)
                .with_context(|| {
                    format!(
                        "there is no paragraph {paragraph}: the draft has {}",
                        current.view.paragraphs.len()
                    )
                })?;
            profile.comment_draft(&id, &p.id, from, to, &text)?
        }
    };
    show(&state, as_json)
}

fn show(state: &DraftState, as_json: bool) -> Result<()> {
    if as_json {
        return print_json(state);
    }
    let v = &state.view;
    let mut text = format!(
        "{}  {}  {}\n{}\n",
        state.id,
        state.kind.code(),
        state.stage.code(),
        v.fields.subject
    );
    text.push_str(&format!(
        "Rédacteur / drafter: {}  Approbateur / approver: {}\n",
        state.circuit.drafter, state.circuit.approver
    ));
    for c in &state.clearers {
        text.push_str(&format!("  visa / clearance {}: {}", c.name, c.verdict));
        if let Some(comment) = &c.comment {
            text.push_str(&format!(" — {comment}"));
        }
        if c.cleared_before.is_some() {
            text.push_str(" (à revoir / to review again)");
        }
        text.push('\n');
    }
    if !state.waiting_for.is_empty() {
        text.push_str(&format!(
            "En attente de / waiting for: {}\n",
            state.waiting_for.join(", ")
        ));
    }
    for (i, p) in v.paragraphs.iter().enumerate() {
        text.push_str(&format!("{}. ({}) {}\n", i + 1, p.marking, p.text));
    }
    for c in &state.comments {
        text.push_str(&format!("  [{}] « {} » {}\n", c.author, c.quote, c.text));
    }
    for c in &v.conflicts {
        text.push_str(&format!(
            "  conflit / conflict on {}: {}\n",
            c.field,
            c.values.join(" | ")
        ));
    }
    if let Some(r) = &state.release {
        text.push_str(&format!(
            "Publié / released: {} {}\n",
            r.number,
            if r.provisional {
                "(provisoire / provisional)"
            } else {
                ""
            }
        ));
    }
    print(&text)
}

pub fn clear(profile: &Profile, a: ClearArgs, as_json: bool) -> Result<()> {
    show(
        &profile.draft_step(&a.id, Step::Clear { comment: a.comment })?,
        as_json,
    )
}

pub fn reject(profile: &Profile, a: RejectArgs, as_json: bool) -> Result<()> {
    show(
        &profile.draft_step(&a.id, Step::Reject { comment: a.comment })?,
        as_json,
    )
}

pub fn approve(profile: &Profile, id: &str, as_json: bool) -> Result<()> {
    show(&profile.draft_step(id, Step::Approve)?, as_json)
}

pub fn release(profile: &Profile, a: ReleaseArgs, as_json: bool) -> Result<()> {
    let mut register = a.register.as_deref().map(FileAuthority::new);
    let outcome = profile.release_draft(
        &a.id,
        register
            .as_mut()
            .map(|r| r as &mut dyn diplomatie_client::numbering::NumberAuthority),
    )?;
    if as_json {
        return print_json(&outcome);
    }
    let mut text = format!("Publié / Released: {} {}\n", outcome.item, outcome.number);
    if outcome.provisional {
        text.push_str(
            "Numéro provisoire : il sera remplacé à la prochaine synchronisation. / \
             Provisional number: it is replaced at the next sync.\n",
        );
    }
    print(&text)
}

fn diff_text(diff: &DraftDiff) -> String {
    let mut text = format!("{} → {}\n", diff.from, diff.to);
    let parts = |parts: &[diplomatie_client::drafting::DiffPart]| {
        parts
            .iter()
            .map(|p| match p.tag {
                DiffTag::Same => p.text.clone(),
                DiffTag::Added => format!("[+{}+]", p.text),
                DiffTag::Removed => format!("[-{}-]", p.text),
            })
            .collect::<String>()
    };
    for f in &diff.fields {
        text.push_str(&format!("{}: {}\n", f.field, parts(&f.parts)));
    }
    for p in &diff.paragraphs {
        let mark = match p.change {
            ParagraphChange::Same => continue,
            ParagraphChange::Added => "+",
            ParagraphChange::Removed => "-",
            ParagraphChange::Changed => "~",
        };
        text.push_str(&format!("{mark} {}\n", parts(&p.parts)));
    }
    if diff.is_empty() {
        text.push_str("Aucune différence / No difference\n");
    }
    text
}

pub fn history(profile: &Profile, a: HistoryArgs, as_json: bool) -> Result<()> {
    if a.since_my_clearance {
        let state = profile.draft(&a.id)?;
        let me = &profile.identity().name;
        let heads = state
            .clearers
            .iter()
            .find(|c| &c.name == me)
            .and_then(|c| c.cleared_before.clone())
            .with_context(|| {
                format!("{me} has no clearance of this draft that an edit reset: nothing to review again")
            })?;
        let diff = profile.draft_changes_since(&a.id, &heads)?;
        if as_json {
            return print_json(&diff);
        }
        return print(&diff_text(&diff));
    }
    if let Some(pair) = a.diff {
        let [from, to] = pair.as_slice() else {
            bail!("--diff takes two versions");
        };
        let diff = profile.draft_diff(&a.id, &from.parse::<VersionRef>()?, &to.parse()?)?;
        if as_json {
            return print_json(&diff);
        }
        return print(&diff_text(&diff));
    }
    let state = profile.draft(&a.id)?;
    if as_json {
        return print_json(&json!({"versions": state.versions, "log": state.log}));
    }
    let mut text = String::new();
    for v in &state.versions {
        text.push_str(&format!("v{}  {}  {}  {}\n", v.number, v.at, v.by, v.label));
    }
    text.push('\n');
    for l in &state.log {
        text.push_str(&format!("{}  {:<10} {}", l.at, l.step, l.actor));
        if let Some(why) = &l.refused {
            text.push_str(&format!("  (refusé / refused: {why})"));
        }
        if !l.reset.is_empty() {
            text.push_str(&format!(
                "  visas remis à zéro / clearances reset: {}",
                l.reset.join(", ")
            ));
        }
        text.push('\n');
    }
    print(&text)
}

pub fn verify(profile: Option<&Profile>, a: VerifyArgs, as_json: bool) -> Result<()> {
    let verified = match (&a.file, &a.item, profile) {
        (Some(file), _, _) => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            verify_release(&bytes)?
        }
        (None, Some(item), Some(profile)) => {
            profile.verify_release_of(item)?.with_context(|| {
                format!(
                    "item {item} has no released record here: it was not released through a draft"
                )
            })?
        }
        _ => bail!("name a released item, or give --file RECORD"),
    };
    if as_json {
        return print_json(&verified);
    }
    let short = |hex: &Option<String>| {
        hex.as_deref()
            .map(|h| h.get(..16).unwrap_or(h).to_owned())
            .unwrap_or_else(|| "—".into())
    };
    let who = match &verified.seal {
        Seal::Own => "signée par vous / signed by you".to_owned(),
        Seal::Contact {
            name,
            verified: true,
        } => format!("{name}, contact vérifié / verified contact"),
        Seal::Contact { name, .. } => format!(
            "{name}, contact non vérifié / unverified contact (diplo contact safety-number \"{name}\")"
        ),
        Seal::Unknown => format!(
            "SIGNÉE PAR UNE CLÉ INCONNUE / SIGNED BY AN UNKNOWN KEY {}",
            short(&verified.signer_identity)
        ),
    };
    print(&format!(
        "Signature valide / Valid signature: {} {} — {who}\nApprouvé par / approved by {} · clé d'identité / identity key {} · appareil / device {}\n",
        verified.item,
        verified.number,
        verified.approver,
        short(&verified.signer_identity),
        short(&verified.signer_device),
    ))
}

/// `diplo numbers …`: this device's numbering blocks.
#[derive(Debug, Clone, Subcommand)]
pub enum NumbersCommand {
    /// While online: take a block of numbers for a post or mission for this year, so that
    /// releases made offline later get final numbers.
    Refill {
        /// The post (telegrams) or mission (notes verbales).
        #[arg(long)]
        scope: String,
        #[arg(long, env = "DIPLOMATIE_NUMBER_REGISTER")]
        register: PathBuf,
    },
    /// At the next sync: give the texts released here with a provisional number their final
    /// number.
    Settle {
        #[arg(long, env = "DIPLOMATIE_NUMBER_REGISTER")]
        register: PathBuf,
    },
}

pub fn numbers(profile: &Profile, command: NumbersCommand, as_json: bool) -> Result<()> {
    match command {
        NumbersCommand::Refill { scope, register } => {
            let year = time::OffsetDateTime::now_utc().year();
            let series = diplomatie_client::numbering::Series::new(&scope, year);
            let left = profile.refill_numbers(&mut FileAuthority::new(&register), &series)?;
            if as_json {
                return print_json(&json!({"series": series, "remaining": left}));
            }
            print(&format!(
                "{} {year}: {left} numéros disponibles sur cet appareil / numbers available on this device\n",
                series.scope
            ))
        }
        NumbersCommand::Settle { register } => {
            let done = profile.settle_numbers(&mut FileAuthority::new(&register))?;
            if as_json {
                return print_json(&done);
            }
            let mut text = String::new();
            for r in &done {
                text.push_str(&format!("{}  {} → {}\n", r.item, r.provisional, r.number));
            }
            if done.is_empty() {
                text.push_str("Aucun numéro provisoire / No provisional number\n");
            }
            print(&text)
        }
    }
}

/// `diplo exchange …`: drafts shared with the post's other replicas through a folder, sealed
/// with the folder's key.
#[derive(Debug, Clone, Subcommand)]
pub enum ExchangeCommand {
    /// Join the folder with the passphrase its members share (or set it up with a new one);
    /// it becomes this profile's exchange folder. The passphrase comes from
    /// DIPLOMATIE_EXCHANGE_PASSPHRASE or is asked without echo.
    Join {
        dir: PathBuf,
        /// The Argon2id cost when setting up a new folder, `m=KIB,t=PASSES[,p=LANES]`
        /// (default: the recommended m=65536,t=3).
        #[arg(long)]
        kdf_cost: Option<KdfCost>,
    },
    /// Write this replica's copy of a draft to the folder.
    Publish {
        id: String,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Move the folder into a space: its drafts are read once more, shared into SPACE (they
    /// travel through the relay or a sync folder from then on) and the folder is left
    Migrate {
        /// The space's name, or the first digits of its id
        space: String,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Merge the other replicas' copies that changed. With --watch, keep going until
    /// interrupted, on the app's schedule: merge every second, offer provisional numbers to
    /// the numbering register every 30 seconds, write the copies still to be written.
    Collect {
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long)]
        watch: bool,
    },
}

fn exchange_dir(profile: &Profile, dir: Option<PathBuf>) -> Result<PathBuf> {
    match dir {
        Some(d) => Ok(d),
        None => {
            profile.settings()?.exchange_dir.map(PathBuf::from).context(
                "no exchange folder: join one with `diplo exchange join DIR`, or give --dir",
            )
        }
    }
}

pub fn exchange(profile: &Profile, command: ExchangeCommand, as_json: bool) -> Result<()> {
    match command {
        ExchangeCommand::Join { dir, kdf_cost } => {
            let passphrase = crate::secret::exchange_passphrase()?;
            let created = profile.join_exchange(&dir, &passphrase, kdf_cost)?;
            let mut settings = profile.settings()?;
            settings.exchange_dir = Some(dir.to_string_lossy().into_owned());
            profile.save_settings(&settings)?;
            crate::output::message(
                if created {
                    "Dossier d'échange créé et rejoint / Exchange folder set up and joined"
                } else {
                    "Dossier d'échange rejoint / Exchange folder joined"
                },
                as_json,
            )
        }
        ExchangeCommand::Publish { id, dir } => {
            let path = profile.publish_draft(&exchange_dir(profile, dir)?, &id)?;
            crate::output::message(
                &format!("Projet publié / Draft published: {}", path.display()),
                as_json,
            )
        }
        ExchangeCommand::Migrate { space, dir } => {
            let moved = profile.migrate_exchange(&exchange_dir(profile, dir)?, &space)?;
            if as_json {
                return print_json(&moved);
            }
            let mut text = format!(
                "{} projet(s) partagé(s) dans l'espace, dossier d'échange quitté / draft(s) shared into the space, exchange folder left\n",
                moved.drafts.len()
            );
            for e in &moved.errors {
                text.push_str(&format!("  {}: {}\n", e.file, e.error));
            }
            crate::output::print(&text)
        }
        ExchangeCommand::Collect { dir, watch: true } => watch(profile, dir, as_json),
        ExchangeCommand::Collect { dir, watch: false } => {
            let report = profile.collect_drafts(&exchange_dir(profile, dir)?)?;
            if as_json {
                return print_json(&report);
            }
            let mut text = String::new();
            for r in &report.received {
                text.push_str(&received_line(r));
            }
            for e in &report.errors {
                text.push_str(&format!("{}: {}\n", e.file, e.error));
            }
            if report.received.is_empty() && report.errors.is_empty() {
                text.push_str("Rien de nouveau / Nothing new\n");
            }
            print(&text)
        }
    }
}

/// `diplo exchange collect --watch`: the client's schedule on this thread, one line per thing
/// that happened (one JSON object per tick that did something, with --json), until the
/// process is interrupted.
fn watch(profile: &Profile, dir: Option<PathBuf>, as_json: bool) -> Result<()> {
    let worker = Worker::new(Intervals::default());
    let stop = Stop::default();
    let mut failure = None;
    eprintln!(
        "Surveillance du dossier d'échange (Ctrl+C pour arrêter) / Watching the exchange folder (Ctrl+C to stop)"
    );
    run(MERGE_EVERY, &stop, |now| {
        // Read at each tick, so that a folder joined or a register set meanwhile counts.
        let mut places = match profile.settings() {
            Ok(settings) => Places::from(&settings),
            Err(e) => {
                failure = Some(e);
                return ControlFlow::Break(());
            }
        };
        if let Some(d) = &dir {
            places.exchange = Some(d.clone());
        }
        let tick = worker.tick(profile, &places, now);
        if tick.is_empty() {
            return ControlFlow::Continue(());
        }
        let printed = if as_json {
            // One object per line, for a program reading the stream.
            serde_json::to_string(&tick)
                .map_err(anyhow::Error::from)
                .and_then(|line| print(&format!("{line}\n")))
        } else {
            print(&tick_text(&tick))
        };
        if printed.is_err() {
            // Standard output is gone (a closed pipe): nobody is watching any more.
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    match failure {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// One tick in lines of text: ids and counts, never a subject.
fn tick_text(tick: &Tick) -> String {
    let mut text = String::new();
    for r in &tick.received {
        text.push_str(&received_line(r));
    }
    for r in &tick.renumbered {
        text.push_str(&format!(
            "{} numéro définitif / final number: {}\n",
            r.item, r.number
        ));
    }
    for id in &tick.published {
        text.push_str(&format!("{id} copie écrite / copy written\n"));
    }
    for p in &tick.problems {
        text.push_str(&format!("{p}\n"));
    }
    text
}

/// What a draft that arrived brought, in one line: its id, counts and state, never a subject.
fn received_line(r: &DraftReceived) -> String {
    format!(
        "{} {} / {}: {} nouvelle(s) étape(s) / new step(s){}{}\n",
        r.id,
        if r.created { "reçu" } else { "fusionné" },
        if r.created { "received" } else { "merged" },
        r.new_steps.len(),
        if r.now_my_turn {
            " — à vous d'agir / your turn"
        } else {
            ""
        },
        r.released
            .map(|i| format!(" — publié / released: {i}"))
            .unwrap_or_default()
    )
}
