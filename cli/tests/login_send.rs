//! `webwx login` and `webwx send` against `webwx sim --auto-scan --hold-ms 200` (a child
//! process on 127.0.0.1): the first login shows a QR code and writes a 0600 session file,
//! the second reuses it without a QR code, `--json --echo` prints JSON lines and answers a
//! private text, `send` delivers a text the simulator records without moving the SyncKey,
//! and the exit codes are 0 sent, 1 send failed, 2 bad usage.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{KillOnDrop, http, run_bounded, start_sim, texts, webwx};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(60);

/// `login` flags that keep every run short against the simulator.
fn login_args(url: &str, session: &std::path::Path) -> Vec<String> {
    vec![
        "login".into(),
        "--session".into(),
        session.display().to_string(),
        "--origin".into(),
        url.into(),
        "--timeout".into(),
        "30".into(),
        "--long-poll-ms".into(),
        "3000".into(),
    ]
}

fn friend(url: &str) -> (String, String) {
    let (status, _, body) = http("GET", url, "/_sim/contacts", "");
    assert_eq!(status, 200, "{body}");
    let contacts: Vec<Value> = serde_json::from_str(&body).unwrap();
    let f = contacts
        .iter()
        .find(|c| c["kind"] == "friend")
        .expect("a friend");
    (
        f["user_name"].as_str().unwrap().to_owned(),
        f["nick_name"].as_str().unwrap().to_owned(),
    )
}

fn sent(url: &str) -> Vec<Value> {
    let (status, _, body) = http("GET", url, "/_sim/sent", "");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn login_then_reuse_then_echo_then_send() {
    let (_sim, url) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.json");
    let png = dir.path().join("qr.png");

    // 1. First login: a QR code (terminal + PNG), then a 0600 session file.
    let mut args = login_args(&url, &session);
    args.extend(["--exit-after-login".into(), "--qr-png".into()]);
    args.push(png.display().to_string());
    let out = run_bounded(webwx().args(&args), LIMIT);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for line in [
        "qr code: https://login.weixin.qq.com/l/",
        "scanned",
        "logged in as ",
        "contacts: ",
        "ready",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in {stdout}");
    }
    assert!(stderr.contains(&png.display().to_string()), "{stderr}");
    assert!(stderr.contains('\u{2580}'), "the QR drawn on stderr");
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&session).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "session file mode");
    }
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&session).unwrap()).unwrap();
    assert!(saved["credentials"].is_object(), "logged-in session saved");

    // 2. Second login with that file: no QR code.
    let mut args = login_args(&url, &session);
    args.push("--exit-after-login".into());
    let out = run_bounded(webwx().args(&args), LIMIT);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("qr code"), "{stdout}");
    assert!(!stderr.contains('\u{2580}'), "{stderr}");
    assert!(stdout.contains("ready"), "{stdout}");
    assert!(stderr.contains("reusing the saved session"), "{stderr}");

    // 3. --json --echo: JSON lines, and a private text is answered with the same text.
    let (friend_id, friend_nick) = friend(&url);
    let mut args = login_args(&url, &session);
    args.extend([
        "--json".into(),
        "--echo".into(),
        "--max-messages".into(),
        "1".into(),
    ]);
    let mut child = webwx()
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = KillOnDrop(child);
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("a ready event");
        let v: Value = serde_json::from_str(&line).expect("one JSON object per line");
        lines.push(v.clone());
        if v["event"] == "ready" {
            break;
        }
    }
    let body = serde_json::json!({"from": friend_id, "content": "echo me 🎈"}).to_string();
    let (status, _, answer) = http("POST", &url, "/_sim/messages", &body);
    assert_eq!(status, 200, "{answer}");
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        lines.push(serde_json::from_str(&line).expect("one JSON object per line"));
    }
    let mut child = child;
    let status = child.0.wait().unwrap();
    assert!(status.success(), "{lines:?}");
    let message = lines
        .iter()
        .find(|v| v["event"] == "message" && v["kind"]["text"] == "echo me 🎈")
        .unwrap_or_else(|| panic!("the message in {lines:?}"));
    assert_eq!(message["chat"], friend_id.as_str());
    // 64-bit ids are strings on the JSON boundary (a JavaScript number cannot hold them).
    assert!(message["new_id"].is_string(), "{message}");
    assert!(message["raw"]["NewMsgId"].is_string(), "{message}");
    let sent_event = lines
        .iter()
        .find(|v| v["event"] == "command" && v["kind"] == "sent")
        .expect("a sent event");
    assert!(sent_event["local_id"].is_string() && sent_event["msg_id"].is_string());
    assert!(
        lines
            .iter()
            .any(|v| v["event"] == "command" && v["kind"] == "sent"),
        "{lines:?}"
    );
    let echoed = sent(&url);
    assert!(
        echoed
            .iter()
            .any(|s| s["content"] == "echo me 🎈" && s["to"] == friend_id.as_str()),
        "{echoed:?}"
    );

    // 4. send: by nick name, recorded by the simulator; the SyncKey does not move.
    let before: Value = serde_json::from_str(&std::fs::read_to_string(&session).unwrap()).unwrap();
    let out = run_bounded(
        webwx()
            .arg("send")
            .arg("--session")
            .arg(&session)
            .args(["--to", &friend_nick, "--text", "hello from webwx send"])
            .args(["--origin", &url]),
        LIMIT,
    );
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("sent to "), "{stdout}");
    let records = sent(&url);
    let last = records.last().unwrap();
    assert_eq!(last["content"], "hello from webwx send");
    assert_eq!(last["to"], friend_id.as_str());
    let after: Value = serde_json::from_str(&std::fs::read_to_string(&session).unwrap()).unwrap();
    assert_eq!(
        before["sync_key"], after["sync_key"],
        "send never moves the SyncKey"
    );
    assert_eq!(before["sync_check_key"], after["sync_check_key"]);
    assert_ne!(before["msg_ids"], serde_json::Value::Null);

    // 5. send --file: chunked uploads the simulator checks by md5; an image as an image.
    let big = dir.path().join("report.bin");
    let bytes: Vec<u8> = (0..700_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&big, &bytes).unwrap();
    let png = dir.path().join("picture.png");
    std::fs::write(&png, std::fs::read(dir.path().join("qr.png")).unwrap()).unwrap();
    for (path, msg_type) in [(&big, 6), (&png, 3)] {
        let out = run_bounded(
            webwx()
                .arg("send")
                .arg("--session")
                .arg(&session)
                .args(["--to", &friend_nick, "--origin", &url, "--file"])
                .arg(path),
            LIMIT,
        );
        let (stdout, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        assert!(
            !stderr.contains("uploading"),
            "no progress bar without a terminal: {stderr}"
        );
        let last = sent(&url).last().cloned().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(last["type"], msg_type, "{last}");
        assert_eq!(last["file_name"], name, "{last}");
        assert_eq!(last["to"], friend_id.as_str());
        assert_eq!(
            last["media_md5"],
            webwx_core::upload::md5_hex(&std::fs::read(path).unwrap()),
            "the simulator got the file's bytes"
        );
    }

    // 6. Exit codes: 1 for a send that fails, 2 for bad usage.
    let send = |extra: &[&str]| {
        run_bounded(
            webwx().arg("send").args(["--origin", &url]).args(extra),
            LIMIT,
        )
    };
    let s = session.display().to_string();
    let out = send(&["--session", &s, "--to", "nobody at all", "--text", "x"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "unknown recipient: {:?}",
        texts(&out)
    );
    let out = send(&["--session", &s, "--to", &friend_nick]);
    assert_eq!(out.status.code(), Some(2), "neither --text nor --file");
    let out = send(&[
        "--session",
        &s,
        "--to",
        &friend_nick,
        "--text",
        "a",
        "--file",
        "b",
    ]);
    assert_eq!(out.status.code(), Some(2), "both --text and --file");
    let out = send(&[
        "--session",
        &s,
        "--to",
        &friend_nick,
        "--file",
        "/nonexistent/file.bin",
    ]);
    assert_eq!(out.status.code(), Some(2), "unreadable --file");
    let missing = dir.path().join("missing.json").display().to_string();
    let out = send(&["--session", &missing, "--to", &friend_nick, "--text", "x"]);
    assert_eq!(out.status.code(), Some(2), "no session file");
    // The phone ends the session: the next send fails with 1.
    let (status, _, answer) = http("POST", &url, "/_sim/logout", r#"{"retcode":1101}"#);
    assert_eq!(status, 200, "{answer}");
    let out = send(&[
        "--session",
        &s,
        "--to",
        &friend_nick,
        "--text",
        "too late",
        "--json",
    ]);
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["sent"], false);
    assert!(!sent(&url).iter().any(|s| s["content"] == "too late"));
}

#[test]
fn refused_web_login_points_to_desktop() {
    let (_sim, url) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "50"]);
    let (status, _, body) = http("POST", &url, "/_sim/accounts", r#"{"refuse": true}"#);
    assert_eq!(status, 200, "{body}");
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.json");
    let out = run_bounded(webwx().args(login_args(&url, &session)), LIMIT);
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("logged out: web login refused (1203"),
        "{stdout}"
    );
    assert!(stderr.contains("webwx login --desktop"), "{stderr}");
}

#[test]
fn login_logout_ends_the_session_then_push_login_needs_no_qr() {
    let (_sim, url) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.json");
    let mut args = login_args(&url, &session);
    args.extend([
        "--exit-after-login".into(),
        "--logout".into(),
        "--json".into(),
    ]);
    let out = run_bounded(webwx().args(&args), LIMIT);
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let events: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    let last = events.last().unwrap();
    assert_eq!(last["event"], "logged_out", "{events:?}");
    assert_eq!(last["reason"]["reason"], "requested", "{last}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&session).unwrap()).unwrap();
    assert!(
        saved["credentials"].is_null(),
        "logged-out session saved: {saved}"
    );
    let (_, _, state) = http("GET", &url, "/_sim/state", "");
    let state: Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["accounts"][0]["logged_in"], false, "{state}");

    // The next login with that file asks the phone (push login): no QR code.
    let mut args = login_args(&url, &session);
    args.push("--exit-after-login".into());
    let out = run_bounded(webwx().args(&args), LIMIT);
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("push login sent"), "{stdout}");
    assert!(!stdout.contains("qr code"), "{stdout}");
    assert!(stdout.contains("logged in as "), "{stdout}");
}
