//! Property tests: every domain type survives a serde round-trip, and the rules and the triage
//! order keep their invariants whatever the input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::cmp::Ordering;

use diplomatie_domain::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use time::macros::datetime;
use time::{Date, OffsetDateTime, UtcOffset};
use uuid::Uuid;

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Zéèàçô0-9 '.,-]{0,40}"
}

fn nonblank() -> impl Strategy<Value = String> {
    "[a-zA-Zéèàç][a-zA-Zéèàç0-9 ]{0,30}"
}

/// A UTC instant in whole seconds (RFC 3339 keeps them exactly).
fn utc_datetime() -> impl Strategy<Value = OffsetDateTime> {
    (1_500_000_000i64..2_000_000_000).prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap())
}

/// An instant at any offset RFC 3339 can write (whole minutes, under 24 hours), UTC included:
/// for the dates that legitimately carry the writer's offset.
fn datetime() -> impl Strategy<Value = OffsetDateTime> {
    (utc_datetime(), -1439i32..=1439)
        .prop_map(|(t, minutes)| t.to_offset(UtcOffset::from_whole_seconds(minutes * 60).unwrap()))
}

/// A DTG: UTC as the rule wants it, sometimes at another offset to see it refused.
fn dtg() -> impl Strategy<Value = OffsetDateTime> {
    prop_oneof![3 => utc_datetime(), 1 => datetime()]
}

fn marking() -> impl Strategy<Value = Marking> {
    prop_oneof![
        Just(Marking::NonProtege),
        Just(Marking::DiffusionRestreinte)
    ]
}

fn precedence() -> impl Strategy<Value = Precedence> {
    (0u8..4).prop_map(|r| Precedence::from_rank(r).unwrap())
}

fn route() -> impl Strategy<Value = Route> {
    prop_oneof![Just(Route::Action), Just(Route::Info)]
}

fn addressee() -> impl Strategy<Value = Addressee> {
    prop_oneof![
        nonblank().prop_map(Addressee::Unit),
        nonblank().prop_map(Addressee::Person)
    ]
}

fn user() -> impl Strategy<Value = UserIdentity> {
    (
        text(),
        vec(nonblank(), 0..3),
        vec("[a-z]{1,8}@[a-z]{1,8}\\.example", 0..3),
    )
        .prop_map(|(name, units, emails)| UserIdentity {
            name,
            units,
            emails,
        })
}

fn paragraph() -> impl Strategy<Value = Paragraph> {
    (marking(), text()).prop_map(|(marking, text)| Paragraph { marking, text })
}

/// An id as the client makes it: a UUIDv7 (a millisecond time stamp and random bits).
fn item_id() -> impl Strategy<Value = ItemId> {
    (0u64..1 << 48, any::<[u8; 10]>()).prop_map(|(millis, random)| {
        ItemId::from_uuid(uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid())
    })
}

/// What someone may type as a tag, non-ASCII letters included: `ß` upper-cases to two letters,
/// `ŉ` to a modifier letter and `N`, the ligature `ﬁ` to `FI`.
fn raw_tag() -> impl Strategy<Value = String> {
    "[A-Za-zßéèçàôœæøåñüıŉﬁ][A-Za-z0-9ßéèçàôœæøåñüıŉﬁ_-]{0,40}"
}

fn tag() -> impl Strategy<Value = Tag> {
    raw_tag().prop_filter_map("too long once upper-cased", |t| Tag::new(&t).ok())
}

fn reference() -> impl Strategy<Value = Reference> {
    (nonblank(), option::of(item_id())).prop_map(|(label, item)| Reference { label, item })
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    (option::of(nonblank()), "[a-z]{1,8}", "[a-z]{1,8}").prop_map(|(name, l, d)| Mailbox {
        name,
        address: format!("{l}@{d}.example"),
    })
}

prop_compose! {
    fn telegram()(
        number in option::of((nonblank(), 2000i32..2100, 1u32..10_000)),
        dtg in dtg(),
        origin in text(),
        action in vec(addressee(), 0..4),
        info in vec(addressee(), 0..4),
        subject in text(),
        tags in vec(tag(), 0..4),
        references in vec(reference(), 0..3),
        summary in text(),
        paragraphs in vec(paragraph(), 0..6),
        drafter in nonblank(),
        clearers in vec(nonblank(), 0..3),
        approver in option::of(nonblank()),
        precedence in precedence(),
        justification in option::of(text()),
        marking in marking(),
        caveats in vec(nonblank(), 0..2),
    ) -> Telegram {
        Telegram {
            number: number.map(|(post, year, serial)| TelegramNumber { post, year, serial }),
            dtg, origin, action, info, subject, tags, references, summary, paragraphs, drafter,
            clearers, approver, precedence, justification, marking, caveats,
        }
    }
}

prop_compose! {
    fn note()(
        mission in text(),
        institution in text(),
        subject in text(),
        opening in option::of(text()),
        closing in option::of(text()),
        paragraphs in vec(paragraph(), 0..4),
        place in nonblank(),
        day in 0i32..20_000,
        answers in option::of(reference()),
        action in vec(addressee(), 0..3),
        info in vec(addressee(), 0..3),
        tags in vec(tag(), 0..3),
        precedence in precedence(),
        justification in option::of(text()),
        marking in marking(),
        created_at in datetime(),
        number in option::of(1u32..999),
    ) -> DiplomaticNote {
        DiplomaticNote {
            number: number.map(|serial| NoteNumber { mission: mission.clone(), year: 2026, serial }),
            // The customary formulas, or whatever was typed instead (blank included).
            opening: opening.unwrap_or_else(|| DiplomaticNote::default_opening(&mission, &institution)),
            closing: closing.unwrap_or_else(|| DiplomaticNote::default_closing(&mission, &institution)),
            sending_mission: mission,
            receiving_institution: institution,
            subject, paragraphs, place,
            date: Date::from_julian_day(2_450_000 + day).unwrap(),
            answers, action, info, tags, precedence, justification, marking, created_at,
        }
    }
}

prop_compose! {
    fn email()(
        from in mailbox(),
        to in vec(mailbox(), 0..3),
        cc in vec(mailbox(), 0..3),
        date in datetime(),
        message_id in option::of("[a-z0-9]{4,12}@[a-z]{3,8}"),
        in_reply_to in vec("[a-z0-9]{4,12}@x", 0..2),
        references in vec("[a-z0-9]{4,12}@x", 0..3),
        subject in text(),
        body in text(),
        attachments in vec((nonblank(), 0u64..1_000_000), 0..3),
        marking in marking(),
        precedence in precedence(),
    ) -> FormalEmail {
        FormalEmail {
            from, to, cc, date, message_id, in_reply_to, references, subject, body,
            attachments: attachments.into_iter().map(|(name, size)| AttachmentMeta {
                name, content_type: "application/pdf".into(), size, sha256: "ab".repeat(32),
            }).collect(),
            marking, precedence,
        }
    }
}

fn item() -> impl Strategy<Value = Item> {
    (
        item_id(),
        datetime(),
        option::of(datetime()),
        prop_oneof![
            telegram().prop_map(ItemContent::Telegram),
            note().prop_map(ItemContent::DiplomaticNote),
            email().prop_map(ItemContent::FormalEmail),
        ],
        option::of(
            "[a-z]{2,3}(-[A-Z]{2})?".prop_filter_map("a language", |t| Language::parse(&t).ok()),
        ),
    )
        .prop_map(|(id, received_at, deadline, content, language)| Item {
            id,
            received_at,
            deadline,
            content,
            language,
        })
}

fn triage_key() -> impl Strategy<Value = TriageKey> {
    (
        option::of(route()),
        precedence(),
        option::of(datetime()),
        datetime(),
    )
        .prop_map(|(route, precedence, deadline, received_at)| TriageKey {
            route,
            precedence,
            deadline,
            received_at,
        })
}

const PEOPLE: [&str; 6] = ["alice", "bob", "carol", "dave", "erin", "acme"];

fn clearance_order() -> impl Strategy<Value = ClearanceOrder> {
    prop_oneof![
        Just(ClearanceOrder::Sequential),
        Just(ClearanceOrder::Parallel)
    ]
}

/// Any circuit, valid or not (serde does not check it).
fn circuit() -> impl Strategy<Value = Circuit> {
    (text(), vec(text(), 0..4), clearance_order(), text()).prop_map(
        |(drafter, clearers, order, approver)| Circuit {
            drafter,
            clearers,
            order,
            approver,
        },
    )
}

/// A valid circuit of distinct people: drafter, approver, then up to four clearers.
fn valid_circuit() -> impl Strategy<Value = Circuit> {
    (
        Just(PEOPLE.to_vec()).prop_shuffle(),
        0usize..=4,
        clearance_order(),
    )
        .prop_map(|(people, clearers, order)| Circuit {
            drafter: people[0].into(),
            approver: people[1].into(),
            clearers: people[2..2 + clearers].iter().map(|&p| p.into()).collect(),
            order,
        })
}

fn stage() -> impl Strategy<Value = Stage> {
    proptest::sample::select(Stage::ALL.to_vec())
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Drafter),
        Just(Role::Clearer),
        Just(Role::Approver),
        Just(Role::DrafterOrApprover),
        Just(Role::Member),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Submit),
        option::of(text()).prop_map(|comment| Step::Clear { comment }),
        text().prop_map(|comment| Step::Reject { comment }),
        Just(Step::Approve),
        Just(Step::Release),
        text().prop_map(|reason| Step::Withdraw { reason }),
        Just(Step::Edit),
    ]
}

fn verdict() -> impl Strategy<Value = Verdict> {
    prop_oneof![
        option::of(any::<u64>()).prop_map(|cleared_before| Verdict::Pending { cleared_before }),
        (any::<u64>(), option::of(text()))
            .prop_map(|(version, comment)| Verdict::Cleared { version, comment }),
        (any::<u64>(), text())
            .prop_map(|(version, comment)| Verdict::Rejected { version, comment }),
    ]
}

/// A clearance somewhere along its circuit: the steps the rules allowed, out of random ones by
/// random people, were applied (the others refused).
fn clearance() -> impl Strategy<Value = Clearance> {
    (
        valid_circuit(),
        vec((proptest::sample::select(PEOPLE.to_vec()), step()), 0..30),
    )
        .prop_map(|(circuit, steps)| {
            let mut clearance = Clearance::new(circuit).unwrap();
            for (who, step) in steps {
                let _ = clearance.apply(who, step);
            }
            clearance
        })
}

/// JSON and back gives an equal value, and writing it again gives the same JSON: the second
/// check sees what `==` does not, such as a date's offset (equal instants compare equal).
fn round_trip<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, value);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

fn highest(paragraphs: &[Paragraph]) -> Marking {
    paragraphs
        .iter()
        .map(|p| p.marking)
        .max()
        .unwrap_or_default()
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

proptest! {
    #[test]
    fn every_item_type_round_trips_through_serde(item in item()) {
        round_trip(&item);
        round_trip(&item.content);
        round_trip(&item.id);
        round_trip(&item.kind());
        round_trip(&item.marking());
        round_trip(&item.precedence());
        match &item.content {
            ItemContent::Telegram(t) => {
                round_trip(t);
                round_trip(&t.number);
            }
            ItemContent::DiplomaticNote(n) => {
                round_trip(n);
                round_trip(&n.number);
            }
            ItemContent::FormalEmail(e) => {
                round_trip(e);
                round_trip(&e.attachments);
            }
        }
        prop_assert_eq!(item.id.to_string().parse::<ItemId>().unwrap(), item.id);
    }

    #[test]
    fn every_part_type_round_trips_through_serde(
        who in addressee(), r in reference(), m in mailbox(), p in paragraph(), t in tag(),
        route in route(), user in user(), key in triage_key(), item in item(),
    ) {
        round_trip(&who);
        round_trip(&r);
        round_trip(&m);
        round_trip(&p);
        round_trip(&t);
        round_trip(&route);
        round_trip(&user);
        round_trip(&key);
        let routed = TriageKey::of(&item, &user);
        round_trip(&routed);
        for kind in ItemKind::ALL {
            round_trip(&kind);
        }
        for marking in Marking::ALL {
            round_trip(&marking);
        }
        for precedence in Precedence::ALL {
            round_trip(&precedence);
        }
    }

    #[test]
    fn every_clearance_type_round_trips_through_serde(
        circuit in circuit(), clearance in clearance(), order in clearance_order(),
        role in role(), stage in stage(), step in step(), verdict in verdict(),
    ) {
        round_trip(&circuit);
        round_trip(&clearance);
        round_trip(clearance.circuit());
        round_trip(&order);
        round_trip(&role);
        round_trip(&stage);
        round_trip(&step);
        round_trip(&verdict);
        for (_, v) in clearance.verdicts() {
            round_trip(v);
        }
    }

    #[test]
    fn a_tag_reads_back_as_it_was_stored(raw in raw_tag()) {
        let upper = raw.trim().to_uppercase();
        match Tag::new(&raw) {
            Ok(tag) => {
                prop_assert_eq!(tag.as_str(), upper.as_str());
                prop_assert!(tag.as_str().chars().count() <= Tag::MAX_CHARS);
                prop_assert_eq!(Tag::new(tag.as_str()), Ok(tag.clone()));
                round_trip(&tag);
            }
            Err(DomainError::TagTooLong(_)) => {
                prop_assert!(upper.chars().count() > Tag::MAX_CHARS)
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
        // Deserialising applies the rules of `Tag::new`, but reads a longer tag that an
        // earlier version could store (its limit counted the text before upper-casing).
        let json = serde_json::to_string(&raw).unwrap();
        let read = serde_json::from_str::<Tag>(&json).ok();
        match Tag::new(&raw) {
            Err(DomainError::TagTooLong(_)) if raw.chars().count() <= 3 * Tag::MAX_CHARS => {
                prop_assert_eq!(read.map(|t| t.as_str().to_owned()), Some(upper));
            }
            made => prop_assert_eq!(read, made.ok()),
        }
    }

    #[test]
    fn only_a_uuidv7_is_an_item_id(n in any::<u128>()) {
        let uuid = Uuid::from_u128(n);
        let v7 = uuid.get_version_num() == 7;
        prop_assert_eq!(uuid.to_string().parse::<ItemId>().is_ok(), v7);
        prop_assert_eq!(serde_json::from_str::<ItemId>(&format!("\"{uuid}\"")).is_ok(), v7);
        prop_assert_eq!(ItemId::try_from(uuid).is_ok(), v7);
    }

    #[test]
    fn a_valid_telegram_obeys_every_rule(t in telegram()) {
        match t.validate() {
            Ok(()) => {
                prop_assert!(!t.action.is_empty());
                prop_assert!(t.dtg.offset().is_utc());
                prop_assert!(t.marking >= t.highest_paragraph_marking());
                prop_assert!(t.precedence != Precedence::Flash
                    || t.justification.as_deref().is_some_and(|j| !blank(j)));
                prop_assert!(!blank(&t.subject) && !blank(&t.origin));
            }
            Err(DomainError::DtgNotUtc { given, utc }) => {
                prop_assert!(!t.dtg.offset().is_utc());
                prop_assert!(utc.ends_with('Z') && !given.ends_with('Z'), "{} {}", given, utc);
            }
            Err(DomainError::NoActionAddressee) => prop_assert!(t.action.is_empty()),
            Err(DomainError::FlashWithoutJustification) => {
                prop_assert_eq!(t.precedence, Precedence::Flash)
            }
            Err(DomainError::MarkingBelowParagraph { .. }) => {
                prop_assert!(t.marking < t.highest_paragraph_marking())
            }
            Err(DomainError::Missing("subject")) => prop_assert!(blank(&t.subject)),
            Err(DomainError::Missing("originating post")) => prop_assert!(blank(&t.origin)),
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn writing_the_dtg_in_utc_fixes_it(mut t in telegram()) {
        t.dtg = t.dtg.to_offset(UtcOffset::UTC);
        let not_utc = matches!(t.validate(), Err(DomainError::DtgNotUtc { .. }));
        prop_assert!(!not_utc);
    }

    #[test]
    fn a_valid_note_obeys_every_rule(n in note()) {
        match n.validate() {
            Ok(()) => {
                for field in [&n.subject, &n.sending_mission, &n.receiving_institution,
                              &n.opening, &n.closing] {
                    prop_assert!(!blank(field));
                }
                prop_assert!(n.paragraphs.iter().any(|p| !blank(&p.text)));
                prop_assert!(n.marking >= highest(&n.paragraphs));
                prop_assert!(n.precedence != Precedence::Flash
                    || n.justification.as_deref().is_some_and(|j| !blank(j)));
            }
            Err(DomainError::Missing("subject")) => prop_assert!(blank(&n.subject)),
            Err(DomainError::Missing("sending mission")) => {
                prop_assert!(blank(&n.sending_mission))
            }
            Err(DomainError::Missing("receiving institution")) => {
                prop_assert!(blank(&n.receiving_institution))
            }
            Err(DomainError::Missing("opening formula")) => prop_assert!(blank(&n.opening)),
            Err(DomainError::Missing("complimentary close")) => prop_assert!(blank(&n.closing)),
            Err(DomainError::Missing("body")) => {
                prop_assert!(n.paragraphs.iter().all(|p| blank(&p.text)))
            }
            Err(DomainError::FlashWithoutJustification) => {
                prop_assert_eq!(n.precedence, Precedence::Flash);
                prop_assert!(n.justification.as_deref().is_none_or(blank));
            }
            Err(DomainError::MarkingBelowParagraph { paragraph, .. }) => {
                prop_assert!(n.marking < n.paragraphs[paragraph - 1].marking)
            }
            // Whatever the offset of `created_at`: a note carries its writer's.
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn a_valid_email_obeys_every_rule(e in email()) {
        match e.validate() {
            Ok(()) => {
                prop_assert!(!e.to.is_empty() || !e.cc.is_empty());
                prop_assert_ne!(e.precedence, Precedence::Flash);
            }
            Err(DomainError::Missing(_)) => prop_assert!(e.to.is_empty() && e.cc.is_empty()),
            Err(DomainError::FlashEmail) => prop_assert_eq!(e.precedence, Precedence::Flash),
            // Whatever the offset of its Date: an email carries its writer's.
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn an_item_validates_by_the_rules_of_its_kind(item in item()) {
        let by_kind = match &item.content {
            ItemContent::Telegram(t) => t.validate(),
            ItemContent::DiplomaticNote(n) => n.validate(),
            ItemContent::FormalEmail(e) => e.validate(),
        };
        prop_assert_eq!(item.validate(), by_kind);
    }

    #[test]
    fn raising_the_marking_to_the_highest_portion_mark_fixes_it(mut t in telegram()) {
        t.marking = t.highest_paragraph_marking();
        let below = matches!(t.validate(), Err(DomainError::MarkingBelowParagraph { .. }));
        prop_assert!(!below);
    }

    #[test]
    fn triage_order_is_a_total_order_with_action_first(keys in vec(triage_key(), 1..60)) {
        let mut keys = keys;
        keys.sort_by(triage_cmp);
        for pair in keys.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            prop_assert_ne!(triage_cmp(a, b), Ordering::Greater);
            let rank = |r: Option<Route>| match r { Some(Route::Action) => 0, Some(Route::Info) => 1, None => 2 };
            prop_assert!(rank(a.route) <= rank(b.route));
            if a.route == b.route {
                prop_assert!(a.precedence >= b.precedence);
                if a.precedence == b.precedence {
                    match (a.deadline, b.deadline) {
                        (Some(x), Some(y)) => prop_assert!(x <= y),
                        (None, Some(_)) => prop_assert!(false, "item without deadline before one with"),
                        _ => {}
                    }
                }
            }
        }
    }

    #[test]
    fn the_route_for_a_user_is_action_when_any_action_addressee_names_them(t in telegram()) {
        let user = UserIdentity { name: "Alice Lefèvre".into(), units: vec!["DUE".into()], emails: vec![] };
        let mut t = t;
        t.info.push(Addressee::Unit("due".into()));
        let item = Item { id: ItemId::from_uuid(Uuid::nil()), received_at: t.dtg, deadline: None,
                          content: ItemContent::Telegram(t.clone()), language: None };
        let expected_action = t.action.iter().any(|a| user.is_addressed_by(a));
        let route = item.route_for(&user);
        prop_assert_eq!(route, Some(if expected_action { Route::Action } else { Route::Info }));
    }
}

#[test]
fn flash_needs_a_justification() {
    let mut t = sample_telegram();
    t.precedence = Precedence::Flash;
    t.justification = Some("   ".into());
    assert_eq!(t.validate(), Err(DomainError::FlashWithoutJustification));
    t.justification = Some("Prise d'otages en cours".into());
    assert_eq!(t.validate(), Ok(()));
}

#[test]
fn a_telegram_without_action_addressee_is_refused() {
    let mut t = sample_telegram();
    t.action.clear();
    assert_eq!(t.validate(), Err(DomainError::NoActionAddressee));
}

#[test]
fn an_item_marked_below_a_paragraph_is_refused_with_the_paragraph_number() {
    let mut t = sample_telegram();
    t.paragraphs.push(Paragraph {
        marking: Marking::DiffusionRestreinte,
        text: "Sensible".into(),
    });
    let err = t.validate().unwrap_err();
    assert_eq!(
        err,
        DomainError::MarkingBelowParagraph {
            item: "NP".into(),
            paragraph: 2,
            paragraph_marking: "DR".into()
        }
    );
    assert!(err.to_string().contains("paragraph 2"));
}

#[test]
fn an_email_to_the_user_is_for_action_and_cc_for_information() {
    let user = UserIdentity {
        name: "Alice".into(),
        units: vec![],
        emails: vec!["alice@quai.example".into()],
    };
    let mut e = FormalEmail {
        from: Mailbox::parse("bob@quai.example").unwrap(),
        to: vec![Mailbox::parse("Alice <ALICE@quai.example>").unwrap()],
        cc: vec![],
        date: OffsetDateTime::UNIX_EPOCH,
        message_id: None,
        in_reply_to: vec![],
        references: vec![],
        subject: "s".into(),
        body: "b".into(),
        attachments: vec![],
        marking: Marking::NonProtege,
        precedence: Precedence::Routine,
    };
    let item = |e: &FormalEmail| Item {
        id: ItemId::from_uuid(Uuid::nil()),
        received_at: e.date,
        deadline: None,
        content: ItemContent::FormalEmail(e.clone()),
        language: None,
    };
    assert_eq!(item(&e).route_for(&user), Some(Route::Action));
    e.cc = e.to.clone();
    e.to = vec![Mailbox::parse("carol@quai.example").unwrap()];
    assert_eq!(item(&e).route_for(&user), Some(Route::Info));
    e.cc.clear();
    assert_eq!(item(&e).route_for(&user), None);
}

fn sample_item() -> Item {
    Item {
        id: "01937b9e-5c3a-7d2e-9f10-1a2b3c4d5e6f".parse().unwrap(),
        received_at: OffsetDateTime::UNIX_EPOCH,
        deadline: None,
        content: ItemContent::Telegram(sample_telegram()),
        language: None,
    }
}

#[test]
fn a_secret_marking_cannot_be_deserialised() {
    let json = r#""S""#;
    let err = serde_json::from_str::<Marking>(json).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Secret is above this system's accreditation"),
        "{err}"
    );
    // Inside an item too (its content is read through serde's buffer of tagged enums).
    let item = sample_item();
    let mut json = serde_json::to_value(&item).unwrap();
    json["content"]["marking"] = "TS".into();
    let err = serde_json::from_value::<Item>(json).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Très Secret is above this system's accreditation"),
        "{err}"
    );
}

#[test]
fn an_item_without_a_language_keeps_its_record_and_a_bad_language_reads_as_unknown() {
    let item = sample_item();
    // Unknown: no field at all, so the records written before it are byte for byte the same.
    let json = serde_json::to_value(&item).unwrap();
    assert!(json.get("language").is_none(), "{json}");
    assert_eq!(serde_json::from_value::<Item>(json.clone()).unwrap(), item);

    let mut english = json.clone();
    english["language"] = "en".into();
    let read: Item = serde_json::from_value(english).unwrap();
    assert_eq!(read.language, Some(Language::ENGLISH));
    assert_eq!(serde_json::to_value(&read).unwrap()["language"], "en");

    // A tag that is not one (a peer's bug, damage) loses the language, never the item.
    for bad in [
        serde_json::json!("x-klingon"),
        serde_json::json!(""),
        serde_json::json!(null),
        serde_json::json!(42),
        serde_json::json!({"tag": "en"}),
    ] {
        let mut damaged = json.clone();
        damaged["language"] = bad;
        assert_eq!(serde_json::from_value::<Item>(damaged).unwrap(), item);
    }
}

#[test]
fn a_telegram_dated_at_another_offset_than_utc_is_refused() {
    let mut t = sample_telegram();
    t.dtg = datetime!(2026-12-01 18:00 +02:00);
    let err = t.validate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "the date-time group must be given in UTC (Z): convert 2026-12-01T18:00:00+02:00 to 2026-12-01T16:00:00Z"
    );
    t.dtg = datetime!(2026-12-01 16:00 UTC);
    assert_eq!(t.validate(), Ok(()));
}

#[test]
fn a_flash_email_is_refused_as_an_email() {
    let e = FormalEmail {
        from: Mailbox::parse("bob@quai.example").unwrap(),
        to: vec![Mailbox::parse("alice@quai.example").unwrap()],
        cc: vec![],
        date: datetime!(2026-12-01 18:00 +02:00),
        message_id: None,
        in_reply_to: vec![],
        references: vec![],
        subject: "s".into(),
        body: "b".into(),
        attachments: vec![],
        marking: Marking::NonProtege,
        precedence: Precedence::Flash,
    };
    assert_eq!(e.validate(), Err(DomainError::FlashEmail));
    assert_eq!(
        e.validate().unwrap_err().to_string(),
        "an email cannot be Flash: send a telegram for a Flash, or use Immédiat"
    );
    let e = FormalEmail {
        precedence: Precedence::Immediat,
        ..e
    };
    assert_eq!(e.validate(), Ok(()));
}

fn sample_telegram() -> Telegram {
    Telegram {
        number: None,
        dtg: OffsetDateTime::UNIX_EPOCH,
        origin: "BERLIN".into(),
        action: vec![Addressee::Unit("DIPLOMATIE/DUE".into())],
        info: vec![],
        subject: "Élections régionales en Bavière".into(),
        tags: vec![Tag::new("POL").unwrap(), Tag::new("de").unwrap()],
        references: vec![],
        summary: String::new(),
        paragraphs: vec![Paragraph {
            marking: Marking::NonProtege,
            text: "Texte".into(),
        }],
        drafter: "Bob Martin".into(),
        clearers: vec![],
        approver: None,
        precedence: Precedence::Routine,
        justification: None,
        marking: Marking::NonProtege,
        caveats: vec![],
    }
}

#[test]
fn country_tags_are_iso_alpha2_and_three_letter_codes_are_thematic() {
    for code in ["DE", "fr", "SN", "US"] {
        assert!(Tag::new(code).unwrap().is_country(), "{code}");
    }
    for code in ["POL", "DEF", "ONU", "ECON", "XX", "USA"] {
        assert!(!Tag::new(code).unwrap().is_country(), "{code}");
    }
    assert!(Tag::new("").is_err());
    assert!(Tag::new("a b").is_err());
}

#[test]
fn a_note_date_is_written_as_an_iso_date() {
    let note = DiplomaticNote {
        number: None,
        sending_mission: "L'Ambassade de France au Sénégal".into(),
        receiving_institution: "Ministère de l'Intégration africaine et des Affaires étrangères"
            .into(),
        subject: "Visite".into(),
        opening: "présente ses compliments".into(),
        paragraphs: vec![Paragraph {
            marking: Marking::NonProtege,
            text: "Texte".into(),
        }],
        closing: "haute considération".into(),
        place: "Dakar".into(),
        date: Date::from_calendar_date(2026, time::Month::November, 28).unwrap(),
        answers: None,
        action: vec![],
        info: vec![],
        tags: vec![],
        precedence: Precedence::Routine,
        justification: None,
        marking: Marking::NonProtege,
        created_at: OffsetDateTime::UNIX_EPOCH,
    };
    let json = serde_json::to_value(&note).unwrap();
    assert_eq!(json["date"], "2026-11-28");
    let back: DiplomaticNote = serde_json::from_value(json).unwrap();
    assert_eq!(back, note);
}
