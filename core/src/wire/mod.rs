//! JSON shapes shared by many endpoints: `BaseRequest`, `BaseResponse`, `SyncKey`,
//! contacts and the profile, with the lenient number/string handling the real server needs.

pub mod contact;
pub mod lenient;
pub mod sync_key;

pub use contact::{RawContact, RawMember};
pub use sync_key::{SyncKey, SyncKeyPair};

use crate::error::{ParseError, ParseErrorKind, ResponseError, Ret, WxError};
use serde::{Deserialize, Serialize};

/// The `BaseRequest` object of every JSON POST.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BaseRequest {
    /// The wxuin, as a number (the official client sends a string in webwxinit only).
    #[serde(deserialize_with = "lenient::u64")]
    pub uin: u64,
    /// The wxsid.
    pub sid: String,
    /// The skey.
    pub skey: String,
    /// `e` + 15 digits, fresh per request.
    #[serde(rename = "DeviceID")]
    pub device_id: String,
}

impl std::fmt::Debug for BaseRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BaseRequest { <redacted> }")
    }
}

/// The `BaseResponse` object of every JSON answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BaseResponse {
    /// The code; 0 is success.
    #[serde(deserialize_with = "lenient::i64")]
    pub ret: i64,
    /// The message, often empty.
    #[serde(deserialize_with = "lenient::string")]
    pub err_msg: String,
}

impl BaseResponse {
    /// `Ok` for Ret 0, the typed refusal otherwise.
    pub fn check(&self) -> Result<(), WxError> {
        if self.ret == 0 {
            Ok(())
        } else {
            Err(WxError {
                ret: Ret::from_code(self.ret),
                message: self.err_msg.clone(),
            })
        }
    }
}

/// The user profile object (`User` of webwxinit, entries of contact lists).
pub type RawUser = RawContact;

/// A JSON body that has at least a `BaseResponse`.
#[derive(Deserialize)]
struct WithBase {
    #[serde(rename = "BaseResponse")]
    base_response: Option<BaseResponse>,
}

/// Parses a JSON answer of `endpoint`: checks the HTTP status, the JSON, and
/// `BaseResponse.Ret` (a refusal is returned as [`ResponseError::Wx`] before the body is
/// decoded into `T`, so a refusal with a partial body is never a parse error).
pub fn parse_json<T: serde::de::DeserializeOwned>(
    endpoint: &str,
    resp: &http::Response<Vec<u8>>,
) -> Result<T, ResponseError> {
    let body = resp.body();
    check_status(endpoint, resp)?;
    let base: WithBase = serde_json::from_slice(body)
        .map_err(|e| ParseError::new(endpoint, ParseErrorKind::Json(e.to_string()), body))?;
    let base = base.base_response.ok_or_else(|| {
        ParseError::new(
            endpoint,
            ParseErrorKind::Missing("BaseResponse".into()),
            body,
        )
    })?;
    base.check()?;
    serde_json::from_slice(body)
        .map_err(|e| ParseError::new(endpoint, ParseErrorKind::Json(e.to_string()), body).into())
}

/// Fails with a typed error unless the status is 2xx.
pub fn check_status(endpoint: &str, resp: &http::Response<Vec<u8>>) -> Result<(), ParseError> {
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(ParseError::new(
            endpoint,
            ParseErrorKind::Status(resp.status().as_u16()),
            resp.body(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Out {
        #[serde(rename = "X")]
        x: u32,
    }

    #[test]
    fn refusal_before_shape() {
        let e = parse_json::<Out>(
            "t",
            &resp(200, r#"{"BaseResponse":{"Ret":1101,"ErrMsg":""}}"#),
        )
        .unwrap_err();
        assert_eq!(e.ret(), Some(Ret::SESSION_INVALID));
        let e = parse_json::<Out>("t", &resp(200, r#"{"BaseResponse":{"Ret":0}}"#)).unwrap_err();
        assert!(matches!(e, ResponseError::Parse(_)));
        let e = parse_json::<Out>("t", &resp(502, "bad gateway")).unwrap_err();
        assert!(matches!(
            e,
            ResponseError::Parse(ParseError {
                kind: ParseErrorKind::Status(502),
                ..
            })
        ));
        let ok =
            parse_json::<Out>("t", &resp(200, r#"{"BaseResponse":{"Ret":"0"},"X":3}"#)).unwrap();
        assert_eq!(ok.x, 3);
        assert!(parse_json::<Out>("t", &resp(200, r#"{"X":3}"#)).is_err());
    }
}
