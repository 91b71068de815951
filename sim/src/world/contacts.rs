//! What a client changes in its account's contacts: friends it adds, remark names and
//! pins, groups it creates and changes. Each call is for a session's account (it exists).

use super::World;
use super::account::{Account, Contact, FLAG_TOP, FriendRequest, Member};
use super::generate;
use super::session::EventKind;

impl World {
    /// The account of a session (it exists).
    fn account_mut(&mut self, uin: u64) -> &mut Account {
        self.accounts.get_mut(&uin).expect("session account")
    }

    /// Takes the friend request of `user_name` (with `ticket`, if not empty) from the
    /// account's pending requests.
    pub(crate) fn take_friend_request(
        &mut self,
        uin: u64,
        user_name: &str,
        ticket: &str,
    ) -> Option<FriendRequest> {
        let acc = self.account_mut(uin);
        let i = acc
            .requests
            .iter()
            .position(|r| r.user_name == user_name && (ticket.is_empty() || r.ticket == ticket))?;
        Some(acc.requests.remove(i))
    }

    /// `user_name` becomes a friend called `nick`: any request of theirs is gone, and the
    /// session learns of the new contact.
    pub(crate) fn add_friend(&mut self, uin: u64, user_name: &str, nick: &str) {
        let c = generate::new_friend(&mut self.rng, user_name.to_string(), nick);
        let acc = self.account_mut(uin);
        acc.requests.retain(|r| r.user_name != user_name);
        acc.put_contact(c);
        self.push_event(uin, EventKind::AddContact(user_name.to_string()));
    }

    /// Sets a contact's remark name (its pinyin forms are cleared); false if no such contact.
    pub(crate) fn set_remark_name(&mut self, uin: u64, user_name: &str, remark: &str) -> bool {
        let Some(c) = self.account_mut(uin).contact_mut(user_name) else {
            return false;
        };
        c.remark_name = remark.to_string();
        c.remark_py_initial.clear();
        c.remark_py_quanpin.clear();
        true
    }

    /// Pins or unpins a contact; false if no such contact.
    pub(crate) fn set_pinned(&mut self, uin: u64, user_name: &str, pinned: bool) -> bool {
        let Some(c) = self.account_mut(uin).contact_mut(user_name) else {
            return false;
        };
        if pinned {
            c.contact_flag |= FLAG_TOP;
        } else {
            c.contact_flag &= !FLAG_TOP;
        }
        true
    }

    /// A new group the account owns, with itself and `members`; the session learns of it.
    /// Returns the group.
    pub(crate) fn create_group(&mut self, uin: u64, topic: &str, members: Vec<Member>) -> &Contact {
        let me = self.account_mut(uin).me.clone();
        let group = generate::new_group(&mut self.rng, &me, uin, topic, members, true);
        let un = group.user_name.clone();
        let acc = self.account_mut(uin);
        acc.put_contact(group);
        acc.created_groups += 1;
        self.push_event(uin, EventKind::AddContact(un.clone()));
        self.accounts[&uin].contact(&un).expect("just added")
    }

    /// The account's group `room` (which must exist).
    fn group_mut(&mut self, uin: u64, room: &str) -> &mut Contact {
        self.account_mut(uin)
            .contact_mut(room)
            .filter(|c| c.is_group())
            .expect("an existing group")
    }

    /// Adds `members` to group `room`; returns those who were not in it yet.
    pub(crate) fn add_group_members(
        &mut self,
        uin: u64,
        room: &str,
        members: Vec<Member>,
    ) -> Vec<Member> {
        let grp = self.group_mut(uin, room).group.as_mut().expect("is group");
        let mut added = Vec::new();
        for m in members {
            if grp.members.iter().any(|x| x.user_name == m.user_name) {
                continue;
            }
            added.push(m.clone());
            grp.members.push(m);
        }
        added
    }

    /// Removes the members named in `user_names` from group `room`; returns them.
    pub(crate) fn remove_group_members(
        &mut self,
        uin: u64,
        room: &str,
        user_names: &[String],
    ) -> Vec<Member> {
        let grp = self.group_mut(uin, room).group.as_mut().expect("is group");
        let mut removed = Vec::new();
        for un in user_names {
            if let Some(i) = grp.members.iter().position(|m| &m.user_name == un) {
                removed.push(grp.members.remove(i));
            }
        }
        removed
    }

    /// Renames group `room` (its pinyin forms are cleared).
    pub(crate) fn rename_group(&mut self, uin: u64, room: &str, topic: &str) {
        let group = self.group_mut(uin, room);
        group.nick_name = topic.to_string();
        group.py_initial.clear();
        group.py_quanpin.clear();
    }
}
