//! `webwxinit`: the first call of a session: who we am, recent chats, the first SyncKey.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxinit?r=~now&lang=..&pass_ticket=..`
//! with `{"BaseRequest":{..}}` (the official client sends `Uin` as a string here only).

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseResponse, RawContact, SyncKey, lenient, parse_json};
use http::{Request, Response};
use serde::Serialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxinit";

/// The answer. `Debug` shows it as JSON with the skey, our uin and `skey=` in avatar URLs
/// redacted.
#[derive(Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct InitResponse {
    /// Always Ret 0 here (refusals are errors).
    pub base_response: BaseResponse,
    /// Number of entries in `contact_list`.
    pub count: u64,
    /// Recent chats (people, groups, official accounts).
    pub contact_list: Vec<RawContact>,
    /// The first SyncKey.
    pub sync_key: SyncKey,
    /// The logged-in user.
    pub user: RawContact,
    /// Comma-separated UserNames of recent chats.
    pub chat_set: String,
    /// A refreshed skey (empty: keep the old one).
    #[serde(rename = "SKey")]
    pub skey: String,
    /// Server's client version.
    pub client_version: u64,
    /// Server time (seconds).
    pub system_time: u64,
    /// Group size from which `invitemember` replaces `addmember`.
    pub invite_start_count: u64,
    /// Official-account article count.
    pub mp_subscribe_msg_count: u64,
    /// Click report interval.
    pub click_report_interval: u64,
    /// Grayscale flag.
    pub gray_scale: u64,
}

record!(InitResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "Count" => count: lenient::u64,
    "ContactList" => contact_list: lenient::vec,
    "SyncKey" => sync_key: serde::Deserialize::deserialize,
    "User" => user: serde::Deserialize::deserialize,
    "ChatSet" => chat_set: lenient::string,
    "SKey" => skey: lenient::string,
    "ClientVersion" => client_version: lenient::u64,
    "SystemTime" => system_time: lenient::u64,
    "InviteStartCount" => invite_start_count: lenient::u64,
    "MpSubscribeMsgCount" => mp_subscribe_msg_count: lenient::u64,
    "ClickReportInterval" => click_report_interval: lenient::u64,
    "GrayScale" => gray_scale: lenient::u64,
});

impl std::fmt::Debug for InitResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::redact::debug_serialized(f, "InitResponse", self)
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "BaseRequest")]
    base_request: InitBase<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InitBase<'a> {
    uin: String,
    sid: &'a str,
    skey: &'a str,
    #[serde(rename = "DeviceID")]
    device_id: &'a str,
}

/// Builds the request.
pub fn build(ctx: &SessionCtx<'_>) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::Content, "webwxinit")
        .param_raw("r", ctx.now.js_not().to_string());
    let url = ctx.interceptor(url).build();
    post_json(
        url,
        &Body {
            base_request: InitBase {
                uin: ctx.credentials.uin.to_string(),
                sid: &ctx.credentials.sid,
                skey: &ctx.credentials.skey,
                device_id: &ctx.device_id,
            },
        },
    )
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<InitResponse, ResponseError> {
    parse_json(NAME, resp)
}
