//! What a session remembers of the messages it received, through the boundary: `forward`,
//! `download` and `accept_friend` by `msg_id` work on a recent message; one the session no
//! longer keeps (beyond `Config::recent`) fails with a clear error that names the limits;
//! the store and the seen-id set stay within their bounds however many messages come.
#![allow(clippy::unwrap_used)]

#[path = "common/mod.rs"]
mod common;
#[path = "fixtures/sends/harness.rs"]
mod harness;

use harness::{ALICE, Fake, ok};
use serde_json::json;
use webwx_core::Config;
use webwx_core::boundary::{Answer, ErrorKind, NoFiles, Outcome, Request, Ticket, Tracker};
use webwx_core::client::{Event, RecentLimits, Transmit};

/// A logged-in client behind a tracker, with its limits.
struct S {
    f: Fake,
    tracker: Tracker,
    /// Events already handed to the tracker.
    handled: usize,
    /// Message ids surfaced, in order.
    surfaced: Vec<String>,
    /// The next SyncKey value.
    key: u64,
}

impl S {
    fn new(cfg: Config) -> S {
        S {
            f: Fake::logged_in(cfg.pacing(webwx_core::pacing::PacingPolicy::off())),
            tracker: Tracker::new(Default::default()),
            handled: 0,
            surfaced: Vec::new(),
            key: 100,
        }
    }

    /// Hands new events to the tracker; returns the requests left to answer.
    fn pump(&mut self, mut out: Vec<Transmit>) -> Vec<Transmit> {
        loop {
            out.extend(self.f.pump());
            if self.handled == self.f.events.len() {
                return out;
            }
            while self.handled < self.f.events.len() {
                let e = self.f.events[self.handled].clone();
                self.handled += 1;
                if let Event::Message(m) = &e {
                    self.surfaced.push(m.id.clone());
                }
                let now = self.f.now;
                self.tracker
                    .handle_event(&mut self.f.client, now, &e, &mut NoFiles);
            }
        }
    }

    /// The server delivers `msgs` (AddMsgList entries) in one webwxsync.
    fn deliver(&mut self, msgs: Vec<serde_json::Value>) {
        let check = self.f.held.pop().expect("a held synccheck");
        let ts = self.f.respond(
            &check,
            ok("window.synccheck={retcode:\"0\",selector:\"2\"}"),
        );
        let ts = self.pump(ts);
        let sync = ts
            .iter()
            .find(|t| t.endpoint == "webwxsync")
            .expect("a webwxsync");
        self.key += 1;
        let body = json!({
            "BaseResponse": {"Ret": 0, "ErrMsg": ""},
            "AddMsgCount": msgs.len(), "AddMsgList": msgs,
            "SyncKey": {"Count": 1, "List": [{"Key": 1, "Val": self.key}]},
        });
        let rest = self.f.respond(sync, ok(body.to_string()));
        assert!(self.pump(rest).is_empty());
    }

    /// Submits `json`; returns its ticket and the requests it made.
    fn submit(&mut self, json: &str) -> (Ticket, Vec<Transmit>) {
        let now = self.f.now;
        let t = self.tracker.submit(
            &mut self.f.client,
            now,
            Request::parse(json).unwrap(),
            &mut NoFiles,
        );
        (t, self.pump(Vec::new()))
    }

    /// The error `ticket` answered with at once.
    fn error_of(&mut self, ticket: Ticket) -> webwx_core::boundary::ErrorInfo {
        while let Some(c) = self.tracker.poll_completion() {
            if c.ticket == ticket {
                let a: Answer = c.answer(|_, _| unreachable!("no download completes here"));
                match a.outcome {
                    Outcome::Error(e) => return e,
                    Outcome::Result(r) => panic!("a result: {r:?}"),
                }
            }
        }
        panic!("no answer yet")
    }
}

fn text(id: u64, content: &str) -> serde_json::Value {
    json!({"MsgId": id.to_string(), "NewMsgId": id, "MsgType": 1, "FromUserName": ALICE,
           "ToUserName": harness::ME, "Content": content, "CreateTime": 1_546_211_300u64})
}

fn image(id: u64) -> serde_json::Value {
    json!({"MsgId": id.to_string(), "NewMsgId": id, "MsgType": 3, "FromUserName": ALICE,
           "ToUserName": harness::ME, "CreateTime": 1_546_211_300u64,
           "Content": "&lt;?xml version=\"1.0\"?&gt;&lt;msg&gt;&lt;img aeskey=\"0a1b\" cdnthumburl=\"3057020100044b30\" length=\"58211\" md5=\"e5e8bb3d\" /&gt;&lt;/msg&gt;"})
}

fn friend_request(id: u64) -> serde_json::Value {
    json!({"MsgId": id.to_string(), "NewMsgId": id, "MsgType": 37, "FromUserName": "fmessage",
           "ToUserName": harness::ME, "CreateTime": 1_546_211_300u64,
           "Content": "&lt;msg fromusername=\"wxid_x\" content=\"hi\" ticket=\"v4_t\" /&gt;",
           "RecommendInfo": {"UserName": "@stranger", "NickName": "S", "Ticket": "v4_t"}})
}

#[test]
fn a_recent_message_is_forwarded_downloaded_and_accepted_by_id() {
    let mut s = S::new(Config::new(7));
    s.deliver(vec![text(1001, "first"), image(1002), friend_request(1003)]);
    assert_eq!(s.surfaced, ["1001", "1002", "1003"]);

    let (_, ts) = s.submit(r#"{"cmd":"forward","to":"Alice","msg_id":"1001"}"#);
    assert_eq!(harness::endpoints(&ts), ["webwxsendmsg"]);
    let msg = &harness::json(&ts[0])["Msg"];
    assert_eq!(
        (msg["Type"].as_u64(), msg["Content"].as_str()),
        (Some(1), Some("first"))
    );

    let (_, ts) = s.submit(r#"{"cmd":"forward","to":"Alice","msg_id":"1002"}"#);
    assert_eq!(harness::endpoints(&ts), ["webwxsendmsgimg"]);
    let content = harness::json(&ts[0])["Msg"]["Content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        content.starts_with("<?xml") && content.contains("cdnthumburl"),
        "{content}"
    );

    let (_, ts) = s.submit(r#"{"cmd":"download","msg_id":"1002"}"#);
    assert_eq!(harness::endpoints(&ts), ["webwxgetmsgimg"]);
    assert!(ts[0].request.uri().query().unwrap().contains("MsgID=1002"));

    let (_, ts) = s.submit(r#"{"cmd":"accept_friend","msg_id":"1003"}"#);
    assert_eq!(harness::endpoints(&ts), ["webwxverifyuser"]);
    let body = harness::json(&ts[0]);
    assert_eq!(body["VerifyUserList"][0]["Value"], "@stranger");
    assert_eq!(body["VerifyUserList"][0]["VerifyUserTicket"], "v4_t");

    // What a record cannot do answers as the message would.
    let (t, ts) = s.submit(r#"{"cmd":"download","msg_id":"1001"}"#);
    assert!(ts.is_empty());
    let e = s.error_of(t);
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(e.message.contains("has no media"), "{}", e.message);
    let (t, _) = s.submit(r#"{"cmd":"accept_friend","msg_id":"1001"}"#);
    assert!(s.error_of(t).message.contains("friend request"));
}

#[test]
fn a_message_no_longer_kept_fails_clearly_and_the_bounds_hold() {
    let limits = RecentLimits::new(512, 2048);
    let mut s = S::new(Config::new(7).recent(limits).seen_ids(64));
    let mut id = 5000;
    for round in 0..30 {
        let batch: Vec<_> = (0..10)
            .map(|k| {
                id += 1;
                if k == 3 {
                    image(id)
                } else {
                    text(id, &format!("text {round} {k}"))
                }
            })
            .collect();
        s.deliver(batch);
        let (kept, bytes) = s.f.client.recent_messages();
        assert!(bytes <= limits.bytes, "{bytes}");
        assert!(kept > 0 && kept <= limits.messages);
        assert!(s.f.client.snapshot().seen.len() <= 64);
    }
    assert_eq!(s.surfaced.len(), 300, "every message surfaced once");
    assert_eq!(s.f.client.snapshot().seen.len(), 64);

    // The newest is kept: forwarded.
    let (_, ts) = s.submit(&format!(
        r#"{{"cmd":"forward","to":"Alice","msg_id":"{id}"}}"#
    ));
    assert_eq!(harness::endpoints(&ts), ["webwxsendmsg"]);
    // The first was seen but is no longer kept: each command says so, and names the limits.
    for cmd in [
        r#"{"cmd":"forward","to":"Alice","msg_id":"5001"}"#,
        r#"{"cmd":"download","msg_id":"5004"}"#,
        r#"{"cmd":"accept_friend","msg_id":"5001"}"#,
    ] {
        let (t, ts) = s.submit(cmd);
        assert!(ts.is_empty(), "{cmd}");
        let e = s.error_of(t);
        assert_eq!(e.kind, ErrorKind::Unknown, "{cmd}");
        assert_eq!(
            e.message,
            if cmd.contains("5004") {
                r#"no message "5004" seen in this session (the last 512 are kept, 2 KiB at most)"#
            } else {
                r#"no message "5001" seen in this session (the last 512 are kept, 2 KiB at most)"#
            },
            "{cmd}"
        );
    }
    // A re-delivery of a recent message is dropped; one older than the seen ids is not
    // (the server sends again only what lies behind the SyncKey it is asked with).
    s.deliver(vec![text(id, "again")]);
    assert_eq!(s.surfaced.len(), 300);
    s.deliver(vec![text(5001, "much later")]);
    assert_eq!(s.surfaced.len(), 301);
}
