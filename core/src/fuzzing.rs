//! Entry points for the fuzz targets in `fuzz/` (one per parser). Each feeds arbitrary
//! bytes to a parser as a response body (and, where the status matters, with the first
//! byte choosing the status) and must never panic.

use crate::endpoint;

fn response(data: &[u8]) -> http::Response<Vec<u8>> {
    let (status, body) = match data.split_first() {
        Some((b, rest)) if b % 4 == 0 => (301, rest),
        Some((b, rest)) if b % 4 == 1 => (500, rest),
        _ => (200, data),
    };
    http::Response::builder()
        .status(status)
        .body(body.to_vec())
        .expect("valid status")
}

macro_rules! fuzz_parsers {
    ($($(#[$doc:meta])* $name:ident => $parse:path;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(data: &[u8]) {
                let _ = $parse(&response(data));
            }
        )*
        /// Every target name, for the runner script.
        pub const TARGETS: &[&str] = &[$(stringify!($name)),*];
    };
}

fuzz_parsers! {
    /// `jslogin` answers.
    jslogin => endpoint::jslogin::parse;
    /// Login poll answers.
    login => endpoint::login::parse;
    /// `webwxnewloginpage` XML.
    newloginpage => endpoint::newloginpage::parse;
    /// `webwxpushloginurl` JSON.
    pushloginurl => endpoint::pushloginurl::parse;
    /// `webwxinit` JSON.
    init => endpoint::init::parse;
    /// `webwxstatusnotify` JSON.
    statusnotify => endpoint::statusnotify::parse;
    /// `webwxgetcontact` JSON.
    getcontact => endpoint::getcontact::parse;
    /// `webwxbatchgetcontact` JSON.
    batchgetcontact => endpoint::batchgetcontact::parse;
    /// `synccheck` JS.
    synccheck => endpoint::synccheck::parse;
    /// `webwxsync` JSON.
    sync => endpoint::sync::parse;
}

/// A webwxsync body parsed and every message typed (`Message::from_raw`), plus the
/// cookie jar, relay decoding and text normalization on the same bytes.
pub fn sync_messages(data: &[u8]) {
    if let Ok(r) = endpoint::sync::parse(&response(data)) {
        let me = crate::message::SelfInfo {
            user_name: "@me",
            nick_name: "me",
        };
        let contacts = crate::contacts::Contacts::new("@me");
        for raw in r.add_msg_list {
            let _ = crate::message::Message::from_raw(raw, &me, &contacts);
        }
    }
}

/// Cookie parsing, relay path decoding and text normalization on arbitrary text.
pub fn text_inputs(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let mut jar = crate::cookies::CookieJar::new();
    jar.store(crate::Timestamp(1), "wx.qq.com", "/", &s);
    let _ = jar.header(crate::Timestamp(1), "wx.qq.com", "/", true);
    if let Ok(uri) = s.parse::<http::Uri>() {
        let _ = crate::relay::decode_path("", &uri);
    }
    let _ = crate::message::normalize_text(&s);
    let _ = endpoint::js::assignments(&s);
}
