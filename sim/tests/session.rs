//! A logged-in session over real HTTP: init, statusnotify, contacts, and every
//! validation error (BaseRequest, cookies, skey, pass_ticket, host).

mod common;

use common::*;
use serde_json::{Value, json};
use webwx_sim::AccountSpec;

#[test]
fn init_has_the_fields_clients_need() {
    let sim = sim();
    for form in [Form::Plain, Form::Relay] {
        let s = login(&sim, form);
        let v = &s.init;
        for k in [
            "BaseResponse",
            "Count",
            "ContactList",
            "SyncKey",
            "User",
            "ChatSet",
            "SKey",
            "ClientVersion",
            "SystemTime",
            "GrayScale",
            "InviteStartCount",
            "MPSubscribeMsgCount",
            "MPSubscribeMsgList",
            "ClickReportInterval",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["InviteStartCount"], 40);
        assert_eq!(v["SKey"], s.skey.as_str());
        assert_eq!(v["User"]["Uin"], s.uin);
        assert!(v["User"]["UserName"].as_str().unwrap().starts_with('@'));
        assert_eq!(v["Count"], v["ContactList"].as_array().unwrap().len());
        for c in v["ContactList"].as_array().unwrap() {
            assert!(c["Sex"].is_number());
            assert!(c["UserName"].is_string());
            if c["UserName"].as_str().unwrap().starts_with("@@") {
                // Groups come with their members (a client must know them).
                assert_eq!(
                    c["MemberCount"].as_u64().unwrap() as usize,
                    c["MemberList"].as_array().unwrap().len()
                );
                assert!(c["EncryChatRoomId"].as_str().unwrap().starts_with('@'));
            }
        }
        assert_eq!(v["SyncKey"]["Count"], 4);
        assert_eq!(v["SyncKey"]["List"][0]["Key"], 1);
    }
}

#[test]
fn json_answers_are_text_plain_with_the_real_layout() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let r = s.post(
        &sim,
        "webwxstatusnotify",
        &format!("lang=zh_CN&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request(), "Code": 3, "FromUserName": s.user_name, "ToUserName": s.user_name, "ClientMsgId": 1546211539889u64}),
    );
    assert_eq!(r.header("content-type"), Some("text/plain"));
    let t = r.text();
    assert!(
        t.starts_with("{\"BaseResponse\": {\"Ret\": 0,\"ErrMsg\": \"\"},\"MsgID\": \""),
        "{t}"
    );
}

#[test]
fn uin_as_string_and_number_itchat_device_id_and_no_content_type() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    // itchat: Uin as a string, DeviceID = pass_ticket, no Content-Type header.
    let body = json!({"BaseRequest": {"Uin": s.uin.to_string(), "Sid": s.sid, "Skey": s.skey, "DeviceID": s.pass_ticket}});
    let r = post(
        &sim,
        &format!("/cgi-bin/mmwebwx-bin/webwxinit?r=-1&{}", s.pass_query()),
        &[("Cookie", s.cookie_header())],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.ret(), 0);
}

#[test]
fn pass_ticket_encoded_once_or_twice_is_the_same() {
    let sim = sim();
    let s = login(&sim, Form::Relay);
    let twice = s.pass_ticket.replace('%', "%25");
    for pt in [s.pass_ticket.clone(), twice] {
        let r = s.post(
            &sim,
            "webwxinit",
            &format!("r=-1&pass_ticket={pt}"),
            &json!({"BaseRequest": s.base_request()}),
        );
        assert_eq!(r.ret(), 0, "{pt}");
    }
}

fn init_with(
    sim: &webwx_sim::RunningSim,
    s: &Session,
    query: &str,
    br: Value,
    cookie: Option<String>,
) -> i64 {
    let mut headers = vec![];
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    let target = format!(
        "{}/cgi-bin/mmwebwx-bin/webwxinit?{query}",
        s.prefix("content")
    );
    post(
        sim,
        &target,
        &headers,
        json!({"BaseRequest": br}).to_string().as_bytes(),
    )
    .ret()
}

#[test]
fn validation_errors() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let q = format!("r=-1&{}", s.pass_query());
    let ok = s.base_request();
    let c = Some(s.cookie_header());
    assert_eq!(init_with(&sim, &s, &q, ok.clone(), c.clone()), 0);
    // Unknown Sid, wrong Uin: no such session.
    let mut br = ok.clone();
    br["Sid"] = json!("nope");
    assert_eq!(init_with(&sim, &s, &q, br, c.clone()), 1100);
    let mut br = ok.clone();
    br["Uin"] = json!(s.uin + 1);
    assert_eq!(init_with(&sim, &s, &q, br, c.clone()), 1100);
    // Wrong Skey: session invalid.
    let mut br = ok.clone();
    br["Skey"] = json!("@crypt_0_0");
    assert_eq!(init_with(&sim, &s, &q, br, c.clone()), 1101);
    // No cookies: 1100; cookies of someone else: 1102.
    assert_eq!(init_with(&sim, &s, &q, ok.clone(), None), 1100);
    let bad = s
        .cookie_header()
        .replace(&format!("wxsid={}", s.sid), "wxsid=AAAAAAAAAAAAAAAA");
    assert_eq!(init_with(&sim, &s, &q, ok.clone(), Some(bad)), 1102);
    // A wrong pass_ticket on webwxinit is refused; a missing one is not (openwechat sends
    // none there: BaseRequest and the cookies prove the session).
    assert_eq!(
        init_with(&sim, &s, "r=-1&pass_ticket=wrong", ok.clone(), c.clone()),
        1100
    );
    assert_eq!(init_with(&sim, &s, "r=-1", ok.clone(), c.clone()), 0);
    // skey in the query must be the session's.
    assert_eq!(
        init_with(
            &sim,
            &s,
            &format!("{q}&skey=%40crypt_x"),
            ok.clone(),
            c.clone()
        ),
        1101
    );
    // Not JSON at all.
    let r = post(
        &sim,
        &format!("/cgi-bin/mmwebwx-bin/webwxinit?{q}"),
        &[("Cookie", s.cookie_header())],
        b"not json",
    );
    assert_eq!(r.ret(), 1200);
    // Missing BaseRequest.
    let r = post(
        &sim,
        &format!("/cgi-bin/mmwebwx-bin/webwxinit?{q}"),
        &[("Cookie", s.cookie_header())],
        b"{}",
    );
    assert_eq!(r.ret(), 1100);
}

#[test]
fn x_wx_cookie_counts_as_cookie() {
    let sim = sim();
    let s = login(&sim, Form::Relay);
    let target = format!(
        "/wx.qq.com/cgi-bin/mmwebwx-bin/webwxinit?r=-1&{}",
        s.pass_query()
    );
    let body = json!({"BaseRequest": s.base_request()}).to_string();
    let r = post(
        &sim,
        &target,
        &[("x-wx-cookie", s.cookie_header())],
        body.as_bytes(),
    );
    assert_eq!(r.ret(), 0);
    assert!(r.header("access-control-allow-origin").is_some());
}

#[test]
fn relay_form_checks_the_host_of_each_endpoint() {
    let sim = sim();
    let s = login(&sim, Form::Relay);
    let body = json!({"BaseRequest": s.base_request()}).to_string();
    let q = format!("r=-1&{}", s.pass_query());
    let h = [("Cookie", s.cookie_header())];
    // The JSON API is not served by push, file or login hosts.
    for host in ["webpush.wx.qq.com", "file.wx.qq.com", "login.wx.qq.com"] {
        let r = post(
            &sim,
            &format!("/{host}/cgi-bin/mmwebwx-bin/webwxinit?{q}"),
            &h,
            body.as_bytes(),
        );
        assert_eq!(r.status, 404, "{host}");
    }
    // Another account's content host does not know the session.
    let r = post(
        &sim,
        &format!("/wx2.qq.com/cgi-bin/mmwebwx-bin/webwxinit?{q}"),
        &h,
        body.as_bytes(),
    );
    assert_eq!(r.ret(), 1100);
    // synccheck only on the push host of the home row.
    let r = get(
        &sim,
        &format!(
            "/wx.qq.com/cgi-bin/mmwebwx-bin/synccheck?{}",
            s.synccheck_query()
        ),
        &h,
    );
    assert_eq!(r.status, 404);
    let r = get(
        &sim,
        &format!(
            "/webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?{}",
            s.synccheck_query()
        ),
        &h,
    );
    assert_eq!(parse_synccheck(&r.text()).0, "1100");
    let r = get(
        &sim,
        &format!(
            "/webpush.weixin.qq.com/cgi-bin/mmwebwx-bin/synccheck?{}",
            s.synccheck_query()
        ),
        &h,
    );
    assert_eq!(parse_synccheck(&r.text()).0, "1100");
    // Hosts outside the table are not served at all.
    let r = post(
        &sim,
        &format!("/example.com/cgi-bin/mmwebwx-bin/webwxinit?{q}"),
        &h,
        body.as_bytes(),
    );
    assert_eq!(r.status, 404);
    // Plain paths are the home host: no check.
    let r = post(
        &sim,
        &format!("/cgi-bin/mmwebwx-bin/webwxinit?{q}"),
        &h,
        body.as_bytes(),
    );
    assert_eq!(r.ret(), 0);
}

#[test]
fn wx2_account_is_served_on_its_own_row() {
    let sim = sim();
    sim.control()
        .prepare_account(AccountSpec {
            home: Some("wx2.qq.com".into()),
            ..AccountSpec::default()
        })
        .unwrap();
    let s = login(&sim, Form::Relay);
    assert_eq!(s.home, "wx2.qq.com");
    assert_eq!(s.synccheck(&sim).0, "0");
    let r = get(
        &sim,
        &format!(
            "/webpush.wx.qq.com/cgi-bin/mmwebwx-bin/synccheck?{}",
            s.synccheck_query()
        ),
        &[("Cookie", s.cookie_header())],
    );
    assert_eq!(parse_synccheck(&r.text()).0, "1100");
}

#[test]
fn statusnotify_code_3_queues_the_conversation_list() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let r = s.post(
        &sim,
        "webwxstatusnotify",
        &format!("lang=zh_CN&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request(), "Code": 3, "FromUserName": s.user_name, "ToUserName": s.user_name, "ClientMsgId": 1}),
    );
    assert_eq!(r.ret(), 0);
    assert_eq!(s.synccheck(&sim), ("0".into(), "2".into()));
    let msgs = s.drain(&sim);
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(m["MsgType"], 51);
    assert_eq!(m["StatusNotifyCode"], 4);
    let names = m["StatusNotifyUserName"]
        .as_str()
        .unwrap()
        .split(',')
        .count();
    let content = m["Content"].as_str().unwrap();
    assert!(
        content.starts_with("&lt;msg&gt;<br/>&lt;op id='4'&gt;"),
        "{content}"
    );
    let s0 = content.find("&lt;username&gt;").unwrap() + 16;
    let e0 = content[s0..].find("&lt;").unwrap() + s0;
    assert_eq!(content[s0..e0].split(',').count(), names);
    // From someone else: refused.
    let r = s.post(
        &sim,
        "webwxstatusnotify",
        "",
        &json!({"BaseRequest": s.base_request(), "Code": 1, "FromUserName": "@other", "ToUserName": s.user_name, "ClientMsgId": 2}),
    );
    assert_eq!(r.ret(), 1);
}

#[test]
fn getcontact_lists_everything_with_seq_zero() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let r = s.get(
        &sim,
        "content",
        "webwxgetcontact",
        &format!("r=1&seq=0&skey={}", s.skey),
    );
    let v = r.json();
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    assert_eq!(v["Seq"], 0);
    let list = v["MemberList"].as_array().unwrap();
    assert_eq!(v["MemberCount"].as_u64().unwrap() as usize, list.len());
    // 20 friends and official accounts, 3 groups, 3 special accounts.
    assert_eq!(list.len(), 26);
    let officials = list
        .iter()
        .filter(|c| c["VerifyFlag"].as_u64().unwrap() & 8 != 0)
        .count();
    assert!(officials >= 2, "{officials}");
    assert!(list.iter().any(|c| c["UserName"] == "filehelper"));
    for c in list {
        assert!(c["Sex"].is_number());
        if c["UserName"].as_str().unwrap().starts_with("@@") {
            // Groups: MemberCount 0, fetched with batchgetcontact.
            assert_eq!(c["MemberCount"], 0);
            assert_eq!(c["MemberList"].as_array().unwrap().len(), 0);
        }
    }
    // Without cookies: no session.
    let r = get(
        &sim,
        &format!(
            "/cgi-bin/mmwebwx-bin/webwxgetcontact?r=1&seq=0&skey={}",
            s.skey
        ),
        &[],
    );
    assert_eq!(r.ret(), 1100);
    // With a wrong skey.
    let r = s.get(
        &sim,
        "content",
        "webwxgetcontact",
        "r=1&seq=0&skey=@crypt_bad",
    );
    assert_eq!(r.ret(), 1101);
}

#[test]
fn getcontact_pages_ten_thousand_contacts_with_seq() {
    let sim = sim_with(|c| c.contact_page = 800);
    sim.control()
        .prepare_account(AccountSpec {
            contacts: Some(10_000),
            groups: Some(40),
            ..AccountSpec::default()
        })
        .unwrap();
    let s = login(&sim, Form::Relay);
    let mut seq = 0u64;
    let mut all = std::collections::HashSet::new();
    let mut pages = 0;
    loop {
        let r = s.get(
            &sim,
            "content",
            "webwxgetcontact",
            &format!("r=1&seq={seq}&skey={}", s.skey),
        );
        let v = r.json();
        assert_eq!(v["BaseResponse"]["Ret"], 0);
        for c in v["MemberList"].as_array().unwrap() {
            assert!(
                all.insert(c["UserName"].as_str().unwrap().to_string()),
                "no duplicates"
            );
        }
        pages += 1;
        seq = v["Seq"].as_u64().unwrap();
        if seq == 0 {
            break;
        }
        assert!(pages < 50);
    }
    assert_eq!(all.len(), 10_000 + 40 + 3);
    assert_eq!(pages, 13);
    assert_eq!(sim.control().contacts(Some(s.uin)).unwrap().len(), 10_043);
}

#[test]
fn batchgetcontact_groups_members_and_strangers() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let groups: Vec<_> = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == "group")
        .collect();
    let list: Vec<Value> = groups
        .iter()
        .map(|g| json!({"UserName": g.user_name, "ChatRoomId": ""}))
        .collect();
    let r = s.post(
        &sim,
        "webwxbatchgetcontact",
        "type=ex&r=1",
        &json!({"BaseRequest": s.base_request(), "Count": list.len(), "List": list}),
    );
    let v = r.json();
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    assert_eq!(v["Count"], 3);
    let g0 = &v["ContactList"][0];
    let members = g0["MemberList"].as_array().unwrap();
    assert_eq!(g0["MemberCount"].as_u64().unwrap() as usize, members.len());
    assert!(
        members
            .iter()
            .any(|m| m["UserName"] == s.user_name.as_str())
    );
    let encry = g0["EncryChatRoomId"].as_str().unwrap().to_string();
    // Members who are not friends, through the group's EncryChatRoomId (itchat's detailed members).
    let friends: std::collections::HashSet<String> = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .map(|c| c.user_name)
        .collect();
    let strangers: Vec<Value> = members
        .iter()
        .filter(|m| !friends.contains(m["UserName"].as_str().unwrap()))
        .filter(|m| m["UserName"] != s.user_name.as_str())
        .map(|m| json!({"UserName": m["UserName"], "EncryChatRoomId": encry}))
        .collect();
    assert!(!strangers.is_empty());
    let r = s.post(
        &sim,
        "webwxbatchgetcontact",
        "type=ex&r=1",
        &json!({"BaseRequest": s.base_request(), "Count": strangers.len(), "List": strangers}),
    );
    assert_eq!(
        r.json()["Count"].as_u64().unwrap() as usize,
        strangers.len()
    );
    // Unknown user names are left out.
    let r = s.post(
        &sim,
        "webwxbatchgetcontact",
        "type=ex&r=1",
        &json!({"BaseRequest": s.base_request(), "Count": 1, "List": [{"UserName": "@nobody", "EncryChatRoomId": ""}]}),
    );
    assert_eq!(r.json()["Count"], 0);
}

#[test]
fn seeds_are_deterministic() {
    let a = sim_with(|c| c.seed = 42);
    let b = sim_with(|c| c.seed = 42);
    let sa = login(&a, Form::Plain);
    let sb = login(&b, Form::Plain);
    assert_eq!(sa.uin, sb.uin);
    assert_eq!(sa.user_name, sb.user_name);
    assert_eq!(
        a.control().contacts(None).unwrap(),
        b.control().contacts(None).unwrap()
    );
    let c = sim_with(|c| c.seed = 43);
    let sc = login(&c, Form::Plain);
    assert_ne!(sa.uin, sc.uin);
}

#[test]
fn logout_ends_the_session() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    // itchat's GET form.
    let r = s.get(
        &sim,
        "content",
        "webwxlogout",
        &format!("redirect=1&type=1&skey={}", s.skey),
    );
    assert_eq!(r.status, 200);
    assert!(!sim.control().state().accounts[0].logged_in);
    let r = s.post(
        &sim,
        "webwxinit",
        &format!("r=-1&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request()}),
    );
    assert_ne!(r.ret(), 0, "init after logout fails");
    assert_eq!(s.synccheck(&sim).0, "1100");
    // The official form POST with sid and uin.
    let s = login(&sim, Form::Relay);
    let r = post(
        &sim,
        &format!(
            "/wx.qq.com/cgi-bin/mmwebwx-bin/webwxlogout?redirect=1&type=0&skey={}",
            s.skey.replace('@', "%40")
        ),
        &[
            ("Cookie", s.cookie_header()),
            ("Content-Type", "application/x-www-form-urlencoded".into()),
        ],
        format!("sid={}&uin={}", s.sid, s.uin).as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert!(sim.control().state().accounts.iter().all(|a| !a.logged_in));
}

#[test]
fn getcontact_with_a_seq_past_the_end_answers_an_empty_last_page() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    for seq in ["26", "1000000", "18446744073709551615"] {
        let r = s.get(
            &sim,
            "content",
            "webwxgetcontact",
            &format!("r=1&seq={seq}&skey={}", s.skey),
        );
        let v = r.json();
        assert_eq!(v["BaseResponse"]["Ret"], 0, "seq {seq}");
        assert_eq!(v["Seq"], 0, "seq {seq}");
        assert_eq!(v["MemberCount"], 0, "seq {seq}");
        assert_eq!(v["MemberList"].as_array().unwrap().len(), 0);
    }
}
