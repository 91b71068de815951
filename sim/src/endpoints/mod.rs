//! The protocol endpoints, one module per group, and the dispatch between them.

pub(crate) mod auth;
pub(crate) mod chatroom;
pub(crate) mod contacts;
pub(crate) mod control;
pub(crate) mod download;
pub(crate) mod faulted;
pub(crate) mod init;
pub(crate) mod login;
pub(crate) mod logout;
pub(crate) mod relations;
pub(crate) mod send;
pub(crate) mod sync;
pub(crate) mod upload;

use std::sync::Arc;

use http::StatusCode;

use crate::hosts;
use crate::request::Req;
use crate::response::Resp;
use crate::routes::Endpoint;
use crate::shared::Shared;
use crate::wire;
use crate::world::World;

/// `{"BaseResponse": {"Ret": ret,"ErrMsg": ""}}`.
pub(crate) fn ret_json(ret: i64) -> Resp {
    Resp::json(&wire::bare(ret))
}

pub(crate) fn index() -> Resp {
    Resp::bytes(
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>微信网页版</title></head><body><p>webwx-sim: a local WeChat Web server for tests.</p></body></html>",
    )
}

/// The answer to a request for an endpoint on a host of the wrong class (relay form).
pub(crate) fn wrong_host(req: &Req) -> Option<Resp> {
    if let (Some(host), Some(class)) = (req.relay_host(), req.endpoint.class())
        && hosts::classify(host) != Some(class)
        && !(req.endpoint == Endpoint::PushLoginUrl
            && hosts::classify(host) == Some(hosts::HostClass::Content))
    {
        return Some(Resp::status(
            StatusCode::NOT_FOUND,
            "wrong host for this endpoint",
        ));
    }
    None
}

/// Answers one request.
pub(crate) async fn handle(shared: &Arc<Shared>, req: &Req) -> Resp {
    if let Some(r) = wrong_host(req) {
        return r;
    }
    match req.endpoint {
        Endpoint::Index => index(),
        Endpoint::JsLogin => login::jslogin(shared, req),
        Endpoint::QrCode => login::qrcode(req),
        Endpoint::QrPage => login::qr_page(req),
        Endpoint::LoginPoll => login::poll(shared, req).await,
        Endpoint::SyncCheck => sync::synccheck(shared, req).await,
        Endpoint::PushLoginUrl => login::pushloginurl(shared, req),
        Endpoint::Control => control::handle(shared, req),
        Endpoint::Unknown => Resp::status(StatusCode::NOT_FOUND, "webwx-sim"),
        _ => handle_in(&mut shared.world(), req),
    }
}

/// Answers a request that neither holds nor starts a login (every endpoint but the index,
/// jslogin, the QR image and page, the two long-polls, push login and the control API).
pub(crate) fn handle_in(w: &mut World, req: &Req) -> Resp {
    match req.endpoint {
        Endpoint::NewLoginPage => login::newloginpage(req, w),
        Endpoint::Init => init::init(w, req),
        Endpoint::StatusNotify => init::statusnotify(w, req),
        Endpoint::GetContact => contacts::getcontact(w, req),
        Endpoint::BatchGetContact => contacts::batchgetcontact(w, req),
        Endpoint::Sync => sync::sync(w, req),
        Endpoint::SendMsg
        | Endpoint::SendMsgImg
        | Endpoint::SendVideoMsg
        | Endpoint::SendAppMsg
        | Endpoint::SendEmoticon => send::send(w, req),
        Endpoint::RevokeMsg => send::revoke(w, req),
        Endpoint::UploadMedia => upload::upload(w, req),
        Endpoint::CheckUpload => upload::checkupload(w, req),
        Endpoint::GetMedia => download::getmedia(w, req),
        Endpoint::GetMsgImg
        | Endpoint::GetVoice
        | Endpoint::GetVideo
        | Endpoint::GetIcon
        | Endpoint::GetHeadImg => download::content_media(w, req),
        Endpoint::VerifyUser => relations::verifyuser(w, req),
        Endpoint::Oplog => relations::oplog(w, req),
        Endpoint::CreateChatroom => chatroom::create(w, req),
        Endpoint::UpdateChatroom => chatroom::update(w, req),
        Endpoint::Logout => logout::logout(w, req),
        _ => Resp::status(StatusCode::NOT_FOUND, "webwx-sim"),
    }
}
