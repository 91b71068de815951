//! `webwxstatusnotify`: tells the phone what the web client is doing (Code 3 `INITED`
//! after init, Code 1 `READED` when a chat is read).

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, lenient, parse_json};
use http::{Request, Response};
use serde::Serialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxstatusnotify";

/// `StatusNotifyCode_READED`.
pub const CODE_READED: u32 = 1;
/// `StatusNotifyCode_ENTER_SESSION`.
pub const CODE_ENTER_SESSION: u32 = 2;
/// `StatusNotifyCode_INITED`.
pub const CODE_INITED: u32 = 3;
/// `StatusNotifyCode_SYNC_CONV`.
pub const CODE_SYNC_CONV: u32 = 4;
/// `StatusNotifyCode_QUIT_SESSION`.
pub const CODE_QUIT_SESSION: u32 = 5;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    base_request: BaseRequest,
    code: u32,
    from_user_name: &'a str,
    to_user_name: &'a str,
    client_msg_id: u64,
}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct StatusNotifyResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// The notification's id.
    #[serde(rename = "MsgID")]
    pub msg_id: String,
}

record!(StatusNotifyResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "MsgID" => msg_id: lenient::string,
});

/// Builds the request: `code` about the chat `to` (ourselves for `CODE_INITED`).
pub fn build(ctx: &SessionCtx<'_>, code: u32, to: &str) -> Request<Vec<u8>> {
    let url = ctx
        .interceptor(ctx.url(HostKind::Content, "webwxstatusnotify"))
        .build();
    post_json(
        url,
        &Body {
            base_request: ctx.base_request(),
            code,
            from_user_name: ctx.me,
            to_user_name: to,
            client_msg_id: ctx.now.as_millis(),
        },
    )
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<StatusNotifyResponse, ResponseError> {
    parse_json(NAME, resp)
}
