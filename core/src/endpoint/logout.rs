//! `webwxlogout`: ends the session.
//!
//! Form `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxlogout?redirect=1&type=<0|1>&skey=..`
//! with fields `sid`, `uin`. The answer is a redirect or an empty body: any 2xx/3xx is fine.

use super::ctx::SessionCtx;
use super::request::post_form;
use crate::error::{ParseError, ParseErrorKind, ResponseError};
use crate::hosts::HostKind;
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxlogout";

/// Builds the request. `kind` is 0 (user logout) or 1 (logout after a session error).
pub fn build(ctx: &SessionCtx<'_>, kind: u8) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxlogout")
        .param_raw("redirect", "1")
        .param_raw("type", kind.to_string())
        .param_component("skey", &ctx.credentials.skey)
        .build();
    let uin = ctx.credentials.uin.to_string();
    post_form(url, &[("sid", &ctx.credentials.sid), ("uin", &uin)])
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<(), ResponseError> {
    let s = resp.status();
    if s.is_success() || s.is_redirection() {
        Ok(())
    } else {
        Err(ParseError::new(NAME, ParseErrorKind::Status(s.as_u16()), resp.body()).into())
    }
}
