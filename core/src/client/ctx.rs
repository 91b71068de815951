//! What a phase may do besides changing its own state: the small context [`Ctx`].
//!
//! A phase (login, startup, the sync loop, commands) is a struct of its own with its own
//! methods. It is handed `&mut` of itself and a [`Ctx`]; it never sees [`Client`](super::Client)
//! nor another phase's struct, so the borrow checker proves that a phase cannot write
//! another phase's state, end the session or switch phases. What a phase wants beyond its
//! own state it asks of the context (three verbs: [`Ctx::emit`], [`Ctx::dispatch`],
//! [`Ctx::set_timer`]) or returns to `Client` as a [`Step`].
//!
//! The context also lends the session data every phase shares: the configuration (read
//! only), the [`SessionState`] (credentials, hosts, keys, cookies, the PRNG) and the
//! contact store.

use super::{Event, Failure, Inflight, LogoutReason, Output, Pending, RequestId, Timer, Transmit};
use crate::contacts::Contacts;
use crate::endpoint::{LoginCtx, SessionCtx};
use crate::error::Ret;
use crate::session::{Credentials, SessionState};
use crate::sorted_map::SortedMap;
use crate::time::{Monotonic, Now};
use http::Request;
use std::collections::VecDeque;
use std::time::Duration;

use super::Config;

/// What a phase hands back to [`Client`](super::Client), which alone switches phases,
/// ends the session and applies the retry policy.
#[allow(clippy::large_enum_variant)] // returned once per input, moved, never stored
#[derive(Debug)]
#[must_use = "a phase's step must be applied by the client"]
pub(crate) enum Step {
    /// Nothing for the client to do.
    Stay,
    /// This request failed: retry it under the policy, or hand its final failure back to
    /// the phase that owns it.
    Retry(Inflight, Failure),
    /// A command's request was answered with a session-ending Ret (1100/1101/1102): first
    /// as [`Step::Retry`] (the Ret is not retried, so the command fails with the server's
    /// code), then as [`Step::SessionOver`] (every other pending command fails with
    /// `SessionEnded`, or a resumed session logs in again).
    RetryThenOver(Inflight, Failure, Ret),
    /// The login succeeded with these credentials: startup begins.
    LoggedIn(Credentials),
    /// The contacts are loaded: the session is ready (the sync loop starts if it runs).
    Ready,
    /// The server answered the sync loop: the session is alive (a resumed session is no
    /// longer in doubt).
    Alive,
    /// The server says the session is over (1100/1101/1102): a resumed session that never
    /// proved alive logs in again, any other ends.
    SessionOver(Ret),
    /// End the session.
    End(LogoutReason),
}

/// The context a phase works in: see the module docs.
pub(crate) struct Ctx<'a> {
    /// The time of the input being handled.
    pub(crate) now: Now,
    /// The configuration.
    pub(crate) cfg: &'a Config,
    /// The session data shared by every phase.
    pub(crate) state: &'a mut SessionState,
    /// The contact store.
    pub(crate) contacts: &'a mut Contacts,
    out: &'a mut VecDeque<Output>,
    inflight: &'a mut SortedMap<RequestId, Box<Inflight>>,
    timers: &'a mut SortedMap<(Monotonic, u64), Timer>,
    next_id: &'a mut u64,
    unsent: &'a mut Vec<Inflight>,
}

/// A [`Ctx`] lending the given client's fields (disjoint from its phases' structs).
macro_rules! ctx {
    ($client:expr, $now:expr) => {
        $crate::client::ctx::Ctx::new(
            $now,
            &$client.cfg,
            &mut $client.state,
            &mut $client.contacts,
            &mut $client.out,
            &mut $client.inflight,
            &mut $client.timers,
            &mut $client.next_id,
            &mut $client.unsent,
        )
    };
}
pub(crate) use ctx;

impl<'a> Ctx<'a> {
    #[allow(clippy::too_many_arguments)] // only through `ctx!`
    pub(crate) fn new(
        now: Now,
        cfg: &'a Config,
        state: &'a mut SessionState,
        contacts: &'a mut Contacts,
        out: &'a mut VecDeque<Output>,
        inflight: &'a mut SortedMap<RequestId, Box<Inflight>>,
        timers: &'a mut SortedMap<(Monotonic, u64), Timer>,
        next_id: &'a mut u64,
        unsent: &'a mut Vec<Inflight>,
    ) -> Ctx<'a> {
        Ctx {
            now,
            cfg,
            state,
            contacts,
            out,
            inflight,
            timers,
            next_id,
            unsent,
        }
    }

    // ---- the three verbs ----

    /// Reports an event to the host.
    pub(crate) fn emit(&mut self, e: Event) {
        self.out.push_back(Output::Event(e));
    }

    /// Queues a logical request.
    pub(crate) fn dispatch(
        &mut self,
        pending: Pending,
        endpoint: &'static str,
        logical: Request<Vec<u8>>,
        timeout: Duration,
    ) {
        self.transmit(Inflight::new(pending, endpoint, logical, timeout));
    }

    /// Arms a timer.
    pub(crate) fn set_timer(&mut self, at: Monotonic, timer: Timer) {
        let seq = *self.next_id;
        *self.next_id += 1;
        self.timers.insert((at, seq), timer);
    }

    // ---- the send queue's timers ----

    /// How many timers `pick` selects, and the earliest one's deadline.
    pub(crate) fn waiting(&self, pick: impl Fn(&Timer) -> bool) -> (usize, Option<Monotonic>) {
        waiting(self.timers, pick)
    }

    /// Takes the timers `pick` selects out, earliest first (the send queue takes its
    /// waiting requests back to give them new slots).
    pub(crate) fn take_timers(&mut self, pick: impl Fn(&Timer) -> bool) -> Vec<Timer> {
        let keys: Vec<_> = self
            .timers
            .iter()
            .filter(|(_, t)| pick(t))
            .map(|(k, _)| *k)
            .collect();
        keys.into_iter()
            .filter_map(|k| self.timers.remove(&k))
            .collect()
    }

    // ---- what the verbs need, and what every phase reads ----

    /// Whether a request for `what` is in flight.
    pub(crate) fn in_flight(&self, what: impl Fn(&Pending) -> bool) -> bool {
        self.inflight.values().any(|i| what(&i.pending))
    }

    /// Sends `inflight` (again): a new [`RequestId`], one more attempt. A request whose
    /// wire form cannot be built is left for the client to fail (see
    /// [`Client::settle`](super::Client)).
    pub(crate) fn transmit(&mut self, mut inflight: Inflight) {
        inflight.attempts += 1;
        let id = RequestId(*self.next_id);
        *self.next_id += 1;
        let request = match self.to_wire(&inflight.logical) {
            Ok(r) => r,
            Err(e) => {
                // Only an origin set without `Config::origin`'s checks gets here; the
                // request still ends in its owner's failure, never in silence.
                tracing::error!(endpoint = inflight.endpoint, error = %e, "cannot build the wire request");
                self.unsent.push(inflight);
                return;
            }
        };
        tracing::debug!(%id, endpoint = inflight.endpoint, attempt = inflight.attempts, "transmit");
        let t = Transmit {
            id,
            request,
            timeout: inflight.timeout,
            endpoint: inflight.endpoint,
        };
        self.inflight.insert(id, Box::new(inflight));
        self.out.push_back(Output::Transmit(t));
    }

    /// The wire form of a logical request: cookies, User-Agent, Referer, origin override.
    fn to_wire(
        &self,
        logical: &Request<Vec<u8>>,
    ) -> Result<Request<Vec<u8>>, crate::relay::RelayError> {
        let mut req = Request::builder()
            .method(logical.method().clone())
            .uri(logical.uri().clone())
            .body(logical.body().clone())
            .expect("copy of a valid request");
        *req.headers_mut() = logical.headers().clone();
        let host = logical.uri().host().unwrap_or_default().to_owned();
        let path = logical.uri().path().to_owned();
        let https = logical.uri().scheme_str() != Some("http");
        if let Some(cookie) = self
            .state
            .cookies
            .header(self.now.wall, &host, &path, https)
            && let Ok(v) = http::HeaderValue::from_str(&cookie)
        {
            req.headers_mut().insert(http::header::COOKIE, v);
        }
        let h = req.headers_mut();
        if !h.contains_key(http::header::USER_AGENT)
            && let Ok(v) = http::HeaderValue::from_str(&self.cfg.user_agent)
        {
            h.insert(http::header::USER_AGENT, v);
        }
        if !h.contains_key(http::header::REFERER)
            && let Ok(v) =
                http::HeaderValue::from_str(&format!("https://{}/", self.state.hosts.content))
        {
            h.insert(http::header::REFERER, v);
        }
        match &self.cfg.origin {
            Some(origin) => crate::relay::encode_request(origin, self.cfg.rename_headers, req),
            None => Ok(req),
        }
    }

    /// The context of a login request.
    pub(crate) fn login_ctx(&self) -> LoginCtx<'_> {
        LoginCtx {
            now: self.now.wall,
            hosts: &self.state.hosts,
            lang: &self.cfg.lang,
            desktop: self.cfg.desktop,
        }
    }

    /// A context for a logged-in request (fresh DeviceID); `None` without credentials.
    pub(crate) fn session_ctx(&mut self) -> Option<SessionCtx<'_>> {
        session_ctx(self.now, self.cfg, self.state)
    }

    /// Takes a refreshed skey (webwxinit/webwxsync `SKey`; empty means unchanged).
    pub(crate) fn refresh_skey(&mut self, skey: &str) {
        if !skey.is_empty()
            && let Some(c) = self.state.credentials.as_mut()
        {
            c.skey = skey.to_owned();
        }
    }

    /// Exponential backoff with ±20% jitter for attempt `n` (1-based).
    pub(crate) fn backoff(&mut self, n: u32) -> Duration {
        self.cfg.retry.backoff(n, &mut self.state.rng)
    }
}

/// How many of `timers` `pick` selects, and the earliest one's deadline.
pub(crate) fn waiting(
    timers: &SortedMap<(Monotonic, u64), Timer>,
    pick: impl Fn(&Timer) -> bool,
) -> (usize, Option<Monotonic>) {
    let mut picked = timers.iter().filter(|(_, t)| pick(t));
    let first = picked.next().map(|((at, _), _)| *at);
    (first.map_or(0, |_| 1 + picked.count()), first)
}

/// A context for a logged-in request (fresh DeviceID); `None` without credentials.
pub(crate) fn session_ctx<'s>(
    now: Now,
    cfg: &'s Config,
    state: &'s mut SessionState,
) -> Option<SessionCtx<'s>> {
    let device_id = state.rng.device_id();
    let creds = state.credentials.as_ref()?;
    Some(SessionCtx {
        now: now.wall,
        hosts: &state.hosts,
        credentials: creds,
        device_id,
        lang: &cfg.lang,
        me: state
            .me
            .as_ref()
            .map(|m| m.user_name.as_str())
            .unwrap_or(""),
        data_ticket: state.cookies.get(now.wall, "webwx_data_ticket"),
    })
}
