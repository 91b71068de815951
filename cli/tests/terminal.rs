//! Terminal injection: what contacts write (texts, app titles and URLs, file names, the
//! nick name and greeting of a friend request, system texts) reaches `webwx login`'s human
//! output without a control character (ESC, CSI, OSC 52, BEL, a bare CR, 8-bit CSI) or a
//! bidi control, against `webwx sim` on 127.0.0.1.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{KillOnDrop, http, run_bounded, start_sim, texts, webwx};
use serde_json::{Value, json};

const LIMIT: Duration = Duration::from_secs(60);

fn login_args(url: &str, session: &std::path::Path) -> Vec<String> {
    [
        "login",
        "--session",
        &session.display().to_string(),
        "--origin",
        url,
        "--timeout",
        "40",
        "--long-poll-ms",
        "3000",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

#[test]
fn hostile_contact_text_never_reaches_the_terminal() {
    let (_sim, url) = start_sim(&["--auto-scan", "--hold-ms", "200", "--scan-delay-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.json");
    let mut args = login_args(&url, &session);
    args.extend(["--exit-after-login".into(), "--qr-png".into()]);
    args.push(dir.path().join("qr.png").display().to_string());
    let out = run_bounded(webwx().args(&args), LIMIT);
    assert!(out.status.success(), "{:?}", texts(&out));

    let (status, _, body) = http("GET", &url, "/_sim/contacts", "");
    assert_eq!(status, 200, "{body}");
    let contacts: Vec<Value> = serde_json::from_str(&body).unwrap();
    let friend = contacts.iter().find(|c| c["kind"] == "friend").unwrap()["user_name"]
        .as_str()
        .unwrap()
        .to_owned();

    let hostile = "\u{1b}[2J\u{1b}]52;c;aGk=\u{7}x\u{9b}31m\u{202e}gpj.exe\rFAKE\u{2066}";
    let injections = [
        json!({"from": friend, "content": format!("text {hostile}")}),
        // An app link whose title and URL carry references to control characters once
        // the two entity layers are undone, and raw ones.
        json!({"from": friend, "type": 49, "raw": true, "content": format!(
            "&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;title &amp;#27;[2J&amp;#155;31m{hostile}&lt;/title&gt;&lt;type&gt;5&lt;/type&gt;&lt;url&gt;https://example.com/\u{1b}]8;;x\u{7}&lt;/url&gt;&lt;/appmsg&gt;&lt;/msg&gt;"
        )}),
        json!({"from": friend, "type": 49, "content": "", "file_name": format!("file {hostile}.txt"),
               "media_b64": "aGVsbG8="}),
        json!({"from": "", "type": 37, "content": format!("greeting {hostile}"),
               "nick_name": format!("nick {hostile}")}),
    ];

    let mut args = login_args(&url, &session);
    args.extend(["--max-messages".into(), injections.len().to_string()]);
    let mut child = webwx()
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut child = KillOnDrop(child);
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut s);
        s
    });
    let mut lines = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("a ready line");
        let ready = line == "ready";
        lines.push(line);
        if ready {
            break;
        }
    }
    for body in &injections {
        let (status, _, answer) = http("POST", &url, "/_sim/messages", &body.to_string());
        assert_eq!(status, 200, "{body}: {answer}");
    }
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        lines.push(line);
    }
    let status = child.0.wait().unwrap();
    let stderr = err_thread.join().unwrap();
    let stdout = lines.join("\n");
    assert!(status.success(), "{stdout}\n{stderr}");
    for what in ["text ", "title ", "file ", "nick ", "greeting "] {
        assert!(stdout.contains(what), "no {what:?} line in {stdout}");
    }
    assert!(stdout.contains("gpj.exe"), "{stdout}");
    for (n, c) in stdout.chars().chain(stderr.chars()).enumerate() {
        assert!(
            (!c.is_control() || c == '\n') && !is_bidi(c),
            "{c:?} at {n} of the output:\n{stdout:?}\n{stderr:?}"
        );
    }
}
