//! Accounts and their contacts: the people, groups and official accounts a
//! logged-in user sees.

use std::collections::HashMap;

/// What a contact is, as the control API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContactKind {
    Friend,
    Group,
    Official,
    Special,
}

impl ContactKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ContactKind::Friend => "friend",
            ContactKind::Group => "group",
            ContactKind::Official => "official",
            ContactKind::Special => "special",
        }
    }
}

/// A member of a group.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub user_name: String,
    pub nick_name: String,
    /// The member's name in this group (群昵称), often empty.
    pub display_name: String,
    pub attr_status: u32,
    pub key_word: String,
}

/// What only groups have.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub members: Vec<Member>,
    pub encry_chat_room_id: String,
    /// Whether the account owns the group (may remove members).
    pub is_owner: bool,
    pub owner_uin: u64,
}

/// One contact of an account.
#[derive(Debug, Clone)]
pub(crate) struct Contact {
    pub user_name: String,
    pub nick_name: String,
    pub remark_name: String,
    pub kind: ContactKind,
    pub sex: u8,
    pub verify_flag: u32,
    pub contact_flag: u32,
    pub signature: String,
    pub province: String,
    pub city: String,
    pub py_initial: String,
    pub py_quanpin: String,
    pub remark_py_initial: String,
    pub remark_py_quanpin: String,
    pub alias: String,
    pub key_word: String,
    /// The long-lived id the phone knows (`wxid_...`, `...@chatroom`, `gh_...`).
    pub wxid: String,
    pub head_seq: u32,
    pub attr_status: u32,
    pub sns_flag: u32,
    pub group: Option<Box<Group>>,
}

/// `CONTACTFLAG_TOPCONTACT`: pinned.
pub(crate) const FLAG_TOP: u32 = 0x800;

impl Contact {
    pub(crate) fn is_group(&self) -> bool {
        self.group.is_some()
    }

    pub(crate) fn pinned(&self) -> bool {
        self.contact_flag & FLAG_TOP != 0
    }

    /// The member entry for `user_name` if this is a group that has it.
    pub(crate) fn member(&self, user_name: &str) -> Option<&Member> {
        self.group
            .as_ref()
            .and_then(|g| g.members.iter().find(|m| m.user_name == user_name))
    }
}

/// The user's own profile.
#[derive(Debug, Clone)]
pub(crate) struct Me {
    pub user_name: String,
    pub nick_name: String,
    pub signature: String,
    pub sex: u8,
    pub head_seq: u32,
    pub wxid: String,
}

/// A stranger who asked to become a friend (MsgType 37), until accepted.
#[derive(Debug, Clone)]
pub(crate) struct FriendRequest {
    pub user_name: String,
    pub nick_name: String,
    pub ticket: String,
}

/// One account: the phone-side identity behind the sessions that log in to it.
#[derive(Debug)]
pub(crate) struct Account {
    pub uin: u64,
    pub home: &'static str,
    pub refuse: bool,
    /// Refused unless the login is the desktop (UOS) variant.
    pub desktop_only: bool,
    pub me: Me,
    pub contacts: Vec<Contact>,
    by_user_name: HashMap<String, usize>,
    /// The session currently logged in, if any.
    pub session: Option<String>,
    /// (ClientMsgId, ToUserName) -> MsgID of every send, so that a retried send is
    /// recorded once (a forward reusing the id for another recipient is a new send).
    pub sent_ids: HashMap<(String, String), u64>,
    /// Messages this account sent from the web, for revoke: MsgID -> (to, unix time).
    pub sent_msgs: HashMap<u64, (String, u64)>,
    /// Pending friend requests by stranger user name.
    pub requests: Vec<FriendRequest>,
    /// The next value of the group counter for newly created groups.
    pub created_groups: u64,
    /// Signatures handed out by webwxcheckupload.
    pub signatures: Vec<String>,
}

impl Account {
    pub(crate) fn new(uin: u64, home: &'static str, me: Me) -> Self {
        Account {
            uin,
            home,
            refuse: false,
            desktop_only: false,
            me,
            contacts: Vec::new(),
            by_user_name: HashMap::new(),
            session: None,
            sent_ids: HashMap::new(),
            sent_msgs: HashMap::new(),
            requests: Vec::new(),
            created_groups: 0,
            signatures: Vec::new(),
        }
    }

    /// Adds or replaces a contact.
    pub(crate) fn put_contact(&mut self, c: Contact) {
        if let Some(&i) = self.by_user_name.get(&c.user_name) {
            self.contacts[i] = c;
        } else {
            self.by_user_name
                .insert(c.user_name.clone(), self.contacts.len());
            self.contacts.push(c);
        }
    }

    /// Removes a contact; returns it.
    pub(crate) fn remove_contact(&mut self, user_name: &str) -> Option<Contact> {
        let i = self.by_user_name.remove(user_name)?;
        let c = self.contacts.remove(i);
        for (j, other) in self.contacts.iter().enumerate().skip(i) {
            self.by_user_name.insert(other.user_name.clone(), j);
        }
        Some(c)
    }

    pub(crate) fn contact(&self, user_name: &str) -> Option<&Contact> {
        self.by_user_name.get(user_name).map(|&i| &self.contacts[i])
    }

    pub(crate) fn contact_mut(&mut self, user_name: &str) -> Option<&mut Contact> {
        match self.by_user_name.get(user_name) {
            Some(&i) => Some(&mut self.contacts[i]),
            None => None,
        }
    }

    /// Finds a contact by UserName, then RemarkName, then NickName.
    pub(crate) fn find_contact(&self, name: &str) -> Option<&Contact> {
        self.contact(name)
            .or_else(|| {
                self.contacts
                    .iter()
                    .find(|c| !c.remark_name.is_empty() && c.remark_name == name)
            })
            .or_else(|| self.contacts.iter().find(|c| c.nick_name == name))
    }

    /// Whether `name` names the account itself.
    pub(crate) fn is_me(&self, name: &str) -> bool {
        name == self.me.user_name
            || name == self.me.nick_name
            || name == "me"
            || name == "self"
            || name == self.uin.to_string()
    }

    /// Any user known by user name: a contact, a group member or the account itself.
    pub(crate) fn knows(&self, user_name: &str) -> bool {
        user_name == self.me.user_name
            || self.contact(user_name).is_some()
            || self.contacts.iter().any(|c| c.member(user_name).is_some())
    }

    /// The nick name of any user name the account knows, for display.
    pub(crate) fn nick_of(&self, user_name: &str) -> Option<String> {
        if user_name == self.me.user_name {
            return Some(self.me.nick_name.clone());
        }
        if let Some(c) = self.contact(user_name) {
            return Some(if c.remark_name.is_empty() {
                c.nick_name.clone()
            } else {
                c.remark_name.clone()
            });
        }
        self.contacts
            .iter()
            .find_map(|c| c.member(user_name).map(|m| m.nick_name.clone()))
    }
}
