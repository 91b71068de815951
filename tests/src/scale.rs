//! The scale run (issue 20, target 3): many logged-in `webwx-hyper` sessions in this
//! process, long-polling a `webwx sim` process on 127.0.0.1.
//!
//! [`run`] starts the simulator ([`SimProcess`]: auto-scan, the given hold and address
//! book), logs `sessions` clients in on one shared [`webwx_hyper::Transport`] and one
//! runtime (a bounded number of logins at a time), lets them sit idle and measures the
//! resident memory they added and the CPU both processes spend meanwhile; then logs in
//! one more session and feeds it past [`SeenIds::CAPACITY`] messages (a long-lived
//! session, its seen-id set full) to measure what it holds; then injects `messages` texts
//! at `rate` per second, round-robin across the sessions, and measures for each the time
//! from just before its `POST /_sim/messages` to its `Message` event in the client. Every
//! injected message must arrive once, in the session it was sent to ([`Figures::lost`],
//! [`Figures::duplicates`], [`Figures::misrouted`]).
//!
//! `cargo run --release -p webwx-tests --example scale -- --sessions N [--rate R]` prints
//! the [`Figures`]; `tests/scale.rs` runs a small one in debug.

use std::process::Command;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use webwx_core::client::RetryPolicy;
use webwx_core::contacts::ContactKind;
use webwx_core::session::SeenIds;
use webwx_core::{Client, Config, Event};
use webwx_transport::Session as _;

use crate::harness::text_of;
use crate::soak::{SimProcess, own_rss_kib};

/// What a scale run does.
#[derive(Clone, Debug)]
pub struct Params {
    /// Sessions measured together.
    pub sessions: usize,
    /// Messages injected per second, across all sessions.
    pub rate: f64,
    /// Messages injected in all (round-robin over the sessions).
    pub messages: usize,
    /// Friends and official accounts of each simulated account (`--contacts`).
    pub contacts: usize,
    /// Groups of each simulated account (`--groups`).
    pub groups: usize,
    /// The simulator's long-poll hold.
    pub hold_ms: u64,
    /// How long the sessions sit idle while the CPU is measured.
    pub idle: Duration,
    /// Logins in progress at once.
    pub concurrent_logins: usize,
    /// Messages fed to the long-lived session (0: no long-lived session).
    pub long_lived_messages: usize,
    /// Threads injecting messages.
    pub injectors: usize,
    /// Worker threads of the clients' runtime.
    pub workers: usize,
    /// Idle keep-alive connections the shared transport keeps per host
    /// ([`webwx_transport::Options::max_idle_per_host`]; `None`: its default).
    pub max_idle_per_host: Option<usize>,
    /// How long everything may take at most (logins, deliveries): a bound that only ends
    /// a stuck run.
    pub deadline: Duration,
    /// Seed of the simulator and the clients.
    pub seed: u64,
    /// The bytes this process has allocated and not freed (a counting global allocator:
    /// the example's), for heap figures beside the RSS ones; `None`: not measured.
    pub heap_bytes: Option<fn() -> u64>,
}

impl Params {
    /// The run of the example: `sessions` sessions, 10 s of messages at `rate`, the real
    /// server's 25 s hold.
    pub fn full(sessions: usize, rate: f64) -> Params {
        Params {
            sessions,
            rate,
            messages: (rate * 10.0).round() as usize,
            contacts: 12,
            groups: 1,
            hold_ms: 25_000,
            idle: Duration::from_secs(10),
            concurrent_logins: 200,
            long_lived_messages: SeenIds::CAPACITY + 100,
            injectors: 4,
            workers: 2,
            max_idle_per_host: None,
            deadline: Duration::from_secs(600),
            seed: 20,
            heap_bytes: None,
        }
    }

    /// The small run `cargo test` does (debug build, seconds): 20 sessions, 60 messages,
    /// short holds, a long-lived session fed 40 messages.
    pub fn smoke() -> Params {
        Params {
            messages: 60,
            contacts: 4,
            hold_ms: 200,
            idle: Duration::from_millis(300),
            concurrent_logins: 20,
            long_lived_messages: 40,
            injectors: 2,
            deadline: Duration::from_secs(60),
            ..Params::full(20, 200.0)
        }
    }

    /// The client's long-poll timeout: past the hold, as with the real server.
    fn long_poll_timeout(&self) -> Duration {
        Duration::from_millis(self.hold_ms)
            + Duration::from_secs(if self.hold_ms >= 5_000 { 10 } else { 2 })
    }
}

/// The long-lived session: one more session fed [`Params::long_lived_messages`] messages.
#[derive(Clone, Debug, Default)]
pub struct LongLived {
    /// Messages it was fed (and surfaced).
    pub messages: usize,
    /// Message ids in its seen-id set at the end.
    pub seen_ids: usize,
    /// Messages its client keeps for commands by `msg_id`, and the bytes it counts for
    /// them ([`webwx_core::Client::recent_messages`]).
    pub recent: (usize, usize),
    /// Resident memory it added (its login, then the messages), KiB.
    pub rss_kib: i64,
    /// Of that, what the messages added after its login, KiB.
    pub rss_messages_kib: i64,
    /// The heap it added (its login, then the messages), KiB, when measured
    /// ([`Params::heap_bytes`]).
    pub heap_kib: Option<f64>,
    /// Of that, what the messages added after its login, KiB.
    pub heap_messages_kib: Option<f64>,
}

/// What a scale run measured.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    /// Sessions measured.
    pub sessions: usize,
    /// Contacts each session's address book holds after login (the account's friends,
    /// official and special accounts, groups).
    pub contacts_per_session: usize,
    /// Logging every session in took this long.
    pub login: Duration,
    /// Resident memory of this process before the first session, KiB.
    pub rss_base_kib: u64,
    /// The same with every session logged in and idle, KiB.
    pub rss_idle_kib: u64,
    /// The heap every idle session added, per session, KiB, when measured
    /// ([`Params::heap_bytes`]).
    pub idle_heap_kib_per_session: Option<f64>,
    /// The idle window over which the CPU was measured.
    pub idle: Duration,
    /// CPU time of this process during the idle window, in % of one core.
    pub idle_cpu_pct: f64,
    /// The same for the simulator process.
    pub sim_idle_cpu_pct: f64,
    /// Resident memory of the simulator with every session logged in, KiB.
    pub sim_rss_kib: u64,
    /// The long-lived session, when there was one.
    pub long_lived: Option<LongLived>,
    /// Messages per second asked for.
    pub rate: f64,
    /// Messages per second the injectors achieved.
    pub rate_achieved: f64,
    /// Messages injected during the rate phase.
    pub injected: usize,
    /// Of those, surfaced once or more.
    pub delivered: usize,
    /// Extra surfacings of an injected message.
    pub duplicates: usize,
    /// Injected messages never surfaced.
    pub lost: usize,
    /// Injected messages surfaced by a session they were not sent to.
    pub misrouted: usize,
    /// Latency from injection to the client's event, milliseconds: p50, p90, p99, max.
    pub latency_ms: [f64; 4],
    /// CPU of this process during the rate phase, in % of one core.
    pub rate_cpu_pct: f64,
    /// The same for the simulator process.
    pub sim_rate_cpu_pct: f64,
    /// Load average (1 min) at the end of the run.
    pub load: String,
}

impl Figures {
    /// Resident memory per idle session, KiB.
    pub fn idle_rss_kib_per_session(&self) -> f64 {
        self.rss_idle_kib.saturating_sub(self.rss_base_kib) as f64 / self.sessions.max(1) as f64
    }

    /// The last line the example prints.
    pub fn summary(&self) -> String {
        format!(
            "sessions={} idle_rss_kib_per_session={:.1} p50_ms={:.2} p99_ms={:.2}",
            self.sessions,
            self.idle_rss_kib_per_session(),
            self.latency_ms[0],
            self.latency_ms[2]
        )
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "scale: {} sessions, {} contacts each, logged in in {:.1} s",
            self.sessions,
            self.contacts_per_session,
            self.login.as_secs_f64()
        )?;
        writeln!(
            f,
            "  idle: RSS {} KiB before, {} KiB after -> {:.1} KiB per session; CPU over {:.0} s: \
             client {:.2} %, simulator {:.2} % of a core; simulator RSS {} KiB",
            self.rss_base_kib,
            self.rss_idle_kib,
            self.idle_rss_kib_per_session(),
            self.idle.as_secs_f64(),
            self.idle_cpu_pct,
            self.sim_idle_cpu_pct,
            self.sim_rss_kib
        )?;
        if let Some(h) = self.idle_heap_kib_per_session {
            writeln!(f, "  idle heap: {h:.1} KiB per session")?;
        }
        if let Some(l) = &self.long_lived {
            writeln!(
                f,
                "  long-lived session: {} messages, {} ids seen, {} kept ({} bytes), {} KiB in all ({} KiB after its login)",
                l.messages, l.seen_ids, l.recent.0, l.recent.1, l.rss_kib, l.rss_messages_kib
            )?;
            if let (Some(all), Some(messages)) = (l.heap_kib, l.heap_messages_kib) {
                writeln!(
                    f,
                    "  long-lived session's heap: {all:.1} KiB in all ({messages:.1} KiB after its login)"
                )?;
            }
        }
        writeln!(
            f,
            "  messages: {} injected at {:.0}/s (asked {:.0}/s), delivered {}, lost {}, \
             duplicates {}, misrouted {}; CPU client {:.1} %, simulator {:.1} %",
            self.injected,
            self.rate_achieved,
            self.rate,
            self.delivered,
            self.lost,
            self.duplicates,
            self.misrouted,
            self.rate_cpu_pct,
            self.sim_rate_cpu_pct
        )?;
        writeln!(
            f,
            "  latency injection -> event: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.latency_ms[0], self.latency_ms[1], self.latency_ms[2], self.latency_ms[3]
        )?;
        write!(f, "  load average at the end: {}", self.load)
    }
}

/// Where every session's events are tallied (shared by the reader tasks).
struct Board {
    epoch: Instant,
    sessions: usize,
    /// Our UserName, per session (`LoggedIn`).
    me: Vec<OnceLock<String>>,
    ready: AtomicUsize,
    ended: AtomicUsize,
    /// Per injected message: when its POST started, ns after `epoch` (0: not yet).
    sent_ns: Vec<AtomicU64>,
    /// Per injected message: when it was first surfaced, ns after `epoch`.
    got_ns: Vec<AtomicU64>,
    /// Per injected message: how many times it was surfaced (saturating).
    count: Vec<AtomicU8>,
    misrouted: AtomicUsize,
    /// Messages the long-lived session surfaced.
    long_lived: AtomicUsize,
}

impl Board {
    fn ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    fn message(&self, session: usize, text: &str) {
        if let Some(k) = text
            .strip_prefix("scale ")
            .and_then(|k| k.parse::<usize>().ok())
        {
            if k >= self.count.len() {
                return;
            }
            if k % self.sessions != session {
                self.misrouted.fetch_add(1, Ordering::Relaxed);
            }
            let now = self.ns();
            let _ = self.got_ns[k].compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
            let _ = self.count[k].fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                Some(c.saturating_add(1))
            });
        } else if text.starts_with("long ") {
            self.long_lived.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Collects one session's events until they end (`session` is `sessions` for the
/// long-lived one).
async fn read(mut events: webwx_hyper::Events, session: usize, board: Arc<Board>) {
    while let Some(e) = events.next_event().await {
        match e {
            Event::LoggedIn { user_name, .. } => {
                if let Some(me) = board.me.get(session) {
                    let _ = me.set(user_name);
                }
            }
            Event::Ready => {
                board.ready.fetch_add(1, Ordering::Relaxed);
            }
            Event::Message(m) => {
                if let Some(t) = text_of(&m) {
                    board.message(session, t);
                }
            }
            _ => {}
        }
    }
    board.ended.fetch_add(1, Ordering::Relaxed);
}

/// CPU time (user + system) of process `pid`, from `/proc/PID/stat`, in seconds (0
/// where /proc is not there). Linux counts it in USER_HZ, 100 a second.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which may hold spaces), from field 3 on.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15: 12 and 13 after the name.
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// The 1-minute, 5-minute and 15-minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The simulator's flags for `p`.
pub fn sim_args(p: &Params) -> Vec<String> {
    vec![
        "--auto-scan".into(),
        format!("--hold-ms={}", p.hold_ms),
        format!("--seed={}", p.seed),
        "--scan-delay-ms=1".into(),
        format!("--contacts={}", p.contacts),
        format!("--groups={}", p.groups),
    ]
}

/// Runs the scale run against the simulator `sim` (started with [`sim_args`]), reporting
/// progress on stderr.
pub fn run(sim: &SimProcess, p: &Params) -> Figures {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(p.workers)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let transport =
        webwx_hyper::Transport::new(&crate::driver::options()).expect("a hyper transport");
    let total = p.sessions + 1;
    let board = Arc::new(Board {
        epoch: Instant::now(),
        sessions: p.sessions.max(1),
        me: (0..total).map(|_| OnceLock::new()).collect(),
        ready: AtomicUsize::new(0),
        ended: AtomicUsize::new(0),
        sent_ns: (0..p.messages).map(|_| AtomicU64::new(0)).collect(),
        got_ns: (0..p.messages).map(|_| AtomicU64::new(0)).collect(),
        count: (0..p.messages).map(|_| AtomicU8::new(0)).collect(),
        misrouted: AtomicUsize::new(0),
        long_lived: AtomicUsize::new(0),
    });
    let mut handles: Vec<webwx_hyper::Handle> = Vec::with_capacity(total);
    let start = |i: usize, handles: &mut Vec<webwx_hyper::Handle>| {
        let config = Config::new(p.seed * 1_000_000 + i as u64)
            .origin(&sim.base)
            .expect("a valid origin")
            .long_poll_timeout(p.long_poll_timeout())
            .request_timeout(Duration::from_secs(15))
            .retry(RetryPolicy {
                max_attempts: 10,
                ..RetryPolicy::default()
            });
        let _guard = rt.enter();
        let (handle, events) = webwx_hyper::start_with(Client::new(config), transport.clone())
            .expect("start a session");
        handle.login().expect("a new client logs in");
        rt.spawn(read(events, i, board.clone()));
        handles.push(handle);
    };
    let wait = |what: &str, by: Instant, done: &dyn Fn() -> bool| {
        while !done() {
            assert!(Instant::now() < by, "{what}: not within {:?}", p.deadline);
            std::thread::sleep(Duration::from_millis(5));
        }
    };

    // Settle, then the baseline.
    std::thread::sleep(Duration::from_millis(200));
    let rss_base_kib = own_rss_kib();
    let heap = || p.heap_bytes.map(|f| f() as f64 / 1024.0);
    let heap_base = heap();

    // Log every session in, `concurrent_logins` at a time.
    let t0 = Instant::now();
    let by = t0 + p.deadline;
    for i in 0..p.sessions {
        wait("logins", by, &|| {
            i - board.ready.load(Ordering::Relaxed) < p.concurrent_logins
        });
        start(i, &mut handles);
        if i % 1_000 == 999 {
            eprintln!(
                "scale: {} sessions started, {:.1} s",
                i + 1,
                t0.elapsed().as_secs_f64()
            );
        }
    }
    wait("every session ready", by, &|| {
        board.ready.load(Ordering::Relaxed) >= p.sessions
    });
    let login = t0.elapsed();
    eprintln!(
        "scale: {} sessions ready in {:.1} s",
        p.sessions,
        login.as_secs_f64()
    );

    // Who is who on the simulator, and a friend of each session to send from.
    let accounts = sim.get("state")["accounts"].clone();
    let uin_of: std::collections::HashMap<String, u64> = accounts
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| Some((a["user_name"].as_str()?.to_owned(), a["uin"].as_u64()?)))
        .collect();
    let friend_of = |h: &webwx_hyper::Handle| {
        h.inspect(|c| {
            let contacts = c.contacts();
            let friend = contacts
                .all()
                .into_iter()
                .find(|r| contacts.kind_of(&r.user_name) == ContactKind::Friend)
                .map(|r| r.user_name.clone())
                .expect("a friend");
            (friend, contacts.len())
        })
    };
    let targets: Vec<(u64, String)> = (0..p.sessions)
        .map(|i| {
            let me = board.me[i].get().expect("LoggedIn before Ready");
            (uin_of[me], friend_of(&handles[i]).0)
        })
        .collect();
    let contacts_per_session = handles.first().map_or(0, |h| friend_of(h).1);

    // Idle: memory, and the CPU both processes spend over the window.
    std::thread::sleep(Duration::from_millis(if p.hold_ms >= 5_000 {
        3_000
    } else {
        300
    }));
    let rss_idle_kib = own_rss_kib();
    let idle_heap_kib_per_session = heap()
        .zip(heap_base)
        .map(|(idle, base)| (idle - base) / p.sessions.max(1) as f64);
    let sim_rss_kib = sim.rss_kib();
    let me = std::process::id();
    let (cpu0, sim0, w0) = (cpu_seconds(me), cpu_seconds(sim.pid()), Instant::now());
    std::thread::sleep(p.idle);
    let wall = w0.elapsed().as_secs_f64();
    let idle_cpu_pct = (cpu_seconds(me) - cpu0) / wall * 100.0;
    let sim_idle_cpu_pct = (cpu_seconds(sim.pid()) - sim0) / wall * 100.0;
    eprintln!(
        "scale: idle {:.1} KiB per session, CPU {idle_cpu_pct:.2} %",
        rss_idle_kib.saturating_sub(rss_base_kib) as f64 / p.sessions.max(1) as f64
    );

    // The long-lived session: logged in, then fed past its seen-id set's capacity.
    let long_lived = (p.long_lived_messages > 0).then(|| {
        let before = own_rss_kib() as i64;
        let heap_before = heap();
        start(p.sessions, &mut handles);
        wait("the long-lived session ready", by, &|| {
            board.ready.load(Ordering::Relaxed) > p.sessions
        });
        std::thread::sleep(Duration::from_millis(200));
        let after_login = own_rss_kib() as i64;
        let heap_after_login = heap();
        let h = &handles[p.sessions];
        let uin = uin_of_long(sim, &board, p.sessions);
        let friend = friend_of(h).0;
        let agent = agent();
        for k in 0..p.long_lived_messages {
            inject(&agent, &sim.base, uin, &friend, &format!("long {k}"));
            // A few hundred at a time in flight at most: the session keeps up.
            if k % 200 == 199 {
                wait("the long-lived session's messages", by, &|| {
                    board.long_lived.load(Ordering::Relaxed) + 50 > k
                });
            }
        }
        wait("the long-lived session's messages", by, &|| {
            board.long_lived.load(Ordering::Relaxed) >= p.long_lived_messages
        });
        std::thread::sleep(Duration::from_millis(200));
        let end = own_rss_kib() as i64;
        let heap_end = heap();
        let l = LongLived {
            messages: board.long_lived.load(Ordering::Relaxed),
            seen_ids: h.snapshot().seen.len(),
            recent: h.with(|c, _| c.recent_messages()),
            rss_kib: end - before,
            rss_messages_kib: end - after_login,
            heap_kib: heap_end.zip(heap_before).map(|(e, b)| e - b),
            heap_messages_kib: heap_end.zip(heap_after_login).map(|(e, a)| e - a),
        };
        eprintln!("scale: long-lived session {l:?}");
        l
    });

    // The rate phase.
    let (rate_cpu0, sim_rate_cpu0) = (cpu_seconds(me), cpu_seconds(sim.pid()));
    let inject_start = Instant::now();
    let targets = Arc::new(targets);
    let injectors: Vec<_> = (0..p.injectors.max(1))
        .map(|j| {
            let (board, targets, base) = (board.clone(), targets.clone(), sim.base.clone());
            let (n, rate, step) = (p.messages, p.rate, p.injectors.max(1));
            std::thread::spawn(move || {
                let agent = agent();
                for k in (j..n).step_by(step) {
                    let at = inject_start + Duration::from_secs_f64(k as f64 / rate);
                    if let Some(d) = at.checked_duration_since(Instant::now()) {
                        std::thread::sleep(d);
                    }
                    let (uin, friend) = &targets[k % targets.len()];
                    board.sent_ns[k].store(board.ns().max(1), Ordering::Relaxed);
                    inject(&agent, &base, *uin, friend, &format!("scale {k}"));
                }
            })
        })
        .collect();
    for t in injectors {
        t.join().expect("an injector");
    }
    let injecting = inject_start.elapsed();
    let delivered = || {
        board
            .count
            .iter()
            .filter(|c| c.load(Ordering::Relaxed) > 0)
            .count()
    };
    let by_delivered = Instant::now() + p.deadline.min(Duration::from_secs(60));
    while delivered() < p.messages && Instant::now() < by_delivered {
        std::thread::sleep(Duration::from_millis(20));
    }
    // A little longer, for a stray duplicate to show up.
    std::thread::sleep(Duration::from_millis(2 * p.hold_ms.min(1_000) + 200));
    let rate_wall = inject_start.elapsed().as_secs_f64();
    let rate_cpu_pct = (cpu_seconds(me) - rate_cpu0) / rate_wall * 100.0;
    let sim_rate_cpu_pct = (cpu_seconds(sim.pid()) - sim_rate_cpu0) / rate_wall * 100.0;

    let mut lat: Vec<f64> = (0..p.messages)
        .filter_map(|k| {
            let (s, g) = (
                board.sent_ns[k].load(Ordering::Relaxed),
                board.got_ns[k].load(Ordering::Relaxed),
            );
            (g > 0).then(|| g.saturating_sub(s) as f64 / 1e6)
        })
        .collect();
    lat.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        if lat.is_empty() {
            return f64::NAN;
        }
        lat[((lat.len() as f64 * q).ceil() as usize).clamp(1, lat.len()) - 1]
    };
    let delivered = delivered();
    let figures = Figures {
        sessions: p.sessions,
        contacts_per_session,
        login,
        rss_base_kib,
        rss_idle_kib,
        idle_heap_kib_per_session,
        idle: p.idle,
        idle_cpu_pct,
        sim_idle_cpu_pct,
        sim_rss_kib,
        long_lived,
        rate: p.rate,
        rate_achieved: p.messages as f64 / injecting.as_secs_f64(),
        injected: p.messages,
        delivered,
        duplicates: board
            .count
            .iter()
            .map(|c| c.load(Ordering::Relaxed).saturating_sub(1) as usize)
            .sum(),
        lost: p.messages - delivered,
        misrouted: board.misrouted.load(Ordering::Relaxed),
        latency_ms: [pct(0.5), pct(0.9), pct(0.99), pct(1.0)],
        rate_cpu_pct,
        sim_rate_cpu_pct,
        load: load_average(),
    };

    // The end: every session shut down, the runtime with them.
    for h in &handles {
        h.shutdown();
    }
    let by = Instant::now() + Duration::from_secs(30);
    while board.ended.load(Ordering::Relaxed) < handles.len() && Instant::now() < by {
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(handles);
    rt.shutdown_timeout(Duration::from_secs(5));
    figures
}

/// The uin of session `i` on the simulator.
fn uin_of_long(sim: &SimProcess, board: &Board, i: usize) -> u64 {
    let me = board.me[i].get().expect("LoggedIn before Ready");
    sim.get("state")["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["user_name"] == me.as_str())
        .and_then(|a| a["uin"].as_u64())
        .expect("the session's account")
}

/// An HTTP agent for the control API (keep-alive, no proxy).
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .proxy(None)
        .build()
        .into()
}

/// `POST /_sim/messages`: a text from `from` to account `uin`.
fn inject(agent: &ureq::Agent, base: &str, uin: u64, from: &str, text: &str) {
    let body: Value = json!({"uin": uin, "from": from, "content": text});
    match agent
        .post(format!("{base}/_sim/messages"))
        .header("content-type", "application/json")
        .send(body.to_string())
    {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => panic!("inject: {}", r.status()),
        Err(e) => panic!("inject: {e}"),
    }
}

/// Raises this process's soft limit of open files to its hard limit (each session holds
/// a socket or two); returns the limit in force.
pub fn raise_open_files() -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut l = getrlimit(Resource::Nofile);
    if l.current != l.maximum {
        l.current = l.maximum;
        let _ = setrlimit(Resource::Nofile, l);
    }
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

/// Starts the simulator: `cmd` (a `webwx sim` entry point: the `soak-sim` binary, or the
/// example itself) with [`sim_args`].
pub fn start_sim(mut cmd: Command, p: &Params) -> SimProcess {
    cmd.args(sim_args(p));
    SimProcess::spawn(cmd)
}
