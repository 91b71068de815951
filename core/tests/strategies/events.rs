//! proptest strategies for every [`Event`] variant, shared by the core's round-trip
//! test (`boundary_events.rs`) and the schema validation of `webwx-tests`
//! (`tests/tests/schema.rs`), which include this file with `#[path]`.
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use webwx_core::client::CommandEvent;
use webwx_core::contacts::{ContactChange, ContactKind, ContactSummary};
use webwx_core::media::MediaBody;
use webwx_core::message::{
    AppDetail, AppMessage, Location, Message, MessageKind, Party, RawMessage, RecommendContact,
    RevokedMessage, StatusNotifyOp, SystemEvent, VideoInfo,
};
use webwx_core::{
    CommandFailure, DataPurpose, Download, DownloadId, DownloadedMedia, Event, LocalId,
    LogoutReason, OpId, OpKind, OpOutcome, ParseError, ParseErrorKind, Ret, TransportErrorKind,
    UploadId,
};

pub fn s() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z@_0-9]{0,10}"]
}

pub fn ret() -> impl Strategy<Value = Ret> {
    prop_oneof![any::<i64>(), Just(1101i64), Just(1205), Just(-1), Just(0)].prop_map(Ret::from_code)
}

pub fn transport_kind() -> impl Strategy<Value = TransportErrorKind> {
    prop_oneof![
        Just(TransportErrorKind::Connect),
        Just(TransportErrorKind::Timeout),
        Just(TransportErrorKind::Reset),
        Just(TransportErrorKind::TooLarge),
        Just(TransportErrorKind::Other),
    ]
}

pub fn parse_error() -> impl Strategy<Value = ParseError> {
    let kind = prop_oneof![
        any::<u16>().prop_map(ParseErrorKind::Status),
        s().prop_map(ParseErrorKind::Json),
        s().prop_map(ParseErrorKind::Xml),
        s().prop_map(ParseErrorKind::Js),
        s().prop_map(ParseErrorKind::Missing),
        s().prop_map(ParseErrorKind::Invalid),
    ];
    (s(), kind, s()).prop_map(|(endpoint, kind, excerpt)| {
        let mut e = ParseError::new(&endpoint, kind, b"");
        e.excerpt = excerpt;
        e
    })
}

pub fn logout_reason() -> BoxedStrategy<LogoutReason> {
    Union::new(vec![
        Just(LogoutReason::Requested).boxed(),
        ret().prop_map(|ret| LogoutReason::Remote { ret }).boxed(),
        (ret(), s())
            .prop_map(|(ret, message)| LogoutReason::LoginRefused { ret, message })
            .boxed(),
        Just(LogoutReason::QrExpired).boxed(),
        Just(LogoutReason::TooFrequent).boxed(),
        (s(), transport_kind())
            .prop_map(|(endpoint, kind)| LogoutReason::Unreachable { endpoint, kind })
            .boxed(),
        parse_error()
            .prop_map(|error| LogoutReason::Protocol { error })
            .boxed(),
        (s(), ret(), s())
            .prop_map(|(endpoint, ret, message)| LogoutReason::Refused {
                endpoint,
                ret,
                message,
            })
            .boxed(),
    ])
    .boxed()
}

pub fn contact_kind() -> impl Strategy<Value = ContactKind> {
    prop_oneof![
        Just(ContactKind::Myself),
        Just(ContactKind::Friend),
        Just(ContactKind::Group),
        Just(ContactKind::Official),
        Just(ContactKind::FileHelper),
        Just(ContactKind::Special),
    ]
}

pub fn contact_change() -> impl Strategy<Value = ContactChange> {
    prop_oneof![
        (s(), contact_kind())
            .prop_map(|(user_name, kind)| ContactChange::Added { user_name, kind }),
        (s(), contact_kind())
            .prop_map(|(user_name, kind)| ContactChange::Updated { user_name, kind }),
        s().prop_map(|user_name| ContactChange::Removed { user_name }),
    ]
}

pub fn recommend_contact() -> impl Strategy<Value = RecommendContact> {
    (s(), s(), s(), any::<u32>(), any::<u32>()).prop_map(|(user_name, nick, alias, sex, flag)| {
        let mut c = RecommendContact::default();
        c.user_name = user_name;
        c.nick_name = nick;
        c.alias = alias;
        c.sex = sex;
        c.verify_flag = flag;
        c
    })
}

pub fn video() -> impl Strategy<Value = VideoInfo> {
    (any::<u64>(), any::<Option<u64>>(), s()).prop_map(|(len, size, md5)| {
        let mut v = VideoInfo::default();
        v.play_length = len;
        v.size = size;
        v.md5 = md5;
        v
    })
}

pub fn revoked() -> impl Strategy<Value = RevokedMessage> {
    (s(), prop::option::of(s()), s(), any::<u64>()).prop_map(|(kind, text, sender, time)| {
        let mut r = RevokedMessage::default();
        r.kind = kind;
        r.text = text;
        r.sender = sender;
        r.time = time;
        r
    })
}

pub fn party() -> impl Strategy<Value = Party> {
    prop_oneof![Just(Party::Me), s().prop_map(Party::Name)]
}

pub fn system_event() -> BoxedStrategy<SystemEvent> {
    Union::new(vec![
        (party(), prop::collection::vec(party(), 0..3))
            .prop_map(|(inviter, invitees)| SystemEvent::GroupInvite { inviter, invitees })
            .boxed(),
        (party(), party())
            .prop_map(|(member, sharer)| SystemEvent::GroupJoinQrCode { member, sharer })
            .boxed(),
        (party(), prop::collection::vec(party(), 0..3))
            .prop_map(|(remover, removed)| SystemEvent::GroupRemove { remover, removed })
            .boxed(),
        (party(), s())
            .prop_map(|(changer, topic)| SystemEvent::GroupTopic { changer, topic })
            .boxed(),
        (s(), any::<bool>())
            .prop_map(|(contact, by_me)| SystemEvent::ContactAdded { contact, by_me })
            .boxed(),
        Just(SystemEvent::Other).boxed(),
    ])
    .boxed()
}

pub fn app_detail() -> BoxedStrategy<AppDetail> {
    Union::new(vec![
        Just(AppDetail::Text).boxed(),
        (s(), s(), s())
            .prop_map(|(data_url, low_data_url, low_url)| AppDetail::Music {
                data_url,
                low_data_url,
                low_url,
            })
            .boxed(),
        Just(AppDetail::Video).boxed(),
        Just(AppDetail::Link).boxed(),
        (s(), any::<u64>(), s(), s())
            .prop_map(|(file_name, size, media_id, md5)| AppDetail::File {
                file_name,
                size,
                attach_id: media_id.clone(),
                ext: "pdf".into(),
                media_id,
                encry_file_name: String::new(),
                md5,
            })
            .boxed(),
        (s(), any::<Option<u64>>())
            .prop_map(|(md5, size)| AppDetail::Emoji { md5, size })
            .boxed(),
        Just(AppDetail::RealtimeLocation).boxed(),
        (s(), any::<Option<u64>>())
            .prop_map(|(user_name, version)| AppDetail::MiniProgram {
                user_name,
                app_id: "wx1".into(),
                page_path: String::new(),
                icon_url: String::new(),
                version,
            })
            .boxed(),
        (s(), any::<Option<u64>>())
            .prop_map(|(fee_desc, pay_subtype)| AppDetail::Transfer {
                fee_desc,
                pay_memo: String::new(),
                pay_subtype,
                transaction_id: "t".into(),
                transfer_id: "f".into(),
                invalid_time: None,
            })
            .boxed(),
        (s(), any::<Option<u64>>())
            .prop_map(|(receiver_title, invalid_time)| AppDetail::RedEnvelope {
                receiver_title,
                sender_title: String::new(),
                scene_text: String::new(),
                native_url: String::new(),
                icon_url: String::new(),
                invalid_time,
            })
            .boxed(),
        s().prop_map(|xml| AppDetail::Unknown { xml }).boxed(),
    ])
    .boxed()
}

pub fn message_kind() -> BoxedStrategy<MessageKind> {
    let coord = prop::option::of(-180.0f64..180.0);
    Union::new(vec![
        s().prop_map(|text| MessageKind::Text { text }).boxed(),
        (any::<u32>(), any::<Option<u64>>(), s())
            .prop_map(|(w, size, md5)| MessageKind::Image {
                thumb_width: w,
                thumb_height: w / 2,
                size,
                hd_size: None,
                thumb_size: size,
                md5,
            })
            .boxed(),
        (any::<u64>(), any::<Option<u64>>())
            .prop_map(|(duration_ms, size)| MessageKind::Voice {
                duration_ms,
                size,
                format: Some(4),
            })
            .boxed(),
        (recommend_contact(), s(), s(), any::<u32>())
            .prop_map(
                |(contact, greeting, ticket, scene)| MessageKind::FriendRequest {
                    contact,
                    greeting,
                    ticket,
                    scene,
                    op_code: 2,
                    chatroom: String::new(),
                },
            )
            .boxed(),
        (recommend_contact(), any::<u32>())
            .prop_map(|(contact, scene)| MessageKind::PossibleFriend { contact, scene })
            .boxed(),
        (recommend_contact(), any::<bool>(), s())
            .prop_map(
                |(contact, is_official, antispam_ticket)| MessageKind::Card {
                    contact,
                    is_official,
                    scene: 17,
                    antispam_ticket,
                },
            )
            .boxed(),
        video().prop_map(MessageKind::Video).boxed(),
        video().prop_map(MessageKind::MicroVideo).boxed(),
        (s(), any::<u32>(), any::<Option<u64>>())
            .prop_map(|(md5, width, size)| MessageKind::Emoticon {
                md5,
                cdn_url: String::new(),
                width,
                height: width,
                size,
                product_id: String::new(),
                emoji_type: Some(2),
            })
            .boxed(),
        (s(), coord.clone(), coord, any::<Option<u64>>())
            .prop_map(|(label, lat, lng, scale)| {
                let mut l = Location::default();
                l.label = label;
                l.lat = lat;
                l.lng = lng;
                l.scale = scale;
                MessageKind::Location(l)
            })
            .boxed(),
        (any::<u32>(), s(), app_detail())
            .prop_map(|(app_type, title, detail)| {
                let mut a = AppMessage::default();
                a.app_type = app_type;
                a.title = title;
                a.detail = detail;
                MessageKind::App(a)
            })
            .boxed(),
        (any::<u32>(), s(), any::<Option<u64>>())
            .prop_map(|(msg_type, text, room_id)| MessageKind::Voip {
                msg_type,
                text,
                room_id,
            })
            .boxed(),
        (any::<u32>(), prop::collection::vec(s(), 0..3))
            .prop_map(|(code, user_names)| MessageKind::StatusNotify {
                code,
                op: StatusNotifyOp::from_code(code),
                user_names,
            })
            .boxed(),
        s().prop_map(|text| MessageKind::SysNotice { text }).boxed(),
        (s(), system_event())
            .prop_map(|(text, event)| MessageKind::System { text, event })
            .boxed(),
        (
            s(),
            s(),
            s(),
            prop::option::of(party()),
            prop::option::of(revoked()),
        )
            .prop_map(
                |(revoked_msg_id, old_msg_id, replace_text, revoker, original)| {
                    MessageKind::Revoke {
                        revoked_msg_id,
                        old_msg_id,
                        session: String::new(),
                        replace_text,
                        revoker,
                        original,
                    }
                },
            )
            .boxed(),
        (any::<u32>(), s())
            .prop_map(|(msg_type, raw)| MessageKind::Unknown { msg_type, raw })
            .boxed(),
    ])
    .boxed()
}

pub fn message() -> impl Strategy<Value = Message> {
    (
        any::<u64>(),
        any::<u64>(),
        (s(), s(), any::<bool>(), any::<bool>()),
        message_kind(),
        (any::<u64>(), s(), any::<u32>(), any::<u64>()),
        prop::collection::vec(s(), 0..2),
    )
        .prop_map(
            |(
                id,
                new_id,
                (from, to, is_group, outgoing),
                kind,
                (qq, content, t, time),
                mentions,
            )| {
                let raw = RawMessage {
                    msg_id: id.to_string(),
                    from_user_name: from.clone(),
                    to_user_name: to.clone(),
                    msg_type: t,
                    content,
                    create_time: time,
                    new_msg_id: new_id,
                    recommend_info: webwx_core::message::RawRecommendInfo {
                        qq_num: qq,
                        ..Default::default()
                    },
                    ..RawMessage::default()
                };
                // `Message` is built by the core only: type the raw entry, then set
                // every field to the generated value.
                let mut m = Message::from_raw(
                    raw,
                    &webwx_core::message::SelfInfo::default(),
                    &webwx_core::message::NoGroupNames,
                );
                m.id = id.to_string();
                m.new_id = new_id;
                m.chat = from.clone();
                m.sender = from.clone();
                m.from = from;
                m.to = to;
                m.is_group = is_group;
                m.outgoing = outgoing;
                m.time = time;
                m.mentioned_me = is_group && !outgoing;
                m.mentioned_names = mentions.clone();
                m.mentions = mentions;
                m.kind = kind;
                m
            },
        )
}

pub fn failure() -> BoxedStrategy<CommandFailure> {
    Union::new(vec![
        (ret(), s())
            .prop_map(|(ret, message)| CommandFailure::Refused { ret, message })
            .boxed(),
        transport_kind()
            .prop_map(|kind| CommandFailure::Transport { kind })
            .boxed(),
        parse_error()
            .prop_map(|error| CommandFailure::Protocol { error })
            .boxed(),
        Just(CommandFailure::SessionEnded).boxed(),
        Just(CommandFailure::Cancelled).boxed(),
    ])
    .boxed()
}

pub fn op_kind() -> impl Strategy<Value = OpKind> {
    prop::sample::select(vec![
        OpKind::Revoke,
        OpKind::MarkRead,
        OpKind::AddFriend,
        OpKind::AcceptFriend,
        OpKind::CreateGroup,
        OpKind::AddMembers,
        OpKind::InviteMembers,
        OpKind::RemoveMembers,
        OpKind::RenameGroup,
        OpKind::SetRemark,
        OpKind::Pin,
        OpKind::Unpin,
        OpKind::FetchGroupMembers,
    ])
}

pub fn op_outcome() -> impl Strategy<Value = OpOutcome> {
    prop_oneof![
        Just(OpOutcome::Done),
        (s(), s(), prop::collection::vec(s(), 0..3)).prop_map(|(group, topic, failed)| {
            OpOutcome::GroupCreated {
                group,
                topic,
                failed,
            }
        }),
        (s(), any::<u16>()).prop_map(|(group, n)| OpOutcome::MembersFetched {
            group,
            members: usize::from(n),
        }),
    ]
}

pub fn command_event() -> BoxedStrategy<CommandEvent> {
    let local = || "[0-9]{17}".prop_map(LocalId);
    Union::new(vec![
        (local(), "[0-9]{1,20}")
            .prop_map(|(local_id, msg_id)| CommandEvent::Sent { local_id, msg_id })
            .boxed(),
        (local(), failure())
            .prop_map(|(local_id, error)| CommandEvent::SendFailed { local_id, error })
            .boxed(),
        (any::<u64>(), any::<u64>(), any::<u64>(), any::<bool>())
            .prop_map(|(u, offset, len, check)| CommandEvent::UploadNeedsData {
                upload: UploadId(u),
                offset,
                len,
                purpose: if check {
                    DataPurpose::Checksum
                } else {
                    DataPurpose::Upload
                },
            })
            .boxed(),
        (any::<u64>(), local(), any::<u64>(), any::<u64>())
            .prop_map(|(u, local_id, sent, total)| CommandEvent::UploadProgress {
                upload: UploadId(u),
                local_id,
                sent,
                total,
            })
            .boxed(),
        (any::<u64>(), local(), s())
            .prop_map(|(u, local_id, media_id)| CommandEvent::Uploaded {
                upload: UploadId(u),
                local_id,
                media_id,
            })
            .boxed(),
        (
            any::<u64>(),
            prop::collection::vec(any::<u8>(), 0..64),
            s(),
            s(),
        )
            .prop_map(|(d, bytes, content_type, name)| {
                let what = Download::Voice { msg_id: name };
                CommandEvent::Downloaded {
                    download: DownloadId(d),
                    media: DownloadedMedia::new(
                        &what,
                        MediaBody {
                            bytes,
                            content_type,
                        },
                    ),
                }
            })
            .boxed(),
        (any::<u64>(), failure())
            .prop_map(|(d, error)| CommandEvent::DownloadFailed {
                download: DownloadId(d),
                error,
            })
            .boxed(),
        (any::<u64>(), op_kind(), op_outcome())
            .prop_map(|(op, what, outcome)| CommandEvent::OpDone {
                op: OpId(op),
                what,
                outcome,
            })
            .boxed(),
        (any::<u64>(), op_kind(), failure())
            .prop_map(|(op, what, error)| CommandEvent::OpFailed {
                op: OpId(op),
                what,
                error,
            })
            .boxed(),
    ])
    .boxed()
}

/// Every kind of event.
pub fn event() -> BoxedStrategy<Event> {
    Union::new(vec![
        (s(), s(), s())
            .prop_map(|(uuid, url, image_url)| Event::QrCode {
                uuid,
                url,
                image_url,
            })
            .boxed(),
        prop::option::of(s())
            .prop_map(|avatar| Event::Scanned { avatar })
            .boxed(),
        Just(Event::QrExpired).boxed(),
        Just(Event::QrCancelled).boxed(),
        Just(Event::PushLoginSent).boxed(),
        s().prop_map(|reason| Event::PushLoginFailed { reason })
            .boxed(),
        ret().prop_map(|ret| Event::ResumeFailed { ret }).boxed(),
        (s(), s())
            .prop_map(|(user_name, nick_name)| Event::LoggedIn {
                user_name,
                nick_name,
            })
            .boxed(),
        any::<(u16, u16, u16)>()
            .prop_map(|(friends, groups, special)| {
                let mut summary = ContactSummary::default();
                summary.total = usize::from(friends) + usize::from(groups) + usize::from(special);
                summary.friends = usize::from(friends);
                summary.groups = usize::from(groups);
                summary.special = usize::from(special);
                Event::ContactsLoaded(summary)
            })
            .boxed(),
        Just(Event::Ready).boxed(),
        contact_change().prop_map(Event::Contact).boxed(),
        message().prop_map(|m| Event::Message(Box::new(m))).boxed(),
        Just(Event::SessionChanged).boxed(),
        logout_reason()
            .prop_map(|reason| Event::LoggedOut { reason })
            .boxed(),
        command_event().prop_map(Event::Command).boxed(),
    ])
    .boxed()
}
