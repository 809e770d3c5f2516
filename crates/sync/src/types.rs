//! The engine's vocabulary: what goes in ([`Input`]), what comes out ([`Action`], [`Event`]).

use std::fmt;

use diplomatie_protocol::{Content, ContentKind, DeviceId, EnvelopeHeader, EnvelopeId, SpaceId};
use serde::{Deserialize, Serialize};

/// A point in time: milliseconds since an origin the driver chooses (the Unix epoch is the
/// natural one). The engine never reads a clock; every [`crate::Engine::handle`] call says
/// what time it is.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Time(pub u64);

impl Time {
    pub fn plus_millis(self, millis: u64) -> Time {
        Time(self.0.saturating_add(millis))
    }
}

/// One way envelopes travel: the relay, an exchange folder… Numbered by the driver, which
/// keeps the numbers stable across restarts (cursors are persisted under them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TransportId(pub u16);

/// Where a reader stands in a space's log on one transport: opaque to the engine, which only
/// stores it, hands it back in [`Action::Pull`] and compares two for equality (caught up when
/// the page's `next` equals its `head`). The empty cursor is the log's start.
///
/// The relay's cursor is a relay sequence number ([`Cursor::from_seq`]); a folder's is what
/// its transport needs to list what is new (see the crate documentation).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cursor(pub Vec<u8>);

impl Cursor {
    /// The start of a log: nothing read yet.
    pub fn start() -> Cursor {
        Cursor(Vec::new())
    }

    /// A cursor that is a sequence number (the relay's), big-endian so that bytes sort as
    /// numbers; 0 is the start, so that one position has one cursor.
    pub fn from_seq(seq: u64) -> Cursor {
        if seq == 0 {
            return Cursor::start();
        }
        Cursor(seq.to_be_bytes().to_vec())
    }

    /// The sequence number this cursor holds: 0 for the start, `None` if it is not one.
    pub fn seq(&self) -> Option<u64> {
        if self.0.is_empty() {
            return Some(0);
        }
        let bytes: [u8; 8] = self.0.as_slice().try_into().ok()?;
        Some(u64::from_be_bytes(bytes))
    }
}

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seq() {
            Some(seq) => write!(f, "Cursor({seq})"),
            None => write!(f, "Cursor({} bytes)", self.0.len()),
        }
    }
}

/// An outbox entry as the driver seals it: the header but for the epoch (the space's current
/// one at push time), and the plaintext content. Its id and sequence number were fixed when
/// it was written, so a push retried after a crash is the same envelope (pushes are
/// idempotent by id).
#[derive(Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: EnvelopeId,
    pub space: SpaceId,
    pub sender: DeviceId,
    pub seq: u64,
    pub content: Content,
    /// When the local write was made.
    pub created: Time,
}

impl Outgoing {
    /// The envelope header for this entry, sealed under `epoch`.
    pub fn header(&self, epoch: u64) -> EnvelopeHeader {
        EnvelopeHeader {
            space: self.space,
            epoch,
            sender: self.sender,
            seq: self.seq,
            id: self.id,
        }
    }
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outgoing")
            .field("id", &self.id)
            .field("space", &self.space)
            .field("seq", &self.seq)
            .field("content", &self.content)
            .finish_non_exhaustive()
    }
}

/// One entry of a pulled page, as the driver hands it over after verifying and opening it.
#[derive(Clone, PartialEq, Eq)]
pub enum Entry {
    /// Verified against the sender's certified key and opened under the epoch key.
    Opened {
        /// The cursor to resume from once this entry and those before it are settled.
        position: Cursor,
        header: EnvelopeHeader,
        content: Content,
    },
    /// Not opened: undecodable, a bad signature, an unknown sender, or an epoch whose key the
    /// device does not hold yet.
    Unopened {
        position: Cursor,
        /// The envelope's id, when its header could be read.
        id: Option<EnvelopeId>,
        refusal: Refusal,
    },
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Opened {
                position,
                header,
                content,
            } => f
                .debug_struct("Opened")
                .field("position", position)
                .field("header", header)
                .field("content", content)
                .finish(),
            Entry::Unopened {
                position,
                id,
                refusal,
            } => f
                .debug_struct("Unopened")
                .field("position", position)
                .field("id", id)
                .field("refusal", refusal)
                .finish(),
        }
    }
}

/// Why the driver did not open or apply an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Never valid (forged, malformed, from a device that is not a member): the cursor moves
    /// past it and it is not recorded as applied (a valid copy may still come another way).
    Invalid { reason: String },
    /// Not yet: the epoch key or a change it depends on is missing. The cursor stops before
    /// it, and the space is pulled again after a backoff.
    Later { reason: String },
}

/// What a transport answered for one envelope of a pushed batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// Stored (or already stored: pushes are idempotent by envelope id).
    Accepted,
    /// Refused. A retryable refusal (a stale epoch, a quota) is pushed again after a backoff;
    /// a final one (not a member, too large) removes the entry for that transport and is
    /// reported as [`Event::Rejected`].
    Refused { retryable: bool, reason: String },
}

/// What the driver tells the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A local write to send. Handled inside the transaction that stores the write itself,
    /// whose [`Action::Persist`] goes in the same transaction. `id` is chosen by the driver
    /// (random); writing the same id twice is a no-op.
    Write {
        id: EnvelopeId,
        space: SpaceId,
        content: Content,
    },
    /// Sync `space` through `transport` (from the start of its log, the first time).
    Subscribe {
        space: SpaceId,
        transport: TransportId,
    },
    /// Send the writes of `space` through `transport` without reading its log: a space this
    /// device writes into without being a member (deposits). Not kept: said again after a
    /// restart, like [`Input::Online`]; the writes routed stay routed.
    Route {
        space: SpaceId,
        transport: TransportId,
    },
    /// Stop syncing `space` through `transport`; its cursor is forgotten.
    Unsubscribe {
        space: SpaceId,
        transport: TransportId,
    },
    /// The transport is reachable (network up, relay connected, folder mounted).
    Online { transport: TransportId },
    /// The transport is not reachable. Offline is the normal state, not an error.
    Offline { transport: TransportId },
    /// A timer fired ([`Action::WakeAt`]); any call carries the time, so any input will do
    /// as a tick, this one carries nothing else.
    Tick,
    /// The transport says the space's log now ends at `head` (the relay's WebSocket, or the
    /// start of a sync): a pull is due if this device has not read that far; told before
    /// [`Input::Online`], a log read to its end is not pulled when the transport comes online.
    News {
        transport: TransportId,
        space: SpaceId,
        head: Cursor,
    },
    /// The answer to an [`Action::Pull`]: the entries after the cursor asked for, in log
    /// order; `next` is where the next page starts, `head` where the log ends now, and
    /// `remaining` how many entries lie between `next` and `head`, when the transport knows.
    Page {
        transport: TransportId,
        space: SpaceId,
        entries: Vec<Entry>,
        next: Cursor,
        head: Cursor,
        remaining: Option<u64>,
    },
    /// An [`Action::Pull`] could not be done (unreachable, timed out, refused).
    PullFailed {
        transport: TransportId,
        space: SpaceId,
        reason: String,
    },
    /// The answer to an [`Action::Push`], envelope by envelope. An envelope of the batch left
    /// out counts as a transport error for it.
    Pushed {
        transport: TransportId,
        results: Vec<(EnvelopeId, PushOutcome)>,
    },
    /// An [`Action::Push`] failed as a whole (unreachable, timed out, interrupted).
    PushFailed {
        transport: TransportId,
        reason: String,
    },
    /// The driver applied the envelope of an [`Action::Apply`]. Handled inside the
    /// transaction that stores what the application changed, whose [`Action::Persist`] goes
    /// in the same transaction.
    Applied { id: EnvelopeId },
    /// The driver could not apply the envelope of an [`Action::Apply`].
    Refused { id: EnvelopeId, refusal: Refusal },
}

/// One change to the engine's durable state, a row of a key-value table the driver keeps in
/// the encrypted store. Values may hold plaintext (outbox entries): never log them.
#[derive(Clone, PartialEq, Eq)]
pub enum Write {
    Put { key: Vec<u8>, value: Vec<u8> },
    Delete { key: Vec<u8> },
}

impl fmt::Debug for Write {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Write::Put { key, value } => write!(f, "Put({key:02x?}, {} bytes)", value.len()),
            Write::Delete { key } => write!(f, "Delete({key:02x?})"),
        }
    }
}

/// Why a received envelope was not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Its sender's sequence number is in what this device applied from that sender in that
    /// space: a replay, or a copy that came another way.
    AlreadyApplied,
    /// The same envelope (by id, or by sender and sequence number) is being applied now.
    BeingApplied,
    /// This device's own envelope, applied locally when it was written.
    Own,
    /// Invalid: refused by the driver, or its header names another space than its log.
    Invalid { reason: String },
}

/// What the engine asks the driver to do, in order. [`Action::Persist`], when present, comes
/// first: its writes go in the transaction of the input that produced it (a write, an
/// application), or in a transaction of their own before anything else is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Write these rows (in order; at most one per key).
    Persist(Vec<Write>),
    /// Seal each entry under its space's current epoch (see [`Outgoing::header`]), sign it
    /// and push the batch; then answer with [`Input::Pushed`] or [`Input::PushFailed`].
    Push {
        transport: TransportId,
        batch: Vec<Outgoing>,
    },
    /// Fetch a page of the space's log after `after`; then answer with [`Input::Page`] or
    /// [`Input::PullFailed`].
    Pull {
        transport: TransportId,
        space: SpaceId,
        after: Cursor,
    },
    /// Apply this content to the application; then answer with [`Input::Applied`] or
    /// [`Input::Refused`].
    Apply {
        transport: TransportId,
        header: EnvelopeHeader,
        content: Content,
    },
    /// A received envelope not applied, and why. Nothing to do but, perhaps, count it.
    Drop {
        transport: TransportId,
        space: SpaceId,
        id: Option<EnvelopeId>,
        reason: DropReason,
    },
    /// Enough has been applied in this space since its last snapshot: compact its document
    /// and write the snapshot as an [`Input::Write`] of kind [`ContentKind::DraftSnapshot`].
    Snapshot { space: SpaceId },
    /// Tell the interface.
    Event(Event),
    /// Call [`crate::Engine::handle`] (with [`Input::Tick`]) at this time, replacing any
    /// earlier wake-up asked for.
    WakeAt(Time),
}

/// What the interface may show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Online {
        transport: TransportId,
    },
    Offline {
        transport: TransportId,
    },
    /// Local writes not yet delivered everywhere they go.
    Pending {
        count: usize,
    },
    /// A catch-up in a space: `done` envelopes settled since it began, out of `total` when the
    /// transport said how many remain.
    Progress {
        transport: TransportId,
        space: SpaceId,
        done: u64,
        total: Option<u64>,
    },
    /// The space is caught up with the transport's head as of `at`.
    Synced {
        transport: TransportId,
        space: SpaceId,
        at: Time,
    },
    /// A local write reached the transport.
    Delivered {
        transport: TransportId,
        id: EnvelopeId,
    },
    /// The transport refused a local write for good.
    Rejected {
        transport: TransportId,
        id: EnvelopeId,
        reason: String,
    },
}

/// The engine's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The most envelopes in one push.
    pub max_batch_count: usize,
    /// The most content bytes in one push (a single larger entry still goes, alone).
    pub max_batch_bytes: usize,
    /// The first retry delay, doubled at each failure…
    pub backoff_base_ms: u64,
    /// …up to this.
    pub backoff_cap_ms: u64,
    /// Ask for a snapshot after this many envelopes applied or written in a space since its
    /// last snapshot (0: never).
    pub snapshot_every: u64,
    /// The most pulls in flight at once on one transport.
    pub max_pulls_in_flight: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_batch_count: 100,
            max_batch_bytes: 1024 * 1024,
            backoff_base_ms: 1_000,
            backoff_cap_ms: 5 * 60 * 1_000,
            snapshot_every: 500,
            max_pulls_in_flight: 4,
        }
    }
}

/// Whether content of this kind is a compacted snapshot (which resets the snapshot count).
pub(crate) fn is_snapshot(kind: ContentKind) -> bool {
    kind == ContentKind::DraftSnapshot
}
