//! Timers run on the monotonic clock; the wall clock only feeds the wire. In virtual
//! time: a wall clock stepped back an hour stalls nothing, one stepped forward an hour
//! fires nothing early.

// `common` is shared with the other test targets (and linted there).
#[allow(clippy::all)]
mod common;
#[path = "fixtures/sends/harness.rs"]
mod harness;

use harness::{Fake, endpoints, json, ret};
use std::time::Duration;
use webwx_core::boundary::{NoFiles, Request, Timeouts, Tracker};
use webwx_core::client::commands::CommandEvent;
use webwx_core::{Event, LogoutReason, Monotonic, Now, Timestamp, TransportErrorKind};

const HOUR: Duration = Duration::from_secs(3600);

/// The wall clock moved by `wall_shift_ms` (negative: back), the monotonic one to `mono`.
fn stepped(now: Now, wall_shift_ms: i64, mono: Monotonic) -> Now {
    let wall = now
        .wall
        .as_millis()
        .checked_add_signed(wall_shift_ms)
        .unwrap();
    Now::new(Timestamp::from_millis(wall), mono)
}

/// A logged-in client with one text send whose first attempt failed in the transport:
/// its retry is the only timer. Returns the fake and the retry's deadline.
fn send_awaiting_retry() -> (Fake, Monotonic) {
    let mut f = Fake::new();
    let now = f.now;
    f.client.send_text(now, "Alice", "hi").unwrap();
    let first = f.pump();
    assert_eq!(endpoints(&first), ["webwxsendmsg"]);
    assert!(f.fail(&first[0], TransportErrorKind::Connect).is_empty());
    let at = f.client.poll_timeout().expect("a retry is scheduled");
    // The first retry waits the base delay (1 s) ± 20 % jitter, on the monotonic clock.
    let wait = at.since(f.now.mono);
    assert!(
        (Duration::from_millis(800)..=Duration::from_millis(1200)).contains(&wait),
        "{wait:?}"
    );
    (f, at)
}

#[test]
fn a_wall_clock_stepped_back_an_hour_does_not_stall_a_retry() {
    let (mut f, at) = send_awaiting_retry();
    // One millisecond before the deadline, with the wall clock an hour back: not yet.
    f.now = stepped(
        f.now,
        -(HOUR.as_millis() as i64),
        Monotonic(at.as_millis() - 1),
    );
    f.client.handle_timeout(f.now);
    assert!(f.pump().is_empty(), "nothing fires before the deadline");
    assert_eq!(
        f.client.poll_timeout(),
        Some(at),
        "the deadline did not move"
    );
    // At the deadline, the wall clock still an hour back: the retry goes out.
    f.now = Now::new(f.now.wall, at);
    f.client.handle_timeout(f.now);
    let retry = f.pump();
    assert_eq!(endpoints(&retry), ["webwxsendmsg"]);
    // The retry keeps its ClientMsgId (the server deduplicates by it), taken from the
    // wall clock of the first attempt, not of the step.
    let body = json(&retry[0]);
    let local = body["Msg"]["ClientMsgId"].as_str().unwrap();
    assert!(
        local.starts_with(&harness::START.wall.to_string()),
        "{local}"
    );
    f.respond(&retry[0], ret(0, r#","MsgID":"77","LocalID":"1""#));
    assert!(matches!(
        f.take_cmd_events().as_slice(),
        [CommandEvent::Sent { msg_id, .. }] if msg_id == "77"
    ));
}

#[test]
fn a_wall_clock_stepped_forward_an_hour_fires_no_timer_early() {
    let (mut f, at) = send_awaiting_retry();
    // The wall clock jumps an hour ahead; the monotonic clock moved 1 ms.
    let mono = f.now.mono + Duration::from_millis(1);
    f.now = stepped(f.now, HOUR.as_millis() as i64, mono);
    f.client.handle_timeout(f.now);
    assert!(f.pump().is_empty(), "the retry did not fire an hour early");
    assert_eq!(f.client.poll_timeout(), Some(at));
    assert!(
        f.take_cmd_events().is_empty(),
        "the send neither failed nor ended"
    );
    // It fires at its monotonic deadline, once.
    f.now = Now::new(f.now.wall, at);
    f.client.handle_timeout(f.now);
    assert_eq!(endpoints(&f.pump()), ["webwxsendmsg"]);
    assert_eq!(f.client.poll_timeout(), None);
}

#[test]
fn synccheck_timeouts_give_up_on_the_monotonic_clock() {
    // The loop gives up after `sync_give_up_after` (10 min) of timeouts without an answer.
    // Each timeout arrives with the wall clock an hour further on but only 30 s of
    // monotonic time: after 5 minutes of monotonic time (and 10 wall-clock hours) the
    // session is still alive.
    let mut f = Fake::new();
    for _ in 0..10 {
        let poll = f.held.pop().expect("a synccheck is held");
        assert_eq!(poll.endpoint, "synccheck");
        f.now = stepped(
            f.now,
            HOUR.as_millis() as i64,
            f.now.mono + Duration::from_secs(30),
        );
        assert!(f.fail(&poll, TransportErrorKind::Timeout).is_empty());
    }
    assert!(
        !f.events
            .iter()
            .any(|e| matches!(e, Event::LoggedOut { .. })),
        "{:?}",
        f.events
    );
    assert!(!f.client.is_logged_out());
    // Ten more minutes of monotonic time of timeouts, with the wall clock stepped back
    // an hour each time: now the loop gives up (the server is gone).
    for _ in 0..21 {
        let Some(poll) = f.held.pop() else { break };
        f.now = stepped(
            f.now,
            -(HOUR.as_millis() as i64),
            f.now.mono + Duration::from_secs(30),
        );
        f.fail(&poll, TransportErrorKind::Timeout);
    }
    assert!(matches!(
        f.events.last(),
        Some(Event::LoggedOut {
            reason: LogoutReason::Unreachable { .. }
        })
    ));
}

#[test]
fn a_boundary_command_times_out_on_the_monotonic_clock() {
    let mut f = Fake::new();
    let mut tracker = Tracker::new(Timeouts::all(Duration::from_secs(5)));
    let req = Request::parse(r#"{"id": 1, "cmd": "mark_read", "chat": "Alice"}"#).unwrap();
    let now = f.now;
    tracker.submit(&mut f.client, now, req, &mut NoFiles);
    let deadline = f.now.mono + Duration::from_secs(5);
    assert_eq!(tracker.poll_timeout(), Some(deadline));
    // An hour of wall clock, 1 s of monotonic time: no timeout.
    f.now = stepped(
        f.now,
        HOUR.as_millis() as i64,
        f.now.mono + Duration::from_secs(1),
    );
    let now = f.now;
    tracker.handle_timeout(&mut f.client, now);
    assert!(tracker.poll_completion().is_none());
    // The wall clock an hour back, the monotonic clock at the deadline: it times out.
    f.now = stepped(f.now, -2 * HOUR.as_millis() as i64, deadline);
    let now = f.now;
    tracker.handle_timeout(&mut f.client, now);
    let answer = tracker.poll_completion().expect("answered").answer_inline();
    assert!(
        answer.to_json().contains(r#""kind":"timeout""#),
        "{}",
        answer.to_json()
    );
}

#[test]
fn wire_fields_take_the_wall_clock() {
    // The monotonic clock is near its origin; the wall clock is what goes on the wire.
    let mut f = Fake::new();
    f.now = Now::new(Timestamp::from_millis(1_700_000_000_000), Monotonic(5));
    let now = f.now;
    f.client.send_text(now, "Alice", "hi").unwrap();
    let sent = f.pump();
    let local = json(&sent[0])["Msg"]["LocalID"]
        .as_str()
        .unwrap()
        .to_owned();
    // LocalID: the wall-clock ms followed by 4 random digits.
    assert!(local.starts_with("1700000000000"), "{local}");
    assert_eq!(local.len(), 17);
}
