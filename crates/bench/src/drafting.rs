//! The drafting benchmarks: our draft API (`diplomatie_draft::DraftDoc`) against the
//! raw automerge crate it wraps (0.12, same UTF-16 text encoding), on the same edits, in one run.
//!
//! 1. The editing trace (josephg/editing-traces format) on paragraph 0 of a telegram draft:
//!    `DraftDoc::splice_paragraph` against `AutoCommit::splice_text` on the same Text object of
//!    the same document (both load the same starting bytes), both calling `save_incremental`
//!    every 100 edits (one change per 100 edits, its bytes encoded as the app keeps them).
//! 2. Loading the draft saved after the trace: `DraftDoc::load` against
//!    `AutoCommit::load_with_options` with the same `LoadOptions`; memory after load as the VmRSS
//!    growth of a fresh child process (this binary, `--child-load-memory`).
//! 3. Two replicas of a 10-paragraph telegram diverge by 5,000 keystrokes each (typing runs at
//!    random places, seeded), then merge through `changes_since(peer's heads)` and
//!    `apply_changes`, both ways.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, LoadOptions, ObjId, ROOT, ReadDoc, TextEncoding, Value};
use diplomatie_domain::{ItemKind, Marking};
use diplomatie_draft::DraftDoc;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::{Row, in_child, row, verdict};

/// Edits per change in the trace workload.
const BATCH: usize = 100;
/// Keystrokes each replica types after the common base, in the merge workload.
const DIVERGE: usize = 5_000;
const PARAGRAPHS: usize = 10;
const PARAGRAPH_START: usize = 400;
const SEED: u64 = 2026;
const ACTOR: &[u8] = b"bench-trace-device";

pub struct Options {
    pub runs: usize,
    pub trace: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runs: 3,
            trace: Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../benches/data/automerge-paper-synth.json.gz"),
        }
    }
}

// ---- the trace ----

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TraceFile {
    start_content: String,
    end_content: String,
    txns: Vec<Txn>,
}

#[derive(serde::Deserialize)]
struct Txn {
    /// `[position, deleted, inserted]`, positions in code points.
    patches: Vec<(usize, usize, String)>,
}

struct Edit {
    pos: usize,
    del: usize,
    ins: String,
}

struct Trace {
    name: String,
    edits: Vec<Edit>,
    end: String,
}

fn read_trace(path: &Path) -> Result<Trace> {
    let file = std::fs::File::open(path).with_context(|| format!("open {}", path.display()))?;
    let mut json = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut json)?;
    let parsed: TraceFile = serde_json::from_str(&json)?;
    ensure!(
        parsed.start_content.is_empty(),
        "the trace must start empty"
    );
    let edits: Vec<Edit> = parsed
        .txns
        .into_iter()
        .flat_map(|t| t.patches)
        .map(|(pos, del, ins)| Edit { pos, del, ins })
        .collect();
    // The format counts code points and our API UTF-16 units: they agree on ASCII.
    if !parsed.end_content.is_ascii() || !edits.iter().all(|e| e.ins.is_ascii()) {
        bail!(
            "this bench needs an ASCII trace (its positions count code points, the API UTF-16 units)"
        );
    }
    Ok(Trace {
        name: path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        edits,
        end: parsed.end_content,
    })
}

// ---- small helpers ----

fn utf16() -> LoadOptions<'static> {
    LoadOptions::new().text_encoding(TextEncoding::Utf16CodeUnit)
}

fn raw_load(bytes: &[u8], actor: &[u8]) -> Result<AutoCommit> {
    Ok(AutoCommit::load_with_options(bytes, utf16())?.with_actor(ActorId::from(actor)))
}

fn object(doc: &AutoCommit, parent: &ObjId, prop: impl Into<automerge::Prop>) -> Result<ObjId> {
    match doc.get(parent, prop)? {
        Some((Value::Object(_), id)) => Ok(id),
        _ => bail!("the draft lacks an object the bench expects"),
    }
}

/// The Text object of paragraph `index` of a draft, as the raw crate sees it.
fn paragraph_text(doc: &AutoCommit, index: usize) -> Result<ObjId> {
    let paragraphs = object(doc, &ROOT, "paragraphs")?;
    let p = object(doc, &paragraphs, index)?;
    object(doc, &p, "text")
}

fn paragraph_texts(d: &DraftDoc) -> Vec<String> {
    d.view().paragraphs.into_iter().map(|p| p.text).collect()
}

fn isize_of(n: usize) -> Result<isize> {
    Ok(isize::try_from(n)?)
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs.get(xs.len() / 2).copied().unwrap_or_default()
}

fn median_usize(mut xs: Vec<usize>) -> usize {
    xs.sort_unstable();
    xs.get(xs.len() / 2).copied().unwrap_or_default()
}

fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.001 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// The median of several runs, with their spread.
fn fmt_runs(xs: &[Duration]) -> String {
    let (min, max) = (
        xs.iter().min().copied().unwrap_or_default(),
        xs.iter().max().copied().unwrap_or_default(),
    );
    if xs.len() < 2 {
        return fmt_duration(median(xs.to_vec()));
    }
    format!(
        "{} ({}–{})",
        fmt_duration(median(xs.to_vec())),
        fmt_duration(min),
        fmt_duration(max)
    )
}

fn fmt_bytes(b: usize) -> String {
    let f = b as f64;
    if f >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", f / (1024.0 * 1024.0))
    } else if f >= 1024.0 {
        format!("{:.1} KiB", f / 1024.0)
    } else {
        format!("{b} B")
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

/// Size of `bytes` deflated (flate2, default level), as an envelope would carry them.
fn deflated(bytes: &[u8]) -> Result<usize> {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(bytes)?;
    Ok(z.finish()?.len())
}

/// Resident set size from /proc/self/status, in bytes.
fn rss() -> Result<usize> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .context("no VmRSS in /proc/self/status")?
        .parse::<usize>()?;
    Ok(kb * 1024)
}

// ---- 1. the trace ----

/// A telegram draft with one empty paragraph, saved: the starting point of both paths.
fn starting_bytes() -> Result<Vec<u8>> {
    let mut d = DraftDoc::new(ItemKind::Telegram, ACTOR)?;
    d.insert_paragraph(0, Marking::NonProtege, "")?;
    Ok(d.save())
}

fn trace_api(start: &[u8], trace: &Trace) -> Result<(DraftDoc, Duration)> {
    let mut d = DraftDoc::load(start, ACTOR)?;
    let mut kept = 0usize;
    let t = Instant::now();
    for (i, e) in trace.edits.iter().enumerate() {
        d.splice_paragraph(0, e.pos, e.del, &e.ins)?;
        if (i + 1) % BATCH == 0 {
            kept += d.save_incremental().len();
        }
    }
    kept += d.save_incremental().len();
    let took = t.elapsed();
    ensure!(kept > 0, "no change bytes");
    ensure!(
        paragraph_texts(&d).first() == Some(&trace.end),
        "the API's text differs from endContent"
    );
    Ok((d, took))
}

#[derive(Clone, Copy, PartialEq)]
enum RawPattern {
    /// `save_incremental` every 100 edits, as the API path.
    SaveIncremental,
    /// `commit` every 100 edits: no bytes encoded.
    Commit,
    /// `save_incremental` every 100 edits, and before each splice the lookups
    /// `DraftDoc::splice_paragraph` makes (the paragraph, its text object, the text's length).
    SaveIncrementalWithLookups,
    /// The same with only the two `get`s (the paragraph, its text object).
    SaveIncrementalWithGets,
    /// The same with only the text's `length`.
    SaveIncrementalWithLength,
}

fn trace_raw(start: &[u8], trace: &Trace, pattern: RawPattern) -> Result<(AutoCommit, Duration)> {
    let mut d = raw_load(start, ACTOR)?;
    let paragraphs = object(&d, &ROOT, "paragraphs")?;
    let text = paragraph_text(&d, 0)?;
    let mut kept = 0usize;
    let t = Instant::now();
    for (i, e) in trace.edits.iter().enumerate() {
        let target = match pattern {
            RawPattern::SaveIncrementalWithLookups | RawPattern::SaveIncrementalWithGets => {
                let p = object(&d, &paragraphs, 0)?;
                object(&d, &p, "text")?
            }
            _ => text.clone(),
        };
        if matches!(
            pattern,
            RawPattern::SaveIncrementalWithLookups | RawPattern::SaveIncrementalWithLength
        ) {
            ensure!(d.length(&target) >= e.pos + e.del, "edit past the end");
        }
        d.splice_text(&target, e.pos, isize_of(e.del)?, &e.ins)?;
        if (i + 1) % BATCH == 0 {
            match pattern {
                RawPattern::Commit => {
                    d.commit();
                }
                _ => kept += d.save_incremental().len(),
            }
        }
    }
    match pattern {
        RawPattern::Commit => {
            d.commit();
        }
        _ => kept += d.save_incremental().len(),
    }
    let took = t.elapsed();
    ensure!(pattern == RawPattern::Commit || kept > 0, "no change bytes");
    ensure!(
        d.text(&text)? == trace.end,
        "the raw text differs from endContent"
    );
    Ok((d, took))
}

// ---- 2. load and its memory ----

#[derive(serde::Serialize, serde::Deserialize)]
struct LoadMemory {
    rss_growth: usize,
}

/// Child mode: load the draft at `path` through `which` ("api" or "raw") and print the VmRSS
/// growth as JSON. A fresh process, so that what the parent freed does not hide the cost.
pub fn child_load_memory(which: &str, path: &Path) -> Result<()> {
    let bytes = std::fs::read(path)?;
    let before = rss()?;
    let (after, paragraphs) = match which {
        "api" => {
            let d = DraftDoc::load(&bytes, b"bench-load-device")?;
            let after = rss()?;
            let n = d.paragraph_count();
            (after, n)
        }
        "raw" => {
            let d = raw_load(&bytes, b"bench-load-device")?;
            let after = rss()?;
            let n = d.length(object(&d, &ROOT, "paragraphs")?);
            (after, n)
        }
        other => bail!("--child-load-memory needs api or raw, not {other}"),
    };
    ensure!(
        paragraphs == 1,
        "the loaded draft should have one paragraph"
    );
    let report = LoadMemory {
        rss_growth: after.saturating_sub(before),
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn load_memory_in_child(which: &str, path: &Path) -> Result<usize> {
    let report: LoadMemory = in_child(&[
        "--child-load-memory".as_ref(),
        which.as_ref(),
        path.as_os_str(),
    ])?;
    Ok(report.rss_growth)
}

// ---- 3. merge ----

/// One person typing: runs of keystrokes (1–20, mean about 10) at a random place of a random
/// paragraph, 10% of them backspaces. Every character is one UTF-16 unit.
struct Typist {
    rng: StdRng,
    paragraph: usize,
    cursor: usize,
    run_left: usize,
}

const ALPHABET: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't',
    'u', 'v', 'x', 'y', 'é', 'è', 'à', 'ç', ' ', ' ', ' ', ' ', ' ', ',', '.',
];

impl Typist {
    fn new(seed: u64) -> Self {
        Typist {
            rng: StdRng::seed_from_u64(seed),
            paragraph: 0,
            cursor: 0,
            run_left: 0,
        }
    }

    fn text(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| {
                ALPHABET
                    .get(self.rng.random_range(0..ALPHABET.len()))
                    .copied()
                    .unwrap_or(' ')
            })
            .collect()
    }

    /// True when the next keystroke starts a new run: the typist paused.
    fn run_over(&self) -> bool {
        self.run_left == 0
    }

    /// The next keystroke as (paragraph, position, deleted, inserted); `lens` holds each
    /// paragraph's length and is kept up to date.
    fn keystroke(&mut self, lens: &mut [usize]) -> Result<(usize, usize, usize, String)> {
        if self.run_left == 0 {
            self.paragraph = self.rng.random_range(0..lens.len());
            let len = lens.get(self.paragraph).copied().unwrap_or(0);
            self.cursor = self.rng.random_range(0..=len);
            self.run_left = self.rng.random_range(1..=20);
        }
        self.run_left -= 1;
        let len = lens.get_mut(self.paragraph).context("no such paragraph")?;
        self.cursor = self.cursor.min(*len);
        if self.cursor > 0 && self.rng.random_bool(0.1) {
            self.cursor -= 1;
            *len -= 1;
            Ok((self.paragraph, self.cursor, 1, String::new()))
        } else {
            let c = self.text(1);
            self.cursor += 1;
            *len += 1;
            Ok((self.paragraph, self.cursor - 1, 0, c))
        }
    }
}

/// What a replica keeps of its edits: one change per typing run, or one per keystroke.
#[derive(Clone, Copy, PartialEq)]
enum Changes {
    PerRun,
    PerKeystroke,
}

struct Diverged {
    base_heads: Vec<String>,
    alice: Vec<u8>,
    bob: Vec<u8>,
}

fn diverge(changes: Changes) -> Result<Diverged> {
    let mut typist = Typist::new(SEED);
    let mut creator = DraftDoc::new(ItemKind::Telegram, b"carol")?;
    for i in 0..PARAGRAPHS {
        let text = typist.text(PARAGRAPH_START);
        creator.insert_paragraph(i, Marking::NonProtege, &text)?;
    }
    let base = creator.save();
    let base_heads = creator.heads();
    let mut out = Vec::new();
    for (actor, seed) in [(&b"alice"[..], SEED + 1), (&b"bob"[..], SEED + 2)] {
        let mut d = DraftDoc::load(&base, actor)?;
        let mut lens = vec![PARAGRAPH_START; PARAGRAPHS];
        let mut t = Typist::new(seed);
        for k in 0..DIVERGE {
            if changes == Changes::PerRun && k > 0 && t.run_over() {
                d.save_incremental();
            }
            let (p, pos, del, ins) = t.keystroke(&mut lens)?;
            d.splice_paragraph(p, pos, del, &ins)?;
            if changes == Changes::PerKeystroke {
                d.save_incremental();
            }
        }
        d.save_incremental();
        let texts = paragraph_texts(&d);
        ensure!(
            texts
                .iter()
                .map(|t| t.encode_utf16().count())
                .collect::<Vec<_>>()
                == lens,
            "the typist's lengths drifted from the draft's"
        );
        out.push(d.save());
    }
    let mut out = out.into_iter();
    Ok(Diverged {
        base_heads,
        alice: out.next().context("alice")?,
        bob: out.next().context("bob")?,
    })
}

struct MergeRun {
    /// `changes_since(peer's current heads)`, A→B and B→A.
    peer_bytes: (Vec<u8>, Vec<u8>),
    /// `changes_since(common base heads)`, A→B and B→A.
    base_bytes: (Vec<u8>, Vec<u8>),
    /// `apply_changes` of `peer_bytes`, both ways.
    apply_peer: Duration,
    /// `apply_changes` of `base_bytes`, both ways.
    apply_base: Duration,
    /// `DraftDoc::merge` in process, both ways.
    merge_in_process: Duration,
    /// raw `AutoCommit::load_incremental` of `peer_bytes`, both ways.
    raw_peer: Duration,
}

fn replicas(d: &Diverged) -> Result<(DraftDoc, DraftDoc)> {
    Ok((
        DraftDoc::load(&d.alice, b"alice")?,
        DraftDoc::load(&d.bob, b"bob")?,
    ))
}

fn check_converged(a: &mut DraftDoc, b: &mut DraftDoc) -> Result<()> {
    let (mut ha, mut hb) = (a.heads(), b.heads());
    ha.sort();
    hb.sort();
    ensure!(ha == hb, "the replicas' heads differ after the merge");
    let texts = paragraph_texts(a);
    ensure!(
        texts == paragraph_texts(b),
        "the replicas' texts differ after the merge"
    );
    ensure!(texts.len() == PARAGRAPHS, "paragraphs lost in the merge");
    Ok(())
}

fn merge_run(d: &Diverged) -> Result<MergeRun> {
    // Through the relay: the bytes each side asks for, then applied.
    let (mut a, mut b) = replicas(d)?;
    let (ha, hb) = (a.heads(), b.heads());
    let peer_bytes = (a.changes_since(&hb)?, b.changes_since(&ha)?);
    let t = Instant::now();
    b.apply_changes(&peer_bytes.0)?;
    a.apply_changes(&peer_bytes.1)?;
    let apply_peer = t.elapsed();
    check_converged(&mut a, &mut b)?;

    let (mut a, mut b) = replicas(d)?;
    let base_bytes = (
        a.changes_since(&d.base_heads)?,
        b.changes_since(&d.base_heads)?,
    );
    let t = Instant::now();
    b.apply_changes(&base_bytes.0)?;
    a.apply_changes(&base_bytes.1)?;
    let apply_base = t.elapsed();
    check_converged(&mut a, &mut b)?;

    let (mut a, mut b) = replicas(d)?;
    let t = Instant::now();
    a.merge(&mut b)?;
    b.merge(&mut a)?;
    let merge_in_process = t.elapsed();
    check_converged(&mut a, &mut b)?;

    let (mut a, mut b) = (raw_load(&d.alice, b"alice")?, raw_load(&d.bob, b"bob")?);
    let t = Instant::now();
    b.load_incremental(&peer_bytes.0)?;
    a.load_incremental(&peer_bytes.1)?;
    let raw_peer = t.elapsed();
    ensure!(
        a.get_heads() == b.get_heads(),
        "raw heads differ after the merge"
    );

    Ok(MergeRun {
        peer_bytes,
        base_bytes,
        apply_peer,
        apply_base,
        merge_in_process,
        raw_peer,
    })
}

fn merge_rows(rows: &mut Vec<Row>, changes: Changes, runs: usize) -> Result<()> {
    let label = match changes {
        Changes::PerRun => "one change per typing run",
        Changes::PerKeystroke => "one change per keystroke",
    };
    eprintln!("drafting: merge, {label}…");
    let d = diverge(changes)?;
    let mut all = Vec::new();
    for _ in 0..runs {
        all.push(merge_run(&d)?);
    }
    let times = |f: fn(&MergeRun) -> Duration| all.iter().map(f).collect::<Vec<_>>();
    let last = all.last().context("no merge run")?;
    let sizes = |(ab, ba): &(Vec<u8>, Vec<u8>)| -> Result<String> {
        Ok(format!(
            "{} + {} (deflated {} + {})",
            fmt_bytes(ab.len()),
            fmt_bytes(ba.len()),
            fmt_bytes(deflated(ab)?),
            fmt_bytes(deflated(ba)?)
        ))
    };
    let prefix = format!("3. merge, {DIVERGE} keystrokes each, {label}");
    rows.push(row(
        format!("{prefix}: bytes A→B + B→A, changes_since(peer's heads)"),
        sizes(&last.peer_bytes)?,
        "",
    ));
    rows.push(row(
        format!("{prefix}: bytes, changes_since(common base heads)"),
        sizes(&last.base_bytes)?,
        "",
    ));
    let apply_peer = times(|r| r.apply_peer);
    let raw_peer = times(|r| r.raw_peer);
    rows.push(row(
        format!("{prefix}: apply_changes both ways (peer's-heads bytes)"),
        format!(
            "{}; raw load_incremental {} (ratio {:.2})",
            fmt_runs(&apply_peer),
            fmt_runs(&raw_peer),
            ratio(median(apply_peer.clone()), median(raw_peer.clone()))
        ),
        "",
    ));
    rows.push(row(
        format!("{prefix}: apply_changes both ways (base-heads bytes)"),
        fmt_runs(&times(|r| r.apply_base)),
        "",
    ));
    rows.push(row(
        format!("{prefix}: DraftDoc::merge both ways, in process"),
        fmt_runs(&times(|r| r.merge_in_process)),
        "",
    ));
    Ok(())
}

// ---- the whole section ----

pub fn rows(opts: &Options) -> Result<Vec<Row>> {
    let runs = opts.runs.max(1);
    let trace = read_trace(&opts.trace)?;
    let start = starting_bytes()?;
    let mut rows = Vec::new();

    // 1. The trace, the four paths alternating their order from run to run.
    // The raw paths after the API's, in this order.
    let raw_paths = [
        RawPattern::SaveIncremental,
        RawPattern::Commit,
        RawPattern::SaveIncrementalWithLookups,
        RawPattern::SaveIncrementalWithGets,
        RawPattern::SaveIncrementalWithLength,
    ];
    let paths = raw_paths.len() + 1;
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); paths];
    let mut saved = (Vec::new(), Vec::new());
    for run in 0..runs {
        eprintln!("drafting: trace run {} of {runs}…", run + 1);
        for k in 0..paths {
            let path = (run + k) % paths;
            let took = match raw_paths.get(path.wrapping_sub(1)) {
                None => {
                    let (mut d, took) = trace_api(&start, &trace)?;
                    saved.0 = d.save();
                    took
                }
                Some(&pattern) => {
                    let (mut d, took) = trace_raw(&start, &trace, pattern)?;
                    if pattern == RawPattern::SaveIncremental {
                        saved.1 = d.save();
                    }
                    took
                }
            };
            if let Some(v) = times.get_mut(path) {
                v.push(took);
            }
        }
    }
    let mut times = times.into_iter();
    let mut next = || times.next().unwrap_or_default();
    let (api, raw, commit, lookups, gets, length) =
        (next(), next(), next(), next(), next(), next());
    let n = trace.edits.len();
    let per_edit = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    let (api_m, raw_m) = (median(api.clone()), median(raw.clone()));
    let trace_ratio = ratio(api_m, raw_m);
    rows.push(row(
        format!(
            "1. trace {} ({n} edits), DraftDoc::splice_paragraph, save_incremental every {BATCH}",
            trace.name
        ),
        format!("{} ({:.1} µs/edit)", fmt_runs(&api), per_edit(api_m)),
        "",
    ));
    rows.push(row(
        format!(
            "1. the same, raw AutoCommit::splice_text (UTF-16), save_incremental every {BATCH}"
        ),
        format!("{} ({:.1} µs/edit)", fmt_runs(&raw), per_edit(raw_m)),
        "",
    ));
    rows.push(row(
        "1. trace apply ratio API / raw",
        format!("{trace_ratio:.2}"),
        format!("≤ 1.50 {}", verdict(trace_ratio <= 1.5)),
    ));
    rows.push(row(
        format!("1. for comparison: raw, commit() every {BATCH} (no bytes encoded)"),
        fmt_runs(&commit),
        "",
    ));
    rows.push(row(
        "1. for comparison: raw + the lookups splice_paragraph makes (paragraph, text, length)",
        format!(
            "{} (ratio to raw {:.2})",
            fmt_runs(&lookups),
            ratio(median(lookups.clone()), raw_m)
        ),
        "",
    ));
    rows.push(row(
        "1. of which the two gets (paragraph, text object)",
        format!(
            "{} (ratio to raw {:.2})",
            fmt_runs(&gets),
            ratio(median(gets.clone()), raw_m)
        ),
        "",
    ));
    rows.push(row(
        "1. of which the text's length",
        format!(
            "{} (ratio to raw {:.2})",
            fmt_runs(&length),
            ratio(median(length.clone()), raw_m)
        ),
        "",
    ));
    rows.push(row(
        "1. final texts equal endContent",
        format!("API yes, raw yes ({} characters)", trace.end.len()),
        "",
    ));

    // 2. Load of the draft saved after the trace (one change per 100 edits).
    let saved_api = saved.0;
    let changes = raw_load(&saved_api, ACTOR)?.get_changes(&[]).len();
    rows.push(row(
        "2. draft saved after the trace: size, changes",
        format!(
            "{}, {changes} changes; raw's save() {}",
            fmt_bytes(saved_api.len()),
            if saved_api == saved.1 {
                "byte-identical".to_owned()
            } else {
                format!("differs ({})", fmt_bytes(saved.1.len()))
            }
        ),
        "",
    ));
    let (mut load_api, mut load_raw) = (vec![], vec![]);
    eprintln!("drafting: load…");
    for run in 0..runs.max(5) {
        for k in 0..2 {
            if (run + k) % 2 == 0 {
                let t = Instant::now();
                let d = DraftDoc::load(&saved_api, b"bench-load-device")?;
                load_api.push(t.elapsed());
                if run == 0 {
                    ensure!(
                        paragraph_texts(&d).first() == Some(&trace.end),
                        "the loaded draft's text differs"
                    );
                }
            } else {
                let t = Instant::now();
                let d = raw_load(&saved_api, b"bench-load-device")?;
                load_raw.push(t.elapsed());
                if run == 0 {
                    ensure!(
                        d.text(paragraph_text(&d, 0)?)? == trace.end,
                        "the raw loaded text differs"
                    );
                }
            }
        }
    }
    let load_ratio = ratio(median(load_api.clone()), median(load_raw.clone()));
    rows.push(row("2. load: DraftDoc::load", fmt_runs(&load_api), ""));
    rows.push(row(
        "2. load: raw AutoCommit::load_with_options (UTF-16 text encoding)",
        fmt_runs(&load_raw),
        "",
    ));
    rows.push(row(
        "2. load ratio API / raw",
        format!("{load_ratio:.2}"),
        format!("≤ 1.20 {}", verdict(load_ratio <= 1.2)),
    ));
    eprintln!("drafting: memory after load, in fresh processes…");
    let file = tempfile::NamedTempFile::new()?;
    std::fs::write(file.path(), &saved_api)?;
    let (mut mem_api, mut mem_raw) = (vec![], vec![]);
    for run in 0..runs {
        for k in 0..2 {
            if (run + k) % 2 == 0 {
                mem_api.push(load_memory_in_child("api", file.path())?);
            } else {
                mem_raw.push(load_memory_in_child("raw", file.path())?);
            }
        }
    }
    let (mem_api, mem_raw) = (median_usize(mem_api), median_usize(mem_raw));
    rows.push(row(
        "2. memory after load, VmRSS growth in a fresh process: API / raw",
        format!(
            "{} / {} (ratio {:.2})",
            fmt_bytes(mem_api),
            fmt_bytes(mem_raw),
            mem_api as f64 / mem_raw.max(1) as f64
        ),
        "",
    ));

    // 3. Merge of two diverged replicas.
    merge_rows(&mut rows, Changes::PerRun, runs)?;
    merge_rows(&mut rows, Changes::PerKeystroke, runs)?;
    Ok(rows)
}
