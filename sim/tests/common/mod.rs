//! Test helpers: a tiny HTTP/1.1 client over std TcpStream (no protocol code of
//! the project is used to judge the simulator), a scripted login, and an
//! openwechat-shaped client (`openwechat`).
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::{Value, json};
use webwx_sim::{RunningSim, SimConfig};

pub mod openwechat;

/// Read timeout of every request (no test waits out a real long-poll).
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// A raw answer.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// `BaseResponse.Ret`.
    pub fn ret(&self) -> i64 {
        self.json()["BaseResponse"]["Ret"]
            .as_i64()
            .unwrap_or_else(|| panic!("no BaseResponse.Ret: {}", self.text()))
    }
}

/// How a request failed at the transport level.
#[derive(Debug)]
pub enum Failure {
    Io(io::Error),
    /// The body ended before Content-Length.
    Truncated {
        expected: usize,
        got: usize,
    },
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One request on a fresh connection (`Connection: close`).
pub fn raw(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, String)],
    body: &[u8],
    timeout: Duration,
) -> Result<Resp, Failure> {
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(Failure::Io)?;
    s.set_read_timeout(Some(timeout)).map_err(Failure::Io)?;
    s.set_write_timeout(Some(timeout)).map_err(Failure::Io)?;
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    s.write_all(&bytes).map_err(Failure::Io)?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => {
                // A reset after a complete answer is not a failure of the answer.
                if buf.is_empty() {
                    return Err(Failure::Io(e));
                }
                if e.kind() == io::ErrorKind::WouldBlock || e.kind() == io::ErrorKind::TimedOut {
                    return Err(Failure::Io(e));
                }
                break;
            }
        }
    }
    let head_end = find(&buf, b"\r\n\r\n").ok_or_else(|| {
        Failure::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "no header end",
        ))
    })?;
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut rest = buf[head_end + 4..].to_vec();
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut out = Vec::new();
        let mut pos = 0;
        loop {
            let Some(nl) = find(&rest[pos..], b"\r\n") else {
                return Err(Failure::Truncated {
                    expected: 0,
                    got: out.len(),
                });
            };
            let size =
                usize::from_str_radix(String::from_utf8_lossy(&rest[pos..pos + nl]).trim(), 16)
                    .unwrap_or(0);
            pos += nl + 2;
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[pos..(pos + size).min(rest.len())]);
            pos += size + 2;
        }
        rest = out;
    } else if let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        if rest.len() < len {
            return Err(Failure::Truncated {
                expected: len,
                got: rest.len(),
            });
        }
        rest.truncate(len);
    }
    Ok(Resp {
        status,
        headers,
        body: rest,
    })
}

/// A simulator for tests: short holds, no auto-scan.
pub fn sim() -> RunningSim {
    sim_with(|_| {})
}

/// A simulator with changes to the test defaults.
pub fn sim_with(f: impl FnOnce(&mut SimConfig)) -> RunningSim {
    let mut cfg = SimConfig {
        hold_ms: 200,
        scan_delay_ms: 50,
        ..SimConfig::default()
    };
    f(&mut cfg);
    webwx_sim::spawn(cfg).expect("simulator starts")
}

pub fn addr_of(sim: &RunningSim) -> SocketAddr {
    sim.base_url()
        .trim_start_matches("http://")
        .parse()
        .expect("base url is an address")
}

/// GET with extra headers.
pub fn get(sim: &RunningSim, target: &str, headers: &[(&str, String)]) -> Resp {
    raw(addr_of(sim), "GET", target, headers, b"", TIMEOUT)
        .unwrap_or_else(|e| panic!("GET {target}: {e:?}"))
}

/// POST with extra headers.
pub fn post(sim: &RunningSim, target: &str, headers: &[(&str, String)], body: &[u8]) -> Resp {
    raw(addr_of(sim), "POST", target, headers, body, TIMEOUT)
        .unwrap_or_else(|e| panic!("POST {target}: {e:?}"))
}

/// POST JSON to the control API.
pub fn control(sim: &RunningSim, path: &str, body: Value) -> Resp {
    post(
        sim,
        path,
        &[("Content-Type", "application/json".into())],
        body.to_string().as_bytes(),
    )
}

/// The `uuid` of a jslogin answer.
pub fn uuid_of(js: &str) -> String {
    let start = js.find("uuid = \"").expect("uuid in jslogin") + 8;
    let end = js[start..].find('"').unwrap() + start;
    js[start..end].to_string()
}

/// The text of `<tag>` in the XML.
pub fn xml(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let s = body.find(&open)? + open.len();
    let e = body[s..].find(&close)? + s;
    Some(body[s..e].to_string())
}

/// The address form a test speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Plain,
    Relay,
}

/// A logged-in web session, driven by hand.
pub struct Session {
    pub form: Form,
    pub home: String,
    pub uin: u64,
    pub sid: String,
    pub skey: String,
    /// As the XML carries it (URL-encoded once).
    pub pass_ticket: String,
    pub cookies: Vec<(String, String)>,
    pub user_name: String,
    pub nick_name: String,
    pub sync_key: Value,
    pub sync_check_key: Value,
    pub init: Value,
}

/// Splits the `name=value;` head of Set-Cookie lines.
pub fn cookie_pairs(lines: &[&str]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter_map(|l| {
            let head = l.split(';').next()?;
            let (k, v) = head.split_once('=')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

impl Session {
    /// `/HOST` prefix of a class of host in this form.
    pub fn prefix(&self, class: &str) -> String {
        match self.form {
            Form::Plain => String::new(),
            Form::Relay => {
                let row = match self.home.as_str() {
                    "wx2.qq.com" => ("login.wx2.qq.com", "file.wx2.qq.com", "webpush.wx2.qq.com"),
                    "wx8.qq.com" => ("login.wx8.qq.com", "file.wx8.qq.com", "webpush.wx8.qq.com"),
                    "web.wechat.com" => (
                        "login.web.wechat.com",
                        "file.web.wechat.com",
                        "webpush.web.wechat.com",
                    ),
                    "web2.wechat.com" => (
                        "login.web2.wechat.com",
                        "file.web2.wechat.com",
                        "webpush.web2.wechat.com",
                    ),
                    _ => ("login.wx.qq.com", "file.wx.qq.com", "webpush.wx.qq.com"),
                };
                let host = match class {
                    "login" => row.0,
                    "file" => row.1,
                    "push" => row.2,
                    _ => self.home.as_str(),
                };
                format!("/{host}")
            }
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn base_request(&self) -> Value {
        json!({"Uin": self.uin, "Sid": self.sid, "Skey": self.skey, "DeviceID": "e123456789012345"})
    }

    /// POST JSON to a content-host endpoint with the session's cookies.
    pub fn post(&self, sim: &RunningSim, endpoint: &str, query: &str, body: &Value) -> Resp {
        self.post_on(sim, "content", endpoint, query, body)
    }

    pub fn post_on(
        &self,
        sim: &RunningSim,
        class: &str,
        endpoint: &str,
        query: &str,
        body: &Value,
    ) -> Resp {
        let target = format!(
            "{}/cgi-bin/mmwebwx-bin/{endpoint}{}{query}",
            self.prefix(class),
            if query.is_empty() { "" } else { "?" }
        );
        post(
            sim,
            &target,
            &[
                ("Cookie", self.cookie_header()),
                ("Content-Type", "application/json;charset=UTF-8".into()),
            ],
            body.to_string().as_bytes(),
        )
    }

    pub fn get(&self, sim: &RunningSim, class: &str, endpoint: &str, query: &str) -> Resp {
        let target = format!(
            "{}/cgi-bin/mmwebwx-bin/{endpoint}?{query}",
            self.prefix(class)
        );
        get(sim, &target, &[("Cookie", self.cookie_header())])
    }

    /// `synckey=` text of a key.
    pub fn key_text(key: &Value) -> String {
        key["List"]
            .as_array()
            .unwrap()
            .iter()
            .map(|kv| format!("{}_{}", kv["Key"], kv["Val"]))
            .collect::<Vec<_>>()
            .join("|")
    }

    pub fn synccheck_query(&self) -> String {
        format!(
            "r=1&skey={}&sid={}&uin={}&deviceid=e123456789012345&synckey={}&_=2",
            self.skey.replace('@', "%40"),
            self.sid,
            self.uin,
            Self::key_text(&self.sync_check_key).replace('|', "%7C")
        )
    }

    /// One synccheck: `(retcode, selector)`.
    pub fn synccheck(&self, sim: &RunningSim) -> (String, String) {
        let r = self.get(sim, "push", "synccheck", &self.synccheck_query());
        parse_synccheck(&r.text())
    }

    /// One webwxsync; keeps the new keys.
    pub fn sync(&mut self, sim: &RunningSim) -> Value {
        let q = format!(
            "sid={}&skey={}&pass_ticket={}",
            self.sid, self.skey, self.pass_ticket
        );
        let body =
            json!({"BaseRequest": self.base_request(), "SyncKey": self.sync_key, "rr": -12345});
        let r = self.post(sim, "webwxsync", &q, &body);
        let v = r.json();
        if v["BaseResponse"]["Ret"] == 0 {
            self.sync_key = v["SyncKey"].clone();
            self.sync_check_key = v["SyncCheckKey"].clone();
        }
        v
    }

    /// Syncs until ContinueFlag is 0; all AddMsgList entries.
    pub fn drain(&mut self, sim: &RunningSim) -> Vec<Value> {
        let mut all = Vec::new();
        for _ in 0..100 {
            let v = self.sync(sim);
            all.extend(v["AddMsgList"].as_array().cloned().unwrap_or_default());
            if v["ContinueFlag"] == 0 {
                break;
            }
        }
        all
    }

    pub fn pass_query(&self) -> String {
        format!("pass_ticket={}", self.pass_ticket)
    }
}

/// `window.synccheck={retcode:"0",selector:"2"}` -> ("0", "2").
pub fn parse_synccheck(t: &str) -> (String, String) {
    let grab = |k: &str| {
        let s = t
            .find(&format!("{k}:\""))
            .unwrap_or_else(|| panic!("no {k} in {t}"))
            + k.len()
            + 2;
        let e = t[s..].find('"').unwrap() + s;
        t[s..e].to_string()
    };
    (grab("retcode"), grab("selector"))
}

/// Logs in through jslogin, a control scan, the poll, newloginpage and init.
pub fn login(sim: &RunningSim, form: Form) -> Session {
    login_as(sim, form, None)
}

/// Like [`login`], into a prepared account or with `scan_uin`.
pub fn login_as(sim: &RunningSim, form: Form, scan_uin: Option<u64>) -> Session {
    let login_prefix = match form {
        Form::Plain => "",
        Form::Relay => "/login.weixin.qq.com",
    };
    let js = get(
        sim,
        &format!("{login_prefix}/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh_CN"),
        &[],
    )
    .text();
    let uuid = uuid_of(&js);
    let c = sim.control();
    match scan_uin {
        Some(u) => c.scan_as(Some(&uuid), u).expect("scan"),
        None => c.scan(Some(&uuid), true).expect("scan"),
    };
    let poll = get(
        sim,
        &format!("{login_prefix}/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid={uuid}&tip=1&r=-1"),
        &[],
    )
    .text();
    assert!(poll.starts_with("window.code=200;"), "poll: {poll}");
    let start = poll.find("redirect_uri=\"").unwrap() + 14;
    let end = poll[start..].find('"').unwrap() + start;
    let redirect = poll[start..end].to_string();
    let (home, path_q) = match form {
        Form::Plain => {
            let p = redirect
                .strip_prefix(&sim.base_url())
                .expect("own base url");
            ("wx.qq.com".to_string(), p.to_string())
        }
        Form::Relay => {
            let rest = redirect.strip_prefix("https://").expect("https redirect");
            let (host, p) = rest.split_at(rest.find('/').unwrap());
            (host.to_string(), format!("/{host}{p}"))
        }
    };
    let r = get(sim, &format!("{path_q}&fun=new&version=v2"), &[]);
    assert_eq!(r.status, 200, "newloginpage: {}", r.text());
    let body = r.text();
    assert_eq!(xml(&body, "ret").as_deref(), Some("0"), "{body}");
    let cookies = cookie_pairs(&r.headers_all("set-cookie"));
    let mut s = Session {
        form,
        home: if form == Form::Relay {
            home
        } else {
            sim.control()
                .state()
                .accounts
                .iter()
                .find(|a| a.uin.to_string() == xml(&body, "wxuin").unwrap())
                .map(|a| a.home.clone())
                .unwrap()
        },
        uin: xml(&body, "wxuin").unwrap().parse().unwrap(),
        sid: xml(&body, "wxsid").unwrap(),
        skey: xml(&body, "skey").unwrap(),
        pass_ticket: xml(&body, "pass_ticket").unwrap(),
        cookies,
        user_name: String::new(),
        nick_name: String::new(),
        sync_key: Value::Null,
        sync_check_key: Value::Null,
        init: Value::Null,
    };
    let r = s.post(
        sim,
        "webwxinit",
        &format!("r=-1&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request()}),
    );
    let v = r.json();
    assert_eq!(v["BaseResponse"]["Ret"], 0, "init: {}", r.text());
    s.user_name = v["User"]["UserName"].as_str().unwrap().to_string();
    s.nick_name = v["User"]["NickName"].as_str().unwrap().to_string();
    s.sync_key = v["SyncKey"].clone();
    s.sync_check_key = v["SyncKey"].clone();
    s.init = v;
    s
}

/// A keep-alive connection for many requests in a row.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub fn open(sim: &RunningSim) -> Conn {
        let stream = TcpStream::connect(addr_of(sim)).expect("connect");
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    /// How long a read waits for the server (TIMEOUT by default).
    pub fn read_timeout(&self, d: Duration) {
        self.stream.set_read_timeout(Some(d)).unwrap();
    }

    /// Writes a request without waiting for the answer.
    pub fn send(&mut self, method: &str, target: &str, headers: &[(&str, String)], body: &[u8]) {
        let mut req = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.stream.write_all(&bytes).expect("write");
    }

    /// Reads one answer (Content-Length framed).
    pub fn recv(&mut self) -> Resp {
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                let mut lines = head.split("\r\n");
                let status = lines
                    .next()
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect();
                let len = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if self.buf.len() >= end + 4 + len {
                    let body = self.buf[end + 4..end + 4 + len].to_vec();
                    self.buf.drain(..end + 4 + len);
                    return Resp {
                        status,
                        headers,
                        body,
                    };
                }
            }
            let n = self.stream.read(&mut chunk).expect("read");
            assert!(n > 0, "connection closed");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    pub fn request(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Resp {
        self.send(method, target, headers, body);
        self.recv()
    }
}
