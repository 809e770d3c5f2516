//! The relay under load against a real peer, in one run (`DIPLOMATIE_BENCH=relay`).
//!
//! Two servers, one after the other, each pinned to the first core (`taskset -c 0`) and
//! loaded from the second (`taskset -c 1`) by 200 clients on 127.0.0.1, 20 spaces of 10
//! members, each client making the same updates at the same rate (a batch of `batch` updates
//! of `body` random bytes every `interval_ms`), every process at nice -10 so that other work
//! on the machine takes as little of its core as possible:
//!
//! - **ours**: the real `diplomatie-relay serve` (the release build next to this benchmark's
//!   binary), its SQLite in a temporary folder; the clients are real enrolled devices with
//!   sessions, members of real MLS groups, pushing sealed and signed envelopes over HTTP and
//!   receiving the others' on `/v1/news?live=true` (`ours.rs`);
//! - **automerge-repo**: a sync server made of the npm packages `@automerge/automerge-repo`,
//!   `-network-websocket` and `-storage-nodefs` (`benches/automerge-repo-server/server.mjs`,
//!   versions pinned in its `package-lock.json`, installed with `npm ci`), one document per
//!   space; the clients speak automerge-repo's protocol with the automerge crate
//!   (`theirs.rs`). It is run a second time at one update every 2 s per client, a load it
//!   carries, for its latency and its deliveries when it is not behind.
//!
//! The data folders are on tmpfs (`/dev/shm`) when the machine has one, so that neither
//! server waits on a disk the machine shares; ours is run a second time with its folder on the
//! disk (the system's temporary folder), where each commit is synced. Each load generator is
//! a child of this benchmark; each counts every delivery: an update is expected once at each
//! other member of its space, and lost, duplicated and unexpected deliveries are counted, not
//! assumed. Measured over a window after a warm-up: updates taken per second, deliveries per
//! second, p50 / p99 / max from the push (or change) to the frame's arrival at the member,
//! and each process's CPU time (`/proc/PID/stat`) as a share of its core. Every process
//! started is stopped at the end of its part, also on failure (killed when dropped), and each
//! part is bounded in time ([`PART_TIMEOUT`]).

mod cbor;
mod ours;
mod theirs;
mod wire;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

pub use ours::child as child_ours;
pub use theirs::child as child_theirs;

use crate::{Row, row, verdict};

/// The targets.
const TARGET_DELIVERIES: f64 = 50_000.0;
const TARGET_P99_MS: f64 = 10.0;
const TARGET_RATIO: f64 = 5.0;

/// The longest each part (setup, load, drain) may take before it is stopped as failed.
const PART_TIMEOUT: Duration = Duration::from_secs(240);

/// The load, the same for both servers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Params {
    pub spaces: usize,
    pub members: usize,
    /// Updates per push, and per client per interval.
    pub batch: usize,
    pub interval_ms: u64,
    /// Pushes before the measured window.
    pub warmup_ms: u64,
    /// The measured window.
    pub seconds: u64,
    /// The content of an update, in bytes.
    pub body: usize,
    /// How long after the last push deliveries are waited for.
    pub drain_ms: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            spaces: 20,
            members: 10,
            batch: 30,
            interval_ms: 1000,
            warmup_ms: 3000,
            seconds: 30,
            body: 256,
            drain_ms: 10_000,
        }
    }
}

/// What one side measured (printed as JSON by the Rust and the Node load generators alike).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub clients: usize,
    /// The bytes of one update as sent: an envelope, or an automerge change.
    pub update_bytes: usize,
    pub offered_per_s: f64,
    pub accepted_per_s: f64,
    pub deliveries_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// How long a push's answer took (ours: the HTTP request; 0 for automerge-repo, whose
    /// changes are not answered).
    #[serde(default)]
    pub answer_p50_ms: f64,
    #[serde(default)]
    pub answer_p99_ms: f64,
    pub expected: u64,
    pub delivered: u64,
    pub lost: u64,
    pub duplicated: u64,
    /// Deliveries of something never pushed, to its sender, or altered.
    pub unexpected: u64,
    pub refused: u64,
    /// Sockets the server closed during the run (automerge-repo's keep-alive), each client
    /// then connecting again.
    #[serde(default)]
    pub dropped: u64,
    /// The server's CPU time over the window, as a share of one core.
    pub server_cpu: f64,
    pub generator_cpu: f64,
    pub setup_s: f64,
}

/// An update as its side names it: (space, relay seq) for ours, (sender, its seq) for
/// automerge-repo.
pub type Key = (usize, u64);

/// What a load generator counts as it runs, on its one thread.
#[derive(Debug, Default)]
pub struct Tally {
    /// Each update taken (ours: accepted; automerge-repo: made): its sender (client index),
    /// when it was pushed or made, and its fingerprint (8 of its bytes, to check what
    /// arrives is what was sent).
    pub made: HashMap<Key, (usize, Instant, u64)>,
    /// Deliveries expected so far: each update, at each other member of its space.
    pub expected: u64,
    /// Deliveries recorded so far.
    pub delivered: u64,
    /// Each push's write time and how long its answer took (ours only).
    pub answered: Vec<(Instant, Duration)>,
}

/// What one client was delivered: each update's key, arrival and fingerprint.
#[derive(Debug)]
pub struct Arrivals {
    pub client: usize,
    pub records: Vec<(Key, Instant, u64)>,
}

/// What a report says beside the counts.
#[derive(Debug)]
pub struct Run {
    pub update_bytes: usize,
    pub setup_s: f64,
    pub refused: u64,
    pub server_cpu: f64,
    pub generator_cpu: f64,
    pub window_start: Instant,
    pub window_end: Instant,
}

/// Counts every delivery against every update: expected once at each other member of the
/// sender's space (clients are numbered space by space); lost, duplicated, unexpected
/// (never taken, sent to its own sender or another space, or altered).
pub fn count(params: &Params, tally: &Tally, arrivals: &[Arrivals], run: &Run) -> Report {
    let space = |client: usize| client / params.members.max(1);
    let in_window = |at: Instant| at >= run.window_start && at < run.window_end;
    let window = (run.window_end - run.window_start).as_secs_f64();
    let mut seen: HashMap<(usize, Key), u32> = HashMap::new();
    let (mut unexpected, mut arrived_in_window, mut latencies) = (0u64, 0u64, Vec::new());
    for a in arrivals {
        for &(key, at, fingerprint) in &a.records {
            *seen.entry((a.client, key)).or_default() += 1;
            if in_window(at) {
                arrived_in_window += 1;
            }
            match tally.made.get(&key) {
                Some(&(sender, made, sent))
                    if sender != a.client
                        && space(sender) == space(a.client)
                        && sent == fingerprint =>
                {
                    if in_window(made) {
                        latencies.push(at.saturating_duration_since(made));
                    }
                }
                _ => unexpected += 1,
            }
        }
    }
    let (mut expected, mut lost, mut duplicated, mut made_in_window) = (0u64, 0u64, 0u64, 0u64);
    for (&key, &(sender, made, _)) in &tally.made {
        if in_window(made) {
            made_in_window += 1;
        }
        let first = space(sender) * params.members;
        for member in first..first + params.members {
            if member == sender {
                continue;
            }
            expected += 1;
            match seen.get(&(member, key)) {
                None => lost += 1,
                Some(&n) if n > 1 => duplicated += u64::from(n - 1),
                Some(_) => {}
            }
        }
    }
    latencies.sort();
    let mut answered: Vec<Duration> = tally
        .answered
        .iter()
        .filter(|(sent, _)| in_window(*sent))
        .map(|(_, took)| *took)
        .collect();
    answered.sort();
    let clients = params.spaces * params.members;
    Report {
        clients,
        update_bytes: run.update_bytes,
        offered_per_s: (clients * params.batch) as f64 * 1000.0 / params.interval_ms as f64,
        accepted_per_s: made_in_window as f64 / window,
        deliveries_per_s: arrived_in_window as f64 / window,
        p50_ms: percentile_ms(&latencies, 50.0),
        p99_ms: percentile_ms(&latencies, 99.0),
        max_ms: percentile_ms(&latencies, 100.0),
        answer_p50_ms: percentile_ms(&answered, 50.0),
        answer_p99_ms: percentile_ms(&answered, 99.0),
        expected,
        delivered: seen.values().map(|&n| u64::from(n)).sum(),
        lost,
        duplicated,
        unexpected,
        refused: run.refused,
        dropped: 0,
        server_cpu: run.server_cpu,
        generator_cpu: run.generator_cpu,
        setup_s: run.setup_s,
    }
}

/// A load generator's child mode: reads its JSON `job`, runs it on one thread, prints its
/// report as JSON (the last line of its output).
pub fn run_child<J, F>(job: &str, run: impl FnOnce(J) -> F) -> Result<()>
where
    J: serde::de::DeserializeOwned,
    F: std::future::Future<Output = Result<Report>>,
{
    let job: J = serde_json::from_str(job).context("the load's job")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = tokio::task::LocalSet::new().block_on(&runtime, run(job))?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// The `p`-th percentile of sorted durations, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    crate::ms(crate::percentile(sorted, p))
}

/// The kernel's clock ticks per second, the unit of `/proc/PID/stat`'s times.
fn clock_ticks() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// The CPU time (user + system) of process `pid` so far, in seconds.
pub fn cpu_seconds(pid: u32) -> Result<f64> {
    let ticks = clock_ticks();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // After the command's name in parentheses: state, then 10 fields, then utime and stime.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("a /proc stat line")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| -> Result<f64> {
        Ok(fields
            .get(i)
            .context("a /proc stat field")?
            .parse::<f64>()?)
    };
    Ok((field(11)? + field(12)?) / ticks)
}

/// The processes this benchmark started and has not reaped, and its data folders: on SIGINT,
/// SIGTERM or SIGHUP the processes are killed and the folders removed before it exits (on a
/// panic or an error, the guards below do it as they drop).
static STARTED: Mutex<Vec<u32>> = Mutex::new(Vec::new());
static FOLDERS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Watches for SIGINT, SIGTERM and SIGHUP from the first process started on.
fn watch_signals() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let watcher = || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                use tokio::signal::unix::{SignalKind, signal};
                let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
                    signal(SignalKind::terminate()),
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::hangup()),
                ) else {
                    return;
                };
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                    _ = hup.recv() => {}
                }
                for pid in lock(&STARTED).iter() {
                    let _ = Command::new("kill")
                        .args(["-KILL", &pid.to_string()])
                        .status();
                }
                for folder in lock(&FOLDERS).iter() {
                    let _ = std::fs::remove_dir_all(folder);
                }
                eprintln!("relay load: stopped by a signal, its processes killed");
                std::process::exit(130);
            });
        };
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(watcher);
    });
}

/// A temporary folder, removed when dropped or on a signal.
struct Folder(tempfile::TempDir);

impl Folder {
    fn new(parent: Option<&Path>) -> Result<Self> {
        watch_signals();
        let dir = match parent {
            Some(parent) => tempfile::tempdir_in(parent)?,
            None => tempfile::tempdir()?,
        };
        lock(&FOLDERS).push(dir.path().to_path_buf());
        Ok(Self(dir))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        lock(&FOLDERS).retain(|f| f != self.0.path());
    }
}

/// A process this benchmark started: killed (and reaped) when dropped, whatever happened.
struct Started {
    name: &'static str,
    child: Child,
    /// What it prints on stdout, line by line (read by a thread).
    printed: std::sync::mpsc::Receiver<String>,
}

impl Started {
    /// Starts `command`, its stdout read line by line.
    fn start(name: &'static str, command: &mut Command) -> Result<Self> {
        watch_signals();
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        lock(&STARTED).push(child.id());
        let stdout = child.stdout.take().context("its stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Self {
            name,
            child,
            printed: rx,
        })
    }

    /// Starts a server and waits for its first line (where it says where it listens).
    fn spawn(name: &'static str, command: &mut Command) -> Result<(Self, String)> {
        let mut started = Self::start(name, command)?;
        let first = match started.printed.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => bail!("{name} did not say where it listens within 60 s"),
        };
        if let Ok(Some(status)) = started.child.try_wait() {
            bail!("{name} exited at once: {status}");
        }
        Ok((started, first))
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then SIGKILL (when dropped) after `grace`.
    fn stop(mut self, grace: Duration) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!(
            "{} did not stop within {} s of SIGTERM: killed",
            self.name,
            grace.as_secs()
        );
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let pid = self.child.id();
        lock(&STARTED).retain(|&p| p != pid);
    }
}

/// Runs a load generator to its end (at most [`PART_TIMEOUT`]): its report, the last line
/// it prints.
fn run_load(name: &'static str, command: &mut Command) -> Result<Report> {
    let mut load = Started::start(name, command)?;
    let deadline = Instant::now() + PART_TIMEOUT;
    let status = loop {
        if let Some(status) = load.child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            bail!(
                "{name} did not finish within {} s: stopped",
                PART_TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if !status.success() {
        bail!("{name} failed: {status}");
    }
    // Its output ends with it: every line is read once the pipe is closed.
    let last = load.printed.iter().last().context("no report")?;
    serde_json::from_str(&last).with_context(|| format!("{name}'s report: {last}"))
}

/// `program` pinned to `core`, at a raised priority (nice -10; as root, or where allowed:
/// elsewhere `nice` says it cannot and runs it as it is) so that other work on the machine
/// takes as little as possible of the core.
fn pinned(core: u8, program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new("nice");
    command
        .args(["-n", "-10", "taskset", "-c"])
        .arg(core.to_string())
        .arg(program);
    command
}

fn server_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/automerge-repo-server")
}

/// What the run needs that `make bench` installs: taskset, node, the npm packages, the relay.
fn check_tools(relay: &Path) -> Result<()> {
    let works = |program: &str, arg: &str| {
        Command::new(program)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !works("taskset", "--version") {
        bail!("taskset is missing: install util-linux (scripts/install-deps.sh does)");
    }
    if !works("node", "--version") {
        bail!("node is missing: install Node.js 20 or later");
    }
    if !server_folder()
        .join("node_modules/@automerge/automerge-repo")
        .is_dir()
    {
        bail!(
            "the automerge-repo server's packages are missing: run `npm ci` in benches/automerge-repo-server (make bench does)"
        );
    }
    if !relay.is_file() {
        bail!(
            "{} is missing: cargo build --release -p diplomatie-relay (make bench does)",
            relay.display()
        );
    }
    Ok(())
}

/// Our relay, its data in `folder`, loaded by this benchmark's child.
fn ours(params: &Params, relay: &Path, folder: &Path) -> Result<Report> {
    let data = folder.join("relay");
    // The per-device and per-address rates raised: 200 devices enrol from one address (the
    // load itself stays far below the default per-device rate).
    let (server, first) = Started::spawn(
        "the relay",
        pinned(0, relay)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .args(["--rate-per-second", "100000", "--rate-burst", "100000"])
            .env("RUST_LOG", "warn"),
    )?;
    let address = first
        .strip_prefix("listening on http://")
        .with_context(|| format!("the relay's first line: {first}"))?
        .parse()?;
    let job = ours::Job {
        address,
        data,
        relay_pid: server.pid(),
        params: params.clone(),
    };
    let report = run_load(
        "the relay's load",
        pinned(1, std::env::current_exe()?)
            .arg("--child-relay-load")
            .arg(serde_json::to_string(&job)?),
    )?;
    server.stop(Duration::from_secs(10));
    Ok(report)
}

/// The automerge-repo sync server, its data in `folder`, loaded by this benchmark's child.
fn automerge(params: &Params, folder: &Path) -> Result<Report> {
    let scripts = server_folder();
    let data = folder.join("automerge");
    std::fs::create_dir_all(&data)?;
    let (server, first) = Started::spawn(
        "the automerge-repo server",
        pinned(0, "node")
            .arg(scripts.join("server.mjs"))
            .arg(&data)
            .current_dir(&scripts),
    )?;
    let address = first
        .strip_prefix("listening on ws://")
        .with_context(|| format!("the automerge-repo server's first line: {first}"))?
        .parse()?;
    let job = theirs::Job {
        address,
        server_pid: server.pid(),
        params: params.clone(),
    };
    let report = run_load(
        "the automerge-repo clients",
        pinned(1, std::env::current_exe()?)
            .arg("--child-automerge-load")
            .arg(serde_json::to_string(&job)?),
    )?;
    for line in server.printed.try_iter() {
        eprintln!("automerge-repo server: {line}");
    }
    // Still working through its backlog, it would answer SIGTERM only once done.
    server.stop(Duration::from_secs(2));
    Ok(report)
}

/// The machine's load average over the last minute (other work running beside the benchmark).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// The file system a folder is on, as `stat -f` names it (`tmpfs`, `ext2/ext3`…).
fn file_system(folder: &Path) -> String {
    Command::new("stat")
        .args(["-f", "-c", "%T"])
        .arg(folder)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "?".into())
}

/// The rows of one side. `undelivered`: what its lost deliveries are called.
fn side_rows(name: &str, r: &Report, made: &str, undelivered: &str, out: &mut Vec<Row>) {
    out.push(row(
        format!("{name}: updates {made} / s (offered)"),
        format!("{:.0} ({:.0})", r.accepted_per_s, r.offered_per_s),
        "",
    ));
    out.push(row(
        format!("{name}: deliveries / s"),
        format!("{:.0}", r.deliveries_per_s),
        "",
    ));
    out.push(row(
        format!("{name}: push → delivery p50 / p99 (max)"),
        format!("{:.2} / {:.2} ms ({:.1} ms)", r.p50_ms, r.p99_ms, r.max_ms),
        "",
    ));
    out.push(row(
        format!("{name}: {undelivered} / duplicated / unexpected (of expected)"),
        format!(
            "{} / {} / {} (of {})",
            r.lost, r.duplicated, r.unexpected, r.expected
        ),
        "",
    ));
    out.push(row(
        format!("{name}: CPU, server's core / load generator's core"),
        format!(
            "{:.0} % / {:.0} %",
            r.server_cpu * 100.0,
            r.generator_cpu * 100.0
        ),
        "",
    ));
}

pub fn rows() -> Result<Vec<Row>> {
    let relay = std::env::current_exe()?
        .parent()
        .context("the benchmark's folder")?
        .join("diplomatie-relay");
    check_tools(&relay)?;
    let load_before = load_average();
    let params = Params::default();
    // Both servers' data in memory (tmpfs) when the machine has it, so that neither waits on
    // a disk the machine shares; ours is also run with its data on the disk.
    let memory = Path::new("/dev/shm");
    let fast = Folder::new((file_system(memory) == "tmpfs").then_some(memory))?;
    let disk = Folder::new(None)?;
    let (fast_fs, disk_fs) = (file_system(fast.path()), file_system(disk.path()));
    eprintln!("relay load: our relay, pinned to core 0, its data on {fast_fs}…");
    let ours_fast = ours(&params, &relay, fast.path())?;
    let ours_disk = if fast_fs == disk_fs {
        None
    } else {
        eprintln!("relay load: our relay again, its data on {disk_fs}…");
        Some(ours(&params, &relay, disk.path())?)
    };
    eprintln!(
        "relay load: the automerge-repo sync server, pinned to core 0, its data on {fast_fs}…"
    );
    let theirs = automerge(&params, fast.path())?;
    // The same server at a load it can carry: what its deliveries cost when it is not behind.
    let light = Params {
        batch: 1,
        interval_ms: 2000,
        ..params.clone()
    };
    eprintln!("relay load: the automerge-repo sync server again, one update every 2 s per client…");
    let theirs_light = automerge(&light, &fast.path().join("light"))?;

    let mut out = Vec::new();
    out.push(row(
        "the machine's load average (1 min), before / after",
        format!("{load_before} / {}", load_average()),
        "",
    ));
    out.push(row(
        "load (both)",
        format!(
            "{} clients, {} spaces of {}; each client {} updates of {} bytes of content every {} ms; {} s measured",
            ours_fast.clients,
            params.spaces,
            params.members,
            params.batch,
            params.body,
            params.interval_ms,
            params.seconds
        ),
        "",
    ));
    out.push(row(
        "bytes of one update: an envelope / an automerge change",
        format!("{} / {}", ours_fast.update_bytes, theirs.update_bytes),
        "",
    ));
    let name = format!("ours ({fast_fs})");
    side_rows(&name, &ours_fast, "accepted", "lost", &mut out);
    out.push(row(
        format!("{name}: push answered p50 / p99"),
        format!(
            "{:.2} / {:.2} ms",
            ours_fast.answer_p50_ms, ours_fast.answer_p99_ms
        ),
        "",
    ));
    let clean = |r: &Report| r.lost == 0 && r.duplicated == 0 && r.unexpected == 0;
    out.push(row(
        format!("{name}: lost / duplicated / unexpected"),
        format!(
            "{} / {} / {}",
            ours_fast.lost, ours_fast.duplicated, ours_fast.unexpected
        ),
        format!("0 / 0 / 0 {}", verdict(clean(&ours_fast))),
    ));
    let met = ours_fast.deliveries_per_s >= TARGET_DELIVERIES && ours_fast.p99_ms < TARGET_P99_MS;
    out.push(row(
        format!("{name}: deliveries / s at p99"),
        format!(
            "{:.0} at {:.2} ms",
            ours_fast.deliveries_per_s, ours_fast.p99_ms
        ),
        format!(
            "≥ {TARGET_DELIVERIES:.0} at < {TARGET_P99_MS:.0} ms {}",
            verdict(met)
        ),
    ));
    if let Some(r) = &ours_disk {
        let name = format!("ours ({disk_fs}, each commit synced to the disk)");
        out.push(row(
            format!("{name}: deliveries / s, p50 / p99 (max)"),
            format!(
                "{:.0}, {:.2} / {:.2} ms ({:.1} ms)",
                r.deliveries_per_s, r.p50_ms, r.p99_ms, r.max_ms
            ),
            "measured",
        ));
        out.push(row(
            format!("{name}: lost / duplicated / unexpected; CPU"),
            format!(
                "{} / {} / {}; {:.0} %",
                r.lost,
                r.duplicated,
                r.unexpected,
                r.server_cpu * 100.0
            ),
            format!("0 / 0 / 0 {}", verdict(clean(r))),
        ));
    }
    let drain = params.drain_ms / 1000;
    side_rows(
        &format!("automerge-repo ({fast_fs})"),
        &theirs,
        "made",
        &format!("undelivered {drain} s after the last update"),
        &mut out,
    );
    out.push(row(
        format!(
            "automerge-repo ({fast_fs}): sockets its keep-alive closed (each client connects again after 5 s)"
        ),
        theirs.dropped.to_string(),
        "",
    ));
    let name = format!(
        "automerge-repo ({fast_fs}), {} update every {} s per client",
        light.batch,
        light.interval_ms / 1000
    );
    out.push(row(
        format!("{name}: deliveries / s (offered), p50 / p99 (max)"),
        format!(
            "{:.0} ({:.0}), {:.2} / {:.2} ms ({:.1} ms)",
            theirs_light.deliveries_per_s,
            theirs_light.offered_per_s * (light.members - 1) as f64,
            theirs_light.p50_ms,
            theirs_light.p99_ms,
            theirs_light.max_ms
        ),
        "measured",
    ));
    out.push(row(
        format!(
            "{name}: undelivered {drain} s after the last update / duplicated / unexpected; CPU; sockets closed"
        ),
        format!(
            "{} / {} / {} (of {}); {:.0} %; {}",
            theirs_light.lost,
            theirs_light.duplicated,
            theirs_light.unexpected,
            theirs_light.expected,
            theirs_light.server_cpu * 100.0,
            theirs_light.dropped
        ),
        "measured",
    ));
    let ratio = ours_fast.deliveries_per_s / theirs.deliveries_per_s.max(f64::EPSILON);
    out.push(row(
        "deliveries / s, ours / automerge-repo",
        format!("{ratio:.1}×"),
        format!("≥ {TARGET_RATIO:.0}× {}", verdict(ratio >= TARGET_RATIO)),
    ));
    Ok(out)
}
