//! `webwxgetmsgimg`: the image of a message, full size or its thumbnail.
//!
//! `GET https://CONTENT/cgi-bin/mmwebwx-bin/webwxgetmsgimg?&MsgID=<id>&skey=<encoded>&type=big|slave`
//! (the official client's `?&`, as captured).

use super::ctx::SessionCtx;
use super::request::{UrlBuilder, get};
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::media::{MediaBody, parse_media};
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxgetmsgimg";

/// Builds the request; `thumbnail` asks for `type=slave`, else `type=big`.
pub fn build(ctx: &SessionCtx<'_>, msg_id: &str, thumbnail: bool) -> Request<Vec<u8>> {
    let url = UrlBuilder::new(
        ctx.hosts.get(HostKind::Content),
        &format!("{}/webwxgetmsgimg?", super::ctx::CGI),
    )
    .param_component("MsgID", msg_id)
    .param_component("skey", &ctx.credentials.skey)
    .param_raw("type", if thumbnail { "slave" } else { "big" })
    .build();
    get(url)
}

/// Parses the answer: the image bytes and their type.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<MediaBody, ResponseError> {
    parse_media(NAME, resp)
}
