//! openwechat (eatmoreapple/openwechat, Go) against the simulator: one test per
//! difference found between what openwechat sends and what the simulator accepted, each
//! a request shaped exactly like openwechat's (see `common::openwechat`), and one whole
//! openwechat-shaped session in both of its modes. What openwechat sends is written down
//! in the crate docs (`webwx_sim::clients`).

mod common;

use common::openwechat::{JSON_CONTENT_TYPE, Mode, OpenWechat, go_body, go_obj, go_query, go_str};
use common::{control, post, sim};
use serde_json::{Value, json};
use webwx_sim::md5_hex;
use webwx_sim::{AccountSpec, InjectMessage, RunningSim, SentRecord};

/// A PNG header (the simulator reads the size from IHDR) padded to `len` bytes.
fn png(len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend_from_slice(&640u32.to_be_bytes());
    b.extend_from_slice(&480u32.to_be_bytes());
    let mut x: u32 = 0x1234_5678;
    while b.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b.push((x >> 24) as u8);
    }
    b
}

fn desktop_only() -> AccountSpec {
    AccountSpec {
        desktop_only: true,
        ..AccountSpec::default()
    }
}

fn text_from(from: &str, content: &str) -> InjectMessage {
    InjectMessage {
        from: from.to_string(),
        content: content.to_string(),
        ..InjectMessage::default()
    }
}

/// The records of sends to `to`.
fn sent_to(sim: &RunningSim, to: &str) -> Vec<SentRecord> {
    sim.control()
        .sent()
        .into_iter()
        .filter(|r| r.to == to)
        .collect()
}

/// An openwechat friend: `@`, not `@@`, VerifyFlag 0 (`User.IsFriend`).
fn is_friend(u: &Value) -> bool {
    let name = u["UserName"].as_str().unwrap_or("");
    name.starts_with('@') && !name.starts_with("@@") && u["VerifyFlag"] == 0
}

/// A group: `@@` and VerifyFlag 0 (`User.IsGroup`).
fn is_group(u: &Value) -> bool {
    u["UserName"].as_str().unwrap_or("").starts_with("@@") && u["VerifyFlag"] == 0
}

fn str_of<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// Login in `mode`, contacts, a private text and a group mention received, a reply, an
/// image and a file sent, and a logout from the phone noticed, as openwechat does each.
fn session(mode: Mode) {
    let sim = sim();
    if mode == Mode::Desktop {
        // Only the desktop (UOS) variant gets this account in.
        sim.control().prepare_account(desktop_only()).unwrap();
    }
    let mut ow = OpenWechat::new(&sim, mode);
    ow.scan_login()
        .unwrap_or_else(|e| panic!("{mode:?} login refused: {e:?}"));
    assert_eq!(ow.domain, "wx.qq.com");
    assert!(ow.refused_cookies.is_empty(), "{:?}", ow.refused_cookies);
    assert!(!ow.user_name().is_empty());
    assert!(ow.init["SyncKey"]["Count"].as_u64().unwrap() > 0);

    // Contacts: getcontact pages, friends and groups as openwechat tells them apart.
    let contacts = ow.get_contacts();
    let truth = sim.control().contacts(None).unwrap();
    assert_eq!(contacts.len(), truth.len());
    let friend = contacts
        .iter()
        .find(|u| is_friend(u))
        .expect("a friend")
        .clone();
    let group = contacts
        .iter()
        .find(|u| is_group(u))
        .expect("a group")
        .clone();
    let friend_un = str_of(&friend, "UserName").to_string();
    let group_un = str_of(&group, "UserName").to_string();

    // A private text, through synccheck (with the SyncKey) and webwxsync.
    sim.control()
        .inject_message(text_from(str_of(&friend, "NickName"), "你好 openwechat"))
        .unwrap();
    let m = ow.receive_until(10, |m| m["MsgType"] == 1 && m["FromUserName"] == friend_un);
    assert_eq!(m["Content"], "你好 openwechat");
    assert_eq!(m["ToUserName"].as_str(), Some(ow.user_name().as_str()));
    // Message.AsRead (Code 1, no query).
    assert_eq!(ow.status_as_read(&m)["BaseResponse"]["Ret"], 0);

    // The reply (Message.ReplyText).
    let r = ow.send_text(&friend_un, "收到");
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");
    let reply_id = str_of(&r, "MsgID").to_string();
    assert!(!reply_id.is_empty());

    // A group message mentioning the account.
    let info = truth
        .iter()
        .find(|c| c.user_name == group_un)
        .expect("group known to the simulator");
    let me = ow.user_name();
    let member = info
        .members
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.user_name != me)
        .expect("another member")
        .clone();
    sim.control()
        .inject_message(InjectMessage {
            from: member.nick_name.clone(),
            group: Some(group_un.clone()),
            mentions: vec!["me".into()],
            content: "看这里".into(),
            ..InjectMessage::default()
        })
        .unwrap();
    let gm = ow.receive_until(10, |m| m["MsgType"] == 1 && m["FromUserName"] == group_un);
    // senderInGroupMessageProcessor: `sender:<br/>text`.
    let content = str_of(&gm, "Content");
    let (sender, text) = content.split_once(":<br/>").expect("sender prefix");
    assert_eq!(sender, member.user_name);
    // Message.Sender(): getcontact listed the group without members, so openwechat
    // fetches it (Detail: batchgetcontact with its EncryChatRoomId).
    assert_eq!(group["MemberList"].as_array().map(Vec::len), Some(0));
    let detailed = ow.batch_get_contact(&[(&group_un, str_of(&group, "EncryChatRoomId"))]);
    assert_eq!(detailed.len(), 1);
    let members = detailed[0]["MemberList"].as_array().expect("MemberList");
    assert!(members.iter().any(|m| m["UserName"] == member.user_name));
    // atMessageProcessor: `@` + my DisplayName (else NickName) in the group + U+2005.
    let mine = members
        .iter()
        .find(|m| m["UserName"] == me.as_str())
        .expect("the account is in its group's MemberList");
    let shown = match str_of(mine, "DisplayName") {
        "" => str_of(mine, "NickName").to_string(),
        d => d.to_string(),
    };
    assert!(
        text.contains(&format!("@{shown}\u{2005}")),
        "openwechat would not see the mention in {text:?}"
    );

    // An image in two chunks to the friend, a file in one to the group.
    let image = png(600_000);
    let r = ow.send_image(&friend_un, &image, "photo.png");
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");
    let file = b"a file sent by openwechat\n".repeat(20);
    let r = ow.send_file(&group_un, &file, "notes.txt");
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");

    let to_friend = sent_to(&sim, &friend_un);
    assert_eq!(to_friend.len(), 2, "{to_friend:?}");
    assert_eq!(to_friend[0].endpoint, "webwxsendmsg");
    assert_eq!(to_friend[0].content, "收到");
    assert_eq!(to_friend[0].msg_id, reply_id);
    assert_eq!(to_friend[1].endpoint, "webwxsendmsgimg");
    assert_eq!(to_friend[1].msg_type, 3);
    assert_eq!(
        to_friend[1].media_md5.as_deref(),
        Some(md5_hex(&image).as_str())
    );
    let to_group = sent_to(&sim, &group_un);
    assert_eq!(to_group.len(), 1, "{to_group:?}");
    assert_eq!(to_group[0].endpoint, "webwxsendappmsg");
    assert_eq!(to_group[0].msg_type, 6);
    assert_eq!(to_group[0].file_name.as_deref(), Some("notes.txt"));
    assert_eq!(
        to_group[0].media_md5.as_deref(),
        Some(md5_hex(&file).as_str())
    );

    // The phone logs out: the next synccheck carries a retcode openwechat's
    // defaultMessageErrorHandler ends the bot on (1100, 1101 or 1102).
    let r = control(&sim, "/_sim/logout", json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    let (ret, sel) = ow.sync_check();
    assert_eq!((ret.as_str(), sel.as_str()), ("1101", "0"));
    assert!(["1100", "1101", "1102"].contains(&ret.as_str()));
}

#[test]
fn openwechat_session_in_normal_mode() {
    session(Mode::Normal);
}

#[test]
fn openwechat_session_in_desktop_mode() {
    session(Mode::Desktop);
}

/// Finding 1: openwechat's webwxinit has no `pass_ticket` and no `r` (only `_`); the
/// simulator answered 1100. BaseRequest and the cookies are still checked.
#[test]
fn webwxinit_without_pass_ticket_or_r() {
    let sim = sim();
    let mut ow = OpenWechat::new(&sim, Mode::Normal);
    let uuid = ow.get_login_uuid();
    sim.control().scan(Some(&uuid), true).unwrap();
    let poll = ow.check_login(&uuid, "0");
    ow.get_login_info(&OpenWechat::redirect_of(&poll)).unwrap();

    let r = ow.web_init_raw();
    let v = r.json();
    assert_eq!(v["BaseResponse"]["Ret"], 0, "{v}");
    assert_eq!(v["User"]["Uin"], ow.info.wxuin);
    assert!(v["SyncKey"]["Count"].as_u64().unwrap() > 0);

    // Not loosened: the same request without cookies, with someone else's Skey, or with a
    // pass_ticket that is not the session's, is refused as before.
    let target = format!(
        "/wx.qq.com/cgi-bin/mmwebwx-bin/webwxinit?{}",
        go_query(&[("_", "1733342471".into())])
    );
    let body = go_body(go_obj(&[("BaseRequest", ow.base_request())]));
    let ct = ("Content-Type", JSON_CONTENT_TYPE.to_string());
    assert_eq!(
        post(&sim, &target, std::slice::from_ref(&ct), &body).ret(),
        1100
    );
    let cookie = (
        "Cookie",
        format!("wxuin={}; wxsid={}", ow.info.wxuin, ow.info.wxsid),
    );
    assert_eq!(
        post(&sim, &target, &[ct.clone(), cookie.clone()], &body).ret(),
        0
    );
    let wrong_skey = go_body(go_obj(&[(
        "BaseRequest",
        go_obj(&[
            ("Uin", ow.info.wxuin.to_string()),
            ("Sid", go_str(&ow.info.wxsid)),
            (
                "Skey",
                go_str("@crypt_00000000_00000000000000000000000000000000"),
            ),
            ("DeviceID", go_str(&ow.device_id)),
        ]),
    )]));
    assert_eq!(
        post(&sim, &target, &[ct.clone(), cookie.clone()], &wrong_skey).ret(),
        1101
    );
    let wrong_ticket = format!("{target}&pass_ticket=pass_ticket");
    assert_eq!(post(&sim, &wrong_ticket, &[ct, cookie], &body).ret(), 1100);
}

/// Finding 2: desktop mode asks for it once, in jslogin's
/// `redirect_uri=...webwxnewloginpage?mod=desktop` (push login: `mod=desktop` on
/// webwxpushloginurl), then GETs the poll's redirect_uri as it is, with the UOS headers
/// but without `mod=desktop`; the simulator looked for `mod=desktop` on newloginpage only
/// and refused a desktop-only account (1203). Both parts are still needed.
#[test]
fn desktop_mode_is_declared_in_jslogin_or_pushloginurl() {
    let sim = sim();
    let c = sim.control();
    let refused = |mode_for_uuid: Mode, mode_for_login: Mode| {
        c.prepare_account(desktop_only()).unwrap();
        let mut ow = OpenWechat::new(&sim, mode_for_uuid);
        let uuid = ow.get_login_uuid();
        c.scan(Some(&uuid), true).unwrap();
        let redirect = OpenWechat::redirect_of(&ow.check_login(&uuid, "0"));
        assert!(!redirect.contains("mod=desktop"), "{redirect}");
        ow.mode = mode_for_login;
        ow.get_login_info(&redirect).err().map(|e| e.ret)
    };
    // Declared in jslogin, headers on newloginpage: in.
    assert_eq!(refused(Mode::Desktop, Mode::Desktop), None);
    // Declared but no headers, or headers without the declaration: 1203.
    assert_eq!(refused(Mode::Desktop, Mode::Normal), Some(1203));
    assert_eq!(refused(Mode::Normal, Mode::Desktop), Some(1203));

    // Push login: `webwxpushloginurl?mod=desktop&uin=..` on the content host, then the
    // poll with tip=1 and newloginpage with the headers.
    c.prepare_account(desktop_only()).unwrap();
    let mut ow = OpenWechat::new(&sim, Mode::Desktop);
    ow.scan_login().expect("desktop login");
    let push = |ow: &mut OpenWechat, mode: Mode| {
        ow.mode = mode;
        let v = ow.push_login();
        assert_eq!(v["ret"], "0", "{v}");
        let uuid = str_of(&v, "uuid").to_string();
        c.scan(Some(&uuid), true).unwrap();
        let poll = ow.check_login(&uuid, "1");
        assert_eq!(OpenWechat::code_of(&poll), "200", "{poll}");
        ow.mode = Mode::Desktop;
        ow.get_login_info(&OpenWechat::redirect_of(&poll))
            .err()
            .map(|e| e.ret)
    };
    assert_eq!(push(&mut ow, Mode::Desktop), None);
    ow.web_init();
    assert_eq!(push(&mut ow, Mode::Normal), Some(1203));
}

/// Finding 3: openwechat's webwxsendvideomsg carries `pass_ticket=pass_ticket`, the
/// literal; the simulator refused it (1100). The session is still checked.
#[test]
fn sendvideomsg_with_the_literal_pass_ticket() {
    let sim = sim();
    let mut ow = OpenWechat::new(&sim, Mode::Normal);
    ow.scan_login().unwrap();
    let to = "filehelper";
    let video = b"\x00\x00\x00\x18ftypmp42video bytes".repeat(100);
    let up = ow.upload(&video, "clip.mp4", "video/mp4", to);
    let media_id = str_of(&up, "MediaId").to_string();
    let q = go_query(&[
        ("fun", "async".into()),
        ("f", "json".into()),
        ("lang", "zh_CN".into()),
        ("pass_ticket", "pass_ticket".into()),
    ]);
    let id = OpenWechat::new_client_msg_id();
    let msg = ow.send_message(43, "", to, &media_id, &id);
    let r = ow.post_message("webwxsendvideomsg", &q, msg);
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");
    let sent = sent_to(&sim, to);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].endpoint, "webwxsendvideomsg");
    assert_eq!(sent[0].msg_type, 43);
    assert_eq!(sent[0].media_md5.as_deref(), Some(md5_hex(&video).as_str()));

    // Not loosened: a wrong Skey in BaseRequest is refused, and on the other send
    // endpoints a pass_ticket that is not the session's still is.
    let target = format!("/wx.qq.com/cgi-bin/mmwebwx-bin/webwxsendvideomsg?{q}");
    let cookie = (
        "Cookie",
        format!("wxuin={}; wxsid={}", ow.info.wxuin, ow.info.wxsid),
    );
    let bad = go_body(go_obj(&[
        (
            "BaseRequest",
            go_obj(&[
                ("Uin", ow.info.wxuin.to_string()),
                ("Sid", go_str(&ow.info.wxsid)),
                ("Skey", go_str("@crypt_00000000_0")),
                ("DeviceID", go_str(&ow.device_id)),
            ]),
        ),
        (
            "Msg",
            ow.send_message(43, "", to, &media_id, &OpenWechat::new_client_msg_id()),
        ),
        ("Scene", "0".into()),
    ]));
    let ct = ("Content-Type", JSON_CONTENT_TYPE.to_string());
    assert_eq!(post(&sim, &target, &[ct, cookie], &bad).ret(), 1101);
    let msg = ow.send_message(1, "hi", to, "", &OpenWechat::new_client_msg_id());
    let r = ow.post_message("webwxsendmsg", &q, msg);
    assert_eq!(r["BaseResponse"]["Ret"], 1100, "{r}");
    assert_eq!(sent_to(&sim, to).len(), 1);
}

/// Finding 4: openwechat forwards (`SentMessage.ForwardToFriends`) by sending the same
/// SendMessage, same LocalID and ClientMsgId, to each recipient in turn; the simulator took
/// the second as a retry of the first, answered the first MsgID and recorded nothing. A
/// retry to the same recipient is still recorded once.
#[test]
fn forward_reuses_the_client_msg_id_for_each_recipient() {
    let sim = sim();
    let mut ow = OpenWechat::new(&sim, Mode::Normal);
    ow.scan_login().unwrap();
    let friends: Vec<String> = ow
        .get_contacts()
        .iter()
        .filter(|u| is_friend(u))
        .take(2)
        .map(|u| str_of(u, "UserName").to_string())
        .collect();
    assert_eq!(friends.len(), 2);
    let q = go_query(&[
        ("lang", "zh_CN".into()),
        ("pass_ticket", ow.info.pass_ticket.clone()),
    ]);
    let id = OpenWechat::new_client_msg_id();
    let mut ids = Vec::new();
    for to in &friends {
        let msg = ow.send_message(1, "转发给你们", to, "", &id);
        let r = ow.post_message("webwxsendmsg", &q, msg);
        assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");
        ids.push(str_of(&r, "MsgID").to_string());
    }
    assert_ne!(ids[0], ids[1]);
    for (to, msg_id) in friends.iter().zip(&ids) {
        let sent = sent_to(&sim, to);
        assert_eq!(sent.len(), 1, "{to}: {sent:?}");
        assert_eq!(&sent[0].msg_id, msg_id);
        assert_eq!(sent[0].client_msg_id, id);
    }
    // A retry (same id, same recipient): the same answer, no second record.
    let msg = ow.send_message(1, "转发给你们", &friends[1], "", &id);
    let r = ow.post_message("webwxsendmsg", &q, msg);
    assert_eq!(r["MsgID"].as_str(), Some(ids[1].as_str()));
    assert_eq!(sim.control().sent().len(), 2);

    // Bot.Logout: `GET webwxlogout?redirect=1&skey=..&type=1`; the answer has no JSON (the
    // real one had no data either), and the next synccheck ends the bot.
    let r = ow.logout();
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(ow.sync_check().0, "1100");
}

/// Finding 5 (no change needed; openwechat depends on it): cookies kept the way a Go
/// cookie jar keeps them. newloginpage on the home host sets `wxuin`, `wxsid`, ... with
/// `Domain=<home>` and `webwx_data_ticket` with `Domain=.qq.com` (`.wechat.com`); the jar
/// sends them to `webpush.<home>` (synccheck checks wxuin/wxsid) and to `file.<home>`
/// (openwechat reads the upload's `webwx_data_ticket` field from the jar, and fails
/// without it), and keeps the host cookies away from a sibling host.
#[test]
fn cookies_reach_the_push_and_file_hosts_as_a_go_jar_keeps_them() {
    let sim = sim();
    for (home, sibling) in [
        ("wx.qq.com", "wx8.qq.com"),
        ("wx2.qq.com", "wx.qq.com"),
        ("web.wechat.com", "web2.wechat.com"),
    ] {
        sim.control()
            .prepare_account(AccountSpec {
                home: Some(home.to_string()),
                ..AccountSpec::default()
            })
            .unwrap();
        let mut ow = OpenWechat::new(&sim, Mode::Normal);
        ow.scan_login().unwrap();
        assert_eq!(ow.domain, home);
        assert!(ow.refused_cookies.is_empty(), "{:?}", ow.refused_cookies);
        let push = format!("https://webpush.{home}/cgi-bin/mmwebwx-bin/synccheck");
        let names = ow.cookie_names_for(&push);
        for n in ["wxuin", "wxsid", "webwx_data_ticket"] {
            assert!(names.iter().any(|x| x == n), "{home}: {n} not in {names:?}");
        }
        let file = format!("https://file.{home}/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json");
        assert!(
            ow.cookie_for(&file, "webwx_data_ticket").is_some(),
            "{home}"
        );
        let other = ow.cookie_names_for(&format!("https://{sibling}/"));
        assert!(!other.iter().any(|x| x == "wxsid"), "{home}: {other:?}");

        // And they work there: synccheck and an upload with only the jar's cookies.
        assert_eq!(ow.sync_check().0, "0", "{home}");
        let up = ow.upload(
            b"jar test",
            "jar.txt",
            "text/plain; charset=utf-8",
            "filehelper",
        );
        assert_eq!(up["BaseResponse"]["Ret"], 0, "{home}: {up}");
        // The cookies webwxsync refreshes are stored the same way.
        let v = ow.web_wx_sync();
        assert_eq!(v["BaseResponse"]["Ret"], 0, "{home}: {v}");
        assert!(ow.refused_cookies.is_empty(), "{:?}", ow.refused_cookies);
        assert_eq!(
            ow.cookie_for(&push, "wxsid").as_deref(),
            Some(ow.info.wxsid.as_str())
        );
    }
}

/// The rest of what openwechat sends, accepted as it is (no change was needed): revoke,
/// remark and pin (webwxoplog), create a group, add to it and rename it
/// (webwxupdatechatroom), accept a friend request (webwxverifyuser), and the downloads:
/// an image (`MsgID`, `skey`), a voice (`msgid`, `skey`, `Range: bytes=0-`), a file on the
/// file host (`webwx_data_ticket` in the query), an avatar by its HeadImgUrl.
#[test]
fn the_rest_of_openwechat_is_accepted_as_it_is() {
    let sim = sim();
    let mut ow = OpenWechat::new(&sim, Mode::Normal);
    ow.scan_login().unwrap();
    let contacts = ow.get_contacts();
    let friends: Vec<Value> = contacts.iter().filter(|u| is_friend(u)).cloned().collect();
    let a = str_of(&friends[0], "UserName").to_string();
    let b = str_of(&friends[1], "UserName").to_string();
    let c = str_of(&friends[2], "UserName").to_string();
    let br = ow.base_request();
    let pt = ow.info.pass_ticket.clone();
    let ok = |v: &Value| assert_eq!(v["BaseResponse"]["Ret"], 0, "{v}");

    // SentMessage.Revoke: no query; the sent message's ClientMsgId and MsgID.
    let id = OpenWechat::new_client_msg_id();
    let msg = ow.send_message(1, "撤回我", &a, "", &id);
    let q = go_query(&[("lang", "zh_CN".into()), ("pass_ticket", pt.clone())]);
    let sent = ow.post_message("webwxsendmsg", &q, msg);
    ok(&sent);
    let v = ow.post_json(
        "webwxrevokemsg",
        "",
        &[
            ("BaseRequest", br.clone()),
            ("ClientMsgId", go_str(&id)),
            ("SvrMsgId", go_str(str_of(&sent, "MsgID"))),
            ("ToUserName", go_str(&a)),
        ],
    );
    ok(&v);
    assert!(
        sim.control()
            .sent()
            .iter()
            .any(|r| r.client_msg_id == id && r.revoked)
    );

    // Friend.SetRemarkName (`?lang=zh_CN`, CmdId 2) and Pin (no query, CmdId 3, OP 1).
    let v = ow.post_json(
        "webwxoplog",
        &go_query(&[("lang", "zh_CN".into())]),
        &[
            ("BaseRequest", br.clone()),
            ("CmdId", "2".into()),
            ("RemarkName", go_str("老朋友")),
            ("UserName", go_str(&a)),
        ],
    );
    ok(&v);
    let v = ow.post_json(
        "webwxoplog",
        "",
        &[
            ("BaseRequest", br.clone()),
            ("CmdId", "3".into()),
            ("OP", "1".into()),
            ("RemarkName", go_str("老朋友")),
            ("UserName", go_str(&a)),
        ],
    );
    ok(&v);
    let info = sim.control().contacts(None).unwrap();
    let a_info = info.iter().find(|x| x.user_name == a).unwrap();
    assert_eq!(a_info.remark_name, "老朋友");
    assert!(a_info.pinned);

    // Self.CreateGroup: `?pass_ticket=..&r=..`, MemberList of {UserName}.
    let members = format!(
        "[{},{}]",
        go_obj(&[("UserName", go_str(&a))]),
        go_obj(&[("UserName", go_str(&b))])
    );
    let v = ow.post_json(
        "webwxcreatechatroom",
        &go_query(&[("pass_ticket", pt.clone()), ("r", "1733342471".into())]),
        &[
            ("BaseRequest", br.clone()),
            ("MemberCount", "2".into()),
            ("MemberList", members),
            ("Topic", go_str("openwechat 群")),
        ],
    );
    ok(&v);
    let room = str_of(&v, "ChatRoomName").to_string();
    assert!(room.starts_with("@@"));
    // AddFriendsIntoGroup (fewer than 40 members: addmember) and RenameGroup.
    let v = ow.post_json(
        "webwxupdatechatroom",
        &go_query(&[
            ("fun", "addmember".into()),
            ("pass_ticket", pt.clone()),
            ("lang", "zh_CN".into()),
        ]),
        &[
            ("AddMemberList", go_str(&c)),
            ("BaseRequest", br.clone()),
            ("ChatRoomName", go_str(&room)),
        ],
    );
    ok(&v);
    let v = ow.post_json(
        "webwxupdatechatroom",
        &go_query(&[("fun", "modtopic".into()), ("pass_ticket", pt.clone())]),
        &[
            ("BaseRequest", br.clone()),
            ("ChatRoomName", go_str(&room)),
            ("NewTopic", go_str("改名了")),
        ],
    );
    ok(&v);
    let info = sim.control().contacts(None).unwrap();
    let g = info.iter().find(|x| x.user_name == room).unwrap();
    assert_eq!(g.nick_name, "改名了");
    assert_eq!(g.members.as_ref().unwrap().len(), 4);

    // Message.Agree on a friend request (MsgType 37): Opcode 3 with its ticket.
    sim.control()
        .inject_message(InjectMessage {
            msg_type: Some(37),
            nick_name: Some("新朋友".into()),
            ..InjectMessage::default()
        })
        .unwrap();
    let req = ow.receive_until(10, |m| m["MsgType"] == 37);
    assert_eq!(req["FromUserName"], "fmessage");
    let rec = &req["RecommendInfo"];
    let verify_list = format!(
        "[{}]",
        go_obj(&[
            ("Value", go_str(str_of(rec, "UserName"))),
            ("VerifyUserTicket", go_str(str_of(rec, "Ticket"))),
        ])
    );
    let v = ow.post_json(
        "webwxverifyuser",
        &go_query(&[
            ("r", "1733342471000".into()),
            ("lang", "zh_CN".into()),
            ("pass_ticket", pt.clone()),
        ]),
        &[
            ("BaseRequest", br.clone()),
            ("Opcode", "3".into()),
            ("SceneList", "[33]".into()),
            ("SceneListCount", "1".into()),
            ("VerifyContent", go_str("")),
            ("VerifyUserList", verify_list),
            ("VerifyUserListSize", "1".into()),
            ("skey", go_str(&ow.info.skey)),
        ],
    );
    ok(&v);
    let new = ow.batch_get_contact(&[(str_of(rec, "UserName"), "")]);
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["NickName"], "新朋友");

    // Downloads. An image, a voice and a file from friend A.
    let a_nick = str_of(&friends[0], "NickName").to_string();
    let c_ = sim.control();
    for (t, name) in [(3u32, "p.png"), (34, "v.mp3"), (49, "doc.txt")] {
        c_.inject_message(InjectMessage {
            from: a_nick.clone(),
            msg_type: Some(t),
            file_name: Some(name.into()),
            ..InjectMessage::default()
        })
        .unwrap();
    }
    let mut got = Vec::new();
    for _ in 0..10 {
        if got.len() == 3 {
            break;
        }
        let (ret, sel) = ow.sync_check();
        assert_eq!(ret, "0");
        if sel != "0" {
            let v = ow.web_wx_sync();
            for m in v["AddMsgList"].as_array().unwrap() {
                if [3, 34, 49].contains(&m["MsgType"].as_u64().unwrap()) {
                    got.push(m.clone());
                }
            }
        }
    }
    assert_eq!(got.len(), 3, "{got:?}");
    let skey = ow.info.skey.clone();
    let base = ow.base_host();
    let by_type = |t: u64| got.iter().find(|m| m["MsgType"] == t).unwrap().clone();
    let img = by_type(3);
    let url = format!(
        "{base}/cgi-bin/mmwebwx-bin/webwxgetmsgimg?{}",
        go_query(&[
            ("MsgID", str_of(&img, "MsgId").into()),
            ("skey", skey.clone())
        ])
    );
    let r = ow.request("GET", &url, &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with(b"\x89PNG"));
    let voice = by_type(34);
    let url = format!(
        "{base}/cgi-bin/mmwebwx-bin/webwxgetvoice?{}",
        go_query(&[
            ("msgid", str_of(&voice, "MsgId").into()),
            ("skey", skey.clone())
        ])
    );
    let r = ow.request(
        "GET",
        &url,
        &[("Referer", url.clone()), ("Range", "bytes=0-".into())],
        b"",
    );
    assert_eq!(r.status, 206);
    assert!(!r.body.is_empty());
    let file = by_type(49);
    let file_url = format!("{}/cgi-bin/mmwebwx-bin/webwxgetmedia", ow.file_host());
    let ticket = ow.cookie_for(&file_url, "webwx_data_ticket").unwrap();
    let url = format!(
        "{file_url}?{}",
        go_query(&[
            ("sender", str_of(&file, "FromUserName").into()),
            ("mediaid", str_of(&file, "MediaId").into()),
            ("encryfilename", str_of(&file, "EncryFileName").into()),
            ("fromuser", ow.info.wxuin.to_string()),
            ("pass_ticket", pt.clone()),
            ("webwx_data_ticket", ticket),
        ])
    );
    let r = ow.request("GET", &url, &[("Referer", format!("{base}/"))], b"");
    assert_eq!(r.status, 200);
    assert!(r.text().starts_with("hello from webwx-sim"));
    // User.GetAvatarResponse: BaseHost + HeadImgUrl.
    let url = format!("{base}{}", str_of(&friends[0], "HeadImgUrl"));
    let r = ow.request("GET", &url, &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with(b"\x89PNG"));
}
