//! Messages as the server stores them before they are delivered by webwxsync.

/// `RecommendInfo` of friend requests (37) and cards (42).
#[derive(Debug, Clone, Default)]
pub(crate) struct Recommend {
    pub user_name: String,
    pub nick_name: String,
    pub content: String,
    pub ticket: String,
    pub sex: u8,
    pub province: String,
    pub city: String,
    pub signature: String,
    pub alias: String,
    pub scene: u32,
    pub op_code: u32,
}

/// One AddMsgList entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct Message {
    pub msg_id: u64,
    pub from: String,
    pub to: String,
    pub msg_type: u32,
    /// Content exactly as the server sends it (HTML-escaped, `<br/>` line breaks).
    pub content: String,
    pub status: u32,
    pub img_status: u32,
    pub create_time: u64,
    pub voice_length: u64,
    pub play_length: u64,
    pub file_name: String,
    pub file_size: String,
    pub media_id: String,
    pub url: String,
    pub app_msg_type: u32,
    pub status_notify_code: u32,
    pub status_notify_user_name: String,
    pub recommend: Option<Recommend>,
    pub img_height: u32,
    pub img_width: u32,
    pub sub_msg_type: u32,
    pub ori_content: String,
    pub encry_file_name: String,
    pub ticket: String,
}

impl Message {
    /// A message with the fields every message has.
    pub(crate) fn new(msg_id: u64, from: &str, to: &str, msg_type: u32, now: u64) -> Self {
        Message {
            msg_id,
            from: from.to_string(),
            to: to.to_string(),
            msg_type,
            status: 3,
            img_status: 1,
            create_time: now,
            ..Message::default()
        }
    }
}

/// Whether the server sends `c` as an emoji span rather than as text.
fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B50 | 0x2B55 | 0x3030 | 0x303D)
}

/// Escapes text the way the server puts user text into `Content`: HTML
/// entities, `<br/>` for line breaks, emoji as `<span class="emoji emojiXXXX"></span>`.
pub(crate) fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br/>"),
            '\r' | '\u{FE0F}' => {}
            c if is_emoji(c) => {
                out.push_str(&format!(
                    "<span class=\"emoji emoji{:x}\"></span>",
                    c as u32
                ));
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes XML the way it appears inside `Content` (`<` and `>` as entities).
pub(crate) fn escape_xml_content(xml: &str) -> String {
    xml.replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "<br/>")
}

/// Escapes a value for an XML attribute or text node.
pub(crate) fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `%XX`-encodes a file name the way `EncryFileName` carries it (in AddMsgList
/// and in the upload answer).
pub(crate) fn encry_file_name(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_text("a<b>&c\nd"), "a&lt;b&gt;&amp;c<br/>d");
        assert_eq!(
            escape_text("hi 😀❤\u{FE0F}"),
            "hi <span class=\"emoji emoji1f600\"></span><span class=\"emoji emoji2764\"></span>"
        );
        assert_eq!(
            escape_xml_content("<msg>\n</msg>"),
            "&lt;msg&gt;<br/>&lt;/msg&gt;"
        );
        assert_eq!(encry_file_name("a b.pdf"), "a%20b%2Epdf");
    }
}
