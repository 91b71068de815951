//! `webwxsendmsg`: sends a text message.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxsendmsg?lang=..&pass_ticket=..` with
//! `{BaseRequest, Msg: {Type: 1, Content, FromUserName, ToUserName, LocalID, ClientMsgId
//! [, MsgSource]}, Scene: 0}`; the answer is `{BaseResponse, MsgID, LocalID}`.
//!
//! The other send endpoints (`webwxsendemoticon`, `webwxsendmsgimg`, `webwxsendvideomsg`,
//! `webwxsendappmsg`) share the [`OutMsg`] body and the [`SendResponse`] answer defined here.

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, lenient, parse_json};
use http::{Request, Response};
use serde::Serialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxsendmsg";

/// `MSGTYPE_TEXT`.
pub const TYPE_TEXT: u32 = 1;

/// The `Msg` object of every send endpoint. Absent optional fields are not serialized.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutMsg {
    /// `Type`: 1 text, 3 image, 43 video, 47 emoticon, 6 (AppMsgType) file...
    #[serde(rename = "Type")]
    pub msg_type: u32,
    /// `MediaId` of an uploaded media.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_id: Option<String>,
    /// `Content`: the text, the appmsg XML, or empty for media.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `EmojiFlag` of emoticons (2: GIF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji_flag: Option<u32>,
    /// `EMoticonMd5` of an emoticon sent by md5.
    #[serde(rename = "EMoticonMd5", skip_serializing_if = "Option::is_none")]
    pub emoticon_md5: Option<String>,
    /// `Signature` of a file that went through `webwxcheckupload`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Our UserName.
    pub from_user_name: String,
    /// The recipient.
    pub to_user_name: String,
    /// `LocalID` (the same value as `ClientMsgId`).
    #[serde(rename = "LocalID")]
    pub local_id: String,
    /// `ClientMsgId`: the server de-duplicates retried sends by it.
    pub client_msg_id: String,
    /// `MsgSource`: the `<msgsource>` XML of @mentions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_source: Option<String>,
}

impl OutMsg {
    /// A message of `msg_type` from `ctx.me` to `to` with `local_id` as LocalID and
    /// ClientMsgId; the other fields empty.
    pub fn new(ctx: &SessionCtx<'_>, msg_type: u32, to: &str, local_id: &str) -> OutMsg {
        OutMsg {
            msg_type,
            from_user_name: ctx.me.to_owned(),
            to_user_name: to.to_owned(),
            local_id: local_id.to_owned(),
            client_msg_id: local_id.to_owned(),
            ..OutMsg::default()
        }
    }

    /// A message of an uploaded media (image, video): its `MediaId` and an empty `Content`.
    pub fn media(
        ctx: &SessionCtx<'_>,
        msg_type: u32,
        to: &str,
        media_id: &str,
        local_id: &str,
    ) -> OutMsg {
        OutMsg {
            media_id: Some(media_id.to_owned()),
            content: Some(String::new()),
            ..OutMsg::new(ctx, msg_type, to, local_id)
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    base_request: BaseRequest,
    msg: &'a OutMsg,
    scene: u32,
}

/// The JSON body shared by the send endpoints.
pub(crate) fn post_msg(
    ctx: &SessionCtx<'_>,
    url: String,
    msg: &OutMsg,
    scene: u32,
) -> Request<Vec<u8>> {
    post_json(
        url,
        &Body {
            base_request: ctx.base_request(),
            msg,
            scene,
        },
    )
}

/// The request of a send endpoint for uploaded media (`webwxsendmsgimg`,
/// `webwxsendvideomsg`, `webwxsendappmsg`): `POST {endpoint}?fun=async&f=json`.
pub(crate) fn post_media_msg(
    ctx: &SessionCtx<'_>,
    endpoint: &str,
    msg: &OutMsg,
    scene: u32,
) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, endpoint)
        .param_raw("fun", "async")
        .param_raw("f", "json");
    post_msg(ctx, ctx.interceptor(url).build(), msg, scene)
}

/// The answer of every send endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct SendResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// The server's id of the sent message (for revoking it).
    #[serde(rename = "MsgID")]
    pub msg_id: String,
    /// The LocalID we sent.
    #[serde(rename = "LocalID")]
    pub local_id: String,
}

record!(SendResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "MsgID" => msg_id: lenient::string,
    "LocalID" => local_id: lenient::string,
});

/// `<msgsource><atusername>u1,u2</atusername><atchatroomname>ROOM</atchatroomname></msgsource>`,
/// the `MsgSource` of a group text that @mentions `users`.
pub fn msg_source(users: &[&str], room: &str) -> String {
    format!(
        "<msgsource><atusername>{}</atusername><atchatroomname>{}</atchatroomname></msgsource>",
        users.join(","),
        room
    )
}

/// Builds a text message to `to`; `msg_source` is the [`msg_source`] XML of mentions.
pub fn build(
    ctx: &SessionCtx<'_>,
    to: &str,
    text: &str,
    local_id: &str,
    msg_source: Option<&str>,
) -> Request<Vec<u8>> {
    let mut msg = OutMsg::new(ctx, TYPE_TEXT, to, local_id);
    msg.content = Some(text.to_owned());
    msg.msg_source = msg_source.map(str::to_owned);
    build_msg(ctx, &msg, 0)
}

/// Builds a request with an arbitrary `Msg` (forwarding uses `Scene` 2).
pub fn build_msg(ctx: &SessionCtx<'_>, msg: &OutMsg, scene: u32) -> Request<Vec<u8>> {
    let url = ctx
        .interceptor(ctx.url(HostKind::Content, "webwxsendmsg"))
        .build();
    post_msg(ctx, url, msg, scene)
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<SendResponse, ResponseError> {
    parse_send(NAME, resp)
}

/// Parses the answer of the send endpoint `endpoint`: a missing `MsgID` is an error.
pub(crate) fn parse_send(
    endpoint: &str,
    resp: &Response<Vec<u8>>,
) -> Result<SendResponse, ResponseError> {
    let r: SendResponse = parse_json(endpoint, resp)?;
    if r.msg_id.is_empty() {
        return Err(crate::error::ParseError::new(
            endpoint,
            crate::error::ParseErrorKind::Missing("MsgID".into()),
            resp.body(),
        )
        .into());
    }
    Ok(r)
}
