//! Items as the store takes them in and gives them back.

use std::fmt;

use diplomatie_domain::{
    AttachmentMeta, Item, ItemId, ItemKind, Language, Marking, Precedence, Route,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// An item to store, with what the store needs beside it.
#[derive(Clone, Copy)]
pub struct NewItem<'a> {
    pub item: &'a Item,
    /// This profile's route for the item (`Item::route_for` the user), `None` when unrouted.
    pub route: Option<Route>,
    /// Identifies the same item arriving twice (an email's Message-ID, a telegram's number).
    pub dedupe_key: Option<&'a str>,
    /// Groups items of one conversation (`FormalEmail::thread_key`, a telegram's REF chain):
    /// the key the item gives itself when none of `thread_parents` is stored.
    pub thread_key: Option<&'a str>,
    /// The message ids the item refers to, root first (an email's References, then its
    /// In-Reply-To): with `message_id`, the ids that link it to the other messages of its
    /// conversation, whatever the order they arrive in (kept in `thread_links`).
    pub thread_parents: &'a [&'a str],
    /// The item's own message id, when it has one (an email's Message-ID).
    pub message_id: Option<&'a str>,
    /// Attachments in order; their index in this slice is the index `Store::attachment` takes.
    pub attachments: &'a [(AttachmentMeta, &'a [u8])],
}

impl<'a> NewItem<'a> {
    /// An item with no route, no dedupe or thread key and no attachment.
    pub fn new(item: &'a Item) -> Self {
        Self {
            item,
            route: None,
            dedupe_key: None,
            thread_key: None,
            thread_parents: &[],
            message_id: None,
            attachments: &[],
        }
    }
}

/// The dedupe key of a message with this Message-ID: the same message arriving twice (imported
/// again, or composed here and imported back) is stored once, and replies find it by it.
pub fn message_dedupe_key(message_id: &str) -> String {
    format!("mid:{message_id}")
}

impl fmt::Debug for NewItem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewItem")
            .field("id", &self.item.id)
            .field("route", &self.route)
            .field("has_dedupe_key", &self.dedupe_key.is_some())
            .field("has_thread_key", &self.thread_key.is_some())
            .field("thread_parents", &self.thread_parents.len())
            .field("attachments", &self.attachments.len())
            .finish()
    }
}

/// What `put_item` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PutOutcome {
    Inserted(ItemId),
    /// Nothing written: an item with the same dedupe key or the same id is already stored;
    /// this is its id.
    Duplicate(ItemId),
}

impl PutOutcome {
    pub fn id(&self) -> ItemId {
        match self {
            PutOutcome::Inserted(id) | PutOutcome::Duplicate(id) => *id,
        }
    }
}

/// An item with its local state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem {
    pub item: Item,
    pub route: Option<Route>,
    pub read: bool,
    pub thread_key: Option<String>,
}

/// One line of a list: enough to show and sort it without loading the whole item.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemSummary {
    pub id: ItemId,
    pub kind: ItemKind,
    pub subject: String,
    pub marking: Marking,
    pub precedence: Precedence,
    pub route: Option<Route>,
    pub origin: String,
    /// The item's number as written: `BERLIN 2026-0042`, `Ambassade/2026/0007`.
    pub number: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub written_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub deadline: Option<OffsetDateTime>,
    pub read: bool,
    pub tags: Vec<String>,
    /// The item's language when it is known (`Item::language`).
    #[serde(default)]
    pub language: Option<Language>,
}

impl fmt::Debug for ItemSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemSummary")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("marking", &self.marking)
            .field("precedence", &self.precedence)
            .field("route", &self.route)
            .field("number", &self.number)
            .field("received_at", &self.received_at)
            .field("deadline", &self.deadline)
            .field("read", &self.read)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}
