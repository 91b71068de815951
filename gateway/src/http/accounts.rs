//! `/v1/accounts`: create (a QR login, or push login / resume for a known name), list,
//! one, delete (log out and forget), and the QR code to scan.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use super::{ApiError, AppState, json_of, json_response, parse_json};
use crate::accounts::Account;
use crate::gateway::CreateAccount;
use crate::store::RemoteKind;
use crate::views::{View, create_reply, view_local, view_record};

/// How long a call waits for another node's answer.
const REMOTE_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

fn view(s: &AppState, a: &Account) -> View {
    view_local(&s.gw, a)
}

/// An account by id: run here, or (several nodes) in the store.
async fn find(s: &AppState, id: &str) -> Result<View, ApiError> {
    if let Some(a) = s.gw.account(id) {
        return Ok(view(s, &a));
    }
    if s.gw.cluster().is_some()
        && let Some(r) = s.gw.store.account(id).await.map_err(ApiError::store)?
    {
        return Ok(view_record(&r));
    }
    Err(ApiError::not_found(format!("no account {id:?}")))
}

/// `GET /v1/accounts`.
pub async fn list(State(s): State<AppState>) -> Result<Response, ApiError> {
    if s.gw.cluster().is_some() {
        // Every account of every node: those run here as they are now, the others as
        // their owners last stored them.
        let all: Vec<View> =
            s.gw.store
                .accounts()
                .await
                .map_err(ApiError::store)?
                .iter()
                .map(|r| match s.gw.account(&r.id) {
                    Some(a) => view(&s, &a),
                    None => view_record(r),
                })
                .collect();
        return Ok(json_of(StatusCode::OK, &all));
    }
    let all: Vec<View> = s.gw.accounts().iter().map(|a| view(&s, a)).collect();
    Ok(json_of(StatusCode::OK, &all))
}

/// `GET /v1/accounts/{id}`.
pub async fn one(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    Ok(json_of(StatusCode::OK, &find(&s, &id).await?))
}

/// `POST /v1/accounts {"name"?, "desktop"?, "origin"?}`: 201 with the new account, or
/// 200 with the known account of that name, logging in again. With several nodes a new
/// account goes to the least loaded live node (with room under its `--max-accounts`),
/// a known one to the node that holds it; the caller gets that node's answer.
pub async fn create(State(s): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let req: CreateAccount = if body.iter().all(u8::is_ascii_whitespace) {
        CreateAccount::default()
    } else {
        parse_json(&body)?
    };
    if let Some(cluster) = s.gw.cluster() {
        let me = s.gw.node_name().to_owned();
        let known = match &req.name {
            Some(name) => {
                s.gw.store
                    .accounts()
                    .await
                    .map_err(ApiError::store)?
                    .into_iter()
                    .find(|r| r.name.as_ref() == Some(name))
            }
            None => None,
        };
        let target = match known {
            Some(r) if s.gw.account(&r.id).is_none() => match r.node {
                Some(n) if n != me => Some(n),
                _ => None,
            },
            Some(_) => None,
            None => cluster
                .least_loaded(s.gw.options.lease)
                .await
                .map_err(ApiError::store)?
                .filter(|n| *n != me),
        };
        if let Some(node) = target {
            let request = serde_json::to_string(&req).expect("requests serialize");
            let reply = crate::cluster::remote(
                &s.gw,
                RemoteKind::Create,
                None,
                Some(&node),
                &request,
                None,
                REMOTE_WAIT,
            )
            .await;
            return Ok(json_response(reply.status, reply.body));
        }
        if s.gw
            .options
            .max_accounts
            .is_some_and(|m| s.gw.accounts().len() >= m)
        {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "full",
                "every live node holds its --max-accounts",
            ));
        }
    }
    let reply = create_reply(&s.gw, req).await;
    Ok(json_response(reply.status, reply.body))
}

/// `DELETE /v1/accounts/{id}`: logs out and forgets (204).
pub async fn delete(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(a) = s.gw.account(&id) else {
        find(&s, &id).await?;
        let reply = crate::cluster::remote(
            &s.gw,
            RemoteKind::Delete,
            Some(&id),
            None,
            "{}",
            None,
            REMOTE_WAIT,
        )
        .await;
        return Ok(if reply.status == StatusCode::NO_CONTENT {
            StatusCode::NO_CONTENT.into_response()
        } else {
            json_response(reply.status, reply.body)
        });
    };
    s.gw.delete_account(&a).await.map_err(ApiError::store)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /v1/accounts/{id}/qr.png`: the QR code waiting for a scan (409 when none).
pub async fn qr_png(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(url) = find(&s, &id).await?.qr_url else {
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
