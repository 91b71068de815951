//! Chunked uploads (webwxuploadmedia) and the big-file check (webwxcheckupload).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::auth::{
    JsonRequest, PassTicket, RET_BAD_REQUEST, RET_COOKIE, RET_NO_SESSION, base_request_session,
    json_request,
};
use super::ret_json;
use crate::md5sum::md5_hex;
use crate::multipart;
use crate::request::{Req, str_field, u64_of};
use crate::response::Resp;
use crate::wire::{self, BaseResponse};
use crate::world::World;
use crate::world::media::{Chunk, MAX_FILE, UploadStart, image_size};
use crate::world::message::encry_file_name;

/// Files above this size go through webwxcheckupload first (25 MB).
pub(crate) const NEED_CHECK_SIZE: u64 = 25 * 1024 * 1024;

#[derive(Serialize)]
struct UploadJson {
    #[serde(rename = "BaseResponse")]
    base_response: BaseResponse,
    #[serde(rename = "MediaId")]
    media_id: String,
    #[serde(rename = "StartPos")]
    start_pos: u64,
    #[serde(rename = "CDNThumbImgHeight")]
    thumb_h: u32,
    #[serde(rename = "CDNThumbImgWidth")]
    thumb_w: u32,
    #[serde(rename = "EncryFileName")]
    encry_file_name: String,
}

fn upload_resp(ret: i64, media_id: String, start_pos: u64, thumb: (u32, u32), name: &str) -> Resp {
    Resp::json_pretty(&UploadJson {
        base_response: wire::base(ret),
        media_id,
        start_pos,
        thumb_h: thumb.1,
        thumb_w: thumb.0,
        encry_file_name: encry_file_name(name),
    })
}

/// `POST webwxuploadmedia?f=json` (multipart): one chunk; the MediaId comes with the last.
pub(crate) fn upload(w: &mut World, req: &Req) -> Resp {
    let fail = |ret: i64| upload_resp(ret, String::new(), 0, (0, 0), "");
    let Some(b) = req.header("content-type").and_then(multipart::boundary) else {
        return fail(RET_BAD_REQUEST);
    };
    let Some(parts) = multipart::parse(&req.body, &b) else {
        return fail(RET_BAD_REQUEST);
    };
    let mut fields: HashMap<&str, String> = HashMap::new();
    let mut file = None;
    for p in &parts {
        if p.name == "filename" || p.file_name.is_some() {
            file = Some(p);
        } else {
            fields.insert(&p.name, String::from_utf8_lossy(&p.data).into_owned());
        }
    }
    let Some(file) = file else {
        return fail(RET_BAD_REQUEST);
    };
    let Some(umr) = fields
        .get("uploadmediarequest")
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
    else {
        return fail(RET_BAD_REQUEST);
    };
    let Some(br) = umr.get("BaseRequest") else {
        return fail(RET_NO_SESSION);
    };
    // The file host gets the session through the request body and the data ticket.
    let sid = match base_request_session(w, req, br, false, PassTicket::Optional) {
        Ok(s) => s,
        Err(ret) => return fail(ret),
    };
    let s = w.session(&sid).expect("checked");
    let uin = s.uin;
    let home = s.home;
    let ticket = fields
        .get("webwx_data_ticket")
        .map(|t| crate::request::decode_fixpoint(t))
        .or_else(|| {
            req.cookie("webwx_data_ticket")
                .map(crate::request::decode_fixpoint)
        });
    if ticket.as_deref() != Some(s.data_ticket.as_str()) {
        return fail(RET_COOKIE);
    }
    let total = umr.get("TotalLen").and_then(u64_of).unwrap_or(0);
    if total > MAX_FILE {
        return fail(1);
    }
    if total > NEED_CHECK_SIZE
        && let Some(sig) = umr
            .get("Signature")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        && !w
            .account(uin)
            .expect("session account")
            .signatures
            .iter()
            .any(|x| x == sig)
    {
        return fail(1);
    }
    let client_media_id = umr
        .get("ClientMediaId")
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    let chunks = fields
        .get("chunks")
        .and_then(|c| c.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let chunk = fields
        .get("chunk")
        .and_then(|c| c.trim().parse::<usize>().ok())
        .unwrap_or(0);
    if chunk >= chunks || chunks > 4096 {
        return fail(1);
    }
    let name = fields
        .get("name")
        .cloned()
        .or_else(|| file.file_name.clone())
        .unwrap_or_else(|| "file".into());
    let id = fields.get("id").cloned().unwrap_or_default();
    let key = (uin, format!("{client_media_id}/{id}/{name}"));
    let start = UploadStart {
        total_len: total,
        chunks,
        file_name: name.clone(),
        file_md5: umr
            .get("FileMd5")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .map(str::to_ascii_lowercase),
    };
    let up = match w.receive_chunk(key, start, chunk, &file.data) {
        Chunk::Refused => return fail(1),
        Chunk::OverMemory { held, cap } => {
            return Resp::json_pretty(&UploadJson {
                base_response: wire::BaseResponse {
                    ret: 1,
                    err_msg: format!(
                        "webwx-sim holds {held} bytes of uploads; this chunk would pass --max-upload-memory {cap}"
                    ),
                },
                media_id: String::new(),
                start_pos: 0,
                thumb_h: 0,
                thumb_w: 0,
                encry_file_name: String::new(),
            });
        }
        Chunk::Stored(got) => return upload_resp(0, String::new(), got, (0, 0), &name),
        Chunk::Complete(up) => up,
    };
    let bytes: Vec<u8> = up.chunks.into_iter().flatten().flatten().collect();
    if up.total_len > 0 && bytes.len() as u64 != up.total_len {
        return fail(1);
    }
    if let Some(m) = &up.file_md5
        && *m != md5_hex(&bytes)
    {
        return fail(1);
    }
    let len = bytes.len() as u64;
    let thumb = image_size(&bytes)
        .map(|(w0, h0)| {
            let h = 100u32;
            (
                ((w0 as u64 * h as u64) / (h0.max(1) as u64)).max(1) as u32,
                h,
            )
        })
        .unwrap_or((0, 0));
    let media_id = w.add_media(uin, bytes, &up.file_name);
    w.bump("uploads");
    let origin = format!("https://{home}");
    upload_resp(0, media_id, len, thumb, &name)
        .with_header("access-control-allow-origin", origin)
        .with_header("access-control-allow-credentials", "true")
}

#[derive(Serialize)]
struct CheckJson {
    #[serde(rename = "BaseResponse")]
    base_response: BaseResponse,
    #[serde(rename = "MediaId")]
    media_id: String,
    #[serde(rename = "AESKey")]
    aes_key: String,
    #[serde(rename = "Signature")]
    signature: String,
    #[serde(rename = "EntryFileName")]
    entry_file_name: String,
}

/// `POST webwxcheckupload`: for files over 25 MB; reuses a MediaId of the same bytes.
pub(crate) fn checkupload(w: &mut World, req: &Req) -> Resp {
    let JsonRequest { body, uin, .. } = match json_request(w, req, PassTicket::Optional) {
        Ok(r) => r,
        Err(ret) => return ret_json(ret),
    };
    let size = body.get("FileSize").and_then(u64_of).unwrap_or(0);
    let md5 = str_field(&body, "FileMd5").to_ascii_lowercase();
    let name = str_field(&body, "FileName");
    if size == 0 || md5.len() != 32 || size > MAX_FILE {
        return ret_json(1);
    }
    let existing = w.uploaded_media(uin, &md5, size).unwrap_or_default();
    let (signature, aes_key) = w.sign_upload(uin);
    Resp::json(&CheckJson {
        base_response: wire::base(0),
        media_id: existing,
        aes_key,
        signature,
        entry_file_name: name.to_string(),
    })
}
