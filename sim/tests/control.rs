//! The JSON control API over real HTTP: state, scan, messages of every type,
//! sent, contacts, accounts, logout, the `uin` rules and 400 errors, CORS.

mod common;

use base64::Engine;
use common::*;
use serde_json::json;

#[test]
fn state_has_the_documented_shape() {
    let sim = sim();
    get(&sim, "/jslogin?appid=wx782c26e4c19acffb&fun=new", &[]);
    let s = login(&sim, Form::Plain);
    let r = get(&sim, "/_sim/state", &[]);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    let a = &v["accounts"][0];
    for k in ["uin", "user_name", "nick_name", "home", "logged_in"] {
        assert!(a.get(k).is_some(), "{k}");
    }
    assert_eq!(a["uin"], s.uin);
    assert_eq!(a["logged_in"], true);
    assert_eq!(a["home"], "wx.qq.com");
    assert_eq!(v["pending_uuids"].as_array().unwrap().len(), 1);
    for k in [
        "requests",
        "faults_fired",
        "messages_injected",
        "messages_delivered",
    ] {
        assert!(v["counters"][k].is_u64(), "{k}");
    }
    assert!(v["counters"]["requests"].as_u64().unwrap() >= 5);
}

#[test]
fn scan_rules() {
    let sim = sim();
    let r = control(&sim, "/_sim/scan", json!({}));
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("pending"));
    let r = control(&sim, "/_sim/scan", json!({"uuid": "nope=="}));
    assert_eq!(r.status, 400);
    let js = get(&sim, "/jslogin?appid=wx782c26e4c19acffb&fun=new", &[]).text();
    let uuid = uuid_of(&js);
    let r = control(&sim, "/_sim/scan", json!({"confirm": false}));
    assert_eq!(r.json(), json!({"uuid": uuid, "state": "scanned"}));
    let r = control(&sim, "/_sim/scan", json!({"uuid": uuid, "uin": 1}));
    assert_eq!(r.status, 400);
    let r = control(&sim, "/_sim/scan", json!({"uuid": uuid}));
    assert_eq!(r.json()["state"], "confirmed");
    // Confirmed: no longer pending.
    let r = control(&sim, "/_sim/scan", json!({"uuid": uuid}));
    assert_eq!(r.status, 400);
    let r = post(&sim, "/_sim/scan", &[], b"{not json");
    assert_eq!(r.status, 400);
}

#[test]
fn messages_of_every_type() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let contacts = sim.control().contacts(None).unwrap();
    let friend = contacts.iter().find(|c| c.kind == "friend").unwrap();
    let group = contacts.iter().find(|c| c.kind == "group").unwrap();
    let member = group
        .members
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.user_name != s.user_name)
        .unwrap();
    let gif =
        base64::engine::general_purpose::STANDARD.encode(b"GIF89a\x01\x00\x01\x00\x80\x00\x00");
    let cases = [
        (json!({"from": friend.nick_name, "content": "text"}), 1),
        (json!({"from": friend.user_name, "type": 3}), 3),
        (
            json!({"from": friend.user_name, "type": 34, "voice_length": 1500}),
            34,
        ),
        (json!({"from": friend.user_name, "type": 43}), 43),
        (json!({"from": friend.user_name, "type": 62}), 62),
        (
            json!({"from": friend.user_name, "type": 47, "media_b64": gif}),
            47,
        ),
        (
            json!({"from": friend.user_name, "type": 49, "media_b64": "aGVsbG8=", "file_name": "h.txt"}),
            49,
        ),
        (
            json!({"from": friend.user_name, "type": 49, "url": "https://example.com/a", "content": "A link"}),
            49,
        ),
        (json!({"type": 37, "nick_name": "Stranger"}), 37),
        (
            json!({"from": friend.user_name, "type": 42, "nick_name": "Card"}),
            42,
        ),
        (
            json!({"from": friend.user_name, "type": 10000, "content": "收到红包，请在手机上查看"}),
            10000,
        ),
        (
            json!({"from": friend.user_name, "type": 10002, "revoke_msg_id": "123"}),
            10002,
        ),
        (
            json!({"group": group.nick_name, "from": member.nick_name, "type": 3}),
            3,
        ),
        (
            json!({"group": group.user_name, "type": 10000, "content": "\"A\"邀请\"B\"加入了群聊"}),
            10000,
        ),
        (
            json!({"from": friend.user_name, "content": "北京市", "url": "http://apis.map.qq.com/uri/v1/geocoder?coord=39.9,116.3"}),
            1,
        ),
    ];
    let mut ids = Vec::new();
    for (body, _) in &cases {
        let r = control(&sim, "/_sim/messages", body.clone());
        assert_eq!(r.status, 200, "{body}: {}", r.text());
        ids.push(r.json()["msg_id"].as_str().unwrap().to_string());
    }
    let msgs = s.drain(&sim);
    assert_eq!(msgs.len(), cases.len());
    for ((m, (body, ty)), id) in msgs.iter().zip(&cases).zip(&ids) {
        assert_eq!(m["MsgType"], *ty, "{body}");
        assert_eq!(m["MsgId"], id.as_str());
    }
    assert_eq!(msgs[2]["VoiceLength"], 1500);
    assert_eq!(msgs[6]["AppMsgType"], 6);
    assert_eq!(msgs[7]["AppMsgType"], 5);
    assert_eq!(msgs[7]["Url"], "https://example.com/a");
    assert_eq!(msgs[8]["FromUserName"], "fmessage");
    assert_eq!(msgs[8]["RecommendInfo"]["NickName"], "Stranger");
    assert_eq!(msgs[9]["RecommendInfo"]["NickName"], "Card");
    assert_eq!(msgs[10]["Content"], "收到红包，请在手机上查看");
    assert!(
        msgs[11]["Content"]
            .as_str()
            .unwrap()
            .contains("撤回了一条消息")
    );
    assert!(
        msgs[12]["Content"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}:<br/>&lt;?xml", member.user_name))
    );
    assert_eq!(msgs[13]["FromUserName"], group.user_name.as_str());
    assert_eq!(
        msgs[14]["Url"],
        "http://apis.map.qq.com/uri/v1/geocoder?coord=39.9,116.3"
    );
    assert_eq!(
        sim.control().state().counters["messages_injected"],
        cases.len() as u64
    );
}

#[test]
fn message_errors_are_400() {
    let sim = sim();
    let r = control(&sim, "/_sim/messages", json!({"from": "x", "content": "y"}));
    assert_eq!(r.status, 400, "no account logged in");
    let s = login(&sim, Form::Plain);
    for bad in [
        json!({"from": "nobody", "content": "y"}),
        json!({"content": "no sender"}),
        json!({"group": "no such group", "from": "x"}),
        json!({"from": "me", "content": "no to"}),
        json!({"from": "filehelper", "type": 3, "media_b64": "%%%"}),
        json!({"from": "filehelper", "type": 10002}),
        json!({"uin": 1, "from": "filehelper"}),
        json!({"uin": "abc", "from": "filehelper"}),
    ] {
        let r = control(&sim, "/_sim/messages", bad.clone());
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].is_string());
    }
    let r = control(
        &sim,
        "/_sim/messages",
        json!({"uin": s.uin.to_string(), "from": "filehelper", "content": "ok"}),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn contacts_and_accounts() {
    let sim = sim();
    let r = get(&sim, "/_sim/contacts", &[]);
    assert_eq!(r.status, 400);
    let r = control(
        &sim,
        "/_sim/accounts",
        json!({"home": "wx8.qq.com", "contacts": 5, "groups": 2, "nick_name": "Prepared"}),
    );
    assert_eq!(r.status, 200);
    let v = r.json();
    let uin = v["uin"].as_u64().unwrap();
    assert_eq!(v["home"], "wx8.qq.com");
    assert_eq!(v["nick_name"], "Prepared");
    // Not logged in yet, but it can be named.
    let list = get(&sim, &format!("/_sim/contacts?uin={uin}"), &[]).json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 5 + 2 + 3);
    let kinds: std::collections::HashSet<&str> =
        list.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["friend", "group", "official", "special"]
            .into_iter()
            .collect()
    );
    for c in list {
        assert_eq!(c["kind"] == "group", c.get("members").is_some());
    }
    let s = login(&sim, Form::Relay);
    assert_eq!(s.uin, uin);
    assert_eq!(s.home, "wx8.qq.com");
    assert_eq!(s.nick_name, "Prepared");
    assert_eq!(
        get(&sim, "/_sim/contacts", &[])
            .json()
            .as_array()
            .unwrap()
            .len(),
        10
    );
    for bad in [
        json!({"home": "example.com"}),
        json!({"contacts": 1_000_000}),
    ] {
        assert_eq!(control(&sim, "/_sim/accounts", bad).status, 400);
    }
    assert_eq!(get(&sim, "/_sim/contacts?uin=zz", &[]).status, 400);
    assert_eq!(get(&sim, "/_sim/contacts?uin=5", &[]).status, 400);
}

#[test]
fn logout_rules() {
    let sim = sim();
    assert_eq!(control(&sim, "/_sim/logout", json!({})).status, 400);
    let a = login(&sim, Form::Plain);
    let b = login(&sim, Form::Plain);
    assert_eq!(
        control(&sim, "/_sim/logout", json!({})).status,
        400,
        "two accounts"
    );
    let r = control(&sim, "/_sim/logout", json!({"uin": a.uin, "retcode": 1100}));
    assert_eq!(r.json()["uin"], a.uin);
    assert_eq!(a.synccheck(&sim).0, "1100");
    // Now only b is logged in.
    let r = control(&sim, "/_sim/logout", json!({}));
    assert_eq!(r.json()["uin"], b.uin);
    assert_eq!(b.synccheck(&sim).0, "1101");
}

#[test]
fn unknown_control_paths_and_cors_preflight() {
    let sim = sim();
    let r = get(&sim, "/_sim/nothing", &[]);
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].is_string());
    let r = raw(
        addr_of(&sim),
        "OPTIONS",
        "/wx.qq.com/cgi-bin/mmwebwx-bin/webwxinit",
        &[
            ("Origin", "http://localhost:5173".into()),
            ("Access-Control-Request-Method", "POST".into()),
            (
                "Access-Control-Request-Headers",
                "x-wx-cookie, content-type".into(),
            ),
        ],
        b"",
        TIMEOUT,
    )
    .unwrap();
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    let allow = r.header("access-control-allow-headers").unwrap();
    for h in [
        "x-wx-cookie",
        "x-wx-referer",
        "x-wx-user-agent",
        "content-type",
        "extspam",
        "client-version",
    ] {
        assert!(allow.contains(h), "{h}");
    }
    assert!(
        r.header("access-control-expose-headers")
            .unwrap()
            .contains("x-wx-set-cookie")
    );
    assert!(
        r.header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    // Index page for clients that probe the base URL first (itchat).
    assert_eq!(get(&sim, "/", &[]).status, 200);
    assert_eq!(get(&sim, "/login.weixin.qq.com/", &[]).status, 200);
    assert_eq!(get(&sim, "/cgi-bin/mmwebwx-bin/nothing", &[]).status, 404);
}

#[test]
fn spawn_and_drop() {
    let base;
    {
        let sim = sim();
        base = sim.base_url();
        assert!(base.starts_with("http://127.0.0.1:"));
        assert_eq!(get(&sim, "/", &[]).status, 200);
    }
    let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    assert!(
        std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(300)).is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_start_and_shutdown() {
    let sim = webwx_sim::Sim::start(webwx_sim::SimConfig::default())
        .await
        .unwrap();
    let addr = sim.local_addr();
    let c = sim.control();
    assert!(c.state().accounts.is_empty());
    let t = tokio::task::spawn_blocking(move || {
        raw(addr, "GET", "/_sim/state", &[], b"", TIMEOUT)
            .unwrap()
            .status
    })
    .await
    .unwrap();
    assert_eq!(t, 200);
    sim.shutdown().await;
}
