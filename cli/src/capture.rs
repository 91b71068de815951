//! Reading a captured response for `webwx decode`: a bare body, or a raw HTTP response
//! (status line, headers, blank line, body), optionally preceded by `# comment` lines as
//! in the project's captures (`# response: HTTP/1.1 200 OK` then the headers).

use std::io::Read;
use std::path::Path;

/// Reads `path` (`-`: standard input) as bytes.
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

/// Why a capture could not be read as a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureError(pub String);

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Turns the bytes of a capture into a response.
///
/// - A `# response: HTTP/1.1 STATUS` comment line (the captures' form) starts the
///   response; header lines follow up to a blank line, then the body.
/// - Otherwise leading `# ` comment lines are skipped; if what remains starts with
///   `HTTP/`, it is a raw response; else it is a bare body, answered with status 200.
pub fn to_response(bytes: &[u8]) -> Result<http::Response<Vec<u8>>, CaptureError> {
    let (status, headers, start) = split(bytes)?;
    build(status, headers, bytes[start..].to_vec())
}

/// [`to_response`] taking the bytes: the body is the same buffer, its head removed in
/// place (nothing moves for a bare body), never a copy of a large body.
pub fn into_response(bytes: Vec<u8>) -> Result<http::Response<Vec<u8>>, CaptureError> {
    into_response_with(bytes, |mut bytes, start| {
        bytes.drain(..start);
        bytes
    })
}

/// [`into_response`] for any bytes: `skip(bytes, n)` gives them without their first `n`.
pub fn into_response_with<B: AsRef<[u8]>>(
    bytes: B,
    skip: impl FnOnce(B, usize) -> B,
) -> Result<http::Response<B>, CaptureError> {
    let (status, headers, start) = split(bytes.as_ref())?;
    build(status, headers, skip(bytes, start))
}

/// A header line: name and value.
type Header = (String, String);

/// The status, the headers and where the body starts.
fn split(bytes: &[u8]) -> Result<(u16, Vec<Header>, usize), CaptureError> {
    // The captures' form: find the first line that starts with `# response:` (searched
    // with memchr's `memmem`, not line by line: a body may be tens of megabytes).
    const RESPONSE: &[u8] = b"# response:";
    let line_start = |at: usize| at == 0 || bytes[at - 1] == b'\n';
    if let Some(at) = memchr::memmem::find_iter(bytes, RESPONSE).find(|&at| line_start(at)) {
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1);
        let rest = &trim_eol(&bytes[at..line_end])[RESPONSE.len()..];
        let status_line = String::from_utf8_lossy(rest).trim().to_owned();
        let status = parse_status_line(&status_line)?;
        let (headers, body) = with_headers(&bytes[line_end..])?;
        return Ok((status, headers, line_end + body));
    }
    // Else leading comment lines are skipped.
    let mut offset = 0;
    let mut first_content = None;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if !is_comment(trim_eol(line)) {
            first_content = Some(offset);
            break;
        }
        offset += line.len();
    }
    let start = first_content.unwrap_or(bytes.len());
    let rest = &bytes[start..];
    if rest.starts_with(b"HTTP/") {
        let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let status_line = String::from_utf8_lossy(trim_eol(&rest[..line_end])).into_owned();
        let status = parse_status_line(&status_line)?;
        let at = start + (line_end + 1).min(rest.len());
        let (headers, body) = with_headers(&bytes[at..])?;
        return Ok((status, headers, at + body));
    }
    // A bare body (leading `#` comment lines skipped: no body of this protocol starts
    // with `#`).
    Ok((200, Vec::new(), start))
}

fn is_comment(line: &[u8]) -> bool {
    line.starts_with(b"#")
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `HTTP/1.1 200 OK` -> 200.
fn parse_status_line(line: &str) -> Result<u16, CaptureError> {
    let mut parts = line.split_whitespace();
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/") {
        return Err(CaptureError(format!(
            "expected a status line like \"HTTP/1.1 200 OK\", found {:?}",
            excerpt(line)
        )));
    }
    code.parse::<u16>()
        .ok()
        .filter(|c| (100..=999).contains(c))
        .ok_or_else(|| {
            CaptureError(format!(
                "expected a 3-digit status code in the status line {:?}",
                excerpt(line)
            ))
        })
}

/// Header lines up to a blank line, and where the body starts in `rest` (its end when
/// no blank line ends the headers: no body).
fn with_headers(rest: &[u8]) -> Result<(Vec<Header>, usize), CaptureError> {
    let mut headers = Vec::new();
    let mut consumed = 0;
    let mut ended = false;
    for (n, line) in rest.split_inclusive(|&b| b == b'\n').enumerate() {
        consumed += line.len();
        let l = trim_eol(line);
        if l.is_empty() {
            ended = true;
            break;
        }
        let text = String::from_utf8_lossy(l);
        let Some((name, value)) = text.split_once(':') else {
            return Err(CaptureError(format!(
                "expected a header line \"Name: value\" (header line {}), found {:?}",
                n + 1,
                excerpt(&text)
            )));
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Ok((headers, if ended { consumed } else { rest.len() }))
}

fn build<B>(status: u16, headers: Vec<Header>, body: B) -> Result<http::Response<B>, CaptureError> {
    let mut b = http::Response::builder().status(status);
    for (name, value) in headers {
        let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) else {
            return Err(CaptureError(format!("invalid header {:?}", excerpt(&name))));
        };
        b = b.header(n, v);
    }
    b.body(body)
        .map_err(|e| CaptureError(format!("invalid response: {e}")))
}

fn excerpt(s: &str) -> String {
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_body_is_a_200() {
        let r = to_response(b"window.code=408;").unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.body(), b"window.code=408;");
    }

    #[test]
    fn raw_response_with_crlf() {
        let r = to_response(b"HTTP/1.1 301 Moved\r\nSet-Cookie: a=b\r\n\r\n<error/>").unwrap();
        assert_eq!(r.status(), 301);
        assert_eq!(r.headers()["set-cookie"], "a=b");
        assert_eq!(r.body(), b"<error/>");
    }

    #[test]
    fn capture_form() {
        let text = b"# source: x\n# request: GET y\n# request-body:\n{\"a\":1}\n# response: HTTP/1.1 200 OK\nContent-Type: text/plain\n\nBODY\n";
        let r = to_response(text).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/plain");
        assert_eq!(r.body(), b"BODY\n");
    }

    #[test]
    fn comments_then_raw_response() {
        let r = to_response(b"# note\nHTTP/1.1 200 OK\nA: b\n\nx").unwrap();
        assert_eq!(r.body(), b"x");
    }

    #[test]
    fn bad_status_line_is_an_error() {
        assert!(to_response(b"HTTP/1.1 abc\n\n").is_err());
        assert!(to_response(b"# response: nonsense\n\n").is_err());
        assert!(to_response(b"HTTP/1.1 200 OK\nno colon here\n\nx").is_err());
    }

    #[test]
    fn into_response_is_to_response() {
        for input in [
            &b"window.code=408;"[..],
            b"HTTP/1.1 301 Moved\r\nSet-Cookie: a=b\r\n\r\n<error/>",
            b"# source: x\n# response: HTTP/1.1 200 OK\nContent-Type: text/plain\n\nBODY\n",
            b"# note\nHTTP/1.1 200 OK\nA: b\n\nx",
            b"HTTP/1.1 200 OK\nA: b",
            b"HTTP/1.1 204",
            b"# only a comment\n",
            b"",
            // `# response:` only counts at the start of a line.
            b"# request-body:\n{\"a\":\"# response: HTTP/1.1 500 X\"}\n# response: HTTP/1.1 201 OK\r\nA: b\r\n\r\n{}",
            b"# response: HTTP/1.1 202 OK",
        ] {
            let a = to_response(input).unwrap();
            let b = into_response(input.to_vec()).unwrap();
            assert_eq!(a.status(), b.status());
            assert_eq!(a.headers(), b.headers());
            assert_eq!(a.body(), b.body(), "{:?}", String::from_utf8_lossy(input));
        }
        assert!(into_response(b"HTTP/1.1 abc\n\n".to_vec()).is_err());
        let r = into_response(
            b"# request-body:\n{\"a\":\"# response: HTTP/1.1 500 X\"}\n# response: HTTP/1.1 201 OK\r\nA: b\r\n\r\n{}".to_vec(),
        )
        .unwrap();
        assert_eq!(
            (r.status().as_u16(), r.body().as_slice()),
            (201, &b"{}"[..])
        );
        assert_eq!(r.headers()["a"], "b");
        let r = into_response(b"# response: HTTP/1.1 202 OK".to_vec()).unwrap();
        assert_eq!((r.status().as_u16(), r.body().len()), (202, 0));
    }

    #[test]
    fn empty_input_is_an_empty_body() {
        assert_eq!(to_response(b"").unwrap().body(), b"");
    }
}
