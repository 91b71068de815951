//! The gateway's durable state behind one async [`Store`] trait: accounts and their saved
//! sessions, contacts, the event log with its `seq`, message history, the webhook outbox
//! and idempotency keys. [`Sqlite`] is the embedded default (one file, WAL, migrations
//! in `gateway/migrations/sqlite/`); [`Postgres`] implements the same trait (migrations
//! in `gateway/migrations/postgres/`) and the [`Cluster`] of several nodes sharing it:
//! leases, live nodes and the command table.
//!
//! Two promises every backend keeps:
//!
//! - **seq in commit order.** [`Store::commit`] allocates the seqs of its events in the
//!   same transaction that writes them, by updating one counter row: concurrent writers
//!   serialize on that row, so a seq is never visible before a smaller one. A reader
//!   that has seen seq 101 never later finds a 100 that committed late.
//! - **Fencing.** Every write names the account's owner [`Fence`] (account and owner
//!   generation, always 1 on one node); a write whose generation is not the account's
//!   current one is refused ([`StoreError::Fenced`]) and changes nothing.

mod cluster;
mod postgres;
mod sqlite;

pub use cluster::{Cluster, Lease, NodeAccount, NodeRecord, RemoteCall, RemoteKind};
pub use postgres::Postgres;
pub use sqlite::Sqlite;

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

/// A boxed future of a store call (the trait stays object-safe: `Arc<dyn Store>`).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// What a store call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The account's owner generation is not the writer's: a newer owner took it.
    #[error("account {account}: owner generation {given} is stale (now {current})")]
    Fenced {
        /// The account.
        account: String,
        /// The writer's generation.
        given: i64,
        /// The account's.
        current: i64,
    },
    /// No such account (deleted meanwhile).
    #[error("no account {0}")]
    NoAccount(String),
    /// A unique name is taken.
    #[error("the name {0:?} is taken")]
    NameTaken(String),
    /// The database failed.
    #[error("database: {0}")]
    Database(String),
}

/// Who writes for an account: its id and the owner's generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fence {
    /// The account.
    pub account: String,
    /// The owner generation the writer holds.
    pub generation: i64,
}

/// An account as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountRecord {
    /// Its id.
    pub id: String,
    /// The name given at creation (unique), for push login / resume by name.
    pub name: Option<String>,
    /// Logs in through the desktop (UOS) variant.
    pub desktop: bool,
    /// Its own origin (only with `--allow-origin-override`).
    pub origin: Option<String>,
    /// `waiting_scan`, `scanned`, `logged_in`, `logged_out`, `resuming` or `failed`.
    pub state: String,
    /// Why it failed or logged out.
    pub reason: Option<String>,
    /// Its UserName once logged in.
    pub user_name: Option<String>,
    /// Its nick name once logged in.
    pub nick_name: Option<String>,
    /// The saved session (`SessionState` JSON).
    pub session: Option<String>,
    /// The owner generation.
    pub generation: i64,
    /// The owning node.
    pub node: Option<String>,
    /// Created (ms since the epoch).
    pub created_ms: i64,
    /// The QR code's content while the account waits for a scan.
    pub qr_url: Option<String>,
}

/// A new account.
#[derive(Clone, Debug, Default)]
pub struct NewAccount {
    /// Its id.
    pub id: String,
    /// Its unique name.
    pub name: Option<String>,
    /// Desktop variant.
    pub desktop: bool,
    /// Its own origin.
    pub origin: Option<String>,
    /// The first state.
    pub state: String,
    /// The owning node.
    pub node: Option<String>,
}

/// An account's state as the session reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// The state name.
    pub state: String,
    /// Why (failed, logged out).
    pub reason: Option<String>,
    /// UserName.
    pub user_name: Option<String>,
    /// Nick name.
    pub nick_name: Option<String>,
    /// The QR code's content while one waits for a scan (cleared otherwise).
    pub qr_url: Option<String>,
}

/// An event to append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    /// Its `"event"` name.
    pub kind: String,
    /// Its boundary JSON (`boundary::event_json`).
    pub body: String,
}

/// An event of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    /// Its seq.
    pub seq: u64,
    /// Its account.
    pub account: String,
    /// Its `"event"` name.
    pub kind: String,
    /// Its boundary JSON.
    pub body: String,
}

impl StoredEvent {
    /// The event object with `"seq"` and `"account"` added (as served and POSTed).
    pub fn to_json(&self) -> String {
        let account = serde_json::to_string(&self.account).expect("a string serializes");
        match self.body.strip_prefix('{') {
            Some("}") => format!("{{\"seq\":{},\"account\":{account}}}", self.seq),
            Some(rest) => format!("{{\"seq\":{},\"account\":{account},{rest}", self.seq),
            None => format!(
                "{{\"seq\":{},\"account\":{account},\"body\":{}}}",
                self.seq, self.body
            ),
        }
    }
}

/// A contact as stored: the boundary's [`Contact`](webwx_core::boundary::Contact) object
/// (`body`) and the fields the filters read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRecord {
    /// UserName.
    pub user_name: String,
    /// Nick name (normalized).
    pub nick_name: String,
    /// Remark name, or empty.
    pub remark_name: String,
    /// WeChat id, or empty.
    pub alias: String,
    /// `friend`, `group`, `official`, `special`, `file_helper` or `myself`.
    pub kind: String,
    /// The boundary's contact object, as the API answers it.
    pub body: serde_json::Value,
}

/// A change of the stored contacts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContactOp {
    /// The whole address book (after login).
    Replace(Vec<ContactRecord>),
    /// One contact added or changed.
    Upsert(ContactRecord),
    /// One contact gone.
    Remove(String),
}

/// A message of the history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HistoryRecord {
    /// The seq of the event that carried it (an incoming `message`, or the `command`
    /// `sent` of a send).
    pub seq: u64,
    /// The server's MsgId.
    pub msg_id: String,
    /// The LocalID of a send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_id: Option<String>,
    /// The chat (UserName).
    pub chat: String,
    /// Who sent it (UserName).
    pub sender: String,
    /// Sent by this account.
    pub outgoing: bool,
    /// `text`, `image`, `file`, … (the message kind).
    pub kind: String,
    /// The text, where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The file name of a file or media send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Seconds since the epoch.
    pub time: u64,
    /// Revoked (the text is kept).
    pub revoked: bool,
    /// The whole message object of an incoming (or other device's) message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<serde_json::Value>,
}

/// A history row to write in a [`Batch`]: its seq is that of the batch's event number
/// `event`, or `seq` when its event is already in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHistory {
    /// Index into [`Batch::events`] of the event that carried it.
    pub event: Option<usize>,
    /// Else the seq of its event.
    pub seq: u64,
    /// The row (its `seq` is filled in).
    pub record: HistoryRecord,
}

/// What one session step writes, atomically: its events (seqs allocated in the same
/// transaction), the session state they leave behind, the account's state, contacts and
/// history. A crash before the commit loses all of it (the server re-delivers from the
/// older saved state), after it none: a message is neither lost nor repeated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// Events, in order.
    pub events: Vec<NewEvent>,
    /// The saved session after them.
    pub session: Option<String>,
    /// The account's new state.
    pub status: Option<Status>,
    /// Contact changes.
    pub contacts: Vec<ContactOp>,
    /// History rows.
    pub history: Vec<NewHistory>,
    /// MsgIds revoked (kept, marked).
    pub revoked: Vec<String>,
}

impl Batch {
    /// Whether it writes nothing.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.session.is_none()
            && self.status.is_none()
            && self.contacts.is_empty()
            && self.history.is_empty()
            && self.revoked.is_empty()
    }
}

/// What [`Store::idempotency_begin`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Idempotency {
    /// The key is new and now taken: run the command, then
    /// [`Store::idempotency_finish`].
    Run,
    /// Answered before: the stored status and answer.
    Done {
        /// HTTP status.
        status: u16,
        /// The answer JSON.
        answer: String,
    },
    /// Still running (in this process).
    Running,
    /// Taken by a run that never finished (the gateway stopped meanwhile): whether the
    /// command ran is unknown, so it is not run again.
    Interrupted,
    /// The key was used for another request.
    Mismatch,
}

/// One webhook outbox cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxRecord {
    /// The hook URL.
    pub hook: String,
    /// The account.
    pub account: String,
    /// The last seq delivered.
    pub delivered: u64,
    /// Failed attempts so far, in total.
    pub retries: u64,
}

/// The gateway's durable state. See the module docs for the promises.
pub trait Store: Send + Sync + 'static {
    /// After a start: every idempotency key still `running` belongs to a stopped process
    /// and becomes interrupted; keys older than `keep_ms` are forgotten.
    fn recover(&self, now_ms: i64, keep_ms: i64) -> StoreFuture<'_, ()>;

    /// Creates an account (generation 1).
    fn create_account(&self, account: NewAccount, now_ms: i64) -> StoreFuture<'_, AccountRecord>;

    /// Every account, oldest first.
    fn accounts(&self) -> StoreFuture<'_, Vec<AccountRecord>>;

    /// One account.
    fn account(&self, id: &str) -> StoreFuture<'_, Option<AccountRecord>>;

    /// Forgets an account: its session, contacts, history, keys and outbox (its events
    /// stay in the log).
    fn delete_account(&self, fence: &Fence) -> StoreFuture<'_, ()>;

    /// Writes a [`Batch`] in one transaction; returns the seqs of its events.
    fn commit(&self, fence: &Fence, batch: Batch, now_ms: i64) -> StoreFuture<'_, Vec<u64>>;

    /// The last seq committed.
    fn head(&self) -> StoreFuture<'_, u64>;

    /// Events after `after` (of one account, or all), at most `limit`, in seq order.
    fn events_after(
        &self,
        after: u64,
        account: Option<&str>,
        limit: usize,
    ) -> StoreFuture<'_, Vec<StoredEvent>>;

    /// An account's contacts, as the boundary's `contacts` query filters them: of one
    /// kind (`special` takes the file helper too) and/or whose UserName is `q` or whose
    /// nick name, remark name or alias contains it (case-insensitively).
    fn contacts(
        &self,
        account: &str,
        kind: Option<&str>,
        q: Option<&str>,
    ) -> StoreFuture<'_, Vec<ContactRecord>>;

    /// History newest first: of one chat or all, before seq `before`, at most `limit`.
    fn messages(
        &self,
        account: &str,
        chat: Option<&str>,
        before: Option<u64>,
        limit: usize,
    ) -> StoreFuture<'_, Vec<HistoryRecord>>;

    /// Takes an idempotency key for a request with this fingerprint, or says what it
    /// holds.
    fn idempotency_begin(
        &self,
        fence: &Fence,
        key: &str,
        fingerprint: &str,
        now_ms: i64,
    ) -> StoreFuture<'_, Idempotency>;

    /// Stores the answer of a key's run.
    fn idempotency_finish(
        &self,
        fence: &Fence,
        key: &str,
        status: u16,
        answer: &str,
    ) -> StoreFuture<'_, ()>;

    /// Gives a key back without an answer (the request was refused before it ran).
    fn idempotency_release(&self, fence: &Fence, key: &str) -> StoreFuture<'_, ()>;

    /// The outbox cursor of `hook` for `account` (created at `start` when new: a new
    /// hook delivers from then on).
    fn outbox_cursor(
        &self,
        fence: &Fence,
        hook: &str,
        start: u64,
        now_ms: i64,
    ) -> StoreFuture<'_, u64>;

    /// Moves the cursor to `delivered` (a 2xx).
    fn outbox_delivered(
        &self,
        fence: &Fence,
        hook: &str,
        delivered: u64,
        now_ms: i64,
    ) -> StoreFuture<'_, ()>;

    /// Counts a failed attempt.
    fn outbox_failed(
        &self,
        fence: &Fence,
        hook: &str,
        error: &str,
        now_ms: i64,
    ) -> StoreFuture<'_, ()>;

    /// Every outbox cursor.
    fn outbox(&self) -> StoreFuture<'_, Vec<OutboxRecord>>;

    /// Events of `account` after `after` (for outbox lag).
    fn count_after(&self, account: &str, after: u64) -> StoreFuture<'_, u64>;

    /// The leases and nodes of a store several nodes share (`None`: one node owns
    /// everything, as with SQLite).
    fn cluster(&self) -> Option<&dyn Cluster> {
        None
    }
}

/// The contacts that match `q` (UserName exactly, or nick name, remark name or alias
/// containing it, case-insensitively beyond ASCII, as the boundary's query matches),
/// sorted by the name shown, as the query sorts. Every backend filters through this.
pub(crate) fn search_contacts(mut rows: Vec<ContactRecord>, q: Option<&str>) -> Vec<ContactRecord> {
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let needle = webwx_core::message::normalize_text(q).to_lowercase();
        rows.retain(|c| {
            c.user_name == q
                || [&c.nick_name, &c.remark_name, &c.alias]
                    .iter()
                    .any(|f| f.to_lowercase().contains(&needle))
        });
    }
    rows.sort_by_cached_key(|c| {
        let shown = if c.remark_name.is_empty() {
            &c.nick_name
        } else {
            &c.remark_name
        };
        (shown.to_lowercase(), c.user_name.clone())
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_events_carry_seq_and_account() {
        let e = StoredEvent {
            seq: 7,
            account: "a\"1".into(),
            kind: "ready".into(),
            body: r#"{"event":"ready"}"#.into(),
        };
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["seq"], 7);
        assert_eq!(v["account"], "a\"1");
        assert_eq!(v["event"], "ready");
        let empty = StoredEvent {
            body: "{}".into(),
            ..e
        };
        let v: serde_json::Value = serde_json::from_str(&empty.to_json()).unwrap();
        assert_eq!(v["seq"], 7);
    }
}
