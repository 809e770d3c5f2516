//! `diplo`: the command-line client, for scripting and headless use. Each command parses its
//! flags, calls one service of `diplomatie-client`, and prints the result (text or `--json`).

mod args;
mod compose;
mod drafting;
mod output;
mod secret;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use diplomatie_client::eml::EmlLimits;
use diplomatie_client::{ClientError, InitOptions, Page, Profile};

use args::{Cli, Command};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DIPLOMATIE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = exit_code(&err);
            // One line: the outermost context, then the cause.
            let message = err
                .chain()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(": ");
            let _ = writeln!(std::io::stderr(), "diplo: error: {message}");
            ExitCode::from(code)
        }
    }
}

/// 3: wrong passphrase, 4: damaged store, 5: no profile, 1: anything else (2 is clap's usage).
fn exit_code(err: &anyhow::Error) -> u8 {
    use diplomatie_client::StoreError;
    match err.downcast_ref::<ClientError>() {
        Some(ClientError::Store(StoreError::WrongPassphrase)) => 3,
        Some(ClientError::Store(StoreError::Damaged(_))) => 4,
        Some(ClientError::Store(StoreError::NoProfile(_))) => 5,
        _ => 1,
    }
}

fn open(cli: &Cli) -> Result<Profile> {
    let passphrase = secret::passphrase("Phrase de passe / Passphrase: ")?;
    Ok(Profile::open(cli.profile_dir()?, &passphrase)?)
}

fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Init(a) => {
            let passphrase = secret::new_passphrase()?;
            let profile = Profile::init(
                cli.profile_dir()?,
                &passphrase,
                InitOptions {
                    name: a.name.clone(),
                    org: a.org.clone(),
                    email: a.email.clone(),
                    kdf_iterations: a.kdf_iterations,
                },
            )?;
            output::identity(profile.identity(), cli.json)
        }
        Command::Compose(c) => {
            let profile = open(&cli)?;
            let compose = compose::build(c, &profile)?;
            let id = profile.compose(compose)?;
            output::id(id, cli.json)
        }
        Command::Inbox(a) => {
            let profile = open(&cli)?;
            let inbox = profile.inbox(&a.filter.to_filter()?, a.page.to_page())?;
            output::inbox(&inbox, cli.json)
        }
        Command::Show(a) => {
            let profile = open(&cli)?;
            let stored = profile.show(&a.id)?;
            let thread = profile.thread_of(stored.item.id)?;
            output::item(&stored, &thread, cli.json)
        }
        Command::Search(a) => {
            let profile = open(&cli)?;
            let hits = profile.search(&a.to_query()?)?;
            output::hits(&hits, cli.json)
        }
        Command::ImportEml(a) => {
            let profile = open(&cli)?;
            let json = cli.json;
            let reports =
                profile.import_eml_files(&a.files, &EmlLimits::default(), &mut |done, total| {
                    if !json {
                        let _ = write!(std::io::stderr(), "\r{done}/{total}");
                    }
                });
            if !json && !a.files.is_empty() {
                let _ = writeln!(std::io::stderr());
            }
            output::import(&reports, json)
        }
        Command::Export(a) => {
            let profile = open(&cli)?;
            let bytes = profile.export(&a.id, a.format)?;
            match &a.output {
                Some(path) => std::fs::write(path, &bytes)
                    .with_context(|| format!("cannot write {}", path.display())),
                None => std::io::stdout()
                    .write_all(&bytes)
                    .context("cannot write to standard output"),
            }
        }
        Command::Passwd => {
            let old = secret::passphrase("Phrase de passe actuelle / Current passphrase: ")?;
            let profile = Profile::open(cli.profile_dir()?, &old)?;
            let new = secret::changed_passphrase()?;
            profile.change_passphrase(&old, &new)?;
            output::message("Phrase de passe changée. / Passphrase changed.", cli.json)
        }
        Command::Demo(a) => {
            let profile = open(&cli)?;
            let quiet = cli.json;
            let n = profile.fill_demo(a.items, a.seed, &mut |done| {
                if !quiet {
                    let _ = write!(std::io::stderr(), "\r{done}/{}", a.items);
                }
            })?;
            if !quiet {
                let _ = writeln!(std::io::stderr());
            }
            output::count(n, cli.json)
        }
        Command::Check => {
            let profile = open(&cli)?;
            profile.verify()?;
            let n = profile.item_count()?;
            output::message(
                &format!("Magasin intact / store intact: {n} éléments / items"),
                cli.json,
            )
        }
        Command::Audit(a) => {
            let profile = open(&cli)?;
            let item = match &a.item {
                Some(id) => Some(profile.resolve_id(id)?),
                None => None,
            };
            let entries = profile.audit_log(
                item,
                Page {
                    offset: a.page.offset,
                    limit: a.page.limit,
                },
            )?;
            output::audit(&entries, cli.json)
        }
        Command::Draft(c) => drafting::run_draft(&open(&cli)?, c.clone(), cli.json),
        Command::Clear(a) => drafting::clear(&open(&cli)?, a.clone(), cli.json),
        Command::Reject(a) => drafting::reject(&open(&cli)?, a.clone(), cli.json),
        Command::Approve { id } => drafting::approve(&open(&cli)?, id, cli.json),
        Command::Release(a) => drafting::release(&open(&cli)?, a.clone(), cli.json),
        Command::History(a) => drafting::history(&open(&cli)?, a.clone(), cli.json),
        Command::Exchange(c) => drafting::exchange(&open(&cli)?, c.clone(), cli.json),
        Command::Numbers(c) => drafting::numbers(&open(&cli)?, c.clone(), cli.json),
        Command::Verify(a) => {
            // A record file is checked without a profile.
            let profile = if a.file.is_some() {
                None
            } else {
                Some(open(&cli)?)
            };
            drafting::verify(profile.as_ref(), a.clone(), cli.json)
        }
    }
}
