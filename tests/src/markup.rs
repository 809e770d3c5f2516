//! The validity of the markup the app generates (RGAA 8.2): the DOM of a screen, serialised
//! with its doctype, is checked with html-validate (the npm package pinned in ui/package.json,
//! installed by `npm ci` in ui), run by node on `tests/support/validate-html.mjs`, which says
//! which rules apply.
//!
//! An error is reported by rule, message, help address and the selector of the element at
//! fault, with quoted values that may be the page's text (a subject, a name) left out.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::App;
use crate::axe::redact_selector;

/// The script that runs html-validate.
pub fn validator_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("support/validate-html.mjs")
}

/// Where `npm ci` in ui puts html-validate.
fn validator_package() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/html-validate/package.json")
}

/// One error in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkupError {
    /// The html-validate rule (`element-permitted-content`, `no-dup-id`, …).
    pub rule: String,
    /// What is wrong, with quoted values that are not names of the markup left out.
    pub message: String,
    /// The element at fault.
    pub selector: String,
    /// The rule's explanation on html-validate.org.
    pub help_url: String,
}

impl std::fmt::Display for MarkupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} {}\n      at {}",
            self.rule, self.message, self.help_url, self.selector
        )
    }
}

/// `message` with each quoted value that is not a name (of an element, an attribute, an id, a
/// role: letters, digits and `-_:.`) replaced by `…`.
pub fn redact_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut quoted = true;
    let rest: Vec<&str> = parts.collect();
    let last = rest.len();
    for (i, part) in rest.into_iter().enumerate() {
        // An odd number of quotes leaves the tail unquoted text.
        if quoted && i + 1 < last {
            let name = !part.is_empty()
                && part.len() <= 40
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c));
            out.push('"');
            out.push_str(if name { part } else { "…" });
            out.push('"');
        } else {
            if quoted {
                out.push('"');
            }
            out.push_str(part);
        }
        quoted = !quoted;
    }
    out
}

/// Validates `documents` (name, markup); returns the errors of each, in the same order, and the
/// version of html-validate.
pub fn validate(documents: &[(String, String)]) -> Result<(String, Vec<Vec<MarkupError>>)> {
    let package = validator_package();
    if !package.exists() {
        bail!(
            "html-validate is not installed ({} is missing): run `cd ui && npm ci` \
             (scripts/install-deps.sh does it, `make test` runs that)",
            package.display()
        );
    }
    let input: Vec<Value> = documents
        .iter()
        .map(|(name, html)| json!({ "name": name, "html": html }))
        .collect();
    let mut child = Command::new("node")
        .arg(validator_script())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("start node (Node.js is needed to build the interface too)")?;
    let mut stdin = child.stdin.take().context("node's standard input")?;
    let body = serde_json::to_vec(&input)?;
    let writer = std::thread::spawn(move || stdin.write_all(&body));
    let out = child.wait_with_output().context("run html-validate")?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writing to html-validate panicked"))?
        .context("hand the documents to html-validate")?;
    if !out.status.success() {
        bail!(
            "html-validate failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let answer: Value = serde_json::from_slice(&out.stdout).context("html-validate's answer")?;
    let version = answer["version"].as_str().unwrap_or_default().to_owned();
    let results = answer["results"]
        .as_array()
        .context("html-validate's results")?;
    if results.len() != documents.len() {
        bail!(
            "html-validate answered for {} documents of {}",
            results.len(),
            documents.len()
        );
    }
    let errors = results
        .iter()
        .map(|r| {
            r["errors"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|e| MarkupError {
                            rule: e["rule"].as_str().unwrap_or_default().to_owned(),
                            message: redact_message(e["message"].as_str().unwrap_or_default()),
                            selector: redact_selector(e["selector"].as_str().unwrap_or_default()),
                            help_url: e["url"].as_str().unwrap_or_default().to_owned(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    Ok((version, errors))
}

/// A document with an error of each kind the check is for: an element where it may not be,
/// an id used twice, a reference to no element, an attribute value the standard does not
/// allow, an obsolete element.
pub const CANARY: &str = "<!DOCTYPE html><html lang=\"fr\"><head><title>canary</title></head>\
<body><span><div id=\"twice\"></div></span><p id=\"twice\">x</p>\
<button type=\"button\" aria-controls=\"nowhere\">x</button>\
<input type=\"texte\" aria-label=\"x\"><center>x</center></body></html>";

/// The rules `CANARY` must break.
pub const CANARY_RULES: &[&str] = &[
    "element-permitted-content",
    "no-dup-id",
    "no-missing-references",
    "attribute-allowed-values",
    "deprecated",
];

/// The page as the app made it: its doctype and its DOM, serialised.
const DOCUMENT: &str = r#"
const d = document.doctype;
const doctype = d ? `<!DOCTYPE ${d.name}${d.publicId ? ` PUBLIC "${d.publicId}"` : ''}${d.systemId ? ` "${d.systemId}"` : ''}>` : '';
return doctype + '\n' + document.documentElement.outerHTML;
"#;

impl App {
    /// The markup of the page as it is: its doctype and its DOM.
    pub async fn document_markup(&self) -> Result<String> {
        let v = self
            .client
            .execute(DOCUMENT, Vec::new())
            .await
            .context("read the page's markup")?;
        Ok(v.as_str().context("the page's markup")?.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_names_and_lose_what_may_be_text() {
        assert_eq!(
            redact_message("<div> element is not permitted as content under <span>"),
            "<div> element is not permitted as content under <span>"
        );
        assert_eq!(
            redact_message("Duplicate ID \"_r_2_-title\""),
            "Duplicate ID \"_r_2_-title\""
        );
        assert_eq!(
            redact_message("Attribute \"title\" has invalid value \"Visite du ministre\""),
            "Attribute \"title\" has invalid value \"…\""
        );
        assert_eq!(redact_message("a \"b"), "a \"b");
    }
}
