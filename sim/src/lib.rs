//! webwx-sim: a faithful local WeChat Web (wx.qq.com) server.
//!
//! A real HTTP server (hyper 1 + tokio) that behaves like the WeChat Web servers as
//! the captures and the official client show them: the QR login with its
//! long-poll, newloginpage's XML and cookies, init, contacts with Seq paging,
//! the synccheck long-poll and webwxsync, every send endpoint, chunked uploads,
//! media downloads, group and contact operations, revoke and logout. It checks
//! requests the way the real server did (BaseRequest, cookies, skey,
//! pass_ticket, SyncKey, host) and answers with the real error shapes.
//!
//! # Address forms
//!
//! Both are served on one port:
//!
//! * **plain paths** (`/jslogin`, `/cgi-bin/mmwebwx-bin/webwxinit`, ...) for
//!   unmodified clients pointed at the base URL (itchat): the account's home host,
//!   no host check, the login redirect on the simulator's own base URL, cookies
//!   without `Domain` and `Secure`;
//! * the **relay form** (`/wx.qq.com/cgi-bin/...`, `/webpush.wx2.qq.com/...`): the
//!   host segment is checked against the official domain table (login, content,
//!   file and push hosts of the account's row), the redirect is the real
//!   `https://HOST/...` URL, cookies carry the real `Domain` and `Secure`, every
//!   `Set-Cookie` is copied to `x-wx-set-cookie`, `x-wx-cookie` counts as `Cookie`,
//!   and CORS headers are added (preflights answered).
//!
//! # Control API
//!
//! JSON on the same port, and in-process through [`Control`]:
//!
//! | call | does |
//! |---|---|
//! | `GET /_sim/state` | accounts, pending uuids, counters ([`SimState`]) |
//! | `POST /_sim/scan` `{uuid?, confirm?, cancel?, expire?, uin?}` | the phone scans |
//! | `POST /_sim/messages` ([`InjectMessage`]) | delivers a message, answers `{"msg_id"}` |
//! | `GET /_sim/sent[?uin=]` | every send, once per ClientMsgId and recipient ([`SentRecord`]) |
//! | `POST /_sim/faults` ([`FaultSpec`]), `GET`, `DELETE` | faults by endpoint, count, rate, uin |
//! | `POST /_sim/logout` `{uin?, retcode?}` | the phone ends the session |
//! | `GET /_sim/contacts[?uin=]` ([`ContactInfo`]) | the account's contacts |
//! | `POST /_sim/contacts` ([`ContactEvent`]) | contact / group / profile changes |
//! | `POST /_sim/accounts` ([`AccountSpec`]) | the account of the next confirmed scan |
//!
//! Calls that act on an account take `"uin"`; without it they act on the only
//! logged-in account, and answer 400 `{"error": ..}` when there are several or none.
//! A fault is applied before its request is handled, so it changes nothing on the
//! server: a retry gets what the faulted request would have got.
//!
//! # Peer clients
//!
//! Both forms accept what the official client, itchat, wechat4u and openwechat sent to
//! the real server, and answer in the shapes they parse: [`clients`] writes down what
//! each one sends and needs, and what was changed for openwechat.
//!
//! # Known differences from the real server
//!
//! Images (QR code, avatars, thumbnails) are PNG, not JPEG; answers are never
//! gzip-compressed; JSON is laid out pretty-printed (large answers) or compact with
//! `": "` (small ones) rather than byte for byte like the real server.
//!
//! # In virtual time
//!
//! [`VirtualSim`] is the same server without HTTP and without a clock: it routes one
//! `http::Request` at a time through the same handlers, faults and state at the time it is
//! handed, and reports a long-poll with nothing to say as held. The core's scenario tests
//! drive their client against it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = webwx_sim::Sim::start(webwx_sim::SimConfig::default()).await?;
//! println!("{}", sim.base_url());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cli;
pub mod clients;
mod config;
mod control;
mod control_types;
mod cookies;
mod endpoints;
mod hosts;
mod md5sum;
mod multipart;
mod pictures;
mod prng;
mod request;
mod response;
mod routes;
mod server;
mod shared;
mod virtual_sim;
mod wire;
mod world;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;

pub use cli::run_cli;
pub use config::{SimArgs, SimConfig};
pub use control::Control;
pub use control_types::{
    AccountInfo, AccountSpec, ContactEvent, ContactInfo, ControlError, FaultKind, FaultSpec,
    InjectMessage, MemberInfo, SentRecord, SimState,
};
pub use md5sum::md5_hex;
pub use virtual_sim::{Answer, VirtualSim};
pub use world::SimTime;

/// A simulator running inside the current tokio runtime.
pub struct Sim {
    addr: SocketAddr,
    control: Control,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Sim {
    /// Binds `cfg.listen` and starts serving (needs a tokio runtime with I/O and time).
    pub async fn start(cfg: SimConfig) -> io::Result<Sim> {
        let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
        let mut addr = listener.local_addr()?;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let (tx, rx) = watch::channel(false);
        let shared = Arc::new(shared::Shared::new(
            cfg,
            format!("http://{addr}"),
            rx,
            tokio::runtime::Handle::current(),
        ));
        let task = tokio::spawn(server::serve(listener, shared.clone()));
        tracing::info!(base_url = %format!("http://{addr}"), "webwx-sim listening");
        Ok(Sim {
            addr,
            control: Control { shared },
            stop: tx,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// In-process control (scan, messages, faults, ...).
    pub fn control(&self) -> Control {
        self.control.clone()
    }

    /// Stops accepting, ends every connection (and long-poll), and waits for it.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A simulator on its own thread and runtime, for blocking users. Dropping it stops it.
pub struct RunningSim {
    base_url: String,
    control: Control,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSim")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningSim {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// In-process control (scan, messages, faults, ...).
    pub fn control(&self) -> Control {
        self.control.clone()
    }

    /// Stops the simulator and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.stop_now();
    }
}

type Ready = io::Result<(String, Control, tokio::sync::oneshot::Sender<()>)>;

/// Starts a simulator on a background thread with its own tokio runtime.
pub fn spawn(cfg: SimConfig) -> io::Result<RunningSim> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Ready>();
    let thread = std::thread::Builder::new()
        .name("webwx-sim".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("webwx-sim-worker")
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                match Sim::start(cfg).await {
                    Ok(sim) => {
                        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
                        if ready_tx
                            .send(Ok((sim.base_url(), sim.control(), stop_tx)))
                            .is_err()
                        {
                            return;
                        }
                        let _ = stop_rx.await;
                        sim.shutdown().await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })?;
    let (base_url, control, stop) = ready_rx
        .recv()
        .map_err(|_| io::Error::other("simulator thread died"))??;
    Ok(RunningSim {
        base_url,
        control,
        stop: Some(stop),
        thread: Some(thread),
    })
}
