//! The settings of a driver, the same fields and types for `webwx-ureq` and
//! `webwx-hyper`, and the error of starting one.

use std::fmt;
use std::time::Duration;

/// Default limit on a response body: 64 MiB (media downloads can be large; a download
/// streamed to a writer has no limit).
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// Default number of events waiting for the host before the session stops fetching
/// messages ([`Options::event_capacity`]).
pub const DEFAULT_EVENT_CAPACITY: usize = 1024;

/// Which proxy the requests go through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Proxy {
    /// None: connect directly.
    None,
    /// The one named by the environment, as curl reads it: `HTTPS_PROXY` / `HTTP_PROXY`
    /// (by the request's scheme) or `ALL_PROXY`, lowercase names too, except for the
    /// hosts of `NO_PROXY`. The default.
    #[default]
    FromEnv,
    /// This HTTP proxy (`http://[user:password@]host:port`), tunnelled through with
    /// `CONNECT` for every request.
    Url(String),
}

/// Settings of a driver: its HTTP side and its event channel. The same in
/// `webwx-ureq` and `webwx-hyper` (both re-export this type).
///
/// ```
/// use std::time::Duration;
/// use webwx_transport::{Options, Proxy};
/// let o = Options::new()
///     .max_body(8 << 20)
///     .connect_timeout(Duration::from_secs(5))
///     .proxy(Proxy::Url("http://127.0.0.1:3128".into()))
///     .event_capacity(256);
/// assert_eq!(o.max_body, 8 << 20);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// Largest response body read into memory; a larger one fails with
    /// [`TransportErrorKind::TooLarge`](webwx_core::TransportErrorKind::TooLarge).
    /// Downloads streamed to a writer are not limited. Default [`DEFAULT_MAX_BODY`].
    pub max_body: u64,
    /// Connect timeout (DNS, TCP and, for ureq, TLS), capped by each request's own
    /// timeout. Default 15 s.
    pub connect_timeout: Duration,
    /// The proxy. Default [`Proxy::FromEnv`].
    pub proxy: Proxy,
    /// Idle keep-alive connections kept per host. Default 4.
    pub max_idle_per_host: usize,
    /// How long an idle keep-alive connection is kept. Default 60 s.
    pub pool_idle_timeout: Duration,
    /// How many events may wait for the host (a bounded channel). When the host is
    /// slower than the session, the session loop stops re-arming the sync loop
    /// (synccheck and webwxsync are held back, so the server keeps the messages) until
    /// the host has taken events again; it never drops one. Commands, their answers and
    /// uploads go on meanwhile. At least 1. Default [`DEFAULT_EVENT_CAPACITY`].
    pub event_capacity: usize,
    /// The most a connection's read buffer grows to (webwx-hyper; ureq reads through its
    /// own buffers). hyper starts it at 8 KiB and grows it after reads that fill it (the
    /// bodies of busy webwxsync answers, downloads), then keeps it reserved while the
    /// connection waits: on a session's held synccheck, for a long time, in every busy
    /// session. It also bounds a response's head. Default [`DEFAULT_MAX_READ_BUFFER`]
    /// (a large body is read 8 KiB at a time); at least 8 KiB (hyper's minimum).
    pub max_read_buffer: usize,
}

/// [`Options::max_read_buffer`] by default: hyper's initial read buffer, so that a busy
/// session's held long-poll does not keep a grown one (issue 20: a long-lived session
/// within 64 KiB). WeChat's response heads are a few KiB at most.
pub const DEFAULT_MAX_READ_BUFFER: usize = 8 * 1024;

impl Default for Options {
    fn default() -> Self {
        Options {
            max_body: DEFAULT_MAX_BODY,
            connect_timeout: Duration::from_secs(15),
            proxy: Proxy::FromEnv,
            max_idle_per_host: 4,
            pool_idle_timeout: Duration::from_secs(60),
            event_capacity: DEFAULT_EVENT_CAPACITY,
            max_read_buffer: DEFAULT_MAX_READ_BUFFER,
        }
    }
}

impl Options {
    /// The defaults.
    pub fn new() -> Self {
        Options::default()
    }

    /// Sets [`Options::max_body`].
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Sets [`Options::connect_timeout`].
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Sets [`Options::proxy`].
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = proxy;
        self
    }

    /// [`Proxy::FromEnv`] when `on`, else [`Proxy::None`].
    pub fn proxy_from_env(self, on: bool) -> Self {
        self.proxy(if on { Proxy::FromEnv } else { Proxy::None })
    }

    /// Sets [`Options::max_read_buffer`] (at least 8 KiB).
    pub fn max_read_buffer(mut self, bytes: usize) -> Self {
        self.max_read_buffer = bytes.max(DEFAULT_MAX_READ_BUFFER);
        self
    }

    /// Sets [`Options::max_idle_per_host`].
    pub fn max_idle_per_host(mut self, n: usize) -> Self {
        self.max_idle_per_host = n;
        self
    }

    /// Sets [`Options::pool_idle_timeout`].
    pub fn pool_idle_timeout(mut self, d: Duration) -> Self {
        self.pool_idle_timeout = d;
        self
    }

    /// Sets [`Options::event_capacity`] (at least 1).
    pub fn event_capacity(mut self, n: usize) -> Self {
        self.event_capacity = n.max(1);
        self
    }
}

/// Why a driver could not start: its transport could not be built, or its session
/// loop could not be spawned.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The TLS configuration was refused.
    Tls(String),
    /// The proxy URL could not be used (`Proxy::Url`).
    Proxy(String),
    /// The session's thread could not be started.
    Spawn(std::io::Error),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Tls(m) => write!(f, "TLS setup failed: {m}"),
            StartError::Proxy(m) => write!(f, "unusable proxy: {m}"),
            StartError::Spawn(e) => write!(f, "cannot start the session thread: {e}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Spawn(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StartError> for std::io::Error {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Spawn(e) => e,
            other => std::io::Error::other(other),
        }
    }
}

/// The URI of an HTTP proxy given as [`Proxy::Url`]: `http://[user:password@]host[:port]`
/// (the drivers tunnel through it with `CONNECT`); anything else is refused.
pub fn http_proxy_uri(url: &str) -> Result<http::Uri, StartError> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| StartError::Proxy(format!("{url:?} is not a URL: {e}")))?;
    if uri.scheme_str() != Some("http") || uri.host().is_none_or(str::is_empty) {
        return Err(StartError::Proxy(format!(
            "{url:?}: only http://host:port proxies are supported (tunnelled with CONNECT)"
        )));
    }
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_read_buffer_is_at_least_hypers_minimum() {
        assert_eq!(Options::new().max_read_buffer, 8 * 1024);
        assert_eq!(
            Options::new().max_read_buffer(100).max_read_buffer,
            8 * 1024
        );
        assert_eq!(
            Options::new().max_read_buffer(64 * 1024).max_read_buffer,
            64 * 1024
        );
    }

    #[test]
    fn only_http_proxies() {
        assert!(http_proxy_uri("http://127.0.0.1:3128").is_ok());
        assert!(http_proxy_uri("http://user:pw@proxy.example:8080").is_ok());
        for bad in [
            "socks5://127.0.0.1:1080",
            "https://p:443",
            "127.0.0.1:3128",
            "http://",
            "not a url",
        ] {
            let e = http_proxy_uri(bad).unwrap_err();
            assert!(matches!(e, StartError::Proxy(_)), "{bad}: {e}");
        }
    }

    #[test]
    fn capacity_is_at_least_one() {
        assert_eq!(Options::new().event_capacity(0).event_capacity, 1);
        assert_eq!(Options::new().proxy_from_env(false).proxy, Proxy::None);
        assert_eq!(Options::default().proxy, Proxy::FromEnv);
    }
}
