use super::*;
use crate::message::{NoGroupNames, RawMessage, SelfInfo};

fn typed(raw: serde_json::Value) -> Message {
    let raw: RawMessage = serde_json::from_value(raw).unwrap();
    let me = SelfInfo {
        user_name: "@me",
        nick_name: "Me",
    };
    Message::from_raw(raw, &me, &NoGroupNames)
}

fn msg(id: &str, msg_type: u32, content: &str) -> Message {
    typed(serde_json::json!({
        "MsgId": id, "NewMsgId": id.parse::<u64>().unwrap_or(0), "MsgType": msg_type,
        "FromUserName": "@friend", "ToUserName": "@me", "Content": content,
        "CreateTime": 1_700_000_000u64,
    }))
}

/// Room for everything: only the count binds.
const ROOMY: RecentLimits = RecentLimits {
    messages: RECENT_MESSAGES,
    bytes: usize::MAX,
};

#[test]
fn bounded_newest_first_and_revokes_completed() {
    let mut r = RecentMessages::default();
    for i in 0..RECENT_MESSAGES + 10 {
        r.push(
            &msg(&(1000 + i).to_string(), 1, &format!("text {i}")),
            ROOMY,
        );
    }
    assert_eq!(r.len(), RECENT_MESSAGES);
    assert!(r.find("1000").is_none(), "the oldest were forgotten");
    assert_eq!(
        r.find("1521").map(|m| m.revoked().text),
        Some(Some("text 521".into()))
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

#[test]
fn attach_id_replacement() {
    assert_eq!(
        replace_attach_id("<appmsg><attachid>old</attachid></appmsg>", "@new"),
        "<appmsg><attachid>@new</attachid></appmsg>"
    );
    assert_eq!(replace_attach_id("<a>", "@x"), "<a>");
    assert_eq!(replace_attach_id("<attachid>x", "@x"), "<attachid>x");
}

/// Messages of every kind a record distinguishes, in a group and not.
fn kinds() -> Vec<Message> {
    let image = "<?xml version=\"1.0\"?>\n<msg>\n\t<img aeskey=\"0a1b\" encryver=\"1\" cdnthumbaeskey=\"0a1b\" cdnthumburl=\"3057020100044b30\" cdnthumblength=\"3024\" cdnthumbheight=\"120\" cdnthumbwidth=\"90\" length=\"58211\" md5=\"e5e8bb3d\" />\n</msg>";
    let file = "&lt;msg&gt;&lt;appmsg appid=\"\" sdkver=\"0\"&gt;&lt;title&gt;report.pdf&lt;/title&gt;&lt;type&gt;6&lt;/type&gt;&lt;appattach&gt;&lt;totallen&gt;1024&lt;/totallen&gt;&lt;attachid&gt;@cdn_old&lt;/attachid&gt;&lt;fileext&gt;pdf&lt;/fileext&gt;&lt;/appattach&gt;&lt;/appmsg&gt;&lt;/msg&gt;";
    let link = "&lt;msg&gt;&lt;appmsg appid=\"\" sdkver=\"0\"&gt;&lt;title&gt;A page&lt;/title&gt;&lt;type&gt;5&lt;/type&gt;&lt;url&gt;https://example.org/&lt;/url&gt;&lt;/appmsg&gt;&lt;/msg&gt;";
    let m = |id: u64, t: u32, from: &str, content: &str, extra: serde_json::Value| {
        let mut v = serde_json::json!({
            "MsgId": id.to_string(), "NewMsgId": id + 7, "MsgType": t, "FromUserName": from,
            "ToUserName": "@me", "Content": content, "CreateTime": 1_700_000_000u64 + id,
        });
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        typed(v)
    };
    let none = serde_json::json!({});
    vec![
        m(1, 1, "@friend", "hello &lt;b&gt;", none.clone()),
        m(2, 1, "@@room", "@member:<br/>in a group", none.clone()),
        m(3, 3, "@friend", image, none.clone()),
        m(
            4,
            3,
            "@@room",
            &format!("@member:<br/>{image}"),
            none.clone(),
        ),
        m(
            5,
            34,
            "@friend",
            "",
            serde_json::json!({"VoiceLength": 3000}),
        ),
        m(6, 43, "@friend", image, none.clone()),
        m(7, 62, "@friend", image, none.clone()),
        m(
            8,
            47,
            "@friend",
            "<msg><emoji md5=\"ab12\" /></msg>",
            none.clone(),
        ),
        m(9, 47, "@friend", "", none.clone()),
        m(
            10,
            49,
            "@@room",
            &format!("@member:<br/>{file}"),
            serde_json::json!({"AppMsgType": 6, "FileName": "report.pdf", "MediaId": "@cdn_new", "FileSize": "1024"}),
        ),
        m(
            11,
            49,
            "@friend",
            link,
            serde_json::json!({"AppMsgType": 5, "Url": "https://example.org/"}),
        ),
        m(
            12,
            37,
            "fmessage",
            "<msg fromusername=\"wxid_x\" content=\"hi\" ticket=\"v4_t\" />",
            serde_json::json!({"RecommendInfo": {"UserName": "@stranger", "NickName": "S", "Ticket": "v4_t"}}),
        ),
        m(
            13,
            1,
            "@friend",
            "北京&lt;br/&gt;",
            serde_json::json!({"SubMsgType": 48, "Url": "http://apis.map.qq.com/?q=1"}),
        ),
        m(
            14,
            51,
            "@me",
            "",
            serde_json::json!({"StatusNotifyCode": 4}),
        ),
        m(
            15,
            42,
            "@friend",
            "<msg username=\"wxid_c\" nickname=\"C\" />",
            none.clone(),
        ),
        m(16, 10000, "@@room", "X joined", none),
    ]
}

#[test]
fn a_record_answers_as_the_message_does() {
    let tags: Vec<_> = kinds().iter().map(|m| m.kind.tag()).collect();
    assert_eq!(
        tags,
        [
            "text",
            "text",
            "image",
            "image",
            "voice",
            "video",
            "micro_video",
            "emoticon",
            "emoticon",
            "app",
            "app",
            "friend_request",
            "location",
            "status_notify",
            "card",
            "system"
        ]
    );
    let media: Vec<_> = kinds()
        .iter()
        .map(|m| Download::for_message(m).is_some())
        .collect();
    assert_eq!(media.iter().filter(|d| **d).count(), 6, "{media:?}");
    for m in kinds() {
        let r = RecentMessage::of(&m);
        assert_eq!(r.id(), m.id);
        assert!(r.is(&m.id) && r.is(&m.new_id.to_string()), "{m:?}");
        assert!(!r.is("") && !r.is(&format!("0{}", m.id)));
        assert_eq!(r.kind(), m.kind.tag());
        assert_eq!(r.download(), Download::for_message(&m), "{m:?}");
        assert_eq!(r.revoked(), RevokedMessage::of(&m), "{m:?}");
        match &m.kind {
            MessageKind::FriendRequest {
                contact, ticket, ..
            } => assert_eq!(
                r.friend_request(),
                Some((contact.user_name.as_str(), ticket.as_str()))
            ),
            _ => assert_eq!(r.friend_request(), None),
        }
    }
}

#[test]
fn what_a_forward_sends() {
    let all = kinds();
    let f = |i: usize| RecentMessage::of(&all[i]).forwarded();
    assert_eq!(f(0), Ok(Forwarded::Text("hello <b>".into())));
    assert_eq!(f(1), Ok(Forwarded::Text("in a group".into())));
    let Ok(Forwarded::Image(own)) = f(2) else {
        panic!("{:?}", f(2))
    };
    assert!(own.starts_with("<?xml") && own.contains("cdnthumburl"));
    assert_eq!(
        f(3),
        Ok(Forwarded::Image(own.clone())),
        "the member prefix goes"
    );
    assert!(matches!(f(4), Err(CommandError::NotForwardable { kind }) if kind == "voice"));
    assert_eq!(f(5), Ok(Forwarded::Video(own.clone())));
    assert_eq!(f(6), Ok(Forwarded::Video(own)));
    assert_eq!(f(7), Ok(Forwarded::Emoticon("ab12".into())));
    assert!(matches!(f(8), Err(CommandError::NotForwardable { kind }) if kind == "store emoticon"));
    let Ok(Forwarded::App { msg_type, content }) = f(9) else {
        panic!("{:?}", f(9))
    };
    assert_eq!(msg_type, 6);
    assert!(
        content.starts_with("<msg><appmsg") && content.contains("<attachid>@cdn_new</attachid>")
    );
    assert!(matches!(f(10), Ok(Forwarded::App { msg_type: 5, .. })));
    assert!(
        matches!(f(11), Err(CommandError::NotForwardable { kind }) if kind == "friend request")
    );
    assert!(matches!(f(13), Err(CommandError::NotForwardable { kind }) if kind == "status notify"));
}

/// A text of `n` bytes from `sender`.
fn text_from(id: u64, sender: &str, n: usize) -> Message {
    typed(serde_json::json!({
        "MsgId": id.to_string(), "MsgType": 1, "FromUserName": sender,
        "ToUserName": "@me", "Content": "x".repeat(n), "CreateTime": 1_700_000_000u64,
    }))
}

#[test]
fn the_byte_limit_binds_and_the_count_of_bytes_is_exact() {
    let limits = RecentLimits::new(RECENT_MESSAGES, 4096);
    let mut r = RecentMessages::default();
    let long_sender = format!("@{}", "a".repeat(64));
    for i in 0..1000u64 {
        // Senders come and go: some shared, some not.
        let sender = if i % 3 == 0 {
            format!("{long_sender}{i}")
        } else {
            long_sender.clone()
        };
        r.push(&text_from(i, &sender, (i % 40) as usize), limits);
        assert!(
            r.bytes() <= limits.bytes,
            "{} > {}",
            r.bytes(),
            limits.bytes
        );
        // The count is the sum of what each record takes, its sender counted once.
        let mut senders: Vec<*const u8> = Vec::new();
        let mut expected = 0;
        for k in &r.kept {
            let p = k.msg.sender.as_ptr();
            expected += k.msg.bytes(!senders.contains(&p));
            senders.push(p);
        }
        assert_eq!(r.bytes(), expected, "after {i}");
        assert!(r.kept.capacity() <= r.len() + GROW_BY);
    }
    assert!(r.len() > 10 && r.len() < 100, "{}", r.len());
    assert!(r.find("999").is_some(), "the newest is kept");
    assert!(r.find("0").is_none(), "the oldest went");
    // Newest first, without gaps: what is kept is a suffix of what came.
    let first = r.kept.front().unwrap().msg.id();
    let first: u64 = first.parse().unwrap();
    assert_eq!(first as usize + r.len(), 1000);
}

#[test]
fn shared_senders_cost_once() {
    let mut r = RecentMessages::default();
    let sender = format!("@{}", "b".repeat(64));
    r.push(&text_from(1, &sender, 10), ROOMY);
    let one = r.bytes();
    r.push(&text_from(2, &sender, 10), ROOMY);
    assert_eq!(r.bytes() - one, one - heap(16 + sender.len()));
    assert!(Arc::ptr_eq(&r.kept[0].msg.sender, &r.kept[1].msg.sender));
    // The first goes: the second now carries the sender's bytes.
    r.pop_oldest();
    assert_eq!(r.bytes(), one);
}

#[test]
fn limits_of_nothing_keep_nothing_and_a_huge_message_is_not_kept() {
    let mut r = RecentMessages::default();
    r.push(&text_from(1, "@friend", 10), RecentLimits::new(0, 1 << 20));
    assert_eq!((r.len(), r.bytes()), (0, 0));
    let limits = RecentLimits::new(8, 1024);
    r.push(&text_from(2, "@friend", 10), limits);
    r.push(&text_from(3, "@friend", 2000), limits);
    assert_eq!(r.len(), 1, "the huge one is not kept, the other stays");
    assert!(r.find("2").is_some() && r.find("3").is_none());
    for i in 10..30 {
        r.push(&text_from(i, "@friend", 1), limits);
    }
    assert_eq!(r.len(), 8, "the count binds");
}

#[test]
fn a_text_record_is_small() {
    let m = text_from(
        6_929_942_228_714_508_460,
        &format!("@{}", "c".repeat(64)),
        30,
    );
    let r = RecentMessage::of(&m);
    // The record, the text and the sender: far below the ~2 KiB of the message.
    assert!(r.bytes(true) <= 250, "{}", r.bytes(true));
    assert!(std::mem::size_of::<RecentMessage>() <= 80);
}
