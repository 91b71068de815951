//! The `AddMsgList` entry of a `webwxsync` answer, exactly as it is on the wire.
//!
//! Every field is optional (`#[serde(default)]`) and lenient: the server (and the
//! clients whose captures we replay) send some numbers as strings and some strings as
//! numbers (`MsgId` is a string, `NewMsgId` a number, `FileSize` a string that may be
//! empty, `Uin` either), so each field accepts both forms, and `null` as its default.
//! Keys the web client adds in memory (`MMDigest`, `LocalID`, ...) are ignored.

use crate::wire::record::record;
use serde::Serialize;

/// One `AddMsgList` entry, as the server sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "PascalCase", default)]
pub struct RawMessage {
    /// `MsgId`: the message id (a decimal string); used to download media and to revoke.
    pub msg_id: String,
    /// `FromUserName`: the sender (`@…` contact, `@@…` group, or a special name such as `fmessage`).
    pub from_user_name: String,
    /// `ToUserName`: the receiver.
    pub to_user_name: String,
    /// `MsgType` (constants.md §4).
    pub msg_type: u32,
    /// `Content`: HTML-escaped text or XML, `<br/>` line breaks, emoji as `<span>`s.
    pub content: String,
    /// `Status`.
    pub status: u32,
    /// `ImgStatus`.
    pub img_status: u32,
    /// `CreateTime`: seconds since the Unix epoch.
    pub create_time: u64,
    /// `VoiceLength`: milliseconds (voice messages).
    pub voice_length: u64,
    /// `PlayLength`: seconds (videos).
    pub play_length: u64,
    /// `FileName`: file name (files), title (links), or a caption.
    pub file_name: String,
    /// `FileSize`: a decimal string, often empty.
    pub file_size: String,
    /// `MediaId`: the attachment id for `webwxgetmedia`.
    pub media_id: String,
    /// `Url`: link of app messages, map link of locations.
    pub url: String,
    /// `AppMsgType`: subtype of app messages (49).
    pub app_msg_type: u32,
    /// `StatusNotifyCode` (51): 1 read, 2 enter session, 3 inited, 4 sync conversations, 5 quit session.
    pub status_notify_code: u32,
    /// `StatusNotifyUserName` (51): one user name, or a comma-separated list.
    pub status_notify_user_name: String,
    /// `RecommendInfo`: the contact of friend requests (37), possible friends (40) and cards (42).
    pub recommend_info: RawRecommendInfo,
    /// `ForwardFlag`.
    pub forward_flag: u32,
    /// `AppInfo`: the app that produced an app message.
    pub app_info: RawAppInfo,
    /// `HasProductId`.
    pub has_product_id: u32,
    /// `Ticket`.
    pub ticket: String,
    /// `ImgHeight`: height of the (thumbnail) image or video.
    pub img_height: u32,
    /// `ImgWidth`: width of the (thumbnail) image or video.
    pub img_width: u32,
    /// `SubMsgType`: 48 marks a location sent as a text message.
    pub sub_msg_type: u32,
    /// `NewMsgId`: the 64-bit message id (a JSON number).
    #[serde(serialize_with = "crate::id64::serialize")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::id64::Id64"),
        ts(type = "string")
    )]
    pub new_msg_id: u64,
    /// `OriContent`: the location XML of a location-in-text message.
    pub ori_content: String,
    /// `EncryFileName`: URL-encoded file name for `webwxgetmedia`.
    pub encry_file_name: String,
    /// `MsgSource`: `<msgsource>` XML with the `<atuserlist>`; not always present.
    pub msg_source: String,
}

record!(RawMessage {
    "MsgId" => msg_id: lenient::string,
    "FromUserName" => from_user_name: lenient::string,
    "ToUserName" => to_user_name: lenient::string,
    "MsgType" => msg_type: lenient::u32,
    "Content" => content: lenient::string,
    "Status" => status: lenient::u32,
    "ImgStatus" => img_status: lenient::u32,
    "CreateTime" => create_time: lenient::u64,
    "VoiceLength" => voice_length: lenient::u64,
    "PlayLength" => play_length: lenient::u64,
    "FileName" => file_name: lenient::string,
    "FileSize" => file_size: lenient::string,
    "MediaId" => media_id: lenient::string,
    "Url" => url: lenient::string,
    "AppMsgType" => app_msg_type: lenient::u32,
    "StatusNotifyCode" => status_notify_code: lenient::u32,
    "StatusNotifyUserName" => status_notify_user_name: lenient::string,
    "RecommendInfo" => recommend_info: lenient::or_default,
    "ForwardFlag" => forward_flag: lenient::u32,
    "AppInfo" => app_info: lenient::or_default,
    "HasProductId" => has_product_id: lenient::u32,
    "Ticket" => ticket: lenient::string,
    "ImgHeight" => img_height: lenient::u32,
    "ImgWidth" => img_width: lenient::u32,
    "SubMsgType" => sub_msg_type: lenient::u32,
    "NewMsgId" => new_msg_id: lenient::u64,
    "OriContent" => ori_content: lenient::string,
    "EncryFileName" => encry_file_name: lenient::string,
    "MsgSource" => msg_source: lenient::string,
});

/// `RecommendInfo` of an `AddMsgList` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "PascalCase", default)]
pub struct RawRecommendInfo {
    /// `UserName`: the contact's session user name (`@…`).
    pub user_name: String,
    /// `NickName`.
    pub nick_name: String,
    /// `QQNum`.
    #[serde(rename = "QQNum", serialize_with = "crate::id64::serialize")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::id64::Id64"),
        ts(type = "string")
    )]
    pub qq_num: u64,
    /// `Province`.
    pub province: String,
    /// `City`.
    pub city: String,
    /// `Content`: the greeting of a friend request.
    pub content: String,
    /// `Signature`.
    pub signature: String,
    /// `Alias`: the WeChat id the contact chose, if any.
    pub alias: String,
    /// `Scene`: how the request came (e.g. 14 group, 17 card, 30 QR code).
    pub scene: u32,
    /// `VerifyFlag`: `& 8` marks an official account.
    pub verify_flag: u32,
    /// `AttrStatus`.
    pub attr_status: u64,
    /// `Sex`: 1 male, 2 female, 0 unknown.
    pub sex: u32,
    /// `Ticket`: needed to accept a friend request (`webwxverifyuser` Opcode 3).
    pub ticket: String,
    /// `OpCode`.
    pub op_code: u32,
}

record!(RawRecommendInfo {
    "UserName" => user_name: lenient::string,
    "NickName" => nick_name: lenient::string,
    "QQNum" => qq_num: lenient::u64,
    "Province" => province: lenient::string,
    "City" => city: lenient::string,
    "Content" => content: lenient::string,
    "Signature" => signature: lenient::string,
    "Alias" => alias: lenient::string,
    "Scene" => scene: lenient::u32,
    "VerifyFlag" => verify_flag: lenient::u32,
    "AttrStatus" => attr_status: lenient::u64,
    "Sex" => sex: lenient::u32,
    "Ticket" => ticket: lenient::string,
    "OpCode" => op_code: lenient::u32,
});

/// `AppInfo` of an `AddMsgList` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(default)]
pub struct RawAppInfo {
    /// `AppID`.
    #[serde(rename = "AppID")]
    pub app_id: String,
    /// `Type`.
    #[serde(rename = "Type")]
    pub kind: u32,
}

record!(RawAppInfo {
    "AppID" => app_id: lenient::string,
    "Type" => kind: lenient::u32,
});

/// Lenient field deserializers: each accepts a string, a number, a bool or `null`.
mod lenient {
    use serde::de::{self, Deserialize, Deserializer, IgnoredAny, Visitor};
    use std::fmt;

    /// A string; numbers and bools are written out in decimal, `null` is empty.
    pub(super) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_owned())
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
                Ok(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_unit<E: de::Error>(self) -> Result<String, E> {
                Ok(String::new())
            }
            fn visit_none<E: de::Error>(self) -> Result<String, E> {
                Ok(String::new())
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<String, D2::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<String, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(String::new())
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<String, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(String::new())
            }
        }
        d.deserialize_any(V)
    }

    /// An unsigned number; decimal strings are parsed, anything unusable is 0,
    /// negative values are 0, too-large values saturate.
    pub(super) fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = u64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a decimal string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
                Ok(parse_u64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
                Ok(v)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
                Ok(u64::try_from(v).unwrap_or(0))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
                // `as` saturates and maps NaN to 0.
                Ok(if v > 0.0 { v as u64 } else { 0 })
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<u64, E> {
                Ok(u64::from(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
                Ok(0)
            }
            fn visit_none<E: de::Error>(self) -> Result<u64, E> {
                Ok(0)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<u64, D2::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<u64, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(0)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<u64, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(0)
            }
        }
        d.deserialize_any(V)
    }

    /// Like [`u64`], saturating at `u32::MAX`.
    pub(super) fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        u64(d).map(|v| u32::try_from(v).unwrap_or(u32::MAX))
    }

    /// A nested object; `null` or a value of the wrong shape (a string, a number, a
    /// list) gives the default. An object is read straight into `T` (whose fields are
    /// all lenient), without a `serde_json::Value` in between.
    pub(super) fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, a: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(a))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<T, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(T::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<T, E> {
                Ok(T::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<T, E> {
                Ok(T::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<T, E> {
                Ok(T::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<T, E> {
                Ok(T::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<T, E> {
                Ok(T::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<T, E> {
                Ok(T::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<T, E> {
                Ok(T::default())
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<T, D2::Error> {
                d.deserialize_any(self)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }

    /// Parses the leading decimal digits of `s` (after trimming spaces): `"12"` → 12,
    /// `""` → 0, `"-3"` → 0, overflow saturates.
    pub(crate) fn parse_u64(s: &str) -> u64 {
        let mut n: u64 = 0;
        for b in s.trim().bytes() {
            if !b.is_ascii_digit() {
                break;
            }
            n = n.saturating_mul(10).saturating_add(u64::from(b - b'0'));
        }
        n
    }
}

pub(crate) use lenient::parse_u64;
