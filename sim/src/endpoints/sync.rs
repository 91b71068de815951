//! The message loop: the synccheck long-poll and webwxsync.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Notify;

use super::auth::{
    PassTicket, RET_BAD_REQUEST, RET_COOKIE, RET_INVALID, RET_NO_SESSION, json_session,
};
use super::ret_json;
use crate::control_types::FaultKind;
use crate::cookies::CookieScope;
use crate::hosts;
use crate::request::{Req, decode_fixpoint};
use crate::response::Resp;
use crate::shared::Shared;
use crate::wire::{self, DelContactJson, Members, SyncJson};
use crate::world::World;
use crate::world::session::EventKind;

fn synccheck_js(retcode: i64, selector: u32) -> Resp {
    Resp::js(format!(
        "window.synccheck={{retcode:\"{retcode}\",selector:\"{selector}\"}}"
    ))
}

/// Key 1 of a `k_v|k_v` synckey.
fn key1_of_text(s: &str) -> Option<u64> {
    s.split('|').find_map(|kv| {
        let (k, v) = kv.split_once('_')?;
        (k.trim() == "1").then(|| v.trim().parse().ok())?
    })
}

/// Checks a synccheck; the session's wake-up and the selector to answer now.
fn synccheck_state(w: &World, req: &Req) -> Result<(Arc<Notify>, u32), i64> {
    let sid = req.q("sid").map(decode_fixpoint).ok_or(RET_NO_SESSION)?;
    let s = w.session(&sid).ok_or(RET_NO_SESSION)?;
    if let Some(code) = s.ended {
        return Err(code);
    }
    if let Some(host) = req.relay_host()
        && !hosts::host_matches_home(host, hosts::HostClass::Push, s.home)
    {
        return Err(RET_NO_SESSION);
    }
    let uin = req.q("uin").and_then(|u| u.trim().parse::<u64>().ok());
    if uin != Some(s.uin) {
        return Err(RET_NO_SESSION);
    }
    if req.q("skey").map(decode_fixpoint).as_deref() != Some(s.skey.as_str()) {
        return Err(RET_INVALID);
    }
    match (req.cookie("wxuin"), req.cookie("wxsid")) {
        (Some(u), Some(c)) if u.trim() == s.uin.to_string() && c.trim() == s.sid => {}
        _ => return Err(RET_COOKIE),
    }
    let seq = req
        .q("synckey")
        .and_then(key1_of_text)
        .and_then(|k| s.sync.decode(k))
        .unwrap_or(s.sync.ack);
    Ok((s.notify.clone(), s.sync.selector_after(seq)))
}

/// The synccheck against `w`: its answer now, or `None` while it holds. `timed_out`: the
/// hold ran out (answers `retcode 0, selector 0`).
pub(crate) fn synccheck_in(w: &World, req: &Req, timed_out: bool) -> Option<Resp> {
    let r = match synccheck_state(w, req) {
        Ok((_, 0)) if !timed_out => return None,
        Ok((_, sel)) => synccheck_js(0, sel),
        Err(code) => synccheck_js(code, 0),
    };
    Some(allow_plain(req, r))
}

/// Plain-form synccheck answers carry `access-control-allow-origin: *`, as the real ones.
fn allow_plain(req: &Req, r: Resp) -> Resp {
    if req.relay_host().is_none() {
        r.with_header("access-control-allow-origin", "*")
    } else {
        r
    }
}

/// `GET synccheck?r=..&skey=..&sid=..&uin=..&deviceid=..&synckey=..`: holds until
/// something is pending or the hold runs out.
pub(crate) async fn synccheck(shared: &Arc<Shared>, req: &Req) -> Resp {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(shared.cfg.hold_ms);
    let mut stop = shared.shutdown.clone();
    loop {
        let notify = {
            let w = shared.world();
            match synccheck_state(&w, req) {
                Ok((n, 0)) => n,
                _ => match synccheck_in(&w, req, false) {
                    Some(r) => return r,
                    None => continue,
                },
            }
        };
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(r) = synccheck_in(&shared.world(), req, false) {
            return r;
        }
        tokio::select! {
            _ = &mut notified => continue,
            _ = tokio::time::sleep_until(deadline) => return allow_plain(req, synccheck_js(0, 0)),
            _ = stop.changed() => return allow_plain(req, synccheck_js(0, 0)),
        }
    }
}

/// `POST webwxsync?sid=..&skey=..&pass_ticket=..`: what happened since the SyncKey.
pub(crate) fn sync(w: &mut World, req: &Req) -> Resp {
    let Some(body) = req.json() else {
        return ret_json(RET_BAD_REQUEST);
    };
    let sid = match json_session(w, req, &body, PassTicket::Required) {
        Ok(s) => s,
        Err(ret) => return Resp::json_pretty(&wire::sync_error(ret)),
    };
    if let Some(q) = req.q("sid")
        && decode_fixpoint(q) != sid
    {
        return Resp::json_pretty(&wire::sync_error(RET_NO_SESSION));
    }
    let key1 = body
        .get("SyncKey")
        .and_then(|k| k.get("List"))
        .and_then(Value::as_array)
        .and_then(|l| {
            l.iter()
                .find_map(|kv| (kv.get("Key")?.as_u64()? == 1).then(|| kv.get("Val")?.as_u64())?)
        });
    let batch = w.sync_batch();
    let now = w.unix_now();
    let Some(seq) = key1.and_then(|k| w.acknowledge_sync(&sid, k)) else {
        return Resp::json_pretty(&wire::sync_error(1));
    };
    let s = w.session(&sid).expect("checked");
    let mut events: Vec<_> = s.sync.after(seq).take(batch).cloned().collect();
    let new_seq = events.last().map_or(s.sync.issued, |e| e.seq);
    let more = s.sync.after(new_seq).next().is_some();
    // The `rewind` fault: the keys go back up to three positions behind the client's, and
    // what lies between comes again.
    let key_seq = match req.twist {
        Some(FaultKind::Rewind) => {
            let back = seq.saturating_sub(3);
            let again: Vec<_> = s.sync.recent_after(back).cloned().collect();
            events.splice(0..0, again);
            back
        }
        _ => new_seq,
    };
    let uin = s.uin;
    let skey = s.skey.clone();
    let sync_key = wire::sync_key(&s.sync, key_seq, s.login_time);
    let sync_check_key = wire::sync_check_key(&s.sync, key_seq, s.login_time, now);
    let scope = CookieScope::new(req.relay_host().is_some(), s.home);
    let cookies = scope.sync(s, now, s.login_time);
    let acc = w.account(uin).expect("session account");
    let mut out = wire::sync_error(0);
    let mut delivered = 0;
    for e in &events {
        match &e.kind {
            EventKind::Msg(m) => {
                out.add_msg_list.push(wire::msg_json(m));
                delivered += 1;
                if req.twist == Some(FaultKind::Duplicate) {
                    out.add_msg_list.push(wire::msg_json(m));
                }
            }
            EventKind::ModContact(un) | EventKind::AddContact(un) => {
                if let Some(c) = acc.contact(un) {
                    out.mod_contact_list
                        .push(wire::contact_json(c, &skey, Members::Full));
                }
            }
            EventKind::ModMembers(un) => {
                if let Some(c) = acc.contact(un) {
                    out.mod_contact_list
                        .push(wire::contact_json(c, &skey, Members::Full));
                    out.mod_chat_room_member_list
                        .push(wire::contact_json(c, &skey, Members::Full));
                }
            }
            EventKind::DelContact(un) => out.del_contact_list.push(DelContactJson {
                user_name: un.clone(),
                contact_flag: 0,
            }),
            EventKind::Profile => out.profile = wire::changed_profile(&acc.me, &skey),
        }
    }
    out.add_msg_count = out.add_msg_list.len();
    out.mod_contact_count = out.mod_contact_list.len();
    out.del_contact_count = out.del_contact_list.len();
    out.mod_chat_room_member_count = out.mod_chat_room_member_list.len();
    out.continue_flag = u32::from(more);
    out.sync_key = sync_key;
    out.sync_check_key = sync_check_key;
    out.skey = skey;
    w.bump_by("messages_delivered", delivered);
    w.bump("syncs");
    let mut r = Resp::json_pretty::<SyncJson>(&out);
    r.cookies = cookies;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synckey_text() {
        assert_eq!(key1_of_text("1_698325105|2_698325111|3_1"), Some(698325105));
        assert_eq!(key1_of_text("2_5|1_7"), Some(7));
        assert_eq!(key1_of_text("garbage"), None);
    }
}
