//! System messages: the grey texts of MsgType 10000 (group invitations, joins by QR
//! code, removals, topic changes, new contacts; zh_CN and English as wechaty's
//! `firer.ts` recognizes them) and the `<sysmsg type="revokemsg">` of MsgType 10002.

use super::kind::{MessageKind, Party, SystemEvent};
use super::xml;

/// Recognizes the event of a MsgType 10000 text (already normalized).
pub fn system_event(text: &str) -> SystemEvent {
    let s = text.trim();
    zh_event(s)
        .or_else(|| en_event(s))
        .unwrap_or(SystemEvent::Other)
}

fn zh_event(s: &str) -> Option<SystemEvent> {
    // "B"通过扫描"A"分享的二维码加入群聊 / "B"通过扫描你分享的二维码加入群聊
    if s.contains("分享的二维码加入群聊") {
        let (member, rest) = party_then(s, "通过扫描")?;
        let (sharer, _) = party_then(rest, "分享的二维码加入群聊")?;
        return Some(SystemEvent::GroupJoinQrCode { member, sharer });
    }
    // "A"邀请"B、C"加入了群聊[，群聊参与人还有：…]
    if s.contains("加入了群聊") && s.contains("邀请") {
        let (inviter, rest) = party_then(s, "邀请")?;
        let end = rest.find("加入了群聊")?;
        let invitees = party_list(&rest[..end]);
        if invitees.is_empty() {
            return None;
        }
        return Some(SystemEvent::GroupInvite { inviter, invitees });
    }
    // 你被"A"移出群聊
    if let Some(rest) = s.strip_prefix("你被") {
        let end = rest.find("移出群聊")?;
        return Some(SystemEvent::GroupRemove {
            remover: party(&rest[..end]),
            removed: vec![Party::Me],
        });
    }
    // 你将"B"移出了群聊
    if s.contains("移出了群聊") {
        let (remover, rest) = party_then(s, "将")?;
        let end = rest.find("移出了群聊")?;
        let removed = party_list(&rest[..end]);
        if removed.is_empty() {
            return None;
        }
        return Some(SystemEvent::GroupRemove { remover, removed });
    }
    // "A"修改群名为“T”
    if s.contains("修改群名为") {
        let (changer, rest) = party_then(s, "修改群名为")?;
        return Some(SystemEvent::GroupTopic {
            changer,
            topic: unquote(rest).to_owned(),
        });
    }
    // 你已添加了X，现在可以开始聊天了。
    if let Some(rest) = s.strip_prefix("你已添加了") {
        let end = rest.find("，现在可以开始聊天了").unwrap_or(rest.len());
        return Some(SystemEvent::ContactAdded {
            contact: unquote(&rest[..end]).to_owned(),
            by_me: true,
        });
    }
    // X刚刚把你添加到通讯录，现在可以开始聊天了。
    if let Some(end) = s.find("刚刚把你添加到通讯录") {
        return Some(SystemEvent::ContactAdded {
            contact: unquote(&s[..end]).to_owned(),
            by_me: false,
        });
    }
    None
}

fn en_event(s: &str) -> Option<SystemEvent> {
    // "B" joined the group chat via the QR Code shared by "A".
    if let Some((member, rest)) =
        party_then_ci(s, " joined the group chat via the QR Code shared by ")
    {
        return Some(SystemEvent::GroupJoinQrCode {
            member,
            sharer: party(trim_period(rest)),
        });
    }
    // "B" joined group chat via the QR code you shared.
    if let Some((member, _)) = party_then_ci(s, " joined group chat via the QR code you shared") {
        return Some(SystemEvent::GroupJoinQrCode {
            member,
            sharer: Party::Me,
        });
    }
    // You were removed from the group chat by "A"
    if let Some(rest) = strip_prefix_ci(s, "You were removed from the group chat by ") {
        return Some(SystemEvent::GroupRemove {
            remover: party(trim_period(rest)),
            removed: vec![Party::Me],
        });
    }
    // You removed "B" from the group chat
    if let Some((remover, rest)) = party_then_ci(s, " removed ") {
        let end = find_ci(rest, " from the group chat")?;
        let removed = party_list(&rest[..end]);
        if removed.is_empty() {
            return None;
        }
        return Some(SystemEvent::GroupRemove { remover, removed });
    }
    // A invited B、C to the group chat.
    if let Some((inviter, rest)) = party_then_ci(s, " invited ") {
        let end = find_ci(rest, " to the group chat")?;
        let invitees = party_list(&rest[..end]);
        if invitees.is_empty() {
            return None;
        }
        return Some(SystemEvent::GroupInvite { inviter, invitees });
    }
    // "A" changed the group name to "T"
    if let Some((changer, rest)) = party_then_ci(s, " changed the group name to ") {
        return Some(SystemEvent::GroupTopic {
            changer,
            topic: unquote(rest).to_owned(),
        });
    }
    // You have added X as your WeChat contact. Start chatting!
    if let Some(rest) = strip_prefix_ci(s, "You have added ") {
        let end = find_ci(rest, " as your WeChat contact").unwrap_or(rest.len());
        return Some(SystemEvent::ContactAdded {
            contact: unquote(&rest[..end]).to_owned(),
            by_me: true,
        });
    }
    // X just added you to his/her contacts list. Send a message to him/her now!
    if let Some(end) = find_ci(s, " just added you to ") {
        return Some(SystemEvent::ContactAdded {
            contact: unquote(&s[..end]).to_owned(),
            by_me: false,
        });
    }
    None
}

/// Reads a party (quoted name, `你`, `You`, or a bare name) followed by `keyword`;
/// returns it and the text after the keyword.
fn party_then<'a>(s: &'a str, keyword: &str) -> Option<(Party, &'a str)> {
    let s = s.trim_start();
    if let Some((name, rest)) = quoted_prefix(s) {
        let rest = rest.trim_start().strip_prefix(keyword)?;
        return Some((Party::Name(name.trim().to_owned()), rest));
    }
    let at = s.find(keyword)?;
    Some((party(&s[..at]), &s[at + keyword.len()..]))
}

/// Like [`party_then`] with an ASCII case-insensitive keyword.
fn party_then_ci<'a>(s: &'a str, keyword: &str) -> Option<(Party, &'a str)> {
    let s = s.trim_start();
    if let Some((name, rest)) = quoted_prefix(s) {
        let rest = strip_prefix_ci(rest.trim_start(), keyword.trim_start())?;
        return Some((Party::Name(name.trim().to_owned()), rest));
    }
    let at = find_ci(s, keyword)?;
    Some((party(&s[..at]), &s[at + keyword.len()..]))
}

/// A name in quotes at the start of `s` (`"…"` or `“…”`): the name and the rest.
fn quoted_prefix(s: &str) -> Option<(&str, &str)> {
    let close = match s.chars().next()? {
        '"' => '"',
        '“' => '”',
        _ => return None,
    };
    let open_len = s.chars().next()?.len_utf8();
    let body = &s[open_len..];
    let end = body.find(close)?;
    Some((&body[..end], &body[end + close.len_utf8()..]))
}

/// One party: `你` / `You` / `you` is me, anything else a (unquoted, trimmed) name.
fn party(s: &str) -> Party {
    let name = unquote(s);
    if name == "你" || name.eq_ignore_ascii_case("you") {
        Party::Me
    } else {
        Party::Name(name.to_owned())
    }
}

/// Parties separated by `、` (and `你和…` / `you and …`); empty names are dropped.
fn party_list(s: &str) -> Vec<Party> {
    let mut s = s.trim();
    let mut out = Vec::new();
    if let Some(rest) = s.strip_prefix("你和") {
        out.push(Party::Me);
        s = rest;
    } else if let Some(rest) = strip_prefix_ci(s, "you and ") {
        out.push(Party::Me);
        s = rest;
    }
    // A whole list inside one pair of quotes: "A、B".
    let s = match quoted_prefix(s) {
        Some((inner, rest)) if rest.trim().is_empty() => inner,
        _ => s,
    };
    for part in s.split('、') {
        let p = party(part);
        if !matches!(&p, Party::Name(n) if n.is_empty()) {
            out.push(p);
        }
    }
    out
}

/// Trims spaces and one pair of surrounding quotes (`"…"`, `“…”`, `「…」`).
fn unquote(s: &str) -> &str {
    let t = s.trim();
    for (open, close) in [('"', '"'), ('“', '”'), ('「', '」'), ('\'', '\'')] {
        if t.len() >= open.len_utf8() + close.len_utf8()
            && t.starts_with(open)
            && t.ends_with(close)
        {
            return t[open.len_utf8()..t.len() - close.len_utf8()].trim();
        }
    }
    t
}

fn trim_period(s: &str) -> &str {
    s.trim().trim_end_matches(['.', '。']).trim_end()
}

/// Byte index of `needle` in `hay`, ASCII case-insensitively (lengths are unchanged by
/// ASCII lowercasing, so the index is valid in `hay`).
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(&needle.to_ascii_lowercase())
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Parses a MsgType 10002 content (without a group prefix): the `<revokemsg>`.
pub(crate) fn revoke(body: &str) -> MessageKind {
    let root = xml::parse(&xml::content_to_xml(body));
    let empty = xml::Element::default();
    let r = root.find("revokemsg").unwrap_or(&empty);
    let replace_text = r.child_text("replacemsg");
    MessageKind::Revoke {
        revoked_msg_id: r.child_text("msgid"),
        old_msg_id: r.child_text("oldmsgid"),
        session: r.child_text("session"),
        revoker: revoker(&replace_text),
        replace_text,
        original: None,
    }
}

/// Who revoked, from `"X" 撤回了一条消息` / `你撤回了一条消息` / `"X" has recalled a
/// message.` / `You recalled a message.`
fn revoker(text: &str) -> Option<Party> {
    let t = text.trim();
    if t.starts_with("你撤回")
        || strip_prefix_ci(t, "you recalled").is_some()
        || strip_prefix_ci(t, "you've recalled").is_some()
    {
        return Some(Party::Me);
    }
    let end = t
        .find("撤回了")
        .or_else(|| find_ci(t, " has recalled"))
        .or_else(|| find_ci(t, " recalled"))?;
    let name = unquote(&t[..end]);
    (!name.is_empty()).then(|| party(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Party {
        Party::Name(s.into())
    }

    #[test]
    fn events() {
        assert_eq!(
            system_event("\" 桔小秘\"通过扫描\"李佳芮\"分享的二维码加入群聊"),
            SystemEvent::GroupJoinQrCode {
                member: n("桔小秘"),
                sharer: n("李佳芮")
            }
        );
        assert_eq!(
            system_event("\"管理员\"邀请\"宁锐锋\"加入了群聊"),
            SystemEvent::GroupInvite {
                inviter: n("管理员"),
                invitees: vec![n("宁锐锋")]
            }
        );
        assert_eq!(
            system_event("\"A\"邀请你和\"B\"加入了群聊，群聊参与人还有：C"),
            SystemEvent::GroupInvite {
                inviter: n("A"),
                invitees: vec![Party::Me, n("B")]
            }
        );
        assert_eq!(
            system_event("You invited 李卓桓.PreAngel、Bruce LEE to the group chat.   "),
            SystemEvent::GroupInvite {
                inviter: Party::Me,
                invitees: vec![n("李卓桓.PreAngel"), n("Bruce LEE")]
            }
        );
        assert_eq!(system_event("收到红包，请在手机上查看"), SystemEvent::Other);
        assert_eq!(system_event(""), SystemEvent::Other);
        assert_eq!(revoker("\"丶\" 撤回了一条消息"), Some(n("丶")));
        assert_eq!(revoker("你撤回了一条消息"), Some(Party::Me));
        assert_eq!(revoker(""), None);
    }
}
