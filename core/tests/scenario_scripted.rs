//! The scenarios the simulator must never play, against the scripted fake server of
//! `fake/mod.rs` in virtual time. Everything else is in `scenario.rs`, against the
//! simulator's own logic.
//!
//! - A newloginpage that answers 301 to a request with `version=v2`: the real server
//!   answered 301 (without Location) only when `version=v2` was missing, and so does the
//!   simulator; this client always sends it. Whether the client still takes the XML of a
//!   301 needs a server that answers it anyway.
//! - An `InviteStartCount` other than 40: the real server (and so the simulator) always
//!   answers 40. Only a server that answers another value proves the client takes the
//!   threshold from webwxinit rather than a constant 40.

mod fake;

use fake::*;
use webwx_core::{Client, Config, Event};

fn config() -> Config {
    Config::new(7)
}

#[test]
fn newloginpage_301_with_xml_logs_in() {
    let mut fake = Fake::new("wx.qq.com");
    fake.login_page = LoginPageMode::Ok301;
    let mut h = Harness::new(Client::new(config()), fake);
    let now = h.now;
    h.client.login(now).expect("the login starts");
    h.run_until_event(|e| matches!(e, Event::Ready));
    assert!(h.client.is_logged_in());
    let page = h
        .fake
        .requests
        .iter()
        .find(|r| r.uri().path().ends_with("webwxnewloginpage"))
        .unwrap();
    assert!(page.uri().query().unwrap().contains("version=v2"));
}

#[test]
fn invitemember_threshold_comes_from_webwxinit() {
    for (threshold, expected) in [(40, "addmember"), (1, "invitemember")] {
        let mut fake = Fake::new("wx.qq.com");
        fake.invite_start_count = threshold;
        let mut h = Harness::new(Client::new(config()), fake);
        let now = h.now;
        h.client.login(now).expect("the login starts");
        h.run_until_event(|e| matches!(e, Event::Ready));
        assert_eq!(h.client.contacts().get(GROUP).unwrap().member_list.len(), 2);
        h.settle(); // the synccheck long-poll is out and held
        let now = h.now;
        h.client.add_members(now, GROUP, &["@bob"]).unwrap();
        let webwx_core::Output::Transmit(t) = h.client.poll_output() else {
            panic!("a request")
        };
        assert!(
            t.request
                .uri()
                .query()
                .unwrap()
                .contains(&format!("fun={expected}")),
            "{threshold}: {}",
            t.request.uri()
        );
    }
}
