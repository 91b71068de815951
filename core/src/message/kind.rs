//! The typed forms of a received message: [`MessageKind`] and the types it holds.
//!
//! Text fields are normalized ([`normalize_text`](super::normalize_text)); a string
//! field the message does not carry is empty, a number it does not carry is `None`.

use serde::{Deserialize, Serialize};

/// What a message is, by `MsgType` (and `AppMsgType`, `SubMsgType`), with the fields a
/// bot needs. Serialized with a `"kind"` tag, e.g. `{"kind": "text", "text": "hi"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MessageKind {
    /// MsgType 1: text.
    Text {
        /// The normalized text (group sender prefix removed).
        text: String,
    },
    /// MsgType 3: an image; download it with `webwxgetmsgimg?MsgID=` [`Message::id`](super::Message::id).
    Image {
        /// `ImgWidth`: width of the thumbnail the server renders.
        thumb_width: u32,
        /// `ImgHeight`: height of the thumbnail.
        thumb_height: u32,
        /// Size in bytes of the full image (`<img length>`), when the XML is present.
        size: Option<u64>,
        /// Size in bytes of the HD image (`<img hdlength>`).
        hd_size: Option<u64>,
        /// Size in bytes of the thumbnail (`cdnthumblength`).
        thumb_size: Option<u64>,
        /// MD5 of the image (`<img md5>`), or empty.
        md5: String,
    },
    /// MsgType 34: a voice clip; download it with `webwxgetvoice?msgid=`.
    Voice {
        /// `VoiceLength`: duration in milliseconds.
        duration_ms: u64,
        /// Size in bytes (`<voicemsg length>`).
        size: Option<u64>,
        /// `<voicemsg voiceformat>` (4: silk/amr as the phone recorded it).
        format: Option<u64>,
    },
    /// MsgType 37: a friend request (from `fmessage`); accept it with `webwxverifyuser`
    /// Opcode 3, the `ticket` and `contact.user_name`.
    FriendRequest {
        /// Who asks (`RecommendInfo`, completed from the XML).
        contact: RecommendContact,
        /// The greeting the requester wrote.
        greeting: String,
        /// `RecommendInfo.Ticket`: needed to accept.
        ticket: String,
        /// `Scene`: where the request came from (14 group, 17 card, 30 QR code…).
        scene: u32,
        /// `OpCode` (2: request).
        op_code: u32,
        /// The group the requester found me in (`chatroomusername`), or empty.
        chatroom: String,
    },
    /// MsgType 40: a possible friend recommended by the server.
    PossibleFriend {
        /// The recommended contact.
        contact: RecommendContact,
        /// `Scene` of the recommendation.
        scene: u32,
    },
    /// MsgType 42: a shared contact card.
    Card {
        /// The contact on the card (`RecommendInfo`, completed from the XML).
        contact: RecommendContact,
        /// Whether the card is an official account (`VerifyFlag & 8`).
        is_official: bool,
        /// `Scene` (17 for cards).
        scene: u32,
        /// `antispamticket` of the card XML, or empty.
        antispam_ticket: String,
    },
    /// MsgType 43: a video; download it with `webwxgetvideo?msgid=` (with `Range`).
    Video(VideoInfo),
    /// MsgType 62: a micro video (short sight); same download as a video.
    MicroVideo(VideoInfo),
    /// MsgType 47: an animated emoticon (sticker).
    Emoticon {
        /// MD5 of the emoticon (`<emoji md5>`), or empty (store emoticons come with no XML).
        md5: String,
        /// Download URL (`<emoji cdnurl>`), or empty.
        cdn_url: String,
        /// `<emoji width>`, else `ImgWidth`.
        width: u32,
        /// `<emoji height>`, else `ImgHeight`.
        height: u32,
        /// Size in bytes (`<emoji len>`).
        size: Option<u64>,
        /// Store product id (`<emoji productid>`), or empty.
        product_id: String,
        /// `<emoji type>` (2: GIF).
        emoji_type: Option<u64>,
    },
    /// MsgType 48, and a text message with `SubMsgType` 48 / a map `Url`: a location.
    Location(Location),
    /// MsgType 49: an app message, by `AppMsgType`.
    App(AppMessage),
    /// MsgType 50, 52, 53: VOIP message, notification, invitation.
    Voip {
        /// 50 message, 52 notify, 53 invite.
        msg_type: u32,
        /// The bubble text if the XML has one (`<VoIPBubbleMsg><msg>`), else the normalized content.
        text: String,
        /// `<roomid>` of an invitation, when present (a string in JSON).
        #[serde(with = "crate::id64::option", default)]
        #[cfg_attr(
            feature = "schema",
            schemars(with = "Option<crate::id64::Id64>"),
            ts(type = "string | null")
        )]
        room_id: Option<u64>,
    },
    /// MsgType 51: status notification (phone entered or left a chat, conversation list).
    StatusNotify {
        /// `StatusNotifyCode`.
        code: u32,
        /// What the code means.
        op: StatusNotifyOp,
        /// `StatusNotifyUserName` split at commas: for `SyncConv` (4) the recent
        /// conversations, otherwise the chat concerned.
        user_names: Vec<String>,
    },
    /// MsgType 9999: system notice.
    SysNotice {
        /// The normalized content.
        text: String,
    },
    /// MsgType 10000: system message shown as grey text; group events parsed where the
    /// zh_CN or English text allows.
    System {
        /// The normalized text.
        text: String,
        /// What happened, when recognized.
        event: SystemEvent,
    },
    /// MsgType 10002: a message was revoked (recalled).
    Revoke {
        /// `<msgid>`: the `MsgId` of the revoked message (`"0"`: the last one I sent).
        revoked_msg_id: String,
        /// `<oldmsgid>`: the short id of the revoked message.
        old_msg_id: String,
        /// `<session>`: the conversation (long user name).
        session: String,
        /// `<replacemsg>`: the text that replaces it, e.g. `"丶" 撤回了一条消息`.
        replace_text: String,
        /// Who revoked, read from the replace text.
        revoker: Option<Party>,
        /// What was revoked, when this session saw it (the client keeps its newest
        /// messages, [`RecentLimits`](crate::client::RecentLimits)): set by the
        /// [`Client`](crate::Client), never by [`Message::from_raw`](super::Message::from_raw).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", ts(optional))]
        original: Option<RevokedMessage>,
    },
    /// Any other `MsgType`: kept as it came.
    Unknown {
        /// The `MsgType`.
        msg_type: u32,
        /// The raw `Content`.
        raw: String,
    },
}

impl MessageKind {
    /// Its `"kind"` tag as serialized: `"text"`, `"image"`, `"micro_video"`, `"app"`…
    pub fn tag(&self) -> &'static str {
        match self {
            MessageKind::Text { .. } => "text",
            MessageKind::Image { .. } => "image",
            MessageKind::Voice { .. } => "voice",
            MessageKind::FriendRequest { .. } => "friend_request",
            MessageKind::PossibleFriend { .. } => "possible_friend",
            MessageKind::Card { .. } => "card",
            MessageKind::Video(_) => "video",
            MessageKind::MicroVideo(_) => "micro_video",
            MessageKind::Emoticon { .. } => "emoticon",
            MessageKind::Location(_) => "location",
            MessageKind::App(_) => "app",
            MessageKind::Voip { .. } => "voip",
            MessageKind::StatusNotify { .. } => "status_notify",
            MessageKind::SysNotice { .. } => "sys_notice",
            MessageKind::System { .. } => "system",
            MessageKind::Revoke { .. } => "revoke",
            MessageKind::Unknown { .. } => "unknown",
        }
    }
}

/// The message a revoke took back, as this session saw it before.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct RevokedMessage {
    /// Its kind: the `"kind"` tag of its [`MessageKind`] (`text`, `image`, `app`…).
    pub kind: String,
    /// Its text: a text's text, an app message's title (a link, a file name), a
    /// location's label; `None` for media without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub text: Option<String>,
    /// Who had sent it (the member in a group).
    pub sender: String,
    /// When it was sent (`CreateTime`, seconds since the Unix epoch).
    pub time: u64,
}

impl RevokedMessage {
    /// What a revoke of `m` carries.
    pub fn of(m: &super::Message) -> RevokedMessage {
        let text = match &m.kind {
            MessageKind::Text { text } => Some(text.clone()),
            MessageKind::App(app) if !app.title.is_empty() => Some(app.title.clone()),
            MessageKind::Location(l) if !l.label.is_empty() => Some(l.label.clone()),
            _ => None,
        };
        RevokedMessage {
            kind: m.kind.tag().to_owned(),
            text,
            sender: m.sender.clone(),
            time: m.time,
        }
    }
}

/// The contact carried by friend requests, possible friends and cards
/// (`RecommendInfo`, completed from the content XML where it is empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct RecommendContact {
    /// Session user name (`@…`), usable in `webwxverifyuser`; may be empty on cards of strangers.
    pub user_name: String,
    /// Nick name (normalized).
    pub nick_name: String,
    /// WeChat id chosen by the user (`Alias` / `alias`), or empty.
    pub alias: String,
    /// Province.
    pub province: String,
    /// City.
    pub city: String,
    /// 1 male, 2 female, 0 unknown.
    pub sex: u32,
    /// Signature (normalized).
    pub signature: String,
    /// `VerifyFlag` (`& 8`: official account).
    pub verify_flag: u32,
    /// The long user name from the XML (`fromusername` / `username`: `wxid_…`,
    /// `v1_…@stranger`, `gh_…`), or empty.
    pub long_user_name: String,
    /// Head image URL from the XML (`bigheadimgurl`, else `smallheadimgurl`), or empty.
    pub head_img_url: String,
}

/// Video and micro video details.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct VideoInfo {
    /// `PlayLength` (else `<videomsg playlength>`): duration in seconds.
    pub play_length: u64,
    /// `ImgWidth`: thumbnail width (else `cdnthumbwidth`).
    pub thumb_width: u32,
    /// `ImgHeight`: thumbnail height (else `cdnthumbheight`).
    pub thumb_height: u32,
    /// Size in bytes (`<videomsg length>`), when the XML is present.
    pub size: Option<u64>,
    /// Thumbnail size in bytes (`cdnthumblength`).
    pub thumb_size: Option<u64>,
    /// MD5 of the video (`<videomsg md5>`), or empty.
    pub md5: String,
}

/// A location.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct Location {
    /// The address label (`<location label>`, else the text before `:<br/>`).
    pub label: String,
    /// Latitude (`<location x>`, else the `coord=` of the map URL).
    pub lat: Option<f64>,
    /// Longitude (`<location y>`, else the `coord=` of the map URL).
    pub lng: Option<f64>,
    /// `<location scale>` (map zoom).
    pub scale: Option<u64>,
    /// Point of interest name (`poiname`), or empty.
    pub poi_name: String,
    /// Point of interest id (`poiid`), or empty.
    pub poi_id: String,
    /// `Url`: the map link (`apis.map.qq.com/…`), or empty.
    pub map_url: String,
    /// The map snapshot path (`/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?…`), or empty.
    pub image_url: String,
}

/// An app message (MsgType 49): the common `<appmsg>` fields and the details of its
/// `AppMsgType`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct AppMessage {
    /// `AppMsgType` (else the `<type>` of the XML).
    pub app_type: u32,
    /// `<title>` (else `FileName`).
    pub title: String,
    /// `<des>`.
    pub description: String,
    /// `<url>` (else `Url`).
    pub url: String,
    /// `<thumburl>`, or empty.
    pub thumb_url: String,
    /// `<appmsg appid>` (else `AppInfo.AppID`).
    pub app_id: String,
    /// `<appinfo><appname>`, or empty.
    pub app_name: String,
    /// `<sourcedisplayname>` (official account or mini program name), or empty.
    pub source_display_name: String,
    /// `<sourceusername>`, or empty.
    pub source_user_name: String,
    /// What is specific to the `AppMsgType`.
    pub detail: AppDetail,
}

/// The `AppMsgType`-specific part of an [`AppMessage`], tagged by `"type"`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AppDetail {
    /// 1: text shared by an app (the text is the title).
    Text,
    /// 3: music.
    Music {
        /// `<dataurl>`: the stream.
        data_url: String,
        /// `<lowdataurl>`.
        low_data_url: String,
        /// `<lowurl>`.
        low_url: String,
    },
    /// 4: video link.
    Video,
    /// 5: link (article, web page); `title`, `description`, `url`, `thumb_url` are the
    /// common fields.
    #[default]
    Link,
    /// 6: file; download with `webwxgetmedia` and `media_id`.
    File {
        /// File name (`FileName`, else the title).
        file_name: String,
        /// Size in bytes (`<appattach><totallen>`, else `FileSize`).
        size: u64,
        /// `<appattach><attachid>`.
        attach_id: String,
        /// `<appattach><fileext>` (else from the file name).
        ext: String,
        /// `MediaId`: the id for `webwxgetmedia`.
        media_id: String,
        /// `EncryFileName`.
        encry_file_name: String,
        /// `<md5>`, or empty.
        md5: String,
    },
    /// 8: emoji (sticker) sent as an app message.
    Emoji {
        /// `<appattach><emoticonmd5>`, or empty.
        md5: String,
        /// `<appattach><totallen>`.
        size: Option<u64>,
    },
    /// 17: real-time location sharing started.
    RealtimeLocation,
    /// 33 / 36: mini program.
    MiniProgram {
        /// `<weappinfo><username>` (`gh_…@app`).
        user_name: String,
        /// `<weappinfo><appid>`.
        app_id: String,
        /// `<weappinfo><pagepath>`.
        page_path: String,
        /// `<weappinfo><weappiconurl>`.
        icon_url: String,
        /// `<weappinfo><version>`.
        version: Option<u64>,
    },
    /// 2000: money transfer.
    Transfer {
        /// `<wcpayinfo><feedesc>`, e.g. `￥0.10`.
        fee_desc: String,
        /// `<pay_memo>`.
        pay_memo: String,
        /// `<paysubtype>` (1 sent, 3 received…).
        pay_subtype: Option<u64>,
        /// `<transcationid>` (sic).
        transaction_id: String,
        /// `<transferid>`.
        transfer_id: String,
        /// `<invalidtime>`.
        invalid_time: Option<u64>,
    },
    /// 2001: red envelope.
    RedEnvelope {
        /// `<wcpayinfo><receivertitle>`: the wishes.
        receiver_title: String,
        /// `<sendertitle>`.
        sender_title: String,
        /// `<scenetext>`, e.g. `微信红包`.
        scene_text: String,
        /// `<nativeurl>`.
        native_url: String,
        /// `<iconurl>`.
        icon_url: String,
        /// `<invalidtime>`.
        invalid_time: Option<u64>,
    },
    /// Any other `AppMsgType`: the XML is kept.
    Unknown {
        /// The unescaped XML of the content.
        xml: String,
    },
}

/// `StatusNotifyCode` meanings (constants.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StatusNotifyOp {
    /// 1: messages were read.
    Readed,
    /// 2: the phone entered a chat.
    EnterSession,
    /// 3: initialized.
    Inited,
    /// 4: the recent conversation list (`SYNC_CONV`).
    SyncConv,
    /// 5: the phone left a chat.
    QuitSession,
    /// Any other code.
    Other,
}

impl StatusNotifyOp {
    /// The meaning of a `StatusNotifyCode`.
    pub fn from_code(code: u32) -> Self {
        match code {
            1 => Self::Readed,
            2 => Self::EnterSession,
            3 => Self::Inited,
            4 => Self::SyncConv,
            5 => Self::QuitSession,
            _ => Self::Other,
        }
    }
}

/// Someone named in a system message: me (`你` / `You`), or a display name.
/// Serialized as `"me"` or `{"name": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Party {
    /// The logged-in user.
    Me,
    /// Someone else, by the name the text shows.
    Name(String),
}

/// A recognized MsgType 10000 event, tagged by `"type"`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SystemEvent {
    /// `"A"邀请"B、C"加入了群聊` / `A invited B、C to the group chat`.
    GroupInvite {
        /// Who invited.
        inviter: Party,
        /// Who was invited.
        invitees: Vec<Party>,
    },
    /// `"B"通过扫描"A"分享的二维码加入群聊` / `"B" joined the group chat via the QR Code shared by "A"`.
    GroupJoinQrCode {
        /// Who joined.
        member: Party,
        /// Whose QR code.
        sharer: Party,
    },
    /// `你将"B"移出了群聊`, `你被"A"移出群聊` / `You removed "B" from the group chat`,
    /// `You were removed from the group chat by "A"`.
    GroupRemove {
        /// Who removed.
        remover: Party,
        /// Who was removed.
        removed: Vec<Party>,
    },
    /// `"A"修改群名为“T”` / `"A" changed the group name to "T"`.
    GroupTopic {
        /// Who changed it.
        changer: Party,
        /// The new group name.
        topic: String,
    },
    /// `你已添加了X，现在可以开始聊天了。`, `X刚刚把你添加到通讯录…` / `You have added X as
    /// your WeChat contact…`, `X just added you to his/her contacts list…`.
    ContactAdded {
        /// The new contact's name.
        contact: String,
        /// Whether I added them (else they added me).
        by_me: bool,
    },
    /// Not recognized: only the text.
    #[default]
    Other,
}
