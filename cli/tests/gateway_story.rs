//! The whole story of `webwx serve`, with real parts: `webwx sim --auto-scan --hold-ms
//! 200` and the gateway as child processes, a real SQLite file in a temporary folder,
//! Server-Sent Events, a WebSocket and a webhook receiver on 127.0.0.1.
//!
//! Three accounts log in (QR codes as PNGs); messages are injected across them and read
//! over SSE and the WebSocket, each exactly once and in order per account, through a
//! disconnect resumed with `after`; a text and a file sent through the API (each POSTed
//! twice with one Idempotency-Key) reach the simulator once; the webhook receiver fails
//! its first requests and still gets every event, in order per account; a webhook
//! answer `{"reply"}` is sent to the message's chat once; the gateway is `kill -9`ed
//! while messages keep coming and started again on the same file: the accounts come
//! back without a QR code and the events go on without a gap or a repeat.
//!
//! `WEBWX_STORY_MESSAGES` sets how many messages (default 150, which keeps the test well
//! under two minutes; `scripts/gateway-story` runs 300).

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::gateway::{
    Hook, Reader, Serve, call, create_account, get_json, incoming_texts, post_json, sim_uin,
    wait_for,
};
use common::start_sim;
use serde_json::{Value, json};

const ACCOUNTS: usize = 3;
/// Generous bounds for a loaded 2-core machine: nothing here waits them out when
/// things work.
const LONG: Duration = Duration::from_secs(90);

fn messages() -> usize {
    std::env::var("WEBWX_STORY_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

/// One logged-in gateway account and what the simulator knows of it.
struct Acc {
    id: String,
    uin: u64,
    friend: String,
    friend_nick: String,
}

fn inject(sim: &str, acc: &Acc, content: &str) {
    let r = post_json(
        sim,
        "/_sim/messages",
        &json!({"uin": acc.uin, "from": acc.friend, "content": content}),
        &[],
    );
    assert_eq!(r.status, 200, "inject: {}", r.text());
}

/// Every seq from 1 to the last, once, in order.
fn assert_contiguous(what: &str, events: &[Value]) {
    for (i, e) in events.iter().enumerate() {
        assert_eq!(
            e["seq"].as_u64(),
            Some(i as u64 + 1),
            "{what}: event {i} is {e}"
        );
    }
}

fn sent_with(sim: &str, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
    get_json(sim, "/_sim/sent")
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| pred(s))
        .cloned()
        .collect()
}

#[test]
fn the_whole_story() {
    let n = messages();
    let (_sim, sim) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "400"]);
    let hook = Hook::start(3);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.db");
    let flags: Vec<String> = [
        "--origin",
        &sim,
        "--webhook",
        &hook.url,
        "--webhook-retry-ms",
        "50",
        "--webhook-retry-max-ms",
        "400",
        "--long-poll-ms",
        "3000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let gw = Serve::start("127.0.0.1:0", &db, &flags);
    let base = gw.base.clone();

    // 401 without the token changes nothing.
    let anonymous = common::http("POST", &base, "/v1/accounts", "{}");
    assert_eq!(anonymous.0, 401);
    assert_eq!(get_json(&base, "/v1/accounts"), json!([]));

    // Three accounts: each shows a QR code (PNG) until the simulator's phone scans it.
    let mut ids = Vec::new();
    for i in 0..ACCOUNTS {
        let id = create_account(&base, &format!("bot{i}"));
        let png = wait_for("a QR code", LONG, || {
            let r = call(&base, "GET", &format!("/v1/accounts/{id}/qr.png"), &[], b"");
            (r.status == 200).then_some(r)
        });
        assert!(png.head.contains("content-type: image/png"));
        assert_eq!(&png.body[..8], b"\x89PNG\r\n\x1a\n");
        ids.push(id);
    }
    let users: Vec<String> = ids
        .iter()
        .map(|id| {
            wait_for("logged in", LONG, || {
                let a = get_json(&base, &format!("/v1/accounts/{id}"));
                (a["state"] == "logged_in")
                    .then(|| a["user"]["user_name"].as_str().unwrap().to_owned())
            })
        })
        .collect();
    let state = get_json(&sim, "/_sim/state");
    let accs: Vec<Acc> = ids
        .iter()
        .zip(&users)
        .map(|(id, user)| {
            let uin = sim_uin(&state, user);
            // The gateway's contacts, by kind, agree with the simulator's.
            let friends = wait_for("contacts", LONG, || {
                let f = get_json(&base, &format!("/v1/accounts/{id}/contacts?kind=friend"));
                f.as_array().filter(|a| !a.is_empty()).cloned()
            });
            let sim_friends = get_json(&sim, &format!("/_sim/contacts?uin={uin}"));
            let n_friends = sim_friends
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["kind"] == "friend")
                .count();
            assert_eq!(friends.len(), n_friends);
            Acc {
                id: id.clone(),
                uin,
                friend: friends[0]["user_name"].as_str().unwrap().to_owned(),
                friend_nick: friends[0]["nick_name"].as_str().unwrap().to_owned(),
            }
        })
        .collect();

    // Readers from the start of the log.
    let sse = Reader::sse(&base, 0);
    let ws = Reader::ws(&base, 0);
    let mut sse_events = Vec::new();
    let mut ws_events = Vec::new();

    // The first half of the messages, round robin.
    let first = n / 2;
    for i in 0..first {
        inject(&sim, &accs[i % ACCOUNTS], &format!("m{i}"));
    }
    // Disconnect SSE midway and resume with `after`.
    sse.take_until(&mut sse_events, LONG, |got| {
        incoming_texts(got, "")
            .values()
            .map(Vec::len)
            .sum::<usize>()
            >= first / 2
    });
    sse.stop(&mut sse_events);
    let last = sse_events.last().unwrap()["seq"].as_u64().unwrap();
    let sse = Reader::sse(&base, last);

    // A text and a file through the API, each POSTed twice with one Idempotency-Key.
    let a0 = &accs[0];
    let msgs = format!("/v1/accounts/{}/messages", a0.id);
    let text = json!({"to": a0.friend_nick, "text": "hello from the API"});
    let one = post_json(&base, &msgs, &text, &[("Idempotency-Key", "text-1")]);
    assert_eq!(one.status, 200, "{}", one.text());
    let two = post_json(&base, &msgs, &text, &[("Idempotency-Key", "text-1")]);
    assert_eq!(one.body, two.body);
    let boundary = "XyZ-boundary";
    let mut form = Vec::new();
    form.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.txt\"\r\nContent-Type: text/plain\r\n\r\n",
            a0.friend
        )
        .as_bytes(),
    );
    form.extend_from_slice(b"the file's bytes\n");
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    let headers = [("Content-Type", ct.as_str()), ("Idempotency-Key", "file-1")];
    let f1 = call(&base, "POST", &msgs, &headers, &form);
    assert_eq!(f1.status, 200, "{}", f1.text());
    let f2 = call(&base, "POST", &msgs, &headers, &form);
    assert_eq!(f1.body, f2.body);
    assert_eq!(
        sent_with(&sim, |s| s["content"] == "hello from the API").len(),
        1
    );
    let files = sent_with(&sim, |s| s["file_name"] == "report.txt");
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["media_md5"], md5_hex(b"the file's bytes\n"));
    // The same through /commands: a key already used for another command is refused.
    let mismatch = post_json(
        &base,
        &format!("/v1/accounts/{}/commands", a0.id),
        &json!({"cmd": "send_text", "to": a0.friend, "text": "other"}),
        &[("Idempotency-Key", "text-1")],
    );
    assert_eq!(mismatch.status, 422, "{}", mismatch.text());

    // A quick reply through the webhook's answer.
    inject(&sim, a0, "please reply");
    let reply = wait_for("the webhook's reply", LONG, || {
        let r = sent_with(&sim, |s| s["content"] == "auto reply");
        (!r.is_empty()).then_some(r)
    });
    assert_eq!(reply[0]["to"], a0.friend.as_str());

    // The second half while the gateway is killed and started again.
    ws.take_until(&mut ws_events, LONG, |got| {
        incoming_texts(got, "")
            .values()
            .map(Vec::len)
            .sum::<usize>()
            >= first
    });
    let second: Vec<String> = (first..n).map(|i| format!("m{i}")).collect();
    let injector = {
        let sim = sim.clone();
        let targets: Vec<(u64, String)> = accs.iter().map(|a| (a.uin, a.friend.clone())).collect();
        let second = second.clone();
        std::thread::spawn(move || {
            for (i, content) in second.iter().enumerate() {
                let (uin, friend) = &targets[(first + i) % ACCOUNTS];
                let r = post_json(
                    &sim,
                    "/_sim/messages",
                    &json!({"uin": uin, "from": friend, "content": content}),
                    &[],
                );
                assert_eq!(r.status, 200);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(30 * (n as u64 / 30).max(1)));
    let port = gw.port();
    gw.kill9();
    sse.stop(&mut sse_events);
    ws.stop(&mut ws_events);
    let head_at_kill = sse_events.last().unwrap()["seq"]
        .as_u64()
        .unwrap()
        .max(ws_events.last().unwrap()["seq"].as_u64().unwrap());
    let gw = Serve::start(&format!("127.0.0.1:{port}"), &db, &flags);
    assert_eq!(gw.base, base);
    injector.join().unwrap();

    // Back without a QR code.
    for a in &accs {
        wait_for("resumed", LONG, || {
            (get_json(&base, &format!("/v1/accounts/{}", a.id))["state"] == "logged_in")
                .then_some(())
        });
    }
    let sse = Reader::sse(&base, sse_events.last().unwrap()["seq"].as_u64().unwrap());
    let ws = Reader::ws(&base, ws_events.last().unwrap()["seq"].as_u64().unwrap());
    // What each account must have got: its messages of the first half, then (account 0)
    // the one that asked for a reply, then its messages of the second half.
    let wanted: Vec<Vec<String>> = (0..ACCOUNTS)
        .map(|i| {
            let of = |range: std::ops::Range<usize>| -> Vec<String> {
                range
                    .filter(|k| k % ACCOUNTS == i)
                    .map(|k| format!("m{k}"))
                    .collect()
            };
            let mut want = of(0..first);
            if i == 0 {
                want.push("please reply".into());
            }
            want.extend(of(first..n));
            want
        })
        .collect();
    let all_there = |got: &[Value]| {
        let t = incoming_texts(got, "");
        accs.iter()
            .zip(&wanted)
            .all(|(a, want)| t.get(&a.id).map_or(0, Vec::len) >= want.len())
    };
    sse.take_until(&mut sse_events, LONG, all_there);
    ws.take_until(&mut ws_events, LONG, all_there);
    // Let a repeat show if there were one.
    std::thread::sleep(Duration::from_millis(500));
    sse.stop(&mut sse_events);
    ws.stop(&mut ws_events);

    // Exactly once, in order, per account; the seqs without a gap or a repeat, on both.
    assert_contiguous("SSE", &sse_events);
    assert_contiguous("WebSocket", &ws_events);
    let common_len = sse_events.len().min(ws_events.len());
    assert_eq!(
        sse_events[..common_len],
        ws_events[..common_len],
        "SSE and WebSocket serve one log"
    );
    for (i, (a, want)) in accs.iter().zip(&wanted).enumerate() {
        for events in [&sse_events, &ws_events] {
            let got = incoming_texts(events, "").remove(&a.id).unwrap_or_default();
            assert_eq!(&got, want, "account {i}: every message once, in order");
        }
    }
    let after_restart: Vec<&Value> = sse_events
        .iter()
        .filter(|e| e["seq"].as_u64().unwrap() > head_at_kill)
        .collect();
    assert!(
        after_restart
            .iter()
            .all(|e| e["event"] != "qr_code" && e["event"] != "scanned"),
        "a QR code after the restart"
    );
    let resumed_messages = after_restart
        .iter()
        .filter(|e| e["event"] == "message")
        .count();
    assert!(
        resumed_messages > 0,
        "the kill came mid-stream: messages continue after the restart"
    );
    assert!(
        get_json(&sim, "/_sim/state")["pending_uuids"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The webhook: every event, in order per account (repeats only of the same seq).
    let head = sse_events.last().unwrap()["seq"].as_u64().unwrap();
    let deliveries = wait_for("every webhook delivery", LONG, || {
        let d = hook.deliveries();
        let seqs: std::collections::HashSet<u64> = d.iter().map(|x| x.seq).collect();
        (1..=head).all(|s| seqs.contains(&s)).then_some(d)
    });
    assert!(
        hook.failed.load(std::sync::atomic::Ordering::SeqCst) >= 3,
        "the first tries failed"
    );
    let mut by_seq: HashMap<u64, &Value> = HashMap::new();
    let mut last_per_account: HashMap<String, u64> = HashMap::new();
    for d in &deliveries {
        if let Some(prev) = by_seq.insert(d.seq, &d.event) {
            assert_eq!(prev, &d.event, "a repeat carries the same event");
            continue;
        }
        let acc = d.event["account"].as_str().unwrap().to_owned();
        let last = last_per_account.entry(acc).or_insert(0);
        assert!(
            d.seq > *last,
            "webhook order per account: {} after {}",
            d.seq,
            *last
        );
        *last = d.seq;
    }
    for e in &sse_events {
        let seq = e["seq"].as_u64().unwrap();
        assert_eq!(
            by_seq.get(&seq),
            Some(&e),
            "webhook got seq {seq} as served"
        );
    }
    // The reply was sent once, even if its event was delivered again after the kill.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sent_with(&sim, |s| s["content"] == "auto reply").len(), 1);

    // History: in and out, newest first.
    let history = get_json(
        &base,
        &format!(
            "/v1/accounts/{}/messages?chat={}&limit=1000",
            a0.id,
            urlenc(&a0.friend)
        ),
    );
    let h = history.as_array().unwrap();
    let seqs: Vec<u64> = h.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert!(
        h.iter()
            .any(|m| m["outgoing"] == true && m["text"] == "hello from the API")
    );
    assert!(
        h.iter()
            .any(|m| m["outgoing"] == true && m["file_name"] == "report.txt")
    );
    assert!(
        h.iter()
            .any(|m| m["outgoing"] == true && m["text"] == "auto reply")
    );
    let incoming = h
        .iter()
        .filter(|m| m["outgoing"] == false && m["kind"] == "text")
        .count();
    assert_eq!(incoming, incoming_texts(&sse_events, "")[&a0.id].len());

    // Metrics count what happened.
    let metrics = call(&base, "GET", "/metrics", &[], b"").text();
    assert!(
        metrics.contains("webwx_accounts{state=\"logged_in\"} 3"),
        "{metrics}"
    );
    eprintln!(
        "story: {n} messages, {} events (seq {head_at_kill} at the kill, {resumed_messages} messages after), \
         {} webhook deliveries after {} failed tries",
        sse_events.len(),
        deliveries.len(),
        hook.failed.load(std::sync::atomic::Ordering::SeqCst),
    );
    drop(gw);
}

fn urlenc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
