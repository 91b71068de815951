//! `webwxgeticon`: the avatar of a contact, or of a group member (with the group's
//! `EncryChatRoomId` as `chatroomid`).
//!
//! `GET https://CONTENT/cgi-bin/mmwebwx-bin/webwxgeticon?seq=<seq>&username=<u>&skey=<skey>[&chatroomid=<id>]`
//! (the contact's `HeadImgUrl` has this form; `seq` comes from it, else 0).

use super::ctx::SessionCtx;
use super::request::get;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::media::{MediaBody, parse_media};
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxgeticon";

/// Builds the request.
pub fn build(
    ctx: &SessionCtx<'_>,
    user_name: &str,
    seq: u64,
    chatroom_id: Option<&str>,
) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxgeticon")
        .param_raw("seq", seq.to_string())
        .param("username", user_name)
        .param("skey", &ctx.credentials.skey);
    let url = match chatroom_id.filter(|c| !c.is_empty()) {
        Some(id) => url.param("chatroomid", id),
        None => url,
    };
    get(url.build())
}

/// Parses the answer: the image's bytes and type.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<MediaBody, ResponseError> {
    parse_media(NAME, resp)
}
