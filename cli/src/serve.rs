//! `webwx serve`: the gateway of `webwx_gateway` — many accounts over HTTP, durable in
//! one SQLite file, or in PostgreSQL shared by several nodes (`--node NAME`). Prints `webwx serve listening on http://ADDR` as its first stdout
//! line and, when it made the token up, `token: T` as the second.

use std::sync::Arc;
use std::time::Duration;

use webwx_gateway::store::{Postgres, Sqlite, Store};
use webwx_gateway::{Gateway, Options};

use crate::args::ServeArgs;

/// Where `--db` points.
#[derive(Debug, PartialEq, Eq)]
enum Db<'a> {
    /// `sqlite:PATH` or `sqlite://PATH`.
    Sqlite(&'a str),
    /// `postgres://..` or `postgresql://..`.
    Postgres(&'a str),
}

fn db_of(db: &str) -> Result<Db<'_>, String> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return Ok(Db::Postgres(db));
    }
    let path = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
        .ok_or_else(|| format!("--db {db:?}: expected sqlite:PATH or postgres://.."))?;
    if path.is_empty() {
        return Err("--db sqlite:PATH needs a path".into());
    }
    Ok(Db::Sqlite(path))
}

/// The gateway's options from the flags (and $WEBWX_TOKEN).
fn options(args: &ServeArgs) -> Result<Options, String> {
    let env_token = std::env::var("WEBWX_TOKEN").ok().filter(|t| !t.is_empty());
    let (token, given) = match args.token.clone().or(env_token) {
        Some(t) => (t, true),
        None => (webwx_gateway::generate_token(), false),
    };
    let mut o = Options::new(token);
    o.token_given = given;
    o.listen = args.listen;
    o.webhooks = args.webhooks.clone();
    o.webhook_events = args
        .webhook_events
        .iter()
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty())
        .collect();
    o.webhook_retry = Duration::from_millis(args.webhook_retry_ms.max(1));
    o.webhook_retry_max =
        Duration::from_millis(args.webhook_retry_max_ms.max(args.webhook_retry_ms).max(1));
    o.origin = args.origin.clone();
    o.allow_origin_override = args.allow_origin_override;
    o.node = args.node.clone();
    o.accept_hosts = args.accept_host.clone();
    o.long_poll = args.long_poll_ms.map(Duration::from_millis);
    o.max_accounts = args.max_accounts;
    o.lease = Duration::from_millis(args.lease_ms);
    o.check()?;
    Ok(o)
}

/// Runs `webwx serve` until stopped; returns the exit code.
pub fn run(args: &ServeArgs) -> i32 {
    let (mut options, db) = match options(args).and_then(|o| Ok((o, db_of(&args.db)?))) {
        Ok(x) => x,
        Err(e) => {
            crate::terminal::err(&format!("webwx serve: {e}"));
            return 2;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::terminal::err(&format!("webwx serve: cannot start the runtime: {e}"));
            return 1;
        }
    };
    let show_token = !options.token_given;
    let token = options.token.clone();
    let result: Result<(), String> = rt.block_on(async move {
        let store: Arc<dyn Store> = match db {
            Db::Sqlite(path) => {
                Arc::new(Sqlite::open(path).map_err(|e| format!("cannot open {path}: {e}"))?)
            }
            Db::Postgres(url) => {
                if options.node.is_none() {
                    return Err("a postgres:// store is shared by several nodes: name this \
                                one with --node NAME"
                        .into());
                }
                Arc::new(
                    Postgres::open(url, options.node.clone(), options.lease)
                        .await
                        .map_err(|e| format!("cannot open the PostgreSQL store: {e}"))?,
                )
            }
        };
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        // The address other nodes and `GET /v1/nodes` show (port 0 resolved).
        options.listen = addr;
        let gw = Gateway::new(options, store)?;
        let resumed = gw.restore().await.map_err(|e| format!("store: {e}"))?;
        crate::terminal::out(&format!("webwx serve listening on http://{addr}"));
        if show_token {
            crate::terminal::out(&format!("token: {token}"));
        }
        if !addr.ip().is_loopback() {
            crate::terminal::err(&format!(
                "webwx serve: listening on {addr}, beyond the loopback interface"
            ));
        }
        if resumed > 0 {
            crate::terminal::err(&format!(
                "webwx serve: resuming {resumed} account(s) from the store"
            ));
        }
        webwx_gateway::serve(listener, gw)
            .await
            .map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            crate::terminal::err(&format!("webwx serve: {e}"));
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_urls() {
        assert_eq!(db_of("sqlite:webwx.db").unwrap(), Db::Sqlite("webwx.db"));
        assert_eq!(
            db_of("sqlite:///tmp/x.db").unwrap(),
            Db::Sqlite("/tmp/x.db")
        );
        assert_eq!(
            db_of("postgres://u@h/db").unwrap(),
            Db::Postgres("postgres://u@h/db")
        );
        assert_eq!(
            db_of("postgresql://h/db").unwrap(),
            Db::Postgres("postgresql://h/db")
        );
        assert!(db_of("webwx.db").is_err());
        assert!(db_of("sqlite:").is_err());
    }
}
