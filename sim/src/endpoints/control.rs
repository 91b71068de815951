//! The JSON control API on `/_sim/*`.

use std::sync::Arc;

use http::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::control_types::{
    AccountSpec, ContactEvent, ControlError, FaultSpec, InjectMessage, de_opt_u64,
};
use crate::request::Req;
use crate::response::Resp;
use crate::shared::Shared;

fn bad(e: &ControlError) -> Resp {
    Resp::control_error(StatusCode::BAD_REQUEST, &e.to_string())
}

fn body<T: DeserializeOwned>(req: &Req) -> Result<T, Resp> {
    let bytes: &[u8] = if req.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &req.body
    };
    serde_json::from_slice(bytes).map_err(|e| {
        Resp::control_error(StatusCode::BAD_REQUEST, &format!("invalid JSON body: {e}"))
    })
}

fn query_uin(req: &Req) -> Result<Option<u64>, Resp> {
    match req.q("uin") {
        None | Some("") => Ok(None),
        Some(u) => u
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| Resp::control_error(StatusCode::BAD_REQUEST, "uin must be a number")),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ScanBody {
    uuid: Option<String>,
    confirm: Option<bool>,
    cancel: bool,
    expire: bool,
    #[serde(deserialize_with = "de_opt_u64")]
    uin: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LogoutBody {
    #[serde(deserialize_with = "de_opt_u64")]
    uin: Option<u64>,
    retcode: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ClearBody {
    clear: bool,
}

/// Answers `/_sim/...`.
pub(crate) fn handle(shared: &Arc<Shared>, req: &Req) -> Resp {
    let path = req.path.trim_end_matches('/');
    let m = &req.method;
    let r = match (m, path) {
        (&Method::GET, "/_sim/state") => Ok(Resp::control(&shared.world().state_info())),
        (&Method::POST, "/_sim/scan") => scan(shared, req),
        (&Method::POST, "/_sim/messages") => {
            body::<InjectMessage>(req).map(|msg| match shared.world().inject_message(msg) {
                Ok(id) => Resp::control(&serde_json::json!({ "msg_id": id })),
                Err(e) => bad(&e),
            })
        }
        (&Method::GET, "/_sim/sent") => query_uin(req).map(|uin| {
            let w = shared.world();
            let list: Vec<_> = w
                .sent()
                .iter()
                .filter(|r| uin.is_none_or(|u| r.uin == u))
                .collect();
            Resp::control(&list)
        }),
        (&Method::GET, "/_sim/faults") => Ok(Resp::control(&shared.world().fault_specs())),
        (&Method::DELETE, "/_sim/faults") => {
            shared.world().clear_faults();
            Ok(Resp::control(&serde_json::json!({ "ok": true })))
        }
        (&Method::POST, "/_sim/faults") => {
            if body::<ClearBody>(req).is_ok_and(|c| c.clear) {
                shared.world().clear_faults();
                return Resp::control(&serde_json::json!({ "ok": true }));
            }
            body::<FaultSpec>(req).map(|f| {
                let mut w = shared.world();
                match w.add_fault(f) {
                    Ok(()) => {
                        Resp::control(&serde_json::json!({ "ok": true, "faults": w.fault_count() }))
                    }
                    Err(e) => bad(&e),
                }
            })
        }
        (&Method::POST, "/_sim/logout") => body::<LogoutBody>(req).map(|b| {
            match shared
                .world()
                .remote_logout(b.uin, b.retcode.unwrap_or(1101))
            {
                Ok(uin) => Resp::control(&serde_json::json!({ "uin": uin })),
                Err(e) => bad(&e),
            }
        }),
        (&Method::GET, "/_sim/contacts") => {
            query_uin(req).map(|uin| match shared.world().contacts_info(uin) {
                Ok(list) => Resp::control(&list),
                Err(e) => bad(&e),
            })
        }
        (&Method::POST, "/_sim/contacts") => {
            body::<ContactEvent>(req).map(|ev| match shared.world().contact_event(ev) {
                Ok(un) => Resp::control(&serde_json::json!({ "user_name": un })),
                Err(e) => bad(&e),
            })
        }
        (&Method::POST, "/_sim/accounts") => body::<AccountSpec>(req).map(|spec| {
            let mut w = shared.world();
            match w.prepare_account(spec) {
                Ok(uin) => {
                    let a = w.account(uin).expect("just created");
                    Resp::control(&serde_json::json!({
                        "uin": uin,
                        "user_name": a.me.user_name,
                        "nick_name": a.me.nick_name,
                        "home": a.home,
                    }))
                }
                Err(e) => bad(&e),
            }
        }),
        _ => Ok(Resp::control_error(
            StatusCode::NOT_FOUND,
            "unknown control endpoint",
        )),
    };
    r.unwrap_or_else(|e| e)
}

fn scan(shared: &Arc<Shared>, req: &Req) -> Result<Resp, Resp> {
    let b: ScanBody = body(req)?;
    let mut w = shared.world();
    let uuid = b.uuid.as_deref();
    let (res, state) = if b.cancel {
        (w.cancel(uuid), "cancelled")
    } else if b.expire {
        (w.expire(uuid), "expired")
    } else {
        let confirm = b.confirm.unwrap_or(true);
        (
            w.scan(uuid, confirm, b.uin),
            if confirm { "confirmed" } else { "scanned" },
        )
    };
    Ok(match res {
        Ok(u) => Resp::control(&serde_json::json!({ "uuid": u, "state": state })),
        Err(e) => bad(&e),
    })
}
