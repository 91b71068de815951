//! The core's own cookie jar.
//!
//! Transports keep no cookies: the core parses every `Set-Cookie` (with the `cookie`
//! crate), stores it against the logical https host of the request that received it,
//! matches domain and path for later requests, and checks expiry against the `now` the
//! caller passes in. The jar is serde so that a saved session keeps its cookies.

use crate::time::Timestamp;
use crate::wire::record::record;
use serde::{Deserialize, Serialize};

/// One stored cookie.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StoredCookie {
    /// Cookie name.
    pub name: String,
    /// Cookie value.
    pub value: String,
    /// Domain without a leading dot.
    pub domain: String,
    /// Whether the cookie is for `domain` only (no `Domain` attribute was given).
    pub host_only: bool,
    /// Path prefix.
    pub path: String,
    /// Sent over https only.
    pub secure: bool,
    /// Expiry, if the cookie is not a session cookie.
    pub expires: Option<Timestamp>,
}

record!(StoredCookie = StoredCookie {
    name: String::new(),
    value: String::new(),
    domain: String::new(),
    host_only: false,
    path: String::new(),
    secure: false,
    expires: None,
}; {
    Error "name" => name: Deserialize::deserialize,
    Error "value" => value: Deserialize::deserialize,
    Error "domain" => domain: Deserialize::deserialize,
    Error "host_only" => host_only: Deserialize::deserialize,
    Error "path" => path: Deserialize::deserialize,
    Error "secure" => secure: Deserialize::deserialize,
    None "expires" => expires: Deserialize::deserialize,
});

impl std::fmt::Debug for StoredCookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredCookie")
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .field("domain", &self.domain)
            .field("path", &self.path)
            .field("expires", &self.expires)
            .finish()
    }
}

/// A cookie jar keyed by domain, path and name, holding at most
/// [`CookieJar::MAX_COOKIES`] (the oldest goes first; a saved jar with more keeps its
/// newest when read back).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CookieJar {
    cookies: Vec<StoredCookie>,
}

record!(CookieJar = CookieJar::default(); {
    Error "cookies" => cookies: newest_cookies,
});

/// The last [`CookieJar::MAX_COOKIES`] cookies of a saved jar.
fn newest_cookies<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<StoredCookie>, D::Error> {
    let mut cookies = Vec::<StoredCookie>::deserialize(d)?;
    let excess = cookies.len().saturating_sub(CookieJar::MAX_COOKIES);
    cookies.drain(..excess);
    Ok(cookies)
}

impl CookieJar {
    /// The most cookies a jar holds (a WeChat session sets about 15; browsers keep 180
    /// per domain).
    pub const MAX_COOKIES: usize = 128;

    fn push_bounded(&mut self, cookie: StoredCookie) {
        if self.cookies.len() >= Self::MAX_COOKIES {
            let excess = self.cookies.len() + 1 - Self::MAX_COOKIES;
            self.cookies.drain(..excess);
        }
        self.cookies.push(cookie);
    }

    /// An empty jar.
    pub fn new() -> Self {
        Self::default()
    }

    /// Three-way merge of jars that share an ancestor: `theirs` (the jar as another
    /// process saved it), with every cookie `mine` set, changed or dropped since `base`
    /// (the jar as this process read it) applied over it. A cookie both changed goes as
    /// `mine` has it.
    pub fn merge3(base: &CookieJar, mine: &CookieJar, theirs: &CookieJar) -> CookieJar {
        fn key(c: &StoredCookie) -> (&str, &str, &str) {
            (&c.domain, &c.path, &c.name)
        }
        let find = |jar: &'_ CookieJar, k: (&str, &str, &str)| -> Option<StoredCookie> {
            jar.cookies.iter().find(|c| key(c) == k).cloned()
        };
        let mut out = theirs.clone();
        let keys: Vec<(String, String, String)> = base
            .cookies
            .iter()
            .chain(&mine.cookies)
            .map(|c| (c.domain.clone(), c.path.clone(), c.name.clone()))
            .collect();
        for (d, p, n) in &keys {
            let k = (d.as_str(), p.as_str(), n.as_str());
            let (was, now) = (find(base, k), find(mine, k));
            if was == now {
                continue;
            }
            out.cookies.retain(|c| key(c) != k);
            if let Some(c) = now {
                out.push_bounded(c);
            }
        }
        out
    }

    /// Stores one `Set-Cookie` header value received from `request_host` (the logical
    /// host, e.g. `wx2.qq.com`) for a request to `request_path`. Returns `false` when the
    /// header could not be parsed or its domain does not cover the host (such cookies are
    /// ignored, as a browser would).
    pub fn store(
        &mut self,
        now: Timestamp,
        request_host: &str,
        request_path: &str,
        set_cookie: &str,
    ) -> bool {
        let Ok(parsed) = cookie::Cookie::parse(set_cookie.trim()) else {
            return false;
        };
        // A name or value that could not go back out in a `Cookie` header (control
        // characters, non-ASCII) would make the whole header unsendable: refused.
        let sendable = |s: &str| s.bytes().all(|b| b.is_ascii() && !b.is_ascii_control());
        if !sendable(parsed.name()) || !sendable(parsed.value()) {
            return false;
        }
        let host = request_host.to_ascii_lowercase();
        let (domain, host_only) = match parsed.domain() {
            Some(d) if !d.trim_start_matches('.').is_empty() => {
                let d = d.trim_start_matches('.').to_ascii_lowercase();
                if !domain_match(&host, &d) {
                    return false;
                }
                (d, false)
            }
            _ => (host.clone(), true),
        };
        let path = match parsed.path() {
            Some(p) if p.starts_with('/') => p.to_owned(),
            _ => default_path(request_path),
        };
        let expires = if let Some(max_age) = parsed.max_age() {
            let secs = max_age.whole_seconds();
            Some(if secs <= 0 {
                Timestamp(0)
            } else {
                now.plus(std::time::Duration::from_secs(secs as u64))
            })
        } else {
            parsed
                .expires_datetime()
                .map(|t| Timestamp((t.unix_timestamp().max(0) as u64).saturating_mul(1000)))
        };
        let cookie = StoredCookie {
            name: parsed.name().to_owned(),
            value: parsed.value().to_owned(),
            domain,
            host_only,
            path,
            secure: parsed.secure().unwrap_or(false),
            expires,
        };
        self.cookies.retain(|c| {
            !(c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path)
        });
        if cookie.expires.is_none_or(|e| e > now) {
            self.push_bounded(cookie);
        }
        true
    }

    /// The `Cookie` header value for a request to `host`/`path`, if any cookie matches.
    pub fn header(&self, now: Timestamp, host: &str, path: &str, https: bool) -> Option<String> {
        let host = host.to_ascii_lowercase();
        let mut matching: Vec<(usize, &StoredCookie)> = self
            .cookies
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                live(c, now)
                    && (https || !c.secure)
                    && if c.host_only {
                        c.domain == host
                    } else {
                        domain_match(&host, &c.domain)
                    }
                    && path_match(path, &c.path)
            })
            .collect();
        // Longer paths first (RFC 6265 §5.4), then in the jar's order: a total order (what
        // a stable sort by length gave), by the package's one sort.
        let key = |&(i, c): &(usize, &StoredCookie)| (std::cmp::Reverse(c.path.len()), i);
        crate::sort::sort_by(&mut matching, |a, b| key(a).cmp(&key(b)));
        if matching.is_empty() {
            return None;
        }
        Some(
            matching
                .iter()
                .map(|(_, c)| format!("{}={}", c.name, c.value))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    /// The value of the first live cookie named `name`, whatever its domain
    /// (`webwx_data_ticket`, `wxuin`, `wxsid`).
    pub fn get(&self, now: Timestamp, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|c| c.name == name && live(c, now))
            .map(|c| c.value.as_str())
    }

    /// Inserts a cookie directly (for restoring ItChat-style cookie dumps, or tests).
    pub fn insert(&mut self, cookie: StoredCookie) {
        self.cookies.retain(|c| {
            !(c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path)
        });
        self.push_bounded(cookie);
    }

    /// Drops expired cookies.
    pub fn purge(&mut self, now: Timestamp) {
        self.cookies.retain(|c| live(c, now));
    }

    /// Number of stored cookies (expired ones included until purged).
    pub fn len(&self) -> usize {
        self.cookies.len()
    }

    /// Whether the jar is empty.
    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }

    /// Iterates the stored cookies.
    pub fn iter(&self) -> impl Iterator<Item = &StoredCookie> {
        self.cookies.iter()
    }

    /// Removes every cookie.
    pub fn clear(&mut self) {
        self.cookies.clear();
    }
}

fn live(c: &StoredCookie, now: Timestamp) -> bool {
    c.expires.is_none_or(|e| e > now)
}

/// RFC 6265 §5.1.3: `host` equals `domain` or ends with `.domain`.
pub fn domain_match(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// RFC 6265 §5.1.4 path matching.
pub fn path_match(request_path: &str, cookie_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/')
                || request_path.as_bytes().get(cookie_path.len()) == Some(&b'/')))
}

fn default_path(request_path: &str) -> String {
    match request_path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => request_path[..i].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp(1_700_000_000_000);

    #[test]
    fn domain_cookies_reach_subdomains() {
        let mut jar = CookieJar::new();
        assert!(jar.store(
            NOW,
            "wx2.qq.com",
            "/cgi-bin/mmwebwx-bin/webwxnewloginpage",
            "wxuin=123; Domain=wx2.qq.com; Path=/; Expires=Thu, 01-Jan-2099 00:00:00 GMT; Secure"
        ));
        assert!(jar.store(
            NOW,
            "wx2.qq.com",
            "/x",
            "webwx_data_ticket=T1; Domain=.qq.com; Path=/; Secure"
        ));
        assert_eq!(
            jar.header(
                NOW,
                "webpush.wx2.qq.com",
                "/cgi-bin/mmwebwx-bin/synccheck",
                true
            )
            .as_deref(),
            Some("wxuin=123; webwx_data_ticket=T1")
        );
        assert_eq!(
            jar.header(NOW, "file.wx.qq.com", "/", true).as_deref(),
            Some("webwx_data_ticket=T1")
        );
        assert_eq!(
            jar.header(NOW, "wx2.qq.com", "/", false),
            None,
            "secure only"
        );
        assert_eq!(jar.get(NOW, "webwx_data_ticket"), Some("T1"));
    }

    #[test]
    fn foreign_domain_rejected_host_only_kept() {
        let mut jar = CookieJar::new();
        assert!(!jar.store(NOW, "wx.qq.com", "/", "a=1; Domain=wechat.com"));
        assert!(jar.store(NOW, "127.0.0.1", "/a/b", "b=2"));
        assert_eq!(
            jar.header(NOW, "127.0.0.1", "/a/c", false).as_deref(),
            Some("b=2")
        );
        assert_eq!(jar.header(NOW, "x.127.0.0.1", "/a/c", false), None);
        assert_eq!(jar.header(NOW, "127.0.0.1", "/other", false), None);
    }

    #[test]
    fn expiry_against_now() {
        let mut jar = CookieJar::new();
        jar.store(NOW, "wx.qq.com", "/", "s=1; Max-Age=60");
        jar.store(
            NOW,
            "wx.qq.com",
            "/",
            "old=1; Expires=Thu, 01-Jan-1970 00:00:01 GMT",
        );
        assert_eq!(jar.len(), 1);
        assert!(
            jar.get(NOW.plus(std::time::Duration::from_secs(59)), "s")
                .is_some()
        );
        assert!(
            jar.get(NOW.plus(std::time::Duration::from_secs(61)), "s")
                .is_none()
        );
        // A later Max-Age=0 deletes it.
        jar.store(NOW, "wx.qq.com", "/", "s=1; Max-Age=0");
        assert!(jar.get(NOW, "s").is_none());
    }

    #[test]
    fn replace_and_garbage() {
        let mut jar = CookieJar::new();
        jar.store(NOW, "wx.qq.com", "/", "k=1; Path=/");
        jar.store(NOW, "wx.qq.com", "/", "k=2; Path=/");
        assert_eq!(
            jar.header(NOW, "wx.qq.com", "/", true).as_deref(),
            Some("k=2")
        );
        assert!(!jar.store(NOW, "wx.qq.com", "/", ""));
        assert!(!jar.store(NOW, "wx.qq.com", "/", "novalue"));
    }

    #[test]
    fn debug_redacts_values() {
        let mut jar = CookieJar::new();
        jar.store(NOW, "wx.qq.com", "/", "wxsid=SECRETSID");
        assert!(!format!("{jar:?}").contains("SECRETSID"));
    }

    #[test]
    fn the_jar_is_bounded() {
        let mut jar = CookieJar::new();
        for i in 0..CookieJar::MAX_COOKIES + 10 {
            assert!(jar.store(NOW, "wx.qq.com", "/", &format!("c{i}=v")));
        }
        assert_eq!(jar.len(), CookieJar::MAX_COOKIES);
        assert_eq!(jar.get(NOW, "c0"), None, "the oldest went first");
        assert_eq!(jar.get(NOW, "c137"), Some("v"));
        // A saved jar with more keeps its newest.
        let mut v = serde_json::to_value(&jar).unwrap();
        let cookies = v["cookies"].as_array_mut().unwrap();
        let extra: Vec<_> = cookies.iter().take(20).cloned().collect();
        cookies.extend(extra);
        let back: CookieJar = serde_json::from_value(v).unwrap();
        assert_eq!(back.len(), CookieJar::MAX_COOKIES);
    }

    /// Found by the `cookies` fuzz target: a `Set-Cookie` whose value held NUL bytes was
    /// stored, and the `Cookie` header built from the jar could then not be sent at all
    /// (every cookie of the host lost with it). Such a cookie is refused, as browsers do.
    #[test]
    fn a_cookie_with_control_characters_is_refused() {
        let mut jar = CookieJar::new();
        assert!(jar.store(NOW, "wx.qq.com", "/", "wxsid=abc"));
        for bad in [
            "a=b\0c",
            "a=\x01",
            "a=b\x7fc",
            "a\tb=c",
            "a=b\u{9b}c",
            "a=é",
        ] {
            assert!(!jar.store(NOW, "wx.qq.com", "/", bad), "{bad:?}");
        }
        let header = jar.header(NOW, "wx.qq.com", "/", true).unwrap();
        assert_eq!(header, "wxsid=abc");
        assert!(http::HeaderValue::from_str(&header).is_ok());
    }
}
