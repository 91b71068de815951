//! The soak: many sessions on one driver against a `webwx sim` process, faults on every
//! endpoint, thousands of messages in and texts out, and what must hold at the end.
//!
//! [`run`] starts the simulator as its own process (the `soak-sim` binary of this crate:
//! `webwx sim`'s entry point), puts faults on every endpoint the sessions use (resets before
//! and after the server handled the request, 5xx, hangs past the client's timeout,
//! truncated and garbage bodies, Ret 1205, and on webwxsync a rewound SyncKey and
//! duplicated deliveries), logs every session in, injects
//! messages into several chats of each while the sessions send texts, then ends some
//! sessions with a fatal code and the others with a logout. It returns the [`Figures`] and
//! every broken promise it saw ([`Report::violations`]): a message lost, surfaced twice or
//! out of order in its chat; a send without exactly one outcome, sent but not recorded by
//! the simulator (once, by its ClientMsgId), or recorded without the client knowing; a
//! session without exactly one `LoggedOut` of the expected reason.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use webwx_core::boundary::RECENT_MESSAGES;
use webwx_core::client::{CommandEvent, RetryPolicy};
use webwx_core::session::SeenIds;
use webwx_core::{Client, Config, Event, LogoutReason, Ret};

use crate::driver::{Driver, NoEvent, Session};
use crate::harness::text_of;

/// What a soak run does.
#[derive(Clone, Debug)]
pub struct Params {
    /// Sessions at once.
    pub sessions: usize,
    /// Messages injected in all (spread evenly over the sessions and their chats).
    pub messages: usize,
    /// Chats per session that messages come from: friends, and every third a group.
    pub chats: usize,
    /// Messages injected (and delivered) before the memory is measured the first time:
    /// past [`RECENT_MESSAGES`] per session, the bounded caches are full, and what grows
    /// after is what the run leaks.
    pub warm_up: usize,
    /// Texts each session sends.
    pub sends_per_session: usize,
    /// The share of requests of every endpoint that a fault hits.
    pub fault_rate: f64,
    /// Every `fatal_every`-th session ends by a fatal code from the server (1100, 1101,
    /// 1102 in turn); the others log out.
    pub fatal_every: usize,
    /// The simulator's long-poll hold.
    pub hold_ms: u64,
    /// The clients' request and long-poll timeouts (a hang lasts until then).
    pub client_timeout: Duration,
    /// How long the messages may take to arrive (a wide bound: it only ends a stuck run).
    pub deadline: Duration,
    /// Seed of the simulator and the clients.
    pub seed: u64,
}

impl Params {
    /// The full soak (`scripts/soak`): 50 sessions, 5,000 messages.
    pub fn full() -> Params {
        Params {
            sessions: 50,
            messages: 5_000,
            warm_up: 500,
            chats: 4,
            sends_per_session: 20,
            fault_rate: 0.2,
            fatal_every: 5,
            hold_ms: 100,
            client_timeout: Duration::from_secs(1),
            deadline: Duration::from_secs(600),
            seed: 19,
        }
    }

    /// The version `cargo test` runs: 10 sessions, 1,000 messages each (600 of them
    /// before the memory is first measured).
    pub fn ci() -> Params {
        Params {
            sessions: 10,
            messages: 10_000,
            warm_up: 6_000,
            sends_per_session: 10,
            ..Params::full()
        }
    }

    /// A long run for the memory: 10 sessions, 8,000 messages each, the first 4,500 of
    /// each before the memory is first measured (past [`SeenIds::CAPACITY`], so every
    /// bounded cache is full and the bound below leaves them nothing to grow).
    pub fn memory() -> Params {
        Params {
            messages: 80_000,
            warm_up: 45_000,
            ..Params::ci()
        }
    }

    /// How much the bounded caches may still grow after the warm-up, KiB: the recent
    /// messages the boundary keeps per session (for forward, download and
    /// accept_friend by id), at 4 KiB a message (a typed message with its raw fields is
    /// about 2 KiB), and the message ids a session remembers to drop a re-delivery
    /// ([`SeenIds`]), at 64 bytes an id.
    pub fn cache_growth_kib(&self) -> u64 {
        let per_session = self.warm_up / self.sessions.max(1);
        let recent = RECENT_MESSAGES.saturating_sub(per_session) as u64 * 4;
        let seen = (SeenIds::CAPACITY.saturating_sub(per_session) as u64 * 64).div_ceil(1024);
        self.sessions as u64 * (recent + seen)
    }
}

/// What a soak run measured.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    /// The driver's name.
    pub driver: &'static str,
    /// Sessions started.
    pub sessions: usize,
    /// Messages injected before `rss_start_kib`.
    pub warm_up: usize,
    /// Messages injected into the simulator.
    pub injected: usize,
    /// Distinct injected messages the sessions surfaced.
    pub delivered: usize,
    /// Injected messages surfaced more than once (each extra time counts).
    pub duplicates: usize,
    /// Injected messages never surfaced.
    pub lost: usize,
    /// Messages surfaced out of their chat's order.
    pub out_of_order: usize,
    /// Texts the sessions sent (accepted by the client).
    pub sends: usize,
    /// Of those, `Sent`.
    pub sent: usize,
    /// Of those, `SendFailed`.
    pub send_failed: usize,
    /// Send requests beyond the first of each send (the simulator's count of send
    /// requests, faulted or not, less the sends).
    pub retries: u64,
    /// Sends the simulator recorded.
    pub recorded: usize,
    /// Send requests that came again with a ClientMsgId the simulator had recorded.
    pub repeats: u64,
    /// Faults the simulator applied.
    pub faults_fired: u64,
    /// Sessions ended by a fatal code / by a logout, as planned.
    pub fatal_endings: usize,
    /// Sessions that logged out on request.
    pub logouts: usize,
    /// Resident memory of this process (the clients) once every session was ready, KiB.
    pub rss_login_kib: u64,
    /// The same after the warm-up messages, KiB.
    pub rss_start_kib: u64,
    /// The same at the end, before the sessions end, KiB.
    pub rss_end_kib: u64,
    /// Resident memory of the simulator process at the start and the end, KiB.
    pub sim_rss_kib: (u64, u64),
    /// The whole run.
    pub duration: Duration,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "soak {}: {} sessions, injected {}, delivered {}, duplicates {}, lost {}, \
             out of order {}, sends {} (sent {}, failed {}, recorded {}), retries {} \
             (repeats of a recorded send {}), \
             faults {}, endings {} fatal + {} logout, RSS after login {} KiB, \
             start (after {} warm-up messages) {} KiB, end {} KiB ({:+} B a message after \
             the warm-up), simulator RSS start {} KiB end {} KiB, {:.1} s",
            self.driver,
            self.sessions,
            self.injected,
            self.delivered,
            self.duplicates,
            self.lost,
            self.out_of_order,
            self.sends,
            self.sent,
            self.send_failed,
            self.recorded,
            self.retries,
            self.repeats,
            self.faults_fired,
            self.fatal_endings,
            self.logouts,
            self.rss_login_kib,
            self.warm_up,
            self.rss_start_kib,
            self.rss_end_kib,
            self.growth_per_message(),
            self.sim_rss_kib.0,
            self.sim_rss_kib.1,
            self.duration.as_secs_f64()
        )
    }
}

impl Figures {
    /// Resident memory gained after the warm-up per message injected after it, bytes
    /// (negative when it shrank).
    pub fn growth_per_message(&self) -> i64 {
        let after = self.injected.saturating_sub(self.warm_up).max(1) as i64;
        (self.rss_end_kib as i64 - self.rss_start_kib as i64) * 1024 / after
    }
}

/// What [`run`] returns.
#[derive(Debug)]
pub struct Report {
    /// The figures.
    pub figures: Figures,
    /// Every broken promise, one line each (empty when all held).
    pub violations: Vec<String>,
}

/// The fault kinds of the soak: (kind, its Ret, webwxsync only).
const KINDS: [(&str, Option<i64>, bool); 9] = [
    ("reset", None, false),
    ("lose", None, false),
    ("5xx", None, false),
    ("hang", None, false),
    ("truncate", None, false),
    ("garbage", None, false),
    ("ret", Some(1205), false),
    ("rewind", None, true),
    ("duplicate", None, true),
];

/// The endpoints the sessions use.
const ENDPOINTS: [&str; 10] = [
    "jslogin",
    "login",
    "webwxnewloginpage",
    "webwxinit",
    "webwxstatusnotify",
    "webwxgetcontact",
    "webwxbatchgetcontact",
    "synccheck",
    "webwxsync",
    "webwxsendmsg",
];

/// The faults for one endpoint: each kind that applies gets an equal share of `rate`.
/// The simulator tries them in order and the first whose draw hits wins, so the k-th of
/// n gets `(rate / n) / (1 - k * rate / n)`: each fires on `rate / n` of the requests.
fn faults_for(endpoint: &str, rate: f64) -> Vec<Value> {
    let kinds: Vec<_> = KINDS
        .iter()
        .filter(|(_, _, sync_only)| !sync_only || endpoint == "webwxsync")
        .collect();
    let share = rate / kinds.len() as f64;
    kinds
        .iter()
        .enumerate()
        .map(|(k, (kind, ret, _))| {
            let mut f = json!({
                "endpoint": endpoint,
                "kind": kind,
                "rate": share / (1.0 - k as f64 * share),
            });
            if let Some(r) = ret {
                f["ret"] = json!(r);
            }
            f
        })
        .collect()
}

/// A `webwx sim` process on 127.0.0.1, killed on drop.
pub struct SimProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    agent: ureq::Agent,
}

impl SimProcess {
    /// Starts `exe` (a `webwx sim` entry point) with `args` and waits for its first line.
    pub fn start(exe: &Path, args: &[String]) -> SimProcess {
        let mut cmd = Command::new(exe);
        cmd.args(args);
        SimProcess::spawn(cmd)
    }

    /// Runs `cmd` (a `webwx sim` entry point with its flags) on 127.0.0.1 and waits for
    /// its first line.
    pub fn spawn(mut cmd: Command) -> SimProcess {
        let mut child = cmd
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {:?}: {e}", cmd.get_program()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the simulator's first line");
        let base = line
            .trim()
            .strip_prefix("webwx-sim listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .into();
        SimProcess { child, base, agent }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the process, KiB (0 where /proc is not there).
    pub fn rss_kib(&self) -> u64 {
        rss_kib(&format!("/proc/{}/status", self.child.id()))
    }

    fn answer(&self, r: Result<http::Response<ureq::Body>, ureq::Error>, what: &str) -> Value {
        let mut r = r.unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = r.status();
        let text = r
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(status.is_success(), "{what}: {status} {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"))
    }

    /// `POST /_sim/PATH` with a JSON body.
    pub fn post(&self, path: &str, body: &Value) -> Value {
        let r = self
            .agent
            .post(format!("{}/_sim/{path}", self.base))
            .header("content-type", "application/json")
            .send(body.to_string());
        self.answer(r, path)
    }

    /// `GET /_sim/PATH`.
    pub fn get(&self, path: &str) -> Value {
        let r = self.agent.get(format!("{}/_sim/{path}", self.base)).call();
        self.answer(r, path)
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `VmRSS` of a `/proc/*/status` file, KiB.
fn rss_kib(status: &str) -> u64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Resident memory of this process, KiB.
pub fn own_rss_kib() -> u64 {
    rss_kib("/proc/self/status")
}

/// What one session's event reader collected.
#[derive(Default)]
struct Log {
    /// Our UserName, from `LoggedIn`.
    me: Option<String>,
    ready: bool,
    /// Injected messages surfaced, per chat: their numbers, in arrival order.
    messages: HashMap<String, Vec<usize>>,
    /// Message ids surfaced (every message, injected or not), with their count.
    ids: HashMap<String, usize>,
    /// Send outcomes by LocalID: `Ok(msg_id)` or `Err(why)`, every one (to catch a second).
    outcomes: Vec<(String, Result<String, String>)>,
    logged_out: Vec<LogoutReason>,
    ended: bool,
}

/// The chats of one session messages come from: (chat UserName, sender, group).
type Chat = (String, String, Option<String>);

/// Runs the soak with `driver` against the simulator binary `sim_exe`.
pub fn run<D>(driver: &D, sim_exe: &Path, p: &Params) -> Report
where
    D: Driver,
    D::Session: Send + 'static,
    <D::Session as Session>::Handle: Clone + Send + Sync + 'static,
{
    let started = Instant::now();
    let mut violations = Vec::new();
    let sim = SimProcess::start(
        sim_exe,
        &[
            "--auto-scan".into(),
            format!("--hold-ms={}", p.hold_ms),
            format!("--seed={}", p.seed),
            "--scan-delay-ms=20".into(),
            "--contacts=12".into(),
            "--groups=2".into(),
        ],
    );
    for endpoint in ENDPOINTS {
        for f in faults_for(endpoint, p.fault_rate) {
            sim.post("faults", &f);
        }
    }

    // Log in every session; a reader thread per session collects its events.
    let logs: Vec<Arc<Mutex<Log>>> = (0..p.sessions).map(|_| Arc::default()).collect();
    let mut sessions = Vec::new();
    let mut readers = Vec::new();
    for (i, log) in logs.iter().enumerate() {
        let client = Client::new(config(&sim.base, p.seed * 1_000 + i as u64, p));
        let session = driver.start(client);
        session
            .with(|c, now| c.login(now))
            .expect("a new client logs in");
        sessions.push(session.handle().clone());
        let log = log.clone();
        readers.push(std::thread::spawn(move || read_events(session, log)));
    }
    let ready_by = Instant::now() + p.deadline;
    while Instant::now() < ready_by
        && !logs.iter().all(|l| {
            let l = l.lock().expect("log");
            l.ready || l.ended || !l.logged_out.is_empty()
        })
    {
        std::thread::sleep(Duration::from_millis(20));
    }

    // Who is who on the simulator, and the chats of each session.
    let accounts = sim.get("state")["accounts"].clone();
    let mut plan: Vec<Option<(u64, Vec<Chat>)>> = Vec::new();
    for (i, log) in logs.iter().enumerate() {
        let (me, ready, out) = {
            let l = log.lock().expect("log");
            (l.me.clone(), l.ready, l.logged_out.clone())
        };
        let uin = me.as_ref().and_then(|me| {
            accounts
                .as_array()?
                .iter()
                .find(|a| a["user_name"] == me.as_str())?["uin"]
                .as_u64()
        });
        match (ready, uin) {
            (true, Some(uin)) => plan.push(Some((uin, chats_of(&sim, uin, p.chats)))),
            _ => {
                violations.push(format!(
                    "session {i} never became ready (logged out: {out:?})"
                ));
                plan.push(None);
            }
        }
    }
    // Messages in (one thread), texts out (this one), at the same time: a warm-up tenth,
    // then (memory measured) the rest.
    let live: Vec<usize> = (0..p.sessions).filter(|i| plan[*i].is_some()).collect();
    let mut injected: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); p.sessions];
    let mut accepted: Vec<Vec<String>> = vec![Vec::new(); p.sessions];
    let mut rss_start_kib = 0;
    let mut sim_rss_start = 0;
    let rss_login_kib = own_rss_kib();
    let warm_msgs = p.warm_up.min(p.messages);
    let warm_sends = p.sends_per_session * warm_msgs / p.messages.max(1);
    for (msgs, sends) in [
        (0..warm_msgs, 0..warm_sends),
        (warm_msgs..p.messages, warm_sends..p.sends_per_session),
    ] {
        if msgs.start > 0 {
            rss_start_kib = own_rss_kib();
            sim_rss_start = sim.rss_kib();
        }
        let injector = {
            let base = sim.base.clone();
            let plan = plan.clone();
            let counts = std::mem::take(&mut injected);
            std::thread::spawn(move || inject(&base, &plan, counts, msgs))
        };
        for round in sends {
            for &i in &live {
                let Some((_, chats)) = &plan[i] else { continue };
                let to = chats[0].0.clone();
                let text = format!("soak reply {i}/{round}");
                match webwx_transport::Session::with(&sessions[i], move |c, now| {
                    c.send_text(now, &to, &text)
                }) {
                    Ok(local) => accepted[i].push(local.0),
                    Err(e) => violations.push(format!("session {i}: send {round} refused: {e}")),
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        injected = injector.join().expect("the injector");
        // Wait until every live session has every message and an outcome for every send.
        let done = |i: usize| {
            let l = logs[i].lock().expect("log");
            let msgs = injected[i]
                .iter()
                .all(|(chat, n)| l.messages.get(chat).map_or(0, |v| unique(v)) >= *n);
            let outs = l.outcomes.len() >= accepted[i].len();
            (msgs && outs) || l.ended || !l.logged_out.is_empty()
        };
        let by = Instant::now() + p.deadline;
        while Instant::now() < by && !live.iter().all(|&i| done(i)) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let total_injected: usize = injected.iter().map(|c| c.values().sum::<usize>()).sum();
    // A few long-poll rounds more, for a stray duplicate to show up.
    std::thread::sleep(Duration::from_millis(4 * p.hold_ms + 500));
    let rss_end_kib = own_rss_kib();
    let sim_rss_end = sim.rss_kib();

    // The endings: a fatal code from the server for some, a logout for the others.
    let codes = [1100i64, 1101, 1102];
    let mut expected: Vec<Option<LogoutReason>> = vec![None; p.sessions];
    let mut fatal_endings = 0;
    for &i in &live {
        let Some((uin, _)) = &plan[i] else { continue };
        if i.is_multiple_of(p.fatal_every) {
            let ret = codes[(i / p.fatal_every) % codes.len()];
            if (i / p.fatal_every).is_multiple_of(2) {
                sim.post("logout", &json!({"uin": uin, "retcode": ret}));
            } else {
                sim.post(
                    "faults",
                    &json!({"endpoint": "*", "kind": "ret", "ret": ret, "count": 1, "uin": uin}),
                );
            }
            expected[i] = Some(LogoutReason::Remote {
                ret: Ret::from_code(ret),
            });
            fatal_endings += 1;
        } else {
            webwx_transport::Session::with(&sessions[i], |c, now| c.logout(now));
            expected[i] = Some(LogoutReason::Requested);
        }
    }
    let by = Instant::now() + p.deadline;
    while Instant::now() < by && !live.iter().all(|&i| logs[i].lock().expect("log").ended) {
        std::thread::sleep(Duration::from_millis(50));
    }

    // What the simulator saw.
    let state = sim.get("state");
    let counter = |name: &str| state["counters"][name].as_u64().unwrap_or(0);
    let records = sim.get("sent");
    let records = records.as_array().cloned().unwrap_or_default();

    let mut f = Figures {
        driver: D::NAME,
        sessions: p.sessions,
        warm_up: p.warm_up.min(p.messages),
        injected: total_injected,
        faults_fired: counter("faults_fired"),
        fatal_endings,
        logouts: live.len() - fatal_endings,
        rss_login_kib,
        rss_start_kib,
        rss_end_kib,
        sim_rss_kib: (sim_rss_start, sim_rss_end),
        ..Figures::default()
    };
    for &i in &live {
        let Some((uin, _)) = &plan[i] else { continue };
        let l = logs[i].lock().expect("log");
        check_messages(i, &injected[i], &l, &mut f, &mut violations);
        let mine: Vec<&Value> = records
            .iter()
            .filter(|r| r["uin"].as_u64() == Some(*uin))
            .collect();
        check_sends(i, &accepted[i], &l, &mine, &mut f, &mut violations);
        match (&l.logged_out[..], &expected[i]) {
            ([got], Some(want)) if got == want => {}
            (got, want) => violations.push(format!(
                "session {i}: LoggedOut {got:?}, expected exactly one {want:?}"
            )),
        }
        if !l.ended {
            violations.push(format!("session {i}: the events never ended"));
        }
    }
    f.retries = counter("send_requests").saturating_sub(f.sends as u64);
    f.repeats = counter("send_repeats");
    f.duration = started.elapsed();
    for s in &sessions {
        webwx_transport::Session::with(s, |c, _| c.shutdown());
    }
    drop(sessions);
    for r in readers {
        let _ = r.join();
    }
    Report {
        figures: f,
        violations,
    }
}

/// The client configuration of the soak: relay form to the simulator, short timeouts.
fn config(base: &str, seed: u64, p: &Params) -> Config {
    Config::new(seed)
        .origin(base)
        .expect("a valid origin")
        .long_poll_timeout(p.client_timeout)
        .request_timeout(p.client_timeout)
        .retry(RetryPolicy {
            // At a 20% fault rate, 6 attempts all fail once in 15,000 requests: a login
            // or a startup request would then end a session as the policy says it must,
            // and the run would judge dice, not the client. 10: once in ten million.
            max_attempts: 10,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(300),
            sync_give_up_after: Duration::from_secs(60),
            too_frequent_give_up_after: Duration::from_secs(60),
        })
}

/// Number of distinct values.
fn unique(v: &[usize]) -> usize {
    v.iter().collect::<HashSet<_>>().len()
}

/// Collects a session's events until they end (the test thread runs commands through a
/// clone of the session's handle).
fn read_events<S: Session>(mut session: S, log: Arc<Mutex<Log>>) {
    loop {
        let e = match session.next_event(Duration::from_millis(500)) {
            Ok(e) => e,
            Err(NoEvent::Timeout) => continue,
            Err(NoEvent::Ended) => break,
        };
        let mut l = log.lock().expect("log");
        match e {
            Event::LoggedIn { user_name, .. } => l.me = Some(user_name),
            Event::Ready => l.ready = true,
            Event::Message(m) => {
                *l.ids.entry(m.id.clone()).or_default() += 1;
                // "soak CHAT #N" from the injector.
                if let Some(n) = text_of(&m)
                    .and_then(|t| t.strip_prefix("soak "))
                    .and_then(|t| t.rsplit_once(" #"))
                    .filter(|(chat, _)| *chat == m.chat)
                    .and_then(|(_, n)| n.parse().ok())
                {
                    l.messages.entry(m.chat.clone()).or_default().push(n);
                }
            }
            Event::Command(CommandEvent::Sent { local_id, msg_id }) => {
                l.outcomes.push((local_id.0, Ok(msg_id)));
            }
            Event::Command(CommandEvent::SendFailed { local_id, error }) => {
                l.outcomes.push((local_id.0, Err(error.to_string())));
            }
            Event::LoggedOut { reason } => l.logged_out.push(reason),
            _ => {}
        }
    }
    log.lock().expect("log").ended = true;
}

/// Picks the chats messages come from: friends, and a group as every third.
fn chats_of(sim: &SimProcess, uin: u64, n: usize) -> Vec<Chat> {
    let contacts = sim.get(&format!("contacts?uin={uin}"));
    let contacts = contacts.as_array().cloned().unwrap_or_default();
    let friends: Vec<&Value> = contacts.iter().filter(|c| c["kind"] == "friend").collect();
    let groups: Vec<&Value> = contacts
        .iter()
        .filter(|c| c["kind"] == "group" && c["members"].as_array().is_some_and(|m| m.len() > 1))
        .collect();
    let mut out = Vec::new();
    let (mut fi, mut gi) = (0, 0);
    while out.len() < n {
        let name = |v: &Value| v["user_name"].as_str().unwrap_or_default().to_owned();
        if out.len() % 3 == 2 && gi < groups.len() {
            let g = groups[gi];
            gi += 1;
            let member = g["members"]
                .as_array()
                .and_then(|m| m.iter().map(name).find(|u| !u.is_empty()))
                .expect("a member");
            out.push((name(g), member, Some(name(g))));
        } else if fi < friends.len() {
            let f = friends[fi];
            fi += 1;
            out.push((name(f), name(f), None));
        } else {
            break;
        }
    }
    out
}

/// Injects messages number `range` of the run, round-robin over the sessions and their
/// chats, numbered per chat from `counts` (how many went to each chat of each session so
/// far), which it returns updated.
fn inject(
    base: &str,
    plan: &[Option<(u64, Vec<Chat>)>],
    mut counts: Vec<BTreeMap<String, usize>>,
    range: std::ops::Range<usize>,
) -> Vec<BTreeMap<String, usize>> {
    let sessions = plan.len();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .proxy(None)
        .build()
        .into();
    for k in range {
        let i = k % sessions;
        let Some((uin, chats)) = &plan[i] else {
            continue;
        };
        let (chat, from, group) = &chats[(k / sessions) % chats.len()];
        let n = counts[i].entry(chat.clone()).or_default();
        let mut body = json!({
            "uin": uin,
            "from": from,
            "content": format!("soak {chat} #{n}"),
        });
        if let Some(g) = group {
            body["group"] = json!(g);
        }
        let r = agent
            .post(format!("{base}/_sim/messages"))
            .header("content-type", "application/json")
            .send(body.to_string());
        match r {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => panic!("inject: {}", r.status()),
            Err(e) => panic!("inject: {e}"),
        }
        *n += 1;
        // Spread the messages over the sessions' syncs rather than all at once.
        if i == sessions - 1 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    counts
}

/// Every injected message of every chat surfaced once, in order.
fn check_messages(
    i: usize,
    injected: &BTreeMap<String, usize>,
    l: &Log,
    f: &mut Figures,
    violations: &mut Vec<String>,
) {
    for (chat, &n) in injected {
        let got = l.messages.get(chat).map(Vec::as_slice).unwrap_or_default();
        let distinct = unique(got);
        let dups = got.len() - distinct;
        let lost = n.saturating_sub(distinct);
        let mut first: Vec<usize> = Vec::with_capacity(distinct);
        let mut seen = HashSet::new();
        for &m in got {
            if seen.insert(m) {
                first.push(m);
            }
        }
        let disorder = first.windows(2).filter(|w| w[0] > w[1]).count();
        f.delivered += distinct;
        f.duplicates += dups;
        f.lost += lost;
        f.out_of_order += disorder;
        if dups > 0 || lost > 0 || disorder > 0 || got.iter().any(|&m| m >= n) {
            violations.push(format!(
                "session {i}, chat {chat}: {n} injected, {distinct} surfaced, {dups} duplicates, \
                 {lost} lost, {disorder} out of order"
            ));
        }
    }
    let twice = l.ids.values().filter(|&&c| c > 1).count();
    if twice > 0 {
        violations.push(format!(
            "session {i}: {twice} message ids surfaced more than once"
        ));
    }
}

/// Every send has one outcome; a `Sent` one is recorded once by the simulator with the
/// same MsgID; nothing is recorded that the client did not send.
fn check_sends(
    i: usize,
    accepted: &[String],
    l: &Log,
    records: &[&Value],
    f: &mut Figures,
    violations: &mut Vec<String>,
) {
    f.sends += accepted.len();
    f.recorded += records.len();
    let mut outcomes: HashMap<&str, Vec<&Result<String, String>>> = HashMap::new();
    for (id, r) in &l.outcomes {
        outcomes.entry(id.as_str()).or_default().push(r);
    }
    for id in accepted {
        let recs: Vec<&&Value> = records
            .iter()
            .filter(|r| r["client_msg_id"] == id.as_str())
            .collect();
        match outcomes.get(id.as_str()).map(Vec::as_slice) {
            Some([Ok(msg_id)]) => {
                f.sent += 1;
                if recs.len() != 1 || recs[0]["msg_id"] != msg_id.as_str() {
                    violations.push(format!(
                        "session {i}: send {id} Sent as {msg_id}, recorded {} times",
                        recs.len()
                    ));
                }
            }
            Some([Err(why)]) => {
                f.send_failed += 1;
                if recs.len() > 1 {
                    violations.push(format!(
                        "session {i}: send {id} failed ({why}) yet recorded {} times",
                        recs.len()
                    ));
                }
            }
            other => violations.push(format!(
                "session {i}: send {id} has outcomes {other:?}, expected exactly one"
            )),
        }
    }
    for r in records {
        if !accepted.iter().any(|id| r["client_msg_id"] == id.as_str()) {
            violations.push(format!(
                "session {i}: the simulator recorded a send nobody made: {r}"
            ));
        }
    }
}
