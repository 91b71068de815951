//! The official domain table (constants.md §1) and the classes of hosts.
//!
//! Every request in relay form names the host it was meant for; the simulator
//! checks it against this table the way routing on the real servers worked:
//! login hosts serve the QR login, push hosts serve synccheck, file hosts serve
//! uploads and attachment downloads, content hosts serve everything else.

/// Which kind of host an endpoint lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostClass {
    /// `login.*`: jslogin, QR image, login poll, push login.
    Login,
    /// The page host itself (`wx.qq.com`, `wx2.qq.com`, ...): the JSON API.
    Content,
    /// `file.*`: uploadmedia, getmedia.
    File,
    /// `webpush.*`: synccheck.
    Push,
}

/// One row of the official client's `confFactory` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    /// The page (content) host of accounts homed on this row.
    pub content: &'static str,
    /// Login host.
    pub login: &'static str,
    /// File host.
    pub file: &'static str,
    /// Push host.
    pub push: &'static str,
    /// Parent domain used for the `webwx_data_ticket` cookie.
    pub parent: &'static str,
}

impl Row {
    /// The host of `class` on this row.
    pub(crate) fn host(&self, class: HostClass) -> &'static str {
        match class {
            HostClass::Login => self.login,
            HostClass::Content => self.content,
            HostClass::File => self.file,
            HostClass::Push => self.push,
        }
    }
}

/// The homes an account can have (its content host), in table order.
pub(crate) const HOMES: [&str; 5] = [
    "wx.qq.com",
    "wx2.qq.com",
    "wx8.qq.com",
    "web.wechat.com",
    "web2.wechat.com",
];

const DEFAULT_ROW: Row = Row {
    content: "wx.qq.com",
    login: "login.weixin.qq.com",
    file: "file.wx.qq.com",
    push: "webpush.weixin.qq.com",
    parent: ".qq.com",
};

const ROWS: [Row; 5] = [
    Row {
        content: "wx2.qq.com",
        login: "login.wx2.qq.com",
        file: "file.wx2.qq.com",
        push: "webpush.wx2.qq.com",
        parent: ".qq.com",
    },
    Row {
        content: "wx8.qq.com",
        login: "login.wx8.qq.com",
        file: "file.wx8.qq.com",
        push: "webpush.wx8.qq.com",
        parent: ".qq.com",
    },
    Row {
        content: "wx.qq.com",
        login: "login.wx.qq.com",
        file: "file.wx.qq.com",
        push: "webpush.wx.qq.com",
        parent: ".qq.com",
    },
    Row {
        content: "web2.wechat.com",
        login: "login.web2.wechat.com",
        file: "file.web2.wechat.com",
        push: "webpush.web2.wechat.com",
        parent: ".wechat.com",
    },
    Row {
        content: "web.wechat.com",
        login: "login.web.wechat.com",
        file: "file.web.wechat.com",
        push: "webpush.web.wechat.com",
        parent: ".wechat.com",
    },
];

/// The row the official client picks for a page host (ordered `indexOf` tests).
pub(crate) fn row_for(page_host: &str) -> Row {
    let key = [
        "wx2.qq.com",
        "wx8.qq.com",
        "qq.com",
        "web2.wechat.com",
        "wechat.com",
    ];
    for (i, k) in key.iter().enumerate() {
        if page_host.contains(k) {
            return ROWS[i];
        }
    }
    DEFAULT_ROW
}

/// Normalizes a home name given by a user (`wx2`, `wx2.qq.com`, `https://wx2.qq.com/`).
pub(crate) fn parse_home(s: &str) -> Option<&'static str> {
    let s = s
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let s = s.trim_end_matches('/');
    HOMES
        .iter()
        .copied()
        .find(|h| *h == s || h.split('.').next() == Some(s) && !s.is_empty())
}

/// What the table says a host is, if it is a host of the table at all.
pub(crate) fn classify(host: &str) -> Option<HostClass> {
    let host = host.to_ascii_lowercase();
    let rows = ROWS.iter().chain(std::iter::once(&DEFAULT_ROW));
    for row in rows {
        for class in [
            HostClass::Login,
            HostClass::Content,
            HostClass::File,
            HostClass::Push,
        ] {
            if row.host(class) == host {
                return Some(class);
            }
        }
    }
    None
}

/// Whether `host` is the host of `class` for an account homed at `home`.
/// Login hosts are accepted from any row: the client picks one before it knows its home.
pub(crate) fn host_matches_home(host: &str, class: HostClass, home: &str) -> bool {
    let host = host.to_ascii_lowercase();
    match class {
        HostClass::Login => classify(&host) == Some(HostClass::Login),
        _ => row_for(home).host(class) == host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows() {
        assert_eq!(row_for("wx.qq.com").push, "webpush.wx.qq.com");
        assert_eq!(row_for("wx2.qq.com").file, "file.wx2.qq.com");
        assert_eq!(row_for("wx8.qq.com").login, "login.wx8.qq.com");
        assert_eq!(row_for("web.wechat.com").push, "webpush.web.wechat.com");
        assert_eq!(row_for("web2.wechat.com").file, "file.web2.wechat.com");
        assert_eq!(row_for("example.org").login, "login.weixin.qq.com");
    }

    #[test]
    fn classes() {
        assert_eq!(classify("login.weixin.qq.com"), Some(HostClass::Login));
        assert_eq!(classify("webpush.wx2.qq.com"), Some(HostClass::Push));
        assert_eq!(classify("file.web.wechat.com"), Some(HostClass::File));
        assert_eq!(classify("wx8.qq.com"), Some(HostClass::Content));
        assert_eq!(classify("evil.example.com"), None);
        assert!(host_matches_home(
            "webpush.wx.qq.com",
            HostClass::Push,
            "wx.qq.com"
        ));
        assert!(!host_matches_home(
            "webpush.wx2.qq.com",
            HostClass::Push,
            "wx.qq.com"
        ));
        assert!(host_matches_home(
            "login.weixin.qq.com",
            HostClass::Login,
            "wx2.qq.com"
        ));
    }

    #[test]
    fn homes() {
        assert_eq!(parse_home("wx2"), Some("wx2.qq.com"));
        assert_eq!(
            parse_home("https://web.wechat.com/"),
            Some("web.wechat.com")
        );
        assert_eq!(parse_home("nope.com"), None);
    }
}
