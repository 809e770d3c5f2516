//! The real `diplo` binary on real SQLCipher profiles: what a user or a script sees.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use diplomatie_testkit::cli::{self, json, ok, stderr};
use serde_json::Value;

const PASS: &str = "une phrase de passe assez longue";

/// `diplo --profile PROFILE ARGS…`, with the passphrase in the environment when given.
fn diplo(profile: &Path, pass: Option<&str>, args: &[&str]) -> Output {
    let env: Vec<(&str, &str)> = pass
        .map(|p| ("DIPLOMATIE_PASSPHRASE", p))
        .into_iter()
        .collect();
    cli::diplo(Path::new(env!("CARGO_BIN_EXE_diplo")), profile, &env, args)
}

struct Profile {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

fn profile() -> Profile {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    ok(&diplo(
        &dir,
        Some(PASS),
        &[
            "init",
            "--name",
            "Alice Lefèvre",
            "--org",
            "DIPLOMATIE/DUE",
            "--email",
            "alice@diplomatie.gouv.example",
            "--kdf-cost",
            "m=8192,t=1",
        ],
    ));
    Profile { _tmp: tmp, dir }
}

fn run(p: &Profile, args: &[&str]) -> Output {
    diplo(&p.dir, Some(PASS), args)
}

fn compose_telegram(p: &Profile, subject: &str, extra: &[&str]) -> String {
    let mut args = vec!["compose", "telegram", "--subject", subject];
    args.extend_from_slice(extra);
    ok(&run(p, &args)).trim().to_owned()
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn eml(message_id: &str, to: &str, cc: &str, subject: &str, attachment: &str) -> String {
    use std::fmt::Write;
    let b64 = {
        // A tiny base64 encoder, enough for the test's ASCII attachment.
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let bytes = attachment.as_bytes();
        let mut s = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..4 {
                if i <= chunk.len() {
                    s.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    s.push('=');
                }
            }
        }
        s
    };
    let mut m = String::new();
    write!(
        m,
        "From: Bob Martin <bob@quai.example>\r\nTo: {to}\r\nCc: {cc}\r\nDate: Tue, 10 Nov 2026 09:30:00 +0100\r\n\
         Message-ID: <{message_id}>\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Veuillez trouver ci-joint le compte rendu de la réunion.\r\n--b1\r\nContent-Type: text/plain; name=\"cr.txt\"\r\n\
         Content-Disposition: attachment; filename=\"cr.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b1--\r\n"
    )
    .unwrap();
    m
}

#[test]
fn canaries_never_reach_the_disk_but_are_found_by_search() {
    let p = profile();
    let body = p.dir.join("../body.txt");
    std::fs::write(
        &body,
        "Premier paragraphe.\n\n(DR) Le canari corps CANARYBODYQX7 est ici.",
    )
    .unwrap();
    compose_telegram(
        &p,
        "Objet CANARYSUBJQX7 confidentiel",
        &[
            "--action",
            "person:Destinataire CANARYADDRQX7",
            "--marking",
            "dr",
            "--body-file",
            body.to_str().unwrap(),
        ],
    );
    let mail = p.dir.join("../m.eml");
    std::fs::write(
        &mail,
        eml(
            "c1@quai.example",
            "alice@diplomatie.gouv.example",
            "",
            "Compte rendu",
            "piece CANARYATTQX7 jointe",
        ),
    )
    .unwrap();
    ok(&run(&p, &["import-eml", mail.to_str().unwrap()]));
    let files = snapshot(&p.dir);
    assert!(files.keys().any(|f| f.ends_with("store.db")));
    for canary in [
        "CANARYSUBJQX7",
        "CANARYBODYQX7",
        "CANARYADDRQX7",
        "CANARYATTQX7",
    ] {
        for (file, bytes) in &files {
            for variant in [canary.to_owned(), canary.to_lowercase()] {
                assert!(
                    !contains(bytes, variant.as_bytes()),
                    "{variant} in {}",
                    file.display()
                );
            }
        }
    }
    for canary in ["CANARYSUBJQX7", "canarybodyqx7", "CanaryAddrQX7"] {
        let hits = json(&run(&p, &["--json", "search", canary]));
        assert_eq!(hits.as_array().unwrap().len(), 1, "{canary}");
    }
    // The attachment is stored encrypted and comes back intact.
    let hits = json(&run(&p, &["--json", "search", "compte rendu"]));
    let id = hits[0]["summary"]["id"].as_str().unwrap().to_owned();
    let exported = ok(&run(&p, &["export", &id, "--format", "eml"]));
    assert!(
        exported.contains("cGllY2UgQ0FOQVJZQVRUUVg3IGpvaW50ZQ")
            || exported.contains("CANARYATTQX7")
    );
}

#[test]
fn a_wrong_passphrase_says_so_and_changes_nothing() {
    let p = profile();
    compose_telegram(&p, "Élections", &["--action", "BERLIN"]);
    let before = snapshot(&p.dir);
    let out = diplo(&p.dir, Some("pas la bonne phrase de passe"), &["inbox"]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("wrong passphrase"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert_eq!(snapshot(&p.dir), before);
}

#[test]
fn no_passphrase_and_no_terminal_is_a_clear_error() {
    let p = profile();
    let out = diplo(&p.dir, None, &["inbox"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("DIPLOMATIE_PASSPHRASE"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_damaged_store_is_reported_and_left_untouched() {
    let p = profile();
    ok(&run(&p, &["demo", "--items", "300"]));
    assert!(ok(&run(&p, &["check"])).contains("300"));
    let db = p.dir.join("store.db");
    let pristine = std::fs::read(&db).unwrap();
    let pages = pristine.len() / 4096;
    for (what, offset) in [
        ("first page", 1000),
        ("middle page", pages / 2 * 4096 + 1500),
        ("last page", pristine.len() - 50),
    ] {
        let mut bytes = pristine.clone();
        bytes[offset] ^= 0x5a;
        std::fs::write(&db, &bytes).unwrap();
        // The full check always finds it, in one line, and writes nothing.
        let out = run(&p, &["check"]);
        assert_eq!(out.status.code(), Some(4), "{what}: {}", stderr(&out));
        assert!(stderr(&out).contains("damaged"), "{what}: {}", stderr(&out));
        assert_eq!(
            stderr(&out).lines().count(),
            1,
            "{what}: one line: {}",
            stderr(&out)
        );
        // Everyday commands either work (the page was not needed) or say the same.
        for args in [&["inbox"][..], &["search", "ambassade"][..]] {
            let out = run(&p, args);
            assert!(
                matches!(out.status.code(), Some(0 | 4)),
                "{what} {args:?}: {}",
                stderr(&out)
            );
        }
        assert_eq!(
            std::fs::read(&db).unwrap(),
            bytes,
            "{what}: the file was changed"
        );
    }
    std::fs::write(&db, &pristine).unwrap();
    ok(&run(&p, &["check"]));
}

#[test]
fn a_command_without_a_profile_says_how_to_name_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_diplo"))
        .arg("inbox")
        .env_remove("DIPLOMATIE_PROFILE")
        .env("DIPLOMATIE_PASSPHRASE", PASS)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--profile DIR"), "{}", stderr(&out));
}

#[test]
fn a_missing_profile_says_how_to_create_one() {
    let tmp = tempfile::tempdir().unwrap();
    let out = diplo(&tmp.path().join("nowhere"), Some(PASS), &["inbox"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("diplo init"), "{}", stderr(&out));
}

#[test]
fn secret_is_refused_and_nothing_is_stored() {
    let p = profile();
    for marking in ["secret", "tres-secret"] {
        let out = run(
            &p,
            &[
                "compose",
                "telegram",
                "--subject",
                "X",
                "--action",
                "BERLIN",
                "--marking",
                marking,
            ],
        );
        assert!(!out.status.success());
        assert!(stderr(&out).contains("accreditation"), "{}", stderr(&out));
    }
    let inbox = json(&run(&p, &["--json", "inbox"]));
    assert_eq!(inbox["items"].as_array().unwrap().len(), 0);
}

#[test]
fn rules_of_the_trade_are_enforced_with_precise_messages() {
    let p = profile();
    let out = run(
        &p,
        &["compose", "telegram", "--subject", "Sans destinataire"],
    );
    assert!(
        stderr(&out).contains("action addressee"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &p,
        &[
            "compose",
            "telegram",
            "--subject",
            "X",
            "--action",
            "BERLIN",
            "--precedence",
            "flash",
        ],
    );
    assert!(stderr(&out).contains("justification"), "{}", stderr(&out));
    let out = run(
        &p,
        &[
            "compose",
            "telegram",
            "--subject",
            "X",
            "--action",
            "BERLIN",
            "--body",
            "(DR) sensible",
        ],
    );
    assert!(stderr(&out).contains("paragraph 1"), "{}", stderr(&out));
    let out = run(
        &p,
        &[
            "compose",
            "telegram",
            "--subject",
            "X",
            "--action",
            "BERLIN",
            "--precedence",
            "urgent",
        ],
    );
    assert!(
        stderr(&out).contains("unknown precedence"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_inbox_puts_action_first_by_precedence_then_information() {
    let p = profile();
    let info = compose_telegram(
        &p,
        "Pour info",
        &[
            "--action",
            "BERLIN",
            "--info",
            "DIPLOMATIE/DUE",
            "--precedence",
            "flash",
            "--justification",
            "Crise",
        ],
    );
    let routine = compose_telegram(&p, "Action routine", &["--action", "DIPLOMATIE/DUE"]);
    let immediat = compose_telegram(
        &p,
        "Action immédiate",
        &["--action", "Alice Lefèvre", "--precedence", "immediat"],
    );
    let other = compose_telegram(&p, "Pour d'autres", &["--action", "BERLIN"]);
    let inbox = json(&run(&p, &["--json", "inbox"]));
    let ids: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            immediat.as_str(),
            routine.as_str(),
            info.as_str(),
            other.as_str()
        ]
    );
    assert_eq!(inbox["counts"]["action"], 2);
    assert_eq!(inbox["counts"]["info"], 1);
    let action_only = json(&run(&p, &["--json", "inbox", "--route", "action"]));
    assert_eq!(action_only["items"].as_array().unwrap().len(), 2);
}

#[test]
fn lists_accept_commas_and_repetition() {
    let p = profile();
    let id = compose_telegram(
        &p,
        "Listes",
        &[
            "--action",
            "BERLIN,MADRID",
            "--action",
            "ROME",
            "--tags",
            "POL,de",
            "--tags",
            "ECON",
            "--info",
            "person:Bob Martin",
        ],
    );
    let shown = json(&run(&p, &["--json", "show", &id]));
    let t = &shown["item"]["content"];
    assert_eq!(t["action"].as_array().unwrap().len(), 3);
    assert_eq!(t["tags"], serde_json::json!(["POL", "DE", "ECON"]));
    assert_eq!(t["info"][0]["person"], "Bob Martin");
}

#[test]
fn notes_and_emails_are_composed_with_their_formulas_and_headers() {
    let p = profile();
    let note = ok(&run(
        &p,
        &[
            "compose",
            "note",
            "--subject",
            "Demande de visa",
            "--to-institution",
            "Ministère fédéral des Affaires étrangères",
            "--mission",
            "L'Ambassade de France en Allemagne",
            "--place",
            "Berlin",
            "--body",
            "de solliciter un visa.",
            "--action",
            "DIPLOMATIE/DUE",
        ],
    ));
    let shown = json(&run(&p, &["--json", "show", note.trim()]));
    let n = &shown["item"]["content"];
    assert!(
        n["opening"]
            .as_str()
            .unwrap()
            .contains("présente ses compliments")
    );
    assert!(
        n["closing"]
            .as_str()
            .unwrap()
            .contains("haute considération")
    );
    let email = ok(&run(
        &p,
        &[
            "compose",
            "email",
            "--subject",
            "Réunion",
            "--to",
            "bob@quai.example",
            "--cc",
            "alice@diplomatie.gouv.example",
            "--body",
            "Bonjour",
        ],
    ));
    let shown = json(&run(&p, &["--json", "show", email.trim()]));
    assert_eq!(shown["route"], "info");
    assert!(
        shown["item"]["content"]["message_id"]
            .as_str()
            .unwrap()
            .contains('@')
    );
}

#[test]
fn show_accepts_a_unique_prefix_and_marks_read() {
    let p = profile();
    let id = compose_telegram(&p, "Préfixe", &["--action", "DIPLOMATIE/DUE"]);
    let before = json(&run(&p, &["--json", "inbox", "--unread"]));
    assert_eq!(before["items"].as_array().unwrap().len(), 1);
    let shown = json(&run(&p, &["--json", "show", &id[..20]]));
    assert_eq!(shown["item"]["id"], id);
    let after = json(&run(&p, &["--json", "inbox", "--unread"]));
    assert_eq!(after["items"].as_array().unwrap().len(), 0);
    let out = run(&p, &["show", "ffffffff"]);
    assert!(stderr(&out).contains("no item matches"), "{}", stderr(&out));
}

#[test]
fn search_ignores_accents_and_case_and_supports_phrases_and_prefixes() {
    let p = profile();
    let body = "Le télégramme évoque les élections régionales en Bavière.";
    let id = compose_telegram(
        &p,
        "Télégramme sur les Élections",
        &["--action", "BERLIN", "--body", body, "--tags", "POL"],
    );
    compose_telegram(
        &p,
        "Énergie",
        &["--action", "BERLIN", "--body", "Le gazoduc et les régions."],
    );
    for q in [
        "telegramme",
        "ELECTIONS",
        "baviere",
        "élect*",
        "\"elections regionales\"",
    ] {
        let hits = json(&run(&p, &["--json", "search", q]));
        let ids: Vec<&str> = hits
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["summary"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![id.as_str()], "query {q}");
    }
    let none = json(&run(&p, &["--json", "search", "\"regionales elections\""]));
    assert_eq!(none.as_array().unwrap().len(), 0);
    let text = ok(&run(&p, &["search", "baviere"]));
    assert!(text.contains("[Bavière]"), "{text}");
    let filtered = json(&run(&p, &["--json", "search", "le", "--kind", "note"]));
    assert_eq!(filtered.as_array().unwrap().len(), 0);
}

#[test]
fn import_reports_each_file_and_skips_duplicates() {
    let p = profile();
    let dir = p.dir.parent().unwrap().to_owned();
    let good = dir.join("good.eml");
    let cc = dir.join("cc.eml");
    let bad = dir.join("bad.eml");
    std::fs::write(
        &good,
        eml(
            "g1@quai.example",
            "Alice <alice@diplomatie.gouv.example>",
            "carol@quai.example",
            "=?UTF-8?Q?R=C3=A9union_de_coordination?=",
            "a",
        ),
    )
    .unwrap();
    std::fs::write(
        &cc,
        eml(
            "g2@quai.example",
            "carol@quai.example",
            "alice@diplomatie.gouv.example",
            "Copie",
            "b",
        ),
    )
    .unwrap();
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    let args = [
        "--json",
        "import-eml",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
        cc.to_str().unwrap(),
        good.to_str().unwrap(),
    ];
    let out = run(&p, &args);
    assert!(
        !out.status.success(),
        "a failed file makes the batch exit non-zero"
    );
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap();
    let status: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, vec!["imported", "failed", "imported", "duplicate"]);
    assert_eq!(reports[0]["id"], reports[3]["id"]);
    let inbox = json(&run(&p, &["--json", "inbox"]));
    assert_eq!(inbox["counts"]["action"], 1);
    assert_eq!(inbox["counts"]["info"], 1);
    assert_eq!(inbox["items"][0]["subject"], "Réunion de coordination");
}

#[test]
fn export_then_reimport_is_recognised_as_the_same_message() {
    let p = profile();
    let dir = p.dir.parent().unwrap().to_owned();
    let good = dir.join("good.eml");
    std::fs::write(
        &good,
        eml(
            "x1@quai.example",
            "alice@diplomatie.gouv.example",
            "",
            "Export",
            "contenu",
        ),
    )
    .unwrap();
    let reports = json(&run(&p, &["--json", "import-eml", good.to_str().unwrap()]));
    let id = reports[0]["id"].as_str().unwrap().to_owned();
    let out = dir.join("out.eml");
    ok(&run(
        &p,
        &[
            "export",
            &id,
            "--format",
            "eml",
            "-o",
            out.to_str().unwrap(),
        ],
    ));
    let again = json(&run(&p, &["--json", "import-eml", out.to_str().unwrap()]));
    assert_eq!(again[0]["status"], "duplicate");
    let exported = json(&run(&p, &["export", &id, "--format", "json"]));
    assert_eq!(exported["content"]["subject"], "Export");
    let audit = json(&run(&p, &["--json", "audit", "--item", &id]));
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"item_imported") && actions.contains(&"item_exported"),
        "{actions:?}"
    );
}

#[test]
fn passwd_keeps_everything_and_only_the_new_passphrase_opens() {
    let p = profile();
    let id = compose_telegram(&p, "Conservé", &["--action", "BERLIN"]);
    let new = "une toute nouvelle phrase de passe";
    ok(&cli::diplo(
        Path::new(env!("CARGO_BIN_EXE_diplo")),
        &p.dir,
        &[
            ("DIPLOMATIE_PASSPHRASE", PASS),
            ("DIPLOMATIE_NEW_PASSPHRASE", new),
        ],
        &["passwd"],
    ));
    assert_eq!(run(&p, &["inbox"]).status.code(), Some(3));
    let shown = json(&diplo(&p.dir, Some(new), &["--json", "show", &id]));
    assert_eq!(shown["item"]["content"]["subject"], "Conservé");
}

#[test]
fn init_refuses_a_short_passphrase_and_an_existing_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let out = diplo(&dir, Some("court"), &["init", "--name", "A", "--org", "B"]);
    assert!(stderr(&out).contains("too short"), "{}", stderr(&out));
    let p = profile();
    let out = run(
        &p,
        &[
            "init",
            "--name",
            "A",
            "--org",
            "B",
            "--kdf-cost",
            "m=8192,t=1",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already"), "{}", stderr(&out));
}

#[test]
fn demo_fills_the_profile_with_all_three_kinds() {
    let p = profile();
    let out = json(&run(&p, &["--json", "demo", "--items", "500"]));
    assert_eq!(out["items"], 500);
    for kind in ["telegram", "note", "email"] {
        let inbox = json(&run(
            &p,
            &["--json", "inbox", "--kind", kind, "--limit", "1"],
        ));
        assert_eq!(inbox["items"].as_array().unwrap().len(), 1, "{kind}");
    }
    let inbox = json(&run(&p, &["--json", "inbox"]));
    let c = &inbox["counts"];
    let total = c["action"].as_u64().unwrap()
        + c["info"].as_u64().unwrap()
        + c["unrouted"].as_u64().unwrap();
    assert_eq!(total, 500);
    assert!(c["action"].as_u64().unwrap() > 50);
}

fn person(name: &str) -> Profile {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    ok(&diplo(
        &dir,
        Some(PASS),
        &[
            "init",
            "--name",
            name,
            "--org",
            "BERLIN",
            "--kdf-cost",
            "m=8192,t=1",
        ],
    ));
    Profile { _tmp: tmp, dir }
}

const EXCHANGE: &str = "la phrase du dossier de Berlin";

/// Joins everyone to one exchange folder (the first sets it up), each adding the others' cards
/// (`diplo identity`, `diplo contact add`): colleagues who name each other in circuits.
fn join(folder: &Path, people: &[&Profile]) {
    for p in people {
        for other in people {
            if p.dir != other.dir {
                let identity = ok(&run(other, &["identity"]));
                let card = identity.lines().last().unwrap();
                ok(&run(p, &["contact", "add", card]));
            }
        }
        ok(&cli::diplo(
            Path::new(env!("CARGO_BIN_EXE_diplo")),
            &p.dir,
            &[
                ("DIPLOMATIE_PASSPHRASE", PASS),
                ("DIPLOMATIE_EXCHANGE_PASSPHRASE", EXCHANGE),
            ],
            &[
                "exchange",
                "join",
                folder.to_str().unwrap(),
                "--kdf-cost",
                "m=8192,t=1",
            ],
        ));
    }
}

/// Publishes `id` from `from` and collects it in `to`, through their exchange folder.
fn carry(from: &Profile, to: &Profile, id: &str) -> Value {
    ok(&run(from, &["exchange", "publish", id]));
    let report = json(&run(to, &["--json", "exchange", "collect"]));
    assert_eq!(report["errors"], serde_json::json!([]));
    // Several replicas' copies may bring news of the draft: what they brought together.
    let mine: Vec<&Value> = report["received"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .collect();
    let any = |key: &str| mine.iter().any(|r| r[key] == true);
    serde_json::json!({
        "created": any("created"),
        "now_my_turn": any("now_my_turn"),
        "released": mine.iter().map(|r| r["released"].clone()).find(|r| !r.is_null()),
    })
}

#[test]
fn a_draft_goes_from_drafter_to_clearer_to_approver_and_is_released_numbered_and_signed() {
    let (alice, bruno, dora) = (person("Alice"), person("Bruno"), person("Dora"));
    let folder = tempfile::tempdir().unwrap();
    join(folder.path(), &[&alice, &bruno, &dora]);
    let created = json(&run(
        &alice,
        &[
            "--json",
            "draft",
            "new",
            "--kind",
            "telegram",
            "--subject",
            "Visite du ministre",
            "--origin",
            "BERLIN",
            "--approver",
            "Dora",
            "--clearer",
            "Bruno",
            "--action",
            "DFAE",
            "--paragraph",
            "Le ministre viendra lundi.",
        ],
    ));
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["stage"], "draft");
    assert_eq!(
        created["view"]["paragraphs"][0]["text"],
        "Le ministre viendra lundi."
    );

    // Only the drafter submits; the refusal says who may.
    carry(&alice, &bruno, &id);
    let refused = run(&bruno, &["draft", "submit", &id]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("only the drafter may submit"),
        "{}",
        stderr(&refused)
    );

    let submitted = json(&run(&alice, &["--json", "draft", "submit", &id]));
    assert_eq!(submitted["stage"], "in_clearance");
    let received = carry(&alice, &bruno, &id);
    assert_eq!(received["now_my_turn"], true);
    // A rejection needs a comment; a clearance takes one.
    ok(&run(
        &bruno,
        &["reject", &id, "--comment", "Préciser l'heure"],
    ));
    carry(&bruno, &alice, &id);
    ok(&run(&alice, &["draft", "add", &id, "Arrivée à 10 h."]));
    ok(&run(&alice, &["draft", "submit", &id]));
    carry(&alice, &bruno, &id);
    let cleared = json(&run(&bruno, &["--json", "clear", &id, "--comment", "Bon"]));
    assert_eq!(cleared["stage"], "ready_for_approval");
    let nothing = run(&bruno, &["history", &id, "--since-my-clearance"]);
    assert!(
        stderr(&nothing).contains("nothing to review again"),
        "{}",
        stderr(&nothing)
    );
    // Alice edits after Bruno's clearance: it is reset, and he sees what changed.
    carry(&bruno, &alice, &id);
    ok(&run(
        &alice,
        &[
            "draft",
            "set",
            &id,
            "subject",
            "Visite du ministre à Berlin",
        ],
    ));
    carry(&alice, &bruno, &id);
    let reset = json(&run(&bruno, &["--json", "draft", "show", &id]));
    assert_eq!(reset["stage"], "in_clearance");
    assert_eq!(reset["clearers"][0]["verdict"], "pending");
    let changes = ok(&run(&bruno, &["history", &id, "--since-my-clearance"]));
    assert!(
        changes.contains("subject: Visite du ministre[+ à Berlin+]"),
        "{changes}"
    );
    ok(&run(&bruno, &["clear", &id]));

    // History: two rounds, and what changed between them.
    let history = json(&run(&bruno, &["--json", "history", &id]));
    let labels: Vec<_> = history["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["label"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(labels, ["round 1", "round 2"]);
    let diff = ok(&run(&bruno, &["history", &id, "--diff", "1", "2"]));
    assert!(diff.contains("+ [+Arrivée à 10 h.+]"), "{diff}");

    // Dora approves and releases with the post's register.
    carry(&bruno, &dora, &id);
    ok(&run(&dora, &["approve", &id]));
    let register = dora.dir.with_file_name("register.json");
    let released = json(&run(
        &dora,
        &[
            "--json",
            "release",
            &id,
            "--register",
            register.to_str().unwrap(),
        ],
    ));
    let year = time::OffsetDateTime::now_utc().year();
    assert_eq!(released["number"], format!("BERLIN {year}-0001"));
    assert_eq!(released["provisional"], false);
    let item = released["item"].as_str().unwrap().to_owned();

    // Alice receives the release and verifies it.
    let received = carry(&dora, &alice, &id);
    assert_eq!(received["released"], item.as_str());
    let verified = json(&run(&alice, &["--json", "verify", &item]));
    assert_eq!(verified["number"], format!("BERLIN {year}-0001"));
    assert_eq!(verified["approver"], "Dora");
    assert_eq!(verified["clearers"], serde_json::json!(["Bruno"]));
    // The seal names the signer as Alice knows her: a contact, not verified yet…
    assert_eq!(verified["seal"]["signer"], "contact");
    assert_eq!(verified["seal"]["name"], "Dora");
    assert_eq!(verified["seal"]["verified"], false);
    let dora_identity = json(&run(&dora, &["--json", "identity"]))["identity"].clone();
    assert_eq!(verified["signer_identity"], dora_identity);
    // …then verified once they compared safety numbers.
    let digits = ok(&run(&alice, &["contact", "safety-number", "Dora"]));
    let digits = digits.lines().last().unwrap();
    ok(&run(
        &alice,
        &["contact", "verify", "Dora", "--safety-number", digits],
    ));
    let seal = ok(&run(&alice, &["verify", &item]));
    assert!(
        seal.contains("Dora, contact vérifié / verified contact"),
        "{seal}"
    );
    let own = ok(&run(&dora, &["verify", &item]));
    assert!(own.contains("signée par vous / signed by you"), "{own}");
    let shown = ok(&run(&alice, &["show", &item]));
    assert!(shown.contains(&format!("BERLIN {year}-0001")), "{shown}");
    // A correction is a new draft that references the released text.
    let correction = json(&run(&alice, &["--json", "draft", "correct", &item]));
    assert_ne!(correction["id"], id.as_str());
    assert_eq!(
        correction["view"]["fields"]["references"],
        serde_json::json!([format!("TD BERLIN {year}-0001")])
    );
}

#[test]
fn an_offline_release_is_provisional_and_a_file_that_is_not_a_record_is_refused() {
    let (alice, dora) = (person("Alice"), person("Dora"));
    let folder = tempfile::tempdir().unwrap();
    join(folder.path(), &[&alice, &dora]);
    let created = json(&run(
        &alice,
        &[
            "--json",
            "draft",
            "new",
            "--kind",
            "telegram",
            "--subject",
            "Objet",
            "--origin",
            "PARIS",
            "--approver",
            "Dora",
            "--action",
            "DFAE",
            "--paragraph",
            "Texte.",
        ],
    ));
    let id = created["id"].as_str().unwrap().to_owned();
    ok(&run(&alice, &["draft", "submit", &id]));
    carry(&alice, &dora, &id);
    ok(&run(&dora, &["approve", &id]));
    // No register and no block: a provisional number, and the user is told.
    let out = ok(&run(&dora, &["release", &id]));
    assert!(out.contains("Provisional number"), "{out}");
    // The record, as it travels in the draft, checked without a profile.
    let state = json(&run(&dora, &["--json", "draft", "show", &id]));
    assert_eq!(state["stage"], "released");
    let history = json(&run(&dora, &["--json", "history", &id]));
    assert_eq!(
        history["log"].as_array().unwrap().last().unwrap()["step"],
        "release"
    );
    let file = dora.dir.with_file_name("record.bin");
    let item = state["release"]["item"].as_str().unwrap();
    let record = {
        let stdout = ok(&run(&dora, &["--json", "verify", item]));
        assert!(stdout.contains("\"provisional\": true"), "{stdout}");
        let copy = std::fs::read_dir(folder.path().join(&id))
            .unwrap()
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "draft"))
            .unwrap()
            .path();
        std::fs::read(copy).unwrap()
    };
    // Back online, the provisional number becomes final.
    let register = dora.dir.with_file_name("register.json");
    let settled = json(&run(
        &dora,
        &[
            "--json",
            "numbers",
            "settle",
            "--register",
            register.to_str().unwrap(),
        ],
    ));
    let year = time::OffsetDateTime::now_utc().year();
    assert_eq!(settled[0]["number"], format!("PARIS {year}-0001"));
    let verified = json(&run(&dora, &["--json", "verify", item]));
    assert_eq!(verified["provisional"], false);
    assert_eq!(verified["number"], format!("PARIS {year}-0001"));
    // A sealed copy from the exchange folder is not a record: refused clearly.
    std::fs::write(&file, &record).unwrap();
    let out = diplo(
        &dora.dir,
        None,
        &["verify", "--file", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a released record"),
        "{}",
        stderr(&out)
    );
}

/// The one line a failure prints: `diplo: error: …`, nothing else on stderr.
fn one_error_line(out: &Output, code: i32) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("diplo: error: "), "{err}");
    err.trim_end().to_owned()
}

#[test]
fn usage_errors_are_one_line_that_names_the_help_to_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    for (args, expected) in [
        (
            &["inbox", "--bogus"][..],
            "diplo: error: unexpected argument '--bogus': see `diplo inbox --help`",
        ),
        (
            &["compose", "telegram", "--action", "BERLIN"][..],
            "diplo: error: missing '--subject <SUBJECT>': see `diplo compose telegram --help`",
        ),
        (
            &["export", "0193", "--format", "pdf"][..],
            "diplo: error: invalid value 'pdf' for '--format <FORMAT>': unknown export format 'pdf': use json or eml: see `diplo export --help`",
        ),
        (
            &["demo", "--items", "abc"][..],
            "diplo: error: invalid value 'abc' for '--items <ITEMS>': give a whole number: see `diplo demo --help`",
        ),
        (
            &["inbx"][..],
            "diplo: error: unknown command 'inbx' (did you mean 'inbox'?): see `diplo --help`",
        ),
        (
            &["compose"][..],
            "diplo: error: a command is missing: see `diplo compose --help`",
        ),
    ] {
        let out = diplo(&dir, Some(PASS), args);
        assert_eq!(one_error_line(&out, 2), expected, "{args:?}");
    }
    // An argument that is not UTF-8.
    let out = Command::new(env!("CARGO_BIN_EXE_diplo"))
        .arg("--profile")
        .arg(&dir)
        .arg("show")
        .arg(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"\xff\xfe"))
        .env("DIPLOMATIE_PASSPHRASE", PASS)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let line = one_error_line(&out, 2);
    assert!(line.contains("not valid UTF-8"), "{line}");
    assert!(line.ends_with("see `diplo show --help`"), "{line}");
    assert!(!dir.exists(), "a usage error creates nothing");
    // Help and version still print as usual.
    for args in [
        &["--help"][..],
        &["inbox", "--help"][..],
        &["--version"][..],
    ] {
        let out = diplo(&dir, None, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{args:?}: {}", stderr(&out));
        assert!(ok(&out).lines().count() >= 1, "{args:?}");
    }
    assert!(ok(&diplo(&dir, None, &["inbox", "--help"])).contains("Usage: diplo inbox"));
}

#[test]
fn a_profile_that_is_a_file_is_refused_in_one_line_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("afile");
    std::fs::write(&file, "précieux").unwrap();
    let expected = format!(
        "diplo: error: {} is a file, not a profile folder: give a folder with --profile",
        file.display()
    );
    let init = [
        "init",
        "--name",
        "A",
        "--org",
        "B",
        "--kdf-cost",
        "m=8192,t=1",
    ];
    for args in [&["inbox"][..], &init[..]] {
        let out = diplo(&file, Some(PASS), args);
        assert_eq!(one_error_line(&out, 2), expected, "{args:?}");
    }
    // A path under the file names the file.
    let out = diplo(&file.join("sub"), Some(PASS), &init);
    assert_eq!(one_error_line(&out, 2), expected);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "précieux");
    let out = diplo(Path::new("/dev/null"), Some(PASS), &init);
    assert_eq!(
        one_error_line(&out, 2),
        "diplo: error: /dev/null is a file, not a profile folder: give a folder with --profile"
    );
}

#[test]
fn a_profile_is_made_only_in_an_empty_folder_and_an_interrupted_one_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let busy = tmp.path().join("Documents");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("rapport.odt"), "à garder").unwrap();
    let init = [
        "init",
        "--name",
        "A",
        "--org",
        "B",
        "--kdf-cost",
        "m=8192,t=1",
    ];
    let out = diplo(&busy, Some(PASS), &init);
    let line = one_error_line(&out, 2);
    assert!(line.contains("is not empty and holds no profile"), "{line}");
    let names: Vec<_> = std::fs::read_dir(&busy)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["rapport.odt"], "nothing added");
    // A profile whose key file was never written (creation cut short): said, exit 5.
    let cut = tmp.path().join("cut");
    let out = diplo(&cut, Some(PASS), &init);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::remove_file(cut.join("profile.key")).unwrap();
    let out = diplo(&cut, Some(PASS), &["inbox"]);
    let line = one_error_line(&out, 5);
    assert!(line.contains("no profile.key"), "{line}");
    let out = diplo(&cut, Some(PASS), &init);
    assert!(one_error_line(&out, 5).contains("no profile.key"));
    assert!(cut.join("store.db").exists(), "nothing wiped");
}

#[test]
fn email_headers_attachments_and_refusals() {
    let p = profile();
    let dir = p.dir.parent().unwrap().to_owned();
    let pdf = dir.join("Compte rendu.PDF");
    std::fs::write(&pdf, b"%PDF-1.4 compte rendu").unwrap();
    let odt = dir.join("annexe.odt");
    std::fs::write(&odt, b"odt").unwrap();
    let base = [
        "compose",
        "email",
        "--subject",
        "Réponse",
        "--to",
        "bob@quai.example",
        "--body",
        "Bonjour",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        run(&p, &args)
    };
    let id = ok(&with(&[
        "--date",
        "2026-12-01 18:00",
        "--message-id",
        "<reponse.1@diplomatie.gouv.example>",
        "--in-reply-to",
        "question.2@quai.example",
        "--references",
        "debut.0@quai.example,suite.1@quai.example",
        "--references",
        "question.2@quai.example",
        "--attach",
        pdf.to_str().unwrap(),
        "--attach",
        odt.to_str().unwrap(),
    ]))
    .trim()
    .to_owned();
    let shown = json(&run(&p, &["--json", "show", &id]));
    let e = &shown["item"]["content"];
    assert_eq!(e["date"], "2026-12-01T18:00:00Z");
    assert_eq!(e["message_id"], "reponse.1@diplomatie.gouv.example");
    assert_eq!(
        e["in_reply_to"],
        serde_json::json!(["question.2@quai.example"])
    );
    assert_eq!(
        e["references"],
        serde_json::json!([
            "debut.0@quai.example",
            "suite.1@quai.example",
            "question.2@quai.example"
        ])
    );
    let attachments: Vec<(&str, &str, u64)> = e["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap(),
                a["content_type"].as_str().unwrap(),
                a["size"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        attachments,
        [
            ("Compte rendu.PDF", "application/pdf", 21),
            ("annexe.odt", "application/vnd.oasis.opendocument.text", 3)
        ]
    );
    let text = ok(&run(&p, &["show", &id]));
    assert!(text.contains("Date: 2026-12-01 18:00 +00:00"), "{text}");
    assert!(
        text.contains("In-Reply-To: <question.2@quai.example>\n"),
        "{text}"
    );
    assert!(text.contains("Pièce jointe 1: Compte rendu.PDF"), "{text}");
    let exported = ok(&run(&p, &["export", &id, "--format", "eml"]));
    assert!(exported.contains("Compte rendu.PDF"), "{exported}");
    // An offset is kept in an email's Date.
    let other = ok(&with(&["--date", "2026-12-01T18:00:00+01:00"]));
    let shown = json(&run(&p, &["--json", "show", other.trim()]));
    assert_eq!(
        shown["item"]["content"]["date"],
        "2026-12-01T18:00:00+01:00"
    );

    // Refusals, one line each, and nothing stored.
    let before = json(&run(&p, &["--json", "inbox"]))["items"]
        .as_array()
        .unwrap()
        .len();
    let missing = dir.join("absent.pdf");
    let line = one_error_line(&with(&["--attach", missing.to_str().unwrap()]), 1);
    assert!(
        line.contains(&format!("cannot read the attachment {}", missing.display())),
        "{line}"
    );
    let line = one_error_line(
        &with(&["--message-id", "reponse.1@diplomatie.gouv.example"]),
        1,
    );
    assert!(line.contains("already stored"), "{line}");
    let line = one_error_line(&with(&["--message-id", "pas un identifiant"]), 1);
    assert!(line.contains("invalid Message-ID"), "{line}");
    let line = one_error_line(&with(&["--justification", "Crise"]), 2);
    assert!(line.contains("for a Flash telegram or note"), "{line}");
    let line = one_error_line(&with(&["--date", "demain"]), 1);
    assert!(line.contains("invalid date 'demain'"), "{line}");
    let after = json(&run(&p, &["--json", "inbox"]))["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, before);
    // The help says where Flash and its justification belong.
    let help = ok(&run(&p, &["compose", "email", "--help"]));
    assert!(
        help.contains("Flash is for telegrams and notes only"),
        "{help}"
    );
    assert!(
        help.contains("telegrams and notes only (an email has no justification line)"),
        "{help}"
    );
}

#[test]
fn a_note_takes_its_number_and_a_dtg_with_an_offset_is_stored_in_utc() {
    let p = profile();
    let note = ok(&run(
        &p,
        &[
            "compose",
            "note",
            "--subject",
            "Visa",
            "--to-institution",
            "Ministère fédéral des Affaires étrangères",
            "--place",
            "Berlin",
            "--body",
            "de solliciter un visa.",
            "--number",
            "DIPLOMATIE/DUE/2026/0042",
        ],
    ));
    let shown = json(&run(&p, &["--json", "show", note.trim()]));
    assert_eq!(
        shown["item"]["content"]["number"],
        serde_json::json!({"mission": "DIPLOMATIE/DUE", "year": 2026, "serial": 42})
    );
    let text = ok(&run(&p, &["show", note.trim()]));
    assert!(
        text.contains("Note verbale n° DIPLOMATIE/DUE/2026/0042"),
        "{text}"
    );
    let out = run(
        &p,
        &[
            "compose",
            "note",
            "--subject",
            "Visa",
            "--to-institution",
            "X",
            "--place",
            "Berlin",
            "--body",
            "Texte.",
            "--number",
            "0042",
        ],
    );
    assert!(one_error_line(&out, 1).contains("MISSION/YEAR/SERIAL"));

    let id = compose_telegram(
        &p,
        "Heure locale",
        &["--action", "BERLIN", "--dtg", "2026-12-01T18:00:00+02:00"],
    );
    let shown = json(&run(&p, &["--json", "show", &id]));
    assert_eq!(shown["item"]["content"]["dtg"], "2026-12-01T16:00:00Z");
    let text = ok(&run(&p, &["show", &id]));
    assert!(
        text.contains("Groupe date-heure: 2026-12-01 16:00 UTC"),
        "{text}"
    );
    // The form the domain's refusal suggests is accepted as written.
    let id = compose_telegram(
        &p,
        "Copié",
        &["--action", "BERLIN", "--dtg", "2026-12-01T16:00Z"],
    );
    let shown = json(&run(&p, &["--json", "show", &id]));
    assert_eq!(shown["item"]["content"]["dtg"], "2026-12-01T16:00:00Z");
}

#[test]
fn french_administrative_names_are_units_and_people_are_people() {
    let p = profile();
    let id = compose_telegram(
        &p,
        "Destinataires",
        &[
            "--action",
            "Ambassade de France à Berlin",
            "--action",
            "L'Ambassade de France en Allemagne",
            "--action",
            "sous-direction des affaires juridiques",
            "--action",
            "Ministère fédéral des Affaires étrangères",
            "--action",
            "DFAE",
            "--action",
            "DIPLOMATIE/DUE",
            "--action",
            "unit:Berlin",
            "--action",
            "Le Cabinet du ministre",
            "--action",
            "Les Services du Premier ministre",
            "--info",
            "Bob Martin",
            "--info",
            "Alice Lefèvre",
            "--info",
            "person:Cabinet Dupont",
            "--info",
            "Serviceman Jones",
            "--info",
            "Le Goff Marie",
        ],
    );
    let shown = json(&run(&p, &["--json", "show", &id]));
    let t = &shown["item"]["content"];
    let kinds = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_object().unwrap().keys().next().unwrap().clone())
            .collect()
    };
    assert_eq!(kinds(&t["action"]), ["unit"; 9]);
    assert_eq!(kinds(&t["info"]), ["person"; 5]);
    assert_eq!(t["info"][2]["person"], "Cabinet Dupont");
    let help = ok(&run(&p, &["compose", "telegram", "--help"]));
    assert!(help.contains("Sous-direction"), "{help}");
    assert!(help.contains("\"person:NAME\""), "{help}");
}

#[test]
fn progress_is_shown_only_on_a_terminal() {
    let p = profile();
    let out = run(&p, &["demo", "--items", "40"]);
    ok(&out);
    assert_eq!(stderr(&out), "", "no progress into a pipe");
    let dir = p.dir.parent().unwrap().to_owned();
    let good = dir.join("good.eml");
    std::fs::write(
        &good,
        eml(
            "p1@quai.example",
            "alice@diplomatie.gouv.example",
            "",
            "Progrès",
            "a",
        ),
    )
    .unwrap();
    let bad = dir.join("bad.eml");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\n").unwrap();
    let out = run(
        &p,
        &["import-eml", good.to_str().unwrap(), bad.to_str().unwrap()],
    );
    let line = one_error_line(&out, 1);
    assert!(
        line.contains("1 of 2 file(s) could not be imported"),
        "{line}"
    );
}

#[test]
fn a_corrupt_key_file_is_a_damaged_store_and_is_left_untouched() {
    let p = profile();
    compose_telegram(&p, "Conservé", &["--action", "BERLIN"]);
    std::fs::write(
        p.dir.join("profile.key"),
        b"\x00garbage, not a key file\xff",
    )
    .unwrap();
    let before = snapshot(&p.dir);
    for args in [&["inbox"][..], &["check"][..]] {
        let line = one_error_line(&run(&p, args), 4);
        assert!(line.contains("profile.key"), "{line}");
    }
    assert_eq!(snapshot(&p.dir), before);
}

/// Runs scripts/run-app.sh with stand-ins for its three programs (the relay's says where it
/// listens, then waits to be stopped); returns the output and what they were asked to do.
fn run_app(tmp: &Path, profile_dir: Option<&Path>) -> (Output, String) {
    use std::os::unix::fs::PermissionsExt;
    let release = tmp.join("target/release");
    std::fs::create_dir_all(&release).unwrap();
    let log = tmp.join("calls.log");
    for (name, label) in [("diplo", "diplo"), ("diplomatie", "app")] {
        let stub = release.join(name);
        std::fs::write(
            &stub,
            format!("#!/bin/sh\necho \"{label} $*\" >> \"$CALLS\"\n"),
        )
        .unwrap();
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let relay = release.join("diplomatie-relay");
    std::fs::write(
        &relay,
        "#!/bin/sh\necho \"relay $*\" >> \"$CALLS\"\necho \"listening on http://127.0.0.1:9\"\nexec sleep 60\n",
    )
    .unwrap();
    std::fs::set_permissions(&relay, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/run-app.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .env("CARGO_TARGET_DIR", tmp.join("target"))
        .env("XDG_DATA_HOME", tmp.join("data"))
        .env("HOME", tmp)
        .env("DISPLAY", ":99")
        .env("DEMO", "1")
        .env("DEMO_ITEMS", "3")
        .env("CALLS", &log)
        .env_remove("PROFILE_DIR")
        .stdin(Stdio::null());
    if let Some(dir) = profile_dir {
        cmd.env("PROFILE_DIR", dir);
    }
    let out = cmd.output().unwrap();
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    (out, calls)
}

#[test]
fn the_demo_script_erases_only_a_demo_profile_or_its_own_folder() {
    let tmp = tempfile::tempdir().unwrap();
    // A folder with other files is refused and kept.
    let documents = tmp.path().join("Documents");
    std::fs::create_dir(&documents).unwrap();
    std::fs::write(documents.join("thèse.odt"), "précieux").unwrap();
    std::fs::write(documents.join("profile.key"), "un fichier à moi").unwrap();
    let (out, calls) = run_app(tmp.path(), Some(&documents));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a demo profile"), "{err}");
    assert_eq!(calls, "");
    assert_eq!(
        std::fs::read_to_string(documents.join("thèse.odt")).unwrap(),
        "précieux"
    );
    // So is a file.
    let file = tmp.path().join("note.txt");
    std::fs::write(&file, "précieux").unwrap();
    let (out, calls) = run_app(tmp.path(), Some(&file));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is a file"), "{}", stderr(&out));
    assert_eq!(
        (std::fs::read_to_string(&file).unwrap(), calls),
        ("précieux".into(), String::new())
    );
    // A real profile (a profile's files, no demo mark) is refused and kept.
    let old = tmp.path().join("old-demo");
    std::fs::create_dir(&old).unwrap();
    for f in ["profile.key", "store.db", "store.db-wal"] {
        std::fs::write(old.join(f), "ancien").unwrap();
    }
    let (out, calls) = run_app(tmp.path(), Some(&old));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not a demo profile"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        (std::fs::read_dir(&old).unwrap().count(), calls),
        (3, String::new())
    );
    // A demo profile this script made starts afresh (a trailing '/' changes nothing), and the
    // new one is marked as a demo in turn.
    std::fs::write(old.join(".diplomatie-demo"), "").unwrap();
    let (out, calls) = run_app(tmp.path(), Some(&tmp.path().join("old-demo/")));
    assert!(out.status.success(), "{}", stderr(&out));
    let left: Vec<_> = std::fs::read_dir(&old)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [".diplomatie-demo"]);
    assert!(
        calls.contains(&format!("diplo --profile {} init", old.display())),
        "{calls}"
    );
    assert!(
        calls.contains("relay serve --listen 127.0.0.1:0 --data"),
        "a local relay starts beside the app: {calls}"
    );
    assert!(
        calls.contains(&format!("app --profile {}", old.display())),
        "{calls}"
    );
    // The default demo location is the script's own: emptied whatever it holds.
    let demo = tmp.path().join("data/diplomatie/demo");
    std::fs::create_dir_all(&demo).unwrap();
    std::fs::write(demo.join("reste.txt"), "x").unwrap();
    let (out, calls) = run_app(tmp.path(), None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!demo.join("reste.txt").exists());
    assert!(
        calls.contains(&format!("app --profile {}", demo.display())),
        "{calls}"
    );
}

#[test]
fn an_email_with_no_date_at_all_says_so() {
    let p = profile();
    let eml = p.dir.parent().unwrap().join("undated.eml");
    std::fs::write(
        &eml,
        "From: bruno@quai.example\r\nTo: alice@diplomatie.example\r\nMessage-ID: <undated@quai.example>\r\nSubject: Sans date\r\n\r\nCorps.\r\n",
    )
    .unwrap();
    let out = ok(&run(&p, &["import-eml", eml.to_str().unwrap(), "--json"]));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let id = report[0]["outcome"]["id"]
        .as_str()
        .or_else(|| report[0]["id"].as_str())
        .unwrap_or_else(|| panic!("{report}"))
        .to_owned();
    let shown = ok(&run(&p, &["show", &id]));
    assert!(shown.contains("Date: (no date in the message)"), "{shown}");
    assert!(!shown.contains("1970"), "{shown}");
}

/// Runs `diplo` on `p` with every trace of every crate on, and returns what it wrote to
/// standard error (the traces) after checking that it succeeded.
fn traced(p: &Profile, args: &[&str], extra_env: &[(&str, &str)]) -> (String, String) {
    let mut env = vec![("DIPLOMATIE_PASSPHRASE", PASS), ("DIPLOMATIE_LOG", "trace")];
    env.extend_from_slice(extra_env);
    let out = cli::diplo(Path::new(env!("CARGO_BIN_EXE_diplo")), &p.dir, &env, args);
    (ok(&out), stderr(&out))
}

#[test]
fn full_tracing_shows_no_subject_body_name_attachment_or_passphrase() {
    const SUBJECT: &str = "CANARYLOGSUBJ";
    const BODY: &str = "CANARYLOGBODY";
    const ADDRESSEE: &str = "CANARYLOGADDR";
    const ATTACHMENT: &str = "CANARYLOGATT";
    const DRAFT: &str = "CANARYLOGDRAFT";
    const EXCHANGE_PASS: &str = "CANARYLOGEXCHANGEPASS phrase du dossier";
    let p = profile();
    let body = p.dir.join("../body.txt");
    std::fs::write(&body, format!("(DR) Le corps {BODY} est ici.")).unwrap();
    let attachment = p.dir.join(format!("../{ATTACHMENT}.txt"));
    std::fs::write(&attachment, format!("texte {ATTACHMENT} joint")).unwrap();
    let mail = p.dir.join("../m.eml");
    std::fs::write(
        &mail,
        eml(
            "c9@quai.example",
            "alice@diplomatie.gouv.example",
            "",
            &format!("Import {SUBJECT}"),
            &format!("piece {ATTACHMENT} jointe"),
        ),
    )
    .unwrap();
    let folder = tempfile::tempdir().unwrap();

    let mut logs = String::new();
    let mut log = |(stdout, stderr): (String, String)| {
        logs.push_str(&stderr);
        stdout
    };
    let telegram = log(traced(
        &p,
        &[
            "compose",
            "telegram",
            "--subject",
            &format!("Objet {SUBJECT}"),
            "--action",
            &format!("person:{ADDRESSEE}"),
            "--marking",
            "dr",
            "--precedence",
            "flash",
            "--justification",
            "Crise en cours",
            "--body-file",
            body.to_str().unwrap(),
        ],
        &[],
    ));
    let telegram = telegram.trim().to_owned();
    log(traced(
        &p,
        &[
            "compose",
            "email",
            "--subject",
            &format!("Courriel {SUBJECT}"),
            "--to",
            &format!("{}@quai.example", ADDRESSEE.to_lowercase()),
            "--body",
            &format!("Bonjour {BODY}"),
            "--attach",
            attachment.to_str().unwrap(),
        ],
        &[],
    ));
    log(traced(&p, &["import-eml", mail.to_str().unwrap()], &[]));
    log(traced(&p, &["inbox"], &[]));
    log(traced(&p, &["search", SUBJECT], &[]));
    log(traced(&p, &["search", BODY], &[]));
    log(traced(&p, &["show", &telegram], &[]));
    log(traced(&p, &["export", &telegram, "--format", "eml"], &[]));
    let created = log(traced(
        &p,
        &[
            "--json",
            "draft",
            "new",
            "--kind",
            "telegram",
            "--subject",
            &format!("Projet {DRAFT}"),
            "--origin",
            "BERLIN",
            "--approver",
            "Alice Lefèvre",
            "--action",
            "DFAE",
            "--paragraph",
            &format!("Paragraphe {DRAFT}."),
        ],
        &[],
    ));
    let draft: Value = serde_json::from_str(&created).unwrap();
    let draft = draft["id"].as_str().unwrap().to_owned();
    log(traced(
        &p,
        &[
            "draft",
            "add",
            &draft,
            &format!("Suite {DRAFT}"),
            "--marking",
            "DR",
        ],
        &[],
    ));
    log(traced(
        &p,
        &[
            "exchange",
            "join",
            folder.path().to_str().unwrap(),
            "--kdf-cost",
            "m=8192,t=1",
        ],
        &[("DIPLOMATIE_EXCHANGE_PASSPHRASE", EXCHANGE_PASS)],
    ));
    log(traced(&p, &["draft", "set", &draft, "marking", "DR"], &[]));
    log(traced(&p, &["exchange", "publish", &draft], &[]));
    log(traced(&p, &["exchange", "collect"], &[]));
    log(traced(&p, &["draft", "submit", &draft], &[]));
    log(traced(&p, &["identity"], &[]));
    log(traced(&p, &["contact", "list"], &[]));
    log(traced(&p, &["check"], &[]));

    // The traces were on: an empty log would prove nothing.
    assert!(
        logs.lines().count() > 20,
        "expected traces with DIPLOMATIE_LOG=trace, got:\n{logs}"
    );
    for canary in [
        SUBJECT,
        BODY,
        ADDRESSEE,
        ATTACHMENT,
        DRAFT,
        PASS,
        EXCHANGE_PASS,
        "Crise en cours",
    ] {
        for variant in [canary.to_owned(), canary.to_lowercase()] {
            assert!(!logs.contains(&variant), "{variant} appears in the traces");
        }
    }
    // Nor the device's secret signing key, in hex either case or as bytes' decimal list.
    let profile = diplomatie_client::Profile::open(&p.dir, PASS).unwrap();
    let key = profile.signing_key().unwrap();
    // PKCS#8: a 16-byte header, then the 32-byte secret seed (the public key may follow).
    let seed = &key.pkcs8()[16..48];
    assert_ne!(seed, key.public_key().as_slice());
    let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
    for variant in [hex.clone(), hex.to_uppercase(), hex[..16].to_owned()] {
        assert!(
            !logs.contains(&variant),
            "the signing key appears in the traces"
        );
    }
    let decimal = format!("{}, {}, {}, {}", seed[0], seed[1], seed[2], seed[3]);
    assert!(
        !logs.contains(&decimal),
        "the signing key's bytes appear in the traces"
    );
}

/// The limits of a running process, as the kernel shows them.
#[cfg(target_os = "linux")]
fn core_limit(pid: u32) -> String {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .to_owned()
}

#[cfg(target_os = "linux")]
#[test]
fn watch_runs_the_schedule_until_stopped_with_core_dumps_off() {
    use std::io::{BufRead, BufReader};
    let (alice, bruno) = (person("Alice"), person("Bruno"));
    let folder = tempfile::tempdir().unwrap();
    join(folder.path(), &[&alice, &bruno]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_diplo"))
        .arg("--profile")
        .arg(&bruno.dir)
        .args(["--json", "exchange", "collect", "--watch"])
        .env("DIPLOMATIE_PASSPHRASE", PASS)
        .env_remove("DIPLOMATIE_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The banner comes after the limit is set.
    let mut banner = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    assert!(banner.contains("Watching the exchange folder"), "{banner}");
    let limit = core_limit(child.id());
    let fields: Vec<&str> = limit.split_whitespace().collect();
    assert_eq!(
        fields[4..6],
        ["0", "0"],
        "core dumps are off (soft and hard limit): {limit}"
    );

    // A draft Alice publishes reaches Bruno's watching profile within a few ticks.
    let created = json(&run(
        &alice,
        &[
            "--json",
            "draft",
            "new",
            "--kind",
            "telegram",
            "--subject",
            "Visite",
            "--origin",
            "BERLIN",
            "--approver",
            "Bruno",
        ],
    ));
    let id = created["id"].as_str().unwrap().to_owned();
    ok(&run(&alice, &["exchange", "publish", &id]));
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let first = BufReader::new(stdout).lines().next();
        let _ = tx.send(first);
    });
    let line = rx.recv_timeout(std::time::Duration::from_secs(30));
    if line.is_err() {
        let _ = child.kill();
    }
    let line = line.expect("a tick within 30 s").unwrap().unwrap();
    let tick: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(tick["received"][0]["id"], id.as_str(), "{tick}");
    assert_eq!(tick["received"][0]["created"], true, "{tick}");
    child.kill().unwrap();
    child.wait().unwrap();
    // Merged into Bruno's store, not only printed.
    let shown = json(&run(&bruno, &["--json", "draft", "show", &id]));
    assert_eq!(shown["view"]["fields"]["subject"], "Visite");
}

#[test]
fn init_and_passwd_say_how_strong_the_new_passphrase_is_never_what_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alice");
    let weak = "password1234";
    let init = |pass: &str| {
        diplo(
            &dir,
            Some(pass),
            &[
                "init",
                "--name",
                "Alice Lefèvre",
                "--org",
                "DIPLOMATIE/DUE",
                "--kdf-cost",
                "m=8192,t=1",
            ],
        )
    };
    let out = init(weak);
    ok(&out);
    let said = stderr(&out);
    assert!(said.contains("faible / weak"), "{said}");
    assert!(said.contains("Advice"), "{said}");
    assert!(!said.contains(weak), "{said}");

    let strong = "tortue violette mange 37 nuages";
    let out = cli::diplo(
        Path::new(env!("CARGO_BIN_EXE_diplo")),
        &dir,
        &[
            ("DIPLOMATIE_PASSPHRASE", weak),
            ("DIPLOMATIE_NEW_PASSPHRASE", strong),
        ],
        &["passwd"],
    );
    ok(&out);
    let said = stderr(&out);
    assert!(
        said.contains(": forte / strong") || said.contains(": très forte / very strong"),
        "{said}"
    );
    assert!(!said.contains("Advice"), "{said}");
    assert!(!said.contains("tortue"), "{said}");
}
