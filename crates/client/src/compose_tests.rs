#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use diplomatie_domain::{Addressee, ItemContent, Marking, Paragraph, Precedence, TelegramNumber};
use time::macros::{date, datetime};

use super::*;
use crate::InitOptions;

fn profile(dir: &std::path::Path, email: Option<&str>) -> Profile {
    Profile::init(
        dir,
        "compose test passphrase",
        InitOptions {
            role: String::new(),
            name: "alice".into(),
            org: "Ambassade de France à Berlin".into(),
            email: email.map(str::to_owned),
            kdf_cost: Some(diplomatie_store::KdfCost::MIN),
        },
    )
    .unwrap()
}

fn paragraph(text: &str) -> Paragraph {
    Paragraph {
        marking: Marking::NonProtege,
        text: text.into(),
    }
}

fn content(profile: &Profile, id: ItemId) -> ItemContent {
    profile.show(&id.to_string()).unwrap().item.content
}

#[test]
fn a_telegram_gets_the_profiles_defaults_classified_addressees_and_linked_references() {
    let dir = tempfile::tempdir().unwrap();
    let alice = profile(dir.path(), None);
    let quoted = alice
        .compose_form(ComposeForm::Telegram(TelegramForm {
            number: Some("TD BERLIN 2026-0042".into()),
            action: vec![AddresseeInput::Typed("DFAE".into())],
            subject: "Premier".into(),
            paragraphs: vec![paragraph("Texte.")],
            ..TelegramForm::default()
        }))
        .unwrap();
    let id = alice
        .compose_form(ComposeForm::Telegram(TelegramForm {
            action: vec![
                AddresseeInput::Typed(" Le Cabinet du ministre ".into()),
                AddresseeInput::Typed("bob".into()),
                AddresseeInput::Typed("  ".into()),
                AddresseeInput::Unit("carol".into()),
            ],
            info: vec![AddresseeInput::Person("DGM/DAE".into())],
            subject: "  Suite  ".into(),
            tags: vec!["DEU".into(), " ".into()],
            references: vec![
                " TD BERLIN 2026-0042 ".into(),
                "TD ROME 2025-0001".into(),
                String::new(),
            ],
            paragraphs: vec![paragraph(" Un. "), paragraph("   "), paragraph("Deux.")],
            precedence: Precedence::Prioritaire,
            justification: "  ".into(),
            ..TelegramForm::default()
        }))
        .unwrap();
    let ItemContent::Telegram(t) = content(&alice, id) else {
        panic!("a telegram")
    };
    assert_eq!(t.origin, "Ambassade de France à Berlin");
    assert_eq!(t.drafter, "alice");
    assert_eq!(
        t.action,
        vec![
            Addressee::Unit("Le Cabinet du ministre".into()),
            Addressee::Person("bob".into()),
            Addressee::Unit("carol".into()),
        ]
    );
    // What the user said it is wins over the rule.
    assert_eq!(t.info, vec![Addressee::Person("DGM/DAE".into())]);
    assert_eq!(t.subject, "Suite");
    assert_eq!(t.tags.len(), 1);
    assert_eq!(t.references.len(), 2);
    assert_eq!(t.references[0].label, "TD BERLIN 2026-0042");
    assert_eq!(t.references[0].item, Some(quoted));
    assert_eq!(t.references[1].item, None);
    assert_eq!(
        t.paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>(),
        ["Un.", "Deux."]
    );
    assert_eq!(t.justification, None);
    assert_eq!(t.approver, None);
    assert_eq!(t.dtg.offset(), time::UtcOffset::UTC);
}

#[test]
fn a_telegram_number_and_dtg_are_read_and_the_dtg_converted_to_utc() {
    let dir = tempfile::tempdir().unwrap();
    let alice = profile(dir.path(), None);
    let id = alice
        .compose_form(ComposeForm::Telegram(TelegramForm {
            number: Some("TD BERLIN 2026-0007".into()),
            dtg: Some(datetime!(2026-12-01 19:00 +01:00)),
            action: vec![AddresseeInput::Typed("DFAE".into())],
            subject: "Daté".into(),
            ..TelegramForm::default()
        }))
        .unwrap();
    let ItemContent::Telegram(t) = content(&alice, id) else {
        panic!("a telegram")
    };
    assert_eq!(t.dtg, datetime!(2026-12-01 18:00 UTC));
    assert_eq!(t.dtg.offset(), time::UtcOffset::UTC);
    assert_eq!(
        t.number,
        Some("TD BERLIN 2026-0007".parse::<TelegramNumber>().unwrap())
    );
    let bad = alice.compose_form(ComposeForm::Telegram(TelegramForm {
        number: Some("BERLIN 42".into()),
        action: vec![AddresseeInput::Typed("DFAE".into())],
        subject: "Mal numéroté".into(),
        ..TelegramForm::default()
    }));
    assert!(
        matches!(
            bad,
            Err(ClientError::Domain(DomainError::InvalidNumber { .. }))
        ),
        "{bad:?}"
    );
}

#[test]
fn a_note_gets_the_customary_formulas_the_mission_and_its_answer_linked() {
    let dir = tempfile::tempdir().unwrap();
    let alice = profile(dir.path(), None);
    let first = alice
        .compose_form(ComposeForm::Note(NoteForm {
            number: Some("BERLIN/2026/0012".into()),
            receiving_institution: "Auswärtiges Amt".into(),
            subject: "Visite".into(),
            paragraphs: vec![paragraph("Texte.")],
            place: "Berlin".into(),
            ..NoteForm::default()
        }))
        .unwrap();
    let id = alice
        .compose_form(ComposeForm::Note(NoteForm {
            receiving_institution: " Auswärtiges Amt ".into(),
            subject: "Réponse".into(),
            paragraphs: vec![paragraph("Texte.")],
            place: "Berlin".into(),
            date: Some(date!(2026 - 12 - 02)),
            answers: "NV BERLIN/2026/0012".into(),
            action: vec![AddresseeInput::Typed("Protocole".into())],
            ..NoteForm::default()
        }))
        .unwrap();
    let ItemContent::DiplomaticNote(n) = content(&alice, id) else {
        panic!("a note")
    };
    assert_eq!(n.sending_mission, "Ambassade de France à Berlin");
    assert_eq!(n.receiving_institution, "Auswärtiges Amt");
    assert_eq!(
        n.opening,
        DiplomaticNote::default_opening("Ambassade de France à Berlin", "Auswärtiges Amt")
    );
    assert_eq!(
        n.closing,
        DiplomaticNote::default_closing("Ambassade de France à Berlin", "Auswärtiges Amt")
    );
    assert_eq!(n.date, date!(2026 - 12 - 02));
    let answers = n.answers.unwrap();
    assert_eq!(answers.label, "NV BERLIN/2026/0012");
    assert_eq!(answers.item, Some(first));
    assert_eq!(n.action, vec![Addressee::Unit("Protocole".into())]);
}

#[test]
fn an_email_replying_names_its_parent_in_references_once() {
    let dir = tempfile::tempdir().unwrap();
    let alice = profile(dir.path(), Some("alice@diplomatie.example"));
    let reply = |references: Vec<String>| {
        let id = alice
            .compose_form(ComposeForm::Email(EmailForm {
                to: vec!["bob@quai.example".into(), " ".into()],
                in_reply_to: vec!["<question.2@quai.example>".into()],
                references,
                subject: "Re: question".into(),
                body: "  Réponse.  ".into(),
                ..EmailForm::default()
            }))
            .unwrap();
        let ItemContent::FormalEmail(e) = content(&alice, id) else {
            panic!("an email")
        };
        e
    };
    let e = reply(Vec::new());
    assert_eq!(e.from.address, "alice@diplomatie.example");
    assert_eq!(e.from.name.as_deref(), Some("alice"));
    assert_eq!(e.to.len(), 1);
    assert_eq!(e.body, "Réponse.");
    assert_eq!(e.in_reply_to, ["question.2@quai.example"]);
    assert_eq!(e.references, ["question.2@quai.example"]);
    assert!(e.message_id.is_some());
    let e = reply(vec!["debut.0@quai.example".into()]);
    assert_eq!(
        e.references,
        ["debut.0@quai.example", "question.2@quai.example"]
    );
    let e = reply(vec![
        "debut.0@quai.example".into(),
        "question.2@quai.example".into(),
    ]);
    assert_eq!(
        e.references,
        ["debut.0@quai.example", "question.2@quai.example"]
    );
}

#[test]
fn an_email_without_a_sender_or_with_a_bad_id_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let alice = profile(dir.path(), None);
    let no_sender = alice.compose_form(ComposeForm::Email(EmailForm {
        to: vec!["bob@quai.example".into()],
        subject: "Sans expéditeur".into(),
        body: "Texte.".into(),
        ..EmailForm::default()
    }));
    assert!(
        matches!(
            no_sender,
            Err(ClientError::Domain(DomainError::Missing("sender")))
        ),
        "{no_sender:?}"
    );
    let bad_id = alice.compose_form(ComposeForm::Email(EmailForm {
        from: "alice@diplomatie.example".into(),
        to: vec!["bob@quai.example".into()],
        in_reply_to: vec!["pas un identifiant".into()],
        subject: "Mauvais identifiant".into(),
        body: "Texte.".into(),
        ..EmailForm::default()
    }));
    assert!(
        matches!(
            bad_id,
            Err(ClientError::Domain(DomainError::InvalidMessageId(_)))
        ),
        "{bad_id:?}"
    );
    let unreadable = alice.compose_form(ComposeForm::Email(EmailForm {
        from: "alice@diplomatie.example".into(),
        to: vec!["bob@quai.example".into()],
        subject: "Pièce absente".into(),
        body: "Texte.".into(),
        attachments: vec![AttachmentInput::Path(dir.path().join("absent.pdf"))],
        ..EmailForm::default()
    }));
    assert!(
        matches!(unreadable, Err(ClientError::AttachmentUnreadable { .. })),
        "{unreadable:?}"
    );
    assert_eq!(
        alice
            .inbox(&crate::TriageFilter::default(), crate::Page::default())
            .unwrap()
            .items
            .len(),
        0
    );
}

#[test]
fn attachments_come_from_paths_and_from_bytes_already_read() {
    let dir = tempfile::tempdir().unwrap();
    let alice = profile(dir.path(), Some("alice@diplomatie.example"));
    let pdf = dir.path().join("rapport.pdf");
    std::fs::write(&pdf, b"%PDF-1.7 rapport").unwrap();
    let id = alice
        .compose_form(ComposeForm::Email(EmailForm {
            to: vec!["bob@quai.example".into()],
            subject: "Pièces".into(),
            body: "Ci-joint.".into(),
            attachments: vec![
                AttachmentInput::File(NewAttachment {
                    name: "note.txt".into(),
                    content_type: "text/plain".into(),
                    bytes: b"bonjour".to_vec(),
                }),
                AttachmentInput::Path(pdf),
            ],
            ..EmailForm::default()
        }))
        .unwrap();
    let ItemContent::FormalEmail(e) = content(&alice, id) else {
        panic!("an email")
    };
    let names: Vec<(&str, &str, u64)> = e
        .attachments
        .iter()
        .map(|a| (a.name.as_str(), a.content_type.as_str(), a.size))
        .collect();
    assert_eq!(
        names,
        [
            ("note.txt", "text/plain", 7),
            ("rapport.pdf", "application/pdf", 16)
        ]
    );
}

#[test]
fn an_item_keeps_the_language_chosen_else_the_one_its_text_shows() {
    let dir = tempfile::tempdir().unwrap();
    let alice = profile(dir.path(), Some("alice@diplomatie.example"));
    let english = "The committee met on Tuesday to review the draft agreement. Most \
        delegations welcomed the text, although several of them asked for more time to consult \
        their capitals before the final reading.";
    let email = |body: &str, language: Option<Language>| {
        let id = alice
            .compose_form(ComposeForm::Email(EmailForm {
                to: vec!["bob@quai.example".into()],
                subject: "Draft agreement".into(),
                body: body.into(),
                language,
                ..EmailForm::default()
            }))
            .unwrap();
        let shown = alice.show(&id.to_string()).unwrap();
        let row = alice.store().summary(id).unwrap().unwrap();
        assert_eq!(
            row.language, shown.item.language,
            "the list row says the same"
        );
        shown.item.language
    };
    // Chosen by the writer: kept, even where the text would say otherwise.
    let german = Language::parse("de").ok();
    assert_eq!(email(english, german), german);
    // Not chosen: read from the text when it tells, unknown when it does not.
    assert_eq!(email(english, None), Some(Language::ENGLISH));
    assert_eq!(email("OK.", None), None);
    let id = alice
        .compose_form(ComposeForm::Telegram(TelegramForm {
            action: vec![AddresseeInput::Typed("DFAE".into())],
            subject: "Visite de la délégation".into(),
            paragraphs: vec![paragraph(
                "La délégation arrivera mardi prochain. Les entretiens porteront sur la \
                 coopération économique et sur la préparation du sommet, dont le calendrier \
                 reste à arrêter avec les services du protocole.",
            )],
            ..TelegramForm::default()
        }))
        .unwrap();
    let shown = alice.show(&id.to_string()).unwrap();
    assert_eq!(shown.item.language, Some(Language::FRENCH));
}
