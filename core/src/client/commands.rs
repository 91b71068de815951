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
//!
//! The `Client` methods here are thin: each hands its arguments to the commands phase
//! (`Commands`, in `state`), which works on its own bookkeeping and a small context (the
//! session state, the contacts, emit, dispatch, the send queue) and never sees `Client`;
//! an answer or a final failure returns a `Step` for what only `Client` does (retry, end
//! the session). What another phase owns comes in as an argument: the phase the session
//! is in, startup's `InviteStartCount`.

mod download;
mod ops;
mod send;
mod state;
mod types;
mod upload;

pub use crate::upload::MediaKind;
pub use download::{Download, DownloadedMedia};
pub use types::{
    CommandEvent, CommandFailure, DownloadId, LocalId, OpId, OpKind, OpOutcome, UploadId,
};
pub use upload::{DataPurpose, FileSpec, UploadHandle};

pub(crate) use state::{Cmd, Commands, SendParser};

use super::ctx::{Ctx, Step, ctx};
use super::{Client, Event, Failure, Inflight, Pending, Phase};
use crate::contacts::Contacts;
use crate::endpoint::SessionCtx;
use crate::error::{Argument, CommandError, ResponseError};
use crate::time::Now;
use http::{Request, Response};

impl Client {
    /// Number of commands (sends, downloads, operations) not finished yet.
    pub fn pending_commands(&self) -> usize {
        self.cmds.pending()
    }

    /// The UserName for `to`, by the rules of [`crate::names`]: a known UserName, a
    /// special account, a remark or nick name naming exactly one contact, or a string
    /// with the shape of a UserName. An unknown or ambiguous name is
    /// [`CommandError::Name`], which lists the candidates.
    pub fn resolve_user_name(&self, to: &str) -> Result<String, CommandError> {
        resolve_user_name(&self.contacts, to)
    }

    /// Runs `f` on the commands phase with a context and the current phase, then fails
    /// (through the retry policy) the requests it could not send; returns what `f`
    /// returns (a command's id, or the [`Step`] of an answer, which the caller settles).
    pub(crate) fn in_commands<R>(
        &mut self,
        now: Now,
        f: impl FnOnce(&mut Commands, &mut Ctx<'_>, &Phase) -> R,
    ) -> R {
        let r = f(&mut self.cmds, &mut ctx!(self, now), &self.phase);
        self.settle(now, Step::Stay);
        r
    }
}

impl Commands {
    /// The answer to a command's request.
    pub(crate) fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        inflight: Inflight,
        resp: Response<Vec<u8>>,
    ) -> Step {
        let Pending::Cmd(cmd) = &inflight.pending else {
            return Step::Stay;
        };
        match cmd.clone() {
            Cmd::Send { local_id, parse } => {
                self.on_send_response(ctx, inflight, &local_id, parse, resp)
            }
            Cmd::CheckUpload { upload } => self.on_checkupload(ctx, inflight, upload, resp),
            Cmd::UploadChunk { upload, chunk } => {
                self.on_upload_chunk(ctx, inflight, upload, chunk, resp)
            }
            Cmd::Download { download } => self.on_download(ctx, inflight, download, resp),
            Cmd::Op { op, what } => self.on_op_response(ctx, inflight, op, what, resp),
        }
    }

    /// A command's request out of retries: the command fails with the last failure.
    pub(crate) fn on_failure(&mut self, ctx: &mut Ctx<'_>, cmd: Cmd, failure: Failure) -> Step {
        let error = CommandFailure::from_failure(failure);
        match cmd {
            Cmd::Send { local_id, .. } => self.finish_send(ctx, &local_id, Err(error)),
            Cmd::CheckUpload { upload } | Cmd::UploadChunk { upload, .. } => {
                self.fail_upload(ctx, upload, error)
            }
            Cmd::Download { download } => self.finish_download(ctx, download, Err(error)),
            Cmd::Op { op, .. } => self.finish_op(ctx, op, Err(error)),
        }
        Step::Stay
    }

    /// A refused or unreadable answer to a command: retried when the policy allows, else
    /// reported; a session-ending Ret (1100/1101/1102) then ends the session as the sync
    /// loop's would (a resumed session logs in again).
    fn refused(inflight: Inflight, e: ResponseError) -> Step {
        match e.ret().filter(|r| r.is_session_end()) {
            Some(ret) => Step::RetryThenOver(inflight, Failure::Response(e), ret),
            None => Step::Retry(inflight, Failure::Response(e)),
        }
    }

    /// A new LocalID / ClientMsgId.
    fn new_local_id(ctx: &mut Ctx<'_>) -> String {
        ctx.state.msg_ids.next(ctx.now.wall, &mut ctx.state.rng)
    }

    /// A request built with the session's context; `NotLoggedIn` without credentials.
    fn build(
        ctx: &mut Ctx<'_>,
        build: impl FnOnce(&SessionCtx<'_>) -> Request<Vec<u8>>,
    ) -> Result<Request<Vec<u8>>, CommandError> {
        ctx.session_ctx()
            .map(|s| build(&s))
            .ok_or(CommandError::NotLoggedIn)
    }
}

/// Reports a command's outcome or progress.
fn emit(ctx: &mut Ctx<'_>, e: CommandEvent) {
    ctx.emit(Event::Command(e));
}

/// Fails unless a session in `phase` with `state` can take commands.
fn check_ready(phase: &Phase, state: &crate::SessionState) -> Result<(), CommandError> {
    // Until webwxinit answered, our own UserName (FromUserName) is unknown.
    if phase.logged_in(state) && *phase != Phase::LoggingOut && state.me.is_some() {
        Ok(())
    } else {
        Err(CommandError::NotLoggedIn)
    }
}

/// The UserName for `to` among `contacts` (see [`Client::resolve_user_name`]).
fn resolve_user_name(contacts: &Contacts, to: &str) -> Result<String, CommandError> {
    if to.is_empty() {
        return Err(CommandError::empty(Argument::Recipient));
    }
    crate::names::resolve(contacts, to).map_err(CommandError::Name)
}
