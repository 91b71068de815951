//! Group chats: recognizing a group user name and splitting the real sender off a
//! group message's content.

/// Whether `user_name` is a group (chat room): `@@…` in a web session, `…@chatroom`
/// in the long form (official client `isRoomContact`: `/^@@|@chatroom$/`).
pub fn is_group_user_name(user_name: &str) -> bool {
    user_name.starts_with("@@") || user_name.ends_with("@chatroom")
}

/// Splits the `@member:<br/>` prefix the server puts before the content of a group
/// message sent by someone else: the official client's
/// `/^(@[a-zA-Z0-9]+|[a-zA-Z0-9_-]+):<br\/>/`, parsed by hand.
/// Returns `(member, rest of the content)`, or `None` when there is no prefix.
///
/// ```
/// use webwx_core::message::split_group_sender;
/// assert_eq!(split_group_sender("@4c32c9:<br/>hi"), Some(("@4c32c9", "hi")));
/// assert_eq!(split_group_sender("wxid_a-1:<br/>hi"), Some(("wxid_a-1", "hi")));
/// assert_eq!(split_group_sender("hi:there"), None);
/// ```
pub fn split_group_sender(content: &str) -> Option<(&str, &str)> {
    const SEP: &str = ":<br/>";
    let bytes = content.as_bytes();
    let end = if bytes.first() == Some(&b'@') {
        1 + bytes[1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count()
    } else {
        bytes
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
            .count()
    };
    let min = if bytes.first() == Some(&b'@') { 2 } else { 1 };
    if end < min {
        return None;
    }
    // `end` is on an ASCII boundary, so slicing is safe.
    let rest = content[end..].strip_prefix(SEP)?;
    Some((&content[..end], rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(split_group_sender("@:<br/>x"), None);
        assert_eq!(split_group_sender(":<br/>x"), None);
        assert_eq!(split_group_sender("@@abc:<br/>x"), None);
        assert_eq!(split_group_sender("@ab_c:<br/>x"), None);
        assert_eq!(split_group_sender("ab_c:<br/>"), Some(("ab_c", "")));
        assert_eq!(split_group_sender("深圳市:<br/>x"), None);
        assert!(is_group_user_name("@@1"));
        assert!(is_group_user_name("123@chatroom"));
        assert!(!is_group_user_name("@1"));
    }
}
