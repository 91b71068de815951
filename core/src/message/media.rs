//! Media messages: image (3), voice (34), video (43), micro video (62), emoticon (47).
//! The web server sends their XML HTML-escaped in `Content` (1:1 chats); in groups the
//! content may be an opaque `@…` token instead, so every XML field is optional.

use super::kind::{MessageKind, VideoInfo};
use super::raw::RawMessage;
use super::xml::{self, Element};

fn body_xml(body: &str) -> Element {
    xml::parse(&xml::content_to_xml(body))
}

fn to_u32(v: Option<u64>) -> Option<u32> {
    v.map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// MsgType 3.
pub(crate) fn image(raw: &RawMessage, body: &str) -> MessageKind {
    let root = body_xml(body);
    let img = root.find("img");
    MessageKind::Image {
        thumb_width: raw.img_width,
        thumb_height: raw.img_height,
        size: img.and_then(|e| e.attr_u64("length")),
        hd_size: img.and_then(|e| e.attr_u64("hdlength")),
        thumb_size: img.and_then(|e| e.attr_u64("cdnthumblength")),
        md5: img.map(|e| e.attr_str("md5")).unwrap_or_default(),
    }
}

/// MsgType 34.
pub(crate) fn voice(raw: &RawMessage, body: &str) -> MessageKind {
    let root = body_xml(body);
    let v = root.find("voicemsg");
    let duration_ms = if raw.voice_length > 0 {
        raw.voice_length
    } else {
        v.and_then(|e| e.attr_u64("voicelength")).unwrap_or(0)
    };
    MessageKind::Voice {
        duration_ms,
        size: v.and_then(|e| e.attr_u64("length")),
        format: v.and_then(|e| e.attr_u64("voiceformat")),
    }
}

/// MsgType 43 and 62.
pub(crate) fn video(raw: &RawMessage, body: &str) -> VideoInfo {
    let root = body_xml(body);
    let v = root.find("videomsg");
    let attr = |name: &str| v.and_then(|e| e.attr_u64(name));
    VideoInfo {
        play_length: if raw.play_length > 0 {
            raw.play_length
        } else {
            attr("playlength").unwrap_or(0)
        },
        thumb_width: if raw.img_width > 0 {
            raw.img_width
        } else {
            to_u32(attr("cdnthumbwidth")).unwrap_or(0)
        },
        thumb_height: if raw.img_height > 0 {
            raw.img_height
        } else {
            to_u32(attr("cdnthumbheight")).unwrap_or(0)
        },
        size: attr("length"),
        thumb_size: attr("cdnthumblength"),
        md5: v.map(|e| e.attr_str("md5")).unwrap_or_default(),
    }
}

/// MsgType 47.
pub(crate) fn emoticon(raw: &RawMessage, body: &str) -> MessageKind {
    let root = body_xml(body);
    let e = root.find("emoji");
    let s = |name: &str| e.map(|e| e.attr_str(name)).unwrap_or_default();
    let n = |name: &str| e.and_then(|e| e.attr_u64(name));
    MessageKind::Emoticon {
        md5: s("md5"),
        cdn_url: s("cdnurl"),
        width: to_u32(n("width"))
            .filter(|w| *w > 0)
            .unwrap_or(raw.img_width),
        height: to_u32(n("height"))
            .filter(|h| *h > 0)
            .unwrap_or(raw.img_height),
        size: n("len"),
        product_id: s("productid"),
        emoji_type: n("type"),
    }
}
