//! A saved session shared by processes: the three-way merge keeps what each side changed
//! (a login's keys and seen ids, a one-shot's sends, pacing and cookies), and the cookie
//! jars merge cookie by cookie.

use webwx_core::cookies::CookieJar;
use webwx_core::pacing::{PaceClass, PacingPolicy};
use webwx_core::time::Timestamp;
use webwx_core::{Hosts, SessionState};

const NOW: Timestamp = Timestamp(1_700_000_000_000);

fn jar(cookies: &[&str]) -> CookieJar {
    let mut j = CookieJar::new();
    for c in cookies {
        assert!(j.store(NOW, "wx.qq.com", "/cgi-bin/mmwebwx-bin/x", c));
    }
    j
}

#[test]
fn cookies_merge_one_by_one() {
    let base = jar(&["a=1", "b=1", "c=1"]);
    // Mine changed a and dropped c (expired); theirs changed b and added d.
    let mut mine = base.clone();
    mine.store(NOW, "wx.qq.com", "/cgi-bin/mmwebwx-bin/x", "a=2");
    mine.store(NOW, "wx.qq.com", "/cgi-bin/mmwebwx-bin/x", "c=1; Max-Age=0");
    let mut theirs = base.clone();
    theirs.store(NOW, "wx.qq.com", "/cgi-bin/mmwebwx-bin/x", "b=3");
    theirs.store(NOW, "wx.qq.com", "/cgi-bin/mmwebwx-bin/x", "d=4");
    let m = CookieJar::merge3(&base, &mine, &theirs);
    assert_eq!(m.get(NOW, "a"), Some("2"), "mine changed a");
    assert_eq!(m.get(NOW, "b"), Some("3"), "theirs changed b");
    assert_eq!(m.get(NOW, "c"), None, "mine dropped c");
    assert_eq!(m.get(NOW, "d"), Some("4"), "theirs added d");
    // Nothing changed on my side: theirs as it is.
    assert_eq!(CookieJar::merge3(&base, &base, &theirs), theirs);
}

#[test]
fn each_side_keeps_what_it_changed() {
    let mut base = SessionState::new(7, Hosts::default());
    base.cookies = jar(&["webwx_data_ticket=t1"]);
    // A running login moved the keys and saw a message.
    let mut login = base.clone();
    login.sync_key =
        serde_json::from_value(serde_json::json!({"Count": 1, "List": [{"Key": 1, "Val": 99}]}))
            .unwrap();
    login.seen.insert("m1");
    // A one-shot send (from the same base) sent, paced and got a new cookie.
    let mut send = base.clone();
    send.sent.insert("9001", "17000000000000001");
    send.pacing
        .reserve(&PacingPolicy::default(), NOW, "@a", PaceClass::Message);
    send.cookies.store(
        NOW,
        "wx.qq.com",
        "/cgi-bin/mmwebwx-bin/x",
        "webwx_data_ticket=t2",
    );
    let mut rng = send.rng.clone();
    rng.mix(42);
    send.rng = rng;

    // The send saves after the login did: the login's keys and seen ids stay.
    let on_disk = SessionState::merge_shared(&base, &send, &login);
    assert_eq!(on_disk.sync_key, login.sync_key);
    assert!(on_disk.seen.contains("m1"));
    assert_eq!(
        on_disk.sent.client_msg_id_of("9001"),
        Some("17000000000000001")
    );
    assert_eq!(on_disk.pacing, send.pacing);
    assert_eq!(on_disk.cookies.get(NOW, "webwx_data_ticket"), Some("t2"));

    // The login saves again (its base: its last save): the send's work stays.
    let mut login2 = login.clone();
    login2.seen.insert("m2");
    let again = SessionState::merge_shared(&login, &login2, &on_disk);
    assert!(again.seen.contains("m2"));
    assert_eq!(
        again.sent.client_msg_id_of("9001"),
        Some("17000000000000001")
    );
    assert_eq!(again.pacing, send.pacing);
    assert_eq!(again.cookies.get(NOW, "webwx_data_ticket"), Some("t2"));
}
