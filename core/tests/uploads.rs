//! Uploads: multipart chunk snapshots (file bytes replaced by their md5), field order
//! against the captures, parses of the captured answers, and scenario tests of
//! `send_file` through the in-process fake (chunks, progress, checkupload, limits).

// `common` is shared with the other test targets (and linted there).
#[allow(clippy::all)]
mod common;
#[path = "fixtures/sends/harness.rs"]
mod harness;

use common::{creds, hosts, render, session_ctx};
use harness::{ALICE, Fake, ME, endpoints, ret};
use proptest::prelude::*;
use std::time::Duration;
use webwx_core::endpoint::uploadmedia::{self, Chunk};
use webwx_core::endpoint::{checkupload, sendappmsg};
use webwx_core::upload::{CHUNK_SIZE, ChunkPlan, MediaKind, NEED_CHECK_SIZE, md5_hex};
use webwx_core::{
    CommandError, CommandEvent, CommandFailure, Config, DataPurpose, FileSpec, Ret,
    TransportErrorKind, UploadId,
};

/// Deterministic file content.
fn file_bytes(len: u64, salt: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) as u8) ^ salt ^ ((i >> 9) as u8))
        .collect()
}

/// The parts of a multipart body: (headers, content).
fn parts(req: &http::Request<Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    let ct = req.headers()["content-type"].to_str().unwrap();
    let boundary = ct.split("boundary=").nth(1).unwrap();
    let delim = format!("--{boundary}");
    let body = req.body();
    assert!(
        body.ends_with(format!("{delim}--\r\n").as_bytes()),
        "closing delimiter"
    );
    let mut out = Vec::new();
    let mut pos = 0;
    let find = |from: usize, pat: &[u8]| {
        body[from..]
            .windows(pat.len())
            .position(|w| w == pat)
            .map(|i| from + i)
    };
    loop {
        assert_eq!(&body[pos..pos + delim.len()], delim.as_bytes());
        pos += delim.len();
        if body[pos..].starts_with(b"--") {
            break;
        }
        assert_eq!(&body[pos..pos + 2], b"\r\n");
        pos += 2;
        let head_end = find(pos, b"\r\n\r\n").unwrap();
        let headers = String::from_utf8(body[pos..head_end].to_vec()).unwrap();
        let content_start = head_end + 4;
        let next = find(content_start, format!("\r\n{delim}").as_bytes()).unwrap();
        out.push((headers, body[content_start..next].to_vec()));
        pos = next + 2;
    }
    out
}

/// The name of a part.
fn part_name(headers: &str) -> String {
    let i = headers.find("name=\"").unwrap() + 6;
    headers[i..].split('"').next().unwrap().to_owned()
}

/// A request rendered for a snapshot: the head with `common::render`, then each part's
/// headers and content, the file part as its length and md5.
fn render_multipart(req: &http::Request<Vec<u8>>) -> String {
    let mut head = req.clone();
    *head.body_mut() = Vec::new();
    let mut out = render(&head);
    out.push('\n');
    for (headers, content) in parts(req) {
        out.push_str(&format!("[{}]\n", headers.replace("\r\n", " | ")));
        if headers.contains("filename=") {
            out.push_str(&format!(
                "<{} bytes, md5 {}>\n",
                content.len(),
                md5_hex(&content)
            ));
        } else if part_name(&headers) == "uploadmediarequest" {
            let v: serde_json::Value = serde_json::from_slice(&content).unwrap();
            out.push_str(&serde_json::to_string_pretty(&v).unwrap());
            out.push('\n');
        } else {
            out.push_str(&String::from_utf8(content).unwrap());
            out.push('\n');
        }
    }
    out
}

/// The field names, in order, of a captured multipart body.
fn captured_fields(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("Content-Disposition: form-data; name=\""))
        .map(|l| l.split('"').next().unwrap().to_owned())
        .collect()
}

fn chunk<'a>(data: &'a [u8], chunks: u64, chunk: u64, name: &'a str) -> Chunk<'a> {
    Chunk {
        id: "WU_FILE_0",
        name,
        mime: webwx_core::upload::mime_type(name),
        last_modified: "Sun Dec 30 2018 23:08:18 GMT+0000 (Coordinated Universal Time)",
        size: 1_300_000,
        chunks,
        chunk,
        media_type: MediaKind::from_file_name(name).media_type(),
        client_media_id: 1_546_211_298_739,
        to: "@d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b",
        file_md5: "cc6bbb277bc836b5726cc9d9ec7549c2",
        aes_key: "",
        signature: "",
        boundary: "----WebKitFormBoundaryCFAuSFyYgivpBuGp",
        data,
    }
}

// ---- builds ----

#[test]
fn chunked_fields_in_the_captured_order() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let data = file_bytes(CHUNK_SIZE, 1);
    let req = uploadmedia::build(&ctx, &chunk(&data, 3, 1, "report.pdf"));
    assert_eq!(
        req.uri().to_string(),
        "https://file.wx.qq.com/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json"
    );
    let names: Vec<String> = parts(&req).iter().map(|(h, _)| part_name(h)).collect();
    let captured = std::fs::read_to_string(common::fixture_path(
        "captures/18_15_webwxuploadmedia_0.txt",
    ))
    .unwrap();
    assert_eq!(names, captured_fields(&captured));
    assert_eq!(
        names,
        [
            "id",
            "name",
            "type",
            "lastModifiedDate",
            "size",
            "chunks",
            "chunk",
            "mediatype",
            "uploadmediarequest",
            "webwx_data_ticket",
            "pass_ticket",
            "filename"
        ]
    );
    let p = parts(&req);
    assert_eq!(p.last().unwrap().1, data, "the chunk's bytes, untouched");
    // The uploadmediarequest has the captured keys in the captured order.
    let json = String::from_utf8(p[8].1.clone()).unwrap();
    let keys = [
        "UploadType",
        "BaseRequest",
        "ClientMediaId",
        "TotalLen",
        "StartPos",
        "DataLen",
        "MediaType",
        "FromUserName",
        "ToUserName",
        "FileMd5",
    ];
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| json.find(&format!("\"{k}\"")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{json}");
    assert!(!json.contains("AESKey") && !json.contains("Signature"));
    // pass_ticket is decodeURIComponent'd.
    assert_eq!(
        String::from_utf8(p[10].1.clone()).unwrap(),
        "kbmy5Jt9nj+JzBaJZYNpUBQyBwRTejeXq1sM/YH7iOI="
    );
    insta::assert_snapshot!("uploadmedia_chunk_1_of_3", render_multipart(&req));
}

#[test]
fn single_chunk_has_no_chunk_fields() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let data = file_bytes(63_048, 2);
    let mut ch = chunk(&data, 1, 0, "IMG_1854.JPG");
    ch.size = 63_048;
    ch.id = "WU_FILE_1";
    let req = uploadmedia::build(&ctx, &ch);
    let names: Vec<String> = parts(&req).iter().map(|(h, _)| part_name(h)).collect();
    let captured = std::fs::read_to_string(common::fixture_path(
        "captures/19_16_webwxuploadmedia_0.txt",
    ))
    .unwrap();
    assert_eq!(names, captured_fields(&captured));
    let joehecn = std::fs::read_to_string(common::fixture_path(
        "sends/joehecn_j_webwxuploadmedia_multipart_request_2018-07.txt",
    ))
    .unwrap();
    assert_eq!(names, captured_fields(&joehecn));
    let p = parts(&req);
    assert_eq!(
        p.last().unwrap().0,
        "Content-Disposition: form-data; name=\"filename\"; filename=\"IMG_1854.JPG\"\r\nContent-Type: image/jpeg"
    );
    insta::assert_snapshot!("uploadmedia_single_image", render_multipart(&req));
}

#[test]
fn checked_upload_carries_aes_key_and_signature() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let data = file_bytes(100, 3);
    let mut ch = chunk(&data, 60, 59, "big.zip");
    ch.size = 30 * 1024 * 1024;
    ch.aes_key = "AESKEY1";
    ch.signature = "SIGNATURE1";
    let req = uploadmedia::build(&ctx, &ch);
    let p = parts(&req);
    let json: serde_json::Value = serde_json::from_slice(&p[8].1).unwrap();
    assert_eq!(json["AESKey"], "AESKEY1");
    assert_eq!(json["Signature"], "SIGNATURE1");
    insta::assert_snapshot!("uploadmedia_checked_last_chunk", render_multipart(&req));
}

#[test]
fn checkupload_build() {
    let (h, c) = (hosts(), creds());
    let ctx = session_ctx(&h, &c);
    let req = checkupload::build(
        &ctx,
        "@friend",
        "big.zip",
        30 * 1024 * 1024,
        "cc6bbb277bc836b5726cc9d9ec7549c2",
    );
    assert!(req.uri().to_string().starts_with(
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxcheckupload?lang=zh_CN&pass_ticket="
    ));
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["FileType"], 7);
    assert_eq!(body["FileSize"], 31_457_280);
    insta::assert_snapshot!(render(&req));
}

// ---- parses ----

#[test]
fn uploadmedia_parse_capture() {
    let r = uploadmedia::parse(&common::capture("19_16_webwxuploadmedia_0.txt")).unwrap();
    assert!(r.media_id.starts_with("@crypt_ca8428f8_3ab89b8f"));
    assert_eq!(r.start_pos, 63_048);
    assert_eq!(r.cdn_thumb_img_height, 100);
    assert_eq!(r.cdn_thumb_img_width, 66);
    assert_eq!(r.encry_file_name, "IMG%5F1854%2EJPG");
    // An intermediate chunk's answer has no MediaId.
    let mid = uploadmedia::parse(&ret(0, r#","MediaId":"","StartPos":524288"#)).unwrap();
    assert_eq!((mid.media_id.as_str(), mid.start_pos), ("", 524_288));
    assert_eq!(
        uploadmedia::parse(&ret(1, "")).unwrap_err().ret(),
        Some(Ret::PARAM_ERROR)
    );
    assert!(uploadmedia::parse(&harness::ok("<html>")).is_err());
}

#[test]
fn checkupload_parse() {
    let r = checkupload::parse(&ret(
        0,
        r#","MediaId":"","AESKey":"k1","Signature":"s1","EntryFileName":"x""#,
    ))
    .unwrap();
    assert_eq!((r.aes_key.as_str(), r.signature.as_str()), ("k1", "s1"));
    assert!(!format!("{r:?}").contains("k1"), "Debug hides the key");
    assert_eq!(
        checkupload::parse(&ret(1205, "")).unwrap_err().ret(),
        Some(Ret::TOO_FREQUENT)
    );
}

// ---- scenarios ----

/// Answers every `UploadNeedsData` from `data` and every upload chunk with an answer
/// (the last one with `media_id`) until the send request appears; returns it with the
/// events seen and the chunk requests.
fn drive_upload(
    f: &mut Fake,
    data: &[u8],
    media_id: &str,
) -> (
    webwx_core::Transmit,
    Vec<CommandEvent>,
    Vec<webwx_core::Transmit>,
) {
    let mut events = Vec::new();
    let mut chunks = Vec::new();
    let mut pending: Vec<webwx_core::Transmit> = f.pump();
    loop {
        let mut progressed = false;
        pending.extend(f.pump());
        for e in f.take_cmd_events() {
            if let CommandEvent::UploadNeedsData {
                upload,
                offset,
                len,
                ..
            } = &e
            {
                let slice = &data[*offset as usize..(*offset + *len) as usize];
                f.client
                    .upload_data(f.now, *upload, *offset, slice)
                    .unwrap();
            }
            events.push(e);
            progressed = true;
        }
        pending.extend(f.pump());
        if pending.is_empty() {
            assert!(progressed, "stuck: {events:?}");
            continue;
        }
        let t = pending.remove(0);
        match t.endpoint {
            "webwxuploadmedia" => {
                let p = parts(&t.request);
                let req: serde_json::Value = serde_json::from_slice(&p[p.len() - 4].1).unwrap();
                let total = req["TotalLen"].as_u64().unwrap();
                let last = {
                    let names: Vec<String> = p.iter().map(|(h, _)| part_name(h)).collect();
                    match names.iter().position(|n| n == "chunk") {
                        Some(i) => {
                            let chunk: u64 =
                                String::from_utf8(p[i].1.clone()).unwrap().parse().unwrap();
                            let chunks: u64 = String::from_utf8(p[i - 1].1.clone())
                                .unwrap()
                                .parse()
                                .unwrap();
                            chunk + 1 == chunks
                        }
                        None => true,
                    }
                };
                let answer = if last {
                    ret(0, &format!(r#","MediaId":"{media_id}","StartPos":{total}"#))
                } else {
                    ret(0, r#","MediaId":"","StartPos":0"#)
                };
                chunks.push(t);
                let c = chunks.last().unwrap();
                f.client.handle_response(f.now, c.id, answer);
            }
            "webwxcheckupload" => {
                f.client.handle_response(
                    f.now,
                    t.id,
                    ret(0, r#","MediaId":"","AESKey":"AES1","Signature":"SIG1""#),
                );
                chunks.push(t);
            }
            _ => {
                events.extend(f.take_cmd_events());
                return (t, events, chunks);
            }
        }
    }
}

#[test]
fn a_13_mb_file_in_3_chunks_with_progress_then_sendappmsg() {
    let mut f = Fake::new();
    let data = file_bytes(1_300_000, 7);
    let handle = f
        .client
        .send_file(
            f.now,
            "alice-remark",
            FileSpec::new("report.pdf", data.len() as u64),
        )
        .unwrap();
    let (send, events, chunks) = drive_upload(&mut f, &data, "@crypt_media_1");
    // First pass: the md5, in 3 pieces; then the 3 chunks.
    let asks: Vec<(u64, u64, DataPurpose)> = events
        .iter()
        .filter_map(|e| match e {
            CommandEvent::UploadNeedsData {
                offset,
                len,
                purpose,
                upload,
            } => {
                assert_eq!(*upload, handle.upload);
                Some((*offset, *len, *purpose))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        asks,
        [
            (0, 524_288, DataPurpose::Checksum),
            (524_288, 524_288, DataPurpose::Checksum),
            (1_048_576, 251_424, DataPurpose::Checksum),
            (0, 524_288, DataPurpose::Upload),
            (524_288, 524_288, DataPurpose::Upload),
            (1_048_576, 251_424, DataPurpose::Upload),
        ]
    );
    let progress: Vec<(u64, u64)> = events
        .iter()
        .filter_map(|e| match e {
            CommandEvent::UploadProgress {
                sent,
                total,
                local_id,
                ..
            } => {
                assert_eq!(*local_id, handle.local_id);
                Some((*sent, *total))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        progress,
        [
            (524_288, 1_300_000),
            (1_048_576, 1_300_000),
            (1_300_000, 1_300_000)
        ]
    );
    assert!(events.contains(&CommandEvent::Uploaded {
        upload: handle.upload,
        local_id: handle.local_id.clone(),
        media_id: "@crypt_media_1".into()
    }));
    // The chunks: on the file host, fields in order, the bytes of the file, FileMd5 of
    // the whole file.
    assert_eq!(endpoints(&chunks), ["webwxuploadmedia"; 3]);
    let md5 = md5_hex(&data);
    let mut rebuilt = Vec::new();
    for (i, t) in chunks.iter().enumerate() {
        assert_eq!(t.request.uri().host(), Some("file.wx.qq.com"));
        let p = parts(&t.request);
        let fields: Vec<(String, String)> = p
            .iter()
            .map(|(h, c)| (part_name(h), String::from_utf8_lossy(c).into_owned()))
            .collect();
        assert_eq!(fields[0], ("id".into(), "WU_FILE_0".into()));
        assert_eq!(fields[5], ("chunks".into(), "3".into()));
        assert_eq!(fields[6], ("chunk".into(), i.to_string()));
        assert_eq!(fields[7], ("mediatype".into(), "doc".into()));
        assert_eq!(
            fields[9],
            (
                "webwx_data_ticket".into(),
                "gSehWtnDWTMh38gmz0IjaFv0".into()
            )
        );
        let req: serde_json::Value = serde_json::from_slice(&p[8].1).unwrap();
        assert_eq!(req["FileMd5"], md5);
        assert_eq!(req["TotalLen"], 1_300_000);
        assert_eq!(req["ToUserName"], ALICE);
        assert_eq!(req["FromUserName"], ME);
        rebuilt.extend_from_slice(&p[11].1);
        insta::assert_snapshot!(format!("scenario_chunk_{i}"), render_multipart(&t.request));
    }
    assert_eq!(
        rebuilt, data,
        "the chunks cover the file exactly once, in order"
    );
    // Then the file message.
    assert_eq!(send.endpoint, "webwxsendappmsg");
    let body = harness::json(&send);
    assert_eq!(body["Msg"]["Type"], 6);
    assert_eq!(body["Msg"]["LocalID"], handle.local_id.as_str());
    let xml = body["Msg"]["Content"].as_str().unwrap();
    assert!(xml.contains("<title>report.pdf</title>"));
    assert!(xml.contains("<totallen>1300000</totallen>"));
    assert!(xml.contains("<attachid>@crypt_media_1</attachid>"));
    assert!(xml.contains("<fileext>pdf</fileext>"));
    f.respond(&send, ret(0, r#","MsgID":"77","LocalID":"1""#));
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::Sent {
            local_id: handle.local_id,
            msg_id: "77".into()
        }]
    );
}

#[test]
fn files_over_25_mb_go_through_checkupload() {
    let mut f = Fake::new();
    let size = NEED_CHECK_SIZE + 1000;
    let data = file_bytes(size, 9);
    let md5 = md5_hex(&data);
    let handle = f
        .client
        .send_file(f.now, ALICE, FileSpec::new("big.zip", size).md5(&md5))
        .unwrap();
    let (send, events, reqs) = drive_upload(&mut f, &data, "@crypt_big");
    assert_eq!(
        reqs[0].endpoint, "webwxcheckupload",
        "checkupload before any chunk"
    );
    let check = harness::json(&reqs[0]);
    assert_eq!(check["FileSize"], size);
    assert_eq!(check["FileMd5"], md5);
    assert_eq!(check["FileName"], "big.zip");
    assert_eq!(check["FileType"], 7);
    assert!(
        !events.iter().any(|e| matches!(
            e,
            CommandEvent::UploadNeedsData {
                purpose: DataPurpose::Checksum,
                ..
            }
        )),
        "md5 given: no checksum pass"
    );
    let chunks = &reqs[1..];
    assert_eq!(chunks.len() as u64, ChunkPlan::new(size).chunks());
    for t in chunks {
        let p = parts(&t.request);
        let req: serde_json::Value = serde_json::from_slice(&p[8].1).unwrap();
        assert_eq!(req["AESKey"], "AES1");
        assert_eq!(req["Signature"], "SIG1");
    }
    assert_eq!(send.endpoint, "webwxsendappmsg");
    assert_eq!(harness::json(&send)["Msg"]["Signature"], "SIG1");
    f.respond(&send, ret(0, r#","MsgID":"78""#));
    assert!(
        matches!(&f.take_cmd_events()[..], [CommandEvent::Sent { local_id, .. }] if *local_id == handle.local_id)
    );
}

#[test]
fn checkupload_with_a_media_id_skips_the_upload() {
    let mut f = Fake::new();
    let size = NEED_CHECK_SIZE + 1;
    f.client
        .send_file(
            f.now,
            ALICE,
            FileSpec::new("big.zip", size).md5("cc6bbb277bc836b5726cc9d9ec7549c2"),
        )
        .unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxcheckupload"]);
    let ts = f.respond(
        &ts[0],
        ret(
            0,
            r#","MediaId":"@crypt_known","AESKey":"A","Signature":"S""#,
        ),
    );
    assert_eq!(endpoints(&ts), ["webwxsendappmsg"]);
    assert!(
        harness::json(&ts[0])["Msg"]["Content"]
            .as_str()
            .unwrap()
            .contains("<attachid>@crypt_known</attachid>")
    );
}

#[test]
fn limits_and_bad_arguments_fail_before_any_request() {
    let mut f = Fake::new();
    let cases: Vec<(FileSpec, CommandError)> = vec![
        (
            FileSpec::new("huge.pdf", 50 * 1024 * 1024 + 1),
            CommandError::TooLarge {
                kind: MediaKind::File,
                size: 50 * 1024 * 1024 + 1,
                limit: 50 * 1024 * 1024,
            },
        ),
        (
            FileSpec::new("photo.jpg", 20 * 1024 * 1024 + 1),
            CommandError::TooLarge {
                kind: MediaKind::Image,
                size: 20 * 1024 * 1024 + 1,
                limit: 20 * 1024 * 1024,
            },
        ),
        (
            FileSpec::new("clip.mp4", 21 * 1024 * 1024),
            CommandError::TooLarge {
                kind: MediaKind::Video,
                size: 21 * 1024 * 1024,
                limit: 20 * 1024 * 1024,
            },
        ),
        (FileSpec::new("empty.txt", 0), CommandError::EmptyFile),
        (
            FileSpec::new("x.txt", 5).md5("nothex"),
            CommandError::InvalidMd5 {
                md5: "nothex".into(),
            },
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(f.client.send_file(f.now, ALICE, spec), Err(want));
    }
    assert!(f.pump().is_empty());
    assert!(
        f.take_cmd_events().is_empty(),
        "no event for a rejected command"
    );
    assert_eq!(f.client.pending_commands(), 0);
    // Configurable.
    let mut cfg = Config::new(7);
    cfg.limits.file = 10;
    let mut f = Fake::logged_in(cfg);
    assert!(matches!(
        f.client.send_file(f.now, ALICE, FileSpec::new("a.txt", 11)),
        Err(CommandError::TooLarge { limit: 10, .. })
    ));
}

#[test]
fn kinds_pick_the_send_endpoint() {
    for (name, endpoint, media_type) in [
        ("photo.JPG", "webwxsendmsgimg", "pic"),
        ("clip.mp4", "webwxsendvideomsg", "video"),
        ("anim.gif", "webwxsendemoticon", "doc"),
        ("notes.txt", "webwxsendappmsg", "doc"),
    ] {
        let mut f = Fake::new();
        let data = file_bytes(1000, 4);
        f.client
            .send_file(f.now, ALICE, FileSpec::new(name, 1000))
            .unwrap();
        let (send, _, chunks) = drive_upload(&mut f, &data, "@crypt_m");
        assert_eq!(send.endpoint, endpoint, "{name}");
        let p = parts(&chunks[0].request);
        assert_eq!(p.len(), 10, "one chunk: no chunks/chunk fields");
        assert_eq!(String::from_utf8(p[5].1.clone()).unwrap(), media_type);
        let body = harness::json(&send);
        if endpoint == "webwxsendemoticon" {
            assert_eq!(body["Msg"]["MediaId"], "@crypt_m");
            assert_eq!(body["Msg"]["EmojiFlag"], 2);
        }
    }
}

#[test]
fn upload_data_is_checked() {
    let mut f = Fake::new();
    let h = f
        .client
        .send_file(f.now, ALICE, FileSpec::new("a.txt", 10))
        .unwrap();
    assert!(matches!(
        f.client.upload_data(f.now, h.upload, 1, b"123456789"),
        Err(CommandError::WrongUploadRange {
            offset: 0,
            len: 10,
            got_offset: 1,
            got_len: 9,
            ..
        })
    ));
    assert!(matches!(
        f.client.upload_data(f.now, h.upload, 0, b"short"),
        Err(CommandError::WrongUploadRange {
            offset: 0,
            len: 10,
            got_offset: 0,
            got_len: 5,
            ..
        })
    ));
    assert!(matches!(
        f.client.upload_data(f.now, UploadId(999), 0, b"0123456789"),
        Err(CommandError::UnknownUpload {
            upload: UploadId(999)
        })
    ));
    f.client
        .upload_data(f.now, h.upload, 0, b"0123456789")
        .unwrap(); // checksum
    f.client
        .upload_data(f.now, h.upload, 0, b"0123456789")
        .unwrap(); // the chunk
    // The chunk is in flight: nothing more is wanted.
    assert!(matches!(
        f.client.upload_data(f.now, h.upload, 0, b"0123456789"),
        Err(CommandError::UploadNotWaiting { upload }) if upload == h.upload
    ));
}

#[test]
fn a_failed_chunk_is_retried_from_the_built_request() {
    let mut f = Fake::new();
    let (h, ts) = first_chunk_in_flight(&mut f);
    f.take_cmd_events();
    f.fail(&ts[0], TransportErrorKind::Reset);
    let (retry, _) = f.next_timer(Duration::from_secs(60));
    assert_eq!(endpoints(&retry), ["webwxuploadmedia"]);
    assert_eq!(
        retry[0].request.body(),
        ts[0].request.body(),
        "same bytes, no new ask"
    );
    assert!(
        !f.take_cmd_events()
            .iter()
            .any(|e| matches!(e, CommandEvent::UploadNeedsData { offset: 0, .. }))
    );
    // A refusal that is not retried ends the send.
    f.respond(&retry[0], ret(1, ""));
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::SendFailed {
            local_id: h.local_id,
            error: CommandFailure::Refused {
                ret: Ret::PARAM_ERROR,
                message: String::new()
            }
        }]
    );
    assert!(matches!(
        f.client.upload_data(f.now, h.upload, 0, b"x"),
        Err(CommandError::UnknownUpload { upload }) if upload == h.upload
    ));
}

#[test]
fn last_chunk_without_media_id_is_a_protocol_failure() {
    let mut f = Fake::new();
    let h = f
        .client
        .send_file(
            f.now,
            ALICE,
            FileSpec::new("a.txt", 3).md5(&md5_hex(b"abc")),
        )
        .unwrap();
    f.client.upload_data(f.now, h.upload, 0, b"abc").unwrap();
    let ts = f.pump();
    f.respond(&ts[0], ret(0, r#","MediaId":"""#));
    let evs = f.take_cmd_events();
    assert!(
        matches!(
            evs.last(),
            Some(CommandEvent::SendFailed {
                error: CommandFailure::Protocol { .. },
                ..
            })
        ),
        "{evs:?}"
    );
}

#[test]
fn cancel_and_session_end_fail_uploads() {
    let mut f = Fake::new();
    let a = f
        .client
        .send_file(f.now, ALICE, FileSpec::new("a.txt", 10))
        .unwrap();
    let b = f
        .client
        .send_file(f.now, ALICE, FileSpec::new("b.txt", 10))
        .unwrap();
    f.client.cancel_upload(a.upload).unwrap();
    f.pump();
    assert_eq!(
        f.client.cancel_upload(a.upload),
        Err(CommandError::UnknownUpload { upload: a.upload })
    );
    let evs = f.take_cmd_events();
    assert!(evs.contains(&CommandEvent::SendFailed {
        local_id: a.local_id,
        error: CommandFailure::Cancelled
    }));
    f.client.logout(f.now);
    let lo = f.pump();
    f.respond(&lo[0], harness::ok(""));
    assert_eq!(
        f.take_cmd_events(),
        [CommandEvent::SendFailed {
            local_id: b.local_id,
            error: CommandFailure::SessionEnded
        }]
    );
}

proptest! {
    #[test]
    fn chunk_plans_cover_the_file_once_in_order(size in 0u64..(64 * CHUNK_SIZE), chunk in 1u64..(2 * CHUNK_SIZE)) {
        let plan = ChunkPlan::with_chunk_size(size, chunk);
        let mut next = 0;
        let mut n = 0;
        for r in plan.iter() {
            prop_assert_eq!(r.start, next);
            prop_assert!(r.end > r.start);
            prop_assert!(r.end - r.start <= chunk);
            next = r.end;
            n += 1;
        }
        prop_assert_eq!(next, size);
        prop_assert_eq!(n, plan.chunks());
        prop_assert_eq!(plan.is_chunked(), n > 1);
    }

    #[test]
    fn default_plans_for_any_size(size in any::<u64>()) {
        let plan = ChunkPlan::new(size);
        prop_assert_eq!(plan.chunks(), size.div_ceil(CHUNK_SIZE));
        if size > 0 {
            let last = plan.chunk(plan.chunks() - 1).unwrap();
            prop_assert_eq!(last.end, size);
            prop_assert!(last.end - last.start <= CHUNK_SIZE);
            prop_assert_eq!(plan.chunk(0).unwrap().start, 0);
        }
        prop_assert!(plan.chunk(plan.chunks()).is_none());
    }

    #[test]
    fn sendappmsg_xml_is_well_formed_for_any_name(name in ".{0,40}") {
        let att = sendappmsg::Attachment { title: &name, size: 1, media_id: "@m", ext: "x", signature: "" };
        let xml = sendappmsg::appmsg_xml(&att, false);
        let mut reader = quick_xml::Reader::from_str(&xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => prop_assert!(false, "{e}: {xml}"),
            }
        }
    }
}

#[test]
fn a_mime_type_that_would_break_the_multipart_header_is_refused() {
    let mut f = Fake::new();
    let spec = webwx_core::FileSpec::new("a.txt", 3).mime("text/plain\r\nX-Evil: 1");
    assert!(matches!(
        f.client.send_file(f.now, ALICE, spec),
        Err(webwx_core::CommandError::InvalidMime { mime }) if mime == "text/plain\r\nX-Evil: 1"
    ));
    assert!(f.pump().is_empty(), "nothing sent");
}

#[test]
fn a_chunk_of_a_cancelled_upload_is_not_sent_again() {
    let mut f = Fake::new();
    let (h, ts) = first_chunk_in_flight(&mut f);
    f.client.cancel_upload(h.upload).unwrap();
    // The chunk in flight fails after the cancel: nothing is retried.
    f.fail(&ts[0], TransportErrorKind::Reset);
    let (later, _) = f.next_timer(Duration::from_secs(600));
    assert!(endpoints(&later).is_empty(), "{:?}", endpoints(&later));
    let events = f.take_cmd_events();
    let ends = events
        .iter()
        .filter(|e| matches!(e, CommandEvent::SendFailed { .. }))
        .count();
    assert_eq!(ends, 1, "{events:?}");
}

/// A two-chunk upload (md5 given) whose first chunk is in flight.
fn first_chunk_in_flight(
    f: &mut Fake,
) -> (webwx_core::UploadHandle, Vec<webwx_core::client::Transmit>) {
    let data = file_bytes(CHUNK_SIZE + 10, 5);
    let h = f
        .client
        .send_file(
            f.now,
            ALICE,
            FileSpec::new("a.bin", data.len() as u64).md5(&md5_hex(&data)),
        )
        .unwrap();
    f.client
        .upload_data(f.now, h.upload, 0, &data[..CHUNK_SIZE as usize])
        .unwrap();
    let ts = f.pump();
    assert_eq!(endpoints(&ts), ["webwxuploadmedia"]);
    (h, ts)
}
