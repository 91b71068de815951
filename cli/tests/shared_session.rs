//! One saved session shared by a running `webwx login` and one-shot commands, against
//! `webwx sim` as a child process: 50 `webwx send`s race with a login that saves after
//! every message it receives; afterwards the session file holds both sides' work — every
//! send's ClientMsgId (for `webwx revoke`) and the login's seen messages — because every
//! save takes the session file's lock and merges field by field.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{KillOnDrop, http, run_bounded, start_sim, texts, webwx};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(120);

fn friend(url: &str) -> String {
    let (status, _, body) = http("GET", url, "/_sim/contacts", "");
    assert_eq!(status, 200, "{body}");
    let contacts: Vec<Value> = serde_json::from_str(&body).unwrap();
    contacts
        .iter()
        .find(|c| c["kind"] == "friend")
        .expect("a friend")["user_name"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_login_and_50_one_shot_sends_share_one_session_file() {
    let (_sim, url) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.json");
    let base = [
        "--session".to_owned(),
        session.display().to_string(),
        "--origin".into(),
        url.clone(),
    ];
    let out = run_bounded(
        webwx()
            .arg("login")
            .args(&base)
            .args(["--exit-after-login", "--timeout", "30"]),
        LIMIT,
    );
    assert!(out.status.success(), "{:?}", texts(&out));
    let friend = friend(&url);

    // The login runs the sync loop and saves after every message.
    const MESSAGES: usize = 10;
    let mut child = webwx()
        .arg("login")
        .args(&base)
        .args(["--json", "--timeout", "100", "--long-poll-ms", "3000"])
        .args(["--max-messages", &MESSAGES.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut child = KillOnDrop(child);
    let (tx, rx) = mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(serde_json::from_str(&line).expect("a JSON line"));
        }
    });
    while rx.recv_timeout(Duration::from_secs(30)).expect("ready")["event"] != "ready" {}

    // 50 one-shot sends, 10 processes at a time, while messages arrive.
    const SENDS: usize = 50;
    let senders: Vec<_> = (0..10)
        .map(|t| {
            let (session, url, friend) = (session.clone(), url.clone(), friend.clone());
            std::thread::spawn(move || {
                (0..SENDS / 10)
                    .map(|i| {
                        let out = run_bounded(
                            webwx()
                                .arg("send")
                                .arg("--session")
                                .arg(&session)
                                .args(["--origin", &url, "--to", &friend, "--json"])
                                .args(["--text", &format!("race {t}-{i}")])
                                .args(["--no-pacing", "--timeout", "60"]),
                            LIMIT,
                        );
                        let (stdout, stderr) = texts(&out);
                        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
                        let v: Value = serde_json::from_str(stdout.trim()).unwrap();
                        v["msg_id"].as_str().unwrap().to_owned()
                    })
                    .collect::<Vec<String>>()
            })
        })
        .collect();
    for i in 0..MESSAGES {
        let body = serde_json::json!({"from": friend, "content": format!("incoming {i}")});
        let (status, _, answer) = http("POST", &url, "/_sim/messages", &body.to_string());
        assert_eq!(status, 200, "{answer}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let msg_ids: Vec<String> = senders
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    assert_eq!(msg_ids.len(), SENDS);
    let mut seen_by_login = Vec::new();
    while let Ok(v) = rx.recv_timeout(Duration::from_secs(60)) {
        if v["event"] == "message"
            && v["kind"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("incoming"))
        {
            seen_by_login.push(v["id"].as_str().unwrap().to_owned());
        }
    }
    assert!(child.0.wait().unwrap().success());
    assert_eq!(seen_by_login.len(), MESSAGES);

    // The simulator got every send once.
    let (_, _, body) = http("GET", &url, "/_sim/sent", "");
    let records: Vec<Value> = serde_json::from_str(&body).unwrap();
    let races = records
        .iter()
        .filter(|r| {
            r["content"]
                .as_str()
                .is_some_and(|c| c.starts_with("race "))
        })
        .count();
    assert_eq!(races, SENDS);

    // Both sides' work is in the file: no save lost another's.
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&session).unwrap()).unwrap();
    let sent: Vec<&str> = file["sent"]["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap())
        .collect();
    for id in &msg_ids {
        assert!(sent.contains(&id.as_str()), "send {id} lost: {sent:?}");
    }
    let seen: Vec<&str> = file["seen"]["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for id in &seen_by_login {
        assert!(seen.contains(&id.as_str()), "seen {id} lost");
    }
    // The lock file sits beside the session, private.
    let lock = dir.path().join(".session.json.lock");
    assert!(lock.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&lock).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
