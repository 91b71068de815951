//! The JSON shapes of the real server, field for field and in the real order,
//! and its two text layouts (compact with `": "`, and pretty with four spaces).

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter, Serializer};

use crate::world::account::{Contact, Me, Member};
use crate::world::message::Message;
use crate::world::session::SyncLog;

/// Compact JSON the way small answers look: `{"BaseResponse": {"Ret": 0,"ErrMsg": ""},"MsgID": "1"}`.
struct WxFormatter;

impl Formatter for WxFormatter {
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}

/// Serializes with `formatter`; `{}` if the value cannot be serialized.
fn serialize_with<T: Serialize, F: Formatter>(v: &T, formatter: F) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = Serializer::with_formatter(&mut out, formatter);
    if v.serialize(&mut ser).is_err() {
        return b"{}".to_vec();
    }
    out
}

/// Serializes with the compact real-server layout.
pub(crate) fn to_text<T: Serialize>(v: &T) -> Vec<u8> {
    serialize_with(v, WxFormatter)
}

/// Serializes pretty-printed with four spaces, like init / getcontact / sync answers.
pub(crate) fn to_pretty<T: Serialize>(v: &T) -> Vec<u8> {
    serialize_with(v, PrettyFormatter::with_indent(b"    "))
}

/// `BaseResponse`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BaseResponse {
    #[serde(rename = "Ret")]
    pub ret: i64,
    #[serde(rename = "ErrMsg")]
    pub err_msg: String,
}

/// `{"Ret": ret, "ErrMsg": ""}`.
pub(crate) fn base(ret: i64) -> BaseResponse {
    BaseResponse {
        ret,
        err_msg: String::new(),
    }
}

/// An answer that is only a BaseResponse.
#[derive(Debug, Serialize)]
pub(crate) struct BareResponse {
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
}

/// `{"BaseResponse": {...}}`.
pub(crate) fn bare(ret: i64) -> BareResponse {
    BareResponse {
        base_response: base(ret),
    }
}

/// A group member in a contact's `MemberList`.
#[derive(Debug, Serialize)]
pub(crate) struct MemberJson {
    #[serde(rename = "Uin")]
    pub uin: u64,
    #[serde(rename = "UserName")]
    pub user_name: String,
    #[serde(rename = "NickName")]
    pub nick_name: String,
    #[serde(rename = "AttrStatus")]
    pub attr_status: u32,
    #[serde(rename = "PYInitial")]
    pub py_initial: String,
    #[serde(rename = "PYQuanPin")]
    pub py_quan_pin: String,
    #[serde(rename = "RemarkPYInitial")]
    pub remark_py_initial: String,
    #[serde(rename = "RemarkPYQuanPin")]
    pub remark_py_quan_pin: String,
    #[serde(rename = "MemberStatus")]
    pub member_status: u32,
    #[serde(rename = "DisplayName")]
    pub display_name: String,
    #[serde(rename = "KeyWord")]
    pub key_word: String,
}

/// A member as the real server lists it.
pub(crate) fn member_json(m: &Member) -> MemberJson {
    MemberJson {
        uin: 0,
        user_name: m.user_name.clone(),
        nick_name: m.nick_name.clone(),
        attr_status: m.attr_status,
        py_initial: String::new(),
        py_quan_pin: String::new(),
        remark_py_initial: String::new(),
        remark_py_quan_pin: String::new(),
        member_status: 0,
        display_name: m.display_name.clone(),
        key_word: m.key_word.clone(),
    }
}

/// A contact (ContactList, MemberList of getcontact, ModContactList).
#[derive(Debug, Serialize)]
pub(crate) struct ContactJson {
    #[serde(rename = "Uin")]
    pub uin: u64,
    #[serde(rename = "UserName")]
    pub user_name: String,
    #[serde(rename = "NickName")]
    pub nick_name: String,
    #[serde(rename = "HeadImgUrl")]
    pub head_img_url: String,
    #[serde(rename = "ContactFlag")]
    pub contact_flag: u32,
    #[serde(rename = "MemberCount")]
    pub member_count: usize,
    #[serde(rename = "MemberList")]
    pub member_list: Vec<MemberJson>,
    #[serde(rename = "RemarkName")]
    pub remark_name: String,
    #[serde(rename = "HideInputBarFlag")]
    pub hide_input_bar_flag: u32,
    #[serde(rename = "Sex")]
    pub sex: u8,
    #[serde(rename = "Signature")]
    pub signature: String,
    #[serde(rename = "VerifyFlag")]
    pub verify_flag: u32,
    #[serde(rename = "OwnerUin")]
    pub owner_uin: u64,
    #[serde(rename = "PYInitial")]
    pub py_initial: String,
    #[serde(rename = "PYQuanPin")]
    pub py_quan_pin: String,
    #[serde(rename = "RemarkPYInitial")]
    pub remark_py_initial: String,
    #[serde(rename = "RemarkPYQuanPin")]
    pub remark_py_quan_pin: String,
    #[serde(rename = "StarFriend")]
    pub star_friend: u32,
    #[serde(rename = "AppAccountFlag")]
    pub app_account_flag: u32,
    #[serde(rename = "Statues")]
    pub statues: u32,
    #[serde(rename = "AttrStatus")]
    pub attr_status: u32,
    #[serde(rename = "Province")]
    pub province: String,
    #[serde(rename = "City")]
    pub city: String,
    #[serde(rename = "Alias")]
    pub alias: String,
    #[serde(rename = "SnsFlag")]
    pub sns_flag: u32,
    #[serde(rename = "UniFriend")]
    pub uni_friend: u32,
    #[serde(rename = "DisplayName")]
    pub display_name: String,
    #[serde(rename = "ChatRoomId")]
    pub chat_room_id: u64,
    #[serde(rename = "KeyWord")]
    pub key_word: String,
    #[serde(rename = "EncryChatRoomId")]
    pub encry_chat_room_id: String,
    #[serde(rename = "IsOwner")]
    pub is_owner: u32,
}

/// How much of a group's membership a contact entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Members {
    /// `MemberCount` and the full `MemberList`.
    Full,
    /// `MemberCount 0`, empty list: the client fetches them with batchgetcontact.
    Deferred,
}

/// The avatar URL of a user name.
pub(crate) fn head_img_url(user_name: &str, seq: u32, skey: &str) -> String {
    if user_name.starts_with("@@") {
        format!("/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq={seq}&username={user_name}&skey={skey}")
    } else {
        format!("/cgi-bin/mmwebwx-bin/webwxgeticon?seq={seq}&username={user_name}&skey={skey}")
    }
}

/// A contact as the real server lists it.
pub(crate) fn contact_json(c: &Contact, skey: &str, members: Members) -> ContactJson {
    let (member_count, member_list, encry, is_owner, owner_uin) = match &c.group {
        Some(g) if members == Members::Full => (
            g.members.len(),
            g.members.iter().map(member_json).collect(),
            g.encry_chat_room_id.clone(),
            u32::from(g.is_owner),
            g.owner_uin,
        ),
        Some(g) => (
            0,
            Vec::new(),
            g.encry_chat_room_id.clone(),
            u32::from(g.is_owner),
            g.owner_uin,
        ),
        None => (0, Vec::new(), String::new(), 0, 0),
    };
    ContactJson {
        uin: 0,
        user_name: c.user_name.clone(),
        nick_name: c.nick_name.clone(),
        head_img_url: head_img_url(
            &c.user_name,
            if c.is_group() { 0 } else { c.head_seq },
            skey,
        ),
        contact_flag: c.contact_flag,
        member_count,
        member_list,
        remark_name: c.remark_name.clone(),
        hide_input_bar_flag: 0,
        sex: c.sex,
        signature: c.signature.clone(),
        verify_flag: c.verify_flag,
        owner_uin,
        py_initial: c.py_initial.clone(),
        py_quan_pin: c.py_quanpin.clone(),
        remark_py_initial: c.remark_py_initial.clone(),
        remark_py_quan_pin: c.remark_py_quanpin.clone(),
        star_friend: 0,
        app_account_flag: 0,
        statues: u32::from(c.is_group()),
        attr_status: c.attr_status,
        province: c.province.clone(),
        city: c.city.clone(),
        alias: c.alias.clone(),
        sns_flag: c.sns_flag,
        uni_friend: 0,
        display_name: String::new(),
        chat_room_id: 0,
        key_word: c.key_word.clone(),
        encry_chat_room_id: encry,
        is_owner,
    }
}

/// `User` of webwxinit.
#[derive(Debug, Serialize)]
pub(crate) struct UserJson {
    #[serde(rename = "Uin")]
    pub uin: u64,
    #[serde(rename = "UserName")]
    pub user_name: String,
    #[serde(rename = "NickName")]
    pub nick_name: String,
    #[serde(rename = "HeadImgUrl")]
    pub head_img_url: String,
    #[serde(rename = "RemarkName")]
    pub remark_name: String,
    #[serde(rename = "PYInitial")]
    pub py_initial: String,
    #[serde(rename = "PYQuanPin")]
    pub py_quan_pin: String,
    #[serde(rename = "RemarkPYInitial")]
    pub remark_py_initial: String,
    #[serde(rename = "RemarkPYQuanPin")]
    pub remark_py_quan_pin: String,
    #[serde(rename = "HideInputBarFlag")]
    pub hide_input_bar_flag: u32,
    #[serde(rename = "StarFriend")]
    pub star_friend: u32,
    #[serde(rename = "Sex")]
    pub sex: u8,
    #[serde(rename = "Signature")]
    pub signature: String,
    #[serde(rename = "AppAccountFlag")]
    pub app_account_flag: u32,
    #[serde(rename = "VerifyFlag")]
    pub verify_flag: u32,
    #[serde(rename = "ContactFlag")]
    pub contact_flag: u32,
    #[serde(rename = "WebWxPluginSwitch")]
    pub web_wx_plugin_switch: u32,
    #[serde(rename = "HeadImgFlag")]
    pub head_img_flag: u32,
    #[serde(rename = "SnsFlag")]
    pub sns_flag: u32,
}

/// The account itself as webwxinit's `User`.
pub(crate) fn user_json(uin: u64, me: &Me, skey: &str) -> UserJson {
    UserJson {
        uin,
        user_name: me.user_name.clone(),
        nick_name: me.nick_name.clone(),
        head_img_url: head_img_url(&me.user_name, me.head_seq, skey),
        remark_name: String::new(),
        py_initial: String::new(),
        py_quan_pin: String::new(),
        remark_py_initial: String::new(),
        remark_py_quan_pin: String::new(),
        hide_input_bar_flag: 0,
        star_friend: 0,
        sex: me.sex,
        signature: me.signature.clone(),
        app_account_flag: 0,
        verify_flag: 0,
        contact_flag: 0,
        web_wx_plugin_switch: 0,
        head_img_flag: 1,
        sns_flag: 17,
    }
}

/// One `{Key, Val}`.
#[derive(Debug, Serialize)]
pub(crate) struct KeyVal {
    #[serde(rename = "Key")]
    pub key: u64,
    #[serde(rename = "Val")]
    pub val: u64,
}

/// `SyncKey` / `SyncCheckKey`.
#[derive(Debug, Serialize)]
pub(crate) struct SyncKeyJson {
    #[serde(rename = "Count")]
    pub count: usize,
    #[serde(rename = "List")]
    pub list: Vec<KeyVal>,
}

fn key_list(pairs: Vec<(u64, u64)>) -> SyncKeyJson {
    SyncKeyJson {
        count: pairs.len(),
        list: pairs
            .into_iter()
            .map(|(key, val)| KeyVal { key, val })
            .collect(),
    }
}

/// The SyncKey for position `seq` of a log.
pub(crate) fn sync_key(log: &SyncLog, seq: u64, login_time: u64) -> SyncKeyJson {
    key_list(vec![
        (1, log.base1 + seq),
        (2, log.base2 + seq),
        (3, log.base3),
        (1000, login_time),
    ])
}

/// The SyncCheckKey for position `seq` of a log (more keys, same Key 1).
pub(crate) fn sync_check_key(log: &SyncLog, seq: u64, login_time: u64, now: u64) -> SyncKeyJson {
    key_list(vec![
        (1, log.base1 + seq),
        (2, log.base2 + seq),
        (3, log.base3),
        (11, log.base2 - 700),
        (201, now),
        (1000, login_time),
        (1001, login_time + 73),
    ])
}

/// `RecommendInfo`.
#[derive(Debug, Serialize)]
pub(crate) struct RecommendJson {
    #[serde(rename = "UserName")]
    pub user_name: String,
    #[serde(rename = "NickName")]
    pub nick_name: String,
    #[serde(rename = "QQNum")]
    pub qq_num: u64,
    #[serde(rename = "Province")]
    pub province: String,
    #[serde(rename = "City")]
    pub city: String,
    #[serde(rename = "Content")]
    pub content: String,
    #[serde(rename = "Signature")]
    pub signature: String,
    #[serde(rename = "Alias")]
    pub alias: String,
    #[serde(rename = "Scene")]
    pub scene: u32,
    #[serde(rename = "VerifyFlag")]
    pub verify_flag: u32,
    #[serde(rename = "AttrStatus")]
    pub attr_status: u32,
    #[serde(rename = "Sex")]
    pub sex: u8,
    #[serde(rename = "Ticket")]
    pub ticket: String,
    #[serde(rename = "OpCode")]
    pub op_code: u32,
}

/// `AppInfo`.
#[derive(Debug, Serialize)]
pub(crate) struct AppInfoJson {
    #[serde(rename = "AppID")]
    pub app_id: String,
    #[serde(rename = "Type")]
    pub kind: u32,
}

/// One AddMsgList entry.
#[derive(Debug, Serialize)]
pub(crate) struct MsgJson {
    #[serde(rename = "MsgId")]
    pub msg_id: String,
    #[serde(rename = "FromUserName")]
    pub from_user_name: String,
    #[serde(rename = "ToUserName")]
    pub to_user_name: String,
    #[serde(rename = "MsgType")]
    pub msg_type: u32,
    #[serde(rename = "Content")]
    pub content: String,
    #[serde(rename = "Status")]
    pub status: u32,
    #[serde(rename = "ImgStatus")]
    pub img_status: u32,
    #[serde(rename = "CreateTime")]
    pub create_time: u64,
    #[serde(rename = "VoiceLength")]
    pub voice_length: u64,
    #[serde(rename = "PlayLength")]
    pub play_length: u64,
    #[serde(rename = "FileName")]
    pub file_name: String,
    #[serde(rename = "FileSize")]
    pub file_size: String,
    #[serde(rename = "MediaId")]
    pub media_id: String,
    #[serde(rename = "Url")]
    pub url: String,
    #[serde(rename = "AppMsgType")]
    pub app_msg_type: u32,
    #[serde(rename = "StatusNotifyCode")]
    pub status_notify_code: u32,
    #[serde(rename = "StatusNotifyUserName")]
    pub status_notify_user_name: String,
    #[serde(rename = "RecommendInfo")]
    pub recommend_info: RecommendJson,
    #[serde(rename = "ForwardFlag")]
    pub forward_flag: u32,
    #[serde(rename = "AppInfo")]
    pub app_info: AppInfoJson,
    #[serde(rename = "HasProductId")]
    pub has_product_id: u32,
    #[serde(rename = "Ticket")]
    pub ticket: String,
    #[serde(rename = "ImgHeight")]
    pub img_height: u32,
    #[serde(rename = "ImgWidth")]
    pub img_width: u32,
    #[serde(rename = "SubMsgType")]
    pub sub_msg_type: u32,
    #[serde(rename = "NewMsgId")]
    pub new_msg_id: u64,
    #[serde(rename = "OriContent")]
    pub ori_content: String,
    #[serde(rename = "EncryFileName")]
    pub encry_file_name: String,
}

/// A message as the real server delivers it.
pub(crate) fn msg_json(m: &Message) -> MsgJson {
    let r = m.recommend.clone().unwrap_or_default();
    MsgJson {
        msg_id: m.msg_id.to_string(),
        from_user_name: m.from.clone(),
        to_user_name: m.to.clone(),
        msg_type: m.msg_type,
        content: m.content.clone(),
        status: m.status,
        img_status: m.img_status,
        create_time: m.create_time,
        voice_length: m.voice_length,
        play_length: m.play_length,
        file_name: m.file_name.clone(),
        file_size: m.file_size.clone(),
        media_id: m.media_id.clone(),
        url: m.url.clone(),
        app_msg_type: m.app_msg_type,
        status_notify_code: m.status_notify_code,
        status_notify_user_name: m.status_notify_user_name.clone(),
        recommend_info: RecommendJson {
            user_name: r.user_name,
            nick_name: r.nick_name,
            qq_num: 0,
            province: r.province,
            city: r.city,
            content: r.content,
            signature: r.signature,
            alias: r.alias,
            scene: r.scene,
            verify_flag: 0,
            attr_status: 0,
            sex: r.sex,
            ticket: r.ticket,
            op_code: r.op_code,
        },
        forward_flag: 0,
        app_info: AppInfoJson {
            app_id: String::new(),
            kind: 0,
        },
        has_product_id: 0,
        ticket: m.ticket.clone(),
        img_height: m.img_height,
        img_width: m.img_width,
        sub_msg_type: m.sub_msg_type,
        new_msg_id: m.msg_id,
        ori_content: m.ori_content.clone(),
        encry_file_name: m.encry_file_name.clone(),
    }
}

/// `{"Buff": ..}`.
#[derive(Debug, Serialize)]
pub(crate) struct Buff {
    #[serde(rename = "Buff")]
    pub buff: String,
}

/// `Profile` of webwxsync.
#[derive(Debug, Serialize)]
pub(crate) struct ProfileJson {
    #[serde(rename = "BitFlag")]
    pub bit_flag: u32,
    #[serde(rename = "UserName")]
    pub user_name: Buff,
    #[serde(rename = "NickName")]
    pub nick_name: Buff,
    #[serde(rename = "BindUin")]
    pub bind_uin: u64,
    #[serde(rename = "BindEmail")]
    pub bind_email: Buff,
    #[serde(rename = "BindMobile")]
    pub bind_mobile: Buff,
    #[serde(rename = "Status")]
    pub status: u32,
    #[serde(rename = "Sex")]
    pub sex: u8,
    #[serde(rename = "PersonalCard")]
    pub personal_card: u32,
    #[serde(rename = "Alias")]
    pub alias: String,
    #[serde(rename = "HeadImgUpdateFlag")]
    pub head_img_update_flag: u32,
    #[serde(rename = "HeadImgUrl")]
    pub head_img_url: String,
    #[serde(rename = "Signature")]
    pub signature: String,
}

/// The unchanged profile (BitFlag 0) every sync answer carries.
pub(crate) fn empty_profile() -> ProfileJson {
    ProfileJson {
        bit_flag: 0,
        user_name: Buff {
            buff: String::new(),
        },
        nick_name: Buff {
            buff: String::new(),
        },
        bind_uin: 0,
        bind_email: Buff {
            buff: String::new(),
        },
        bind_mobile: Buff {
            buff: String::new(),
        },
        status: 0,
        sex: 0,
        personal_card: 0,
        alias: String::new(),
        head_img_update_flag: 0,
        head_img_url: String::new(),
        signature: String::new(),
    }
}

/// The profile after the account changed it on the phone (BitFlag 190).
pub(crate) fn changed_profile(me: &Me, skey: &str) -> ProfileJson {
    ProfileJson {
        bit_flag: 190,
        user_name: Buff {
            buff: me.user_name.clone(),
        },
        nick_name: Buff {
            buff: me.nick_name.clone(),
        },
        sex: me.sex,
        head_img_update_flag: 1,
        head_img_url: head_img_url(&me.user_name, me.head_seq, skey),
        signature: me.signature.clone(),
        ..empty_profile()
    }
}

/// `DelContactList` entry.
#[derive(Debug, Serialize)]
pub(crate) struct DelContactJson {
    #[serde(rename = "UserName")]
    pub user_name: String,
    #[serde(rename = "ContactFlag")]
    pub contact_flag: u32,
}

/// The webwxsync answer.
#[derive(Debug, Serialize)]
pub(crate) struct SyncJson {
    #[serde(rename = "BaseResponse")]
    pub base_response: BaseResponse,
    #[serde(rename = "AddMsgCount")]
    pub add_msg_count: usize,
    #[serde(rename = "AddMsgList")]
    pub add_msg_list: Vec<MsgJson>,
    #[serde(rename = "ModContactCount")]
    pub mod_contact_count: usize,
    #[serde(rename = "ModContactList")]
    pub mod_contact_list: Vec<ContactJson>,
    #[serde(rename = "DelContactCount")]
    pub del_contact_count: usize,
    #[serde(rename = "DelContactList")]
    pub del_contact_list: Vec<DelContactJson>,
    #[serde(rename = "ModChatRoomMemberCount")]
    pub mod_chat_room_member_count: usize,
    #[serde(rename = "ModChatRoomMemberList")]
    pub mod_chat_room_member_list: Vec<ContactJson>,
    #[serde(rename = "Profile")]
    pub profile: ProfileJson,
    #[serde(rename = "ContinueFlag")]
    pub continue_flag: u32,
    #[serde(rename = "SyncKey")]
    pub sync_key: SyncKeyJson,
    #[serde(rename = "SKey")]
    pub skey: String,
    #[serde(rename = "SyncCheckKey")]
    pub sync_check_key: SyncKeyJson,
}

/// The failed webwxsync answer (every list empty, `SyncKey` Count 0), as captured.
pub(crate) fn sync_error(ret: i64) -> SyncJson {
    SyncJson {
        base_response: base(ret),
        add_msg_count: 0,
        add_msg_list: Vec::new(),
        mod_contact_count: 0,
        mod_contact_list: Vec::new(),
        del_contact_count: 0,
        del_contact_list: Vec::new(),
        mod_chat_room_member_count: 0,
        mod_chat_room_member_list: Vec::new(),
        profile: empty_profile(),
        continue_flag: 0,
        sync_key: key_list(Vec::new()),
        skey: String::new(),
        sync_check_key: key_list(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_layout_matches_capture() {
        #[derive(Serialize)]
        struct R {
            #[serde(rename = "BaseResponse")]
            b: BaseResponse,
            #[serde(rename = "MsgID")]
            id: String,
        }
        let s = to_text(&R {
            b: base(0),
            id: "8032721323945545465".into(),
        });
        assert_eq!(
            String::from_utf8(s).unwrap(),
            r#"{"BaseResponse": {"Ret": 0,"ErrMsg": ""},"MsgID": "8032721323945545465"}"#
        );
    }
}
