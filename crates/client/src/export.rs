//! Exporting an item: JSON (every field) or an RFC 5322 message.

use std::fmt::Write as _;
use std::str::FromStr;

use diplomatie_domain::{FormalEmail, Item, ItemContent, Mailbox, Paragraph};
use diplomatie_store::AuditAction;
use mail_builder::MessageBuilder;
use mail_builder::encoders::base64::base64_encode_mime;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::mime::MimePart;

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

/// A text part of the message: always declared as UTF-8, which every `String` is, rather than
/// left to the library's default.
fn text_part(text: &str) -> MimePart<'_> {
    MimePart::new(
        ContentType::new("text/plain").attribute("charset", "utf-8"),
        text,
    )
}

/// RFC 2045 `token`: the form a MIME type, subtype or unquoted parameter value must have.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
}

/// The `type/subtype` (lowercased) and the `charset` parameter, if any, of a content type as
/// stored with an attachment (`text/plain` from an import, anything without spaces such as
/// `text/plain;charset=iso-8859-1` from a composed email). `None` when the type is not a
/// well-formed MIME type: it is not written into a header then.
fn parse_content_type(stored: &str) -> Option<(String, Option<String>)> {
    let mut fields = stored.split(';');
    let mime = fields
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let (kind, sub) = mime.split_once('/')?;
    if !is_token(kind) || !is_token(sub) {
        return None;
    }
    let charset = fields.find_map(|field| {
        let (key, value) = field.split_once('=')?;
        let value = value.trim().trim_matches('"');
        (key.trim().eq_ignore_ascii_case("charset") && is_token(value))
            .then(|| value.to_ascii_lowercase())
    });
    Some((mime, charset))
}

/// The `Content-Type` an attachment is sent with: its MIME type and, for text, the charset
/// its bytes are in. A reader shows a text part with no charset as US-ASCII (the RFC 2046
/// default), that is, a UTF-8 file with accents as mojibake.
///
/// - Not text: its own type, no charset.
/// - Text with a charset stored with it, other than UTF-8 (a composed email may say
///   `text/plain;charset=iso-8859-1`): that charset is kept, even if the bytes happen to be
///   valid UTF-8 too: the bytes of a 7-bit charset such as ISO-2022-JP always are, and only
///   the declaration tells them apart. US-ASCII is kept only for bytes that are ASCII.
/// - Otherwise text whose bytes are valid UTF-8: `charset=utf-8` (ASCII is UTF-8 as well).
/// - Otherwise (text in an unknown 8-bit charset: an import keeps only `type/subtype`):
///   `application/octet-stream`. Leaving the charset out would claim US-ASCII, and guessing one
///   could be wrong: as octets the file arrives byte for byte under its own name, and the
///   reader's editor works out its encoding as for any file on disk.
fn attachment_content_type(stored: &str, bytes: &[u8]) -> (String, Option<String>) {
    const OCTETS: &str = "application/octet-stream";
    let Some((mime, declared)) = parse_content_type(stored) else {
        return (OCTETS.to_owned(), None);
    };
    if !mime.starts_with("text/") {
        return (mime, None);
    }
    let trusted = declared.filter(|cs| {
        let utf8 = matches!(cs.as_str(), "utf-8" | "utf8");
        let ascii = matches!(cs.as_str(), "us-ascii" | "ascii");
        !utf8 && (!ascii || bytes.is_ascii())
    });
    match trusted {
        Some(charset) => (mime, Some(charset)),
        None if std::str::from_utf8(bytes).is_ok() => (mime, Some("utf-8".to_owned())),
        None => (OCTETS.to_owned(), None),
    }
}

/// RFC 2231 `attribute-char`: what a parameter value may carry without percent-encoding.
fn is_attribute_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`{|}~".contains(&b)
}

/// The longest parameter value written on one header line, so that lines stay under 78.
const PARAM_LINE: usize = 56;

/// Whether a file name can go as a plain quoted string: printable ASCII, short enough for one
/// line. Any other name is encoded.
fn is_plain_name(name: &str) -> bool {
    name.len() <= PARAM_LINE && name.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
}

fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A name cut into runs of whole characters of at most `max` UTF-8 bytes each (a character
/// is never split between two encoded words, which readers decode one by one).
fn chunks_of(name: &str, max: usize) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    for (at, c) in name.char_indices() {
        if at > start && at + c.len_utf8() - start > max {
            chunks.push(name.get(start..at).unwrap_or_default());
            start = at;
        }
    }
    if start < name.len() {
        chunks.push(name.get(start..).unwrap_or_default());
    }
    chunks
}

/// `filename*=utf-8''…` (RFC 2231): the UTF-8 bytes of the name, percent-encoded, cut into
/// numbered continuations (`filename*0*=`, `filename*1*=`…) when it is too long for one line.
/// Each parameter is returned on its own, to be written on a line of its own.
fn rfc2231_params(attribute: &str, name: &str) -> Vec<String> {
    // The name encoded character by character: a character is never split between two
    // continuations (RFC 2231 allows it, but some readers decode each one on its own).
    let encoded: Vec<String> = name
        .chars()
        .map(|c| {
            let mut utf8 = [0; 4];
            c.encode_utf8(&mut utf8)
                .bytes()
                .fold(String::new(), |mut out, b| {
                    if is_attribute_char(b) {
                        out.push(char::from(b));
                    } else {
                        let _ = write!(out, "%{b:02X}");
                    }
                    out
                })
        })
        .collect();
    let whole = encoded.concat();
    if whole.len() <= PARAM_LINE {
        return vec![format!("{attribute}*=utf-8''{whole}")];
    }
    let mut sections: Vec<String> = Vec::new();
    let mut current = String::new();
    for piece in encoded {
        if !current.is_empty() && current.len() + piece.len() > PARAM_LINE {
            sections.push(std::mem::take(&mut current));
        }
        current.push_str(&piece);
    }
    if !current.is_empty() {
        sections.push(current);
    }
    sections
        .into_iter()
        .enumerate()
        .map(|(i, section)| {
            let charset = if i == 0 { "utf-8''" } else { "" };
            format!("{attribute}*{i}*={charset}{section}")
        })
        .collect()
}

/// `name="=?utf-8?B?…?="`: RFC 2047 encoded words inside a quoted string. Not what RFC 2047
/// allows in a parameter, but what the mail clients that predate RFC 2231 read (and what
/// the common clients write next to `filename*=` for them); readers that know RFC 2231 take
/// the name from the `Content-Disposition` instead.
fn rfc2047_param(attribute: &str, name: &str) -> std::io::Result<String> {
    let mut words = Vec::new();
    // 42 bytes make 56 characters of base64, a word of 68: under the 75 RFC 2047 allows.
    for piece in chunks_of(name, 42) {
        let mut word = b"=?utf-8?B?".to_vec();
        base64_encode_mime(piece.as_bytes(), &mut word, true)?;
        word.extend_from_slice(b"?=");
        words.push(String::from_utf8_lossy(&word).into_owned());
    }
    Ok(format!("{attribute}=\"{}\"", words.join("\r\n ")))
}

/// One attachment as a complete MIME part, headers and base64 body. Written here rather than
/// by mail-builder, which sends text attachments without a charset and puts the file name as
/// an RFC 2047 encoded word inside `filename="…"`, a form RFC 2047 forbids and RFC 2231-aware
/// readers need not decode.
fn attachment_part(name: &str, stored_type: &str, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let (mime, charset) = attachment_content_type(stored_type, bytes);
    let mut content_type = vec![mime];
    if let Some(charset) = charset {
        content_type.push(format!("charset={charset}"));
    }
    let mut disposition = vec!["attachment".to_owned()];
    if is_plain_name(name) {
        content_type.push(format!("name={}", quoted(name)));
        disposition.push(format!("filename={}", quoted(name)));
    } else {
        content_type.push(rfc2047_param("name", name)?);
        disposition.extend(rfc2231_params("filename", name));
    }
    let mut part = Vec::with_capacity(bytes.len() / 3 * 4 + bytes.len() / 57 * 2 + 512);
    for (header, params) in [
        ("Content-Type", content_type),
        ("Content-Disposition", disposition),
    ] {
        part.extend_from_slice(header.as_bytes());
        part.extend_from_slice(b": ");
        part.extend_from_slice(params.join(";\r\n ").as_bytes());
        part.extend_from_slice(b"\r\n");
    }
    // Base64 for every attachment, text included: the bytes arrive exactly as they were,
    // line ends and all.
    part.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
    base64_encode_mime(bytes, &mut part, false)?;
    Ok(part)
}

fn email_message<'a>(
    e: &'a FormalEmail,
    attachments: &'a [(String, String, Vec<u8>)],
) -> std::io::Result<MessageBuilder<'a>> {
    let mut m = MessageBuilder::new()
        .from(address(&e.from))
        .subject(e.subject.as_str())
        .date(e.date.unix_timestamp());
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
    let text = text_part(e.body.as_str());
    if attachments.is_empty() {
        return Ok(m.body(text));
    }
    let mut parts = Vec::with_capacity(attachments.len() + 1);
    parts.push(text);
    for (name, content_type, bytes) in attachments {
        // A part without headers is written as it is: the one built above.
        parts.push(MimePart::raw(attachment_part(name, content_type, bytes)?));
    }
    Ok(m.body(MimePart::new("multipart/mixed", parts)))
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
                        .and_then(MessageBuilder::write_to_vec)
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
                    .body(text_part(&render_text(item)))
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
