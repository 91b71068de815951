//! The JSON shapes of the boundary, snapshotted: one of every command and of every
//! answer, and the errors a host gets for commands that are not commands.

use webwx_core::boundary::{
    Answer, Command, CommandId, CommandResult, ErrorInfo, ErrorKind, Request,
};
use webwx_core::media::Download;
use webwx_core::names::{Candidate, NameProblem};
use webwx_core::{CommandFailure, LocalId, OpKind, Ret, TransportErrorKind};

/// One of each command, as a host writes them.
fn commands() -> Vec<Command> {
    let s = |x: &str| x.to_owned();
    vec![
        Command::send_text("filehelper", "hi"),
        Command::SendText {
            to: s("Team room"),
            text: s("@Alice\u{2005}look"),
            mentions: vec![s("Alice")],
        },
        Command::send_bytes("Alice", "notes.txt", b"hello"),
        Command::send_path("Alice", "/tmp/photo.jpg"),
        Command::SendFile {
            to: s("Alice"),
            file_name: Some(s("clip.gif")),
            data_b64: Some(s("R0lG")),
            path: None,
            as_kind: Some(webwx_core::MediaKind::File),
        },
        Command::SendEmoticon {
            to: s("Alice"),
            md5: Some(s("0123456789abcdef0123456789abcdef")),
            media_id: None,
        },
        Command::Forward {
            to: s("Bob"),
            msg_id: Some(s("4611686018427387905")),
            message: None,
        },
        Command::Revoke {
            to: s("Alice"),
            msg_id: s("4611686018427387905"),
        },
        Command::MarkRead { chat: s("Alice") },
        Command::Download {
            msg_id: Some(s("4611686018427387905")),
            media: None,
            save_to: Some(s("/tmp/downloads")),
            inline: false,
        },
        Command::Download {
            msg_id: None,
            media: Some(Download::Avatar {
                user_name: s("@abc"),
            }),
            save_to: None,
            inline: true,
        },
        Command::AcceptFriend {
            msg_id: Some(s("123")),
            user_name: None,
            ticket: None,
        },
        Command::AddFriend {
            user_name: s("@stranger"),
            greeting: s("hello"),
        },
        Command::CreateGroup {
            topic: s("Weekend"),
            members: vec![s("Alice"), s("Bob")],
        },
        Command::AddMembers {
            group: s("Weekend"),
            members: vec![s("Carol")],
        },
        Command::RemoveMembers {
            group: s("Weekend"),
            members: vec![s("Bob")],
        },
        Command::RenameGroup {
            group: s("Weekend"),
            topic: s("Long weekend"),
        },
        Command::SetRemark {
            user: s("Alice"),
            remark: s("Al"),
        },
        Command::Pin { chat: s("Alice") },
        Command::Unpin { chat: s("Alice") },
        Command::FetchGroupMembers {
            group: s("Weekend"),
        },
        Command::CancelUpload {
            command: Some(CommandId::from(7)),
            local_id: None,
            upload: None,
        },
        Command::Logout {},
        Command::Contacts {
            kind: Some(webwx_core::contacts::ContactKind::Group),
            search: Some(s("team")),
            members: true,
        },
        Command::Me {},
    ]
}

/// A small address book, listed by the `contacts` query.
fn listed_contacts() -> Vec<webwx_core::boundary::Contact> {
    use webwx_core::wire::{RawContact, RawMember};
    let mut store = webwx_core::contacts::Contacts::new("@me");
    let member = |u: &str, n: &str, d: &str| RawMember {
        user_name: u.into(),
        nick_name: n.into(),
        display_name: d.into(),
        ..RawMember::default()
    };
    for c in [
        RawContact {
            user_name: "@alice".into(),
            nick_name: "Alice<span class=\"emoji emoji1f604\"></span>".into(),
            remark_name: "Al".into(),
            signature: "hi &amp; bye".into(),
            province: "Zhejiang".into(),
            city: "Hangzhou".into(),
            sex: 2,
            contact_flag: 3 | 0x800,
            ..RawContact::default()
        },
        RawContact {
            user_name: "@@team".into(),
            nick_name: "Team".into(),
            member_count: 2,
            member_list: vec![member("@me", "Me", ""), member("@alice", "Alice", "Ally")],
            ..RawContact::default()
        },
        RawContact {
            user_name: "filehelper".into(),
            nick_name: "File Transfer".into(),
            ..RawContact::default()
        },
    ] {
        store.upsert(c);
    }
    webwx_core::boundary::contacts(&store, None, None, true)
}

#[test]
fn every_command() {
    let cmds = commands();
    let names: std::collections::BTreeSet<&str> = cmds.iter().map(Command::name).collect();
    assert_eq!(names.len(), 21, "one of every command: {names:?}");
    for c in &cmds {
        let json = serde_json::to_string(c).unwrap();
        let back: Command = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, c, "{json}");
        assert_eq!(serde_json::to_value(c).unwrap()["cmd"], c.name());
    }
    insta::assert_json_snapshot!("commands", cmds);
}

#[test]
fn every_answer() {
    let ok = |r| Answer::new(Some(CommandId::from(1)), Ok(r));
    let err = |e: ErrorInfo| Answer::new(Some(CommandId::from("x")), Err(e));
    let answers = vec![
        ok(CommandResult::Sent {
            local_id: LocalId("15462112987390123".into()),
            msg_id: "4611686018427387905".into(),
        }),
        ok(CommandResult::Done { op: OpKind::Revoke }),
        ok(CommandResult::GroupCreated {
            group: "@@new".into(),
            topic: "Weekend".into(),
            failed: vec![],
        }),
        ok(CommandResult::MembersFetched {
            group: "@@g".into(),
            members: 3,
        }),
        ok(CommandResult::Downloaded {
            file_name: "a.jpg".into(),
            content_type: "image/jpeg".into(),
            len: 3,
            path: Some("/tmp/downloads/a.jpg".into()),
            data_b64: None,
        }),
        ok(CommandResult::Downloaded {
            file_name: "a.jpg".into(),
            content_type: "image/jpeg".into(),
            len: 3,
            path: None,
            data_b64: Some("AAEC".into()),
        }),
        ok(CommandResult::UploadCancelled {
            local_id: LocalId("15462112987390123".into()),
        }),
        Answer::new(None, Ok(CommandResult::LoggedOut {})),
        ok(CommandResult::Contacts {
            contacts: listed_contacts(),
        }),
        {
            // `me` of a client not logged in yet.
            use webwx_core::boundary::{NoFiles, Tracker};
            let mut client = webwx_core::Client::new(webwx_core::Config::new(1));
            let mut tracker = Tracker::default();
            let now = webwx_core::time::Now::from_millis(0);
            tracker.submit(&mut client, now, Command::Me {}, &mut NoFiles);
            tracker.poll_completion().unwrap().answer_inline()
        },
        err(CommandFailure::Refused {
            ret: Ret::SEND_REFUSED,
            message: String::new(),
        }
        .into()),
        err(CommandFailure::Transport {
            kind: TransportErrorKind::Timeout,
        }
        .into()),
        err(CommandFailure::SessionEnded.into()),
        err(CommandFailure::Cancelled.into()),
        err(ErrorInfo::from(webwx_core::names::NameError {
            name: "Bob".into(),
            problem: NameProblem::Ambiguous,
            candidates: vec![
                Candidate {
                    user_name: "@b1".into(),
                    nick_name: "Bob".into(),
                    remark_name: String::new(),
                    kind: webwx_core::contacts::ContactKind::Friend,
                },
                Candidate {
                    user_name: "@b2".into(),
                    nick_name: "Bob".into(),
                    remark_name: String::new(),
                    kind: webwx_core::contacts::ContactKind::Friend,
                },
            ],
        })),
        err(ErrorInfo::new(ErrorKind::Timeout, "no outcome in time")),
        err(webwx_core::CommandError::TooLarge {
            kind: webwx_core::MediaKind::File,
            size: 30,
            limit: 20,
        }
        .into()),
    ];
    for a in &answers {
        let back: Answer = serde_json::from_str(&a.to_json()).unwrap();
        assert_eq!(&back, a);
    }
    insta::assert_json_snapshot!("answers", answers);
}

#[test]
fn what_is_not_a_command() {
    let cases = [
        "not json",
        "[1]",
        r#"{"id": 1}"#,
        r#"{"id": 2, "cmd": "send_txt", "to": "x", "text": "y"}"#,
        r#"{"id": 3, "cmd": "send_text", "to": "x", "txt": "y"}"#,
        r#"{"id": 4, "cmd": "send_text", "to": "x"}"#,
        r#"{"id": {"a": 1}, "cmd": "logout"}"#,
        r#"{"id": 5, "cmd": "logout", "timeout_ms": -1}"#,
    ];
    let out: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| {
            let (id, e) = Request::parse(c).unwrap_err();
            assert_eq!(e.kind, ErrorKind::BadCommand);
            serde_json::json!({"input": c, "answer": Answer::new(id, Err(e))})
        })
        .collect();
    insta::assert_json_snapshot!("not_commands", out);
    // Beside the command: an id of any scalar type, a timeout.
    let r = Request::parse(r#"{"id": 12345678901234567890, "cmd": "logout", "timeout_ms": 1500}"#)
        .unwrap();
    assert_eq!(
        serde_json::to_string(&r.id).unwrap(),
        "12345678901234567890",
        "numbers kept exactly"
    );
    assert_eq!(r.timeout, Some(std::time::Duration::from_millis(1500)));
}
