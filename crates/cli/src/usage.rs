//! Usage errors: clap's and ours, each said in one line that names the help to read.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// A command line that cannot be run as written (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Builds a usage error (for `bail!`-like returns).
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// The subcommand the arguments name, as far as they go: `diplo compose telegram`.
fn command_path(mut root: clap::Command, args: &[OsString]) -> String {
    // Propagates the global flags, so that `--profile DIR` is known to take a value everywhere.
    root.build();
    let mut path = vec![root.get_name().to_owned()];
    let mut current = &root;
    let mut skip_value = false;
    for arg in args.iter().skip(1) {
        let Some(arg) = arg.to_str() else {
            skip_value = false;
            continue;
        };
        if std::mem::take(&mut skip_value) {
            continue;
        }
        if arg == "--" {
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            skip_value = !long.contains('=')
                && current
                    .get_arguments()
                    .find(|a| a.get_long() == Some(long))
                    .is_some_and(|a| a.get_action().takes_values());
            continue;
        }
        if let Some(short) = arg.strip_prefix('-') {
            let mut chars = short.chars();
            skip_value = match (chars.next(), chars.next()) {
                (Some(c), None) => current
                    .get_arguments()
                    .find(|a| a.get_short() == Some(c))
                    .is_some_and(|a| a.get_action().takes_values()),
                _ => false,
            };
            continue;
        }
        if let Some(sub) = current.find_subcommand(arg) {
            path.push(sub.get_name().to_owned());
            current = sub;
        }
    }
    path.join(" ")
}

fn text(err: &clap::Error, kind: ContextKind) -> Option<String> {
    match err.get(kind)? {
        ContextValue::None => None,
        ContextValue::Strings(v) if v.is_empty() => None,
        ContextValue::Strings(v) => Some(
            v.iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        other => Some(format!("'{other}'")),
    }
}

/// What clap's error means, in one line without the help's pointer.
fn describe(err: &clap::Error) -> String {
    let arg = text(err, ContextKind::InvalidArg).unwrap_or_default();
    let value = match err.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(v)) => v.clone(),
        _ => String::new(),
    };
    let mut message = match err.kind() {
        ErrorKind::UnknownArgument => format!("unexpected argument {arg}"),
        ErrorKind::InvalidSubcommand => format!(
            "unknown command {}",
            text(err, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => format!("missing {arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "a command is missing".to_owned()
        }
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} needs a value"),
        ErrorKind::InvalidValue => {
            let mut m = format!("invalid value '{value}' for {arg}");
            if let Some(valid) = text(err, ContextKind::ValidValue) {
                m.push_str(&format!(": use one of {valid}"));
            }
            m
        }
        ErrorKind::ValueValidation => {
            let cause = std::error::Error::source(err).map(|source| {
                if source.is::<std::num::ParseIntError>() {
                    "give a whole number".to_owned()
                } else {
                    source.to_string()
                }
            });
            let mut m = format!("invalid value '{value}' for {arg}");
            if let Some(cause) = cause {
                m.push_str(&format!(": {cause}"));
            }
            m
        }
        ErrorKind::ArgumentConflict => match text(err, ContextKind::PriorArg) {
            Some(prior) if prior == arg => format!("{arg} may be given only once"),
            Some(prior) => format!("{arg} cannot be used with {prior}"),
            None => format!("{arg} cannot be used with the other arguments given"),
        },
        ErrorKind::InvalidUtf8 => {
            "an argument is not valid UTF-8 text: retype it or rename the file".to_owned()
        }
        _ => {
            // clap's own first line, without its "error: " label.
            let rendered = err.render().to_string();
            let first = rendered.lines().next().unwrap_or_default().trim();
            first
                .strip_prefix("error:")
                .unwrap_or(first)
                .trim()
                .to_owned()
        }
    };
    let suggestions: Vec<String> = [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .filter_map(|k| text(err, k))
    .collect();
    if !suggestions.is_empty() {
        message.push_str(&format!(" (did you mean {}?)", suggestions.join(" or ")));
    }
    if let Some(ContextValue::StyledStrs(tips)) = err.get(ContextKind::Suggested)
        && let Some(tip) = tips.first()
    {
        message.push_str(&format!(" ({tip})"));
    }
    message
}

/// Clap's error as one line: what is wrong, and which help to read (`root` is the whole
/// command line's definition, for finding the subcommand the arguments name).
pub fn clap_message(err: &clap::Error, root: clap::Command, args: &[OsString]) -> String {
    let message = describe(err).replace('\n', " ");
    format!("{message}: see `{} --help`", command_path(root, args))
}
