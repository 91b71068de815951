//! The browser relay on 127.0.0.1, in front of a scripted local upstream (never the
//! internet): the mapping, CORS, and the allowlist.

use std::time::Duration;

use http::Request;
use webwx_hyper::relay::{RelayOptions, serve};
use webwx_hyper::{Options, Transport};
use webwx_transport::testing;

/// Starts a relay whose upstream is `upstream`; returns its base URL.
async fn relay(upstream: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let opts = RelayOptions::default().upstream_override(Some(upstream));
    tokio::spawn(serve(listener, opts));
    format!("http://{addr}")
}

fn client() -> Transport {
    Transport::new(&Options::default()).unwrap()
}

const T: Duration = Duration::from_secs(5);

#[tokio::test]
async fn relays_the_real_request_and_renames_headers_back() {
    let up = testing::server();
    let base = relay(&up.base).await;
    let req = Request::post(format!(
        "{base}/webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1&skey=%40c"
    ))
    .header("x-wx-cookie", "wxuin=1; wxsid=abc")
    .header("x-wx-referer", "https://wx2.qq.com/")
    .header("x-wx-user-agent", "Browser/1.0")
    .header("origin", "http://localhost:3000")
    .header("sec-fetch-mode", "cors")
    .header("extspam", "blob")
    .body(b"payload".to_vec())
    .unwrap();
    let r = client().execute(req, T).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let text = String::from_utf8(r.into_body()).unwrap();
    assert!(
        text.starts_with("/cgi-bin/mmwebwx-bin/synccheck?r=1&skey=%40c\n"),
        "{text}"
    );
    assert!(text.contains("host: webpush.wx2.qq.com\n"), "{text}");
    assert!(text.contains("cookie: wxuin=1; wxsid=abc\n"), "{text}");
    assert!(text.contains("referer: https://wx2.qq.com/\n"), "{text}");
    assert!(text.contains("user-agent: Browser/1.0\n"), "{text}");
    assert!(text.contains("extspam: blob\n"), "{text}");
    assert!(!text.contains("x-wx-"), "{text}");
    assert!(!text.contains("origin:"), "{text}");
    assert!(!text.contains("sec-fetch"), "{text}");
    assert!(text.ends_with("\npayload"), "{text}");
}

#[tokio::test]
async fn set_cookie_is_copied_for_the_browser() {
    let up = testing::server();
    let base = relay(&up.base).await;
    let r = client()
        .execute(
            Request::get(format!("{base}/wx.qq.com/cookies"))
                .body(Vec::new())
                .unwrap(),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r.headers().get_all("x-wx-set-cookie").iter().count(), 2);
    let expose = r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(expose.contains("x-wx-set-cookie"), "{expose}");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    // The core reads them back from there when Set-Cookie is hidden.
    let mut h = r.headers().clone();
    h.remove("set-cookie");
    assert_eq!(webwx_core::relay::set_cookies(&h).len(), 2);
}

#[tokio::test]
async fn statuses_pass_through() {
    let up = testing::server();
    let base = relay(&up.base).await;
    let get = |p: &str| {
        Request::get(format!("{base}/wx.qq.com{p}"))
            .body(Vec::new())
            .unwrap()
    };
    let r = client().execute(get("/moved"), T).await.unwrap();
    assert_eq!(r.status(), 301);
    let r = client().execute(get("/error"), T).await.unwrap();
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn preflight_is_answered() {
    let up = testing::server();
    let base = relay(&up.base).await;
    let req = Request::options(format!("{base}/wx.qq.com/cgi-bin/mmwebwx-bin/webwxinit"))
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, x-wx-cookie",
        )
        .body(Vec::new())
        .unwrap();
    let r = client().execute(req, T).await.unwrap();
    assert_eq!(r.status(), 204);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "http://localhost:3000");
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert_eq!(
        h["access-control-allow-headers"],
        "content-type, x-wx-cookie"
    );
    assert_eq!(up.served(), 0, "a preflight never reaches upstream");
}

#[tokio::test]
async fn never_an_open_proxy() {
    let up = testing::server();
    let base = relay(&up.base).await;
    for path in [
        "/example.com/",
        "/evilqq.com/x",
        "/wx.qq.com.evil.net/x",
        "/qq.com/",
        "/127.0.0.1/x",
        "/localhost/x",
        "/wx.qq.com:8080/x",
        "/",
        "/%77x.qq.com/",
    ] {
        let r = client()
            .execute(
                Request::get(format!("{base}{path}"))
                    .body(Vec::new())
                    .unwrap(),
                T,
            )
            .await
            .unwrap();
        assert!(
            r.status() == 403 || r.status() == 400,
            "{path}: {}",
            r.status()
        );
        assert!(r.headers().contains_key("x-wx-relay-error"), "{path}");
    }
    let r = client()
        .execute(
            Request::options(format!("{base}/example.com/"))
                .header("access-control-request-method", "GET")
                .body(Vec::new())
                .unwrap(),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        up.served(),
        0,
        "nothing outside the allowlist reached upstream"
    );
}

#[tokio::test]
async fn upstream_failures_are_gateway_errors() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = relay(&format!("http://127.0.0.1:{port}")).await;
    let r = client()
        .execute(
            Request::get(format!("{base}/wx.qq.com/"))
                .body(Vec::new())
                .unwrap(),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(r.headers()["x-wx-relay-error"], "connect");
}

#[tokio::test]
async fn default_listen_is_loopback() {
    assert!(RelayOptions::default().listen.ip().is_loopback());
}

#[tokio::test]
async fn idle_and_slow_connections_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let opts = RelayOptions::default()
        .upstream_override(Some("http://127.0.0.1:9"))
        .header_timeout(Duration::from_millis(200));
    tokio::spawn(serve(listener, opts));
    // A client that opens a connection and sends half a request line, then nothing.
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET /wx.qq.com/ HT").await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(T, conn.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the relay kept a stalled connection open");
}
