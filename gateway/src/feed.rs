//! The event feed behind SSE and the WebSocket: every event after a seq, read from the
//! store's log in pages and then as it grows. Reading the log (not a live channel) is
//! what makes a stream resumable: `after=SEQ` gets each later event exactly once, in
//! seq order, whatever happened meanwhile (a restart included).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::watch;

use crate::Gateway;
use crate::store::StoredEvent;

/// Events read from the store at a time.
const PAGE: usize = 500;

struct Cursor {
    gw: Arc<Gateway>,
    after: u64,
    account: Option<String>,
    head: watch::Receiver<u64>,
    stopping: watch::Receiver<bool>,
    buffered: VecDeque<StoredEvent>,
}

/// Every event after seq `after` (of `account` only, when given), then each new one as
/// it is committed. Ends when the gateway stops.
pub fn events(
    gw: Arc<Gateway>,
    after: u64,
    account: Option<String>,
) -> impl Stream<Item = StoredEvent> + Send + 'static {
    let head = gw.head();
    let stopping = gw.stopping();
    let cursor = Cursor {
        gw,
        after,
        account,
        head,
        stopping,
        buffered: VecDeque::new(),
    };
    futures_util::stream::unfold(cursor, |mut c| async move {
        loop {
            if *c.stopping.borrow() {
                return None;
            }
            if let Some(e) = c.buffered.pop_front() {
                c.after = e.seq;
                return Some((e, c));
            }
            // Marked seen before the read: a commit after it wakes the wait below.
            c.head.borrow_and_update();
            match c
                .gw
                .store
                .events_after(c.after, c.account.as_deref(), PAGE)
                .await
            {
                Ok(page) if !page.is_empty() => c.buffered.extend(page),
                Ok(_) => {
                    tokio::select! {
                        r = c.head.changed() => if r.is_err() { return None },
                        _ = c.stopping.changed() => return None,
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "event log unreadable; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    })
}
