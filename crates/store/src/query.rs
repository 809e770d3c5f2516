//! Triage filters and paging, and the search language: user text becomes a safe FTS5 MATCH
//! expression made only of quoted strings (never raw user text).

use std::fmt;

use diplomatie_domain::{ItemKind, Marking, Precedence};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::snippet::Highlighter;
use crate::{ItemSummary, StoreError};

/// Which route an item has for this profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteFilter {
    Action,
    Info,
    Unrouted,
}

impl RouteFilter {
    pub(crate) fn rank(self) -> i64 {
        match self {
            RouteFilter::Action => 0,
            RouteFilter::Info => 1,
            RouteFilter::Unrouted => 2,
        }
    }
}

/// Which items a list or a search shows. Empty lists mean "any"; the default shows everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageFilter {
    pub route: Option<RouteFilter>,
    pub kinds: Vec<ItemKind>,
    pub markings: Vec<Marking>,
    pub precedences: Vec<Precedence>,
    /// The origin exactly as stored (post, mission or sender), compared without ASCII case.
    pub origin: Option<String>,
    /// A tag (thematic or country code), compared upper-case.
    pub tag: Option<String>,
    pub unread_only: bool,
}

/// A page of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub offset: u64,
    pub limit: u32,
}

impl Page {
    pub const DEFAULT_LIMIT: u32 = 50;

    pub fn first(limit: u32) -> Self {
        Self { offset: 0, limit }
    }
}

impl Default for Page {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: Self::DEFAULT_LIMIT,
        }
    }
}

/// Totals for the triage view (under a filter): per route, and unread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageCounts {
    pub total: u64,
    pub action: u64,
    pub info: u64,
    pub unrouted: u64,
    pub unread: u64,
    pub unread_action: u64,
    pub unread_info: u64,
    pub unread_unrouted: u64,
}

/// A full-text search. Results come in recency tiers, then by relevance: every match among
/// the newest `SEARCH_TIER_SIZE` (50,000) items of the store comes first, then those of the
/// next 50,000, and so on; within a tier, the best matches first (bm25, the subject weighted
/// highest, then tags, addressees and headers, then the body), equal scores newest first;
/// a phrase, or a broad search (its words in more than a fifth of the newest items, or the word being typed), newest
/// first. To reach older items, narrow the search with `from` and `to`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Words (all must match), `"phrases"`, `prefix*`. Case and accents do not matter.
    pub text: String,
    pub filter: TriageFilter,
    /// Written at or after (inclusive).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub from: Option<OffsetDateTime>,
    /// Written before (exclusive).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub to: Option<OffsetDateTime>,
    pub page: Page,
    /// Search-as-you-type: the last bare word is a prefix.
    pub prefix_last_word: bool,
}

impl SearchQuery {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

impl fmt::Debug for SearchQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchQuery")
            .field(
                "text",
                &format_args!("<{} chars>", self.text.chars().count()),
            )
            .field("filter", &self.filter)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("page", &self.page)
            .field("prefix_last_word", &self.prefix_last_word)
            .finish()
    }
}

/// A piece of a snippet; `highlight` marks the words that matched.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnippetPart {
    pub text: String,
    pub highlight: bool,
}

impl fmt::Debug for SnippetPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnippetPart")
            .field(
                "text",
                &format_args!("<{} chars>", self.text.chars().count()),
            )
            .field("highlight", &self.highlight)
            .finish()
    }
}

/// One search result. `rank` is the negated bm25 score: higher is more relevant. Ranks
/// compare within a recency tier only: a result of a newer tier comes first whatever its rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub summary: ItemSummary,
    pub snippet: Vec<SnippetPart>,
    pub rank: f64,
}

#[derive(Debug, PartialEq, Eq)]
struct Term {
    text: String,
    prefix: bool,
    /// Made a prefix as it is typed, not by a star.
    typing: bool,
    /// A bare word, or an unterminated phrase (what is being typed).
    open: bool,
}

/// A character of Unicode's private-use areas (the basic plane's, and planes 15 and 16).
fn is_private_use(c: char) -> bool {
    matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}')
}

fn has_token_chars(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// Turns user text into an FTS5 expression of quoted strings ANDed together.
#[cfg(test)]
pub(crate) fn fts_expression(text: &str, prefix_last_word: bool) -> Result<String, StoreError> {
    parse_query(text, prefix_last_word).map(|(expression, _)| expression)
}

/// One of the parts of a query, ANDed together: its FTS5 string, and for the prefix of a
/// single word, that word folded the way the index folds its words (lower case, no
/// diacritics), so that the search may put the words it covers in its place (`search.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPart {
    pub fts: String,
    pub prefix_of: Option<String>,
    /// For a last word made a prefix as it is typed (`prefix_last_word`), not by a star: the
    /// word itself, searched whole when it is too short a prefix covering too many words.
    pub or_whole_word: Option<String>,
    /// Several words of the index in a row (a quoted phrase, or a word the tokenizer splits,
    /// like « l'ambassade »): FTS5 checks their positions.
    pub phrase: bool,
}

/// Whether `text` holds several of the index's words (the tokenizer splits on anything but
/// letters and digits).
fn several_words(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .nth(1)
        .is_some()
}

/// Turns user text into an FTS5 expression of quoted strings ANDed together, and what to
/// highlight in the snippets of its hits.
#[cfg(test)]
pub(crate) fn parse_query(
    text: &str,
    prefix_last_word: bool,
) -> Result<(String, Highlighter), StoreError> {
    let (parts, highlighter) = parse_query_parts(text, prefix_last_word)?;
    Ok((
        join_parts(parts.iter().map(|p| p.fts.as_str())),
        highlighter,
    ))
}

/// The FTS5 expression of parts: each ANDed with the next.
pub(crate) fn join_parts<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    parts.collect::<Vec<_>>().join(" AND ")
}

/// `parse_query`, the parts kept apart.
pub(crate) fn parse_query_parts(
    text: &str,
    prefix_last_word: bool,
) -> Result<(Vec<QueryPart>, Highlighter), StoreError> {
    // Control characters (NUL ends an FTS5 string early) separate words like spaces, and so
    // do private-use characters: the index's facet words start with one (`index.rs`), and
    // the words of a search must never match them.
    let text: String = text
        .chars()
        .map(|c| {
            if c.is_control() || is_private_use(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut terms: Vec<Term> = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let mut phrase = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                phrase.push(c);
            }
            let mut prefix = false;
            if closed {
                while chars.peek() == Some(&'*') {
                    chars.next();
                    prefix = true;
                }
            }
            terms.push(Term {
                text: phrase,
                prefix,
                typing: false,
                open: !closed,
            });
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '"' {
                break;
            }
            word.push(c);
            chars.next();
        }
        let stripped = word.trim_end_matches('*');
        let prefix = stripped.len() != word.len();
        terms.push(Term {
            text: stripped.to_owned(),
            prefix,
            typing: false,
            open: true,
        });
    }
    terms.retain(|t| has_token_chars(&t.text));
    if prefix_last_word
        && let Some(last) = terms.last_mut()
        && last.open
    {
        last.typing = !last.prefix;
        last.prefix = true;
    }
    if terms.is_empty() {
        return Err(StoreError::InvalidQuery(
            "the search is empty: type at least one word (letters or digits)".into(),
        ));
    }
    let mut highlighter = Highlighter::default();
    let parts: Vec<QueryPart> = terms
        .iter()
        .map(|t| {
            highlighter.add_term(&t.text, t.prefix);
            let quoted = format!("\"{}\"", t.text.replace('"', "\"\""));
            if t.prefix {
                let single_word = t.text.trim().chars().all(char::is_alphanumeric);
                QueryPart {
                    fts: format!("{quoted} *"),
                    prefix_of: single_word.then(|| crate::snippet::fold(t.text.trim())),
                    or_whole_word: t.typing.then(|| quoted.clone()),
                    phrase: several_words(&t.text),
                }
            } else {
                QueryPart {
                    fts: quoted,
                    prefix_of: None,
                    or_whole_word: None,
                    phrase: several_words(&t.text),
                }
            }
        })
        .collect();
    Ok((parts, highlighter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_and_prefixes_become_quoted_strings() {
        let e = |t: &str| fts_expression(t, false).unwrap();
        assert_eq!(e("paix accord"), r#""paix" AND "accord""#);
        assert_eq!(
            e(r#""accord de paix" élect*"#),
            r#""accord de paix" AND "élect" *"#
        );
        assert_eq!(
            e("a NEAR(b) OR -c ^d"),
            r#""a" AND "NEAR(b)" AND "OR" AND "-c" AND "^d""#
        );
        assert_eq!(
            e(r#"unbalanced "quote here"#),
            r#""unbalanced" AND "quote here""#
        );
        assert_eq!(fts_expression("rapp", true).unwrap(), r#""rapp" *"#);
        assert_eq!(fts_expression(r#""fin""#, true).unwrap(), r#""fin""#);
        assert_eq!(
            fts_expression(r#"x "ann"#, true).unwrap(),
            r#""x" AND "ann" *"#
        );
    }

    #[test]
    fn queries_without_words_are_refused() {
        for t in ["", "   ", "\"\"", "* ^ - ()", "\"", "***"] {
            assert!(
                matches!(fts_expression(t, true), Err(StoreError::InvalidQuery(_))),
                "{t}"
            );
        }
    }
}
