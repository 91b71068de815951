//! Several `webwx serve --node NAME --db postgres://..` sharing one throwaway PostgreSQL
//! cluster (`scripts/pg-throwaway`), each node its own OS process, against one
//! `webwx sim --auto-scan` process, with short leases (3 s).
//!
//! **The failover story**: 3 nodes, accounts logged in through any node and spread over
//! them by placement, messages injected at a steady rate while the test `kill -9`s one
//! node, then stops a second with SIGTERM (it hands its leases back), then starts a
//! fresh one, to which the remaining node hands accounts back until both hold their
//! share (rebalancing). Every account is back on a live node within the lease time plus 30 s,
//! without a new QR code; every injected message is in the shared event log exactly
//! once and in order per account (read over SSE from a node that lived through it all
//! and from the fresh node); every webhook event is delivered (repeats only with the
//! same seq); every send made through any node (forwarded to the account's owner
//! through the command table) is in `/_sim/sent` exactly once.
//!
//! **The partition drill**: a node is paused (SIGSTOP) past its lease; its accounts
//! move to the other node; resumed (SIGCONT), it notices, stops its stale sessions,
//! every write it attempts is refused by fencing (counted in its metrics), no event is
//! written twice, and it rejoins (live again, and accounts are rebalanced onto it, none
//! lost or repeated across the moves).
//!
//! **A call whose node dies**: the owner is `kill -9`ed while a send forwarded to it
//! hangs at the simulator; the caller gets a 504 `node_lost` within about the lease.
//!
//! Sizes: `WEBWX_FAILOVER_ACCOUNTS` (default 9) and `WEBWX_FAILOVER_MESSAGES` (default
//! 300) keep CI well under three minutes; `scripts/gateway-failover` runs the issue's
//! 30 accounts and 3,000 messages. The figures are printed (`--nocapture`).

mod common;
#[path = "../../gateway/tests/pg/mod.rs"]
mod pg;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::gateway::{
    Hook, Reader, Serve, call, create_account, get_json, incoming_texts, post_json, sim_uin,
    wait_for,
};
use common::start_sim;
use serde_json::{Value, json};

/// The lease of the test nodes.
const LEASE_MS: u64 = 3000;
/// Generous bounds for a loaded 2-core machine (the issue's: lease + 30 s); nothing
/// waits them out when things work.
const LONG: Duration = Duration::from_secs(90);
const BACK: Duration = Duration::from_millis(LEASE_MS + 30_000);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn start_node(db: &str, name: &str, common: &[String]) -> Serve {
    let mut args = common.to_vec();
    args.extend(["--node".into(), name.into()]);
    Serve::start_db("127.0.0.1:0", db, &args)
}

fn flags(sim: &str, hook: &str) -> Vec<String> {
    [
        "--origin",
        sim,
        "--webhook",
        hook,
        "--webhook-retry-ms",
        "50",
        "--webhook-retry-max-ms",
        "400",
        "--long-poll-ms",
        "3000",
        "--lease-ms",
        &LEASE_MS.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// One account: its id, and the simulator's uin and a friend of it.
#[derive(Clone)]
struct Acc {
    id: String,
    uin: u64,
    friend: String,
}

/// Creates `n` accounts through the nodes in turn and waits until all are logged in.
fn log_in(bases: &[&str], sim: &str, n: usize, prefix: &str) -> Vec<Acc> {
    let mut ids = Vec::new();
    for i in 0..n {
        let base = bases[i % bases.len()];
        ids.push(create_account(base, &format!("{prefix}{i}")));
    }
    let deadline = Instant::now() + LONG;
    let users: Vec<String> = ids
        .iter()
        .map(|id| {
            loop {
                let a = get_json(bases[0], &format!("/v1/accounts/{id}"));
                if a["state"] == "logged_in"
                    && let Some(user) = a["user"]["user_name"].as_str()
                {
                    break user.to_owned();
                }
                assert!(Instant::now() < deadline, "not logged in: {a}");
                std::thread::sleep(Duration::from_millis(50));
            }
        })
        .collect();
    let state = get_json(sim, "/_sim/state");
    ids.iter()
        .zip(&users)
        .map(|(id, user)| {
            let uin = sim_uin(&state, user);
            // Contacts through any node (the store's copy on the others).
            let friends = wait_for("contacts", LONG, || {
                let f = get_json(
                    bases[bases.len() - 1],
                    &format!("/v1/accounts/{id}/contacts?kind=friend"),
                );
                f.as_array().filter(|a| !a.is_empty()).cloned()
            });
            Acc {
                id: id.clone(),
                uin,
                friend: friends[0]["user_name"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

/// Account id -> owning node, from `GET /v1/accounts` on `base`.
fn owners(base: &str) -> HashMap<String, (String, String)> {
    get_json(base, "/v1/accounts")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                (
                    a["node"].as_str().unwrap_or_default().to_owned(),
                    a["state"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect()
}

/// Waits until none of `accounts` is owned by `gone` and all are logged in with a
/// live session on their owner; the time it took.
fn wait_moved(base: &str, accounts: &[String], gone: &str, since: Instant) -> Duration {
    wait_for("accounts back on a live node", BACK, || {
        let nodes = get_json(base, "/v1/nodes");
        let held: HashSet<String> = nodes
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["live"] == true && n["name"] != gone)
            .flat_map(|n| n["accounts"].as_array().unwrap().clone())
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        let o = owners(base);
        accounts
            .iter()
            .all(|id| held.contains(id) && o[id].0 != gone && o[id].1 == "logged_in")
            .then_some(())
    });
    since.elapsed()
}

/// A steady injector: `total` messages `m0..` round robin over `accs`, one every
/// `every`; `done` counts them.
fn inject(
    sim: &str,
    accs: &[Acc],
    total: usize,
    every: Duration,
    done: Arc<AtomicUsize>,
) -> std::thread::JoinHandle<()> {
    let sim = sim.to_owned();
    let targets: Vec<(u64, String)> = accs.iter().map(|a| (a.uin, a.friend.clone())).collect();
    std::thread::spawn(move || {
        let start = Instant::now();
        for i in 0..total {
            let (uin, friend) = &targets[i % targets.len()];
            let r = post_json(
                &sim,
                "/_sim/messages",
                &json!({"uin": uin, "from": friend, "content": format!("m{i}")}),
                &[],
            );
            assert_eq!(r.status, 200, "inject: {}", r.text());
            done.fetch_add(1, Ordering::SeqCst);
            // Steady: the i-th message goes out at i * every (no drift).
            let next = start + every * (i as u32 + 1);
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
    })
}

/// What each account must have got, in order.
fn expected(accs: &[Acc], total: usize) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in 0..total {
        m.entry(accs[i % accs.len()].id.clone())
            .or_default()
            .push(format!("m{i}"));
    }
    m
}

fn metric(base: &str, name: &str) -> u64 {
    let r = call(base, "GET", "/metrics", &[], b"");
    r.text()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn sent_texts(sim: &str, text: &str) -> usize {
    get_json(sim, "/_sim/sent")
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["content"] == text)
        .count()
}

#[test]
fn failover_story() {
    let n_accounts = env_or("WEBWX_FAILOVER_ACCOUNTS", 9).max(3);
    let n_messages = env_or("WEBWX_FAILOVER_MESSAGES", 300);
    let every = Duration::from_millis(env_or("WEBWX_FAILOVER_EVERY_MS", 30) as u64);
    let cluster = pg::PgCluster::start();
    let (_sim, sim) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "300"]);
    let hook = Hook::start(0);
    let common = flags(&sim, &hook.url);
    let mut n0 = Some(start_node(&cluster.url, "n0", &common));
    let mut n1 = Some(start_node(&cluster.url, "n1", &common));
    let n2 = start_node(&cluster.url, "n2", &common);
    let (b0, b1, b2) = (
        n0.as_ref().unwrap().base.clone(),
        n1.as_ref().unwrap().base.clone(),
        n2.base.clone(),
    );
    let t0 = Instant::now();
    let accs = log_in(&[&b0, &b1, &b2], &sim, n_accounts, "acct");
    let login_time = t0.elapsed();
    // Placement spread them: each node holds its share.
    let o = owners(&b2);
    let per_node = |name: &str| o.values().filter(|(n, _)| n == name).count();
    let share = n_accounts.div_ceil(3);
    for name in ["n0", "n1", "n2"] {
        let k = per_node(name);
        assert!(
            k >= 1 && k <= share,
            "{name} holds {k} of {n_accounts}: {o:?}"
        );
    }
    let qr_at_start = sim_qr_count(&sim);

    // A reader on n2, which lives through it all, from the start of the log.
    let live = Reader::sse(&b2, 0);
    let mut live_events = Vec::new();

    let done = Arc::new(AtomicUsize::new(0));
    let injector = inject(&sim, &accs, n_messages, every, done.clone());

    // kill -9 n0 a third of the way through.
    wait_for("a third injected", LONG, || {
        (done.load(Ordering::SeqCst) >= n_messages / 3).then_some(())
    });
    let of_n0: Vec<String> = owners(&b2)
        .into_iter()
        .filter(|(_, (n, _))| n == "n0")
        .map(|(id, _)| id)
        .collect();
    let killed_at = Instant::now();
    n0.take().unwrap().kill9();
    let kill_failover = wait_moved(&b2, &of_n0, "n0", killed_at);

    // SIGTERM n1 two thirds of the way through: it hands its leases back.
    wait_for("two thirds injected", LONG, || {
        (done.load(Ordering::SeqCst) >= 2 * n_messages / 3).then_some(())
    });
    let of_n1: Vec<String> = owners(&b2)
        .into_iter()
        .filter(|(_, (n, _))| n == "n1")
        .map(|(id, _)| id)
        .collect();
    let termed_at = Instant::now();
    let mut stopping = n1.take().unwrap();
    stopping.signal("TERM");
    assert_eq!(stopping.wait_exit(LONG), Some(0), "a graceful stop");
    let term_exit = termed_at.elapsed();
    let term_failover = wait_moved(&b2, &of_n1, "n1", termed_at);

    // A fresh node joins.
    let n3 = start_node(&cluster.url, "n3", &common);
    let b3 = n3.base.clone();
    wait_for("n3 live", LONG, || {
        get_json(&b3, "/v1/nodes")
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["name"] == "n3" && n["live"] == true)
            .then_some(())
    });
    let joined = Instant::now();
    // n2 holds every account, more than its share now: it hands them back one at a time
    // until n3 holds its share too (rebalancing), each resumed without a QR code.
    let (low, high) = (n_accounts / 2, n_accounts.div_ceil(2));
    wait_for("rebalanced onto n3", LONG, || {
        let o = owners(&b3);
        let on = |node: &str| {
            o.values()
                .filter(|(n, s)| n == node && s == "logged_in")
                .count()
        };
        let (a, b) = (on("n2"), on("n3"));
        (a + b == n_accounts && (low..=high).contains(&a) && (low..=high).contains(&b))
            .then_some(())
    });
    let rebalanced = joined.elapsed();
    injector.join().unwrap();

    // Sends through every live node, for accounts each does not hold (forwarded to the
    // owner through the command table), each POSTed twice under one key through two
    // different nodes.
    let o = owners(&b3);
    for (i, a) in accs.iter().enumerate() {
        let owner = &o[&a.id].0;
        let (first, second) = if owner == "n2" {
            (&b3, &b2)
        } else {
            (&b2, &b3)
        };
        let text = format!("reply {i}");
        let key = format!("send-{i}");
        let path = format!("/v1/accounts/{}/messages", a.id);
        let body = json!({"to": a.friend, "text": text});
        let r1 = post_json(first, &path, &body, &[("Idempotency-Key", &key)]);
        assert_eq!(r1.status, 200, "{}", r1.text());
        let r2 = post_json(second, &path, &body, &[("Idempotency-Key", &key)]);
        assert_eq!(r2.status, 200, "{}", r2.text());
        assert_eq!(r1.json()["result"], r2.json()["result"], "the same answer");
    }
    for i in 0..accs.len() {
        assert_eq!(sent_texts(&sim, &format!("reply {i}")), 1, "reply {i} once");
    }

    // Every injected message exactly once, in order per account, on both readers.
    let want = expected(&accs, n_messages);
    let deadline = Instant::now() + LONG;
    while incoming_texts(&live_events, "m")
        .values()
        .map(Vec::len)
        .sum::<usize>()
        < n_messages
        && Instant::now() < deadline
    {
        if let Ok(v) = live.events.recv_timeout(Duration::from_millis(200)) {
            live_events.push(v);
        }
    }
    live.stop(&mut live_events);
    let got = incoming_texts(&live_events, "m");
    if got != want {
        // What is missing, and where its account runs.
        let o = owners(&b3);
        for (a, ts) in &want {
            let have = got.get(a).map_or(0, Vec::len);
            if have != ts.len() {
                eprintln!(
                    "account {a} on {:?}: {have} of {} messages; last {:?}",
                    o.get(a),
                    ts.len(),
                    got.get(a).and_then(|g| g.last())
                );
            }
        }
    }
    let fresh = Reader::sse(&b3, 0);
    let mut fresh_events = Vec::new();
    let head = live_events.last().unwrap()["seq"].as_u64().unwrap();
    fresh.take_until(&mut fresh_events, LONG, |got| {
        got.last()
            .is_some_and(|e| e["seq"].as_u64().unwrap() >= head)
    });
    fresh.stop(&mut fresh_events);
    let delivered: usize = got.values().map(Vec::len).sum();
    let unique: HashSet<(&String, &String)> = got
        .iter()
        .flat_map(|(a, ts)| ts.iter().map(move |t| (a, t)))
        .collect();
    let duplicates = delivered - unique.len();
    let lost = want
        .iter()
        .map(|(a, ts)| ts.iter().filter(|t| !unique.contains(&(a, *t))).count())
        .sum::<usize>();
    for (i, e) in fresh_events.iter().enumerate() {
        assert_eq!(e["seq"].as_u64(), Some(i as u64 + 1), "contiguous: {e}");
    }
    assert_eq!(
        &fresh_events[..live_events.len().min(fresh_events.len())],
        &live_events[..live_events.len().min(fresh_events.len())],
        "every node serves the one log"
    );

    // No new QR code: no qr_code event after the logins, none pending in the sim.
    let qr_after = fresh_events
        .iter()
        .filter(|e| e["event"] == "qr_code")
        .count();
    assert_eq!(
        qr_after, n_accounts,
        "one QR code per account, at its login"
    );
    assert_eq!(
        sim_qr_count(&sim),
        qr_at_start,
        "no new login at the simulator"
    );

    // Webhooks: every message event delivered; repeats only with the same seq and body.
    let message_seqs: HashSet<u64> = fresh_events
        .iter()
        .filter(|e| e["event"] == "message")
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    let hooked = wait_for("every webhook delivery", LONG, || {
        let d = hook.deliveries();
        let seqs: HashSet<u64> = d.iter().map(|d| d.seq).collect();
        message_seqs.is_subset(&seqs).then_some(d)
    });
    let mut by_seq: HashMap<u64, &Value> = HashMap::new();
    let mut hook_repeats = 0;
    for d in &hooked {
        if let Some(prev) = by_seq.insert(d.seq, &d.event) {
            hook_repeats += 1;
            assert_eq!(prev, &d.event, "a repeat carries the same event");
        }
    }

    println!(
        "failover story: 3 nodes + 1 fresh, {n_accounts} accounts, {n_messages} messages \
         (one every {every:?}), lease {LEASE_MS} ms\n  \
         logins: {:.1} s\n  \
         kill -9 n0 ({} accounts): all back logged in on live nodes after {:.1} s\n  \
         SIGTERM n1 ({} accounts): exited after {:.2} s, all back after {:.1} s\n  \
         fresh n3: rebalanced to {low}..{high} accounts per node after {:.1} s\n  \
         injected {n_messages}, delivered {delivered}, duplicates {duplicates}, lost {lost}\n  \
         webhook deliveries {} (repeats with the same seq: {hook_repeats}), sends {} once each",
        login_time.as_secs_f64(),
        of_n0.len(),
        kill_failover.as_secs_f64(),
        of_n1.len(),
        term_exit.as_secs_f64(),
        term_failover.as_secs_f64(),
        rebalanced.as_secs_f64(),
        hooked.len(),
        accs.len(),
    );
    assert_eq!(got, want, "every message once, in order per account");
    assert_eq!((duplicates, lost), (0, 0));
    drop(n3);
    drop(n2);
}

/// How many QR logins the simulator has seen (its `uuid`s handed out).
fn sim_qr_count(sim: &str) -> usize {
    let state = get_json(sim, "/_sim/state");
    state["accounts"].as_array().map_or(0, Vec::len)
}

#[test]
fn partition_drill() {
    let cluster = pg::PgCluster::start();
    let (_sim, sim) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "300"]);
    let hook = Hook::start(0);
    let common = flags(&sim, &hook.url);
    let a = start_node(&cluster.url, "a", &common);
    let b = start_node(&cluster.url, "b", &common);
    let accs = log_in(&[&a.base, &b.base], &sim, 4, "drill");
    let qr_at_start = sim_qr_count(&sim);
    let of_a: Vec<Acc> = {
        let o = owners(&b.base);
        accs.iter().filter(|x| o[&x.id].0 == "a").cloned().collect()
    };
    assert!(!of_a.is_empty());
    let of_a_ids: Vec<String> = of_a.iter().map(|x| x.id.clone()).collect();

    // Pause a past its lease while messages keep coming for its accounts.
    a.signal("STOP");
    let paused = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let injector = inject(&sim, &of_a, 40, Duration::from_millis(50), done.clone());
    let moved = wait_moved(&b.base, &of_a_ids, "a", paused);
    injector.join().unwrap();
    // Resume it: it must notice and stop its stale sessions.
    a.signal("CONT");
    let resumed = Instant::now();
    wait_for("a notices", LONG, || {
        (metric(&a.base, "webwx_leases_lost_total") >= of_a.len() as u64).then_some(())
    });
    let noticed = resumed.elapsed();
    // It rejoins: live again.
    wait_for("a live again", LONG, || {
        get_json(&b.base, "/v1/nodes")
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["name"] == "a" && n["live"] == true)
            .then_some(())
    });
    let rejoined = Instant::now();
    // More messages after the resume reach the new owner only.
    inject_named(&sim, &of_a, "late", 8);
    let want: usize = 40 + 8;
    let reader = Reader::sse(&b.base, 0);
    let mut events = Vec::new();
    reader.take_until(&mut events, LONG, |got| {
        got.iter()
            .filter(|e| {
                e["event"] == "message"
                    && e["kind"]["text"]
                        .as_str()
                        .is_some_and(|t| t.starts_with('m') || t.starts_with("late"))
            })
            .count()
            >= want
    });
    // Give a stale writer time to try (it is refused).
    std::thread::sleep(Duration::from_millis(LEASE_MS));
    reader.stop(&mut events);
    let msgs: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["event"] == "message")
        .filter_map(|e| {
            let t = e["kind"]["text"].as_str()?;
            (t.starts_with('m') || t.starts_with("late"))
                .then(|| (e["account"].as_str().unwrap().to_owned(), t.to_owned()))
        })
        .collect();
    let unique: HashSet<&(String, String)> = msgs.iter().collect();
    assert_eq!(msgs.len(), unique.len(), "no event twice: {msgs:?}");
    assert_eq!(msgs.len(), want, "nothing lost");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"].as_u64(), Some(i as u64 + 1));
    }
    let fenced = metric(&a.base, "webwx_fenced_writes_total");
    let lost = metric(&a.base, "webwx_leases_lost_total");
    // Rejoined: b holds all 4, more than its share, and a none, so b hands accounts back
    // one at a time until each holds 2 (rebalancing); a resumes them from the store,
    // without a QR code.
    wait_for("rebalanced", LONG, || {
        let o = owners(&b.base);
        let on = |node: &str| {
            o.values()
                .filter(|(n, s)| n == node && s == "logged_in")
                .count()
        };
        (on("a") == 2 && on("b") == 2).then_some(())
    });
    let rebalanced = rejoined.elapsed();
    assert_eq!(sim_qr_count(&sim), qr_at_start, "no new QR login");
    // Nothing lost or repeated across the moves: messages for every account arrive once.
    let head = events.last().unwrap()["seq"].as_u64().unwrap();
    inject_named(&sim, &accs, "moved", 8);
    let reader = Reader::sse(&a.base, head);
    let mut after = Vec::new();
    let moved_msgs = |got: &[Value]| {
        got.iter()
            .filter(|e| {
                e["event"] == "message"
                    && e["kind"]["text"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("moved"))
            })
            .count()
    };
    reader.take_until(&mut after, LONG, |got| moved_msgs(got) >= 8);
    std::thread::sleep(Duration::from_millis(500)); // let a repeat show if there were one
    reader.stop(&mut after);
    assert_eq!(moved_msgs(&after), 8, "once each after the moves");
    println!(
        "partition drill: lease {LEASE_MS} ms, {} accounts on the paused node\n  \
         paused -> all on the other node: {:.1} s\n  \
         resumed -> stale sessions stopped: {:.2} s (leases lost {lost})\n  \
         writes refused by fencing after the resume: {fenced}\n  \
         messages injected {want}, in the log {} (duplicates 0)\n  \
         rejoined -> rebalanced to 2 + 2 within {:.1} s (no new QR code; 8 messages after \
         the moves, once each)",
        of_a.len(),
        moved.as_secs_f64(),
        noticed.as_secs_f64(),
        msgs.len(),
        rebalanced.as_secs_f64(),
    );
    drop(hook);
}

/// A call forwarded to the account's node, which dies (`kill -9`) while running it: the
/// caller gets a typed 504 (`node_lost`) once the dead node's heartbeat is a lease old,
/// not after its own limit (300 s for a command).
#[test]
fn a_call_whose_node_dies_answers_504() {
    let cluster = pg::PgCluster::start();
    let (_sim, sim) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "300"]);
    let hook = Hook::start(0);
    let common = flags(&sim, &hook.url);
    let a = start_node(&cluster.url, "a", &common);
    let b = start_node(&cluster.url, "b", &common);
    let accs = log_in(&[&a.base, &b.base], &sim, 2, "dies");
    let o = owners(&b.base);
    let acc = accs
        .iter()
        .find(|x| o[&x.id].0 == "a")
        .expect("an account on a")
        .clone();
    // The owner's sends hang at the simulator: the call is running when a dies.
    let r = post_json(
        &sim,
        "/_sim/faults",
        &json!({"endpoint": "webwxsendmsg", "kind": "hang", "count": 20, "uin": acc.uin}),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let caller = {
        let base = b.base.clone();
        let path = format!("/v1/accounts/{}/messages", acc.id);
        let body = json!({"to": acc.friend, "text": "never answered"});
        std::thread::spawn(move || {
            let r = post_json(&base, &path, &body, &[("Idempotency-Key", "dies-1")]);
            (Instant::now(), r)
        })
    };
    wait_for("the send hangs at the simulator", LONG, || {
        (get_json(&sim, "/_sim/state")["counters"]["faults_fired"]
            .as_u64()
            .unwrap_or(0)
            >= 1)
            .then_some(())
    });
    let killed = Instant::now();
    a.kill9();
    let (answered, r) = caller.join().unwrap();
    let waited = answered - killed;
    assert_eq!(r.status, 504, "{}", r.text());
    let err = r.json();
    assert_eq!(err["error"]["kind"], "node_lost", "{err}");
    // The dead node's heartbeat must be a lease old first; the bound is the issue's
    // generous one (lease + 30 s), far below the caller's own limit of 300 s.
    assert!(waited < BACK, "answered after {waited:?}");
    println!(
        "a call whose node dies: 504 node_lost {:.1} s after the kill -9 (lease {LEASE_MS} ms)",
        waited.as_secs_f64()
    );
    drop(b);
    drop(hook);
}

fn inject_named(sim: &str, accs: &[Acc], prefix: &str, n: usize) {
    for i in 0..n {
        let acc = &accs[i % accs.len()];
        let r = post_json(
            sim,
            "/_sim/messages",
            &json!({"uin": acc.uin, "from": acc.friend, "content": format!("{prefix}{i}")}),
            &[],
        );
        assert_eq!(r.status, 200);
    }
}
