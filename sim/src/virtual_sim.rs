//! The simulator without HTTP and without a clock: [`VirtualSim`] routes one
//! `http::Request` at a time through the same endpoint handlers, faults and world as the
//! server, at a time the caller hands it. A long-poll with nothing to say is reported as
//! held instead of awaited; the caller offers it again after the world changed or once
//! its hold ran out. The core's scenario tests drive a client against it in virtual time.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};

use crate::config::SimConfig;
use crate::control_types::{
    AccountSpec, ContactEvent, ContactInfo, ControlError, FaultKind, FaultSpec, InjectMessage,
    SentRecord, SimState,
};
use crate::endpoints::{self, faulted, login, sync};
use crate::hosts;
use crate::request::{Form, Req, parse_cookies, parse_query, split_form};
use crate::response::{Resp, Special};
use crate::routes::Endpoint;
use crate::world::{SimTime, World};

/// What the simulator does with one request.
#[derive(Debug)]
#[non_exhaustive]
pub enum Answer {
    /// The server's answer (`Set-Cookie` lines as the real host sends them).
    Response(Response<Vec<u8>>),
    /// A long-poll (the login poll, synccheck) with nothing to say yet. Offer it again
    /// with [`VirtualSim::poll_held`] when the world changed, and at `until` (monotonic)
    /// at the latest, when its hold runs out and it answers "nothing".
    Held {
        /// When the hold runs out, on the monotonic clock of [`SimTime::mono`].
        until: Duration,
    },
    /// The connection is reset without an answer (the `reset` fault; the `lose` fault,
    /// after the request was handled).
    Reset,
    /// The answer is cut off before its Content-Length (the `truncate` fault): the status,
    /// headers and first half of the body of a plausible answer.
    Truncated(Response<Vec<u8>>),
    /// No answer ever (the `hang` fault): only the client's timeout ends the request.
    Hang,
}

/// A step of the phone's automatic scan ([`SimConfig::auto_scan`]), due at a time.
#[derive(Debug)]
struct ScanStep {
    due: Duration,
    uuid: String,
    confirm: bool,
}

/// A simulator in virtual time: the server's endpoint handlers, faults and state, with no
/// socket, no task and no clock. Whoever drives it hands it the time
/// ([`VirtualSim::advance`]) and offers held long-polls again.
///
/// ```
/// use std::time::Duration;
/// use webwx_sim::{Answer, SimConfig, SimTime, VirtualSim};
///
/// let mut sim = VirtualSim::new(SimConfig::default());
/// sim.advance(SimTime { unix: 1_700_000_000, mono: Duration::ZERO });
/// let req = http::Request::get("https://login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new")
///     .body(Vec::new())
///     .unwrap();
/// let Answer::Response(resp) = sim.handle(&req) else { panic!() };
/// assert!(std::str::from_utf8(resp.body()).unwrap().contains("window.QRLogin.code = 200"));
/// assert_eq!(sim.state().pending_uuids.len(), 1);
/// ```
pub struct VirtualSim {
    world: World,
    cfg: SimConfig,
    scans: Vec<ScanStep>,
    /// URIs of held long-polls hit by a `lose` fault: their answer becomes a reset.
    lost_polls: Vec<String>,
}

impl std::fmt::Debug for VirtualSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualSim")
            .field("now", &self.now())
            .finish_non_exhaustive()
    }
}

impl VirtualSim {
    /// A simulator set up by `cfg` (`listen` is not used), at time zero.
    pub fn new(cfg: SimConfig) -> VirtualSim {
        VirtualSim {
            world: World::new(&cfg),
            cfg,
            scans: Vec::new(),
            lost_polls: Vec::new(),
        }
    }

    /// The time as the simulator last took it.
    pub fn now(&self) -> SimTime {
        SimTime {
            unix: self.world.unix_now(),
            mono: self.world.mono_now(),
        }
    }

    /// Moves the time to `now` (the monotonic part never goes back) and plays the phone's
    /// automatic scan steps that are due by then.
    pub fn advance(&mut self, now: SimTime) {
        self.world.advance(now);
        let mono = self.world.mono_now();
        while let Some(i) = self
            .scans
            .iter()
            .enumerate()
            .filter(|(_, s)| s.due <= mono)
            .min_by_key(|(_, s)| s.due)
            .map(|(i, _)| i)
        {
            let step = self.scans.remove(i);
            if self.world.scan(Some(&step.uuid), false, None).is_err() {
                continue;
            }
            if step.confirm {
                let _ = self.world.scan(Some(&step.uuid), true, None);
            } else {
                self.scans.push(ScanStep {
                    due: step.due + Duration::from_millis(self.cfg.scan_delay_ms),
                    confirm: true,
                    ..step
                });
            }
        }
    }

    /// When the next automatic scan step is due (monotonic), if one is scheduled: the
    /// world changes then without a request.
    pub fn next_wakeup(&self) -> Option<Duration> {
        self.scans.iter().map(|s| s.due).min()
    }

    /// Handles one request as the server would at the current time: `https://HOST/PATH`
    /// is served as the real host (its host checked against the domain table, cookies
    /// with their real `Domain`), a path alone as the plain form.
    pub fn handle(&mut self, request: &Request<Vec<u8>>) -> Answer {
        self.world.bump("requests");
        let mut req = match to_req(request) {
            Ok(r) => r,
            Err(resp) => return Answer::Response(to_response(resp)),
        };
        if let Some((f, ans)) = faulted::pick(&mut self.world, &mut req) {
            tracing::info!(endpoint = req.endpoint.name(), kind = ?f.kind, "fault injected");
            return match ans {
                None => Answer::Hang,
                Some(r) => self.finish(r),
            };
        }
        if let Some(r) = endpoints::wrong_host(&req) {
            return self.finish(r);
        }
        let r = match req.endpoint {
            Endpoint::Index => endpoints::index(),
            Endpoint::JsLogin => {
                let (r, uuid) = login::jslogin_in(&mut self.world, &req);
                self.schedule_auto_scan(uuid);
                r
            }
            Endpoint::PushLoginUrl => {
                let (r, uuid) = login::pushloginurl_in(&mut self.world, &req);
                self.schedule_auto_scan(uuid);
                r
            }
            Endpoint::QrCode => login::qrcode(&req),
            Endpoint::QrPage => login::qr_page(&req),
            Endpoint::LoginPoll | Endpoint::SyncCheck => match self.long_poll(&req, false) {
                Some(r) => r,
                None => {
                    if req.twist == Some(FaultKind::Lose) {
                        self.lost_polls.push(request.uri().to_string());
                    }
                    return Answer::Held {
                        until: self.world.mono_now() + Duration::from_millis(self.cfg.hold_ms),
                    };
                }
            },
            Endpoint::Control => Resp::status(
                StatusCode::NOT_FOUND,
                "a virtual simulator is controlled through its methods",
            ),
            Endpoint::Unknown => Resp::status(StatusCode::NOT_FOUND, "webwx-sim"),
            _ => endpoints::handle_in(&mut self.world, &req),
        };
        if req.twist == Some(FaultKind::Lose) {
            return Answer::Reset;
        }
        self.finish(r)
    }

    /// Offers a held long-poll again (not a new request: no fault, no count). It answers
    /// if the world has something to say, or when the time has reached `until`, the end
    /// of its hold; otherwise it stays held.
    pub fn poll_held(&mut self, request: &Request<Vec<u8>>, until: Duration) -> Answer {
        let req = match to_req(request) {
            Ok(r) => r,
            Err(resp) => return Answer::Response(to_response(resp)),
        };
        let timed_out = self.world.mono_now() >= until;
        let r = match self.long_poll(&req, timed_out) {
            Some(r) => r,
            None if timed_out => Resp::js("window.code=408;".into()),
            None => return Answer::Held { until },
        };
        // A `lose` fault: answered on the server, then the connection is reset.
        let uri = request.uri().to_string();
        if let Some(i) = self.lost_polls.iter().position(|u| *u == uri) {
            self.lost_polls.remove(i);
            return Answer::Reset;
        }
        self.finish(r)
    }

    fn long_poll(&mut self, req: &Req, timed_out: bool) -> Option<Resp> {
        match req.endpoint {
            Endpoint::LoginPoll => login::poll_in(&mut self.world, req, timed_out),
            _ => sync::synccheck_in(&self.world, req, timed_out),
        }
    }

    fn schedule_auto_scan(&mut self, uuid: Option<String>) {
        if let (true, Some(uuid)) = (self.cfg.auto_scan, uuid) {
            self.scans.push(ScanStep {
                due: self.world.mono_now() + Duration::from_millis(self.cfg.scan_delay_ms),
                uuid,
                confirm: false,
            });
        }
    }

    fn finish(&mut self, resp: Resp) -> Answer {
        match resp.special {
            Special::Reset => Answer::Reset,
            Special::Truncate => {
                let full = resp.body.len();
                let mut r = to_response(Resp {
                    body: resp.body.slice(..full / 2),
                    ..resp
                });
                r.headers_mut()
                    .insert("content-length", http::HeaderValue::from(full));
                Answer::Truncated(r)
            }
            Special::None => Answer::Response(to_response(resp)),
        }
    }

    // ------------------------------------------------ the control API, as on `Control`

    /// Accounts, pending uuids and counters (`GET /_sim/state`).
    pub fn state(&mut self) -> SimState {
        self.world.state_info()
    }

    /// The phone scans a pending uuid (the oldest if `None`) and, with `confirm`,
    /// confirms the login. Returns the uuid.
    pub fn scan(&mut self, uuid: Option<&str>, confirm: bool) -> Result<String, ControlError> {
        self.world.scan(uuid, confirm, None)
    }

    /// The phone cancels a pending login (the poll answers 202).
    pub fn cancel(&mut self, uuid: Option<&str>) -> Result<String, ControlError> {
        self.world.cancel(uuid)
    }

    /// Expires a pending uuid at once (the poll answers 400).
    pub fn expire(&mut self, uuid: Option<&str>) -> Result<String, ControlError> {
        self.world.expire(uuid)
    }

    /// Delivers an incoming message; returns its MsgId.
    pub fn inject_message(&mut self, msg: InjectMessage) -> Result<String, ControlError> {
        self.world.inject_message(msg)
    }

    /// Every message sent by clients, in order.
    pub fn sent(&self) -> Vec<SentRecord> {
        self.world.sent().to_vec()
    }

    /// The contacts of an account (default: the only logged-in one).
    pub fn contacts(&self, uin: Option<u64>) -> Result<Vec<ContactInfo>, ControlError> {
        self.world.contacts_info(uin)
    }

    /// Adds, changes or removes a contact, visible in the next sync.
    pub fn contact_event(&mut self, ev: ContactEvent) -> Result<String, ControlError> {
        self.world.contact_event(ev)
    }

    /// Injects a fault.
    pub fn add_fault(&mut self, fault: FaultSpec) -> Result<(), ControlError> {
        self.world.add_fault(fault)
    }

    /// The faults still in force.
    pub fn faults(&self) -> Vec<FaultSpec> {
        self.world.fault_specs()
    }

    /// The phone ends the session of `uin` (default: the only logged-in account).
    pub fn remote_logout(&mut self, uin: Option<u64>, retcode: i64) -> Result<u64, ControlError> {
        self.world.remote_logout(uin, retcode)
    }

    /// Prepares the account that the next confirmed scan logs in; returns its uin.
    pub fn prepare_account(&mut self, spec: AccountSpec) -> Result<u64, ControlError> {
        self.world.prepare_account(spec)
    }
}

/// The request as the handlers see it, or the answer to a request for no known host.
fn to_req(request: &Request<Vec<u8>>) -> Result<Req, Resp> {
    let uri = request.uri();
    let (form, path, base_url) = match uri.host() {
        Some(host) => {
            let host = host.to_ascii_lowercase();
            if hosts::classify(&host).is_none() {
                return Err(Resp::status(StatusCode::NOT_FOUND, "unknown host"));
            }
            let base = format!("https://{host}");
            (Form::Relay(host), uri.path().to_string(), base)
        }
        None => {
            let (form, path) = split_form(uri.path())
                .map_err(|_| Resp::status(StatusCode::NOT_FOUND, "unknown host"))?;
            (form, path, "http://127.0.0.1".to_string())
        }
    };
    Ok(Req {
        method: request.method().clone(),
        cookies: parse_cookies(request.headers()),
        query: parse_query(uri.query().unwrap_or("")),
        headers: request.headers().clone(),
        form,
        endpoint: Endpoint::from_path(&path),
        path,
        body: Bytes::copy_from_slice(request.body()),
        base_url,
        twist: None,
    })
}

fn to_response(resp: Resp) -> Response<Vec<u8>> {
    let mut r = Response::new(resp.body.to_vec());
    *r.status_mut() = resp.status;
    let h = r.headers_mut();
    for (k, v) in resp.headers {
        if let Ok(v) = http::HeaderValue::from_str(&v) {
            h.append(k, v);
        }
    }
    for c in &resp.cookies {
        if let Ok(v) = http::HeaderValue::from_str(c) {
            h.append("set-cookie", v);
        }
    }
    r
}
