//! automerge 0.6.1, 0.7.4 and 0.12.0 side by side on Diplomatie's drafting workloads.
//! `cargo run --release` prints one markdown table; see README.md.

mod figures;
mod measure;
mod rng;
mod suite;
mod trace;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use figures::{LoadMemory, MergeFigures, RunFigures};
use measure::{fmt_bytes, fmt_duration, median};
use trace::Trace;

#[global_allocator]
static ALLOC: measure::CountingAlloc = measure::CountingAlloc;

mod v06 {
    crate::suite::version_suite!(am06, "0.6.1");
}
mod v07 {
    crate::suite::version_suite!(am07, "0.7.4");
}
mod v012 {
    crate::suite::version_suite!(am012, "0.12.0");
}

/// The workloads' parameters.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    /// Trace edits per commit in the batched apply.
    pub batch: usize,
    /// Keystrokes each replica makes before the two-replica merge.
    pub diverge: usize,
    pub paragraphs: usize,
    pub paragraph_chars: usize,
    /// Keystrokes per replica between merges in the draft workload.
    pub merge_every: usize,
}

/// One version's entry points (the same functions, expanded per crate).
struct Version {
    label: &'static str,
    run: fn(&Trace, &Config, &mut RunFigures) -> Result<Vec<u8>>,
    load_memory: fn(&[u8]) -> Result<LoadMemory>,
    interop_draft: fn() -> Result<(Vec<u8>, serde_json::Value)>,
    load_json: fn(&[u8]) -> Result<serde_json::Value>,
    trace_doc: fn(&Trace) -> Result<Vec<u8>>,
}

macro_rules! version {
    ($m:ident) => {
        Version {
            label: $m::LABEL,
            run: $m::run,
            load_memory: $m::load_memory,
            interop_draft: $m::interop_draft,
            load_json: $m::load_json,
            trace_doc: |t| {
                let (mut d, _, _) = $m::apply_trace(t, 100)?;
                Ok(d.save())
            },
        }
    };
}

fn versions() -> [Version; 3] {
    [version!(v06), version!(v07), version!(v012)]
}

const DEFAULT_TRACE: &str = "../data/automerge-paper-synth.json.gz";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let trace_path = arg("--trace").map_or_else(|| data_dir.join(DEFAULT_TRACE), PathBuf::from);
    match args.first().map(String::as_str) {
        Some("gen-trace") => {
            let out = arg("--out").map_or_else(|| data_dir.join(DEFAULT_TRACE), PathBuf::from);
            let seed = arg("--seed").map_or(Ok(2016), |s| s.parse())?;
            let file = trace::generate(seed);
            trace::write(&out, &file)?;
            let t = Trace::read(&out)?;
            let (i, d) = t.inserts_and_deletes();
            println!(
                "wrote {}: {} edits, {i} inserts, {d} deletes, {} chars at the end",
                out.display(),
                t.patches.len(),
                t.end_content.chars().count()
            );
            Ok(())
        }
        Some("load-memory") => {
            let (label, path) = (
                args.get(1).context("version")?,
                args.get(2).context("path")?,
            );
            let saved = std::fs::read(path)?;
            let v = versions()
                .into_iter()
                .find(|v| v.label == label)
                .context("unknown version")?;
            println!("{}", serde_json::to_string(&(v.load_memory)(&saved)?)?);
            Ok(())
        }
        Some("interop-save") => {
            interop_save(Path::new(args.get(1).context("directory")?), &trace_path)
        }
        Some("interop-load") => interop_load(Path::new(args.get(1).context("directory")?)),
        Some(other) if !other.starts_with("--") => bail!("unknown command {other}"),
        _ => {
            let runs = arg("--runs").map_or(Ok(3), |s| s.parse())?;
            bench(&trace_path, runs, arg("--only").as_deref())
        }
    }
}

fn bench(trace_path: &Path, runs: usize, only: Option<&str>) -> Result<()> {
    let trace = Trace::read(trace_path)?;
    let cfg = Config {
        seed: 42,
        batch: 100,
        diverge: 5_000,
        paragraphs: 40,
        paragraph_chars: 600,
        merge_every: 200,
    };
    let versions: Vec<Version> = versions()
        .into_iter()
        .filter(|v| only.is_none_or(|o| o == v.label))
        .collect();
    let mut all: Vec<Vec<RunFigures>> = vec![Vec::new(); versions.len()];
    let mut memory = Vec::new();
    let (wall, cpu) = (std::time::Instant::now(), measure::cpu_time());
    let mut loads = vec![measure::load_average()];
    let watcher = measure::Watcher::start();
    let mut disturbed = 0;
    for run in 0..runs {
        for (v, figures) in versions.iter().zip(all.iter_mut()) {
            let mut attempt = 0;
            let (r, saved) = loop {
                attempt += 1;
                if !measure::wait_for_quiet(Duration::from_secs(20 * 60)) {
                    eprintln!("diplomatie-bench still running after 20 minutes: measuring anyway");
                }
                watcher.take();
                eprintln!("run {}/{runs}: automerge {}", run + 1, v.label);
                let mut r = RunFigures::default();
                let saved = (v.run)(&trace, &cfg, &mut r)?;
                if !watcher.take() {
                    break (r, saved);
                }
                disturbed += 1;
                if attempt == 3 {
                    eprintln!("diplomatie-bench ran during 3 attempts: keeping the last");
                    break (r, saved);
                }
                eprintln!("diplomatie-bench ran meanwhile: measuring this again");
            };
            figures.push(r);
            loads.push(measure::load_average());
            if run == 0 {
                memory.push(load_memory_in_child(v.label, &saved)?);
            }
        }
    }
    let (ins, del) = trace.inserts_and_deletes();
    println!(
        "Trace: {} ({} edits: {ins} inserts, {del} deletes; {} chars at the end). Times are medians of {runs} runs.\n",
        trace_path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        trace.patches.len(),
        trace.end_content.chars().count()
    );
    print_table(&versions, &all, &memory);
    let (lo, hi) = loads
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &l| (lo.min(l), hi.max(l)));
    let (wall, cpu) = (wall.elapsed(), measure::cpu_time().saturating_sub(cpu));
    println!(
        "\nMachine: {} CPUs; 1-minute load average between {lo:.2} and {hi:.2} during the runs \
         (sampled after each version's run); this process used {} of CPU in {} of wall time ({:.0}%); \
         {disturbed} version-runs redone because diplomatie-bench ran during them.",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        fmt_duration(cpu),
        fmt_duration(wall),
        100.0 * cpu.as_secs_f64() / wall.as_secs_f64(),
    );
    Ok(())
}

/// Memory is measured in a fresh process, so that what earlier workloads freed does not hide it.
fn load_memory_in_child(label: &str, saved: &[u8]) -> Result<LoadMemory> {
    let path = std::env::temp_dir().join(format!(
        "automerge-versions-{}-{label}.automerge",
        std::process::id()
    ));
    std::fs::write(&path, saved)?;
    let out = std::process::Command::new(std::env::current_exe()?)
        .args(["load-memory", label])
        .arg(&path)
        .output()?;
    std::fs::remove_file(&path)?;
    if !out.status.success() {
        bail!(
            "load-memory {label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn print_table(versions: &[Version], all: &[Vec<RunFigures>], memory: &[LoadMemory]) {
    let time = |f: fn(&RunFigures) -> Duration| -> Vec<String> {
        all.iter()
            .map(|runs| fmt_duration(median(runs.iter().map(f).collect())))
            .collect()
    };
    let last = |f: &dyn Fn(&RunFigures) -> String| -> Vec<String> {
        all.iter()
            .map(|runs| runs.last().map(f).unwrap_or_default())
            .collect()
    };
    let mut merge_rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut rows: Vec<(&str, Vec<String>)> = vec![
        ("1. trace apply, 1 commit per edit", time(|r| r.apply_each)),
        (
            "1. trace apply, 1 commit per 100 edits",
            time(|r| r.apply_batched),
        ),
        (
            "1. trace apply, `Automerge` + 1 transaction per 100 edits",
            time(|r| r.apply_manual_batched),
        ),
        (
            "1. heap held by the doc after the trace (1 commit/edit)",
            last(&|r| fmt_bytes(r.heap_after_apply)),
        ),
        (
            "2. save() size (trace doc, 1 commit/edit)",
            last(&|r| fmt_bytes(r.save_size)),
        ),
        ("2. save() time", time(|r| r.save_time)),
        ("2. load() time", time(|r| r.load_time)),
    ];
    rows.push((
        "2. memory after load: VmRSS growth (fresh process)",
        memory.iter().map(|m| fmt_bytes(m.rss_growth)).collect(),
    ));
    rows.push((
        "2. memory after load: live heap growth (counting allocator)",
        memory.iter().map(|m| fmt_bytes(m.heap_growth)).collect(),
    ));
    for (name, f) in [
        (
            "short",
            (|r| &r.merge_short) as fn(&RunFigures) -> &MergeFigures,
        ),
        ("long", |r| &r.merge_long),
    ] {
        let pair = |[a, b]: [usize; 2]| format!("{} + {}", fmt_bytes(a), fmt_bytes(b));
        let time = |g: fn(&MergeFigures) -> Duration| -> Vec<String> {
            all.iter()
                .map(|runs| fmt_duration(median(runs.iter().map(|r| g(f(r))).collect())))
                .collect()
        };
        let last = |g: &dyn Fn(&MergeFigures) -> String| -> Vec<String> {
            all.iter()
                .map(|runs| runs.last().map(|r| g(f(r))).unwrap_or_default())
                .collect()
        };
        merge_rows.extend([
            (
                format!("3. {name} history: merge = load_incremental both ways"),
                time(|m| m.time),
            ),
            (
                format!("3. {name} history: save_after(base) bytes, A→B + B→A"),
                last(&|m| pair(m.change_bytes)),
            ),
            (
                format!("3. {name} history: the same, deflated"),
                last(&|m| pair(m.change_bytes_deflated)),
            ),
            (
                format!("3. {name} history: sync protocol bytes, A→B + B→A (messages)"),
                last(&|m| format!("{} ({})", pair(m.sync_bytes), m.sync_msgs)),
            ),
            (
                format!("3. {name} history: sync protocol time until quiet"),
                time(|m| m.sync_time),
            ),
        ]);
    }
    rows.extend([
        (
            "2. sync of the trace doc to an empty peer: bytes",
            last(&|r| fmt_bytes(r.sync_empty_bytes)),
        ),
        (
            "2. sync of the trace doc to an empty peer: time",
            time(|r| r.sync_empty_time),
        ),
        (
            "4. draft, 3 replicas × 40 ¶ × 600 chars: total time",
            time(|r| r.draft_time),
        ),
        (
            "4. draft save() size",
            last(&|r| fmt_bytes(r.draft_save_size)),
        ),
        ("4. draft save() time", time(|r| r.draft_save_time)),
        ("4. draft load() time", time(|r| r.draft_load_time)),
    ]);
    print!("| measure |");
    for v in versions {
        print!(" automerge {} |", v.label);
    }
    println!();
    println!("|---|{}", "---:|".repeat(versions.len()));
    let mut all_rows: Vec<(String, Vec<String>)> =
        rows.into_iter().map(|(n, c)| (n.to_owned(), c)).collect();
    all_rows.extend(merge_rows);
    // Stable sort by section number, so the merge rows land between sections 2 and 4.
    all_rows.sort_by_key(|(name, _)| name.chars().next());
    for (name, cells) in all_rows {
        println!("| {name} | {} |", cells.join(" | "));
    }
}

/// Write, per version, a small merged draft and the trace doc, each with its content as JSON,
/// for `interop/check.mjs`.
fn interop_save(dir: &Path, trace_path: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let trace = Trace::read(trace_path)?;
    for v in versions() {
        let (saved, json) = (v.interop_draft)()?;
        std::fs::write(dir.join(format!("draft-{}.automerge", v.label)), saved)?;
        std::fs::write(
            dir.join(format!("draft-{}.json", v.label)),
            serde_json::to_vec_pretty(&json)?,
        )?;
        let saved = (v.trace_doc)(&trace)?;
        std::fs::write(dir.join(format!("trace-{}.automerge", v.label)), saved)?;
        std::fs::write(
            dir.join(format!("trace-{}.json", v.label)),
            serde_json::to_vec(&serde_json::json!({ "text": trace.end_content }))?,
        )?;
        println!("automerge {}: wrote draft-{0}.* and trace-{0}.*", v.label);
    }
    Ok(())
}

/// Load, with each version, the docs JavaScript saved (`js-*.automerge`) and compare with
/// the JSON JavaScript wrote beside them.
fn interop_load(dir: &Path) -> Result<()> {
    let mut failed = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !(name.starts_with("js-") && name.ends_with(".automerge")) {
            continue;
        }
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path.with_extension("json"))?)?;
        let saved = std::fs::read(&path)?;
        for v in versions() {
            let verdict = match (v.load_json)(&saved) {
                Ok(got) if got == expected => "loads, same content".to_owned(),
                Ok(_) => {
                    failed += 1;
                    "loads, DIFFERENT content".to_owned()
                }
                Err(e) => {
                    failed += 1;
                    format!("does not load: {e}")
                }
            };
            println!("{name} in automerge {}: {verdict}", v.label);
        }
    }
    if failed > 0 {
        bail!("{failed} interop failures");
    }
    Ok(())
}
