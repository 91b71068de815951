//! # webwx-ureq
//!
//! A blocking driver for the [`webwx_core`] WeChat Web state machine over
//! [ureq](https://docs.rs/ureq) 3 with rustls and the ring provider.
//!
//! [`start`] runs a session on its own thread and hands back a cloneable [`Handle`]
//! (call any [`Client`](webwx_core::Client) command from any thread: the [`Session`]
//! trait, in scope with `use webwx_ureq::prelude::*;`) and [`Events`]
//! (a blocking iterator over the session's [`Event`](webwx_core::Event)s that ends when
//! the session does). Every request in flight gets its own worker thread, so the
//! synccheck long-poll never holds up a send or an upload; each request gets the timeout
//! the core asks for, redirects are never followed (the core must see newloginpage's bare
//! 301), ureq's cookie jar is off (the core owns cookies) and bodies are size-limited.
//!
//! ```no_run
//! use webwx_core::{Client, Config, Event};
//! use webwx_ureq::prelude::*;
//!
//! // `Config::origin("http://127.0.0.1:PORT")` would send everything to a simulator.
//! let client = Client::new(Config::new(42));
//! let (handle, events) = webwx_ureq::start(client, webwx_ureq::Options::default())?;
//! handle.login()?;
//! for event in events {
//!     match event {
//!         Event::QrCode { url, .. } => println!("scan {url}"),
//!         Event::Message(m) => println!("{m:?}"),
//!         Event::SessionChanged => {
//!             let _saved = handle.snapshot().to_json(); // persist it
//!         }
//!         Event::LoggedOut { reason } => println!("over: {reason}"),
//!         _ => {}
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod driver;
mod transport;

pub use driver::{Events, Handle, RecvError, start, start_with};
pub use transport::{Transport, TransportError, classify};
pub use webwx_core;
pub use webwx_transport::{
    DEFAULT_EVENT_CAPACITY, DEFAULT_MAX_BODY, FileSource, Options, PendingAnswer, Proxy,
    SendFileError, Session, StartError, instant_of, now, random_seed, save_download,
};

/// The [`Session`] commands of a [`Handle`]: `use webwx_ureq::prelude::*;`.
pub mod prelude {
    pub use webwx_transport::Session;
    pub use webwx_transport::bot::{Bot, Reply};
}

#[cfg(test)]
mod tests {
    #[test]
    fn handles_cross_threads() {
        fn clone_send_sync<T: Clone + Send + Sync + 'static>() {}
        fn send<T: Send + 'static>() {}
        clone_send_sync::<crate::Handle>();
        clone_send_sync::<crate::Transport>();
        send::<crate::Events>();
    }
}
