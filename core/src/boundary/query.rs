//! Queries on the JSON boundary: `contacts` and `me`, answered at once from what the
//! [`Client`](crate::Client) holds (nothing is sent to the server).

use crate::contacts::{ContactKind, ContactSummary, Contacts};
use crate::message::normalize_text;
use crate::wire::RawContact;
use serde::{Deserialize, Serialize};

/// `CONTACTFLAG_TOPCONTACT`: the chat is pinned.
const FLAG_TOP: u64 = 0x800;

/// A contact as the `contacts` query lists it (names normalized: emoji spans and
/// entities decoded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct Contact {
    /// Its UserName (session-scoped: `@…` people, `@@…` groups, fixed names for special
    /// accounts): name it with this to be sure.
    pub user_name: String,
    /// The name it chose.
    pub nick_name: String,
    /// The name you gave it, or empty.
    pub remark_name: String,
    /// What it is, as the core classifies it.
    pub kind: ContactKind,
    /// Its WeChat id, or empty (the server mostly leaves it out).
    pub alias: String,
    /// Its signature, or empty.
    pub signature: String,
    /// Its province, or empty.
    pub province: String,
    /// Its city, or empty.
    pub city: String,
    /// 1 male, 2 female, 0 unknown.
    pub sex: u32,
    /// Whether its chat is pinned (`ContactFlag & 0x800`).
    pub pinned: bool,
    /// How many members (groups only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub member_count: Option<u64>,
    /// The members (groups, with `"members": true`; empty until they are fetched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub members: Option<Vec<Member>>,
}

/// A group member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct Member {
    /// Its UserName.
    pub user_name: String,
    /// Its nick name.
    pub nick_name: String,
    /// Its display name in the group, or empty.
    pub display_name: String,
}

impl Contact {
    /// The contact `c` of `contacts`, with its members when `members`.
    pub fn from_raw(contacts: &Contacts, c: &RawContact, members: bool) -> Contact {
        let kind = contacts.kind_of(&c.user_name);
        let group = kind == ContactKind::Group;
        Contact {
            user_name: c.user_name.clone(),
            nick_name: normalize_text(&c.nick_name),
            remark_name: normalize_text(&c.remark_name),
            kind,
            alias: c.alias.clone(),
            signature: normalize_text(&c.signature),
            province: c.province.clone(),
            city: c.city.clone(),
            sex: u32::try_from(c.sex).unwrap_or(0),
            pinned: c.contact_flag & FLAG_TOP != 0,
            member_count: group.then(|| c.member_count.max(c.member_list.len() as u64)),
            members: (group && members).then(|| {
                c.member_list
                    .iter()
                    .map(|m| Member {
                        user_name: m.user_name.clone(),
                        nick_name: normalize_text(&m.nick_name),
                        display_name: normalize_text(&m.display_name),
                    })
                    .collect()
            }),
        }
    }

    /// The name to show: the remark name, else the nick name.
    pub fn display(&self) -> &str {
        if self.remark_name.is_empty() {
            &self.nick_name
        } else {
            &self.remark_name
        }
    }
}

/// Whether a contact of `kind` is listed for the filter `wanted` (`special` takes the
/// file helper too, as [`ContactSummary`] counts it).
fn kind_matches(kind: ContactKind, wanted: ContactKind) -> bool {
    kind == wanted || (wanted == ContactKind::Special && kind == ContactKind::FileHelper)
}

/// The `contacts` query: every contact of `kind` (all when `None`) whose UserName is
/// `search`, or whose nick name, remark name or alias contains it (case-insensitively,
/// after normalization); sorted by the name shown, then UserName.
pub fn contacts(
    store: &Contacts,
    kind: Option<ContactKind>,
    search: Option<&str>,
    members: bool,
) -> Vec<Contact> {
    let needle = search
        .map(|s| normalize_text(s.trim()).to_lowercase())
        .filter(|s| !s.is_empty());
    let mut out: Vec<Contact> = store
        .all()
        .into_iter()
        .map(|c| Contact::from_raw(store, c, members))
        .filter(|c| kind.is_none_or(|k| kind_matches(c.kind, k)))
        .filter(|c| {
            needle.as_deref().is_none_or(|n| {
                c.user_name == search.unwrap_or_default().trim()
                    || [&c.nick_name, &c.remark_name, &c.alias]
                        .iter()
                        .any(|field| field.to_lowercase().contains(n))
            })
        })
        .collect();
    crate::sort::sort_by_cached_key(&mut out, |c| {
        (c.display().to_lowercase(), c.user_name.clone())
    });
    out
}

/// What the `me` query answers: where the session is, who we are, how many contacts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[non_exhaustive]
pub struct Me {
    /// Where the session is.
    pub phase: crate::SessionPhase,
    /// Our UserName, once logged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub user_name: Option<String>,
    /// Our nick name, once logged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub nick_name: Option<String>,
    /// The address book, by kind.
    pub contacts: ContactSummary,
    /// What waits in the send queue ([`crate::pacing`]).
    #[serde(default)]
    pub send_queue: crate::pacing::SendQueue,
}

/// The `me` query of `client` at `now`.
pub fn me(client: &crate::Client, now: crate::Now) -> Me {
    let me = client.state().me.as_ref();
    Me {
        phase: client.session_phase(),
        user_name: me.map(|m| m.user_name.clone()),
        nick_name: me.map(|m| normalize_text(&m.nick_name)),
        contacts: client.contacts().summary(),
        send_queue: client.send_queue(now),
    }
}
