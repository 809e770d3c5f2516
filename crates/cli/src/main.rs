//! `diplo`: the command-line client, for scripting and headless use. Each command parses its
//! flags, calls one service of `diplomatie-client`, and prints the result (text or `--json`).

mod acks;
mod args;
mod compose;
mod contacts;
mod devices;
mod drafting;
mod output;
mod secret;
mod spaces;
mod usage;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
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
    // A core dump would write the unlocked store's keys and the texts read to disk.
    if let Err(e) = diplomatie_client::disable_core_dumps() {
        tracing::warn!(error = %e, "core dumps could not be turned off");
    }
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) if err.exit_code() == 0 => {
            // --help and --version, printed as clap lays them out.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            let message =
                usage::clap_message(&err, <Cli as clap::CommandFactory>::command(), &args);
            let _ = writeln!(std::io::stderr(), "diplo: error: {message}");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "diplo: error: {}", one_line(&err));
            ExitCode::from(exit_code(&err))
        }
    }
}

/// The outermost context, then each cause it does not already say, on one line.
fn one_line(err: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let text = text.trim();
        if text.is_empty() || message.contains(text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(text);
    }
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 2: usage (a profile folder that is a file or holds other files), 3: wrong passphrase,
/// 4: damaged store (or its key file), 5: no profile (or one whose creation was cut short),
/// 1: anything else.
fn exit_code(err: &anyhow::Error) -> u8 {
    use diplomatie_client::StoreError;
    if err.downcast_ref::<usage::UsageError>().is_some() {
        return 2;
    }
    match err.downcast_ref::<ClientError>() {
        Some(ClientError::Store(StoreError::WrongPassphrase)) => 3,
        Some(ClientError::Store(StoreError::Damaged(_) | StoreError::KeyFile(_))) => 4,
        Some(ClientError::Store(StoreError::NotAFolder(_) | StoreError::NotEmpty(_))) => 2,
        Some(ClientError::Store(StoreError::NoProfile(_) | StoreError::Unfinished(_))) => 5,
        _ => 1,
    }
}

/// Progress on stderr, only for a person watching a terminal (never in a log or a pipe).
fn progress() -> Option<std::io::Stderr> {
    let stderr = std::io::stderr();
    stderr.is_terminal().then_some(stderr)
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
                    role: a.role.clone(),
                    name: a.name.clone(),
                    org: a.org.clone(),
                    email: a.email.clone(),
                    kdf_cost: a.kdf_cost,
                },
            )?;
            let email = a.email.as_deref().unwrap_or_default();
            secret::report_strength(&passphrase, &[&a.name, &a.org, email]);
            output::identity(profile.identity(), profile.own(), cli.json)
        }
        Command::Compose(c) => {
            let profile = open(&cli)?;
            let compose = compose::build(c, &profile)?;
            let (id, delivery) = profile.compose_and_deliver(compose)?;
            output::composed(id, &delivery, cli.json)
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
            let mut progress = progress().filter(|_| !cli.json);
            let reports =
                profile.import_eml_files(&a.files, &EmlLimits::default(), &mut |done, total| {
                    if let Some(err) = progress.as_mut() {
                        let _ = write!(err, "\r{done}/{total}");
                    }
                });
            if let Some(mut err) = progress.filter(|_| !a.files.is_empty()) {
                let _ = writeln!(err);
            }
            output::import(&reports, cli.json)
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
            let me = profile.identity();
            let email = me.email.as_deref().unwrap_or_default();
            secret::report_strength(&new, &[&me.name, &me.org, email]);
            output::message("Phrase de passe changée. / Passphrase changed.", cli.json)
        }
        Command::Demo(a) => {
            let profile = open(&cli)?;
            let mut progress = progress().filter(|_| !cli.json);
            let n = profile.fill_demo(a.items, a.seed, &mut |done| {
                if let Some(err) = progress.as_mut() {
                    let _ = write!(err, "\r{done}/{}", a.items);
                }
            })?;
            if let Some(mut err) = progress {
                let _ = writeln!(err);
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
        Command::Ack { id } => acks::show(&open(&cli)?.acknowledge(id)?, cli.json),
        Command::Acks { id } => acks::show(&open(&cli)?.acknowledgements(id)?, cli.json),
        Command::Identity(a) => contacts::identity(&open(&cli)?, a, cli.json),
        Command::Contact(c) => contacts::run(&open(&cli)?, c, cli.json),
        Command::Space(c) => spaces::space(&open(&cli)?, c, cli.json),
        Command::Relay(c) => spaces::relay(&open(&cli)?, c, cli.json),
        Command::Sync(a) => spaces::sync(&open(&cli)?, a, cli.json),
        Command::Share(a) => spaces::share(&open(&cli)?, a, cli.json),
        Command::LinkDevice(a) => devices::link_device(&open(&cli)?, a, cli.json),
        Command::Link(a) => devices::link(cli.profile_dir()?, a, cli.json),
        Command::Devices { command } => devices::devices(&open(&cli)?, command.as_ref(), cli.json),
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

#[cfg(test)]
mod tests {
    use super::*;
    use diplomatie_client::StoreError;

    #[test]
    fn a_cause_the_message_already_says_is_not_repeated() {
        let io = || std::io::Error::other("Not a directory (os error 20)");
        // The store's message already contains its cause (the wording is the store's).
        let err = anyhow::Error::from(ClientError::Store(StoreError::Io(io())));
        let message = one_line(&err);
        assert_eq!(message.matches("Not a directory").count(), 1, "{message}");
        assert_eq!(message, err.to_string());
        let err = anyhow::Error::from(io()).context("cannot read the attachment a.pdf");
        assert_eq!(
            one_line(&err),
            "cannot read the attachment a.pdf: Not a directory (os error 20)"
        );
        let err = anyhow::anyhow!("first line\nsecond line");
        assert_eq!(one_line(&err), "first line second line");
    }
}
