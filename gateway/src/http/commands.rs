//! `POST /v1/accounts/{id}/commands`: any command of the JSON boundary, answered once
//! its outcome is known; `Idempotency-Key` runs it once per key.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use webwx_core::boundary::{Answer, Request};

use super::{ApiError, AppState, Place, forward, json_response, parse_json, place};
use crate::commands::{check_remote, execute};

/// The `Idempotency-Key` header.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.to_owned()))
            .map_err(|_| ApiError::bad_request("the Idempotency-Key must be visible ASCII")),
    }
}

/// Runs the command.
pub async fn post(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let here = place(&s, &id).await?;
    let key = idempotency_key(&headers)?;
    let value: serde_json::Value = parse_json(&body)?;
    let request = match Request::from_value(value.clone()) {
        Ok(r) => r,
        Err((id, error)) => {
            let answer = Answer::new(id, Err(error));
            return Ok(json_response(StatusCode::BAD_REQUEST, answer.to_json()));
        }
    };
    if let Err(m) = check_remote(&request.command) {
        return Err(ApiError::bad_request(m));
    }
    let a = match here {
        Place::Here(a) => a,
        Place::Elsewhere => return Ok(forward(&s, &id, value.to_string(), key.as_deref()).await),
    };
    let reply = execute(&s.gw, &a, request, key.as_deref()).await;
    Ok(json_response(reply.status, reply.body))
}
