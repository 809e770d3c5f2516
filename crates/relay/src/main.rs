//! `diplomatie-relay`: serve, invite.
//!
//! - `diplomatie-relay serve --listen 127.0.0.1:PORT --data DIR [limits]` prints
//!   `listening on http://ADDRESS` once bound, and stops cleanly on SIGTERM or Ctrl-C;
//! - `diplomatie-relay invite --data DIR [--expires-in MINUTES]` prints a one-time enrolment
//!   token as its last line.
//!
//! Logs go to stderr, filtered by `RUST_LOG` (default `info`).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use diplomatie_relay::{Config, Relay, invite};
use time::format_description::well_known::Rfc3339;

#[derive(Debug, Parser)]
#[command(
    name = "diplomatie-relay",
    version,
    about = "Diplomatie's relay: stores and forwards encrypted envelopes it cannot read"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serves the relay's API.
    Serve {
        /// The address to listen on (port 0: one the system chooses).
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// The folder of the relay's database (created if missing).
        #[arg(long)]
        data: PathBuf,
        /// The largest envelope or commit taken, in bytes.
        #[arg(long, default_value_t = diplomatie_protocol::MAX_ENVELOPE_BYTES)]
        max_envelope_bytes: usize,
        /// The largest request body (a batch of envelopes), in bytes.
        #[arg(long, default_value_t = 16 * 1024 * 1024)]
        max_body_bytes: usize,
        /// The most bytes one space may store.
        #[arg(long, default_value_t = 1 << 30)]
        space_quota_bytes: u64,
        /// Requests each device may make per second, on average.
        #[arg(long, default_value_t = 50.0)]
        rate_per_second: f64,
        /// Requests a device may make at once before the rate applies.
        #[arg(long, default_value_t = 200)]
        rate_burst: u32,
        /// Envelopes a device may deposit per minute in spaces it is not a member of.
        #[arg(long, default_value_t = 30)]
        deposits_per_minute: u32,
    },
    /// Makes a one-time enrolment token for one device (printed as the last line).
    Invite {
        /// The relay's data folder.
        #[arg(long)]
        data: PathBuf,
        /// How long the token stays valid, in minutes.
        #[arg(long, default_value_t = 24 * 60, value_parser = clap::value_parser!(u32).range(1..=525_600))]
        expires_in: u32,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            listen,
            data,
            max_envelope_bytes,
            max_body_bytes,
            space_quota_bytes,
            rate_per_second,
            rate_burst,
            deposits_per_minute,
        } => {
            let mut config = Config::new(data);
            config.max_envelope_bytes = max_envelope_bytes;
            config.max_body_bytes = max_body_bytes;
            config.space_quota_bytes = space_quota_bytes;
            config.rate_per_second = rate_per_second;
            config.rate_burst = rate_burst;
            config.deposits_per_minute = deposits_per_minute;
            serve(listen, config)
        }
        Command::Invite { data, expires_in } => {
            let expires =
                time::OffsetDateTime::now_utc() + time::Duration::minutes(i64::from(expires_in));
            let invitation = invite(&data, expires)?;
            let expires = invitation.expires;
            let until = expires
                .replace_nanosecond(0)
                .unwrap_or(expires)
                .format(&Rfc3339)
                .unwrap_or_else(|_| invitation.expires.to_string());
            println!("one-time enrolment token for one device, valid until {until}:");
            println!("{}", invitation.token);
            Ok(())
        }
    }
}

fn serve(listen: SocketAddr, config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the relay's runtime")?;
    runtime.block_on(async move {
        let relay = Relay::open(config)?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}: choose a free port, or port 0"))?;
        let address = listener.local_addr()?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{address}")?;
        out.flush()?;
        drop(out);
        relay.serve(listener, stop_signal()).await?;
        tracing::info!("relay stopped");
        Ok(())
    })
}

/// Completes on SIGTERM or Ctrl-C (SIGINT).
async fn stop_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
