//! The shared store: PostgreSQL through `tokio-postgres` with a `deadpool-postgres`
//! pool. The same tables and promises as [`Sqlite`](super::Sqlite) (migrations in
//! `gateway/migrations/postgres/`, applied under an advisory lock so that nodes
//! starting together migrate once), plus the [`Cluster`] of several nodes.
//!
//! - `seq`: the counter row is updated in the events' own transaction; its row lock is
//!   held until commit, so the writers of every node serialize on it and seqs become
//!   visible in commit order (READ COMMITTED: a reader that saw 101 committed after 100
//!   did, since 101's writer waited for 100's commit to get its number).
//! - Fencing: every write locks the account row `FOR KEY SHARE` and compares
//!   generations; taking a lease locks that row `FOR UPDATE`, so a take and a stale
//!   write cannot interleave, while renewals (plain updates) never wait for writes.
//! - Leases, heartbeats and placement use a pool of their own: a busy node's writes
//!   never hold its renewals back.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

use super::cluster::{Cluster, Lease, NodeAccount, NodeRecord, RemoteCall, RemoteKind};
use super::{
    AccountRecord, Batch, ContactOp, ContactRecord, Fence, HistoryRecord, Idempotency, NewAccount,
    OutboxRecord, Store, StoreError, StoreFuture, StoredEvent,
};

/// The migrations, in order: (version, SQL).
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (2, include_str!("../../migrations/postgres/0002_nodes.sql")),
];

/// The advisory lock migrations run under (any constant; "webwx" in ASCII).
const MIGRATION_LOCK: i64 = 0x0077_6562_7778;

/// Connections per node for the store's work.
const POOL: usize = 16;
/// Connections per node for leases and heartbeats.
const CONTROL_POOL: usize = 2;

/// A driver or pool error with its causes (tokio-postgres says "db error" and keeps the
/// server's message in the source).
fn db(e: impl std::error::Error) -> StoreError {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    StoreError::Database(message)
}

fn ms(d: Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}

/// The PostgreSQL [`Store`] and [`Cluster`].
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    control: Pool,
    /// The node this process is (its previous runs' idempotency keys are interrupted
    /// by [`Store::recover`]; other nodes' are not).
    node: Option<String>,
    /// The lease time accounts are created with.
    ttl: Duration,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

const ACCOUNT_COLUMNS: &str = "id, name, desktop, origin, state, reason, user_name, nick_name, \
                               session, generation, node, created_ms, qr_url";

fn account_row(r: &tokio_postgres::Row) -> AccountRecord {
    AccountRecord {
        id: r.get(0),
        name: r.get(1),
        desktop: r.get(2),
        origin: r.get(3),
        state: r.get(4),
        reason: r.get(5),
        user_name: r.get(6),
        nick_name: r.get(7),
        session: r.get(8),
        generation: r.get(9),
        node: r.get(10),
        created_ms: r.get(11),
        qr_url: r.get(12),
    }
}

fn history_row(r: &tokio_postgres::Row) -> HistoryRecord {
    let message: Option<String> = r.get(11);
    HistoryRecord {
        seq: r.get::<_, i64>(0) as u64,
        msg_id: r.get(1),
        local_id: r.get(2),
        chat: r.get(3),
        sender: r.get(4),
        outgoing: r.get(5),
        kind: r.get(6),
        text: r.get(7),
        file_name: r.get(8),
        time: r.get::<_, i64>(9) as u64,
        revoked: r.get(10),
        message: message.and_then(|m| serde_json::from_str(&m).ok()),
    }
}

type Tx<'a> = deadpool_postgres::Transaction<'a>;

/// Checks the writer's generation against the account's, locking the row against a
/// concurrent take until the transaction ends. `FOR KEY SHARE` conflicts with the
/// take's `FOR UPDATE` (a take skips the row until this write commits; a write that
/// comes after a take waits for it and reads the new generation) but not with a
/// lease renewal's plain `UPDATE`: renewals never queue behind the writes.
async fn check_fence(tx: &Tx<'_>, fence: &Fence) -> Result<(), StoreError> {
    let row = tx
        .query_opt(
            "SELECT generation FROM accounts WHERE id = $1 FOR KEY SHARE",
            &[&fence.account],
        )
        .await
        .map_err(db)?;
    match row.map(|r| r.get::<_, i64>(0)) {
        None => Err(StoreError::NoAccount(fence.account.clone())),
        Some(g) if g != fence.generation => Err(StoreError::Fenced {
            account: fence.account.clone(),
            given: fence.generation,
            current: g,
        }),
        Some(_) => Ok(()),
    }
}

async fn write_contact(tx: &Tx<'_>, fence: &Fence, c: &ContactRecord) -> Result<(), StoreError> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO contacts (account, user_name, nick_name, remark_name, alias, kind, body,
                 generation)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (account, user_name) DO UPDATE SET nick_name = excluded.nick_name,
                 remark_name = excluded.remark_name, alias = excluded.alias,
                 kind = excluded.kind, body = excluded.body, generation = excluded.generation",
        )
        .await
        .map_err(db)?;
    tx.execute(
        &stmt,
        &[
            &fence.account,
            &c.user_name,
            &c.nick_name,
            &c.remark_name,
            &c.alias,
            &c.kind,
            &c.body.to_string(),
            &fence.generation,
        ],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// Runs `$body` (a block answering a `Result`, which may `.await?`) in a transaction
/// that first checks `$fence`, and commits when it answers `Ok`.
macro_rules! fenced {
    ($self:expr, $fence:expr, $tx:ident => $body:block) => {{
        let mut c = $self.client().await?;
        let $tx = c.transaction().await.map_err(db)?;
        check_fence(&$tx, &$fence).await?;
        let out: Result<_, StoreError> = async { $body }.await;
        let out = out?;
        $tx.commit().await.map_err(db)?;
        Ok(out)
    }};
}

impl Postgres {
    /// Connects to `url` (`postgres://user@host:port/db`), applies the migrations it
    /// lacks. `node` is this process's node name; `ttl` the lease time.
    pub async fn open(
        url: &str,
        node: Option<String>,
        ttl: Duration,
    ) -> Result<Postgres, StoreError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Database(format!("{url:?}: {e}")))?;
        let pool_of = |size: usize| {
            let manager = Manager::from_config(
                config.clone(),
                NoTls,
                ManagerConfig {
                    recycling_method: RecyclingMethod::Fast,
                },
            );
            Pool::builder(manager)
                .max_size(size)
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .wait_timeout(Some(Duration::from_secs(30)))
                .create_timeout(Some(Duration::from_secs(10)))
                .build()
                .map_err(db)
        };
        let store = Postgres {
            pool: pool_of(POOL)?,
            control: pool_of(CONTROL_POOL)?,
            node,
            ttl,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(db)
    }

    /// A connection for leases and heartbeats.
    async fn control(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.control.get().await.map_err(db)
    }

    /// Applies every migration newer than the database's, each in its own transaction,
    /// under an advisory lock (nodes starting at once migrate once).
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(db)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)",
        )
        .await
        .map_err(db)?;
        let have: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .await
            .map_err(db)?
            .get(0);
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > have) {
            tx.batch_execute(sql).await.map_err(db)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)",
                &[version, &crate::now_ms()],
            )
            .await
            .map_err(db)?;
            tracing::info!(version, "store migrated");
        }
        tx.commit().await.map_err(db)
    }
}

async fn commit_batch(
    tx: &Tx<'_>,
    fence: &Fence,
    batch: &Batch,
    now: i64,
) -> Result<Vec<u64>, StoreError> {
    let mut seqs = Vec::with_capacity(batch.events.len());
    if !batch.events.is_empty() {
        let n = batch.events.len() as i64;
        let last: i64 = tx
            .query_one(
                "UPDATE counters SET value = value + $1 WHERE name = 'seq' RETURNING value",
                &[&n],
            )
            .await
            .map_err(db)?
            .get(0);
        let first = last - n + 1;
        let insert = tx
            .prepare_cached(
                "INSERT INTO events (seq, account, kind, body, generation, created_ms)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .await
            .map_err(db)?;
        for (i, e) in batch.events.iter().enumerate() {
            let seq = first + i as i64;
            tx.execute(
                &insert,
                &[
                    &seq,
                    &fence.account,
                    &e.kind,
                    &e.body,
                    &fence.generation,
                    &now,
                ],
            )
            .await
            .map_err(db)?;
            seqs.push(seq as u64);
        }
    }
    if let Some(session) = &batch.session {
        tx.execute(
            "UPDATE accounts SET session = $2, updated_ms = $3 WHERE id = $1",
            &[&fence.account, session, &now],
        )
        .await
        .map_err(db)?;
    }
    if let Some(s) = &batch.status {
        tx.execute(
            "UPDATE accounts SET state = $2, reason = $3,
                 user_name = COALESCE($4, user_name), nick_name = COALESCE($5, nick_name),
                 updated_ms = $6, qr_url = $7 WHERE id = $1",
            &[
                &fence.account,
                &s.state,
                &s.reason,
                &s.user_name,
                &s.nick_name,
                &now,
                &s.qr_url,
            ],
        )
        .await
        .map_err(db)?;
    }
    for op in &batch.contacts {
        match op {
            ContactOp::Replace(all) => {
                tx.execute("DELETE FROM contacts WHERE account = $1", &[&fence.account])
                    .await
                    .map_err(db)?;
                for c in all {
                    write_contact(tx, fence, c).await?;
                }
            }
            ContactOp::Upsert(c) => write_contact(tx, fence, c).await?,
            ContactOp::Remove(user_name) => {
                tx.execute(
                    "DELETE FROM contacts WHERE account = $1 AND user_name = $2",
                    &[&fence.account, user_name],
                )
                .await
                .map_err(db)?;
            }
        }
    }
    if !batch.history.is_empty() {
        let insert = tx
            .prepare_cached(
                "INSERT INTO messages (account, seq, msg_id, local_id, chat, sender, outgoing,
                     kind, text, file_name, time, revoked, message, generation)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 ON CONFLICT DO NOTHING",
            )
            .await
            .map_err(db)?;
        for h in &batch.history {
            let seq = match h.event {
                Some(i) => *seqs.get(i).ok_or_else(|| {
                    StoreError::Database(format!("history names event {i} of the batch"))
                })?,
                None => h.seq,
            } as i64;
            let r = &h.record;
            let time = r.time as i64;
            let message = r.message.as_ref().map(|m| m.to_string());
            let params: [&(dyn ToSql + Sync); 14] = [
                &fence.account,
                &seq,
                &r.msg_id,
                &r.local_id,
                &r.chat,
                &r.sender,
                &r.outgoing,
                &r.kind,
                &r.text,
                &r.file_name,
                &time,
                &r.revoked,
                &message,
                &fence.generation,
            ];
            tx.execute(&insert, &params).await.map_err(db)?;
        }
    }
    for msg_id in &batch.revoked {
        tx.execute(
            "UPDATE messages SET revoked = true, generation = $3
             WHERE account = $1 AND msg_id = $2",
            &[&fence.account, msg_id, &fence.generation],
        )
        .await
        .map_err(db)?;
    }
    Ok(seqs)
}

impl Store for Postgres {
    fn recover(&self, now_ms: i64, keep_ms: i64) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            // Only this node's own keys: other nodes are running theirs.
            c.execute(
                "UPDATE idempotency SET state = 'interrupted' WHERE state = 'running'
                   AND account IN (SELECT id FROM accounts
                                   WHERE node IS NOT DISTINCT FROM $1 OR node IS NULL)",
                &[&self.node],
            )
            .await
            .map_err(db)?;
            c.execute(
                "DELETE FROM idempotency WHERE created_ms < $1",
                &[&(now_ms - keep_ms)],
            )
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    fn create_account(&self, a: NewAccount, now_ms: i64) -> StoreFuture<'_, AccountRecord> {
        Box::pin(async move {
            let c = self.client().await?;
            let ttl = ms(self.ttl);
            let r = c
                .query_one(
                    &format!(
                        "INSERT INTO accounts (id, name, desktop, origin, state, generation, node,
                             created_ms, updated_ms, lease_until)
                         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7,
                             CASE WHEN $6::text IS NULL THEN NULL
                                  ELSE now() + $8::bigint * interval '1 millisecond' END)
                         RETURNING {ACCOUNT_COLUMNS}"
                    ),
                    &[
                        &a.id, &a.name, &a.desktop, &a.origin, &a.state, &a.node, &now_ms, &ttl,
                    ],
                )
                .await;
            match r {
                Ok(row) => Ok(account_row(&row)),
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    Err(StoreError::NameTaken(a.name.unwrap_or_default()))
                }
                Err(e) => Err(db(e)),
            }
        })
    }

    fn accounts(&self) -> StoreFuture<'_, Vec<AccountRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            let rows = c
                .query(
                    &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY created_ms, id"),
                    &[],
                )
                .await
                .map_err(db)?;
            Ok(rows.iter().map(account_row).collect())
        })
    }

    fn account(&self, id: &str) -> StoreFuture<'_, Option<AccountRecord>> {
        let id = id.to_owned();
        Box::pin(async move {
            let c = self.client().await?;
            let row = c
                .query_opt(
                    &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"),
                    &[&id],
                )
                .await
                .map_err(db)?;
            Ok(row.as_ref().map(account_row))
        })
    }

    fn delete_account(&self, fence: &Fence) -> StoreFuture<'_, ()> {
        let fence = fence.clone();
        Box::pin(async move {
            fenced!(self, fence, tx => {
            let account = fence.account.clone();

                for table in ["contacts", "messages", "idempotency", "outbox"] {
                    tx.execute(
                        &format!("DELETE FROM {table} WHERE account = $1"),
                        &[&account],
                    )
                    .await
                    .map_err(db)?;
                }
                tx.execute("DELETE FROM accounts WHERE id = $1", &[&account])
                    .await
                    .map_err(db)?;
                Ok(())
            })
        })
    }

    fn commit(&self, fence: &Fence, batch: Batch, now_ms: i64) -> StoreFuture<'_, Vec<u64>> {
        let fence = fence.clone();
        Box::pin(async move {
            let f2 = fence.clone();
            fenced!(self, fence, tx => {
                 commit_batch(&tx, &f2, &batch, now_ms).await })
        })
    }

    fn head(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let c = self.client().await?;
            let v: i64 = c
                .query_one("SELECT value FROM counters WHERE name = 'seq'", &[])
                .await
                .map_err(db)?
                .get(0);
            Ok(v as u64)
        })
    }

    fn events_after(
        &self,
        after: u64,
        account: Option<&str>,
        limit: usize,
    ) -> StoreFuture<'_, Vec<StoredEvent>> {
        let account = account.map(str::to_owned);
        Box::pin(async move {
            let c = self.client().await?;
            let after = after.min(i64::MAX as u64) as i64;
            let limit = limit as i64;
            let rows = match &account {
                Some(a) => {
                    let stmt = c
                        .prepare_cached(
                            "SELECT seq, account, kind, body FROM events
                             WHERE account = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                        )
                        .await
                        .map_err(db)?;
                    c.query(&stmt, &[a, &after, &limit]).await
                }
                None => {
                    let stmt = c
                        .prepare_cached(
                            "SELECT seq, account, kind, body FROM events
                             WHERE seq > $1 ORDER BY seq LIMIT $2",
                        )
                        .await
                        .map_err(db)?;
                    c.query(&stmt, &[&after, &limit]).await
                }
            }
            .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| StoredEvent {
                    seq: r.get::<_, i64>(0) as u64,
                    account: r.get(1),
                    kind: r.get(2),
                    body: r.get(3),
                })
                .collect())
        })
    }

    fn contacts(
        &self,
        account: &str,
        kind: Option<&str>,
        q: Option<&str>,
    ) -> StoreFuture<'_, Vec<ContactRecord>> {
        let (account, kind, q) = (
            account.to_owned(),
            kind.map(str::to_owned),
            q.map(str::to_owned),
        );
        Box::pin(async move {
            let c = self.client().await?;
            let rows = c
                .query(
                    "SELECT user_name, nick_name, remark_name, alias, kind, body FROM contacts
                     WHERE account = $1
                       AND ($2::text IS NULL OR kind = $2
                            OR ($2 = 'special' AND kind = 'file_helper'))",
                    &[&account, &kind],
                )
                .await
                .map_err(db)?;
            let rows = rows
                .iter()
                .map(|r| {
                    let body: String = r.get(5);
                    ContactRecord {
                        user_name: r.get(0),
                        nick_name: r.get(1),
                        remark_name: r.get(2),
                        alias: r.get(3),
                        kind: r.get(4),
                        body: serde_json::from_str(&body).unwrap_or_default(),
                    }
                })
                .collect();
            Ok(super::search_contacts(rows, q.as_deref()))
        })
    }

    fn messages(
        &self,
        account: &str,
        chat: Option<&str>,
        before: Option<u64>,
        limit: usize,
    ) -> StoreFuture<'_, Vec<HistoryRecord>> {
        let (account, chat) = (account.to_owned(), chat.map(str::to_owned));
        let before = before.unwrap_or(i64::MAX as u64).min(i64::MAX as u64) as i64;
        Box::pin(async move {
            let c = self.client().await?;
            let rows = c
                .query(
                    "SELECT seq, msg_id, local_id, chat, sender, outgoing, kind, text, file_name,
                         time, revoked, message FROM messages
                     WHERE account = $1 AND ($2::text IS NULL OR chat = $2) AND seq < $3
                     ORDER BY seq DESC LIMIT $4",
                    &[&account, &chat, &before, &(limit as i64)],
                )
                .await
                .map_err(db)?;
            Ok(rows.iter().map(history_row).collect())
        })
    }

    fn idempotency_begin(
        &self,
        fence: &Fence,
        key: &str,
        fingerprint: &str,
        now_ms: i64,
    ) -> StoreFuture<'_, Idempotency> {
        let (fence, key, fingerprint) = (fence.clone(), key.to_owned(), fingerprint.to_owned());
        Box::pin(async move {
            let f = fence.clone();
            fenced!(self, fence, tx => {

                // Taken first (a concurrent begin of the same key waits on the row).
                let inserted = tx
                    .execute(
                        "INSERT INTO idempotency (account, key, fingerprint, state,
                                 generation, created_ms)
                             VALUES ($1, $2, $3, 'running', $4, $5) ON CONFLICT DO NOTHING",
                        &[&f.account, &key, &fingerprint, &f.generation, &now_ms],
                    )
                    .await
                    .map_err(db)?;
                if inserted == 1 {
                    return Ok(Idempotency::Run);
                }
                let row = tx
                    .query_one(
                        "SELECT fingerprint, state, status, answer FROM idempotency
                         WHERE account = $1 AND key = $2",
                        &[&f.account, &key],
                    )
                    .await
                    .map_err(db)?;
                let (fp, state, status, answer): (
                    String,
                    String,
                    Option<i64>,
                    Option<String>,
                ) = (row.get(0), row.get(1), row.get(2), row.get(3));
                Ok(if fp != fingerprint {
                    Idempotency::Mismatch
                } else {
                    match (state.as_str(), status, answer) {
                        ("done", Some(status), Some(answer)) => Idempotency::Done {
                            status: status as u16,
                            answer,
                        },
                        ("running", _, _) => Idempotency::Running,
                        _ => Idempotency::Interrupted,
                    }
                })
            })
        })
    }

    fn idempotency_finish(
        &self,
        fence: &Fence,
        key: &str,
        status: u16,
        answer: &str,
    ) -> StoreFuture<'_, ()> {
        let (fence, key, answer) = (fence.clone(), key.to_owned(), answer.to_owned());
        Box::pin(async move {
            let f = fence.clone();
            fenced!(self, fence, tx => {

                tx.execute(
                    "UPDATE idempotency SET state = 'done', status = $3, answer = $4,
                             generation = $5
                         WHERE account = $1 AND key = $2",
                    &[&f.account, &key, &(status as i64), &answer, &f.generation],
                )
                .await
                .map_err(db)?;
                Ok(())
            })
        })
    }

    fn idempotency_release(&self, fence: &Fence, key: &str) -> StoreFuture<'_, ()> {
        let (fence, key) = (fence.clone(), key.to_owned());
        Box::pin(async move {
            let f = fence.clone();
            fenced!(self, fence, tx => {

                tx.execute(
                    "DELETE FROM idempotency
                     WHERE account = $1 AND key = $2 AND state = 'running'",
                    &[&f.account, &key],
                )
                .await
                .map_err(db)?;
                Ok(())
            })
        })
    }

    fn outbox_cursor(
        &self,
        fence: &Fence,
        hook: &str,
        start: u64,
        now_ms: i64,
    ) -> StoreFuture<'_, u64> {
        let (fence, hook) = (fence.clone(), hook.to_owned());
        Box::pin(async move {
            let f = fence.clone();
            fenced!(self, fence, tx => {

                // Claimed with the generation: the cursor is this owner's now.
                tx.execute(
                    "INSERT INTO outbox (hook, account, delivered, generation, updated_ms)
                         VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (hook, account) DO UPDATE SET generation = excluded.generation",
                    &[&hook, &f.account, &(start as i64), &f.generation, &now_ms],
                )
                .await
                .map_err(db)?;
                let d: i64 = tx
                    .query_one(
                        "SELECT delivered FROM outbox WHERE hook = $1 AND account = $2",
                        &[&hook, &f.account],
                    )
                    .await
                    .map_err(db)?
                    .get(0);
                Ok(d as u64)
            })
        })
    }

    fn outbox_delivered(
        &self,
        fence: &Fence,
        hook: &str,
        delivered: u64,
        now_ms: i64,
    ) -> StoreFuture<'_, ()> {
        let (fence, hook) = (fence.clone(), hook.to_owned());
        Box::pin(async move {
            let f = fence.clone();
            fenced!(self, fence, tx => {

                tx.execute(
                    "UPDATE outbox SET delivered = GREATEST(delivered, $3), attempts = 0,
                             last_error = NULL, generation = $4, updated_ms = $5
                         WHERE hook = $1 AND account = $2",
                    &[
                        &hook,
                        &f.account,
                        &(delivered as i64),
                        &f.generation,
                        &now_ms,
                    ],
                )
                .await
                .map_err(db)?;
                Ok(())
            })
        })
    }

    fn outbox_failed(
        &self,
        fence: &Fence,
        hook: &str,
        error: &str,
        now_ms: i64,
    ) -> StoreFuture<'_, ()> {
        let (fence, hook, error) = (fence.clone(), hook.to_owned(), error.to_owned());
        Box::pin(async move {
            let f = fence.clone();
            fenced!(self, fence, tx => {

                tx.execute(
                    "UPDATE outbox SET attempts = attempts + 1, retries = retries + 1,
                             last_error = $3, generation = $4, updated_ms = $5
                         WHERE hook = $1 AND account = $2",
                    &[&hook, &f.account, &error, &f.generation, &now_ms],
                )
                .await
                .map_err(db)?;
                Ok(())
            })
        })
    }

    fn outbox(&self) -> StoreFuture<'_, Vec<OutboxRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            let rows = c
                .query(
                    "SELECT hook, account, delivered, retries FROM outbox ORDER BY hook, account",
                    &[],
                )
                .await
                .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| OutboxRecord {
                    hook: r.get(0),
                    account: r.get(1),
                    delivered: r.get::<_, i64>(2) as u64,
                    retries: r.get::<_, i64>(3) as u64,
                })
                .collect())
        })
    }

    fn count_after(&self, account: &str, after: u64) -> StoreFuture<'_, u64> {
        let account = account.to_owned();
        Box::pin(async move {
            let c = self.client().await?;
            let n: i64 = c
                .query_one(
                    "SELECT COUNT(*) FROM events WHERE account = $1 AND seq > $2",
                    &[&account, &(after as i64)],
                )
                .await
                .map_err(db)?
                .get(0);
            Ok(n as u64)
        })
    }

    fn cluster(&self) -> Option<&dyn Cluster> {
        Some(self)
    }
}

impl Cluster for Postgres {
    fn join(
        &self,
        node: &str,
        url: &str,
        max_accounts: Option<i64>,
        _ttl: Duration,
    ) -> StoreFuture<'_, ()> {
        let (node, url) = (node.to_owned(), url.to_owned());
        Box::pin(async move {
            let c = self.control().await?;
            c.execute(
                "INSERT INTO nodes (name, url, max_accounts, started, heartbeat, stopped)
                 VALUES ($1, $2, $3, now(), now(), false)
                 ON CONFLICT (name) DO UPDATE SET url = excluded.url,
                     max_accounts = excluded.max_accounts, started = now(), heartbeat = now(),
                     stopped = false",
                &[&node, &url, &max_accounts],
            )
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    fn renew(&self, node: &str, ttl: Duration) -> StoreFuture<'_, Vec<Lease>> {
        let node = node.to_owned();
        Box::pin(async move {
            let mut c = self.control().await?;
            let tx = c.transaction().await.map_err(db)?;
            tx.execute(
                "UPDATE nodes SET heartbeat = now(), stopped = false WHERE name = $1",
                &[&node],
            )
            .await
            .map_err(db)?;
            let rows = tx
                .query(
                    "UPDATE accounts SET lease_until = now() + $2::bigint * interval '1 millisecond'
                     WHERE node = $1 AND lease_until IS NOT NULL RETURNING id, generation",
                    &[&node, &ms(ttl)],
                )
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| Lease {
                    account: r.get(0),
                    generation: r.get(1),
                })
                .collect())
        })
    }

    fn take(&self, node: &str, ttl: Duration, limit: usize) -> StoreFuture<'_, Vec<AccountRecord>> {
        let node = node.to_owned();
        Box::pin(async move {
            if limit == 0 {
                return Ok(Vec::new());
            }
            let mut c = self.control().await?;
            let tx = c.transaction().await.map_err(db)?;
            let rows = tx
                .query(
                    &format!(
                        "UPDATE accounts SET node = $1, generation = generation + 1,
                             lease_until = now() + $2::bigint * interval '1 millisecond'
                         WHERE id IN (
                             SELECT id FROM accounts
                             WHERE lease_until IS NULL OR lease_until < now()
                             ORDER BY created_ms, id LIMIT $3
                             FOR UPDATE SKIP LOCKED)
                           AND (lease_until IS NULL OR lease_until < now())
                         RETURNING {ACCOUNT_COLUMNS}"
                    ),
                    &[&node, &ms(ttl), &(limit as i64)],
                )
                .await
                .map_err(db)?;
            let taken: Vec<AccountRecord> = rows.iter().map(account_row).collect();
            let ids: Vec<String> = taken.iter().map(|a| a.id.clone()).collect();
            // The previous owner's runs never finish now: whether they ran is unknown.
            tx.execute(
                "UPDATE idempotency SET state = 'interrupted'
                 WHERE state = 'running' AND account = ANY($1)",
                &[&ids],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(taken)
        })
    }

    fn release(&self, node: &str) -> StoreFuture<'_, u64> {
        let node = node.to_owned();
        Box::pin(async move {
            let mut c = self.control().await?;
            let tx = c.transaction().await.map_err(db)?;
            let n = tx
                .execute(
                    "UPDATE accounts SET lease_until = NULL WHERE node = $1",
                    &[&node],
                )
                .await
                .map_err(db)?;
            tx.execute("UPDATE nodes SET stopped = true WHERE name = $1", &[&node])
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(n)
        })
    }

    fn release_one(&self, node: &str, account: &str) -> StoreFuture<'_, ()> {
        let (node, account) = (node.to_owned(), account.to_owned());
        Box::pin(async move {
            let c = self.control().await?;
            c.execute(
                "UPDATE accounts SET lease_until = NULL WHERE node = $1 AND id = $2",
                &[&node, &account],
            )
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    fn nodes(&self, ttl: Duration) -> StoreFuture<'_, Vec<NodeRecord>> {
        Box::pin(async move {
            let c = self.control().await?;
            let ttl = ms(ttl);
            let nodes = c
                .query(
                    "SELECT name, url, max_accounts,
                         NOT stopped AND heartbeat > now() - $1::bigint * interval '1 millisecond',
                         (EXTRACT(EPOCH FROM now() - heartbeat) * 1000)::bigint,
                         (EXTRACT(EPOCH FROM now() - started) * 1000)::bigint
                     FROM nodes ORDER BY name",
                    &[&ttl],
                )
                .await
                .map_err(db)?;
            let leases = c
                .query(
                    "SELECT node, id, generation,
                         $1::bigint - (EXTRACT(EPOCH FROM lease_until - now()) * 1000)::bigint,
                         (EXTRACT(EPOCH FROM lease_until - now()) * 1000)::bigint
                     FROM accounts WHERE node IS NOT NULL AND lease_until IS NOT NULL
                     ORDER BY created_ms, id",
                    &[&ttl],
                )
                .await
                .map_err(db)?;
            Ok(nodes
                .iter()
                .map(|n| {
                    let name: String = n.get(0);
                    NodeRecord {
                        accounts: leases
                            .iter()
                            .filter(|l| l.get::<_, String>(0) == name)
                            .map(|l| NodeAccount {
                                id: l.get(1),
                                generation: l.get(2),
                                lease_age_ms: l.get(3),
                                lease_left_ms: l.get(4),
                            })
                            .collect(),
                        name,
                        url: n.get(1),
                        max_accounts: n.get(2),
                        live: n.get(3),
                        heartbeat_age_ms: n.get(4),
                        uptime_ms: n.get(5),
                    }
                })
                .collect())
        })
    }

    fn least_loaded(&self, ttl: Duration) -> StoreFuture<'_, Option<String>> {
        Box::pin(async move {
            let c = self.control().await?;
            let row = c
                .query_opt(
                    "SELECT n.name FROM nodes n
                     LEFT JOIN accounts a ON a.node = n.name
                     WHERE NOT n.stopped
                       AND n.heartbeat > now() - $1::bigint * interval '1 millisecond'
                     GROUP BY n.name, n.max_accounts
                     HAVING n.max_accounts IS NULL OR COUNT(a.id) < n.max_accounts
                     ORDER BY COUNT(a.id), n.name LIMIT 1",
                    &[&ms(ttl)],
                )
                .await
                .map_err(db)?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn load(&self, ttl: Duration) -> StoreFuture<'_, (u64, u64)> {
        Box::pin(async move {
            let c = self.control().await?;
            let row = c
                .query_one(
                    "SELECT (SELECT COUNT(*) FROM accounts),
                            (SELECT COUNT(*) FROM nodes WHERE NOT stopped
                               AND heartbeat > now() - $1::bigint * interval '1 millisecond')",
                    &[&ms(ttl)],
                )
                .await
                .map_err(db)?;
            Ok((row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
        })
    }

    fn submit(
        &self,
        kind: RemoteKind,
        account: Option<&str>,
        node: Option<&str>,
        request: &str,
        key: Option<&str>,
    ) -> StoreFuture<'_, i64> {
        let (account, node, request, key) = (
            account.map(str::to_owned),
            node.map(str::to_owned),
            request.to_owned(),
            key.map(str::to_owned),
        );
        Box::pin(async move {
            let c = self.client().await?;
            let id: i64 = c
                .query_one(
                    "INSERT INTO remote_commands (account, node, kind, request, idempotency_key)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[&account, &node, &kind.as_str(), &request, &key],
                )
                .await
                .map_err(db)?
                .get(0);
            Ok(id)
        })
    }

    fn answer(&self, id: i64) -> StoreFuture<'_, Option<(u16, String)>> {
        Box::pin(async move {
            let c = self.client().await?;
            let row = c
                .query_opt(
                    "SELECT status, answer FROM remote_commands WHERE id = $1 AND state = 'done'",
                    &[&id],
                )
                .await
                .map_err(db)?;
            Ok(row.map(|r| {
                (
                    r.get::<_, Option<i64>>(0).unwrap_or(500) as u16,
                    r.get::<_, Option<String>>(1).unwrap_or_default(),
                )
            }))
        })
    }

    fn cancel(&self, id: i64) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let c = self.client().await?;
            let n = c
                .execute(
                    "UPDATE remote_commands SET state = 'cancelled'
                     WHERE id = $1 AND state = 'pending'",
                    &[&id],
                )
                .await
                .map_err(db)?;
            Ok(n == 1)
        })
    }

    fn claim_calls(&self, node: &str, accounts: &[String]) -> StoreFuture<'_, Vec<RemoteCall>> {
        let (node, accounts) = (node.to_owned(), accounts.to_vec());
        Box::pin(async move {
            let c = self.client().await?;
            let rows = c
                .query(
                    "UPDATE remote_commands SET state = 'running', runner = $1
                     WHERE id IN (
                         SELECT id FROM remote_commands
                         WHERE state = 'pending'
                           AND ((kind = 'create' AND node = $1) OR account = ANY($2))
                         ORDER BY id LIMIT 100
                         FOR UPDATE SKIP LOCKED)
                     RETURNING id, kind, account, request, idempotency_key",
                    &[&node, &accounts],
                )
                .await
                .map_err(db)?;
            let mut calls: Vec<RemoteCall> = rows
                .iter()
                .filter_map(|r| {
                    Some(RemoteCall {
                        id: r.get(0),
                        kind: RemoteKind::parse(r.get(1))?,
                        account: r.get(2),
                        request: r.get(3),
                        key: r.get(4),
                    })
                })
                .collect();
            calls.sort_by_key(|c| c.id);
            Ok(calls)
        })
    }

    fn abandon_if_runner_dead(&self, id: i64, ttl: Duration) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let c = self.control().await?;
            let n = c
                .execute(
                    "UPDATE remote_commands c SET state = 'lost'
                     WHERE c.id = $1 AND c.state = 'running'
                       AND NOT EXISTS (
                           SELECT 1 FROM nodes n WHERE n.name = c.runner
                             AND n.heartbeat > now() - $2::bigint * interval '1 millisecond')",
                    &[&id, &ms(ttl)],
                )
                .await
                .map_err(db)?;
            Ok(n == 1)
        })
    }

    fn finish_call(&self, id: i64, status: u16, answer: &str) -> StoreFuture<'_, ()> {
        let answer = answer.to_owned();
        Box::pin(async move {
            let c = self.client().await?;
            c.execute(
                "UPDATE remote_commands SET state = 'done', status = $2, answer = $3
                 WHERE id = $1",
                &[&id, &(status as i64), &answer],
            )
            .await
            .map_err(db)?;
            // Answers are read within seconds; old rows go.
            c.execute(
                "DELETE FROM remote_commands WHERE created < now() - interval '1 hour'",
                &[],
            )
            .await
            .map_err(db)?;
            Ok(())
        })
    }
}
