//! Friend and group operations: request snapshots, parses, and scenario tests through the
//! in-process fake.

// `common` is shared with the other test targets (and linted there).
#[allow(clippy::all)]
mod common;
#[path = "fixtures/sends/harness.rs"]
mod harness;

use common::{creds, hosts, render, session_ctx};
use harness::{ALICE, BIG_ROOM, BOB, Fake, ME, ROOM, endpoints, json, ret};
use webwx_core::client::commands::{OpKind, OpOutcome};
use webwx_core::contacts::ContactChange;
use webwx_core::endpoint::oplog::{self, Op};
use webwx_core::endpoint::updatechatroom::{self, Update};
use webwx_core::endpoint::{createchatroom, verifyuser};
use webwx_core::{CommandError, CommandEvent, CommandFailure, Event, Ret};

// ---- builds ----

#[test]
fn verifyuser_builds() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = verifyuser::build(&ctx, 2, "@stranger", "", "Hi, I'm Bot");
    assert!(req.uri().to_string().starts_with(
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxverifyuser?r=1546211298739&lang=zh_CN&pass_ticket="
    ));
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["Opcode"], 2);
    assert_eq!(body["VerifyUserListSize"], 1);
    assert_eq!(body["VerifyUserList"][0]["Value"], "@stranger");
    assert_eq!(body["VerifyUserList"][0]["VerifyUserTicket"], "");
    assert_eq!(body["VerifyContent"], "Hi, I'm Bot");
    assert_eq!(body["SceneListCount"], 1);
    assert_eq!(body["SceneList"], serde_json::json!([33]));
    assert_eq!(body["skey"], c.skey);
    insta::assert_snapshot!("verifyuser_request", render(&req));
    let req = verifyuser::build(&ctx, 3, "@requester", "v2_ticket@stranger", "");
    insta::assert_snapshot!("verifyuser_accept", render(&req));
}

#[test]
fn createchatroom_build() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = createchatroom::build(&ctx, "Trip", &["@a", "@b"]);
    assert!(req.uri().to_string().starts_with(
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxcreatechatroom?r=1546211298739&lang=zh_CN&pass_ticket="
    ));
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["MemberCount"], 2);
    assert_eq!(
        body["MemberList"],
        serde_json::json!([{"UserName": "@a"}, {"UserName": "@b"}])
    );
    assert_eq!(body["Topic"], "Trip");
    insta::assert_snapshot!(render(&req));
}

#[test]
fn updatechatroom_builds() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let members = ["@a", "@b"];
    for (update, fun, key, value) in [
        (Update::Add(&members), "addmember", "AddMemberList", "@a,@b"),
        (
            Update::Invite(&members),
            "invitemember",
            "InviteMemberList",
            "@a,@b",
        ),
        (
            Update::Remove(&members),
            "delmember",
            "DelMemberList",
            "@a,@b",
        ),
        (
            Update::Topic("New name"),
            "modtopic",
            "NewTopic",
            "New name",
        ),
    ] {
        let req = updatechatroom::build(&ctx, "@@room", &update);
        assert!(req.uri().to_string().starts_with(&format!(
            "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxupdatechatroom?fun={fun}&lang=zh_CN&pass_ticket="
        )));
        let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
        assert_eq!(body["ChatRoomName"], "@@room");
        assert_eq!(body[key], value);
        assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
        insta::assert_snapshot!(format!("updatechatroom_{fun}"), render(&req));
    }
}

#[test]
fn oplog_builds() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = oplog::build(&ctx, "@friend", &Op::Remark("新的备注名"));
    assert!(
        req.uri().to_string().starts_with(
            "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxoplog?lang=zh_CN&pass_ticket="
        )
    );
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["CmdId"], 2);
    assert_eq!(body["RemarkName"], "新的备注名");
    assert!(body.get("OP").is_none());
    insta::assert_snapshot!("oplog_remark", render(&req));
    for (pin, name) in [(true, "oplog_pin"), (false, "oplog_unpin")] {
        let req = oplog::build(
            &ctx,
            "@friend",
            &Op::Top {
                pin,
                remark: "keep",
            },
        );
        let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
        assert_eq!(body["CmdId"], 3);
        assert_eq!(body["OP"], u32::from(pin));
        assert_eq!(body["RemarkName"], "keep");
        insta::assert_snapshot!(name, render(&req));
    }
}

// ---- parses ----

#[test]
fn op_parses() {
    assert!(verifyuser::parse(&ret(0, "")).is_ok());
    assert_eq!(
        verifyuser::parse(&ret(1205, "")).unwrap_err().ret(),
        Some(Ret::TOO_FREQUENT)
    );
    let r = createchatroom::parse(&ret(
        0,
        r#","Topic":"Trip","PYInitial":"","QuanPin":"","MemberCount":2,"MemberList":[{"Uin":0,"UserName":"@a","NickName":"","AttrStatus":0,"PYInitial":"","PYQuanPin":"","RemarkPYInitial":"","RemarkPYQuanPin":"","MemberStatus":0,"DisplayName":"","KeyWord":""},{"UserName":"@b","MemberStatus":4}],"ChatRoomName":"@@new","BlackList":"""#,
    ))
    .unwrap();
    assert_eq!(r.chat_room_name, "@@new");
    assert_eq!(r.member_list.len(), 2);
    assert_eq!(r.member_list[1].member_status, 4);
    assert!(updatechatroom::parse(&ret(0, r#","MemberCount":0,"MemberList":[]"#)).is_ok());
    assert_eq!(
        updatechatroom::parse(&ret(1, "")).unwrap_err().ret(),
        Some(Ret::PARAM_ERROR)
    );
    assert!(oplog::parse(&ret(0, "")).is_ok());
    for body in ["", "{}", "[1]", "<html/>"] {
        assert!(oplog::parse(&harness::ok(body)).is_err());
        assert!(verifyuser::parse(&harness::ok(body)).is_err());
        assert!(createchatroom::parse(&harness::ok(body)).is_err());
    }
}

// ---- scenarios ----

fn done(f: &mut Fake) -> Vec<CommandEvent> {
    f.pump();
    f.take_cmd_events()
}

#[test]
fn add_and_accept_friends() {
    let mut f = Fake::new();
    let op = f.client.add_friend(f.now, "@stranger", "hello").unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxverifyuser"]);
    assert_eq!(json(&ts[0])["Opcode"], 2);
    f.respond(&ts[0], ret(0, ""));
    assert_eq!(
        done(&mut f),
        [CommandEvent::OpDone {
            op,
            what: OpKind::AddFriend,
            outcome: OpOutcome::Done
        }]
    );
    // A type-37 message carries the ticket.
    let raw: webwx_core::message::RawMessage = serde_json::from_str(
        r#"{"MsgId":"9","MsgType":37,"FromUserName":"fmessage","ToUserName":"@me","Content":"","RecommendInfo":{"UserName":"@requester","NickName":"Req","Ticket":"v2_ticket@stranger","Scene":14,"OpCode":2,"Content":"hi"}}"#,
    )
    .unwrap();
    let me = webwx_core::message::SelfInfo {
        user_name: ME,
        nick_name: "Bot",
    };
    let msg = webwx_core::message::Message::from_raw(raw, &me, &webwx_core::message::NoGroupNames);
    let op = f.client.accept_friend_request(f.now, &msg).unwrap();
    let ts = f.pump();
    let body = json(&ts[0]);
    assert_eq!(body["Opcode"], 3);
    assert_eq!(body["VerifyUserList"][0]["Value"], "@requester");
    assert_eq!(
        body["VerifyUserList"][0]["VerifyUserTicket"],
        "v2_ticket@stranger"
    );
    f.respond(&ts[0], ret(-2, ""));
    assert_eq!(
        done(&mut f),
        [CommandEvent::OpFailed {
            op,
            what: OpKind::AcceptFriend,
            error: CommandFailure::Refused {
                ret: Ret::LOGIC_ERROR,
                message: String::new()
            }
        }]
    );
    let text: webwx_core::message::RawMessage =
        serde_json::from_str(r#"{"MsgId":"1","MsgType":1,"Content":"x"}"#).unwrap();
    let text =
        webwx_core::message::Message::from_raw(text, &me, &webwx_core::message::NoGroupNames);
    assert!(matches!(
        f.client.accept_friend_request(f.now, &text),
        Err(CommandError::NotAFriendRequest)
    ));
    assert!(matches!(
        f.client.add_friend(f.now, ROOM, "x"),
        Err(CommandError::NotAPerson { user_name }) if user_name == ROOM
    ));
}

#[test]
fn create_group() {
    let mut f = Fake::new();
    let op = f
        .client
        .create_group(f.now, "Trip", &["alice-remark", "Bob"])
        .unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxcreatechatroom"]);
    let body = json(&ts[0]);
    assert_eq!(
        body["MemberList"],
        serde_json::json!([{"UserName": ALICE}, {"UserName": BOB}])
    );
    f.respond(
        &ts[0],
        ret(
            0,
            &format!(
                r#","Topic":"Trip","MemberCount":2,"MemberList":[{{"UserName":"{ALICE}","MemberStatus":0}},{{"UserName":"{BOB}","MemberStatus":4}}],"ChatRoomName":"@@new""#
            ),
        ),
    );
    assert_eq!(
        done(&mut f),
        [CommandEvent::OpDone {
            op,
            what: OpKind::CreateGroup,
            outcome: OpOutcome::GroupCreated {
                group: "@@new".into(),
                topic: "Trip".into(),
                failed: vec![BOB.into()]
            }
        }]
    );
    assert!(matches!(
        f.client.create_group(f.now, "x", &[]),
        Err(CommandError::Empty {
            argument: webwx_core::Argument::Members
        })
    ));
    assert!(matches!(
        f.client.create_group(f.now, "x", &["Nobody"]),
        Err(CommandError::Name(_))
    ));
}

#[test]
fn add_members_switches_to_invite_for_big_groups() {
    let mut f = Fake::new();
    // 3 members: addmember.
    let op = f
        .client
        .add_members(f.now, "Team room", &["@new1"])
        .unwrap();
    let ts = f.pump();
    assert!(ts[0].request.uri().to_string().contains("fun=addmember"));
    assert_eq!(json(&ts[0])["AddMemberList"], "@new1");
    f.respond(&ts[0], ret(0, ""));
    assert_eq!(
        done(&mut f),
        [CommandEvent::OpDone {
            op,
            what: OpKind::AddMembers,
            outcome: OpOutcome::Done
        }]
    );
    // 42 members: invitemember, as the official client does over 40.
    let op = f
        .client
        .add_members(f.now, BIG_ROOM, &["@new1", "@new2"])
        .unwrap();
    let ts = f.pump();
    assert!(ts[0].request.uri().to_string().contains("fun=invitemember"));
    assert_eq!(json(&ts[0])["InviteMemberList"], "@new1,@new2");
    f.respond(&ts[0], ret(0, ""));
    assert!(
        matches!(&done(&mut f)[..], [CommandEvent::OpDone { op: o, what: OpKind::InviteMembers, .. }] if *o == op)
    );
    assert!(matches!(
        f.client.add_members(f.now, ALICE, &["@x"]),
        Err(CommandError::NotAGroup { name }) if name == ALICE
    ));
}

#[test]
fn remove_rename_remark_pin() {
    let mut f = Fake::new();
    // By display name in the group ("Al") and by nick name ("Bob").
    f.client
        .remove_members(f.now, ROOM, &["Al", "Bob"])
        .unwrap();
    f.client.rename_group(f.now, ROOM, "Renamed").unwrap();
    f.client.set_remark(f.now, "Bob", "bobby").unwrap();
    f.client.pin(f.now, "alice-remark").unwrap();
    f.client.unpin(f.now, ALICE).unwrap();
    let ts = f.pump();
    assert_eq!(
        endpoints(&ts),
        [
            "webwxupdatechatroom",
            "webwxupdatechatroom",
            "webwxoplog",
            "webwxoplog",
            "webwxoplog"
        ]
    );
    assert!(ts[0].request.uri().to_string().contains("fun=delmember"));
    assert_eq!(json(&ts[0])["DelMemberList"], format!("{ALICE},{BOB}"));
    assert!(ts[1].request.uri().to_string().contains("fun=modtopic"));
    assert_eq!(json(&ts[1])["NewTopic"], "Renamed");
    let remark = json(&ts[2]);
    assert_eq!(
        (remark["CmdId"].as_u64(), remark["UserName"].as_str()),
        (Some(2), Some(BOB))
    );
    assert_eq!(remark["RemarkName"], "bobby");
    let pin = json(&ts[3]);
    assert_eq!(
        (pin["CmdId"].as_u64(), pin["OP"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(pin["RemarkName"], "alice-remark", "the remark is kept");
    assert_eq!(json(&ts[4])["OP"], 0);
    for t in &ts {
        f.respond(t, ret(0, ""));
    }
    let whats: Vec<OpKind> = done(&mut f)
        .into_iter()
        .map(|e| match e {
            CommandEvent::OpDone { what, .. } => what,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        whats,
        [
            OpKind::RemoveMembers,
            OpKind::RenameGroup,
            OpKind::SetRemark,
            OpKind::Pin,
            OpKind::Unpin
        ]
    );
    assert!(matches!(
        f.client.remove_members(f.now, ROOM, &["Stranger"]),
        Err(CommandError::UnknownMember { group, member }) if group == ROOM && member == "Stranger"
    ));
    assert!(matches!(
        f.client.rename_group(f.now, ROOM, ""),
        Err(CommandError::Empty {
            argument: webwx_core::Argument::Topic
        })
    ));
}

#[test]
fn fetch_group_members_updates_the_contacts() {
    let mut f = Fake::new();
    let op = f.client.fetch_group_members(f.now, ROOM).unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxbatchgetcontact"]);
    let body = json(&ts[0]);
    assert_eq!(body["Count"], 1);
    assert_eq!(body["List"][0]["UserName"], ROOM);
    assert_eq!(
        body["List"][0]["EncryChatRoomId"],
        "@e1ae1ae1ae1ae1ae1ae1ae1ae1ae1ae1"
    );
    f.respond(
        &ts[0],
        ret(
            0,
            &format!(
                r#","Count":1,"ContactList":[{{"UserName":"{ROOM}","NickName":"Team room","MemberCount":2,"MemberList":[{{"UserName":"{ME}","NickName":"Bot"}},{{"UserName":"@newbie","NickName":"New"}}],"EncryChatRoomId":"@e1ae1ae1ae1ae1ae1ae1ae1ae1ae1ae1"}}]"#
            ),
        ),
    );
    let cmds = f.take_cmd_events();
    assert_eq!(
        cmds,
        [CommandEvent::OpDone {
            op,
            what: OpKind::FetchGroupMembers,
            outcome: OpOutcome::MembersFetched {
                group: ROOM.into(),
                members: 2
            }
        }]
    );
    assert!(f.events.iter().any(|e| matches!(e, Event::Contact(ContactChange::Updated { user_name, .. }) if user_name == ROOM)));
    let g = f.client.contacts().get(ROOM).unwrap();
    assert_eq!(g.member_list.len(), 2);
    assert_eq!(g.member_list[1].user_name, "@newbie");
}

#[test]
fn create_group_is_not_sent_twice_after_a_reset_but_is_after_a_refused_connection() {
    // A reset or a timeout may come after the server created the group: no retry.
    let mut f = Fake::new();
    let op = f
        .client
        .create_group(f.now, "Trip", &["alice-remark", "Bob"])
        .unwrap();
    let ts = f.pump();
    let again = f.fail(&ts[0], webwx_core::TransportErrorKind::Reset);
    assert!(again.is_empty());
    let (later, _) = f.next_timer(std::time::Duration::from_secs(600));
    assert!(
        !endpoints(&later).contains(&"webwxcreatechatroom"),
        "{:?}",
        endpoints(&later)
    );
    let events = f.take_cmd_events();
    assert!(
        matches!(&events[..], [CommandEvent::OpFailed { op: o, .. }] if *o == op),
        "{events:?}"
    );
    // A refused connection never reached the server: retried.
    let mut f = Fake::new();
    f.client
        .create_group(f.now, "Trip", &["alice-remark", "Bob"])
        .unwrap();
    let ts = f.pump();
    f.fail(&ts[0], webwx_core::TransportErrorKind::Connect);
    let (later, _) = f.next_timer(std::time::Duration::from_secs(600));
    assert_eq!(endpoints(&later), ["webwxcreatechatroom"]);
}
