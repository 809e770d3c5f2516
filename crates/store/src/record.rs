//! An item's record as stored: the item as JSON, deflated (`items.packed`, migration 0017),
//! with a preset dictionary since migration 0022 (`items.dictionary`). Records stored before
//! migration 0017 are plain JSON in `items.data` and are read as such; those stored before
//! 0022 were deflated without a dictionary and are read so.
//!
//! Why a dictionary: a record of a few kilobytes is deflated alone, so it spelled out once
//! every key of its JSON and every value the format fixes (`"deadline":null`,
//! `"precedence":"routine"`). Deflated after the dictionary, the record refers to them there:
//! about a sixth fewer bytes a record on the demo corpus (docs/BENCHMARKS.md). The dictionary
//! holds only what the format and the trade fix: the JSON skeleton of each kind of item, the
//! values of its enumerations, and the courtesy formulas that open and close a note verbale.

use diplomatie_domain::Item;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use crate::StoreError;

/// The largest record read back: a packed record that inflates beyond it is damage, not an
/// item (attachments' bytes are stored apart, so a record is text and metadata).
const MAX_RECORD: usize = 64 << 20;

/// Dictionary 1. Its bytes never change once a record was deflated with it: a change needs
/// a new number, and this one kept for the records that name it (a test holds its checksum).
const DICTIONARY_1: &[u8] = include_bytes!("record-dictionary-1.txt");

/// The dictionary new records are deflated with (`items.dictionary`).
pub(crate) const DICTIONARY: i64 = 1;

/// The bytes of dictionary `number`; `None` for none (0).
fn dictionary(number: i64) -> Result<Option<&'static [u8]>, StoreError> {
    match number {
        0 => Ok(None),
        1 => Ok(Some(DICTIONARY_1)),
        n => Err(StoreError::Damaged(format!(
            "an item's record names a dictionary this version does not know ({n})"
        ))),
    }
}

/// The column `packed` for `item`, deflated with dictionary [`DICTIONARY`].
pub(crate) fn pack(item: &Item) -> Result<Vec<u8>, StoreError> {
    let json = serde_json::to_vec(item)?;
    deflate(&json, dictionary(DICTIONARY)?)
}

fn deflate(json: &[u8], dictionary: Option<&[u8]>) -> Result<Vec<u8>, StoreError> {
    let failed = |e: flate2::CompressError| StoreError::Io(std::io::Error::other(e));
    // Level 1: nearly the ratio of the default level on records of a few kilobytes, at a
    // fraction of its time. Raw deflate: the dictionary's number is in the row.
    let mut encoder = Compress::new(Compression::fast(), false);
    if let Some(dictionary) = dictionary {
        encoder.set_dictionary(dictionary).map_err(failed)?;
    }
    let mut out = Vec::with_capacity(json.len() / 2 + 64);
    loop {
        let read = usize::try_from(encoder.total_in()).unwrap_or(usize::MAX);
        let rest = json.get(read..).unwrap_or_default();
        if encoder
            .compress_vec(rest, &mut out, FlushCompress::Finish)
            .map_err(failed)?
            == Status::StreamEnd
        {
            return Ok(out);
        }
        out.reserve(out.capacity().max(64));
    }
}

/// The columns of an item's row that hold its record, in the order [`Stored::read`] reads them.
pub(crate) const COLUMNS: &str = "data, packed, dictionary";

/// An item's record as read from its row, not yet unpacked.
#[derive(Debug)]
pub(crate) struct Stored {
    data: String,
    packed: Option<Vec<u8>>,
    dictionary: Option<i64>,
}

impl Stored {
    /// The record of `row`, whose columns from `first` on are [`COLUMNS`].
    pub(crate) fn read(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Self> {
        Ok(Stored {
            data: row.get(first)?,
            packed: row.get(first + 1)?,
            dictionary: row.get(first + 2)?,
        })
    }

    pub(crate) fn item(&self) -> Result<Item, StoreError> {
        unpack(&self.data, self.packed.as_deref(), self.dictionary)
    }
}

/// The item of a stored row: from `packed` when the row has it, inflated with the dictionary
/// the row names (`items.dictionary`, NULL as 0), else from `data`.
pub(crate) fn unpack(
    data: &str,
    packed: Option<&[u8]>,
    dictionary_number: Option<i64>,
) -> Result<Item, StoreError> {
    let Some(packed) = packed else {
        return Ok(serde_json::from_str(data)?);
    };
    let json = inflate(packed, dictionary(dictionary_number.unwrap_or(0))?)?;
    Ok(serde_json::from_slice(&json)?)
}

fn inflate(packed: &[u8], dictionary: Option<&[u8]>) -> Result<Vec<u8>, StoreError> {
    let damaged = |e: flate2::DecompressError| {
        StoreError::Damaged(format!("an item's record does not inflate: {e}"))
    };
    let mut decoder = Decompress::new(false);
    if let Some(dictionary) = dictionary {
        decoder.set_dictionary(dictionary).map_err(damaged)?;
    }
    let mut json = Vec::with_capacity(packed.len().saturating_mul(3).min(MAX_RECORD));
    loop {
        let read = usize::try_from(decoder.total_in()).unwrap_or(usize::MAX);
        let rest = packed.get(read..).unwrap_or_default();
        let before = (decoder.total_in(), decoder.total_out());
        let status = decoder
            .decompress_vec(rest, &mut json, FlushDecompress::Finish)
            .map_err(damaged)?;
        if status == Status::StreamEnd {
            return Ok(json);
        }
        if json.len() > MAX_RECORD {
            return Err(StoreError::Damaged(
                "an item's record inflates beyond 64 MiB".into(),
            ));
        }
        if json.len() < json.capacity() && before == (decoder.total_in(), decoder.total_out()) {
            // Room left, yet no progress: the input ended before the stream did.
            return Err(StoreError::Damaged(
                "an item's record does not inflate: it ends too early".into(),
            ));
        }
        if json.len() == json.capacity() {
            let room = (MAX_RECORD + 1).saturating_sub(json.len());
            json.reserve_exact(json.capacity().max(4096).min(room));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn item() -> Item {
        use diplomatie_domain::{FormalEmail, ItemContent, ItemId, Mailbox, Marking, Precedence};
        let at = time::macros::datetime!(2026-05-19 10:00 UTC);
        Item {
            id: ItemId::from_uuid(uuid::Uuid::now_v7()),
            received_at: at,
            deadline: None,
            content: ItemContent::FormalEmail(FormalEmail {
                from: Mailbox::parse("bob@quai.example").unwrap(),
                to: vec![Mailbox::parse("alice@diplomatie.example").unwrap()],
                cc: vec![],
                date: at,
                message_id: None,
                in_reply_to: vec![],
                references: vec![],
                subject: "Compte rendu de la réunion".into(),
                body: "Le comité a retenu trois priorités pour l'exercice.".into(),
                attachments: vec![],
                marking: Marking::NonProtege,
                precedence: Precedence::Routine,
            }),
            language: None,
        }
    }

    #[test]
    fn a_packed_record_unpacks_to_the_same_item_and_older_records_still_read() {
        let item = item();
        let packed = pack(&item).unwrap();
        assert_eq!(unpack("", Some(&packed), Some(DICTIONARY)).unwrap(), item);
        // Deflated without a dictionary (migrations 0017 to 0021), the column NULL or 0.
        let json = serde_json::to_string(&item).unwrap();
        let plain = deflate(json.as_bytes(), None).unwrap();
        assert_eq!(unpack("", Some(&plain), None).unwrap(), item);
        assert_eq!(unpack("", Some(&plain), Some(0)).unwrap(), item);
        // Plain JSON (before migration 0017).
        assert_eq!(unpack(&json, None, None).unwrap(), item);
    }

    #[test]
    fn the_dictionary_shortens_a_record_and_is_needed_to_read_it() {
        let item = item();
        let json = serde_json::to_vec(&item).unwrap();
        let packed = pack(&item).unwrap();
        let plain = deflate(&json, None).unwrap();
        assert!(
            packed.len() + 100 < plain.len(),
            "{} bytes with the dictionary, {} without",
            packed.len(),
            plain.len()
        );
        // Read without it, or with a number this version does not know: damage, not an item.
        assert!(unpack("", Some(&packed), Some(0)).is_err());
        assert!(matches!(
            unpack("", Some(&packed), Some(2)),
            Err(StoreError::Damaged(_))
        ));
    }

    #[test]
    fn dictionary_1_never_changes() {
        // Records deflated with it cannot be read with other bytes: a new dictionary takes a
        // new number. Adler-32 is what zlib itself names a dictionary by (in its own header,
        // which the raw streams of the records do not have).
        let mut encoder = Compress::new(Compression::fast(), true);
        assert_eq!(encoder.set_dictionary(DICTIONARY_1).unwrap(), 0x8445_1971);
        assert_eq!(DICTIONARY_1.len(), 1624);
    }

    #[test]
    fn damaged_truncated_or_oversized_records_are_refused_as_damage() {
        assert!(matches!(
            unpack("", Some(b"not deflate at all \xff\xfe"), Some(DICTIONARY)),
            Err(StoreError::Damaged(_) | StoreError::Serde(_))
        ));
        let packed = pack(&item()).unwrap();
        for cut in [0, 1, packed.len() / 2, packed.len() - 1] {
            assert!(
                matches!(
                    unpack("", Some(&packed[..cut]), Some(DICTIONARY)),
                    Err(StoreError::Damaged(_))
                ),
                "cut at {cut}"
            );
        }
        // 65 MiB of zeros deflate to a few tens of kilobytes: refused before it is all held.
        let bomb = deflate(&vec![0u8; 65 << 20], None).unwrap();
        assert!(bomb.len() < 1 << 20);
        assert!(matches!(
            unpack("", Some(&bomb), None),
            Err(StoreError::Damaged(_))
        ));
        // Exactly the largest record still reads as far as its JSON.
        let largest = deflate(&vec![b' '; MAX_RECORD], None).unwrap();
        assert!(matches!(
            unpack("", Some(&largest), None),
            Err(StoreError::Serde(_))
        ));
    }
}
