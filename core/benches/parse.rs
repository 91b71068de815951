//! Parsing throughput: a webwxsync answer with 1,000 mixed messages (parsed, then every
//! message typed with `Message::from_raw`) and a webwxgetcontact answer with 5,000
//! contacts. Both bodies are built here from the test fixtures (every message fixture of
//! `tests/fixtures/messages/`, the wechat4u getcontact capture), cycled with fresh ids.
//!
//! `cargo bench -p webwx-core --bench parse -- --warm-up-time 1 --measurement-time 3`
//! reports MB/s (`bytes`) and messages or contacts per second (`elements`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::hint::black_box;
use std::path::PathBuf;
use webwx_core::endpoint::{getcontact, sync};
use webwx_core::message::{Message, NoGroupNames, SelfInfo};

const MESSAGES: usize = 1_000;
const CONTACTS: usize = 5_000;
const ME: &str = "@f0c04abe389590b02d91684d99584439";

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
fn sync_body(n: usize) -> Vec<u8> {
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
fn contact_body(n: usize) -> Vec<u8> {
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

fn response(body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "text/plain")
        .body(body)
        .expect("valid response")
}

fn parse_and_classify(resp: &http::Response<Vec<u8>>) -> usize {
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

fn bench(c: &mut Criterion) {
    let sync_resp = response(sync_body(MESSAGES));
    assert_eq!(parse_and_classify(&sync_resp), MESSAGES);
    let sync_len = sync_resp.body().len() as u64;

    let mut g = c.benchmark_group("webwxsync_1000_messages");
    g.throughput(Throughput::Bytes(sync_len));
    g.bench_function("bytes", |b| {
        b.iter(|| parse_and_classify(black_box(&sync_resp)))
    });
    g.throughput(Throughput::Elements(MESSAGES as u64));
    g.bench_function("elements", |b| {
        b.iter(|| parse_and_classify(black_box(&sync_resp)))
    });
    g.finish();

    let contact_resp = response(contact_body(CONTACTS));
    let parsed = getcontact::parse(&contact_resp).expect("the bench body parses");
    assert_eq!(parsed.member_list.len(), CONTACTS);
    let contact_len = contact_resp.body().len() as u64;

    let mut g = c.benchmark_group("webwxgetcontact_5000_contacts");
    g.throughput(Throughput::Bytes(contact_len));
    g.bench_function("bytes", |b| {
        b.iter(|| getcontact::parse(black_box(&contact_resp)).map(|p| p.member_list.len()))
    });
    g.throughput(Throughput::Elements(CONTACTS as u64));
    g.bench_function("elements", |b| {
        b.iter(|| getcontact::parse(black_box(&contact_resp)).map(|p| p.member_list.len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
