//! Conversations and composed emails over real encrypted profiles: threads that converge
//! whatever the order the messages arrive in, an email composed here found again by its
//! Message-ID, and attachments of a composed email.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use diplomatie_client::eml::EmlLimits;
use diplomatie_client::{
    ClientError, Compose, ImportOutcome, InitOptions, MAX_ATTACHMENT_BYTES, NewAttachment, Profile,
};
use diplomatie_domain::{
    Addressee, FormalEmail, ItemContent, ItemId, Mailbox, Marking, Precedence,
};
use time::macros::datetime;

fn profile(dir: &Path) -> Profile {
    Profile::init(
        dir,
        "threads test passphrase",
        InitOptions {
            role: String::new(),
            name: "Alice Martin".into(),
            org: "Ambassade de France à Berlin".into(),
            email: Some("alice.martin@diplomatie.example".into()),
            kdf_cost: Some(diplomatie_client::KdfCost::MIN),
        },
    )
    .unwrap()
}

/// A reply that names only the message it answers (no References), as many clients send.
fn eml(id: &str, in_reply_to: Option<&str>, minute: u32) -> String {
    let reply = in_reply_to.map_or(String::new(), |p| format!("In-Reply-To: <{p}>\r\n"));
    format!(
        "From: Bruno <bruno@quai.example>\r\nTo: alice.martin@diplomatie.example\r\n\
         Date: Tue, 01 Dec 2026 10:{minute:02}:00 +0000\r\nMessage-ID: <{id}>\r\n{reply}\
         Subject: Visite ministerielle\r\n\r\nMessage {id}.\r\n"
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn import(p: &Profile, path: &Path) -> ItemId {
    let report = p.import_eml_files(&[path.to_owned()], &EmlLimits::default(), &mut |_, _| {});
    match &report[0].outcome {
        ImportOutcome::Imported { id } => *id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_chain_of_in_reply_to_is_one_thread_in_every_order_of_arrival() {
    let files = tempfile::tempdir().unwrap();
    // r1 <- r2 <- r3, and r4 answers r1 too: four messages, one conversation.
    let messages = [
        write(files.path(), "r1.eml", &eml("r1@quai.example", None, 1)),
        write(
            files.path(),
            "r2.eml",
            &eml("r2@quai.example", Some("r1@quai.example"), 2),
        ),
        write(
            files.path(),
            "r3.eml",
            &eml("r3@quai.example", Some("r2@quai.example"), 3),
        ),
        write(
            files.path(),
            "r4.eml",
            &eml("r4@quai.example", Some("r1@quai.example"), 4),
        ),
    ];
    let orders: [[usize; 4]; 6] = [
        [0, 1, 2, 3],
        [2, 1, 0, 3],
        [2, 0, 1, 3],
        [1, 2, 3, 0],
        [3, 2, 0, 1],
        [2, 3, 1, 0],
    ];
    for order in orders {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let ids: Vec<ItemId> = order.iter().map(|&i| import(&p, &messages[i])).collect();
        for id in &ids {
            let thread = p.thread_of(*id).unwrap();
            assert_eq!(thread.len(), 4, "order {order:?}");
            // Oldest first, whatever the order of arrival.
            let minutes: Vec<u8> = thread.iter().map(|s| s.written_at.minute()).collect();
            assert_eq!(minutes, [1, 2, 3, 4], "order {order:?}");
        }
    }
    // An unrelated message stays alone.
    let dir = tempfile::tempdir().unwrap();
    let p = profile(dir.path());
    import(&p, &messages[0]);
    let other = write(files.path(), "x.eml", &eml("x@quai.example", None, 9));
    let x = import(&p, &other);
    assert_eq!(p.thread_of(x).unwrap().len(), 1);
}

fn email(message_id: Option<&str>, in_reply_to: &[&str]) -> FormalEmail {
    FormalEmail {
        from: Mailbox {
            name: Some("Alice Martin".into()),
            address: "alice.martin@diplomatie.example".into(),
        },
        to: vec![Mailbox {
            name: None,
            address: "bruno@quai.example".into(),
        }],
        cc: Vec::new(),
        date: datetime!(2026-12-01 09:00 UTC),
        message_id: message_id.map(str::to_owned),
        in_reply_to: in_reply_to.iter().map(|s| (*s).to_owned()).collect(),
        references: Vec::new(),
        subject: "Ordre du jour".into(),
        body: "Veuillez trouver l'ordre du jour ci-joint.".into(),
        attachments: Vec::new(),
        marking: Marking::NonProtege,
        precedence: Precedence::Routine,
    }
}

fn compose(
    p: &Profile,
    e: FormalEmail,
    attachments: Vec<NewAttachment>,
) -> Result<ItemId, ClientError> {
    p.compose(Compose {
        content: ItemContent::FormalEmail(e),
        deadline: None,
        attachments,
        language: None,
    })
}

#[test]
fn an_email_composed_here_is_found_by_its_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(dir.path());
    let sent = compose(&p, email(None, &[]), Vec::new()).unwrap();
    // Exported and imported back: the same message, not a second copy.
    let bytes = p
        .export(&sent.to_string(), diplomatie_client::ExportFormat::Eml)
        .unwrap();
    let files = tempfile::tempdir().unwrap();
    let path = write(
        files.path(),
        "sent.eml",
        std::str::from_utf8(&bytes).unwrap(),
    );
    let report = p.import_eml_files(&[path], &EmlLimits::default(), &mut |_, _| {});
    assert!(
        matches!(report[0].outcome, ImportOutcome::Duplicate { id } if id == sent),
        "{:?}",
        report[0].outcome
    );
    assert_eq!(p.item_count().unwrap(), 1);
    // A reply to it joins its thread.
    let stored = p.show(&sent.to_string()).unwrap();
    let ItemContent::FormalEmail(e) = &stored.item.content else {
        panic!("not an email");
    };
    let mid = e.message_id.clone().unwrap();
    let reply = write(
        files.path(),
        "reply.eml",
        &eml("reply@quai.example", Some(&mid), 30),
    );
    let reply = import(&p, &reply);
    assert_eq!(p.thread_of(reply).unwrap().len(), 2);
    assert_eq!(p.thread_of(sent).unwrap().len(), 2);
    // Composing again with a Message-ID already stored is refused, and nothing is written.
    let err = compose(&p, email(Some(&mid), &[]), Vec::new()).unwrap_err();
    assert!(matches!(err, ClientError::DuplicateMessage(_)), "{err}");
    assert!(err.to_string().contains("Message-ID"), "{err}");
    assert_eq!(p.item_count().unwrap(), 2);
}

#[test]
fn an_email_with_attachments_at_the_limit_exports_to_a_file_the_import_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(dir.path());
    let big = NewAttachment {
        name: "annexes.bin".into(),
        content_type: "application/octet-stream".into(),
        // Random-looking bytes, as base64 finds them in real files.
        bytes: (0..MAX_ATTACHMENT_BYTES)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
            .collect(),
    };
    let id = compose(&p, email(None, &[]), vec![big.clone()]).unwrap();
    let eml = p
        .export(&id.to_string(), diplomatie_client::ExportFormat::Eml)
        .unwrap();
    assert!(
        (eml.len() as u64) < diplomatie_client::eml::DEFAULT_MAX_BYTES,
        "{} bytes written",
        eml.len()
    );
    let other = tempfile::tempdir().unwrap();
    let q = Profile::init(
        other.path(),
        "threads test passphrase",
        InitOptions {
            role: String::new(),
            name: "Bruno".into(),
            org: "Quai".into(),
            email: Some("bruno@quai.example".into()),
            kdf_cost: Some(diplomatie_client::KdfCost::MIN),
        },
    )
    .unwrap();
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("big.eml");
    std::fs::write(&path, &eml).unwrap();
    let imported = import(&q, &path);
    assert_eq!(q.attachment(imported, 0).unwrap().1, big.bytes);
}

#[test]
fn a_composed_email_keeps_its_attachments_encrypted_and_refuses_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(dir.path());
    let pdf = NewAttachment {
        name: "../../ordre-du-jour.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.7 CANARY-ATTACHMENT-7f3a".to_vec(),
    };
    let id = compose(&p, email(None, &[]), vec![pdf.clone()]).unwrap();
    let (meta, bytes) = p.attachment(id, 0).unwrap();
    assert_eq!(meta.name, "ordre-du-jour.pdf", "folder parts are dropped");
    assert_eq!(meta.content_type, "application/pdf");
    assert_eq!(meta.size, 31);
    assert_eq!(bytes, pdf.bytes);
    let stored = p.show(&id.to_string()).unwrap();
    let ItemContent::FormalEmail(e) = &stored.item.content else {
        panic!("not an email");
    };
    assert_eq!(e.attachments, vec![meta.clone()]);
    // The exported message carries it.
    let eml = p
        .export(&id.to_string(), diplomatie_client::ExportFormat::Eml)
        .unwrap();
    let eml = String::from_utf8(eml).unwrap();
    assert!(eml.contains("ordre-du-jour.pdf"), "{eml}");
    // Nothing of it in clear on disk.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!data.windows(18).any(|w| w == b"CANARY-ATTACHMENT-"));
    }

    let count = p.item_count().unwrap();
    // A telegram carries no attachment.
    let telegram = diplomatie_domain::Telegram {
        action: vec![Addressee::Unit("DGM".into())],
        ..sample_telegram()
    };
    let err = p
        .compose(Compose {
            content: ItemContent::Telegram(telegram),
            deadline: None,
            attachments: vec![pdf.clone()],
            language: None,
        })
        .unwrap_err();
    assert!(err.to_string().contains("only an email"), "{err}");
    // Too large in all.
    let big = NewAttachment {
        bytes: vec![0; usize::try_from(MAX_ATTACHMENT_BYTES).unwrap() + 1],
        ..pdf.clone()
    };
    let err = compose(&p, email(None, &[]), vec![big]).unwrap_err();
    assert!(err.to_string().contains("more than 18 MiB"), "{err}");
    // Not a content type.
    let odd = NewAttachment {
        content_type: "pdf".into(),
        ..pdf
    };
    let err = compose(&p, email(None, &[]), vec![odd]).unwrap_err();
    assert!(err.to_string().contains("not a content type"), "{err}");
    assert_eq!(p.item_count().unwrap(), count, "nothing written");
}

fn sample_telegram() -> diplomatie_domain::Telegram {
    diplomatie_domain::Telegram {
        number: None,
        dtg: datetime!(2026-12-01 09:00 UTC),
        origin: "BERLIN".into(),
        action: Vec::new(),
        info: Vec::new(),
        subject: "Entretien".into(),
        tags: Vec::new(),
        references: Vec::new(),
        summary: String::new(),
        paragraphs: vec![diplomatie_domain::Paragraph {
            marking: Marking::NonProtege,
            text: "Texte.".into(),
        }],
        drafter: "Alice Martin".into(),
        clearers: Vec::new(),
        approver: Some("Alice Martin".into()),
        precedence: Precedence::Routine,
        justification: None,
        marking: Marking::NonProtege,
        caveats: Vec::new(),
    }
}

#[test]
fn files_to_attach_are_read_with_their_type_and_refused_clearly() {
    let files = tempfile::tempdir().unwrap();
    let pdf = files.path().join("Compte rendu.PDF");
    std::fs::write(&pdf, b"%PDF-1.7").unwrap();
    let odt = files.path().join("annexe.odt");
    std::fs::write(&odt, b"odt").unwrap();
    let odd = files.path().join("donnees.xyz");
    std::fs::write(&odd, b"?").unwrap();
    let read = diplomatie_client::read_attachments(&[pdf.clone(), odt, odd]).unwrap();
    let seen: Vec<(&str, &str)> = read
        .iter()
        .map(|a| (a.name.as_str(), a.content_type.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("Compte rendu.PDF", "application/pdf"),
            ("annexe.odt", "application/vnd.oasis.opendocument.text"),
            ("donnees.xyz", "application/octet-stream"),
        ]
    );
    assert_eq!(read[0].bytes, b"%PDF-1.7");
    // A missing file and a folder are named.
    let missing = files.path().join("parti.pdf");
    for (path, why) in [
        (&missing, "No such file"),
        (&files.path().to_owned(), "not a file"),
    ] {
        let err = diplomatie_client::read_attachments(&[pdf.clone(), path.clone()]).unwrap_err();
        assert!(
            matches!(err, ClientError::AttachmentUnreadable { .. }),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&path.display().to_string()) && text.contains(why),
            "{text}"
        );
    }
    // Too much in all is refused from the sizes, before anything is read.
    let big = files.path().join("big.bin");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(MAX_ATTACHMENT_BYTES).unwrap();
    let err = diplomatie_client::read_attachments(std::slice::from_ref(&big)).map(|a| a.len());
    assert_eq!(err.unwrap(), 1, "the limit itself is allowed");
    let err = diplomatie_client::read_attachments(&[big, pdf]).unwrap_err();
    assert!(
        matches!(err, ClientError::AttachmentsTooLarge { limit_mib: 18 }),
        "{err}"
    );
}
