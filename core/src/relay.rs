//! The relay form: redirecting every request to one origin, with the forbidden headers renamed.
//!
//! A browser cannot call wx.qq.com: there is no CORS, `Cookie` cannot be set and
//! `Set-Cookie` cannot be read. With an origin override every request for
//! `https://HOST/PATH?Q` is sent as `ORIGIN/HOST/PATH?Q`; with header renaming on, `Cookie`,
//! `Referer` and `User-Agent` travel as `x-wx-cookie`, `x-wx-referer` and `x-wx-user-agent`,
//! and the relay copies every `Set-Cookie` of the answer into `x-wx-set-cookie`.
//!
//! The two switches are separate: a simulator or a Node runtime needs only the origin
//! rewrite; a browser needs both. This module is pure; both the client side
//! ([`encode_request`], [`decode_response`]) and the relay side ([`decode_request`],
//! [`encode_response`]) live here so that they cannot drift apart.

use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, Uri};
use serde::{Deserialize, Serialize};

/// The renamed headers: (real name, relay name).
pub const RENAMED_HEADERS: [(&str, &str); 3] = [
    ("cookie", "x-wx-cookie"),
    ("referer", "x-wx-referer"),
    ("user-agent", "x-wx-user-agent"),
];

/// The response header that carries each `Set-Cookie` across the relay.
pub const SET_COOKIE_RELAY: &str = "x-wx-set-cookie";

/// Where requests go instead of the real hosts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]`.
    pub authority: String,
    /// Path prefix without a trailing slash (often empty).
    pub prefix: String,
}

/// Errors of the relay mapping.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// The origin is not an absolute `http(s)://host[:port][/prefix]` URL.
    #[error("invalid relay origin {0:?}: expected http(s)://host[:port][/prefix]")]
    BadOrigin(String),
    /// The request path does not start with a host segment.
    #[error("relay path {0:?} does not start with /HOST/")]
    NoHost(String),
    /// The host segment is not a plausible host name.
    #[error("relay host {0:?} is not a host name")]
    BadHost(String),
    /// The rewritten URL is not a valid URI.
    #[error("rewritten URL is invalid: {0}")]
    BadUri(String),
}

impl Origin {
    /// Parses `http(s)://host[:port][/prefix]`.
    pub fn parse(s: &str) -> Result<Origin, RelayError> {
        let bad = || RelayError::BadOrigin(s.to_owned());
        let (scheme, rest) = s.split_once("://").ok_or_else(bad)?;
        if scheme != "http" && scheme != "https" {
            return Err(bad());
        }
        let (authority, prefix) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        if authority.is_empty() || prefix.contains(['?', '#']) {
            return Err(bad());
        }
        // Every request is sent as `BASE/HOST/PATH?Q`: the base must be a valid URI itself.
        let probe: Uri = format!("{scheme}://{authority}{prefix}/")
            .parse()
            .map_err(|_| bad())?;
        if probe.authority().map(|a| a.as_str()) != Some(authority) {
            return Err(bad());
        }
        Ok(Origin {
            scheme: scheme.to_owned(),
            authority: authority.to_owned(),
            prefix: prefix.to_owned(),
        })
    }

    /// The origin as a URL string without trailing slash.
    pub fn base(&self) -> String {
        format!("{}://{}{}", self.scheme, self.authority, self.prefix)
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base())
    }
}

/// Client side: the URL `uri` (`https://HOST/PATH?Q`) as sent to `origin`.
pub fn relay_uri(origin: &Origin, uri: &Uri) -> Result<Uri, RelayError> {
    let host = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    let pq = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    format!("{}/{}{}", origin.base(), host, pq)
        .parse()
        .map_err(|e: http::uri::InvalidUri| RelayError::BadUri(e.to_string()))
}

/// Client side: rewrites a request for the real host into the relay form.
pub fn encode_request(
    origin: &Origin,
    rename_headers: bool,
    mut req: Request<Vec<u8>>,
) -> Result<Request<Vec<u8>>, RelayError> {
    *req.uri_mut() = relay_uri(origin, req.uri())?;
    if rename_headers {
        rename(req.headers_mut(), false);
    }
    Ok(req)
}

/// Relay side: turns `/HOST/PATH?Q` (below `prefix`) back into `https://HOST/PATH?Q`, and
/// the `x-wx-*` headers back into their real names. Returns the upstream host too.
pub fn decode_request(
    prefix: &str,
    mut req: Request<Vec<u8>>,
) -> Result<(String, Request<Vec<u8>>), RelayError> {
    let (host, uri) = decode_path(prefix, req.uri())?;
    *req.uri_mut() = uri;
    rename(req.headers_mut(), true);
    Ok((host, req))
}

/// Relay side: the upstream host and real URI of a relay-form URI.
pub fn decode_path(prefix: &str, uri: &Uri) -> Result<(String, Uri), RelayError> {
    let pq = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let rest = pq
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('/'))
        .ok_or_else(|| RelayError::NoHost(pq.to_owned()))?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = &rest[..end];
    if !is_host_name(host) {
        return Err(RelayError::BadHost(host.to_owned()));
    }
    let tail = &rest[end..];
    let tail = if tail.starts_with('?') || tail.is_empty() {
        format!("/{tail}")
    } else {
        tail.to_owned()
    };
    let uri = format!("https://{host}{tail}")
        .parse()
        .map_err(|e: http::uri::InvalidUri| RelayError::BadUri(e.to_string()))?;
    Ok((host.to_ascii_lowercase(), uri))
}

/// Whether `s` looks like a DNS host name (letters, digits, `-`, `.`; at least one dot).
pub fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.contains('.')
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Relay side: copies every `Set-Cookie` into an `x-wx-set-cookie` header.
pub fn encode_response<B>(mut resp: Response<B>) -> Response<B> {
    let cookies: Vec<HeaderValue> = resp
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    let relay = HeaderName::from_static(SET_COOKIE_RELAY);
    for c in cookies {
        resp.headers_mut().append(relay.clone(), c);
    }
    resp
}

/// Client side: the `Set-Cookie` values of a response, read from `Set-Cookie` or, where a
/// browser hid those, from `x-wx-set-cookie`.
pub fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    let read = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    };
    let direct = read("set-cookie");
    if direct.is_empty() {
        read(SET_COOKIE_RELAY)
    } else {
        direct
    }
}

fn rename(headers: &mut HeaderMap, back: bool) {
    for (real, relayed) in RENAMED_HEADERS {
        let (from, to) = if back {
            (relayed, real)
        } else {
            (real, relayed)
        };
        let values: Vec<HeaderValue> = headers.get_all(from).iter().cloned().collect();
        if values.is_empty() {
            continue;
        }
        headers.remove(from);
        let to = HeaderName::from_static(to);
        for v in values {
            headers.append(to.clone(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(uri: &str) -> Request<Vec<u8>> {
        Request::builder()
            .uri(uri)
            .header("cookie", "wxuin=1; wxsid=abc")
            .header("referer", "https://wx.qq.com/")
            .header("user-agent", "UA")
            .header("extspam", "blob")
            .body(Vec::new())
            .unwrap()
    }

    #[test]
    fn encode_rewrites_url_and_headers() {
        let origin = Origin::parse("http://127.0.0.1:8787").unwrap();
        let r = encode_request(
            &origin,
            true,
            req("https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1&skey=%40c"),
        )
        .unwrap();
        assert_eq!(
            r.uri().to_string(),
            "http://127.0.0.1:8787/webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1&skey=%40c"
        );
        assert!(r.headers().get("cookie").is_none());
        assert_eq!(r.headers()["x-wx-cookie"], "wxuin=1; wxsid=abc");
        assert_eq!(r.headers()["x-wx-referer"], "https://wx.qq.com/");
        assert_eq!(r.headers()["x-wx-user-agent"], "UA");
        assert_eq!(r.headers()["extspam"], "blob");
    }

    #[test]
    fn origin_only_keeps_headers() {
        let origin = Origin::parse("http://127.0.0.1:1/pre/").unwrap();
        assert_eq!(origin.prefix, "/pre");
        let r = encode_request(&origin, false, req("https://wx.qq.com/")).unwrap();
        assert_eq!(r.uri().to_string(), "http://127.0.0.1:1/pre/wx.qq.com/");
        assert_eq!(r.headers()["cookie"], "wxuin=1; wxsid=abc");
        let (host, back) = decode_request("/pre", r).unwrap();
        assert_eq!(host, "wx.qq.com");
        assert_eq!(back.uri().to_string(), "https://wx.qq.com/");
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert!(Origin::parse("127.0.0.1:8787").is_err());
        assert!(Origin::parse("ftp://x").is_err());
        let u: Uri = "/notahost/x".parse().unwrap();
        assert!(matches!(decode_path("", &u), Err(RelayError::BadHost(_))));
        let u: Uri = "/".parse().unwrap();
        assert!(decode_path("", &u).is_err());
        let u: Uri = "/wx.qq.com?x=1".parse().unwrap();
        assert_eq!(
            decode_path("", &u).unwrap().1.to_string(),
            "https://wx.qq.com/?x=1"
        );
    }

    #[test]
    fn set_cookie_round_trip() {
        let resp = Response::builder()
            .header("set-cookie", "wxuin=1; Domain=.qq.com; Path=/; Secure")
            .header("set-cookie", "wxsid=s; Domain=.qq.com; Path=/; Secure")
            .body(())
            .unwrap();
        let resp = encode_response(resp);
        assert_eq!(resp.headers().get_all(SET_COOKIE_RELAY).iter().count(), 2);
        let mut hidden = resp.headers().clone();
        hidden.remove("set-cookie");
        assert_eq!(set_cookies(&hidden), set_cookies(resp.headers()));
        assert_eq!(set_cookies(&hidden).len(), 2);
    }
}
