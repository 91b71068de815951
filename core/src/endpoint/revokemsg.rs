//! `webwxrevokemsg`: revokes (recalls) a message we sent.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxrevokemsg?lang=..&pass_ticket=..` with
//! `{BaseRequest, SvrMsgId, ToUserName, ClientMsgId}`; the answer is
//! `{BaseResponse, Introduction, SysWording}`.

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, lenient, parse_json};
use http::{Request, Response};
use serde::Serialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxrevokemsg";

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    base_request: BaseRequest,
    svr_msg_id: &'a str,
    to_user_name: &'a str,
    client_msg_id: &'a str,
}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct RevokeResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// Text shown to the user (often empty).
    pub introduction: String,
    /// System wording, e.g. why it could not be revoked.
    pub sys_wording: String,
}

record!(RevokeResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "Introduction" => introduction: lenient::string,
    "SysWording" => sys_wording: lenient::string,
});

/// Builds the request: revoke the message the server numbered `svr_msg_id` in the chat
/// `to`; `client_msg_id` is the sent message's ClientMsgId when known, else a fresh one.
pub fn build(
    ctx: &SessionCtx<'_>,
    svr_msg_id: &str,
    to: &str,
    client_msg_id: &str,
) -> Request<Vec<u8>> {
    let url = ctx
        .interceptor(ctx.url(HostKind::Content, "webwxrevokemsg"))
        .build();
    post_json(
        url,
        &Body {
            base_request: ctx.base_request(),
            svr_msg_id,
            to_user_name: to,
            client_msg_id,
        },
    )
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<RevokeResponse, ResponseError> {
    parse_json(NAME, resp)
}
