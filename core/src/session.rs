//! The serializable session: credentials, hosts, sync keys, cookies, the PRNG state and
//! who we are. Save it to resume without a QR scan (hot reload) or to push-login.

use crate::cookies::CookieJar;
use crate::hosts::Hosts;
use crate::rng::{MsgIdGen, Rng};
use crate::wire::record::record;
use crate::wire::{RawContact, SyncKey};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// The current [`SessionState`] format version.
pub const SESSION_VERSION: u32 = 1;

/// What webwxnewloginpage hands out.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Credentials {
    /// wxuin.
    pub uin: u64,
    /// wxsid.
    pub sid: String,
    /// skey (refreshed by webwxinit/webwxsync `SKey`).
    pub skey: String,
    /// pass_ticket exactly as in the XML (already URL-encoded once).
    pub pass_ticket: String,
    /// `<isgrayscale>`.
    pub is_grayscale: bool,
}

record!(Credentials = Credentials::new(0, "", "", "", false); {
    Error "uin" => uin: Deserialize::deserialize,
    Error "sid" => sid: Deserialize::deserialize,
    Error "skey" => skey: Deserialize::deserialize,
    Error "pass_ticket" => pass_ticket: Deserialize::deserialize,
    Error "is_grayscale" => is_grayscale: Deserialize::deserialize,
});

impl Credentials {
    /// Credentials as webwxnewloginpage hands them out (`pass_ticket` exactly as in its
    /// XML, already URL-encoded once). A session's come from its login; build them by
    /// hand only for tests and tools.
    pub fn new(
        uin: u64,
        sid: impl Into<String>,
        skey: impl Into<String>,
        pass_ticket: impl Into<String>,
        is_grayscale: bool,
    ) -> Credentials {
        Credentials {
            uin,
            sid: sid.into(),
            skey: skey.into(),
            pass_ticket: pass_ticket.into(),
            is_grayscale,
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { <redacted> }")
    }
}

/// A bounded, ordered set of recently seen `MsgId`s: a message the server re-delivers
/// (a retried webwxsync, a replayed SyncKey, a restart) is surfaced once. A saved list
/// longer than [`SeenIds::CAPACITY`] keeps its newest ids when read back.
///
/// Ids are kept as `u64`s (8 bytes each, against ~56 as strings): a `MsgId` is a decimal
/// number; anything else is kept as its 64-bit FNV-1a hash. Saved as the same list of
/// decimal strings as before (a hashed id is saved as its hash, which reads back as
/// itself).
///
/// How many a session needs is what the server can send again, which is what lies behind
/// the SyncKey it is asked with: a webwxsync whose answer was lost is asked again with the
/// same key (the same batch: tens of messages, `ContinueFlag` beyond; the simulator's
/// batch is 50); an answer whose keys lag, or go back a few steps, repeats the last
/// batch or two; a duplicate sits in one answer. A session restored from a saved state
/// gets again what came after the saved SyncKey, and the saved ids are those of the same
/// moment (the two are saved together), so older ids would not help there. The client
/// keeps [`Config::seen_ids`](crate::Config::seen_ids) of them (512 by default: ten
/// batches of 50, 4 KiB), at most [`SeenIds::CAPACITY`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SeenIds {
    #[serde(serialize_with = "ids_as_strings")]
    ids: VecDeque<u64>,
}

record!(SeenIds = SeenIds::default(); {
    Error "ids" => ids: newest_ids,
});

/// The `u64` an id is kept as: its value when it is a canonical decimal number (no sign,
/// no leading zero), else its FNV-1a hash.
fn id_key(id: &str) -> u64 {
    let canonical = !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && (id == "0" || !id.starts_with('0'));
    if canonical && let Ok(n) = id.parse::<u64>() {
        return n;
    }
    id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn ids_as_strings<S: serde::Serializer>(ids: &VecDeque<u64>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ids.iter().map(|id| id.to_string()))
}

/// The last [`SeenIds::CAPACITY`] ids of a saved list.
fn newest_ids<'de, D: serde::Deserializer<'de>>(d: D) -> Result<VecDeque<u64>, D::Error> {
    let saved = Vec::<String>::deserialize(d)?;
    let excess = saved.len().saturating_sub(SeenIds::CAPACITY);
    Ok(saved[excess..].iter().map(|id| id_key(id)).collect())
}

impl SeenIds {
    /// How many ids are remembered.
    pub const CAPACITY: usize = 4096;

    /// Records `id`; returns `false` if it was already seen.
    pub fn insert(&mut self, id: &str) -> bool {
        self.insert_within(id, Self::CAPACITY)
    }

    /// Records `id`, keeping the newest `most` ids (at most [`SeenIds::CAPACITY`]);
    /// returns `false` if it was already seen.
    pub fn insert_within(&mut self, id: &str, most: usize) -> bool {
        if id.is_empty() {
            return true;
        }
        let key = id_key(id);
        if self.ids.contains(&key) {
            return false;
        }
        let most = most.clamp(1, Self::CAPACITY);
        if self.ids.len() >= most {
            let excess = self.ids.len() + 1 - most;
            self.ids.drain(..excess);
            // A set read back larger than the bound gives its room back.
            if self.ids.capacity() > 2 * most {
                self.ids.shrink_to(most);
            }
        }
        self.ids.push_back(key);
        true
    }

    /// Whether `id` was seen.
    pub fn contains(&self, id: &str) -> bool {
        !id.is_empty() && self.ids.contains(&id_key(id))
    }

    /// Number remembered.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether none are remembered.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// The ClientMsgIds of this account's last sends, by the MsgID the server answered:
/// revoking a message sends its ClientMsgId beside its MsgID, also from another process
/// that shares the saved session (`webwx revoke`). Keeps the newest
/// [`SentIds::CAPACITY`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SentIds {
    /// `(MsgID, ClientMsgId)`, oldest first.
    ids: VecDeque<(String, String)>,
}

record!(SentIds = SentIds::default(); {
    Error "ids" => ids: newest_sent,
});

/// The last [`SentIds::CAPACITY`] pairs of a saved list.
fn newest_sent<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<VecDeque<(String, String)>, D::Error> {
    let mut ids = VecDeque::<(String, String)>::deserialize(d)?;
    let excess = ids.len().saturating_sub(SentIds::CAPACITY);
    ids.drain(..excess);
    Ok(ids)
}

impl SentIds {
    /// How many sends are remembered.
    pub const CAPACITY: usize = 256;

    /// Records that the send `client_msg_id` got the MsgID `msg_id`.
    pub fn insert(&mut self, msg_id: &str, client_msg_id: &str) {
        if msg_id.is_empty() || self.client_msg_id_of(msg_id).is_some() {
            return;
        }
        while self.ids.len() >= Self::CAPACITY {
            self.ids.pop_front();
        }
        self.ids
            .push_back((msg_id.to_owned(), client_msg_id.to_owned()));
    }

    /// The ClientMsgId of the send that got `msg_id`, if remembered.
    pub fn client_msg_id_of(&self, msg_id: &str) -> Option<&str> {
        self.ids
            .iter()
            .rev()
            .find(|(m, _)| m == msg_id)
            .map(|(_, c)| c.as_str())
    }

    /// Adds the sends `other` knows and this does not (another process's, sharing the
    /// saved session), keeping the newest [`SentIds::CAPACITY`].
    pub fn merge(&mut self, other: &SentIds) {
        for (m, c) in &other.ids {
            self.insert(m, c);
        }
    }

    /// Number remembered.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether none are remembered.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Everything needed to resume a session. `Debug` redacts every secret.
#[derive(Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SessionState {
    /// Format version ([`SESSION_VERSION`]).
    pub version: u32,
    /// Credentials, once logged in.
    pub credentials: Option<Credentials>,
    /// The hosts of this session.
    pub hosts: Hosts,
    /// The key sent in webwxsync.
    pub sync_key: SyncKey,
    /// The key sent in synccheck.
    pub sync_check_key: SyncKey,
    /// Cookies.
    pub cookies: CookieJar,
    /// The logged-in user.
    pub me: Option<RawContact>,
    /// PRNG state.
    pub rng: Rng,
    /// ClientMsgId generator.
    pub msg_ids: MsgIdGen,
    /// Recently delivered message ids.
    pub seen: SeenIds,
    /// Logged in through the desktop (UOS) variant.
    pub desktop: bool,
    /// The uin of the last session, kept after logout for a push login.
    #[serde(default)]
    pub last_uin: Option<u64>,
    /// The ClientMsgIds of the last sends, for revoking them.
    #[serde(default)]
    pub sent: SentIds,
    /// How fast this account sent lately ([`crate::pacing`]).
    #[serde(default)]
    pub pacing: crate::pacing::PacingState,
}

record!(SessionState = SessionState::new(0, Hosts::empty()); {
    Error "version" => version: Deserialize::deserialize,
    None "credentials" => credentials: Deserialize::deserialize,
    Error "hosts" => hosts: Deserialize::deserialize,
    Error "sync_key" => sync_key: Deserialize::deserialize,
    Error "sync_check_key" => sync_check_key: Deserialize::deserialize,
    Error "cookies" => cookies: Deserialize::deserialize,
    None "me" => me: Deserialize::deserialize,
    Error "rng" => rng: Deserialize::deserialize,
    Error "msg_ids" => msg_ids: Deserialize::deserialize,
    Error "seen" => seen: Deserialize::deserialize,
    Error "desktop" => desktop: Deserialize::deserialize,
    Default "last_uin" => last_uin: Deserialize::deserialize,
    Default "sent" => sent: Deserialize::deserialize,
    Default "pacing" => pacing: Deserialize::deserialize,
});

impl SessionState {
    /// A fresh, logged-out state.
    pub fn new(seed: u64, hosts: Hosts) -> Self {
        SessionState {
            version: SESSION_VERSION,
            credentials: None,
            hosts,
            sync_key: SyncKey::default(),
            sync_check_key: SyncKey::default(),
            cookies: CookieJar::new(),
            me: None,
            rng: Rng::new(seed),
            msg_ids: MsgIdGen::default(),
            seen: SeenIds::default(),
            desktop: false,
            last_uin: None,
            sent: SentIds::default(),
            pacing: crate::pacing::PacingState::default(),
        }
    }

    /// Three-way merge of a saved session shared by processes (a running `webwx login`
    /// and one-shot commands): `theirs` is the state on disk now, `mine` this process's
    /// state, `base` what this process last read or wrote. Field by field:
    ///
    /// - the ids made and remembered, and the pacing, are merged from both: the ClientMsgId
    ///   generator takes the later ([`MsgIdGen::merge`]), the sent ids are united
    ///   ([`SentIds::merge`]), the pacing keeps the later of every time
    ///   ([`PacingState::merge`](crate::pacing::PacingState::merge));
    /// - cookies merge one by one ([`CookieJar::merge3`]);
    /// - every other field (credentials, sync keys, seen ids, our own contact, the PRNG…)
    ///   is `mine` when this process changed it since `base`, else `theirs`.
    ///
    /// So a one-shot command, which never moves the sync keys, keeps the login's newer
    /// keys, and a login keeps the one-shot's sends, pacing and cookies.
    pub fn merge_shared(
        base: &SessionState,
        mine: &SessionState,
        theirs: &SessionState,
    ) -> SessionState {
        fn pick<T: Clone + PartialEq>(base: &T, mine: &T, theirs: &T) -> T {
            if mine == base {
                theirs.clone()
            } else {
                mine.clone()
            }
        }
        let mut msg_ids = theirs.msg_ids.clone();
        msg_ids.merge(&mine.msg_ids);
        let mut sent = theirs.sent.clone();
        sent.merge(&mine.sent);
        let mut pacing = theirs.pacing.clone();
        pacing.merge(&mine.pacing);
        SessionState {
            version: SESSION_VERSION,
            credentials: pick(&base.credentials, &mine.credentials, &theirs.credentials),
            hosts: pick(&base.hosts, &mine.hosts, &theirs.hosts),
            sync_key: pick(&base.sync_key, &mine.sync_key, &theirs.sync_key),
            sync_check_key: pick(
                &base.sync_check_key,
                &mine.sync_check_key,
                &theirs.sync_check_key,
            ),
            cookies: CookieJar::merge3(&base.cookies, &mine.cookies, &theirs.cookies),
            me: pick(&base.me, &mine.me, &theirs.me),
            rng: pick(&base.rng, &mine.rng, &theirs.rng),
            msg_ids,
            seen: pick(&base.seen, &mine.seen, &theirs.seen),
            desktop: pick(&base.desktop, &mine.desktop, &theirs.desktop),
            last_uin: pick(&base.last_uin, &mine.last_uin, &theirs.last_uin),
            sent,
            pacing,
        }
    }

    /// The logged-in user's UserName, if known.
    pub fn self_user_name(&self) -> Option<&str> {
        self.me.as_ref().map(|m| m.user_name.as_str())
    }

    /// Serializes to JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("session state always serializes")
    }

    /// Restores from JSON, checking the version and what a file could hold that no
    /// session ever does: hosts that are not host names or not the domain table's
    /// derivation of the content host ([`Hosts::check`]; a content host outside the WeChat
    /// domains is left to [`Client::try_restore`](crate::Client::try_restore), which knows
    /// whether a relay origin is configured), sync keys longer than [`MAX_SYNC_KEY_PAIRS`].
    /// The cookie jar and the seen ids keep their newest entries within their bounds.
    pub fn from_json(s: &str) -> Result<SessionState, SessionLoadError> {
        // Read from the bytes, as the wire parsers read (`from_slice`): the contact in
        // `me` and the sync keys share their deserializers, where a `Value` in between
        // would instantiate a second copy of each (the browser package's size).
        let probe: VersionProbe =
            serde_json::from_slice(s.as_bytes()).map_err(|e| load_error(&e))?;
        if probe.0 != u64::from(SESSION_VERSION) {
            return Err(SessionLoadError::Version(probe.0));
        }
        let state: SessionState =
            serde_json::from_slice(s.as_bytes()).map_err(|e| load_error(&e))?;
        state.check(true)?;
        Ok(state)
    }

    /// Checks what [`SessionState::from_json`] checks; with `origin_set` false the content
    /// host must also be a WeChat host.
    pub fn check(&self, origin_set: bool) -> Result<(), SessionLoadError> {
        self.hosts.check(origin_set)?;
        for (name, key) in [
            ("sync_key", &self.sync_key),
            ("sync_check_key", &self.sync_check_key),
        ] {
            if key.list.len() > MAX_SYNC_KEY_PAIRS {
                return Err(SessionLoadError::TooLong {
                    field: name,
                    len: key.list.len(),
                    max: MAX_SYNC_KEY_PAIRS,
                });
            }
        }
        Ok(())
    }
}

/// The most pairs a saved sync key may have (the server sends 4 to about 12).
pub const MAX_SYNC_KEY_PAIRS: usize = 64;

/// A load error that says where and what kind of problem, but never quotes the file: a
/// serde message can contain a value (a uin, a ticket).
/// The `"version"` of a saved session: a JSON object's `version` when it is an unsigned
/// integer, else 0 (no version, another type, not an object), the rest skipped unread.
struct VersionProbe(u64);

impl<'de> Deserialize<'de> for VersionProbe {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, Visitor};
        struct Probe;
        /// The value of `version`: its number when it is a u64, else 0.
        struct Number(u64);
        impl<'de> Deserialize<'de> for Number {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = Number;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("any JSON value")
                    }
                    fn visit_u64<E>(self, v: u64) -> Result<Number, E> {
                        Ok(Number(v))
                    }
                    fn visit_i64<E>(self, _: i64) -> Result<Number, E> {
                        Ok(Number(0))
                    }
                    fn visit_f64<E>(self, _: f64) -> Result<Number, E> {
                        Ok(Number(0))
                    }
                    fn visit_bool<E>(self, _: bool) -> Result<Number, E> {
                        Ok(Number(0))
                    }
                    fn visit_str<E>(self, _: &str) -> Result<Number, E> {
                        Ok(Number(0))
                    }
                    fn visit_unit<E>(self) -> Result<Number, E> {
                        Ok(Number(0))
                    }
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(
                        self,
                        mut a: A,
                    ) -> Result<Number, A::Error> {
                        while a.next_element::<IgnoredAny>()?.is_some() {}
                        Ok(Number(0))
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Number, A::Error> {
                        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                        Ok(Number(0))
                    }
                }
                d.deserialize_any(V)
            }
        }
        impl<'de> Visitor<'de> for Probe {
            type Value = VersionProbe;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<VersionProbe, A::Error> {
                let mut version = 0;
                while let Some(key) = a.next_key::<String>()? {
                    if key == "version" {
                        version = a.next_value::<Number>()?.0;
                    } else {
                        a.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(VersionProbe(version))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<VersionProbe, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(VersionProbe(0))
            }
            fn visit_u64<E>(self, _: u64) -> Result<VersionProbe, E> {
                Ok(VersionProbe(0))
            }
            fn visit_i64<E>(self, _: i64) -> Result<VersionProbe, E> {
                Ok(VersionProbe(0))
            }
            fn visit_f64<E>(self, _: f64) -> Result<VersionProbe, E> {
                Ok(VersionProbe(0))
            }
            fn visit_bool<E>(self, _: bool) -> Result<VersionProbe, E> {
                Ok(VersionProbe(0))
            }
            fn visit_str<E>(self, _: &str) -> Result<VersionProbe, E> {
                Ok(VersionProbe(0))
            }
            fn visit_unit<E>(self) -> Result<VersionProbe, E> {
                Ok(VersionProbe(0))
            }
        }
        d.deserialize_any(Probe)
    }
}

fn load_error(e: &serde_json::Error) -> SessionLoadError {
    let what = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "a field has the wrong type or is missing",
        serde_json::error::Category::Eof => "truncated",
    };
    if e.line() == 0 {
        SessionLoadError::Json(what.to_owned())
    } else {
        SessionLoadError::Json(format!("{what} (line {}, column {})", e.line(), e.column()))
    }
}

/// Why a saved session could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionLoadError {
    /// Not valid session JSON.
    #[error("invalid session file: {0}")]
    Json(String),
    /// Written by an incompatible version.
    #[error("unsupported session version {0} (expected {SESSION_VERSION})")]
    Version(u64),
    /// A host no session of this client uses (see [`Hosts::check`]).
    #[error("invalid session file: {0}")]
    Host(#[from] crate::hosts::HostError),
    /// A list longer than any real session's.
    #[error("invalid session file: {field} has {len} entries (at most {max})")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The bound.
        max: usize,
    },
}

impl std::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionState")
            .field("version", &self.version)
            .field("logged_in", &self.credentials.is_some())
            .field("hosts", &self.hosts)
            .field("sync_key_pairs", &self.sync_key.list.len())
            .field("cookies", &self.cookies.len())
            .field("desktop", &self.desktop)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_ids_as_u64() {
        let mut seen = SeenIds::default();
        assert!(seen.insert("6929942228714508460"));
        assert!(!seen.insert("6929942228714508460"));
        // Not numbers, or not canonical ones: hashed, still told apart.
        for id in ["abc", "007", "7", "18446744073709551616", "-1"] {
            assert!(seen.insert(id), "{id}");
            assert!(!seen.insert(id), "{id}");
        }
        assert!(seen.insert(""), "an empty id is never remembered");
        assert!(!seen.contains(""));
        assert_eq!(seen.len(), 6);
        // Saved as decimal strings; a list saved before (strings) reads back the same.
        let json = serde_json::to_value(&seen).unwrap();
        assert_eq!(json["ids"][0], "6929942228714508460");
        let back: SeenIds = serde_json::from_value(json).unwrap();
        assert_eq!(back, seen);
        let old: SeenIds =
            serde_json::from_value(serde_json::json!({"ids": ["12", "abc", "007"]})).unwrap();
        for id in ["12", "abc", "007"] {
            assert!(old.contains(id), "{id}");
        }
        assert!(!old.contains("7"));
        // Full: the oldest goes first.
        let mut full = SeenIds::default();
        for i in 0..SeenIds::CAPACITY as u64 + 10 {
            assert!(full.insert(&i.to_string()));
        }
        assert_eq!(full.len(), SeenIds::CAPACITY);
        assert!(!full.contains("9"));
        assert!(full.contains("10"));
        assert!(!full.insert("4100"));
    }

    #[test]
    fn debug_redacts_and_json_round_trips() {
        let mut s = SessionState::new(1, Hosts::default());
        s.credentials = Some(Credentials {
            uin: 176666155,
            sid: "SIDSECRET".into(),
            skey: "@crypt_SKEYSECRET".into(),
            pass_ticket: "PTSECRET".into(),
            is_grayscale: true,
        });
        s.cookies
            .store(crate::Timestamp(1), "wx.qq.com", "/", "wxsid=SIDSECRET");
        let dbg = format!("{s:?} {:?}", s.credentials);
        for secret in ["SIDSECRET", "SKEYSECRET", "PTSECRET", "176666155"] {
            assert!(!dbg.contains(secret), "{dbg}");
        }
        let back = SessionState::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
        assert!(matches!(
            SessionState::from_json(r#"{"version":99}"#),
            Err(SessionLoadError::Version(99))
        ));
        assert!(SessionState::from_json("nope").is_err());
        // A wrongly typed secret is not quoted back.
        let mut v: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
        v["credentials"]["uin"] = serde_json::Value::String("176666155".into());
        let e = SessionState::from_json(&v.to_string())
            .unwrap_err()
            .to_string();
        assert!(!e.contains("176666155"), "{e}");
        assert!(e.contains("wrong type"), "{e}");
    }

    #[test]
    fn seen_ids_within_a_smaller_bound() {
        let mut seen = SeenIds::default();
        for i in 0..SeenIds::CAPACITY as u64 {
            assert!(seen.insert(&i.to_string()));
        }
        // A session with a smaller bound (a state saved with more ids, read back).
        assert!(seen.insert_within("5000", 100));
        assert_eq!(seen.len(), 100);
        assert!(seen.ids.capacity() <= 200, "{}", seen.ids.capacity());
        assert!(!seen.contains(&(SeenIds::CAPACITY as u64 - 100).to_string()));
        assert!(seen.contains(&(SeenIds::CAPACITY as u64 - 99).to_string()));
        assert!(!seen.insert_within("5000", 100), "still a duplicate");
        for i in 0..250u64 {
            assert!(seen.insert_within(&(10_000 + i).to_string(), 100));
        }
        assert_eq!(seen.len(), 100);
        assert!(seen.contains("10249") && seen.contains("10150") && !seen.contains("10149"));
        // Never more than CAPACITY, never nothing.
        assert!(seen.insert_within("1", 0));
        assert_eq!(seen.len(), 1);
        assert!(!seen.insert_within("1", usize::MAX));
    }

    #[test]
    fn seen_ids_bounded() {
        let mut seen = SeenIds::default();
        assert!(seen.insert("a"));
        assert!(!seen.insert("a"));
        for i in 0..SeenIds::CAPACITY {
            seen.insert(&i.to_string());
        }
        assert_eq!(seen.len(), SeenIds::CAPACITY);
        assert!(!seen.contains("a"));
    }
}
