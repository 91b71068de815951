//! The one-shot commands on a saved session against `webwx sim` (a child process):
//! `contacts` lists by kind and search, `group create|add|remove|rename` and `friend
//! remark|add` change what `/_sim/contacts` shows, `revoke` marks a `send`'s message
//! revoked in `/_sim/sent` (its ClientMsgId comes from the saved session), and the exit
//! codes are 0 done, 1 refused, 2 bad usage.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{http, run_bounded, start_sim, texts, webwx};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(60);

fn sim_contacts(url: &str) -> Vec<Value> {
    let (status, _, body) = http("GET", url, "/_sim/contacts", "");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Runs `webwx ARGS --session S --origin URL` (fast pacing); returns (code, stdout).
fn oneshot(session: &Path, url: &str, args: &[&str]) -> (i32, String, String) {
    let out = run_bounded(
        webwx()
            .args(args)
            .arg("--session")
            .arg(session)
            .args(["--origin", url, "--timeout", "30"])
            .args(["--pace-burst", "50", "--pace-every-ms", "10"]),
        LIMIT,
    );
    let (stdout, stderr) = texts(&out);
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// `webwx login --exit-after-login` against the simulator at `url`: the saved session,
/// `DIR/session.json`.
fn logged_in(dir: &Path, url: &str) -> std::path::PathBuf {
    let session = dir.join("session.json");
    let out = run_bounded(
        webwx().arg("login").arg("--session").arg(&session).args([
            "--origin",
            url,
            "--exit-after-login",
            "--timeout",
            "30",
        ]),
        LIMIT,
    );
    assert!(out.status.success(), "{:?}", texts(&out));
    session
}

#[test]
fn one_shot_commands_change_the_simulator() {
    let (_sim, url) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let session = logged_in(dir.path(), &url);
    let contacts = sim_contacts(&url);
    let friends: Vec<&Value> = contacts.iter().filter(|c| c["kind"] == "friend").collect();
    assert!(friends.len() >= 3);
    let nick = |c: &Value| c["nick_name"].as_str().unwrap().to_owned();

    // contacts: every friend by kind, JSON; a search; the human form.
    let (code, stdout, stderr) =
        oneshot(&session, &url, &["contacts", "--kind", "friend", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    let listed = v["result"]["contacts"].as_array().unwrap();
    assert_eq!(listed.len(), friends.len(), "{v}");
    assert!(listed.iter().all(|c| c["kind"] == "friend"));
    let (code, stdout, _) = oneshot(&session, &url, &["contacts", "--search", &nick(friends[0])]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(friends[0]["user_name"].as_str().unwrap()),
        "{stdout}"
    );
    assert!(stdout.starts_with("friend "), "{stdout}");

    // group create, rename, add, remove.
    let (code, stdout, stderr) = oneshot(
        &session,
        &url,
        &[
            "group",
            "create",
            "--topic",
            "cli group",
            "--member",
            &nick(friends[0]),
            "--member",
            &nick(friends[1]),
            "--json",
        ],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let created: Value = serde_json::from_str(stdout.trim()).unwrap();
    let group = created["result"]["group"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let find = |user_name: &str| {
        sim_contacts(&url)
            .into_iter()
            .find(|c| c["user_name"] == user_name)
            .unwrap_or_else(|| panic!("{user_name} in /_sim/contacts"))
    };
    assert_eq!(find(&group)["nick_name"], "cli group");
    let (code, _, stderr) = oneshot(
        &session,
        &url,
        &["group", "rename", "--group", &group, "--topic", "renamed"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(find(&group)["nick_name"], "renamed");
    let member_names = |g: &Value| -> Vec<String> {
        g["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["user_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let third = friends[2]["user_name"].as_str().unwrap();
    let (code, _, stderr) = oneshot(
        &session,
        &url,
        &["group", "add", "--group", &group, "--member", third],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(member_names(&find(&group)).iter().any(|m| m == third));
    let (code, _, stderr) = oneshot(
        &session,
        &url,
        &["group", "remove", "--group", &group, "--member", third],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!member_names(&find(&group)).iter().any(|m| m == third));

    // friend remark.
    let f0 = friends[0]["user_name"].as_str().unwrap();
    let (code, stdout, stderr) = oneshot(
        &session,
        &url,
        &["friend", "remark", "--user", f0, "--remark", "Best friend"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.trim(), "done");
    assert_eq!(find(f0)["remark_name"], "Best friend");

    // revoke: a send, then its revoke by MsgID alone.
    let out = run_bounded(
        webwx()
            .arg("send")
            .arg("--session")
            .arg(&session)
            .args(["--origin", &url, "--to", f0, "--text", "oops", "--json"]),
        LIMIT,
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", texts(&out));
    let sent: Value = serde_json::from_str(texts(&out).0.trim()).unwrap();
    let msg_id = sent["msg_id"].as_str().unwrap();
    let (code, _, stderr) = oneshot(
        &session,
        &url,
        &["revoke", "--to", "Best friend", "--msg-id", msg_id],
    );
    assert_eq!(code, 0, "{stderr}");
    let (_, _, body) = http("GET", &url, "/_sim/sent", "");
    let records: Vec<Value> = serde_json::from_str(&body).unwrap();
    let record = records.iter().find(|r| r["msg_id"] == msg_id).unwrap();
    assert_eq!(record["revoked"], true, "{record}");

    // Refused: an unknown contact (1), with the error in JSON too.
    let (code, stdout, stderr) = oneshot(
        &session,
        &url,
        &[
            "friend",
            "remark",
            "--user",
            "nobody at all",
            "--remark",
            "x",
            "--json",
        ],
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(v["error"]["kind"].is_string(), "{v}");
    // Bad usage: no session file (2), a missing flag (2).
    let (code, _, stderr) = oneshot(&dir.path().join("none.json"), &url, &["contacts"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = oneshot(&session, &url, &["group", "rename", "--group", &group]);
    assert_eq!(code, 2);
    // A saved session that is logged out (no credentials) is refused (1) before anything
    // is sent, by the one-shot commands and by `webwx send` alike.
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&session).unwrap())
        .expect("the session file is JSON");
    assert!(saved["credentials"].is_object(), "{saved}");
    saved["credentials"] = Value::Null;
    let out_session = dir.path().join("logged-out.json");
    std::fs::write(&out_session, saved.to_string()).unwrap();
    for args in [
        &["contacts"][..],
        &["send", "--to", "x", "--text", "hi"][..],
    ] {
        let (code, _, stderr) = oneshot(&out_session, &url, args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "webwx {}: the saved session is logged out",
                args[0]
            )),
            "{args:?}: {stderr}"
        );
    }
}

/// `login --download DIR`: incoming files are saved under their safe names, never over
/// an existing file (`name (1).ext`, ...), and each saved path is printed.
#[test]
fn login_download_saves_media_without_overwriting() {
    use base64::Engine as _;
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let (_sim, url) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let session = logged_in(dir.path(), &url);
    let friend = sim_contacts(&url)
        .into_iter()
        .find(|c| c["kind"] == "friend")
        .unwrap()["user_name"]
        .as_str()
        .unwrap()
        .to_owned();
    let downloads = dir.path().join("media");
    std::fs::create_dir(&downloads).unwrap();
    std::fs::write(downloads.join("report.txt"), "mine, keep me").unwrap();

    let child = webwx()
        .arg("login")
        .arg("--session")
        .arg(&session)
        .args([
            "--origin",
            &url,
            "--json",
            "--timeout",
            "60",
            "--long-poll-ms",
            "3000",
        ])
        .args(["--max-messages", "2", "--download"])
        .arg(&downloads)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = common::KillOnDrop(child);
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(serde_json::from_str(&line).unwrap());
        }
    });
    while rx.recv_timeout(Duration::from_secs(30)).expect("ready")["event"] != "ready" {}
    let contents = ["first file", "second file"];
    for c in contents {
        let body = serde_json::json!({
            "from": friend, "type": 49, "content": "report.txt", "file_name": "report.txt",
            "media_b64": base64::engine::general_purpose::STANDARD.encode(c),
        });
        let (status, _, answer) = http("POST", &url, "/_sim/messages", &body.to_string());
        assert_eq!(status, 200, "{answer}");
    }
    let mut saved = Vec::new();
    let mut lines = Vec::new();
    while let Ok(v) = rx.recv_timeout(Duration::from_secs(30)) {
        lines.push(v.to_string());
        if v["event"] == "saved" {
            saved.push(v["path"].as_str().unwrap().to_owned());
        }
    }
    assert!(child.0.wait().unwrap().success());
    assert_eq!(saved.len(), 2, "{lines:#?}");
    assert_eq!(
        std::fs::read_to_string(downloads.join("report.txt")).unwrap(),
        "mine, keep me",
        "never overwritten"
    );
    let mut got: Vec<String> = saved
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    got.sort();
    assert_eq!(got, contents);
    let mut names: Vec<String> = saved
        .iter()
        .map(|p| {
            Path::new(p)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["report (1).txt", "report (2).txt"]);
}
