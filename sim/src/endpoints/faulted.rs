//! What a faulted request gets instead of its answer. Faults are applied before
//! the request is handled, so they change nothing on the server.

use bytes::Bytes;
use http::StatusCode;

use super::ret_json;
use crate::control_types::{FaultKind, FaultSpec};
use crate::pictures;
use crate::request::Req;
use crate::response::{Resp, Special};
use crate::routes::Endpoint;
use crate::wire;
use crate::world::World;

/// A well-formed answer carrying `ret`.
fn ret_answer(ep: Endpoint, ret: i64) -> Resp {
    match ep {
        Endpoint::JsLogin => Resp::js(format!(
            "window.QRLogin.code = {ret}; window.QRLogin.uuid = \"\";"
        )),
        Endpoint::LoginPoll => Resp::js(format!("window.code={ret};")),
        Endpoint::SyncCheck => Resp::js(format!(
            "window.synccheck={{retcode:\"{ret}\",selector:\"0\"}}"
        )),
        Endpoint::NewLoginPage => Resp::bytes(
            "text/plain;charset=utf-8",
            format!("<error><ret>{ret}</ret><message></message></error>"),
        ),
        Endpoint::PushLoginUrl => Resp::json(&serde_json::json!({
            "ret": ret.to_string(), "msg": "", "uuid": ""
        })),
        Endpoint::Sync => Resp::json_pretty(&wire::sync_error(ret)),
        Endpoint::SendMsg
        | Endpoint::SendMsgImg
        | Endpoint::SendVideoMsg
        | Endpoint::SendAppMsg
        | Endpoint::SendEmoticon => Resp::bytes(
            "text/plain",
            format!(
                "{{\"BaseResponse\": {{\"Ret\": {ret},\"ErrMsg\": \"\"}},\"MsgID\": \"\",\"LocalID\": \"\"}}"
            ),
        ),
        Endpoint::UploadMedia => Resp::bytes(
            "text/plain",
            format!(
                "{{\n    \"BaseResponse\": {{\"Ret\": {ret},\"ErrMsg\": \"\"}},\n    \"MediaId\": \"\",\n    \"StartPos\": 0,\n    \"CDNThumbImgHeight\": 0,\n    \"CDNThumbImgWidth\": 0\n}}"
            ),
        ),
        _ => ret_json(ret),
    }
}

/// What a complete answer would look like, to cut short.
fn plausible(ep: Endpoint) -> Resp {
    match ep {
        Endpoint::JsLogin => {
            Resp::js("window.QRLogin.code = 200; window.QRLogin.uuid = \"QWxsIGdvb2Q==\";".into())
        }
        Endpoint::LoginPoll => Resp::js("window.code=408;".into()),
        Endpoint::SyncCheck => Resp::js("window.synccheck={retcode:\"0\",selector:\"2\"}".into()),
        Endpoint::NewLoginPage => Resp::bytes(
            "text/plain;charset=utf-8",
            "<error><ret>0</ret><message></message><skey>@crypt_00000000_00000000000000000000000000000000</skey><wxsid>AAAAAAAAAAAAAAAA</wxsid><wxuin>100000000</wxuin><pass_ticket>AAAA%2BAAAA%3D</pass_ticket><isgrayscale>1</isgrayscale></error>",
        ),
        Endpoint::Sync => Resp::json_pretty(&wire::sync_error(0)),
        Endpoint::QrCode | Endpoint::GetIcon | Endpoint::GetHeadImg | Endpoint::GetMsgImg => {
            Resp::bytes("image/png", pictures::placeholder(40, 40, 1))
        }
        Endpoint::GetVideo | Endpoint::GetVoice | Endpoint::GetMedia => {
            Resp::bytes("application/octet-stream", vec![0u8; 4096])
        }
        _ => Resp::bytes(
            "text/plain",
            "{\"BaseResponse\": {\"Ret\": 0,\"ErrMsg\": \"\"},\"MsgID\": \"1234567890123456789\",\"LocalID\": \"1234567890123456789\"}",
        ),
    }
}

/// The fault that hits `req`, if any (consumes one of its count). A kind that alters the
/// handled answer (rewind, duplicate, lose) is set on `req.twist` and gives `None`;
/// any other gives what the request gets instead of its answer (`None`: hang). Counts
/// every send request, faulted or not.
pub(crate) fn pick(w: &mut World, req: &mut Req) -> Option<(FaultSpec, Option<Resp>)> {
    if !req.endpoint.faultable() {
        return None;
    }
    let uin = req
        .cookie("wxuin")
        .or_else(|| req.q("uin"))
        .and_then(|u| u.trim().parse::<u64>().ok());
    if req.endpoint.is_send() {
        w.bump("send_requests");
    }
    let f = w.pick_fault(req.endpoint.name(), uin)?;
    if f.kind.handled() {
        tracing::info!(endpoint = req.endpoint.name(), kind = ?f.kind, "fault injected");
        req.twist = Some(f.kind);
        return None;
    }
    let ans = answer(req.endpoint, &f, |n| w.fault_noise(n));
    Some((f, ans))
}

/// The answer for a faulted request (`None`: hang) of a kind that replaces the answer;
/// `noise(n)` gives the `n` random bytes a garbage body carries.
pub(crate) fn answer(
    ep: Endpoint,
    f: &FaultSpec,
    noise: impl FnOnce(usize) -> Vec<u8>,
) -> Option<Resp> {
    Some(match f.kind {
        FaultKind::Reset => {
            let mut r = Resp::bytes("text/plain", Bytes::new());
            r.special = Special::Reset;
            r
        }
        FaultKind::ServerError => {
            let code = StatusCode::from_u16(f.status.unwrap_or(500))
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Resp::status(code, "nginx")
        }
        FaultKind::Hang => return None,
        FaultKind::Truncate => {
            let mut r = plausible(ep);
            r.special = Special::Truncate;
            r
        }
        FaultKind::Garbage => {
            let mut body = vec![0x1f, 0x8b, 0x08, 0x00];
            body.extend(noise(48));
            body.extend_from_slice(
                "<!DOCTYPE html><html><body>系统繁忙 {{[ window.code=".as_bytes(),
            );
            let ct = plausible(ep)
                .headers
                .first()
                .map_or("text/plain".to_string(), |h| h.1.clone());
            Resp::bytes(&ct, body)
        }
        FaultKind::Ret => ret_answer(ep, f.ret.unwrap_or(1100)),
        // These act on the handled request's own answer (server.rs); given here, the
        // request gets a plausible answer.
        FaultKind::Rewind | FaultKind::Duplicate | FaultKind::Lose => plausible(ep),
    })
}
