#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Accessibility of every screen of the real app (WCAG 2.1 A and AA, RGAA 4.1 follows it):
//!
//! - axe-core (ui/package.json, `npm ci` in ui) is handed to the app's webview through
//!   WebDriver and run with the WCAG 2.0/2.1 A and AA rules and the best practices on each
//!   screen and state: the first screen (create a profile, link a device, their errors),
//!   unlock (and its error), the inbox (its three sections, items of each precedence, a
//!   selected row), the reader (two panes and full width), search (results, none), the
//!   composer (empty, with its errors), the drafts and a draft with its clearance panel,
//!   contacts (the safety number, a refused card), spaces (a space, the confirmation of a
//!   member's removal), settings (relay, devices, linking a device, an error), import (its
//!   report with a refused file), the shortcuts dialog, and the narrow window (320 px: the
//!   list, the reader, the composer, settings) where nothing may scroll sideways;
//! - the markup of every screen and state checked (its doctype and DOM as the app made them)
//!   is valid HTML (RGAA 8.2): html-validate (ui/package.json) run by node at the end on all
//!   of them (`diplomatie_e2e::markup`), after a document with known errors it must find;
//! - with WCAG 1.4.12's text spacing put in the page (RGAA 10.12), alone and with text 150 %
//!   larger, the inbox rows and the search results (one with a two-line snippet) show all of
//!   their text: nothing goes past a row, and no row overlaps the next;
//! - the selected row of the inbox stands out: for each precedence, its marker has a WCAG
//!   contrast of at least 3:1 with the row's background and with what the row showed before
//!   it was selected (colours read with getComputedStyle, ratios computed here);
//! - with the system asking for reduced motion and more contrast (GTK's
//!   gtk-enable-animations=false and HighContrast theme, which WebKitGTK reports as
//!   `prefers-reduced-motion: reduce` and `prefers-contrast: more`; WebKitWebDriver itself
//!   emulates no media feature), nothing on screen moves, and the main screens and the
//!   selected row pass the same checks in the colours they then take.
//!
//! One app session per profile (a first app for the first screen, a second for every
//! screen of the profile, a third with the system's preferences). Every screen is checked even when one fails; the test fails at the end with, for
//! each violation, the screen, the rule, its impact, its help address and the selectors of
//! the elements at fault (never the page's text).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use diplomatie_e2e::axe::{AxeOptions, Violation, WCAG_TAGS, axe_source};
use diplomatie_e2e::contrast::{Rgba, contrast_ratio, flatten, parse_color, shadow_colors};
use diplomatie_e2e::fixture::{self, PRECEDENCES};
use diplomatie_e2e::markup::{self, CANARY, CANARY_RULES, MarkupError};
use diplomatie_e2e::{App, PASSPHRASE, Session, artifacts, checked, screenshot_of, step};
use fantoccini::key::Key;
use serde_json::Value;

/// The longest the whole test may take (it visits every screen, with three app starts).
const LIMIT: Duration = Duration::from_secs(600);

/// The narrow window of WCAG's reflow criterion (1.4.10): 320 CSS pixels wide.
const NARROW: u32 = 320;

/// Best-practice rules not enforced, each with the reason. (Every WCAG rule is enforced.)
const NOT_ENFORCED: &[(&str, &str)] = &[];

/// What the run found, screen by screen.
struct Audit {
    source: String,
    options: AxeOptions<'static>,
    violations: Vec<(String, Violation)>,
    /// Other failures: a screen that could not be reached, a contrast, a reflow, motion.
    problems: Vec<String>,
    /// The rules axe-core could not decide (for a person to review): by rule and element,
    /// the screens where it could not.
    review: BTreeMap<(String, String), Vec<String>>,
    screens: usize,
    /// The markup of each screen checked (its name, its doctype and DOM), validated at the end.
    documents: Vec<(String, String)>,
    /// The markup errors: by error, the screens where it is.
    invalid: BTreeMap<(String, String, String), (MarkupError, Vec<String>)>,
    /// The X display, for a screenshot of a screen that could not be reached.
    display: String,
}

impl Audit {
    fn new(session: &Session) -> Result<Self> {
        let mut tags = WCAG_TAGS.to_vec();
        tags.push("best-practice");
        Ok(Self {
            source: axe_source()?,
            options: AxeOptions {
                tags,
                disabled_rules: NOT_ENFORCED.iter().map(|(r, _)| *r).collect(),
            },
            violations: Vec::new(),
            problems: Vec::new(),
            review: BTreeMap::new(),
            screens: 0,
            documents: Vec::new(),
            invalid: BTreeMap::new(),
            display: session.display.clone(),
        })
    }

    /// Checks the screen `name` with axe once `reached` (getting there) succeeded; a screen
    /// that could not be reached is recorded as such.
    async fn screen(&mut self, app: &App, name: &str, reached: Result<()>) {
        step(&format!("axe: {name}"));
        if let Err(e) = reached {
            let shot = artifacts().join(format!(
                "accessibility-{}.png",
                name.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
            ));
            let _ = screenshot_of(&self.display, &shot);
            self.problem(format!(
                "{name}: the screen could not be reached: {e:#} (screenshot {})",
                shot.display()
            ));
            return;
        }
        // What was just shown has painted (axe's colour checks read the rendering).
        tokio::time::sleep(Duration::from_millis(250)).await;
        match app.axe(&self.source, &self.options).await {
            Ok((found, undecided)) => {
                self.screens += 1;
                for (rule, targets) in undecided {
                    for target in targets {
                        self.review
                            .entry((rule.clone(), target))
                            .or_default()
                            .push(name.to_owned());
                    }
                }
                for v in found {
                    eprintln!("    {name}: {v}");
                    self.violations.push((name.to_owned(), v));
                }
            }
            Err(e) => self.problems.push(format!("{name}: axe-core: {e:#}")),
        }
        match app.document_markup().await {
            Ok(html) => self.documents.push((name.to_owned(), html)),
            Err(e) => self.problem(format!("{name}: {e:#}")),
        }
    }

    /// Validates the markup of every screen checked (RGAA 8.2), after a document with known
    /// errors that must be found, which shows the validator at work.
    fn validate_markup(&mut self) {
        step(&format!("html-validate: {} screens", self.documents.len()));
        let mut documents = vec![("canary".to_owned(), CANARY.to_owned())];
        documents.append(&mut self.documents);
        let (version, errors) = match markup::validate(&documents) {
            Ok(answer) => answer,
            Err(e) => return self.problem(format!("html-validate: {e:#}")),
        };
        let mut errors = errors.into_iter();
        let canary: Vec<String> = errors
            .next()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.rule)
            .collect();
        if let Some(missed) = CANARY_RULES
            .iter()
            .find(|r| !canary.iter().any(|c| c == *r))
        {
            self.problem(format!(
                "html-validate {version} does not work: on its canary it did not find \
                 {missed} (it found {canary:?})"
            ));
        }
        for ((name, _), found) in documents.iter().skip(1).zip(errors) {
            for e in found {
                eprintln!("    {name}: markup: {e}");
                self.invalid
                    .entry((e.rule.clone(), e.message.clone(), e.selector.clone()))
                    .or_insert_with(|| (e, Vec::new()))
                    .1
                    .push(name.clone());
            }
        }
        if self.invalid.is_empty() {
            eprintln!(
                "html-validate {version}: the markup of {} screens is valid",
                documents.len() - 1
            );
        }
    }

    fn problem(&mut self, what: String) {
        eprintln!("    problem: {what}");
        self.problems.push(what);
    }

    /// Records a failed step that is not a screen of its own.
    fn record(&mut self, what: &str, result: Result<()>) {
        if let Err(e) = result {
            self.problem(format!("{what}: {e:#}"));
        }
    }

    fn report(&self) -> Result<()> {
        if !self.review.is_empty() {
            eprintln!("axe-core left these to review by a person (not failures):");
            for ((rule, target), screens) in &self.review {
                eprintln!(
                    "  {rule} at {target}: {} ({} screens)",
                    screens.first().map(String::as_str).unwrap_or_default(),
                    screens.len()
                );
            }
        }
        if self.violations.is_empty() && self.invalid.is_empty() && self.problems.is_empty() {
            eprintln!("accessibility: {} screens, no violation", self.screens);
            return Ok(());
        }
        let mut out = format!(
            "accessibility: {} violations on {} screens checked, {} markup errors, {} other \
             problems\n",
            self.violations.len(),
            self.screens,
            self.invalid.len(),
            self.problems.len()
        );
        for (screen, v) in &self.violations {
            let kind = if v.is_wcag() { "WCAG" } else { "best practice" };
            let _ = writeln!(out, "  [{screen}] {kind}: {v}");
        }
        for (e, screens) in self.invalid.values() {
            let _ = writeln!(
                out,
                "  [{}{}] markup: {e}",
                screens.first().map(String::as_str).unwrap_or_default(),
                if screens.len() > 1 {
                    format!(" and {} more screens", screens.len() - 1)
                } else {
                    String::new()
                }
            );
        }
        for p in &self.problems {
            let _ = writeln!(out, "  {p}");
        }
        bail!("{out}")
    }
}

/// Waits until `css` matches at least one element.
async fn shown(app: &App, css: &str) -> Result<()> {
    app.wait_css(css).await?;
    Ok(())
}

/// The selector of the elements with this test id.
fn tid(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

impl Audit {
    /// Clicks the element `click` (a CSS selector), waits for `ready` (one too), and checks
    /// the screen `name`.
    async fn visit(&mut self, app: &App, name: &str, click: &str, ready: &str) {
        let r = async {
            app.wait_css(click).await?.click().await?;
            shown(app, ready).await
        }
        .await;
        self.screen(app, name, r).await;
    }
}

/// Waits until an element shows that something was refused: a field marked invalid or an
/// alert.
async fn refused(app: &App) -> Result<()> {
    app.wait_css("[aria-invalid=\"true\"], [role=\"alert\"]")
        .await?;
    Ok(())
}

/// The first screen, on a folder with no profile: create one, link a device, their errors.
async fn first_screen(audit: &mut Audit, app: &App) {
    let r = app.wait_screen("onboarding").await;
    match app.axe_canary(&audit.source).await {
        Ok(found) if found.len() == 2 => {}
        Ok(found) => audit.problem(format!(
            "axe-core does not work in this webview: on its canary it found {found:?}, not \
             image-alt and color-contrast"
        )),
        Err(e) => audit.problem(format!("axe-core does not run in this webview: {e:#}")),
    }
    audit.screen(app, "first screen: create a profile", r).await;
    let r = async {
        app.fill("onboarding-passphrase", "court").await?;
        app.fill("onboarding-passphrase-confirm", "autre").await?;
        refused(app).await
    }
    .await;
    audit
        .screen(app, "first screen: create a profile, passphrases differ", r)
        .await;
    audit
        .visit(
            app,
            "first screen: link a device",
            &tid("onboarding-link"),
            &tid("link-join"),
        )
        .await;
    let r = async {
        app.fill("link-code", "DIPLOMATIE-LIEN:pas un code").await?;
        app.fill("link-label", "Portable").await?;
        app.fill("link-passphrase", PASSPHRASE).await?;
        app.fill("link-passphrase-confirm", PASSPHRASE).await?;
        app.click("link-submit").await?;
        app.wait_until("the code refused", || async {
            Ok(app.attr("link-code", "aria-invalid").await?.as_deref() == Some("true"))
        })
        .await
    }
    .await;
    audit
        .screen(app, "first screen: link a device, refused", r)
        .await;
}

/// What may show a row's state, read in the page: the backgrounds from the row up, and its
/// box-shadow, borders and outline (and those of its ::before and ::after).
const ROW_LOOK: &str = r#"
const row = document.querySelector(arguments[0]);
if (!row) return null;
const backgrounds = [];
for (let n = row; n; n = n.parentElement) backgrounds.push(getComputedStyle(n).backgroundColor);
const marks = [];
const look = (cs, where) => {
  marks.push([`${where}box-shadow`, cs.boxShadow, 'shadow']);
  for (const side of ['top', 'right', 'bottom', 'left']) {
    const w = parseFloat(cs.getPropertyValue(`border-${side}-width`));
    const s = cs.getPropertyValue(`border-${side}-style`);
    if (w > 0 && s !== 'none' && s !== 'hidden') marks.push([`${where}border-${side}`, cs.getPropertyValue(`border-${side}-color`), 'color']);
  }
  if (parseFloat(cs.outlineWidth) > 0 && cs.outlineStyle !== 'none') marks.push([`${where}outline`, cs.outlineColor, 'color']);
};
look(getComputedStyle(row), '');
for (const p of ['::before', '::after']) {
  const cs = getComputedStyle(row, p);
  if (cs.content && cs.content !== 'none' && cs.content !== 'normal') {
    marks.push([`${p} background`, cs.backgroundColor, 'color']);
    look(cs, `${p} `);
  }
}
return { backgrounds, marks, selected: row.getAttribute('aria-selected') };
"#;

/// How a row looks: the colour of its background, and the colour of each mark it paints.
#[derive(Debug, Clone)]
struct RowLook {
    background: Rgba,
    marks: Vec<(String, Rgba)>,
    selected: bool,
}

impl std::fmt::Display for RowLook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "background {}", self.background)?;
        for (what, c) in &self.marks {
            write!(f, ", {what} {c}")?;
        }
        Ok(())
    }
}

async fn row_look(app: &App, id: &str) -> Result<RowLook> {
    let css = format!("[data-testid=\"item-row\"][data-id=\"{id}\"]");
    let v = app.client.execute(ROW_LOOK, vec![Value::from(css)]).await?;
    if v.is_null() {
        bail!("no row {id} on screen");
    }
    let backgrounds: Vec<Rgba> = v["backgrounds"]
        .as_array()
        .context("backgrounds")?
        .iter()
        .filter_map(|c| c.as_str().and_then(parse_color))
        .collect();
    let background = flatten(&backgrounds);
    let mut marks = Vec::new();
    for m in v["marks"].as_array().context("marks")? {
        let (what, value, kind) = (
            m[0].as_str().unwrap_or_default(),
            m[1].as_str().unwrap_or_default(),
            m[2].as_str().unwrap_or_default(),
        );
        let colors = if kind == "shadow" {
            shadow_colors(value)
        } else {
            parse_color(value).into_iter().collect()
        };
        for (i, c) in colors.into_iter().enumerate() {
            if c.is_transparent() {
                continue;
            }
            let name = if i == 0 {
                what.to_owned()
            } else {
                format!("{what} #{}", i + 1)
            };
            marks.push((name, c.over(background)));
        }
    }
    Ok(RowLook {
        background,
        marks,
        selected: v["selected"].as_str() == Some("true"),
    })
}

/// Whether the selected look of a row tells it apart from its unselected look: a mark of
/// the selected row (one it did not have, or of another colour) with 3:1 against the row's
/// background and against what was there before; or a background change of 3:1.
fn stands_out(before: &RowLook, after: &RowLook) -> Result<(), String> {
    let mut tried = Vec::new();
    for (what, c) in &after.marks {
        let was = before
            .marks
            .iter()
            .find(|(w, _)| w == what)
            .map_or(before.background, |(_, c)| *c);
        if was == *c {
            continue;
        }
        let inside = contrast_ratio(*c, after.background);
        let change = contrast_ratio(*c, was);
        if inside >= 3.0 && change >= 3.0 {
            return Ok(());
        }
        tried.push(format!(
            "{what} {c}: {inside:.2}:1 against the row's background, {change:.2}:1 against {was} before"
        ));
    }
    let backgrounds = contrast_ratio(after.background, before.background);
    if backgrounds >= 3.0 {
        return Ok(());
    }
    Err(format!(
        "no mark of the selection reaches 3:1 ({}); the background changes from {} to {} \
         ({backgrounds:.2}:1). Unselected: {before}. Selected: {after}",
        if tried.is_empty() {
            "no mark appears or changes colour".to_owned()
        } else {
            tried.join("; ")
        },
        before.background,
        after.background,
    ))
}

/// Each row of the action section (one of each precedence at least) selected in turn with
/// `j`, from the first; `mode` names the colours in use ("" for the usual ones).
async fn selected_row_contrast(
    audit: &mut Audit,
    app: &App,
    action: &[String],
    mode: &str,
) -> Result<()> {
    step(&format!(
        "contrast: the selected row of each precedence{mode}"
    ));
    app.click("tab-action").await?;
    app.wait_until("the items of each precedence for action", || async {
        let rows = app.rows().await?;
        Ok(action.iter().all(|id| rows.iter().any(|r| &r.id == id)))
    })
    .await?;
    let rows = app.rows().await?;
    let precedences: Vec<&str> = rows.iter().map(|r| r.precedence.as_str()).collect();
    ensure!(
        PRECEDENCES.iter().all(|p| precedences.contains(p)),
        "a row of each precedence for action: {precedences:?}"
    );
    // Keys go to the list, not to a field.
    app.client
        .execute(
            "document.activeElement && document.activeElement.blur();",
            Vec::new(),
        )
        .await?;
    let mut unselected: Vec<Option<RowLook>> = Vec::new();
    for row in &rows {
        let look = row_look(app, &row.id).await?;
        unselected.push((!look.selected).then_some(look));
    }
    for (i, row) in rows.iter().enumerate() {
        let id = row.id.as_str();
        if i > 0 {
            app.press(&['j']).await?;
        }
        app.wait_until("the row selected", || async {
            Ok(row_look(app, id).await?.selected)
        })
        .await?;
        let selected = row_look(app, id).await?;
        if i == 0 {
            // The first row is selected at first: its unselected look is read after `j`.
            app.press(&['j']).await?;
            app.wait_until("the next row selected", || async {
                Ok(!row_look(app, id).await?.selected)
            })
            .await?;
            unselected[0] = Some(row_look(app, id).await?);
            app.press(&['k']).await?;
        }
        let before = unselected[i]
            .clone()
            .context("the row's look before its selection")?;
        let what = format!("row {} ({}){mode}", i + 1, row.precedence);
        match stands_out(&before, &selected) {
            Ok(()) => eprintln!("    {what}: the selected row stands out ({selected})"),
            Err(why) => audit.problem(format!("contrast of the selected row, {what}: {why}")),
        }
    }
    Ok(())
}

/// Horizontal scrolling at the window's width: the page, and the elements that go past its
/// right edge (by selector), outside of scrolling boxes of their own.
const OVERFLOW: &str = r#"
const width = document.documentElement.clientWidth;
const page = document.scrollingElement ? document.scrollingElement.scrollWidth : 0;
const sel = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
  (e.getAttribute('data-testid') ? `[data-testid="${e.getAttribute('data-testid')}"]` : '') +
  [...e.classList].slice(0, 2).map((c) => '.' + c).join('');
const scrolls = (e) => { for (let n = e.parentElement; n; n = n.parentElement) {
  const o = getComputedStyle(n).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return n !== document.documentElement && n !== document.body; } return false; };
const wide = [];
for (const e of document.querySelectorAll('body *')) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) continue;
  if (r.right > width + 1 && !scrolls(e)) wide.push(sel(e) + ` (right edge at ${Math.round(r.right)}px)`);
}
const sideways = [...document.querySelectorAll('body *')].filter((e) => {
  const o = getComputedStyle(e).overflowX;
  return (o === 'auto' || o === 'scroll') && e.scrollWidth > e.clientWidth + 1 && e.clientHeight > 0;
}).map((e) => sel(e) + ` (${e.scrollWidth}px of content in ${e.clientWidth}px)`);
return { width, page, wide: wide.slice(0, 8), sideways: sideways.slice(0, 8) };
"#;

/// At the narrow width, nothing makes the page (or a box in it) scroll sideways.
async fn reflows(audit: &mut Audit, app: &App, screen: &str) {
    let v = match app.client.execute(OVERFLOW, Vec::new()).await {
        Ok(v) => v,
        Err(e) => return audit.problem(format!("reflow, {screen}: {e}")),
    };
    let width = v["width"].as_u64().unwrap_or_default();
    let page = v["page"].as_u64().unwrap_or_default();
    let list = |k: &str| -> Vec<String> {
        v[k].as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (wide, sideways) = (list("wide"), list("sideways"));
    if page > width + 1 || !wide.is_empty() || !sideways.is_empty() {
        audit.problem(format!(
            "reflow at {width}px, {screen}: the page is {page}px wide; past the right edge: {}; \
             boxes scrolling sideways: {}",
            if wide.is_empty() {
                "none".to_owned()
            } else {
                wide.join(", ")
            },
            if sideways.is_empty() {
                "none".to_owned()
            } else {
                sideways.join(", ")
            },
        ));
    }
}

/// WCAG 1.4.12's text spacing (RGAA 10.12), as a user's style sheet would set it: line
/// height 1.5 times the font size, paragraphs 2 times apart, letters 0.12 and words 0.16 times
/// the font size apart.
const TEXT_SPACING: &str = "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; \
     word-spacing: 0.16em !important } p { margin-bottom: 2em !important }";

/// The same spacing with text half as large again, as a user's larger default font gives it.
const TEXT_SPACING_LARGER: &str = "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; \
     word-spacing: 0.16em !important } p { margin-bottom: 2em !important } \
     html { font-size: 150% !important }";

/// The style sheets `text_spacing` applies in turn: what each is, its CSS.
const SPACINGS: &[(&str, &str)] = &[
    ("WCAG 1.4.12's text spacing", TEXT_SPACING),
    ("that spacing and text 150 % larger", TEXT_SPACING_LARGER),
];

/// A word found in one item of the fixture only: a long body, so that its result's snippet
/// takes the two lines it may have.
const LONG_SNIPPET_WORD: &str = "wurtembergeoises";

/// Puts the style sheet `arguments[1]` in the page (none: takes it out), under id `arguments[0]`.
const SPACING_SHEET: &str = r#"
const [id, css] = arguments;
document.getElementById(id)?.remove();
if (css) {
  const sheet = document.createElement('style');
  sheet.id = id;
  sheet.textContent = css;
  document.head.append(sheet);
}
"#;

/// Whether the rows `arguments[0]` (a selector) show all of their text: no row has more
/// content than its height, no element of a row goes past its top or bottom, a snippet
/// clamped to two lines shows two whole lines (or all of it), and rows do not overlap. Also
/// reads the spacing in force on the rows' text, to show the style sheet applies.
const CLIPPED_ROWS: &str = r#"
const rows = [...document.querySelectorAll(arguments[0])].filter((r) => r.getBoundingClientRect().height > 0);
const clipped = [];
const sel = (e) => e.tagName.toLowerCase() + [...e.classList].slice(0, 2).map((c) => '.' + c).join('');
const px = (cs) => { const v = cs.lineHeight; return v.endsWith('px') ? parseFloat(v) : parseFloat(v) * parseFloat(cs.fontSize); };
let spacing = null;
const boxes = [];
for (const row of rows) {
  const at = `row ${row.getAttribute('aria-posinset')}`;
  const box = row.getBoundingClientRect();
  boxes.push([box.top, box.bottom, at]);
  if (row.scrollHeight > row.clientHeight + 1) clipped.push(`${at}: ${row.scrollHeight}px of content in ${row.clientHeight}px`);
  for (const e of row.querySelectorAll('*')) {
    if (e.closest('.visually-hidden')) continue;
    const snippet = e.closest('.snippet');
    if (snippet && snippet !== e) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) clipped.push(`${at}: ${sel(e)} from ${r.top.toFixed(1)} to ${r.bottom.toFixed(1)}px, the row from ${box.top.toFixed(1)} to ${box.bottom.toFixed(1)}px`);
    const cs = getComputedStyle(e);
    if (e === snippet) {
      // Two lines, or all of it if shorter (WebKit lays lines out in whole px).
      const whole = Math.min(e.scrollHeight, 2 * Math.floor(px(cs)));
      if (e.clientHeight < whole) clipped.push(`${at}: ${sel(e)} shows ${e.clientHeight}px of ${whole}px (two lines at most)`);
    }
    if (spacing === null && e.matches('.row-subject')) spacing = { lineHeight: px(cs) / parseFloat(cs.fontSize), letterSpacing: parseFloat(cs.letterSpacing) / parseFloat(cs.fontSize), wordSpacing: parseFloat(cs.wordSpacing) / parseFloat(cs.fontSize) };
  }
}
boxes.sort((a, b) => a[0] - b[0]);
for (let i = 1; i < boxes.length; i += 1) {
  if (boxes[i][0] < boxes[i - 1][1] - 1) clipped.push(`${boxes[i][2]} overlaps ${boxes[i - 1][2]}`);
}
return { rows: rows.length, clipped: clipped.slice(0, 12), spacing };
"#;

/// The rows `css` on screen with each of `SPACINGS` put in the page while they are shown:
/// once they have taken it (their height follows their text), they must show all of their
/// text, and the spacing must be the one asked for. The style sheet is taken out after.
async fn text_spacing(app: &App, what: &str, css: &str) -> Result<()> {
    let mut failed = Vec::new();
    for (spacing, sheet) in SPACINGS {
        if let Err(e) = spaced_rows(app, &format!("{what}, {spacing}"), css, sheet).await {
            failed.push(format!("{e:#}"));
        }
    }
    ensure!(failed.is_empty(), "{}", failed.join("\n  "));
    Ok(())
}

async fn spaced_rows(app: &App, what: &str, css: &str, style: &str) -> Result<()> {
    step(&format!("text spacing: {what}"));
    const SHEET: &str = "wcag-text-spacing";
    app.client
        .execute(SPACING_SHEET, vec![Value::from(SHEET), Value::from(style)])
        .await?;
    let last = std::sync::Mutex::new(Value::Null);
    let fits = app
        .wait_until("rows that show all of their text", || async {
            let v = app
                .client
                .execute(CLIPPED_ROWS, vec![Value::from(css)])
                .await?;
            let ok = v["rows"].as_u64().unwrap_or_default() > 0
                && v["clipped"].as_array().is_some_and(Vec::is_empty);
            *last.lock().unwrap() = v;
            Ok(ok)
        })
        .await;
    app.client
        .execute(SPACING_SHEET, vec![Value::from(SHEET), Value::Null])
        .await?;
    let last = last.into_inner().unwrap();
    let spacing = &last["spacing"];
    let near = |k: &str, want: f64| spacing[k].as_f64().is_some_and(|v| (v - want).abs() < 0.02);
    ensure!(
        near("lineHeight", 1.5) && near("letterSpacing", 0.12) && near("wordSpacing", 0.16),
        "{what}: the text spacing did not apply to the rows' text: {spacing}"
    );
    if fits.is_err() {
        let clipped: Vec<&str> = last["clipped"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        bail!(
            "{what}: {} rows on screen, text cut: {}",
            last["rows"],
            clipped.join("; ")
        );
    }
    eprintln!("    {what}: {} rows show all of their text", last["rows"]);
    Ok(())
}

/// Motion on the page: running animations, transitions longer than nothing, smooth scrolling.
const MOTION: &str = r#"
const moving = [];
const sel = (e) => e.tagName.toLowerCase() + (e.getAttribute('data-testid') ? `[data-testid="${e.getAttribute('data-testid')}"]` : '') +
  [...e.classList].slice(0, 2).map((c) => '.' + c).join('');
const secs = (list) => Math.max(0, ...list.split(',').map((s) => parseFloat(s) * (s.trim().endsWith('ms') ? 0.001 : 1)));
for (const e of [document.documentElement, ...document.querySelectorAll('body, body *')]) {
  for (const p of [null, '::before', '::after']) {
    const cs = getComputedStyle(e, p);
    const where = sel(e) + (p || '');
    if (cs.animationName && cs.animationName !== 'none' && secs(cs.animationDuration) > 0.01) moving.push(`${where}: animation ${cs.animationName} ${cs.animationDuration}`);
    if (secs(cs.transitionDuration) > 0.01 && cs.transitionProperty !== 'none') moving.push(`${where}: transition ${cs.transitionProperty} ${cs.transitionDuration}`);
    if (p === null && cs.scrollBehavior === 'smooth') moving.push(`${where}: smooth scrolling`);
  }
}
const running = document.getAnimations ? document.getAnimations().filter((a) => a.playState === 'running').length : 0;
return { moving: moving.slice(0, 10), running, reduce: matchMedia('(prefers-reduced-motion: reduce)').matches };
"#;

async fn still(audit: &mut Audit, app: &App, screen: &str) -> Result<()> {
    let v = app.client.execute(MOTION, Vec::new()).await?;
    let moving: Vec<String> = v["moving"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let running = v["running"].as_u64().unwrap_or_default();
    if !moving.is_empty() || running > 0 {
        audit.problem(format!(
            "reduced motion, {screen}: {running} animations running; {}",
            moving.join("; ")
        ));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_passes_axe_the_selected_row_stands_out_and_the_system_preferences_hold()
-> Result<()> {
    let mut session = Session::start()?;
    let mut audit = Audit::new(&session)?;

    // The first screen: an app on a folder with no profile.
    step("the first screen");
    let newcomer = session.other_profile_dir("newcomer");
    let app = session.app_on(&newcomer, &[]).await?;
    let result = match tokio::time::timeout(LIMIT, first_screen(&mut audit, &app)).await {
        Ok(()) => Ok(()),
        Err(_) => Err(anyhow::anyhow!("the first screen took over {LIMIT:?}")),
    };
    if let Err(e) = checked("accessibility_first_screen", &session, result) {
        audit.problem(format!("the first screen stopped there: {e:#}"));
    }
    app.close().await?;

    // Alice's profile: every precedence, the three sections, a contact, a draft waiting for
    // her, a relay and a space.
    let inbox = fixture::alice_inbox(&session)?;
    // For information, so that the action section stays the fixture's: a long body, whose
    // search result has a snippet of two lines.
    let body = format!(
        "Les administrations intercommunales {LONG_SNIPPET_WORD} renouvellent conjointement \
         leurs engagements environnementaux transfrontaliers, particulièrement concernant \
         l'approvisionnement énergétique, l'aménagement hydrographique, l'interconnexion \
         ferroviaire, l'harmonisation réglementaire et l'accompagnement professionnel \
         interrégional."
    );
    session.diplo(&[
        "compose",
        "telegram",
        "--subject",
        "Coopération transfrontalière",
        "--precedence",
        "routine",
        "--action",
        "BERLIN",
        "--info",
        fixture::ORG,
        "--body",
        &body,
    ])?;
    let bob = fixture::bob_contact(&session)?;
    let draft = fixture::draft_waiting_for_alice(&session, &bob, "Visite du ministre")?;
    // Carol: a contact not verified yet (her safety number to compare).
    let carol = session.other_profile_dir("carol");
    session.init_profile_at(&carol, "Carol Dupont", fixture::ORG, "carol@dfae.example")?;
    let carol_card = diplomatie_e2e::last_line(&session.diplo_on(&carol, &["identity"])?)?;
    session.diplo(&["contact", "add", &carol_card])?;
    let relay = session.relay()?;
    step("fixture: relay, space");
    session.diplo(&["relay", "join", &relay.url, "--token", &relay.invite()?])?;
    session.diplo_on(
        &bob,
        &["relay", "join", &relay.url, "--token", &relay.invite()?],
    )?;
    session.diplo(&["space", "create", "Poste de Berlin", "--kind", "unit"])?;
    session.diplo(&["sync"])?;
    session.diplo(&["space", "add", "Poste de Berlin", fixture::BOB])?;
    session.diplo(&["sync"])?;
    // The import's folder, answered by the file dialog (debug builds only).
    let dialog = session.dir.path().join("dialog-answer");
    let folder = session.dir.path().join("courriels");
    std::fs::create_dir_all(&folder)?;
    std::fs::write(
        folder.join("1-bon.eml"),
        "From: Bob <bob@quai.example>\r\nTo: alice@dfae.example\r\nSubject: Rendez-vous\r\n\
         Date: Tue, 24 Nov 2026 09:00:00 +0100\r\nMessage-ID: <rdv@quai.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nBonjour.\r\n",
    )?;
    std::fs::write(folder.join("2-mauvais.eml"), b"pas un courriel\x00\xff")?;
    std::fs::write(&dialog, format!("{}\n", folder.display()))?;
    let dialog_env = dialog.display().to_string();

    let app = session
        .app(&[("DIPLOMATIE_TEST_DIALOG", &dialog_env)])
        .await?;
    let result =
        match tokio::time::timeout(LIMIT, main_screens(&mut audit, &app, &inbox, &draft)).await {
            Ok(r) => r,
            Err(_) => Err(anyhow::anyhow!("the app's screens took over {LIMIT:?}")),
        };
    if let Err(e) = checked("accessibility_app", &session, result) {
        audit.problem(format!("the profile's screens stopped there: {e:#}"));
    }
    app.close().await?;

    // The system's preferences: GTK's animations off and its high-contrast theme, which
    // WebKitGTK reads as prefers-reduced-motion: reduce and prefers-contrast: more.
    step("reduced motion and high contrast");
    session.gtk_settings(&["gtk-enable-animations=false", "gtk-theme-name=HighContrast"])?;
    let app = session.app(&[]).await?;
    let result =
        match tokio::time::timeout(LIMIT, preferences(&mut audit, &app, &inbox, &draft)).await {
            Ok(r) => r,
            Err(_) => Err(anyhow::anyhow!(
                "the system's preferences took over {LIMIT:?}"
            )),
        };
    if let Err(e) = checked("accessibility_preferences", &session, result) {
        audit.problem(format!("the system's preferences stopped there: {e:#}"));
    }
    app.close().await?;
    drop(relay);
    audit.validate_markup();
    audit.report()
}

async fn main_screens(
    audit: &mut Audit,
    app: &App,
    inbox: &fixture::Inbox,
    draft: &str,
) -> Result<()> {
    // Unlock, and its refusal.
    let r = app.wait_screen("unlock").await;
    audit.screen(app, "unlock", r).await;
    let r = async {
        app.fill("unlock-passphrase", "pas la phrase de passe")
            .await?;
        app.click("unlock-submit").await?;
        shown(app, "[data-testid=\"unlock-error\"]").await
    }
    .await;
    audit.screen(app, "unlock, wrong passphrase", r).await;
    app.fill("unlock-passphrase", PASSPHRASE).await?;
    app.click("unlock-submit").await?;
    app.wait_screen("main").await?;

    // The selected row's contrast, then the inbox's sections with a row selected.
    let r = selected_row_contrast(audit, app, &inbox.action, "").await;
    audit.record("contrast of the selected row", r);
    let r = async {
        app.click("tab-action").await?;
        app.wait_until("rows for action", || async {
            Ok(app.rows().await?.len() == inbox.action.len())
        })
        .await?;
        // The list focused (as Tab would), the next row selected with the arrow key.
        app.client
            .execute(
                "document.querySelector('[data-testid=\"inbox-list\"]').focus();",
                Vec::new(),
            )
            .await?;
        app.press(&[Key::Down.into()]).await
    }
    .await;
    audit
        .screen(app, "inbox: for action, a row selected", r)
        .await;
    let r = text_spacing(app, "inbox rows", "[data-testid=\"item-row\"]").await;
    audit.record("text spacing (WCAG 1.4.12)", r);
    for (section, id) in [("info", &inbox.info), ("unrouted", &inbox.unrouted)] {
        let r = async {
            app.click(&format!("tab-{section}")).await?;
            shown(
                app,
                &format!("[data-testid=\"item-row\"][data-id=\"{id}\"]"),
            )
            .await
        }
        .await;
        audit.screen(app, &format!("inbox: {section}"), r).await;
    }

    // The reader beside the list: a Diffusion Restreinte telegram, then an email.
    for (what, section, id) in [
        (
            "reader (two panes): a DR telegram",
            "action",
            &inbox.action[1],
        ),
        ("reader (two panes): an email", "unrouted", &inbox.unrouted),
    ] {
        let r = open_item(app, section, id).await;
        audit.screen(app, what, r).await;
    }

    // Search.
    let r = async {
        app.fill("search-input", "baviere").await?;
        shown(app, "[data-testid=\"search-result\"]").await
    }
    .await;
    audit.screen(app, "search: results", r).await;
    let r = async {
        app.fill("search-input", LONG_SNIPPET_WORD).await?;
        app.wait_until("the result with the long snippet", || async {
            let found = app
                .client
                .execute(
                    "return [...document.querySelectorAll('[data-testid=\"search-result\"] mark')] \
                     .some((m) => m.textContent.toLowerCase() === arguments[0]);",
                    vec![Value::from(LONG_SNIPPET_WORD)],
                )
                .await?;
            Ok(found == Value::Bool(true))
        })
        .await?;
        text_spacing(app, "search results", "[data-testid=\"search-result\"]").await
    }
    .await;
    audit.record("text spacing (WCAG 1.4.12)", r);
    let r = async {
        app.fill("search-input", "zyxwvu").await?;
        // The search has answered: no row, and the status counts them (« 0 résultats »).
        app.wait_until("no result", || async {
            let status = app
                .client
                .execute(
                    "const s = document.querySelector('.search-status'); \
                     return s ? s.textContent : '';",
                    Vec::new(),
                )
                .await?;
            Ok(app.find_all("search-result").await?.is_empty()
                && status
                    .as_str()
                    .is_some_and(|t| t.trim_start().starts_with('0')))
        })
        .await
    }
    .await;
    audit.screen(app, "search: no result", r).await;

    // The composer.
    audit
        .visit(
            app,
            "composer: empty",
            &tid("nav-compose"),
            &tid("compose-submit"),
        )
        .await;
    let r = async {
        app.select("compose-kind", "telegram").await?;
        app.click("compose-submit").await?;
        shown(app, "[data-testid=\"compose-errors\"]").await
    }
    .await;
    audit.screen(app, "composer: refused", r).await;
    // The review before sending: an addressee with no unit card (the « not delivered » list
    // shows) and a DR marking (its banner's colours).
    let r = async {
        app.fill("compose-subject", "Point de situation").await?;
        app.fill("compose-action-name-0", "BERLIN").await?;
        app.fill("compose-paragraph-0", "Pour votre information.")
            .await?;
        app.select("compose-marking", "dr").await?;
        app.click("compose-submit").await?;
        shown(app, "[data-testid=\"compose-review-heading\"]").await
    }
    .await;
    audit
        .screen(app, "composer: review before sending", r)
        .await;

    // Drafts.
    let r = async {
        app.click("nav-drafts").await?;
        shown(
            app,
            &format!("[data-testid=\"draft-row\"][data-id=\"{draft}\"]"),
        )
        .await
    }
    .await;
    audit.screen(app, "drafts", r).await;
    let r = async {
        app.click("draft-row").await?;
        shown(app, "[data-testid=\"clearance-panel\"]").await?;
        app.wait_until("the clearance possible", || async {
            Ok(app
                .attr("clearance-clear", "aria-disabled")
                .await?
                .as_deref()
                != Some("true"))
        })
        .await
    }
    .await;
    audit
        .screen(app, "draft editor with its clearance panel", r)
        .await;

    // Contacts.
    audit
        .visit(app, "contacts", &tid("nav-contacts"), &tid("contact-row"))
        .await;
    audit
        .visit(
            app,
            "contacts: safety number",
            "[data-testid=\"contact-row\"][data-state=\"unverified\"] [data-testid=\"contact-verify\"]",
            &tid("safety-panel"),
        )
        .await;
    let r = async {
        app.fill("contact-add-line", "pas une carte").await?;
        app.click("contact-add-submit").await?;
        shown(app, "[data-testid=\"contact-add-error\"]").await
    }
    .await;
    audit.screen(app, "contacts: a card refused", r).await;

    // Spaces.
    audit
        .visit(app, "spaces", &tid("nav-spaces"), &tid("space-row"))
        .await;
    audit
        .visit(
            app,
            "spaces: a space's members",
            "[data-testid=\"space-row\"][data-name=\"Poste de Berlin\"] [data-testid=\"space-open\"]",
            &tid("space-detail"),
        )
        .await;
    audit
        .visit(
            app,
            "spaces: confirm a member's removal",
            &tid("space-member-remove"),
            &tid("space-remove-confirm-form"),
        )
        .await;

    // Settings: every section on one page, then linking a device, then an error.
    let r = async {
        app.click("nav-settings").await?;
        shown(app, "[data-testid=\"settings-relay-joined\"]").await?;
        shown(app, "[data-testid=\"device-row\"]").await
    }
    .await;
    audit.screen(app, "settings (relay, devices)", r).await;
    let r = async {
        app.click("link-start").await?;
        app.wait_until("the link code", || async {
            Ok(app.attr("link-offer", "data-step").await?.as_deref() == Some("waiting"))
        })
        .await
    }
    .await;
    audit.screen(app, "settings: link a device", r).await;
    let r = async {
        app.click("link-close").await?;
        app.fill("settings-exchange-passphrase", "pas la bonne")
            .await?;
        app.click("settings-exchange-join").await?;
        app.wait_until("the refusal", || async {
            Ok(app
                .attr("settings-message", "class")
                .await?
                .unwrap_or_default()
                .contains("msg-error"))
        })
        .await
    }
    .await;
    audit.screen(app, "settings: an error", r).await;

    // Import.
    audit
        .visit(
            app,
            "import",
            &tid("nav-import"),
            &tid("import-pick-folder"),
        )
        .await;
    let r = async {
        app.click("import-pick-folder").await?;
        app.wait_until("the report", || async {
            Ok(app.find_all("import-row").await?.len() == 2)
        })
        .await
    }
    .await;
    audit
        .screen(app, "import: report with a refused file", r)
        .await;

    // The shortcuts dialog.
    let r = async {
        app.click("nav-inbox").await?;
        app.client
            .execute(
                "document.activeElement && document.activeElement.blur();",
                Vec::new(),
            )
            .await?;
        app.press(&['?']).await?;
        shown(app, "[data-testid=\"shortcuts-dialog\"]").await
    }
    .await;
    audit.screen(app, "shortcuts dialog", r).await;
    app.press_key(Key::Escape).await?;

    // The narrow window.
    narrow(audit, app, inbox, draft).await;
    Ok(())
}

/// Opens item `id` from the inbox section that holds it.
async fn open_item(app: &App, section: &str, id: &str) -> Result<()> {
    app.click("nav-inbox").await?;
    app.click(&format!("tab-{section}")).await?;
    app.wait_css(&format!("[data-testid=\"item-row\"][data-id=\"{id}\"]"))
        .await?
        .click()
        .await?;
    app.wait_until("the reader on the item", || async {
        Ok(app.attr("reader", "data-id").await?.as_deref() == Some(id)
            && !app.texts("reader-subject").await?.is_empty())
    })
    .await
}

/// The window made 320 px wide: the list, the reader alone, the composer, a draft, settings.
async fn narrow(audit: &mut Audit, app: &App, inbox: &fixture::Inbox, draft: &str) {
    step("narrow window");
    let width = match app.resize(NARROW, 760).await {
        Ok(w) => w,
        Err(e) => return audit.problem(format!("narrow window: could not resize it: {e:#}")),
    };
    if width > u64::from(NARROW) {
        audit.problem(format!(
            "narrow window: asked for {NARROW}px, the page is {width}px wide (the window's \
             minimum width?): checked at {width}px"
        ));
    }
    let screens: [(&str, &str, Option<&str>); 5] = [
        ("inbox", "[data-testid=\"item-row\"]", None),
        (
            "reader",
            "[data-testid=\"reader-back\"]",
            Some(inbox.action[1].as_str()),
        ),
        ("compose", "[data-testid=\"compose-submit\"]", None),
        ("drafts", "[data-testid=\"clearance-panel\"]", Some(draft)),
        ("settings", "[data-testid=\"device-row\"]", None),
    ];
    for (view, ready, open) in screens {
        let name = format!("narrow ({width}px): {view}");
        let r = async {
            match (view, open) {
                ("reader", Some(id)) => {
                    app.click("nav-inbox").await?;
                    app.click("tab-action").await?;
                    app.wait_css(&format!("[data-testid=\"item-row\"][data-id=\"{id}\"]"))
                        .await?
                        .click()
                        .await?;
                }
                ("drafts", Some(id)) => {
                    app.click("nav-drafts").await?;
                    if app.find_all("draft-editor").await?.is_empty() {
                        app.wait_css(&format!("[data-testid=\"draft-row\"][data-id=\"{id}\"]"))
                            .await?
                            .click()
                            .await?;
                    }
                }
                _ => app.click(&format!("nav-{view}")).await?,
            }
            shown(app, ready).await
        }
        .await;
        let reached = r.is_ok();
        audit.screen(app, &name, r).await;
        if reached {
            reflows(audit, app, &name).await;
        }
    }
    let _ = app.resize(1280, 800).await;
}

/// With reduced motion and more contrast asked for by the system: nothing moves, the screens
/// pass axe-core and the selected row still stands out in the colours they then take.
async fn preferences(
    audit: &mut Audit,
    app: &App,
    inbox: &fixture::Inbox,
    draft: &str,
) -> Result<()> {
    let media = |query: &'static str| async move {
        Ok::<_, anyhow::Error>(
            app.client
                .execute(
                    "return matchMedia(arguments[0]).matches;",
                    vec![Value::from(query)],
                )
                .await?
                == Value::Bool(true),
        )
    };
    let reduce = media("(prefers-reduced-motion: reduce)").await?;
    let more = media("(prefers-contrast: more)").await?;
    if !reduce {
        eprintln!(
            "note: WebKitGTK did not report prefers-reduced-motion from \
             gtk-enable-animations=false: reduced motion not checked"
        );
    }
    if !more {
        eprintln!(
            "note: WebKitGTK did not report prefers-contrast: more from GTK's HighContrast \
             theme: high contrast not checked"
        );
    }
    app.unlock().await?;
    let screens: [(&str, &str, &str); 5] = [
        ("inbox", "nav-inbox", "[data-testid=\"item-row\"]"),
        (
            "composer",
            "nav-compose",
            "[data-testid=\"compose-submit\"]",
        ),
        ("drafts", "nav-drafts", "[data-testid=\"draft-row\"]"),
        ("settings", "nav-settings", "[data-testid=\"device-row\"]"),
        ("contacts", "nav-contacts", "[data-testid=\"contact-row\"]"),
    ];
    for (name, nav, ready) in screens {
        if more {
            audit
                .visit(app, &format!("high contrast: {name}"), &tid(nav), ready)
                .await;
        } else {
            app.click(nav).await?;
            app.wait_css(ready).await?;
        }
        if reduce {
            still(audit, app, name).await?;
        }
    }
    if more {
        app.click("nav-inbox").await?;
        let r = selected_row_contrast(audit, app, &inbox.action, " (high contrast)").await;
        audit.record("contrast of the selected row (high contrast)", r);
        let r = open_item(app, "action", &inbox.action[1]).await;
        audit.screen(app, "high contrast: reader", r).await;
        let r = async {
            app.click("nav-drafts").await?;
            app.wait_css(&format!("[data-testid=\"draft-row\"][data-id=\"{draft}\"]"))
                .await?
                .click()
                .await?;
            shown(app, &tid("clearance-panel")).await
        }
        .await;
        audit
            .screen(
                app,
                "high contrast: draft editor with its clearance panel",
                r,
            )
            .await;
    }
    if reduce {
        open_item(app, "action", &inbox.action[1]).await?;
        still(audit, app, "reader").await?;
    }
    Ok(())
}
