//! Every send endpoint, and revoke.

use serde::Serialize;
use serde_json::Value;

use super::auth::{JsonRequest, PassTicket, RET_BAD_REQUEST, json_request};
use super::ret_json;
use crate::control_types::SentRecord;
use crate::request::{Req, str_field};
use crate::response::Resp;
use crate::routes::Endpoint;
use crate::wire::{self, BaseResponse};
use crate::world::World;
use crate::world::message::{Message, escape_xml_content};

/// Sending to oneself or to a stranger.
const RET_BAD_TARGET: i64 = 1204;

#[derive(Serialize)]
struct SendJson {
    #[serde(rename = "BaseResponse")]
    base_response: BaseResponse,
    #[serde(rename = "MsgID")]
    msg_id: String,
    #[serde(rename = "LocalID")]
    local_id: String,
}

fn send_resp(ret: i64, msg_id: &str, local_id: &str) -> Resp {
    Resp::json(&SendJson {
        base_response: wire::base(ret),
        msg_id: msg_id.to_string(),
        local_id: local_id.to_string(),
    })
}

/// A number or a string, as text.
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The text between `<tag>` and `</tag>`.
fn xml_field<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&close)? + start;
    Some(&xml[start..end])
}

/// `webwxsendmsg`, `webwxsendmsgimg`, `webwxsendvideomsg`, `webwxsendappmsg`, `webwxsendemoticon`.
///
/// A send is recorded once per ClientMsgId and recipient: a retry (same id, same
/// `ToUserName`) gets the first answer again, while openwechat's forward, which sends one
/// message object with the same ClientMsgId to several recipients, is a send to each.
pub(crate) fn send(w: &mut World, req: &Req) -> Resp {
    // openwechat sends `pass_ticket=pass_ticket` (the literal) on webwxsendvideomsg.
    let pass_ticket = if req.endpoint == Endpoint::SendVideoMsg {
        PassTicket::Unchecked
    } else {
        PassTicket::Optional
    };
    let JsonRequest { body, uin, .. } = match json_request(w, req, pass_ticket) {
        Ok(r) => r,
        Err(ret) => return send_resp(ret, "", ""),
    };
    let Some(msg) = body.get("Msg").filter(|m| m.is_object()) else {
        return send_resp(RET_BAD_REQUEST, "", "");
    };
    let local_id = id_text(msg.get("LocalID")).unwrap_or_default();
    let client_msg_id = id_text(msg.get("ClientMsgId")).unwrap_or_else(|| local_id.clone());
    let to = str_field(msg, "ToUserName");
    let sent_key = (client_msg_id.clone(), to.to_string());
    let acc = w.account(uin).expect("session account");
    if let Some(id) = acc
        .sent_ids
        .get(&sent_key)
        .filter(|_| !client_msg_id.is_empty())
    {
        // A retry: same answer, recorded once.
        let resp = send_resp(0, &id.to_string(), &local_id);
        w.bump("send_repeats");
        return resp;
    }
    let msg_type = msg.get("Type").and_then(Value::as_u64).unwrap_or(0) as u32;
    let from = str_field(msg, "FromUserName");
    if from != acc.me.user_name {
        return send_resp(1, "", "");
    }
    if to == acc.me.user_name || acc.contact(to).is_none() {
        return send_resp(RET_BAD_TARGET, "", "");
    }
    let content = str_field(msg, "Content").to_string();
    let media_id = str_field(msg, "MediaId");
    let lookup = |id: &str| w.media(id).filter(|b| b.uin == uin).cloned();
    let (file_name, media_md5) = match req.endpoint {
        Endpoint::SendMsg => {
            if !matches!(msg_type, 1 | 42 | 48) {
                return send_resp(1, "", "");
            }
            (None, None)
        }
        Endpoint::SendMsgImg | Endpoint::SendVideoMsg => {
            let want = if req.endpoint == Endpoint::SendMsgImg {
                3
            } else {
                43
            };
            if msg_type != want && !(want == 43 && msg_type == 62) {
                return send_resp(1, "", "");
            }
            match lookup(media_id) {
                Some(b) => (Some(b.file_name.clone()), Some(b.md5.clone())),
                None => return send_resp(1, "", ""),
            }
        }
        Endpoint::SendEmoticon => {
            if msg_type != 47 {
                return send_resp(1, "", "");
            }
            let md5 = str_field(msg, "EMoticonMd5");
            if !media_id.is_empty() {
                match lookup(media_id) {
                    Some(b) => (Some(b.file_name.clone()), Some(b.md5.clone())),
                    None => return send_resp(1, "", ""),
                }
            } else if !md5.is_empty() {
                (None, Some(md5.to_ascii_lowercase()))
            } else {
                return send_resp(1, "", "");
            }
        }
        Endpoint::SendAppMsg => {
            let attach = xml_field(&content, "attachid").unwrap_or("");
            let title = xml_field(&content, "title").map(str::to_string);
            if attach.is_empty() {
                (title, None)
            } else {
                match lookup(attach) {
                    Some(b) => (
                        title.or_else(|| Some(b.file_name.clone())),
                        Some(b.md5.clone()),
                    ),
                    None => return send_resp(1, "", ""),
                }
            }
        }
        _ => return send_resp(1, "", ""),
    };
    let msg_id = w.new_msg_id();
    w.record_send(
        msg_id,
        SentRecord {
            uin,
            client_msg_id,
            msg_id: msg_id.to_string(),
            msg_type,
            from: from.to_string(),
            to: to.to_string(),
            content,
            endpoint: req.endpoint.name().to_string(),
            file_name,
            media_md5,
            revoked: false,
        },
    );
    send_resp(0, &msg_id.to_string(), &local_id)
}

#[derive(Serialize)]
struct RevokeJson {
    #[serde(rename = "BaseResponse")]
    base_response: BaseResponse,
    #[serde(rename = "Introduction")]
    introduction: String,
    #[serde(rename = "SysWording")]
    sys_wording: String,
}

/// `POST webwxrevokemsg`: within two minutes of sending.
pub(crate) fn revoke(w: &mut World, req: &Req) -> Resp {
    let JsonRequest { body, uin, .. } = match json_request(w, req, PassTicket::Optional) {
        Ok(r) => r,
        Err(ret) => return ret_json(ret),
    };
    let svr = id_text(body.get("SvrMsgId")).and_then(|s| s.parse::<u64>().ok());
    let to = str_field(&body, "ToUserName");
    let acc = w.account(uin).expect("session account");
    let now = w.unix_now();
    let Some(svr) = svr else {
        return ret_json(1);
    };
    match acc.sent_msgs.get(&svr) {
        Some((peer, at)) if peer == to && now.saturating_sub(*at) <= 120 => {}
        Some((peer, _)) if peer == to => {
            return Resp::json(&RevokeJson {
                base_response: wire::base(-1),
                introduction: String::new(),
                sys_wording: "已超过可撤回的时间".into(),
            });
        }
        _ => return ret_json(-1),
    }
    let me = acc.me.user_name.clone();
    let session = acc.contact(to).map(|c| c.wxid.clone()).unwrap_or_default();
    w.mark_revoked(uin, &svr.to_string());
    let id = w.new_msg_id();
    let mut m = Message::new(id, &me, to, 10002, now);
    m.content = escape_xml_content(&format!(
        "<sysmsg type=\"revokemsg\"><revokemsg><session>{session}</session><oldmsgid>{}</oldmsgid><msgid>{svr}</msgid><replacemsg><![CDATA[你撤回了一条消息]]></replacemsg></revokemsg></sysmsg>",
        svr % 2_000_000_000
    ));
    m.status = 4;
    w.deliver(uin, m);
    w.bump("revokes");
    Resp::json(&RevokeJson {
        base_response: wire::base(0),
        introduction: String::new(),
        sys_wording: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let x = "<appmsg><title>a.txt</title><appattach><attachid>@crypt_1</attachid></appattach></appmsg>";
        assert_eq!(xml_field(x, "title"), Some("a.txt"));
        assert_eq!(xml_field(x, "attachid"), Some("@crypt_1"));
        assert_eq!(xml_field(x, "nope"), None);
        assert_eq!(
            id_text(Some(&serde_json::json!(15462147414160521u64))).as_deref(),
            Some("15462147414160521")
        );
    }
}
