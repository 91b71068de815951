//! The real captured traffic (`fixtures/captures/`, copied from the project's shared
//! protocol captures; origins in their headers) parsed by the core's endpoint parsers,
//! with the important fields asserted explicitly and the whole result snapshotted.

mod common;

use common::*;
use webwx_core::endpoint::login::LoginPoll;
use webwx_core::endpoint::newloginpage::LoginPage;
use webwx_core::endpoint::*;
use webwx_core::{ParseErrorKind, ResponseError, Ret};

#[test]
fn jslogin_capture() {
    let r = jslogin::parse(&capture("00_1_jslogin_0.txt")).unwrap();
    assert_eq!(r.uuid, "gbyKnbsmqQ==");
    for (body, uuid) in [
        (
            r#"window.QRLogin.code = 200; window.QRLogin.uuid = "IeClc-d1NQ==";"#,
            "IeClc-d1NQ==",
        ),
        (
            r#"window.QRLogin.code = 200; window.QRLogin.uuid = "wcXrINkB9Q==";"#,
            "wcXrINkB9Q==",
        ),
    ] {
        assert_eq!(jslogin::parse(&resp(200, body)).unwrap().uuid, uuid);
    }
    let refused = jslogin::parse(&resp(200, "window.QRLogin.code = 400;")).unwrap_err();
    assert_eq!(refused.ret(), Some(Ret(400)));
    assert!(jslogin::parse(&resp(200, "<html>")).is_err());
}

#[test]
fn login_poll_captures() {
    assert_eq!(
        login::parse(&capture("02_3_login_0.txt")).unwrap(),
        LoginPoll::Waiting
    );
    match login::parse(&capture_first_line("03_3_login_1.txt")).unwrap() {
        LoginPoll::Scanned { avatar } => {
            assert!(avatar.unwrap().starts_with("data:img/jpg;base64,/9j/4AAQ"))
        }
        other => panic!("{other:?}"),
    }
    let confirmed = login::parse(&capture_first_line("04_3_login_2.txt")).unwrap();
    assert_eq!(
        confirmed,
        LoginPoll::Confirmed {
            redirect_uri: "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=AaXdHpmbWGYo_ZOk7ylAnnCY@qrticket_0&uuid=gbyKnbsmqQ==&lang=zh_CN&scan=1546211468".into()
        }
    );
    insta::assert_json_snapshot!("login_poll_confirmed", confirmed);
    assert_eq!(
        login::parse(&resp(200, "window.code=400;")).unwrap(),
        LoginPoll::Expired
    );
    assert_eq!(
        login::parse(&resp(200, "window.code=202;")).unwrap(),
        LoginPoll::Cancelled
    );
    assert_eq!(
        login::parse(&resp(200, "window.code=500;")).unwrap(),
        LoginPoll::Other { code: 500 }
    );
    // The wwdk variant: no spaces, jpeg, no trailing semicolon.
    assert!(matches!(
        login::parse(&resp(
            200,
            "window.code=201;window.userAvatar='data:img/jpeg;base64,iVBORw...'"
        ))
        .unwrap(),
        LoginPoll::Scanned { avatar: Some(_) }
    ));
    let e = login::parse(&resp(200, "window.code=200;")).unwrap_err();
    assert!(matches!(e, ResponseError::Parse(p) if matches!(p.kind, ParseErrorKind::Missing(_))));
}

#[test]
fn newloginpage_capture_credentials_and_cookies() {
    let r = capture("05_4_webwxnewloginpage_0.txt");
    assert!(r.headers().get_all("set-cookie").iter().count() >= 5);
    let LoginPage::Credentials(c) = newloginpage::parse(&r).unwrap() else {
        panic!("credentials expected")
    };
    assert_eq!(c.uin, 176666155);
    assert_eq!(c.sid, "5YpLHmVgWwH5LxN1");
    assert_eq!(c.skey, "@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50");
    assert_eq!(
        c.pass_ticket, "kbmy5Jt9nj%2BJzBaJZYNpUBQyBwRTejeXq1sM%2FYH7iOI%3D",
        "kept encoded once"
    );
    assert!(c.is_grayscale);
    let mut jar = webwx_core::cookies::CookieJar::new();
    for sc in webwx_core::relay::set_cookies(r.headers()) {
        jar.store(
            webwx_core::Timestamp(1_546_211_541_000),
            "wx.qq.com",
            "/cgi-bin/mmwebwx-bin/webwxnewloginpage",
            &sc,
        );
    }
    let now = webwx_core::Timestamp(1_546_211_541_000);
    assert_eq!(
        jar.get(now, "webwx_data_ticket"),
        Some("gSehWtnDWTMh38gmz0IjaFv0")
    );
    assert_eq!(jar.get(now, "wxuin"), Some("176666155"));
    let sync_cookie = jar
        .header(
            now,
            "webpush.wx.qq.com",
            "/cgi-bin/mmwebwx-bin/synccheck",
            true,
        )
        .unwrap();
    assert!(
        sync_cookie.contains("wxsid=5YpLHmVgWwH5LxN1")
            && sync_cookie.contains("webwx_data_ticket=")
    );
    let file_cookie = jar
        .header(
            now,
            "file.wx.qq.com",
            "/cgi-bin/mmwebwx-bin/webwxuploadmedia",
            true,
        )
        .unwrap();
    assert!(
        file_cookie.contains("webwx_data_ticket="),
        "Domain=.qq.com reaches the file host"
    );
}

#[test]
fn newloginpage_refusals_are_typed() {
    let variants = [
        "<error><ret>1203</ret><message>为了你的帐号安全，此微信号不能登录网页微信。你可以使用Windows微信或Mac微信在电脑端登录。Windows微信下载地址：https://pc.weixin.qq.com  Mac微信下载地址：https://mac.weixin.qq.com</message></error>",
        "<error><ret>1203</ret><message>当前登录环境异常。为了你的帐号安全，暂时不能登录web微信。你可以通过手机客户端或者windows微信登录。</message></error>",
        "<error><ret>1203</ret><message>To protect your account, logging in to WeChat via the web has been suspended. Use WeChat for Windows or WeChat for Mac to log in on a computer. Download WeChat for Windows or Mac at http://wechat.com.</message></error>",
        "<error>\n    <ret>1203</ret>\n    <message>check ticket failed</message>\n</error>",
    ];
    for body in variants {
        let e = newloginpage::parse(&resp(200, body)).unwrap_err();
        let ResponseError::Wx(w) = e else {
            panic!("typed refusal expected for {body}")
        };
        assert_eq!(w.ret, Ret::LOGIN_REFUSED);
        assert!(!w.message.is_empty());
    }
    let first = newloginpage::parse(&resp(200, variants[1])).unwrap_err();
    insta::assert_debug_snapshot!("newloginpage_1203", first);
}

#[test]
fn newloginpage_301_without_location_is_parsed_not_followed() {
    let body = "<error><ret>0</ret><message>OK</message><skey>@crypt_8e4ad7fa_2703a47aaf8cd4d3e61b855795e38568</skey><wxsid>PsWd4FvKROR5EVcG</wxsid><wxuin>155217200</wxuin><pass_ticket>VgRra8tyYbvfTTS3LVlIHdFob0XowE6%2BZV9X1PB9w9w%3D</pass_ticket><isgrayscale>1</isgrayscale></error>";
    let r = resp(301, body);
    assert!(r.headers().get("location").is_none());
    let LoginPage::Credentials(c) = newloginpage::parse(&r).unwrap() else {
        panic!()
    };
    assert_eq!(c.uin, 155217200);
    assert_eq!(c.sid, "PsWd4FvKROR5EVcG");
    // A missing field on ret 0 is a parse error that names the field.
    let e =
        newloginpage::parse(&resp(200, "<error><ret>0</ret><skey>x</skey></error>")).unwrap_err();
    assert!(e.to_string().contains("<wxsid>"), "{e}");
    // An HTML page is not XML credentials.
    assert!(newloginpage::parse(&resp(200, "")).is_err());
    // <redirecturl> is honoured.
    assert_eq!(
        newloginpage::parse(&resp(
            200,
            "<error><ret>0</ret><redirecturl>https://wx.qq.com/x</redirecturl></error>"
        ))
        .unwrap(),
        LoginPage::Redirect {
            url: "https://wx.qq.com/x".into()
        }
    );
    assert!(newloginpage::parse(&resp(500, body)).is_err());
}

#[test]
fn pushloginurl_doc_sample() {
    let body = "{\n    \"ret\": \"0\",\n    \"msg\": \"all ok\",\n    \"uuid\": \"A_1_xxxw==\"\n}";
    assert_eq!(pushloginurl::parse(&resp(200, body)).unwrap(), "A_1_xxxw==");
    let e = pushloginurl::parse(&resp(200, r#"{"ret":"1","msg":"fail"}"#)).unwrap_err();
    assert_eq!(e.ret(), Some(Ret::PARAM_ERROR));
}

#[test]
fn init_captures() {
    let r = init::parse(&capture("06_5_webwxinit_0.demojibaked.txt")).unwrap();
    assert_eq!(r.user.uin, 176666155);
    assert!(r.user.user_name.starts_with('@'));
    assert!(r.sync_key.count > 0);
    assert_eq!(r.sync_key.list.len() as u64, r.sync_key.count);
    assert!(!r.contact_list.is_empty());
    let w = init::parse(&capture("wechat4u_test_response_webwxinit.json")).unwrap();
    assert_eq!(w.count, 11, "the server's count");
    assert_eq!(w.contact_list.len(), 7, "the fixture keeps 7 of them");
    assert_eq!(w.contact_list[0].nick_name, "微信红包");
    assert!(w.invite_start_count > 0);
    insta::assert_json_snapshot!("init_wechat4u_sync_key", w.sync_key);
}

#[test]
fn statusnotify_capture() {
    let r = statusnotify::parse(&capture("07_6_webwxstatusnotify_0.txt")).unwrap();
    assert!(!r.msg_id.is_empty());
}

#[test]
fn getcontact_captures() {
    let p = getcontact::parse(&capture("10_9_webwxgetcontact_0.demojibaked.txt")).unwrap();
    assert_eq!(p.seq, 0);
    assert!(!p.member_list.is_empty());
    let w = getcontact::parse(&capture("wechat4u_test_response_webwxgetcontact.json")).unwrap();
    assert_eq!(w.seq, 0);
    assert_eq!(w.member_count, 149, "the server's count");
    assert_eq!(w.member_list.len(), 7, "the fixture keeps 7 of them");
    let kinds: Vec<_> = w
        .member_list
        .iter()
        .map(|c| {
            (
                c.user_name.clone(),
                webwx_core::contacts::classify(c, "@me"),
            )
        })
        .collect();
    insta::assert_debug_snapshot!("getcontact_wechat4u_kinds", kinds);
}

#[test]
fn batchgetcontact_captures() {
    let b =
        batchgetcontact::parse(&capture("11_10_webwxbatchgetcontact_0.demojibaked.txt")).unwrap();
    assert!(!b.contact_list.is_empty());
    let w = batchgetcontact::parse(&capture("wechat4u_test_response_webwxbatchgetcontact.json"))
        .unwrap();
    assert_eq!(w.contact_list.len() as u64, w.count);
    let g = &w.contact_list[0];
    assert!(webwx_core::contacts::is_group(&g.user_name));
    assert!(!g.member_list.is_empty());
}

#[test]
fn synccheck_captures() {
    let r = synccheck::parse(&capture_first_line("13_12_synccheck_0.txt")).unwrap();
    assert_eq!((r.retcode, r.selector), (0, 0));
    for (body, ret, sel) in [
        (r#"window.synccheck={retcode:"0",selector:"2"}"#, 0, 2),
        (r#"window.synccheck={retcode:"0",selector:"4"}"#, 0, 4),
        (r#"window.synccheck={retcode:"0",selector:"6"}"#, 0, 6),
        (r#"window.synccheck={retcode:"0",selector:"7"}"#, 0, 7),
        (r#"window.synccheck={retcode:"1100",selector:"0"}"#, 1100, 0),
        (r#"window.synccheck={retcode:"1101",selector:"0"}"#, 1101, 0),
        (r#"window.synccheck={retcode:"1102",selector:"0"}"#, 1102, 0),
    ] {
        let r = synccheck::parse(&resp(200, body)).unwrap();
        assert_eq!((r.retcode, r.selector), (ret, sel), "{body}");
        assert_eq!(r.has_news(), ret == 0 && sel != 0);
    }
    assert!(synccheck::parse(&resp(200, r#"window.synccheck={retcode:"0"}"#)).is_err());
    assert!(synccheck::parse(&resp(200, "garbage")).is_err());
}

#[test]
fn sync_captures() {
    // The capture's author annotated one line with a `// 图片` comment, which is not
    // JSON and not what the server sent: strip such annotations before parsing.
    let raw = capture("12_11_webwxsync_0.demojibaked.txt");
    let (parts, body) = raw.into_parts();
    let cleaned: String = String::from_utf8(body)
        .unwrap()
        .lines()
        .map(
            |l| match (l.trim_start().starts_with("\"MsgType\""), l.find("//")) {
                (true, Some(i)) => l[..i].trim_end(),
                _ => l,
            },
        )
        .collect::<Vec<_>>()
        .join("\n");
    let r = sync::parse(&http::Response::from_parts(parts, cleaned.into_bytes())).unwrap();
    assert_eq!(r.add_msg_count, 1, "the server's count");
    assert_eq!(
        r.add_msg_list.len(),
        4,
        "the capture's author pasted four sample messages"
    );
    let types: Vec<u32> = r.add_msg_list.iter().map(|m| m.msg_type).collect();
    assert_eq!(types, [47, 51, 43, 1]);
    assert_eq!(r.sync_key.count, 7);
    assert_eq!(r.sync_check_key.count, 7);
    assert_eq!(r.continue_flag, 0);
    let m = &r.add_msg_list[0];
    assert!(!m.msg_id.is_empty());
    let w = sync::parse(&capture("wechat4u_test_response_webwxsync.json")).unwrap();
    assert_eq!(w.add_msg_list.len() as u64, w.add_msg_count);
    insta::assert_json_snapshot!(
        "sync_wechat4u_summary",
        serde_json::json!({
            "add_msg": w.add_msg_list.iter().map(|m| (m.msg_type, m.from_user_name.clone())).collect::<Vec<_>>(),
            "mod_contacts": w.mod_contact_list.len(),
            "sync_key": w.sync_key.to_query(),
            "sync_check_key": w.sync_check_key.to_query(),
        })
    );
    // The session-lost body from the wild: a typed 1100, not a parse error.
    let lost = r#"{"BaseResponse": {"Ret": 1100,"ErrMsg": ""},"AddMsgCount": 0,"AddMsgList": [],"SyncKey": {"Count": 0,"List": []},"SKey": ""}"#;
    assert_eq!(
        sync::parse(&resp(200, lost)).unwrap_err().ret(),
        Some(Ret::SESSION_NOT_EXIST)
    );
}

#[test]
fn error_ret_bodies_from_the_wild() {
    let e = init::parse(&resp(
        200,
        r#"{"BaseResponse": {"Ret": 1102, "ErrMsg": ""}}"#,
    ))
    .unwrap_err();
    assert_eq!(e.ret(), Some(Ret::COOKIE_INVALID));
    // Urinx#174: a bare {"ErrMsg":"","Ret":1100} has no BaseResponse: a parse error naming it.
    let e = init::parse(&resp(200, r#"{"ErrMsg":"","Ret":1100}"#)).unwrap_err();
    assert!(e.to_string().contains("BaseResponse"), "{e}");
}

#[test]
fn logout_answers() {
    assert!(logout::parse(&resp(301, "")).is_ok());
    assert!(logout::parse(&resp(200, "")).is_ok());
    assert!(logout::parse(&resp(404, "")).is_err());
}
