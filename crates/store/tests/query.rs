#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use diplomatie_domain::{
    Item, ItemContent, ItemId, ItemKind, Marking, Precedence, Route, Tag, TriageKey, triage_cmp,
};
use diplomatie_store::{
    AuditAction, AuditRecord, NewItem, Page, PutOutcome, RouteFilter, SearchQuery, Store,
    StoreError, TriageCounts, TriageFilter,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::Duration;
use time::macros::datetime;

fn store() -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::create(&tmp.path().join("alice"), PASS, COST).unwrap();
    (tmp, store)
}

fn ids(list: &[diplomatie_store::ItemSummary]) -> Vec<ItemId> {
    list.iter().map(|s| s.id).collect()
}

fn all() -> Page {
    Page::first(10_000)
}

// ---------------------------------------------------------------------------------------------
// Triage

/// An item, its route, whether it was marked read.
type Mixed = (Item, Option<Route>, bool);

/// A mixed set with many ties, inserted in order; returns the items with their routes.
fn mixed(store: &Store, n: usize, seed: u64) -> Vec<Mixed> {
    let mut rng = StdRng::seed_from_u64(seed);
    let base = datetime!(2026-03-01 00:00 UTC);
    let mut out = Vec::new();
    for i in 0..n {
        let mut item = match i % 3 {
            0 => telegram(&format!("T{i}"), "corps"),
            1 => note(&format!("N{i}"), "corps"),
            _ => email(&format!("E{i}"), "corps"),
        };
        let received = base
            + Duration::minutes(rng.random_range(0..6))
            + Duration::nanoseconds(rng.random_range(0..3));
        let deadline = rng
            .random_bool(0.5)
            .then(|| base + Duration::hours(rng.random_range(0..4)));
        set_times(&mut item, received, deadline);
        set_precedence(&mut item, Precedence::ALL[rng.random_range(0..4)]);
        let route = [Some(Route::Action), Some(Route::Info), None][rng.random_range(0..3)];
        let read = rng.random_bool(0.3);
        store
            .put_item(
                &NewItem {
                    route,
                    ..NewItem::new(&item)
                },
                &audit(),
            )
            .unwrap();
        if read {
            store.mark_read(item.id, true, &audit()).unwrap();
        }
        out.push((item, route, read));
    }
    out
}

fn expected_order(items: &[Mixed]) -> Vec<ItemId> {
    let mut keyed: Vec<(TriageKey, ItemId)> = items
        .iter()
        .map(|(item, route, _)| {
            (
                TriageKey {
                    route: *route,
                    precedence: item.precedence(),
                    deadline: item.deadline,
                    received_at: item.received_at,
                },
                item.id,
            )
        })
        .collect();
    keyed.sort_by(|a, b| triage_cmp(&a.0, &b.0)); // stable: ties stay in insertion order
    keyed.into_iter().map(|(_, id)| id).collect()
}

#[test]
fn triage_order_is_the_domain_order() {
    let (_tmp, store) = store();
    let items = mixed(&store, 150, 7);
    let got = store.triage(&TriageFilter::default(), all()).unwrap();
    assert_eq!(ids(&got), expected_order(&items));

    // Paging walks the same order.
    let mut paged = Vec::new();
    for offset in (0..150).step_by(7) {
        paged.extend(ids(&store
            .triage(&TriageFilter::default(), Page { offset, limit: 7 })
            .unwrap()));
    }
    assert_eq!(paged, expected_order(&items));
    assert_eq!(Page::default().limit, 50);
    assert_eq!(
        store
            .triage(&TriageFilter::default(), Page::default())
            .unwrap()
            .len(),
        50
    );
}

/// The counts under `filter`, counted item by item.
fn counted(items: &[Mixed], filter: &TriageFilter) -> TriageCounts {
    let kept: Vec<&Mixed> = items
        .iter()
        .filter(|(item, route, read)| {
            (filter.kinds.is_empty() || filter.kinds.contains(&item.kind()))
                && (filter.markings.is_empty() || filter.markings.contains(&item.marking()))
                && (filter.precedences.is_empty()
                    || filter.precedences.contains(&item.precedence()))
                && filter.route.is_none_or(|r| match r {
                    RouteFilter::Action => *route == Some(Route::Action),
                    RouteFilter::Info => *route == Some(Route::Info),
                    RouteFilter::Unrouted => route.is_none(),
                })
                && (!filter.unread_only || !read)
        })
        .collect();
    let count = |f: &dyn Fn(&Mixed) -> bool| kept.iter().filter(|x| f(x)).count() as u64;
    TriageCounts {
        total: kept.len() as u64,
        action: count(&|x| x.1 == Some(Route::Action)),
        info: count(&|x| x.1 == Some(Route::Info)),
        unrouted: count(&|x| x.1.is_none()),
        unread: count(&|x| !x.2),
        unread_action: count(&|x| !x.2 && x.1 == Some(Route::Action)),
        unread_info: count(&|x| !x.2 && x.1 == Some(Route::Info)),
        unread_unrouted: count(&|x| !x.2 && x.1.is_none()),
    }
}

#[test]
fn the_counts_follow_every_read_and_unread_under_every_filter() {
    let (_tmp, store) = store();
    let mut items = mixed(&store, 120, 19);
    let filters = [
        TriageFilter::default(),
        TriageFilter {
            route: Some(RouteFilter::Info),
            ..Default::default()
        },
        TriageFilter {
            kinds: vec![ItemKind::Telegram, ItemKind::FormalEmail],
            precedences: vec![Precedence::Flash, Precedence::Routine],
            ..Default::default()
        },
        TriageFilter {
            markings: vec![Marking::NonProtege],
            unread_only: true,
            ..Default::default()
        },
    ];
    let mut rng = StdRng::seed_from_u64(5);
    for round in 0..4 {
        for filter in &filters {
            assert_eq!(
                store.triage_counts(filter).unwrap(),
                counted(&items, filter),
                "round {round}, {filter:?}"
            );
        }
        // Some read, some unread again, some marked as they were.
        for _ in 0..30 {
            let k = rng.random_range(0..items.len());
            let read = rng.random_bool(0.5);
            store.mark_read(items[k].0.id, read, &audit()).unwrap();
            items[k].2 = read;
        }
    }
    // A duplicate put counts nothing.
    let again = items[0].0.clone();
    store
        .put_item(
            &NewItem {
                route: items[0].1,
                ..NewItem::new(&again)
            },
            &audit(),
        )
        .unwrap();
    assert_eq!(
        store.triage_counts(&TriageFilter::default()).unwrap(),
        counted(&items, &TriageFilter::default())
    );
}

#[test]
fn triage_filters_and_counts() {
    let (_tmp, store) = store();
    let items = mixed(&store, 90, 11);
    let expected = counted(&items, &TriageFilter::default());
    assert_eq!(expected.total, 90);
    assert_eq!(
        store.triage_counts(&TriageFilter::default()).unwrap(),
        expected
    );

    let check = |filter: TriageFilter, keep: &dyn Fn(&Mixed) -> bool| {
        let kept: Vec<_> = items.iter().filter(|x| keep(x)).cloned().collect();
        let got = store.triage(&filter, all()).unwrap();
        assert_eq!(ids(&got), expected_order(&kept), "{filter:?}");
        assert_eq!(
            store.triage_counts(&filter).unwrap().total,
            kept.len() as u64
        );
    };
    check(
        TriageFilter {
            route: Some(RouteFilter::Action),
            ..Default::default()
        },
        &|x| x.1 == Some(Route::Action),
    );
    check(
        TriageFilter {
            route: Some(RouteFilter::Unrouted),
            unread_only: true,
            ..Default::default()
        },
        &|x| x.1.is_none() && !x.2,
    );
    check(
        TriageFilter {
            kinds: vec![ItemKind::DiplomaticNote, ItemKind::FormalEmail],
            ..Default::default()
        },
        &|x| x.0.kind() != ItemKind::Telegram,
    );
    check(
        TriageFilter {
            markings: vec![Marking::DiffusionRestreinte],
            ..Default::default()
        },
        &|x| x.0.marking() == Marking::DiffusionRestreinte,
    );
    check(
        TriageFilter {
            precedences: vec![Precedence::Flash, Precedence::Immediat],
            ..Default::default()
        },
        &|x| x.0.precedence() >= Precedence::Immediat,
    );
    check(
        TriageFilter {
            origin: Some("berlin".into()),
            ..Default::default()
        },
        &|x| x.0.origin() == "BERLIN",
    );
    check(
        TriageFilter {
            tag: Some("de".into()),
            ..Default::default()
        },
        &|x| x.0.tags().contains(&Tag::new("DE").unwrap()),
    );
}

// ---------------------------------------------------------------------------------------------
// Dedupe and audit

#[test]
fn the_same_dedupe_key_twice_keeps_the_first() {
    let (_tmp, store) = store();
    let a = email("Premier", "corps");
    let b = email("Second", "corps");
    let na = NewItem {
        dedupe_key: Some("<m1@quai.example>"),
        ..NewItem::new(&a)
    };
    let nb = NewItem {
        dedupe_key: Some("<m1@quai.example>"),
        ..NewItem::new(&b)
    };
    assert_eq!(
        store.put_item(&na, &audit()).unwrap(),
        PutOutcome::Inserted(a.id)
    );
    assert_eq!(
        store.put_item(&nb, &audit()).unwrap(),
        PutOutcome::Duplicate(a.id)
    );
    assert_eq!(store.item_count().unwrap(), 1);
    assert!(store.get_item(b.id).unwrap().is_none());
    // Within one batch too.
    let c = email("Troisième", "corps");
    let d = email("Quatrième", "corps");
    let batch = [
        NewItem {
            dedupe_key: Some("k2"),
            ..NewItem::new(&c)
        },
        NewItem {
            dedupe_key: Some("k2"),
            ..NewItem::new(&d)
        },
        nb,
    ];
    let outcomes = store.put_items(&batch, &audit()).unwrap();
    assert_eq!(
        outcomes,
        vec![
            PutOutcome::Inserted(c.id),
            PutOutcome::Duplicate(c.id),
            PutOutcome::Duplicate(a.id)
        ]
    );
    assert_eq!(store.item_count().unwrap(), 2);
    // One audit entry per inserted item, none for duplicates.
    assert_eq!(store.audit_log(None, all()).unwrap().len(), 2);
}

#[test]
fn the_audit_log_is_append_only_and_written_with_the_item() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    let store = Store::create(&dir, PASS, COST).unwrap();
    store
        .append_audit(&AuditRecord::new("alice", AuditAction::ProfileCreated))
        .unwrap();
    let td = telegram("Sujet", "corps");
    let record = AuditRecord {
        detail: "from relay".into(),
        ..AuditRecord::new("alice", AuditAction::ItemReceived)
    };
    store.put_item(&NewItem::new(&td), &record).unwrap();
    store
        .append_audit(&AuditRecord {
            item: Some(td.id),
            ..AuditRecord::new("bob", AuditAction::ItemViewed)
        })
        .unwrap();

    let log = store.audit_log(None, all()).unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].action, AuditAction::ProfileCreated);
    assert_eq!(log[0].item, None);
    assert_eq!(log[1].action, AuditAction::ItemReceived);
    assert_eq!(log[1].item, Some(td.id));
    assert_eq!(log[1].detail, "from relay");
    assert!(log[0].seq < log[1].seq && log[1].seq < log[2].seq);
    let of_item = store.audit_log(Some(td.id), all()).unwrap();
    assert_eq!(of_item.len(), 2);
    assert_eq!(of_item[1].actor, "bob");
    assert_eq!(
        store
            .audit_log(
                None,
                Page {
                    offset: 1,
                    limit: 1
                }
            )
            .unwrap()[0]
            .seq,
        log[1].seq
    );
    let json = serde_json::to_string(&log[2]).unwrap();
    assert!(json.contains("\"item_viewed\""), "{json}");
    drop(store);

    let conn = raw_connection(&dir, PASS);
    let update = conn.execute("UPDATE audit_log SET actor = 'mallory'", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = conn.execute("DELETE FROM audit_log", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let n: i64 = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3);
}

// ---------------------------------------------------------------------------------------------
// Search

struct Corpus {
    _tmp: tempfile::TempDir,
    store: Store,
    elections: Item,
    accord: Item,
    note: Item,
    email: Item,
    scattered: Item,
}

fn corpus() -> Corpus {
    let (tmp, store) = store();
    let mut elections = telegram(
        "Télégramme : élections régionales en Saxe",
        "Le scrutin s'est déroulé dans le calme ; la participation est en hausse.",
    );
    set_precedence(&mut elections, Precedence::Immediat);
    let accord = telegram(
        "Négociations commerciales",
        "Les parties ont signé un accord de paix et de coopération.",
    );
    let note = note("Visite du ministre", "L'Ambassade sollicite une audience.");
    let mut email = email(
        "Rapport annuel",
        "Veuillez trouver le rapport sur les élections municipales.",
    );
    if let ItemContent::FormalEmail(e) = &mut email.content {
        e.date = datetime!(2026-05-10 10:00 UTC);
    }
    let scattered = telegram(
        "Divers",
        "La paix reviendra ; un accord est possible plus tard.",
    );
    for (item, route) in [
        (&elections, Some(Route::Action)),
        (&accord, Some(Route::Info)),
        (&note, None),
        (&email, Some(Route::Action)),
        (&scattered, None),
    ] {
        store
            .put_item(
                &NewItem {
                    route,
                    ..NewItem::new(item)
                },
                &audit(),
            )
            .unwrap();
    }
    Corpus {
        _tmp: tmp,
        store,
        elections,
        accord,
        note,
        email,
        scattered,
    }
}

fn found(c: &Corpus, q: SearchQuery) -> Vec<ItemId> {
    let mut got: Vec<ItemId> = c
        .store
        .search(&q)
        .unwrap()
        .iter()
        .map(|h| h.summary.id)
        .collect();
    got.sort();
    got
}

fn sorted(mut v: Vec<ItemId>) -> Vec<ItemId> {
    v.sort();
    v
}

#[test]
fn search_ignores_case_and_accents() {
    let c = corpus();
    assert_eq!(
        found(&c, SearchQuery::text("telegramme")),
        vec![c.elections.id]
    );
    assert_eq!(
        found(&c, SearchQuery::text("ELECTIONS")),
        sorted(vec![c.elections.id, c.email.id])
    );
    assert_eq!(
        found(&c, SearchQuery::text("Négociations")),
        vec![c.accord.id]
    );
    assert_eq!(
        found(&c, SearchQuery::text("negociations")),
        vec![c.accord.id]
    );
    // Words are ANDed.
    assert_eq!(
        found(&c, SearchQuery::text("élections saxe")),
        vec![c.elections.id]
    );
    assert!(found(&c, SearchQuery::text("élections zanzibar")).is_empty());
}

#[test]
fn search_prefixes_and_phrases() {
    let c = corpus();
    assert_eq!(
        found(&c, SearchQuery::text("élect*")),
        sorted(vec![c.elections.id, c.email.id])
    );
    assert!(found(&c, SearchQuery::text("rappo")).is_empty());
    let typing = SearchQuery {
        prefix_last_word: true,
        ..SearchQuery::text("annuel rappo")
    };
    assert_eq!(found(&c, typing), vec![c.email.id]);
    assert_eq!(
        found(&c, SearchQuery::text("accord paix")),
        sorted(vec![c.accord.id, c.scattered.id])
    );
    assert_eq!(
        found(&c, SearchQuery::text("\"accord de paix\"")),
        vec![c.accord.id]
    );
    // Addressees, headers, tags, numbers.
    assert_eq!(found(&c, SearchQuery::text("quai")), vec![c.email.id]);
    assert_eq!(found(&c, SearchQuery::text("protocole")), vec![c.note.id]);
    assert_eq!(found(&c, SearchQuery::text("\"2026-0042\"")).len(), 3);
}

#[test]
fn search_filters() {
    let c = corpus();
    let q = |filter: TriageFilter| SearchQuery {
        filter,
        ..SearchQuery::text("corps OR élections OR accord")
    };
    // (OR is a word here: nothing has it.)
    assert!(found(&c, q(TriageFilter::default())).is_empty());
    let base = |text: &str, filter: TriageFilter| SearchQuery {
        filter,
        ..SearchQuery::text(text)
    };
    assert_eq!(
        found(
            &c,
            base(
                "élections",
                TriageFilter {
                    kinds: vec![ItemKind::FormalEmail],
                    ..Default::default()
                }
            )
        ),
        vec![c.email.id]
    );
    assert_eq!(
        found(
            &c,
            base(
                "élections",
                TriageFilter {
                    precedences: vec![Precedence::Immediat],
                    ..Default::default()
                }
            )
        ),
        vec![c.elections.id]
    );
    assert_eq!(
        found(
            &c,
            base(
                "ambassade",
                TriageFilter {
                    markings: vec![Marking::DiffusionRestreinte],
                    ..Default::default()
                }
            )
        ),
        vec![c.note.id]
    );
    assert_eq!(
        found(
            &c,
            base(
                "accord",
                TriageFilter {
                    route: Some(RouteFilter::Unrouted),
                    ..Default::default()
                }
            )
        ),
        vec![c.scattered.id]
    );
    assert_eq!(
        found(
            &c,
            base(
                "élections",
                TriageFilter {
                    origin: Some("berlin".into()),
                    ..Default::default()
                }
            )
        ),
        vec![c.elections.id]
    );
    assert_eq!(
        found(
            &c,
            base(
                "élections",
                TriageFilter {
                    tag: Some("pol".into()),
                    ..Default::default()
                }
            )
        ),
        vec![c.elections.id]
    );
    c.store.mark_read(c.elections.id, true, &audit()).unwrap();
    assert_eq!(
        found(
            &c,
            base(
                "élections",
                TriageFilter {
                    unread_only: true,
                    ..Default::default()
                }
            )
        ),
        vec![c.email.id]
    );
    let dated = |from, to| SearchQuery {
        from,
        to,
        ..SearchQuery::text("élections")
    };
    let may = datetime!(2026-05-01 00:00 UTC);
    assert_eq!(found(&c, dated(Some(may), None)), vec![c.email.id]);
    assert_eq!(found(&c, dated(None, Some(may))), vec![c.elections.id]);
    assert_eq!(
        found(
            &c,
            dated(
                Some(datetime!(2026-05-10 10:00 UTC)),
                Some(datetime!(2026-05-10 10:00:01 UTC))
            )
        ),
        vec![c.email.id],
        "from is inclusive"
    );
}

#[test]
fn search_ranks_the_subject_higher_and_highlights_snippets() {
    let c = corpus();
    let hits = c.store.search(&SearchQuery::text("élections")).unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].summary.id, c.elections.id, "subject match first");
    assert!(hits[0].rank > hits[1].rank);
    for hit in &hits {
        let highlighted: Vec<_> = hit.snippet.iter().filter(|p| p.highlight).collect();
        assert!(!highlighted.is_empty(), "{:?}", hit.snippet);
        assert!(
            highlighted
                .iter()
                .all(|p| p.text.to_lowercase() == "élections")
        );
        assert!(hit.snippet.iter().any(|p| !p.highlight));
        assert!(
            hit.snippet
                .iter()
                .all(|p| !p.text.contains('\u{2}') && !p.text.contains('\u{3}'))
        );
    }
    let page = SearchQuery {
        page: Page {
            offset: 1,
            limit: 1,
        },
        ..SearchQuery::text("élections")
    };
    let second = c.store.search(&page).unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].summary.id, c.email.id);
}

#[test]
fn a_renumbered_item_is_found_by_its_new_number_and_still_by_its_words() {
    let (tmp, store) = store();
    let mut item = telegram("Élections en Saxe", "Le scrutin régional et ses suites.");
    let ItemContent::Telegram(t) = &mut item.content else {
        unreachable!()
    };
    t.number = Some(diplomatie_domain::TelegramNumber {
        post: "BERLIN".into(),
        year: 2026,
        serial: 9001,
    });
    let meta = diplomatie_domain::AttachmentMeta {
        name: "annexe-resultats.txt".into(),
        content_type: "text/plain".into(),
        size: 0,
        sha256: "00".into(),
    };
    let attachments = [(
        meta,
        "Participation record dans les circonscriptions.".as_bytes(),
    )];
    store
        .put_item(
            &NewItem {
                attachments: &attachments,
                ..NewItem::new(&item)
            },
            &audit(),
        )
        .unwrap();
    let found = |text: &str| store.search(&SearchQuery::text(text)).unwrap().len();
    assert_eq!(found("\"2026-9001\""), 1);

    // Its provisional number made final: the index holds every column of the new text.
    let ItemContent::Telegram(t) = &mut item.content else {
        unreachable!()
    };
    t.number = Some(diplomatie_domain::TelegramNumber {
        post: "BERLIN".into(),
        year: 2026,
        serial: 57,
    });
    store
        .renumber_released_item(&item, "draft", "old", "new", b"record", &audit())
        .unwrap();
    assert_eq!(found("\"2026-9001\""), 0, "the provisional number is gone");
    assert_eq!(found("\"2026-0057\""), 1, "the final number is found");
    for words in ["saxe", "scrutin", "Carol", "annexe", "circonscriptions"] {
        assert_eq!(found(words), 1, "{words}");
    }

    // The index keeps no copy of the text: the text is read from the item alone.
    drop(store);
    let raw = raw_connection(&tmp.path().join("alice"), PASS);
    let tables: Vec<String> = raw
        .prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'items_fts%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        !tables.iter().any(|t| t == "items_fts_content"),
        "{tables:?}"
    );
    let subject: Option<String> = raw
        .query_row("SELECT subject FROM items_fts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(subject, None);
}

#[test]
fn a_hit_in_an_attachment_shows_the_attachment_highlighted() {
    let (_tmp, store) = store();
    let mail = email("Compte rendu", "Voir la pièce jointe.");
    let meta = diplomatie_domain::AttachmentMeta {
        name: "proces-verbal.txt".into(),
        content_type: "text/plain".into(),
        size: 0,
        sha256: "00".into(),
    };
    let text = "Le comité budgétaire a retenu trois priorités pour l'exercice.";
    let attachments = [(meta, text.as_bytes())];
    store
        .put_item(
            &NewItem {
                attachments: &attachments,
                ..NewItem::new(&mail)
            },
            &audit(),
        )
        .unwrap();
    for (query, word) in [("budgetaire", "budgétaire"), ("proces", "proces")] {
        let hits = store.search(&SearchQuery::text(query)).unwrap();
        assert_eq!(hits.len(), 1, "{query}");
        let highlighted: Vec<_> = hits[0]
            .snippet
            .iter()
            .filter(|p| p.highlight)
            .map(|p| p.text.to_lowercase())
            .collect();
        assert_eq!(highlighted, [word], "{query}: {:?}", hits[0].snippet);
    }
    // A hit in the body still shows the body.
    let hits = store.search(&SearchQuery::text("jointe")).unwrap();
    assert!(
        hits[0]
            .snippet
            .iter()
            .any(|p| p.highlight && p.text == "jointe")
    );
}

#[test]
fn hostile_queries_never_fail_except_empty_ones() {
    let c = corpus();
    for text in [
        "élections\"",
        "\"accord de",
        "(paix",
        "paix)",
        "NEAR(paix accord)",
        "paix AND accord",
        "paix OR",
        "NOT paix",
        "-paix",
        "paix -accord",
        "paix*",
        "**paix",
        "^paix",
        "subject:paix",
        "{subject}: paix",
        "paix + accord",
        "'; DROP TABLE items; --",
        "\u{0}paix",
        "\u{2}paix\u{3}",
        "𝕡𝕒𝕚𝕩 日本語 🙂",
    ] {
        for prefix_last_word in [false, true] {
            let q = SearchQuery {
                prefix_last_word,
                ..SearchQuery::text(text)
            };
            match c.store.search(&q) {
                Ok(_) => {}
                Err(StoreError::InvalidQuery(msg)) => panic!("{text:?}: refused: {msg}"),
                Err(e) => panic!("{text:?}: {e}"),
            }
        }
    }
    for text in [
        "",
        "   ",
        "\"",
        "\"\"",
        "\"\"\"",
        "*",
        "* ^ - ( )",
        "\"   \"",
        ":",
    ] {
        let err = c.store.search(&SearchQuery::text(text)).unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidQuery(_)),
            "{text:?}: {err}"
        );
        assert!(err.to_string().contains("empty"), "{err}");
    }
    assert_eq!(c.store.item_count().unwrap(), 5);
}

#[test]
fn threads_list_their_items_oldest_first() {
    let (_tmp, store) = store();
    let mut first = email("Question", "?");
    let mut second = email("Re: Question", "!");
    if let ItemContent::FormalEmail(e) = &mut second.content {
        e.date = datetime!(2026-03-05 10:00 UTC);
    }
    if let ItemContent::FormalEmail(e) = &mut first.content {
        e.date = datetime!(2026-03-04 10:00 UTC);
    }
    for item in [&second, &first] {
        store
            .put_item(
                &NewItem {
                    thread_key: Some("<m1@quai.example>"),
                    ..NewItem::new(item)
                },
                &audit(),
            )
            .unwrap();
    }
    store
        .put_item(&NewItem::new(&email("Autre", "x")), &audit())
        .unwrap();
    assert_eq!(
        ids(&store.thread("<m1@quai.example>").unwrap()),
        vec![first.id, second.id]
    );
    assert!(store.thread("nothing").unwrap().is_empty());
}

/// A conversation of `n` messages: message `k > 0` answers `parent[k] < k` and carries, as
/// References, the last `kept[k]` ids of its chain to the root (cut short, as RFC 5322
/// allows), or none.
struct Conversation {
    parent: Vec<usize>,
    kept: Vec<usize>,
}

impl Conversation {
    fn chain(&self, k: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut at = k;
        while at > 0 {
            at = self.parent[at];
            chain.push(at);
        }
        chain.reverse();
        chain
    }
}

fn mid(k: usize) -> String {
    format!("c{k}@quai.example")
}

/// Threads by the ids the arrived messages name: two messages share a thread when a path of
/// ids links them (through messages that never arrived too, as long as some arrived message
/// names them).
fn expected_threads(conv: &Conversation, arrived: &[usize]) -> Vec<Vec<usize>> {
    let n = conv.parent.len();
    let mut root: Vec<usize> = (0..n).collect();
    fn find(root: &mut [usize], x: usize) -> usize {
        let mut x = x;
        while root[x] != x {
            root[x] = root[root[x]];
            x = root[x];
        }
        x
    }
    for &k in arrived {
        let chain = conv.chain(k);
        let refs = &chain[chain.len() - conv.kept[k]..];
        let links = refs
            .iter()
            .copied()
            .chain((k > 0).then_some(conv.parent[k]));
        for other in links {
            let (a, b) = (find(&mut root, k), find(&mut root, other));
            root[a] = b;
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for &k in arrived {
        let r = find(&mut root, k);
        groups.entry(r).or_default().push(k);
    }
    let mut out: Vec<Vec<usize>> = groups
        .into_values()
        .map(|mut g| {
            g.sort();
            g
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_conversation_is_one_thread_whatever_arrives_and_in_whatever_order() {
    let mut rng = StdRng::seed_from_u64(7);
    for case in 0..150 {
        let n = rng.random_range(2..=6);
        let parent: Vec<usize> = (0..n)
            .map(|k| if k == 0 { 0 } else { rng.random_range(0..k) })
            .collect();
        let mut conv = Conversation {
            parent,
            kept: vec![0; n],
        };
        for k in 1..n {
            let depth = conv.chain(k).len();
            conv.kept[k] = rng.random_range(0..=depth);
        }
        // Some messages never arrive; the others arrive in any order.
        let mut arrived: Vec<usize> = (0..n).filter(|_| rng.random_bool(0.8)).collect();
        for i in (1..arrived.len()).rev() {
            arrived.swap(i, rng.random_range(0..=i));
        }
        let (_tmp, store) = store();
        let mut stored = std::collections::BTreeMap::new();
        for &k in &arrived {
            let chain = conv.chain(k);
            let references: Vec<String> = chain[chain.len() - conv.kept[k]..]
                .iter()
                .map(|&r| mid(r))
                .collect();
            let in_reply_to: Vec<String> = if k > 0 {
                vec![mid(conv.parent[k])]
            } else {
                vec![]
            };
            let mut item = email("Sommet", "Texte.");
            let ItemContent::FormalEmail(e) = &mut item.content else {
                unreachable!()
            };
            e.message_id = Some(mid(k));
            e.references = references.clone();
            e.in_reply_to = in_reply_to.clone();
            let key = e.thread_key().map(str::to_owned);
            let own = mid(k);
            let parents: Vec<&str> = references
                .iter()
                .chain(&in_reply_to)
                .map(String::as_str)
                .collect();
            let dedupe = format!("mid:{own}");
            store
                .put_item(
                    &NewItem {
                        dedupe_key: Some(&dedupe),
                        thread_key: key.as_deref(),
                        thread_parents: &parents,
                        message_id: Some(&own),
                        ..NewItem::new(&item)
                    },
                    &audit(),
                )
                .unwrap();
            stored.insert(k, item.id);
        }
        // The threads as the store tells them.
        let mut got: Vec<Vec<usize>> = Vec::new();
        for &k in &arrived {
            let key = store
                .get_item(stored[&k])
                .unwrap()
                .unwrap()
                .thread_key
                .unwrap();
            let members: Vec<ItemId> = ids(&store.thread(&key).unwrap());
            let mut group: Vec<usize> = arrived
                .iter()
                .copied()
                .filter(|j| members.contains(&stored[j]))
                .collect();
            group.sort();
            if !got.contains(&group) {
                got.push(group);
            }
        }
        got.sort();
        assert_eq!(
            got,
            expected_threads(&conv, &arrived),
            "case {case}: parents {:?}, references kept {:?}, arrival {arrived:?}",
            conv.parent,
            conv.kept
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Whatever is typed, search answers or says the query is empty; it never fails otherwise.
    #[test]
    fn any_typed_text_is_answered_or_refused_as_empty(
        text in r#"[a-zéÉ0-9 "*()^:+\-{}.,'\\]{0,24}|\PC{0,16}"#,
        prefix_last_word in proptest::bool::ANY,
    ) {
        thread_local! {
            static CORPUS: Corpus = corpus();
        }
        CORPUS.with(|c| {
            let q = SearchQuery { prefix_last_word, ..SearchQuery::text(text.clone()) };
            match c.store.search(&q) {
                Ok(_) => {}
                Err(StoreError::InvalidQuery(m)) if m.contains("empty") => {}
                // A star after fewer letters than the prefix index holds, covering many words.
                Err(StoreError::InvalidQuery(m))
                    if m.contains("type at least 3 letters") && text.contains('*') => {}
                Err(e) => panic!("{text:?}: {e}"),
            }
        });
    }
}
