//! Both stores, each scenario against each: SQLite on a real file in a temporary
//! folder, PostgreSQL in a throwaway cluster (`scripts/pg-throwaway`, a fresh database
//! per scenario). Seq allocation (strictly increasing, contiguous, visible in commit
//! order with two writers at once: two stores on one file, two pools on one database as
//! two nodes), all-or-nothing batches (events with the session they leave behind),
//! fencing by owner generation, idempotency keys across a restart, history, contacts,
//! the outbox and migrations applied once.

mod pg;

use std::sync::Arc;
use std::time::Duration;

use webwx_gateway::store::{
    Batch, ContactOp, ContactRecord, Fence, HistoryRecord, Idempotency, NewAccount, NewEvent,
    NewHistory, Sqlite, Status, Store, StoreError,
};

fn event(kind: &str, n: usize) -> NewEvent {
    NewEvent {
        kind: kind.into(),
        body: format!(r#"{{"event":"{kind}","n":{n}}}"#),
    }
}

async fn account(store: &dyn Store, id: &str) -> Fence {
    let r = store
        .create_account(
            NewAccount {
                id: id.into(),
                name: Some(format!("name-{id}")),
                state: "waiting_scan".into(),
                ..NewAccount::default()
            },
            1,
        )
        .await
        .unwrap();
    assert_eq!(r.generation, 1);
    Fence {
        account: id.into(),
        generation: r.generation,
    }
}

/// Where a scenario's store lives.
enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

impl Backend {
    fn sqlite() -> Backend {
        Backend::Sqlite(tempfile::tempdir().unwrap())
    }

    /// A fresh database `name` in `cluster`.
    async fn postgres(cluster: &pg::PgCluster, name: &str) -> Backend {
        let (client, conn) = tokio_postgres::connect(&cluster.url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        Backend::Postgres(cluster.url_of(name))
    }

    /// A store on it (a second one stands for a second writer: another node).
    async fn open(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite(dir) => Arc::new(Sqlite::open(dir.path().join("gw.db")).unwrap()),
            Backend::Postgres(url) => Arc::new(
                webwx_gateway::store::Postgres::open(
                    url,
                    Some("n1".into()),
                    Duration::from_secs(10),
                )
                .await
                .unwrap(),
            ),
        }
    }

    /// Runs one statement behind the store's back.
    async fn raw(&self, sql: &str) -> i64 {
        match self {
            Backend::Sqlite(dir) => {
                let raw = rusqlite::Connection::open(dir.path().join("gw.db")).unwrap();
                if sql.starts_with("SELECT") {
                    raw.query_row(sql, [], |r| r.get(0)).unwrap()
                } else {
                    raw.execute(sql, []).unwrap() as i64
                }
            }
            Backend::Postgres(url) => {
                let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(conn);
                if sql.starts_with("SELECT") {
                    client.query_one(sql, &[]).await.unwrap().get(0)
                } else {
                    client.execute(sql, &[]).await.unwrap() as i64
                }
            }
        }
    }
}

/// Every scenario on SQLite, each its own test.
macro_rules! on_sqlite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(&super::Backend::sqlite()).await;
                }
            )*
        }
    };
}

on_sqlite!(
    seqs_are_contiguous_and_batches_are_all_or_nothing,
    two_writers_at_once_never_show_a_seq_before_a_smaller_one,
    a_stale_owner_generation_is_fenced_out,
    idempotency_keys_run_once_and_survive_a_restart,
    history_contacts_and_outbox,
    names_are_unique_and_migrations_run_once,
);

/// Every scenario on PostgreSQL: one throwaway cluster, a fresh database each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_the_same_promises() {
    let cluster = pg::PgCluster::start();
    seqs_are_contiguous_and_batches_are_all_or_nothing(
        &Backend::postgres(&cluster, "contiguous").await,
    )
    .await;
    two_writers_at_once_never_show_a_seq_before_a_smaller_one(
        &Backend::postgres(&cluster, "writers").await,
    )
    .await;
    a_stale_owner_generation_is_fenced_out(&Backend::postgres(&cluster, "fencing").await).await;
    idempotency_keys_run_once_and_survive_a_restart(
        &Backend::postgres(&cluster, "idempotency").await,
    )
    .await;
    history_contacts_and_outbox(&Backend::postgres(&cluster, "history").await).await;
    names_are_unique_and_migrations_run_once(&Backend::postgres(&cluster, "names").await).await;
}

async fn seqs_are_contiguous_and_batches_are_all_or_nothing(b: &Backend) {
    let store = b.open().await;
    let a = account(store.as_ref(), "a").await;
    assert_eq!(store.head().await.unwrap(), 0);
    let batch = Batch {
        events: (0..3).map(|i| event("message", i)).collect(),
        session: Some(r#"{"v":1}"#.into()),
        status: Some(Status {
            state: "logged_in".into(),
            user_name: Some("@me".into()),
            ..Status::default()
        }),
        ..Batch::default()
    };
    assert_eq!(store.commit(&a, batch, 2).await.unwrap(), vec![1, 2, 3]);
    let more = Batch {
        events: vec![event("ready", 9)],
        ..Batch::default()
    };
    assert_eq!(store.commit(&a, more, 3).await.unwrap(), vec![4]);
    assert_eq!(store.head().await.unwrap(), 4);
    let rec = store.account("a").await.unwrap().unwrap();
    assert_eq!(rec.session.as_deref(), Some(r#"{"v":1}"#));
    assert_eq!(rec.state, "logged_in");
    assert_eq!(rec.user_name.as_deref(), Some("@me"));

    // A batch that fails half-way (its history names an event it does not have)
    // leaves nothing behind: no seq, no event, no session.
    let broken = Batch {
        events: vec![event("message", 10)],
        session: Some(r#"{"v":2}"#.into()),
        history: vec![NewHistory {
            event: Some(5),
            seq: 0,
            record: HistoryRecord::default(),
        }],
        ..Batch::default()
    };
    assert!(store.commit(&a, broken, 4).await.is_err());
    assert_eq!(store.head().await.unwrap(), 4);
    assert_eq!(store.events_after(0, None, 100).await.unwrap().len(), 4);
    let rec = store.account("a").await.unwrap().unwrap();
    assert_eq!(rec.session.as_deref(), Some(r#"{"v":1}"#));

    // The next commit continues at 5: no gap.
    let next = Batch {
        events: vec![event("message", 11)],
        ..Batch::default()
    };
    assert_eq!(store.commit(&a, next, 5).await.unwrap(), vec![5]);
    let all = store.events_after(0, None, 100).await.unwrap();
    let seqs: Vec<u64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    assert_eq!(store.events_after(3, Some("a"), 1).await.unwrap()[0].seq, 4);
    assert!(
        store
            .events_after(0, Some("other"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn two_writers_at_once_never_show_a_seq_before_a_smaller_one(b: &Backend) {
    // Two stores on the same file (database) stand for two writers (two nodes).
    let one: Arc<dyn Store> = b.open().await;
    let two: Arc<dyn Store> = b.open().await;
    let mut fences = Vec::new();
    for i in 0..4 {
        let store = if i % 2 == 0 { &one } else { &two };
        fences.push(account(store.as_ref(), &format!("w{i}")).await);
    }
    const COMMITS: usize = 40;
    let mut writers = Vec::new();
    for (i, fence) in fences.into_iter().enumerate() {
        let store = if i % 2 == 0 { one.clone() } else { two.clone() };
        writers.push(tokio::spawn(async move {
            for n in 0..COMMITS {
                let batch = Batch {
                    events: (0..(n % 3 + 1))
                        .map(|k| event("message", n * 10 + k))
                        .collect(),
                    ..Batch::default()
                };
                store.commit(&fence, batch, n as i64).await.unwrap();
            }
        }));
    }
    // A reader following the log meanwhile: each page continues exactly where the last
    // one ended (a hole would mean a seq became visible before a smaller one).
    let reader = {
        let store = one.clone();
        tokio::spawn(async move {
            let mut after = 0;
            let mut seen = 0;
            let total: usize = (0..COMMITS).map(|n| n % 3 + 1).sum::<usize>() * 4;
            while seen < total {
                let page = store.events_after(after, None, 7).await.unwrap();
                for e in &page {
                    assert_eq!(e.seq, after + 1, "a hole after seq {after}");
                    after = e.seq;
                    seen += 1;
                }
                if page.is_empty() {
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
            }
            after
        })
    };
    for w in writers {
        w.await.unwrap();
    }
    let last = reader.await.unwrap();
    assert_eq!(last, one.head().await.unwrap());
    assert_eq!(two.head().await.unwrap(), last);
    // Per account, the events are in the order each writer wrote them.
    for i in 0..4 {
        let evs = one
            .events_after(0, Some(&format!("w{i}")), 1000)
            .await
            .unwrap();
        let ns: Vec<u64> = evs
            .iter()
            .map(|e| {
                let v: serde_json::Value = serde_json::from_str(&e.body).unwrap();
                v["n"].as_u64().unwrap()
            })
            .collect();
        let mut sorted = ns.clone();
        sorted.sort();
        assert_eq!(ns, sorted, "account w{i} out of order");
    }
}

async fn a_stale_owner_generation_is_fenced_out(b: &Backend) {
    let store = b.open().await;
    let a = account(store.as_ref(), "a").await;
    store
        .commit(
            &a,
            Batch {
                events: vec![event("ready", 0)],
                ..Batch::default()
            },
            1,
        )
        .await
        .unwrap();
    // Another owner takes the account (the several-nodes store does this with a lease).
    b.raw("UPDATE accounts SET generation = 2 WHERE id = 'a'")
        .await;
    let stale = Batch {
        events: vec![event("message", 1)],
        session: Some("{}".into()),
        ..Batch::default()
    };
    match store.commit(&a, stale, 2).await {
        Err(StoreError::Fenced { given, current, .. }) => assert_eq!((given, current), (1, 2)),
        other => panic!("expected a fence, got {other:?}"),
    }
    assert_eq!(store.head().await.unwrap(), 1, "nothing written");
    assert!(matches!(
        store.idempotency_begin(&a, "k", "f", 3).await,
        Err(StoreError::Fenced { .. })
    ));
    assert!(matches!(
        store.outbox_cursor(&a, "http://hook", 0, 3).await,
        Err(StoreError::Fenced { .. })
    ));
    let fresh = Fence {
        account: "a".into(),
        generation: 2,
    };
    assert_eq!(
        store
            .commit(
                &fresh,
                Batch {
                    events: vec![event("message", 2)],
                    ..Batch::default()
                },
                4
            )
            .await
            .unwrap(),
        vec![2]
    );
    let gone = Fence {
        account: "nobody".into(),
        generation: 1,
    };
    assert!(matches!(
        store.commit(&gone, Batch::default(), 5).await,
        Err(StoreError::NoAccount(_))
    ));
}

async fn idempotency_keys_run_once_and_survive_a_restart(b: &Backend) {
    let store = b.open().await;
    let a = account(store.as_ref(), "a").await;
    assert_eq!(
        store.idempotency_begin(&a, "k1", "f1", 10).await.unwrap(),
        Idempotency::Run
    );
    assert_eq!(
        store.idempotency_begin(&a, "k1", "f1", 11).await.unwrap(),
        Idempotency::Running
    );
    assert_eq!(
        store.idempotency_begin(&a, "k1", "f2", 11).await.unwrap(),
        Idempotency::Mismatch
    );
    store
        .idempotency_finish(&a, "k1", 200, r#"{"ok":1}"#)
        .await
        .unwrap();
    assert_eq!(
        store.idempotency_begin(&a, "k1", "f1", 12).await.unwrap(),
        Idempotency::Done {
            status: 200,
            answer: r#"{"ok":1}"#.into()
        }
    );
    // A key whose run never finished (the process died) is interrupted after a restart.
    assert_eq!(
        store.idempotency_begin(&a, "k2", "f", 13).await.unwrap(),
        Idempotency::Run
    );
    assert_eq!(
        store.idempotency_begin(&a, "k3", "f", 13).await.unwrap(),
        Idempotency::Run
    );
    store.idempotency_release(&a, "k3").await.unwrap();
    drop(store);
    let store = b.open().await;
    store.recover(20, 1_000).await.unwrap();
    assert_eq!(
        store.idempotency_begin(&a, "k2", "f", 21).await.unwrap(),
        Idempotency::Interrupted
    );
    assert!(matches!(
        store.idempotency_begin(&a, "k1", "f1", 21).await.unwrap(),
        Idempotency::Done { .. }
    ));
    // A released key runs again.
    assert_eq!(
        store.idempotency_begin(&a, "k3", "f", 21).await.unwrap(),
        Idempotency::Run
    );
    // Old keys are forgotten.
    store.recover(5_000, 1_000).await.unwrap();
    assert_eq!(
        store
            .idempotency_begin(&a, "k1", "f9", 5_001)
            .await
            .unwrap(),
        Idempotency::Run
    );
}

fn history(msg_id: &str, chat: &str, text: &str) -> HistoryRecord {
    HistoryRecord {
        msg_id: msg_id.into(),
        chat: chat.into(),
        sender: chat.into(),
        kind: "text".into(),
        text: Some(text.into()),
        time: 1,
        ..HistoryRecord::default()
    }
}

async fn history_contacts_and_outbox(b: &Backend) {
    let store = b.open().await;
    let a = account(store.as_ref(), "a").await;
    let mut batch = Batch::default();
    for (i, (chat, text)) in [("@x", "one"), ("@y", "two"), ("@x", "three")]
        .iter()
        .enumerate()
    {
        batch.events.push(event("message", i));
        batch.history.push(NewHistory {
            event: Some(i),
            seq: 0,
            record: history(&format!("m{i}"), chat, text),
        });
    }
    // The same message twice (a repeat of the server) is stored once.
    batch.history.push(NewHistory {
        event: Some(0),
        seq: 0,
        record: history("m0", "@x", "one"),
    });
    batch.contacts.push(ContactOp::Replace(vec![
        ContactRecord {
            user_name: "@x".into(),
            nick_name: "Ärger".into(),
            remark_name: String::new(),
            alias: String::new(),
            kind: "friend".into(),
            body: serde_json::json!({"user_name": "@x"}),
        },
        ContactRecord {
            user_name: "@@g".into(),
            nick_name: "Team".into(),
            remark_name: String::new(),
            alias: String::new(),
            kind: "group".into(),
            body: serde_json::json!({"user_name": "@@g", "members": [{"user_name": "@x"}]}),
        },
        ContactRecord {
            user_name: "filehelper".into(),
            nick_name: "File Transfer".into(),
            remark_name: String::new(),
            alias: "fh".into(),
            kind: "file_helper".into(),
            body: serde_json::json!({"user_name": "filehelper"}),
        },
    ]));
    store.commit(&a, batch, 1).await.unwrap();
    let newest = store.messages("a", None, None, 10).await.unwrap();
    let texts: Vec<_> = newest.iter().map(|m| m.text.clone().unwrap()).collect();
    assert_eq!(texts, ["three", "two", "one"]);
    assert_eq!(newest[0].seq, 3);
    let x = store.messages("a", Some("@x"), None, 10).await.unwrap();
    assert_eq!(x.len(), 2);
    let before = store.messages("a", Some("@x"), Some(3), 10).await.unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].text.as_deref(), Some("one"));
    // Revoked: the text stays, marked.
    let revoke = Batch {
        revoked: vec!["m0".into()],
        contacts: vec![
            ContactOp::Remove("@@g".into()),
            ContactOp::Upsert(ContactRecord {
                user_name: "@z".into(),
                nick_name: "Zed".into(),
                remark_name: "boss".into(),
                alias: String::new(),
                kind: "friend".into(),
                body: serde_json::json!({"user_name": "@z"}),
            }),
        ],
        ..Batch::default()
    };
    store.commit(&a, revoke, 2).await.unwrap();
    let one = store.messages("a", Some("@x"), Some(2), 10).await.unwrap();
    assert!(one[0].revoked);
    assert_eq!(one[0].text.as_deref(), Some("one"));
    let friends = store.contacts("a", Some("friend"), None).await.unwrap();
    assert_eq!(friends.len(), 2);
    // Sorted by the name shown (the remark name "boss" before "Ärger").
    assert_eq!(friends[0].user_name, "@z");
    assert_eq!(friends[0].body["user_name"], "@z");
    // `special` takes the file helper, as the boundary's query does; aliases are searched.
    assert_eq!(
        store
            .contacts("a", Some("special"), None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store.contacts("a", None, Some("FH")).await.unwrap()[0].user_name,
        "filehelper"
    );
    assert!(
        store
            .contacts("a", Some("group"), None)
            .await
            .unwrap()
            .is_empty()
    );
    let found = store.contacts("a", None, Some("ärg")).await.unwrap();
    assert_eq!(found.len(), 1, "case-insensitive beyond ASCII");
    assert_eq!(
        store.contacts("a", None, Some("BOSS")).await.unwrap()[0].user_name,
        "@z"
    );

    // The outbox: created at the start given, moved forward only by deliveries.
    assert_eq!(store.outbox_cursor(&a, "h", 2, 3).await.unwrap(), 2);
    assert_eq!(store.outbox_cursor(&a, "h", 0, 3).await.unwrap(), 2);
    store.outbox_failed(&a, "h", "HTTP 500", 4).await.unwrap();
    store.outbox_delivered(&a, "h", 3, 5).await.unwrap();
    store.outbox_delivered(&a, "h", 1, 5).await.unwrap();
    let o = store.outbox().await.unwrap();
    assert_eq!((o[0].delivered, o[0].retries), (3, 1));
    assert_eq!(store.count_after("a", 1).await.unwrap(), 2);

    // Deleting forgets everything but the log.
    store.delete_account(&a).await.unwrap();
    assert!(store.account("a").await.unwrap().is_none());
    assert!(
        store
            .messages("a", None, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.contacts("a", None, None).await.unwrap().is_empty());
    assert!(store.outbox().await.unwrap().is_empty());
    assert_eq!(store.events_after(0, Some("a"), 10).await.unwrap().len(), 3);
}

async fn names_are_unique_and_migrations_run_once(b: &Backend) {
    let store = b.open().await;
    account(store.as_ref(), "a").await;
    let dup = store
        .create_account(
            NewAccount {
                id: "b".into(),
                name: Some("name-a".into()),
                state: "waiting_scan".into(),
                ..NewAccount::default()
            },
            1,
        )
        .await;
    assert!(matches!(dup, Err(StoreError::NameTaken(_))));
    drop(store);
    let store = b.open().await;
    assert_eq!(store.accounts().await.unwrap().len(), 1);
    let versions = b.raw("SELECT COUNT(*) FROM schema_migrations").await;
    assert_eq!(versions, 2);
    if let Backend::Sqlite(dir) = b {
        let raw = rusqlite::Connection::open(dir.path().join("gw.db")).unwrap();
        let mode: String = raw
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = std::fs::metadata(dir.path().join("gw.db"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(m & 0o777, 0o600);
        }
    }
}

/// The cluster of the PostgreSQL store: a lease is taken only once it expired (with a
/// new generation that fences the old owner out), renewals tell a node what it lost, a
/// handed-back lease is free at once, the least loaded live node gets new accounts, and
/// the command table carries a call to the account's owner and its answer back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_leases_fence_and_carry_calls() {
    use webwx_gateway::store::{Cluster, Lease, Postgres, RemoteKind};
    let cluster = pg::PgCluster::start();
    let Backend::Postgres(url) = Backend::postgres(&cluster, "leases").await else {
        unreachable!()
    };
    let ttl = Duration::from_millis(600);
    let n1 = Postgres::open(&url, Some("n1".into()), ttl).await.unwrap();
    let n2 = Postgres::open(&url, Some("n2".into()), ttl).await.unwrap();
    n1.join("n1", "http://127.0.0.1:1", None, ttl)
        .await
        .unwrap();
    n2.join("n2", "http://127.0.0.1:2", Some(5), ttl)
        .await
        .unwrap();
    let rec = n1
        .create_account(
            NewAccount {
                id: "a".into(),
                state: "logged_in".into(),
                node: Some("n1".into()),
                ..NewAccount::default()
            },
            1,
        )
        .await
        .unwrap();
    assert_eq!((rec.generation, rec.node.as_deref()), (1, Some("n1")));
    let held = n1.renew("n1", ttl).await.unwrap();
    assert_eq!(
        held,
        vec![Lease {
            account: "a".into(),
            generation: 1
        }]
    );
    // n2 holds nothing, so it is the least loaded; a live lease cannot be taken.
    assert_eq!(n1.least_loaded(ttl).await.unwrap().as_deref(), Some("n2"));
    assert!(n2.take("n2", ttl, 10).await.unwrap().is_empty());
    // n1 stops renewing (paused): once the lease expired, n2 takes it, generation 2.
    tokio::time::sleep(ttl + Duration::from_millis(200)).await;
    n2.renew("n2", ttl).await.unwrap();
    let taken = n2.take("n2", ttl, 10).await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(
        (taken[0].generation, taken[0].node.as_deref()),
        (2, Some("n2"))
    );
    // Its writes are refused now, and its renewal says it lost the account.
    let stale = Fence {
        account: "a".into(),
        generation: 1,
    };
    let write = Batch {
        events: vec![event("message", 1)],
        ..Batch::default()
    };
    assert!(matches!(
        n1.commit(&stale, write.clone(), 2).await,
        Err(StoreError::Fenced {
            given: 1,
            current: 2,
            ..
        })
    ));
    assert!(matches!(
        n1.outbox_cursor(&stale, "h", 0, 2).await,
        Err(StoreError::Fenced { .. })
    ));
    assert!(n1.renew("n1", ttl).await.unwrap().is_empty());
    let fresh = Fence {
        account: "a".into(),
        generation: 2,
    };
    assert_eq!(n2.commit(&fresh, write, 3).await.unwrap(), vec![1]);
    // A call for the account reaches its owner (n2), not n1, and its answer comes back.
    let id = n1
        .submit(
            RemoteKind::Command,
            Some("a"),
            None,
            r#"{"cmd":"ping"}"#,
            Some("k"),
        )
        .await
        .unwrap();
    assert!(n1.claim_calls("n1", &[]).await.unwrap().is_empty());
    let calls = n2.claim_calls("n2", &["a".into()]).await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].key.as_deref(), Some("k"));
    assert!(
        n2.claim_calls("n2", &["a".into()])
            .await
            .unwrap()
            .is_empty(),
        "once"
    );
    assert_eq!(n1.answer(id).await.unwrap(), None);
    // Its runner (n2) lives: the caller keeps waiting.
    assert!(!n1.abandon_if_runner_dead(id, ttl).await.unwrap());
    n2.finish_call(id, 200, "{}").await.unwrap();
    assert_eq!(n1.answer(id).await.unwrap(), Some((200, "{}".into())));
    // A call nobody took can be cancelled (it never runs).
    let id = n1
        .submit(RemoteKind::Create, None, Some("n3"), "{}", None)
        .await
        .unwrap();
    assert!(n1.cancel(id).await.unwrap());
    // A running call whose runner died (no heartbeat for the ttl) is given up: once.
    let id = n1
        .submit(RemoteKind::Command, Some("a"), None, "{}", None)
        .await
        .unwrap();
    assert!(
        !n1.abandon_if_runner_dead(id, ttl).await.unwrap(),
        "pending: the next owner runs it"
    );
    assert_eq!(n2.claim_calls("n2", &["a".into()]).await.unwrap().len(), 1);
    tokio::time::sleep(ttl + Duration::from_millis(200)).await;
    assert!(n1.abandon_if_runner_dead(id, ttl).await.unwrap());
    assert!(!n1.abandon_if_runner_dead(id, ttl).await.unwrap());
    // A graceful stop hands the lease back: free at once, generation 3.
    assert_eq!(n2.release("n2").await.unwrap(), 1);
    let nodes = n1.nodes(ttl).await.unwrap();
    assert_eq!(nodes.len(), 2);
    assert!(!nodes.iter().find(|n| n.name == "n2").unwrap().live);
    n1.renew("n1", ttl).await.unwrap();
    let back = n1.take("n1", ttl, 10).await.unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].generation, 3);
    let nodes = n1.nodes(ttl).await.unwrap();
    let one = nodes.iter().find(|n| n.name == "n1").unwrap();
    assert!(one.live);
    assert_eq!(one.accounts.len(), 1);
    assert!(one.accounts[0].lease_left_ms > 0);
}
