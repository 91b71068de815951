//! Sends: text (with @mentions), emoticons and forwards; each has a [`LocalId`] and ends
//! in one [`CommandEvent::Sent`] or [`CommandEvent::SendFailed`]. (Files are sent by
//! `upload`, which ends in a send too.)

use super::{
    Cmd, CommandEvent, CommandFailure, Commands, LocalId, SendParser, check_ready, emit,
    resolve_user_name,
};
use crate::client::ctx::{Ctx, Step};
use crate::client::recent::{Forwarded, RecentMessage};
use crate::client::{Client, Inflight, Pending, Phase};
use crate::contacts::Contacts;
use crate::endpoint::sendemoticon::{self, Emoticon};
use crate::endpoint::sendmsg::{self, OutMsg};
use crate::endpoint::{SessionCtx, sendappmsg, sendmsgimg, sendvideomsg};
use crate::error::{Argument, CommandError};
use crate::message::Message;
use crate::pacing::PaceClass;
use crate::time::Now;
use http::{Request, Response};

impl Client {
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
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.send_text(ctx, phase, to, text, mentions)
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
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.send_emoticon(ctx, phase, to, emoticon)
        })
    }

    /// Forwards a received (or sent) message to `to`, as the official client does: text is
    /// sent again; images, videos and app messages (files, links) are sent with their
    /// original content, which references the media on the server (`Scene` 2); emoticons
    /// by their md5. Voice, store emoticons (no md5) and other kinds cannot be forwarded.
    pub fn forward(&mut self, now: Now, msg: &Message, to: &str) -> Result<LocalId, CommandError> {
        self.forward_what(now, RecentMessage::of(msg).forwarded(), to)
    }

    /// Forwards what [`RecentMessage::forwarded`] gives (its error, if any, comes after
    /// the session's and the recipient's, as for [`Client::forward`]).
    pub(crate) fn forward_what(
        &mut self,
        now: Now,
        what: Result<Forwarded, CommandError>,
        to: &str,
    ) -> Result<LocalId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| cmds.forward(ctx, phase, what, to))
    }
}

impl Commands {
    /// Builds a new send's request with the session's context and queues it; returns
    /// its LocalID.
    #[allow(clippy::too_many_arguments)]
    fn queue_send(
        &mut self,
        ctx: &mut Ctx<'_>,
        local_id: String,
        to: &str,
        class: PaceClass,
        endpoint: &'static str,
        parse: SendParser,
        build: impl FnOnce(&SessionCtx<'_>, &str) -> Request<Vec<u8>>,
    ) -> Result<LocalId, CommandError> {
        let req = Self::build(ctx, |s| build(s, &local_id))?;
        self.dispatch_send(ctx, &local_id, to, class, endpoint, req, parse);
        Ok(LocalId(local_id))
    }

    /// Queues a send request for `local_id` (registering the send if needed) to `to`
    /// through the send queue ([`crate::pacing`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn dispatch_send(
        &mut self,
        ctx: &mut Ctx<'_>,
        local_id: &str,
        to: &str,
        class: PaceClass,
        endpoint: &'static str,
        req: Request<Vec<u8>>,
        parse: SendParser,
    ) {
        self.sends.insert(local_id.to_owned(), ());
        let pending = Pending::Cmd(Cmd::Send {
            local_id: local_id.to_owned(),
            parse,
        });
        let t = ctx.cfg.request_timeout;
        let inflight = Inflight {
            paced: Some((to.to_owned(), class)),
            ..Inflight::new(pending, endpoint, req, t)
        };
        crate::client::queue::pace(ctx, inflight);
    }

    /// The answer to a send.
    pub(super) fn on_send_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        inflight: Inflight,
        local_id: &str,
        parse: SendParser,
        resp: Response<Vec<u8>>,
    ) -> Step {
        match parse(&resp) {
            Ok(r) => {
                self.finish_send(ctx, local_id, Ok(r.msg_id));
                Step::Stay
            }
            Err(e) => Self::refused(inflight, e),
        }
    }

    /// Reports the end of a send, once.
    pub(super) fn finish_send(
        &mut self,
        ctx: &mut Ctx<'_>,
        local_id: &str,
        result: Result<String, CommandFailure>,
    ) {
        let msg_id = match result {
            Ok(msg_id) => msg_id,
            Err(error) => {
                if let Some(e) = self.fail_send(local_id, error) {
                    emit(ctx, e);
                }
                return;
            }
        };
        if self.sends.remove(local_id).is_none() {
            return;
        }
        let local_id = LocalId(local_id.to_owned());
        ctx.state.pacing.succeeded();
        ctx.state.sent.insert(&msg_id, local_id.as_str());
        emit(ctx, CommandEvent::Sent { local_id, msg_id });
        // Saved sessions keep the ClientMsgId (a later `revoke` needs it) and the pacing
        // state.
        ctx.emit(crate::Event::SessionChanged);
    }

    /// Ends a send in failure, once: its `SendFailed`, for the caller to report.
    pub(super) fn fail_send(
        &mut self,
        local_id: &str,
        error: CommandFailure,
    ) -> Option<CommandEvent> {
        self.sends.remove(local_id)?;
        Some(CommandEvent::SendFailed {
            local_id: LocalId(local_id.to_owned()),
            error,
        })
    }

    fn send_text(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        to: &str,
        text: &str,
        mentions: &[&str],
    ) -> Result<LocalId, CommandError> {
        check_ready(phase, ctx.state)?;
        if text.is_empty() {
            return Err(CommandError::empty(Argument::Text));
        }
        let to = resolve_user_name(ctx.contacts, to)?;
        let source = if mentions.is_empty() {
            None
        } else {
            if !crate::contacts::is_group(&to) {
                return Err(CommandError::MentionsOutsideGroup);
            }
            let users = mentions
                .iter()
                .map(|m| resolve_member(ctx.contacts, &to, m))
                .collect::<Result<Vec<_>, _>>()?;
            let users: Vec<&str> = users.iter().map(String::as_str).collect();
            Some(sendmsg::msg_source(&users, &to))
        };
        let local_id = Self::new_local_id(ctx);
        let chat = to.clone();
        self.queue_send(
            ctx,
            local_id,
            &chat,
            PaceClass::Message,
            sendmsg::NAME,
            sendmsg::parse,
            |s, id| sendmsg::build(s, &to, text, id, source.as_deref()),
        )
    }

    fn send_emoticon(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        to: &str,
        emoticon: Emoticon,
    ) -> Result<LocalId, CommandError> {
        check_ready(phase, ctx.state)?;
        let (Emoticon::Md5(id) | Emoticon::MediaId(id)) = &emoticon;
        if id.is_empty() {
            return Err(CommandError::empty(Argument::EmoticonId));
        }
        let to = resolve_user_name(ctx.contacts, to)?;
        let local_id = Self::new_local_id(ctx);
        let chat = to.clone();
        self.queue_send(
            ctx,
            local_id,
            &chat,
            PaceClass::Message,
            sendemoticon::NAME,
            sendemoticon::parse,
            |s, id| sendemoticon::build(s, &to, &emoticon, id),
        )
    }

    fn forward(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        what: Result<Forwarded, CommandError>,
        to: &str,
    ) -> Result<LocalId, CommandError> {
        check_ready(phase, ctx.state)?;
        let to = resolve_user_name(ctx.contacts, to)?;
        let what = what?;
        let local_id = Self::new_local_id(ctx);
        const SCENE_FORWARD: u32 = 2;
        type Builder = fn(&SessionCtx<'_>, &OutMsg, u32) -> Request<Vec<u8>>;
        let class = match &what {
            Forwarded::Text(_) | Forwarded::Emoticon(_) => PaceClass::Message,
            _ => PaceClass::Media,
        };
        let (mut out, endpoint, build, parse, scene): (_, &'static str, Builder, SendParser, u32) =
            match what {
                Forwarded::Text(text) => {
                    let mut m = OutMsg {
                        msg_type: sendmsg::TYPE_TEXT,
                        ..OutMsg::default()
                    };
                    m.content = Some(text);
                    (
                        m,
                        sendmsg::NAME,
                        sendmsg::build_msg,
                        sendmsg::parse,
                        SCENE_FORWARD,
                    )
                }
                Forwarded::Image(content) => (
                    forwarded_media(sendmsgimg::TYPE_IMAGE, content),
                    sendmsgimg::NAME,
                    sendmsgimg::build_msg,
                    sendmsgimg::parse,
                    SCENE_FORWARD,
                ),
                Forwarded::Video(content) => (
                    forwarded_media(sendvideomsg::TYPE_VIDEO, content),
                    sendvideomsg::NAME,
                    sendvideomsg::build_msg,
                    sendvideomsg::parse,
                    SCENE_FORWARD,
                ),
                Forwarded::Emoticon(md5) => (
                    OutMsg {
                        msg_type: sendemoticon::TYPE_EMOTICON,
                        emoji_flag: Some(sendemoticon::EMOJI_FLAG_GIF),
                        emoticon_md5: Some(md5),
                        ..OutMsg::default()
                    },
                    sendemoticon::NAME,
                    sendemoticon::build_msg,
                    sendemoticon::parse,
                    0,
                ),
                Forwarded::App { msg_type, content } => (
                    forwarded_media(msg_type, content),
                    sendappmsg::NAME,
                    sendappmsg::build_msg,
                    sendappmsg::parse,
                    SCENE_FORWARD,
                ),
            };
        let chat = to.clone();
        self.queue_send(ctx, local_id, &chat, class, endpoint, parse, |s, id| {
            out.from_user_name = s.me.to_owned();
            out.to_user_name = to;
            out.local_id = id.to_owned();
            out.client_msg_id = id.to_owned();
            build(s, &out, scene)
        })
    }
}

/// A member of `group` by UserName, display name or nick name.
pub(super) fn resolve_member(
    contacts: &Contacts,
    group: &str,
    who: &str,
) -> Result<String, CommandError> {
    if let Some(g) = contacts.get(group) {
        if let Some(m) = g.member_list.iter().find(|m| m.user_name == who) {
            return Ok(m.user_name.clone());
        }
        let norm = crate::message::normalize_text;
        if let Some(m) = g.member_list.iter().find(|m| {
            (!m.display_name.is_empty() && (m.display_name == who || norm(&m.display_name) == who))
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
