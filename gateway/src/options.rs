//! How a gateway runs: [`Options`], built by `webwx serve` from its flags.

use std::net::SocketAddr;
use std::time::Duration;

/// The default listen address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8788";

/// The gateway's settings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The bearer token every `/v1` call needs.
    pub token: String,
    /// The token was given (flag or environment), not generated: required to listen
    /// beyond loopback.
    pub token_given: bool,
    /// Webhook URLs: every event is POSTed to each.
    pub webhooks: Vec<String>,
    /// Event names posted to webhooks (empty: every event).
    pub webhook_events: Vec<String>,
    /// First delay before a failed webhook POST is retried (doubling up to
    /// `webhook_retry_max`).
    pub webhook_retry: Duration,
    /// Longest delay between two webhook attempts.
    pub webhook_retry_max: Duration,
    /// Timeout of one webhook POST.
    pub webhook_timeout: Duration,
    /// Send every account's requests to this origin in the relay form (a simulator, a
    /// relay) instead of the real hosts.
    pub origin: Option<String>,
    /// Accounts may name their own origin.
    pub allow_origin_override: bool,
    /// This node's name (shown as each account's `"node"`).
    pub node: Option<String>,
    /// Other `Host` names accepted besides loopback names and the listen address.
    pub accept_hosts: Vec<String>,
    /// Client long-poll timeout (tests against a simulator with short holds).
    pub long_poll: Option<Duration>,
    /// How long an idempotency key and its answer are kept.
    pub idempotency_keep: Duration,
    /// Largest request body (file uploads come as base64 or multipart).
    pub max_body: usize,
    /// With a shared store: how long a lease lasts without renewal (renewed every
    /// third of it). A dead node's accounts move after about this long.
    pub lease: Duration,
    /// With a shared store: the most accounts this node holds (`--max-accounts`).
    pub max_accounts: Option<usize>,
    /// With a shared store: how often the command table and the log's head are polled.
    pub poll: Duration,
}

impl Options {
    /// Defaults: loopback, no webhooks, the real hosts.
    pub fn new(token: impl Into<String>) -> Options {
        Options {
            listen: DEFAULT_LISTEN.parse().expect("a valid address"),
            token: token.into(),
            token_given: true,
            webhooks: Vec::new(),
            webhook_events: Vec::new(),
            webhook_retry: Duration::from_millis(500),
            webhook_retry_max: Duration::from_secs(60),
            webhook_timeout: Duration::from_secs(10),
            origin: None,
            allow_origin_override: false,
            node: None,
            accept_hosts: Vec::new(),
            long_poll: None,
            idempotency_keep: Duration::from_secs(24 * 3600),
            max_body: 80 * 1024 * 1024,
            lease: Duration::from_secs(15),
            max_accounts: None,
            poll: Duration::from_millis(100),
        }
    }

    /// Whether starting with these options is safe: beyond loopback only with a token
    /// given explicitly.
    pub fn check(&self) -> Result<(), String> {
        if self.token.len() < 8 {
            return Err("the token must have at least 8 characters".into());
        }
        if !self.listen.ip().is_loopback() && !self.token_given {
            return Err(format!(
                "refusing to listen on {} (beyond loopback) with a generated token: give one \
                 with --token or $WEBWX_TOKEN",
                self.listen
            ));
        }
        for hook in &self.webhooks {
            let ok = (hook.starts_with("http://") || hook.starts_with("https://"))
                && hook.parse::<http::Uri>().is_ok();
            if !ok {
                return Err(format!("--webhook {hook:?}: expected an http(s) URL"));
            }
        }
        if self.lease < Duration::from_millis(300) {
            return Err("the lease must last at least 300 ms".into());
        }
        if self.max_accounts == Some(0) {
            return Err("--max-accounts must be at least 1".into());
        }
        if let Some(o) = &self.origin {
            webwx_core::relay::Origin::parse(o).map_err(|e| format!("--origin: {e}"))?;
        }
        Ok(())
    }

    /// Whether `event` goes to the webhooks.
    pub fn hooks_event(&self, event: &str) -> bool {
        self.webhook_events.is_empty() || self.webhook_events.iter().any(|e| e == event)
    }
}

/// A new random token (32 hex digits).
pub fn generate_token() -> String {
    format!(
        "{:016x}{:016x}",
        webwx_hyper::random_seed(),
        webwx_hyper::random_seed()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beyond_loopback_needs_a_given_token() {
        let mut o = Options::new(generate_token());
        assert!(o.check().is_ok());
        o.listen = "0.0.0.0:8788".parse().unwrap();
        o.token_given = false;
        assert!(o.check().unwrap_err().contains("beyond loopback"));
        o.token_given = true;
        assert!(o.check().is_ok());
        o.token = "short".into();
        assert!(o.check().is_err());
        let mut o = Options::new(generate_token());
        o.webhooks = vec!["ftp://x".into()];
        assert!(o.check().is_err());
        assert_ne!(generate_token(), generate_token());
        assert_eq!(generate_token().len(), 32);
    }
}
