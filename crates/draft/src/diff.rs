//! A readable difference between two versions of a draft: the fields that changed, and each
//! paragraph (matched by its stable id) added, removed or changed word by word.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::{DraftView, FieldName, ListField};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffTag {
    Same,
    Added,
    Removed,
}

/// A run of text, kept, added or removed.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct DiffPart {
    pub tag: DiffTag,
    pub text: String,
}

impl std::fmt::Debug for DiffPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}({} chars)", self.tag, self.text.chars().count())
    }
}

/// A field whose value changed.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub parts: Vec<DiffPart>,
}

impl std::fmt::Debug for FieldChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FieldChange({})", self.field)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParagraphChange {
    Same,
    Added,
    Removed,
    Changed,
}

/// A paragraph of either version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParagraphDiff {
    pub id: String,
    pub change: ParagraphChange,
    /// The portion mark before and after (the same when it did not change).
    pub marking_before: String,
    pub marking_after: String,
    pub parts: Vec<DiffPart>,
}

/// The difference between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftDiff {
    pub from: String,
    pub to: String,
    pub fields: Vec<FieldChange>,
    pub paragraphs: Vec<ParagraphDiff>,
}

impl DraftDiff {
    /// Whether the two versions have the same content.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self
                .paragraphs
                .iter()
                .all(|p| p.change == ParagraphChange::Same)
    }
}

fn words(before: &str, after: &str) -> Vec<DiffPart> {
    let diff = TextDiff::from_words(before, after);
    let mut parts: Vec<DiffPart> = Vec::new();
    for change in diff.iter_all_changes() {
        let tag = match change.tag() {
            ChangeTag::Equal => DiffTag::Same,
            ChangeTag::Insert => DiffTag::Added,
            ChangeTag::Delete => DiffTag::Removed,
        };
        match parts.last_mut() {
            Some(last) if last.tag == tag => last.text.push_str(change.value()),
            _ => parts.push(DiffPart {
                tag,
                text: change.value().to_owned(),
            }),
        }
    }
    parts
}

fn whole(tag: DiffTag, text: &str) -> Vec<DiffPart> {
    if text.is_empty() {
        return Vec::new();
    }
    vec![DiffPart {
        tag,
        text: text.to_owned(),
    }]
}

fn addressees(view: &DraftView) -> String {
    view.addressees
        .iter()
        .map(|a| format!("{} ({})", a.addressee.name(), a.route.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl DraftDiff {
    /// What changed from `before` (labelled `from`) to `after` (labelled `to`).
    pub fn between(from: String, before: &DraftView, to: String, after: &DraftView) -> Self {
        diff(from, before, to, after)
    }
}

fn diff(from: String, before: &DraftView, to: String, after: &DraftView) -> DraftDiff {
    let mut fields = Vec::new();
    for field in FieldName::ALL {
        let (b, a) = (before.fields.get(field), after.fields.get(field));
        if b != a {
            fields.push(FieldChange {
                field: field.key().to_owned(),
                parts: words(b, a),
            });
        }
    }
    for list in ListField::ALL {
        let (b, a) = (
            before.fields.list(list).join(", "),
            after.fields.list(list).join(", "),
        );
        if b != a {
            fields.push(FieldChange {
                field: list.key().to_owned(),
                parts: words(&b, &a),
            });
        }
    }
    let (b, a) = (addressees(before), addressees(after));
    if b != a {
        fields.push(FieldChange {
            field: "addressees".to_owned(),
            parts: words(&b, &a),
        });
    }

    let mut paragraphs = Vec::new();
    for p in &after.paragraphs {
        match before.paragraphs.iter().find(|o| o.id == p.id) {
            None => paragraphs.push(ParagraphDiff {
                id: p.id.clone(),
                change: ParagraphChange::Added,
                marking_before: String::new(),
                marking_after: p.marking.clone(),
                parts: whole(DiffTag::Added, &p.text),
            }),
            Some(o) => {
                let same = o.text == p.text && o.marking == p.marking;
                paragraphs.push(ParagraphDiff {
                    id: p.id.clone(),
                    change: if same {
                        ParagraphChange::Same
                    } else {
                        ParagraphChange::Changed
                    },
                    marking_before: o.marking.clone(),
                    marking_after: p.marking.clone(),
                    parts: if o.text == p.text {
                        whole(DiffTag::Same, &p.text)
                    } else {
                        words(&o.text, &p.text)
                    },
                });
            }
        }
    }
    // Removed paragraphs go where they stood, after the paragraph that preceded them.
    for (index, o) in before.paragraphs.iter().enumerate() {
        if after.paragraphs.iter().any(|p| p.id == o.id) {
            continue;
        }
        let at = index
            .checked_sub(1)
            .and_then(|prev| before.paragraphs.get(prev))
            .and_then(|prev| paragraphs.iter().position(|d| d.id == prev.id))
            .map_or(0, |i| i + 1);
        paragraphs.insert(
            at.min(paragraphs.len()),
            ParagraphDiff {
                id: o.id.clone(),
                change: ParagraphChange::Removed,
                marking_before: o.marking.clone(),
                marking_after: String::new(),
                parts: whole(DiffTag::Removed, &o.text),
            },
        );
    }
    DraftDiff {
        from,
        to,
        fields,
        paragraphs,
    }
}
