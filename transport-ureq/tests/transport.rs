//! The HTTP side of webwx-ureq against a tiny scripted server on 127.0.0.1: what reaches
//! the core, and how failures are named.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use http::Request;
use webwx_core::TransportErrorKind;
use webwx_ureq::{Options, Transport};

/// The scripted server's base URL.
fn server() -> String {
    webwx_transport::testing::server().base
}

fn get(url: &str) -> Request<Vec<u8>> {
    Request::get(url).body(Vec::new()).unwrap()
}

fn transport() -> Transport {
    Transport::new(
        &Options::default()
            .max_body(1024 * 1024)
            .proxy_from_env(false),
    )
    .unwrap()
}

const T: Duration = Duration::from_secs(5);

#[test]
fn redirects_reach_the_core() {
    let base = server();
    let t = transport();
    let r = t.execute(get(&format!("{base}/moved")), T).unwrap();
    assert_eq!(r.status(), 301);
    let r = t
        .execute(get(&format!("{base}/moved-location")), T)
        .unwrap();
    assert_eq!(r.status(), 302, "a Location must not be followed");
    assert_eq!(r.headers()["location"], "/echo");
}

#[test]
fn error_statuses_are_responses() {
    let base = server();
    let r = transport()
        .execute(get(&format!("{base}/error")), T)
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.body(), b"busy");
}

#[test]
fn every_set_cookie_reaches_the_core() {
    let base = server();
    let r = transport()
        .execute(get(&format!("{base}/cookies")), T)
        .unwrap();
    let cookies: Vec<_> = r.headers().get_all("set-cookie").iter().collect();
    assert_eq!(cookies.len(), 2);
}

#[test]
fn requests_go_out_as_the_core_built_them() {
    let base = server();
    let req = Request::post(format!("{base}/cgi-bin/mmwebwx-bin/webwxinit?r=1"))
        .header("cookie", "wxuin=1; wxsid=abc")
        .header("user-agent", "Browser/1.0")
        .header("content-type", "application/json;charset=UTF-8")
        .body(br#"{"BaseRequest":{}}"#.to_vec())
        .unwrap();
    let r = transport().execute(req, T).unwrap();
    let text = String::from_utf8(r.into_body()).unwrap();
    assert!(
        text.starts_with("/cgi-bin/mmwebwx-bin/webwxinit?r=1\n"),
        "{text}"
    );
    assert!(text.contains("cookie: wxuin=1; wxsid=abc"), "{text}");
    assert!(text.contains("user-agent: Browser/1.0"), "{text}");
    assert!(!text.contains("ureq"), "no ureq User-Agent: {text}");
    assert!(!text.contains("accept-encoding"), "{text}");
    assert!(text.ends_with(r#"{"BaseRequest":{}}"#), "{text}");
    // A GET carries no body and no Content-Length.
    let r = transport()
        .execute(get(&format!("{base}/plain")), T)
        .unwrap();
    let text = String::from_utf8(r.into_body()).unwrap();
    assert!(!text.contains("content-length"), "{text}");
}

#[test]
fn body_limit() {
    let base = server();
    let e = transport()
        .execute(get(&format!("{base}/big")), T)
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::TooLarge, "{e}");
    let big = Transport::new(
        &Options::default()
            .max_body(4 * 1024 * 1024)
            .proxy_from_env(false),
    )
    .unwrap();
    let r = big.execute(get(&format!("{base}/big")), T).unwrap();
    assert_eq!(r.body().len(), 2 * 1024 * 1024);
}

#[test]
fn per_request_timeout() {
    let base = server();
    let started = Instant::now();
    let e = transport()
        .execute(get(&format!("{base}/slow")), Duration::from_millis(300))
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn failures_are_named() {
    let base = server();
    let t = transport();
    let e = t.execute(get(&format!("{base}/reset")), T).unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Reset, "{e}");
    let e = t.execute(get(&format!("{base}/truncate")), T).unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Reset, "{e}");
    let e = t
        .execute(get(&format!("{base}/garbage-head")), T)
        .unwrap_err();
    assert!(
        matches!(
            e.kind(),
            TransportErrorKind::Reset | TransportErrorKind::Other
        ),
        "{e}"
    );
    // Nothing listens on a port just released.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = t
        .execute(get(&format!("http://127.0.0.1:{port}/")), T)
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Connect, "{e}");
}

#[test]
fn long_poll_does_not_block_others() {
    let base = server();
    let t = transport();
    let slow = {
        let t = t.clone();
        let url = format!("{base}/slow");
        std::thread::spawn(move || t.execute(get(&url), Duration::from_secs(10)))
    };
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    for _ in 0..5 {
        t.execute(get(&format!("{base}/quick")), T).unwrap();
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(slow.join().unwrap().unwrap().body(), b"late");
}

/// `Proxy::Url`: every request goes through the proxy's CONNECT tunnel, with the
/// credentials of the URL (the same test as webwx-hyper's); a SOCKS URL is refused.
#[test]
fn requests_go_through_an_http_connect_proxy() {
    use webwx_ureq::{Proxy, StartError};
    let server = webwx_transport::testing::server();
    let proxy = webwx_transport::testing::connect_proxy();
    let with_auth = proxy.url.replace("http://", "http://user:pw@");
    let t = Transport::new(&Options::default().proxy(Proxy::Url(with_auth))).unwrap();
    let r = t
        .execute(get(&format!("{}/through", server.base)), T)
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(String::from_utf8_lossy(r.body()).starts_with("/through"));
    let tunnels = proxy.tunnels();
    let target = server.base.trim_start_matches("http://");
    assert_eq!(tunnels.len(), 1, "{tunnels:?}");
    assert_eq!(tunnels[0].0, target);
    assert_eq!(tunnels[0].1.as_deref(), Some("Basic dXNlcjpwdw=="));
    let e = Transport::new(&Options::default().proxy(Proxy::Url("socks5://127.0.0.1:1".into())))
        .unwrap_err();
    assert!(matches!(e, StartError::Proxy(_)), "{e}");
}
