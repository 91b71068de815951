//! `GET /v1/events/ws?after=SEQ[&account=ID]`: the same events over a WebSocket, one text
//! message each (the event object with `"seq"` and `"account"`). Where it starts is
//! decided as for SSE.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use http::HeaderMap;

use super::events::{Since, start};
use super::{ApiError, AppState};

/// Upgrades and streams.
pub async fn upgrade(
    State(s): State<AppState>,
    Query(q): Query<Since>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let (after, account) = q.into_parts();
    let after = start(&s, after, &headers)?;
    let gw = s.gw.clone();
    Ok(ws.on_upgrade(move |socket| stream(socket, gw, after, account)))
}

async fn stream(
    socket: WebSocket,
    gw: std::sync::Arc<crate::Gateway>,
    after: u64,
    account: Option<String>,
) {
    let (mut tx, mut rx) = socket.split();
    let mut events = Box::pin(crate::feed::events(gw, after, account));
    loop {
        tokio::select! {
            e = events.next() => {
                let Some(e) = e else { break };
                if tx.send(Message::Text(e.to_json().into())).await.is_err() {
                    break;
                }
            }
            m = rx.next() => match m {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = tx.close().await;
}
