//! `webwxsendappmsg`: sends a file (an app message of `AppMsgType` 6) uploaded with
//! `webwxuploadmedia`.
//!
//! `POST https://CONTENT/cgi-bin/mmwebwx-bin/webwxsendappmsg?fun=async&f=json&lang=..&pass_ticket=..`
//! with `{BaseRequest, Msg: {Type: 6, Content: <appmsg>, [Signature,] FromUserName,
//! ToUserName, LocalID, ClientMsgId}, Scene: 0}`. The `<appmsg>` is exactly the official
//! client's (constants.md §3).

use super::ctx::SessionCtx;
use super::sendmsg::{OutMsg, SendResponse, parse_send, post_media_msg};
use crate::error::ResponseError;
use http::{Request, Response};

/// The endpoint name used in errors.
pub const NAME: &str = "webwxsendappmsg";

/// `APPMSGTYPE_ATTACH`: the `Type` of a file send.
pub const TYPE_ATTACH: u32 = 6;

/// The official web client's appid for file messages (empty in desktop mode).
pub const APPID: &str = "wxeb7ec651dd0aefa9";

/// An uploaded file to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment<'a> {
    /// The file name (`<title>`).
    pub title: &'a str,
    /// Size in bytes (`<totallen>`).
    pub size: u64,
    /// The MediaId of the upload (`<attachid>`).
    pub media_id: &'a str,
    /// The extension without the dot (`<fileext>`).
    pub ext: &'a str,
    /// `Signature` from `webwxcheckupload` (files over 25 MB), else empty.
    pub signature: &'a str,
}

/// Escapes `& < > ' "` for the XML text and attributes.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The official client's `<appmsg>` for a file (`appid` empty in desktop mode). The file
/// name and extension are XML-escaped.
pub fn appmsg_xml(att: &Attachment<'_>, desktop: bool) -> String {
    let appid = if desktop { "" } else { APPID };
    format!(
        "<appmsg appid='{appid}' sdkver=''><title>{}</title><des></des><action></action><type>6</type><content></content><url></url><lowurl></lowurl><appattach><totallen>{}</totallen><attachid>{}</attachid><fileext>{}</fileext></appattach><extinfo></extinfo></appmsg>",
        xml_escape(att.title),
        att.size,
        xml_escape(att.media_id),
        xml_escape(att.ext),
    )
}

/// Builds the request.
pub fn build(
    ctx: &SessionCtx<'_>,
    to: &str,
    att: &Attachment<'_>,
    local_id: &str,
    desktop: bool,
) -> Request<Vec<u8>> {
    let mut msg = OutMsg::new(ctx, TYPE_ATTACH, to, local_id);
    msg.content = Some(appmsg_xml(att, desktop));
    if !att.signature.is_empty() {
        msg.signature = Some(att.signature.to_owned());
    }
    build_msg(ctx, &msg, 0)
}

/// Builds a request with an arbitrary `Msg` (forwarding uses `Scene` 2).
pub fn build_msg(ctx: &SessionCtx<'_>, msg: &OutMsg, scene: u32) -> Request<Vec<u8>> {
    post_media_msg(ctx, NAME, msg, scene)
}

/// Parses the answer.
pub fn parse(resp: &Response<Vec<u8>>) -> Result<SendResponse, ResponseError> {
    parse_send(NAME, resp)
}
