#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DIPLOMATIE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    // A core dump would write the unlocked store's keys and open texts to disk.
    if let Err(e) = diplomatie_client::disable_core_dumps() {
        tracing::warn!(error = %e, "core dumps could not be turned off");
    }
    match diplomatie_app::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("diplomatie: {e:#}");
            ExitCode::FAILURE
        }
    }
}
