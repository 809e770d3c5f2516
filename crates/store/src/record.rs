//! An item's record as stored: the item as JSON, deflated (`items.packed`, migration 0017).
//! Records stored before that migration are plain JSON in `items.data` and are read as such.

use std::io::{Read, Write};

use diplomatie_domain::Item;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

use crate::StoreError;

/// The largest record read back: a packed record that inflates beyond it is damage, not an
/// item (attachments' bytes are stored apart, so a record is text and metadata).
const MAX_RECORD: u64 = 64 << 20;

/// The columns `data` and `packed` for `item`.
pub(crate) fn pack(item: &Item) -> Result<Vec<u8>, StoreError> {
    let json = serde_json::to_vec(item)?;
    // Level 1: nearly the ratio of the default level on records of a few kilobytes, at a
    // fraction of its time.
    let mut encoder = DeflateEncoder::new(Vec::with_capacity(json.len() / 2), Compression::fast());
    encoder.write_all(&json)?;
    Ok(encoder.finish()?)
}

/// The item of a stored row: from `packed` when the row has it, else from `data`.
pub(crate) fn unpack(data: &str, packed: Option<&[u8]>) -> Result<Item, StoreError> {
    let Some(packed) = packed else {
        return Ok(serde_json::from_str(data)?);
    };
    let mut json = Vec::with_capacity(packed.len() * 3);
    DeflateDecoder::new(packed)
        .take(MAX_RECORD + 1)
        .read_to_end(&mut json)
        .map_err(|e| StoreError::Damaged(format!("an item's record does not inflate: {e}")))?;
    if json.len() as u64 > MAX_RECORD {
        return Err(StoreError::Damaged(
            "an item's record inflates beyond 64 MiB".into(),
        ));
    }
    Ok(serde_json::from_slice(&json)?)
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
    fn a_packed_record_unpacks_to_the_same_item_and_a_plain_one_still_reads() {
        let item = item();
        let packed = pack(&item).unwrap();
        assert_eq!(unpack("", Some(&packed)).unwrap(), item);
        let json = serde_json::to_string(&item).unwrap();
        assert_eq!(unpack(&json, None).unwrap(), item);
    }

    #[test]
    fn damaged_or_oversized_records_are_refused_as_damage() {
        assert!(matches!(
            unpack("", Some(b"not deflate at all \xff\xfe")),
            Err(StoreError::Damaged(_) | StoreError::Serde(_))
        ));
        // 65 MiB of zeros deflate to a few tens of kilobytes: refused before it is all held.
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(&vec![0u8; 65 << 20]).unwrap();
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 1 << 20);
        assert!(matches!(
            unpack("", Some(&bomb)),
            Err(StoreError::Damaged(_))
        ));
    }
}
