//! How a command object is read: `"cmd"` taken out first, then the variant's fields read
//! straight into it.
//!
//! [`Command`] is written tagged by `"cmd"` beside its fields (serde's internally tagged
//! form). serde's derived reader for that form buffers the whole object in its private
//! `Content` tree and reads every variant again from that tree: a second instantiation of
//! every field's deserializer, about a tenth of the browser package's `.wasm`. Here
//! [`Request::parse`](super::Request::parse) (its `impl` is in this module) reads the text
//! twice, with no `serde_json::Value` in between (the browser package has none of `Value`'s
//! code): first the head (`"id"`, `"timeout_ms"`, `"cmd"`, wherever they stand, the rest
//! skipped), then the object again as `{"<cmd>": {fields}}` by [`CommandDe`], the same
//! variants externally tagged, the head's keys hidden from it. [`Command`]'s own
//! `Deserialize` (a map from any deserializer) reads that form from a `Value`. The messages
//! are serde's own (`unknown variant`, `unknown field .., expected one of ..`, `missing
//! field`), without serde_json's `at line .. column ..`, word for word as before; a
//! repeated field is now refused (`duplicate field`) where a `Value` kept the last.
//!
//! [`CommandDe`] mirrors [`Command`] field by field. The compiler keeps the two in step
//! (the conversions below, and a test-only one back, name every variant and every field,
//! with no `..`); `tests` checks the serde attributes (defaults, `as`) by reading back
//! what [`Command`] writes.

use super::command::{Command, CommandId, Request};
use super::error::{ErrorInfo, ErrorKind};
use crate::contacts::ContactKind;
use crate::media::Download;
use crate::message::Message;
use crate::upload::MediaKind;
use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, IntoDeserializer, MapAccess,
    SeqAccess, VariantAccess, Visitor,
};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::time::Duration;

impl Request {
    /// Reads one command object (a line of `webwx login --commands`, a `wx.command()`
    /// argument, a gateway request body). On failure, the `"id"` when one could be read
    /// (so that the error answer still carries it) and a `bad_command` error.
    ///
    /// ```
    /// use webwx_core::boundary::{Command, CommandId, Request};
    /// let r = Request::parse(r#"{"cmd": "send_text", "id": 7, "to": "filehelper", "text": "hi"}"#).unwrap();
    /// assert_eq!(r.id, Some(CommandId::from(7)));
    /// assert_eq!(r.command, Command::send_text("filehelper", "hi"));
    /// let (id, err) = Request::parse(r#"{"cmd": "send_text", "id": "a", "to": "x", "txt": "hi"}"#).unwrap_err();
    /// assert_eq!(id, Some(CommandId::from("a")));
    /// assert!(err.message.contains("unknown field `txt`"), "{}", err.message);
    /// ```
    pub fn parse(text: &str) -> Result<Request, (Option<CommandId>, ErrorInfo)> {
        let bad = |m: String| ErrorInfo::new(ErrorKind::BadCommand, m);
        let text = text.as_bytes();
        let head = read_head(text)
            .map_err(|e| (None, bad(format!("not a JSON object: {e}"))))?
            .ok_or_else(|| (None, bad("a command is a JSON object".into())))?;
        let is_null = |v: &serde_json::value::RawValue| v.get() == "null";
        let id = match head.id {
            None => None,
            Some(v) if is_null(v) => None,
            Some(v) => match serde_json::from_slice::<CommandId>(v.get().as_bytes()) {
                Ok(id) => Some(id),
                Err(_) => {
                    return Err((
                        None,
                        bad("\"id\" must be a number, a string or a boolean".into()),
                    ));
                }
            },
        };
        let timeout = match head.timeout_ms {
            None => None,
            Some(v) if is_null(v) => None,
            Some(v) => match serde_json::from_slice::<u64>(v.get().as_bytes()) {
                Ok(ms) if ms > 0 => Some(Duration::from_millis(ms)),
                _ => {
                    return Err((id, bad("\"timeout_ms\" must be a positive integer".into())));
                }
            },
        };
        let Some(cmd) = head.cmd else {
            return Err((id, bad("missing \"cmd\"".into())));
        };
        let Ok(name) = serde_json::from_slice::<String>(cmd.get().as_bytes()) else {
            return Err((id, bad("\"cmd\" must be a string".into())));
        };
        match read_variant(&name, text) {
            Ok(command) => Ok(Request {
                id,
                timeout,
                command,
            }),
            Err(e) => Err((id, bad(message(&e)))),
        }
    }

    /// Like [`Request::parse`], from a JSON value.
    pub fn from_value(value: serde_json::Value) -> Result<Request, (Option<CommandId>, ErrorInfo)> {
        Request::parse(&value.to_string())
    }
}

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::deserialize(d)?;
        Command::from_map(map).map_err(serde::de::Error::custom)
    }
}

impl Command {
    /// Reads the command in `map` (a command object without `"id"` and `"timeout_ms"`).
    pub(super) fn from_map(mut map: Map<String, Value>) -> Result<Command, serde_json::Error> {
        use serde::de::Error as _;
        let name = match map.remove("cmd") {
            None => return Err(serde_json::Error::missing_field("cmd")),
            Some(Value::String(name)) => name,
            Some(_) => return Err(serde_json::Error::custom("\"cmd\" must be a string")),
        };
        let mut outer = Map::new();
        outer.insert(name, Value::Object(map));
        serde_json::from_value::<CommandDe>(Value::Object(outer)).map(Command::from)
    }
}

/// What [`Request::parse`](super::Request::parse) reads first: the raw values of a
/// command object's `"id"`, `"timeout_ms"` and `"cmd"` (`None` where absent), every other
/// key skipped. `None` for JSON that is not an object.
pub(super) fn read_head(text: &[u8]) -> Result<Option<Head<'_>>, serde_json::Error> {
    serde_json::from_slice::<Top<'_>>(text).map(|t| t.0)
}

/// The keys of a command object that are not the variant's fields.
#[derive(Default)]
pub(super) struct Head<'a> {
    pub id: Option<&'a RawValue>,
    pub timeout_ms: Option<&'a RawValue>,
    pub cmd: Option<&'a RawValue>,
}

/// A command object's [`Head`] (`None`: not an object).
struct Top<'a>(Option<Head<'a>>);

/// A key of a command object, as far as the head cares.
enum HeadKey {
    Id,
    TimeoutMs,
    Cmd,
    Other,
}

fn head_key(key: &str) -> HeadKey {
    match key {
        "id" => HeadKey::Id,
        "timeout_ms" => HeadKey::TimeoutMs,
        "cmd" => HeadKey::Cmd,
        _ => HeadKey::Other,
    }
}

impl<'de> Deserialize<'de> for HeadKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = HeadKey;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HeadKey, E> {
                Ok(head_key(v))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Top<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Top<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a command object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'a>, A::Error> {
                let mut head = Head::default();
                while let Some(key) = map.next_key::<HeadKey>()? {
                    // The last of a repeated key counts, as in a JSON map.
                    match key {
                        HeadKey::Id => head.id = Some(map.next_value()?),
                        HeadKey::TimeoutMs => head.timeout_ms = Some(map.next_value()?),
                        HeadKey::Cmd => head.cmd = Some(map.next_value()?),
                        HeadKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Top(Some(head)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top<'a>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Top(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Top<'a>, E> {
                Ok(Top(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Top<'a>, E> {
                Ok(Top(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Top<'a>, E> {
                Ok(Top(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Top<'a>, E> {
                Ok(Top(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Top<'a>, E> {
                Ok(Top(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Top<'a>, E> {
                Ok(Top(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Reads the variant `name` of [`Command`] from the command object `text`, its
/// `"id"`, `"timeout_ms"` and `"cmd"` skipped: the object is read once, straight into the
/// variant's fields, with no `serde_json::Value` built (the browser package goes without
/// `Value`'s code).
pub(super) fn read_variant(name: &str, text: &[u8]) -> Result<Command, serde_json::Error> {
    CommandDe::deserialize(Tagged { name, text }).map(Command::from)
}

/// The message of a serde_json error without its `at line .. column ..`: a command's
/// refusal reads the same however the command was given.
pub(super) fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.line() > 0
        && let Some(at) = text.rfind(" at line ")
    {
        return text[..at].to_owned();
    }
    text
}

/// `{"<name>": <text>}` as serde sees an externally tagged enum, without writing it.
struct Tagged<'a> {
    name: &'a str,
    text: &'a [u8],
}

impl<'de> Deserializer<'de> for Tagged<'de> {
    type Error = serde_json::Error;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_enum(self)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map struct
        enum identifier ignored_any
    }
}

impl<'de> EnumAccess<'de> for Tagged<'de> {
    type Error = serde_json::Error;
    type Variant = Fields<'de>;
    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Fields<'de>), Self::Error> {
        let variant = seed.deserialize(self.name.into_deserializer())?;
        Ok((variant, Fields(self.text)))
    }
}

/// The fields of the variant: the command object itself.
struct Fields<'a>(&'a [u8]);

impl<'de> VariantAccess<'de> for Fields<'de> {
    type Error = serde_json::Error;
    fn unit_variant(self) -> Result<(), Self::Error> {
        Err(de::Error::custom("every command is an object"))
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _: T) -> Result<T::Value, Self::Error> {
        Err(de::Error::custom("every command is an object"))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("every command is an object"))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let mut de = serde_json::Deserializer::from_slice(self.0);
        let value = (&mut de).deserialize_map(SkipHead(visitor))?;
        de.end()?;
        Ok(value)
    }
}

/// The variant's visitor, shown the object without its head keys.
struct SkipHead<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for SkipHead<V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.expecting(f)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Skipping(map))
    }
}

/// A map without the keys `"id"`, `"timeout_ms"` and `"cmd"`.
struct Skipping<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Skipping<A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        while let Some(key) = self.0.next_key::<String>()? {
            if let HeadKey::Other = head_key(&key) {
                return seed.deserialize(key.into_deserializer()).map(Some);
            }
            self.0.next_value::<IgnoredAny>()?;
        }
        Ok(None)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(seed)
    }
}

/// [`CommandId`] read without serde's untagged machinery (which buffers in `Content`):
/// a number (kept as written), a string or a boolean.
impl<'de> Deserialize<'de> for CommandId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = CommandId;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number, a string or a boolean")
            }
            fn visit_u64<E>(self, v: u64) -> Result<CommandId, E> {
                Ok(CommandId::Number(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<CommandId, E> {
                Ok(CommandId::Number(v.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<CommandId, E> {
                serde_json::Number::from_f64(v)
                    .map(CommandId::Number)
                    .ok_or_else(|| E::custom("a command id is a finite number"))
            }
            fn visit_str<E>(self, v: &str) -> Result<CommandId, E> {
                Ok(CommandId::String(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<CommandId, E> {
                Ok(CommandId::String(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<CommandId, E> {
                Ok(CommandId::Bool(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A [`Command`] read as `{"<cmd>": {fields}}`: the same variants, fields and serde
/// attributes, externally tagged.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum CommandDe {
    SendText {
        to: String,
        text: String,
        #[serde(default)]
        mentions: Vec<String>,
    },
    SendFile {
        to: String,
        #[serde(default)]
        file_name: Option<String>,
        #[serde(default)]
        data_b64: Option<String>,
        #[serde(default)]
        path: Option<String>,
        #[serde(rename = "as", default)]
        as_kind: Option<MediaKind>,
    },
    SendEmoticon {
        to: String,
        #[serde(default)]
        md5: Option<String>,
        #[serde(default)]
        media_id: Option<String>,
    },
    Forward {
        to: String,
        #[serde(default)]
        msg_id: Option<String>,
        #[serde(default, deserialize_with = "super::command::inline_message")]
        message: Option<Box<Message>>,
    },
    Revoke {
        to: String,
        msg_id: String,
    },
    MarkRead {
        chat: String,
    },
    Download {
        #[serde(default)]
        msg_id: Option<String>,
        #[serde(default)]
        media: Option<Download>,
        #[serde(default)]
        save_to: Option<String>,
        #[serde(default)]
        inline: bool,
    },
    AcceptFriend {
        #[serde(default)]
        msg_id: Option<String>,
        #[serde(default)]
        user_name: Option<String>,
        #[serde(default)]
        ticket: Option<String>,
    },
    AddFriend {
        user_name: String,
        #[serde(default)]
        greeting: String,
    },
    CreateGroup {
        topic: String,
        members: Vec<String>,
    },
    AddMembers {
        group: String,
        members: Vec<String>,
    },
    RemoveMembers {
        group: String,
        members: Vec<String>,
    },
    RenameGroup {
        group: String,
        topic: String,
    },
    SetRemark {
        user: String,
        remark: String,
    },
    Pin {
        chat: String,
    },
    Unpin {
        chat: String,
    },
    FetchGroupMembers {
        group: String,
    },
    CancelUpload {
        #[serde(default)]
        command: Option<CommandId>,
        #[serde(default)]
        local_id: Option<String>,
        #[serde(default)]
        upload: Option<u64>,
    },
    Logout {},
    Contacts {
        #[serde(default)]
        kind: Option<ContactKind>,
        #[serde(default)]
        search: Option<String>,
        #[serde(default)]
        members: bool,
    },
    Me {},
}

impl From<CommandDe> for Command {
    fn from(c: CommandDe) -> Command {
        match c {
            CommandDe::SendText { to, text, mentions } => Command::SendText { to, text, mentions },
            CommandDe::SendFile {
                to,
                file_name,
                data_b64,
                path,
                as_kind,
            } => Command::SendFile {
                to,
                file_name,
                data_b64,
                path,
                as_kind,
            },
            CommandDe::SendEmoticon { to, md5, media_id } => {
                Command::SendEmoticon { to, md5, media_id }
            }
            CommandDe::Forward {
                to,
                msg_id,
                message,
            } => Command::Forward {
                to,
                msg_id,
                message,
            },
            CommandDe::Revoke { to, msg_id } => Command::Revoke { to, msg_id },
            CommandDe::MarkRead { chat } => Command::MarkRead { chat },
            CommandDe::Download {
                msg_id,
                media,
                save_to,
                inline,
            } => Command::Download {
                msg_id,
                media,
                save_to,
                inline,
            },
            CommandDe::AcceptFriend {
                msg_id,
                user_name,
                ticket,
            } => Command::AcceptFriend {
                msg_id,
                user_name,
                ticket,
            },
            CommandDe::AddFriend {
                user_name,
                greeting,
            } => Command::AddFriend {
                user_name,
                greeting,
            },
            CommandDe::CreateGroup { topic, members } => Command::CreateGroup { topic, members },
            CommandDe::AddMembers { group, members } => Command::AddMembers { group, members },
            CommandDe::RemoveMembers { group, members } => {
                Command::RemoveMembers { group, members }
            }
            CommandDe::RenameGroup { group, topic } => Command::RenameGroup { group, topic },
            CommandDe::SetRemark { user, remark } => Command::SetRemark { user, remark },
            CommandDe::Pin { chat } => Command::Pin { chat },
            CommandDe::Unpin { chat } => Command::Unpin { chat },
            CommandDe::FetchGroupMembers { group } => Command::FetchGroupMembers { group },
            CommandDe::CancelUpload {
                command,
                local_id,
                upload,
            } => Command::CancelUpload {
                command,
                local_id,
                upload,
            },
            CommandDe::Logout {} => Command::Logout {},
            CommandDe::Contacts {
                kind,
                search,
                members,
            } => Command::Contacts {
                kind,
                search,
                members,
            },
            CommandDe::Me {} => Command::Me {},
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::Request;

    /// The way back, for the compiler only: a variant or field added to [`Command`] and
    /// not to [`CommandDe`] does not build.
    #[allow(dead_code)]
    fn mirror(c: Command) -> CommandDe {
        match c {
            Command::SendText { to, text, mentions } => CommandDe::SendText { to, text, mentions },
            Command::SendFile {
                to,
                file_name,
                data_b64,
                path,
                as_kind,
            } => CommandDe::SendFile {
                to,
                file_name,
                data_b64,
                path,
                as_kind,
            },
            Command::SendEmoticon { to, md5, media_id } => {
                CommandDe::SendEmoticon { to, md5, media_id }
            }
            Command::Forward {
                to,
                msg_id,
                message,
            } => CommandDe::Forward {
                to,
                msg_id,
                message,
            },
            Command::Revoke { to, msg_id } => CommandDe::Revoke { to, msg_id },
            Command::MarkRead { chat } => CommandDe::MarkRead { chat },
            Command::Download {
                msg_id,
                media,
                save_to,
                inline,
            } => CommandDe::Download {
                msg_id,
                media,
                save_to,
                inline,
            },
            Command::AcceptFriend {
                msg_id,
                user_name,
                ticket,
            } => CommandDe::AcceptFriend {
                msg_id,
                user_name,
                ticket,
            },
            Command::AddFriend {
                user_name,
                greeting,
            } => CommandDe::AddFriend {
                user_name,
                greeting,
            },
            Command::CreateGroup { topic, members } => CommandDe::CreateGroup { topic, members },
            Command::AddMembers { group, members } => CommandDe::AddMembers { group, members },
            Command::RemoveMembers { group, members } => {
                CommandDe::RemoveMembers { group, members }
            }
            Command::RenameGroup { group, topic } => CommandDe::RenameGroup { group, topic },
            Command::SetRemark { user, remark } => CommandDe::SetRemark { user, remark },
            Command::Pin { chat } => CommandDe::Pin { chat },
            Command::Unpin { chat } => CommandDe::Unpin { chat },
            Command::FetchGroupMembers { group } => CommandDe::FetchGroupMembers { group },
            Command::CancelUpload {
                command,
                local_id,
                upload,
            } => CommandDe::CancelUpload {
                command,
                local_id,
                upload,
            },
            Command::Logout {} => CommandDe::Logout {},
            Command::Contacts {
                kind,
                search,
                members,
            } => CommandDe::Contacts {
                kind,
                search,
                members,
            },
            Command::Me {} => CommandDe::Me {},
        }
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    /// Every variant with every optional field set, and with none: what `Command` writes
    /// (internally tagged, defaults skipped) reads back as itself.
    fn samples() -> Vec<Command> {
        vec![
            Command::SendText {
                to: "a".into(),
                text: "b".into(),
                mentions: vec!["c".into()],
            },
            Command::send_text("a", "b"),
            Command::SendFile {
                to: "a".into(),
                file_name: some("f.txt"),
                data_b64: some("aGk="),
                path: some("/p"),
                as_kind: Some(MediaKind::Image),
            },
            Command::send_path("a", "/p"),
            Command::SendEmoticon {
                to: "a".into(),
                md5: some("m"),
                media_id: some("i"),
            },
            Command::SendEmoticon {
                to: "a".into(),
                md5: None,
                media_id: None,
            },
            Command::Forward {
                to: "a".into(),
                msg_id: some("1"),
                message: None,
            },
            Command::Revoke {
                to: "a".into(),
                msg_id: "1".into(),
            },
            Command::MarkRead { chat: "a".into() },
            Command::Download {
                msg_id: some("1"),
                media: Some(Download::MemberAvatar {
                    user_name: "u".into(),
                    group: "g".into(),
                }),
                save_to: some("/d"),
                inline: true,
            },
            Command::Download {
                msg_id: None,
                media: None,
                save_to: None,
                inline: false,
            },
            Command::AcceptFriend {
                msg_id: some("1"),
                user_name: some("u"),
                ticket: some("t"),
            },
            Command::AcceptFriend {
                msg_id: None,
                user_name: None,
                ticket: None,
            },
            Command::AddFriend {
                user_name: "u".into(),
                greeting: "hi".into(),
            },
            Command::AddFriend {
                user_name: "u".into(),
                greeting: String::new(),
            },
            Command::CreateGroup {
                topic: "t".into(),
                members: vec!["a".into(), "b".into()],
            },
            Command::AddMembers {
                group: "g".into(),
                members: vec!["a".into()],
            },
            Command::RemoveMembers {
                group: "g".into(),
                members: vec![],
            },
            Command::RenameGroup {
                group: "g".into(),
                topic: "t".into(),
            },
            Command::SetRemark {
                user: "u".into(),
                remark: "r".into(),
            },
            Command::Pin { chat: "a".into() },
            Command::Unpin { chat: "a".into() },
            Command::FetchGroupMembers { group: "g".into() },
            Command::CancelUpload {
                command: Some(CommandId::from("s")),
                local_id: some("l"),
                upload: Some(3),
            },
            Command::CancelUpload {
                command: Some(CommandId::from(7)),
                local_id: None,
                upload: None,
            },
            Command::CancelUpload {
                command: Some(CommandId::Bool(true)),
                local_id: None,
                upload: None,
            },
            Command::Logout {},
            Command::Contacts {
                kind: Some(ContactKind::Group),
                search: some("s"),
                members: true,
            },
            Command::Contacts {
                kind: None,
                search: None,
                members: false,
            },
            Command::Me {},
        ]
    }

    #[test]
    fn every_command_reads_back_as_written() {
        for c in samples() {
            let text = serde_json::to_string(&c).unwrap();
            let back = Request::parse(&text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(back.command, c, "{text}");
            // And through Command's own Deserialize.
            assert_eq!(serde_json::from_str::<Command>(&text).unwrap(), c, "{text}");
        }
    }

    /// `"id"`, `"timeout_ms"` and `"cmd"` are read wherever they stand, and are not
    /// fields of the variant; what is not an object is refused as before.
    #[test]
    fn head_keys_anywhere_and_not_objects() {
        let r = Request::parse(
            r#"{"to": "a", "timeout_ms": 5, "text": "b", "cmd": "send_text", "id": "x"}"#,
        )
        .unwrap();
        assert_eq!(r.command, Command::send_text("a", "b"));
        assert_eq!(r.id, Some(CommandId::from("x")));
        assert_eq!(r.timeout, Some(std::time::Duration::from_millis(5)));
        let r = Request::parse(r#"{"cmd": "me", "id": null, "timeout_ms": null}"#).unwrap();
        assert_eq!((r.command, r.id, r.timeout), (Command::Me {}, None, None));
        for text in ["[1, {}]", "5", "\"me\"", "null", "true"] {
            let (id, e) = Request::parse(text).unwrap_err();
            assert_eq!(
                (id, e.message.as_str()),
                (None, "a command is a JSON object"),
                "{text}"
            );
        }
        let (_, e) = Request::parse(r#"{"cmd": "me"} x"#).unwrap_err();
        assert!(
            e.message
                .starts_with("not a JSON object: trailing characters"),
            "{}",
            e.message
        );
        let (id, e) = Request::parse(r#"{"id": 3, "timeout_ms": 1.5, "cmd": "me"}"#).unwrap_err();
        assert_eq!(id, Some(CommandId::from(3)));
        assert_eq!(e.message, "\"timeout_ms\" must be a positive integer");
        let (id, e) = Request::parse(r#"{"id": [3], "cmd": "me"}"#).unwrap_err();
        assert_eq!(
            (id, e.message.as_str()),
            (None, "\"id\" must be a number, a string or a boolean")
        );
        let (id, e) = Request::parse(r#"{"id": 4, "to": "a"}"#).unwrap_err();
        assert_eq!(
            (id, e.message.as_str()),
            (Some(CommandId::from(4)), "missing \"cmd\"")
        );
        assert_eq!(
            Request::parse(r#"{"cmd": "nope"}"#).unwrap_err().1.message,
            "unknown variant `nope`, expected one of `send_text`, `send_file`, `send_emoticon`, `forward`, `revoke`, `mark_read`, `download`, `accept_friend`, `add_friend`, `create_group`, `add_members`, `remove_members`, `rename_group`, `set_remark`, `pin`, `unpin`, `fetch_group_members`, `cancel_upload`, `logout`, `contacts`, `me`"
        );
    }

    #[test]
    fn refusals_name_what_is_wrong() {
        let msg = |text: &str| Request::parse(text).unwrap_err().1.message;
        assert_eq!(
            msg(r#"{"cmd": 0, "to": "a", "text": "b"}"#),
            "\"cmd\" must be a string"
        );
        assert_eq!(
            msg(r#"{"cmd": "pin"}"#),
            "missing field `chat`",
            "a variant's own field"
        );
        assert_eq!(
            msg(r#"{"cmd": "me", "x": 1}"#),
            "unknown field `x`, there are no fields"
        );
        assert_eq!(
            msg(r#"{"cmd": "pin", "chat": 5}"#),
            "invalid type: integer `5`, expected a string"
        );
        assert_eq!(
            msg(r#"{"cmd": "cancel_upload", "command": [1]}"#),
            "invalid type: sequence, expected a number, a string or a boolean"
        );
        assert_eq!(
            msg(r#"{"cmd": "download", "media": {"what": "nope"}}"#),
            "unknown variant `nope`, expected one of `image`, `voice`, `video`, `file`, `avatar`, `member_avatar`"
        );
    }
}
