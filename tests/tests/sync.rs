#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Sync through a real relay (`diplomatie-relay serve` as a process) with the real app under
//! Xvfb and `diplo` as the other person:
//!
//! 0. Alice (the app's user) and Bruno (`diplo`) add each other's card; Bruno joins the
//!    relay with `diplo relay join`.
//! 1. Alice joins it from the settings' Network section: a token the relay does not know is
//!    refused at the token field, a fresh one from `diplomatie-relay invite` enrols the
//!    device (its key packages published); the status says "en ligne".
//! 2. Bruno makes a space, adds Alice through the relay, composes a telegram for action to
//!    Alice's unit with a canary subject, shares it in the space and syncs.
//! 3. Alice presses "Synchroniser": the telegram is in her inbox, a desktop notification was
//!    raised for it, and the Spaces screen shows the space with Bruno and this device.
//! 4. Alice makes a space of her own in the app and adds Bruno through the relay; she shares a
//!    telegram from the reader into it and syncs: Bruno's `diplo sync` joins the space and
//!    receives it.
//! 5. The relay is stopped: after the next sync attempt the status says "hors ligne", with
//!    no error shown.
//!
//! A failing test leaves a screenshot in `artifacts/e2e/`.

use anyhow::{Context, Result, ensure};
use diplomatie_e2e::{App, Session, checked, last_line, step, within};
use serde_json::Value;

const ALICE: &str = "Alice Lefèvre";
const ALICE_ORG: &str = "BERLIN";
const BRUNO: &str = "Bruno Keller";
const SPACE: &str = "Poste de Berlin";
const BRUNO_ORG: &str = "PARIS";
const CANARY: &str = "CANARI-SYNC-4e1d Entretien avec le ministre";
const ALICE_SPACE: &str = "Circuit de la réponse";
const REPLY: &str = "CANARI-PARTAGE-93ac Réponse au ministre";

async fn sync_state(app: &App) -> Result<String> {
    Ok(app
        .attr("sync-status", "data-state")
        .await?
        .unwrap_or_default())
}

/// Waits until the status shows `state` (and no sync is running).
async fn wait_state(app: &App, state: &str) -> Result<()> {
    app.wait_until(&format!("the sync status {state}"), || async {
        Ok(sync_state(app).await? == state
            && app.attr("sync-status", "data-syncing").await?.as_deref() == Some("false"))
    })
    .await
}

/// The visible texts of every alert and dialog of the page.
async fn alerts(app: &App) -> Result<Vec<String>> {
    let v = app
        .client
        .execute(
            "return [...document.querySelectorAll('[role=\"alert\"], [role=\"alertdialog\"], dialog[open]')] \
               .map(e => e.innerText.trim()).filter(t => t !== '');",
            Vec::new(),
        )
        .await?;
    Ok(v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// The value (identity key) of the contact `name` among those a space may be given.
async fn contact_option(app: &App, name: &str) -> Result<Option<String>> {
    let v = app
        .client
        .execute(
            "const o = [...document.querySelectorAll('[data-testid=\"space-add-contact\"] option')] \
               .find(o => o.textContent.startsWith(arguments[0])); return o ? o.value : null;",
            vec![Value::from(name)],
        )
        .await?;
    Ok(v.as_str().map(str::to_owned))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_item_shared_through_the_relay_reaches_the_app_which_says_when_it_is_offline()
-> Result<()> {
    let mut session = Session::start()?;
    let mut relay = session.relay()?;
    let alice = session.profile_dir();
    let bruno = session.other_profile_dir("bruno");
    session.init_profile_at(&alice, ALICE, ALICE_ORG, "alice@berlin.example")?;
    session.init_profile_at(&bruno, BRUNO, BRUNO_ORG, "bruno@paris.example")?;

    step("alice and bruno: each other's contacts; bruno joins the relay");
    let alice_card = last_line(&session.diplo_on(&alice, &["identity"])?)?;
    let bruno_card = last_line(&session.diplo_on(&bruno, &["identity"])?)?;
    session.diplo_on(&alice, &["contact", "add", &bruno_card])?;
    session.diplo_on(&bruno, &["contact", "add", &alice_card])?;
    session.diplo_on(
        &bruno,
        &["relay", "join", &relay.url, "--token", &relay.invite()?],
    )?;

    let app = session.app(&[]).await?;
    let result = within(async {
        app.unlock().await?;
        app.wait_testid("sync-status").await?;
        ensure!(
            sync_state(&app).await? == "not_joined",
            "no relay joined yet"
        );
        ensure!(
            app.text("sync-state").await?.trim() == "aucun relais",
            "the status says so"
        );

        step("alice: a token the relay does not know is refused at its field");
        app.click("nav-settings").await?;
        app.fill("settings-relay-url", &relay.url).await?;
        app.fill("settings-relay-token", "0123456789abcdef").await?;
        app.click("settings-relay-join").await?;
        app.wait_testid("settings-relay-error").await?;
        ensure!(
            app.attr("settings-relay-error", "data-field")
                .await?
                .as_deref()
                == Some("relayToken"),
            "the refusal points at the token"
        );
        let refusal = app.text("settings-relay-error").await?;
        ensure!(
            refusal.contains("refuse ce jeton"),
            "the refusal says the token: {refusal}"
        );
        ensure!(sync_state(&app).await? == "not_joined", "nothing joined");

        step("alice: joins the relay with a fresh token");
        app.fill("settings-relay-token", &relay.invite()?).await?;
        app.click("settings-relay-join").await?;
        app.wait_until("the relay joined", || async {
            Ok(app
                .attr("settings-relay-joined", "data-relay")
                .await?
                .as_deref()
                == Some(relay.url.as_str()))
        })
        .await?;
        ensure!(
            app.text("settings-relay-outcome")
                .await?
                .contains(&relay.url),
            "the enrolment is announced"
        );
        wait_state(&app, "online").await?;

        step("bruno: a space, alice added through the relay, a telegram for action shared");
        session.diplo_on(&bruno, &["space", "create", SPACE, "--kind", "unit"])?;
        session.diplo_on(&bruno, &["sync"])?;
        let added: Value = serde_json::from_str(
            &session.diplo_on(&bruno, &["--json", "space", "add", SPACE, ALICE])?,
        )?;
        ensure!(
            added["members"].as_array().map(Vec::len) == Some(2),
            "alice's device added: {added}"
        );
        let id = session
            .diplo_on(
                &bruno,
                &[
                    "compose",
                    "telegram",
                    "--subject",
                    CANARY,
                    "--action",
                    ALICE_ORG,
                    "--body",
                    "Le ministre confirme sa venue.",
                ],
            )?
            .trim()
            .to_owned();
        session.diplo_on(&bruno, &["share", &id, SPACE])?;
        let report: Value = serde_json::from_str(&session.diplo_on(&bruno, &["--json", "sync"])?)?;
        ensure!(
            report["delivered"].as_u64() >= Some(1) && report["pending"] == 0,
            "bruno's share delivered: {report}"
        );

        step("alice: Synchroniser; the telegram arrives and is notified");
        app.click("sync-now").await?;
        app.click("nav-inbox").await?;
        app.wait_until("the shared telegram in the inbox", || async {
            Ok(app.rows().await?.iter().any(|r| r.subject == CANARY))
        })
        .await?;
        let row = app
            .rows()
            .await?
            .into_iter()
            .find(|r| r.subject == CANARY)
            .context("the row")?;
        ensure!(row.id == id, "the same item: {} / {id}", row.id);
        ensure!(row.route == "action", "for action to alice: {row:?}");
        let n = session.wait_notification("for the shared telegram", |n| {
            n["body"].as_str().unwrap_or_default().contains(CANARY)
        })?;
        ensure!(
            n["summary"]
                .as_str()
                .unwrap_or_default()
                .contains("pour action"),
            "a notification for action: {n}"
        );
        wait_state(&app, "online").await?;
        ensure!(
            app.text("sync-state").await?.trim() == "en ligne",
            "the status says online"
        );
        ensure!(
            app.attr("sync-pending", "data-count").await?.as_deref() == Some("0"),
            "nothing waits to be sent"
        );
        ensure!(
            app.text("sync-last")
                .await?
                .starts_with("Dernière synchronisation"),
            "the last sync is shown"
        );

        step("alice: the space and its members");
        app.click("nav-spaces").await?;
        app.wait_testid("space-row").await?;
        // Her own space (made with her profile, this device alone) and Bruno's.
        ensure!(
            app.attrs("space-devices", "data-count").await? == ["1", "2"],
            "her own space and one of two devices"
        );
        ensure!(
            app.attrs("space-row", "data-name").await? == [ALICE, SPACE],
            "named: her own after her, Bruno's as he named it"
        );
        app.wait_css(&format!(
            "[data-testid=\"space-row\"][data-name=\"{SPACE}\"] [data-testid=\"space-open\"]"
        ))
        .await?
        .click()
        .await?;
        app.wait_until("the space's members", || async {
            Ok(app.texts("space-member-name").await?.len() == 2)
        })
        .await?;
        let members = app.texts("space-member-name").await?;
        ensure!(
            members.iter().any(|m| m.contains(BRUNO)) && members.iter().any(|m| m.contains(ALICE)),
            "bruno and alice: {members:?}"
        );
        ensure!(
            app.text("space-member-you").await?.trim() == "cet appareil",
            "this device is marked"
        );

        step("alice: a space of her own, bruno added through the relay from the app");
        app.fill("space-create-name", ALICE_SPACE).await?;
        app.select("space-create-kind", "shared").await?;
        app.click("space-create-submit").await?;
        app.wait_until("alice's space listed", || async {
            Ok(app.attrs("space-row", "data-name").await?.len() == 3)
        })
        .await?;
        let names = app.attrs("space-row", "data-name").await?;
        let ids = app.attrs("space-row", "data-id").await?;
        let space_id = names
            .iter()
            .zip(&ids)
            .find(|(n, _)| n.as_str() == ALICE_SPACE)
            .map(|(_, id)| id.clone())
            .context("alice's space")?;
        app.wait_until("alice's space opened", || async {
            Ok(app.attr("space-detail", "data-id").await?.as_deref() == Some(space_id.as_str()))
        })
        .await?;
        // The contacts to choose from are loaded once the space is shown.
        app.wait_until("bruno among the contacts to add", || async {
            Ok(contact_option(&app, BRUNO).await?.is_some())
        })
        .await?;
        let bruno_key = contact_option(&app, BRUNO)
            .await?
            .context("bruno among the contacts")?;
        app.select("space-add-contact", &bruno_key).await?;
        app.click("space-add-submit").await?;
        app.wait_until("bruno added", || async {
            Ok(!app.text("space-add-outcome").await?.trim().is_empty())
        })
        .await?;
        ensure!(
            app.texts("space-member-name").await?.len() == 2,
            "alice's space has two devices"
        );

        step("alice: shares an item from the reader; bruno receives it");
        let shared = session
            .diplo_on(
                &alice,
                &[
                    "compose",
                    "telegram",
                    "--subject",
                    REPLY,
                    "--action",
                    ALICE_ORG,
                    "--info",
                    BRUNO_ORG,
                    "--body",
                    "Le programme est confirmé.",
                ],
            )?
            .trim()
            .to_owned();
        app.click("nav-inbox").await?;
        app.wait_css(&format!("[data-testid=\"item-row\"][data-id=\"{shared}\"]"))
            .await?
            .click()
            .await?;
        app.wait_until("the reader on alice's telegram", || async {
            Ok(app.attr("reader", "data-id").await?.as_deref() == Some(shared.as_str()))
        })
        .await?;
        app.click("reader-share-open").await?;
        app.wait_testid("reader-share-space").await?;
        app.select("reader-share-space", &space_id).await?;
        app.click("reader-share-submit").await?;
        app.wait_until("the share announced", || async {
            Ok(app
                .text("reader-share-outcome")
                .await?
                .contains(ALICE_SPACE))
        })
        .await?;
        app.click("sync-now").await?;
        app.wait_until("alice's share sent", || async {
            Ok(
                app.attr("sync-pending", "data-count").await?.as_deref() == Some("0")
                    && app.attr("sync-status", "data-syncing").await?.as_deref() == Some("false"),
            )
        })
        .await?;
        let report: Value = serde_json::from_str(&session.diplo_on(&bruno, &["--json", "sync"])?)?;
        ensure!(
            report["joined"] == 1 && report["applied"].as_u64() >= Some(1),
            "bruno joins alice's space and receives: {report}"
        );
        let inbox: Value = serde_json::from_str(&session.diplo_on(&bruno, &["--json", "inbox"])?)?;
        ensure!(
            inbox["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["subject"] == REPLY)),
            "alice's telegram in bruno's inbox: {inbox}"
        );

        step("the relay stops: hors ligne after the next attempt, no error shown");
        relay.stop();
        app.click("sync-now").await?;
        wait_state(&app, "offline").await?;
        ensure!(
            app.text("sync-state").await?.trim() == "hors ligne",
            "the status says offline"
        );
        ensure!(
            app.find_all("sync-error").await?.is_empty(),
            "no sync error"
        );
        let shown = alerts(&app).await?;
        ensure!(shown.is_empty(), "no alert or dialog: {shown:?}");
        Ok(())
    })
    .await;
    checked("sync", &session, result)?;
    app.close().await
}
