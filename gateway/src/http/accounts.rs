//! `/v1/accounts`: create (a QR login, or push login / resume for a known name), list,
//! one, delete (log out and forget), and the QR code to scan.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use super::{ApiError, AppState, account, json_of, parse_json};
use crate::accounts::{Account, AccountState};
use crate::gateway::{CreateAccount, CreateError};

/// `{"user_name", "nick_name"}` of a logged-in account.
#[derive(Serialize)]
struct User {
    user_name: String,
    nick_name: String,
}

/// An account as the API shows it.
#[derive(Serialize)]
struct View {
    id: String,
    name: Option<String>,
    state: AccountState,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<User>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qr_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<String>,
    desktop: bool,
    running: bool,
    created_ms: i64,
}

fn view(s: &AppState, a: &Account) -> View {
    let live = a.live();
    View {
        id: a.id.clone(),
        name: a.name.clone(),
        state: live.state,
        reason: live.reason,
        user: live.user_name.map(|user_name| User {
            user_name,
            nick_name: live.nick_name.unwrap_or_default(),
        }),
        qr_url: live.qr_url,
        node: s.gw.options.node.clone(),
        desktop: a.desktop,
        running: a.running().is_some(),
        created_ms: a.created_ms,
    }
}

/// `GET /v1/accounts`.
pub async fn list(State(s): State<AppState>) -> Response {
    let all: Vec<View> = s.gw.accounts().iter().map(|a| view(&s, a)).collect();
    json_of(StatusCode::OK, &all)
}

/// `GET /v1/accounts/{id}`.
pub async fn one(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let a = account(&s, &id)?;
    Ok(json_of(StatusCode::OK, &view(&s, &a)))
}

/// `POST /v1/accounts {"name"?, "desktop"?, "origin"?}`: 201 with the new account, or
/// 200 with the known account of that name, logging in again.
pub async fn create(State(s): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let req: CreateAccount = if body.iter().all(u8::is_ascii_whitespace) {
        CreateAccount::default()
    } else {
        parse_json(&body)?
    };
    match s.gw.create_account(req).await {
        Ok((a, new)) => {
            let status = if new {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(json_of(status, &view(&s, &a)))
        }
        Err(CreateError::Invalid(m)) => Err(ApiError::bad_request(m)),
        Err(CreateError::Conflict(m)) => Err(ApiError::new(StatusCode::CONFLICT, "conflict", m)),
        Err(CreateError::Store(e)) => Err(ApiError::store(e)),
    }
}

/// `DELETE /v1/accounts/{id}`: logs out and forgets (204).
pub async fn delete(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let a = account(&s, &id)?;
    s.gw.delete_account(&a).await.map_err(ApiError::store)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /v1/accounts/{id}/qr.png`: the QR code waiting for a scan (409 when none).
pub async fn qr_png(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let a = account(&s, &id)?;
    let Some(url) = a.live().qr_url else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_qr_code",
            "no QR code is waiting for a scan on this account",
        ));
    };
    let png = crate::qr::png(&url)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "qr", e.to_string()))?;
    let mut r = (StatusCode::OK, png).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}
