//! `webwxnewloginpage`: trades the login redirect for credentials.
//!
//! `GET <redirect_uri>&fun=new&version=v2[&mod=desktop]` answers
//! `<error><ret>0</ret><message></message><skey>..</skey><wxsid>..</wxsid><wxuin>..</wxuin>
//! <pass_ticket>..</pass_ticket><isgrayscale>1</isgrayscale></error>` with the session
//! cookies, or `<ret>1203</ret><message>..</message>` when the account may not use web
//! WeChat. Without `version=v2` the real server answered **301 with no Location** and the
//! XML as body: the core never follows redirects and parses the body whatever the status.
//!
//! The desktop (UOS) variant adds `mod=desktop` and the `client-version`, `extspam` and
//! `referer` headers of the UOS shell (exactly as ItChat-UOS, wechat4u, puppet-wechat and
//! openwechat send them).

use super::ctx::LoginCtx;
use super::request::get;
use crate::error::{ParseError, ParseErrorKind, ResponseError, Ret, WxError};
use crate::session::Credentials;
use http::{Request, Response};
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxnewloginpage";

/// The UOS shell's `client-version` header.
pub const UOS_CLIENT_VERSION: &str = "2.0.0";

/// The UOS shell's `extspam` header (the value in use since 2022-07).
pub const UOS_EXTSPAM: &str = "Go8FCIkFEokFCggwMDAwMDAwMRAGGvAESySibk50w5Wb3uTl2c2h64jVVrV7gNs06GFlWplHQbY/5FfiO++1yH4ykCyNPWKXmco+wfQzK5R98D3so7rJ5LmGFvBLjGceleySrc3SOf2Pc1gVehzJgODeS0lDL3/I/0S2SSE98YgKleq6Uqx6ndTy9yaL9qFxJL7eiA/R3SEfTaW1SBoSITIu+EEkXff+Pv8NHOk7N57rcGk1w0ZzRrQDkXTOXFN2iHYIzAAZPIOY45Lsh+A4slpgnDiaOvRtlQYCt97nmPLuTipOJ8Qc5pM7ZsOsAPPrCQL7nK0I7aPrFDF0q4ziUUKettzW8MrAaiVfmbD1/VkmLNVqqZVvBCtRblXb5FHmtS8FxnqCzYP4WFvz3T0TcrOqwLX1M/DQvcHaGGw0B0y4bZMs7lVScGBFxMj3vbFi2SRKbKhaitxHfYHAOAa0X7/MSS0RNAjdwoyGHeOepXOKY+h3iHeqCvgOH6LOifdHf/1aaZNwSkGotYnYScW8Yx63LnSwba7+hESrtPa/huRmB9KWvMCKbDThL/nne14hnL277EDCSocPu3rOSYjuB9gKSOdVmWsj9Dxb/iZIe+S6AiG29Esm+/eUacSba0k8wn5HhHg9d4tIcixrxveflc8vi2/wNQGVFNsGO6tB5WF0xf/plngOvQ1/ivGV/C1Qpdhzznh0ExAVJ6dwzNg7qIEBaw+BzTJTUuRcPk92Sn6QDn2Pu3mpONaEumacjW4w6ipPnPw+g2TfywJjeEcpSZaP4Q3YV5HG8D6UjWA4GSkBKculWpdCMadx0usMomsSS/74QgpYqcPkmamB4nVv1JxczYITIqItIKjD35IGKAUwAA==";

/// The UOS shell's `referer` header.
pub const UOS_REFERER: &str = "https://wx.qq.com/?&lang=zh_CN&target=t";

/// What the page said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LoginPage {
    /// Logged in.
    Credentials(Credentials),
    /// The server wants the client to go elsewhere (`<redirecturl>`).
    Redirect {
        /// Where.
        url: String,
    },
}

/// Builds the request from the poll's redirect_uri.
pub fn build(ctx: &LoginCtx<'_>, redirect_uri: &str) -> Request<Vec<u8>> {
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let mut url = format!("{redirect_uri}{sep}fun=new&version=v2");
    if ctx.desktop && !redirect_uri.contains("mod=desktop") {
        url.push_str("&mod=desktop");
    }
    if !redirect_uri.contains("lang=") {
        url.push_str("&lang=");
        url.push_str(&super::request::encode_component(ctx.lang));
    }
    let mut req = get(url);
    if ctx.desktop {
        let h = req.headers_mut();
        // Header names as constants: made at run time from a string, every name would
        // go through `http`'s parser of the standard names (12 KB of the browser
        // package's `.wasm`).
        const CLIENT_VERSION: http::HeaderName = http::HeaderName::from_static("client-version");
        const EXTSPAM: http::HeaderName = http::HeaderName::from_static("extspam");
        h.insert(
            CLIENT_VERSION,
            http::HeaderValue::from_static(UOS_CLIENT_VERSION),
        );
        h.insert(EXTSPAM, http::HeaderValue::from_static(UOS_EXTSPAM));
        h.insert(
            http::header::REFERER,
            http::HeaderValue::from_static(UOS_REFERER),
        );
    }
    req
}

/// The direct children of the root `<error>` element, by name.
#[derive(Debug, Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
    }
}

fn read_fields(body: &[u8]) -> Result<Fields, String> {
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut depth = 0usize;
    let mut saw_root = false;
    let mut current: Option<(String, String)> = None;
    let mut fields = Fields::default();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                let name = e.local_name().into_inner().to_owned();
                if depth == 1 {
                    saw_root = true;
                } else if depth == 2 {
                    current = Some((name, String::new()));
                }
            }
            Ok(Event::Empty(e)) => {
                if depth == 0 {
                    saw_root = true;
                } else if depth == 1 {
                    let name = e.local_name().into_inner().to_owned();
                    fields.0.push((name, String::new()));
                }
            }
            Ok(Event::End(_)) => {
                if depth == 2
                    && let Some(f) = current.take()
                {
                    fields.0.push(f);
                }
                depth = depth.saturating_sub(1);
            }
            Ok(Event::Text(t)) => {
                if let Some((_, v)) = current.as_mut() {
                    let raw = t.into_inner().into_owned();
                    v.push_str(&crate::entities::decode(&raw));
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some((_, v)) = current.as_mut() {
                    let ent = format!("&{};", &*r);
                    v.push_str(&crate::entities::decode(&ent));
                }
            }
            Ok(Event::CData(t)) => {
                if let Some((_, v)) = current.as_mut() {
                    v.push_str(&t.into_inner());
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    if !saw_root {
        return Err("no XML element".into());
    }
    Ok(fields)
}

/// Parses the answer: 200, or a 3xx whose body is the XML (never followed).
pub fn parse(resp: &Response<Vec<u8>>) -> Result<LoginPage, ResponseError> {
    let body = resp.body();
    let status = resp.status();
    if !(status.is_success() || status.is_redirection()) {
        return Err(ParseError::new(NAME, ParseErrorKind::Status(status.as_u16()), body).into());
    }
    let fields =
        read_fields(body).map_err(|e| ParseError::new(NAME, ParseErrorKind::Xml(e), body))?;
    if let Some(url) = fields.get("redirecturl").filter(|u| !u.is_empty()) {
        return Ok(LoginPage::Redirect {
            url: url.to_owned(),
        });
    }
    let ret = fields
        .get("ret")
        .ok_or_else(|| ParseError::new(NAME, ParseErrorKind::Missing("<ret>".into()), body))?;
    let ret: i64 = ret.parse().map_err(|_| {
        ParseError::new(
            NAME,
            ParseErrorKind::Invalid(format!("<ret> {ret:?}")),
            body,
        )
    })?;
    if ret != 0 {
        return Err(WxError {
            ret: Ret::from_code(ret),
            message: fields.get("message").unwrap_or_default().to_owned(),
        }
        .into());
    }
    let need = |name: &str| -> Result<String, ResponseError> {
        match fields.get(name) {
            Some(v) if !v.is_empty() => Ok(v.to_owned()),
            _ => Err(
                ParseError::new(NAME, ParseErrorKind::Missing(format!("<{name}>")), body).into(),
            ),
        }
    };
    let skey = need("skey")?;
    let sid = need("wxsid")?;
    let uin_text = need("wxuin")?;
    let uin = uin_text
        .parse()
        .map_err(|_| ParseError::new(NAME, ParseErrorKind::Invalid("<wxuin>".into()), body))?;
    Ok(LoginPage::Credentials(Credentials {
        uin,
        sid,
        skey,
        pass_ticket: need("pass_ticket")?,
        is_grayscale: fields.get("isgrayscale") == Some("1"),
    }))
}
