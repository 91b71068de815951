//! A best-effort key for a contact that survives a new login, and group members by name.
//!
//! A contact's UserName (`@…`, `@@…`) is made anew at every login, and the web protocol
//! gives no lasting id (its `Uin` is almost always 0). [`stable_key`] builds the most
//! lasting key the contact record offers, the first of:
//!
//! 1. `uin:N` — the contact's uin, when the server sent one (rare on the web);
//! 2. `user:NAME` — for the special accounts whose UserName is fixed (`filehelper`,
//!    `weixin`, `fmessage`, `…@qqim`…);
//! 3. `alias:ID` — the WeChat ID (`Alias`), when the contact set one: stable until they
//!    change it (WeChat allows that about once a year);
//! 4. `remark:NAME` — our remark name for them: stable until we change it; two contacts
//!    with one remark share the key;
//! 5. `nick:NAME|sex|province|city` for people and official accounts, `group:NAME` for
//!    groups — breaks when they rename (a group's topic changes often) and collides for
//!    look-alikes.
//!
//! The kind of key says how far to trust it. Keep your own mapping (key → your id) and
//! re-check a match by name when it matters.

use crate::contacts::{ContactKind, Contacts, classify, is_special};
use crate::message::normalize_text;
use crate::wire::{RawContact, RawMember};

/// The best-effort stable key of `c` (see the [module docs](self)); `me` is our own
/// UserName (for the classification).
pub fn stable_key(c: &RawContact, me: &str) -> String {
    if c.uin != 0 {
        return format!("uin:{}", c.uin);
    }
    if is_special(&c.user_name) {
        return format!("user:{}", c.user_name);
    }
    let alias = c.alias.trim();
    if !alias.is_empty() {
        return format!("alias:{alias}");
    }
    let remark = normalize_text(c.remark_name.trim());
    if !remark.is_empty() {
        return format!("remark:{remark}");
    }
    let nick = normalize_text(c.nick_name.trim());
    match classify(c, me) {
        ContactKind::Group => format!("group:{nick}"),
        _ => format!(
            "nick:{nick}|{}|{}|{}",
            c.sex,
            c.province.trim(),
            c.city.trim()
        ),
    }
}

/// The members of `group` whose display name in it, or nick name, is `name` (exactly,
/// after emoji and entity normalization), or whose UserName is `name`.
pub fn members_named<'a>(contacts: &'a Contacts, group: &str, name: &str) -> Vec<&'a RawMember> {
    let name = normalize_text(name.trim());
    contacts
        .get(group)
        .map(|g| {
            g.member_list
                .iter()
                .filter(|m| {
                    m.user_name == name
                        || (!m.display_name.is_empty() && normalize_text(&m.display_name) == name)
                        || normalize_text(&m.nick_name) == name
                })
                .collect()
        })
        .unwrap_or_default()
}
