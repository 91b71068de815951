//! The QR login over real HTTP: jslogin, QR image, the poll's codes and holds,
//! newloginpage's XML, statuses and cookies, refusal, push login.

mod common;

use std::time::{Duration, Instant};

use common::*;
use webwx_sim::AccountSpec;

const JSLOGIN: &str = "/jslogin?appid=wx782c26e4c19acffb&fun=new";

fn poll(sim: &webwx_sim::RunningSim, prefix: &str, uuid: &str) -> Resp {
    get(
        sim,
        &format!("{prefix}/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid={uuid}&tip=1&r=-1&_=1"),
        &[],
    )
}

#[test]
fn jslogin_get_and_post_answer_the_exact_js() {
    let sim = sim();
    let r = get(&sim, JSLOGIN, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/javascript"));
    let t = r.text();
    assert!(
        t.starts_with("window.QRLogin.code = 200; window.QRLogin.uuid = \""),
        "{t}"
    );
    assert!(t.ends_with("\";"), "{t}");
    let uuid = uuid_of(&t);
    assert!(uuid.ends_with("=="), "{uuid}");
    // wechat4u: POST, lang with a dash and an unencoded redirect_uri in the query.
    let r = post(
        &sim,
        "/login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh-CN&redirect_uri=https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?mod=desktop",
        &[],
        b"",
    );
    assert!(r.text().starts_with("window.QRLogin.code = 200;"));
    assert_ne!(uuid_of(&r.text()), uuid);
    assert_eq!(sim.control().state().pending_uuids.len(), 2);
}

#[test]
fn jslogin_with_a_wrong_appid_is_refused() {
    let sim = sim();
    let t = get(&sim, "/jslogin?appid=nope&fun=new", &[]).text();
    assert_eq!(t, "window.QRLogin.code = 400; window.QRLogin.uuid = \"\";");
}

#[test]
fn qrcode_is_a_png_of_the_login_link() {
    let sim = sim();
    let uuid = uuid_of(&get(&sim, JSLOGIN, &[]).text());
    for target in [
        format!("/qrcode/{uuid}"),
        format!("/login.weixin.qq.com/qrcode/{uuid}"),
    ] {
        let r = get(&sim, &target, &[]);
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("image/png"));
        let dec = png::Decoder::new(std::io::Cursor::new(r.body.clone()));
        let mut reader = dec.read_info().expect("a real PNG");
        let (w, h) = (reader.info().width, reader.info().height);
        assert_eq!(w, h);
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        // Compare with the QR the qrcode crate makes of the expected link.
        let code = qrcode::QrCode::new(format!("https://login.weixin.qq.com/l/{uuid}")).unwrap();
        let modules = code.width();
        let scale = w as usize / (modules + 8);
        let colors = code.to_colors();
        for y in 0..modules {
            for x in 0..modules {
                let px = ((y + 4) * scale + scale / 2) * w as usize + (x + 4) * scale + scale / 2;
                let dark = buf[px * 3] < 128;
                assert_eq!(dark, colors[y * modules + x] == qrcode::Color::Dark);
            }
        }
    }
}

#[test]
fn poll_holds_then_408() {
    let sim = sim();
    let uuid = uuid_of(&get(&sim, JSLOGIN, &[]).text());
    let t0 = Instant::now();
    let r = poll(&sim, "", &uuid);
    assert_eq!(r.text(), "window.code=408;");
    assert_eq!(r.header("content-type"), Some("text/javascript"));
    assert!(
        t0.elapsed() >= Duration::from_millis(180),
        "held {:?}",
        t0.elapsed()
    );
}

#[test]
fn poll_wakes_on_scan_with_201_and_avatar_then_200() {
    // Woken by the scan, not by the end of the 8 s hold: half the hold as the bound
    // (slack for a loaded CI machine).
    let sim = sim_with(|c| c.hold_ms = 8_000);
    let uuid = uuid_of(&get(&sim, JSLOGIN, &[]).text());
    let c = sim.control();
    let u2 = uuid.clone();
    let scanner = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        c.scan(Some(&u2), false).unwrap();
    });
    let t0 = Instant::now();
    let t = poll(&sim, "", &uuid).text();
    scanner.join().unwrap();
    assert!(t0.elapsed() < Duration::from_millis(4_000), "woke early");
    assert!(
        t.starts_with("window.code=201;window.userAvatar = 'data:img/jpg;base64,"),
        "{t}"
    );
    assert!(t.ends_with("';"));
    sim.control().scan(Some(&uuid), true).unwrap();
    let t = poll(&sim, "", &uuid).text();
    let prefix = format!(
        "window.code=200;window.redirect_uri=\"{}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=",
        sim.base_url()
    );
    assert!(t.starts_with(&prefix), "{t}");
    assert!(t.contains(&format!("&uuid={uuid}&lang=zh_CN&scan=")));
    assert!(t.ends_with("\";"));
}

#[test]
fn relay_form_redirect_is_the_real_https_url_of_the_home() {
    let sim = sim();
    sim.control()
        .prepare_account(AccountSpec {
            home: Some("wx2.qq.com".into()),
            ..AccountSpec::default()
        })
        .unwrap();
    let uuid = uuid_of(&get(&sim, &format!("/login.wx2.qq.com{JSLOGIN}"), &[]).text());
    sim.control().scan(Some(&uuid), true).unwrap();
    let t = poll(&sim, "/login.wx2.qq.com", &uuid).text();
    assert!(
        t.starts_with(
            "window.code=200;window.redirect_uri=\"https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket="
        ),
        "{t}"
    );
}

#[test]
fn poll_cancel_is_202_then_400_and_expiry_is_400() {
    let sim = sim();
    let uuid = uuid_of(&get(&sim, JSLOGIN, &[]).text());
    sim.control().cancel(Some(&uuid)).unwrap();
    assert_eq!(poll(&sim, "", &uuid).text(), "window.code=202;");
    assert_eq!(poll(&sim, "", &uuid).text(), "window.code=400;");
    let uuid = uuid_of(&get(&sim, JSLOGIN, &[]).text());
    sim.control().expire(Some(&uuid)).unwrap();
    assert_eq!(poll(&sim, "", &uuid).text(), "window.code=400;");
    assert_eq!(poll(&sim, "", "unknown==").text(), "window.code=400;");
    // Through the HTTP control API too.
    let uuid = uuid_of(&get(&sim, JSLOGIN, &[]).text());
    let r = control(
        &sim,
        "/_sim/scan",
        serde_json::json!({"uuid": uuid, "cancel": true}),
    );
    assert_eq!(r.json()["state"], "cancelled");
    assert_eq!(poll(&sim, "", &uuid).text(), "window.code=202;");
}

#[test]
fn uuid_expires_after_its_ttl() {
    let sim = sim_with(|c| c.uuid_ttl_ms = 100);
    let uuid = uuid_of(&get(&sim, JSLOGIN, &[]).text());
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(poll(&sim, "", &uuid).text(), "window.code=400;");
    assert!(sim.control().state().pending_uuids.is_empty());
}

#[test]
fn auto_scan_logs_in_without_a_phone() {
    let sim = sim_with(|c| {
        c.auto_scan = true;
        c.scan_delay_ms = 30;
        c.hold_ms = 1000;
    });
    let uuid = uuid_of(&get(&sim, JSLOGIN, &[]).text());
    let mut codes = Vec::new();
    for _ in 0..5 {
        let t = poll(&sim, "", &uuid).text();
        let code = t[12..15].to_string();
        codes.push(code.clone());
        if code == "200" {
            break;
        }
    }
    assert_eq!(codes.first().map(String::as_str), Some("201"), "{codes:?}");
    assert_eq!(codes.last().map(String::as_str), Some("200"), "{codes:?}");
}

fn confirmed_redirect(sim: &webwx_sim::RunningSim, prefix: &str) -> String {
    let uuid = uuid_of(&get(sim, &format!("{prefix}{JSLOGIN}"), &[]).text());
    sim.control().scan(Some(&uuid), true).unwrap();
    let t = poll(sim, prefix, &uuid).text();
    let s = t.find("redirect_uri=\"").unwrap() + 14;
    let e = t[s..].find('"').unwrap() + s;
    t[s..e].to_string()
}

#[test]
fn newloginpage_301_without_location_unless_v2() {
    let sim = sim();
    let url = confirmed_redirect(&sim, "");
    let path = url.strip_prefix(&sim.base_url()).unwrap().to_string();
    // itchat / wechat4u: no version=v2 -> 301 with no Location, XML in the body.
    let r = get(&sim, &path, &[]);
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), None);
    assert_eq!(r.header("content-type"), Some("text/plain;charset=utf-8"));
    let body = r.text();
    assert!(
        body.starts_with("<error><ret>0</ret><message></message><skey>@crypt_"),
        "{body}"
    );
    assert!(body.ends_with("<isgrayscale>1</isgrayscale></error>"));
    for tag in ["skey", "wxsid", "wxuin", "pass_ticket"] {
        assert!(xml(&body, tag).is_some_and(|v| !v.is_empty()), "{tag}");
    }
    let pt = xml(&body, "pass_ticket").unwrap();
    assert!(
        pt.contains('%') && !pt.contains('+') && !pt.contains('/'),
        "encoded once: {pt}"
    );
    // The official client: version=v2 -> 200, same credentials (retries are idempotent).
    let r2 = get(&sim, &format!("{path}&fun=new&version=v2"), &[]);
    assert_eq!(r2.status, 200);
    assert_eq!(xml(&r2.text(), "wxsid"), xml(&body, "wxsid"));
}

#[test]
fn newloginpage_cookies_plain_form() {
    let sim = sim();
    let url = confirmed_redirect(&sim, "");
    let path = url.strip_prefix(&sim.base_url()).unwrap().to_string();
    let r = get(&sim, &format!("{path}&fun=new&version=v2"), &[]);
    let lines = r.headers_all("set-cookie");
    let names: Vec<String> = cookie_pairs(&lines).into_iter().map(|(k, _)| k).collect();
    for n in [
        "wxuin",
        "wxsid",
        "wxloadtime",
        "mm_lang",
        "webwx_data_ticket",
        "webwxuvid",
        "webwx_auth_ticket",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    for l in &lines {
        let (head, _) = l.split_once(';').expect("value ends with ;");
        assert!(head.contains('='), "{l}");
        assert!(!l.contains("Domain="), "plain form has no Domain: {l}");
        assert!(!l.contains("Secure"), "plain form is not Secure: {l}");
        assert!(l.contains("Path=/"));
        assert!(l.contains("Expires="));
    }
    assert!(r.headers_all("x-wx-set-cookie").is_empty());
    let body = r.text();
    let pairs = cookie_pairs(&lines);
    let get_c = |n: &str| pairs.iter().find(|(k, _)| k == n).unwrap().1.clone();
    assert_eq!(Some(get_c("wxuin")), xml(&body, "wxuin"));
    assert_eq!(Some(get_c("wxsid")), xml(&body, "wxsid"));
}

#[test]
fn newloginpage_cookies_relay_form() {
    let sim = sim();
    let url = confirmed_redirect(&sim, "/login.wx.qq.com");
    let rest = url.strip_prefix("https://").unwrap();
    let r = get(
        &sim,
        &format!("/{rest}&fun=new&version=v2"),
        &[("Origin", "http://localhost:8080".into())],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let lines = r.headers_all("set-cookie");
    assert_eq!(lines.len(), 7);
    for l in &lines {
        assert!(l.split_once(';').is_some());
        assert!(l.ends_with("; Secure"), "{l}");
        if l.starts_with("webwx_data_ticket=") {
            assert!(l.contains("; Domain=.qq.com;"), "{l}");
        } else {
            assert!(l.contains("; Domain=wx.qq.com;"), "{l}");
        }
    }
    assert_eq!(r.headers_all("x-wx-set-cookie"), lines);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:8080")
    );
    assert!(
        r.header("access-control-expose-headers")
            .unwrap()
            .contains("x-wx-set-cookie")
    );
}

#[test]
fn newloginpage_wechat_com_home_uses_wechat_com_domains() {
    let sim = sim();
    sim.control()
        .prepare_account(AccountSpec {
            home: Some("web.wechat.com".into()),
            ..AccountSpec::default()
        })
        .unwrap();
    let url = confirmed_redirect(&sim, "/login.web.wechat.com");
    assert!(url.starts_with("https://web.wechat.com/"), "{url}");
    let rest = url.strip_prefix("https://").unwrap();
    let r = get(&sim, &format!("/{rest}&fun=new&version=v2"), &[]);
    let lines = r.headers_all("set-cookie");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("webwx_data_ticket=") && l.contains("Domain=.wechat.com;"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("wxsid=") && l.contains("Domain=web.wechat.com;"))
    );
    // The ticket is unknown on another content host.
    sim.control()
        .prepare_account(AccountSpec {
            home: Some("web.wechat.com".into()),
            ..AccountSpec::default()
        })
        .unwrap();
    let url = confirmed_redirect(&sim, "/login.web.wechat.com");
    let rest = url.strip_prefix("https://web.wechat.com").unwrap();
    let r = get(&sim, &format!("/wx.qq.com{rest}&fun=new&version=v2"), &[]);
    assert_eq!(xml(&r.text(), "ret").as_deref(), Some("-14"));
}

#[test]
fn refused_account_gets_1203() {
    let sim = sim();
    sim.control()
        .prepare_account(AccountSpec {
            refuse: true,
            ..AccountSpec::default()
        })
        .unwrap();
    let url = confirmed_redirect(&sim, "");
    let path = url.strip_prefix(&sim.base_url()).unwrap().to_string();
    let r = get(&sim, &path, &[]);
    assert_eq!(r.status, 301);
    let body = r.text();
    assert!(
        body.starts_with("<error><ret>1203</ret><message>"),
        "{body}"
    );
    assert!(xml(&body, "wxsid").is_none());
    assert!(r.headers_all("set-cookie").is_empty());
    let r = get(&sim, &format!("{path}&version=v2"), &[]);
    assert_eq!(r.status, 200);
    assert_eq!(xml(&r.text(), "ret").as_deref(), Some("1203"));
}

#[test]
fn desktop_only_account_needs_the_uos_headers() {
    let sim = sim();
    for _ in 0..2 {
        sim.control()
            .prepare_account(AccountSpec {
                desktop_only: true,
                ..AccountSpec::default()
            })
            .unwrap();
    }
    let url = confirmed_redirect(&sim, "");
    let path = url.strip_prefix(&sim.base_url()).unwrap().to_string();
    let r = get(&sim, &format!("{path}&fun=new&version=v2"), &[]);
    assert_eq!(xml(&r.text(), "ret").as_deref(), Some("1203"));
    let url = confirmed_redirect(&sim, "");
    let path = url.strip_prefix(&sim.base_url()).unwrap().to_string();
    let r = get(
        &sim,
        &format!("{path}&fun=new&version=v2&mod=desktop"),
        &[
            ("client-version", "2.0.0".into()),
            (
                "extspam",
                "Go8FCIkFEokFCggwMDAwMDAwMRAGGvAESySibk50w5Wb3uTl2c2h".into(),
            ),
        ],
    );
    assert_eq!(xml(&r.text(), "ret").as_deref(), Some("0"), "{}", r.text());
}

#[test]
fn bad_ticket_is_refused() {
    let sim = sim();
    let r = get(
        &sim,
        "/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=nope@qrticket_0&uuid=x==&lang=zh_CN&scan=1&fun=new&version=v2",
        &[],
    );
    assert_eq!(r.status, 200);
    assert_eq!(xml(&r.text(), "ret").as_deref(), Some("-14"));
}

#[test]
fn push_login_relogs_the_same_account_and_ends_the_old_session() {
    let sim = sim();
    let s1 = login(&sim, Form::Plain);
    let r = get(
        &sim,
        &format!("/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin={}", s1.uin),
        &[("Cookie", s1.cookie_header())],
    );
    let v = r.json();
    assert_eq!(v["ret"], "0");
    assert_eq!(v["msg"], "all ok");
    let uuid = v["uuid"].as_str().unwrap().to_string();
    assert_eq!(sim.control().state().pending_uuids, vec![uuid.clone()]);
    sim.control().scan(Some(&uuid), true).unwrap();
    let t = poll(&sim, "", &uuid).text();
    assert!(t.starts_with("window.code=200;"));
    let s = t.find(&sim.base_url()).unwrap() + sim.base_url().len();
    let e = t[s..].find('"').unwrap() + s;
    let r = get(&sim, &format!("{}&fun=new&version=v2", &t[s..e]), &[]);
    assert_eq!(xml(&r.text(), "wxuin"), Some(s1.uin.to_string()));
    assert_ne!(xml(&r.text(), "wxsid"), Some(s1.sid.clone()));
    // The old session is gone: logged in elsewhere.
    assert_eq!(s1.synccheck(&sim), ("1101".into(), "0".into()));
    // Unknown uin.
    let v = get(&sim, "/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin=1", &[]).json();
    assert_eq!(v["ret"], "1");
}

#[test]
fn push_login_is_auto_confirmed_with_auto_scan() {
    let sim = sim_with(|c| {
        c.auto_scan = true;
        c.scan_delay_ms = 20;
        c.hold_ms = 1000;
    });
    // The auto-scan logs in the jslogin uuid of this login.
    let uuid = uuid_of(&get(&sim, JSLOGIN, &[]).text());
    while !poll(&sim, "", &uuid).text().starts_with("window.code=200;") {}
    let uin = sim.control().state().accounts[0].uin;
    let v = get(
        &sim,
        &format!("/login.weixin.qq.com/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin={uin}"),
        &[],
    )
    .json();
    let uuid = v["uuid"].as_str().unwrap().to_string();
    let mut last = String::new();
    for _ in 0..5 {
        last = poll(&sim, "/login.wx.qq.com", &uuid).text();
        if last.starts_with("window.code=200;") {
            break;
        }
    }
    assert!(
        last.starts_with("window.code=200;window.redirect_uri=\"https://wx.qq.com/"),
        "{last}"
    );
    // The official client asks its content host; another content host does not know the account.
    let v = get(
        &sim,
        &format!("/wx.qq.com/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin={uin}"),
        &[],
    )
    .json();
    assert_eq!(v["ret"], "0");
    let v = get(
        &sim,
        &format!("/wx2.qq.com/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin={uin}"),
        &[],
    )
    .json();
    assert_eq!(v["ret"], "1");
    let r = get(
        &sim,
        &format!("/webpush.wx.qq.com/cgi-bin/mmwebwx-bin/webwxpushloginurl?uin={uin}"),
        &[],
    );
    assert_eq!(r.status, 404);
}

#[test]
fn login_host_endpoints_reject_other_hosts() {
    let sim = sim();
    let r = get(&sim, &format!("/wx.qq.com{JSLOGIN}"), &[]);
    assert_eq!(r.status, 404);
    let r = get(&sim, &format!("/webpush.wx.qq.com{JSLOGIN}"), &[]);
    assert_eq!(r.status, 404);
    let r = get(&sim, &format!("/evil.example.com{JSLOGIN}"), &[]);
    assert_eq!(r.status, 404);
    for host in [
        "login.weixin.qq.com",
        "login.wx.qq.com",
        "login.wx2.qq.com",
        "login.wx8.qq.com",
        "login.web.wechat.com",
        "login.web2.wechat.com",
    ] {
        assert_eq!(
            get(&sim, &format!("/{host}{JSLOGIN}"), &[]).status,
            200,
            "{host}"
        );
    }
}

#[test]
fn full_login_both_forms() {
    let sim = sim();
    let a = login(&sim, Form::Plain);
    let b = login(&sim, Form::Relay);
    assert_ne!(a.uin, b.uin);
    assert_eq!(sim.control().state().accounts.len(), 2);
    assert!(sim.control().state().accounts.iter().all(|a| a.logged_in));
}
