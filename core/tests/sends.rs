//! Sends: request snapshots and parses of every send endpoint and of revoke, and
//! scenario tests of the send commands through the in-process fake.

// `common` is shared with the other test targets (and linted there).
#[allow(clippy::all)]
mod common;
#[path = "fixtures/sends/harness.rs"]
mod harness;

use common::{creds, hosts, render, session_ctx};
use harness::{ALICE, BOB, Fake, ME, ROOM, endpoints, json, ret};
use std::time::Duration;
use webwx_core::client::RetryPolicy;
use webwx_core::client::commands::{CommandEvent, CommandFailure, LocalId, OpKind, OpOutcome};
use webwx_core::endpoint::sendappmsg::Attachment;
use webwx_core::endpoint::sendemoticon::Emoticon;
use webwx_core::endpoint::{
    revokemsg, sendappmsg, sendemoticon, sendmsg, sendmsgimg, sendvideomsg,
};
use webwx_core::{CommandError, Config, Event, LogoutReason, Ret, TransportErrorKind};

const LOCAL: &str = "15462147414160521";
const MEDIA: &str = "@crypt_ca8428f8_3ab89b8f73dbb0f55d7d7f65b3370ca6";

// ---- builds ----

#[test]
fn sendmsg_text_matches_the_capture() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let to = "@d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b";
    let req = sendmsg::build(&ctx, to, "s", LOCAL, None);
    assert_eq!(
        req.uri().to_string(),
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxsendmsg?lang=zh_CN&pass_ticket=kbmy5Jt9nj%252BJzBaJZYNpUBQyBwRTejeXq1sM%252FYH7iOI%253D"
    );
    // The captured body, with our DeviceID.
    let captured = r#"{"BaseRequest":{"Uin":176666155,"Sid":"5YpLHmVgWwH5LxN1","Skey":"@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50","DeviceID":"e123456789012345"},"Msg":{"Type":1,"Content":"s","FromUserName":"@f0c04abe389590b02d91684d99584439","ToUserName":"@d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b","LocalID":"15462147414160521","ClientMsgId":"15462147414160521"},"Scene":0}"#;
    assert_eq!(std::str::from_utf8(req.body()).unwrap(), captured);
    insta::assert_snapshot!(render(&req));
}

#[test]
fn sendmsg_with_mentions() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let source = sendmsg::msg_source(&["@u1", "@u2"], "@@room");
    assert_eq!(
        source,
        "<msgsource><atusername>@u1,@u2</atusername><atchatroomname>@@room</atchatroomname></msgsource>"
    );
    let req = sendmsg::build(
        &ctx,
        "@@room",
        "@A\u{2005}@B\u{2005}hi",
        LOCAL,
        Some(&source),
    );
    insta::assert_snapshot!(render(&req));
}

#[test]
fn sendemoticon_by_md5_and_media_id() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let md5 = Emoticon::from_id("44682e637b75a3f5d6747d61dbd23a15");
    assert_eq!(
        md5,
        Emoticon::Md5("44682e637b75a3f5d6747d61dbd23a15".into())
    );
    let req = sendemoticon::build(&ctx, "@friend", &md5, LOCAL);
    assert!(
        req.uri()
            .to_string()
            .contains("/webwxsendemoticon?fun=sys&lang=zh_CN&pass_ticket=")
    );
    insta::assert_snapshot!("sendemoticon_md5", render(&req));
    let by_id = Emoticon::from_id(MEDIA);
    assert_eq!(by_id, Emoticon::MediaId(MEDIA.into()));
    let req = sendemoticon::build(&ctx, "@friend", &by_id, LOCAL);
    insta::assert_snapshot!("sendemoticon_media_id", render(&req));
}

#[test]
fn sendmsgimg_and_sendvideomsg() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = sendmsgimg::build(&ctx, "@friend", MEDIA, LOCAL);
    assert!(
        req.uri()
            .to_string()
            .contains("/webwxsendmsgimg?fun=async&f=json&lang=zh_CN&pass_ticket=")
    );
    let body = json_of(&req);
    assert_eq!(body["Msg"]["Type"], 3);
    assert_eq!(body["Msg"]["MediaId"], MEDIA);
    assert_eq!(body["Msg"]["Content"], "");
    insta::assert_snapshot!("sendmsgimg", render(&req));
    let req = sendvideomsg::build(&ctx, "@friend", MEDIA, LOCAL);
    assert!(
        req.uri()
            .to_string()
            .contains("/webwxsendvideomsg?fun=async&f=json&lang=zh_CN&pass_ticket=")
    );
    assert_eq!(json_of(&req)["Msg"]["Type"], 43);
    insta::assert_snapshot!("sendvideomsg", render(&req));
}

#[test]
fn sendappmsg_exact_xml() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let att = Attachment {
        title: "report.pdf",
        size: 1_300_000,
        media_id: MEDIA,
        ext: "pdf",
        signature: "",
    };
    assert_eq!(
        sendappmsg::appmsg_xml(&att, false),
        format!(
            "<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>report.pdf</title><des></des><action></action><type>6</type><content></content><url></url><lowurl></lowurl><appattach><totallen>1300000</totallen><attachid>{MEDIA}</attachid><fileext>pdf</fileext></appattach><extinfo></extinfo></appmsg>"
        )
    );
    assert!(sendappmsg::appmsg_xml(&att, true).starts_with("<appmsg appid='' sdkver=''>"));
    let odd = Attachment {
        title: "a<b>&'c\".txt",
        ..att.clone()
    };
    assert!(
        sendappmsg::appmsg_xml(&odd, false)
            .contains("<title>a&lt;b&gt;&amp;&apos;c&quot;.txt</title>")
    );
    let req = sendappmsg::build(&ctx, "@friend", &att, LOCAL, false);
    assert!(
        req.uri()
            .to_string()
            .contains("/webwxsendappmsg?fun=async&f=json&lang=zh_CN&pass_ticket=")
    );
    let body = json_of(&req);
    assert_eq!(body["Msg"]["Type"], 6);
    assert!(body["Msg"].get("Signature").is_none());
    insta::assert_snapshot!("sendappmsg", render(&req));
    let big = Attachment {
        signature: "SIG123",
        ..att
    };
    let req = sendappmsg::build(&ctx, "@friend", &big, LOCAL, true);
    assert_eq!(json_of(&req)["Msg"]["Signature"], "SIG123");
    insta::assert_snapshot!("sendappmsg_desktop_signed", render(&req));
}

#[test]
fn revokemsg_build() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = revokemsg::build(&ctx, "3053194738703673101", "@friend", LOCAL);
    assert_eq!(
        req.uri().to_string(),
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxrevokemsg?lang=zh_CN&pass_ticket=kbmy5Jt9nj%252BJzBaJZYNpUBQyBwRTejeXq1sM%252FYH7iOI%253D"
    );
    let body = json_of(&req);
    assert_eq!(body["SvrMsgId"], "3053194738703673101");
    assert_eq!(body["ToUserName"], "@friend");
    assert_eq!(body["ClientMsgId"], LOCAL);
    insta::assert_snapshot!(render(&req));
}

fn json_of(req: &http::Request<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(req.body()).unwrap()
}

// ---- parses ----

#[test]
fn sendmsg_parse_capture() {
    let r = sendmsg::parse(&common::capture("14_12_webwxsendmsg_0.txt")).unwrap();
    assert_eq!(r.msg_id, "3053194738703673101");
    assert_eq!(r.local_id, "15462147414160521");
    assert_eq!(r.base_response.ret, 0);
}

#[test]
fn send_parses_refusals_and_garbage() {
    for (code, want) in [
        (1204, Ret::SEND_REFUSED),
        (1205, Ret::TOO_FREQUENT),
        (1101, Ret::SESSION_INVALID),
        (1100, Ret::SESSION_NOT_EXIST),
        (-1, Ret::SYS_ERROR),
    ] {
        let e = sendmsg::parse(&ret(code, "")).unwrap_err();
        assert_eq!(e.ret(), Some(want));
    }
    // Ret 0 without MsgID, garbage, HTML error pages: parse errors, never panics.
    for body in [r#"{"BaseResponse":{"Ret":0}}"#, "", "<html>", "{", "null"] {
        let e = sendmsg::parse(&harness::ok(body)).unwrap_err();
        assert!(e.ret().is_none(), "{body}: {e}");
    }
    // MsgID as a number is accepted.
    let r = sendmsgimg::parse(&ret(0, r#","MsgID":123,"LocalID":"1""#)).unwrap();
    assert_eq!(r.msg_id, "123");
    for parse in [
        sendemoticon::parse,
        sendmsgimg::parse,
        sendvideomsg::parse,
        sendappmsg::parse,
    ] {
        assert_eq!(parse(&ret(0, r#","MsgID":"9""#)).unwrap().msg_id, "9");
        assert_eq!(
            parse(&ret(1204, "")).unwrap_err().ret(),
            Some(Ret::SEND_REFUSED)
        );
    }
}

#[test]
fn revoke_parse() {
    let r = revokemsg::parse(&ret(0, r#","Introduction":"","SysWording":"""#)).unwrap();
    assert_eq!(r.base_response.ret, 0);
    assert_eq!(
        revokemsg::parse(&ret(-1, "")).unwrap_err().ret(),
        Some(Ret::SYS_ERROR)
    );
}

// ---- scenarios ----

fn sent_ok(msg_id: &str) -> http::Response<Vec<u8>> {
    ret(0, &format!(r#","MsgID":"{msg_id}","LocalID":"x""#))
}

#[test]
fn send_text_then_sent() {
    let mut f = Fake::new();
    let local = f.client.send_text(f.now, ALICE, "hello").unwrap();
    assert_eq!(local.as_str().len(), 17);
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxsendmsg"]);
    let body = json(&ts[0]);
    assert_eq!(body["Msg"]["Content"], "hello");
    assert_eq!(body["Msg"]["FromUserName"], ME);
    assert_eq!(body["Msg"]["ToUserName"], ALICE);
    assert_eq!(body["Msg"]["LocalID"], local.as_str());
    assert_eq!(body["Msg"]["ClientMsgId"], local.as_str());
    assert!(body["Msg"].get("MsgSource").is_none());
    // The wire form carries the session cookies.
    let cookie = ts[0].request.headers()["cookie"].to_str().unwrap();
    assert!(cookie.contains("wxsid=") && cookie.contains("webwx_data_ticket="));
    assert_eq!(f.client.pending_commands(), 1);
    f.respond(&ts[0], sent_ok("111"));
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::Sent {
            local_id: local,
            msg_id: "111".into()
        }]
    );
    assert_eq!(f.client.pending_commands(), 0);
}

#[test]
fn recipients_resolve_by_remark_nick_or_user_name() {
    let mut f = Fake::new();
    for (to, want) in [
        ("alice-remark", ALICE),
        ("Bob", BOB),
        ("Team room", ROOM),
        ("filehelper", "filehelper"),
        (
            "@unknown_but_user_name_shaped",
            "@unknown_but_user_name_shaped",
        ),
    ] {
        f.client.send_text(f.now, to, "x").unwrap();
        let ts = f.pump();
        assert_eq!(json(&ts[0])["Msg"]["ToUserName"], want, "{to}");
    }
    match f.client.send_text(f.now, "Nobody Known", "x") {
        Err(CommandError::Name(e)) => {
            assert_eq!(e.name, "Nobody Known");
            assert_eq!(e.problem, webwx_core::names::NameProblem::Unknown);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        f.client.send_text(f.now, ALICE, ""),
        Err(CommandError::Empty {
            argument: webwx_core::Argument::Text
        })
    ));
    assert!(f.pump().is_empty(), "nothing sent for rejected commands");
}

#[test]
fn commands_before_login_fail() {
    let mut c = webwx_core::Client::new(Config::new(1));
    let now = harness::START;
    assert_eq!(c.send_text(now, ALICE, "x"), Err(CommandError::NotLoggedIn));
    assert_eq!(c.revoke(now, "1", ALICE), Err(CommandError::NotLoggedIn));
    assert_eq!(c.mark_read(now, ALICE), Err(CommandError::NotLoggedIn));
    assert!(matches!(c.poll_output(), webwx_core::Output::Idle));
}

#[test]
fn mentions_produce_msg_source() {
    let mut f = Fake::new();
    // By UserName, by display name in the group ("Al"), by nick name ("Bob").
    f.client
        .send_text_mentioning(f.now, ROOM, "@Al\u{2005}@Bob\u{2005}hi", &[ALICE, "Bob"])
        .unwrap();
    let ts = f.pump();
    assert_eq!(
        json(&ts[0])["Msg"]["MsgSource"],
        format!(
            "<msgsource><atusername>{ALICE},{BOB}</atusername><atchatroomname>{ROOM}</atchatroomname></msgsource>"
        )
    );
    f.client
        .send_text_mentioning(f.now, ROOM, "hi", &["Al"])
        .unwrap();
    let ts = f.pump();
    assert!(
        json(&ts[0])["Msg"]["MsgSource"]
            .as_str()
            .unwrap()
            .contains(&format!("<atusername>{ALICE}</atusername>"))
    );
    assert!(matches!(
        f.client
            .send_text_mentioning(f.now, ROOM, "hi", &["Stranger"]),
        Err(CommandError::UnknownMember { group, member }) if group == ROOM && member == "Stranger"
    ));
    assert!(matches!(
        f.client.send_text_mentioning(f.now, ALICE, "hi", &[BOB]),
        Err(CommandError::MentionsOutsideGroup)
    ));
}

#[test]
fn refused_1204_is_send_failed_at_once() {
    let mut f = Fake::new();
    let local = f.client.send_text(f.now, ME, "to myself").unwrap();
    let ts = f.pump();
    let more = f.respond(&ts[0], ret(1204, ""));
    assert!(more.is_empty(), "1204 is not retried");
    assert_eq!(f.client.poll_timeout(), None, "no retry timer");
    let evs = f.take_cmd_events();
    assert_eq!(
        evs,
        [CommandEvent::SendFailed {
            local_id: local,
            error: CommandFailure::Refused {
                ret: Ret::SEND_REFUSED,
                message: String::new()
            }
        }]
    );
    assert!(
        f.client.is_logged_in(),
        "a refused send does not end the session"
    );
}

#[test]
fn too_frequent_backs_off_then_fails() {
    let mut f = Fake::new();
    let local = f.client.send_text(f.now, ALICE, "spam").unwrap();
    let mut ts = f.pump();
    let mut delays = Vec::new();
    let mut ids = Vec::new();
    loop {
        assert_eq!(endpoints(&ts), ["webwxsendmsg"]);
        ids.push(json(&ts[0])["Msg"]["ClientMsgId"].clone());
        let more = f.respond(&ts[0], ret(1205, ""));
        assert!(more.is_empty());
        if f.client.poll_timeout().is_none() {
            break;
        }
        let (next, waited) = f.next_timer(Duration::from_secs(600));
        delays.push(waited);
        assert!(f.take_cmd_events().is_empty(), "no outcome while retrying");
        ts = next;
    }
    let attempts = RetryPolicy::default().max_attempts as usize;
    assert_eq!(ids.len(), attempts);
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "same ClientMsgId on every attempt"
    );
    assert!(
        delays.windows(2).all(|w| w[1] > w[0]),
        "growing delays: {delays:?}"
    );
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::SendFailed {
            local_id: local,
            error: CommandFailure::Refused {
                ret: Ret::TOO_FREQUENT,
                message: String::new()
            }
        }]
    );
    assert!(f.client.is_logged_in());
}

#[test]
fn transport_error_retries_with_the_same_client_msg_id() {
    let mut f = Fake::new();
    let local = f.client.send_text(f.now, ALICE, "hi").unwrap();
    let ts = f.pump();
    let first = json(&ts[0]);
    assert!(f.fail(&ts[0], TransportErrorKind::Reset).is_empty());
    let (ts, waited) = f.next_timer(Duration::from_secs(60));
    assert!(waited > Duration::ZERO);
    assert_eq!(endpoints(&ts), ["webwxsendmsg"]);
    let second = json(&ts[0]);
    assert_eq!(
        second["Msg"], first["Msg"],
        "the same message, the same ClientMsgId"
    );
    // And a 502 from a proxy is retried too.
    f.respond(
        &ts[0],
        http::Response::builder()
            .status(502)
            .body(Vec::new())
            .unwrap(),
    );
    let (ts, _) = f.next_timer(Duration::from_secs(60));
    assert_eq!(json(&ts[0])["Msg"]["ClientMsgId"], local.as_str());
    f.respond(&ts[0], sent_ok("222"));
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::Sent {
            local_id: local,
            msg_id: "222".into()
        }],
        "Sent exactly once"
    );
}

#[test]
fn transport_errors_exhaust_into_send_failed() {
    let mut f = Fake::new();
    let local = f.client.send_text(f.now, ALICE, "hi").unwrap();
    let mut ts = f.pump();
    while let Some(t) = ts.first() {
        f.fail(t, TransportErrorKind::Connect);
        ts = f.next_timer(Duration::from_secs(600)).0;
    }
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::SendFailed {
            local_id: local,
            error: CommandFailure::Transport {
                kind: TransportErrorKind::Connect
            }
        }]
    );
}

#[test]
fn session_end_on_a_send_fails_everything_pending() {
    let mut f = Fake::new();
    let a = f.client.send_text(f.now, ALICE, "one").unwrap();
    let b = f.client.send_text(f.now, BOB, "two").unwrap();
    let op = f.client.mark_read(f.now, ALICE).unwrap();
    let ts = f.pump();
    assert_eq!(
        endpoints(&ts),
        ["webwxsendmsg", "webwxsendmsg", "webwxstatusnotify"]
    );
    f.respond(&ts[0], ret(1101, ""));
    let evs = f.take_cmd_events();
    assert_eq!(
        evs,
        [
            CommandEvent::SendFailed {
                local_id: a,
                error: CommandFailure::Refused {
                    ret: Ret::SESSION_INVALID,
                    message: String::new()
                }
            },
            CommandEvent::SendFailed {
                local_id: b,
                error: CommandFailure::SessionEnded
            },
            CommandEvent::OpFailed {
                op,
                what: OpKind::MarkRead,
                error: CommandFailure::SessionEnded
            },
        ]
    );
    assert!(f.events.iter().any(|e| matches!(
        e,
        Event::LoggedOut {
            reason: LogoutReason::Remote {
                ret: Ret::SESSION_INVALID
            }
        }
    )));
    // Late answers are ignored; no second outcome.
    f.respond(&ts[1], sent_ok("1"));
    assert!(f.take_cmd_events().is_empty());
    assert_eq!(f.client.pending_commands(), 0);
}

#[test]
fn logout_fails_pending_sends() {
    let mut f = Fake::new();
    let local = f.client.send_text(f.now, ALICE, "bye").unwrap();
    let ts = f.pump();
    f.client.logout(f.now);
    let lo = f.pump();
    assert_eq!(endpoints(&lo), ["webwxlogout"]);
    assert_eq!(
        f.client.send_text(f.now, ALICE, "too late"),
        Err(CommandError::NotLoggedIn)
    );
    f.respond(&lo[0], harness::ok(""));
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::SendFailed {
            local_id: local,
            error: CommandFailure::SessionEnded
        }]
    );
    f.respond(&ts[0], sent_ok("3"));
    assert!(f.take_cmd_events().is_empty());
}

#[test]
fn revoke_uses_the_sent_client_msg_id() {
    let mut f = Fake::new();
    let local = f.client.send_text(f.now, ALICE, "oops").unwrap();
    let ts = f.pump();
    f.respond(&ts[0], sent_ok("3053194738703673101"));
    f.take_cmd_events();
    f.now = f.now.plus(Duration::from_secs(5));
    let op = f
        .client
        .revoke(f.now, "3053194738703673101", "alice-remark")
        .unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxrevokemsg"]);
    let body = json(&ts[0]);
    assert_eq!(body["SvrMsgId"], "3053194738703673101");
    assert_eq!(body["ToUserName"], ALICE);
    assert_eq!(body["ClientMsgId"], local.as_str());
    f.respond(&ts[0], ret(0, r#","Introduction":"","SysWording":"""#));
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::OpDone {
            op,
            what: OpKind::Revoke,
            outcome: OpOutcome::Done
        }]
    );
    // An unknown message gets a fresh ClientMsgId; a refusal is typed.
    let op = f.client.revoke(f.now, "42", ALICE).unwrap();
    let ts = f.pump();
    let cid = json(&ts[0])["ClientMsgId"].as_str().unwrap().to_owned();
    assert_eq!(cid.len(), 17);
    assert_ne!(cid, local.as_str());
    f.respond(&ts[0], ret(-2, r#","SysWording":"too late""#));
    assert!(matches!(
        &f.take_cmd_events()[..],
        [CommandEvent::OpFailed { op: o, what: OpKind::Revoke, error: CommandFailure::Refused { ret: Ret::LOGIC_ERROR, .. } }] if *o == op
    ));
}

#[test]
fn mark_read_sends_statusnotify_code_1() {
    let mut f = Fake::new();
    let op = f.client.mark_read(f.now, "Team room").unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxstatusnotify"]);
    let body = json(&ts[0]);
    assert_eq!(body["Code"], 1);
    assert_eq!(body["FromUserName"], ME);
    assert_eq!(body["ToUserName"], ROOM);
    f.respond(&ts[0], ret(0, r#","MsgID":"1""#));
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::OpDone {
            op,
            what: OpKind::MarkRead,
            outcome: OpOutcome::Done
        }]
    );
}

#[test]
fn send_emoticon_command() {
    let mut f = Fake::new();
    let local = f
        .client
        .send_emoticon(f.now, ALICE, Emoticon::Md5("abc".into()))
        .unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxsendemoticon"]);
    let body = json(&ts[0]);
    assert_eq!(body["Msg"]["Type"], 47);
    assert_eq!(body["Msg"]["EmojiFlag"], 2);
    assert_eq!(body["Msg"]["EMoticonMd5"], "abc");
    f.respond(&ts[0], sent_ok("5"));
    assert!(
        matches!(&f.take_cmd_events()[..], [CommandEvent::Sent { local_id, .. }] if *local_id == local)
    );
    assert!(matches!(
        f.client
            .send_emoticon(f.now, ALICE, Emoticon::MediaId(String::new())),
        Err(CommandError::Empty {
            argument: webwx_core::Argument::EmoticonId
        })
    ));
}

fn received(json: &str) -> webwx_core::message::Message {
    let raw: webwx_core::message::RawMessage = serde_json::from_str(json).unwrap();
    let me = webwx_core::message::SelfInfo {
        user_name: ME,
        nick_name: "Bot",
    };
    webwx_core::message::Message::from_raw(raw, &me, &webwx_core::message::NoGroupNames)
}

#[test]
fn forward_text_image_file_and_refusals() {
    let mut f = Fake::new();
    // A group text: the text without the sender prefix, Scene 2.
    let text = received(&format!(
        r#"{{"MsgId":"1","MsgType":1,"FromUserName":"{ROOM}","ToUserName":"{ME}","Content":"{ALICE}:<br/>look &amp; see"}}"#
    ));
    let local = f.client.forward(f.now, &text, "Bob").unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxsendmsg"]);
    let body = json(&ts[0]);
    assert_eq!(body["Scene"], 2);
    assert_eq!(body["Msg"]["Content"], "look & see");
    assert_eq!(body["Msg"]["ToUserName"], BOB);
    assert_eq!(body["Msg"]["ClientMsgId"], local.as_str());
    insta::assert_snapshot!("forward_text", common::render(&ts[0].request));

    let img = received(&format!(
        r#"{{"MsgId":"2","MsgType":3,"FromUserName":"{ALICE}","ToUserName":"{ME}","Content":"&lt;?xml version=\"1.0\"?&gt;&lt;msg&gt;&lt;img aeskey=\"k\" length=\"10\" md5=\"m\" /&gt;&lt;/msg&gt;"}}"#
    ));
    f.client.forward(f.now, &img, BOB).unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxsendmsgimg"]);
    let body = json(&ts[0]);
    assert_eq!(body["Msg"]["Type"], 3);
    assert_eq!(body["Msg"]["MediaId"], "");
    assert_eq!(
        body["Msg"]["Content"],
        r#"<?xml version="1.0"?><msg><img aeskey="k" length="10" md5="m" /></msg>"#
    );

    let file = received(&format!(
        r#"{{"MsgId":"3","MsgType":49,"AppMsgType":6,"FileName":"a.pdf","FileSize":"10","MediaId":"@crypt_file","FromUserName":"{ALICE}","ToUserName":"{ME}","Content":"&lt;msg&gt;&lt;appmsg appid=\"\" sdkver=\"0\"&gt;&lt;title&gt;a.pdf&lt;/title&gt;&lt;type&gt;6&lt;/type&gt;&lt;appattach&gt;&lt;totallen&gt;10&lt;/totallen&gt;&lt;attachid&gt;@cdn_old&lt;/attachid&gt;&lt;fileext&gt;pdf&lt;/fileext&gt;&lt;/appattach&gt;&lt;/appmsg&gt;&lt;/msg&gt;"}}"#
    ));
    f.client.forward(f.now, &file, BOB).unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxsendappmsg"]);
    let body = json(&ts[0]);
    assert_eq!(body["Msg"]["Type"], 6);
    assert!(
        body["Msg"]["Content"]
            .as_str()
            .unwrap()
            .contains("<attachid>@crypt_file</attachid>")
    );

    let voice = received(&format!(
        r#"{{"MsgId":"4","MsgType":34,"FromUserName":"{ALICE}","ToUserName":"{ME}","VoiceLength":1000}}"#
    ));
    assert!(matches!(
        f.client.forward(f.now, &voice, BOB),
        Err(CommandError::NotForwardable { kind }) if kind == "voice"
    ));
}

#[test]
fn local_ids_are_unique_and_ordered() {
    let mut f = Fake::new();
    let ids: Vec<LocalId> = (0..20)
        .map(|i| f.client.send_text(f.now, ALICE, &i.to_string()).unwrap())
        .collect();
    for w in ids.windows(2) {
        assert!(w[0].as_str().parse::<u64>().unwrap() < w[1].as_str().parse::<u64>().unwrap());
    }
    let ts = f.pump();
    assert_eq!(ts.len(), 20, "all in flight at once");
}

#[test]
fn shutdown_fails_pending_sends() {
    let mut f = Fake::new();
    let local = f.client.send_text(f.now, ALICE, "bye").unwrap();
    let _ = f.pump();
    f.client.shutdown();
    f.pump();
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::SendFailed {
            local_id: local,
            error: CommandFailure::SessionEnded
        }]
    );
}

#[test]
fn command_events_serialize_for_json_output() {
    let e = Event::Command(CommandEvent::Sent {
        local_id: LocalId("15462147414160521".into()),
        msg_id: "3053194738703673101".into(),
    });
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({"event": "command", "kind": "sent",
            "local_id": "15462147414160521", "msg_id": "3053194738703673101"})
    );
    let e = Event::Command(CommandEvent::SendFailed {
        local_id: LocalId("1".into()),
        error: CommandFailure::Refused {
            ret: Ret::SEND_REFUSED,
            message: String::new(),
        },
    });
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({"event": "command", "kind": "send_failed", "local_id": "1",
            "error": {"reason": "refused", "ret": 1204, "message": ""}})
    );
    assert_eq!(
        CommandFailure::Refused {
            ret: Ret::TOO_FREQUENT,
            message: String::new()
        }
        .to_string(),
        "refused: 1205 (too frequent)"
    );
}
