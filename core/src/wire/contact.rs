//! The contact object as the server sends it (webwxinit `User`/`ContactList`,
//! webwxgetcontact `MemberList`, webwxbatchgetcontact `ContactList`, webwxsync
//! `ModContactList`).

use super::lenient;
use super::record::record;
use serde::Serialize;

/// A contact, group or official account as on the wire. Every field is optional on input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RawContact {
    /// Uin (usually 0 for others).
    pub uin: u64,
    /// Session-scoped id: `@hex` for people, `@@hex` for groups, fixed names for specials.
    pub user_name: String,
    /// Nickname (may contain emoji spans and entities).
    pub nick_name: String,
    /// Avatar path on the content host.
    pub head_img_url: String,
    /// `CONTACTFLAG_*` bits.
    pub contact_flag: u64,
    /// Number of members (groups).
    pub member_count: u64,
    /// Members (groups).
    pub member_list: Vec<RawMember>,
    /// Remark (alias) name set by the user.
    pub remark_name: String,
    /// Whether the current user hides this contact.
    pub hide_input_bar_flag: u64,
    /// 0 unknown, 1 male, 2 female.
    pub sex: u64,
    /// Signature.
    pub signature: String,
    /// `MM_USERATTRVERIFYFALG_*` bits; `& 8` is an official account.
    pub verify_flag: u64,
    /// Owner uin (groups).
    pub owner_uin: u64,
    /// Pinyin initials.
    #[serde(rename = "PYInitial")]
    pub py_initial: String,
    /// Full pinyin.
    #[serde(rename = "PYQuanPin")]
    pub py_quan_pin: String,
    /// Remark pinyin initials.
    #[serde(rename = "RemarkPYInitial")]
    pub remark_py_initial: String,
    /// Remark full pinyin.
    #[serde(rename = "RemarkPYQuanPin")]
    pub remark_py_quan_pin: String,
    /// Star flag.
    pub star_friend: u64,
    /// Apps flag.
    pub app_account_flag: u64,
    /// Group notify status (`Statues`, sic): 0 muted, 1 notify.
    pub statues: u64,
    /// Attribute status bits.
    pub attr_status: u64,
    /// Province.
    pub province: String,
    /// City.
    pub city: String,
    /// WeChat id (often empty).
    pub alias: String,
    /// Moments flag.
    pub sns_flag: u64,
    /// Unified friend flag.
    pub uni_friend: u64,
    /// The user's display name in a group (members, and in batchgetcontact of a group).
    pub display_name: String,
    /// Chat room id.
    pub chat_room_id: u64,
    /// Keyword (official accounts, specials).
    pub key_word: String,
    /// Encrypted chat room id, needed to fetch members and their avatars.
    pub encry_chat_room_id: String,
    /// Whether the current user owns the group.
    pub is_owner: u64,
}

record!(RawContact {
    "Uin" => uin: lenient::u64,
    "UserName" => user_name: lenient::string,
    "NickName" => nick_name: lenient::string,
    "HeadImgUrl" => head_img_url: lenient::string,
    "ContactFlag" => contact_flag: lenient::u64,
    "MemberCount" => member_count: lenient::u64,
    "MemberList" => member_list: lenient::vec,
    "RemarkName" => remark_name: lenient::string,
    "HideInputBarFlag" => hide_input_bar_flag: lenient::u64,
    "Sex" => sex: lenient::u64,
    "Signature" => signature: lenient::string,
    "VerifyFlag" => verify_flag: lenient::u64,
    "OwnerUin" => owner_uin: lenient::u64,
    "PYInitial" => py_initial: lenient::string,
    "PYQuanPin" => py_quan_pin: lenient::string,
    "RemarkPYInitial" => remark_py_initial: lenient::string,
    "RemarkPYQuanPin" => remark_py_quan_pin: lenient::string,
    "StarFriend" => star_friend: lenient::u64,
    "AppAccountFlag" => app_account_flag: lenient::u64,
    "Statues" => statues: lenient::u64,
    "AttrStatus" => attr_status: lenient::u64,
    "Province" => province: lenient::string,
    "City" => city: lenient::string,
    "Alias" => alias: lenient::string,
    "SnsFlag" => sns_flag: lenient::u64,
    "UniFriend" => uni_friend: lenient::u64,
    "DisplayName" => display_name: lenient::string,
    "ChatRoomId" => chat_room_id: lenient::u64,
    "KeyWord" => key_word: lenient::string,
    "EncryChatRoomId" => encry_chat_room_id: lenient::string,
    "IsOwner" => is_owner: lenient::u64,
});

/// A group member as in `MemberList`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RawMember {
    /// Uin (usually 0).
    pub uin: u64,
    /// Member's UserName.
    pub user_name: String,
    /// Member's nickname.
    pub nick_name: String,
    /// Attribute status.
    pub attr_status: u64,
    /// Pinyin initials.
    #[serde(rename = "PYInitial")]
    pub py_initial: String,
    /// Full pinyin.
    #[serde(rename = "PYQuanPin")]
    pub py_quan_pin: String,
    /// Remark pinyin initials.
    #[serde(rename = "RemarkPYInitial")]
    pub remark_py_initial: String,
    /// Remark full pinyin.
    #[serde(rename = "RemarkPYQuanPin")]
    pub remark_py_quan_pin: String,
    /// Member status.
    pub member_status: u64,
    /// Display name in the group.
    pub display_name: String,
    /// Key word.
    pub key_word: String,
}

record!(RawMember {
    "Uin" => uin: lenient::u64,
    "UserName" => user_name: lenient::string,
    "NickName" => nick_name: lenient::string,
    "AttrStatus" => attr_status: lenient::u64,
    "PYInitial" => py_initial: lenient::string,
    "PYQuanPin" => py_quan_pin: lenient::string,
    "RemarkPYInitial" => remark_py_initial: lenient::string,
    "RemarkPYQuanPin" => remark_py_quan_pin: lenient::string,
    "MemberStatus" => member_status: lenient::u64,
    "DisplayName" => display_name: lenient::string,
    "KeyWord" => key_word: lenient::string,
});
