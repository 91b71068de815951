//! Media downloads over real HTTP: images (big and thumbnail), voice, video with
//! Range, attachments from the file host, avatars.

mod common;

use base64::Engine;
use common::*;
use webwx_sim::{InjectMessage, md5_hex};

fn inject_media(
    sim: &webwx_sim::RunningSim,
    ty: u32,
    bytes: Option<&[u8]>,
    name: Option<&str>,
) -> String {
    let friend = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.kind == "friend")
        .unwrap();
    sim.control()
        .inject_message(InjectMessage {
            from: friend.user_name,
            msg_type: Some(ty),
            media_b64: bytes.map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
            file_name: name.map(str::to_string),
            ..InjectMessage::default()
        })
        .unwrap()
}

#[test]
fn image_message_and_its_download() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pixel.png")).unwrap();
    let id = inject_media(&sim, 3, Some(&png), Some("p.png"));
    let m = s.drain(&sim).pop().unwrap();
    assert_eq!(m["MsgType"], 3);
    assert_eq!(m["ImgWidth"], 4);
    assert_eq!(m["ImgHeight"], 3);
    let c = m["Content"].as_str().unwrap();
    assert!(
        c.starts_with("&lt;?xml version=\"1.0\"?&gt;<br/>&lt;msg&gt;<br/>\t&lt;img "),
        "{c}"
    );
    assert!(c.contains(&format!("md5=\"{}\"", md5_hex(&png))));
    // itchat: lowercase msgid on the content host, skey in the query, cookies.
    let r = s.get(
        &sim,
        "content",
        "webwxgetmsgimg",
        &format!("msgid={id}&skey={}", s.skey),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.body, png);
    // The official client: MsgID, type=big, no cookies (an <img> tag) in relay form.
    let r = get(
        &sim,
        &format!(
            "/wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetmsgimg?&MsgID={id}&skey={}&type=big",
            s.skey.replace('@', "%40")
        ),
        &[],
    );
    assert_eq!(r.body, png);
    let r = s.get(
        &sim,
        "content",
        "webwxgetmsgimg",
        &format!("MsgID={id}&skey={}&type=slave", s.skey),
    );
    assert_eq!(r.status, 200);
    assert_ne!(r.body, png);
    assert!(r.body.starts_with(b"\x89PNG"));
    // Wrong skey, unknown id.
    let r = s.get(
        &sim,
        "content",
        "webwxgetmsgimg",
        &format!("MsgID={id}&skey=@crypt_x"),
    );
    assert_eq!(r.status, 404);
    let r = s.get(
        &sim,
        "content",
        "webwxgetmsgimg",
        &format!("MsgID=1&skey={}", s.skey),
    );
    assert_eq!(r.status, 404);
}

#[test]
fn voice_and_video_with_range() {
    let sim = sim();
    let mut s = login(&sim, Form::Relay);
    let voice = inject_media(&sim, 34, None, None);
    let video_bytes: Vec<u8> = (0..10_000u32).map(|i| (i % 256) as u8).collect();
    let video = inject_media(&sim, 43, Some(&video_bytes), Some("v.mp4"));
    let msgs = s.drain(&sim);
    assert_eq!(msgs[0]["MsgType"], 34);
    assert_eq!(msgs[0]["VoiceLength"], 3000);
    assert_eq!(msgs[1]["MsgType"], 43);
    assert!(msgs[1]["PlayLength"].as_u64().unwrap() > 0);
    let r = s.get(
        &sim,
        "content",
        "webwxgetvoice",
        &format!("msgid={voice}&skey={}", s.skey),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("audio/mp3"));
    assert!(r.body.starts_with(b"ID3"));
    let target = format!(
        "/wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetvideo?msgid={video}&skey={}",
        s.skey
    );
    let r = get(
        &sim,
        &target,
        &[("Cookie", s.cookie_header()), ("Range", "bytes=0-".into())],
    );
    assert_eq!(r.status, 206);
    assert_eq!(r.header("content-range"), Some("bytes 0-9999/10000"));
    assert_eq!(r.header("accept-ranges"), Some("bytes"));
    assert_eq!(r.header("content-type"), Some("video/mp4"));
    assert_eq!(r.body, video_bytes);
    let r = get(
        &sim,
        &target,
        &[
            ("Cookie", s.cookie_header()),
            ("Range", "bytes=100-199".into()),
        ],
    );
    assert_eq!(r.status, 206);
    assert_eq!(r.body, &video_bytes[100..200]);
    let r = get(
        &sim,
        &target,
        &[
            ("Cookie", s.cookie_header()),
            ("Range", "bytes=20000-".into()),
        ],
    );
    assert_eq!(r.status, 416);
    assert_eq!(r.header("content-range"), Some("bytes */10000"));
    let r = get(&sim, &target, &[("Cookie", s.cookie_header())]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), 10_000);
}

#[test]
fn attachment_via_getmedia_on_the_file_host() {
    let sim = sim();
    let mut s = login(&sim, Form::Relay);
    let data = b"%PDF-1.4 fake pdf".to_vec();
    inject_media(&sim, 49, Some(&data), Some("报告.pdf"));
    let m = s.drain(&sim).pop().unwrap();
    assert_eq!(m["MsgType"], 49);
    assert_eq!(m["AppMsgType"], 6);
    assert_eq!(m["FileName"], "报告.pdf");
    assert_eq!(m["FileSize"], data.len().to_string());
    let media_id = m["MediaId"].as_str().unwrap();
    assert!(media_id.starts_with("@crypt_"));
    let c = m["Content"].as_str().unwrap();
    assert!(
        c.contains(&format!("&lt;attachid&gt;{media_id}&lt;/attachid&gt;")),
        "{c}"
    );
    let ticket = s
        .cookies
        .iter()
        .find(|(k, _)| k == "webwx_data_ticket")
        .unwrap()
        .1
        .clone();
    let enc = |v: &str| {
        v.replace('%', "%25")
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
            .replace('@', "%40")
    };
    let q = format!(
        "sender={}&mediaid={}&encryfilename=x&fromuser={}&pass_ticket=undefined&webwx_data_ticket={}",
        m["FromUserName"].as_str().unwrap(),
        enc(media_id),
        s.uin,
        enc(&ticket)
    );
    let r = get(
        &sim,
        &format!("/file.wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia?{q}"),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, data);
    assert!(
        r.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    // The wrong file host, or no ticket.
    let r = get(
        &sim,
        &format!("/file.wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia?{q}"),
        &[],
    );
    assert_eq!(r.status, 404);
    let r = get(
        &sim,
        &format!("/wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia?{q}"),
        &[],
    );
    assert_eq!(r.status, 404);
    let q2 = q.replace("webwx_data_ticket=", "x=");
    let r = get(
        &sim,
        &format!("/file.wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia?{q2}"),
        &[],
    );
    assert_eq!(r.status, 404);
}

#[test]
fn emoticon_message_downloads_as_gif() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let id = inject_media(&sim, 47, None, None);
    let m = s.drain(&sim).pop().unwrap();
    assert!(m["Content"].as_str().unwrap().contains("&lt;emoji "));
    let r = s.get(
        &sim,
        "content",
        "webwxgetmsgimg",
        &format!("MsgID={id}&skey={}&type=big", s.skey),
    );
    assert_eq!(r.header("content-type"), Some("image/gif"));
    assert!(r.body.starts_with(b"GIF89a"));
}

#[test]
fn avatars() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let init = s.init.clone();
    let url = init["User"]["HeadImgUrl"].as_str().unwrap();
    assert!(url.starts_with("/cgi-bin/mmwebwx-bin/webwxgeticon?seq="));
    let r = get(&sim, url, &[("Cookie", s.cookie_header())]);
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with(b"\x89PNG"));
    let group = init["ContactList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["UserName"].as_str().unwrap().starts_with("@@"))
        .unwrap();
    let url = group["HeadImgUrl"].as_str().unwrap();
    assert!(url.starts_with("/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=0&username=@@"));
    assert_eq!(get(&sim, url, &[]).status, 200);
    let r = s.get(
        &sim,
        "content",
        "webwxgeticon",
        "username=@x&skey=@crypt_bad",
    );
    assert_eq!(r.status, 404);
}
