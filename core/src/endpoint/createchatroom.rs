//! `webwxcreatechatroom`: creates a group with some friends.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxcreatechatroom?r=<now>&lang=..&pass_ticket=..`
//! with `{BaseRequest, MemberCount, MemberList: [{UserName}], Topic}`; the answer has the
//! new group's `ChatRoomName` and each member's `MemberStatus`.

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, RawMember, lenient, parse_json};
use http::{Request, Response};
use serde::Serialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxcreatechatroom";

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    base_request: BaseRequest,
    member_count: usize,
    member_list: Vec<Member<'a>>,
    topic: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Member<'a> {
    user_name: &'a str,
}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CreateChatRoomResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// The topic.
    pub topic: String,
    /// The new group's UserName (`@@…`).
    pub chat_room_name: String,
    /// Members.
    pub member_count: u64,
    /// Members with their `MemberStatus` (non-zero: not added).
    pub member_list: Vec<RawMember>,
}

record!(CreateChatRoomResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "Topic" => topic: lenient::string,
    "ChatRoomName" => chat_room_name: lenient::string,
    "MemberCount" => member_count: lenient::u64,
    "MemberList" => member_list: lenient::vec,
});

/// Builds the request.
pub fn build(ctx: &SessionCtx<'_>, topic: &str, members: &[&str]) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxcreatechatroom")
        .param_raw("r", ctx.now.to_string());
    post_json(
        ctx.interceptor(url).build(),
        &Body {
            base_request: ctx.base_request(),
            member_count: members.len(),
            member_list: members.iter().map(|u| Member { user_name: u }).collect(),
            topic,
        },
    )
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<CreateChatRoomResponse, ResponseError> {
    parse_json(NAME, resp)
}
