#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Contacts in the real app, with the `diplo` CLI as the other people: a card given by
//! `diplo identity` added through the app's form, the safety number the app shows equal to the
//! one the other person's `diplo contact safety-number` prints, wrong digits refused with
//! nothing changed, the right ones verifying (still verified after a lock), and a key change
//! shown as such.

use anyhow::{Context, Result, ensure};
use diplomatie_e2e::{App, Session, checked, last_line, step, within};
use serde_json::Value;

const NAME: &str = "Alice Lefèvre";
const ORG: &str = "DFAE/EUROPE";
const BOB: &str = "Bruno Keller";
const BOB_ORG: &str = "AMBASSADE/BERLIN";

/// The states of the contact rows, in order.
async fn states(app: &App) -> Result<Vec<String>> {
    app.attrs("contact-row", "data-state").await
}

async fn wait_states(app: &App, expected: &[&str]) -> Result<()> {
    app.wait_until(&format!("the contacts {expected:?}"), || async {
        Ok(states(app).await? == expected)
    })
    .await
}

/// The contacts of the app's profile as `diplo contact list --json` reads them from the store.
fn stored_contacts(session: &Session) -> Result<Vec<Value>> {
    let out = session.diplo(&["--json", "contact", "list"])?;
    let v: Value = serde_json::from_str(&out)?;
    Ok(v.as_array().context("a list of contacts")?.clone())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contact_is_verified_by_safety_number_and_a_key_change_is_shown() -> Result<()> {
    let mut session = Session::start()?;
    session.init_profile(NAME, ORG, "alice@dfae.example")?;
    let bob_dir = session.other_profile_dir("bob");
    session.init_profile_at(&bob_dir, BOB, BOB_ORG, "bruno@berlin.example")?;
    let bob_card = last_line(&session.diplo_on(&bob_dir, &["identity"])?)?;
    ensure!(bob_card.starts_with("DIPLOMATIE:"), "a card: {bob_card}");
    let app = session.app(&[]).await?;
    let result = within(async {
        app.unlock().await?;

        step("contacts: my card");
        app.click("nav-contacts").await?;
        app.wait_testid("my-card-line").await?;
        let my_card = app
            .values("my-card-line")
            .await?
            .into_iter()
            .next()
            .unwrap_or_default();
        let cli_card = last_line(&session.diplo(&["identity"])?)?;
        ensure!(
            my_card == cli_card,
            "the app's card is diplo identity's: {my_card} / {cli_card}"
        );
        let width: usize = app
            .attr("my-card-qr", "data-width")
            .await?
            .unwrap_or_default()
            .parse()?;
        ensure!(width >= 21, "a QR code is drawn ({width} modules wide)");
        app.wait_testid("contacts-empty").await?;

        step("contacts: add Bob's card");
        app.fill("contact-add-line", &bob_card).await?;
        app.click("contact-add-submit").await?;
        app.wait_testid("contact-add-outcome").await?;
        ensure!(
            app.attr("contact-add-outcome", "data-outcome")
                .await?
                .as_deref()
                == Some("added"),
            "the card was added"
        );
        wait_states(&app, &["unverified"]).await?;
        ensure!(app.texts("contact-name").await? == [BOB], "Bob is listed");
        ensure!(
            app.text("contact-state").await?.trim() == "non vérifié",
            "Bob is shown as not verified"
        );

        step("contacts: the safety number is the one Bob reads");
        session.diplo_on(&bob_dir, &["contact", "add", &my_card])?;
        let bob_digits =
            last_line(&session.diplo_on(&bob_dir, &["contact", "safety-number", NAME])?)?;
        app.click_nth("contact-verify", 0).await?;
        app.wait_testid("safety-digits").await?;
        let digits = app
            .attr("safety-digits", "data-digits")
            .await?
            .unwrap_or_default();
        ensure!(
            digits == bob_digits,
            "the app shows the number Bob reads: {digits} / {bob_digits}"
        );
        ensure!(digits.split(' ').count() == 12, "twelve groups: {digits}");

        step("contacts: wrong digits");
        let wrong: String = digits
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    if c == '1' { '2' } else { '1' }
                } else {
                    c
                }
            })
            .collect();
        app.fill("safety-input", &wrong).await?;
        app.click("safety-confirm").await?;
        app.wait_testid("safety-error").await?;
        let error = app.text("safety-error").await?;
        ensure!(
            error.contains("nothing was changed"),
            "the backend's refusal is shown: {error}"
        );
        ensure!(
            states(&app).await? == ["unverified"],
            "still not verified on screen"
        );
        ensure!(
            stored_contacts(&session)?[0]["verified"] == Value::Bool(false),
            "still not verified in the store"
        );

        step("contacts: the right digits");
        app.fill("safety-input", &bob_digits).await?;
        app.click("safety-confirm").await?;
        wait_states(&app, &["verified"]).await?;
        ensure!(
            app.text("contact-state").await?.trim() == "vérifié",
            "Bob is shown as verified"
        );
        ensure!(
            app.text("contacts-status").await?.contains(BOB),
            "the verification is announced"
        );

        step("contacts: still verified after a lock");
        app.click("lock-button").await?;
        app.unlock().await?;
        app.click("nav-contacts").await?;
        wait_states(&app, &["verified"]).await?;
        let stored = stored_contacts(&session)?;
        ensure!(
            stored.len() == 1 && stored[0]["verified"] == Value::Bool(true),
            "verified in the store: {stored:?}"
        );

        step("contacts: a key change");
        let other_dir = session.other_profile_dir("bob-new-key");
        session.init_profile_at(&other_dir, BOB, BOB_ORG, "bruno@berlin.example")?;
        let other_card = last_line(&session.diplo_on(&other_dir, &["identity"])?)?;
        app.fill("contact-add-line", &other_card).await?;
        app.click("contact-add-submit").await?;
        app.wait_testid("contact-key-change-alert").await?;
        let alert = app.text("contact-key-change-alert").await?;
        ensure!(
            alert.contains("ATTENTION") && alert.contains(BOB),
            "the key change is an alert naming Bob: {alert}"
        );
        wait_states(&app, &["key_changed"]).await?;
        ensure!(
            app.text("contact-state").await?.trim().to_lowercase() == "clé changée",
            "the contact is shown as key changed"
        );
        let stored = stored_contacts(&session)?;
        ensure!(
            stored.len() == 1
                && stored[0]["verified"] == Value::Bool(false)
                && stored[0]["key_change"].is_object(),
            "not verified any more, the new key set aside: {stored:?}"
        );

        step("contacts: the safety number of the new key");
        app.click_nth("contact-verify", 0).await?;
        app.wait_testid("safety-new-key").await?;
        let new_digits = app
            .attr("safety-digits", "data-digits")
            .await?
            .unwrap_or_default();
        session.diplo_on(&other_dir, &["contact", "add", &my_card])?;
        let other_digits =
            last_line(&session.diplo_on(&other_dir, &["contact", "safety-number", NAME])?)?;
        ensure!(
            new_digits == other_digits && new_digits != bob_digits,
            "the number is the new key's: {new_digits} / {other_digits}"
        );
        Ok(())
    })
    .await;
    checked("contacts", &session, result)?;
    app.close().await
}
