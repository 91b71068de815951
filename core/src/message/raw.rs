//! The `AddMsgList` entry of a `webwxsync` answer, exactly as it is on the wire.
//!
//! Every field is optional (`#[serde(default)]`) and lenient: the server (and the
//! clients whose captures we replay) send some numbers as strings and some strings as
//! numbers (`MsgId` is a string, `NewMsgId` a number, `FileSize` a string that may be
//! empty, `Uin` either), so each field accepts both forms, and `null` as its default.
//! Keys the web client adds in memory (`MMDigest`, `LocalID`, ...) are ignored.

use serde::{Deserialize, Serialize};

/// One `AddMsgList` entry, as the server sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "PascalCase", default)]
pub struct RawMessage {
    /// `MsgId`: the message id (a decimal string); used to download media and to revoke.
    #[serde(deserialize_with = "lenient::string")]
    pub msg_id: String,
    /// `FromUserName`: the sender (`@…` contact, `@@…` group, or a special name such as `fmessage`).
    #[serde(deserialize_with = "lenient::string")]
    pub from_user_name: String,
    /// `ToUserName`: the receiver.
    #[serde(deserialize_with = "lenient::string")]
    pub to_user_name: String,
    /// `MsgType` (constants.md §4).
    #[serde(deserialize_with = "lenient::u32")]
    pub msg_type: u32,
    /// `Content`: HTML-escaped text or XML, `<br/>` line breaks, emoji as `<span>`s.
    #[serde(deserialize_with = "lenient::string")]
    pub content: String,
    /// `Status`.
    #[serde(deserialize_with = "lenient::u32")]
    pub status: u32,
    /// `ImgStatus`.
    #[serde(deserialize_with = "lenient::u32")]
    pub img_status: u32,
    /// `CreateTime`: seconds since the Unix epoch.
    #[serde(deserialize_with = "lenient::u64")]
    pub create_time: u64,
    /// `VoiceLength`: milliseconds (voice messages).
    #[serde(deserialize_with = "lenient::u64")]
    pub voice_length: u64,
    /// `PlayLength`: seconds (videos).
    #[serde(deserialize_with = "lenient::u64")]
    pub play_length: u64,
    /// `FileName`: file name (files), title (links), or a caption.
    #[serde(deserialize_with = "lenient::string")]
    pub file_name: String,
    /// `FileSize`: a decimal string, often empty.
    #[serde(deserialize_with = "lenient::string")]
    pub file_size: String,
    /// `MediaId`: the attachment id for `webwxgetmedia`.
    #[serde(deserialize_with = "lenient::string")]
    pub media_id: String,
    /// `Url`: link of app messages, map link of locations.
    #[serde(deserialize_with = "lenient::string")]
    pub url: String,
    /// `AppMsgType`: subtype of app messages (49).
    #[serde(deserialize_with = "lenient::u32")]
    pub app_msg_type: u32,
    /// `StatusNotifyCode` (51): 1 read, 2 enter session, 3 inited, 4 sync conversations, 5 quit session.
    #[serde(deserialize_with = "lenient::u32")]
    pub status_notify_code: u32,
    /// `StatusNotifyUserName` (51): one user name, or a comma-separated list.
    #[serde(deserialize_with = "lenient::string")]
    pub status_notify_user_name: String,
    /// `RecommendInfo`: the contact of friend requests (37), possible friends (40) and cards (42).
    #[serde(deserialize_with = "lenient::or_default")]
    pub recommend_info: RawRecommendInfo,
    /// `ForwardFlag`.
    #[serde(deserialize_with = "lenient::u32")]
    pub forward_flag: u32,
    /// `AppInfo`: the app that produced an app message.
    #[serde(deserialize_with = "lenient::or_default")]
    pub app_info: RawAppInfo,
    /// `HasProductId`.
    #[serde(deserialize_with = "lenient::u32")]
    pub has_product_id: u32,
    /// `Ticket`.
    #[serde(deserialize_with = "lenient::string")]
    pub ticket: String,
    /// `ImgHeight`: height of the (thumbnail) image or video.
    #[serde(deserialize_with = "lenient::u32")]
    pub img_height: u32,
    /// `ImgWidth`: width of the (thumbnail) image or video.
    #[serde(deserialize_with = "lenient::u32")]
    pub img_width: u32,
    /// `SubMsgType`: 48 marks a location sent as a text message.
    #[serde(deserialize_with = "lenient::u32")]
    pub sub_msg_type: u32,
    /// `NewMsgId`: the 64-bit message id (a JSON number).
    #[serde(
        deserialize_with = "lenient::u64",
        serialize_with = "crate::id64::serialize"
    )]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::id64::Id64"),
        ts(type = "string")
    )]
    pub new_msg_id: u64,
    /// `OriContent`: the location XML of a location-in-text message.
    #[serde(deserialize_with = "lenient::string")]
    pub ori_content: String,
    /// `EncryFileName`: URL-encoded file name for `webwxgetmedia`.
    #[serde(deserialize_with = "lenient::string")]
    pub encry_file_name: String,
    /// `MsgSource`: `<msgsource>` XML with the `<atuserlist>`; not always present.
    #[serde(deserialize_with = "lenient::string")]
    pub msg_source: String,
}

/// `RecommendInfo` of an `AddMsgList` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "PascalCase", default)]
pub struct RawRecommendInfo {
    /// `UserName`: the contact's session user name (`@…`).
    #[serde(deserialize_with = "lenient::string")]
    pub user_name: String,
    /// `NickName`.
    #[serde(deserialize_with = "lenient::string")]
    pub nick_name: String,
    /// `QQNum`.
    #[serde(
        rename = "QQNum",
        deserialize_with = "lenient::u64",
        serialize_with = "crate::id64::serialize"
    )]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::id64::Id64"),
        ts(type = "string")
    )]
    pub qq_num: u64,
    /// `Province`.
    #[serde(deserialize_with = "lenient::string")]
    pub province: String,
    /// `City`.
    #[serde(deserialize_with = "lenient::string")]
    pub city: String,
    /// `Content`: the greeting of a friend request.
    #[serde(deserialize_with = "lenient::string")]
    pub content: String,
    /// `Signature`.
    #[serde(deserialize_with = "lenient::string")]
    pub signature: String,
    /// `Alias`: the WeChat id the contact chose, if any.
    #[serde(deserialize_with = "lenient::string")]
    pub alias: String,
    /// `Scene`: how the request came (e.g. 14 group, 17 card, 30 QR code).
    #[serde(deserialize_with = "lenient::u32")]
    pub scene: u32,
    /// `VerifyFlag`: `& 8` marks an official account.
    #[serde(deserialize_with = "lenient::u32")]
    pub verify_flag: u32,
    /// `AttrStatus`.
    #[serde(deserialize_with = "lenient::u64")]
    pub attr_status: u64,
    /// `Sex`: 1 male, 2 female, 0 unknown.
    #[serde(deserialize_with = "lenient::u32")]
    pub sex: u32,
    /// `Ticket`: needed to accept a friend request (`webwxverifyuser` Opcode 3).
    #[serde(deserialize_with = "lenient::string")]
    pub ticket: String,
    /// `OpCode`.
    #[serde(deserialize_with = "lenient::u32")]
    pub op_code: u32,
}

/// `AppInfo` of an `AddMsgList` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(default)]
pub struct RawAppInfo {
    /// `AppID`.
    #[serde(rename = "AppID", deserialize_with = "lenient::string")]
    pub app_id: String,
    /// `Type`.
    #[serde(rename = "Type", deserialize_with = "lenient::u32")]
    pub kind: u32,
}

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
