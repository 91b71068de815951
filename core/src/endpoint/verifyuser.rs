//! `webwxverifyuser`: sends a friend request (Opcode 2, with a greeting) or accepts one
//! (Opcode 3, with the ticket of the type-37 message).
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxverifyuser?r=<now>&lang=..&pass_ticket=..`
//! with `{BaseRequest, Opcode, VerifyUserListSize: 1, VerifyUserList: [{Value, VerifyUserTicket}],
//! VerifyContent, SceneListCount: 1, SceneList: [33], skey}`.

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, parse_json};
use http::{Request, Response};
use serde::Serialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxverifyuser";

/// `VERIFYUSER_OPCODE_SENDREQUEST`.
pub const OPCODE_SEND_REQUEST: u32 = 2;
/// `VERIFYUSER_OPCODE_VERIFYOK`.
pub const OPCODE_VERIFY_OK: u32 = 3;
/// `ADDSCENE_PF_WEB`.
pub const SCENE_WEB: u32 = 33;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    base_request: BaseRequest,
    opcode: u32,
    verify_user_list_size: u32,
    verify_user_list: [VerifyUser<'a>; 1],
    verify_content: &'a str,
    scene_list_count: u32,
    scene_list: [u32; 1],
    #[serde(rename = "skey")]
    skey: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct VerifyUser<'a> {
    value: &'a str,
    verify_user_ticket: &'a str,
}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct VerifyUserResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
}

record!(VerifyUserResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
});

/// Builds the request: `opcode` about `user_name`, with `ticket` (empty for a request)
/// and `content` (the greeting of a request).
pub fn build(
    ctx: &SessionCtx<'_>,
    opcode: u32,
    user_name: &str,
    ticket: &str,
    content: &str,
) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxverifyuser")
        .param_raw("r", ctx.now.to_string());
    post_json(
        ctx.interceptor(url).build(),
        &Body {
            base_request: ctx.base_request(),
            opcode,
            verify_user_list_size: 1,
            verify_user_list: [VerifyUser {
                value: user_name,
                verify_user_ticket: ticket,
            }],
            verify_content: content,
            scene_list_count: 1,
            scene_list: [SCENE_WEB],
            skey: &ctx.credentials.skey,
        },
    )
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<VerifyUserResponse, ResponseError> {
    parse_json(NAME, resp)
}
