//! Group and contact operations over real HTTP, with their effects in later
//! syncs and in /_sim/contacts: verifyuser, createchatroom, updatechatroom, oplog.

mod common;

use common::*;
use serde_json::json;
use webwx_sim::InjectMessage;

fn friends(sim: &webwx_sim::RunningSim) -> Vec<webwx_sim::ContactInfo> {
    sim.control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == "friend")
        .collect()
}

#[test]
fn accept_a_friend_request() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    sim.control()
        .inject_message(InjectMessage {
            msg_type: Some(37),
            nick_name: Some("Newbie".into()),
            content: "我是Newbie".into(),
            ..InjectMessage::default()
        })
        .unwrap();
    let m = s.drain(&sim).pop().unwrap();
    assert_eq!(m["MsgType"], 37);
    assert_eq!(m["FromUserName"], "fmessage");
    let rec = &m["RecommendInfo"];
    let un = rec["UserName"].as_str().unwrap().to_string();
    let ticket = rec["Ticket"].as_str().unwrap().to_string();
    assert_eq!(rec["NickName"], "Newbie");
    assert_eq!(rec["Content"], "我是Newbie");
    let r = s.post(
        &sim,
        "webwxverifyuser",
        &format!("r=1&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request(), "Opcode": 3, "VerifyUserListSize": 1,
                "VerifyUserList": [{"Value": un, "VerifyUserTicket": ticket}],
                "VerifyContent": "", "SceneListCount": 1, "SceneList": [33], "skey": s.skey}),
    );
    assert_eq!(r.ret(), 0);
    assert!(
        friends(&sim)
            .iter()
            .any(|c| c.user_name == un && c.nick_name == "Newbie")
    );
    assert_eq!(s.synccheck(&sim).1, "6");
    let v = s.sync(&sim);
    assert_eq!(v["ModContactList"][0]["UserName"], un.as_str());
    assert_eq!(v["AddMsgList"][0]["MsgType"], 10000);
    assert!(
        v["AddMsgList"][0]["Content"]
            .as_str()
            .unwrap()
            .contains("你已添加了Newbie")
    );
    // The ticket is used up.
    let r = s.post(
        &sim,
        "webwxverifyuser",
        "",
        &json!({"BaseRequest": s.base_request(), "Opcode": 3, "VerifyUserList": [{"Value": "@x", "VerifyUserTicket": "v2_x"}]}),
    );
    assert_eq!(r.ret(), 1);
}

#[test]
fn add_a_group_member_as_friend() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let contacts = sim.control().contacts(None).unwrap();
    let known: std::collections::HashSet<_> =
        contacts.iter().map(|c| c.user_name.clone()).collect();
    let stranger = contacts
        .iter()
        .filter_map(|c| c.members.clone())
        .flatten()
        .find(|m| !known.contains(&m.user_name) && m.user_name != s.user_name)
        .unwrap();
    let r = s.post(
        &sim,
        "webwxverifyuser",
        "",
        &json!({"BaseRequest": s.base_request(), "Opcode": 2, "VerifyUserListSize": 1,
                "VerifyUserList": [{"Value": stranger.user_name, "VerifyUserTicket": ""}],
                "VerifyContent": "hi", "SceneListCount": 1, "SceneList": [33], "skey": s.skey}),
    );
    assert_eq!(r.ret(), 0);
    assert!(
        friends(&sim)
            .iter()
            .any(|c| c.user_name == stranger.user_name)
    );
    assert_eq!(s.sync(&sim)["ModContactCount"], 1);
}

#[test]
fn create_update_and_rename_a_group() {
    let sim = sim();
    let mut s = login(&sim, Form::Relay);
    let f = friends(&sim);
    let q = format!("r=1&{}", s.pass_query());
    // Fewer than two others: refused.
    let r = s.post(&sim, "webwxcreatechatroom", &q, &json!({"BaseRequest": s.base_request(), "MemberCount": 1, "MemberList": [{"UserName": f[0].user_name}], "Topic": ""}));
    assert_eq!(r.ret(), 1);
    let r = s.post(
        &sim,
        "webwxcreatechatroom",
        &q,
        &json!({"BaseRequest": s.base_request(), "MemberCount": 2,
                "MemberList": [{"UserName": f[0].user_name}, {"UserName": f[1].user_name}], "Topic": "测试群"}),
    );
    let v = r.json();
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    let room = v["ChatRoomName"].as_str().unwrap().to_string();
    assert!(room.starts_with("@@"));
    assert_eq!(v["MemberCount"], 3);
    assert_eq!(v["Topic"], "测试群");
    let g = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.user_name == room)
        .unwrap();
    assert_eq!(g.kind, "group");
    assert_eq!(g.members.as_ref().unwrap().len(), 3);
    let v = s.sync(&sim);
    assert_eq!(v["ModContactList"][0]["UserName"], room.as_str());
    assert_eq!(v["ModContactList"][0]["MemberCount"], 3);
    assert!(
        v["AddMsgList"][0]["Content"]
            .as_str()
            .unwrap()
            .starts_with("你邀请\"")
    );

    // addmember / invitemember.
    let r = s.post(
        &sim,
        "webwxupdatechatroom",
        &format!("fun=addmember&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request(), "ChatRoomName": room, "AddMemberList": f[2].user_name}),
    );
    assert_eq!(r.json()["MemberCount"], 1);
    let r = s.post(
        &sim,
        "webwxupdatechatroom",
        &format!("fun=invitemember&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request(), "ChatRoomName": room, "InviteMemberList": format!("{},{}", f[3].user_name, f[2].user_name)}),
    );
    assert_eq!(r.ret(), 0);
    let g = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.user_name == room)
        .unwrap();
    assert_eq!(g.members.as_ref().unwrap().len(), 5);
    assert_eq!(s.synccheck(&sim).1, "4");
    let v = s.sync(&sim);
    assert_eq!(v["ModChatRoomMemberCount"], 2);
    assert_eq!(v["ModContactList"][1]["MemberCount"], 5);

    // delmember (the account owns it) and modtopic.
    let r = s.post(
        &sim,
        "webwxupdatechatroom",
        &format!("fun=delmember&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request(), "ChatRoomName": room, "DelMemberList": f[2].user_name}),
    );
    assert_eq!(r.ret(), 0);
    let r = s.post(
        &sim,
        "webwxupdatechatroom",
        &format!("fun=modtopic&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request(), "ChatRoomName": room, "NewTopic": "新群名"}),
    );
    assert_eq!(r.ret(), 0);
    let g = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.user_name == room)
        .unwrap();
    assert_eq!(g.nick_name, "新群名");
    assert_eq!(g.members.as_ref().unwrap().len(), 4);
    let v = s.sync(&sim);
    let texts: Vec<&str> = v["AddMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Content"].as_str().unwrap())
        .collect();
    assert!(texts.iter().any(|t| t.starts_with("你将\"")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("新群名")), "{texts:?}");
    // A group the account does not own: no delmember; unknown fun; not a friend.
    let other = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == "group")
        .nth(1)
        .unwrap();
    let m = other
        .members
        .unwrap()
        .into_iter()
        .find(|m| m.user_name != s.user_name)
        .unwrap();
    let r = s.post(&sim, "webwxupdatechatroom", "fun=delmember", &json!({"BaseRequest": s.base_request(), "ChatRoomName": other.user_name, "DelMemberList": m.user_name}));
    assert_eq!(r.ret(), -2);
    let r = s.post(
        &sim,
        "webwxupdatechatroom",
        "fun=nope",
        &json!({"BaseRequest": s.base_request(), "ChatRoomName": room}),
    );
    assert_eq!(r.ret(), 1);
    let r = s.post(&sim, "webwxupdatechatroom", "fun=addmember", &json!({"BaseRequest": s.base_request(), "ChatRoomName": room, "AddMemberList": "@stranger"}));
    assert_eq!(r.ret(), 1);
}

#[test]
fn oplog_remark_and_pin() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let f = friends(&sim).into_iter().find(|c| !c.pinned).unwrap();
    let r = s.post(
        &sim,
        "webwxoplog",
        &format!("lang=zh_CN&{}", s.pass_query()),
        &json!({"UserName": f.user_name, "CmdId": 2, "RemarkName": "老同学", "BaseRequest": s.base_request()}),
    );
    assert_eq!(r.ret(), 0);
    let r = s.post(
        &sim,
        "webwxoplog",
        &s.pass_query(),
        &json!({"UserName": f.user_name, "CmdId": 3, "OP": 1, "BaseRequest": s.base_request()}),
    );
    assert_eq!(r.ret(), 0);
    let c = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.user_name == f.user_name)
        .unwrap();
    assert_eq!(c.remark_name, "老同学");
    assert!(c.pinned);
    assert_eq!(s.synccheck(&sim).1, "4");
    let v = s.sync(&sim);
    assert_eq!(v["ModContactCount"], 2);
    assert_eq!(v["ModContactList"][1]["RemarkName"], "老同学");
    assert_ne!(
        v["ModContactList"][1]["ContactFlag"].as_u64().unwrap() & 0x800,
        0
    );
    // Messages from a remarked contact can be injected by the remark.
    sim.control()
        .inject_message(InjectMessage {
            from: "老同学".into(),
            content: "hi".into(),
            ..InjectMessage::default()
        })
        .unwrap();
    assert_eq!(
        s.sync(&sim)["AddMsgList"][0]["FromUserName"],
        f.user_name.as_str()
    );
    let r = s.post(&sim, "webwxoplog", "", &json!({"UserName": "@nobody", "CmdId": 2, "RemarkName": "x", "BaseRequest": s.base_request()}));
    assert_eq!(r.ret(), 1);
    let r = s.post(
        &sim,
        "webwxoplog",
        "",
        &json!({"UserName": f.user_name, "CmdId": 9, "BaseRequest": s.base_request()}),
    );
    assert_eq!(r.ret(), 1);
}

#[test]
fn a_refused_addmember_changes_nothing() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let f = friends(&sim);
    let q = format!("r=1&{}", s.pass_query());
    let r = s.post(
        &sim,
        "webwxcreatechatroom",
        &q,
        &json!({"BaseRequest": s.base_request(), "MemberCount": 2,
                "MemberList": [{"UserName": f[0].user_name}, {"UserName": f[1].user_name}], "Topic": "群"}),
    );
    let room = r.json()["ChatRoomName"].as_str().unwrap().to_string();
    s.drain(&sim);
    let members = |sim: &webwx_sim::RunningSim| {
        sim.control()
            .contacts(None)
            .unwrap()
            .into_iter()
            .find(|c| c.user_name == room)
            .unwrap()
            .members
            .unwrap()
            .len()
    };
    assert_eq!(members(&sim), 3);
    // A friend, then someone who is not a friend: refused as a whole.
    let r = s.post(
        &sim,
        "webwxupdatechatroom",
        &format!("fun=addmember&{}", s.pass_query()),
        &json!({"BaseRequest": s.base_request(), "ChatRoomName": room,
                "AddMemberList": format!("{},@notafriend", f[2].user_name)}),
    );
    assert_eq!(r.ret(), 1);
    assert_eq!(members(&sim), 3, "no member added by a refused request");
    assert_eq!(s.synccheck(&sim).1, "0");
}
