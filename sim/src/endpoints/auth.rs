//! How the real server decided whether a request belongs to a live session:
//! BaseRequest, cookies, skey and pass_ticket in the query, and the host.
//! Every failure is the Ret (or synccheck retcode) the client gets.

use serde_json::Value;

use crate::hosts;
use crate::request::{Req, decode_fixpoint, u64_of};
use crate::world::World;

/// Session not found / uin wrong / cookies missing.
pub(crate) const RET_NO_SESSION: i64 = 1100;
/// Session invalid (skey wrong, logged in elsewhere).
pub(crate) const RET_INVALID: i64 = 1101;
/// Cookies do not match the session.
pub(crate) const RET_COOKIE: i64 = 1102;

/// Whether the query must carry pass_ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PassTicket {
    /// Every client sends it here (webwxsync).
    Required,
    /// Checked when present (some clients omit it: openwechat's webwxinit, itchat's sends).
    Optional,
    /// Not looked at: a client sent a value that cannot be the session's and the real
    /// server took it (openwechat's literal `pass_ticket=pass_ticket` on webwxsendvideomsg).
    Unchecked,
}

/// Compares a pass_ticket as received (encoded once, twice, or not at all).
pub(crate) fn ticket_matches(given: &str, expected: &str) -> bool {
    let g = decode_fixpoint(given);
    g == expected || g.replace(' ', "+") == expected
}

/// Checks what every request of a session is checked for once the session is known.
fn common(
    world: &World,
    req: &Req,
    sid: &str,
    cookies: bool,
    pass_ticket: PassTicket,
) -> Result<(), i64> {
    let s = world.session(sid).ok_or(RET_NO_SESSION)?;
    if let Some(code) = s.ended {
        return Err(code);
    }
    if let (Some(host), Some(class)) = (req.relay_host(), req.endpoint.class())
        && !hosts::host_matches_home(host, class, s.home)
    {
        return Err(RET_NO_SESSION);
    }
    if cookies {
        let (Some(cu), Some(cs)) = (req.cookie("wxuin"), req.cookie("wxsid")) else {
            return Err(RET_NO_SESSION);
        };
        if cu.trim() != s.uin.to_string() || cs.trim() != s.sid {
            return Err(RET_COOKIE);
        }
    }
    if let Some(k) = req.q("skey")
        && decode_fixpoint(k) != s.skey
    {
        return Err(RET_INVALID);
    }
    match req.q("pass_ticket") {
        _ if pass_ticket == PassTicket::Unchecked => {}
        Some(t) if !ticket_matches(t, &s.pass_ticket) => return Err(RET_NO_SESSION),
        None if pass_ticket == PassTicket::Required => return Err(RET_NO_SESSION),
        _ => {}
    }
    Ok(())
}

/// A JSON request: BaseRequest names the session; cookies are required.
pub(crate) fn json_session(
    world: &World,
    req: &Req,
    body: &Value,
    pass_ticket: PassTicket,
) -> Result<String, i64> {
    let br = body.get("BaseRequest").ok_or(RET_NO_SESSION)?;
    base_request_session(world, req, br, true, pass_ticket)
}

/// Ret for a request body that is not JSON (or lacks what the endpoint needs).
pub(crate) const RET_BAD_REQUEST: i64 = 1200;

/// A JSON request of a live session: its body and the session its BaseRequest names.
pub(crate) struct JsonRequest {
    /// The parsed body.
    pub body: Value,
    /// The session's sid.
    pub sid: String,
    /// The session's account.
    pub uin: u64,
}

/// Reads a JSON POST and checks the session its BaseRequest names; the `Err` is the Ret
/// to answer with: [`RET_BAD_REQUEST`] for a body that is not JSON, else what
/// [`json_session`] refuses with.
pub(crate) fn json_request(
    world: &World,
    req: &Req,
    pass_ticket: PassTicket,
) -> Result<JsonRequest, i64> {
    let body = req.json().ok_or(RET_BAD_REQUEST)?;
    let sid = json_session(world, req, &body, pass_ticket)?;
    let uin = world.session(&sid).expect("checked").uin;
    Ok(JsonRequest { body, sid, uin })
}

/// Checks a BaseRequest object (also used for uploadmediarequest).
pub(crate) fn base_request_session(
    world: &World,
    req: &Req,
    br: &Value,
    cookies: bool,
    pass_ticket: PassTicket,
) -> Result<String, i64> {
    let sid = br
        .get("Sid")
        .and_then(Value::as_str)
        .ok_or(RET_NO_SESSION)?;
    let s = world.session(sid).ok_or(RET_NO_SESSION)?;
    if let Some(code) = s.ended {
        return Err(code);
    }
    let uin = br.get("Uin").and_then(u64_of).ok_or(RET_NO_SESSION)?;
    if uin != s.uin {
        return Err(RET_NO_SESSION);
    }
    let skey = br.get("Skey").and_then(Value::as_str).unwrap_or("");
    if skey != s.skey {
        return Err(RET_INVALID);
    }
    common(world, req, sid, cookies, pass_ticket)?;
    Ok(sid.to_string())
}

/// A GET of the content host: cookies (or the skey) name the session.
pub(crate) fn get_session(
    world: &World,
    req: &Req,
    cookies: bool,
    skey_required: bool,
) -> Result<String, i64> {
    let by_cookie = req
        .cookie("wxsid")
        .filter(|sid| world.session(sid).is_some())
        .map(str::to_string);
    let sid = match by_cookie {
        Some(sid) => sid,
        None => {
            let k = req.q("skey").map(decode_fixpoint);
            match k.and_then(|k| world.sid_of_skey(&k)) {
                Some(sid) => sid,
                None => return Err(RET_NO_SESSION),
            }
        }
    };
    if skey_required && req.q("skey").is_none() {
        return Err(RET_INVALID);
    }
    common(world, req, &sid, cookies, PassTicket::Optional)?;
    Ok(sid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets() {
        let t = "kbmy5Jt9nj+JzBaJZYNpUBQyBwRTejeXq1sM/YH7iOI=";
        assert!(ticket_matches(t, t));
        assert!(ticket_matches(
            "kbmy5Jt9nj%2BJzBaJZYNpUBQyBwRTejeXq1sM%2FYH7iOI%3D",
            t
        ));
        assert!(ticket_matches(
            "kbmy5Jt9nj%252BJzBaJZYNpUBQyBwRTejeXq1sM%252FYH7iOI%253D",
            t
        ));
        assert!(ticket_matches(
            "kbmy5Jt9nj JzBaJZYNpUBQyBwRTejeXq1sM/YH7iOI=",
            t
        ));
        assert!(!ticket_matches("nope", t));
    }
}
