//! webwxinit and webwxstatusnotify.

use serde::Serialize;

use super::auth::{JsonRequest, PassTicket, json_request};
use super::ret_json;
use crate::request::{Req, str_field};
use crate::response::Resp;
use crate::wire::{self, BaseResponse, ContactJson, Members, SyncKeyJson, UserJson};
use crate::world::World;
use crate::world::account::ContactKind;

#[derive(Serialize)]
struct MpArticle {
    #[serde(rename = "Title")]
    title: String,
    #[serde(rename = "Digest")]
    digest: String,
    #[serde(rename = "Cover")]
    cover: String,
    #[serde(rename = "Url")]
    url: String,
}

#[derive(Serialize)]
struct MpSubscribe {
    #[serde(rename = "UserName")]
    user_name: String,
    #[serde(rename = "MPArticleCount")]
    count: usize,
    #[serde(rename = "MPArticleList")]
    list: Vec<MpArticle>,
    #[serde(rename = "Time")]
    time: u64,
    #[serde(rename = "NickName")]
    nick_name: String,
}

#[derive(Serialize)]
struct InitJson {
    #[serde(rename = "BaseResponse")]
    base_response: BaseResponse,
    #[serde(rename = "Count")]
    count: usize,
    #[serde(rename = "ContactList")]
    contact_list: Vec<ContactJson>,
    #[serde(rename = "SyncKey")]
    sync_key: SyncKeyJson,
    #[serde(rename = "User")]
    user: UserJson,
    #[serde(rename = "ChatSet")]
    chat_set: String,
    #[serde(rename = "SKey")]
    skey: String,
    #[serde(rename = "ClientVersion")]
    client_version: u64,
    #[serde(rename = "SystemTime")]
    system_time: u64,
    #[serde(rename = "GrayScale")]
    gray_scale: u32,
    #[serde(rename = "InviteStartCount")]
    invite_start_count: u32,
    #[serde(rename = "MPSubscribeMsgCount")]
    mp_count: usize,
    #[serde(rename = "MPSubscribeMsgList")]
    mp_list: Vec<MpSubscribe>,
    #[serde(rename = "ClickReportInterval")]
    click_report_interval: u64,
}

/// `POST webwxinit?r=..&pass_ticket=..` (official client, itchat, wechat4u) or
/// `POST webwxinit?_=..` (openwechat: no `r`, no `pass_ticket`). The session is proven by
/// BaseRequest and the wxuin/wxsid cookies; a pass_ticket, when sent, must be the session's.
pub(crate) fn init(w: &mut World, req: &Req) -> Resp {
    let sid = match json_request(w, req, PassTicket::Optional) {
        Ok(r) => r.sid,
        Err(ret) => return ret_json(ret),
    };
    w.mark_inited(&sid);
    let s = w.session(&sid).expect("checked");
    let uin = s.uin;
    let skey = s.skey.clone();
    let sync_key = wire::sync_key(&s.sync, s.sync.ack, s.login_time);
    let acc = w.account(uin).expect("session account");
    // The recent chats: file helper, some groups, some friends, an official account.
    let mut recent = Vec::new();
    recent.extend(acc.contacts.iter().filter(|c| c.user_name == "filehelper"));
    recent.extend(acc.contacts.iter().filter(|c| c.is_group()).take(3));
    recent.extend(
        acc.contacts
            .iter()
            .filter(|c| c.kind == ContactKind::Friend)
            .take(4),
    );
    recent.extend(
        acc.contacts
            .iter()
            .filter(|c| c.kind == ContactKind::Official)
            .take(1),
    );
    let contact_list: Vec<ContactJson> = recent
        .iter()
        .map(|c| wire::contact_json(c, &skey, Members::Full))
        .collect();
    let mut chat_set: String = recent.iter().map(|c| format!("{},", c.user_name)).collect();
    chat_set.push_str("weixin,");
    let official = acc
        .contacts
        .iter()
        .find(|c| c.kind == ContactKind::Official);
    let mp_list: Vec<MpSubscribe> = official
        .map(|o| MpSubscribe {
            user_name: o.user_name.clone(),
            count: 1,
            list: vec![MpArticle {
                title: "欢迎使用网页版微信".into(),
                digest: "这是一条模拟的订阅号文章。".into(),
                cover: "http://mmbiz.qpic.cn/mmbiz_jpg/webwx-sim/300?wxtype=jpeg&wxfrom=0".into(),
                url: "http://mp.weixin.qq.com/s?__biz=webwx-sim&mid=1&idx=1#rd".into(),
            }],
            time: w.unix_now(),
            nick_name: o.nick_name.clone(),
        })
        .into_iter()
        .collect();
    let out = InitJson {
        base_response: wire::base(0),
        count: contact_list.len(),
        contact_list,
        sync_key,
        user: wire::user_json(uin, &acc.me, &skey),
        chat_set,
        skey: skey.clone(),
        client_version: 385_876_258,
        system_time: w.unix_now(),
        gray_scale: 1,
        invite_start_count: 40,
        mp_count: mp_list.len(),
        mp_list,
        click_report_interval: 600_000,
    };
    w.bump("inits");
    Resp::json_pretty(&out)
}

#[derive(Serialize)]
struct MsgIdJson {
    #[serde(rename = "BaseResponse")]
    base_response: BaseResponse,
    #[serde(rename = "MsgID")]
    msg_id: String,
}

/// `POST webwxstatusnotify`: Code 3 after init, 1 when a chat is read.
pub(crate) fn statusnotify(w: &mut World, req: &Req) -> Resp {
    let JsonRequest { body, sid, uin } = match json_request(w, req, PassTicket::Optional) {
        Ok(r) => r,
        Err(ret) => return ret_json(ret),
    };
    let code = body
        .get("Code")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    let me = w
        .account(uin)
        .expect("session account")
        .me
        .user_name
        .as_str();
    if str_field(&body, "FromUserName") != me {
        return ret_json(1);
    }
    if code == 3 {
        w.queue_sync_conv_once(&sid);
    }
    let id = w.new_msg_id();
    Resp::json(&MsgIdJson {
        base_response: wire::base(0),
        msg_id: id.to_string(),
    })
}
