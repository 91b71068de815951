//! Error answers on the JSON boundary: `{"kind", "message", "ret"?, "name"?, "candidates"?}`.

use crate::CommandFailure;
use crate::error::{CommandError, Ret, TransportErrorKind};
use crate::names::{Candidate, NameError, NameProblem};
use serde::{Deserialize, Serialize};

/// What kind of error a command answered with.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Not a command: not JSON, an unknown `cmd`, a missing or unknown field.
    BadCommand,
    /// An argument was refused (empty text, an empty file, a wrong combination…).
    Invalid,
    /// A file over the limit for its kind.
    TooLarge,
    /// The session is not logged in (any more).
    NotLoggedIn,
    /// A name names no contact (`candidates`: contacts with similar names).
    UnknownName,
    /// A name names several contacts (`candidates`: all of them).
    AmbiguousName,
    /// An id (message, upload) that is not known.
    Unknown,
    /// The server refused (`ret` says how: 1204 not a friend, 1205 too frequent…).
    Refused,
    /// The server could not be reached, on every attempt (`transport` says how).
    Transport,
    /// The server's answers could not be read.
    Protocol,
    /// No outcome within the command's timeout (the command may still complete).
    Timeout,
    /// The session ended before the command completed.
    SessionEnded,
    /// Cancelled (`cancel_upload`).
    Cancelled,
    /// Not possible on this host (a local `path` or `save_to` where there are no files).
    Unsupported,
    /// A local file could not be read or written.
    Io,
}

/// An error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
pub struct ErrorInfo {
    /// What kind of error.
    pub kind: ErrorKind,
    /// A sentence for people.
    pub message: String,
    /// The server's code, for `refused`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<i64>"),
        ts(optional, as = "Option<i64>")
    )]
    pub ret: Option<Ret>,
    /// How the transport failed, for `transport`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub transport: Option<TransportErrorKind>,
    /// The name, for `unknown_name` and `ambiguous_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub name: Option<String>,
    /// The contacts a name could have meant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", ts(optional, as = "Option<Vec<Candidate>>"))]
    pub candidates: Vec<Candidate>,
}

impl ErrorInfo {
    /// An error of `kind` saying `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ErrorInfo {
        ErrorInfo {
            kind,
            message: message.into(),
            ret: None,
            transport: None,
            name: None,
            candidates: Vec::new(),
        }
    }
}

impl std::fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorInfo {}

impl From<NameError> for ErrorInfo {
    fn from(e: NameError) -> Self {
        let kind = match e.problem {
            NameProblem::Ambiguous => ErrorKind::AmbiguousName,
            _ => ErrorKind::UnknownName,
        };
        ErrorInfo {
            message: e.to_string(),
            name: Some(e.name),
            candidates: e.candidates,
            ..ErrorInfo::new(kind, "")
        }
    }
}

impl From<CommandError> for ErrorInfo {
    fn from(e: CommandError) -> Self {
        let kind = match &e {
            CommandError::Name(n) => return n.clone().into(),
            CommandError::NotLoggedIn => ErrorKind::NotLoggedIn,
            CommandError::TooLarge { .. } => ErrorKind::TooLarge,
            CommandError::UnknownUpload { .. } => ErrorKind::Unknown,
            CommandError::UnknownMember { member, .. } => {
                return ErrorInfo {
                    name: Some(member.clone()),
                    ..ErrorInfo::new(ErrorKind::UnknownName, e.to_string())
                };
            }
            CommandError::EmptyFile
            | CommandError::Empty { .. }
            | CommandError::InvalidMd5 { .. }
            | CommandError::InvalidMime { .. }
            | CommandError::NotAPerson { .. }
            | CommandError::NotAGroup { .. }
            | CommandError::MentionsOutsideGroup
            | CommandError::NotAFriendRequest
            | CommandError::NotForwardable { .. }
            | CommandError::UploadNotWaiting { .. }
            | CommandError::WrongUploadRange { .. } => ErrorKind::Invalid,
        };
        ErrorInfo::new(kind, e.to_string())
    }
}

impl From<CommandFailure> for ErrorInfo {
    fn from(f: CommandFailure) -> Self {
        let message = f.to_string();
        match f {
            CommandFailure::Refused { ret, .. } => ErrorInfo {
                ret: Some(ret),
                ..ErrorInfo::new(ErrorKind::Refused, message)
            },
            CommandFailure::Transport { kind } => ErrorInfo {
                transport: Some(kind),
                ..ErrorInfo::new(ErrorKind::Transport, message)
            },
            CommandFailure::Protocol { .. } => ErrorInfo::new(ErrorKind::Protocol, message),
            CommandFailure::SessionEnded => ErrorInfo::new(ErrorKind::SessionEnded, message),
            CommandFailure::Cancelled => ErrorInfo::new(ErrorKind::Cancelled, message),
        }
    }
}
