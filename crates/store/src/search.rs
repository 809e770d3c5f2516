//! The order of search results: recency tiers, then relevance.
//!
//! Correspondence search is recency-tiered relevance, as in mail clients. The results of a
//! query come in one total order:
//!
//! 1. the **tier**, newest first: tier 0 holds the newest [`SEARCH_TIER_SIZE`] items of the
//!    store, tier 1 the next as many, and so on;
//! 2. within a tier, bm25 relevance (the subject weighted highest), best first; for a search
//!    holding a phrase, or a broad one, no relevance: every score is 0 (`Ranking::new` says
//!    why for a phrase);
//! 3. among equal scores, the newest first.
//!
//! A **broad** search matches more than a fifth of the newest 2,000 items
//! ([`BROAD_SHARE`], [`BROAD_PROBE_ITEMS`]; a store with fewer items has none): a common word,
//! or the first letters of one as they are typed (« mini », « con »). Its results come
//! newest first, as a mail client lists them. bm25 would cost it a pass over every item
//! holding its words before the first result (below: 45 ms for « mini » at a million items,
//! on every keystroke), and it weighs such words little (a word in a fifth of the items
//! weighs less than a third of a word in one item in a hundred; in half of them, nothing).
//! So does a search whose word being typed is broad by itself (« accord com »), or covers
//! more words than a prefix is put in place of (« accord comm »: `Ranking::order`). Typing
//! on narrows the search, and relevance orders it again.
//!
//! So a strong match in an old item comes after every match of the newest 50,000 items. A
//! user who wants older items narrows the search with the date filter (`from`, `to`): the
//! newer tiers then hold no match and the walk reaches the older ones.
//!
//! Why: bm25 has to score every match of a statement before its best are known (about
//! 0.7 µs per match), and the words a user types most often match a large share of the store
//! (`minist*` 78 % of the 200,000 demo items). Ranked tier by tier, a page costs the tiers it
//! reaches: a common word fills its page from tier 0 and scores a quarter of its matches (at
//! 200,000 items); a rare word walks every tier, each a cheap forward seek in the index
//! (`rowid > ? AND rowid <= ?`; iterating the index backwards, as `ORDER BY rowid DESC`
//! needs, is very slow for phrases: docs/BENCHMARKS.md). What tiers do not bound: before it
//! scores anything, bm25 counts, over the whole index, the items holding each word of the
//! expression (its IDF), once per statement. For the four words « mini » covers at a million
//! items that is about 45 ms, whatever the tier's size (docs/BENCHMARKS.md). Hence the probe
//! of the newest 2,000 items (`Probe`): a broad search skips bm25 altogether, and a search
//! that few of them match ranks as many tiers in one statement as should fill its page, so
//! that it pays the count once rather than once a tier; the order is the same.
//!
//! A tier is a range of FTS rowids (`items.seq`: the order items entered the store, which is
//! arrival order, not the date written). Its bounds come from the newest rowid, read in the
//! same read transaction as the statements of the page, so for one state of the store the
//! pages at consecutive offsets partition the results: no duplicate, no gap.

use rusqlite::Connection;
use rusqlite::types::Value;

use crate::query::{QueryPart, join_parts};
use crate::{Page, StoreError};

/// How many items one recency tier holds (see the module documentation).
pub const SEARCH_TIER_SIZE: u64 = 50_000;

/// bm25 column weights: subject, body, tags, addressees, headers, attachments, and the
/// facets, which a filter matches and which weigh nothing in the order.
const BM25_WEIGHTS: &str = "10.0, 1.0, 4.0, 2.0, 2.0, 1.0, 0.0";

/// The length of the index's own prefix index (migration 0018): a prefix of exactly this many
/// characters is answered by it.
pub const INDEXED_PREFIX_CHARS: usize = 3;
/// The shortest prefix put in place of the words it covers when there are few enough; one of
/// `INDEXED_PREFIX_CHARS` is answered by the prefix index, a shorter one only by its words.
pub const EXPANDED_PREFIX_CHARS: usize = 4;
/// The most words a prefix is put in place of. A longer prefix covering more stays a prefix
/// (FTS5 merges those words' lists); a shorter one covering more is refused, since it
/// would merge the lists of most of the store's words.
pub const MAX_EXPANSION: usize = 64;

/// The most words a prefix being typed is put in place of when the search is ordered newest
/// first (`Ranking::order`): no bm25 counts their items, each is only sought in a range.
pub const MAX_EXPANSION_NEWEST_FIRST: usize = 512;

/// The most tiers one statement ranks (see `SearchStatements::stride`).
pub const MAX_STRIDE: i64 = 64;

/// How many of the newest items tell whether a search is broad (see `Probe::broad`); a
/// store with fewer items has no broad search.
pub const BROAD_PROBE_ITEMS: i64 = 2_000;
/// A search is broad when it matches more than one item in `BROAD_SHARE` of the newest
/// `BROAD_PROBE_ITEMS`.
pub const BROAD_SHARE: i64 = 5;

/// The items of the first range a search ordered newest first reads (`Ranking::page`): a
/// broad search has hundreds of matches among them.
pub const NEWEST_FIRST_WINDOW: i64 = 2_000;

/// The statements of a search. `newest` reads the newest rowid, from which the tiers are
/// counted; `span` reads the lowest and highest rowid of the items written in a date range
/// (from, inclusive, and to, exclusive, in nanoseconds), outside which no tier is ranked;
/// `stride` reads how many tiers one statement ranks; `rank` ranks the matches of a range of
/// tiers and `count` counts them. Both take, in order, the filters' parameters, the MATCH
/// expression, the range's bounds (`rowid > ?` and `rowid <= ?`); `rank` then takes the
/// newest rowid and the tier size (its order is the tier first), LIMIT and OFFSET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchStatements {
    pub newest: &'static str,
    pub span: &'static str,
    /// How many tiers one statement ranks, from the tally of the counts (migration 0015):
    /// the store's items over those the filters pass, at most `MAX_STRIDE`; 1 without
    /// filters, or with an origin or a tag, which the tally does not hold. Its parameters
    /// are the filters' as the tally reads them (`stride_sql` in `store.rs`).
    pub stride: String,
    /// The words of the index (its list, `words.rs`) from ?1 (inclusive) to ?2 (exclusive),
    /// at most ?3.
    pub words: &'static str,
    /// How many of the items above rowid ?2 the MATCH expression ?1 matches (`Probe`).
    pub probe: &'static str,
    pub rank: String,
    /// `rank` with every score 0: newest first within the tiers (a broad search).
    pub rank_newest: String,
    pub count: String,
}

impl SearchStatements {
    /// `join` keeps the FTS rows whose item passes the filters (empty when there are none);
    /// `stride` is the statement of the field of that name; `relevance` orders each tier by
    /// bm25, else newest first (a search holding a phrase: see `Ranking::new`).
    pub(crate) fn new(join: &str, stride: String, relevance: bool) -> Self {
        let from = format!(
            "FROM items_fts {join} WHERE items_fts MATCH ? \
             AND items_fts.rowid > ? AND items_fts.rowid <= ?"
        );
        let score = if relevance {
            format!("bm25(items_fts, {BM25_WEIGHTS})")
        } else {
            "0.0".to_owned()
        };
        // The tier is an expression, so SQLite sorts the rows the scan gives (forward):
        // FTS5 never iterates backwards, which is very slow for phrases.
        let rank = |score: &str| {
            format!(
                "SELECT items_fts.rowid, {score} AS score {from} \
                 ORDER BY (? - items_fts.rowid) / ?, score, items_fts.rowid DESC \
                 LIMIT ? OFFSET ?"
            )
        };
        SearchStatements {
            // items.seq is the FTS rowid; its b-tree answers at once.
            newest: "SELECT coalesce(max(seq), 0) FROM items",
            // One pass over the date range in the index of `written_at` (which holds the
            // rowid), however many items match the words.
            span: "SELECT min(seq), max(seq) FROM items INDEXED BY items_written \
                   WHERE written_at >= ?1 AND written_at < ?2",
            words: "SELECT word FROM index_words WHERE word >= ?1 AND word < ?2 LIMIT ?3",
            stride,
            probe: "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?1 \
                    AND items_fts.rowid > ?2",
            rank: rank(&score),
            rank_newest: rank("0.0"),
            count: format!("SELECT count(*) {from}"),
        }
    }
}

/// What the newest `BROAD_PROBE_ITEMS` items say of a search's words: how many of them match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub matches: i64,
}

impl Probe {
    /// A broad search matches more than one in `BROAD_SHARE` of the items probed.
    pub fn broad(self) -> bool {
        self.matches.saturating_mul(BROAD_SHARE) > BROAD_PROBE_ITEMS
    }

    /// How many tiers of `tier` items one statement should rank so that `wanted` matches
    /// come from it, if the words are as frequent in the older items as in the newest: one
    /// for a common word, up to `MAX_STRIDE` for a rare one (none in the items probed). Each
    /// statement costs bm25's count of each word's items over the whole index, so a rare
    /// search that walked the tiers one by one paid it twenty times at a million items.
    pub fn stride(self, wanted: u64, tier: i64) -> i64 {
        let per_tier = self.matches.saturating_mul(tier) / BROAD_PROBE_ITEMS;
        if per_tier <= 0 {
            return MAX_STRIDE;
        }
        let wanted = i64::try_from(wanted).unwrap_or(i64::MAX);
        (wanted.saturating_add(per_tier - 1) / per_tier).clamp(1, MAX_STRIDE)
    }
}

/// How a search walks its tiers (`SearchStatements::walk`): the ranking statement, the most
/// items one statement ranks, and the items of the first range read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walk<'a> {
    pub rank: &'a str,
    pub step: i64,
    pub window: i64,
}

impl SearchStatements {
    /// The walk of a search ordered newest first or not, with what the probe of the newest
    /// items found, `stride` tiers a statement from the filters, `wanted` matches (the page's
    /// end) and tiers of `tier` items. A statement ranks `stride` tiers at once, still in the
    /// order of the tiers (its ORDER BY begins with the tier): a filter that passes one item
    /// in ten ranks about as many matches in ten tiers as a search without filters does in
    /// one, and so do words that few of the newest items hold (`Probe::stride`); each
    /// statement costs bm25's count of each word's items over the whole index. Newest first,
    /// the order is the rowids' whatever the tiers: the walk reads `NEWEST_FIRST_WINDOW`
    /// items first, then doubles the range up to `step`, so that the page of a common word
    /// comes from its newest matches, not from sorting a whole tier's.
    pub fn walk(
        &self,
        newest_first: bool,
        probe: Option<Probe>,
        stride: i64,
        wanted: u64,
        tier: i64,
    ) -> Walk<'_> {
        let stride = match probe {
            Some(probe) if !newest_first => stride.saturating_mul(probe.stride(wanted, tier)),
            _ => stride,
        };
        let step = tier.saturating_mul(stride.clamp(1, MAX_STRIDE));
        if newest_first {
            Walk {
                rank: &self.rank_newest,
                step,
                window: NEWEST_FIRST_WINDOW.min(step),
            }
        } else {
            Walk {
                rank: &self.rank,
                step,
                window: step,
            }
        }
    }

    /// How many of the newest `BROAD_PROBE_ITEMS` items the MATCH `expression` matches;
    /// `None` in a smaller store. Read in well under a millisecond, each word's list sought
    /// from the newest items on.
    pub fn probe(
        &self,
        conn: &Connection,
        expression: &str,
        newest: i64,
    ) -> Result<Option<Probe>, StoreError> {
        if newest < BROAD_PROBE_ITEMS {
            return Ok(None);
        }
        let matches: i64 = conn
            .prepare_cached(self.probe)?
            .query_row(
                rusqlite::params![expression, newest - BROAD_PROBE_ITEMS],
                |r| r.get(0),
            )
            .map_err(fts_error)?;
        Ok(Some(Probe { matches }))
    }
}

fn fts_error(err: rusqlite::Error) -> StoreError {
    let text = err.to_string();
    if text.contains("fts5") {
        StoreError::InvalidQuery(format!("the search could not be understood ({text})"))
    } else {
        err.into()
    }
}

/// One search, ready to rank: its statements, the filters' parameters and the parts of its
/// expression.
pub(crate) struct Ranking {
    /// The tiers are ordered by bm25 unless the search is broad (`Ranking::order`);
    /// false for a search holding a phrase.
    relevance: bool,
    statements: SearchStatements,
    /// The filters' parameters (the MATCH expression follows them).
    filter_params: Vec<Value>,
    /// The parameters of the `stride` statement.
    stride_params: Vec<Value>,
    parts: Vec<QueryPart>,
    /// The date range of the search (from, inclusive, to, exclusive, in nanoseconds), if it
    /// has one.
    dates: Option<(i64, i64)>,
}

impl Ranking {
    /// A search holding a phrase (`QueryPart::phrase`) is ordered newest first within its
    /// tiers, not by bm25: bm25 counts, in every statement, the items holding each part of
    /// the expression over the whole index, and for a phrase that means checking the
    /// positions of its words in every item holding them all (82 ms for « ministère des
    /// affaires étrangères » at a million items, where a word's count is read from its list
    /// in about a millisecond).
    pub(crate) fn new(
        join: &str,
        filter_params: Vec<Value>,
        (stride, stride_params): (String, Vec<Value>),
        parts: Vec<QueryPart>,
        dates: Option<(i64, i64)>,
    ) -> Self {
        let relevance = !parts.iter().any(|p| p.phrase);
        Ranking {
            relevance,
            statements: SearchStatements::new(join, stride, relevance),
            filter_params,
            stride_params,
            parts,
            dates,
        }
    }

    /// The MATCH expression, each prefix of a single word other than of
    /// `INDEXED_PREFIX_CHARS` characters put in place of the words of the index it covers
    /// (`("ministre" OR "ministere")`), at most `max_expansion` of them; `None` when such a
    /// prefix covers no word, so that nothing matches. A prefix shorter than the prefix index
    /// that covers more words is searched as a whole word when it is the last word being
    /// typed, and refused, with what to type instead, when a star asked for it. With it, the
    /// part of the word being typed, if the search has one.
    ///
    /// Why: FTS5 answers a prefix by merging the whole lists of every word it covers before
    /// it applies a tier's range of rowids, so a prefix costs the size of the store (`minist*`
    /// 140 ms at a million items), where each word of an OR is sought within the tier's range.
    fn expression(
        &self,
        conn: &Connection,
        max_expansion: usize,
    ) -> Result<Option<Expression>, StoreError> {
        let mut parts = Vec::with_capacity(self.parts.len());
        let mut typed = None;
        for part in &self.parts {
            let (fts, left_a_prefix) = match self.part(conn, part, max_expansion)? {
                Some(fts) => fts,
                None => return Ok(None),
            };
            if part.or_whole_word.is_some() {
                typed = Some(Typed {
                    fts: fts.clone(),
                    left_a_prefix,
                });
            }
            parts.push(fts);
        }
        Ok(Some(Expression {
            fts: join_parts(parts.iter().map(String::as_str)),
            typed,
        }))
    }

    /// The MATCH expression of one part (see `expression`), and whether it is a prefix that
    /// covers more than `max_expansion` words and was left as it was.
    fn part(
        &self,
        conn: &Connection,
        part: &QueryPart,
        max_expansion: usize,
    ) -> Result<Option<(String, bool)>, StoreError> {
        let Some((word, chars)) = part
            .prefix_of
            .as_deref()
            .map(|w| (w, w.chars().count()))
            .filter(|&(_, chars)| chars != INDEXED_PREFIX_CHARS)
        else {
            return Ok(Some((part.fts.clone(), false)));
        };
        let words = self.words(conn, word, max_expansion)?;
        if words.is_empty() {
            Ok(None)
        } else if words.len() <= max_expansion {
            Ok(Some((or_of(&words), false)))
        } else if chars >= EXPANDED_PREFIX_CHARS {
            Ok(Some((part.fts.clone(), true)))
        } else if let Some(whole) = &part.or_whole_word {
            Ok(Some((whole.clone(), false)))
        } else {
            Err(StoreError::InvalidQuery(format!(
                "« {word}* » : a prefix of fewer than {INDEXED_PREFIX_CHARS} letters \
                 covers too many words; type at least {INDEXED_PREFIX_CHARS} letters \
                 before the star, or the whole word without it"
            )))
        }
    }

    /// The words of the index starting with `prefix`, at most one more than `limit`.
    fn words(
        &self,
        conn: &Connection,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let end = format!("{prefix}\u{10FFFF}");
        let limit = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        let mut stmt = conn.prepare_cached(self.statements.words)?;
        let words = stmt
            .query_map(rusqlite::params![prefix, end, limit], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(words)
    }

    /// Whether the search is to be ordered newest first, with the MATCH expression to rank it
    /// by, and what the probe of the newest items found (when it ran). Newest first: a search
    /// holding a phrase; a broad search; a search whose word being typed is broad by itself
    /// (« accord com »), or is a prefix covering more than `MAX_EXPANSION` words (« accord
    /// comm »). The last two are the words still being typed: bm25 would count, on every
    /// keystroke, the items holding each of the many words they cover, and FTS5 would merge
    /// their lists, for letters that are not yet the word the user means. Ordered newest
    /// first, such a prefix is put in place of up to `MAX_EXPANSION_NEWEST_FIRST` words, each
    /// sought within the range of items read, instead of being merged whole.
    fn order(
        &self,
        conn: &Connection,
        newest: i64,
    ) -> Result<Option<(bool, String, Option<Probe>)>, StoreError> {
        let Some(expression) = self.expression(conn, MAX_EXPANSION)? else {
            return Ok(None);
        };
        let typed_overflows = expression.typed.as_ref().is_some_and(|t| t.left_a_prefix);
        let mut probe = None;
        let newest_first = if !self.relevance || typed_overflows {
            true
        } else {
            probe = self.statements.probe(conn, &expression.fts, newest)?;
            match (&expression.typed, probe) {
                (_, Some(whole)) if whole.broad() => true,
                // The word being typed alone, when the search has other words.
                (Some(typed), Some(_)) if self.parts.len() > 1 => self
                    .statements
                    .probe(conn, &typed.fts, newest)?
                    .is_some_and(Probe::broad),
                _ => false,
            }
        };
        if newest_first
            && typed_overflows
            && let Some(wider) = self.expression(conn, MAX_EXPANSION_NEWEST_FIRST)?
        {
            return Ok(Some((true, wider.fts, probe)));
        }
        Ok(Some((newest_first, expression.fts, probe)))
    }

    /// The rowids outside which no item can match: all of them, or with a date range, the
    /// lowest and highest of the items written in it (`None` when there is none). Items
    /// arrive roughly in the order they were written, so a range of old dates leaves the
    /// newer tiers out without ranking them.
    fn span(&self, conn: &Connection, newest: i64) -> Result<Option<(i64, i64)>, StoreError> {
        let Some((from, to)) = self.dates else {
            return Ok(Some((1, newest)));
        };
        let mut stmt = conn.prepare_cached(self.statements.span)?;
        let (low, high): (Option<i64>, Option<i64>) =
            stmt.query_row([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(low.zip(high))
    }

    /// The page `page` of the results in the order of the module documentation, as (FTS
    /// rowid, bm25 score), with tiers of `tier_size` items. Run it inside a read transaction,
    /// with whatever reads the page's items, so that the tiers and the items agree.
    pub(crate) fn page(
        &self,
        conn: &Connection,
        page: Page,
        tier_size: u64,
    ) -> Result<Vec<(i64, f64)>, StoreError> {
        let newest: i64 = conn.query_row(self.statements.newest, [], |r| r.get(0))?;
        let Some((low, high)) = self.span(conn, newest)? else {
            return Ok(Vec::new());
        };
        let Some((newest_first, expression, probe)) = self.order(conn, newest)? else {
            return Ok(Vec::new());
        };
        let mut params = self.filter_params.clone();
        params.push(Value::Text(expression));
        let tier = i64::try_from(tier_size.max(1)).unwrap_or(i64::MAX);
        let stride: i64 = conn
            .prepare_cached(&self.statements.stride)?
            .query_row(rusqlite::params_from_iter(&self.stride_params), |r| {
                r.get(0)
            })?;
        let wanted = page.offset.saturating_add(u64::from(page.limit));
        let Walk {
            rank,
            step,
            mut window,
        } = self
            .statements
            .walk(newest_first, probe, stride, wanted, tier);
        let order = (newest, tier);
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        // The matches still to skip before the page starts, in this tier and the older ones.
        let mut skip = i64::try_from(page.offset).unwrap_or(i64::MAX);
        let mut hits = Vec::new();
        let mut top = newest;
        // The tiers keep their bounds; those wholly outside the span hold no match and are
        // passed over, the others ranked over their part inside it.
        while top >= low && hits.len() < limit {
            let bottom = top.saturating_sub(window).max(0);
            window = window.saturating_mul(2).min(step);
            if bottom >= high {
                top = bottom;
                continue;
            }
            let bounds = (bottom.max(low - 1), top.min(high));
            let wanted = limit - hits.len();
            let rows = Self::rank(conn, rank, &params, bounds, order, wanted, skip)?;
            if rows.len() < wanted {
                // This tier is exhausted. If it gave rows, the page started inside it and
                // goes on from the start of the next; if not, all its matches (fewer than
                // `skip`) come before the page.
                skip = if rows.is_empty() && skip > 0 {
                    skip - self.count(conn, &params, bounds)?.min(skip)
                } else {
                    0
                };
            }
            hits.extend(rows);
            top = bottom;
        }
        Ok(hits)
    }

    fn tier_params(params: &[Value], (bottom, top): (i64, i64)) -> Vec<Value> {
        let mut params = params.to_vec();
        params.push(Value::Integer(bottom));
        params.push(Value::Integer(top));
        params
    }

    /// The matches of the tiers `rowid > bottom AND rowid <= top`, in order: by tier, counted
    /// from `newest` in tiers of `tier` items, then best first.
    fn rank(
        conn: &Connection,
        sql: &str,
        params: &[Value],
        bounds: (i64, i64),
        (newest, tier): (i64, i64),
        limit: usize,
        offset: i64,
    ) -> Result<Vec<(i64, f64)>, StoreError> {
        let mut params = Self::tier_params(params, bounds);
        params.push(Value::Integer(newest));
        params.push(Value::Integer(tier));
        params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        params.push(Value::Integer(offset));
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(fts_error)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(fts_error)?;
        Ok(rows)
    }

    /// How many matches the tier `rowid > bottom AND rowid <= top` holds.
    fn count(
        &self,
        conn: &Connection,
        params: &[Value],
        bounds: (i64, i64),
    ) -> Result<i64, StoreError> {
        let mut stmt = conn.prepare_cached(&self.statements.count)?;
        stmt.query_row(
            rusqlite::params_from_iter(Self::tier_params(params, bounds)),
            |r| r.get(0),
        )
        .map_err(fts_error)
    }
}

/// A search's MATCH expression, and the part of the word being typed, if it has one.
struct Expression {
    fts: String,
    typed: Option<Typed>,
}

/// The part of the word being typed in a MATCH expression.
struct Typed {
    fts: String,
    /// A prefix covering more words than the expression was allowed to put in its place.
    left_a_prefix: bool,
}

/// `("a" OR "b" …)`: any of `words`.
fn or_of(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    format!("({})", quoted.join(" OR "))
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
