//! One `webwx serve` on SQLite, `kill -9`ed again and again while messages pour in for
//! all its accounts: not one message may be lost or repeated (issue 17's promise).
//!
//! The gateway saves each session in the transaction of the events it produced, and the
//! driver's commit barrier holds the `webwxsync` that acknowledges a step to the server
//! (which then drops its messages) until that transaction committed, so no kill can
//! fall between the acknowledgement and the commit.
//!
//! On SQLite that window was too narrow to hit before the barrier (0 lost of 3,000 with
//! 30 accounts and 5 kills, with the barrier switched off): the barrier itself is proved
//! by `tests/tests/hyper_saving.rs` (the held webwxsync) and by the PostgreSQL failover
//! story at full size (`scripts/gateway-failover`: 31 lost before it, 0 after). This
//! test keeps the single-node promise under repeated kills at a load CI affords.
//!
//! Real parts: `webwx sim --auto-scan` and the gateway as child processes, a SQLite file
//! in a temporary folder, the log read over SSE. Sizes: `WEBWX_KILL9_ACCOUNTS` (default
//! 8), `WEBWX_KILL9_MESSAGES` (600), `WEBWX_KILL9_KILLS` (3).

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::gateway::{
    Reader, Serve, create_account, get_json, incoming_texts, post_json, sim_uin, wait_for,
};
use common::start_sim;
use serde_json::{Value, json};

/// Generous bounds for a loaded 2-core machine: nothing waits them out when things work.
const LONG: Duration = Duration::from_secs(90);

fn size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn kill_9_under_load_loses_nothing() {
    let accounts = size("WEBWX_KILL9_ACCOUNTS", 8);
    let n = size("WEBWX_KILL9_MESSAGES", 600);
    let kills = size("WEBWX_KILL9_KILLS", 3);
    let (_sim, sim) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.db");
    let flags: Vec<String> = ["--origin", &sim, "--long-poll-ms", "3000"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut gw = Serve::start("127.0.0.1:0", &db, &flags);
    let base = gw.base.clone();
    let ids: Vec<String> = (0..accounts)
        .map(|i| create_account(&base, &format!("bot{i}")))
        .collect();
    let started = Instant::now();
    // Each account's uin and a friend of it at the simulator, to inject from.
    let state = get_json(&sim, "/_sim/state");
    let targets: Vec<(String, u64, String)> = ids
        .iter()
        .map(|id| {
            let user = wait_for("logged in", LONG, || {
                let a = get_json(&base, &format!("/v1/accounts/{id}"));
                (a["state"] == "logged_in")
                    .then(|| a["user"]["user_name"].as_str().unwrap().to_owned())
            });
            let state = if state["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["user_name"] == user.as_str())
            {
                state.clone()
            } else {
                get_json(&sim, "/_sim/state")
            };
            let uin = sim_uin(&state, &user);
            let contacts = get_json(&sim, &format!("/_sim/contacts?uin={uin}"));
            let friend = contacts
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["kind"] == "friend")
                .unwrap()["user_name"]
                .as_str()
                .unwrap()
                .to_owned();
            (id.clone(), uin, friend)
        })
        .collect();
    eprintln!(
        "kill -9 under load: {accounts} accounts logged in after {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Injected as fast as the simulator takes them, round robin: every account always
    // has a sync step on its way when the gateway is killed.
    let injector = {
        let sim = sim.clone();
        let targets = targets.clone();
        std::thread::spawn(move || {
            for i in 0..n {
                let (_, uin, friend) = &targets[i % targets.len()];
                let r = post_json(
                    &sim,
                    "/_sim/messages",
                    &json!({"uin": uin, "from": friend, "content": format!("m{i}")}),
                    &[],
                );
                assert_eq!(r.status, 200, "inject: {}", r.text());
            }
        })
    };
    // Killed `kills` times while the messages come (each time once the log grew, so the
    // kill lands mid-stream), started again on the same file and port each time.
    let port = gw.port();
    let mut resumed = Vec::new();
    for _ in 0..kills {
        let before = injected_so_far(&sim);
        wait_for("more messages injected", LONG, || {
            (injected_so_far(&sim) >= before + (n / (kills + 1)) as u64 / 2
                || injector.is_finished())
            .then_some(())
        });
        gw.kill9();
        gw = Serve::start(&format!("127.0.0.1:{port}"), &db, &flags);
        let t = Instant::now();
        for id in &ids {
            wait_for("resumed", LONG, || {
                (get_json(&base, &format!("/v1/accounts/{id}"))["state"] == "logged_in")
                    .then_some(())
            });
        }
        resumed.push(t.elapsed().as_secs_f64());
    }
    injector.join().unwrap();

    // Every message once, in order, per account.
    let wanted: BTreeMap<String, Vec<String>> = targets
        .iter()
        .enumerate()
        .map(|(a, (id, _, _))| {
            let want = (0..n)
                .filter(|i| i % targets.len() == a)
                .map(|i| format!("m{i}"))
                .collect();
            (id.clone(), want)
        })
        .collect();
    let sse = Reader::sse(&base, 0);
    let mut events = Vec::new();
    let complete = |got: &[Value]| {
        let t = incoming_texts(got, "");
        wanted
            .iter()
            .all(|(id, want)| t.get(id).map_or(0, Vec::len) >= want.len())
    };
    // Waits for every message; if some never come, the counts below say how many.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !complete(&events) && Instant::now() < deadline {
        if let Ok(e) = sse.events.recv_timeout(Duration::from_millis(200)) {
            events.push(e);
        }
    }
    std::thread::sleep(Duration::from_millis(300)); // let a repeat show if there were one
    sse.stop(&mut events);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"].as_u64(), Some(i as u64 + 1), "the log has a hole");
    }
    let got = incoming_texts(&events, "");
    let (mut delivered, mut lost, mut duplicates) = (0, 0, 0);
    for (id, want) in &wanted {
        let have = got.get(id).cloned().unwrap_or_default();
        let unique: std::collections::BTreeSet<&String> = have.iter().collect();
        delivered += unique.len();
        duplicates += have.len() - unique.len();
        lost += want.iter().filter(|m| !unique.contains(m)).count();
    }
    eprintln!(
        "  {kills} kills, all accounts back after {resumed:.2?} s\n  \
         injected {n}, delivered {delivered}, duplicates {duplicates}, lost {lost}"
    );
    assert_eq!((lost, duplicates), (0, 0), "nothing lost, nothing repeated");
    for (id, want) in &wanted {
        assert_eq!(got.get(id), Some(want), "account {id}: in order");
    }
}

/// How many messages the simulator has taken so far.
fn injected_so_far(sim: &str) -> u64 {
    get_json(sim, "/_sim/state")["counters"]["messages_injected"]
        .as_u64()
        .unwrap_or(0)
}
