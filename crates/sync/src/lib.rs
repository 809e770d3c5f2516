//! The sync engine, sans IO: inputs in, actions out. No runtime, no database, no network, no
//! clock: the client's driver feeds it and carries out what it asks.
//!
//! # The model
//!
//! One [`Engine`] a device, in the style of quinn-proto and str0m: the driver calls
//! [`Engine::handle`]`(now, input)` and gets back a list of [`Action`]s to carry out. Time is
//! a parameter of every call ([`Time`], milliseconds since the driver's origin); the backoff's
//! jitter comes from a seed given at construction, so a test replays exactly.
//!
//! The engine holds no keys and does no cryptography. It sees outbox entries (id, space,
//! plaintext content), received envelopes as the driver verified and opened them (header and
//! content), and the answers of transports.
//!
//! **Inputs** ([`Input`]): a local write; subscribing a space to a transport (or no longer);
//! a transport online or offline; a tick; news from the relay's WebSocket (space, head); a
//! pulled page (entries, `next`, `head`, how many remain); a pull failed; a push's results
//! envelope by envelope (accepted, refused for now, refused for good; one left out counts as
//! a transport error) or its failure as a whole; an envelope applied or refused by the driver.
//! A restart is [`Engine::restore`] from the persisted rows.
//!
//! **Actions** ([`Action`]): persist rows; push a batch; pull a page; apply an envelope; drop
//! one (with the reason: already applied, being applied, this device's own, invalid); ask for
//! a snapshot; tell the interface ([`Event`]: online, offline, pending count, catch-up
//! progress `done/total`, synced at, delivered, rejected); wake me at.
//!
//! # Durability
//!
//! The durable state is a set of rows of a key-value table in the encrypted store (module
//! `state`: a space's next sequence number and snapshot count, outbox entries, which
//! transports each has yet to reach, cursors, the sequence numbers applied from each sender).
//! Every value starts with a format byte; a row of an unknown format or kind, or a damaged
//! one, makes [`Engine::restore`] fail with a [`SyncError`] saying what to do, never a panic.
//!
//! [`Action::Persist`] comes first in what `handle` returns, at most once. The rule:
//!
//! - for [`Input::Write`], the driver calls `handle` inside the transaction that stores the
//!   write, and writes the persist in it: the item and its outbox entry commit together;
//! - for [`Input::Applied`], inside the transaction that stores what the envelope changed:
//!   the application, the sender's applied sequence number and, when the page is settled,
//!   the cursor commit together;
//! - otherwise the persist is a transaction of its own, committed before the other actions.
//!
//! If such a transaction fails, the engine's memory is ahead of the store: the driver
//! restores the engine from the store. What the engine holds is always exactly what it
//! asked to persist ([`Engine::rows`]; the tests check it after every input).
//!
//! # Sending
//!
//! A write gets its sender sequence number (per space, from 1) when it enters the outbox, in
//! the same transaction, and its envelope id is the driver's: a push retried after a crash is
//! the same envelope, which the transport stores once (pushes are idempotent by id). The
//! driver seals at push time under the space's current epoch ([`Outgoing::header`]).
//! An entry goes to every transport its space is subscribed to and leaves the outbox once
//! each has taken it (or refused it for good, [`Event::Rejected`]); one written before any
//! subscription waits for one. A transport has at most one push in flight; a batch is the
//! oldest entries, without skipping, bounded in count and bytes (a larger entry goes alone),
//! so a sender's envelopes reach a transport in order.
//!
//! **Backoff**: after a failure, retry after `base * 2^(failures-1)` capped, half of it
//! random ("equal jitter": growing, yet spread). Success resets it; coming online retries at
//! once but keeps the count. [`Action::WakeAt`] says when to tick.
//!
//! # Receiving
//!
//! Coming online pulls every subscribed space; news whose head differs from the cursor pulls
//! that space; a page short of the head pulls the next; at most a few pulls at once a
//! transport. News is a hint that can be lost (a page may be read just before an envelope
//! lands, and its news never come): the engine does not poll, so the driver must look again
//! now and then, by a sync that comes online (the client's) or by news of the current head
//! (a folder's listing), or a quiet space stays behind. Each entry of a page is applied,
//! dropped, or left for later:
//!
//! - **Idempotency rule**: an envelope is known by its sender and the sender's sequence
//!   number (both signed in the header). Per space and sender the engine keeps the set of
//!   sequence numbers applied, as ranges: a gap is no error (envelopes come out of order,
//!   and through several transports) and fills in later; a number in the set is a replay and
//!   is dropped, across restarts; one being applied (same id, or same sender and number, from
//!   another page or transport) is dropped too. This device's own envelopes, below its next
//!   number, were applied when written; above it (written before its state was lost) they
//!   are applied and the numbering jumps past them.
//! - **Cursors** move only past settled envelopes (applied or dropped, refused as invalid):
//!   when a page is settled, to its `next`, or, if an envelope must wait (its epoch key or a
//!   change it needs is missing: [`Refusal::Later`]), to the position of the last envelope
//!   settled before it; the space is pulled again after a backoff, and what was applied after
//!   it is then dropped as already applied.
//!
//! **Snapshots**: after [`Config::snapshot_every`] envelopes applied or written in a space
//! since its last snapshot (one received counts too), the engine asks for one
//! ([`Action::Snapshot`]); the driver writes the compacted document as a write of kind
//! `DraftSnapshot`, so that a newcomer can start from it rather than the whole history.
//!
//! # Two transports, one engine
//!
//! A transport is a [`TransportId`] the driver chooses: the relay, an exchange folder. The
//! engine never looks inside a [`Cursor`]: it stores it, hands it back, compares two for
//! equality (caught up when a page's `next` is its `head`), and takes each entry's
//! `position` as where to resume once it is settled.
//!
//! - The relay's cursor is its per-space sequence number ([`Cursor::from_seq`]).
//! - A folder has no order between its writers, so its cursor is the highest sequence number
//!   read from each sender (a device writes only its own files, named by sender and number,
//!   in order, since its batches go oldest first without skipping). Its `head` is the same map
//!   over every file present; the simulation (`tests/sim.rs`) models it.

mod backoff;
mod engine;
mod seq_set;
mod state;
mod types;

pub use engine::Engine;
pub use state::SyncError;
pub use types::{
    Action, Config, Cursor, DropReason, Entry, Event, Input, Outgoing, PushOutcome, Refusal, Time,
    TransportId, Write,
};

#[cfg(test)]
mod engine_tests;
