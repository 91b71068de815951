//! Web sessions: credentials, the sync log and the long-poll wake-up.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::Notify;

use super::World;
use super::message::Message;

/// Something the client learns through webwxsync.
#[derive(Debug, Clone)]
pub(crate) enum EventKind {
    /// An AddMsgList entry.
    Msg(Arc<Message>),
    /// A contact to put in ModContactList (its state at delivery time).
    ModContact(String),
    /// A contact added: ModContactList too, but selector 6.
    AddContact(String),
    /// A contact removed: DelContactList.
    DelContact(String),
    /// Members of a group changed: ModChatRoomMemberList (and ModContactList).
    ModMembers(String),
    /// The account's own profile changed: Profile with BitFlag 190.
    Profile,
}

impl EventKind {
    /// The synccheck selector this event raises.
    pub(crate) fn selector(&self) -> u32 {
        match self {
            EventKind::Msg(m) if m.msg_type == 51 && m.status_notify_code != 4 => 7,
            EventKind::Msg(_) => 2,
            EventKind::ModContact(_) | EventKind::ModMembers(_) | EventKind::Profile => 4,
            EventKind::AddContact(_) | EventKind::DelContact(_) => 6,
        }
    }
}

/// One entry of a session's sync log.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub seq: u64,
    pub kind: EventKind,
}

/// Most events kept for a session that never syncs.
const MAX_RETAINED: usize = 20_000;

/// Acknowledged events kept to deliver again (the `rewind` fault).
const RECENT: usize = 16;

/// The SyncKey machinery: every event gets a sequence number; Key 1 of the
/// SyncKey is `base1 + seq` of the last event the client was given. Events are
/// dropped once a request proves the client has them (sent a key at or past them),
/// so a retry with an older key gets the same events again.
#[derive(Debug)]
pub(crate) struct SyncLog {
    pub base1: u64,
    pub base2: u64,
    pub base3: u64,
    pub issued: u64,
    pub ack: u64,
    pub events: VecDeque<Event>,
    /// The last acknowledged events (at most [`RECENT`]), oldest first.
    pub recent: VecDeque<Event>,
}

impl SyncLog {
    pub(crate) fn new(base: u64) -> Self {
        SyncLog {
            base1: base,
            base2: base + 4_000,
            base3: base - 60,
            issued: 0,
            ack: 0,
            events: VecDeque::new(),
            recent: VecDeque::new(),
        }
    }

    /// Appends an event; returns its sequence number.
    pub(crate) fn push(&mut self, kind: EventKind) -> u64 {
        self.issued += 1;
        self.events.push_back(Event {
            seq: self.issued,
            kind,
        });
        while self.events.len() > MAX_RETAINED {
            self.events.pop_front();
        }
        self.issued
    }

    /// The client says it has everything up to `seq`.
    pub(crate) fn acknowledge(&mut self, seq: u64) {
        if seq > self.ack {
            self.ack = seq;
        }
        while self.events.front().is_some_and(|e| e.seq <= self.ack) {
            if let Some(e) = self.events.pop_front() {
                self.recent.push_back(e);
                if self.recent.len() > RECENT {
                    self.recent.pop_front();
                }
            }
        }
    }

    /// Acknowledged events after `seq` (as many as are kept), to deliver again.
    pub(crate) fn recent_after(&self, seq: u64) -> impl Iterator<Item = &Event> {
        self.recent.iter().filter(move |e| e.seq > seq)
    }

    /// Decodes Key 1 of a key into a sequence number; `None` if it is not ours.
    pub(crate) fn decode(&self, key1: u64) -> Option<u64> {
        let seq = key1.checked_sub(self.base1)?;
        (seq <= self.issued).then_some(seq)
    }

    /// Events after `seq`.
    pub(crate) fn after(&self, seq: u64) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(move |e| e.seq > seq)
    }

    /// The selector a synccheck with key `seq` answers with (0: nothing new).
    pub(crate) fn selector_after(&self, seq: u64) -> u32 {
        self.after(seq).next().map_or(0, |e| e.kind.selector())
    }
}

/// One web login.
pub(crate) struct Session {
    pub sid: String,
    pub skey: String,
    /// The pass_ticket, decoded (the XML carries it URL-encoded).
    pub pass_ticket: String,
    pub uin: u64,
    pub data_ticket: String,
    pub auth_ticket: String,
    pub uvid: String,
    pub login_time: u64,
    /// Why the session ended: the Ret / retcode later requests get.
    pub ended: Option<i64>,
    pub sync: SyncLog,
    pub notify: Arc<Notify>,
    pub inited: bool,
    /// Whether the conversation-list notice (51/4) was queued.
    pub sync_conv_sent: bool,
    pub home: &'static str,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials are never printed.
        f.debug_struct("Session")
            .field("home", &self.home)
            .field("ended", &self.ended)
            .field("inited", &self.inited)
            .field("events", &self.sync.events.len())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Ends the session with `code` and wakes its long-polls.
    pub(crate) fn end(&mut self, code: i64) {
        if self.ended.is_none() {
            self.ended = Some(code);
            self.sync.events.clear();
            self.sync.recent.clear();
            tracing::info!(code, "session ended");
        }
        self.notify.notify_waiters();
    }
}

impl World {
    /// A session by its sid, live or ended.
    pub(crate) fn session(&self, sid: &str) -> Option<&Session> {
        self.sessions.get(sid)
    }

    /// A live session whose data ticket is `ticket` (the file host's downloads).
    pub(crate) fn live_session_by_data_ticket(&self, ticket: &str) -> Option<&Session> {
        self.sessions
            .values()
            .find(|s| s.ended.is_none() && s.data_ticket == ticket)
    }

    /// The client logs out of session `sid` (webwxlogout); with `skey`, only if it is the
    /// session's. Later requests find no session (1100). False if nothing ended.
    pub(crate) fn client_logout(&mut self, sid: &str, skey: Option<&str>) -> bool {
        let Some(s) = self.sessions.get_mut(sid) else {
            return false;
        };
        if s.ended.is_some() || skey.is_some_and(|k| k != s.skey) {
            return false;
        }
        s.end(1100);
        self.bump("logouts");
        true
    }

    /// Session `sid` called webwxinit.
    pub(crate) fn mark_inited(&mut self, sid: &str) {
        if let Some(s) = self.sessions.get_mut(sid) {
            s.inited = true;
        }
    }

    /// Queues the conversation-list notice (51/4) for session `sid`, the first time only
    /// (statusnotify Code 3).
    pub(crate) fn queue_sync_conv_once(&mut self, sid: &str) {
        let Some(s) = self.sessions.get_mut(sid) else {
            return;
        };
        if s.sync_conv_sent {
            return;
        }
        s.sync_conv_sent = true;
        let uin = s.uin;
        self.sync_conv_message(uin);
    }

    /// A webwxsync of session `sid` with SyncKey Key 1 `key1`: the client has every event
    /// up to it. Its sequence number, or `None` if the key is not the session's.
    pub(crate) fn acknowledge_sync(&mut self, sid: &str, key1: u64) -> Option<u64> {
        let s = self.sessions.get_mut(sid)?;
        let seq = s.sync.decode(key1)?;
        s.sync.acknowledge(seq);
        Some(seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_redelivers_until_acknowledged() {
        let mut log = SyncLog::new(700_000_000);
        let m = Arc::new(Message::new(1, "a", "b", 1, 0));
        log.push(EventKind::Msg(m.clone()));
        log.push(EventKind::ModContact("x".into()));
        assert_eq!(log.selector_after(0), 2);
        assert_eq!(log.selector_after(1), 4);
        assert_eq!(log.selector_after(2), 0);
        assert_eq!(log.after(0).count(), 2);
        log.acknowledge(1);
        assert_eq!(log.events.len(), 1);
        assert_eq!(log.after(0).count(), 1);
        assert_eq!(log.decode(700_000_002), Some(2));
        assert_eq!(log.decode(700_000_003), None);
        assert_eq!(log.decode(5), None);
    }

    #[test]
    fn log_keeps_the_last_acknowledged_events() {
        let mut log = SyncLog::new(700_000_000);
        for _ in 0..(RECENT + 4) {
            log.push(EventKind::Profile);
        }
        log.acknowledge(3);
        assert_eq!(
            log.recent_after(0).map(|e| e.seq).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(log.recent_after(2).count(), 1);
        log.acknowledge(RECENT as u64 + 4);
        assert_eq!(log.recent.len(), RECENT);
        assert_eq!(log.recent.front().map(|e| e.seq), Some(5));
        assert_eq!(log.events.len(), 0);
    }
}
