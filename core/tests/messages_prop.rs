//! Property tests: normalization, mention detection and `Message::from_raw` are total
//! on arbitrary input (no panic), and a few invariants hold.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use webwx_core::message::{
    GroupNames, Message, MessageRef, RawMessage, SelfInfo, at_user_list, mentioned_names,
    mentions_name, normalize_text, split_group_sender, system_event,
};

struct Display(Option<String>);

impl GroupNames for Display {
    fn my_display_name_in(&self, _group: &str) -> Option<String> {
        self.0.clone()
    }
}

/// Text built from the pieces the server mixes: markup, entities, spans, escaped XML.
fn wire_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<String>(),
        Just("<br/>".to_string()),
        Just("<span class=\"emoji emoji1f604\"></span>".to_string()),
        Just("<span class=\"emoji emoji".to_string()),
        Just("</span".to_string()),
        Just("&lt;msg&gt;".to_string()),
        Just("&amp;".to_string()),
        Just("&#x1F600;".to_string()),
        Just("&".to_string()),
        Just("<".to_string()),
        Just("@".to_string()),
        Just("\u{2005}".to_string()),
        Just(":<br/>".to_string()),
        Just("\u{e415}".to_string()),
        Just("<![CDATA[".to_string()),
        Just("]]>".to_string()),
        "[a-z0-9@:_-]{0,12}",
        "[\u{4e00}-\u{4e20}]{0,4}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn content() -> impl Strategy<Value = String> {
    let xmlish = prop_oneof![
        Just(
            "&lt;msg&gt;&lt;appmsg&gt;&lt;type&gt;6&lt;/type&gt;&lt;appattach&gt;&lt;totallen&gt;"
                .to_string()
        ),
        Just("&lt;sysmsg type=\"revokemsg\"&gt;&lt;revokemsg&gt;&lt;msgid&gt;".to_string()),
        Just("&lt;msg&gt;&lt;emoji md5=\"".to_string()),
        Just("&lt;msg fromusername=\"a\"ticket=\"".to_string()),
        Just("&lt;/appmsg&gt;&lt;/msg&gt;".to_string()),
        Just("&lt;location x=\"1.5\" y=\"".to_string()),
        Just("@abc:<br/>".to_string()),
    ];
    prop::collection::vec(prop_oneof![xmlish, wire_text()], 0..6).prop_map(|v| v.concat())
}

fn raw_message() -> impl Strategy<Value = RawMessage> {
    let msg_type = prop_oneof![
        Just(1u32),
        Just(3),
        Just(34),
        Just(37),
        Just(40),
        Just(42),
        Just(43),
        Just(47),
        Just(48),
        Just(49),
        Just(50),
        Just(51),
        Just(52),
        Just(53),
        Just(62),
        Just(9999),
        Just(10000),
        Just(10002),
        any::<u32>(),
    ];
    let app_type = prop_oneof![
        Just(0u32),
        Just(3),
        Just(4),
        Just(5),
        Just(6),
        Just(8),
        Just(17),
        Just(33),
        Just(2000),
        Just(2001),
        any::<u32>()
    ];
    let user = prop_oneof![
        Just("@me".to_string()),
        Just("@@room".to_string()),
        Just("x@chatroom".to_string()),
        any::<String>()
    ];
    (
        msg_type,
        app_type,
        user.clone(),
        user,
        msg_type_content(),
        any::<String>(),
        any::<String>(),
        any::<(u32, u32, u64, u64)>(),
        any::<String>(),
    )
        .prop_map(
            |(
                msg_type,
                app_msg_type,
                from,
                to,
                (content, ori),
                url,
                file,
                (sub, w, t, n),
                source,
            )| RawMessage {
                msg_id: n.to_string(),
                from_user_name: from,
                to_user_name: to,
                msg_type,
                content,
                ori_content: ori,
                url,
                file_name: file.clone(),
                file_size: file,
                app_msg_type,
                sub_msg_type: sub % 64,
                img_width: w,
                create_time: t,
                new_msg_id: n,
                status_notify_user_name: source.clone(),
                msg_source: source,
                ..RawMessage::default()
            },
        )
}

fn msg_type_content() -> impl Strategy<Value = (String, String)> {
    (content(), prop_oneof![Just(String::new()), content()])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn normalize_text_is_total(s in wire_text()) {
        let out = normalize_text(&s);
        // A known span never survives.
        prop_assert!(!out.contains("<span class=\"emoji emoji1f604\"></span>"));
        // Normalizing plain text without markup characters changes nothing.
        if !s.contains(['<', '&']) && !s.chars().any(|c| ('\u{e000}'..='\u{f8ff}').contains(&c)) {
            prop_assert_eq!(out, s);
        }
    }

    #[test]
    fn normalize_text_total_on_any_string(s in any::<String>()) {
        let _ = normalize_text(&s);
    }

    #[test]
    fn mention_detection_is_total(text in wire_text(), name in wire_text()) {
        let _ = mentions_name(&text, &name);
        let _ = mentioned_names(&text);
        let _ = at_user_list(&text);
        let _ = split_group_sender(&text);
        let _ = system_event(&text);
    }

    #[test]
    fn a_mention_followed_by_u2005_is_found(name in "[a-zA-Z0-9\u{4e00}-\u{4e20}]{1,8}", before in "[a-z ]{0,5}", after in "[a-z ]{0,5}") {
        let text = format!("{before}@{name}\u{2005}{after}");
        prop_assert!(mentions_name(&text, &name));
        prop_assert!(mentioned_names(&text).contains(&name));
        let at_end = format!("{before}@{name}");
        prop_assert!(mentions_name(&at_end, &name));
    }

    #[test]
    fn from_raw_is_total(raw in raw_message(), nick in wire_text(), display in proptest::option::of(wire_text())) {
        let me = SelfInfo { user_name: "@me", nick_name: &nick };
        let m = Message::from_raw(raw.clone(), &me, &Display(display));
        prop_assert_eq!(&m.raw, &raw);
        prop_assert_eq!(m.outgoing, raw.from_user_name == "@me");
        let json = serde_json::to_string(&m).expect("serializable");
        // MessageKind::tag is the serde tag (the forward refusal names the kind by it).
        let kind = serde_json::to_value(&m.kind).expect("serializable");
        prop_assert_eq!(kind["kind"].as_str(), Some(m.kind.tag()));
        // Deserializes back (exact equality is checked on the fixtures: floats parsed from
        // arbitrary text may not survive a decimal round trip bit for bit).
        let back: Message = serde_json::from_str(&json).expect("round trip");
        prop_assert_eq!(&back.id, &m.id);
        prop_assert_eq!(&back.raw, &m.raw);
        // The borrowed form types it the same.
        let typed = MessageRef::new(&raw, &me, &Display(None));
        let owned = Message::from_raw(raw.clone(), &me, &Display(None));
        prop_assert_eq!((typed.chat, typed.sender), (owned.chat.as_str(), owned.sender.as_str()));
        prop_assert_eq!(typed.to_message(), owned);
    }

    #[test]
    fn raw_json_then_from_raw_is_total(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(raw) = serde_json::from_slice::<RawMessage>(&bytes) {
            let _ = Message::from_raw(raw, &SelfInfo::default(), &Display(None));
        }
    }

    #[test]
    fn raw_json_objects_then_from_raw_is_total(
        fields in prop::collection::vec((
            prop_oneof![Just("MsgType"), Just("Content"), Just("MsgId"), Just("NewMsgId"), Just("FileSize"),
                        Just("RecommendInfo"), Just("AppInfo"), Just("AppMsgType"), Just("FromUserName"), Just("OriContent")],
            prop_oneof![
                any::<i64>().prop_map(serde_json::Value::from),
                any::<f64>().prop_map(serde_json::Value::from),
                wire_text().prop_map(serde_json::Value::from),
                Just(serde_json::Value::Null),
                Just(serde_json::json!({"UserName": 1, "Ticket": null})),
                Just(serde_json::json!([1, "a"])),
            ],
        ), 0..10)
    ) {
        let map: serde_json::Map<String, serde_json::Value> = fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let raw: RawMessage = serde_json::from_value(serde_json::Value::Object(map)).expect("lenient: any value shape is accepted");
        let _ = Message::from_raw(raw, &SelfInfo { user_name: "@me", nick_name: "me" }, &Display(None));
    }
}
