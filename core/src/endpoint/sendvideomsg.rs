//! `webwxsendvideomsg`: sends a video uploaded with `webwxuploadmedia`.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxsendvideomsg?fun=async&f=json&lang=..&pass_ticket=..`
//! with `{BaseRequest, Msg: {Type: 43, MediaId, Content: "", FromUserName, ToUserName,
//! LocalID, ClientMsgId}, Scene: 0}`.

use super::ctx::SessionCtx;
use super::sendmsg::{OutMsg, SendResponse, parse_send, post_media_msg};
use crate::error::ResponseError;
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxsendvideomsg";

/// `MSGTYPE_VIDEO`.
pub const TYPE_VIDEO: u32 = 43;

/// Builds the request for the uploaded `media_id`.
pub fn build(ctx: &SessionCtx<'_>, to: &str, media_id: &str, local_id: &str) -> Request<Vec<u8>> {
    build_msg(
        ctx,
        &OutMsg::media(ctx, TYPE_VIDEO, to, media_id, local_id),
        0,
    )
}

/// Builds a request with an arbitrary `Msg` (forwarding uses `Scene` 2).
pub fn build_msg(ctx: &SessionCtx<'_>, msg: &OutMsg, scene: u32) -> Request<Vec<u8>> {
    post_media_msg(ctx, NAME, msg, scene)
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<SendResponse, ResponseError> {
    parse_send(NAME, resp)
}
