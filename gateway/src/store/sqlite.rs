//! The embedded store: one SQLite file in WAL mode (compiled in through rusqlite's
//! `bundled`), used from tokio's blocking pool. One writer connection (SQLite admits
//! one writer at a time; `BEGIN IMMEDIATE` takes the lock up front) and a few readers,
//! which WAL lets read while the writer writes.
//!
//! Durability: `synchronous=NORMAL` in WAL mode, SQLite's recommended setting: a
//! committed transaction survives the process being killed (`kill -9`); only a power
//! loss can take the last few commits back.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    AccountRecord, Batch, ContactOp, ContactRecord, Fence, HistoryRecord, Idempotency, NewAccount,
    OutboxRecord, Store, StoreError, StoreFuture, StoredEvent,
};

/// The migrations, in order: (version, SQL). Applied once each, recorded in
/// `schema_migrations`.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_qr_url.sql")),
];

/// Readers kept open.
const READERS: usize = 4;

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

/// The SQLite [`Store`].
#[derive(Clone)]
pub struct Sqlite {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Mutex<Vec<Connection>>>,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn open_conn(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(db)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(db)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(db)?;
    Ok(conn)
}

impl Sqlite {
    /// Opens (creating when missing) the database at `path` and applies the migrations
    /// it lacks. The file is made readable by its owner only (it holds sessions).
    pub fn open(path: impl AsRef<Path>) -> Result<Sqlite, StoreError> {
        let path = path.as_ref().to_owned();
        let mut conn = open_conn(&path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        migrate(&mut conn)?;
        Ok(Sqlite {
            path,
            writer: Arc::new(Mutex::new(conn)),
            readers: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let writer = self.writer.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || f(&mut lock(&writer)))
                .await
                .map_err(|e| StoreError::Database(format!("store task: {e}")))?
        })
    }

    fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let readers = self.readers.clone();
        let path = self.path.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let conn = match lock(&readers).pop() {
                    Some(c) => c,
                    None => open_conn(&path)?,
                };
                let r = f(&conn);
                let mut pool = lock(&readers);
                if pool.len() < READERS {
                    pool.push(conn);
                }
                r
            })
            .await
            .map_err(|e| StoreError::Database(format!("store task: {e}")))?
        })
    }
}

/// Applies every migration newer than the database's, each in its own transaction.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)",
    )
    .map_err(db)?;
    let have: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(db)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > have) {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        tx.execute_batch(sql).map_err(db)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_ms) VALUES (?1, ?2)",
            params![version, now_ms()],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        tracing::info!(version, "store migrated");
    }
    Ok(())
}

fn now_ms() -> i64 {
    crate::now_ms()
}

/// Checks the writer's generation against the account's, inside the transaction.
fn check_fence(tx: &rusqlite::Transaction<'_>, fence: &Fence) -> Result<(), StoreError> {
    let current: Option<i64> = tx
        .query_row(
            "SELECT generation FROM accounts WHERE id = ?1",
            [&fence.account],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?;
    match current {
        None => Err(StoreError::NoAccount(fence.account.clone())),
        Some(g) if g != fence.generation => Err(StoreError::Fenced {
            account: fence.account.clone(),
            given: fence.generation,
            current: g,
        }),
        Some(_) => Ok(()),
    }
}

const ACCOUNT_COLUMNS: &str = "id, name, desktop, origin, state, reason, user_name, nick_name, \
                               session, generation, node, created_ms, qr_url";

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRecord> {
    Ok(AccountRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        desktop: r.get::<_, i64>(2)? != 0,
        origin: r.get(3)?,
        state: r.get(4)?,
        reason: r.get(5)?,
        user_name: r.get(6)?,
        nick_name: r.get(7)?,
        session: r.get(8)?,
        generation: r.get(9)?,
        node: r.get(10)?,
        created_ms: r.get(11)?,
        qr_url: r.get(12)?,
    })
}

fn history_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HistoryRecord> {
    let message: Option<String> = r.get(11)?;
    Ok(HistoryRecord {
        seq: r.get::<_, i64>(0)? as u64,
        msg_id: r.get(1)?,
        local_id: r.get(2)?,
        chat: r.get(3)?,
        sender: r.get(4)?,
        outgoing: r.get::<_, i64>(5)? != 0,
        kind: r.get(6)?,
        text: r.get(7)?,
        file_name: r.get(8)?,
        time: r.get::<_, i64>(9)? as u64,
        revoked: r.get::<_, i64>(10)? != 0,
        message: message.and_then(|m| serde_json::from_str(&m).ok()),
    })
}

fn write_contact(
    tx: &rusqlite::Transaction<'_>,
    fence: &Fence,
    c: &ContactRecord,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO contacts (account, user_name, nick_name, remark_name, alias, kind, body,
             generation)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (account, user_name) DO UPDATE SET nick_name = excluded.nick_name,
             remark_name = excluded.remark_name, alias = excluded.alias, kind = excluded.kind,
             body = excluded.body, generation = excluded.generation",
    )
    .map_err(db)?
    .execute(params![
        fence.account,
        c.user_name,
        c.nick_name,
        c.remark_name,
        c.alias,
        c.kind,
        c.body.to_string(),
        fence.generation
    ])
    .map_err(db)?;
    Ok(())
}

fn commit_batch(
    conn: &mut Connection,
    fence: &Fence,
    batch: Batch,
    now: i64,
) -> Result<Vec<u64>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    check_fence(&tx, fence)?;
    let mut seqs = Vec::with_capacity(batch.events.len());
    if !batch.events.is_empty() {
        let last: i64 = tx
            .query_row(
                "UPDATE counters SET value = value + ?1 WHERE name = 'seq' RETURNING value",
                [batch.events.len() as i64],
                |r| r.get(0),
            )
            .map_err(db)?;
        let first = last - batch.events.len() as i64 + 1;
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO events (seq, account, kind, body, generation, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(db)?;
        for (i, e) in batch.events.iter().enumerate() {
            let seq = first + i as i64;
            insert
                .execute(params![
                    seq,
                    fence.account,
                    e.kind,
                    e.body,
                    fence.generation,
                    now
                ])
                .map_err(db)?;
            seqs.push(seq as u64);
        }
    }
    if let Some(session) = &batch.session {
        tx.execute(
            "UPDATE accounts SET session = ?2, updated_ms = ?3 WHERE id = ?1",
            params![fence.account, session, now],
        )
        .map_err(db)?;
    }
    if let Some(s) = &batch.status {
        tx.execute(
            "UPDATE accounts SET state = ?2, reason = ?3,
                 user_name = COALESCE(?4, user_name), nick_name = COALESCE(?5, nick_name),
                 updated_ms = ?6, qr_url = ?7 WHERE id = ?1",
            params![
                fence.account,
                s.state,
                s.reason,
                s.user_name,
                s.nick_name,
                now,
                s.qr_url
            ],
        )
        .map_err(db)?;
    }
    for op in &batch.contacts {
        match op {
            ContactOp::Replace(all) => {
                tx.execute("DELETE FROM contacts WHERE account = ?1", [&fence.account])
                    .map_err(db)?;
                for c in all {
                    write_contact(&tx, fence, c)?;
                }
            }
            ContactOp::Upsert(c) => write_contact(&tx, fence, c)?,
            ContactOp::Remove(user_name) => {
                tx.execute(
                    "DELETE FROM contacts WHERE account = ?1 AND user_name = ?2",
                    params![fence.account, user_name],
                )
                .map_err(db)?;
            }
        }
    }
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO messages (account, seq, msg_id, local_id, chat, sender, outgoing,
                     kind, text, file_name, time, revoked, message, generation)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT DO NOTHING",
            )
            .map_err(db)?;
        for h in &batch.history {
            let seq = match h.event {
                Some(i) => *seqs.get(i).ok_or_else(|| {
                    StoreError::Database(format!("history names event {i} of the batch"))
                })?,
                None => h.seq,
            };
            let r = &h.record;
            insert
                .execute(params![
                    fence.account,
                    seq as i64,
                    r.msg_id,
                    r.local_id,
                    r.chat,
                    r.sender,
                    r.outgoing as i64,
                    r.kind,
                    r.text,
                    r.file_name,
                    r.time as i64,
                    r.revoked as i64,
                    r.message.as_ref().map(|m| m.to_string()),
                    fence.generation
                ])
                .map_err(db)?;
        }
    }
    for msg_id in &batch.revoked {
        tx.execute(
            "UPDATE messages SET revoked = 1, generation = ?3 WHERE account = ?1 AND msg_id = ?2",
            params![fence.account, msg_id, fence.generation],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)?;
    Ok(seqs)
}

impl Store for Sqlite {
    fn recover(&self, now_ms: i64, keep_ms: i64) -> StoreFuture<'_, ()> {
        self.write(move |conn| {
            conn.execute(
                "UPDATE idempotency SET state = 'interrupted' WHERE state = 'running'",
                [],
            )
            .map_err(db)?;
            conn.execute(
                "DELETE FROM idempotency WHERE created_ms < ?1",
                [now_ms - keep_ms],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn create_account(&self, a: NewAccount, now_ms: i64) -> StoreFuture<'_, AccountRecord> {
        self.write(move |conn| {
            let r = conn.execute(
                "INSERT INTO accounts (id, name, desktop, origin, state, generation, node,
                     created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?7)",
                params![
                    a.id,
                    a.name,
                    a.desktop as i64,
                    a.origin,
                    a.state,
                    a.node,
                    now_ms
                ],
            );
            match r {
                Ok(_) => {}
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    return Err(StoreError::NameTaken(a.name.unwrap_or_default()));
                }
                Err(e) => return Err(db(e)),
            }
            conn.query_row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
                [&a.id],
                account_row,
            )
            .map_err(db)
        })
    }

    fn accounts(&self) -> StoreFuture<'_, Vec<AccountRecord>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY created_ms, id"
                ))
                .map_err(db)?;
            let rows = stmt.query_map([], account_row).map_err(db)?;
            rows.collect::<Result<_, _>>().map_err(db)
        })
    }

    fn account(&self, id: &str) -> StoreFuture<'_, Option<AccountRecord>> {
        let id = id.to_owned();
        self.read(move |conn| {
            conn.query_row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
                [&id],
                account_row,
            )
            .optional()
            .map_err(db)
        })
    }

    fn delete_account(&self, fence: &Fence) -> StoreFuture<'_, ()> {
        let fence = fence.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            check_fence(&tx, &fence)?;
            for table in ["contacts", "messages", "idempotency", "outbox"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE account = ?1"),
                    [&fence.account],
                )
                .map_err(db)?;
            }
            tx.execute("DELETE FROM accounts WHERE id = ?1", [&fence.account])
                .map_err(db)?;
            tx.commit().map_err(db)
        })
    }

    fn commit(&self, fence: &Fence, batch: Batch, now_ms: i64) -> StoreFuture<'_, Vec<u64>> {
        let fence = fence.clone();
        self.write(move |conn| commit_batch(conn, &fence, batch, now_ms))
    }

    fn head(&self) -> StoreFuture<'_, u64> {
        self.read(|conn| {
            conn.query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|v| v as u64)
            .map_err(db)
        })
    }

    fn events_after(
        &self,
        after: u64,
        account: Option<&str>,
        limit: usize,
    ) -> StoreFuture<'_, Vec<StoredEvent>> {
        let account = account.map(str::to_owned);
        self.read(move |conn| {
            let row = |r: &rusqlite::Row<'_>| {
                Ok(StoredEvent {
                    seq: r.get::<_, i64>(0)? as u64,
                    account: r.get(1)?,
                    kind: r.get(2)?,
                    body: r.get(3)?,
                })
            };
            let after = after.min(i64::MAX as u64) as i64;
            let limit = limit as i64;
            let rows = match &account {
                Some(a) => conn
                    .prepare_cached(
                        "SELECT seq, account, kind, body FROM events
                         WHERE account = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                    )
                    .map_err(db)?
                    .query_map(params![a, after, limit], row)
                    .map_err(db)?
                    .collect::<Result<Vec<_>, _>>(),
                None => conn
                    .prepare_cached(
                        "SELECT seq, account, kind, body FROM events
                         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                    )
                    .map_err(db)?
                    .query_map(params![after, limit], row)
                    .map_err(db)?
                    .collect::<Result<Vec<_>, _>>(),
            };
            rows.map_err(db)
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
            q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
        );
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT user_name, nick_name, remark_name, alias, kind, body FROM contacts
                     WHERE account = ?1
                       AND (?2 IS NULL OR kind = ?2 OR (?2 = 'special' AND kind = 'file_helper'))",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map(params![account, kind], |r| {
                    let body: String = r.get(5)?;
                    Ok(ContactRecord {
                        user_name: r.get(0)?,
                        nick_name: r.get(1)?,
                        remark_name: r.get(2)?,
                        alias: r.get(3)?,
                        kind: r.get(4)?,
                        body: serde_json::from_str(&body).unwrap_or_default(),
                    })
                })
                .map_err(db)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db)?;
            // Unicode-aware, case-insensitive (SQLite's LIKE folds ASCII only).
            let rows = super::search_contacts(rows, q.as_deref());
            Ok(rows)
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
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT seq, msg_id, local_id, chat, sender, outgoing, kind, text, file_name,
                         time, revoked, message FROM messages
                     WHERE account = ?1 AND (?2 IS NULL OR chat = ?2) AND seq < ?3
                     ORDER BY seq DESC LIMIT ?4",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map(params![account, chat, before, limit as i64], history_row)
                .map_err(db)?;
            rows.collect::<Result<_, _>>().map_err(db)
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
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            check_fence(&tx, &fence)?;
            let found: Option<(String, String, Option<i64>, Option<String>)> = tx
                .query_row(
                    "SELECT fingerprint, state, status, answer FROM idempotency
                     WHERE account = ?1 AND key = ?2",
                    params![fence.account, key],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()
                .map_err(db)?;
            let out = match found {
                None => {
                    tx.execute(
                        "INSERT INTO idempotency (account, key, fingerprint, state, generation,
                             created_ms) VALUES (?1, ?2, ?3, 'running', ?4, ?5)",
                        params![fence.account, key, fingerprint, fence.generation, now_ms],
                    )
                    .map_err(db)?;
                    Idempotency::Run
                }
                Some((f, _, _, _)) if f != fingerprint => Idempotency::Mismatch,
                Some((_, state, status, answer)) => match (state.as_str(), status, answer) {
                    ("done", Some(status), Some(answer)) => Idempotency::Done {
                        status: status as u16,
                        answer,
                    },
                    ("running", _, _) => Idempotency::Running,
                    _ => Idempotency::Interrupted,
                },
            };
            tx.commit().map_err(db)?;
            Ok(out)
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
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            check_fence(&tx, &fence)?;
            tx.execute(
                "UPDATE idempotency SET state = 'done', status = ?3, answer = ?4, generation = ?5
                 WHERE account = ?1 AND key = ?2",
                params![fence.account, key, status as i64, answer, fence.generation],
            )
            .map_err(db)?;
            tx.commit().map_err(db)
        })
    }

    fn idempotency_release(&self, fence: &Fence, key: &str) -> StoreFuture<'_, ()> {
        let (fence, key) = (fence.clone(), key.to_owned());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            check_fence(&tx, &fence)?;
            tx.execute(
                "DELETE FROM idempotency WHERE account = ?1 AND key = ?2 AND state = 'running'",
                params![fence.account, key],
            )
            .map_err(db)?;
            tx.commit().map_err(db)
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
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            check_fence(&tx, &fence)?;
            tx.execute(
                "INSERT INTO outbox (hook, account, delivered, generation, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                params![hook, fence.account, start as i64, fence.generation, now_ms],
            )
            .map_err(db)?;
            let d: i64 = tx
                .query_row(
                    "SELECT delivered FROM outbox WHERE hook = ?1 AND account = ?2",
                    params![hook, fence.account],
                    |r| r.get(0),
                )
                .map_err(db)?;
            tx.commit().map_err(db)?;
            Ok(d as u64)
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
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            check_fence(&tx, &fence)?;
            tx.execute(
                "UPDATE outbox SET delivered = MAX(delivered, ?3), attempts = 0, last_error = NULL,
                     generation = ?4, updated_ms = ?5
                 WHERE hook = ?1 AND account = ?2",
                params![
                    hook,
                    fence.account,
                    delivered as i64,
                    fence.generation,
                    now_ms
                ],
            )
            .map_err(db)?;
            tx.commit().map_err(db)
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
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            check_fence(&tx, &fence)?;
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, retries = retries + 1,
                     last_error = ?3, generation = ?4, updated_ms = ?5
                 WHERE hook = ?1 AND account = ?2",
                params![hook, fence.account, error, fence.generation, now_ms],
            )
            .map_err(db)?;
            tx.commit().map_err(db)
        })
    }

    fn outbox(&self) -> StoreFuture<'_, Vec<OutboxRecord>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT hook, account, delivered, retries FROM outbox ORDER BY hook, account",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(OutboxRecord {
                        hook: r.get(0)?,
                        account: r.get(1)?,
                        delivered: r.get::<_, i64>(2)? as u64,
                        retries: r.get::<_, i64>(3)? as u64,
                    })
                })
                .map_err(db)?;
            rows.collect::<Result<_, _>>().map_err(db)
        })
    }

    fn count_after(&self, account: &str, after: u64) -> StoreFuture<'_, u64> {
        let account = account.to_owned();
        self.read(move |conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM events WHERE account = ?1 AND seq > ?2",
                params![account, after as i64],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(db)
        })
    }
}
