//! What the state machine hands the driver: requests to send, events, timeouts.

use crate::contacts::{ContactChange, ContactSummary};
use crate::error::{ParseError, Ret, TransportErrorKind};
use crate::message::Message;
use crate::time::Monotonic;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Identifies an in-flight request; hand it back with the response.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RequestId(pub u64);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A request for the driver to send. (`Debug` shows the method, host and path only: the
/// query, the headers and the body carry the skey, sid, uin, pass_ticket and cookies.)
#[non_exhaustive]
pub struct Transmit {
    /// Hand this back with the response or the failure.
    pub id: RequestId,
    /// The request, ready for the wire (cookies, headers and origin applied).
    pub request: http::Request<Vec<u8>>,
    /// Give up (and report [`TransportErrorKind::Timeout`]) after this long.
    pub timeout: Duration,
    /// The endpoint, for logs (`"synccheck"`, `"webwxsendmsg"`…).
    pub endpoint: &'static str,
}

impl std::fmt::Debug for Transmit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let uri = self.request.uri();
        f.debug_struct("Transmit")
            .field("id", &self.id)
            .field("endpoint", &self.endpoint)
            .field("method", self.request.method())
            .field("host", &uri.host().unwrap_or_default())
            .field("path", &uri.path())
            .field("body_len", &self.request.body().len())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// What `poll_output` returns.
// `Transmit` is large, but every output is moved exactly once from the queue to the
// driver; boxing it would cost an allocation per request for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum Output {
    /// Send this request.
    Transmit(Transmit),
    /// Something happened.
    Event(Event),
    /// Nothing to do until this time (call `handle_timeout` then) or until a response,
    /// failure or command arrives.
    Timeout(Monotonic),
    /// Nothing to do until a response, failure or command arrives (no timer is set).
    Idle,
    /// The session is over and nothing is in flight: the driver can stop.
    Done,
}

/// Why the session ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LogoutReason {
    /// We logged out (the `logout` command).
    Requested,
    /// The server ended the session (synccheck retcode or Ret 1100/1101/1102).
    Remote {
        /// The code.
        ret: Ret,
    },
    /// Web login is refused for this account (newloginpage `<ret>` 1203 and friends).
    LoginRefused {
        /// The code.
        ret: Ret,
        /// The server's message.
        message: String,
    },
    /// The QR code expired or was cancelled too many times.
    QrExpired,
    /// Ret 1205 (too frequent) persisted past the configured limit.
    TooFrequent,
    /// The server could not be reached for too long, or too many attempts failed.
    Unreachable {
        /// The endpoint that failed last.
        endpoint: String,
        /// How.
        kind: TransportErrorKind,
    },
    /// The server kept answering something unreadable.
    Protocol {
        /// The last error.
        error: ParseError,
    },
    /// The server refused a login step with another code.
    Refused {
        /// The endpoint.
        endpoint: String,
        /// The code.
        ret: Ret,
        /// The message.
        message: String,
    },
}

impl std::fmt::Display for LogoutReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogoutReason::Requested => write!(f, "logged out"),
            LogoutReason::Remote { ret } => write!(f, "session ended by the server: {ret}"),
            LogoutReason::LoginRefused { ret, message } => {
                write!(f, "web login refused ({ret}): {message}")
            }
            LogoutReason::QrExpired => write!(f, "QR code expired"),
            LogoutReason::TooFrequent => write!(f, "too frequent (1205) for too long"),
            LogoutReason::Unreachable { endpoint, kind } => write!(f, "{endpoint}: {kind}"),
            LogoutReason::Protocol { error } => write!(f, "{error}"),
            LogoutReason::Refused {
                endpoint,
                ret,
                message,
            } => write!(f, "{endpoint} refused ({ret}): {message}"),
        }
    }
}

/// Something that happened in the session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// Show this QR code (its content is `url`).
    QrCode {
        /// The uuid.
        uuid: String,
        /// What the QR encodes: `https://login.weixin.qq.com/l/<uuid>`.
        url: String,
        /// The server's PNG of it.
        image_url: String,
    },
    /// The phone scanned the code.
    Scanned {
        /// The `data:img/jpg;base64,..` avatar, if sent.
        avatar: Option<String>,
    },
    /// The QR code expired (a new one follows unless renewals are exhausted).
    QrExpired,
    /// The login was cancelled on the phone (a new QR follows unless renewals are exhausted).
    QrCancelled,
    /// A push login was requested: confirm on the phone.
    PushLoginSent,
    /// Push login was not possible; falling back to a QR code.
    PushLoginFailed {
        /// Why.
        reason: String,
    },
    /// A restored session was no longer valid; logging in again.
    ResumeFailed {
        /// The server's code.
        ret: Ret,
    },
    /// Logged in (webwxinit answered).
    LoggedIn {
        /// Our UserName.
        user_name: String,
        /// Our nickname.
        nick_name: String,
    },
    /// The address book is loaded.
    ContactsLoaded(ContactSummary),
    /// Ready for commands (contacts loaded; the sync loop runs unless commands-only).
    Ready,
    /// A contact was added, changed or removed.
    Contact(ContactChange),
    /// A message arrived (each exactly once, in order).
    Message(Box<Message>),
    /// The saved state changed (credentials, keys, cookies): persist it if you save sessions.
    SessionChanged,
    /// The session ended. Reported exactly once.
    LoggedOut {
        /// Why.
        reason: LogoutReason,
    },
    /// A command's outcome or progress (sends, uploads, downloads, operations).
    Command(crate::client::commands::CommandEvent),
}
