//! Received messages: the raw `AddMsgList` entry ([`RawMessage`]) and its typed form
//! ([`Message`], [`MessageKind`]).
//!
//! [`Message::from_raw`] is total: every entry becomes a message, never an error or a
//! panic; what it cannot read stays in [`Message::raw`] and, for unknown types, in
//! [`MessageKind::Unknown`]. Text is normalized with [`normalize_text`] (entities,
//! `<br/>`, emoji spans, SoftBank emoji), which is public for nick names too.
//!
//! ```
//! use webwx_core::message::{Message, MessageKind, RawMessage, SelfInfo, NoGroupNames};
//! let raw: RawMessage = serde_json::from_str(r#"{"MsgId":"1","MsgType":1,
//!     "FromUserName":"@@room","ToUserName":"@me","NewMsgId":1,
//!     "Content":"@abc:<br/>@Bot\u2005hi &amp; <span class=\"emoji emoji1f604\"></span>"}"#).unwrap();
//! let me = SelfInfo { user_name: "@me", nick_name: "Bot" };
//! let msg = Message::from_raw(raw, &me, &NoGroupNames);
//! assert_eq!(msg.chat, "@@room");
//! assert_eq!(msg.sender, "@abc");
//! assert!(msg.mentioned_me);
//! assert_eq!(msg.kind, MessageKind::Text { text: "@Bot\u{2005}hi & 😄".into() });
//! ```

mod appmsg;
mod classify;
mod contact;
pub mod emoji;
mod group;
mod kind;
mod location;
mod media;
mod mention;
mod raw;
mod sysmsg;
mod text;
mod xml;

use serde::{Deserialize, Serialize};

pub use group::{is_group_user_name, split_group_sender};
pub use kind::{
    AppDetail, AppMessage, Location, MessageKind, Party, RecommendContact, RevokedMessage,
    StatusNotifyOp, SystemEvent, VideoInfo,
};
pub use mention::{at_user_list, mentioned_names, mentions_name};
pub use raw::{RawAppInfo, RawMessage, RawRecommendInfo};
pub use sysmsg::system_event;
pub use text::normalize_text;

/// Who I am, for telling outgoing messages and mentions apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SelfInfo<'a> {
    /// My session user name (`@…`).
    pub user_name: &'a str,
    /// My nick name (as the server sends it; normalized before matching).
    pub nick_name: &'a str,
}

/// What the caller knows about groups, for mention detection.
pub trait GroupNames {
    /// My display name inside a group, if set.
    fn my_display_name_in(&self, group: &str) -> Option<String>;
}

/// A [`GroupNames`] that knows no display names (mentions then match my nick name).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoGroupNames;

impl GroupNames for NoGroupNames {
    fn my_display_name_in(&self, _group: &str) -> Option<String> {
        None
    }
}

/// A received message, typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct Message {
    /// `MsgId`: the id for media downloads (`webwxgetmsgimg?MsgID=`…) and revoking.
    pub id: String,
    /// `NewMsgId` (a string in JSON: it does not fit a JavaScript number).
    #[serde(with = "crate::id64")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::id64::Id64"),
        ts(type = "string")
    )]
    pub new_id: u64,
    /// `FromUserName`.
    pub from: String,
    /// `ToUserName`.
    pub to: String,
    /// The conversation: the peer (or group) — `to` for my own messages, else `from`.
    pub chat: String,
    /// The real sender: in groups the member split from the `@id:<br/>` prefix (the
    /// group itself when there is none, e.g. system messages); my user name for
    /// outgoing messages; else `from`.
    pub sender: String,
    /// Whether `chat` is a group.
    pub is_group: bool,
    /// Whether I sent it (from this or another of my devices).
    pub outgoing: bool,
    /// `CreateTime`: seconds since the Unix epoch.
    pub time: u64,
    /// Whether an incoming group text mentions me (`@` + my display name in the group,
    /// else my nick name, ended by U+2005, a space or the end), or the `MsgSource`
    /// at-user list names me.
    pub mentioned_me: bool,
    /// User names of the `MsgSource` `<atuserlist>` (empty when absent, as it mostly is
    /// on the web).
    pub mentions: Vec<String>,
    /// Names mentioned in a group text (`@name` followed by U+2005).
    pub mentioned_names: Vec<String>,
    /// What the message is.
    pub kind: MessageKind,
    /// The entry as it came.
    pub raw: RawMessage,
}

impl Message {
    /// Types a raw `AddMsgList` entry. Total: never panics, never fails.
    pub fn from_raw(raw: RawMessage, me: &SelfInfo<'_>, groups: &dyn GroupNames) -> Message {
        let MessageRef {
            chat,
            sender,
            is_group,
            outgoing,
            mentioned_me,
            mentions,
            mentioned_names,
            kind,
            ..
        } = MessageRef::new(&raw, me, groups);
        let (chat, sender) = (chat.to_owned(), sender.to_owned());
        Message {
            id: raw.msg_id.clone(),
            new_id: raw.new_msg_id,
            from: raw.from_user_name.clone(),
            to: raw.to_user_name.clone(),
            chat,
            sender,
            is_group,
            outgoing,
            time: raw.create_time,
            mentioned_me,
            mentions,
            mentioned_names,
            kind,
            raw,
        }
    }
}

/// A message typed as [`Message::from_raw`] types it, borrowing what it can from the
/// entry instead of copying it: `chat` and `sender` are slices of the entry (or of my
/// user name), and the id, `from`, `to` and time are the entry's own fields. For reading
/// many messages where each copy counts (`webwx decode sync` writes each one without
/// ever making a [`Message`]); [`MessageRef::to_message`] gives the owned form.
///
/// ```
/// use webwx_core::message::{Message, MessageRef, RawMessage, SelfInfo, NoGroupNames};
/// let raw: RawMessage = serde_json::from_str(r#"{"MsgId":"1","MsgType":1,
///     "FromUserName":"@@room","ToUserName":"@me","Content":"@abc:<br/>hi"}"#).unwrap();
/// let me = SelfInfo { user_name: "@me", nick_name: "Bot" };
/// let typed = MessageRef::new(&raw, &me, &NoGroupNames);
/// assert_eq!((typed.chat, typed.sender), ("@@room", "@abc"));
/// assert_eq!(typed.to_message(), Message::from_raw(raw.clone(), &me, &NoGroupNames));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MessageRef<'a> {
    /// The entry as it came: [`Message::id`] is its `msg_id`, [`Message::new_id`] its
    /// `new_msg_id`, [`Message::from`] / [`Message::to`] its `from_user_name` /
    /// `to_user_name`, [`Message::time`] its `create_time`.
    pub raw: &'a RawMessage,
    /// [`Message::chat`].
    pub chat: &'a str,
    /// [`Message::sender`].
    pub sender: &'a str,
    /// [`Message::is_group`].
    pub is_group: bool,
    /// [`Message::outgoing`].
    pub outgoing: bool,
    /// [`Message::mentioned_me`].
    pub mentioned_me: bool,
    /// [`Message::mentions`].
    pub mentions: Vec<String>,
    /// [`Message::mentioned_names`].
    pub mentioned_names: Vec<String>,
    /// [`Message::kind`].
    pub kind: MessageKind,
}

impl<'a> MessageRef<'a> {
    /// Types `raw` (see [`Message::from_raw`]). Total: never panics, never fails.
    pub fn new(raw: &'a RawMessage, me: &SelfInfo<'a>, groups: &dyn GroupNames) -> MessageRef<'a> {
        let outgoing = !me.user_name.is_empty() && raw.from_user_name == me.user_name;
        let chat = if outgoing {
            raw.to_user_name.as_str()
        } else {
            raw.from_user_name.as_str()
        };
        let is_group = is_group_user_name(chat);

        let (sender, body) = if outgoing {
            (me.user_name, raw.content.as_str())
        } else if is_group {
            match split_group_sender(&raw.content) {
                Some((member, rest)) => (member, rest),
                None => (chat, raw.content.as_str()),
            }
        } else {
            (raw.from_user_name.as_str(), raw.content.as_str())
        };

        let kind = classify::classify(raw, body);
        let mentions = at_user_list(&raw.msg_source);

        let mut mentioned_me = false;
        let mut names = Vec::new();
        if is_group && !outgoing {
            if let MessageKind::Text { text } = &kind {
                names = mentioned_names(text);
                let display = groups
                    .my_display_name_in(chat)
                    .filter(|d| !d.trim().is_empty());
                mentioned_me = match &display {
                    Some(d) => mentions_name(text, d),
                    None => mentions_name(text, me.nick_name),
                };
            }
            if !me.user_name.is_empty() && mentions.iter().any(|m| m == me.user_name) {
                mentioned_me = true;
            }
        }

        MessageRef {
            raw,
            chat,
            sender,
            is_group,
            outgoing,
            mentioned_me,
            mentions,
            mentioned_names: names,
            kind,
        }
    }

    /// The owned [`Message`] (the entry copied into [`Message::raw`]).
    pub fn to_message(&self) -> Message {
        Message {
            id: self.raw.msg_id.clone(),
            new_id: self.raw.new_msg_id,
            from: self.raw.from_user_name.clone(),
            to: self.raw.to_user_name.clone(),
            chat: self.chat.to_owned(),
            sender: self.sender.to_owned(),
            is_group: self.is_group,
            outgoing: self.outgoing,
            time: self.raw.create_time,
            mentioned_me: self.mentioned_me,
            mentions: self.mentions.clone(),
            mentioned_names: self.mentioned_names.clone(),
            kind: self.kind.clone(),
            raw: self.raw.clone(),
        }
    }
}
