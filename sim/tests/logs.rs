//! The simulator's own logs (tracing, at the most verbose level) never carry
//! credentials: skey, sid, pass_ticket, uin, data and auth tickets.

mod common;

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use common::*;
use serde_json::json;
use webwx_sim::InjectMessage;

/// Records every event and span field as text.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut out = self.0.lock().unwrap();
        out.push_str(span.metadata().name());
        span.record(&mut Fields(&mut out));
        out.push('\n');
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.0.lock().unwrap();
        event.record(&mut Fields(&mut out));
        out.push('\n');
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn no_secrets_in_trace_logs() {
    let rec = Recorder::default();
    tracing::subscriber::set_global_default(rec.clone()).expect("first subscriber");
    let sim = sim();
    let mut s = login(&sim, Form::Relay);
    let friend = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.kind == "friend")
        .unwrap();
    sim.control()
        .inject_message(InjectMessage {
            from: friend.user_name.clone(),
            content: "hi".into(),
            ..InjectMessage::default()
        })
        .unwrap();
    s.synccheck(&sim);
    s.sync(&sim);
    let body = json!({"BaseRequest": s.base_request(), "Msg": {"Type": 1, "Content": "x", "FromUserName": s.user_name, "ToUserName": friend.user_name, "LocalID": "1", "ClientMsgId": "1"}});
    s.post(&sim, "webwxsendmsg", "", &body);
    sim.control()
        .add_fault(webwx_sim::FaultSpec::new(
            "synccheck",
            webwx_sim::FaultKind::Ret,
            1,
        ))
        .unwrap();
    s.synccheck(&sim);
    drop(sim);
    let logs = rec.0.lock().unwrap().clone();
    assert!(logs.contains("answered"), "the simulator does log: {logs}");
    let data_ticket = &s
        .cookies
        .iter()
        .find(|(k, _)| k == "webwx_data_ticket")
        .unwrap()
        .1;
    let auth_ticket = &s
        .cookies
        .iter()
        .find(|(k, _)| k == "webwx_auth_ticket")
        .unwrap()
        .1;
    for secret in [
        s.skey.as_str(),
        s.sid.as_str(),
        s.pass_ticket.as_str(),
        &s.uin.to_string(),
        data_ticket,
        auth_ticket,
    ] {
        assert!(!logs.contains(secret), "secret in logs");
    }
}
