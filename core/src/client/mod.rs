//! The session state machine.
//!
//! [`Client`] owns every protocol decision — host routing, cookies, SyncKey and
//! SyncCheckKey, retries and backoff, when to re-sync, when the session is dead — and does
//! no I/O. Drive it like this:
//!
//! ```no_run
//! use webwx_core::{Client, Config, Now, Output};
//! // Both clocks: wall-clock ms for the wire, a monotonic reading for timers.
//! # fn now() -> Now { Now::from_millis(0) }
//! # fn send(_r: &webwx_core::client::Transmit) -> Result<http::Response<Vec<u8>>, webwx_core::TransportErrorKind> { unimplemented!() }
//! let mut client = Client::new(Config::new(42));
//! client.login(now()).expect("a new client logs in");
//! loop {
//!     match client.poll_output() {
//!         Output::Transmit(t) => match send(&t) {
//!             Ok(resp) => client.handle_response(now(), t.id, resp),
//!             Err(kind) => client.handle_transport_error(now(), t.id, kind),
//!         },
//!         Output::Event(e) => println!("{e:?}"),
//!         // Sleep until the monotonic clock reads `at` (or a response arrives).
//!         Output::Timeout(_at) => client.handle_timeout(now()),
//!         Output::Idle => { /* wait for a command */ }
//!         Output::Done => break,
//!         _ => {}
//!     }
//! }
//! ```
//!
//! A real driver sends several requests at once (the synccheck long-poll beside sends and
//! uploads) and feeds each response back with its [`RequestId`]. After every input, drain
//! `poll_output` until it returns `Timeout`, `Idle` or `Done`.

mod command_view;
pub mod commands;
mod config;
mod ctx;
mod event;
mod login;
mod queue;
mod recent;
mod startup;
mod sync_loop;

pub use command_view::CommandView;
pub use commands::CommandEvent;
pub use config::{
    Config, DEFAULT_SEEN_IDS, DEFAULT_USER_AGENT, Heartbeat, RetryPolicy, UploadLimits,
};
pub use event::{Event, LogoutReason, Output, RequestId, Transmit};
pub use login::Refusal;
pub use recent::{RECENT_BYTES, RECENT_MESSAGES, RecentLimits, RecentMessage};

use crate::contacts::Contacts;
use crate::error::{ResponseError, TransportErrorKind};
use crate::hosts::Hosts;
use crate::session::SessionState;
use crate::sorted_map::SortedMap;
use crate::time::{Monotonic, Now};
use ctx::{Ctx, Step, ctx};
use http::{Request, Response};
use std::collections::VecDeque;
use std::time::Duration;

/// Where the session is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Created, nothing started.
    Idle,
    /// QR or push login in progress.
    Login,
    /// webwxinit / contacts.
    Starting,
    /// The sync loop runs.
    Running,
    /// Logged in, no sync loop (one-shot commands from a saved session).
    CommandsOnly,
    /// webwxlogout in flight.
    LoggingOut,
    /// Over.
    LoggedOut,
}

impl Phase {
    /// Whether a session in this phase with `state` is logged in (init done or under
    /// way, not logged out).
    pub(crate) fn logged_in(&self, state: &SessionState) -> bool {
        matches!(self, Phase::Starting | Phase::Running | Phase::CommandsOnly)
            && state.credentials.is_some()
    }
}

/// Where a session is, as [`Client::session_phase`] tells a host.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SessionPhase {
    /// Created; no login, resume or connect started.
    Idle,
    /// A QR or push login is under way.
    LoggingIn,
    /// Logged in; webwxinit and the contacts are loading (`Ready` follows).
    Starting,
    /// `Ready`: commands run.
    Ready,
    /// `logout` was called; the session ends when the server answers.
    LoggingOut,
    /// Over.
    LoggedOut,
}

/// What an in-flight request is for.
#[derive(Debug)]
pub(crate) enum Pending {
    JsLogin,
    LoginPoll {
        uuid: String,
    },
    NewLoginPage,
    PushLoginUrl,
    Init,
    StatusNotify,
    GetContact {
        seq: u64,
        page: u32,
    },
    BatchGetContact {
        rest: Vec<crate::endpoint::batchgetcontact::BatchItem>,
        fetch: bool,
    },
    SyncCheck,
    Sync,
    Logout,
    Cmd(commands::Cmd),
}

/// A request in flight or waiting for a retry.
#[derive(Debug)]
pub(crate) struct Inflight {
    pub(crate) pending: Pending,
    pub(crate) endpoint: &'static str,
    pub(crate) logical: Request<Vec<u8>>,
    pub(crate) attempts: u32,
    pub(crate) timeout: Duration,
    pub(crate) first_failure: Option<Monotonic>,
    /// Paced: its chat and class ([`crate::pacing`]).
    pub(crate) paced: Option<(String, crate::pacing::PaceClass)>,
}

impl Inflight {
    /// A request not sent yet.
    pub(crate) fn new(
        pending: Pending,
        endpoint: &'static str,
        logical: Request<Vec<u8>>,
        timeout: Duration,
    ) -> Inflight {
        Inflight {
            pending,
            endpoint,
            logical,
            attempts: 0,
            timeout,
            first_failure: None,
            paced: None,
        }
    }
}

/// What a timer does when it fires.
#[allow(clippy::large_enum_variant)] // mostly retries; moved, never copied
#[derive(Debug)]
pub(crate) enum Timer {
    /// Send this request again.
    Retry(Inflight),
    /// Start the next synccheck.
    SyncCheck,
    /// Call webwxsync.
    Sync,
    /// Send this paced request: its slot has come.
    Paced(Inflight),
    /// Send the keep-alive.
    Heartbeat,
}

/// The sans-IO WeChat Web session. See the module docs for how to drive it.
pub struct Client {
    pub(crate) cfg: Config,
    pub(crate) state: SessionState,
    pub(crate) phase: Phase,
    pub(crate) contacts: Contacts,
    out: VecDeque<Output>,
    /// Boxed: a request is a few hundred bytes, and the map keeps the room it grew to
    /// while logging in (8 bytes a spare slot boxed).
    pub(crate) inflight: SortedMap<RequestId, Box<Inflight>>,
    timers: SortedMap<(Monotonic, u64), Timer>,
    next_id: u64,
    /// Requests whose wire form could not be built, for their owner to fail.
    unsent: Vec<Inflight>,
    pub(crate) login: login::LoginPhase,
    pub(crate) startup: startup::Startup,
    pub(crate) sync: sync_loop::SyncLoop,
    pub(crate) cmds: commands::Commands,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("phase", &self.phase)
            .field("state", &self.state)
            .field("contacts", &self.contacts.len())
            .field("inflight", &self.inflight.len())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A new, logged-out client.
    pub fn new(cfg: Config) -> Client {
        let state = SessionState::new(cfg.seed, Hosts::for_content_host(&cfg.home));
        Client::with_state(cfg, state)
    }

    /// A client for a saved session. Call [`Client::resume`] (or [`Client::connect`]) next.
    ///
    /// A state that [`Client::try_restore`] refuses (hosts that are not the domain table's,
    /// or outside the WeChat domains without a relay origin; lists longer than any real
    /// session's) is never used: the client starts logged out instead, with a fresh state
    /// for `cfg` (its credentials would go to a host nobody chose). Use
    /// [`Client::try_restore`] to tell the user why.
    pub fn restore(cfg: Config, state: SessionState) -> Client {
        match Client::try_restore(cfg.clone(), state) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "the saved session is not used");
                Client::new(cfg)
            }
        }
    }

    /// A client for a saved session, or why the session cannot be used with `cfg`
    /// ([`SessionState::check`]: without a relay origin, every host must be a WeChat host).
    ///
    /// ```
    /// use webwx_core::{Client, Config, Hosts, SessionState};
    /// let mut state = SessionState::new(1, Hosts::default());
    /// assert!(Client::try_restore(Config::new(1), state.clone()).is_ok());
    /// state.hosts = Hosts::for_content_host("example.org");
    /// assert!(Client::try_restore(Config::new(1), state).is_err());
    /// ```
    pub fn try_restore(
        cfg: Config,
        state: SessionState,
    ) -> Result<Client, crate::session::SessionLoadError> {
        state.check(cfg.origin.is_some())?;
        Ok(Client::with_state(cfg, state))
    }

    fn with_state(cfg: Config, state: SessionState) -> Client {
        let me = state.self_user_name().unwrap_or_default().to_owned();
        Client {
            cfg,
            state,
            phase: Phase::Idle,
            contacts: Contacts::new(&me),
            out: VecDeque::new(),
            inflight: SortedMap::new(),
            timers: SortedMap::new(),
            next_id: 1,
            unsent: Vec::new(),
            login: login::LoginPhase::default(),
            startup: startup::Startup::default(),
            sync: sync_loop::SyncLoop::default(),
            cmds: commands::Commands::default(),
        }
    }

    /// A copy of the session state to save.
    pub fn snapshot(&self) -> SessionState {
        self.state.clone()
    }

    /// The session state.
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The contact store.
    pub fn contacts(&self) -> &Contacts {
        &self.contacts
    }

    /// Whether the session is logged in (init done, not logged out).
    pub fn is_logged_in(&self) -> bool {
        self.phase.logged_in(&self.state)
    }

    /// Where the session is, for hosts deciding whether a command can run now.
    pub fn session_phase(&self) -> SessionPhase {
        match self.phase {
            Phase::Idle => SessionPhase::Idle,
            Phase::Login => SessionPhase::LoggingIn,
            Phase::Starting => SessionPhase::Starting,
            Phase::Running | Phase::CommandsOnly if self.state.me.is_some() => SessionPhase::Ready,
            Phase::Running | Phase::CommandsOnly => SessionPhase::Starting,
            Phase::LoggingOut => SessionPhase::LoggingOut,
            Phase::LoggedOut => SessionPhase::LoggedOut,
        }
    }

    /// Whether the session has ended.
    pub fn is_logged_out(&self) -> bool {
        self.phase == Phase::LoggedOut
    }

    /// What this session kept of a message it saw, by its `MsgId` (or `NewMsgId`): the
    /// newest messages are kept within [`Config::recent`] ([`RecentLimits`]).
    pub fn recent_message(&self, id: &str) -> Option<&RecentMessage> {
        self.sync.recent.find(id)
    }

    /// How many messages this session keeps now, and the bytes counted for them
    /// (within [`Config::recent`]).
    pub fn recent_messages(&self) -> (usize, usize) {
        (self.sync.recent.len(), self.sync.recent.bytes())
    }

    /// Number of requests in flight.
    pub fn in_flight(&self) -> usize {
        self.inflight.len()
    }

    /// The next output. Drain until `Timeout`, `Idle` or `Done` after every input.
    #[must_use]
    pub fn poll_output(&mut self) -> Output {
        while let Some(o) = self.out.pop_front() {
            // A request dropped before the driver took it (the session ended, `logout`
            // stopped the loop) is not sent.
            if let Output::Transmit(t) = &o
                && !self.inflight.contains_key(&t.id)
            {
                tracing::debug!(id = %t.id, endpoint = t.endpoint, "request dropped before it was sent");
                continue;
            }
            return o;
        }
        // Drained: its room (four outputs of a few hundred bytes) is given back, as a
        // session spends most of its life with nothing to output.
        if self.out.capacity() > 0 {
            self.out = VecDeque::new();
        }
        if let Some(((at, _), _)) = self.timers.first_key_value() {
            return Output::Timeout(*at);
        }
        if self.phase == Phase::LoggedOut && self.inflight.is_empty() {
            return Output::Done;
        }
        Output::Idle
    }

    /// The earliest timer, if any.
    pub fn poll_timeout(&self) -> Option<Monotonic> {
        self.timers.first_key_value().map(|((at, _), _)| *at)
    }

    /// Fires the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Now) {
        while let Some(((at, _), _)) = self.timers.first_key_value() {
            if *at > now.mono {
                break;
            }
            let Some((_, timer)) = self.timers.pop_first() else {
                break;
            };
            if self.phase == Phase::LoggedOut {
                continue;
            }
            match timer {
                Timer::Retry(inflight) | Timer::Paced(inflight) if self.still_wanted(&inflight) => {
                    self.transmit(now, inflight)
                }
                Timer::Retry(_) | Timer::Paced(_) => {}
                Timer::Heartbeat => self.heartbeat(now),
                t @ (Timer::SyncCheck | Timer::Sync) => {
                    self.in_sync_loop(now, |sync, ctx, phase| sync.on_timer(ctx, phase, t))
                }
            }
        }
    }

    /// Feeds the response to request `id`.
    pub fn handle_response(&mut self, now: Now, id: RequestId, resp: Response<Vec<u8>>) {
        let Some(inflight) = self.inflight.remove(&id).map(|i| *i) else {
            tracing::debug!(%id, "response to a request no longer in flight; ignored");
            return;
        };
        self.store_cookies(now, &inflight.logical, &resp);
        tracing::debug!(%id, endpoint = inflight.endpoint, status = resp.status().as_u16(), "response");
        if resp.status().is_server_error() {
            let err = crate::error::ParseError::new(
                inflight.endpoint,
                crate::error::ParseErrorKind::Status(resp.status().as_u16()),
                resp.body(),
            );
            self.retry_or_fail(now, inflight, Failure::Response(err.into()));
            return;
        }
        match inflight.pending {
            Pending::JsLogin
            | Pending::LoginPoll { .. }
            | Pending::NewLoginPage
            | Pending::PushLoginUrl => {
                if self.phase == Phase::Login {
                    self.in_login(now, |login, ctx| login.on_response(ctx, inflight, resp));
                }
            }
            Pending::Init
            | Pending::StatusNotify
            | Pending::GetContact { .. }
            | Pending::BatchGetContact { .. } => {
                if matches!(
                    self.phase,
                    Phase::Starting | Phase::Running | Phase::CommandsOnly
                ) {
                    self.in_startup(now, |startup, ctx, phase| {
                        startup.on_response(ctx, phase, inflight, resp)
                    });
                }
            }
            Pending::SyncCheck | Pending::Sync => self.in_sync_loop(now, |sync, ctx, phase| {
                sync.on_response(ctx, phase, inflight, resp)
            }),
            Pending::Logout => self.die(LogoutReason::Requested),
            Pending::Cmd(_) => {
                let step =
                    self.in_commands(now, |cmds, ctx, _| cmds.on_response(ctx, inflight, resp));
                self.settle(now, step);
            }
        }
    }

    /// Reports that request `id` failed in the transport.
    pub fn handle_transport_error(&mut self, now: Now, id: RequestId, kind: TransportErrorKind) {
        let Some(inflight) = self.inflight.remove(&id).map(|i| *i) else {
            return;
        };
        tracing::debug!(%id, endpoint = inflight.endpoint, %kind, "transport error");
        // A long-poll that ran into its timeout is not an error: poll again.
        if kind == TransportErrorKind::Timeout {
            match &inflight.pending {
                Pending::SyncCheck => {
                    let endpoint = inflight.endpoint;
                    self.in_sync_loop(now, |sync, ctx, phase| {
                        sync.on_poll_timeout(ctx, phase, endpoint, kind)
                    });
                    return;
                }
                Pending::LoginPoll { uuid } => {
                    if self.phase == Phase::Login {
                        self.in_login(now, |_, ctx| {
                            login::LoginPhase::send_poll(ctx, uuid, 0);
                            Step::Stay
                        });
                    }
                    return;
                }
                _ => {}
            }
        }
        self.retry_or_fail(now, inflight, Failure::Transport(kind));
    }

    // ---- plumbing shared by the phase modules ----

    pub(crate) fn emit(&mut self, e: Event) {
        self.out.push_back(Output::Event(e));
    }

    pub(crate) fn transmit(&mut self, now: Now, inflight: Inflight) {
        ctx!(self, now).transmit(inflight);
        self.fail_unsent(now);
    }

    /// Runs `f` on a context and the current phase (for what belongs to no phase: the send
    /// queue, logout), then applies the step it returns.
    pub(crate) fn in_ctx(&mut self, now: Now, f: impl FnOnce(&mut Ctx<'_>, &Phase) -> Step) {
        let step = f(&mut ctx!(self, now), &self.phase);
        self.settle(now, step);
    }

    /// Applies a phase's step; first fails the requests the phase could not send.
    pub(crate) fn settle(&mut self, now: Now, step: Step) {
        self.fail_unsent(now);
        match step {
            Step::Stay => {}
            Step::Retry(inflight, failure) => self.retry_or_fail(now, inflight, failure),
            Step::RetryThenOver(inflight, failure, ret) => {
                self.retry_or_fail(now, inflight, failure);
                self.session_over(now, ret);
            }
            Step::LoggedIn(credentials) => self.logged_in(now, credentials),
            // A resumed session that answered is not in doubt any more.
            Step::Alive => self.login.resumed = false,
            Step::Ready => self.ready(now),
            Step::SessionOver(ret) => self.session_over(now, ret),
            Step::End(reason) => self.die(reason),
        }
    }

    /// Fails (through the retry policy) the requests whose wire form could not be built.
    fn fail_unsent(&mut self, now: Now) {
        for inflight in std::mem::take(&mut self.unsent) {
            self.retry_or_fail(now, inflight, Failure::Transport(TransportErrorKind::Other));
        }
    }

    fn store_cookies(&mut self, now: Now, logical: &Request<Vec<u8>>, resp: &Response<Vec<u8>>) {
        let host = logical.uri().host().unwrap_or_default().to_owned();
        let path = logical.uri().path().to_owned();
        for sc in crate::relay::set_cookies(resp.headers()) {
            self.state.cookies.store(now.wall, &host, &path, &sc);
        }
    }

    /// Whether a request (to retry) still serves something: a command's request does
    /// not once the command ended (cancelled, failed, session over).
    fn still_wanted(&self, inflight: &Inflight) -> bool {
        match &inflight.pending {
            Pending::Cmd(cmd) => self.cmds.is_live(cmd),
            _ => true,
        }
    }

    /// Forgets every request in flight and every timer, and fails every pending
    /// command ([`CommandFailure::SessionEnded`](commands::CommandFailure)): the session
    /// ended, or a dead resumed session starts a new login.
    pub(crate) fn abandon_requests(&mut self) {
        self.inflight.clear();
        self.timers.clear();
        for e in self.cmds.fail_all_pending() {
            self.emit(Event::Command(e));
        }
    }

    /// How many timers `pick` selects, and the earliest one's deadline.
    pub(crate) fn waiting_timers(
        &self,
        pick: impl Fn(&Timer) -> bool,
    ) -> (usize, Option<Monotonic>) {
        ctx::waiting(&self.timers, pick)
    }

    /// Retries `inflight` after a backoff if the policy allows, else reports the failure
    /// to the phase that owns it.
    pub(crate) fn retry_or_fail(&mut self, now: Now, mut inflight: Inflight, failure: Failure) {
        if self.phase == Phase::LoggedOut || !self.still_wanted(&inflight) {
            return;
        }
        if self.cfg.pacing.enabled
            && inflight.paced.is_some()
            && failure.is_too_frequent()
            && inflight.attempts < self.cfg.retry.max_attempts
        {
            // The send queue pauses and sends it again first (same ClientMsgId).
            self.in_ctx(now, |ctx, _| queue::too_frequent(ctx, inflight));
            return;
        }
        let first = *inflight.first_failure.get_or_insert(now.mono);
        let is_loop = matches!(inflight.pending, Pending::SyncCheck | Pending::Sync);
        let may_retry = if is_loop {
            now.mono.since(first) < self.cfg.retry.sync_give_up_after
        } else {
            inflight.attempts < self.cfg.retry.max_attempts
        } && failure.is_retryable()
            && (inflight.pending.is_idempotent() || failure.surely_not_delivered());
        if may_retry {
            let mut ctx = ctx!(self, now);
            let delay = ctx.backoff(inflight.attempts);
            tracing::debug!(
                endpoint = inflight.endpoint,
                attempt = inflight.attempts,
                ?delay,
                "retrying"
            );
            ctx.set_timer(now.mono.plus(delay), Timer::Retry(inflight));
            return;
        }
        // Out of retries: the phase that owns the request decides what its failure means.
        let endpoint = inflight.endpoint;
        match inflight.pending {
            p @ (Pending::JsLogin
            | Pending::LoginPoll { .. }
            | Pending::NewLoginPage
            | Pending::PushLoginUrl) => self.in_login(now, |login, ctx| {
                login.on_failure(ctx, p, endpoint, failure)
            }),
            p @ (Pending::Init
            | Pending::StatusNotify
            | Pending::GetContact { .. }
            | Pending::BatchGetContact { .. }) => self.in_startup(now, |startup, ctx, phase| {
                startup.on_failure(ctx, phase, p, endpoint, failure)
            }),
            Pending::SyncCheck | Pending::Sync => {
                self.in_sync_loop(now, |sync, _, _| sync.on_failure(endpoint, failure))
            }
            Pending::Logout => self.die(LogoutReason::Requested),
            Pending::Cmd(cmd) => {
                let step = self.in_commands(now, |cmds, ctx, _| cmds.on_failure(ctx, cmd, failure));
                self.settle(now, step);
            }
        }
    }

    /// The server says the session is over (Ret or retcode 1100/1101/1102): a resumed
    /// session that never proved alive logs in again (see [`Client::resume`]), any other
    /// ends.
    pub(crate) fn session_over(&mut self, now: Now, ret: crate::Ret) {
        if self.login.resumed {
            self.resume_failed(now, ret);
        } else {
            self.die(LogoutReason::Remote { ret });
        }
    }

    /// Ends the session exactly once.
    pub(crate) fn die(&mut self, reason: LogoutReason) {
        if self.phase == Phase::LoggedOut {
            return;
        }
        tracing::info!(%reason, "session ended");
        let was_logged_in = self.state.credentials.is_some();
        self.phase = Phase::LoggedOut;
        self.abandon_requests();
        if matches!(
            reason,
            LogoutReason::Requested | LogoutReason::Remote { .. }
        ) {
            // The credentials are dead; keep the uin for a later push login.
            if let Some(c) = self.state.credentials.take() {
                self.state.last_uin = Some(c.uin);
            }
        }
        if was_logged_in {
            self.emit(Event::SessionChanged);
        }
        self.emit(Event::LoggedOut { reason });
    }

    /// Logs out (webwxlogout type 0). The session ends when the server answered.
    pub fn logout(&mut self, now: Now) {
        if matches!(self.phase, Phase::LoggedOut | Phase::LoggingOut) {
            return;
        }
        self.phase = Phase::LoggingOut;
        // Drop the long-poll and timers; the response to the synccheck is ignored.
        self.inflight.retain(|_, i| {
            !matches!(
                i.pending,
                Pending::SyncCheck | Pending::Sync | Pending::LoginPoll { .. }
            )
        });
        self.timers.clear();
        self.in_ctx(now, |ctx, _| {
            use crate::endpoint::logout;
            let Some(req) = ctx.session_ctx().map(|s| logout::build(&s, 0)) else {
                return Step::End(LogoutReason::Requested);
            };
            let t = ctx.cfg.request_timeout;
            ctx.dispatch(Pending::Logout, logout::NAME, req, t);
            Step::Stay
        });
    }

    /// Stops without telling the server (the saved session stays valid for a resume).
    pub fn shutdown(&mut self) {
        self.abandon_requests();
        if self.phase != Phase::LoggedOut {
            self.phase = Phase::LoggedOut;
        }
        self.out.push_back(Output::Done);
    }
}

/// How a request failed.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    Transport(TransportErrorKind),
    Response(ResponseError),
}

impl Pending {
    /// Whether sending the request twice does no harm. Sends carry a ClientMsgId the
    /// server deduplicates by, reads and settings are idempotent; creating a group or
    /// asking someone to be a friend twice is not.
    fn is_idempotent(&self) -> bool {
        !matches!(
            self,
            Pending::Cmd(commands::Cmd::Op {
                what: commands::OpKind::CreateGroup | commands::OpKind::AddFriend,
                ..
            })
        )
    }
}

/// Whether a request refused with `ret` may be sent again: -1 (a passing server error) and
/// 1205 (too frequent, after a growing delay).
pub(crate) fn retryable_ret(ret: crate::Ret) -> bool {
    matches!(ret, crate::Ret::SYS_ERROR | crate::Ret::TOO_FREQUENT)
}

impl Failure {
    /// Whether the request certainly never reached the server (the connection failed).
    fn surely_not_delivered(&self) -> bool {
        matches!(self, Failure::Transport(TransportErrorKind::Connect))
    }

    /// Whether the server answered 1205 (too frequent).
    fn is_too_frequent(&self) -> bool {
        matches!(self, Failure::Response(ResponseError::Wx(e)) if e.ret == crate::Ret::TOO_FREQUENT)
    }

    fn is_retryable(&self) -> bool {
        match self {
            Failure::Transport(_) => true,
            Failure::Response(ResponseError::Parse(_)) => true,
            Failure::Response(ResponseError::Wx(e)) => retryable_ret(e.ret),
        }
    }

    pub(crate) fn into_reason(self, endpoint: &str) -> LogoutReason {
        match self {
            Failure::Transport(kind) => LogoutReason::Unreachable {
                endpoint: endpoint.to_owned(),
                kind,
            },
            Failure::Response(ResponseError::Parse(error)) => LogoutReason::Protocol { error },
            Failure::Response(ResponseError::Wx(e)) if e.ret.is_session_end() => {
                LogoutReason::Remote { ret: e.ret }
            }
            Failure::Response(ResponseError::Wx(e)) if e.ret == crate::Ret::TOO_FREQUENT => {
                LogoutReason::TooFrequent
            }
            Failure::Response(ResponseError::Wx(e)) => LogoutReason::Refused {
                endpoint: endpoint.to_owned(),
                ret: e.ret,
                message: e.message,
            },
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Transport(k) => write!(f, "{k}"),
            Failure::Response(e) => write!(f, "{e}"),
        }
    }
}
