//! `GET /v1/nodes`: the nodes sharing the store, live or not, each with the accounts it
//! holds and the age of each lease. One node (SQLite) shows itself with every account.

use axum::extract::State;
use axum::response::Response;
use http::StatusCode;

use super::{ApiError, AppState, json_of};
use crate::store::{NodeAccount, NodeRecord};

/// The nodes.
pub async fn list(State(s): State<AppState>) -> Result<Response, ApiError> {
    let nodes = match s.gw.cluster() {
        Some(c) => c.nodes(s.gw.options.lease).await.map_err(ApiError::store)?,
        None => vec![NodeRecord {
            name: s.gw.node_name().to_owned(),
            url: Some(format!("http://{}", s.local)),
            max_accounts: s.gw.options.max_accounts.map(|m| m as i64),
            live: true,
            heartbeat_age_ms: 0,
            uptime_ms: 0,
            accounts: s
                .gw
                .accounts()
                .iter()
                .map(|a| NodeAccount {
                    id: a.id.clone(),
                    generation: a.fence.generation,
                    lease_age_ms: 0,
                    lease_left_ms: i64::MAX,
                })
                .collect(),
        }],
    };
    Ok(json_of(StatusCode::OK, &nodes))
}
