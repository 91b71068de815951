//! Entry points for the fuzz targets in `fuzz/` (one per parser). Each feeds arbitrary
//! bytes to a parser as a response body (and, where the status matters, with the first
//! byte choosing the status) and must never panic.

use crate::endpoint;

mod client_sequence;
pub use client_sequence::client_sequence;

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
        /// The names of the per-endpoint targets above.
        pub const TARGETS: &[&str] = &[$(stringify!($name)),*];
        /// The per-endpoint targets by name.
        const PARSERS: &[Entry] = &[$((stringify!($name), $name as fn(&[u8]))),*];
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
    /// `webwxsendmsg` answers.
    sendmsg => endpoint::sendmsg::parse;
    /// `webwxsendmsgimg` answers.
    sendmsgimg => endpoint::sendmsgimg::parse;
    /// `webwxsendvideomsg` answers.
    sendvideomsg => endpoint::sendvideomsg::parse;
    /// `webwxsendappmsg` answers.
    sendappmsg => endpoint::sendappmsg::parse;
    /// `webwxsendemoticon` answers.
    sendemoticon => endpoint::sendemoticon::parse;
    /// `webwxrevokemsg` answers.
    revokemsg => endpoint::revokemsg::parse;
    /// `webwxuploadmedia` answers.
    uploadmedia => endpoint::uploadmedia::parse;
    /// `webwxcheckupload` answers.
    checkupload => endpoint::checkupload::parse;
    /// Media downloads (`webwxgetmsgimg`, `webwxgetvoice`, `webwxgetvideo`, `webwxgetmedia`).
    media => media_parsers;
    /// `webwxverifyuser` answers.
    verifyuser => endpoint::verifyuser::parse;
    /// `webwxcreatechatroom` answers.
    createchatroom => endpoint::createchatroom::parse;
    /// `webwxupdatechatroom` answers.
    updatechatroom => endpoint::updatechatroom::parse;
    /// `webwxoplog` answers.
    oplog => endpoint::oplog::parse;
}

/// A fuzz target's name and its body.
pub type Entry = (&'static str, fn(&[u8]));

/// Every entry point of this module with the name of its fuzz target (`fuzz/fuzz_targets/
/// NAME.rs`): what the corpus replay runs without cargo-fuzz.
pub fn entries() -> Vec<Entry> {
    let mut all: Vec<Entry> = PARSERS.to_vec();
    all.extend([
        ("message", message as fn(&[u8])),
        ("message_content", message_content),
        ("sync_messages", sync_messages),
        ("list_entries", list_entries),
        ("command", command),
        ("text_inputs", text_inputs),
        ("cookies", cookies),
        ("relay_decode", relay_decode),
        ("session_file", session_file),
        ("client_sequence", client_sequence),
    ]);
    all
}

/// The one-pass readers that hand on each entry of a long list while the body is read
/// (`sync::parse_each` for webwxsync's `AddMsgList`, `getcontact::parse_each` for
/// webwxgetcontact's `MemberList`), each entry typed as `webwx decode` types it; on a
/// UTF-8 body the text readers (`parse_each_text`) hand on the same entries with the
/// same outcome.
pub fn list_entries(data: &[u8]) {
    let resp = response(data);
    let mut sync_entries = Vec::new();
    let sync = endpoint::sync::parse_each(&resp, |i, raw| {
        let _ = endpoint::sync::message(raw);
        sync_entries.push((i, raw.get()));
    });
    let mut contact_entries = Vec::new();
    let contacts = endpoint::getcontact::parse_each(&resp, |i, raw| {
        let _ = endpoint::getcontact::contact(raw);
        contact_entries.push((i, raw.get()));
    });
    // A body known to be text reads the same through the text readers: the same entries
    // handed on, the same outcome.
    if let Ok(text) = std::str::from_utf8(resp.body()) {
        let mut again = Vec::new();
        let sync_text = endpoint::sync::parse_each_text(resp.status(), text, |i, raw| {
            again.push((i, raw.get()));
        });
        assert_eq!(again, sync_entries);
        assert_eq!(format!("{sync_text:?}"), format!("{sync:?}"));
        let mut again = Vec::new();
        let contacts_text = endpoint::getcontact::parse_each_text(resp.status(), text, |i, raw| {
            again.push((i, raw.get()));
        });
        assert_eq!(again, contact_entries);
        assert_eq!(format!("{contacts_text:?}"), format!("{contacts:?}"));
    }
}

/// The boundary's command reader (`Request::parse`, with the `Download` reader behind a
/// `download`'s `media`) on arbitrary text: never a panic, and a command it accepts is
/// the same command when written back to JSON and read again.
pub fn command(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(req) = crate::boundary::Request::parse(&text) {
        let again = serde_json::to_string(&req.command).expect("a command writes as JSON");
        match crate::boundary::Request::parse(&again) {
            Ok(back) => assert_eq!(back.command, req.command, "{again}"),
            Err((_, e)) => panic!("{again} read back: {}", e.message),
        }
    }
}

fn media_parsers(r: &http::Response<Vec<u8>>) {
    let _ = endpoint::getmsgimg::parse(r);
    let _ = endpoint::getvoice::parse(r);
    let _ = endpoint::getvideo::parse(r);
    let _ = endpoint::getmedia::parse(r);
    let _ = endpoint::geticon::parse(r);
    let _ = endpoint::getheadimg::parse(r);
}

/// One `AddMsgList` entry as JSON, typed with `Message::from_raw` (the appmsg, sysmsg,
/// revoke, card and location XML parsers behind it included).
pub fn message(data: &[u8]) {
    if let Ok(raw) = serde_json::from_slice::<crate::message::RawMessage>(data) {
        let me = crate::message::SelfInfo {
            user_name: "@me",
            nick_name: "me",
        };
        let _ = crate::message::Message::from_raw(raw, &me, &crate::contacts::Contacts::new("@me"));
    }
}

/// Arbitrary text as the `Content` of every message type, so the XML parsers behind the
/// types see raw bytes directly.
pub fn message_content(data: &[u8]) {
    let Some((kind, rest)) = data.split_first() else {
        return;
    };
    const TYPES: [u32; 16] = [
        1, 3, 34, 37, 40, 42, 43, 47, 48, 49, 51, 62, 9999, 10000, 10002, 50,
    ];
    let raw = crate::message::RawMessage {
        msg_id: "1".into(),
        from_user_name: if kind & 0x80 != 0 {
            "@@group".into()
        } else {
            "@friend".into()
        },
        to_user_name: "@me".into(),
        msg_type: TYPES[usize::from(*kind) % TYPES.len()],
        app_msg_type: u32::from(kind >> 4),
        content: String::from_utf8_lossy(rest).into_owned(),
        ..Default::default()
    };
    let me = crate::message::SelfInfo {
        user_name: "@me",
        nick_name: "me",
    };
    let _ = crate::message::Message::from_raw(raw, &me, &crate::contacts::Contacts::new("@me"));
    let _ = crate::media::safe_file_name(&String::from_utf8_lossy(rest));
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

/// The cookie jar on arbitrary `Set-Cookie` lines: the first byte picks the request host,
/// the next one the time; every line is stored, then the `Cookie` header is built for each
/// host (https and plain). Never a panic; the jar stays within
/// [`CookieJar::MAX_COOKIES`](crate::cookies::CookieJar::MAX_COOKIES), every header it
/// builds is a valid header value, and the jar survives its JSON round trip.
pub fn cookies(data: &[u8]) {
    const HOSTS: [&str; 4] = [
        "wx.qq.com",
        "webpush.wx2.qq.com",
        "file.wx.qq.com",
        "qq.com",
    ];
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some((&time, rest)) = rest.split_first() else {
        return;
    };
    let now = crate::Timestamp(1_700_000_000_000 + u64::from(time) * 3_600_000);
    let text = String::from_utf8_lossy(rest);
    let mut jar = crate::cookies::CookieJar::new();
    for (n, line) in text.lines().enumerate() {
        let host = HOSTS[(usize::from(pick) + n) % HOSTS.len()];
        let path = if n % 2 == 0 {
            "/cgi-bin/mmwebwx-bin/webwxinit"
        } else {
            "/"
        };
        jar.store(now, host, path, line);
    }
    assert!(jar.len() <= crate::cookies::CookieJar::MAX_COOKIES);
    for host in HOSTS {
        for https in [true, false] {
            if let Some(h) = jar.header(now, host, "/cgi-bin/mmwebwx-bin/synccheck", https) {
                assert!(
                    http::HeaderValue::from_str(&h).is_ok(),
                    "a Cookie header that cannot be sent: {h:?}"
                );
            }
        }
    }
    let json = serde_json::to_string(&jar).expect("a jar serializes");
    let back: crate::cookies::CookieJar = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(back, jar);
}

/// Relay decoding on arbitrary request targets: the first byte picks a path prefix, the
/// rest is the request target (`/HOST/PATH?QUERY`). Never a panic; a decoded request
/// names a host name and a path that starts with `/`, and an encoded request decodes back
/// to the same host and path.
pub fn relay_decode(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let prefix = ["", "/wx", "/a/b"][usize::from(pick) % 3];
    let target = String::from_utf8_lossy(rest);
    let Ok(uri) = target.parse::<http::Uri>() else {
        return;
    };
    if let Ok((host, real)) = crate::relay::decode_path(prefix, &uri) {
        assert!(crate::relay::is_host_name(&host), "{host:?}");
        assert!(real.path().starts_with('/'), "{real}");
    }
    let req = http::Request::builder()
        .uri(uri.clone())
        .header("x-wx-cookie", "a=b")
        .body(Vec::new());
    if let Ok(req) = req {
        let _ = crate::relay::decode_request(prefix, req);
    }
    // The other way round: an https URL on a WeChat host, in the relay form and back.
    if let Some(pq) = uri.path_and_query()
        && let Ok(real) = format!("https://wx.qq.com{pq}").parse::<http::Uri>()
        && let Ok(origin) = crate::relay::Origin::parse(&format!("http://127.0.0.1:1{prefix}"))
        && let Ok(relayed) = crate::relay::relay_uri(&origin, &real)
        && let Ok((host, back)) = crate::relay::decode_path(prefix, &relayed)
    {
        assert_eq!(host, "wx.qq.com");
        assert_eq!(back.path(), real.path(), "{relayed}");
    }
}

/// The session file loader on arbitrary text: [`SessionState::from_json`], then a client
/// restored from what it accepted (with and without a relay origin) connects and hands out
/// its first requests. Never a panic; an accepted state keeps its lists within their
/// bounds, and every request goes to a WeChat host (or, with an origin, to the origin).
///
/// [`SessionState::from_json`]: crate::SessionState::from_json
pub fn session_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(state) = crate::SessionState::from_json(text) else {
        return;
    };
    assert!(state.seen.len() <= crate::session::SeenIds::CAPACITY);
    assert!(state.cookies.len() <= crate::cookies::CookieJar::MAX_COOKIES);
    let now = crate::Now::from_millis(1_700_000_000_000);
    for origin in [None, Some("http://127.0.0.1:9")] {
        let mut cfg = crate::Config::new(1);
        if let Some(o) = origin {
            cfg = cfg.origin(o).expect("a valid origin");
        }
        let Ok(mut client) = crate::Client::try_restore(cfg, state.clone()) else {
            continue;
        };
        let _ = client.connect(now);
        for _ in 0..64 {
            match client.poll_output() {
                crate::Output::Transmit(t) => {
                    let host = t.request.uri().host().unwrap_or_default();
                    match origin {
                        Some(_) => assert_eq!(host, "127.0.0.1", "{}", t.request.uri()),
                        None => assert!(crate::hosts::is_wechat_host(host), "{host:?}"),
                    }
                }
                crate::Output::Event(_) => {}
                _ => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// Each entry point runs on a few inputs (the fuzz targets are built separately).
    #[test]
    fn entry_points_accept_anything() {
        let inputs: [&[u8]; 5] = [
            b"",
            b"\x00",
            b"{\"BaseResponse\":{\"Ret\":0},\"MsgType\":49,\"Content\":\"&lt;msg&gt;\"}",
            b"\x31<msg><appmsg><type>6</type></appmsg></msg>",
            b"window.synccheck={retcode:\"0\",selector:\"2\"}",
        ];
        for data in inputs {
            super::jslogin(data);
            super::newloginpage(data);
            super::sync(data);
            super::sync_messages(data);
            super::media(data);
            super::message(data);
            super::message_content(data);
            super::text_inputs(data);
            super::cookies(data);
            super::relay_decode(data);
            super::session_file(data);
        }
        assert!(super::TARGETS.len() >= 20);
    }
}
