//! [`RelayOptions`]: what a relay relays, to whom, and within which limits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::allow::default_allow;

/// The default listen address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";

/// Default [`RelayOptions::max_body`]: 64 MiB (media downloads can be large; they are
/// streamed, never held whole).
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

/// Default [`RelayOptions::max_request_body`]: 4 MiB. The largest request of the protocol
/// is one upload chunk (512 KiB of a file plus the multipart form around it).
pub const DEFAULT_MAX_REQUEST_BODY: usize = 4 * 1024 * 1024;

/// Default [`RelayOptions::max_connections`]: 64. One page uses at most six connections
/// to one origin (HTTP/1.1), a long-poll among them.
pub const DEFAULT_MAX_CONNECTIONS: usize = 64;

/// How a relay behaves. Every limit has a safe default; [`RelayOptions::default`] is a
/// relay for pages of its own origin, of the hosts of the domain table only, on the
/// loopback interface.
///
/// ```
/// use std::time::Duration;
/// use webwx_hyper::relay::RelayOptions;
///
/// let opts = RelayOptions::new()
///     // A page served by another local server (a dev server) may call the relay.
///     .cors_origins(["http://localhost:5173"])
///     // The example page and its files, from the relay's own origin.
///     .static_dir(Some("examples/browser".into()))
///     .body_timeout(Duration::from_secs(10))
///     .max_connections(32);
/// assert!(opts.allow.iter().any(|h| h == "webpush.wx2.qq.com"));
/// assert!(!opts.allow.iter().any(|h| h.starts_with('*')), "never a whole domain");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RelayOptions {
    /// Where [`run`](super::run) listens. Default [`DEFAULT_LISTEN`] (loopback).
    pub listen: SocketAddr,
    /// Hosts that may be relayed: exact names, or `*.domain` for any subdomain of
    /// `domain`. Default: the hosts of the core's domain table
    /// ([`webwx_core::hosts::known_hosts`]: the content, login, file and push hosts of
    /// every home, and `login.weixin.qq.com`, which serves the QR image).
    pub allow: Vec<String>,
    /// Path prefix the relay is mounted under (`/wx` serves `/wx/HOST/PATH`). Default empty.
    pub prefix: String,
    /// For tests: send every allowed request to this `scheme://authority` instead of
    /// `https://HOST` (the `Host` header still names the real host).
    pub upstream_override: Option<String>,
    /// With [`RelayOptions::upstream_override`]: keep the real host in the path
    /// (`OVERRIDE/HOST/PATH`, the relay form a simulator checks) instead of `OVERRIDE/PATH`.
    pub upstream_relay_form: bool,
    /// Largest response body relayed. Answers are streamed; one that announces a larger
    /// length is refused (502, `x-wx-relay-error: too-large`), one that turns out larger
    /// is cut. Default [`DEFAULT_MAX_BODY`].
    pub max_body: usize,
    /// Largest request body accepted (413 past it). Default [`DEFAULT_MAX_REQUEST_BODY`].
    pub max_request_body: usize,
    /// Upstream timeout: for the answer's head (long-polls hold about 25 s), and then
    /// for each wait between two pieces of its body. Default 60 s.
    pub timeout: Duration,
    /// Browser origins (`Origin` values such as `http://localhost:3000`) allowed to call
    /// the relay from another origin: CORS is answered for them only, exactly (never
    /// `*`). The relay's own origin (a page it serves with
    /// [`RelayOptions::static_dir`]) is always allowed and needs no CORS. Any other
    /// `Origin` is refused with 403. Default empty.
    pub cors_origins: Vec<String>,
    /// Host names besides the loopback names (`localhost`, `127.0.0.1`, `[::1]`) and the
    /// address the connection came in on, that the `Host` header may name (`name` or
    /// `name:port`; without a port, the relay's port). Any other `Host` is refused with
    /// 421, so a page of a name rebound to 127.0.0.1 (DNS rebinding) gets nothing.
    /// Default empty.
    pub accept_hosts: Vec<String>,
    /// A folder served at the relay's own origin (`GET`/`HEAD`, `index.html` for a path
    /// ending in `/`), for the page that uses the relay: no `x-wx-relay` needed there.
    /// Relay paths (`/HOST/...` of an allowed host, below [`RelayOptions::prefix`]) win
    /// over files. Default none.
    pub static_dir: Option<PathBuf>,
    /// How long a client connection may take to send a request's headers, and so how
    /// long an idle kept-alive connection stays open. Default 30 s.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's whole body, from the end of its
    /// headers (408 and the connection closed past it). Default 30 s.
    pub body_timeout: Duration,
    /// Client connections served at once; past it, new connections wait in the listen
    /// queue until one closes. Default [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: usize,
}

impl Default for RelayOptions {
    fn default() -> Self {
        RelayOptions {
            listen: DEFAULT_LISTEN.parse().expect("valid address"),
            allow: default_allow(),
            prefix: String::new(),
            upstream_override: None,
            upstream_relay_form: false,
            max_body: DEFAULT_MAX_BODY,
            max_request_body: DEFAULT_MAX_REQUEST_BODY,
            timeout: Duration::from_secs(60),
            cors_origins: Vec::new(),
            accept_hosts: Vec::new(),
            static_dir: None,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl RelayOptions {
    /// The defaults.
    pub fn new() -> Self {
        RelayOptions::default()
    }

    /// Sets [`RelayOptions::listen`].
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Sets [`RelayOptions::allow`] (replacing the default list; extend
    /// [`default_allow`](super::default_allow) to keep it).
    pub fn allow<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.allow = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`RelayOptions::upstream_override`].
    pub fn upstream_override(mut self, base: Option<&str>) -> Self {
        self.upstream_override = base.map(|s| s.trim_end_matches('/').to_owned());
        self
    }

    /// Sets [`RelayOptions::upstream_relay_form`].
    pub fn upstream_relay_form(mut self, on: bool) -> Self {
        self.upstream_relay_form = on;
        self
    }

    /// Sets [`RelayOptions::prefix`] (`wx`, `/wx` and `/wx/` all mean `/wx`).
    pub fn prefix(mut self, prefix: &str) -> Self {
        let prefix = prefix.trim_matches('/');
        self.prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("/{prefix}")
        };
        self
    }

    /// Sets [`RelayOptions::timeout`].
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Sets [`RelayOptions::max_body`].
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Sets [`RelayOptions::max_request_body`].
    pub fn max_request_body(mut self, bytes: usize) -> Self {
        self.max_request_body = bytes;
        self
    }

    /// Sets [`RelayOptions::cors_origins`] (a trailing `/` is ignored).
    pub fn cors_origins<S: Into<String>>(mut self, origins: impl IntoIterator<Item = S>) -> Self {
        self.cors_origins = origins
            .into_iter()
            .map(|o| o.into().trim_end_matches('/').to_owned())
            .collect();
        self
    }

    /// Sets [`RelayOptions::accept_hosts`].
    pub fn accept_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.accept_hosts = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`RelayOptions::static_dir`].
    pub fn static_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.static_dir = dir;
        self
    }

    /// Sets [`RelayOptions::header_timeout`].
    pub fn header_timeout(mut self, d: Duration) -> Self {
        self.header_timeout = d;
        self
    }

    /// Sets [`RelayOptions::body_timeout`].
    pub fn body_timeout(mut self, d: Duration) -> Self {
        self.body_timeout = d;
        self
    }

    /// Sets [`RelayOptions::max_connections`] (at least 1).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_a_path() {
        for given in ["wx", "/wx", "/wx/", "wx/"] {
            assert_eq!(RelayOptions::new().prefix(given).prefix, "/wx", "{given}");
        }
        assert_eq!(RelayOptions::new().prefix("/").prefix, "");
        assert_eq!(RelayOptions::new().prefix("").prefix, "");
    }

    #[test]
    fn defaults_are_safe() {
        let o = RelayOptions::default();
        assert!(o.listen.ip().is_loopback());
        assert!(o.cors_origins.is_empty());
        assert!(o.accept_hosts.is_empty());
        assert!(o.static_dir.is_none());
        assert!(o.max_request_body <= 4 * 1024 * 1024);
        assert!(o.max_connections > 0 && o.max_connections <= 64);
        assert!(o.body_timeout <= Duration::from_secs(30));
        assert!(o.header_timeout <= Duration::from_secs(30));
    }
}
