//! The options of `new WebWx({..})`, read from their JSON form into the core's [`Config`].

use std::time::Duration;
use webwx_core::client::RecentLimits;
use webwx_core::{Config, SessionState};

/// `new WebWx(options)`: every field optional; an unknown one is an error (a typo such as
/// `realy` must not silently mean "direct"). Read by `options_de` as serde's derive
/// (`#[serde(default, rename_all = "camelCase", deny_unknown_fields)]`) read it.
#[derive(Debug, Default)]
pub(crate) struct Options {
    /// Send every request to this origin in the relay form (`http://127.0.0.1:8787`).
    pub origin: Option<String>,
    /// Relay mode: the forbidden headers travel renamed (`x-wx-*`) and every request
    /// carries `x-wx-relay: 1`. Needs `origin`. Pages need it; Node does not.
    pub relay: bool,
    /// Log in through the desktop (UOS) variant.
    pub desktop: bool,
    /// A saved session: the string `snapshot()` returned (or that string parsed).
    pub session: Option<Box<serde_json::value::RawValue>>,
    /// The PRNG seed of a new session (default: from `crypto.getRandomValues`).
    pub seed: Option<u64>,
    /// Long-poll timeout in ms (login poll, synccheck; default 35000).
    pub long_poll_timeout_ms: Option<u64>,
    /// Timeout of other requests in ms (default 30000).
    pub request_timeout_ms: Option<u64>,
    /// Most received messages kept for `forward`, `download` and `accept_friend` by
    /// `msg_id` (default 512).
    pub recent_messages: Option<usize>,
    /// Most bytes those kept messages take (default 8192: about 50 short texts; a page
    /// holding one session may raise it).
    pub recent_bytes: Option<usize>,
    /// How many received message ids are remembered to drop re-deliveries (default 512).
    pub seen_ids: Option<usize>,
}

impl Options {
    /// Reads the options from `JSON.stringify(options)` (`"null"`/`undefined`: defaults).
    pub(crate) fn parse(json: Option<&str>) -> Result<Options, String> {
        // From the bytes, as the core reads every answer: one serde_json reader type in
        // the `.wasm` (the same value or error as from the text).
        match json {
            None | Some("null") => Ok(Options::default()),
            Some(j) => {
                serde_json::from_slice(j.as_bytes()).map_err(|e| format!("bad WebWx options: {e}"))
            }
        }
    }

    /// The core's configuration, with `seed` where none was given.
    pub(crate) fn config(&self, seed: u64) -> Result<Config, String> {
        let mut cfg = Config::new(self.seed.unwrap_or(seed)).desktop(self.desktop);
        match (&self.origin, self.relay) {
            (Some(o), relay) => {
                cfg = cfg
                    .origin(o)
                    .map_err(|e| format!("bad origin: {e}"))?
                    .rename_headers(relay);
            }
            (None, true) => {
                return Err("relay: true needs an origin (the relay's URL)".into());
            }
            (None, false) => {}
        }
        if let Some(ms) = self.long_poll_timeout_ms {
            cfg = cfg.long_poll_timeout(Duration::from_millis(ms));
        }
        if let Some(ms) = self.request_timeout_ms {
            cfg = cfg.request_timeout(Duration::from_millis(ms));
        }
        if self.recent_messages.is_some() || self.recent_bytes.is_some() {
            let default = RecentLimits::default();
            cfg = cfg.recent(RecentLimits::new(
                self.recent_messages.unwrap_or(default.messages),
                self.recent_bytes.unwrap_or(default.bytes),
            ));
        }
        if let Some(n) = self.seen_ids {
            cfg = cfg.seen_ids(n);
        }
        Ok(cfg)
    }

    /// The saved session, if one was given.
    pub(crate) fn session(&self) -> Result<Option<SessionState>, String> {
        // One reading path (the core's, with its version check), whatever form it came in.
        let Some(raw) = &self.session else {
            return Ok(None);
        };
        let text = match raw.get() {
            "null" => return Ok(None),
            // The string `snapshot()` returned: its text.
            s if s.starts_with('"') => serde_json::from_slice::<String>(s.as_bytes())
                .map_err(|e| format!("bad saved session: {e}"))?,
            // That string parsed: the object as written.
            s => s.to_owned(),
        };
        SessionState::from_json(&text)
            .map(Some)
            .map_err(|e| format!("bad saved session: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_mode_renames_headers() {
        let o = Options::parse(Some(r#"{"origin":"http://127.0.0.1:8787","relay":true}"#)).unwrap();
        let cfg = o.config(1).unwrap();
        assert!(cfg.rename_headers);
        assert_eq!(cfg.origin.unwrap().base(), "http://127.0.0.1:8787");
        assert_eq!(cfg.seed, 1);
    }

    #[test]
    fn origin_without_relay_rewrites_the_address_only() {
        let o = Options::parse(Some(
            r#"{"origin":"http://127.0.0.1:1","seed":9,"desktop":true,"longPollTimeoutMs":2000}"#,
        ))
        .unwrap();
        let cfg = o.config(1).unwrap();
        assert!(!cfg.rename_headers);
        assert!(cfg.desktop);
        assert_eq!(cfg.seed, 9);
        assert_eq!(cfg.long_poll_timeout, Duration::from_secs(2));
    }

    #[test]
    fn recent_limits_and_seen_ids() {
        let cfg = Options::parse(Some(r#"{"recentBytes":1048576,"seenIds":2048}"#))
            .unwrap()
            .config(1)
            .unwrap();
        assert_eq!(cfg.recent, RecentLimits::new(512, 1 << 20));
        assert_eq!(cfg.seen_ids, 2048);
        let cfg = Options::parse(Some(r#"{"recentMessages":0}"#))
            .unwrap()
            .config(1)
            .unwrap();
        assert_eq!(
            cfg.recent,
            RecentLimits::new(0, RecentLimits::default().bytes)
        );
        let cfg = Options::parse(None).unwrap().config(1).unwrap();
        assert_eq!(cfg.recent, RecentLimits::default());
        assert_eq!(cfg.seen_ids, webwx_core::client::DEFAULT_SEEN_IDS);
    }

    #[test]
    fn no_options_is_direct() {
        let cfg = Options::parse(None).unwrap().config(3).unwrap();
        assert!(cfg.origin.is_none());
        assert!(!cfg.rename_headers);
    }

    #[test]
    fn mistakes_are_errors() {
        let e = Options::parse(Some(r#"{"realy":true}"#)).unwrap_err();
        assert!(e.contains("realy"), "{e}");
        let e = Options::parse(Some(r#"{"relay":true}"#))
            .unwrap()
            .config(1)
            .unwrap_err();
        assert!(e.contains("origin"), "{e}");
        let e = Options::parse(Some(r#"{"origin":"127.0.0.1:8787"}"#))
            .unwrap()
            .config(1)
            .unwrap_err();
        assert!(e.contains("origin"), "{e}");
        let e = Options::parse(Some(r#"{"session":"{not json"}"#))
            .unwrap()
            .session()
            .unwrap_err();
        assert!(e.contains("session"), "{e}");
    }

    #[test]
    fn a_snapshot_restores_as_string_or_object() {
        let state = webwx_core::Client::new(Config::new(5)).snapshot();
        let text = state.to_json();
        let as_string = serde_json::json!({ "session": text }).to_string();
        let as_object = format!(r#"{{"session":{text}}}"#);
        for json in [as_string, as_object] {
            let restored = Options::parse(Some(&json))
                .unwrap()
                .session()
                .unwrap()
                .unwrap();
            assert_eq!(restored.to_json(), text);
        }
    }
}
