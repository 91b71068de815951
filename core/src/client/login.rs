//! The login phase: jslogin → QR → poll → newloginpage, push login, and resume.

use super::{Client, Event, Failure, Inflight, LogoutReason, Pending, Phase};
use crate::endpoint::login::LoginPoll;
use crate::endpoint::newloginpage::LoginPage;
use crate::endpoint::{jslogin, login, newloginpage, pushloginurl};
use crate::error::{ResponseError, Ret};
use crate::hosts::Hosts;
use crate::time::Now;
use http::Response;

/// Login bookkeeping.
#[derive(Debug, Default)]
pub(crate) struct LoginState {
    /// The uuid being polled.
    pub(crate) uuid: Option<String>,
    /// QR renewals so far.
    pub(crate) renewals: u32,
    /// Whether `Scanned` was reported for this uuid.
    pub(crate) scanned: bool,
    /// Whether the current uuid came from a push login.
    pub(crate) push: bool,
    /// Whether the session was resumed (the first synccheck decides whether it is alive).
    pub(crate) resumed: bool,
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
        self.send_jslogin(now);
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
        match uin {
            Some(uin) => {
                self.login.push = true;
                self.state.last_uin = Some(uin);
                let req = pushloginurl::build(&self.login_ctx(now), uin);
                let t = self.cfg.request_timeout;
                self.dispatch(now, Pending::PushLoginUrl, pushloginurl::NAME, req, t);
            }
            None => {
                self.emit(Event::PushLoginFailed {
                    reason: "no saved account".into(),
                });
                self.send_jslogin(now);
            }
        }
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
        self.login = LoginState {
            resumed: true,
            ..LoginState::default()
        };
        self.may_push = self.cfg.push_login_fallback;
        self.sync_loop = sync_loop;
        self.phase = Phase::Starting;
        self.contacts = crate::contacts::Contacts::new(self.state.self_user_name().unwrap_or(""));
        if let Some(me) = self.state.me.clone() {
            self.contacts.upsert(me);
        }
        self.send_getcontact(now, 0, 0);
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
        if !self.sync_loop {
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
        let _ = if self.may_push {
            self.push_login(now)
        } else {
            self.login(now)
        };
    }

    fn reset_for_login(&mut self) {
        self.phase = Phase::Login;
        self.login = LoginState::default();
        self.state.hosts = Hosts::for_content_host(&self.cfg.home);
        self.state.desktop = self.cfg.desktop;
        self.sync_loop = true;
    }

    fn send_jslogin(&mut self, now: Now) {
        self.login.push = false;
        self.login.scanned = false;
        let req = jslogin::build(&self.login_ctx(now));
        let t = self.cfg.request_timeout;
        self.dispatch(now, Pending::JsLogin, jslogin::NAME, req, t);
    }

    pub(crate) fn send_poll(&mut self, now: Now, uuid: &str, tip: u8) {
        if self.phase != Phase::Login {
            return;
        }
        let req = login::build(&self.login_ctx(now), uuid, tip);
        let t = self.cfg.long_poll_timeout;
        self.dispatch(
            now,
            Pending::LoginPoll {
                uuid: uuid.to_owned(),
            },
            login::NAME,
            req,
            t,
        );
    }

    /// Push login did not work: fall back to a QR.
    pub(crate) fn push_failed(&mut self, now: Now, reason: String) {
        self.emit(Event::PushLoginFailed { reason });
        self.login.push = false;
        self.send_jslogin(now);
    }

    fn renew_qr(&mut self, now: Now) {
        if self.login.push {
            self.push_failed(now, "the phone did not confirm".into());
            return;
        }
        self.login.renewals += 1;
        if self.login.renewals > self.cfg.max_qr_renewals {
            self.die(LogoutReason::QrExpired);
        } else {
            self.send_jslogin(now);
        }
    }

    pub(crate) fn on_login_response(
        &mut self,
        now: Now,
        inflight: Inflight,
        resp: Response<Vec<u8>>,
    ) {
        if self.phase != Phase::Login {
            return;
        }
        match &inflight.pending {
            Pending::JsLogin => match jslogin::parse(&resp) {
                Ok(j) => {
                    self.login.uuid = Some(j.uuid.clone());
                    self.emit(Event::QrCode {
                        url: jslogin::qr_content_url(&j.uuid),
                        image_url: jslogin::qr_image_url(&j.uuid),
                        uuid: j.uuid.clone(),
                    });
                    self.send_poll(now, &j.uuid, 1);
                }
                Err(e) => self.retry_or_fail(now, inflight, Failure::Response(e)),
            },
            Pending::PushLoginUrl => match pushloginurl::parse(&resp) {
                Ok(uuid) => {
                    self.login.uuid = Some(uuid.clone());
                    self.emit(Event::PushLoginSent);
                    self.send_poll(now, &uuid, 1);
                }
                Err(e) => self.push_failed(now, e.to_string()),
            },
            Pending::LoginPoll { uuid } => {
                let uuid = uuid.clone();
                if self.login.uuid.as_deref() != Some(uuid.as_str()) {
                    return; // an answer for an old uuid
                }
                match login::parse(&resp) {
                    Ok(LoginPoll::Waiting) => self.send_poll(now, &uuid, 0),
                    Ok(LoginPoll::Scanned { avatar }) => {
                        if !self.login.scanned {
                            self.login.scanned = true;
                            self.emit(Event::Scanned { avatar });
                        }
                        self.send_poll(now, &uuid, 0);
                    }
                    Ok(LoginPoll::Confirmed { redirect_uri }) => self.confirmed(now, &redirect_uri),
                    Ok(LoginPoll::Cancelled) => {
                        if !self.login.push {
                            self.emit(Event::QrCancelled);
                        }
                        self.renew_qr(now);
                    }
                    Ok(_) => {
                        if !self.login.push {
                            self.emit(Event::QrExpired);
                        }
                        self.renew_qr(now);
                    }
                    Err(e) => self.retry_or_fail(now, inflight, Failure::Response(e)),
                }
            }
            Pending::NewLoginPage => match newloginpage::parse(&resp) {
                Ok(LoginPage::Credentials(c)) => {
                    self.state.last_uin = Some(c.uin);
                    self.state.credentials = Some(c);
                    self.state.sync_key = Default::default();
                    self.state.sync_check_key = Default::default();
                    self.phase = Phase::Starting;
                    self.emit(Event::SessionChanged);
                    self.send_init(now);
                }
                Ok(LoginPage::Redirect { url }) => self.die(LogoutReason::LoginRefused {
                    ret: Ret(0),
                    message: format!("the server redirects to {url}"),
                }),
                // 1205 (too frequent) and -1 are passing: retried with a growing delay
                // like any other request (the ticket is not spent by a refusal); after
                // the retries, or at once for any other code (1203), the login is refused.
                Err(ResponseError::Wx(e)) if !super::retryable_ret(e.ret) => {
                    self.die(LogoutReason::LoginRefused {
                        ret: e.ret,
                        message: e.message,
                    })
                }
                Err(e) => self.retry_or_fail(now, inflight, Failure::Response(e)),
            },
            _ => {}
        }
    }

    /// A login request out of retries: a push login falls back to a QR; anything else
    /// ends the session.
    pub(crate) fn on_login_failure(
        &mut self,
        now: Now,
        pending: Pending,
        endpoint: &str,
        failure: Failure,
    ) {
        match pending {
            Pending::PushLoginUrl | Pending::LoginPoll { .. } if self.login.push => {
                self.push_failed(now, failure.to_string());
            }
            // A refusal that outlived its retries (1205, -1) refuses the login.
            Pending::NewLoginPage => match failure {
                Failure::Response(ResponseError::Wx(e)) => self.die(LogoutReason::LoginRefused {
                    ret: e.ret,
                    message: e.message,
                }),
                other => self.die(other.into_reason(endpoint)),
            },
            _ => self.die(failure.into_reason(endpoint)),
        }
    }

    fn confirmed(&mut self, now: Now, redirect_uri: &str) {
        // The credentials go where the redirect says: only to https on a WeChat host (any
        // host name when a relay origin takes every request).
        let host = match crate::hosts::redirect_host(redirect_uri, self.cfg.origin.is_some()) {
            Ok(h) => h,
            Err(e) => {
                return self.die(LogoutReason::LoginRefused {
                    ret: Ret(0),
                    message: format!("the login redirect is refused: {e}"),
                });
            }
        };
        self.state.hosts = Hosts::for_content_host(&host);
        let req = newloginpage::build(&self.login_ctx(now), redirect_uri);
        let t = self.cfg.request_timeout;
        self.dispatch(now, Pending::NewLoginPage, newloginpage::NAME, req, t);
    }
}
