//! JSON shapes shared by many endpoints: `BaseRequest`, `BaseResponse`, `SyncKey`,
//! contacts and the profile, with the lenient number/string handling the real server needs.

pub mod contact;
pub mod entries;
pub mod lenient;
pub(crate) mod record;
pub mod sync_key;

pub use contact::{RawContact, RawMember};
pub use sync_key::{SyncKey, SyncKeyPair};

use crate::response_error::{ParseError, ParseErrorKind, ResponseError, Ret, WxError};
use crate::wire::record::record;
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BaseResponse {
    /// The code; 0 is success.
    pub ret: i64,
    /// The message, often empty.
    pub err_msg: String,
}

record!(BaseResponse {
    "Ret" => ret: lenient::i64,
    "ErrMsg" => err_msg: lenient::string,
});

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

/// Parses a JSON answer of `endpoint`: checks the HTTP status, the JSON, and
/// `BaseResponse.Ret` (a refusal is returned as [`ResponseError::Wx`] before the body is
/// decoded into `T`, so a refusal with a partial body is never a parse error).
pub fn parse_json<T: serde::de::DeserializeOwned>(
    endpoint: &str,
    resp: &http::Response<Vec<u8>>,
) -> Result<T, ResponseError> {
    parse_json_borrowed(endpoint, resp)
}

/// [`parse_json`] into a type that may borrow from the body (`&str`,
/// `&serde_json::value::RawValue`).
pub fn parse_json_borrowed<'a, T: Deserialize<'a>>(
    endpoint: &str,
    resp: &'a http::Response<Vec<u8>>,
) -> Result<T, ResponseError> {
    parse_json_seed(endpoint, resp, std::marker::PhantomData::<T>)
}

/// [`parse_json_borrowed`] through a stateful `seed` (the answer checked the same way,
/// `BaseResponse.Ret` first): what the seed does as it reads (hand entries on as they
/// are found) happens during the one pass over the body.
///
/// The body may be any bytes (`B`), not only a `Vec<u8>`: the command line reads a large
/// answer into memory of its own (huge pages).
pub fn parse_json_seed<'a, B: AsRef<[u8]>, S: serde::de::DeserializeSeed<'a>>(
    endpoint: &str,
    resp: &'a http::Response<B>,
    seed: S,
) -> Result<S::Value, ResponseError> {
    let body = checked_body(endpoint, resp.status(), resp.body().as_ref())?;
    // What `serde_json::from_slice` does, with a seed.
    let mut de = serde_json::Deserializer::from_slice(body);
    seed.deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value))
        .map_err(|e| json_error(endpoint, &e, body))
}

/// [`parse_json_seed`] over a body already known to be UTF-8 text (`body`, with the
/// answer's `status`): serde_json reads it as text, without checking it again.
pub fn parse_json_seed_text<'a, S: serde::de::DeserializeSeed<'a>>(
    endpoint: &str,
    status: http::StatusCode,
    body: &'a str,
    seed: S,
) -> Result<S::Value, ResponseError> {
    let bytes = checked_body(endpoint, status, body.as_bytes())?;
    // What `serde_json::from_str` does, with a seed.
    let mut de = serde_json::Deserializer::from_str(body);
    seed.deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value))
        .map_err(|e| json_error(endpoint, &e, bytes))
}

/// What [`parse_json_seed`] does before the typed read, the same for every seed (one
/// copy in the binary, not one per response type): the status and `BaseResponse.Ret`.
fn checked_body<'a>(
    endpoint: &str,
    status: http::StatusCode,
    body: &'a [u8],
) -> Result<&'a [u8], ResponseError> {
    if !status.is_success() {
        return Err(
            ParseError::new(endpoint, ParseErrorKind::Status(status.as_u16()), body).into(),
        );
    }
    let base = base_response(body).map_err(|e| json_error(endpoint, &e, body))?;
    let base = base.ok_or_else(|| {
        ParseError::new(
            endpoint,
            ParseErrorKind::Missing("BaseResponse".into()),
            body,
        )
    })?;
    base.check()?;
    Ok(body)
}

/// A JSON error of `endpoint`'s answer.
fn json_error(endpoint: &str, e: &serde_json::Error, body: &[u8]) -> ResponseError {
    ParseError::new(endpoint, ParseErrorKind::Json(e.to_string()), body).into()
}

/// The `BaseResponse` of a JSON object (`None`: absent or `null`). Reads up to that key
/// only — it comes first in every answer of the server — so the body is not read twice;
/// without it the whole body is read (and must be valid JSON).
pub(crate) fn base_response(body: &[u8]) -> Result<Option<BaseResponse>, serde_json::Error> {
    use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

    /// What the scan ends with before serde_json sees the end of the body.
    const FOUND: &str = "BaseResponse found";

    /// A key of the top object: whether it is `BaseResponse`, compared without copying.
    struct IsBase;
    impl<'de> DeserializeSeed<'de> for IsBase {
        type Value = bool;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_str(self)
        }
    }
    impl Visitor<'_> for IsBase {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a key")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            Ok(v == "BaseResponse")
        }
    }

    struct Scan<'s>(&'s mut Option<Option<BaseResponse>>);
    impl<'de> Visitor<'de> for Scan<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(is_base) = map.next_key_seed(IsBase)? {
                if is_base {
                    *self.0 = Some(map.next_value::<Option<BaseResponse>>()?);
                    // Stop here: what follows is read by the typed parse.
                    return Err(de::Error::custom(FOUND));
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }

    let mut found = None;
    let mut de = serde_json::Deserializer::from_slice(body);
    let scanned = (&mut de).deserialize_map(Scan(&mut found));
    match (found, scanned) {
        (Some(base), _) => Ok(base),
        (None, Ok(())) => Ok(None),
        (None, Err(e)) => Err(e),
    }
}

/// A value read from raw JSON text the body held (an entry of a list): in the browser
/// package with serde_json's slice reader, as every other JSON there is read (one reader
/// type in the `.wasm`, 1.5 KB gzipped less), elsewhere with its str reader (the text is
/// UTF-8 already: no second check on the native hot path). The same value or error.
pub(crate) fn from_raw<'a, T: Deserialize<'a>>(raw: &'a str) -> Result<T, serde_json::Error> {
    #[cfg(target_arch = "wasm32")]
    return serde_json::from_slice(raw.as_bytes());
    #[cfg(not(target_arch = "wasm32"))]
    return serde_json::from_str(raw);
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
