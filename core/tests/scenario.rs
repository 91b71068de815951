//! Deterministic scenario tests: `Client` against the simulator's own logic in virtual
//! time (`webwx_sim::VirtualSim` through `simulated/mod.rs`). No sockets, no real waiting.
//! The two scenarios the simulator must never play are in `scenario_scripted.rs`.

mod simulated;

use simulated::*;
use std::time::Duration;
use webwx_core::client::LogoutReason;
use webwx_core::client::commands::CommandEvent;
use webwx_core::contacts::ContactChange;
use webwx_core::{Client, Config, Event, FileSpec, Refusal, Ret, SessionState};
use webwx_sim::{
    AccountSpec, ContactEvent, ContactInfo, FaultKind, FaultSpec, InjectMessage, SimConfig,
};

fn config() -> Config {
    Config::new(7)
}

/// The text messages among `ev` (the server also delivers a status notify of the recent
/// chats after each login).
fn text_count(ev: &[Event]) -> usize {
    ev.iter()
        .filter(|e| {
            matches!(e, Event::Message(m)
                if matches!(m.kind, webwx_core::message::MessageKind::Text { .. }))
        })
        .count()
}

fn is_logged_out(e: &Event) -> bool {
    matches!(e, Event::LoggedOut { .. })
}

/// A client logged in (with `sim`'s auto-scan, or the phone confirming the QR code at
/// once) and ready.
fn logged_in_on(cfg: SimConfig, client: Config) -> Harness {
    let auto = cfg.auto_scan;
    let mut h = Harness::with(Client::new(client), cfg);
    let now = h.now;
    h.client.login(now).expect("the login starts");
    if !auto {
        h.run_until_event(|e| matches!(e, Event::QrCode { .. }));
        h.sim.scan(None, true).expect("the phone confirms");
    }
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert!(h.client.is_logged_in(), "{:?}", h.events);
    h
}

fn logged_in() -> Harness {
    logged_in_on(sim_config(), config())
}

/// The simulator's setup without the phone's automatic scan.
fn manual_scan() -> SimConfig {
    SimConfig {
        auto_scan: false,
        ..sim_config()
    }
}

/// The client of `h` saved and restored into a new harness (nothing resumed yet), with the
/// same simulator after `change` (e.g. the phone ended the web session meanwhile).
fn restored(mut h: Harness, change: impl FnOnce(&mut webwx_sim::VirtualSim)) -> Harness {
    let saved = h.client.snapshot();
    let mut sim = std::mem::replace(&mut h.sim, webwx_sim::VirtualSim::new(sim_config()));
    change(&mut sim);
    Harness::new(Client::restore(config(), saved), sim).at(h.now)
}

/// The logged-in account as the simulator knows it.
struct Account {
    uin: u64,
    contacts: Vec<ContactInfo>,
}

impl Account {
    fn of(h: &mut Harness) -> Account {
        let state = h.sim.state();
        let live: Vec<_> = state.accounts.iter().filter(|a| a.logged_in).collect();
        assert_eq!(live.len(), 1, "{:?}", state.accounts);
        Account {
            uin: live[0].uin,
            contacts: h.sim.contacts(None).unwrap(),
        }
    }

    fn of_kind(&self, kind: &str) -> Vec<&ContactInfo> {
        self.contacts.iter().filter(|c| c.kind == kind).collect()
    }

    /// The `i`-th friend's UserName.
    fn friend(&self, i: usize) -> String {
        self.of_kind("friend")[i].user_name.clone()
    }

    /// A group that webwxinit does not list (it lists the first 3 with their members):
    /// the client fetches its members with batchgetcontact.
    fn group(&self) -> &ContactInfo {
        let groups = self.of_kind("group");
        assert!(groups.len() > 3);
        groups[groups.len() - 1]
    }
}

fn uuid_of_jslogin(resp: &http::Response<Vec<u8>>) -> String {
    let body = std::str::from_utf8(resp.body()).unwrap();
    body.split("uuid = \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn full_session_login_init_contacts_sync_messages_logout() {
    let mut h = logged_in_on(
        SimConfig {
            contact_page: 3,
            ..sim_config()
        },
        config(),
    );
    let acc = Account::of(&mut h);
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
    let uuid = uuid_of_jslogin(h.last_response("jslogin"));
    match &h.events[0] {
        Event::QrCode { url, .. } => {
            assert_eq!(url, &format!("https://login.weixin.qq.com/l/{uuid}"))
        }
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
        (
            acc.of_kind("friend").len(),
            acc.of_kind("group").len(),
            acc.of_kind("official").len(),
            acc.of_kind("special").len()
        )
    );
    assert!(summary.friends > 0 && summary.groups == 5);
    // getcontact lists groups without members: batchgetcontact fetched them.
    let group = acc.group();
    let members: Vec<String> = h
        .client
        .contacts()
        .get(&group.user_name)
        .unwrap()
        .member_list
        .iter()
        .map(|m| m.user_name.clone())
        .collect();
    let expected: Vec<String> = group
        .members
        .as_ref()
        .unwrap()
        .iter()
        .map(|m| m.user_name.clone())
        .collect();
    assert!(expected.len() >= 3);
    assert_eq!(members, expected);
    assert!(h.calls_since(0).contains(&"webwxbatchgetcontact"));
    // The getcontact pages were followed by Seq, 3 contacts a page.
    let pages = h
        .calls_since(0)
        .iter()
        .filter(|e| **e == "webwxgetcontact")
        .count();
    assert_eq!(pages, acc.contacts.len().div_ceil(3));
    assert!(pages >= 2);
    // statusnotify Code 3 was sent after init.
    assert!(h.calls_since(0).contains(&"webwxstatusnotify"));

    let me_nick = h.sim.state().accounts[0].nick_name.clone();
    let member = group
        .members
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.nick_name != me_nick)
        .unwrap()
        .clone();
    h.push_text(&acc.friend(0), "hello");
    h.sim
        .inject_message(InjectMessage {
            from: member.user_name.clone(),
            group: Some(group.user_name.clone()),
            mentions: vec!["me".into()],
            content: "look".into(),
            ..InjectMessage::default()
        })
        .unwrap();
    h.push_text(&acc.friend(0), "a<b\nc");
    h.run_until(Duration::ZERO, |ev| text_count(ev) == 3);
    assert_eq!(
        h.texts(),
        [
            "hello".to_owned(),
            format!("@{me_nick}\u{2005}look"),
            "a<b\nc".to_owned()
        ]
    );
    let group_msg = h
        .events
        .iter()
        .find_map(|e| match e {
            Event::Message(m) if m.is_group => Some(m.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(group_msg.sender, member.user_name);
    assert_eq!(group_msg.chat, group.user_name);
    assert!(group_msg.mentioned_me, "mentioned by my name in the group");

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
    assert_eq!(h.seen.last().unwrap().1, "webwxlogout");
    assert!(!h.sim.state().accounts[0].logged_in, "the server ended it");
}

#[test]
fn qr_expiry_renews_then_logs_in() {
    let mut h = Harness::with(Client::new(config()), manual_scan());
    let now = h.now;
    h.client.login(now).expect("the login starts");
    // The first poll holds 25 s and answers 408; the next one is held.
    h.run_until(Duration::from_secs(30), |_| false);
    assert_eq!(
        h.responses.iter().filter(|(e, _)| e == "login").count(),
        1,
        "one 408"
    );
    h.sim.expire(None).unwrap(); // 400: a new QR code
    h.run_until(Duration::from_secs(5), |_| false);
    h.sim.expire(None).unwrap(); // 400 again
    h.run_until(Duration::from_secs(5), |_| false);
    h.sim.scan(None, false).unwrap(); // 201
    h.run_until(Duration::from_secs(5), |_| false);
    h.sim.scan(None, true).unwrap(); // 200
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
    let handed_out: Vec<String> = h
        .responses
        .iter()
        .filter(|(e, _)| e == "jslogin")
        .map(|(_, r)| uuid_of_jslogin(r))
        .collect();
    assert_eq!(uuids, handed_out);
    assert!(uuids[0] != uuids[1] && uuids[1] != uuids[2]);
    // tip=1 on the first poll of each uuid, 0 after.
    let tips: Vec<String> = h
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
    // Every uuid expires within its first poll's hold: each poll answers 400.
    let sim = SimConfig {
        uuid_ttl_ms: 1_000,
        ..manual_scan()
    };
    let mut h = Harness::with(Client::new(config().max_qr_renewals(1)), sim);
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
    let mut h = Harness::with(Client::new(config()), manual_scan());
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.settle();
    h.sim.scan(None, false).unwrap();
    h.settle();
    h.sim.cancel(None).unwrap();
    h.settle();
    h.sim.scan(None, false).unwrap();
    h.settle();
    h.sim.scan(None, true).unwrap();
    h.run_until_event(|e| matches!(e, Event::Ready));
    let seq = h.login_steps();
    assert_eq!(seq, ["qr", "scanned", "cancelled", "qr", "scanned", "in"]);
}

#[test]
fn refusal_1203_is_reported_with_the_server_message() {
    let mut h = Harness::with(Client::new(config()), sim_config());
    h.sim
        .prepare_account(AccountSpec {
            refuse: true,
            ..AccountSpec::default()
        })
        .unwrap();
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until(Duration::from_secs(60), |_| false);
    assert_eq!(h.count(is_logged_out), 1);
    match h.events.last().unwrap() {
        Event::LoggedOut {
            reason: LogoutReason::LoginRefused { ret, message },
        } => {
            assert_eq!(*ret, Ret::LOGIN_REFUSED);
            assert_eq!(
                message,
                "为了你的帐号安全，此微信号不能登录网页微信。你可以使用Windows微信或Mac微信在电脑端登录。Windows微信下载地址：https://pc.weixin.qq.com  Mac微信下载地址：https://mac.weixin.qq.com"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!h.calls_since(0).contains(&"webwxinit"));
    assert!(h.done);
}

/// Found by the soak: a newloginpage answered with 1205 (or -1) ended the login at once.
/// It is retried like any request, and refused only when it persists.
#[test]
fn newloginpage_too_frequent_is_retried_then_refused() {
    let pages = |h: &Harness| {
        h.calls_since(0)
            .iter()
            .filter(|e| **e == "webwxnewloginpage")
            .count()
    };
    let mut h = Harness::with(Client::new(config()), sim_config());
    for ret in [1205, -1] {
        h.sim
            .add_fault(FaultSpec::new("webwxnewloginpage", FaultKind::Ret, 1).ret(ret))
            .unwrap();
    }
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert_eq!(h.count(is_logged_out), 0);
    assert_eq!(pages(&h), 3);
    assert!(h.sim.faults().is_empty());

    // Persistent: refused once the retries are spent, with the code, exactly once.
    let mut h = Harness::with(Client::new(config()), sim_config());
    h.sim
        .add_fault(FaultSpec::with_rate("webwxnewloginpage", FaultKind::Ret, 1.0).ret(1205))
        .unwrap();
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
    assert!(!h.calls_since(0).contains(&"webwxinit"));
}

#[test]
fn remote_logout_1101_is_reported_exactly_once() {
    let mut h = logged_in();
    let uin = Account::of(&mut h).uin;
    h.settle();
    h.sim.remote_logout(None, 1101).unwrap();
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
    let n = h.seen.len();
    h.run_until(Duration::from_secs(600), |_| false);
    assert_eq!(h.seen.len(), n, "no request after the session ended");
    assert!(h.client.snapshot().credentials.is_none());
    assert_eq!(h.client.snapshot().last_uin, Some(uin));
}

#[test]
fn transport_errors_recover_without_losing_or_repeating_messages() {
    let mut h = logged_in_on(
        SimConfig {
            sync_batch: 3,
            ..sim_config()
        },
        config(),
    );
    let friend = Account::of(&mut h).friend(0);
    h.settle();
    let key = h.client.state().sync_key.get(1).unwrap();
    // The synccheck held now answers first; the faults hit the requests after it.
    for (endpoint, kind, status) in [
        ("synccheck", FaultKind::Reset, None),
        // Handled by the server (the batch acknowledged), the answer lost on the way back.
        ("webwxsync", FaultKind::Lose, None),
        ("webwxsync", FaultKind::ServerError, Some(502)),
        ("webwxsync", FaultKind::Garbage, None),
        ("synccheck", FaultKind::Garbage, None),
        ("webwxsync", FaultKind::Reset, None),
    ] {
        let mut f = FaultSpec::new(endpoint, kind, 1);
        f.status = status;
        h.sim.add_fault(f).unwrap();
    }
    for i in 0..10 {
        h.push_text(&friend, &format!("m{i}"));
    }
    h.run_until(Duration::from_secs(600), |ev| text_count(ev) >= 10);
    // Two quiet minutes: the synccheck faults hit the polls after the messages.
    h.run_until(Duration::from_secs(120), |_| false);
    let expected: Vec<String> = (0..10).map(|i| format!("m{i}")).collect();
    assert_eq!(h.texts(), expected, "each message exactly once, in order");
    assert!(
        h.sim.faults().is_empty(),
        "every fault fired: {:?}",
        h.sim.faults()
    );
    assert_eq!(h.sim.state().counters["faults_fired"], 6);
    assert_eq!(h.count(is_logged_out), 0);
    // Keys only moved forward, by the 10 messages.
    assert_eq!(h.client.state().sync_key.get(1), Some(key + 10));
}

#[test]
fn continue_flag_syncs_again_before_the_next_synccheck() {
    let mut h = logged_in();
    let friend = Account::of(&mut h).friend(0);
    h.settle();
    for i in 0..120 {
        h.push_text(&friend, &format!("{i}"));
    }
    let before = h.seen.len();
    h.run_until(Duration::ZERO, |ev| text_count(ev) >= 120);
    // The held synccheck (sent before) answered; then 50 + 50 + 20 (ContinueFlag twice).
    let calls = h.calls_since(before - 1);
    assert_eq!(
        &calls[..4],
        ["synccheck", "webwxsync", "webwxsync", "webwxsync"]
    );
    let texts = h.texts();
    assert_eq!(texts.len(), 120);
    assert!(texts.iter().enumerate().all(|(i, t)| *t == i.to_string()));
    let batches: Vec<usize> = h
        .responses
        .iter()
        .filter(|(e, _)| e == "webwxsync")
        .rev()
        .take(3)
        .map(|(_, r)| {
            let v: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
            v["AddMsgCount"].as_u64().unwrap() as usize
        })
        .collect();
    assert_eq!(batches, [20, 50, 50]);
}

#[test]
fn contact_changes_from_sync_are_applied_and_reported() {
    let mut h = logged_in();
    let acc = Account::of(&mut h);
    let (alice, bob) = (acc.friend(0), acc.friend(1));
    h.settle();
    let dave = h
        .sim
        .contact_event(ContactEvent {
            op: "add".into(),
            nick_name: Some("Dave".into()),
            ..ContactEvent::default()
        })
        .unwrap();
    h.sim
        .contact_event(ContactEvent {
            op: "mod".into(),
            user_name: Some(alice.clone()),
            nick_name: Some("Alice (renamed)".into()),
            ..ContactEvent::default()
        })
        .unwrap();
    h.sim
        .contact_event(ContactEvent {
            op: "del".into(),
            user_name: Some(bob.clone()),
            ..ContactEvent::default()
        })
        .unwrap();
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
    assert!(matches!(&changes[0], ContactChange::Added { user_name, .. } if *user_name == dave));
    assert!(matches!(&changes[1], ContactChange::Updated { user_name, .. } if *user_name == alice));
    assert!(matches!(&changes[2], ContactChange::Removed { user_name } if *user_name == bob));
    assert!(h.client.contacts().get(&bob).is_none());
    assert_eq!(h.client.contacts().find("Dave").unwrap().user_name, dave);
    assert_eq!(
        h.client.contacts().get(&alice).unwrap().nick_name,
        "Alice (renamed)"
    );
}

#[test]
fn host_routing_follows_the_redirect_host() {
    let mut h = logged_in_on(
        SimConfig {
            home: "wx2.qq.com".into(),
            ..sim_config()
        },
        config().home("wx2.qq.com"),
    );
    h.settle();
    let uin = Account::of(&mut h).uin;
    let host_of = |ep: &str| h.seen.iter().find(|(_, e)| e == ep).unwrap().0.clone();
    assert_eq!(host_of("jslogin"), "login.wx2.qq.com");
    assert_eq!(host_of("login"), "login.wx2.qq.com");
    assert_eq!(host_of("webwxinit"), "wx2.qq.com");
    assert_eq!(host_of("synccheck"), "webpush.wx2.qq.com");
    let ticket = h.cookie_set_by("webwxnewloginpage", "webwx_data_ticket");
    let init = h
        .requests
        .iter()
        .find(|r| r.uri().path().ends_with("webwxinit"))
        .unwrap();
    let cookie = init.headers()["cookie"].to_str().unwrap();
    assert!(
        cookie.contains(&format!("wxuin={uin}"))
            && cookie.contains(&format!("webwx_data_ticket={ticket}")),
        "{cookie}"
    );
    assert_eq!(init.headers()["referer"], "https://wx2.qq.com/");
}

#[test]
fn restore_from_saved_session_needs_no_qr_and_keeps_messages_flowing() {
    let mut h = logged_in();
    let friend = Account::of(&mut h).friend(0);
    let sid = h.cookie_set_by("webwxnewloginpage", "wxsid");
    h.push_text(&friend, "before");
    h.run_until(Duration::ZERO, |ev| text_count(ev) > 0);
    let saved = h.client.snapshot().to_json();
    assert!(saved.contains(&sid), "the session is saved");
    assert!(
        !format!("{:?}", h.client.snapshot()).contains(&sid),
        "Debug redacts"
    );
    let now = h.now;
    let sim = std::mem::replace(&mut h.sim, webwx_sim::VirtualSim::new(sim_config()));
    drop(h);

    let state = SessionState::from_json(&saved).unwrap();
    let mut h = Harness::new(Client::restore(config(), state), sim).at(now);
    let now = h.now;
    h.client.resume(now).expect("the login starts");
    h.push_text(&friend, "after");
    h.run_until(Duration::ZERO, |ev| text_count(ev) > 0);
    assert_eq!(h.texts(), ["after"], "nothing repeated, nothing lost");
    assert_eq!(h.count(|e| matches!(e, Event::QrCode { .. })), 0);
    assert!(
        !h.calls_since(0)
            .iter()
            .any(|e| *e == "jslogin" || *e == "webwxinit")
    );
}

#[test]
fn restore_of_a_dead_session_falls_back_to_push_login() {
    let mut h = restored(logged_in_on(manual_scan(), config()), |sim| {
        sim.remote_logout(None, 1101).unwrap(); // the phone logged the web session out
    });
    let now = h.now;
    h.client.resume(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::PushLoginSent));
    h.sim.scan(None, true).expect("the phone confirms the push");
    h.run_until_event(|e| matches!(e, Event::Ready));
    let seq = h.login_steps();
    assert_eq!(seq, ["resume_failed", "push", "in"]);
    assert!(
        h.seen
            .iter()
            .any(|(h, e)| e == "webwxpushloginurl" && h == "wx.qq.com")
    );
    assert_eq!(h.count(is_logged_out), 0);
    assert!(Account::of(&mut h).uin > 0, "logged in again on the server");
}

#[test]
fn push_login_refused_falls_back_to_qr() {
    let mut state = SessionState::new(1, webwx_core::Hosts::default());
    state.last_uin = Some(176666155); // not an account of this server
    let mut h = Harness::with(Client::restore(config(), state), sim_config());
    let now = h.now;
    h.client.connect(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert_eq!(h.count(|e| matches!(e, Event::PushLoginFailed { .. })), 1);
    assert_eq!(h.count(|e| matches!(e, Event::QrCode { .. })), 1);
}

#[test]
fn too_frequent_backs_off_and_keeps_the_session() {
    let mut h = Harness::with(Client::new(config()), sim_config());
    // The first 4 synccheck answers are 1205.
    h.sim
        .add_fault(FaultSpec::new("synccheck", FaultKind::Ret, 4).ret(1205))
        .unwrap();
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    let start = h.now;
    let friend = Account::of(&mut h).friend(0);
    h.push_text(&friend, "later");
    h.run_until(Duration::from_secs(600), |ev| text_count(ev) > 0);
    assert_eq!(h.texts(), ["later"]);
    assert!(h.sim.faults().is_empty(), "all four 1205s answered");
    assert!(
        h.now.mono.since(start.mono) >= Duration::from_secs(5),
        "backed off in virtual time"
    );
    assert_eq!(h.count(is_logged_out), 0);
}

#[test]
fn persistent_too_frequent_ends_the_session_after_five_minutes() {
    let mut h = logged_in();
    h.settle();
    h.sim
        .add_fault(FaultSpec::with_rate("synccheck", FaultKind::Ret, 1.0).ret(1205))
        .unwrap();
    let friend = Account::of(&mut h).friend(0);
    h.push_text(&friend, "wake the held poll");
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
    let mut h = restored(logged_in(), |sim| {
        sim.remote_logout(None, 1101).unwrap();
    });
    let now = h.now;
    h.client.resume_for_commands(now).expect("the login starts");
    h.run_until(Duration::from_secs(60), |_| false);
    assert_eq!(h.count(|e| matches!(e, Event::ResumeFailed { .. })), 1);
    assert_eq!(h.count(is_logged_out), 1);
    assert_eq!(
        h.calls_since(0),
        ["webwxgetcontact"],
        "no push login, no QR, no sync"
    );
}

#[test]
fn commands_only_resume_never_touches_the_sync_loop() {
    let mut h = logged_in();
    let friend = Account::of(&mut h).friend(0);
    let mut h = restored(h, |_| {});
    let key = h.client.state().sync_key.clone();
    let now = h.now;
    h.client.resume_for_commands(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    h.push_text(&friend, "not for us");
    h.run_until(Duration::from_secs(60), |_| false);
    assert!(!h.calls_since(0).is_empty());
    assert!(
        !h.calls_since(0)
            .iter()
            .any(|e| *e == "synccheck" || *e == "webwxsync")
    );
    assert_eq!(h.client.state().sync_key, key);
}

#[test]
fn a_request_queued_before_the_session_ended_is_never_sent() {
    let mut h = logged_in();
    let friend = Account::of(&mut h).friend(0);
    let mut h = restored(h, |sim| {
        sim.remote_logout(None, 1101).unwrap();
    });
    let now = h.now;
    h.client.resume_for_commands(now).expect("the login starts");
    // Accepted before the driver drained: getcontact goes out first and its 1101 ends
    // the session while the send's request is still queued.
    let sent = h.client.send_text(now, &friend, "too late").unwrap();
    h.run_until(Duration::from_secs(60), |_| false);
    assert_eq!(h.count(is_logged_out), 1);
    assert!(
        !h.calls_since(0).contains(&"webwxsendmsg"),
        "a request went out after the session ended: {:?}",
        h.calls_since(0)
    );
    assert_eq!(
        h.count(|e| matches!(
            e,
            Event::Command(CommandEvent::SendFailed { local_id, .. }) if *local_id == sent
        )),
        1
    );
    assert!(h.sim.sent().is_empty());
    assert!(h.done);
}

#[test]
fn a_command_refused_with_1101_in_a_resumed_session_logs_in_again_like_the_loop() {
    let mut h = logged_in_on(manual_scan(), config());
    let friend = Account::of(&mut h).friend(0);
    let mut h = restored(h, |sim| {
        sim.remote_logout(None, 1101).unwrap();
    });
    let now = h.now;
    h.client.resume(now).expect("the login starts");
    // getcontact is slow to answer; a send (allowed: the saved session has `me`) is
    // answered first, with 1101.
    let webwx_core::Output::Transmit(_getcontact) = h.client.poll_output() else {
        panic!("getcontact first")
    };
    let sent = h.client.send_text(now, &friend, "hello").unwrap();
    h.run_until_event(|e| matches!(e, Event::PushLoginSent));
    h.sim.scan(None, true).expect("the phone confirms the push");
    h.run_until_event(|e| matches!(e, Event::Ready));
    let seq = h.login_steps();
    assert_eq!(seq, ["resume_failed", "push", "in"]);
    assert_eq!(
        h.count(|e| matches!(
            e,
            Event::Command(CommandEvent::SendFailed { local_id, .. }) if *local_id == sent
        )),
        1
    );
    assert!(h.sim.sent().is_empty(), "the refused send was not recorded");
}

#[test]
fn debug_of_a_transmit_shows_no_secret() {
    let mut h = logged_in();
    let acc = Account::of(&mut h);
    let xml = String::from_utf8(h.last_response("webwxnewloginpage").body().clone()).unwrap();
    let field = |name: &str| {
        xml.split(&format!("<{name}>"))
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned()
    };
    let (skey, sid, pass_ticket) = (field("skey"), field("wxsid"), field("pass_ticket"));
    let data_ticket = h.cookie_set_by("webwxnewloginpage", "webwx_data_ticket");
    let now = h.now;
    h.client.send_text(now, &acc.friend(0), "hi").unwrap();
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
    let pass_prefix: String = pass_ticket.chars().take_while(|c| *c != '%').collect();
    assert!(pass_prefix.len() >= 4, "{pass_ticket}");
    for secret in [
        skey.trim_start_matches("@crypt_"),
        &sid,
        &acc.uin.to_string(),
        &pass_prefix,
        &data_ticket,
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
    let mut h = Harness::with(Client::new(cfg), sim_config());
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until(Duration::from_secs(3600), |_| false);
    assert_eq!(h.count(is_logged_out), 1, "{:?}", h.events);
    assert!(h.seen.is_empty());
}

#[test]
fn unknown_synccheck_retcodes_end_the_session_after_the_give_up_time() {
    let mut h = logged_in();
    h.settle();
    h.sim
        .add_fault(FaultSpec::with_rate("synccheck", FaultKind::Ret, 1.0).ret(9999))
        .unwrap();
    let friend = Account::of(&mut h).friend(0);
    h.push_text(&friend, "wake");
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
    let mut h = logged_in();
    h.settle();
    let before = h.seen.len();
    let now = h.now;
    // Each says why it did nothing.
    assert_eq!(h.client.login(now), Err(Refusal::LoggedIn));
    assert_eq!(h.client.push_login(now), Err(Refusal::LoggedIn));
    assert_eq!(h.client.resume(now), Err(Refusal::LoggedIn));
    assert_eq!(h.client.resume_for_commands(now), Err(Refusal::LoggedIn));
    assert_eq!(h.client.connect(now), Err(Refusal::LoggedIn));
    let friend = Account::of(&mut h).friend(0);
    h.push_text(&friend, "still here");
    h.run_until(Duration::ZERO, |ev| text_count(ev) > 0);
    assert_eq!(h.texts(), ["still here"]);
    let calls = h.calls_since(before);
    assert!(
        !calls
            .iter()
            .any(|e| ["jslogin", "webwxpushloginurl", "webwxgetcontact"].contains(e)),
        "{calls:?}"
    );
}

#[test]
fn member_lists_that_cannot_be_fetched_do_not_stop_the_login() {
    let mut h = Harness::with(Client::new(config()), sim_config());
    h.sim
        .add_fault(FaultSpec::new("webwxbatchgetcontact", FaultKind::Reset, 10))
        .unwrap();
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert!(h.client.is_logged_in());
    assert_eq!(h.count(is_logged_out), 0);
    let acc = Account::of(&mut h);
    assert!(
        h.client
            .contacts()
            .get(&acc.group().user_name)
            .unwrap()
            .member_list
            .is_empty(),
        "members unknown"
    );
    h.push_text(&acc.friend(0), "still works");
    h.run_until(Duration::ZERO, |ev| text_count(ev) > 0);
    assert_eq!(h.texts(), ["still works"]);
}

#[test]
fn a_server_that_never_answers_synccheck_is_given_up_on() {
    let mut h = logged_in();
    h.settle();
    // Every synccheck after the one held now hangs until the client's timeout.
    h.sim
        .add_fault(FaultSpec::with_rate("synccheck", FaultKind::Hang, 1.0))
        .unwrap();
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
    // The server holds 10 minutes, past the client's 35 s timeout: every quiet synccheck
    // times out on the client's side.
    let mut h = logged_in_on(
        SimConfig {
            hold_ms: 600_000,
            ..sim_config()
        },
        config(),
    );
    let friend = Account::of(&mut h).friend(0);
    // A message every 500 s of virtual time: the loop is answered often enough to stay alive.
    for i in 0..3 {
        h.run_until(Duration::from_secs(500), |_| false);
        h.push_text(&friend, &format!("ping {i}"));
        h.run_until(Duration::ZERO, |ev| text_count(ev) > i);
    }
    assert_eq!(h.texts(), ["ping 0", "ping 1", "ping 2"]);
    assert_eq!(h.count(is_logged_out), 0);
}

// ---- commands against the simulator (new) ----

#[test]
fn a_text_sent_reaches_the_server_once_with_its_id() {
    let mut h = logged_in();
    let acc = Account::of(&mut h);
    h.settle();
    let now = h.now;
    let local = h.client.send_text(now, &acc.friend(0), "hi there").unwrap();
    h.run_until(Duration::ZERO, |ev| {
        ev.iter()
            .any(|e| matches!(e, Event::Command(CommandEvent::Sent { .. })))
    });
    let sent = h.sim.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].client_msg_id, local.as_str());
    assert_eq!(sent[0].to, acc.friend(0));
    assert_eq!(sent[0].content, "hi there");
    assert_eq!(sent[0].endpoint, "webwxsendmsg");
    assert_eq!(sent[0].uin, acc.uin);
    let msg_id = match h.events.iter().find_map(|e| match e {
        Event::Command(CommandEvent::Sent { local_id, msg_id }) => Some((local_id, msg_id)),
        _ => None,
    }) {
        Some((l, m)) => {
            assert_eq!(*l, local);
            m.clone()
        }
        None => unreachable!(),
    };
    assert_eq!(msg_id, sent[0].msg_id, "the server's MsgID");
}

#[test]
fn a_file_in_3_chunks_reaches_the_server_whole() {
    let mut h = logged_in();
    let acc = Account::of(&mut h);
    h.settle();
    let data: Vec<u8> = (0..1_300_000u32)
        .map(|i| (i.wrapping_mul(31) >> 3) as u8)
        .collect();
    let now = h.now;
    let handle = h
        .client
        .send_file(
            now,
            &acc.friend(0),
            FileSpec::new("report.pdf", data.len() as u64),
        )
        .unwrap();
    h.files.push((handle.upload, data.clone()));
    h.run_until(Duration::from_secs(60), |ev| {
        ev.iter().any(|e| {
            matches!(
                e,
                Event::Command(CommandEvent::Sent { .. } | CommandEvent::SendFailed { .. })
            )
        })
    });
    assert_eq!(
        h.calls_since(0)
            .iter()
            .filter(|e| **e == "webwxuploadmedia")
            .count(),
        3
    );
    let media_id = h
        .events
        .iter()
        .find_map(|e| match e {
            Event::Command(CommandEvent::Uploaded { media_id, .. }) => Some(media_id.clone()),
            _ => None,
        })
        .expect("uploaded");
    assert!(media_id.starts_with("@crypt_"), "{media_id}");
    let sent = h.sim.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].endpoint, "webwxsendappmsg");
    assert_eq!(sent[0].msg_type, 6);
    assert_eq!(sent[0].client_msg_id, handle.local_id.as_str());
    assert_eq!(sent[0].file_name.as_deref(), Some("report.pdf"));
    assert_eq!(
        sent[0].media_md5.as_deref(),
        Some(webwx_core::upload::md5_hex(&data).as_str()),
        "the server has the file's bytes, in order"
    );
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, Event::Command(CommandEvent::Sent { local_id, .. }) if *local_id == handle.local_id))
    );
}
