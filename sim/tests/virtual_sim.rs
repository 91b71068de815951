//! The simulator in virtual time: long-polls held and answered as the world changes or
//! their hold runs out, the phone's automatic scan on the virtual clock, faults.

use std::time::Duration;
use webwx_sim::{Answer, FaultKind, FaultSpec, SimConfig, SimTime, VirtualSim};

fn at(sim: &mut VirtualSim, ms: u64) {
    sim.advance(SimTime {
        unix: 1_700_000_000 + ms / 1000,
        mono: Duration::from_millis(ms),
    });
}

fn get(uri: &str) -> http::Request<Vec<u8>> {
    http::Request::get(uri).body(Vec::new()).unwrap()
}

fn body(a: Answer) -> String {
    match a {
        Answer::Response(r) => String::from_utf8(r.into_body()).unwrap(),
        other => panic!("not an answer: {other:?}"),
    }
}

fn jslogin(sim: &mut VirtualSim) -> String {
    let b = body(sim.handle(&get(
        "https://login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh_CN",
    )));
    b.split("uuid = \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

fn poll(uuid: &str) -> http::Request<Vec<u8>> {
    get(&format!(
        "https://login.wx.qq.com/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid={uuid}&tip=1"
    ))
}

#[test]
fn a_login_poll_is_held_then_answered_by_the_phone_or_the_end_of_its_hold() {
    let mut sim = VirtualSim::new(SimConfig {
        hold_ms: 25_000,
        ..SimConfig::default()
    });
    at(&mut sim, 0);
    let uuid = jslogin(&mut sim);
    let req = poll(&uuid);
    let Answer::Held { until } = sim.handle(&req) else {
        panic!("held")
    };
    assert_eq!(until, Duration::from_millis(25_000));
    // Nothing happened: still held 1 ms before the end of the hold, 408 at it.
    at(&mut sim, 24_999);
    assert!(matches!(sim.poll_held(&req, until), Answer::Held { .. }));
    at(&mut sim, 25_000);
    assert_eq!(body(sim.poll_held(&req, until)), "window.code=408;");
    // The phone scans: the next poll is held, then answers 201 once the scan happened.
    let Answer::Held { until } = sim.handle(&req) else {
        panic!("held")
    };
    sim.scan(Some(&uuid), false).unwrap();
    assert!(body(sim.poll_held(&req, until)).starts_with("window.code=201;"));
    sim.scan(Some(&uuid), true).unwrap();
    let b = body(sim.handle(&req));
    assert!(
        b.starts_with("window.code=200;window.redirect_uri=\"https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket="),
        "{b}"
    );
}

#[test]
fn the_auto_scan_runs_on_the_virtual_clock() {
    let mut sim = VirtualSim::new(SimConfig {
        auto_scan: true,
        scan_delay_ms: 300,
        ..SimConfig::default()
    });
    at(&mut sim, 1_000);
    assert_eq!(sim.next_wakeup(), None);
    let uuid = jslogin(&mut sim);
    assert_eq!(sim.next_wakeup(), Some(Duration::from_millis(1_300)));
    let req = poll(&uuid);
    let Answer::Held { until } = sim.handle(&req) else {
        panic!("held")
    };
    at(&mut sim, 1_299);
    assert!(matches!(sim.poll_held(&req, until), Answer::Held { .. }));
    at(&mut sim, 1_300);
    assert!(body(sim.poll_held(&req, until)).starts_with("window.code=201;"));
    assert_eq!(sim.next_wakeup(), Some(Duration::from_millis(1_600)));
    at(&mut sim, 1_600);
    assert_eq!(sim.next_wakeup(), None);
    assert!(body(sim.handle(&req)).starts_with("window.code=200;"));
    assert_eq!(sim.state().counters["confirms"], 1);
}

#[test]
fn faults_and_hosts_as_the_server_applies_them() {
    let mut sim = VirtualSim::new(SimConfig::default());
    at(&mut sim, 0);
    sim.add_fault(FaultSpec::new("jslogin", FaultKind::Hang, 1))
        .unwrap();
    sim.add_fault(FaultSpec::new("jslogin", FaultKind::Reset, 1))
        .unwrap();
    sim.add_fault(FaultSpec::new("jslogin", FaultKind::Truncate, 1))
        .unwrap();
    let req = get("https://login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new");
    assert!(matches!(sim.handle(&req), Answer::Hang));
    assert!(matches!(sim.handle(&req), Answer::Reset));
    let Answer::Truncated(r) = sim.handle(&req) else {
        panic!("truncated")
    };
    let full: usize = r.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(r.body().len(), full / 2);
    assert!(sim.faults().is_empty());
    assert_eq!(sim.state().counters["faults_fired"], 3);
    // A host outside the domain table, and an endpoint on the wrong class of host.
    let Answer::Response(r) = sim.handle(&get("https://evil.example.com/jslogin")) else {
        panic!()
    };
    assert_eq!(r.status(), 404);
    let Answer::Response(r) = sim.handle(&get(
        "https://wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new",
    )) else {
        panic!()
    };
    assert_eq!(r.status(), 404);
    assert_eq!(sim.state().counters["requests"], 5);
    // `lose`: handled (a uuid handed out), then reset instead of the answer.
    sim.add_fault(FaultSpec::new("jslogin", FaultKind::Lose, 1))
        .unwrap();
    assert!(sim.state().pending_uuids.is_empty());
    assert!(matches!(sim.handle(&req), Answer::Reset));
    assert_eq!(sim.state().pending_uuids.len(), 1);
}

#[test]
fn a_lost_long_poll_is_answered_on_the_server_then_reset() {
    let mut sim = VirtualSim::new(SimConfig::default());
    at(&mut sim, 0);
    let uuid = jslogin(&mut sim);
    sim.add_fault(FaultSpec::new("login", FaultKind::Lose, 1))
        .unwrap();
    let req = poll(&uuid);
    let Answer::Held { until } = sim.handle(&req) else {
        panic!("held")
    };
    sim.scan(Some(&uuid), false).unwrap();
    assert!(matches!(sim.poll_held(&req, until), Answer::Reset));
    // The 201 was given (to nobody): the next poll holds until the confirm.
    let Answer::Held { until } = sim.handle(&req) else {
        panic!("held")
    };
    sim.scan(Some(&uuid), true).unwrap();
    assert!(body(sim.poll_held(&req, until)).starts_with("window.code=200;"));
}
