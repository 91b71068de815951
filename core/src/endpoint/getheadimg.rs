//! `webwxgetheadimg`: the head image of a group.
//!
//! `GET https://CONTENT/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=<seq>&username=<@@group>&skey=<skey>`.

use super::ctx::SessionCtx;
use super::request::get;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::media::{MediaBody, parse_media};
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxgetheadimg";

/// Builds the request.
pub fn build(ctx: &SessionCtx<'_>, group: &str, seq: u64) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxgetheadimg")
        .param_raw("seq", seq.to_string())
        .param("username", group)
        .param("skey", &ctx.credentials.skey)
        .build();
    get(url)
}

/// Parses the answer: the image's bytes and type.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<MediaBody, ResponseError> {
    parse_media(NAME, resp)
}
