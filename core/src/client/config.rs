//! Client configuration.

use super::recent::RecentLimits;
use crate::hosts::DEFAULT_CONTENT_HOST;
use crate::pacing::PacingPolicy;
use crate::relay::{Origin, RelayError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The User-Agent sent by default (a desktop Chrome, as the web client runs in one).
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0.0.0 Safari/537.36";

/// Retry and backoff policy for transport errors, 5xx answers and unreadable bodies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts for one-shot requests (login steps, contacts, sends) before giving up.
    pub max_attempts: u32,
    /// First delay.
    pub base_delay: Duration,
    /// Largest delay.
    pub max_delay: Duration,
    /// The sync loop (synccheck/webwxsync) retries without an attempt limit, but ends the
    /// session when it has failed continuously for this long.
    pub sync_give_up_after: Duration,
    /// Ret 1205 (too frequent) on the sync loop ends the session only when it persists
    /// this long (the official client logs out at once; we keep the session).
    pub too_frequent_give_up_after: Duration,
}

impl RetryPolicy {
    /// Exponential backoff with ±20% jitter for attempt `n` (1-based), capped at `max_delay`.
    pub(crate) fn backoff(&self, n: u32, rng: &mut crate::rng::Rng) -> Duration {
        let base = self.base_delay.as_millis() as u64;
        let max = self.max_delay.as_millis() as u64;
        let exp = base
            .saturating_mul(1u64 << n.saturating_sub(1).min(20))
            .min(max);
        let jitter = exp / 5;
        let d = if jitter == 0 {
            exp
        } else {
            exp - jitter + rng.below(2 * jitter + 1)
        };
        Duration::from_millis(d)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(1000),
            max_delay: Duration::from_secs(60),
            sync_give_up_after: Duration::from_secs(600),
            too_frequent_give_up_after: Duration::from_secs(300),
        }
    }
}

/// Upload size limits, checked before any byte is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadLimits {
    /// Images (the official client: 20 MB).
    pub image: u64,
    /// Videos (20 MB).
    pub video: u64,
    /// Other files (50 MB).
    pub file: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            image: 20 * 1024 * 1024,
            video: 20 * 1024 * 1024,
            file: 50 * 1024 * 1024,
        }
    }
}

/// How a [`crate::Client`] behaves. Build with [`Config::new`] and the setters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Config {
    /// Seed of the PRNG of a new session (a restored session continues its own).
    pub seed: u64,
    /// The content host used before login (`wx.qq.com`).
    pub home: String,
    /// `lang` parameter.
    pub lang: String,
    /// Log in through the desktop (UOS) variant.
    pub desktop: bool,
    /// Send every request to this origin in the relay form.
    pub origin: Option<Origin>,
    /// Rename `Cookie`/`Referer`/`User-Agent` to `x-wx-*` (browsers).
    pub rename_headers: bool,
    /// User-Agent.
    pub user_agent: String,
    /// How many times a QR code is renewed (expired or cancelled) before login gives up.
    pub max_qr_renewals: u32,
    /// Timeout of the long-polls (login poll, synccheck); the server holds about 25 s.
    pub long_poll_timeout: Duration,
    /// Timeout of other requests.
    pub request_timeout: Duration,
    /// Timeout of an upload chunk.
    pub upload_timeout: Duration,
    /// Retries and backoff.
    pub retry: RetryPolicy,
    /// Upload limits.
    pub limits: UploadLimits,
    /// When a restored session is no longer valid, try push login before a QR.
    pub push_login_fallback: bool,
    /// Send `webwxstatusnotify` Code 3 after init, as the official client does.
    pub notify_inited: bool,
    /// How sends are paced against Ret 1205 ([`crate::pacing`]); on by default.
    pub pacing: PacingPolicy,
    /// A keep-alive message sent now and then while the sync loop runs; off by default.
    pub heartbeat: Option<Heartbeat>,
    /// How much of the received messages the client keeps for `forward`, `download` and
    /// `accept_friend` by `msg_id` and for the `original` of a revoke: the newest, at
    /// most 512 taking at most 8 KiB by default ([`RecentLimits`]).
    #[serde(default)]
    pub recent: RecentLimits,
    /// How many received message ids the client remembers to drop a message the server
    /// sends again ([`SeenIds`](crate::session::SeenIds), which says why 512 by
    /// default; at most [`SeenIds::CAPACITY`](crate::session::SeenIds::CAPACITY)).
    #[serde(default = "default_seen_ids")]
    pub seen_ids: usize,
}

/// [`Config::seen_ids`] by default.
pub const DEFAULT_SEEN_IDS: usize = 512;

fn default_seen_ids() -> usize {
    DEFAULT_SEEN_IDS
}

/// A keep-alive: a text sent to `target` every `interval` (± `jitter`, drawn each time)
/// while the sync loop runs, as users of the other clients do to keep a session from
/// dying quietly (wechat4u sends one to the file helper). Off unless set
/// ([`Config::heartbeat`]). It is paced and reported like any send (`Sent`,
/// `SendFailed`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Heartbeat {
    /// Who gets it (a UserName or a name; `filehelper` by default).
    pub target: String,
    /// The text.
    pub text: String,
    /// How often.
    pub interval: Duration,
    /// Each interval is drawn in `interval ± jitter`.
    pub jitter: Duration,
}

impl Heartbeat {
    /// A text `text` to the file helper every `interval` ± a tenth of it.
    pub fn new(interval: Duration, text: &str) -> Heartbeat {
        Heartbeat {
            target: crate::contacts::FILE_HELPER.to_owned(),
            text: text.to_owned(),
            interval,
            jitter: interval / 10,
        }
    }

    /// Sent to `target` instead.
    pub fn target(mut self, target: &str) -> Heartbeat {
        self.target = target.to_owned();
        self
    }

    /// With this jitter.
    pub fn jitter(mut self, jitter: Duration) -> Heartbeat {
        self.jitter = jitter;
        self
    }
}

impl Config {
    /// Defaults with `seed` for the PRNG.
    pub fn new(seed: u64) -> Self {
        Config {
            seed,
            home: DEFAULT_CONTENT_HOST.to_owned(),
            lang: "zh_CN".to_owned(),
            desktop: false,
            origin: None,
            rename_headers: false,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            max_qr_renewals: 5,
            long_poll_timeout: Duration::from_secs(35),
            request_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            limits: UploadLimits::default(),
            push_login_fallback: true,
            notify_inited: true,
            pacing: PacingPolicy::default(),
            heartbeat: None,
            recent: RecentLimits::default(),
            seen_ids: DEFAULT_SEEN_IDS,
        }
    }

    /// Remembers `n` received message ids to drop re-deliveries ([`Config::seen_ids`]).
    pub fn seen_ids(mut self, n: usize) -> Self {
        self.seen_ids = n;
        self
    }

    /// Keeps the received messages within `limits` ([`Config::recent`]).
    pub fn recent(mut self, limits: RecentLimits) -> Self {
        self.recent = limits;
        self
    }

    /// Sends every request to `origin` (e.g. `http://127.0.0.1:8787`) in the relay form.
    pub fn origin(mut self, origin: &str) -> Result<Self, RelayError> {
        self.origin = Some(Origin::parse(origin)?);
        Ok(self)
    }

    /// Renames the browser-forbidden headers to `x-wx-*`.
    pub fn rename_headers(mut self, on: bool) -> Self {
        self.rename_headers = on;
        self
    }

    /// Uses the desktop (UOS) login variant.
    pub fn desktop(mut self, on: bool) -> Self {
        self.desktop = on;
        self
    }

    /// The content host before login.
    pub fn home(mut self, host: &str) -> Self {
        self.home = host.to_owned();
        self
    }

    /// Long-poll timeout (tests use short ones against a simulator with short holds).
    pub fn long_poll_timeout(mut self, d: Duration) -> Self {
        self.long_poll_timeout = d;
        self
    }

    /// Timeout of ordinary requests.
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// Retry policy.
    pub fn retry(mut self, r: RetryPolicy) -> Self {
        self.retry = r;
        self
    }

    /// Upload limits.
    pub fn limits(mut self, l: UploadLimits) -> Self {
        self.limits = l;
        self
    }

    /// How sends are paced ([`PacingPolicy::off`] sends everything at once).
    pub fn pacing(mut self, p: PacingPolicy) -> Self {
        self.pacing = p;
        self
    }

    /// Sends a keep-alive while the sync loop runs.
    pub fn heartbeat(mut self, h: Heartbeat) -> Self {
        self.heartbeat = Some(h);
        self
    }

    /// QR renewals before giving up.
    pub fn max_qr_renewals(mut self, n: u32) -> Self {
        self.max_qr_renewals = n;
        self
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new(0)
    }
}
