//! The application services: the one API that the desktop app and the CLI call.

pub mod demo;
pub mod eml;
