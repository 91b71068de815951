//! Handler routing: matchers by kind, chat type, chat name, mention and text; handlers in
//! order until one stops; the fallback for what none took; our own messages left out.

use std::sync::{Arc, Mutex};
use webwx_core::contacts::ContactKind;
use webwx_core::handlers::{Dispatcher, Facts, Flow, Kind, Matcher};
use webwx_core::message::{Message, NoGroupNames, RawMessage, SelfInfo};

const ME: &str = "@me";

fn msg(from: &str, to: &str, msg_type: u32, content: &str) -> Message {
    let mut v = serde_json::json!({
        "MsgId": "1", "NewMsgId": 1, "MsgType": msg_type,
        "FromUserName": from, "ToUserName": to, "Content": content,
        "CreateTime": 1_700_000_000u64,
    });
    if msg_type == 49 && content.contains("<type>6</type>") {
        v["AppMsgType"] = 6.into();
        v["FileName"] = "report.pdf".into();
    }
    if msg_type == 49 && content.contains("<type>5</type>") {
        v["AppMsgType"] = 5.into();
        v["Url"] = "https://example.com/".into();
    }
    let raw: RawMessage = serde_json::from_value(v).unwrap();
    let me = SelfInfo {
        user_name: ME,
        nick_name: "Bot",
    };
    Message::from_raw(raw, &me, &NoGroupNames)
}

fn text(from: &str, t: &str) -> Message {
    msg(from, ME, 1, t)
}

fn facts(kind: ContactKind, names: &[&str]) -> Facts {
    let mut f = Facts::default();
    f.chat_kind = Some(kind);
    f.chat_names = names.iter().map(|s| s.to_string()).collect();
    f
}

type Log = Arc<Mutex<Vec<&'static str>>>;

fn logger(
    log: &Log,
    name: &'static str,
    flow: Flow,
) -> impl FnMut(&(), &Message) -> Flow + Send + 'static {
    let log = log.clone();
    move |_, _| {
        log.lock().unwrap().push(name);
        flow
    }
}

#[test]
fn in_order_until_one_stops_then_no_fallback() {
    let log: Log = Arc::default();
    let mut d: Dispatcher<()> = Dispatcher::new();
    d.on(Matcher::any(), logger(&log, "first", Flow::Continue));
    d.on(
        Matcher::kind(Kind::Image),
        logger(&log, "images", Flow::Stop),
    );
    d.on(Matcher::kind(Kind::Text), logger(&log, "texts", Flow::Stop));
    d.on(Matcher::any(), logger(&log, "never", Flow::Continue));
    let l = log.clone();
    d.fallback(move |_, _| l.lock().unwrap().push("fallback"));
    let f = facts(ContactKind::Friend, &["Alice"]);
    let done = d.dispatch(&(), &text("@alice", "hi"), &f);
    assert_eq!(*log.lock().unwrap(), ["first", "texts"]);
    assert_eq!(
        (done.handlers, done.stopped, done.fallback),
        (2, true, false)
    );
}

#[test]
fn the_fallback_takes_what_no_handler_matched() {
    let log: Log = Arc::default();
    let mut d: Dispatcher<()> = Dispatcher::new();
    d.on(
        Matcher::kind(Kind::Image),
        logger(&log, "images", Flow::Stop),
    );
    let l = log.clone();
    d.fallback(move |_, _| l.lock().unwrap().push("fallback"));
    let done = d.dispatch(&(), &text("@alice", "hi"), &facts(ContactKind::Friend, &[]));
    assert!(done.fallback && done.handlers == 0);
    assert_eq!(*log.lock().unwrap(), ["fallback"]);
}

#[test]
fn kinds() {
    let friend = facts(ContactKind::Friend, &[]);
    let cases = [
        (text("@a", "hi"), Kind::Text),
        (msg("@a", ME, 3, ""), Kind::Image),
        (msg("@a", ME, 34, ""), Kind::Voice),
        (msg("@a", ME, 43, ""), Kind::Video),
        (msg("@a", ME, 62, ""), Kind::Video),
        (msg("@a", ME, 47, ""), Kind::Emoticon),
        (msg("@a", ME, 42, ""), Kind::Card),
        (msg("@a", ME, 37, ""), Kind::FriendRequest),
        (
            msg("@a", ME, 10000, "你已添加了A，现在可以开始聊天了。"),
            Kind::System,
        ),
        (
            msg(
                "@a",
                ME,
                10002,
                "&lt;sysmsg type=\"revokemsg\"&gt;&lt;revokemsg&gt;&lt;msgid&gt;5&lt;/msgid&gt;&lt;replacemsg&gt;&lt;![CDATA[\"A\" 撤回了一条消息]]&gt;&lt;/replacemsg&gt;&lt;/revokemsg&gt;&lt;/sysmsg&gt;",
            ),
            Kind::Revoke,
        ),
        (
            msg(
                "@a",
                ME,
                49,
                "&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;report.pdf&lt;/title&gt;&lt;type&gt;6&lt;/type&gt;&lt;appattach&gt;&lt;totallen&gt;10&lt;/totallen&gt;&lt;/appattach&gt;&lt;/appmsg&gt;&lt;/msg&gt;",
            ),
            Kind::File,
        ),
        (
            msg(
                "@a",
                ME,
                49,
                "&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;a link&lt;/title&gt;&lt;type&gt;5&lt;/type&gt;&lt;url&gt;https://example.com/&lt;/url&gt;&lt;/appmsg&gt;&lt;/msg&gt;",
            ),
            Kind::Link,
        ),
    ];
    for (m, kind) in &cases {
        assert_eq!(Kind::of(m), Some(*kind), "{:?}", m.kind);
        assert!(Matcher::kind(*kind).matches(m, &friend), "{kind:?}");
        let other = if *kind == Kind::Text {
            Kind::Image
        } else {
            Kind::Text
        };
        assert!(
            !Matcher::kind(other).matches(m, &friend),
            "{kind:?} is not {other:?}"
        );
        assert!(Matcher::kind(other).or_kind(*kind).matches(m, &friend));
    }
}

#[test]
fn chat_types_names_mentions_and_text() {
    let group_msg = msg("@@room", ME, 1, "@member1:<br/>@Bot\u{2005}hello there");
    let group = facts(ContactKind::Group, &["Book club"]);
    assert!(
        group_msg.is_group && group_msg.mentioned_me,
        "{group_msg:?}"
    );
    assert!(Matcher::any().group().matches(&group_msg, &group));
    assert!(!Matcher::any().private().matches(&group_msg, &group));
    assert!(
        Matcher::any().private().group().matches(&group_msg, &group),
        "types add up"
    );
    assert!(Matcher::any().chat("Book club").matches(&group_msg, &group));
    assert!(
        Matcher::any().chat("@@room").matches(&group_msg, &group),
        "by UserName"
    );
    assert!(
        !Matcher::any()
            .chat("Chess club")
            .matches(&group_msg, &group)
    );
    assert!(Matcher::any().mentions_me().matches(&group_msg, &group));
    assert!(
        Matcher::any()
            .text_contains("hello")
            .matches(&group_msg, &group)
    );
    assert!(!Matcher::any().text_is("hello").matches(&group_msg, &group));

    let private = text("@alice", "  /ping now ");
    let alice = facts(ContactKind::Friend, &["Alice W", "alice"]);
    assert!(Matcher::any().private().matches(&private, &alice));
    assert!(!Matcher::any().mentions_me().matches(&private, &alice));
    assert!(Matcher::any().chat("alice").matches(&private, &alice));
    assert!(
        Matcher::any()
            .text_starts_with("/ping")
            .matches(&private, &alice)
    );
    assert!(
        Matcher::any()
            .text_is("/ping now")
            .matches(&private, &alice)
    );
    assert!(
        !Matcher::any()
            .text_starts_with("/pong")
            .matches(&private, &alice)
    );
    assert!(
        !Matcher::any()
            .text_contains("ping")
            .matches(&msg("@alice", ME, 3, ""), &alice),
        "a text condition needs a text"
    );
    assert!(
        Matcher::any()
            .when(|m| m.sender == "@alice")
            .matches(&private, &alice)
    );
    assert!(!Matcher::any().when(|_| false).matches(&private, &alice));

    let news = text("@brand", "news");
    let official = facts(ContactKind::Official, &["Daily News"]);
    assert!(Matcher::any().official().matches(&news, &official));
    assert!(!Matcher::any().private().matches(&news, &official));

    // Our own messages (sent from the phone) only when asked.
    let ours = msg(ME, "@alice", 1, "sent from the phone");
    assert!(ours.outgoing);
    assert!(!Matcher::any().matches(&ours, &alice));
    assert!(Matcher::any().outgoing().matches(&ours, &alice));
}
