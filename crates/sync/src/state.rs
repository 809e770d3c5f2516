//! The engine's durable state as rows of a key-value table, and their codec.
//!
//! ```text
//! key                                   value (0x01, then postcard)
//! 0x01 space(16)                        next sequence number, count since the last snapshot
//! 0x02 envelope(16)                     an outbox entry: order, space, seq, content, created
//! 0x03 transport(2, BE) envelope(16)    (empty): the entry still has to reach that transport
//! 0x04 transport(2, BE) space(16)       the cursor in the space's log on that transport
//! 0x05 space(16) sender(16)             the sequence numbers applied from that sender
//! ```
//!
//! Every value starts with its format byte, so a later version can change one kind of row and
//! still read the others; an unknown format or kind of row is named, never guessed at.

use std::collections::BTreeMap;

use diplomatie_protocol::{Content, ContentKind, DeviceId, EnvelopeId, SpaceId};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::seq_set::SeqSet;
use crate::types::{Cursor, Outgoing, Time, TransportId, Write};

const FORMAT: u8 = 1;

const SPACE: u8 = 1;
const OUTBOX: u8 = 2;
const PENDING: u8 = 3;
const SUBSCRIPTION: u8 = 4;
const APPLIED: u8 = 5;

/// The engine's errors: only its persisted state can be wrong.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SyncError {
    #[error(
        "the sync state was written by a newer version of Diplomatie (format {found}): update the application"
    )]
    UnknownVersion { found: u8 },
    #[error(
        "the sync state holds a kind of record this version does not know ({tag}): update the application"
    )]
    UnknownRecord { tag: u8 },
    #[error("the sync state is damaged ({what}): restore the profile from a backup")]
    Corrupt { what: &'static str },
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SpaceRow {
    /// The sequence number the next local write in this space gets (from 1).
    pub next_seq: u64,
    /// Envelopes applied or written in this space since its last snapshot.
    pub since_snapshot: u64,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OutboxRow {
    /// Insertion order: entries are pushed oldest first.
    pub order: u64,
    pub space: SpaceId,
    pub seq: u64,
    /// The content's kind, as its byte on the wire.
    pub kind: u8,
    pub body: Vec<u8>,
    pub created: Time,
}

impl OutboxRow {
    pub(crate) fn new(order: u64, entry: &Outgoing) -> OutboxRow {
        OutboxRow {
            order,
            space: entry.space,
            seq: entry.seq,
            kind: entry.content.kind.byte(),
            body: entry.content.body.clone(),
            created: entry.created,
        }
    }

    pub(crate) fn content(&self) -> Result<Content, SyncError> {
        let kind = ContentKind::from_byte(self.kind).ok_or(SyncError::Corrupt {
            what: "an outbox entry's kind",
        })?;
        Ok(Content {
            kind,
            body: self.body.clone(),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SubscriptionRow {
    pub cursor: Cursor,
}

/// The keys of the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Space(SpaceId),
    Outbox(EnvelopeId),
    Pending(TransportId, EnvelopeId),
    Subscription(TransportId, SpaceId),
    Applied(SpaceId, DeviceId),
}

impl Key {
    pub(crate) fn encode(self) -> Vec<u8> {
        let mut key = Vec::with_capacity(35);
        match self {
            Key::Space(space) => {
                key.push(SPACE);
                key.extend_from_slice(&space.0);
            }
            Key::Outbox(id) => {
                key.push(OUTBOX);
                key.extend_from_slice(&id.0);
            }
            Key::Pending(transport, id) => {
                key.push(PENDING);
                key.extend_from_slice(&transport.0.to_be_bytes());
                key.extend_from_slice(&id.0);
            }
            Key::Subscription(transport, space) => {
                key.push(SUBSCRIPTION);
                key.extend_from_slice(&transport.0.to_be_bytes());
                key.extend_from_slice(&space.0);
            }
            Key::Applied(space, sender) => {
                key.push(APPLIED);
                key.extend_from_slice(&space.0);
                key.extend_from_slice(&sender.0);
            }
        }
        key
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Key, SyncError> {
        const WHAT: &str = "a record's key";
        let (&tag, rest) = bytes
            .split_first()
            .ok_or(SyncError::Corrupt { what: WHAT })?;
        let id16 = |bytes: &[u8]| -> Result<[u8; 16], SyncError> {
            bytes
                .try_into()
                .map_err(|_| SyncError::Corrupt { what: WHAT })
        };
        let transport_and = |bytes: &[u8]| -> Result<(TransportId, [u8; 16]), SyncError> {
            let (transport, rest) = bytes
                .split_first_chunk::<2>()
                .ok_or(SyncError::Corrupt { what: WHAT })?;
            Ok((TransportId(u16::from_be_bytes(*transport)), id16(rest)?))
        };
        match tag {
            SPACE => Ok(Key::Space(SpaceId(id16(rest)?))),
            OUTBOX => Ok(Key::Outbox(EnvelopeId(id16(rest)?))),
            PENDING => {
                let (transport, id) = transport_and(rest)?;
                Ok(Key::Pending(transport, EnvelopeId(id)))
            }
            SUBSCRIPTION => {
                let (transport, space) = transport_and(rest)?;
                Ok(Key::Subscription(transport, SpaceId(space)))
            }
            APPLIED => {
                let (space, sender) = rest
                    .split_first_chunk::<16>()
                    .ok_or(SyncError::Corrupt { what: WHAT })?;
                Ok(Key::Applied(SpaceId(*space), DeviceId(id16(sender)?)))
            }
            tag => Err(SyncError::UnknownRecord { tag }),
        }
    }
}

/// A value: its format byte, then postcard. Encoding these plain types cannot fail but for
/// want of memory; an empty value would then be read back as damaged, never misread.
pub(crate) fn encode_value<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_extend(value, vec![FORMAT]).unwrap_or_default()
}

pub(crate) fn decode_value<T: DeserializeOwned>(
    bytes: &[u8],
    what: &'static str,
) -> Result<T, SyncError> {
    let (&format, rest) = bytes.split_first().ok_or(SyncError::Corrupt { what })?;
    if format != FORMAT {
        return Err(SyncError::UnknownVersion { found: format });
    }
    let (value, left) =
        postcard::take_from_bytes::<T>(rest).map_err(|_| SyncError::Corrupt { what })?;
    if !left.is_empty() {
        return Err(SyncError::Corrupt { what });
    }
    Ok(value)
}

pub(crate) fn put<T: Serialize>(key: Key, value: &T) -> Write {
    Write::Put {
        key: key.encode(),
        value: encode_value(value),
    }
}

/// Everything read back from the rows, checked.
#[derive(Default)]
pub(crate) struct Restored {
    pub spaces: BTreeMap<SpaceId, SpaceRow>,
    pub outbox: BTreeMap<EnvelopeId, OutboxRow>,
    pub pending: Vec<(TransportId, EnvelopeId)>,
    pub subscriptions: BTreeMap<(TransportId, SpaceId), SubscriptionRow>,
    pub applied: BTreeMap<(SpaceId, DeviceId), SeqSet>,
}

pub(crate) fn restore(
    rows: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>,
) -> Result<Restored, SyncError> {
    let mut restored = Restored::default();
    for (key, value) in rows {
        match Key::decode(&key)? {
            Key::Space(space) => {
                let row: SpaceRow = decode_value(&value, "a space's record")?;
                restored.spaces.insert(space, row);
            }
            Key::Outbox(id) => {
                let row: OutboxRow = decode_value(&value, "an outbox entry")?;
                row.content()?;
                restored.outbox.insert(id, row);
            }
            Key::Pending(transport, id) => {
                decode_value::<()>(&value, "an outbox entry's transport")?;
                restored.pending.push((transport, id));
            }
            Key::Subscription(transport, space) => {
                let row: SubscriptionRow = decode_value(&value, "a cursor")?;
                restored.subscriptions.insert((transport, space), row);
            }
            Key::Applied(space, sender) => {
                let set: SeqSet = decode_value(&value, "the envelopes applied from a sender")?;
                if !set.is_well_formed() {
                    return Err(SyncError::Corrupt {
                        what: "the envelopes applied from a sender",
                    });
                }
                restored.applied.insert((space, sender), set);
            }
        }
    }
    Ok(restored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let keys = [
            Key::Space(SpaceId([1; 16])),
            Key::Outbox(EnvelopeId([2; 16])),
            Key::Pending(TransportId(7), EnvelopeId([3; 16])),
            Key::Subscription(TransportId(258), SpaceId([4; 16])),
            Key::Applied(SpaceId([5; 16]), DeviceId([6; 16])),
        ];
        for key in keys {
            assert_eq!(Key::decode(&key.encode()), Ok(key));
        }
    }

    #[test]
    fn damaged_and_unknown_rows_are_named() {
        let space = Key::Space(SpaceId([1; 16])).encode();
        let good = encode_value(&SpaceRow {
            next_seq: 3,
            since_snapshot: 1,
        });
        assert!(restore([(space.clone(), good.clone())]).is_ok());

        let mut newer = good.clone();
        if let Some(format) = newer.first_mut() {
            *format = 9;
        }
        assert_eq!(
            restore([(space.clone(), newer)]).err(),
            Some(SyncError::UnknownVersion { found: 9 })
        );
        assert_eq!(
            restore([(vec![42, 0], good.clone())]).err(),
            Some(SyncError::UnknownRecord { tag: 42 })
        );
        assert!(matches!(
            restore([(space.clone(), vec![FORMAT, 0xff, 0xff, 0xff])]),
            Err(SyncError::Corrupt { .. })
        ));
        assert!(matches!(
            restore([(space.clone(), Vec::new())]),
            Err(SyncError::Corrupt { .. })
        ));
        assert!(matches!(
            restore([(space[..5].to_vec(), good.clone())]),
            Err(SyncError::Corrupt { .. })
        ));
        let mut trailing = good;
        trailing.push(0);
        assert!(matches!(
            restore([(space, trailing)]),
            Err(SyncError::Corrupt { .. })
        ));
        // Ranges out of order are damage, not a set to trust.
        let bad_set = encode_value(&vec![(5u64, 9u64), (1, 2)]);
        assert!(matches!(
            restore([(
                Key::Applied(SpaceId([1; 16]), DeviceId([2; 16])).encode(),
                bad_set
            )]),
            Err(SyncError::Corrupt { .. })
        ));
    }
}
