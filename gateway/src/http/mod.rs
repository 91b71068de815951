//! The HTTP API (DESIGN.md "The gateway (webwx serve)"): routing, the JSON error shape
//! and request bodies. One endpoint (or one resource) per file.

mod accounts;
mod auth;
mod commands;
mod contacts;
mod events;
mod events_ws;
mod health;
mod login;
mod messages;
mod metrics;
mod nodes;
mod page;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderValue, StatusCode, header};

use crate::Gateway;
use crate::accounts::Account;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    /// The gateway.
    pub gw: Arc<Gateway>,
    /// The address the server listens on (for the `Host` check).
    pub local: SocketAddr,
}

/// The router of the whole API on `gw`, served at `local`.
pub fn router(gw: Arc<Gateway>, local: SocketAddr) -> Router {
    let max_body = gw.options.max_body;
    let state = AppState { gw, local };
    let v1 = Router::new()
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route(
            "/accounts/{id}",
            get(accounts::one).delete(accounts::delete),
        )
        .route("/accounts/{id}/qr.png", get(accounts::qr_png))
        .route("/accounts/{id}/contacts", get(contacts::list))
        .route("/accounts/{id}/commands", post(commands::post))
        .route(
            "/accounts/{id}/messages",
            get(messages::history).post(messages::send),
        )
        .route("/events", get(events::sse))
        .route("/events/ws", get(events_ws::upgrade))
        .route("/nodes", get(nodes::list))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ))
        .route("/login", post(login::post));
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::get))
        .nest("/v1", v1)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::check_host,
        ))
        .with_state(state)
}

/// An error answer: `{"error": {"kind", "message"}}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

impl ApiError {
    /// An error with this status, kind and message.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            message: message.into(),
        }
    }

    /// 400: the request is wrong.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 503: the store failed.
    pub fn store(e: crate::store::StoreError) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store",
            format!("the store failed: {e}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"kind": self.kind, "message": self.message}});
        json_response(self.status, body.to_string())
    }
}

/// A JSON answer.
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// A JSON answer of a serializable value.
pub fn json_of(status: StatusCode, value: &impl serde::Serialize) -> Response {
    json_response(
        status,
        serde_json::to_string(value).expect("API values serialize"),
    )
}

/// Reads a JSON body, with a clear message for what is wrong (nothing changes then).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the body is empty: expected a JSON object",
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    serde_json::from_value(value).map_err(|e| {
        ApiError::bad_request(format!("the JSON does not have the expected shape: {e}"))
    })
}

/// The account `id`, or 404.
pub fn account(state: &AppState, id: &str) -> Result<Arc<Account>, ApiError> {
    state
        .gw
        .account(id)
        .ok_or_else(|| ApiError::not_found(format!("no account {id:?}")))
}

/// Where an account runs.
pub enum Place {
    /// On this node.
    Here(Arc<Account>),
    /// On another node (or none yet): calls go through the command table.
    Elsewhere,
}

/// Where the account `id` runs, or 404.
pub async fn place(state: &AppState, id: &str) -> Result<Place, ApiError> {
    if let Some(a) = state.gw.account(id) {
        return Ok(Place::Here(a));
    }
    if state.gw.cluster().is_some()
        && state
            .gw
            .store
            .account(id)
            .await
            .map_err(ApiError::store)?
            .is_some()
    {
        return Ok(Place::Elsewhere);
    }
    Err(ApiError::not_found(format!("no account {id:?}")))
}

/// Runs a command (its request JSON) for an account another node holds, through the
/// command table; answers that node's answer.
pub async fn forward(state: &AppState, id: &str, request: String, key: Option<&str>) -> Response {
    let reply = crate::cluster::remote(
        &state.gw,
        crate::store::RemoteKind::Command,
        Some(id),
        None,
        &request,
        key,
        std::time::Duration::from_secs(300),
    )
    .await;
    json_response(reply.status, reply.body)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint (see DESIGN.md \"The gateway\")")
}
