//! The contact store: every contact, group and official account of the session,
//! classified as the official client does and kept current from webwxsync's
//! `ModContactList`, `DelContactList` and `ModChatRoomMemberList`.

use crate::wire::{RawContact, RawMember};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The official client's special accounts (`_SpUsersList`, plus the file helper, newsapp
/// and the other entries of its "cannot create chatroom" list).
pub const SPECIAL_USERS: [&str; 31] = [
    "newsapp",
    "fmessage",
    "filehelper",
    "weibo",
    "qqmail",
    "tmessage",
    "qmessage",
    "qqsync",
    "floatbottle",
    "lbsapp",
    "shakeapp",
    "medianote",
    "qqfriend",
    "readerapp",
    "blogapp",
    "facebookapp",
    "masssendapp",
    "meishiapp",
    "feedsapp",
    "voip",
    "blogappweixin",
    "weixin",
    "brandsessionholder",
    "weixinreminder",
    "wxid_novlwrv3lqwv11",
    "gh_22b87fa7cb3c",
    "officialaccounts",
    "notification_messages",
    "wxitil",
    "userexperience_alarm",
    "lbsroom",
];

/// The file helper's UserName.
pub const FILE_HELPER: &str = "filehelper";

/// `VerifyFlag` bit of official (brand) accounts.
pub const VERIFY_FLAG_BRAND: u64 = 8;

/// What kind of contact a UserName is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContactKind {
    /// The logged-in user.
    Myself,
    /// A person.
    Friend,
    /// A group chat (`@@…` or `…@chatroom`).
    Group,
    /// An official account (`VerifyFlag & 8`).
    Official,
    /// The file helper.
    FileHelper,
    /// A special system account (`weixin`, `fmessage`, `…@qqim`, …).
    Special,
}

/// Whether `user_name` names a group (`/^@@|@chatroom$/`).
pub fn is_group(user_name: &str) -> bool {
    user_name.starts_with("@@") || user_name.ends_with("@chatroom")
}

/// Whether `user_name` is a special account (`isSpUser`: the list, or `@qqim`).
pub fn is_special(user_name: &str) -> bool {
    SPECIAL_USERS.contains(&user_name) || user_name.ends_with("@qqim")
}

/// Classifies a contact as the official client does.
pub fn classify(c: &RawContact, me: &str) -> ContactKind {
    if !me.is_empty() && c.user_name == me {
        ContactKind::Myself
    } else if c.user_name == FILE_HELPER {
        ContactKind::FileHelper
    } else if is_group(&c.user_name) {
        ContactKind::Group
    } else if is_special(&c.user_name) {
        ContactKind::Special
    } else if c.verify_flag & VERIFY_FLAG_BRAND != 0 {
        ContactKind::Official
    } else {
        ContactKind::Friend
    }
}

/// A change to the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "change", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContactChange {
    /// A new contact.
    Added {
        /// UserName.
        user_name: String,
        /// Kind.
        kind: ContactKind,
    },
    /// A known contact changed (name, remark, members…).
    Updated {
        /// UserName.
        user_name: String,
        /// Kind.
        kind: ContactKind,
    },
    /// A contact was deleted.
    Removed {
        /// UserName.
        user_name: String,
    },
}

/// Counts by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct ContactSummary {
    /// All entries.
    pub total: usize,
    /// People.
    pub friends: usize,
    /// Groups.
    pub groups: usize,
    /// Official accounts.
    pub official: usize,
    /// Special accounts and the file helper.
    pub special: usize,
}

/// The store.
#[derive(Clone, Debug, Default)]
pub struct Contacts {
    me: String,
    /// Boxed: a contact is ~0.5 KiB, and a map keeps room for more entries than it holds
    /// (8 bytes a spare slot boxed).
    by_name: HashMap<String, Box<RawContact>>,
}

impl Contacts {
    /// An empty store for the user `me` (UserName; may be empty until webwxinit).
    pub fn new(me: &str) -> Self {
        Contacts {
            me: me.to_owned(),
            by_name: HashMap::new(),
        }
    }

    /// Sets our own UserName.
    pub fn set_me(&mut self, me: &str) {
        self.me = me.to_owned();
    }

    /// Our own UserName.
    pub fn me(&self) -> &str {
        &self.me
    }

    /// Inserts or updates a contact. An update keeps a known group's member list when the
    /// new entry carries none (getcontact lists groups without members).
    pub fn upsert(&mut self, mut c: RawContact) -> Option<ContactChange> {
        if c.user_name.is_empty() {
            return None;
        }
        let kind = classify(&c, &self.me);
        let user_name = c.user_name.clone();
        match self.by_name.get_mut(&user_name) {
            Some(old) => {
                // Copied, not taken: `old` must stay whole for the comparison below.
                if c.member_list.is_empty() && !old.member_list.is_empty() {
                    c.member_list = old.member_list.clone();
                    if c.member_count == 0 {
                        c.member_count = c.member_list.len() as u64;
                    }
                }
                if c.encry_chat_room_id.is_empty() {
                    c.encry_chat_room_id = old.encry_chat_room_id.clone();
                }
                if **old == c {
                    return None;
                }
                **old = c;
                Some(ContactChange::Updated { user_name, kind })
            }
            None => {
                self.by_name.insert(user_name.clone(), Box::new(c));
                Some(ContactChange::Added { user_name, kind })
            }
        }
    }

    /// Replaces a group's member list (ModChatRoomMemberList, batchgetcontact of a group).
    pub fn set_members(&mut self, group: &str, members: Vec<RawMember>) -> Option<ContactChange> {
        let c = self.by_name.get_mut(group)?;
        if c.member_list == members {
            return None;
        }
        c.member_count = members.len() as u64;
        c.member_list = members;
        Some(ContactChange::Updated {
            user_name: group.to_owned(),
            kind: ContactKind::Group,
        })
    }

    /// Removes a contact.
    pub fn remove(&mut self, user_name: &str) -> Option<ContactChange> {
        self.by_name
            .remove(user_name)
            .map(|_| ContactChange::Removed {
                user_name: user_name.to_owned(),
            })
    }

    /// A contact by UserName.
    pub fn get(&self, user_name: &str) -> Option<&RawContact> {
        self.by_name.get(user_name).map(|c| &**c)
    }

    /// The kind of a UserName (known or not).
    pub fn kind_of(&self, user_name: &str) -> ContactKind {
        match self.by_name.get(user_name) {
            Some(c) => classify(c, &self.me),
            None => classify(
                &RawContact {
                    user_name: user_name.to_owned(),
                    ..RawContact::default()
                },
                &self.me,
            ),
        }
    }

    /// Finds a contact by UserName, then by remark name, then by nickname (exact match,
    /// after emoji/entity normalization), preferring friends and groups.
    pub fn find(&self, name: &str) -> Option<&RawContact> {
        if let Some(c) = self.get(name) {
            return Some(c);
        }
        let mut best: Option<&RawContact> = None;
        for c in self.by_name.values() {
            let hit = c.remark_name == name
                || c.nick_name == name
                || crate::message::normalize_text(&c.remark_name) == name
                || crate::message::normalize_text(&c.nick_name) == name;
            if hit {
                // Deterministic choice among duplicates: the smallest UserName.
                if best.is_none_or(|b| c.user_name < b.user_name) {
                    best = Some(c);
                }
            }
        }
        best
    }

    /// Our display name inside `group` (falls back to nothing when unset).
    pub fn my_display_name_in(&self, group: &str) -> Option<String> {
        let g = self.by_name.get(group)?;
        g.member_list
            .iter()
            .find(|m| m.user_name == self.me)
            .map(|m| m.display_name.clone())
            .filter(|d| !d.is_empty())
    }

    /// Groups whose member list is unknown (to fetch with batchgetcontact).
    pub fn groups_without_members(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .by_name
            .values()
            .filter(|c| is_group(&c.user_name) && c.member_list.is_empty())
            .map(|c| (c.user_name.clone(), c.encry_chat_room_id.clone()))
            .collect();
        // User names are distinct: a total order. One sort for the package's lists.
        crate::sort::sort_by(&mut v, Ord::cmp);
        v
    }

    /// Counts by kind.
    pub fn summary(&self) -> ContactSummary {
        let mut s = ContactSummary::default();
        for c in self.by_name.values() {
            s.total += 1;
            match classify(c, &self.me) {
                ContactKind::Friend => s.friends += 1,
                ContactKind::Group => s.groups += 1,
                ContactKind::Official => s.official += 1,
                ContactKind::Special | ContactKind::FileHelper => s.special += 1,
                ContactKind::Myself => {}
            }
        }
        s
    }

    /// Every contact, sorted by UserName.
    pub fn all(&self) -> Vec<&RawContact> {
        let mut v: Vec<&RawContact> = self.by_name.values().map(|c| &**c).collect();
        // User names are distinct: a total order. One sort for the package's lists.
        crate::sort::sort_by(&mut v, |a, b| a.user_name.cmp(&b.user_name));
        v
    }

    /// Number of contacts.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

impl crate::message::GroupNames for Contacts {
    fn my_display_name_in(&self, group: &str) -> Option<String> {
        Contacts::my_display_name_in(self, group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(user_name: &str, nick: &str, verify: u64) -> RawContact {
        RawContact {
            user_name: user_name.into(),
            nick_name: nick.into(),
            verify_flag: verify,
            ..Default::default()
        }
    }

    #[test]
    fn classification() {
        let me = "@me";
        assert_eq!(classify(&c("@me", "", 0), me), ContactKind::Myself);
        assert_eq!(classify(&c("@abc", "", 0), me), ContactKind::Friend);
        assert_eq!(classify(&c("@abc", "", 24), me), ContactKind::Official);
        assert_eq!(classify(&c("@@room", "", 0), me), ContactKind::Group);
        assert_eq!(classify(&c("123@chatroom", "", 0), me), ContactKind::Group);
        assert_eq!(
            classify(&c("filehelper", "", 0), me),
            ContactKind::FileHelper
        );
        assert_eq!(classify(&c("weixin", "", 0), me), ContactKind::Special);
        assert_eq!(classify(&c("x@qqim", "", 0), me), ContactKind::Special);
    }

    #[test]
    fn upsert_update_remove_and_members() {
        let mut s = Contacts::new("@me");
        assert!(matches!(
            s.upsert(c("@a", "Alice", 0)),
            Some(ContactChange::Added { .. })
        ));
        assert_eq!(s.upsert(c("@a", "Alice", 0)), None, "no change, no event");
        assert!(matches!(
            s.upsert(c("@a", "Alicia", 0)),
            Some(ContactChange::Updated { .. })
        ));
        s.upsert(c("@@g", "Group", 0));
        assert_eq!(s.groups_without_members().len(), 1);
        let members = vec![RawMember {
            user_name: "@me".into(),
            display_name: "Boss".into(),
            ..Default::default()
        }];
        assert!(s.set_members("@@g", members).is_some());
        assert_eq!(s.my_display_name_in("@@g").as_deref(), Some("Boss"));
        // getcontact's member-less entry does not wipe known members.
        s.upsert(c("@@g", "Group renamed", 0));
        assert_eq!(s.my_display_name_in("@@g").as_deref(), Some("Boss"));
        assert_eq!(s.find("Alicia").unwrap().user_name, "@a");
        assert!(s.remove("@a").is_some());
        assert!(s.remove("@a").is_none());
        assert_eq!(s.summary().groups, 1);
    }

    #[test]
    fn member_less_repeat_of_a_known_group_is_no_change() {
        let mut s = Contacts::new("@me");
        let mut g = c("@@g", "Group", 0);
        g.encry_chat_room_id = "@enc".into();
        s.upsert(g);
        let members = vec![RawMember {
            user_name: "@me".into(),
            ..Default::default()
        }];
        assert!(s.set_members("@@g", members.clone()).is_some());
        // getcontact / ModContactList repeat the group without members or EncryChatRoomId.
        assert_eq!(s.upsert(c("@@g", "Group", 0)), None, "nothing changed");
        let kept = s.get("@@g").unwrap();
        assert_eq!(kept.member_list, members);
        assert_eq!(kept.encry_chat_room_id, "@enc");
        assert!(matches!(
            s.upsert(c("@@g", "Renamed", 0)),
            Some(ContactChange::Updated { .. })
        ));
        assert_eq!(s.get("@@g").unwrap().member_list, members);
    }
}
