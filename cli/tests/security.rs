//! Untrusted configuration never panics and never sends credentials where nobody chose:
//! a planted session file, a bad `--home`, a plain-http `--origin` beyond loopback. Each
//! is refused with exit code 2 and one line that says why, before any request is sent.

mod common;

use std::time::Duration;

use common::{run_bounded, texts, webwx};

const LIMIT: Duration = Duration::from_secs(30);

/// A logged-in session file whose hosts are `hosts` (JSON).
fn planted(dir: &std::path::Path, hosts: serde_json::Value) -> std::path::PathBuf {
    let mut state = webwx_core::SessionState::new(1, webwx_core::Hosts::default());
    state.credentials = Some(webwx_core::Credentials::new(
        1,
        "SIDSECRET",
        "@crypt_SKEYSECRET",
        "PTSECRET",
        false,
    ));
    let mut v: serde_json::Value = serde_json::from_str(&state.to_json()).unwrap();
    v["hosts"] = hosts;
    let path = dir.join("planted.json");
    std::fs::write(&path, v.to_string()).unwrap();
    path
}

fn hosts(content: &str, login: &str, file: &str, push: &str) -> serde_json::Value {
    serde_json::json!({"content": content, "login": login, "file": file, "push": push})
}

/// Runs `args`, expects exit 2 without a panic, returns stderr.
fn refused(args: &[&str]) -> String {
    let out = run_bounded(webwx().args(args), LIMIT);
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}\n{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn planted_session_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (h, says) in [
        (
            hosts(
                "wx.qq.com x",
                "login.wx.qq.com",
                "file.wx.qq.com",
                "webpush.wx.qq.com",
            ),
            "not a host name",
        ),
        (
            hosts(
                "wx.qq.com",
                "login.wx.qq.com",
                "file.wx.qq.com/x#",
                "webpush.wx.qq.com",
            ),
            "file host",
        ),
        (
            hosts(
                "wx.evil.example",
                "login.weixin.qq.com",
                "file.wx.qq.com",
                "webpush.weixin.qq.com",
            ),
            "not a WeChat host",
        ),
        (
            hosts(
                "wx.qq.com",
                "login.wx.qq.com",
                "file.evil.example",
                "webpush.wx.qq.com",
            ),
            "file host",
        ),
    ] {
        let path = planted(dir.path(), h);
        let path = path.display().to_string();
        let e = refused(&["login", "--session", &path, "--timeout", "5"]);
        assert!(
            e.contains("cannot use the session file") && e.contains(says),
            "{e}"
        );
        let e = refused(&["send", "--session", &path, "--to", "x", "--text", "hi"]);
        assert!(
            e.contains("cannot use the session file") && e.contains(says),
            "{e}"
        );
    }
}

#[test]
fn a_bad_home_is_a_usage_error() {
    for home in [
        "wx.qq.com/x",
        "wx.qq.com x",
        "wx.qq.com#",
        "evil.example.org",
    ] {
        let e = refused(&["login", "--home", home, "--timeout", "5"]);
        assert!(e.contains("--home"), "{e}");
    }
}

#[test]
fn plain_http_origin_beyond_loopback_needs_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let session = planted(
        dir.path(),
        hosts(
            "wx.qq.com",
            "login.wx.qq.com",
            "file.wx.qq.com",
            "webpush.wx.qq.com",
        ),
    );
    let session = session.display().to_string();
    // 192.0.2.0/24 is documentation space: refused before any connection is tried.
    let origin = "http://192.0.2.1:8787";
    let e = refused(&["login", "--origin", origin, "--timeout", "5"]);
    assert!(
        e.contains("--insecure-origin") && e.contains("in clear"),
        "{e}"
    );
    let e = refused(&[
        "send",
        "--session",
        &session,
        "--to",
        "x",
        "--text",
        "hi",
        "--origin",
        origin,
    ]);
    assert!(e.contains("--insecure-origin"), "{e}");
}

#[test]
fn rust_log_that_opens_wire_dumps_is_warned_about_once() {
    let jslogin = common::fixture("jslogin.txt");
    for (rust_log, warned) in [
        ("ureq=trace", true),
        ("debug", true),
        ("webwx=trace,webwx_core=debug", false),
    ] {
        let out = run_bounded(
            webwx()
                .env("RUST_LOG", rust_log)
                .arg("decode")
                .arg("jslogin")
                .arg(&jslogin),
            LIMIT,
        );
        let (_, stderr) = texts(&out);
        assert!(out.status.success(), "{stderr}");
        let warnings = stderr
            .lines()
            .filter(|l| l.starts_with("webwx: warning: RUST_LOG"))
            .count();
        assert_eq!(warnings, usize::from(warned), "{rust_log}: {stderr}");
    }
}

/// SIGTERM (and SIGINT) stop `webwx login` cleanly: the session is saved and complete, the
/// process exits by itself, and the next run resumes without a QR code.
#[cfg(unix)]
#[test]
fn sigterm_saves_the_session_and_it_resumes_without_a_qr() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let (_sim, url) =
        common::start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.json");
    let session_arg = session.display().to_string();
    let png = dir.path().join("qr.png").display().to_string();
    let login = |extra: &[&str]| {
        let mut c = webwx();
        c.args([
            "login",
            "--session",
            &session_arg,
            "--origin",
            &url,
            "--timeout",
            "40",
            "--long-poll-ms",
            "2000",
            "--qr-png",
            &png,
        ])
        .args(extra);
        c
    };
    for signal in ["-TERM", "-INT"] {
        let mut child = login(&[])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let stderr = child.stderr.take().unwrap();
        let mut child = common::KillOnDrop(child);
        let err_thread = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut s);
            s
        });
        let mut seen = Vec::new();
        for line in stdout.lines().map_while(Result::ok) {
            let ready = line == "ready";
            seen.push(line);
            if ready {
                break;
            }
        }
        assert_eq!(seen.last().map(String::as_str), Some("ready"), "{seen:?}");
        let pid = child.0.id().to_string();
        let sent = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.0.wait().unwrap();
        let stderr = err_thread.join().unwrap();
        assert_eq!(status.code(), Some(130), "{signal}: {status:?}\n{stderr}");
        assert!(stderr.contains("the session is saved"), "{stderr}");
        // The saved session is complete: logged in, with its keys and cookies.
        let text = std::fs::read_to_string(&session).unwrap();
        let state = webwx_core::SessionState::from_json(&text).expect("a complete session");
        assert!(state.credentials.is_some(), "{signal}");
        assert!(!state.sync_key.list.is_empty() && !state.cookies.is_empty());
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(!names.iter().any(|n| n.contains(".tmp-")), "{names:?}");
        // And it resumes without a QR code.
        let out = run_bounded(&mut login(&["--exit-after-login"]), LIMIT);
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(!stdout.contains("qr code"), "{stdout}");
        assert!(stdout.contains("ready"), "{stdout}");
    }
}

/// The simulator keeps uploads under one memory bound (--max-upload-memory): a send whose
/// file would pass it fails with the simulator's reason, and the simulator counts it.
#[test]
fn simulator_uploads_stay_under_the_memory_cap() {
    let (_sim, url) = common::start_sim(&[
        "--auto-scan",
        "--hold-ms",
        "200",
        "--scan-delay-ms",
        "50",
        "--max-upload-memory",
        "600000",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.json").display().to_string();
    let png = dir.path().join("qr.png").display().to_string();
    let out = run_bounded(
        webwx().args([
            "login",
            "--session",
            &session,
            "--origin",
            &url,
            "--timeout",
            "30",
            "--long-poll-ms",
            "2000",
            "--exit-after-login",
            "--qr-png",
            &png,
        ]),
        LIMIT,
    );
    assert!(out.status.success(), "{:?}", texts(&out));
    let (_, _, body) = common::http("GET", &url, "/_sim/contacts", "");
    let contacts: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    let friend = contacts.iter().find(|c| c["kind"] == "friend").unwrap()["user_name"]
        .as_str()
        .unwrap()
        .to_owned();
    let file = dir.path().join("big.bin");
    std::fs::write(&file, vec![7u8; 700_000]).unwrap();
    let out = run_bounded(
        webwx()
            .args([
                "send",
                "--session",
                &session,
                "--origin",
                &url,
                "--timeout",
                "20",
            ])
            .args(["--to", &friend, "--file"])
            .arg(&file),
        LIMIT,
    );
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let (_, _, state) = common::http("GET", &url, "/_sim/state", "");
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert!(
        state["counters"]["uploads_refused_memory"].as_u64() >= Some(1),
        "{state}"
    );
}
