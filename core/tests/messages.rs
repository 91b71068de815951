//! Received messages: one fixture per type and subtype (`tests/fixtures/messages/`,
//! each naming its source), explicit asserts of the parsed fields, and an insta
//! snapshot of the typed message (without the `raw` echo).

use std::collections::HashMap;

use serde::Deserialize;
use webwx_core::message::{
    AppDetail, GroupNames, Message, MessageKind, Party, RawMessage, SelfInfo, StatusNotifyOp,
    SystemEvent,
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
    let path = format!(
        "{}/tests/fixtures/messages/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let fixture: Fixture = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let raw: RawMessage =
        serde_json::from_value(fixture.raw).unwrap_or_else(|e| panic!("{path}: {e}"));
    let me = SelfInfo {
        user_name: &fixture.me.user_name,
        nick_name: &fixture.me.nick_name,
    };
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
    assert_eq!(
        m.chat,
        "@d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b"
    );
    assert_eq!(m.sender, m.from);
    assert!(!m.is_group && !m.outgoing && !m.mentioned_me);
    assert_eq!(
        m.kind,
        MessageKind::Text {
            text: "为什么这么冷".into()
        }
    );
    snapshot!("text", m);
}

#[test]
fn text_group_mention() {
    let m = load("text_group_mention");
    assert!(m.is_group);
    assert_eq!(
        m.chat,
        "@@9cdc696e490bd76c57e7dd54792dc1408e27d65e312178b1943e88579b7939f4"
    );
    assert_eq!(m.sender, "@4c32c97337cbb325442c304d6a44e374");
    assert!(m.mentioned_me);
    assert_eq!(m.mentioned_names, vec!["小桔同学".to_string()]);
    assert_eq!(
        m.kind,
        MessageKind::Text {
            text: "@小桔同学\u{2005}你好啊".into()
        }
    );
    snapshot!("text_group_mention", m);
}

#[test]
fn text_group_mention_display_name() {
    let m = load("text_group_mention_display_name");
    // My display name in the group is 桔子: the nick name mention does not count.
    assert!(!m.mentioned_me);
    assert_eq!(
        m.mentioned_names,
        vec!["wuli舞哩客服".to_string(), "小桔同学".to_string()]
    );
    snapshot!("text_group_mention_display_name", m);
}

#[test]
fn image() {
    let m = load("image_itchat4j");
    let MessageKind::Image {
        thumb_width,
        thumb_height,
        size,
        hd_size,
        thumb_size,
        md5,
    } = &m.kind
    else {
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
    assert_eq!(
        m.kind,
        MessageKind::Voice {
            duration_ms: 2112,
            size: Some(4051),
            format: Some(4)
        }
    );
    snapshot!("voice", m);
}

#[test]
fn video() {
    let m = load("video");
    let MessageKind::Video(v) = &m.kind else {
        panic!("{:?}", m.kind)
    };
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
    let MessageKind::Video(v) = &m.kind else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(v.play_length, 10);
    assert_eq!((v.thumb_width, v.thumb_height), (290, 512));
    assert_eq!(v.size, None);
    snapshot!("video_token", m);
}

#[test]
fn emoticon() {
    let m = load("emoticon");
    let MessageKind::Emoticon {
        md5,
        cdn_url,
        width,
        height,
        size,
        product_id,
        emoji_type,
    } = &m.kind
    else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(md5, "594560af0d32d92224682ee2c292877a");
    assert_eq!(
        cdn_url,
        "http://emoji.qpic.cn/wx_emoji/NBYII27icz3UvDVcCrK2sXzjZeTXzicxmtdRw9NT55ONgEB4VQHCsmTA/"
    );
    assert_eq!((*width, *height), (240, 210));
    assert_eq!(*size, Some(447446));
    assert_eq!(product_id, "");
    assert_eq!(*emoji_type, Some(2));
    snapshot!("emoticon", m);
}

#[test]
fn friend_request() {
    let m = load("friend_request");
    let MessageKind::FriendRequest {
        contact,
        greeting,
        ticket,
        scene,
        op_code,
        chatroom,
    } = &m.kind
    else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(m.from, "fmessage");
    assert_eq!(
        contact.user_name,
        "@04a0fa314d0d8d50dc54e2ec908744ebf46b87404d143fd9a6692182dd90bd49"
    );
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
    let MessageKind::Card {
        contact,
        is_official,
        scene,
        antispam_ticket,
    } = &m.kind
    else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(
        contact.user_name,
        "@173bd4ce01b725f327c221a06017260734d4607001d1dc82ba6b99c1ef77fb92"
    );
    assert_eq!(contact.nick_name, "LittleCoder机器人");
    assert!(contact.long_user_name.starts_with("v1_183ca2dd"));
    assert!(
        contact
            .head_img_url
            .starts_with("http://wx.qlogo.cn/mmhead/ver_1/ajX7")
    );
    assert!(!is_official);
    assert_eq!(*scene, 17);
    assert!(antispam_ticket.starts_with("v2_6b780d55"));
    snapshot!("card", m);
}

#[test]
fn status_notify_sync_conv() {
    let m = load("status_notify_sync_conv");
    let MessageKind::StatusNotify {
        code,
        op,
        user_names,
    } = &m.kind
    else {
        panic!("{:?}", m.kind)
    };
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
    let MessageKind::StatusNotify {
        code,
        op,
        user_names,
    } = &m.kind
    else {
        panic!("{:?}", m.kind)
    };
    assert_eq!((*code, *op), (1, StatusNotifyOp::Readed));
    assert_eq!(
        user_names,
        &vec!["@d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b".to_string()]
    );
    assert_eq!(
        m.chat,
        "@d77f22c1444fcbd7092fa2464899391a3cc0d6a9ec79b0770ce91be01a66a09b"
    );
    snapshot!("status_notify_readed", m);
}

#[test]
fn system_contact_added_en() {
    let m = load("system_contact_added_en");
    assert_eq!(
        m.kind,
        MessageKind::System {
            text: "You have added 李卓桓.PreAngel as your WeChat contact. Start chatting!".into(),
            event: SystemEvent::ContactAdded {
                contact: "李卓桓.PreAngel".into(),
                by_me: true
            },
        }
    );
    snapshot!("system_contact_added_en", m);
}

fn name(s: &str) -> Party {
    Party::Name(s.into())
}

fn text_of(m: &Message) -> &str {
    match &m.kind {
        MessageKind::Text { text } => text,
        other => panic!("not a text: {other:?}"),
    }
}

fn app_of(m: &Message) -> &webwx_core::message::AppMessage {
    match &m.kind {
        MessageKind::App(app) => app,
        other => panic!("not an app message: {other:?}"),
    }
}

fn system_of(m: &Message) -> (&str, &SystemEvent) {
    match &m.kind {
        MessageKind::System { text, event } => (text, event),
        other => panic!("not a system message: {other:?}"),
    }
}

#[test]
fn text_group_emoji() {
    let m = load("text_group_emoji");
    assert!(m.is_group);
    assert_eq!(
        m.sender,
        "@0ce0eee51174c24cf42fcb8062980f5e68c3196144c10f8ef923ffb519255dd5"
    );
    // 1f639 is the code the server uses for "tears of joy" (ItChat / wechat4u remap).
    assert_eq!(text_of(&m), "普通群聊消息😂");
    assert!(!m.mentioned_me);
    snapshot!("text_group_emoji", m);
}

#[test]
fn text_qqface() {
    let m = load("text_qqface");
    assert_eq!(text_of(&m), "普通私聊消息[得意]");
    snapshot!("text_qqface", m);
}

#[test]
fn text_entities_softbank() {
    let m = load("text_entities_softbank");
    assert_eq!(text_of(&m), "a <b> && \"c\"\n😄 🇨🇳 [微笑]");
    snapshot!("text_entities_softbank", m);
}

#[test]
fn text_outgoing_group() {
    let m = load("text_outgoing_group");
    assert!(m.outgoing && m.is_group);
    assert_eq!(m.chat, m.to);
    assert_eq!(m.sender, m.from);
    // My own text never "mentions me".
    assert!(!m.mentioned_me);
    assert_eq!(text_of(&m), "@小桔同学 echo");
    snapshot!("text_outgoing_group", m);
}

#[test]
fn text_outgoing_filehelper() {
    let m = load("text_outgoing_filehelper");
    assert!(m.outgoing && !m.is_group);
    assert_eq!(m.chat, "filehelper");
    assert_eq!(text_of(&m), "hi");
    snapshot!("text_outgoing_filehelper", m);
}

#[test]
fn text_group_atuserlist() {
    let m = load("text_group_atuserlist");
    assert!(m.is_group);
    assert_eq!(m.chat, "2332413729@chatroom");
    assert_eq!(m.sender, "wxid_abc-1");
    assert_eq!(
        m.mentions,
        vec![
            "notify@all".to_string(),
            "@f0c04abe389590b02d91684d99584439".to_string()
        ]
    );
    assert!(m.mentioned_me, "the at-user list names me");
    assert_eq!(text_of(&m), "@所有人 开会");
    snapshot!("text_group_atuserlist", m);
}

#[test]
fn text_location() {
    let m = load("text_location");
    let MessageKind::Location(l) = &m.kind else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(l.label, "深圳市xxxx");
    assert_eq!((l.lat, l.lng), (Some(22.0), Some(113.0)));
    assert_eq!(l.scale, Some(16));
    assert_eq!(l.poi_name, "[位置]");
    assert_eq!(
        l.map_url,
        "http://apis.map.qq.com/uri/v1/geocoder?coord=22.000000,113.000000"
    );
    assert_eq!(
        l.image_url,
        "/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&msgid=790000000000000&pictype=location"
    );
    snapshot!("text_location", m);
}

#[test]
fn location() {
    let m = load("location");
    let MessageKind::Location(l) = &m.kind else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(l.label, "北京市东城区天安门");
    assert_eq!((l.lat, l.lng), (Some(39.90886), Some(116.39739)));
    assert_eq!(l.scale, Some(15));
    assert_eq!(
        (l.poi_name.as_str(), l.poi_id.as_str()),
        ("天安门广场", "qqmap_123")
    );
    assert_eq!(l.map_url, "");
    snapshot!("location", m);
}

#[test]
fn image_raw_content() {
    let m = load("image");
    let MessageKind::Image {
        thumb_width,
        thumb_height,
        size,
        thumb_size,
        md5,
        ..
    } = &m.kind
    else {
        panic!("{:?}", m.kind)
    };
    assert_eq!((*thumb_width, *thumb_height), (103, 120));
    assert_eq!(*size, Some(45956));
    assert_eq!(*thumb_size, Some(6660));
    assert_eq!(md5, "405eb70eed3635e4ae896838ec77979d");
    assert_eq!(m.id, "9003625357819194020");
    snapshot!("image", m);
}

#[test]
fn image_group() {
    let m = load("image_group");
    assert_eq!(m.sender, "@xxxxxxxxxxx");
    assert_eq!(
        m.kind,
        MessageKind::Image {
            thumb_width: 0,
            thumb_height: 0,
            size: None,
            hd_size: None,
            thumb_size: None,
            md5: String::new()
        }
    );
    snapshot!("image_group", m);
}

#[test]
fn micro_video() {
    let m = load("micro_video");
    let MessageKind::MicroVideo(v) = &m.kind else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(v.play_length, 6);
    assert_eq!((v.thumb_width, v.thumb_height), (224, 398));
    assert_eq!(v.size, Some(531205));
    assert_eq!(v.thumb_size, Some(8022));
    assert_eq!(v.md5, "8a0b6e1d4f2c3b5a69788796a5b4c3d2");
    snapshot!("micro_video", m);
}

#[test]
fn emoticon_store() {
    let m = load("emoticon_store");
    let MessageKind::Emoticon {
        md5,
        cdn_url,
        width,
        height,
        size,
        ..
    } = &m.kind
    else {
        panic!("{:?}", m.kind)
    };
    assert_eq!((md5.as_str(), cdn_url.as_str()), ("", ""));
    assert_eq!((*width, *height, *size), (80, 80, None));
    snapshot!("emoticon_store", m);
}

#[test]
fn emoticon_group() {
    let m = load("emoticon_group");
    assert_eq!(m.sender, "@xxxxxxxxxxxxxxxxxxxxxxxxx");
    let MessageKind::Emoticon {
        md5, cdn_url, size, ..
    } = &m.kind
    else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(md5, "xxxx");
    assert_eq!(cdn_url, "http://emoji.qpic.cn/wx_emoji/xxxxxxxx/");
    assert_eq!(*size, Some(1024));
    snapshot!("emoticon_group", m);
}

#[test]
fn friend_request_wcap() {
    let m = load("friend_request_wcap");
    let MessageKind::FriendRequest {
        contact,
        greeting,
        ticket,
        scene,
        op_code,
        ..
    } = &m.kind
    else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(
        contact.user_name,
        "@8b56feb5e863134cea2bf60d1a39ee9a9221702e5e1cee2b067d6164fcac0cfb"
    );
    assert_eq!(contact.nick_name, "幸运星");
    assert_eq!(contact.sex, 2);
    // `alias` is empty in RecommendInfo and comes from the XML, whose attributes run
    // together (`sign="…"percard="1"`).
    assert_eq!(contact.alias, "jinni20175");
    assert_eq!(contact.long_user_name, "wxid_u3hv5ow2xxkw22");
    assert_eq!(greeting, "I'm 幸运星");
    assert!(ticket.starts_with("v2_51edfbbded35db5e"));
    assert_eq!((*scene, *op_code), (30, 2));
    assert_eq!(m.id, "");
    snapshot!("friend_request_wcap", m);
}

#[test]
fn possible_friend() {
    let m = load("possible_friend");
    let MessageKind::PossibleFriend { contact, scene } = &m.kind else {
        panic!("{:?}", m.kind)
    };
    assert_eq!(
        contact.user_name,
        "@8b56feb5e863134cea2bf60d1a39ee9a9221702e5e1cee2b067d6164fcac0cfb"
    );
    assert_eq!(contact.nick_name, "幸运星");
    assert_eq!(
        (contact.province.as_str(), contact.city.as_str()),
        ("广东", "深圳")
    );
    assert_eq!(contact.long_user_name, "wxid_u3hv5ow2xxkw22");
    assert_eq!(contact.head_img_url, "http://wx.qlogo.cn/mmhead/x/0");
    assert_eq!(*scene, 10);
    snapshot!("possible_friend", m);
}

#[test]
fn card_group_official() {
    let m = load("card_group_official");
    assert_eq!(m.sender, "@xxxxxxxxxxx");
    let MessageKind::Card {
        contact,
        is_official,
        scene,
        antispam_ticket,
    } = &m.kind
    else {
        panic!("{:?}", m.kind)
    };
    assert!(*is_official);
    assert_eq!(contact.verify_flag, 24);
    assert_eq!(contact.user_name, "@xxxxxxxxxxxxxxx");
    assert_eq!(contact.nick_name, "xxx");
    assert_eq!(contact.long_user_name, "v1_xxxx@stranger");
    assert_eq!(*scene, 17);
    assert_eq!(antispam_ticket, "v2_xxxx@stranger");
    snapshot!("card_group_official", m);
}

#[test]
fn app_link() {
    let m = load("app_link");
    let app = app_of(&m);
    assert_eq!(app.app_type, 5);
    assert_eq!(app.detail, AppDetail::Link);
    assert_eq!(app.title, "约返:0.99 优惠卷:5 付费价33.00");
    assert_eq!(
        app.description,
        "唯资眉笔水眉笔雾眉液体眉笔防水防汗不脱色自然持久不晕染一字眉"
    );
    assert_eq!(app.url, "http://t.cn/RrBhwLB");
    assert_eq!(
        app.thumb_url,
        "https://img.alicdn.com/bao/uploaded/i4/425781057/TB1AMYNjaAoBKNjSZSyXXaHAVXa_!!0-item_pic.jpg"
    );
    snapshot!("app_link", m);
}

#[test]
fn app_file_group() {
    let m = load("app_file_group");
    assert!(m.is_group);
    assert_eq!(m.sender, "@xxxxxxxxxxxxxxxxx");
    let app = app_of(&m);
    assert_eq!(app.app_type, 6);
    assert_eq!(app.title, "fileName.zip");
    assert_eq!(app.app_id, "wx6618f1cfc6c132f8");
    assert_eq!(app.app_name, "微信电脑版");
    assert_eq!(
        app.detail,
        AppDetail::File {
            file_name: "fileName.zip".into(),
            size: 1024,
            attach_id: "@cdn_qwerty_abcd_1".into(),
            ext: "zip".into(),
            media_id: "@crypt_xxxxxxxxxxxxxxxxxxxxxxxxxxx".into(),
            encry_file_name: "fileName%2Ezip".into(),
            md5: "xxxx".into(),
        }
    );
    snapshot!("app_file_group", m);
}

#[test]
fn app_music() {
    let m = load("app_music");
    let app = app_of(&m);
    assert_eq!(
        (app.app_type, app.title.as_str(), app.description.as_str()),
        (3, "小幸运", "田馥甄")
    );
    assert_eq!(app.app_name, "摇一摇搜歌");
    let AppDetail::Music {
        data_url,
        low_data_url,
        low_url,
    } = &app.detail
    else {
        panic!("{:?}", app.detail)
    };
    assert_eq!(
        data_url,
        "http://ws.stream.qqmusic.qq.com/C100003i9hMt1bgui0.m4a?vkey=6867EF99F3684&guid=ffffffffc104ea2964a111cf3ff3edaf&fromtag=46"
    );
    assert_eq!(data_url, low_data_url);
    assert_eq!(low_url, "");
    snapshot!("app_music", m);
}

#[test]
fn app_video() {
    let m = load("app_video");
    let app = app_of(&m);
    assert_eq!((app.app_type, &app.detail), (4, &AppDetail::Video));
    assert_eq!(app.url, "https://v.qq.com/x/page/x0000000000.html");
    assert_eq!(app.app_name, "腾讯视频");
    snapshot!("app_video", m);
}

#[test]
fn app_emoji() {
    let m = load("app_emoji");
    let app = app_of(&m);
    assert_eq!(app.app_type, 8);
    assert_eq!(
        app.detail,
        AppDetail::Emoji {
            md5: "44682e637b75a3f5d6747d61dbd23a15".into(),
            size: Some(35187)
        }
    );
    snapshot!("app_emoji", m);
}

#[test]
fn app_realtime_location() {
    let m = load("app_realtime_location");
    let app = app_of(&m);
    assert_eq!(
        (app.app_type, &app.detail),
        (17, &AppDetail::RealtimeLocation)
    );
    assert_eq!(app.title, "我发起了位置共享");
    snapshot!("app_realtime_location", m);
}

#[test]
fn app_miniprogram() {
    let m = load("app_miniprogram");
    let app = app_of(&m);
    assert_eq!(app.app_type, 33);
    assert_eq!(app.title, "来看看这个");
    assert_eq!(app.source_display_name, "某某小程序");
    assert_eq!(
        app.detail,
        AppDetail::MiniProgram {
            user_name: "gh_abcdef123456@app".into(),
            app_id: "wx1234567890abcdef".into(),
            page_path: "pages/index/index.html?id=42".into(),
            icon_url: "http://mmbiz.qpic.cn/mmbiz_png/x/640?wx_fmt=png".into(),
            version: Some(45),
        }
    );
    snapshot!("app_miniprogram", m);

    let m = load("app_miniprogram_36");
    let app = app_of(&m);
    assert_eq!(app.app_type, 36);
    let AppDetail::MiniProgram {
        page_path,
        user_name,
        ..
    } = &app.detail
    else {
        panic!("{:?}", app.detail)
    };
    assert_eq!(
        (page_path.as_str(), user_name.as_str()),
        ("pages/detail/detail.html?sku=7", "gh_abcdef123456@app")
    );
    snapshot!("app_miniprogram_36", m);
}

#[test]
fn app_transfer() {
    let m = load("app_transfer");
    let app = app_of(&m);
    assert_eq!((app.app_type, app.title.as_str()), (2000, "微信转账"));
    assert_eq!(
        app.detail,
        AppDetail::Transfer {
            fee_desc: "￥0.10".into(),
            pay_memo: "午饭".into(),
            pay_subtype: Some(1),
            transaction_id: "100005010118120700062313000000000000".into(),
            transfer_id: "1000050101201812070000000000000".into(),
            invalid_time: Some(1544256000),
        }
    );
    snapshot!("app_transfer", m);
}

#[test]
fn app_red_envelope() {
    for fixture in ["app_red_envelope", "text_red_envelope"] {
        let m = load(fixture);
        let app = app_of(&m);
        assert_eq!(
            (app.app_type, app.title.as_str()),
            (2001, "微信红包"),
            "{fixture}"
        );
        let AppDetail::RedEnvelope {
            receiver_title,
            sender_title,
            scene_text,
            native_url,
            icon_url,
            invalid_time,
        } = &app.detail
        else {
            panic!("{:?}", app.detail)
        };
        assert_eq!(receiver_title, "恭喜发财，大吉大利");
        assert_eq!(sender_title, "恭喜发财，大吉大利");
        assert_eq!(scene_text, "微信红包");
        assert!(native_url.starts_with(
            "wxpay://c2cbizmessagehandler/hongbao/receivehongbao?msgtype=1&channelid=1"
        ));
        assert_eq!(icon_url, "http://wx.gtimg.com/hongbao/1701/hb.png");
        assert_eq!(*invalid_time, Some(1535126400));
        snapshot!(fixture, m);
    }
}

#[test]
fn app_unknown_quote() {
    let m = load("app_unknown_quote");
    let app = app_of(&m);
    assert_eq!((app.app_type, app.title.as_str()), (57, "同意"));
    let AppDetail::Unknown { xml } = &app.detail else {
        panic!("{:?}", app.detail)
    };
    assert!(xml.starts_with("<msg><appmsg"));
    assert!(xml.contains("<refermsg><type>1</type><svrid>1234567890123456789</svrid>"));
    snapshot!("app_unknown_quote", m);
}

#[test]
fn voip() {
    let m = load("voip_msg");
    assert_eq!(
        m.kind,
        MessageKind::Voip {
            msg_type: 50,
            text: "通话时长 00:12".into(),
            room_id: Some(1234567890)
        }
    );
    snapshot!("voip_msg", m);
    let m = load("voip_notify");
    assert_eq!(
        m.kind,
        MessageKind::Voip {
            msg_type: 52,
            text: String::new(),
            room_id: Some(1234567890)
        }
    );
    snapshot!("voip_notify", m);
    let m = load("voip_invite");
    assert_eq!(
        m.kind,
        MessageKind::Voip {
            msg_type: 53,
            text: String::new(),
            room_id: Some(1234567890)
        }
    );
    snapshot!("voip_invite", m);
}

#[test]
fn status_notify_enter_and_quit() {
    let m = load("status_notify_enter_session");
    assert_eq!(
        m.kind,
        MessageKind::StatusNotify {
            code: 2,
            op: StatusNotifyOp::EnterSession,
            user_names: vec!["filehelper".into()]
        }
    );
    assert!(m.outgoing);
    snapshot!("status_notify_enter_session", m);
    let m = load("status_notify_quit_session");
    assert_eq!(
        m.kind,
        MessageKind::StatusNotify {
            code: 5,
            op: StatusNotifyOp::QuitSession,
            user_names: vec!["filehelper".into()]
        }
    );
    snapshot!("status_notify_quit_session", m);
}

#[test]
fn sys_notice() {
    let m = load("sys_notice");
    assert_eq!(
        m.kind,
        MessageKind::SysNotice {
            text: "系统通知\n内容".into()
        }
    );
    snapshot!("sys_notice", m);
}

#[test]
fn system_group_events() {
    let cases: Vec<(&str, SystemEvent)> = vec![
        (
            "system_group_invite_zh",
            SystemEvent::GroupInvite {
                inviter: name("管理员"),
                invitees: vec![name("宁锐锋")],
            },
        ),
        (
            "system_group_invite_en",
            SystemEvent::GroupInvite {
                inviter: name("管理员"),
                invitees: vec![name("庆次"), name("小桔妹")],
            },
        ),
        (
            "system_group_invite_emoji",
            SystemEvent::GroupInvite {
                inviter: name("🌸卷卷卷🌸"),
                invitees: vec![name("Hou$e")],
            },
        ),
        (
            "system_group_join_qrcode_zh",
            SystemEvent::GroupJoinQrCode {
                member: name("桔小秘"),
                sharer: name("李佳芮"),
            },
        ),
        (
            "system_group_join_qrcode_en",
            SystemEvent::GroupJoinQrCode {
                member: name("管理员"),
                sharer: Party::Me,
            },
        ),
        (
            "system_group_remove_zh",
            SystemEvent::GroupRemove {
                remover: Party::Me,
                removed: vec![name("李佳芮")],
            },
        ),
        (
            "system_group_removed_me_en",
            SystemEvent::GroupRemove {
                remover: name("桔小秘"),
                removed: vec![Party::Me],
            },
        ),
        (
            "system_group_topic_zh",
            SystemEvent::GroupTopic {
                changer: name("李佳芮"),
                topic: "dong".into(),
            },
        ),
        (
            "system_group_topic_en",
            SystemEvent::GroupTopic {
                changer: name("李卓桓.PreAngel"),
                topic: "ding".into(),
            },
        ),
        (
            "system_contact_added_zh",
            SystemEvent::ContactAdded {
                contact: "johnbassserver@gmail.com".into(),
                by_me: false,
            },
        ),
        ("system_red_envelope_placeholder", SystemEvent::Other),
    ];
    for (fixture, expected) in cases {
        let m = load(fixture);
        let (_, event) = system_of(&m);
        assert_eq!(event, &expected, "{fixture}");
        if fixture.starts_with("system_group") {
            assert!(m.is_group, "{fixture}");
            assert_eq!(
                m.sender, m.chat,
                "{fixture}: no member prefix, the group is the sender"
            );
        }
        snapshot!(fixture, m);
    }
    let m = load("system_group_invite_emoji");
    assert_eq!(system_of(&m).0, "\" 🌸卷卷卷🌸\"邀请\"Hou$e\"加入了群聊");
}

/// Every MsgType 10000 string of wechaty's firer tests is recognized.
#[test]
fn system_firer_strings() {
    use webwx_core::message::system_event;
    let expected: Vec<SystemEvent> = vec![
        SystemEvent::GroupJoinQrCode {
            member: name("桔小秘"),
            sharer: name("李佳芮"),
        },
        SystemEvent::GroupJoinQrCode {
            member: name("宁锐锋"),
            sharer: name("管理员"),
        },
        SystemEvent::GroupTopic {
            changer: name("李佳芮"),
            topic: "dong".into(),
        },
        SystemEvent::GroupTopic {
            changer: name("李卓桓.PreAngel"),
            topic: "ding".into(),
        },
        SystemEvent::GroupJoinQrCode {
            member: name("管理员"),
            sharer: Party::Me,
        },
        SystemEvent::GroupJoinQrCode {
            member: name("管理员"),
            sharer: Party::Me,
        },
        SystemEvent::GroupInvite {
            inviter: name("管理员"),
            invitees: vec![name("宁锐锋")],
        },
        SystemEvent::ContactAdded {
            contact: "李卓桓".into(),
            by_me: true,
        },
        SystemEvent::GroupInvite {
            inviter: Party::Me,
            invitees: vec![name("李卓桓.PreAngel"), name("Bruce LEE")],
        },
        SystemEvent::GroupInvite {
            inviter: Party::Me,
            invitees: vec![name("管理员")],
        },
        SystemEvent::GroupRemove {
            remover: Party::Me,
            removed: vec![name("Bruce LEE")],
        },
        SystemEvent::GroupRemove {
            remover: name("桔小秘"),
            removed: vec![Party::Me],
        },
        SystemEvent::ContactAdded {
            contact: "johnbassserver@gmail.com".into(),
            by_me: false,
        },
        SystemEvent::ContactAdded {
            contact: "johnbassserver@gmail.com".into(),
            by_me: false,
        },
        SystemEvent::GroupRemove {
            remover: Party::Me,
            removed: vec![name("李佳芮")],
        },
        SystemEvent::ContactAdded {
            contact: "李卓桓".into(),
            by_me: true,
        },
        SystemEvent::GroupRemove {
            remover: name("李佳芮"),
            removed: vec![Party::Me],
        },
        SystemEvent::GroupInvite {
            inviter: Party::Me,
            invitees: vec![name("管理员")],
        },
        SystemEvent::GroupInvite {
            inviter: name("管理员"),
            invitees: vec![name("小桔建群助手")],
        },
        SystemEvent::GroupInvite {
            inviter: name("管理员"),
            invitees: vec![name("庆次"), name("小桔妹")],
        },
    ];
    let path = format!(
        "{}/tests/fixtures/messages/system_firer_strings.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let strings: Vec<String> = serde_json::from_value(v["strings"].clone()).expect("strings");
    assert_eq!(strings.len(), expected.len());
    for (s, e) in strings.iter().zip(expected) {
        assert_eq!(
            system_event(&webwx_core::message::normalize_text(s)),
            e,
            "{s:?}"
        );
    }
    // The hand-collected ones.
    assert_eq!(
        system_event("你邀请\"方二二\"加入了群聊"),
        SystemEvent::GroupInvite {
            inviter: Party::Me,
            invitees: vec![name("方二二")]
        }
    );
    assert_eq!(
        system_event("你将\"张亮亮\"移出了群聊"),
        SystemEvent::GroupRemove {
            remover: Party::Me,
            removed: vec![name("张亮亮")]
        }
    );
    assert_eq!(
        system_event("你已添加了K2，现在可以开始聊天了。"),
        SystemEvent::ContactAdded {
            contact: "K2".into(),
            by_me: true
        }
    );
    assert_eq!(system_event("位置共享已经结束"), SystemEvent::Other);
    assert_eq!(
        system_event("群收款消息，请在手机上查看"),
        SystemEvent::Other
    );
}

fn revoke_of(m: &Message) -> (&str, &str, &str, &str, &Option<Party>) {
    match &m.kind {
        MessageKind::Revoke {
            revoked_msg_id,
            old_msg_id,
            session,
            replace_text,
            revoker,
            ..
        } => (revoked_msg_id, old_msg_id, session, replace_text, revoker),
        other => panic!("not a revoke: {other:?}"),
    }
}

#[test]
fn revoke() {
    let m = load("revoke");
    assert_eq!(
        revoke_of(&m),
        (
            "8119924889549745209",
            "1642051749",
            "wxid_rywzrzre4pgw22",
            "\"丶\" 撤回了一条消息",
            &Some(name("丶"))
        )
    );
    snapshot!("revoke", m);
}

#[test]
fn revoke_group_emoji() {
    let m = load("revoke_group_emoji");
    assert!(m.is_group);
    assert_eq!(
        m.sender,
        "@129260f862259b5abff0904ee8810664b36f64e74e9d580bd86cd4ba366227a2"
    );
    assert_eq!(
        revoke_of(&m),
        (
            "6071299654335939419",
            "1069738445",
            "6726457518@chatroom",
            "\"超！神罗天征！👾\" 撤回了一条消息",
            &Some(name("超！神罗天征！👾"))
        )
    );
    snapshot!("revoke_group_emoji", m);
}

#[test]
fn revoke_wwdk() {
    let m = load("revoke_wwdk");
    assert_eq!(
        revoke_of(&m),
        (
            "41000000000000000",
            "1660000000",
            "wxid_xxxxxxx",
            "\"xx\" 撤回了一条消息",
            &Some(name("xx"))
        )
    );
    snapshot!("revoke_wwdk", m);
}

#[test]
fn revoke_mine() {
    let m = load("revoke_mine");
    assert!(m.outgoing);
    assert_eq!(
        revoke_of(&m),
        ("0", "0", "wxid_peer", "你撤回了一条消息", &Some(Party::Me))
    );
    snapshot!("revoke_mine", m);
}

#[test]
fn unknown() {
    let m = load("unknown");
    assert_eq!(
        m.kind,
        MessageKind::Unknown {
            msg_type: 44,
            raw: "&lt;msg&gt;&lt;/msg&gt;".into()
        }
    );
    snapshot!("unknown", m);
}

/// Whole `AddMsgList`s of real webwxsync answers deserialize and type, and the
/// typed form survives a JSON round trip.
#[test]
fn whole_sync_bodies() {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Sync {
        add_msg_list: Vec<RawMessage>,
    }
    for (file, count) in [("sync_wechat4u.json", 2), ("sync_wcap_worker.json", 4)] {
        let path = format!(
            "{}/tests/fixtures/messages/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let sync: Sync =
            serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
        assert_eq!(sync.add_msg_list.len(), count);
        let me_name = sync.add_msg_list[0].from_user_name.clone();
        let me = SelfInfo {
            user_name: &me_name,
            nick_name: "",
        };
        for raw in sync.add_msg_list {
            let m = Message::from_raw(raw, &me, &webwx_core::message::NoGroupNames);
            let json = serde_json::to_string(&m).expect("serialize");
            let back: Message = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(back, m);
        }
    }
}

/// Numbers as strings, strings as numbers, nulls and missing keys are all accepted.
#[test]
fn lenient_raw_fields() {
    let raw: RawMessage = serde_json::from_str(
        r#"{"MsgId": 123, "MsgType": "1", "NewMsgId": "456", "FileSize": 1024, "CreateTime": 1.5e9,
            "Content": null, "RecommendInfo": null, "AppInfo": "x", "ImgWidth": -3, "VoiceLength": true,
            "StatusNotifyCode": 99999999999, "Unknown": {"a": [1]}}"#,
    )
    .expect("lenient");
    assert_eq!(raw.msg_id, "123");
    assert_eq!(raw.msg_type, 1);
    assert_eq!(raw.new_msg_id, 456);
    assert_eq!(raw.file_size, "1024");
    assert_eq!(raw.create_time, 1_500_000_000);
    assert_eq!(raw.content, "");
    assert_eq!(raw.img_width, 0);
    assert_eq!(raw.voice_length, 1);
    assert_eq!(raw.status_notify_code, u32::MAX);
    assert_eq!(raw.recommend_info, Default::default());
    let empty: RawMessage = serde_json::from_str("{}").expect("empty object");
    assert_eq!(empty, RawMessage::default());
}

/// An app message whose `Content` is `content`.
fn app_with_content(content: &str) -> webwx_core::message::AppMessage {
    let raw = RawMessage {
        msg_id: "1".into(),
        from_user_name: "@friend".into(),
        to_user_name: "@me".into(),
        msg_type: 49,
        content: content.into(),
        ..Default::default()
    };
    let me = SelfInfo {
        user_name: "@me",
        nick_name: "me",
    };
    match Message::from_raw(raw, &me, &webwx_core::message::NoGroupNames).kind {
        MessageKind::App(app) => app,
        other => panic!("not an app message: {other:?}"),
    }
}

/// Each layer is entity-decoded exactly once: `Content` is HTML-escaped XML (one layer,
/// undone once), and the XML's own references are decoded once by the XML reader. Raw XML
/// (a `Content` that is already `<msg>…`) has only the XML layer, even when it also holds
/// an `&lt;`; text that says `&lt;` stays `&lt;`; and no layer produces a control
/// character from a reference (`&amp;#27;` in a title is not ESC).
#[test]
fn entities_are_decoded_once_per_layer() {
    // Raw XML: `&amp;lt;` is the text "&lt;", `&lt;` the text "<".
    let app = app_with_content(
        "<msg><appmsg><title>a &amp;lt; b &lt; c</title><type>5</type><url>https://mp.weixin.qq.com/s?a=1&amp;b=2</url></appmsg></msg>",
    );
    assert_eq!(app.title, "a &lt; b < c");
    assert_eq!(app.url, "https://mp.weixin.qq.com/s?a=1&b=2");
    // The escaped form of the same document decodes to the same text.
    let app = app_with_content(
        "&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;a &amp;amp;lt; b &amp;lt; c&lt;/title&gt;&lt;type&gt;5&lt;/type&gt;&lt;url&gt;https://mp.weixin.qq.com/s?a=1&amp;amp;b=2&lt;/url&gt;&lt;/appmsg&gt;&lt;/msg&gt;",
    );
    assert_eq!(app.title, "a &lt; b < c");
    assert_eq!(app.url, "https://mp.weixin.qq.com/s?a=1&b=2");
    // References to control characters are not decoded into them.
    for reference in [
        "&amp;#27;",
        "&amp;#x1b;",
        "&amp;#155;",
        "&amp;#x9B;",
        "&amp;#127;",
    ] {
        let app = app_with_content(&format!(
            "&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;x{reference}[2Jy&lt;/title&gt;&lt;type&gt;5&lt;/type&gt;&lt;/appmsg&gt;&lt;/msg&gt;"
        ));
        assert!(
            !app.title.chars().any(char::is_control),
            "{reference}: {:?}",
            app.title
        );
    }
    // Real captures still decode: the music URLs were `&amp;amp;` in Content.
    let MessageKind::App(app) = load("app_music").kind else {
        panic!("app_music is an app message");
    };
    let AppDetail::Music { data_url, .. } = &app.detail else {
        panic!("app_music is music");
    };
    assert!(
        data_url.contains("&guid=") && !data_url.contains("&amp;"),
        "{data_url}"
    );
    let MessageKind::App(app) = load("app_miniprogram").kind else {
        panic!("app_miniprogram is an app message");
    };
    assert!(
        app.url.contains("&type=upgrade") && !app.url.contains("&amp;"),
        "{}",
        app.url
    );
}
