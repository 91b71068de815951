//! # webwx-hyper
//!
//! An async driver for the [`webwx_core`] WeChat Web state machine over hyper 1,
//! hyper-util and tokio, with rustls and the ring provider passed explicitly; and the
//! browser [`relay`].
//!
//! [`start`] spawns one task per session (plus one per request in flight, so the
//! synccheck long-poll never holds up a send or an upload) and hands back a cloneable
//! [`Handle`] (call any [`Client`](webwx_core::Client) command from any task or thread:
//! the [`Session`] trait, in scope with `use webwx_hyper::prelude::*;`) and [`Events`], a [`Stream`](futures_core::Stream) of the session's
//! [`Event`](webwx_core::Event)s that ends when the session does. Many sessions share a
//! runtime and, through [`start_with`], one connection pool.
//!
//! ```no_run
//! use webwx_core::{Client, Config, Event};
//! use webwx_hyper::prelude::*;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // `Config::origin("http://127.0.0.1:PORT")` would send everything to a simulator.
//!     let client = Client::new(Config::new(42));
//!     let (handle, mut events) = webwx_hyper::start(client, webwx_hyper::Options::default())?;
//!     handle.login()?;
//!     while let Some(event) = events.next_event().await {
//!         match event {
//!             Event::QrCode { url, .. } => println!("scan {url}"),
//!             Event::Message(m) => println!("{m:?}"),
//!             Event::LoggedOut { reason } => println!("over: {reason}"),
//!             _ => {}
//!         }
//!     }
//!     Ok(())
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod driver;
pub mod relay;
mod transport;

pub use driver::{Events, Handle, start, start_saving, start_with};
pub use transport::{BuildError, Transport, TransportError, classify};
pub use webwx_core;
pub use webwx_transport::{
    DEFAULT_EVENT_CAPACITY, DEFAULT_MAX_BODY, DEFAULT_MAX_READ_BUFFER, FileSource, Options,
    PendingAnswer, Proxy, SaveToken, SendFileError, Session, StartError, instant_of, now,
    random_seed, save_download,
};

/// The [`Session`] commands of a [`Handle`]: `use webwx_hyper::prelude::*;`.
pub mod prelude {
    pub use webwx_transport::Session;
    pub use webwx_transport::bot::{Bot, Reply};
}

#[cfg(test)]
mod tests {
    #[test]
    fn handles_cross_tasks() {
        fn clone_send_sync<T: Clone + Send + Sync + 'static>() {}
        fn send<T: Send + Unpin + 'static>() {}
        fn stream<T: futures_core::Stream<Item = webwx_core::Event>>() {}
        clone_send_sync::<crate::Handle>();
        clone_send_sync::<crate::Transport>();
        clone_send_sync::<crate::relay::Relay>();
        send::<crate::Events>();
        stream::<crate::Events>();
    }
}
