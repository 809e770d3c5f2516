//! What the full-text index holds for an item, column by column.

use diplomatie_domain::{AttachmentMeta, Item, ItemContent, ItemKind, Mailbox, Precedence};

/// The text of each FTS column for one item.
pub(crate) struct IndexText {
    pub subject: String,
    pub body: String,
    pub tags: String,
    pub addressees: String,
    pub headers: String,
    pub attachments: String,
    /// The item's kind and precedence as facet words (`facet_words`), not its text.
    pub facets: String,
}

impl IndexText {
    /// The columns of the item's own text (every column but the facets), in order.
    pub fn text_columns(&self) -> [&str; 6] {
        [
            &self.subject,
            &self.body,
            &self.tags,
            &self.addressees,
            &self.headers,
            &self.attachments,
        ]
    }
}

/// The private-use character that starts every facet word. The tokenizer keeps it in a word
/// (unicode61 counts the private-use area as letters), and the words of a search never hold
/// it (`query.rs` reads it as a space), so no search of words can match a facet.
pub(crate) const FACET_MARK: char = '\u{E000}';

/// The facet word of a kind: two characters, too short for the prefix index to add entries.
pub(crate) fn kind_facet(kind: ItemKind) -> String {
    let letter = match kind {
        ItemKind::Telegram => 't',
        ItemKind::DiplomaticNote => 'n',
        ItemKind::FormalEmail => 'e',
    };
    format!("{FACET_MARK}{letter}")
}

/// The facet word of a precedence: the mark and its rank.
pub(crate) fn precedence_facet(precedence: Precedence) -> String {
    format!("{FACET_MARK}{}", precedence.rank())
}

/// What the `facets` column holds for an item: the filters a search most often narrows by
/// (kind, precedence), matched in the index itself rather than checked item by item. They
/// never change once an item is stored.
fn facet_words(item: &Item) -> String {
    format!(
        "{} {}",
        kind_facet(item.kind()),
        precedence_facet(item.precedence())
    )
}

/// Text attachments larger than this are indexed by name only.
const MAX_INDEXED_ATTACHMENT: usize = 1 << 20;

fn join<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let parts: Vec<&str> = parts.into_iter().filter(|p| !p.trim().is_empty()).collect();
    parts.join("\n")
}

fn mailboxes(list: &[Mailbox]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

pub(crate) fn index_text(item: &Item, attachments: &[(AttachmentMeta, &[u8])]) -> IndexText {
    let tags = join(item.tags().iter().map(|t| t.as_str()));
    let (body, addressees, headers) = match &item.content {
        ItemContent::Telegram(t) => {
            let number = t.number.as_ref().map(ToString::to_string);
            let refs: Vec<&str> = t.references.iter().map(|r| r.label.as_str()).collect();
            let body = join(
                [t.summary.as_str()]
                    .into_iter()
                    .chain(t.paragraphs.iter().map(|p| p.text.as_str()))
                    .chain(t.justification.as_deref())
                    .chain(refs),
            );
            let addressees = join(t.action.iter().chain(&t.info).map(|a| a.name()));
            let headers = join(
                [t.origin.as_str(), t.drafter.as_str()]
                    .into_iter()
                    .chain(number.as_deref())
                    .chain(t.clearers.iter().map(String::as_str))
                    .chain(t.approver.as_deref())
                    .chain(t.caveats.iter().map(String::as_str)),
            );
            (body, addressees, headers)
        }
        ItemContent::DiplomaticNote(n) => {
            let number = n.number.as_ref().map(ToString::to_string);
            let body = join(
                [n.opening.as_str()]
                    .into_iter()
                    .chain(n.paragraphs.iter().map(|p| p.text.as_str()))
                    .chain([n.closing.as_str()])
                    .chain(n.justification.as_deref())
                    .chain(n.answers.as_ref().map(|r| r.label.as_str())),
            );
            let addressees = join(
                [n.receiving_institution.as_str()]
                    .into_iter()
                    .chain(n.action.iter().chain(&n.info).map(|a| a.name())),
            );
            let headers = join(
                [n.sending_mission.as_str(), n.place.as_str()]
                    .into_iter()
                    .chain(number.as_deref()),
            );
            (body, addressees, headers)
        }
        ItemContent::FormalEmail(e) => {
            let to = mailboxes(&e.to);
            let cc = mailboxes(&e.cc);
            let from = e.from.to_string();
            let addressees = join(to.iter().chain(&cc).map(String::as_str));
            let headers = join(
                [from.as_str()]
                    .into_iter()
                    .chain(to.iter().map(String::as_str))
                    .chain(cc.iter().map(String::as_str))
                    .chain(e.message_id.as_deref()),
            );
            (join([e.body.as_str()]), addressees, headers)
        }
    };
    let mut attachment_text = Vec::new();
    for (meta, bytes) in attachments {
        attachment_text.push(meta.name.clone());
        if meta.content_type.starts_with("text/")
            && bytes.len() <= MAX_INDEXED_ATTACHMENT
            && let Ok(text) = std::str::from_utf8(bytes)
        {
            attachment_text.push(text.to_owned());
        }
    }
    IndexText {
        subject: item.subject().to_owned(),
        body,
        tags,
        addressees,
        headers,
        attachments: join(attachment_text.iter().map(String::as_str)),
        facets: facet_words(item),
    }
}
