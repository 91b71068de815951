//! The JSON boundary: one vocabulary of events and commands for everything outside Rust
//! (`webwx login --json --commands`, the WASM package, the `webwx serve` gateway, other
//! languages).
//!
//! - **Events** are [`Event`](crate::Event)'s serde form, tagged by `"event"`
//!   ([`event_json`]); 64-bit ids are strings ([`id64`]), bytes base64, and what only a
//!   driver needs is left out ([`is_boundary_event`]).
pub mod id64;

mod event;

pub use event::{event_json, is_boundary_event};
