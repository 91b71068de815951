//! Answers on the JSON boundary: one per command, `{"answer": id, "result": {..}}` or
//! `{"answer": id, "error": {..}}`.

use super::command::CommandId;
use super::error::ErrorInfo;
use super::query::{Contact, Me};
use crate::media::DownloadedMedia;
use crate::{LocalId, OpKind, OpOutcome};
use serde::{Deserialize, Serialize};

/// What a command produced, tagged by `"kind"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommandResult {
    /// A message was sent (`send_text`, `send_file`, `send_emoticon`, `forward`).
    Sent {
        /// Its LocalID / ClientMsgId.
        local_id: LocalId,
        /// The server's MsgId: revoke with it.
        msg_id: String,
    },
    /// An operation was done (`revoke`, `mark_read`, friends, members, remarks, pins).
    Done {
        /// Which.
        op: OpKind,
    },
    /// `create_group` made a group.
    GroupCreated {
        /// Its UserName.
        group: String,
        /// Its name.
        topic: String,
        /// Members the server did not add.
        failed: Vec<String>,
    },
    /// `fetch_group_members` stored a group's members.
    MembersFetched {
        /// The group.
        group: String,
        /// How many members.
        members: u64,
    },
    /// A download finished.
    Downloaded {
        /// A file name safe to write (also the saved file's name, unless `save_to`
        /// named the file).
        file_name: String,
        /// The server's content type, or empty.
        content_type: String,
        /// Its size in bytes.
        len: u64,
        /// Where it was saved (`save_to`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        path: Option<String>,
        /// The bytes in standard base64 (`inline`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        data_b64: Option<String>,
    },
    /// `cancel_upload` cancelled a send (which answers a `cancelled` error itself).
    UploadCancelled {
        /// The send's LocalID.
        local_id: LocalId,
    },
    /// `logout`: the session has ended.
    LoggedOut {},
    /// `contacts`: the contacts asked for.
    Contacts {
        /// Sorted by the name shown (remark, else nick name).
        contacts: Vec<Contact>,
    },
    /// `me`: where the session is and who we are.
    Me(Me),
}

impl CommandResult {
    /// The result of an operation.
    pub fn of_op(op: OpKind, outcome: OpOutcome) -> CommandResult {
        match outcome {
            OpOutcome::GroupCreated {
                group,
                topic,
                failed,
            } => CommandResult::GroupCreated {
                group,
                topic,
                failed,
            },
            OpOutcome::MembersFetched { group, members } => CommandResult::MembersFetched {
                group,
                members: members as u64,
            },
            _ => CommandResult::Done { op },
        }
    }

    /// A download answered inline: the bytes in base64.
    pub fn inline_download(media: &DownloadedMedia) -> CommandResult {
        use base64::Engine as _;
        CommandResult::Downloaded {
            file_name: media.file_name.clone(),
            content_type: media.content_type.clone(),
            len: media.bytes.len() as u64,
            path: None,
            data_b64: Some(base64::engine::general_purpose::STANDARD.encode(&media.bytes)),
        }
    }

    /// A download saved at `path`.
    pub fn saved_download(media: &DownloadedMedia, path: String) -> CommandResult {
        CommandResult::Downloaded {
            file_name: media.file_name.clone(),
            content_type: media.content_type.clone(),
            len: media.bytes.len() as u64,
            path: Some(path),
            data_b64: None,
        }
    }
}

/// Success or failure, as the answer's `"result"` or `"error"` member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// `"result": {..}`.
    Result(CommandResult),
    /// `"error": {"kind", "message", ..}`.
    Error(ErrorInfo),
}

/// The answer to one command: `{"answer": id|null, "result": {..}}` or
/// `{"answer": id|null, "error": {..}}`.
///
/// ```
/// use webwx_core::boundary::{Answer, CommandResult, ErrorInfo, ErrorKind, Outcome};
/// let a = Answer { answer: Some(7.into()), outcome: Outcome::Result(CommandResult::LoggedOut {}) };
/// assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"answer":7,"result":{"kind":"logged_out"}}"#);
/// let e = Answer { answer: None, outcome: Outcome::Error(ErrorInfo::new(ErrorKind::Timeout, "no answer")) };
/// assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"answer":null,"error":{"kind":"timeout","message":"no answer"}}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
pub struct Answer {
    /// The command's `"id"`, or `null`.
    pub answer: Option<CommandId>,
    /// What happened.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", ts(flatten))]
    pub outcome: Outcome,
}

impl Answer {
    /// The outcome as a `Result`.
    pub fn into_result(self) -> Result<CommandResult, ErrorInfo> {
        match self.outcome {
            Outcome::Result(r) => Ok(r),
            Outcome::Error(e) => Err(e),
        }
    }

    /// The answer `id` gets for `result`.
    pub fn new(answer: Option<CommandId>, result: Result<CommandResult, ErrorInfo>) -> Answer {
        Answer {
            answer,
            outcome: match result {
                Ok(r) => Outcome::Result(r),
                Err(e) => Outcome::Error(e),
            },
        }
    }

    /// The one-line JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("answers always serialize")
    }
}
