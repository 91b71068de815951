//! What a security read of the core found, one test each: a saved session and a login
//! redirect are untrusted input (a planted file or a hostile server must not send the
//! credentials elsewhere, nor panic the client), and the lists a file holds are bounded.

mod common;

use std::time::Duration;

use webwx_core::client::LogoutReason;
use webwx_core::hosts::HostError;
use webwx_core::session::{SeenIds, SessionLoadError};
use webwx_core::{Client, Config, Credentials, Event, Hosts, Now, Output, RequestId, SessionState};

const NOW: Now = Now::from_millis(1_700_000_000_000);

/// A logged-in state as a saved file holds it.
fn saved() -> SessionState {
    let mut s = SessionState::new(7, Hosts::for_content_host("wx2.qq.com"));
    s.credentials = Some(Credentials::new(
        176666155,
        "SIDSECRET",
        "@crypt_SKEYSECRET",
        "PTSECRET",
        true,
    ));
    s
}

fn edited(change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&saved().to_json()).unwrap();
    change(&mut v);
    v.to_string()
}

type Sent = Vec<(RequestId, http::Request<Vec<u8>>)>;

/// Every request the client hands out until it waits.
fn drain(client: &mut Client) -> (Sent, Vec<Event>) {
    let mut requests = Vec::new();
    let mut events = Vec::new();
    for _ in 0..100 {
        match client.poll_output() {
            Output::Transmit(t) => requests.push((t.id, t.request)),
            Output::Event(e) => events.push(e),
            _ => break,
        }
    }
    (requests, events)
}

#[test]
fn a_session_file_host_that_cannot_form_a_url_is_a_typed_error() {
    // A space, `/` or `#` in a host panicked at "endpoint URLs are valid" once restored.
    for bad in [
        "wx2.qq.com x",
        "wx2.qq.com/evil",
        "wx2.qq.com#",
        "",
        "wx2.qq.com:1",
    ] {
        for field in ["content", "login", "file", "push"] {
            let text = edited(|v| v["hosts"][field] = bad.into());
            let err = SessionState::from_json(&text).unwrap_err();
            assert!(
                matches!(err, SessionLoadError::Host(_)),
                "{field}={bad:?}: {err:?}"
            );
            assert!(err.to_string().contains("invalid session file"), "{err}");
        }
    }
}

#[test]
fn a_planted_session_cannot_send_credentials_to_another_host() {
    // Consistent hosts on a domain of the attacker's: the file reads, but no client uses
    // it without a relay origin (which decides itself what it forwards).
    let text = edited(|v| {
        v["hosts"] = serde_json::to_value(Hosts::for_content_host("wx.evil.example")).unwrap()
    });
    let state = SessionState::from_json(&text).expect("well-formed");
    let err = Client::try_restore(Config::new(1), state.clone()).unwrap_err();
    assert!(
        matches!(err, SessionLoadError::Host(HostError::NotWeChat(_))),
        "{err:?}"
    );
    let relayed = Config::new(1).origin("http://127.0.0.1:9").unwrap();
    assert!(Client::try_restore(relayed, state.clone()).is_ok());

    // `restore` (infallible) starts logged out on the default hosts instead: nothing goes
    // to the planted host, and no credential goes anywhere.
    let mut client = Client::restore(Config::new(1), state);
    assert!(client.state().credentials.is_none());
    client.connect(NOW).expect("a restored client connects");
    let (requests, _) = drain(&mut client);
    assert!(!requests.is_empty());
    for (_, r) in &requests {
        let host = r.uri().host().unwrap();
        assert!(webwx_core::hosts::is_wechat_host(host), "{host}");
        assert!(!format!("{:?}{:?}", r.uri(), r.body()).contains("SECRET"));
    }

    // A file host of someone else's beside a real content host.
    let text = edited(|v| v["hosts"]["file"] = "file.evil.example".into());
    assert!(matches!(
        SessionState::from_json(&text),
        Err(SessionLoadError::Host(HostError::Inconsistent {
            kind: "file",
            ..
        }))
    ));
}

#[test]
fn saved_lists_are_bounded() {
    // SeenIds grew past its bound when a file held more than CAPACITY ids.
    let ids: Vec<String> = (0..SeenIds::CAPACITY + 904)
        .map(|i| i.to_string())
        .collect();
    let text = edited(|v| v["seen"]["ids"] = ids.clone().into());
    let mut state = SessionState::from_json(&text).unwrap();
    assert_eq!(state.seen.len(), SeenIds::CAPACITY);
    assert!(
        state.seen.contains(ids.last().unwrap()),
        "the newest are kept"
    );
    assert!(!state.seen.contains("0"));
    assert!(state.seen.insert("new"));
    assert_eq!(state.seen.len(), SeenIds::CAPACITY);

    let pairs: Vec<serde_json::Value> = (0..1000)
        .map(|i| serde_json::json!({"Key": i, "Val": i}))
        .collect();
    let text = edited(|v| v["sync_key"]["List"] = pairs.into());
    assert!(matches!(
        SessionState::from_json(&text),
        Err(SessionLoadError::TooLong {
            field: "sync_key",
            ..
        })
    ));
}

/// A client at the login poll, with the poll answered `window.code=200` and `redirect`.
fn confirmed_with(redirect: &str, cfg: Config) -> (Sent, Vec<Event>) {
    let mut client = Client::new(cfg);
    client.login(NOW).expect("a new client logs in");
    let (reqs, _) = drain(&mut client);
    let (id, _) = reqs.last().expect("jslogin");
    let body = b"window.QRLogin.code = 200; window.QRLogin.uuid = \"gbyKnbsmqQ==\";".to_vec();
    client.handle_response(NOW, *id, http::Response::new(body));
    let (reqs, _) = drain(&mut client);
    let (id, _) = reqs.last().expect("login poll");
    let body = format!("window.code=200;window.redirect_uri=\"{redirect}\";");
    client.handle_response(
        NOW.plus(Duration::from_secs(1)),
        *id,
        http::Response::new(body.into_bytes()),
    );
    drain(&mut client)
}

#[test]
fn the_login_redirect_must_be_https_on_a_wechat_host() {
    let good = "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U&lang=zh_CN&scan=1";
    let (reqs, events) = confirmed_with(good, Config::new(1));
    assert_eq!(reqs.len(), 1, "{events:?}");
    assert_eq!(reqs[0].1.uri().host(), Some("wx2.qq.com"));
    assert!(reqs[0].1.uri().path().ends_with("/webwxnewloginpage"));

    for bad in [
        "http://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U",
        "https://wx.evil.example/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U",
        "https://wx2.qq.com:8443/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T",
    ] {
        let (reqs, events) = confirmed_with(bad, Config::new(1));
        assert!(
            reqs.is_empty(),
            "{bad}: the ticket went to {:?}",
            reqs.iter()
                .map(|(_, r)| r.uri().to_string())
                .collect::<Vec<_>>()
        );
        assert!(
            events.iter().any(|e| matches!(
                e,
                Event::LoggedOut {
                    reason: LogoutReason::LoginRefused { message, .. }
                } if message.contains("redirect")
            )),
            "{bad}: {events:?}"
        );
    }
    // A redirect that is not a URL at all is an unreadable poll answer (retried later).
    let (reqs, events) = confirmed_with(
        "https://wx2.qq.com x/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T",
        Config::new(1),
    );
    assert!(reqs.is_empty() && events.is_empty(), "{events:?}");
}

/// Debug output of what a driver or a bot might log carries no credential: the request
/// context (data ticket), URL builders (skey, sid, pass_ticket in the query), the init and
/// sync answers (SKey, our uin, `skey=` in avatar URLs). Built from the captures.
#[test]
fn debug_output_carries_no_secret() {
    let hosts = common::hosts();
    let creds = common::creds();
    let ctx = common::session_ctx(&hosts, &creds);
    let secrets = [
        creds.skey.as_str(),
        "63d18dea_a7de6934c67e2f89ac399fa35b689a50",
        creds.sid.as_str(),
        creds.pass_ticket.as_str(),
        "176666155",
        ctx.data_ticket.unwrap(),
    ];
    let url = ctx.interceptor(
        ctx.url(webwx_core::HostKind::Content, "webwxsync")
            .param("sid", &creds.sid)
            .param("skey", &creds.skey),
    );
    let init =
        webwx_core::endpoint::init::parse(&common::capture("06_5_webwxinit_0.demojibaked.txt"))
            .expect("the init capture parses");
    assert_eq!(init.skey, creds.skey, "the capture holds the secret");
    let mut sync = webwx_core::endpoint::sync::parse(&common::capture(
        "wechat4u_test_response_webwxsync.json",
    ))
    .expect("the sync capture parses");
    sync.skey = creds.skey.clone();
    for (what, dbg) in [
        ("SessionCtx", format!("{ctx:?}")),
        ("UrlBuilder", format!("{url:?}")),
        ("InitResponse", format!("{init:?}")),
        ("SyncResponse", format!("{sync:?}")),
        ("pretty", format!("{init:#?} {sync:#?} {ctx:#?} {url:#?}")),
    ] {
        for secret in secrets {
            assert!(!dbg.contains(secret), "{what} shows {secret:?}: {dbg}");
        }
        assert!(dbg.contains("<redacted>"), "{what}: {dbg}");
    }
    // What is not secret is still there to debug with.
    assert!(format!("{url:?}").contains("/cgi-bin/mmwebwx-bin/webwxsync?sid="));
    assert!(format!("{init:?}").contains(&init.user.user_name));
}

/// A sender-chosen file name never names a Windows device (the superscript-digit COM/LPT
/// ports and the console devices too) and keeps no invisible character that would make two
/// names look alike.
#[test]
fn file_names_are_safe_on_every_platform() {
    use webwx_core::safe_file_name;
    for (name, want) in [
        ("COM¹", "_COM¹"),
        ("com².txt", "_com².txt"),
        ("LPT³.doc", "_LPT³.doc"),
        ("lpt¹", "_lpt¹"),
        ("CONIN$", "_CONIN$"),
        ("conout$.log", "_conout$.log"),
        ("COM1.txt", "_COM1.txt"),
        ("COM10.txt", "COM10.txt"),
        ("CONINX", "CONINX"),
        ("in\u{00AD}voice.pdf", "invoice.pdf"),
        ("a\u{2028}b\u{2029}c.txt", "abc.txt"),
        ("x\u{2060}\u{2061}\u{2062}\u{2063}\u{2064}y", "xy"),
        ("p\u{FFF9}q\u{FFFA}r\u{FFFB}s", "pqrs"),
    ] {
        assert_eq!(safe_file_name(name), want, "{name:?}");
    }
}
