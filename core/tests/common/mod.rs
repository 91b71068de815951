//! Shared helpers for the core's integration tests: loading captured responses and
//! rendering requests as stable text for snapshots.
#![allow(dead_code)]

use std::path::PathBuf;
use webwx_core::endpoint::{LoginCtx, SessionCtx};
use webwx_core::{Credentials, Hosts, Timestamp};

/// The fixed time of request snapshots: 2018-12-31 07:08:18.739 UTC (the QJesus capture).
pub const NOW: Timestamp = Timestamp(1_546_211_298_739);

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A response with `status` and `body`.
pub fn resp(status: u16, body: impl Into<Vec<u8>>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.into())
        .unwrap()
}

/// Loads a capture file of the `qjesus_split` form:
/// `# comment` lines, a `# response: HTTP/1.1 200 OK` line, header lines, a blank line,
/// the body. Bare bodies (JSON files) load as 200 responses.
pub fn capture(name: &str) -> http::Response<Vec<u8>> {
    let bytes = fixture_bytes(&format!("captures/{name}"));
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let Some(pos) = text.find("# response: ") else {
        return resp(200, bytes);
    };
    let after = &text[pos + "# response: ".len()..];
    let (status_line, rest) = after.split_once('\n').unwrap();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut builder = http::Response::builder().status(status);
    let mut lines = rest.split_inclusive('\n');
    let mut consumed = 0;
    for line in lines.by_ref() {
        consumed += line.len();
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            // The captured bodies are stored decompressed: their encoding and length
            // headers no longer describe them.
            if !k.eq_ignore_ascii_case("content-encoding")
                && !k.eq_ignore_ascii_case("content-length")
            {
                builder = builder.header(k.trim(), v.trim());
            }
        }
    }
    let body = rest.as_bytes()[consumed..].to_vec();
    builder.body(body).unwrap()
}

/// The body of a capture, up to the first line that is clearly commentary (the QJesus
/// captures append explanations after the body of the JS answers).
pub fn capture_first_line(name: &str) -> http::Response<Vec<u8>> {
    let r = capture(name);
    let (parts, body) = r.into_parts();
    let text = String::from_utf8_lossy(&body);
    let first = text.lines().next().unwrap_or_default().to_owned();
    http::Response::from_parts(parts, first.into_bytes())
}

pub fn hosts() -> Hosts {
    Hosts::for_content_host("wx.qq.com")
}

pub fn creds() -> Credentials {
    Credentials::new(
        176666155,
        "5YpLHmVgWwH5LxN1",
        "@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50",
        "kbmy5Jt9nj%2BJzBaJZYNpUBQyBwRTejeXq1sM%2FYH7iOI%3D",
        true,
    )
}

pub fn login_ctx(hosts: &Hosts, desktop: bool) -> LoginCtx<'_> {
    LoginCtx {
        now: NOW,
        hosts,
        lang: "zh_CN",
        desktop,
    }
}

pub fn session_ctx<'a>(hosts: &'a Hosts, creds: &'a Credentials) -> SessionCtx<'a> {
    SessionCtx {
        now: NOW,
        hosts,
        credentials: creds,
        device_id: "e123456789012345".into(),
        lang: "zh_CN",
        me: "@f0c04abe389590b02d91684d99584439",
        data_ticket: Some("gSehWtnDWTMh38gmz0IjaFv0"),
    }
}

/// Renders a request as stable text: method, URL with its query sorted (the real order is
/// asserted separately where it matters), headers sorted, body as pretty JSON when it is
/// JSON, text when it is UTF-8, an md5 otherwise.
pub fn render(req: &http::Request<Vec<u8>>) -> String {
    let uri = req.uri().to_string();
    let (base, query) = uri.split_once('?').unwrap_or((&uri, ""));
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    params.sort();
    let mut out = format!("{} {}\n", req.method(), base);
    for p in params {
        out.push_str(&format!("  ?{p}\n"));
    }
    let mut headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    headers.sort();
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\n"));
    }
    let body = req.body();
    if !body.is_empty() {
        out.push('\n');
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
            out.push_str(&serde_json::to_string_pretty(&v).unwrap());
        } else if let Ok(s) = std::str::from_utf8(body) {
            out.push_str(s);
        } else {
            out.push_str(&format!("<{} bytes>", body.len()));
        }
        out.push('\n');
    }
    out
}

/// The query parameters of a URL in order, decoded once.
pub fn query_pairs(req: &http::Request<Vec<u8>>) -> Vec<(String, String)> {
    req.uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), percent_decode(v))
        })
        .collect()
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
