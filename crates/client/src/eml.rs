//! Parsing of `.eml` files (RFC 5322 / MIME) into formal emails.
//!
//! Pure: bytes in, a [`FormalEmail`] with its attachments out; nothing is stored here.
//!
//! An `.eml` file comes from outside and may be hostile, so the bytes go through three gates
//! before anything is allocated in proportion to what they describe:
//!
//! 1. **Size**: [`read_eml_file`] checks the file's length from its metadata before reading,
//!    then reads at most `max_bytes + 1` bytes, so a file that grows meanwhile is still caught;
//!    [`parse_eml`] checks the length again.
//! 2. **Structural pre-scan**: one pass over the raw bytes that follows the MIME structure the
//!    way mail-parser will (each header section, each boundary delimiter, each nested message),
//!    counting parts, nesting depth and header size, and stopping at the first limit crossed.
//!    Header sections are parsed inside a bounded window, and only their `Content-Type` and
//!    `Content-Transfer-Encoding` are kept. A base64 or quoted-printable `message/rfc822` part,
//!    which mail-parser decodes and parses too, is decoded and scanned the same way.
//!    The pre-scan also refuses two malformations that make mail-parser lose track of its own
//!    state (debug assertions in 0.11): a nested multipart reusing an enclosing boundary, and a
//!    message directly enclosed in another one that ends with their multipart.
//! 3. **Parse**, then a second count of the parsed structure's parts and depth, in case the
//!    pre-scan and the parser ever disagree about a malformed file.
//!
//! Mapping to [`FormalEmail`]:
//! - A header that should appear once but appears several times: the last one counts, as in
//!   mail-parser. For the `X-Diplomatie-*` headers the highest value counts.
//! - `From` is required (its first valid mailbox). A file without `From` and without any
//!   registered mail header (Date, To, Subject, Message-ID, Received, MIME-Version, ...) is
//!   [`EmlError::NotAnEmail`]; one with such headers but no `From` is [`EmlError::MissingSender`].
//! - `To` and `Cc`: every valid mailbox of every such header, groups flattened, display names
//!   decoded (RFC 2047). Entries without a valid address (`undisclosed-recipients:;`) are skipped.
//! - `Date`: the `Date` header, keeping its UTC offset. If it is missing or invalid, the date of
//!   the **oldest `Received` header** (the last one in the file: the first server that saw the
//!   message, the closest to when it was sent). If there is none either, the **UNIX epoch**
//!   (1970-01-01T00:00:00Z): a message with no date at all sorts last by date and is easy to
//!   recognise as "date unknown", rather than being refused or given the import time.
//! - `Message-ID`, `In-Reply-To`, `References`: without angle brackets.
//! - `Subject`: decoded (RFC 2047), empty when absent.
//! - body: the text/plain body parts joined, or the text converted from HTML when there is only
//!   HTML; line endings normalised to `\n`.
//! - attachments: name (RFC 2231 decoded, path components stripped), content type, size,
//!   SHA-256, and the bytes as sent (transfer encoding removed, charset untouched).
//! - language (`ParsedEml::language`): the one `Content-Language` names (the message's own
//!   header, else that of its text parts when they agree; a primary subtag, `en-GB` is `en`).
//!   A header naming several languages, none, or a malformed tag is ignored, and the language
//!   is then detected from the subject and body, kept only when the detection is reliable
//!   (`crate::language`); otherwise unknown.
//! - marking NP and precedence Routine, unless `X-Diplomatie-Marking` or
//!   `X-Diplomatie-Precedence` say otherwise, read through the domain's `FromStr`: Secret and
//!   above are refused, and so is Flash (an email has no justification line).
//!
//! Round trip with the rest of the client:
//! - An email composed here attaches at most 18 MiB in all (`MAX_ATTACHMENT_BYTES`, checked in
//!   `attach.rs` before any file is read), so that the message `diplo export --format eml`
//!   writes (mail-builder, `export.rs`; base64 makes 4 bytes of every 3, plus line ends and
//!   headers) stays under the 25 MiB ([`DEFAULT_MAX_BYTES`]) an import accepts, here or at the
//!   recipient's.
//! - An email's dedupe key is its Message-ID (`mid:`), composed here or imported: exported and
//!   imported back, it is the same message, reported as a duplicate. Without a Message-ID the
//!   key is the SHA-256 of the file.
//! - Its Message-ID, References and In-Reply-To file it in its conversation (the store's
//!   `thread_links`: one thread whatever the order its messages arrive in); a reply composed
//!   here folds the In-Reply-To into its References, as mail clients do.
//! - An import (`import.rs`) gives a result per file; the batch goes on after a bad one.
//!
//! Never logs a subject, a body, an address or a file name.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use diplomatie_domain::{
    AttachmentMeta, DomainError, FormalEmail, Language, Mailbox, Marking, Precedence,
};
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::html::html_to_text;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::parsers::MessageStream;
use mail_parser::{
    Encoding, Header, HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders,
    PartType,
};
use sha2::{Digest, Sha256};
use thiserror::Error;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};
use tracing::{debug, debug_span};

use crate::language::{content_language, detect_language, text_sample};

/// Default largest file accepted: 25 MiB, the attachment limit of the common mail services (a
/// message that could be sent by mail fits).
pub const DEFAULT_MAX_BYTES: u64 = 25 * 1024 * 1024;
/// Default largest number of MIME parts: 1000. A real message with a hundred attachments has a
/// few hundred parts; a MIME bomb has hundreds of thousands.
pub const DEFAULT_MAX_PARTS: usize = 1000;
/// Default deepest nesting of multiparts and enclosed messages: 16. Mail clients produce 3 or 4
/// (mixed > alternative > related), a few more for forwarded messages.
pub const DEFAULT_MAX_DEPTH: usize = 16;
/// Largest single header section (of the message or of one part): 256 KiB. Postfix refuses
/// more than 100 KiB of headers by default.
pub const MAX_HEADER_SECTION_BYTES: usize = 256 * 1024;
/// Largest total of all header sections of a message, nested ones included: 2 MiB.
pub const MAX_TOTAL_HEADER_BYTES: usize = 2 * 1024 * 1024;
/// Largest total number of header fields of a message, nested ones included: 10,000.
pub const MAX_HEADER_FIELDS: usize = 10_000;
/// Longest MIME boundary: 70 characters (RFC 2046 §5.1.1). Also keeps the parser's boundary
/// search linear.
pub const MAX_BOUNDARY_LEN: usize = 70;
/// mail-parser decodes and parses base64 or quoted-printable `message/rfc822` parts this many
/// levels deep (its `MAX_NESTED_ENCODED`); deeper ones stay opaque bytes.
const PARSER_MAX_NESTED_ENCODED: usize = 3;

/// How much an import may take. The limits are checked before the bytes reach the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmlLimits {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Largest number of MIME parts, enclosed messages included.
    pub max_parts: usize,
    /// Deepest nesting of multiparts and enclosed messages (a plain message is 0).
    pub max_depth: usize,
}

impl Default for EmlLimits {
    /// 25 MiB, 1000 parts, depth 16.
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            max_parts: DEFAULT_MAX_PARTS,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// An attachment: what is known of it, and its bytes (transfer encoding removed).
#[derive(Clone, PartialEq, Eq)]
pub struct AttachmentData {
    pub meta: AttachmentMeta,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for AttachmentData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttachmentData")
            .field("meta", &self.meta)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// A parsed `.eml` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEml {
    pub email: FormalEmail,
    /// In the order of the message; `email.attachments` holds the same metadata.
    pub attachments: Vec<AttachmentData>,
    /// Identifies the message across imports: `mid:` + Message-ID when there is one, else
    /// `sha256:` + the hex SHA-256 of the file.
    pub dedupe_key: String,
    /// The language of the message's text, when declared or reliably detected.
    pub language: Option<Language>,
}

/// Why a file could not be imported. Each message tells the user what is wrong.
#[derive(Debug, Error)]
pub enum EmlError {
    #[error("cannot read {path}: {source}; check the file is there and readable")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the file is too large to import: {size} bytes, over the limit of {limit} bytes; import its attachments separately"
    )]
    TooLarge { size: u64, limit: u64 },
    #[error("the file is empty: there is no email in it")]
    Empty,
    #[error(
        "this file is not an email: it has no sender, date or other mail header (expected an .eml file, RFC 5322)"
    )]
    NotAnEmail,
    #[error(
        "this email has no sender: its From header is missing; export it again from the mail client, or add a From line"
    )]
    MissingSender,
    #[error(
        "the sender of this email ('{0}', in its From header) is not a valid email address; correct the From line and import it again"
    )]
    InvalidSender(String),
    #[error(
        "this email is incomplete ({0}): the file was probably cut short; export it again from the mail client"
    )]
    Truncated(&'static str),
    #[error(
        "this email has more than {limit} MIME parts: it was not imported (a malformed or hostile file, such as a MIME bomb); if you trust it, save its attachments from the mail client and share them separately"
    )]
    TooManyParts { limit: usize },
    #[error(
        "this email's MIME parts are nested more than {limit} levels deep: it was not imported (a malformed or hostile file); if you trust it, forward it from the mail client and import that copy"
    )]
    TooDeep { limit: usize },
    #[error(
        "this email's headers are too large (over {MAX_HEADER_FIELDS} fields, {MAX_HEADER_SECTION_BYTES} bytes in one section or {MAX_TOTAL_HEADER_BYTES} bytes in all): it was not imported (a malformed or hostile file)"
    )]
    HeadersTooLarge,
    #[error(
        "this email's MIME structure is invalid: {0}; export it again from the mail client, or forward it and import that copy"
    )]
    InvalidMime(&'static str),
    /// The mail parser failed on the file (it panicked; see [`parse_eml`]).
    #[error(
        "this email could not be parsed: its structure is too damaged to import; export it again from the mail client"
    )]
    Unparseable,
    /// A rule of the trade refused the message: a marking above accreditation (Secret), an
    /// unknown marking or precedence, Flash on an email.
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// Reads an `.eml` file, refusing it before reading if its metadata says it is over
/// `limits.max_bytes`, and reading at most `max_bytes + 1` bytes so that a file growing
/// meanwhile cannot exceed the limit either.
pub fn read_eml_file(path: &Path, limits: &EmlLimits) -> Result<Vec<u8>, EmlError> {
    let io = |source| EmlError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let _span = debug_span!("read_eml", len).entered();
    if len > limits.max_bytes {
        return Err(EmlError::TooLarge {
            size: len,
            limit: limits.max_bytes,
        });
    }
    let capacity = usize::try_from(len).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limits.max_bytes {
        return Err(EmlError::TooLarge {
            size: read,
            limit: limits.max_bytes,
        });
    }
    Ok(bytes)
}

/// Parses the bytes of an `.eml` file. Never panics; see the module documentation for the
/// checks made before parsing and for how headers map to a [`FormalEmail`].
pub fn parse_eml(bytes: &[u8], limits: &EmlLimits) -> Result<ParsedEml, EmlError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    let _span = debug_span!("parse_eml", size).entered();
    if size > limits.max_bytes {
        return Err(EmlError::TooLarge {
            size,
            limit: limits.max_bytes,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(EmlError::Empty);
    }

    let scan = prescan(bytes, limits)?;
    // mail-parser promises never to panic, but has debug assertions on its own bookkeeping; the
    // pre-scan refuses the inputs known to reach them, and this turns any other into an error.
    let message = std::panic::catch_unwind(|| MessageParser::default().parse(bytes))
        .map_err(|_| EmlError::Unparseable)?
        .ok_or(EmlError::NotAnEmail)?;
    check_structure(&message, limits)?;
    let root = message.parts.first().ok_or(EmlError::NotAnEmail)?;
    let headers = root.headers.as_slice();

    let from = sender(&message, headers)?;
    if let Some(reason) = scan.truncation {
        return Err(EmlError::Truncated(reason));
    }
    if scan.root_headers_unterminated && declares_a_body(headers) {
        return Err(EmlError::Truncated(
            "the headers are not followed by a body",
        ));
    }

    let marking: Marking = highest(headers, "X-Diplomatie-Marking")?;
    let precedence: Precedence = highest(headers, "X-Diplomatie-Precedence")?;
    if precedence == Precedence::Flash {
        // The domain's rule for emails: Flash goes by telegram.
        return Err(DomainError::FlashEmail.into());
    }

    let attachments = attachments(&message);
    let message_id = ids(header_value(headers, &HeaderName::MessageId))
        .into_iter()
        .next();
    let dedupe_key = match &message_id {
        Some(id) => diplomatie_store::message_dedupe_key(id),
        None => format!("sha256:{}", sha256_hex(bytes)),
    };
    let email = FormalEmail {
        from,
        to: mailboxes(headers, &HeaderName::To),
        cc: mailboxes(headers, &HeaderName::Cc),
        date: date(headers),
        message_id,
        in_reply_to: ids(header_value(headers, &HeaderName::InReplyTo)),
        references: ids(header_value(headers, &HeaderName::References)),
        subject: header_value(headers, &HeaderName::Subject)
            .and_then(HeaderValue::as_text)
            .map(str::to_owned)
            .unwrap_or_default(),
        body: body(&message),
        attachments: attachments.iter().map(|a| a.meta.clone()).collect(),
        marking,
        precedence,
    };
    let language = declared_language(&message, headers)
        .or_else(|| detect_language(&text_sample(&[&email.subject, &email.body])));
    debug!(
        parts = scan.parts,
        attachments = attachments.len(),
        "eml parsed"
    );
    Ok(ParsedEml {
        email,
        attachments,
        dedupe_key,
        language,
    })
}

// ---------------------------------------------------------------------------------------------
// Structural pre-scan

/// What the pre-scan learnt of a message.
#[derive(Debug, Default)]
struct Scan {
    parts: usize,
    /// Why the message looks cut short, if it does.
    truncation: Option<&'static str>,
    /// The message's own header section ran to the end of the file without a blank line.
    root_headers_unterminated: bool,
}

/// The running totals of a message and of the messages it encloses, against the limits.
struct Budget<'l> {
    limits: &'l EmlLimits,
    parts: usize,
    header_bytes: usize,
    header_fields: usize,
}

impl Budget<'_> {
    fn add_part(&mut self) -> Result<(), EmlError> {
        self.parts = self.parts.saturating_add(1);
        if self.parts > self.limits.max_parts {
            return Err(EmlError::TooManyParts {
                limit: self.limits.max_parts,
            });
        }
        Ok(())
    }

    fn add_headers(&mut self, bytes: usize, fields: usize) -> Result<(), EmlError> {
        self.header_bytes = self.header_bytes.saturating_add(bytes);
        self.header_fields = self.header_fields.saturating_add(fields);
        if self.header_bytes > MAX_TOTAL_HEADER_BYTES || self.header_fields > MAX_HEADER_FIELDS {
            return Err(EmlError::HeadersTooLarge);
        }
        Ok(())
    }

    fn check_depth(&self, depth: usize) -> Result<(), EmlError> {
        if depth > self.limits.max_depth {
            return Err(EmlError::TooDeep {
                limit: self.limits.max_depth,
            });
        }
        Ok(())
    }
}

/// An open container, as the parser's state stack holds it.
enum Frame {
    Multipart {
        boundary: Vec<u8>,
        digest: bool,
    },
    /// An enclosed `message/rfc822` (not transfer-encoded): it ends at its parent's boundary.
    Message,
}

/// What a part's header section makes of its body, decided as mail-parser decides it.
enum BodyKind {
    Multipart { boundary: Vec<u8>, digest: bool },
    Message { encoding: Encoding },
    Leaf,
}

fn prescan(bytes: &[u8], limits: &EmlLimits) -> Result<Scan, EmlError> {
    let parser = MessageParser::new()
        .header_content_type(HeaderName::ContentType)
        .header_text(HeaderName::ContentTransferEncoding)
        .default_header_ignore();
    let mut budget = Budget {
        limits,
        parts: 0,
        header_bytes: 0,
        header_fields: 0,
    };
    let mut scan = scan_message(bytes, 0, 0, &parser, &mut budget)?;
    scan.parts = budget.parts;
    Ok(scan)
}

/// Walks one message the way mail-parser's main loop does, without decoding or keeping
/// anything but the boundaries of the open multiparts (at most `max_depth` of them).
fn scan_message(
    bytes: &[u8],
    base_depth: usize,
    encoded_level: usize,
    parser: &MessageParser,
    budget: &mut Budget<'_>,
) -> Result<Scan, EmlError> {
    let mut scan = Scan::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut pos = 0;
    let mut is_root = true;

    'outer: loop {
        // A header section, parsed in a bounded window so that a huge one allocates little.
        let rest = bytes.get(pos..).unwrap_or_default();
        let window = rest.get(..MAX_HEADER_SECTION_BYTES).unwrap_or(rest);
        let mut stream = MessageStream::new(window);
        let mut headers = Vec::new();
        let terminated = stream.parse_headers(parser, &mut headers);
        let overflow = !terminated && window.len() < rest.len();
        let added = budget.add_headers(stream.offset(), headers.len());
        if overflow || added.is_err() {
            // A large file that does not even start like mail is not an email, not a bomb.
            let not_mail =
                is_root && encoded_level == 0 && headers.iter().all(|h| h.name.is_other());
            return Err(if not_mail {
                EmlError::NotAnEmail
            } else {
                EmlError::HeadersTooLarge
            });
        }
        if !terminated {
            if is_root {
                scan.root_headers_unterminated = true;
            }
            break;
        }
        budget.add_part()?;
        pos = pos.saturating_add(stream.offset());
        let in_digest = matches!(stack.last(), Some(Frame::Multipart { digest: true, .. }));
        let kind = body_kind(&headers, in_digest);
        let was_root = std::mem::replace(&mut is_root, false);

        let encoded_message = match kind {
            BodyKind::Multipart { boundary, digest } => {
                if boundary.len() > MAX_BOUNDARY_LEN {
                    return Err(EmlError::InvalidMime(
                        "a boundary is longer than 70 characters (RFC 2046)",
                    ));
                }
                if stack
                    .iter()
                    .any(|f| matches!(f, Frame::Multipart { boundary: b, .. } if *b == boundary))
                {
                    // Forbidden by RFC 2046 (the delimiters become ambiguous), and it makes the
                    // parser lose track of its state (a debug assertion in mail-parser 0.11).
                    return Err(EmlError::InvalidMime(
                        "a nested multipart reuses the boundary of an enclosing one",
                    ));
                }
                if let Some((_, end)) = find_delimiter(bytes, pos, &boundary) {
                    budget.check_depth(base_depth + stack.len() + 1)?;
                    stack.push(Frame::Multipart { boundary, digest });
                    pos = skip_line_end(bytes, end);
                    continue;
                }
                // No delimiter at all: the parser keeps the body as text.
                if !was_root {
                    // Refused at once: each such part would cost the parser (and this scan)
                    // a search to the end of the file.
                    return Err(
                        match current_boundary(&stack)
                            .and_then(|parent| find_delimiter(bytes, pos, parent))
                        {
                            Some(_) => EmlError::InvalidMime("a multipart part has no delimiter"),
                            None => {
                                EmlError::Truncated("a multipart section has no closing boundary")
                            }
                        },
                    );
                }
                scan.truncation = Some("the multipart body has no parts");
                None
            }
            BodyKind::Message {
                encoding: Encoding::None,
            } => {
                // The enclosed message's header section follows at once.
                budget.check_depth(base_depth + stack.len() + 1)?;
                stack.push(Frame::Message);
                continue;
            }
            BodyKind::Message { encoding } => Some(encoding),
            BodyKind::Leaf => None,
        };
        let inner_depth = base_depth + stack.len() + 1;

        // The body of a leaf part runs to the next delimiter of the innermost multipart.
        let Some(boundary) = current_boundary(&stack) else {
            if let Some(encoding) = encoded_message {
                let body = bytes.get(pos..).unwrap_or_default();
                scan_encoded(body, encoding, inner_depth, encoded_level, parser, budget)?;
            }
            break;
        };
        let Some((start, end)) = find_delimiter(bytes, pos, boundary) else {
            scan.truncation = Some("a multipart section has no closing boundary");
            break;
        };
        if let Some(encoding) = encoded_message {
            let body = bytes.get(pos..start).unwrap_or_default();
            scan_encoded(body, encoding, inner_depth, encoded_level, parser, budget)?;
        }
        pos = end;

        // After a delimiter: the end of an enclosed message, the end of a multipart, or a part.
        loop {
            if matches!(stack.last(), Some(Frame::Message)) {
                stack.pop();
            }
            if bytes.get(pos..pos.saturating_add(2)) == Some(b"--".as_slice()) {
                if matches!(stack.last(), Some(Frame::Message)) {
                    // A message directly enclosed in another, both ending with the multipart:
                    // the parser pops only one of them and loses track (a debug assertion in
                    // mail-parser 0.11).
                    return Err(EmlError::InvalidMime(
                        "an enclosed message directly inside another one ends with its multipart",
                    ));
                }
                pos += 2;
                if let Some(index) = stack
                    .iter()
                    .rposition(|f| matches!(f, Frame::Multipart { .. }))
                {
                    stack.truncate(index);
                }
                let Some(parent) = current_boundary(&stack) else {
                    break 'outer;
                };
                match find_delimiter(bytes, pos, parent) {
                    Some((_, end)) => pos = end,
                    None => {
                        scan.truncation = Some("a multipart section has no closing boundary");
                        break 'outer;
                    }
                }
            } else {
                pos = after_delimiter(bytes, pos);
                continue 'outer;
            }
        }
    }
    if encoded_level == 0 && scan.truncation.is_none() {
        scan.truncation = stack
            .iter()
            .any(|f| matches!(f, Frame::Multipart { .. }))
            .then_some("a multipart section has no closing boundary");
    }
    Ok(scan)
}

/// Scans a transfer-encoded `message/rfc822` part as mail-parser will: decoded, then parsed as
/// a message of its own, down to the parser's own nesting limit.
fn scan_encoded(
    body: &[u8],
    encoding: Encoding,
    depth: usize,
    encoded_level: usize,
    parser: &MessageParser,
    budget: &mut Budget<'_>,
) -> Result<(), EmlError> {
    if encoded_level >= PARSER_MAX_NESTED_ENCODED {
        return Ok(());
    }
    budget.check_depth(depth)?;
    let decoded = match encoding {
        Encoding::Base64 => base64_decode(body),
        Encoding::QuotedPrintable => quoted_printable_decode(body),
        Encoding::None => None,
    };
    if let Some(decoded) = decoded {
        scan_message(&decoded, depth, encoded_level + 1, parser, budget)?;
    }
    Ok(())
}

fn body_kind(headers: &[Header<'_>], in_digest: bool) -> BodyKind {
    let content_type =
        header_value(headers, &HeaderName::ContentType).and_then(HeaderValue::as_content_type);
    let encoding = match header_value(headers, &HeaderName::ContentTransferEncoding)
        .and_then(HeaderValue::as_text)
    {
        Some(e) if e.eq_ignore_ascii_case("base64") => Encoding::Base64,
        Some(e) if e.eq_ignore_ascii_case("quoted-printable") => Encoding::QuotedPrintable,
        _ => Encoding::None,
    };
    match content_type {
        Some(ct) if ct.ctype() == "multipart" => match ct.attribute("boundary") {
            Some(boundary) => BodyKind::Multipart {
                boundary: boundary.as_bytes().to_vec(),
                digest: ct.subtype() == Some("digest"),
            },
            None => BodyKind::Leaf,
        },
        Some(ct)
            if ct.ctype() == "message" && matches!(ct.subtype(), Some("rfc822" | "global")) =>
        {
            BodyKind::Message { encoding }
        }
        Some(_) => BodyKind::Leaf,
        None if in_digest => BodyKind::Message { encoding },
        None => BodyKind::Leaf,
    }
}

/// The boundary the parser is looking for: the innermost open multipart's.
fn current_boundary(stack: &[Frame]) -> Option<&[u8]> {
    stack.iter().rev().find_map(|f| match f {
        Frame::Multipart { boundary, .. } => Some(boundary.as_slice()),
        Frame::Message => None,
    })
}

/// The first `--boundary` at or after `from`, anywhere in a line (mail-parser does not require
/// it at the start of one): its start and end offsets.
fn find_delimiter(bytes: &[u8], from: usize, boundary: &[u8]) -> Option<(usize, usize)> {
    if boundary.is_empty() {
        return None;
    }
    let haystack = bytes.get(from..)?;
    let mut at = 0;
    while let Some(rest) = haystack.get(at..) {
        let dashes = at + rest.windows(2).position(|w| w == b"--")?;
        let after = dashes + 2;
        if haystack
            .get(after..)
            .is_some_and(|tail| tail.starts_with(boundary))
        {
            return Some((from + dashes, from + after + boundary.len()));
        }
        at = dashes + 1;
    }
    None
}

/// After the first delimiter of a multipart: spaces, tabs and carriage returns, then one line
/// feed.
fn skip_line_end(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'\r' | b' ' | b'\t' => pos += 1,
            b'\n' => return pos + 1,
            _ => break,
        }
    }
    pos
}

/// After a later delimiter that does not close its multipart, as the parser's
/// `is_multipart_end` consumes it.
fn after_delimiter(bytes: &[u8], pos: usize) -> usize {
    match (bytes.get(pos), bytes.get(pos.saturating_add(1))) {
        (Some(b'\r'), Some(b'\n')) => pos + 2,
        (Some(b'\n'), _) => pos + 1,
        (Some(b), _) if b.is_ascii_whitespace() => skip_line_end(bytes, pos + 1),
        _ => pos,
    }
}

/// The second guard: the parsed structure's part count (enclosed messages included) and depth.
fn check_structure(message: &Message<'_>, limits: &EmlLimits) -> Result<(), EmlError> {
    let mut parts = 0usize;
    let mut messages: Vec<(&Message<'_>, usize)> = vec![(message, 0)];
    while let Some((message, base_depth)) = messages.pop() {
        parts = parts.saturating_add(message.parts.len());
        if parts > limits.max_parts {
            return Err(EmlError::TooManyParts {
                limit: limits.max_parts,
            });
        }
        // Walk the part tree from the root; each part is visited once even if ids repeat.
        let mut seen = vec![false; message.parts.len()];
        let mut pending = vec![(0usize, base_depth)];
        while let Some((id, depth)) = pending.pop() {
            if depth > limits.max_depth {
                return Err(EmlError::TooDeep {
                    limit: limits.max_depth,
                });
            }
            match seen.get_mut(id) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            match message.parts.get(id).map(|p| &p.body) {
                Some(PartType::Multipart(children)) => pending.extend(
                    children
                        .iter()
                        .filter_map(|&c| usize::try_from(c).ok())
                        .map(|c| (c, depth + 1)),
                ),
                Some(PartType::Message(inner)) => messages.push((inner, depth + 1)),
                _ => {}
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Mapping to the domain

/// A header's value. When a header that should appear once appears several times, the last one
/// counts, as in mail-parser (its accessors and its choice of `Content-Type`).
fn header_value<'a, 'x>(
    headers: &'a [Header<'x>],
    name: &HeaderName<'_>,
) -> Option<&'a HeaderValue<'x>> {
    headers
        .iter()
        .rev()
        .find(|h| &h.name == name)
        .map(|h| &h.value)
}

/// The trimmed, non-empty values of every header of this name that mail-parser does not know.
fn custom_headers<'a>(headers: &'a [Header<'_>], name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .iter()
        .filter(move |h| matches!(&h.name, HeaderName::Other(n) if n.eq_ignore_ascii_case(name)))
        .filter_map(|h| h.value.as_text())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The highest of the values of every header of this name (a message that says both NP and DR
/// is DR), or the default; any refused value refuses the message.
fn highest<T>(headers: &[Header<'_>], name: &str) -> Result<T, EmlError>
where
    T: std::str::FromStr<Err = DomainError> + Ord + Default,
{
    let mut highest = T::default();
    for value in custom_headers(headers, name) {
        highest = highest.max(value.parse::<T>()?);
    }
    Ok(highest)
}

/// The language a message declares for its text: its own `Content-Language`, else the one its
/// text parts all declare; `None` when that names no single language.
fn declared_language(message: &Message<'_>, headers: &[Header<'_>]) -> Option<Language> {
    let value = |v: &HeaderValue<'_>| match v {
        HeaderValue::Text(text) => content_language(text),
        HeaderValue::TextList(list) => content_language(&list.join(",")),
        _ => None,
    };
    if let Some(own) = header_value(headers, &HeaderName::ContentLanguage) {
        return value(own);
    }
    let mut parts = message
        .text_body
        .iter()
        .chain(&message.html_body)
        .filter_map(|&id| message.parts.get(usize::try_from(id).ok()?))
        .filter_map(|part| header_value(&part.headers, &HeaderName::ContentLanguage))
        .map(value);
    let first = parts.next()??;
    parts.all(|other| other == Some(first)).then_some(first)
}

/// The first valid mailbox of the From header.
fn sender(message: &Message<'_>, headers: &[Header<'_>]) -> Result<Mailbox, EmlError> {
    let Some(from) = headers.iter().rev().find(|h| h.name == HeaderName::From) else {
        let looks_like_mail = headers.iter().any(|h| !h.name.is_other());
        return Err(if looks_like_mail {
            EmlError::MissingSender
        } else {
            EmlError::NotAnEmail
        });
    };
    from.value
        .as_address()
        .and_then(|a| a.iter().find_map(mailbox))
        .ok_or_else(|| {
            let raw = message
                .raw_message
                .get(from.offset_start as usize..from.offset_end as usize)
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            EmlError::InvalidSender(raw.trim().chars().take(200).collect())
        })
}

fn mailbox(addr: &mail_parser::Addr<'_>) -> Option<Mailbox> {
    let address = addr.address.as_deref()?.trim();
    let mut mailbox = Mailbox::parse(address).ok()?;
    mailbox.name = addr
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    Some(mailbox)
}

/// Every valid mailbox of every header of this name, groups flattened.
fn mailboxes(headers: &[Header<'_>], name: &HeaderName<'_>) -> Vec<Mailbox> {
    let mut skipped = 0usize;
    let list: Vec<Mailbox> = headers
        .iter()
        .filter(|h| &h.name == name)
        .filter_map(|h| h.value.as_address())
        .flat_map(|a| a.iter())
        .filter_map(|a| {
            let m = mailbox(a);
            skipped += usize::from(m.is_none());
            m
        })
        .collect();
    if skipped > 0 {
        debug!(
            header = name.as_static_str(),
            skipped, "entries without a valid address skipped"
        );
    }
    list
}

/// Whether the header section announces a body: a MIME type or a transfer encoding.
fn declares_a_body(headers: &[Header<'_>]) -> bool {
    headers.iter().any(|h| {
        matches!(
            h.name,
            HeaderName::ContentType | HeaderName::ContentTransferEncoding
        )
    })
}

/// Message ids without angle brackets, in order.
fn ids(value: Option<&HeaderValue<'_>>) -> Vec<String> {
    let list: Vec<&str> = match value {
        Some(HeaderValue::Text(t)) => vec![t.as_ref()],
        Some(HeaderValue::TextList(l)) => l.iter().map(AsRef::as_ref).collect(),
        _ => Vec::new(),
    };
    list.into_iter()
        .map(|id| {
            id.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
        })
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The Date header; else the oldest Received date; else the UNIX epoch (see the module doc).
fn date(headers: &[Header<'_>]) -> OffsetDateTime {
    let from_date = header_value(headers, &HeaderName::Date)
        .and_then(HeaderValue::as_datetime)
        .and_then(to_offset_datetime);
    from_date
        .or_else(|| {
            headers
                .iter()
                .rev()
                .filter(|h| h.name == HeaderName::Received)
                .filter_map(|h| h.value.as_received()?.date)
                .find_map(|d| to_offset_datetime(&d))
        })
        .unwrap_or(FormalEmail::UNDATED)
}

fn to_offset_datetime(dt: &mail_parser::DateTime) -> Option<OffsetDateTime> {
    if !dt.is_valid() {
        return None;
    }
    let date =
        Date::from_calendar_date(i32::from(dt.year), Month::try_from(dt.month).ok()?, dt.day)
            .ok()?;
    let time = Time::from_hms(dt.hour, dt.minute, dt.second).ok()?;
    let sign: i8 = if dt.tz_before_gmt { -1 } else { 1 };
    let offset = UtcOffset::from_hms(
        sign * i8::try_from(dt.tz_hour).ok()?,
        sign * i8::try_from(dt.tz_minute).ok()?,
        0,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// The text bodies joined; HTML converted to text when there is no text; `\n` line endings.
fn body(message: &Message<'_>) -> String {
    let mut body = String::new();
    let mut push = |text: &str| {
        if !body.is_empty() && !text.is_empty() {
            body.push('\n');
        }
        body.push_str(text);
    };
    for index in 0..message.text_body.len() {
        if let Some(text) = message.body_text(index) {
            push(&text);
        }
    }
    if message.text_body.is_empty() {
        for part in message.html_bodies() {
            if let PartType::Html(html) = &part.body {
                push(&html_to_text(html));
            }
        }
    }
    body.replace("\r\n", "\n")
}

fn attachments(message: &Message<'_>) -> Vec<AttachmentData> {
    message
        .attachments()
        .enumerate()
        .map(|(index, part)| {
            let bytes = attachment_bytes(message, part);
            let content_type = match part.content_type() {
                Some(ct) => match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                },
                None => match &part.body {
                    PartType::Text(_) => "text/plain".to_owned(),
                    PartType::Html(_) => "text/html".to_owned(),
                    PartType::Message(_) => "message/rfc822".to_owned(),
                    _ => "application/octet-stream".to_owned(),
                },
            };
            let name = part
                .attachment_name()
                .and_then(safe_file_name)
                .unwrap_or_else(|| {
                    let ext = if content_type.starts_with("message/") {
                        ".eml"
                    } else {
                        ""
                    };
                    format!("attachment-{}{ext}", index + 1)
                });
            let meta = AttachmentMeta {
                name,
                content_type,
                size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
                sha256: sha256_hex(&bytes),
            };
            AttachmentData { meta, bytes }
        })
        .collect()
}

/// The bytes of an attachment as they were sent: transfer encoding removed, but a text part is
/// not converted to UTF-8 and an enclosed message is its own bytes (mail-parser gives the whole
/// outer message as the raw bytes of an enclosed, non-encoded one).
fn attachment_bytes(message: &Message<'_>, part: &MessagePart<'_>) -> Vec<u8> {
    match &part.body {
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes.to_vec(),
        PartType::Multipart(_) => Vec::new(),
        PartType::Text(_) | PartType::Html(_) | PartType::Message(_) => {
            let raw = message
                .raw_message
                .get(part.offset_body as usize..part.offset_end as usize);
            let decoded = match (raw, part.encoding) {
                (Some(raw), Encoding::None) => Some(raw.to_vec()),
                (Some(raw), Encoding::Base64) => base64_decode(raw),
                (Some(raw), Encoding::QuotedPrintable) => quoted_printable_decode(raw),
                (None, _) => None,
            };
            decoded.unwrap_or_else(|| part.contents().to_vec())
        }
    }
}

/// The last path component of a proposed file name, without control characters; `None` if
/// nothing is left.
pub(crate) fn safe_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    (!clean.is_empty() && clean != "." && clean != "..").then(|| clean.to_owned())
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}
