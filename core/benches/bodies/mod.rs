//! The bodies of the benches (`parse`, `allocs`), built from the test fixtures: a
//! webwxsync answer with mixed messages (every message fixture of
//! `tests/fixtures/messages/`, cycled with fresh ids), a webwxgetcontact answer (the
//! wechat4u capture's contacts, cycled with fresh user names) and a webwxbatchgetcontact
//! answer (groups of members shaped like the capture's).
#![allow(dead_code)]

use serde_json::{Value, json};
use std::path::PathBuf;
use webwx_core::endpoint::sync;
use webwx_core::message::{Message, NoGroupNames, SelfInfo};

pub const MESSAGES: usize = 1_000;
pub const CONTACTS: usize = 5_000;
pub const GROUPS: usize = 50;
pub const MEMBERS: usize = 500;
pub const ME: &str = "@f0c04abe389590b02d91684d99584439";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every raw message of the fixtures: the `raw` of each message fixture and the
/// `AddMsgList` entries of the whole-answer fixtures.
fn fixture_messages() -> Vec<Value> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures().join("messages"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    for p in paths {
        if p.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if let Some(raw) = v.get("raw").filter(|r| r.is_object()) {
            out.push(raw.clone());
        }
        if let Some(list) = v.get("AddMsgList").and_then(Value::as_array) {
            out.extend(list.iter().cloned());
        }
    }
    if out.is_empty() {
        // The message fixtures are missing: fall back on a text message.
        out.push(
            json!({"MsgId": "1", "MsgType": 1, "FromUserName": "@a", "ToUserName": ME,
            "Content": "hello &amp; <span class=\"emoji emoji1f604\"></span>"}),
        );
    }
    out
}

/// A webwxsync answer with `n` messages cycled from the fixtures, with fresh ids.
pub fn sync_body(n: usize) -> Vec<u8> {
    let pool = fixture_messages();
    let list: Vec<Value> = (0..n)
        .map(|i| {
            let mut m = pool[i % pool.len()].clone();
            if let Some(o) = m.as_object_mut() {
                o.insert(
                    "MsgId".into(),
                    json!((1_000_000_000_000_000_000u64 + i as u64).to_string()),
                );
                o.insert(
                    "NewMsgId".into(),
                    json!(1_000_000_000_000_000_000u64 + i as u64),
                );
            }
            m
        })
        .collect();
    let key = json!({"Count": 2, "List": [{"Key": 1, "Val": 100}, {"Key": 2, "Val": 200}]});
    serde_json::to_vec(&json!({
        "BaseResponse": {"Ret": 0, "ErrMsg": ""},
        "AddMsgCount": n,
        "AddMsgList": list,
        "ModContactCount": 0, "ModContactList": [],
        "DelContactCount": 0, "DelContactList": [],
        "ModChatRoomMemberCount": 0, "ModChatRoomMemberList": [],
        "Profile": {"BitFlag": 0},
        "ContinueFlag": 0,
        "SyncKey": key, "SyncCheckKey": key,
        "SKey": ""
    }))
    .expect("serializable")
}

/// A webwxgetcontact answer with `n` contacts cycled from the wechat4u capture.
pub fn contact_body(n: usize) -> Vec<u8> {
    let path = fixtures().join("captures/wechat4u_test_response_webwxgetcontact.json");
    let pool: Vec<Value> = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v.get("MemberList").and_then(Value::as_array).cloned())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| vec![json!({"UserName": "@a", "NickName": "A", "Sex": 1})]);
    let list: Vec<Value> = (0..n)
        .map(|i| {
            let mut c = pool[i % pool.len()].clone();
            if let Some(o) = c.as_object_mut() {
                o.insert("UserName".into(), json!(format!("@{i:064x}")));
            }
            c
        })
        .collect();
    serde_json::to_vec(&json!({
        "BaseResponse": {"Ret": 0, "ErrMsg": ""},
        "MemberCount": n,
        "MemberList": list,
        "Seq": 0
    }))
    .expect("serializable")
}

pub fn response(body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "text/plain")
        .body(body)
        .expect("valid response")
}

/// A webwxbatchgetcontact answer: `groups` groups of `members` members each.
pub fn batch_body(groups: usize, members: usize) -> Vec<u8> {
    let list: Vec<Value> = (0..groups)
        .map(|g| {
            let members: Vec<Value> = (0..members)
                .map(|m| {
                    json!({"Uin": 0, "UserName": format!("@{:064x}", g * members + m),
                        "NickName": format!("成员 {m} <span class=\"emoji emoji1f604\"></span>"),
                        "AttrStatus": 98407, "PYInitial": "", "PYQuanPin": "",
                        "RemarkPYInitial": "", "RemarkPYQuanPin": "", "MemberStatus": 0,
                        "DisplayName": if m % 5 == 0 { format!("群名片{m}") } else { String::new() },
                        "KeyWord": "che"})
                })
                .collect();
            json!({"Uin": 0, "UserName": format!("@@{g:064x}"), "NickName": format!("群 {g}"),
                "HeadImgUrl": format!("/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=0&username=@@{g:064x}&skey="),
                "ContactFlag": 3, "MemberCount": members.len(), "MemberList": members,
                "RemarkName": "", "HideInputBarFlag": 0, "Sex": 0, "Signature": "",
                "VerifyFlag": 0, "OwnerUin": 0, "PYInitial": "", "PYQuanPin": "",
                "RemarkPYInitial": "", "RemarkPYQuanPin": "", "StarFriend": 0,
                "AppAccountFlag": 0, "Statues": 1, "AttrStatus": 0, "Province": "",
                "City": "", "Alias": "", "SnsFlag": 0, "UniFriend": 0, "DisplayName": "",
                "ChatRoomId": 0, "KeyWord": "", "EncryChatRoomId": format!("@{g:032x}"),
                "IsOwner": 0})
        })
        .collect();
    serde_json::to_vec(&json!({
        "BaseResponse": {"Ret": 0, "ErrMsg": ""},
        "Count": groups,
        "ContactList": list
    }))
    .expect("serializable")
}

/// Parses a webwxsync answer and types every message; the number typed.
pub fn parse_and_classify(resp: &http::Response<Vec<u8>>) -> usize {
    let me = SelfInfo {
        user_name: ME,
        nick_name: "小桔同学",
    };
    let r = sync::parse(resp).expect("the bench body parses");
    r.add_msg_list
        .into_iter()
        .map(|raw| Message::from_raw(raw, &me, &NoGroupNames))
        .filter(|m| !m.id.is_empty())
        .count()
}
