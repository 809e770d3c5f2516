//! `DraftDoc`: one replica of a draft, its operations, and the exchange of changes.

use std::fmt;

use automerge::transaction::Transactable;
use automerge::{
    ActorId, AutoCommit, Change, ChangeHash, LoadOptions, ObjId, ObjType, OnPartialLoad, ROOT,
    ReadDoc, ScalarValue, TextEncoding, Value, VerificationMode,
};
use diplomatie_domain::{Addressee, ItemContent, ItemKind, Marking, Precedence, Route};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::field::{ADDRESSEES, has_addressees};
use crate::view::{AddresseeView, DraftFields, DraftView, FieldConflict, ParagraphView};
use crate::{DRAFT_SCHEMA, DraftError, FieldName, ListField, MAX_CHANGES_BYTES, MAX_DRAFT_BYTES};

/// Positions count UTF-16 code units, as the JavaScript editor does. This is a property of the
/// replica, not of the bytes: every constructor sets it.
const ENCODING: TextEncoding = TextEncoding::Utf16CodeUnit;

/// One replica of a draft. Each device edits through its own replica (its own actor id) and
/// exchanges change bytes with the others.
///
/// Edits are gathered in an open automerge transaction and committed as one change when the
/// replica is saved, its changes are taken (`save_incremental`, `changes_since`), its heads are
/// read, or changes are applied or merged: call `save_incremental` at each editing pause, not at
/// each keystroke (fewer, smaller changes; docs/BENCHMARKS.md).
pub struct DraftDoc {
    doc: AutoCommit,
    kind: ItemKind,
    /// The root's `fields` map, `paragraphs`, `log` and `comments` lists, looked up again
    /// after every merge.
    fields: ObjId,
    paragraphs: ObjId,
    log: ObjId,
    comments: ObjId,
}

// Never the subject, the text or a field value: drafts must not reach a log.
impl fmt::Debug for DraftDoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DraftDoc")
            .field("kind", &self.kind)
            .field("actor", &self.doc.get_actor().to_hex_string())
            .field("paragraphs", &self.paragraph_count())
            .finish_non_exhaustive()
    }
}

struct Roots {
    kind: ItemKind,
    fields: ObjId,
    paragraphs: ObjId,
    log: ObjId,
    comments: ObjId,
}

/// One entry of the addressees list as stored (the list may hold the same addressee twice
/// after concurrent additions).
struct StoredAddressee {
    index: usize,
    obj: ObjId,
    addressee: Addressee,
    /// The winning route.
    route: Route,
    /// Every route written concurrently, each once.
    routes: Vec<String>,
}

fn actor_id(actor: &[u8]) -> Result<ActorId, DraftError> {
    if actor.is_empty() {
        return Err(DraftError::EmptyActor);
    }
    Ok(ActorId::from(actor))
}

fn scalar_string(value: &Value<'_>) -> Option<String> {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            ScalarValue::Int(n) => Some(n.to_string()),
            ScalarValue::Uint(n) => Some(n.to_string()),
            ScalarValue::F64(n) => Some(n.to_string()),
            ScalarValue::Boolean(b) => Some(b.to_string()),
            _ => None,
        },
        Value::Object(_) => None,
    }
}

fn dedup(values: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn addressee_kind(addressee: &Addressee) -> &'static str {
    match addressee {
        Addressee::Unit(_) => "unit",
        Addressee::Person(_) => "person",
    }
}

fn new_paragraph_id() -> String {
    let bytes: [u8; 16] = rand::random();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// The bytes automerge writes start with these four.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// The chunk types of automerge's storage format.
const DOCUMENT_CHUNK: u8 = 0;
const CHANGE_CHUNK: u8 = 1;
const COMPRESSED_CHANGE_CHUNK: u8 = 2;
const BUNDLE_CHUNK: u8 = 3;

/// One chunk of automerge bytes: its type and its bytes, header included.
struct Chunk<'a> {
    kind: u8,
    bytes: &'a [u8],
}

/// Splits bytes into automerge chunks, checking their framing (magic bytes, chunk type,
/// length) and the checksum of each uncompressed one. automerge's `load_incremental` skips,
/// with only a log line, a chunk that fails to parse; a damaged delivery must rather be an
/// error the caller sees (so it asks for the bytes again), not silently missing changes. Reads
/// only the bytes given: nothing is allocated from a length read in them.
fn split_chunks(mut bytes: &[u8]) -> Result<Vec<Chunk<'_>>, &'static str> {
    let mut chunks = Vec::new();
    while !bytes.is_empty() {
        let whole = bytes;
        let (magic, rest) = bytes.split_at_checked(4).ok_or("truncated chunk header")?;
        if magic != MAGIC {
            return Err("not automerge data");
        }
        let (checksum, rest) = rest.split_at_checked(4).ok_or("truncated chunk header")?;
        let (&chunk_type, rest) = rest.split_first().ok_or("truncated chunk header")?;
        if chunk_type > BUNDLE_CHUNK {
            return Err("unknown chunk type");
        }
        // ULEB128 length.
        let mut len: u64 = 0;
        let mut read = 0;
        loop {
            let byte = *rest.get(read).ok_or("truncated chunk header")?;
            let bits = u64::from(byte & 0x7f);
            len |= bits
                .checked_shl(7 * read as u32)
                .ok_or("chunk length too large")?;
            read += 1;
            if byte & 0x80 == 0 {
                break;
            }
            if read >= 10 {
                return Err("chunk length too large");
            }
        }
        let len = usize::try_from(len).map_err(|_| "chunk length too large")?;
        let (len_bytes, rest) = rest
            .split_at_checked(read)
            .ok_or("truncated chunk header")?;
        let (data, rest) = rest.split_at_checked(len).ok_or("truncated chunk")?;
        // Document (0) and change (1) chunks: the checksum is the first 4 bytes of the SHA-256
        // of the type, the length and the data. A compressed change's is that of the
        // uncompressed change, which automerge checks when it inflates it.
        if chunk_type <= CHANGE_CHUNK {
            let mut hasher = Sha256::new();
            hasher.update([chunk_type]);
            hasher.update(len_bytes);
            hasher.update(data);
            if hasher.finalize().get(..4) != Some(checksum) {
                return Err("a chunk's checksum does not match");
            }
        }
        let header = 4 + 4 + 1 + read;
        let chunk = whole.get(..header + len).ok_or("truncated chunk")?;
        chunks.push(Chunk {
            kind: chunk_type,
            bytes: chunk,
        });
        bytes = rest;
    }
    Ok(chunks)
}

/// What a caught panic of automerge is reported as.
const AUTOMERGE_PANICKED: &str =
    "the automerge library failed on them: they are malformed in a way it does not check";

/// Runs automerge on outside bytes, a panic turned into `Err`.
///
/// automerge checks what it parses and answers malformed bytes with an error, but it has had
/// panics on malformed input (out-of-range indexes, overflows, `unwrap`s in its column
/// decoders, fixed release after release), and a panic here would take the whole app down for
/// a damaged file in the exchange folder. So every call of automerge on bytes from elsewhere
/// runs under `catch_unwind`, as a last defence: the bytes are then refused like any malformed
/// ones. This needs `panic = "unwind"`, the default, which no profile of the workspace
/// changes; the panic's message still goes to the panic hook (stderr). Nothing made or
/// changed inside `f` is kept after a panic: callers work on a copy and drop it.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, &'static str> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| AUTOMERGE_PANICKED)
}

/// Refuses bytes longer than `cap` before anything reads them.
fn refuse_over(bytes: &[u8], cap: usize, what: &'static str) -> Result<(), DraftError> {
    if bytes.len() > cap {
        return Err(DraftError::TooLarge {
            what,
            len: bytes.len(),
            cap,
        });
    }
    Ok(())
}

/// automerge's strict loading: a chunk that fails to parse, or changes whose predecessors are
/// missing, fail the whole load (never a partial document), and the heads a document chunk
/// records must be those of the changes rebuilt from it.
fn strict_options() -> LoadOptions<'static> {
    LoadOptions::new()
        .text_encoding(ENCODING)
        .on_partial_load(OnPartialLoad::Error)
        .verification_mode(VerificationMode::Check)
}

fn read_roots(doc: &AutoCommit) -> Result<Roots, DraftError> {
    let not_a_draft = |what: &str| DraftError::NotADraft(what.to_owned());
    match doc.get(ROOT, "schema")? {
        Some((Value::Scalar(s), _)) => {
            let ok = match s.as_ref() {
                ScalarValue::Int(n) => *n == DRAFT_SCHEMA,
                ScalarValue::Uint(n) => i64::try_from(*n) == Ok(DRAFT_SCHEMA),
                // JavaScript writes a number that is not an integer as a float.
                ScalarValue::F64(n) => *n == DRAFT_SCHEMA as f64,
                _ => false,
            };
            if !ok {
                return Err(DraftError::UnknownSchema {
                    found: scalar_string(&Value::Scalar(s)).unwrap_or_else(|| "?".into()),
                });
            }
        }
        _ => return Err(not_a_draft("it has no schema number")),
    }
    let kind = match doc.get(ROOT, "kind")? {
        Some((value, _)) => {
            let code = scalar_string(&value).unwrap_or_default();
            ItemKind::ALL
                .into_iter()
                .find(|k| k.code() == code)
                .ok_or_else(|| not_a_draft("its kind is not telegram, note or email"))?
        }
        None => return Err(not_a_draft("it has no kind")),
    };
    let fields = match doc.get(ROOT, "fields")? {
        Some((Value::Object(ObjType::Map), id)) => id,
        _ => return Err(not_a_draft("it has no fields map")),
    };
    let paragraphs = match doc.get(ROOT, "paragraphs")? {
        Some((Value::Object(ObjType::List), id)) => id,
        _ => return Err(not_a_draft("it has no paragraph list")),
    };
    let log = match doc.get(ROOT, "log")? {
        Some((Value::Object(ObjType::List), id)) => id,
        _ => return Err(not_a_draft("it has no clearance log")),
    };
    let comments = match doc.get(ROOT, "comments")? {
        Some((Value::Object(ObjType::List), id)) => id,
        _ => return Err(not_a_draft("it has no comment list")),
    };
    Ok(Roots {
        kind,
        fields,
        paragraphs,
        log,
        comments,
    })
}

impl DraftDoc {
    /// A new, empty draft of `kind`, edited by the device `actor` (each replica its own id).
    /// Only the first replica is made this way; the others load its bytes.
    pub fn new(kind: ItemKind, actor: &[u8]) -> Result<Self, DraftError> {
        let mut doc = AutoCommit::new_with_encoding(ENCODING).with_actor(actor_id(actor)?);
        doc.put(ROOT, "schema", DRAFT_SCHEMA)?;
        doc.put(ROOT, "kind", kind.code())?;
        let fields = doc.put_object(ROOT, "fields", ObjType::Map)?;
        for field in FieldName::ALL {
            if field.applies_to(kind) && field.is_text() {
                doc.put_object(&fields, field.key(), ObjType::Text)?;
            }
        }
        doc.put(
            &fields,
            FieldName::Marking.key(),
            Marking::NonProtege.code(),
        )?;
        doc.put(
            &fields,
            FieldName::Precedence.key(),
            Precedence::Routine.code(),
        )?;
        for list in ListField::ALL {
            if list.applies_to(kind) {
                doc.put_object(&fields, list.key(), ObjType::List)?;
            }
        }
        if has_addressees(kind) {
            doc.put_object(&fields, ADDRESSEES, ObjType::List)?;
        }
        let paragraphs = doc.put_object(ROOT, "paragraphs", ObjType::List)?;
        let log = doc.put_object(ROOT, "log", ObjType::List)?;
        let comments = doc.put_object(ROOT, "comments", ObjType::List)?;
        doc.commit();
        Ok(Self {
            doc,
            kind,
            fields,
            paragraphs,
            log,
            comments,
        })
    }

    /// Opens a draft saved by `save` (or by any automerge implementation), for editing by the
    /// device `actor`. The bytes may come from anywhere (the store, the exchange folder, a
    /// relay): longer than [`MAX_DRAFT_BYTES`] they are refused unread
    /// ([`DraftError::TooLarge`]); they are loaded with automerge's strict checks and a panic
    /// of automerge is caught (see `guarded`), so malformed bytes are [`DraftError::NotADraft`];
    /// and the document must have a draft's shape (its schema number, kind, fields, lists),
    /// so another automerge document is refused too, as is a draft of an unknown schema
    /// number.
    pub fn load(bytes: &[u8], actor: &[u8]) -> Result<Self, DraftError> {
        let actor = actor_id(actor)?;
        refuse_over(bytes, MAX_DRAFT_BYTES, "saved draft")?;
        let doc = guarded(|| AutoCommit::load_with_options(bytes, strict_options()))
            .map_err(|why| DraftError::NotADraft(why.to_owned()))?
            .map_err(|e| DraftError::NotADraft(e.to_string()))?
            .with_actor(actor);
        Self::from_doc(doc)
    }

    fn from_doc(doc: AutoCommit) -> Result<Self, DraftError> {
        let roots = read_roots(&doc)?;
        Ok(Self {
            doc,
            kind: roots.kind,
            fields: roots.fields,
            paragraphs: roots.paragraphs,
            log: roots.log,
            comments: roots.comments,
        })
    }

    pub fn kind(&self) -> ItemKind {
        self.kind
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The changes since the last `save` or `save_incremental` (local ones and those received
    /// since): what to keep or send since then. Empty when nothing changed. A `save` moves the
    /// starting point too: changes made before a `save` are not in the next
    /// `save_incremental`, so send them first, or send `changes_since(peer's heads)`.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        self.doc.save_incremental()
    }

    /// Applies change bytes (from `save_incremental`, `changes_since` or `save`) received from
    /// another replica. Applying the same bytes twice, or bytes whose predecessors have not
    /// arrived yet, is fine: duplicates are ignored and early changes wait for the missing ones.
    ///
    /// The bytes may come from anywhere: longer than [`MAX_CHANGES_BYTES`] ([`MAX_DRAFT_BYTES`]
    /// when they hold a whole saved draft) they are refused unread ([`DraftError::TooLarge`]).
    /// Every chunk is checked and parsed (a saved draft loaded strictly, as by `load`) before
    /// the replica is touched, the changes are applied to a copy of the replica with a panic
    /// of automerge caught (see `guarded`), and the copy replaces the replica only if it still
    /// has a draft's shape: damaged bytes are [`DraftError::BadChanges`], changes that would
    /// make it another document (or another schema) are refused, and in every case of error
    /// the replica is left as it was.
    pub fn apply_changes(&mut self, bytes: &[u8]) -> Result<(), DraftError> {
        let bad = |what: &str| DraftError::BadChanges(what.to_owned());
        refuse_over(bytes, MAX_DRAFT_BYTES, "set of changes")?;
        let chunks = split_chunks(bytes).map_err(bad)?;
        if !chunks.iter().any(|c| c.kind == DOCUMENT_CHUNK) {
            refuse_over(bytes, MAX_CHANGES_BYTES, "set of changes")?;
        }
        if chunks.is_empty() {
            return Ok(());
        }
        let mut saved = Vec::new();
        let mut changes = Vec::new();
        for chunk in chunks {
            match chunk.kind {
                DOCUMENT_CHUNK => saved.push(
                    guarded(|| AutoCommit::load_with_options(chunk.bytes, strict_options()))
                        .map_err(bad)?
                        .map_err(|e| bad(&e.to_string()))?,
                ),
                CHANGE_CHUNK | COMPRESSED_CHANGE_CHUNK => changes.push(
                    guarded(|| Change::try_from(chunk.bytes))
                        .map_err(bad)?
                        .map_err(|e| bad(&e.to_string()))?,
                ),
                _ => return Err(bad("a bundle of changes, which drafts never use")),
            }
        }
        let mut next = self.doc.clone();
        guarded(|| -> Result<(), automerge::AutomergeError> {
            for other in &mut saved {
                next.merge(other)?;
            }
            next.apply_changes(changes)
        })
        .map_err(bad)?
        .map_err(|e| bad(&e.to_string()))?;
        let roots = read_roots(&next)?;
        self.doc = next;
        self.set_roots(roots);
        Ok(())
    }

    /// Whether changes received wait for predecessors that have not arrived. automerge keeps
    /// them aside in memory only: `save`, `save_incremental` and `changes_since` leave them
    /// out, so whoever keeps this replica must keep the bytes they came in until they apply.
    pub fn has_waiting_changes(&mut self) -> bool {
        !self.doc.get_missing_deps(&[]).is_empty()
    }

    /// Takes every change of `other` this replica lacks.
    pub fn merge(&mut self, other: &mut DraftDoc) -> Result<(), DraftError> {
        self.doc.merge(&mut other.doc)?;
        self.refresh_roots()
    }

    /// The current heads, hex: what a peer tells others it has.
    pub fn heads(&mut self) -> Vec<String> {
        self.doc
            .get_heads()
            .iter()
            .map(ChangeHash::to_string)
            .collect()
    }

    /// The changes a peer whose heads are `heads` lacks. Heads this replica does not know are
    /// ignored (the peer then gets a little more than it needs, never less).
    pub fn changes_since(&mut self, heads: &[String]) -> Result<Vec<u8>, DraftError> {
        let heads = heads
            .iter()
            .map(|h| {
                h.parse::<ChangeHash>()
                    .map_err(|_| DraftError::BadHead(h.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.doc.save_after(&heads))
    }

    /// Whether every change named by `heads` is in this replica.
    pub fn has_heads(&mut self, heads: &[String]) -> bool {
        heads.iter().all(|h| {
            h.parse::<ChangeHash>()
                .is_ok_and(|hash| self.doc.get_change_by_hash(&hash).is_some())
        })
    }

    fn refresh_roots(&mut self) -> Result<(), DraftError> {
        let roots = read_roots(&self.doc)?;
        self.set_roots(roots);
        Ok(())
    }

    fn set_roots(&mut self, roots: Roots) {
        self.kind = roots.kind;
        self.fields = roots.fields;
        self.paragraphs = roots.paragraphs;
        self.log = roots.log;
        self.comments = roots.comments;
    }

    // ---- reading helpers ----

    fn child(&self, parent: &ObjId, key: &str, kind: ObjType) -> Result<ObjId, DraftError> {
        match self.doc.get(parent, key)? {
            Some((Value::Object(found), id)) if found == kind => Ok(id),
            _ => Err(DraftError::Malformed(format!(
                "its '{key}' is not a {kind}"
            ))),
        }
    }

    /// Every value written concurrently to a register, each once, in the same order on every
    /// replica.
    fn register_values(&self, obj: &ObjId, key: &str) -> Result<Vec<String>, DraftError> {
        Ok(dedup(
            self.doc
                .get_all(obj, key)?
                .iter()
                .filter_map(|(v, _)| scalar_string(v)),
        ))
    }

    /// The value every replica shows for a register.
    fn register(&self, obj: &ObjId, key: &str) -> Result<String, DraftError> {
        Ok(self
            .doc
            .get(obj, key)?
            .and_then(|(v, _)| scalar_string(&v))
            .unwrap_or_default())
    }

    fn list_strings(&self, list: &ObjId) -> Result<Vec<String>, DraftError> {
        let mut out = Vec::new();
        for index in 0..self.doc.length(list) {
            if let Some(value) = self
                .doc
                .get(list, index)?
                .and_then(|(v, _)| scalar_string(&v))
            {
                out.push(value);
            }
        }
        Ok(out)
    }

    fn splice(
        &mut self,
        text: &ObjId,
        pos: usize,
        delete: usize,
        insert: &str,
    ) -> Result<(), DraftError> {
        let len = self.doc.length(text);
        let out_of_text = DraftError::OutOfText { pos, delete, len };
        if pos.checked_add(delete).is_none_or(|end| end > len) {
            return Err(out_of_text);
        }
        let delete = isize::try_from(delete).map_err(|_| out_of_text)?;
        self.doc.splice_text(text, pos, delete, insert)?;
        Ok(())
    }

    // ---- fields ----

    fn check_field(&self, field: FieldName) -> Result<(), DraftError> {
        if field.applies_to(self.kind) {
            Ok(())
        } else {
            Err(DraftError::NotForKind {
                field: field.key(),
                kind: self.kind,
            })
        }
    }

    /// Sets a field. A register is replaced as a whole (and a conflict on it resolved); a Text
    /// field is changed by the smallest edit from its current text, which merges with what
    /// others type meanwhile (an editor should rather send its splices:
    /// `splice_text_field`). Markings and precedences are checked and stored by their code.
    pub fn set_field(&mut self, field: FieldName, value: &str) -> Result<(), DraftError> {
        self.check_field(field)?;
        if field.is_text() {
            let text = self.child(&self.fields, field.key(), ObjType::Text)?;
            self.doc.update_text(&text, value)?;
            return Ok(());
        }
        let value = field.normalise(value)?;
        let current = self.register_values(&self.fields, field.key())?;
        if current.len() == 1 && current.first() == Some(&value) {
            return Ok(());
        }
        self.doc.put(&self.fields, field.key(), value)?;
        Ok(())
    }

    /// Resolves a conflict on a register by setting the value chosen (any value, one of those
    /// in conflict or another).
    pub fn resolve_field(&mut self, field: FieldName, value: &str) -> Result<(), DraftError> {
        self.set_field(field, value)
    }

    /// Every value set concurrently for a register field and not yet resolved; empty when
    /// there is no conflict (and for Text fields, which merge instead).
    pub fn field_conflicts(&self, field: FieldName) -> Vec<String> {
        if !field.applies_to(self.kind) || field.is_text() {
            return Vec::new();
        }
        match self.register_values(&self.fields, field.key()) {
            Ok(values) if values.len() > 1 => values,
            _ => Vec::new(),
        }
    }

    /// Replaces `delete` UTF-16 code units at `pos` of a Text field by `insert`.
    pub fn splice_text_field(
        &mut self,
        field: FieldName,
        pos: usize,
        delete: usize,
        insert: &str,
    ) -> Result<(), DraftError> {
        self.check_field(field)?;
        if !field.is_text() {
            return Err(DraftError::NotText(field.key()));
        }
        let text = self.child(&self.fields, field.key(), ObjType::Text)?;
        self.splice(&text, pos, delete, insert)
    }

    // ---- lists of strings ----

    fn list_obj(&self, field: ListField) -> Result<ObjId, DraftError> {
        if !field.applies_to(self.kind) {
            return Err(DraftError::NotForKind {
                field: field.key(),
                kind: self.kind,
            });
        }
        self.child(&self.fields, field.key(), ObjType::List)
    }

    /// Appends a value to a list unless it is there already. Concurrent additions by several
    /// people are all kept.
    pub fn add_to_list(&mut self, field: ListField, value: &str) -> Result<(), DraftError> {
        let list = self.list_obj(field)?;
        let value = field.normalise(value)?;
        if self.list_strings(&list)?.contains(&value) {
            return Ok(());
        }
        let end = self.doc.length(&list);
        self.doc.insert(&list, end, value)?;
        Ok(())
    }

    /// Removes every copy of a value from a list (nothing if it is not there).
    pub fn remove_from_list(&mut self, field: ListField, value: &str) -> Result<(), DraftError> {
        let list = self.list_obj(field)?;
        let value = field
            .normalise(value)
            .unwrap_or_else(|_| value.trim().to_owned());
        let values = self.list_strings(&list)?;
        for (index, v) in values.iter().enumerate().rev() {
            if *v == value {
                self.doc.delete(&list, index)?;
            }
        }
        Ok(())
    }

    /// Replaces a list as a whole (for an order that matters, such as the clearers'). Values
    /// others add concurrently are kept after the merge.
    pub fn set_list<S: AsRef<str>>(
        &mut self,
        field: ListField,
        values: &[S],
    ) -> Result<(), DraftError> {
        let list = self.list_obj(field)?;
        let values = dedup(
            values
                .iter()
                .map(|v| field.normalise(v.as_ref()))
                .collect::<Result<Vec<_>, _>>()?,
        );
        let current = self.list_strings(&list)?;
        if dedup(current.iter().cloned()) == values && current.len() == values.len() {
            return Ok(());
        }
        for index in (0..current.len()).rev() {
            self.doc.delete(&list, index)?;
        }
        for (index, value) in values.into_iter().enumerate() {
            self.doc.insert(&list, index, value)?;
        }
        Ok(())
    }

    // ---- addressees ----

    fn addressee_list(&self) -> Result<ObjId, DraftError> {
        if !has_addressees(self.kind) {
            return Err(DraftError::NotForKind {
                field: ADDRESSEES,
                kind: self.kind,
            });
        }
        self.child(&self.fields, ADDRESSEES, ObjType::List)
    }

    fn stored_addressees(&self, list: &ObjId) -> Result<Vec<StoredAddressee>, DraftError> {
        let mut out = Vec::new();
        for index in 0..self.doc.length(list) {
            let Some((Value::Object(ObjType::Map), obj)) = self.doc.get(list, index)? else {
                continue;
            };
            let name = self.register(&obj, "name")?;
            let addressee = match self.register(&obj, "kind")?.as_str() {
                "unit" => Addressee::Unit(name),
                "person" => Addressee::Person(name),
                _ => continue,
            };
            // An unreadable route counts as action: the addressee then sees the item first.
            let route = self
                .register(&obj, "route")?
                .parse()
                .unwrap_or(Route::Action);
            let routes = self.register_values(&obj, "route")?;
            out.push(StoredAddressee {
                index,
                obj,
                addressee,
                route,
                routes,
            });
        }
        Ok(out)
    }

    fn checked(addressee: &Addressee) -> Result<Addressee, DraftError> {
        let name = addressee.name().trim();
        if name.is_empty() {
            return Err(DraftError::InvalidValue {
                field: ADDRESSEES,
                reason: "an addressee needs a name",
            });
        }
        Ok(match addressee {
            Addressee::Unit(_) => Addressee::Unit(name.to_owned()),
            Addressee::Person(_) => Addressee::Person(name.to_owned()),
        })
    }

    /// Adds an addressee with its route, or changes its route if it is there already.
    pub fn add_addressee(&mut self, addressee: &Addressee, route: Route) -> Result<(), DraftError> {
        let list = self.addressee_list()?;
        let addressee = Self::checked(addressee)?;
        let stored = self.stored_addressees(&list)?;
        let mut found = false;
        for entry in stored.iter().filter(|e| e.addressee == addressee) {
            found = true;
            if entry.routes != [route.code()] {
                self.doc.put(&entry.obj, "route", route.code())?;
            }
        }
        if !found {
            let end = self.doc.length(&list);
            let obj = self.doc.insert_object(&list, end, ObjType::Map)?;
            self.doc.put(&obj, "name", addressee.name())?;
            self.doc.put(&obj, "kind", addressee_kind(&addressee))?;
            self.doc.put(&obj, "route", route.code())?;
        }
        Ok(())
    }

    /// Changes an addressee's route (and resolves a conflict on it).
    pub fn set_addressee_route(
        &mut self,
        addressee: &Addressee,
        route: Route,
    ) -> Result<(), DraftError> {
        let list = self.addressee_list()?;
        let addressee = Self::checked(addressee)?;
        if !self
            .stored_addressees(&list)?
            .iter()
            .any(|e| e.addressee == addressee)
        {
            return Err(DraftError::NoAddressee(addressee.to_string()));
        }
        self.add_addressee(&addressee, route)
    }

    /// Removes an addressee (every copy of it); nothing if it is not there.
    pub fn remove_addressee(&mut self, addressee: &Addressee) -> Result<(), DraftError> {
        let list = self.addressee_list()?;
        let addressee = Self::checked(addressee)?;
        let stored = self.stored_addressees(&list)?;
        for entry in stored.iter().rev().filter(|e| e.addressee == addressee) {
            self.doc.delete(&list, entry.index)?;
        }
        Ok(())
    }

    /// Makes the addressees exactly these, by the smallest edit: absent ones are removed, the
    /// routes of present ones set, new ones appended. So an addressee someone else adds
    /// meanwhile is kept (a whole-list replacement would drop it), and the order of the
    /// existing ones stays.
    pub fn set_addressees(&mut self, wanted: &[(Addressee, Route)]) -> Result<(), DraftError> {
        let list = self.addressee_list()?;
        let wanted = wanted
            .iter()
            .map(|(a, r)| Ok((Self::checked(a)?, *r)))
            .collect::<Result<Vec<_>, DraftError>>()?;
        let stored = self.stored_addressees(&list)?;
        for entry in stored.iter().rev() {
            if !wanted.iter().any(|(a, _)| *a == entry.addressee) {
                self.doc.delete(&list, entry.index)?;
            }
        }
        for (addressee, route) in &wanted {
            self.add_addressee(addressee, *route)?;
        }
        Ok(())
    }

    // ---- paragraphs ----

    pub fn paragraph_count(&self) -> usize {
        self.doc.length(&self.paragraphs)
    }

    /// The index of the paragraph with this id, if it is (still) in the draft.
    pub fn paragraph_index(&self, id: &str) -> Option<usize> {
        (0..self.paragraph_count()).find(|&index| {
            self.paragraph(index)
                .and_then(|p| self.register(&p, "id"))
                .is_ok_and(|found| found == id)
        })
    }

    fn paragraph(&self, index: usize) -> Result<ObjId, DraftError> {
        match self.doc.get(&self.paragraphs, index)? {
            Some((Value::Object(ObjType::Map), id)) => Ok(id),
            Some(_) => Err(DraftError::Malformed(format!(
                "its paragraph {index} is not a map"
            ))),
            None => Err(DraftError::NoParagraph {
                index,
                count: self.paragraph_count(),
            }),
        }
    }

    fn insert_paragraph_with(
        &mut self,
        index: usize,
        id: &str,
        marking: &str,
        text: &str,
    ) -> Result<(), DraftError> {
        let count = self.paragraph_count();
        if index > count {
            return Err(DraftError::NoParagraph { index, count });
        }
        let p = self
            .doc
            .insert_object(&self.paragraphs, index, ObjType::Map)?;
        self.doc.put(&p, "id", id)?;
        self.doc.put(&p, "marking", marking)?;
        let t = self.doc.put_object(&p, "text", ObjType::Text)?;
        if !text.is_empty() {
            self.doc.splice_text(&t, 0, 0, text)?;
        }
        Ok(())
    }

    /// Inserts a paragraph before the one at `index` (at the end when `index` is the count);
    /// returns its new id.
    pub fn insert_paragraph(
        &mut self,
        index: usize,
        marking: Marking,
        text: &str,
    ) -> Result<String, DraftError> {
        let id = new_paragraph_id();
        self.insert_paragraph_with(index, &id, marking.code(), text)?;
        Ok(id)
    }

    /// Deletes a paragraph. Edits others make to it concurrently are lost with it.
    pub fn delete_paragraph(&mut self, index: usize) -> Result<(), DraftError> {
        self.paragraph(index)?;
        self.doc.delete(&self.paragraphs, index)?;
        Ok(())
    }

    /// Moves a paragraph so that it ends at index `to`. It is deleted and inserted again with
    /// the same id, marking and text: an edit someone makes to it concurrently is lost with
    /// the old copy, and two concurrent moves of it leave two copies with the same id.
    pub fn move_paragraph(&mut self, from: usize, to: usize) -> Result<(), DraftError> {
        let p = self.paragraph(from)?;
        let count = self.paragraph_count();
        if to >= count {
            return Err(DraftError::NoParagraph { index: to, count });
        }
        if from == to {
            return Ok(());
        }
        let id = self.register(&p, "id")?;
        let marking = self.register(&p, "marking")?;
        let text = self.doc.text(self.child(&p, "text", ObjType::Text)?)?;
        self.doc.delete(&self.paragraphs, from)?;
        self.insert_paragraph_with(to, &id, &marking, &text)
    }

    /// Replaces `delete` UTF-16 code units at `pos` of paragraph `index` by `insert`.
    pub fn splice_paragraph(
        &mut self,
        index: usize,
        pos: usize,
        delete: usize,
        insert: &str,
    ) -> Result<(), DraftError> {
        let p = self.paragraph(index)?;
        let text = self.child(&p, "text", ObjType::Text)?;
        self.splice(&text, pos, delete, insert)
    }

    /// Sets a paragraph's portion mark (and resolves a conflict on it).
    pub fn set_paragraph_marking(
        &mut self,
        index: usize,
        marking: Marking,
    ) -> Result<(), DraftError> {
        let p = self.paragraph(index)?;
        if self.register_values(&p, "marking")? == [marking.code()] {
            return Ok(());
        }
        self.doc.put(&p, "marking", marking.code())?;
        Ok(())
    }

    // ---- whole views ----

    /// Everything in the draft as plain values, with the conflicts to resolve.
    pub fn view(&self) -> DraftView {
        let mut fields = DraftFields::default();
        let mut conflicts = Vec::new();
        for field in FieldName::ALL {
            if !field.applies_to(self.kind) {
                continue;
            }
            if field.is_text() {
                *fields.slot(field) = self
                    .child(&self.fields, field.key(), ObjType::Text)
                    .and_then(|t| Ok(self.doc.text(t)?))
                    .unwrap_or_default();
                continue;
            }
            *fields.slot(field) = self.register(&self.fields, field.key()).unwrap_or_default();
            let values = self.field_conflicts(field);
            if !values.is_empty() {
                conflicts.push(FieldConflict {
                    field: field.key().to_owned(),
                    values,
                });
            }
        }
        for list in ListField::ALL {
            if let Ok(obj) = self.list_obj(list) {
                *fields.list_slot(list) = dedup(self.list_strings(&obj).unwrap_or_default());
            }
        }

        let mut addressees: Vec<AddresseeView> = Vec::new();
        let mut routes: Vec<Vec<String>> = Vec::new();
        let stored = self
            .addressee_list()
            .and_then(|list| self.stored_addressees(&list))
            .unwrap_or_default();
        for entry in stored {
            match addressees
                .iter()
                .position(|a| a.addressee == entry.addressee)
            {
                Some(at) => {
                    if let Some(seen) = routes.get_mut(at) {
                        let merged = dedup(seen.iter().cloned().chain(entry.routes));
                        *seen = merged;
                    }
                }
                None => {
                    addressees.push(AddresseeView {
                        addressee: entry.addressee,
                        route: entry.route,
                    });
                    routes.push(entry.routes);
                }
            }
        }
        for (a, values) in addressees.iter().zip(routes) {
            if values.len() > 1 {
                conflicts.push(FieldConflict {
                    field: format!("{ADDRESSEES}.{}.route", a.addressee.name()),
                    values,
                });
            }
        }

        let mut paragraphs = Vec::new();
        for index in 0..self.paragraph_count() {
            let Ok(p) = self.paragraph(index) else {
                continue;
            };
            let id = self.register(&p, "id").unwrap_or_default();
            let markings = self.register_values(&p, "marking").unwrap_or_default();
            if markings.len() > 1 {
                conflicts.push(FieldConflict {
                    field: format!("paragraphs.{id}.marking"),
                    values: markings,
                });
            }
            paragraphs.push(ParagraphView {
                edited_by: self.register_values(&p, "edited_by").unwrap_or_default(),
                marking: self.register(&p, "marking").unwrap_or_default(),
                text: self
                    .child(&p, "text", ObjType::Text)
                    .and_then(|t| Ok(self.doc.text(t)?))
                    .unwrap_or_default(),
                id,
            });
        }

        DraftView {
            schema: DRAFT_SCHEMA.unsigned_abs(),
            kind: self.kind,
            fields,
            addressees,
            paragraphs,
            conflicts,
        }
    }

    /// The domain item this draft would become at `at` (see `DraftView::to_content`), for
    /// `Item::validate` at release.
    pub fn to_content(&self, drafter: &str, at: OffsetDateTime) -> Result<ItemContent, DraftError> {
        self.view().to_content(drafter, at)
    }
}

/// A comment to anchor to a range of a paragraph's text.
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    pub paragraph: &'a str,
    /// UTF-16 positions in the paragraph's text, `start < end`.
    pub start: usize,
    pub end: usize,
    pub author: &'a str,
    pub at: OffsetDateTime,
    pub text: &'a str,
}

/// A comment as it stands now: its range follows the text it was anchored to.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommentView {
    pub id: String,
    pub author: String,
    /// RFC 3339.
    pub at: String,
    pub text: String,
    /// The paragraph it is anchored to (its id), and the range now, in UTF-16 units; `None`
    /// once the paragraph or the whole range was deleted.
    pub paragraph: String,
    pub range: Option<(usize, usize)>,
    /// The text of the range now (or as it was when the comment was made, once deleted).
    pub quote: String,
    /// Who marked it resolved, if anyone.
    pub resolved_by: Option<String>,
}

impl fmt::Debug for CommentView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommentView")
            .field("id", &self.id)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

/// UTF-16 slice of `text`.
fn utf16_slice(text: &str, start: usize, end: usize) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    units
        .get(start.min(units.len())..end.min(units.len()))
        .map(String::from_utf16_lossy)
        .unwrap_or_default()
}

impl DraftDoc {
    // ---- what the clearance service keeps in the document ----

    /// Appends an entry (JSON written by the drafting service) to the clearance log. Entries
    /// appended concurrently on several replicas end in the same order on every replica.
    pub fn append_log(&mut self, entry: &str) -> Result<(), DraftError> {
        let at = self.doc.length(&self.log);
        self.doc.insert(&self.log, at, entry)?;
        Ok(())
    }

    /// The clearance log, oldest first.
    pub fn log(&self) -> Vec<String> {
        self.list_strings(&self.log).unwrap_or_default()
    }

    /// Records that `by` edited paragraph `index` (for "who edited what").
    pub fn mark_edited(&mut self, index: usize, by: &str) -> Result<(), DraftError> {
        let p = self.paragraph(index)?;
        if self.register_values(&p, "edited_by")? != [by] {
            self.doc.put(&p, "edited_by", by)?;
        }
        Ok(())
    }

    /// A digest of the content that would be released: fields, addressees, paragraphs and
    /// unresolved conflicts, but not the circuit (who drafts, clears and approves) nor who
    /// edited what. Two replicas with the same content give the same digest.
    pub fn content_fingerprint(&self) -> String {
        fingerprint(&self.view())
    }

    /// The draft as it was at `heads` (a version), without changing this replica.
    pub fn view_at(&mut self, heads: &[String]) -> Result<DraftView, DraftError> {
        let heads = parse_heads(heads)?;
        let fork = self
            .doc
            .fork_at(&heads)
            .map_err(|e| DraftError::BadHead(e.to_string()))?;
        Ok(Self::from_doc(fork)?.view())
    }

    // ---- comments ----

    /// Anchors a comment to a range of a paragraph's text; the range follows that text as
    /// people edit around it. Returns the comment's id.
    pub fn add_comment(&mut self, c: &NewComment<'_>) -> Result<String, DraftError> {
        if c.text.trim().is_empty() {
            return Err(DraftError::InvalidValue {
                field: "comment",
                reason: "a comment cannot be empty: type what you want to say",
            });
        }
        let index = self
            .paragraph_index(c.paragraph)
            .ok_or_else(|| DraftError::Malformed(format!("no paragraph {}", c.paragraph)))?;
        let p = self.paragraph(index)?;
        let text = self.child(&p, "text", ObjType::Text)?;
        let len = self.doc.length(&text);
        if c.start >= c.end || c.end > len {
            return Err(DraftError::OutOfText {
                pos: c.start,
                delete: c.end.saturating_sub(c.start),
                len,
            });
        }
        let start =
            self.doc
                .get_cursor_moving(&text, c.start, None, automerge::MoveCursor::After)?;
        let end =
            self.doc
                .get_cursor_moving(&text, c.end - 1, None, automerge::MoveCursor::Before)?;
        let quote = utf16_slice(&self.doc.text(&text)?, c.start, c.end);
        let id = new_paragraph_id();
        let at = self.doc.length(&self.comments);
        let m = self.doc.insert_object(&self.comments, at, ObjType::Map)?;
        self.doc.put(&m, "id", id.as_str())?;
        self.doc.put(&m, "author", c.author)?;
        self.doc.put(
            &m,
            "at",
            c.at.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        )?;
        self.doc.put(&m, "paragraph", c.paragraph)?;
        self.doc.put(&m, "start", start.to_string())?;
        self.doc.put(&m, "end", end.to_string())?;
        self.doc.put(&m, "quote", quote)?;
        self.doc.put(&m, "text", c.text.trim())?;
        self.doc.put(&m, "resolved_by", "")?;
        Ok(id)
    }

    /// Marks a comment resolved by `by`.
    pub fn resolve_comment(&mut self, id: &str, by: &str) -> Result<(), DraftError> {
        for index in 0..self.doc.length(&self.comments) {
            if let Some((Value::Object(ObjType::Map), m)) = self.doc.get(&self.comments, index)?
                && self.register(&m, "id")? == id
            {
                self.doc.put(&m, "resolved_by", by)?;
                return Ok(());
            }
        }
        Err(DraftError::InvalidValue {
            field: "comment",
            reason: "there is no such comment in this draft: refresh the view",
        })
    }

    /// Every comment, oldest first, with its range as the text stands now.
    pub fn comments(&self) -> Vec<CommentView> {
        let mut out = Vec::new();
        for index in 0..self.doc.length(&self.comments) {
            let Ok(Some((Value::Object(ObjType::Map), m))) = self.doc.get(&self.comments, index)
            else {
                continue;
            };
            let get = |key: &str| self.register(&m, key).unwrap_or_default();
            let paragraph = get("paragraph");
            let mut quote = get("quote");
            let range = self.comment_range(&paragraph, &get("start"), &get("end"));
            if let Some((text, start, end)) = &range {
                quote = utf16_slice(text, *start, *end);
            }
            let resolved = get("resolved_by");
            out.push(CommentView {
                id: get("id"),
                author: get("author"),
                at: get("at"),
                text: get("text"),
                paragraph,
                range: range.map(|(_, s, e)| (s, e)),
                quote,
                resolved_by: (!resolved.is_empty()).then_some(resolved),
            });
        }
        out
    }

    /// The paragraph's text and the comment's range in it, if both are still there.
    fn comment_range(
        &self,
        paragraph: &str,
        start: &str,
        end: &str,
    ) -> Option<(String, usize, usize)> {
        let p = self.paragraph(self.paragraph_index(paragraph)?).ok()?;
        let text = self.child(&p, "text", ObjType::Text).ok()?;
        let start = automerge::Cursor::try_from(start).ok()?;
        let end = automerge::Cursor::try_from(end).ok()?;
        let s = self.doc.get_cursor_position(&text, &start, None).ok()?;
        let e = self.doc.get_cursor_position(&text, &end, None).ok()? + 1;
        let content = self.doc.text(&text).ok()?;
        (s < e).then_some((content, s, e))
    }
}

fn parse_heads(heads: &[String]) -> Result<Vec<ChangeHash>, DraftError> {
    heads
        .iter()
        .map(|h| {
            h.parse::<ChangeHash>()
                .map_err(|_| DraftError::BadHead(h.clone()))
        })
        .collect()
}

/// See `DraftDoc::content_fingerprint`.
fn fingerprint(view: &DraftView) -> String {
    let mut content = view.clone();
    content.fields.approver.clear();
    content.fields.drafter.clear();
    content.fields.clearance_order.clear();
    content.fields.clearers.clear();
    for p in &mut content.paragraphs {
        p.edited_by.clear();
    }
    content
        .conflicts
        .retain(|c| !matches!(c.field.as_str(), "approver" | "drafter" | "clearance_order"));
    let bytes = serde_json::to_vec(&content).unwrap_or_default();
    diplomatie_crypto::hex::encode(&Sha256::digest(&bytes))
}
