//! The relay form: redirecting every request to one origin, with the forbidden headers renamed.
//!
//! A browser cannot call wx.qq.com: there is no CORS, `Cookie` cannot be set and
//! `Set-Cookie` cannot be read. With an origin override every request for
//! `https://HOST/PATH?Q` is sent as `ORIGIN/HOST/PATH?Q`; with header renaming on, `Cookie`,
//! `Referer` and `User-Agent` travel as `x-wx-cookie`, `x-wx-referer` and `x-wx-user-agent`,
//! and the relay copies every `Set-Cookie` of the answer into `x-wx-set-cookie`.
//!
//! The two switches are separate: a simulator or a Node runtime needs only the origin
//! rewrite; a browser needs both (relay mode), and then every request also carries
//! `x-wx-relay: 1` ([`RELAY_HEADER`]), which a relay requires: a link click, an `<img>`
//! or a form post cannot add it. This module is pure; both the client side
//! ([`encode_request`], [`set_cookies`]) and the relay side ([`decode_request`],
//! [`encode_response`]) live here so that they cannot drift apart.
//!
//! The relay side forwards by allowlist, never by denylist: upstream gets the renamed
//! headers under their real names and the few plain headers of [`FORWARDED_HEADERS`],
//! nothing else (the browser's own `Cookie`, `Authorization`, `Referer`, `User-Agent`,
//! `Origin`, `Sec-Fetch-*`, `Forwarded`, `X-Forwarded-*`, `Proxy-*` never leave the
//! relay); the browser gets the few response headers of [`RETURNED_HEADERS`], and each
//! `Set-Cookie` only as `x-wx-set-cookie`.
//!
//! ```
//! use webwx_core::relay::{Origin, decode_request, encode_request};
//! let origin = Origin::parse("http://127.0.0.1:8787").unwrap();
//! let req = http::Request::get("https://webpush.wx.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1")
//!     .header("cookie", "wxuin=1; wxsid=s")
//!     .body(Vec::new())
//!     .unwrap();
//! let sent = encode_request(&origin, true, req).unwrap();
//! assert_eq!(
//!     sent.uri(),
//!     "http://127.0.0.1:8787/webpush.wx.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1"
//! );
//! assert_eq!(sent.headers()["x-wx-cookie"], "wxuin=1; wxsid=s");
//! assert_eq!(sent.headers()["x-wx-relay"], "1");
//! // What the relay sends on (it takes the path without its own scheme and authority).
//! let path = sent.uri().path_and_query().unwrap().as_str().to_owned();
//! let (parts, body) = sent.into_parts();
//! let mut at_relay = http::Request::from_parts(parts, body);
//! *at_relay.uri_mut() = path.parse().unwrap();
//! let (host, upstream) = decode_request("", at_relay).unwrap();
//! assert_eq!(host, "webpush.wx.qq.com");
//! assert_eq!(upstream.headers()["cookie"], "wxuin=1; wxsid=s");
//! assert!(upstream.headers().get("x-wx-relay").is_none());
//! ```

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

/// The request header that marks a request of a relay-mode client; its value is
/// [`RELAY_HEADER_VALUE`]. A relay refuses requests without it, so that a page of another
/// origin cannot make the browser send one without a CORS preflight (a custom header is
/// never "simple"), and a link, an `<img>` or a form cannot send one at all.
pub const RELAY_HEADER: &str = "x-wx-relay";

/// The value of [`RELAY_HEADER`].
pub const RELAY_HEADER_VALUE: &str = "1";

/// Plain request headers a relay forwards as they are (besides the renamed ones): what
/// the core's requests carry. Everything else a browser adds stays at the relay.
pub const FORWARDED_HEADERS: [&str; 6] = [
    "accept",
    "accept-language",
    "content-type",
    "range",
    "extspam",
    "client-version",
];

/// Response headers a relay passes back to the browser (besides [`SET_COOKIE_RELAY`]):
/// what a client reads of an answer. Everything else (`Set-Cookie`, `Clear-Site-Data`,
/// `Refresh`, `Link`, `WWW-Authenticate`, upstream CORS and CSP, hop-by-hop headers)
/// stays at the relay.
pub const RETURNED_HEADERS: [&str; 11] = [
    "content-type",
    "content-disposition",
    "content-range",
    "content-encoding",
    "accept-ranges",
    "cache-control",
    "expires",
    "last-modified",
    "etag",
    "location",
    "retry-after",
];

/// [`RENAMED_HEADERS`], [`RELAY_HEADER`] and [`SET_COOKIE_RELAY`] as header names, for the
/// client side: constants, because a name made from a string at run time goes through
/// `http`'s parser of the standard names (12 KB of the browser package's `.wasm`).
const RENAMED: [(HeaderName, HeaderName); 3] = [
    (http::header::COOKIE, HeaderName::from_static("x-wx-cookie")),
    (
        http::header::REFERER,
        HeaderName::from_static("x-wx-referer"),
    ),
    (
        http::header::USER_AGENT,
        HeaderName::from_static("x-wx-user-agent"),
    ),
];
const RELAY: HeaderName = HeaderName::from_static(RELAY_HEADER);
const SET_COOKIE_RELAY_NAME: HeaderName = HeaderName::from_static(SET_COOKIE_RELAY);

/// Every request header a relay-mode client sends: the renamed ones under their `x-wx-`
/// names, [`RELAY_HEADER`] and [`FORWARDED_HEADERS`] (a relay's CORS
/// `Access-Control-Allow-Headers`).
pub fn relay_mode_headers() -> impl Iterator<Item = &'static str> {
    RENAMED_HEADERS
        .iter()
        .map(|(_, relayed)| *relayed)
        .chain([RELAY_HEADER])
        .chain(FORWARDED_HEADERS)
}

/// Whether a request carries `x-wx-relay: 1`, the mark of a relay-mode client.
pub fn is_relay_mode(headers: &HeaderMap) -> bool {
    headers
        .get(RELAY_HEADER)
        .is_some_and(|v| v.as_bytes() == RELAY_HEADER_VALUE.as_bytes())
}

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
    /// The path has a dot segment (`.`, `..`, also percent-encoded) or an encoded slash,
    /// backslash or NUL: never forwarded, whatever the host.
    #[error("relay path {0:?} has a dot segment or an encoded slash")]
    BadPath(String),
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
        let h = req.headers_mut();
        rename(h);
        h.insert(RELAY, HeaderValue::from_static(RELAY_HEADER_VALUE));
    }
    Ok(req)
}

/// Relay side: turns `/HOST/PATH?Q` (below `prefix`) back into `https://HOST/PATH?Q`, and
/// keeps only the headers upstream may see: each `x-wx-*` renamed header under its real
/// name (replacing whatever the browser sent under that name) and the
/// [`FORWARDED_HEADERS`]. The browser's own `Cookie`, `Authorization`, `Referer`,
/// `User-Agent` and every other header are dropped. Returns the upstream host too.
pub fn decode_request(
    prefix: &str,
    mut req: Request<Vec<u8>>,
) -> Result<(String, Request<Vec<u8>>), RelayError> {
    let (host, uri) = decode_path(prefix, req.uri())?;
    *req.uri_mut() = uri;
    let from = std::mem::take(req.headers_mut());
    let to = req.headers_mut();
    for (real, relayed) in RENAMED_HEADERS {
        let name = HeaderName::from_static(real);
        for v in from.get_all(relayed) {
            to.append(name.clone(), v.clone());
        }
    }
    for plain in FORWARDED_HEADERS {
        let name = HeaderName::from_static(plain);
        for v in from.get_all(plain) {
            to.append(name.clone(), v.clone());
        }
    }
    Ok((host, req))
}

/// Relay side: the upstream host and real URI of a relay-form URI. A path with a dot
/// segment (`.` or `..`, literal or percent-encoded in any case) or an encoded slash,
/// backslash or NUL is refused ([`RelayError::BadPath`]); the query is not looked at.
pub fn decode_path(prefix: &str, uri: &Uri) -> Result<(String, Uri), RelayError> {
    let pq = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    if has_dot_segment(uri.path()) {
        return Err(RelayError::BadPath(pq.to_owned()));
    }
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

/// Whether `path` (no query) has a segment that is `.` or `..` once percent-decoded, or
/// one that decodes to a slash, a backslash or NUL: the paths a server or a file system
/// may resolve outside where they seem to point.
pub fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|seg| {
        if !seg.contains(['.', '%', '\\']) {
            return false;
        }
        let decoded: Vec<u8> = percent_encoding::percent_decode_str(seg).collect();
        decoded == b"." || decoded == b".." || decoded.iter().any(|b| matches!(b, b'/' | b'\\' | 0))
    })
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

/// Relay side: the upstream answer as the browser may see it: each `Set-Cookie` moved into
/// an `x-wx-set-cookie` header, and only the [`RETURNED_HEADERS`] kept besides.
pub fn encode_response<B>(mut resp: Response<B>) -> Response<B> {
    let from = std::mem::take(resp.headers_mut());
    let to = resp.headers_mut();
    let relay = HeaderName::from_static(SET_COOKIE_RELAY);
    for c in from.get_all(http::header::SET_COOKIE) {
        to.append(relay.clone(), c.clone());
    }
    for kept in RETURNED_HEADERS {
        let name = HeaderName::from_static(kept);
        for v in from.get_all(kept) {
            to.append(name.clone(), v.clone());
        }
    }
    resp
}

/// Client side: the `Set-Cookie` values of a response, read from `Set-Cookie` or, where a
/// browser hid those, from `x-wx-set-cookie`.
pub fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    let read = |name: &HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    };
    let direct = read(&http::header::SET_COOKIE);
    if direct.is_empty() {
        read(&SET_COOKIE_RELAY_NAME)
    } else {
        direct
    }
}

fn rename(headers: &mut HeaderMap) {
    for (real, relayed) in RENAMED {
        let values: Vec<HeaderValue> = headers.get_all(&real).iter().cloned().collect();
        if values.is_empty() {
            continue;
        }
        headers.remove(&real);
        for v in values {
            headers.append(relayed.clone(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    /// The client side's header-name constants are the names of the string tables.
    #[test]
    fn name_constants_are_the_tables() {
        use super::*;
        let renamed = RENAMED;
        let names: Vec<(&str, &str)> = renamed
            .iter()
            .map(|(r, x)| (r.as_str(), x.as_str()))
            .collect();
        assert_eq!(names, RENAMED_HEADERS);
        assert_eq!(RELAY.as_str(), RELAY_HEADER);
        assert_eq!(SET_COOKIE_RELAY_NAME.as_str(), SET_COOKIE_RELAY);
        // What the tables name as standard headers is the standard name (equal to
        // `http`'s own constants, as a name parsed from the string is).
        for (real, _) in RENAMED {
            assert_eq!(
                real,
                HeaderName::from_bytes(real.as_str().as_bytes()).unwrap()
            );
        }
    }

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
    #[test]
    fn relay_mode_marks_every_request() {
        let origin = Origin::parse("http://127.0.0.1:8787").unwrap();
        let r = encode_request(&origin, true, req("https://wx.qq.com/x")).unwrap();
        assert_eq!(r.headers()["x-wx-relay"], "1");
        let r = encode_request(&origin, false, req("https://wx.qq.com/x")).unwrap();
        assert!(r.headers().get("x-wx-relay").is_none(), "origin-only mode");
        // The relay takes it off again.
        let r = encode_request(&origin, true, req("https://wx.qq.com/x")).unwrap();
        let (_, up) = decode_request("", r).unwrap();
        assert!(up.headers().get("x-wx-relay").is_none());
    }

    #[test]
    fn decode_forwards_only_the_protocol_headers() {
        // What a browser adds of its own beside the renamed headers the core set.
        let browser = Request::post("/wx.qq.com/cgi-bin/mmwebwx-bin/webwxinit?r=1")
            .header("cookie", "session=of-another-local-app")
            .header("authorization", "Basic c2VjcmV0")
            .header("referer", "http://127.0.0.1:8787/index.html")
            .header("user-agent", "Mozilla/5.0 HeadlessChrome")
            .header("origin", "http://127.0.0.1:8787")
            .header("sec-fetch-site", "same-origin")
            .header("sec-ch-ua", "\"Chromium\"")
            .header("forwarded", "for=10.0.0.1")
            .header("x-forwarded-for", "10.0.0.1")
            .header("x-real-ip", "10.0.0.1")
            .header("proxy-authorization", "Basic c2VjcmV0")
            .header("via", "1.1 corp")
            .header("dnt", "1")
            .header("x-wx-relay", "1")
            .header("x-wx-cookie", "wxuin=1; wxsid=abc")
            .header("x-wx-referer", "https://wx.qq.com/")
            .header("x-wx-user-agent", "UA")
            .header("content-type", "application/json;charset=UTF-8")
            .header("accept", "application/json, text/plain, */*")
            .header("extspam", "blob")
            .header("client-version", "2.0.0")
            .header("range", "bytes=0-")
            .body(Vec::new())
            .unwrap();
        let (_, up) = decode_request("", browser).unwrap();
        let h = up.headers();
        let cookies: Vec<_> = h.get_all("cookie").iter().collect();
        assert_eq!(cookies, ["wxuin=1; wxsid=abc"], "only the core's cookies");
        assert_eq!(h.get_all("referer").iter().count(), 1);
        assert_eq!(h["referer"], "https://wx.qq.com/");
        assert_eq!(h.get_all("user-agent").iter().count(), 1);
        assert_eq!(h["user-agent"], "UA");
        let mut names: Vec<&str> = h.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "accept",
                "client-version",
                "content-type",
                "cookie",
                "extspam",
                "range",
                "referer",
                "user-agent"
            ]
        );
        // Without the renamed ones, the browser's own never stand in for them.
        let bare = Request::get("/wx.qq.com/")
            .header("cookie", "a=b")
            .header("referer", "http://127.0.0.1:8787/")
            .header("user-agent", "Mozilla/5.0")
            .header("authorization", "Bearer t")
            .body(Vec::new())
            .unwrap();
        let (_, up) = decode_request("", bare).unwrap();
        assert!(up.headers().is_empty(), "{:?}", up.headers());
    }

    #[test]
    fn dot_segments_and_encoded_slashes_are_refused() {
        for bad in [
            "/wx.qq.com/../x",
            "/wx.qq.com/..",
            "/wx.qq.com/./x",
            "/wx.qq.com/a/.",
            "/wx.qq.com/%2e%2e/x",
            "/wx.qq.com/%2E%2e/x",
            "/wx.qq.com/.%2E/x",
            "/wx.qq.com/%2e/x",
            "/wx.qq.com/a/%2E%2E?x=1",
            "/wx.qq.com/a%2fb",
            "/wx.qq.com/a%2F..%2Fb",
            "/wx.qq.com/a%5cb",
            "/wx.qq.com/a%00b",
        ] {
            let u: Uri = bad.parse().unwrap();
            assert!(
                matches!(decode_path("", &u), Err(RelayError::BadPath(_))),
                "{bad}: {:?}",
                decode_path("", &u)
            );
        }
        for ok in [
            "/wx.qq.com/a..b/x",
            "/wx.qq.com/...",
            "/wx.qq.com/.well",
            "/wx.qq.com/x?next=../../etc&s=%2F..%2F",
            "/login.weixin.qq.com/qrcode/AZHh0Xjt_g==",
            "/wx.qq.com//x",
        ] {
            let u: Uri = ok.parse().unwrap();
            assert!(decode_path("", &u).is_ok(), "{ok}");
        }
    }

    #[test]
    fn responses_carry_cookies_only_renamed() {
        let resp = Response::builder()
            .header("content-type", "text/html")
            .header("set-cookie", "wxuin=1; Domain=.qq.com; Path=/; Secure")
            .header("set-cookie2", "old=1")
            .header("clear-site-data", "\"*\"")
            .header("strict-transport-security", "max-age=1")
            .header("www-authenticate", "Basic")
            .header("refresh", "0; url=https://evil.example/")
            .header("link", "<https://evil.example/x.js>; rel=preload")
            .header("access-control-allow-origin", "*")
            .header("content-security-policy", "default-src *")
            .header("location", "https://wx.qq.com/")
            .header("content-disposition", "attachment; filename=a.txt")
            .header("content-range", "bytes 0-1/2")
            .body(())
            .unwrap();
        let resp = encode_response(resp);
        let h = resp.headers();
        assert!(h.get("set-cookie").is_none(), "{h:?}");
        assert_eq!(
            h[SET_COOKIE_RELAY],
            "wxuin=1; Domain=.qq.com; Path=/; Secure"
        );
        let mut names: Vec<&str> = h.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "content-disposition",
                "content-range",
                "content-type",
                "location",
                SET_COOKIE_RELAY
            ]
        );
        assert_eq!(set_cookies(h).len(), 1, "the client still reads them");
    }
}
