//! `webwx decode KIND FILE` on captured responses (the core's capture fixtures and `fixtures/`, from the project's
//! protocol captures; origins in each file's header and in `fixtures/README.md`): one
//! JSON document each, snapshotted, with explicit checks of what matters; and bad input:
//! a non-zero exit with one line on stderr, never a panic.

mod common;

use std::io::Write;
use std::process::{Output, Stdio};
use std::time::Duration;

use common::{fixture, run_bounded, texts, webwx};
use serde_json::Value;

const ME_MENTION: &str = "@cd7d467d7464e8ff6b0acd29364654f3666df5d04551f6082bfc875f90a6afd2";

fn decode(kind: &str, file: &str, extra: &[&str]) -> Output {
    run_bounded(
        webwx()
            .args(["decode", kind])
            .arg(fixture(file))
            .args(extra),
        Duration::from_secs(30),
    )
}

/// Decodes, checks success, snapshots the JSON text and returns it parsed.
fn decoded(snapshot: &str, kind: &str, file: &str, extra: &[&str]) -> Value {
    let out = decode(kind, file, extra);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{kind} {file}: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    insta::assert_snapshot!(snapshot, stdout);
    serde_json::from_str(&stdout).expect("one JSON document")
}

#[test]
fn jslogin() {
    let v = decoded("jslogin", "jslogin", "jslogin.txt", &[]);
    assert_eq!(v["uuid"], "gbyKnbsmqQ==");
}

#[test]
fn login_poll() {
    assert_eq!(
        decoded("login_waiting", "login", "login_waiting.txt", &[])["status"],
        "waiting"
    );
    let scanned = decoded("login_scanned", "login", "login_scanned.txt", &[]);
    assert_eq!(scanned["status"], "scanned");
    assert!(
        scanned["avatar"]
            .as_str()
            .unwrap()
            .starts_with("data:img/jpg;base64,")
    );
    let confirmed = decoded("login_confirmed", "login", "login_confirmed.txt", &[]);
    assert_eq!(confirmed["status"], "confirmed");
    assert!(confirmed["redirect_uri"].as_str().unwrap().starts_with(
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=<redacted>&uuid="
    ));
    // The one-time login ticket is a secret: shown only when asked for.
    let ticket = "AaXdHpmbWGYo_ZOk7ylAnnCY@qrticket_0";
    let (stdout, _) = texts(&decode("login", "login_confirmed.txt", &[]));
    assert!(!stdout.contains(ticket), "{stdout}");
    let (stdout, _) = texts(&decode("login", "login_confirmed.txt", &["--show-secrets"]));
    assert!(stdout.contains(ticket), "{stdout}");
}

#[test]
fn newloginpage_redacts_secrets_by_default() {
    let v = decoded("newloginpage", "newloginpage", "newloginpage.txt", &[]);
    assert_eq!(v["kind"], "credentials");
    for key in ["uin", "sid", "skey", "pass_ticket"] {
        assert_eq!(v[key], "<redacted>", "{key}");
    }
    let (stdout, _) = texts(&decode("newloginpage", "newloginpage.txt", &[]));
    for secret in [
        "176666155",
        "5YpLHmVgWwH5LxN1",
        "@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50",
        "kbmy5Jt9nj",
    ] {
        assert!(!stdout.contains(secret), "{secret} printed");
    }
}

#[test]
fn newloginpage_show_secrets() {
    let out = decode("newloginpage", "newloginpage.txt", &["--show-secrets"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["uin"], 176666155);
    assert_eq!(v["sid"], "5YpLHmVgWwH5LxN1");
    assert_eq!(
        v["skey"],
        "@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50"
    );
    assert_eq!(
        v["pass_ticket"],
        "kbmy5Jt9nj%2BJzBaJZYNpUBQyBwRTejeXq1sM%2FYH7iOI%3D"
    );
}

#[test]
fn newloginpage_raw_http_301_without_location() {
    // A raw response with CRLF line ends and the 301 the real server answered without
    // `version=v2`: the body is what counts.
    let v = decoded(
        "newloginpage_301",
        "newloginpage",
        "newloginpage_301.http",
        &[],
    );
    assert_eq!(v["kind"], "credentials");
    assert_eq!(v["sid"], "<redacted>");
}

#[test]
fn newloginpage_1203_is_a_typed_refusal() {
    let out = decode("newloginpage", "newloginpage_1203.txt", &[]);
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("1203"), "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["refused"]["ret"], 1203);
    assert!(
        v["refused"]["message"]
            .as_str()
            .unwrap()
            .contains("当前登录环境异常")
    );
}

#[test]
fn init() {
    let v = decoded("init", "init", "init.txt", &[]);
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    assert_eq!(v["User"]["UserName"], "@f0c04abe389590b02d91684d99584439");
    assert!(v["SyncKey"]["Count"].as_u64().unwrap() > 0);
    // The capture's author kept 2 of the 9 entries the server counted.
    assert_eq!(v["Count"], 9);
    assert_eq!(v["ContactList"].as_array().unwrap().len(), 2);
    // Each contact's kind as the core classifies it, beside the wire fields.
    let kinds: Vec<&str> = v["ContactList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    let groups = v["ContactList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["UserName"].as_str().unwrap().starts_with("@@"))
        .count();
    assert_eq!(
        kinds.iter().filter(|k| **k == "group").count(),
        groups,
        "{kinds:?}"
    );
    assert!(
        kinds
            .iter()
            .all(|k| ["friend", "group", "official", "special", "file_helper"].contains(k)),
        "{kinds:?}"
    );
}

#[test]
fn contacts() {
    let v = decoded("contacts", "contacts", "contacts.txt", &[]);
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    assert!(!v["MemberList"].as_array().unwrap().is_empty());
    assert_eq!(v["Seq"], 0);
    assert_eq!(v["MemberList"][0]["kind"], "friend");
}

#[test]
fn batchcontacts() {
    let v = decoded("batchcontacts", "batchcontacts", "batchcontacts.txt", &[]);
    let list = v["ContactList"].as_array().unwrap();
    assert!(!list.is_empty());
    assert!(list[0]["UserName"].as_str().unwrap().starts_with("@@"));
    assert_eq!(list[0]["kind"], "group");
    // A group's members are not contacts: no kind on them.
    for m in list[0]["MemberList"].as_array().unwrap() {
        assert!(m.get("kind").is_none(), "{m}");
    }
}

#[test]
fn synccheck() {
    let v = decoded("synccheck", "synccheck", "synccheck.txt", &[]);
    assert_eq!(v["retcode"], 0);
    assert_eq!(v["selector"], 0);
}

#[test]
fn sync_types_every_message() {
    let v = decoded("sync", "sync", "sync.txt", &[]);
    let msgs = v["AddMsgList"].as_array().unwrap();
    let kinds: Vec<&str> = msgs
        .iter()
        .map(|m| m["kind"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["emoticon", "status_notify", "video", "text"]);
    for m in msgs {
        assert!(m.get("raw").is_none(), "raw only with --raw");
        assert!(!m["id"].as_str().unwrap().is_empty());
        assert!(m["sender"].is_string());
    }
    assert_eq!(v["SyncKey"]["Count"], 7);
}

#[test]
fn sync_wechat4u_with_me() {
    let v = decoded(
        "sync_wechat4u",
        "sync",
        "sync_wechat4u.json",
        &["--compact"],
    );
    let msgs = v["AddMsgList"].as_array().unwrap();
    assert_eq!(msgs.len() as u64, v["AddMsgCount"].as_u64().unwrap());
}

#[test]
fn sync_raw_keeps_the_wire_entry() {
    let out = decode("sync", "sync.txt", &["--raw"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["AddMsgList"][0]["raw"]["MsgType"], 47);
}

#[test]
fn message_group_mention() {
    let v = decoded(
        "message_group_mention",
        "message",
        "message_text_group_mention.json",
        &["--me", ME_MENTION, "--nick", "小桔同学"],
    );
    assert_eq!(v["kind"]["kind"], "text");
    assert_eq!(v["kind"]["text"], "@小桔同学\u{2005}你好啊");
    assert_eq!(v["is_group"], true);
    assert_eq!(v["mentioned_me"], true);
    assert_eq!(v["sender"], "@4c32c97337cbb325442c304d6a44e374");
}

#[test]
fn message_group_emoji() {
    let v = decoded(
        "message_group_emoji",
        "message",
        "message_text_group_emoji.json",
        &[],
    );
    assert_eq!(v["kind"]["kind"], "text");
    let text = v["kind"]["text"].as_str().unwrap();
    assert!(!text.contains("<span"), "emoji spans decoded: {text}");
    assert!(!text.contains("&amp;") && !text.contains("&lt;"), "{text}");
}

#[test]
fn message_file_in_group() {
    let v = decoded(
        "message_file",
        "message",
        "message_app_file_group.json",
        &[],
    );
    assert_eq!(v["kind"]["kind"], "app");
    assert_eq!(v["kind"]["detail"]["type"], "file");
    assert_eq!(v["kind"]["detail"]["file_name"], "fileName.zip");
    assert!(v["kind"]["detail"]["media_id"].is_string());
}

#[test]
fn message_friend_request() {
    let v = decoded(
        "message_friend_request",
        "message",
        "message_friend_request.json",
        &[],
    );
    assert_eq!(v["kind"]["kind"], "friend_request");
    assert_eq!(v["kind"]["contact"]["nick_name"], "幸运星");
    assert!(v["kind"]["ticket"].as_str().unwrap().ends_with("@stranger"));
}

#[test]
fn sendmsg() {
    let v = decoded("sendmsg", "sendmsg", "sendmsg.txt", &[]);
    assert_eq!(v["MsgID"], "3053194738703673101");
    assert_eq!(v["LocalID"], "15462147414160521");
}

#[test]
fn upload() {
    let v = decoded("upload", "upload", "upload.txt", &[]);
    assert!(v["MediaId"].as_str().unwrap().starts_with("@crypt_"));
    assert_eq!(v["StartPos"], 63048);
}

#[test]
fn pushloginurl() {
    let v = decoded("pushloginurl", "pushloginurl", "pushloginurl.txt", &[]);
    assert_eq!(v["uuid"], "A_1_xxxw==");
}

#[test]
fn stdin_dash() {
    let mut child = webwx()
        .args(["decode", "synccheck", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"window.synccheck={retcode:"1101",selector:"0"}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["retcode"], 1101);
}

/// Bad input for every kind: exit 1, one line on stderr naming the kind and saying what
/// was expected, nothing on stdout, no panic.
#[test]
fn garbage_is_one_line_error_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    binary.extend_from_slice(b"\n\n\xff\xfe{");
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("text", b"this is not a response\nat all\n".to_vec()),
        ("binary", binary),
        (
            "truncated_json",
            br#"{"BaseResponse": {"Ret": 0, "ErrMsg": ""}, "AddMsgL"#.to_vec(),
        ),
        ("empty", Vec::new()),
        ("bad_http", b"HTTP/1.1 abc\r\n\r\n".to_vec()),
        (
            "html",
            b"HTTP/1.1 200 OK\nContent-Type: text/html\n\n<html><body>hi</body></html>".to_vec(),
        ),
    ];
    let kinds = [
        "jslogin",
        "login",
        "newloginpage",
        "init",
        "contacts",
        "batchcontacts",
        "synccheck",
        "sync",
        "message",
        "sendmsg",
        "upload",
        "pushloginurl",
    ];
    for (name, bytes) in &inputs {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        for kind in kinds {
            let out = run_bounded(
                webwx().args(["decode", kind]).arg(&path),
                Duration::from_secs(30),
            );
            let (stdout, stderr) = texts(&out);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{kind} {name}: {stdout} {stderr}"
            );
            assert_eq!(stderr.lines().count(), 1, "{kind} {name}: {stderr}");
            assert!(
                stderr.starts_with(&format!("webwx decode {kind}: ")),
                "{kind} {name}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{kind} {name}: {stderr}");
            if *name != "bad_http" {
                assert!(stderr.contains("expected"), "{kind} {name}: {stderr}");
            }
            assert!(stdout.is_empty(), "{kind} {name}: {stdout}");
        }
    }
}

#[test]
fn missing_file_and_bad_usage() {
    let out = run_bounded(
        webwx().args(["decode", "sync", "/nonexistent/webwx-file"]),
        Duration::from_secs(30),
    );
    let (_, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");
    let out = run_bounded(
        webwx().args(["decode", "nosuchkind", "x"]),
        Duration::from_secs(30),
    );
    assert_eq!(out.status.code(), Some(2), "clap usage errors exit 2");
}

/// `--show-secrets` is the only way to see credentials, whatever the KIND: webwxinit
/// answers the skey (`SKey`), our uin (`User.Uin`) and avatar URLs carrying `skey=`.
#[test]
fn every_kind_redacts_secrets_by_default() {
    const SKEY: &str = "@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50";
    const UIN: &str = "176666155";
    for (kind, file) in [("init", "init.txt"), ("contacts", "contacts.txt")] {
        let out = decode(kind, file, &[]);
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "{kind}: {stderr}");
        for secret in [SKEY, UIN] {
            assert!(!stdout.contains(secret), "{kind}: {secret} printed");
        }
    }
    let out = decode("init", "init.txt", &[]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["SKey"], "<redacted>");
    assert_eq!(v["User"]["Uin"], "<redacted>");
    // A zero uin says nothing: left as it is.
    assert_eq!(v["ContactList"][0]["Uin"], 0);
    assert!(
        v["User"]["HeadImgUrl"]
            .as_str()
            .unwrap()
            .ends_with("&skey=<redacted>"),
        "{}",
        v["User"]["HeadImgUrl"]
    );

    let out = decode("init", "init.txt", &["--show-secrets"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["SKey"], SKEY);
    assert_eq!(v["User"]["Uin"], 176666155);
    assert!(
        v["User"]["HeadImgUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("&skey={SKEY}"))
    );
}
