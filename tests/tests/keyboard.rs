#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The main journeys of the real app with the keyboard alone: every key goes through
//! WebDriver's key actions to whatever has the focus; nothing is clicked, and the test never
//! moves the focus itself (a script only reads where it is, and puts the app back on its
//! inbox between two journeys).
//!
//! Unlock; triage with j/k and the arrow keys across the three sections; read an item (beside
//! the list the focus stays on its row and the opening is announced; in one column the focus
//! goes to its heading) and come back to its row; compose and send a telegram (Tab
//! through the form, its required fields, its errors); search (type, arrow down through the
//! results while the field says which one with aria-activedescendant, Enter opens, Tab
//! reaches the results); open a draft (the focus on its heading), clear it through its
//! clearance chain, leave it (the focus back on its row); a letter typed in a text field is
//! text, not a shortcut; and the single-key shortcuts turned off in the settings.
//!
//! One app for the whole file. Every journey runs even when one fails; the test then fails
//! with each failed journey and where the focus was.

use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use diplomatie_e2e::fixture::{self, Inbox};
use diplomatie_e2e::{App, PASSPHRASE, Session, artifacts, step};
use fantoccini::key::Key;
use serde_json::Value;

/// The longest one journey may take.
const JOURNEY_LIMIT: Duration = Duration::from_secs(120);

/// How many Tab presses a journey allows to reach a control.
const TABS: usize = 60;

/// The subject of the telegram sent from the composer (plain ASCII: typed key by key).
const SENT_SUBJECT: &str = "Visite du ministre a Berlin";

const DRAFT_SUBJECT: &str = "Programme de la visite";

/// What a journey found wrong on its way without being stopped by it (a missing attribute,
/// the focus elsewhere than it should be): the journey goes on, and fails at its end.
#[derive(Debug, Default)]
struct Findings(Vec<String>);

impl Findings {
    fn check(&mut self, ok: bool, what: impl Into<String>) {
        if !ok {
            let what = what.into();
            eprintln!("  finding: {what}");
            self.0.push(what);
        }
    }

    fn result(&mut self, r: Result<()>) {
        if let Err(e) = r {
            self.check(false, format!("{e:#}"));
        }
    }
}

/// Whether the focus is on the inbox row of item `id`: on the row itself, or on the list
/// whose active descendant it is.
async fn focus_on_row(app: &App, id: &str) -> Result<bool> {
    let v = app
        .client
        .execute(
            "const e = document.activeElement; \
             const row = document.querySelector(`[data-testid=\"item-row\"][data-id=\"${arguments[0]}\"]`); \
             if (!e || !row) return false; \
             if (e === row || row.contains(e)) return true; \
             const d = e.getAttribute('aria-activedescendant'); \
             return !!d && document.getElementById(d) === row;",
            vec![Value::from(id)],
        )
        .await?;
    Ok(v == Value::Bool(true))
}

async fn wait_focus_on_row(app: &App, id: &str, what: &str) -> Result<()> {
    let mut last = None;
    for _ in 0..50 {
        if focus_on_row(app, id).await? {
            return Ok(());
        }
        last = Some(app.focused().await?);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!(
        "{what}: the focus is not back on the item's row; it is on {}",
        last.map(|f| f.to_string()).unwrap_or_default()
    )
}

/// The id of the selected inbox row.
async fn selected_row(app: &App) -> Result<String> {
    Ok(app
        .client
        .execute(
            "const r = document.querySelector('[data-testid=\"item-row\"][aria-selected=\"true\"]'); \
             return r ? r.getAttribute('data-id') : '';",
            Vec::new(),
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn wait_selected(app: &App, id: &str, what: &str) -> Result<()> {
    app.wait_until(what, || async { Ok(selected_row(app).await? == id) })
        .await
        .with_context(|| format!("{what}: the selected row is not the expected one"))
}

async fn current_view(app: &App) -> Result<String> {
    Ok(app
        .client
        .execute(
            "const b = document.querySelector('[data-testid^=\"nav-\"][aria-current=\"page\"]'); \
             return b ? b.getAttribute('data-testid').slice(4) : '';",
            Vec::new(),
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Presses Tab until `css` has the focus, forwards first, then backwards.
async fn reach(app: &App, css: &str) -> Result<()> {
    if app.tab_to(css, false, TABS).await.is_ok() {
        return Ok(());
    }
    app.tab_to(css, true, 2 * TABS).await.map(|_| ())
}

/// Puts the app back on its inbox, for action, its first row selected, the window at its
/// size (between journeys; not part of them).
async fn reset(app: &App) -> Result<()> {
    reset_at(app, 1280).await
}

/// The same, the window `width` pixels wide.
async fn reset_at(app: &App, width: u32) -> Result<()> {
    let _ = app.resize(width, 800).await;
    app.press_key(Key::Escape).await?;
    app.click_nth("nav-inbox", 0).await?;
    // Another section and back: the list starts again at its first row.
    for section in ["info", "action"] {
        let tab = format!("tab-{section}");
        app.click_nth(&tab, 0).await?;
        app.wait_until("the section shown", || async {
            Ok(app.attr(&tab, "aria-selected").await?.as_deref() == Some("true"))
        })
        .await?;
    }
    app.wait_testid("item-row").await?;
    app.client
        .execute(
            "document.activeElement && document.activeElement.blur();",
            Vec::new(),
        )
        .await?;
    Ok(())
}

async fn unlock(app: &App) -> Result<()> {
    app.wait_screen("unlock").await?;
    app.wait_focus(
        "the passphrase field",
        "[data-testid=\"unlock-passphrase\"]",
    )
    .await?;
    app.type_text(PASSPHRASE).await?;
    app.press_key(Key::Enter).await?;
    app.wait_screen("main").await
}

async fn triage(app: &App, inbox: &Inbox) -> Result<()> {
    let action = &inbox.action;
    app.wait_until("the items for action in triage order", || async {
        let rows = app.rows().await?;
        Ok(rows.len() == action.len() && rows.iter().zip(action).all(|(r, id)| &r.id == id))
    })
    .await?;
    wait_selected(app, &action[0], "at first, the first row").await?;
    step("keyboard: j and k");
    app.press(&['j', 'j']).await?;
    wait_selected(app, &action[2], "j twice selects the third row").await?;
    app.press(&['k']).await?;
    wait_selected(app, &action[1], "k selects the second row").await?;

    step("keyboard: the arrow keys in the list");
    reach(app, "[data-testid=\"inbox-list\"]").await?;
    app.press(&[Key::Down.into(), Key::Down.into()]).await?;
    wait_selected(app, &action[3], "two arrows down select the fourth row").await?;
    app.press(&[Key::Up.into()]).await?;
    wait_selected(app, &action[2], "an arrow up selects the third row").await?;
    app.press(&[Key::Home.into()]).await?;
    wait_selected(app, &action[0], "Home selects the first row").await?;

    step("keyboard: the sections, with the arrow keys on the tabs");
    reach(app, "[role=\"tab\"][aria-selected=\"true\"]").await?;
    ensure!(
        app.focus_matches("[data-testid=\"tab-action\"]").await?,
        "the selected tab is the action section's"
    );
    for (key, tab, id) in [
        (Key::Right, "tab-info", &inbox.info),
        (Key::Right, "tab-unrouted", &inbox.unrouted),
        (Key::Right, "tab-action", &action[0]),
        (Key::Left, "tab-unrouted", &inbox.unrouted),
    ] {
        app.press_key(key).await?;
        app.wait_focus(
            tab,
            &format!("[data-testid=\"{tab}\"][aria-selected=\"true\"]"),
        )
        .await?;
        wait_selected(app, id, &format!("{tab}: its first row")).await?;
    }
    app.press_key(Key::Left).await?;
    app.wait_focus(
        "tab-info",
        "[data-testid=\"tab-info\"][aria-selected=\"true\"]",
    )
    .await?;
    app.press(&['j']).await?;
    wait_selected(app, &inbox.info, "j stays on the one item for information").await?;
    Ok(())
}

/// The text of each polite live region (compared, never printed).
async fn announcements(app: &App) -> Result<Vec<String>> {
    let v = app
        .client
        .execute(
            "return [...document.querySelectorAll('[aria-live=\"polite\"], [role=\"status\"]')] \
               .map((e) => e.textContent.trim()).filter((t) => t !== '');",
            Vec::new(),
        )
        .await?;
    Ok(v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// Selects the second row with `j`, goes to the list with Tab and opens it with Enter.
async fn open_second(app: &App, id: &str, layout: &str) -> Result<()> {
    app.press(&['j']).await?;
    wait_selected(app, id, "j selects the second row").await?;
    reach(app, "[data-testid=\"inbox-list\"]").await?;
    app.press_key(Key::Enter).await?;
    app.wait_until(&format!("{layout}: the reader on the item"), || async {
        Ok(app.attr("reader", "data-id").await?.as_deref() == Some(id)
            && !app.texts("reader-subject").await?.is_empty())
    })
    .await
}

async fn read(app: &App, inbox: &Inbox, found: &mut Findings) -> Result<()> {
    let id = inbox.action[1].as_str();
    step("keyboard: read beside the list, the focus kept on the row, the opening announced");
    let before = announcements(app).await?;
    open_second(app, id, "two panes").await?;
    found.check(
        focus_on_row(app, id).await?,
        format!(
            "two panes: the focus stays on the item's row while it opens beside the list; it \
             is on {}",
            app.focused().await?
        ),
    );
    let announced = app
        .wait_until("the opening announced politely", || async {
            Ok(announcements(app)
                .await?
                .iter()
                .any(|t| !before.contains(t)))
        })
        .await;
    found.check(
        announced.is_ok(),
        "two panes: no polite live region says that the item opened",
    );

    step("keyboard: read in one column, then back to the row");
    reset_at(app, 700).await?;
    let width = app
        .client
        .execute("return window.innerWidth;", Vec::new())
        .await?
        .as_u64()
        .unwrap_or_default();
    ensure!(width <= 760, "the window is narrow ({width}px)");
    app.wait_until("one column", || async {
        Ok(app.find_all("reader").await?.is_empty())
    })
    .await?;
    let r = async {
        open_second(app, id, "one column").await?;
        found.result(
            app.wait_focus(
                "one column: the item's heading",
                "[data-testid=\"reader-subject\"]",
            )
            .await,
        );
        app.press_key(Key::Escape).await?;
        app.wait_testid("inbox-list").await?;
        found.result(wait_focus_on_row(app, id, "one column: Escape from the reader").await);
        Ok(())
    }
    .await;
    app.resize(1280, 800).await?;
    r
}

async fn compose(app: &App, found: &mut Findings) -> Result<()> {
    step("keyboard: c opens the composer");
    app.press(&['c']).await?;
    app.wait_testid("compose-submit").await?;
    ensure!(
        current_view(app).await? == "compose",
        "c goes to the composer"
    );

    step("keyboard: Tab through the form");
    let mut order = Vec::new();
    for _ in 0..TABS {
        app.press_key(Key::Tab).await?;
        let f = app.focused().await?;
        let id = if f.testid.is_empty() {
            f.to_string()
        } else {
            f.testid.clone()
        };
        order.push(id);
        if f.testid == "compose-submit" {
            break;
        }
    }
    let at = |t: &str| order.iter().position(|o| o == t);
    let (kind, subject, action, submit) = (
        at("compose-kind"),
        at("compose-subject"),
        at("compose-action-name-0"),
        at("compose-submit"),
    );
    ensure!(
        kind.is_some() && subject.is_some() && action.is_some() && submit.is_some(),
        "Tab reaches the kind, the subject, the action addressee and the send button; it went \
         through {order:?}"
    );
    ensure!(
        kind < subject && subject < submit && action < submit,
        "in the order of the form: {order:?}"
    );
    for field in ["compose-subject", "compose-action-name-0"] {
        found.check(
            app.attr(field, "aria-required").await?.as_deref() == Some("true"),
            format!("{field} is required and does not say so (aria-required=\"true\")"),
        );
    }

    step("keyboard: sent empty, refused, the focus on the field at fault");
    app.press_key(Key::Enter).await?;
    app.wait_testid("compose-errors").await?;
    found.result(
        app.wait_focus("the field at fault", "[aria-invalid=\"true\"]")
            .await,
    );

    step("keyboard: the fields typed, sent");
    reach(app, "[data-testid=\"compose-subject\"]").await?;
    app.type_text(SENT_SUBJECT).await?;
    reach(app, "[data-testid=\"compose-action-name-0\"]").await?;
    app.type_text("BERLIN").await?;
    reach(app, "[data-testid=\"compose-paragraph-0\"]").await?;
    app.type_text("Le ministre arrivera lundi.").await?;
    reach(app, "[data-testid=\"compose-submit\"]").await?;
    app.press_key(Key::Enter).await?;

    step("keyboard: sending shows a review first, its heading focused; Modifier goes back");
    review_opens(app, found).await?;
    found.check(
        app.texts("compose-review-subject")
            .await?
            .first()
            .is_some_and(|s| s.trim() == SENT_SUBJECT),
        "the review does not show the subject typed",
    );
    reach(app, "[data-testid=\"compose-edit\"]").await?;
    app.press_key(Key::Enter).await?;
    back_to_send(app, found, "Modifier").await?;

    step("keyboard: Escape in the review goes back too");
    app.press_key(Key::Enter).await?;
    review_opens(app, found).await?;
    app.press_key(Key::Escape).await?;
    back_to_send(app, found, "Escape").await?;

    step("keyboard: reviewed again, the sending confirmed");
    app.press_key(Key::Enter).await?;
    review_opens(app, found).await?;
    reach(app, "[data-testid=\"compose-confirm\"]").await?;
    app.press_key(Key::Enter).await?;
    app.wait_until("the telegram sent and open", || async {
        Ok(current_view(app).await? == "inbox"
            && app
                .texts("reader-subject")
                .await?
                .first()
                .is_some_and(|s| s.trim() == SENT_SUBJECT))
    })
    .await
}

/// The composer's review has opened, nothing sent, and its heading has the focus.
async fn review_opens(app: &App, found: &mut Findings) -> Result<()> {
    app.wait_testid("compose-review").await?;
    found.result(
        app.wait_focus(
            "the review's heading",
            "h2[data-testid=\"compose-review-heading\"]",
        )
        .await,
    );
    found.check(
        current_view(app).await? == "compose",
        "the review is a step of the composer: nothing was sent yet",
    );
    Ok(())
}

/// Back from the review (by `how`): the form again, as it was, the focus on its send button.
async fn back_to_send(app: &App, found: &mut Findings, how: &str) -> Result<()> {
    app.wait_until("the review closed", || async {
        Ok(app.find_all("compose-review").await?.is_empty())
    })
    .await?;
    found.result(
        app.wait_focus(
            &format!("the send button after {how}"),
            "[data-testid=\"compose-submit\"]",
        )
        .await,
    );
    found.check(
        app.values("compose-subject")
            .await?
            .first()
            .map(String::as_str)
            == Some(SENT_SUBJECT),
        format!("after {how}, the subject typed is no longer in the form"),
    );
    Ok(())
}

async fn search(app: &App, found: &mut Findings) -> Result<()> {
    step("keyboard: / goes to the search field, a combobox");
    app.press(&['/']).await?;
    app.wait_focus("the search field", "[data-testid=\"search-input\"]")
        .await?;
    found.check(
        app.attr("search-input", "role").await?.as_deref() == Some("combobox"),
        "the search field is not a combobox (role=\"combobox\")",
    );
    app.type_text("berlin").await?;
    app.wait_until("results", || async {
        Ok(app.find_all("search-result").await?.len() >= 2)
    })
    .await?;
    let ids = app.attrs("search-result", "data-id").await?;
    let controls = app
        .attr("search-input", "aria-controls")
        .await?
        .unwrap_or_default();
    let holds_results = app
        .client
        .execute(
            "const c = arguments[0] && document.getElementById(arguments[0]); \
             return !!c && !!c.querySelector('[data-testid=\"search-result\"]');",
            vec![Value::from(controls.clone())],
        )
        .await?;
    found.check(
        holds_results == Value::Bool(true),
        format!(
            "the field's aria-controls ({controls:?}) does not name the element holding the \
             results"
        ),
    );

    step("keyboard: arrow down through the results, the field says which one");
    // The result the field names as active (by its place in the list), and whether the
    // focus is still in the field.
    let active = || async {
        let v = app
            .client
            .execute(
                "const f = document.querySelector('[data-testid=\"search-input\"]'); \
                 const d = f.getAttribute('aria-activedescendant'); \
                 const e = d && document.getElementById(d); \
                 const r = e && (e.closest('[data-testid=\"search-result\"]') || e.querySelector('[data-testid=\"search-result\"]')); \
                 return [document.activeElement === f, r ? r.getAttribute('data-id') : null];",
                Vec::new(),
            )
            .await?;
        let at = v[1]
            .as_str()
            .and_then(|id| ids.iter().position(|i| i == id));
        Ok::<_, anyhow::Error>((v[0] == Value::Bool(true), at))
    };
    // None active at first, or the first result: each arrow down names the next one.
    let (_, mut at) = active().await?;
    for n in 1..=2 {
        let expected = at.map_or(0, |i| i + 1);
        app.press_key(Key::Down).await?;
        let mut seen = (false, None);
        for _ in 0..30 {
            seen = active().await?;
            if seen.1 == Some(expected) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        found.check(
            seen.0,
            format!(
                "after {n} arrow(s) down the focus left the search field (it is on {})",
                app.focused().await?
            ),
        );
        found.check(
            seen.1 == Some(expected),
            format!(
                "after {n} arrow(s) down, the field's aria-activedescendant does not name \
                 result {} (it names {})",
                expected + 1,
                seen.1
                    .map_or("nothing".to_owned(), |i| format!("result {}", i + 1)),
            ),
        );
        if !seen.0 {
            break;
        }
        at = seen.1.or(Some(expected));
    }
    step("keyboard: Enter opens it");
    // The active result: the one the field names, or else the one the list shows selected.
    let chosen = match active().await?.1 {
        Some(i) => ids.get(i).cloned(),
        None => app
            .client
            .execute(
                "const r = document.querySelector('[data-testid=\"search-result\"][aria-current=\"true\"]'); \
                 return r ? r.getAttribute('data-id') : null;",
                Vec::new(),
            )
            .await?
            .as_str()
            .map(str::to_owned),
    }
    .context("a result is active after the arrows")?;
    app.press_key(Key::Enter).await?;
    found.result(
        app.wait_until("the reader on the active result", || async {
            Ok(app.attr("reader", "data-id").await?.as_deref() == Some(chosen.as_str()))
        })
        .await
        .context("Enter does not open the active result"),
    );

    step("keyboard: Tab from the search field reaches the results");
    app.press(&['/']).await?;
    app.wait_focus("the search field", "[data-testid=\"search-input\"]")
        .await?;
    found.result(
        app.tab_to("[data-testid=\"search-results\"] *", false, TABS)
            .await
            .map(|_| ())
            .context("Tab from the search field does not reach the results"),
    );
    Ok(())
}

async fn draft(app: &App, id: &str, found: &mut Findings) -> Result<()> {
    let row = format!("[data-testid=\"draft-row\"][data-id=\"{id}\"]");
    step("keyboard: g p goes to the drafts");
    app.press(&['g', 'p']).await?;
    app.wait_css(&row).await?;
    ensure!(
        current_view(app).await? == "drafts",
        "g p goes to the drafts"
    );
    reach(app, &row).await?;
    step("keyboard: Enter opens the draft, the focus on its heading");
    app.press_key(Key::Enter).await?;
    app.wait_until("the draft open", || async {
        Ok(app.attr("draft-editor", "data-id").await?.as_deref() == Some(id))
    })
    .await?;
    let heading = "[data-testid=\"draft-editor\"] :is(h1, h2, [role=\"heading\"])";
    found.result(app.wait_focus("the draft's heading", heading).await);

    step("keyboard: cleared through the clearance panel");
    app.wait_until("the clearance open to alice", || async {
        Ok(
            app.attr("clearance-panel", "data-stage").await?.as_deref() == Some("in_clearance")
                && app
                    .attr("clearance-clear", "aria-disabled")
                    .await?
                    .as_deref()
                    != Some("true"),
        )
    })
    .await?;
    reach(app, "[data-testid=\"clearance-comment\"]").await?;
    app.type_text("Vu, sans observation.").await?;
    reach(app, "[data-testid=\"clearance-clear\"]").await?;
    app.press_key(Key::Enter).await?;
    app.wait_until("the draft cleared", || async {
        Ok(app.attr("clearance-panel", "data-stage").await?.as_deref()
            == Some("ready_for_approval"))
    })
    .await?;
    ensure!(
        app.attr("clearer", "data-verdict").await?.as_deref() == Some("cleared"),
        "alice's verdict is recorded"
    );

    step("keyboard: leave the draft, the focus back on its row");
    reach(app, "[data-testid=\"draft-back\"]").await?;
    app.press_key(Key::Enter).await?;
    app.wait_css(&row).await?;
    found.result(app.wait_focus("the draft's row", &row).await);
    Ok(())
}

async fn typing_is_not_a_shortcut(app: &App, inbox: &Inbox) -> Result<()> {
    step("keyboard: letters typed in the search field stay text");
    wait_selected(app, &inbox.action[0], "the first row selected").await?;
    app.press(&['/']).await?;
    app.wait_focus("the search field", "[data-testid=\"search-input\"]")
        .await?;
    app.type_text("jkc?").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    ensure!(
        app.values("search-input")
            .await?
            .first()
            .map(String::as_str)
            == Some("jkc?"),
        "the letters went into the field"
    );
    ensure!(
        app.find_all("shortcuts-dialog").await?.is_empty(),
        "? typed in the field did not open the shortcuts"
    );
    ensure!(
        current_view(app).await? == "search",
        "c typed in the field did not open the composer"
    );
    Ok(())
}

/// The settings' switch of the single-key shortcuts.
const SHORTCUTS_SWITCH: &str = "[data-testid=\"settings-shortcuts-enabled\"]";

/// Whether the shortcuts' switch is on (a checkbox's `checked`, or `aria-checked`).
async fn switch_on(app: &App) -> Result<Option<bool>> {
    let v = app
        .client
        .execute(
            "const e = document.querySelector(arguments[0]); \
             if (!e) return null; \
             return e.getAttribute('aria-checked') !== null \
               ? e.getAttribute('aria-checked') === 'true' : !!e.checked;",
            vec![Value::from(SHORTCUTS_SWITCH)],
        )
        .await?;
    Ok(v.as_bool())
}

async fn shortcuts_off(app: &App, inbox: &Inbox) -> Result<()> {
    step("keyboard: the settings, by Tab");
    reach(app, "[data-testid=\"nav-settings\"]").await?;
    app.press_key(Key::Enter).await?;
    app.wait_testid("settings-save").await?;
    ensure!(
        switch_on(app).await? == Some(true),
        "the settings have a switch of the single-key shortcuts ({SHORTCUTS_SWITCH}), on"
    );
    step("keyboard: the shortcuts turned off");
    reach(app, SHORTCUTS_SWITCH).await?;
    app.press(&[' ']).await?;
    app.wait_until("the switch off", || async {
        Ok(switch_on(app).await? == Some(false))
    })
    .await?;
    // Saved with the settings when the switch belongs to their form.
    let in_form = app
        .client
        .execute(
            "const e = document.querySelector(arguments[0]); \
             const s = document.querySelector('[data-testid=\"settings-save\"]'); \
             return !!e && !!s && !!e.form && e.form === s.form;",
            vec![Value::from(SHORTCUTS_SWITCH)],
        )
        .await?;
    if in_form == Value::Bool(true) {
        reach(app, "[data-testid=\"settings-save\"]").await?;
        app.press_key(Key::Enter).await?;
        app.wait_until("the settings saved", || async {
            Ok(app
                .attr("settings-message", "class")
                .await?
                .unwrap_or_default()
                .contains("msg-ok")
                && !app.text("settings-message").await?.trim().is_empty())
        })
        .await?;
    }

    step("keyboard: j, c and ? do nothing now; the arrow keys still move in the list");
    reach(app, "[data-testid=\"nav-inbox\"]").await?;
    app.press_key(Key::Enter).await?;
    app.wait_testid("item-row").await?;
    let before = selected_row(app).await?;
    app.press(&['j', 'c', '?']).await?;
    tokio::time::sleep(Duration::from_millis(700)).await;
    ensure!(
        current_view(app).await? == "inbox",
        "c no longer opens the composer"
    );
    ensure!(
        app.find_all("shortcuts-dialog").await?.is_empty(),
        "? no longer opens the shortcuts"
    );
    ensure!(
        selected_row(app).await? == before,
        "j no longer moves the selection"
    );
    reach(app, "[data-testid=\"inbox-list\"]").await?;
    app.press_key(Key::Down).await?;
    wait_selected(
        app,
        &inbox.action[1],
        "an arrow down still moves in the list",
    )
    .await
}

/// The page's width in CSS pixels, and whether anything scrolls sideways.
async fn page_width(app: &App) -> Result<(f64, bool)> {
    let v = app
        .client
        .execute(
            "const e = document.documentElement; \
             return [window.innerWidth, e.scrollWidth > e.clientWidth + 1];",
            Vec::new(),
        )
        .await?;
    Ok((
        v[0].as_f64().context("innerWidth")?,
        v[1].as_bool().context("scrolls sideways")?,
    ))
}

async fn zoom(app: &App) -> Result<()> {
    step("keyboard: Ctrl and + five times, 200 %: half the CSS pixels, nothing sideways");
    let (before, _) = page_width(app).await?;
    for _ in 0..5 {
        app.chord(Key::Control, '=').await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    app.wait_until("the page zoomed to 200 %", || async {
        let (now, _) = page_width(app).await?;
        Ok((now - before / 2.0).abs() <= 2.0)
    })
    .await?;
    let (_, sideways) = page_width(app).await?;
    ensure!(!sideways, "at 200 % the page scrolls sideways");
    // Everything reachable still: the search field takes the focus from its shortcut.
    app.press(&['/']).await?;
    app.wait_focus("the search field", "[data-testid=\"search-input\"]")
        .await?;
    app.press_key(Key::Escape).await?;
    step("keyboard: Ctrl and - five times, back to 100 %");
    for _ in 0..5 {
        app.chord(Key::Control, '-').await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    app.wait_until("the page back to 100 %", || async {
        let (now, _) = page_width(app).await?;
        Ok((now - before).abs() <= 2.0)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_main_journeys_with_the_keyboard_alone() -> Result<()> {
    let mut session = Session::start()?;
    let inbox = fixture::alice_inbox(&session)?;
    let bob = fixture::bob_contact(&session)?;
    let draft_id = fixture::draft_waiting_for_alice(&session, &bob, DRAFT_SUBJECT)?;
    let app = session.app(&[]).await?;

    let mut failed: Vec<String> = Vec::new();
    let mut passed: Vec<&str> = Vec::new();
    macro_rules! journey {
        ($name:expr, $found:ident => $body:expr) => {{
            let name: &str = $name;
            eprintln!("journey: {name}");
            #[allow(unused_mut)]
            let mut $found = Findings::default();
            let mut result = match tokio::time::timeout(JOURNEY_LIMIT, $body).await {
                Ok(r) => r,
                Err(_) => Err(anyhow::anyhow!("did not finish within {JOURNEY_LIMIT:?}")),
            };
            if !$found.0.is_empty() {
                let mut all = $found.0.join("; ");
                if let Err(e) = &result {
                    all = format!("{all}; then {e:#}");
                }
                result = Err(anyhow::anyhow!(all));
            }
            match result {
                Ok(()) => passed.push(name),
                Err(e) => {
                    let focus = app
                        .focused()
                        .await
                        .map(|f| f.to_string())
                        .unwrap_or_default();
                    eprintln!("  FAILED: {e:#}");
                    let shot = artifacts().join(format!("keyboard-{}.png", name.replace(' ', "-")));
                    let _ = session.screenshot(&shot);
                    failed.push(format!("{name}: {e:#}\n    (the focus on {focus})"));
                }
            }
            let _ = reset(&app).await;
        }};
    }

    journey!("unlock", found => unlock(&app));
    if !failed.is_empty() {
        let _ = app.close().await;
        bail!(
            "the keyboard journeys could not start: {}",
            failed.join("\n")
        );
    }
    journey!("triage", found => triage(&app, &inbox));
    journey!("read and come back", found => read(&app, &inbox, &mut found));
    journey!("compose and send", found => compose(&app, &mut found));
    journey!("search", found => search(&app, &mut found));
    journey!("draft: open, clear, leave", found => draft(&app, &draft_id, &mut found));
    journey!("a letter typed in a field", found => typing_is_not_a_shortcut(&app, &inbox));
    journey!("zoom to 200 %", found => zoom(&app));
    journey!("shortcuts turned off", found => shortcuts_off(&app, &inbox));

    let _ = std::fs::copy(session.app_log(), artifacts().join("keyboard-app.log"));
    app.close().await?;
    eprintln!("keyboard journeys passed: {passed:?}");
    if !failed.is_empty() {
        bail!(
            "{} of {} keyboard journeys failed:\n  {}",
            failed.len(),
            failed.len() + passed.len(),
            failed.join("\n  ")
        );
    }
    Ok(())
}
