#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! An acknowledgement ("accusé de réception") in the real app, across two profiles of one
//! post that share an exchange folder: Alice drafts, approves and releases with `diplo`; Éric,
//! the app's user, is the telegram's addressee for action.
//!
//! 0. Alice and Éric add each other's card from `diplo identity` and join the post's
//!    exchange folder with `diplo exchange join` (a shared passphrase).
//! 1. Éric's app is open (Flash reminders every 3 s). Alice writes a Flash telegram to Éric
//!    for action (with its justification), submits, approves and releases it, and publishes
//!    it to the folder.
//! 2. Éric's app collects it: a Flash notification "pour action"; the click opens the
//!    released telegram. Opening it does not end the reminders: they go on, "non acquitté".
//! 3. Éric clicks "Accuser réception": the reader says "Accusé de réception envoyé le …" and
//!    the reminders stop.
//! 4. Alice collects the folder: `diplo acks` on her profile names Éric, an unverified
//!    contact, who acknowledged with his device.
//! 5. Alice's app: the released telegram's reader lists "Accusés de réception": Éric, contact
//!    non vérifié, and offers her nothing to acknowledge.
//!
//! A failing test leaves a screenshot in `artifacts/e2e/`.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use diplomatie_e2e::{Session, checked, last_line, step, within};
use serde_json::Value;

const ALICE: &str = "Alice Lefèvre";
const ERIC: &str = "Éric Roux";
const SUBJECT: &str = "Visite du ministre : réponse attendue";
/// The app's Flash reminder interval in this test, in seconds.
const REMINDER_SECS: u64 = 3;

fn text_of(n: &Value) -> String {
    format!(
        "{} {}",
        n["summary"].as_str().unwrap_or_default(),
        n["body"].as_str().unwrap_or_default()
    )
}

/// The notifications of the telegram so far that are reminders waiting for its
/// acknowledgement.
fn reminders(session: &Session) -> usize {
    session
        .notifications()
        .iter()
        .filter(|n| text_of(n).contains(SUBJECT) && text_of(n).contains("non acquitté"))
        .count()
}

/// Alice writes a Flash telegram to Éric for action, approves and releases it herself, and
/// publishes it to the exchange folder. Returns the released item's id (its draft's).
fn alice_releases_a_flash_to_eric(session: &Session, alice: &Path) -> Result<String> {
    let created: Value = serde_json::from_str(&session.diplo_on(
        alice,
        &[
            "--json",
            "draft",
            "new",
            "--kind",
            "telegram",
            "--subject",
            SUBJECT,
            "--origin",
            "BERLIN",
            "--approver",
            ALICE,
            "--action",
            &format!("person:{ERIC}"),
            "--paragraph",
            "Le ministre arrive demain : confirmez le programme.",
        ],
    )?)?;
    let id = created["id"]
        .as_str()
        .context("the new draft's id")?
        .to_owned();
    session.diplo_on(alice, &["draft", "set", &id, "precedence", "flash"])?;
    session.diplo_on(
        alice,
        &[
            "draft",
            "set",
            &id,
            "justification",
            "Visite ministérielle demain",
        ],
    )?;
    session.diplo_on(alice, &["draft", "submit", &id])?;
    session.diplo_on(alice, &["approve", &id])?;
    let released: Value =
        serde_json::from_str(&session.diplo_on(alice, &["--json", "release", &id])?)?;
    ensure!(released["item"] == id.as_str(), "released: {released}");
    session.diplo_on(alice, &["exchange", "publish", &id])?;
    Ok(id)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_addressee_acknowledges_a_flash_in_the_app_its_reminders_stop_and_the_drafter_sees_it()
-> Result<()> {
    let mut session = Session::start()?;
    let eric = session.profile_dir();
    let alice = session.other_profile_dir("alice");
    session.init_profile_at(&eric, ERIC, "DFAE", "eric@dfae.example")?;
    session.init_profile_at(&alice, ALICE, "BERLIN", "alice@berlin.example")?;

    step("alice and éric: each other's contacts, one exchange folder");
    let alice_card = last_line(&session.diplo_on(&alice, &["identity"])?)?;
    let eric_card = last_line(&session.diplo_on(&eric, &["identity"])?)?;
    session.diplo_on(&alice, &["contact", "add", &eric_card])?;
    session.diplo_on(&eric, &["contact", "add", &alice_card])?;
    let exchange = session.dir.path().join("exchange");
    std::fs::create_dir_all(&exchange)?;
    for profile in [&alice, &eric] {
        session.diplo_on(
            profile,
            &[
                "exchange",
                "join",
                &exchange.display().to_string(),
                "--kdf-cost",
                "m=8192,t=1",
            ],
        )?;
    }
    let eric_device: Value =
        serde_json::from_str(&session.diplo_on(&eric, &["--json", "identity"])?)?;
    let eric_device = eric_device["device"]
        .as_str()
        .context("Éric's device")?
        .to_owned();

    let interval = REMINDER_SECS.to_string();
    let app = session
        .app(&[("DIPLOMATIE_FLASH_REMINDER_SECS", interval.as_str())])
        .await?;
    let result = within(async {
        app.unlock().await?;

        step("alice (diplo) releases a Flash to éric for action");
        let item = alice_releases_a_flash_to_eric(&session, &alice)?;

        step("éric: notified, the click opens the released telegram");
        let n = session.wait_notification("the Flash for action", |n| {
            text_of(n).contains(SUBJECT) && !text_of(n).contains("rappel")
        })?;
        let summary = n["summary"].as_str().unwrap_or_default();
        ensure!(
            summary.contains("FLASH") && summary.contains("pour action"),
            "{n}"
        );
        session.click_notification(n["id"].as_u64().context("a notification id")?)?;
        app.wait_until("the reader on the released telegram", || async {
            Ok(app.attr("reader", "data-id").await?.as_deref() == Some(item.as_str()))
        })
        .await?;
        let button = app.wait_testid("reader-acknowledge").await?;
        ensure!(
            button.text().await?.contains("Accuser réception"),
            "the button says what it does"
        );

        step("éric: opened, still reminded until he acknowledges");
        let opened_with = reminders(&session);
        session.wait_notification("a reminder after the opening", |_| {
            reminders(&session) > opened_with
        })?;
        let reminder = session
            .notifications()
            .into_iter()
            .rfind(|n| text_of(n).contains("non acquitté"))
            .context("the reminder")?;
        ensure!(
            reminder["summary"]
                .as_str()
                .unwrap_or_default()
                .ends_with("(rappel : non acquitté)"),
            "{reminder}"
        );
        ensure!(reminder["urgency"] == 2, "a Flash is critical: {reminder}");

        step("éric: accuse réception");
        app.click("reader-acknowledge").await?;
        app.wait_until("the acknowledgement sent", || async {
            Ok(app
                .text("reader-acknowledged")
                .await
                .is_ok_and(|t| t.starts_with("Accusé de réception envoyé le")))
        })
        .await?;
        ensure!(
            app.find_all("reader-acknowledge").await?.is_empty(),
            "no second acknowledgement offered"
        );
        // A reminder already on its way may land; none after that.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let acknowledged_with = reminders(&session);
        tokio::time::sleep(Duration::from_secs(2 * REMINDER_SECS + 1)).await;
        ensure!(
            reminders(&session) == acknowledged_with,
            "no reminder after the acknowledgement"
        );

        step("alice (diplo) collects: éric acknowledged, with his device");
        session.diplo_on(&alice, &["exchange", "collect"])?;
        let acks = session.diplo_on(&alice, &["acks", &item])?;
        ensure!(
            acks.contains(&format!("{ERIC}, contact non vérifié / unverified contact")),
            "Alice sees Éric's acknowledgement: {acks}"
        );
        let listed: Value =
            serde_json::from_str(&session.diplo_on(&alice, &["--json", "acks", &item])?)?;
        let listed = listed.as_array().context("a list of acknowledgements")?;
        ensure!(listed.len() == 1, "one acknowledgement: {listed:?}");
        ensure!(listed[0]["name"] == ERIC, "{listed:?}");
        ensure!(
            listed[0]["device"] == eric_device.as_str(),
            "signed by Éric's device: {listed:?}"
        );
        Ok(())
    })
    .await;
    checked("acknowledgement", &session, result)?;
    app.close().await?;

    // 5. Alice's app: who acknowledged, in the reader of the released telegram.
    let app = session.app_on(&alice, &[]).await?;
    let result = within(async {
        app.unlock().await?;
        step("alice: the released telegram's acknowledgements");
        app.click("nav-drafts").await?;
        app.wait_css("[data-testid=\"draft-row\"][data-stage=\"released\"]")
            .await?
            .click()
            .await?;
        app.click("clearance-open-released").await?;
        app.wait_testid("reader-ack").await?;
        ensure!(
            app.attr("reader-ack", "data-seal").await?.as_deref() == Some("unverified"),
            "Éric is an unverified contact of Alice's"
        );
        let who = app.text("reader-ack-who").await?;
        ensure!(
            who == format!("{ERIC}, contact non vérifié"),
            "the list names Éric: {who}"
        );
        ensure!(
            app.text("reader-acks")
                .await?
                .contains("Accusés de réception"),
            "under its heading"
        );
        ensure!(
            app.find_all("reader-acknowledge").await?.is_empty(),
            "nothing for Alice to acknowledge"
        );
        Ok(())
    })
    .await;
    checked("acknowledgement_drafter", &session, result)?;
    app.close().await
}
