//! The `.eml` import parser against a corpus of real-world-shaped messages, malformed files,
//! MIME bombs generated here, and arbitrary bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write as _;
use std::path::PathBuf;

use diplomatie_client::eml::{
    DEFAULT_MAX_BYTES, EmlError, EmlLimits, ParsedEml, parse_eml, read_eml_file,
};
use diplomatie_domain::{DomainError, Language, Mailbox, Marking, Precedence};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use time::macros::datetime;

const GOOD: &[&str] = &[
    "01_plain_utf8_fr.eml",
    "02_latin1_qp_fr.eml",
    "03_encoded_word_b_utf8.eml",
    "04_encoded_word_q_latin1.eml",
    "05_alternative_en.eml",
    "06_mixed_pdf_rfc2231.eml",
    "07_nested_mixed_alt_related.eml",
    "08_thread_1.eml",
    "09_thread_2.eml",
    "10_thread_3.eml",
    "11_outlook_cp1252.eml",
    "12_html_only.eml",
    "13_no_message_id.eml",
    "14_forwarded_rfc822.eml",
    "15_marking_dr.eml",
    "16_no_date_received.eml",
    "17_undisclosed_group.eml",
];

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/eml")
        .join(name)
}

fn load(name: &str) -> Vec<u8> {
    read_eml_file(&fixture_path(name), &EmlLimits::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse(name: &str) -> ParsedEml {
    parse_eml(&load(name), &EmlLimits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse_err(name: &str) -> EmlError {
    match parse_eml(&load(name), &EmlLimits::default()) {
        Ok(p) => panic!("{name} parsed: {:?}", p.email),
        Err(e) => e,
    }
}

fn mailbox(name: Option<&str>, address: &str) -> Mailbox {
    Mailbox {
        name: name.map(str::to_owned),
        address: address.to_owned(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn assert_body_has(parsed: &ParsedEml, fragments: &[&str]) {
    for fragment in fragments {
        assert!(
            parsed.email.body.contains(fragment),
            "body lacks {fragment:?}: {:?}",
            parsed.email.body
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The good corpus

#[test]
fn every_good_fixture_parses_with_a_sender_a_body_and_a_dedupe_key() {
    for name in GOOD {
        let parsed = parse(name);
        let email = &parsed.email;
        assert!(email.from.address.contains('@'), "{name}");
        assert!(!email.body.trim().is_empty(), "{name}: empty body");
        assert!(!email.body.contains('\r'), "{name}: CR left in body");
        assert!(!email.subject.is_empty(), "{name}: empty subject");
        assert!(
            !email.subject.contains("=?") && !email.body.contains("=C3"),
            "{name}: undecoded text"
        );
        match &email.message_id {
            Some(id) => {
                assert_eq!(parsed.dedupe_key, format!("mid:{id}"), "{name}");
                assert!(!id.starts_with('<') && !id.ends_with('>'), "{name}");
            }
            None => assert!(parsed.dedupe_key.starts_with("sha256:"), "{name}"),
        }
        let metas: Vec<_> = parsed.attachments.iter().map(|a| a.meta.clone()).collect();
        assert_eq!(email.attachments, metas, "{name}");
        for a in &parsed.attachments {
            assert_eq!(a.meta.size, a.bytes.len() as u64, "{name}");
            assert_eq!(a.meta.sha256, sha256_hex(&a.bytes), "{name}");
        }
        // Debug output never shows the subject, the body or attachment bytes.
        let debug = format!("{parsed:?}");
        assert!(!debug.contains(&email.subject), "{name}: subject in Debug");
        let first_line = email.body.lines().find(|l| l.trim().len() > 8).unwrap();
        assert!(!debug.contains(first_line.trim()), "{name}: body in Debug");
    }
}

#[test]
fn plain_utf8_french_message() {
    let p = parse("01_plain_utf8_fr.eml");
    let e = &p.email;
    assert_eq!(
        e.from,
        mailbox(Some("Alice Lefèvre"), "alice@diplomatie.example")
    );
    assert_eq!(
        e.to,
        vec![
            mailbox(Some("Bob Martin"), "bob@quai.example"),
            mailbox(None, "carol@quai.example"),
        ]
    );
    assert_eq!(
        e.cc,
        vec![mailbox(
            Some("Service de presse"),
            "presse@diplomatie.example"
        )]
    );
    assert_eq!(e.subject, "Compte rendu de la réunion du 11 mars");
    assert_eq!(e.date, datetime!(2024-03-12 09:14:55 +01:00));
    assert_eq!(
        e.message_id.as_deref(),
        Some("20240312091455.4521@diplomatie.example")
    );
    assert_eq!(p.dedupe_key, "mid:20240312091455.4521@diplomatie.example");
    assert!(e.in_reply_to.is_empty() && e.references.is_empty());
    assert_eq!(e.marking, Marking::NonProtege);
    assert_eq!(e.precedence, Precedence::Routine);
    assert!(p.attachments.is_empty());
    assert_body_has(
        &p,
        &[
            "Bonjour à tous,\n\nVoici le compte rendu",
            "coopération économique, échanges culturels, sécurité régionale.",
        ],
    );
}

#[test]
fn latin1_quoted_printable_with_encoded_word_headers() {
    let p = parse("02_latin1_qp_fr.eml");
    let e = &p.email;
    assert_eq!(
        e.from,
        mailbox(
            Some("François Château"),
            "francois.chateau@ambafrance.example"
        )
    );
    assert_eq!(
        e.cc,
        vec![mailbox(Some("Hélène Dupré"), "helene.dupre@quai.example")]
    );
    assert_eq!(e.subject, "Réunion de coordination à l'ambassade");
    assert_body_has(
        &p,
        &[
            "La réunion de coordination aura lieu à l'ambassade le jeudi 14 mars à 10 h 30.",
            "Prière de confirmer votre présence.",
            "François",
        ],
    );
}

#[test]
fn utf8_base64_encoded_words_and_base64_body() {
    let p = parse("03_encoded_word_b_utf8.eml");
    let e = &p.email;
    assert_eq!(e.from.name.as_deref(), Some("Hélène Dupré"));
    assert_eq!(
        e.to,
        vec![mailbox(
            Some("André Lefèvre"),
            "andre.lefevre@diplomatie.example"
        )]
    );
    assert_eq!(e.subject, "Visite d'État : programme définitif");
    assert_eq!(
        e.message_id.as_deref(),
        Some("CAF=visite-etat-0314@mail.quai.example")
    );
    assert_body_has(
        &p,
        &[
            "Le programme définitif de la visite d'État est prêt.",
            "vérifier les horaires",
        ],
    );
}

#[test]
fn folded_latin1_encoded_words_and_8bit_latin1_body() {
    let p = parse("04_encoded_word_q_latin1.eml");
    assert_eq!(
        p.email.subject,
        "Note verbale n° 2024-117 : délégation économique française"
    );
    assert_eq!(p.email.from.name.as_deref(), Some("Service du Protocole"));
    assert_eq!(p.email.to, vec![mailbox(None, "ambassade@mission.example")]);
    assert_body_has(
        &p,
        &[
            "Le Ministère de l'Europe et des Affaires étrangères présente ses compliments",
            "d'une délégation\néconomique française.",
        ],
    );
}

#[test]
fn multipart_alternative_takes_the_plain_text() {
    let p = parse("05_alternative_en.eml");
    assert_eq!(p.email.subject, "Agenda for the trade mission");
    assert_eq!(p.email.date, datetime!(2024-03-16 14:22:09 -04:00));
    assert_body_has(
        &p,
        &[
            "Dear Bob,",
            "- Monday: arrival and briefing at the embassy\n- Tuesday: meetings",
        ],
    );
    assert!(!p.email.body.contains('<'), "HTML leaked: {}", p.email.body);
    assert!(p.attachments.is_empty());
}

const PDF_SHA256: &str = "186864fea1df2130b6c6a42b36eb535296baf9b62b28dd39994c5fb8bd5a77cf";

#[test]
fn mixed_with_a_base64_pdf_named_in_rfc2231() {
    let p = parse("06_mixed_pdf_rfc2231.eml");
    assert_eq!(p.email.subject, "Compte rendu en pièce jointe");
    assert_body_has(
        &p,
        &["Tu trouveras ci-joint le compte rendu de la réunion."],
    );
    assert!(!p.email.body.contains("This is a multi-part message"));
    assert_eq!(p.attachments.len(), 1);
    let pdf = &p.attachments[0];
    assert_eq!(pdf.meta.name, "Compte rendu réunion.pdf");
    assert_eq!(pdf.meta.content_type, "application/pdf");
    assert_eq!(pdf.meta.size, 398);
    assert_eq!(pdf.meta.sha256, PDF_SHA256);
    assert!(pdf.bytes.starts_with(b"%PDF-1.4\n"));
    assert!(pdf.bytes.ends_with(b"%%EOF\n"));
    let debug = format!("{pdf:?}");
    assert!(
        debug.contains("398") && !debug.contains("37, 80, 68, 70"),
        "{debug}"
    );
}

#[test]
fn nested_mixed_alternative_related() {
    let p = parse("07_nested_mixed_alt_related.eml");
    let e = &p.email;
    assert_eq!(e.subject, "Invitation : réception du 14 juillet");
    assert_eq!(
        e.to,
        vec![mailbox(Some("Alice Lefèvre"), "alice@diplomatie.example")]
    );
    assert_eq!(
        e.cc,
        vec![
            mailbox(None, "bob@quai.example"),
            mailbox(Some("Dan O'Neil"), "dan.oneil@embassy.example"),
        ]
    );
    assert_body_has(
        &p,
        &["Chers collègues,\n\nVous êtes invités à la réception du 14 juillet à la résidence."],
    );
    assert!(!e.body.contains("<p>"), "{}", e.body);
    let names: Vec<_> = p.attachments.iter().map(|a| a.meta.name.as_str()).collect();
    assert_eq!(names, ["logo.png", "invites.csv"]);
    let logo = &p.attachments[0];
    assert_eq!(logo.meta.content_type, "image/png");
    assert_eq!(logo.meta.size, 69);
    assert_eq!(
        logo.meta.sha256,
        "9c4b72d4e5f81fefd7b168abaa5dd6b19b83ad673dfec26b412f5f51ff370f00"
    );
    assert!(logo.bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    let csv = &p.attachments[1];
    assert_eq!(csv.meta.content_type, "text/csv");
    assert_eq!(
        csv.bytes,
        "nom;fonction;courriel\r\nBob Martin;conseiller;bob@quai.example\r\nCarol Smith;attachée;carol@embassy.example\r\n"
            .as_bytes()
    );
    assert_eq!(
        csv.meta.sha256,
        "9e3d60c9652f9d009a2578fad493800c52f983fba4d71ebc716e2b6047109d28"
    );
}

#[test]
fn a_three_message_thread_links_up() {
    let first = parse("08_thread_1.eml").email;
    let second = parse("09_thread_2.eml").email;
    let third = parse("10_thread_3.eml").email;
    assert_eq!(
        first.message_id.as_deref(),
        Some("sommet-1@diplomatie.example")
    );
    assert!(first.in_reply_to.is_empty() && first.references.is_empty());
    assert_eq!(second.in_reply_to, ["sommet-1@diplomatie.example"]);
    assert_eq!(second.references, ["sommet-1@diplomatie.example"]);
    assert_eq!(third.in_reply_to, ["sommet-2@quai.example"]);
    assert_eq!(
        third.references,
        ["sommet-1@diplomatie.example", "sommet-2@quai.example"]
    );
    assert_eq!(third.subject, "Re: Re: Préparation du sommet");
    for email in [&first, &second, &third] {
        assert_eq!(email.thread_key(), Some("sommet-1@diplomatie.example"));
    }
}

#[test]
fn outlook_windows_1252() {
    let p = parse("11_outlook_cp1252.eml");
    let e = &p.email;
    assert_eq!(
        e.from,
        mailbox(Some("René Mercœur"), "rene.mercoeur@ministere.example")
    );
    assert_eq!(
        e.cc,
        vec![mailbox(
            Some("Équipe budgétaire"),
            "budget@ministere.example"
        )]
    );
    assert_eq!(e.subject, "Budget 2025 – « priorités »");
    assert_eq!(e.date, datetime!(2024-03-13 16:02:11 UTC));
    assert_body_has(
        &p,
        &[
            "Le budget prévisionnel s’élève à 1 250 000 € ; les “ priorités ” restent l’œuvre culturelle et la coopération.",
            "Cordialement,\nRené",
        ],
    );
    assert!(!e.body.contains("MsoNormal"));
    assert!(p.attachments.is_empty());
}

#[test]
fn html_only_is_converted_to_text() {
    let p = parse("12_html_only.eml");
    assert_eq!(p.email.subject, "Réception à la résidence");
    assert_body_has(&p, &["Chers collègues", "réception", "résidence", "jardin"]);
    assert!(!p.email.body.contains("<p>") && !p.email.body.contains("margin"));
    assert!(p.attachments.is_empty());
}

#[test]
fn without_message_id_the_dedupe_key_hashes_the_file() {
    let bytes = load("13_no_message_id.eml");
    let p = parse_eml(&bytes, &EmlLimits::default()).unwrap();
    assert_eq!(p.email.message_id, None);
    assert_eq!(p.dedupe_key, format!("sha256:{}", sha256_hex(&bytes)));
    assert_eq!(p.email.date, datetime!(2024-03-25 07:45:00 -05:00));
    assert_eq!(p.email.from.name.as_deref(), Some("Dan O'Neil"));
}

#[test]
fn a_forwarded_message_is_an_attachment_with_its_own_bytes() {
    let p = parse("14_forwarded_rfc822.eml");
    assert_body_has(&p, &["je te transfère la demande"]);
    assert!(!p.email.body.contains("sollicitons"));
    assert_eq!(p.attachments.len(), 1);
    let fwd = &p.attachments[0];
    assert_eq!(fwd.meta.content_type, "message/rfc822");
    assert_eq!(fwd.meta.name, "Demande d'audience.eml");
    assert!(
        fwd.bytes
            .starts_with(b"From: Acme Export <contact@acme.example>")
    );
    let text = String::from_utf8(fwd.bytes.clone()).unwrap();
    assert!(
        text.trim_end().ends_with("nous sollicitons une audience."),
        "{text}"
    );
    assert!(!text.contains("fwd-boundary-1") && !text.contains("Bob Martin"));
    // The enclosed message is itself importable.
    let inner = parse_eml(&fwd.bytes, &EmlLimits::default()).unwrap();
    assert_eq!(
        inner.email.message_id.as_deref(),
        Some("audience-acme@acme.example")
    );
}

#[test]
fn diplomatie_headers_set_marking_and_precedence() {
    let p = parse("15_marking_dr.eml");
    assert_eq!(p.email.marking, Marking::DiffusionRestreinte);
    assert_eq!(p.email.precedence, Precedence::Immediat);
}

#[test]
fn missing_date_falls_back_to_the_oldest_received() {
    let p = parse("16_no_date_received.eml");
    assert_eq!(p.email.date, datetime!(2024-03-28 08:59:58 UTC));
}

#[test]
fn missing_date_and_received_fall_back_to_the_epoch() {
    let raw =
        b"From: alice@diplomatie.example\r\nTo: bob@quai.example\r\nSubject: x\r\n\r\nbody\r\n";
    let p = parse_eml(raw, &EmlLimits::default()).unwrap();
    assert_eq!(p.email.date, time::OffsetDateTime::UNIX_EPOCH);
    let invalid = b"From: alice@diplomatie.example\r\nDate: not a date\r\n\r\nbody\r\n";
    let p = parse_eml(invalid, &EmlLimits::default()).unwrap();
    assert_eq!(p.email.date, time::OffsetDateTime::UNIX_EPOCH);
}

#[test]
fn undisclosed_recipients_and_groups() {
    let p = parse("17_undisclosed_group.eml");
    assert!(p.email.to.is_empty());
    assert_eq!(
        p.email.cc,
        vec![
            mailbox(None, "alice@diplomatie.example"),
            mailbox(Some("Bob Martin"), "bob@quai.example"),
        ]
    );
}

#[test]
fn a_header_only_message_without_mime_headers_has_an_empty_body() {
    let raw = b"From: alice@diplomatie.example\nTo: bob@quai.example\nSubject: Objet seul\n";
    let p = parse_eml(raw, &EmlLimits::default()).unwrap();
    assert_eq!(p.email.subject, "Objet seul");
    assert_eq!(p.email.body, "");
}

// ---------------------------------------------------------------------------------------------
// Malformed files

#[test]
fn a_file_cut_inside_a_base64_part_is_truncated() {
    assert!(matches!(
        parse_err("bad_truncated.eml"),
        EmlError::Truncated(_)
    ));
}

#[test]
fn headers_announcing_a_body_that_is_missing_are_truncated() {
    let err = parse_err("bad_headers_without_body.eml");
    assert!(matches!(err, EmlError::Truncated(_)), "{err}");
}

#[test]
fn files_that_are_not_mail_are_refused() {
    assert!(matches!(
        parse_err("bad_not_mail.json"),
        EmlError::NotAnEmail
    ));
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc`\xf8\xcf\0\0\0\x03\x01\x01\0\x18\xdd\x8d\xb4\0\0\0\0IEND\xaeB`\x82";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.eml");
    std::fs::write(&path, png).unwrap();
    let bytes = read_eml_file(&path, &EmlLimits::default()).unwrap();
    let err = parse_eml(&bytes, &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::NotAnEmail), "{err}");
    let text = b"Just some notes\nwith no headers at all.\n\nSecond paragraph.\n";
    assert!(matches!(
        parse_eml(text, &EmlLimits::default()),
        Err(EmlError::NotAnEmail)
    ));
}

#[test]
fn empty_files_are_refused() {
    assert!(matches!(parse_err("bad_empty.eml"), EmlError::Empty));
    assert!(matches!(
        parse_eml(b" \r\n\r\n\t\n", &EmlLimits::default()),
        Err(EmlError::Empty)
    ));
}

#[test]
fn a_sender_is_required() {
    assert!(matches!(
        parse_err("bad_no_from.eml"),
        EmlError::MissingSender
    ));
    let err = parse_err("bad_invalid_from.eml");
    assert!(matches!(err, EmlError::InvalidSender(_)), "{err}");
    assert!(err.to_string().contains("Service du protocole"), "{err}");
}

#[test]
fn a_secret_marking_is_refused_with_the_accreditation_error() {
    let err = parse_err("bad_secret_marking.eml");
    assert!(
        matches!(err, EmlError::Domain(DomainError::AboveAccreditation(_))),
        "{err:?}"
    );
    assert!(err.to_string().contains("accreditation"), "{err}");
    let unknown = b"From: a@b.example\r\nX-Diplomatie-Marking: Confidentiel\r\n\r\nx\r\n";
    assert!(matches!(
        parse_eml(unknown, &EmlLimits::default()),
        Err(EmlError::Domain(DomainError::UnknownMarking(_)))
    ));
}

#[test]
fn a_flash_email_is_refused() {
    assert!(matches!(
        parse_err("bad_flash_precedence.eml"),
        EmlError::Domain(DomainError::FlashEmail)
    ));
}

#[test]
fn too_large_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.eml");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(DEFAULT_MAX_BYTES + 1).unwrap(); // sparse: nothing is written
    let err = read_eml_file(&path, &EmlLimits::default()).unwrap_err();
    assert!(
        matches!(err, EmlError::TooLarge { size, limit } if size == DEFAULT_MAX_BYTES + 1 && limit == DEFAULT_MAX_BYTES),
        "{err:?}"
    );
    assert!(err.to_string().contains(&DEFAULT_MAX_BYTES.to_string()));

    let small = EmlLimits {
        max_bytes: 100,
        ..EmlLimits::default()
    };
    let path = dir.path().join("medium.eml");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(&load("01_plain_utf8_fr.eml")).unwrap();
    drop(file);
    assert!(matches!(
        read_eml_file(&path, &small),
        Err(EmlError::TooLarge { limit: 100, .. })
    ));
    assert!(matches!(
        parse_eml(&load("01_plain_utf8_fr.eml"), &small),
        Err(EmlError::TooLarge { limit: 100, .. })
    ));
}

#[test]
fn an_unreadable_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_eml_file(&dir.path().join("absent.eml"), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("absent.eml"), "{err}");
}

#[test]
fn a_large_file_that_does_not_start_like_mail_is_not_an_email() {
    let json = format!("{{\"items\": [{}0]}}", "1, ".repeat(200_000));
    let err = parse_eml(json.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::NotAnEmail), "{err}");
    let lines = "key: value\n".repeat(20_000);
    let err = parse_eml(lines.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::NotAnEmail), "{err}");
}

#[test]
fn a_text_attachment_keeps_its_bytes_and_charset() {
    let raw = "From: a@b.example\r\nSubject: pj\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
        --m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVoir la pi=C3=A8ce.\r\n\
        --m\r\nContent-Type: text/plain; charset=iso-8859-1; name=\"note.txt\"\r\n\
        Content-Disposition: attachment; filename=\"../../note.txt\"\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\r\nR=E9sum=E9 =E0 lire\r\n--m--\r\n";
    let p = parse_eml(raw.as_bytes(), &EmlLimits::default()).unwrap();
    assert_eq!(p.attachments.len(), 1);
    let note = &p.attachments[0];
    assert_eq!(note.meta.name, "note.txt", "path components are stripped");
    assert_eq!(note.meta.content_type, "text/plain");
    assert_eq!(note.bytes, b"R\xe9sum\xe9 \xe0 lire");
    assert_eq!(note.meta.size, 13);
}

#[test]
fn several_marking_headers_take_the_highest() {
    let raw =
        b"From: a@b.example\r\nX-Diplomatie-Marking: NP\r\nX-Diplomatie-Marking: DR\r\n\r\nx\r\n";
    let p = parse_eml(raw, &EmlLimits::default()).unwrap();
    assert_eq!(p.email.marking, Marking::DiffusionRestreinte);
    let raw = b"From: a@b.example\r\nX-Diplomatie-Marking: Secret\r\nX-Diplomatie-Marking: NP\r\n\r\nx\r\n";
    assert!(matches!(
        parse_eml(raw, &EmlLimits::default()),
        Err(EmlError::Domain(DomainError::AboveAccreditation(_)))
    ));
}

// ---------------------------------------------------------------------------------------------
// MIME bombs, generated here

const HEAD: &str = "From: mallory@evil.example\r\nTo: alice@diplomatie.example\r\nSubject: bomb\r\nDate: Tue, 19 Mar 2024 10:00:00 +0100\r\nMIME-Version: 1.0\r\n";

#[test]
fn deeply_nested_multiparts_are_refused() {
    let levels = 100_000;
    let mut bomb = String::from(HEAD);
    for level in 0..levels {
        bomb.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n--b{level}\r\n"
        ));
    }
    bomb.push_str("Content-Type: text/plain\r\n\r\nx\r\n");
    let err = parse_eml(bomb.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::TooDeep { limit: 16 }), "{err}");
}

#[test]
fn deeply_nested_messages_are_refused() {
    let mut bomb = String::from(HEAD);
    for _ in 0..1000 {
        bomb.push_str("Content-Type: message/rfc822\r\n\r\nFrom: a@b.example\r\n");
    }
    bomb.push_str("\r\nx\r\n");
    let err = parse_eml(bomb.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::TooDeep { .. }), "{err}");
}

#[test]
fn a_million_parts_are_refused() {
    let mut bomb = String::from(HEAD);
    bomb.push_str("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
    bomb.push_str(&"--b\r\n\r\nx\r\n".repeat(1_000_000));
    bomb.push_str("--b--\r\n");
    let err = parse_eml(bomb.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(
        matches!(err, EmlError::TooManyParts { limit: 1000 }),
        "{err}"
    );
}

#[test]
fn parts_hidden_in_the_middle_of_lines_are_counted() {
    // mail-parser finds a boundary anywhere in a line, not only at its start.
    let mut bomb = String::from(HEAD);
    bomb.push_str("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
    bomb.push_str(&"x--b\r\n\r\n".repeat(200_000));
    let err = parse_eml(bomb.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::TooManyParts { .. }), "{err}");
}

#[test]
fn parts_hidden_in_a_base64_enclosed_message_are_counted() {
    let mut inner = String::from(HEAD);
    inner.push_str("Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n");
    inner.push_str(&"--in\r\n\r\nx\r\n".repeat(5_000));
    inner.push_str("--in--\r\n");
    let encoded = base64_lines(inner.as_bytes());
    let mut bomb = String::from(HEAD);
    bomb.push_str("Content-Type: multipart/mixed; boundary=\"out\"\r\n\r\n--out\r\n");
    bomb.push_str("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    bomb.push_str(&encoded);
    bomb.push_str("\r\n--out--\r\n");
    let err = parse_eml(bomb.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::TooManyParts { .. }), "{err}");
}

#[test]
fn a_flood_of_header_fields_is_refused() {
    let mut bomb = String::from(HEAD);
    bomb.push_str(&"X-A: b\r\n".repeat(30_000));
    bomb.push_str("\r\nx\r\n");
    let err = parse_eml(bomb.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::HeadersTooLarge), "{err}");

    let mut bomb = String::from(HEAD);
    bomb.push_str("To: ");
    bomb.push_str(&"a@b.example, ".repeat(100_000));
    bomb.push_str("\r\n\r\nx\r\n");
    let err = parse_eml(bomb.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::HeadersTooLarge), "{err}");
}

#[test]
fn an_overlong_boundary_is_refused() {
    let boundary = "-".repeat(5000) + "x";
    let mut bomb = String::from(HEAD);
    bomb.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
    ));
    bomb.push_str(&"-".repeat(1_000_000));
    let err = parse_eml(bomb.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::InvalidMime(_)), "{err}");
}

#[test]
fn limits_are_configurable_and_counted_exactly() {
    // mixed > alternative > related: depth 3; 7 parts (3 multiparts, text, html, png, csv).
    let nested = load("07_nested_mixed_alt_related.eml");
    let with = |max_parts, max_depth| EmlLimits {
        max_parts,
        max_depth,
        ..EmlLimits::default()
    };
    parse_eml(&nested, &with(7, 3)).unwrap();
    assert!(matches!(
        parse_eml(&nested, &with(6, 3)),
        Err(EmlError::TooManyParts { limit: 6 })
    ));
    assert!(matches!(
        parse_eml(&nested, &with(7, 2)),
        Err(EmlError::TooDeep { limit: 2 })
    ));
}

#[test]
fn a_nested_multipart_without_delimiters_is_refused() {
    let mut raw = String::from(HEAD);
    raw.push_str("Content-Type: multipart/mixed; boundary=\"out\"\r\n\r\n--out\r\n");
    raw.push_str("Content-Type: multipart/alternative; boundary=\"never\"\r\n\r\ntext\r\n");
    raw.push_str("--out--\r\n");
    let err = parse_eml(raw.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::InvalidMime(_)), "{err}");
}

fn base64_lines(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (j, &b)| n | u32::from(b) << (16 - 8 * j));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Never panics

/// The pre-scan refuses what is known to trip mail-parser's debug assertions, so the parser's
/// panic guard (`EmlError::Unparseable`) is never needed: the properties below check that too.
#[test]
fn a_message_directly_inside_a_message_closing_with_its_digest_is_refused() {
    let raw = "From: a@b.example\r\nContent-Type: multipart/digest; boundary=b\r\n\r\n--b--b\r\n\r\nContent-Type: message/rfc822\r\n\r\n--b\r\n\r\n--b--";
    let err = parse_eml(raw.as_bytes(), &EmlLimits::default()).unwrap_err();
    assert!(matches!(err, EmlError::InvalidMime(_)), "{err}");
}

#[test]
fn inputs_that_tripped_the_parser_are_refused_before_it() {
    // Found by the properties below (shrunk); each reached a debug assertion in mail-parser.
    for raw in [
        "Content-Type: multipart/mixed; boundary=b\r\nContent-Type: multipart/digest; boundary=\"b\"\r\n\r\n--b--b\r\n\r\nContent-Type: message/rfc822\r\n\r\n--b\r\n\r\n--b--",
        "Content-Type: multipart/digest; boundary=\"b\"\r\n\r\n--b\r\n\r\nContent-Type: multipart/mixed; boundary=b\r\nContent-Type: multipart/mixed; boundary=bContent-Type: multipart/mixed; boundary=b\r\nContent-Type: message/rfc822\r\n\r\n--b\r\n\r\n--b--",
        "Content-Type: multipart/mixed; boundary=b\r\nContent-Type: multipart/digest; boundary=\"b\"\r\n\r\n--b\r\n\r\nx\r\nContent-Type: message/rfc822\r\n\r\n\r\n--b--",
    ] {
        for from in ["", "From: a@b.example\r\n"] {
            let raw = format!("{from}{raw}");
            let result = parse_eml(raw.as_bytes(), &EmlLimits::default());
            assert!(
                matches!(result, Err(EmlError::InvalidMime(_))),
                "{raw:?}: {result:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(!matches!(parse_eml(&bytes, &EmlLimits::default()), Err(EmlError::Unparseable)));
    }

    #[test]
    fn never_panics_on_mime_shaped_noise(
        pieces in prop::collection::vec(
            prop::sample::select(vec![
                "--b", "--b--", "\r\n", "\n", "\r\n\r\n", "Content-Type: multipart/mixed; boundary=b",
                "Content-Type: message/rfc822", "Content-Transfer-Encoding: base64",
                "Content-Transfer-Encoding: quoted-printable", "From: a@b.example", "=?UTF-8?B?w6k=?=",
                "=E9=", "Content-Type: multipart/digest; boundary=\"b\"", " ", "x", "-", ":", "\0",
                "Content-Type: multipart/alternative; boundary=c", "--c", "--c--", "Content-Type: text/html",
                "Content-Type: message/global", "Content-Disposition: attachment; filename*=UTF-8''a%C3%A9",
                "Content-Type: text/plain; charset=windows-1252", "RnJvbTogYUBiLmV4YW1wbGUNCg0KeA0K",
                "Date: Tue, 19 Mar 2024 10:00:00 +0100", "Message-ID: <a@b>", "References: <a@b> <c@d>",
            ]),
            0..200,
        )
    ) {
        let bytes = pieces.concat();
        let result = parse_eml(bytes.as_bytes(), &EmlLimits::default());
        prop_assert!(!matches!(result, Err(EmlError::Unparseable)), "{bytes:?}");
    }

    #[test]
    fn never_panics_on_mutated_fixtures(
        fixture in prop::sample::select(GOOD.to_vec()),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..16),
    ) {
        let mut bytes = load(fixture);
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                bytes.push(byte);
                continue;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                2 => { bytes.remove(i); }
                _ => bytes.truncate(i),
            }
        }
        prop_assert!(!matches!(parse_eml(&bytes, &EmlLimits::default()), Err(EmlError::Unparseable)));
    }
}

fn message(headers: &str, body: &str) -> ParsedEml {
    let eml = format!(
        "From: Carol Smith <carol@embassy.example>\r\nTo: bob@quai.example\r\n\
         Subject: Weekly report\r\nDate: Sat, 16 Mar 2024 14:22:09 -0400\r\n\
         MIME-Version: 1.0\r\n{headers}\r\n{body}"
    );
    parse_eml(eml.as_bytes(), &EmlLimits::default()).unwrap()
}

const ENGLISH_BODY: &str = "Dear Bob,\r\n\r\nThe committee met on Tuesday to review the \
    draft agreement. Most delegations welcomed the text, although several of them asked for \
    more time to consult their capitals before the final reading, which is now expected \
    early next month.\r\n\r\nBest regards,\r\nCarol\r\n";

#[test]
fn the_language_is_the_one_content_language_names_else_the_one_the_text_shows() {
    let fr = Some(Language::FRENCH);
    let en = Some(Language::ENGLISH);
    // Declared by the message: honoured, region dropped.
    assert_eq!(parse("11_outlook_cp1252.eml").language, fr);
    let plain = "Content-Type: text/plain; charset=UTF-8\r\n";
    let declared = message(&format!("{plain}Content-Language: de-CH\r\n"), ENGLISH_BODY);
    assert_eq!(declared.language, Language::parse("de").ok());
    // Not declared: detected from a clear text, in French or in English.
    assert_eq!(parse("01_plain_utf8_fr.eml").language, fr);
    assert_eq!(parse("05_alternative_en.eml").language, en);
    // A header that names no single language is set aside for the text.
    for value in [
        "en, fr",
        "x-klingon",
        "und",
        "fr;q=0.5",
        "",
        "\u{e9}\u{202e}",
    ] {
        let p = message(
            &format!("{plain}Content-Language: {value}\r\n"),
            ENGLISH_BODY,
        );
        assert_eq!(p.language, en, "{value:?}");
    }
    // A hostile header is refused without a panic.
    let long = format!("{plain}Content-Language: {}\r\n", "en-".repeat(20_000));
    assert_eq!(message(&long, ENGLISH_BODY).language, en);
    // Too little text to tell: unknown, so the interface's language applies.
    assert_eq!(message(plain, "OK, merci.\r\n").language, None);
}

#[test]
fn a_text_part_can_declare_the_language_for_the_message() {
    let body = "--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Language: es\r\n\r\n\
        Hola Bob, gracias.\r\n--b1\r\nContent-Type: text/html; charset=UTF-8\r\n\
        Content-Language: es-ES\r\n\r\n<p>Hola Bob, gracias.</p>\r\n--b1--\r\n";
    let p = message(
        "Content-Type: multipart/alternative; boundary=\"b1\"\r\n",
        body,
    );
    assert_eq!(p.language, Language::parse("es").ok());
}
