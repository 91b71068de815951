//! Dispatch of a raw message to its [`MessageKind`] by `MsgType` (the official
//! client's `messageProcess`, constants.md §4).

use super::kind::{MessageKind, StatusNotifyOp};
use super::raw::RawMessage;
use super::text::normalize_text;
use super::{appmsg, contact, location, media, sysmsg, xml};

/// Classifies `raw`; `body` is its content with any group sender prefix removed.
pub(crate) fn classify(raw: &RawMessage, body: &str) -> MessageKind {
    match raw.msg_type {
        1 if raw.app_msg_type == 2001 => MessageKind::App(appmsg::app_message(raw, body)),
        1 if location::is_location_text(raw) => {
            MessageKind::Location(location::location(raw, body))
        }
        1 => MessageKind::Text {
            text: normalize_text(body),
        },
        3 => media::image(raw, body),
        34 => media::voice(raw, body),
        37 => contact::friend_request(raw, body),
        40 => contact::possible_friend(raw, body),
        42 => contact::card(raw, body),
        43 => MessageKind::Video(media::video(raw, body)),
        62 => MessageKind::MicroVideo(media::video(raw, body)),
        47 => media::emoticon(raw, body),
        48 => MessageKind::Location(location::location(raw, body)),
        49 => MessageKind::App(appmsg::app_message(raw, body)),
        50 | 52 | 53 => voip(raw, body),
        51 => MessageKind::StatusNotify {
            code: raw.status_notify_code,
            op: StatusNotifyOp::from_code(raw.status_notify_code),
            user_names: raw
                .status_notify_user_name
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        9999 => MessageKind::SysNotice {
            text: normalize_text(body),
        },
        10000 => {
            let text = normalize_text(body);
            MessageKind::System {
                event: sysmsg::system_event(&text),
                text,
            }
        }
        10002 => sysmsg::revoke(body),
        other => MessageKind::Unknown {
            msg_type: other,
            raw: raw.content.clone(),
        },
    }
}

fn voip(raw: &RawMessage, body: &str) -> MessageKind {
    let mut text = String::new();
    let mut room_id = None;
    let is_xml = body.contains("&lt;") || body.trim_start().starts_with('<');
    if is_xml {
        let root = xml::parse(&xml::content_to_xml(body));
        if let Some(bubble) = root.find("VoIPBubbleMsg") {
            text = bubble.child_text("msg");
        }
        room_id = root.find("roomid").and_then(|r| {
            let t = r.text.trim();
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| super::raw::parse_u64(t))
        });
    }
    if !is_xml {
        text = normalize_text(body).trim().to_owned();
    }
    MessageKind::Voip {
        msg_type: raw.msg_type,
        text,
        room_id,
    }
}
