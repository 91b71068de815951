//! App messages (MsgType 49): the HTML-escaped `<msg><appmsg>…</appmsg></msg>` XML,
//! read by `AppMsgType` (constants.md §4; fields as puppet-wechat4u `message-appmsg.ts`
//! reads them).

use super::kind::{AppDetail, AppMessage};
use super::raw::{RawMessage, parse_u64};
use super::text::normalize_text;
use super::xml::{self, Element};

/// Parses an app message; `body` is the content without the group sender prefix.
pub(crate) fn app_message(raw: &RawMessage, body: &str) -> AppMessage {
    let xml_text = xml::content_to_xml(body);
    let root = xml::parse(&xml_text);
    let empty = Element::default();
    let appmsg = root.find("appmsg").unwrap_or(&empty);
    let xml_type = appmsg
        .child_u64("type")
        .and_then(|t| u32::try_from(t).ok())
        .unwrap_or(0);
    let app_type = if raw.app_msg_type != 0 {
        raw.app_msg_type
    } else {
        xml_type
    };

    let non_empty = |a: String, b: &str| {
        if a.is_empty() {
            normalize_text(b).trim().to_owned()
        } else {
            a
        }
    };
    let title = non_empty(appmsg.child_text("title"), &raw.file_name);
    let url = non_empty(appmsg.child_text("url"), &raw.url);
    let app_id = {
        let a = appmsg.attr_str("appid");
        if a.is_empty() {
            raw.app_info.app_id.clone()
        } else {
            a
        }
    };
    let app_name = root
        .find("appinfo")
        .map(|a| a.child_text("appname"))
        .unwrap_or_default();
    let attach = appmsg.child("appattach").unwrap_or(&empty);

    let detail = match app_type {
        1 => AppDetail::Text,
        3 => AppDetail::Music {
            data_url: appmsg.child_text("dataurl"),
            low_data_url: appmsg.child_text("lowdataurl"),
            low_url: appmsg.child_text("lowurl"),
        },
        4 => AppDetail::Video,
        5 => AppDetail::Link,
        6 => file(raw, appmsg, attach, &title),
        8 => AppDetail::Emoji {
            md5: attach.child_text("emoticonmd5"),
            size: attach.child_u64("totallen"),
        },
        17 => AppDetail::RealtimeLocation,
        33 | 36 => {
            let weapp = appmsg.child("weappinfo").unwrap_or(&empty);
            AppDetail::MiniProgram {
                user_name: weapp.child_text("username"),
                app_id: weapp.child_text("appid"),
                page_path: weapp.child_text("pagepath"),
                icon_url: weapp.child_text("weappiconurl"),
                version: weapp.child_u64("version"),
            }
        }
        2000 => {
            let pay = appmsg.find("wcpayinfo").unwrap_or(&empty);
            AppDetail::Transfer {
                fee_desc: pay.child_text("feedesc"),
                pay_memo: pay.child_text("pay_memo"),
                pay_subtype: pay.child_u64("paysubtype"),
                transaction_id: pay.child_text("transcationid"),
                transfer_id: pay.child_text("transferid"),
                invalid_time: pay.child_u64("invalidtime"),
            }
        }
        2001 => {
            let pay = appmsg.find("wcpayinfo").unwrap_or(&empty);
            AppDetail::RedEnvelope {
                receiver_title: pay.child_text("receivertitle"),
                sender_title: pay.child_text("sendertitle"),
                scene_text: pay.child_text("scenetext"),
                native_url: pay.child_text("nativeurl"),
                icon_url: pay.child_text("iconurl"),
                invalid_time: pay.child_u64("invalidtime"),
            }
        }
        _ => AppDetail::Unknown {
            xml: xml_text.trim().to_owned(),
        },
    };

    AppMessage {
        app_type,
        title,
        description: appmsg.child_text("des"),
        url,
        thumb_url: appmsg.child_text("thumburl"),
        app_id,
        app_name,
        source_display_name: appmsg.child_text("sourcedisplayname"),
        source_user_name: appmsg.child_text("sourceusername"),
        detail,
    }
}

fn file(raw: &RawMessage, appmsg: &Element, attach: &Element, title: &str) -> AppDetail {
    let file_name = if raw.file_name.trim().is_empty() {
        title.to_owned()
    } else {
        normalize_text(&raw.file_name).trim().to_owned()
    };
    let size = attach
        .child_u64("totallen")
        .filter(|n| *n > 0)
        .unwrap_or_else(|| parse_u64(&raw.file_size));
    let mut ext = attach.child_text("fileext");
    if ext.is_empty()
        && let Some((_, e)) = file_name.rsplit_once('.')
        && !e.is_empty()
        && e.len() <= 10
        && !e.contains(['/', '\\'])
    {
        ext = e.to_owned();
    }
    AppDetail::File {
        file_name,
        size,
        attach_id: attach.child_text("attachid"),
        ext,
        media_id: raw.media_id.clone(),
        encry_file_name: raw.encry_file_name.clone(),
        md5: appmsg.child_text("md5"),
    }
}
