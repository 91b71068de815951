//! The `client_sequence` target: a [`Client`] driven through an arbitrary interleaving of
//! answers (the valid answer of each endpoint, the repo's fixture bodies, answers built
//! from the fuzzer's numbers, cut answers and raw bytes), transport errors, timeouts,
//! stale answers, time passing, commands and restores, with the invariants checked after
//! every step:
//!
//! - no panic, and the outputs drain (no endless stream of them);
//! - within a session (same credentials, no new login in between) the SyncKey and the
//!   SyncCheckKey never move backwards;
//! - a message id is surfaced at most once;
//! - at most one `LoggedOut` per session started (by a login, resume, connect or restore);
//! - after `Done`, nothing is in flight, no timer is set and nothing is sent until a new
//!   command starts a session.
//!
//! The op sequence comes from [`arbitrary`]; an input of zero bytes answers every request
//! with its endpoint's valid answer, which walks a QR login through to the sync loop, so
//! short inputs already reach deep.

use std::collections::HashSet;
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};

use crate::client::{Event, Output, RequestId, SessionPhase};
use crate::wire::SyncKey;
use crate::{Client, Config, Now, TransportErrorKind};

/// What the fuzzer does next.
#[derive(Arbitrary, Debug)]
enum Op {
    /// Answers a request in flight (the `pick`-th, oldest first).
    Respond {
        pick: u8,
        status: u8,
        body: Body,
        cookie: bool,
    },
    /// A request in flight fails in the transport.
    Fail { pick: u8, kind: u8 },
    /// An answer to a request that was already answered or failed.
    Stale { back: u8, body: Body },
    /// Time passes (`ms` × 16 ms), then the timers due fire.
    Wait { ms: u16 },
    /// Time jumps to the next timer, which fires.
    Tick,
    /// A command of the host.
    Command(Command),
}

/// The body of an answer.
#[derive(Arbitrary, Debug)]
enum Body {
    /// The valid answer of the request's endpoint (`variant` picks among several).
    Valid(u8),
    /// A webwxsync answer from the fuzzer's numbers: messages with these ids, these keys.
    Sync {
        ret: u8,
        ids: Vec<u8>,
        key1: u32,
        key2: u32,
        more: bool,
    },
    /// A synccheck answer.
    SyncCheck { ret: u8, selector: u8 },
    /// A Ret for any JSON endpoint.
    Ret(u8),
    /// One of the repo's fixture bodies.
    Fixture(u8),
    /// A valid answer cut short.
    Cut { variant: u8, at: u16 },
    /// The fuzzer's bytes.
    Raw(Vec<u8>),
}

/// A host command.
#[derive(Arbitrary, Debug)]
enum Command {
    Login,
    PushLogin,
    Connect,
    Resume,
    ResumeForCommands,
    Logout,
    Shutdown,
    /// The state saved and a new client restored from it (with a relay origin or not),
    /// then connected.
    Restore {
        origin: bool,
    },
    SendText {
        to: u8,
        text: u8,
    },
    MarkRead {
        to: u8,
    },
    Revoke {
        to: u8,
    },
    FetchMembers {
        group: u8,
    },
}

/// Ret codes the server answers with.
const RETS: [i64; 12] = [0, -1, 1, 3, 1100, 1101, 1102, 1200, 1203, 1204, 1205, -14];

/// The fixture bodies (captures and message files of `core/tests/fixtures`).
const FIXTURES: [&str; 16] = [
    include_str!("../../tests/fixtures/captures/00_1_jslogin_0.txt"),
    include_str!("../../tests/fixtures/captures/02_3_login_0.txt"),
    include_str!("../../tests/fixtures/captures/03_3_login_1.txt"),
    include_str!("../../tests/fixtures/captures/04_3_login_2.txt"),
    include_str!("../../tests/fixtures/captures/05_4_webwxnewloginpage_0.txt"),
    include_str!("../../tests/fixtures/captures/06_5_webwxinit_0.demojibaked.txt"),
    include_str!("../../tests/fixtures/captures/07_6_webwxstatusnotify_0.txt"),
    include_str!("../../tests/fixtures/captures/10_9_webwxgetcontact_0.demojibaked.txt"),
    include_str!("../../tests/fixtures/captures/11_10_webwxbatchgetcontact_0.demojibaked.txt"),
    include_str!("../../tests/fixtures/captures/12_11_webwxsync_0.demojibaked.txt"),
    include_str!("../../tests/fixtures/captures/13_12_synccheck_0.txt"),
    include_str!("../../tests/fixtures/captures/14_12_webwxsendmsg_0.txt"),
    include_str!("../../tests/fixtures/captures/wechat4u_test_response_webwxinit.json"),
    include_str!("../../tests/fixtures/captures/wechat4u_test_response_webwxgetcontact.json"),
    include_str!("../../tests/fixtures/captures/wechat4u_test_response_webwxsync.json"),
    include_str!("../../tests/fixtures/captures/login_newloginpage_synccheck_error_variants.txt"),
];

/// The body of a capture file (`# response: ...`, headers, a blank line, the body), or
/// the whole text of a bare body.
fn body_of(capture: &str) -> &str {
    let Some(pos) = capture.find("# response: ") else {
        return capture;
    };
    let rest = &capture[pos..];
    match rest.find("\n\n") {
        Some(end) => &rest[end + 2..],
        None => "",
    }
}

/// The first line of a capture's body (the JS answers carry commentary after it).
fn first_line(capture: &str) -> &str {
    body_of(capture).lines().next().unwrap_or_default()
}

/// The valid answer of `endpoint`; `variant` picks among the answers it may get.
fn valid(endpoint: &str, variant: u8) -> Vec<u8> {
    let v = usize::from(variant);
    let text: String = match endpoint {
        "jslogin" => first_line(FIXTURES[0]).to_owned(),
        // Confirmed first: the zero input logs in.
        "login" => match v % 6 {
            0 => first_line(FIXTURES[3]).to_owned(),
            1 => first_line(FIXTURES[2]).to_owned(),
            2 => first_line(FIXTURES[1]).to_owned(),
            3 => "window.code=400;".to_owned(),
            4 => "window.code=402;".to_owned(),
            _ => "window.code=202;".to_owned(),
        },
        "webwxnewloginpage" => match v % 3 {
            0 | 1 => body_of(FIXTURES[4]).to_owned(),
            _ => "<error><ret>1203</ret><message>refused</message></error>".to_owned(),
        },
        "webwxpushloginurl" => match v % 2 {
            0 => r#"{"ret":"0","msg":"all ok","uuid":"QWxsIGdvb2Q=="}"#.to_owned(),
            _ => r#"{"ret":"1","msg":"no","uuid":""}"#.to_owned(),
        },
        "webwxinit" => match v % 2 {
            0 => body_of(FIXTURES[5]).to_owned(),
            _ => FIXTURES[12].to_owned(),
        },
        "webwxgetcontact" => match v % 2 {
            0 => body_of(FIXTURES[7]).to_owned(),
            _ => FIXTURES[13].to_owned(),
        },
        "webwxbatchgetcontact" => body_of(FIXTURES[8]).to_owned(),
        "synccheck" => match v % 4 {
            0 => r#"window.synccheck={retcode:"0",selector:"2"}"#.to_owned(),
            1 => r#"window.synccheck={retcode:"0",selector:"0"}"#.to_owned(),
            2 => r#"window.synccheck={retcode:"0",selector:"7"}"#.to_owned(),
            _ => r#"window.synccheck={retcode:"1101",selector:"0"}"#.to_owned(),
        },
        // (The QJesus capture carries an annotation that is not JSON: a garbled answer.)
        "webwxsync" => match v % 3 {
            0 => FIXTURES[14].to_owned(),
            1 => sync_body(0, &[1, 2, 3], 700_000_000 + v as u32, 700_000_100, false),
            _ => body_of(FIXTURES[9]).to_owned(),
        },
        "webwxsendmsg" | "webwxsendmsgimg" | "webwxsendvideomsg" | "webwxsendappmsg"
        | "webwxsendemoticon" => body_of(FIXTURES[11]).to_owned(),
        _ => r#"{"BaseResponse":{"Ret":0,"ErrMsg":""}}"#.to_owned(),
    };
    text.into_bytes()
}

/// A webwxsync answer with text messages of ids `ids` and keys 1 and 2.
fn sync_body(ret: i64, ids: &[u8], key1: u32, key2: u32, more: bool) -> String {
    let msgs: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            serde_json::json!({
                "MsgId": format!("{}", 4_000_000_000_000_000_000u64 + u64::from(*id)),
                "FromUserName": if id % 3 == 0 { "@@group" } else { "@friend" },
                "ToUserName": "@me",
                "MsgType": 1,
                "Content": format!("text {id}"),
                "CreateTime": 1_546_211_500 + u64::from(*id),
            })
        })
        .collect();
    let key =
        serde_json::json!({"Count": 2, "List": [{"Key": 1, "Val": key1}, {"Key": 2, "Val": key2}]});
    serde_json::json!({
        "BaseResponse": {"Ret": ret, "ErrMsg": ""},
        "AddMsgCount": msgs.len(),
        "AddMsgList": msgs,
        "ModContactCount": 0, "ModContactList": [],
        "DelContactCount": 0, "DelContactList": [],
        "ModChatRoomMemberCount": 0, "ModChatRoomMemberList": [],
        "Profile": {"BitFlag": 0},
        "ContinueFlag": u32::from(more),
        "SyncKey": key,
        "SyncCheckKey": key,
        "SKey": "",
    })
    .to_string()
}

fn body_bytes(endpoint: &str, body: &Body) -> Vec<u8> {
    match body {
        Body::Valid(v) => valid(endpoint, *v),
        Body::Sync {
            ret,
            ids,
            key1,
            key2,
            more,
        } => sync_body(
            RETS[usize::from(*ret) % RETS.len()],
            ids,
            *key1,
            *key2,
            *more,
        )
        .into_bytes(),
        Body::SyncCheck { ret, selector } => format!(
            "window.synccheck={{retcode:\"{}\",selector:\"{selector}\"}}",
            RETS[usize::from(*ret) % RETS.len()]
        )
        .into_bytes(),
        Body::Ret(r) => format!(
            "{{\"BaseResponse\":{{\"Ret\":{},\"ErrMsg\":\"\"}}}}",
            RETS[usize::from(*r) % RETS.len()]
        )
        .into_bytes(),
        Body::Fixture(i) => {
            let f = FIXTURES[usize::from(*i) % FIXTURES.len()];
            if i & 0x80 == 0 { body_of(f) } else { f }
                .as_bytes()
                .to_vec()
        }
        Body::Cut { variant, at } => {
            let mut b = valid(endpoint, *variant);
            b.truncate(usize::from(*at) % (b.len() + 1));
            b
        }
        Body::Raw(bytes) => bytes.clone(),
    }
}

fn status(s: u8) -> u16 {
    match s % 16 {
        0..=11 => 200,
        12 => 301,
        13 => 404,
        14 => 500,
        _ => 503,
    }
}

const KINDS: [TransportErrorKind; 5] = [
    TransportErrorKind::Timeout,
    TransportErrorKind::Reset,
    TransportErrorKind::Connect,
    TransportErrorKind::TooLarge,
    TransportErrorKind::Other,
];

/// What the invariants need to remember.
struct Watch {
    /// Every message id surfaced so far.
    ids: HashSet<String>,
    /// The keys of the session, and its sid, as last seen in a running session.
    keys: Option<(String, SyncKey, SyncKey)>,
    /// `LoggedOut` events since the last command that started a session.
    logged_out: u32,
    /// `Done` came, and no command started a session since.
    done: bool,
}

/// A running fuzz case.
struct Case {
    client: Client,
    cfg: Config,
    now: Now,
    /// Requests in flight, oldest first.
    flight: Vec<(RequestId, &'static str)>,
    /// Requests answered or failed, newest last (at most 16).
    past: Vec<(RequestId, &'static str)>,
    watch: Watch,
}

impl Case {
    fn new() -> Case {
        let cfg = Config::new(1);
        Case {
            client: Client::new(cfg.clone()),
            cfg,
            now: Now::from_millis(1_700_000_000_000),
            flight: Vec::new(),
            past: Vec::new(),
            watch: Watch {
                ids: HashSet::new(),
                keys: None,
                logged_out: 0,
                done: false,
            },
        }
    }

    /// A command that starts a session was given.
    fn started(&mut self) {
        self.watch.logged_out = 0;
        self.watch.done = false;
    }

    /// Takes every output until the client waits; checks the invariants on the way.
    fn drain(&mut self) {
        for _ in 0..10_000 {
            match self.client.poll_output() {
                Output::Transmit(t) => {
                    assert!(
                        !self.watch.done,
                        "{} sent after Done without a new session",
                        t.endpoint
                    );
                    self.flight.push((t.id, t.endpoint));
                }
                Output::Event(e) => self.event(&e),
                Output::Done => {
                    assert_eq!(self.client.in_flight(), 0, "requests in flight after Done");
                    assert_eq!(self.client.poll_timeout(), None, "a timer after Done");
                    self.watch.done = true;
                    self.flight.clear();
                    return;
                }
                _ => return,
            }
        }
        panic!("the outputs never end");
    }

    fn event(&mut self, e: &Event) {
        match e {
            Event::Message(m) => assert!(
                self.watch.ids.insert(m.id.clone()),
                "message {} surfaced twice",
                m.id
            ),
            Event::LoggedOut { reason } => {
                self.watch.logged_out += 1;
                assert_eq!(
                    self.watch.logged_out, 1,
                    "a second LoggedOut ({reason}) in one session"
                );
            }
            _ => {}
        }
    }

    /// The keys never move backwards within a session: compared when the session was
    /// running before the step (a new login starts new keys) and kept its sid.
    fn check_keys(&mut self, running_before: bool) {
        let state = self.client.state();
        let sid = state.credentials.as_ref().map(|c| c.sid.clone());
        let running = matches!(
            self.client.session_phase(),
            SessionPhase::Starting | SessionPhase::Ready | SessionPhase::LoggingOut
        );
        if let (true, Some((old_sid, key, check)), Some(sid)) =
            (running_before, &self.watch.keys, &sid)
            && old_sid == sid
        {
            assert!(
                state.sync_key.dominates(key),
                "SyncKey moved backwards: {:?} -> {:?}",
                key.to_query(),
                state.sync_key.to_query()
            );
            assert!(
                state.sync_check_key.dominates(check),
                "SyncCheckKey moved backwards: {:?} -> {:?}",
                check.to_query(),
                state.sync_check_key.to_query()
            );
        }
        self.watch.keys = match (running, sid) {
            (true, Some(sid)) => Some((sid, state.sync_key.clone(), state.sync_check_key.clone())),
            _ => None,
        };
    }

    fn take(&mut self, pick: u8) -> Option<(RequestId, &'static str)> {
        if self.flight.is_empty() {
            return None;
        }
        let r = self.flight.remove(usize::from(pick) % self.flight.len());
        self.past.push(r);
        if self.past.len() > 16 {
            self.past.remove(0);
        }
        Some(r)
    }

    fn response(status: u16, body: Vec<u8>, cookie: bool) -> http::Response<Vec<u8>> {
        let mut b = http::Response::builder().status(status);
        if cookie {
            b = b.header("set-cookie", "wxuin=1; Domain=wx.qq.com; Path=/");
        }
        b.body(body).unwrap_or_default()
    }

    /// A name to send to: a contact the client knows, or `filehelper`.
    fn contact(&self, pick: u8, group: bool) -> String {
        let all = self.client.contacts().all();
        let names: Vec<&str> = all
            .iter()
            .map(|c| c.user_name.as_str())
            .filter(|n| n.starts_with("@@") == group)
            .collect();
        if names.is_empty() {
            return if group { "@@group" } else { "filehelper" }.to_owned();
        }
        names[usize::from(pick) % names.len()].to_owned()
    }

    /// What the zero input does: the valid answer to the oldest request, or the next
    /// timer when nothing is in flight.
    fn default_op(idle: bool) -> Op {
        if idle {
            Op::Tick
        } else {
            Op::Respond {
                pick: 0,
                status: 0,
                body: Body::Valid(0),
                cookie: false,
            }
        }
    }

    fn step(&mut self, op: Op) {
        let now = self.now;
        match op {
            Op::Respond {
                pick,
                status: s,
                body,
                cookie,
            } => {
                if let Some((id, endpoint)) = self.take(pick) {
                    let r = Case::response(status(s), body_bytes(endpoint, &body), cookie);
                    self.client.handle_response(now, id, r);
                }
            }
            Op::Fail { pick, kind } => {
                if let Some((id, _)) = self.take(pick) {
                    let kind = KINDS[usize::from(kind) % KINDS.len()];
                    self.client.handle_transport_error(now, id, kind);
                }
            }
            Op::Stale { back, body } => {
                if !self.past.is_empty() {
                    let (id, endpoint) = self.past[usize::from(back) % self.past.len()];
                    let r = Case::response(200, body_bytes(endpoint, &body), false);
                    self.client.handle_response(now, id, r);
                }
            }
            Op::Wait { ms } => {
                self.now = now.plus(Duration::from_millis(u64::from(ms) * 16));
                self.client.handle_timeout(self.now);
            }
            Op::Tick => {
                if let Some(at) = self.client.poll_timeout() {
                    self.now = now.at_mono(at);
                    self.client.handle_timeout(self.now);
                }
            }
            Op::Command(c) => self.command(c),
        }
    }

    fn command(&mut self, c: Command) {
        let now = self.now;
        let started = match c {
            Command::Login => self.client.login(now).is_ok(),
            Command::PushLogin => self.client.push_login(now).is_ok(),
            Command::Connect => self.client.connect(now).is_ok(),
            Command::Resume => self.client.resume(now).is_ok(),
            Command::ResumeForCommands => self.client.resume_for_commands(now).is_ok(),
            Command::Logout => {
                self.client.logout(now);
                false
            }
            Command::Shutdown => {
                self.client.shutdown();
                false
            }
            Command::Restore { origin } => {
                let mut cfg = self.cfg.clone();
                if origin {
                    cfg = cfg.origin("http://127.0.0.1:9").expect("a valid origin");
                }
                match Client::try_restore(cfg, self.client.snapshot()) {
                    Ok(c) => {
                        // The old client's requests are gone with it.
                        self.client = c;
                        self.flight.clear();
                        self.past.clear();
                        self.watch.keys = None;
                        self.client.connect(now).is_ok()
                    }
                    Err(_) => false,
                }
            }
            Command::SendText { to, text } => {
                let to = self.contact(to, false);
                let _ = self.client.send_text(now, &to, &format!("t{text}"));
                false
            }
            Command::MarkRead { to } => {
                let to = self.contact(to, false);
                let _ = self.client.mark_read(now, &to);
                false
            }
            Command::Revoke { to } => {
                let to = self.contact(to, false);
                let _ = self.client.revoke(now, "4000000000000000001", &to);
                false
            }
            Command::FetchMembers { group } => {
                let group = self.contact(group, true);
                let _ = self.client.fetch_group_members(now, &group);
                false
            }
        };
        if started {
            self.started();
        }
    }
}

/// The fuzz entry: see the module docs.
pub fn client_sequence(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut case = Case::new();
    case.client.login(case.now).expect("a new client logs in");
    case.started();
    case.drain();
    for _ in 0..256 {
        let op = if u.is_empty() {
            // Past the fuzzer's bytes: the valid answer to the oldest request, or the next
            // timer when nothing is in flight.
            if case.flight.is_empty() && case.client.poll_timeout().is_none() {
                break;
            }
            Case::default_op(case.flight.is_empty())
        } else {
            match Op::arbitrary(&mut u) {
                Ok(op) => op,
                Err(_) => break,
            }
        };
        let running_before = matches!(
            case.client.session_phase(),
            SessionPhase::Starting | SessionPhase::Ready | SessionPhase::LoggingOut
        );
        case.step(op);
        case.drain();
        case.check_keys(running_before);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zero_input_logs_in_and_surfaces_messages() {
        let mut u = Unstructured::new(&[]);
        assert!(Op::arbitrary(&mut u).is_err() || u.is_empty());
        let mut case = Case::new();
        case.client.login(case.now).unwrap();
        case.started();
        case.drain();
        for _ in 0..32 {
            case.step(Case::default_op(case.flight.is_empty()));
            case.drain();
            case.check_keys(true);
        }
        assert_eq!(case.client.session_phase(), SessionPhase::Ready);
        assert!(!case.watch.ids.is_empty(), "messages surfaced");
        assert!(!case.client.state().sync_key.is_empty());
    }

    #[test]
    fn built_sync_bodies_parse() {
        let b = sync_body(0, &[1, 2, 2], 5, 6, true);
        let r = crate::endpoint::sync::parse(
            &http::Response::builder()
                .status(200)
                .body(b.into_bytes())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(r.add_msg_list.len(), 3);
        assert_eq!(r.sync_key.get(1), Some(5));
        assert_eq!(r.continue_flag, 1);
    }

    #[test]
    fn valid_bodies_are_there() {
        for f in FIXTURES {
            assert!(!body_of(f).is_empty());
        }
        assert!(valid("jslogin", 0).starts_with(b"window.QRLogin.code = 200"));
        assert!(valid("login", 0).starts_with(b"window.code=200"));
        assert!(valid("webwxnewloginpage", 0).starts_with(b"<error>"));
    }

    #[test]
    fn arbitrary_inputs_run() {
        for seed in 0u64..64 {
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let data: Vec<u8> = (0..512)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            client_sequence(&data);
        }
        client_sequence(&[]);
        client_sequence(&[0; 64]);
    }
}
