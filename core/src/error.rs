//! Error types: what went wrong parsing a response, what the server refused, what a
//! command could not do.

use serde::{Deserialize, Serialize};

pub use crate::response_error::{
    ParseError, ParseErrorKind, ResponseError, Ret, WxError, excerpt, redact,
};

/// Why a command was rejected before anything was sent.
///
/// Each variant is one reason, with the value at fault; the JSON boundary maps them to
/// its [`ErrorKind`](crate::boundary::ErrorKind)s (`invalid`, `too_large`, `unknown`,
/// `unknown_name`, …) and their `Display` to the answer's message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommandError {
    /// The session is not logged in (yet, or any more).
    #[error("not logged in")]
    NotLoggedIn,
    /// A file is larger than the configured limit for its kind.
    #[error("{} of {size} bytes exceeds the limit of {limit} bytes", kind.limit_name())]
    TooLarge {
        /// How the file was to be sent (its limit: image, video or file).
        kind: crate::upload::MediaKind,
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is empty.
    #[error("empty file")]
    EmptyFile,
    /// An argument that must not be empty was.
    #[error("{}", if *argument == Argument::Members { "no members".to_owned() } else { format!("empty {argument}") })]
    Empty {
        /// Which.
        argument: Argument,
    },
    /// A file's md5 is not 32 hexadecimal digits.
    #[error("invalid md5 {md5:?}")]
    InvalidMd5 {
        /// As given.
        md5: String,
    },
    /// A file's MIME type is not `type/subtype`.
    #[error("invalid mime type {mime:?}")]
    InvalidMime {
        /// As given.
        mime: String,
    },
    /// A person was expected (a friend request to a group).
    #[error("{user_name:?} is not a person")]
    NotAPerson {
        /// The UserName given.
        user_name: String,
    },
    /// A group was expected.
    #[error("{name:?} is not a group")]
    NotAGroup {
        /// The name given.
        name: String,
    },
    /// @mentions outside a group.
    #[error("mentions are only possible in groups")]
    MentionsOutsideGroup,
    /// `accept_friend_request` of a message that is no friend request.
    #[error("not a friend request")]
    NotAFriendRequest,
    /// A message that cannot be forwarded (voice, a store emoticon without md5, a
    /// system message…).
    #[error("a {kind} message cannot be forwarded")]
    NotForwardable {
        /// What the message is (`voice`, `store emoticon`, …).
        kind: String,
    },
    /// `member` is no member of `group` (by UserName, display name or nick name).
    #[error("no member {member:?} in {group}")]
    UnknownMember {
        /// The group's UserName.
        group: String,
        /// The name given.
        member: String,
    },
    /// The upload is not known (finished, cancelled, or never started).
    #[error("unknown upload {upload}")]
    UnknownUpload {
        /// The upload.
        upload: crate::ids::UploadId,
    },
    /// Bytes for an upload that did not ask for any.
    #[error("upload {upload} is not waiting for data")]
    UploadNotWaiting {
        /// The upload.
        upload: crate::ids::UploadId,
    },
    /// Bytes for an upload other than those it asked for.
    #[error("upload {upload} wants bytes {offset}..{} (got {got_offset}..{})", offset + len, got_offset.saturating_add(*got_len))]
    WrongUploadRange {
        /// The upload.
        upload: crate::ids::UploadId,
        /// The first byte asked for.
        offset: u64,
        /// The number of bytes asked for.
        len: u64,
        /// The first byte given.
        got_offset: u64,
        /// The number of bytes given.
        got_len: u64,
    },
    /// A name (`to`, `chat`, `group`, a member) names no contact, or several: see
    /// [`crate::names`].
    #[error("{0}")]
    Name(crate::names::NameError),
}

/// A command argument, as named in [`CommandError::Empty`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Argument {
    /// The recipient (`to`).
    Recipient,
    /// A message's text.
    Text,
    /// An emoticon's md5 or MediaId.
    EmoticonId,
    /// A message id (`MsgId`).
    MessageId,
    /// A MediaId.
    MediaId,
    /// A file's sender.
    Sender,
    /// A UserName.
    UserName,
    /// A file name.
    FileName,
    /// The members of a group operation.
    Members,
    /// A group's topic.
    Topic,
}

impl std::fmt::Display for Argument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Argument::Recipient => "recipient",
            Argument::Text => "text",
            Argument::EmoticonId => "emoticon id",
            Argument::MessageId => "message id",
            Argument::MediaId => "media id",
            Argument::Sender => "sender",
            Argument::UserName => "user name",
            Argument::FileName => "file name",
            Argument::Members => "members",
            Argument::Topic => "topic",
        })
    }
}

impl CommandError {
    /// An empty `argument`.
    pub fn empty(argument: Argument) -> CommandError {
        CommandError::Empty { argument }
    }
}

/// A transport failure, as reported by the driver.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// Could not connect (refused, DNS, TLS handshake).
    Connect,
    /// The request's timeout elapsed.
    Timeout,
    /// The connection broke mid-request or mid-response.
    Reset,
    /// The response was larger than the driver's limit.
    TooLarge,
    /// Anything else.
    Other,
}

impl std::fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "connect failed",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Reset => "connection reset",
            TransportErrorKind::TooLarge => "response too large",
            TransportErrorKind::Other => "transport error",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ret_round_trip() {
        for c in [
            0, -1, -2, -14, 1, 1100, 1101, 1102, 1200, 1203, 1204, 1205, 77,
        ] {
            assert_eq!(Ret::from_code(c).code(), c);
            let json = serde_json::to_string(&Ret(c)).unwrap();
            assert_eq!(json, c.to_string());
            assert_eq!(serde_json::from_str::<Ret>(&json).unwrap(), Ret(c));
        }
        // An unnamed code and the named constant are one value.
        assert_eq!(Ret(1100), Ret::SESSION_NOT_EXIST);
        assert_eq!(Ret::from_code(-14), Ret::TICKET_ERROR);
        assert!(Ret(1101).is_session_end());
        assert!(Ret(1102).is_session_end());
        assert!(!Ret::TOO_FREQUENT.is_session_end());
        assert_eq!(serde_json::to_string(&Ret::TOO_FREQUENT).unwrap(), "1205");
        assert_eq!(
            Ret(1204).to_string(),
            "1204 (send refused (self or not a friend))"
        );
        assert_eq!(Ret(77).name(), None);
        assert_eq!(Ret(77).to_string(), "77 (unknown code)");
    }

    #[test]
    fn excerpts_hide_secrets() {
        let xml = b"<error><ret>0</ret><skey>@crypt_abc_123</skey><wxsid>SID</wxsid><wxuin>42</wxuin><pass_ticket>PT%2B</pass_ticket></error>";
        let e = excerpt(xml);
        for s in ["abc_123", "SID", ">42<", "PT%2B"] {
            assert!(!e.contains(s), "{e}");
        }
        assert!(e.contains("<ret>0</ret>"));
        let json = br#"{"BaseResponse":{"Ret":0},"SKey":"@crypt_x_y","Skey": "zz", "Uin": 123}"#;
        let e = excerpt(json);
        assert!(
            !e.contains("zz") && !e.contains("123") && !e.contains("crypt_x"),
            "{e}"
        );
    }

    #[test]
    fn redact_is_total_on_odd_text() {
        for s in [
            "<skey>",
            "\"Skey\"",
            "\"Skey\":",
            "@crypt_",
            "<skey></skey>",
            "é<sid>é",
        ] {
            let _ = redact(s);
        }
    }
}
