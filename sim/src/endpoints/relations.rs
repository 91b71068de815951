//! Friendship and contact settings: webwxverifyuser and webwxoplog
//! (remark name CmdId 2, pin CmdId 3).

use serde_json::Value;

use super::auth::{JsonRequest, PassTicket, json_request};
use super::ret_json;
use crate::request::{Req, str_field};
use crate::response::Resp;
use crate::world::World;
use crate::world::account::ContactKind;
use crate::world::session::EventKind;

/// `POST webwxverifyuser`: Opcode 2 asks (strangers here accept at once),
/// 3 accepts a request (MsgType 37), 4 rejects one.
pub(crate) fn verifyuser(w: &mut World, req: &Req) -> Resp {
    let JsonRequest { body, uin, .. } = match json_request(w, req, PassTicket::Optional) {
        Ok(r) => r,
        Err(ret) => return ret_json(ret),
    };
    let opcode = body.get("Opcode").and_then(Value::as_u64).unwrap_or(0);
    let Some(item) = body
        .get("VerifyUserList")
        .and_then(Value::as_array)
        .and_then(|l| l.first())
    else {
        return ret_json(1);
    };
    let un = str_field(item, "Value").to_string();
    let ticket = str_field(item, "VerifyUserTicket").to_string();
    let acc = w.account(uin).expect("session account");
    if acc
        .contact(&un)
        .is_some_and(|c| c.kind == ContactKind::Friend)
    {
        return ret_json(0);
    }
    let nick = match opcode {
        3 | 4 => {
            let Some(r) = w.take_friend_request(uin, &un, &ticket) else {
                return ret_json(1);
            };
            if opcode == 4 {
                return ret_json(0);
            }
            r.nick_name
        }
        2 => {
            let member = acc.contacts.iter().find_map(|c| c.member(&un)).cloned();
            let request = acc.requests.iter().find(|r| r.user_name == un).cloned();
            match (member, request) {
                (Some(m), _) => m.nick_name,
                (None, Some(r)) => r.nick_name,
                _ => return ret_json(1),
            }
        }
        _ => return ret_json(1),
    };
    w.add_friend(uin, &un, &nick);
    w.system_message(uin, &un, &format!("你已添加了{nick}，现在可以开始聊天了。"));
    w.bump("friends_added");
    ret_json(0)
}

/// `POST webwxoplog`: CmdId 2 sets RemarkName, CmdId 3 pins (OP 1) or unpins (OP 0).
pub(crate) fn oplog(w: &mut World, req: &Req) -> Resp {
    let JsonRequest { body, uin, .. } = match json_request(w, req, PassTicket::Optional) {
        Ok(r) => r,
        Err(ret) => return ret_json(ret),
    };
    let un = str_field(&body, "UserName");
    let cmd = body.get("CmdId").and_then(Value::as_u64).unwrap_or(0);
    let changed = match cmd {
        2 => w.set_remark_name(uin, un, str_field(&body, "RemarkName")),
        3 => {
            let op = body.get("OP").and_then(Value::as_u64).unwrap_or(1);
            w.set_pinned(uin, un, op != 0)
        }
        _ => false,
    };
    if !changed {
        return ret_json(1);
    }
    let un = un.to_string();
    w.push_event(uin, EventKind::ModContact(un));
    w.bump("oplogs");
    ret_json(0)
}
