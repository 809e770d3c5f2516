//! The keyboard, through WebDriver's key actions: keys go to whatever has the focus, as
//! when a person types (no element is clicked or focused by the test).

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;

use crate::{App, WAIT};

/// What has the focus, read from the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focused {
    /// `data-testid` of the focused element ("" when it has none).
    pub testid: String,
    /// Its tag name, lower case.
    pub tag: String,
    /// Its `id`.
    pub id: String,
    /// Its `role`.
    pub role: String,
    /// Its `data-id` (an item's or a draft's id).
    pub data_id: String,
    /// Its `aria-activedescendant`.
    pub active_descendant: String,
    /// The `data-testid` of the nearest ancestor (or itself) that has one.
    pub within: String,
}

impl std::fmt::Display for Focused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}", self.tag)?;
        for (name, value) in [
            ("data-testid", &self.testid),
            ("id", &self.id),
            ("role", &self.role),
            ("data-id", &self.data_id),
            ("aria-activedescendant", &self.active_descendant),
        ] {
            if !value.is_empty() {
                write!(f, " {name}=\"{value}\"")?;
            }
        }
        write!(f, ">")?;
        if self.testid.is_empty() && !self.within.is_empty() {
            write!(f, " inside [data-testid=\"{}\"]", self.within)?;
        }
        Ok(())
    }
}

const FOCUSED: &str = r#"
const e = document.activeElement;
if (!e || e === document.body) return { tag: e ? 'body' : '' };
const a = (n) => e.getAttribute(n) || '';
const holder = e.closest('[data-testid]');
return {
  testid: a('data-testid'), tag: e.tagName.toLowerCase(), id: e.id || '', role: a('role'),
  dataId: a('data-id'), activeDescendant: a('aria-activedescendant'),
  within: holder ? holder.getAttribute('data-testid') : '',
};
"#;

impl App {
    /// Presses and releases each key in turn (a character, or a `Key`'s code).
    pub async fn press(&self, keys: &[char]) -> Result<()> {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for &k in keys {
            actions = actions
                .then(KeyAction::Down { value: k })
                .then(KeyAction::Up { value: k });
        }
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Presses one key (`Key::Tab`, `Key::Enter`, …).
    pub async fn press_key(&self, key: Key) -> Result<()> {
        self.press(&[key.into()]).await
    }

    /// Types `text` key by key into whatever has the focus.
    pub async fn type_text(&self, text: &str) -> Result<()> {
        let keys: Vec<char> = text.chars().collect();
        self.press(&keys).await
    }

    /// Presses `key` while `modifier` is held (`Key::Shift` + `Key::Tab`, `Key::Control` + 'l').
    pub async fn chord(&self, modifier: Key, key: char) -> Result<()> {
        let m: char = modifier.into();
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: m })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: m });
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// What has the focus now.
    pub async fn focused(&self) -> Result<Focused> {
        let v = self.client.execute(FOCUSED, Vec::new()).await?;
        let s = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Ok(Focused {
            testid: s("testid"),
            tag: s("tag"),
            id: s("id"),
            role: s("role"),
            data_id: s("dataId"),
            active_descendant: s("activeDescendant"),
            within: s("within"),
        })
    }

    /// Whether the focused element matches the CSS selector `css`.
    pub async fn focus_matches(&self, css: &str) -> Result<bool> {
        let v = self
            .client
            .execute(
                "const e = document.activeElement; return !!e && e.matches(arguments[0]);",
                vec![Value::from(css)],
            )
            .await?;
        Ok(v == Value::Bool(true))
    }

    /// Waits until the focused element matches `css`.
    pub async fn wait_focus(&self, what: &str, css: &str) -> Result<()> {
        let start = Instant::now();
        loop {
            if self.focus_matches(css).await.unwrap_or(false) {
                return Ok(());
            }
            if start.elapsed() > WAIT {
                bail!(
                    "the focus did not reach {what} ({css}) within {WAIT:?}; it is on {}",
                    self.focused().await?
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Presses Tab (Shift+Tab with `backwards`) until the focus is on an element matching
    /// `css`, at most `limit` times; returns the presses it took. Fails, saying where the
    /// focus went, when the element is not reached.
    pub async fn tab_to(&self, css: &str, backwards: bool, limit: usize) -> Result<usize> {
        let mut path = Vec::new();
        for presses in 0..=limit {
            if self.focus_matches(css).await? {
                return Ok(presses);
            }
            if presses == limit {
                break;
            }
            path.push(self.focused().await?.to_string());
            if backwards {
                self.chord(Key::Shift, Key::Tab.into()).await?;
            } else {
                self.press_key(Key::Tab).await?;
            }
        }
        bail!(
            "{css} not reached after {limit} presses of {}; the focus went through:\n  {}",
            if backwards { "Shift+Tab" } else { "Tab" },
            path.join("\n  ")
        )
    }
}
