//! Host routing: the official web client's ordered domain table.
//!
//! The *content* host (wx.qq.com, wx2.qq.com, ...) is the host of the login redirect_uri.
//! From it the official client derives the login, file (upload/download) and push
//! (synccheck) hosts with an ordered substring table where the first match wins
//! (`confFactory` in webwxApp.js; `constants.md` §1).

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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    pub fn for_content_host(content_host: &str) -> Hosts {
        let content_host = content_host.trim().to_ascii_lowercase();
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
}
