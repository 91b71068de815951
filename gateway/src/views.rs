//! An account as the API shows it (`GET /v1/accounts`, `POST /v1/accounts`), whichever
//! node runs it, and the answer of a create: the HTTP layer and the cluster's remote
//! calls (a create run here for another node's caller) share them.

use http::StatusCode;
use serde::Serialize;

use crate::accounts::{Account, AccountState};
use crate::commands::Reply;
use crate::store::AccountRecord;
use crate::{CreateAccount, CreateError, Gateway};

/// `{"user_name", "nick_name"}` of a logged-in account.
#[derive(Serialize)]
pub(crate) struct User {
    user_name: String,
    nick_name: String,
}

/// An account as the API shows it.
#[derive(Serialize)]
pub(crate) struct View {
    id: String,
    name: Option<String>,
    state: AccountState,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<User>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) qr_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<String>,
    desktop: bool,
    running: bool,
    created_ms: i64,
}

/// The view of an account this node runs.
pub(crate) fn view_local(gw: &Gateway, a: &Account) -> View {
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
        node: gw.options.node.clone(),
        desktop: a.desktop,
        running: a.running().is_some(),
        created_ms: a.created_ms,
    }
}

/// The view of an account another node runs (or none does), from the store.
pub(crate) fn view_record(r: &AccountRecord) -> View {
    View {
        id: r.id.clone(),
        name: r.name.clone(),
        state: AccountState::parse(&r.state),
        reason: r.reason.clone(),
        user: r.user_name.clone().map(|user_name| User {
            user_name,
            nick_name: r.nick_name.clone().unwrap_or_default(),
        }),
        qr_url: r.qr_url.clone(),
        node: r.node.clone(),
        desktop: r.desktop,
        running: false,
        created_ms: r.created_ms,
    }
}

/// Creates (or logs in again) an account on this node: the answer of `POST
/// /v1/accounts` (also run for another node's caller through the command table).
pub(crate) async fn create_reply(gw: &std::sync::Arc<Gateway>, req: CreateAccount) -> Reply {
    match gw.create_account(req).await {
        Ok((a, new)) => {
            let status = if new {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Reply {
                status,
                body: serde_json::to_string(&view_local(gw, &a)).expect("views serialize"),
            }
        }
        Err(CreateError::Invalid(m)) => {
            Reply::error(StatusCode::BAD_REQUEST, None, "bad_request", &m)
        }
        Err(CreateError::Conflict(m)) => Reply::error(StatusCode::CONFLICT, None, "conflict", &m),
        Err(CreateError::Store(e)) => Reply::error(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "store",
            &format!("the store failed: {e}"),
        ),
    }
}
