//! `webwxpushloginurl`: asks the phone to confirm a login without a QR scan.
//!
//! `GET https://CONTENT/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin=..[&mod=desktop]` answers
//! `{"ret":"0","msg":"all ok","uuid":".."}`; the uuid is then polled like a QR uuid.

use super::ctx::{CGI, LoginCtx};
use super::request::{UrlBuilder, get};
use crate::error::{ParseError, ParseErrorKind, ResponseError, Ret, WxError};
use crate::wire::lenient;
use http::{Request, Response};
use serde::Deserialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxpushloginurl";

#[derive(Deserialize)]
struct Body {
    #[serde(deserialize_with = "lenient::i64", default)]
    ret: i64,
    #[serde(deserialize_with = "lenient::string", default)]
    msg: String,
    #[serde(deserialize_with = "lenient::string", default)]
    uuid: String,
}

/// Builds the request for the account `uin`.
pub fn build(ctx: &LoginCtx<'_>, uin: u64) -> Request<Vec<u8>> {
    let mut url = UrlBuilder::new(&ctx.hosts.content, &format!("{CGI}/webwxpushloginurl"))
        .param_raw("uin", uin.to_string());
    if ctx.desktop {
        url = url.param_raw("mod", "desktop");
    }
    get(url.build())
}

/// Parses the answer into the uuid to poll.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<String, ResponseError> {
    let body = resp.body();
    crate::wire::check_status(NAME, resp)?;
    let b: Body = serde_json::from_slice(body)
        .map_err(|e| ParseError::new(NAME, ParseErrorKind::Json(e.to_string()), body))?;
    if b.ret != 0 {
        return Err(WxError {
            ret: Ret::from_code(b.ret),
            message: b.msg,
        }
        .into());
    }
    if b.uuid.is_empty() || !super::jslogin::is_uuid(&b.uuid) {
        return Err(ParseError::new(NAME, ParseErrorKind::Missing("uuid".into()), body).into());
    }
    Ok(b.uuid)
}
