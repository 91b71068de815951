//! Error types: what went wrong parsing a response, what the server refused, what a
//! command could not do.

use serde::{Deserialize, Serialize};

/// A `BaseResponse.Ret` (or XML `<ret>`, or synccheck `retcode`) value, with the known
/// codes named.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(into = "i64", from = "i64")]
#[cfg_attr(feature = "schema", ts(as = "i64"))]
#[non_exhaustive]
pub enum Ret {
    /// 0: success.
    Ok,
    /// -1 `MMWEBWX_ERR_SYS`: system error.
    SysError,
    /// -2 `MMWEBWX_ERR_LOGIC`: logic error.
    LogicError,
    /// -14: ticket error.
    TicketError,
    /// 1: parameter error (e.g. addmember on a big room: use invitemember).
    ParamError,
    /// 1100 `MMWEBWX_ERR_SESSION_NOEXIST`: logged out (on the phone, or the session is gone).
    SessionNotExist,
    /// 1101 `MMWEBWX_ERR_SESSION_INVALID`: logged in elsewhere / session invalid.
    SessionInvalid,
    /// 1102: cookie invalid (kicked, or cookies missing).
    CookieInvalid,
    /// 1200 `MMWEBWX_ERR_PARSER_REQUEST`: the server could not parse the request.
    ParseRequest,
    /// 1203: the account may not log in to web WeChat (login environment abnormal).
    LoginRefused,
    /// 1204: send refused (to self, or to a non-friend).
    SendRefused,
    /// 1205 `MMWEBWX_ERR_FREQ`: too frequent.
    TooFrequent,
    /// Any other code.
    Other(i64),
}

impl Ret {
    /// The typed form of `code`.
    pub fn from_code(code: i64) -> Ret {
        match code {
            0 => Ret::Ok,
            -1 => Ret::SysError,
            -2 => Ret::LogicError,
            -14 => Ret::TicketError,
            1 => Ret::ParamError,
            1100 => Ret::SessionNotExist,
            1101 => Ret::SessionInvalid,
            1102 => Ret::CookieInvalid,
            1200 => Ret::ParseRequest,
            1203 => Ret::LoginRefused,
            1204 => Ret::SendRefused,
            1205 => Ret::TooFrequent,
            other => Ret::Other(other),
        }
    }

    /// The numeric code.
    pub fn code(self) -> i64 {
        match self {
            Ret::Ok => 0,
            Ret::SysError => -1,
            Ret::LogicError => -2,
            Ret::TicketError => -14,
            Ret::ParamError => 1,
            Ret::SessionNotExist => 1100,
            Ret::SessionInvalid => 1101,
            Ret::CookieInvalid => 1102,
            Ret::ParseRequest => 1200,
            Ret::LoginRefused => 1203,
            Ret::SendRefused => 1204,
            Ret::TooFrequent => 1205,
            Ret::Other(c) => c,
        }
    }

    /// Whether this code means the session is over (1100, 1101, 1102).
    pub fn is_session_end(self) -> bool {
        matches!(
            self,
            Ret::SessionNotExist | Ret::SessionInvalid | Ret::CookieInvalid
        )
    }
}

impl From<i64> for Ret {
    fn from(c: i64) -> Self {
        Ret::from_code(c)
    }
}

impl From<Ret> for i64 {
    fn from(r: Ret) -> Self {
        r.code()
    }
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Ret::Ok => "ok",
            Ret::SysError => "system error",
            Ret::LogicError => "logic error",
            Ret::TicketError => "ticket error",
            Ret::ParamError => "parameter error",
            Ret::SessionNotExist => "session does not exist (logged out)",
            Ret::SessionInvalid => "session invalid (logged in elsewhere)",
            Ret::CookieInvalid => "cookie invalid",
            Ret::ParseRequest => "server could not parse the request",
            Ret::LoginRefused => "web login refused for this account",
            Ret::SendRefused => "send refused (self or not a friend)",
            Ret::TooFrequent => "too frequent",
            Ret::Other(_) => "unknown code",
        };
        write!(f, "{} ({name})", self.code())
    }
}

/// The server answered, but refused: `BaseResponse.Ret != 0` or an XML `<ret>` != 0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("server refused with ret {ret}: {message}")]
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

/// Why a command was rejected before anything was sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The session is not logged in (yet, or any more).
    #[error("not logged in")]
    NotLoggedIn,
    /// A file is larger than the configured limit for its kind.
    #[error("{kind} of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// "image", "video" or "file".
        kind: String,
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is empty.
    #[error("empty file")]
    EmptyFile,
    /// An argument was invalid.
    #[error("invalid argument: {0}")]
    Invalid(String),
    /// The referenced upload, message or request is unknown.
    #[error("unknown {0}")]
    Unknown(String),
    /// A name (`to`, `chat`, `group`, a member) names no contact, or several: see
    /// [`crate::names`].
    #[error("{0}")]
    Name(crate::names::NameError),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ret_round_trip() {
        for c in [
            0, -1, -2, -14, 1, 1100, 1101, 1102, 1200, 1203, 1204, 1205, 77,
        ] {
            assert_eq!(Ret::from_code(c).code(), c);
        }
        assert!(Ret::from_code(1101).is_session_end());
        assert!(!Ret::TooFrequent.is_session_end());
        assert_eq!(serde_json::to_string(&Ret::TooFrequent).unwrap(), "1205");
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
