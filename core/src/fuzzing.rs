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
        /// The names of the per-endpoint targets above.
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
        }
        assert!(super::TARGETS.len() >= 20);
    }
}
