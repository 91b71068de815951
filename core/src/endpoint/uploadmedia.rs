//! `webwxuploadmedia`: uploads one chunk of a file.
//!
//! `POST https://FILE/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json`, a
//! `multipart/form-data` body with the fields, in this order, of the official client's
//! WebUploader: `id, name, type, lastModifiedDate, size, [chunks, chunk,] mediatype,
//! uploadmediarequest, webwx_data_ticket, pass_ticket, filename` (`chunks`/`chunk` only
//! when the file has more than one 524288-byte chunk; `filename` is the chunk's bytes).
//! The answer is `{BaseResponse, MediaId, StartPos, CDNThumbImgHeight, CDNThumbImgWidth,
//! EncryFileName}`; only the last chunk's answer carries the MediaId.
//!
//! The `uploadmediarequest` JSON is the same for every chunk (`StartPos` 0, `DataLen` the
//! whole size, as the captures show); `AESKey` and `Signature` are present when
//! `webwxcheckupload` gave them (files over 25 MB).

use super::ctx::SessionCtx;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::upload::Multipart;
use crate::wire::record::record;
use crate::wire::{BaseRequest, BaseResponse, lenient, parse_json};
use http::{Method, Request, Response};
use serde::Serialize;

/// The endpoint name used in errors.
pub const NAME: &str = "webwxuploadmedia";

/// `UploadType` of the official client's requests.
pub const UPLOAD_TYPE: u32 = 2;

/// `MediaType`: always `UPLOAD_MEDIA_TYPE_ATTACHMENT`.
pub const MEDIA_TYPE_ATTACHMENT: u32 = 4;

/// One chunk to upload.
#[derive(Clone, PartialEq, Eq)]
pub struct Chunk<'a> {
    /// WebUploader's file id, `WU_FILE_<n>`.
    pub id: &'a str,
    /// The file name.
    pub name: &'a str,
    /// Its MIME type.
    pub mime: &'a str,
    /// `lastModifiedDate` as JavaScript writes a date.
    pub last_modified: &'a str,
    /// The whole file's size.
    pub size: u64,
    /// Number of chunks.
    pub chunks: u64,
    /// This chunk's index (0-based).
    pub chunk: u64,
    /// `pic`, `video` or `doc`.
    pub media_type: &'a str,
    /// `ClientMediaId`: the upload's start time in ms.
    pub client_media_id: u64,
    /// The recipient.
    pub to: &'a str,
    /// The whole file's lowercase hex md5.
    pub file_md5: &'a str,
    /// `AESKey` from `webwxcheckupload`, else empty.
    pub aes_key: &'a str,
    /// `Signature` from `webwxcheckupload`, else empty.
    pub signature: &'a str,
    /// The multipart boundary (`----WebKitFormBoundary…`).
    pub boundary: &'a str,
    /// This chunk's bytes.
    pub data: &'a [u8],
}

impl std::fmt::Debug for Chunk<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunk")
            .field("name", &self.name)
            .field("size", &self.size)
            .field("chunk", &self.chunk)
            .field("chunks", &self.chunks)
            .field("data", &self.data.len())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct UploadMediaRequest<'a> {
    upload_type: u32,
    base_request: BaseRequest,
    client_media_id: u64,
    total_len: u64,
    start_pos: u64,
    data_len: u64,
    media_type: u32,
    from_user_name: &'a str,
    to_user_name: &'a str,
    file_md5: &'a str,
    #[serde(rename = "AESKey", skip_serializing_if = "str::is_empty")]
    aes_key: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    signature: &'a str,
}

/// The answer to a chunk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct UploadMediaResponse {
    /// Ret 0.
    pub base_response: BaseResponse,
    /// The MediaId (only in the last chunk's answer).
    pub media_id: String,
    /// Bytes the server has.
    pub start_pos: u64,
    /// Thumbnail height of an image.
    #[serde(rename = "CDNThumbImgHeight")]
    pub cdn_thumb_img_height: u64,
    /// Thumbnail width of an image.
    #[serde(rename = "CDNThumbImgWidth")]
    pub cdn_thumb_img_width: u64,
    /// The URL-encoded file name the server stored.
    pub encry_file_name: String,
}

record!(UploadMediaResponse {
    "BaseResponse" => base_response: serde::Deserialize::deserialize,
    "MediaId" => media_id: lenient::string,
    "StartPos" => start_pos: lenient::u64,
    "CDNThumbImgHeight" => cdn_thumb_img_height: lenient::u64,
    "CDNThumbImgWidth" => cdn_thumb_img_width: lenient::u64,
    "EncryFileName" => encry_file_name: lenient::string,
});

/// The pass_ticket as the official client puts it in the form: `decodeURIComponent`'d
/// (the XML value is URL-encoded once).
pub fn form_pass_ticket(pass_ticket: &str) -> String {
    percent_encoding::percent_decode_str(pass_ticket)
        .decode_utf8_lossy()
        .into_owned()
}

/// Builds the request for one chunk.
pub fn build(ctx: &SessionCtx<'_>, c: &Chunk<'_>) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::File, "webwxuploadmedia")
        .param_raw("f", "json")
        .build();
    let json = serde_json::to_string(&UploadMediaRequest {
        upload_type: UPLOAD_TYPE,
        base_request: ctx.base_request(),
        client_media_id: c.client_media_id,
        total_len: c.size,
        start_pos: 0,
        data_len: c.size,
        media_type: MEDIA_TYPE_ATTACHMENT,
        from_user_name: ctx.me,
        to_user_name: c.to,
        file_md5: c.file_md5,
        aes_key: c.aes_key,
        signature: c.signature,
    })
    .expect("the upload request always serializes");
    let mut m = Multipart::new(c.boundary.to_owned());
    m.text("id", c.id)
        .text("name", c.name)
        .text("type", c.mime)
        .text("lastModifiedDate", c.last_modified)
        .text("size", &c.size.to_string());
    if c.chunks > 1 {
        m.text("chunks", &c.chunks.to_string())
            .text("chunk", &c.chunk.to_string());
    }
    m.text("mediatype", c.media_type)
        .text("uploadmediarequest", &json)
        .text("webwx_data_ticket", ctx.data_ticket.unwrap_or_default())
        .text(
            "pass_ticket",
            &form_pass_ticket(&ctx.credentials.pass_ticket),
        )
        .file("filename", c.name, c.mime, c.data);
    let content_type = m.content_type();
    Request::builder()
        .method(Method::POST)
        .uri(url)
        .header(http::header::ACCEPT, "*/*")
        .header(http::header::CONTENT_TYPE, content_type)
        .body(m.finish())
        .expect("endpoint URLs are valid")
}

/// Parses the answer to a chunk.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<UploadMediaResponse, ResponseError> {
    parse_json(NAME, resp)
}
