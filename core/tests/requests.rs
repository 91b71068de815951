//! Snapshots of every login/session request the core builds (fixed seed, fixed `now`),
//! plus explicit checks against the real captures where the exact form matters.

mod common;

use common::*;
use webwx_core::Hosts;
use webwx_core::endpoint::batchgetcontact::BatchItem;
use webwx_core::endpoint::*;
use webwx_core::wire::SyncKey;

#[test]
fn jslogin_web_and_desktop() {
    let h = hosts();
    let req = jslogin::build(&login_ctx(&h, false));
    // The capture: GET https://login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&redirect_uri=https%3A%2F%2Fwx.qq.com%2Fcgi-bin%2Fmmwebwx-bin%2Fwebwxnewloginpage&fun=new&lang=zh_CN&_=1546211298739
    assert_eq!(
        req.uri().to_string(),
        "https://login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&redirect_uri=https%3A%2F%2Fwx.qq.com%2Fcgi-bin%2Fmmwebwx-bin%2Fwebwxnewloginpage&fun=new&lang=zh_CN&_=1546211298739"
    );
    insta::assert_snapshot!("jslogin_web", render(&req));
    let desktop = jslogin::build(&login_ctx(&h, true));
    assert!(
        desktop
            .uri()
            .to_string()
            .contains("webwxnewloginpage%3Fmod%3Ddesktop")
    );
    insta::assert_snapshot!("jslogin_desktop", render(&desktop));
    assert_eq!(
        jslogin::qr_content_url("gbyKnbsmqQ=="),
        "https://login.weixin.qq.com/l/gbyKnbsmqQ=="
    );
    insta::assert_snapshot!(
        "qrcode_image",
        render(&jslogin::build_qr_image("gbyKnbsmqQ=="))
    );
}

#[test]
fn login_poll_first_and_later() {
    let h = hosts();
    let first = login::build(&login_ctx(&h, false), "gbyKnbsmqQ==", 1);
    let pairs = query_pairs(&first);
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["loginicon", "uuid", "tip", "r", "_"],
        "the capture's order"
    );
    assert_eq!(pairs[2].1, "1");
    // `r` is the official client's `~new Date()` at NOW (1546211298739): node prints
    // -23072180 for `~1546211298739`.
    assert_eq!(pairs[3].1, "-23072180");
    assert!(
        first.uri().to_string().contains("uuid=gbyKnbsmqQ==&"),
        "uuid unencoded as in the capture"
    );
    insta::assert_snapshot!("login_poll_tip1", render(&first));
    let later = login::build(&login_ctx(&h, false), "gbyKnbsmqQ==", 0);
    insta::assert_snapshot!("login_poll_tip0", render(&later));
}

#[test]
fn newloginpage_web_desktop_and_encoding() {
    let h = hosts();
    let redirect = "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=AaXdHpmbWGYo_ZOk7ylAnnCY@qrticket_0&uuid=gbyKnbsmqQ==&lang=zh_CN&scan=1546211468";
    let req = newloginpage::build(&login_ctx(&h, false), redirect);
    assert_eq!(
        req.uri().to_string(),
        format!("{redirect}&fun=new&version=v2"),
        "as the official client: redirect_uri + &fun=new&version=v2"
    );
    insta::assert_snapshot!("newloginpage_web", render(&req));
    let d = newloginpage::build(&login_ctx(&h, true), redirect);
    assert!(
        d.uri()
            .to_string()
            .ends_with("&fun=new&version=v2&mod=desktop")
    );
    assert_eq!(d.headers()["client-version"], "2.0.0");
    assert_eq!(
        d.headers()["referer"],
        "https://wx.qq.com/?&lang=zh_CN&target=t"
    );
    assert!(
        d.headers()["extspam"]
            .to_str()
            .unwrap()
            .starts_with("Go8FCIkFEokFCggwMDAwMDAwMRAGGvAESySibk50w5Wb3uTl2c2h")
    );
    insta::assert_snapshot!("newloginpage_desktop", render(&d));
}

#[test]
fn pushloginurl_request() {
    let h = Hosts::for_content_host("wx2.qq.com");
    let req = pushloginurl::build(&login_ctx(&h, false), 176666155);
    assert_eq!(
        req.uri().to_string(),
        "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin=176666155"
    );
    insta::assert_snapshot!("pushloginurl", render(&req));
    let d = pushloginurl::build(&login_ctx(&h, true), 176666155);
    assert!(d.uri().to_string().ends_with("&mod=desktop"));
}

#[test]
fn init_request_matches_capture_shape() {
    let (h, c) = (hosts(), creds());
    let req = init::build(&session_ctx(&h, &c));
    let url = req.uri().to_string();
    assert!(url.starts_with("https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxinit?r=-"));
    // pass_ticket goes out encoded twice, as in every capture.
    assert!(
        url.ends_with(
            "&lang=zh_CN&pass_ticket=kbmy5Jt9nj%252BJzBaJZYNpUBQyBwRTejeXq1sM%252FYH7iOI%253D"
        ),
        "{url}"
    );
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(
        body["BaseRequest"]["Uin"], "176666155",
        "string in init only"
    );
    insta::assert_snapshot!("webwxinit", render(&req));
}

#[test]
fn statusnotify_request() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = statusnotify::build(&ctx, statusnotify::CODE_INITED, ctx.me);
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["Code"], 3);
    assert_eq!(body["BaseRequest"]["Uin"], 176666155, "number outside init");
    assert_eq!(body["FromUserName"], body["ToUserName"]);
    insta::assert_snapshot!("webwxstatusnotify", render(&req));
}

#[test]
fn getcontact_request_matches_capture_url() {
    let (h, c) = (hosts(), creds());
    let mut ctx = session_ctx(&h, &c);
    ctx.now = webwx_core::Timestamp(1_546_211_540_630);
    let req = getcontact::build(&ctx, 0);
    // GET https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetcontact?lang=zh_CN&pass_ticket=kbmy5Jt9nj%252BJzBaJZYNpUBQyBwRTejeXq1sM%252FYH7iOI%253D&r=1546211540630&seq=0&skey=@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50
    assert_eq!(
        req.uri().to_string(),
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetcontact?lang=zh_CN&pass_ticket=kbmy5Jt9nj%252BJzBaJZYNpUBQyBwRTejeXq1sM%252FYH7iOI%253D&r=1546211540630&seq=0&skey=@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50"
    );
    insta::assert_snapshot!(
        "webwxgetcontact_seq0",
        render(&getcontact::build(&session_ctx(&h, &c), 0))
    );
    insta::assert_snapshot!(
        "webwxgetcontact_seq_next",
        render(&getcontact::build(&session_ctx(&h, &c), 689))
    );
}

#[test]
fn batchgetcontact_request() {
    let (h, c) = (hosts(), creds());
    let items = vec![
        BatchItem {
            user_name: "@@d77f22c1444fcbd7092fa2464899391a".into(),
            encry_chat_room_id: String::new(),
        },
        BatchItem {
            user_name: "@a53c1fbfce2d6".into(),
            encry_chat_room_id: "@b1f5e2".into(),
        },
    ];
    let req = batchgetcontact::build(&session_ctx(&h, &c), &items);
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["Count"], 2);
    assert_eq!(body["List"][1]["EncryChatRoomId"], "@b1f5e2");
    assert!(
        req.uri()
            .to_string()
            .contains("?type=ex&r=1546211298739&lang=zh_CN&pass_ticket=")
    );
    insta::assert_snapshot!("webwxbatchgetcontact", render(&req));
}

#[test]
fn synccheck_request_matches_capture() {
    let (h, c) = (hosts(), creds());
    let mut ctx = session_ctx(&h, &c);
    ctx.now = webwx_core::Timestamp(1_546_211_541_936);
    ctx.device_id = "e152684595719975".into();
    let key = SyncKey::from_pairs([
        (1, 698325105),
        (2, 698325111),
        (3, 698325051),
        (11, 698322408),
        (201, 1546211542),
        (1000, 1546210682),
        (1001, 1546210755),
    ]);
    let req = synccheck::build(&ctx, &key, 1_546_211_298_751);
    assert_eq!(
        req.uri().to_string(),
        "https://webpush.wx.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1546211541936&skey=%40crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50&sid=5YpLHmVgWwH5LxN1&uin=176666155&deviceid=e152684595719975&synckey=1_698325105%7C2_698325111%7C3_698325051%7C11_698322408%7C201_1546211542%7C1000_1546210682%7C1001_1546210755&_=1546211298751",
        "byte-identical to the 2018 capture"
    );
    insta::assert_snapshot!("synccheck", render(&req));
    let h2 = Hosts::for_content_host("wx2.qq.com");
    let req = synccheck::build(&session_ctx(&h2, &c), &key, 1);
    assert_eq!(req.uri().host(), Some("webpush.wx2.qq.com"));
}

#[test]
fn sync_request_matches_capture_url() {
    let (h, c) = (hosts(), creds());
    let key = SyncKey::from_pairs([(1, 698325105), (2, 698325109)]);
    let req = sync::build(&session_ctx(&h, &c), &key);
    assert_eq!(
        req.uri().to_string(),
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxsync?sid=5YpLHmVgWwH5LxN1&skey=@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50&lang=zh_CN&pass_ticket=kbmy5Jt9nj%252BJzBaJZYNpUBQyBwRTejeXq1sM%252FYH7iOI%253D"
    );
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["SyncKey"]["Count"], 2);
    // `rr` is `~new Date()` at NOW: -23072180, as node computes `~1546211298739`.
    assert_eq!(body["rr"], -23072180);
    insta::assert_snapshot!("webwxsync", render(&req));
}

#[test]
fn logout_request() {
    let (h, c) = (hosts(), creds());
    let req = logout::build(&session_ctx(&h, &c), 0);
    assert_eq!(
        req.uri().to_string(),
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxlogout?redirect=1&type=0&skey=%40crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50"
    );
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "sid=5YpLHmVgWwH5LxN1&uin=176666155"
    );
    insta::assert_snapshot!("webwxlogout", render(&req));
}
