//! Media downloads: request snapshots checked against the captured URLs, parses of the
//! captured answers, the download command, and `safe_file_name` properties.

// `common` is shared with the other test targets (and linted there).
#[allow(clippy::all)]
mod common;
#[path = "fixtures/sends/harness.rs"]
mod harness;

use common::{creds, hosts, render, session_ctx};
use harness::{ALICE, Fake, ME, ROOM, endpoints, ret};
use proptest::prelude::*;
use std::time::Duration;
use webwx_core::endpoint::getmedia::MediaFile;
use webwx_core::endpoint::{getheadimg, geticon, getmedia, getmsgimg, getvideo, getvoice};
use webwx_core::media::{MAX_FILE_NAME_LEN, parse_media};
use webwx_core::{
    CommandError, CommandEvent, CommandFailure, Download, Ret, TransportErrorKind, safe_file_name,
};

// ---- builds ----

#[test]
fn getmsgimg_matches_the_capture() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = getmsgimg::build(&ctx, "6929942228714508460", false);
    assert_eq!(
        req.uri().to_string(),
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetmsgimg?&MsgID=6929942228714508460&skey=%40crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50&type=big"
    );
    insta::assert_snapshot!("getmsgimg_big", render(&req));
    let req = getmsgimg::build(&ctx, "6929942228714508460", true);
    assert!(req.uri().to_string().ends_with("&type=slave"));
    insta::assert_snapshot!("getmsgimg_slave", render(&req));
}

#[test]
fn getvideo_has_range_and_the_captured_query() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = getvideo::build(&ctx, "3835382370273594705");
    assert_eq!(
        req.uri().path_and_query().unwrap().as_str(),
        "/cgi-bin/mmwebwx-bin/webwxgetvideo?msgid=3835382370273594705&skey=%40crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50"
    );
    assert_eq!(req.headers()["range"], "bytes=0-");
    insta::assert_snapshot!(render(&req));
}

#[test]
fn getvoice_build() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = getvoice::build(&ctx, "1234567890");
    assert_eq!(
        req.uri().to_string(),
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetvoice?msgid=1234567890&skey=%40crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50"
    );
    insta::assert_snapshot!(render(&req));
}

#[test]
fn getmedia_on_the_file_host() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let f = MediaFile {
        sender: "@d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b",
        media_id: "@crypt_ca8428f8_3ab89b8f",
        encry_file_name: "IMG%5F1854%2EJPG",
        file_name: "IMG_1854.JPG",
    };
    let req = getmedia::build(&ctx, &f);
    assert_eq!(
        req.uri().to_string(),
        "https://file.wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia?sender=%40d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b&mediaid=%40crypt_ca8428f8_3ab89b8f&encryfilename=IMG%255F1854%252EJPG&fromuser=176666155&pass_ticket=kbmy5Jt9nj%252BJzBaJZYNpUBQyBwRTejeXq1sM%252FYH7iOI%253D&webwx_data_ticket=gSehWtnDWTMh38gmz0IjaFv0"
    );
    insta::assert_snapshot!("getmedia_encryfilename", render(&req));
    let req = getmedia::build(
        &ctx,
        &MediaFile {
            encry_file_name: "",
            file_name: "季度 报告.pdf",
            ..f
        },
    );
    assert!(
        req.uri()
            .to_string()
            .contains("&filename=%E5%AD%A3%E5%BA%A6%20%E6%8A%A5%E5%91%8A.pdf&fromuser=")
    );
    insta::assert_snapshot!("getmedia_filename", render(&req));
}

#[test]
fn geticon_and_getheadimg_match_the_captures() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = geticon::build(
        &ctx,
        "@a53c1fbfce2d6ece47a39329ca2e95071e05cddbd94f0ec3973ffe39a06ccbe6",
        696_335_334,
        None,
    );
    assert_eq!(
        req.uri().to_string(),
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxgeticon?seq=696335334&username=@a53c1fbfce2d6ece47a39329ca2e95071e05cddbd94f0ec3973ffe39a06ccbe6&skey=@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50"
    );
    insta::assert_snapshot!("geticon", render(&req));
    let req = geticon::build(&ctx, "@member", 0, Some("@e1ae1a"));
    assert!(req.uri().to_string().ends_with("&chatroomid=@e1ae1a"));
    insta::assert_snapshot!("geticon_member", render(&req));
    let req = getheadimg::build(
        &ctx,
        "@@0d9ad8ab75097485e5f22cda0d84c837b086361207759fafbbf16316bbd22663",
        698_322_408,
    );
    assert_eq!(
        req.uri().to_string(),
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=698322408&username=@@0d9ad8ab75097485e5f22cda0d84c837b086361207759fafbbf16316bbd22663&skey=@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50"
    );
    insta::assert_snapshot!("getheadimg", render(&req));
}

// ---- parses ----

#[test]
fn captured_media_answers() {
    let r = getmsgimg::parse(&common::capture("15_13_webwxgetmsgimg_0.txt")).unwrap();
    assert_eq!(r.content_type, "image/jpeg");
    assert!(r.bytes.starts_with(b"data:image/jpeg;base64,R0lGODlh"));
    let r = geticon::parse(&common::capture("08_7_webwxgeticon_0.txt")).unwrap();
    assert_eq!(r.content_type, "image/jpeg");
    let r = getheadimg::parse(&common::capture("09_8_webwxgetheadimg_0.txt")).unwrap();
    assert_eq!(r.content_type, "image/jpeg");
    // The video capture keeps the headers (206, video/mp4) but not the bytes.
    let video = common::capture("17_15_webwxgetvideo_0.txt");
    assert_eq!(video.status(), 206);
    let (parts, _) = video.into_parts();
    let empty = http::Response::from_parts(parts.clone(), Vec::new());
    assert!(getvideo::parse(&empty).is_err(), "no bytes: an error");
    let r = getvideo::parse(&http::Response::from_parts(
        parts,
        b"\x00\x00\x00\x18ftypmp42".to_vec(),
    ))
    .unwrap();
    assert_eq!(r.content_type, "video/mp4");
    assert_eq!(r.bytes.len(), 12);
}

#[test]
fn media_refusals_and_errors() {
    let e = getvoice::parse(&ret(1100, "")).unwrap_err();
    assert_eq!(e.ret(), Some(Ret::SESSION_NOT_EXIST));
    let e = getmedia::parse(
        &http::Response::builder()
            .status(404)
            .body(b"x".to_vec())
            .unwrap(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("404"), "{e}");
    // A JSON-looking image is still an image when it has no BaseResponse.
    let r = parse_media("t", &harness::ok(r#"{"not":"an error"}"#)).unwrap();
    assert_eq!(r.bytes, br#"{"not":"an error"}"#);
}

// ---- the command ----

fn received(json: &str) -> webwx_core::message::Message {
    let raw: webwx_core::message::RawMessage = serde_json::from_str(json).unwrap();
    let me = webwx_core::message::SelfInfo {
        user_name: ME,
        nick_name: "Bot",
    };
    webwx_core::message::Message::from_raw(raw, &me, &webwx_core::message::NoGroupNames)
}

fn image_response(ct: &str, body: &[u8]) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", ct)
        .body(body.to_vec())
        .unwrap()
}

#[test]
fn download_a_received_image() {
    let mut f = Fake::new();
    let msg = received(&format!(
        r#"{{"MsgId":"6929942228714508460","MsgType":3,"FromUserName":"{ALICE}","ToUserName":"{ME}","Content":""}}"#
    ));
    let what = Download::for_message(&msg).unwrap();
    assert_eq!(
        what,
        Download::Image {
            msg_id: "6929942228714508460".into(),
            thumbnail: false
        }
    );
    let id = f.client.download(f.now, what).unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxgetmsgimg"]);
    assert!(
        ts[0].request.headers()["cookie"]
            .to_str()
            .unwrap()
            .contains("wxsid=")
    );
    f.respond(
        &ts[0],
        image_response("image/jpeg", b"\xff\xd8\xff\xe0jpeg"),
    );
    let evs = f.take_cmd_events();
    let [CommandEvent::Downloaded { download, media }] = &evs[..] else {
        panic!("{evs:?}")
    };
    assert_eq!(*download, id);
    assert_eq!(media.bytes, b"\xff\xd8\xff\xe0jpeg");
    assert_eq!(media.content_type, "image/jpeg");
    assert_eq!(media.file_name, "6929942228714508460.jpg");
    let dbg = format!("{media:?}");
    assert!(dbg.contains("len: 8") && !dbg.contains("255"), "{dbg}");
    let json = serde_json::to_value(&evs[0]).unwrap();
    assert_eq!(json["kind"], "downloaded");
    assert_eq!(json["media"]["len"], 8);
    assert_eq!(json["media"]["file_name"], "6929942228714508460.jpg");
}

#[test]
fn download_a_file_with_a_hostile_name() {
    let mut f = Fake::new();
    let msg = received(&format!(
        r#"{{"MsgId":"5","MsgType":49,"AppMsgType":6,"FileName":"../../.ssh/authorized_keys","FileSize":"3","MediaId":"@crypt_file","EncryFileName":"","FromUserName":"{ALICE}","ToUserName":"{ME}","Content":""}}"#
    ));
    let what = Download::for_message(&msg).unwrap();
    assert!(
        matches!(&what, Download::File { media_id, sender, .. } if media_id == "@crypt_file" && sender == ALICE)
    );
    f.client.download(f.now, what).unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxgetmedia"]);
    assert_eq!(ts[0].request.uri().host(), Some("file.wx.qq.com"));
    f.respond(&ts[0], image_response("application/octet-stream", b"abc"));
    let evs = f.take_cmd_events();
    let [CommandEvent::Downloaded { media, .. }] = &evs[..] else {
        panic!("{evs:?}")
    };
    assert_eq!(media.file_name, "_._.ssh_authorized_keys");
}

#[test]
fn download_video_voice_avatars() {
    let mut f = Fake::new();
    f.client
        .download(f.now, Download::Video { msg_id: "9".into() })
        .unwrap();
    f.client
        .download(f.now, Download::Voice { msg_id: "8".into() })
        .unwrap();
    f.client
        .download(
            f.now,
            Download::Avatar {
                user_name: ALICE.into(),
            },
        )
        .unwrap();
    f.client
        .download(
            f.now,
            Download::Avatar {
                user_name: ROOM.into(),
            },
        )
        .unwrap();
    f.client
        .download(
            f.now,
            Download::MemberAvatar {
                user_name: "@stranger".into(),
                group: ROOM.into(),
            },
        )
        .unwrap();
    let ts = f.pump();
    assert_eq!(
        endpoints(&ts),
        [
            "webwxgetvideo",
            "webwxgetvoice",
            "webwxgeticon",
            "webwxgetheadimg",
            "webwxgeticon"
        ]
    );
    assert_eq!(ts[0].request.headers()["range"], "bytes=0-");
    // The contact's HeadImgUrl seq is used; members carry the group's EncryChatRoomId.
    assert!(
        ts[2]
            .request
            .uri()
            .to_string()
            .contains("seq=696335334&username=")
    );
    assert!(
        ts[4]
            .request
            .uri()
            .to_string()
            .ends_with("&chatroomid=@e1ae1ae1ae1ae1ae1ae1ae1ae1ae1ae1")
    );
    let video = http::Response::builder()
        .status(206)
        .header("content-type", "video/mp4")
        .header("content-range", "bytes 0-3/4")
        .body(b"mp4!".to_vec())
        .unwrap();
    f.respond(&ts[0], video);
    f.respond(&ts[1], image_response("audio/mp3", b"ID3"));
    f.respond(&ts[2], image_response("image/jpeg", b"j"));
    f.respond(&ts[3], image_response("image/png", b"p"));
    f.respond(&ts[4], image_response("", b"?"));
    let names: Vec<String> = f
        .take_cmd_events()
        .into_iter()
        .map(|e| match e {
            CommandEvent::Downloaded { media, .. } => media.file_name,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            "9.mp4".to_owned(),
            "8.mp3".into(),
            format!("{ALICE}.jpg"),
            format!("{ROOM}.png"),
            "@stranger.jpg".into()
        ]
    );
}

#[test]
fn download_failures() {
    let mut f = Fake::new();
    assert!(matches!(
        f.client.download(
            f.now,
            Download::Voice {
                msg_id: String::new()
            }
        ),
        Err(CommandError::Empty {
            argument: webwx_core::Argument::MessageId
        })
    ));
    let id = f
        .client
        .download(
            f.now,
            Download::Image {
                msg_id: "1".into(),
                thumbnail: true,
            },
        )
        .unwrap();
    let ts = f.pump();
    // An empty answer is retried (the server sometimes answers nothing), then reported.
    let mut t = ts;
    let mut attempts = 0;
    while let Some(req) = t.first() {
        attempts += 1;
        f.respond(req, image_response("image/jpeg", b""));
        t = f.next_timer(Duration::from_secs(600)).0;
    }
    assert_eq!(attempts, 5);
    let evs = f.take_cmd_events();
    assert!(
        matches!(
            &evs[..],
            [CommandEvent::DownloadFailed { download, error: CommandFailure::Protocol { .. } }] if *download == id
        ),
        "{evs:?}"
    );
    // A transport error retries.
    f.client
        .download(f.now, Download::Video { msg_id: "2".into() })
        .unwrap();
    let ts = f.pump();
    f.fail(&ts[0], TransportErrorKind::Timeout);
    let (ts, _) = f.next_timer(Duration::from_secs(60));
    assert_eq!(endpoints(&ts), ["webwxgetvideo"]);
}

// ---- safe file names ----

proptest! {
    #[test]
    fn safe_file_names_are_safe(name in any::<String>()) {
        let s = safe_file_name(&name);
        prop_assert!(!s.is_empty());
        prop_assert!(s.len() <= MAX_FILE_NAME_LEN, "{} bytes", s.len());
        prop_assert!(!s.contains('/') && !s.contains('\\'));
        prop_assert!(!s.contains(".."));
        prop_assert!(!s.starts_with('.') && !s.ends_with('.'));
        prop_assert!(!s.chars().any(char::is_control));
        prop_assert!(s != "." && s != "..");
        prop_assert_eq!(safe_file_name(&s), s.clone(), "idempotent");
    }

    #[test]
    fn safe_file_names_of_path_like_strings(parts in proptest::collection::vec("[./\\\\a-z\u{0}-\u{1f}\u{202e} ]{0,8}", 0..8)) {
        let name = parts.join("/");
        let s = safe_file_name(&name);
        prop_assert!(!s.contains('/') && !s.contains("..") && !s.starts_with('.'));
        let bidi = '\u{202e}';
        prop_assert!(!s.chars().any(|c| c.is_control() || c == bidi), "{}", s);
    }

    #[test]
    fn ordinary_names_are_kept(stem in "[a-zA-Z0-9_\\-]{1,40}", ext in "[a-z0-9]{1,5}") {
        let name = format!("{stem}.{ext}");
        let upper = stem.to_ascii_uppercase();
        prop_assume!(!["CON", "PRN", "AUX", "NUL"].contains(&upper.as_str()));
        prop_assume!(!(upper.len() == 4 && (upper.starts_with("COM") || upper.starts_with("LPT"))));
        prop_assert_eq!(safe_file_name(&name), name);
    }
}

/// A driver streaming a download to a writer: the core says which request belongs to
/// which download, takes a head-only answer marked `Streamed` as the media (its bytes are
/// the writer's), and ends the download without a retry when the transfer broke after
/// bytes reached the writer. Other requests are no download's.
#[test]
fn downloads_streamed_by_the_driver() {
    use webwx_core::media::Streamed;
    let mut f = Fake::new();
    let id = f
        .client
        .download(f.now, Download::Video { msg_id: "9".into() })
        .unwrap();
    let ts = f.pump();
    assert_eq!(f.client.download_of(ts[0].id), Some(id));
    let mut head = image_response("video/mp4", b"");
    head.extensions_mut().insert(Streamed::complete(6_000_000));
    f.respond(&ts[0], head);
    let evs = f.take_cmd_events();
    let [CommandEvent::Downloaded { download, media }] = &evs[..] else {
        panic!("{evs:?}")
    };
    assert_eq!(*download, id);
    assert!(media.bytes.is_empty(), "the bytes went to the writer");
    assert_eq!(media.content_type, "video/mp4");
    assert_eq!(f.client.download_of(ts[0].id), None, "answered");

    let id = f
        .client
        .download(f.now, Download::Voice { msg_id: "8".into() })
        .unwrap();
    let ts = f.pump();
    let mut head = image_response("audio/mp3", b"");
    head.extensions_mut().insert(Streamed::broken(
        1000,
        webwx_core::TransportErrorKind::Reset,
    ));
    f.respond(&ts[0], head);
    let evs = f.take_cmd_events();
    assert!(
        matches!(
            &evs[..],
            [CommandEvent::DownloadFailed { download, error: CommandFailure::Transport { kind: webwx_core::TransportErrorKind::Reset } }] if *download == id
        ),
        "{evs:?}"
    );
    f.now = f.now.plus(Duration::from_secs(60));
    f.client.handle_timeout(f.now);
    assert!(f.pump().is_empty(), "never retried into the writer");

    // A send is no download.
    f.client.send_text(f.now, ALICE, "hi").unwrap();
    let ts = f.pump();
    assert_eq!(f.client.download_of(ts[0].id), None);
}
