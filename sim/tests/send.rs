//! Sends, uploads and revoke over real HTTP, checked against /_sim/sent.

mod common;

use common::*;
use serde_json::{Value, json};
use webwx_sim::md5_hex;

fn friend(sim: &webwx_sim::RunningSim) -> String {
    let uin = sim
        .control()
        .state()
        .accounts
        .iter()
        .rev()
        .find(|a| a.logged_in)
        .unwrap()
        .uin;
    sim.control()
        .contacts(Some(uin))
        .unwrap()
        .into_iter()
        .find(|c| c.kind == "friend")
        .unwrap()
        .user_name
}

fn msg(s: &Session, ty: u32, to: &str, extra: Value, id: u64) -> Value {
    let mut m = json!({"Type": ty, "FromUserName": s.user_name, "ToUserName": to, "LocalID": id.to_string(), "ClientMsgId": id.to_string()});
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    json!({"BaseRequest": s.base_request(), "Msg": m, "Scene": 0})
}

#[test]
fn sendmsg_is_recorded_once_per_client_msg_id() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let to = friend(&sim);
    let body = msg(&s, 1, &to, json!({"Content": "hello"}), 15462147414160521);
    // itchat: no query string at all.
    let r = s.post(&sim, "webwxsendmsg", "", &body);
    assert_eq!(r.header("content-type"), Some("text/plain"));
    let t = r.text();
    assert!(
        t.starts_with("{\"BaseResponse\": {\"Ret\": 0,\"ErrMsg\": \"\"},\"MsgID\": \""),
        "{t}"
    );
    let v = r.json();
    assert_eq!(v["LocalID"], "15462147414160521");
    let id = v["MsgID"].as_str().unwrap().to_string();
    // A retry: same MsgID, one record.
    let r = s.post(
        &sim,
        "webwxsendmsg",
        &format!("lang=zh_CN&{}", s.pass_query()),
        &body,
    );
    assert_eq!(r.json()["MsgID"], id.as_str());
    let sent = sim.control().sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].client_msg_id, "15462147414160521");
    assert_eq!(sent[0].msg_id, id);
    assert_eq!(sent[0].content, "hello");
    assert_eq!(sent[0].to, to);
    assert_eq!(sent[0].from, s.user_name);
    assert_eq!(sent[0].msg_type, 1);
    assert_eq!(sent[0].endpoint, "webwxsendmsg");
    // ClientMsgId as a number (itchat) is the same id.
    let mut body2 = msg(&s, 1, &to, json!({"Content": "again"}), 0);
    body2["Msg"]["ClientMsgId"] = json!(15462147414160521u64);
    let r = s.post(&sim, "webwxsendmsg", "", &body2);
    assert_eq!(r.json()["MsgID"], id.as_str());
    assert_eq!(sim.control().sent().len(), 1);
    // The HTTP control API.
    let r = get(&sim, "/_sim/sent", &[]);
    let list = r.json();
    assert_eq!(list[0]["client_msg_id"], "15462147414160521");
    assert_eq!(list[0]["uin"], s.uin);
    assert!(list[0].get("media_md5").is_none());
    let r = get(&sim, "/_sim/sent?uin=1", &[]);
    assert_eq!(r.json().as_array().unwrap().len(), 0);
}

#[test]
fn sends_to_self_or_strangers_are_1204() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let r = s.post(
        &sim,
        "webwxsendmsg",
        "",
        &msg(&s, 1, &s.user_name, json!({"Content": "me"}), 1),
    );
    assert_eq!(r.ret(), 1204);
    let r = s.post(
        &sim,
        "webwxsendmsg",
        "",
        &msg(&s, 1, "@nobody", json!({"Content": "x"}), 2),
    );
    assert_eq!(r.ret(), 1204);
    let r = s.post(
        &sim,
        "webwxsendmsg",
        "",
        &msg(&s, 1, "filehelper", json!({"Content": "heartbeat"}), 3),
    );
    assert_eq!(r.ret(), 0);
    let mut bad = msg(&s, 1, "filehelper", json!({"Content": "x"}), 4);
    bad["Msg"]["FromUserName"] = json!("@someone");
    assert_eq!(s.post(&sim, "webwxsendmsg", "", &bad).ret(), 1);
    assert_eq!(sim.control().sent().len(), 1);
}

/// One chunk to upload.
struct Chunk<'a> {
    name: &'a str,
    data: &'a [u8],
    total: &'a [u8],
    chunk: Option<(usize, usize)>,
    md5: Option<&'a str>,
    client_media_id: u64,
    ticket: &'a str,
}

/// A multipart body in the official client's field order.
fn upload_body(boundary: &str, s: &Session, to: &str, c: &Chunk<'_>) -> Vec<u8> {
    let Chunk {
        name,
        data,
        total,
        chunk,
        md5,
        client_media_id,
        ticket,
    } = *c;
    let mut req = json!({
        "UploadType": 2, "BaseRequest": s.base_request(), "ClientMediaId": client_media_id,
        "TotalLen": total.len(), "StartPos": 0, "DataLen": total.len(), "MediaType": 4,
        "FromUserName": s.user_name, "ToUserName": to,
    });
    if let Some(m) = md5 {
        req["FileMd5"] = json!(m);
    }
    let mut fields = vec![
        ("id", "WU_FILE_0".to_string()),
        ("name", name.to_string()),
        ("type", "application/octet-stream".to_string()),
        (
            "lastModifiedDate",
            "Fri Jul 20 2018 13:24:20 GMT+0800 (中国标准时间)".to_string(),
        ),
        ("size", total.len().to_string()),
    ];
    if let Some((i, n)) = chunk {
        fields.push(("chunks", n.to_string()));
        fields.push(("chunk", i.to_string()));
    }
    fields.push(("mediatype", "doc".to_string()));
    fields.push(("uploadmediarequest", req.to_string()));
    fields.push(("webwx_data_ticket", ticket.to_string()));
    fields.push(("pass_ticket", "undefined".to_string()));
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    out.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    out.extend_from_slice(data);
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

fn data_ticket(s: &Session) -> String {
    s.cookies
        .iter()
        .find(|(k, _)| k == "webwx_data_ticket")
        .unwrap()
        .1
        .clone()
}

/// Uploads in 524,288-byte chunks; returns every answer.
fn upload(
    sim: &webwx_sim::RunningSim,
    s: &Session,
    to: &str,
    name: &str,
    data: &[u8],
    md5: Option<&str>,
) -> Vec<Value> {
    let b = "----WebKitFormBoundarycpRyN1SIuBsnjbfM";
    let chunks: Vec<&[u8]> = data.chunks(524_288).collect();
    let n = chunks.len();
    let mut answers = Vec::new();
    for (i, c) in chunks.iter().enumerate() {
        let ticket = data_ticket(s);
        let chunk = Chunk {
            name,
            data: c,
            total: data,
            chunk: (n > 1).then_some((i, n)),
            md5,
            client_media_id: 1532492161816,
            ticket: &ticket,
        };
        let body = upload_body(b, s, to, &chunk);
        let target = format!(
            "{}/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json",
            s.prefix("file")
        );
        let r = post(
            sim,
            &target,
            &[
                ("Cookie", s.cookie_header()),
                ("Content-Type", format!("multipart/form-data; boundary={b}")),
            ],
            &body,
        );
        answers.push(r.json());
    }
    answers
}

#[test]
fn chunked_upload_gives_the_media_id_on_the_last_chunk() {
    let sim = sim();
    for form in [Form::Plain, Form::Relay] {
        let s = login(&sim, form);
        let to = friend(&sim);
        let data: Vec<u8> = (0..1_300_000u32).map(|i| (i * 31 % 253) as u8).collect();
        let md5 = md5_hex(&data);
        let answers = upload(&sim, &s, &to, "report.pdf", &data, Some(&md5));
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[0]["MediaId"], "");
        assert_eq!(answers[1]["MediaId"], "");
        assert_eq!(answers[0]["StartPos"], 524_288);
        let last = &answers[2];
        assert_eq!(last["BaseResponse"]["Ret"], 0);
        let media_id = last["MediaId"].as_str().unwrap().to_string();
        assert!(media_id.starts_with("@crypt_"));
        assert_eq!(last["StartPos"], 1_300_000);
        // Send it as a file.
        let content = format!(
            "<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>report.pdf</title><des></des><action></action><type>6</type><content></content><url></url><lowurl></lowurl><appattach><totallen>1300000</totallen><attachid>{media_id}</attachid><fileext>pdf</fileext></appattach><extinfo></extinfo></appmsg>"
        );
        let r = s.post(
            &sim,
            "webwxsendappmsg",
            "fun=async&f=json",
            &msg(&s, 6, &to, json!({"Content": content}), 77),
        );
        assert_eq!(r.ret(), 0);
        let rec = sim
            .control()
            .sent()
            .into_iter()
            .rev()
            .find(|r| r.uin == s.uin)
            .unwrap();
        assert_eq!(rec.endpoint, "webwxsendappmsg");
        assert_eq!(rec.file_name.as_deref(), Some("report.pdf"));
        assert_eq!(rec.media_md5.as_deref(), Some(md5.as_str()));
    }
}

#[test]
fn single_part_upload_without_md5_and_image_send() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let to = friend(&sim);
    // wechat4u: up to 0.5 MB one part, no id/chunk/chunks, no FileMd5.
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pixel.png")).unwrap();
    let answers = upload(&sim, &s, &to, "pixel.png", &png, None);
    let media_id = answers[0]["MediaId"].as_str().unwrap().to_string();
    assert!(!media_id.is_empty());
    assert_eq!(answers[0]["CDNThumbImgHeight"], 100);
    let r = s.post(
        &sim,
        "webwxsendmsgimg",
        "fun=async&f=json",
        &msg(&s, 3, &to, json!({"MediaId": media_id, "Content": ""}), 5),
    );
    assert_eq!(r.ret(), 0);
    let rec = sim.control().sent().pop().unwrap();
    assert_eq!(rec.msg_type, 3);
    assert_eq!(rec.media_md5, Some(md5_hex(&png)));
    assert_eq!(rec.file_name.as_deref(), Some("pixel.png"));
    // Video and emoticon sends.
    let r = s.post(
        &sim,
        "webwxsendvideomsg",
        &format!("fun=async&f=json&{}", s.pass_query()),
        &msg(&s, 43, &to, json!({"MediaId": media_id}), 6),
    );
    assert_eq!(r.ret(), 0);
    let r = s.post(
        &sim,
        "webwxsendemoticon",
        "fun=sys",
        &msg(
            &s,
            47,
            &to,
            json!({"EmojiFlag": 2, "EMoticonMd5": "44682E637B75A3F5D6747D61DBD23A15"}),
            7,
        ),
    );
    assert_eq!(r.ret(), 0);
    let r = s.post(
        &sim,
        "webwxsendemoticon",
        "fun=sys",
        &msg(&s, 47, &to, json!({"EmojiFlag": 2, "MediaId": media_id}), 8),
    );
    assert_eq!(r.ret(), 0);
    let sent = sim.control().sent();
    assert_eq!(sent[1].endpoint, "webwxsendvideomsg");
    assert_eq!(
        sent[2].media_md5.as_deref(),
        Some("44682e637b75a3f5d6747d61dbd23a15")
    );
    assert_eq!(sent[3].media_md5, Some(md5_hex(&png)));
    // Unknown MediaId.
    let r = s.post(
        &sim,
        "webwxsendmsgimg",
        "fun=async&f=json",
        &msg(&s, 3, &to, json!({"MediaId": "@crypt_nope"}), 9),
    );
    assert_eq!(r.ret(), 1);
    assert_eq!(sim.control().sent().len(), 4);
}

#[test]
fn upload_checks_md5_size_and_ticket() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let to = friend(&sim);
    let data = vec![7u8; 1000];
    let answers = upload(
        &sim,
        &s,
        &to,
        "a.bin",
        &data,
        Some("00000000000000000000000000000000"),
    );
    assert_eq!(answers[0]["BaseResponse"]["Ret"], 1);
    assert_eq!(answers[0]["MediaId"], "");
    // TotalLen says more than arrived.
    let b = "XyZ";
    let ticket = data_ticket(&s);
    let total = vec![7u8; 2000];
    let mut c = Chunk {
        name: "a.bin",
        data: &data,
        total: &total,
        chunk: None,
        md5: None,
        client_media_id: 1,
        ticket: &ticket,
    };
    let body = upload_body(b, &s, &to, &c);
    let r = post(
        &sim,
        "/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json",
        &[("Content-Type", format!("multipart/form-data; boundary={b}"))],
        &body,
    );
    assert_eq!(r.ret(), 1);
    // Wrong data ticket.
    c.total = &data;
    c.client_media_id = 2;
    c.ticket = "wrong";
    let body = upload_body(b, &s, &to, &c);
    let r = post(
        &sim,
        "/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json",
        &[("Content-Type", format!("multipart/form-data; boundary={b}"))],
        &body,
    );
    assert_eq!(r.ret(), 1102);
    // Not multipart.
    let r = post(
        &sim,
        "/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json",
        &[],
        b"{}",
    );
    assert_eq!(r.ret(), 1200);
    // The upload endpoint lives on the file host in relay form.
    let r = post(
        &sim,
        "/wx.qq.com/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json",
        &[],
        b"{}",
    );
    assert_eq!(r.status, 404);
}

#[test]
fn checkupload_for_big_files() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let to = friend(&sim);
    let data = b"same bytes".to_vec();
    let md5 = md5_hex(&data);
    let media_id = upload(&sim, &s, &to, "x.txt", &data, Some(&md5))[0]["MediaId"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s.post(
        &sim,
        "webwxcheckupload",
        "",
        &json!({"BaseRequest": s.base_request(), "FromUserName": s.user_name, "ToUserName": to, "FileSize": data.len(), "FileMd5": md5, "FileName": "x.txt", "FileType": 7}),
    );
    let v = r.json();
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    assert_eq!(
        v["MediaId"],
        media_id.as_str(),
        "already uploaded bytes are reused"
    );
    assert_eq!(v["AESKey"].as_str().unwrap().len(), 32);
    assert!(!v["Signature"].as_str().unwrap().is_empty());
    let r = s.post(
        &sim,
        "webwxcheckupload",
        "",
        &json!({"BaseRequest": s.base_request(), "FromUserName": s.user_name, "ToUserName": to, "FileSize": 30_000_000, "FileMd5": "0123456789abcdef0123456789abcdef", "FileName": "big.iso", "FileType": 7}),
    );
    assert_eq!(r.json()["MediaId"], "");
    let r = s.post(
        &sim,
        "webwxcheckupload",
        "",
        &json!({"BaseRequest": s.base_request(), "FileSize": 0, "FileMd5": "", "FileName": ""}),
    );
    assert_eq!(r.ret(), 1);
}

#[test]
fn revoke_within_two_minutes_shows_in_sync() {
    let sim = sim();
    let mut s = login(&sim, Form::Plain);
    let to = friend(&sim);
    let r = s.post(
        &sim,
        "webwxsendmsg",
        "",
        &msg(&s, 1, &to, json!({"Content": "oops"}), 11),
    );
    let id = r.json()["MsgID"].as_str().unwrap().to_string();
    let r = s.post(
        &sim,
        "webwxrevokemsg",
        "",
        &json!({"BaseRequest": s.base_request(), "SvrMsgId": id, "ToUserName": to, "ClientMsgId": "12"}),
    );
    let v = r.json();
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    assert!(v.get("Introduction").is_some() && v.get("SysWording").is_some());
    assert!(sim.control().sent()[0].revoked);
    let msgs = s.drain(&sim);
    let m = msgs
        .iter()
        .find(|m| m["MsgType"] == 10002)
        .expect("a 10002 notice");
    let c = m["Content"].as_str().unwrap();
    assert!(c.starts_with("&lt;sysmsg type=\"revokemsg\"&gt;"), "{c}");
    assert!(c.contains(&format!("&lt;msgid&gt;{id}&lt;/msgid&gt;")));
    assert!(c.contains("你撤回了一条消息"));
    // Unknown message or wrong peer.
    let r = s.post(&sim, "webwxrevokemsg", "", &json!({"BaseRequest": s.base_request(), "SvrMsgId": "1", "ToUserName": to, "ClientMsgId": "13"}));
    assert_ne!(r.ret(), 0);
    let r = s.post(&sim, "webwxrevokemsg", "", &json!({"BaseRequest": s.base_request(), "SvrMsgId": id, "ToUserName": "filehelper", "ClientMsgId": "14"}));
    assert_ne!(r.ret(), 0);
}

#[test]
fn upload_chunks_beyond_the_total_length_are_refused_at_once() {
    let sim = sim();
    let s = login(&sim, Form::Plain);
    let to = friend(&sim);
    let b = "----WebKitFormBoundarycpRyN1SIuBsnjbfM";
    let ticket = data_ticket(&s);
    let total = vec![3u8; 1000];
    let big = vec![3u8; 4000];
    let headers = [
        ("Cookie", s.cookie_header()),
        ("Content-Type", format!("multipart/form-data; boundary={b}")),
    ];
    // The first of three chunks already carries more than TotalLen: the server
    // does not keep collecting chunks it will refuse at the end.
    let first = Chunk {
        name: "a.bin",
        data: &big,
        total: &total,
        chunk: Some((0, 3)),
        md5: None,
        client_media_id: 9,
        ticket: &ticket,
    };
    let r = post(
        &sim,
        "/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json",
        &headers,
        &upload_body(b, &s, &to, &first),
    );
    assert_eq!(r.ret(), 1, "{}", r.text());
    assert_eq!(r.json()["MediaId"], "");
    // The same upload, done right, still goes through from its first chunk.
    let parts: Vec<&[u8]> = total.chunks(400).collect();
    let mut last = None;
    for (i, part) in parts.iter().enumerate() {
        let c = Chunk {
            data: part,
            chunk: Some((i, parts.len())),
            ..first
        };
        let r = post(
            &sim,
            "/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json",
            &headers,
            &upload_body(b, &s, &to, &c),
        );
        assert_eq!(r.ret(), 0, "chunk {i}: {}", r.text());
        last = Some(r.json());
    }
    let last = last.unwrap();
    assert!(last["MediaId"].as_str().unwrap().starts_with("@crypt_"));
    assert_eq!(last["StartPos"], 1000);
}
