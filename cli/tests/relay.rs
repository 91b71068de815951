//! `webwx relay`: forwards the hosts of the domain table to a local upstream
//! (`--upstream`, here a `webwx sim` child, in the relay form) and refuses anything else;
//! never an open proxy. End to end: a real client in relay mode logs in, receives, sends
//! a text and a file through `webwx relay` against `webwx sim`, both separate processes.

mod common;

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{KillOnDrop, first_line, http, start_sim, webwx};
use webwx_core::message::MessageKind;
use webwx_core::{Client, CommandEvent, Config, Event, FileSpec};
use webwx_ureq::prelude::*;

fn start_relay(args: &[&str]) -> (KillOnDrop, String) {
    let mut child = webwx()
        .args(["relay", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = KillOnDrop(child);
    let line = first_line(stdout, Duration::from_secs(20));
    assert!(
        line.starts_with("webwx relay listening on http://127.0.0.1:"),
        "{line}"
    );
    let url = line.split_whitespace().last().unwrap().to_owned();
    (guard, url)
}

/// One HTTP/1.1 exchange with extra header lines: the status, the header block (lower
/// case) and the body.
fn ask(base: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("Content-Length: 0\r\n\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

const RELAY: (&str, &str) = ("x-wx-relay", "1");

#[test]
fn relay_forwards_allowlisted_hosts_to_the_local_upstream_only() {
    let (_sim, sim_url) = start_sim(&["--hold-ms", "200"]);
    let (_relay, relay) = start_relay(&["--upstream", &sim_url]);

    // A host of the domain table reaches the simulator (in the relay form: the simulator
    // checks that jslogin went to a login host).
    let (status, head, body) = ask(
        &relay,
        "GET",
        "/login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh_CN",
        &[RELAY],
    );
    assert_eq!(status, 200, "{head}\n{body}");
    assert!(body.contains("window.QRLogin.code = 200"), "{body}");
    assert!(
        head.contains("content-security-policy: sandbox; default-src 'none'"),
        "{head}"
    );
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");

    // Anything else is refused, and never fetched.
    for path in [
        "/evil.example.com/cgi-bin/mmwebwx-bin/login",
        "/127.0.0.1/_sim/state",
        "/qq.com.evil.example/x",
        "/not a host/x",
        "/mp.weixin.qq.com/x",
        "/login.wx.qq.com/../_sim/state",
    ] {
        let (status, head, _) = ask(&relay, "GET", path, &[RELAY]);
        assert!(status == 403 || status == 400, "{path}: {status}\n{head}");
    }
    let (status, head, _) = ask(&relay, "GET", "/evil.example.com/x", &[RELAY]);
    assert_eq!(status, 403);
    assert!(head.contains("x-wx-relay-error: not-allowed"), "{head}");

    // Without `x-wx-relay: 1` (a link, an <img>, a form): 403, not relayed.
    let (status, head, _) = http(
        "GET",
        &relay,
        "/login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh_CN",
        "",
    );
    assert_eq!(status, 403, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("x-wx-relay-error: not-relay-mode"),
        "{head}"
    );
    // Another origin: no CORS answer, refused.
    let (status, head, _) = ask(
        &relay,
        "GET",
        "/login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new",
        &[RELAY, ("origin", "http://evil.example")],
    );
    assert_eq!(status, 403, "{head}");
    assert!(!head.contains("access-control-allow-origin"), "{head}");
}

#[test]
fn static_page_and_cors_origins_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>x</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let (_sim, sim_url) = start_sim(&["--hold-ms", "200"]);
    let static_dir = dir.path().to_str().unwrap().to_owned();
    let (_relay, relay) = start_relay(&[
        "--upstream",
        &sim_url,
        "--static",
        &static_dir,
        "--cors-origin",
        "http://localhost:5173",
    ]);
    let (status, head, body) = ask(&relay, "GET", "/", &[]);
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(body.contains("<title>x</title>"));
    let (status, head, _) = ask(&relay, "GET", "/app.wasm", &[]);
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: application/wasm"), "{head}");
    let (status, _, _) = ask(&relay, "GET", "/%2e%2e/etc/passwd", &[]);
    assert_eq!(status, 400);

    let (status, head, _) = ask(
        &relay,
        "OPTIONS",
        "/login.wx.qq.com/jslogin",
        &[
            ("origin", "http://localhost:5173"),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "x-wx-relay"),
        ],
    );
    assert_eq!(status, 204, "{head}");
    assert!(
        head.contains("access-control-allow-origin: http://localhost:5173"),
        "{head}"
    );
    assert!(head.contains("x-wx-relay"), "{head}");

    // Bad flags are usage errors.
    for bad in [
        &["--cors-origin", "*"][..],
        &["--static", "/nonexistent/folder/for/webwx"][..],
        &["--upstream", "not a url"][..],
    ] {
        let out = common::run_bounded(
            webwx().args(["relay", "--listen", "127.0.0.1:0"]).args(bad),
            Duration::from_secs(20),
        );
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}

/// Waits for the first event `f` accepts, failing on a logout or after `limit`.
fn wait<T>(
    events: &webwx_ureq::Events,
    limit: Duration,
    what: &str,
    mut f: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        let e = events
            .recv_deadline(deadline)
            .unwrap_or_else(|e| panic!("waiting for {what}: {e:?}"));
        if let Some(t) = f(&e) {
            return t;
        }
        if let Event::LoggedOut { reason } = &e {
            panic!("logged out waiting for {what}: {reason}");
        }
    }
}

/// The whole path of a page's session, with processes: `webwx sim` (an account homed on
/// wx2.qq.com that only the desktop variant may log in), `webwx relay --upstream` to it,
/// and a real client (the blocking driver) in relay mode: the origin is the relay, the
/// forbidden headers travel renamed, every request is marked `x-wx-relay: 1`. It logs in
/// (so the UOS headers went through), receives, sends a text and a file (over the wx2
/// file host), and logs out; then raw requests show that the renamed cookie is what
/// counts, a browser's own `Cookie` never arrives, and the simulator still checks hosts.
#[test]
fn a_relay_mode_client_runs_a_session_through_webwx_relay() {
    let (_sim, sim_url) = start_sim(&["--hold-ms", "200", "--auto-scan"]);
    let (status, _, body) = http(
        "POST",
        &sim_url,
        "/_sim/accounts",
        r#"{"home": "wx2.qq.com", "desktop_only": true, "contacts": 5, "groups": 1}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (_relay, relay) = start_relay(&["--upstream", &sim_url]);

    let cfg = Config::new(77)
        .origin(&relay)
        .expect("the relay is an origin")
        .rename_headers(true)
        .desktop(true)
        .long_poll_timeout(Duration::from_secs(2))
        .request_timeout(Duration::from_secs(2));
    let (handle, events) =
        webwx_ureq::start(Client::new(cfg), webwx_ureq::Options::default()).unwrap();
    handle.login().expect("the login starts");
    wait(&events, Duration::from_secs(30), "Ready", |e| {
        matches!(e, Event::Ready).then_some(())
    });

    // Receive.
    let (_, _, contacts) = http("GET", &sim_url, "/_sim/contacts", "");
    let contacts: serde_json::Value = serde_json::from_str(&contacts).unwrap();
    let friend = contacts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "friend")
        .expect("a friend")["user_name"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _, body) = http(
        "POST",
        &sim_url,
        "/_sim/messages",
        &serde_json::json!({"from": friend, "content": "hello through the relay"}).to_string(),
    );
    assert_eq!(status, 200, "{body}");
    wait(
        &events,
        Duration::from_secs(20),
        "the message",
        |e| match e {
            Event::Message(m) => match &m.kind {
                MessageKind::Text { text } if text == "hello through the relay" => Some(()),
                _ => None,
            },
            _ => None,
        },
    );

    // Send a text and a file.
    let text_id = handle
        .send_text(&friend, "reply through the relay")
        .expect("send accepted");
    let bytes: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let file = handle
        .send_file(
            &friend,
            FileSpec::new("notes.bin", bytes.len() as u64),
            webwx_ureq::FileSource::Bytes(bytes.clone().into()),
        )
        .expect("upload accepted");
    let mut pending = vec![text_id, file.local_id];
    while !pending.is_empty() {
        wait(&events, Duration::from_secs(20), "the sends", |e| match e {
            Event::Command(CommandEvent::Sent { local_id, .. }) => {
                pending.retain(|p| p != local_id);
                Some(())
            }
            Event::Command(CommandEvent::SendFailed { error, .. }) => {
                panic!("send failed: {error}")
            }
            _ => None,
        });
    }
    let (_, _, sent) = http("GET", &sim_url, "/_sim/sent", "");
    let sent: serde_json::Value = serde_json::from_str(&sent).unwrap();
    let sent = sent.as_array().unwrap();
    assert!(
        sent.iter()
            .any(|r| r["content"] == "reply through the relay"),
        "{sent:?}"
    );
    assert!(
        sent.iter().any(|r| r["file_name"] == "notes.bin"
            && r["media_md5"] == webwx_core::upload::md5_hex(&bytes)),
        "{sent:?}"
    );

    // What a browser would add does not stand in for the renamed headers: the same
    // synccheck, with the session's cookies once renamed and once as the browser's own.
    let state = handle.snapshot();
    let creds = state.credentials.clone().expect("logged in");
    assert_eq!(state.hosts.push, "webpush.wx2.qq.com");
    let cookies = format!("wxuin={}; wxsid={}", creds.uin, creds.sid);
    let synccheck = |host: &str| {
        format!(
            "/{host}/cgi-bin/mmwebwx-bin/synccheck?r=1&skey={}&sid={}&uin={}&deviceid=e123456789012345&synckey={}",
            percent(&creds.skey),
            percent(&creds.sid),
            creds.uin,
            percent(&state.sync_check_key.to_query()),
        )
    };
    let (status, head, body) = ask(
        &relay,
        "GET",
        &synccheck("webpush.wx2.qq.com"),
        &[RELAY, ("x-wx-cookie", &cookies)],
    );
    assert_eq!(status, 200, "{head}");
    assert!(
        body.contains("retcode:\"0\""),
        "renamed cookies count: {body}"
    );
    let (status, head, body) = ask(
        &relay,
        "GET",
        &synccheck("webpush.wx2.qq.com"),
        &[RELAY, ("cookie", &cookies)],
    );
    assert_eq!(status, 200, "{head}");
    assert!(
        !body.contains("retcode:\"0\""),
        "a browser's own Cookie reached the simulator: {body}"
    );
    // The relay lets the content host through; the simulator refuses synccheck there.
    let (status, head, body) = ask(
        &relay,
        "GET",
        &synccheck("wx2.qq.com"),
        &[RELAY, ("x-wx-cookie", &cookies)],
    );
    assert_eq!(status, 404, "{head}\n{body}");
    assert!(body.contains("wrong host"), "{body}");

    handle.logout();
    wait(&events, Duration::from_secs(20), "the logout", |e| {
        matches!(e, Event::LoggedOut { .. }).then_some(())
    });
}

/// `encodeURIComponent` enough for the query values above.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `login --origin` and `send --origin` reach a simulator through `webwx relay` (they
/// speak relay mode, which the relay requires and the simulator takes alike).
#[test]
fn login_and_send_through_webwx_relay() {
    let (_sim, sim_url) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "50"]);
    let (_relay, relay) = start_relay(&["--upstream", &sim_url]);
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.json");
    let session_arg = session.display().to_string();
    let limit = Duration::from_secs(60);
    let out = common::run_bounded(
        webwx().args([
            "login",
            "--session",
            &session_arg,
            "--origin",
            &relay,
            "--timeout",
            "30",
            "--long-poll-ms",
            "2000",
            "--exit-after-login",
        ]),
        limit,
    );
    let (stdout, stderr) = common::texts(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("ready"), "{stdout}");
    let out = common::run_bounded(
        webwx().args([
            "send",
            "--session",
            &session_arg,
            "--origin",
            &relay,
            "--to",
            "filehelper",
            "--text",
            "sent through webwx relay",
            "--timeout",
            "30",
        ]),
        limit,
    );
    let (stdout, stderr) = common::texts(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let (_, _, sent) = http("GET", &sim_url, "/_sim/sent", "");
    assert!(sent.contains("sent through webwx relay"), "{sent}");
}
