//! Commands: sends, uploads, downloads, friend and group operations.
//!
//! Every command takes `now`, checks its arguments, and either fails at once with a
//! [`CommandError`] (nothing is sent) or returns an id and queues its requests. Its outcome
//! arrives later as an [`Event::Command`]:
//!
//! - a send ([`Client::send_text`], [`Client::send_emoticon`], [`Client::send_file`],
//!   [`Client::forward`]) has a [`LocalId`] (its `LocalID`/`ClientMsgId`) and ends in
//!   exactly one [`CommandEvent::Sent`] or [`CommandEvent::SendFailed`];
//! - an upload asks for the file's bytes with [`CommandEvent::UploadNeedsData`] (answer
//!   with [`Client::upload_data`]) and reports [`CommandEvent::UploadProgress`];
//! - a download ([`Client::download`]) ends in [`CommandEvent::Downloaded`] or
//!   [`CommandEvent::DownloadFailed`];
//! - an operation (revoke, mark read, friends, groups, remarks, pins) ends in
//!   [`CommandEvent::OpDone`] or [`CommandEvent::OpFailed`].
//!
//! Transport errors, 5xx answers, unreadable bodies and Ret -1 / 1205 are retried with a
//! growing delay ([`RetryPolicy`](crate::client::RetryPolicy)); a retried send keeps its
//! `ClientMsgId`, so the server records it once. When the session ends, every pending
//! command fails with [`CommandFailure::SessionEnded`].

mod download;
mod ops;
mod upload;

pub use crate::upload::MediaKind;
pub use download::{Download, DownloadedMedia};
pub use upload::{DataPurpose, FileSpec, UploadHandle};

use super::{Client, Event, Failure, Inflight, Output, Pending, Phase};
use crate::endpoint::sendemoticon::{self, Emoticon};
use crate::endpoint::sendmsg::{self, OutMsg, SendResponse};
use crate::endpoint::{SessionCtx, revokemsg, sendappmsg, sendmsgimg, sendvideomsg, statusnotify};
use crate::error::{Argument, CommandError, ParseError, ResponseError, Ret, TransportErrorKind};
use crate::message::{Message, MessageKind};
use crate::time::Now;
use http::{Request, Response};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// A send's `LocalID` (the same value as its `ClientMsgId`): 17 digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(transparent)]
pub struct LocalId(pub String);

impl LocalId {
    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LocalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Identifies an upload (answer its [`CommandEvent::UploadNeedsData`] with it).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(transparent)]
pub struct UploadId(pub u64);

/// Identifies a download.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(transparent)]
pub struct DownloadId(pub u64);

/// Identifies an operation (revoke, mark read, friend and group operations).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(transparent)]
pub struct OpId(pub u64);

macro_rules! display_id {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}
display_id!(UploadId, DownloadId, OpId);

/// Why a command that was accepted did not complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommandFailure {
    /// The server refused (`BaseResponse.Ret`): 1204 self / not a friend, 1205 too
    /// frequent (after the retries), 1100/1101/1102 the session is over...
    #[error("refused: {ret}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Refused {
        /// The code.
        ret: Ret,
        /// The server's message, possibly empty.
        message: String,
    },
    /// The transport failed on every attempt.
    #[error("transport: {kind}")]
    Transport {
        /// The last failure.
        kind: TransportErrorKind,
    },
    /// The server's answers could not be read.
    #[error("{error}")]
    Protocol {
        /// The last error.
        error: ParseError,
    },
    /// The session ended before the command completed.
    #[error("the session ended")]
    SessionEnded,
    /// The caller cancelled it.
    #[error("cancelled")]
    Cancelled,
}

impl CommandFailure {
    /// The server's code, when it refused.
    pub fn ret(&self) -> Option<Ret> {
        match self {
            CommandFailure::Refused { ret, .. } => Some(*ret),
            _ => None,
        }
    }

    fn from_failure(f: Failure) -> CommandFailure {
        match f {
            Failure::Transport(kind) => CommandFailure::Transport { kind },
            Failure::Response(ResponseError::Parse(error)) => CommandFailure::Protocol { error },
            Failure::Response(ResponseError::Wx(e)) => CommandFailure::Refused {
                ret: e.ret,
                message: e.message,
            },
        }
    }
}

/// What an operation was.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OpKind {
    /// `webwxrevokemsg`.
    Revoke,
    /// `webwxstatusnotify` Code 1 (READED).
    MarkRead,
    /// `webwxverifyuser` Opcode 2.
    AddFriend,
    /// `webwxverifyuser` Opcode 3.
    AcceptFriend,
    /// `webwxcreatechatroom`.
    CreateGroup,
    /// `webwxupdatechatroom?fun=addmember`.
    AddMembers,
    /// `webwxupdatechatroom?fun=invitemember` (groups over 40 members).
    InviteMembers,
    /// `webwxupdatechatroom?fun=delmember`.
    RemoveMembers,
    /// `webwxupdatechatroom?fun=modtopic`.
    RenameGroup,
    /// `webwxoplog` CmdId 2.
    SetRemark,
    /// `webwxoplog` CmdId 3 OP 1.
    Pin,
    /// `webwxoplog` CmdId 3 OP 0.
    Unpin,
    /// `webwxbatchgetcontact` of one group.
    FetchGroupMembers,
}

/// What a successful operation produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum OpOutcome {
    /// Done; nothing more to report.
    Done,
    /// `webwxcreatechatroom` made a group.
    GroupCreated {
        /// The new group's UserName (`@@…`).
        group: String,
        /// Its topic.
        topic: String,
        /// Members the server did not add (`MemberStatus != 0`).
        failed: Vec<String>,
    },
    /// A group's member list was fetched and stored in the contacts.
    MembersFetched {
        /// The group.
        group: String,
        /// Number of members.
        members: usize,
    },
}

/// The outcome or progress of a command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommandEvent {
    /// A message was sent.
    Sent {
        /// Its LocalID.
        local_id: LocalId,
        /// The server's `MsgID` (revoke with it).
        msg_id: String,
    },
    /// A message could not be sent (after the retries the failure allows).
    SendFailed {
        /// Its LocalID.
        local_id: LocalId,
        /// Why.
        error: CommandFailure,
    },
    /// The upload needs the file's bytes `offset..offset + len`: answer with
    /// [`Client::upload_data`].
    #[cfg_attr(feature = "schema", schemars(skip), ts(skip))]
    UploadNeedsData {
        /// The upload.
        upload: UploadId,
        /// First byte.
        offset: u64,
        /// Number of bytes (at most 524288).
        len: u64,
        /// A first pass computing the file's md5, or the upload itself.
        purpose: DataPurpose,
    },
    /// A chunk was uploaded.
    UploadProgress {
        /// The upload.
        upload: UploadId,
        /// The send it belongs to.
        local_id: LocalId,
        /// Bytes uploaded so far.
        sent: u64,
        /// The file's size.
        total: u64,
    },
    /// The upload finished; the send follows.
    Uploaded {
        /// The upload.
        upload: UploadId,
        /// The send it belongs to.
        local_id: LocalId,
        /// The server's MediaId of the file.
        media_id: String,
    },
    /// A download finished.
    #[cfg_attr(feature = "schema", schemars(skip), ts(skip))]
    Downloaded {
        /// The download.
        download: DownloadId,
        /// The bytes, their type and a file name safe to write.
        media: DownloadedMedia,
    },
    /// A download failed.
    DownloadFailed {
        /// The download.
        download: DownloadId,
        /// Why.
        error: CommandFailure,
    },
    /// An operation succeeded.
    OpDone {
        /// The operation.
        op: OpId,
        /// What it was.
        what: OpKind,
        /// What it produced.
        outcome: OpOutcome,
    },
    /// An operation failed.
    OpFailed {
        /// The operation.
        op: OpId,
        /// What it was.
        what: OpKind,
        /// Why.
        error: CommandFailure,
    },
}

/// Parses the answer of one of the send endpoints.
pub(crate) type SendParser = fn(&Response<Vec<u8>>) -> Result<SendResponse, ResponseError>;

/// An in-flight command request.
#[derive(Debug, Clone)]
pub(crate) enum Cmd {
    /// A send endpoint.
    Send { local_id: String, parse: SendParser },
    /// `webwxcheckupload` of an upload.
    CheckUpload { upload: u64 },
    /// One chunk of an upload.
    UploadChunk { upload: u64, chunk: u64 },
    /// A media download.
    Download { download: u64 },
    /// An operation.
    Op { op: u64, what: OpKind },
}

/// How many (MsgID → ClientMsgId) pairs of sent messages are remembered for revoking.
const RECENT_SENDS: usize = 256;

/// Per-session command bookkeeping: everything accepted and not finished yet.
#[derive(Debug, Default)]
pub(crate) struct CommandState {
    next_id: u64,
    /// Sends not finished (by LocalID), including those still uploading.
    sends: BTreeMap<String, ()>,
    /// Uploads in progress.
    uploads: BTreeMap<u64, upload::Upload>,
    /// Downloads in progress.
    downloads: BTreeMap<u64, download::PendingDownload>,
    /// Operations in progress.
    ops: BTreeMap<u64, OpKind>,
    /// Recently sent messages: (MsgID, ClientMsgId).
    recent: VecDeque<(String, String)>,
    /// WebUploader's file counter (`WU_FILE_n`).
    wu_files: u64,
}

impl CommandState {
    /// Whether `cmd` still belongs to an unfinished command (a cancelled upload's chunk,
    /// or a request of a command that already ended, is not sent again).
    pub(crate) fn is_live(&self, cmd: &Cmd) -> bool {
        match cmd {
            Cmd::Send { local_id, .. } => self.sends.contains_key(local_id),
            Cmd::CheckUpload { upload } | Cmd::UploadChunk { upload, .. } => {
                self.uploads.contains_key(upload)
            }
            Cmd::Download { download } => self.downloads.contains_key(download),
            Cmd::Op { op, .. } => self.ops.contains_key(op),
        }
    }

    fn next(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Number of commands not finished yet.
    pub(crate) fn pending(&self) -> usize {
        self.sends.len() + self.downloads.len() + self.ops.len()
    }

    /// Fails every pending command when the session ends.
    pub(crate) fn fail_all_pending(&mut self, out: &mut VecDeque<Output>) {
        let ev = |e| Output::Event(Event::Command(e));
        for (local_id, ()) in std::mem::take(&mut self.sends) {
            out.push_back(ev(CommandEvent::SendFailed {
                local_id: LocalId(local_id),
                error: CommandFailure::SessionEnded,
            }));
        }
        self.uploads.clear();
        for (id, _) in std::mem::take(&mut self.downloads) {
            out.push_back(ev(CommandEvent::DownloadFailed {
                download: DownloadId(id),
                error: CommandFailure::SessionEnded,
            }));
        }
        for (id, what) in std::mem::take(&mut self.ops) {
            out.push_back(ev(CommandEvent::OpFailed {
                op: OpId(id),
                what,
                error: CommandFailure::SessionEnded,
            }));
        }
    }

    fn remember_sent(&mut self, msg_id: &str, client_msg_id: &str) {
        if self.recent.len() == RECENT_SENDS {
            self.recent.pop_front();
        }
        self.recent
            .push_back((msg_id.to_owned(), client_msg_id.to_owned()));
    }

    fn client_msg_id_of(&self, msg_id: &str) -> Option<&str> {
        self.recent
            .iter()
            .rev()
            .find(|(m, _)| m == msg_id)
            .map(|(_, c)| c.as_str())
    }
}

// ---- sends ----

impl Client {
    /// Number of commands (sends, downloads, operations) not finished yet.
    pub fn pending_commands(&self) -> usize {
        self.cmds.pending()
    }

    /// Fails unless the session can take commands.
    pub(crate) fn check_ready(&self) -> Result<(), CommandError> {
        // Until webwxinit answered, our own UserName (FromUserName) is unknown.
        if self.is_logged_in() && self.phase != Phase::LoggingOut && self.state.me.is_some() {
            Ok(())
        } else {
            Err(CommandError::NotLoggedIn)
        }
    }

    /// The UserName for `to`, by the rules of [`crate::names`]: a known UserName, a
    /// special account, a remark or nick name naming exactly one contact, or a string
    /// with the shape of a UserName. An unknown or ambiguous name is
    /// [`CommandError::Name`], which lists the candidates.
    pub fn resolve_user_name(&self, to: &str) -> Result<String, CommandError> {
        if to.is_empty() {
            return Err(CommandError::empty(Argument::Recipient));
        }
        crate::names::resolve(&self.contacts, to).map_err(CommandError::Name)
    }

    fn new_local_id(&mut self, now: Now) -> String {
        self.state.msg_ids.next(now.wall, &mut self.state.rng)
    }

    /// A request built with the session's context; `NotLoggedIn` without credentials.
    fn build_with_session(
        &mut self,
        now: Now,
        build: impl FnOnce(&SessionCtx<'_>) -> Request<Vec<u8>>,
    ) -> Result<Request<Vec<u8>>, CommandError> {
        self.session_ctx(now)
            .map(|ctx| build(&ctx))
            .ok_or(CommandError::NotLoggedIn)
    }

    /// Builds a new send's request with the session's context and queues it; returns
    /// its LocalID.
    fn queue_send(
        &mut self,
        now: Now,
        local_id: String,
        endpoint: &'static str,
        parse: SendParser,
        build: impl FnOnce(&SessionCtx<'_>, &str) -> Request<Vec<u8>>,
    ) -> Result<LocalId, CommandError> {
        let req = self.build_with_session(now, |ctx| build(ctx, &local_id))?;
        self.dispatch_send(now, &local_id, endpoint, req, parse);
        Ok(LocalId(local_id))
    }

    /// Queues a send request for `local_id` (registering the send if needed).
    pub(crate) fn dispatch_send(
        &mut self,
        now: Now,
        local_id: &str,
        endpoint: &'static str,
        req: Request<Vec<u8>>,
        parse: SendParser,
    ) {
        self.cmds.sends.insert(local_id.to_owned(), ());
        let t = self.cfg.request_timeout;
        self.dispatch(
            now,
            Pending::Cmd(Cmd::Send {
                local_id: local_id.to_owned(),
                parse,
            }),
            endpoint,
            req,
            t,
        );
    }

    pub(crate) fn emit_cmd(&mut self, e: CommandEvent) {
        self.emit(Event::Command(e));
    }

    /// Reports the end of a send, once.
    pub(crate) fn finish_send(&mut self, local_id: &str, result: Result<String, CommandFailure>) {
        if self.cmds.sends.remove(local_id).is_none() {
            return;
        }
        let local_id = LocalId(local_id.to_owned());
        match result {
            Ok(msg_id) => {
                self.cmds.remember_sent(&msg_id, local_id.as_str());
                self.emit_cmd(CommandEvent::Sent { local_id, msg_id });
            }
            Err(error) => self.emit_cmd(CommandEvent::SendFailed { local_id, error }),
        }
    }

    /// Sends a text message to `to` (a UserName, or a remark or nick name).
    ///
    /// Returns its LocalID; the outcome is [`CommandEvent::Sent`] or
    /// [`CommandEvent::SendFailed`].
    pub fn send_text(&mut self, now: Now, to: &str, text: &str) -> Result<LocalId, CommandError> {
        self.send_text_mentioning(now, to, text, &[])
    }

    /// Sends a text to a group, @mentioning `mentions` (UserNames of members, or their
    /// display or nick names in the group): the message carries the `MsgSource`
    /// `<msgsource><atusername>u1,u2</atusername><atchatroomname>ROOM</atchatroomname></msgsource>`.
    /// The text itself is sent as given (write the `@name\u{2005}` the phone shows).
    pub fn send_text_mentioning(
        &mut self,
        now: Now,
        to: &str,
        text: &str,
        mentions: &[&str],
    ) -> Result<LocalId, CommandError> {
        self.check_ready()?;
        if text.is_empty() {
            return Err(CommandError::empty(Argument::Text));
        }
        let to = self.resolve_user_name(to)?;
        let source = if mentions.is_empty() {
            None
        } else {
            if !crate::contacts::is_group(&to) {
                return Err(CommandError::MentionsOutsideGroup);
            }
            let users = mentions
                .iter()
                .map(|m| self.resolve_member(&to, m))
                .collect::<Result<Vec<_>, _>>()?;
            let users: Vec<&str> = users.iter().map(String::as_str).collect();
            Some(sendmsg::msg_source(&users, &to))
        };
        let local_id = self.new_local_id(now);
        self.queue_send(now, local_id, sendmsg::NAME, sendmsg::parse, |ctx, id| {
            sendmsg::build(ctx, &to, text, id, source.as_deref())
        })
    }

    /// A member of `group` by UserName, display name or nick name.
    pub(crate) fn resolve_member(&self, group: &str, who: &str) -> Result<String, CommandError> {
        if let Some(g) = self.contacts.get(group) {
            if let Some(m) = g.member_list.iter().find(|m| m.user_name == who) {
                return Ok(m.user_name.clone());
            }
            let norm = crate::message::normalize_text;
            if let Some(m) = g.member_list.iter().find(|m| {
                (!m.display_name.is_empty()
                    && (m.display_name == who || norm(&m.display_name) == who))
                    || m.nick_name == who
                    || norm(&m.nick_name) == who
            }) {
                return Ok(m.user_name.clone());
            }
        }
        if who.starts_with('@') && !who.starts_with("@@") {
            return Ok(who.to_owned());
        }
        Err(CommandError::UnknownMember {
            group: group.to_owned(),
            member: who.to_owned(),
        })
    }

    /// Sends an emoticon (sticker) by md5 or by the MediaId of an uploaded GIF
    /// (`webwxsendemoticon?fun=sys`). To send a GIF file, use [`Client::send_file`].
    pub fn send_emoticon(
        &mut self,
        now: Now,
        to: &str,
        emoticon: Emoticon,
    ) -> Result<LocalId, CommandError> {
        self.check_ready()?;
        let (Emoticon::Md5(id) | Emoticon::MediaId(id)) = &emoticon;
        if id.is_empty() {
            return Err(CommandError::empty(Argument::EmoticonId));
        }
        let to = self.resolve_user_name(to)?;
        let local_id = self.new_local_id(now);
        self.queue_send(
            now,
            local_id,
            sendemoticon::NAME,
            sendemoticon::parse,
            |ctx, id| sendemoticon::build(ctx, &to, &emoticon, id),
        )
    }

    /// Forwards a received (or sent) message to `to`, as the official client does: text is
    /// sent again; images, videos and app messages (files, links) are sent with their
    /// original content, which references the media on the server (`Scene` 2); emoticons
    /// by their md5. Voice, store emoticons (no md5) and other kinds cannot be forwarded.
    pub fn forward(&mut self, now: Now, msg: &Message, to: &str) -> Result<LocalId, CommandError> {
        self.check_ready()?;
        let to = self.resolve_user_name(to)?;
        // The original content, without the group sender prefix, with &lt; &gt; undone.
        let content = {
            let c = msg.raw.content.as_str();
            let c = if msg.is_group && !msg.outgoing {
                crate::message::split_group_sender(c).map_or(c, |(_, rest)| rest)
            } else {
                c
            };
            c.replace("&lt;", "<").replace("&gt;", ">")
        };
        let local_id = self.new_local_id(now);
        const SCENE_FORWARD: u32 = 2;
        type Builder = fn(&SessionCtx<'_>, &OutMsg, u32) -> Request<Vec<u8>>;
        let (mut out, endpoint, build, parse, scene): (_, &'static str, Builder, SendParser, u32) =
            match &msg.kind {
                MessageKind::Text { text } => {
                    let mut m = OutMsg {
                        msg_type: sendmsg::TYPE_TEXT,
                        ..OutMsg::default()
                    };
                    m.content = Some(text.clone());
                    (
                        m,
                        sendmsg::NAME,
                        sendmsg::build_msg,
                        sendmsg::parse,
                        SCENE_FORWARD,
                    )
                }
                MessageKind::Image { .. } => (
                    forwarded_media(sendmsgimg::TYPE_IMAGE, content),
                    sendmsgimg::NAME,
                    sendmsgimg::build_msg,
                    sendmsgimg::parse,
                    SCENE_FORWARD,
                ),
                MessageKind::Video(_) | MessageKind::MicroVideo(_) => (
                    forwarded_media(sendvideomsg::TYPE_VIDEO, content),
                    sendvideomsg::NAME,
                    sendvideomsg::build_msg,
                    sendvideomsg::parse,
                    SCENE_FORWARD,
                ),
                MessageKind::Emoticon { md5, .. } if !md5.is_empty() => (
                    OutMsg {
                        msg_type: sendemoticon::TYPE_EMOTICON,
                        emoji_flag: Some(sendemoticon::EMOJI_FLAG_GIF),
                        emoticon_md5: Some(md5.clone()),
                        ..OutMsg::default()
                    },
                    sendemoticon::NAME,
                    sendemoticon::build_msg,
                    sendemoticon::parse,
                    0,
                ),
                MessageKind::Emoticon { .. } => {
                    return Err(CommandError::NotForwardable {
                        kind: "store emoticon".into(),
                    });
                }
                MessageKind::App(app) => {
                    let content = match &app.detail {
                        crate::message::AppDetail::File { media_id, .. }
                            if !media_id.is_empty() =>
                        {
                            replace_attach_id(&content, media_id)
                        }
                        _ => content,
                    };
                    let msg_type = if app.app_type == 0 {
                        sendappmsg::TYPE_ATTACH
                    } else {
                        app.app_type
                    };
                    (
                        forwarded_media(msg_type, content),
                        sendappmsg::NAME,
                        sendappmsg::build_msg,
                        sendappmsg::parse,
                        SCENE_FORWARD,
                    )
                }
                _ => {
                    return Err(CommandError::NotForwardable {
                        kind: kind_name(&msg.kind),
                    });
                }
            };
        self.queue_send(now, local_id, endpoint, parse, |ctx, id| {
            out.from_user_name = ctx.me.to_owned();
            out.to_user_name = to;
            out.local_id = id.to_owned();
            out.client_msg_id = id.to_owned();
            build(ctx, &out, scene)
        })
    }

    /// Revokes (recalls) a message we sent: `svr_msg_id` is the `msg_id` of its
    /// [`CommandEvent::Sent`], `to` the chat. Ends in [`CommandEvent::OpDone`] or
    /// [`CommandEvent::OpFailed`] with [`OpKind::Revoke`].
    pub fn revoke(&mut self, now: Now, svr_msg_id: &str, to: &str) -> Result<OpId, CommandError> {
        self.check_ready()?;
        if svr_msg_id.is_empty() {
            return Err(CommandError::empty(Argument::MessageId));
        }
        let to = self.resolve_user_name(to)?;
        let client_msg_id = match self.cmds.client_msg_id_of(svr_msg_id) {
            Some(c) => c.to_owned(),
            None => self.new_local_id(now),
        };
        self.dispatch_op(now, OpKind::Revoke, revokemsg::NAME, |ctx| {
            revokemsg::build(ctx, svr_msg_id, &to, &client_msg_id)
        })
    }

    /// Tells the phone that the chat `chat` was read (`webwxstatusnotify` Code 1).
    pub fn mark_read(&mut self, now: Now, chat: &str) -> Result<OpId, CommandError> {
        self.check_ready()?;
        let chat = self.resolve_user_name(chat)?;
        self.dispatch_op(now, OpKind::MarkRead, statusnotify::NAME, |ctx| {
            statusnotify::build(ctx, statusnotify::CODE_READED, &chat)
        })
    }

    /// Builds an operation's request with the session's context and queues it.
    pub(crate) fn dispatch_op(
        &mut self,
        now: Now,
        what: OpKind,
        endpoint: &'static str,
        build: impl FnOnce(&SessionCtx<'_>) -> Request<Vec<u8>>,
    ) -> Result<OpId, CommandError> {
        let req = self.build_with_session(now, build)?;
        let op = self.cmds.next();
        self.cmds.ops.insert(op, what);
        let t = self.cfg.request_timeout;
        self.dispatch(now, Pending::Cmd(Cmd::Op { op, what }), endpoint, req, t);
        Ok(OpId(op))
    }

    pub(crate) fn finish_op(&mut self, op: u64, result: Result<OpOutcome, CommandFailure>) {
        let Some(what) = self.cmds.ops.remove(&op) else {
            return;
        };
        let op = OpId(op);
        match result {
            Ok(outcome) => self.emit_cmd(CommandEvent::OpDone { op, what, outcome }),
            Err(error) => self.emit_cmd(CommandEvent::OpFailed { op, what, error }),
        }
    }

    /// A refused or unreadable answer to a command: retried when the policy allows, else
    /// reported; a session-ending Ret (1100/1101/1102) then ends the session as the sync
    /// loop's would (a resumed session logs in again).
    pub(crate) fn cmd_error(&mut self, now: Now, inflight: Inflight, e: ResponseError) {
        let end = e.ret().filter(|r| r.is_session_end());
        self.retry_or_fail(now, inflight, Failure::Response(e));
        if let Some(ret) = end {
            self.session_over(now, ret);
        }
    }

    pub(crate) fn on_cmd_response(
        &mut self,
        now: Now,
        inflight: Inflight,
        resp: Response<Vec<u8>>,
    ) {
        let Pending::Cmd(cmd) = &inflight.pending else {
            return;
        };
        match cmd.clone() {
            Cmd::Send { local_id, parse } => match parse(&resp) {
                Ok(r) => self.finish_send(&local_id, Ok(r.msg_id)),
                Err(e) => self.cmd_error(now, inflight, e),
            },
            Cmd::CheckUpload { upload } => self.on_checkupload(now, inflight, upload, resp),
            Cmd::UploadChunk { upload, chunk } => {
                self.on_upload_chunk(now, inflight, upload, chunk, resp)
            }
            Cmd::Download { download } => self.on_download(now, inflight, download, resp),
            Cmd::Op { op, what } => self.on_op_response(now, inflight, op, what, resp),
        }
    }

    pub(crate) fn on_cmd_failure(&mut self, _now: Now, cmd: Cmd, failure: Failure) {
        let error = CommandFailure::from_failure(failure);
        match cmd {
            Cmd::Send { local_id, .. } => self.finish_send(&local_id, Err(error)),
            Cmd::CheckUpload { upload } | Cmd::UploadChunk { upload, .. } => {
                self.fail_upload(upload, error)
            }
            Cmd::Download { download } => self.finish_download(download, Err(error)),
            Cmd::Op { op, .. } => self.finish_op(op, Err(error)),
        }
    }
}

/// The `Msg` that forwards a media message: its original content, which references the
/// media already on the server, and an empty `MediaId`.
fn forwarded_media(msg_type: u32, content: String) -> OutMsg {
    OutMsg {
        msg_type,
        media_id: Some(String::new()),
        content: Some(content),
        ..OutMsg::default()
    }
}

/// The name of a message's kind (its serde tag: `voice`, `sys`, …).
fn kind_name(kind: &MessageKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.get("kind")?.as_str().map(|k| k.replace('_', " ")))
        .unwrap_or_else(|| "such".to_owned())
}

/// Puts `media_id` in the `<attachid>` of an appmsg XML (wechat4u's forward).
fn replace_attach_id(xml: &str, media_id: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attach_id_replacement() {
        assert_eq!(
            replace_attach_id("<appmsg><attachid>old</attachid></appmsg>", "@new"),
            "<appmsg><attachid>@new</attachid></appmsg>"
        );
        assert_eq!(replace_attach_id("<a>", "@x"), "<a>");
        assert_eq!(replace_attach_id("<attachid>x", "@x"), "<attachid>x");
    }

    #[test]
    fn failure_mapping() {
        let f = CommandFailure::from_failure(Failure::Response(ResponseError::Wx(
            crate::error::WxError {
                ret: Ret::SEND_REFUSED,
                message: String::new(),
            },
        )));
        assert_eq!(f.ret(), Some(Ret::SEND_REFUSED));
        assert_eq!(
            CommandFailure::from_failure(Failure::Transport(TransportErrorKind::Reset)),
            CommandFailure::Transport {
                kind: TransportErrorKind::Reset
            }
        );
    }
}
