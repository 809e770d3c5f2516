//! A profile of one million items (`DIPLOMATIE_BENCH=million`, part of `make bench`).
//!
//! The corpus is built once and kept: an encrypted profile of 1,000,000 demo items and an
//! unkeyed database of the same schema holding the same items, in the benchmark cache
//! (`$DIPLOMATIE_BENCH_CACHE`, else `$XDG_CACHE_HOME/diplomatie-bench`, else
//! `~/.cache/diplomatie-bench`), under a name that holds the store's schema version: a new
//! migration builds it again. Building it ingests the million items into both, a batch into
//! one then the same batch into the other, so that whatever else the machine does weighs on
//! both alike; those two times are kept with the corpus and printed with the date they were
//! measured. Every run then measures, on the kept corpus:
//!
//! - ingest at a million: 20,000 more items into each, batch by batch alternately, then
//!   removed again (untimed), so the corpus stays as built;
//! - the bytes the encrypted store spends per item against the bytes of the items' own text,
//!   and what the rest is (SQLite's `dbstat`: the items' rows, their indexes, the full-text
//!   index, the audit log);
//! - search top 20 through the API against the same statements run by hand, over 100 varied
//!   queries (words, prefixes, phrases, filters, old items);
//! - the inbox: its first page, pages far down, the counts of its tabs;
//! - a cold unlock and `diplo check` in a fresh process;
//! - the open after an unclean shutdown: a child process writes a batch and aborts, leaving
//!   its write-ahead log, and a fresh process opens the store.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use diplomatie_client::INGEST_BATCH as BATCH;
use diplomatie_crypto::KdfCost;
use diplomatie_demo::DemoGenerator;
use diplomatie_domain::{Item, ItemKind, Marking, Precedence};
use diplomatie_store::{
    AuditAction, AuditRecord, NewItem, Page, Probe, RouteFilter, SCHEMA_VERSION, SearchQuery,
    Store, TriageFilter, Walk,
};
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{PASSPHRASE, Row, ms, percentile, row, user, verdict};

/// The size of the corpus.
pub const ITEMS: usize = 1_000_000;
/// Items ingested into the kept corpus by each run, then removed.
const MORE: usize = 20_000;
/// Bump when the generator's output changes, so that the kept corpus is built again.
const GENERATOR: u32 = 1;
/// The demo generator's seed for the corpus, and for the items each run adds.
const SEED: u64 = 11;
const MORE_SEED: u64 = 12;
/// How many times each inbox measure runs (the median and the slowest are printed).
const INBOX_RUNS: usize = 15;

/// What building the corpus measured, kept beside it.
#[derive(Serialize, Deserialize)]
struct Built {
    items: u64,
    /// The highest `items.seq` once built: every run removes what it added above it.
    last_seq: i64,
    encrypted_s: f64,
    unkeyed_s: f64,
    /// The bytes of the items' own text (`Store::plaintext_bytes_for_bench`).
    plaintext_bytes: u64,
    /// When it was built (RFC 3339).
    at: String,
}

struct Corpus {
    encrypted: PathBuf,
    unkeyed: PathBuf,
    built: Built,
}

fn cache_root() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("DIPLOMATIE_BENCH_CACHE") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("diplomatie-bench"));
    }
    let home = std::env::var_os("HOME")
        .context("set DIPLOMATIE_BENCH_CACHE to a folder for the million-item corpus")?;
    Ok(PathBuf::from(home).join(".cache/diplomatie-bench"))
}

/// The kept corpus of `items` items, built first if it is missing or stale.
fn corpus(items: usize) -> Result<Corpus> {
    let root = cache_root()?;
    let name = format!("corpus-{items}-schema{SCHEMA_VERSION}-gen{GENERATOR}");
    let dir = root.join(&name);
    let record = dir.join("built.json");
    if let Ok(text) = std::fs::read_to_string(&record) {
        let built: Built = serde_json::from_str(&text).with_context(|| {
            format!("{} is damaged: remove {}", record.display(), dir.display())
        })?;
        return Ok(Corpus {
            encrypted: dir.join("encrypted"),
            unkeyed: dir.join("unkeyed"),
            built,
        });
    }
    // Corpora of other schemas or generators are stale: their space is needed.
    std::fs::create_dir_all(&root)?;
    for entry in std::fs::read_dir(&root)? {
        let entry = entry?;
        let other = entry.file_name().to_string_lossy().into_owned();
        if other.starts_with(&format!("corpus-{items}-")) && other != name {
            eprintln!("removing the stale corpus {other}…");
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    let partial = root.join(format!("{name}.partial"));
    if partial.exists() {
        std::fs::remove_dir_all(&partial)?;
    }
    std::fs::create_dir_all(&partial)?;
    let built = build(&partial, items)?;
    std::fs::write(
        partial.join("built.json"),
        serde_json::to_vec_pretty(&built)?,
    )?;
    std::fs::rename(&partial, &dir)?;
    Ok(Corpus {
        encrypted: dir.join("encrypted"),
        unkeyed: dir.join("unkeyed"),
        built,
    })
}

/// A generator of `n` items received over the demo's window before `now`.
fn generator(seed: u64, n: usize, now: OffsetDateTime) -> DemoGenerator {
    DemoGenerator::new(seed, user(), now).with_expected_count(n as u64)
}

/// The moment the corpus' items arrive before.
fn corpus_now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Stores `batch` in `store` as the product's bulk ingest does; its time.
fn put(store: &Store, batch: &[Item]) -> Result<Duration> {
    let user = user();
    let routes: Vec<_> = batch.iter().map(|i| i.route_for(&user)).collect();
    let new: Vec<NewItem<'_>> = batch
        .iter()
        .zip(&routes)
        .map(|(item, route)| NewItem {
            route: *route,
            ..NewItem::new(item)
        })
        .collect();
    let audit = AuditRecord::new("bench", AuditAction::ItemImported);
    let start = Instant::now();
    store.put_items(&new, &audit)?;
    Ok(start.elapsed())
}

/// `n` items from `items` into both stores, batch by batch, the order alternating: the time
/// each took.
fn ingest_both(
    encrypted: &Store,
    unkeyed: &Store,
    items: impl Iterator<Item = Item>,
    n: usize,
    mut each_batch: impl FnMut(&[Item]),
) -> Result<(Duration, Duration)> {
    let (mut enc, mut plain) = (Duration::ZERO, Duration::ZERO);
    let mut batch = Vec::with_capacity(BATCH);
    let mut done = 0usize;
    let mut items = items.take(n).peekable();
    while items.peek().is_some() {
        batch.clear();
        batch.extend(items.by_ref().take(BATCH));
        each_batch(&batch);
        if (done / BATCH).is_multiple_of(2) {
            enc += put(encrypted, &batch)?;
            plain += put(unkeyed, &batch)?;
        } else {
            plain += put(unkeyed, &batch)?;
            enc += put(encrypted, &batch)?;
        }
        done += batch.len();
        if done.is_multiple_of(100_000) {
            eprintln!("  {done} of {n} items in both stores…");
        }
    }
    Ok((enc, plain))
}

fn build(dir: &Path, items: usize) -> Result<Built> {
    eprintln!(
        "building the {items}-item corpus in {} (once; a few minutes)…",
        dir.display()
    );
    let encrypted = Store::create(&dir.join("encrypted"), PASSPHRASE, KdfCost::DEFAULT)?;
    let unkeyed = Store::create_plaintext_for_bench(&dir.join("unkeyed"))?;
    let mut plaintext = 0u64;
    let (enc, plain) = ingest_both(
        &encrypted,
        &unkeyed,
        std::iter::from_fn({
            let mut g = generator(SEED, items, corpus_now());
            move || Some(g.next_item())
        }),
        items,
        |batch| {
            plaintext += batch
                .iter()
                .map(|i| Store::plaintext_bytes_for_bench(i, &[]))
                .sum::<u64>();
        },
    )?;
    let last_seq = last_seq_of(&encrypted)?;
    if last_seq != last_seq_of(&unkeyed)? {
        bail!("the two stores of the corpus hold different items");
    }
    checkpoint(&encrypted)?;
    checkpoint(&unkeyed)?;
    Ok(Built {
        items: items as u64,
        last_seq,
        encrypted_s: enc.as_secs_f64(),
        unkeyed_s: plain.as_secs_f64(),
        plaintext_bytes: plaintext,
        at: OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    })
}

fn last_seq_of(store: &Store) -> Result<i64> {
    Ok(store.with_raw_connection(|c| {
        c.query_row("SELECT coalesce(max(seq), 0) FROM items", [], |r| r.get(0))
    })?)
}

/// Moves the write-ahead log into the database and empties it.
fn checkpoint(store: &Store) -> Result<()> {
    store
        .with_raw_connection(|c| c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())))?;
    Ok(())
}

/// Removes every item above `last_seq` (what a run added), with everything attached to it.
/// The audit log is append-only: its entries of those items stay.
fn remove_above(store: &Store, last_seq: i64) -> Result<usize> {
    let removed = store.with_raw_connection(|c| -> rusqlite::Result<usize> {
        let tx = c.unchecked_transaction()?;
        tx.execute("DELETE FROM items_fts WHERE rowid > ?1", [last_seq])?;
        tx.execute("DELETE FROM thread_links WHERE item > ?1", [last_seq])?;
        tx.execute("DELETE FROM item_tags WHERE item > ?1", [last_seq])?;
        tx.execute("DELETE FROM attachments WHERE item > ?1", [last_seq])?;
        let n = tx.execute("DELETE FROM items WHERE seq > ?1", [last_seq])?;
        tx.commit()?;
        Ok(n)
    })?;
    checkpoint(store)?;
    Ok(removed)
}

/// The table's rows of the million-item profile.
pub fn rows(items: usize, queries: usize) -> Result<Vec<Row>> {
    let corpus = corpus(items)?;
    let built = &corpus.built;
    let mut rows = Vec::new();

    // What a run interrupted before its clean-up left behind goes first.
    let encrypted = Store::open(&corpus.encrypted, PASSPHRASE)?;
    let unkeyed = Store::open_plaintext_for_bench(&corpus.unkeyed)?;
    for store in [&encrypted, &unkeyed] {
        let left = remove_above(store, built.last_seq)?;
        if left > 0 {
            eprintln!("removed {left} items an interrupted run had added");
        }
    }
    let count = encrypted.item_count()?;
    if count != built.items {
        bail!(
            "the corpus holds {count} items, not {}: remove {} to build it again",
            built.items,
            corpus
                .encrypted
                .parent()
                .unwrap_or(&corpus.encrypted)
                .display()
        );
    }

    rows.push(row(
        format!(
            "ingest {items} items into new stores, encrypted / unkeyed (when built, {})",
            built.at.get(..10).unwrap_or("")
        ),
        format!(
            "{:.0} s / {:.0} s, ratio {:.2}",
            built.encrypted_s,
            built.unkeyed_s,
            built.encrypted_s / built.unkeyed_s.max(1e-9)
        ),
        format!(
            "≤ 1.10 {}",
            verdict(built.encrypted_s / built.unkeyed_s.max(1e-9) <= 1.10)
        ),
    ));

    // 1. Ingest at a million: 20,000 more into each, then removed.
    eprintln!("ingesting {MORE} more items into both stores of a million…");
    let (enc, plain) = ingest_both(
        &encrypted,
        &unkeyed,
        std::iter::from_fn({
            let mut g = generator(MORE_SEED, MORE, corpus_now() + time::Duration::days(30));
            move || Some(g.next_item())
        }),
        MORE,
        |_| {},
    )?;
    let ratio = enc.as_secs_f64() / plain.as_secs_f64().max(1e-9);
    rows.push(row(
        format!("ingest {MORE} more items at {items}, encrypted / unkeyed"),
        format!(
            "{:.2} s / {:.2} s, ratio {ratio:.2}",
            enc.as_secs_f64(),
            plain.as_secs_f64()
        ),
        format!("≤ 1.10 {}", verdict(ratio <= 1.10)),
    ));
    for store in [&encrypted, &unkeyed] {
        remove_above(store, built.last_seq)?;
    }

    // 2. Bytes per item.
    rows.extend(bytes_rows(&encrypted, &corpus.encrypted, built)?);

    // 3. Search.
    rows.extend(search_rows(&encrypted, queries)?);

    // 4. The inbox.
    rows.extend(inbox_rows(&encrypted)?);
    drop(encrypted);
    drop(unkeyed);

    // 5. A cold unlock and the full check, in a fresh process.
    eprintln!("unlocking the million in a fresh process, then checking every page…");
    let u = crate::unlock_in_child(&corpus.encrypted)?;
    rows.push(row(
        format!(
            "unlock, cold process, {} items (Argon2id {} included)",
            u.items, u.kdf
        ),
        format!("{:.0} ms", u.first_ms),
        "",
    ));
    rows.push(row(
        format!("full page check (diplo check), {:.0} MB", u.size_mb),
        format!("{:.1} s", u.check_ms / 1000.0),
        "",
    ));

    // 6. After an unclean shutdown.
    rows.extend(crash_rows(&corpus, u.first_ms)?);
    Ok(rows)
}

/// The store's bytes per item, against the items' own text, and where they go.
fn bytes_rows(store: &Store, dir: &Path, built: &Built) -> Result<Vec<Row>> {
    checkpoint(store)?;
    let file = std::fs::metadata(dir.join(diplomatie_store::DB_FILE))?.len();
    let wal = std::fs::metadata(dir.join(format!("{}-wal", diplomatie_store::DB_FILE)))
        .map(|m| m.len())
        .unwrap_or(0);
    // Pages left free by removals (the runs' own, here) are reused by later writes: they
    // are counted apart.
    let (free_pages, page_size): (i64, i64) = store.with_raw_connection(|c| {
        Ok::<_, rusqlite::Error>((
            c.query_row("PRAGMA freelist_count", [], |r| r.get(0))?,
            // SQLCipher answers this pragma as text.
            c.query_row("PRAGMA page_size", [], |r| {
                Ok(match r.get_ref(0)? {
                    rusqlite::types::ValueRef::Integer(n) => n,
                    other => other.as_str()?.trim().parse().unwrap_or(0),
                })
            })?,
        ))
    })?;
    let free = u64::try_from(free_pages * page_size).unwrap_or(0);
    let total = (file + wal).saturating_sub(free);
    let n = built.items.max(1);
    let per_item = total as f64 / n as f64;
    let text_per_item = built.plaintext_bytes as f64 / n as f64;
    let ratio = per_item / text_per_item.max(1e-9);
    let mut rows = vec![row(
        "store bytes per item (pages in use) / the item's own text (subject, body, headers, attachments)",
        format!(
            "{:.0} B / {:.0} B, {ratio:.2}× ({:.2} GB in use, {:.2} GB free)",
            per_item,
            text_per_item,
            total as f64 / 1e9,
            free as f64 / 1e9
        ),
        format!("≤ 2.5× {}", verdict(ratio <= 2.5)),
    )];
    // Where the bytes go, by SQLite's own count of its pages.
    let parts: Result<Vec<(String, i64)>, rusqlite::Error> = store.with_raw_connection(|c| {
        let mut stmt =
            c.prepare("SELECT name, sum(pgsize) FROM dbstat WHERE aggregate = 1 GROUP BY name")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
    });
    match parts {
        Ok(parts) => {
            let mut groups: Vec<(&str, i64)> = Vec::new();
            for (name, bytes) in parts {
                let group = match name.as_str() {
                    "items" => "the items' rows (the item as JSON, its columns)",
                    "items_fts_content" => "full-text index: its copy of the text",
                    "items_fts_data" | "items_fts_idx" => "full-text index: the index",
                    "items_fts_docsize" | "items_fts_config" => "full-text index: sizes",
                    "audit_log" | "audit_log_item" => "audit log",
                    n if n.starts_with("items_") || n.starts_with("sqlite_autoindex_items") => {
                        "the items' indexes (triage, filters, ids, dedupe)"
                    }
                    _ => "the rest (tags, threads, attachments, spaces, settings)",
                };
                match groups.iter_mut().find(|(g, _)| *g == group) {
                    Some((_, sum)) => *sum += bytes,
                    None => groups.push((group, bytes)),
                }
            }
            let rest = total as i64 - groups.iter().map(|(_, b)| b).sum::<i64>();
            groups.push(("the file's header and pointer maps", rest.max(0)));
            groups.sort_by_key(|(_, b)| std::cmp::Reverse(*b));
            for (group, bytes) in groups {
                rows.push(row(
                    format!("  of which {group}"),
                    format!(
                        "{:.0} B per item ({:.0} %)",
                        bytes as f64 / n as f64,
                        100.0 * bytes as f64 / total as f64
                    ),
                    "",
                ));
            }
        }
        Err(e) => rows.push(row(
            "  where the bytes go",
            format!("dbstat unavailable: {e}"),
            "",
        )),
    }
    Ok(rows)
}

/// 100 varied queries: words, two words, prefixes, phrases, in turn; one in five with a
/// filter, one in five over the oldest months only, one in five over one month of last year.
fn varied_queries(n: usize) -> Vec<SearchQuery> {
    let now = corpus_now();
    let window_start = now - time::Duration::days(548);
    crate::queries(n)
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let mut query = SearchQuery {
                text: q.text,
                page: Page::first(20),
                ..SearchQuery::default()
            };
            match i % 5 {
                1 => {
                    query.filter = match (i / 5) % 5 {
                        0 => TriageFilter {
                            kinds: vec![ItemKind::Telegram],
                            ..TriageFilter::default()
                        },
                        1 => TriageFilter {
                            route: Some(RouteFilter::Action),
                            ..TriageFilter::default()
                        },
                        2 => TriageFilter {
                            precedences: vec![Precedence::Flash, Precedence::Immediat],
                            ..TriageFilter::default()
                        },
                        3 => TriageFilter {
                            markings: vec![Marking::DiffusionRestreinte],
                            ..TriageFilter::default()
                        },
                        _ => TriageFilter {
                            unread_only: true,
                            kinds: vec![ItemKind::DiplomaticNote],
                            ..TriageFilter::default()
                        },
                    }
                }
                3 => query.to = Some(window_start + time::Duration::days(60)),
                4 => {
                    let from = window_start + time::Duration::days(120 + 7 * (i as i64 % 20));
                    query.from = Some(from);
                    query.to = Some(from + time::Duration::days(30));
                }
                _ => {}
            }
            query
        })
        .collect()
}

fn search_rows(store: &Store, n: usize) -> Result<Vec<Row>> {
    eprintln!("searching the million…");
    let qs = varied_queries(n);
    let run_api = |q: &SearchQuery| -> Result<(Duration, usize)> {
        let start = Instant::now();
        let hits = store.search(q)?;
        Ok((start.elapsed(), hits.len()))
    };
    // The same statements run by hand: the newest rowid, the stride, whether the search is
    // broad, then one ranking statement per range of tiers until the page is full (no query
    // parsing, summaries or snippets).
    let tier = i64::try_from(diplomatie_store::SEARCH_TIER_SIZE)?;
    let prepared: Vec<_> = qs
        .iter()
        .map(|q| store.search_statements_for_bench(q))
        .collect::<Result<_, _>>()?;
    let run_raw = |k: usize| -> Result<(Duration, usize)> {
        let (statements, filter_params, stride_params, parts, dates) =
            prepared.get(k).context("no such query")?;
        store.with_raw_connection(|c| -> Result<(Duration, usize)> {
            let start = Instant::now();
            let tx = c.unchecked_transaction()?;
            let Some(expression) = expression_by_hand(&tx, statements, parts)? else {
                return Ok((start.elapsed(), 0));
            };
            let newest: i64 = tx.query_row(statements.newest, [], |r| r.get(0))?;
            let mut params = filter_params.clone();
            params.push(Value::Text(expression.clone()));
            // With a date range, the rowids of the items written in it bound the tiers.
            let (low, high) = match dates {
                Some((from, to)) => {
                    let span: (Option<i64>, Option<i64>) = tx
                        .prepare_cached(statements.span)?
                        .query_row([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    span.0.zip(span.1).unwrap_or((1, 0))
                }
                None => (1, newest),
            };
            let stride: i64 = tx
                .prepare_cached(&statements.stride)?
                .query_row(params_from_iter(stride_params), |r| r.get(0))?;
            // Newest first with a phrase or a broad search, else as the probe and the filters
            // say, as the store walks.
            let relevance = !parts.iter().any(|p| p.phrase);
            let probe = if relevance {
                statements.probe(&tx, &expression, newest)?
            } else {
                None
            };
            let newest_first = !relevance || probe.is_some_and(Probe::broad);
            let Walk {
                rank,
                step,
                mut window,
            } = statements.walk(newest_first, probe, stride, 20, tier);
            let mut stmt = tx.prepare_cached(rank)?;
            let (mut hits, mut top) = (0usize, newest);
            while top >= low && hits < 20 {
                let bottom = top.saturating_sub(window).max(0);
                window = window.saturating_mul(2).min(step);
                if bottom >= high {
                    top = bottom;
                    continue;
                }
                let mut p = params.clone();
                p.extend([
                    Value::Integer(bottom.max(low - 1)),
                    Value::Integer(top.min(high)),
                    Value::Integer(newest),
                    Value::Integer(tier),
                    Value::Integer(i64::try_from(20 - hits)?),
                    Value::Integer(0),
                ]);
                hits += stmt
                    .query_map(params_from_iter(p), |r| r.get::<_, i64>(0))?
                    .count();
                top = bottom;
            }
            drop(stmt);
            tx.commit()?;
            Ok((start.elapsed(), hits))
        })
    };
    for (k, q) in qs.iter().enumerate() {
        run_api(q)?;
        run_raw(k)?;
    }
    let (mut api, mut raw) = (Vec::new(), Vec::new());
    // Each query's median through the API, to name the slowest.
    let mut medians: Vec<(Duration, usize)> = Vec::new();
    for (k, q) in qs.iter().enumerate() {
        let (mut a, mut r) = (Vec::new(), Vec::new());
        for repeat in 0..3 {
            let (ta, ha, tr, hr) = if (k + repeat) % 2 == 0 {
                let (ta, ha) = run_api(q)?;
                let (tr, hr) = run_raw(k)?;
                (ta, ha, tr, hr)
            } else {
                let (tr, hr) = run_raw(k)?;
                let (ta, ha) = run_api(q)?;
                (ta, ha, tr, hr)
            };
            if ha != hr {
                bail!("the API and the raw statements disagree on query {k} ({ha} / {hr} hits)");
            }
            a.push(ta);
            r.push(tr);
        }
        a.sort();
        r.sort();
        let median = percentile(&a, 50.0);
        medians.push((median, k));
        api.push(median);
        raw.push(percentile(&r, 50.0));
    }
    api.sort();
    raw.sort();
    let sum = |v: &[Duration]| v.iter().sum::<Duration>().as_secs_f64();
    let ratio = sum(&api) / sum(&raw).max(1e-9);
    let p95 = ms(percentile(&api, 95.0));
    let kind = |k: usize| match (k % 5, k % 4) {
        (1, _) => "with a filter",
        (3, _) => "the oldest months",
        (4, _) => "one month of last year",
        (_, 2) => "a prefix",
        (_, 3) => "a phrase",
        _ => "words",
    };
    medians.sort_by_key(|&(d, _)| std::cmp::Reverse(d));
    let slowest: Vec<String> = medians
        .iter()
        .take(5)
        .filter_map(|&(d, k)| {
            let q = qs.get(k)?;
            Some(format!("{} ({}) {:.0} ms", q.text, kind(k), ms(d)))
        })
        .collect();
    Ok(vec![
        row(
            format!(
                "search top-20, {} items, {} varied queries, API p50 / p95",
                store.item_count()?,
                qs.len()
            ),
            format!("{:.2} / {p95:.2} ms", ms(percentile(&api, 50.0))),
            format!("p95 ≤ 50 ms {}", verdict(p95 <= 50.0)),
        ),
        row(
            "search, the same statements by hand, p50 / p95",
            format!(
                "{:.2} / {:.2} ms",
                ms(percentile(&raw, 50.0)),
                ms(percentile(&raw, 95.0))
            ),
            "",
        ),
        row(
            "search ratio API / by hand (total over the queries)",
            format!("{ratio:.2}"),
            format!("≤ 1.10 {}", verdict(ratio <= 1.10)),
        ),
        row(
            "search, the five slowest queries (API, median)",
            slowest.join("; "),
            "",
        ),
    ])
}

/// The MATCH expression of `parts` as the store makes it: each prefix of a single word other
/// than of `INDEXED_PREFIX_CHARS` characters replaced by an OR of the index's words it covers
/// (if at most `MAX_EXPANSION`); `None` when one covers no word. (The queries hold no
/// prefix shorter than the prefix index, which the store refuses when it covers more.)
pub(crate) fn expression_by_hand(
    conn: &rusqlite::Connection,
    statements: &diplomatie_store::SearchStatements,
    parts: &[diplomatie_store::QueryPart],
) -> Result<Option<String>> {
    let mut out = Vec::new();
    for part in parts {
        match part
            .prefix_of
            .as_deref()
            .filter(|w| w.chars().count() != diplomatie_store::INDEXED_PREFIX_CHARS)
        {
            None => out.push(part.fts.clone()),
            Some(word) => {
                let limit = i64::try_from(diplomatie_store::MAX_EXPANSION + 1)?;
                let words: Vec<String> = conn
                    .prepare_cached(statements.words)?
                    .query_map(
                        rusqlite::params![word, format!("{word}\u{10FFFF}"), limit],
                        |r| r.get(0),
                    )?
                    .collect::<Result<_, _>>()?;
                if words.is_empty() {
                    return Ok(None);
                }
                if words.len() > diplomatie_store::MAX_EXPANSION {
                    out.push(part.fts.clone());
                } else {
                    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                    out.push(format!("({})", quoted.join(" OR ")));
                }
            }
        }
    }
    Ok(Some(out.join(" AND ")))
}

/// The median and the slowest of `INBOX_RUNS` runs of `f`.
fn timed(mut f: impl FnMut() -> Result<()>) -> Result<(Duration, Duration)> {
    f()?;
    let mut times = Vec::with_capacity(INBOX_RUNS);
    for _ in 0..INBOX_RUNS {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed());
    }
    times.sort();
    Ok((
        percentile(&times, 50.0),
        times.last().copied().unwrap_or_default(),
    ))
}

fn inbox_rows(store: &Store) -> Result<Vec<Row>> {
    eprintln!("reading the inbox of the million…");
    let n = store.item_count()?;
    let all = TriageFilter::default();
    let page = |filter: &TriageFilter, offset: u64| -> Result<()> {
        let items = store.triage(
            filter,
            Page {
                offset,
                limit: Page::DEFAULT_LIMIT,
            },
        )?;
        if items.is_empty() {
            bail!("the inbox page at {offset} is empty");
        }
        Ok(())
    };
    let mut rows = Vec::new();
    let mut add = |what: String, (median, max): (Duration, Duration)| {
        let ok = ms(max) <= 50.0;
        rows.push(row(
            what,
            format!("{:.2} ms (slowest {:.2})", ms(median), ms(max)),
            format!("≤ 50 ms {}", verdict(ok)),
        ));
    };
    add(
        format!("inbox first page (50 rows), {n} items"),
        timed(|| page(&all, 0))?,
    );
    add(
        "inbox, a page 5,000 rows down".into(),
        timed(|| page(&all, 5_000))?,
    );
    add(
        format!("inbox, a page halfway ({} rows down)", n / 2),
        timed(|| page(&all, n / 2))?,
    );
    let action = TriageFilter {
        route: Some(RouteFilter::Action),
        ..TriageFilter::default()
    };
    add(
        "inbox, the « for action » tab's first page".into(),
        timed(|| page(&action, 0))?,
    );
    add(
        "inbox counts of the tabs (total, per route, unread)".into(),
        timed(|| store.triage_counts(&all).map(|_| ()).map_err(Into::into))?,
    );
    let telegrams = TriageFilter {
        kinds: vec![ItemKind::Telegram],
        ..TriageFilter::default()
    };
    add(
        "inbox counts, telegrams only".into(),
        timed(|| {
            store
                .triage_counts(&telegrams)
                .map(|_| ())
                .map_err(Into::into)
        })?,
    );
    Ok(rows)
}

/// Child mode: opens the store, writes `MORE` items' worth of batches, and aborts without
/// closing it, leaving the write-ahead log as a crash would.
pub fn child_crash(dir: &Path) -> Result<()> {
    let store = Store::open(dir, PASSPHRASE)?;
    // No checkpoint may empty the log before the abort.
    store.with_raw_connection(|c| c.pragma_update(None, "wal_autocheckpoint", 0))?;
    let mut g = generator(MORE_SEED, MORE, corpus_now() + time::Duration::days(30));
    let items: Vec<Item> = (0..MORE).map(|_| g.next_item()).collect();
    for batch in items.chunks(BATCH) {
        put(&store, batch)?;
    }
    std::process::abort();
}

fn crash_rows(corpus: &Corpus, clean_open_ms: f64) -> Result<Vec<Row>> {
    eprintln!("writing {MORE} items and aborting, then opening again…");
    let status = std::process::Command::new(std::env::current_exe()?)
        .arg("--child-crash")
        .arg(&corpus.encrypted)
        .stderr(std::process::Stdio::null())
        .status()?;
    if status.success() {
        bail!("the child that should have aborted exited normally");
    }
    let wal = std::fs::metadata(
        corpus
            .encrypted
            .join(format!("{}-wal", diplomatie_store::DB_FILE)),
    )
    .map(|m| m.len())
    .unwrap_or(0);
    let u = crate::unlock_in_child(&corpus.encrypted)?;
    let store = Store::open(&corpus.encrypted, PASSPHRASE)?;
    let kept = store.item_count()?;
    remove_above(&store, corpus.built.last_seq)?;
    if kept != corpus.built.items + MORE as u64 {
        bail!(
            "after the abort the store holds {kept} items, not {}",
            corpus.built.items + MORE as u64
        );
    }
    let extra = u.first_ms - clean_open_ms;
    // The bound: recovering the log reads it once, at about a gigabyte a second.
    let bound = 100.0 + wal as f64 / 1e6;
    Ok(vec![row(
        format!(
            "unlock after an unclean shutdown ({:.0} MB of write-ahead log left, every write kept)",
            wal as f64 / 1e6
        ),
        format!(
            "{:.0} ms ({extra:+.0} ms against a clean unlock)",
            u.first_ms
        ),
        format!(
            "≤ clean + 100 ms + 1 ms per MB of log {}",
            verdict(extra <= bound)
        ),
    )])
}
