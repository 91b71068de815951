//! The core's [`Config`] from command-line flags, shared by `login` and `send`.

use std::time::Duration;

use webwx_core::client::{RECENT_MESSAGES, RecentLimits};
use webwx_core::pacing::{PacingPolicy, Rate};
use webwx_core::{Client, Config, SessionState};

/// How many bytes of received messages the command line's one session keeps for the
/// commands naming one by `msg_id` (`--recent-bytes`): 1 MiB, where the library's default
/// ([`webwx_core::client::RECENT_BYTES`], 8 KiB) is sized for a host of thousands of sessions.
pub const CLI_RECENT_BYTES: usize = 1 << 20;

/// What the flags say about the client.
#[derive(Debug, Default, Clone)]
pub struct ClientFlags<'a> {
    /// `--origin`: a simulator or `webwx relay`.
    pub origin: Option<&'a str>,
    /// `--insecure-origin`: an `http://` origin beyond loopback is allowed.
    pub insecure_origin: bool,
    /// `--desktop`.
    pub desktop: bool,
    /// `--home`.
    pub home: Option<&'a str>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--long-poll-ms`.
    pub long_poll_ms: Option<u64>,
    /// `--no-pacing`, `--pace-*`.
    pub pacing: Option<&'a crate::args::PacingArgs>,
    /// `--recent-messages`.
    pub recent_messages: Option<usize>,
    /// `--recent-bytes`.
    pub recent_bytes: Option<usize>,
}

/// The client configuration, or a usage error.
pub fn build(flags: &ClientFlags<'_>) -> Result<Config, String> {
    let mut cfg = Config::new(flags.seed.unwrap_or_else(clock_seed)).desktop(flags.desktop);
    if let Some(origin) = flags.origin {
        // Relay mode (the forbidden headers renamed, `x-wx-relay: 1`): what `webwx relay`
        // requires, and what a simulator takes alike (`x-wx-cookie` counts as `Cookie`).
        cfg = cfg
            .origin(origin)
            .map_err(|e| format!("--origin {origin}: {e}"))?
            .rename_headers(true);
        if let Some(o) = &cfg.origin
            && o.scheme == "http"
            && !is_loopback(&o.authority)
            && !flags.insecure_origin
        {
            return Err(format!(
                "--origin {origin}: plain http beyond the loopback interface would send skey, sid, pass_ticket and the cookies in clear; use https, a loopback address, or --insecure-origin if this network is yours"
            ));
        }
    }
    if let Some(home) = flags.home {
        let home = home.trim().to_ascii_lowercase();
        webwx_core::hosts::check_content_host(&home, cfg.origin.is_some())
            .map_err(|e| format!("--home: {e}"))?;
        cfg = cfg.home(&home);
    }
    if let Some(ms) = flags.long_poll_ms {
        cfg = cfg.long_poll_timeout(Duration::from_millis(ms.max(1)));
    }
    if let Some(p) = flags.pacing {
        cfg = cfg.pacing(pacing(p));
    }
    cfg = cfg.recent(RecentLimits::new(
        flags.recent_messages.unwrap_or(RECENT_MESSAGES),
        flags.recent_bytes.unwrap_or(CLI_RECENT_BYTES),
    ));
    Ok(cfg)
}

/// The pacing the flags ask for: the defaults, with what the flags change.
pub fn pacing(p: &crate::args::PacingArgs) -> PacingPolicy {
    if p.no_pacing {
        return PacingPolicy::off();
    }
    let mut policy = PacingPolicy::default();
    if p.pace_burst.is_some() || p.pace_every_ms.is_some() {
        let burst = p.pace_burst.unwrap_or(policy.session.burst).max(1);
        let every = p
            .pace_every_ms
            .map(Duration::from_millis)
            .unwrap_or(policy.session.every);
        policy = policy.session(Rate::new(burst, every));
    }
    if let Some(ms) = p.pace_chat_gap_ms {
        policy = policy.per_chat_gap(Duration::from_millis(ms));
    }
    policy
}

/// Whether the `host[:port]` of an origin is on the loopback interface (`localhost`,
/// 127.0.0.0/8, `[::1]`).
pub fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A client for a saved session, or why the session cannot be used with `cfg` (hosts no
/// WeChat session uses, lists longer than any real session's).
pub fn restore(cfg: Config, state: SessionState) -> Result<Client, String> {
    Client::try_restore(cfg, state).map_err(|e| e.to_string())
}

/// A seed from the OS (the core takes no OS randomness itself).
pub fn clock_seed() -> u64 {
    webwx_ureq::random_seed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(origin: &str, insecure: bool) -> ClientFlags<'_> {
        ClientFlags {
            origin: Some(origin),
            insecure_origin: insecure,
            seed: Some(1),
            ..ClientFlags::default()
        }
    }

    #[test]
    fn one_session_keeps_more_recent_messages_than_the_library() {
        let cfg = build(&ClientFlags::default()).unwrap();
        assert_eq!(
            cfg.recent,
            RecentLimits::new(RECENT_MESSAGES, CLI_RECENT_BYTES)
        );
        const { assert!(CLI_RECENT_BYTES > webwx_core::client::RECENT_BYTES) };
        let cfg = build(&ClientFlags {
            recent_messages: Some(7),
            recent_bytes: Some(100),
            ..ClientFlags::default()
        })
        .unwrap();
        assert_eq!(cfg.recent, RecentLimits::new(7, 100));
    }

    #[test]
    fn plain_http_only_on_loopback_unless_insecure() {
        for ok in [
            "http://127.0.0.1:8787",
            "http://127.1.2.3",
            "http://localhost:1/wx",
            "http://[::1]:9",
            "https://relay.example.org",
        ] {
            assert!(build(&flags(ok, false)).is_ok(), "{ok}");
        }
        for remote in [
            "http://192.0.2.1:8787",
            "http://relay.example.org",
            "http://[2001:db8::1]:80",
            "http://127.0.0.1.example.org",
        ] {
            let e = build(&flags(remote, false)).unwrap_err();
            assert!(e.contains("--insecure-origin"), "{remote}: {e}");
            assert!(build(&flags(remote, true)).is_ok(), "{remote}");
        }
    }

    #[test]
    fn home_must_be_a_wechat_host() {
        let home = |h| ClientFlags {
            home: Some(h),
            ..ClientFlags::default()
        };
        assert_eq!(build(&home("WX2.qq.com")).unwrap().home, "wx2.qq.com");
        for bad in [
            "wx.qq.com/x",
            "wx.qq.com x",
            "wx.qq.com#a",
            "evil.example.org",
        ] {
            let e = build(&home(bad)).unwrap_err();
            assert!(e.starts_with("--home: "), "{bad}: {e}");
        }
    }
}
