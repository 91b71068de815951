//! Figures of `webwx serve` (not a timed test): `cargo bench -p webwx-cli --bench gateway`
//! (release build). `webwx sim` and `webwx serve` run as child processes on 127.0.0.1 with
//! a SQLite file in a temporary folder.
//!
//! - memory per account: the gateway's RSS after ACCOUNTS accounts logged in, less its
//!   RSS before, divided by ACCOUNTS;
//! - events/s through SSE: messages injected across every account (several injecting
//!   threads) until the last one is read on a Server-Sent Events stream, end to end
//!   (simulator → session → store → SSE); and reading the whole log again from `after=0`;
//! - `kill -9` to every account back: from the kill to every account `logged_in` again
//!   (the new process started at once on the same file, no QR code).
//!
//! `WEBWX_BENCH_ACCOUNTS` (default 100) and `WEBWX_BENCH_MESSAGES` (default 10000) change
//! the sizes, `WEBWX_BENCH_INJECTORS` (default 4) the injecting threads. The end-to-end
//! figure comes with the CPU time the gateway and the simulator spent on it (events per
//! CPU-second of the gateway: a figure the other loads of a shared machine move less)
//! and the load average.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::gateway::{Reader, Serve, get_json, post_json, wait_for};
use common::start_sim;
use serde_json::{Value, json};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// CPU time (user + system) of process `pid` from `/proc/PID/stat`, seconds (USER_HZ 100).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    (f.get(11).unwrap_or(&0) + f.get(12).unwrap_or(&0)) as f64 / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn all_logged_in(base: &str, n: usize) -> bool {
    let accounts = get_json(base, "/v1/accounts");
    let a = accounts.as_array().unwrap();
    a.len() == n && a.iter().all(|a| a["state"] == "logged_in")
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let accounts = env("WEBWX_BENCH_ACCOUNTS", 100);
    let messages = env("WEBWX_BENCH_MESSAGES", 10_000);
    let injectors = env("WEBWX_BENCH_INJECTORS", 4).max(1);
    let (sim_child, sim) = start_sim(&[
        "--auto-scan",
        "--hold-ms",
        "1000",
        "--scan-delay-ms",
        "20",
        "--contacts",
        "8",
        "--groups",
        "1",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let flags: Vec<String> = ["--origin", &sim, "--long-poll-ms", "5000"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let gw = Serve::start("127.0.0.1:0", &db, &flags);
    let base = gw.base.clone();
    let pid = gw.child.0.id();
    std::thread::sleep(Duration::from_millis(500));
    let rss_before = rss_kib(pid);

    let started = Instant::now();
    for i in 0..accounts {
        let r = post_json(
            &base,
            "/v1/accounts",
            &json!({"name": format!("bench{i}")}),
            &[],
        );
        assert_eq!(r.status, 201, "{}", r.text());
    }
    wait_for("every account logged in", Duration::from_secs(600), || {
        all_logged_in(&base, accounts).then_some(())
    });
    let login_time = started.elapsed();
    std::thread::sleep(Duration::from_secs(2));
    let rss_after = rss_kib(pid);
    let per_account = (rss_after.saturating_sub(rss_before)) as f64 / accounts as f64;

    // The accounts' uins and a friend of each.
    let users: Vec<(String, String)> = get_json(&base, "/v1/accounts")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                a["user"]["user_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let state = get_json(&sim, "/_sim/state");
    let targets: Vec<(u64, String)> = users
        .iter()
        .map(|(id, user)| {
            let uin = state["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["user_name"] == user.as_str())
                .unwrap()["uin"]
                .as_u64()
                .unwrap();
            let friend = wait_for("contacts", Duration::from_secs(60), || {
                let f = get_json(&base, &format!("/v1/accounts/{id}/contacts?kind=friend"));
                f.as_array()
                    .and_then(|a| a.first())
                    .map(|c| c["user_name"].as_str().unwrap().to_owned())
            });
            (uin, friend)
        })
        .collect();

    // End to end: inject from `injectors` threads, read on SSE.
    let head: u64 = {
        let m = common::gateway::call(&base, "GET", "/metrics", &[], b"").text();
        m.lines()
            .find_map(|l| l.strip_prefix("webwx_event_seq "))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let sse = Reader::sse(&base, head);
    let sim_pid = sim_child.0.id();
    let (gw_cpu0, sim_cpu0) = (cpu_seconds(pid), cpu_seconds(sim_pid));
    let start = Instant::now();
    let threads: Vec<_> = (0..injectors)
        .map(|t| {
            let sim = sim.clone();
            let targets = targets.clone();
            std::thread::spawn(move || {
                for i in (t..messages).step_by(injectors) {
                    let (uin, friend) = &targets[i % targets.len()];
                    let r = post_json(
                        &sim,
                        "/_sim/messages",
                        &json!({"uin": uin, "from": friend, "content": format!("b{i}")}),
                        &[],
                    );
                    assert_eq!(r.status, 200);
                }
            })
        })
        .collect::<Vec<_>>();
    let injecting = std::thread::spawn(move || {
        for t in threads {
            t.join().unwrap();
        }
        start.elapsed()
    });
    let mut got: Vec<Value> = Vec::new();
    // Counted as they come (the stop condition runs once per event).
    let counted = std::cell::Cell::new(0usize);
    sse.take_until(&mut got, Duration::from_secs(900), |g| {
        if let Some(e) = g.last()
            && e["event"] == "message"
            && e["outgoing"] == false
        {
            counted.set(counted.get() + 1);
        }
        counted.get() >= messages
    });
    let end_to_end = start.elapsed();
    let (gw_cpu, sim_cpu) = (cpu_seconds(pid) - gw_cpu0, cpu_seconds(sim_pid) - sim_cpu0);
    let injected = injecting.join().unwrap();
    let mut rest = Vec::new();
    sse.stop(&mut rest);
    let total_events = got.last().unwrap()["seq"].as_u64().unwrap();

    // Reading the whole log again.
    let replay = Reader::sse(&base, 0);
    let start = Instant::now();
    let mut all = Vec::new();
    replay.take_until(&mut all, Duration::from_secs(600), |g| {
        g.len() as u64 >= total_events
    });
    let replay_time = start.elapsed();
    let mut rest = Vec::new();
    replay.stop(&mut rest);

    // kill -9 and back.
    let port = gw.port();
    let killed = Instant::now();
    gw.kill9();
    let gw = Serve::start(&format!("127.0.0.1:{port}"), &db, &flags);
    wait_for("every account back", Duration::from_secs(600), || {
        all_logged_in(&base, accounts).then_some(())
    });
    let back = killed.elapsed();
    let qr_after: usize = {
        let r = Reader::sse(&base, total_events);
        let mut evs = Vec::new();
        std::thread::sleep(Duration::from_millis(500));
        r.stop(&mut evs);
        evs.iter().filter(|e| e["event"] == "qr_code").count()
    };
    drop(gw);

    println!(
        "gateway bench: {accounts} accounts, {messages} messages (release build, 127.0.0.1), load average {}",
        load_average()
    );
    println!(
        "  all accounts logged in (QR, scan, init, contacts): {:.1} s",
        login_time.as_secs_f64()
    );
    println!(
        "  memory: RSS {} KiB before, {} KiB with {accounts} accounts -> {:.0} KiB per account",
        rss_before, rss_after, per_account
    );
    println!(
        "  end to end (inject -> store -> SSE): {messages} messages in {:.2} s = {:.0} messages/s",
        end_to_end.as_secs_f64(),
        messages as f64 / end_to_end.as_secs_f64()
    );
    println!(
        "    (the simulator took the {messages} injections from {injectors} threads in {:.2} s = {:.0}/s: the bound of this figure)",
        injected.as_secs_f64(),
        messages as f64 / injected.as_secs_f64()
    );
    println!(
        "    CPU meanwhile: gateway {gw_cpu:.2} s ({:.0} % of a core; {:.0} messages per CPU-second), simulator {sim_cpu:.2} s",
        gw_cpu / end_to_end.as_secs_f64() * 100.0,
        messages as f64 / gw_cpu.max(0.01)
    );
    println!(
        "  SSE replay of the log: {total_events} events in {:.2} s = {:.0} events/s",
        replay_time.as_secs_f64(),
        total_events as f64 / replay_time.as_secs_f64()
    );
    println!(
        "  kill -9 to all {accounts} accounts logged in again: {:.2} s ({qr_after} QR codes after the restart)",
        back.as_secs_f64()
    );
}
