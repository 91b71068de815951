//! webwxgetcontact (paged with Seq) and webwxbatchgetcontact.

use serde::Serialize;
use serde_json::Value;

use super::auth::{JsonRequest, PassTicket, get_session, json_request};
use super::ret_json;
use crate::request::Req;
use crate::response::Resp;
use crate::wire::{self, BaseResponse, ContactJson, Members};
use crate::world::World;

#[derive(Serialize)]
struct GetContactJson {
    #[serde(rename = "BaseResponse")]
    base_response: BaseResponse,
    #[serde(rename = "MemberCount")]
    member_count: usize,
    #[serde(rename = "MemberList")]
    member_list: Vec<ContactJson>,
    #[serde(rename = "Seq")]
    seq: u64,
}

/// `GET webwxgetcontact?r=..&seq=..&skey=..`: one page; `Seq` is where the next starts (0: done).
pub(crate) fn getcontact(w: &mut World, req: &Req) -> Resp {
    let sid = match get_session(w, req, true, false) {
        Ok(s) => s,
        Err(ret) => return ret_json(ret),
    };
    let s = w.session(&sid).expect("checked");
    let acc = w.account(s.uin).expect("session account");
    // Seq is client data: past the end (or past usize) it is an empty last page.
    let start = req
        .q("seq")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(acc.contacts.len());
    let end = start
        .saturating_add(w.contact_page())
        .min(acc.contacts.len());
    let list: Vec<ContactJson> = acc.contacts[start..end]
        .iter()
        .map(|c| wire::contact_json(c, &s.skey, Members::Deferred))
        .collect();
    let next = if end < acc.contacts.len() {
        end as u64
    } else {
        0
    };
    let out = GetContactJson {
        base_response: wire::base(0),
        member_count: list.len(),
        member_list: list,
        seq: next,
    };
    Resp::json_pretty(&out)
}

#[derive(Serialize)]
struct BatchJson {
    #[serde(rename = "BaseResponse")]
    base_response: BaseResponse,
    #[serde(rename = "Count")]
    count: usize,
    #[serde(rename = "ContactList")]
    contact_list: Vec<ContactJson>,
}

/// `POST webwxbatchgetcontact?type=ex&r=..`: contacts, groups with members, or members of a group.
pub(crate) fn batchgetcontact(w: &mut World, req: &Req) -> Resp {
    let JsonRequest { body, sid, .. } = match json_request(w, req, PassTicket::Optional) {
        Ok(r) => r,
        Err(ret) => return ret_json(ret),
    };
    let s = w.session(&sid).expect("checked");
    let acc = w.account(s.uin).expect("session account");
    let list = body
        .get("List")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for item in &list {
        let Some(un) = item.get("UserName").and_then(Value::as_str) else {
            continue;
        };
        let room = item
            .get("EncryChatRoomId")
            .or_else(|| item.get("ChatRoomId"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Some(c) = acc.contact(un) {
            out.push(wire::contact_json(c, &s.skey, Members::Full));
            continue;
        }
        if un == acc.me.user_name {
            let mut c = crate::world::generate::blank_contact(
                crate::world::account::ContactKind::Friend,
                un.to_string(),
                &acc.me.nick_name,
                "",
            );
            c.sex = acc.me.sex;
            c.head_seq = acc.me.head_seq;
            out.push(wire::contact_json(&c, &s.skey, Members::Full));
            continue;
        }
        // A group member who is not a contact: found through the group.
        let found = acc.contacts.iter().filter(|c| c.is_group()).find_map(|g| {
            let grp = g.group.as_ref()?;
            if !room.is_empty() && grp.encry_chat_room_id != room && g.user_name != room {
                return None;
            }
            g.member(un)
        });
        if let Some(m) = found {
            let mut c = crate::world::generate::blank_contact(
                crate::world::account::ContactKind::Friend,
                m.user_name.clone(),
                &m.nick_name,
                "",
            );
            c.contact_flag = 0;
            c.key_word = m.key_word.clone();
            c.attr_status = m.attr_status;
            let mut j = wire::contact_json(&c, &s.skey, Members::Full);
            j.display_name = m.display_name.clone();
            out.push(j);
        }
    }
    Resp::json_pretty(&BatchJson {
        base_response: wire::base(0),
        count: out.len(),
        contact_list: out,
    })
}
