//! Operations: revoke and mark read, friends (`webwxverifyuser`),
//! groups (`webwxcreatechatroom`, `webwxupdatechatroom`, `webwxbatchgetcontact`), remark
//! names and pins (`webwxoplog`). Each ends in `OpDone` or `OpFailed`.

use super::{Client, Cmd, CommandEvent, CommandFailure, Inflight, OpId, OpKind, OpOutcome};
use crate::client::{Event, Pending};
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
        self.check_ready()?;
        if user_name.is_empty() {
            return Err(CommandError::empty(Argument::UserName));
        }
        if crate::contacts::is_group(user_name) {
            return Err(CommandError::NotAPerson {
                user_name: user_name.to_owned(),
            });
        }
        self.dispatch_op(now, OpKind::AddFriend, verifyuser::NAME, |ctx| {
            verifyuser::build(
                ctx,
                verifyuser::OPCODE_SEND_REQUEST,
                user_name,
                "",
                greeting,
            )
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
        self.check_ready()?;
        if user_name.is_empty() {
            return Err(CommandError::empty(Argument::UserName));
        }
        self.dispatch_op(now, OpKind::AcceptFriend, verifyuser::NAME, |ctx| {
            verifyuser::build(ctx, verifyuser::OPCODE_VERIFY_OK, user_name, ticket, "")
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

    fn resolve_all(&self, who: &[&str]) -> Result<Vec<String>, CommandError> {
        if who.is_empty() {
            return Err(CommandError::empty(Argument::Members));
        }
        who.iter().map(|w| self.resolve_user_name(w)).collect()
    }

    fn resolve_group(&self, group: &str) -> Result<String, CommandError> {
        let g = self.resolve_user_name(group)?;
        if crate::contacts::is_group(&g) {
            Ok(g)
        } else {
            Err(CommandError::NotAGroup {
                name: group.to_owned(),
            })
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
        self.check_ready()?;
        let members = self.resolve_all(members)?;
        let refs: Vec<&str> = members.iter().map(String::as_str).collect();
        self.dispatch_op(now, OpKind::CreateGroup, createchatroom::NAME, |ctx| {
            createchatroom::build(ctx, topic, &refs)
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
        self.check_ready()?;
        let group = self.resolve_group(group)?;
        let members = self.resolve_all(members)?;
        let refs: Vec<&str> = members.iter().map(String::as_str).collect();
        let size = self
            .contacts
            .get(&group)
            .map_or(0, |g| (g.member_count as usize).max(g.member_list.len()));
        let (what, update) = if size > self.startup.invite_start_count {
            (OpKind::InviteMembers, Update::Invite(&refs))
        } else {
            (OpKind::AddMembers, Update::Add(&refs))
        };
        self.dispatch_op(now, what, updatechatroom::NAME, |ctx| {
            updatechatroom::build(ctx, &group, &update)
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
        self.check_ready()?;
        let group = self.resolve_group(group)?;
        if members.is_empty() {
            return Err(CommandError::empty(Argument::Members));
        }
        let members = members
            .iter()
            .map(|m| super::send::resolve_member(&self.contacts, &group, m))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&str> = members.iter().map(String::as_str).collect();
        self.dispatch_op(now, OpKind::RemoveMembers, updatechatroom::NAME, |ctx| {
            updatechatroom::build(ctx, &group, &Update::Remove(&refs))
        })
    }

    /// Renames `group` (`modtopic`).
    pub fn rename_group(
        &mut self,
        now: Now,
        group: &str,
        topic: &str,
    ) -> Result<OpId, CommandError> {
        self.check_ready()?;
        let group = self.resolve_group(group)?;
        if topic.is_empty() {
            return Err(CommandError::empty(Argument::Topic));
        }
        self.dispatch_op(now, OpKind::RenameGroup, updatechatroom::NAME, |ctx| {
            updatechatroom::build(ctx, &group, &Update::Topic(topic))
        })
    }

    /// Sets the remark name of a contact (`webwxoplog` CmdId 2).
    pub fn set_remark(&mut self, now: Now, user: &str, remark: &str) -> Result<OpId, CommandError> {
        self.check_ready()?;
        let user = self.resolve_user_name(user)?;
        self.dispatch_op(now, OpKind::SetRemark, oplog::NAME, |ctx| {
            oplog::build(ctx, &user, &Op::Remark(remark))
        })
    }

    /// Pins a chat to the top (`webwxoplog` CmdId 3, OP 1).
    pub fn pin(&mut self, now: Now, chat: &str) -> Result<OpId, CommandError> {
        self.top(now, chat, true)
    }

    /// Unpins a chat (`webwxoplog` CmdId 3, OP 0).
    pub fn unpin(&mut self, now: Now, chat: &str) -> Result<OpId, CommandError> {
        self.top(now, chat, false)
    }

    fn top(&mut self, now: Now, chat: &str, pin: bool) -> Result<OpId, CommandError> {
        self.check_ready()?;
        let user = self.resolve_user_name(chat)?;
        let remark = self
            .contacts
            .get(&user)
            .map(|c| c.remark_name.clone())
            .unwrap_or_default();
        let what = if pin { OpKind::Pin } else { OpKind::Unpin };
        self.dispatch_op(now, what, oplog::NAME, |ctx| {
            oplog::build(
                ctx,
                &user,
                &Op::Top {
                    pin,
                    remark: &remark,
                },
            )
        })
    }

    /// Fetches a group's member list (`webwxbatchgetcontact`) into the contacts; the
    /// change is reported as `Event::Contact`, then [`OpOutcome::MembersFetched`].
    pub fn fetch_group_members(&mut self, now: Now, group: &str) -> Result<OpId, CommandError> {
        self.check_ready()?;
        let group = self.resolve_group(group)?;
        let item = BatchItem {
            user_name: group.clone(),
            encry_chat_room_id: self
                .contacts
                .get(&group)
                .map(|g| g.encry_chat_room_id.clone())
                .unwrap_or_default(),
        };
        self.dispatch_op(
            now,
            OpKind::FetchGroupMembers,
            batchgetcontact::NAME,
            |ctx| batchgetcontact::build(ctx, &[item]),
        )
    }

    pub(crate) fn on_op_response(
        &mut self,
        now: Now,
        inflight: Inflight,
        op: u64,
        what: OpKind,
        resp: Response<Vec<u8>>,
    ) {
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
                    if let Some(change) = self.contacts.upsert(c) {
                        self.emit(Event::Contact(change));
                    }
                }
                outcome
            }),
        };
        match result {
            Ok(outcome) => self.finish_op(op, Ok::<_, CommandFailure>(outcome)),
            Err(e) => self.cmd_error(now, inflight, e),
        }
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
        let client_msg_id = match self.state.sent.client_msg_id_of(svr_msg_id) {
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
        self.dispatch_op_to(now, what, "", endpoint, build)
    }

    /// Like [`Client::dispatch_op`], about `chat`: friend and group operations go through
    /// the send queue ([`crate::pacing`]), the others at once.
    pub(crate) fn dispatch_op_to(
        &mut self,
        now: Now,
        what: OpKind,
        chat: &str,
        endpoint: &'static str,
        build: impl FnOnce(&SessionCtx<'_>) -> Request<Vec<u8>>,
    ) -> Result<OpId, CommandError> {
        let req = self.build_with_session(now, build)?;
        let op = self.cmds.next();
        self.cmds.ops.insert(op, what);
        let t = self.cfg.request_timeout;
        let pending = Pending::Cmd(Cmd::Op { op, what });
        match what {
            OpKind::AddFriend
            | OpKind::AcceptFriend
            | OpKind::CreateGroup
            | OpKind::AddMembers
            | OpKind::InviteMembers => self.dispatch_paced(
                now,
                pending,
                endpoint,
                req,
                t,
                chat,
                crate::pacing::PaceClass::Social,
            ),
            _ => self.dispatch(now, pending, endpoint, req, t),
        }
        Ok(OpId(op))
    }

    pub(crate) fn finish_op(&mut self, op: u64, result: Result<OpOutcome, CommandFailure>) {
        let Some(what) = self.cmds.ops.remove(&op) else {
            return;
        };
        let op = OpId(op);
        match result {
            Ok(outcome) => {
                self.state.pacing.succeeded();
                self.emit_cmd(CommandEvent::OpDone { op, what, outcome })
            }
            Err(error) => self.emit_cmd(CommandEvent::OpFailed { op, what, error }),
        }
    }
}
