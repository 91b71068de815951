//! # webwx-transport
//!
//! What every driver of the [`webwx_core`] state machine shares, whatever its I/O: the
//! [`Session`] trait (every [`Client`](webwx_core::Client) command on a running session's
//! handle, written once), the [`Shared`] state a driver's loop and its handles lock, the
//! uploads the driver feeds itself from a [`FileSource`], the clocks ([`now`], [`instant_of`]) and the
//! naming of I/O failures ([`classify_io`]), the drivers' one [`Options`] type and the
//! [`Backlog`] of events a slow host has not taken yet (backpressure) and the [`Barrier`]
//! that holds a saving session's next `webwxsync` until the host has saved its state.
//!
//! The drivers (`webwx-ureq`, `webwx-hyper`) re-export what their users need; bring the
//! commands into scope with `use webwx_ureq::prelude::*;` (or `webwx_hyper::prelude`).
//!
//! With the `testing` feature, [`testing`] holds the scripted loopback HTTP server the
//! drivers' own tests run against.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod answers;
pub mod backlog;
pub mod barrier;
pub mod bot;
mod files;
mod options;
mod session;
pub mod stream;
#[cfg(feature = "testing")]
pub mod testing;

pub use answers::{PendingAnswer, finish, save_download};
pub use backlog::{Backlog, Offer};
pub use barrier::{Barrier, SaveToken};
pub use files::{FileSource, SendFileError};
pub use options::{
    DEFAULT_EVENT_CAPACITY, DEFAULT_MAX_BODY, DEFAULT_MAX_READ_BUFFER, Options, Proxy, StartError,
    http_proxy_uri,
};
pub use session::{Outputs, Session, Shared, State, UploadRead};
pub use stream::{DownloadError, StreamJob, StreamedDownload};

use std::sync::OnceLock;
use std::time::{Duration, Instant};
use webwx_core::{Monotonic, Now, Timestamp, TransportErrorKind};

/// The origin of this process's [`Monotonic`] readings: the first time any of them was
/// taken. Every driver in the process shares it, so deadlines compare across sessions.
fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

/// Both clocks as the core wants them: the wall clock (`SystemTime`, for the wire) and
/// the monotonic one (`Instant` since a process-wide origin, for timers).
///
/// ```
/// let a = webwx_transport::now();
/// let b = webwx_transport::now();
/// assert!(b.mono >= a.mono); // whatever the wall clock does
/// ```
pub fn now() -> Now {
    let origin = origin();
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mono = Instant::now().saturating_duration_since(origin).as_millis() as u64;
    Now::new(Timestamp(wall), Monotonic(mono))
}

/// The `std::time::Instant` at which the monotonic clock of [`now`] reads `at`: what a
/// driver sleeps until for [`Output::Timeout`](webwx_core::Output::Timeout). Once that
/// instant has passed, [`now`] reads at least `at`, so the timer is due.
///
/// ```
/// let now = webwx_transport::now();
/// let at = now.mono + std::time::Duration::from_millis(50);
/// let when = webwx_transport::instant_of(at);
/// assert!(when > std::time::Instant::now());
/// ```
pub fn instant_of(at: Monotonic) -> Instant {
    origin() + Duration::from_millis(at.as_millis())
}

/// A seed for [`Config::new`](webwx_core::Config::new) from the OS: std's `RandomState`
/// keys (random per process, from the OS) mixed with the wall clock in nanoseconds. The
/// core takes no OS randomness itself; drivers, examples and the CLI seed it with this.
///
/// ```
/// assert_ne!(webwx_transport::random_seed(), webwx_transport::random_seed());
/// ```
pub fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(nanos);
    h.finish()
}

/// The core's name for an I/O failure of a request.
pub fn classify_io(e: &std::io::Error) -> TransportErrorKind {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused
        | K::AddrNotAvailable
        | K::NetworkUnreachable
        | K::HostUnreachable
        | K::NotConnected => TransportErrorKind::Connect,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            TransportErrorKind::Reset
        }
        K::TimedOut | K::WouldBlock => TransportErrorKind::Timeout,
        _ => TransportErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_failures_are_named() {
        use std::io::{Error, ErrorKind as K};
        let kind = |k| classify_io(&Error::from(k));
        assert_eq!(kind(K::ConnectionRefused), TransportErrorKind::Connect);
        assert_eq!(kind(K::ConnectionReset), TransportErrorKind::Reset);
        assert_eq!(kind(K::UnexpectedEof), TransportErrorKind::Reset);
        assert_eq!(kind(K::TimedOut), TransportErrorKind::Timeout);
        assert_eq!(kind(K::PermissionDenied), TransportErrorKind::Other);
    }

    #[test]
    fn shared_crosses_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Shared>();
        send_sync::<SaveToken>();
        send_sync::<FileSource>();
    }
}
