//! The JSON boundary: one vocabulary of events and commands for everything outside Rust
//! (`webwx login --json --commands`, the WASM package, the `webwx serve` gateway, other
//! languages), defined once here with serde.
//!
//! - **Events** are [`Event`](crate::Event)'s serde form, tagged by `"event"`
//!   ([`event_json`]); 64-bit ids are strings ([`id64`]), bytes base64, and what only a
//!   driver needs is left out ([`is_boundary_event`]).
//! - **Commands** are [`Command`]s tagged by `"cmd"`, read with [`Request::parse`] (which
//!   also takes the `"id"` echoed in the answer and an optional `"timeout_ms"`).
//! - **Answers**: one per command, once its outcome is known: `{"answer": id, "result":
//!   {..}}` or `{"answer": id, "error": {"kind", "message", ..}}` ([`Answer`],
//!   [`CommandResult`], [`ErrorInfo`]). The [`Tracker`] applies commands to a
//!   [`Client`](crate::Client) and produces them; every host (the drivers, the CLI, the
//!   WASM package, the gateway) uses it.
//! - **Queries** `contacts` and `me` answer at once from what the client holds
//!   ([`Contact`], [`Me`]).
//! - **Names** in commands go through the one resolver, [`crate::names`].
//!
//! ```
//! use webwx_core::boundary::{NoFiles, Request, Tracker};
//! use webwx_core::{Client, Config, Now};
//! let mut client = Client::new(Config::new(1));
//! let mut tracker = Tracker::default();
//! let now = Now::from_millis(0);
//! let request = Request::parse(r#"{"id": 1, "cmd": "send_text", "to": "filehelper", "text": "hi"}"#).unwrap();
//! // Not logged in yet: the command waits for `Ready` (or its timeout).
//! tracker.submit(&mut client, now, request, &mut NoFiles);
//! assert_eq!(tracker.pending(), 1);
//! // The session ends: the command answers `session_ended`.
//! tracker.end();
//! let answer = tracker.poll_completion().unwrap().answer_inline();
//! assert_eq!(answer.to_json(), r#"{"answer":1,"error":{"kind":"session_ended","message":"the session ended"}}"#);
//! ```
pub use crate::id64;

mod answer;
mod command;
mod command_de;
mod error;
mod event;
mod query;
#[cfg(feature = "schema")]
pub mod schema;
mod tracker;

pub use answer::{Answer, CommandResult, Outcome};
pub use command::{Command, CommandId, Request};
pub use error::{ErrorInfo, ErrorKind};
pub use event::{event_json, is_boundary_event};
pub use query::{Contact, Me, Member, contacts};
pub use tracker::{Completion, Done, Host, NoFiles, RECENT_MESSAGES, Ticket, Timeouts, Tracker};
