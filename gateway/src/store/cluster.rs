//! What several nodes sharing one store need from it ([`Cluster`]): live nodes, the
//! lease of each account (owner, generation, expiry on the database's clock), and the
//! command table through which any node reaches an account's owner.
//!
//! A lease is taken with a compare-and-set (`... FOR UPDATE SKIP LOCKED`, only when it
//! expired or was handed back) that bumps the account's generation, so every write of
//! the previous owner is refused from then on ([`StoreError::Fenced`](super::StoreError)).

use std::time::Duration;

use serde::Serialize;

use super::{AccountRecord, StoreFuture};

/// An account a node holds: its id and the generation its writes carry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Lease {
    /// The account.
    pub account: String,
    /// The owner generation.
    pub generation: i64,
}

/// A node as `GET /v1/nodes` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeRecord {
    /// Its name (`--node`).
    pub name: String,
    /// Where it answers (its listen URL).
    pub url: Option<String>,
    /// Its `--max-accounts`.
    pub max_accounts: Option<i64>,
    /// Alive: its heartbeat is younger than the lease time and it did not stop.
    pub live: bool,
    /// Milliseconds since its last heartbeat.
    pub heartbeat_age_ms: i64,
    /// Milliseconds since it started.
    pub uptime_ms: i64,
    /// The accounts it holds, with the age of each lease (ms since its last renewal).
    pub accounts: Vec<NodeAccount>,
}

/// An account of a [`NodeRecord`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeAccount {
    /// The account.
    pub id: String,
    /// Its owner generation.
    pub generation: i64,
    /// Milliseconds since the lease was last renewed (or taken).
    pub lease_age_ms: i64,
    /// Milliseconds until it expires (negative: expired, free to take).
    pub lease_left_ms: i64,
}

/// What a row of the command table asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoteKind {
    /// A boundary command for the account (the request JSON).
    Command,
    /// Create an account on the node named (the `POST /v1/accounts` body).
    Create,
    /// Log the account out and forget it.
    Delete,
}

impl RemoteKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RemoteKind::Command => "command",
            RemoteKind::Create => "create",
            RemoteKind::Delete => "delete",
        }
    }

    /// The kind of a stored name.
    pub fn parse(s: &str) -> Option<RemoteKind> {
        match s {
            "command" => Some(RemoteKind::Command),
            "create" => Some(RemoteKind::Create),
            "delete" => Some(RemoteKind::Delete),
            _ => None,
        }
    }
}

/// A call waiting in the command table for the node that runs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteCall {
    /// Its row.
    pub id: i64,
    /// What it asks.
    pub kind: RemoteKind,
    /// The account (commands, deletes).
    pub account: Option<String>,
    /// The request JSON.
    pub request: String,
    /// Its `Idempotency-Key`.
    pub key: Option<String>,
}

/// Leases, live nodes and the command table of a store several nodes share.
pub trait Cluster: Send + Sync {
    /// Marks `node` alive (started now when new) with its URL and capacity.
    fn join(
        &self,
        node: &str,
        url: &str,
        max_accounts: Option<i64>,
        ttl: Duration,
    ) -> StoreFuture<'_, ()>;

    /// The node's heartbeat: renews it and every lease it still holds for `ttl`;
    /// answers those leases (an account missing from them was taken by another node:
    /// stop its session).
    fn renew(&self, node: &str, ttl: Duration) -> StoreFuture<'_, Vec<Lease>>;

    /// Takes up to `limit` accounts whose lease expired or was handed back (each with
    /// a new generation; idempotency keys its previous owner left running become
    /// interrupted). Answers their records, generation and all.
    fn take(&self, node: &str, ttl: Duration, limit: usize) -> StoreFuture<'_, Vec<AccountRecord>>;

    /// Hands every lease of `node` back at once and marks it stopped (a graceful stop):
    /// live nodes take the accounts at their next look. Answers how many.
    fn release(&self, node: &str) -> StoreFuture<'_, u64>;

    /// Hands one lease back (the node could not run the account).
    fn release_one(&self, node: &str, account: &str) -> StoreFuture<'_, ()>;

    /// Every node known, live or not, with its accounts.
    fn nodes(&self, ttl: Duration) -> StoreFuture<'_, Vec<NodeRecord>>;

    /// The live node with the fewest accounts and room for one more (by name among
    /// equals), if any.
    fn least_loaded(&self, ttl: Duration) -> StoreFuture<'_, Option<String>>;

    /// How many accounts there are, and how many nodes are live.
    fn load(&self, ttl: Duration) -> StoreFuture<'_, (u64, u64)>;

    /// Queues a call: for `account`'s owner, or (a creation) for `node`. Answers its id.
    fn submit(
        &self,
        kind: RemoteKind,
        account: Option<&str>,
        node: Option<&str>,
        request: &str,
        key: Option<&str>,
    ) -> StoreFuture<'_, i64>;

    /// The answer of a call, once there is one: (HTTP status, body).
    fn answer(&self, id: i64) -> StoreFuture<'_, Option<(u16, String)>>;

    /// Gives up on a call nobody took (the caller timed out): answers whether it was
    /// still pending (then it never runs).
    fn cancel(&self, id: i64) -> StoreFuture<'_, bool>;

    /// Claims the pending calls this node runs: those for the accounts it holds and the
    /// creations addressed to it.
    fn claim_calls(&self, node: &str, accounts: &[String]) -> StoreFuture<'_, Vec<RemoteCall>>;

    /// Writes a call's answer.
    fn finish_call(&self, id: i64, status: u16, answer: &str) -> StoreFuture<'_, ()>;

    /// Gives up on a running call whose runner died before answering (no heartbeat for
    /// `ttl`): marks it `lost` and answers true. False while the call is pending or done,
    /// or its runner lives.
    fn abandon_if_runner_dead(&self, id: i64, ttl: Duration) -> StoreFuture<'_, bool>;
}
