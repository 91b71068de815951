//! Running a boundary command for an account: what `POST .../commands`, `POST
//! .../messages` and webhook quick replies share. Idempotency keys (executed once, the
//! same answer again), the HTTP status of an answer, and what the history learns from
//! it (a send's text, a revoke).

use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use md5::{Digest, Md5};
use webwx_core::boundary::{
    Answer, Command, CommandId, CommandResult, ErrorInfo, ErrorKind, Outcome, Request,
};
use webwx_hyper::prelude::*;

use crate::Gateway;
use crate::accounts::{Account, Note};
use crate::store::{Idempotency, StoreError};

/// An answer as the API sends it: the status and the JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// JSON body.
    pub body: String,
}

impl Reply {
    /// `{"error": {"kind", "message"}}` with `status` (and `"answer"` when the command
    /// had an id).
    pub fn error(status: StatusCode, id: Option<CommandId>, kind: &str, message: &str) -> Reply {
        let mut v = serde_json::json!({"error": {"kind": kind, "message": message}});
        if let Some(id) = id {
            v["answer"] = serde_json::to_value(id).unwrap_or_default();
        }
        Reply {
            status,
            body: v.to_string(),
        }
    }
}

/// The HTTP status of an answer: 200 for a result; for an error, what kind of failure
/// it is (the caller's: 400; the session's state: 409; the server's: 502; time: 504).
pub fn status_of(answer: &Answer) -> StatusCode {
    let Outcome::Error(e) = &answer.outcome else {
        return StatusCode::OK;
    };
    match e.kind {
        ErrorKind::BadCommand
        | ErrorKind::Invalid
        | ErrorKind::UnknownName
        | ErrorKind::AmbiguousName
        | ErrorKind::Unknown
        | ErrorKind::Unsupported => StatusCode::BAD_REQUEST,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::NotLoggedIn | ErrorKind::SessionEnded | ErrorKind::Cancelled => {
            StatusCode::CONFLICT
        }
        ErrorKind::Refused | ErrorKind::Transport | ErrorKind::Protocol => StatusCode::BAD_GATEWAY,
        ErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Refuses what a command may not do over HTTP: name a local file (`send_file`'s
/// `"path"`, `download`'s `"save_to"`). A token holder must not read or write the
/// gateway's files.
pub fn check_remote(command: &Command) -> Result<(), String> {
    match command {
        Command::SendFile { path: Some(_), .. } => Err(
            "\"path\" is refused over HTTP: send the bytes as \"data_b64\" with \"file_name\", \
             or as multipart on /messages"
                .into(),
        ),
        Command::Download {
            save_to: Some(_), ..
        } => Err("\"save_to\" is refused over HTTP: downloads answer inline (base64)".into()),
        _ => Ok(()),
    }
}

/// What identifies a request under an idempotency key: the command itself (its JSON).
fn fingerprint(command: &Command) -> String {
    let json = serde_json::to_string(command).expect("commands serialize");
    let digest = Md5::digest(json.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn store_error(id: Option<CommandId>, e: &StoreError) -> Reply {
    match e {
        StoreError::NoAccount(_) => {
            Reply::error(StatusCode::NOT_FOUND, id, "not_found", "no such account")
        }
        e => Reply::error(
            StatusCode::SERVICE_UNAVAILABLE,
            id,
            "store",
            &format!("the store failed: {e}"),
        ),
    }
}

/// Runs `request` for `account` and answers once its outcome is known; with `key`, at
/// most once per key (the same key answers the stored answer again). The command runs
/// in its own task: a caller that goes away does not cancel it.
pub async fn execute(
    gw: &Arc<Gateway>,
    account: &Arc<Account>,
    request: Request,
    key: Option<&str>,
) -> Reply {
    let id = request.id.clone();
    if let Some(key) = key {
        if key.is_empty() || key.len() > 255 {
            return Reply::error(
                StatusCode::BAD_REQUEST,
                id,
                "bad_request",
                "an Idempotency-Key has 1 to 255 characters",
            );
        }
        let fp = fingerprint(&request.command);
        let mut waited = Duration::ZERO;
        loop {
            let now = crate::now_ms();
            match gw
                .store
                .idempotency_begin(&account.fence, key, &fp, now)
                .await
            {
                Ok(Idempotency::Run) => break,
                Ok(Idempotency::Done { status, answer }) => {
                    return Reply {
                        status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                        body: answer,
                    };
                }
                Ok(Idempotency::Running) if waited < Duration::from_secs(900) => {
                    // The first request with this key is still running here: its answer
                    // is this one's too.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    waited += Duration::from_millis(50);
                }
                Ok(Idempotency::Running) => {
                    return Reply::error(
                        StatusCode::CONFLICT,
                        id,
                        "in_progress",
                        "a request with this Idempotency-Key is still running",
                    );
                }
                Ok(Idempotency::Interrupted) => {
                    return Reply::error(
                        StatusCode::CONFLICT,
                        id,
                        "interrupted",
                        "the gateway stopped while the first request with this Idempotency-Key \
                         ran: its outcome is unknown, so it is not run again",
                    );
                }
                Ok(Idempotency::Mismatch) => {
                    return Reply::error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        id,
                        "idempotency_mismatch",
                        "this Idempotency-Key was used for another command",
                    );
                }
                Err(e) => return store_error(id, &e),
            }
        }
    }
    let (gw2, account2, key2) = (gw.clone(), account.clone(), key.map(str::to_owned));
    let task = tokio::spawn(async move {
        let reply = run(&gw2, &account2, request).await;
        if let Some(key) = key2
            && let Err(e) = gw2
                .store
                .idempotency_finish(&account2.fence, &key, reply.status.as_u16(), &reply.body)
                .await
        {
            tracing::error!(account = %account2.id, error = %e, "cannot store an idempotent answer");
        }
        reply
    });
    match task.await {
        Ok(r) => r,
        Err(e) => Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            id,
            "internal",
            &format!("the command's task failed: {e}"),
        ),
    }
}

/// Runs the command on the account's session and tells the recorder what the history
/// needs.
async fn run(gw: &Gateway, account: &Account, request: Request) -> Reply {
    let Some(running) = account.running() else {
        let answer = Answer::new(
            request.id,
            Err(ErrorInfo::new(
                ErrorKind::SessionEnded,
                "the account has no session: log it in again (POST /v1/accounts with its name)",
            )),
        );
        return Reply {
            status: status_of(&answer),
            body: answer.to_json(),
        };
    };
    let command = request.command.clone();
    let wait = gw.pacer.wait(&account.id, &command);
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let answer = running.handle.command(request).await;
    if let Outcome::Result(result) = &answer.outcome {
        note(gw, &running, &command, result);
    }
    Reply {
        status: status_of(&answer),
        body: answer.to_json(),
    }
}

fn note(
    gw: &Gateway,
    running: &crate::accounts::Running,
    command: &Command,
    result: &CommandResult,
) {
    let resolve = |to: &str| {
        running
            .handle
            .inspect(|c| webwx_core::names::resolve(c.contacts(), to))
            .unwrap_or_else(|_| to.to_owned())
    };
    let note = match (command, result) {
        (Command::SendText { to, text, .. }, CommandResult::Sent { local_id, msg_id }) => {
            Note::Sent {
                local_id: local_id.0.clone(),
                msg_id: msg_id.clone(),
                chat: resolve(to),
                kind: "text".into(),
                text: Some(text.clone()),
                file_name: None,
            }
        }
        (Command::SendFile { to, file_name, .. }, CommandResult::Sent { local_id, msg_id }) => {
            Note::Sent {
                local_id: local_id.0.clone(),
                msg_id: msg_id.clone(),
                chat: resolve(to),
                kind: "file".into(),
                text: None,
                file_name: file_name.clone(),
            }
        }
        (Command::Revoke { msg_id, .. }, CommandResult::Done { .. }) => Note::Revoked {
            msg_id: msg_id.clone(),
        },
        (_, CommandResult::Sent { .. }) => {
            gw.metrics
                .sends
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        _ => return,
    };
    if matches!(note, Note::Sent { .. }) {
        gw.metrics
            .sends
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let _ = running.notes.send(note);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_files_are_refused_and_statuses_follow_kinds() {
        assert!(check_remote(&Command::send_path("x", "/etc/passwd")).is_err());
        assert!(check_remote(&Command::send_bytes("x", "a.txt", b"a")).is_ok());
        let dl: Command =
            serde_json::from_str(r#"{"cmd":"download","msg_id":"1","save_to":"/tmp"}"#).unwrap();
        assert!(check_remote(&dl).is_err());
        let ok = Answer::new(None, Ok(CommandResult::LoggedOut {}));
        assert_eq!(status_of(&ok), StatusCode::OK);
        let bad = Answer::new(None, Err(ErrorInfo::new(ErrorKind::UnknownName, "x")));
        assert_eq!(status_of(&bad), StatusCode::BAD_REQUEST);
        let t = Answer::new(None, Err(ErrorInfo::new(ErrorKind::Timeout, "x")));
        assert_eq!(status_of(&t), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(
            fingerprint(&Command::send_text("a", "b")),
            fingerprint(&Command::send_text("a", "b"))
        );
        assert_ne!(
            fingerprint(&Command::send_text("a", "b")),
            fingerprint(&Command::send_text("a", "c"))
        );
    }
}
