//! `/v1/accounts/{id}/messages`: the history (in and out, newest first, paged by seq)
//! and the common shorthand for sending: JSON `{"to", "text"}` or `{"to", "data_b64",
//! "file_name"}`, or a multipart form with `to` and a `file` (or `text`).

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::response::Response;
use base64::Engine as _;
use http::{StatusCode, header};
use webwx_core::boundary::Command;

use super::commands::idempotency_key;
use super::{ApiError, AppState, Place, forward, json_of, json_response, parse_json, place};
use crate::commands::execute;

/// Largest page of history.
const MAX_LIMIT: usize = 1000;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    chat: Option<String>,
    before: Option<u64>,
    limit: Option<usize>,
}

/// `GET ...?chat=&before=SEQ&limit=N`: newest first.
pub async fn history(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<Page>,
) -> Result<Response, ApiError> {
    place(&s, &id).await?;
    let limit = p.limit.unwrap_or(50);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_LIMIT}"
        )));
    }
    let rows =
        s.gw.store
            .messages(
                &id,
                p.chat.as_deref().filter(|c| !c.is_empty()),
                p.before,
                limit,
            )
            .await
            .map_err(ApiError::store)?;
    Ok(json_of(StatusCode::OK, &rows))
}

/// The JSON shorthand.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Shorthand {
    to: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    data_b64: Option<String>,
    #[serde(default)]
    file_name: Option<String>,
}

fn command_of(
    to: String,
    text: Option<String>,
    file: Option<(String, Vec<u8>)>,
) -> Result<Command, ApiError> {
    match (text, file) {
        (Some(text), None) => Ok(Command::send_text(&to, &text)),
        (None, Some((name, bytes))) => Ok(Command::send_bytes(&to, &name, &bytes)),
        _ => Err(ApiError::bad_request(
            "give either \"text\", or a file (\"data_b64\" with \"file_name\", or a multipart \"file\")",
        )),
    }
}

async fn from_json(body: &[u8]) -> Result<Command, ApiError> {
    let m: Shorthand = parse_json(body)?;
    let file = match (m.data_b64, m.file_name) {
        (Some(b64), Some(name)) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map_err(|e| ApiError::bad_request(format!("\"data_b64\" is not base64: {e}")))?;
            Some((name, bytes))
        }
        (Some(_), None) => return Err(ApiError::bad_request("\"data_b64\" needs \"file_name\"")),
        (None, Some(_)) => return Err(ApiError::bad_request("\"file_name\" needs \"data_b64\"")),
        (None, None) => None,
    };
    command_of(m.to, m.text, file)
}

async fn from_multipart(mut form: Multipart) -> Result<Command, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::bad_request(format!("unreadable multipart form: {e}"))
    };
    let (mut to, mut text, mut file) = (None, None, None);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "to" => to = Some(field.text().await.map_err(bad)?),
            "text" => text = Some(field.text().await.map_err(bad)?),
            "file" => {
                let name = field
                    .file_name()
                    .filter(|n| !n.is_empty())
                    .unwrap_or("file")
                    .to_owned();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown form field {other:?}: expected to, file or text"
                )));
            }
        }
    }
    let to = to.ok_or_else(|| ApiError::bad_request("the form needs a \"to\" field"))?;
    command_of(to, text, file)
}

/// `POST`: sends a text or a file; answers like `/commands`.
pub async fn send(
    State(s): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let here = place(&s, &id).await?;
    let key = idempotency_key(req.headers())?;
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let command = if multipart {
        let form = Multipart::from_request(req, &s)
            .await
            .map_err(|e| ApiError::bad_request(format!("not a multipart form: {e}")))?;
        from_multipart(form).await?
    } else {
        let body = Bytes::from_request(req, &s)
            .await
            .map_err(|e| ApiError::bad_request(format!("unreadable body: {e}")))?;
        from_json(&body).await?
    };
    let a = match here {
        Place::Here(a) => a,
        Place::Elsewhere => {
            let request = serde_json::to_string(&command).expect("commands serialize");
            return Ok(forward(&s, &id, request, key.as_deref()).await);
        }
    };
    let reply = execute(&s.gw, &a, command.into(), key.as_deref()).await;
    Ok(json_response(reply.status, reply.body))
}
