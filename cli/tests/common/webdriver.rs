//! A minimal WebDriver client over chromedriver's HTTP API (127.0.0.1): headless
//! Debian `chromium` with a fresh profile, find, type, click, run a script, screenshot.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use super::KillOnDrop;

/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Whether chromium and chromedriver are installed (`scripts/install-chromium`).
pub fn available() -> bool {
    ["chromium", "chromedriver"].iter().all(|b| {
        Command::new(b)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// A browser session.
pub struct Browser {
    _driver: KillOnDrop,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

fn request(method: &str, url: &str, body: Option<&Value>) -> Value {
    try_request(method, url, body).unwrap_or_else(|e| panic!("{e}"))
}

fn try_request(method: &str, url: &str, body: Option<&Value>) -> Result<Value, String> {
    let authority = url.trim_start_matches("http://");
    let (authority, path) = authority.split_at(authority.find('/').unwrap_or(authority.len()));
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut stream = std::net::TcpStream::connect(authority)
        .map_err(|e| format!("connect to chromedriver: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    use std::io::{Read, Write};
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    // chromedriver may keep the connection open: read the head, then Content-Length bytes.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let (head, body) = loop {
        let n = stream
            .read(&mut buf)
            .map_err(|e| format!("read from chromedriver: {e}"))?;
        if n == 0 {
            return Err("chromedriver closed the connection".into());
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..i]).into_owned();
            let len = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            while raw.len() < i + 4 + len {
                let n = stream
                    .read(&mut buf)
                    .map_err(|e| format!("read from chromedriver: {e}"))?;
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
            }
            let end = (i + 4 + len).min(raw.len());
            break (head, String::from_utf8_lossy(&raw[i + 4..end]).into_owned());
        }
    };
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let status = head.split_whitespace().nth(1).unwrap_or("0");
    if !status.starts_with('2') {
        return Err(format!("WebDriver {method} {path}: {head}\n{body}"));
    }
    Ok(v["value"].clone())
}

impl Browser {
    /// Starts chromedriver and a headless chromium (as root: --no-sandbox) with a fresh
    /// profile, no network beyond what the page asks for.
    pub fn start() -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = KillOnDrop(driver);
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args},
        }}});
        let v = request("POST", &format!("{base}/session"), Some(&caps));
        let session = v["sessionId"].as_str().expect("a session").to_owned();
        Browser {
            _driver: driver,
            base,
            session,
            _profile: profile,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.session)
    }

    /// Opens `url`.
    pub fn goto(&self, url: &str) {
        request("POST", &self.url("/url"), Some(&json!({"url": url})));
    }

    /// The element matching a CSS selector (waits up to `limit`).
    pub fn find(&self, css: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let found = self.script(
                "return document.querySelector(arguments[0]) !== null",
                json!([css]),
            );
            if found == Value::Bool(true) {
                let v = request(
                    "POST",
                    &self.url("/element"),
                    Some(&json!({"using": "css selector", "value": css})),
                );
                return v[ELEMENT].as_str().unwrap().to_owned();
            }
            assert!(Instant::now() < deadline, "no element {css}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types `text` into the element.
    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css, Duration::from_secs(20));
        request(
            "POST",
            &self.url(&format!("/element/{e}/value")),
            Some(&json!({"text": text})),
        );
    }

    /// Clicks the element.
    pub fn click(&self, css: &str) {
        let e = self.find(css, Duration::from_secs(20));
        request(
            "POST",
            &self.url(&format!("/element/{e}/click")),
            Some(&json!({})),
        );
    }

    /// Runs `script` (a function body) with `args`; returns its value.
    pub fn script(&self, script: &str, args: Value) -> Value {
        request(
            "POST",
            &self.url("/execute/sync"),
            Some(&json!({"script": script, "args": args})),
        )
    }

    /// Waits until `script` returns `true`.
    pub fn wait_true(&self, what: &str, script: &str, args: Value, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.script(script, args.clone()) != Value::Bool(true) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG screenshot of the window.
    pub fn screenshot(&self, path: &Path) {
        let v = request("GET", &self.url("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = try_request("DELETE", &self.url(""), None);
    }
}
