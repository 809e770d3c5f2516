//! `make bench`: the store's benchmarks, side by side in one run, printed as one table.
//!
//! - ingest of demo items into the encrypted store vs the same schema unkeyed (target ≤ 1.3×);
//! - top-20 full-text queries through the store API vs the raw FTS5 statements it runs, tier
//!   by tier (target ≤ 1.2×, p95 ≤ 50 ms), and the single untiered statement of before, with
//!   the slowest queries one by one;
//! - unlock time with the production key derivation, and a second open in the same process;
//! - drafting (`drafting.rs`): the editing trace, load and merge through our draft API vs the
//!   raw automerge crate (targets ≤ 1.5× and ≤ 1.2×).
//!
//! Usage: diplomatie-bench [--ingest N] [--search N] [--million N] [--queries N] [--quick]
//!                         [--drafting-runs N] [--trace PATH.json.gz]
//!        (defaults 100000, 200000, 1000000, 100; `--quick` divides the sizes by 20; 3 drafting runs;
//!        the trace benches/data/automerge-paper-synth.json.gz)
//!
//! - the protections of secrets (`security.rs`): Argon2id at several costs, and SQLCipher's
//!   memory security off and on (ingest, search), each in a child process.
//!
//! - signed clearance logs (`signatures.rs`): the replay of 1,000 signed entries with and
//!   without its signature checks, and the checks' throughput against raw Ed25519.
//!
//! - envelopes (`envelopes.rs`): sealing and opening against raw AES-256-GCM, on payloads of
//!   1 KiB, 64 KiB and 1 MiB.
//!
//! - catch-up (`catchup.rs`): 10,000 changes made offline by one member and pushed, then
//!   caught up by another in one sync: bytes on the wire and HTTP round trips, counted by a
//!   TCP proxy, against the envelopes' sizes.
//!
//! - MLS operations (`mls.rs`): add, remove and process a commit in a space of 200 devices,
//!   through the product (state in the encrypted store) against openmls alone (in memory).
//!
//! - the relay under load (`relay/`): the real relay binary pinned to one core, 200 live
//!   WebSocket clients in 20 spaces on the other, against an automerge-repo sync server from
//!   npm under the same load in the same run: deliveries per second, p50 / p99 from push to
//!   delivery, lost and duplicated deliveries counted (targets ≥ 50,000 deliveries/s at
//!   p99 < 10 ms, and ≥ 5× automerge-repo's deliveries/s).
//!
//! - a profile of a million items (`million.rs`), built once and kept in the benchmark cache:
//!   ingest at a million, bytes per item, search, the inbox, unlock, check, and the open
//!   after an unclean shutdown.
//!
//! `DIPLOMATIE_BENCH=store`, `drafting`, `security`, `signatures`, `envelopes`, `catchup`,
//! `mls`, `relay` or `million` runs only that part (default: all).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod catchup;
mod drafting;
mod envelopes;
mod million;
mod mls;
mod relay;
mod security;
mod signatures;

use anyhow::{Context, Result, bail};
use diplomatie_client::INGEST_BATCH as BATCH;
use diplomatie_crypto::{KdfCost, KdfParams, derive_key};
use diplomatie_demo::DemoGenerator;
use diplomatie_domain::{Item, Route, UserIdentity};
use diplomatie_store::{
    AuditAction, AuditRecord, NewItem, Page, SEARCH_TIER_SIZE, SearchQuery, SearchStatements,
    Store, kdf_runs,
};
use time::OffsetDateTime;

const PASSPHRASE: &str = "benchmark passphrase, long enough";

struct Args {
    ingest: usize,
    million: usize,
    search: usize,
    queries: usize,
    drafting: drafting::Options,
}

/// Which parts run, from `DIPLOMATIE_BENCH`.
struct Parts {
    store: bool,
    drafting: bool,
    security: bool,
    signatures: bool,
    envelopes: bool,
    catchup: bool,
    mls: bool,
    relay: bool,
    million: bool,
}

fn parts() -> Result<Parts> {
    match std::env::var("DIPLOMATIE_BENCH").as_deref() {
        Err(_) | Ok("") | Ok("all") => Ok(Parts {
            store: true,
            drafting: true,
            security: true,
            signatures: true,
            envelopes: true,
            catchup: true,
            mls: true,
            relay: true,
            million: true,
        }),
        Ok(
            one @ ("store" | "drafting" | "security" | "signatures" | "envelopes" | "mls"
            | "catchup" | "relay" | "million"),
        ) => Ok(Parts {
            store: one == "store",
            drafting: one == "drafting",
            security: one == "security",
            signatures: one == "signatures",
            envelopes: one == "envelopes",
            catchup: one == "catchup",
            mls: one == "mls",
            relay: one == "relay",
            million: one == "million",
        }),
        Ok(other) => {
            bail!(
                "DIPLOMATIE_BENCH={other}: use store, drafting, security, signatures, envelopes, catchup, mls, relay, million or all"
            )
        }
    }
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        ingest: 100_000,
        million: million::ITEMS,
        search: 200_000,
        queries: 100,
        drafting: drafting::Options::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<usize> {
            it.next()
                .with_context(|| format!("{name} needs a number"))?
                .parse()
                .with_context(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--ingest" => args.ingest = number("--ingest")?,
            "--search" => args.search = number("--search")?,
            "--million" => args.million = number("--million")?,
            "--queries" => args.queries = number("--queries")?,
            "--drafting-runs" => args.drafting.runs = number("--drafting-runs")?,
            "--trace" => {
                args.drafting.trace = it.next().context("--trace needs a path")?.into();
            }
            "--quick" => {
                args.ingest /= 20;
                args.search /= 20;
                args.million /= 20;
            }
            other => bail!("unknown argument {other}: see the header of crates/bench/src/main.rs"),
        }
    }
    Ok(args)
}

/// A new device certified by `identity`: its signing key and its certificate.
fn certified_device(
    identity: &diplomatie_crypto::SigningKey,
) -> Result<(
    diplomatie_crypto::SigningKey,
    diplomatie_protocol::DeviceCertificate,
)> {
    let key = diplomatie_crypto::SigningKey::generate()?;
    let certificate = diplomatie_protocol::DeviceCertificate::issue(
        identity,
        diplomatie_protocol::DeviceId(diplomatie_crypto::random_bytes()?),
        key.public_key(),
        diplomatie_crypto::AgreementKey::generate()?.public_key(),
        OffsetDateTime::now_utc(),
        None,
    )?;
    Ok((key, certificate))
}

fn user() -> UserIdentity {
    UserIdentity {
        name: "Alice Lefèvre".into(),
        units: vec!["DIPLOMATIE/DUE".into()],
        emails: vec!["alice.lefevre@diplomatie.gouv.example".into()],
    }
}

fn generate(n: usize, seed: u64) -> (Vec<Item>, Vec<Option<Route>>) {
    let user = user();
    let now =
        OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let items: Vec<Item> = DemoGenerator::new(seed, user.clone(), now)
        .with_expected_count(n as u64)
        .take(n)
        .collect();
    let routes = items.iter().map(|i| i.route_for(&user)).collect();
    (items, routes)
}

fn ingest(store: &Store, items: &[Item], routes: &[Option<Route>]) -> Result<Duration> {
    let audit = AuditRecord::new("bench", AuditAction::ItemImported);
    let start = Instant::now();
    for (chunk, chunk_routes) in items.chunks(BATCH).zip(routes.chunks(BATCH)) {
        let batch: Vec<NewItem<'_>> = chunk
            .iter()
            .zip(chunk_routes)
            .map(|(item, route)| NewItem {
                route: *route,
                ..NewItem::new(item)
            })
            .collect();
        store.put_items(&batch, &audit)?;
    }
    Ok(start.elapsed())
}

/// One query as a user types it, and the same as a bare FTS5 expression.
struct Query {
    text: String,
    fts: String,
}

fn queries(n: usize) -> Vec<Query> {
    let words = [
        "énergie",
        "élections",
        "sanctions",
        "gazoduc",
        "visa",
        "consulaire",
        "climat",
        "sahel",
        "commerce",
        "ministre",
        "négociations",
        "sommet",
        "otan",
        "santé",
        "réfugiés",
        "brexit",
        "investissements",
        "cybersécurité",
        "agriculture",
        "défense",
        "ambassade",
        "coopération",
        "nucléaire",
        "migrations",
        "pêche",
    ];
    let prefixes = [
        "énerg", "négo", "minist", "consul", "élect", "coop", "sécur", "réfug",
    ];
    let phrases = [
        "ministère des affaires étrangères",
        "haute considération",
        "présente ses compliments",
        "union européenne",
    ];
    (0..n)
        .map(|i| {
            let w = |k: usize| {
                words
                    .get((i * 7 + k * 3) % words.len())
                    .copied()
                    .unwrap_or("visa")
            };
            match i % 4 {
                0 => Query {
                    text: w(0).into(),
                    fts: format!("\"{}\"", w(0)),
                },
                1 => Query {
                    text: format!("{} {}", w(0), w(1)),
                    fts: format!("\"{}\" \"{}\"", w(0), w(1)),
                },
                2 => {
                    let p = prefixes
                        .get((i / 4) % prefixes.len())
                        .copied()
                        .unwrap_or("visa");
                    Query {
                        text: format!("{p}*"),
                        fts: format!("\"{p}\"*"),
                    }
                }
                _ => {
                    let p = phrases
                        .get((i / 4) % phrases.len())
                        .copied()
                        .unwrap_or("visa");
                    Query {
                        text: format!("\"{p}\""),
                        fts: format!("\"{p}\""),
                    }
                }
            }
        })
        .collect()
}

/// One timed run of a search path: its time, its hits, the tiers it ranked (raw path).
struct Timed {
    time: Duration,
    hits: usize,
    tiers: usize,
}

/// Every timing of one distinct query text, per path.
#[derive(Default)]
struct PerQuery {
    api: Vec<Duration>,
    raw: Vec<Duration>,
    untiered: Vec<Duration>,
    tiers: usize,
}

/// The slowest queries before tiers, shown one by one after the table.
const SLOW_QUERIES: usize = 8;

/// A line of that second table (median times in ms).
struct SlowRow {
    text: String,
    matches: String,
    untiered: f64,
    raw: f64,
    api: f64,
    tiers: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted
        .get(rank.min(sorted.len() - 1))
        .copied()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Row {
    measure: String,
    value: String,
    target: String,
}

fn row(measure: impl Into<String>, value: impl Into<String>, target: impl Into<String>) -> Row {
    Row {
        measure: measure.into(),
        value: value.into(),
        target: target.into(),
    }
}

/// The width of a table column: its widest cell or its header.
fn width<'a>(header: &'a str, cells: impl Iterator<Item = &'a str>) -> usize {
    cells
        .chain([header])
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// Child mode: time a cold unlock of DIR (nothing cached in this process), then a second open.
fn child_unlock(dir: &Path) -> Result<()> {
    let start = Instant::now();
    let store = Store::open(dir, PASSPHRASE)?;
    let first = start.elapsed();
    let runs = kdf_runs();
    drop(store);
    let start = Instant::now();
    let again = Store::open(dir, PASSPHRASE)?;
    let second = start.elapsed();
    let extra = kdf_runs() - runs;
    let params = again.kdf_params()?;
    let items = again.item_count()?;
    let start = Instant::now();
    again.verify_integrity()?;
    let check = start.elapsed();
    let size = std::fs::metadata(dir.join(diplomatie_store::DB_FILE))?.len();
    let report = UnlockReport {
        first_ms: ms(first),
        second_ms: ms(second),
        extra_kdf_runs: extra,
        kdf: params
            .argon2_cost()
            .context("the benchmark's store derives its key with Argon2id")?
            .to_string(),
        items,
        check_ms: ms(check),
        size_mb: size as f64 / 1e6,
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct UnlockReport {
    first_ms: f64,
    second_ms: f64,
    extra_kdf_runs: u64,
    /// The Argon2id cost of the store's key file, as `m=…,t=…,p=…`.
    kdf: String,
    items: u64,
    check_ms: f64,
    size_mb: f64,
}

/// Runs this binary again with `args` (a child mode) and parses the JSON it prints.
fn in_child<T: serde::de::DeserializeOwned>(args: &[&std::ffi::OsStr]) -> Result<T> {
    let out = Command::new(std::env::current_exe()?).args(args).output()?;
    if !out.status.success() {
        bail!(
            "child {:?} failed: {}",
            args.first(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn unlock_in_child(dir: &Path) -> Result<UnlockReport> {
    in_child(&["--child-unlock".as_ref(), dir.as_os_str()])
}

fn main() -> Result<()> {
    let mut raw = std::env::args().skip(1);
    match raw.next().as_deref() {
        Some("--child-unlock") => {
            let dir = raw.next().context("--child-unlock needs a directory")?;
            return child_unlock(Path::new(&dir));
        }
        Some("--child-memory") => {
            let (on, items, queries) = security::child_args(raw)?;
            return security::child_memory(on, items, queries);
        }
        Some("--child-relay-load") => {
            let job = raw.next().context("--child-relay-load needs its job")?;
            return relay::child_ours(&job);
        }
        Some("--child-automerge-load") => {
            let job = raw.next().context("--child-automerge-load needs its job")?;
            return relay::child_theirs(&job);
        }
        Some("--child-crash") => {
            let dir = raw.next().context("--child-crash needs a directory")?;
            return million::child_crash(Path::new(&dir));
        }
        Some("--child-load-memory") => {
            let which = raw.next().context("--child-load-memory needs api or raw")?;
            let path = raw.next().context("--child-load-memory needs a file")?;
            return drafting::child_load_memory(&which, Path::new(&path));
        }
        _ => {}
    }
    let args = parse_args()?;
    let parts = parts()?;
    if parts.store {
        let (rows, slow_rows) = store(&args)?;
        print_table(&rows);
        print_slow_queries(&slow_rows);
    }
    if parts.drafting {
        let rows = drafting::rows(&args.drafting)?;
        if parts.store {
            println!();
        }
        println!(
            "Drafting: our draft API vs raw automerge 0.12 (median of {} runs, (min–max)):",
            args.drafting.runs.max(1)
        );
        println!();
        print_table(&rows);
    }
    if parts.security {
        // A store of a tenth of the ingest benchmark's size, searched with the same queries.
        let rows = security::rows(args.ingest / 10, args.queries)?;
        if parts.store || parts.drafting {
            println!();
        }
        println!("Protections of secrets: Argon2id costs; SQLCipher's memory security off / on:");
        println!();
        print_table(&rows);
    }
    if parts.signatures {
        let rows = signatures::rows(args.drafting.runs)?;
        if parts.store || parts.drafting || parts.security {
            println!();
        }
        println!(
            "Signed clearance logs (median of {} runs):",
            args.drafting.runs.max(1)
        );
        println!();
        print_table(&rows);
    }
    // Whether a part before the k-th ran (a blank line then separates its table).
    let ran = [
        parts.store,
        parts.drafting,
        parts.security,
        parts.signatures,
        parts.envelopes,
        parts.catchup,
        parts.mls,
        parts.relay,
    ];
    let before = |k: usize| ran.iter().take(k).any(|&r| r);
    if parts.envelopes {
        let rows = envelopes::rows(args.drafting.runs)?;
        let title = format!(
            "Envelopes, sealed and opened (median of {} runs):",
            args.drafting.runs.max(5)
        );
        section(before(4), &title, &rows);
    }
    if parts.catchup {
        let rows = catchup::rows(catchup::CHANGES)?;
        let title = format!(
            "Catch-up after {} changes made offline, through a counting proxy:",
            catchup::CHANGES
        );
        section(before(5), &title, &rows);
    }
    if parts.mls {
        let rows = mls::rows(args.drafting.runs)?;
        let title = format!(
            "MLS operations in a space of 200 devices, product / openmls alone (median of {} rounds):",
            mls::rounds(args.drafting.runs)
        );
        section(before(6), &title, &rows);
    }
    if parts.relay {
        let rows = relay::rows()?;
        section(
            before(7),
            "The relay under load, each server pinned to one core, against automerge-repo's sync server:",
            &rows,
        );
    }
    if parts.million {
        let rows = million::rows(args.million, args.queries)?;
        let title = format!("A profile of {} items, built once and kept:", args.million);
        section(before(8), &title, &rows);
    }
    Ok(())
}

/// A part's title and table, after a blank line if another part's came before.
fn section(after_another: bool, title: &str, rows: &[Row]) {
    if after_another {
        println!();
    }
    println!("{title}");
    println!();
    print_table(rows);
}

/// The store's benchmarks: ingest, search, unlock. Returns the table's rows and the slowest
/// queries.
fn store(args: &Args) -> Result<(Vec<Row>, Vec<SlowRow>)> {
    let tmp = tempfile::tempdir()?;
    let mut rows = Vec::new();

    // 1. Ingest, encrypted vs unkeyed, same schema, same build; three rounds each,
    // alternating, the best of each kept (the least disturbed by the rest of the machine).
    eprintln!("generating {} demo items…", args.ingest);
    let (items, routes) = generate(args.ingest, 1);
    let mut enc = Duration::MAX;
    let mut plain = Duration::MAX;
    for round in 0..3 {
        eprintln!("ingest round {}…", round + 1);
        let dir = tmp.path().join(format!("plain{round}"));
        let p = Store::create_plaintext_for_bench(&dir)?;
        plain = plain.min(ingest(&p, &items, &routes)?);
        drop(p);
        std::fs::remove_dir_all(&dir)?;
        let dir = tmp.path().join(format!("enc{round}"));
        let e = Store::create(&dir, PASSPHRASE, KdfCost::MIN)?;
        enc = enc.min(ingest(&e, &items, &routes)?);
        drop(e);
        std::fs::remove_dir_all(&dir)?;
    }
    drop(items);
    let rate = |d: Duration| args.ingest as f64 / d.as_secs_f64();
    let ratio = enc.as_secs_f64() / plain.as_secs_f64();
    rows.push(row(
        format!("ingest {} items, encrypted", args.ingest),
        format!("{:.2} s ({:.0} items/s)", enc.as_secs_f64(), rate(enc)),
        "",
    ));
    rows.push(row(
        format!("ingest {} items, unkeyed", args.ingest),
        format!("{:.2} s ({:.0} items/s)", plain.as_secs_f64(), rate(plain)),
        "",
    ));
    rows.push(row(
        "ingest ratio encrypted / unkeyed",
        format!("{ratio:.2}"),
        format!("≤ 1.30 {}", verdict(ratio <= 1.3)),
    ));

    // 2. Search over a larger encrypted store: API vs the raw FTS5 statement, interleaved.
    eprintln!("building the {}-item search store…", args.search);
    let search_dir = tmp.path().join("search");
    let (items, routes) = generate(args.search, 2);
    let store = Store::create(&search_dir, PASSPHRASE, KdfCost::DEFAULT)?;
    ingest(&store, &items, &routes)?;
    drop(items);
    let qs = queries(args.queries);
    // The raw path: the statements the store runs for a query without filters (the newest
    // rowid, then one ranking statement per recency tier until 20 hits), without the API
    // around them (query parsing, filters, the read transaction, summaries, snippets).
    let tier = i64::try_from(SEARCH_TIER_SIZE)?;
    // For comparison: the ranking statement before tiers, every match scored.
    let untiered_sql = "SELECT rowid, bm25(items_fts, 10.0, 1.0, 4.0, 2.0, 2.0, 1.0) AS score \
                        FROM items_fts WHERE items_fts MATCH ?1 ORDER BY score, rowid DESC LIMIT 20";
    let run_api = |q: &Query| -> Result<Timed> {
        let query = SearchQuery {
            text: q.text.clone(),
            page: Page::first(20),
            ..SearchQuery::default()
        };
        let start = Instant::now();
        let hits = store.search(&query)?;
        Ok(Timed {
            time: start.elapsed(),
            hits: hits.len(),
            tiers: 0,
        })
    };
    // The statements of each query (ordered by bm25, or newest first with a phrase or when
    // broad) and the parts of its expression, as the store makes them (a prefix becomes the
    // words it covers).
    let parts: BTreeMap<&str, (SearchStatements, Vec<diplomatie_store::QueryPart>)> = qs
        .iter()
        .map(|q| {
            let query = SearchQuery {
                text: q.text.clone(),
                ..SearchQuery::default()
            };
            let (statements, _, _, parts, _) = store.search_statements_for_bench(&query)?;
            Ok((q.text.as_str(), (statements, parts)))
        })
        .collect::<Result<_>>()?;
    let run_raw = |q: &Query| -> Result<Timed> {
        store.with_raw_connection(|conn| {
            let start = Instant::now();
            let (statements, query_parts) =
                parts.get(q.text.as_str()).context("a query's parts")?;
            let Some(fts) = million::expression_by_hand(conn, statements, query_parts)? else {
                return Ok(Timed {
                    time: start.elapsed(),
                    hits: 0,
                    tiers: 0,
                });
            };
            let newest: i64 = conn.query_row(statements.newest, [], |r| r.get(0))?;
            // Newest first with a phrase or a broad search, else as the probe says, as the
            // store walks (no filters here).
            let relevance = !query_parts.iter().any(|p| p.phrase);
            let probe = if relevance {
                statements.probe(conn, &fts, newest)?
            } else {
                None
            };
            let newest_first = !relevance || probe.is_some_and(diplomatie_store::Probe::broad);
            let diplomatie_store::Walk {
                rank,
                step,
                mut window,
            } = statements.walk(newest_first, probe, 1, 20, tier);
            let mut stmt = conn.prepare_cached(rank)?;
            let (mut hits, mut tiers, mut top) = (0usize, 0usize, newest);
            while top > 0 && hits < 20 {
                let bottom = top.saturating_sub(window).max(0);
                window = window.saturating_mul(2).min(step);
                let wanted = i64::try_from(20 - hits)?;
                hits += stmt
                    .query_map((&fts, bottom, top, newest, tier, wanted, 0), |r| {
                        r.get::<_, i64>(0)
                    })?
                    .collect::<Result<Vec<_>, _>>()?
                    .len();
                tiers += 1;
                top = bottom;
            }
            Ok(Timed {
                time: start.elapsed(),
                hits,
                tiers,
            })
        })
    };
    let run_untiered = |q: &Query| -> Result<Timed> {
        store.with_raw_connection(|conn| {
            let start = Instant::now();
            let mut stmt = conn.prepare_cached(untiered_sql)?;
            let hits = stmt
                .query_map([&q.fts], |r| r.get::<_, i64>(0))?
                .collect::<Result<Vec<_>, _>>()?
                .len();
            Ok(Timed {
                time: start.elapsed(),
                hits,
                tiers: 1,
            })
        })
    };
    // One untimed pass warms the page cache for all three; then each query runs three times
    // per path, the order rotating so that none always goes first, and its median counts.
    for q in &qs {
        run_api(q)?;
        run_raw(q)?;
        run_untiered(q)?;
    }
    let (mut api_times, mut raw_times, mut untiered_times) = (Vec::new(), Vec::new(), Vec::new());
    // Per distinct query text: every timing of each path, and the tiers the raw path read.
    let mut by_text: BTreeMap<&str, PerQuery> = BTreeMap::new();
    let mut empty = 0;
    // Queries whose page read more than the newest tier, and the slowest of them (API).
    let (mut walked, mut walked_max) = (0usize, Duration::ZERO);
    for (i, q) in qs.iter().enumerate() {
        let mut runs: [Vec<Timed>; 3] = Default::default();
        for repeat in 0..3 {
            for k in 0..3 {
                let path = (i + repeat + k) % 3;
                let timed = match path {
                    0 => run_api(q)?,
                    1 => run_raw(q)?,
                    _ => run_untiered(q)?,
                };
                if let Some(v) = runs.get_mut(path) {
                    v.push(timed);
                }
            }
        }
        let hits = runs.each_ref().map(|v| v.last().map_or(0, |t| t.hits));
        if hits[0] != hits[1] || hits[1] != hits[2] {
            bail!("the API and the raw statements disagree on a query ({hits:?} hits)");
        }
        empty += usize::from(hits[0] == 0);
        let entry = by_text.entry(q.text.as_str()).or_default();
        entry.tiers = runs[1].last().map_or(0, |t| t.tiers);
        let more_than_one = entry.tiers > 1;
        let [api, raw, untiered] = runs.map(|v| {
            let mut times: Vec<Duration> = v.iter().map(|t| t.time).collect();
            times.sort();
            times
        });
        entry.api.extend(&api);
        entry.raw.extend(&raw);
        entry.untiered.extend(&untiered);
        if more_than_one {
            walked += 1;
            walked_max = walked_max.max(percentile(&api, 50.0));
        }
        api_times.push(percentile(&api, 50.0));
        raw_times.push(percentile(&raw, 50.0));
        untiered_times.push(percentile(&untiered, 50.0));
    }
    api_times.sort();
    raw_times.sort();
    untiered_times.sort();
    let p = |v: &[Duration]| (percentile(v, 50.0), percentile(v, 95.0));
    let ((a50, a95), (r50, r95), (u50, u95)) = (p(&api_times), p(&raw_times), p(&untiered_times));
    let sum = |v: &[Duration]| v.iter().sum::<Duration>().as_secs_f64();
    let search_ratio = sum(&api_times) / sum(&raw_times);
    rows.push(row(
        format!(
            "search top-20 (newest 50,000 first, then relevance), {} items, API p50 / p95",
            args.search
        ),
        format!("{:.2} / {:.2} ms", ms(a50), ms(a95)),
        format!("p95 ≤ 50 ms {}", verdict(ms(a95) <= 50.0)),
    ));
    rows.push(row(
        "search top-20, raw FTS5 statements (tiered), p50 / p95",
        format!("{:.2} / {:.2} ms", ms(r50), ms(r95)),
        "",
    ));
    rows.push(row(
        format!("search ratio API / raw (total over {} queries)", qs.len()),
        format!(
            "{search_ratio:.2} (p50 {:.2}, p95 {:.2})",
            ms(a50) / ms(r50).max(1e-9),
            ms(a95) / ms(r95).max(1e-9)
        ),
        format!("≤ 1.20 {}", verdict(search_ratio <= 1.2)),
    ));
    rows.push(row(
        "for comparison: one statement, no tiers (before), p50 / p95",
        format!("{:.2} / {:.2} ms", ms(u50), ms(u95)),
        "",
    ));
    rows.push(row("queries with no hit", empty.to_string(), ""));
    rows.push(row(
        "queries whose page read older tiers, slowest (API)",
        format!("{walked}, {:.2} ms", ms(walked_max)),
        "",
    ));

    // The slowest queries before tiers, each with its number of matches.
    let mut slow: Vec<(&str, PerQuery)> = by_text
        .into_iter()
        .map(|(text, mut per)| {
            per.api.sort();
            per.raw.sort();
            per.untiered.sort();
            (text, per)
        })
        .collect();
    slow.sort_by_key(|(_, per)| std::cmp::Reverse(percentile(&per.untiered, 50.0)));
    slow.truncate(SLOW_QUERIES);
    let mut slow_rows = Vec::new();
    for (text, per) in &slow {
        let fts = qs
            .iter()
            .find(|q| q.text == *text)
            .map_or("", |q| q.fts.as_str());
        let matches: i64 = store.with_raw_connection(|conn| {
            conn.query_row(
                "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?1",
                [fts],
                |r| r.get(0),
            )
        })?;
        slow_rows.push(SlowRow {
            text: (*text).to_owned(),
            matches: format!(
                "{matches} ({:.0} %)",
                100.0 * matches as f64 / args.search.max(1) as f64
            ),
            untiered: ms(percentile(&per.untiered, 50.0)),
            raw: ms(percentile(&per.raw, 50.0)),
            api: ms(percentile(&per.api, 50.0)),
            tiers: per.tiers,
        });
    }
    drop(store);

    // 3. Unlock: a fresh process opens the search store (KDF + page check), then opens it again.
    eprintln!("unlocking in a fresh process…");
    let u = unlock_in_child(&search_dir)?;
    let params = KdfParams::argon2id(u.kdf.parse::<KdfCost>()?)?;
    let start = Instant::now();
    derive_key(PASSPHRASE.as_bytes(), &params)?;
    let kdf = start.elapsed();
    rows.push(row(
        "key derivation",
        format!("Argon2id {}: {:.0} ms", u.kdf, ms(kdf)),
        "",
    ));
    rows.push(row(
        format!("unlock, cold process, {} items (KDF included)", u.items),
        format!("{:.0} ms", u.first_ms),
        "",
    ));
    rows.push(row(
        "open again in the same process",
        format!(
            "{:.1} ms, {} extra KDF run(s)",
            u.second_ms, u.extra_kdf_runs
        ),
        format!("0 KDF runs {}", verdict(u.extra_kdf_runs == 0)),
    ));
    rows.push(row(
        format!("full page check (diplo check), {:.0} MB", u.size_mb),
        format!("{:.0} ms", u.check_ms),
        "",
    ));

    Ok((rows, slow_rows))
}

fn print_table(rows: &[Row]) {
    let w1 = width("measure", rows.iter().map(|r| r.measure.as_str()));
    let w2 = width("value", rows.iter().map(|r| r.value.as_str()));
    println!("| {:w1$} | {:w2$} | target |", "measure", "value");
    println!("|{}|{}|--------|", "-".repeat(w1 + 2), "-".repeat(w2 + 2));
    for r in rows {
        println!("| {:w1$} | {:w2$} | {} |", r.measure, r.value, r.target);
    }
}

fn print_slow_queries(slow_rows: &[SlowRow]) {
    println!();
    println!(
        "The {} slowest queries before tiers (median ms; tiers = how many the page read):",
        slow_rows.len()
    );
    println!();
    let wq = width("query", slow_rows.iter().map(|r| r.text.as_str()));
    let wm = width("matches", slow_rows.iter().map(|r| r.matches.as_str()));
    println!(
        "| {:wq$} | {:wm$} | no tiers (before) | raw, tiered | API, tiered | tiers |",
        "query", "matches"
    );
    println!(
        "|{}|{}|-------------------|-------------|-------------|-------|",
        "-".repeat(wq + 2),
        "-".repeat(wm + 2)
    );
    for r in slow_rows {
        println!(
            "| {:wq$} | {:wm$} | {:>17.1} | {:>11.1} | {:>11.1} | {:>5} |",
            r.text, r.matches, r.untiered, r.raw, r.api, r.tiers
        );
    }
}
