//! Who may use a relay: the `Host` it must be reached by (DNS rebinding) and the browser
//! origins it answers (CORS).

use std::net::SocketAddr;

use http::header::{self, HeaderMap, HeaderValue};

/// The loopback names a browser on this machine reaches the relay by.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// Whether `host` (a `Host` header) names the relay whose connection came in on `local`:
/// a loopback name, the address itself or one of `extra` (`name` or `name:port`), with
/// the relay's port (no port means 80). Names compare case-insensitively. (The gateway
/// checks its own `Host` with it too.)
///
/// ```
/// use webwx_hyper::relay::host_ok;
/// let local = "127.0.0.1:8788".parse().unwrap();
/// assert!(host_ok("localhost:8788", local, &[]));
/// assert!(!host_ok("evil.example:8788", local, &[]));
/// ```
pub fn host_ok(host: &str, local: SocketAddr, extra: &[String]) -> bool {
    let Some((name, port)) = split_host(&host.to_ascii_lowercase()) else {
        return false;
    };
    if port.unwrap_or(80) != local.port() {
        return false;
    }
    let own = match local {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    };
    LOOPBACK_NAMES.contains(&name.as_str())
        || name == own
        || extra
            .iter()
            .any(|e| match split_host(&e.to_ascii_lowercase()) {
                Some((n, p)) => n == name && p.is_none_or(|p| p == local.port()),
                None => false,
            })
}

/// `name[:port]` or `[v6][:port]` -> (name, port); `None` when it is neither.
fn split_host(s: &str) -> Option<(String, Option<u16>)> {
    let (name, port) = if s.starts_with('[') {
        let end = s.find(']')?;
        let (name, rest) = s.split_at(end + 1);
        match rest {
            "" => (name, None),
            _ => (name, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match s.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (s, None),
        }
    };
    let port = match port {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
        None => None,
    };
    if name.is_empty() || name.contains(['@', '/', '\\', ' ']) {
        return None;
    }
    Some((name.to_owned(), port))
}

/// What the request's `Origin` says.
#[derive(Debug)]
pub(crate) enum OriginCheck {
    /// No `Origin`: not a cross-origin browser request (a same-origin `GET`, a script).
    Absent,
    /// An origin the relay answers: its own, or one of `cors_origins`.
    Allowed(HeaderValue),
    /// Any other origin.
    Refused,
}

impl OriginCheck {
    /// The origin to name in `Access-Control-Allow-Origin`.
    pub(crate) fn allowed(&self) -> Option<&HeaderValue> {
        match self {
            OriginCheck::Allowed(o) => Some(o),
            _ => None,
        }
    }
}

/// Checks `Origin` against the relay's own origin (`http://` + the accepted `host`) and
/// `cors_origins` (exact, case-insensitive).
pub(crate) fn check_origin(
    headers: &HeaderMap,
    host: &str,
    cors_origins: &[String],
) -> OriginCheck {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return OriginCheck::Absent;
    };
    let Ok(text) = origin.to_str() else {
        return OriginCheck::Refused;
    };
    let own = format!("http://{host}");
    if text.eq_ignore_ascii_case(&own) || cors_origins.iter().any(|o| text.eq_ignore_ascii_case(o))
    {
        OriginCheck::Allowed(origin.clone())
    } else {
        OriginCheck::Refused
    }
}

/// Headers a browser may read of a relay answer (keep in sync with SET_COOKIE_RELAY and
/// RELAY_ERROR_HEADER; checked in a test).
pub(crate) const EXPOSE: &str = "x-wx-set-cookie, x-wx-relay-error";

/// Adds `Vary: Origin` and, for an allowed origin, the CORS answer headers.
pub(crate) fn add_cors(h: &mut HeaderMap, origin: &OriginCheck) {
    h.append(header::VARY, HeaderValue::from_static("origin"));
    if let Some(o) = origin.allowed() {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o.clone());
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE),
        );
    }
}

/// The `Access-Control-Allow-Headers` of a preflight: what a relay-mode client sends.
pub(crate) fn allow_headers() -> HeaderValue {
    let list: Vec<&str> = webwx_core::relay::relay_mode_headers().collect();
    HeaderValue::from_str(&list.join(", ")).expect("header names are valid values")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let local: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        let extra = vec!["relay.lan".to_owned(), "other.lan:9000".to_owned()];
        for ok in [
            "127.0.0.1:8787",
            "localhost:8787",
            "LOCALHOST:8787",
            "[::1]:8787",
            "relay.lan:8787",
        ] {
            assert!(host_ok(ok, local, &extra), "{ok}");
        }
        for bad in [
            "",
            "127.0.0.1",
            "localhost",
            "127.0.0.1:8788",
            "evil.example:8787",
            "localhost.evil.example:8787",
            "other.lan:8787",
            "user@localhost:8787",
            "localhost:8787:1",
            "localhost:",
            "[::1]8787",
            "::1:8787",
        ] {
            assert!(!host_ok(bad, local, &extra), "{bad}");
        }
        let on80: SocketAddr = "127.0.0.1:80".parse().unwrap();
        assert!(host_ok("localhost", on80, &[]));
        let lan: SocketAddr = "192.0.2.7:8787".parse().unwrap();
        assert!(host_ok("192.0.2.7:8787", lan, &[]));
        let v6: SocketAddr = "[::1]:8787".parse().unwrap();
        assert!(host_ok("[::1]:8787", v6, &[]));
    }

    #[test]
    fn origins() {
        let mut h = HeaderMap::new();
        assert!(matches!(
            check_origin(&h, "127.0.0.1:1", &[]),
            OriginCheck::Absent
        ));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:1"),
        );
        assert!(matches!(
            check_origin(&h, "127.0.0.1:1", &[]),
            OriginCheck::Allowed(_)
        ));
        assert!(matches!(
            check_origin(&h, "localhost:1", &[]),
            OriginCheck::Refused
        ));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(matches!(
            check_origin(&h, "127.0.0.1:1", &[]),
            OriginCheck::Refused
        ));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://localhost:3000"),
        );
        let listed = vec!["http://localhost:3000".to_owned()];
        assert!(matches!(
            check_origin(&h, "127.0.0.1:1", &listed),
            OriginCheck::Allowed(_)
        ));
    }

    #[test]
    fn exposed_headers_name_the_relay_headers() {
        assert!(EXPOSE.contains(webwx_core::relay::SET_COOKIE_RELAY));
        assert!(EXPOSE.contains(super::super::RELAY_ERROR_HEADER));
    }
}
