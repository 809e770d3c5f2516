#![allow(clippy::unwrap_used)]
//! The `Debug` output of the items (what a `tracing` field or an error message would print)
//! never shows a subject, a body, a summary, an addressee, a justification, a caveat, a
//! formula, an email address or an attachment's name: it is redacted to numbers, dates,
//! markings and counts.

use diplomatie_domain::{
    Addressee, AttachmentMeta, DiplomaticNote, FormalEmail, Item, ItemContent, ItemId, Mailbox,
    Marking, Paragraph, Precedence, Telegram,
};
use time::OffsetDateTime;
use time::macros::{date, datetime};
use uuid::Uuid;

const CANARIES: &[&str] = &[
    "QXSUBJECT",
    "QXBODY",
    "QXSUMMARY",
    "QXPERSON",
    "QXUNIT",
    "QXJUSTIFY",
    "QXCAVEAT",
    "QXOPENING",
    "QXCLOSING",
    "QXMAILNAME",
    "qxaddress",
    "QXATTACHMENT",
    "QXDRAFTER",
];

fn paragraphs() -> Vec<Paragraph> {
    vec![Paragraph {
        marking: Marking::DiffusionRestreinte,
        text: "Le corps QXBODY du texte.".into(),
    }]
}

fn item(content: ItemContent) -> Item {
    Item {
        id: ItemId::from_uuid(Uuid::now_v7()),
        received_at: OffsetDateTime::now_utc(),
        deadline: None,
        content,
        language: None,
    }
}

fn telegram() -> Item {
    item(ItemContent::Telegram(Telegram {
        number: None,
        dtg: datetime!(2026-11-28 09:30 UTC),
        origin: "BERLIN".into(),
        action: vec![Addressee::Person("Madame QXPERSON".into())],
        info: vec![Addressee::Unit("DFAE/QXUNIT".into())],
        subject: "Objet QXSUBJECT".into(),
        tags: Vec::new(),
        references: Vec::new(),
        summary: "Résumé QXSUMMARY.".into(),
        paragraphs: paragraphs(),
        drafter: "QXDRAFTER".into(),
        clearers: Vec::new(),
        approver: None,
        precedence: Precedence::Flash,
        justification: Some("Justification QXJUSTIFY".into()),
        marking: Marking::DiffusionRestreinte,
        caveats: vec!["SPECIAL QXCAVEAT".into()],
    }))
}

fn note() -> Item {
    item(ItemContent::DiplomaticNote(DiplomaticNote {
        number: None,
        sending_mission: "Ambassade de France en Allemagne".into(),
        receiving_institution: "Auswärtiges Amt".into(),
        subject: "Objet QXSUBJECT".into(),
        opening: "L'Ambassade QXOPENING présente ses compliments".into(),
        paragraphs: paragraphs(),
        closing: "… QXCLOSING haute considération.".into(),
        place: "Berlin".into(),
        date: date!(2026 - 11 - 28),
        answers: None,
        action: vec![Addressee::Person("QXPERSON".into())],
        info: vec![Addressee::Unit("QXUNIT".into())],
        tags: Vec::new(),
        precedence: Precedence::Routine,
        justification: Some("QXJUSTIFY".into()),
        marking: Marking::DiffusionRestreinte,
        created_at: datetime!(2026-11-28 09:30 UTC),
    }))
}

fn email() -> Item {
    let mailbox = || Mailbox {
        name: Some("QXMAILNAME".into()),
        address: "qxaddress@quai.example".into(),
    };
    item(ItemContent::FormalEmail(FormalEmail {
        from: mailbox(),
        to: vec![mailbox()],
        cc: vec![mailbox()],
        date: datetime!(2026-11-28 09:30 UTC),
        message_id: Some("<c1@quai.example>".into()),
        in_reply_to: Vec::new(),
        references: Vec::new(),
        subject: "Objet QXSUBJECT".into(),
        body: "Le corps QXBODY.".into(),
        attachments: vec![AttachmentMeta {
            name: "QXATTACHMENT.pdf".into(),
            content_type: "application/pdf".into(),
            size: 12,
            sha256: "00".repeat(32),
        }],
        marking: Marking::NonProtege,
        precedence: Precedence::Routine,
    }))
}

#[test]
fn debug_output_of_every_kind_of_item_shows_no_content() {
    for item in [telegram(), note(), email()] {
        for shown in [format!("{item:?}"), format!("{item:#?}")] {
            for canary in CANARIES {
                assert!(
                    !shown.to_lowercase().contains(&canary.to_lowercase()),
                    "{canary} shown in {shown}"
                );
            }
        }
        // The redacted output still says what the item is.
        let shown = format!("{item:?}");
        assert!(shown.contains("Item"), "{shown}");
    }
}
