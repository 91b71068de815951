//! Mentions in group messages: `@name` in the text (the official clients put U+2005
//! after a picked mention), and the `<atuserlist>` of `MsgSource`.

use super::{text, xml};

/// Whether `text` mentions `name`: `@` + `name` followed by U+2005, any other
/// whitespace, or the end of the text (ItChat `isAt`, openwechat `atMessageProcessor`).
/// `name` is normalized like the text (entities, emoji spans); an empty name never
/// matches.
///
/// ```
/// use webwx_core::message::mentions_name;
/// assert!(mentions_name("@小桔同学\u{2005}你好啊", "小桔同学"));
/// assert!(mentions_name("hi @Bot", "Bot"));
/// assert!(!mentions_name("hi @Bottom", "Bot"));
/// ```
pub fn mentions_name(text: &str, name: &str) -> bool {
    let name = text::normalize_text(name);
    let name = name.trim();
    if name.is_empty() {
        return false;
    }
    let needle = format!("@{name}");
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find(&needle)) {
        let end = from + pos + needle.len();
        match text[end..].chars().next() {
            None => return true,
            Some(c) if c.is_whitespace() => return true,
            Some(_) => {}
        }
        // Advance past this `@` (one byte, always a char boundary).
        from += pos + 1;
    }
    false
}

/// The names mentioned in `text`: for each U+2005, the text after the nearest `@`
/// before it. Names are in order of appearance, duplicates kept once.
///
/// ```
/// use webwx_core::message::mentioned_names;
/// assert_eq!(
///     mentioned_names("@_@ wow，@wuli舞哩客服\u{2005}和@小桔同学\u{2005}看"),
///     vec!["wuli舞哩客服".to_string(), "小桔同学".to_string()]
/// );
/// ```
pub fn mentioned_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut segment_start = 0;
    for (i, c) in text.char_indices() {
        if c != '\u{2005}' {
            continue;
        }
        let segment = &text[segment_start..i];
        if let Some(at) = segment.rfind('@') {
            let name = segment[at + 1..].trim();
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
        segment_start = i + c.len_utf8();
    }
    names
}

/// The user names of the `<atuserlist>` (or `<atusername>`, as sent) in a `MsgSource`,
/// escaped or not. Empty entries are dropped.
pub fn at_user_list(msg_source: &str) -> Vec<String> {
    if msg_source.trim().is_empty() {
        return Vec::new();
    }
    let root = xml::parse(&xml::content_to_xml(msg_source));
    let list = root.find("atuserlist").or_else(|| root.find("atusername"));
    list.map(|e| {
        e.text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_lists() {
        assert!(mentions_name("@Bot", "Bot"));
        assert!(!mentions_name("@Bot", ""));
        assert!(mentions_name("x@Bot@Bot ", "Bot"));
        assert!(mentions_name(
            "@😄bot\u{2005}",
            "<span class=\"emoji emoji1f604\"></span>bot"
        ));
        assert_eq!(mentioned_names("no mention"), Vec::<String>::new());
        assert_eq!(
            at_user_list(
                "<msgsource><atuserlist><![CDATA[,wxid_a,wxid_b]]></atuserlist></msgsource>"
            ),
            vec!["wxid_a".to_string(), "wxid_b".to_string()]
        );
        assert_eq!(
            at_user_list(
                "&lt;msgsource&gt;&lt;atuserlist&gt;wxid_c&lt;/atuserlist&gt;&lt;/msgsource&gt;"
            ),
            vec!["wxid_c".to_string()]
        );
        assert!(at_user_list("").is_empty());
    }
}
