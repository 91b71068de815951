//! `webwxgetvoice`: the voice clip of a message (MP3).
//!
//! `GET https://CONTENT/cgi-bin/mmwebwx-bin/webwxgetvoice?msgid=<id>&skey=<encoded>`.

use super::ctx::SessionCtx;
use super::request::get;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::media::{MediaBody, parse_media};
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxgetvoice";

/// Builds the request.
pub fn build(ctx: &SessionCtx<'_>, msg_id: &str) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxgetvoice")
        .param_component("msgid", msg_id)
        .param_component("skey", &ctx.credentials.skey)
        .build();
    get(url)
}

/// Parses the answer: the clip's bytes and type.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<MediaBody, ResponseError> {
    parse_media(NAME, resp)
}
