//! Starting simulators and clients, and waiting for events with a bound on every wait.

use std::time::{Duration, Instant};

use webwx_core::client::{CommandEvent, RetryPolicy};
use webwx_core::message::{Message, MessageKind};
use webwx_core::pacing::{PacingPolicy, Rate};
use webwx_core::{Client, Config, Event, LogoutReason};
use webwx_sim::{Control, SimConfig};

use crate::driver::{NoEvent, Session};

/// How long the simulator holds a long-poll in these tests.
pub const HOLD_MS: u64 = 200;

/// Client long-poll and request timeouts in these tests.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(2);

/// The default bound on one wait for an event.
pub const WAIT: Duration = Duration::from_secs(10);

/// A simulator running on its own runtime thread, on 127.0.0.1.
pub struct Sim {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The control API.
    pub control: Control,
    _running: webwx_sim::RunningSim,
}

impl Sim {
    /// The UserName of the simulator's first friend of the logged-in account.
    pub fn friend(&self) -> String {
        self.control
            .contacts(None)
            .expect("the simulator's contacts")
            .into_iter()
            .find(|c| c.kind == "friend")
            .expect("a friend")
            .user_name
    }
}

/// The simulator settings of the suite: 127.0.0.1, short holds, a fixed seed.
pub fn sim_config() -> SimConfig {
    SimConfig {
        hold_ms: HOLD_MS,
        scan_delay_ms: 50,
        seed: 7,
        ..SimConfig::default()
    }
}

/// Starts a simulator with [`sim_config`] changed by `f`.
pub fn sim(f: impl FnOnce(&mut SimConfig)) -> Sim {
    let mut cfg = sim_config();
    f(&mut cfg);
    let running = webwx_sim::spawn(cfg).expect("start the simulator");
    Sim {
        base: running.base_url(),
        control: running.control(),
        _running: running,
    }
}

/// A client configuration pointing at `base` in the relay form, with short timeouts
/// and small retry delays.
pub fn config(base: &str, seed: u64) -> Config {
    Config::new(seed)
        .origin(base)
        .expect("a valid origin")
        .long_poll_timeout(CLIENT_TIMEOUT)
        .request_timeout(CLIENT_TIMEOUT)
        .retry(RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            sync_give_up_after: Duration::from_secs(15),
            too_frequent_give_up_after: Duration::from_secs(15),
        })
        .pacing(fast_pacing())
}

/// The default pacing's shape (a burst per session, fewer media, fewer friend and group
/// operations, a gap per chat) at milliseconds instead of seconds: the scenarios go
/// through the send queue without waiting out its real intervals.
pub fn fast_pacing() -> PacingPolicy {
    PacingPolicy::default()
        .session(Rate::new(8, Duration::from_millis(20)))
        .media(Rate::new(3, Duration::from_millis(50)))
        .social(Rate::new(2, Duration::from_millis(50)))
        .per_chat_gap(Duration::from_millis(5))
        .cooldown(Duration::from_millis(100), Duration::from_secs(1))
}

/// A one-line description of an event for failure messages (no message bodies).
pub fn describe(e: &Event) -> String {
    match e {
        Event::Message(m) => format!("Message({} from {})", m.id, m.from),
        Event::QrCode { .. } => "QrCode".into(),
        Event::LoggedOut { reason } => format!("LoggedOut({reason})"),
        Event::Command(c) => format!("Command({})", describe_command(c)),
        other => {
            let s = format!("{other:?}");
            s.chars().take(80).collect()
        }
    }
}

fn describe_command(c: &CommandEvent) -> String {
    let s = format!("{c:?}");
    s.chars().take(100).collect()
}

/// The text of a text message.
pub fn text_of(m: &Message) -> Option<&str> {
    match &m.kind {
        MessageKind::Text { text } => Some(text),
        _ => None,
    }
}

/// A session under test plus everything it reported.
pub struct Run<S: Session> {
    /// The session.
    pub session: S,
    /// Every event taken so far, in order.
    pub seen: Vec<Event>,
    /// Whether the event stream has ended.
    pub ended: bool,
    /// Boundary commands run through the handle's `submit`, as JSON: (request, answer).
    pub exchanges: std::cell::RefCell<Vec<(serde_json::Value, serde_json::Value)>>,
}

impl<S: Session> Run<S> {
    /// Wraps a started session.
    pub fn new(session: S) -> Self {
        Run {
            session,
            seen: Vec::new(),
            ended: false,
            exchanges: Default::default(),
        }
    }

    /// The next event within `timeout`.
    pub fn next(&mut self, timeout: Duration) -> Result<Event, NoEvent> {
        if self.ended {
            return Err(NoEvent::Ended);
        }
        match self.session.next_event(timeout) {
            Ok(e) => {
                self.seen.push(e.clone());
                Ok(e)
            }
            Err(NoEvent::Ended) => {
                self.ended = true;
                Err(NoEvent::Ended)
            }
            Err(e) => Err(e),
        }
    }

    fn history(&self) -> String {
        let n = self.seen.len();
        let tail: Vec<String> = self.seen[n.saturating_sub(12)..]
            .iter()
            .map(describe)
            .collect();
        format!("{n} events, last: {}", tail.join(", "))
    }

    /// Waits (at most `timeout`) for the first event `f` picks, and returns what it
    /// picked; panics on a timeout, on the end of the session, or when the session ends
    /// unexpectedly with `LoggedOut` while waiting for something else.
    pub fn expect<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut(&Event) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left) {
                Ok(e) => {
                    if let Some(t) = f(&e) {
                        return t;
                    }
                    if let Event::LoggedOut { reason } = &e {
                        panic!(
                            "session ended ({reason}) while waiting for {what}; {}",
                            self.history()
                        );
                    }
                }
                Err(NoEvent::Timeout) => {
                    panic!("no {what} within {timeout:?}; {}", self.history())
                }
                Err(NoEvent::Ended) => {
                    panic!("events ended while waiting for {what}; {}", self.history())
                }
            }
        }
    }

    /// Like [`Run::expect`], but an event already taken (in `seen`) counts too.
    pub fn expect_seen<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut(&Event) -> Option<T>,
    ) -> T {
        if let Some(t) = self.seen.iter().find_map(&mut f) {
            return t;
        }
        self.expect(what, timeout, f)
    }

    /// Waits for `n` messages (other events are kept in `seen` and skipped).
    pub fn messages(&mut self, n: usize, timeout: Duration) -> Vec<Message> {
        self.messages_where(n, timeout, |_| true)
    }

    /// Waits for `n` messages from `from` (other events are kept in `seen` and skipped).
    pub fn messages_from(&mut self, from: &str, n: usize, timeout: Duration) -> Vec<Message> {
        self.messages_where(n, timeout, |m| m.from == from)
    }

    /// Waits for `n` messages `keep` accepts (other events are kept in `seen` and skipped).
    pub fn messages_where(
        &mut self,
        n: usize,
        timeout: Duration,
        mut keep: impl FnMut(&Message) -> bool,
    ) -> Vec<Message> {
        let mut out = Vec::with_capacity(n);
        let deadline = Instant::now() + timeout;
        while out.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self.expect(
                &format!("message {} of {n}", out.len() + 1),
                left,
                |e| match e {
                    Event::Message(m) if keep(m) => Some((**m).clone()),
                    _ => None,
                },
            );
            out.push(m);
        }
        out
    }

    /// Every event in the next `d` (the session keeps running).
    pub fn during(&mut self, d: Duration) -> Vec<Event> {
        let deadline = Instant::now() + d;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return out;
            }
            match self.next(left) {
                Ok(e) => out.push(e),
                Err(_) => return out,
            }
        }
    }

    /// Every event until the stream ends; panics if it does not end within `timeout`.
    pub fn until_end(&mut self, timeout: Duration) -> Vec<Event> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left) {
                Ok(e) => out.push(e),
                Err(NoEvent::Ended) => return out,
                Err(NoEvent::Timeout) => {
                    panic!(
                        "the session did not end within {timeout:?}; {}",
                        self.history()
                    )
                }
            }
        }
    }

    /// Waits for the `QrCode` event and returns its uuid.
    pub fn qr(&mut self) -> String {
        self.expect("QrCode", WAIT, |e| match e {
            Event::QrCode { uuid, .. } => Some(uuid.clone()),
            _ => None,
        })
    }

    /// Waits for `LoggedIn` then `Ready`; returns our UserName.
    pub fn logged_in(&mut self) -> String {
        let me = self.expect("LoggedIn", WAIT, |e| match e {
            Event::LoggedIn { user_name, .. } => Some(user_name.clone()),
            _ => None,
        });
        self.expect("Ready", WAIT, |e| matches!(e, Event::Ready).then_some(()));
        me
    }

    /// The `LoggedOut` reasons seen so far.
    pub fn logouts(&self) -> Vec<LogoutReason> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                Event::LoggedOut { reason } => Some(reason.clone()),
                _ => None,
            })
            .collect()
    }

    /// The command events seen so far.
    pub fn commands(&self) -> Vec<CommandEvent> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                Event::Command(c) => Some(c.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Starts a session for a new client on `sim` with `driver` and seed `seed`.
pub fn start<D: crate::driver::Driver>(driver: &D, sim: &Sim, seed: u64) -> Run<D::Session> {
    Run::new(driver.start(Client::new(config(&sim.base, seed))))
}

/// Runs a QR login to `Ready`, scanning through the control API (scan, then confirm).
/// Returns our UserName.
pub fn qr_login<S: Session>(run: &mut Run<S>, sim: &Sim) -> String {
    run.session
        .with(|c, now| c.login(now))
        .expect("the login starts");
    let uuid = run.qr();
    sim.control.scan(Some(&uuid), false).expect("scan");
    run.expect("Scanned", WAIT, |e| {
        matches!(e, Event::Scanned { .. }).then_some(())
    });
    sim.control.scan(Some(&uuid), true).expect("confirm");
    run.logged_in()
}

/// The UserName of a friend of the logged-in account.
pub fn a_friend(sim: &Sim, uin: Option<u64>) -> String {
    sim.control
        .contacts(uin)
        .expect("contacts")
        .into_iter()
        .find(|c| c.kind == "friend")
        .expect("a friend")
        .user_name
}

/// Injects a text message from `from`; returns its MsgId.
pub fn inject_text(sim: &Sim, from: &str, text: &str) -> String {
    sim.control
        .inject_message(webwx_sim::InjectMessage {
            from: from.to_owned(),
            content: text.to_owned(),
            ..Default::default()
        })
        .expect("inject")
}

/// A browser relay (webwx-hyper's) on 127.0.0.1 on its own thread, in front of `upstream`
/// in the relay form (so the simulator still checks every host).
pub struct Relay {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    /// Starts a relay whose upstream is `upstream` (a simulator's base URL).
    pub fn to(upstream: &str) -> Relay {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let opts = webwx_hyper::relay::RelayOptions::default()
            .upstream_override(Some(upstream))
            .upstream_relay_form(true)
            .timeout(Duration::from_secs(5));
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let addr = listener.local_addr().expect("addr");
                let _ = ready_tx.send(format!("http://{addr}"));
                tokio::select! {
                    r = webwx_hyper::relay::serve(listener, opts) => r.expect("relay"),
                    _ = stop_rx => {}
                }
            });
        });
        let base = ready_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("the relay started");
        Relay {
            base,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
