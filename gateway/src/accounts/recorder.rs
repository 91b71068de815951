//! The recorder of one session: takes its events in order and writes them to the store
//! with the session state they leave behind, in one transaction per step.
//!
//! The driver ([`webwx_hyper::start_saving`]) hands each `SessionChanged` out with the
//! state as it stood at that event. A webwxsync answer comes out as its messages (and
//! contact changes) followed by one `SessionChanged`, so the recorder commits the events
//! up to a `SessionChanged` together with that state. Messages seen after the last
//! `SessionChanged` wait for the next one: committed without their state, a crash
//! would make the server deliver them again from the older saved SyncKey. Events that
//! no sync step produced (QR codes, command outcomes, …) are committed as they come.
//!
//! Each state comes with the driver's [`SaveToken`]: the session sends no `webwxsync`
//! (which acknowledges the step to the server, and the server then drops its messages)
//! until the recorder releases it, after the transaction that holds the state and its
//! events committed. So a `kill -9` at any instant loses no message: the node that
//! resumes the account starts from the last committed state, and the server still has
//! everything after it. A write refused for good (fenced) stops the session and drops
//! the tokens unreleased, so the stale session acknowledges nothing more.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use webwx_core::boundary::{Contact, event_json};
use webwx_core::contacts::{ContactChange, Contacts};
use webwx_core::message::{Message, MessageKind, normalize_text};
use webwx_core::wire::RawContact;
use webwx_core::{CommandEvent, Event, SessionState};
use webwx_hyper::prelude::*;
use webwx_hyper::{Events, Handle, SaveToken};

use super::{Account, AccountState, Note};
use crate::Gateway;
use crate::store::{
    Batch, ContactOp, ContactRecord, HistoryRecord, NewEvent, NewHistory, Status, StoreError,
};

/// Messages waiting for their `SessionChanged` are committed without it after this long
/// (it always follows in the same step; this only guards against a core change).
const STATE_WAIT: Duration = Duration::from_secs(2);
/// Events taken into one transaction at most.
const MAX_STEP: usize = 1000;
/// Sends remembered for their history rows.
const REMEMBERED_SENDS: usize = 1024;

/// Part of a batch under construction, with what the recorder needs after the commit.
#[derive(Default)]
struct Step {
    batch: Batch,
    /// Message events in it.
    messages: usize,
    /// `sent` events: (LocalID, index in `batch.events`).
    sent: Vec<(String, usize)>,
    /// The driver's tokens of the states in `batch`: released once it is committed.
    tokens: Vec<SaveToken>,
}

impl Step {
    fn append(&mut self, mut other: Step) {
        let offset = self.batch.events.len();
        self.batch.events.append(&mut other.batch.events);
        if other.batch.session.is_some() {
            self.batch.session = other.batch.session.take();
        }
        if let Some(s) = other.batch.status.take() {
            merge_status(&mut self.batch.status, s);
        }
        self.batch.contacts.append(&mut other.batch.contacts);
        for mut h in other.batch.history {
            h.event = h.event.map(|i| i + offset);
            self.batch.history.push(h);
        }
        self.batch.revoked.append(&mut other.batch.revoked);
        self.messages += other.messages;
        self.sent
            .extend(other.sent.into_iter().map(|(l, i)| (l, i + offset)));
        self.tokens.append(&mut other.tokens);
    }
}

/// A later status of the same step replaces an earlier one, keeping the user it named
/// (the `logged_in` event names it, the `ready` after it in the same step does not).
fn merge_status(into: &mut Option<Status>, mut s: Status) {
    if let Some(old) = into.take() {
        s.user_name = s.user_name.or(old.user_name);
        s.nick_name = s.nick_name.or(old.nick_name);
    }
    *into = Some(s);
}

struct Recorder {
    gw: Arc<Gateway>,
    account: Arc<Account>,
    handle: Handle,
    state: AccountState,
    /// Ready to commit.
    done: Step,
    /// Taken after the last `SessionChanged`.
    tail: Step,
    /// Seqs of committed `sent` events by LocalID.
    sent_seqs: HashMap<String, u64>,
    sent_order: VecDeque<String>,
    /// API notes of sends whose `sent` event has not been taken yet.
    drafts: HashMap<String, Note>,
}

/// Runs until the session's events end (and everything is committed), or the store
/// fences this owner out.
pub async fn run(
    gw: Arc<Gateway>,
    account: Arc<Account>,
    handle: Handle,
    mut events: Events,
    mut notes: mpsc::UnboundedReceiver<Note>,
    state: AccountState,
) {
    gw.recorders
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let _count = Counted(gw.clone());
    let mut r = Recorder {
        gw,
        account,
        handle,
        state,
        done: Step::default(),
        tail: Step::default(),
        sent_seqs: HashMap::new(),
        sent_order: VecDeque::new(),
        drafts: HashMap::new(),
    };
    let mut ended = false;
    loop {
        tokio::select! {
            item = events.next_to_save() => match item {
                Some((e, s)) => r.take(e, s),
                None => ended = true,
            },
            Some(note) = notes.recv() => r.note(note),
            () = tokio::time::sleep(STATE_WAIT), if r.tail.messages > 0 => {
                tracing::warn!(account = %r.account.id, "messages without their session state; committing them");
                let tail = std::mem::take(&mut r.tail);
                r.done.append(tail);
            }
        }
        if !ended {
            while r.done.batch.events.len() + r.tail.batch.events.len() < MAX_STEP {
                match events.try_next_to_save() {
                    Some((e, s)) => r.take(e, s),
                    None => break,
                }
            }
        }
        while let Ok(note) = notes.try_recv() {
            r.note(note);
        }
        if r.flush(ended).await.is_err() {
            r.handle.shutdown();
            return;
        }
        if ended {
            break;
        }
    }
    tracing::debug!(account = %r.account.id, "session recorder ended");
}

/// Counts a running recorder down when it ends, however it ends.
struct Counted(Arc<Gateway>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0
            .recorders
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The `"event"` name of a boundary JSON object.
fn event_name(body: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Tag {
        event: String,
    }
    serde_json::from_str::<Tag>(body)
        .map(|t| t.event)
        .unwrap_or_default()
}

/// The stored form of a contact: the boundary's contact object (members included).
pub fn contact_record(contacts: &Contacts, c: &RawContact) -> ContactRecord {
    let contact = Contact::from_raw(contacts, c, true);
    let body = serde_json::to_value(&contact).unwrap_or_default();
    ContactRecord {
        kind: body["kind"].as_str().unwrap_or_default().to_owned(),
        user_name: contact.user_name,
        nick_name: contact.nick_name,
        remark_name: contact.remark_name,
        alias: contact.alias,
        body,
    }
}

/// The history row of a received (or other device's) message.
fn history_of(m: &Message) -> HistoryRecord {
    let mut message = serde_json::to_value(m).unwrap_or_default();
    if let Some(o) = message.as_object_mut() {
        o.remove("raw");
    }
    let kind = message["kind"]["kind"]
        .as_str()
        .unwrap_or("unknown")
        .to_owned();
    let text = match &m.kind {
        MessageKind::Text { text } => Some(text.clone()),
        MessageKind::App(a) if !a.title.is_empty() => Some(a.title.clone()),
        _ => None,
    };
    let file_name = match &m.kind {
        MessageKind::App(a) if a.app_type == 6 => Some(a.title.clone()),
        _ => None,
    };
    HistoryRecord {
        seq: 0,
        msg_id: m.id.clone(),
        local_id: None,
        chat: m.chat.clone(),
        sender: m.sender.clone(),
        outgoing: m.outgoing,
        kind,
        text,
        file_name,
        time: m.time,
        revoked: false,
        message: Some(message),
    }
}

fn history_of_note(note: &Note) -> Option<HistoryRecord> {
    let Note::Sent {
        local_id,
        msg_id,
        chat,
        kind,
        text,
        file_name,
    } = note
    else {
        return None;
    };
    Some(HistoryRecord {
        seq: 0,
        msg_id: msg_id.clone(),
        local_id: Some(local_id.clone()),
        chat: chat.clone(),
        sender: String::new(),
        outgoing: true,
        kind: kind.clone(),
        text: text.clone(),
        file_name: file_name.clone(),
        time: crate::now_ms() as u64 / 1000,
        revoked: false,
        message: None,
    })
}

impl Recorder {
    /// Takes one event of the session.
    fn take(&mut self, e: Event, state: Option<(SessionState, SaveToken)>) {
        if let Event::SessionChanged = e {
            if let Some((s, token)) = state {
                self.tail.batch.session =
                    Some(serde_json::to_string(&s).expect("a session serializes"));
                self.tail.tokens.push(token);
            }
            let tail = std::mem::take(&mut self.tail);
            self.done.append(tail);
            return;
        }
        let Some(body) = event_json(&e) else {
            return;
        };
        let step = &mut self.tail;
        let index = step.batch.events.len();
        step.batch.events.push(NewEvent {
            kind: event_name(&body),
            body,
        });
        let mut status = None;
        if let Some((s, reason)) = AccountState::after(self.state, &e) {
            self.state = s;
            self.account.update_live(|l| {
                l.state = s;
                l.reason = reason.clone();
            });
            status = Some(Status {
                state: s.as_str().into(),
                reason,
                ..Status::default()
            });
        }
        match &e {
            Event::QrCode { url, .. } => {
                self.account.update_live(|l| l.qr_url = Some(url.clone()));
                // Stored too: any node shows the QR code this one waits on.
                status
                    .get_or_insert_with(|| Status {
                        state: self.state.as_str().into(),
                        ..Status::default()
                    })
                    .qr_url = Some(url.clone());
            }
            Event::Scanned { .. } | Event::Ready => self.account.update_live(|l| l.qr_url = None),
            Event::LoggedIn {
                user_name,
                nick_name,
            } => {
                let nick = normalize_text(nick_name);
                self.account.update_live(|l| {
                    l.qr_url = None;
                    l.user_name = Some(user_name.clone());
                    l.nick_name = Some(nick.clone());
                });
                let s = status.get_or_insert_with(|| Status {
                    state: self.state.as_str().into(),
                    ..Status::default()
                });
                s.user_name = Some(user_name.clone());
                s.nick_name = Some(nick);
            }
            Event::ContactsLoaded(_) => {
                let all = self.handle.inspect(|c| {
                    let contacts = c.contacts();
                    contacts
                        .all()
                        .into_iter()
                        .map(|rc| contact_record(contacts, rc))
                        .collect()
                });
                step.batch.contacts.push(ContactOp::Replace(all));
            }
            Event::Contact(change) => {
                let op = match change {
                    ContactChange::Removed { user_name } => ContactOp::Remove(user_name.clone()),
                    ContactChange::Added { user_name, .. }
                    | ContactChange::Updated { user_name, .. } => {
                        match self.handle.inspect(|c| {
                            let contacts = c.contacts();
                            contacts
                                .get(user_name)
                                .map(|rc| contact_record(contacts, rc))
                        }) {
                            Some(r) => ContactOp::Upsert(r),
                            None => ContactOp::Remove(user_name.clone()),
                        }
                    }
                    _ => return,
                };
                step.batch.contacts.push(op);
            }
            Event::Message(m) => {
                step.messages += 1;
                if let MessageKind::Revoke { revoked_msg_id, .. } = &m.kind {
                    step.batch.revoked.push(revoked_msg_id.clone());
                }
                step.batch.history.push(NewHistory {
                    event: Some(index),
                    seq: 0,
                    record: history_of(m),
                });
            }
            Event::Command(CommandEvent::Sent { local_id, .. }) => {
                step.sent.push((local_id.0.clone(), index));
                if let Some(record) = self
                    .drafts
                    .remove(&local_id.0)
                    .as_ref()
                    .and_then(history_of_note)
                {
                    step.batch.history.push(NewHistory {
                        event: Some(index),
                        seq: 0,
                        record,
                    });
                }
            }
            _ => {}
        }
        if let Some(s) = status {
            merge_status(&mut step.batch.status, s);
        }
    }

    /// Takes a note of the API.
    fn note(&mut self, note: Note) {
        match &note {
            Note::Revoked { msg_id } => self.done.batch.revoked.push(msg_id.clone()),
            Note::Sent { local_id, .. } => {
                let record = history_of_note(&note).expect("a send");
                if let Some(seq) = self.sent_seqs.get(local_id) {
                    self.done.batch.history.push(NewHistory {
                        event: None,
                        seq: *seq,
                        record,
                    });
                    return;
                }
                for step in [&mut self.done, &mut self.tail] {
                    if let Some((_, i)) = step.sent.iter().find(|(l, _)| l == local_id) {
                        let i = *i;
                        step.batch.history.push(NewHistory {
                            event: Some(i),
                            seq: 0,
                            record,
                        });
                        return;
                    }
                }
                if self.drafts.len() >= REMEMBERED_SENDS {
                    self.drafts.clear();
                }
                self.drafts.insert(local_id.clone(), note);
            }
        }
    }

    /// Commits what is ready (and the tail when no message of it waits for its state,
    /// or the session ended). `Err` when this owner may not write any more.
    async fn flush(&mut self, ended: bool) -> Result<(), ()> {
        let mut step = std::mem::take(&mut self.done);
        if ended || self.tail.messages == 0 {
            let tail = std::mem::take(&mut self.tail);
            step.append(tail);
        }
        if step.batch.is_empty() {
            step.tokens.into_iter().for_each(SaveToken::saved);
            return Ok(());
        }
        let n = step.batch.events.len();
        let mut delay = Duration::from_millis(200);
        let seqs = loop {
            let now = crate::now_ms();
            match self
                .gw
                .store
                .commit(&self.account.fence, step.batch.clone(), now)
                .await
            {
                Ok(seqs) => break seqs,
                Err(e @ (StoreError::Fenced { .. } | StoreError::NoAccount(_))) => {
                    if matches!(e, StoreError::Fenced { .. }) {
                        self.gw
                            .metrics
                            .fenced
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    tracing::warn!(account = %self.account.id, error = %e, "stopping the session");
                    return Err(());
                }
                Err(e) => {
                    // Never drop events: retry until the store takes them.
                    tracing::error!(account = %self.account.id, error = %e, "store write failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
            }
        };
        // Durable: the session may acknowledge these states to the server now.
        step.tokens.into_iter().for_each(SaveToken::saved);
        for (local_id, i) in step.sent {
            if let Some(seq) = seqs.get(i) {
                if self.sent_order.len() >= REMEMBERED_SENDS
                    && let Some(old) = self.sent_order.pop_front()
                {
                    self.sent_seqs.remove(&old);
                }
                self.sent_order.push_back(local_id.clone());
                self.sent_seqs.insert(local_id, *seq);
            }
        }
        if let Some(last) = seqs.last() {
            self.gw
                .metrics
                .events
                .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            self.gw.published(*last);
        }
        Ok(())
    }
}
