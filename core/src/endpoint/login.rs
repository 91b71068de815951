//! The login poll: `GET https://LOGIN/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid=..&tip=..&r=..&_=..`.
//!
//! A long-poll (about 25 s on the server, 35 s client timeout). Answers:
//! `window.code=408;` (nothing yet), `window.code=201;window.userAvatar = '..';` (scanned),
//! `window.code=200;window.redirect_uri="..";` (confirmed), `window.code=202;` (cancelled
//! on the phone), `window.code=400;` (uuid expired), anything else.

use super::ctx::{CGI, LoginCtx};
use super::js::{self, JsValue};
use super::request::{UrlBuilder, get};
use crate::error::{ParseError, ParseErrorKind, ResponseError};
use http::{Request, Response};
use serde::{Deserialize, Serialize};

/// The endpoint name used in errors.
pub const NAME: &str = "login";

/// What the poll said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LoginPoll {
    /// 408: not scanned yet; poll again.
    Waiting,
    /// 201: scanned, waiting for confirmation on the phone.
    Scanned {
        /// The `data:img/jpg;base64,..` avatar, if sent.
        avatar: Option<String>,
    },
    /// 200: confirmed; go to `redirect_uri`.
    Confirmed {
        /// The webwxnewloginpage URL (its host is the session's content host).
        redirect_uri: String,
    },
    /// 202: the user cancelled on the phone.
    Cancelled,
    /// 400: the uuid expired.
    Expired,
    /// Any other code (500, 0, ...).
    Other {
        /// The code.
        code: i64,
    },
}

/// Builds the request. `tip` is 1 for the first poll of a uuid and 0 after.
pub fn build(ctx: &LoginCtx<'_>, uuid: &str, tip: u8) -> Request<Vec<u8>> {
    get(UrlBuilder::new(&ctx.hosts.login, &format!("{CGI}/login"))
        .param_raw("loginicon", "true")
        .param_raw("uuid", uuid)
        .param_raw("tip", tip.to_string())
        .param_raw("r", ctx.now.js_not().to_string())
        .param_raw("_", ctx.now.to_string())
        .build())
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<LoginPoll, ResponseError> {
    let body = resp.body();
    crate::wire::check_status(NAME, resp)?;
    let text = String::from_utf8_lossy(body);
    let a = js::assignments(&text);
    let code = js::find(&a, "code")
        .and_then(JsValue::as_text)
        .ok_or_else(|| ParseError::new(NAME, ParseErrorKind::Js("no window.code".into()), body))?;
    let code: i64 = code.parse().map_err(|_| {
        ParseError::new(
            NAME,
            ParseErrorKind::Invalid(format!("code {code:?}")),
            body,
        )
    })?;
    Ok(match code {
        408 => LoginPoll::Waiting,
        201 => LoginPoll::Scanned {
            avatar: js::find(&a, "userAvatar")
                .and_then(JsValue::as_text)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        },
        200 => {
            let uri = js::find(&a, "redirect_uri")
                .and_then(JsValue::as_text)
                .filter(|s| s.starts_with("http://") || s.starts_with("https://"))
                .ok_or_else(|| {
                    ParseError::new(
                        NAME,
                        ParseErrorKind::Missing("window.redirect_uri".into()),
                        body,
                    )
                })?;
            if uri.parse::<http::Uri>().is_err() {
                return Err(ParseError::new(
                    NAME,
                    ParseErrorKind::Invalid("redirect_uri".into()),
                    body,
                )
                .into());
            }
            LoginPoll::Confirmed {
                redirect_uri: uri.to_owned(),
            }
        }
        202 => LoginPoll::Cancelled,
        400 => LoginPoll::Expired,
        code => LoginPoll::Other { code },
    })
}
