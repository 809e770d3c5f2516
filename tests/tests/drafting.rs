#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Collaborative drafting in the real app, across two profiles of one post that share an
//! exchange folder and a numbering register: Alice drafts (and approves), Bob clears.
//!
//! Two app instances at once are too heavy for the test machines (2 cores), so the apps run
//! one after the other on the same display, bus and notification server:
//!
//! 0. Bob sets up the post's exchange folder with `diplo exchange join` (a shared passphrase).
//!    Alice and Bob become each other's contacts (each adds the other's card from
//!    `diplo identity`) and verify each other by safety number, both reading the same digits:
//!    a circuit names contacts, and a seal names the signer as the reader knows them.
//! 1. Alice's app: settings (joins the folder, a wrong passphrase first; the register), a new
//!    telegram, fields and circuit, a paragraph typed; her copy in the folder is sealed. While
//!    her editor is open and she keeps typing, **Bob's replica edits the same draft with
//!    `diplo` on his profile** (`exchange collect`, inserts words in her paragraph, adds a
//!    paragraph of his own, `exchange publish`): the app merges it live, both people's words
//!    are kept, the caret stays where Alice put it, and Bob's paragraph says he edited it.
//!    Alice submits.
//! 2. Bob's app: the submission arrives and he is notified "Visa demandé" (a Diffusion
//!    Restreinte draft: no subject in the notification); the click opens the draft; he
//!    comments on a range he selects in a paragraph, and clears the draft with a comment.
//! 3. Alice's app again: Bob's clearance has arrived (she is asked to approve); she edits the
//!    text once more, which resets Bob's clearance.
//! 4. Bob's app: asked again; the history shows him only what changed since his clearance;
//!    he adds a paragraph in his app (it reaches Alice's app and the released text) and
//!    clears again.
//! 5. Alice's app: she approves and releases; the number comes from the register (final, not
//!    provisional); the released telegram opens in the reader with that number and
//!    "Signature valide — vous", signed by her device.
//! 6. Bob's app: the release has reached his replica; the released telegram opens in his
//!    reader with the same number, sealed "Signature valide — Alice Lefèvre, contact vérifié"
//!    by Alice's device, as `diplo verify` on his profile also says.
//!
//! A failing test leaves a screenshot in `artifacts/e2e/`; a passing one writes the editor and
//! clearance panel screenshots to `artifacts/e2e/screens/` (the README's come from there).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use diplomatie_e2e::{
    App, EXCHANGE_PASSPHRASE, Session, artifacts, checked, last_line, step, within,
};
use fantoccini::key::Key;
use serde_json::Value;

const ALICE: &str = "Alice Lefèvre";
const BOB: &str = "Bob Martin";
const ORG: &str = "BERLIN";
const SUBJECT: &str = "Visite du ministre-président à Berlin";

/// Where the screenshots for the README go (`docs/screenshots/` takes them from there).
fn screens() -> PathBuf {
    let dir = artifacts().join("screens");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// The identity of a profile as `diplo identity` gives it: (device id, card line).
fn identity_of(session: &Session, profile: &Path) -> Result<(String, String)> {
    let me: Value = serde_json::from_str(&session.diplo_on(profile, &["--json", "identity"])?)?;
    let field = |name: &str| {
        me[name]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("diplo identity gives the {name}: {me}"))
    };
    Ok((field("device")?, field("card")?))
}

/// Alice and Bob add each other's card and verify each other by safety number (the same
/// digits on both sides). Returns Alice's device id.
fn become_verified_contacts(session: &Session, alice: &Path, bob: &Path) -> Result<String> {
    step("alice and bob: each other's verified contacts");
    let (alice_device, alice_card) = identity_of(session, alice)?;
    let (_, bob_card) = identity_of(session, bob)?;
    session.diplo_on(alice, &["contact", "add", &bob_card])?;
    session.diplo_on(bob, &["contact", "add", &alice_card])?;
    let alice_reads = last_line(&session.diplo_on(alice, &["contact", "safety-number", BOB])?)?;
    let bob_reads = last_line(&session.diplo_on(bob, &["contact", "safety-number", ALICE])?)?;
    ensure!(
        alice_reads == bob_reads,
        "both read the same safety number: {alice_reads} / {bob_reads}"
    );
    for (profile, other) in [(alice, BOB), (bob, ALICE)] {
        let out = session.diplo_on(
            profile,
            &["contact", "verify", other, "--safety-number", &alice_reads],
        )?;
        ensure!(out.contains("Contact vérifié"), "{other} verified: {out}");
    }
    Ok(alice_device)
}

/// The first 16 hex digits of a key or id, as the seal shows it.
fn short(hex: &str) -> &str {
    hex.get(..16).unwrap_or(hex)
}

/// Waits for the settings' message; fails if it is an error.
async fn settings_ok(app: &App, expected: &str) -> Result<()> {
    app.wait_until(expected, || async {
        Ok(app.text("settings-message").await?.contains(expected))
    })
    .await?;
    let class = app
        .attr("settings-message", "class")
        .await?
        .unwrap_or_default();
    ensure!(
        class.contains("msg-ok"),
        "{}",
        app.text("settings-message").await?
    );
    Ok(())
}

/// Joins the exchange folder (with its shared passphrase) and sets the numbering register,
/// in the app's settings.
async fn set_exchange(app: &App, exchange: &Path, register: &Path) -> Result<()> {
    app.click("nav-settings").await?;
    app.fill("settings-exchange-dir", &exchange.display().to_string())
        .await?;
    app.fill(
        "settings-exchange-passphrase",
        "pas la bonne phrase de passe",
    )
    .await?;
    app.click("settings-exchange-join").await?;
    app.wait_until("the wrong exchange passphrase refused", || async {
        Ok(app
            .attr("settings-message", "class")
            .await?
            .unwrap_or_default()
            .contains("msg-error"))
    })
    .await?;
    app.fill("settings-exchange-passphrase", EXCHANGE_PASSPHRASE)
        .await?;
    app.click("settings-exchange-join").await?;
    settings_ok(app, "Dossier d’échange rejoint").await?;
    app.fill("settings-number-register", &register.display().to_string())
        .await?;
    app.click("settings-save").await?;
    settings_ok(app, "enregistr").await
}

/// Types into the field with this test id (appends: the field keeps the focus).
async fn type_into(app: &App, testid: &str, text: &str) -> Result<()> {
    app.wait_testid(testid).await?.send_keys(text).await?;
    Ok(())
}

async fn stage_is(app: &App, stage: &str) -> Result<()> {
    app.wait_until(&format!("the draft {stage}"), || async {
        Ok(app.attr("clearance-panel", "data-stage").await?.as_deref() == Some(stage))
    })
    .await
}

/// The copies of draft `id` in the exchange folder.
fn copies(exchange: &Path, id: &str) -> Vec<PathBuf> {
    std::fs::read_dir(exchange.join(id))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "draft"))
                .collect()
        })
        .unwrap_or_default()
}

fn wait_file(what: &str, mut found: impl FnMut() -> Option<PathBuf>) -> Result<PathBuf> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if let Some(p) = found() {
            return Ok(p);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("timed out waiting for {what}")
}

fn text_of(n: &Value) -> String {
    format!(
        "{} {}",
        n["summary"].as_str().unwrap_or_default(),
        n["body"].as_str().unwrap_or_default()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn two_profiles_draft_together_clear_and_release_a_signed_numbered_telegram() -> Result<()> {
    let mut session = Session::start()?;
    let alice = session.profile_dir();
    let bob = session.other_profile_dir("bob");
    session.init_profile_at(&alice, ALICE, ORG, "alice@berlin.example")?;
    session.init_profile_at(&bob, BOB, ORG, "bob@berlin.example")?;
    let exchange = session.dir.path().join("exchange");
    std::fs::create_dir_all(&exchange)?;
    let register = session.dir.path().join("registre-berlin.json");
    // Bob sets up the post's exchange folder from the command line (fast key derivation).
    session.diplo_on(
        &bob,
        &[
            "exchange",
            "join",
            &exchange.display().to_string(),
            "--kdf-cost",
            "m=8192,t=1",
        ],
    )?;
    let alice_device = become_verified_contacts(&session, &alice, &bob)?;

    // 1. Alice drafts; Bob's replica edits at the same time.
    let app = session.app(&[]).await?;
    let mut draft_id = String::new();
    let result = within(async {
        app.unlock().await?;
        step("alice: settings");
        set_exchange(&app, &exchange, &register).await?;

        step("alice: a new telegram");
        app.click("nav-drafts").await?;
        app.select("drafts-new-kind", "telegram").await?;
        app.click("drafts-new").await?;
        app.wait_testid("draft-editor").await?;
        app.wait_until("the editor of the new draft", || async {
            Ok(app.attr("draft-editor", "data-id").await?.is_some())
        })
        .await?;
        draft_id = app.attr("draft-editor", "data-id").await?.unwrap_or_default();
        ensure!(app.text("draft-drafter").await? == ALICE, "the creator drafts");

        step("alice: fields and circuit");
        app.select("draft-field-marking", "dr").await?;
        type_into(&app, "draft-field-origin", ORG).await?;
        type_into(&app, "draft-field-action", "DFAE/EUROPE").await?;
        type_into(&app, "draft-field-subject", SUBJECT).await?;
        type_into(&app, "draft-field-clearers", BOB).await?;
        type_into(&app, "draft-field-approver", ALICE).await?;
        app.click("draft-add-paragraph").await?;
        app.wait_testid("draft-paragraph-text").await?;
        type_into(
            &app,
            "draft-paragraph-text",
            "Le ministre-président arrivera lundi.",
        )
        .await?;
        app.wait_until("the edits sent", || async {
            Ok(app.attr("draft-sync", "data-state").await?.as_deref() == Some("saved"))
        })
        .await?;
        let alice_copy = wait_file("Alice's copy in the exchange folder", || {
            copies(&exchange, &draft_id).into_iter().next()
        })?;
        let sealed = std::fs::read(&alice_copy)?;
        ensure!(
            !String::from_utf8_lossy(&sealed).contains("arrivera"),
            "nothing in clear in the exchange folder"
        );
        // Published after each change: the last one has the paragraph.
        app.wait_until("the paragraph in Alice's copy", || async {
            session.diplo_on(&bob, &["exchange", "collect"])?;
            Ok(session
                .diplo_on(&bob, &["--json", "draft", "show", &draft_id])?
                .contains("arrivera lundi"))
        })
        .await?;

        step("bob (diplo) edits the same draft while alice types");
        let edits = session.dir.path().join("bob-edits.json");
        std::fs::write(
            &edits,
            r#"[{"op":"splice_paragraph","index":0,"pos":0,"delete":0,"insert":"Selon nos informations, "},
                {"op":"insert_paragraph","index":1,"marking":"DR","text":"Le programme reste confidentiel."}]"#,
        )?;
        session.diplo_on(
            &bob,
            &["draft", "edit", &draft_id, "--edits", &edits.display().to_string()],
        )?;
        // Alice goes on typing at the end of her paragraph; her words are sent at the pause.
        // Then she puts the caret back before them (after "lundi.").
        let more = " Il verra le chancelier.";
        type_into(&app, "draft-paragraph-text", more).await?;
        type_into(
            &app,
            "draft-paragraph-text",
            &Key::Left.to_string().repeat(more.chars().count()),
        )
        .await?;
        let (_, before) = app.focus().await?;
        let caret = "Le ministre-président arrivera lundi.".encode_utf16().count() as u64;
        ensure!(before == Some((caret, caret)), "the caret after lundi: {before:?}");
        session.diplo_on(&bob, &["exchange", "publish", &draft_id])?;

        step("alice: bob's changes merged live");
        app.wait_until("Bob's paragraph in Alice's editor", || async {
            Ok(app.values("draft-paragraph-text").await?.len() == 2)
        })
        .await?;
        app.wait_until("both people's words in paragraph 1", || async {
            let texts = app.values("draft-paragraph-text").await?;
            Ok(texts.first().is_some_and(|t| {
                t == "Selon nos informations, Le ministre-président arrivera lundi. Il verra le chancelier."
            }))
        })
        .await?;
        let texts = app.values("draft-paragraph-text").await?;
        ensure!(
            texts[1] == "Le programme reste confidentiel.",
            "Bob's paragraph: {:?}",
            texts
        );
        // The caret stayed after "lundi.", moved along by Bob's words before it (not thrown
        // to the end of the text, as replacing a field's value does).
        let (focused, selection) = app.focus().await?;
        ensure!(focused == "draft-paragraph-text", "the focus stayed: {focused}");
        let moved = caret + "Selon nos informations, ".encode_utf16().count() as u64;
        ensure!(
            selection == Some((moved, moved)),
            "the caret followed Alice's words: {selection:?}, expected {moved}"
        );
        let edited = app.texts("draft-paragraph-edited-by").await?;
        ensure!(
            edited.get(1).is_some_and(|e| e.contains(BOB)),
            "who edited what: {edited:?}"
        );
        let markings = app.attrs("draft-paragraph", "data-marking").await?;
        ensure!(markings == ["np", "dr"], "portion marks: {markings:?}");
        app.wait_until("the merged text saved", || async {
            Ok(app.attr("draft-sync", "data-state").await?.as_deref() == Some("saved"))
        })
        .await?;

        step("alice: submit");
        app.click("clearance-submit").await?;
        stage_is(&app, "in_clearance").await?;
        let waiting = app.text("clearance-waiting").await?;
        ensure!(waiting.contains(BOB), "waits for Bob: {waiting}");
        // Bob is not the approver: Alice may not clear.
        ensure!(
            app.attr("clearance-clear", "aria-disabled").await?.as_deref() == Some("true"),
            "only a named clearer clears"
        );
        Ok(())
    })
    .await;
    checked("drafting_alice_drafts", &session, result)?;
    app.close().await?;

    // 2. Bob's app: the clearance request, then his clearance.
    let app = session.app_on(&bob, &[]).await?;
    let result = within(async {
        app.unlock().await?;
        // Bob joined the folder with the CLI: his app merges the drafts at once.
        step("bob: notified");
        let n = session.wait_notification("clearance requested", |n| {
            n["summary"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Visa demandé")
        })?;
        let shown = text_of(&n);
        ensure!(
            !shown.contains("ministre") && !shown.contains("Berlin"),
            "a DR draft's subject is not in the notification: {shown}"
        );
        ensure!(shown.contains("Diffusion Restreinte"), "{shown}");
        let id = n["id"].as_u64().context("a notification id")?;
        session.click_notification(id)?;
        step("bob: the click opens the draft");
        app.wait_until("the draft open in Bob's app", || async {
            Ok(app.attr("draft-editor", "data-id").await?.as_deref() == Some(draft_id.as_str()))
        })
        .await?;
        stage_is(&app, "in_clearance").await?;
        ensure!(
            app.attr("clearance-submit", "aria-disabled")
                .await?
                .as_deref()
                == Some("true"),
            "only the drafter submits"
        );
        let texts = app.values("draft-paragraph-text").await?;
        ensure!(
            texts.len() == 2 && texts[0].contains("chancelier"),
            "{texts:?}"
        );

        step("bob: comments on a selected range");
        let paragraphs = app.find_all("draft-paragraph-text").await?;
        let second = paragraphs.get(1).context("Bob's paragraph")?;
        // "confidentiel" of "Le programme reste confidentiel.", selected with the keyboard.
        second
            .send_keys(&format!(
                "{}{}{}{}{}",
                Key::End,
                Key::Left,
                Key::Shift,
                Key::Left.to_string().repeat("confidentiel".len()),
                Key::Null
            ))
            .await?;
        app.click_nth("draft-comment-selection", 1).await?;
        app.fill("draft-comment-text", "Faut-il vraiment le marquer DR ?")
            .await?;
        app.click("draft-comment-add").await?;
        app.wait_until("the comment beside its paragraph", || async {
            Ok(app.texts("draft-comment").await?.len() == 1)
        })
        .await?;
        let comment = app.text("draft-comment").await?;
        ensure!(
            comment.contains("confidentiel")
                && comment.contains("vraiment")
                && comment.contains(BOB),
            "the comment quotes its range: {comment}"
        );
        let anchored = app.attr("draft-comment", "data-id").await?;
        ensure!(anchored.is_some(), "a comment id");
        // The paragraphs, the comment and the clearance panel in view.
        app.client
            .execute(
                "document.querySelector('[data-testid=\"draft-paragraphs\"]').scrollIntoView();",
                Vec::new(),
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _ = session.screenshot(&screens().join("drafting-editor.png"));

        step("bob: clears");
        app.fill("clearance-comment", "Vu, sans observation.")
            .await?;
        app.click("clearance-clear").await?;
        stage_is(&app, "ready_for_approval").await?;
        ensure!(
            app.attr("clearer", "data-verdict").await?.as_deref() == Some("cleared"),
            "Bob's verdict"
        );
        Ok(())
    })
    .await;
    checked("drafting_bob_clears", &session, result)?;
    app.close().await?;

    // 3. Alice edits after the clearance: Bob's clearance is reset.
    let app = session.app(&[]).await?;
    let result = within(async {
        app.unlock().await?;
        app.click("nav-drafts").await?;
        step("alice: the cleared draft");
        app.wait_until("the draft ready for approval in the list", || async {
            Ok(app.attr("draft-row", "data-stage").await?.as_deref() == Some("ready_for_approval"))
        })
        .await?;
        app.click("draft-row").await?;
        stage_is(&app, "ready_for_approval").await?;
        let notes = app.texts("draft-comment").await?;
        ensure!(
            notes.len() == 1 && notes[0].contains("vraiment"),
            "Bob's comment on the range travelled: {notes:?}"
        );
        let comments = app.texts("clearer-comment").await?;
        ensure!(
            comments.iter().any(|c| c.contains("sans observation")),
            "Bob's comment: {comments:?}"
        );
        session.wait_notification("approval requested", |n| {
            n["summary"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Approbation demandée")
        })?;

        step("alice: an edit after the clearance resets it");
        let first = app.find_all("draft-paragraph-text").await?;
        first
            .first()
            .context("paragraph 1")?
            .send_keys(&format!("{} Confirmé.", Key::End))
            .await?;
        stage_is(&app, "in_clearance").await?;
        ensure!(
            app.attr("clearer", "data-verdict").await?.as_deref() == Some("pending"),
            "Bob's clearance was reset"
        );
        ensure!(
            app.attr("clearance-approve", "aria-disabled")
                .await?
                .as_deref()
                == Some("true"),
            "nothing to approve before Bob clears again"
        );
        app.wait_until("the edit saved", || async {
            Ok(app.attr("draft-sync", "data-state").await?.as_deref() == Some("saved"))
        })
        .await?;
        Ok(())
    })
    .await;
    checked("drafting_alice_edits_after_clearance", &session, result)?;
    app.close().await?;

    // 4. Bob sees what changed since his clearance and clears again.
    let app = session.app_on(&bob, &[]).await?;
    let result = within(async {
        app.unlock().await?;
        step("bob: asked again");
        let start = Instant::now();
        while session
            .notifications()
            .iter()
            .filter(|n| {
                n["summary"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Visa demandé")
            })
            .count()
            < 2
        {
            ensure!(
                start.elapsed() < Duration::from_secs(20),
                "a second clearance request: {:?}",
                session.notifications()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        app.click("nav-drafts").await?;
        app.wait_until("the draft back in clearance", || async {
            Ok(app.attr("draft-row", "data-stage").await?.as_deref() == Some("in_clearance"))
        })
        .await?;
        app.click("draft-row").await?;
        stage_is(&app, "in_clearance").await?;
        step("bob: what changed since his clearance");
        app.click("history-since-clearance").await?;
        app.wait_testid("draft-diff").await?;
        let rows = app.texts("diff-row").await?;
        ensure!(
            rows.len() == 1 && rows[0].contains("Confirmé"),
            "only Alice's edit since Bob's clearance: {rows:?}"
        );
        let added = app
            .client
            .execute(
                "return [...document.querySelectorAll('[data-testid=\"diff-row\"] ins')].map(e => e.textContent).join('|');",
                Vec::new(),
            )
            .await?;
        ensure!(
            added.as_str().is_some_and(|a| a.contains("Confirmé")),
            "shown as added: {added}"
        );
        step("bob: adds a paragraph in his app before clearing again");
        let before = app.texts("draft-paragraph-text").await?.len();
        app.click("draft-add-paragraph").await?;
        app.wait_until("a new paragraph", || async {
            Ok(app.find_all("draft-paragraph-text").await?.len() == before + 1)
        })
        .await?;
        let fields = app.find_all("draft-paragraph-text").await?;
        fields
            .last()
            .context("Bob's new paragraph")?
            .send_keys("Bob précise : départ mardi.")
            .await?;
        app.wait_until("Bob's paragraph sent", || async {
            Ok(app.attr("draft-sync", "data-state").await?.as_deref() == Some("saved"))
        })
        .await?;
        app.fill("clearance-comment", "Vu à nouveau.").await?;
        app.click("clearance-clear").await?;
        stage_is(&app, "ready_for_approval").await?;
        Ok(())
    })
    .await;
    checked("drafting_bob_clears_again", &session, result)?;
    app.close().await?;

    // 5. Alice approves and releases.
    let app = session.app(&[]).await?;
    let mut released_id = String::new();
    let mut number = String::new();
    let result = within(async {
        app.unlock().await?;
        app.click("nav-drafts").await?;
        app.wait_until("the draft cleared again", || async {
            Ok(app.attr("draft-row", "data-stage").await?.as_deref() == Some("ready_for_approval"))
        })
        .await?;
        app.click("draft-row").await?;
        stage_is(&app, "ready_for_approval").await?;
        step("alice: approve and release");
        app.click("clearance-approve").await?;
        stage_is(&app, "approved").await?;
        app.click("clearance-release").await?;
        stage_is(&app, "released").await?;
        number = app.text("clearance-release-number").await?;
        ensure!(
            number.starts_with("BERLIN 20"),
            "a final number of the post: {number}"
        );
        ensure!(
            app.attr("clearance-release-result", "data-provisional")
                .await?
                .as_deref()
                == Some("false"),
            "the register gave a final number"
        );
        let versions = app.attrs("history-version", "data-number").await?;
        ensure!(
            versions.len() >= 2,
            "a version per round and the release: {versions:?}"
        );
        let _ = session.screenshot(&screens().join("drafting-clearance.png"));

        step("alice: the released telegram in the reader");
        app.click("clearance-open-released").await?;
        app.wait_testid("reader-signature").await?;
        // The inbox beside the reader shows the section that holds the released item (Alice
        // drafted and approved it without being one of its addressees).
        released_id = app
            .attr("reader", "data-id")
            .await?
            .context("the reader's item")?;
        app.wait_until(
            "the released item in the list beside the reader",
            || async { Ok(app.rows().await?.iter().any(|r| r.id == released_id)) },
        )
        .await?;
        ensure!(
            app.attr("reader-release", "data-valid").await?.as_deref() == Some("true"),
            "a valid signature"
        );
        let seal = app.text("reader-release").await?;
        ensure!(seal.contains(&number), "the number in the seal: {seal}");
        ensure!(
            app.attr("reader-release", "data-seal").await?.as_deref() == Some("own"),
            "Alice signed it herself: {seal}"
        );
        let signer = app.text("reader-signature").await?;
        ensure!(
            signer.contains("Signature valide — vous"),
            "the seal names Alice as you: {signer}"
        );
        let device = app.text("reader-seal-device").await?;
        ensure!(
            device.contains(short(&alice_device)),
            "signed by Alice's device {alice_device}: {device}"
        );
        let reader_number = app.text("reader-number").await?;
        ensure!(
            reader_number.contains(&number),
            "the telegram's number: {reader_number}"
        );
        let paragraphs = app.texts("reader-paragraph").await?;
        ensure!(
            paragraphs
                .iter()
                .any(|p| p.contains("Selon nos informations"))
                && paragraphs.iter().any(|p| p.contains("chancelier"))
                && paragraphs.iter().any(|p| p.contains("confidentiel"))
                && paragraphs.iter().any(|p| p.contains("départ mardi")),
            "both people's words released, Bob's app's included"
        );
        let _ = session.screenshot(&screens().join("drafting-released.png"));

        step("alice: a correction of the released telegram is a new draft referencing it");
        app.click("reader-correct").await?;
        app.wait_until("the correction's editor", || async {
            Ok(app.attr("draft-editor", "data-stage").await?.as_deref() == Some("draft"))
        })
        .await?;
        let references = app.values("draft-field-references").await?;
        ensure!(
            references.iter().any(|r| r.contains(&number)),
            "the correction references {number}: {references:?}"
        );
        let subject = app.values("draft-field-subject").await?;
        ensure!(
            subject.iter().any(|s| s.starts_with("RECTIFICATIF")),
            "the correction says so: {subject:?}"
        );
        Ok(())
    })
    .await;
    checked("drafting_alice_releases", &session, result)?;
    app.close().await?;

    // 6. Bob's app: the released telegram, sealed by Alice, his verified contact.
    let app = session.app_on(&bob, &[]).await?;
    let result = within(async {
        app.unlock().await?;
        step("bob: the released draft");
        app.click("nav-drafts").await?;
        let row =
            format!("[data-testid=\"draft-row\"][data-id=\"{draft_id}\"][data-stage=\"released\"]");
        app.wait_css(&row).await?.click().await?;
        stage_is(&app, "released").await?;
        ensure!(
            app.text("clearance-release-number").await? == number,
            "the same number on Bob's replica"
        );
        step("bob: the seal in his reader");
        app.click("clearance-open-released").await?;
        app.wait_testid("reader-signature").await?;
        ensure!(
            app.attr("reader", "data-id").await?.as_deref() == Some(released_id.as_str()),
            "the item Alice released"
        );
        ensure!(
            app.attr("reader-release", "data-seal").await?.as_deref() == Some("verified"),
            "signed by a verified contact"
        );
        let signer = app.text("reader-signature").await?;
        ensure!(
            signer.contains(&format!("Signature valide — {ALICE}, contact vérifié")),
            "the seal names Alice, verified: {signer}"
        );
        let device = app.text("reader-seal-device").await?;
        ensure!(
            device.contains(short(&alice_device)),
            "signed by Alice's device {alice_device}: {device}"
        );
        ensure!(
            app.find_all("reader-seal-unverified").await?.is_empty(),
            "no warning for a verified contact"
        );
        let seal = app.text("reader-release").await?;
        ensure!(seal.contains(&number), "the number in the seal: {seal}");
        let _ = session.screenshot(&screens().join("drafting-seal-contact.png"));
        // diplo reads the same seal from Bob's store.
        let verified = session.diplo_on(&bob, &["verify", &released_id])?;
        ensure!(
            verified.contains(&format!("{ALICE}, contact vérifié")),
            "diplo verify on Bob's profile: {verified}"
        );
        Ok(())
    })
    .await;
    checked("drafting_bob_reads_the_seal", &session, result)?;
    app.close().await
}
