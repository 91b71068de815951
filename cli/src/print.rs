//! How events and messages are shown: one human line each (names looked up in the
//! contacts), or one JSON object each (`--json`).

use webwx_core::client::CommandEvent;
use webwx_core::contacts::ContactChange;
use webwx_core::message::{AppDetail, Message, MessageKind, normalize_text};
use webwx_core::{Client, Event};

/// The name to show for `user_name`: remark, else nick name, else the id itself.
pub fn name_of(client: &Client, user_name: &str) -> String {
    if user_name.is_empty() {
        return "?".into();
    }
    if client.contacts().me() == user_name {
        return "me".into();
    }
    match client.contacts().get(user_name) {
        Some(c) if !c.remark_name.is_empty() => normalize_text(&c.remark_name),
        Some(c) if !c.nick_name.is_empty() => normalize_text(&c.nick_name),
        _ => short_id(user_name),
    }
}

/// The name of `member` in `group`: display name, else nick name, else a contact name.
pub fn member_name(client: &Client, group: &str, member: &str) -> String {
    if client.contacts().me() == member {
        return "me".into();
    }
    let found = client
        .contacts()
        .get(group)
        .and_then(|g| g.member_list.iter().find(|m| m.user_name == member))
        .map(|m| {
            if m.display_name.is_empty() {
                normalize_text(&m.nick_name)
            } else {
                normalize_text(&m.display_name)
            }
        })
        .filter(|n| !n.is_empty());
    found.unwrap_or_else(|| name_of(client, member))
}

/// `@0123456789abcdef…` -> `@01234567…`: user names are long hex strings.
fn short_id(id: &str) -> String {
    if id.chars().count() > 12 {
        let head: String = id.chars().take(10).collect();
        format!("{head}…")
    } else {
        id.to_owned()
    }
}

/// The content of a message in a few words.
pub fn summary(kind: &MessageKind) -> String {
    match kind {
        MessageKind::Text { text } => text.replace('\n', " ⏎ "),
        MessageKind::Image {
            thumb_width,
            thumb_height,
            size,
            ..
        } => match size {
            Some(s) => format!("[image {thumb_width}x{thumb_height}, {}]", bytes(*s)),
            None => format!("[image {thumb_width}x{thumb_height}]"),
        },
        MessageKind::Voice { duration_ms, .. } => {
            format!("[voice {:.1} s]", *duration_ms as f64 / 1000.0)
        }
        MessageKind::Video(_) => "[video]".into(),
        MessageKind::MicroVideo(_) => "[micro video]".into(),
        MessageKind::Emoticon { .. } => "[sticker]".into(),
        MessageKind::Location(_) => "[location]".into(),
        MessageKind::Card { contact, .. } => {
            format!("[contact card {}]", normalize_text(&contact.nick_name))
        }
        MessageKind::FriendRequest {
            contact, greeting, ..
        } => format!(
            "[friend request from {}: {greeting}]",
            normalize_text(&contact.nick_name)
        ),
        MessageKind::App(app) => match &app.detail {
            AppDetail::File {
                file_name, size, ..
            } => format!("[file {file_name}, {}]", bytes(*size)),
            AppDetail::Link => format!("[link {} {}]", app.title, app.url),
            _ => format!("[app message {}: {}]", app.app_type, app.title),
        },
        MessageKind::StatusNotify { op, .. } => format!("[status notify: {op:?}]"),
        MessageKind::System { text, .. } | MessageKind::SysNotice { text } => {
            format!("[system: {text}]")
        }
        MessageKind::Revoke { replace_text, .. } => format!("[revoked: {replace_text}]"),
        MessageKind::Voip { text, .. } => format!("[voip: {text}]"),
        MessageKind::Unknown { msg_type, .. } => format!("[message type {msg_type}]"),
        other => format!("[{}]", kind_tag(other)),
    }
}

/// The serde tag of a message kind (`"text"`, `"image"`, ...).
pub fn kind_tag(kind: &MessageKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "message".into())
}

/// `12345` -> `12.1 KiB`.
pub fn bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    }
}

/// `[chat] sender: content`, the human line of a message.
pub fn message_line(client: &Client, m: &Message) -> String {
    let content = summary(&m.kind);
    let mention = if m.mentioned_me { " (mentions me)" } else { "" };
    if m.outgoing {
        return format!("→ [{}] me: {content}", name_of(client, &m.chat));
    }
    if m.is_group {
        let sender = if m.sender == m.chat {
            "group".to_owned()
        } else {
            member_name(client, &m.chat, &m.sender)
        };
        format!(
            "← [group {}] {sender}: {content}{mention}",
            name_of(client, &m.chat)
        )
    } else {
        let who = name_of(client, &m.chat);
        format!("← [{who}] {who}: {content}")
    }
}

/// The human line of an event, if it has one (`SessionChanged` and upload progress have none).
pub fn event_line(client: &Client, event: &Event) -> Option<String> {
    Some(match event {
        Event::QrCode { url, .. } => format!("qr code: {url}"),
        Event::Scanned { .. } => "scanned: confirm the login on the phone".into(),
        Event::QrExpired => "qr code expired; a new one follows".into(),
        Event::QrCancelled => "login cancelled on the phone; a new qr code follows".into(),
        Event::PushLoginSent => "push login sent: confirm on the phone".into(),
        Event::PushLoginFailed { reason } => {
            format!("push login not possible ({reason}); falling back to a qr code")
        }
        Event::ResumeFailed { ret } => {
            format!("the saved session is no longer valid ({ret}); logging in again")
        }
        Event::LoggedIn { nick_name, .. } => {
            format!("logged in as {}", normalize_text(nick_name))
        }
        Event::ContactsLoaded(s) => format!(
            "contacts: {} in all — {} friends, {} groups, {} official accounts, {} special",
            s.total, s.friends, s.groups, s.official, s.special
        ),
        Event::Ready => "ready".into(),
        Event::Contact(change) => match change {
            ContactChange::Added { user_name, kind } => {
                format!("contact added: {} ({kind:?})", name_of(client, user_name))
            }
            ContactChange::Updated { user_name, kind } => {
                format!("contact updated: {} ({kind:?})", name_of(client, user_name))
            }
            ContactChange::Removed { user_name } => {
                format!("contact removed: {}", short_id(user_name))
            }
            _ => "contact changed".into(),
        },
        Event::Message(m) => message_line(client, m),
        Event::SessionChanged => return None,
        Event::LoggedOut { reason } => format!("logged out: {reason}"),
        Event::Command(c) => return command_line(c),
        _ => format!("{event:?}"),
    })
}

/// The human line of a command outcome.
pub fn command_line(c: &CommandEvent) -> Option<String> {
    Some(match c {
        CommandEvent::Sent { local_id, msg_id } => format!("sent {local_id} (MsgID {msg_id})"),
        CommandEvent::SendFailed { local_id, error } => format!("send {local_id} failed: {error}"),
        CommandEvent::Uploaded { local_id, .. } => format!("uploaded the file of {local_id}"),
        CommandEvent::DownloadFailed { download, error } => {
            format!("download {download} failed: {error}")
        }
        CommandEvent::OpDone { what, .. } => format!("{what:?} done"),
        CommandEvent::OpFailed { what, error, .. } => format!("{what:?} failed: {error}"),
        _ => return None,
    })
}

/// The JSON line of an event: the boundary's serialization, `None` for what only the
/// driver sees (a request for upload bytes, a download's bytes).
pub fn event_json(event: &Event) -> Option<String> {
    webwx_core::boundary::event_json(event)
}
