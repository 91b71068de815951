//! schema/webwx.schema.json and schema/webwx.d.ts are generated from webwx-core's types;
//! these tests fail when the checked-in files drift from the code, and validate real
//! boundary JSON against the schema so that the schema and serde cannot disagree.
//!
//! Regenerate with `UPDATE_SCHEMA=1 cargo test -p webwx-tests --test schema`.

use std::path::PathBuf;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema")
}

/// Compares `generated` with the checked-in file `name` (or writes it with
/// `UPDATE_SCHEMA=1`).
fn check_file(name: &str, generated: &str) {
    let path = schema_dir().join(name);
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(schema_dir()).unwrap();
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != generated {
        let line = on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| on_disk.lines().count().min(generated.lines().count()));
        panic!(
            "schema/{name} is not what the code generates (first difference at line {}).\n\
             Regenerate it with: UPDATE_SCHEMA=1 cargo test -p webwx-tests --test schema\n\
             and review the diff.",
            line + 1
        );
    }
}

#[test]
fn json_schema_is_up_to_date() {
    check_file(
        "webwx.schema.json",
        &webwx_core::boundary::schema::json_schema(),
    );
}

#[test]
fn typescript_is_up_to_date() {
    check_file("webwx.d.ts", &webwx_core::boundary::schema::typescript());
}

// ---- the schema and serde agree ----

use serde_json::{Value, json};
use webwx_core::Event;
use webwx_core::boundary::{self, Request};

#[path = "../../core/tests/strategies/events.rs"]
mod strategies;

/// The checked-in schema, as a validator of `$defs/NAME`.
fn validator(def: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(schema_dir().join("webwx.schema.json")).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    let obj = schema.as_object_mut().unwrap();
    assert!(obj["$defs"].get(def).is_some(), "no $defs/{def}");
    obj.remove("anyOf");
    obj.insert("$ref".into(), json!(format!("#/$defs/{def}")));
    jsonschema::draft202012::new(&schema).expect("the schema compiles")
}

/// Panics with every error when `instance` does not validate.
fn assert_valid(v: &jsonschema::Validator, what: &str, instance: &Value) {
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match the schema:\n  {}\n{instance}",
        errors.join("\n  ")
    );
}

/// The JSON array of an insta snapshot of the core's boundary_shapes tests.
fn core_snapshot(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/../core/tests/snapshots/boundary_shapes__{name}.snap",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    // Front matter between the first two `---` lines, then the JSON.
    let body = text.splitn(3, "---\n").nth(2).unwrap();
    serde_json::from_str(body).unwrap()
}

#[test]
fn the_root_accepts_every_line_of_the_boundary() {
    let text = std::fs::read_to_string(schema_dir().join("webwx.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let root = jsonschema::draft202012::new(&schema).unwrap();
    for line in [
        json!({"event": "ready"}),
        json!({"cmd": "send_text", "id": 1, "to": "filehelper", "text": "hi"}),
        json!({"answer": 1, "result": {"kind": "logged_out"}}),
    ] {
        assert_valid(&root, "a line", &line);
    }
    assert!(!root.is_valid(&json!({"what": "else"})));
}

#[test]
fn every_command_snapshot_is_a_command_and_a_request() {
    let command = validator("Command");
    let request = validator("Request");
    let commands = core_snapshot("commands");
    assert_eq!(commands.len(), 25);
    for (i, c) in commands.iter().enumerate() {
        assert_valid(&command, "a command", c);
        assert_valid(&request, "a request without id", c);
        let mut with_id = c.clone();
        with_id["id"] = json!(i);
        with_id["timeout_ms"] = json!(1500);
        assert_valid(&request, "a request", &with_id);
        assert!(Request::from_value(with_id.clone()).is_ok(), "{with_id}");
        // ... and not a command: the envelope's fields are the request's.
        assert!(!command.is_valid(&with_id), "{with_id}");
    }
}

#[test]
fn every_answer_snapshot_is_an_answer() {
    let answer = validator("Answer");
    for a in core_snapshot("answers") {
        assert_valid(&answer, "an answer", &a);
    }
    // What is not a command: the error answers are answers, and the schema refuses the
    // inputs that are JSON objects too.
    let request = validator("Request");
    for case in core_snapshot("not_commands") {
        assert_valid(&answer, "an error answer", &case["answer"]);
        let input = case["input"].as_str().unwrap();
        if let Ok(v) = serde_json::from_str::<Value>(input) {
            assert!(
                !request.is_valid(&v),
                "the schema accepts {input}, which Request::parse refuses"
            );
        }
    }
}

#[test]
fn typos_and_wrong_shapes_are_refused_by_both() {
    let request = validator("Request");
    for bad in [
        json!({"cmd": "send_text", "to": "a", "txt": "hi"}),
        json!({"cmd": "send_text", "to": "a"}),
        json!({"cmd": "no_such_command"}),
        json!({"cmd": "pin", "chat": "a", "timeout_ms": 0}),
        json!({"cmd": "pin", "chat": "a", "id": [1]}),
        json!({"cmd": "revoke", "to": "a", "msg_id": 5}),
    ] {
        assert!(!request.is_valid(&bad), "the schema accepts {bad}");
        assert!(
            Request::from_value(bad.clone()).is_err(),
            "parse accepts {bad}"
        );
    }
}

#[test]
fn the_least_each_command_needs_is_accepted_by_both() {
    let request = validator("Request");
    for good in [
        json!({"cmd": "send_text", "to": "a", "text": "hi"}),
        json!({"cmd": "send_file", "to": "a", "path": "/tmp/x"}),
        json!({"cmd": "send_emoticon", "to": "a", "md5": "00"}),
        json!({"cmd": "forward", "to": "a", "msg_id": "1"}),
        json!({"cmd": "revoke", "to": "a", "msg_id": "1"}),
        json!({"cmd": "mark_read", "chat": "a"}),
        json!({"cmd": "download", "msg_id": "1"}),
        json!({"cmd": "accept_friend", "msg_id": "1"}),
        json!({"cmd": "add_friend", "user_name": "@a"}),
        json!({"cmd": "create_group", "topic": "t", "members": ["a", "b"]}),
        json!({"cmd": "add_members", "group": "g", "members": ["a"]}),
        json!({"cmd": "remove_members", "group": "g", "members": ["a"]}),
        json!({"cmd": "rename_group", "group": "g", "topic": "t"}),
        json!({"cmd": "set_remark", "user": "a", "remark": ""}),
        json!({"cmd": "pin", "chat": "a"}),
        json!({"cmd": "unpin", "chat": "a", "id": null, "timeout_ms": null}),
        json!({"cmd": "fetch_group_members", "group": "g"}),
        json!({"cmd": "cancel_upload", "upload": 3}),
        json!({"cmd": "logout", "id": true}),
        json!({"cmd": "contacts"}),
        json!({"cmd": "contacts", "kind": "special", "search": "file", "members": true}),
        json!({"cmd": "me"}),
    ] {
        assert_valid(&request, "a request", &good);
        assert!(
            Request::from_value(good.clone()).is_ok(),
            "parse refuses {good}"
        );
    }
}

/// Every message fixture of the core (real captures and client test data), typed and
/// printed as its boundary event.
#[test]
fn every_message_fixture_is_an_event() {
    use webwx_core::message::{GroupNames, Message, RawMessage, SelfInfo};
    struct Names(std::collections::HashMap<String, String>);
    impl GroupNames for Names {
        fn my_display_name_in(&self, group: &str) -> Option<String> {
            self.0.get(group).cloned()
        }
    }
    let event = validator("Event");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/messages");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // One entry with who we are, or a whole webwxsync answer.
        let (raws, me) = match (fixture.get("raw"), fixture.get("AddMsgList")) {
            (Some(raw), _) => (vec![raw.clone()], fixture["me"].clone()),
            (None, Some(Value::Array(list))) => (list.clone(), json!({})),
            _ => continue,
        };
        let me = SelfInfo {
            user_name: me["user_name"].as_str().unwrap_or_default(),
            nick_name: me["nick_name"].as_str().unwrap_or_default(),
        };
        let names =
            Names(serde_json::from_value(fixture["display_names"].clone()).unwrap_or_default());
        for raw in raws {
            let raw: RawMessage = serde_json::from_value(raw).unwrap();
            let m = Message::from_raw(raw, &me, &names);
            let line = boundary::event_json(&Event::Message(Box::new(m))).unwrap();
            let what = path.display().to_string();
            assert_valid(&event, &what, &serde_json::from_str(&line).unwrap());
            n += 1;
        }
    }
    assert!(n >= 60, "only {n} fixtures");
}

/// A whole session through the simulator (the conformance scenario `boundary_commands`
/// on webwx-ureq): every event it printed, every command and every answer.
#[test]
fn a_whole_session_matches_the_schema() {
    let t = webwx_tests::scenarios::boundary_transcript(&webwx_tests::Ureq::new());
    let (event, request, answer) = (
        validator("Event"),
        validator("Request"),
        validator("Answer"),
    );
    let mut kinds = std::collections::BTreeSet::new();
    for e in &t.events {
        let Some(line) = boundary::event_json(e) else {
            continue;
        };
        let v: Value = serde_json::from_str(&line).unwrap();
        kinds.insert(v["event"].as_str().unwrap().to_owned());
        assert_valid(&event, "an event", &v);
    }
    for k in [
        "qr_code",
        "scanned",
        "logged_in",
        "contacts_loaded",
        "ready",
        "message",
        "command",
        "logged_out",
    ] {
        assert!(kinds.contains(k), "no {k} event in {kinds:?}");
    }
    assert!(t.exchanges.len() >= 20, "{} exchanges", t.exchanges.len());
    for (req, ans) in &t.exchanges {
        assert_valid(&request, "a request", req);
        assert_valid(&answer, "an answer", ans);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any event the core can produce that crosses the boundary matches the schema.
    #[test]
    fn generated_events_match_the_schema(e in strategies::event()) {
        thread_local!(static EVENT: jsonschema::Validator = validator("Event"));
        if let Some(line) = boundary::event_json(&e) {
            let v: Value = serde_json::from_str(&line).unwrap();
            EVENT.with(|event| assert_valid(event, "a generated event", &v));
        }
    }
}
