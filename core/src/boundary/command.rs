//! Commands on the JSON boundary: one object per command, tagged by `"cmd"`.

use crate::contacts::ContactKind;
use crate::media::Download;
use crate::message::Message;
use crate::upload::MediaKind;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The `"id"` a host puts on a command, echoed as the `"answer"` of its answer: any JSON
/// number, string or boolean.
// `Deserialize` is written out in `command_de` (a visitor, not serde's untagged form).
// Not a doc comment: the docs are the schema's descriptions (schema/).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(untagged)]
pub enum CommandId {
    /// A number (kept exactly as written).
    Number(
        #[cfg_attr(feature = "schema", schemars(with = "f64"), ts(type = "number"))]
        serde_json::Number,
    ),
    /// A string.
    String(String),
    /// A boolean.
    Bool(bool),
}

impl From<u64> for CommandId {
    fn from(n: u64) -> Self {
        CommandId::Number(n.into())
    }
}

impl From<&str> for CommandId {
    fn from(s: &str) -> Self {
        CommandId::String(s.to_owned())
    }
}

/// The `message` of a `forward` command: read with the `inline-forward` feature.
#[cfg(feature = "inline-forward")]
pub(super) fn inline_message<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Box<Message>>, D::Error> {
    Option::<Box<Message>>::deserialize(d)
}

/// The `message` of a `forward` command: without the `inline-forward` feature (the
/// browser package, where reading a message would be a sixth of the `.wasm`) an inline
/// message is refused, clearly; `msg_id` forwards any message seen in the session.
#[cfg(not(feature = "inline-forward"))]
pub(super) fn inline_message<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Box<Message>>, D::Error> {
    match Option::<serde::de::IgnoredAny>::deserialize(d)? {
        None => Ok(None),
        Some(_) => Err(serde::de::Error::custom(
            "this build forwards by \"msg_id\" only: an inline \"message\" is not read here \
             (webwx-core without its `inline-forward` feature)",
        )),
    }
}

/// A command, as a host writes it: `{"cmd": "send_text", "to": "Alice", "text": "hi"}`.
///
/// Every field not listed is refused (`deny_unknown_fields`): a typo such as `"txt"` is
/// a `bad_command` error naming the fields expected, never a silently ignored field.
/// Beside these fields a command object may carry `"id"` (see [`CommandId`]) and
/// `"timeout_ms"` ([`Request`]).
///
/// Names (`to`, `chat`, `group`, `user`, `members`) are UserNames or names, resolved by
/// [`crate::names`].
// Read by `command_de` (its `Deserialize` takes `"cmd"` out first instead of buffering
// the object as serde's internally tagged form does); the serde attributes here are what
// it writes and what the schema says. Not a doc comment: the docs are the schema's
// descriptions (schema/).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Command {
    /// Sends a text; answers `sent`.
    SendText {
        /// The chat.
        to: String,
        /// The text, as sent (write `@Name\u2005` for a mention).
        text: String,
        /// Group members to @mention (UserNames, display or nick names in the group).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(feature = "schema", ts(optional, as = "Option<Vec<String>>"))]
        mentions: Vec<String>,
    },
    /// Sends a file: its bytes as `data_b64` with a `file_name`, or (where the host has
    /// files: the CLI, the Rust drivers) a local `path`. The extension picks how it goes
    /// (image, video, GIF emoticon, file) unless `as` says. Answers `sent`.
    SendFile {
        /// The chat.
        to: String,
        /// The file name (required with `data_b64`; defaults to the name in `path`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        file_name: Option<String>,
        /// The bytes, standard base64.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        data_b64: Option<String>,
        /// A local file (not over the gateway's HTTP API, nor in the browser).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        path: Option<String>,
        /// Send as this kind instead of the extension's.
        #[serde(rename = "as", default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        as_kind: Option<MediaKind>,
    },
    /// Sends a sticker by its md5, or by the MediaId of an uploaded GIF. Answers `sent`.
    SendEmoticon {
        /// The chat.
        to: String,
        /// The sticker's md5.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        md5: Option<String>,
        /// The MediaId of an uploaded GIF.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        media_id: Option<String>,
    },
    /// Forwards a message: the `message` object of a `message` event, or the `msg_id` of
    /// one seen in this session. Answers `sent`.
    Forward {
        /// The chat to forward to.
        to: String,
        /// The `id` of a message seen in this session (the newest are kept: by default
        /// 512 at most, taking 8 KiB at most).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        msg_id: Option<String>,
        /// The message itself, as its event carried it (read only with the
        /// `inline-forward` feature, on by default; without it — the browser package —
        /// forward by `msg_id`).
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "inline_message"
        )]
        #[cfg_attr(feature = "schema", ts(optional))]
        message: Option<Box<Message>>,
    },
    /// Revokes a message we sent (`msg_id` from its `sent` answer) in chat `to`.
    /// Answers `done`.
    Revoke {
        /// The chat.
        to: String,
        /// The server's MsgId of the message.
        msg_id: String,
    },
    /// Tells the phone the chat was read. Answers `done`.
    MarkRead {
        /// The chat.
        chat: String,
    },
    /// Downloads a message's media (`msg_id` of a message seen in this session) or any
    /// [`Download`] (`media`). Answers `downloaded`: saved under `save_to` (a directory,
    /// or a file path that must not exist; never overwritten) where the host has files,
    /// else inline as base64 (also with `"inline": true`).
    Download {
        /// A message seen in this session (image, voice, video or file).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        msg_id: Option<String>,
        /// What to download, when not by `msg_id` (avatars, a file by its MediaId…).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        media: Option<Download>,
        /// Save to this directory or new file.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        save_to: Option<String>,
        /// Answer with the bytes in base64 (the default where `save_to` is not given).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        #[cfg_attr(feature = "schema", ts(optional, as = "Option<bool>"))]
        inline: bool,
    },
    /// Accepts a friend request: the `msg_id` of its message, or its `user_name` and
    /// `ticket`. Answers `done`.
    AcceptFriend {
        /// The friend request message (seen in this session).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        msg_id: Option<String>,
        /// The requester's UserName.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        user_name: Option<String>,
        /// The request's ticket.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        ticket: Option<String>,
    },
    /// Asks someone (a group member, say) to be a friend. Answers `done`.
    AddFriend {
        /// Their UserName.
        user_name: String,
        /// The greeting.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        #[cfg_attr(feature = "schema", ts(optional, as = "Option<String>"))]
        greeting: String,
    },
    /// Creates a group. Answers `group_created`.
    CreateGroup {
        /// Its name.
        topic: String,
        /// Friends to put in it.
        members: Vec<String>,
    },
    /// Adds (or, in big groups, invites) members. Answers `done`.
    AddMembers {
        /// The group.
        group: String,
        /// Who.
        members: Vec<String>,
    },
    /// Removes members (the owner only). Answers `done`.
    RemoveMembers {
        /// The group.
        group: String,
        /// Who.
        members: Vec<String>,
    },
    /// Renames a group. Answers `done`.
    RenameGroup {
        /// The group.
        group: String,
        /// The new name.
        topic: String,
    },
    /// Sets a contact's remark name. Answers `done`.
    SetRemark {
        /// The contact.
        user: String,
        /// The remark name (empty clears it).
        remark: String,
    },
    /// Pins a chat. Answers `done`.
    Pin {
        /// The chat.
        chat: String,
    },
    /// Unpins a chat. Answers `done`.
    Unpin {
        /// The chat.
        chat: String,
    },
    /// Fetches a group's member list into the contacts. Answers `members_fetched`.
    FetchGroupMembers {
        /// The group.
        group: String,
    },
    /// Cancels a file send still uploading: the `id` of its `send_file` command, its
    /// `local_id` or its `upload` (both in its `upload_progress` events). Answers
    /// `upload_cancelled`; the send itself then answers a `cancelled` error.
    CancelUpload {
        /// The `id` of the `send_file` command.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        command: Option<CommandId>,
        /// The send's LocalID.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        local_id: Option<String>,
        /// The upload's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        upload: Option<u64>,
    },
    /// Logs out through the server. Answers `logged_out` when the session has ended.
    Logout {},
    /// Lists contacts from the session's address book (nothing is sent). Answers
    /// `contacts` at once (when the session is ready).
    Contacts {
        /// Only this kind (`special` takes the file helper too).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        kind: Option<ContactKind>,
        /// Only contacts whose UserName is this, or whose nick name, remark name or
        /// alias contains it (case-insensitively).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        search: Option<String>,
        /// List each group's members too.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        #[cfg_attr(feature = "schema", ts(optional, as = "Option<bool>"))]
        members: bool,
    },
    /// Where the session is, who we are, how many contacts. Answers `me` at once, in
    /// any phase.
    Me {},
}

impl Command {
    /// The `"cmd"` name (`"send_text"`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Command::SendText { .. } => "send_text",
            Command::SendFile { .. } => "send_file",
            Command::SendEmoticon { .. } => "send_emoticon",
            Command::Forward { .. } => "forward",
            Command::Revoke { .. } => "revoke",
            Command::MarkRead { .. } => "mark_read",
            Command::Download { .. } => "download",
            Command::AcceptFriend { .. } => "accept_friend",
            Command::AddFriend { .. } => "add_friend",
            Command::CreateGroup { .. } => "create_group",
            Command::AddMembers { .. } => "add_members",
            Command::RemoveMembers { .. } => "remove_members",
            Command::RenameGroup { .. } => "rename_group",
            Command::SetRemark { .. } => "set_remark",
            Command::Pin { .. } => "pin",
            Command::Unpin { .. } => "unpin",
            Command::FetchGroupMembers { .. } => "fetch_group_members",
            Command::CancelUpload { .. } => "cancel_upload",
            Command::Logout {} => "logout",
            Command::Contacts { .. } => "contacts",
            Command::Me {} => "me",
        }
    }

    /// A text to `to`.
    pub fn send_text(to: &str, text: &str) -> Command {
        Command::SendText {
            to: to.to_owned(),
            text: text.to_owned(),
            mentions: Vec::new(),
        }
    }

    /// The bytes `data` as a file named `file_name` to `to`.
    pub fn send_bytes(to: &str, file_name: &str, data: &[u8]) -> Command {
        use base64::Engine as _;
        Command::SendFile {
            to: to.to_owned(),
            file_name: Some(file_name.to_owned()),
            data_b64: Some(base64::engine::general_purpose::STANDARD.encode(data)),
            path: None,
            as_kind: None,
        }
    }

    /// The local file `path` to `to` (hosts with files only).
    pub fn send_path(to: &str, path: &str) -> Command {
        Command::SendFile {
            to: to.to_owned(),
            file_name: None,
            data_b64: None,
            path: Some(path.to_owned()),
            as_kind: None,
        }
    }
}

/// A command with what travels beside it: its `"id"` and an optional `"timeout_ms"`
/// (else [`Timeouts`](super::Timeouts) decides).
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// Echoed as the answer's `"answer"`.
    pub id: Option<CommandId>,
    /// Answer a `timeout` error after this long.
    pub timeout: Option<Duration>,
    /// The command.
    pub command: Command,
}

impl From<Command> for Request {
    fn from(command: Command) -> Self {
        Request {
            id: None,
            timeout: None,
            command,
        }
    }
}
