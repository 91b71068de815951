//! The message loop over real HTTP: synccheck long-polls and selectors,
//! webwxsync lists and keys, redelivery, ContinueFlag, remote logout.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use webwx_sim::{ContactEvent, InjectMessage};

fn text(from: &str, content: &str) -> InjectMessage {
    InjectMessage {
        from: from.into(),
        content: content.into(),
        ..InjectMessage::default()
    }
}

fn first_friend(sim: &webwx_sim::RunningSim) -> webwx_sim::ContactInfo {
    sim.control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.kind == "friend")
        .unwrap()
}

#[test]
fn synccheck_holds_then_answers_selector_0() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let t0 = Instant::now();
    let r = s.get(&sim, "push", "synccheck", &s.synccheck_query());
    assert_eq!(r.text(), "window.synccheck={retcode:\"0\",selector:\"0\"}");
    assert_eq!(r.header("content-type"), Some("text/javascript"));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(t0.elapsed() >= Duration::from_millis(180));
}

#[test]
fn synccheck_wakes_at_once_when_a_message_arrives() {
    // A poll that is not woken waits out the 8 s hold; one that is answers within
    // milliseconds. Half the hold as the bound leaves a loaded CI machine seconds of slack
    // and still tells the two apart.
    let sim = sim_with(|c| c.hold_ms = 8_000);
    let s = login(&sim, Form::Relay);
    let friend = first_friend(&sim);
    let c = sim.control();
    let nick = friend.nick_name.clone();
    let injector = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        c.inject_message(text(&nick, "hi")).unwrap()
    });
    let t0 = Instant::now();
    let (ret, sel) = s.synccheck(&sim);
    injector.join().unwrap();
    assert_eq!((ret.as_str(), sel.as_str()), ("0", "2"));
    assert!(
        t0.elapsed() < Duration::from_millis(4_000),
        "{:?}",
        t0.elapsed()
    );
    // Pending: answers at once (well inside the 8 s hold), again and again, until synced.
    let t0 = Instant::now();
    assert_eq!(s.synccheck(&sim).1, "2");
    assert!(t0.elapsed() < Duration::from_millis(4_000));
}

#[test]
fn webwxsync_delivers_and_advances_the_keys() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let friend = first_friend(&sim);
    let id = sim
        .control()
        .inject_message(text(&friend.nick_name, "a <b> & c\nd"))
        .unwrap();
    let before = s.sync_key.clone();
    let v = s.sync(&sim);
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    assert_eq!(v["AddMsgCount"], 1);
    let m = &v["AddMsgList"][0];
    assert_eq!(m["MsgId"], id.as_str());
    assert_eq!(m["NewMsgId"].as_u64().unwrap().to_string(), id);
    assert_eq!(m["FromUserName"], friend.user_name.as_str());
    assert_eq!(m["ToUserName"], s.user_name.as_str());
    assert_eq!(m["MsgType"], 1);
    assert_eq!(m["Content"], "a &lt;b&gt; &amp; c<br/>d");
    assert_eq!(m["Url"], "");
    assert!(m["RecommendInfo"].is_object());
    for k in [
        "ModContactCount",
        "ModContactList",
        "DelContactCount",
        "DelContactList",
        "ModChatRoomMemberCount",
        "ModChatRoomMemberList",
        "Profile",
        "ContinueFlag",
        "SyncKey",
        "SyncCheckKey",
        "SKey",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert_eq!(v["SKey"], s.skey.as_str());
    assert_eq!(v["ContinueFlag"], 0);
    assert_ne!(v["SyncKey"], before);
    assert_eq!(v["SyncCheckKey"]["List"][0], v["SyncKey"]["List"][0]);
    assert!(v["SyncCheckKey"]["Count"].as_u64() > v["SyncKey"]["Count"].as_u64());
    let cookies = cookie_pairs(&[]);
    assert!(cookies.is_empty());
    // Nothing new: the next sync is empty and synccheck holds.
    let v = s.sync(&sim);
    assert_eq!(v["AddMsgCount"], 0);
    assert_eq!(s.synccheck(&sim), ("0".into(), "0".into()));
    assert_eq!(sim.control().state().counters["messages_delivered"], 1);
}

#[test]
fn a_retry_with_the_old_key_gets_the_same_messages() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let friend = first_friend(&sim);
    sim.control()
        .inject_message(text(&friend.nick_name, "one"))
        .unwrap();
    let old = s.sync_key.clone();
    let v1 = s.sync(&sim);
    // The answer was lost: the client retries with the old key.
    s.sync_key = old;
    let v2 = s.sync(&sim);
    assert_eq!(v1["AddMsgList"], v2["AddMsgList"]);
    assert_eq!(v1["SyncKey"], v2["SyncKey"]);
    // Once the new key is used, the old messages are gone for good.
    let v3 = s.sync(&sim);
    assert_eq!(v3["AddMsgCount"], 0);
}

#[test]
fn itchat_uses_the_synccheckkey_as_synckey() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let friend = first_friend(&sim);
    sim.control()
        .inject_message(text(&friend.nick_name, "one"))
        .unwrap();
    let v = s.sync(&sim);
    s.sync_key = v["SyncCheckKey"].clone();
    sim.control()
        .inject_message(text(&friend.nick_name, "two"))
        .unwrap();
    let v = s.sync(&sim);
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    assert_eq!(v["AddMsgCount"], 1);
    assert_eq!(v["AddMsgList"][0]["Content"], "two");
}

#[test]
fn bad_synckeys_are_rejected() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let q = format!("sid={}&skey={}&{}", s.sid, s.skey, s.pass_query());
    for key in [
        json!({"Count": 0, "List": []}),
        json!({"Count": 1, "List": [{"Key": 1, "Val": 5}]}),
        json!({"Count": 1, "List": [{"Key": 1, "Val": 999_999_999_999u64}]}),
        json!("garbage"),
    ] {
        let r = s.post(
            &sim,
            "webwxsync",
            &q,
            &json!({"BaseRequest": s.base_request(), "SyncKey": key, "rr": 1}),
        );
        let v = r.json();
        assert_eq!(v["BaseResponse"]["Ret"], 1, "{key}");
        assert_eq!(v["SyncKey"]["Count"], 0);
    }
    // pass_ticket is required on webwxsync.
    let r = s.post(
        &sim,
        "webwxsync",
        &format!("sid={}&skey={}", s.sid, s.skey),
        &json!({"BaseRequest": s.base_request(), "SyncKey": s.sync_key, "rr": 1}),
    );
    assert_eq!(r.ret(), 1100);
}

#[test]
fn continue_flag_when_more_than_a_batch_is_queued() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let friend = first_friend(&sim);
    for i in 0..120 {
        sim.control()
            .inject_message(text(&friend.nick_name, &format!("m{i}")))
            .unwrap();
    }
    let v = s.sync(&sim);
    assert_eq!(v["AddMsgCount"], 50);
    assert_eq!(v["ContinueFlag"], 1);
    let v = s.sync(&sim);
    assert_eq!(v["AddMsgCount"], 50);
    assert_eq!(v["ContinueFlag"], 1);
    let v = s.sync(&sim);
    assert_eq!(v["AddMsgCount"], 20);
    assert_eq!(v["ContinueFlag"], 0);
    assert_eq!(v["AddMsgList"][19]["Content"], "m119");
}

#[test]
fn group_messages_and_mentions() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let group = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.kind == "group")
        .unwrap();
    let members = group.members.clone().unwrap();
    let member = members.iter().find(|m| m.user_name != s.user_name).unwrap();
    let other = members
        .iter()
        .find(|m| m.user_name != s.user_name && m.user_name != member.user_name)
        .unwrap();
    sim.control()
        .inject_message(InjectMessage {
            group: Some(group.nick_name.clone()),
            from: member.nick_name.clone(),
            content: "大家好".into(),
            mentions: vec!["me".into(), other.user_name.clone()],
            ..InjectMessage::default()
        })
        .unwrap();
    let msgs = s.drain(&sim);
    let m = &msgs[0];
    assert_eq!(m["FromUserName"], group.user_name.as_str());
    assert_eq!(m["ToUserName"], s.user_name.as_str());
    let shown = if other.display_name.is_empty() {
        &other.nick_name
    } else {
        &other.display_name
    };
    let expected = format!(
        "{}:<br/>@{}\u{2005}@{}\u{2005}大家好",
        member.user_name, s.nick_name, shown
    );
    assert_eq!(m["Content"], expected.as_str());
    // itchat's split regex.
    assert!(
        member.user_name[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    );
    // A message sent from the phone into the group has no prefix.
    sim.control()
        .inject_message(InjectMessage {
            group: Some(group.user_name.clone()),
            from: "me".into(),
            content: "from my phone".into(),
            ..InjectMessage::default()
        })
        .unwrap();
    let m = &s.drain(&sim)[0];
    assert_eq!(m["FromUserName"], s.user_name.as_str());
    assert_eq!(m["ToUserName"], group.user_name.as_str());
    assert_eq!(m["Content"], "from my phone");
}

#[test]
fn contact_events_raise_selectors_4_and_6() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let friend = first_friend(&sim);
    sim.control()
        .contact_event(ContactEvent {
            op: "mod".into(),
            user_name: Some(friend.user_name.clone()),
            nick_name: Some("新名字".into()),
            ..ContactEvent::default()
        })
        .unwrap();
    assert_eq!(s.synccheck(&sim).1, "4");
    let v = s.sync(&sim);
    assert_eq!(v["ModContactCount"], 1);
    assert_eq!(v["ModContactList"][0]["NickName"], "新名字");
    let un = sim
        .control()
        .contact_event(ContactEvent {
            op: "add".into(),
            nick_name: Some("Zed".into()),
            ..ContactEvent::default()
        })
        .unwrap();
    assert_eq!(s.synccheck(&sim).1, "6");
    let v = s.sync(&sim);
    assert_eq!(v["ModContactList"][0]["UserName"], un.as_str());
    sim.control()
        .contact_event(ContactEvent {
            op: "del".into(),
            user_name: Some("Zed".into()),
            ..ContactEvent::default()
        })
        .unwrap();
    assert_eq!(s.synccheck(&sim).1, "6");
    let v = s.sync(&sim);
    assert_eq!(v["DelContactCount"], 1);
    assert_eq!(v["DelContactList"][0]["UserName"], un.as_str());
    assert!(
        !sim.control()
            .contacts(None)
            .unwrap()
            .iter()
            .any(|c| c.user_name == un)
    );
}

#[test]
fn phone_side_status_notify_raises_selector_7() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let friend = first_friend(&sim);
    sim.control()
        .inject_message(InjectMessage {
            from: "me".into(),
            to: Some(friend.user_name.clone()),
            msg_type: Some(51),
            status_notify_code: Some(2),
            ..InjectMessage::default()
        })
        .unwrap();
    assert_eq!(s.synccheck(&sim).1, "7");
    let m = &s.drain(&sim)[0];
    assert_eq!(m["MsgType"], 51);
    assert_eq!(m["StatusNotifyCode"], 2);
    assert_eq!(m["StatusNotifyUserName"], friend.user_name.as_str());
}

#[test]
fn remote_logout_reaches_synccheck_sync_and_init() {
    // Woken by the logout, not by the end of the 8 s hold: half the hold as the bound
    // (slack for a loaded CI machine).
    let sim = sim_with(|c| c.hold_ms = 8_000);
    let mut s = login(&sim, Form::Plain);
    let c = sim.control();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        c.remote_logout(None, 1101).unwrap()
    });
    let t0 = Instant::now();
    assert_eq!(s.synccheck(&sim), ("1101".into(), "0".into()));
    assert!(t0.elapsed() < Duration::from_millis(4_000));
    killer.join().unwrap();
    assert_eq!(s.sync(&sim)["BaseResponse"]["Ret"], 1101);
    let r = s.post(
        &sim,
        "webwxinit",
        &format!("r=-1&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request()}),
    );
    assert_eq!(r.ret(), 1101);
    // Through HTTP, with another code.
    let s2 = login(&sim, Form::Relay);
    let r = control(&sim, "/_sim/logout", json!({"retcode": 1102}));
    assert_eq!(r.json()["uin"], s2.uin);
    assert_eq!(s2.synccheck(&sim).0, "1102");
}

#[test]
fn synccheck_validation() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let q = s.synccheck_query();
    // No cookies: 1102.
    let r = get(&sim, &format!("/cgi-bin/mmwebwx-bin/synccheck?{q}"), &[]);
    assert_eq!(parse_synccheck(&r.text()).0, "1102");
    // Wrong skey: 1101; wrong uin or sid: 1100.
    let bad = q.replace(&s.skey.replace('@', "%40"), "%40crypt_bad");
    assert_eq!(
        parse_synccheck(&s.get(&sim, "push", "synccheck", &bad).text()).0,
        "1101"
    );
    let bad = q.replace(&format!("uin={}", s.uin), "uin=1");
    assert_eq!(
        parse_synccheck(&s.get(&sim, "push", "synccheck", &bad).text()).0,
        "1100"
    );
    let bad = q.replace(&format!("sid={}", s.sid), "sid=x");
    assert_eq!(
        parse_synccheck(&s.get(&sim, "push", "synccheck", &bad).text()).0,
        "1100"
    );
    // The cookie may arrive as x-wx-cookie.
    let r = get(
        &sim,
        &format!("/cgi-bin/mmwebwx-bin/synccheck?{q}"),
        &[("x-wx-cookie", s.cookie_header())],
    );
    assert_eq!(parse_synccheck(&r.text()).0, "0");
}

#[test]
fn sessions_are_isolated() {
    let sim = sim();
    let mut a = login(&sim, Form::Plain);
    let mut b = login(&sim, Form::Relay);
    let fb = sim
        .control()
        .contacts(Some(b.uin))
        .unwrap()
        .into_iter()
        .find(|c| c.kind == "friend")
        .unwrap();
    // Two accounts logged in: the uin must be named.
    let err = sim
        .control()
        .inject_message(text(&fb.nick_name, "x"))
        .unwrap_err();
    assert_eq!(err, webwx_sim::ControlError::AmbiguousAccount);
    let r = control(
        &sim,
        "/_sim/messages",
        json!({"from": fb.nick_name, "content": "x"}),
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].is_string());
    let r = control(
        &sim,
        "/_sim/messages",
        json!({"uin": b.uin.to_string(), "from": fb.user_name, "content": "for b"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["msg_id"].is_string());
    assert_eq!(a.drain(&sim).len(), 0);
    let got = b.drain(&sim);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["Content"], "for b");
}

#[test]
fn profile_and_group_membership_changes_from_the_phone() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    sim.control()
        .contact_event(ContactEvent {
            op: "profile".into(),
            nick_name: Some("改名了".into()),
            ..ContactEvent::default()
        })
        .unwrap();
    assert_eq!(s.synccheck(&sim).1, "4");
    let v = s.sync(&sim);
    assert_eq!(v["Profile"]["BitFlag"], 190);
    assert_eq!(v["Profile"]["NickName"]["Buff"], "改名了");
    assert_eq!(v["Profile"]["UserName"]["Buff"], s.user_name.as_str());
    assert_eq!(s.sync(&sim)["Profile"]["BitFlag"], 0);
    let group = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.kind == "group")
        .unwrap();
    let n = group.members.as_ref().unwrap().len();
    let newbie = sim
        .control()
        .contact_event(ContactEvent {
            op: "join".into(),
            group: Some(group.nick_name.clone()),
            nick_name: Some("新人".into()),
            ..ContactEvent::default()
        })
        .unwrap();
    let v = s.sync(&sim);
    assert_eq!(v["ModChatRoomMemberCount"], 1);
    let g = &v["ModContactList"][0];
    assert_eq!(g["UserName"], group.user_name.as_str());
    assert_eq!(g["MemberCount"].as_u64().unwrap() as usize, n + 1);
    assert!(
        g["MemberList"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["UserName"] == newbie.as_str())
    );
    let note = v["AddMsgList"][0]["Content"].as_str().unwrap();
    assert!(note.ends_with("邀请\"新人\"加入了群聊"), "{note}");
    sim.control()
        .contact_event(ContactEvent {
            op: "leave".into(),
            group: Some(group.user_name.clone()),
            user_name: Some(newbie.clone()),
            ..ContactEvent::default()
        })
        .unwrap();
    let v = s.sync(&sim);
    assert_eq!(
        v["ModContactList"][0]["MemberCount"].as_u64().unwrap() as usize,
        n
    );
    let r = control(
        &sim,
        "/_sim/contacts",
        json!({"op": "leave", "group": group.user_name, "user_name": s.user_name}),
    );
    assert_eq!(
        r.status, 400,
        "the account itself cannot be removed this way"
    );
    let r = control(&sim, "/_sim/contacts", json!({"op": "nope"}));
    assert_eq!(r.status, 400);
}
