//! Group management: webwxcreatechatroom and webwxupdatechatroom
//! (addmember, invitemember, delmember, modtopic).

use serde::Serialize;
use serde_json::Value;

use super::auth::{JsonRequest, PassTicket, json_request};
use super::ret_json;
use crate::request::{Req, str_field};
use crate::response::Resp;
use crate::wire::{self, BaseResponse, MemberJson};
use crate::world::account::{ContactKind, Member};
use crate::world::session::EventKind;
use crate::world::{World, generate};

#[derive(Serialize)]
struct CreateJson {
    #[serde(rename = "BaseResponse")]
    base_response: BaseResponse,
    #[serde(rename = "Topic")]
    topic: String,
    #[serde(rename = "PYInitial")]
    py_initial: String,
    #[serde(rename = "QuanPin")]
    quan_pin: String,
    #[serde(rename = "MemberCount")]
    member_count: usize,
    #[serde(rename = "MemberList")]
    member_list: Vec<MemberJson>,
    #[serde(rename = "ChatRoomName")]
    chat_room_name: String,
    #[serde(rename = "BlackList")]
    black_list: String,
}

fn quoted_names(names: &[String]) -> String {
    format!("\"{}\"", names.join("、"))
}

/// `POST webwxcreatechatroom`: a new group with the account and at least two friends.
pub(crate) fn create(w: &mut World, req: &Req) -> Resp {
    let JsonRequest { body, uin, .. } = match json_request(w, req, PassTicket::Optional) {
        Ok(r) => r,
        Err(ret) => return ret_json(ret),
    };
    let topic = str_field(&body, "Topic").to_string();
    let wanted: Vec<String> = body
        .get("MemberList")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|m| {
                    m.get("UserName")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    let acc = w.account(uin).expect("session account");
    let mut members = Vec::new();
    for un in &wanted {
        match acc.contact(un) {
            Some(c) if c.kind == ContactKind::Friend => {
                if !members.iter().any(|m: &Member| &m.user_name == un) {
                    members.push(generate::member_from(c));
                }
            }
            _ => return ret_json(1),
        }
    }
    if members.len() < 2 {
        return ret_json(1);
    }
    let names: Vec<String> = members.iter().map(|m| m.nick_name.clone()).collect();
    let group = w.create_group(uin, &topic, members);
    let un = group.user_name.clone();
    let member_list = group
        .group
        .as_ref()
        .map(|g| g.members.iter().map(wire::member_json).collect::<Vec<_>>())
        .unwrap_or_default();
    w.system_message(
        uin,
        &un,
        &format!("你邀请{}加入了群聊", quoted_names(&names)),
    );
    w.bump("groups_created");
    Resp::json(&CreateJson {
        base_response: wire::base(0),
        topic,
        py_initial: String::new(),
        quan_pin: String::new(),
        member_count: member_list.len(),
        member_list,
        chat_room_name: un,
        black_list: String::new(),
    })
}

#[derive(Serialize)]
struct UpdateJson {
    #[serde(rename = "BaseResponse")]
    base_response: BaseResponse,
    #[serde(rename = "MemberCount")]
    member_count: usize,
    #[serde(rename = "MemberList")]
    member_list: Vec<MemberJson>,
}

fn split_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_str)
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `POST webwxupdatechatroom?fun=addmember|invitemember|delmember|modtopic`.
pub(crate) fn update(w: &mut World, req: &Req) -> Resp {
    let JsonRequest { body, uin, .. } = match json_request(w, req, PassTicket::Optional) {
        Ok(r) => r,
        Err(ret) => return ret_json(ret),
    };
    let room = str_field(&body, "ChatRoomName").to_string();
    let fun = req.q("fun").unwrap_or("").to_string();
    let acc = w.account(uin).expect("session account");
    // Members to add, all friends, resolved before the group changes: a list with
    // anyone else is refused as a whole.
    let adding = match fun.as_str() {
        "addmember" => split_list(body.get("AddMemberList")),
        "invitemember" => split_list(body.get("InviteMemberList")),
        _ => Vec::new(),
    }
    .iter()
    .map(|un| {
        acc.contact(un)
            .filter(|c| c.kind == ContactKind::Friend)
            .map(generate::member_from)
    })
    .collect::<Option<Vec<Member>>>();
    let Some(grp) = acc.contact(&room).and_then(|c| c.group.as_ref()) else {
        return ret_json(1);
    };
    let is_owner = grp.is_owner;
    let touched;
    let text;
    let event;
    match fun.as_str() {
        "addmember" | "invitemember" => {
            let Some(adding) = adding.filter(|l| !l.is_empty()) else {
                return ret_json(1);
            };
            touched = w.add_group_members(uin, &room, adding);
            let names: Vec<String> = touched.iter().map(|m| m.nick_name.clone()).collect();
            text = (!names.is_empty()).then(|| format!("你邀请{}加入了群聊", quoted_names(&names)));
            event = EventKind::ModMembers(room.clone());
        }
        "delmember" => {
            if !is_owner {
                return ret_json(-2);
            }
            let list = split_list(body.get("DelMemberList"));
            if list.is_empty() {
                return ret_json(1);
            }
            touched = w.remove_group_members(uin, &room, &list);
            let names: Vec<String> = touched.iter().map(|m| m.nick_name.clone()).collect();
            text = (!names.is_empty()).then(|| format!("你将{}移出了群聊", quoted_names(&names)));
            event = EventKind::ModMembers(room.clone());
        }
        "modtopic" => {
            let topic = str_field(&body, "NewTopic");
            w.rename_group(uin, &room, topic);
            touched = Vec::new();
            text = Some(format!("你修改群名为“{topic}”"));
            event = EventKind::ModContact(room.clone());
        }
        _ => return ret_json(1),
    }
    let member_list: Vec<MemberJson> = touched.iter().map(wire::member_json).collect();
    w.push_event(uin, event);
    if let Some(t) = text {
        w.system_message(uin, &room, &t);
    }
    w.bump("groups_updated");
    Resp::json(&UpdateJson {
        base_response: wire::base(0),
        member_count: member_list.len(),
        member_list,
    })
}
