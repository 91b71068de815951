//! An openwechat-shaped client (eatmoreapple/openwechat, Go), written from reading its
//! `client.go`, `mode.go`, `caller.go`, `bot.go` and `message.go`: the same URLs, query
//! parameters (Go's `url.Values.Encode`: sorted keys, `QueryEscape`), headers, JSON bodies
//! (Go maps with sorted keys, structs in declaration order, `<>&` escaped, a trailing
//! newline), multipart upload form, and a cookie jar keyed to the real `https://HOST` as a
//! Go `net/http/cookiejar` keeps it (openwechat's `Jar` is one, without a public suffix
//! list): cookies set by wx.qq.com with `Domain=wx.qq.com` or `Domain=.qq.com` go to
//! webpush.wx.qq.com and file.wx.qq.com, nothing else does.
//!
//! openwechat has no origin setting; a user points it at `webwx sim` with an
//! `http.RoundTripper` that sends `https://HOST/PATH` to `http://127.0.0.1:PORT/HOST/PATH`
//! (the relay form). The jar still sees the `https://HOST` URL, as here.

use std::time::{SystemTime, UNIX_EPOCH};

use cookie_store::CookieStore;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use url::Url;
use webwx_sim::RunningSim;

use super::{Resp, TIMEOUT, addr_of, raw};

/// openwechat's default User-Agent (`defaultUserAgentHook`).
pub const USER_AGENT: &str = "Mozilla/5.0 (Linux; U; UOS x86_64; zh-cn) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36 UOSBrowser/6.0.1.1001";
/// `uosPatchClientVersion`.
pub const UOS_CLIENT_VERSION: &str = "2.0.0";
/// `uosPatchExtspam` (the value openwechat, ItChat-UOS and wechat4u share since 2022-07).
pub const UOS_EXTSPAM: &str = "Go8FCIkFEokFCggwMDAwMDAwMRAGGvAESySibk50w5Wb3uTl2c2h64jVVrV7gNs06GFlWplHQbY/5FfiO++1yH4ykCyNPWKXmco+wfQzK5R98D3so7rJ5LmGFvBLjGceleySrc3SOf2Pc1gVehzJgODeS0lDL3/I/0S2SSE98YgKleq6Uqx6ndTy9yaL9qFxJL7eiA/R3SEfTaW1SBoSITIu+EEkXff+Pv8NHOk7N57rcGk1w0ZzRrQDkXTOXFN2iHYIzAAZPIOY45Lsh+A4slpgnDiaOvRtlQYCt97nmPLuTipOJ8Qc5pM7ZsOsAPPrCQL7nK0I7aPrFDF0q4ziUUKettzW8MrAaiVfmbD1/VkmLNVqqZVvBCtRblXb5FHmtS8FxnqCzYP4WFvz3T0TcrOqwLX1M/DQvcHaGGw0B0y4bZMs7lVScGBFxMj3vbFi2SRKbKhaitxHfYHAOAa0X7/MSS0RNAjdwoyGHeOepXOKY+h3iHeqCvgOH6LOifdHf/1aaZNwSkGotYnYScW8Yx63LnSwba7+hESrtPa/huRmB9KWvMCKbDThL/nne14hnL277EDCSocPu3rOSYjuB9gKSOdVmWsj9Dxb/iZIe+S6AiG29Esm+/eUacSba0k8wn5HhHg9d4tIcixrxveflc8vi2/wNQGVFNsGO6tB5WF0xf/plngOvQ1/ivGV/C1Qpdhzznh0ExAVJ6dwzNg7qIEBaw+BzTJTUuRcPk92Sn6QDn2Pu3mpONaEumacjW4w6ipPnPw+g2TfywJjeEcpSZaP4Q3YV5HG8D6UjWA4GSkBKculWpdCMadx0usMomsSS/74QgpYqcPkmamB4nVv1JxczYITIqItIKjD35IGKAUwAA==";
/// `jsonContentType`.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// The login appid.
pub const APP_ID: &str = "wx782c26e4c19acffb";
/// `appMessageAppId` of file messages.
pub const APP_MESSAGE_APP_ID: &str = "wxeb7ec651dd0aefa9";
/// Upload chunk size (`chunkSize`, 0.5 MiB).
pub const CHUNK_SIZE: usize = 524_288;

/// `normalMode` or `desktopMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Desktop,
}

/// Go's `url.QueryEscape` keeps only `A-Z a-z 0-9 - _ . ~` and writes a space as `+`.
const QUERY_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `url.Values.Encode()`: keys sorted, every key and value `QueryEscape`d.
pub fn go_query(pairs: &[(&str, String)]) -> String {
    let mut sorted: Vec<&(&str, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, QUERY_ESCAPE)
                    .to_string()
                    .replace("%20", "+"),
                utf8_percent_encode(v, QUERY_ESCAPE)
                    .to_string()
                    .replace("%20", "+")
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A JSON object in the given key order (Go struct order, or sorted for a Go map);
/// values are JSON text already.
pub fn go_obj(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// A JSON string as Go's encoder writes it (`<`, `>`, `&` escaped for HTML).
pub fn go_str(s: &str) -> String {
    Value::from(s)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// What `json.NewEncoder(w).Encode(v)` writes: the object and a newline.
pub fn go_body(obj: String) -> Vec<u8> {
    format!("{obj}\n").into_bytes()
}

pub fn unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}

/// `LoginInfo`, decoded from newloginpage's XML (the pass_ticket as the XML carries it:
/// URL-encoded once).
#[derive(Debug, Clone, Default)]
pub struct LoginInfo {
    pub ret: i64,
    pub message: String,
    pub skey: String,
    pub wxsid: String,
    pub wxuin: u64,
    pub pass_ticket: String,
}

/// The text of `<tag>` in an XML answer.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    super::xml(body, tag)
}

/// One openwechat bot: its HTTP client, cookie jar and `Storage`.
pub struct OpenWechat<'a> {
    sim: &'a RunningSim,
    pub mode: Mode,
    pub jar: CookieStore,
    /// `Client.Domain`, the host of the login redirect (`wx.qq.com`, `wx2.qq.com`, ...).
    pub domain: String,
    pub info: LoginInfo,
    /// `GetRandomDeviceId()`: `e` and 15 digits, fixed per bot.
    pub device_id: String,
    /// `Storage.Response.SyncKey`: init's, then each webwxsync's when its Count > 0.
    pub sync_key: Value,
    /// webwxinit's `User`.
    pub user: Value,
    /// webwxinit's whole answer.
    pub init: Value,
    /// Every Set-Cookie line the jar refused (a Go jar drops them silently).
    pub refused_cookies: Vec<String>,
}

impl<'a> OpenWechat<'a> {
    pub fn new(sim: &'a RunningSim, mode: Mode) -> Self {
        OpenWechat {
            sim,
            mode,
            jar: CookieStore::default(),
            domain: String::new(),
            info: LoginInfo::default(),
            device_id: "e873512684902417".to_string(),
            sync_key: Value::Null,
            user: Value::Null,
            init: Value::Null,
            refused_cookies: Vec::new(),
        }
    }

    /// One request as openwechat's `http.Client` makes it for `url` (an `https://HOST/...`
    /// URL): the jar's cookies for that URL, the User-Agent hook, and the answer's
    /// Set-Cookie lines stored for that URL. Sent in the relay form.
    pub fn request(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Resp {
        let u = Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        let mut target = format!("/{}{}", u.host_str().expect("host"), u.path());
        if let Some(q) = u.query() {
            target.push('?');
            target.push_str(q);
        }
        let mut all: Vec<(&str, String)> = headers.to_vec();
        all.push(("User-Agent", USER_AGENT.to_string()));
        all.push(("Accept-Encoding", "gzip".to_string()));
        let cookies: Vec<String> = self
            .jar
            .get_request_values(&u)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !cookies.is_empty() {
            all.push(("Cookie", cookies.join("; ")));
        }
        let r = raw(addr_of(self.sim), method, &target, &all, body, TIMEOUT)
            .unwrap_or_else(|e| panic!("{method} {url}: {e:?}"));
        for line in r.headers_all("set-cookie") {
            if self.jar.parse(line, &u).is_err() {
                self.refused_cookies.push(line.to_string());
            }
        }
        r
    }

    /// The cookie names the jar would send to `url`.
    pub fn cookie_names_for(&self, url: &str) -> Vec<String> {
        let u = Url::parse(url).expect("url");
        let mut v: Vec<String> = self
            .jar
            .get_request_values(&u)
            .map(|(k, _)| k.to_string())
            .collect();
        v.sort();
        v
    }

    /// The value of cookie `name` the jar would send to `url`.
    pub fn cookie_for(&self, url: &str, name: &str) -> Option<String> {
        let u = Url::parse(url).expect("url");
        self.jar
            .get_request_values(&u)
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    pub fn base_host(&self) -> String {
        format!("https://{}", self.domain)
    }

    pub fn file_host(&self) -> String {
        format!("https://file.{}", self.domain)
    }

    pub fn sync_host(&self) -> String {
        format!("https://webpush.{}", self.domain)
    }

    /// `BaseRequest{Uin int64; Sid, Skey, DeviceID string}`.
    pub fn base_request(&self) -> String {
        go_obj(&[
            ("Uin", self.info.wxuin.to_string()),
            ("Sid", go_str(&self.info.wxsid)),
            ("Skey", go_str(&self.info.skey)),
            ("DeviceID", go_str(&self.device_id)),
        ])
    }

    pub fn user_name(&self) -> String {
        self.user["UserName"].as_str().unwrap_or("").to_string()
    }

    // ------------------------------------------------------------------ login

    /// `BuildGetLoginUUIDRequest`: the uuid, from `uuid = "(.*?)";`.
    pub fn get_login_uuid(&mut self) -> String {
        let redirect = match self.mode {
            Mode::Normal => "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage".to_string(),
            Mode::Desktop => {
                "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?mod=desktop".to_string()
            }
        };
        let q = go_query(&[
            ("redirect_uri", redirect),
            ("appid", APP_ID.to_string()),
            ("fun", "new".to_string()),
            ("lang", "zh_CN".to_string()),
            ("_", unix_ms().to_string()),
        ]);
        let r = self.request(
            "GET",
            &format!("https://login.wx.qq.com/jslogin?{q}"),
            &[],
            b"",
        );
        let text = r.text();
        let start = text.find("uuid = \"").expect("uuid = \"...\"; in jslogin") + 8;
        let end = text[start..].find("\";").expect("closing quote") + start;
        text[start..end].to_string()
    }

    /// `GetLoginQrcode` (sent without the hooks, straight through the http.Client).
    pub fn get_login_qrcode(&mut self, uuid: &str) -> Resp {
        self.request(
            "GET",
            &format!("https://login.weixin.qq.com/qrcode/{uuid}"),
            &[],
            b"",
        )
    }

    /// `CheckLogin`: the poll's body.
    pub fn check_login(&mut self, uuid: &str, tip: &str) -> String {
        let now = unix();
        let q = go_query(&[
            ("r", (now / 1579).to_string()),
            ("_", now.to_string()),
            ("loginicon", "true".to_string()),
            ("uuid", uuid.to_string()),
            ("tip", tip.to_string()),
        ]);
        self.request(
            "GET",
            &format!("https://login.wx.qq.com/cgi-bin/mmwebwx-bin/login?{q}"),
            &[],
            b"",
        )
        .text()
    }

    /// `window.code=(\d+);` of a poll answer.
    pub fn code_of(body: &str) -> String {
        let start = body.find("window.code=").expect("window.code=") + 12;
        body[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    }

    /// `window.redirect_uri="(.*?)"` of a poll answer.
    pub fn redirect_of(body: &str) -> String {
        let start = body.find("window.redirect_uri=\"").expect("redirect_uri") + 21;
        let end = body[start..].find('"').expect("closing quote") + start;
        body[start..end].to_string()
    }

    /// `Caller.GetLoginInfo`: `version=v2` set on the redirect's query (re-encoded the Go
    /// way), the UOS headers in desktop mode, the XML decoded; `Domain` set to its host.
    pub fn get_login_info(&mut self, redirect: &str) -> Result<LoginInfo, LoginInfo> {
        let mut u = Url::parse(redirect).expect("redirect url");
        let mut pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| k != "version")
            .collect();
        pairs.push(("version".into(), "v2".into()));
        let borrowed: Vec<(&str, String)> =
            pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        u.set_query(Some(&go_query(&borrowed)));
        let headers = match self.mode {
            Mode::Normal => vec![],
            Mode::Desktop => vec![
                ("client-version", UOS_CLIENT_VERSION.to_string()),
                ("extspam", UOS_EXTSPAM.to_string()),
            ],
        };
        let r = self.request("GET", u.as_str(), &headers, b"");
        let body = r.text();
        let info = LoginInfo {
            ret: xml_text(&body, "ret")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(-1),
            message: xml_text(&body, "message").unwrap_or_default(),
            skey: xml_text(&body, "skey").unwrap_or_default(),
            wxsid: xml_text(&body, "wxsid").unwrap_or_default(),
            wxuin: xml_text(&body, "wxuin")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            pass_ticket: xml_text(&body, "pass_ticket").unwrap_or_default(),
        };
        if info.ret != 0 {
            return Err(info);
        }
        self.domain = u.host_str().expect("host").to_string();
        self.info = info.clone();
        Ok(info)
    }

    /// `ScanLogin` with the phone played by the control API: jslogin, QR, a poll that sees
    /// the scan (201), the confirm, the poll with the redirect, then `loginFromURL`
    /// (newloginpage, webwxinit, webwxstatusnotify).
    pub fn scan_login(&mut self) -> Result<(), LoginInfo> {
        let uuid = self.get_login_uuid();
        let qr = self.get_login_qrcode(&uuid);
        assert_eq!(qr.status, 200, "qrcode");
        let c = self.sim.control();
        c.scan(Some(&uuid), false).expect("scan");
        let body = self.check_login(&uuid, "0");
        assert_eq!(Self::code_of(&body), "201", "{body}");
        assert!(body.contains("window.userAvatar = '"), "{body}");
        c.scan(Some(&uuid), true).expect("confirm");
        let body = self.check_login(&uuid, "0");
        assert_eq!(Self::code_of(&body), "200", "{body}");
        let redirect = Self::redirect_of(&body);
        self.login_from_url(&redirect)
    }

    /// `Bot.loginFromURL` then `webInit`.
    pub fn login_from_url(&mut self, redirect: &str) -> Result<(), LoginInfo> {
        self.get_login_info(redirect)?;
        self.web_init();
        self.notify_mobile_client();
        Ok(())
    }

    /// `Client.WebInit`: `POST webwxinit?_=<unix>`, only `{"BaseRequest": ..}`: no `r`, no
    /// `pass_ticket`. Keeps User and SyncKey (an older SyncKey survives, `updateSyncKey`).
    pub fn web_init(&mut self) -> Value {
        let v = self.web_init_raw().json();
        assert_eq!(v["BaseResponse"]["Ret"], 0, "webwxinit: {v}");
        self.user = v["User"].clone();
        if self.sync_key.is_null() {
            self.sync_key = v["SyncKey"].clone();
        }
        self.init = v.clone();
        v
    }

    /// The webwxinit request alone.
    pub fn web_init_raw(&mut self) -> Resp {
        let q = go_query(&[("_", unix().to_string())]);
        let url = format!("{}/cgi-bin/mmwebwx-bin/webwxinit?{q}", self.base_host());
        let body = go_body(go_obj(&[("BaseRequest", self.base_request())]));
        self.request(
            "POST",
            &url,
            &[("Content-Type", JSON_CONTENT_TYPE.to_string())],
            &body,
        )
    }

    /// `WebWxStatusNotify` Code 3.
    pub fn notify_mobile_client(&mut self) -> Value {
        let q = go_query(&[
            ("lang", "zh_CN".to_string()),
            ("pass_ticket", self.info.pass_ticket.clone()),
        ]);
        let me = go_str(&self.user_name());
        let body = go_body(go_obj(&[
            ("BaseRequest", self.base_request()),
            ("ClientMsgId", unix().to_string()),
            ("Code", "3".to_string()),
            ("FromUserName", me.clone()),
            ("ToUserName", me),
        ]));
        let url = format!(
            "{}/cgi-bin/mmwebwx-bin/webwxstatusnotify?{q}",
            self.base_host()
        );
        let v = self
            .request(
                "POST",
                &url,
                &[("Content-Type", JSON_CONTENT_TYPE.to_string())],
                &body,
            )
            .json();
        assert_eq!(v["BaseResponse"]["Ret"], 0, "statusnotify: {v}");
        v
    }

    /// `WebWxStatusAsRead` (Code 1): no query at all, BaseRequest's fields repeated at the
    /// top level.
    pub fn status_as_read(&mut self, msg: &Value) -> Value {
        let body = go_body(go_obj(&[
            ("BaseRequest", self.base_request()),
            ("ClientMsgId", unix().to_string()),
            ("Code", "1".to_string()),
            ("DeviceID", go_str(&self.device_id)),
            (
                "FromUserName",
                go_str(msg["ToUserName"].as_str().unwrap_or("")),
            ),
            ("Sid", go_str(&self.info.wxsid)),
            ("Skey", go_str(&self.info.skey)),
            (
                "ToUserName",
                go_str(msg["FromUserName"].as_str().unwrap_or("")),
            ),
            ("Uin", self.info.wxuin.to_string()),
        ]));
        let url = format!("{}/cgi-bin/mmwebwx-bin/webwxstatusnotify", self.base_host());
        self.request(
            "POST",
            &url,
            &[("Content-Type", JSON_CONTENT_TYPE.to_string())],
            &body,
        )
        .json()
    }

    /// `WebWxPushLogin`: `webwxpushloginurl?uin=..` (`&mod=desktop` in desktop mode) on the
    /// content host; the uuid of `{"ret":"0","msg":"all ok","uuid":..}`.
    pub fn push_login(&mut self) -> Value {
        let mut pairs = vec![("uin", self.info.wxuin.to_string())];
        if self.mode == Mode::Desktop {
            pairs.push(("mod", "desktop".to_string()));
        }
        let url = format!(
            "{}/cgi-bin/mmwebwx-bin/webwxpushloginurl?{}",
            self.base_host(),
            go_query(&pairs)
        );
        self.request("GET", &url, &[], b"").json()
    }

    // ------------------------------------------------------------------ contacts

    /// `Caller.WebWxGetContact`: GET pages (`r`, `seq`, `skey`) until Seq is 0 or repeats.
    pub fn get_contacts(&mut self) -> Vec<Value> {
        let mut all = Vec::new();
        let mut reqs: i64 = 0;
        for _ in 0..100 {
            let q = go_query(&[
                ("r", unix_ms().to_string()),
                ("skey", self.info.skey.clone()),
                ("seq", reqs.to_string()),
            ]);
            let url = format!(
                "{}/cgi-bin/mmwebwx-bin/webwxgetcontact?{q}",
                self.base_host()
            );
            let v = self.request("GET", &url, &[], b"").json();
            assert_eq!(v["BaseResponse"]["Ret"], 0, "getcontact: {v}");
            all.extend(v["MemberList"].as_array().cloned().unwrap_or_default());
            let seq = v["Seq"].as_i64().expect("Seq is a number");
            if seq == 0 || seq == reqs {
                break;
            }
            reqs = seq;
        }
        all
    }

    /// `WebWxBatchGetContact` (`Members.Detail`): `{UserName, EncryChatRoomId}` items.
    pub fn batch_get_contact(&mut self, members: &[(&str, &str)]) -> Vec<Value> {
        let q = go_query(&[("type", "ex".to_string()), ("r", unix_ms().to_string())]);
        let list: Vec<String> = members
            .iter()
            .map(|(u, e)| go_obj(&[("UserName", go_str(u)), ("EncryChatRoomId", go_str(e))]))
            .collect();
        let body = go_body(go_obj(&[
            ("BaseRequest", self.base_request()),
            ("Count", members.len().to_string()),
            ("List", format!("[{}]", list.join(","))),
        ]));
        let url = format!(
            "{}/cgi-bin/mmwebwx-bin/webwxbatchgetcontact?{q}",
            self.base_host()
        );
        let v = self
            .request(
                "POST",
                &url,
                &[("Content-Type", JSON_CONTENT_TYPE.to_string())],
                &body,
            )
            .json();
        assert_eq!(v["BaseResponse"]["Ret"], 0, "batchgetcontact: {v}");
        v["ContactList"].as_array().cloned().unwrap_or_default()
    }

    // ------------------------------------------------------------------ sync

    /// `k_v|k_v` of the SyncKey (openwechat sends its SyncKey, not a SyncCheckKey).
    pub fn sync_key_text(&self) -> String {
        self.sync_key["List"]
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|kv| format!("{}_{}", kv["Key"], kv["Val"]))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .unwrap_or_default()
    }

    /// The synccheck request alone: `r`, `skey`, `sid`, `uin`, `deviceid`, `_` (ms),
    /// `synckey` on `webpush.<domain>`.
    pub fn sync_check_raw(&mut self) -> Resp {
        let q = go_query(&[
            ("r", unix_ms().to_string()),
            ("skey", self.info.skey.clone()),
            ("sid", self.info.wxsid.clone()),
            ("uin", self.info.wxuin.to_string()),
            ("deviceid", self.device_id.clone()),
            ("_", unix_ms().to_string()),
            ("synckey", self.sync_key_text()),
        ]);
        let url = format!("{}/cgi-bin/mmwebwx-bin/synccheck?{q}", self.sync_host());
        self.request("GET", &url, &[], b"")
    }

    /// `SyncCheck`: `(RetCode, Selector)` by `window.synccheck=\{retcode:"(\d+)",selector:"(\d+)"\}`.
    pub fn sync_check(&mut self) -> (String, String) {
        let text = self.sync_check_raw().text();
        let digits = |after: &str| -> String {
            let start = text
                .find(after)
                .unwrap_or_else(|| panic!("{after} in {text}"))
                + after.len();
            text[start..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect()
        };
        assert!(
            text.starts_with("window.synccheck={retcode:\""),
            "openwechat's regex needs this exact shape: {text}"
        );
        (digits("retcode:\""), digits("selector:\""))
    }

    /// `WebWxSync`: `sid`, `skey`, `pass_ticket` in the query; `BaseRequest`, `SyncKey`,
    /// `rr` (a string) in the body. Keeps the new SyncKey when its Count > 0.
    pub fn web_wx_sync(&mut self) -> Value {
        let q = go_query(&[
            ("sid", self.info.wxsid.clone()),
            ("skey", self.info.skey.clone()),
            ("pass_ticket", self.info.pass_ticket.clone()),
        ]);
        let body = go_body(go_obj(&[
            ("BaseRequest", self.base_request()),
            ("SyncKey", self.sync_key.to_string()),
            ("rr", go_str(&unix().to_string())),
        ]));
        let url = format!("{}/cgi-bin/mmwebwx-bin/webwxsync?{q}", self.base_host());
        let v = self
            .request(
                "POST",
                &url,
                &[("Content-Type", JSON_CONTENT_TYPE.to_string())],
                &body,
            )
            .json();
        if v["SyncKey"]["Count"].as_u64().unwrap_or(0) > 0 {
            self.sync_key = v["SyncKey"].clone();
        }
        v
    }

    /// The message loop until `pred` matches a new message (or `rounds` synccheck
    /// answers went by): synccheck, and webwxsync on any selector but "0".
    pub fn receive_until(&mut self, rounds: usize, pred: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..rounds {
            let (ret, sel) = self.sync_check();
            assert_eq!(ret, "0", "synccheck retcode");
            if sel == "0" {
                continue;
            }
            let v = self.web_wx_sync();
            assert_eq!(v["BaseResponse"]["Ret"], 0, "webwxsync: {v}");
            if let Some(m) = v["AddMsgList"]
                .as_array()
                .and_then(|l| l.iter().find(|m| pred(m)))
            {
                return m.clone();
            }
        }
        panic!("no matching message in {rounds} synccheck rounds");
    }

    // ------------------------------------------------------------------ send

    /// `NewSendMessage` (struct order; `MediaId` omitted when empty): LocalID and
    /// ClientMsgId the same `UnixNano()/100` text.
    pub fn send_message(
        &self,
        msg_type: u32,
        content: &str,
        to: &str,
        media_id: &str,
        client_msg_id: &str,
    ) -> String {
        let mut fields = vec![
            ("Type", msg_type.to_string()),
            ("Content", go_str(content)),
            ("FromUserName", go_str(&self.user_name())),
            ("ToUserName", go_str(to)),
            ("LocalID", go_str(client_msg_id)),
            ("ClientMsgId", go_str(client_msg_id)),
        ];
        if !media_id.is_empty() {
            fields.push(("MediaId", go_str(media_id)));
        }
        go_obj(&fields)
    }

    /// A fresh `UnixNano()/1e2` id.
    pub fn new_client_msg_id() -> String {
        let ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_nanos();
        (ns / 100).to_string()
    }

    /// `Client.sendMessage`: `{"BaseRequest", "Msg", "Scene": 0}` to `endpoint?query`.
    pub fn post_message(&mut self, endpoint: &str, query: &str, msg: String) -> Value {
        let body = go_body(go_obj(&[
            ("BaseRequest", self.base_request()),
            ("Msg", msg),
            ("Scene", "0".to_string()),
        ]));
        let url = format!(
            "{}/cgi-bin/mmwebwx-bin/{endpoint}?{query}",
            self.base_host()
        );
        self.request(
            "POST",
            &url,
            &[("Content-Type", JSON_CONTENT_TYPE.to_string())],
            &body,
        )
        .json()
    }

    /// A JSON POST to the content host as openwechat makes it (`Content-Type:
    /// application/json; charset=utf-8`); `query` already encoded, `fields` in Go order.
    pub fn post_json(&mut self, endpoint: &str, query: &str, fields: &[(&str, String)]) -> Value {
        let mut url = format!("{}/cgi-bin/mmwebwx-bin/{endpoint}", self.base_host());
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        let body = go_body(go_obj(fields));
        self.request(
            "POST",
            &url,
            &[("Content-Type", JSON_CONTENT_TYPE.to_string())],
            &body,
        )
        .json()
    }

    /// `WebWxSendMsg`: `?lang=zh_CN&pass_ticket=..`, Type 1. The answer.
    pub fn send_text(&mut self, to: &str, text: &str) -> Value {
        let id = Self::new_client_msg_id();
        let msg = self.send_message(1, text, to, "", &id);
        let q = go_query(&[
            ("lang", "zh_CN".to_string()),
            ("pass_ticket", self.info.pass_ticket.clone()),
        ]);
        self.post_message("webwxsendmsg", &q, msg)
    }

    /// `WebWxUploadMediaByChunk`: 512 KiB chunks to `file.<domain>/...?f=json`, the
    /// `webwx_data_ticket` form field taken from the jar's cookies for that URL. The
    /// last chunk's answer.
    pub fn upload(&mut self, bytes: &[u8], filename: &str, content_type: &str, to: &str) -> Value {
        let url = format!(
            "{}/cgi-bin/mmwebwx-bin/webwxuploadmedia?{}",
            self.file_host(),
            go_query(&[("f", "json".to_string())])
        );
        let ticket = self
            .cookie_for(&url, "webwx_data_ticket")
            .expect("ErrWebWxDataTicketNotFound: no webwx_data_ticket cookie for the file host");
        let md5 = webwx_sim::md5_hex(bytes);
        let ext = filename
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let media_type = match ext.as_str() {
            "bmp" | "png" | "jpeg" | "jpg" | "gif" => "pic",
            "mp4" => "video",
            _ => "doc",
        };
        let size = bytes.len();
        let request = go_obj(&[
            ("UploadType", "2".to_string()),
            ("BaseRequest", self.base_request()),
            ("ClientMediaId", (unix() * 10_000).to_string()),
            ("TotalLen", size.to_string()),
            ("StartPos", "0".to_string()),
            ("DataLen", size.to_string()),
            ("MediaType", "4".to_string()),
            ("FromUserName", go_str(&self.user_name())),
            ("ToUserName", go_str(to)),
            ("FileMd5", go_str(&md5)),
        ]);
        let chunks = size.div_ceil(CHUNK_SIZE).max(1);
        // Go ranges over a map: the order of these fields changes from run to run.
        let mut fields: Vec<(&str, String)> = vec![
            ("webwx_data_ticket", ticket),
            ("mediatype", media_type.to_string()),
            ("size", size.to_string()),
            ("id", "WU_FILE_0".to_string()),
            (
                "lastModifiedDate",
                "Fri Dec 04 2026 20:01:11 GMT+0800 (中国标准时间)".to_string(),
            ),
            ("pass_ticket", self.info.pass_ticket.clone()),
            ("type", content_type.to_string()),
            ("name", filename.to_string()),
        ];
        if chunks > 1 {
            fields.push(("chunks", chunks.to_string()));
        }
        let mut last = Value::Null;
        for chunk in 0..chunks {
            let mut f = fields.clone();
            if chunks > 1 {
                f.push(("chunk", chunk.to_string()));
            }
            let data = &bytes[(chunk * CHUNK_SIZE).min(size)..((chunk + 1) * CHUNK_SIZE).min(size)];
            let (ct, body) = go_multipart(&request, &f, filename, data);
            let v = self
                .request("POST", &url, &[("Content-Type", ct)], &body)
                .json();
            assert_eq!(v["BaseResponse"]["Ret"], 0, "chunk {chunk}: {v}");
            last = v;
        }
        assert!(
            last["MediaId"].as_str().is_some_and(|m| !m.is_empty()),
            "upload failed: {last}"
        );
        last
    }

    /// `WebWxSendImageMsg`: upload, then `webwxsendmsgimg?fun=async&f=json&lang&pass_ticket`
    /// with Type 3 and the MediaId.
    pub fn send_image(&mut self, to: &str, bytes: &[u8], filename: &str) -> Value {
        let up = self.upload(bytes, filename, "image/png", to);
        let media_id = up["MediaId"].as_str().unwrap().to_string();
        let id = Self::new_client_msg_id();
        let msg = self.send_message(3, "", to, &media_id, &id);
        let q = go_query(&[
            ("fun", "async".to_string()),
            ("f", "json".to_string()),
            ("lang", "zh_CN".to_string()),
            ("pass_ticket", self.info.pass_ticket.clone()),
        ]);
        self.post_message("webwxsendmsgimg", &q, msg)
    }

    /// `NewFileAppMessage(..).XmlByte()`: Go's `xml.Marshal` of the `appmsg` struct.
    pub fn appmsg_xml(filename: &str, size: usize, attach_id: &str) -> String {
        let ext = filename.rsplit_once('.').map_or("", |(_, e)| e);
        format!(
            "<appmsg appid=\"{APP_MESSAGE_APP_ID}\" sdkver=\"\"><type>6</type><title>{filename}</title><des></des><action></action><content></content><url></url><lowurl></lowurl><extinfo></extinfo><appattach><totallen>{size}</totallen><attachid>{attach_id}</attachid><fileext>{ext}</fileext></appattach></appmsg>"
        )
    }

    /// `WebWxSendFile`: upload, then `webwxsendappmsg?f=json&fun=async&lang=zh_CN` (no
    /// pass_ticket) with Type 6 and the appmsg XML.
    pub fn send_file(&mut self, to: &str, bytes: &[u8], filename: &str) -> Value {
        let up = self.upload(bytes, filename, "text/plain; charset=utf-8", to);
        let media_id = up["MediaId"].as_str().unwrap().to_string();
        let xml = Self::appmsg_xml(filename, bytes.len(), &media_id);
        let id = Self::new_client_msg_id();
        let msg = self.send_message(6, &xml, to, "", &id);
        let q = go_query(&[
            ("fun", "async".to_string()),
            ("f", "json".to_string()),
            ("lang", "zh_CN".to_string()),
        ]);
        self.post_message("webwxsendappmsg", &q, msg)
    }

    /// `Client.Logout`: `GET webwxlogout?redirect=1&skey=..&type=1`.
    pub fn logout(&mut self) -> Resp {
        let q = go_query(&[
            ("redirect", "1".to_string()),
            ("type", "1".to_string()),
            ("skey", self.info.skey.clone()),
        ]);
        let url = format!("{}/cgi-bin/mmwebwx-bin/webwxlogout?{q}", self.base_host());
        self.request("GET", &url, &[], b"")
    }
}

/// Go's `multipart.Writer`: `uploadmediarequest` first, the other fields, then the file
/// part `filename` (`application/octet-stream`). The Content-Type and the body.
pub fn go_multipart(
    upload_request: &str,
    fields: &[(&str, String)],
    filename: &str,
    data: &[u8],
) -> (String, Vec<u8>) {
    // Go draws 30 random bytes and writes them in hex.
    let boundary = "9051914041544fb1d1a3bcdb9b5fe2b7c09cd62e1a0e46b5f2f1ae3f83d7";
    let mut body = Vec::new();
    let mut first = true;
    let mut open = |body: &mut Vec<u8>| {
        if first {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            first = false;
        } else {
            body.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
        }
    };
    let mut all = vec![("uploadmediarequest", upload_request.to_string())];
    all.extend(fields.iter().cloned());
    for (k, v) in &all {
        open(&mut body);
        body.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}").as_bytes(),
        );
    }
    open(&mut body);
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"filename\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
