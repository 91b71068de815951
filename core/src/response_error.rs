//! What went wrong with a response: the server's codes ([`Ret`], [`WxError`]), a body that
//! could not be understood ([`ParseError`]), either of them ([`ResponseError`]), and the
//! redacted excerpt of a body those errors carry ([`excerpt`], [`redact`]).
//!
//! A leaf: the wire parsers use it, and nothing here uses them. Its items are public as
//! [`crate::error`]'s.

use serde::{Deserialize, Serialize};

/// A `BaseResponse.Ret` (or XML `<ret>`, or synccheck `retcode`) value: the number the
/// server sent, with the known codes as named constants (`constants.md` of the official
/// client). It serializes as the plain number. Any code is a `Ret`, so one the library
/// does not name yet still equals the constant a later version adds.
///
/// ```
/// use webwx_core::Ret;
/// assert_eq!(Ret(1100), Ret::SESSION_NOT_EXIST);
/// assert_eq!(Ret::from_code(1205), Ret::TOO_FREQUENT);
/// assert!(Ret(1101).is_session_end());
/// assert_eq!(serde_json::to_string(&Ret::TOO_FREQUENT).unwrap(), "1205");
/// assert_eq!(Ret(77).to_string(), "77 (unknown code)");
/// ```
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(transparent)]
#[cfg_attr(feature = "schema", ts(as = "i64"))]
pub struct Ret(pub i64);

impl Ret {
    /// 0: success.
    pub const OK: Ret = Ret(0);
    /// -1 `MMWEBWX_ERR_SYS`: system error.
    pub const SYS_ERROR: Ret = Ret(-1);
    /// -2 `MMWEBWX_ERR_LOGIC`: logic error.
    pub const LOGIC_ERROR: Ret = Ret(-2);
    /// -14: ticket error.
    pub const TICKET_ERROR: Ret = Ret(-14);
    /// 1: parameter error (e.g. addmember on a big room: use invitemember).
    pub const PARAM_ERROR: Ret = Ret(1);
    /// 1100 `MMWEBWX_ERR_SESSION_NOEXIST`: logged out (on the phone, or the session is gone).
    pub const SESSION_NOT_EXIST: Ret = Ret(1100);
    /// 1101 `MMWEBWX_ERR_SESSION_INVALID`: logged in elsewhere / session invalid.
    pub const SESSION_INVALID: Ret = Ret(1101);
    /// 1102: cookie invalid (kicked, or cookies missing).
    pub const COOKIE_INVALID: Ret = Ret(1102);
    /// 1200 `MMWEBWX_ERR_PARSER_REQUEST`: the server could not parse the request.
    pub const PARSE_REQUEST: Ret = Ret(1200);
    /// 1203: the account may not log in to web WeChat (login environment abnormal).
    pub const LOGIN_REFUSED: Ret = Ret(1203);
    /// 1204: send refused (to self, or to a non-friend).
    pub const SEND_REFUSED: Ret = Ret(1204);
    /// 1205 `MMWEBWX_ERR_FREQ`: too frequent.
    pub const TOO_FREQUENT: Ret = Ret(1205);

    /// The `Ret` of `code`.
    pub const fn from_code(code: i64) -> Ret {
        Ret(code)
    }

    /// The numeric code.
    pub const fn code(self) -> i64 {
        self.0
    }

    /// Whether this code means the session is over (1100, 1101, 1102).
    pub fn is_session_end(self) -> bool {
        matches!(
            self,
            Ret::SESSION_NOT_EXIST | Ret::SESSION_INVALID | Ret::COOKIE_INVALID
        )
    }

    /// What the code means, when it is one of the named ones.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Ret::OK => "ok",
            Ret::SYS_ERROR => "system error",
            Ret::LOGIC_ERROR => "logic error",
            Ret::TICKET_ERROR => "ticket error",
            Ret::PARAM_ERROR => "parameter error",
            Ret::SESSION_NOT_EXIST => "session does not exist (logged out)",
            Ret::SESSION_INVALID => "session invalid (logged in elsewhere)",
            Ret::COOKIE_INVALID => "cookie invalid",
            Ret::PARSE_REQUEST => "server could not parse the request",
            Ret::LOGIN_REFUSED => "web login refused for this account",
            Ret::SEND_REFUSED => "send refused (self or not a friend)",
            Ret::TOO_FREQUENT => "too frequent",
            _ => return None,
        })
    }
}

impl From<i64> for Ret {
    fn from(c: i64) -> Self {
        Ret(c)
    }
}

impl From<Ret> for i64 {
    fn from(r: Ret) -> Self {
        r.0
    }
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.0, self.name().unwrap_or("unknown code"))
    }
}

/// The server answered, but refused: `BaseResponse.Ret != 0` or an XML `<ret>` != 0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("server refused with ret {ret}: {message}")]
#[non_exhaustive]
pub struct WxError {
    /// The code.
    pub ret: Ret,
    /// The server's message (`ErrMsg` / `<message>`), possibly empty.
    pub message: String,
}

/// What was wrong with a response body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// An HTTP status the endpoint never answers with.
    Status(u16),
    /// Invalid JSON (serde's message).
    Json(String),
    /// Invalid XML (quick-xml's message).
    Xml(String),
    /// The JavaScript assignment text did not have the expected shape.
    Js(String),
    /// A field the endpoint always sends is missing or empty.
    Missing(String),
    /// A field has a value of the wrong shape.
    Invalid(String),
}

impl std::fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseErrorKind::Status(s) => write!(f, "unexpected HTTP status {s}"),
            ParseErrorKind::Json(m) => write!(f, "invalid JSON: {m}"),
            ParseErrorKind::Xml(m) => write!(f, "invalid XML: {m}"),
            ParseErrorKind::Js(m) => write!(f, "unexpected JavaScript answer: {m}"),
            ParseErrorKind::Missing(m) => write!(f, "missing {m}"),
            ParseErrorKind::Invalid(m) => write!(f, "invalid {m}"),
        }
    }
}

/// A response body that does not have the shape the endpoint answers with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[error("{endpoint}: {kind}; body starts {excerpt:?}")]
#[non_exhaustive]
pub struct ParseError {
    /// The endpoint whose answer this was (`"synccheck"`, `"webwxinit"`, ...).
    pub endpoint: String,
    /// What was wrong.
    pub kind: ParseErrorKind,
    /// The first bytes of the body (at most 160 characters), with secrets redacted.
    pub excerpt: String,
}

impl ParseError {
    /// A parse error for `endpoint` with an excerpt of `body`.
    pub fn new(endpoint: &str, kind: ParseErrorKind, body: &[u8]) -> ParseError {
        ParseError {
            endpoint: endpoint.to_owned(),
            kind,
            excerpt: excerpt(body),
        }
    }
}

/// What an endpoint's `parse` returns on failure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The body could not be understood.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The server refused.
    #[error(transparent)]
    Wx(#[from] WxError),
}

impl ResponseError {
    /// The server's code, when it refused.
    pub fn ret(&self) -> Option<Ret> {
        match self {
            ResponseError::Wx(e) => Some(e.ret),
            ResponseError::Parse(_) => None,
        }
    }
}

const SECRET_TAGS: [&str; 6] = ["skey", "wxsid", "wxuin", "pass_ticket", "ticket", "sid"];
const SECRET_KEYS: [&str; 8] = [
    "\"Skey\"",
    "\"Sid\"",
    "\"Uin\"",
    "\"SKey\"",
    "\"Ticket\"",
    "\"pass_ticket\"",
    "\"AESKey\"",
    "\"Signature\"",
];

/// The first 160 characters of `body`, lossily decoded, with secret values redacted
/// (XML `<skey>`-style elements, JSON `"Skey"`-style fields, `@crypt_` tokens).
pub fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let redacted = redact(&text);
    redacted.chars().take(160).collect()
}

/// Redacts secret values in protocol text.
pub fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    for tag in SECRET_TAGS {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        let mut from = 0;
        while let Some(i) = out[from..].find(&open) {
            let start = from + i + open.len();
            match out[start..].find(&close) {
                Some(j) => {
                    out.replace_range(start..start + j, "<redacted>");
                    from = start + "<redacted>".len() + close.len();
                }
                None => {
                    out.replace_range(start.., "<redacted>");
                    break;
                }
            }
        }
    }
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(i) = out[from..].find(key) {
            let after = from + i + key.len();
            let rest = &out[after..];
            let colon = rest.len() - rest.trim_start_matches([' ', ':']).len();
            let value_start = after + colon;
            let value_end = out[value_start..]
                .find([',', '}', '\n'])
                .map_or(out.len(), |e| value_start + e);
            if value_end > value_start {
                out.replace_range(value_start..value_end, "\"<redacted>\"");
            }
            from = value_start + 1;
            if from >= out.len() {
                break;
            }
        }
    }
    while let Some(i) = out.find("@crypt_") {
        let end = out[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '@'))
            .map_or(out.len(), |e| i + e);
        out.replace_range(i..end, "<redacted>");
    }
    out
}
