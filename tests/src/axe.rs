//! axe-core (the npm package pinned in ui/package.json, installed by `npm ci` in ui) run in
//! the real app's webview: its `axe.min.js` is handed to the page through WebDriver's
//! execute script, then `axe.run` checks the page as it is on screen.
//!
//! A violation is reported by rule, impact, help address and the selectors of the elements
//! at fault: never by the page's text (a subject, a body, a name).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::App;

/// The WCAG 2.0 and 2.1 success criteria of levels A and AA.
pub const WCAG_TAGS: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Where `npm ci` in ui puts axe-core's browser build.
pub fn axe_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js")
}

/// axe-core's browser build; an error saying what to run when it is not installed.
pub fn axe_source() -> Result<String> {
    let path = axe_path();
    std::fs::read_to_string(&path).with_context(|| {
        format!(
            "axe-core is not installed ({} is missing): run `cd ui && npm ci` \
             (scripts/install-deps.sh does it, `make test` runs that)",
            path.display()
        )
    })
}

/// Attributes whose values may stay in a selector: they name the interface, never what the
/// user wrote or received (an `aria-label` or a `title` may quote a subject or a name).
const KEPT_ATTRIBUTES: &[&str] = &["data-testid", "role", "type", "data-id", "data-index"];

/// A selector from axe-core with the values of other attributes left out:
/// `div[aria-label="…"]` becomes `div[aria-label]`.
pub fn redact_selector(selector: &str) -> String {
    let mut out = String::with_capacity(selector.len());
    let mut rest = selector;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find(']') else {
            out.push_str(after);
            return out;
        };
        let attribute = &after[1..close];
        let name = attribute
            .split(['=', '~', '|', '^', '$', '*'])
            .next()
            .unwrap_or_default();
        if KEPT_ATTRIBUTES.contains(&name) || !attribute.contains('=') {
            out.push_str(&after[..=close]);
        } else {
            out.push('[');
            out.push_str(name);
            out.push(']');
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// One rule broken on one screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The axe rule (`color-contrast`, `label`, …).
    pub rule: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    /// The rule's explanation on dequeuniversity.com.
    pub help_url: String,
    /// The tags of the rule (`wcag2aa`, `wcag143`, `best-practice`, …).
    pub tags: Vec<String>,
    /// A CSS selector of each element at fault.
    pub targets: Vec<String>,
}

impl Violation {
    /// Whether the rule is one of WCAG's (rather than only a best practice).
    pub fn is_wcag(&self) -> bool {
        self.tags.iter().any(|t| WCAG_TAGS.contains(&t.as_str()))
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}) {}\n      at {}",
            self.rule,
            self.impact,
            self.help_url,
            self.targets.join("\n      at ")
        )
    }
}

/// The checks of one run: which tags, and rules left out (each with its reason, in the test).
#[derive(Debug, Clone)]
pub struct AxeOptions<'a> {
    pub tags: Vec<&'a str>,
    pub disabled_rules: Vec<&'a str>,
}

const RUN: &str = r#"
const [tags, disabled, done] = arguments;
const rules = {};
for (const r of disabled) rules[r] = { enabled: false };
window.axe
  .run(document, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] })
  .then(
    (r) => done({ ok: r.violations.map((v) => ({
      rule: v.id,
      impact: v.impact || '',
      helpUrl: v.helpUrl,
      tags: v.tags,
      targets: v.nodes.map((n) => n.target.map((t) => Array.isArray(t) ? t.join(' >>> ') : String(t)).join(' >>> ')),
    })), incomplete: r.incomplete.map((v) => [v.id, v.nodes.map((n) => n.target.map(String).join(' >>> '))]) }),
    (e) => done({ err: String(e && e.message || e) }),
  );
"#;

const CANARY: &str = r#"
const done = arguments[arguments.length - 1];
const box = document.createElement('div');
box.setAttribute('data-axe-canary', '');
box.style.cssText = 'position:fixed;left:0;top:0;background:#ffffff;padding:4px;z-index:99999';
const img = document.createElement('img');
img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
img.width = 8; img.height = 8;
const p = document.createElement('p');
p.textContent = 'axe-core';
p.style.cssText = 'color:#dddddd;background:#ffffff;font-size:14px';
box.append(img, p);
document.body.append(box);
window.axe
  .run(box, { runOnly: { type: 'rule', values: ['image-alt', 'color-contrast'] } })
  .then((r) => { box.remove(); done({ ok: r.violations.map((v) => v.id) }); },
        (e) => { box.remove(); done({ err: String(e && e.message || e) }); });
"#;

impl App {
    /// Puts axe-core in the page unless it is there already (once per page load).
    pub async fn load_axe(&self, source: &str) -> Result<()> {
        let present = self
            .client
            .execute("return typeof window.axe === 'object';", Vec::new())
            .await?;
        if present == Value::Bool(true) {
            return Ok(());
        }
        let loaded = self
            .client
            .execute(
                &format!("{source}\n;return typeof window.axe === 'object';"),
                Vec::new(),
            )
            .await
            .context("hand axe-core to the page")?;
        if loaded != Value::Bool(true) {
            bail!("axe-core did not load in the page");
        }
        Ok(())
    }

    /// Runs axe-core on the page as it is; returns its violations, and the rules it could
    /// not decide (to be reviewed by a person) with the selectors of their elements.
    pub async fn axe(
        &self,
        source: &str,
        options: &AxeOptions<'_>,
    ) -> Result<(Vec<Violation>, Vec<(String, Vec<String>)>)> {
        self.load_axe(source).await?;
        let answer = self
            .client
            .execute_async(
                RUN,
                vec![json!(options.tags), json!(options.disabled_rules)],
            )
            .await
            .context("run axe-core")?;
        if let Some(err) = answer.get("err") {
            bail!("axe-core failed: {err}");
        }
        let list = answer
            .get("ok")
            .and_then(Value::as_array)
            .context("axe-core's violations")?;
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let violations = list
            .iter()
            .map(|v| Violation {
                rule: v["rule"].as_str().unwrap_or_default().to_owned(),
                impact: v["impact"].as_str().unwrap_or_default().to_owned(),
                help_url: v["helpUrl"].as_str().unwrap_or_default().to_owned(),
                tags: strings(&v["tags"]),
                targets: strings(&v["targets"])
                    .iter()
                    .map(|t| redact_selector(t))
                    .collect(),
            })
            .collect();
        let incomplete = answer
            .get("incomplete")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| {
                        let at = strings(&r[1]).iter().map(|t| redact_selector(t)).collect();
                        Some((r[0].as_str()?.to_owned(), at))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok((violations, incomplete))
    }

    /// Shows that axe-core works in this webview: on an element put in the page for the
    /// purpose (and taken out after), an image without a text alternative and grey text on
    /// grey must be found (`image-alt`, `color-contrast`). Returns the rules it found there.
    pub async fn axe_canary(&self, source: &str) -> Result<Vec<String>> {
        self.load_axe(source).await?;
        let answer = self
            .client
            .execute_async(CANARY, Vec::new())
            .await
            .context("run axe-core on its canary")?;
        if let Some(err) = answer.get("err") {
            bail!("axe-core failed on its canary: {err}");
        }
        Ok(answer
            .get("ok")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::redact_selector;

    #[test]
    fn selectors_keep_the_interface_and_lose_what_may_be_text() {
        assert_eq!(
            redact_selector("div[aria-label=\"Commentaires du paragraphe 1\"] > button"),
            "div[aria-label] > button"
        );
        assert_eq!(
            redact_selector("li[data-testid=\"space-row\"][data-name=\"Poste\"] .open"),
            "li[data-testid=\"space-row\"][data-name] .open"
        );
        assert_eq!(redact_selector("#_r_2_-search"), "#_r_2_-search");
        assert_eq!(redact_selector("input[required]"), "input[required]");
    }
}
