//! `webwxoplog`: sets a contact's remark name (CmdId 2) or pins / unpins a chat (CmdId 3,
//! OP 1 / 0).
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxoplog?lang=..&pass_ticket=..` with
//! `{BaseRequest, UserName, CmdId: 2, RemarkName}` or `{BaseRequest, UserName, CmdId: 3,
//! OP, RemarkName}` (wechat4u: a pin without `RemarkName` clears the remark, so the
//! current one is sent along).

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, parse_json};
use http::{Request, Response};
use serde::Serialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxoplog";

/// `oplogCmdId.MODREMARKNAME`.
pub const CMD_REMARK: u32 = 2;
/// `oplogCmdId.TOPCONTACT`.
pub const CMD_TOP: u32 = 3;

/// What to change.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Op<'a> {
    /// Set the remark name.
    Remark(&'a str),
    /// Pin (`true`) or unpin the chat, keeping the remark name given.
    Top {
        /// Pin or unpin.
        pin: bool,
        /// The contact's current remark name.
        remark: &'a str,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    base_request: BaseRequest,
    user_name: &'a str,
    cmd_id: u32,
    #[serde(rename = "OP", skip_serializing_if = "Option::is_none")]
    op: Option<u32>,
    remark_name: &'a str,
}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct OplogResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
}

record!(OplogResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
});

/// Builds the request.
pub fn build(ctx: &SessionCtx<'_>, user_name: &str, op: &Op<'_>) -> Request<Vec<u8>> {
    let url = ctx
        .interceptor(ctx.url(HostKind::Content, "webwxoplog"))
        .build();
    let (cmd_id, op_code, remark_name) = match op {
        Op::Remark(r) => (CMD_REMARK, None, *r),
        Op::Top { pin, remark } => (CMD_TOP, Some(u32::from(*pin)), *remark),
    };
    post_json(
        url,
        &Body {
            base_request: ctx.base_request(),
            user_name,
            cmd_id,
            op: op_code,
            remark_name,
        },
    )
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<OplogResponse, ResponseError> {
    parse_json(NAME, resp)
}
