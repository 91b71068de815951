//! Webhooks: every event of an account POSTed to each `--webhook` URL, in order per
//! account, retried with backoff until a 2xx. The outbox is durable: per hook and account
//! the store keeps the last seq delivered, so after a restart (a `kill -9` included) the
//! deliveries go on from there. At least once: a crash between a 2xx and the cursor's
//! write repeats that one event, and `X-Webwx-Seq` lets a receiver drop it.
//!
//! A 2xx answer `{"reply": "text"}` to an incoming `message` event sends the text to
//! the message's chat, once (its idempotency key is the hook and the event's seq).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use webwx_core::boundary::{Command, Request};

use crate::Gateway;
use crate::accounts::Account;
use crate::store::{StoreError, StoredEvent};

/// Events read from the store at a time.
const PAGE: usize = 100;

/// Starts the deliveries of `account` to every hook (from the current head for a new
/// account or hook: its outbox cursor is created at once).
pub fn spawn(gw: Arc<Gateway>, account: Arc<Account>) {
    let start = *gw.head().borrow();
    for (i, hook) in gw.options.webhooks.iter().enumerate() {
        tokio::spawn(deliver(gw.clone(), account.clone(), i, hook.clone(), start));
    }
}

/// `true` when the account is gone or fenced (another node holds it now): stop.
fn fatal(gw: &Gateway, e: &StoreError) -> bool {
    if matches!(e, StoreError::Fenced { .. }) {
        gw.metrics.fenced.fetch_add(1, Ordering::Relaxed);
    }
    matches!(e, StoreError::NoAccount(_) | StoreError::Fenced { .. })
}

async fn deliver(gw: Arc<Gateway>, account: Arc<Account>, index: usize, hook: String, start: u64) {
    let mut gone = account.gone.subscribe();
    let mut head = gw.head();
    let now = || crate::now_ms();
    let mut cursor = loop {
        match gw
            .store
            .outbox_cursor(&account.fence, &hook, start, now())
            .await
        {
            Ok(c) => break c,
            Err(e) if fatal(&gw, &e) => return,
            Err(e) => {
                tracing::error!(error = %e, "webhook outbox unreadable; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    loop {
        if account.is_gone() {
            return;
        }
        head.borrow_and_update();
        let page = match gw.store.events_after(cursor, Some(&account.id), PAGE).await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "webhook events unreadable; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if page.is_empty() {
            tokio::select! {
                r = head.changed() => if r.is_err() { return },
                _ = gone.changed() => {}
            }
            continue;
        }
        let mut skipped = false;
        for event in page {
            if !gw.options.hooks_event(&event.kind) {
                cursor = event.seq;
                skipped = true;
                continue;
            }
            if !post_until_delivered(&gw, &account, index, &hook, &event).await {
                return;
            }
            cursor = event.seq;
            skipped = false;
            if let Err(e) = gw
                .store
                .outbox_delivered(&account.fence, &hook, cursor, now())
                .await
                && fatal(gw.as_ref(), &e)
            {
                return;
            }
        }
        if skipped
            && let Err(e) = gw
                .store
                .outbox_delivered(&account.fence, &hook, cursor, now())
                .await
            && fatal(gw.as_ref(), &e)
        {
            return;
        }
    }
}

/// POSTs `event` until a 2xx (then handles a quick reply). `false` when the account is
/// gone meanwhile.
async fn post_until_delivered(
    gw: &Arc<Gateway>,
    account: &Arc<Account>,
    index: usize,
    hook: &str,
    event: &StoredEvent,
) -> bool {
    let mut delay = gw.options.webhook_retry;
    loop {
        // With several nodes: never POST while this node's leases may have moved on
        // (e.g. it was paused): the account's new owner delivers.
        while !gw.may_act() {
            if account.is_gone() {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if account.is_gone() {
            return false;
        }
        let error = match post(gw, hook, event).await {
            Ok((status, body)) if (200..300).contains(&status) => {
                gw.metrics
                    .webhook_deliveries
                    .fetch_add(1, Ordering::Relaxed);
                quick_reply(gw, account, index, event, &body);
                return true;
            }
            Ok((status, _)) => format!("HTTP {status}"),
            Err(e) => e,
        };
        gw.metrics.webhook_retries.fetch_add(1, Ordering::Relaxed);
        tracing::info!(account = %account.id, seq = event.seq, %error, ?delay, "webhook failed; retrying");
        let now = crate::now_ms();
        if let Err(e) = gw
            .store
            .outbox_failed(&account.fence, hook, &error, now)
            .await
            && fatal(gw.as_ref(), &e)
        {
            return false;
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(gw.options.webhook_retry_max);
    }
}

async fn post(gw: &Gateway, hook: &str, event: &StoredEvent) -> Result<(u16, Vec<u8>), String> {
    let request = http::Request::post(hook)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::USER_AGENT, "webwx-gateway")
        .header("x-webwx-seq", event.seq.to_string())
        .header("x-webwx-account", &event.account)
        .header("x-webwx-event", &event.kind)
        .body(event.to_json().into_bytes())
        .map_err(|e| format!("bad request: {e}"))?;
    let resp = gw
        .transport
        .execute(request, gw.options.webhook_timeout)
        .await
        .map_err(|e| e.to_string())?;
    Ok((resp.status().as_u16(), resp.into_body()))
}

/// A `{"reply": "text"}` answer to an incoming message: send it to the message's chat.
fn quick_reply(
    gw: &Arc<Gateway>,
    account: &Arc<Account>,
    index: usize,
    event: &StoredEvent,
    body: &[u8],
) {
    if event.kind != "message" {
        return;
    }
    let Ok(answer) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    let Some(text) = answer.get("reply").and_then(|r| r.as_str()) else {
        return;
    };
    let Ok(ev) = serde_json::from_str::<serde_json::Value>(&event.body) else {
        return;
    };
    if ev["outgoing"].as_bool() == Some(true) || text.is_empty() {
        return;
    }
    let Some(chat) = ev["chat"].as_str() else {
        return;
    };
    let request = Request::from(Command::send_text(chat, text));
    let key = format!("webhook-reply:{index}:{}", event.seq);
    let (gw, account) = (gw.clone(), account.clone());
    tokio::spawn(async move {
        let reply = crate::commands::execute(&gw, &account, request, Some(&key)).await;
        if reply.status.is_success() {
            gw.metrics.webhook_replies.fetch_add(1, Ordering::Relaxed);
        } else {
            tracing::warn!(account = %account.id, status = %reply.status, body = %reply.body, "webhook reply not sent");
        }
    });
}
