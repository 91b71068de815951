//! Media downloads: message images, voice, video (with Range), attachments,
//! and avatars.

use http::StatusCode;

use super::auth::get_session;
use crate::cookies::http_date;
use crate::pictures;
use crate::request::{Req, decode_fixpoint};
use crate::response::Resp;
use crate::routes::Endpoint;
use crate::world::World;

/// A single `bytes=a-b` range against a length.
fn parse_range(h: &str, len: u64) -> Option<(u64, u64)> {
    let spec = h.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = if a.trim().is_empty() {
        let n: u64 = b.trim().parse().ok()?;
        if n == 0 {
            return None;
        }
        (len.saturating_sub(n), len.checked_sub(1)?)
    } else {
        let start: u64 = a.trim().parse().ok()?;
        let end = if b.trim().is_empty() {
            len.checked_sub(1)?
        } else {
            b.trim().parse::<u64>().ok()?.min(len.checked_sub(1)?)
        };
        (start, end)
    };
    (start <= end && end < len).then_some((start, end))
}

/// Serves bytes, honouring a Range header (206 / 416); `unix` is the world's time.
fn serve(req: &Req, unix: u64, mime: &str, bytes: &[u8]) -> Resp {
    let len = bytes.len() as u64;
    let base = |r: Resp| {
        r.with_header("accept-ranges", "bytes")
            .with_header("last-modified", http_date(unix.saturating_sub(3600)))
            .with_header("cache-control", "max-age=604800")
    };
    match req.header("range") {
        Some(h) => match parse_range(h, len) {
            Some((s, e)) => base(
                Resp::bytes(mime, bytes[s as usize..=e as usize].to_vec())
                    .with_status(StatusCode::PARTIAL_CONTENT)
                    .with_header("content-range", format!("bytes {s}-{e}/{len}")),
            ),
            None => Resp::bytes(mime, Vec::new())
                .with_status(StatusCode::RANGE_NOT_SATISFIABLE)
                .with_header("content-range", format!("bytes */{len}")),
        },
        None => base(Resp::bytes(mime, bytes.to_vec())),
    }
}

fn not_found() -> Resp {
    Resp::status(StatusCode::NOT_FOUND, "webwx-sim")
}

/// `webwxgetmsgimg`, `webwxgetvoice`, `webwxgetvideo`, `webwxgeticon`, `webwxgetheadimg`.
pub(crate) fn content_media(w: &mut World, req: &Req) -> Resp {
    let unix = w.unix_now();
    let sid = match get_session(w, req, false, true) {
        Ok(s) => s,
        Err(_) => return not_found(),
    };
    let uin = w.session(&sid).expect("checked").uin;
    match req.endpoint {
        Endpoint::GetIcon | Endpoint::GetHeadImg => {
            let un = req.q("username").unwrap_or("");
            let acc = w.account(uin).expect("session account");
            if un.is_empty() || !(acc.knows(un) || un.starts_with('@')) {
                return not_found();
            }
            serve(req, unix, "image/png", &pictures::avatar(un))
        }
        _ => {
            let id = req
                .q("MsgID")
                .or_else(|| req.q("msgid"))
                .and_then(|v| v.trim().parse::<u64>().ok());
            let Some(blob) = id.and_then(|i| w.msg_media(i)).filter(|b| b.uin == uin) else {
                return not_found();
            };
            let want_thumb = req.q("type") == Some("slave");
            match req.endpoint {
                Endpoint::GetMsgImg if want_thumb && blob.mime != "image/gif" => serve(
                    req,
                    unix,
                    "image/png",
                    &pictures::placeholder(75, 100, blob.bytes.len() as u64),
                ),
                Endpoint::GetMsgImg => serve(req, unix, blob.mime, &blob.bytes),
                Endpoint::GetVoice => serve(req, unix, "audio/mp3", &blob.bytes),
                _ => serve(req, unix, "video/mp4", &blob.bytes),
            }
        }
    }
}

/// `webwxgetmedia` (file host): attachments by MediaId, authorised by the data ticket.
pub(crate) fn getmedia(w: &mut World, req: &Req) -> Resp {
    let unix = w.unix_now();
    let ticket = req
        .q("webwx_data_ticket")
        .or_else(|| req.cookie("webwx_data_ticket"))
        .map(decode_fixpoint);
    let Some(ticket) = ticket else {
        return not_found();
    };
    let by_cookie = req
        .cookie("wxsid")
        .and_then(|sid| w.session(sid))
        .filter(|s| s.data_ticket == ticket);
    let session = by_cookie.or_else(|| w.live_session_by_data_ticket(&ticket));
    let Some(s) = session.filter(|s| s.ended.is_none()) else {
        return not_found();
    };
    if let Some(host) = req.relay_host()
        && !crate::hosts::host_matches_home(host, crate::hosts::HostClass::File, s.home)
    {
        return not_found();
    }
    let uin = s.uin;
    let media_id = req.q("mediaid").unwrap_or("");
    let Some(blob) = w.media(media_id).filter(|b| b.uin == uin) else {
        return not_found();
    };
    let name = blob.file_name.replace(['"', '\r', '\n'], "_");
    serve(req, unix, "application/octet-stream", &blob.bytes).with_header(
        "content-disposition",
        format!("attachment; filename=\"{name}\""),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-", 10), Some((0, 9)));
        assert_eq!(parse_range("bytes=2-4", 10), Some((2, 4)));
        assert_eq!(parse_range("bytes=2-40", 10), Some((2, 9)));
        assert_eq!(parse_range("bytes=-3", 10), Some((7, 9)));
        assert_eq!(parse_range("bytes=10-", 10), None);
        assert_eq!(parse_range("bytes=0-", 0), None);
        assert_eq!(parse_range("items=0-1", 10), None);
    }
}
