//! The gateway's shared state: options, store, the accounts it runs, the event log's
//! head, metrics; and its start (restoring every stored account).

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};

use tokio::sync::watch;
use webwx_core::SessionState;
use webwx_hyper::Transport;
use webwx_hyper::prelude::*;

use crate::accounts::{Account, AccountState, Start};
use crate::options::Options;
use crate::store::{NewAccount, Status, Store, StoreError};

/// Events a session may hand its recorder ahead of the store (the driver's bounded
/// channel).
const EVENT_CAPACITY: usize = 1;

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Events written to the log.
    pub events: AtomicU64,
    /// Messages sent through the API (answered `sent`).
    pub sends: AtomicU64,
    /// Webhook attempts that failed (retried).
    pub webhook_retries: AtomicU64,
    /// Webhook deliveries (2xx).
    pub webhook_deliveries: AtomicU64,
    /// Webhook quick replies sent.
    pub webhook_replies: AtomicU64,
    /// Writes the store refused because another node holds the account now (fencing).
    pub fenced: AtomicU64,
    /// Leases this node lost to another (its sessions stopped).
    pub leases_lost: AtomicU64,
    /// Leases this node took (accounts it resumed).
    pub leases_taken: AtomicU64,
}

/// One gateway: many accounts, one store, one event log.
pub struct Gateway {
    /// Its options.
    pub options: Options,
    /// The store.
    pub store: Arc<dyn Store>,
    /// The HTTP client every session (and the webhooks) share.
    pub transport: Transport,
    accounts: RwLock<BTreeMap<String, Arc<Account>>>,
    head: watch::Sender<u64>,
    /// Set when the gateway stops: event streams end, sessions stop.
    stopping: watch::Sender<bool>,
    /// Recorders still running.
    pub(crate) recorders: AtomicU64,
    /// Counters.
    pub metrics: Metrics,
    /// How commands are paced (none yet).
    pub pacer: Box<dyn crate::pacing::Pacer>,
    /// With a shared store: until when this node's leases hold.
    pub(crate) lease_clock: crate::cluster::LeaseClock,
    /// With a shared store: the leases the last renewal confirmed.
    pub(crate) held: std::sync::Mutex<Vec<crate::store::Lease>>,
    /// Leases (account, generation) this node handed back to rebalance: never adopted
    /// again from a renewal's answer that predates the hand-back.
    pub(crate) handed_back: std::sync::Mutex<std::collections::HashSet<(String, i64)>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("accounts", &self.accounts().len())
            .field("head", &*self.head.borrow())
            .finish_non_exhaustive()
    }
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CreateError {
    /// The request was wrong.
    #[error("{0}")]
    Invalid(String),
    /// The name is taken by a running account.
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `POST /v1/accounts` asks for.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    /// A unique name: a second create with it logs the same account in again (push
    /// login or resume, no QR when possible).
    #[serde(default)]
    pub name: Option<String>,
    /// Desktop (UOS) login.
    #[serde(default)]
    pub desktop: bool,
    /// Its own origin (only with `--allow-origin-override`).
    #[serde(default)]
    pub origin: Option<String>,
}

impl Gateway {
    /// A gateway on `store` (nothing runs until [`Gateway::restore`]).
    pub fn new(options: Options, store: Arc<dyn Store>) -> Result<Arc<Gateway>, String> {
        // Few events wait between a session and its recorder: the session fetches (and
        // so acknowledges to the server) little more than the store has committed, which
        // is what a `kill -9` can lose (the server drops what a sync acknowledged).
        let mut transport_options = webwx_hyper::Options::default();
        transport_options.event_capacity = EVENT_CAPACITY;
        let transport =
            Transport::new(&transport_options).map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Arc::new(Gateway {
            options,
            store,
            transport,
            accounts: RwLock::new(BTreeMap::new()),
            head: watch::channel(0).0,
            stopping: watch::channel(false).0,
            recorders: AtomicU64::new(0),
            metrics: Metrics::default(),
            pacer: Box::new(crate::pacing::NoPacing),
            lease_clock: Default::default(),
            held: Default::default(),
            handed_back: Default::default(),
        }))
    }

    /// Loads the accounts and the log's head from the store and starts every account
    /// that was logged in from its saved session (no QR code); interrupted idempotency
    /// keys are marked so. Returns how many sessions resume.
    pub async fn restore(self: &Arc<Self>) -> Result<usize, StoreError> {
        let now = crate::now_ms();
        self.store
            .recover(now, self.options.idempotency_keep.as_millis() as i64)
            .await?;
        let head = self.store.head().await?;
        self.published(head);
        if let Some(cluster) = self.store.cluster() {
            // Several nodes: this one runs the accounts whose leases it takes.
            let url = format!("http://{}", self.options.listen);
            let max = self.options.max_accounts.map(|m| m as i64);
            cluster
                .join(self.node_name(), &url, max, self.options.lease)
                .await?;
            crate::cluster::spawn(self);
            return Ok(0);
        }
        let mut resumed = 0;
        for record in self.store.accounts().await? {
            let account = Arc::new(Account::from_record(&record));
            self.insert(account.clone());
            let saved = record
                .session
                .as_deref()
                .and_then(|s| SessionState::from_json(s).ok())
                .filter(|s| s.credentials.is_some() && s.me.is_some());
            let was = AccountState::parse(&record.state);
            match saved {
                Some(s) if matches!(was, AccountState::LoggedIn | AccountState::Resuming) => {
                    match self.start_session(&account, Start::Resume(Box::new(s))) {
                        Ok(()) => resumed += 1,
                        Err(e) => {
                            tracing::error!(account = %account.id, error = %e, "cannot resume")
                        }
                    }
                }
                _ if matches!(was, AccountState::WaitingScan | AccountState::Scanned) => {
                    // A login the restart interrupted: log in again by name (POST).
                    let status = Status {
                        state: AccountState::LoggedOut.as_str().into(),
                        reason: Some("the gateway restarted before the login finished".into()),
                        ..Status::default()
                    };
                    self.set_status(&account, status).await?;
                }
                _ => {}
            }
            crate::webhooks::spawn(self.clone(), account);
        }
        Ok(resumed)
    }

    /// Writes an account's state outside of its session's steps.
    pub(crate) async fn set_status(
        &self,
        account: &Account,
        status: Status,
    ) -> Result<(), StoreError> {
        account.update_live(|l| {
            l.state = AccountState::parse(&status.state);
            l.reason = status.reason.clone();
        });
        let batch = crate::store::Batch {
            status: Some(status),
            ..Default::default()
        };
        self.store
            .commit(&account.fence, batch, crate::now_ms())
            .await
            .map(|_| ())
    }

    /// Stops running `account` here (another node holds it now): its session and
    /// webhook deliveries stop, the API reads it from the store.
    pub(crate) fn forget_local(&self, account: &Arc<Account>) {
        self.stop_session(account);
        let _ = account.gone.send(true);
        self.accounts
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&account.id);
    }

    pub(crate) fn insert(&self, account: Arc<Account>) {
        self.accounts
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(account.id.clone(), account);
    }

    /// Every account, oldest first.
    pub fn accounts(&self) -> Vec<Arc<Account>> {
        let mut v: Vec<_> = self
            .accounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        v.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        v
    }

    /// One account.
    pub fn account(&self, id: &str) -> Option<Arc<Account>> {
        self.accounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// Creates an account and starts its login; for a known `name`, logs that account
    /// in again instead (resume or push login, QR only when neither works). Returns the
    /// account and whether it is new.
    pub async fn create_account(
        self: &Arc<Self>,
        req: CreateAccount,
    ) -> Result<(Arc<Account>, bool), CreateError> {
        if let Some(o) = &req.origin {
            if !self.options.allow_origin_override {
                return Err(CreateError::Invalid(
                    "\"origin\" is refused: the gateway was not started with --allow-origin-override".into(),
                ));
            }
            webwx_core::relay::Origin::parse(o)
                .map_err(|e| CreateError::Invalid(format!("\"origin\": {e}")))?;
        }
        if let Some(name) = &req.name {
            if name.is_empty() || name.len() > 200 {
                return Err(CreateError::Invalid(
                    "\"name\" must have 1 to 200 characters".into(),
                ));
            }
            if let Some(existing) = self
                .accounts()
                .into_iter()
                .find(|a| a.name.as_ref() == Some(name))
            {
                return self.log_in_again(existing).await.map(|a| (a, false));
            }
        }
        let id = format!("{:012x}", webwx_hyper::random_seed() & 0xffff_ffff_ffff);
        let record = self
            .store
            .create_account(
                NewAccount {
                    id,
                    name: req.name.clone(),
                    desktop: req.desktop,
                    origin: req.origin.clone(),
                    state: AccountState::WaitingScan.as_str().into(),
                    node: self.options.node.clone(),
                },
                crate::now_ms(),
            )
            .await
            .map_err(|e| match e {
                StoreError::NameTaken(n) => {
                    CreateError::Conflict(format!("the name {n:?} is taken"))
                }
                e => CreateError::Store(e),
            })?;
        let account = Arc::new(Account::from_record(&record));
        self.insert(account.clone());
        crate::webhooks::spawn(self.clone(), account.clone());
        self.start_session(&account, Start::Qr)
            .map_err(CreateError::Invalid)?;
        Ok((account, true))
    }

    /// Logs a known account in again: nothing when it runs, else resume / push / QR.
    async fn log_in_again(
        self: &Arc<Self>,
        account: Arc<Account>,
    ) -> Result<Arc<Account>, CreateError> {
        if account.running().is_some() {
            return Ok(account);
        }
        let record = self.store.account(&account.id).await?;
        let saved = record
            .and_then(|r| r.session)
            .and_then(|s| SessionState::from_json(&s).ok());
        let start = match saved {
            Some(s) => Start::Connect(Box::new(s)),
            None => Start::Qr,
        };
        self.start_session(&account, start)
            .map_err(CreateError::Invalid)?;
        Ok(account)
    }

    /// Logs `account` out (waiting a little for the server) and forgets it.
    pub async fn delete_account(&self, account: &Arc<Account>) -> Result<(), StoreError> {
        if let Some(r) = account.running() {
            let logout = r.handle.command(webwx_core::boundary::Command::Logout {});
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), logout).await;
            r.handle.shutdown();
        }
        self.stop_session(account);
        let _ = account.gone.send(true);
        self.accounts
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&account.id);
        self.store.delete_account(&account.fence).await
    }

    /// The event log's head has reached `seq`: wake the streams and webhooks.
    pub fn published(&self, seq: u64) {
        self.head.send_if_modified(|h| {
            if seq > *h {
                *h = seq;
                true
            } else {
                false
            }
        });
    }

    /// The last seq committed, watchable.
    pub fn head(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }

    /// Stops every session without logging out (a graceful stop: each resumes later)
    /// and ends the event streams.
    pub fn shutdown(&self) {
        let _ = self.stopping.send(true);
        for a in self.accounts() {
            self.stop_session(&a);
        }
    }

    /// Whether [`Gateway::shutdown`] was called, watchable.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Waits (at most `limit`) until every session's recorder has written its last
    /// events, after [`Gateway::shutdown`].
    pub async fn drained(&self, limit: std::time::Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.recorders.load(std::sync::atomic::Ordering::SeqCst) > 0
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
