//! Spaces: MLS groups of devices.

pub mod group;
mod provider;
mod storage;

pub use provider::StoreProvider;
