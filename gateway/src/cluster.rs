//! Several nodes sharing one PostgreSQL store ([`Cluster`]): each account is run by
//! exactly one live node, the holder of its lease. Three loops per node:
//!
//! - **leases**, every third of the lease time: the heartbeat renews the node and every
//!   lease it holds; an account whose lease is gone (taken by another node after this
//!   one missed its renewals, e.g. paused) is stopped at once. Beside it (so that slow
//!   resumes never delay a renewal), every third of the lease time, the node takes
//!   expired or handed-back leases up to its fair share (`ceil(accounts / live nodes)`,
//!   at most `--max-accounts`) and resumes each from its stored session (no QR code).
//! - **calls**: runs the command table's calls for the accounts it holds (commands
//!   and deletes sent to any node) and the creations placed on it.
//! - **head**: follows the shared log's head, so that the event streams of every node
//!   serve what any node writes.
//!
//! A node only acts for an account (webhook POSTs included) while its last renewal is
//! younger than the lease time (its monotonic clock runs on while it is paused), and
//! every write carries the lease's generation: the database refuses a stale owner's.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use webwx_core::SessionState;

use crate::Gateway;
use crate::accounts::{Account, AccountState, Start};
use crate::commands::Reply;
use crate::store::{AccountRecord, Cluster, RemoteCall, RemoteKind, Status};
use http::StatusCode;

/// What a node knows of its leases.
#[derive(Debug, Default)]
pub struct LeaseClock {
    /// Until when the last renewal holds (by this process's monotonic clock).
    valid_until: std::sync::Mutex<Option<Instant>>,
}

impl LeaseClock {
    fn set(&self, until: Instant) {
        *self.valid_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(until);
    }

    /// Whether the leases this node holds are still its own.
    pub fn valid(&self) -> bool {
        self.valid_until
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|u| Instant::now() < u)
    }
}

impl Gateway {
    /// This node's name (`--node`, else `local`).
    pub fn node_name(&self) -> &str {
        self.options.node.as_deref().unwrap_or("local")
    }

    /// The shared store's cluster, when several nodes share it.
    pub fn cluster(&self) -> Option<&dyn Cluster> {
        self.store.cluster()
    }

    /// Whether this node may act for the accounts it holds now (always on one node).
    pub fn may_act(&self) -> bool {
        self.cluster().is_none() || self.lease_clock.valid()
    }
}

/// Starts the node's loops (after [`Gateway::restore`] joined the cluster).
pub(crate) fn spawn(gw: &Arc<Gateway>) {
    tokio::spawn(leases(gw.clone()));
    tokio::spawn(takes(gw.clone()));
    tokio::spawn(calls(gw.clone()));
    tokio::spawn(heads(gw.clone()));
}

async fn leases(gw: Arc<Gateway>) {
    let mut stopping = gw.stopping();
    let period = gw.options.lease / 3;
    loop {
        if *stopping.borrow() {
            return;
        }
        // Renewals keep their pace whatever a renewal took.
        let next = Instant::now() + period;
        renew(&gw).await;
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = stopping.changed() => return,
        }
    }
}

async fn takes(gw: Arc<Gateway>) {
    let mut stopping = gw.stopping();
    let period = gw.options.lease / 3;
    // The first renewal comes first: held leases are known before anything is taken.
    tokio::time::sleep(gw.options.poll).await;
    loop {
        if *stopping.borrow() {
            return;
        }
        take(&gw).await;
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = stopping.changed() => return,
        }
    }
}

/// One heartbeat: renew, stop what was lost.
async fn renew(gw: &Arc<Gateway>) {
    let Some(cluster) = gw.cluster() else { return };
    let node = gw.node_name().to_owned();
    let ttl = gw.options.lease;
    let started = Instant::now();
    let asked = std::time::Instant::now();
    let held = match cluster.renew(&node, ttl).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "lease renewal failed");
            return;
        }
    };
    if *gw.stopping().borrow() {
        return;
    }
    // The renewal was sent at `started`: the leases hold until then plus their time.
    gw.lease_clock.set(started + ttl);
    let held_set: HashSet<(String, i64)> = held
        .iter()
        .map(|l| (l.account.clone(), l.generation))
        .collect();
    for a in gw.accounts() {
        // An account taken or created while the renewal ran is not in its answer.
        if a.since < asked && !held_set.contains(&(a.id.clone(), a.fence.generation)) {
            tracing::warn!(account = %a.id, "lease lost to another node: stopping its session");
            gw.metrics
                .leases_lost
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            gw.forget_local(&a);
        }
    }
    *gw.held.lock().unwrap_or_else(|e| e.into_inner()) = held;
}

/// Runs the leases held but not running here, then takes a fair share of what is free.
async fn take(gw: &Arc<Gateway>) {
    let Some(cluster) = gw.cluster() else { return };
    if !gw.may_act() || *gw.stopping().borrow() {
        return;
    }
    let node = gw.node_name().to_owned();
    let ttl = gw.options.lease;
    let held = gw.held.lock().unwrap_or_else(|e| e.into_inner()).clone();
    // Leases held but not running here: a previous run of this node (restarted
    // within the lease time) held them.
    let handed_back = gw
        .handed_back
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    for l in &held {
        if gw.account(&l.account).is_none()
            && !handed_back.contains(&(l.account.clone(), l.generation))
            && let Ok(Some(r)) = gw.store.account(&l.account).await
            && r.generation == l.generation
        {
            adopt(gw, r).await;
        }
    }
    let mine = gw.accounts().len() as u64;
    let (total, live) = match cluster.load(ttl).await {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(error = %e, "cluster load unreadable");
            return;
        }
    };
    let fair = total.div_ceil(live.max(1));
    let room = gw
        .options
        .max_accounts
        .map_or(u64::MAX, |m| (m as u64).saturating_sub(mine));
    if mine > fair {
        rebalance(gw, cluster, mine, fair).await;
        return;
    }
    let limit = fair.saturating_sub(mine).min(room) as usize;
    if limit == 0 {
        return;
    }
    match cluster.take(&node, ttl, limit).await {
        Ok(taken) => {
            for r in taken {
                tracing::info!(account = %r.id, generation = r.generation, "lease taken");
                gw.metrics
                    .leases_taken
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                adopt(gw, r).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "taking leases failed"),
    }
}

/// Hands one account back when this node holds more than its fair share and a live
/// node with room holds at least two fewer (a node that joined late): that node takes
/// it at its next look and resumes it from the stored session, without a QR code. One
/// account per look, so they move a few at a time and never back and forth.
async fn rebalance(gw: &Arc<Gateway>, cluster: &dyn Cluster, mine: u64, fair: u64) {
    let me = gw.node_name();
    let nodes = match cluster.nodes(gw.options.lease).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "nodes unreadable");
            return;
        }
    };
    let room_elsewhere = nodes.iter().any(|n| {
        let held = n.accounts.len() as u64;
        n.live
            && n.name != me
            && held + 1 < mine
            && held < fair
            && n.max_accounts.is_none_or(|m| (held as i64) < m)
    });
    if !room_elsewhere {
        return;
    }
    // The newest logged-in account: a login under way has no session to resume.
    let Some(account) = gw
        .accounts()
        .into_iter()
        .rev()
        .find(|a| a.live().state == AccountState::LoggedIn)
    else {
        return;
    };
    tracing::info!(account = %account.id, "handing an account back to rebalance");
    gw.handed_back
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert((account.id.clone(), account.fence.generation));
    let running = account.running();
    gw.forget_local(&account);
    // Its recorder commits what the session left, then drops its notes: only then is
    // the lease handed back (a write after that would be fenced).
    if let Some(r) = running {
        let _ = tokio::time::timeout(gw.options.lease, r.notes.closed()).await;
    }
    if let Err(e) = cluster.release_one(me, &account.id).await {
        tracing::error!(account = %account.id, error = %e, "cannot hand the lease back");
    }
}

/// Runs an account this node now holds: resumes a logged-in one from its stored
/// session (no QR code), ends a login another node was waiting on.
pub(crate) async fn adopt(gw: &Arc<Gateway>, record: AccountRecord) {
    let account = Arc::new(Account::from_record(&record));
    gw.insert(account.clone());
    let saved = record
        .session
        .as_deref()
        .and_then(|s| SessionState::from_json(s).ok())
        .filter(|s| s.credentials.is_some() && s.me.is_some());
    let was = AccountState::parse(&record.state);
    match saved {
        Some(s) if matches!(was, AccountState::LoggedIn | AccountState::Resuming) => {
            if let Err(e) = gw.start_session(&account, Start::Resume(Box::new(s))) {
                tracing::error!(account = %account.id, error = %e, "cannot resume");
            }
        }
        _ if matches!(was, AccountState::WaitingScan | AccountState::Scanned) => {
            let status = Status {
                state: AccountState::LoggedOut.as_str().into(),
                reason: Some("the node running its login stopped before it finished".into()),
                ..Status::default()
            };
            if let Err(e) = gw.set_status(&account, status).await {
                tracing::warn!(account = %account.id, error = %e, "cannot mark the login ended");
            }
        }
        _ => {}
    }
    crate::webhooks::spawn(gw.clone(), account);
}

async fn calls(gw: Arc<Gateway>) {
    let mut stopping = gw.stopping();
    loop {
        if *stopping.borrow() {
            return;
        }
        if let Some(cluster) = gw.cluster()
            && gw.may_act()
        {
            let ids: Vec<String> = gw.accounts().iter().map(|a| a.id.clone()).collect();
            match cluster.claim_calls(gw.node_name(), &ids).await {
                Ok(calls) => {
                    for call in calls {
                        tokio::spawn(run_call(gw.clone(), call));
                    }
                }
                Err(e) => tracing::error!(error = %e, "command table unreadable"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(gw.options.poll) => {}
            _ = stopping.changed() => return,
        }
    }
}

async fn run_call(gw: Arc<Gateway>, call: RemoteCall) {
    let reply = match call.kind {
        RemoteKind::Create => match serde_json::from_str(&call.request) {
            Ok(req) => crate::views::create_reply(&gw, req).await,
            Err(e) => Reply::error(StatusCode::BAD_REQUEST, None, "bad_request", &e.to_string()),
        },
        RemoteKind::Command | RemoteKind::Delete => {
            match call.account.as_deref().and_then(|id| gw.account(id)) {
                None => Reply::error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    None,
                    "moved",
                    "the account moved to another node meanwhile: try again",
                ),
                Some(a) if call.kind == RemoteKind::Delete => match gw.delete_account(&a).await {
                    Ok(()) => Reply {
                        status: StatusCode::NO_CONTENT,
                        body: String::new(),
                    },
                    Err(e) => Reply::error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        None,
                        "store",
                        &e.to_string(),
                    ),
                },
                Some(a) => {
                    // The text the caller's node wrote from the JSON it parsed.
                    match webwx_core::boundary::Request::parse(&call.request) {
                        Ok(request) => {
                            crate::commands::execute(&gw, &a, request, call.key.as_deref()).await
                        }
                        Err((id, error)) => {
                            let answer = webwx_core::boundary::Answer::new(id, Err(error));
                            Reply {
                                status: StatusCode::BAD_REQUEST,
                                body: answer.to_json(),
                            }
                        }
                    }
                }
            }
        }
    };
    if let Some(cluster) = gw.cluster()
        && let Err(e) = cluster
            .finish_call(call.id, reply.status.as_u16(), &reply.body)
            .await
    {
        tracing::error!(error = %e, "cannot answer a call");
    }
}

/// Sends a call through the command table and waits (at most `limit`) for its answer.
pub async fn remote(
    gw: &Gateway,
    kind: RemoteKind,
    account: Option<&str>,
    node: Option<&str>,
    request: &str,
    key: Option<&str>,
    limit: Duration,
) -> Reply {
    let Some(cluster) = gw.cluster() else {
        return Reply::error(StatusCode::NOT_FOUND, None, "not_found", "no such account");
    };
    let id = match cluster.submit(kind, account, node, request, key).await {
        Ok(id) => id,
        Err(e) => {
            return Reply::error(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                "store",
                &e.to_string(),
            );
        }
    };
    let deadline = Instant::now() + limit;
    let mut delay = Duration::from_millis(10);
    // Whether the node running the call still lives is checked this often: one that died
    // mid-call answers 504 once its heartbeat is a lease old, not at the caller's limit.
    let check_every = (gw.options.lease / 3).max(Duration::from_millis(100));
    let mut next_check = Instant::now() + check_every;
    loop {
        match cluster.answer(id).await {
            Ok(Some((status, body))) => {
                return Reply {
                    status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
                    body,
                };
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "command table unreadable"),
        }
        if Instant::now() >= next_check {
            next_check = Instant::now() + check_every;
            if let Ok(true) = cluster.abandon_if_runner_dead(id, gw.options.lease).await {
                return Reply::error(
                    StatusCode::GATEWAY_TIMEOUT,
                    None,
                    "node_lost",
                    "the account's node died while running the call: its outcome is unknown",
                );
            }
        }
        if Instant::now() >= deadline {
            let never_ran = cluster.cancel(id).await.unwrap_or(false);
            let message = if never_ran {
                "the account's node did not take the call in time (it never ran)"
            } else {
                "the account's node did not answer in time: its outcome is unknown"
            };
            return Reply::error(StatusCode::GATEWAY_TIMEOUT, None, "timeout", message);
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(50));
    }
}

async fn heads(gw: Arc<Gateway>) {
    let mut stopping = gw.stopping();
    loop {
        if *stopping.borrow() {
            return;
        }
        match gw.store.head().await {
            Ok(h) => gw.published(h),
            Err(e) => tracing::warn!(error = %e, "the log's head is unreadable"),
        }
        tokio::select! {
            _ = tokio::time::sleep(gw.options.poll) => {}
            _ = stopping.changed() => return,
        }
    }
}

/// A graceful stop: hands every lease back at once, so that live nodes take the
/// accounts at their next look (their sessions stay logged in).
pub(crate) async fn hand_back(gw: &Gateway) {
    if let Some(cluster) = gw.cluster() {
        match cluster.release(gw.node_name()).await {
            Ok(n) => tracing::info!(accounts = n, "leases handed back"),
            Err(e) => tracing::error!(error = %e, "cannot hand the leases back"),
        }
    }
}
