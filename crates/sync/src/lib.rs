//! The sync engine, sans IO: inputs in, actions out. No runtime, no database, no network: the
//! client's driver feeds it and carries out what it asks.

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
