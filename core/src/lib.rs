//! # webwx-core
//!
//! A sans-IO implementation of the WeChat Web (网页微信, wx.qq.com) personal-account
//! protocol. This crate builds every request and parses every response, and its
//! [`Client`] state machine takes a session from nothing through QR login, init,
//! contacts and the synccheck/webwxsync loop to logout — without doing any I/O, reading
//! a clock or asking the OS for randomness. Transports (`webwx-ureq`, `webwx-hyper`, the
//! WASM `fetch` binding) only move bytes.
//!
//! Two layers:
//!
//! 1. [`endpoint`]: one module per endpoint with a pure `build` and `parse`.
//! 2. [`Client`]: drive it with `handle_*` inputs and drain `poll_output()`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod boundary;
pub mod client;
pub mod contacts;
pub mod cookies;
pub mod endpoint;
mod entities;
pub mod error;
/// Entry points of the fuzz targets (`fuzz/`): only with the `fuzzing` feature (and in
/// this crate's own tests), never in the default public API.
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod handlers;
pub mod hosts;
pub mod id64;
pub mod ids;
pub mod media;
pub mod message;
pub mod names;
pub mod pacing;
pub mod redact;
pub mod relay;
mod response_error;
pub mod rng;
pub mod session;
pub mod sort;
pub mod sorted_map;
pub mod stable_key;
pub mod time;
pub mod upload;
pub mod wire;

pub use client::commands::{
    CommandEvent, CommandFailure, DataPurpose, DownloadId, FileSpec, LocalId, OpId, OpKind,
    OpOutcome, UploadHandle, UploadId,
};
pub use client::{
    Client, CommandView, Config, Event, LogoutReason, Output, Refusal, RequestId, SessionPhase,
    Transmit,
};
pub use error::{
    Argument, CommandError, ParseError, ParseErrorKind, ResponseError, Ret, TransportErrorKind,
    WxError,
};
pub use hosts::{HostKind, Hosts};
pub use media::{Download, DownloadedMedia, safe_file_name};
pub use session::{Credentials, SessionState};
pub use time::{Monotonic, Now, Timestamp};
pub use upload::MediaKind;
