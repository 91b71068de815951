//! The HTTP side of webwx-hyper against a tiny scripted server on 127.0.0.1: what reaches
//! the core, and how failures are named.

use std::time::{Duration, Instant};

use http::Request;
use webwx_core::TransportErrorKind;
use webwx_hyper::{Options, Transport};
use webwx_transport::testing;

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

#[tokio::test]
async fn redirects_reach_the_core() {
    let base = testing::server().base;
    let t = transport();
    let r = t.execute(get(&format!("{base}/moved")), T).await.unwrap();
    assert_eq!(r.status(), 301);
    let r = t
        .execute(get(&format!("{base}/moved-location")), T)
        .await
        .unwrap();
    assert_eq!(r.status(), 302, "a Location must not be followed");
}

#[tokio::test]
async fn error_statuses_are_responses() {
    let base = testing::server().base;
    let r = transport()
        .execute(get(&format!("{base}/error")), T)
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.body(), b"busy");
}

#[tokio::test]
async fn every_set_cookie_reaches_the_core() {
    let base = testing::server().base;
    let r = transport()
        .execute(get(&format!("{base}/cookies")), T)
        .await
        .unwrap();
    assert_eq!(r.headers().get_all("set-cookie").iter().count(), 2);
}

#[tokio::test]
async fn requests_go_out_as_the_core_built_them() {
    let base = testing::server().base;
    let req = Request::post(format!("{base}/cgi-bin/mmwebwx-bin/webwxinit?r=1"))
        .header("cookie", "wxuin=1; wxsid=abc")
        .header("user-agent", "Browser/1.0")
        .body(br#"{"BaseRequest":{}}"#.to_vec())
        .unwrap();
    let r = transport().execute(req, T).await.unwrap();
    let text = String::from_utf8(r.into_body()).unwrap();
    assert!(
        text.starts_with("/cgi-bin/mmwebwx-bin/webwxinit?r=1\n"),
        "{text}"
    );
    assert!(text.contains("cookie: wxuin=1; wxsid=abc"), "{text}");
    assert!(text.contains("user-agent: Browser/1.0"), "{text}");
    assert!(text.contains("host: 127.0.0.1:"), "{text}");
    assert!(text.ends_with(r#"{"BaseRequest":{}}"#), "{text}");
}

#[tokio::test]
async fn body_limit() {
    let base = testing::server().base;
    let e = transport()
        .execute(get(&format!("{base}/big")), T)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::TooLarge, "{e}");
    let big = Transport::new(
        &Options::default()
            .max_body(4 * 1024 * 1024)
            .proxy_from_env(false),
    )
    .unwrap();
    let r = big.execute(get(&format!("{base}/big")), T).await.unwrap();
    assert_eq!(r.body().len(), 2 * 1024 * 1024);
}

#[tokio::test]
async fn per_request_timeout() {
    let base = testing::server().base;
    let started = Instant::now();
    let e = transport()
        .execute(get(&format!("{base}/slow")), Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn failures_are_named() {
    let base = testing::server().base;
    let t = transport();
    let e = t
        .execute(get(&format!("{base}/reset")), T)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Reset, "{e}");
    let e = t
        .execute(get(&format!("{base}/truncate")), T)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Reset, "{e}");
    let e = t
        .execute(get(&format!("{base}/garbage-head")), T)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e.kind(),
            TransportErrorKind::Reset | TransportErrorKind::Other
        ),
        "{e}"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = t
        .execute(get(&format!("http://127.0.0.1:{port}/")), T)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Connect, "{e}");
}

#[tokio::test]
async fn long_poll_does_not_block_others() {
    let base = testing::server().base;
    let t = transport();
    let slow = {
        let t = t.clone();
        let url = format!("{base}/slow");
        tokio::spawn(async move { t.execute(get(&url), Duration::from_secs(10)).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    for _ in 0..5 {
        t.execute(get(&format!("{base}/quick")), T).await.unwrap();
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(slow.await.unwrap().unwrap().body(), b"late");
}

#[tokio::test]
async fn https_needs_a_real_certificate() {
    // TLS runs with the ring provider without a process default being installed (the
    // rustls panic of two compiled-in providers would show here); the plain-HTTP
    // scripted server fails the handshake, which is a connect failure.
    let base = testing::server().base.replace("http://", "https://");
    let e = transport()
        .execute(get(&format!("{base}/plain")), T)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Connect, "{e}");
}

/// `Proxy::Url`: every request goes through the proxy's CONNECT tunnel, with the
/// credentials of the URL; `Proxy::None` connects directly; a SOCKS URL is refused.
#[tokio::test]
async fn requests_go_through_an_http_connect_proxy() {
    use webwx_hyper::{Proxy, StartError};
    let server = testing::server();
    let proxy = testing::connect_proxy();
    let with_auth = proxy.url.replace("http://", "http://user:pw@");
    let t = Transport::new(&Options::default().proxy(Proxy::Url(with_auth))).unwrap();
    let r = t
        .execute(get(&format!("{}/through", server.base)), T)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(String::from_utf8_lossy(r.body()).starts_with("/through"));
    let tunnels = proxy.tunnels();
    let target = server.base.trim_start_matches("http://");
    assert_eq!(tunnels.len(), 1, "{tunnels:?}");
    assert_eq!(tunnels[0].0, target);
    assert_eq!(tunnels[0].1.as_deref(), Some("Basic dXNlcjpwdw=="));
    let direct = Transport::new(&Options::default().proxy(Proxy::None)).unwrap();
    direct
        .execute(get(&format!("{}/direct", server.base)), T)
        .await
        .unwrap();
    assert_eq!(proxy.tunnels().len(), 1, "not through the proxy");
    let e = Transport::new(&Options::default().proxy(Proxy::Url("socks5://127.0.0.1:1".into())))
        .unwrap_err();
    assert!(matches!(e, StartError::Proxy(_)), "{e}");
}
