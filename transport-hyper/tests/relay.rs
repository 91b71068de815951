//! The browser relay on 127.0.0.1, in front of scripted local upstreams (never the
//! internet): the mapping, and each hardening a relay left running on someone's machine
//! needs — relayed answers cannot act as pages, requests must come from a relay-mode
//! client, the browser's own credentials stay home, CORS only for listed origins, the
//! `Host` must name the relay, no dot segments, bounded bodies, connections and time.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http::Request;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use webwx_hyper::relay::{RelayOptions, serve};
use webwx_hyper::{Options, Transport};
use webwx_transport::testing;

/// Starts a relay with `opts`; returns its `127.0.0.1:PORT`.
async fn start(opts: RelayOptions) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, opts));
    addr.to_string()
}

/// Starts a relay whose upstream is `upstream`; returns its base URL.
async fn relay(upstream: &str) -> String {
    let addr = start(RelayOptions::default().upstream_override(Some(upstream))).await;
    format!("http://{addr}")
}

fn client() -> Transport {
    Transport::new(&Options::default().proxy_from_env(false)).unwrap()
}

const T: Duration = Duration::from_secs(5);

/// A request as a relay-mode client sends it (`x-wx-relay: 1`).
fn relayed(method: &str, url: String) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(url)
        .header("x-wx-relay", "1")
}

/// One raw HTTP/1.1 exchange (`request` is sent as is; it should ask `Connection:
/// close`): the status, the header block in lower case, the body.
async fn raw(addr: &str, request: &str) -> (u16, String, Vec<u8>) {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(T, conn.read_to_end(&mut buf))
        .await
        .expect("the relay answered in time")
        .unwrap();
    split(&buf)
}

fn split(buf: &[u8]) -> (u16, String, Vec<u8>) {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = buf.get(end + 4..).unwrap_or_default().to_vec();
    (status, head, body)
}

/// An upstream on 127.0.0.1 that answers every request with `response` (raw bytes) and
/// counts the requests it read.
fn canned(response: &'static [u8]) -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if conn.read(&mut byte).unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = conn.write_all(response);
            });
        }
    });
    (base, count)
}

#[tokio::test]
async fn relays_the_real_request_and_renames_headers_back() {
    let up = testing::server();
    let base = relay(&up.base).await;
    let req = relayed(
        "POST",
        format!("{base}/webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1&skey=%40c"),
    )
    .header("x-wx-cookie", "wxuin=1; wxsid=abc")
    .header("x-wx-referer", "https://wx2.qq.com/")
    .header("x-wx-user-agent", "Browser/1.0")
    .header("sec-fetch-mode", "cors")
    .header("extspam", "blob")
    .body(b"payload".to_vec())
    .unwrap();
    let r = client().execute(req, T).await.unwrap();
    assert_eq!(r.status(), 200);
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

/// The browser's own `Cookie` (of every other service on 127.0.0.1: cookies ignore
/// ports), `Authorization`, `Referer` and `User-Agent` never travel upstream: only the
/// renamed ones do, once each.
#[tokio::test]
async fn the_browsers_own_credentials_never_go_upstream() {
    let up = testing::server();
    let base = relay(&up.base).await;
    let req = relayed(
        "POST",
        format!("{base}/wx.qq.com/cgi-bin/mmwebwx-bin/webwxinit"),
    )
    .header("cookie", "grafana_session=secret")
    .header("authorization", "Basic c2VjcmV0")
    .header("referer", "http://127.0.0.1:8787/index.html")
    .header("user-agent", "Mozilla/5.0 HeadlessChrome")
    .header("forwarded", "for=10.1.2.3")
    .header("x-forwarded-for", "10.1.2.3")
    .header("proxy-authorization", "Basic c2VjcmV0")
    .header("x-wx-cookie", "wxuin=1; wxsid=abc")
    .header("x-wx-referer", "https://wx.qq.com/")
    .header("x-wx-user-agent", "UA")
    .header("content-type", "application/json;charset=UTF-8")
    .body(b"{}".to_vec())
    .unwrap();
    let r = client().execute(req, T).await.unwrap();
    assert_eq!(r.status(), 200);
    let text = String::from_utf8(r.into_body()).unwrap();
    let head = text.split("\n\n").next().unwrap();
    let lines: Vec<&str> = head.lines().skip(1).collect();
    let named = |n: &str| {
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("{n}:")))
            .count()
    };
    assert_eq!(named("cookie"), 1, "{text}");
    assert!(lines.contains(&"cookie: wxuin=1; wxsid=abc"), "{text}");
    assert_eq!(named("referer"), 1, "{text}");
    assert!(lines.contains(&"referer: https://wx.qq.com/"), "{text}");
    assert_eq!(named("user-agent"), 1, "{text}");
    assert!(lines.contains(&"user-agent: UA"), "{text}");
    for gone in [
        "secret",
        "authorization",
        "forwarded",
        "10.1.2.3",
        "HeadlessChrome",
        "127.0.0.1:8787",
    ] {
        assert!(!text.contains(gone), "{gone} reached upstream:\n{text}");
    }
}

/// Any HTML on an allowed host would otherwise render as a page of the relay's origin
/// (127.0.0.1, whose cookies every local service shares): every relayed answer is a
/// sandboxed, unsniffable document, without upstream's `Set-Cookie` or other
/// browser-state headers.
#[tokio::test]
async fn relayed_answers_cannot_act_as_pages_of_the_relay() {
    let (upstream, _) = canned(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSet-Cookie: a=1; Path=/\r\n\
          Clear-Site-Data: \"*\"\r\nRefresh: 0; url=https://evil.example/\r\n\
          Access-Control-Allow-Origin: *\r\nContent-Security-Policy: default-src *\r\n\
          Content-Length: 30\r\n\r\n<script>alert(document.cookie)",
    );
    let base = relay(&upstream).await;
    let r = client()
        .execute(
            relayed("GET", format!("{base}/wx.qq.com/page"))
                .body(Vec::new())
                .unwrap(),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(
        h["content-security-policy"], "sandbox; default-src 'none'",
        "{h:?}"
    );
    assert_eq!(h.get_all("content-security-policy").iter().count(), 1);
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.get("set-cookie").is_none(), "{h:?}");
    assert_eq!(h["x-wx-set-cookie"], "a=1; Path=/");
    for gone in ["clear-site-data", "refresh", "access-control-allow-origin"] {
        assert!(h.get(gone).is_none(), "{gone}: {h:?}");
    }
    // The relay's own refusals carry them too.
    let r = client()
        .execute(
            relayed("GET", format!("{base}/example.com/"))
                .body(Vec::new())
                .unwrap(),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.headers()["content-security-policy"],
        "sandbox; default-src 'none'"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

/// Link clicks, `<img>` loads and form posts cannot add `x-wx-relay: 1`: refused with
/// 403 before anything reaches upstream.
#[tokio::test]
async fn requests_without_the_relay_header_are_refused() {
    let up = testing::server();
    let base = relay(&up.base).await;
    let attempts = [
        // A link click or a navigation.
        Request::get(format!("{base}/wx.qq.com/cgi-bin/mmwebwx-bin/webwxgeticon"))
            .header("accept", "text/html")
            .header("sec-fetch-mode", "navigate"),
        // An <img>.
        Request::get(format!("{base}/login.weixin.qq.com/qrcode/abc=="))
            .header("accept", "image/avif,image/webp,*/*"),
        // A form post.
        Request::post(format!("{base}/wx.qq.com/cgi-bin/mmwebwx-bin/webwxsendmsg"))
            .header("content-type", "application/x-www-form-urlencoded"),
        // A wrong value.
        Request::get(format!("{base}/wx.qq.com/")).header("x-wx-relay", "yes"),
    ];
    for req in attempts {
        let r = client()
            .execute(req.body(Vec::new()).unwrap(), T)
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(r.headers()["x-wx-relay-error"], "not-relay-mode");
    }
    assert_eq!(up.served(), 0, "nothing reached upstream");
}

#[tokio::test]
async fn set_cookie_is_only_renamed_for_the_browser() {
    let up = testing::server();
    let base = relay(&up.base).await;
    let r = client()
        .execute(
            relayed("GET", format!("{base}/wx.qq.com/cookies"))
                .body(Vec::new())
                .unwrap(),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r.headers().get_all("x-wx-set-cookie").iter().count(), 2);
    assert!(r.headers().get("set-cookie").is_none());
    // The core reads them back from there.
    assert_eq!(webwx_core::relay::set_cookies(r.headers()).len(), 2);
    // No Origin, no CORS: never a wildcard.
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn statuses_pass_through() {
    let up = testing::server();
    let base = relay(&up.base).await;
    let get = |p: &str| {
        relayed("GET", format!("{base}/wx.qq.com{p}"))
            .body(Vec::new())
            .unwrap()
    };
    let r = client().execute(get("/moved"), T).await.unwrap();
    assert_eq!(r.status(), 301);
    let r = client().execute(get("/error"), T).await.unwrap();
    assert_eq!(r.status(), 503);
}

/// CORS answers only the listed origins (exactly, never `*`), with `Vary: Origin`; any
/// other origin is refused, preflight or not. By default only the relay's own origin.
#[tokio::test]
async fn cors_answers_only_the_listed_origins() {
    let up = testing::server();
    let addr = start(
        RelayOptions::default()
            .upstream_override(Some(&up.base))
            .cors_origins(["http://localhost:3000"]),
    )
    .await;
    let base = format!("http://{addr}");
    let preflight = |origin: &str| {
        Request::options(format!("{base}/wx.qq.com/cgi-bin/mmwebwx-bin/webwxinit"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, x-wx-cookie, x-wx-relay",
            )
            .body(Vec::new())
            .unwrap()
    };
    let r = client()
        .execute(preflight("http://localhost:3000"), T)
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "http://localhost:3000");
    let allowed = h["access-control-allow-headers"].to_str().unwrap();
    for name in [
        "content-type",
        "x-wx-cookie",
        "x-wx-referer",
        "x-wx-user-agent",
        "x-wx-relay",
        "extspam",
        "client-version",
    ] {
        assert!(allowed.contains(name), "{name}: {allowed}");
    }
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert!(
        h["vary"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("origin")
    );

    let r = client()
        .execute(preflight("http://evil.example"), T)
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());

    let get = |origin: &str| {
        relayed("GET", format!("{base}/wx.qq.com/x"))
            .header("origin", origin)
            .body(Vec::new())
            .unwrap()
    };
    let r = client()
        .execute(get("http://localhost:3000"), T)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "http://localhost:3000");
    let expose = h["access-control-expose-headers"].to_str().unwrap();
    assert!(expose.contains("x-wx-set-cookie"), "{expose}");
    assert!(
        h["vary"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("origin")
    );

    let r = client()
        .execute(get("http://evil.example"), T)
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["x-wx-relay-error"], "origin-not-allowed");
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(
        up.served(),
        1,
        "only the listed origin's request went upstream"
    );

    // Defaults: the relay's own origin (a page it serves) needs no CORS; others are refused.
    let addr = start(RelayOptions::default().upstream_override(Some(&up.base))).await;
    let base = format!("http://{addr}");
    let r = client()
        .execute(
            relayed("POST", format!("{base}/wx.qq.com/x"))
                .header("origin", format!("http://{addr}"))
                .body(Vec::new())
                .unwrap(),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for other in ["http://localhost:3000", "null", "http://evil.example"] {
        let r = client()
            .execute(
                relayed("POST", format!("{base}/wx.qq.com/x"))
                    .header("origin", other)
                    .body(Vec::new())
                    .unwrap(),
                T,
            )
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{other}");
        assert!(r.headers().get("access-control-allow-origin").is_none());
    }
}

/// DNS rebinding: a page of `http://evil.example:PORT` whose name now resolves to
/// 127.0.0.1 is same-origin with itself, not with the relay: its requests name
/// `evil.example:PORT` in `Host`, and are refused.
#[tokio::test]
async fn the_host_header_must_name_the_relay() {
    let up = testing::server();
    let addr = start(
        RelayOptions::default()
            .upstream_override(Some(&up.base))
            .accept_hosts(["relay.home.arpa"]),
    )
    .await;
    let port = addr.rsplit(':').next().unwrap().to_owned();
    let ask = |host: Option<String>| {
        let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        format!("GET /wx.qq.com/x HTTP/1.1\r\n{host}x-wx-relay: 1\r\nConnection: close\r\n\r\n")
    };
    for bad in [
        Some(format!("evil.example:{port}")),
        Some("evil.example".to_owned()),
        Some("127.0.0.1".to_owned()),
        Some("127.0.0.1:1".to_owned()),
        Some(format!("localhost.evil.example:{port}")),
        Some(format!("127.0.0.2:{port}")),
        None,
    ] {
        let (status, head, _) = raw(&addr, &ask(bad.clone())).await;
        assert_eq!(status, 421, "{bad:?}: {head}");
        assert!(head.contains("x-wx-relay-error: bad-host"), "{head}");
    }
    assert_eq!(up.served(), 0);
    for good in [
        addr.clone(),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
        format!("relay.home.arpa:{port}"),
    ] {
        let (status, head, _) = raw(&addr, &ask(Some(good.clone()))).await;
        assert_eq!(status, 200, "{good}: {head}");
    }
}

#[tokio::test]
async fn dot_segments_are_refused() {
    let up = testing::server();
    let base = relay(&up.base).await;
    let addr = base.trim_start_matches("http://").to_owned();
    for path in [
        "/wx.qq.com/../x",
        "/wx.qq.com/cgi-bin/../../x",
        "/wx.qq.com/%2e%2e/x",
        "/wx.qq.com/%2E%2e/x",
        "/wx.qq.com/.%2E/x",
        "/wx.qq.com/./x",
        "/wx.qq.com/a%2F..%2Fb",
        "/wx.qq.com/a%5c..%5cb",
    ] {
        let (status, head, _) = raw(
            &addr,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: {addr}\r\nx-wx-relay: 1\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert_eq!(status, 400, "{path}: {head}");
        assert!(head.contains("x-wx-relay-error: bad-path"), "{head}");
    }
    assert_eq!(up.served(), 0);
}

/// A client that sends its headers and then trickles (or stops sending) its body is cut
/// off after `body_timeout` with 408, its connection closed.
#[tokio::test]
async fn slow_request_bodies_are_cut_off() {
    let up = testing::server();
    let addr = start(
        RelayOptions::default()
            .upstream_override(Some(&up.base))
            .body_timeout(Duration::from_millis(300)),
    )
    .await;
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    conn.write_all(
        format!(
            "POST /wx.qq.com/x HTTP/1.1\r\nHost: {addr}\r\nx-wx-relay: 1\r\n\
             Content-Length: 1000\r\n\r\nten bytes."
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = Vec::new();
    // Generous: the relay must answer after 300 ms; 5 s leaves room for a loaded machine.
    tokio::time::timeout(T, conn.read_to_end(&mut buf))
        .await
        .expect("the relay kept a stalled body open")
        .unwrap();
    let (status, head, _) = split(&buf);
    assert_eq!(status, 408, "{head}");
    assert!(head.contains("x-wx-relay-error: body-timeout"), "{head}");
    assert_eq!(up.served(), 0);
}

#[tokio::test]
async fn request_bodies_are_capped() {
    let up = testing::server();
    let addr = start(
        RelayOptions::default()
            .upstream_override(Some(&up.base))
            .max_request_body(1024),
    )
    .await;
    let base = format!("http://{addr}");
    let r = client()
        .execute(
            relayed("POST", format!("{base}/wx.qq.com/x"))
                .body(vec![b'x'; 2048])
                .unwrap(),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["x-wx-relay-error"], "too-large");
    let r = client()
        .execute(
            relayed("POST", format!("{base}/wx.qq.com/x"))
                .body(vec![b'x'; 1024])
                .unwrap(),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(up.served(), 1);
}

/// Past `max_connections`, new connections wait in the listen queue (never an unbounded
/// number of tasks and buffers) and are served as soon as a connection closes.
#[tokio::test]
async fn connections_are_capped() {
    let up = testing::server();
    let addr = start(
        RelayOptions::default()
            .upstream_override(Some(&up.base))
            .max_connections(2),
    )
    .await;
    let ask = format!("GET /wx.qq.com/x HTTP/1.1\r\nHost: {addr}\r\nx-wx-relay: 1\r\n\r\n");
    // Two connections in use (each answered once, kept alive).
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut c = tokio::net::TcpStream::connect(&addr).await.unwrap();
        c.write_all(ask.as_bytes()).await.unwrap();
        let mut b = [0u8; 12];
        tokio::time::timeout(T, c.read_exact(&mut b))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&b, b"HTTP/1.1 200");
        held.push(c);
    }
    // A third is not served while they stay open.
    let mut third = tokio::net::TcpStream::connect(&addr).await.unwrap();
    third.write_all(ask.as_bytes()).await.unwrap();
    let mut b = [0u8; 12];
    // A negative wait: on a loaded machine it may prove less, it never fails wrongly.
    let early = tokio::time::timeout(Duration::from_millis(300), third.read_exact(&mut b)).await;
    assert!(early.is_err(), "a third connection was served past the cap");
    // One closes: the third is served.
    drop(held.pop());
    tokio::time::timeout(T, third.read_exact(&mut b))
        .await
        .expect("served once a connection closed")
        .unwrap();
    assert_eq!(&b, b"HTTP/1.1 200");
}

/// A large answer is streamed: the browser gets its first bytes before upstream sent the
/// rest, and the relay never holds the whole body.
#[tokio::test]
async fn answers_are_streamed() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = format!("http://{}", listener.local_addr().unwrap());
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let (mut c, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            c.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        c.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 20\r\n\r\nfirst-half",
        )
        .await
        .unwrap();
        let _ = go_rx.await;
        c.write_all(b"secondhalf").await.unwrap();
        let _ = c.read(&mut byte).await;
    });
    let addr = start(RelayOptions::default().upstream_override(Some(&upstream))).await;
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    conn.write_all(
        format!("GET /file.wx.qq.com/v HTTP/1.1\r\nHost: {addr}\r\nx-wx-relay: 1\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut got = Vec::new();
    let mut chunk = [0u8; 1024];
    while !got.ends_with(b"first-half") {
        let n = tokio::time::timeout(T, conn.read(&mut chunk))
            .await
            .expect("the first half arrived before upstream sent the second")
            .unwrap();
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&chunk[..n]);
    }
    let _ = go_tx.send(());
    tokio::time::timeout(T, conn.read_to_end(&mut got))
        .await
        .unwrap()
        .unwrap();
    let (status, head, body) = split(&got);
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-length: 20"), "{head}");
    assert_eq!(body, b"first-halfsecondhalf");
}

/// An answer over `max_body` is refused (when its length is announced) or cut.
#[tokio::test]
async fn answers_are_capped() {
    let up = testing::server();
    let addr = start(
        RelayOptions::default()
            .upstream_override(Some(&up.base))
            .max_body(1024 * 1024),
    )
    .await;
    let r = client()
        .execute(
            relayed("GET", format!("http://{addr}/file.wx.qq.com/big"))
                .body(Vec::new())
                .unwrap(),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(r.headers()["x-wx-relay-error"], "too-large");
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
        // Under qq.com, but not a host of the domain table.
        "/evil.qq.com/x",
        "/mp.weixin.qq.com/x",
    ] {
        let r = client()
            .execute(
                relayed("GET", format!("{base}{path}"))
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
            relayed("GET", format!("{base}/wx.qq.com/"))
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

/// `static_dir`: the page and its files from the relay's own origin, without
/// `x-wx-relay`; the right types, no sniffing, no listing, nothing outside the folder.
#[tokio::test]
async fn static_files_are_served_safely() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("index.html"), "<!doctype html><p>hi").unwrap();
    std::fs::write(root.join("app.js"), "export const x = 1;").unwrap();
    std::fs::write(root.join("webwx_wasm_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(root.join("style.css"), "p{}").unwrap();
    std::fs::write(root.join("sub/data.json"), "{}").unwrap();
    std::fs::write(root.join(".env"), "SECRET=1").unwrap();
    std::fs::write(dir.path().join("outside.txt"), "outside").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("outside.txt"), root.join("link.txt")).unwrap();

    let up = testing::server();
    let addr = start(
        RelayOptions::default()
            .upstream_override(Some(&up.base))
            .static_dir(Some(root.clone())),
    )
    .await;
    let get = |path: &str| {
        let addr = addr.clone();
        let path = path.to_owned();
        async move {
            raw(
                &addr,
                &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
            )
            .await
        }
    };
    for (path, ty, body) in [
        ("/", "text/html", &b"<!doctype html><p>hi"[..]),
        ("/index.html", "text/html", b"<!doctype html><p>hi"),
        ("/app.js", "javascript", b"export const x = 1;"),
        (
            "/webwx_wasm_bg.wasm",
            "application/wasm",
            b"\0asm\x01\0\0\0",
        ),
        ("/style.css", "text/css", b"p{}"),
        ("/sub/data.json", "application/json", b"{}"),
        ("/app.js?v=2", "javascript", b"export const x = 1;"),
    ] {
        let (status, head, got) = get(path).await;
        assert_eq!(status, 200, "{path}: {head}");
        let ct = head
            .lines()
            .find_map(|l| l.strip_prefix("content-type: "))
            .unwrap_or_default();
        assert!(ct.contains(ty), "{path}: {ct}");
        assert!(head.contains("x-content-type-options: nosniff"), "{head}");
        assert_eq!(got, body, "{path}");
    }
    // No listing, no hidden files, nothing beside or above the folder.
    for path in ["/sub/", "/sub", "/.env", "/missing.html", "/link.txt"] {
        let (status, head, got) = get(path).await;
        assert_eq!(status, 404, "{path}: {head}");
        assert!(!String::from_utf8_lossy(&got).contains("outside"), "{path}");
        assert!(
            !String::from_utf8_lossy(&got).contains("data.json"),
            "{path}"
        );
    }
    for path in [
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/sub/..%2F..%2Foutside.txt",
    ] {
        let (status, head, got) = get(path).await;
        assert_eq!(status, 400, "{path}: {head}");
        assert!(!String::from_utf8_lossy(&got).contains("outside"), "{path}");
    }
    // Only GET and HEAD.
    let (status, _, _) = raw(
        &addr,
        &format!("POST /index.html HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 405);
    // The relay beside it still wants its header.
    let (status, _, _) = get("/wx.qq.com/x").await;
    assert_eq!(status, 403);
    assert_eq!(up.served(), 0);
}
