//! The public types of commands: their ids (from [`crate::ids`]), their outcomes and
//! progress ([`CommandEvent`]), and why an accepted command failed ([`CommandFailure`]).

use crate::client::Failure;
use crate::error::{ParseError, ResponseError, Ret, TransportErrorKind};
use crate::media::DownloadedMedia;
use serde::{Deserialize, Serialize};

use super::DataPurpose;

pub use crate::ids::{DownloadId, LocalId, OpId, UploadId};

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

    pub(crate) fn from_failure(f: Failure) -> CommandFailure {
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
    /// [`Client::upload_data`](crate::Client::upload_data).
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

#[cfg(test)]
mod tests {
    use super::*;

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
