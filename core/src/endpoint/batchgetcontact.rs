//! `webwxbatchgetcontact`: details (and group members) for up to 50 UserNames at once.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxbatchgetcontact?type=ex&r=..&lang=..&pass_ticket=..`
//! with `{BaseRequest, Count, List: [{UserName, EncryChatRoomId}]}`.

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, RawContact, lenient, parse_json};
use http::{Request, Response};
use serde::{Deserialize, Serialize};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxbatchgetcontact";

/// The official client's batch size.
pub const BATCH: usize = 50;

/// One entry of the request's `List`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchItem {
    /// The UserName to fetch.
    pub user_name: String,
    /// For a member of a group: the group's EncryChatRoomId (else empty).
    pub encry_chat_room_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    base_request: BaseRequest,
    count: usize,
    list: &'a [BatchItem],
}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct BatchContacts {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// Entries.
    pub count: u64,
    /// The contacts (groups with their `MemberList`).
    pub contact_list: Vec<RawContact>,
}

record!(BatchContacts {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "Count" => count: lenient::u64,
    "ContactList" => contact_list: lenient::vec,
});

/// Builds the request for `items` (callers chunk by [`BATCH`]).
pub fn build(ctx: &SessionCtx<'_>, items: &[BatchItem]) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxbatchgetcontact")
        .param_raw("type", "ex")
        .param_raw("r", ctx.now.to_string());
    let url = ctx.interceptor(url).build();
    post_json(
        url,
        &Body {
            base_request: ctx.base_request(),
            count: items.len(),
            list: items,
        },
    )
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<BatchContacts, ResponseError> {
    parse_json(NAME, resp)
}
