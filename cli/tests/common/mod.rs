//! Helpers shared by the command-line tests: running the built `webwx` binary with a
//! time bound, and reading the first line of a child's stdout.
#![allow(dead_code)]

pub mod gateway;
pub mod webdriver;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `webwx` binary under test.
pub fn webwx() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_webwx"));
    c.env_remove("RUST_LOG");
    c
}

/// A fixture by its short name: one the core's tests hold (`CORE_FIXTURES`), else one of
/// `cli/tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    match CORE_FIXTURES.iter().find(|(n, _)| *n == name) {
        // One copy of each capture: the core's tests have it.
        Some((_, core)) => dir.join("../core/tests/fixtures").join(core),
        None => dir.join("tests/fixtures").join(name),
    }
}

/// The fixtures `webwx decode`'s tests share with the core's tests, by the short name the
/// CLI's tests use and the core's path under `core/tests/fixtures/`.
const CORE_FIXTURES: &[(&str, &str)] = &[
    (
        "batchcontacts.txt",
        "captures/11_10_webwxbatchgetcontact_0.demojibaked.txt",
    ),
    (
        "contacts.txt",
        "captures/10_9_webwxgetcontact_0.demojibaked.txt",
    ),
    ("init.txt", "captures/06_5_webwxinit_0.demojibaked.txt"),
    ("jslogin.txt", "captures/00_1_jslogin_0.txt"),
    ("login_confirmed.txt", "captures/04_3_login_2.txt"),
    ("login_scanned.txt", "captures/03_3_login_1.txt"),
    ("login_waiting.txt", "captures/02_3_login_0.txt"),
    ("newloginpage.txt", "captures/05_4_webwxnewloginpage_0.txt"),
    ("sendmsg.txt", "captures/14_12_webwxsendmsg_0.txt"),
    ("sync_wechat4u.json", "messages/sync_wechat4u.json"),
    ("synccheck.txt", "captures/13_12_synccheck_0.txt"),
    ("upload.txt", "captures/19_16_webwxuploadmedia_0.txt"),
];

/// Runs `cmd` to completion, killing it (and failing) after `limit`.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn webwx");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let out = String::from_utf8_lossy(&out_thread.join().unwrap()).into_owned();
            let err = String::from_utf8_lossy(&err_thread.join().unwrap()).into_owned();
            panic!("{cmd:?} still running after {limit:?}\nstdout:\n{out}\nstderr:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
    }
}

/// A child process killed when dropped.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `webwx sim ARGS` and returns it with its base URL (read from the first stdout
/// line, `webwx-sim listening on http://127.0.0.1:PORT`).
pub fn start_sim(args: &[&str]) -> (KillOnDrop, String) {
    let mut child = webwx()
        .arg("sim")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn webwx sim");
    let stdout = child.stdout.take().unwrap();
    let guard = KillOnDrop(child);
    let line = first_line(stdout, Duration::from_secs(20));
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (guard, url)
}

/// The first line of `r`, within `limit`.
pub fn first_line(r: impl Read + Send + 'static, limit: Duration) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(r);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        // Keep draining so the child never blocks on a full pipe.
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink);
    });
    rx.recv_timeout(limit).expect("first stdout line in time")
}

/// Stdout and stderr as text.
pub fn texts(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A plain HTTP/1.1 request on 127.0.0.1 (no client library): returns the status code,
/// the header block and the body.
pub fn http(method: &str, base: &str, path: &str, body: &str) -> (u16, String, String) {
    use std::io::Write;
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    (status, head.to_owned(), body)
}

/// Decodes a chunked body.
fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}
