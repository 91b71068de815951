//! The QR login: jslogin, the QR image, the login long-poll, newloginpage and
//! push login.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use http::StatusCode;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::cookies::CookieScope;
use crate::pictures;
use crate::request::{Form, Req};
use crate::response::Resp;
use crate::shared::Shared;
use crate::world::login::PendingState;
use crate::world::{RedeemError, World};

/// The official client's login appid.
pub(crate) const APPID: &str = "wx782c26e4c19acffb";

/// `encodeURIComponent`'s set.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// `encodeURIComponent`.
pub(crate) fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, URI_COMPONENT).to_string()
}

/// The 1203 refusal, as captured (two spaces before "Mac微信下载地址").
pub(crate) const REFUSAL: &str = "为了你的帐号安全，此微信号不能登录网页微信。你可以使用Windows微信或Mac微信在电脑端登录。Windows微信下载地址：https://pc.weixin.qq.com  Mac微信下载地址：https://mac.weixin.qq.com";

/// Starts the phone's automatic scan and confirm of `uuid`.
pub(crate) fn schedule_auto_scan(shared: &Arc<Shared>, uuid: String) {
    if !shared.cfg.auto_scan {
        return;
    }
    let s = shared.clone();
    let delay = Duration::from_millis(shared.cfg.scan_delay_ms);
    shared.runtime.spawn(async move {
        let mut stop = s.shutdown.clone();
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.changed() => return,
        }
        if s.world().scan(Some(&uuid), false, None).is_err() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.changed() => return,
        }
        let _ = s.world().scan(Some(&uuid), true, None);
    });
}

/// Whether a jslogin `redirect_uri` asks for the desktop (UOS) variant: its own query
/// carries `mod=desktop` (`.../webwxnewloginpage?mod=desktop`, encoded or not).
fn asks_desktop(redirect_uri: &str) -> bool {
    redirect_uri.split_once('?').is_some_and(|(_, q)| {
        crate::request::parse_query(q)
            .iter()
            .any(|(k, v)| k == "mod" && v == "desktop")
    })
}

/// `GET|POST /jslogin?appid=..&fun=new[&redirect_uri=..]`. A `redirect_uri` whose query
/// has `mod=desktop` marks the uuid as a desktop (UOS) login.
pub(crate) fn jslogin(shared: &Arc<Shared>, req: &Req) -> Resp {
    let (resp, uuid) = jslogin_in(&mut shared.world(), req);
    if let Some(uuid) = uuid {
        schedule_auto_scan(shared, uuid);
    }
    resp
}

/// jslogin against `w`: the answer and the uuid handed out, if any (for the auto-scan).
pub(crate) fn jslogin_in(w: &mut World, req: &Req) -> (Resp, Option<String>) {
    if req.q("appid") != Some(APPID) {
        return (
            Resp::js("window.QRLogin.code = 400; window.QRLogin.uuid = \"\";".into()),
            None,
        );
    }
    let desktop = req.q("redirect_uri").is_some_and(asks_desktop);
    let uuid = w.new_uuid(None, desktop);
    let resp = Resp::js(format!(
        "window.QRLogin.code = 200; window.QRLogin.uuid = \"{uuid}\";"
    ))
    .with_header("cache-control", "no-cache, must-revalidate");
    (resp, Some(uuid))
}

/// `GET /qrcode/<uuid>`: a PNG of `https://login.weixin.qq.com/l/<uuid>`.
pub(crate) fn qrcode(req: &Req) -> Resp {
    let uuid = crate::request::decode(req.path.trim_start_matches("/qrcode/"));
    let png = pictures::qr_png(&format!("https://login.weixin.qq.com/l/{uuid}"));
    Resp::bytes("image/png", png).with_header("cache-control", "no-cache")
}

/// `GET /l/<uuid>`: what a browser shows for the QR's link.
pub(crate) fn qr_page(req: &Req) -> Resp {
    let uuid = crate::request::decode(req.path.trim_start_matches("/l/"));
    Resp::bytes(
        "text/html; charset=utf-8",
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>微信登录</title></head><body><p>请使用微信扫描二维码登录</p><p>{}</p></body></html>",
            crate::world::message::xml_text(&uuid)
        ),
    )
}

fn avatar_b64(uuid: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(pictures::avatar(uuid))
}

/// What a poll answers now, if anything.
fn poll_answer(w: &mut World, req: &Req, uuid: &str, timed_out: bool) -> Option<String> {
    let Some(p) = w.pending_mut(uuid) else {
        return Some("window.code=400;".into());
    };
    match p.state {
        PendingState::Expired => Some("window.code=400;".into()),
        PendingState::Cancelled => {
            // Reported once; the uuid is dead afterwards.
            p.state = PendingState::Expired;
            Some("window.code=202;".into())
        }
        PendingState::Confirmed => {
            let ticket = p.ticket.clone().unwrap_or_default();
            let scan = p.scan_time;
            let uin = p.account.unwrap_or(0);
            let home = w.account(uin).map_or("wx.qq.com", |a| a.home);
            let base = match &req.form {
                Form::Relay(_) => format!("https://{home}"),
                Form::Plain => req.base_url.clone(),
            };
            Some(format!(
                "window.code=200;window.redirect_uri=\"{base}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket={ticket}&uuid={uuid}&lang=zh_CN&scan={scan}\";"
            ))
        }
        PendingState::Scanned if !p.scan_reported || timed_out => {
            p.scan_reported = true;
            Some(format!(
                "window.code=201;window.userAvatar = 'data:img/jpg;base64,{}';",
                avatar_b64(uuid)
            ))
        }
        PendingState::Scanned | PendingState::Waiting if timed_out => {
            Some("window.code=408;".into())
        }
        _ => None,
    }
}

/// The login poll against `w`: its answer now, or `None` while it holds. `timed_out`: the
/// hold ran out, so it answers what the end of a hold answers (201 again, or 408).
pub(crate) fn poll_in(w: &mut World, req: &Req, timed_out: bool) -> Option<Resp> {
    let Some(uuid) = req.q("uuid") else {
        return Some(Resp::js("window.code=400;".into()));
    };
    poll_answer(w, req, uuid, timed_out).map(Resp::js)
}

/// `GET /cgi-bin/mmwebwx-bin/login?loginicon=true&uuid=..&tip=..`: the long-poll.
pub(crate) async fn poll(shared: &Arc<Shared>, req: &Req) -> Resp {
    let Some(uuid) = req.q("uuid").map(str::to_string) else {
        return Resp::js("window.code=400;".into());
    };
    let deadline = tokio::time::Instant::now() + Duration::from_millis(shared.cfg.hold_ms);
    let mut stop = shared.shutdown.clone();
    loop {
        let notify = match shared.world().pending_mut(&uuid) {
            Some(p) => p.notify.clone(),
            None => return Resp::js("window.code=400;".into()),
        };
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(a) = poll_in(&mut shared.world(), req, false) {
            return a;
        }
        tokio::select! {
            _ = &mut notified => continue,
            _ = tokio::time::sleep_until(deadline) => {
                return poll_in(&mut shared.world(), req, true)
                    .unwrap_or_else(|| Resp::js("window.code=408;".into()));
            }
            _ = stop.changed() => return Resp::js("window.code=408;".into()),
        }
    }
}

fn xml_resp(req: &Req, body: String) -> Resp {
    let r = Resp::bytes("text/plain;charset=utf-8", body);
    let v2 = req.query.iter().any(|(k, v)| k == "version" && v == "v2");
    if v2 {
        r
    } else {
        // The real server answered 301 without a Location header.
        r.with_status(StatusCode::MOVED_PERMANENTLY)
    }
}

/// `GET /cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=..&uuid=..`: the credentials.
pub(crate) fn newloginpage(req: &Req, w: &mut World) -> Resp {
    let ticket = req.q("ticket").unwrap_or("").to_string();
    let uuid = req.q("uuid").unwrap_or("").to_string();
    let bad = || {
        xml_resp(
            req,
            "<error><ret>-14</ret><message>ticket error</message></error>".to_string(),
        )
    };
    // In relay form the ticket is only known on the account's home host.
    if let (Some(host), Some(t)) = (req.relay_host(), w.ticket(&ticket)) {
        let home = w.account(t.uin).map_or("", |a| a.home);
        if host != home {
            return bad();
        }
    }
    // The desktop variant: declared (`mod=desktop` here, as the official client adds it,
    // or when the uuid was asked for, which is all openwechat, ItChat-UOS and wechat4u
    // send: they GET the poll's redirect_uri as it is) and the UOS headers present.
    let declared =
        req.q("mod") == Some("desktop") || w.pending_login(&uuid).is_some_and(|p| p.desktop);
    let desktop = declared
        && req.header("client-version").is_some()
        && req.header("extspam").is_some_and(|v| !v.is_empty());
    match w.redeem(&ticket, &uuid, desktop) {
        Ok(sid) => {
            let s = w.session(&sid).expect("just redeemed");
            let body = format!(
                "<error><ret>0</ret><message></message><skey>{}</skey><wxsid>{}</wxsid><wxuin>{}</wxuin><pass_ticket>{}</pass_ticket><isgrayscale>1</isgrayscale></error>",
                s.skey,
                s.sid,
                s.uin,
                encode_component(&s.pass_ticket)
            );
            let scope = CookieScope::new(req.relay_host().is_some(), s.home);
            let mut r = xml_resp(req, body);
            r.cookies = scope.login(s, w.unix_now());
            r
        }
        Err(RedeemError::Refused) => xml_resp(
            req,
            format!("<error><ret>1203</ret><message>{REFUSAL}</message></error>"),
        ),
        Err(RedeemError::BadTicket) => bad(),
    }
}

/// `GET /cgi-bin/mmwebwx-bin/webwxpushloginurl?uin=..[&mod=desktop]`: a uuid the phone
/// confirms. Served on login hosts (itchat) and on the account's content host (the
/// official client, openwechat). `mod=desktop` marks the uuid as a desktop (UOS) login.
pub(crate) fn pushloginurl(shared: &Arc<Shared>, req: &Req) -> Resp {
    let (resp, uuid) = pushloginurl_in(&mut shared.world(), req);
    if let Some(uuid) = uuid {
        schedule_auto_scan(shared, uuid);
    }
    resp
}

/// webwxpushloginurl against `w`: the answer and the uuid handed out, if any.
pub(crate) fn pushloginurl_in(w: &mut World, req: &Req) -> (Resp, Option<String>) {
    let uin = req.q("uin").and_then(|u| u.trim().parse::<u64>().ok());
    let desktop = req.q("mod") == Some("desktop");
    let ok = uin.is_some_and(|u| {
        w.account(u).is_some_and(|a| {
            // On a content host (the official client), only the account's home knows it.
            if let Some(host) = req.relay_host()
                && crate::hosts::classify(host) == Some(crate::hosts::HostClass::Content)
                && host != a.home
            {
                return false;
            }
            // The long-lived auth ticket, when sent, must be the account's.
            match (req.cookie("webwx_auth_ticket"), &a.session) {
                (Some(t), Some(sid)) => w.session(sid).is_none_or(|s| s.auth_ticket == t),
                _ => true,
            }
        })
    });
    if !ok {
        return (
            Resp::json(&serde_json::json!({"ret": "1", "msg": "param error"})),
            None,
        );
    }
    let uuid = w.new_uuid(uin, desktop);
    #[derive(serde::Serialize)]
    struct Push<'a> {
        ret: &'static str,
        msg: &'static str,
        uuid: &'a str,
    }
    let resp = Resp::json(&Push {
        ret: "0",
        msg: "all ok",
        uuid: &uuid,
    });
    (resp, Some(uuid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_redirect_uris() {
        // openwechat / ItChat-UOS (decoded by the query parser) and wechat4u (sent raw).
        assert!(asks_desktop(
            "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?mod=desktop"
        ));
        assert!(asks_desktop("https://wx.qq.com/x?a=1&mod=desktop"));
        assert!(!asks_desktop(
            "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage"
        ));
        assert!(!asks_desktop("https://wx.qq.com/x?mod=desktopx"));
        assert!(!asks_desktop("mod=desktop"));
    }
}
