//! The one name resolver: what `to`, `chat`, `group` and `user` name, for every command
//! of the [`Client`](crate::Client), the JSON boundary, the CLI and the gateway alike.
//!
//! A name is, in this order of precedence:
//!
//! 1. the UserName of a known contact (or our own);
//! 2. a special account by its fixed name (`filehelper`, `weixin`, `fmessage`, …);
//! 3. a RemarkName (the name *you* gave a contact) that names exactly one contact;
//! 4. a NickName (the name a contact chose) that names exactly one contact;
//! 5. a string with the shape of a UserName that is not known yet (`@…`, `…@chatroom`,
//!    `wxid_…`, `…@qqim`): passed on as it is, for the server to judge.
//!
//! Names are compared exactly, and also after [`normalize_text`] (emoji spans and
//! entities decoded), so `Alice😄` finds a nick name the server wrote with an emoji
//! span. A remark or nick name shared by several contacts is [`NameProblem::Ambiguous`];
//! anything else is [`NameProblem::Unknown`]. Both list [`Candidate`]s: the contacts
//! sharing the name, or those whose names contain it (case-insensitively), at most
//! [`MAX_CANDIDATES`].
//!
//! ```
//! use webwx_core::contacts::Contacts;
//! use webwx_core::names::{NameProblem, resolve};
//! use webwx_core::wire::RawContact;
//! let mut contacts = Contacts::new("@me");
//! for (user_name, nick, remark) in [("@a", "Alice", ""), ("@b", "Bob", "Boss"), ("@c", "Bob", "")] {
//!     let mut c = RawContact::default();
//!     c.user_name = user_name.into();
//!     c.nick_name = nick.into();
//!     c.remark_name = remark.into();
//!     contacts.upsert(c);
//! }
//! assert_eq!(resolve(&contacts, "Alice").unwrap(), "@a");
//! assert_eq!(resolve(&contacts, "Boss").unwrap(), "@b");
//! assert_eq!(resolve(&contacts, "filehelper").unwrap(), "filehelper");
//! let err = resolve(&contacts, "Bob").unwrap_err();
//! assert_eq!(err.problem, NameProblem::Ambiguous);
//! assert_eq!(err.candidates.len(), 2);
//! assert_eq!(resolve(&contacts, "Carol").unwrap_err().problem, NameProblem::Unknown);
//! ```

use crate::contacts::{ContactKind, Contacts, FILE_HELPER, is_special};
use crate::message::normalize_text;
use crate::wire::RawContact;
use serde::{Deserialize, Serialize};

/// Most candidates a [`NameError`] lists.
pub const MAX_CANDIDATES: usize = 10;

/// What was wrong with a name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NameProblem {
    /// No contact has this name.
    Unknown,
    /// Several contacts have this name: use a UserName, or a remark name of one.
    Ambiguous,
}

/// A contact a name could have meant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
pub struct Candidate {
    /// Its UserName: use this to name it for sure.
    pub user_name: String,
    /// Its nick name (normalized).
    pub nick_name: String,
    /// Its remark name (normalized), or empty.
    pub remark_name: String,
    /// What it is.
    pub kind: ContactKind,
}

/// A name that names no contact, or several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
pub struct NameError {
    /// The name as given.
    pub name: String,
    /// Unknown or ambiguous.
    pub problem: NameProblem,
    /// The contacts it could have meant.
    pub candidates: Vec<Candidate>,
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.problem {
            NameProblem::Ambiguous => write!(
                f,
                "{:?} names {} contacts; use a UserName",
                self.name,
                self.candidates.len()
            )?,
            _ => write!(f, "no contact named {:?}", self.name)?,
        }
        if !self.candidates.is_empty() {
            let list: Vec<String> = self
                .candidates
                .iter()
                .map(|c| {
                    let name = if c.remark_name.is_empty() {
                        &c.nick_name
                    } else {
                        &c.remark_name
                    };
                    format!("{name} ({})", c.user_name)
                })
                .collect();
            let lead = if self.problem == NameProblem::Ambiguous {
                ": "
            } else {
                "; did you mean: "
            };
            write!(f, "{lead}{}", list.join(", "))?;
        }
        Ok(())
    }
}

fn candidate(contacts: &Contacts, c: &RawContact) -> Candidate {
    Candidate {
        user_name: c.user_name.clone(),
        nick_name: normalize_text(&c.nick_name),
        remark_name: normalize_text(&c.remark_name),
        kind: contacts.kind_of(&c.user_name),
    }
}

fn same(stored: &str, name: &str) -> bool {
    !stored.is_empty() && (stored == name || normalize_text(stored) == name)
}

/// Whether `s` has the shape of a UserName (`@…`, `…@chatroom`, `wxid_…`, a special
/// account), with no white space.
pub fn looks_like_user_name(s: &str) -> bool {
    (s.starts_with('@')
        || s.ends_with("@chatroom")
        || s.starts_with("wxid_")
        || is_special(s)
        || s == FILE_HELPER)
        && !s.contains(char::is_whitespace)
}

/// The UserName `name` stands for in `contacts` (see the module docs for the rules).
pub fn resolve(contacts: &Contacts, name: &str) -> Result<String, NameError> {
    let error = |problem, candidates| NameError {
        name: name.to_owned(),
        problem,
        candidates,
    };
    if name.is_empty() {
        return Err(error(NameProblem::Unknown, Vec::new()));
    }
    if contacts.get(name).is_some() || (!contacts.me().is_empty() && contacts.me() == name) {
        return Ok(name.to_owned());
    }
    if is_special(name) || name == FILE_HELPER {
        return Ok(name.to_owned());
    }
    let all = contacts.all();
    for field in [
        (|c: &RawContact| c.remark_name.as_str()) as fn(&RawContact) -> &str,
        |c: &RawContact| c.nick_name.as_str(),
    ] {
        let hits: Vec<&RawContact> = all
            .iter()
            .copied()
            .filter(|c| same(field(c), name))
            .collect();
        match hits.as_slice() {
            [] => {}
            [one] => return Ok(one.user_name.clone()),
            many => {
                let list = many
                    .iter()
                    .take(MAX_CANDIDATES)
                    .map(|c| candidate(contacts, c))
                    .collect();
                return Err(error(NameProblem::Ambiguous, list));
            }
        }
    }
    if looks_like_user_name(name) {
        return Ok(name.to_owned());
    }
    let needle = name.to_lowercase();
    let near = all
        .iter()
        .filter(|c| {
            [&c.remark_name, &c.nick_name]
                .iter()
                .any(|n| !n.is_empty() && normalize_text(n).to_lowercase().contains(&needle))
        })
        .take(MAX_CANDIDATES)
        .map(|c| candidate(contacts, c))
        .collect();
    Err(error(NameProblem::Unknown, near))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Contacts {
        let mut s = Contacts::new("@me");
        for (u, nick, remark) in [
            ("@me", "Me Myself", ""),
            ("@alice", "Alice", ""),
            ("@bob1", "Bob", ""),
            ("@bob2", "Bob", ""),
            ("@carol", "Carol", "Bob"),
            (
                "@dave",
                "Dave<span class=\"emoji emoji1f604\"></span>",
                "Dad",
            ),
            ("@erin", "Erin", "Dad"),
            ("@@team", "Team", ""),
            ("@remarked", "Zed", "Alice"),
        ] {
            s.upsert(RawContact {
                user_name: u.into(),
                nick_name: nick.into(),
                remark_name: remark.into(),
                ..RawContact::default()
            });
        }
        s
    }

    #[test]
    fn exact_user_names_first() {
        let s = store();
        assert_eq!(resolve(&s, "@alice").unwrap(), "@alice");
        assert_eq!(resolve(&s, "@me").unwrap(), "@me");
        assert_eq!(resolve(&s, "@@team").unwrap(), "@@team");
    }

    #[test]
    fn special_accounts_by_name() {
        let s = store();
        for n in ["filehelper", "weixin", "fmessage", "x@qqim"] {
            assert_eq!(resolve(&s, n).unwrap(), n);
        }
    }

    #[test]
    fn a_remark_beats_a_nick_name() {
        let s = store();
        // "Bob" is the nick name of two contacts but the remark of one: the remark wins.
        assert_eq!(resolve(&s, "Bob").unwrap(), "@carol");
        // "Alice" is the nick name of @alice and the remark of @remarked.
        assert_eq!(resolve(&s, "Alice").unwrap(), "@remarked");
        assert_eq!(resolve(&s, "Carol").unwrap(), "@carol");
    }

    #[test]
    fn normalized_names() {
        let s = store();
        assert_eq!(resolve(&s, "Dave😄").unwrap(), "@dave");
        assert_eq!(
            resolve(&s, "Dave<span class=\"emoji emoji1f604\"></span>").unwrap(),
            "@dave"
        );
    }

    #[test]
    fn ambiguous_names_list_everyone() {
        let s = store();
        let e = resolve(&s, "Dad").unwrap_err();
        assert_eq!(e.problem, NameProblem::Ambiguous);
        let names: Vec<&str> = e.candidates.iter().map(|c| c.user_name.as_str()).collect();
        assert_eq!(names, ["@dave", "@erin"]);
        assert_eq!(e.candidates[0].nick_name, "Dave😄");
        assert_eq!(e.candidates[0].kind, ContactKind::Friend);
        assert!(e.to_string().contains("\"Dad\" names 2 contacts"), "{e}");
    }

    #[test]
    fn unknown_names_suggest_near_ones() {
        let s = store();
        let e = resolve(&s, "ali").unwrap_err();
        assert_eq!(e.problem, NameProblem::Unknown);
        let names: Vec<&str> = e.candidates.iter().map(|c| c.user_name.as_str()).collect();
        assert_eq!(names, ["@alice", "@remarked"]);
        assert!(e.to_string().contains("did you mean"), "{e}");
        let e = resolve(&s, "Nobody").unwrap_err();
        assert!(e.candidates.is_empty());
        assert_eq!(e.to_string(), "no contact named \"Nobody\"");
        assert_eq!(resolve(&s, "").unwrap_err().problem, NameProblem::Unknown);
    }

    #[test]
    fn unknown_ids_pass_through() {
        let s = store();
        for id in ["@stranger", "123@chatroom", "wxid_abc"] {
            assert_eq!(resolve(&s, id).unwrap(), id);
        }
        assert!(resolve(&s, "@with space").is_err());
    }
}
