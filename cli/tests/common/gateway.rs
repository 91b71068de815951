//! Helpers for the `webwx serve` tests: the gateway as a child process, a blocking HTTP
//! client with headers, Server-Sent Events and WebSocket readers on threads, and a
//! webhook receiver that fails its first requests.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{KillOnDrop, webwx};

/// The token the tests give the gateway.
pub const TOKEN: &str = "story-token-0123456789";

/// A `webwx serve` child process.
pub struct Serve {
    /// The process (killed when dropped).
    pub child: KillOnDrop,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Serve {
    /// Starts `webwx serve --listen LISTEN --db sqlite:DB --token TOKEN ARGS` and reads
    /// its first stdout line.
    pub fn start(listen: &str, db: &std::path::Path, args: &[String]) -> Serve {
        Serve::start_db(listen, &format!("sqlite:{}", db.display()), args)
    }

    /// Starts `webwx serve --listen LISTEN --db DB --token TOKEN ARGS` (any `--db` URL).
    pub fn start_db(listen: &str, db: &str, args: &[String]) -> Serve {
        let mut child = webwx()
            .arg("serve")
            .args(["--listen", listen, "--token", TOKEN])
            .arg("--db")
            .arg(db)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn webwx serve");
        let stdout = child.stdout.take().unwrap();
        let guard = KillOnDrop(child);
        let line = super::first_line(stdout, Duration::from_secs(30));
        assert!(
            line.starts_with("webwx serve listening on http://"),
            "{line:?}"
        );
        let base = line.trim().rsplit(' ').next().unwrap().to_owned();
        Serve { child: guard, base }
    }

    /// `kill -9`.
    pub fn kill9(mut self) {
        let _ = self.child.0.kill();
        let _ = self.child.0.wait();
    }

    /// Sends it a signal (`TERM`, `STOP`, `CONT`, ...).
    pub fn signal(&self, name: &str) {
        let ok = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.0.id().to_string())
            .status()
            .expect("run kill");
        assert!(ok.success(), "kill -{name}");
    }

    /// Waits (at most `limit`) for it to exit; its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.0.try_wait() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the gateway did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.base.rsplit(':').next().unwrap().parse().unwrap()
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Header block (lower-cased names).
    pub head: String,
    /// Body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request (Connection: close) with the bearer token and `headers`.
pub fn call(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        && !body.is_empty()
    {
        req.push_str("Content-Type: application/json\r\n");
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply { status, head, body }
}

/// Decodes a chunked body given as text.
pub fn dechunk_text(s: &str) -> String {
    String::from_utf8_lossy(&dechunk(s.as_bytes())).into_owned()
}

fn dechunk(mut s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = s.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(String::from_utf8_lossy(&s[..i]).trim(), 16).unwrap_or(0);
        if n == 0 || s.len() < i + 2 + n {
            break;
        }
        out.extend_from_slice(&s[i + 2..i + 2 + n]);
        s = &s[(i + 4 + n).min(s.len())..];
    }
    out
}

/// GET as JSON (status 200 expected).
pub fn get_json(base: &str, path: &str) -> Value {
    let r = call(base, "GET", path, &[], b"");
    assert_eq!(r.status, 200, "GET {path}: {}", r.text());
    r.json()
}

/// POST JSON.
pub fn post_json(base: &str, path: &str, body: &Value, headers: &[(&str, &str)]) -> Reply {
    call(base, "POST", path, headers, body.to_string().as_bytes())
}

/// Polls `f` every 50 ms until it returns `Some`, failing after `limit`.
pub fn wait_for<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A reader of `/v1/events` (SSE) or `/v1/events/ws` on its own thread: every event
/// object arrives on `events`; `stop` closes the connection.
pub struct Reader {
    /// The events, in the order they came.
    pub events: mpsc::Receiver<Value>,
    socket: TcpStream,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Reader {
    /// Server-Sent Events from `after` (HTTP/1.0: the body ends with the connection).
    pub fn sse(base: &str, after: u64) -> Reader {
        let authority = base.trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&authority).expect("connect");
        write!(
            stream,
            "GET /v1/events?after={after} HTTP/1.0\r\nHost: {authority}\r\nAuthorization: Bearer {TOKEN}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let socket = stream.try_clone().unwrap();
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let mut lines = BufReader::new(stream);
            let mut line = String::new();
            let mut head = true;
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                let l = line.trim_end().to_owned();
                line.clear();
                if head {
                    if l.is_empty() {
                        head = false;
                    } else if l.starts_with("HTTP/") {
                        assert!(l.contains(" 200 "), "SSE answered {l}");
                    }
                    continue;
                }
                if let Some(data) = l.strip_prefix("data: ") {
                    let v: Value = serde_json::from_str(data).expect("an event object");
                    if tx.send(v).is_err() {
                        break;
                    }
                }
            }
        });
        Reader {
            events: rx,
            socket,
            thread: Some(thread),
        }
    }

    /// The WebSocket from `after`.
    pub fn ws(base: &str, after: u64) -> Reader {
        let authority = base.trim_start_matches("http://").to_owned();
        let stream = TcpStream::connect(&authority).expect("connect");
        let socket = stream.try_clone().unwrap();
        let url = format!("ws://{authority}/v1/events/ws?after={after}");
        let mut request = tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
        let (mut ws, _) =
            tungstenite::client::client(request, stream).expect("WebSocket handshake");
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            while let Ok(m) = ws.read() {
                if let tungstenite::Message::Text(t) = m {
                    let v: Value = serde_json::from_str(t.as_str()).expect("an event object");
                    if tx.send(v).is_err() {
                        break;
                    }
                }
            }
        });
        Reader {
            events: rx,
            socket,
            thread: Some(thread),
        }
    }

    /// Takes events until `done` says so (with everything taken so far), failing after
    /// `limit`.
    pub fn take_until(
        &self,
        got: &mut Vec<Value>,
        limit: Duration,
        done: impl Fn(&[Value]) -> bool,
    ) {
        let deadline = Instant::now() + limit;
        while !done(got) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .events
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(v) => got.push(v),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    assert!(
                        Instant::now() < deadline,
                        "timed out; {} events so far",
                        got.len()
                    )
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    panic!("the stream ended; {} events so far", got.len())
                }
            }
        }
    }

    /// Closes the connection and takes what was already read.
    pub fn stop(mut self, got: &mut Vec<Value>) {
        let _ = self.socket.shutdown(Shutdown::Both);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        while let Ok(v) = self.events.try_recv() {
            got.push(v);
        }
    }
}

/// One delivery the receiver answered 2xx.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// `X-Webwx-Seq`.
    pub seq: u64,
    /// The body.
    pub event: Value,
}

/// A webhook receiver: answers 500 to its first `fail_first` requests, then 200; a
/// `message` event whose text is `please reply` gets `{"reply": "auto reply"}`.
pub struct Hook {
    /// `http://127.0.0.1:PORT/hook`.
    pub url: String,
    /// Every delivery answered 2xx, in arrival order.
    pub delivered: Arc<Mutex<Vec<Delivery>>>,
    /// Requests answered 500.
    pub failed: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Hook {
    /// Listens on 127.0.0.1.
    pub fn start(fail_first: usize) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let delivered = Arc::new(Mutex::new(Vec::new()));
        let failed = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (d, f, s) = (delivered.clone(), failed.clone(), stop.clone());
        let budget = Arc::new(AtomicUsize::new(fail_first));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (d, f, budget) = (d.clone(), f.clone(), budget.clone());
                std::thread::spawn(move || serve_hook(conn, &d, &f, &budget));
            }
        });
        Hook {
            url,
            delivered,
            failed,
            stop,
        }
    }

    /// The deliveries so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.delivered.lock().unwrap().clone()
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(
            self.url
                .trim_start_matches("http://")
                .trim_end_matches("/hook"),
        );
    }
}

/// Serves one keep-alive connection of the gateway's webhook client.
fn serve_hook(
    conn: TcpStream,
    delivered: &Mutex<Vec<Delivery>>,
    failed: &AtomicUsize,
    budget: &AtomicUsize,
) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut out = conn;
    loop {
        let mut headers = HashMap::new();
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let l = line.trim_end();
            if l.is_empty() {
                if first {
                    continue;
                }
                break;
            }
            if !first && let Some((k, v)) = l.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
            first = false;
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let fail = budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        let (status, answer) = if fail {
            failed.fetch_add(1, Ordering::SeqCst);
            ("500 Internal Server Error", String::from("{}"))
        } else {
            let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let seq = headers
                .get("x-webwx-seq")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            assert_eq!(event["seq"], seq, "X-Webwx-Seq is the event's seq");
            let reply = event["event"] == "message" && event["kind"]["text"] == "please reply";
            delivered.lock().unwrap().push(Delivery { seq, event });
            let answer = if reply {
                r#"{"reply":"auto reply"}"#
            } else {
                "{}"
            };
            ("200 OK", answer.to_owned())
        };
        let resp = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if out.write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}

/// The texts of incoming `message` events per account, in the order of `events`; only
/// texts starting with `prefix` ("" for all).
pub fn incoming_texts(events: &[Value], prefix: &str) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in events {
        if e["event"] == "message"
            && e["outgoing"] == false
            && let Some(t) = e["kind"]["text"].as_str()
            && t.starts_with(prefix)
        {
            m.entry(e["account"].as_str().unwrap().to_owned())
                .or_default()
                .push(t.to_owned());
        }
    }
    m
}

/// The uin of the simulator's account `user` in `/_sim/state`'s answer.
pub fn sim_uin(state: &Value, user: &str) -> u64 {
    state["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["user_name"] == user)
        .unwrap()["uin"]
        .as_u64()
        .unwrap()
}

/// `POST /v1/accounts` with `name` on the gateway at `base`: the new account's id.
pub fn create_account(base: &str, name: &str) -> String {
    let r = post_json(
        base,
        "/v1/accounts",
        &serde_json::json!({ "name": name }),
        &[],
    );
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}
