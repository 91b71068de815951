//! `webwxcheckupload`: announces a file over 25 MB before uploading it; the answer's
//! `AESKey` and `Signature` go into every chunk's `uploadmediarequest` (and `Signature`
//! into the `webwxsendappmsg` message). A `MediaId` in the answer means the server has the
//! file already.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxcheckupload?lang=..&pass_ticket=..` with
//! `{BaseRequest, FromUserName, ToUserName, FileSize, FileMd5, FileName, FileType: 7}`.

use super::ctx::SessionCtx;
use super::request::post_json;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, lenient, parse_json};
use http::{Request, Response};
use serde::Serialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxcheckupload";

/// `FileType` of the official client's check.
pub const FILE_TYPE: u32 = 7;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    base_request: BaseRequest,
    from_user_name: &'a str,
    to_user_name: &'a str,
    file_size: u64,
    file_md5: &'a str,
    file_name: &'a str,
    file_type: u32,
}

/// The answer.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CheckUploadResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// The MediaId when the server already has the file, else empty.
    pub media_id: String,
    /// The key for the upload.
    #[serde(rename = "AESKey")]
    pub aes_key: String,
    /// The signature for the upload and the send.
    pub signature: String,
}

record!(CheckUploadResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "MediaId" => media_id: lenient::string,
    "AESKey" => aes_key: lenient::string,
    "Signature" => signature: lenient::string,
});

impl std::fmt::Debug for CheckUploadResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckUploadResponse")
            .field("base_response", &self.base_response)
            .field("media_id", &self.media_id)
            .field("aes_key", &"<redacted>")
            .field("signature", &"<redacted>")
            .finish()
    }
}

/// Builds the request for a file of `size` bytes named `name` with the lowercase hex
/// md5 `md5`, to `to`.
pub fn build(ctx: &SessionCtx<'_>, to: &str, name: &str, size: u64, md5: &str) -> Request<Vec<u8>> {
    let url = ctx
        .interceptor(ctx.url(HostKind::Content, "webwxcheckupload"))
        .build();
    post_json(
        url,
        &Body {
            base_request: ctx.base_request(),
            from_user_name: ctx.me,
            to_user_name: to,
            file_size: size,
            file_md5: md5,
            file_name: name,
            file_type: FILE_TYPE,
        },
    )
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<CheckUploadResponse, ResponseError> {
    parse_json(NAME, resp)
}
