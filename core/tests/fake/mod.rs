//! A scripted, in-process fake of the WeChat Web server and a virtual-time driver for
//! `Client`, for the scenarios the simulator must never play (`scenario_scripted.rs` says
//! which): it logs a client in, answers its startup, and holds every synccheck until the
//! client's timeout. Everything else runs against the simulator (`simulated/mod.rs`).

use webwx_core::{Client, Event, Monotonic, Now, Output, RequestId, TransportErrorKind};

pub const UIN: u64 = 176666155;
pub const SID: &str = "5YpLHmVgWwH5LxN1";
pub const SKEY: &str = "@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50";
pub const ME: &str = "@f0c04abe389590b02d91684d99584439";
pub const FRIEND: &str = "@d77f22c1444fcbd7092fa2464899391a";
pub const GROUP: &str = "@@0123456789abcdef0123456789abcdef";
pub const MEMBER: &str = "@aaaabbbbccccdddd";

/// How newloginpage answers.
#[derive(Clone, Debug, PartialEq)]
pub enum LoginPageMode {
    Ok,
    /// 301 with the XML, although the client sent `version=v2`.
    Ok301,
}

pub struct Fake {
    pub content_host: String,
    pub login_page: LoginPageMode,
    /// Every request seen.
    pub requests: Vec<http::Request<Vec<u8>>>,
    /// webwxinit's `InviteStartCount`.
    pub invite_start_count: u64,
}

impl Fake {
    pub fn new(content_host: &str) -> Fake {
        Fake {
            content_host: content_host.to_owned(),
            login_page: LoginPageMode::Ok,
            requests: Vec::new(),
            invite_start_count: 40,
        }
    }

    /// Handles one request. `None` means "hold it" (a synccheck).
    pub fn handle(&mut self, req: &http::Request<Vec<u8>>) -> Option<http::Response<Vec<u8>>> {
        let endpoint = req
            .uri()
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        self.requests.push(req.clone());
        let ok = serde_json::json!({"Ret": 0, "ErrMsg": ""});
        let resp = match endpoint.as_str() {
            "jslogin" => js(r#"window.QRLogin.code = 200; window.QRLogin.uuid = "uuid1==";"#),
            "login" => js(&format!(
                r#"window.code=200;window.redirect_uri="https://{}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=U==&lang=zh_CN&scan=1";"#,
                self.content_host
            )),
            "webwxnewloginpage" => {
                let xml = format!(
                    "<error><ret>0</ret><message></message><skey>{SKEY}</skey><wxsid>{SID}</wxsid><wxuin>{UIN}</wxuin><pass_ticket>kbmy5Jt9nj%2BJz%3D</pass_ticket><isgrayscale>1</isgrayscale></error>"
                );
                let status = match self.login_page {
                    LoginPageMode::Ok => 200,
                    LoginPageMode::Ok301 => 301,
                };
                let domain = &self.content_host;
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
                    .body(xml.into_bytes())
                    .unwrap()
            }
            "webwxinit" => json(serde_json::json!({
                "BaseResponse": ok,
                "Count": 1,
                "ContactList": [contact(FRIEND, "Alice")],
                "SyncKey": {"Count": 1, "List": [{"Key": 1, "Val": 1}]},
                "User": {"Uin": UIN, "UserName": ME, "NickName": "Me"},
                "SKey": SKEY,
                "InviteStartCount": self.invite_start_count,
            })),
            "webwxstatusnotify" => json(serde_json::json!({"BaseResponse": ok, "MsgID": "1"})),
            "webwxgetcontact" => {
                let page = [contact(FRIEND, "Alice"), contact(GROUP, "Team")];
                json(serde_json::json!({
                    "BaseResponse": ok, "MemberCount": 2, "MemberList": page, "Seq": 0
                }))
            }
            "webwxbatchgetcontact" => {
                let mut group = contact(GROUP, "Team");
                group["MemberList"] = serde_json::json!([
                    {"UserName": ME, "NickName": "Me", "DisplayName": "Boss"},
                    {"UserName": MEMBER, "NickName": "Carol", "DisplayName": ""},
                ]);
                group["MemberCount"] = 2.into();
                json(serde_json::json!({"BaseResponse": ok, "Count": 1, "ContactList": [group]}))
            }
            "synccheck" => return None,
            other => panic!("fake: unexpected endpoint {other}"),
        };
        Some(resp)
    }
}

pub fn contact(user_name: &str, nick: &str) -> serde_json::Value {
    serde_json::json!({"Uin": 0, "UserName": user_name, "NickName": nick, "VerifyFlag": 0,
        "Sex": 1, "ContactFlag": 3, "MemberCount": 0, "MemberList": [], "EncryChatRoomId": ""})
}

pub fn js(body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "text/javascript")
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
    /// Held synccheck long-polls, until the client's timeout.
    held: Vec<(RequestId, Monotonic)>,
}

impl Harness {
    pub fn new(client: Client, fake: Fake) -> Harness {
        Harness {
            client,
            fake,
            now: Now::from_millis(1_546_211_298_739),
            events: Vec::new(),
            held: Vec::new(),
        }
    }

    /// Runs until an event matching `pred` appears, or until nothing happens within an
    /// hour of virtual time.
    pub fn run_until_event(&mut self, pred: impl Fn(&Event) -> bool) {
        let start = self.events.len();
        self.run(std::time::Duration::from_secs(3600), |ev| {
            ev[start..].iter().any(&pred)
        });
    }

    /// Runs until only held long-polls are left, without moving time.
    pub fn settle(&mut self) {
        self.run(std::time::Duration::ZERO, |_| false);
    }

    fn run(&mut self, max_virtual: std::time::Duration, stop: impl Fn(&[Event]) -> bool) {
        let deadline = self.now.mono.plus(max_virtual);
        for _ in 0..200_000 {
            if stop(&self.events) {
                return;
            }
            let next_hold = self.held.iter().map(|(_, d)| *d).min();
            match self.client.poll_output() {
                Output::Transmit(t) => match self.fake.handle(&t.request) {
                    None => self.held.push((t.id, self.now.mono.plus(t.timeout))),
                    Some(resp) => self.client.handle_response(self.now, t.id, resp),
                },
                Output::Event(e) => self.events.push(e),
                Output::Timeout(at) => {
                    let next = next_hold.map_or(at, |h| h.min(at));
                    if next > deadline {
                        return;
                    }
                    self.move_to(next);
                    self.client.handle_timeout(self.now);
                }
                Output::Idle => match next_hold {
                    Some(h) if h <= deadline => self.move_to(h),
                    _ => return,
                },
                _ => return,
            }
        }
        panic!("harness: no progress limit reached");
    }

    fn move_to(&mut self, at: Monotonic) {
        self.now = self.now.at_mono(at.max(self.now.mono));
        let now = self.now;
        let (expired, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|(_, d)| *d <= now.mono);
        self.held = keep;
        for (id, _) in expired {
            self.client
                .handle_transport_error(now, id, TransportErrorKind::Timeout);
        }
    }
}
