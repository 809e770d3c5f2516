//! Exporting an item: JSON (every field) or an RFC 5322 message.

use std::str::FromStr;

use diplomatie_domain::{FormalEmail, Item, ItemContent, Mailbox, Paragraph};
use diplomatie_store::AuditAction;
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;

use crate::{ClientError, Profile};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Eml,
}

impl FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "eml" => Ok(Self::Eml),
            other => Err(format!("unknown export format '{other}': use json or eml")),
        }
    }
}

fn address(m: &Mailbox) -> Address<'_> {
    match &m.name {
        Some(name) => Address::new_address(Some(name.as_str()), m.address.as_str()),
        None => Address::new_address(None::<&str>, m.address.as_str()),
    }
}

fn list<'a>(boxes: &'a [Mailbox]) -> Address<'a> {
    Address::new_list(boxes.iter().map(address).collect())
}

fn numbered(paragraphs: &[Paragraph]) -> String {
    paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}. ({}) {}", i + 1, p.marking.code(), p.text))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A plain-text rendering of a telegram or a note, as the body of an exported message.
fn render_text(item: &Item) -> String {
    match &item.content {
        ItemContent::Telegram(t) => {
            let banner = t.marking.label_fr().to_uppercase();
            let number = t
                .number
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let names = |a: &[diplomatie_domain::Addressee]| {
                a.iter()
                    .map(|x| x.name().to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!(
                "{banner}\n\nTD {number}\nDe : {}\nPour action : {}\nPour information : {}\nObjet : {}\nRésumé : {}\n\n{}\n\n{banner}\n",
                t.origin,
                names(&t.action),
                names(&t.info),
                t.subject,
                t.summary,
                numbered(&t.paragraphs)
            )
        }
        ItemContent::DiplomaticNote(n) => format!(
            "{}\n\n{}\n\n{}\n\n{}\n\n{}, le {}\n",
            n.number
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            n.opening,
            numbered(&n.paragraphs),
            n.closing,
            n.place,
            n.date
        ),
        ItemContent::FormalEmail(e) => e.body.clone(),
    }
}

fn email_message<'a>(
    e: &'a FormalEmail,
    attachments: &'a [(String, String, Vec<u8>)],
) -> MessageBuilder<'a> {
    let mut m = MessageBuilder::new()
        .from(address(&e.from))
        .subject(e.subject.as_str())
        .date(e.date.unix_timestamp())
        .text_body(e.body.as_str());
    if !e.to.is_empty() {
        m = m.to(list(&e.to));
    }
    if !e.cc.is_empty() {
        m = m.cc(list(&e.cc));
    }
    if let Some(id) = &e.message_id {
        m = m.message_id(id.as_str());
    }
    if !e.in_reply_to.is_empty() {
        m = m.in_reply_to(e.in_reply_to.iter().map(String::as_str).collect::<Vec<_>>());
    }
    if !e.references.is_empty() {
        m = m.references(e.references.iter().map(String::as_str).collect::<Vec<_>>());
    }
    for (name, content_type, bytes) in attachments {
        m = m.attachment(content_type.as_str(), name.as_str(), bytes.as_slice());
    }
    m
}

impl Profile {
    /// The bytes of an item in the given format. Logged in the audit trail.
    pub fn export(&self, id_or_prefix: &str, format: ExportFormat) -> Result<Vec<u8>, ClientError> {
        let id = self.resolve_id(id_or_prefix)?;
        let stored = self
            .store()
            .get_item(id)?
            .ok_or_else(|| ClientError::NotFound(id_or_prefix.to_owned()))?;
        let item = &stored.item;
        let bytes = match format {
            ExportFormat::Json => serde_json::to_vec_pretty(item)
                .map_err(|_| ClientError::Export("this item", "JSON"))?,
            ExportFormat::Eml => match &item.content {
                ItemContent::FormalEmail(e) => {
                    let mut attachments = Vec::with_capacity(e.attachments.len());
                    for index in 0..e.attachments.len() {
                        let index = u32::try_from(index)
                            .map_err(|_| ClientError::Export("this item", "eml"))?;
                        let (meta, data) = self.attachment(id, index)?;
                        attachments.push((meta.name, meta.content_type, data));
                    }
                    email_message(e, &attachments)
                        .write_to_vec()
                        .map_err(|_| ClientError::Export("this email", "eml"))?
                }
                _ => MessageBuilder::new()
                    .from(
                        self.identity()
                            .email
                            .as_deref()
                            .unwrap_or("diplomatie@localhost"),
                    )
                    .subject(item.subject())
                    .date(item.written_at().unix_timestamp())
                    .header(
                        "X-Diplomatie-Marking",
                        mail_builder::headers::raw::Raw::new(item.marking().code()),
                    )
                    .header(
                        "X-Diplomatie-Precedence",
                        mail_builder::headers::raw::Raw::new(item.precedence().code()),
                    )
                    .text_body(render_text(item))
                    .write_to_vec()
                    .map_err(|_| ClientError::Export("this item", "eml"))?,
            },
        };
        let format_name = match format {
            ExportFormat::Json => "json",
            ExportFormat::Eml => "eml",
        };
        self.store()
            .append_audit(&self.audit(AuditAction::ItemExported, Some(id), format_name))?;
        Ok(bytes)
    }
}
