//! The order of search results: recency tiers, then relevance.
//!
//! Correspondence search is recency-tiered relevance, as in mail clients. The results of a
//! query come in one total order:
//!
//! 1. the **tier**, newest first: tier 0 holds the newest [`SEARCH_TIER_SIZE`] items of the
//!    store, tier 1 the next as many, and so on;
//! 2. within a tier, bm25 relevance (the subject weighted highest), best first;
//! 3. among equal scores, the newest first.
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
//! needs, is very slow for phrases: docs/BENCHMARKS.md).
//!
//! A tier is a range of FTS rowids (`items.seq`: the order items entered the store, which is
//! arrival order, not the date written). Its bounds come from the newest rowid, read in the
//! same read transaction as the statements of the page, so for one state of the store the
//! pages at consecutive offsets partition the results: no duplicate, no gap.

use rusqlite::Connection;
use rusqlite::types::Value;

use crate::{Page, StoreError};

/// How many items one recency tier holds (see the module documentation).
pub const SEARCH_TIER_SIZE: u64 = 50_000;

/// bm25 column weights: subject, body, tags, addressees, headers, attachments.
const BM25_WEIGHTS: &str = "10.0, 1.0, 4.0, 2.0, 2.0, 1.0";

/// The statements of a search. `newest` reads the newest rowid, from which the tiers are
/// counted; `span` reads the lowest and highest rowid of the items written in a date range
/// (from, inclusive, and to, exclusive, in nanoseconds), outside which no tier is ranked;
/// `rank` ranks the matches of one tier and `count` counts them. Both take, in order,
/// the filters' parameters, the MATCH expression, the tier's bounds (`rowid > ?` and
/// `rowid <= ?`); `rank` then takes LIMIT and OFFSET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchStatements {
    pub newest: &'static str,
    pub span: &'static str,
    pub rank: String,
    pub count: String,
}

impl SearchStatements {
    /// `join` keeps the FTS rows whose item passes the filters (empty when there are none).
    pub(crate) fn new(join: &str) -> Self {
        let from = format!(
            "FROM items_fts {join} WHERE items_fts MATCH ? \
             AND items_fts.rowid > ? AND items_fts.rowid <= ?"
        );
        SearchStatements {
            // items.seq is the FTS rowid; its b-tree answers at once.
            newest: "SELECT coalesce(max(seq), 0) FROM items",
            // One pass over the date range in the index of `written_at` (which holds the
            // rowid), however many items match the words.
            span: "SELECT min(seq), max(seq) FROM items INDEXED BY items_written \
                   WHERE written_at >= ?1 AND written_at < ?2",
            rank: format!(
                "SELECT items_fts.rowid, bm25(items_fts, {BM25_WEIGHTS}) AS score {from} \
                 ORDER BY score, items_fts.rowid DESC LIMIT ? OFFSET ?"
            ),
            count: format!("SELECT count(*) {from}"),
        }
    }

    /// The statements of a search without filters, as `Store::search` runs them.
    #[cfg(feature = "bench")]
    pub fn unfiltered() -> Self {
        Self::new("")
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

/// One search, ready to rank: its statements and the parameters before the tier's bounds.
pub(crate) struct Ranking {
    statements: SearchStatements,
    /// The filters' parameters, then the MATCH expression.
    params: Vec<Value>,
    /// The date range of the search (from, inclusive, to, exclusive, in nanoseconds), if it
    /// has one.
    dates: Option<(i64, i64)>,
}

impl Ranking {
    pub(crate) fn new(
        join: &str,
        mut filter_params: Vec<Value>,
        expression: String,
        dates: Option<(i64, i64)>,
    ) -> Self {
        filter_params.push(Value::Text(expression));
        Ranking {
            statements: SearchStatements::new(join),
            params: filter_params,
            dates,
        }
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
        let tier = i64::try_from(tier_size.max(1)).unwrap_or(i64::MAX);
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        // The matches still to skip before the page starts, in this tier and the older ones.
        let mut skip = i64::try_from(page.offset).unwrap_or(i64::MAX);
        let mut hits = Vec::new();
        let mut top = newest;
        // The tiers keep their bounds; those wholly outside the span hold no match and are
        // passed over, the others ranked over their part inside it.
        while top >= low && hits.len() < limit {
            let bottom = top.saturating_sub(tier).max(0);
            if bottom >= high {
                top = bottom;
                continue;
            }
            let bounds = (bottom.max(low - 1), top.min(high));
            let wanted = limit - hits.len();
            let rows = self.rank(conn, bounds, wanted, skip)?;
            if rows.len() < wanted {
                // This tier is exhausted. If it gave rows, the page started inside it and
                // goes on from the start of the next; if not, all its matches (fewer than
                // `skip`) come before the page.
                skip = if rows.is_empty() && skip > 0 {
                    skip - self.count(conn, bounds)?.min(skip)
                } else {
                    0
                };
            }
            hits.extend(rows);
            top = bottom;
        }
        Ok(hits)
    }

    fn tier_params(&self, (bottom, top): (i64, i64)) -> Vec<Value> {
        let mut params = self.params.clone();
        params.push(Value::Integer(bottom));
        params.push(Value::Integer(top));
        params
    }

    /// The matches of the tier `rowid > bottom AND rowid <= top`, best first.
    fn rank(
        &self,
        conn: &Connection,
        bounds: (i64, i64),
        limit: usize,
        offset: i64,
    ) -> Result<Vec<(i64, f64)>, StoreError> {
        let mut params = self.tier_params(bounds);
        params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        params.push(Value::Integer(offset));
        let mut stmt = conn.prepare_cached(&self.statements.rank)?;
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
    fn count(&self, conn: &Connection, bounds: (i64, i64)) -> Result<i64, StoreError> {
        let mut stmt = conn.prepare_cached(&self.statements.count)?;
        stmt.query_row(rusqlite::params_from_iter(self.tier_params(bounds)), |r| {
            r.get(0)
        })
        .map_err(fts_error)
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
