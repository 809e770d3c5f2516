//! Recency tiers, exercised with tiers of a few dozen items (`Store::search_in_tiers`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use diplomatie_domain::{
    Addressee, FormalEmail, Item, ItemContent, ItemId, ItemKind, Mailbox, Marking, Paragraph,
    Precedence, Route, Tag, Telegram,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::{
    AuditAction, AuditRecord, NewItem, Page, RouteFilter, SEARCH_TIER_SIZE, SearchHit, SearchQuery,
    Store, StoreError, TriageFilter,
};

/// Tiers of this many items in these tests.
const TIER: u64 = 100;
/// Items in a test store: tiers of seq 251..=350, 151..=250, 51..=150 and 1..=50.
const N: usize = 350;

/// Words that no filler text holds.
const FILLER: [&str; 12] = [
    "courrier",
    "dossier",
    "réunion",
    "calendrier",
    "budget",
    "rapport",
    "délégation",
    "visite",
    "programme",
    "accord",
    "mission",
    "compte",
];

/// What one test item is made of; `seq` is its position in the store (1 for the first).
#[derive(Clone)]
struct Spec {
    seq: i64,
    subject: String,
    body: String,
    telegram: bool,
    precedence: Precedence,
    marking: Marking,
    route: Option<Route>,
    /// When it was written, if not one hour after the previous item.
    written: Option<OffsetDateTime>,
}

impl Spec {
    fn new(seq: i64) -> Self {
        let filler = |k: usize| FILLER[(seq as usize * 7 + k * 5) % FILLER.len()];
        let words = 3 + (seq as usize % 9);
        Spec {
            seq,
            subject: format!("{} {}", filler(0), filler(1)),
            body: (0..words).map(filler).collect::<Vec<_>>().join(" "),
            telegram: seq % 2 == 0,
            precedence: [
                Precedence::Routine,
                Precedence::Prioritaire,
                Precedence::Immediat,
            ][seq as usize % 3],
            marking: if seq % 5 == 0 {
                Marking::DiffusionRestreinte
            } else {
                Marking::NonProtege
            },
            route: [Some(Route::Action), Some(Route::Info), None][seq as usize % 3],
            written: None,
        }
    }

    /// Written one hour after the previous item, unless told otherwise.
    fn written_at(&self) -> OffsetDateTime {
        self.written
            .unwrap_or(datetime!(2026-01-01 00:00 UTC) + Duration::hours(self.seq))
    }

    fn tier(&self) -> i64 {
        (N as i64 - self.seq) / TIER as i64
    }

    fn tag(&self) -> &'static str {
        if self.seq % 4 == 0 { "ECO" } else { "POL" }
    }

    fn origin(&self) -> &'static str {
        if self.seq % 3 == 0 { "ROME" } else { "BERLIN" }
    }

    fn item(&self) -> Item {
        let id = ItemId::from_uuid(uuid::Uuid::now_v7());
        let written = self.written_at();
        let content = if self.telegram {
            ItemContent::Telegram(Telegram {
                number: None,
                dtg: written,
                origin: self.origin().into(),
                action: vec![Addressee::Unit("DFAE/Direction Europe".into())],
                info: vec![],
                subject: self.subject.clone(),
                tags: vec![Tag::new(self.tag()).unwrap()],
                references: vec![],
                summary: String::new(),
                paragraphs: vec![Paragraph {
                    marking: self.marking,
                    text: self.body.clone(),
                }],
                drafter: "Carol Durand".into(),
                clearers: vec![],
                approver: None,
                precedence: self.precedence,
                justification: None,
                marking: self.marking,
                caveats: vec![],
            })
        } else {
            ItemContent::FormalEmail(FormalEmail {
                from: Mailbox::parse("bob@quai.example").unwrap(),
                to: vec![Mailbox::parse("alice@diplomatie.example").unwrap()],
                cc: vec![],
                date: written,
                message_id: None,
                in_reply_to: vec![],
                references: vec![],
                subject: self.subject.clone(),
                body: self.body.clone(),
                attachments: vec![],
                marking: self.marking,
                precedence: self.precedence,
            })
        };
        Item {
            id,
            received_at: written,
            deadline: None,
            content,
            language: None,
        }
    }

    fn has(&self, word: &str) -> bool {
        self.subject
            .split(' ')
            .chain(self.body.split(' '))
            .any(|w| w == word)
    }
}

/// A store of `N` items made from `specs` (indexed by seq - 1); returns each item's id.
fn build(specs: &[Spec]) -> (tempfile::TempDir, Store, Vec<ItemId>) {
    assert_eq!(specs.len(), N);
    build_any(specs)
}

/// A store of the items of `specs`, however many.
fn build_any(specs: &[Spec]) -> (tempfile::TempDir, Store, Vec<ItemId>) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::create(
        &tmp.path().join("alice"),
        "correct horse",
        crate::KdfCost::MIN,
    )
    .unwrap();
    let items: Vec<Item> = specs.iter().map(Spec::item).collect();
    let batch: Vec<NewItem<'_>> = items
        .iter()
        .zip(specs)
        .map(|(item, spec)| NewItem {
            route: spec.route,
            ..NewItem::new(item)
        })
        .collect();
    store
        .put_items(
            &batch,
            &AuditRecord::new("alice", AuditAction::ItemImported),
        )
        .unwrap();
    let ids = items.iter().map(|i| i.id).collect();
    (tmp, store, ids)
}

/// Fillers everywhere, with `word` added by `add(seq)`: `Some(true)` in the subject (a strong
/// match), `Some(false)` once in the body (a weak one).
fn specs_with(word: &str, add: impl Fn(i64) -> Option<bool>) -> Vec<Spec> {
    (1..=N as i64)
        .map(|seq| {
            let mut spec = Spec::new(seq);
            match add(seq) {
                Some(true) => spec.subject = format!("{word} {}", spec.subject),
                Some(false) => spec.body = format!("{} {word}", spec.body),
                None => {}
            }
            spec
        })
        .collect()
}

fn search(store: &Store, query: &SearchQuery, tier: u64) -> Vec<SearchHit> {
    store.search_in_tiers(query, tier).unwrap()
}

fn paged(text: &str, offset: u64, limit: u32) -> SearchQuery {
    SearchQuery {
        page: Page { offset, limit },
        ..SearchQuery::text(text)
    }
}

/// Every result, in one page.
fn everything(store: &Store, query: &SearchQuery, tier: u64) -> Vec<SearchHit> {
    let all = SearchQuery {
        page: Page::first(10_000),
        ..query.clone()
    };
    search(store, &all, tier)
}

/// The seq of each hit.
fn seqs(ids: &[ItemId], hits: &[SearchHit]) -> Vec<i64> {
    hits.iter()
        .map(|h| ids.iter().position(|&id| id == h.summary.id).unwrap() as i64 + 1)
        .collect()
}

/// The tiered order, derived from the order of one tier holding everything: the same
/// scores and tie-break, with the tier put first (a stable sort keeps the rest).
fn tiered(specs: &[Spec], mut untiered: Vec<i64>) -> Vec<i64> {
    untiered.sort_by_key(|&seq| specs[seq as usize - 1].tier());
    untiered
}

/// Pages of each size in `sizes` walk exactly the one-page order.
fn assert_pages_concatenate(
    store: &Store,
    query: &SearchQuery,
    tier: u64,
    whole: &[ItemId],
    sizes: impl IntoIterator<Item = u32>,
) {
    for size in sizes {
        let mut walked = Vec::new();
        let mut offset = 0u64;
        loop {
            let page = SearchQuery {
                page: Page {
                    offset,
                    limit: size,
                },
                ..query.clone()
            };
            let hits = search(store, &page, tier);
            assert!(hits.len() <= size as usize);
            if hits.is_empty() {
                break;
            }
            walked.extend(hits.iter().map(|h| h.summary.id));
            assert!(
                walked.len() <= whole.len(),
                "pages of {size} go on past the end"
            );
            offset += u64::from(size);
        }
        assert_eq!(walked, whole, "pages of {size}");
    }
}

#[test]
fn a_newer_tier_comes_first_and_relevance_orders_a_tier() {
    // Strong (subject) and weak (body) matches in tier 0 and in tier 3.
    let (strong_new, weak_new, strong_old, weak_old) = (300, 340, 10, 20);
    let mut specs = specs_with("sahel", |seq| match seq {
        300 | 10 => Some(true),
        340 | 20 => Some(false),
        _ => None,
    });
    // Twins (the same text, so the same score) in tier 0.
    for seq in [305, 315] {
        specs[seq - 1].subject = "otan courrier".into();
        specs[seq - 1].body = "dossier budget".into();
    }
    let (_tmp, store, ids) = build(&specs);
    let query = SearchQuery::text("sahel");

    let hits = search(&store, &query, TIER);
    assert_eq!(
        seqs(&ids, &hits),
        vec![strong_new, weak_new, strong_old, weak_old]
    );
    // The newer weaker match outranks the older stronger one only by its tier.
    assert!(
        hits[1].rank < hits[2].rank,
        "{} {}",
        hits[1].rank,
        hits[2].rank
    );
    assert!(hits[0].rank > hits[1].rank && hits[2].rank > hits[3].rank);

    // Equal scores: the newest first.
    let twins = search(&store, &SearchQuery::text("otan"), TIER);
    assert_eq!(seqs(&ids, &twins), vec![315, 305]);
    assert_eq!(twins[0].rank, twins[1].rank);

    // With one tier for everything (the product's tiers, at this size), relevance alone:
    // both subject matches first.
    let one_tier = store.search(&query).unwrap();
    assert!(N as u64 <= SEARCH_TIER_SIZE);
    let one_tier = seqs(&ids, &one_tier);
    assert_eq!(
        one_tier[..2].iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from([strong_new, strong_old])
    );
    assert_eq!(
        one_tier[2..].iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from([weak_new, weak_old])
    );
}

#[test]
fn pages_across_tier_boundaries_return_every_match_once() {
    // Matches of varied strength in tiers 0, 2 and 3, none in tier 1 (seq 151..=250), so
    // that pages start inside, at the edge of, and beyond an empty tier.
    let specs = specs_with("gazoduc", |seq| {
        if (151..=250).contains(&seq) || seq % 3 != 0 {
            None
        } else {
            Some(seq % 4 == 0)
        }
    });
    let (_tmp, store, ids) = build(&specs);
    let query = SearchQuery::text("gazoduc");
    let whole = everything(&store, &query, TIER);

    let expected: Vec<i64> = specs
        .iter()
        .filter(|s| s.has("gazoduc"))
        .map(|s| s.seq)
        .collect();
    let got = seqs(&ids, &whole);
    assert_eq!(got.len(), expected.len());
    assert_eq!(
        got.iter().copied().collect::<BTreeSet<_>>(),
        expected.into_iter().collect::<BTreeSet<_>>(),
        "no duplicate, no gap"
    );
    let untiered = seqs(&ids, &everything(&store, &query, SEARCH_TIER_SIZE));
    assert_eq!(got, tiered(&specs, untiered.clone()));
    assert_ne!(got, untiered, "the tiers change this order");

    let whole_ids: Vec<ItemId> = whole.iter().map(|h| h.summary.id).collect();
    assert_pages_concatenate(&store, &query, TIER, &whole_ids, 1..=9);
    // A page that starts beyond the last match is empty.
    assert!(search(&store, &paged("gazoduc", whole.len() as u64, 5), TIER).is_empty());
    assert!(search(&store, &paged("gazoduc", u64::MAX, 5), TIER).is_empty());
    assert!(search(&store, &paged("gazoduc", 0, 0), TIER).is_empty());
}

/// Which specs a filter keeps.
type Keep = Box<dyn Fn(&Spec) -> bool>;

#[test]
fn filters_select_the_same_matches_within_tiers() {
    let specs = specs_with("brexit", |seq| {
        (seq % 2 == 1 || seq % 7 == 0).then_some(seq % 3 == 0)
    });
    let (_tmp, store, ids) = build(&specs);
    for seq in [7, 49, 161, 301, 343] {
        store
            .mark_read(
                ids[seq - 1],
                true,
                &AuditRecord::new("alice", AuditAction::ItemRead),
            )
            .unwrap();
    }
    let read = |s: &Spec| [7, 49, 161, 301, 343].contains(&s.seq);
    let with = |filter: TriageFilter| SearchQuery {
        filter,
        ..SearchQuery::text("brexit")
    };
    // From seq 120 (tier 2) to seq 280 (tier 0), exclusive.
    let (from, to) = (Spec::new(120).written_at(), Spec::new(280).written_at());
    let cases: Vec<(SearchQuery, Keep)> = vec![
        (
            with(TriageFilter {
                kinds: vec![ItemKind::Telegram],
                ..Default::default()
            }),
            Box::new(|s| s.telegram),
        ),
        (
            with(TriageFilter {
                markings: vec![Marking::DiffusionRestreinte],
                ..Default::default()
            }),
            Box::new(|s| s.marking == Marking::DiffusionRestreinte),
        ),
        (
            with(TriageFilter {
                precedences: vec![Precedence::Immediat, Precedence::Prioritaire],
                ..Default::default()
            }),
            Box::new(|s| s.precedence != Precedence::Routine),
        ),
        (
            with(TriageFilter {
                route: Some(RouteFilter::Unrouted),
                ..Default::default()
            }),
            Box::new(|s| s.route.is_none()),
        ),
        (
            with(TriageFilter {
                origin: Some("rome".into()),
                ..Default::default()
            }),
            Box::new(|s| s.telegram && s.origin() == "ROME"),
        ),
        (
            with(TriageFilter {
                tag: Some("eco".into()),
                ..Default::default()
            }),
            Box::new(|s| s.telegram && s.tag() == "ECO"),
        ),
        (
            with(TriageFilter {
                unread_only: true,
                ..Default::default()
            }),
            Box::new(move |s| !read(s)),
        ),
        (
            SearchQuery {
                from: Some(from),
                to: Some(to),
                ..SearchQuery::text("brexit")
            },
            Box::new(|s| (120..280).contains(&s.seq)),
        ),
        (
            SearchQuery {
                from: Some(from),
                to: Some(to),
                ..with(TriageFilter {
                    kinds: vec![ItemKind::FormalEmail],
                    precedences: vec![Precedence::Routine],
                    ..Default::default()
                })
            },
            Box::new(|s| {
                (120..280).contains(&s.seq) && !s.telegram && s.precedence == Precedence::Routine
            }),
        ),
    ];
    for (query, keep) in &cases {
        let whole = everything(&store, query, TIER);
        let got = seqs(&ids, &whole);
        let expected: BTreeSet<i64> = specs
            .iter()
            .filter(|s| s.has("brexit") && keep(s))
            .map(|s| s.seq)
            .collect();
        assert!(!expected.is_empty(), "{query:?}");
        assert_eq!(got.len(), expected.len(), "{query:?}");
        assert_eq!(
            got.iter().copied().collect::<BTreeSet<_>>(),
            expected,
            "{query:?}"
        );
        let untiered = seqs(&ids, &everything(&store, query, SEARCH_TIER_SIZE));
        assert_eq!(got, tiered(&specs, untiered), "{query:?}");
        let whole_ids: Vec<ItemId> = whole.iter().map(|h| h.summary.id).collect();
        assert_pages_concatenate(&store, query, TIER, &whole_ids, [2, 7]);
    }
}

#[test]
fn a_date_range_finds_items_that_arrived_long_after_they_were_written() {
    // An archive imported last: seq 340..=350 (tier 0) were written in 2020, as were seq 60
    // and 61 (tier 2); seq 200 (tier 1) was written in 2030. The ranking passes over the
    // tiers outside the rowids of the range, and must not lose these.
    let mut specs = specs_with("brexit", |seq| (seq % 3 == 0).then_some(seq % 2 == 0));
    for seq in (340..=350).chain([60, 61]) {
        let spec = &mut specs[seq as usize - 1];
        spec.written = Some(datetime!(2020-06-01 00:00 UTC) + Duration::hours(seq));
        spec.body = format!("{} brexit", spec.body);
    }
    specs[199].written = Some(datetime!(2030-01-01 00:00 UTC));
    specs[199].subject = format!("brexit {}", specs[199].subject);
    let (_tmp, store, ids) = build(&specs);
    let in_range = |s: &Spec, from: OffsetDateTime, to: OffsetDateTime| {
        s.has("brexit") && s.written_at() >= from && s.written_at() < to
    };
    let ranges = [
        // 2020 alone: the newest tier and the third.
        (
            datetime!(2020-01-01 00:00 UTC),
            datetime!(2021-01-01 00:00 UTC),
        ),
        // 2020 and the first 100 hours of 2026.
        (
            datetime!(2020-01-01 00:00 UTC),
            datetime!(2026-01-01 00:00 UTC) + Duration::hours(100),
        ),
        // 2030 alone: one item in the middle.
        (
            datetime!(2029-01-01 00:00 UTC),
            datetime!(2031-01-01 00:00 UTC),
        ),
    ];
    for (from, to) in ranges {
        let query = SearchQuery {
            from: Some(from),
            to: Some(to),
            ..SearchQuery::text("brexit")
        };
        let whole = everything(&store, &query, TIER);
        let got = seqs(&ids, &whole);
        let expected: BTreeSet<i64> = specs
            .iter()
            .filter(|s| in_range(s, from, to))
            .map(|s| s.seq)
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(got.len(), expected.len(), "{from} – {to}");
        assert_eq!(got.iter().copied().collect::<BTreeSet<_>>(), expected);
        let untiered = seqs(&ids, &everything(&store, &query, SEARCH_TIER_SIZE));
        assert_eq!(got, tiered(&specs, untiered), "{from} – {to}");
        let whole_ids: Vec<ItemId> = whole.iter().map(|h| h.summary.id).collect();
        assert_pages_concatenate(&store, &query, TIER, &whole_ids, [1, 3, 20]);
    }
    // A range no item was written in finds nothing.
    let none = SearchQuery {
        from: Some(datetime!(2010-01-01 00:00 UTC)),
        to: Some(datetime!(2011-01-01 00:00 UTC)),
        ..SearchQuery::text("brexit")
    };
    assert!(everything(&store, &none, TIER).is_empty());
}

#[test]
fn a_prefix_finds_every_word_it_covers_whether_put_in_their_place_or_not() {
    // Words that start with « minist », with and without accents, one that holds it but does
    // not start with it, and 70 words starting with « zetta » (more than a prefix is put in
    // the place of).
    let mut specs: Vec<Spec> = (1..=N as i64).map(Spec::new).collect();
    for spec in &mut specs {
        let word = match spec.seq % 7 {
            0 => Some("ministre"),
            1 => Some("Ministère"),
            2 => Some("ministérielle"),
            3 => Some("administration"),
            _ => None,
        };
        if let Some(word) = word {
            spec.body = format!("{} {word}", spec.body);
        }
        if spec.seq % 5 == 0 {
            spec.body = format!("{} zetta{:03}", spec.body, spec.seq / 5);
        }
    }
    specs[9].subject = format!("ministres {}", specs[9].subject);
    let (_tmp, store, ids) = build(&specs);
    let starts = |s: &Spec, prefix: &str| {
        s.subject
            .split(' ')
            .chain(s.body.split(' '))
            .any(|w| crate::snippet::fold(w).starts_with(prefix))
    };
    for (text, prefix, also) in [
        ("minist*", "minist", None),
        ("MINISTÈ*", "ministe", None),
        ("ministere*", "ministere", None),
        ("minist* courrier", "minist", Some("courrier")),
        ("zetta*", "zetta", None),
        ("zetta00*", "zetta00", None),
        ("mi*", "mi", None),
        ("min*", "min", None),
        ("zet*", "zet", None),
    ] {
        let query = SearchQuery::text(text);
        let whole = everything(&store, &query, TIER);
        let got: BTreeSet<i64> = seqs(&ids, &whole).into_iter().collect();
        let expected: BTreeSet<i64> = specs
            .iter()
            .filter(|s| starts(s, prefix) && also.is_none_or(|w| s.has(w)))
            .map(|s| s.seq)
            .collect();
        assert!(!expected.is_empty(), "{text}");
        assert_eq!(got, expected, "{text}");
        assert_eq!(whole.len(), expected.len(), "{text}: a match twice");
        let whole_ids: Vec<ItemId> = whole.iter().map(|h| h.summary.id).collect();
        assert_pages_concatenate(&store, &query, TIER, &whole_ids, [7]);
    }
    // A prefix shorter than the prefix index that covers more words than are put in its
    // place is refused, saying what to type; one of the prefix index's length is not.
    for text in ["ze*", "z*", "courrier ze*"] {
        match store.search(&SearchQuery::text(text)) {
            Err(StoreError::InvalidQuery(message)) => {
                assert!(message.contains("at least 3 letters"), "{text}: {message}")
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    // Made a prefix as it is typed, such a word is searched whole instead; one covering few
    // words is still put in their place.
    let typed = |text: &str| SearchQuery {
        prefix_last_word: true,
        ..SearchQuery::text(text)
    };
    assert!(everything(&store, &typed("ze"), TIER).is_empty());
    assert_eq!(
        everything(&store, &typed("mi"), TIER).len(),
        everything(&store, &SearchQuery::text("mi*"), TIER).len()
    );
    // A prefix that covers no word finds nothing, alone or beside a word that matches.
    for text in ["ministrz*", "courrier ministrz*"] {
        assert!(
            everything(&store, &SearchQuery::text(text), TIER).is_empty(),
            "{text}"
        );
    }
    // An item stored alone (not in a batch) has its words listed too.
    let mut alone = Spec::new(N as i64 + 1);
    alone.body = format!("{} Quintessence", alone.body);
    let alone = alone.item();
    store
        .put_item(
            &NewItem::new(&alone),
            &AuditRecord::new("alice", AuditAction::ItemComposed),
        )
        .unwrap();
    let found = everything(&store, &SearchQuery::text("quint*"), TIER);
    assert_eq!(
        found.iter().map(|h| h.summary.id).collect::<Vec<_>>(),
        [alone.id]
    );
}

#[test]
fn the_number_of_results_does_not_depend_on_the_tiers() {
    // `search` returns no total: the count of a query is the number of its results over all
    // pages, which must be the number of matching items whatever the tier size.
    let specs = specs_with("climat", |seq| (seq % 5 != 0).then_some(seq % 2 == 0));
    let (_tmp, store, ids) = build(&specs);
    for text in [
        "climat",
        "clim*",
        "climat courrier",
        "\"climat\"",
        "zanzibar",
    ] {
        let query = SearchQuery::text(text);
        let reference = everything(&store, &query, SEARCH_TIER_SIZE);
        let reference: BTreeSet<i64> = seqs(&ids, &reference).into_iter().collect();
        for tier in [1, 7, TIER, 1_000] {
            let got = seqs(&ids, &everything(&store, &query, tier));
            assert_eq!(got.len(), reference.len(), "{text} in tiers of {tier}");
            assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), reference);
        }
    }
    let climat = specs.iter().filter(|s| s.has("climat")).count();
    assert_eq!(
        everything(&store, &SearchQuery::text("climat"), TIER).len(),
        climat
    );
    // Tiers of one item: newest first, whatever the relevance.
    let one = seqs(&ids, &everything(&store, &SearchQuery::text("climat"), 1));
    assert!(one.windows(2).all(|w| w[0] > w[1]));
}

#[test]
fn matches_only_in_the_oldest_tier_are_found() {
    // The oldest tier holds seq 1..=50.
    let specs = specs_with("sanctions", |seq| {
        (seq <= 50 && seq % 4 == 1).then_some(seq == 33)
    });
    let (_tmp, store, ids) = build(&specs);
    let expected: Vec<i64> = specs
        .iter()
        .filter(|s| s.has("sanctions"))
        .map(|s| s.seq)
        .collect();
    assert_eq!(expected.len(), 13);
    let first = search(&store, &paged("sanctions", 0, 5), TIER);
    assert_eq!(seqs(&ids, &first)[0], 33, "the subject match first");
    assert_eq!(first.len(), 5);
    let rest = search(&store, &paged("sanctions", 5, 20), TIER);
    assert_eq!(rest.len(), 8);
    let mut all: Vec<i64> = seqs(&ids, &first);
    all.extend(seqs(&ids, &rest));
    all.sort();
    assert_eq!(all, expected);
    // Also as a phrase and as a prefix.
    assert_eq!(
        everything(&store, &SearchQuery::text("\"sanctions\""), TIER).len(),
        13
    );
    assert_eq!(
        everything(&store, &SearchQuery::text("sanct*"), TIER).len(),
        13
    );
}

#[test]
fn filtered_searches_check_each_match_in_the_index_of_the_filter_columns() {
    use crate::{RouteFilter, TriageFilter};
    use diplomatie_domain::{ItemKind, Marking, Precedence};

    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    crate::migration::migrate(&mut conn).unwrap();
    let now = OffsetDateTime::now_utc();
    let filtered = |filter: TriageFilter, from: Option<OffsetDateTime>| SearchQuery {
        text: "ministre".into(),
        filter,
        from,
        ..SearchQuery::default()
    };
    let queries = [
        filtered(
            TriageFilter {
                markings: vec![Marking::DiffusionRestreinte],
                precedences: vec![Precedence::Flash],
                route: Some(RouteFilter::Action),
                unread_only: true,
                origin: Some("BERLIN".into()),
                ..TriageFilter::default()
            },
            None,
        ),
        filtered(TriageFilter::default(), Some(now)),
        filtered(
            TriageFilter {
                tag: Some("POL".into()),
                ..TriageFilter::default()
            },
            None,
        ),
    ];
    for query in &queries {
        let (join, mut params) = crate::store::search_join(query, true);
        params.push(rusqlite::types::Value::Text("ministre".into()));
        params.extend([0, 10, 20, 1, 20, 0].map(rusqlite::types::Value::Integer));
        let sql = crate::search::SearchStatements::new(&join, "SELECT 1".into(), true).rank;
        let plan = crate::query_plan(&conn, &sql, params);
        assert!(
            plan.iter()
                .any(|step| step.contains("COVERING INDEX items_filters")),
            "{plan:?}"
        );
    }
    // Without filters there is no join at all, nor with kinds and precedences alone: those
    // are matched in the index's facets, as parts of the expression.
    assert_eq!(
        crate::store::search_join(&SearchQuery::text("ministre"), true).0,
        ""
    );
    let facets = filtered(
        TriageFilter {
            kinds: vec![ItemKind::Telegram, ItemKind::FormalEmail],
            precedences: vec![Precedence::Flash],
            ..TriageFilter::default()
        },
        None,
    );
    assert_eq!(crate::store::search_join(&facets, true).0, "");
    assert!(
        crate::store::search_join(&facets, false)
            .0
            .contains("i.kind IN")
    );
    let parts: Vec<String> = crate::store::facet_parts(&facets.filter)
        .into_iter()
        .map(|p| p.fts)
        .collect();
    assert_eq!(
        parts,
        [
            "facets : (\"\u{E000}t\" OR \"\u{E000}e\")",
            "facets : (\"\u{E000}3\")"
        ]
    );
}

#[test]
fn the_words_of_a_search_never_match_the_facets() {
    let specs: Vec<Spec> = (1..=N as i64).map(Spec::new).collect();
    let (_tmp, store, _ids) = build(&specs);
    // Every item has a kind and a precedence facet; typed, the mark is a space.
    for text in ["\u{E000}", "\u{F0000}", "\u{E000}\u{10FFFD}"] {
        match store.search(&SearchQuery::text(text)) {
            Err(StoreError::InvalidQuery(message)) => assert!(message.contains("empty")),
            other => panic!("{text:?}: {other:?}"),
        }
    }
    let ids = |text: &str| -> Vec<_> {
        store
            .search(&SearchQuery::text(text))
            .unwrap()
            .into_iter()
            .map(|h| h.summary.id)
            .collect()
    };
    // « \u{E000}t » is the word « t », which no item holds, though a third are telegrams.
    assert!(ids("\u{E000}t").is_empty());
    assert!(ids("\"\u{E000}0\"").is_empty());
    // Beside a word, the mark separates words: « courrier\u{E000}t » is « courrier t ».
    assert_eq!(ids("courrier\u{E000}t"), ids("courrier t"));
    assert_eq!(ids("courrier\u{E000}"), ids("courrier"));
    assert!(!ids("courrier").is_empty());
}

#[test]
fn a_search_holding_a_phrase_lists_its_matches_newest_first() {
    // « brexit accord » in the subject of some items and the body of others: bm25 would put
    // the subjects first within a tier; a phrase lists every match newest first.
    let specs = specs_with("brexit accord", |seq| {
        (seq % 3 == 0).then_some(seq % 2 == 0)
    });
    let (_tmp, store, ids) = build(&specs);
    let holding =
        |s: &Spec| s.subject.contains("brexit accord") || s.body.contains("brexit accord");
    let mut expected: Vec<i64> = specs.iter().filter(|s| holding(s)).map(|s| s.seq).collect();
    expected.reverse();
    for text in ["\"brexit accord\"", "\"brexit accord\" brexit"] {
        let query = SearchQuery::text(text);
        let whole = everything(&store, &query, TIER);
        assert_eq!(seqs(&ids, &whole), expected, "{text}");
        assert!(whole.iter().all(|h| h.rank == 0.0), "{text}");
        let whole_ids: Vec<ItemId> = whole.iter().map(|h| h.summary.id).collect();
        assert_pages_concatenate(&store, &query, TIER, &whole_ids, [3, 8]);
    }
    // The same words, not as a phrase, go by relevance within a tier: subjects first.
    let words = seqs(
        &ids,
        &everything(&store, &SearchQuery::text("brexit accord"), TIER),
    );
    assert_ne!(words, expected);
    let first_tier: Vec<i64> = words
        .iter()
        .copied()
        .take_while(|&s| specs[s as usize - 1].tier() == 0)
        .collect();
    let subjects = first_tier
        .iter()
        .take_while(|&&s| specs[s as usize - 1].subject.starts_with("brexit accord"))
        .count();
    assert!(subjects > 0 && first_tier[..subjects].len() < first_tier.len());
}

#[test]
fn kinds_and_precedences_go_to_the_facets_only_when_few_items_pass_them() {
    use diplomatie_domain::{ItemKind, Precedence};
    // Half the items are telegrams, a third of each precedence but Flash.
    let specs: Vec<Spec> = (1..=N as i64).map(Spec::new).collect();
    let (_tmp, store, _ids) = build(&specs);
    let pays = |kinds: Vec<ItemKind>, precedences: Vec<Precedence>, unread_only: bool| {
        let filter = TriageFilter {
            kinds,
            precedences,
            unread_only,
            ..TriageFilter::default()
        };
        store
            .call(|conn| crate::store::facets_pay(conn, &filter))
            .unwrap()
    };
    assert!(!pays(vec![ItemKind::Telegram], vec![], false));
    assert!(!pays(vec![], vec![Precedence::Immediat], false));
    assert!(!pays(vec![], vec![], true));
    // One in six, one in none: the facets.
    assert!(pays(
        vec![ItemKind::FormalEmail],
        vec![Precedence::Routine],
        false
    ));
    assert!(pays(vec![], vec![Precedence::Flash], true));
}

#[test]
fn the_word_list_is_the_index_vocabulary_word_for_word() {
    // Texts in several scripts, with folded letters, marks and separators of every kind, in
    // every column a store indexes (addresses and facets included).
    let texts = [
        "Le MINISTRE d’État a reçu l'ambassadeur — « Ministère des Affaires étrangères »",
        "Straße, ÉTÉ, İstanbul, Ǆemal, ﬁnances, ½, x²; jean.dupont@diplomatie.gouv.fr",
        "2026/0042 DIPLO_BERLIN ref#12 tab\tnew\nline\u{0}null",
        "日本語のテキスト, العربية, Ελληνικά, 한국어, Hà Nội, Việt Nam, ǘ",
    ];
    let specs: Vec<Spec> = (1..=N as i64)
        .map(|seq| {
            let mut spec = Spec::new(seq);
            let text = texts[seq as usize % texts.len()];
            if seq % 3 == 0 {
                spec.subject = format!("{text} {}", spec.subject);
            } else {
                spec.body = format!("{} {text}", spec.body);
            }
            spec
        })
        .collect();
    let (_tmp, store, _ids) = build(&specs);
    let words = |sql: &str| -> Vec<String> {
        store
            .call(|conn| {
                let mut stmt = conn.prepare(sql)?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .unwrap()
    };
    let listed = words("SELECT word FROM index_words ORDER BY word");
    store
        .call(|conn| {
            Ok(conn.execute_batch(
                "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, items_fts, 'row')",
            )?)
        })
        .unwrap();
    let vocabulary = words("SELECT term FROM temp.v ORDER BY term");
    assert!(vocabulary.iter().any(|w| w == "etrangeres"));
    assert_eq!(listed, vocabulary);
}

#[test]
fn a_broad_search_comes_newest_first_and_a_narrow_one_by_relevance() {
    use crate::search::{BROAD_PROBE_ITEMS, BROAD_SHARE};
    let many = BROAD_PROBE_ITEMS + 100;
    // Fillers everywhere; « budget » three times in the subject of an item in the middle,
    // « sahel » in the subject of an old item and in the body of two new ones.
    let specs: Vec<Spec> = (1..=many)
        .map(|seq| {
            let mut spec = Spec::new(seq);
            match seq {
                1500 => spec.subject = "budget budget budget".into(),
                100 => spec.subject = format!("sahel {}", spec.subject),
                2000 | 2050 => spec.body = format!("{} sahel", spec.body),
                _ => {}
            }
            spec
        })
        .collect();
    let newest_with = |word: &str| -> Vec<i64> {
        specs
            .iter()
            .rev()
            .filter(|s| s.has(word))
            .map(|s| s.seq)
            .collect()
    };
    let recent = &specs[(many - BROAD_PROBE_ITEMS) as usize..];
    let share = recent.iter().filter(|s| s.has("budget")).count() as i64;
    assert!(
        share * BROAD_SHARE > BROAD_PROBE_ITEMS,
        "« budget » is broad here"
    );
    let (_tmp, store, ids) = build_any(&specs);

    // Broad: newest first, every score 0, whatever bm25 would say of item 1500.
    let hits = store.search(&SearchQuery::text("budget")).unwrap();
    assert!(hits.len() >= 20);
    assert_eq!(
        seqs(&ids, &hits),
        newest_with("budget")[..hits.len()].to_vec()
    );
    assert!(hits.iter().all(|h| h.rank == 0.0));
    // Read in ranges that grow from the newest items: every match once, in pages of any size.
    let all = everything(&store, &SearchQuery::text("budget"), SEARCH_TIER_SIZE);
    assert_eq!(seqs(&ids, &all), newest_with("budget"));
    let mut paged_through = Vec::new();
    for offset in (0..all.len() as u64 + 37).step_by(37) {
        let page = search(&store, &paged("budget", offset, 37), SEARCH_TIER_SIZE);
        paged_through.extend(seqs(&ids, &page));
    }
    assert_eq!(paged_through, newest_with("budget"));
    // As typed, a prefix of it too.
    let typed = SearchQuery {
        prefix_last_word: true,
        ..SearchQuery::text("budg")
    };
    let hits = store.search(&typed).unwrap();
    assert_eq!(
        seqs(&ids, &hits),
        newest_with("budget")[..hits.len()].to_vec()
    );
    // Narrow: relevance, the old subject match first.
    let hits = store.search(&SearchQuery::text("sahel")).unwrap();
    let found = seqs(&ids, &hits);
    assert_eq!(found[0], 100);
    assert_eq!(
        found[1..].iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from([2000, 2050])
    );
    // With tiers of 100 items, a word that two of the newest 2,000 hold is ranked over many
    // tiers by one statement, still tier by tier: the old subject match last.
    let rare = search(&store, &SearchQuery::text("sahel"), TIER);
    assert_eq!(seqs(&ids, &rare), vec![2050, 2000, 100]);
    let from_probe = crate::search::Probe { matches: 2 };
    assert_eq!(
        from_probe.stride(50, TIER as i64),
        crate::search::MAX_STRIDE
    );
    assert_eq!(
        crate::search::Probe { matches: 1000 }.stride(50, TIER as i64),
        1
    );
    assert_eq!(
        crate::search::Probe { matches: 100 }.stride(50, TIER as i64),
        10
    );
    // The word being typed is broad by itself: newest first, though the whole search is not.
    let typing = SearchQuery {
        prefix_last_word: true,
        ..SearchQuery::text("sahel bud")
    };
    let hits = store.search(&typing).unwrap();
    let both: Vec<i64> = specs
        .iter()
        .rev()
        .filter(|s| s.has("sahel") && s.has("budget"))
        .map(|s| s.seq)
        .collect();
    assert!(!both.is_empty());
    assert_eq!(seqs(&ids, &hits), both);
    assert!(hits.iter().all(|h| h.rank == 0.0));
    // Narrowed by a second word, a broad word is ordered by relevance again.
    let both = store.search(&SearchQuery::text("sahel budget")).unwrap();
    assert!(!both.is_empty() && both.iter().all(|h| h.rank > 0.0));

    // Below BROAD_PROBE_ITEMS items no search is broad: bm25 puts item 1500 first.
    let (_tmp, small, ids) = build_any(&specs[..BROAD_PROBE_ITEMS as usize - 1]);
    let hits = small.search(&SearchQuery::text("budget")).unwrap();
    assert_eq!(seqs(&ids, &hits)[0], 1500);
}

#[test]
fn a_typed_prefix_covering_too_many_words_comes_newest_first_and_whole() {
    // 80 words beginning with « zorg » (more than MAX_EXPANSION), in items of their own.
    let words: Vec<String> = (0..80u8)
        .map(|k| {
            format!(
                "zorg{}{}",
                char::from(b'a' + k / 26),
                char::from(b'a' + k % 26)
            )
        })
        .collect();
    assert!(words.len() > crate::search::MAX_EXPANSION);
    let mut specs: Vec<Spec> = (1..=N as i64).map(Spec::new).collect();
    for (k, word) in words.iter().enumerate() {
        let spec = &mut specs[k * 4 + 3];
        spec.subject = format!("{word} {}", spec.subject);
    }
    let (_tmp, store, ids) = build(&specs);
    let holding: Vec<i64> = specs
        .iter()
        .rev()
        .filter(|s| s.subject.starts_with("zorg"))
        .map(|s| s.seq)
        .collect();
    assert_eq!(holding.len(), 80);

    // As typed: every item holding one, newest first.
    let typed = SearchQuery {
        prefix_last_word: true,
        ..SearchQuery::text("zorg")
    };
    let hits = everything(&store, &typed, SEARCH_TIER_SIZE);
    assert_eq!(seqs(&ids, &hits), holding);
    assert!(hits.iter().all(|h| h.rank == 0.0));
    // Asked for with a star, the same items, by relevance.
    let starred = everything(&store, &SearchQuery::text("zorg*"), SEARCH_TIER_SIZE);
    assert_eq!(
        seqs(&ids, &starred).into_iter().collect::<BTreeSet<_>>(),
        holding.into_iter().collect::<BTreeSet<_>>()
    );
    assert!(starred.iter().all(|h| h.rank > 0.0));
}
