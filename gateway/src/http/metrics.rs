//! `GET /metrics`: Prometheus text — accounts by state, events, sends, webhook
//! deliveries, retries and lag.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use super::AppState;
use crate::accounts::AccountState;

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Escapes a label value.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The metrics.
pub async fn get(State(s): State<AppState>) -> Response {
    let gw = &s.gw;
    let mut out = String::new();
    family(&mut out, "webwx_accounts", "gauge", "Accounts by state.");
    let accounts = gw.accounts();
    for state in AccountState::ALL {
        let n = accounts.iter().filter(|a| a.live().state == state).count();
        let _ = writeln!(out, "webwx_accounts{{state=\"{}\"}} {n}", state.as_str());
    }
    let m = &gw.metrics;
    for (name, help, v) in [
        (
            "webwx_events_total",
            "Events written to the log by this process.",
            &m.events,
        ),
        (
            "webwx_sends_total",
            "Messages sent through the API.",
            &m.sends,
        ),
        (
            "webwx_webhook_deliveries_total",
            "Webhook POSTs answered 2xx.",
            &m.webhook_deliveries,
        ),
        (
            "webwx_webhook_retries_total",
            "Webhook POSTs that failed and are retried.",
            &m.webhook_retries,
        ),
        (
            "webwx_webhook_replies_total",
            "Quick replies sent from webhook answers.",
            &m.webhook_replies,
        ),
        (
            "webwx_fenced_writes_total",
            "Writes the store refused: another node holds the account now.",
            &m.fenced,
        ),
        (
            "webwx_leases_lost_total",
            "Leases another node took from this one (sessions stopped).",
            &m.leases_lost,
        ),
        (
            "webwx_leases_taken_total",
            "Leases this node took (accounts resumed here).",
            &m.leases_taken,
        ),
    ] {
        family(&mut out, name, "counter", help);
        let _ = writeln!(out, "{name} {}", v.load(Ordering::Relaxed));
    }
    family(
        &mut out,
        "webwx_event_seq",
        "gauge",
        "The last seq of the event log.",
    );
    let _ = writeln!(out, "webwx_event_seq {}", *gw.head().borrow());
    if !gw.options.webhooks.is_empty() {
        family(
            &mut out,
            "webwx_webhook_lag_events",
            "gauge",
            "Events not delivered yet, per webhook.",
        );
        let outbox = gw.store.outbox().await.unwrap_or_default();
        for hook in &gw.options.webhooks {
            let mut lag = 0;
            for o in outbox.iter().filter(|o| &o.hook == hook) {
                lag += gw
                    .store
                    .count_after(&o.account, o.delivered)
                    .await
                    .unwrap_or(0);
            }
            let _ = writeln!(
                out,
                "webwx_webhook_lag_events{{hook=\"{}\"}} {lag}",
                label(hook)
            );
        }
    }
    let mut r = (StatusCode::OK, out).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}
