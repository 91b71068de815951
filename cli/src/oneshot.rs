//! The one-shot commands on a saved session: `webwx contacts`, `group`, `friend`,
//! `revoke`. Like `send`, each resumes the session for commands only (contacts loaded,
//! the sync loop of a running `login` never touched), runs one boundary command
//! ([`webwx_core::boundary::Command`]), prints its answer and saves the session under its
//! lock, merged with the file as it is then ([`crate::session_file::Shared`]).
//!
//! Exit codes: 0 done, 1 refused (by the server, or the session is no longer valid),
//! 2 bad usage.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use webwx_core::Event;
use webwx_core::boundary::{Answer, Command, CommandResult, Outcome, Request};
use webwx_ureq::RecvError;
use webwx_ureq::prelude::*;

use crate::args::{
    ContactsArgs, FriendAction, FriendArgs, GroupAction, GroupArgs, OneShotArgs, RevokeArgs,
};
use crate::resume::{FAILED, Resumed, Saved, USAGE};

/// Exit code: done.
const DONE: i32 = 0;

/// `webwx contacts`.
pub fn contacts(a: &ContactsArgs) -> i32 {
    let mut cmd = json!({"cmd": "contacts", "members": a.members});
    if let Some(k) = &a.kind {
        cmd["kind"] = json!(k);
    }
    if let Some(s) = &a.search {
        cmd["search"] = json!(s);
    }
    run("contacts", &a.common, cmd)
}

/// `webwx group ...`.
pub fn group(a: &GroupArgs) -> i32 {
    match &a.action {
        GroupAction::Create {
            common,
            topic,
            members,
        } => run(
            "group create",
            common,
            json!({"cmd": "create_group", "topic": topic, "members": members}),
        ),
        GroupAction::Add {
            common,
            group,
            members,
        } => run(
            "group add",
            common,
            json!({"cmd": "add_members", "group": group, "members": members}),
        ),
        GroupAction::Remove {
            common,
            group,
            members,
        } => run(
            "group remove",
            common,
            json!({"cmd": "remove_members", "group": group, "members": members}),
        ),
        GroupAction::Rename {
            common,
            group,
            topic,
        } => run(
            "group rename",
            common,
            json!({"cmd": "rename_group", "group": group, "topic": topic}),
        ),
    }
}

/// `webwx friend ...`.
pub fn friend(a: &FriendArgs) -> i32 {
    match &a.action {
        FriendAction::Accept {
            common,
            user,
            ticket,
        } => run(
            "friend accept",
            common,
            json!({"cmd": "accept_friend", "user_name": user, "ticket": ticket}),
        ),
        FriendAction::Add {
            common,
            user,
            greeting,
        } => run(
            "friend add",
            common,
            json!({"cmd": "add_friend", "user_name": user, "greeting": greeting}),
        ),
        FriendAction::Remark {
            common,
            user,
            remark,
        } => run(
            "friend remark",
            common,
            json!({"cmd": "set_remark", "user": user, "remark": remark}),
        ),
    }
}

/// `webwx revoke`.
pub fn revoke(a: &RevokeArgs) -> i32 {
    run(
        "revoke",
        &a.common,
        json!({"cmd": "revoke", "to": a.to, "msg_id": a.msg_id}),
    )
}

/// Runs the boundary command `cmd` on the saved session of `args`.
fn run(name: &str, args: &OneShotArgs, cmd: Value) -> i32 {
    let err = |m: &str| crate::terminal::err(&format!("webwx {name}: {m}"));
    let command: Command = match serde_json::from_value(cmd) {
        Ok(c) => c,
        Err(e) => {
            err(&format!("bad arguments: {e}"));
            return USAGE;
        }
    };
    let saved = Saved {
        name,
        args: &args.saved,
    };
    let Resumed {
        handle,
        events,
        mut shared,
    } = match saved.load().and_then(|state| saved.start(state)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    // Commands wait for the session to be ready.
    let timeout = Duration::from_secs(args.saved.timeout.max(1));
    let mut pending = Some(handle.submit(Request {
        id: None,
        timeout: Some(timeout),
        command,
    }));
    let deadline = Instant::now() + timeout + Duration::from_secs(1);
    let mut answer: Option<Answer> = None;
    let mut failure: Option<String> = None;
    while answer.is_none() && failure.is_none() {
        match events.recv_deadline((Instant::now() + Duration::from_millis(20)).min(deadline)) {
            // The saved session is dead: the core would go on to a push or QR login,
            // which a one-shot command must not do.
            Ok(Event::ResumeFailed { ret }) => {
                failure = Some(format!(
                    "the saved session is no longer valid ({ret}); log in again with `webwx login --session {}`",
                    args.saved.session.display()
                ));
            }
            Ok(Event::QrCode { .. } | Event::PushLoginSent) => {
                failure = Some("the saved session is no longer valid".into());
            }
            Ok(_) | Err(RecvError::Timeout) => {}
            Err(_) => {}
        }
        if let Some(p) = pending.take() {
            match p.wait_timeout(Duration::ZERO) {
                Ok(a) => answer = Some(a),
                Err(p) => pending = Some(p),
            }
        }
        if Instant::now() >= deadline && answer.is_none() {
            failure.get_or_insert_with(|| {
                format!("no answer within --timeout {}s", args.saved.timeout)
            });
        }
    }
    handle.shutdown();
    let mut events = events;
    for _ in events.by_ref() {}
    if let Err(e) = shared.save(&handle.snapshot()) {
        err(&format!("cannot save the session: {e}"));
    }
    match (answer, failure) {
        (_, Some(f)) => {
            if args.json {
                crate::terminal::out_raw(
                    &json!({"answer": null, "error": {"kind": "session_ended", "message": f}})
                        .to_string(),
                );
            }
            err(&f);
            FAILED
        }
        (Some(a), None) => print(name, args.json, a),
        (None, None) => FAILED,
    }
}

/// Prints `a` (JSON or human) and returns the exit code.
fn print(name: &str, json: bool, a: Answer) -> i32 {
    if json {
        crate::terminal::out_raw(&serde_json::to_string(&a).unwrap_or_default());
    }
    match a.outcome {
        Outcome::Result(r) => {
            if !json {
                human(&r);
            }
            DONE
        }
        Outcome::Error(e) => {
            crate::terminal::err(&format!("webwx {name}: {}", e.message));
            FAILED
        }
    }
}

/// The human form of a result.
fn human(r: &CommandResult) {
    match r {
        CommandResult::Contacts { contacts } => {
            for c in contacts {
                let kind = serde_json::to_value(c.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                crate::terminal::out(&format!("{kind:<9} {} {}", c.user_name, c.display()));
            }
        }
        other => {
            let v = serde_json::to_value(other).unwrap_or_default();
            match v.get("kind").and_then(Value::as_str) {
                Some("done") => crate::terminal::out("done"),
                _ => crate::terminal::out(&v.to_string()),
            }
        }
    }
}
