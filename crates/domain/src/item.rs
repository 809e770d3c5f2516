use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    Addressee, DiplomaticNote, DomainError, FormalEmail, ItemId, Language, Marking, Precedence,
    Route, Tag, Telegram, UserIdentity,
};

/// The three kinds of correspondence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Telegram,
    DiplomaticNote,
    FormalEmail,
}

impl ItemKind {
    pub const ALL: [ItemKind; 3] = [
        ItemKind::Telegram,
        ItemKind::DiplomaticNote,
        ItemKind::FormalEmail,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            ItemKind::Telegram => "telegram",
            ItemKind::DiplomaticNote => "note",
            ItemKind::FormalEmail => "email",
        }
    }

    pub fn from_code(code: &str) -> Result<Self, DomainError> {
        match code.trim().to_ascii_lowercase().as_str() {
            "telegram" | "td" | "telegramme" => Ok(ItemKind::Telegram),
            "note" | "note-verbale" | "nv" => Ok(ItemKind::DiplomaticNote),
            "email" | "courriel" | "mail" => Ok(ItemKind::FormalEmail),
            _ => Err(DomainError::UnknownKind(code.to_owned())),
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The content of an item, one of the three kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemContent {
    Telegram(Telegram),
    DiplomaticNote(DiplomaticNote),
    FormalEmail(FormalEmail),
}

impl ItemContent {
    /// The originating post, mission or sender (`Item::origin`).
    pub fn origin(&self) -> String {
        match self {
            ItemContent::Telegram(t) => t.origin.clone(),
            ItemContent::DiplomaticNote(n) => n.sending_mission.clone(),
            ItemContent::FormalEmail(e) => e.from.to_string(),
        }
    }
}

/// One piece of correspondence as the inbox, the store and search see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// When action is due, if a deadline was set.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub deadline: Option<OffsetDateTime>,
    pub content: ItemContent,
    /// The language the item is written in, when it is known: declared by its writer (the
    /// composer's choice, an email's `Content-Language`) or detected reliably from its text.
    /// `None` is unknown: records written before the field, or text too short or too mixed to
    /// tell. Absent from the record when unknown, so those records keep their bytes.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::language::lenient"
    )]
    pub language: Option<Language>,
}

impl Item {
    pub fn kind(&self) -> ItemKind {
        match &self.content {
            ItemContent::Telegram(_) => ItemKind::Telegram,
            ItemContent::DiplomaticNote(_) => ItemKind::DiplomaticNote,
            ItemContent::FormalEmail(_) => ItemKind::FormalEmail,
        }
    }

    pub fn subject(&self) -> &str {
        match &self.content {
            ItemContent::Telegram(t) => &t.subject,
            ItemContent::DiplomaticNote(n) => &n.subject,
            ItemContent::FormalEmail(e) => &e.subject,
        }
    }

    pub fn marking(&self) -> Marking {
        match &self.content {
            ItemContent::Telegram(t) => t.marking,
            ItemContent::DiplomaticNote(n) => n.marking,
            ItemContent::FormalEmail(e) => e.marking,
        }
    }

    pub fn precedence(&self) -> Precedence {
        match &self.content {
            ItemContent::Telegram(t) => t.precedence,
            ItemContent::DiplomaticNote(n) => n.precedence,
            ItemContent::FormalEmail(e) => e.precedence,
        }
    }

    /// When the item was written: the DTG, the note's date, the email's Date.
    pub fn written_at(&self) -> OffsetDateTime {
        match &self.content {
            ItemContent::Telegram(t) => t.dtg,
            ItemContent::DiplomaticNote(n) => n.created_at,
            ItemContent::FormalEmail(e) => e.date,
        }
    }

    /// The originating post, mission or sender.
    pub fn origin(&self) -> String {
        self.content.origin()
    }

    pub fn tags(&self) -> &[Tag] {
        match &self.content {
            ItemContent::Telegram(t) => &t.tags,
            ItemContent::DiplomaticNote(n) => &n.tags,
            ItemContent::FormalEmail(_) => &[],
        }
    }

    /// Every addressee with its route. For an email, To is action and Cc is information.
    pub fn routing(&self) -> Vec<(Addressee, Route)> {
        let pairs = |action: &[Addressee], info: &[Addressee]| {
            action
                .iter()
                .map(|a| (a.clone(), Route::Action))
                .chain(info.iter().map(|a| (a.clone(), Route::Info)))
                .collect()
        };
        match &self.content {
            ItemContent::Telegram(t) => pairs(&t.action, &t.info),
            ItemContent::DiplomaticNote(n) => pairs(&n.action, &n.info),
            ItemContent::FormalEmail(e) => {
                e.to.iter()
                    .map(|m| (Addressee::Person(m.to_string()), Route::Action))
                    .chain(
                        e.cc.iter()
                            .map(|m| (Addressee::Person(m.to_string()), Route::Info)),
                    )
                    .collect()
            }
        }
    }

    /// This user's route for the item: action if any action addressee designates them, else
    /// information if any info addressee does, else none (filed without a route).
    pub fn route_for(&self, user: &UserIdentity) -> Option<Route> {
        match &self.content {
            ItemContent::FormalEmail(e) => {
                if e.to.iter().any(|m| user.has_email(&m.address)) {
                    Some(Route::Action)
                } else if e.cc.iter().any(|m| user.has_email(&m.address)) {
                    Some(Route::Info)
                } else {
                    None
                }
            }
            ItemContent::Telegram(_) | ItemContent::DiplomaticNote(_) => {
                let routing = self.routing();
                let has = |route| {
                    routing
                        .iter()
                        .any(|(a, r)| *r == route && user.is_addressed_by(a))
                };
                if has(Route::Action) {
                    Some(Route::Action)
                } else if has(Route::Info) {
                    Some(Route::Info)
                } else {
                    None
                }
            }
        }
    }

    /// The rules of the item's kind.
    pub fn validate(&self) -> Result<(), DomainError> {
        match &self.content {
            ItemContent::Telegram(t) => t.validate(),
            ItemContent::DiplomaticNote(n) => n.validate(),
            ItemContent::FormalEmail(e) => e.validate(),
        }
    }
}
