#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! A second device linked to a person's identity, then revoked, with two desktop apps and a
//! relay (`diplomatie-relay serve` as a process) on one display:
//!
//! 0. Alice's profile (made with `diplo`) joined the relay, synced once, and holds a dozen
//!    telegrams.
//! 1. Her app (the first device): Réglages, Appareils, « Lier un nouvel appareil »: the code
//!    shows, with its QR code.
//! 2. A second app, on a folder with no profile: « Lier à un appareil existant »; a code that
//!    is not one is refused at its field; then the code read from the first app's screen, the
//!    device's name and the passphrase twice.
//! 3. Both apps show four words, the same; confirmed on the new device, then on the first.
//! 4. The first app says the device is linked and lists it; the second receives the whole
//!    history (its progress bar recorded by the page), then opens the app: Alice's items are
//!    in its inbox.
//! 5. The first app revokes the new device, confirmed in place: it is listed revoked.
//! 6. The second app's next sync is refused by the relay: its status says so, and `diplo sync`
//!    on its profile fails too.
//!
//! Every wait is on a condition, with room for a loaded two-core machine. A failing test leaves
//! a screenshot in `artifacts/e2e/`.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use diplomatie_e2e::{App, PASSPHRASE, Session, checked, step, within};
use serde_json::Value;

const ALICE: &str = "Alice Lefèvre";
const LABEL: &str = "Portable de test";
/// Alice's telegrams before the link: the new device must receive them all.
const ITEMS: usize = 12;
/// A step that takes key derivations and several relay round trips.
const LONG: Duration = Duration::from_secs(120);

/// The page records every state of the new device's catch-up bar from before the link, as the
/// catch-up may be over in a second.
const RECORD_PROGRESS: &str = "window.__progress = { seen: 0, max: 0 }; \
     const look = () => { \
       for (const id of ['link-catch-up-progress', 'sync-progress']) { \
         const p = document.querySelector(`[data-testid=\"${id}\"]`); \
         if (p && p.hasAttribute('max')) { window.__progress.seen += 1; \
           window.__progress.max = Math.max(window.__progress.max, Number(p.getAttribute('max')) || 0); } } }; \
     new MutationObserver(look).observe(document.body, \
       { subtree: true, childList: true, attributes: true });";

async fn words(app: &App) -> Result<Vec<String>> {
    Ok(app
        .texts("link-word")
        .await?
        .into_iter()
        .map(|w| w.trim().to_owned())
        .collect())
}

async fn wait_words(app: &App, who: &str) -> Result<Vec<String>> {
    app.wait_until_within(&format!("the four words on {who}"), LONG, || async {
        Ok(words(app).await?.len() == 4)
    })
    .await?;
    words(app).await
}

/// Waits until the flow `testid` (its `data-step`) reaches `step`; a step that failed ends the
/// wait at once with what the screen says (`error`: the test id of its alert).
async fn wait_step(app: &App, testid: &str, step: &str, failed: &str, error: &str) -> Result<()> {
    let at = || async {
        Ok::<_, anyhow::Error>(app.attr(testid, "data-step").await?.unwrap_or_default())
    };
    app.wait_until_within(&format!("{testid} at {step}"), LONG, || async {
        let seen = at().await?;
        Ok(seen == step || seen == failed)
    })
    .await?;
    if at().await? == failed {
        anyhow::bail!(
            "{testid} ended at {failed}: {}",
            app.texts(error).await?.join(" / ")
        );
    }
    Ok(())
}

/// The total of a profile's inbox, as `diplo` counts it.
fn inbox_total(session: &Session, profile: &std::path::Path) -> Result<u64> {
    let inbox: Value =
        serde_json::from_str(&session.diplo_on(profile, &["--json", "inbox", "--limit", "1"])?)?;
    let counts = &inbox["counts"];
    Ok(["action", "info", "unrouted"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap_or_default())
        .sum())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_linked_from_the_settings_receives_the_history_and_is_refused_once_revoked()
-> Result<()> {
    let mut session = Session::start()?;
    let relay = session.relay()?;
    let alice = session.profile_dir();
    let portable = session.other_profile_dir("portable");
    session.init_profile_at(&alice, ALICE, "BERLIN", "alice@berlin.example")?;
    session.diplo_on(
        &alice,
        &["relay", "join", &relay.url, "--token", &relay.invite()?],
    )?;
    for n in 1..=ITEMS {
        session.diplo_on(
            &alice,
            &[
                "compose",
                "telegram",
                "--subject",
                &format!("CANARI-LIEN-{n:02} Entretien au ministère"),
                "--action",
                "BERLIN",
                "--body",
                "Le ministre confirme sa venue.",
            ],
        )?;
    }
    // The relay learns of her own space.
    session.diplo_on(&alice, &["sync"])?;
    let items = inbox_total(&session, &alice)?;
    ensure!(items >= ITEMS as u64, "alice's items: {items}");

    // Their traces go to the session's app log (kept in artifacts/e2e/ when the test fails).
    let traces = [("DIPLOMATIE_LOG", "info")];
    let first = session.app_on(&alice, &traces).await?;
    let second = session.app_on(&portable, &traces).await?;
    let result = within(async {
        step("first device: the code to link a new device");
        first.unlock().await?;
        first.click("nav-settings").await?;
        first
            .wait_until("alice's one device listed", || async {
                Ok(first.attrs("device-row", "data-this").await? == ["true"])
            })
            .await?;
        first
            .wait_until("a relay joined: linking offered", || async {
                Ok(first.attr("link-start", "disabled").await?.is_none()
                    && first.find_all("link-start").await?.len() == 1)
            })
            .await?;
        first.click("link-start").await?;
        first
            .wait_until_within("the code shown", LONG, || async {
                Ok(first.attr("link-offer", "data-step").await?.as_deref() == Some("waiting"))
            })
            .await?;
        let code = first
            .values("link-code-line")
            .await?
            .into_iter()
            .next()
            .context("the code's line")?;
        ensure!(
            code.starts_with(&format!("DIPLOMATIE-LIEN:{}#", relay.url)),
            "a code for this relay"
        );
        let short = first.text("link-code-short").await?;
        ensure!(code.ends_with(short.trim()), "the short part ends the code");
        ensure!(
            first
                .attr("link-code-qr", "data-width")
                .await?
                .and_then(|w| w.parse::<u32>().ok())
                .is_some_and(|w| w >= 21),
            "a QR code of the code"
        );

        step("new device: a code that is not one is refused at its field");
        second.wait_screen("onboarding").await?;
        second.click("onboarding-link").await?;
        second
            .fill("link-code", "DIPLOMATIE-LIEN:pas un code")
            .await?;
        second.fill("link-label", LABEL).await?;
        second.fill("link-passphrase", PASSPHRASE).await?;
        second.fill("link-passphrase-confirm", PASSPHRASE).await?;
        second.click("link-submit").await?;
        second.wait_testid("error-linkCode").await?;
        ensure!(
            second.attr("link-code", "aria-invalid").await?.as_deref() == Some("true"),
            "the code field is marked"
        );
        ensure!(
            second.attr("link-join", "data-step").await?.as_deref() == Some("form"),
            "nothing started"
        );

        step("new device: the code read from the first device's screen");
        second.fill("link-code", &code).await?;
        second.client.execute(RECORD_PROGRESS, Vec::new()).await?;
        second.click("link-submit").await?;
        let theirs = wait_words(&second, "the new device").await?;
        let ours = wait_words(&first, "the first device").await?;
        ensure!(
            ours == theirs,
            "both screens show the same words: {ours:?} / {theirs:?}"
        );
        ensure!(
            first.text("link-words-check").await?.contains(LABEL),
            "the first device names the new one"
        );

        step("both confirm: the new device first, then the first device");
        second.click("link-words-match").await?;
        second
            .wait_until("the new device waits for the first", || async {
                Ok(second.attr("link-join", "data-step").await?.as_deref() == Some("finishing"))
            })
            .await?;
        first.click("link-words-match").await?;
        wait_step(&first, "link-offer", "done", "failed", "link-error").await?;
        let done = first.text("link-status").await?;
        ensure!(done.contains(LABEL), "the link announced: {done}");

        step("new device: the history arrives with its progress bar");
        wait_step(
            &second,
            "link-join",
            "caught",
            "unfinished",
            "link-join-error",
        )
        .await?;
        let progress = second
            .client
            .execute("return window.__progress;", Vec::new())
            .await?;
        ensure!(
            progress["seen"].as_u64().unwrap_or_default() > 0,
            "a progress bar during the catch-up: {progress}"
        );
        let max = progress["max"].as_u64().unwrap_or_default();
        eprintln!("  note: the catch-up bar counted up to {max} for {items} items");
        ensure!(
            max >= items / 2,
            "the bar counts the history: max {max} for {items} items"
        );
        second.click("link-open").await?;
        second.wait_screen("main").await?;
        second
            .wait_until("alice's items in the new device's inbox", || async {
                Ok(!second.rows().await?.is_empty())
            })
            .await?;
        let received = inbox_total(&session, &portable)?;
        ensure!(
            received >= items,
            "the whole history: {received} of {items}"
        );
        Ok(())
    })
    .await;
    checked("devices-link", &session, result)?;

    let result = within(async {
        step("first device: the new device listed, then revoked");
        first
            .wait_until("two devices listed", || async {
                Ok(first.attrs("device-row", "data-this").await? == ["true", "false"])
            })
            .await?;
        let names = first.texts("device-name").await?;
        ensure!(names[1].trim() == LABEL, "named as given: {names:?}");
        first.click("link-close").await?;
        first.click("device-revoke").await?;
        first.wait_testid("device-revoke-confirm-form").await?;
        ensure!(
            first.text("device-revoke-question").await?.contains(LABEL),
            "the question names the device"
        );
        first.click("device-revoke-confirm").await?;
        first
            .wait_until_within("the device revoked", LONG, || async {
                Ok(first.attrs("device-row", "data-revoked").await? == ["false", "true"])
            })
            .await?;
        ensure!(
            first.text("devices-status").await?.contains("révoqué"),
            "the revocation announced"
        );

        step("new device: its next sync is refused by the relay");
        second.click("sync-now").await?;
        second
            .wait_until_within("the refusal in the sync status", LONG, || async {
                Ok(
                    second.attr("sync-status", "data-state").await?.as_deref() == Some("error")
                        && second.attr("sync-status", "data-syncing").await?.as_deref()
                            == Some("false"),
                )
            })
            .await?;
        let error = second.text("sync-error").await?;
        ensure!(
            error.contains("Le relais a refusé"),
            "the status says the relay refused: {error}"
        );
        ensure!(
            session.diplo_on(&portable, &["sync"]).is_err(),
            "diplo sync on the revoked device fails too"
        );
        Ok(())
    })
    .await;
    checked("devices-revoke", &session, result)?;
    first.close().await?;
    second.close().await
}
