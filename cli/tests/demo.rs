//! `webwx demo`: a whole session against the embedded simulator, in seconds, exit 0,
//! every step in the transcript, and no secret in the `-vvv` logs of client and simulator.

mod common;

use std::time::{Duration, Instant};

use common::{run_bounded, texts, webwx};

#[test]
fn demo_runs_every_step_within_seconds() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let out = run_bounded(
        webwx().arg("demo").arg("--out").arg(dir.path()),
        Duration::from_secs(60),
    );
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    for step in [
        "simulator listening on http://127.0.0.1:",
        "QR code to scan: https://login.weixin.qq.com/l/",
        "\u{2580}", // the QR drawn with half blocks
        "scans the code",
        "scanned; waiting for the confirmation",
        "logged in as ",
        "contacts: ",
        "ready",
        " writes to you",
        "mentions you in the group",
        "Hi! Are we still on for lunch? 🍜",
        "(mentions me)",
        "replies to ",
        "replies in the group, mentioning",
        "reply delivered (server MsgID ",
        "sends the image webwx-demo.png",
        "image webwx-demo.png delivered (server MsgID ",
        "sends the file webwx-demo-notes.txt (1.1 MiB)",
        "upload chunk 1: 512.0 KiB of 1.1 MiB",
        "upload chunk 3: 1.1 MiB of 1.1 MiB",
        "file webwx-demo-notes.txt delivered (server MsgID ",
        "sends you a photo",
        "[image ",
        "downloads the photo (webwxgetmsgimg)",
        "identical to what the friend sent",
        "logging out",
        "logged out: logged out",
        "recorded 4 message(s) sent by the client",
        "via webwxsendmsgimg [webwx-demo.png, md5 ",
        "via webwxsendappmsg — <appmsg",
        "= the bytes sent]",
        "demo finished in",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
    assert!(!stdout.contains("NOT the bytes sent"), "{stdout}");
    // The downloaded photo is on disk.
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "one download in --out");
    // Without a terminal the progress bars stay hidden.
    assert!(
        !stderr.contains("uploading"),
        "stderr without a terminal:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn demo_vvv_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("demo-session.json");
    let out = run_bounded(
        webwx().args(["-vvv", "demo", "--session"]).arg(&session),
        Duration::from_secs(60),
    );
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stderr.contains("TRACE"), "-vvv logs at trace level");
    assert!(stderr.contains("webwx_sim"), "the simulator logs too");

    // The secrets of this very session, from the session file the demo saved.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&session).unwrap()).unwrap();
    let creds = &saved["credentials"];
    let mut secrets = vec![
        creds["uin"].to_string(),
        creds["sid"].as_str().unwrap().to_owned(),
        creds["skey"].as_str().unwrap().to_owned(),
        creds["pass_ticket"].as_str().unwrap().to_owned(),
    ];
    // pass_ticket decoded once too (it is stored URL-encoded).
    secrets.push(
        creds["pass_ticket"]
            .as_str()
            .unwrap()
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "="),
    );
    // Every cookie value (wxsid, wxuin, webwx_data_ticket, webwx_auth_ticket, ...).
    collect_cookie_values(&saved["cookies"], &mut secrets);
    secrets.retain(|s| s.len() >= 6);
    assert!(secrets.len() >= 8, "{secrets:?}");
    for s in &secrets {
        assert!(!stderr.contains(s.as_str()), "secret {s:?} in the logs");
        assert!(
            !stdout.contains(s.as_str()),
            "secret {s:?} in the transcript"
        );
    }
    assert!(
        !stderr.contains("@crypt_"),
        "an skey-shaped value in the logs"
    );
}

/// The values of the session cookies (wxsid, wxuin, the data and auth tickets, webwxuvid).
fn collect_cookie_values(v: &serde_json::Value, out: &mut Vec<String>) {
    const SECRET: [&str; 5] = [
        "wxsid",
        "wxuin",
        "webwx_data_ticket",
        "webwx_auth_ticket",
        "webwxuvid",
    ];
    match v {
        serde_json::Value::Object(map) => {
            if let (Some(name), Some(value)) = (
                map.get("name").and_then(|n| n.as_str()),
                map.get("value").and_then(|n| n.as_str()),
            ) && SECRET.contains(&name)
            {
                out.push(value.to_owned());
            }
            map.values().for_each(|val| collect_cookie_values(val, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_cookie_values(i, out)),
        _ => {}
    }
}
