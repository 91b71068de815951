//! `webwxpushloginurl`: asks the phone to confirm a login without a QR scan.
//!
//! `GET https://CONTENT/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin=..[&mod=desktop]` answers
//! `{"ret":"0","msg":"all ok","uuid":".."}`; the uuid is then polled like a QR uuid.

use super::ctx::{CGI, LoginCtx};
use super::request::{UrlBuilder, get};
use crate::error::{ParseError, ParseErrorKind, ResponseError, Ret, WxError};
use crate::wire::lenient;
use crate::wire::record::record;
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxpushloginurl";

#[derive(Default)]
struct Body {
    ret: i64,
    msg: String,
    uuid: String,
}

record!(Body {
    "ret" => ret: lenient::i64,
    "msg" => msg: lenient::string,
    "uuid" => uuid: lenient::string,
});

/// Builds the request for the account `uin`.
pub fn build(ctx: &LoginCtx<'_>, uin: u64) -> Request<Vec<u8>> {
    let mut url = UrlBuilder::new(&ctx.hosts.content, &format!("{CGI}/webwxpushloginurl"))
        .param_raw("uin", uin.to_string());
    if ctx.desktop {
        url = url.param_raw("mod", "desktop");
    }
    get(url.build())
}

/// Parses the answer into the uuid to poll.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<String, ResponseError> {
    let body = resp.body();
    crate::wire::check_status(NAME, resp)?;
    let b: Body = serde_json::from_slice(body)
        .map_err(|e| ParseError::new(NAME, ParseErrorKind::Json(e.to_string()), body))?;
    if b.ret != 0 {
        return Err(WxError {
            ret: Ret::from_code(b.ret),
            message: b.msg,
        }
        .into());
    }
    if b.uuid.is_empty() || !super::jslogin::is_uuid(&b.uuid) {
        return Err(ParseError::new(NAME, ParseErrorKind::Missing("uuid".into()), body).into());
    }
    Ok(b.uuid)
}

#[cfg(test)]
mod tests {
    /// The derive `Body` had, as the reference (the same name, so the same messages).
    mod derived {
        use crate::wire::lenient;
        #[derive(serde::Deserialize)]
        pub struct Body {
            #[serde(deserialize_with = "lenient::i64", default)]
            pub ret: i64,
            #[serde(deserialize_with = "lenient::string", default)]
            pub msg: String,
            #[serde(deserialize_with = "lenient::string", default)]
            pub uuid: String,
        }
    }

    /// `Body` (read by `record!`) reads every input as its derive did.
    #[test]
    fn body_reads_as_the_derive_did() {
        for text in [
            r#"{"ret":"0","msg":"all ok","uuid":"abc"}"#,
            r#"{"ret":1,"msg":null,"zz":[1]}"#,
            r#"{"uuid":5}"#,
            r#"{"ret":"x"}"#,
            r#"{"ret":1,"ret":2}"#,
            r#"["0","m","u"]"#,
            r#"["0"]"#,
            r#"["0","m","u",4]"#,
            r#""s""#,
            r#"{"ret":"#,
        ] {
            let d = serde_json::from_str::<derived::Body>(text).map(|b| (b.ret, b.msg, b.uuid));
            let r = serde_json::from_str::<super::Body>(text).map(|b| (b.ret, b.msg, b.uuid));
            assert_eq!(
                d.map_err(|e| e.to_string()),
                r.map_err(|e| e.to_string()),
                "{text}"
            );
        }
    }
}
