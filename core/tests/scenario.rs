//! Deterministic scenario tests: `Client` against a scripted in-process fake server in
//! virtual time (see `fake/mod.rs`). No sockets, no real waiting.

mod fake;

use fake::*;
use std::time::Duration;
use webwx_core::client::LogoutReason;
use webwx_core::contacts::ContactChange;
use webwx_core::{Client, Config, Event, Refusal, Ret, SessionState};

fn config() -> Config {
    Config::new(7)
}

fn logged_in(home: &str) -> Harness {
    let mut h = Harness::new(Client::new(config().home(home)), Fake::new(home));
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert!(h.client.is_logged_in(), "{:?}", h.events);
    h
}

/// The client of `h` saved and restored into a new harness (nothing resumed yet), with the
/// same fake server after `change` (e.g. the phone ended the web session meanwhile).
fn restored(mut h: Harness, change: impl FnOnce(&mut Fake)) -> Harness {
    let saved = h.client.snapshot();
    let mut fake = std::mem::replace(&mut h.fake, Fake::new("wx.qq.com"));
    change(&mut fake);
    Harness::new(Client::restore(config(), saved), fake)
}

fn is_logged_out(e: &Event) -> bool {
    matches!(e, Event::LoggedOut { .. })
}

#[test]
fn full_session_login_init_contacts_sync_messages_logout() {
    let mut h = logged_in("wx.qq.com");
    // QR → scanned → logged in → contacts, in that order.
    let names: Vec<&str> = h
        .events
        .iter()
        .map(|e| match e {
            Event::QrCode { .. } => "qr",
            Event::Scanned { .. } => "scanned",
            Event::LoggedIn { .. } => "logged_in",
            Event::ContactsLoaded(_) => "contacts",
            Event::Ready => "ready",
            _ => "",
        })
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(names, ["qr", "scanned", "logged_in", "contacts", "ready"]);
    match &h.events[0] {
        Event::QrCode { url, .. } => assert_eq!(url, "https://login.weixin.qq.com/l/uuid1=="),
        other => panic!("{other:?}"),
    }
    let Some(Event::ContactsLoaded(summary)) = h
        .events
        .iter()
        .find(|e| matches!(e, Event::ContactsLoaded(_)))
    else {
        unreachable!()
    };
    assert_eq!(
        (
            summary.friends,
            summary.groups,
            summary.official,
            summary.special
        ),
        (2, 1, 1, 1)
    );
    // The group had no members: batchgetcontact fetched them; my display name is known.
    assert_eq!(
        h.client.contacts().my_display_name_in(GROUP).as_deref(),
        Some("Boss")
    );
    // The getcontact pages were followed by Seq.
    let pages = h
        .fake
        .seen
        .iter()
        .filter(|(_, e)| e == "webwxgetcontact")
        .count();
    assert_eq!(pages, 2);
    // statusnotify Code 3 was sent after init.
    assert!(h.fake.seen.iter().any(|(_, e)| e == "webwxstatusnotify"));

    h.fake.push_text(FRIEND, "hello");
    h.fake.push_text(GROUP, "@Boss\u{2005}look");
    h.fake.push_text(FRIEND, "a&lt;b<br/>c");
    h.run_until(Duration::ZERO, |ev| {
        ev.iter().filter(|e| matches!(e, Event::Message(_))).count() == 3
    });
    assert_eq!(h.texts(), ["hello", "@Boss\u{2005}look", "a<b\nc"]);
    let group_msg = h
        .events
        .iter()
        .find_map(|e| match e {
            Event::Message(m) if m.is_group => Some(m.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(group_msg.sender, MEMBER);
    assert_eq!(group_msg.chat, GROUP);
    assert!(group_msg.mentioned_me, "mentioned by my group display name");

    let now = h.now;
    h.client.logout(now);
    h.run_until(Duration::from_secs(60), |_| false);
    assert_eq!(h.count(is_logged_out), 1);
    assert!(h.events.iter().any(|e| matches!(
        e,
        Event::LoggedOut {
            reason: LogoutReason::Requested
        }
    )));
    assert!(h.done, "Output::Done after logout");
    assert_eq!(h.fake.seen.last().unwrap().1, "webwxlogout");
}

#[test]
fn qr_expiry_renews_then_logs_in() {
    let mut fake = Fake::new("wx.qq.com");
    fake.poll_script = [408, 400, 400, 201, 200].into();
    let mut h = Harness::new(Client::new(config()), fake);
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert_eq!(h.count(|e| matches!(e, Event::QrCode { .. })), 3);
    assert_eq!(h.count(|e| matches!(e, Event::QrExpired)), 2);
    let uuids: Vec<String> = h
        .events
        .iter()
        .filter_map(|e| match e {
            Event::QrCode { uuid, .. } => Some(uuid.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(uuids, ["uuid1==", "uuid2==", "uuid3=="]);
    // tip=1 on the first poll of each uuid, 0 after.
    let tips: Vec<String> = h
        .fake
        .requests
        .iter()
        .filter(|r| r.uri().path().ends_with("/login"))
        .map(|r| {
            r.uri()
                .query()
                .unwrap()
                .split('&')
                .nth(2)
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(tips, ["tip=1", "tip=0", "tip=1", "tip=1", "tip=0"]);
}

#[test]
fn qr_renewals_exhausted_end_the_login_once() {
    let mut fake = Fake::new("wx.qq.com");
    fake.poll_script = [400, 400, 400].into();
    let mut h = Harness::new(Client::new(config().max_qr_renewals(1)), fake);
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until(Duration::from_secs(600), |_| false);
    assert_eq!(h.count(|e| matches!(e, Event::QrCode { .. })), 2);
    assert_eq!(h.count(is_logged_out), 1);
    assert!(matches!(
        h.events.last(),
        Some(Event::LoggedOut {
            reason: LogoutReason::QrExpired
        })
    ));
}

#[test]
fn scanned_then_cancelled_gets_a_new_qr() {
    let mut fake = Fake::new("wx.qq.com");
    fake.poll_script = [201, 202, 201, 200].into();
    let mut h = Harness::new(Client::new(config()), fake);
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    let seq = h.login_steps();
    assert_eq!(seq, ["qr", "scanned", "cancelled", "qr", "scanned", "in"]);
}

#[test]
fn refusal_1203_is_reported_with_the_server_message() {
    let mut fake = Fake::new("wx.qq.com");
    fake.login_page = LoginPageMode::Refuse1203;
    let mut h = Harness::new(Client::new(config()), fake);
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until(Duration::from_secs(60), |_| false);
    assert_eq!(h.count(is_logged_out), 1);
    match h.events.last().unwrap() {
        Event::LoggedOut {
            reason: LogoutReason::LoginRefused { ret, message },
        } => {
            assert_eq!(*ret, Ret::LOGIN_REFUSED);
            assert_eq!(message, "当前登录环境异常。");
        }
        other => panic!("{other:?}"),
    }
    assert!(!h.fake.seen.iter().any(|(_, e)| e == "webwxinit"));
    assert!(h.done);
}

/// Found by the soak: a newloginpage answered with 1205 (or -1) ended the login at once.
/// It is retried like any request, and refused only when it persists.
#[test]
fn newloginpage_too_frequent_is_retried_then_refused() {
    let mut fake = Fake::new("wx.qq.com");
    fake.faults
        .push(("webwxnewloginpage".into(), Fault::Ret(1205)));
    fake.faults
        .push(("webwxnewloginpage".into(), Fault::Ret(-1)));
    let mut h = Harness::new(Client::new(config()), fake);
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert_eq!(h.count(is_logged_out), 0);
    let pages = |h: &Harness| {
        h.fake
            .seen
            .iter()
            .filter(|(_, e)| e == "webwxnewloginpage")
            .count()
    };
    assert_eq!(pages(&h), 3);

    // Persistent: refused once the retries are spent, with the code, exactly once.
    let mut fake = Fake::new("wx.qq.com");
    for _ in 0..20 {
        fake.faults
            .push(("webwxnewloginpage".into(), Fault::Ret(1205)));
    }
    let mut h = Harness::new(Client::new(config()), fake);
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until(Duration::from_secs(120), |_| false);
    assert_eq!(h.count(is_logged_out), 1);
    match h.events.last().unwrap() {
        Event::LoggedOut {
            reason: LogoutReason::LoginRefused { ret, .. },
        } => assert_eq!(*ret, Ret::TOO_FREQUENT),
        other => panic!("{other:?}"),
    }
    let attempts = config().retry.max_attempts as usize;
    assert_eq!(pages(&h), attempts);
    assert!(!h.fake.seen.iter().any(|(_, e)| e == "webwxinit"));
}

#[test]
fn newloginpage_301_with_xml_logs_in() {
    let mut fake = Fake::new("wx.qq.com");
    fake.login_page = LoginPageMode::Ok301;
    let mut h = Harness::new(Client::new(config()), fake);
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert!(h.client.is_logged_in());
}

#[test]
fn remote_logout_1101_is_reported_exactly_once() {
    let mut h = logged_in("wx.qq.com");
    h.fake.synccheck_retcode = Some(1101);
    h.fake.push_text(FRIEND, "wake the long-poll");
    h.run_until(Duration::from_secs(60), |_| false);
    assert_eq!(h.count(is_logged_out), 1);
    assert!(matches!(
        h.events.last(),
        Some(Event::LoggedOut {
            reason: LogoutReason::Remote {
                ret: Ret::SESSION_INVALID
            }
        })
    ));
    let n = h.fake.seen.len();
    h.run_until(Duration::from_secs(600), |_| false);
    assert_eq!(h.fake.seen.len(), n, "no request after the session ended");
    assert!(h.client.snapshot().credentials.is_none());
    assert_eq!(h.client.snapshot().last_uin, Some(UIN));
}

#[test]
fn transport_errors_recover_without_losing_or_repeating_messages() {
    let mut h = logged_in("wx.qq.com");
    for i in 0..10 {
        h.fake.push_text(FRIEND, &format!("m{i}"));
    }
    h.fake.sync_page = 3;
    h.fake.faults = vec![
        ("synccheck".into(), Fault::Reset),
        ("webwxsync".into(), Fault::LoseAnswer), // processed by the server, answer lost
        ("webwxsync".into(), Fault::Status(502)),
        ("webwxsync".into(), Fault::Garbage),
        ("synccheck".into(), Fault::Garbage),
        ("webwxsync".into(), Fault::Reset),
    ];
    h.run_until(Duration::from_secs(600), |ev| {
        ev.iter().filter(|e| matches!(e, Event::Message(_))).count() >= 10
    });
    h.settle();
    let expected: Vec<String> = (0..10).map(|i| format!("m{i}")).collect();
    assert_eq!(h.texts(), expected, "each message exactly once, in order");
    assert!(h.fake.faults.is_empty(), "every fault fired");
    assert_eq!(h.count(is_logged_out), 0);
    // Keys only moved forward.
    assert_eq!(h.client.state().sync_key.get(1), Some(10));
}

#[test]
fn continue_flag_syncs_again_before_the_next_synccheck() {
    let mut h = logged_in("wx.qq.com");
    for i in 0..120 {
        h.fake.push_text(FRIEND, &format!("{i}"));
    }
    let before = h.fake.seen.len();
    h.run_until(Duration::ZERO, |ev| {
        ev.iter().filter(|e| matches!(e, Event::Message(_))).count() >= 120
    });
    let calls: Vec<&str> = h.fake.seen[before..]
        .iter()
        .map(|(_, e)| e.as_str())
        .collect();
    assert_eq!(
        &calls[..4],
        ["synccheck", "webwxsync", "webwxsync", "webwxsync"]
    );
    let texts = h.texts();
    assert_eq!(texts.len(), 120);
    assert!(texts.iter().enumerate().all(|(i, t)| *t == i.to_string()));
}

#[test]
fn contact_changes_from_sync_are_applied_and_reported() {
    let mut h = logged_in("wx.qq.com");
    h.fake.mod_contacts.push(contact("@newfriend", "Dave", 0));
    h.fake
        .mod_contacts
        .push(contact(FRIEND, "Alice (renamed)", 0));
    h.fake.del_contacts.push("@bob".into());
    h.run_until(Duration::ZERO, |ev| {
        ev.iter().filter(|e| matches!(e, Event::Contact(_))).count() >= 3
    });
    let changes: Vec<ContactChange> = h
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Contact(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert!(
        matches!(&changes[0], ContactChange::Added { user_name, .. } if user_name == "@newfriend")
    );
    assert!(matches!(&changes[1], ContactChange::Updated { user_name, .. } if user_name == FRIEND));
    assert!(matches!(&changes[2], ContactChange::Removed { user_name } if user_name == "@bob"));
    assert!(h.client.contacts().get("@bob").is_none());
    assert_eq!(
        h.client.contacts().find("Dave").unwrap().user_name,
        "@newfriend"
    );
}

#[test]
fn host_routing_follows_the_redirect_host() {
    let mut h = logged_in("wx2.qq.com");
    h.settle();
    let host_of = |ep: &str| h.fake.seen.iter().find(|(_, e)| e == ep).unwrap().0.clone();
    assert_eq!(host_of("jslogin"), "login.wx2.qq.com");
    assert_eq!(host_of("login"), "login.wx2.qq.com");
    assert_eq!(host_of("webwxinit"), "wx2.qq.com");
    assert_eq!(host_of("synccheck"), "webpush.wx2.qq.com");
    let init = h
        .fake
        .requests
        .iter()
        .find(|r| r.uri().path().ends_with("webwxinit"))
        .unwrap();
    let cookie = init.headers()["cookie"].to_str().unwrap();
    assert!(cookie.contains("wxuin=176666155") && cookie.contains("webwx_data_ticket=DATATICKET"));
    assert_eq!(init.headers()["referer"], "https://wx2.qq.com/");
}

#[test]
fn restore_from_saved_session_needs_no_qr_and_keeps_messages_flowing() {
    let mut h = logged_in("wx.qq.com");
    h.fake.push_text(FRIEND, "before");
    h.run_until(Duration::ZERO, |ev| {
        ev.iter().any(|e| matches!(e, Event::Message(_)))
    });
    let saved = h.client.snapshot().to_json();
    assert!(
        !format!("{:?}", h.client.snapshot()).contains(SID),
        "Debug redacts"
    );
    let fake = std::mem::replace(&mut h.fake, Fake::new("wx.qq.com"));
    drop(h);

    let state = SessionState::from_json(&saved).unwrap();
    let mut h = Harness::new(Client::restore(config(), state), fake);
    let before = h.fake.seen.len();
    let now = h.now;
    h.client.resume(now).expect("the login starts");
    h.fake.push_text(FRIEND, "after");
    h.run_until(Duration::ZERO, |ev| {
        ev.iter().any(|e| matches!(e, Event::Message(_)))
    });
    assert_eq!(h.texts(), ["after"], "nothing repeated, nothing lost");
    assert_eq!(h.count(|e| matches!(e, Event::QrCode { .. })), 0);
    assert!(
        !h.fake.seen[before..]
            .iter()
            .any(|(_, e)| e == "jslogin" || e == "webwxinit")
    );
}

#[test]
fn restore_of_a_dead_session_falls_back_to_push_login() {
    let mut h = restored(logged_in("wx.qq.com"), |fake| {
        fake.session_valid = false; // the phone logged the web session out meanwhile
        fake.poll_script = [200].into();
    });
    let now = h.now;
    h.client.resume(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    let seq = h.login_steps();
    assert_eq!(seq, ["resume_failed", "push", "in"]);
    assert!(
        h.fake
            .seen
            .iter()
            .any(|(h, e)| e == "webwxpushloginurl" && h == "wx.qq.com")
    );
    assert_eq!(h.count(is_logged_out), 0);
}

#[test]
fn push_login_refused_falls_back_to_qr() {
    let mut fake = Fake::new("wx.qq.com");
    fake.push_login_ok = false;
    let mut state = SessionState::new(1, webwx_core::Hosts::default());
    state.last_uin = Some(UIN);
    let mut h = Harness::new(Client::restore(config(), state), fake);
    let now = h.now;
    h.client.connect(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert_eq!(h.count(|e| matches!(e, Event::PushLoginFailed { .. })), 1);
    assert_eq!(h.count(|e| matches!(e, Event::QrCode { .. })), 1);
}

#[test]
fn too_frequent_backs_off_and_keeps_the_session() {
    let mut h = logged_in("wx.qq.com");
    h.fake.faults = (0..4)
        .map(|_| ("synccheck".to_owned(), Fault::Ret(1205)))
        .collect();
    h.fake.push_text(FRIEND, "later");
    let start = h.now;
    h.run_until(Duration::from_secs(600), |ev| {
        ev.iter().any(|e| matches!(e, Event::Message(_)))
    });
    assert_eq!(h.texts(), ["later"]);
    assert!(
        h.now.mono.since(start.mono) >= Duration::from_secs(5),
        "backed off in virtual time"
    );
    assert_eq!(h.count(is_logged_out), 0);
}

#[test]
fn persistent_too_frequent_ends_the_session_after_five_minutes() {
    let mut h = logged_in("wx.qq.com");
    h.fake.faults = (0..1000)
        .map(|_| ("synccheck".to_owned(), Fault::Ret(1205)))
        .collect();
    h.fake.push_text(FRIEND, "never");
    let start = h.now;
    h.run_until(Duration::from_secs(3600), |_| false);
    assert_eq!(h.count(is_logged_out), 1);
    assert!(matches!(
        h.events.last(),
        Some(Event::LoggedOut {
            reason: LogoutReason::TooFrequent
        })
    ));
    assert!(h.now.mono.since(start.mono) >= Duration::from_secs(300));
}

#[test]
fn origin_override_sends_relay_form_with_renamed_headers() {
    let cfg = config()
        .origin("http://127.0.0.1:8787")
        .unwrap()
        .rename_headers(true);
    let mut client = Client::new(cfg);
    client
        .login(webwx_core::Now::from_millis(1))
        .expect("the login starts");
    let webwx_core::Output::Transmit(t) = client.poll_output() else {
        panic!()
    };
    assert!(
        t.request
            .uri()
            .to_string()
            .starts_with("http://127.0.0.1:8787/login.wx.qq.com/jslogin?appid=")
    );
    assert!(t.request.headers().get("user-agent").is_none());
    assert!(t.request.headers().get("x-wx-user-agent").is_some());
    assert_eq!(t.request.headers()["x-wx-referer"], "https://wx.qq.com/");
    assert_eq!(
        t.request.headers()["x-wx-relay"],
        "1",
        "relay mode is marked"
    );
}

#[test]
fn commands_only_resume_of_a_dead_session_does_not_log_in_again() {
    let mut h = restored(logged_in("wx.qq.com"), |fake| fake.session_valid = false);
    let before = h.fake.seen.len();
    let now = h.now;
    h.client.resume_for_commands(now).expect("the login starts");
    h.run_until(Duration::from_secs(60), |_| false);
    assert_eq!(h.count(|e| matches!(e, Event::ResumeFailed { .. })), 1);
    assert_eq!(h.count(is_logged_out), 1);
    let calls: Vec<&str> = h.fake.seen[before..]
        .iter()
        .map(|(_, e)| e.as_str())
        .collect();
    assert_eq!(calls, ["webwxgetcontact"], "no push login, no QR, no sync");
}

#[test]
fn commands_only_resume_never_touches_the_sync_loop() {
    let mut h = restored(logged_in("wx.qq.com"), |_| {});
    let key = h.client.state().sync_key.clone();
    let before = h.fake.seen.len();
    let now = h.now;
    h.client.resume_for_commands(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    h.fake.push_text(FRIEND, "not for us");
    h.run_until(Duration::from_secs(60), |_| false);
    assert!(
        !h.fake.seen[before..]
            .iter()
            .any(|(_, e)| e == "synccheck" || e == "webwxsync")
    );
    assert_eq!(h.client.state().sync_key, key);
}

#[test]
fn a_request_queued_before_the_session_ended_is_never_sent() {
    let mut h = restored(logged_in("wx.qq.com"), |fake| fake.session_valid = false);
    let before = h.fake.seen.len();
    let now = h.now;
    h.client.resume_for_commands(now).expect("the login starts");
    // Accepted before the driver drained: getcontact goes out first and its 1101 ends
    // the session while the send's request is still queued.
    let sent = h.client.send_text(now, FRIEND, "too late").unwrap();
    h.run_until(Duration::from_secs(60), |_| false);
    assert_eq!(h.count(is_logged_out), 1);
    assert!(
        !h.fake.seen[before..]
            .iter()
            .any(|(_, e)| e == "webwxsendmsg"),
        "a request went out after the session ended: {:?}",
        &h.fake.seen[before..]
    );
    assert_eq!(
        h.count(|e| matches!(
            e,
            Event::Command(webwx_core::client::CommandEvent::SendFailed { local_id, .. })
                if *local_id == sent
        )),
        1
    );
    assert!(h.done);
}

#[test]
fn a_command_refused_with_1101_in_a_resumed_session_logs_in_again_like_the_loop() {
    let mut h = restored(logged_in("wx.qq.com"), |fake| {
        fake.session_valid = false;
        fake.poll_script = [200].into();
    });
    let now = h.now;
    h.client.resume(now).expect("the login starts");
    // getcontact is slow to answer; a send (allowed: the saved session has `me`) is
    // answered first, with 1101.
    let webwx_core::Output::Transmit(_getcontact) = h.client.poll_output() else {
        panic!("getcontact first")
    };
    let sent = h.client.send_text(now, FRIEND, "hello").unwrap();
    h.run_until_event(|e| matches!(e, Event::Ready));
    let seq = h.login_steps();
    assert_eq!(seq, ["resume_failed", "push", "in"]);
    assert_eq!(
        h.count(|e| matches!(
            e,
            Event::Command(webwx_core::client::CommandEvent::SendFailed { local_id, .. })
                if *local_id == sent
        )),
        1
    );
}

#[test]
fn debug_of_a_transmit_shows_no_secret() {
    let mut h = logged_in("wx.qq.com");
    let now = h.now;
    h.client.send_text(now, FRIEND, "hi").unwrap();
    let t = loop {
        match h.client.poll_output() {
            webwx_core::Output::Transmit(t) if t.endpoint == "webwxsendmsg" => break t,
            webwx_core::Output::Transmit(_) | webwx_core::Output::Event(_) => {}
            other => panic!("no send request: {other:?}"),
        }
    };
    assert!(t.request.headers().contains_key("cookie"));
    let dbg = format!("{t:?}");
    let dbg = format!("{dbg} {:?}", webwx_core::Output::Transmit(t));
    for secret in [
        SKEY.trim_start_matches("@crypt_"),
        SID,
        &UIN.to_string(),
        "kbmy5Jt9nj",
        "DATATICKET",
    ] {
        assert!(!dbg.contains(secret), "{secret} in {dbg}");
    }
    assert!(dbg.contains("webwxsendmsg"), "{dbg}");
}

#[test]
fn an_origin_that_cannot_carry_a_request_is_refused_up_front() {
    for bad in [
        "http://bad host:1",
        "http://127.0.0.1:1/pre fix",
        "http://a\u{7f}b",
    ] {
        assert!(config().origin(bad).is_err(), "{bad:?} accepted");
    }
    // What is accepted carries every request: a login never stalls without an event.
    let cfg = config().origin("http://127.0.0.1:8787/relay").unwrap();
    let mut client = Client::new(cfg);
    client
        .login(webwx_core::Now::from_millis(1))
        .expect("the login starts");
    assert!(matches!(
        client.poll_output(),
        webwx_core::Output::Transmit(_)
    ));
    // An origin set around those checks still ends the login with an event.
    let mut cfg = config();
    cfg.origin = Some(webwx_core::relay::Origin {
        scheme: "http".into(),
        authority: "bad host".into(),
        prefix: String::new(),
    });
    let mut h = Harness::new(Client::new(cfg), Fake::new("wx.qq.com"));
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until(Duration::from_secs(3600), |_| false);
    assert_eq!(h.count(is_logged_out), 1, "{:?}", h.events);
    assert!(h.fake.seen.is_empty());
}

#[test]
fn unknown_synccheck_retcodes_end_the_session_after_the_give_up_time() {
    let mut h = logged_in("wx.qq.com");
    h.fake.synccheck_retcode = Some(9999);
    h.fake.push_text(FRIEND, "wake");
    let start = h.now;
    h.run_until(Duration::from_secs(3600), |_| false);
    assert_eq!(h.count(is_logged_out), 1);
    match h.events.last() {
        Some(Event::LoggedOut {
            reason: LogoutReason::Refused { endpoint, ret, .. },
        }) => {
            assert_eq!(endpoint, "synccheck");
            assert_eq!(*ret, Ret(9999));
        }
        other => panic!("{other:?}"),
    }
    assert!(h.now.mono.since(start.mono) >= Duration::from_secs(600));
}

#[test]
fn login_commands_never_reset_a_running_session() {
    let mut h = logged_in("wx.qq.com");
    h.settle();
    let before = h.fake.seen.len();
    let now = h.now;
    // Each says why it did nothing.
    assert_eq!(h.client.login(now), Err(Refusal::LoggedIn));
    assert_eq!(h.client.push_login(now), Err(Refusal::LoggedIn));
    assert_eq!(h.client.resume(now), Err(Refusal::LoggedIn));
    assert_eq!(h.client.resume_for_commands(now), Err(Refusal::LoggedIn));
    assert_eq!(h.client.connect(now), Err(Refusal::LoggedIn));
    h.fake.push_text(FRIEND, "still here");
    h.run_until(Duration::ZERO, |ev| {
        ev.iter().any(|e| matches!(e, Event::Message(_)))
    });
    assert_eq!(h.texts(), ["still here"]);
    let calls: Vec<&str> = h.fake.seen[before..]
        .iter()
        .map(|(_, e)| e.as_str())
        .collect();
    assert!(
        !calls
            .iter()
            .any(|e| ["jslogin", "webwxpushloginurl", "webwxgetcontact"].contains(e)),
        "{calls:?}"
    );
}

#[test]
fn member_lists_that_cannot_be_fetched_do_not_stop_the_login() {
    let mut fake = Fake::new("wx.qq.com");
    fake.faults = (0..10)
        .map(|_| ("webwxbatchgetcontact".to_owned(), Fault::Reset))
        .collect();
    let mut h = Harness::new(Client::new(config()), fake);
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert!(h.client.is_logged_in());
    assert_eq!(h.count(is_logged_out), 0);
    assert_eq!(
        h.client.contacts().my_display_name_in(GROUP),
        None,
        "members unknown"
    );
    h.fake.push_text(FRIEND, "still works");
    h.run_until(Duration::ZERO, |ev| {
        ev.iter().any(|e| matches!(e, Event::Message(_)))
    });
    assert_eq!(h.texts(), ["still works"]);
}

#[test]
fn invitemember_threshold_comes_from_webwxinit() {
    for (threshold, expected) in [(40, "addmember"), (1, "invitemember")] {
        let mut fake = Fake::new("wx.qq.com");
        fake.invite_start_count = threshold;
        let mut h = Harness::new(Client::new(config()), fake);
        let now = h.now;
        h.client.login(now).expect("the login starts");
        h.run_until_event(|e| matches!(e, Event::Ready));
        assert_eq!(h.client.contacts().get(GROUP).unwrap().member_list.len(), 2);
        h.settle(); // the synccheck long-poll is out and held
        let now = h.now;
        h.client.add_members(now, GROUP, &["@bob"]).unwrap();
        let webwx_core::Output::Transmit(t) = h.client.poll_output() else {
            panic!("a request")
        };
        assert!(
            t.request
                .uri()
                .query()
                .unwrap()
                .contains(&format!("fun={expected}")),
            "{threshold}: {}",
            t.request.uri()
        );
    }
}

#[test]
fn a_server_that_never_answers_synccheck_is_given_up_on() {
    let mut h = logged_in("wx.qq.com");
    // Nothing pending: the fake holds every synccheck until the client's timeout.
    let start = h.now;
    h.run_until(Duration::from_secs(3600), |_| false);
    assert_eq!(h.count(is_logged_out), 1);
    assert!(matches!(
        h.events.last(),
        Some(Event::LoggedOut {
            reason: LogoutReason::Unreachable {
                kind: webwx_core::TransportErrorKind::Timeout,
                ..
            }
        })
    ));
    assert!(h.now.mono.since(start.mono) >= Duration::from_secs(600));
}

#[test]
fn quiet_long_polls_that_are_answered_keep_the_session() {
    let mut h = logged_in("wx.qq.com");
    // A message every 500 s of virtual time: each synccheck in between times out
    // (the fake holds), but the loop is answered often enough to stay alive.
    for i in 0..3 {
        h.run_until(Duration::from_secs(500), |_| false);
        h.fake.push_text(FRIEND, &format!("ping {i}"));
        h.run_until(Duration::ZERO, |ev| {
            ev.iter().filter(|e| matches!(e, Event::Message(_))).count() > i
        });
    }
    assert_eq!(h.texts(), ["ping 0", "ping 1", "ping 2"]);
    assert_eq!(h.count(is_logged_out), 0);
}
