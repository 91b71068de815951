//! `jslogin`: asks the login host for a QR uuid.
//!
//! `GET https://LOGIN/jslogin?appid=wx782c26e4c19acffb&redirect_uri=..&fun=new&lang=..&_=..`
//! answers `window.QRLogin.code = 200; window.QRLogin.uuid = "gbyKnbsmqQ==";`.

use super::ctx::{CGI, LoginCtx};
use super::js::{self, JsValue};
use super::request::{UrlBuilder, get};
use crate::error::{ParseError, ParseErrorKind, ResponseError, Ret, WxError};
use crate::hosts::QR_HOST;
use http::{Request, Response};
use serde::{Deserialize, Serialize};

/// The web client's login appid.
pub const APPID: &str = "wx782c26e4c19acffb";

/// The endpoint name used in errors.
pub const NAME: &str = "jslogin";

/// A QR login uuid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JsLogin {
    /// The uuid.
    pub uuid: String,
}

/// The redirect_uri the official client passes (`?mod=desktop` in the desktop variant).
pub fn redirect_uri(ctx: &LoginCtx<'_>) -> String {
    format!(
        "https://{}{CGI}/webwxnewloginpage{}",
        ctx.hosts.content,
        if ctx.desktop { "?mod=desktop" } else { "" }
    )
}

/// Builds the request.
pub fn build(ctx: &LoginCtx<'_>) -> Request<Vec<u8>> {
    get(UrlBuilder::new(&ctx.hosts.login, "/jslogin")
        .param_raw("appid", APPID)
        .param_component("redirect_uri", redirect_uri(ctx))
        .param_raw("fun", "new")
        .param_component("lang", ctx.lang)
        .param_raw("_", ctx.now.to_string())
        .build())
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<JsLogin, ResponseError> {
    let body = resp.body();
    crate::wire::check_status(NAME, resp)?;
    let text = String::from_utf8_lossy(body);
    let a = js::assignments(&text);
    let code = js::find(&a, "code")
        .and_then(JsValue::as_text)
        .ok_or_else(|| ParseError::new(NAME, ParseErrorKind::Js("no QRLogin.code".into()), body))?;
    let code: i64 = code.parse().map_err(|_| {
        ParseError::new(
            NAME,
            ParseErrorKind::Invalid(format!("code {code:?}")),
            body,
        )
    })?;
    if code != 200 {
        return Err(WxError {
            ret: Ret::from_code(code),
            message: format!("jslogin answered code {code}"),
        }
        .into());
    }
    match js::find(&a, "uuid").and_then(JsValue::as_text) {
        Some(u) if !u.is_empty() && is_uuid(u) => Ok(JsLogin { uuid: u.to_owned() }),
        Some(u) => {
            Err(ParseError::new(NAME, ParseErrorKind::Invalid(format!("uuid {u:?}")), body).into())
        }
        None => {
            Err(ParseError::new(NAME, ParseErrorKind::Missing("QRLogin.uuid".into()), body).into())
        }
    }
}

/// Whether `s` is a plausible uuid (base64-ish, at most 64 characters).
pub fn is_uuid(s: &str) -> bool {
    s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'+' | b'/' | b'-' | b'_'))
}

/// What the QR code encodes: `https://login.weixin.qq.com/l/<uuid>`.
pub fn qr_content_url(uuid: &str) -> String {
    format!("https://{QR_HOST}/l/{uuid}")
}

/// Where the official client loads the QR image: `https://login.weixin.qq.com/qrcode/<uuid>`.
pub fn qr_image_url(uuid: &str) -> String {
    format!("https://{QR_HOST}/qrcode/{uuid}")
}

/// A request for the QR image (the CLI draws its own QR from [`qr_content_url`]; this is
/// for callers that want the server's PNG).
pub fn build_qr_image(uuid: &str) -> Request<Vec<u8>> {
    get(qr_image_url(uuid))
}
