#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The real desktop app under Xvfb, driven through WebDriver (tauri-driver + WebKitWebDriver),
//! with the `diplo` CLI writing to the same profile and a notification server on a private
//! D-Bus. Each test has its own display, bus, profile and app. A failing test leaves a
//! screenshot in `artifacts/e2e/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use diplomatie_e2e::{App, PASSPHRASE, Session, id_of, step, within};
use serde_json::Value;

const NAME: &str = "Alice Lefèvre";
const ORG: &str = "DFAE/EUROPE";
const EMAIL: &str = "alice@dfae.example";

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/e2e");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Runs a test body; on failure saves a screenshot named after the test.
fn checked(name: &str, session: &Session, result: Result<()>) -> Result<()> {
    if result.is_err() {
        let _ = session.screenshot(&artifacts().join(format!("{name}.png")));
    }
    result
}

/// Creates a profile with the CLI, starts the app on it and unlocks it.
async fn unlocked_app(session: &mut Session, env: &[(&str, &str)]) -> Result<App> {
    session.init_profile(NAME, ORG, EMAIL)?;
    let app = session.app(env).await?;
    app.wait_screen("unlock").await?;
    app.fill("unlock-passphrase", PASSPHRASE).await?;
    app.click("unlock-submit").await?;
    app.wait_screen("main").await?;
    Ok(app)
}

/// What differs between two items composed from the same form: their ids, numbers, instants
/// and read state. Removed (at any depth) so that the rest can be compared.
fn strip_instance(v: &mut Value) {
    const INSTANCE: &[&str] = &[
        "id",
        "number",
        "dtg",
        "date",
        "created_at",
        "updated_at",
        "composed_at",
        "received_at",
        "read",
        "thread",
        "thread_id",
        "dedupe_key",
        "message_id",
    ];
    match v {
        Value::Object(map) => {
            map.retain(|k, _| !INSTANCE.contains(&k.as_str()));
            map.values_mut().for_each(strip_instance);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_instance),
        _ => {}
    }
}

/// The process id of the app running on `profile`: the one process whose program is named
/// `diplomatie` and which was started with `--profile <profile>` (a folder of its test's own
/// session, so the apps of other tests running at the same time are not mistaken for it).
fn app_pid(profile: &Path) -> Result<u32> {
    use std::os::unix::ffi::OsStrExt;
    let profile = profile.as_os_str().as_bytes();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        // A process may end while it is read: it is then not the app.
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
        let program = args
            .first()
            .map(|a| Path::new(std::ffi::OsStr::from_bytes(a)));
        if program.is_some_and(|p| p.file_name().is_some_and(|n| n == "diplomatie"))
            && args
                .windows(2)
                .any(|w| w[0] == b"--profile" && w[1] == profile)
        {
            found.push(pid);
        }
    }
    ensure!(
        found.len() == 1,
        "one app process runs on the profile, found {found:?}"
    );
    Ok(found[0])
}

/// The soft and hard core file size limits of a running process (`/proc/<pid>/limits`).
fn core_limits(pid: u32) -> Result<(String, String)> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits"))?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .context("a core file size line in /proc/<pid>/limits")?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    ensure!(fields.len() >= 6, "an unexpected limits line: {line}");
    Ok((fields[4].to_owned(), fields[5].to_owned()))
}

/// Whether process `pid` has ended (gone, or a zombie its parent has not reaped yet).
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the program's name, which is in parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_a_profile_lock_and_unlock_with_a_wrong_then_the_right_passphrase() -> Result<()> {
    let mut session = Session::start()?;
    let app = session.app(&[]).await?;
    let result = within(async {
        app.wait_screen("onboarding").await?;
        app.fill("onboarding-name", NAME).await?;
        app.fill("onboarding-org", ORG).await?;
        app.fill("onboarding-email", EMAIL).await?;
        app.fill("onboarding-passphrase", PASSPHRASE).await?;
        app.fill("onboarding-passphrase-confirm", PASSPHRASE)
            .await?;
        let strength = app.text("passphrase-strength").await?;
        ensure!(
            !strength.trim().is_empty(),
            "the strength meter says something"
        );
        app.click("onboarding-submit").await?;
        app.wait_screen("main").await?;
        ensure!(
            session.profile_dir().join("profile.key").exists(),
            "the profile was created where the app was told"
        );

        step("the running app has core dumps off");
        // The app inherits this test's limits (through tauri-driver and WebKitWebDriver):
        // only a hard limit above 0 here shows that the app lowered it itself.
        let (_, inherited) = core_limits(std::process::id())?;
        ensure!(
            inherited != "0",
            "core dumps are already off where this test runs (hard limit 0): it cannot tell \
             whether the app turns them off"
        );
        let pid = app_pid(&session.profile_dir())?;
        let limits = core_limits(pid)?;
        ensure!(
            limits == ("0".to_owned(), "0".to_owned()),
            "the unlocked app (pid {pid}) has a core file size limit of 0, soft and hard: \
             {limits:?}"
        );

        app.click("lock-button").await?;
        app.wait_screen("unlock").await?;

        app.fill("unlock-passphrase", "not the passphrase at all")
            .await?;
        app.click("unlock-submit").await?;
        app.wait_testid("unlock-error").await?;
        let error = app.text("unlock-error").await?;
        ensure!(
            !error.trim().is_empty(),
            "the wrong passphrase is explained"
        );
        ensure!(app.screen().await? == "unlock", "still locked");

        app.fill("unlock-passphrase", PASSPHRASE).await?;
        app.click("unlock-submit").await?;
        app.wait_screen("main").await?;
        Ok(())
    })
    .await;
    checked("profile_lock_unlock", &session, result)?;
    app.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn compose_for_action_lands_in_triage_order_and_info_under_information() -> Result<()> {
    let mut session = Session::start()?;
    // Two items for action already there: a Flash and a Routine.
    let app = unlocked_app(&mut session, &[]).await?;
    let flash = id_of(&session.diplo(&[
        "--json",
        "compose",
        "telegram",
        "--subject",
        "Crise consulaire à Tbilissi",
        "--action",
        ORG,
        "--precedence",
        "flash",
        "--justification",
        "Ressortissants en danger",
        "--body",
        "Point de situation.",
    ])?)?;
    let routine = id_of(&session.diplo(&[
        "--json",
        "compose",
        "telegram",
        "--subject",
        "Calendrier des réunions de décembre",
        "--action",
        ORG,
        "--body",
        "Pour mémoire.",
    ])?)?;
    let result = within(async {
        step("compose: wait for the CLI items");
        // The app notices what the CLI wrote.
        app.wait_until("the two CLI items in the action tab", || async {
            Ok(app.text("count-action").await?.trim() == "2")
        })
        .await?;

        step("compose: a refused telegram");
        // A telegram without an action addressee is refused with the domain's message.
        app.click("nav-compose").await?;
        app.select("compose-kind", "telegram").await?;
        app.fill("compose-subject", "Sans destinataire").await?;
        app.fill("compose-paragraph-0", "Texte.").await?;
        app.click("compose-submit").await?;
        app.wait_testid("error-action").await?;
        app.wait_testid("compose-errors").await?;
        ensure!(
            app.find_all("compose-review").await?.is_empty(),
            "a refused form is not offered for review"
        );

        step("compose: the Immédiat telegram");
        // Now a proper one, Immédiat, for action.
        app.fill("compose-subject", "Visite ministérielle à Berlin")
            .await?;
        app.fill("compose-action-name-0", ORG).await?;
        app.select("compose-action-kind-0", "unit").await?;
        app.select("compose-precedence", "immediat").await?;
        app.click("compose-submit").await?;
        // Reviewed before it is sent: what it is, and only then the confirmation.
        let reviewed = app.text("compose-review-precedence").await?;
        ensure!(
            reviewed.trim() == "Immédiat",
            "the review says Immédiat: {reviewed}"
        );
        ensure!(
            app.text("compose-review-subject").await?.trim() == "Visite ministérielle à Berlin",
            "the review shows the subject"
        );
        app.click("compose-confirm").await?;
        app.wait_until("the telegram filed", || async {
            Ok(app.find_all("compose-review").await?.is_empty())
        })
        .await?;

        app.click("nav-inbox").await?;
        app.click("tab-action").await?;
        app.wait_until("three items for action", || async {
            Ok(app.text("count-action").await?.trim() == "3" && app.rows().await?.len() == 3)
        })
        .await?;
        let rows = app.rows().await?;
        let subjects: Vec<&str> = rows.iter().map(|r| r.subject.as_str()).collect();
        ensure!(
            rows[0].id == flash && rows[2].id == routine,
            "Flash first, Routine last: {subjects:?}"
        );
        ensure!(
            rows[1].subject.contains("Visite ministérielle")
                && rows[1].precedence == "immediat"
                && rows[1].route == "action",
            "the new Immédiat item sits between them: {subjects:?}"
        );

        step("compose: the info telegram");
        // An item where the user is only an information addressee.
        app.click("nav-compose").await?;
        app.select("compose-kind", "telegram").await?;
        app.fill("compose-subject", "Note de situation régionale")
            .await?;
        app.fill("compose-action-name-0", "BERLIN").await?;
        app.select("compose-action-kind-0", "unit").await?;
        app.fill("compose-info-name-0", ORG).await?;
        app.select("compose-info-kind-0", "unit").await?;
        app.fill("compose-paragraph-0", "Pour votre information.")
            .await?;
        app.click("compose-submit").await?;
        app.click("compose-confirm").await?;
        app.wait_until("the telegram filed", || async {
            Ok(app.find_all("compose-review").await?.is_empty())
        })
        .await?;
        app.click("nav-inbox").await?;
        app.click("tab-info").await?;
        app.wait_until("the item under information", || async {
            let rows = app.rows().await?;
            Ok(app.text("count-info").await?.trim() == "1"
                && rows.len() == 1
                && rows[0].subject.contains("Note de situation")
                && rows[0].route == "info")
        })
        .await?;
        ensure!(
            app.text("count-action").await?.trim() == "3",
            "the info item is not counted for action"
        );

        step("compose: the same form through the CLI gives the same item");
        let from_app = app.rows().await?[0].id.clone();
        let from_cli = id_of(&session.diplo(&[
            "--json",
            "compose",
            "telegram",
            "--subject",
            "Note de situation régionale",
            "--action",
            "BERLIN",
            "--info",
            ORG,
            "--body",
            "Pour votre information.",
            // The app's form declares the interface's language unless another is chosen.
            "--lang",
            "fr",
        ])?)?;
        let stored = |id: &str| -> Result<Value> {
            let mut v: Value = serde_json::from_str(&session.diplo(&["--json", "show", id])?)?;
            strip_instance(&mut v);
            Ok(v)
        };
        let (a, c) = (stored(&from_app)?, stored(&from_cli)?);
        ensure!(
            a == c,
            "one compose service: the app's item\n{a:#}\nand the CLI's\n{c:#}\ndiffer"
        );
        Ok(())
    })
    .await;
    checked("compose_triage", &session, result)?;
    app.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_accent_free_search_finds_the_item_and_opens_it() -> Result<()> {
    let mut session = Session::start()?;
    session.init_profile(NAME, ORG, EMAIL)?;
    let target = id_of(&session.diplo(&[
        "--json",
        "compose",
        "telegram",
        "--subject",
        "Réunion à Genève sur la sécurité énergétique",
        "--action",
        ORG,
        "--body",
        "Les délégations ont évoqué l'approvisionnement en électricité.",
    ])?)?;
    session.diplo(&[
        "compose",
        "telegram",
        "--subject",
        "Programme culturel à Lyon",
        "--action",
        ORG,
        "--body",
        "Rien à voir.",
    ])?;
    let app = session.app(&[]).await?;
    let result = within(async {
        app.wait_screen("unlock").await?;
        app.fill("unlock-passphrase", PASSPHRASE).await?;
        app.click("unlock-submit").await?;
        app.wait_screen("main").await?;

        app.fill("search-input", "geneve energetique").await?;
        let hit = app.wait_css("[data-testid=\"search-result\"]").await?;
        let hits = app.find_all("search-result").await?;
        ensure!(hits.len() == 1, "one item matches, got {}", hits.len());
        ensure!(app.attr("search-result", "data-id").await?.as_deref() == Some(target.as_str()));
        ensure!(
            app.client
                .find(fantoccini::Locator::Css(
                    "[data-testid=\"search-result\"] mark"
                ))
                .await
                .is_ok(),
            "the snippet highlights the match"
        );
        hit.click().await?;
        app.wait_testid("reader").await?;
        app.wait_until("the reader shows the item", || async {
            Ok(app.attr("reader", "data-id").await?.as_deref() == Some(target.as_str()))
        })
        .await?;
        ensure!(app.text("reader-subject").await?.contains("Genève"));
        Ok(())
    })
    .await;
    checked("search", &session, result)?;
    app.close().await
}

fn eml(to: &str, cc: &str, subject: &str, id: &str) -> String {
    format!(
        "From: Bob Martin <bob@quai.example>\r\nTo: {to}\r\nCc: {cc}\r\nSubject: {subject}\r\n\
         Date: Tue, 24 Nov 2026 09:00:00 +0100\r\nMessage-ID: <{id}@quai.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nBonjour,\r\n\r\nCordialement.\r\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn importing_eml_files_shows_progress_and_a_report_with_the_bad_file() -> Result<()> {
    let mut session = Session::start()?;
    // What the next file dialog answers (debug builds only): the folder below.
    let dialog = session.dir.path().join("dialog-answer");
    let folder = session.dir.path().join("courriels");
    std::fs::write(&dialog, format!("{}\n", folder.display()))?;
    let dialog_env = dialog.display().to_string();
    let app = unlocked_app(&mut session, &[("DIPLOMATIE_TEST_DIALOG", &dialog_env)]).await?;
    std::fs::create_dir_all(&folder)?;
    std::fs::write(
        folder.join("1-action.eml"),
        eml(EMAIL, "carol@quai.example", "Demande de rendez-vous", "one"),
    )?;
    std::fs::write(
        folder.join("2-info.eml"),
        eml("carol@quai.example", EMAIL, "Copie pour information", "two"),
    )?;
    std::fs::write(
        folder.join("3-bad.eml"),
        b"ceci n'est pas un courriel\x00\xff",
    )?;
    let result = within(async {
        step("import: a path the user did not choose is refused");
        app.click("nav-import").await?;
        // A script in the page names a file itself: the backend takes only tokens of files
        // chosen in its dialog, so nothing is read.
        let forged = app
            .invoke(
                "import_eml",
                serde_json::json!({ "tokens": [folder.display().to_string()] }),
            )
            .await?;
        ensure!(
            forged.is_err(),
            "a path named by the page was read: {forged:?}"
        );
        let forged = app
            .invoke(
                "import_eml",
                serde_json::json!({ "tokens": ["0000/../../etc/passwd"] }),
            )
            .await?;
        ensure!(forged.is_err(), "a made-up token was read: {forged:?}");
        ensure!(
            session
                .diplo(&["inbox", "--json"])?
                .matches("\"id\"")
                .count()
                == 0,
            "nothing was imported by the refused calls"
        );
        step("import: the folder chosen in the dialog");
        app.click("import-pick-folder").await?;
        app.wait_testid("import-report").await?;
        app.wait_until("three report rows", || async {
            Ok(app.find_all("import-row").await?.len() == 3)
        })
        .await?;
        let statuses = app.attrs("import-row", "data-status").await?;
        ensure!(
            statuses == ["imported", "imported", "failed"],
            "per-file statuses in name order: {statuses:?}"
        );
        step("import: progress bar");
        // (Read through a script: WebKitWebDriver does not answer property reads of a
        // <progress>.)
        let progress = app
            .client
            .execute(
                "const p = document.querySelector('[data-testid=\"import-progress\"]'); \
                 return p ? [p.max, p.value] : null;",
                Vec::new(),
            )
            .await?;
        ensure!(progress == serde_json::json!([3, 3]), "progress {progress}");

        step("import: notification");
        // The email for action is notified, the one in copy is not.
        session.wait_notification("for the imported action email", |n| {
            text_of(n).contains("Demande de rendez-vous") && text_of(n).contains("pour action")
        })?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        ensure!(
            !session
                .notifications()
                .iter()
                .any(|n| text_of(n).contains("Copie pour information")),
            "an email in copy is not notified"
        );

        app.click("nav-inbox").await?;
        app.click("tab-action").await?;
        step("import: the inbox tabs");
        app.wait_until("the To email for action", || async {
            let rows = app.rows().await?;
            Ok(rows.iter().any(|r| r.subject == "Demande de rendez-vous"))
        })
        .await?;
        app.click("tab-info").await?;
        app.wait_until("the Cc email for information", || async {
            let rows = app.rows().await?;
            Ok(rows.iter().any(|r| r.subject == "Copie pour information"))
        })
        .await?;
        Ok(())
    })
    .await;
    checked("import", &session, result)?;
    app.close().await
}

fn text_of(n: &Value) -> String {
    format!("{} {}", n["summary"], n["body"])
}

#[tokio::test(flavor = "multi_thread")]
async fn action_items_are_notified_dr_ones_without_subject_and_a_click_opens_the_item() -> Result<()>
{
    let mut session = Session::start()?;
    // Every trace of every crate on: what the backend logs while it notifies and opens items
    // reaches the session's app log (its standard error), checked at the end.
    let app = unlocked_app(
        &mut session,
        &[
            ("DIPLOMATIE_FLASH_REMINDER_SECS", "3"),
            ("DIPLOMATIE_LOG", "trace"),
        ],
    )
    .await?;
    let result = within(async {
        // The CLI files an NP item for action while the app is open.
        let np = id_of(&session.diplo(&[
            "--json",
            "compose",
            "telegram",
            "--subject",
            "Alpha : préparation du sommet",
            "--action",
            ORG,
            "--precedence",
            "immediat",
            "--body",
            "Texte ordinaire.",
        ])?)?;
        let n = session.wait_notification("for the NP action item", |n| {
            text_of(n).contains("Alpha : préparation du sommet")
        })?;
        ensure!(
            n["summary"]
                .as_str()
                .unwrap_or_default()
                .contains("pour action"),
            "{n}"
        );
        ensure!(n["app_name"] == "Diplomatie");

        // A Diffusion Restreinte item: kind, precedence and "pour action" only.
        session.diplo(&[
            "compose",
            "telegram",
            "--subject",
            "Bravo confidentiel",
            "--action",
            ORG,
            "--marking",
            "dr",
            "--precedence",
            "prioritaire",
            "--body",
            "(DR) Corps protégé.",
        ])?;
        let dr = session.wait_notification("for the DR item", |n| {
            n["summary"]
                .as_str()
                .unwrap_or_default()
                .contains("Prioritaire")
        })?;
        let shown = text_of(&dr);
        ensure!(
            !shown.contains("Bravo") && !shown.contains("Corps") && !shown.contains(ORG),
            "a DR notification shows neither subject nor body: {shown}"
        );
        ensure!(
            shown.contains("pour action") && shown.contains("Télégramme"),
            "{shown}"
        );

        // An information item is not notified under the default rules.
        session.diplo(&[
            "compose",
            "telegram",
            "--subject",
            "Charlie pour information",
            "--action",
            "BERLIN",
            "--info",
            ORG,
            "--body",
            "Texte.",
        ])?;

        // Clicking the first notification brings the app to that item.
        session.click_notification(n["id"].as_u64().context("notification id")?)?;
        app.wait_testid("reader").await?;
        app.wait_until("the reader on the clicked item", || async {
            Ok(app.attr("reader", "data-id").await?.as_deref() == Some(np.as_str()))
        })
        .await?;

        // A Flash is reminded until it is opened.
        let flash = id_of(&session.diplo(&[
            "--json",
            "compose",
            "telegram",
            "--subject",
            "Delta flash",
            "--action",
            ORG,
            "--precedence",
            "flash",
            "--justification",
            "Immédiat",
            "--body",
            "Texte.",
        ])?)?;
        session.wait_notification("for the Flash", |n| {
            text_of(n).contains("Delta flash") && !text_of(n).contains("rappel")
        })?;
        let reminder = session.wait_notification("a Flash reminder", |n| {
            text_of(n).contains("Delta flash") && text_of(n).contains("rappel")
        })?;
        ensure!(reminder["urgency"] == 2, "a Flash is critical: {reminder}");
        ensure!(
            !session
                .notifications()
                .iter()
                .any(|n| text_of(n).contains("Charlie")),
            "the info item was not notified"
        );

        // Opening it stops the reminders.
        session.click_notification(reminder["id"].as_u64().context("id")?)?;
        app.wait_until("the reader on the Flash", || async {
            Ok(app.attr("reader", "data-id").await?.as_deref() == Some(flash.as_str()))
        })
        .await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let count = |s: &Session| {
            s.notifications()
                .iter()
                .filter(|n| text_of(n).contains("Delta flash"))
                .count()
        };
        let before = count(&session);
        tokio::time::sleep(Duration::from_secs(5)).await;
        ensure!(
            count(&session) == before,
            "no reminder after the Flash was opened"
        );

        step("the app's traces hold no subject, body or passphrase");
        let log = std::fs::read_to_string(session.app_log())?;
        ensure!(
            log.contains("notifying an arrival"),
            "the app's traces reach {}: {} lines",
            session.app_log().display(),
            log.lines().count()
        );
        for canary in [
            "Alpha : préparation",
            "Bravo confidentiel",
            "Corps protégé",
            "Texte ordinaire",
            "Delta flash",
            "Charlie pour information",
            PASSPHRASE,
        ] {
            ensure!(
                !log.contains(canary),
                "{canary:?} appears in the app's traces"
            );
        }
        Ok(())
    })
    .await;
    checked("notifications", &session, result)?;
    app.close().await
}

/// Screenshots of the main screens, as test artefacts (`artifacts/e2e/screens/`); the best
/// ones are copied by hand to docs/screenshots/ for the README.
#[tokio::test(flavor = "multi_thread")]
async fn screenshots_of_the_inbox_a_telegram_a_note_verbale_and_the_composer() -> Result<()> {
    let mut session = Session::start()?;
    session.init_profile(NAME, ORG, EMAIL)?;
    session.diplo(&["demo", "--items", "400"])?;
    let telegram = id_of(&session.diplo(&[
        "--json",
        "compose",
        "telegram",
        "--subject",
        "Élections régionales en Bavière : résultats et perspectives",
        "--action",
        ORG,
        "--info",
        "BERLIN,MUNICH",
        "--origin",
        "BERLIN",
        "--number",
        "BERLIN 2026-0142",
        "--precedence",
        "immediat",
        "--marking",
        "dr",
        "--tags",
        "POL,DE",
        "--summary",
        "La CSU conserve la majorité relative ; la coalition sortante est reconduite.",
        "--body",
        "(NP) Le scrutin s'est tenu dimanche dans le calme, avec une participation de 72 %.\n\n\
         (DR) Selon nos interlocuteurs à la chancellerie bavaroise, la coalition sera reconduite \
         sans changement de portefeuilles.\n\n\
         (NP) Le poste suivra la formation du gouvernement et rendra compte.",
    ])?)?;
    let note = id_of(&session.diplo(&[
        "--json",
        "compose",
        "note",
        "--subject",
        "Demande d'agrément",
        "--to-institution",
        "Ministère fédéral des Affaires étrangères",
        "--mission",
        "L'Ambassade de France",
        "--place",
        "Berlin",
        "--action",
        ORG,
        "--body",
        "de solliciter l'agrément du Gouvernement fédéral pour la nomination de M. Jean Dupont \
         en qualité de conseiller culturel.",
    ])?)?;
    let screens = artifacts().join("screens");
    std::fs::create_dir_all(&screens)?;
    let app = session.app(&[]).await?;
    let result = within(async {
        app.wait_screen("unlock").await?;
        app.fill("unlock-passphrase", PASSPHRASE).await?;
        app.click("unlock-submit").await?;
        app.wait_screen("main").await?;
        app.click("tab-action").await?;
        app.wait_until("inbox rows", || async { Ok(app.rows().await?.len() > 5) })
            .await?;
        session.screenshot(&screens.join("inbox.png"))?;

        let cases = [
            (&telegram, "telegram", "baviere perspectives"),
            (&note, "note-verbale", "agrement conseiller"),
        ];
        for (id, name, query) in cases {
            step(&format!("screenshots: search the {name}"));
            app.fill("search-input", query).await?;
            let hit = app
                .wait_css(&format!(
                    "[data-testid=\"search-result\"][data-id=\"{id}\"]"
                ))
                .await?;
            step("screenshots: open it");
            hit.click().await?;
            step("screenshots: wait for the reader");
            app.wait_until("the reader on the item", || async {
                Ok(app.attr("reader", "data-id").await?.as_deref() == Some(id))
            })
            .await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            step("screenshots: take it");
            session.screenshot(&screens.join(format!("{name}.png")))?;
            if name == "telegram" {
                for banner in ["reader-marking-top", "reader-marking-bottom"] {
                    let text = app.text(banner).await?.to_lowercase();
                    ensure!(text.contains("restreinte"), "{banner}: {text}");
                }
                let paragraphs = app.texts("reader-paragraph").await?;
                ensure!(paragraphs.len() == 3, "three numbered paragraphs");
                ensure!(
                    paragraphs[1].contains("(DR)"),
                    "portion mark: {paragraphs:?}"
                );
            }
        }

        app.click("nav-compose").await?;
        app.select("compose-kind", "telegram").await?;
        app.fill("compose-subject", "Visite du ministre à Berlin")
            .await?;
        app.fill("compose-action-name-0", "BERLIN").await?;
        app.fill(
            "compose-paragraph-0",
            "Le ministre se rendra à Berlin le 3 décembre.",
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        session.screenshot(&screens.join("composer.png"))?;
        for name in ["inbox", "telegram", "note-verbale", "composer"] {
            let size = std::fs::metadata(screens.join(format!("{name}.png")))?.len();
            ensure!(size > 10_000, "{name}.png is a real picture ({size} bytes)");
        }
        Ok(())
    })
    .await;
    checked("screenshots", &session, result)?;
    app.close().await
}

/// An email for action with one text attachment.
fn eml_with_attachment(subject: &str, name: &str, text: &str) -> String {
    format!(
        "From: Bob Martin <bob@quai.example>\r\nTo: {EMAIL}\r\nSubject: {subject}\r\n\
         Date: Tue, 24 Nov 2026 09:00:00 +0100\r\nMessage-ID: <piece-jointe@quai.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"frontiere\"\r\n\r\n\
         --frontiere\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nCi-joint le compte rendu.\r\n\
         --frontiere\r\nContent-Type: text/plain; charset=UTF-8; name=\"{name}\"\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n--frontiere--\r\n"
    )
}

/// A stand-in for the system's viewer: a directory holding an `xdg-open` (the first program
/// the app's opener tries) that opens nothing and records each path it is given, one a line,
/// in `record`. Returns the `PATH` that puts it first.
fn fake_opener(session: &Session, record: &Path) -> Result<String> {
    use std::os::unix::fs::PermissionsExt;
    let bin = session.dir.path().join("fake-opener");
    std::fs::create_dir_all(&bin)?;
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n[ \"$#\" -gt 0 ] && printf '%s\\n' \"$@\" >> '{}'\nexit 0\n",
            record.display()
        ),
    )?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    let path = std::env::var("PATH").unwrap_or_default();
    Ok(format!("{}:{path}", bin.display()))
}

/// The viewer folders (`diplomatie-viewer-*`) in a runtime directory.
fn viewer_folders(runtime: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(runtime)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("diplomatie-viewer-"))
        })
        .collect()
}

/// Waits (at most a few seconds) until no viewer folder is left in `runtime`.
async fn viewer_folders_gone(runtime: &Path) -> Result<()> {
    for _ in 0..50 {
        if viewer_folders(runtime).is_empty() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left = viewer_folders(runtime);
    ensure!(left.is_empty(), "viewer folders left: {left:?}");
    Ok(())
}

/// Opens the item `subject` (for action) and its first attachment with the reader's button;
/// returns the path the system's viewer was handed (the `opened`-th line of `record`).
async fn open_first_attachment(
    app: &App,
    subject: &str,
    record: &Path,
    opened: usize,
) -> Result<PathBuf> {
    app.click("nav-inbox").await?;
    app.click("tab-action").await?;
    app.wait_until("the email in the action tab", || async {
        Ok(app.rows().await?.iter().any(|r| r.subject == subject))
    })
    .await?;
    let id = app
        .rows()
        .await?
        .into_iter()
        .find(|r| r.subject == subject)
        .context("the email's row")?
        .id;
    app.wait_css(&format!("[data-testid=\"item-row\"][data-id=\"{id}\"]"))
        .await?
        .click()
        .await?;
    app.wait_until("the reader on the email", || async {
        Ok(app.attr("reader", "data-id").await?.as_deref() == Some(id.as_str()))
    })
    .await?;
    app.wait_testid("reader-attachment").await?;
    // The attachment's first button opens it (the second saves it).
    let clicked = app
        .client
        .execute(
            "const b = document.querySelector('[data-testid=\"reader-attachment\"] button'); \
             if (!b) return false; b.click(); return true;",
            Vec::new(),
        )
        .await?;
    ensure!(
        clicked == Value::Bool(true),
        "no button to open the attachment"
    );
    let lines = || -> Vec<String> {
        std::fs::read_to_string(record)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    };
    app.wait_until("the viewer to be handed the attachment", || async {
        Ok(lines().len() >= opened)
    })
    .await?;
    Ok(PathBuf::from(&lines()[opened - 1]))
}

/// Asks the app's window to close as a window manager does when the user clicks its close
/// button (a `WM_DELETE_WINDOW` message; there is no window manager under Xvfb): the app
/// quits the normal way.
fn close_window_as_the_user(session: &Session, pid: u32) -> Result<()> {
    const SEND_DELETE: &str = r#"
import ctypes, sys
x = ctypes.CDLL("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
x.XFlush.argtypes = [ctypes.c_void_p]
x.XCloseDisplay.argtypes = [ctypes.c_void_p]
class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
                ("message_type", ctypes.c_ulong), ("format", ctypes.c_int),
                ("data", ctypes.c_long * 5)]
class Event(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]
d = x.XOpenDisplay(None)
if not d:
    sys.exit("no display")
protocols = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
delete = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
for w in sys.argv[1:]:
    e = Event()
    e.xclient.type = 33  # ClientMessage
    e.xclient.window = int(w)
    e.xclient.message_type = protocols
    e.xclient.format = 32
    e.xclient.data[0] = delete
    if not x.XSendEvent(d, int(w), 0, 0, ctypes.byref(e)):
        sys.exit("XSendEvent failed")
x.XFlush(d)
x.XCloseDisplay(d)
"#;
    let search = std::process::Command::new("xdotool")
        .args(["search", "--onlyvisible", "--pid", &pid.to_string()])
        .env("DISPLAY", &session.display)
        .output()
        .context("run xdotool")?;
    let windows: Vec<String> = String::from_utf8(search.stdout)?
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    ensure!(!windows.is_empty(), "no window of the app (pid {pid})");
    let sent = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(SEND_DELETE)
        .args(&windows)
        .env("DISPLAY", &session.display)
        .output()
        .context("run python3")?;
    ensure!(
        sent.status.success(),
        "the close message was not sent: {}",
        String::from_utf8_lossy(&sent.stderr)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_opened_attachment_is_in_a_private_folder_emptied_on_lock_and_on_quit() -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    const SUBJECT: &str = "Compte rendu en pièce jointe";
    const TEXT: &str = "Compte rendu de la réunion du 24 novembre : rien à signaler.";
    let mut session = Session::start()?;
    session.init_profile(NAME, ORG, EMAIL)?;
    let email = session.dir.path().join("piece-jointe.eml");
    std::fs::write(
        &email,
        eml_with_attachment(SUBJECT, "compte-rendu.txt", TEXT),
    )?;
    session.diplo(&["import-eml", &email.display().to_string()])?;
    let record = session.dir.path().join("opened.txt");
    let path = fake_opener(&session, &record)?;
    let runtime = session.runtime_dir();
    let app = session.app(&[("PATH", &path)]).await?;
    let result = within(async {
        app.unlock().await?;

        step("viewer: the opened attachment is in a private folder");
        let opened = open_first_attachment(&app, SUBJECT, &record, 1).await?;
        let folders = viewer_folders(&runtime);
        ensure!(
            folders.len() == 1 && opened.starts_with(&folders[0]),
            "the viewer was handed {} , in the app's one viewer folder {folders:?}",
            opened.display()
        );
        ensure!(
            opened.file_name().is_some_and(|n| n == "compte-rendu.txt"),
            "the copy keeps the attachment's name: {}",
            opened.display()
        );
        let copy = std::fs::read_to_string(&opened)?;
        ensure!(
            copy.contains(TEXT),
            "the copy holds the attachment: {copy:?}"
        );
        let mode =
            |p: &Path| -> Result<u32> { Ok(std::fs::metadata(p)?.permissions().mode() & 0o777) };
        ensure!(mode(&opened)? == 0o600, "the copy has mode 0600");
        ensure!(
            mode(&folders[0])? == 0o700,
            "the viewer folder has mode 0700"
        );

        step("viewer: the lock empties it");
        app.click("lock-button").await?;
        app.wait_screen("unlock").await?;
        viewer_folders_gone(&runtime).await?;
        ensure!(
            !opened.exists(),
            "{} is gone after the lock",
            opened.display()
        );

        step("viewer: opened again, then the app quits");
        app.unlock().await?;
        let again = open_first_attachment(&app, SUBJECT, &record, 2).await?;
        ensure!(
            std::fs::read_to_string(&again)?.contains(TEXT),
            "the attachment is opened again after the unlock: {}",
            again.display()
        );
        let pid = app_pid(&session.profile_dir())?;
        close_window_as_the_user(&session, pid)?;
        for _ in 0..100 {
            if ended(pid) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ensure!(
            ended(pid),
            "the app (pid {pid}) quit when its window was closed"
        );
        ensure!(
            !again.exists(),
            "{} is gone after the app quit",
            again.display()
        );
        viewer_folders_gone(&runtime).await
    })
    .await;
    checked("viewer_folder", &session, result)
    // The app has quit: its WebDriver session ends with the session's processes.
}

/// An English email imported into the French interface: the reader, the search results and
/// the list declare its language on its own words, never on the interface's (RGAA 8.7); an
/// item whose language its text does not tell declares none.
#[tokio::test(flavor = "multi_thread")]
async fn an_english_email_in_the_french_interface_is_declared_english() -> Result<()> {
    let mut session = Session::start()?;
    session.init_profile(NAME, ORG, EMAIL)?;
    let minutes = session.dir.path().join("minutes.eml");
    std::fs::write(
        &minutes,
        format!(
            "From: Carol Smith <carol@un.example>\r\nTo: {EMAIL}\r\n\
             Subject: Minutes of the steering committee\r\n\
             Date: Tue, 24 Nov 2026 09:00:00 +0100\r\nMessage-ID: <minutes@un.example>\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n\
             Dear colleagues,\r\n\r\nThe committee met on Tuesday to review the draft \
             agreement. Most delegations welcomed the text, although several of them asked for \
             more time to consult their capitals before the final reading.\r\n"
        ),
    )?;
    session.diplo(&["import-eml", &minutes.display().to_string()])?;
    session.diplo(&[
        "compose",
        "telegram",
        "--subject",
        "Committee",
        "--action",
        ORG,
        "--body",
        "OK.",
    ])?;
    let app = session.app(&[]).await?;
    let result = within(async {
        app.unlock().await?;
        let page_lang = app
            .client
            .execute("return document.documentElement.lang", vec![])
            .await?;
        ensure!(page_lang == "fr", "the interface is French: {page_lang}");

        step("language: the list rows");
        app.wait_until("both items listed", || async {
            Ok(app.find_all("item-row").await?.len() == 2)
        })
        .await?;
        let mut rows = Vec::new();
        let css = "[data-testid=\"item-row\"] [data-testid=\"row-subject\"]";
        for el in app.client.find_all(fantoccini::Locator::Css(css)).await? {
            rows.push(el.attr("lang").await?.unwrap_or_default());
        }
        rows.sort();
        ensure!(
            rows == ["", "en"],
            "only the English row declares a language: {rows:?}"
        );

        step("language: the search results");
        app.fill("search-input", "committee").await?;
        app.wait_until("both results", || async {
            Ok(app.find_all("search-result").await?.len() == 2)
        })
        .await?;
        let mut declared = Vec::new();
        for css in [
            "[data-testid=\"search-result\"] .row-subject",
            "[data-testid=\"search-result\"] .snippet",
        ] {
            for el in app.client.find_all(fantoccini::Locator::Css(css)).await? {
                declared.push(el.attr("lang").await?.unwrap_or_default());
            }
        }
        declared.sort();
        ensure!(
            declared == ["", "", "en", "en"],
            "subject and snippet of the English one: {declared:?}"
        );

        step("language: the reader");
        let mut english = None;
        for hit in app.find_all("search-result").await? {
            let subject = hit.find(fantoccini::Locator::Css(".row-subject")).await?;
            if subject.attr("lang").await?.as_deref() == Some("en") {
                english = Some(hit);
            }
        }
        english.context("the English result")?.click().await?;
        app.wait_testid("reader-body").await?;
        ensure!(app.attr("reader-subject", "lang").await?.as_deref() == Some("en"));
        ensure!(app.attr("reader-body", "lang").await?.as_deref() == Some("en"));
        ensure!(
            app.attr("reader", "lang").await?.is_none(),
            "the reader's own words stay in the interface's language"
        );
        Ok(())
    })
    .await;
    checked("document_language", &session, result)?;
    app.close().await
}
