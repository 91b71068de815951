//! `GET /v1/events?after=SEQ[&account=ID]`: Server-Sent Events, one per event of the log
//! (`id:` its seq, `data:` the event object with `"seq"` and `"account"`). Resumable:
//! `?after=SEQ`, else `Last-Event-ID` (which `EventSource` sends when it reconnects),
//! else only events from now on.

use std::convert::Infallible;

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http::HeaderMap;

use super::{ApiError, AppState};

/// Where a stream starts and which account it follows.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Since {
    after: Option<u64>,
    account: Option<String>,
}

impl Since {
    /// `?after` and `?account`.
    pub fn into_parts(self) -> (Option<u64>, Option<String>) {
        (self.after, self.account)
    }
}

/// The seq to start after: `?after` wins over `Last-Event-ID`; else the head.
pub fn start(s: &AppState, after: Option<u64>, headers: &HeaderMap) -> Result<u64, ApiError> {
    if let Some(a) = after {
        return Ok(a);
    }
    match headers.get("last-event-id") {
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| ApiError::bad_request("Last-Event-ID must be a seq (a number)")),
        None => Ok(*s.gw.head().borrow()),
    }
}

/// The stream.
pub async fn sse(
    State(s): State<AppState>,
    Query(q): Query<Since>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let after = start(&s, q.after, &headers)?;
    let stream = crate::feed::events(s.gw.clone(), after, q.account)
        .map(|e| Ok::<_, Infallible>(Event::default().id(e.seq.to_string()).data(e.to_json())));
    let mut r = Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response();
    r.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}
