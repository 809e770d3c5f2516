#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Two desktop apps and a relay (`diplomatie-relay serve` as a process), each app on its own
//! person's profile, on one display, one bus and one notification server:
//!
//! 1. Alice and Bruno hold each other's cards and have joined the relay; they share no space
//!    (Bruno and Carole hold each other's cards too).
//!    Bruno's app syncs once (the relay learns of his own space).
//! 2. Alice composes in her app a telegram for action to Bruno: the notice above the list says
//!    it goes to him, and that a unit named beside him cannot be reached; she syncs.
//! 3. Bruno's app syncs: the telegram is in his inbox for action, and a desktop notification
//!    for action was raised for it.
//! 4. Bruno's app is closed. Carole (`diplo`) makes a space, adds Bruno through the relay and
//!    shares a few hundred items into it, and a draft submitted for Bruno's clearance. Bruno's
//!    app starts again and catches up: a progress bar shows the catch-up, then the items are in
//!    his inbox and the clearance request is notified.
//!
//! A failing test leaves a screenshot in `artifacts/e2e/`.

use anyhow::{Context, Result, ensure};
use diplomatie_e2e::{App, Session, checked, last_line, step, within};
use serde_json::Value;

const ALICE: &str = "Alice Lefèvre";
const BRUNO: &str = "Bruno Keller";
const CAROLE: &str = "Carole Weber";
const SUBJECT: &str = "CANARI-REMISE-2b7e Visite du ministre";
const SPACE: &str = "Dossier Bruxelles";
const DRAFT: &str = "Réponse au ministre";
/// How many items Carole shares while Bruno's app is closed: enough for a catch-up that lasts.
const BACKLOG: usize = 400;

async fn wait_synced(app: &App) -> Result<()> {
    app.wait_until("the sync done, nothing pending", || async {
        Ok(
            app.attr("sync-status", "data-syncing").await?.as_deref() == Some("false")
                && app.attr("sync-status", "data-state").await?.as_deref() == Some("online")
                && app.attr("sync-pending", "data-count").await?.as_deref() == Some("0"),
        )
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_item_composed_for_action_in_one_app_reaches_the_other_which_catches_up_after_a_break()
-> Result<()> {
    let mut session = Session::start()?;
    let relay = session.relay()?;
    let alice = session.profile_dir();
    let bruno = session.other_profile_dir("bruno");
    let carole = session.other_profile_dir("carole");
    session.init_profile_at(&alice, ALICE, "BERLIN", "alice@berlin.example")?;
    session.init_profile_at(&bruno, BRUNO, "PARIS", "bruno@paris.example")?;
    session.init_profile_at(&carole, CAROLE, "BRUXELLES", "carole@bruxelles.example")?;

    step("cards exchanged, the relay joined by all three");
    let cards: Vec<String> = [&alice, &bruno, &carole]
        .iter()
        .map(|p| last_line(&session.diplo_on(p, &["identity"])?))
        .collect::<Result<_>>()?;
    session.diplo_on(&alice, &["contact", "add", &cards[1]])?;
    session.diplo_on(&bruno, &["contact", "add", &cards[0]])?;
    // Carole and Bruno will share a space: each holds the other's card (a member's envelopes
    // are checked against the certificate its card holds).
    session.diplo_on(&carole, &["contact", "add", &cards[1]])?;
    session.diplo_on(&bruno, &["contact", "add", &cards[2]])?;
    for p in [&alice, &bruno, &carole] {
        session.diplo_on(
            p,
            &["relay", "join", &relay.url, "--token", &relay.invite()?],
        )?;
    }

    let alice_app = session.app_on(&alice, &[]).await?;
    let bruno_app = session.app_on(&bruno, &[]).await?;
    let result = within(async {
        alice_app.unlock().await?;
        bruno_app.unlock().await?;
        bruno_app.click("sync-now").await?;
        wait_synced(&bruno_app).await?;

        step("alice: a telegram for action to bruno, composed in her app");
        alice_app.click("nav-compose").await?;
        alice_app.select("compose-kind", "telegram").await?;
        alice_app.fill("compose-subject", SUBJECT).await?;
        alice_app.fill("compose-action-name-0", BRUNO).await?;
        alice_app.select("compose-action-kind-0", "person").await?;
        alice_app.fill("compose-info-name-0", "BRUXELLES").await?;
        alice_app.select("compose-info-kind-0", "unit").await?;
        alice_app
            .fill("compose-paragraph-0", "Le ministre confirme sa venue.")
            .await?;
        alice_app.click("compose-submit").await?;
        // Reviewed first: where it will go is known before it is sent.
        let will = alice_app.text("compose-review-delivered").await?;
        ensure!(
            will.contains(BRUNO),
            "the review says it goes to bruno: {will}"
        );
        let wont = alice_app.texts("compose-review-not-delivered").await?;
        ensure!(
            wont.len() == 1 && wont[0].contains("BRUXELLES"),
            "the review says the unit cannot be reached: {wont:?}"
        );
        alice_app.click("compose-confirm").await?;
        alice_app.wait_testid("delivery-notice").await?;
        let to = alice_app.text("delivery-to").await?;
        ensure!(to.contains(BRUNO), "the notice names bruno: {to}");
        let not = alice_app.texts("delivery-not").await?;
        ensure!(
            not.len() == 1 && not[0].contains("BRUXELLES"),
            "the unit is said unreachable: {not:?}"
        );
        alice_app.click("sync-now").await?;
        wait_synced(&alice_app).await?;

        step("bruno: the telegram arrives for action, and is notified");
        bruno_app.click("sync-now").await?;
        bruno_app
            .wait_until("alice's telegram in bruno's inbox", || async {
                Ok(bruno_app.rows().await?.iter().any(|r| r.subject == SUBJECT))
            })
            .await?;
        let row = bruno_app
            .rows()
            .await?
            .into_iter()
            .find(|r| r.subject == SUBJECT)
            .context("the row")?;
        ensure!(row.route == "action", "for action to bruno: {row:?}");
        let n = session.wait_notification("for alice's telegram", |n| {
            n["body"].as_str().unwrap_or_default().contains(SUBJECT)
        })?;
        ensure!(
            n["summary"]
                .as_str()
                .unwrap_or_default()
                .contains("pour action"),
            "a notification for action: {n}"
        );
        Ok(())
    })
    .await;
    checked("delivery", &session, result)?;
    alice_app.close().await?;
    bruno_app.close().await?;

    step("carole: a space with bruno, a backlog shared while bruno's app is closed");
    session.diplo_on(&carole, &["space", "create", SPACE, "--kind", "shared"])?;
    session.diplo_on(&carole, &["sync"])?;
    session.diplo_on(&carole, &["space", "add", SPACE, BRUNO])?;
    session.diplo_on(&carole, &["demo", "--items", &(BACKLOG * 2).to_string()])?;
    let inbox: Value = serde_json::from_str(&session.diplo_on(
        &carole,
        &[
            "--json",
            "inbox",
            "--kind",
            "telegram,note",
            "--limit",
            &BACKLOG.to_string(),
        ],
    )?)?;
    let ids: Vec<String> = inbox["items"]
        .as_array()
        .context("carole's items")?
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect();
    ensure!(ids.len() >= BACKLOG / 2, "enough items: {}", ids.len());
    let mut args: Vec<&str> = vec!["share"];
    args.extend(ids.iter().map(String::as_str));
    args.push(SPACE);
    session.diplo_on(&carole, &args)?;
    // And a draft that asks Bruno's clearance.
    let created: Value = serde_json::from_str(&session.diplo_on(
        &carole,
        &[
            "--json",
            "draft",
            "new",
            "--kind",
            "telegram",
            "--subject",
            DRAFT,
            "--origin",
            "BRUXELLES",
            "--approver",
            CAROLE,
            "--clearer",
            BRUNO,
            "--action",
            "DFAE",
            "--paragraph",
            "Projet de réponse.",
        ],
    )?)?;
    let draft = created["id"].as_str().context("the draft's id")?.to_owned();
    session.diplo_on(&carole, &["draft", "share", &draft, SPACE])?;
    session.diplo_on(&carole, &["draft", "submit", &draft])?;
    let report: Value = serde_json::from_str(&session.diplo_on(&carole, &["--json", "sync"])?)?;
    ensure!(report["pending"] == 0, "carole's backlog sent: {report}");

    step("bruno: the app starts again and catches up, with a progress bar");
    let bruno_app = session.app_on(&bruno, &[]).await?;
    let result = within(async {
        // The catch-up may be over in a second: the page records every state of its progress
        // bar from before the unlock that starts it.
        bruno_app
            .client
            .execute(
                "window.__progress = { seen: 0, max: 0 }; \
                 const look = () => { \
                   const p = document.querySelector('[data-testid=\"sync-progress\"]'); \
                   if (p) { window.__progress.seen += 1; \
                     window.__progress.max = Math.max(window.__progress.max, Number(p.getAttribute('max')) || 0); } }; \
                 new MutationObserver(look).observe(document.body, \
                   { subtree: true, childList: true, attributes: true });",
                Vec::new(),
            )
            .await?;
        bruno_app.unlock().await?;
        // The background sync starts at unlock; the button starts it if it has not yet.
        if bruno_app
            .attr("sync-status", "data-syncing")
            .await?
            .as_deref()
            != Some("true")
        {
            bruno_app.click("sync-now").await?;
        }
        let seen = || async {
            Ok::<_, anyhow::Error>(
                bruno_app
                    .client
                    .execute("return window.__progress;", Vec::new())
                    .await?,
            )
        };
        bruno_app
            .wait_until("a progress bar during the catch-up", || async {
                Ok(seen().await?["seen"].as_u64().unwrap_or_default() > 0)
            })
            .await?;
        wait_synced(&bruno_app).await?;
        let progress = seen().await?;
        let max = progress["max"].as_u64().unwrap_or_default();
        ensure!(
            max >= (ids.len() / 2) as u64,
            "the bar counts the backlog: max {max} for {}",
            ids.len()
        );
        ensure!(
            bruno_app.find_all("sync-progress").await?.is_empty(),
            "the bar is gone once caught up"
        );
        let n = session.wait_notification("the clearance request arrived by sync", |n| {
            n["summary"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Visa demandé")
        })?;
        ensure!(
            n["body"].as_str().unwrap_or_default().contains(DRAFT)
                || n["summary"].as_str().unwrap_or_default().contains(DRAFT),
            "the request names the draft: {n}"
        );
        let inbox: Value =
            serde_json::from_str(&session.diplo_on(&bruno, &["--json", "inbox", "--limit", "1"])?)?;
        let counts = &inbox["counts"];
        let total = ["action", "info", "unrouted"]
            .iter()
            .map(|k| counts[k].as_u64().unwrap_or_default())
            .sum::<u64>();
        ensure!(
            total as usize > ids.len(),
            "bruno holds alice's telegram and carole's {} items: {counts}",
            ids.len()
        );
        Ok(())
    })
    .await;
    checked("delivery-catch-up", &session, result)?;
    bruno_app.close().await
}
