//! `webwxsync`: fetches what synccheck announced and advances the SyncKey.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxsync?sid=..&skey=..&lang=..&pass_ticket=..`
//! with `{BaseRequest, SyncKey, rr: ~now}`.

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::message::RawMessage;
use crate::wire::{BaseRequest, BaseResponse, RawContact, SyncKey, lenient, parse_json};
use http::{Request, Response};
use serde::{Deserialize, Serialize};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxsync";

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    base_request: BaseRequest,
    sync_key: &'a SyncKey,
    #[serde(rename = "rr")]
    rr: i64,
}

/// A deleted contact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct DelContact {
    /// Its UserName.
    #[serde(deserialize_with = "lenient::string")]
    pub user_name: String,
    /// Flag.
    #[serde(deserialize_with = "lenient::u64")]
    pub contact_flag: u64,
}

/// The profile change block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Profile {
    /// 0 no change, 190 changed.
    #[serde(deserialize_with = "lenient::u64")]
    pub bit_flag: u64,
}

/// The answer. `Debug` shows it as JSON with the skey and `skey=` in URLs redacted.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct SyncResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// Entries in `add_msg_list`.
    #[serde(deserialize_with = "lenient::u64")]
    pub add_msg_count: u64,
    /// New messages.
    #[serde(deserialize_with = "lenient::vec")]
    pub add_msg_list: Vec<RawMessage>,
    /// Entries in `mod_contact_list`.
    #[serde(deserialize_with = "lenient::u64")]
    pub mod_contact_count: u64,
    /// Added or changed contacts.
    #[serde(deserialize_with = "lenient::vec")]
    pub mod_contact_list: Vec<RawContact>,
    /// Entries in `del_contact_list`.
    #[serde(deserialize_with = "lenient::u64")]
    pub del_contact_count: u64,
    /// Deleted contacts.
    #[serde(deserialize_with = "lenient::vec")]
    pub del_contact_list: Vec<DelContact>,
    /// Entries in `mod_chat_room_member_list`.
    #[serde(deserialize_with = "lenient::u64")]
    pub mod_chat_room_member_count: u64,
    /// Changed group member lists.
    #[serde(deserialize_with = "lenient::vec")]
    pub mod_chat_room_member_list: Vec<RawContact>,
    /// Profile change.
    pub profile: Profile,
    /// Non-zero: more is queued, sync again.
    #[serde(deserialize_with = "lenient::u64")]
    pub continue_flag: u64,
    /// The next SyncKey.
    pub sync_key: SyncKey,
    /// The next SyncCheckKey.
    pub sync_check_key: SyncKey,
    /// A refreshed skey (empty: unchanged).
    #[serde(rename = "SKey", deserialize_with = "lenient::string")]
    pub skey: String,
}

impl std::fmt::Debug for SyncResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::redact::debug_serialized(f, "SyncResponse", self)
    }
}

/// Builds the request.
pub fn build(ctx: &SessionCtx<'_>, sync_key: &SyncKey) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxsync")
        .param("sid", &ctx.credentials.sid)
        .param("skey", &ctx.credentials.skey);
    let url = ctx.interceptor(url).build();
    post_json(
        url,
        &Body {
            base_request: ctx.base_request(),
            sync_key,
            rr: ctx.now.js_not(),
        },
    )
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<SyncResponse, ResponseError> {
    parse_json(NAME, resp)
}
