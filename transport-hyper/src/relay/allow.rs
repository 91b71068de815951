//! Which upstream hosts a relay relays: never an open proxy.

/// The default allowlist: every host of the core's domain table
/// ([`webwx_core::hosts::known_hosts`]), exactly — not every `*.qq.com`.
pub fn default_allow() -> Vec<String> {
    webwx_core::hosts::known_hosts()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Whether `host` is a DNS host name that matches the allowlist: an exact entry, or
/// `*.domain` for a subdomain (at any depth) of `domain`.
pub fn is_allowed(host: &str, allow: &[String]) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if !webwx_core::relay::is_host_name(&host) {
        return false;
    }
    allow.iter().any(|pattern| {
        let pattern = pattern.trim().to_ascii_lowercase();
        match pattern.strip_prefix("*.") {
            Some(domain) => host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.')),
            None => host == pattern,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_allowlist_is_the_domain_table() {
        let a = default_allow();
        for ok in [
            "wx.qq.com",
            "wx2.qq.com",
            "wx8.qq.com",
            "login.wx.qq.com",
            "login.wx2.qq.com",
            "login.weixin.qq.com",
            "file.wx.qq.com",
            "file.wx8.qq.com",
            "webpush.wx.qq.com",
            "webpush.wx2.qq.com",
            "webpush.weixin.qq.com",
            "web.wechat.com",
            "web2.wechat.com",
            "login.web.wechat.com",
            "file.web2.wechat.com",
            "webpush.web2.wechat.com",
            "WX.QQ.COM",
            "wx.qq.com.",
        ] {
            assert!(is_allowed(ok, &a), "{ok}");
        }
        // Under the same domains, but no host of the protocol: refused (the old
        // `*.qq.com` / `*.wechat.com` let them all through).
        for bad in [
            "evil.qq.com",
            "mp.weixin.qq.com",
            "mail.qq.com",
            "res.wx.qq.com",
            "www.wechat.com",
            "qq.com",
            "wechat.com",
        ] {
            assert!(!is_allowed(bad, &a), "{bad}");
        }
    }

    #[test]
    fn patterns_and_non_hosts() {
        let a: Vec<String> = ["*.qq.com", "*.wechat.com"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for ok in ["wx.qq.com", "webpush.wx2.qq.com", "file.web2.wechat.com"] {
            assert!(is_allowed(ok, &a), "{ok}");
        }
        for bad in [
            "qq.com",
            "evilqq.com",
            "wx.qq.com.evil.net",
            "example.com",
            "wechat.com",
            "xwechat.com",
            "127.0.0.1",
            "",
        ] {
            assert!(!is_allowed(bad, &a), "{bad}");
        }
        // Not host names at all, though their tails match: empty labels, spaces, ports,
        // user info.
        for bad in [
            "..qq.com",
            "a..qq.com",
            ". .qq.com",
            "wx.qq.com:8080",
            "evil.com@wx.qq.com",
            "evil.com/.wx.qq.com",
        ] {
            assert!(!is_allowed(bad, &a), "{bad}");
        }
        assert!(is_allowed("exact.host", &["exact.host".to_string()]));
        assert!(!is_allowed("sub.exact.host", &["exact.host".to_string()]));
    }
}
