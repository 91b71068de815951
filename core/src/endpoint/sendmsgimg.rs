//! `webwxsendmsgimg`: sends an image uploaded with `webwxuploadmedia`.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxsendmsgimg?fun=async&f=json&lang=..&pass_ticket=..`
//! with `{BaseRequest, Msg: {Type: 3, MediaId, Content: "", FromUserName, ToUserName,
//! LocalID, ClientMsgId}, Scene: 0}`.

use super::ctx::SessionCtx;
use super::sendmsg::{OutMsg, SendResponse, parse_send, post_msg};
use crate::error::ResponseError;
use crate::hosts::HostKind;
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxsendmsgimg";

/// `MSGTYPE_IMAGE`.
pub const TYPE_IMAGE: u32 = 3;

/// Builds the request for the uploaded `media_id`.
pub fn build(ctx: &SessionCtx<'_>, to: &str, media_id: &str, local_id: &str) -> Request<Vec<u8>> {
    let mut msg = OutMsg::new(ctx, TYPE_IMAGE, to, local_id);
    msg.media_id = Some(media_id.to_owned());
    msg.content = Some(String::new());
    build_msg(ctx, &msg, 0)
}

/// Builds a request with an arbitrary `Msg` (forwarding uses `Scene` 2).
pub fn build_msg(ctx: &SessionCtx<'_>, msg: &OutMsg, scene: u32) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxsendmsgimg")
        .param_raw("fun", "async")
        .param_raw("f", "json");
    post_msg(ctx, ctx.interceptor(url).build(), msg, scene)
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<SendResponse, ResponseError> {
    parse_send(NAME, resp)
}
