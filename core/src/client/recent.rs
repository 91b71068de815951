//! The messages this session saw last: what `forward`, `download` and `accept_friend` by
//! `msg_id` look up, and what a revoke event reports as the message it took back.
//!
//! A session that runs for days sees many thousands of messages; a process may hold
//! thousands of sessions. So each message is kept as a [`RecentMessage`]: only what those
//! commands read of it (its ids, sender and time; a text's text, the content a forward
//! sends again, a file's download keys, a friend request's ticket), not the whole
//! [`Message`] with its raw fields (a record of a short text takes about 150 bytes against
//! about 2 KiB). The store keeps the newest records within [`RecentLimits`]: a number of
//! messages and a number of bytes, whichever binds first. A command naming a message the
//! store no longer holds fails clearly (the boundary says which limits apply); the
//! message itself (the `message` of its event) can always be forwarded instead.

use crate::endpoint::sendappmsg;
use crate::error::CommandError;
use crate::media::Download;
use crate::message::{AppDetail, Message, MessageKind, RevokedMessage};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Arc;

/// How many received messages a [`Client`](crate::Client) keeps by default
/// ([`RecentLimits::messages`]).
pub const RECENT_MESSAGES: usize = 512;

/// How many bytes the kept messages take at most by default ([`RecentLimits::bytes`]):
/// about 50 short texts (a record of a short text takes 130 to 220 bytes: about 80 for
/// itself, its text, and its sender unless a newer record shares it), or 8 images (whose
/// content, which a forward sends again, is most of a kilobyte). A modest default for a
/// process that holds thousands of sessions (issue 20: an idle session within 64 KiB,
/// a long-lived one too); one session alone can afford more ([`Config::recent`]).
///
/// [`Config::recent`]: crate::Config::recent
pub const RECENT_BYTES: usize = 8 * 1024;

/// How much of the messages it received a [`Client`](crate::Client) keeps for the
/// commands that name one by `msg_id` (`forward`, `download`, `accept_friend`) and for
/// the `original` of a revoke: the newest messages, at most `messages` of them and at
/// most `bytes` in all (counted as the records take them, strings as the allocator
/// rounds them). A host that holds many sessions may lower both; one session may raise
/// them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecentLimits {
    /// Most messages kept ([`RECENT_MESSAGES`] by default; 0: none).
    pub messages: usize,
    /// Most bytes the kept messages take ([`RECENT_BYTES`] by default).
    pub bytes: usize,
}

impl Default for RecentLimits {
    fn default() -> RecentLimits {
        RecentLimits {
            messages: RECENT_MESSAGES,
            bytes: RECENT_BYTES,
        }
    }
}

impl RecentLimits {
    /// At most `messages` messages taking at most `bytes`.
    pub fn new(messages: usize, bytes: usize) -> RecentLimits {
        RecentLimits { messages, bytes }
    }
}

/// A message's `MsgId`: a decimal number kept as one (as it always is), else its text.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Id {
    Number(u64),
    Text(Box<str>),
}

/// `id` as a number when it is a canonical decimal one (no sign, no leading zero), so
/// that writing the number back gives `id` again.
fn canonical_number(id: &str) -> Option<u64> {
    let canonical = !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && (id == "0" || !id.starts_with('0'));
    canonical.then(|| id.parse().ok()).flatten()
}

impl Id {
    fn of(id: &str) -> Id {
        canonical_number(id).map_or_else(|| Id::Text(id.into()), Id::Number)
    }

    fn is(&self, id: &str) -> bool {
        match self {
            Id::Number(n) => canonical_number(id) == Some(*n),
            Id::Text(t) => &**t == id,
        }
    }

    fn text(&self) -> String {
        match self {
            Id::Number(n) => n.to_string(),
            Id::Text(t) => t.to_string(),
        }
    }
}

/// What a forward of a message sends: the text again, an emoticon by its md5, or the
/// original content of an image, video or app message (which references the media on
/// the server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Forwarded {
    Text(String),
    Image(String),
    Video(String),
    /// `msg_type` is the `Type` of the send (the app message's type, or a file's).
    App {
        msg_type: u32,
        content: String,
    },
    Emoticon(String),
}

/// A file message's download keys.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FileKeys {
    from: Box<str>,
    media_id: Box<str>,
    file_name: Box<str>,
    encry_file_name: Box<str>,
}

/// An app message: what a forward sends, its title, a file's keys.
#[derive(Clone, Debug, PartialEq, Eq)]
struct App {
    msg_type: u32,
    title: Box<str>,
    content: Box<str>,
    file: Option<FileKeys>,
}

/// What is kept of a message's kind.
#[derive(Clone, Debug, PartialEq, Eq)]
enum What {
    /// A text: a forward sends it, a revoke reports it.
    Text(Box<str>),
    /// An image: its content (for a forward); downloaded by id.
    Image(Box<str>),
    /// A voice clip: downloaded by id.
    Voice,
    /// A video or micro video: its content; downloaded by id.
    Video {
        micro: bool,
        content: Box<str>,
    },
    /// An emoticon's md5 (empty: a store emoticon, which cannot be forwarded).
    Emoticon(Box<str>),
    App(Box<App>),
    /// A friend request: the requester's UserName and the ticket.
    FriendRequest(Box<(Box<str>, Box<str>)>),
    /// A location's label (a revoke reports it).
    Location(Box<str>),
    /// Any other kind, by its tag.
    Other(&'static str),
}

/// What a session keeps of a message it received ([`RecentMessage::of`]): enough for
/// `forward`, `download` and `accept_friend` by its id and for the `original` of a revoke
/// of it, and nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentMessage {
    id: Id,
    new_id: u64,
    time: u64,
    sender: Arc<str>,
    what: What,
}

/// The content a forward of `msg` sends: without the group sender prefix, with `&lt;`
/// and `&gt;` undone.
fn forward_content(msg: &Message) -> String {
    let c = msg.raw.content.as_str();
    let c = if msg.is_group && !msg.outgoing {
        crate::message::split_group_sender(c).map_or(c, |(_, rest)| rest)
    } else {
        c
    };
    c.replace("&lt;", "<").replace("&gt;", ">")
}

/// Puts `media_id` in the `<attachid>` of an appmsg XML (wechat4u's forward).
pub(crate) fn replace_attach_id(xml: &str, media_id: &str) -> String {
    const OPEN: &str = "<attachid>";
    const CLOSE: &str = "</attachid>";
    let Some(start) = xml.find(OPEN).map(|i| i + OPEN.len()) else {
        return xml.to_owned();
    };
    let Some(len) = xml[start..].find(CLOSE) else {
        return xml.to_owned();
    };
    format!("{}{}{}", &xml[..start], media_id, &xml[start + len..])
}

/// Bytes a string of `len` bytes takes on the heap, as glibc's allocator rounds a block
/// (none when empty: an empty `Box<str>` allocates nothing).
fn heap(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        ((len + 8 + 15) & !15).max(32)
    }
}

impl What {
    fn of(msg: &Message) -> What {
        let b = |s: &str| -> Box<str> { s.into() };
        match &msg.kind {
            MessageKind::Text { text } => What::Text(b(text)),
            MessageKind::Image { .. } => What::Image(forward_content(msg).into()),
            MessageKind::Voice { .. } => What::Voice,
            MessageKind::Video(_) => What::Video {
                micro: false,
                content: forward_content(msg).into(),
            },
            MessageKind::MicroVideo(_) => What::Video {
                micro: true,
                content: forward_content(msg).into(),
            },
            MessageKind::Emoticon { md5, .. } => What::Emoticon(b(md5)),
            MessageKind::App(app) => {
                let content = forward_content(msg);
                let (content, file) = match &app.detail {
                    AppDetail::File {
                        file_name,
                        media_id,
                        encry_file_name,
                        ..
                    } if !media_id.is_empty() => (
                        replace_attach_id(&content, media_id),
                        Some(FileKeys {
                            from: b(&msg.from),
                            media_id: b(media_id),
                            file_name: b(file_name),
                            encry_file_name: b(encry_file_name),
                        }),
                    ),
                    _ => (content, None),
                };
                What::App(Box::new(App {
                    msg_type: if app.app_type == 0 {
                        sendappmsg::TYPE_ATTACH
                    } else {
                        app.app_type
                    },
                    title: b(&app.title),
                    content: content.into(),
                    file,
                }))
            }
            MessageKind::FriendRequest {
                contact, ticket, ..
            } => What::FriendRequest(Box::new((b(&contact.user_name), b(ticket)))),
            MessageKind::Location(l) => What::Location(b(&l.label)),
            other => What::Other(other.tag()),
        }
    }

    /// Heap bytes beside the record itself.
    fn heap_bytes(&self) -> usize {
        match self {
            What::Text(s) | What::Image(s) | What::Emoticon(s) | What::Location(s) => heap(s.len()),
            What::Video { content, .. } => heap(content.len()),
            What::App(app) => {
                let file = app.file.as_ref().map_or(0, |f| {
                    heap(f.from.len())
                        + heap(f.media_id.len())
                        + heap(f.file_name.len())
                        + heap(f.encry_file_name.len())
                });
                heap(std::mem::size_of::<App>())
                    + heap(app.title.len())
                    + heap(app.content.len())
                    + file
            }
            What::FriendRequest(r) => {
                heap(std::mem::size_of::<(Box<str>, Box<str>)>())
                    + heap(r.0.len())
                    + heap(r.1.len())
            }
            What::Voice | What::Other(_) => 0,
        }
    }
}

impl RecentMessage {
    /// What is kept of `msg`.
    pub fn of(msg: &Message) -> RecentMessage {
        RecentMessage {
            id: Id::of(&msg.id),
            new_id: msg.new_id,
            time: msg.time,
            sender: msg.sender.as_str().into(),
            what: What::of(msg),
        }
    }

    /// Whether `id` is its `MsgId` (or its `NewMsgId`).
    pub fn is(&self, id: &str) -> bool {
        !id.is_empty()
            && (self.id.is(id) || (self.new_id != 0 && canonical_number(id) == Some(self.new_id)))
    }

    /// Its `MsgId`.
    pub fn id(&self) -> String {
        self.id.text()
    }

    /// Its kind's tag ([`MessageKind::tag`]).
    pub fn kind(&self) -> &'static str {
        match &self.what {
            What::Text(_) => "text",
            What::Image(_) => "image",
            What::Voice => "voice",
            What::Video { micro: false, .. } => "video",
            What::Video { micro: true, .. } => "micro_video",
            What::Emoticon(_) => "emoticon",
            What::App(_) => "app",
            What::FriendRequest(_) => "friend_request",
            What::Location(_) => "location",
            What::Other(tag) => tag,
        }
    }

    /// The download of its media, as [`Download::for_message`] gives it for the message.
    pub fn download(&self) -> Option<Download> {
        match &self.what {
            What::Image(_) => Some(Download::Image {
                msg_id: self.id(),
                thumbnail: false,
            }),
            What::Voice => Some(Download::Voice { msg_id: self.id() }),
            What::Video { .. } => Some(Download::Video { msg_id: self.id() }),
            What::App(app) => app.file.as_ref().map(|f| Download::File {
                sender: f.from.to_string(),
                media_id: f.media_id.to_string(),
                file_name: f.file_name.to_string(),
                encry_file_name: f.encry_file_name.to_string(),
            }),
            _ => None,
        }
    }

    /// What a revoke of it carries, as [`RevokedMessage::of`] gives it for the message.
    pub fn revoked(&self) -> RevokedMessage {
        let text = match &self.what {
            What::Text(t) => Some(t.to_string()),
            What::App(app) if !app.title.is_empty() => Some(app.title.to_string()),
            What::Location(l) if !l.is_empty() => Some(l.to_string()),
            _ => None,
        };
        RevokedMessage {
            kind: self.kind().to_owned(),
            text,
            sender: self.sender.to_string(),
            time: self.time,
        }
    }

    /// A friend request's requester (UserName) and ticket, which accept it.
    pub fn friend_request(&self) -> Option<(&str, &str)> {
        match &self.what {
            What::FriendRequest(r) => Some((&r.0, &r.1)),
            _ => None,
        }
    }

    /// What a forward of it sends, or why it cannot be forwarded.
    pub(crate) fn forwarded(&self) -> Result<Forwarded, CommandError> {
        let s = |s: &str| s.to_owned();
        Ok(match &self.what {
            What::Text(t) => Forwarded::Text(s(t)),
            What::Image(c) => Forwarded::Image(s(c)),
            What::Video { content, .. } => Forwarded::Video(s(content)),
            What::Emoticon(md5) if !md5.is_empty() => Forwarded::Emoticon(s(md5)),
            What::Emoticon(_) => {
                return Err(CommandError::NotForwardable {
                    kind: "store emoticon".into(),
                });
            }
            What::App(app) => Forwarded::App {
                msg_type: app.msg_type,
                content: s(&app.content),
            },
            _ => {
                return Err(CommandError::NotForwardable {
                    kind: self.kind().replace('_', " "),
                });
            }
        })
    }

    /// Bytes it takes (itself, its strings, its sender when it holds the only copy).
    fn bytes(&self, with_sender: bool) -> usize {
        let sender = if with_sender {
            heap(16 + self.sender.len())
        } else {
            0
        };
        std::mem::size_of::<RecentMessage>() + self.what.heap_bytes() + sender
    }
}

/// A kept message and the bytes counted for it.
#[derive(Debug)]
struct Kept {
    msg: RecentMessage,
    bytes: usize,
}

/// The last messages, oldest first, within [`RecentLimits`].
#[derive(Debug, Default)]
pub(crate) struct RecentMessages {
    kept: VecDeque<Kept>,
    /// The sum of the kept messages' bytes.
    bytes: usize,
}

/// Slots added to the queue at a time at most: its spare capacity stays small (a
/// doubling queue would hold up to as many spare slots as messages).
const GROW_BY: usize = 8;

/// How many of the newest messages are looked at for a sender to share.
const SHARE_SENDER_WITHIN: usize = 32;

impl RecentMessages {
    /// Keeps what is needed of `msg`, forgetting the oldest beyond `limits`. A message
    /// larger than `limits.bytes` by itself is not kept.
    pub(crate) fn push(&mut self, msg: &Message, limits: RecentLimits) {
        let mut rec = RecentMessage::of(msg);
        let most = rec.bytes(true);
        if limits.messages == 0 || most > limits.bytes {
            return;
        }
        // Room for it as if its sender were its own; then the sender is shared with a
        // newer message that has the same one, if any is left.
        while !self.kept.is_empty()
            && (self.kept.len() >= limits.messages || self.bytes + most > limits.bytes)
        {
            self.pop_oldest();
        }
        let shared = self
            .kept
            .iter()
            .rev()
            .take(SHARE_SENDER_WITHIN)
            .find(|k| *k.msg.sender == *rec.sender)
            .map(|k| Arc::clone(&k.msg.sender));
        let with_sender = shared.is_none();
        if let Some(s) = shared {
            rec.sender = s;
        }
        let bytes = rec.bytes(with_sender);
        if self.kept.len() == self.kept.capacity() {
            // One slot, two, four, then GROW_BY at a time: a quiet session keeps one or two.
            let more = GROW_BY.min(self.kept.len().max(1));
            self.kept
                .reserve_exact(more.min(limits.messages - self.kept.len()));
        }
        self.bytes += bytes;
        self.kept.push_back(Kept { msg: rec, bytes });
    }

    /// Forgets the oldest message; when a newer one shares its sender, the sender's
    /// bytes are counted for that one from now on.
    fn pop_oldest(&mut self) {
        let Some(old) = self.kept.pop_front() else {
            return;
        };
        let sender_bytes = heap(16 + old.msg.sender.len());
        let owned_sender = old.bytes == old.msg.bytes(true);
        let mut freed = old.bytes;
        if owned_sender
            && Arc::strong_count(&old.msg.sender) > 1
            && let Some(heir) = self
                .kept
                .iter_mut()
                .find(|k| Arc::ptr_eq(&k.msg.sender, &old.msg.sender))
        {
            heir.bytes += sender_bytes;
            freed -= sender_bytes;
        }
        self.bytes -= freed;
    }

    /// The newest message whose `MsgId` (or `NewMsgId`) is `id`.
    pub(crate) fn find(&self, id: &str) -> Option<&RecentMessage> {
        self.kept.iter().rev().map(|k| &k.msg).find(|m| m.is(id))
    }

    /// Fills a revoke's `original` with the message it names, when it was seen.
    pub(crate) fn complete_revoke(&self, msg: &mut Message) {
        if let MessageKind::Revoke {
            revoked_msg_id,
            original,
            ..
        } = &mut msg.kind
            && original.is_none()
        {
            *original = self.find(revoked_msg_id).map(RecentMessage::revoked);
        }
    }

    /// Number kept.
    pub(crate) fn len(&self) -> usize {
        self.kept.len()
    }

    /// Bytes counted for the kept messages.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests;
