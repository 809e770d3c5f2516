//! An exported `.eml` read back by a second, independent MIME parser (`mailparse`): every text
//! part declares its charset, attachments come back byte for byte, and file names outside
//! ASCII are encoded as RFC 2231 says, so that mail clients show them right.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use diplomatie_client::eml::EmlLimits;
use diplomatie_client::{Compose, ExportFormat, ImportOutcome, NewAttachment, Profile};
use diplomatie_domain::{FormalEmail, ItemContent, ItemId, Mailbox, Marking, Precedence};
use diplomatie_testkit::{alice, bob, temp_dir, write_file};
use mailparse::{DispositionType, MailHeaderMap, ParsedMail, parse_mail};
use time::macros::datetime;

const BODY: &str = "Madame l'Ambassadrice,\n\nVeuillez trouver ci-joint le compte rendu de la réunion \
     de jeudi et le procès-verbal signé.\n\nÀ votre disposition pour tout complément.\n";
const NOTE_NAME: &str = "Compte rendu – réunion.txt";
const NOTE_TEXT: &str = "Évaluation à l'échéance";
const PDF_NAME: &str = "Procès-verbal signé.pdf";

fn pdf_bytes() -> Vec<u8> {
    // Not UTF-8, as a real PDF is not.
    let mut bytes =
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    bytes.extend((0..=255u8).rev());
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

fn email(p: &Profile) -> FormalEmail {
    FormalEmail {
        from: Mailbox {
            name: Some("Alice Martin".into()),
            address: p.identity().email.clone().unwrap(),
        },
        to: vec![Mailbox {
            name: Some("Hélène Dupré".into()),
            address: "helene.dupre@quai.example".into(),
        }],
        cc: Vec::new(),
        date: datetime!(2026-12-03 16:30 +01:00),
        message_id: None,
        in_reply_to: Vec::new(),
        references: Vec::new(),
        subject: "Compte rendu de la réunion du 3 décembre".into(),
        body: BODY.into(),
        attachments: Vec::new(),
        marking: Marking::NonProtege,
        precedence: Precedence::Routine,
    }
}

fn attachment(name: &str, content_type: &str, bytes: impl Into<Vec<u8>>) -> NewAttachment {
    NewAttachment {
        name: name.into(),
        content_type: content_type.into(),
        bytes: bytes.into(),
    }
}

/// Composes the email with these attachments and exports it to `.eml`.
fn export(p: &Profile, attachments: Vec<NewAttachment>) -> (ItemId, Vec<u8>) {
    let id = p
        .compose(Compose {
            content: ItemContent::FormalEmail(email(p)),
            deadline: None,
            attachments,
            language: None,
        })
        .unwrap();
    let eml = p.export(&id.to_string(), ExportFormat::Eml).unwrap();
    (id, eml)
}

/// The parts that are not multipart containers, in order.
fn leaves<'a>(mail: &'a ParsedMail<'a>) -> Vec<&'a ParsedMail<'a>> {
    mail.parts().filter(|p| p.subparts.is_empty()).collect()
}

fn filename(part: &ParsedMail<'_>) -> String {
    let disposition = part.get_content_disposition();
    assert_eq!(disposition.disposition, DispositionType::Attachment);
    disposition.params["filename"].clone()
}

fn raw_header(part: &ParsedMail<'_>, name: &str) -> String {
    let header = part.headers.get_first_header(name).unwrap();
    String::from_utf8(header.get_value_raw().to_vec()).unwrap()
}

/// Every text part declares UTF-8: mailparse reports `us-ascii`, the RFC 2046 default, for a
/// part that declares nothing.
fn assert_text_parts_are_utf8(mail: &ParsedMail<'_>) {
    for part in mail.parts() {
        if part.ctype.mimetype.starts_with("text/") {
            assert_eq!(
                part.ctype.charset, "utf-8",
                "{} part without its charset",
                part.ctype.mimetype
            );
        }
    }
}

/// Lines as RFC 5322 wants them: CRLF ends, 78 characters at most (base64 and
/// quoted-printable make 76, folded headers stay under).
fn assert_lines_are_short(eml: &[u8]) {
    let text = std::str::from_utf8(eml).expect("an export is 7-bit text");
    assert!(text.is_ascii(), "8-bit bytes in the export");
    for line in text.split("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line end"
        );
        assert!(
            line.len() <= 78,
            "line of {} characters: {line}",
            line.len()
        );
    }
}

#[test]
fn a_utf8_text_attachment_and_non_ascii_names_are_read_right_by_another_parser() {
    let alice = alice();
    let (_, eml) = export(
        &alice,
        vec![
            attachment(NOTE_NAME, "text/plain", NOTE_TEXT),
            attachment(PDF_NAME, "application/pdf", pdf_bytes()),
        ],
    );
    assert_lines_are_short(&eml);
    let mail = parse_mail(&eml).unwrap();
    assert_eq!(mail.ctype.mimetype, "multipart/mixed");
    assert_eq!(
        mail.headers.get_first_value("Subject").unwrap(),
        "Compte rendu de la réunion du 3 décembre"
    );
    assert_text_parts_are_utf8(&mail);
    let parts = leaves(&mail);
    assert_eq!(parts.len(), 3);

    // The body.
    let body = parts[0];
    assert_eq!(body.ctype.mimetype, "text/plain");
    assert_eq!(body.ctype.charset, "utf-8");
    assert_eq!(
        body.get_content_disposition().disposition,
        DispositionType::Inline
    );
    assert_eq!(body.get_body().unwrap().replace("\r\n", "\n"), BODY);

    // The text attachment: its bytes, its text, its name.
    let note = parts[1];
    assert_eq!(note.ctype.mimetype, "text/plain");
    assert_eq!(note.ctype.charset, "utf-8");
    assert_eq!(note.get_body_raw().unwrap(), NOTE_TEXT.as_bytes());
    assert_eq!(note.get_body().unwrap(), NOTE_TEXT);
    assert_eq!(filename(note), NOTE_NAME);
    // For the clients that predate RFC 2231: `name=` in the Content-Type, RFC 2047 encoded.
    assert_eq!(note.ctype.params["name"], NOTE_NAME);

    // The PDF: its bytes and its name.
    let pdf = parts[2];
    assert_eq!(pdf.ctype.mimetype, "application/pdf");
    assert!(!pdf.ctype.params.contains_key("charset"));
    assert_eq!(pdf.get_body_raw().unwrap(), pdf_bytes());
    assert_eq!(filename(pdf), PDF_NAME);
    assert_eq!(pdf.ctype.params["name"], PDF_NAME);

    // The names as RFC 2231 writes them, not as RFC 2047 encoded words in a quoted string
    // (which RFC 2047 forbids there, and which RFC 2231 readers need not decode).
    for (part, encoded) in [
        (
            note,
            "filename*=utf-8''Compte%20rendu%20%E2%80%93%20r%C3%A9union.txt",
        ),
        (pdf, "filename*=utf-8''Proc%C3%A8s-verbal%20sign%C3%A9.pdf"),
    ] {
        let disposition = raw_header(part, "Content-Disposition");
        assert!(disposition.contains(encoded), "{disposition}");
        assert!(!disposition.contains("=?"), "{disposition}");
    }
}

#[test]
fn a_long_non_ascii_name_is_cut_into_rfc_2231_continuations() {
    let alice = alice();
    let name = "Télégramme diplomatique n° 1234 – entretien du ministre avec son homologue \
                à Berlin, éléments de langage et réponses aux questions écrites.odt";
    let (_, eml) = export(
        &alice,
        vec![attachment(
            name,
            "application/vnd.oasis.opendocument.text",
            b"PK\x03\x04odt".to_vec(),
        )],
    );
    assert_lines_are_short(&eml);
    let mail = parse_mail(&eml).unwrap();
    assert_text_parts_are_utf8(&mail);
    let parts = leaves(&mail);
    let odt = parts[1];
    let disposition = raw_header(odt, "Content-Disposition");
    assert!(disposition.contains("filename*0*=utf-8''"), "{disposition}");
    assert!(disposition.contains("filename*1*="), "{disposition}");
    assert_eq!(filename(odt), name);
    assert_eq!(odt.ctype.params["name"], name);
    assert_eq!(odt.get_body_raw().unwrap(), b"PK\x03\x04odt");
}

#[test]
fn a_text_attachment_that_is_not_utf8_makes_no_false_claim() {
    let alice = alice();
    let latin1 = b"R\xe9sum\xe9 \xe0 lire\r\n".to_vec();
    let (_, eml) = export(
        &alice,
        vec![
            // Its charset unknown (an import keeps only the type): sent as octets.
            attachment("résumé.txt", "text/plain", latin1.clone()),
            // Its charset known: kept.
            attachment("note.txt", "text/plain;charset=iso-8859-1", latin1.clone()),
            // Plain ASCII: UTF-8 is right for it too.
            attachment("readme.txt", "text/plain", "read me\n"),
        ],
    );
    let mail = parse_mail(&eml).unwrap();
    assert_text_parts_are_utf8_or_declared(&mail);
    let parts = leaves(&mail);
    assert_eq!(parts.len(), 4);

    let unknown = parts[1];
    assert_eq!(unknown.ctype.mimetype, "application/octet-stream");
    assert!(!unknown.ctype.params.contains_key("charset"));
    assert_eq!(unknown.get_body_raw().unwrap(), latin1);
    assert_eq!(filename(unknown), "résumé.txt");

    let declared = parts[2];
    assert_eq!(declared.ctype.mimetype, "text/plain");
    assert_eq!(declared.ctype.charset, "iso-8859-1");
    assert_eq!(declared.get_body_raw().unwrap(), latin1);
    assert_eq!(declared.get_body().unwrap(), "Résumé à lire\r\n");
    assert_eq!(filename(declared), "note.txt");
    assert!(raw_header(declared, "Content-Disposition").contains("filename=\"note.txt\""));

    let ascii = parts[3];
    assert_eq!(ascii.ctype.mimetype, "text/plain");
    assert_eq!(ascii.ctype.charset, "utf-8");
    assert_eq!(ascii.get_body_raw().unwrap(), b"read me\n");
}

fn assert_text_parts_are_utf8_or_declared(mail: &ParsedMail<'_>) {
    for part in mail.parts() {
        if part.ctype.mimetype.starts_with("text/") {
            assert!(
                part.ctype.params.contains_key("charset"),
                "{} part without its charset",
                part.ctype.mimetype
            );
        }
    }
}

#[test]
fn the_export_imports_back_with_the_same_names_and_bytes() {
    let alice = alice();
    let (id, eml) = export(
        &alice,
        vec![
            attachment(NOTE_NAME, "text/plain", NOTE_TEXT),
            attachment(PDF_NAME, "application/pdf", pdf_bytes()),
        ],
    );
    let files = temp_dir();
    let path = write_file(files.path(), "export.eml", &eml);
    let bob = bob();
    let report = bob.import_eml_files(&[path], &EmlLimits::default(), &mut |_, _| {});
    let ImportOutcome::Imported { id: imported } = report[0].outcome else {
        panic!("{:?}", report[0].outcome);
    };
    for index in 0..2 {
        let (sent, sent_bytes) = alice.attachment(id, index).unwrap();
        let (got, got_bytes) = bob.attachment(imported, index).unwrap();
        assert_eq!(got.name, sent.name);
        assert_eq!(got.content_type, sent.content_type);
        assert_eq!(got_bytes, sent_bytes);
    }
    let stored = bob.show(&imported.to_string()).unwrap();
    let ItemContent::FormalEmail(e) = &stored.item.content else {
        panic!("not an email");
    };
    assert_eq!(e.body, BODY);
}
