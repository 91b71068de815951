//! Every fault kind over real HTTP, by count and by rate, per endpoint and
//! account, and the promise that a fault changes nothing on the server.

mod common;

use std::io;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use webwx_sim::{FaultKind, FaultSpec, InjectMessage};

fn fault(endpoint: &str, kind: FaultKind, count: u64) -> FaultSpec {
    FaultSpec::new(endpoint, kind, count)
}

fn jslogin_raw(sim: &webwx_sim::RunningSim, timeout: Duration) -> Result<Resp, Failure> {
    raw(
        addr_of(sim),
        "GET",
        "/jslogin?appid=wx782c26e4c19acffb&fun=new",
        &[],
        b"",
        timeout,
    )
}

#[test]
fn reset_closes_the_connection_without_an_answer() {
    let sim = sim();
    sim.control()
        .add_fault(fault("jslogin", FaultKind::Reset, 1))
        .unwrap();
    match jslogin_raw(&sim, TIMEOUT) {
        Err(Failure::Io(e)) => assert!(
            matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionAborted
            ),
            "{e:?}"
        ),
        other => panic!("expected a reset, got {other:?}"),
    }
    // Count 1: the next one is answered.
    assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 200);
    assert_eq!(sim.control().state().counters["faults_fired"], 1);
}

#[test]
fn server_errors() {
    let sim = sim();
    sim.control()
        .add_fault(fault("jslogin", FaultKind::ServerError, 1))
        .unwrap();
    let mut f = fault("/jslogin", FaultKind::ServerError, 1);
    f.status = Some(503);
    sim.control().add_fault(f).unwrap();
    assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 500);
    assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 503);
    assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 200);
}

#[test]
fn hang_never_answers_and_ends_with_the_simulator() {
    let sim = sim();
    sim.control()
        .add_fault(fault("jslogin", FaultKind::Hang, 1))
        .unwrap();
    let t0 = Instant::now();
    match jslogin_raw(&sim, Duration::from_millis(400)) {
        Err(Failure::Io(e)) => assert!(
            matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
            "{e:?}"
        ),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(t0.elapsed() >= Duration::from_millis(380));
    assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 200);
    // A hung request does not keep the simulator from stopping.
    sim.control()
        .add_fault(fault("jslogin", FaultKind::Hang, 1))
        .unwrap();
    let addr = addr_of(&sim);
    let pending = std::thread::spawn(move || {
        raw(
            addr,
            "GET",
            "/jslogin?appid=wx782c26e4c19acffb",
            &[],
            b"",
            Duration::from_secs(30),
        )
    });
    std::thread::sleep(Duration::from_millis(100));
    let t0 = Instant::now();
    sim.shutdown();
    // A shutdown that waited for the hung request would take the client's 30 s; 10 s
    // leaves a loaded CI machine plenty of slack and still tells them apart.
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert!(pending.join().unwrap().is_err());
}

#[test]
fn truncate_cuts_the_body_before_content_length() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    sim.control()
        .add_fault(fault("webwxsync", FaultKind::Truncate, 1))
        .unwrap();
    let target = format!(
        "/cgi-bin/mmwebwx-bin/webwxsync?sid={}&skey={}&{}",
        s.sid,
        s.skey,
        s.pass_query()
    );
    let body = json!({"BaseRequest": s.base_request(), "SyncKey": s.sync_key, "rr": 1}).to_string();
    match raw(
        addr_of(&sim),
        "POST",
        &target,
        &[("Cookie", s.cookie_header())],
        body.as_bytes(),
        TIMEOUT,
    ) {
        Err(Failure::Truncated { expected, got }) => {
            assert!(got < expected && expected > 0, "{got} < {expected}")
        }
        other => panic!("expected a truncated body, got {other:?}"),
    }
    sim.control()
        .add_fault(fault("synccheck", FaultKind::Truncate, 1))
        .unwrap();
    let target = format!("/cgi-bin/mmwebwx-bin/synccheck?{}", s.synccheck_query());
    assert!(matches!(
        raw(
            addr_of(&sim),
            "GET",
            &target,
            &[("Cookie", s.cookie_header())],
            b"",
            TIMEOUT
        ),
        Err(Failure::Truncated { .. })
    ));
}

#[test]
fn garbage_is_a_200_that_parses_as_nothing() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    sim.control()
        .add_fault(fault("webwxinit", FaultKind::Garbage, 1))
        .unwrap();
    let r = s.post(
        &sim,
        "webwxinit",
        &format!("r=-1&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request()}),
    );
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    sim.control()
        .add_fault(fault("synccheck", FaultKind::Garbage, 1))
        .unwrap();
    let r = s.get(&sim, "push", "synccheck", &s.synccheck_query());
    assert_eq!(r.status, 200);
    assert!(!String::from_utf8_lossy(&r.body).contains("window.synccheck="));
}

#[test]
fn ret_faults_have_the_shape_of_each_endpoint() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let mut f = fault("synccheck", FaultKind::Ret, 1);
    f.ret = Some(1101);
    sim.control().add_fault(f).unwrap();
    assert_eq!(s.synccheck(&sim), ("1101".into(), "0".into()));
    assert_eq!(s.synccheck(&sim).0, "0", "the session itself is fine");
    let mut f = fault("sync", FaultKind::Ret, 1);
    f.ret = Some(1205);
    sim.control().add_fault(f).unwrap();
    let v = s.sync(&sim);
    assert_eq!(v["BaseResponse"]["Ret"], 1205);
    assert_eq!(v["SyncKey"]["Count"], 0);
    assert!(v.get("AddMsgList").is_some());
    let mut f = fault("login", FaultKind::Ret, 1);
    f.ret = Some(500);
    sim.control().add_fault(f).unwrap();
    let r = get(&sim, "/cgi-bin/mmwebwx-bin/login?uuid=x==&tip=1", &[]);
    assert_eq!(r.text(), "window.code=500;");
    let mut f = fault("jslogin", FaultKind::Ret, 1);
    f.ret = Some(400);
    sim.control().add_fault(f).unwrap();
    assert!(
        jslogin_raw(&sim, TIMEOUT)
            .unwrap()
            .text()
            .starts_with("window.QRLogin.code = 400;")
    );
    sim.control()
        .add_fault(fault("newloginpage", FaultKind::Ret, 1))
        .unwrap();
    let r = get(
        &sim,
        "/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=x&uuid=y",
        &[],
    );
    assert_eq!(xml(&r.text(), "ret").as_deref(), Some("1100"));
    sim.control()
        .add_fault(fault("webwxsendmsg", FaultKind::Ret, 1))
        .unwrap();
    let r = s.post(&sim, "webwxsendmsg", "", &json!({}));
    assert_eq!(r.ret(), 1100);
    assert_eq!(r.json()["MsgID"], "");
}

#[test]
fn a_faulted_request_changes_nothing() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let friend = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.kind == "friend")
        .unwrap();
    sim.control()
        .inject_message(InjectMessage {
            from: friend.user_name.clone(),
            content: "survives".into(),
            ..InjectMessage::default()
        })
        .unwrap();
    for kind in [
        FaultKind::Truncate,
        FaultKind::Garbage,
        FaultKind::ServerError,
        FaultKind::Reset,
    ] {
        sim.control()
            .add_fault(fault("webwxsync", kind, 1))
            .unwrap();
        let target = format!(
            "/cgi-bin/mmwebwx-bin/webwxsync?sid={}&skey={}&{}",
            s.sid,
            s.skey,
            s.pass_query()
        );
        let body =
            json!({"BaseRequest": s.base_request(), "SyncKey": s.sync_key, "rr": 1}).to_string();
        let r = raw(
            addr_of(&sim),
            "POST",
            &target,
            &[("Cookie", s.cookie_header())],
            body.as_bytes(),
            TIMEOUT,
        );
        assert!(
            r.is_err()
                || r.as_ref().unwrap().status != 200
                || serde_json::from_slice::<serde_json::Value>(&r.as_ref().unwrap().body).is_err(),
            "{kind:?}"
        );
    }
    // The retry with the same SyncKey gets what the faulted ones would have.
    let v = s.sync(&sim);
    assert_eq!(v["AddMsgList"][0]["Content"], "survives");
    // A faulted send is not recorded; its retry is, once.
    sim.control()
        .add_fault(fault("webwxsendmsg", FaultKind::Reset, 1))
        .unwrap();
    let body = json!({"BaseRequest": s.base_request(), "Msg": {"Type": 1, "Content": "x", "FromUserName": s.user_name, "ToUserName": friend.user_name, "LocalID": "1", "ClientMsgId": "1"}, "Scene": 0});
    let target = "/cgi-bin/mmwebwx-bin/webwxsendmsg";
    assert!(
        raw(
            addr_of(&sim),
            "POST",
            target,
            &[("Cookie", s.cookie_header())],
            body.to_string().as_bytes(),
            TIMEOUT
        )
        .is_err()
    );
    assert!(sim.control().sent().is_empty());
    assert_eq!(s.post(&sim, "webwxsendmsg", "", &body).ret(), 0);
    assert_eq!(s.post(&sim, "webwxsendmsg", "", &body).ret(), 0);
    assert_eq!(sim.control().sent().len(), 1);
}

#[test]
fn rate_count_uin_and_wildcard() {
    let sim = sim();
    // rate 1: every request from then on.
    let mut f = fault("jslogin", FaultKind::ServerError, 1);
    f.count = None;
    f.rate = Some(1.0);
    sim.control().add_fault(f).unwrap();
    for _ in 0..5 {
        assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 500);
    }
    sim.control().clear_faults();
    // rate 0: never, and it does not use up a count.
    let mut f = fault("jslogin", FaultKind::ServerError, 1);
    f.rate = Some(0.0);
    sim.control().add_fault(f).unwrap();
    for _ in 0..5 {
        assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 200);
    }
    sim.control().clear_faults();
    // rate 0.5 and count 10: the next 10 that the rate picks, then none.
    let mut f = fault("jslogin", FaultKind::ServerError, 10);
    f.rate = Some(0.5);
    sim.control().add_fault(f).unwrap();
    let mut faulted = 0;
    let mut total = 0;
    while faulted < 10 {
        total += 1;
        if jslogin_raw(&sim, TIMEOUT).unwrap().status == 500 {
            faulted += 1;
        }
        assert!(total < 200);
    }
    assert!(total > 10, "some were spared");
    for _ in 0..10 {
        assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 200);
    }
    // Per account.
    let a = login(&sim, Form::Plain);
    let b = login(&sim, Form::Plain);
    let mut f = fault("synccheck", FaultKind::Ret, 3);
    f.ret = Some(1102);
    f.uin = Some(b.uin);
    sim.control().add_fault(f).unwrap();
    assert_eq!(a.synccheck(&sim).0, "0");
    assert_eq!(b.synccheck(&sim).0, "1102");
    // Wildcard.
    sim.control().clear_faults();
    sim.control()
        .add_fault(fault("*", FaultKind::ServerError, 2))
        .unwrap();
    assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 500);
    assert_eq!(get(&sim, "/qrcode/x", &[]).status, 500);
    assert_eq!(get(&sim, "/qrcode/x", &[]).status, 200);
    // The control API is never faulted.
    sim.control()
        .add_fault(fault("*", FaultKind::Reset, 1))
        .unwrap();
    assert_eq!(get(&sim, "/_sim/state", &[]).status, 200);
}

#[test]
fn faults_through_http() {
    let sim = sim();
    let r = control(
        &sim,
        "/_sim/faults",
        json!({"endpoint": "synccheck", "kind": "5xx", "count": 2, "status": 502}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = control(
        &sim,
        "/_sim/faults",
        json!({"endpoint": "webwxsync", "kind": "ret", "ret": 1205, "rate": 0.2}),
    );
    assert_eq!(r.status, 200);
    let list = get(&sim, "/_sim/faults", &[]).json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["kind"], "5xx");
    for bad in [
        json!({"endpoint": "synccheck", "kind": "explode"}),
        json!({"endpoint": "synccheck", "kind": "reset", "rate": 2.0}),
        json!({"endpoint": "", "kind": "reset"}),
        json!({"endpoint": "synccheck", "kind": "5xx", "status": 200}),
        json!({"endpoint": "synccheck", "kind": "reset", "count": 0}),
    ] {
        let r = control(&sim, "/_sim/faults", bad.clone());
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].is_string());
    }
    for kind in ["reset", "hang", "truncate", "garbage"] {
        let r = control(
            &sim,
            "/_sim/faults",
            json!({"endpoint": "x", "kind": kind, "count": 1}),
        );
        assert_eq!(r.status, 200, "{kind}");
    }
    let r = raw(addr_of(&sim), "DELETE", "/_sim/faults", &[], b"", TIMEOUT).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        get(&sim, "/_sim/faults", &[])
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    control(
        &sim,
        "/_sim/faults",
        json!({"endpoint": "jslogin", "kind": "5xx", "count": 1}),
    );
    let r = control(&sim, "/_sim/faults", json!({"clear": true}));
    assert_eq!(r.status, 200);
    assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 200);
}

/// The uuid a jslogin answer carries.
fn jslogin_uuid(sim: &webwx_sim::RunningSim) -> String {
    let r = jslogin_raw(sim, TIMEOUT).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    uuid_of(&r.text())
}

#[test]
fn a_retry_after_a_fault_gets_what_the_faulted_request_would_have_got() {
    // Two simulators of one seed hand out the same uuids; faults (by rate, and
    // the garbage kind) must not shift what the server hands out afterwards.
    let plain = sim();
    let faulted = sim();
    let mut by_rate = fault("jslogin", FaultKind::ServerError, 1);
    by_rate.rate = Some(1.0);
    faulted.control().add_fault(by_rate).unwrap();
    assert_eq!(jslogin_raw(&faulted, TIMEOUT).unwrap().status, 500);
    faulted
        .control()
        .add_fault(fault("jslogin", FaultKind::Garbage, 1))
        .unwrap();
    assert_eq!(jslogin_raw(&faulted, TIMEOUT).unwrap().status, 200);
    // A fault that the rate spares.
    let mut spared = fault("jslogin", FaultKind::ServerError, 1);
    spared.rate = Some(0.0);
    faulted.control().add_fault(spared).unwrap();
    for _ in 0..3 {
        assert_eq!(jslogin_uuid(&plain), jslogin_uuid(&faulted));
    }
}

#[test]
fn a_fault_for_an_unknown_account_is_refused() {
    let sim = sim();
    let r = control(
        &sim,
        "/_sim/faults",
        json!({"endpoint": "synccheck", "kind": "5xx", "count": 1, "uin": 123}),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.json()["error"].is_string());
    assert_eq!(
        sim.control()
            .add_fault(fault("synccheck", FaultKind::Reset, 1).uin(123)),
        Err(webwx_sim::ControlError::UnknownAccount(123))
    );
    // An account prepared for the next login can be named before it logs in.
    let uin = sim
        .control()
        .prepare_account(webwx_sim::AccountSpec::default())
        .unwrap();
    let r = control(
        &sim,
        "/_sim/faults",
        json!({"endpoint": "synccheck", "kind": "5xx", "count": 1, "uin": uin}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

fn key1(v: &serde_json::Value) -> u64 {
    v["List"]
        .as_array()
        .unwrap()
        .iter()
        .find(|kv| kv["Key"] == 1)
        .and_then(|kv| kv["Val"].as_u64())
        .unwrap()
}

fn contents(v: &serde_json::Value) -> Vec<String> {
    v["AddMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Content"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn rewind_sends_older_keys_and_delivers_again_what_lies_between() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    s.drain(&sim);
    let friend = sim.control().contacts(None).unwrap();
    let friend = friend.iter().find(|c| c.kind == "friend").unwrap();
    let inject = |text: &str| {
        sim.control()
            .inject_message(InjectMessage {
                from: friend.user_name.clone(),
                content: text.into(),
                ..InjectMessage::default()
            })
            .unwrap();
    };
    for t in ["a", "b", "c", "d"] {
        inject(t);
    }
    assert_eq!(contents(&s.sync(&sim)), ["a", "b", "c", "d"]);
    let held = key1(&s.sync_key);
    inject("e");
    sim.control()
        .add_fault(fault("webwxsync", FaultKind::Rewind, 1))
        .unwrap();
    // Handled (the new message is there), but the keys go three positions back and the
    // three acknowledged messages come again first.
    let v = s.sync(&sim);
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    assert_eq!(contents(&v), ["b", "c", "d", "e"]);
    assert_eq!(key1(&v["SyncKey"]), held - 3);
    assert_eq!(key1(&v["SyncCheckKey"]), held - 3);
    // A client that takes the older key gets the new message again.
    assert_eq!(contents(&s.sync(&sim)), ["e"]);
    assert_eq!(sim.control().state().counters["faults_fired"], 1);
}

#[test]
fn duplicate_lists_every_message_twice() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    s.drain(&sim);
    let friend = sim.control().contacts(None).unwrap();
    let friend = friend.iter().find(|c| c.kind == "friend").unwrap();
    for t in ["x", "y"] {
        sim.control()
            .inject_message(InjectMessage {
                from: friend.user_name.clone(),
                content: t.into(),
                ..InjectMessage::default()
            })
            .unwrap();
    }
    sim.control()
        .add_fault(fault("webwxsync", FaultKind::Duplicate, 1))
        .unwrap();
    let v = s.sync(&sim);
    assert_eq!(contents(&v), ["x", "x", "y", "y"]);
    assert_eq!(v["AddMsgCount"], 4);
    let ids: Vec<_> = v["AddMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["MsgId"].clone())
        .collect();
    assert_eq!(ids[0], ids[1]);
    assert_eq!(ids[2], ids[3]);
    // The keys moved on as usual: nothing comes again.
    assert!(contents(&s.sync(&sim)).is_empty());
}

#[test]
fn answer_altering_faults_apply_to_webwxsync_only() {
    let sim = sim();
    for kind in ["rewind", "duplicate"] {
        let r = control(
            &sim,
            "/_sim/faults",
            json!({"endpoint": "synccheck", "kind": kind}),
        );
        assert_eq!(r.status, 400, "{kind}");
        assert!(r.text().contains("webwxsync only"), "{}", r.text());
        for endpoint in ["webwxsync", "sync", "*"] {
            let r = control(
                &sim,
                "/_sim/faults",
                json!({"endpoint": endpoint, "kind": kind, "rate": 1.0}),
            );
            assert_eq!(r.status, 200, "{kind} on {endpoint}: {}", r.text());
        }
    }
    // On `*`, they leave every other endpoint alone.
    assert_eq!(jslogin_raw(&sim, TIMEOUT).unwrap().status, 200);
    assert_eq!(
        sim.control().state().counters.get("faults_fired").copied(),
        Some(0)
    );
}

#[test]
fn lose_handles_the_request_then_resets_the_connection() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let friend = sim.control().contacts(None).unwrap();
    let friend = friend.iter().find(|c| c.kind == "friend").unwrap();
    sim.control()
        .add_fault(fault("webwxsendmsg", FaultKind::Lose, 1))
        .unwrap();
    let body = json!({"BaseRequest": s.base_request(), "Msg": {"Type": 1, "Content": "once", "FromUserName": s.user_name, "ToUserName": friend.user_name, "LocalID": "7", "ClientMsgId": "7"}, "Scene": 0});
    let r = raw(
        addr_of(&sim),
        "POST",
        "/cgi-bin/mmwebwx-bin/webwxsendmsg",
        &[("Cookie", s.cookie_header())],
        body.to_string().as_bytes(),
        TIMEOUT,
    );
    assert!(r.is_err(), "no answer: {r:?}");
    // The send was handled: recorded, and the retry with the same ClientMsgId gets its
    // MsgID without a second record.
    let sent = sim.control().sent();
    assert_eq!(sent.len(), 1);
    let again = s.post(&sim, "webwxsendmsg", "", &body);
    assert_eq!(again.ret(), 0);
    assert_eq!(again.json()["MsgID"], sent[0].msg_id.as_str());
    assert_eq!(sim.control().sent().len(), 1);
    let counters = sim.control().state().counters;
    assert_eq!(counters["send_repeats"], 1);
    assert_eq!(counters["send_requests"], 2);
}
