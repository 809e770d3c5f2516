//! `make bench`, the desktop part: the real app (release build) under Xvfb with a profile of
//! 100,000 items, against a minimal Tauri 2 window built from the same crates, in one run.
//!
//! - cold start: from the process start to the unlock screen ready, plus from the unlock
//!   submit to the first inbox rows painted (the time the user types is not counted); the
//!   minimal window: from the process start to its page ready;
//! - memory: PSS summed over the process and its children (WebKit's web and network
//!   processes), idle on the inbox, against the minimal window idle;
//! - search: from a keystroke in the search box to the results painted, typing queries one
//!   character at a time at a human pace.
//!
//! The in-page instants come from Performance API marks the interface sets
//! (`unlock:ready`, `unlock:submit`, `inbox:painted`, `search:latency`, `minimal:ready`).
//! Usage: app-bench [ITEMS] (default 100000); needs the release binaries `diplomatie`,
//! `minimal-window` and `diplo` (make bench builds them).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use diplomatie_e2e::{App, Session, binary};
use serde_json::Value;

const RUNS: usize = 5;
const PASSPHRASE: &str = diplomatie_e2e::PASSPHRASE;
const QUERIES: [&str; 12] = [
    "energie",
    "ministre",
    "consulaire",
    "sommet g20",
    "elections",
    "securite regionale",
    "visite officielle",
    "accord commercial",
    "baviere",
    "cooperation",
    "ambassade",
    "sanctions",
];

/// Clock ticks per second of /proc times (USER_HZ; 100 on Linux).
const TICKS: f64 = 100.0;

fn boot_time() -> Result<f64> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let line = stat
        .lines()
        .find(|l| l.starts_with("btime "))
        .context("btime in /proc/stat")?;
    Ok(line[6..].trim().parse::<f64>()?)
}

/// The start of process `pid`, in Unix milliseconds (10 ms resolution).
fn process_start_ms(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').context("stat format")? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Field 22 of the full line is index 19 here (state is field 3).
    let ticks: f64 = fields[19].parse()?;
    Ok((boot_time()? + ticks / TICKS) * 1000.0)
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The newest process running `exe`.
fn pid_of(exe: &Path) -> Result<u32> {
    let exe = exe.canonicalize()?;
    let mut found: Vec<(f64, u32)> = all_pids()
        .into_iter()
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe))
        .filter_map(|pid| Some((process_start_ms(pid).ok()?, pid)))
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found
        .last()
        .map(|(_, pid)| *pid)
        .with_context(|| format!("no process runs {}", exe.display()))
}

/// PSS in MiB of `root` and all its descendants.
fn pss_tree_mib(root: u32) -> f64 {
    let pids = all_pids();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        for pid in &pids {
            if parent_of(*pid) == Some(parent) && !tree.contains(pid) {
                tree.push(*pid);
            }
        }
        i += 1;
    }
    let kib: u64 = tree
        .iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok())
        .filter_map(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .sum();
    kib as f64 / 1024.0
}

/// The Unix time in ms of the latest mark `name` in the page, if set.
async fn mark_ms(app: &App, name: &str) -> Result<Option<f64>> {
    let v = app
        .client
        .execute(
            "const m = performance.getEntriesByName(arguments[0], 'mark'); \
             return m.length ? performance.timeOrigin + m[m.length - 1].startTime : null;",
            vec![Value::from(name)],
        )
        .await?;
    Ok(v.as_f64())
}

/// When the page's navigation started (Unix ms): what comes before is the native start
/// (process, window, web process), what comes after is the page's own work.
async fn page_origin_ms(app: &App) -> Result<f64> {
    let v = app
        .client
        .execute("return performance.timeOrigin;", Vec::new())
        .await?;
    v.as_f64().context("the page has no performance.timeOrigin")
}

async fn wait_mark(app: &App, name: &str) -> Result<f64> {
    let start = Instant::now();
    loop {
        if let Some(t) = mark_ms(app, name).await? {
            return Ok(t);
        }
        if start.elapsed() > Duration::from_secs(60) {
            bail!("the page never set the mark {name}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn search_latencies(app: &App) -> Result<Vec<f64>> {
    let script =
        "return performance.getEntriesByName('search:latency', 'measure').map(e => e.duration);";
    let v = app.client.execute(script, Vec::new()).await?;
    Ok(v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    percentile(&v, 50.0)
}

struct AppRun {
    start_ms: f64,
    pss_mib: f64,
}

async fn run_app(session: &mut Session, measure_search: bool) -> Result<(AppRun, Vec<f64>)> {
    let app_bin = binary("diplomatie");
    let app = session.start_app(&app_bin, &[]).await?;
    let pid = pid_of(&app_bin)?;
    let started = process_start_ms(pid)?;
    app.wait_screen("unlock").await?;
    let ready = wait_mark(&app, "unlock:ready").await?;
    app.fill("unlock-passphrase", PASSPHRASE).await?;
    app.click("unlock-submit").await?;
    let submitted = wait_mark(&app, "unlock:submit").await?;
    let painted = wait_mark(&app, "inbox:painted").await?;
    let start_ms = (ready - started) + (painted - submitted);
    let origin = page_origin_ms(&app).await?;
    let script = mark_ms(&app, "app:script").await?.unwrap_or(f64::NAN);
    let status = mark_ms(&app, "app:status").await?.unwrap_or(f64::NAN);
    eprintln!(
        "app-bench:   app: process start to unlock screen {:.0} ms (to the page's navigation {:.0} ms, then {:.0} ms in the page: script running after {:.0}, first answer after {:.0}), unlock submit to inbox painted {:.0} ms",
        ready - started,
        origin - started,
        ready - origin,
        script - origin,
        status - origin,
        painted - submitted
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pss_mib = pss_tree_mib(pid);

    let mut latencies = Vec::new();
    if measure_search {
        for query in QUERIES {
            let field = app.wait_testid("search-input").await?;
            field.clear().await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            let before = search_latencies(&app).await?.len();
            for ch in query.chars() {
                field.send_keys(&ch.to_string()).await?;
                // A human pace: about six characters a second.
                tokio::time::sleep(Duration::from_millis(160)).await;
            }
            // Wait for the last keystroke's results.
            let deadline = Instant::now() + Duration::from_secs(5);
            while search_latencies(&app).await?.len() < before + query.chars().count()
                && Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        latencies = search_latencies(&app).await?;
    }
    app.close().await?;
    Ok((AppRun { start_ms, pss_mib }, latencies))
}

async fn run_minimal(session: &mut Session) -> Result<AppRun> {
    let bin = binary("minimal-window");
    let app = session.start_app(&bin, &[]).await?;
    let pid = pid_of(&bin)?;
    let started = process_start_ms(pid)?;
    let ready = wait_mark(&app, "minimal:ready").await?;
    let origin = page_origin_ms(&app).await?;
    eprintln!(
        "app-bench:   baseline: process start to page ready {:.0} ms (to the page's navigation {:.0} ms, then {:.0} ms in the page)",
        ready - started,
        origin - started,
        ready - origin
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pss_mib = pss_tree_mib(pid);
    app.close().await?;
    Ok(AppRun {
        start_ms: ready - started,
        pss_mib,
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let items: u32 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()
        .context("ITEMS must be a number")?
        .unwrap_or(100_000);
    let mut session = Session::start()?;
    eprintln!("app-bench: a profile of {items} items (demo generator)…");
    session.init_profile_real_kdf(
        "Alice Lefèvre",
        "DIPLOMATIE/DUE",
        "alice@diplomatie.example",
    )?;
    session.diplo(&["demo", "--items", &items.to_string()])?;

    let mut app_runs = Vec::new();
    let mut minimal_runs = Vec::new();
    let mut latencies = Vec::new();
    for run in 0..RUNS {
        eprintln!("app-bench: run {}/{RUNS}", run + 1);
        minimal_runs.push(run_minimal(&mut session).await?);
        let (r, l) = run_app(&mut session, run == 0).await?;
        app_runs.push(r);
        latencies.extend(l);
    }
    let app_start = median(app_runs.iter().map(|r| r.start_ms).collect());
    let min_start = median(minimal_runs.iter().map(|r| r.start_ms).collect());
    let app_pss = median(app_runs.iter().map(|r| r.pss_mib).collect());
    let min_pss = median(minimal_runs.iter().map(|r| r.pss_mib).collect());
    latencies.sort_by(f64::total_cmp);
    let p50 = percentile(&latencies, 50.0);
    let p95 = percentile(&latencies, 95.0);

    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!();
    println!("Desktop app, {items} items, release build under Xvfb, median of {RUNS} runs");
    println!();
    println!("| measure | app | minimal Tauri window | ratio | target | |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| cold start to unlocked inbox painted (ms) | {app_start:.0} | {min_start:.0} | {:.2} | ≤ 1500 ms | {} |",
        app_start / min_start,
        verdict(app_start <= 1500.0)
    );
    println!(
        "| memory idle on the inbox, PSS of all processes (MiB) | {app_pss:.0} | {min_pss:.0} | {:.2} | ≤ 1.5× | {} |",
        app_pss / min_pss,
        verdict(app_pss / min_pss <= 1.5)
    );
    println!(
        "| search keystroke to results painted, p50 / p95 (ms, {} keystrokes) | {p50:.0} / {p95:.0} | | | p95 ≤ 100 ms | {} |",
        latencies.len(),
        verdict(p95 <= 100.0)
    );
    if latencies.is_empty() {
        bail!("no search latency was measured");
    }
    Ok(())
}
