//! `POST /v1/login {"token"}`: sets the HttpOnly, SameSite=Strict cookie that the web
//! page's `EventSource`, WebSocket and `<img>` authenticate with (they cannot send
//! `Authorization`).

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use super::auth::{COOKIE, same};
use super::{ApiError, AppState, json_response, parse_json};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    token: String,
}

/// Checks the token and sets the cookie (401 when wrong).
pub async fn post(State(s): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let login: Login = parse_json(&body)?;
    if !same(login.token.as_bytes(), s.gw.options.token.as_bytes()) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "wrong token",
        ));
    }
    let mut r = json_response(StatusCode::OK, r#"{"ok":true}"#.into());
    let cookie = format!(
        "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
        login.token
    );
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|_| ApiError::bad_request("bad token"))?,
    );
    Ok(r.into_response())
}
