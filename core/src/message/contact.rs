//! Messages that carry a contact: friend request (37), possible friend (40), card (42).
//! `RecommendInfo` is the source; the content XML (`<msg fromusername=… ticket=…>`)
//! fills what it lacks.

use super::kind::{MessageKind, RecommendContact};
use super::raw::RawMessage;
use super::text::normalize_text;
use super::xml::{self, Element};

fn msg_element(body: &str) -> Element {
    xml::parse(&xml::content_to_xml(body))
        .into_found("msg")
        .unwrap_or_default()
}

/// `a` when not empty, else `b`.
fn or(a: String, b: String) -> String {
    if a.trim().is_empty() { b } else { a }
}

fn contact(raw: &RawMessage, msg: &Element, long_name_attr: &str) -> RecommendContact {
    let ri = &raw.recommend_info;
    let head = or(
        msg.attr_str("bigheadimgurl"),
        msg.attr_str("smallheadimgurl"),
    );
    RecommendContact {
        user_name: ri.user_name.clone(),
        nick_name: or(
            normalize_text(&ri.nick_name),
            or(msg.attr_str("fromnickname"), msg.attr_str("nickname")),
        ),
        alias: or(ri.alias.clone(), msg.attr_str("alias")),
        province: or(normalize_text(&ri.province), msg.attr_str("province")),
        city: or(normalize_text(&ri.city), msg.attr_str("city")),
        sex: if ri.sex > 0 {
            ri.sex
        } else {
            msg.attr_u64("sex")
                .and_then(|s| u32::try_from(s).ok())
                .unwrap_or(0)
        },
        signature: or(normalize_text(&ri.signature), msg.attr_str("sign")),
        verify_flag: ri.verify_flag,
        long_user_name: msg.attr_str(long_name_attr),
        head_img_url: head,
    }
}

fn scene(raw: &RawMessage, msg: &Element) -> u32 {
    if raw.recommend_info.scene > 0 {
        raw.recommend_info.scene
    } else {
        msg.attr_u64("scene")
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or(0)
    }
}

/// MsgType 37.
pub(crate) fn friend_request(raw: &RawMessage, body: &str) -> MessageKind {
    let msg = msg_element(body);
    let ri = &raw.recommend_info;
    MessageKind::FriendRequest {
        contact: contact(raw, &msg, "fromusername"),
        greeting: or(normalize_text(&ri.content), msg.attr_str("content")),
        ticket: or(ri.ticket.clone(), msg.attr_str("ticket")),
        scene: scene(raw, &msg),
        op_code: if ri.op_code > 0 {
            ri.op_code
        } else {
            msg.attr_u64("opcode")
                .and_then(|s| u32::try_from(s).ok())
                .unwrap_or(0)
        },
        chatroom: msg.attr_str("chatroomusername"),
    }
}

/// MsgType 40.
pub(crate) fn possible_friend(raw: &RawMessage, body: &str) -> MessageKind {
    let msg = msg_element(body);
    MessageKind::PossibleFriend {
        contact: contact(raw, &msg, "fromusername"),
        scene: scene(raw, &msg),
    }
}

/// MsgType 42.
pub(crate) fn card(raw: &RawMessage, body: &str) -> MessageKind {
    let msg = msg_element(body);
    let contact = contact(raw, &msg, "username");
    MessageKind::Card {
        // The official client's `isBrandContact`: VerifyFlag & MM_USERATTRVERIFYFALG_BIZ_BRAND.
        is_official: contact.verify_flag & 8 != 0,
        contact,
        scene: scene(raw, &msg),
        antispam_ticket: msg.attr_str("antispamticket"),
    }
}
