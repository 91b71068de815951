//! `webwxsync`: fetches what synccheck announced and advances the SyncKey.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxsync?sid=..&skey=..&lang=..&pass_ticket=..`
//! with `{BaseRequest, SyncKey, rr: ~now}`.

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::{ParseError, ResponseError};
use crate::hosts::HostKind;
use crate::message::RawMessage;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, RawContact, SyncKey, lenient, parse_json};
use http::{Request, Response};
use serde::Serialize;
use serde_json::value::RawValue;

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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct DelContact {
    /// Its UserName.
    pub user_name: String,
    /// Flag.
    pub contact_flag: u64,
}

record!(DelContact {
    "UserName" => user_name: lenient::string,
    "ContactFlag" => contact_flag: lenient::u64,
});

/// The profile change block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Profile {
    /// 0 no change, 190 changed.
    pub bit_flag: u64,
}

record!(Profile {
    "BitFlag" => bit_flag: lenient::u64,
});

/// The answer. `Debug` shows it as JSON with the skey and `skey=` in URLs redacted.
#[derive(Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct SyncResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// Entries in `add_msg_list`.
    pub add_msg_count: u64,
    /// New messages.
    pub add_msg_list: Vec<RawMessage>,
    /// Entries in `mod_contact_list`.
    pub mod_contact_count: u64,
    /// Added or changed contacts.
    pub mod_contact_list: Vec<RawContact>,
    /// Entries in `del_contact_list`.
    pub del_contact_count: u64,
    /// Deleted contacts.
    pub del_contact_list: Vec<DelContact>,
    /// Entries in `mod_chat_room_member_list`.
    pub mod_chat_room_member_count: u64,
    /// Changed group member lists.
    pub mod_chat_room_member_list: Vec<RawContact>,
    /// Profile change.
    pub profile: Profile,
    /// Non-zero: more is queued, sync again.
    pub continue_flag: u64,
    /// The next SyncKey.
    pub sync_key: SyncKey,
    /// The next SyncCheckKey.
    pub sync_check_key: SyncKey,
    /// A refreshed skey (empty: unchanged).
    #[serde(rename = "SKey")]
    pub skey: String,
}

record!(SyncResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "AddMsgCount" => add_msg_count: lenient::u64,
    "AddMsgList" => add_msg_list: lenient::vec,
    "ModContactCount" => mod_contact_count: lenient::u64,
    "ModContactList" => mod_contact_list: lenient::vec,
    "DelContactCount" => del_contact_count: lenient::u64,
    "DelContactList" => del_contact_list: lenient::vec,
    "ModChatRoomMemberCount" => mod_chat_room_member_count: lenient::u64,
    "ModChatRoomMemberList" => mod_chat_room_member_list: lenient::vec,
    "Profile" => profile: serde::Deserialize::deserialize,
    "ContinueFlag" => continue_flag: lenient::u64,
    "SyncKey" => sync_key: serde::Deserialize::deserialize,
    "SyncCheckKey" => sync_check_key: serde::Deserialize::deserialize,
    "SKey" => skey: lenient::string,
});

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

/// A webwxsync answer whose `AddMsgList` entries are left as raw JSON borrowed from the
/// body, to be typed one at a time ([`LazySync::message`]): a large answer is then never
/// held twice (once as bytes, once as messages). Checked as [`parse`] checks it (status,
/// JSON, `BaseResponse`), and every entry is a JSON object.
#[derive(Debug)]
#[non_exhaustive]
pub struct LazySync<'a> {
    /// Everything but the messages (`add_msg_list` is empty).
    pub head: SyncResponse,
    /// The `AddMsgList` entries, each a JSON object, as in the body.
    pub messages: Vec<&'a RawValue>,
}

impl LazySync<'_> {
    /// Entry `i` of `AddMsgList`, parsed as [`parse`] parses it. `None` past the end.
    pub fn message(&self, i: usize) -> Option<Result<RawMessage, ParseError>> {
        Some(message(self.messages.get(i)?))
    }
}

/// Parses the answer, leaving the messages as raw JSON (see [`LazySync`]).
///
/// ```
/// let body = br#"{"BaseResponse":{"Ret":0},"AddMsgCount":1,
///     "AddMsgList":[{"MsgId":"1","MsgType":1,"Content":"hi"}]}"#;
/// let resp = http::Response::new(body.to_vec());
/// let lazy = webwx_core::endpoint::sync::parse_lazy(&resp).unwrap();
/// assert_eq!(lazy.head.add_msg_count, 1);
/// assert_eq!(lazy.message(0).unwrap().unwrap().content, "hi");
/// ```
pub fn parse_lazy(resp: &Response<Vec<u8>>) -> Result<LazySync<'_>, ResponseError> {
    let mut messages = Vec::new();
    let (head, _) = parse_each(resp, |_, raw| messages.push(raw))?;
    Ok(LazySync { head, messages })
}

/// [`parse_lazy`], each `AddMsgList` entry handed to `entry` (its index, its raw JSON)
/// as soon as the one pass over the body has read it, to be typed ([`message`]) while
/// the pass goes on. Returns everything but the messages and how many there were; an
/// error (the same as [`parse_lazy`]'s) may come after entries were handed on.
pub fn parse_each<'a, B: AsRef<[u8]>>(
    resp: &'a Response<B>,
    entry: impl FnMut(usize, &'a RawValue),
) -> Result<(SyncResponse, usize), ResponseError> {
    crate::wire::entries::parse_entries(NAME, "AddMsgList", resp, entry)
}

/// [`parse_each`] over a body already known to be UTF-8 text (`text`, with the answer's
/// `status`): each entry's text is not checked again.
pub fn parse_each_text<'a>(
    status: http::StatusCode,
    text: &'a str,
    entry: impl FnMut(usize, &'a RawValue),
) -> Result<(SyncResponse, usize), ResponseError> {
    crate::wire::entries::parse_entries_text(NAME, "AddMsgList", status, text, entry)
}

/// One `AddMsgList` entry, parsed as [`parse`] parses it.
pub fn message(raw: &RawValue) -> Result<RawMessage, ParseError> {
    crate::wire::entries::parse_entry(NAME, raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ParseErrorKind;

    fn resp(body: &str) -> Response<Vec<u8>> {
        Response::new(body.as_bytes().to_vec())
    }

    fn fixture() -> String {
        include_str!("../../tests/fixtures/captures/wechat4u_test_response_webwxsync.json")
            .to_owned()
    }

    /// The lazy parse is the eager one: same head, same messages, on the capture and on
    /// the capture pretty-printed (whitespace before each entry).
    #[test]
    fn lazy_is_eager() {
        let compact = fixture();
        let value: serde_json::Value = serde_json::from_str(&compact).unwrap();
        for body in [
            compact.clone(),
            serde_json::to_string_pretty(&value).unwrap(),
        ] {
            let r = resp(&body);
            let eager = parse(&r).unwrap();
            let lazy = parse_lazy(&r).unwrap();
            assert!(!eager.add_msg_list.is_empty());
            assert_eq!(lazy.messages.len(), eager.add_msg_list.len());
            for (i, m) in eager.add_msg_list.iter().enumerate() {
                assert_eq!(&lazy.message(i).unwrap().unwrap(), m);
            }
            assert!(lazy.message(eager.add_msg_list.len()).is_none());
            let mut head = eager.clone();
            head.add_msg_list.clear();
            assert_eq!(lazy.head, head);
        }
    }

    #[test]
    fn lazy_refuses_what_eager_refuses() {
        let not_object = r#"{"BaseResponse":{"Ret":0},"AddMsgList":[{"MsgId":"1"}, 3]}"#;
        assert!(parse(&resp(not_object)).is_err());
        let e = parse_lazy(&resp(not_object)).unwrap_err();
        assert!(
            matches!(&e, ResponseError::Parse(p) if p.kind.to_string().contains("AddMsgList[1]")),
            "{e:?}"
        );
        // A refusal is a refusal even when the rest of the body is cut short.
        let refused = r#"{"BaseResponse":{"Ret":1101,"ErrMsg":""},"AddMsgList":[{"Ms"#;
        assert_eq!(
            parse_lazy(&resp(refused)).unwrap_err().ret(),
            Some(crate::error::Ret::SESSION_INVALID)
        );
        assert_eq!(
            parse(&resp(refused)).unwrap_err().ret(),
            Some(crate::error::Ret::SESSION_INVALID)
        );
        // No BaseResponse (or null): missing, after reading the whole body.
        for body in [
            r#"{"AddMsgList":[]}"#,
            r#"{"AddMsgList":[],"BaseResponse":null}"#,
        ] {
            for e in [
                parse(&resp(body)).unwrap_err(),
                parse_lazy(&resp(body)).unwrap_err(),
            ] {
                assert!(
                    matches!(&e, ResponseError::Parse(p) if p.kind == ParseErrorKind::Missing("BaseResponse".into())),
                    "{e:?}"
                );
            }
        }
        // BaseResponse last: found after skipping the rest.
        let last = r#"{"AddMsgList":[{"MsgId":"7"}],"BaseResponse":{"Ret":0}}"#;
        assert_eq!(
            parse_lazy(&resp(last))
                .unwrap()
                .message(0)
                .unwrap()
                .unwrap()
                .msg_id,
            "7"
        );
        // Invalid JSON before the BaseResponse is a JSON error.
        let e = parse(&resp(r#"{"AddMsgList":[,"BaseResponse":{"Ret":0}}"#)).unwrap_err();
        assert!(matches!(&e, ResponseError::Parse(p) if matches!(p.kind, ParseErrorKind::Json(_))));
    }
}
