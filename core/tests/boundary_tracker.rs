//! The boundary's tracker in virtual time: one answer per command, for every kind of
//! outcome (sent, done, downloaded, refused, timeout, session ended, cancelled), commands
//! held until `Ready`, the uploads it feeds itself, and name errors with candidates.
#![allow(clippy::unwrap_used)]

#[path = "common/mod.rs"]
mod common;
#[path = "fixtures/sends/harness.rs"]
mod harness;

use harness::{ALICE, Fake, ret};
use std::time::Duration;
use webwx_core::boundary::{
    Answer, Command, CommandResult, Completion, ErrorInfo, ErrorKind, Host, NoFiles, Outcome,
    Request, Ticket, Timeouts, Tracker,
};
use webwx_core::client::{Event, Transmit};
use webwx_core::media::DownloadedMedia;
use webwx_core::{Client, CommandEvent, Config, OpKind, UploadHandle};

/// A logged-in client and a tracker, pumped together.
struct T {
    f: Fake,
    tracker: Tracker,
    seen: usize,
    /// Events the tracker passed on (not its own business).
    passed: Vec<Event>,
    answers: Vec<(Ticket, Answer)>,
}

/// A host that "has files": saves downloads nowhere but says where it would.
struct Files;

impl Host for Files {
    fn file_info(&mut self, path: &str) -> Result<(String, u64), ErrorInfo> {
        Ok((path.rsplit('/').next().unwrap().to_owned(), 10))
    }
    fn upload_from_path(&mut self, _upload: &UploadHandle, _path: &str) {}
    fn check_save_to(&mut self, save_to: &str) -> Result<(), ErrorInfo> {
        if save_to.starts_with("/nope") {
            Err(ErrorInfo::new(ErrorKind::Io, "no such directory"))
        } else {
            Ok(())
        }
    }
}

impl T {
    fn new() -> T {
        T::with(Timeouts::default())
    }

    fn with(timeouts: Timeouts) -> T {
        T {
            f: Fake::new(),
            tracker: Tracker::new(timeouts),
            seen: 0,
            passed: Vec::new(),
            answers: Vec::new(),
        }
    }

    /// Drains the client, passing each new event through the tracker; returns the
    /// requests for the test to answer.
    fn pump(&mut self) -> Vec<Transmit> {
        let mut out = Vec::new();
        loop {
            out.extend(self.f.pump());
            if self.seen == self.f.events.len() {
                break;
            }
            while self.seen < self.f.events.len() {
                let e = self.f.events[self.seen].clone();
                self.seen += 1;
                let now = self.f.now;
                if !self
                    .tracker
                    .handle_event(&mut self.f.client, now, &e, &mut Files)
                {
                    self.passed.push(e);
                }
            }
        }
        self.collect();
        out
    }

    fn collect(&mut self) {
        while let Some(c) = self.tracker.poll_completion() {
            let ticket = c.ticket;
            let answer = save(c);
            self.answers.push((ticket, answer));
        }
    }

    fn submit(&mut self, json: &str) -> (Ticket, Vec<Transmit>) {
        let req = Request::parse(json).unwrap();
        let now = self.f.now;
        let t = self
            .tracker
            .submit(&mut self.f.client, now, req, &mut Files);
        (t, self.pump())
    }

    fn respond(&mut self, t: &Transmit, resp: http::Response<Vec<u8>>) -> Vec<Transmit> {
        self.f.client.handle_response(self.f.now, t.id, resp);
        self.pump()
    }

    /// The answers of `ticket` (there must be exactly one in the end).
    fn answers_of(&self, ticket: Ticket) -> Vec<Answer> {
        self.answers
            .iter()
            .filter(|(t, _)| *t == ticket)
            .map(|(_, a)| a.clone())
            .collect()
    }

    fn only_answer(&self, ticket: Ticket) -> Answer {
        let a = self.answers_of(ticket);
        assert_eq!(a.len(), 1, "{a:?}");
        a[0].clone()
    }
}

fn save(c: Completion) -> Answer {
    c.answer(|media: &DownloadedMedia, to: &str| Ok(format!("{to}/{}", media.file_name)))
}

fn result(a: &Answer) -> CommandResult {
    match &a.outcome {
        Outcome::Result(r) => r.clone(),
        Outcome::Error(e) => panic!("error {e:?}"),
    }
}

fn error(a: &Answer) -> ErrorInfo {
    match &a.outcome {
        Outcome::Error(e) => e.clone(),
        Outcome::Result(r) => panic!("result {r:?}"),
    }
}

fn sent_ok(msg_id: &str) -> http::Response<Vec<u8>> {
    ret(0, &format!(r#","MsgID":"{msg_id}","LocalID":"x""#))
}

#[test]
fn a_send_answers_its_local_id_and_msg_id() {
    let mut t = T::new();
    let (ticket, ts) = t.submit(r#"{"id": "a1", "cmd": "send_text", "to": "Alice", "text": "hi"}"#);
    assert_eq!(ts.len(), 1);
    assert!(t.answers.is_empty(), "no answer before the outcome");
    t.respond(&ts[0], sent_ok("4242"));
    let a = t.only_answer(ticket);
    assert_eq!(a.answer, Some("a1".into()));
    let CommandResult::Sent { local_id, msg_id } = result(&a) else {
        panic!("{a:?}")
    };
    assert_eq!(msg_id, "4242");
    assert_eq!(local_id.as_str().len(), 17);
    assert_eq!(t.tracker.pending(), 0);
}

#[test]
fn a_refused_send_answers_refused_with_its_ret() {
    let mut t = T::new();
    let (ticket, ts) = t.submit(r#"{"cmd": "send_text", "to": "Alice", "text": "hi"}"#);
    t.respond(&ts[0], ret(1204, ""));
    let e = error(&t.only_answer(ticket));
    assert_eq!(e.kind, ErrorKind::Refused);
    assert_eq!(e.ret.map(|r| r.code()), Some(1204));
    assert_eq!(t.only_answer(ticket).answer, None);
}

#[test]
fn operations_answer_done() {
    let mut t = T::new();
    let (ticket, ts) = t.submit(r#"{"id": 3, "cmd": "pin", "chat": "Alice"}"#);
    assert_eq!(ts[0].endpoint, "webwxoplog");
    t.respond(&ts[0], ret(0, ""));
    assert_eq!(
        result(&t.only_answer(ticket)),
        CommandResult::Done { op: OpKind::Pin }
    );
    let (ticket, ts) = t.submit(r#"{"id": 4, "cmd": "revoke", "to": "Alice", "msg_id": "77"}"#);
    t.respond(&ts[0], ret(1, ""));
    let e = error(&t.only_answer(ticket));
    assert_eq!(
        (e.kind, e.ret.map(|r| r.code())),
        (ErrorKind::Refused, Some(1))
    );
}

#[test]
fn name_errors_are_typed_and_list_candidates() {
    let mut t = T::new();
    let (ticket, ts) = t.submit(r#"{"id": 1, "cmd": "send_text", "to": "Nobody", "text": "x"}"#);
    assert!(ts.is_empty());
    let e = error(&t.only_answer(ticket));
    assert_eq!(e.kind, ErrorKind::UnknownName);
    assert_eq!(e.name.as_deref(), Some("Nobody"));
    // A remark name and a near miss.
    let (ticket, ts) = t.submit(r#"{"cmd": "send_text", "to": "alice-remark", "text": "x"}"#);
    assert_eq!(ts.len(), 1, "a remark name resolves");
    t.respond(&ts[0], sent_ok("1"));
    assert!(matches!(
        result(&t.only_answer(ticket)),
        CommandResult::Sent { .. }
    ));
    let (ticket, _) = t.submit(r#"{"cmd": "mark_read", "chat": "ali"}"#);
    let e = error(&t.only_answer(ticket));
    assert_eq!(e.kind, ErrorKind::UnknownName);
    assert_eq!(e.candidates.len(), 1);
    assert_eq!(e.candidates[0].user_name, ALICE);
    assert_eq!(e.candidates[0].remark_name, "alice-remark");
}

#[test]
fn a_file_from_base64_is_fed_by_the_tracker() {
    let mut t = T::new();
    let data = vec![7u8; 600 * 1024]; // two chunks
    let cmd = serde_json::to_string(&Command::send_bytes("Alice", "notes.pdf", &data)).unwrap();
    let (ticket, mut ts) = t.submit(&cmd);
    // The tracker answers the core's requests for bytes itself: never passed on.
    assert!(
        !t.passed
            .iter()
            .any(|e| matches!(e, Event::Command(CommandEvent::UploadNeedsData { .. }))),
        "{:?}",
        t.passed
    );
    let mut chunks = 0;
    while ts.len() == 1 && ts[0].endpoint == "webwxuploadmedia" {
        chunks += 1;
        let last = chunks == 2;
        let body = if last {
            ret(0, r#","MediaId":"@crypt_m","StartPos":614400"#)
        } else {
            ret(0, r#","MediaId":"","StartPos":524288"#)
        };
        ts = t.respond(&ts[0], body);
    }
    assert_eq!(chunks, 2);
    assert_eq!(ts[0].endpoint, "webwxsendappmsg");
    t.respond(&ts[0], sent_ok("99"));
    let CommandResult::Sent { msg_id, .. } = result(&t.only_answer(ticket)) else {
        panic!()
    };
    assert_eq!(msg_id, "99");
}

#[test]
fn bad_file_commands_fail_before_any_request() {
    let mut t = T::new();
    for (json, kind) in [
        (
            r#"{"cmd":"send_file","to":"Alice","data_b64":"AAAA"}"#,
            ErrorKind::Invalid,
        ),
        (
            r#"{"cmd":"send_file","to":"Alice","file_name":"a","data_b64":"!!"}"#,
            ErrorKind::Invalid,
        ),
        (
            r#"{"cmd":"send_file","to":"Alice","file_name":"a.txt","data_b64":""}"#,
            ErrorKind::Invalid,
        ),
        (r#"{"cmd":"send_file","to":"Alice"}"#, ErrorKind::Invalid),
        (r#"{"cmd":"download","msg_id":"123"}"#, ErrorKind::Unknown),
        (
            r#"{"cmd":"download","media":{"what":"voice","msg_id":"1"},"save_to":"/nope"}"#,
            ErrorKind::Io,
        ),
        (r#"{"cmd":"cancel_upload","upload":5}"#, ErrorKind::Unknown),
        (
            r#"{"cmd":"forward","to":"Alice","msg_id":"1"}"#,
            ErrorKind::Unknown,
        ),
    ] {
        let (ticket, ts) = t.submit(json);
        assert!(ts.is_empty(), "{json}");
        assert_eq!(error(&t.only_answer(ticket)).kind, kind, "{json}");
    }
    // Without files, a path is unsupported.
    let now = t.f.now;
    let ticket = t.tracker.submit(
        &mut t.f.client,
        now,
        Command::send_path("Alice", "/tmp/x.txt"),
        &mut NoFiles,
    );
    t.collect();
    assert_eq!(error(&t.only_answer(ticket)).kind, ErrorKind::Unsupported);
}

#[test]
fn downloads_answer_inline_or_saved() {
    let mut t = T::new();
    let (inline, ts) =
        t.submit(r#"{"cmd":"download","media":{"what":"voice","msg_id":"5"},"inline":true}"#);
    let (saved, ts2) =
        t.submit(r#"{"cmd":"download","media":{"what":"voice","msg_id":"6"},"save_to":"/dl"}"#);
    let mp3 = |b: &[u8]| {
        http::Response::builder()
            .status(200)
            .header("content-type", "audio/mp3")
            .body(b.to_vec())
            .unwrap()
    };
    t.respond(&ts[0], mp3(b"abc"));
    t.respond(&ts2[0], mp3(b"defg"));
    assert_eq!(
        result(&t.only_answer(inline)),
        CommandResult::Downloaded {
            file_name: "5.mp3".into(),
            content_type: "audio/mp3".into(),
            len: 3,
            path: None,
            data_b64: Some("YWJj".into()),
        }
    );
    assert_eq!(
        result(&t.only_answer(saved)),
        CommandResult::Downloaded {
            file_name: "6.mp3".into(),
            content_type: "audio/mp3".into(),
            len: 4,
            path: Some("/dl/6.mp3".into()),
            data_b64: None,
        }
    );
    // The bytes never cross the boundary as an event.
    assert!(
        !t.passed
            .iter()
            .any(|e| webwx_core::boundary::event_json(e).is_some_and(|j| j.contains("data_b64")))
    );
}

#[test]
fn a_command_outliving_its_timeout_answers_once_in_virtual_time() {
    let mut t = T::with(Timeouts::all(Duration::from_secs(5)));
    let (ticket, ts) = t.submit(r#"{"id": 9, "cmd": "send_text", "to": "Alice", "text": "hi"}"#);
    let (quick, ts2) = t.submit(r#"{"cmd": "mark_read", "chat": "Alice", "timeout_ms": 1000}"#);
    assert_eq!(
        t.tracker.poll_timeout(),
        Some(t.f.now.mono.plus(Duration::from_secs(1)))
    );
    t.f.now = t.f.now.plus(Duration::from_millis(999));
    let now = t.f.now;
    t.tracker.handle_timeout(&mut t.f.client, now);
    t.collect();
    assert!(t.answers.is_empty(), "not yet");
    t.f.now = t.f.now.plus(Duration::from_millis(1));
    let now = t.f.now;
    t.tracker.handle_timeout(&mut t.f.client, now);
    t.collect();
    assert_eq!(error(&t.only_answer(quick)).kind, ErrorKind::Timeout);
    t.f.now = t.f.now.plus(Duration::from_secs(4));
    let now = t.f.now;
    t.tracker.handle_timeout(&mut t.f.client, now);
    t.collect();
    let a = t.only_answer(ticket);
    assert_eq!(a.answer, Some(9u64.into()));
    assert_eq!(error(&a).kind, ErrorKind::Timeout);
    // The late outcomes change nothing: still one answer each.
    t.respond(&ts[0], sent_ok("1"));
    t.respond(&ts2[0], ret(0, ""));
    assert_eq!(t.answers_of(ticket).len(), 1);
    assert_eq!(t.answers_of(quick).len(), 1);
    assert_eq!(t.tracker.poll_timeout(), None);
}

#[test]
fn the_end_of_the_session_answers_everything() {
    let mut t = T::new();
    let (send, _) = t.submit(r#"{"cmd": "send_text", "to": "Alice", "text": "hi"}"#);
    let (op, _) = t.submit(r#"{"cmd": "pin", "chat": "Alice"}"#);
    let (logout, ts) = t.submit(r#"{"cmd": "logout"}"#);
    let logout_req = ts.iter().find(|t| t.endpoint == "webwxlogout").unwrap();
    t.respond(logout_req, harness::ok(""));
    assert!(
        t.passed
            .iter()
            .any(|e| matches!(e, Event::LoggedOut { .. })),
        "{:?}",
        t.passed
    );
    assert_eq!(error(&t.only_answer(send)).kind, ErrorKind::SessionEnded);
    assert_eq!(error(&t.only_answer(op)).kind, ErrorKind::SessionEnded);
    assert_eq!(result(&t.only_answer(logout)), CommandResult::LoggedOut {});
    // Later commands answer at once.
    let (late, _) = t.submit(r#"{"cmd": "pin", "chat": "Alice"}"#);
    assert_eq!(error(&t.only_answer(late)).kind, ErrorKind::SessionEnded);
    assert_eq!(t.tracker.pending(), 0);
}

#[test]
fn commands_before_ready_wait_for_it() {
    let mut client = Client::new(Config::new(7));
    let mut tracker = Tracker::default();
    let now = harness::START;
    let ticket = tracker.submit(
        &mut client,
        now,
        Request::parse(r#"{"id": 1, "cmd": "send_text", "to": "Alice", "text": "early"}"#).unwrap(),
        &mut NoFiles,
    );
    assert_eq!(tracker.pending(), 1);
    assert!(tracker.poll_completion().is_none());
    // The same client logs in (the fake answers login and startup), the tracker sees
    // `Ready` and runs the command.
    let mut f = Fake {
        client,
        now,
        events: Vec::new(),
        held: Vec::new(),
        ready: false,
    };
    f.client.login(now).expect("the login starts");
    let mut ts = f.pump();
    for e in f.events.clone() {
        tracker.handle_event(&mut f.client, now, &e, &mut NoFiles);
    }
    ts.extend(f.pump());
    let send = ts
        .iter()
        .find(|t| t.endpoint == "webwxsendmsg")
        .expect("the send ran");
    assert!(String::from_utf8_lossy(send.request.body()).contains("early"));
    f.client.handle_response(now, send.id, sent_ok("5"));
    f.events.clear();
    f.pump();
    for e in f.events.clone() {
        tracker.handle_event(&mut f.client, now, &e, &mut NoFiles);
    }
    let c = tracker.poll_completion().expect("answered");
    assert_eq!(c.ticket, ticket);
    assert!(matches!(
        c.answer_inline().outcome,
        Outcome::Result(CommandResult::Sent { .. })
    ));
}

#[test]
fn held_commands_time_out_and_end_with_the_session() {
    let mut client = Client::new(Config::new(7));
    let mut tracker = Tracker::new(Timeouts::all(Duration::from_secs(2)));
    let now = harness::START;
    let a = tracker.submit(
        &mut client,
        now,
        Command::send_text("Alice", "x"),
        &mut NoFiles,
    );
    let b = tracker.submit(
        &mut client,
        now.plus(Duration::from_secs(1)),
        Command::send_text("Alice", "y"),
        &mut NoFiles,
    );
    tracker.handle_timeout(&mut client, now.plus(Duration::from_secs(2)));
    let c = tracker.poll_completion().unwrap();
    assert_eq!(c.ticket, a);
    assert_eq!(
        c.answer_inline().into_result().unwrap_err().kind,
        ErrorKind::Timeout
    );
    assert!(tracker.poll_completion().is_none());
    tracker.end();
    let c = tracker.poll_completion().unwrap();
    assert_eq!(c.ticket, b);
    assert_eq!(
        c.answer_inline().into_result().unwrap_err().kind,
        ErrorKind::SessionEnded
    );
    assert!(tracker.poll_completion().is_none());
}

#[test]
fn cancelling_an_upload_answers_both_commands() {
    let mut t = T::new();
    let data = vec![1u8; 600 * 1024];
    let mut cmd = serde_json::to_value(Command::send_bytes("Alice", "big.pdf", &data)).unwrap();
    cmd["id"] = "up".into();
    let (send, ts) = t.submit(&cmd.to_string());
    assert_eq!(ts[0].endpoint, "webwxuploadmedia");
    let (cancel, _) = t.submit(r#"{"cmd": "cancel_upload", "command": "up"}"#);
    let CommandResult::UploadCancelled { local_id } = result(&t.only_answer(cancel)) else {
        panic!()
    };
    assert_eq!(local_id.as_str().len(), 17);
    assert_eq!(error(&t.only_answer(send)).kind, ErrorKind::Cancelled);
    // The chunk in flight answers; nothing more is sent, nothing more is answered.
    let more = t.respond(&ts[0], ret(0, r#","MediaId":"","StartPos":524288"#));
    assert!(more.is_empty(), "{:?}", harness::endpoints(&more));
    assert_eq!(t.answers.len(), 2);
}

#[test]
fn every_answer_is_one_line_of_json() {
    let mut t = T::new();
    let (ticket, ts) =
        t.submit(r#"{"id": true, "cmd": "set_remark", "user": "Alice", "remark": "A"}"#);
    t.respond(&ts[0], ret(0, ""));
    assert_eq!(
        t.only_answer(ticket).to_json(),
        r#"{"answer":true,"result":{"kind":"done","op":"set_remark"}}"#
    );
}

fn contacts_of(a: &Answer) -> Vec<webwx_core::boundary::Contact> {
    match result(a) {
        CommandResult::Contacts { contacts } => contacts,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_contacts_query_answers_at_once_from_the_address_book() {
    use harness::{BIG_ROOM, BOB, ROOM};
    use webwx_core::contacts::ContactKind;
    let mut t = T::new();
    let (ticket, ts) = t.submit(r#"{"id": "c", "cmd": "contacts"}"#);
    assert!(ts.is_empty(), "nothing is sent");
    let all = contacts_of(&t.only_answer(ticket));
    assert_eq!(all.len(), t.f.client.contacts().len());
    // Sorted by the name shown: the remark name, else the nick name.
    let shown: Vec<&str> = all.iter().map(|c| c.display()).collect();
    let mut sorted = shown.clone();
    sorted.sort_by_key(|s| s.to_lowercase());
    assert_eq!(shown, sorted);
    let alice = all.iter().find(|c| c.user_name == ALICE).unwrap();
    assert_eq!(
        (alice.nick_name.as_str(), alice.remark_name.as_str()),
        ("Alice", "alice-remark")
    );
    assert_eq!(alice.kind, ContactKind::Friend);
    assert_eq!((alice.member_count, &alice.members), (None, &None));
    let helper = all.iter().find(|c| c.user_name == "filehelper").unwrap();
    assert_eq!(helper.kind, ContactKind::FileHelper);

    // Groups, with their members.
    let (ticket, _) = t.submit(r#"{"cmd": "contacts", "kind": "group", "members": true}"#);
    let groups = contacts_of(&t.only_answer(ticket));
    assert!(groups.iter().all(|c| c.kind == ContactKind::Group));
    let room = groups.iter().find(|c| c.user_name == ROOM).unwrap();
    assert_eq!(room.member_count, Some(3));
    assert_eq!(room.members.as_ref().map(Vec::len), Some(3));
    let big = groups.iter().find(|c| c.user_name == BIG_ROOM).unwrap();
    assert_eq!(big.members.as_ref().map(Vec::len), Some(42));
    // Without "members": counts only.
    let (ticket, _) = t.submit(r#"{"cmd": "contacts", "kind": "group"}"#);
    let groups = contacts_of(&t.only_answer(ticket));
    assert!(
        groups
            .iter()
            .all(|c| c.members.is_none() && c.member_count.is_some())
    );

    // `special` takes the file helper; searches match names case-insensitively, or a
    // UserName exactly.
    let (ticket, _) = t.submit(r#"{"cmd": "contacts", "kind": "special"}"#);
    let special = contacts_of(&t.only_answer(ticket));
    assert!(special.iter().any(|c| c.user_name == "filehelper"));
    assert!(
        special
            .iter()
            .all(|c| matches!(c.kind, ContactKind::Special | ContactKind::FileHelper))
    );
    for (search, expect) in [("ALICE", ALICE), ("-remark", ALICE), (BOB, BOB)] {
        let (ticket, _) = t.submit(&format!(r#"{{"cmd": "contacts", "search": "{search}"}}"#));
        let found = contacts_of(&t.only_answer(ticket));
        let names: Vec<&str> = found.iter().map(|c| c.user_name.as_str()).collect();
        assert_eq!(names, [expect], "search {search:?}");
    }
    let (ticket, _) = t.submit(r#"{"cmd": "contacts", "kind": "friend", "search": "room"}"#);
    assert!(contacts_of(&t.only_answer(ticket)).is_empty());
    let (_, bad) = Request::parse(r#"{"cmd": "contacts", "kind": "nobody"}"#).unwrap_err();
    assert_eq!(bad.kind, ErrorKind::BadCommand);
    assert!(bad.message.contains("`friend`"), "{}", bad.message);

    // `me`: who and where.
    let (ticket, ts) = t.submit(r#"{"cmd": "me"}"#);
    assert!(ts.is_empty());
    let CommandResult::Me(me) = result(&t.only_answer(ticket)) else {
        panic!()
    };
    assert_eq!(me.phase, webwx_core::SessionPhase::Ready);
    assert_eq!(me.user_name.as_deref(), Some(harness::ME));
    assert_eq!(me.contacts, t.f.client.contacts().summary());
    assert_eq!(t.tracker.pending(), 0);
}

#[test]
fn me_answers_in_any_phase_and_contacts_wait_for_ready() {
    let mut client = Client::new(Config::new(7));
    let mut tracker = Tracker::default();
    let now = harness::START;
    let submit = |tracker: &mut Tracker, client: &mut Client, json: &str| {
        tracker.submit(client, now, Request::parse(json).unwrap(), &mut NoFiles)
    };
    submit(&mut tracker, &mut client, r#"{"id": 1, "cmd": "me"}"#);
    let me = tracker
        .poll_completion()
        .expect("answered at once")
        .answer_inline();
    let v = serde_json::to_value(&me).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"answer": 1, "result": {"kind": "me", "phase": "idle",
            "contacts": {"total": 0, "friends": 0, "groups": 0, "official": 0, "special": 0},
            "send_queue": {"queued": 0}}})
    );
    submit(&mut tracker, &mut client, r#"{"id": 2, "cmd": "contacts"}"#);
    assert_eq!(tracker.pending(), 1, "held until Ready");
    tracker.end();
    let c = tracker.poll_completion().unwrap().answer_inline();
    assert_eq!(c.into_result().unwrap_err().kind, ErrorKind::SessionEnded);
    // After the end, `me` still answers.
    client.shutdown();
    submit(&mut tracker, &mut client, r#"{"cmd": "me"}"#);
    let me = tracker.poll_completion().unwrap().answer_inline();
    assert!(matches!(me.into_result(), Ok(CommandResult::Me(_))));
}
