//! Operations: revoke and mark read, friends (`webwxverifyuser`),
//! groups (`webwxcreatechatroom`, `webwxupdatechatroom`, `webwxbatchgetcontact`), remark
//! names and pins (`webwxoplog`). Each ends in `OpDone` or `OpFailed`.

use super::send::resolve_member;
use super::{
    Client, Cmd, CommandEvent, CommandFailure, Commands, Inflight, OpId, OpKind, OpOutcome,
    check_ready, emit, resolve_user_name,
};
use crate::client::ctx::{Ctx, Step};
use crate::client::{Event, Pending, Phase};
use crate::contacts::Contacts;
use crate::endpoint::SessionCtx;
use crate::endpoint::batchgetcontact::{self, BatchItem};
use crate::endpoint::oplog::{self, Op};
use crate::endpoint::updatechatroom::{self, Update};
use crate::endpoint::{createchatroom, revokemsg, statusnotify, verifyuser};
use crate::error::{Argument, CommandError, ResponseError};
use crate::message::{Message, MessageKind};
use crate::time::Now;
use http::{Request, Response};

impl Client {
    /// Sends a friend request to `user_name` (e.g. a group member) with a greeting
    /// (`webwxverifyuser` Opcode 2).
    pub fn add_friend(
        &mut self,
        now: Now,
        user_name: &str,
        greeting: &str,
    ) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.add_friend(ctx, phase, user_name, greeting)
        })
    }

    /// Accepts a friend request: `user_name` and `ticket` of its type-37 message
    /// (`webwxverifyuser` Opcode 3). See also [`Client::accept_friend_request`].
    pub fn accept_friend(
        &mut self,
        now: Now,
        user_name: &str,
        ticket: &str,
    ) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.accept_friend(ctx, phase, user_name, ticket)
        })
    }

    /// Accepts the friend request `msg` (a [`MessageKind::FriendRequest`]).
    pub fn accept_friend_request(&mut self, now: Now, msg: &Message) -> Result<OpId, CommandError> {
        match &msg.kind {
            MessageKind::FriendRequest {
                contact, ticket, ..
            } => self.accept_friend(now, &contact.user_name, ticket),
            _ => Err(CommandError::NotAFriendRequest),
        }
    }

    /// Creates a group named `topic` with `members` (friends, by UserName or name).
    /// [`OpOutcome::GroupCreated`] names the new group.
    pub fn create_group(
        &mut self,
        now: Now,
        topic: &str,
        members: &[&str],
    ) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.create_group(ctx, phase, topic, members)
        })
    }

    /// Adds `members` to `group`: `addmember` for groups of up to webwxinit's
    /// `InviteStartCount` members (40), `invitemember` (invitations) above, as the
    /// official client does.
    pub fn add_members(
        &mut self,
        now: Now,
        group: &str,
        members: &[&str],
    ) -> Result<OpId, CommandError> {
        let invite_start_count = self.startup.invite_start_count;
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.add_members(ctx, phase, group, members, invite_start_count)
        })
    }

    /// Removes `members` (UserNames, or display or nick names in the group) from `group`
    /// (the owner only).
    pub fn remove_members(
        &mut self,
        now: Now,
        group: &str,
        members: &[&str],
    ) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.remove_members(ctx, phase, group, members)
        })
    }

    /// Renames `group` (`modtopic`).
    pub fn rename_group(
        &mut self,
        now: Now,
        group: &str,
        topic: &str,
    ) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.rename_group(ctx, phase, group, topic)
        })
    }

    /// Sets the remark name of a contact (`webwxoplog` CmdId 2).
    pub fn set_remark(&mut self, now: Now, user: &str, remark: &str) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.set_remark(ctx, phase, user, remark)
        })
    }

    /// Pins a chat to the top (`webwxoplog` CmdId 3, OP 1).
    pub fn pin(&mut self, now: Now, chat: &str) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| cmds.top(ctx, phase, chat, true))
    }

    /// Unpins a chat (`webwxoplog` CmdId 3, OP 0).
    pub fn unpin(&mut self, now: Now, chat: &str) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| cmds.top(ctx, phase, chat, false))
    }

    /// Fetches a group's member list (`webwxbatchgetcontact`) into the contacts; the
    /// change is reported as `Event::Contact`, then [`OpOutcome::MembersFetched`].
    pub fn fetch_group_members(&mut self, now: Now, group: &str) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.fetch_group_members(ctx, phase, group)
        })
    }

    /// Revokes (recalls) a message we sent: `svr_msg_id` is the `msg_id` of its
    /// [`CommandEvent::Sent`], `to` the chat. Ends in [`CommandEvent::OpDone`] or
    /// [`CommandEvent::OpFailed`] with [`OpKind::Revoke`].
    pub fn revoke(&mut self, now: Now, svr_msg_id: &str, to: &str) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| {
            cmds.revoke(ctx, phase, svr_msg_id, to)
        })
    }

    /// Tells the phone that the chat `chat` was read (`webwxstatusnotify` Code 1).
    pub fn mark_read(&mut self, now: Now, chat: &str) -> Result<OpId, CommandError> {
        self.in_commands(now, |cmds, ctx, phase| cmds.mark_read(ctx, phase, chat))
    }
}

impl Commands {
    fn add_friend(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        user_name: &str,
        greeting: &str,
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        if user_name.is_empty() {
            return Err(CommandError::empty(Argument::UserName));
        }
        if crate::contacts::is_group(user_name) {
            return Err(CommandError::NotAPerson {
                user_name: user_name.to_owned(),
            });
        }
        self.dispatch_op(ctx, OpKind::AddFriend, verifyuser::NAME, |s| {
            verifyuser::build(s, verifyuser::OPCODE_SEND_REQUEST, user_name, "", greeting)
        })
    }

    fn accept_friend(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        user_name: &str,
        ticket: &str,
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        if user_name.is_empty() {
            return Err(CommandError::empty(Argument::UserName));
        }
        self.dispatch_op(ctx, OpKind::AcceptFriend, verifyuser::NAME, |s| {
            verifyuser::build(s, verifyuser::OPCODE_VERIFY_OK, user_name, ticket, "")
        })
    }

    fn create_group(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        topic: &str,
        members: &[&str],
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        let members = resolve_all(ctx.contacts, members)?;
        let refs: Vec<&str> = members.iter().map(String::as_str).collect();
        self.dispatch_op(ctx, OpKind::CreateGroup, createchatroom::NAME, |s| {
            createchatroom::build(s, topic, &refs)
        })
    }

    /// `invite_start_count`: the group size from which `invitemember` replaces
    /// `addmember` (startup's, from webwxinit).
    fn add_members(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        group: &str,
        members: &[&str],
        invite_start_count: usize,
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        let group = resolve_group(ctx.contacts, group)?;
        let members = resolve_all(ctx.contacts, members)?;
        let refs: Vec<&str> = members.iter().map(String::as_str).collect();
        let size = ctx
            .contacts
            .get(&group)
            .map_or(0, |g| (g.member_count as usize).max(g.member_list.len()));
        let (what, update) = if size > invite_start_count {
            (OpKind::InviteMembers, Update::Invite(&refs))
        } else {
            (OpKind::AddMembers, Update::Add(&refs))
        };
        self.dispatch_op(ctx, what, updatechatroom::NAME, |s| {
            updatechatroom::build(s, &group, &update)
        })
    }

    fn remove_members(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        group: &str,
        members: &[&str],
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        let group = resolve_group(ctx.contacts, group)?;
        if members.is_empty() {
            return Err(CommandError::empty(Argument::Members));
        }
        let members = members
            .iter()
            .map(|m| resolve_member(ctx.contacts, &group, m))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&str> = members.iter().map(String::as_str).collect();
        self.dispatch_op(ctx, OpKind::RemoveMembers, updatechatroom::NAME, |s| {
            updatechatroom::build(s, &group, &Update::Remove(&refs))
        })
    }

    fn rename_group(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        group: &str,
        topic: &str,
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        let group = resolve_group(ctx.contacts, group)?;
        if topic.is_empty() {
            return Err(CommandError::empty(Argument::Topic));
        }
        self.dispatch_op(ctx, OpKind::RenameGroup, updatechatroom::NAME, |s| {
            updatechatroom::build(s, &group, &Update::Topic(topic))
        })
    }

    fn set_remark(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        user: &str,
        remark: &str,
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        let user = resolve_user_name(ctx.contacts, user)?;
        self.dispatch_op(ctx, OpKind::SetRemark, oplog::NAME, |s| {
            oplog::build(s, &user, &Op::Remark(remark))
        })
    }

    fn top(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        chat: &str,
        pin: bool,
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        let user = resolve_user_name(ctx.contacts, chat)?;
        let remark = ctx
            .contacts
            .get(&user)
            .map(|c| c.remark_name.clone())
            .unwrap_or_default();
        let what = if pin { OpKind::Pin } else { OpKind::Unpin };
        self.dispatch_op(ctx, what, oplog::NAME, |s| {
            oplog::build(
                s,
                &user,
                &Op::Top {
                    pin,
                    remark: &remark,
                },
            )
        })
    }

    fn fetch_group_members(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        group: &str,
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        let group = resolve_group(ctx.contacts, group)?;
        let item = BatchItem {
            user_name: group.clone(),
            encry_chat_room_id: ctx
                .contacts
                .get(&group)
                .map(|g| g.encry_chat_room_id.clone())
                .unwrap_or_default(),
        };
        self.dispatch_op(ctx, OpKind::FetchGroupMembers, batchgetcontact::NAME, |s| {
            batchgetcontact::build(s, &[item])
        })
    }

    /// The answer to an operation.
    pub(super) fn on_op_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        inflight: Inflight,
        op: u64,
        what: OpKind,
        resp: Response<Vec<u8>>,
    ) -> Step {
        let result: Result<OpOutcome, ResponseError> = match what {
            OpKind::Revoke => revokemsg::parse(&resp).map(|_| OpOutcome::Done),
            OpKind::MarkRead => statusnotify::parse(&resp).map(|_| OpOutcome::Done),
            OpKind::AddFriend | OpKind::AcceptFriend => {
                verifyuser::parse(&resp).map(|_| OpOutcome::Done)
            }
            OpKind::CreateGroup => createchatroom::parse(&resp).map(|r| OpOutcome::GroupCreated {
                group: r.chat_room_name,
                topic: r.topic,
                failed: r
                    .member_list
                    .into_iter()
                    .filter(|m| m.member_status != 0)
                    .map(|m| m.user_name)
                    .collect(),
            }),
            OpKind::AddMembers
            | OpKind::InviteMembers
            | OpKind::RemoveMembers
            | OpKind::RenameGroup => updatechatroom::parse(&resp).map(|_| OpOutcome::Done),
            OpKind::SetRemark | OpKind::Pin | OpKind::Unpin => {
                oplog::parse(&resp).map(|_| OpOutcome::Done)
            }
            OpKind::FetchGroupMembers => batchgetcontact::parse(&resp).map(|b| {
                let mut outcome = OpOutcome::MembersFetched {
                    group: String::new(),
                    members: 0,
                };
                for c in b.contact_list {
                    if crate::contacts::is_group(&c.user_name) {
                        outcome = OpOutcome::MembersFetched {
                            group: c.user_name.clone(),
                            members: c.member_list.len(),
                        };
                    }
                    if let Some(change) = ctx.contacts.upsert(c) {
                        ctx.emit(Event::Contact(change));
                    }
                }
                outcome
            }),
        };
        match result {
            Ok(outcome) => {
                self.finish_op(ctx, op, Ok(outcome));
                Step::Stay
            }
            Err(e) => Self::refused(inflight, e),
        }
    }

    fn revoke(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        svr_msg_id: &str,
        to: &str,
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        if svr_msg_id.is_empty() {
            return Err(CommandError::empty(Argument::MessageId));
        }
        let to = resolve_user_name(ctx.contacts, to)?;
        let client_msg_id = match ctx.state.sent.client_msg_id_of(svr_msg_id) {
            Some(c) => c.to_owned(),
            None => Self::new_local_id(ctx),
        };
        self.dispatch_op(ctx, OpKind::Revoke, revokemsg::NAME, |s| {
            revokemsg::build(s, svr_msg_id, &to, &client_msg_id)
        })
    }

    fn mark_read(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        chat: &str,
    ) -> Result<OpId, CommandError> {
        check_ready(phase, ctx.state)?;
        let chat = resolve_user_name(ctx.contacts, chat)?;
        self.dispatch_op(ctx, OpKind::MarkRead, statusnotify::NAME, |s| {
            statusnotify::build(s, statusnotify::CODE_READED, &chat)
        })
    }

    /// Builds an operation's request with the session's context and queues it: friend
    /// and group operations go through the send queue ([`crate::pacing`]), the others at
    /// once.
    fn dispatch_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        what: OpKind,
        endpoint: &'static str,
        build: impl FnOnce(&SessionCtx<'_>) -> Request<Vec<u8>>,
    ) -> Result<OpId, CommandError> {
        let req = Self::build(ctx, build)?;
        let op = self.next();
        self.ops.insert(op, what);
        let t = ctx.cfg.request_timeout;
        let pending = Pending::Cmd(Cmd::Op { op, what });
        match what {
            OpKind::AddFriend
            | OpKind::AcceptFriend
            | OpKind::CreateGroup
            | OpKind::AddMembers
            | OpKind::InviteMembers => {
                // No chat: an operation waits for the session's and the social bucket,
                // not for a chat's gap.
                let inflight = Inflight {
                    paced: Some((String::new(), crate::pacing::PaceClass::Social)),
                    ..Inflight::new(pending, endpoint, req, t)
                };
                crate::client::queue::pace(ctx, inflight);
            }
            _ => ctx.dispatch(pending, endpoint, req, t),
        }
        Ok(OpId(op))
    }

    /// Reports the end of an operation, once.
    pub(super) fn finish_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        op: u64,
        result: Result<OpOutcome, CommandFailure>,
    ) {
        let Some(what) = self.ops.remove(&op) else {
            return;
        };
        let op = OpId(op);
        match result {
            Ok(outcome) => {
                ctx.state.pacing.succeeded();
                emit(ctx, CommandEvent::OpDone { op, what, outcome })
            }
            Err(error) => emit(ctx, CommandEvent::OpFailed { op, what, error }),
        }
    }
}

fn resolve_all(contacts: &Contacts, who: &[&str]) -> Result<Vec<String>, CommandError> {
    if who.is_empty() {
        return Err(CommandError::empty(Argument::Members));
    }
    who.iter().map(|w| resolve_user_name(contacts, w)).collect()
}

fn resolve_group(contacts: &Contacts, group: &str) -> Result<String, CommandError> {
    let g = resolve_user_name(contacts, group)?;
    if crate::contacts::is_group(&g) {
        Ok(g)
    } else {
        Err(CommandError::NotAGroup {
            name: group.to_owned(),
        })
    }
}
