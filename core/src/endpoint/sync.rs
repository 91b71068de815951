//! `webwxsync`: fetches what synccheck announced and advances the SyncKey.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxsync?sid=..&skey=..&lang=..&pass_ticket=..`
//! with `{BaseRequest, SyncKey, rr: ~now}`.

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::{ParseError, ParseErrorKind, ResponseError};
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
pub fn parse_each<'a>(
    resp: &'a Response<Vec<u8>>,
    entry: impl FnMut(usize, &'a RawValue),
) -> Result<(SyncResponse, usize), ResponseError> {
    crate::wire::entries::parse_entries(NAME, "AddMsgList", resp, entry)
}

/// [`parse_each`] with each entry parsed ([`message`]): `entry` gets entry `i` as
/// `message` gives it, and everything else is as [`parse_each`] does it — the same
/// entries, results and errors, in the same order. When the body is well-formed (the
/// common case), each entry is parsed where the one pass over the body finds it, not
/// found first and parsed again later; the one pass is then over text checked as UTF-8
/// once. Otherwise it goes the way of [`parse_each`] from where that stopped (entries
/// already handed on are not handed on again).
///
/// ```
/// let body = br#"{"BaseResponse":{"Ret":0},"AddMsgCount":1,
///     "AddMsgList":[{"MsgId":"1","MsgType":1,"Content":"hi"}]}"#;
/// let resp = http::Response::new(body.to_vec());
/// let mut got = Vec::new();
/// let (head, n) = webwx_core::endpoint::sync::parse_each_message(&resp, |_, m| got.push(m)).unwrap();
/// assert_eq!((head.add_msg_count, n), (1, 1));
/// assert_eq!(got[0].as_ref().unwrap().content, "hi");
/// ```
pub fn parse_each_message(
    resp: &Response<Vec<u8>>,
    mut entry: impl FnMut(usize, Result<RawMessage, ParseError>),
) -> Result<(SyncResponse, usize), ResponseError> {
    let mut handed = 0;
    let read = crate::wire::entries::read_entries(NAME, "AddMsgList", resp, |i, m| {
        entry(i, Ok(m));
        handed += 1;
    });
    if let Some(done) = read {
        return Ok(done);
    }
    parse_each(resp, |i, raw| {
        if i >= handed {
            entry(i, message(raw));
        }
    })
}

/// One `AddMsgList` entry, parsed as [`parse`] parses it.
pub fn message(raw: &RawValue) -> Result<RawMessage, ParseError> {
    serde_json::from_str(raw.get()).map_err(|e| {
        ParseError::new(
            NAME,
            ParseErrorKind::Json(e.to_string()),
            raw.get().as_bytes(),
        )
    })
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

    /// What `parse_each_message` hands on and returns, as text to compare.
    fn each_message(r: &Response<Vec<u8>>) -> (Vec<(usize, String)>, String) {
        let mut got = Vec::new();
        let done = parse_each_message(r, |i, m| got.push((i, format!("{m:?}"))));
        (got, format!("{done:?}"))
    }

    /// The same from `parse_each` and `message` on each entry (the way before
    /// `parse_each_message`).
    fn each_then_message(r: &Response<Vec<u8>>) -> (Vec<(usize, String)>, String) {
        let mut got = Vec::new();
        let done = parse_each(r, |i, raw| got.push((i, format!("{:?}", message(raw)))));
        (got, format!("{done:?}"))
    }

    /// Reading each entry in the one pass gives what finding it and parsing it after
    /// gives: the same entries (each once, in order), the same head, the same errors —
    /// on well-formed bodies (strings with escapes, keys with escapes, an unknown key, the
    /// capture compact and pretty) and on bodies that fail anywhere (an entry with a
    /// repeated key, an entry that is not an object, bad UTF-8 in a value no field reads,
    /// bad JSON before and after the list, a refusal, no BaseResponse).
    #[test]
    fn each_message_is_each_then_message() {
        let capture = fixture();
        let value: serde_json::Value = serde_json::from_str(&capture).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let head = r#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"AddMsgCount":3,"AddMsgList":"#;
        let tail = r#","SyncKey":{"Count":1,"List":[{"Key":1,"Val":2}]},"SKey":""}"#;
        let m0 = r#"{"MsgId":"1\u0032","FromUserName":"@a\"b","Content":"&lt;x y=\"1\"&gt;\n\u4f60\ud83d\ude00","Msg\u0054ype":1,"Unknown":{"deep":[1,"\u00e9"]}}"#;
        let m1 = r#"{"MsgId":"2","MsgType":49,"Content":"a\\b","RecommendInfo":{"UserName":"@c","Sex":"2"},"NewMsgId":12345678901234567890}"#;
        let m2 =
            r#"{"MsgId":"3","MsgType":"10000","Content":"","AppInfo":{"AppID":"wx1","Type":2}}"#;
        let list = |entries: &[&str]| format!("{head}[{}]{tail}", entries.join(",\n  "));
        let mut bodies: Vec<Vec<u8>> = vec![
            capture.clone().into_bytes(),
            pretty.into_bytes(),
            list(&[m0, m1, m2]).into_bytes(),
            list(&[]).into_bytes(),
            format!("{head}null{tail}").into_bytes(),
            // An entry with a repeated key (at the top and inside RecommendInfo).
            list(&[m0, r#"{"MsgId":"2","MsgId":"2"}"#, m2]).into_bytes(),
            list(&[m0, r#"{"RecommendInfo":{"Sex":1,"Sex":2}}"#, m2]).into_bytes(),
            // Not an object: a number, an array (the array form of a record).
            list(&[m0, "3", m2]).into_bytes(),
            list(&[m0, r#"["1","@a"]"#, m2]).into_bytes(),
            // Bad JSON inside an entry, after the list, after the body.
            list(&[m0, r#"{"MsgId":"2",}"#, m2]).into_bytes(),
            format!("{head}[{m0},{m1}],{tail}").into_bytes(),
            format!("{} x", list(&[m0, m1])).into_bytes(),
            // A head key twice, the list twice.
            format!("{head}[{m0}],\"SKey\":\"a\",\"SKey\":\"b\"}}").into_bytes(),
            format!("{head}[{m0}],\"AddMsgList\":[{m1}]}}").into_bytes(),
            // Refused, and no BaseResponse.
            r#"{"BaseResponse":{"Ret":1101,"ErrMsg":""},"AddMsgList":[{"MsgId":"1"}]}"#
                .as_bytes()
                .to_vec(),
            r#"{"AddMsgList":[{"MsgId":"1"}]}"#.as_bytes().to_vec(),
        ];
        // Bad UTF-8 in a value no field reads (the string of an unknown key).
        let mut bad = list(&[m0, r#"{"MsgId":"2","Unknown":"@@"}"#, m2]).into_bytes();
        let at = bad.windows(2).position(|w| w == b"@@").unwrap();
        bad[at] = 0xff;
        bodies.push(bad);
        for body in bodies {
            let r = resp_bytes(body);
            let (got, done) = each_message(&r);
            assert_eq!(
                (&got, &done),
                (&each_then_message(&r).0, &each_then_message(&r).1),
                "{}",
                String::from_utf8_lossy(r.body())
            );
        }
        // The well-formed bodies were read (not only refused alike).
        let r = resp_bytes(list(&[m0, m1, m2]).into_bytes());
        let mut got = Vec::new();
        let (head, n) = parse_each_message(&r, |_, m| got.push(m.unwrap())).unwrap();
        assert_eq!((n, head.sync_key.count), (3, 1));
        assert_eq!(got[0].msg_id, "12");
        assert_eq!(got[0].from_user_name, "@a\"b");
        assert_eq!(got[0].content, "&lt;x y=\"1\"&gt;\n你😀");
        assert_eq!(got[0].msg_type, 1);
        assert_eq!(got[1].recommend_info.sex, 2);
        assert_eq!(got[1].new_msg_id, 12345678901234567890);
        assert_eq!(got[2].app_info.app_id, "wx1");
    }

    fn resp_bytes(body: Vec<u8>) -> Response<Vec<u8>> {
        Response::new(body)
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
