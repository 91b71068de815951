//! `GET /v1/accounts/{id}/contacts?kind=friend|group|official|special&q=TEXT`: the
//! stored address book, each contact with the kind the core classified.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use http::StatusCode;

use super::{ApiError, AppState, account, json_of};

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
    let a = account(&s, &id)?;
    if let Some(k) = &f.kind
        && !KINDS.contains(&k.as_str())
    {
        return Err(ApiError::bad_request(format!(
            "unknown kind {k:?}: one of {}",
            KINDS.join(", ")
        )));
    }
    let q = f.q.as_deref().filter(|q| !q.is_empty());
    let contacts =
        s.gw.store
            .contacts(&a.id, f.kind.as_deref(), q)
            .await
            .map_err(ApiError::store)?;
    Ok(json_of(StatusCode::OK, &contacts))
}
