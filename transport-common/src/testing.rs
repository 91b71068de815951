//! A tiny scripted HTTP/1.1 server on 127.0.0.1 (std threads), answering by path, for
//! the drivers' own tests (feature `testing`).
//!
//! | path | answer |
//! | --- | --- |
//! | `/moved` | a bare 301 |
//! | `/moved-location` | a 302 to `/echo` |
//! | `/error` | 503 `busy` |
//! | `/cookies` | 200 with two `Set-Cookie` |
//! | `/big` | 2 MiB of `x` |
//! | `/slow` | `late` after 1.5 s |
//! | `/reset` | the connection reset |
//! | `/truncate` | a body shorter than its `Content-Length` |
//! | `/garbage-head` | not HTTP at all |
//! | anything else | the request line's path, the headers (`name: value`, lower case), a blank line and the body |

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A running scripted server.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Requests it has read.
    pub served: Arc<AtomicUsize>,
}

impl Server {
    /// Requests read so far.
    pub fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}

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
pub fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let count = count.clone();
            std::thread::spawn(move || serve(conn, &count));
        }
    });
    Server {
        base: format!("http://{addr}"),
        served,
    }
}

fn serve(conn: TcpStream, served: &AtomicUsize) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut conn = conn;
    while let Some(req) = read_request(&mut reader) {
        served.fetch_add(1, Ordering::SeqCst);
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

/// The tunnels a [`ConnectProxy`] opened: (`host:port`, `Proxy-Authorization` if any).
type Tunnels = Arc<std::sync::Mutex<Vec<(String, Option<String>)>>>;

/// An HTTP `CONNECT` proxy on 127.0.0.1 (std threads) for the drivers' proxy tests: it
/// tunnels to any target and remembers each tunnel's target and `Proxy-Authorization`.
/// Anything but `CONNECT` is answered 405.
pub struct ConnectProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    tunnels: Tunnels,
}

impl ConnectProxy {
    /// The tunnels opened so far: (`host:port`, `Proxy-Authorization` if any).
    pub fn tunnels(&self) -> Vec<(String, Option<String>)> {
        self.tunnels.lock().unwrap().clone()
    }
}

/// Starts a [`ConnectProxy`].
pub fn connect_proxy() -> ConnectProxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let tunnels: Tunnels = Arc::default();
    let seen = tunnels.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let seen = seen.clone();
            std::thread::spawn(move || tunnel(conn, &seen));
        }
    });
    ConnectProxy { url, tunnels }
}

fn tunnel(conn: TcpStream, seen: &Tunnels) {
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut auth = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() {
            return;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("proxy-authorization")
        {
            auth = Some(v.trim().to_owned());
        }
    }
    let mut client = reader.into_inner();
    let mut parts = line.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    seen.lock().unwrap().push((target.to_owned(), auth));
    let Ok(upstream) = TcpStream::connect(target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let (Ok(mut c2), Ok(mut u2)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    let mut upstream = upstream;
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut upstream);
        let _ = upstream.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut u2, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Write);
}
