//! `webwxupdatechatroom`: adds, invites or removes members, or renames a group.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxupdatechatroom?fun=<fun>&lang=..&pass_ticket=..`
//! with `{BaseRequest, ChatRoomName, AddMemberList | InviteMemberList | DelMemberList: "u1,u2"}`
//! or `{BaseRequest, ChatRoomName, NewTopic}` for `fun=modtopic`.

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, RawMember, lenient, parse_json};
use http::{Request, Response};
use serde::Serialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxupdatechatroom";

/// The official client invites rather than adds once a group has this many members
/// (webwxinit's `InviteStartCount`, 40 in every capture).
pub const INVITE_START_COUNT: usize = 40;

/// What to change.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Update<'a> {
    /// `fun=addmember`: add friends directly (small groups).
    Add(&'a [&'a str]),
    /// `fun=invitemember`: send invitations (groups over 40 members).
    Invite(&'a [&'a str]),
    /// `fun=delmember`: remove members (owner only).
    Remove(&'a [&'a str]),
    /// `fun=modtopic`: rename.
    Topic(&'a str),
}

impl Update<'_> {
    /// The `fun` parameter.
    pub fn fun(&self) -> &'static str {
        match self {
            Update::Add(_) => "addmember",
            Update::Invite(_) => "invitemember",
            Update::Remove(_) => "delmember",
            Update::Topic(_) => "modtopic",
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    base_request: BaseRequest,
    chat_room_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    add_member_list: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invite_member_list: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    del_member_list: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_topic: Option<&'a str>,
}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct UpdateChatRoomResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// Members after the change, when the server lists them.
    pub member_count: u64,
    /// Members with their `MemberStatus`.
    pub member_list: Vec<RawMember>,
}

record!(UpdateChatRoomResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "MemberCount" => member_count: lenient::u64,
    "MemberList" => member_list: lenient::vec,
});

/// Builds the request.
pub fn build(ctx: &SessionCtx<'_>, group: &str, update: &Update<'_>) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxupdatechatroom")
        .param_raw("fun", update.fun());
    let mut body = Body {
        base_request: ctx.base_request(),
        chat_room_name: group,
        add_member_list: None,
        invite_member_list: None,
        del_member_list: None,
        new_topic: None,
    };
    match update {
        Update::Add(m) => body.add_member_list = Some(m.join(",")),
        Update::Invite(m) => body.invite_member_list = Some(m.join(",")),
        Update::Remove(m) => body.del_member_list = Some(m.join(",")),
        Update::Topic(t) => body.new_topic = Some(t),
    }
    post_json(ctx.interceptor(url).build(), &body)
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<UpdateChatRoomResponse, ResponseError> {
    parse_json(NAME, resp)
}
