//! Snippets with highlights, made in Rust for the hits of one page.
//!
//! FTS5's `snippet()` inside the ranking statement is evaluated for every match before the
//! top of the page is known (about half the time of a search on a common word), and in a
//! second statement it re-evaluates the whole query for each hit. Here, the words of the
//! query are folded the way the index folds them (lower case, no diacritics) and looked for
//! in the item's text.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::SnippetPart;

/// How many words a snippet shows.
const WINDOW: usize = 16;
/// How many words before the first match the window starts.
const LEAD: usize = 3;

/// Lower case without diacritics, as `unicode61 remove_diacritics 2` indexes a word.
pub(crate) fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of a text: maximal runs of letters and digits, with their byte ranges.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// What to highlight: folded words, each matched whole or, for a prefix, by its start.
#[derive(Debug, Default)]
pub(crate) struct Highlighter {
    words: Vec<(String, bool)>,
}

impl Highlighter {
    /// Adds the words of one query term; with `prefix`, its last word matches as a prefix.
    pub(crate) fn add_term(&mut self, text: &str, prefix: bool) {
        let spans = words(text);
        let last = spans.len().saturating_sub(1);
        for (i, (s, e)) in spans.into_iter().enumerate() {
            if let Some(w) = text.get(s..e) {
                self.words.push((fold(w), prefix && i == last));
            }
        }
    }

    fn matches(&self, word: &str) -> bool {
        // Most words of a text match none of the query's: one whose first letter, plain
        // ASCII, begins none of them is passed over without folding it whole.
        if let Some(first) = word.chars().next().filter(char::is_ascii) {
            let first = first.to_ascii_lowercase();
            if !self.words.iter().any(|(w, _)| w.starts_with(first)) {
                return false;
            }
        }
        let folded = fold(word);
        self.words.iter().any(|(w, prefix)| {
            if *prefix {
                folded.starts_with(w.as_str())
            } else {
                folded == *w
            }
        })
    }

    /// The best window of the first text that has a match (texts in order of preference),
    /// `None` when none has.
    pub(crate) fn matched_snippet(&self, texts: &[&str]) -> Option<Vec<SnippetPart>> {
        for text in texts {
            let spans = words(text);
            let hits: Vec<bool> = spans
                .iter()
                .map(|&(s, e)| text.get(s..e).is_some_and(|w| self.matches(w)))
                .collect();
            let Some(first) = best_start(&hits) else {
                continue;
            };
            return Some(render(text, &spans, &hits, first));
        }
        None
    }

    /// The best window of the first text that has a match (texts in order of preference);
    /// the start of the first text, unhighlighted, when none has.
    pub(crate) fn snippet(&self, texts: &[&str]) -> Vec<SnippetPart> {
        if let Some(parts) = self.matched_snippet(texts) {
            return parts;
        }
        let text = texts.first().copied().unwrap_or_default();
        let spans = words(text);
        let hits = vec![false; spans.len()];
        render(text, &spans, &hits, 0)
    }
}

/// The start of the window of `WINDOW` words with the most matches (earliest on ties),
/// moved back by `LEAD` words for context; `None` without any match.
fn best_start(hits: &[bool]) -> Option<usize> {
    if !hits.contains(&true) {
        return None;
    }
    let mut best = (0, 0);
    for start in 0..hits.len() {
        if hits.get(start) != Some(&true) {
            continue;
        }
        let end = (start + WINDOW).min(hits.len());
        let count = hits
            .get(start..end)
            .map_or(0, |w| w.iter().filter(|h| **h).count());
        if count > best.1 {
            best = (start, count);
        }
    }
    Some(best.0.saturating_sub(LEAD))
}

fn render(text: &str, spans: &[(usize, usize)], hits: &[bool], first: usize) -> Vec<SnippetPart> {
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut push = |s: &str, highlight: bool| {
        if s.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(last) if last.highlight == highlight => last.text.push_str(s),
            _ => parts.push(SnippetPart {
                text: s.to_owned(),
                highlight,
            }),
        }
    };
    let last = (first + WINDOW).min(spans.len());
    let Some(&(begin, _)) = spans.get(first) else {
        push(text.trim(), false);
        return parts;
    };
    if first > 0 {
        push("…", false);
    }
    let mut cursor = begin;
    for (i, &(s, e)) in spans.iter().enumerate().take(last).skip(first) {
        push(text.get(cursor..s).unwrap_or_default(), false);
        push(
            text.get(s..e).unwrap_or_default(),
            hits.get(i) == Some(&true),
        );
        cursor = e;
    }
    if last < spans.len() {
        push("…", false);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(parts: &[SnippetPart]) -> String {
        parts
            .iter()
            .map(|p| {
                if p.highlight {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn folds_like_the_index() {
        assert_eq!(fold("Élections"), "elections");
        assert_eq!(fold("BAVIÈRE"), "baviere");
        assert_eq!(fold("coopération"), "cooperation");
        assert_eq!(fold("OTAN"), "otan");
        assert_eq!(fold("G20"), "g20");
    }

    #[test]
    fn an_accent_on_either_side_of_the_first_letter_still_matches() {
        let mut h = Highlighter::default();
        h.add_term("élysée", false);
        h.add_term("Etat", false);
        h.add_term("ecol", true);
        assert_eq!(
            shown(&h.snippet(&["À l'Elysee, l'État reçoit l'École et les écologistes."])),
            "À l'[Elysee], l'[État] reçoit l'[École] et les [écologistes]"
        );
    }

    #[test]
    fn highlights_words_prefixes_and_phrases_without_accents_or_case() {
        let mut h = Highlighter::default();
        h.add_term("baviere", false);
        h.add_term("élect", true);
        h.add_term("conseil régional", false);
        let text = "Le Conseil régional de Bavière prépare les élections; l'électorat hésite.";
        assert_eq!(
            shown(&h.snippet(&[text])),
            "Le [Conseil] [régional] de [Bavière] prépare les [élections]; l'[électorat] hésite"
        );
    }

    #[test]
    fn a_long_text_is_cut_around_the_best_window() {
        let mut h = Highlighter::default();
        h.add_term("sahel", false);
        let text = format!("{}Sahel {}", "mot ".repeat(50), "fin ".repeat(50));
        let s = shown(&h.snippet(&[&text]));
        assert!(s.starts_with("…mot mot mot [Sahel] fin"), "{s}");
        assert!(s.ends_with("…"), "{s}");
        assert_eq!(s.matches("fin").count(), WINDOW - LEAD - 1);
    }

    #[test]
    fn the_first_text_with_a_match_wins_and_no_match_shows_the_first_text() {
        let mut h = Highlighter::default();
        h.add_term("gaz", false);
        assert_eq!(
            shown(&h.snippet(&["rien ici", "le gaz russe"])),
            "le [gaz] russe"
        );
        assert_eq!(shown(&h.snippet(&["rien ici", "ni là"])), "rien ici");
        assert!(h.snippet(&[""]).is_empty());
    }
}
