//! What the protections of secrets cost, measured here:
//!
//! - Argon2id, the passphrase's key derivation, at several costs (memory, passes): the time of
//!   one derivation, median of three, against the one-second unlock budget;
//! - SQLCipher's memory security (`PRAGMA cipher_memory_security`: the memory it allocates is
//!   locked and wiped when freed): ingest and search with it off and on. Once on it cannot be
//!   turned off for the process, so each measure runs in a child process of its own, off and on
//!   alternated, the best of two rounds of each kept.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use diplomatie_crypto::{KdfCost, KdfParams, derive_key};
use diplomatie_store::{Page, SearchQuery, Store};

use crate::{PASSPHRASE, Row, generate, in_child, ingest, ms, percentile, queries, row, verdict};

/// The costs measured: OWASP's two smallest Argon2id options, the default, and two dearer.
const COSTS: [(u32, u32); 5] = [
    (19 * 1024, 2),
    (46 * 1024, 1),
    (64 * 1024, 3),
    (128 * 1024, 3),
    (256 * 1024, 3),
];

/// The unlock budget a derivation must leave room in.
const UNLOCK_BUDGET: Duration = Duration::from_secs(1);

/// One child's measure of the store with memory security off or on.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct MemoryReport {
    /// What SQLCipher reported after the pragma (false in the "off" child).
    on: bool,
    ingest_s: f64,
    search_p50_ms: f64,
    search_p95_ms: f64,
}

/// Child mode: a store of `items` demo items made and searched `queries` times, with memory
/// security turned on first when `on`. Prints a [`MemoryReport`] as JSON.
pub fn child_memory(on: bool, items: usize, queries_n: usize) -> Result<()> {
    let reported = if on {
        let on = diplomatie_store::enable_memory_security_for_bench()?;
        if !on {
            bail!("SQLCipher did not turn memory security on");
        }
        on
    } else {
        false
    };
    let tmp = tempfile::tempdir()?;
    let store = Store::create(&tmp.path().join("store"), PASSPHRASE, KdfCost::MIN)?;
    let (generated, routes) = generate(items, 3);
    let ingested = ingest(&store, &generated, &routes)?;
    drop(generated);
    let qs = queries(queries_n);
    let search = |text: &str| -> Result<Duration> {
        let query = SearchQuery {
            text: text.to_owned(),
            page: Page::first(20),
            ..SearchQuery::default()
        };
        let start = Instant::now();
        store.search(&query)?;
        Ok(start.elapsed())
    };
    // One untimed pass warms the page cache; then each query three times, its median counts.
    for q in &qs {
        search(&q.text)?;
    }
    let mut times = Vec::with_capacity(qs.len());
    for q in &qs {
        let mut runs = [search(&q.text)?, search(&q.text)?, search(&q.text)?];
        runs.sort();
        let [_, median, _] = runs;
        times.push(median);
    }
    times.sort();
    let report = MemoryReport {
        on: reported,
        ingest_s: ingested.as_secs_f64(),
        search_p50_ms: ms(percentile(&times, 50.0)),
        search_p95_ms: ms(percentile(&times, 95.0)),
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn memory_in_child(on: bool, items: usize, queries_n: usize) -> Result<MemoryReport> {
    let (items, queries_n) = (items.to_string(), queries_n.to_string());
    in_child(&[
        "--child-memory".as_ref(),
        (if on { "on" } else { "off" }).as_ref(),
        items.as_ref(),
        queries_n.as_ref(),
    ])
}

/// The best (least disturbed) of two reports: the shortest ingest, the lowest percentiles.
fn best(a: MemoryReport, b: MemoryReport) -> MemoryReport {
    MemoryReport {
        on: a.on && b.on,
        ingest_s: a.ingest_s.min(b.ingest_s),
        search_p50_ms: a.search_p50_ms.min(b.search_p50_ms),
        search_p95_ms: a.search_p95_ms.min(b.search_p95_ms),
    }
}

/// The rows of both tables. `items` and `queries_n` size the memory-security store.
pub fn rows(items: usize, queries_n: usize) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (memory_kib, passes) in COSTS {
        let cost = KdfCost {
            memory_kib,
            passes,
            lanes: 1,
        };
        let mut times = Vec::with_capacity(3);
        for _ in 0..3 {
            let params = KdfParams::argon2id(cost)?;
            let start = Instant::now();
            derive_key(PASSPHRASE.as_bytes(), &params)?;
            times.push(start.elapsed());
        }
        times.sort();
        let median = percentile(&times, 50.0);
        let default = if cost == KdfCost::DEFAULT {
            " (default)"
        } else {
            ""
        };
        rows.push(row(
            format!("Argon2id {cost}{default}"),
            format!("{:.0} ms", ms(median)),
            format!("≤ 1 s unlock {}", verdict(median < UNLOCK_BUDGET)),
        ));
    }

    eprintln!("memory security: {items} items, off and on, two rounds each…");
    let off1 = memory_in_child(false, items, queries_n)?;
    let on1 = memory_in_child(true, items, queries_n)?;
    let off2 = memory_in_child(false, items, queries_n)?;
    let on2 = memory_in_child(true, items, queries_n)?;
    let (off, on) = (best(off1, off2), best(on1, on2));
    if !on.on {
        bail!("the memory-security child did not run with it on");
    }
    let pairs = [
        (
            format!("ingest {items} items"),
            format!("{:.2} s", off.ingest_s),
            format!("{:.2} s", on.ingest_s),
            on.ingest_s / off.ingest_s,
        ),
        (
            "search top-20 p50".to_owned(),
            format!("{:.2} ms", off.search_p50_ms),
            format!("{:.2} ms", on.search_p50_ms),
            on.search_p50_ms / off.search_p50_ms,
        ),
        (
            "search top-20 p95".to_owned(),
            format!("{:.2} ms", off.search_p95_ms),
            format!("{:.2} ms", on.search_p95_ms),
            on.search_p95_ms / off.search_p95_ms,
        ),
    ];
    for (what, off_v, on_v, ratio) in pairs {
        rows.push(row(
            format!("{what}, cipher_memory_security off / on"),
            format!("{off_v} / {on_v} ({ratio:.2}×)"),
            "",
        ));
    }
    Ok(rows)
}

/// Parses the child's arguments: `on|off ITEMS QUERIES`.
pub fn child_args(mut args: impl Iterator<Item = String>) -> Result<(bool, usize, usize)> {
    let on = match args.next().as_deref() {
        Some("on") => true,
        Some("off") => false,
        other => bail!("--child-memory needs on or off, not {other:?}"),
    };
    let mut number = || -> Result<usize> {
        match args.next().map(|n| n.parse::<usize>()) {
            Some(Ok(n)) => Ok(n),
            _ => bail!("--child-memory on|off ITEMS QUERIES"),
        }
    };
    Ok((on, number()?, number()?))
}
