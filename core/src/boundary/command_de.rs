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
//! skipped), then the object again, its keys looked up in the variant's fields ([`SPECS`])
//! and each value read into a [`Bag`] of every variant's fields, the head's keys skipped.
//! [`Command`]'s own `Deserialize` (a map from any deserializer) reads the same way.
//!
//! One reader for every variant instead of serde's derive of an externally tagged mirror
//! enum: the derive gave each of the 21 variants its own key visitor and map visitor, a
//! third of the browser package's command code. The messages are still serde's own
//! (`unknown variant`, `unknown field .., expected one of ..`, `missing field`, `duplicate
//! field`, each value's own), without serde_json's `at line .. column ..`, word for word;
//! `tests` reads every variant back from what [`Command`] writes and checks the reader,
//! input for input, against the derived mirror it replaced (kept there as the reference).

use super::command::{Command, CommandId, Request};
use super::error::{ErrorInfo, ErrorKind};
use crate::contacts::ContactKind;
use crate::media::Download;
use crate::message::Message;
use crate::upload::MediaKind;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
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
    /// Reads the command in `map` (a command object without `"id"` and `"timeout_ms"`:
    /// here they are unknown fields).
    pub(super) fn from_map(mut map: Map<String, Value>) -> Result<Command, serde_json::Error> {
        use serde::de::Error as _;
        let name = match map.remove("cmd") {
            None => return Err(serde_json::Error::missing_field("cmd")),
            Some(Value::String(name)) => name,
            Some(_) => return Err(serde_json::Error::custom("\"cmd\" must be a string")),
        };
        let index = variant_index(&name)?;
        let fields = Fields {
            spec: &SPECS[index],
            skip_head: false,
        };
        Ok(Value::Object(map).deserialize_map(fields)?.command(index))
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
///
/// As serde's derive of an externally tagged enum with `deny_unknown_fields` reads
/// `{"<name>": <text>}`, message for message.
pub(super) fn read_variant(name: &str, text: &[u8]) -> Result<Command, serde_json::Error> {
    let index = variant_index(name)?;
    let mut de = serde_json::Deserializer::from_slice(text);
    let bag = (&mut de).deserialize_map(Fields {
        spec: &SPECS[index],
        skip_head: true,
    })?;
    de.end()?;
    Ok(bag.command(index))
}

/// The `"cmd"` of every variant, in [`Command`]'s order (the order serde's messages list
/// them in); [`SPECS`] has each one's fields at the same index.
const NAMES: &[&str] = &[
    "send_text",
    "send_file",
    "send_emoticon",
    "forward",
    "revoke",
    "mark_read",
    "download",
    "accept_friend",
    "add_friend",
    "create_group",
    "add_members",
    "remove_members",
    "rename_group",
    "set_remark",
    "pin",
    "unpin",
    "fetch_group_members",
    "cancel_upload",
    "logout",
    "contacts",
    "me",
];

/// A variant's fields: their keys in declaration order (what `unknown field ..,
/// expected ..` lists), where each is read to, and which must be given (bit `i`: field
/// `i`; the others have serde's `default`).
struct Spec {
    keys: &'static [&'static str],
    slots: &'static [Slot],
    required: u32,
}

/// Where a field's value is read to: one per name and type ([`Bag`]).
#[derive(Clone, Copy)]
enum Slot {
    To,
    Text,
    Mentions,
    FileName,
    DataB64,
    Path,
    As,
    Md5,
    MediaId,
    MsgId,
    MsgIdOpt,
    Message,
    Media,
    SaveTo,
    Inline,
    UserName,
    UserNameOpt,
    Ticket,
    Greeting,
    Topic,
    Members,
    Group,
    User,
    Remark,
    Chat,
    Command,
    LocalId,
    Upload,
    Kind,
    Search,
    MembersFlag,
}

const SPECS: [Spec; 21] = {
    use Slot::*;
    const fn spec(keys: &'static [&'static str], slots: &'static [Slot], required: u32) -> Spec {
        assert!(keys.len() == slots.len());
        Spec {
            keys,
            slots,
            required,
        }
    }
    [
        spec(&["to", "text", "mentions"], &[To, Text, Mentions], 0b11),
        spec(
            &["to", "file_name", "data_b64", "path", "as"],
            &[To, FileName, DataB64, Path, As],
            0b1,
        ),
        spec(&["to", "md5", "media_id"], &[To, Md5, MediaId], 0b1),
        spec(&["to", "msg_id", "message"], &[To, MsgIdOpt, Message], 0b1),
        spec(&["to", "msg_id"], &[To, MsgId], 0b11),
        spec(&["chat"], &[Chat], 0b1),
        spec(
            &["msg_id", "media", "save_to", "inline"],
            &[MsgIdOpt, Media, SaveTo, Inline],
            0,
        ),
        spec(
            &["msg_id", "user_name", "ticket"],
            &[MsgIdOpt, UserNameOpt, Ticket],
            0,
        ),
        spec(&["user_name", "greeting"], &[UserName, Greeting], 0b1),
        spec(&["topic", "members"], &[Topic, Members], 0b11),
        spec(&["group", "members"], &[Group, Members], 0b11),
        spec(&["group", "members"], &[Group, Members], 0b11),
        spec(&["group", "topic"], &[Group, Topic], 0b11),
        spec(&["user", "remark"], &[User, Remark], 0b11),
        spec(&["chat"], &[Chat], 0b1),
        spec(&["chat"], &[Chat], 0b1),
        spec(&["group"], &[Group], 0b1),
        spec(
            &["command", "local_id", "upload"],
            &[Command, LocalId, Upload],
            0,
        ),
        spec(&[], &[], 0),
        spec(
            &["kind", "search", "members"],
            &[Kind, Search, MembersFlag],
            0,
        ),
        spec(&[], &[], 0),
    ]
};

/// The fields of a command as read (those not given keep their default).
#[derive(Default)]
struct Bag {
    to: String,
    text: String,
    mentions: Vec<String>,
    file_name: Option<String>,
    data_b64: Option<String>,
    path: Option<String>,
    as_kind: Option<MediaKind>,
    md5: Option<String>,
    media_id: Option<String>,
    msg_id: String,
    msg_id_opt: Option<String>,
    message: Option<Box<Message>>,
    media: Option<Download>,
    save_to: Option<String>,
    inline: bool,
    user_name: String,
    user_name_opt: Option<String>,
    ticket: Option<String>,
    greeting: String,
    topic: String,
    members: Vec<String>,
    group: String,
    user: String,
    remark: String,
    chat: String,
    command: Option<CommandId>,
    local_id: Option<String>,
    upload: Option<u64>,
    kind: Option<ContactKind>,
    search: Option<String>,
    members_flag: bool,
}

impl Bag {
    /// Reads the value of the field in `slot`.
    fn read<'de, A: MapAccess<'de>>(&mut self, slot: Slot, map: &mut A) -> Result<(), A::Error> {
        match slot {
            Slot::To => self.to = map.next_value()?,
            Slot::Text => self.text = map.next_value()?,
            Slot::Mentions => self.mentions = map.next_value()?,
            Slot::FileName => self.file_name = map.next_value()?,
            Slot::DataB64 => self.data_b64 = map.next_value()?,
            Slot::Path => self.path = map.next_value()?,
            Slot::As => self.as_kind = map.next_value()?,
            Slot::Md5 => self.md5 = map.next_value()?,
            Slot::MediaId => self.media_id = map.next_value()?,
            Slot::MsgId => self.msg_id = map.next_value()?,
            Slot::MsgIdOpt => self.msg_id_opt = map.next_value()?,
            Slot::Message => self.message = map.next_value_seed(InlineMessage)?,
            Slot::Media => self.media = map.next_value()?,
            Slot::SaveTo => self.save_to = map.next_value()?,
            Slot::Inline => self.inline = map.next_value()?,
            Slot::UserName => self.user_name = map.next_value()?,
            Slot::UserNameOpt => self.user_name_opt = map.next_value()?,
            Slot::Ticket => self.ticket = map.next_value()?,
            Slot::Greeting => self.greeting = map.next_value()?,
            Slot::Topic => self.topic = map.next_value()?,
            Slot::Members => self.members = map.next_value()?,
            Slot::Group => self.group = map.next_value()?,
            Slot::User => self.user = map.next_value()?,
            Slot::Remark => self.remark = map.next_value()?,
            Slot::Chat => self.chat = map.next_value()?,
            Slot::Command => self.command = map.next_value()?,
            Slot::LocalId => self.local_id = map.next_value()?,
            Slot::Upload => self.upload = map.next_value()?,
            Slot::Kind => self.kind = map.next_value()?,
            Slot::Search => self.search = map.next_value()?,
            Slot::MembersFlag => self.members_flag = map.next_value()?,
        }
        Ok(())
    }

    /// The command of variant `index` ([`NAMES`]).
    fn command(self, index: usize) -> Command {
        let b = self;
        match index {
            0 => Command::SendText {
                to: b.to,
                text: b.text,
                mentions: b.mentions,
            },
            1 => Command::SendFile {
                to: b.to,
                file_name: b.file_name,
                data_b64: b.data_b64,
                path: b.path,
                as_kind: b.as_kind,
            },
            2 => Command::SendEmoticon {
                to: b.to,
                md5: b.md5,
                media_id: b.media_id,
            },
            3 => Command::Forward {
                to: b.to,
                msg_id: b.msg_id_opt,
                message: b.message,
            },
            4 => Command::Revoke {
                to: b.to,
                msg_id: b.msg_id,
            },
            5 => Command::MarkRead { chat: b.chat },
            6 => Command::Download {
                msg_id: b.msg_id_opt,
                media: b.media,
                save_to: b.save_to,
                inline: b.inline,
            },
            7 => Command::AcceptFriend {
                msg_id: b.msg_id_opt,
                user_name: b.user_name_opt,
                ticket: b.ticket,
            },
            8 => Command::AddFriend {
                user_name: b.user_name,
                greeting: b.greeting,
            },
            9 => Command::CreateGroup {
                topic: b.topic,
                members: b.members,
            },
            10 => Command::AddMembers {
                group: b.group,
                members: b.members,
            },
            11 => Command::RemoveMembers {
                group: b.group,
                members: b.members,
            },
            12 => Command::RenameGroup {
                group: b.group,
                topic: b.topic,
            },
            13 => Command::SetRemark {
                user: b.user,
                remark: b.remark,
            },
            14 => Command::Pin { chat: b.chat },
            15 => Command::Unpin { chat: b.chat },
            16 => Command::FetchGroupMembers { group: b.group },
            17 => Command::CancelUpload {
                command: b.command,
                local_id: b.local_id,
                upload: b.upload,
            },
            18 => Command::Logout {},
            19 => Command::Contacts {
                kind: b.kind,
                search: b.search,
                members: b.members_flag,
            },
            _ => Command::Me {},
        }
    }
}

/// A `forward` command's `message` ([`super::command::inline_message`]).
struct InlineMessage;

impl<'de> DeserializeSeed<'de> for InlineMessage {
    type Value = Option<Box<Message>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        super::command::inline_message(d)
    }
}

/// The index of the variant `name` in [`NAMES`].
fn variant_index(name: &str) -> Result<usize, serde_json::Error> {
    NAMES
        .iter()
        .position(|n| *n == name)
        .ok_or_else(|| de::Error::unknown_variant(name, NAMES))
}

/// The fields of one variant.
struct Fields {
    spec: &'static Spec,
    skip_head: bool,
}

impl<'de> Visitor<'de> for Fields {
    type Value = Bag;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a command object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Bag, A::Error> {
        let spec = self.spec;
        let mut bag = Bag::default();
        let mut seen = 0u32;
        let keys = FieldKey {
            keys: spec.keys,
            skip_head: self.skip_head,
        };
        while let Some(key) = map.next_key_seed(keys)? {
            let Some(i) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if seen & (1 << i) != 0 {
                return Err(de::Error::duplicate_field(spec.keys[i]));
            }
            seen |= 1 << i;
            bag.read(spec.slots[i], &mut map)?;
        }
        let missing = spec.required & !seen;
        if missing != 0 {
            let first = missing.trailing_zeros() as usize;
            return Err(de::Error::missing_field(spec.keys[first]));
        }
        Ok(bag)
    }
}

/// A key of a command object: the index of the variant's field it names, `None` for a
/// head key (skipped), an `unknown field` error for anything else.
#[derive(Clone, Copy)]
struct FieldKey {
    keys: &'static [&'static str],
    skip_head: bool,
}

impl<'de> DeserializeSeed<'de> for FieldKey {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for FieldKey {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        if self.skip_head && !matches!(head_key(v), HeadKey::Other) {
            return Ok(None);
        }
        match self.keys.iter().position(|k| *k == v) {
            Some(i) => Ok(Some(i)),
            None => Err(E::unknown_field(v, self.keys)),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::Request;

    use serde::de::{EnumAccess, IntoDeserializer, VariantAccess};

    // ---- the reference: the derived mirror enum this module read commands with before ----

    /// [`read_variant`] as it was: `{"<name>": <text>}` read by serde's derive of
    /// [`CommandDe`], the head's keys hidden from it.
    fn derived_read(name: &str, text: &[u8]) -> Result<Command, serde_json::Error> {
        CommandDe::deserialize(Tagged { name, text }).map(Command::from)
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
        fn newtype_variant_seed<T: DeserializeSeed<'de>>(
            self,
            _: T,
        ) -> Result<T::Value, Self::Error> {
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
        fn next_value_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<T::Value, A::Error> {
            self.0.next_value_seed(seed)
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
            #[serde(default, deserialize_with = "crate::boundary::command::inline_message")]
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

    /// The variants of [`Command`] and their fields, once: both conversions below are
    /// written from this list, so a variant or field of `Command` the mirror lacks (or the
    /// other way round) does not build.
    macro_rules! both_ways {
        ($($variant:ident { $($field:ident),* }),* $(,)?) => {
            impl From<CommandDe> for Command {
                fn from(c: CommandDe) -> Command {
                    match c {
                        $(CommandDe::$variant { $($field),* } => Command::$variant { $($field),* },)*
                    }
                }
            }

            /// The way back, for the compiler only (see above).
            #[allow(dead_code)]
            fn mirror(c: Command) -> CommandDe {
                match c {
                    $(Command::$variant { $($field),* } => CommandDe::$variant { $($field),* },)*
                }
            }
        };
    }

    both_ways! {
        SendText { to, text, mentions },
        SendFile { to, file_name, data_b64, path, as_kind },
        SendEmoticon { to, md5, media_id },
        Forward { to, msg_id, message },
        Revoke { to, msg_id },
        MarkRead { chat },
        Download { msg_id, media, save_to, inline },
        AcceptFriend { msg_id, user_name, ticket },
        AddFriend { user_name, greeting },
        CreateGroup { topic, members },
        AddMembers { group, members },
        RemoveMembers { group, members },
        RenameGroup { group, topic },
        SetRemark { user, remark },
        Pin { chat },
        Unpin { chat },
        FetchGroupMembers { group },
        CancelUpload { command, local_id, upload },
        Logout {},
        Contacts { kind, search, members },
        Me {},
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

    /// What the reader and the derived mirror are compared on: every sample, and each
    /// with one of its keys left out, given twice, given a value of every JSON type, plus
    /// an unknown key and the head's keys; every variant with no fields; an unknown one.
    fn variations() -> Vec<(String, String)> {
        use serde_json::json;
        let mut out = Vec::new();
        let mut dups = Vec::new();
        for c in samples() {
            let v = serde_json::to_value(&c).unwrap();
            let obj = v.as_object().unwrap();
            let name = obj["cmd"].as_str().unwrap().to_owned();
            let mut push = |o: &Map<String, Value>| {
                out.push((name.clone(), Value::Object(o.clone()).to_string()))
            };
            push(obj);
            let mut extra = obj.clone();
            extra.insert("zz".into(), json!(1));
            push(&extra);
            let mut head = obj.clone();
            head.insert("id".into(), json!(1));
            head.insert("timeout_ms".into(), json!(2));
            push(&head);
            for key in obj.keys().filter(|k| *k != "cmd") {
                let mut o = obj.clone();
                o.remove(key);
                push(&o);
                for bad in [
                    json!(null),
                    json!(5),
                    json!(-1),
                    json!(1.5),
                    json!("x"),
                    json!([]),
                    json!(["a"]),
                    json!({}),
                    json!({"what": "voice", "msg_id": "1"}),
                    json!(true),
                ] {
                    let mut o = obj.clone();
                    o.insert(key.clone(), bad);
                    push(&o);
                }
                let text = Value::Object(obj.clone()).to_string();
                dups.push((
                    name.clone(),
                    format!("{{\"{key}\":{},{}", obj[key], &text[1..]),
                ));
            }
        }
        out.append(&mut dups);
        for name in NAMES.iter().chain(&["nope", ""]) {
            out.push((name.to_string(), r#"{"cmd": "x"}"#.into()));
            out.push((name.to_string(), r#"{"cmd": "x", "x": 1}"#.into()));
        }
        out
    }

    /// Input for input, the reader gives what the derived mirror gave: the same command
    /// or the same error, message and position; and from a `serde_json::Value` (with
    /// `"id"` and `"timeout_ms"` unknown fields there), the same message.
    #[test]
    fn reads_as_the_derived_mirror() {
        let variations = variations();
        let mut errors = 0;
        for (name, text) in &variations {
            let new = read_variant(name, text.as_bytes()).map_err(|e| e.to_string());
            let old = derived_read(name, text.as_bytes()).map_err(|e| e.to_string());
            assert_eq!(new, old, "{name}: {text}");
            errors += usize::from(new.is_err());
            let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(text) else {
                unreachable!()
            };
            map.remove("cmd");
            let mut outer = Map::new();
            outer.insert(name.clone(), Value::Object(map.clone()));
            let old = serde_json::from_value::<CommandDe>(Value::Object(outer))
                .map(Command::from)
                .map_err(|e| e.to_string());
            map.insert("cmd".into(), Value::String(name.clone()));
            let new = Command::from_map(map).map_err(|e| e.to_string());
            assert_eq!(new, old, "from a Value, {name}: {text}");
        }
        // Both outcomes were seen, many times.
        assert!(errors > 200 && variations.len() - errors > 50, "{errors}");
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
