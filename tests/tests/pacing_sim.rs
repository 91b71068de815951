//! The send queue against the simulator answering 1205: three refusals in a row pause the
//! queue (at the harness's millisecond scale: 100, 200, 400 ms), then every message goes
//! exactly once — the refused one again under its ClientMsgId, which the simulator
//! records once — and in order.
//!
//! The queue spaces sends by their slots; it does not wait for one answer before the next
//! send. So the test spaces them wider than a loopback answer takes on a loaded machine
//! (one send per 150 ms): with the harness's 5 ms gap, two sends were in flight at once,
//! their 1205 pauses overlapped (under 700 ms in all) and neighbours could swap places.

use std::time::{Duration, Instant};
use webwx_core::client::CommandEvent;
use webwx_core::pacing::Rate;
use webwx_core::{Client, Event};
use webwx_sim::{FaultKind, FaultSpec};
use webwx_tests::harness;
use webwx_ureq::prelude::*;

#[test]
fn a_1205_storm_from_the_simulator_backs_off_and_sends_each_message_once() {
    let sim = harness::sim(|c| c.auto_scan = true);
    let spacing = Duration::from_millis(150);
    let client = Client::new(
        harness::config(&sim.base, 12).pacing(
            harness::fast_pacing()
                .session(Rate::new(1, spacing))
                .per_chat_gap(spacing),
        ),
    );
    let (handle, events) = webwx_ureq::start(client, webwx_ureq::Options::default()).unwrap();
    handle.login().unwrap();
    // Wide margin for a loaded 2-core machine.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !matches!(events.recv_deadline(deadline), Ok(Event::Ready)) {
        assert!(Instant::now() < deadline, "not ready");
    }
    let friend = sim.friend();
    sim.control
        .add_fault(FaultSpec::new("webwxsendmsg", FaultKind::Ret, 3).ret(1205))
        .unwrap();
    let started = Instant::now();
    let ids: Vec<String> = (0..5)
        .map(|i| handle.send_text(&friend, &format!("storm {i}")).unwrap().0)
        .collect();
    let mut sent = 0;
    while sent < ids.len() {
        match events.recv_deadline(deadline) {
            Ok(Event::Command(CommandEvent::Sent { .. })) => sent += 1,
            Ok(Event::Command(CommandEvent::SendFailed { error, .. })) => panic!("{error}"),
            Ok(_) => {}
            Err(e) => panic!("{e:?} after {sent} sends"),
        }
    }
    // The pauses: 100 + 200 + 400 ms at least (a lower bound: never flaky).
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    let records: Vec<_> = sim
        .control
        .sent()
        .into_iter()
        .filter(|r| r.content.starts_with("storm "))
        .collect();
    let got: Vec<&str> = records.iter().map(|r| r.client_msg_id.as_str()).collect();
    assert_eq!(
        got,
        ids.iter().map(String::as_str).collect::<Vec<_>>(),
        "each once, in order"
    );
    handle.shutdown();
}
