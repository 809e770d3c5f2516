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
use time::{Date, OffsetDateTime};
use uuid::Uuid;

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Zéèàçô0-9 '.,-]{0,40}"
}

fn nonblank() -> impl Strategy<Value = String> {
    "[a-zA-Zéèàç][a-zA-Zéèàç0-9 ]{0,30}"
}

fn datetime() -> impl Strategy<Value = OffsetDateTime> {
    // Whole seconds: RFC 3339 keeps them exactly.
    (1_500_000_000i64..2_000_000_000).prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap())
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

fn addressee() -> impl Strategy<Value = Addressee> {
    prop_oneof![
        nonblank().prop_map(Addressee::Unit),
        nonblank().prop_map(Addressee::Person)
    ]
}

fn paragraph() -> impl Strategy<Value = Paragraph> {
    (marking(), text()).prop_map(|(marking, text)| Paragraph { marking, text })
}

fn item_id() -> impl Strategy<Value = ItemId> {
    any::<u128>().prop_map(|n| ItemId::from_uuid(Uuid::from_u128(n)))
}

fn tag() -> impl Strategy<Value = Tag> {
    "[A-Za-z][A-Za-z0-9-]{1,10}".prop_map(|t| Tag::new(&t).unwrap())
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
        dtg in datetime(),
        origin in nonblank(),
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
        mission in nonblank(),
        institution in nonblank(),
        subject in text(),
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
            opening: DiplomaticNote::default_opening(&mission, &institution),
            closing: DiplomaticNote::default_closing(&mission, &institution),
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
    )
        .prop_map(|(id, received_at, deadline, content)| Item {
            id,
            received_at,
            deadline,
            content,
        })
}

fn round_trip<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, value);
}

proptest! {
    #[test]
    fn every_type_round_trips_through_serde(item in item(), who in addressee(), r in reference(),
                                            m in mailbox(), p in paragraph(), t in tag()) {
        round_trip(&item);
        round_trip(&item.content);
        round_trip(&item.id);
        round_trip(&item.kind());
        round_trip(&item.marking());
        round_trip(&item.precedence());
        round_trip(&who);
        round_trip(&r);
        round_trip(&m);
        round_trip(&p);
        round_trip(&t);
        round_trip(&Route::Action);
        round_trip(&TriageKey::of(&item, &UserIdentity::default()));
        prop_assert_eq!(item.id.to_string().parse::<ItemId>().unwrap(), item.id);
    }

    #[test]
    fn a_valid_telegram_obeys_every_rule(t in telegram()) {
        match t.validate() {
            Ok(()) => {
                prop_assert!(!t.action.is_empty());
                prop_assert!(t.marking >= t.highest_paragraph_marking());
                prop_assert!(t.precedence != Precedence::Flash
                    || t.justification.as_deref().is_some_and(|j| !j.trim().is_empty()));
                prop_assert!(!t.subject.trim().is_empty());
            }
            Err(DomainError::NoActionAddressee) => prop_assert!(t.action.is_empty()),
            Err(DomainError::FlashWithoutJustification) => {
                prop_assert_eq!(t.precedence, Precedence::Flash)
            }
            Err(DomainError::MarkingBelowParagraph { .. }) => {
                prop_assert!(t.marking < t.highest_paragraph_marking())
            }
            Err(DomainError::Missing(_)) => {
                prop_assert!(t.subject.trim().is_empty() || t.origin.trim().is_empty())
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn raising_the_marking_to_the_highest_portion_mark_fixes_it(mut t in telegram()) {
        t.marking = t.highest_paragraph_marking();
        let below = matches!(t.validate(), Err(DomainError::MarkingBelowParagraph { .. }));
        prop_assert!(!below);
    }

    #[test]
    fn triage_order_is_a_total_order_with_action_first(
        keys in vec((option::of(prop_oneof![Just(Route::Action), Just(Route::Info)]),
                     precedence(), option::of(datetime()), datetime()), 1..60)
    ) {
        let mut keys: Vec<TriageKey> = keys.into_iter()
            .map(|(route, precedence, deadline, received_at)| TriageKey { route, precedence, deadline, received_at })
            .collect();
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
                          content: ItemContent::Telegram(t.clone()) };
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
    };
    assert_eq!(item(&e).route_for(&user), Some(Route::Action));
    e.cc = e.to.clone();
    e.to = vec![Mailbox::parse("carol@quai.example").unwrap()];
    assert_eq!(item(&e).route_for(&user), Some(Route::Info));
    e.cc.clear();
    assert_eq!(item(&e).route_for(&user), None);
}

#[test]
fn a_secret_marking_cannot_be_deserialised() {
    let json = r#""S""#;
    assert!(serde_json::from_str::<Marking>(json).is_err());
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
