//! The send queue in virtual time: sends never go faster than the configured rate (a
//! burst, then one per interval, a gap per chat), a 1205 storm pauses the queue longer
//! and longer and nothing is sent twice, the queue's depth is reported, and the
//! keep-alive goes at its interval.

// `common` is shared with the other test targets (and linted there).
#[allow(clippy::all, dead_code)]
mod common;
#[path = "fixtures/sends/harness.rs"]
mod harness;

use harness::{ALICE, BOB, Fake, json, ret};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;
use webwx_core::client::commands::CommandEvent;
use webwx_core::client::{Heartbeat, Transmit};
use webwx_core::pacing::{PacingPolicy, Rate};
use webwx_core::{Config, Ret};

/// A sent answer for the send `t`.
fn sent(t: &Transmit, n: u64) -> http::Response<Vec<u8>> {
    let local = json(t)["Msg"]["LocalID"].as_str().unwrap().to_owned();
    ret(
        0,
        &format!(r#","MsgID":"{}","LocalID":"{local}""#, 9000 + n),
    )
}

fn client_msg_id(t: &Transmit) -> String {
    json(t)["Msg"]["ClientMsgId"].as_str().unwrap().to_owned()
}

/// Runs the queue to its end, answering every send at once; returns each send's
/// transmission time (ms since the start) with its recipient and ClientMsgId.
fn run_queue(f: &mut Fake, mut ts: Vec<Transmit>) -> Vec<(u64, String, String)> {
    let start = harness::START.mono;
    let mut log = Vec::new();
    let mut n = 0;
    loop {
        while let Some(t) = ts.pop() {
            n += 1;
            let at = f.now.mono.since(start).as_millis() as u64;
            let body = json(&t);
            log.push((
                at,
                body["Msg"]["ToUserName"].as_str().unwrap().to_owned(),
                client_msg_id(&t),
            ));
            let mut more = f.respond(&t, sent(&t, n));
            ts.append(&mut more);
        }
        let (more, _) = f.next_timer(Duration::from_secs(3600));
        if more.is_empty() && f.client.send_queue(f.now).queued == 0 {
            return log;
        }
        ts = more;
        ts.reverse();
    }
}

/// Whether the times (sorted) keep a bucket of `burst`, one per `every_ms`: in any
/// window of length W at most `burst + W / every` sends.
fn within_rate(times: &[u64], burst: u64, every_ms: u64) -> Result<(), String> {
    for (i, a) in times.iter().enumerate() {
        for (j, b) in times.iter().enumerate().skip(i) {
            let count = (j - i + 1) as u64;
            let allowed = burst + (b - a) / every_ms;
            if count > allowed {
                return Err(format!(
                    "{count} sends between {a} and {b} ms (at most {allowed}): {times:?}"
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn n_sends_keep_the_default_rate_and_their_order() {
    let mut f = Fake::logged_in(Config::new(7));
    let mut ids = Vec::new();
    for i in 0..30 {
        let to = if i % 3 == 0 { BOB } else { ALICE };
        ids.push((to, f.client.send_text(f.now, to, &format!("m{i}")).unwrap()));
    }
    let first = f.pump();
    // The default burst: 8 go at once, one per chat per second: Alice's and Bob's
    // first only at the very start.
    assert_eq!(first.len(), 2, "one per chat at once");
    let q = f.client.send_queue(f.now);
    assert_eq!(q.queued, 28, "{q:?}");
    assert!(q.next_at_ms.is_some());
    let mut first = first;
    first.reverse();
    let log = run_queue(&mut f, first);
    assert_eq!(log.len(), 30, "each sent once");
    let times: Vec<u64> = log.iter().map(|(t, _, _)| *t).collect();
    within_rate(&times, 8, 2000).unwrap();
    // A second at least between two sends to one chat, and each chat in order.
    for chat in [ALICE, BOB] {
        let sends: Vec<&(u64, String, String)> =
            log.iter().filter(|(_, to, _)| to == chat).collect();
        for w in sends.windows(2) {
            assert!(w[1].0 >= w[0].0 + 1000, "{w:?}");
        }
        let expected: Vec<&str> = ids
            .iter()
            .filter(|(to, _)| *to == chat)
            .map(|(_, id)| id.as_str())
            .collect();
        let got: Vec<&str> = sends.iter().map(|(_, _, id)| id.as_str()).collect();
        assert_eq!(got, expected, "{chat}: in the order given");
    }
    // 30 sends at 8 then one per 2 s: the last goes 44 s after the first.
    assert_eq!(*times.last().unwrap(), 44_000);
    let done: Vec<_> = f
        .take_cmd_events()
        .into_iter()
        .filter(|e| matches!(e, CommandEvent::Sent { .. }))
        .collect();
    assert_eq!(done.len(), 30);
    assert_eq!(f.client.send_queue(f.now).queued, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever the rate, the sends made at whatever moments never exceed it.
    #[test]
    fn sends_never_exceed_the_configured_rate(
        burst in 1u32..6,
        every_ms in 100u64..3000,
        gaps in prop::collection::vec(0u64..2500, 1..25),
    ) {
        let policy = PacingPolicy::default()
            .session(Rate::new(burst, Duration::from_millis(every_ms)))
            .per_chat_gap(Duration::ZERO);
        let mut f = Fake::logged_in(Config::new(7).pacing(policy));
        let start = harness::START.mono;
        let mut times = Vec::new();
        let mut n = 0u64;
        let mut pending: Vec<Transmit> = Vec::new();
        let answer = |f: &mut Fake, ts: Vec<Transmit>, times: &mut Vec<u64>, n: &mut u64| {
            for t in ts {
                *n += 1;
                times.push(f.now.mono.since(start).as_millis() as u64);
                let more = f.respond(&t, sent(&t, *n));
                assert!(more.is_empty());
            }
        };
        // Sends arrive at the given gaps while the queue runs.
        for gap in &gaps {
            let until = f.now.mono.plus(Duration::from_millis(*gap));
            while let Some(at) = f.client.poll_timeout() {
                if at > until {
                    break;
                }
                let (ts, _) = f.next_timer(Duration::from_secs(3600));
                answer(&mut f, ts, &mut times, &mut n);
            }
            f.now = f.now.at_mono(until);
            f.client.send_text(f.now, ALICE, "x").unwrap();
            pending.extend(f.pump());
            answer(&mut f, std::mem::take(&mut pending), &mut times, &mut n);
        }
        while f.client.send_queue(f.now).queued > 0 {
            let (ts, _) = f.next_timer(Duration::from_secs(3600));
            answer(&mut f, ts, &mut times, &mut n);
        }
        prop_assert_eq!(times.len(), gaps.len());
        prop_assert!(within_rate(&times, u64::from(burst), every_ms).is_ok(), "{:?}", within_rate(&times, u64::from(burst), every_ms));
    }
}

#[test]
fn a_1205_storm_backs_off_longer_and_sends_nothing_twice() {
    let mut f = Fake::logged_in(Config::new(7));
    let ids: Vec<String> = (0..4)
        .map(|i| {
            f.client
                .send_text(f.now, ALICE, &format!("m{i}"))
                .unwrap()
                .0
        })
        .collect();
    let mut ts = f.pump();
    assert_eq!(ts.len(), 1, "one per chat per second");
    let start = f.now.mono;
    // The server answers 1205 three times in a row.
    let mut attempts: Vec<(u64, String)> = Vec::new();
    for storm in 0..3 {
        let t = ts.remove(0);
        attempts.push((
            f.now.mono.since(start).as_millis() as u64,
            client_msg_id(&t),
        ));
        let more = f.respond(&t, ret(1205, ""));
        assert!(more.is_empty(), "nothing goes during the pause");
        let q = f.client.send_queue(f.now);
        assert_eq!(q.queued, 4, "the refused send waits first, with the others");
        assert!(q.cooldown_until_ms.is_some());
        let (next, waited) = f.next_timer(Duration::from_secs(3600));
        // 30 s, then 60 s, then 120 s.
        assert_eq!(waited, Duration::from_secs(30 << storm), "pause {storm}");
        ts = next;
        assert_eq!(ts.len(), 1, "then one at a time");
    }
    // Then the server takes them.
    let mut n = 0;
    let mut log = Vec::new();
    while !ts.is_empty() || f.client.send_queue(f.now).queued > 0 {
        for t in std::mem::take(&mut ts) {
            n += 1;
            log.push((
                f.now.mono.since(start).as_millis() as u64,
                client_msg_id(&t),
            ));
            assert!(f.respond(&t, sent(&t, n)).is_empty());
        }
        let (more, _) = f.next_timer(Duration::from_secs(3600));
        ts = more;
    }
    // The refused message went again under its own ClientMsgId: the server records it
    // once, and every message exactly once, in order.
    assert!(attempts.iter().all(|(_, id)| *id == ids[0]), "{attempts:?}");
    let sent_ids: Vec<&str> = log.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(sent_ids, ids.iter().map(String::as_str).collect::<Vec<_>>());
    // No burst after the pause: two seconds apart at least.
    for w in log.windows(2) {
        assert!(w[1].0 >= w[0].0 + 2000, "{log:?}");
    }
    let events = f.take_cmd_events();
    let outcomes: Vec<&CommandEvent> = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                CommandEvent::Sent { .. } | CommandEvent::SendFailed { .. }
            )
        })
        .collect();
    assert_eq!(outcomes.len(), 4);
    assert!(
        outcomes
            .iter()
            .all(|e| matches!(e, CommandEvent::Sent { .. }))
    );
    // A success resets the pause: the next 1205 pauses 30 s again.
    assert_eq!(f.client.state().pacing.strikes(), 0);
}

#[test]
fn a_1205_that_persists_fails_the_send_after_the_attempts() {
    let mut f = Fake::logged_in(Config::new(7));
    f.client.send_text(f.now, ALICE, "hi").unwrap();
    let mut ts = f.pump();
    for _ in 0..5 {
        let t = ts.remove(0);
        f.respond(&t, ret(1205, ""));
        ts = f.next_timer(Duration::from_secs(3600)).0;
    }
    assert!(ts.is_empty());
    let failed: Vec<_> = f
        .take_cmd_events()
        .into_iter()
        .filter_map(|e| match e {
            CommandEvent::SendFailed { error, .. } => error.ret(),
            _ => None,
        })
        .collect();
    assert_eq!(failed, [Ret::TOO_FREQUENT], "failed once, with 1205");
}

#[test]
fn pacing_state_is_saved_and_respected_after_a_restore() {
    let mut f = Fake::logged_in(
        Config::new(7).pacing(
            PacingPolicy::default()
                .session(Rate::new(2, Duration::from_secs(5)))
                .per_chat_gap(Duration::ZERO),
        ),
    );
    f.client.send_text(f.now, ALICE, "a").unwrap();
    f.client.send_text(f.now, BOB, "b").unwrap();
    assert_eq!(f.pump().len(), 2);
    // Another process restores the saved state (as `webwx send` does) a second later:
    // the bucket is empty, its send waits for the next slot.
    let saved = f.client.snapshot();
    let json = saved.to_json();
    let back = webwx_core::SessionState::from_json(&json).unwrap();
    assert_eq!(back.pacing, saved.pacing);
    let mut other = back.pacing.clone();
    let policy = PacingPolicy::default()
        .session(Rate::new(2, Duration::from_secs(5)))
        .per_chat_gap(Duration::ZERO);
    let later = f.now.wall.plus(Duration::from_secs(1));
    let slot = other.reserve(&policy, later, "", webwx_core::pacing::PaceClass::Message);
    assert_eq!(slot, f.now.wall.plus(Duration::from_secs(5)));
}

#[test]
fn the_keep_alive_goes_at_its_interval() {
    let cfg = Config::new(7).heartbeat(
        Heartbeat::new(Duration::from_secs(300), "still here").jitter(Duration::from_secs(30)),
    );
    let mut f = Fake::logged_in(cfg);
    let mut gaps = BTreeMap::new();
    let mut last = f.now.mono;
    for _ in 0..4 {
        // Skip the sync loop's timers; stop at the keep-alive.
        let ts = loop {
            let (ts, _) = f.next_timer(Duration::from_secs(400));
            if !ts.is_empty() {
                break ts;
            }
        };
        assert_eq!(ts.len(), 1);
        let body = json(&ts[0]);
        assert_eq!(body["Msg"]["ToUserName"], "filehelper");
        assert_eq!(body["Msg"]["Content"], "still here");
        let gap = f.now.mono.since(last).as_secs();
        assert!((270..=330).contains(&gap), "every 300 s ± 30: {gap}");
        *gaps.entry(gap).or_insert(0) += 1;
        last = f.now.mono;
        f.respond(&ts[0], sent(&ts[0], 1));
    }
    assert!(gaps.len() > 1, "jittered: {gaps:?}");
}

#[test]
fn no_keep_alive_by_default() {
    let mut f = Fake::logged_in(Config::new(7));
    for _ in 0..20 {
        let (ts, _) = f.next_timer(Duration::from_secs(3600));
        assert!(ts.is_empty(), "nothing but the held synccheck");
    }
}
