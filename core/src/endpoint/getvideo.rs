//! `webwxgetvideo`: the video of a message. The server answers only ranged requests
//! (`206 Partial Content`), so the request asks for `Range: bytes=0-`, as every client does.
//!
//! `GET https://CONTENT/cgi-bin/mmwebwx-bin/webwxgetvideo?msgid=<id>&skey=<encoded>`.

use super::ctx::SessionCtx;
use super::request::get;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::media::{MediaBody, parse_media};
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxgetvideo";

/// Builds the request.
pub fn build(ctx: &SessionCtx<'_>, msg_id: &str) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxgetvideo")
        .param_component("msgid", msg_id)
        .param_component("skey", &ctx.credentials.skey)
        .build();
    let mut req = get(url);
    req.headers_mut().insert(
        http::header::RANGE,
        http::HeaderValue::from_static("bytes=0-"),
    );
    req
}

/// Parses the answer (200 or 206): the video's bytes and type.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<MediaBody, ResponseError> {
    parse_media(NAME, resp)
}
