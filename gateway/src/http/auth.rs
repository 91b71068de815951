//! Who may call: the `Host` check on every request (DNS rebinding) and the token on
//! every `/v1` call, as `Authorization: Bearer T` or the cookie `POST /v1/login` sets.
//! A call authenticated by the cookie that changes something, or opens the WebSocket,
//! must come from the gateway's own page: its `Origin` (browsers always send one there)
//! must be the gateway's own.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode, header};

use super::{ApiError, AppState};

/// The cookie's name.
pub const COOKIE: &str = "webwx_token";

/// Answers 421 to a request whose `Host` is not a loopback name, the listen address or
/// an `--accept-host` name.
pub async fn check_host(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    match host {
        Some(h) if webwx_hyper::relay::host_ok(h, s.local, &s.gw.options.accept_hosts) => {
            next.run(req).await
        }
        _ => ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "bad_host",
            "this Host is not the gateway's (use a loopback name or the listen address)",
        )
        .into_response(),
    }
}

/// Compares without leaking where the first difference is.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
}

/// Whether `Origin`, when present, is the gateway itself (`http://` + its `Host`).
fn own_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    origin.eq_ignore_ascii_case(&format!("http://{host}"))
}

/// 401 without the token (header or cookie); 403 for a cookie call from another origin.
pub async fn require_token(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let token = s.gw.options.token.as_bytes();
    let headers = req.headers();
    if bearer(headers).is_some_and(|t| same(t.as_bytes(), token)) {
        return next.run(req).await;
    }
    if cookie(headers).is_some_and(|t| same(t.as_bytes(), token)) {
        let websocket = headers
            .get(header::UPGRADE)
            .is_some_and(|u| u.as_bytes().eq_ignore_ascii_case(b"websocket"));
        let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if (changes || websocket) && !own_origin(headers) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "a call authenticated by the cookie must come from the gateway's own page",
            )
            .into_response();
        }
        return next.run(req).await;
    }
    let mut r = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "missing or wrong token: send Authorization: Bearer TOKEN",
    )
    .into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        http::HeaderValue::from_static("Bearer"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_cookies() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Bearer  tok ".parse().unwrap());
        assert_eq!(bearer(&h), Some("tok"));
        h.insert(
            header::COOKIE,
            "a=1; webwx_token=tok2; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h), Some("tok2"));
        h.insert(header::HOST, "127.0.0.1:8788".parse().unwrap());
        assert!(own_origin(&h));
        h.insert(header::ORIGIN, "http://127.0.0.1:8788".parse().unwrap());
        assert!(own_origin(&h));
        h.insert(header::ORIGIN, "http://127.0.0.1:9999".parse().unwrap());
        assert!(!own_origin(&h));
    }
}
