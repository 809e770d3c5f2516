use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{DomainError, Marking, Precedence};

/// A mailbox: `"Alice Lefèvre" <alice@diplomatie.example>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Mailbox {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// Parses `addr@host` or `Name <addr@host>`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        let (name, address) = match (raw.rfind('<'), raw.ends_with('>')) {
            (Some(open), true) => {
                let name = raw.get(..open).unwrap_or_default().trim().trim_matches('"');
                let addr = raw.get(open + 1..raw.len() - 1).unwrap_or_default();
                ((!name.is_empty()).then(|| name.to_owned()), addr.trim())
            }
            _ => (None, raw),
        };
        let valid = address
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'))
            && !address.chars().any(char::is_whitespace);
        if !valid {
            return Err(DomainError::InvalidAddress(raw.to_owned()));
        }
        Ok(Self {
            name,
            address: address.to_owned(),
        })
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "\"{n}\" <{}>", self.address),
            None => f.write_str(&self.address),
        }
    }
}

/// What is known of an attachment without its bytes (the bytes are stored apart, encrypted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// A formal email with its RFC 5322 headers.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormalEmail {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    #[serde(with = "time::serde::rfc3339")]
    pub date: OffsetDateTime,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<AttachmentMeta>,
    pub marking: Marking,
    pub precedence: Precedence,
}

impl fmt::Debug for FormalEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormalEmail")
            .field("message_id", &self.message_id)
            .field("date", &self.date)
            .field("to", &self.to.len())
            .field("cc", &self.cc.len())
            .field("attachments", &self.attachments.len())
            .finish_non_exhaustive()
    }
}

impl FormalEmail {
    /// The date of a message that carried none (no Date header, no dated Received line): the
    /// epoch, so that it sorts last by date; shown as "no date".
    pub const UNDATED: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

    /// Whether the message carried no date at all.
    pub fn is_undated(&self) -> bool {
        self.date == Self::UNDATED
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        if self.to.is_empty() && self.cc.is_empty() {
            return Err(DomainError::Missing("recipient list (To or Cc)"));
        }
        check_flash_email(self.precedence)
    }

    /// The id of the thread this message belongs to: the first message of its References, else
    /// the one it replies to, else its own Message-ID. The same for every message of a thread
    /// whatever order they arrive in, as long as each carries the usual References header.
    pub fn thread_key(&self) -> Option<&str> {
        self.references
            .first()
            .or_else(|| self.in_reply_to.first())
            .or(self.message_id.as_ref())
            .map(String::as_str)
    }
}

/// A Message-ID as stored, from how a person writes it: without its angle brackets, refused
/// when it cannot be one (`id@host`, no space, no bracket inside).
pub fn parse_message_id(raw: &str) -> Result<String, DomainError> {
    let id = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    let valid = id
        .split_once('@')
        .is_some_and(|(left, right)| !left.is_empty() && !right.is_empty())
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>');
    if valid {
        Ok(id.to_owned())
    } else {
        Err(DomainError::InvalidMessageId(raw.to_owned()))
    }
}

fn check_flash_email(precedence: Precedence) -> Result<(), DomainError> {
    // An email has no justification line: Flash is for telegrams and notes.
    if precedence == Precedence::Flash {
        return Err(DomainError::FlashEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_lose_their_brackets_and_must_be_id_at_host() {
        assert_eq!(
            parse_message_id(" <20261201.42@quai.example> ").unwrap(),
            "20261201.42@quai.example"
        );
        for bad in [
            "",
            "<>",
            "sans-arobase",
            "@host",
            "id@",
            "a b@host",
            "a<b@host",
        ] {
            assert_eq!(
                parse_message_id(bad),
                Err(DomainError::InvalidMessageId(bad.to_owned()))
            );
        }
    }

    #[test]
    fn mailboxes_parse() {
        let m = Mailbox::parse("\"Bob Martin\" <bob@quai.example>").unwrap();
        assert_eq!(m.name.as_deref(), Some("Bob Martin"));
        assert_eq!(m.address, "bob@quai.example");
        assert_eq!(Mailbox::parse(" carol@x.example ").unwrap().name, None);
        assert!(Mailbox::parse("not an address").is_err());
        assert!(Mailbox::parse("a@b@c").is_err());
        assert!(Mailbox::parse("Name <>").is_err());
    }

    #[test]
    fn an_email_cannot_be_flash_and_is_told_what_to_send_instead() {
        assert_eq!(
            check_flash_email(Precedence::Flash),
            Err(DomainError::FlashEmail)
        );
        let message = DomainError::FlashEmail.to_string();
        assert!(message.contains("send a telegram"), "{message}");
        assert!(!message.contains("justification"), "{message}");
        assert_eq!(check_flash_email(Precedence::Immediat), Ok(()));
    }
}
