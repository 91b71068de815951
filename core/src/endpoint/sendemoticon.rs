//! `webwxsendemoticon`: sends an animated emoticon (sticker), by md5 or by the MediaId of
//! an uploaded GIF.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxsendemoticon?fun=sys&lang=..&pass_ticket=..`
//! with `{BaseRequest, Msg: {Type: 47, EmojiFlag: 2, MediaId | EMoticonMd5, FromUserName,
//! ToUserName, LocalID, ClientMsgId}, Scene: 0}`.

use super::ctx::SessionCtx;
use super::sendmsg::{OutMsg, SendResponse, parse_send, post_msg};
use crate::error::ResponseError;
use crate::hosts::HostKind;
use http::{Request, Response};
use serde::{Deserialize, Serialize};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxsendemoticon";

/// `MSGTYPE_EMOTICON`.
pub const TYPE_EMOTICON: u32 = 47;

/// `EMOJI_FLAG_GIF`.
pub const EMOJI_FLAG_GIF: u32 = 2;

/// Which emoticon to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Emoticon {
    /// A known emoticon by its md5 (`<emoji md5>` of a received one).
    Md5(String),
    /// An uploaded GIF by its MediaId.
    MediaId(String),
}

impl Emoticon {
    /// wechat4u's rule: an id starting with `@` is a MediaId, anything else an md5.
    pub fn from_id(id: &str) -> Emoticon {
        if id.starts_with('@') {
            Emoticon::MediaId(id.to_owned())
        } else {
            Emoticon::Md5(id.to_owned())
        }
    }
}

/// The `Msg` of an emoticon.
pub fn out_msg(ctx: &SessionCtx<'_>, to: &str, emoticon: &Emoticon, local_id: &str) -> OutMsg {
    let mut msg = OutMsg::new(ctx, TYPE_EMOTICON, to, local_id);
    msg.emoji_flag = Some(EMOJI_FLAG_GIF);
    match emoticon {
        Emoticon::Md5(md5) => msg.emoticon_md5 = Some(md5.clone()),
        Emoticon::MediaId(id) => msg.media_id = Some(id.clone()),
    }
    msg
}

/// Builds the request.
pub fn build(
    ctx: &SessionCtx<'_>,
    to: &str,
    emoticon: &Emoticon,
    local_id: &str,
) -> Request<Vec<u8>> {
    build_msg(ctx, &out_msg(ctx, to, emoticon, local_id), 0)
}

/// Builds a request with an arbitrary `Msg`.
pub fn build_msg(ctx: &SessionCtx<'_>, msg: &OutMsg, scene: u32) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxsendemoticon")
        .param_raw("fun", "sys");
    post_msg(ctx, ctx.interceptor(url).build(), msg, scene)
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<SendResponse, ResponseError> {
    parse_send(NAME, resp)
}
