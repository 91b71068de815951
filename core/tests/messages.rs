//! Received messages: one fixture per type and subtype (`tests/fixtures/messages/`,
//! each naming its source), explicit asserts of the parsed fields, and an insta
//! snapshot of the typed message (without the `raw` echo).

use std::collections::HashMap;

use serde::Deserialize;
use webwx_core::message::{
    AppDetail, GroupNames, Message, MessageKind, Party, RawMessage, SelfInfo, StatusNotifyOp, SystemEvent,
};

#[derive(Deserialize)]
struct Fixture {
    #[allow(dead_code)]
    source: String,
    me: Me,
    #[serde(default)]
    display_names: HashMap<String, String>,
    raw: serde_json::Value,
}

#[derive(Deserialize)]
struct Me {
    user_name: String,
    nick_name: String,
}

struct Names(HashMap<String, String>);

impl GroupNames for Names {
    fn my_display_name_in(&self, group: &str) -> Option<String> {
        self.0.get(group).cloned()
    }
}

fn load(name: &str) -> Message {
    let path = format!("{}/tests/fixtures/messages/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let fixture: Fixture = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let raw: RawMessage = serde_json::from_value(fixture.raw).unwrap_or_else(|e| panic!("{path}: {e}"));
    let me = SelfInfo { user_name: &fixture.me.user_name, nick_name: &fixture.me.nick_name };
    Message::from_raw(raw, &me, &Names(fixture.display_names))
}

/// The typed message as JSON, without the `raw` echo of the input.
fn typed(msg: &Message) -> serde_json::Value {
    let mut v = serde_json::to_value(msg).expect("serializable");
    if let Some(map) = v.as_object_mut() {
        map.remove("raw");
    }
    v
}

macro_rules! snapshot {
    ($name:expr, $msg:expr) => {
        insta::assert_json_snapshot!($name, typed(&$msg));
    };
}

#[test]
fn text() {
    let m = load("text");
    assert_eq!(m.id, "6469713913745187012");
    assert_eq!(m.new_id, 6469713913745187012);
    assert_eq!(m.time, 1546217453);
    assert_eq!(m.chat, "@d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b");
    assert_eq!(m.sender, m.from);
    assert!(!m.is_group && !m.outgoing && !m.mentioned_me);
    assert_eq!(m.kind, MessageKind::Text { text: "为什么这么冷".into() });
    snapshot!("text", m);
}

#[test]
fn text_group_mention() {
    let m = load("text_group_mention");
    assert!(m.is_group);
    assert_eq!(m.chat, "@@9cdc696e490bd76c57e7dd54792dc1408e27d65e312178b1943e88579b7939f4");
    assert_eq!(m.sender, "@4c32c97337cbb325442c304d6a44e374");
    assert!(m.mentioned_me);
    assert_eq!(m.mentioned_names, vec!["小桔同学".to_string()]);
    assert_eq!(m.kind, MessageKind::Text { text: "@小桔同学\u{2005}你好啊".into() });
    snapshot!("text_group_mention", m);
}

#[test]
fn text_group_mention_display_name() {
    let m = load("text_group_mention_display_name");
    // My display name in the group is 桔子: the nick name mention does not count.
    assert!(!m.mentioned_me);
    assert_eq!(m.mentioned_names, vec!["wuli舞哩客服".to_string(), "小桔同学".to_string()]);
    snapshot!("text_group_mention_display_name", m);
}

#[test]
fn image() {
    let m = load("image_itchat4j");
    let MessageKind::Image { thumb_width, thumb_height, size, hd_size, thumb_size, md5 } = &m.kind else {
        panic!("{:?}", m.kind)
    };
    assert_eq!((*thumb_width, *thumb_height), (90, 120));
    assert_eq!(*size, Some(139120));
    assert_eq!(*hd_size, None);
    assert_eq!(*thumb_size, Some(12204));
    assert_eq!(md5, "5a774ad813f40fb3ca81349d82101423");
    assert_eq!(m.id, "6081337643309445027");
    snapshot!("image_itchat4j", m);
}

#[test]
fn voice() {
    let m = load("voice");
    assert_eq!(m.kind, MessageKind::Voice { duration_ms: 2112, size: Some(4051), format: Some(4) });
    snapshot!("voice", m);
}

#[test]
fn video() {
    let m = load("video");
    let MessageKind::Video(v) = &m.kind else { panic!("{:?}", m.kind) };
    assert_eq!(v.play_length, 2);
    assert_eq!((v.thumb_width, v.thumb_height), (960, 540));
    assert_eq!(v.size, Some(328666));
    assert_eq!(v.thumb_size, Some(10398));
    assert_eq!(v.md5, "555c3efc0e065ba83c3fed942fea81b5");
    snapshot!("video", m);
}

#[test]
fn video_token() {
    let m = load("video_token");
    let MessageKind::Video(v) = &m.kind else { panic!("{:?}", m.kind) };
    assert_eq!(v.play_length, 10);
    assert_eq!((v.thumb_width, v.thumb_height), (290, 512));
    assert_eq!(v.size, None);
    snapshot!("video_token", m);
}

#[test]
fn emoticon() {
    let m = load("emoticon");
    let MessageKind::Emoticon { md5, cdn_url, width, height, size, product_id, emoji_type } = &m.kind else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(md5, "594560af0d32d92224682ee2c292877a");
    assert_eq!(cdn_url, "http://emoji.qpic.cn/wx_emoji/NBYII27icz3UvDVcCrK2sXzjZeTXzicxmtdRw9NT55ONgEB4VQHCsmTA/");
    assert_eq!((*width, *height), (240, 210));
    assert_eq!(*size, Some(447446));
    assert_eq!(product_id, "");
    assert_eq!(*emoji_type, Some(2));
    snapshot!("emoticon", m);
}

#[test]
fn friend_request() {
    let m = load("friend_request");
    let MessageKind::FriendRequest { contact, greeting, ticket, scene, op_code, chatroom } = &m.kind else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(m.from, "fmessage");
    assert_eq!(contact.user_name, "@04a0fa314d0d8d50dc54e2ec908744ebf46b87404d143fd9a6692182dd90bd49");
    assert_eq!(contact.nick_name, "李卓桓.PreAngel");
    assert_eq!(contact.alias, "zixia008");
    assert_eq!(contact.long_user_name, "wxid_a8d806dzznm822");
    assert_eq!(greeting, "我是群聊\"Wechaty\"的李卓桓.PreAngel");
    assert!(ticket.starts_with("v2_ba70dfbdb1b10168") && ticket.ends_with("@stranger"));
    assert_eq!((*scene, *op_code), (14, 2));
    assert_eq!(chatroom, "2332413729@chatroom");
    snapshot!("friend_request", m);
}

#[test]
fn card() {
    let m = load("card");
    let MessageKind::Card { contact, is_official, scene, antispam_ticket } = &m.kind else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(contact.user_name, "@173bd4ce01b725f327c221a06017260734d4607001d1dc82ba6b99c1ef77fb92");
    assert_eq!(contact.nick_name, "LittleCoder机器人");
    assert!(contact.long_user_name.starts_with("v1_183ca2dd"));
    assert!(contact.head_img_url.starts_with("http://wx.qlogo.cn/mmhead/ver_1/ajX7"));
    assert!(!is_official);
    assert_eq!(*scene, 17);
    assert!(antispam_ticket.starts_with("v2_6b780d55"));
    snapshot!("card", m);
}

#[test]
fn status_notify_sync_conv() {
    let m = load("status_notify_sync_conv");
    let MessageKind::StatusNotify { code, op, user_names } = &m.kind else { panic!("{:?}", m.kind) };
    assert_eq!(*code, 4);
    assert_eq!(*op, StatusNotifyOp::SyncConv);
    assert_eq!(user_names.len(), 99);
    assert_eq!(user_names[1], "filehelper");
    assert!(m.outgoing);
    snapshot!("status_notify_sync_conv", m);
}

#[test]
fn status_notify_readed() {
    let m = load("status_notify_readed");
    let MessageKind::StatusNotify { code, op, user_names } = &m.kind else { panic!("{:?}", m.kind) };
    assert_eq!((*code, *op), (1, StatusNotifyOp::Readed));
    assert_eq!(user_names, &vec!["@d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b".to_string()]);
    assert_eq!(m.chat, "@d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b");
    snapshot!("status_notify_readed", m);
}

#[test]
fn system_contact_added_en() {
    let m = load("system_contact_added_en");
    assert_eq!(
        m.kind,
        MessageKind::System {
            text: "You have added 李卓桓.PreAngel as your WeChat contact. Start chatting!".into(),
            event: SystemEvent::ContactAdded { contact: "李卓桓.PreAngel".into(), by_me: true },
        }
    );
    snapshot!("system_contact_added_en", m);
}

#[allow(dead_code)]
fn unused_imports_guard(_: AppDetail, _: Party) {}
