//! Editing traces in the josephg/editing-traces format, and a generator of a trace with the
//! shape of `automerge-paper` (used because the real file could not be fetched here).

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result, ensure};
use serde::{Deserialize, Serialize};

use crate::rng::{Rng, Typist};

/// One single-position edit: delete `del` characters at `pos`, then insert `ins` there.
/// Positions count unicode code points (the format's unit, and automerge's default in Rust).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Patch(pub usize, pub usize, pub String);

#[derive(Debug, Serialize, Deserialize)]
pub struct Txn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub patches: Vec<Patch>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceFile {
    pub start_content: String,
    pub end_content: String,
    pub txns: Vec<Txn>,
}

/// A trace flattened to its patches.
#[derive(Debug)]
pub struct Trace {
    pub patches: Vec<Patch>,
    pub end_content: String,
}

impl Trace {
    pub fn read(path: &Path) -> Result<Trace> {
        let file = std::fs::File::open(path)
            .with_context(|| format!("open {} (run `gen-trace` to make it)", path.display()))?;
        let mut json = String::new();
        flate2::read::GzDecoder::new(file).read_to_string(&mut json)?;
        let parsed: TraceFile = serde_json::from_str(&json)?;
        ensure!(parsed.start_content.is_empty(), "traces must start empty");
        let patches = parsed.txns.into_iter().flat_map(|t| t.patches).collect();
        Ok(Trace {
            patches,
            end_content: parsed.end_content,
        })
    }

    pub fn inserts_and_deletes(&self) -> (usize, usize) {
        self.patches
            .iter()
            .fold((0, 0), |(i, d), Patch(_, del, ins)| {
                (i + ins.chars().count(), d + del)
            })
    }
}

/// Figures of josephg/editing-traces `sequential_traces/automerge-paper.json.gz`: 259,778
/// single-character edits, 182,315 inserts and 77,463 deletes (final text 104,852 chars),
/// one patch per transaction, pure ASCII.
pub const PAPER_INSERTS: usize = 182_315;
pub const PAPER_DELETES: usize = 77_463;

/// Generate a trace with the shape of automerge-paper: the same number of single-character
/// inserts and deletes, typed in runs (mean 12 characters) at a cursor that mostly moves on
/// by itself and sometimes jumps (8% of runs: anywhere, 2%: to the end), deletions as
/// backspace runs (mean 4), words and LaTeX-ish tokens as content. Deterministic for a seed.
pub fn generate(seed: u64) -> TraceFile {
    let mut rng = Rng::new(seed);
    let mut typist = Typist::new(seed ^ 0x5EED);
    let (mut ins_left, mut del_left) = (PAPER_INSERTS, PAPER_DELETES);
    let (ins_mean, del_mean) = (12.0, 4.0);
    let mut doc: Vec<u8> = Vec::new(); // the typist types ASCII
    let mut cursor = 0usize;
    let mut txns = Vec::with_capacity(ins_left + del_left);
    let mut push = |pos: usize, del: usize, ins: String| {
        txns.push(Txn {
            time: None,
            patches: vec![Patch(pos, del, ins)],
        });
    };
    while ins_left + del_left > 0 {
        let jump = rng.unit();
        if jump < 0.08 {
            cursor = rng.below(doc.len() + 1);
        } else if jump < 0.10 {
            cursor = doc.len();
        }
        // Choose runs so that both budgets run out together.
        let ins_runs = ins_left as f64 / ins_mean;
        let del_runs = del_left as f64 / del_mean;
        let delete = !doc.is_empty()
            && del_left > 0
            && (ins_left == 0 || rng.unit() < del_runs / (ins_runs + del_runs));
        if delete {
            let n = rng.run_length(del_mean, del_left.min(doc.len()));
            for _ in 0..n {
                if cursor > 0 {
                    cursor -= 1; // backspace
                } else if cursor == doc.len() {
                    break;
                }
                doc.remove(cursor);
                push(cursor, 1, String::new());
                del_left -= 1;
            }
        } else {
            let n = rng.run_length(ins_mean, ins_left.min(80));
            for _ in 0..n {
                let c = typist.next_char();
                doc.insert(cursor, c as u8);
                push(cursor, 0, c.to_string());
                cursor += 1;
                ins_left -= 1;
            }
        }
    }
    TraceFile {
        start_content: String::new(),
        end_content: String::from_utf8(doc).unwrap_or_default(),
        txns,
    }
}

pub fn write(path: &Path, trace: &TraceFile) -> Result<()> {
    let json = serde_json::to_vec(trace)?;
    let file = std::fs::File::create(path)?;
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    gz.write_all(&json)?;
    gz.finish()?;
    Ok(())
}
