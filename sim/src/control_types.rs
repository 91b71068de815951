//! The control API's types: what a test (or the `/_sim/*` HTTP endpoints) can ask the
//! simulator to do — play the phone, deliver messages, inject faults — and what it can
//! read back. A leaf: it imports nothing of the crate, so the world, the faults and the
//! endpoints use it without depending on the [`Control`](crate::Control) handle.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Errors of the control API (the HTTP form answers them as 400 `{"error": ..}`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ControlError {
    /// No account is logged in and none was named.
    NoAccount,
    /// Several accounts are logged in and none was named.
    AmbiguousAccount,
    /// The named uin is not an account of this simulator.
    UnknownAccount(u64),
    /// A named thing (uuid, contact, group, message) does not exist.
    NotFound(String),
    /// The request itself is malformed.
    Invalid(String),
}

impl fmt::Display for ControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ControlError::NoAccount => write!(f, "no logged-in account; name one with \"uin\""),
            ControlError::AmbiguousAccount => {
                write!(f, "several accounts are logged in; name one with \"uin\"")
            }
            ControlError::UnknownAccount(uin) => write!(f, "no account with uin {uin}"),
            ControlError::NotFound(what) => write!(f, "not found: {what}"),
            ControlError::Invalid(why) => write!(f, "invalid request: {why}"),
        }
    }
}

impl std::error::Error for ControlError {}

impl ControlError {
    /// A request without the field `field` it needs: `"field" is required`.
    pub(crate) fn required(field: &str) -> ControlError {
        ControlError::Invalid(format!("\"{field}\" is required"))
    }
}

/// One account in [`SimState`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// The account's uin.
    pub uin: u64,
    /// Its UserName (`@` + hex) in the current or last session.
    pub user_name: String,
    /// Its NickName.
    pub nick_name: String,
    /// Its home (content) host, e.g. `wx.qq.com`.
    pub home: String,
    /// Whether a web session is logged in now.
    pub logged_in: bool,
    /// Whether newloginpage refuses it (1203).
    #[serde(default)]
    pub refuse: bool,
    /// Number of contacts (friends, groups, official and special accounts).
    #[serde(default)]
    pub contacts: usize,
}

/// Answer of `GET /_sim/state`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimState {
    /// Every account created so far.
    pub accounts: Vec<AccountInfo>,
    /// uuids of QR logins still waiting for the phone.
    pub pending_uuids: Vec<String>,
    /// Counters: `requests`, `faults_fired`, `messages_injected`, `messages_delivered`, ...
    pub counters: BTreeMap<String, u64>,
}

/// One message the client sent, as `GET /_sim/sent` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRecord {
    /// The sending account.
    pub uin: u64,
    /// The ClientMsgId of the send (a retry with the same id to the same recipient is
    /// recorded once; the same id sent to another recipient, as openwechat forwards, is a
    /// new record).
    pub client_msg_id: String,
    /// The MsgID the server answered.
    pub msg_id: String,
    /// Msg.Type of the send (1, 3, 43, 47, 6 for files, ...).
    #[serde(rename = "type")]
    pub msg_type: u32,
    /// FromUserName.
    pub from: String,
    /// ToUserName.
    pub to: String,
    /// Content as sent (for files: the `<appmsg>` XML).
    pub content: String,
    /// The endpoint that carried it (`webwxsendmsg`, `webwxsendmsgimg`, ...).
    pub endpoint: String,
    /// File name of the media, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file_name: Option<String>,
    /// Hex MD5 of the media bytes, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub media_md5: Option<String>,
    /// Whether it was revoked later.
    #[serde(default)]
    pub revoked: bool,
}

/// A member of a group in [`ContactInfo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberInfo {
    /// The member's UserName.
    pub user_name: String,
    /// The member's NickName.
    pub nick_name: String,
    /// The member's name in the group, often empty.
    #[serde(default)]
    pub display_name: String,
}

/// One contact in `GET /_sim/contacts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInfo {
    /// UserName (`@...`, `@@...` for groups, or a special name such as `filehelper`).
    pub user_name: String,
    /// NickName (group topic for groups).
    pub nick_name: String,
    /// `friend`, `group`, `official` or `special`.
    pub kind: String,
    /// RemarkName set through webwxoplog.
    #[serde(default)]
    pub remark_name: String,
    /// Pinned through webwxoplog (CmdId 3).
    #[serde(default)]
    pub pinned: bool,
    /// Members, for groups.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub members: Option<Vec<MemberInfo>>,
}

/// A message to deliver, as `POST /_sim/messages` takes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InjectMessage {
    /// The account that receives it (default: the only logged-in one).
    #[serde(
        deserialize_with = "de_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub uin: Option<u64>,
    /// Sender: UserName or NickName of a contact or group member; `me` for a
    /// message sent from the phone.
    pub from: String,
    /// Receiver for messages from `me` (a contact); otherwise the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// MsgType: 1 text (default), 3 image, 34 voice, 42 card, 43 video, 47 emoticon,
    /// 49 app/file, 37 friend request, 51 status notify, 10000 system, 10002 revoke.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub msg_type: Option<u32>,
    /// Text, or the caption / title of media; used verbatim with `raw`.
    pub content: String,
    /// Group (UserName or NickName) the message is posted in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Names to @-mention in a group text (`me` for the account itself).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    /// The media bytes, base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_b64: Option<String>,
    /// The media's file name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// AppMsgType for type 49 (6 file by default with media, 5 link otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_msg_type: Option<u32>,
    /// URL of a link (49/5) or a location text (type 1 with Url).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Use `content` as the exact Content (no escaping, no generated XML).
    pub raw: bool,
    /// StatusNotifyCode for type 51 (2 enter chat, 4 sync conversations, 5 quit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_notify_code: Option<u32>,
    /// For type 10002: the MsgId being revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoke_msg_id: Option<String>,
    /// For type 37 / 42: the nick name of the stranger or card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// For type 34: voice length in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice_length: Option<u64>,
    /// For type 43: play length in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub play_length: Option<u64>,
}

/// Kinds of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum FaultKind {
    /// The connection is reset (RST) without an answer.
    Reset,
    /// An HTTP 5xx answer (`status`, default 500).
    #[serde(rename = "5xx")]
    ServerError,
    /// No answer at all, until the client gives up.
    Hang,
    /// The answer's body is cut off before its Content-Length.
    Truncate,
    /// A 200 answer whose body is garbage.
    Garbage,
    /// A well-formed answer with a non-zero Ret / retcode (`ret`).
    Ret,
    /// webwxsync only: the request is handled, but the answer's SyncKey and SyncCheckKey
    /// go back up to three positions behind the key the client sent, and the messages
    /// between (which the client already has) come again before the new ones. A client
    /// that takes the older key gets the new ones again on its next webwxsync.
    Rewind,
    /// webwxsync only: the request is handled, and every message of the answer is listed
    /// twice in its AddMsgList.
    Duplicate,
    /// The request is handled (a send is recorded, a sync acknowledged), then the
    /// connection is reset instead of the answer: the client cannot tell it from `reset`,
    /// and its retry meets what the first attempt did.
    Lose,
}

impl FaultKind {
    /// Whether the request is handled before the fault acts (on the answer).
    pub(crate) fn handled(self) -> bool {
        matches!(
            self,
            FaultKind::Rewind | FaultKind::Duplicate | FaultKind::Lose
        )
    }

    /// Whether the fault applies to webwxsync only.
    pub(crate) fn sync_only(self) -> bool {
        matches!(self, FaultKind::Rewind | FaultKind::Duplicate)
    }
}

/// A fault to inject, as `POST /_sim/faults` takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    /// Endpoint name (`synccheck`, `webwxsync`, `sync`, `login`, `jslogin`, ... or `*`).
    pub endpoint: String,
    /// What happens.
    pub kind: FaultKind,
    /// Ret / retcode for `ret` (default 1100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ret: Option<i64>,
    /// Apply to the next N matching requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Apply to each matching request with this probability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// HTTP status for `5xx` (default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Only requests of this account.
    #[serde(
        default,
        deserialize_with = "de_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub uin: Option<u64>,
}

impl FaultSpec {
    /// A fault of `kind` on `endpoint` for the next `count` requests.
    pub fn new(endpoint: &str, kind: FaultKind, count: u64) -> Self {
        FaultSpec {
            endpoint: endpoint.to_string(),
            kind,
            ret: None,
            count: Some(count),
            rate: None,
            status: None,
            uin: None,
        }
    }

    /// A fault of `kind` on `endpoint` for every request, with probability `rate`.
    pub fn with_rate(endpoint: &str, kind: FaultKind, rate: f64) -> Self {
        FaultSpec {
            count: None,
            rate: Some(rate),
            ..FaultSpec::new(endpoint, kind, 1)
        }
    }

    /// Sets the Ret / retcode of a `ret` fault.
    pub fn ret(mut self, ret: i64) -> Self {
        self.ret = Some(ret);
        self
    }

    /// Sets the HTTP status of a `5xx` fault.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Limits the fault to the requests of one account.
    pub fn uin(mut self, uin: u64) -> Self {
        self.uin = Some(uin);
        self
    }
}

/// The account the next confirmed scan logs in, as `POST /_sim/accounts` takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountSpec {
    /// Home host: `wx.qq.com` (default), `wx2.qq.com`, `wx8.qq.com`, `web.wechat.com`, `web2.wechat.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
    /// newloginpage refuses this account with 1203.
    pub refuse: bool,
    /// newloginpage refuses it (1203) unless the login is the desktop (UOS)
    /// variant: `mod=desktop` (in newloginpage's query, or in the `redirect_uri` of the
    /// jslogin, or the query of the webwxpushloginurl, that handed out the uuid) with the
    /// `extspam` and `client-version` headers on newloginpage.
    pub desktop_only: bool,
    /// Number of friends and official accounts (default: the simulator's `contacts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<usize>,
    /// Number of groups (default: the simulator's `groups`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<usize>,
    /// NickName of the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
}

/// A contact-side event, as `POST /_sim/contacts` takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactEvent {
    /// The account (default: the only logged-in one).
    #[serde(
        deserialize_with = "de_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub uin: Option<u64>,
    /// `add` (a new friend), `mod` (a changed contact), `del` (a removed one),
    /// `join` / `leave` (someone joins or leaves `group`), `profile` (the account's
    /// own NickName changes on the phone).
    pub op: String,
    /// The group of `join` / `leave` (UserName or NickName).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The contact for `mod` / `del` (UserName or NickName).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// New NickName (`add`, `mod`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// New RemarkName (`mod`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark_name: Option<String>,
}

/// Accepts a u64 written as a number or a string.
pub(crate) fn de_opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrStr {
        N(u64),
        S(String),
    }
    match Option::<NumOrStr>::deserialize(d)? {
        None => Ok(None),
        Some(NumOrStr::N(n)) => Ok(Some(n)),
        Some(NumOrStr::S(s)) if s.is_empty() => Ok(None),
        Some(NumOrStr::S(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("uin must be a number")),
    }
}
