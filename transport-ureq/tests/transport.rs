//! The HTTP side of webwx-ureq against a tiny scripted server on 127.0.0.1: what reaches
//! the core, and how failures are named.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use http::Request;
use webwx_core::TransportErrorKind;
use webwx_ureq::{Options, Transport};

/// A request as the scripted server saw it.
struct Seen {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut line = String::new();
    stream.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        stream.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    stream.read_exact(&mut body).ok()?;
    Some(Seen {
        path,
        headers,
        body,
    })
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.write_all(body);
}

/// Serves every connection on its own thread; answers by path.
fn server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            std::thread::spawn(move || serve(conn));
        }
    });
    format!("http://{addr}")
}

fn serve(conn: TcpStream) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut conn = conn;
    while let Some(req) = read_request(&mut reader) {
        match req.path.as_str() {
            "/moved" => respond(&mut conn, "301 Moved Permanently", &[], b""),
            "/moved-location" => respond(&mut conn, "302 Found", &[("Location", "/echo")], b""),
            "/error" => respond(&mut conn, "503 Service Unavailable", &[], b"busy"),
            "/cookies" => respond(
                &mut conn,
                "200 OK",
                &[
                    ("Set-Cookie", "wxuin=1; Domain=wx.qq.com; Path=/"),
                    ("Set-Cookie", "wxsid=abc; Domain=wx.qq.com; Path=/"),
                ],
                b"ok",
            ),
            "/big" => respond(&mut conn, "200 OK", &[], &vec![b'x'; 2 * 1024 * 1024]),
            "/slow" => {
                std::thread::sleep(Duration::from_millis(1500));
                respond(&mut conn, "200 OK", &[], b"late");
            }
            "/reset" => {
                // Drop the socket with unread bytes in the receive buffer: the kernel
                // answers with RST.
                let _ = conn.shutdown(std::net::Shutdown::Both);
                return;
            }
            "/truncate" => {
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
                return;
            }
            "/garbage-head" => {
                let _ = conn.write_all(b"NOT HTTP AT ALL\r\n\r\n");
                return;
            }
            _ => {
                let mut echo = format!("{}\n", req.path);
                for (k, v) in &req.headers {
                    echo.push_str(&format!("{k}: {v}\n"));
                }
                let mut body = echo.into_bytes();
                body.extend_from_slice(b"\n");
                body.extend_from_slice(&req.body);
                respond(&mut conn, "200 OK", &[], &body);
            }
        }
    }
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
    );
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
