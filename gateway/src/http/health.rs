//! `GET /healthz`: "ok" while the gateway serves and its store answers.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use super::AppState;

/// "ok", or 503 when the store does not answer.
pub async fn healthz(State(s): State<AppState>) -> Response {
    match s.gw.store.head().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("store: {e}")).into_response(),
    }
}
