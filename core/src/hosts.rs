//! Host routing: the official web client's ordered domain table.
//!
//! The *content* host (wx.qq.com, wx2.qq.com, ...) is the host of the login redirect_uri.
//! From it the official client derives the login, file (upload/download) and push
//! (synccheck) hosts with an ordered substring table where the first match wins
//! (`confFactory` in webwxApp.js; `constants.md` §1).

use crate::wire::record::record;
use serde::{Deserialize, Serialize};

/// The content host used before any login redirect.
pub const DEFAULT_CONTENT_HOST: &str = "wx.qq.com";

/// The host that serves QR codes and the QR content URL (hard-coded in the official client).
pub const QR_HOST: &str = "login.weixin.qq.com";

/// The ordered domain table: (substring of the content host, login host, file host, push host).
pub const DOMAIN_TABLE: [(&str, &str, &str, &str); 5] = [
    (
        "wx2.qq.com",
        "login.wx2.qq.com",
        "file.wx2.qq.com",
        "webpush.wx2.qq.com",
    ),
    (
        "wx8.qq.com",
        "login.wx8.qq.com",
        "file.wx8.qq.com",
        "webpush.wx8.qq.com",
    ),
    (
        "qq.com",
        "login.wx.qq.com",
        "file.wx.qq.com",
        "webpush.wx.qq.com",
    ),
    (
        "web2.wechat.com",
        "login.web2.wechat.com",
        "file.web2.wechat.com",
        "webpush.web2.wechat.com",
    ),
    (
        "wechat.com",
        "login.web.wechat.com",
        "file.web.wechat.com",
        "webpush.web.wechat.com",
    ),
];

/// The table's fallback when no entry matches.
pub const DEFAULT_HOSTS: (&str, &str, &str) = (
    "login.weixin.qq.com",
    "file.wx.qq.com",
    "webpush.weixin.qq.com",
);

/// The content hosts of the domain table (the page hosts of the official client, one per
/// row; a login redirect names one of them), in table order.
pub const CONTENT_HOSTS: [&str; 5] = [
    "wx.qq.com",
    "wx2.qq.com",
    "wx8.qq.com",
    "web.wechat.com",
    "web2.wechat.com",
];

/// Every host a client may call: the content, login, file and push hosts of every
/// [`CONTENT_HOSTS`] entry, the table's fallback ([`DEFAULT_HOSTS`]) and the QR host
/// ([`QR_HOST`], which also serves the QR image). Sorted, without duplicates. A relay's
/// default allowlist.
pub fn known_hosts() -> Vec<&'static str> {
    let mut all: Vec<&'static str> =
        vec![QR_HOST, DEFAULT_HOSTS.0, DEFAULT_HOSTS.1, DEFAULT_HOSTS.2];
    all.extend(CONTENT_HOSTS);
    for (_, login, file, push) in DOMAIN_TABLE {
        all.extend([login, file, push]);
    }
    all.sort_unstable();
    all.dedup();
    all
}

/// The four hosts a session talks to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Hosts {
    /// Content host (webwxinit, webwxsync, sends, contacts...): the redirect_uri's host.
    pub content: String,
    /// Login host (jslogin, login poll, push login).
    pub login: String,
    /// File host (webwxuploadmedia, webwxgetmedia).
    pub file: String,
    /// Push host (synccheck).
    pub push: String,
}

impl Hosts {
    /// Four empty hosts: what a saved session's hosts are read into.
    pub(crate) fn empty() -> Hosts {
        Hosts {
            content: String::new(),
            login: String::new(),
            file: String::new(),
            push: String::new(),
        }
    }
}

record!(Hosts = Hosts::empty(); {
    Error "content" => content: Deserialize::deserialize,
    Error "login" => login: Deserialize::deserialize,
    Error "file" => file: Deserialize::deserialize,
    Error "push" => push: Deserialize::deserialize,
});

/// Which of a session's hosts a request goes to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum HostKind {
    /// The content host.
    Content,
    /// The login host.
    Login,
    /// The file host.
    File,
    /// The push host.
    Push,
    /// The fixed QR host `login.weixin.qq.com`.
    Qr,
}

impl Hosts {
    /// The hosts the official client picks when its page is served from `content_host`.
    /// A `content_host` that is not a host name at all (a space, `/`, `#`, a port) cannot
    /// form a URL: [`DEFAULT_CONTENT_HOST`] stands in for it (check a host given by a
    /// person with [`check_content_host`] first, to tell them).
    pub fn for_content_host(content_host: &str) -> Hosts {
        let mut content_host = content_host.trim().to_ascii_lowercase();
        if check_host_name(&content_host).is_err() {
            tracing::warn!("the content host is not a host name; using {DEFAULT_CONTENT_HOST}");
            content_host = DEFAULT_CONTENT_HOST.to_owned();
        }
        let (login, file, push) = DOMAIN_TABLE
            .iter()
            .find(|(needle, ..)| content_host.contains(needle))
            .map(|(_, l, f, p)| (*l, *f, *p))
            .unwrap_or(DEFAULT_HOSTS);
        Hosts {
            content: content_host,
            login: login.to_owned(),
            file: file.to_owned(),
            push: push.to_owned(),
        }
    }

    /// The host for `kind`.
    pub fn get(&self, kind: HostKind) -> &str {
        match kind {
            HostKind::Content => &self.content,
            HostKind::Login => &self.login,
            HostKind::File => &self.file,
            HostKind::Push => &self.push,
            HostKind::Qr => QR_HOST,
        }
    }
}

impl Default for Hosts {
    fn default() -> Self {
        Hosts::for_content_host(DEFAULT_CONTENT_HOST)
    }
}

/// The domains of the domain table: every host the official client calls is one of them
/// or a subdomain of one.
pub const WECHAT_DOMAINS: [&str; 2] = ["qq.com", "wechat.com"];

/// Why a host (from a saved session, `--home`, or a login redirect) is not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// Not a host name (empty labels, a space, `/`, `#`, `@`, a port...).
    #[error("{0:?} is not a host name")]
    NotAHostName(String),
    /// A host name outside the WeChat domains, with no relay origin configured that could
    /// take the request instead.
    #[error("{0:?} is not a WeChat host (*.qq.com, *.wechat.com)")]
    NotWeChat(String),
    /// A login, file or push host other than the one the domain table gives for the
    /// content host (the official client never uses another).
    #[error("the {kind} host {found:?} is not the one of content host {content:?} ({expected:?})")]
    Inconsistent {
        /// `login`, `file` or `push`.
        kind: &'static str,
        /// The content host.
        content: String,
        /// What the table gives.
        expected: String,
        /// What was found.
        found: String,
    },
    /// A login redirect that is not `https://HOST/...` on an allowed host.
    #[error("the login redirect {0:?} is not an https URL on a WeChat host")]
    BadRedirect(String),
}

/// At most this much of a rejected value is quoted in a [`HostError`].
const QUOTED: usize = 80;

fn quoted(s: &str) -> String {
    s.chars().take(QUOTED).collect()
}

/// Whether `host` is a lowercase DNS host name (letters, digits, `-`, at least one dot).
fn check_host_name(host: &str) -> Result<(), HostError> {
    let ok = crate::relay::is_host_name(host)
        && !host.bytes().any(|b| b.is_ascii_uppercase())
        && host
            .split('.')
            .all(|label| !label.starts_with('-') && !label.ends_with('-'));
    if ok {
        Ok(())
    } else {
        Err(HostError::NotAHostName(quoted(host)))
    }
}

/// Whether `host` is a host name in the WeChat domains ([`WECHAT_DOMAINS`]): `qq.com`,
/// `wx2.qq.com`, `web.wechat.com`, but not `evilqq.com` or `qq.com.evil.org`.
pub fn is_wechat_host(host: &str) -> bool {
    check_host_name(host).is_ok()
        && WECHAT_DOMAINS
            .iter()
            .any(|d| host == *d || host.strip_suffix(d).is_some_and(|head| head.ends_with('.')))
}

/// Checks a content host: a host name, and a WeChat host unless `origin_set` (with a relay
/// origin every request goes to the origin, which decides what it forwards).
pub fn check_content_host(host: &str, origin_set: bool) -> Result<(), HostError> {
    check_host_name(host)?;
    if origin_set || is_wechat_host(host) {
        Ok(())
    } else {
        Err(HostError::NotWeChat(quoted(host)))
    }
}

/// The host of a login `redirect_uri`, if it is `https://HOST/...` (no port, no user
/// info) with a content host [`check_content_host`] accepts.
pub fn redirect_host(redirect_uri: &str, origin_set: bool) -> Result<String, HostError> {
    let bad = || HostError::BadRedirect(quoted(redirect_uri));
    let uri: http::Uri = redirect_uri.parse().map_err(|_| bad())?;
    let authority = uri.authority().ok_or_else(bad)?;
    if uri.scheme_str() != Some("https") || authority.as_str() != authority.host() {
        return Err(bad());
    }
    let host = authority.host().to_ascii_lowercase();
    check_content_host(&host, origin_set)?;
    Ok(host)
}

impl Hosts {
    /// Checks a session's hosts (from a file, say): the content host with
    /// [`check_content_host`], the others exactly as the domain table derives them.
    pub fn check(&self, origin_set: bool) -> Result<(), HostError> {
        check_content_host(&self.content, origin_set)?;
        let expected = Hosts::for_content_host(&self.content);
        for (kind, found, want) in [
            ("login", &self.login, &expected.login),
            ("file", &self.file, &expected.file),
            ("push", &self.push, &expected.push),
        ] {
            if found != want {
                return Err(HostError::Inconsistent {
                    kind,
                    content: quoted(&self.content),
                    expected: want.clone(),
                    found: quoted(found),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_home_domain_routes_like_the_official_client() {
        let cases = [
            (
                "wx.qq.com",
                "login.wx.qq.com",
                "file.wx.qq.com",
                "webpush.wx.qq.com",
            ),
            (
                "wx2.qq.com",
                "login.wx2.qq.com",
                "file.wx2.qq.com",
                "webpush.wx2.qq.com",
            ),
            (
                "wx8.qq.com",
                "login.wx8.qq.com",
                "file.wx8.qq.com",
                "webpush.wx8.qq.com",
            ),
            (
                "web.wechat.com",
                "login.web.wechat.com",
                "file.web.wechat.com",
                "webpush.web.wechat.com",
            ),
            (
                "web2.wechat.com",
                "login.web2.wechat.com",
                "file.web2.wechat.com",
                "webpush.web2.wechat.com",
            ),
            (
                "example.org",
                "login.weixin.qq.com",
                "file.wx.qq.com",
                "webpush.weixin.qq.com",
            ),
        ];
        for (content, login, file, push) in cases {
            let h = Hosts::for_content_host(content);
            assert_eq!(
                (
                    h.content.as_str(),
                    h.login.as_str(),
                    h.file.as_str(),
                    h.push.as_str()
                ),
                (content, login, file, push),
                "{content}"
            );
        }
    }

    #[test]
    fn known_hosts_cover_every_home() {
        let known = known_hosts();
        for home in CONTENT_HOSTS {
            let h = Hosts::for_content_host(home);
            for kind in [
                HostKind::Content,
                HostKind::Login,
                HostKind::File,
                HostKind::Push,
                HostKind::Qr,
            ] {
                assert!(known.contains(&h.get(kind)), "{home}: {}", h.get(kind));
            }
        }
        assert_eq!(known.len(), 22, "{known:?}");
        assert!(!known.iter().any(|h| h.starts_with("*") || !h.contains('.')));
    }

    #[test]
    fn order_matters_wx2_before_qq() {
        // "wx2.qq.com" also contains "qq.com": the first entry must win.
        assert_eq!(
            Hosts::for_content_host("WX2.QQ.COM").push,
            "webpush.wx2.qq.com"
        );
        assert_eq!(Hosts::default().get(HostKind::Qr), "login.weixin.qq.com");
    }

    #[test]
    fn wechat_hosts_and_host_names() {
        for ok in [
            "wx.qq.com",
            "qq.com",
            "webpush.wx2.qq.com",
            "web.wechat.com",
        ] {
            assert!(is_wechat_host(ok), "{ok}");
            assert_eq!(check_content_host(ok, false), Ok(()));
        }
        for other in [
            "evilqq.com",
            "qq.com.evil.org",
            "example.org",
            "wechat.com.cn",
        ] {
            assert!(!is_wechat_host(other), "{other}");
            assert!(matches!(
                check_content_host(other, false),
                Err(HostError::NotWeChat(_))
            ));
            // A relay origin decides itself.
            assert_eq!(check_content_host(other, true), Ok(()));
        }
        for bad in [
            "",
            "wx.qq.com x",
            "wx.qq.com/x",
            "wx.qq.com#",
            "a@wx.qq.com",
            "wx.qq.com:80",
            "WX.QQ.COM",
            "wx..qq.com",
            "-wx.qq.com",
            "localhost",
            "wx.qq.com\n",
        ] {
            assert!(!is_wechat_host(bad), "{bad:?}");
            assert!(matches!(
                check_content_host(bad, true),
                Err(HostError::NotAHostName(_))
            ));
        }
    }

    #[test]
    fn unusable_content_host_falls_back() {
        assert_eq!(Hosts::for_content_host("wx.qq.com/x"), Hosts::default());
        assert_eq!(
            Hosts::for_content_host(" WX2.qq.com ").content,
            "wx2.qq.com"
        );
    }

    #[test]
    fn session_hosts_must_be_consistent() {
        assert_eq!(Hosts::for_content_host("wx2.qq.com").check(false), Ok(()));
        let mut h = Hosts::for_content_host("wx2.qq.com");
        h.file = "file.evil.org".into();
        assert!(matches!(
            h.check(true),
            Err(HostError::Inconsistent { kind: "file", .. })
        ));
    }

    #[test]
    fn redirects() {
        let ok = "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=x&uuid=y";
        assert_eq!(redirect_host(ok, false).as_deref(), Ok("wx2.qq.com"));
        for bad in [
            "http://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=x",
            "https://wx2.qq.com:8443/x",
            "https://user@wx2.qq.com/x",
            "https://evil.org/x",
            "https://wx2.qq.com x/x",
            "/cgi-bin/x",
        ] {
            assert!(redirect_host(bad, false).is_err(), "{bad}");
        }
        assert_eq!(
            redirect_host("https://wx.example.test/x", true).as_deref(),
            Ok("wx.example.test")
        );
    }
}
