//! The messages this session saw last: what `forward`, `download` and `accept_friend` by
//! `msg_id` look up, and what a revoke event reports as the message it took back.

use crate::message::{Message, MessageKind, RevokedMessage};
use std::collections::VecDeque;

/// How many received messages a [`Client`](crate::Client) keeps (about 2 KiB each).
pub const RECENT_MESSAGES: usize = 512;

/// The last [`RECENT_MESSAGES`] messages, oldest first.
#[derive(Debug, Default)]
pub(crate) struct RecentMessages {
    msgs: VecDeque<Box<Message>>,
}

impl RecentMessages {
    /// Keeps `msg`, forgetting the oldest beyond the bound.
    pub(crate) fn push(&mut self, msg: Box<Message>) {
        if self.msgs.len() == RECENT_MESSAGES {
            self.msgs.pop_front();
        }
        self.msgs.push_back(msg);
    }

    /// The newest message whose `MsgId` (or `NewMsgId`) is `id`.
    pub(crate) fn find(&self, id: &str) -> Option<&Message> {
        if id.is_empty() {
            return None;
        }
        self.msgs
            .iter()
            .rev()
            .find(|m| m.id == id || (m.new_id != 0 && m.new_id.to_string() == id))
            .map(|m| &**m)
    }

    /// Fills a revoke's `original` with the message it names, when it was seen.
    pub(crate) fn complete_revoke(&self, msg: &mut Message) {
        if let MessageKind::Revoke {
            revoked_msg_id,
            original,
            ..
        } = &mut msg.kind
            && original.is_none()
        {
            *original = self.find(revoked_msg_id).map(RevokedMessage::of);
        }
    }

    /// Number kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.msgs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{NoGroupNames, RawMessage, SelfInfo};

    fn msg(id: &str, msg_type: u32, content: &str) -> Box<Message> {
        let raw: RawMessage = serde_json::from_value(serde_json::json!({
            "MsgId": id, "NewMsgId": id.parse::<u64>().unwrap_or(0), "MsgType": msg_type,
            "FromUserName": "@friend", "ToUserName": "@me", "Content": content,
            "CreateTime": 1_700_000_000u64,
        }))
        .unwrap();
        let me = SelfInfo {
            user_name: "@me",
            nick_name: "Me",
        };
        Box::new(Message::from_raw(raw, &me, &NoGroupNames))
    }

    #[test]
    fn bounded_newest_first_and_revokes_completed() {
        let mut r = RecentMessages::default();
        for i in 0..RECENT_MESSAGES + 10 {
            r.push(msg(&(1000 + i).to_string(), 1, &format!("text {i}")));
        }
        assert_eq!(r.len(), RECENT_MESSAGES);
        assert!(r.find("1000").is_none(), "the oldest were forgotten");
        assert_eq!(
            r.find("1521").map(|m| m.kind.clone()),
            Some(MessageKind::Text {
                text: "text 521".into()
            })
        );
        let content = "&lt;sysmsg type=\"revokemsg\"&gt;&lt;revokemsg&gt;&lt;session&gt;wxid_a&lt;/session&gt;&lt;oldmsgid&gt;1&lt;/oldmsgid&gt;&lt;msgid&gt;1521&lt;/msgid&gt;&lt;replacemsg&gt;&lt;![CDATA[\"A\" 撤回了一条消息]]&gt;&lt;/replacemsg&gt;&lt;/revokemsg&gt;&lt;/sysmsg&gt;";
        let mut revoke = msg("9999", 10002, content);
        r.complete_revoke(&mut revoke);
        let MessageKind::Revoke { original, .. } = &revoke.kind else {
            panic!("{:?}", revoke.kind)
        };
        let original = original.as_ref().expect("seen in this session");
        assert_eq!(original.kind, "text");
        assert_eq!(original.text.as_deref(), Some("text 521"));
        assert_eq!(original.sender, "@friend");
        assert_eq!(original.time, 1_700_000_000);
        // One the session never saw: nothing to report.
        let mut unseen = msg("9998", 10002, &content.replace("1521", "42"));
        r.complete_revoke(&mut unseen);
        assert!(matches!(
            unseen.kind,
            MessageKind::Revoke { original: None, .. }
        ));
    }
}
