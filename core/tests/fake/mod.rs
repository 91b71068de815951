//! A scripted, in-process fake of the WeChat Web server and a virtual-time driver for
//! `Client`: deterministic scenario tests with no sockets and no real waiting.
#![allow(dead_code)]

use std::collections::VecDeque;
use webwx_core::{Client, Event, Monotonic, Now, Output, RequestId, TransportErrorKind};

pub const UIN: u64 = 176666155;
pub const SID: &str = "5YpLHmVgWwH5LxN1";
pub const SKEY: &str = "@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50";
pub const ME: &str = "@f0c04abe389590b02d91684d99584439";
pub const FRIEND: &str = "@d77f22c1444fcbd7092fa2464899391a";
pub const GROUP: &str = "@@0123456789abcdef0123456789abcdef";
pub const MEMBER: &str = "@aaaabbbbccccdddd";

/// What the fake does with the next matching request, before handling it.
#[derive(Clone, Debug)]
pub enum Fault {
    /// The connection breaks (nothing reaches the server).
    Reset,
    /// The server answers this status with an empty body.
    Status(u16),
    /// The server answers 200 with garbage.
    Garbage,
    /// The server handles the request, but the answer is lost on the way back.
    LoseAnswer,
    /// The server answers this BaseResponse.Ret / synccheck retcode.
    Ret(i64),
}

/// How newloginpage answers.
#[derive(Clone, Debug, PartialEq)]
pub enum LoginPageMode {
    Ok,
    Ok301,
    Refuse1203,
}

pub struct Fake {
    pub content_host: String,
    /// Answers of the login poll, in order; when empty: 408.
    pub poll_script: VecDeque<u16>,
    pub login_page: LoginPageMode,
    uuids: u32,
    /// Messages in server order: (seq, raw JSON).
    pub log: Vec<(u64, serde_json::Value)>,
    /// Contact changes queued for the next sync.
    pub mod_contacts: Vec<serde_json::Value>,
    pub del_contacts: Vec<String>,
    /// Page size of webwxsync.
    pub sync_page: usize,
    pub faults: Vec<(String, Fault)>,
    /// When set, every synccheck answers this retcode.
    pub synccheck_retcode: Option<i64>,
    pub session_valid: bool,
    pub push_login_ok: bool,
    /// Every request seen: (host, path-endpoint).
    pub seen: Vec<(String, String)>,
    pub requests: Vec<http::Request<Vec<u8>>>,
    pub contacts_pages: Vec<Vec<serde_json::Value>>,
    /// webwxinit's `InviteStartCount`.
    pub invite_start_count: u64,
}

impl Fake {
    pub fn new(content_host: &str) -> Fake {
        Fake {
            content_host: content_host.to_owned(),
            poll_script: VecDeque::from([201, 200]),
            login_page: LoginPageMode::Ok,
            uuids: 0,
            log: Vec::new(),
            mod_contacts: Vec::new(),
            del_contacts: Vec::new(),
            sync_page: 50,
            faults: Vec::new(),
            synccheck_retcode: None,
            session_valid: true,
            push_login_ok: true,
            seen: Vec::new(),
            requests: Vec::new(),
            invite_start_count: 40,
            contacts_pages: vec![
                vec![
                    contact(FRIEND, "Alice", 0),
                    contact("@officialacct", "News", 24),
                    contact("filehelper", "文件传输助手", 0),
                ],
                vec![contact(GROUP, "Team", 0), contact("@bob", "Bob", 0)],
            ],
        }
    }

    /// Queues a text message from `from` (a group text when `from` is a group).
    pub fn push_text(&mut self, from: &str, text: &str) -> u64 {
        let seq = self.log.len() as u64 + 1;
        let content = if from.starts_with("@@") {
            format!("{MEMBER}:<br/>{text}")
        } else {
            text.to_owned()
        };
        self.log.push((
            seq,
            serde_json::json!({
                "MsgId": format!("{}", 1_000_000 + seq),
                "FromUserName": from,
                "ToUserName": ME,
                "MsgType": 1,
                "Content": content,
                "CreateTime": 1_546_215_540u64 + seq,
                "NewMsgId": 1_000_000 + seq,
            }),
        ));
        seq
    }

    fn fault_for(&mut self, endpoint: &str) -> Option<Fault> {
        let i = self.faults.iter().position(|(e, _)| e == endpoint)?;
        Some(self.faults.remove(i).1)
    }

    fn pending_after(&self, key1: u64) -> usize {
        self.log.iter().filter(|(s, _)| *s > key1).count()
    }

    fn sync_key(&self, key1: u64) -> serde_json::Value {
        serde_json::json!({"Count": 2, "List": [{"Key": 1, "Val": key1}, {"Key": 2, "Val": 700}]})
    }

    /// Handles one request. `None` means "hold it" (a long-poll with nothing to say).
    pub fn handle(
        &mut self,
        req: &http::Request<Vec<u8>>,
    ) -> Option<Result<http::Response<Vec<u8>>, Fault>> {
        let host = req.uri().host().unwrap_or_default().to_owned();
        let endpoint = req
            .uri()
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        self.seen.push((host.clone(), endpoint.clone()));
        self.requests.push(req.clone());
        if let Some(f) = self.fault_for(&endpoint) {
            match f {
                Fault::LoseAnswer => {
                    let _ = self.answer(req, &host, &endpoint);
                    return Some(Err(Fault::LoseAnswer));
                }
                Fault::Ret(code) if endpoint == "synccheck" => {
                    return Some(Ok(js(&format!(
                        r#"window.synccheck={{retcode:"{code}",selector:"0"}}"#
                    ))));
                }
                Fault::Ret(code) if endpoint == "webwxnewloginpage" => {
                    return Some(Ok(text(
                        200,
                        &format!("<error><ret>{code}</ret><message></message></error>"),
                    )));
                }
                Fault::Ret(code) => {
                    return Some(Ok(json(
                        serde_json::json!({"BaseResponse": {"Ret": code, "ErrMsg": ""}}),
                    )));
                }
                f => return Some(Err(f)),
            }
        }
        self.answer(req, &host, &endpoint)
    }

    fn query(req: &http::Request<Vec<u8>>, name: &str) -> Option<String> {
        req.uri().query()?.split('&').find_map(|p| {
            let (k, v) = p.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }

    fn cookie_ok(&self, req: &http::Request<Vec<u8>>) -> bool {
        req.headers()
            .get("cookie")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| {
                c.contains(&format!("wxsid={SID}")) && c.contains(&format!("wxuin={UIN}"))
            })
    }

    fn answer(
        &mut self,
        req: &http::Request<Vec<u8>>,
        host: &str,
        endpoint: &str,
    ) -> Option<Result<http::Response<Vec<u8>>, Fault>> {
        let login_host = webwx_core::Hosts::for_content_host(&self.content_host).login;
        let resp = match endpoint {
            "jslogin" => {
                self.uuids += 1;
                js(&format!(
                    r#"window.QRLogin.code = 200; window.QRLogin.uuid = "uuid{}==";"#,
                    self.uuids
                ))
            }
            "login" => match self.poll_script.pop_front() {
                None => return None, // hold
                Some(200) => js(&format!(
                    r#"window.code=200;window.redirect_uri="https://{}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=U==&lang=zh_CN&scan=1";"#,
                    self.content_host
                )),
                Some(201) => {
                    js("window.code=201;window.userAvatar = 'data:img/jpg;base64,/9j/4AAQ';")
                }
                Some(code) => js(&format!("window.code={code};")),
            },
            "webwxnewloginpage" => {
                let xml = format!(
                    "<error><ret>0</ret><message></message><skey>{SKEY}</skey><wxsid>{SID}</wxsid><wxuin>{UIN}</wxuin><pass_ticket>kbmy5Jt9nj%2BJz%3D</pass_ticket><isgrayscale>1</isgrayscale></error>"
                );
                let status = match self.login_page {
                    LoginPageMode::Ok => 200,
                    LoginPageMode::Ok301 => 301,
                    LoginPageMode::Refuse1203 => {
                        return Some(Ok(text(
                            200,
                            "<error><ret>1203</ret><message>当前登录环境异常。</message></error>",
                        )));
                    }
                };
                self.session_valid = true;
                let domain = self.content_host.clone();
                http::Response::builder()
                    .status(status)
                    .header(
                        "set-cookie",
                        format!("wxuin={UIN}; Domain={domain}; Path=/; Secure"),
                    )
                    .header(
                        "set-cookie",
                        format!("wxsid={SID}; Domain={domain}; Path=/; Secure"),
                    )
                    .header(
                        "set-cookie",
                        "webwx_data_ticket=DATATICKET; Domain=.qq.com; Path=/; Secure",
                    )
                    .body(xml.into_bytes())
                    .unwrap()
            }
            "webwxpushloginurl" => {
                if self.push_login_ok {
                    self.uuids += 1;
                    json(
                        serde_json::json!({"ret": "0", "msg": "all ok", "uuid": format!("push{}==", self.uuids)}),
                    )
                } else {
                    json(serde_json::json!({"ret": "1", "msg": "not allowed"}))
                }
            }
            _ if !self.session_valid => {
                if endpoint == "synccheck" {
                    js(r#"window.synccheck={retcode:"1101",selector:"0"}"#)
                } else {
                    json(serde_json::json!({"BaseResponse": {"Ret": 1101, "ErrMsg": ""}}))
                }
            }
            "webwxinit" => json(serde_json::json!({
                "BaseResponse": {"Ret": 0, "ErrMsg": ""},
                "Count": 1,
                "ContactList": [contact(FRIEND, "Alice", 0)],
                "SyncKey": self.sync_key(0),
                "User": {"Uin": UIN, "UserName": ME, "NickName": "Me"},
                "SKey": SKEY,
                "InviteStartCount": self.invite_start_count,
            })),
            "webwxstatusnotify" => {
                json(serde_json::json!({"BaseResponse": {"Ret": 0, "ErrMsg": ""}, "MsgID": "1"}))
            }
            "webwxgetcontact" => {
                let seq: usize = Self::query(req, "seq")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let page = self.contacts_pages.get(seq).cloned().unwrap_or_default();
                let next = if seq + 1 < self.contacts_pages.len() {
                    seq + 1
                } else {
                    0
                };
                json(serde_json::json!({
                    "BaseResponse": {"Ret": 0, "ErrMsg": ""},
                    "MemberCount": page.len(), "MemberList": page, "Seq": next
                }))
            }
            "webwxbatchgetcontact" => {
                let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
                let list: Vec<serde_json::Value> = body["List"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| {
                        let name = i["UserName"].as_str().unwrap();
                        let mut c = contact(name, "Team", 0);
                        c["MemberList"] = serde_json::json!([
                            {"UserName": ME, "NickName": "Me", "DisplayName": "Boss"},
                            {"UserName": MEMBER, "NickName": "Carol", "DisplayName": ""},
                        ]);
                        c["MemberCount"] = 2.into();
                        c
                    })
                    .collect();
                json(
                    serde_json::json!({"BaseResponse": {"Ret": 0, "ErrMsg": ""}, "Count": list.len(), "ContactList": list}),
                )
            }
            "synccheck" => {
                assert!(self.cookie_ok(req), "synccheck without session cookies");
                if let Some(code) = self.synccheck_retcode {
                    return Some(Ok(js(&format!(
                        r#"window.synccheck={{retcode:"{code}",selector:"0"}}"#
                    ))));
                }
                let key = Self::query(req, "synckey").unwrap_or_default();
                let key1: u64 = key
                    .split("%7C")
                    .find_map(|p| p.strip_prefix("1_"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let contacts_pending =
                    !self.mod_contacts.is_empty() || !self.del_contacts.is_empty();
                if self.pending_after(key1) > 0 {
                    js(r#"window.synccheck={retcode:"0",selector:"2"}"#)
                } else if contacts_pending {
                    js(r#"window.synccheck={retcode:"0",selector:"4"}"#)
                } else {
                    return None; // hold
                }
            }
            "webwxsync" => {
                let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
                assert_eq!(body["BaseRequest"]["Sid"], SID);
                let key1 = body["SyncKey"]["List"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["Key"] == 1)
                    .and_then(|p| p["Val"].as_u64())
                    .unwrap_or(0);
                let batch: Vec<(u64, serde_json::Value)> = self
                    .log
                    .iter()
                    .filter(|(s, _)| *s > key1)
                    .take(self.sync_page)
                    .cloned()
                    .collect();
                let new_key = batch.last().map(|(s, _)| *s).unwrap_or(key1);
                let more = self.pending_after(new_key) > 0;
                let mods = std::mem::take(&mut self.mod_contacts);
                let dels: Vec<serde_json::Value> = std::mem::take(&mut self.del_contacts)
                    .into_iter()
                    .map(|u| serde_json::json!({"UserName": u, "ContactFlag": 0}))
                    .collect();
                json(serde_json::json!({
                    "BaseResponse": {"Ret": 0, "ErrMsg": ""},
                    "AddMsgCount": batch.len(),
                    "AddMsgList": batch.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>(),
                    "ModContactCount": mods.len(), "ModContactList": mods,
                    "DelContactCount": dels.len(), "DelContactList": dels,
                    "ModChatRoomMemberCount": 0, "ModChatRoomMemberList": [],
                    "Profile": {"BitFlag": 0},
                    "ContinueFlag": if more { 1 } else { 0 },
                    "SyncKey": self.sync_key(new_key),
                    "SyncCheckKey": self.sync_key(new_key),
                    "SKey": "",
                }))
            }
            "webwxlogout" => {
                self.session_valid = false;
                text(301, "")
            }
            other => {
                panic!("fake: unexpected endpoint {other} on {host} (login host {login_host})")
            }
        };
        Some(Ok(resp))
    }
}

pub fn contact(user_name: &str, nick: &str, verify: u64) -> serde_json::Value {
    serde_json::json!({"Uin": 0, "UserName": user_name, "NickName": nick, "VerifyFlag": verify,
        "Sex": 1, "ContactFlag": 3, "MemberCount": 0, "MemberList": [], "EncryChatRoomId": ""})
}

pub fn js(body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "text/javascript")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

pub fn text(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

pub fn json(v: serde_json::Value) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "text/plain")
        .body(serde_json::to_vec(&v).unwrap())
        .unwrap()
}

/// Drives a `Client` against a `Fake` in virtual time.
pub struct Harness {
    pub client: Client,
    pub fake: Fake,
    pub now: Now,
    pub events: Vec<Event>,
    /// Held long-polls: answered when the fake has something to say.
    held: Vec<(RequestId, http::Request<Vec<u8>>, Monotonic)>,
    pub done: bool,
}

impl Harness {
    pub fn new(client: Client, fake: Fake) -> Harness {
        Harness {
            client,
            fake,
            now: Now::from_millis(1_546_211_298_739),
            events: Vec::new(),
            held: Vec::new(),
            done: false,
        }
    }

    /// Runs until nothing happens without advancing time past `max_idle` of virtual time,
    /// or until `stop` is true for the events so far.
    pub fn run_until(
        &mut self,
        max_virtual: std::time::Duration,
        mut stop: impl FnMut(&[Event]) -> bool,
    ) {
        let deadline = self.now.mono.plus(max_virtual);
        for _ in 0..200_000 {
            if stop(&self.events) || self.done {
                return;
            }
            match self.client.poll_output() {
                Output::Transmit(t) => {
                    let timeout_at = self.now.mono.plus(t.timeout);
                    match self.fake.handle(&t.request) {
                        None => self.held.push((t.id, t.request, timeout_at)),
                        Some(Ok(resp)) => self.client.handle_response(self.now, t.id, resp),
                        Some(Err(Fault::Reset)) | Some(Err(Fault::LoseAnswer)) => self
                            .client
                            .handle_transport_error(self.now, t.id, TransportErrorKind::Reset),
                        Some(Err(Fault::Status(s))) => {
                            self.client.handle_response(self.now, t.id, text(s, ""))
                        }
                        Some(Err(Fault::Garbage)) => self.client.handle_response(
                            self.now,
                            t.id,
                            text(200, "\u{0}garbage{{{"),
                        ),
                        Some(Err(Fault::Ret(_))) => unreachable!(),
                    }
                }
                Output::Event(e) => self.events.push(e),
                Output::Timeout(_) | Output::Idle if self.retry_held() => {}
                Output::Timeout(at) => {
                    let next = self.next_hold_deadline().map_or(at, |h| h.min(at));
                    if next > deadline {
                        return;
                    }
                    self.now = self.now.at_mono(next.max(self.now.mono));
                    self.expire_held();
                    self.client.handle_timeout(self.now);
                }
                Output::Idle => match self.next_hold_deadline() {
                    Some(h) if h <= deadline => {
                        self.now = self.now.at_mono(h);
                        self.expire_held();
                    }
                    _ => return,
                },
                Output::Done => {
                    self.done = true;
                    return;
                }
                _ => {}
            }
        }
        panic!("harness: no progress limit reached");
    }

    /// Runs until an event matching `pred` appears (or nothing more happens).
    pub fn run_until_event(&mut self, pred: impl Fn(&Event) -> bool) {
        let start = self.events.len();
        self.run_until(std::time::Duration::from_secs(3600), |ev| {
            ev[start..].iter().any(&pred)
        });
    }

    /// Runs until idle (only held long-polls left) within an hour of virtual time.
    pub fn settle(&mut self) {
        self.run_until(std::time::Duration::from_secs(0), |_| false);
    }

    /// Re-offers held long-polls to the fake; true if one was answered.
    fn retry_held(&mut self) -> bool {
        let held = std::mem::take(&mut self.held);
        let mut answered = false;
        for (id, req, deadline) in held {
            if answered {
                self.held.push((id, req, deadline));
                continue;
            }
            // Re-offering is not a new request: do not record it twice.
            let seen = self.fake.seen.len();
            let reqs = self.fake.requests.len();
            let r = self.fake.handle(&req);
            self.fake.seen.truncate(seen);
            self.fake.requests.truncate(reqs);
            match r {
                None => self.held.push((id, req, deadline)),
                Some(Ok(resp)) => {
                    self.client.handle_response(self.now, id, resp);
                    answered = true;
                }
                Some(Err(_)) => {
                    self.client
                        .handle_transport_error(self.now, id, TransportErrorKind::Reset);
                    answered = true;
                }
            }
        }
        answered
    }

    fn next_hold_deadline(&self) -> Option<Monotonic> {
        self.held.iter().map(|(_, _, d)| *d).min()
    }

    fn expire_held(&mut self) {
        let now = self.now;
        let (expired, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|(_, _, d)| *d <= now.mono);
        self.held = keep;
        for (id, _, _) in expired {
            self.client
                .handle_transport_error(now, id, TransportErrorKind::Timeout);
        }
    }

    pub fn count(&self, pred: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().filter(|e| pred(e)).count()
    }

    /// The login-related events so far, by short name, in order.
    pub fn login_steps(&self) -> Vec<&'static str> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::QrCode { .. } => Some("qr"),
                Event::Scanned { .. } => Some("scanned"),
                Event::QrCancelled => Some("cancelled"),
                Event::ResumeFailed { .. } => Some("resume_failed"),
                Event::PushLoginSent => Some("push"),
                Event::LoggedIn { .. } => Some("in"),
                Event::LoggedOut { .. } => Some("logged_out"),
                _ => None,
            })
            .collect()
    }

    pub fn texts(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Message(m) => match &m.kind {
                    webwx_core::message::MessageKind::Text { text } => Some(text.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }
}
