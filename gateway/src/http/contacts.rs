//! `GET /v1/accounts/{id}/contacts?kind=friend|group|official|special&q=TEXT`: the
//! address book, each contact as the boundary's `contacts` query shows it (the kind the
//! core classified, names normalized, groups with their members). While the session is
//! ready the query itself answers (the live address book); otherwise the store does,
//! with the same filters, from what the session last wrote.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use http::StatusCode;
use webwx_core::boundary::{Command, CommandResult, Outcome};

use super::{ApiError, AppState, Place, json_of, place};
use crate::accounts::AccountState;

/// The kinds a contact can have.
const KINDS: [&str; 6] = [
    "friend",
    "group",
    "official",
    "special",
    "file_helper",
    "myself",
];

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    kind: Option<String>,
    q: Option<String>,
}

/// The contacts, filtered.
pub async fn list(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(f): Query<Filter>,
) -> Result<Response, ApiError> {
    let here = place(&s, &id).await?;
    if let Some(k) = &f.kind
        && !KINDS.contains(&k.as_str())
    {
        return Err(ApiError::bad_request(format!(
            "unknown kind {k:?}: one of {}",
            KINDS.join(", ")
        )));
    }
    let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if let Place::Here(a) = &here
        && let Some(running) = a.running()
        && a.live().state == AccountState::LoggedIn
    {
        let query: Command = serde_json::from_value(serde_json::json!({
            "cmd": "contacts", "kind": f.kind, "search": q, "members": true,
        }))
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
        if let Outcome::Result(CommandResult::Contacts { contacts }) =
            running.handle.command(query).await.outcome
        {
            return Ok(json_of(StatusCode::OK, &contacts));
        }
    }
    let contacts: Vec<serde_json::Value> =
        s.gw.store
            .contacts(&id, f.kind.as_deref(), q)
            .await
            .map_err(ApiError::store)?
            .into_iter()
            .map(|c| c.body)
            .collect();
    Ok(json_of(StatusCode::OK, &contacts))
}
