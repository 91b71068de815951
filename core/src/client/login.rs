//! The login phase: jslogin → QR → poll → newloginpage, push login, and resume.

use super::ctx::{Ctx, Step, ctx};
use super::startup::Startup;
use super::{Client, Event, Failure, Inflight, LogoutReason, Pending, Phase};
use crate::endpoint::login::LoginPoll;
use crate::endpoint::newloginpage::LoginPage;
use crate::endpoint::{jslogin, login, newloginpage, pushloginurl};
use crate::error::{ResponseError, Ret};
use crate::hosts::Hosts;
use crate::session::Credentials;
use crate::time::Now;
use http::Response;

/// The login phase: what it alone reads and writes. The client hands it a [`Ctx`];
/// it returns a [`Step`] for what only the client may do (retry, log in, end).
#[derive(Debug, Default)]
pub(crate) struct LoginPhase {
    /// The uuid being polled.
    uuid: Option<String>,
    /// QR renewals so far.
    renewals: u32,
    /// Whether `Scanned` was reported for this uuid.
    scanned: bool,
    /// Whether the current uuid came from a push login.
    push: bool,
    /// Whether the session was resumed (the first synccheck decides whether it is alive).
    pub(crate) resumed: bool,
    /// Fallbacks still allowed when a login path fails: resume → push → QR.
    pub(crate) may_push: bool,
}

/// Why a login command ([`Client::login`], [`Client::push_login`], [`Client::resume`],
/// [`Client::resume_for_commands`], [`Client::connect`]) did nothing: they never reset a
/// session under way.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// A login is already under way.
    #[error("a login is already under way")]
    LoggingIn,
    /// The session is logged in (starting or running).
    #[error("already logged in")]
    LoggedIn,
    /// A logout is under way.
    #[error("logging out")]
    LoggingOut,
}

impl Client {
    /// Starts a QR login; refused while a login, a session or a logout is under way.
    pub fn login(&mut self, now: Now) -> Result<(), Refusal> {
        self.refuse_if_busy()?;
        self.reset_for_login();
        self.in_login(now, |login, ctx| {
            login.send_jslogin(ctx);
            Step::Stay
        });
        Ok(())
    }

    /// Starts a push login (no QR: the phone is asked to confirm) for the saved session's
    /// account; falls back to a QR login when that is not possible.
    pub fn push_login(&mut self, now: Now) -> Result<(), Refusal> {
        self.refuse_if_busy()?;
        let uin = self
            .state
            .credentials
            .as_ref()
            .map(|c| c.uin)
            .or(self.state.last_uin);
        self.reset_for_login();
        self.in_login(now, |login, ctx| {
            match uin {
                Some(uin) => {
                    ctx.state.last_uin = Some(uin);
                    login.send_pushloginurl(ctx, uin);
                }
                None => {
                    ctx.emit(Event::PushLoginFailed {
                        reason: "no saved account".into(),
                    });
                    login.send_jslogin(ctx);
                }
            }
            Step::Stay
        });
        Ok(())
    }

    /// Resumes a restored session without any login (hot reload): the sync loop starts
    /// with the saved keys, contacts are reloaded. If the server says the session is over,
    /// the client tries a push login, then a QR login.
    pub fn resume(&mut self, now: Now) -> Result<(), Refusal> {
        self.resume_with(now, true)
    }

    /// Resumes a restored session for one-shot commands: contacts are loaded, the sync
    /// loop never runs and the SyncKey never moves (a running `login` owns the loop).
    pub fn resume_for_commands(&mut self, now: Now) -> Result<(), Refusal> {
        self.resume_with(now, false)
    }

    fn resume_with(&mut self, now: Now, sync_loop: bool) -> Result<(), Refusal> {
        self.refuse_if_busy()?;
        if self.state.credentials.is_none() || self.state.me.is_none() {
            if sync_loop {
                return self.connect_fallback(now);
            }
            self.die(LogoutReason::Remote {
                ret: Ret::SESSION_NOT_EXIST,
            });
            return Ok(());
        }
        self.login = LoginPhase {
            resumed: true,
            may_push: self.cfg.push_login_fallback,
            ..LoginPhase::default()
        };
        self.sync.enabled = sync_loop;
        self.phase = Phase::Starting;
        self.contacts = crate::contacts::Contacts::new(self.state.self_user_name().unwrap_or(""));
        if let Some(me) = self.state.me.clone() {
            self.contacts.upsert(me);
        }
        self.in_startup(now, |_, ctx, _| {
            Startup::send_getcontact(ctx, 0, 0);
            Step::Stay
        });
        Ok(())
    }

    /// Resumes a saved session if there is one, else push login if the account is known,
    /// else a QR login.
    pub fn connect(&mut self, now: Now) -> Result<(), Refusal> {
        if self.state.credentials.is_some() && self.state.me.is_some() {
            self.resume(now)
        } else {
            self.connect_fallback(now)
        }
    }

    fn connect_fallback(&mut self, now: Now) -> Result<(), Refusal> {
        if self.cfg.push_login_fallback
            && (self.state.last_uin.is_some() || self.state.credentials.is_some())
        {
            self.push_login(now)
        } else {
            self.login(now)
        }
    }

    /// The refusal of a login command while a login, a session or a logout is under way.
    fn refuse_if_busy(&self) -> Result<(), Refusal> {
        match self.phase {
            Phase::Login => Err(Refusal::LoggingIn),
            Phase::Starting | Phase::Running | Phase::CommandsOnly => Err(Refusal::LoggedIn),
            Phase::LoggingOut => Err(Refusal::LoggingOut),
            Phase::Idle | Phase::LoggedOut => Ok(()),
        }
    }

    /// A resumed session turned out dead: log in again.
    pub(crate) fn resume_failed(&mut self, now: Now, ret: Ret) {
        self.emit(Event::ResumeFailed { ret });
        if !self.sync.enabled {
            // One-shot commands on a saved session never log in again on their own.
            self.die(LogoutReason::Remote { ret });
            return;
        }
        if let Some(c) = self.state.credentials.take() {
            self.state.last_uin = Some(c.uin);
        }
        self.abandon_requests();
        self.phase = Phase::Idle;
        self.emit(Event::SessionChanged);
        // Idle now: neither can be refused.
        let _ = if self.login.may_push {
            self.push_login(now)
        } else {
            self.login(now)
        };
    }

    fn reset_for_login(&mut self) {
        self.phase = Phase::Login;
        // A fresh login keeps the fallbacks a resume allowed.
        self.login = LoginPhase {
            may_push: self.login.may_push,
            ..LoginPhase::default()
        };
        self.state.hosts = Hosts::for_content_host(&self.cfg.home);
        self.state.desktop = self.cfg.desktop;
        self.sync.enabled = true;
    }

    /// Runs `f` on the login phase with a context, then applies the step it returns.
    pub(crate) fn in_login(
        &mut self,
        now: Now,
        f: impl FnOnce(&mut LoginPhase, &mut Ctx<'_>) -> Step,
    ) {
        let step = f(&mut self.login, &mut ctx!(self, now));
        self.settle(now, step);
    }

    /// The login succeeded: the credentials are the session's, startup begins.
    pub(crate) fn logged_in(&mut self, now: Now, c: Credentials) {
        if self.phase != Phase::Login {
            return;
        }
        self.state.last_uin = Some(c.uin);
        self.state.credentials = Some(c);
        self.state.sync_key = Default::default();
        self.state.sync_check_key = Default::default();
        self.phase = Phase::Starting;
        self.emit(Event::SessionChanged);
        self.in_startup(now, |_, ctx, _| {
            Startup::send_init(ctx);
            Step::Stay
        });
    }
}

impl LoginPhase {
    fn send_jslogin(&mut self, ctx: &mut Ctx<'_>) {
        self.push = false;
        self.scanned = false;
        let req = jslogin::build(&ctx.login_ctx());
        let t = ctx.cfg.request_timeout;
        ctx.dispatch(Pending::JsLogin, jslogin::NAME, req, t);
    }

    fn send_pushloginurl(&mut self, ctx: &mut Ctx<'_>, uin: u64) {
        self.push = true;
        let req = pushloginurl::build(&ctx.login_ctx(), uin);
        let t = ctx.cfg.request_timeout;
        ctx.dispatch(Pending::PushLoginUrl, pushloginurl::NAME, req, t);
    }

    /// Polls the login state of `uuid` (`tip` 1 on the first poll of a QR).
    pub(crate) fn send_poll(ctx: &mut Ctx<'_>, uuid: &str, tip: u8) {
        let req = login::build(&ctx.login_ctx(), uuid, tip);
        let t = ctx.cfg.long_poll_timeout;
        ctx.dispatch(
            Pending::LoginPoll {
                uuid: uuid.to_owned(),
            },
            login::NAME,
            req,
            t,
        );
    }

    /// Push login did not work: fall back to a QR.
    fn push_failed(&mut self, ctx: &mut Ctx<'_>, reason: String) {
        ctx.emit(Event::PushLoginFailed { reason });
        self.push = false;
        self.send_jslogin(ctx);
    }

    fn renew_qr(&mut self, ctx: &mut Ctx<'_>) -> Step {
        if self.push {
            self.push_failed(ctx, "the phone did not confirm".into());
            return Step::Stay;
        }
        self.renewals += 1;
        if self.renewals > ctx.cfg.max_qr_renewals {
            return Step::End(LogoutReason::QrExpired);
        }
        self.send_jslogin(ctx);
        Step::Stay
    }

    /// The answer to a login request (the client routes it here only during login).
    pub(crate) fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        inflight: Inflight,
        resp: Response<Vec<u8>>,
    ) -> Step {
        match &inflight.pending {
            Pending::JsLogin => match jslogin::parse(&resp) {
                Ok(j) => {
                    self.uuid = Some(j.uuid.clone());
                    ctx.emit(Event::QrCode {
                        url: jslogin::qr_content_url(&j.uuid),
                        image_url: jslogin::qr_image_url(&j.uuid),
                        uuid: j.uuid.clone(),
                    });
                    Self::send_poll(ctx, &j.uuid, 1);
                    Step::Stay
                }
                Err(e) => Step::Retry(inflight, Failure::Response(e)),
            },
            Pending::PushLoginUrl => {
                match pushloginurl::parse(&resp) {
                    Ok(uuid) => {
                        self.uuid = Some(uuid.clone());
                        ctx.emit(Event::PushLoginSent);
                        Self::send_poll(ctx, &uuid, 1);
                    }
                    Err(e) => self.push_failed(ctx, e.to_string()),
                }
                Step::Stay
            }
            Pending::LoginPoll { uuid } => {
                let uuid = uuid.clone();
                if self.uuid.as_deref() != Some(uuid.as_str()) {
                    return Step::Stay; // an answer for an old uuid
                }
                match login::parse(&resp) {
                    Ok(LoginPoll::Waiting) => {
                        Self::send_poll(ctx, &uuid, 0);
                        Step::Stay
                    }
                    Ok(LoginPoll::Scanned { avatar }) => {
                        if !self.scanned {
                            self.scanned = true;
                            ctx.emit(Event::Scanned { avatar });
                        }
                        Self::send_poll(ctx, &uuid, 0);
                        Step::Stay
                    }
                    Ok(LoginPoll::Confirmed { redirect_uri }) => self.confirmed(ctx, &redirect_uri),
                    Ok(LoginPoll::Cancelled) => {
                        if !self.push {
                            ctx.emit(Event::QrCancelled);
                        }
                        self.renew_qr(ctx)
                    }
                    Ok(_) => {
                        if !self.push {
                            ctx.emit(Event::QrExpired);
                        }
                        self.renew_qr(ctx)
                    }
                    Err(e) => Step::Retry(inflight, Failure::Response(e)),
                }
            }
            Pending::NewLoginPage => match newloginpage::parse(&resp) {
                Ok(LoginPage::Credentials(c)) => Step::LoggedIn(c),
                Ok(LoginPage::Redirect { url }) => Step::End(LogoutReason::LoginRefused {
                    ret: Ret(0),
                    message: format!("the server redirects to {url}"),
                }),
                // 1205 (too frequent) and -1 are passing: retried with a growing delay
                // like any other request (the ticket is not spent by a refusal); after
                // the retries, or at once for any other code (1203), the login is refused.
                Err(ResponseError::Wx(e)) if !super::retryable_ret(e.ret) => {
                    Step::End(LogoutReason::LoginRefused {
                        ret: e.ret,
                        message: e.message,
                    })
                }
                Err(e) => Step::Retry(inflight, Failure::Response(e)),
            },
            _ => Step::Stay,
        }
    }

    /// A login request out of retries: a push login falls back to a QR; anything else
    /// ends the session.
    pub(crate) fn on_failure(
        &mut self,
        ctx: &mut Ctx<'_>,
        pending: Pending,
        endpoint: &str,
        failure: Failure,
    ) -> Step {
        match pending {
            Pending::PushLoginUrl | Pending::LoginPoll { .. } if self.push => {
                self.push_failed(ctx, failure.to_string());
                Step::Stay
            }
            // A refusal that outlived its retries (1205, -1) refuses the login.
            Pending::NewLoginPage => match failure {
                Failure::Response(ResponseError::Wx(e)) => Step::End(LogoutReason::LoginRefused {
                    ret: e.ret,
                    message: e.message,
                }),
                other => Step::End(other.into_reason(endpoint)),
            },
            _ => Step::End(failure.into_reason(endpoint)),
        }
    }

    fn confirmed(&mut self, ctx: &mut Ctx<'_>, redirect_uri: &str) -> Step {
        // The credentials go where the redirect says: only to https on a WeChat host (any
        // host name when a relay origin takes every request).
        let host = match crate::hosts::redirect_host(redirect_uri, ctx.cfg.origin.is_some()) {
            Ok(h) => h,
            Err(e) => {
                return Step::End(LogoutReason::LoginRefused {
                    ret: Ret(0),
                    message: format!("the login redirect is refused: {e}"),
                });
            }
        };
        ctx.state.hosts = Hosts::for_content_host(&host);
        let req = newloginpage::build(&ctx.login_ctx(), redirect_uri);
        let t = ctx.cfg.request_timeout;
        ctx.dispatch(Pending::NewLoginPage, newloginpage::NAME, req, t);
        Step::Stay
    }
}
