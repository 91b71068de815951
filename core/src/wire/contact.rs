//! The contact object as the server sends it (webwxinit `User`/`ContactList`,
//! webwxgetcontact `MemberList`, webwxbatchgetcontact `ContactList`, webwxsync
//! `ModContactList`).

use super::lenient;
use serde::{Deserialize, Serialize};

/// A contact, group or official account as on the wire. Every field is optional on input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RawContact {
    /// Uin (usually 0 for others).
    #[serde(deserialize_with = "lenient::u64")]
    pub uin: u64,
    /// Session-scoped id: `@hex` for people, `@@hex` for groups, fixed names for specials.
    #[serde(deserialize_with = "lenient::string")]
    pub user_name: String,
    /// Nickname (may contain emoji spans and entities).
    #[serde(deserialize_with = "lenient::string")]
    pub nick_name: String,
    /// Avatar path on the content host.
    #[serde(deserialize_with = "lenient::string")]
    pub head_img_url: String,
    /// `CONTACTFLAG_*` bits.
    #[serde(deserialize_with = "lenient::u64")]
    pub contact_flag: u64,
    /// Number of members (groups).
    #[serde(deserialize_with = "lenient::u64")]
    pub member_count: u64,
    /// Members (groups).
    #[serde(deserialize_with = "lenient::vec")]
    pub member_list: Vec<RawMember>,
    /// Remark (alias) name set by the user.
    #[serde(deserialize_with = "lenient::string")]
    pub remark_name: String,
    /// Whether the current user hides this contact.
    #[serde(deserialize_with = "lenient::u64")]
    pub hide_input_bar_flag: u64,
    /// 0 unknown, 1 male, 2 female.
    #[serde(deserialize_with = "lenient::u64")]
    pub sex: u64,
    /// Signature.
    #[serde(deserialize_with = "lenient::string")]
    pub signature: String,
    /// `MM_USERATTRVERIFYFALG_*` bits; `& 8` is an official account.
    #[serde(deserialize_with = "lenient::u64")]
    pub verify_flag: u64,
    /// Owner uin (groups).
    #[serde(deserialize_with = "lenient::u64")]
    pub owner_uin: u64,
    /// Pinyin initials.
    #[serde(rename = "PYInitial", deserialize_with = "lenient::string")]
    pub py_initial: String,
    /// Full pinyin.
    #[serde(rename = "PYQuanPin", deserialize_with = "lenient::string")]
    pub py_quan_pin: String,
    /// Remark pinyin initials.
    #[serde(rename = "RemarkPYInitial", deserialize_with = "lenient::string")]
    pub remark_py_initial: String,
    /// Remark full pinyin.
    #[serde(rename = "RemarkPYQuanPin", deserialize_with = "lenient::string")]
    pub remark_py_quan_pin: String,
    /// Star flag.
    #[serde(deserialize_with = "lenient::u64")]
    pub star_friend: u64,
    /// Apps flag.
    #[serde(deserialize_with = "lenient::u64")]
    pub app_account_flag: u64,
    /// Group notify status (`Statues`, sic): 0 muted, 1 notify.
    #[serde(deserialize_with = "lenient::u64")]
    pub statues: u64,
    /// Attribute status bits.
    #[serde(deserialize_with = "lenient::u64")]
    pub attr_status: u64,
    /// Province.
    #[serde(deserialize_with = "lenient::string")]
    pub province: String,
    /// City.
    #[serde(deserialize_with = "lenient::string")]
    pub city: String,
    /// WeChat id (often empty).
    #[serde(deserialize_with = "lenient::string")]
    pub alias: String,
    /// Moments flag.
    #[serde(deserialize_with = "lenient::u64")]
    pub sns_flag: u64,
    /// Unified friend flag.
    #[serde(deserialize_with = "lenient::u64")]
    pub uni_friend: u64,
    /// The user's display name in a group (members, and in batchgetcontact of a group).
    #[serde(deserialize_with = "lenient::string")]
    pub display_name: String,
    /// Chat room id.
    #[serde(deserialize_with = "lenient::u64")]
    pub chat_room_id: u64,
    /// Keyword (official accounts, specials).
    #[serde(deserialize_with = "lenient::string")]
    pub key_word: String,
    /// Encrypted chat room id, needed to fetch members and their avatars.
    #[serde(deserialize_with = "lenient::string")]
    pub encry_chat_room_id: String,
    /// Whether the current user owns the group.
    #[serde(deserialize_with = "lenient::u64")]
    pub is_owner: u64,
}

/// A group member as in `MemberList`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RawMember {
    /// Uin (usually 0).
    #[serde(deserialize_with = "lenient::u64")]
    pub uin: u64,
    /// Member's UserName.
    #[serde(deserialize_with = "lenient::string")]
    pub user_name: String,
    /// Member's nickname.
    #[serde(deserialize_with = "lenient::string")]
    pub nick_name: String,
    /// Attribute status.
    #[serde(deserialize_with = "lenient::u64")]
    pub attr_status: u64,
    /// Pinyin initials.
    #[serde(rename = "PYInitial", deserialize_with = "lenient::string")]
    pub py_initial: String,
    /// Full pinyin.
    #[serde(rename = "PYQuanPin", deserialize_with = "lenient::string")]
    pub py_quan_pin: String,
    /// Remark pinyin initials.
    #[serde(rename = "RemarkPYInitial", deserialize_with = "lenient::string")]
    pub remark_py_initial: String,
    /// Remark full pinyin.
    #[serde(rename = "RemarkPYQuanPin", deserialize_with = "lenient::string")]
    pub remark_py_quan_pin: String,
    /// Member status.
    #[serde(deserialize_with = "lenient::u64")]
    pub member_status: u64,
    /// Display name in the group.
    #[serde(deserialize_with = "lenient::string")]
    pub display_name: String,
    /// Key word.
    #[serde(deserialize_with = "lenient::string")]
    pub key_word: String,
}
