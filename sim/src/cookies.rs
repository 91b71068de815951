//! Set-Cookie lines as the real server writes them, and their dates.

use crate::hosts;
use crate::world::session::Session;

/// `Mon, 31 Dec 2018 11:12:21 GMT` (HTTP date, for Last-Modified; the `httpdate` crate's).
pub(crate) fn http_date(unix: u64) -> String {
    // httpdate's calendar ends with 9999; a later time is written as its last second.
    let unix = unix.min(253_402_300_799);
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix))
}

/// `Mon, 31-Dec-2018 11:12:21 GMT`, the date form of the captured cookies: the HTTP date
/// with dashes in the date.
pub(crate) fn cookie_date(unix: u64) -> String {
    let http = http_date(unix);
    // `Mon, ` + `31 Dec 2018` + ` 11:12:21 GMT` (a fixed-width form).
    format!(
        "{}{}{}",
        &http[..5],
        http[5..16].replace(' ', "-"),
        &http[16..]
    )
}

/// Cookie attributes for a session's answers.
pub(crate) struct CookieScope {
    /// `Domain=...` of most cookies (relay form only).
    domain: Option<String>,
    /// `Domain=.qq.com` / `.wechat.com` of the data ticket (relay form only).
    parent: Option<String>,
    secure: bool,
}

impl CookieScope {
    /// Relay form: real domains and `Secure`; plain form: neither.
    pub(crate) fn new(relay: bool, home: &str) -> Self {
        if relay {
            CookieScope {
                domain: Some(home.to_string()),
                parent: Some(hosts::row_for(home).parent.to_string()),
                secure: true,
            }
        } else {
            CookieScope {
                domain: None,
                parent: None,
                secure: false,
            }
        }
    }

    fn line(&self, name: &str, value: &str, parent: bool, expires: u64) -> String {
        let mut s = format!("{name}={value};");
        let domain = if parent { &self.parent } else { &self.domain };
        if let Some(d) = domain {
            s.push_str(&format!(" Domain={d};"));
        }
        s.push_str(&format!(" Path=/; Expires={}", cookie_date(expires)));
        if self.secure {
            s.push_str("; Secure");
        }
        s
    }

    /// The cookies of webwxnewloginpage.
    pub(crate) fn login(&self, s: &Session, now: u64) -> Vec<String> {
        let day = now + 12 * 3600;
        let years = now + 10 * 365 * 86_400;
        vec![
            self.line("wxuin", &s.uin.to_string(), false, day),
            self.line("wxsid", &s.sid, false, day),
            self.line("wxloadtime", &s.login_time.to_string(), false, day),
            self.line("mm_lang", "zh_CN", false, day),
            self.line("webwx_data_ticket", &s.data_ticket, true, day),
            self.line("webwxuvid", &s.uvid, false, years),
            self.line("webwx_auth_ticket", &s.auth_ticket, false, years),
        ]
    }

    /// The cookies webwxsync refreshes.
    pub(crate) fn sync(&self, s: &Session, now: u64, plugin_key: u64) -> Vec<String> {
        let day = now + 12 * 3600;
        vec![
            self.line(
                "wxloadtime",
                &format!("{}_expired", s.login_time),
                false,
                day,
            ),
            self.line("wxpluginkey", &plugin_key.to_string(), false, day),
            self.line("wxuin", &s.uin.to_string(), false, day + 2 * 86_400),
            self.line("wxsid", &s.sid, false, day),
            self.line("webwx_data_ticket", &s.data_ticket, true, day),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(cookie_date(1_546_254_741), "Mon, 31-Dec-2018 11:12:21 GMT");
        assert_eq!(cookie_date(0), "Thu, 01-Jan-1970 00:00:00 GMT");
        assert_eq!(http_date(1_546_254_741), "Mon, 31 Dec 2018 11:12:21 GMT");
        assert_eq!(cookie_date(951_782_400), "Tue, 29-Feb-2000 00:00:00 GMT");
        assert_eq!(cookie_date(u64::MAX), "Fri, 31-Dec-9999 23:59:59 GMT");
    }
}
