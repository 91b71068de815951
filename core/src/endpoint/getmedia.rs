//! `webwxgetmedia`: the file of a file message (AppMsgType 6), on the file host.
//!
//! `GET https://FILE/cgi-bin/mmwebwx-bin/webwxgetmedia?sender=<FromUserName>&mediaid=<MediaId>&encryfilename=<EncryFileName>&fromuser=<uin>&pass_ticket=<encoded>&webwx_data_ticket=<encoded cookie>`
//! (the official client's URL; `filename=<FileName>` replaces `encryfilename` when the
//! message has no EncryFileName, as itchat does).

use super::ctx::SessionCtx;
use super::request::get;
use crate::error::ResponseError;
use crate::hosts::HostKind;
use crate::media::{MediaBody, parse_media};
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxgetmedia";

/// The file to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaFile<'a> {
    /// Who sent it.
    pub sender: &'a str,
    /// Its MediaId.
    pub media_id: &'a str,
    /// Its `EncryFileName` (already URL-encoded by the server), or empty.
    pub encry_file_name: &'a str,
    /// Its `FileName`.
    pub file_name: &'a str,
}

/// Builds the request.
pub fn build(ctx: &SessionCtx<'_>, f: &MediaFile<'_>) -> Request<Vec<u8>> {
    let url = ctx
        .url(HostKind::File, "webwxgetmedia")
        .param_component("sender", f.sender)
        .param_component("mediaid", f.media_id);
    let url = if f.encry_file_name.is_empty() {
        url.param_component("filename", f.file_name)
    } else {
        url.param_component("encryfilename", f.encry_file_name)
    };
    let url = url
        .param_raw("fromuser", ctx.credentials.uin.to_string())
        .param_component("pass_ticket", &ctx.credentials.pass_ticket)
        .param_component("webwx_data_ticket", ctx.data_ticket.unwrap_or_default())
        .build();
    get(url)
}

/// Parses the answer: the file's bytes and type.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<MediaBody, ResponseError> {
    parse_media(NAME, resp)
}
