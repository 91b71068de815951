//! # webwx-gateway
//!
//! The gateway behind `webwx serve`: many WeChat Web accounts in one long-running
//! process, reachable from any language over HTTP (DESIGN.md "The gateway"). Each
//! account is a `webwx-hyper` session (one tokio task, no thread per account) speaking
//! the core's JSON boundary; everything durable lives in a [`Store`](store::Store)
//! ([`Sqlite`](store::Sqlite), one file, by default):
//!
//! - **Accounts**: create (a QR login), list with state, one, delete (log out and
//!   forget), log in again by name (resume or push login). After a restart, a `kill -9`
//!   included, every account that was logged in resumes from its saved session.
//! - **Commands**: every boundary command on `POST /v1/accounts/{id}/commands`, answered
//!   on completion, at most once per `Idempotency-Key`; a `messages` shorthand (JSON or
//!   multipart). Over HTTP no command names a local file.
//! - **Events**: one log with a durable, strictly increasing `seq`; Server-Sent Events
//!   and a WebSocket resumable with `?after=SEQ`, and webhooks with a durable outbox.
//! - **History** of every message in and out; contacts with their kinds.
//! - A small **web page** at `/`, `/healthz`, `/metrics`.
//! - **Several nodes** on one [`Postgres`](store::Postgres) store (`webwx serve --node
//!   NAME --db postgres://..`): each account run by the holder of its lease, moved to a
//!   live node (resumed, no QR code) when its node dies or stops, every write fenced by
//!   the lease's generation, any call answered by any node ([`cluster`]).
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use webwx_gateway::{Gateway, Options, store::Sqlite};
//! let store = Arc::new(Sqlite::open("webwx.db")?);
//! let gw = Gateway::new(Options::new("a-long-secret-token"), store)?;
//! gw.restore().await?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8788").await?;
//! webwx_gateway::serve(listener, gw).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accounts;
pub mod cluster;
pub mod commands;
pub mod feed;
mod gateway;
pub mod http;
pub mod options;
pub mod pacing;
pub mod qr;
pub mod store;
mod views;
pub mod webhooks;

pub use gateway::{CreateAccount, CreateError, Gateway, Metrics};
pub use options::{DEFAULT_LISTEN, Options, generate_token};

use std::sync::Arc;

/// Serves the API on `listener` until the process ends (or `SIGINT`/`SIGTERM`, when
/// every session is stopped without logging out, so that each resumes at the next
/// start).
pub async fn serve(listener: tokio::net::TcpListener, gw: Arc<Gateway>) -> std::io::Result<()> {
    serve_until(listener, gw, shutdown_signal()).await
}

/// Like [`serve`], stopping when `stop` completes instead of on a signal.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    gw: Arc<Gateway>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    let app = http::router(gw.clone(), local);
    let stopper = gw.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            stop.await;
            tracing::info!("stopping: every session stays valid for the next start");
            stopper.shutdown();
        })
        .await?;
    // The sessions' last events reach the store before the process ends; then the
    // leases go back (several nodes), so that live nodes resume the accounts at once.
    gw.drained(std::time::Duration::from_secs(5)).await;
    cluster::hand_back(&gw).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// The wall clock in milliseconds since the epoch (what the store records).
pub(crate) fn now_ms() -> i64 {
    webwx_hyper::now().wall.0 as i64
}
